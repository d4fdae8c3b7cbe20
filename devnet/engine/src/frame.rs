//! What the side frames (Stylus programs, the native StylusDeployer) and the EVM driver in
//! `evm.rs` share: a frame's next step, the per-transaction state, and Nitro's per-block
//! recent-program cache.

use std::collections::HashMap;

use revm::interpreter::{FrameInput, InterpreterResult};
use revm::primitives::{Address, B256};

use crate::chain::BLOCK_CACHE_SIZE;

/// Result of running a WASM or deployer frame until it needs something.
pub(crate) enum Step {
    /// A child frame is needed.
    Sub(FrameInput),
    /// The frame finished.
    Done(InterpreterResult),
}

/// Per-transaction state shared by all frames.
#[derive(Default)]
pub(crate) struct TxState {
    /// Pages currently open across active Stylus frames (memory model `open`).
    pub(crate) open: u32,
    /// Maximum of `open` in this transaction (memory model `ever`).
    pub(crate) ever: u32,
    /// The block's recent-program cache (consulted from ArbOS 60).
    pub(crate) recent: RecentPrograms,
    /// Active non-delegate frames per address (for `msg_reentrant`).
    pub(crate) reentrancy: HashMap<Address, u32>,
}

/// Nitro's per-block cache of recently called programs: an LRU of code hashes that lives for one
/// block and is not reverted with the transaction that touched it (OffchainLabs/go-ethereum
/// `core/state/statedb_arbitrum.go`, `RecentWasms`; capacity `BlockCacheSize` = 32). From ArbOS 60
/// a call to a program found here pays the cached init cost (`arbos/programs/programs.go`,
/// `CallProgram`).
///
/// [`crate::Engine::transact`] starts each transaction with an empty cache, which is what Nitro
/// does for `eth_call` and `eth_estimateGas` and for the first transaction of a block. A node that
/// puts several transactions into one block passes one cache through
/// [`crate::Engine::transact_in_block`] for the whole block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecentPrograms {
    /// Most recently used last.
    entries: Vec<B256>,
}

impl RecentPrograms {
    /// An empty cache (the start of a block).
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a call to `codehash`; returns true if it was already among the 32 most recent
    /// (geth's `BasicLRU`: a hit moves the entry to the front, a miss inserts it and evicts the
    /// least recently used entry once 32 are held).
    pub fn insert(&mut self, codehash: B256) -> bool {
        if let Some(pos) = self.entries.iter().position(|h| *h == codehash) {
            let h = self.entries.remove(pos);
            self.entries.push(h);
            return true;
        }
        if self.entries.len() >= usize::from(BLOCK_CACHE_SIZE) {
            self.entries.remove(0);
        }
        self.entries.push(codehash);
        false
    }

    /// Whether `codehash` is held (does not touch the order).
    pub fn contains(&self, codehash: &B256) -> bool {
        self.entries.contains(codehash)
    }

    /// Number of entries (at most 32).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if no program was called yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lru_of_32() {
        let h = |i: u8| B256::repeat_byte(i);
        let mut c = RecentPrograms::new();
        assert!(!c.insert(h(0)));
        assert!(c.insert(h(0)));
        for i in 1..32 {
            assert!(!c.insert(h(i)));
        }
        assert_eq!(c.len(), 32);
        // A hit on the oldest entry makes it the newest, so the next miss evicts h(1).
        assert!(c.insert(h(0)));
        assert!(!c.insert(h(32)));
        assert!(c.contains(&h(0)) && !c.contains(&h(1)) && c.len() == 32);
    }
}
