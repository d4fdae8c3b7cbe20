//! Execution engine of the compute-market dev chain: ordinary EVM contracts (revm 43) and Arbitrum
//! Stylus WASM programs (wasmi 2) side by side, with Nitro's activation precompile, host functions,
//! instrumentation and gas model reimplemented from OffchainLabs/nitro's source (no Nitro code is
//! used; every rule cites the Nitro file it follows).
//!
//! # Public API and revm 43 type paths
//!
//! * [`Engine::transact`] takes `&mut DB` (`DB: revm::Database`), a [`revm::context::CfgEnv`], a
//!   [`revm::context::BlockEnv`] and a [`revm::context::TxEnv`], and returns
//!   [`revm::context::result::ResultAndState`] or [`revm::context::result::EVMError<DB::Error>`].
//!   Nothing is committed: the caller applies `state` with `revm::DatabaseCommit`, exactly as with
//!   revm's mainnet `transact`.
//! * [`Engine::transact_in_block`] is the same with the block's [`RecentPrograms`] cache, for a
//!   node that mines several transactions into one block.
//! * [`Engine::inspect`] is the same with a revm `Inspector` (EVM steps; call/create/log events of
//!   Stylus frames).
//! * [`Engine::transact_profiled`] is the same with a [`GasProfile`]: where the gas went, per frame
//!   (program entry, WASM ink, each hostio, storage, logs; EVM opcode groups) and summed.
//! * [`Engine::genesis_alloc`] lists the predeploys ([`GenesisAccount`]).
//! * [`check_program`] runs activation's acceptance rules on a WASM module without a chain.
//!
//! # ArbOS version
//!
//! The engine follows one [`ArbosVersion`] (51, 60 or 61; default 61, what Arbitrum One and
//! Sepolia run), chosen with [`Engine::with_arbos_version`]: WASM features, limits, the
//! recent-program cache and the precompile views follow it.
//!
//! # Architecture
//!
//! A private `StylusEvm` wraps revm's mainnet `Evm` (frame type `EthFrame`) and implements
//! `EvmTr` itself. Every frame is first set up by `EthFrame::init_with_context` (depth check,
//! checkpoint, value transfer, precompiles); frames whose code starts with `EF F0 00` get a side
//! WASM frame that runs the program's *instrumented* module (see `instrument.rs`: Nitro's ink
//! meter, dynamic meter, depth checker and heap bound) in wasmi with resumable host calls. Every
//! hostio traps out of wasmi to the engine, which serves it with full access to the revm journal,
//! or turns it into a child frame (calls, creates) that revm's iterative loop runs; the WASM frame
//! is resumed when the child returns, so nesting never grows the native stack.
//!
//! # Persistent state
//!
//! Everything ArbWasm knows (activated code hashes with version, init costs, footprint, activation
//! time, cache flag, module hash; the data-pricer model) lives in the storage of the ArbWasm
//! precompile account `0x…71`, so snapshots and reverts of the node's database include it. The
//! compiled-module cache of [`Engine`] is only a cache keyed by code hash.
//!
//! # How program outcomes surface (Nitro `arbos/programs/programs.go`, `userStatus.toResult`)
//!
//! | program outcome | `ExecutionResult` | gas |
//! |---|---|---|
//! | `user_entrypoint` returns 0 | `Success` with the last `write_result` | unused gas returned |
//! | returns non-zero / `exit_early(≠0)` | `Revert` with the last `write_result` | unused gas returned |
//! | trap, bad pointer, write in a static context, bad log | `Revert` with empty output | unused gas returned |
//! | out of ink | `Halt(OutOfGas(Basic))` | all gas |
//! | depth budget exhausted | `Halt(StackOverflow)` | all gas |
//! | code `EF F0 00…` not activated / needs upgrade / expired | `Halt(NotActivated)` | all gas |
//! | activation rejects the module | `Halt(PrecompileError)` | all gas |
//!
//! # Deviations from Nitro
//!
//! See [`DEVIATIONS`] and the engine README.

mod activation;
mod chain;
mod deployer;
mod evm;
mod frame;
mod hostio;
mod instrument;
mod precompiles;
mod profile;
mod shared;

use std::sync::Arc;

use revm::context::result::{EVMError, ResultAndState};
use revm::context::{BlockEnv, CfgEnv, TxEnv};
use revm::primitives::{Bytes, B256, U256};

pub use activation::{
    check_program, data_fee, memory_gas, page_limit, Activated, ActivationError, ModuleStats,
    ProgramInfo,
};
pub use chain::*;
pub use frame::RecentPrograms;
pub use hostio::{DebugImport, Hostio, HostioId, DEBUG_IMPORTS, HOSTIOS};
pub use instrument::{
    DEPTH_ENTRY_OPS, DEPTH_RETURN_OPS, DYNAMIC_OPS, HEAP_OPS, INK_HEADER, MAX_FRAME_CONTENTION,
    MAX_FRAME_SIZE, MEMORY_BYTE_INK, METER_HEADER_OPS,
};
pub use profile::{
    EvmProfile, FrameKind, FrameProfile, GasProfile, HostioStat, OpStat, ProfileTotals,
    StorageStat, StylusProfile, HOSTIO_COUNT,
};
pub use stylus_format::{
    compress, decompress, deploy_initcode, is_stylus, CodeFormatError, MAX_CODE_SIZE,
    MAX_WASM_SIZE, STYLUS_PREFIX,
};

