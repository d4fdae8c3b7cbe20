//! The RPC API: one module per namespace, each translating RPC types to backend calls.

pub mod dev;
pub mod eth;
pub mod filter;
pub mod net;
pub mod types;

use std::sync::Arc;

use jsonrpsee::RpcModule;

use self::{dev::DevApiServer, eth::EthApiServer, filter::EthFilterApiServer, net::NetApiServer};
use crate::{backend::Backend, miner::MiningControl};

/// Builds the full method table served by the node.
pub fn module(backend: Arc<Backend>, mining: MiningControl) -> RpcModule<()> {
    let chain_id = backend.params().chain_id;
    let mut module = RpcModule::new(());
    let parts = [
        eth::Eth::new(backend.clone()).into_rpc().remove_context(),
        filter::EthFilter::new(backend.clone())
            .into_rpc()
            .remove_context(),
        net::Net { chain_id }.into_rpc().remove_context(),
        dev::Dev::new(backend, mining).into_rpc().remove_context(),
    ];
    for part in parts {
        // Namespaces never share method names, so merging cannot fail.
        if let Err(err) = module.merge(part) {
            tracing::error!(%err, "duplicate RPC method");
        }
    }
    module
}
