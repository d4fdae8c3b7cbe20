//! Shared test harness: an in-memory chain driven through `Engine::transact`.
#![allow(dead_code)]

use devnet_engine::{ArbosVersion, Engine, EngineConfig, GasProfile, RecentPrograms, ARB_WASM};
use revm::context::result::ExecutionResult;
use revm::context::{BlockEnv, CfgEnv, TxEnv};
use revm::database::InMemoryDB;
use revm::primitives::{address, keccak256, Address, Bytes, TxKind, B256, U256};
use revm::state::{AccountInfo, Bytecode};
use revm::{Database, DatabaseCommit};

pub const CHAIN_ID: u64 = 412_346;
pub const ALICE: Address = address!("3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E");
pub const BOB: Address = address!("00000000000000000000000000000000000b0b00");

/// Forwarder: calldata = addr(20) ‖ data; CALLs addr with data and all gas, returns/reverts its output.
pub const EVM_FORWARDER: &str =
    "36601490038060146000376000600082600060006000356060 1c5af13d600060003e15602a573d6000f35b3d6000fd";
/// Storer: SSTORE(0, calldata[0..32]); returns that word.
pub const EVM_STORER: &str = "600035806000556000526020 6000f3";
/// Reverter: reverts with the single byte 0xaa.
pub const EVM_REVERTER: &str = "60aa60005360016000fd";

pub fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

pub fn word(x: u64) -> [u8; 32] {
    U256::from(x).to_be_bytes::<32>()
}

pub struct Chain {
    pub engine: Engine,
    pub db: InMemoryDB,
    pub cfg: CfgEnv,
    pub block: BlockEnv,
}

impl Chain {
    pub fn new() -> Self {
        Self::with_config(EngineConfig::default())
    }

    pub fn with_config(config: EngineConfig) -> Self {
        Self::with_engine(Engine::new(config))
    }

    pub fn with_arbos(arbos: ArbosVersion) -> Self {
        Self::with_engine(Engine::with_arbos_version(EngineConfig::default(), arbos))
    }

    pub fn with_engine(engine: Engine) -> Self {
        let mut db = InMemoryDB::default();
        for acc in engine.genesis_alloc() {
            let code = Bytecode::new_legacy(acc.code.clone());
            db.insert_account_info(
                acc.address,
                AccountInfo {
                    balance: acc.balance,
                    nonce: acc.nonce,
                    code_hash: code.hash_slow(),
                    code: Some(code),
                    ..Default::default()
                },
            );
            for (k, v) in acc.storage {
                db.insert_account_storage(acc.address, k, v).unwrap();
            }
        }
        let eth = U256::from(10u64).pow(U256::from(18));
        for a in [ALICE, BOB] {
            db.insert_account_info(
                a,
                AccountInfo {
                    balance: eth * U256::from(1000),
                    ..Default::default()
                },
            );
        }
        let cfg = CfgEnv::default().with_chain_id(CHAIN_ID);
        let block = BlockEnv {
            number: U256::from(1),
            timestamp: U256::from(1_750_000_000u64),
            gas_limit: 1 << 50,
            basefee: 0,
            beneficiary: address!("A4B000000000000000000073657175656e636572"),
            ..Default::default()
        };
        Self {
            engine,
            db,
            cfg,
            block,
        }
    }

    pub fn set_code(&mut self, addr: Address, code: Vec<u8>) {
        let code = Bytecode::new_legacy(code.into());
        let mut info = self.db.basic(addr).unwrap().unwrap_or_default();
        info.code_hash = code.hash_slow();
        info.code = Some(code);
        self.db.insert_account_info(addr, info);
    }

    pub fn nonce(&mut self, a: Address) -> u64 {
        self.db.basic(a).unwrap().map(|i| i.nonce).unwrap_or(0)
    }

    pub fn balance(&mut self, a: Address) -> U256 {
        self.db
            .basic(a)
            .unwrap()
            .map(|i| i.balance)
            .unwrap_or_default()
    }

    pub fn storage(&mut self, a: Address, k: U256) -> U256 {
        self.db.storage(a, k).unwrap()
    }

    pub fn code(&mut self, a: Address) -> Bytes {
        self.db
            .basic(a)
            .unwrap()
            .and_then(|i| i.code)
            .map(|c| c.original_bytes())
            .unwrap_or_default()
    }

    pub fn tx(
        &mut self,
        from: Address,
        kind: TxKind,
        data: Vec<u8>,
        value: U256,
        gas: u64,
    ) -> ExecutionResult {
        let r = self.tx_in_block(from, kind, data, value, gas, &mut RecentPrograms::new());
        self.block.number += U256::from(1);
        self.block.timestamp += U256::from(1);
        r
    }

    /// Executes and commits a transaction in the current block (which is not advanced), with the
    /// block's recent-program cache.
    pub fn tx_in_block(
        &mut self,
        from: Address,
        kind: TxKind,
        data: Vec<u8>,
        value: U256,
        gas: u64,
        recent: &mut RecentPrograms,
    ) -> ExecutionResult {
        let tx = self.tx_env(from, kind, data, value, gas);
        let out = self
            .engine
            .transact_in_block(&mut self.db, &self.cfg, &self.block, tx, recent)
            .unwrap();
        self.db.commit(out.state);
        out.result
    }

