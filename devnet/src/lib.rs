//! compute-market dev chain: a local JSON-RPC node ("anvil for Stylus").
//!
//! Layers, each depending only on the ones below it:
//!
//! * [`server`]: transport (jsonrpsee HTTP + WebSocket on one port, limits, CORS);
//! * [`api`]: one module per namespace (`eth_*`, `net_*`/`web3_*`, dev methods), converting
//!   RPC types to backend calls;
//! * [`error`]: the single mapping from node errors to JSON-RPC error codes;
//! * [`backend`]: state, blocks, pool, mining and persistence;
//! * [`exec`]: the execution seam, the only place an EVM is built.
//!
//! [`spawn`] starts a node in-process (port 0 in tests) and returns a [`NodeHandle`].

pub mod api;
pub mod backend;
pub mod config;
pub mod error;
pub mod exec;
pub mod miner;
pub mod node;
pub mod server;

pub use config::NodeConfig;
pub use node::{spawn, NodeHandle};
