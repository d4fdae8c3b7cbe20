//! Dev methods with anvil's names and its hardhat/ganache aliases: snapshots, mining, time,
//! state edits, impersonation, pool and next-block overrides.
//!
//! Names, aliases, parameter formats and results follow anvil's `EthRequest`
//! (foundry-rs/foundry `crates/anvil/core/src/eth/mod.rs`) and its handlers
//! (`crates/anvil/src/eth/api.rs`); where the dev chain differs, the method says so.

use std::{sync::Arc, time::Duration};

use alloy_primitives::{Address, Bytes, B256, U256};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use serde_json::Value;

use super::types::{HexBytes, MineParam, NumU256, Quantity, Slot, Word};
use crate::{backend::Backend, error::NodeError, miner::MiningControl};

/// Most blocks one `anvil_mine`/`evm_mine` call mines (anvil has no bound; each block costs
/// about a kilobyte of memory here).
pub const MAX_MINE: u64 = 100_000;

/// Dev-only methods.
#[rpc(server)]
pub trait DevApi {
    /// Snapshots state and blocks; returns an id for `evm_revert` (0, 1, 2, ...).
    #[method(name = "evm_snapshot", aliases = ["anvil_snapshot"])]
    fn snapshot(&self) -> RpcResult<U256>;
    /// Reverts to a snapshot (which is consumed, with every later one); false if unknown.
    #[method(name = "evm_revert", aliases = ["anvil_revert"])]
    fn revert(&self, id: NumU256) -> RpcResult<bool>;
    /// Mines a block (optionally at a timestamp, or `{timestamp, blocks}`); returns `"0x0"`.
    #[method(name = "evm_mine", blocking)]
    fn evm_mine(&self, param: Option<MineParam>) -> RpcResult<String>;
    /// Mines `blocks` blocks (default 1), the clock moving `interval` seconds before each.
    #[method(name = "anvil_mine", aliases = ["hardhat_mine"], blocking)]
    fn anvil_mine(&self, blocks: Option<NumU256>, interval: Option<NumU256>) -> RpcResult<()>;
    /// Moves the clock forward; returns the total offset in seconds.
    #[method(name = "evm_increaseTime", aliases = ["anvil_increaseTime"])]
    fn increase_time(&self, seconds: NumU256) -> RpcResult<i64>;
    /// Fixes the next block's timestamp (not below the head's).
    #[method(name = "evm_setNextBlockTimestamp", aliases = ["anvil_setNextBlockTimestamp"])]
    fn set_next_block_timestamp(&self, timestamp: NumU256) -> RpcResult<()>;
    /// Sets an account balance (refused if all balances would exceed 2^256 - 1 wei).
    #[method(name = "anvil_setBalance", aliases = ["hardhat_setBalance"])]
    fn set_balance(&self, address: Address, balance: NumU256) -> RpcResult<()>;
    /// Sets an account's code.
    #[method(name = "anvil_setCode", aliases = ["hardhat_setCode"])]
    fn set_code(&self, address: Address, code: HexBytes) -> RpcResult<()>;
    /// Sets an account nonce (values above 2^64 - 1 saturate, as anvil).
    #[method(name = "anvil_setNonce", aliases = ["hardhat_setNonce", "evm_setAccountNonce"])]
    fn set_nonce(&self, address: Address, nonce: NumU256) -> RpcResult<()>;
    /// Sets a storage slot; returns true.
    #[method(name = "anvil_setStorageAt", aliases = ["hardhat_setStorageAt"])]
    fn set_storage_at(&self, address: Address, slot: Slot, value: Word) -> RpcResult<bool>;
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
    /// Mines every `millis` milliseconds (hardhat's unit; 0 stops interval mining).
    #[method(name = "evm_setIntervalMining")]
    fn evm_set_interval_mining(&self, millis: Quantity) -> RpcResult<()>;
    /// Removes a pool transaction; returns its hash, or null if it was not in the pool.
    #[method(name = "anvil_dropTransaction", aliases = ["hardhat_dropTransaction"])]
    fn drop_transaction(&self, hash: B256) -> RpcResult<Option<B256>>;
    /// Sets the beneficiary of new blocks (`eth_coinbase`).
    #[method(name = "anvil_setCoinbase", aliases = ["hardhat_setCoinbase"])]
    fn set_coinbase(&self, address: Address) -> RpcResult<()>;
    /// Sets the next block's base fee (values above 2^64 - 1 saturate, as anvil).
    #[method(
        name = "anvil_setNextBlockBaseFeePerGas",
        aliases = ["hardhat_setNextBlockBaseFeePerGas"]
    )]
    fn set_next_block_base_fee(&self, base_fee: NumU256) -> RpcResult<()>;
    /// Sets the gas limit of new blocks; returns true.
    #[method(name = "anvil_setBlockGasLimit", aliases = ["evm_setBlockGasLimit"])]
    fn set_block_gas_limit(&self, gas_limit: NumU256) -> RpcResult<bool>;
    /// Resets the chain to genesis (forking is not supported).
    #[method(name = "anvil_reset", aliases = ["hardhat_reset"], blocking)]
    fn reset(&self, forking: Option<Value>) -> RpcResult<()>;
    /// The whole chain (state, blocks, dev state) as JSON bytes, for `anvil_loadState`.
    #[method(name = "anvil_dumpState", aliases = ["hardhat_dumpState"], blocking)]
    fn dump_state(&self) -> RpcResult<Bytes>;
    /// Replaces the chain with a dump from `anvil_dumpState`.
    #[method(name = "anvil_loadState", aliases = ["hardhat_loadState"], blocking)]
    fn load_state(&self, state: HexBytes) -> RpcResult<bool>;
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

    fn check_count(blocks: u64) -> RpcResult<()> {
        if blocks > MAX_MINE {
            return Err(NodeError::LimitExceeded(format!(
                "cannot mine more than {MAX_MINE} blocks at once"
            ))
            .into());
        }
        Ok(())
    }
}

