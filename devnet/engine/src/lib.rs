//! Execution engine of the compute-market dev chain: ordinary EVM contracts (revm 43) and Arbitrum
//! Stylus WASM programs (wasmi 2) side by side, with Nitro's activation precompile, host functions
//! and gas model reimplemented from public documentation (`shared/docs/stylus-runtime.md`; no Nitro
//! code is used).
//!
//! # Public API and revm 43 type paths
//!
//! * [`Engine::transact`] takes `&mut DB` (`DB: revm::Database`), a [`revm::context::CfgEnv`], a
//!   [`revm::context::BlockEnv`] and a [`revm::context::TxEnv`], and returns
//!   [`revm::context::result::ResultAndState`] (an alias of
//!   `ExecResultAndState<ExecutionResult<HaltReason>, EvmState>`) or
//!   [`revm::context::result::EVMError<DB::Error>`]. Nothing is committed: the caller applies
//!   `state` with `revm::DatabaseCommit`, exactly as with revm's mainnet `transact`.
//! * [`Engine::inspect`] is the same with a revm `Inspector` (EVM steps; call/create/log events of
//!   Stylus frames).
//! * [`Engine::genesis_alloc`] lists the predeploys ([`GenesisAccount`]).
//!
//! # Architecture (see `shared/docs/devchain.md` §2)
//!
//! A private `StylusEvm` wraps revm's mainnet `Evm` (frame type `EthFrame`) and implements
//! `EvmTr` itself. Every frame is first set up by `EthFrame::init_with_context` (depth check,
//! checkpoint, value transfer, precompiles); frames whose code starts with `EF F0 00` get a side
//! WASM frame that runs the program in wasmi with *resumable* host calls. Every hostio traps out of
//! wasmi to the engine, which serves it with full access to the revm journal, or turns it into a
//! child frame (calls, creates) that revm's iterative loop runs; the WASM frame is resumed when the
//! child returns, so nesting never grows the native stack. The stock `MainnetHandler` drives it all.
//!
//! # Persistent state
//!
//! Everything ArbWasm knows (activated code hashes with version, init costs, footprint, activation
//! time, cache flag; the data-pricer model) lives in the storage of the ArbWasm precompile account
//! `0x…71`, so snapshots and reverts of the node's database include it. The compiled-module cache
//! of [`Engine`] is only a cache keyed by code hash.
//!
//! # How program outcomes surface (stylus-runtime.md §2.4)
//!
//! | program outcome | `ExecutionResult` | gas |
//! |---|---|---|
//! | `user_entrypoint` returns 0 | `Success` with the last `write_result` | unused gas returned |
//! | returns non-zero / `exit_early(≠0)` | `Revert` with the last `write_result` | unused gas returned |
//! | trap, bad pointer, write in a static context, bad log | `Revert` with empty output | unused gas returned |
//! | out of ink | `Halt(OutOfGas(Basic))` | all gas |
//! | wasmi call-stack exhaustion | `Halt(StackOverflow)` | all gas |
//! | code `EF F0 00…` not activated / needs upgrade / expired | `Halt(NotActivated)` | all gas |
//! | activation failure in `ArbWasm.activateProgram` | `Revert` with `Error("program activation failed: …")` | all gas |
//!
//! # Deviations from Nitro
//!
//! See [`DEVIATIONS`].

mod activation;
mod deployer;
mod evm;
mod format;
mod hostio;
mod ink;
mod precompiles;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use revm::context::result::{EVMError, ResultAndState};
use revm::context::{BlockEnv, CfgEnv, TxEnv};
use revm::primitives::{address, Address, Bytes, B256, U256};

pub use activation::{memory_gas, ActivationError, ModuleStats, ProgramInfo};
pub use format::{
    compress, decompress, deploy_initcode, is_stylus, CodeFormatError, MAX_CODE_SIZE,
    MAX_WASM_SIZE, STYLUS_PREFIX,
};
pub use hostio::{Hostio, HOSTIOS};

