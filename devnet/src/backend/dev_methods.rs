//! [`Backend`]'s dev methods (anvil's and Hardhat's): state edits, mining modes, snapshots and
//! reverts, time travel, impersonation, dump and load; each persisted like a block.

use super::*;

impl Backend {
    /// Mutates the current state (dev methods) and persists it.
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the database cannot be written.
    pub fn modify_state(&self, f: impl FnOnce(&mut MemDb)) -> NodeResult<()> {
        let mut inner = self.writer()?;
        f(&mut inner.chain.db);
        self.flush(&mut inner)
    }

    /// `anvil_setBalance`: sets a balance, refusing values that would make all balances add up
    /// to more than 2^256 − 1 wei. Below that bound no transfer can overflow a balance; above it,
    /// revm's `OverflowPayment` halt charges the sender the value and credits no one
    /// (revm `crates/context/src/journal/inner.rs`, `transfer`), destroying ether.
    ///
    /// # Errors
    /// [`NodeError::InvalidParams`] for such a balance; [`NodeError::Internal`] if the database
    /// cannot be written.
    pub fn set_balance(&self, address: Address, balance: U256) -> NodeResult<()> {
        let mut inner = self.writer()?;
        let db = &inner.chain.db;
        let others = db.total_balance().map(|total| total - db.balance(&address));
        if others.and_then(|o| o.checked_add(balance)).is_none() {
            return Err(NodeError::InvalidParams(format!(
                "balance {balance} would make the total ether supply exceed 2^256 - 1 wei, which \
                 the EVM cannot conserve (other accounts hold {})",
                others
                    .map(|o| o.to_string())
                    .unwrap_or_else(|| "more".into())
            )));
        }
        inner.chain.db.set_balance(address, balance);
        self.flush(&mut inner)
    }

    fn edit_dev<T>(&self, f: impl FnOnce(&mut Inner) -> NodeResult<T>) -> NodeResult<T> {
        let mut inner = self.writer()?;
        let out = f(&mut inner)?;
        inner.dirty.dev = true;
        self.flush(&mut inner)?;
        Ok(out)
    }

    /// Turns automine on or off (persisted).
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the database cannot be written.
    pub fn set_automine(&self, on: bool) -> NodeResult<()> {
        self.edit_dev(|inner| {
            inner.dev.automine = on;
            if on {
                inner.dev.interval_ms = None;
            }
            Ok(())
        })
    }

    /// Whether automine is on.
    pub fn automine(&self) -> bool {
        self.inner.read().dev.automine
    }

    /// Records the interval-mining period (`None`: off); a period turns automine off.
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the database cannot be written.
    pub fn set_interval_mining(&self, millis: Option<u64>) -> NodeResult<()> {
        self.edit_dev(|inner| {
            inner.dev.interval_ms = millis;
            if millis.is_some() {
                inner.dev.automine = false;
            }
            Ok(())
        })
    }

    /// Starts or stops impersonating `address` (persisted).
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the database cannot be written.
    pub fn impersonate(&self, address: Address, on: bool) -> NodeResult<()> {
        self.edit_dev(|inner| {
            if on {
                inner.dev.impersonated.insert(address);
            } else {
                inner.dev.impersonated.remove(&address);
            }
            Ok(())
        })
    }

    /// `evm_increaseTime`: adds `seconds` to the clock; returns the total offset.
    ///
    /// # Errors
    /// [`NodeError::InvalidParams`] past [`dev::MAX_TIMESTAMP`]; [`NodeError::Internal`] if the
    /// database cannot be written.
    pub fn increase_time(&self, seconds: u64) -> NodeResult<i64> {
        self.edit_dev(|inner| inner.dev.increase_time(seconds))
    }

    /// `evm_setNextBlockTimestamp`: forces the next block's timestamp.
    ///
    /// # Errors
    /// [`NodeError::InvalidParams`] below the head's timestamp or past
    /// [`dev::MAX_TIMESTAMP`]; [`NodeError::Internal`] if the database cannot be written.
    pub fn set_next_timestamp(&self, timestamp: u64) -> NodeResult<()> {
        self.edit_dev(|inner| {
            let head = inner.chain.head().header.timestamp;
            inner.dev.set_next_timestamp(timestamp, head)
        })
    }

    /// `anvil_setCoinbase`: the beneficiary of new blocks.
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the database cannot be written.
    pub fn set_coinbase(&self, address: Address) -> NodeResult<()> {
        self.edit_dev(|inner| {
            inner.dev.coinbase = address;
            Ok(())
        })
    }

    /// `evm_setBlockGasLimit`: the gas limit of new blocks.
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the database cannot be written.
    pub fn set_block_gas_limit(&self, gas_limit: u64) -> NodeResult<()> {
        self.edit_dev(|inner| {
            inner.dev.block_gas_limit = gas_limit;
            Ok(())
        })
    }

    /// `anvil_setNextBlockBaseFeePerGas`: the next block's base fee (later blocks follow EIP-1559
    /// from it, with the node's floor).
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the database cannot be written.
    pub fn set_next_base_fee(&self, base_fee: u64) -> NodeResult<()> {
        self.edit_dev(|inner| {
            inner.dev.next_base_fee = Some(base_fee);
            Ok(())
        })
    }

