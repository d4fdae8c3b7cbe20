//! Arbitrum precompiles: ArbWasm (0x71), ArbWasmCache (0x72), ArbSys (0x64) and permissive stubs
//! for ArbOwner (0x70), ArbOwnerPublic (0x6b) and ArbDebug (0xff), layered over revm's Ethereum
//! precompiles (stylus-runtime.md §4).

use std::sync::Arc;

use alloy_sol_types::{sol, SolError, SolEvent, SolInterface};
use revm::context_interface::{Block, Cfg, ContextError, ContextTr, JournalTr};
use revm::handler::{EthPrecompiles, PrecompileProvider};
use revm::interpreter::{CallInputs, Gas, InstructionResult, InterpreterResult};
use revm::primitives::{hardfork::SpecId, keccak256, Address, AddressSet, Bytes, Log, B256, U256};
use revm::Database;

use crate::activation::{self, ProgramInfo};
use crate::{format, Shared};
use crate::{
    ARBOS_VERSION, ARB_DEBUG, ARB_OWNER, ARB_OWNER_PUBLIC, ARB_PRECOMPILES, ARB_SYS, ARB_WASM,
    ARB_WASM_CACHE, INK_PRICE, STYLUS_VERSION,
};

/// The revm context type the engine runs on.
pub(crate) type Ctx<DB> = crate::EngineContext<DB>;

sol! {
    interface IArbWasm {
        function activateProgram(address program) external payable returns (uint16 version, uint256 dataFee);
        function stylusVersion() external view returns (uint16 version);
        function codehashVersion(bytes32 codehash) external view returns (uint16 version);
        function codehashKeepalive(bytes32 codehash) external payable;
        function codehashAsmSize(bytes32 codehash) external view returns (uint32 size);
        function programVersion(address program) external view returns (uint16 version);
        function programInitGas(address program) external view returns (uint64 gas, uint64 gasWhenCached);
        function programMemoryFootprint(address program) external view returns (uint16 footprint);
        function programTimeLeft(address program) external view returns (uint64 timeLeft);
        function inkPrice() external view returns (uint32 price);
        function maxStackDepth() external view returns (uint32 depth);
        function freePages() external view returns (uint16 pages);
        function pageGas() external view returns (uint16 gas);
        function pageRamp() external view returns (uint64 ramp);
        function pageLimit() external view returns (uint16 limit);
        function minInitGas() external view returns (uint64 gas, uint64 cached);
        function initCostScalar() external view returns (uint64 percent);
        function expiryDays() external view returns (uint16 _days);
        function keepaliveDays() external view returns (uint16 _days);
        function blockCacheSize() external view returns (uint16 count);
        function activationGas() external view returns (uint64 gas);

        error ProgramNotWasm();
        error ProgramNotActivated();
        error ProgramNeedsUpgrade(uint16 version, uint16 stylusVersion);
        error ProgramExpired(uint64 ageInSeconds);
        error ProgramUpToDate();
        error ProgramKeepaliveTooSoon(uint64 ageInSeconds);
        error ProgramInsufficientValue(uint256 have, uint256 want);

        event ProgramActivated(bytes32 indexed codehash, bytes32 moduleHash, address program, uint256 dataFee, uint16 version);
        event ProgramLifetimeExtended(bytes32 indexed codehash, uint256 dataFee);
    }

    interface IArbWasmCache {
        function isCacheManager(address manager) external view returns (bool);
        function allCacheManagers() external view returns (address[] memory managers);
        function cacheCodehash(bytes32 codehash) external;
        function cacheProgram(address addr) external;
        function evictCodehash(bytes32 codehash) external;
        function codehashIsCached(bytes32 codehash) external view returns (bool);

        event UpdateProgramCache(address indexed manager, bytes32 indexed codehash, bool cached);
    }

    interface IArbSys {
        function arbBlockNumber() external view returns (uint256);
        function arbBlockHash(uint256 arbBlockNum) external view returns (bytes32);
        function arbChainID() external view returns (uint256);
        function arbOSVersion() external view returns (uint256);
        function getStorageGasAvailable() external view returns (uint256);
        function isTopLevelCall() external view returns (bool);
        function wasMyCallersAddressAliased() external view returns (bool);
        function myCallersAddressWithoutAliasing() external view returns (address);

        error InvalidBlockNumber(uint256 requested, uint256 current);
    }
}