/// U256 to u64, saturating (anvil's `saturating_to`).
fn saturate(v: NumU256) -> u64 {
    v.0.saturating_to::<u64>()
}

fn timestamp(v: NumU256) -> RpcResult<u64> {
    u64::try_from(v.0).map_err(|_| {
        NodeError::InvalidParams(format!(
            "Timestamp error: {} is beyond the dev chain's largest timestamp {}",
            v.0,
            crate::backend::dev::MAX_TIMESTAMP
        ))
        .into()
    })
}

impl DevApiServer for Dev {
    fn snapshot(&self) -> RpcResult<U256> {
        Ok(U256::from(self.backend.snapshot()))
    }

    fn revert(&self, id: NumU256) -> RpcResult<bool> {
        match u64::try_from(id.0) {
            Ok(id) => Ok(self.backend.revert(id)?),
            Err(_) => Ok(false),
        }
    }

    fn evm_mine(&self, param: Option<MineParam>) -> RpcResult<String> {
        let (ts, blocks) = match param.unwrap_or_default() {
            MineParam::Timestamp(t) => (Some(t.0), 1),
            MineParam::Options { timestamp, blocks } => {
                (timestamp.map(|t| t.0), blocks.map(|b| b.0).unwrap_or(1))
            }
            MineParam::None => (None, 1),
        };
        Self::check_count(blocks)?;
        if let Some(ts) = ts {
            self.backend.set_next_timestamp(ts)?;
        }
        self.backend.mine_blocks(blocks, None)?;
        Ok("0x0".into())
    }

    fn anvil_mine(&self, blocks: Option<NumU256>, interval: Option<NumU256>) -> RpcResult<()> {
        let blocks = blocks.map(saturate).unwrap_or(1);
        if blocks == 0 {
            return Ok(());
        }
        Self::check_count(blocks)?;
        Ok(self.backend.mine_blocks(blocks, interval.map(saturate))?)
    }

    fn increase_time(&self, seconds: NumU256) -> RpcResult<i64> {
        Ok(self.backend.increase_time(saturate(seconds))?)
    }

    fn set_next_block_timestamp(&self, ts: NumU256) -> RpcResult<()> {
        Ok(self.backend.set_next_timestamp(timestamp(ts)?)?)
    }

    fn set_balance(&self, address: Address, balance: NumU256) -> RpcResult<()> {
        Ok(self.backend.set_balance(address, balance.0)?)
    }

    fn set_code(&self, address: Address, code: HexBytes) -> RpcResult<()> {
        Ok(self
            .backend
            .modify_state(|db| db.set_code(address, code.0))?)
    }

    fn set_nonce(&self, address: Address, nonce: NumU256) -> RpcResult<()> {
        let nonce = saturate(nonce);
        Ok(self
            .backend
            .modify_state(|db| db.set_nonce(address, nonce))?)
    }

    fn set_storage_at(&self, address: Address, slot: Slot, value: Word) -> RpcResult<bool> {
        self.backend
            .modify_state(|db| db.set_storage(address, slot.0, value.0.into()))?;
        Ok(true)
    }

    fn impersonate(&self, address: Address) -> RpcResult<()> {
        Ok(self.backend.impersonate(address, true)?)
    }

    fn stop_impersonating(&self, address: Address) -> RpcResult<()> {
        Ok(self.backend.impersonate(address, false)?)
    }

    fn set_automine(&self, on: bool) -> RpcResult<()> {
        self.backend.set_automine(on)?;
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
        let millis = (millis.0 > 0).then_some(millis.0);
        self.backend.set_interval_mining(millis)?;
        self.mining.set_interval(millis.map(Duration::from_millis));
        Ok(())
    }

    fn drop_transaction(&self, hash: B256) -> RpcResult<Option<B256>> {
        Ok(self.backend.drop_transaction(hash)?)
    }

    fn set_coinbase(&self, address: Address) -> RpcResult<()> {
        Ok(self.backend.set_coinbase(address)?)
    }

    fn set_next_block_base_fee(&self, base_fee: NumU256) -> RpcResult<()> {
        Ok(self.backend.set_next_base_fee(saturate(base_fee))?)
    }

    fn set_block_gas_limit(&self, gas_limit: NumU256) -> RpcResult<bool> {
        self.backend.set_block_gas_limit(saturate(gas_limit))?;
        Ok(true)
    }

    fn reset(&self, forking: Option<Value>) -> RpcResult<()> {
        let forks = match &forking {
            None | Some(Value::Null) => false,
            Some(Value::Object(o)) => o.get("forking").is_some_and(|f| !f.is_null()),
            Some(_) => true,
        };
        if forks {
            return Err(NodeError::InvalidParams(
                "forking is not supported by the dev chain; call anvil_reset without parameters"
                    .into(),
            )
            .into());
        }
        Ok(self.backend.reset()?)
    }

    fn dump_state(&self) -> RpcResult<Bytes> {
        Ok(self.backend.dump_state()?.into())
    }

    fn load_state(&self, state: HexBytes) -> RpcResult<bool> {
        self.backend.load_state(&state.0)?;
        Ok(true)
    }
}
