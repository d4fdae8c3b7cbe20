//! Serving every `vm_hooks` host call of a [`WasmFrame`]: each hostio follows its method in
//! Nitro's `crates/wasm-libraries/user-host-trait/lib.rs` step by step (base ink, reads, checks,
//! EVM cost); calls, creates and account queries follow `arbos/programs/api.go`. The frame's run
//! loop, ink and memory helpers are in the parent module.

use super::*;

impl WasmFrame {
    /// Serves one host call.
    #[allow(clippy::too_many_lines)]
    pub(super) fn hostio<DB: Database>(
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
