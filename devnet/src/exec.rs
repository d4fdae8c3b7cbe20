//! The execution seam: the only module that constructs an EVM.
//!
//! Everything else in the node hands a [`TxEnv`] plus block and config environments to
//! [`Executor::transact`] and gets a [`ResultAndState`] back; committing the state diff is the
//! caller's job. Execution is `devnet_engine::Engine`: revm's mainnet EVM with Arbitrum Stylus
//! programs (WASM, activation through ArbWasm, the StylusDeployer) running beside EVM code.

use alloy_primitives::{Address, U256};
use devnet_engine::{ArbosVersion, Engine, EngineConfig, RecentPrograms};
use revm::{
    context::{
        result::{EVMError, ResultAndState},
        BlockEnv, CfgEnv, TxEnv,
    },
    primitives::keccak256,
    state::{AccountInfo, Bytecode},
    Database,
};

/// A genesis allocation: address, account info (balance, nonce, code) and storage slots.
pub type GenesisAccount = (Address, AccountInfo, Vec<(U256, U256)>);

/// Runs transactions against a caller-supplied database without committing them.
#[derive(Clone)]
pub struct Executor {
    debug: bool,
    engine: Engine,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("debug", &self.debug)
            .finish()
    }
}

impl Executor {
    /// Creates an executor following ArbOS `arbos`'s Stylus rules. `debug` enables the Stylus
    /// `console` debug imports (programs that import them are rejected at activation otherwise, as
    /// on Nitro).
    pub fn new(debug: bool, arbos: ArbosVersion) -> Self {
        Self {
            debug,
            engine: Engine::with_arbos_version(EngineConfig { debug }, arbos),
        }
    }

    /// Whether debug mode is on.
    pub fn debug(&self) -> bool {
        self.debug
    }

    /// Executes `tx` on top of `db` in the given block and config environment.
    ///
    /// The returned state diff is not applied to `db`; the caller commits it (mining) or drops it
    /// (`eth_call`, `eth_estimateGas`).
    pub fn transact<DB: Database>(
        &self,
        db: &mut DB,
        cfg: &CfgEnv,
        block: &BlockEnv,
        tx: TxEnv,
    ) -> Result<ResultAndState, EVMError<DB::Error>> {
        self.engine.transact(db, cfg, block, tx)
    }

    /// [`Self::transact`] for a transaction mined in a block whose earlier transactions used
    /// `recent` (Nitro's per-block recent-program cache, from ArbOS 60).
    pub fn transact_in_block<DB: Database>(
        &self,
        db: &mut DB,
        cfg: &CfgEnv,
        block: &BlockEnv,
        tx: TxEnv,
        recent: &mut RecentPrograms,
    ) -> Result<ResultAndState, EVMError<DB::Error>> {
        self.engine.transact_in_block(db, cfg, block, tx, recent)
    }

    /// Accounts to install at genesis, as on the Nitro dev node: the Arbitrum precompiles the SDK
    /// and cargo-stylus touch (code `0xFE`), the CREATE2 factory and the StylusDeployer.
    pub fn genesis_alloc(&self) -> Vec<GenesisAccount> {
        self.engine
            .genesis_alloc()
            .into_iter()
            .map(|a| {
                let info = AccountInfo {
                    balance: a.balance,
                    nonce: a.nonce,
                    code_hash: keccak256(&a.code),
                    code: Some(Bytecode::new_raw(a.code)),
                    ..Default::default()
                };
                (a.address, info, a.storage)
            })
            .collect()
    }
}
