//! Polling filters: `eth_newFilter`, `eth_newBlockFilter`, `eth_newPendingTransactionFilter`,
//! `eth_getFilterChanges`, `eth_getFilterLogs`, `eth_uninstallFilter` (used by viem and ethers
//! when watching over HTTP).
//!
//! Ids are random 128-bit numbers (as geth's `rpc.NewID`, go-ethereum `rpc/subscription.go`), so
//! a client cannot guess, poll or uninstall another client's filters. Each connection (a
//! WebSocket, or an HTTP keep-alive connection) may hold [`MAX_FILTERS_PER_CONNECTION`] filters
//! and the node [`MAX_FILTERS`]; filters not polled for [`FILTER_TIMEOUT`] are dropped.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use alloy_primitives::{B256, U128};
use alloy_rpc_types_eth::{Filter, FilterBlockOption};
use jsonrpsee::{core::RpcResult, proc_macros::rpc, ConnectionId, Extensions};
use parking_lot::Mutex;
use serde_json::Value;

use super::types::NumU256;
use crate::{backend::Backend, error::NodeError};

/// Filters unused for this long are dropped (geth's default).
pub const FILTER_TIMEOUT: Duration = Duration::from_secs(300);
/// Most filters one connection may hold.
pub const MAX_FILTERS_PER_CONNECTION: usize = 1024;
/// Most filters installed at once on the node.
pub const MAX_FILTERS: usize = 16 * 1024;

/// Polling filter methods.
#[rpc(server, namespace = "eth")]
pub trait EthFilterApi {
    /// Installs a log filter; returns its id.
    #[method(name = "newFilter", with_extensions)]
    fn new_filter(&self, filter: Filter) -> RpcResult<U128>;
    /// Installs a new-block filter; returns its id.
    #[method(name = "newBlockFilter", with_extensions)]
    fn new_block_filter(&self) -> RpcResult<U128>;
    /// Installs a pending-transaction filter; returns its id.
    #[method(name = "newPendingTransactionFilter", with_extensions)]
    fn new_pending_transaction_filter(&self) -> RpcResult<U128>;
    /// What happened since the last poll: block hashes, tx hashes or logs.
    #[method(name = "getFilterChanges", blocking)]
    fn get_filter_changes(&self, id: NumU256) -> RpcResult<Value>;
    /// All logs matching a log filter.
    #[method(name = "getFilterLogs", blocking)]
    fn get_filter_logs(&self, id: NumU256) -> RpcResult<Value>;
    /// Removes a filter; false if unknown.
    #[method(name = "uninstallFilter")]
    fn uninstall_filter(&self, id: NumU256) -> RpcResult<bool>;
}

#[derive(Debug)]
enum Kind {
    Logs { filter: Box<Filter>, last: u64 },
    Blocks { last: u64 },
    Pending { seq: u64 },
}

#[derive(Debug)]
struct Installed {
    kind: Kind,
    owner: usize,
    touched: Instant,
}

/// Implementation of [`EthFilterApiServer`].
#[derive(Debug)]
pub struct EthFilter {
    backend: Arc<Backend>,
    filters: Mutex<HashMap<u128, Installed>>,
}

impl EthFilter {
    /// Creates the filter registry.
    pub fn new(backend: Arc<Backend>) -> Self {
        Self {
            backend,
            filters: Mutex::new(HashMap::new()),
        }
    }

    fn install(&self, ext: &Extensions, kind: Kind) -> RpcResult<U128> {
        let owner = ext.get::<ConnectionId>().map(|c| c.0).unwrap_or(usize::MAX);
        let mut filters = self.filters.lock();
        filters.retain(|_, f| f.touched.elapsed() < FILTER_TIMEOUT);
        if filters.values().filter(|f| f.owner == owner).count() >= MAX_FILTERS_PER_CONNECTION {
            return Err(NodeError::LimitExceeded(format!(
                "too many filters on this connection (at most {MAX_FILTERS_PER_CONNECTION}; \
                 uninstall some or wait {} s for idle ones to expire)",
                FILTER_TIMEOUT.as_secs()
            ))
            .into());
        }
        if filters.len() >= MAX_FILTERS {
            return Err(NodeError::LimitExceeded(format!(
                "too many filters on the node (at most {MAX_FILTERS})"
            ))
            .into());
        }
        let id = loop {
            let id: u128 = rand::random();
            if id != 0 && !filters.contains_key(&id) {
                break id;
            }
        };
        filters.insert(
            id,
            Installed {
                kind,
                owner,
                touched: Instant::now(),
            },
        );
        Ok(U128::from(id))
    }
}