/// ArbOS storage read cost charged by precompiles (gas).
const STORAGE_READ_GAS: u64 = 800;
/// ArbOS storage write cost (gas).
const STORAGE_WRITE_GAS: u64 = 20_000;

/// Precompile provider: Ethereum precompiles plus the Arbitrum ones.
pub(crate) struct ArbPrecompiles {
    eth: EthPrecompiles,
    shared: Arc<Shared>,
    warm: AddressSet,
}

impl ArbPrecompiles {
    pub(crate) fn new(spec: SpecId, shared: Arc<Shared>) -> Self {
        let eth = EthPrecompiles::new(spec);
        let warm = Self::warm_set(&eth);
        Self { eth, shared, warm }
    }

    fn warm_set(eth: &EthPrecompiles) -> AddressSet {
        let mut warm = eth.warm_addresses().clone();
        for a in ARB_PRECOMPILES {
            warm.insert(a);
        }
        warm
    }
}

/// ABI-encodes static words.
fn words(ws: &[U256]) -> Bytes {
    let mut out = Vec::with_capacity(32 * ws.len());
    for w in ws {
        out.extend_from_slice(&w.to_be_bytes::<32>());
    }
    out.into()
}

/// Outcome helper for one precompile call.
struct Run {
    gas: Gas,
}

enum Stop {
    /// Out of gas: halt, all gas consumed.
    Oog,
    /// Revert with data, unused gas returned.
    Revert(Bytes),
    /// Revert with data and all gas consumed (activation failures).
    Burn(Bytes),
    /// Database error (already stored in the context).
    Db,
}

impl Run {
    fn charge(&mut self, gas: u64) -> Result<(), Stop> {
        if self.gas.record_regular_cost(gas) {
            Ok(())
        } else {
            Err(Stop::Oog)
        }
    }
}

fn revert_err(e: impl SolError) -> Stop {
    Stop::Revert(e.abi_encode().into())
}

/// `Error(string)` revert data.
pub(crate) fn error_string(msg: &str) -> Bytes {
    alloy_sol_types::Revert::from(msg).abi_encode().into()
}

fn db<DB: Database, T>(ctx: &mut Ctx<DB>, r: Result<T, DB::Error>) -> Result<T, Stop> {
    r.map_err(|e| {
        *ctx.error() = Err(ContextError::Db(e));
        Stop::Db
    })
}

/// Reads the activation record of `codehash`.
pub(crate) fn read_program<DB: Database>(
    ctx: &mut Ctx<DB>,
    codehash: B256,
) -> Result<Option<ProgramInfo>, DB::Error> {
    ctx.journal_mut().load_account(ARB_WASM)?;
    let w = ctx
        .journal_mut()
        .sload(ARB_WASM, U256::from_be_bytes(codehash.0))?;
    Ok(ProgramInfo::unpack(w.data))
}

fn write_program<DB: Database>(
    ctx: &mut Ctx<DB>,
    codehash: B256,
    info: &ProgramInfo,
) -> Result<(), DB::Error> {
    ctx.journal_mut().load_account(ARB_WASM)?;
    ctx.journal_mut()
        .sstore(ARB_WASM, U256::from_be_bytes(codehash.0), info.pack())?;
    Ok(())
}

fn now<DB: Database>(ctx: &Ctx<DB>) -> u64 {
    ctx.block().timestamp().saturating_to::<u64>()
}