    /// `anvil_dropTransaction`: removes a pool transaction; returns its hash if it was there.
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the database cannot be written.
    pub fn drop_transaction(&self, hash: B256) -> NodeResult<Option<B256>> {
        let mut inner = self.writer()?;
        let Some(pos) = inner.pool.iter().position(|t| t.hash == hash) else {
            return Ok(None);
        };
        inner.pool.remove(pos);
        inner.dirty.pool = true;
        self.flush(&mut inner)?;
        Ok(Some(hash))
    }

    /// Takes a snapshot of state and blocks; returns its id (0, 1, 2, ... as anvil).
    pub fn snapshot(&self) -> u64 {
        let mut inner = self.inner.write();
        let id = inner.next_snapshot;
        inner.next_snapshot += 1;
        let chain = inner.chain.clone();
        inner.snapshots.insert(id, chain);
        id
    }

    fn replace_chain(&self, inner: &mut Inner, chain: Chain, fork_point: u64) {
        inner.chain = chain;
        inner.chain.db.take_changes();
        inner.dirty.rewrite_state = true;
        inner.dirty.dev = true;
        let keep = fork_point + 1;
        inner.dirty.truncate_from = Some(inner.dirty.truncate_from.map_or(keep, |t| t.min(keep)));
        inner.epoch += 1;
        let epoch = inner.epoch;
        inner.reorgs.push_back((epoch, fork_point));
        while inner.reorgs.len() > MAX_REORGS {
            inner.reorgs.pop_front();
        }
    }

    /// Reverts to snapshot `id`, dropping it and every later one; the clock restarts at the
    /// restored head's timestamp; the pool is kept (as anvil). False if unknown.
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the database cannot be written.
    pub fn revert(&self, id: u64) -> NodeResult<bool> {
        let mut inner = self.writer()?;
        let Some(chain) = inner.snapshots.remove(&id) else {
            return Ok(false);
        };
        inner.snapshots.retain(|k, _| *k < id);
        let head = chain.head().number();
        let timestamp = chain.head().header.timestamp;
        self.replace_chain(&mut inner, chain, head);
        inner.dev.reset_clock(timestamp);
        self.flush(&mut inner)?;
        Ok(true)
    }

    /// `anvil_reset` without forking: a fresh genesis (same genesis timestamp), empty pool, no
    /// snapshots, the clock at the genesis timestamp, coinbase, gas limit and base fee back to
    /// the node's configuration; impersonations and the mining mode are kept (as anvil).
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the database cannot be written.
    pub fn reset(&self) -> NodeResult<()> {
        let mut inner = self.writer()?;
        let mut chain = genesis(&self.params, &self.executor);
        let genesis_ts = inner.chain.blocks[0].header.timestamp;
        let mut header = chain.blocks[0].header.clone();
        header.timestamp = genesis_ts;
        let hash = header.hash_slow();
        chain.blocks[0] = Arc::new(Block {
            header,
            hash,
            txs: Vec::new(),
        });
        chain.reindex();
        self.replace_chain(&mut inner, chain, 0);
        inner.dirty.truncate_from = Some(0);
        inner.snapshots.clear();
        inner.pool.clear();
        inner.dirty.pool = true;
        let defaults = default_dev(&self.params);
        inner.dev.coinbase = defaults.coinbase;
        inner.dev.block_gas_limit = defaults.block_gas_limit;
        inner.dev.next_base_fee = None;
        inner.dev.reset_clock(genesis_ts);
        self.flush(&mut inner)
    }

    /// Serialises the whole chain (state, blocks, dev state) as a JSON state document.
    ///
    /// # Errors
    /// [`NodeError::Internal`] if serialisation fails.
    pub fn dump_state(&self) -> NodeResult<Vec<u8>> {
        let inner = self.inner.read();
        serde_json::to_vec(&persist::StateFile::from_chain(
            self.params.chain_id,
            &inner.chain,
            &inner.dev,
        ))
        .map_err(|e| NodeError::Internal(e.to_string()))
    }

    /// Replaces the chain with a document produced by [`Backend::dump_state`] (snapshots are
    /// dropped; the dev state is taken from the document if it has one).
    ///
    /// # Errors
    /// [`NodeError::InvalidParams`] for malformed documents, another chain id, or balances
    /// adding up to more than 2^256 − 1 wei; [`NodeError::Internal`] if the database cannot be
    /// written. The chain is unchanged on error.
    pub fn load_state(&self, bytes: &[u8]) -> NodeResult<()> {
        let file = persist::parse(bytes)?;
        if file.chain_id != self.params.chain_id {
            return Err(NodeError::InvalidParams(format!(
                "state dump is for chain {}, node runs chain {}",
                file.chain_id, self.params.chain_id
            )));
        }
        let (chain, dev, offset) = file.into_parts();
        let mut inner = self.writer()?;
        self.replace_chain(&mut inner, chain, 0);
        inner.dirty.truncate_from = Some(0);
        inner.snapshots.clear();
        match dev {
            Some(dev) => inner.dev = dev,
            None => inner.dev.time_offset = offset,
        }
        self.flush(&mut inner)
    }
}
