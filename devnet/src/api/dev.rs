//! Dev methods with anvil/hardhat names: snapshots, mining, time, state edits, impersonation.

use std::{sync::Arc, time::Duration};

use alloy_primitives::{Address, Bytes, B256, U256};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};

use super::types::{LooseU256, MineParam, Quantity};
use crate::{backend::Backend, error::NodeError, miner::MiningControl};

/// Most blocks one `anvil_mine`/`evm_mine` call mines.
pub const MAX_MINE: u64 = 10_000;

/// Dev-only methods.
#[rpc(server)]
pub trait DevApi {
    /// Snapshots the chain; returns an id for `evm_revert`.
    #[method(name = "evm_snapshot")]
    fn snapshot(&self) -> RpcResult<U256>;
    /// Reverts to a snapshot (which is consumed, with every later one).
    #[method(name = "evm_revert")]
    fn revert(&self, id: LooseU256) -> RpcResult<bool>;
    /// Mines a block (optionally at a timestamp, or `{timestamp, blocks}`).
    #[method(name = "evm_mine", blocking)]
    fn evm_mine(&self, param: Option<MineParam>) -> RpcResult<String>;
    /// Mines `blocks` blocks, `interval` seconds apart.
    #[method(name = "anvil_mine", aliases = ["hardhat_mine"], blocking)]
    fn anvil_mine(&self, blocks: Option<Quantity>, interval: Option<Quantity>) -> RpcResult<()>;
    /// Moves the clock forward; returns the total offset in seconds.
    #[method(name = "evm_increaseTime")]
    fn increase_time(&self, seconds: LooseU256) -> RpcResult<i64>;
    /// Fixes the next block's timestamp.
    #[method(name = "evm_setNextBlockTimestamp", aliases = ["anvil_setNextBlockTimestamp"])]
    fn set_next_block_timestamp(&self, timestamp: Quantity) -> RpcResult<()>;
    /// Sets an account balance.
    #[method(name = "anvil_setBalance", aliases = ["hardhat_setBalance"])]
    fn set_balance(&self, address: Address, balance: LooseU256) -> RpcResult<()>;
    /// Sets an account's code.
    #[method(name = "anvil_setCode", aliases = ["hardhat_setCode"])]
    fn set_code(&self, address: Address, code: Bytes) -> RpcResult<()>;
    /// Sets an account nonce.
    #[method(name = "anvil_setNonce", aliases = ["hardhat_setNonce"])]
    fn set_nonce(&self, address: Address, nonce: Quantity) -> RpcResult<()>;
    /// Sets a storage slot.
    #[method(name = "anvil_setStorageAt", aliases = ["hardhat_setStorageAt"])]
    fn set_storage_at(&self, address: Address, slot: U256, value: B256) -> RpcResult<bool>;
    /// Lets `eth_sendTransaction` send from `address` without its key.
    #[method(name = "anvil_impersonateAccount", aliases = ["hardhat_impersonateAccount"])]
    fn impersonate(&self, address: Address) -> RpcResult<()>;
    /// Stops impersonating `address`.
    #[method(
        name = "anvil_stopImpersonatingAccount",
        aliases = ["hardhat_stopImpersonatingAccount"]
    )]
    fn stop_impersonating(&self, address: Address) -> RpcResult<()>;
    /// Turns automine (one block per transaction) on or off.
    #[method(name = "anvil_setAutomine", aliases = ["evm_setAutomine"])]
    fn set_automine(&self, on: bool) -> RpcResult<()>;
    /// Whether automine is on.
    #[method(name = "anvil_getAutomine", aliases = ["hardhat_getAutomine"])]
    fn get_automine(&self) -> RpcResult<bool>;
    /// Mines every `seconds` seconds (0 stops interval mining).
    #[method(name = "anvil_setIntervalMining")]
    fn set_interval_mining(&self, seconds: Quantity) -> RpcResult<()>;
    /// Mines every `millis` milliseconds (0 stops interval mining).
    #[method(name = "evm_setIntervalMining")]
    fn evm_set_interval_mining(&self, millis: Quantity) -> RpcResult<()>;
    /// The whole chain (state and blocks) as bytes, for `anvil_loadState`.
    #[method(name = "anvil_dumpState", aliases = ["hardhat_dumpState"])]
    fn dump_state(&self) -> RpcResult<Bytes>;
    /// Replaces the chain with a dump from `anvil_dumpState`.
    #[method(name = "anvil_loadState", aliases = ["hardhat_loadState"])]
    fn load_state(&self, state: Bytes) -> RpcResult<bool>;
}

/// Implementation of [`DevApiServer`].
#[derive(Debug, Clone)]
pub struct Dev {
    backend: Arc<Backend>,
    mining: MiningControl,
}