/// Checks that `codehash` is active, like Nitro's `getActiveProgram`.
fn active_program<DB: Database>(
    ctx: &mut Ctx<DB>,
    run: &mut Run,
    codehash: B256,
) -> Result<ProgramInfo, Stop> {
    run.charge(STORAGE_READ_GAS)?;
    let r = read_program(ctx, codehash);
    let info = db(ctx, r)?;
    let Some(info) = info else {
        return Err(revert_err(IArbWasm::ProgramNotActivated {}));
    };
    if info.version != STYLUS_VERSION {
        return Err(revert_err(IArbWasm::ProgramNeedsUpgrade {
            version: info.version,
            stylusVersion: STYLUS_VERSION,
        }));
    }
    let t = now(ctx);
    if info.expired(t) {
        return Err(revert_err(IArbWasm::ProgramExpired {
            ageInSeconds: info.age_seconds(t),
        }));
    }
    Ok(info)
}

fn code_and_hash<DB: Database>(ctx: &mut Ctx<DB>, addr: Address) -> Result<(Bytes, B256), Stop> {
    let r = ctx.journal_mut().code(addr);
    let code = db(ctx, r)?.data;
    let hash = if code.is_empty() {
        revm::primitives::KECCAK_EMPTY
    } else {
        keccak256(&code)
    };
    Ok((code, hash))
}

/// Collects the fee model state, applies an update for `asm` bytes and returns the fee.
fn update_pricer<DB: Database>(ctx: &mut Ctx<DB>, asm: u64) -> Result<U256, Stop> {
    let dk = activation::pricer_demand_key();
    let tk = activation::pricer_time_key();
    let r = ctx.journal_mut().load_account(ARB_WASM).map(|_| ());
    db(ctx, r)?;
    let r = ctx.journal_mut().sload(ARB_WASM, dk);
    let demand = db(ctx, r)?.data.saturating_to::<u64>();
    let r = ctx.journal_mut().sload(ARB_WASM, tk);
    let last = db(ctx, r)?.data.saturating_to::<u64>();
    let t = now(ctx);
    let (demand, fee) = activation::data_fee(demand, last.min(t), t, asm);
    let r = ctx.journal_mut().sstore(ARB_WASM, dk, U256::from(demand));
    db(ctx, r)?;
    let r = ctx.journal_mut().sstore(ARB_WASM, tk, U256::from(t));
    db(ctx, r)?;
    Ok(fee)
}

/// Pays `fee` out of the value sent to 0x71 and refunds the rest to `caller`
/// (`ProgramInsufficientValue` if too little).
fn take_fee<DB: Database>(
    ctx: &mut Ctx<DB>,
    value: U256,
    fee: U256,
    caller: Address,
) -> Result<(), Stop> {
    if value < fee {
        return Err(revert_err(IArbWasm::ProgramInsufficientValue {
            have: value,
            want: fee,
        }));
    }
    let refund = value - fee;
    if !refund.is_zero() {
        let r = ctx.journal_mut().transfer(ARB_WASM, caller, refund);
        if db(ctx, r)?.is_some() {
            return Err(Stop::Revert(Bytes::new()));
        }
    }
    Ok(())
}

