//! Transport: one jsonrpsee server answering HTTP and WebSocket on the same port, with request,
//! response and batch limits and permissive CORS for browser dApps. Knows nothing about Ethereum.

use std::{
    net::SocketAddr,
    sync::atomic::{AtomicU64, Ordering},
};

use jsonrpsee::{
    core::traits::IdProvider,
    server::{BatchRequestConfig, Server, ServerConfig, ServerHandle},
    types::SubscriptionId,
    RpcModule,
};
use tower_http::cors::CorsLayer;

/// Transport limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body in bytes.
    pub max_request_size: u32,
    /// Largest response body in bytes.
    pub max_response_size: u32,
    /// Most calls in one batch.
    pub max_batch: u32,
    /// Most simultaneous connections.
    pub max_connections: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_request_size: 10 * 1024 * 1024,
            max_response_size: 100 * 1024 * 1024,
            max_batch: 1000,
            max_connections: 1000,
        }
    }
}

/// Subscription ids as 128-bit hex quantities, the shape geth uses and alloy expects.
#[derive(Debug, Default)]
struct HexIds(AtomicU64);

impl IdProvider for HexIds {
    fn next_id(&self) -> SubscriptionId<'static> {
        let n = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        let salt = std::process::id() as u64;
        SubscriptionId::Str(format!("0x{:016x}{:016x}", salt.rotate_left(17) ^ n, n).into())
    }
}

/// Binds `addr` and serves `module`; returns the handle and the bound address.
pub async fn serve(
    addr: SocketAddr,
    module: RpcModule<()>,
    limits: Limits,
) -> std::io::Result<(ServerHandle, SocketAddr)> {
    let config = ServerConfig::builder()
        .max_request_body_size(limits.max_request_size)
        .max_response_body_size(limits.max_response_size)
        .max_connections(limits.max_connections)
        .set_batch_request_config(BatchRequestConfig::Limit(limits.max_batch))
        .set_id_provider(HexIds::default())
        .build();
    let middleware = tower::ServiceBuilder::new().layer(CorsLayer::permissive());
    let server = Server::builder()
        .set_config(config)
        .set_http_middleware(middleware)
        .build(addr)
        .await?;
    let local = server.local_addr()?;
    Ok((server.start(module), local))
}
