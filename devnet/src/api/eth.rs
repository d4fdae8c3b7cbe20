//! `eth_*` namespace, including `eth_subscribe`.

use std::sync::Arc;

use super::types::{HexBytes, Quantity, Slot, StrictOverrides, StrictRequest};
use crate::{
    backend::{chain::Block as StoredBlock, recover_sender, Backend},
    error::{codes, NodeError},
};
use alloy_consensus::{transaction::Recovered, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, Bytes, B256, U256, U64};
use alloy_rpc_types_eth::{
    state::StateOverride, Block, BlockId, BlockNumberOrTag, FeeHistory, Filter, Log, Transaction,
};
use jsonrpsee::{
    core::{RpcResult, SubscriptionResult},
    proc_macros::rpc,
    types::ErrorObjectOwned,
    PendingSubscriptionSink, SubscriptionMessage,
};

/// Blocks a subscription reads from the chain per wake-up before sending them.
const FOLLOW_BATCH: usize = 256;

/// Most blocks `eth_feeHistory` reports at once.
pub const MAX_FEE_HISTORY: u64 = 1024;

/// The `eth_*` methods.
#[rpc(server, namespace = "eth")]
pub trait EthApi {
    /// Chain id.
    #[method(name = "chainId")]
    fn chain_id(&self) -> RpcResult<U64>;
    /// Latest block number.
    #[method(name = "blockNumber")]
    fn block_number(&self) -> RpcResult<U64>;
    /// Dev accounts the node can sign for.
    #[method(name = "accounts")]
    fn accounts(&self) -> RpcResult<Vec<Address>>;
    /// Always false.
    #[method(name = "syncing")]
    fn syncing(&self) -> RpcResult<bool>;
    /// Block beneficiary.
    #[method(name = "coinbase")]
    fn coinbase(&self) -> RpcResult<Address>;
    /// Whether blocks are being mined (automine or interval).
    #[method(name = "mining")]
    fn mining(&self) -> RpcResult<bool>;
    /// Balance at a block (default latest).
    #[method(name = "getBalance")]
    fn get_balance(&self, address: Address, block: Option<BlockId>) -> RpcResult<U256>;
    /// Nonce at a block; `pending` counts pool transactions.
    #[method(name = "getTransactionCount")]
    fn get_transaction_count(&self, address: Address, block: Option<BlockId>) -> RpcResult<U64>;
    /// Code at a block.
    #[method(name = "getCode")]
    fn get_code(&self, address: Address, block: Option<BlockId>) -> RpcResult<Bytes>;
    /// Storage slot at a block.
    #[method(name = "getStorageAt")]
    fn get_storage_at(
        &self,
        address: Address,
        slot: Slot,
        block: Option<BlockId>,
    ) -> RpcResult<B256>;
    /// Executes a call without creating a transaction.
    #[method(name = "call", blocking)]
    fn call(
        &self,
        request: StrictRequest,
        block: Option<BlockId>,
        overrides: Option<StrictOverrides>,
    ) -> RpcResult<Bytes>;
    /// Estimates the gas a transaction needs (binary search).
    #[method(name = "estimateGas", blocking)]
    fn estimate_gas(
        &self,
        request: StrictRequest,
        block: Option<BlockId>,
        overrides: Option<StrictOverrides>,
    ) -> RpcResult<U64>;
    /// Current base fee (the price a transaction needs).
    #[method(name = "gasPrice")]
    fn gas_price(&self) -> RpcResult<U256>;
    /// Suggested tip: zero, like Nitro.
    #[method(name = "maxPriorityFeePerGas")]
    fn max_priority_fee_per_gas(&self) -> RpcResult<U256>;
    /// Base fees, gas ratios and tip percentiles of recent blocks.
    #[method(name = "feeHistory")]
    fn fee_history(
        &self,
        block_count: Quantity,
        newest_block: BlockNumberOrTag,
        reward_percentiles: Option<Vec<f64>>,
    ) -> RpcResult<FeeHistory>;
    /// Submits a signed transaction (legacy, EIP-2930 or EIP-1559).
    #[method(name = "sendRawTransaction", blocking)]
    fn send_raw_transaction(&self, raw: HexBytes) -> RpcResult<B256>;
    /// Signs with a dev account (or impersonates) and submits.
    #[method(name = "sendTransaction", blocking)]
    fn send_transaction(&self, request: StrictRequest) -> RpcResult<B256>;
    /// A transaction by hash (mined or pending).
    #[method(name = "getTransactionByHash")]
    fn get_transaction_by_hash(&self, hash: B256) -> RpcResult<Option<Transaction>>;
    /// A transaction by block number and index.
    #[method(name = "getTransactionByBlockNumberAndIndex")]
    fn get_transaction_by_block_number_and_index(
        &self,
        block: BlockNumberOrTag,
        index: Quantity,
    ) -> RpcResult<Option<Transaction>>;
    /// A transaction by block hash and index.
    #[method(name = "getTransactionByBlockHashAndIndex")]
    fn get_transaction_by_block_hash_and_index(
        &self,
        hash: B256,
        index: Quantity,
    ) -> RpcResult<Option<Transaction>>;
    /// A mined transaction's receipt (with Arbitrum's `gasUsedForL1` and `l1BlockNumber`).
    #[method(name = "getTransactionReceipt")]
    fn get_transaction_receipt(&self, hash: B256) -> RpcResult<Option<serde_json::Value>>;
    /// All receipts of a block.
    #[method(name = "getBlockReceipts")]
    fn get_block_receipts(&self, block: BlockId) -> RpcResult<Option<Vec<serde_json::Value>>>;
    /// A block by number or tag.
    #[method(name = "getBlockByNumber")]
    fn get_block_by_number(
        &self,
        block: BlockNumberOrTag,
        full: Option<bool>,
    ) -> RpcResult<Option<Block>>;
    /// A block by hash.
    #[method(name = "getBlockByHash")]
    fn get_block_by_hash(&self, hash: B256, full: Option<bool>) -> RpcResult<Option<Block>>;
    /// Number of transactions in a block.
    #[method(name = "getBlockTransactionCountByNumber")]
    fn get_block_transaction_count_by_number(
        &self,
        block: BlockNumberOrTag,
    ) -> RpcResult<Option<U64>>;
    /// Number of transactions in a block.
    #[method(name = "getBlockTransactionCountByHash")]
    fn get_block_transaction_count_by_hash(&self, hash: B256) -> RpcResult<Option<U64>>;
    /// Logs matching a filter (block ranges up to 10,000 blocks).
    #[method(name = "getLogs", blocking)]
    fn get_logs(&self, filter: Filter) -> RpcResult<Vec<Log>>;
    /// `newHeads` or `logs` subscriptions (WebSocket only).
    #[subscription(
        name = "subscribe" => "subscription",
        unsubscribe = "unsubscribe",
        item = serde_json::Value
    )]
    async fn subscribe(&self, kind: String, filter: Option<Filter>) -> SubscriptionResult;
}