impl Dev {
    /// Creates the namespace.
    pub fn new(backend: Arc<Backend>, mining: MiningControl) -> Self {
        Self { backend, mining }
    }

    fn mine_many(&self, blocks: u64, first_timestamp: Option<u64>, interval: u64) -> RpcResult<()> {
        if blocks > MAX_MINE {
            return Err(NodeError::LimitExceeded(format!(
                "cannot mine more than {MAX_MINE} blocks at once"
            ))
            .into());
        }
        let mut timestamp = first_timestamp;
        for _ in 0..blocks {
            let block = self.backend.mine(timestamp)?;
            timestamp = (interval > 0).then(|| block.header.timestamp.saturating_add(interval));
        }
        Ok(())
    }
}

fn to_u64(v: LooseU256) -> RpcResult<u64> {
    u64::try_from(v.0).map_err(|_| NodeError::InvalidParams("number too large".into()).into())
}

impl DevApiServer for Dev {
    fn snapshot(&self) -> RpcResult<U256> {
        Ok(U256::from(self.backend.snapshot()))
    }

    fn revert(&self, id: LooseU256) -> RpcResult<bool> {
        match u64::try_from(id.0) {
            Ok(id) => Ok(self.backend.revert(id)?),
            Err(_) => Ok(false),
        }
    }

    fn evm_mine(&self, param: Option<MineParam>) -> RpcResult<String> {
        let (timestamp, blocks) = match param.unwrap_or_default() {
            MineParam::Timestamp(t) => (Some(t.0), 1),
            MineParam::Options { timestamp, blocks } => {
                (timestamp.map(|t| t.0), blocks.map(|b| b.0).unwrap_or(1))
            }
            MineParam::None => (None, 1),
        };
        self.mine_many(blocks, timestamp, 0)?;
        Ok("0x0".into())
    }

    fn anvil_mine(&self, blocks: Option<Quantity>, interval: Option<Quantity>) -> RpcResult<()> {
        let blocks = blocks.map(|b| b.0).unwrap_or(1);
        self.mine_many(blocks, None, interval.map(|i| i.0).unwrap_or(0))
    }

    fn increase_time(&self, seconds: LooseU256) -> RpcResult<i64> {
        Ok(self.backend.increase_time(to_u64(seconds)?))
    }

    fn set_next_block_timestamp(&self, timestamp: Quantity) -> RpcResult<()> {
        Ok(self.backend.set_next_timestamp(timestamp.0)?)
    }

    fn set_balance(&self, address: Address, balance: LooseU256) -> RpcResult<()> {
        Ok(self
            .backend
            .modify_state(|db| db.set_balance(address, balance.0))?)
    }

    fn set_code(&self, address: Address, code: Bytes) -> RpcResult<()> {
        Ok(self.backend.modify_state(|db| db.set_code(address, code))?)
    }

    fn set_nonce(&self, address: Address, nonce: Quantity) -> RpcResult<()> {
        Ok(self
            .backend
            .modify_state(|db| db.set_nonce(address, nonce.0))?)
    }

    fn set_storage_at(&self, address: Address, slot: U256, value: B256) -> RpcResult<bool> {
        self.backend
            .modify_state(|db| db.set_storage(address, slot, value.into()))?;
        Ok(true)
    }

    fn impersonate(&self, address: Address) -> RpcResult<()> {
        self.backend.impersonate(address, true);
        Ok(())
    }

    fn stop_impersonating(&self, address: Address) -> RpcResult<()> {
        self.backend.impersonate(address, false);
        Ok(())
    }

    fn set_automine(&self, on: bool) -> RpcResult<()> {
        self.backend.set_automine(on);
        if on {
            self.mining.set_interval(None);
        }
        Ok(())
    }

    fn get_automine(&self) -> RpcResult<bool> {
        Ok(self.backend.automine())
    }

    fn set_interval_mining(&self, seconds: Quantity) -> RpcResult<()> {
        self.evm_set_interval_mining(Quantity(seconds.0.saturating_mul(1000)))
    }

    fn evm_set_interval_mining(&self, millis: Quantity) -> RpcResult<()> {
        let interval = (millis.0 > 0).then(|| Duration::from_millis(millis.0));
        if interval.is_some() {
            self.backend.set_automine(false);
        }
        self.mining.set_interval(interval);
        Ok(())
    }

    fn dump_state(&self) -> RpcResult<Bytes> {
        Ok(self.backend.dump_state()?.into())
    }

    fn load_state(&self, state: Bytes) -> RpcResult<bool> {
        self.backend.load_state(&state)?;
        Ok(true)
    }
}
