//! Arbitrum precompiles: ArbWasm (0x71), ArbWasmCache (0x72), ArbSys (0x64), ArbOwnerPublic's
//! Stylus view, and permissive stubs for ArbOwner (0x70) and ArbDebug (0xff), layered over revm's
//! Ethereum precompiles.
//!
//! Every call goes through Nitro's precompile wrapper rules (OffchainLabs/nitro
//! `precompiles/precompile.go`, `Precompile.Call`): an unknown or not-yet-active method, value sent
//! to a non-payable method, a write in a static call, or undecodable arguments revert and consume
//! all the gas; arguments cost 3 gas per word after the selector and results 3 gas per word;
//! Solidity errors revert with their data and return the unused gas; other errors revert empty and
//! return the unused gas; an activation failure (`ErrProgramActivation`) consumes all the gas and
//! returns nothing. ArbOS storage accesses cost what `arbos/storage/storage.go` charges: 800 per
//! read, 20,000 per non-zero write (5,000 for zero), 2,600 for an account's code hash, 100 for the
//! (warm) Stylus parameters.

use std::sync::Arc;

use alloy_sol_types::{sol, SolError, SolEvent, SolInterface};
use revm::context_interface::{Block, Cfg, ContextError, ContextTr, JournalTr};
use revm::handler::{EthPrecompiles, PrecompileProvider};
use revm::interpreter::{CallInputs, Gas, InstructionResult, InterpreterResult};
use revm::primitives::{hardfork::SpecId, keccak256, Address, AddressSet, Bytes, Log, B256, U256};
use revm::Database;

use crate::activation::{self, ProgramInfo};
use crate::chain::{
    EngineContext, ACTIVATION_FIXED_GAS, ARB_DEBUG, ARB_OWNER, ARB_OWNER_PUBLIC, ARB_PRECOMPILES,
    ARB_SYS, ARB_WASM, ARB_WASM_CACHE, BLOCK_CACHE_SIZE, COST_SCALAR_PERCENT, EXPIRY_DAYS,
    FREE_PAGES, INK_PRICE, KEEPALIVE_DAYS, MIN_CACHED_INIT_GAS, MIN_INIT_GAS, PAGE_GAS, PAGE_LIMIT,
    PAGE_RAMP, STYLUS_VERSION,
};
use crate::shared::Shared;

/// The revm context type the engine runs on.
pub(crate) type Ctx<DB> = EngineContext<DB>;

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

    interface IArbOwnerPublic {
        function getMaxStylusContractFragments() external view returns (uint8);
    }
}

/// ArbOS storage read (`StorageReadCost` = `SloadGasEIP2200`).
const STORAGE_READ_GAS: u64 = 800;
/// ArbOS storage write of a non-zero word (`StorageWriteCost` = `SstoreSetGasEIP2200`).
const STORAGE_WRITE_GAS: u64 = 20_000;
/// ArbOS storage write of zero (`StorageWriteZeroCost` = `SstoreResetGasEIP2200`).
const STORAGE_WRITE_ZERO_GAS: u64 = 5_000;
/// An account's code hash from ArbOS (`StorageCodeHashCost` = `ColdAccountAccessCostEIP2929`).
const CODE_HASH_GAS: u64 = 2_600;
/// `Programs.Params()`: the parameter words are assumed warm (`WarmStorageReadCostEIP2929`).
const PARAMS_GAS: u64 = 100;

/// Precompile provider: Ethereum precompiles plus the Arbitrum ones.
pub(crate) struct ArbPrecompiles {
    eth: EthPrecompiles,
    shared: Arc<Shared>,
    warm: AddressSet,
    /// Stylus pages open in the transaction when the current call began (activation may only
    /// accept programs that fit in the rest: `PageLimit − GetStylusPagesOpen()`).
    pub(crate) open_pages: u32,
}

