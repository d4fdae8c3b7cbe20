//! Dev state: everything dev methods change besides the world state (the clock, impersonations,
//! mining mode, next-block overrides). It is persisted by `--state` at every dev-method call.
//!
//! The clock follows anvil's `TimeManager` (foundry-rs/foundry,
//! `crates/anvil/src/eth/backend/time.rs`): a block's timestamp is the wall clock plus an offset;
//! `evm_setNextBlockTimestamp` forces the next block's timestamp and then moves the offset so that
//! the clock continues from there; `anvil_mine`'s interval adds to the offset before each block;
//! `evm_revert` and `anvil_reset` restart the clock at the restored head's timestamp.

use std::{
    collections::BTreeSet,
    time::{SystemTime, UNIX_EPOCH},
};

use alloy_primitives::Address;
use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};

/// Largest block timestamp the dev chain produces: 2^40 − 1 seconds (about the year 36,812).
///
/// Contracts add durations to `block.timestamp` in u64 (Stylus `block_timestamp()` is a u64) or
/// i64 arithmetic; with timestamps below 2^40 any duration below 2^62 seconds still fits, and
/// JavaScript clients keep timestamps exact (below 2^53) and valid as `Date`s (below 8.64e12 s).
/// `evm_increaseTime`, `evm_setNextBlockTimestamp`, `evm_mine` and `anvil_mine` refuse to go past
/// it (error -32602) instead of pushing timestamps to about 9.2e18 as an unbounded offset would.
pub const MAX_TIMESTAMP: u64 = (1 << 40) - 1;

/// Seconds since the Unix epoch by the wall clock.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// State changed by dev methods, persisted with the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevState {
    /// Seconds added to the wall clock for new blocks (may be negative after `evm_revert`).
    pub time_offset: i64,
    /// Timestamp forced for the next block (`evm_setNextBlockTimestamp`).
    pub next_timestamp: Option<u64>,
    /// Accounts `eth_sendTransaction` may send from without a key.
    pub impersonated: BTreeSet<Address>,
    /// One block per transaction.
    pub automine: bool,
    /// Interval mining period in milliseconds (`None`: off).
    pub interval_ms: Option<u64>,
    /// Beneficiary of new blocks (`anvil_setCoinbase`).
    pub coinbase: Address,
    /// Gas limit of new blocks (`evm_setBlockGasLimit`).
    pub block_gas_limit: u64,
    /// Base fee forced for the next block (`anvil_setNextBlockBaseFeePerGas`).
    pub next_base_fee: Option<u64>,
}

impl DevState {
    /// The clock's current reading: wall clock plus offset, clamped to `0..=MAX_TIMESTAMP`.
    pub fn clock(&self) -> u64 {
        clamp(i128::from(now()) + i128::from(self.time_offset))
    }

    /// Timestamp of the next block on top of a parent with timestamp `parent`: the forced one, or
    /// the clock, but never below the parent (a clock behind it gives `parent + 1`, as anvil).
    pub fn next_block_timestamp(&self, parent: u64) -> u64 {
        if let Some(ts) = self.next_timestamp {
            return ts;
        }
        let ts = self.clock();
        if ts < parent {
            parent.saturating_add(1).min(MAX_TIMESTAMP.max(parent))
        } else {
            ts
        }
    }

    /// Records that a block with `timestamp` was mined: a forced timestamp is consumed and the
    /// clock continues from it.
    pub fn block_mined(&mut self, timestamp: u64) {
        if self.next_timestamp.take().is_some() {
            self.time_offset = offset_to(timestamp);
        }
    }

    /// Restarts the clock at `timestamp` (after `evm_revert`, `anvil_reset`).
    pub fn reset_clock(&mut self, timestamp: u64) {
        self.time_offset = offset_to(timestamp);
        self.next_timestamp = None;
    }

    /// `evm_increaseTime`: moves the clock forward; returns the new total offset.
    ///
    /// # Errors
    /// [`NodeError::InvalidParams`] if the clock would pass [`MAX_TIMESTAMP`].
    pub fn increase_time(&mut self, seconds: u64) -> NodeResult<i64> {
        let target = i128::from(self.clock()) + i128::from(seconds);
        check_timestamp(target)?;
        self.time_offset = self
            .time_offset
            .saturating_add(i64::try_from(seconds).unwrap_or(i64::MAX));
        Ok(self.time_offset)
    }

    /// `evm_setNextBlockTimestamp`: forces the next block's timestamp.
    ///
    /// # Errors
    /// [`NodeError::InvalidParams`] if `timestamp` is below the head's `parent` timestamp (equal is
    /// allowed, as anvil) or above [`MAX_TIMESTAMP`].
    pub fn set_next_timestamp(&mut self, timestamp: u64, parent: u64) -> NodeResult<()> {
        if timestamp < parent {
            return Err(NodeError::InvalidParams(format!(
                "Timestamp error: {timestamp} is lower than previous block's timestamp"
            )));
        }
        check_timestamp(i128::from(timestamp))?;
        self.next_timestamp = Some(timestamp);
        Ok(())
    }
}

/// Offset that makes the clock read `timestamp` now.
fn offset_to(timestamp: u64) -> i64 {
    let offset = i128::from(timestamp) - i128::from(now());
    i64::try_from(offset).unwrap_or(if offset < 0 { i64::MIN } else { i64::MAX })
}

fn clamp(ts: i128) -> u64 {
    u64::try_from(ts.clamp(0, i128::from(MAX_TIMESTAMP))).unwrap_or(MAX_TIMESTAMP)
}

/// Rejects timestamps above [`MAX_TIMESTAMP`].
///
/// # Errors
/// [`NodeError::InvalidParams`] naming the bound.
pub fn check_timestamp(ts: i128) -> NodeResult<()> {
    if ts > i128::from(MAX_TIMESTAMP) {
        return Err(NodeError::InvalidParams(format!(
            "Timestamp error: {ts} is beyond the dev chain's largest timestamp {MAX_TIMESTAMP} \
             (2^40 - 1 s, see devnet/README.md \"Time travel\")"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev() -> DevState {
        DevState {
            time_offset: 0,
            next_timestamp: None,
            impersonated: BTreeSet::new(),
            automine: true,
            interval_ms: None,
            coinbase: Address::ZERO,
            block_gas_limit: 30_000_000,
            next_base_fee: None,
        }
    }

    #[test]
    fn forced_timestamp_moves_the_clock() {
        let mut d = dev();
        let target = now() + 1_000_000;
        d.set_next_timestamp(target, now()).unwrap();
        assert_eq!(d.next_block_timestamp(0), target);
        d.block_mined(target);
        assert!(d.next_timestamp.is_none());
        // The clock continues from the forced timestamp (allow one second of wall-clock drift).
        let c = d.clock();
        assert!(c >= target && c <= target + 1, "{c} vs {target}");
    }

    #[test]
    fn bounds_and_ordering() {
        let mut d = dev();
        assert!(d.set_next_timestamp(5, 6).is_err());
        assert!(d.set_next_timestamp(6, 6).is_ok());
        assert!(d.set_next_timestamp(MAX_TIMESTAMP + 1, 6).is_err());
        assert!(d.increase_time(u64::MAX).is_err());
        assert_eq!(d.time_offset, 0);
        assert_eq!(d.increase_time(10).unwrap(), 10);
        // A clock behind the parent gives parent + 1.
        d.next_timestamp = None;
        d.time_offset = -1_000_000;
        let parent = now() + 5;
        assert_eq!(d.next_block_timestamp(parent), parent + 1);
    }
}
