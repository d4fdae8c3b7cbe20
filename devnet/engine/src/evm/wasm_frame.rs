//! The WASM side of a Stylus frame: program instantiation, the resumable run loop, ink and gas
//! accounting and memory access; `hostios.rs` serves every `vm_hooks` host call.
//!
//! Ink lives in the instrumented module's `stylus_ink_left` global (see `instrument.rs`); the
//! engine reads and writes it between host calls, as Nitro's host does (OffchainLabs/nitro
//! `crates/prover/src/programs/meter.rs`, `MeteredMachine`). Each hostio follows its method in
//! `crates/wasm-libraries/user-host-trait/lib.rs` step by step (base ink, reads, checks, EVM cost);
//! the EVM side of calls, creates and account queries follows `arbos/programs/api.go`.

use std::collections::HashMap;

use revm::context::JournalTr;
use revm::context_interface::context::take_error;
use revm::context_interface::{Block, Cfg, ContextError, ContextTr, Transaction};
use revm::handler::{handle_reservoir_remaining_gas, EthFrame, FrameResult};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::{
    CallInput, CallInputs, CallScheme, CallValue, CreateInputs, FrameInput, Gas, InstructionResult,
    InterpreterResult,
};
use revm::primitives::{keccak256, Address, Bytes, Log, B256, U256};
use revm::state::Bytecode;
use revm::Database;
use wasmi::{Func, Global, Memory, ResumableCall, ResumableCallHostTrap, Store, Val};

use super::DbErr;
use crate::activation::{self, ProgramInfo};
use crate::chain::{INK_PRICE, PAGE_LIMIT, STYLUS_VERSION};
use crate::frame::{Step, TxState};
use crate::hostio::{DebugImport, HostCall, HostReq, HostioId, DEBUG_IMPORTS};
use crate::instrument::{STYLUS_INK_LEFT, STYLUS_INK_STATUS, STYLUS_STACK_LEFT};
use crate::precompiles::{read_program, Ctx};
use crate::profile::StylusProfile;
use crate::shared::{HostData, Shared};

mod hostios;

fn u256_at(b: &[u8]) -> U256 {
    U256::from_be_slice(b)
}

/// `pricing::read_price`: ink to read `n` bytes from the program.
fn read_price(n: u64) -> u64 {
    16_381u64.saturating_add(55u64.saturating_mul(n.saturating_sub(32)))
}

/// `pricing::write_price`: ink to write `n` bytes into the program.
fn write_price(n: u64) -> u64 {
    5040u64.saturating_add(30u64.saturating_mul(n.saturating_sub(32)))
}

/// `pricing::keccak_price`.
fn keccak_price(n: u64) -> u64 {
    121_800u64.saturating_add(21_000u64.saturating_mul(n.div_ceil(32).saturating_sub(2)))
}

/// `pricing::pow_price`: 3000 + 17,500 ink per significant exponent byte (+1).
fn pow_price(exponent: &U256) -> u64 {
    let zero_bytes = u64::from(exponent.leading_zeros() as u32 / 8);
    3000 + 17_500 * (33 - zero_bytes)
}

/// What the suspended program waits for.
enum Await {
    Call { ret_len: u32, stipend: bool },
    Create { addr_out: u32, rev_out: u32 },
}

#[derive(Clone, Copy)]
struct Slot {
    value: U256,
    known: Option<U256>,
}

/// A hostio's effect on the run loop.
enum HostOut {
    Resume(Vec<Val>),
    Sub(FrameInput),
    Exit(i32),
}

/// A hostio that ends the program.
enum Brk<E> {
    /// Out of ink: halt, all gas consumed.
    OutOfInk,
    /// Failure: revert with empty data, unused gas returned.
    Failure,
    /// Database error.
    Fatal(E),
}