impl ArbPrecompiles {
    fn arb_wasm<DB: Database>(
        &self,
        ctx: &mut Ctx<DB>,
        run: &mut Run,
        inputs: &CallInputs,
        input: &[u8],
    ) -> Result<Bytes, Stop> {
        use IArbWasm::IArbWasmCalls as C;
        let call = C::abi_decode(input).map_err(|_| Stop::Revert(Bytes::new()))?;
        let value = inputs.value.get();
        let payable = matches!(call, C::activateProgram(_) | C::codehashKeepalive(_));
        if !payable && !value.is_zero() {
            return Err(Stop::Revert(Bytes::new()));
        }
        let u = |x: u64| U256::from(x);
        let out = match call {
            C::activateProgram(c) => return self.activate(ctx, run, inputs, c.program),
            C::stylusVersion(_) => words(&[u(u64::from(STYLUS_VERSION))]),
            C::codehashVersion(c) => {
                let info = active_program(ctx, run, c.codehash)?;
                words(&[u(u64::from(info.version))])
            }
            C::codehashKeepalive(c) => {
                if inputs.is_static {
                    return Err(Stop::Burn(Bytes::new()));
                }
                let mut info = active_program(ctx, run, c.codehash)?;
                let t = now(ctx);
                let age = info.age_seconds(t);
                if age < activation::KEEPALIVE_DAYS * 86_400 {
                    return Err(revert_err(IArbWasm::ProgramKeepaliveTooSoon {
                        ageInSeconds: age,
                    }));
                }
                run.charge(STORAGE_WRITE_GAS)?;
                let fee = update_pricer(ctx, u64::from(info.asm_estimate_kb) * 1024)?;
                take_fee(ctx, value, fee, inputs.caller)?;
                info.activated_at = activation::hours_since_start(t);
                let r = write_program(ctx, c.codehash, &info);
                db(ctx, r)?;
                ctx.journal_mut().log(Log::new_unchecked(
                    ARB_WASM,
                    vec![
                        IArbWasm::ProgramLifetimeExtended::SIGNATURE_HASH,
                        c.codehash,
                    ],
                    words(&[fee]),
                ));
                Bytes::new()
            }
            C::codehashAsmSize(c) => {
                let info = active_program(ctx, run, c.codehash)?;
                words(&[u(u64::from(info.asm_estimate_kb) * 1024)])
            }
            C::programVersion(c) => {
                let (_, hash) = code_and_hash(ctx, c.program)?;
                let info = active_program(ctx, run, hash)?;
                words(&[u(u64::from(info.version))])
            }
            C::programInitGas(c) => {
                let (_, hash) = code_and_hash(ctx, c.program)?;
                let info = active_program(ctx, run, hash)?;
                words(&[u(info.init_gas() + info.cached_gas()), u(info.cached_gas())])
            }
            C::programMemoryFootprint(c) => {
                let (_, hash) = code_and_hash(ctx, c.program)?;
                let info = active_program(ctx, run, hash)?;
                words(&[u(u64::from(info.footprint))])
            }
            C::programTimeLeft(c) => {
                let (_, hash) = code_and_hash(ctx, c.program)?;
                let info = active_program(ctx, run, hash)?;
                let age = info.age_seconds(now(ctx));
                words(&[u((activation::EXPIRY_DAYS * 86_400).saturating_sub(age))])
            }
            C::inkPrice(_) => words(&[u(INK_PRICE)]),
            C::maxStackDepth(_) => words(&[u(262_144)]),
            C::freePages(_) => words(&[u(u64::from(activation::FREE_PAGES))]),
            C::pageGas(_) => words(&[u(u64::from(activation::PAGE_GAS))]),
            C::pageRamp(_) => words(&[u(activation::PAGE_RAMP)]),
            C::pageLimit(_) => words(&[u(u64::from(activation::PAGE_LIMIT))]),
            C::minInitGas(_) => words(&[
                u(activation::MIN_INIT_GAS),
                u(activation::MIN_CACHED_INIT_GAS),
            ]),
            C::initCostScalar(_) => words(&[u(100)]),
            C::expiryDays(_) => words(&[u(activation::EXPIRY_DAYS)]),
            C::keepaliveDays(_) => words(&[u(activation::KEEPALIVE_DAYS)]),
            C::blockCacheSize(_) => words(&[u(32)]),
            C::activationGas(_) => words(&[u(0)]),
        };
        Ok(out)
    }