use shared::Shared;

/// The revm this engine is built on (its environment, result and database types are the engine's
/// API), for callers that build environments without a revm dependency of their own.
pub use revm;

/// The documented deviations from Nitro, one line each (also in the engine README with their gas
/// magnitude).
pub const DEVIATIONS: &[&str] = &[
    "module hash in ProgramActivated: keccak256(codehash ‖ version) (Nitro's prover module hash cannot be reproduced)",
    "brotli dictionary 1 (Nitro's built-in Stylus program dictionary) is not carried: such programs revert at activation with empty data (gas returned), where Nitro activates them",
    "fragment/root programs (EF F0 01 / EF F0 02, ArbOS ≥ 60) deploy but cannot be activated (empty revert); getMaxStylusContractFragments() returns 0",
    "data fee: kept by the ArbWasm account 0x71 instead of the network fee account",
    "ArbWasmCache.cacheProgram / evictCodehash: allowed for any caller (no cache managers or chain owner on the dev chain)",
    "block_number hostio and ArbSys.arbBlockNumber both return the L2 block number (no L1)",
    "StylusDeployer: its Solidity body's own gas is a fixed 5,000 per call and requiresActivation reads the record natively (the child frames are priced exactly)",
    "ArbOS 61 is handled as 60: Stylus changes after Nitro commit 6dce8d13 (2026-04-23) are not included",
    "inspection (Engine::inspect): Stylus frames report call/create start and end and their logs, but no per-instruction steps (Nitro's stylusTracer records hostio calls)",
    "precompiles not used by Stylus tooling (ArbInfo, ArbAddressTable, ArbGasInfo, ArbAggregator, ArbRetryableTx) hold code 0xFE; ArbOwner and ArbDebug accept every call; ArbOwnerPublic's other views answer 0",
];

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
            .field("arbos", &self.shared.arbos)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Creates an engine for the default ArbOS version ([`ArbosVersion::V61`]).
    pub fn new(config: EngineConfig) -> Self {
        Self::with_arbos_version(config, ArbosVersion::default())
    }

    /// Creates an engine that follows the Stylus rules of `arbos`.
    pub fn with_arbos_version(config: EngineConfig, arbos: ArbosVersion) -> Self {
        Self {
            shared: Arc::new(Shared::new(config, arbos)),
        }
    }

    /// Returns the configuration this engine was built with.
    pub fn config(&self) -> EngineConfig {
        self.shared.config
    }

    /// Returns the ArbOS version this engine follows.
    pub fn arbos_version(&self) -> ArbosVersion {
        self.shared.arbos
    }

    /// Executes one transaction against `db` without committing, with the semantics of revm's
    /// mainnet `transact` (validation, nonce/balance checks, fee payment, refunds) plus Stylus
    /// programs, the Arbitrum precompiles and the native StylusDeployer. The recent-program cache
    /// starts empty, as for the first transaction of a block (and for Nitro's `eth_call`).
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
        let mut recent = RecentPrograms::new();
        evm::transact(&self.shared, db, cfg, block, tx, &mut recent)
    }

    /// [`Engine::transact`] for a transaction of a block whose earlier transactions called
    /// programs: `recent` is the block's cache (start each block with [`RecentPrograms::new`]).
    /// Entries added by this transaction stay even if it reverts or is dropped, as on Nitro.
    ///
    /// # Errors
    /// As [`Engine::transact`].
    pub fn transact_in_block<DB: revm::Database>(
        &self,
        db: &mut DB,
        cfg: &CfgEnv,
        block: &BlockEnv,
        tx: TxEnv,
        recent: &mut RecentPrograms,
    ) -> Result<ResultAndState, EVMError<DB::Error>> {
        evm::transact(&self.shared, db, cfg, block, tx, recent)
    }

    /// [`Engine::transact`] with the gas accounting on: the same execution and the same result
    /// (profiling changes no gas), plus a [`GasProfile`] of where the receipt's `gasUsed` went —
    /// intrinsic and calldata gas, refund, and every frame's own work: for Stylus programs the
    /// entry (init and memory pages), the ink of WASM instructions, each hostio's count, ink and
    /// EVM-rule gas, storage traffic and the output charge; for EVM code the SLOAD, SSTORE, LOG and
    /// KECCAK256 gas and the rest. Units and the source of each cost rule are documented on the
    /// [`GasProfile`] fields. The recent-program cache starts empty, as in [`Engine::transact`].
    ///
    /// # Errors
    /// As [`Engine::transact`].
    pub fn transact_profiled<DB: revm::Database>(
        &self,
        db: &mut DB,
        cfg: &CfgEnv,
        block: &BlockEnv,
        tx: TxEnv,
    ) -> Result<(ResultAndState, GasProfile), EVMError<DB::Error>> {
        evm::transact_profiled(&self.shared, db, cfg, block, tx)
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