/// The ArbSys precompile (`arbBlockNumber`, `arbChainID`, `arbOSVersion`, ...; stylus-runtime.md §4.3).
pub const ARB_SYS: Address = address!("0000000000000000000000000000000000000064");
/// ArbInfo (holds code `0xFE`; not implemented beyond that).
pub const ARB_INFO: Address = address!("0000000000000000000000000000000000000065");
/// ArbAddressTable (holds code `0xFE`; not implemented beyond that).
pub const ARB_ADDRESS_TABLE: Address = address!("0000000000000000000000000000000000000066");
/// ArbOwnerPublic (`getMaxStylusContractFragments()` returns 0).
pub const ARB_OWNER_PUBLIC: Address = address!("000000000000000000000000000000000000006b");
/// ArbGasInfo (holds code `0xFE`; not implemented beyond that).
pub const ARB_GAS_INFO: Address = address!("000000000000000000000000000000000000006c");
/// ArbAggregator (holds code `0xFE`; not implemented beyond that).
pub const ARB_AGGREGATOR: Address = address!("000000000000000000000000000000000000006d");
/// ArbRetryableTx (holds code `0xFE`; not implemented beyond that).
pub const ARB_RETRYABLE_TX: Address = address!("000000000000000000000000000000000000006e");
/// ArbOwner: every call succeeds with empty output (the devnet setup calls it; stylus-runtime.md §4.4).
pub const ARB_OWNER: Address = address!("0000000000000000000000000000000000000070");
/// The ArbWasm precompile: activation and program views (stylus-runtime.md §4.1).
pub const ARB_WASM: Address = address!("0000000000000000000000000000000000000071");
/// The ArbWasmCache precompile (stylus-runtime.md §4.2).
pub const ARB_WASM_CACHE: Address = address!("0000000000000000000000000000000000000072");
/// ArbDebug: every call succeeds with empty output (`becomeChainOwner()`; stylus-runtime.md §4.4).
pub const ARB_DEBUG: Address = address!("00000000000000000000000000000000000000ff");
/// The deterministic-deployment CREATE2 factory (stylus-runtime.md §3.4).
pub const CREATE2_FACTORY: Address = address!("4e59b44847b379578588920ca78fbf26c0b4956c");
/// The StylusDeployer used by `cargo stylus deploy` for constructors (stylus-runtime.md §3.4),
/// implemented natively by this engine.
pub const STYLUS_DEPLOYER: Address = address!("cEcba2F1DC234f70Dd89F2041029807F8D03A990");

/// Every Arbitrum precompile address this engine installs with code `0xFE` (stylus-runtime.md §4).
pub const ARB_PRECOMPILES: [Address; 11] = [
    ARB_SYS,
    ARB_INFO,
    ARB_ADDRESS_TABLE,
    ARB_OWNER_PUBLIC,
    ARB_GAS_INFO,
    ARB_AGGREGATOR,
    ARB_RETRYABLE_TX,
    ARB_OWNER,
    ARB_WASM,
    ARB_WASM_CACHE,
    ARB_DEBUG,
];

/// Runtime code of the CREATE2 factory, 69 bytes (stylus-runtime.md §3.4).
pub const CREATE2_FACTORY_CODE: &str = "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3";

/// The Stylus version reported by `ArbWasm.stylusVersion()` and stored on activation (2 on every
/// ArbOS ≥ 31 chain; stylus-runtime.md §8).
pub const STYLUS_VERSION: u16 = 2;
/// Ink per gas (`ArbWasm.inkPrice()`; stylus-runtime.md §6.1).
pub const INK_PRICE: u64 = 10_000;
/// ArbOS version this engine imitates (multi-value allowed, no fragments; `arbOSVersion()` = 55 + this).
pub const ARBOS_VERSION: u64 = 51;