    /// The transaction environment of a transaction from `from` at its next nonce.
    pub fn tx_env(
        &mut self,
        from: Address,
        kind: TxKind,
        data: Vec<u8>,
        value: U256,
        gas: u64,
    ) -> TxEnv {
        let nonce = self.nonce(from);
        TxEnv::builder()
            .caller(from)
            .kind(kind)
            .data(data.into())
            .value(value)
            .gas_limit(gas)
            .gas_price(u128::from(self.block.basefee))
            .nonce(nonce)
            .chain_id(Some(CHAIN_ID))
            .build()
            .unwrap()
    }

    /// Calls `to` from ALICE with the gas accounting on, after running the same transaction
    /// without it on a copy of the state and checking that both end the same (result, gas,
    /// state); commits and advances the block like [`Chain::tx`].
    pub fn call_profiled(&mut self, to: Address, data: Vec<u8>) -> (ExecutionResult, GasProfile) {
        let tx = self.tx_env(ALICE, TxKind::Call(to), data, U256::ZERO, 10_000_000);
        let mut copy = self.db.clone();
        let plain = self
            .engine
            .transact(&mut copy, &self.cfg, &self.block, tx.clone())
            .unwrap();
        let (out, profile) = self
            .engine
            .transact_profiled(&mut self.db, &self.cfg, &self.block, tx)
            .unwrap();
        assert_eq!(plain.result, out.result, "profiling changed the result");
        assert_eq!(plain.state, out.state, "profiling changed the state");
        self.db.commit(out.state);
        self.block.number += U256::from(1);
        self.block.timestamp += U256::from(1);
        (out.result, profile)
    }

    pub fn call(&mut self, to: Address, data: Vec<u8>) -> ExecutionResult {
        self.tx(ALICE, TxKind::Call(to), data, U256::ZERO, 10_000_000)
    }

    pub fn call_value(&mut self, to: Address, data: Vec<u8>, value: U256) -> ExecutionResult {
        self.tx(ALICE, TxKind::Call(to), data, value, 10_000_000)
    }

    pub fn create(&mut self, initcode: Vec<u8>) -> ExecutionResult {
        self.tx(ALICE, TxKind::Create, initcode, U256::ZERO, 10_000_000)
    }

    /// Activates `program` through ArbWasm with 1 ETH of value (excess refunded).
    pub fn activate(&mut self, program: Address) -> ExecutionResult {
        let mut data = hex("58c780c2");
        data.extend_from_slice(program.into_word().as_slice());
        self.call_value(ARB_WASM, data, U256::from(10u64).pow(U256::from(18)))
    }

    /// Installs a WAT program at `addr` (code format EF F0 00 00 ‖ brotli) and activates it.
    pub fn install_wat(&mut self, addr: Address, wat: &str) {
        let wasm = wat::parse_str(wat).unwrap();
        self.set_code(addr, devnet_engine::compress(&wasm));
        let r = self.activate(addr);
        assert!(r.is_success(), "activation failed: {r:?}");
    }
}

pub fn out(r: &ExecutionResult) -> Bytes {
    match r {
        ExecutionResult::Success { output, .. } => output.data().clone(),
        ExecutionResult::Revert { output, .. } => output.clone(),
        ExecutionResult::Halt { .. } => Bytes::new(),
    }
}

pub fn gas_used(r: &ExecutionResult) -> u64 {
    r.tx_gas_used()
}

pub fn codehash(code: &[u8]) -> B256 {
    keccak256(code)
}

/// The project's contracts as deployed: `scripts/build-wasm.sh` (the CI builds it first, so this is
/// a cache hit there), or the prebuilt `<crate>.wasm` files in `COMPUTE_MARKET_WASM_DIR`. Crate
/// name → raw wasm (before cargo-stylus's rewrite). Built once per test run.
pub fn contracts() -> &'static std::collections::BTreeMap<String, Vec<u8>> {
    use std::path::PathBuf;
    static WASM: std::sync::OnceLock<std::collections::BTreeMap<String, Vec<u8>>> =
        std::sync::OnceLock::new();
    WASM.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let list = std::fs::read_to_string(root.join("scripts/contracts.txt")).unwrap();
        let crates: Vec<String> = list
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect();
        let paths: Vec<PathBuf> = match std::env::var_os("COMPUTE_MARKET_WASM_DIR") {
            Some(dir) => crates
                .iter()
                .map(|c| PathBuf::from(&dir).join(format!("{}.wasm", c.replace('-', "_"))))
                .collect(),
            None => {
                let out = std::process::Command::new("bash")
                    .arg(root.join("scripts/build-wasm.sh"))
                    .current_dir(&root)
                    .env_remove("CARGO_TARGET_DIR")
                    .stderr(std::process::Stdio::inherit())
                    .output()
                    .expect("running scripts/build-wasm.sh");
                assert!(out.status.success(), "scripts/build-wasm.sh failed");
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .map(|l| PathBuf::from(l.trim()))
                    .collect()
            }
        };
        crates
            .into_iter()
            .zip(paths)
            .map(|(c, p)| {
                let wasm = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                (c, wasm)
            })
            .collect()
    })
}
