//! [`Backend`]'s mining: one block of ready pool transactions, `anvil_mine`'s many blocks, and
//! the interval miner's blocks; each durable (`--state`) when it returns.

use super::*;

impl Backend {
    /// Mines one block with every ready pool transaction; durable when this returns.
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the database cannot be written.
    pub fn mine(&self) -> NodeResult<Arc<Block>> {
        let mut inner = self.writer()?;
        let (block, _) = self.mine_locked(&mut inner, None)?;
        self.flush(&mut inner)?;
        Ok(block)
    }

    /// Mines `blocks` blocks (anvil's `anvil_mine`): with `interval`, the clock moves forward by
    /// `interval` seconds before each block (so consecutive blocks are `interval` apart). The
    /// lock is released between blocks; everything is written in one database transaction at the
    /// end (a crash in between loses the whole call, which was not acknowledged).
    ///
    /// # Errors
    /// [`NodeError::InvalidParams`] if the clock would pass [`dev::MAX_TIMESTAMP`] (blocks mined
    /// before that are kept); [`NodeError::Internal`] if the database cannot be written.
    pub fn mine_blocks(&self, blocks: u64, interval: Option<u64>) -> NodeResult<()> {
        let mut result = Ok(());
        for _ in 0..blocks {
            let mut inner = self.writer()?;
            if let Some(seconds) = interval {
                if let Err(err) = inner.dev.increase_time(seconds) {
                    result = Err(err);
                    break;
                }
            }
            if let Err(err) = self.mine_locked(&mut inner, None) {
                result = Err(err);
                break;
            }
        }
        let mut inner = self.writer()?;
        inner.dirty.dev = true;
        self.flush(&mut inner)?;
        result
    }

    pub(super) fn build_block(
        &self,
        db: &mut MemDb,
        hashes: &[B256],
        pool: &mut Vec<PoolTx>,
        parent: &Block,
        next: &NextBlock,
        max_txs: Option<usize>,
    ) -> (Block, Vec<(B256, NodeError)>) {
        let mix_hash = keccak256([parent.hash.as_slice(), &next.number.to_be_bytes()].concat());
        let mut header = Header {
            parent_hash: parent.hash,
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            beneficiary: next.beneficiary,
            number: next.number,
            gas_limit: next.gas_limit,
            timestamp: next.timestamp,
            mix_hash,
            base_fee_per_gas: Some(next.base_fee),
            difficulty: U256::from(1),
            ..Default::default()
        };
        let block_env = Self::block_env(&header);
        let cfg = self.cfg();
        let mut txs = Vec::new();
        let mut rejected = Vec::new();
        let mut cumulative = 0u64;
        // Nitro's recent-program cache lives for one block (devnet/engine/README.md).
        let mut recent = devnet_engine::RecentPrograms::new();
        while max_txs.is_none_or(|m| txs.len() < m) {
            let Some(pos) = next_ready(db, pool) else {
                break;
            };
            if cumulative + pool[pos].envelope.gas_limit() > header.gas_limit {
                break;
            }
            let pooled = pool.remove(pos);
            let env: TxEnv = convert::tx_env(&pooled.envelope, pooled.sender);
            let result = {
                let mut view = StateView::new(db, hashes);
                self.executor
                    .transact_in_block(&mut view, &cfg, &block_env, env, &mut recent)
            };
            let out = match result {
                Ok(out) => out,
                Err(err) => {
                    rejected.push((pooled.hash, evm_error(err)));
                    continue;
                }
            };
            db.commit(out.state);
            let result = out.result;
            let gas_used = result.tx_gas_used();
            cumulative += gas_used;
            let contract_address = match (&pooled.envelope.kind(), &result) {
                (TxKind::Create, ExecutionResult::Success { .. }) => result.created_address(),
                _ => None,
            };
            txs.push(MinedTx {
                receipt: StoredReceipt {
                    success: result.is_success(),
                    gas_used,
                    cumulative_gas_used: cumulative,
                    logs: result.logs().to_vec(),
                    contract_address,
                    effective_gas_price: convert::effective_gas_price(
                        &pooled.envelope,
                        next.base_fee,
                    ),
                },
                envelope: pooled.envelope,
                hash: pooled.hash,
                sender: pooled.sender,
            });
        }
        header.gas_used = cumulative;
        header.transactions_root = proofs::calculate_transaction_root(
            &txs.iter().map(|t| t.envelope.clone()).collect::<Vec<_>>(),
        );
        let receipts: Vec<_> = txs
            .iter()
            .map(|t| {
                t.receipt
                    .envelope(t.envelope.tx_type(), t.receipt.logs.clone())
            })
            .collect();
        header.receipts_root = proofs::calculate_receipt_root(&receipts);
        header.logs_bloom = txs.iter().fold(Default::default(), |mut bloom, t| {
            bloom.accrue_bloom(&t.receipt.bloom());
            bloom
        });
        // Not a Merkle-Patricia root: a commitment chaining the parent's root and this block's
        // transactions, so that it changes whenever state may have changed.
        header.state_root = keccak256(
            [
                parent.header.state_root.as_slice(),
                header.transactions_root.as_slice(),
                &next.number.to_be_bytes(),
            ]
            .concat(),
        );
        let hash = header.hash_slow();
        (Block { header, hash, txs }, rejected)
    }

    /// Mines one block (at most `max_txs` transactions) without flushing.
    pub(super) fn mine_locked(
        &self,
        inner: &mut Inner,
        max_txs: Option<usize>,
    ) -> NodeResult<Mined> {
        let next = self.next_block(inner);
        let Inner {
            chain, pool, dev, ..
        } = &mut *inner;
        let parent = chain.head().clone();
        let state_before = chain.db.clone();
        let before = pool.len();
        let (block, rejected) =
            self.build_block(&mut chain.db, &chain.hashes, pool, &parent, &next, max_txs);
        let pool_changed = pool.len() != before;
        let block = chain.push_block(block);
        chain
            .history
            .insert(parent.number(), Arc::new(state_before));
        while chain.history.len() > HISTORY {
            chain.history.pop_first();
        }
        dev.block_mined(next.timestamp);
        dev.next_base_fee = None;
        inner.dirty.dev = true;
        inner.dirty.pool |= pool_changed;
        Ok((block, rejected))
    }
}