impl ArbPrecompiles {
    pub(crate) fn new(spec: SpecId, shared: Arc<Shared>) -> Self {
        let eth = EthPrecompiles::new(spec);
        let warm = Self::warm_set(&eth);
        Self {
            eth,
            shared,
            warm,
            open_pages: 0,
        }
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

/// Gas accounting of one precompile call.
struct Run {
    gas: Gas,
}

/// How a precompile call ends other than with a result.
enum Stop {
    /// A Solidity error: revert with its data, unused gas returned.
    Sol(Bytes),
    /// Another error: revert with empty data, unused gas returned.
    Revert,
    /// Revert with empty data, all gas consumed (wrapper rejections, out of gas, burn-out).
    RevertAll,
    /// Activation failure: no data, all gas consumed, not a revert.
    Failed,
    /// Database error (already stored in the context).
    Db,
}

impl Run {
    fn charge(&mut self, gas: u64) -> Result<(), Stop> {
        if self.gas.record_regular_cost(gas) {
            Ok(())
        } else {
            Err(Stop::RevertAll)
        }
    }
    fn read(&mut self) -> Result<(), Stop> {
        self.charge(STORAGE_READ_GAS)
    }
    fn write(&mut self, value: U256) -> Result<(), Stop> {
        self.charge(if value.is_zero() {
            STORAGE_WRITE_ZERO_GAS
        } else {
            STORAGE_WRITE_GAS
        })
    }
    fn params(&mut self) -> Result<(), Stop> {
        self.charge(PARAMS_GAS)
    }
    /// An event's cost: 375 + 375 per topic (the signature included) + 8 per data byte.
    fn log(&mut self, topics: u64, data_len: u64) -> Result<(), Stop> {
        self.charge(375 + 375 * topics + 8 * data_len)
    }
}

fn sol_err(e: impl SolError) -> Stop {
    Stop::Sol(e.abi_encode().into())
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

fn store<DB: Database>(ctx: &mut Ctx<DB>, key: U256, value: U256) -> Result<(), Stop> {
    let r = ctx.journal_mut().load_account(ARB_WASM).map(|_| ());
    db(ctx, r)?;
    let r = ctx.journal_mut().sstore(ARB_WASM, key, value).map(|_| ());
    db(ctx, r)
}

fn load<DB: Database>(ctx: &mut Ctx<DB>, key: U256) -> Result<U256, Stop> {
    let r = ctx.journal_mut().load_account(ARB_WASM).map(|_| ());
    db(ctx, r)?;
    let r = ctx.journal_mut().sload(ARB_WASM, key).map(|l| l.data);
    db(ctx, r)
}

/// `Programs.setProgram`: one ArbOS storage write.
fn set_program<DB: Database>(
    ctx: &mut Ctx<DB>,
    run: &mut Run,
    codehash: B256,
    info: &ProgramInfo,
) -> Result<(), Stop> {
    let word = info.pack();
    run.write(word)?;
    store(ctx, U256::from_be_bytes(codehash.0), word)
}

fn now<DB: Database>(ctx: &Ctx<DB>) -> u64 {
    ctx.block().timestamp().saturating_to::<u64>()
}

/// `Programs.getProgram` (one read); a never-activated code hash reads as version 0.
fn get_program<DB: Database>(
    ctx: &mut Ctx<DB>,
    run: &mut Run,
    codehash: B256,
) -> Result<ProgramInfo, Stop> {
    run.read()?;
    let r = read_program(ctx, codehash);
    Ok(db(ctx, r)?.unwrap_or_default())
}

/// `Programs.getActiveProgram`: errors unless `codehash` is active.
fn active_program<DB: Database>(
    ctx: &mut Ctx<DB>,
    run: &mut Run,
    codehash: B256,
) -> Result<ProgramInfo, Stop> {
    let info = get_program(ctx, run, codehash)?;
    if info.version == 0 {
        return Err(sol_err(IArbWasm::ProgramNotActivated {}));
    }
    if info.version != STYLUS_VERSION {
        return Err(sol_err(IArbWasm::ProgramNeedsUpgrade {
            version: info.version,
            stylusVersion: STYLUS_VERSION,
        }));
    }
    let t = now(ctx);
    if info.expired(t) {
        return Err(sol_err(IArbWasm::ProgramExpired {
            ageInSeconds: info.age_seconds(t),
        }));
    }
    Ok(info)
}

/// `Context.GetCodeHash` (2,600 gas): zero for an account that does not exist.
fn code_hash<DB: Database>(ctx: &mut Ctx<DB>, run: &mut Run, addr: Address) -> Result<B256, Stop> {
    run.charge(CODE_HASH_GAS)?;
    let r = ctx.journal_mut().load_account_with_code(addr).map(|a| {
        if a.data.is_empty() {
            B256::ZERO
        } else {
            a.data.info.code_hash
        }
    });
    db(ctx, r)
}

fn code_of<DB: Database>(ctx: &mut Ctx<DB>, addr: Address) -> Result<Bytes, Stop> {
    let r = ctx.journal_mut().code(addr).map(|c| c.data);
    db(ctx, r)
}

/// `DataPricer.UpdateModel`: five reads, two writes; returns the fee.
fn update_pricer<DB: Database>(ctx: &mut Ctx<DB>, run: &mut Run, asm: u32) -> Result<U256, Stop> {
    for _ in 0..5 {
        run.read()?;
    }
    let dk = activation::pricer_demand_key();
    let tk = activation::pricer_time_key();
    let demand = load(ctx, dk)?.saturating_to::<u32>();
    let stored = load(ctx, tk)?.saturating_to::<u64>();
    // The pricer starts at `ArbitrumStartTime` (`initialLastUpdateTime`).
    let last = if stored == 0 {
        crate::chain::ARBITRUM_START_TIME
    } else {
        stored
    };
    let t = now(ctx);
    let (demand, fee) = activation::data_fee(demand, last.min(t), t, asm);
    run.write(U256::from(demand))?;
    store(ctx, dk, U256::from(demand))?;
    run.write(U256::from(t))?;
    store(ctx, tk, U256::from(t))?;
    Ok(fee)
}

/// `ArbWasm.payActivationDataFee`: the value must cover the fee; the network fee account is read;
/// the rest is refunded to the caller.
fn pay_data_fee<DB: Database>(
    ctx: &mut Ctx<DB>,
    run: &mut Run,
    value: U256,
    fee: U256,
    caller: Address,
) -> Result<(), Stop> {
    if value < fee {
        return Err(sol_err(IArbWasm::ProgramInsufficientValue {
            have: value,
            want: fee,
        }));
    }
    run.read()?;
    let refund = value - fee;
    if !refund.is_zero() {
        let r = ctx.journal_mut().transfer(ARB_WASM, caller, refund);
        if db(ctx, r)?.is_some() {
            return Err(Stop::Revert);
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
        let arbos = self.shared.arbos;
        let call = C::abi_decode(input).map_err(|_| Stop::RevertAll)?;
        if matches!(call, C::activationGas(_)) && !arbos.at_least_60() {
            // Added in ArbOS 60 (`ArbosVersion_StylusActivationGas`).
            return Err(Stop::RevertAll);
        }
        let value = inputs.value.get();
        let payable = matches!(call, C::activateProgram(_) | C::codehashKeepalive(_));
        if !payable && !value.is_zero() {
            return Err(Stop::RevertAll);
        }
        if payable && inputs.is_static {
            return Err(Stop::RevertAll);
        }
        run.charge(3 * (input.len() as u64 - 4).div_ceil(32))?;
        let u = |x: u64| U256::from(x);
        let out = match call {
            C::activateProgram(c) => self.activate(ctx, run, inputs, c.program)?,
            C::codehashKeepalive(c) => {
                run.params()?;
                let mut info = active_program(ctx, run, c.codehash)?;
                let t = now(ctx);
                let age = info.age_seconds(t);
                if age < KEEPALIVE_DAYS * 86_400 {
                    return Err(sol_err(IArbWasm::ProgramKeepaliveTooSoon {
                        ageInSeconds: age,
                    }));
                }
                let asm = info.asm_estimate_kb.saturating_mul(1024);
                let fee = update_pricer(ctx, run, asm)?;
                info.activated_at = activation::hours_since_start(t);
                set_program(ctx, run, c.codehash, &info)?;
                pay_data_fee(ctx, run, value, fee, inputs.caller)?;
                run.log(2, 32)?;
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
            C::stylusVersion(_) => {
                run.params()?;
                words(&[u(u64::from(STYLUS_VERSION))])
            }
            C::codehashVersion(c) => {
                run.params()?;
                let info = active_program(ctx, run, c.codehash)?;
                words(&[u(u64::from(info.version))])
            }
            C::codehashAsmSize(c) => {
                run.params()?;
                let info = active_program(ctx, run, c.codehash)?;
                words(&[u(u64::from(info.asm_estimate_kb) * 1024)])
            }
            C::programVersion(c) => {
                let hash = code_hash(ctx, run, c.program)?;
                run.params()?;
                let info = active_program(ctx, run, hash)?;
                words(&[u(u64::from(info.version))])
            }
            C::programInitGas(c) => {
                run.params()?;
                let hash = code_hash(ctx, run, c.program)?;
                let info = active_program(ctx, run, hash)?;
                words(&[u(info.init_gas() + info.cached_gas()), u(info.cached_gas())])
            }
            C::programMemoryFootprint(c) => {
                run.params()?;
                let hash = code_hash(ctx, run, c.program)?;
                let info = active_program(ctx, run, hash)?;
                words(&[u(u64::from(info.footprint))])
            }
            C::programTimeLeft(c) => {
                run.params()?;
                let hash = code_hash(ctx, run, c.program)?;
                let info = active_program(ctx, run, hash)?;
                let age = info.age_seconds(now(ctx));
                words(&[u((EXPIRY_DAYS * 86_400).saturating_sub(age))])
            }
            C::inkPrice(_) => {
                run.params()?;
                words(&[u(INK_PRICE)])
            }
            C::maxStackDepth(_) => {
                run.params()?;
                words(&[u(u64::from(arbos.max_stack_depth()))])
            }
            C::freePages(_) => {
                run.params()?;
                words(&[u(u64::from(FREE_PAGES))])
            }
            C::pageGas(_) => {
                run.params()?;
                words(&[u(u64::from(PAGE_GAS))])
            }
            C::pageRamp(_) => {
                run.params()?;
                words(&[u(PAGE_RAMP)])
            }
            C::pageLimit(_) => {
                run.params()?;
                words(&[u(u64::from(PAGE_LIMIT))])
            }
            C::minInitGas(_) => {
                run.params()?;
                words(&[u(MIN_INIT_GAS), u(MIN_CACHED_INIT_GAS)])
            }
            C::initCostScalar(_) => {
                run.params()?;
                words(&[u(COST_SCALAR_PERCENT)])
            }
            C::expiryDays(_) => {
                run.params()?;
                words(&[u(EXPIRY_DAYS)])
            }
            C::keepaliveDays(_) => {
                run.params()?;
                words(&[u(KEEPALIVE_DAYS)])
            }
            C::blockCacheSize(_) => {
                run.params()?;
                words(&[u(u64::from(BLOCK_CACHE_SIZE))])
            }
            C::activationGas(_) => {
                run.read()?;
                words(&[u(0)])
            }
        };
        Ok(out)
    }

    /// `ArbWasm.ActivateProgram` and `Programs.ActivateProgram`.
    fn activate<DB: Database>(
        &self,
        ctx: &mut Ctx<DB>,
        run: &mut Run,
        inputs: &CallInputs,
        program: Address,
    ) -> Result<Bytes, Stop> {
        let arbos = self.shared.arbos;
        if arbos.at_least_60() {
            // The configurable `activationGas` (0 by default) is read and burned first.
            run.read()?;
        }
        run.charge(ACTIVATION_FIXED_GAS)?;
        let code = code_of(ctx, program)?;
        let codehash = if code.is_empty() {
            revm::primitives::KECCAK_EMPTY
        } else {
            keccak256(&code)
        };
        run.params()?;
        let existing = get_program(ctx, run, codehash)?;
        let expired = existing.activated_at == 0 || existing.expired(now(ctx));
        if existing.version == STYLUS_VERSION && !expired {
            return Err(sol_err(IArbWasm::ProgramUpToDate {}));
        }
        // `getWasmFromContractCode`.
        if code.is_empty() {
            return Err(sol_err(IArbWasm::ProgramNotWasm {}));
        }
        if !stylus_format::is_stylus(&code) {
            // Before ArbOS 60 any other code is a plain error; from 60 a fragment (EF F0 01) is a
            // plain error, a root (EF F0 02) is unsupported here, and anything else is
            // ProgramNotWasm.
            let prefix = |v: u8| code.len() > 3 && code[..3] == [0xEF, 0xF0, v];
            if !arbos.at_least_60() || prefix(1) || prefix(2) {
                return Err(Stop::Revert);
            }
            return Err(sol_err(IArbWasm::ProgramNotWasm {}));
        }
        let debug = self.shared.config.debug;
        let fail = |why: String| {
            if debug {
                eprintln!("[devnet-engine] activation of {program} failed: {why}");
            }
        };
        let wasm = match stylus_format::decompress(&code) {
            Ok(w) => w,
            Err(e) => {
                fail(e.to_string());
                return Err(Stop::Revert);
            }
        };
        let limit = activation::page_limit(self.open_pages);
        let activated = match activation::check_program(&wasm, arbos, limit, debug) {
            Ok(a) => a,
            Err(e) => {
                fail(e.0);
                return Err(Stop::Failed);
            }
        };
        let stats = activated.stats;
        if !run.gas.record_regular_cost(stats.activation_compute_gas()) {
            fail("out of gas".into());
            return Err(Stop::Failed);
        }
        self.shared
            .compile(codehash, &activated.instrumented)
            .map_err(|e| {
                fail(format!("compile: {e}"));
                Stop::Failed
            })?;
        let module_hash = activation::module_hash(codehash, STYLUS_VERSION);
        if existing.cached {
            // The old module hash is read to evict the old asm.
            run.read()?;
        }
        let mh = U256::from_be_bytes(module_hash.0);
        run.write(mh)?;
        store(ctx, activation::module_hash_key(codehash), mh)?;
        let asm = u32::try_from(stats.asm_estimate()).unwrap_or(u32::MAX);
        let t = now(ctx);
        let fee = update_pricer(ctx, run, asm)?;
        let info = ProgramInfo {
            version: STYLUS_VERSION,
            init_cost: stats.init_cost() as u16,
            cached_cost: stats.cached_init_cost() as u16,
            footprint: stats.footprint,
            asm_estimate_kb: asm.div_ceil(1024),
            activated_at: activation::hours_since_start(t),
            cached: existing.cached,
        };
        set_program(ctx, run, codehash, &info)?;
        pay_data_fee(ctx, run, inputs.value.get(), fee, inputs.caller)?;
        run.log(2, 128)?;
        ctx.journal_mut().log(Log::new_unchecked(
            ARB_WASM,
            vec![IArbWasm::ProgramActivated::SIGNATURE_HASH, codehash],
            words(&[
                mh,
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
        let call = C::abi_decode(input).map_err(|_| Stop::RevertAll)?;
        if matches!(call, C::cacheCodehash(_)) {
            // Only until ArbOS 30 (`maxArbosVersion`), replaced by cacheProgram.
            return Err(Stop::RevertAll);
        }
        if !inputs.value.get().is_zero() {
            return Err(Stop::RevertAll);
        }
        let writes = matches!(call, C::cacheProgram(_) | C::evictCodehash(_));
        if writes && inputs.is_static {
            return Err(Stop::RevertAll);
        }
        run.charge(3 * (input.len() as u64 - 4).div_ceil(32))?;
        // `Programs.SetProgramCached` (the cache-manager check is skipped; see DEVIATIONS).
        let set = |ctx: &mut Ctx<DB>, run: &mut Run, hash: B256, cache: bool| {
            run.params()?;
            let mut info = get_program(ctx, run, hash)?;
            let t = now(ctx);
            if cache && info.version != STYLUS_VERSION {
                return Err(sol_err(IArbWasm::ProgramNeedsUpgrade {
                    version: info.version,
                    stylusVersion: STYLUS_VERSION,
                }));
            }
            if cache && info.expired(t) {
                return Err(sol_err(IArbWasm::ProgramExpired {
                    ageInSeconds: info.age_seconds(t),
                }));
            }
            if info.cached == cache {
                return Ok(Bytes::new());
            }
            run.log(3, 32)?;
            ctx.journal_mut().log(Log::new_unchecked(
                ARB_WASM_CACHE,
                vec![
                    IArbWasmCache::UpdateProgramCache::SIGNATURE_HASH,
                    inputs.caller.into_word(),
                    hash,
                ],
                words(&[U256::from(u8::from(cache))]),
            ));
            // Caching costs the program's init cost, plus the module hash read.
            run.charge(u64::from(info.init_cost))?;
            run.read()?;
            info.cached = cache;
            set_program(ctx, run, hash, &info)?;
            Ok(Bytes::new())
        };
        match call {
            C::isCacheManager(_) => {
                run.read()?;
                Ok(words(&[U256::ZERO]))
            }
            C::allCacheManagers(_) => {
                run.read()?;
                Ok(words(&[U256::from(32), U256::ZERO]))
            }
            C::cacheProgram(c) => {
                let hash = code_hash(ctx, run, c.addr)?;
                set(ctx, run, hash, true)
            }
            C::evictCodehash(c) => set(ctx, run, c.codehash, false),
            C::codehashIsCached(c) => {
                let info = get_program(ctx, run, c.codehash)?;
                Ok(words(&[U256::from(u8::from(info.cached))]))
            }
            C::cacheCodehash(_) => Err(Stop::RevertAll),
        }
    }

    fn arb_sys<DB: Database>(
        &self,
        ctx: &mut Ctx<DB>,
        run: &mut Run,
        inputs: &CallInputs,
        input: &[u8],
    ) -> Result<Bytes, Stop> {
        use IArbSys::IArbSysCalls as C;
        let call = C::abi_decode(input).map_err(|_| Stop::RevertAll)?;
        if !inputs.value.get().is_zero() {
            return Err(Stop::RevertAll);
        }
        run.charge(3 * (input.len() as u64 - 4).div_ceil(32))?;
        let number = ctx.block().number();
        Ok(match call {
            C::arbBlockNumber(_) => words(&[number]),
            C::arbBlockHash(c) => {
                let n = c.arbBlockNum;
                if n >= number || number - n > U256::from(256) {
                    return Err(sol_err(IArbSys::InvalidBlockNumber {
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
            C::arbOSVersion(_) => words(&[U256::from(self.shared.arbos.arbsys_version())]),
            C::getStorageGasAvailable(_) => words(&[U256::ZERO]),
            C::isTopLevelCall(_) => words(&[U256::from(u8::from(ctx.journal().depth() <= 2))]),
            C::wasMyCallersAddressAliased(_) => words(&[U256::ZERO]),
            C::myCallersAddressWithoutAliasing(_) => words(&[U256::ZERO]),
        })
    }

    fn arb_owner_public(&self, run: &mut Run, input: &[u8]) -> Result<Bytes, Stop> {
        use IArbOwnerPublic::IArbOwnerPublicCalls as C;
        match C::abi_decode(input) {
            Ok(C::getMaxStylusContractFragments(_)) => {
                if !self.shared.arbos.at_least_60() {
                    return Err(Stop::RevertAll);
                }
                // Fragments are not supported by this engine (see DEVIATIONS): report none.
                run.params()?;
                Ok(words(&[U256::ZERO]))
            }
            // The other views are permissive stubs answering zero.
            Err(_) => Ok(words(&[U256::ZERO])),
        }
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
        let implemented = [ARB_WASM, ARB_WASM_CACHE, ARB_SYS].contains(&addr);
        let res = if implemented && input.len() < 4 {
            Err(Stop::RevertAll)
        } else if implemented && inputs.target_address != addr {
            // Delegate calls and call codes may not act as the precompile.
            Err(Stop::RevertAll)
        } else {
            match addr {
                ARB_WASM => self.arb_wasm(ctx, &mut run, inputs, &input),
                ARB_WASM_CACHE => self.arb_wasm_cache(ctx, &mut run, inputs, &input),
                ARB_SYS => self.arb_sys(ctx, &mut run, inputs, &input),
                ARB_OWNER_PUBLIC => self.arb_owner_public(&mut run, &input),
                ARB_OWNER | ARB_DEBUG => Ok(Bytes::new()),
                _ => Err(Stop::Revert),
            }
        };
        let result_cost = |b: &Bytes| 3 * (b.len() as u64).div_ceil(32);
        let result = match res {
            Ok(out) => {
                if run.gas.record_regular_cost(result_cost(&out)) {
                    InterpreterResult::new(InstructionResult::Return, out, run.gas)
                } else {
                    run.gas.spend_all();
                    InterpreterResult::new(InstructionResult::Revert, Bytes::new(), run.gas)
                }
            }
            Err(Stop::Sol(data)) => {
                if run.gas.record_regular_cost(result_cost(&data)) {
                    InterpreterResult::new(InstructionResult::Revert, data, run.gas)
                } else {
                    run.gas.spend_all();
                    InterpreterResult::new(InstructionResult::Revert, Bytes::new(), run.gas)
                }
            }
            Err(Stop::Revert) => {
                InterpreterResult::new(InstructionResult::Revert, Bytes::new(), run.gas)
            }
            Err(Stop::RevertAll) => {
                run.gas.spend_all();
                InterpreterResult::new(InstructionResult::Revert, Bytes::new(), run.gas)
            }
            Err(Stop::Failed) => {
                run.gas.spend_all();
                InterpreterResult::new(InstructionResult::PrecompileError, Bytes::new(), run.gas)
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