/// Implementation of [`EthApiServer`].
#[derive(Debug, Clone)]
pub struct Eth {
    backend: Arc<Backend>,
}

impl Eth {
    /// Creates the namespace over `backend`.
    pub fn new(backend: Arc<Backend>) -> Self {
        Self { backend }
    }

    /// The block for `tag`; `pending` is the block the pool would produce now.
    fn block(&self, tag: BlockNumberOrTag) -> RpcResult<Option<Arc<StoredBlock>>> {
        if tag == BlockNumberOrTag::Pending {
            return Ok(Some(Arc::new(self.backend.pending_block().block.clone())));
        }
        let number = match self.backend.resolve(Some(BlockId::Number(tag))) {
            Ok(n) => n,
            Err(NodeError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(self.backend.block_by_number(number))
    }
}

fn percentile_rewards(block: &crate::backend::chain::Block, percentiles: &[f64]) -> Vec<u128> {
    let base = u128::from(block.header.base_fee_per_gas.unwrap_or_default());
    let mut tips: Vec<(u128, u64)> = block
        .txs
        .iter()
        .map(|t| {
            (
                t.receipt.effective_gas_price.saturating_sub(base),
                t.receipt.gas_used,
            )
        })
        .collect();
    tips.sort_unstable();
    percentiles
        .iter()
        .map(|p| {
            if tips.is_empty() {
                return 0;
            }
            let threshold = (block.header.gas_used as f64 * p / 100.0) as u64;
            let mut cumulative = 0u64;
            for (tip, gas) in &tips {
                cumulative += gas;
                if cumulative >= threshold {
                    return *tip;
                }
            }
            tips.last().map(|t| t.0).unwrap_or_default()
        })
        .collect()
}

#[jsonrpsee::core::async_trait]
impl EthApiServer for Eth {
    fn chain_id(&self) -> RpcResult<U64> {
        Ok(U64::from(self.backend.params().chain_id))
    }

    fn block_number(&self) -> RpcResult<U64> {
        Ok(U64::from(self.backend.block_number()))
    }

    fn accounts(&self) -> RpcResult<Vec<Address>> {
        Ok(self.backend.dev_accounts())
    }

    fn syncing(&self) -> RpcResult<bool> {
        Ok(false)
    }

    fn coinbase(&self) -> RpcResult<Address> {
        Ok(self.backend.coinbase())
    }

    fn mining(&self) -> RpcResult<bool> {
        let dev = self.backend.dev_state();
        Ok(dev.automine || dev.interval_ms.is_some())
    }

    fn get_balance(&self, address: Address, block: Option<BlockId>) -> RpcResult<U256> {
        Ok(self.backend.with_state(block, |db| db.balance(&address))?)
    }

    fn get_transaction_count(&self, address: Address, block: Option<BlockId>) -> RpcResult<U64> {
        Ok(U64::from(self.backend.nonce(address, block)?))
    }

    fn get_code(&self, address: Address, block: Option<BlockId>) -> RpcResult<Bytes> {
        Ok(self.backend.with_state(block, |db| db.code(&address))?)
    }

    fn get_storage_at(
        &self,
        address: Address,
        slot: Slot,
        block: Option<BlockId>,
    ) -> RpcResult<B256> {
        Ok(self
            .backend
            .with_state(block, |db| B256::from(db.storage_at(&address, slot.0)))?)
    }

    fn call(
        &self,
        request: StrictRequest,
        block: Option<BlockId>,
        overrides: Option<StrictOverrides>,
    ) -> RpcResult<Bytes> {
        let overrides: Option<StateOverride> = overrides.map(|o| o.0);
        Ok(self.backend.call(&request.0, block, overrides.as_ref())?)
    }

    fn estimate_gas(
        &self,
        request: StrictRequest,
        block: Option<BlockId>,
        overrides: Option<StrictOverrides>,
    ) -> RpcResult<U64> {
        let overrides: Option<StateOverride> = overrides.map(|o| o.0);
        Ok(U64::from(self.backend.estimate_gas(
            &request.0,
            block,
            overrides.as_ref(),
        )?))
    }

    fn gas_price(&self) -> RpcResult<U256> {
        Ok(U256::from(self.backend.next_base_fee()))
    }

    fn max_priority_fee_per_gas(&self) -> RpcResult<U256> {
        Ok(U256::ZERO)
    }

    fn fee_history(
        &self,
        block_count: Quantity,
        newest_block: BlockNumberOrTag,
        reward_percentiles: Option<Vec<f64>>,
    ) -> RpcResult<FeeHistory> {
        if let Some(p) = &reward_percentiles {
            let sorted = p.windows(2).all(|w| w[0] <= w[1]);
            if !sorted || p.iter().any(|v| !(0.0..=100.0).contains(v)) {
                return Err(NodeError::InvalidParams("invalid reward percentiles".into()).into());
            }
        }
        let newest = self.backend.resolve(Some(BlockId::Number(newest_block)))?;
        let count = block_count.0.clamp(1, MAX_FEE_HISTORY).min(newest + 1);
        let oldest = newest + 1 - count;
        let mut history = FeeHistory {
            oldest_block: oldest,
            ..Default::default()
        };
        let mut rewards = Vec::new();
        for n in oldest..=newest {
            let Some(block) = self.backend.block_by_number(n) else {
                break;
            };
            history.base_fee_per_gas.push(u128::from(
                block.header.base_fee_per_gas.unwrap_or_default(),
            ));
            history
                .gas_used_ratio
                .push(block.header.gas_used as f64 / block.header.gas_limit.max(1) as f64);
            history.base_fee_per_blob_gas.push(0);
            history.blob_gas_used_ratio.push(0.0);
            if let Some(p) = &reward_percentiles {
                rewards.push(percentile_rewards(&block, p));
            }
        }
        let next = match self.backend.block_by_number(newest + 1) {
            Some(b) => b.header.base_fee_per_gas.unwrap_or_default(),
            None => self.backend.next_base_fee(),
        };
        history.base_fee_per_gas.push(u128::from(next));
        history.base_fee_per_blob_gas.push(0);
        history.reward = reward_percentiles.map(|_| rewards);
        Ok(history)
    }

    fn send_raw_transaction(&self, raw: HexBytes) -> RpcResult<B256> {
        let mut buf = raw.0.as_ref();
        if buf.is_empty() {
            return Err(NodeError::TxRejected("empty transaction data".into()).into());
        }
        let tx = TxEnvelope::decode_2718(&mut buf).map_err(|e| {
            NodeError::TxRejected(format!("failed to decode signed transaction: {e}"))
        })?;
        if !buf.is_empty() {
            return Err(NodeError::TxRejected(
                "failed to decode signed transaction: trailing bytes".into(),
            )
            .into());
        }
        let sender = recover_sender(&tx)?;
        Ok(self.backend.submit(tx, sender)?)
    }

    fn send_transaction(&self, request: StrictRequest) -> RpcResult<B256> {
        Ok(self.backend.send_transaction(request.0)?)
    }

    fn get_transaction_by_hash(&self, hash: B256) -> RpcResult<Option<Transaction>> {
        if let Some((block, index)) = self.backend.tx_location(hash) {
            return Ok(block.rpc_tx(index));
        }
        Ok(self.backend.pending_tx(hash).map(|tx| Transaction {
            inner: Recovered::new_unchecked(tx.envelope, tx.sender),
            block_hash: None,
            block_number: None,
            transaction_index: None,
            effective_gas_price: None,
        }))
    }

    fn get_transaction_by_block_number_and_index(
        &self,
        block: BlockNumberOrTag,
        index: Quantity,
    ) -> RpcResult<Option<Transaction>> {
        Ok(self
            .block(block)?
            .and_then(|b| usize::try_from(index.0).ok().and_then(|i| b.rpc_tx(i))))
    }

    fn get_transaction_by_block_hash_and_index(
        &self,
        hash: B256,
        index: Quantity,
    ) -> RpcResult<Option<Transaction>> {
        Ok(self
            .backend
            .block_by_hash(hash)
            .and_then(|b| usize::try_from(index.0).ok().and_then(|i| b.rpc_tx(i))))
    }

    fn get_transaction_receipt(&self, hash: B256) -> RpcResult<Option<serde_json::Value>> {
        Ok(self
            .backend
            .tx_location(hash)
            .and_then(|(block, index)| block.rpc_receipt(index)))
    }

    fn get_block_receipts(&self, block: BlockId) -> RpcResult<Option<Vec<serde_json::Value>>> {
        let block = match block {
            BlockId::Hash(h) => self.backend.block_by_hash(h.block_hash),
            BlockId::Number(tag) => self.block(tag)?,
        };
        Ok(block.map(|b| (0..b.txs.len()).filter_map(|i| b.rpc_receipt(i)).collect()))
    }

    fn get_block_by_number(
        &self,
        block: BlockNumberOrTag,
        full: Option<bool>,
    ) -> RpcResult<Option<Block>> {
        Ok(self.block(block)?.map(|b| b.to_rpc(full.unwrap_or(false))))
    }

    fn get_block_by_hash(&self, hash: B256, full: Option<bool>) -> RpcResult<Option<Block>> {
        Ok(self
            .backend
            .block_by_hash(hash)
            .map(|b| b.to_rpc(full.unwrap_or(false))))
    }

    fn get_block_transaction_count_by_number(
        &self,
        block: BlockNumberOrTag,
    ) -> RpcResult<Option<U64>> {
        Ok(self.block(block)?.map(|b| U64::from(b.txs.len())))
    }

    fn get_block_transaction_count_by_hash(&self, hash: B256) -> RpcResult<Option<U64>> {
        Ok(self
            .backend
            .block_by_hash(hash)
            .map(|b| U64::from(b.txs.len())))
    }

    fn get_logs(&self, filter: Filter) -> RpcResult<Vec<Log>> {
        Ok(self.backend.logs(&filter)?)
    }

    async fn subscribe(
        &self,
        pending: PendingSubscriptionSink,
        kind: String,
        filter: Option<Filter>,
    ) -> SubscriptionResult {
        let logs = match kind.as_str() {
            "newHeads" => false,
            "logs" => true,
            other => {
                pending
                    .reject(ErrorObjectOwned::owned(
                        codes::INVALID_PARAMS,
                        format!("unsupported subscription type {other:?}"),
                        None::<()>,
                    ))
                    .await;
                return Ok(());
            }
        };
        let filter = filter.unwrap_or_default();
        let mut heads = self.backend.subscribe_heads();
        let start = *heads.borrow_and_update();
        let sink = pending.accept().await?;
        // Blocks are read from the chain, not from a bounded channel: a slow subscriber falls
        // behind but receives every block in order.
        let (mut next, mut epoch) = (start.head + 1, start.epoch);
        loop {
            heads.borrow_and_update();
            let backend = self.backend.clone();
            let follow =
                tokio::task::spawn_blocking(move || backend.follow(next, epoch, FOLLOW_BATCH))
                    .await
                    .map_err(|e| NodeError::Internal(e.to_string()))?;
            let follow = match follow {
                Ok(follow) => follow,
                Err(err) => return Err(err.to_string().into()),
            };
            (next, epoch) = (follow.next, follow.epoch);
            let caught_up = follow.blocks.len() < FOLLOW_BATCH;
            for block in follow.blocks {
                let items: Vec<serde_json::Value> = if logs {
                    (0..block.txs.len())
                        .flat_map(|i| block.rpc_logs(i))
                        .filter(|log| filter.matches(&log.inner))
                        .filter_map(|log| serde_json::to_value(log).ok())
                        .collect()
                } else {
                    serde_json::to_value(block.rpc_header())
                        .ok()
                        .into_iter()
                        .collect()
                };
                for item in items {
                    let msg: SubscriptionMessage = serde_json::value::to_raw_value(&item)?.into();
                    if sink.send(msg).await.is_err() {
                        return Ok(());
                    }
                }
            }
            if caught_up {
                tokio::select! {
                    _ = sink.closed() => return Ok(()),
                    changed = heads.changed() => if changed.is_err() { return Ok(()) },
                }
            }
        }
    }
}