/// The documented deviations from Nitro, one line each (also summarised in the README design notes).
pub const DEVIATIONS: &[&str] = &[
    "ink: wasmi fuel with a per-operator table; 1 fuel = 25 ink, so operator prices are rounded to multiples of 25 ink and capped at 255 fuel (6,375 ink: call_indirect, memory.grow); Nitro's 2,450-ink basic-block header is charged on the branching operators (br, br_if, br_table, if, else, return, call, call_indirect) instead of per block, and not on `end` (wasmi charges a loop's `end` on every iteration), so straight-line block ends and function entries are one header (0.245 gas) cheaper; a tight loop iteration is within 1% of Nitro",
    "memory.copy/memory.fill: 25 ink per byte (wasmi's finest dynamic fuel unit) instead of 100; memory.grow also costs 25 ink per new byte (≈164 gas per page) on top of the memory model, where Nitro charges only the model",
    "stack depth: wasmi's own call-stack limit instead of Nitro's stylus_stack_left instrumentation; exhaustion is reported as OutOfStack (all gas consumed)",
    "init costs: computed from the module with Nitro's documented formulas; the operator count used for activation gas is taken before instrumentation",
    "recent-program cache (ArbOS 60): a program counts as cached after its first call in the same transaction, not the same block",
    "activation failure: reverts with Error(string \"program activation failed: …\") and burns all gas (Nitro burns all gas but returns no revert data)",
    "data fee: kept by the ArbWasm account 0x71 instead of the network fee account",
    "ArbWasmCache.cacheProgram / evictCodehash: allowed for any caller (no cache managers or chain owner on the dev chain)",
    "module hash in ProgramActivated: keccak256(codehash ‖ version) (Nitro's prover hash cannot be reproduced)",
    "brotli dictionary 1 (the Stylus program dictionary) is not supported: activation fails with a clear error",
    "fragment/root programs (EF F0 01 / EF F0 02, ArbOS 60) are not supported",
    "block_number hostio and ArbSys.arbBlockNumber both return the L2 block number (no L1)",
    "inspection (Engine::inspect): Stylus frames report call/create start and end and their logs, but no per-instruction steps (Nitro's stylusTracer records hostio calls)",
];

/// The revm context type the engine executes in (what an [`revm::Inspector`] passed to
/// [`Engine::inspect`] sees).
pub type EngineContext<DB> =
    revm::context::Context<BlockEnv, TxEnv, CfgEnv, DB, revm::context::Journal<DB>, ()>;

/// Engine options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineConfig {
    /// Enables the `console` debug imports (`log_txt`, `log_i32`, …; stylus-runtime.md §1.4).
    /// Without it, programs importing them fail activation, as on a non-debug Nitro chain.
    pub debug: bool,
}

/// An account to install at genesis (a predeploy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenesisAccount {
    /// Account address.
    pub address: Address,
    /// Balance in wei.
    pub balance: U256,
    /// Account nonce.
    pub nonce: u64,
    /// Runtime code bytes (may be empty).
    pub code: Bytes,
    /// Storage slots `(key, value)`.
    pub storage: Vec<(U256, U256)>,
}

/// Shared, immutable-after-construction engine parts plus the module cache.
pub(crate) struct Shared {
    pub(crate) config: EngineConfig,
    pub(crate) wasm: wasmi::Engine,
    pub(crate) linker: wasmi::Linker<evm::HostData>,
    pub(crate) modules: Mutex<HashMap<B256, wasmi::Module>>,
}

impl Shared {
    /// Returns the cached module for `codehash`, or compiles `wasm` and caches it.
    pub(crate) fn module(&self, codehash: B256, wasm: &[u8]) -> Result<wasmi::Module, String> {
        if let Ok(cache) = self.modules.lock() {
            if let Some(m) = cache.get(&codehash) {
                return Ok(m.clone());
            }
        }
        let module = wasmi::Module::new(&self.wasm, wasm).map_err(|e| e.to_string())?;
        if let Ok(mut cache) = self.modules.lock() {
            cache.insert(codehash, module.clone());
        }
        Ok(module)
    }

    /// Returns the cached module for `codehash`, if any.
    pub(crate) fn cached_module(&self, codehash: &B256) -> Option<wasmi::Module> {
        self.modules
            .lock()
            .ok()
            .and_then(|c| c.get(codehash).cloned())
    }
}