/// A running Stylus program invocation.
pub(crate) struct WasmFrame {
    store: Store<HostData>,
    entry: Func,
    memory: Memory,
    ink_left: Global,
    ink_status: Global,
    stack_left: Global,
    pending: Option<ResumableCallHostTrap>,
    started: bool,
    entered: bool,
    args: Bytes,
    address: Address,
    caller: Address,
    value: U256,
    is_static: bool,
    codehash: B256,
    info: ProgramInfo,
    return_data: Bytes,
    output: Bytes,
    cache: HashMap<U256, Slot>,
    reads: u64,
    writes: u64,
    awaiting: Option<Await>,
    resume_vals: Vec<Val>,
    /// Ink below one gas, kept while the frame's gas is handed to revm for a child frame.
    ink_frac: u64,
    /// `tx.open` when the program was entered (restored when it returns).
    pub(crate) open_at_entry: u32,
    /// The last code read by `account_code`/`account_code_size` (Nitro's `last_code`).
    last_code: Option<(Address, Bytes)>,
    /// Set when paying for a finished child frame exhausted the ink.
    starved: bool,
    /// The gas accounting, only while profiling (`Engine::transact_profiled`).
    prof: Option<Box<WasmProf>>,
}

/// A program frame's gas accounting while profiling, and where it stands.
struct WasmProf {
    data: StylusProfile,
    /// Ink when the program last (re)started running WASM.
    mark: u64,
    /// The hostio waiting for a child frame, and the ink before it was served.
    pending: Option<(HostioId, u64)>,
    /// Gas used by the child frame just delivered.
    child_used: u64,
}