fn not_found() -> jsonrpsee::types::ErrorObjectOwned {
    NodeError::NotFound("filter not found".into()).into()
}

fn filter_id(id: NumU256) -> RpcResult<u128> {
    u128::try_from(id.0).map_err(|_| not_found())
}

fn to_value<T: serde::Serialize>(v: T) -> RpcResult<Value> {
    serde_json::to_value(v).map_err(|e| NodeError::Internal(e.to_string()).into())
}

impl EthFilterApiServer for EthFilter {
    fn new_filter(&self, ext: &Extensions, filter: Filter) -> RpcResult<U128> {
        let last = self.backend.block_number();
        self.install(
            ext,
            Kind::Logs {
                filter: Box::new(filter),
                last,
            },
        )
    }

    fn new_block_filter(&self, ext: &Extensions) -> RpcResult<U128> {
        let last = self.backend.block_number();
        self.install(ext, Kind::Blocks { last })
    }

    fn new_pending_transaction_filter(&self, ext: &Extensions) -> RpcResult<U128> {
        let (_, seq) = self.backend.pool_arrivals(u64::MAX);
        self.install(ext, Kind::Pending { seq })
    }

    fn get_filter_changes(&self, id: NumU256) -> RpcResult<Value> {
        let id = filter_id(id)?;
        let head = self.backend.block_number();
        let mut filters = self.filters.lock();
        let installed = filters.get_mut(&id).ok_or_else(not_found)?;
        if installed.touched.elapsed() >= FILTER_TIMEOUT {
            filters.remove(&id);
            return Err(not_found());
        }
        installed.touched = Instant::now();
        match &mut installed.kind {
            Kind::Blocks { last } => {
                let hashes: Vec<B256> = (*last + 1..=head)
                    .filter_map(|n| self.backend.block_by_number(n).map(|b| b.hash))
                    .collect();
                *last = head;
                to_value(hashes)
            }
            Kind::Pending { seq } => {
                let (fresh, now) = self.backend.pool_arrivals(*seq);
                *seq = now;
                to_value(fresh)
            }
            Kind::Logs { filter, last } => {
                if *last >= head {
                    return to_value(Vec::<Value>::new());
                }
                let (from, to) = match filter.block_option {
                    FilterBlockOption::AtBlockHash(_) => return to_value(Vec::<Value>::new()),
                    FilterBlockOption::Range {
                        from_block,
                        to_block,
                    } => {
                        let from = from_block
                            .and_then(|b| b.as_number())
                            .unwrap_or(0)
                            .max(*last + 1);
                        let to = to_block
                            .and_then(|b| b.as_number())
                            .unwrap_or(head)
                            .min(head);
                        (from, to)
                    }
                };
                *last = head;
                if from > to {
                    return to_value(Vec::<Value>::new());
                }
                let window = filter.as_ref().clone().from_block(from).to_block(to);
                to_value(self.backend.logs(&window)?)
            }
        }
    }

    fn get_filter_logs(&self, id: NumU256) -> RpcResult<Value> {
        let id = filter_id(id)?;
        let filter = {
            let mut filters = self.filters.lock();
            let installed = filters.get_mut(&id).ok_or_else(not_found)?;
            installed.touched = Instant::now();
            match &installed.kind {
                Kind::Logs { filter, .. } => filter.as_ref().clone(),
                _ => return Err(NodeError::InvalidParams("not a log filter".into()).into()),
            }
        };
        to_value(self.backend.logs(&filter)?)
    }

    fn uninstall_filter(&self, id: NumU256) -> RpcResult<bool> {
        let Ok(id) = u128::try_from(id.0) else {
            return Ok(false);
        };
        Ok(self.filters.lock().remove(&id).is_some())
    }
}
