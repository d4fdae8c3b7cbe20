//! Stored blocks, transactions and receipts, and their RPC representations.

use alloy_consensus::{
    Eip658Value, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, Transaction as _, TxEnvelope,
    TxType,
};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{logs_bloom, Address, Bloom, Log, B256, U256};
use alloy_rpc_types_eth as rpc;
use serde::{Deserialize, Serialize};

/// Execution outcome of one mined transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredReceipt {
    /// Whether execution succeeded.
    pub success: bool,
    /// Gas used by this transaction.
    pub gas_used: u64,
    /// Gas used by the block up to and including this transaction.
    pub cumulative_gas_used: u64,
    /// Logs emitted.
    pub logs: Vec<Log>,
    /// Address of the created contract, for creates.
    pub contract_address: Option<Address>,
    /// Price per gas actually paid.
    pub effective_gas_price: u128,
}

impl StoredReceipt {
    /// The bloom of this receipt's logs.
    pub fn bloom(&self) -> Bloom {
        logs_bloom(self.logs.iter())
    }

    /// The consensus receipt envelope (for the receipts root).
    pub fn envelope<T>(&self, tx_type: TxType, logs: Vec<T>) -> ReceiptEnvelope<T> {
        let inner = ReceiptWithBloom {
            receipt: Receipt {
                status: Eip658Value::Eip658(self.success),
                cumulative_gas_used: self.cumulative_gas_used,
                logs,
            },
            logs_bloom: self.bloom(),
        };
        match tx_type {
            TxType::Legacy => ReceiptEnvelope::Legacy(inner),
            TxType::Eip2930 => ReceiptEnvelope::Eip2930(inner),
            TxType::Eip1559 => ReceiptEnvelope::Eip1559(inner),
            TxType::Eip4844 => ReceiptEnvelope::Eip4844(inner),
            TxType::Eip7702 => ReceiptEnvelope::Eip7702(inner),
        }
    }
}

/// A transaction included in a block.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MinedTx {
    /// The signed transaction (impersonated ones carry a placeholder signature).
    pub envelope: TxEnvelope,
    /// Transaction hash.
    pub hash: B256,
    /// Recovered or impersonated sender.
    pub sender: Address,
    /// Its receipt.
    pub receipt: StoredReceipt,
}

/// A mined block.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Block {
    /// Consensus header.
    pub header: Header,
    /// Block hash (`keccak(rlp(header))`).
    pub hash: B256,
    /// Transactions with receipts, in order.
    pub txs: Vec<MinedTx>,
}

impl Block {
    /// Block number.
    pub fn number(&self) -> u64 {
        self.header.number
    }

    /// RPC header.
    pub fn rpc_header(&self) -> rpc::Header {
        rpc::Header {
            hash: self.hash,
            inner: self.header.clone(),
            total_difficulty: Some(U256::ZERO),
            size: Some(U256::from(self.size())),
        }
    }

    fn size(&self) -> usize {
        alloy_rlp::Encodable::length(&self.header)
            + self
                .txs
                .iter()
                .map(|t| t.envelope.encode_2718_len())
                .sum::<usize>()
    }

    /// RPC block, with full transactions or hashes only.
    pub fn to_rpc(&self, full: bool) -> rpc::Block {
        let transactions = if full {
            rpc::BlockTransactions::Full(
                (0..self.txs.len()).filter_map(|i| self.rpc_tx(i)).collect(),
            )
        } else {
            rpc::BlockTransactions::Hashes(self.txs.iter().map(|t| t.hash).collect())
        };
        rpc::Block {
            header: self.rpc_header(),
            uncles: Vec::new(),
            transactions,
            withdrawals: None,
        }
    }

    /// RPC transaction at `index`.
    pub fn rpc_tx(&self, index: usize) -> Option<rpc::Transaction> {
        let tx = self.txs.get(index)?;
        Some(rpc::Transaction {
            inner: alloy_consensus::transaction::Recovered::new_unchecked(
                tx.envelope.clone(),
                tx.sender,
            ),
            block_hash: Some(self.hash),
            block_number: Some(self.number()),
            transaction_index: Some(index as u64),
            effective_gas_price: Some(tx.receipt.effective_gas_price),
        })
    }

    /// RPC logs of the transaction at `index` (log indices are block-wide).
    pub fn rpc_logs(&self, index: usize) -> Vec<rpc::Log> {
        let first: usize = self.txs[..index.min(self.txs.len())]
            .iter()
            .map(|t| t.receipt.logs.len())
            .sum();
        let Some(tx) = self.txs.get(index) else {
            return Vec::new();
        };
        tx.receipt
            .logs
            .iter()
            .enumerate()
            .map(|(i, log)| rpc::Log {
                inner: log.clone(),
                block_hash: Some(self.hash),
                block_number: Some(self.number()),
                block_timestamp: Some(self.header.timestamp),
                transaction_hash: Some(tx.hash),
                transaction_index: Some(index as u64),
                log_index: Some((first + i) as u64),
                removed: false,
            })
            .collect()
    }

    /// RPC receipt of the transaction at `index`, with Arbitrum's extra fields.
    pub fn rpc_receipt(&self, index: usize) -> Option<serde_json::Value> {
        let tx = self.txs.get(index)?;
        let receipt = rpc::TransactionReceipt {
            inner: tx
                .receipt
                .envelope(tx.envelope.tx_type(), self.rpc_logs(index)),
            transaction_hash: tx.hash,
            transaction_index: Some(index as u64),
            block_hash: Some(self.hash),
            block_number: Some(self.number()),
            gas_used: tx.receipt.gas_used,
            effective_gas_price: tx.receipt.effective_gas_price,
            blob_gas_used: None,
            blob_gas_price: None,
            from: tx.sender,
            to: tx.envelope.to(),
            contract_address: tx.receipt.contract_address,
        };
        let mut value = serde_json::to_value(receipt).ok()?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("gasUsedForL1".into(), "0x0".into());
            obj.insert("l1BlockNumber".into(), "0x0".into());
        }
        Some(value)
    }
}