impl WasmFrame {
    /// Prepares a program invocation. `Err(Ok(halt))` makes the frame fail at once
    /// (not activated, needs upgrade, expired, broken module); `Err(Err(e))` is a database error.
    pub(super) fn new<DB: Database>(
        shared: &Shared,
        ctx: &mut Ctx<DB>,
        frame: &EthFrame<EthInterpreter>,
        code: &[u8],
        codehash: B256,
        args: Bytes,
    ) -> Result<Self, Result<InstructionResult, DbErr<DB>>> {
        let info = match read_program(ctx, codehash) {
            Ok(i) => i,
            Err(e) => return Err(Err(ContextError::Db(e))),
        };
        let now = ctx.block().timestamp().saturating_to::<u64>();
        let Some(info) = info.filter(|i| i.version == STYLUS_VERSION && !i.expired(now)) else {
            return Err(Ok(InstructionResult::NotActivated));
        };
        let not_active = || Ok(InstructionResult::NotActivated);
        let module = match shared.cached_module(&codehash) {
            Some(m) => m,
            None => {
                // An activated program whose module is not cached (e.g. after a restart):
                // instrument it again. It passed activation, so this cannot fail.
                let wasm = stylus_format::decompress(code).map_err(|_| not_active())?;
                let limit = activation::page_limit(0);
                let activated =
                    activation::check_program(&wasm, shared.arbos, limit, shared.config.debug)
                        .map_err(|_| not_active())?;
                shared
                    .compile(codehash, &activated.instrumented)
                    .map_err(|_| not_active())?
            }
        };
        let mut store = Store::new(&shared.wasm, wasmi::StoreLimitsBuilder::new().build());
        let instance = shared
            .linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|_| not_active())?;
        let memory = instance
            .get_memory(&store, "memory")
            .ok_or_else(not_active)?;
        let entry = instance
            .get_func(&store, "user_entrypoint")
            .ok_or_else(not_active)?;
        let global = |name: &str| instance.get_global(&store, name).ok_or_else(not_active);
        let (ink_left, ink_status, stack_left) = (
            global(STYLUS_INK_LEFT)?,
            global(STYLUS_INK_STATUS)?,
            global(STYLUS_STACK_LEFT)?,
        );
        let input = &frame.interpreter.input;
        Ok(Self {
            store,
            entry,
            memory,
            ink_left,
            ink_status,
            stack_left,
            pending: None,
            started: false,
            entered: false,
            args,
            address: input.target_address,
            caller: input.caller_address,
            value: input.call_value,
            is_static: frame.interpreter.runtime_flag.is_static,
            codehash,
            info,
            return_data: Bytes::new(),
            output: Bytes::new(),
            cache: HashMap::new(),
            reads: 0,
            writes: 0,
            awaiting: None,
            resume_vals: Vec::new(),
            ink_frac: 0,
            open_at_entry: 0,
            last_code: None,
            starved: false,
            prof: None,
        })
    }

    /// Turns on the gas accounting for this invocation ([`crate::Engine::transact_profiled`]).
    pub(super) fn enable_profile(&mut self) {
        self.prof = Some(Box::new(WasmProf {
            data: StylusProfile::new(self.codehash),
            mark: 0,
            pending: None,
            child_used: 0,
        }));
    }

    /// The gas accounting, once the program ended (`None` when profiling is off).
    pub(super) fn take_profile(&mut self) -> Option<StylusProfile> {
        self.prof.take().map(|p| p.data)
    }

    /// Runs `f` on the profile when profiling (nothing otherwise).
    #[inline]
    fn note(&mut self, f: impl FnOnce(&mut StylusProfile)) {
        if let Some(p) = &mut self.prof {
            f(&mut p.data);
        }
    }

    /// Profiling: WASM instructions ran from the mark to now.
    #[inline]
    fn note_wasm(&mut self) {
        if self.prof.is_some() {
            let ink = self.ink();
            if let Some(p) = &mut self.prof {
                p.data.wasm_ink += p.mark.saturating_sub(ink);
            }
        }
    }

    /// Profiling: hostio `id` was served, starting with `before` ink; WASM resumes from here.
    #[inline]
    fn note_hostio(&mut self, id: HostioId, before: u64) {
        if self.prof.is_some() {
            let ink = self.ink();
            if let Some(p) = &mut self.prof {
                let s = p.data.stat(id);
                s.count += 1;
                s.ink += before.saturating_sub(ink);
                p.mark = ink;
            }
        }
    }

    /// Profiling: the EVM-rule part (gas) of the hostio being served.
    #[inline]
    fn note_evm(&mut self, id: HostioId, gas: u64) {
        self.note(|p| p.stat(id).evm_gas += gas);
    }

    /// Ink left (the `stylus_ink_left` global, an i64 read as u64).
    fn ink(&self) -> u64 {
        match self.ink_left.get(&self.store) {
            Val::I64(v) => v as u64,
            _ => 0,
        }
    }

    fn set_ink(&mut self, ink: u64) {
        let _ = self.ink_left.set(&mut self.store, Val::I64(ink as i64));
    }

    fn exhausted(&self) -> bool {
        !matches!(self.ink_status.get(&self.store), Val::I32(0))
    }

    fn stack_words_left(&self) -> u32 {
        match self.stack_left.get(&self.store) {
            Val::I32(v) => v as u32,
            _ => 0,
        }
    }

    /// `MeteredMachine::out_of_ink`: ink 0, status 1.
    fn out_of_ink<T, E>(&mut self) -> Result<T, Brk<E>> {
        self.set_ink(0);
        let _ = self.ink_status.set(&mut self.store, Val::I32(1));
        Err(Brk::OutOfInk)
    }

    /// `MeteredMachine::buy_ink`.
    fn buy_ink<E>(&mut self, ink: u64) -> Result<(), Brk<E>> {
        let left = self.ink();
        if self.exhausted() || left < ink {
            return self.out_of_ink();
        }
        self.set_ink(left - ink);
        Ok(())
    }

    /// `MeteredMachine::require_ink`: fails like `buy_ink` but burns nothing.
    fn require_ink<E>(&mut self, ink: u64) -> Result<(), Brk<E>> {
        if self.exhausted() || self.ink() < ink {
            return self.out_of_ink();
        }
        Ok(())
    }

    fn buy_gas<E>(&mut self, gas: u64) -> Result<(), Brk<E>> {
        self.buy_ink(gas.saturating_mul(INK_PRICE))
    }

    fn require_gas<E>(&mut self, gas: u64) -> Result<(), Brk<E>> {
        self.require_ink(gas.saturating_mul(INK_PRICE))
    }

    /// `GasMeteredMachine::gas_left`: ink ÷ ink price, rounded down.
    fn gas_left<E>(&mut self) -> Result<u64, Brk<E>> {
        if self.exhausted() {
            return self.out_of_ink();
        }
        Ok(self.ink() / INK_PRICE)
    }

    /// Hands the frame's ink to revm's `Gas` (whole gas; the fraction is kept for later).
    fn ink_to_gas(&mut self, gas: &mut Gas) {
        let ink = self.ink();
        self.ink_frac = ink % INK_PRICE;
        let rem = ink / INK_PRICE;
        let cur = gas.remaining();
        if rem < cur {
            let _ = gas.record_regular_cost(cur - rem);
        }
    }

    /// Takes the frame's ink back from revm's `Gas`.
    fn gas_to_ink(&mut self, gas: &Gas) {
        let ink = gas
            .remaining()
            .saturating_mul(INK_PRICE)
            .saturating_add(self.ink_frac);
        self.ink_frac = 0;
        self.set_ink(ink);
    }

    fn read<E>(&self, ptr: u64, len: u64) -> Result<Vec<u8>, Brk<E>> {
        // Bounds first, so a huge length cannot allocate.
        let size = self.memory.data_size(&self.store) as u64;
        if ptr.checked_add(len).is_none_or(|end| end > size) {
            return Err(Brk::Failure);
        }
        let mut buf = vec![0u8; len as usize];
        self.memory
            .read(&self.store, ptr as usize, &mut buf)
            .map_err(|_| Brk::Failure)?;
        Ok(buf)
    }

    fn write<E>(&mut self, ptr: u64, data: &[u8]) -> Result<(), Brk<E>> {
        self.memory
            .write(&mut self.store, ptr as usize, data)
            .map_err(|_| Brk::Failure)
    }

    fn write_u32<E>(&mut self, ptr: u64, v: u32) -> Result<(), Brk<E>> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Runs (or resumes) the program until it finishes or needs a child frame.
    pub(super) fn run<DB: Database>(
        &mut self,
        ctx: &mut Ctx<DB>,
        frame: &mut EthFrame<EthInterpreter>,
        tx: &mut TxState,
        shared: &Shared,
    ) -> Result<Step, DbErr<DB>> {
        let gas = &mut frame.interpreter.gas;
        if !self.entered {
            // Program entry (`Programs.CallProgram`): memory model for the footprint, then the
            // init costs; the recent-program cache is consulted from ArbOS 60.
            self.entered = true;
            self.open_at_entry = tx.open;
            let footprint = u32::from(self.info.footprint);
            let mem = activation::memory_gas(footprint, tx.open, tx.ever);
            let recent_hit = shared.arbos.recent_program_cache() && tx.recent.insert(self.codehash);
            let cached = self.info.cached || recent_hit;
            let init = if cached { 0 } else { self.info.init_gas() };
            let cost = mem
                .saturating_add(self.info.cached_gas())
                .saturating_add(init);
            let cached_gas = self.info.cached_gas();
            self.note(|p| {
                p.cached = cached;
                p.entry_memory_gas = mem;
                p.entry_cached_init_gas = cached_gas;
                p.entry_init_gas = init;
            });
            if !gas.record_regular_cost(cost) {
                return Ok(Step::Done(self.out_of_gas(gas)));
            }
            tx.open += footprint;
            tx.ever = tx.ever.max(tx.open);
            let max_pages = u32::from(PAGE_LIMIT).saturating_sub(self.open_at_entry);
            *self.store.data_mut() = wasmi::StoreLimitsBuilder::new()
                .memory_size(max_pages as usize * 65_536)
                .build();
            self.store.limiter(|l| l);
            let depth = shared.arbos.max_stack_depth();
            let _ = self.stack_left.set(&mut self.store, Val::I32(depth as i32));
        }
        if self.starved {
            return Ok(Step::Done(self.out_of_gas(gas)));
        }
        self.gas_to_ink(gas);
        if self.prof.is_some() {
            let ink = self.ink();
            if let Some(p) = &mut self.prof {
                // A hostio that started a child frame ends here: its own cost is the ink spent
                // since it was called, less the child's gas.
                if let Some((id, before)) = p.pending.take() {
                    let s = p.data.stat(id);
                    s.count += 1;
                    s.ink += before
                        .saturating_sub(ink)
                        .saturating_sub(p.child_used.saturating_mul(INK_PRICE));
                }
                p.mark = ink;
            }
        }
        let mut outputs = [Val::I32(0)];
        let mut call = if !self.started {
            self.started = true;
            let len = self.args.len() as i32;
            self.entry
                .call_resumable(&mut self.store, &[Val::I32(len)], &mut outputs)
        } else {
            match self.pending.take() {
                Some(trap) => {
                    let vals = std::mem::take(&mut self.resume_vals);
                    trap.resume(&mut self.store, &vals, &mut outputs)
                }
                None => return Ok(Step::Done(self.failure(gas))),
            }
        };
        loop {
            match call {
                Ok(ResumableCall::Finished) => {
                    self.note_wasm();
                    let status = match outputs[0] {
                        Val::I32(s) => s,
                        _ => 1,
                    };
                    return Ok(Step::Done(self.finish(gas, status)));
                }
                Ok(ResumableCall::HostTrap(trap)) => {
                    let req = trap.host_error().downcast_ref::<HostReq>().cloned();
                    self.note_wasm();
                    let Some(req) = req else {
                        return Ok(Step::Done(self.failure(gas)));
                    };
                    let before = self.ink();
                    let served = self.hostio(ctx, gas, tx, shared, &req);
                    let vm = match req.call {
                        HostCall::Vm(id) => Some(id),
                        HostCall::Debug(_) => None,
                    };
                    match (&served, vm) {
                        (Ok(HostOut::Sub(_)), Some(id)) => {
                            if let Some(p) = &mut self.prof {
                                p.pending = Some((id, before));
                            }
                        }
                        (_, Some(id)) => self.note_hostio(id, before),
                        (_, None) => {}
                    }
                    match served {
                        Ok(HostOut::Resume(vals)) => {
                            call = trap.resume(&mut self.store, &vals, &mut outputs);
                        }
                        Ok(HostOut::Sub(input)) => {
                            self.pending = Some(trap);
                            return Ok(Step::Sub(input));
                        }
                        Ok(HostOut::Exit(status)) => {
                            return Ok(Step::Done(self.finish(gas, status)));
                        }
                        Err(b) => return self.brk::<DB>(b, gas),
                    }
                }
                Ok(ResumableCall::OutOfFuel(_)) => return Ok(Step::Done(self.out_of_gas(gas))),
                Err(e) => {
                    self.note_wasm();
                    // `NativeInstance::run_main`: the depth budget first, then ink, then failure.
                    let stack_trap =
                        matches!(e.as_trap_code(), Some(wasmi::TrapCode::StackOverflow));
                    let r = if self.stack_words_left() == 0 || stack_trap {
                        gas.spend_all();
                        InterpreterResult::new(InstructionResult::StackOverflow, Bytes::new(), *gas)
                    } else if self.exhausted() {
                        self.out_of_gas(gas)
                    } else {
                        self.failure(gas)
                    };
                    return Ok(Step::Done(r));
                }
            }
        }
    }

    fn brk<DB: Database>(&mut self, b: Brk<DbErr<DB>>, gas: &mut Gas) -> Result<Step, DbErr<DB>> {
        match b {
            Brk::OutOfInk => Ok(Step::Done(self.out_of_gas(gas))),
            Brk::Failure => Ok(Step::Done(self.failure(gas))),
            Brk::Fatal(e) => Err(e),
        }
    }

    fn out_of_gas(&mut self, gas: &mut Gas) -> InterpreterResult {
        gas.spend_all();
        InterpreterResult::new(InstructionResult::OutOfGas, Bytes::new(), *gas)
    }

    /// Failure (trap, bad pointer, write protection…): empty revert, unused gas returned.
    fn failure(&mut self, gas: &mut Gas) -> InterpreterResult {
        self.note_rounding();
        self.ink_to_gas(gas);
        InterpreterResult::new(InstructionResult::Revert, Bytes::new(), *gas)
    }

    /// Normal end with `status` (0 = success): the output is the last `write_result`.
    fn finish(&mut self, gas: &mut Gas, status: i32) -> InterpreterResult {
        self.note_rounding();
        self.ink_to_gas(gas);
        let out = self.output.clone();
        if !out.is_empty() {
            // ArbOS ≥ 31 (`CallProgram`): returned or reverted data must have cost at least its
            // EVM memory expansion: 3 gas per word + words² / 512.
            let words = (out.len() as u64).div_ceil(32);
            let evm_cost = 3 * words + words * words / 512;
            if gas.limit() < evm_cost {
                return self.out_of_gas(gas);
            }
            let max_left = gas.limit() - evm_cost;
            let rem = gas.remaining();
            if rem > max_left {
                let _ = gas.record_regular_cost(rem - max_left);
                self.note(|p| p.output_gas += rem - max_left);
            }
        }
        let result = if status == 0 {
            InstructionResult::Return
        } else {
            InstructionResult::Revert
        };
        InterpreterResult::new(result, out, *gas)
    }

    /// Profiling: the ink below one gas that the end of the program drops.
    fn note_rounding(&mut self) {
        if self.prof.is_some() {
            let frac = self.ink() % INK_PRICE;
            self.note(|p| p.rounding_ink += frac);
        }
    }

    /// Receives a child frame's result and stages the hostio's return value (or, if paying for
    /// the child exhausted the ink, makes the next step end out of gas).
    pub(super) fn deliver(&mut self, gas: &mut Gas, result: FrameResult) {
        match result {
            FrameResult::Call(outcome) => {
                let ins = *outcome.instruction_result();
                let mut child = outcome.gas();
                handle_reservoir_remaining_gas(ins, gas.tracker_mut(), child.tracker_mut());
                if let Some(p) = &mut self.prof {
                    p.child_used = child.limit().saturating_sub(child.remaining());
                }
                self.return_data = outcome.result.output.clone();
                let status = if ins.is_ok() { 0 } else { 2 };
                if let Some(Await::Call { ret_len, stipend }) = self.awaiting.take() {
                    // `doCall`'s cost is base + gas − returned gas, the stipend included.
                    if stipend && !gas.record_regular_cost(2300) {
                        self.starved = true;
                    }
                    let _ = self.write_u32::<()>(u64::from(ret_len), self.return_data.len() as u32);
                }
                self.resume_vals = vec![Val::I32(status)];
            }
            FrameResult::Create(outcome) => {
                let ins = *outcome.instruction_result();
                let mut child = *outcome.gas();
                handle_reservoir_remaining_gas(ins, gas.tracker_mut(), child.tracker_mut());
                if let Some(p) = &mut self.prof {
                    p.child_used = child.limit().saturating_sub(child.remaining());
                }
                let (addr, revert_len) = if ins.is_ok() {
                    self.return_data = Bytes::new();
                    (outcome.address.unwrap_or_default(), 0u32)
                } else if ins == InstructionResult::Revert {
                    self.return_data = outcome.output().clone();
                    (Address::ZERO, self.return_data.len() as u32)
                } else {
                    self.return_data = Bytes::new();
                    (Address::ZERO, 0)
                };
                if let Some(Await::Create { addr_out, rev_out }) = self.awaiting.take() {
                    let _ = self.write::<()>(u64::from(addr_out), addr.as_slice());
                    let _ = self.write_u32::<()>(u64::from(rev_out), revert_len);
                }
                self.resume_vals = Vec::new();
            }
        }
    }
}

