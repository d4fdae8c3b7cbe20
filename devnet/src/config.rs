//! Node configuration with Nitro dev-node defaults.

use std::{
    net::{IpAddr, Ipv4Addr},
    path::PathBuf,
    time::Duration,
};

use alloy_primitives::{b256, B256, U256};

use crate::server::Limits;

/// The Nitro dev node's prefunded key (address `0x3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E`).
pub const NITRO_DEV_KEY: B256 =
    b256!("b6b15c8cb491557369f3c7d2c287b053eb229daa9c22138887752191c9520659");
/// The anvil/hardhat test mnemonic.
pub const TEST_MNEMONIC: &str = "test test test test test test test test test test test junk";
/// Nitro's dev chain id.
pub const DEFAULT_CHAIN_ID: u64 = 412_346;
/// Nitro's dev HTTP port.
pub const DEFAULT_PORT: u16 = 8547;
/// Block gas limit: Nitro's header value, 2^50.
pub const DEFAULT_BLOCK_GAS_LIMIT: u64 = 1 << 50;
/// Per-transaction gas cap: Arbitrum's 32M, above the 2^24 of EIP-7825 so that a 24 KB Stylus
/// deployment plus activation fits in one transaction.
pub const DEFAULT_TX_GAS_CAP: u64 = 32_000_000;
/// Arbitrum's minimum base fee, 0.1 gwei.
pub const DEFAULT_MIN_BASE_FEE: u64 = 100_000_000;

/// Everything needed to start a node.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// Interface to bind.
    pub host: IpAddr,
    /// Port to bind (0 picks a free one).
    pub port: u16,
    /// Chain id.
    pub chain_id: u64,
    /// Number of accounts derived from `mnemonic`.
    pub accounts: usize,
    /// Mnemonic for the dev accounts.
    pub mnemonic: String,
    /// Extra prefunded key, listed first (the Nitro dev key by default).
    pub dev_key: Option<B256>,
    /// Genesis balance of every dev account, in wei.
    pub balance: U256,
    /// Interval mining period; `None` means automine (one block per transaction).
    pub block_time: Option<Duration>,
    /// State database loaded at start and written at every block and dev-method call.
    pub state_path: Option<PathBuf>,
    /// `fsync` every state-database commit (power-loss durability; without it commits survive
    /// the death of the process and the file is flushed when the node closes it).
    pub state_fsync: bool,
    /// Debug mode for the executor.
    pub debug: bool,
    /// Header gas limit.
    pub block_gas_limit: u64,
    /// Per-transaction gas cap.
    pub tx_gas_cap: u64,
    /// Base fee floor in wei.
    pub min_base_fee: u64,
    /// Transport limits.
    pub limits: Limits,
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            chain_id: DEFAULT_CHAIN_ID,
            accounts: 10,
            mnemonic: TEST_MNEMONIC.to_string(),
            dev_key: Some(NITRO_DEV_KEY),
            balance: U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18u64)),
            block_time: None,
            state_path: None,
            state_fsync: false,
            debug: false,
            block_gas_limit: DEFAULT_BLOCK_GAS_LIMIT,
            tx_gas_cap: DEFAULT_TX_GAS_CAP,
            min_base_fee: DEFAULT_MIN_BASE_FEE,
            limits: Limits::default(),
        }
    }
}

impl NodeConfig {
    /// Defaults for in-process tests: a free port on localhost.
    pub fn test() -> Self {
        Self {
            port: 0,
            ..Self::default()
        }
    }
}