    /// `activateProgram(address)` (stylus-runtime.md §4.1).
    fn activate<DB: Database>(
        &self,
        ctx: &mut Ctx<DB>,
        run: &mut Run,
        inputs: &CallInputs,
        program: Address,
    ) -> Result<Bytes, Stop> {
        if inputs.is_static {
            return Err(Stop::Burn(Bytes::new()));
        }
        run.charge(activation::ACTIVATION_FIXED_GAS)?;
        let (code, codehash) = code_and_hash(ctx, program)?;
        run.charge(STORAGE_READ_GAS)?;
        let r = read_program(ctx, codehash);
        if let Some(existing) = db(ctx, r)? {
            if existing.version == STYLUS_VERSION && !existing.expired(now(ctx)) {
                return Err(revert_err(IArbWasm::ProgramUpToDate {}));
            }
        }
        if !format::is_stylus(&code) {
            return Err(revert_err(IArbWasm::ProgramNotWasm {}));
        }
        let fail =
            |msg: String| Stop::Burn(error_string(&format!("program activation failed: {msg}")));
        let wasm = format::decompress(&code).map_err(|e| fail(e.to_string()))?;
        let stats = activation::validate(&wasm, self.shared.config.debug).map_err(|e| fail(e.0))?;
        run.charge(stats.activation_compute_gas())?;
        self.shared
            .module(codehash, &wasm)
            .map_err(|e| fail(format!("compile: {e}")))?;
        let t = now(ctx);
        let asm = stats.asm_estimate();
        let info = ProgramInfo {
            version: STYLUS_VERSION,
            init_cost: stats.init_cost() as u16,
            cached_cost: stats.cached_init_cost() as u16,
            footprint: stats.footprint,
            asm_estimate_kb: asm.div_ceil(1024) as u32,
            activated_at: activation::hours_since_start(t),
            cached: false,
        };
        run.charge(STORAGE_WRITE_GAS + 2 * 5_000)?;
        let fee = update_pricer(ctx, asm)?;
        take_fee(ctx, inputs.value.get(), fee, inputs.caller)?;
        let r = write_program(ctx, codehash, &info);
        db(ctx, r)?;
        let module_hash = activation::module_hash(codehash, STYLUS_VERSION);
        run.charge(375 * 2 + 8 * 128)?;
        ctx.journal_mut().log(Log::new_unchecked(
            ARB_WASM,
            vec![IArbWasm::ProgramActivated::SIGNATURE_HASH, codehash],
            words(&[
                U256::from_be_bytes(module_hash.0),
                U256::from_be_slice(program.as_slice()),
                fee,
                U256::from(STYLUS_VERSION),
            ]),
        ));
        Ok(words(&[U256::from(STYLUS_VERSION), fee]))
    }

    fn arb_wasm_cache<DB: Database>(
        &self,
        ctx: &mut Ctx<DB>,
        run: &mut Run,
        inputs: &CallInputs,
        input: &[u8],
    ) -> Result<Bytes, Stop> {
        use IArbWasmCache::IArbWasmCacheCalls as C;
        let call = C::abi_decode(input).map_err(|_| Stop::Revert(Bytes::new()))?;
        if !inputs.value.get().is_zero() {
            return Err(Stop::Revert(Bytes::new()));
        }
        let set = |ctx: &mut Ctx<DB>, run: &mut Run, hash: B256, cached: bool| {
            if inputs.is_static {
                return Err(Stop::Burn(Bytes::new()));
            }
            let mut info = active_program(ctx, run, hash)?;
            if info.cached != cached {
                run.charge(STORAGE_WRITE_GAS)?;
                info.cached = cached;
                let r = write_program(ctx, hash, &info);
                db(ctx, r)?;
                ctx.journal_mut().log(Log::new_unchecked(
                    ARB_WASM_CACHE,
                    vec![
                        IArbWasmCache::UpdateProgramCache::SIGNATURE_HASH,
                        inputs.caller.into_word(),
                        hash,
                    ],
                    words(&[U256::from(u8::from(cached))]),
                ));
            }
            Ok(Bytes::new())
        };
        match call {
            C::isCacheManager(_) => Ok(words(&[U256::ZERO])),
            C::allCacheManagers(_) => Ok(words(&[U256::from(32), U256::ZERO])),
            C::cacheCodehash(c) => set(ctx, run, c.codehash, true),
            C::cacheProgram(c) => {
                let (_, hash) = code_and_hash(ctx, c.addr)?;
                set(ctx, run, hash, true)
            }
            C::evictCodehash(c) => set(ctx, run, c.codehash, false),
            C::codehashIsCached(c) => {
                run.charge(STORAGE_READ_GAS)?;
                let r = read_program(ctx, c.codehash);
                let cached = db(ctx, r)?.is_some_and(|i| i.cached);
                Ok(words(&[U256::from(u8::from(cached))]))
            }
        }
    }

