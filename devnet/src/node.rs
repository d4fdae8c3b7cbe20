//! Starting a node in-process: [`spawn`] and [`NodeHandle`].

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, OnceLock},
    time::Duration,
};

use alloy_primitives::{Address, B256};
use alloy_signer_local::{coins_bip39::English, MnemonicBuilder, PrivateKeySigner};
use jsonrpsee::server::ServerHandle;
use parking_lot::Mutex;

use crate::{
    api,
    backend::{Backend, ChainParams},
    config::NodeConfig,
    error::{NodeError, NodeResult},
    exec::Executor,
    miner::{self, MiningControl},
    server,
};

/// A running node. Dropping it stops the server.
#[derive(Debug)]
pub struct NodeHandle {
    addr: SocketAddr,
    server: ServerHandle,
    backend: Arc<Backend>,
    signers: Vec<PrivateKeySigner>,
    mining: MiningControl,
}

impl NodeHandle {
    /// The bound socket address.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// HTTP endpoint, e.g. `http://127.0.0.1:8547`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// WebSocket endpoint on the same port.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// The backend (for in-process inspection).
    pub fn backend(&self) -> &Arc<Backend> {
        &self.backend
    }

    /// Dev accounts, in `eth_accounts` order.
    pub fn dev_accounts(&self) -> Vec<Address> {
        self.signers.iter().map(|s| s.address()).collect()
    }

    /// Signers for the dev accounts.
    pub fn dev_signers(&self) -> &[PrivateKeySigner] {
        &self.signers
    }

    /// Interval-mining control.
    pub fn mining(&self) -> &MiningControl {
        &self.mining
    }

    /// Stops the server and waits until it has shut down.
    pub async fn shutdown(self) {
        self.mining.set_interval(None);
        // Already stopped is fine.
        let _ = self.server.stop();
        self.server.clone().stopped().await;
        if let Err(err) = self.backend.close() {
            tracing::error!(%err, "closing the state database failed");
        }
    }
}

impl Drop for NodeHandle {
    fn drop(&mut self) {
        self.mining.set_interval(None);
        let _ = self.server.stop();
        if let Err(err) = self.backend.close() {
            tracing::error!(%err, "closing the state database failed");
        }
    }
}

/// Derives the dev signers: the dev key first, then `accounts` keys from the mnemonic.
pub fn dev_signers(config: &NodeConfig) -> NodeResult<Vec<PrivateKeySigner>> {
    let mut signers = Vec::new();
    if let Some(key) = config.dev_key {
        signers.push(
            PrivateKeySigner::from_bytes(&key)
                .map_err(|e| NodeError::InvalidParams(format!("invalid dev key: {e}")))?,
        );
    }
    for index in 0..config.accounts {
        let index = u32::try_from(index)
            .map_err(|_| NodeError::InvalidParams("too many accounts".into()))?;
        signers.push(derive(&config.mnemonic, index)?);
    }
    Ok(signers)
}

/// Derives `m/44'/60'/0'/0/index`, caching keys per process: BIP-39 seed stretching is slow in
/// debug builds and tests start many nodes.
fn derive(mnemonic: &str, index: u32) -> NodeResult<PrivateKeySigner> {
    static CACHE: OnceLock<Mutex<HashMap<(String, u32), B256>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (mnemonic.to_string(), index);
    if let Some(bytes) = cache.lock().get(&key) {
        return PrivateKeySigner::from_bytes(bytes).map_err(|e| NodeError::Internal(e.to_string()));
    }
    let signer = MnemonicBuilder::<English>::default()
        .phrase(mnemonic)
        .index(index)
        .and_then(|b| b.build())
        .map_err(|e| NodeError::InvalidParams(format!("invalid mnemonic: {e}")))?;
    cache.lock().insert(key, signer.to_bytes());
    Ok(signer)
}

/// Starts a node on the current tokio runtime.
pub async fn spawn(config: NodeConfig) -> NodeResult<NodeHandle> {
    let signers = dev_signers(&config)?;
    let params = ChainParams {
        chain_id: config.chain_id,
        block_gas_limit: config.block_gas_limit,
        tx_gas_cap: config.tx_gas_cap,
        min_base_fee: config.min_base_fee,
        genesis_accounts: signers
            .iter()
            .map(|s| (s.address(), config.balance))
            .collect(),
        state_path: config.state_path.clone(),
        state_fsync: config.state_fsync,
        block_time_ms: config
            .block_time
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)),
    };
    let executor = Executor::new(config.debug);
    let backend = {
        let signers = signers.clone();
        tokio::task::spawn_blocking(move || Backend::new(params, executor, signers))
            .await
            .map_err(|e| NodeError::Internal(e.to_string()))??
    };
    let backend = Arc::new(backend);
    // The interval the command line gave, or the one a `--state` database recorded.
    let interval = backend.dev_state().interval_ms.map(Duration::from_millis);
    let mining = miner::spawn(backend.clone(), interval);
    let module = api::module(backend.clone(), mining.clone());
    let (server, addr) = server::serve(
        SocketAddr::new(config.host, config.port),
        module,
        config.limits,
    )
    .await
    .map_err(|e| {
        NodeError::Internal(format!("cannot bind {}:{}: {e}", config.host, config.port))
    })?;
    Ok(NodeHandle {
        addr,
        server,
        backend,
        signers,
        mining,
    })
}