/// The execution engine. Cheap to clone; `Send + Sync + 'static` (the module cache sits behind
/// `Arc<Mutex<..>>`).
#[derive(Clone)]
pub struct Engine {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Creates an engine with a wasmi engine configured for Stylus ink metering (see [`DEVIATIONS`]).
    pub fn new(config: EngineConfig) -> Self {
        let wasm = ink::wasmi_engine();
        let linker = hostio::linker(&wasm, config.debug);
        Self {
            shared: Arc::new(Shared {
                config,
                wasm,
                linker,
                modules: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Returns the configuration this engine was built with.
    pub fn config(&self) -> EngineConfig {
        self.shared.config
    }

    /// Executes one transaction against `db` without committing, with the semantics of revm's
    /// mainnet `transact` (validation, nonce/balance checks, fee payment, refunds) plus Stylus
    /// programs, the Arbitrum precompiles and the native StylusDeployer. `cfg` (chain id, spec,
    /// limits) and `block` come from the caller; the caller commits `state` with `DatabaseCommit`.
    ///
    /// # Errors
    /// revm's transaction-validation errors and database errors (`EVMError`). Program failures are
    /// never errors: they end as a revert or halt in the `ExecutionResult`.
    pub fn transact<DB: revm::Database>(
        &self,
        db: &mut DB,
        cfg: &CfgEnv,
        block: &BlockEnv,
        tx: TxEnv,
    ) -> Result<ResultAndState, EVMError<DB::Error>> {
        evm::transact(&self.shared, db, cfg, block, tx)
    }

    /// Like [`Engine::transact`], with a revm [`revm::Inspector`] (tracers, access-list builders,
    /// gas inspectors). EVM frames are stepped as usual; Stylus program frames and the native
    /// StylusDeployer report `call`/`create`, `call_end`/`create_end` and their logs, but no
    /// instruction steps. Pass `&mut inspector` to keep ownership.
    ///
    /// # Errors
    /// As [`Engine::transact`].
    pub fn inspect<'a, DB, I>(
        &self,
        db: &'a mut DB,
        cfg: &CfgEnv,
        block: &BlockEnv,
        tx: TxEnv,
        inspector: I,
    ) -> Result<ResultAndState, EVMError<DB::Error>>
    where
        DB: revm::Database,
        I: revm::Inspector<EngineContext<&'a mut DB>>,
    {
        evm::inspect(&self.shared, db, cfg, block, tx, inspector)
    }

    /// Accounts to install at genesis: the Arbitrum precompiles (code `0xFE`), the CREATE2 factory
    /// and the StylusDeployer (code `0xFE`; the engine runs it natively).
    pub fn genesis_alloc(&self) -> Vec<GenesisAccount> {
        let fe = Bytes::from_static(&[0xFE]);
        let mut out: Vec<GenesisAccount> = ARB_PRECOMPILES
            .iter()
            .map(|a| GenesisAccount {
                address: *a,
                balance: U256::ZERO,
                nonce: 0,
                code: fe.clone(),
                storage: Vec::new(),
            })
            .collect();
        out.push(GenesisAccount {
            address: CREATE2_FACTORY,
            balance: U256::ZERO,
            nonce: 1,
            code: Bytes::from(hex_decode(CREATE2_FACTORY_CODE)),
            storage: Vec::new(),
        });
        out.push(GenesisAccount {
            address: STYLUS_DEPLOYER,
            balance: U256::ZERO,
            nonce: 1,
            code: fe,
            storage: Vec::new(),
        });
        out
    }

    /// Reads the activation record of `codehash` from a database (the storage of [`ARB_WASM`]).
    /// Returns `None` if the code hash was never activated.
    ///
    /// # Errors
    /// The database's error.
    pub fn program_info<DB: revm::Database>(
        db: &mut DB,
        codehash: B256,
    ) -> Result<Option<ProgramInfo>, DB::Error> {
        let word = db.storage(ARB_WASM, U256::from_be_bytes(codehash.0))?;
        Ok(ProgramInfo::unpack(word))
    }
}

/// Decodes a hex string without `0x` (only used on constants).
fn hex_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let nib = |c: u8| -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 0,
        }
    };
    b.chunks(2)
        .map(|p| (nib(p[0]) << 4) | nib(*p.get(1).unwrap_or(&b'0')))
        .collect()
}