/// EIP-2200/2929/3529 SSTORE cost and refund for one slot, as `storage_flush_cache` charges it.
pub(crate) fn sstore_cost(original: U256, present: U256, new: U256, cold: bool) -> (u64, i64) {
    let mut cost = if cold { 2100 } else { 0 };
    let mut refund = 0i64;
    if present == new {
        cost += 100;
        return (cost, refund);
    }
    if original == present {
        if original.is_zero() {
            cost += 20_000;
        } else {
            cost += 2900;
            if new.is_zero() {
                refund += 4800;
            }
        }
    } else {
        cost += 100;
        if !original.is_zero() {
            if present.is_zero() {
                refund -= 4800;
            } else if new.is_zero() {
                refund += 4800;
            }
        }
        if original == new {
            if original.is_zero() {
                refund += 19_900;
            } else {
                refund += 2800;
            }
        }
    }
    (cost, refund)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sstore_schedule() {
        let z = U256::ZERO;
        let (a, b) = (U256::from(1), U256::from(2));
        // (original, present, new, cold) → (cost, refund)
        assert_eq!(sstore_cost(z, z, a, true), (22_100, 0));
        assert_eq!(sstore_cost(a, a, b, false), (2_900, 0));
        assert_eq!(sstore_cost(a, a, a, false), (100, 0));
        assert_eq!(sstore_cost(a, a, z, false), (2_900, 4_800));
        assert_eq!(sstore_cost(a, z, b, false), (100, -4_800));
        assert_eq!(sstore_cost(a, b, z, false), (100, 4_800));
        assert_eq!(sstore_cost(z, a, z, false), (100, 19_900));
        assert_eq!(sstore_cost(a, b, a, false), (100, 2_800));
    }

    #[test]
    fn hostio_prices() {
        assert_eq!(read_price(32), 16_381);
        assert_eq!(read_price(64), 16_381 + 55 * 32);
        assert_eq!(write_price(0), 5040);
        assert_eq!(keccak_price(64), 121_800);
        assert_eq!(keccak_price(96), 142_800);
        assert_eq!(pow_price(&U256::ZERO), 3000 + 17_500);
        assert_eq!(pow_price(&U256::MAX), 3000 + 17_500 * 33);
    }
}
