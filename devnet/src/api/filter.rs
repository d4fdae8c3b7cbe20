//! Polling filters: `eth_newFilter`, `eth_newBlockFilter`, `eth_newPendingTransactionFilter`,
//! `eth_getFilterChanges`, `eth_getFilterLogs`, `eth_uninstallFilter` (used by viem and ethers
//! when watching over HTTP).

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::{Duration, Instant},
};

use alloy_primitives::{B256, U256};
use alloy_rpc_types_eth::{Filter, FilterBlockOption};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use parking_lot::Mutex;
use serde_json::Value;

use super::types::LooseU256;
use crate::{backend::Backend, error::NodeError};

/// Filters unused for this long are dropped (geth's default).
pub const FILTER_TIMEOUT: Duration = Duration::from_secs(300);
/// Most filters installed at once.
pub const MAX_FILTERS: usize = 1024;

/// Polling filter methods.
#[rpc(server, namespace = "eth")]
pub trait EthFilterApi {
    /// Installs a log filter; returns its id.
    #[method(name = "newFilter")]
    fn new_filter(&self, filter: Filter) -> RpcResult<U256>;
    /// Installs a new-block filter; returns its id.
    #[method(name = "newBlockFilter")]
    fn new_block_filter(&self) -> RpcResult<U256>;
    /// Installs a pending-transaction filter; returns its id.
    #[method(name = "newPendingTransactionFilter")]
    fn new_pending_transaction_filter(&self) -> RpcResult<U256>;
    /// What happened since the last poll: block hashes, tx hashes or logs.
    #[method(name = "getFilterChanges", blocking)]
    fn get_filter_changes(&self, id: LooseU256) -> RpcResult<Value>;
    /// All logs matching a log filter.
    #[method(name = "getFilterLogs", blocking)]
    fn get_filter_logs(&self, id: LooseU256) -> RpcResult<Value>;
    /// Removes a filter; false if unknown.
    #[method(name = "uninstallFilter")]
    fn uninstall_filter(&self, id: LooseU256) -> RpcResult<bool>;
}

#[derive(Debug)]
enum Kind {
    Logs { filter: Box<Filter>, last: u64 },
    Blocks { last: u64 },
    Pending { seen: HashSet<B256> },
}

#[derive(Debug)]
struct Installed {
    kind: Kind,
    touched: Instant,
}

/// Implementation of [`EthFilterApiServer`].
#[derive(Debug)]
pub struct EthFilter {
    backend: Arc<Backend>,
    filters: Mutex<(u64, HashMap<u64, Installed>)>,
}

impl EthFilter {
    /// Creates the filter registry.
    pub fn new(backend: Arc<Backend>) -> Self {
        Self {
            backend,
            filters: Mutex::new((0, HashMap::new())),
        }
    }

    fn install(&self, kind: Kind) -> RpcResult<U256> {
        let mut guard = self.filters.lock();
        let (next, filters) = &mut *guard;
        filters.retain(|_, f| f.touched.elapsed() < FILTER_TIMEOUT);
        if filters.len() >= MAX_FILTERS {
            return Err(NodeError::LimitExceeded("too many filters".into()).into());
        }
        *next += 1;
        filters.insert(
            *next,
            Installed {
                kind,
                touched: Instant::now(),
            },
        );
        Ok(U256::from(*next))
    }
}

fn not_found() -> jsonrpsee::types::ErrorObjectOwned {
    NodeError::NotFound("filter not found".into()).into()
}

fn to_value<T: serde::Serialize>(v: T) -> RpcResult<Value> {
    serde_json::to_value(v).map_err(|e| NodeError::Internal(e.to_string()).into())
}

impl EthFilterApiServer for EthFilter {
    fn new_filter(&self, filter: Filter) -> RpcResult<U256> {
        let last = self.backend.block_number();
        self.install(Kind::Logs {
            filter: Box::new(filter),
            last,
        })
    }

    fn new_block_filter(&self) -> RpcResult<U256> {
        let last = self.backend.block_number();
        self.install(Kind::Blocks { last })
    }

    fn new_pending_transaction_filter(&self) -> RpcResult<U256> {
        self.install(Kind::Pending {
            seen: self.backend.pending_hashes().into_iter().collect(),
        })
    }

    fn get_filter_changes(&self, id: LooseU256) -> RpcResult<Value> {
        let id = u64::try_from(id.0).map_err(|_| not_found())?;
        let head = self.backend.block_number();
        let mut guard = self.filters.lock();
        let installed = guard.1.get_mut(&id).ok_or_else(not_found)?;
        installed.touched = Instant::now();
        match &mut installed.kind {
            Kind::Blocks { last } => {
                let hashes: Vec<B256> = (*last + 1..=head)
                    .filter_map(|n| self.backend.block_by_number(n).map(|b| b.hash))
                    .collect();
                *last = head;
                to_value(hashes)
            }
            Kind::Pending { seen } => {
                let fresh: Vec<B256> = self
                    .backend
                    .pending_hashes()
                    .into_iter()
                    .filter(|h| seen.insert(*h))
                    .collect();
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

    fn get_filter_logs(&self, id: LooseU256) -> RpcResult<Value> {
        let id = u64::try_from(id.0).map_err(|_| not_found())?;
        let filter = {
            let mut guard = self.filters.lock();
            let installed = guard.1.get_mut(&id).ok_or_else(not_found)?;
            installed.touched = Instant::now();
            match &installed.kind {
                Kind::Logs { filter, .. } => filter.as_ref().clone(),
                _ => return Err(NodeError::InvalidParams("not a log filter".into()).into()),
            }
        };
        to_value(self.backend.logs(&filter)?)
    }

    fn uninstall_filter(&self, id: LooseU256) -> RpcResult<bool> {
        let Ok(id) = u64::try_from(id.0) else {
            return Ok(false);
        };
        Ok(self.filters.lock().1.remove(&id).is_some())
    }
}
