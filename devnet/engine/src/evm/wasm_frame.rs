//! The WASM side of a Stylus frame: program instantiation, the resumable run loop, ink and gas
//! accounting, memory access, and serving every `vm_hooks` host call.
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

    /// Serves one host call.
    #[allow(clippy::too_many_lines)]
    fn hostio<DB: Database>(
        &mut self,
        ctx: &mut Ctx<DB>,
        gas: &mut Gas,
        tx: &mut TxState,
        shared: &Shared,
        req: &HostReq,
    ) -> Result<HostOut, Brk<DbErr<DB>>> {
        let id = match req.call {
            HostCall::Debug(d) => return self.debug_hostio(d, req, shared),
            HostCall::Vm(id) => id,
        };
        let a = |i: usize| req.args.get(i).copied().unwrap_or(0);
        let none = || Ok(HostOut::Resume(Vec::new()));
        let i32v = |v: u64| Ok(HostOut::Resume(vec![Val::I32(v as u32 as i32)]));
        let i64v = |v: u64| Ok(HostOut::Resume(vec![Val::I64(v as i64)]));
        let dbe = |e: DB::Error| Brk::Fatal(ContextError::Db(e));
        self.buy_ink(id.info().base_ink)?;
        use HostioId as H;
        match id {
            H::ReadArgs => {
                self.buy_ink(write_price(self.args.len() as u64))?;
                let args = self.args.clone();
                self.write(a(0), &args)?;
                none()
            }
            H::WriteResult => {
                self.buy_ink(read_price(a(1)))?;
                self.buy_ink(read_price(a(1)))?;
                self.output = self.read(a(0), a(1))?.into();
                none()
            }
            H::ExitEarly => Ok(HostOut::Exit(a(0) as u32 as i32)),
            H::StorageLoadBytes32 => {
                // COLD_SLOAD_GAS + StorageCache::REQUIRED_ACCESS_GAS + EVM_API_INK / ink price.
                let api_gas = 59_673 / INK_PRICE;
                self.require_gas(2100 + 10 + api_gas)?;
                let key = u256_at(&self.read(a(0), 32)?);
                self.reads += 1;
                let mut cost = match self.reads {
                    0..=32 => 0,
                    33..=128 => 2,
                    _ => 10,
                };
                let value = if let Some(v) = self.cache.get(&key).map(|s| s.value) {
                    self.note(|p| p.storage.loads_cached += 1);
                    v
                } else {
                    let l = ctx.journal_mut().sload(self.address, key).map_err(dbe)?;
                    let access = if l.is_cold { 2100 } else { 100 };
                    cost += access + api_gas;
                    let cold = l.is_cold;
                    self.note(|p| {
                        if cold {
                            p.storage.loads_cold += 1;
                        } else {
                            p.storage.loads_warm += 1;
                        }
                        p.storage.sload_gas += access;
                        p.stat(H::StorageLoadBytes32).evm_gas += access;
                    });
                    self.cache.insert(
                        key,
                        Slot {
                            value: l.data,
                            known: Some(l.data),
                        },
                    );
                    l.data
                };
                self.buy_gas(cost)?;
                self.write(a(1), &value.to_be_bytes::<32>())?;
                none()
            }
            H::StorageCacheBytes32 => {
                self.require_gas(2300 + 10)?;
                let key = u256_at(&self.read(a(0), 32)?);
                let value = u256_at(&self.read(a(1), 32)?);
                self.writes += 1;
                let cost = match self.writes {
                    0..=8 => 0,
                    9..=64 => 7,
                    _ => 10,
                };
                self.cache
                    .entry(key)
                    .and_modify(|s| s.value = value)
                    .or_insert(Slot { value, known: None });
                self.buy_gas(cost)?;
                none()
            }
            H::StorageFlushCache => {
                self.require_gas(2300)?;
                let mut dirty: Vec<(U256, U256)> = self
                    .cache
                    .iter()
                    .filter(|(_, s)| s.known != Some(s.value))
                    .map(|(k, s)| (*k, s.value))
                    .collect();
                dirty.sort();
                if !dirty.is_empty() {
                    if self.is_static {
                        return Err(Brk::Failure);
                    }
                    let mut cost = 0u64;
                    let mut refund = 0i64;
                    for (k, v) in &dirty {
                        let r = ctx
                            .journal_mut()
                            .sstore(self.address, *k, *v)
                            .map_err(dbe)?;
                        let (c, rf) = sstore_cost(
                            r.data.original_value,
                            r.data.present_value,
                            r.data.new_value,
                            r.is_cold,
                        );
                        cost += c;
                        refund += rf;
                        if let Some(p) = &mut self.prof {
                            let st = &mut p.data.storage;
                            st.stores += 1;
                            st.stores_cold += u64::from(r.is_cold);
                            match c - if r.is_cold { 2100 } else { 0 } {
                                20_000 => st.stores_new += 1,
                                2_900 => st.stores_update += 1,
                                _ => st.stores_dirty += 1,
                            }
                            st.sstore_gas += c;
                            st.refund += rf;
                        }
                    }
                    self.note_evm(H::StorageFlushCache, cost);
                    self.buy_gas(cost)?;
                    gas.record_refund(refund);
                    for (k, v) in dirty {
                        if let Some(s) = self.cache.get_mut(&k) {
                            s.known = Some(v);
                        }
                    }
                }
                if a(0) != 0 {
                    self.cache.clear();
                }
                none()
            }
            H::TransientLoadBytes32 => {
                self.buy_gas(100)?;
                let key = u256_at(&self.read(a(0), 32)?);
                let v = ctx.journal_mut().tload(self.address, key);
                self.write(a(1), &v.to_be_bytes::<32>())?;
                none()
            }
            H::TransientStoreBytes32 => {
                self.buy_gas(100)?;
                let key = u256_at(&self.read(a(0), 32)?);
                let v = u256_at(&self.read(a(1), 32)?);
                if self.is_static {
                    return Err(Brk::Failure);
                }
                ctx.journal_mut().tstore(self.address, key, v);
                none()
            }
            H::CallContract | H::DelegateCallContract | H::StaticCallContract => {
                self.call(ctx, gas, id, req)
            }
            H::Create1 | H::Create2 => {
                let is2 = id == H::Create2;
                let (code_ptr, code_len, endow_ptr) = (a(0), a(1), a(2));
                self.buy_ink(read_price(code_len))?;
                self.buy_ink(read_price(code_len))?;
                let code: Bytes = self.read(code_ptr, code_len)?.into();
                let endowment = u256_at(&self.read(endow_ptr, 32)?);
                let (salt, addr_out, rev_out) = if is2 {
                    (Some(u256_at(&self.read(a(3), 32)?)), a(4), a(5))
                } else {
                    (None, a(3), a(4))
                };
                let gas_left = self.gas_left()?;
                // `create`: write protection and a gas left below the base cost (CREATE 32,000,
                // CREATE2 + 6 per word of init code) make the hostio fail, nothing charged.
                let base = 32_000 + if is2 { 6 * code_len.div_ceil(32) } else { 0 };
                if self.is_static || gas_left < base {
                    return Err(Brk::Failure);
                }
                if code.len() > ctx.cfg().max_initcode_size() {
                    // geth's `Create` refuses the init code before running it: address 0, all the
                    // gas handed over comes back, so only the base cost is paid.
                    self.buy_gas(base)?;
                    self.return_data = Bytes::new();
                    self.write(addr_out, Address::ZERO.as_slice())?;
                    self.write_u32(rev_out, 0)?;
                    return none();
                }
                self.ink_to_gas(gas);
                let _ = gas.record_regular_cost(base);
                let rem = gas.remaining();
                let limit = rem - rem / 64;
                let _ = gas.record_regular_cost(limit);
                let scheme = match salt {
                    Some(salt) => revm::interpreter::CreateScheme::Create2 { salt },
                    None => revm::interpreter::CreateScheme::Create,
                };
                self.awaiting = Some(Await::Create {
                    addr_out: addr_out as u32,
                    rev_out: rev_out as u32,
                });
                let inputs = CreateInputs::new(
                    self.address,
                    scheme,
                    endowment,
                    code,
                    limit,
                    gas.reservoir(),
                );
                Ok(HostOut::Sub(FrameInput::Create(Box::new(inputs))))
            }
            H::ReadReturnData => {
                let (dest, offset, size) = (a(0), a(1) as usize, a(2) as usize);
                let len = self.return_data.len();
                let avail = len.saturating_sub(offset);
                self.buy_ink(write_price(size.min(avail) as u64))?;
                if avail == 0 {
                    return i32v(0);
                }
                let end = offset.saturating_add(size).min(len);
                let data = self.return_data.slice(offset..end);
                if !data.is_empty() {
                    self.write(dest, &data)?;
                }
                i32v(data.len() as u64)
            }
            H::ReturnDataSize => i32v(self.return_data.len() as u64),
            H::EmitLog => {
                let (ptr, len, topics) = (a(0), a(1), a(2));
                if topics > 4 || len < 32 * topics {
                    return Err(Brk::Failure);
                }
                self.buy_ink(read_price(len))?;
                let log_gas = 375 * (1 + topics) + 8 * (len - 32 * topics);
                self.note_evm(H::EmitLog, log_gas);
                self.buy_gas(log_gas)?;
                let buf = self.read(ptr, len)?;
                if self.is_static {
                    return Err(Brk::Failure);
                }
                let (t, d) = buf.split_at(32 * topics as usize);
                let topics: Vec<B256> = t.chunks(32).map(B256::from_slice).collect();
                ctx.journal_mut().log(Log::new_unchecked(
                    self.address,
                    topics,
                    Bytes::copy_from_slice(d),
                ));
                none()
            }
            H::AccountBalance => {
                self.require_gas(2600)?;
                let addr = Address::from_slice(&self.read(a(0), 20)?);
                let l = ctx.journal_mut().load_account(addr).map_err(dbe)?;
                let (bal, cold) = (l.data.info.balance, l.is_cold);
                self.note_evm(H::AccountBalance, if cold { 2600 } else { 100 });
                self.buy_gas(if cold { 2600 } else { 100 })?;
                self.write(a(1), &bal.to_be_bytes::<32>())?;
                none()
            }
            H::AccountCode => {
                let (offset, size, dest) = (a(1) as usize, a(2) as usize, a(3));
                let code = self.account_code(ctx, a(0), H::AccountCode)?;
                self.buy_ink(write_price(code.len() as u64))?;
                let start = offset.min(code.len());
                let end = offset.saturating_add(size).min(code.len());
                let part = code.slice(start..end);
                self.write(dest, &part)?;
                i32v(part.len() as u64)
            }
            H::AccountCodeSize => {
                let code = self.account_code(ctx, a(0), H::AccountCodeSize)?;
                i32v(code.len() as u64)
            }
            H::AccountCodehash => {
                self.require_gas(2600)?;
                let addr = Address::from_slice(&self.read(a(0), 20)?);
                let l = ctx.journal_mut().code_hash(addr).map_err(dbe)?;
                self.note_evm(H::AccountCodehash, if l.is_cold { 2600 } else { 100 });
                self.buy_gas(if l.is_cold { 2600 } else { 100 })?;
                self.write(a(1), l.data.as_slice())?;
                none()
            }
            H::EvmGasLeft => {
                let g = self.gas_left()?;
                i64v(g)
            }
            H::EvmInkLeft => {
                if self.exhausted() {
                    return self.out_of_ink();
                }
                i64v(self.ink())
            }
            H::BlockBasefee => {
                let v = U256::from(ctx.block().basefee());
                self.write(a(0), &v.to_be_bytes::<32>())?;
                none()
            }
            H::Chainid => i64v(ctx.cfg().chain_id()),
            H::BlockCoinbase => {
                let c = ctx.block().beneficiary();
                self.write(a(0), c.as_slice())?;
                none()
            }
            H::BlockGasLimit => i64v(ctx.block().gas_limit()),
            H::BlockNumber => i64v(ctx.block().number().saturating_to::<u64>()),
            H::BlockTimestamp => i64v(ctx.block().timestamp().saturating_to::<u64>()),
            H::ContractAddress => {
                let addr = self.address;
                self.write(a(0), addr.as_slice())?;
                none()
            }
            H::MathDiv | H::MathMod | H::MathPow => {
                let x = u256_at(&self.read(a(0), 32)?);
                let y = u256_at(&self.read(a(1), 32)?);
                let r = match id {
                    H::MathDiv => x.checked_div(y).unwrap_or(U256::ZERO),
                    H::MathMod => x.checked_rem(y).unwrap_or(U256::ZERO),
                    _ => {
                        self.buy_ink(pow_price(&y))?;
                        x.wrapping_pow(y)
                    }
                };
                self.write(a(0), &r.to_be_bytes::<32>())?;
                none()
            }
            H::MathAddMod | H::MathMulMod => {
                let x = u256_at(&self.read(a(0), 32)?);
                let y = u256_at(&self.read(a(1), 32)?);
                let m = u256_at(&self.read(a(2), 32)?);
                let r = if m.is_zero() {
                    U256::ZERO
                } else if id == H::MathAddMod {
                    x.add_mod(y, m)
                } else {
                    x.mul_mod(y, m)
                };
                self.write(a(0), &r.to_be_bytes::<32>())?;
                none()
            }
            H::MsgReentrant => {
                let n = tx.reentrancy.get(&self.address).copied().unwrap_or(0);
                i32v(u64::from(n > 1))
            }
            H::MsgSender => {
                let c = self.caller;
                self.write(a(0), c.as_slice())?;
                none()
            }
            H::MsgValue => {
                let v = self.value;
                self.write(a(0), &v.to_be_bytes::<32>())?;
                none()
            }
            H::NativeKeccak256 => {
                self.buy_ink(keccak_price(a(1)))?;
                let data = self.read(a(0), a(1))?;
                let h = keccak256(&data);
                self.write(a(2), h.as_slice())?;
                none()
            }
            H::TxGasPrice => {
                let basefee = u128::from(ctx.block().basefee());
                let p = U256::from(ctx.tx().effective_gas_price(basefee));
                self.write(a(0), &p.to_be_bytes::<32>())?;
                none()
            }
            H::TxInkPrice => i32v(INK_PRICE),
            H::TxOrigin => {
                let o = ctx.tx().caller();
                self.write(a(0), o.as_slice())?;
                none()
            }
            H::PayForMemoryGrow => {
                // The wasm argument is an i32 that Nitro's binding receives as a u16.
                let pages = u32::from(a(0) as u16);
                if pages == 0 {
                    self.buy_ink(8400)?;
                    return none();
                }
                // `addPages`: the model price for the pages before they are added.
                let cost = activation::memory_gas(pages, tx.open, tx.ever);
                tx.open = tx.open.saturating_add(pages);
                tx.ever = tx.ever.max(tx.open);
                self.note_evm(H::PayForMemoryGrow, cost);
                self.buy_gas(cost)?;
                none()
            }
        }
    }

    /// `account_code` and `account_code_size` (`EvmApiRequestor::account_code`): a repeated read
    /// of the last address is free; an empty code is not remembered (ArbOS ≥ 40).
    fn account_code<DB: Database>(
        &mut self,
        ctx: &mut Ctx<DB>,
        addr_ptr: u64,
        id: HostioId,
    ) -> Result<Bytes, Brk<DbErr<DB>>> {
        self.require_gas(2600)?;
        let addr = Address::from_slice(&self.read(addr_ptr, 20)?);
        let gas_left = self.gas_left()?;
        if let Some((a, code)) = &self.last_code {
            if *a == addr {
                return Ok(code.clone());
            }
        }
        // `WasmAccountTouchCost(…, withCode = true)`: 700 + cold 2,600 / warm 100. Nitro does not
        // load the code when `gas_left` is below that, but the hostio then runs out of ink anyway.
        let l = ctx
            .journal_mut()
            .code(addr)
            .map_err(|e| Brk::Fatal(ContextError::Db(e)))?;
        let cost = 700 + if l.is_cold { 2600 } else { 100 };
        if gas_left < cost {
            return self.out_of_ink();
        }
        self.note_evm(id, cost);
        self.buy_gas(cost)?;
        let code = l.data;
        if !code.is_empty() {
            self.last_code = Some((addr, code.clone()));
        }
        Ok(code)
    }

    /// `call_contract`, `delegate_call_contract` and `static_call_contract` (`doCall`).
    fn call<DB: Database>(
        &mut self,
        ctx: &mut Ctx<DB>,
        gas: &mut Gas,
        id: HostioId,
        req: &HostReq,
    ) -> Result<HostOut, Brk<DbErr<DB>>> {
        let a = |i: usize| req.args.get(i).copied().unwrap_or(0);
        let is_call = id == HostioId::CallContract;
        let (gas_arg, ret_len) = if is_call { (a(4), a(5)) } else { (a(3), a(4)) };
        self.buy_ink(read_price(a(2)))?;
        self.buy_ink(read_price(a(2)))?;
        let gas_left = self.gas_left()?;
        let gas_req = gas_arg.min(gas_left);
        let to = Address::from_slice(&self.read(a(0), 20)?);
        let data: Bytes = self.read(a(1), a(2))?.into();
        let value = if is_call {
            u256_at(&self.read(a(3), 32)?)
        } else {
            U256::ZERO
        };
        let fail = |me: &mut Self, cost: u64| -> Result<HostOut, Brk<DbErr<DB>>> {
            me.buy_gas(cost)?;
            me.return_data = Bytes::new();
            me.write_u32(ret_len, 0)?;
            Ok(HostOut::Resume(vec![Val::I32(2)]))
        };
        if self.is_static && !value.is_zero() {
            // ErrWriteProtection: status 2, nothing charged.
            return fail(self, 0);
        }
        let has_value = !value.is_zero();
        let spec = *ctx.cfg().spec();
        let loaded = revm::interpreter::instructions::contract::load_account_delegated(
            ctx, spec, gas_left, to, has_value, is_call,
        );
        let (extra, bytecode, hash) = match loaded {
            Ok((c, _state, b, h)) => (c, b, h),
            Err(revm::context_interface::host::LoadError::ColdLoadSkipped) => {
                (u64::MAX / 4, Bytecode::new(), B256::ZERO)
            }
            Err(_) => {
                return match take_error::<DbErr<DB>, _>(ctx.error()) {
                    Err(e) => Err(Brk::Fatal(e)),
                    Ok(()) => Err(Brk::Failure),
                };
            }
        };
        // `WasmCallCost`: 100 warm access (+2,500 cold) + 9,000 value (+25,000 new account).
        let base = (100u64 + if has_value { 9000 } else { 0 }).saturating_add(extra);
        if base > gas_left {
            // ErrOutOfGas: status 2 and all the gas left is charged.
            return fail(self, gas_left);
        }
        self.note_evm(id, base);
        self.ink_to_gas(gas);
        let _ = gas.record_regular_cost(base);
        let start = u64::try_from(u128::from(gas.remaining()) * 63 / 64).unwrap_or(u64::MAX);
        let limit = start.min(gas_req);
        let _ = gas.record_regular_cost(limit);
        let child_limit = if has_value { limit + 2300 } else { limit };
        let (target, caller, cv, scheme) = match id {
            HostioId::CallContract => (
                to,
                self.address,
                CallValue::Transfer(value),
                CallScheme::Call,
            ),
            HostioId::DelegateCallContract => (
                self.address,
                self.caller,
                CallValue::Apparent(self.value),
                CallScheme::DelegateCall,
            ),
            _ => (
                to,
                self.address,
                CallValue::Transfer(U256::ZERO),
                CallScheme::StaticCall,
            ),
        };
        self.awaiting = Some(Await::Call {
            ret_len: ret_len as u32,
            stipend: has_value,
        });
        let inputs = CallInputs {
            input: CallInput::Bytes(data),
            return_memory_offset: 0..0,
            gas_limit: child_limit,
            reservoir: gas.reservoir(),
            bytecode_address: to,
            known_bytecode: (hash, bytecode),
            target_address: target,
            caller,
            value: cv,
            scheme,
            is_static: self.is_static || scheme == CallScheme::StaticCall,
            charged_new_account_state_gas: false,
        };
        Ok(HostOut::Sub(FrameInput::Call(Box::new(inputs))))
    }

    fn debug_hostio<E>(
        &mut self,
        id: DebugImport,
        req: &HostReq,
        shared: &Shared,
    ) -> Result<HostOut, Brk<E>> {
        if !shared.config.debug {
            return Err(Brk::Failure);
        }
        let results = DEBUG_IMPORTS[id as usize].4;
        let a0 = req.args.first().copied().unwrap_or(0);
        let who = self.address;
        match id {
            DebugImport::LogTxt => {
                let len = req.args.get(1).copied().unwrap_or(0);
                let t = self.read(a0, len)?;
                eprintln!("[stylus {who}] {}", String::from_utf8_lossy(&t));
            }
            DebugImport::LogI32 | DebugImport::TeeI32 => {
                eprintln!("[stylus {who}] {}", a0 as u32 as i32);
            }
            DebugImport::LogI64 | DebugImport::TeeI64 => eprintln!("[stylus {who}] {}", a0 as i64),
            DebugImport::LogF32 | DebugImport::TeeF32 => {
                eprintln!("[stylus {who}] {}", f32::from_bits(a0 as u32));
            }
            DebugImport::LogF64 | DebugImport::TeeF64 => {
                eprintln!("[stylus {who}] {}", f64::from_bits(a0));
            }
            DebugImport::NullHost | DebugImport::StartBenchmark | DebugImport::EndBenchmark => {}
        }
        let vals = match results.first() {
            Some(wasmi::ValType::I32) => vec![Val::I32(a0 as u32 as i32)],
            Some(wasmi::ValType::I64) => vec![Val::I64(a0 as i64)],
            Some(wasmi::ValType::F32) => vec![Val::F32(wasmi::F32::from_bits(a0 as u32))],
            Some(wasmi::ValType::F64) => vec![Val::F64(wasmi::F64::from_bits(a0))],
            _ => Vec::new(),
        };
        Ok(HostOut::Resume(vals))
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
