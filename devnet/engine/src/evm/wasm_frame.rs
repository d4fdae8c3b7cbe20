//! The WASM side of a Stylus frame: program instantiation, the resumable run loop, fuel/ink and gas
//! accounting, memory access, and serving every `vm_hooks` host call (stylus-runtime.md §1.3, §6).

use super::*;

pub(super) fn u256_at(b: &[u8]) -> U256 {
    U256::from_be_slice(b)
}

fn read_price(n: u64) -> u64 {
    16_381 + 55 * n.saturating_sub(32)
}

fn write_price(n: u64) -> u64 {
    5040 + 30 * n.saturating_sub(32)
}

fn keccak_price(n: u64) -> u64 {
    121_800 + 21_000 * n.div_ceil(32).saturating_sub(2)
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
        let module = match shared.cached_module(&codehash) {
            Some(m) => m,
            None => {
                let wasm =
                    format::decompress(code).map_err(|_| Ok(InstructionResult::NotActivated))?;
                shared
                    .module(codehash, &wasm)
                    .map_err(|_| Ok(InstructionResult::NotActivated))?
            }
        };
        let mut store = Store::new(&shared.wasm, wasmi::StoreLimitsBuilder::new().build());
        let instance = shared
            .linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|_| Ok(InstructionResult::NotActivated))?;
        let memory = instance
            .get_memory(&store, "memory")
            .ok_or(Ok(InstructionResult::NotActivated))?;
        let entry = instance
            .get_func(&store, "user_entrypoint")
            .ok_or(Ok(InstructionResult::NotActivated))?;
        let input = &frame.interpreter.input;
        Ok(Self {
            store,
            entry,
            memory,
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
            fuel_frac: 0,
            pages: 0,
            prepaid: 0,
            open_at_entry: 0,
            code_cache: None,
        })
    }

    pub(super) fn load_fuel(&mut self, gas: &Gas) {
        let fuel = gas
            .remaining()
            .saturating_mul(FUEL_PER_GAS)
            .saturating_add(self.fuel_frac);
        let _ = self.store.set_fuel(fuel);
    }

    /// Converts the remaining fuel back to gas (floor) and charges the difference.
    pub(super) fn save_fuel(&mut self, gas: &mut Gas) {
        let fuel = self.store.get_fuel().unwrap_or(0);
        let rem = fuel / FUEL_PER_GAS;
        self.fuel_frac = fuel % FUEL_PER_GAS;
        let cur = gas.remaining();
        if rem < cur {
            let _ = gas.record_regular_cost(cur - rem);
        }
    }

    pub(super) fn fuel(&self) -> u64 {
        self.store.get_fuel().unwrap_or(0)
    }

    pub(super) fn burn_fuel<E>(&mut self, fuel: u64) -> Result<(), Brk<E>> {
        let have = self.fuel();
        if have < fuel {
            let _ = self.store.set_fuel(0);
            return Err(Brk::OutOfInk);
        }
        let _ = self.store.set_fuel(have - fuel);
        Ok(())
    }

    pub(super) fn ink<E>(&mut self, ink: u64) -> Result<(), Brk<E>> {
        self.burn_fuel(ink_to_fuel(ink))
    }

    pub(super) fn gas<E>(&mut self, gas: u64) -> Result<(), Brk<E>> {
        self.burn_fuel(gas.saturating_mul(FUEL_PER_GAS))
    }

    pub(super) fn require_gas<E>(&mut self, gas: u64) -> Result<(), Brk<E>> {
        if self.fuel() < gas.saturating_mul(FUEL_PER_GAS) {
            let _ = self.store.set_fuel(0);
            return Err(Brk::OutOfInk);
        }
        Ok(())
    }

    pub(super) fn read<E>(&self, ptr: u64, len: u64) -> Result<Vec<u8>, Brk<E>> {
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

    pub(super) fn write<E>(&mut self, ptr: u64, data: &[u8]) -> Result<(), Brk<E>> {
        self.memory
            .write(&mut self.store, ptr as usize, data)
            .map_err(|_| Brk::Failure)
    }

    pub(super) fn write_u32<E>(&mut self, ptr: u64, v: u32) -> Result<(), Brk<E>> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Charges the memory model for pages grown since the last check.
    pub(super) fn charge_growth<E>(&mut self, tx: &mut TxState) -> Result<(), Brk<E>> {
        let now = u32::try_from(self.memory.size(&self.store)).unwrap_or(u32::MAX);
        let grown = now.saturating_sub(self.pages);
        self.pages = now;
        let paid = grown.min(self.prepaid);
        self.prepaid -= paid;
        let pages = grown - paid;
        if pages == 0 {
            return Ok(());
        }
        let cost = activation::memory_gas(pages, tx.open, tx.ever);
        tx.open += pages;
        tx.ever = tx.ever.max(tx.open);
        if cost == u64::MAX {
            return Err(Brk::OutOfInk);
        }
        self.gas(cost)
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
            self.entered = true;
            self.open_at_entry = tx.open;
            let footprint = u32::from(self.info.footprint);
            let mem = activation::memory_gas(footprint, tx.open, tx.ever);
            let cached = self.info.cached || tx.recent.contains(&self.codehash);
            let cost = mem
                .saturating_add(self.info.cached_gas())
                .saturating_add(if cached { 0 } else { self.info.init_gas() });
            tx.open += footprint;
            tx.ever = tx.ever.max(tx.open);
            tx.recent.insert(self.codehash);
            let max_pages = u32::from(activation::PAGE_LIMIT).saturating_sub(self.open_at_entry);
            *self.store.data_mut() = wasmi::StoreLimitsBuilder::new()
                .memory_size(max_pages as usize * 65_536)
                .build();
            self.store.limiter(|l| l);
            self.pages = u32::try_from(self.memory.size(&self.store)).unwrap_or(0);
            if !gas.record_regular_cost(cost) {
                return Ok(Step::Done(self.out_of_gas(gas)));
            }
        }
        self.load_fuel(gas);
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
                    if let Err(b) = self.charge_growth::<DbErr<DB>>(tx) {
                        return self.brk::<DB>(b, gas);
                    }
                    let status = match outputs[0] {
                        Val::I32(s) => s,
                        _ => 1,
                    };
                    return Ok(Step::Done(self.finish(gas, status)));
                }
                Ok(ResumableCall::HostTrap(trap)) => {
                    let req = trap.host_error().downcast_ref::<HostReq>().cloned();
                    let Some(req) = req else {
                        return Ok(Step::Done(self.failure(gas)));
                    };
                    let r = self
                        .charge_growth(tx)
                        .and_then(|()| self.hostio(ctx, gas, tx, shared, &req));
                    match r {
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
                    let r = match e.as_trap_code() {
                        Some(wasmi::TrapCode::OutOfFuel) => self.out_of_gas(gas),
                        Some(wasmi::TrapCode::StackOverflow) => {
                            gas.spend_all();
                            InterpreterResult::new(
                                InstructionResult::StackOverflow,
                                Bytes::new(),
                                *gas,
                            )
                        }
                        _ => self.failure(gas),
                    };
                    return Ok(Step::Done(r));
                }
            }
        }
    }

    pub(super) fn brk<DB: Database>(
        &mut self,
        b: Brk<DbErr<DB>>,
        gas: &mut Gas,
    ) -> Result<Step, DbErr<DB>> {
        match b {
            Brk::OutOfInk => Ok(Step::Done(self.out_of_gas(gas))),
            Brk::Failure => Ok(Step::Done(self.failure(gas))),
            Brk::Fatal(e) => Err(e),
        }
    }

    pub(super) fn out_of_gas(&mut self, gas: &mut Gas) -> InterpreterResult {
        gas.spend_all();
        InterpreterResult::new(InstructionResult::OutOfGas, Bytes::new(), *gas)
    }

    /// Failure (trap, bad pointer, write protection…): empty revert, unused gas returned.
    pub(super) fn failure(&mut self, gas: &mut Gas) -> InterpreterResult {
        self.save_fuel(gas);
        InterpreterResult::new(InstructionResult::Revert, Bytes::new(), *gas)
    }

    /// Normal end with `status` (0 = success): the output is the last `write_result`.
    pub(super) fn finish(&mut self, gas: &mut Gas, status: i32) -> InterpreterResult {
        self.save_fuel(gas);
        let out = self.output.clone();
        if status == 0 && !out.is_empty() {
            // ArbOS ≥ 31: a successful program must have paid the EVM memory cost of its output.
            let words = (out.len() as u64).div_ceil(32);
            let mem_cost = 3 * words + words * words / 512;
            let spent = gas.limit().saturating_sub(gas.remaining());
            if spent < mem_cost && !gas.record_regular_cost(mem_cost - spent) {
                return self.out_of_gas(gas);
            }
        }
        let result = if status == 0 {
            InstructionResult::Return
        } else {
            InstructionResult::Revert
        };
        InterpreterResult::new(result, out, *gas)
    }

    /// Receives a child frame's result and stages the hostio's return value.
    pub(super) fn deliver<DB: Database>(
        &mut self,
        _ctx: &mut Ctx<DB>,
        gas: &mut Gas,
        result: FrameResult,
    ) {
        match result {
            FrameResult::Call(outcome) => {
                let ins = *outcome.instruction_result();
                let mut child = outcome.gas();
                handle_reservoir_remaining_gas(ins, gas.tracker_mut(), child.tracker_mut());
                self.return_data = outcome.result.output.clone();
                let status = if ins.is_ok() { 0 } else { 2 };
                if let Some(Await::Call { ret_len }) = self.awaiting.take() {
                    let _ = self.write_u32::<()>(u64::from(ret_len), self.return_data.len() as u32);
                }
                self.resume_vals = vec![Val::I32(status)];
            }
            FrameResult::Create(outcome) => {
                let ins = *outcome.instruction_result();
                let mut child = *outcome.gas();
                handle_reservoir_remaining_gas(ins, gas.tracker_mut(), child.tracker_mut());
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
        // The callee may have re-entered and changed our storage: drop clean cache entries.
        self.cache.retain(|_, s| s.known != Some(s.value));
    }

    /// Serves one hostio (stylus-runtime.md §1.2–§1.3).
    #[allow(clippy::too_many_lines)]
    pub(super) fn hostio<DB: Database>(
        &mut self,
        ctx: &mut Ctx<DB>,
        gas: &mut Gas,
        tx: &mut TxState,
        shared: &Shared,
        req: &HostReq,
    ) -> Result<HostOut, Brk<DbErr<DB>>> {
        let a = |i: usize| req.args.get(i).copied().unwrap_or(0);
        let none = || Ok(HostOut::Resume(Vec::new()));
        let i32v = |v: u64| Ok(HostOut::Resume(vec![Val::I32(v as u32 as i32)]));
        let i64v = |v: u64| Ok(HostOut::Resume(vec![Val::I64(v as i64)]));
        if req.id >= DEBUG_BASE {
            return self.debug_hostio(req, shared);
        }
        let Some(io) = HOSTIOS.get(req.id as usize) else {
            return Err(Brk::Failure);
        };
        self.ink(io.base_ink)?;
        let dbe = |e: DB::Error| Brk::Fatal(ContextError::Db(e));
        match io.name {
            "read_args" => {
                self.ink(write_price(self.args.len() as u64))?;
                let args = self.args.clone();
                self.write(a(0), &args)?;
                none()
            }
            "write_result" => {
                self.ink(2 * read_price(a(1)))?;
                self.output = self.read(a(0), a(1))?.into();
                none()
            }
            "exit_early" => Ok(HostOut::Exit(a(0) as u32 as i32)),
            "storage_load_bytes32" => {
                self.require_gas(2100 + 10 + 5)?;
                let key = u256_at(&self.read(a(0), 32)?);
                self.reads += 1;
                self.gas(match self.reads {
                    0..=32 => 0,
                    33..=128 => 2,
                    _ => 10,
                })?;
                let value = if let Some(s) = self.cache.get(&key) {
                    s.value
                } else {
                    let l = ctx.journal_mut().sload(self.address, key).map_err(dbe)?;
                    self.gas(if l.is_cold { 2100 } else { 100 } + 5)?;
                    self.cache.insert(
                        key,
                        Slot {
                            value: l.data,
                            known: Some(l.data),
                        },
                    );
                    l.data
                };
                self.write(a(1), &value.to_be_bytes::<32>())?;
                none()
            }
            "storage_cache_bytes32" => {
                self.require_gas(2300 + 10)?;
                let key = u256_at(&self.read(a(0), 32)?);
                let value = u256_at(&self.read(a(1), 32)?);
                self.writes += 1;
                self.gas(match self.writes {
                    0..=8 => 0,
                    9..=64 => 7,
                    _ => 10,
                })?;
                self.cache
                    .entry(key)
                    .and_modify(|s| s.value = value)
                    .or_insert(Slot { value, known: None });
                none()
            }
            "storage_flush_cache" => {
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
                    }
                    self.gas(cost)?;
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
            "transient_load_bytes32" => {
                self.gas(100)?;
                let key = u256_at(&self.read(a(0), 32)?);
                let v = ctx.journal_mut().tload(self.address, key);
                self.write(a(1), &v.to_be_bytes::<32>())?;
                none()
            }
            "transient_store_bytes32" => {
                self.gas(100)?;
                if self.is_static {
                    return Err(Brk::Failure);
                }
                let key = u256_at(&self.read(a(0), 32)?);
                let v = u256_at(&self.read(a(1), 32)?);
                ctx.journal_mut().tstore(self.address, key, v);
                none()
            }
            "call_contract" | "delegate_call_contract" | "static_call_contract" => {
                let kind = io.name;
                let (value, gas_arg, ret_len) = if kind == "call_contract" {
                    (u256_at(&self.read(a(3), 32)?), a(4), a(5))
                } else {
                    (U256::ZERO, a(3), a(4))
                };
                self.ink(2 * read_price(a(2)))?;
                let to = Address::from_slice(&self.read(a(0), 20)?);
                let data: Bytes = self.read(a(1), a(2))?.into();
                if kind == "call_contract" && self.is_static && !value.is_zero() {
                    self.return_data = Bytes::new();
                    self.write_u32(ret_len, 0)?;
                    return i32v(2);
                }
                self.save_fuel(gas);
                let has_value = !value.is_zero();
                let mut base = 100 + if has_value { 9000 } else { 0 };
                let spec = *ctx.cfg().spec();
                let remaining = gas.remaining().saturating_sub(base);
                let loaded = revm::interpreter::instructions::contract::load_account_delegated(
                    ctx,
                    spec,
                    remaining,
                    to,
                    has_value,
                    kind == "call_contract",
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
                base = base.saturating_add(extra);
                if base > gas.remaining() {
                    // Not enough for the base cost: status 2, all remaining gas charged.
                    let _ = gas.record_regular_cost(gas.remaining());
                    self.fuel_frac = 0;
                    self.return_data = Bytes::new();
                    self.write_u32(ret_len, 0)?;
                    self.load_fuel(gas);
                    return i32v(2);
                }
                let _ = gas.record_regular_cost(base);
                let rem = gas.remaining();
                let mut limit = (rem - rem / 64).min(gas_arg);
                let _ = gas.record_regular_cost(limit);
                if has_value {
                    limit = limit.saturating_add(2300);
                }
                let (target, caller, cv, scheme) = match kind {
                    "call_contract" => (
                        to,
                        self.address,
                        CallValue::Transfer(value),
                        CallScheme::Call,
                    ),
                    "delegate_call_contract" => (
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
                });
                let inputs = CallInputs {
                    input: CallInput::Bytes(data),
                    return_memory_offset: 0..0,
                    gas_limit: limit,
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
            "create1" | "create2" => {
                let is2 = io.name == "create2";
                let (code_ptr, code_len, endow_ptr) = (a(0), a(1), a(2));
                let (salt, addr_out, rev_out) = if is2 {
                    (Some(u256_at(&self.read(a(3), 32)?)), a(4), a(5))
                } else {
                    (None, a(3), a(4))
                };
                self.ink(2 * read_price(code_len))?;
                let code: Bytes = self.read(code_ptr, code_len)?.into();
                let endowment = u256_at(&self.read(endow_ptr, 32)?);
                if self.is_static {
                    return Err(Brk::Failure);
                }
                if code.len() > ctx.cfg().max_initcode_size() {
                    return Err(Brk::Failure);
                }
                self.save_fuel(gas);
                let base = 32_000 + if is2 { 6 * (code_len.div_ceil(32)) } else { 0 };
                if !gas.record_regular_cost(base) {
                    return Err(Brk::Failure);
                }
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
            "read_return_data" => {
                let (dest, offset, size) = (a(0), a(1) as usize, a(2) as usize);
                let len = self.return_data.len();
                let avail = len.saturating_sub(offset);
                self.ink(write_price(size.min(avail) as u64))?;
                if avail == 0 {
                    return i32v(0);
                }
                let end = offset.saturating_add(size).min(len);
                let data = self.return_data.slice(offset..end);
                self.write(dest, &data)?;
                i32v(data.len() as u64)
            }
            "return_data_size" => i32v(self.return_data.len() as u64),
            "emit_log" => {
                let (ptr, len, topics) = (a(0), a(1), a(2));
                self.ink(read_price(len))?;
                if topics > 4 || len < 32 * topics {
                    return Err(Brk::Failure);
                }
                if self.is_static {
                    return Err(Brk::Failure);
                }
                self.gas(375 * (1 + topics) + 8 * (len - 32 * topics))?;
                let buf = self.read(ptr, len)?;
                let (t, d) = buf.split_at(32 * topics as usize);
                let topics: Vec<B256> = t.chunks(32).map(B256::from_slice).collect();
                ctx.journal_mut().log(Log::new_unchecked(
                    self.address,
                    topics,
                    Bytes::copy_from_slice(d),
                ));
                none()
            }
            "account_balance" => {
                self.require_gas(2600)?;
                let addr = Address::from_slice(&self.read(a(0), 20)?);
                let l = ctx.journal_mut().load_account(addr).map_err(dbe)?;
                let (bal, cold) = (l.data.info.balance, l.is_cold);
                self.gas(if cold { 2600 } else { 100 })?;
                self.write(a(1), &bal.to_be_bytes::<32>())?;
                none()
            }
            "account_code" => {
                let (addr_ptr, offset, size, dest) = (a(0), a(1) as usize, a(2) as usize, a(3));
                let addr = Address::from_slice(&self.read(addr_ptr, 20)?);
                let code = match &self.code_cache {
                    Some((c, code)) if *c == addr => code.clone(),
                    _ => {
                        self.require_gas(700 + 2600)?;
                        let l = ctx.journal_mut().code(addr).map_err(dbe)?;
                        self.gas(700 + if l.is_cold { 2600 } else { 100 })?;
                        self.code_cache = Some((addr, l.data.clone()));
                        l.data
                    }
                };
                self.ink(write_price(code.len() as u64))?;
                let start = offset.min(code.len());
                let end = offset.saturating_add(size).min(code.len());
                let part = code.slice(start..end);
                self.write(dest, &part)?;
                i32v(part.len() as u64)
            }
            "account_code_size" => {
                let addr = Address::from_slice(&self.read(a(0), 20)?);
                self.require_gas(700 + 2600)?;
                let l = ctx.journal_mut().code(addr).map_err(dbe)?;
                self.gas(700 + if l.is_cold { 2600 } else { 100 })?;
                i32v(l.data.len() as u64)
            }
            "account_codehash" => {
                self.require_gas(2600)?;
                let addr = Address::from_slice(&self.read(a(0), 20)?);
                let l = ctx.journal_mut().code_hash(addr).map_err(dbe)?;
                self.gas(if l.is_cold { 2600 } else { 100 })?;
                self.write(a(1), l.data.as_slice())?;
                none()
            }
            "evm_gas_left" => i64v(self.fuel() / FUEL_PER_GAS),
            "evm_ink_left" => i64v(self.fuel().saturating_mul(INK_PER_FUEL)),
            "block_basefee" => {
                let v = U256::from(ctx.block().basefee());
                self.write(a(0), &v.to_be_bytes::<32>())?;
                none()
            }
            "chainid" => i64v(ctx.cfg().chain_id()),
            "block_coinbase" => {
                let c = ctx.block().beneficiary();
                self.write(a(0), c.as_slice())?;
                none()
            }
            "block_gas_limit" => i64v(ctx.block().gas_limit()),
            "block_number" => i64v(ctx.block().number().saturating_to::<u64>()),
            "block_timestamp" => i64v(ctx.block().timestamp().saturating_to::<u64>()),
            "contract_address" => {
                let addr = self.address;
                self.write(a(0), addr.as_slice())?;
                none()
            }
            "math_div" | "math_mod" | "math_pow" => {
                let x = u256_at(&self.read(a(0), 32)?);
                let y = u256_at(&self.read(a(1), 32)?);
                let r = match io.name {
                    "math_div" => x.checked_div(y).unwrap_or(U256::ZERO),
                    "math_mod" => x.checked_rem(y).unwrap_or(U256::ZERO),
                    _ => {
                        let lz = (y.leading_zeros() / 8) as u64;
                        self.ink(3000 + 17_500 * (33 - lz))?;
                        x.wrapping_pow(y)
                    }
                };
                self.write(a(0), &r.to_be_bytes::<32>())?;
                none()
            }
            "math_add_mod" | "math_mul_mod" => {
                let x = u256_at(&self.read(a(0), 32)?);
                let y = u256_at(&self.read(a(1), 32)?);
                let m = u256_at(&self.read(a(2), 32)?);
                let r = if m.is_zero() {
                    U256::ZERO
                } else if io.name == "math_add_mod" {
                    x.add_mod(y, m)
                } else {
                    x.mul_mod(y, m)
                };
                self.write(a(0), &r.to_be_bytes::<32>())?;
                none()
            }
            "msg_reentrant" => {
                let n = tx.reentrancy.get(&self.address).copied().unwrap_or(0);
                i32v(u64::from(n > 1))
            }
            "msg_sender" => {
                let c = self.caller;
                self.write(a(0), c.as_slice())?;
                none()
            }
            "msg_value" => {
                let v = self.value;
                self.write(a(0), &v.to_be_bytes::<32>())?;
                none()
            }
            "native_keccak256" => {
                self.ink(keccak_price(a(1)))?;
                let data = self.read(a(0), a(1))?;
                let h = keccak256(&data);
                self.write(a(2), h.as_slice())?;
                none()
            }
            "tx_gas_price" => {
                let basefee = u128::from(ctx.block().basefee());
                let p = U256::from(ctx.tx().effective_gas_price(basefee));
                self.write(a(0), &p.to_be_bytes::<32>())?;
                none()
            }
            "tx_ink_price" => i32v(INK_PRICE),
            "tx_origin" => {
                let o = ctx.tx().caller();
                self.write(a(0), o.as_slice())?;
                none()
            }
            "pay_for_memory_grow" => {
                let pages = a(0) as u32;
                if pages == 0 {
                    self.ink(8400)?;
                    return none();
                }
                let cost = activation::memory_gas(pages, tx.open, tx.ever);
                if cost == u64::MAX {
                    return Err(Brk::OutOfInk);
                }
                self.gas(cost)?;
                tx.open += pages;
                tx.ever = tx.ever.max(tx.open);
                // The following memory.grow is already paid for.
                self.prepaid = self.prepaid.saturating_add(pages);
                none()
            }
            _ => Err(Brk::Failure),
        }
    }

    pub(super) fn debug_hostio<E>(
        &mut self,
        req: &HostReq,
        shared: &Shared,
    ) -> Result<HostOut, Brk<E>> {
        if !shared.config.debug {
            return Err(Brk::Failure);
        }
        let idx = usize::from(req.id - DEBUG_BASE);
        let (_, name, _, results) = crate::hostio::DEBUG_IMPORTS
            .get(idx)
            .copied()
            .ok_or(Brk::Failure)?;
        let a0 = req.args.first().copied().unwrap_or(0);
        match name {
            "log_txt" => {
                let len = req.args.get(1).copied().unwrap_or(0);
                let t = self.read(a0, len)?;
                eprintln!("[stylus {}] {}", self.address, String::from_utf8_lossy(&t));
            }
            "log_i32" | "tee_i32" => eprintln!("[stylus {}] {}", self.address, a0 as u32 as i32),
            "log_i64" | "tee_i64" => eprintln!("[stylus {}] {}", self.address, a0 as i64),
            "log_f32" | "tee_f32" => {
                eprintln!("[stylus {}] {}", self.address, f32::from_bits(a0 as u32));
            }
            "log_f64" | "tee_f64" => {
                eprintln!("[stylus {}] {}", self.address, f64::from_bits(a0));
            }
            _ => {}
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
