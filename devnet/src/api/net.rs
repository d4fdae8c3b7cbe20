//! `net_*` and `web3_*` namespaces.

use alloy_primitives::{keccak256, B256};

use super::types::HexBytes;
use jsonrpsee::{core::RpcResult, proc_macros::rpc};

/// `net_*` and `web3_*` methods.
#[rpc(server)]
pub trait NetApi {
    /// Network id (the chain id in decimal).
    #[method(name = "net_version")]
    fn net_version(&self) -> RpcResult<String>;
    /// Always true.
    #[method(name = "net_listening")]
    fn net_listening(&self) -> RpcResult<bool>;
    /// Always zero.
    #[method(name = "net_peerCount")]
    fn net_peer_count(&self) -> RpcResult<String>;
    /// Client name and version: `anvil/v1.0.0 (compute-market-devnet/<version>)`, so that tools
    /// which enable dev helpers only for anvil (hardhat-network-helpers) accept the node; every
    /// dev method those helpers call behaves as anvil's (devnet/README.md, "Hardhat network
    /// helpers").
    #[method(name = "web3_clientVersion")]
    fn client_version(&self) -> RpcResult<String>;
    /// Keccak-256 of the input.
    #[method(name = "web3_sha3")]
    fn sha3(&self, data: HexBytes) -> RpcResult<B256>;
}

/// The `web3_clientVersion` answer.
pub fn client_version() -> String {
    format!(
        "anvil/v1.0.0 (compute-market-devnet/{})",
        env!("CARGO_PKG_VERSION")
    )
}

/// Implementation of [`NetApiServer`].
#[derive(Debug, Clone)]
pub struct Net {
    /// Chain id.
    pub chain_id: u64,
}

impl NetApiServer for Net {
    fn net_version(&self) -> RpcResult<String> {
        Ok(self.chain_id.to_string())
    }
    fn net_listening(&self) -> RpcResult<bool> {
        Ok(true)
    }
    fn net_peer_count(&self) -> RpcResult<String> {
        Ok("0x0".into())
    }
    fn client_version(&self) -> RpcResult<String> {
        Ok(client_version())
    }
    fn sha3(&self, data: HexBytes) -> RpcResult<B256> {
        Ok(keccak256(&data.0))
    }
}