    fn arb_sys<DB: Database>(
        &self,
        ctx: &mut Ctx<DB>,
        inputs: &CallInputs,
        input: &[u8],
    ) -> Result<Bytes, Stop> {
        use IArbSys::IArbSysCalls as C;
        let call = C::abi_decode(input).map_err(|_| Stop::Revert(Bytes::new()))?;
        let number = ctx.block().number();
        Ok(match call {
            C::arbBlockNumber(_) => words(&[number]),
            C::arbBlockHash(c) => {
                let n = c.arbBlockNum;
                if n >= number || number - n > U256::from(256) {
                    return Err(revert_err(IArbSys::InvalidBlockNumber {
                        requested: n,
                        current: number,
                    }));
                }
                let r = ctx
                    .journal_mut()
                    .db_mut()
                    .block_hash(n.saturating_to::<u64>());
                let h = db(ctx, r)?;
                words(&[U256::from_be_bytes(h.0)])
            }
            C::arbChainID(_) => words(&[U256::from(ctx.cfg().chain_id())]),
            C::arbOSVersion(_) => words(&[U256::from(55 + ARBOS_VERSION)]),
            C::getStorageGasAvailable(_) => words(&[U256::ZERO]),
            C::isTopLevelCall(_) => words(&[U256::from(u8::from(ctx.journal().depth() <= 2))]),
            C::wasMyCallersAddressAliased(_) => words(&[U256::ZERO]),
            C::myCallersAddressWithoutAliasing(_) => {
                let _ = inputs;
                words(&[U256::ZERO])
            }
        })
    }
}

impl<DB: Database> PrecompileProvider<Ctx<DB>> for ArbPrecompiles {
    type Output = InterpreterResult;

    fn set_spec(&mut self, spec: SpecId) -> bool {
        let _ = <EthPrecompiles as PrecompileProvider<Ctx<DB>>>::set_spec(&mut self.eth, spec);
        self.warm = Self::warm_set(&self.eth);
        // Always inject: the Arbitrum addresses are not in revm's own set.
        true
    }

    fn run(
        &mut self,
        ctx: &mut Ctx<DB>,
        inputs: &CallInputs,
    ) -> Result<Option<InterpreterResult>, String> {
        let addr = inputs.bytecode_address;
        if !ARB_PRECOMPILES.contains(&addr) {
            return self.eth.run(ctx, inputs);
        }
        let input = inputs.input.as_bytes(ctx).to_vec();
        let mut run = Run {
            gas: Gas::new(inputs.gas_limit),
        };
        // Argument copy cost, like Nitro's precompile wrapper (3 gas per word).
        let res = run
            .charge(3 * (input.len() as u64).div_ceil(32))
            .and_then(|()| match addr {
                ARB_WASM => self.arb_wasm(ctx, &mut run, inputs, &input),
                ARB_WASM_CACHE => self.arb_wasm_cache(ctx, &mut run, inputs, &input),
                ARB_SYS => self.arb_sys(ctx, inputs, &input),
                ARB_OWNER_PUBLIC => Ok(words(&[U256::ZERO])),
                ARB_OWNER | ARB_DEBUG => Ok(Bytes::new()),
                _ => Err(Stop::Revert(Bytes::new())),
            });
        let result = match res {
            Ok(out) => InterpreterResult::new(InstructionResult::Return, out, run.gas),
            Err(Stop::Revert(data)) => {
                InterpreterResult::new(InstructionResult::Revert, data, run.gas)
            }
            Err(Stop::Burn(data)) => {
                run.gas.spend_all();
                InterpreterResult::new(InstructionResult::Revert, data, run.gas)
            }
            Err(Stop::Oog) => {
                run.gas.spend_all();
                InterpreterResult::new(InstructionResult::PrecompileOOG, Bytes::new(), run.gas)
            }
            Err(Stop::Db) => {
                run.gas.spend_all();
                InterpreterResult::new(InstructionResult::PrecompileError, Bytes::new(), run.gas)
            }
        };
        Ok(Some(result))
    }

    fn warm_addresses(&self) -> &AddressSet {
        &self.warm
    }

    fn contains(&self, address: &Address) -> bool {
        self.warm.contains(address)
    }
}
