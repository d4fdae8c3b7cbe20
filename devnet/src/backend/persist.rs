//! JSON state documents: what `anvil_dumpState` returns and `anvil_loadState` accepts, and the
//! format of `--state` files written before the redb database (`store.rs`), which are migrated on
//! first open.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use serde::{Deserialize, Serialize};

use super::{chain::Block, db::MemDb, dev::DevState, Chain};
use crate::error::{NodeError, NodeResult};

/// JSON format version.
pub const VERSION: u32 = 1;

/// Everything needed to resume a chain: state, blocks and clock.
#[derive(Debug, Serialize, Deserialize)]
pub struct StateFile {
    /// Format version.
    pub version: u32,
    /// Chain id the state belongs to.
    pub chain_id: u64,
    /// World state at the head.
    pub state: MemDb,
    /// All blocks from genesis.
    pub blocks: Vec<Block>,
    /// Clock offset in seconds.
    #[serde(default)]
    pub time_offset: i64,
    /// Dev state (absent in files written before it was added: the clock offset above is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<DevState>,
}

impl StateFile {
    /// Captures `chain` and the dev state.
    pub fn from_chain(chain_id: u64, chain: &Chain, dev: &DevState) -> Self {
        Self {
            version: VERSION,
            chain_id,
            state: chain.db.clone(),
            blocks: chain.blocks.iter().map(|b| b.as_ref().clone()).collect(),
            time_offset: dev.time_offset,
            dev: Some(dev.clone()),
        }
    }

    /// Rejects documents this node cannot use.
    ///
    /// # Errors
    /// [`NodeError::InvalidParams`] for another version, no blocks, non-contiguous blocks, or a
    /// total balance above 2^256 − 1 wei.
    pub fn check(&self) -> NodeResult<()> {
        if self.version != VERSION {
            return Err(NodeError::InvalidParams(format!(
                "unsupported state version {}",
                self.version
            )));
        }
        check_blocks(&self.blocks)?;
        if self.state.total_balance().is_none() {
            return Err(NodeError::InvalidParams(
                "state balances add up to more than 2^256 - 1 wei".into(),
            ));
        }
        Ok(())
    }

    /// Splits the document into a chain (historical states are not kept) and the dev state it
    /// carries, if any (older files carry only the clock offset).
    pub fn into_parts(self) -> (Chain, Option<DevState>, i64) {
        let chain = Chain::from_parts(self.state, self.blocks);
        (chain, self.dev, self.time_offset)
    }
}

/// Checks that `blocks` start at genesis and are numbered consecutively.
///
/// # Errors
/// [`NodeError::InvalidParams`] otherwise.
pub fn check_blocks(blocks: &[Block]) -> NodeResult<()> {
    if blocks.is_empty() {
        return Err(NodeError::InvalidParams("state has no blocks".into()));
    }
    if blocks
        .iter()
        .enumerate()
        .any(|(i, b)| b.number() != i as u64)
    {
        return Err(NodeError::InvalidParams(
            "state blocks are not contiguous".into(),
        ));
    }
    Ok(())
}

impl Chain {
    /// A chain from a head state and its blocks (checked with [`check_blocks`]).
    pub fn from_parts(db: MemDb, blocks: Vec<Block>) -> Self {
        let mut chain = Chain {
            db,
            blocks: blocks.into_iter().map(Arc::new).collect(),
            hashes: Vec::new(),
            history: BTreeMap::new(),
            tx_index: HashMap::new(),
            block_index: HashMap::new(),
        };
        chain.reindex();
        chain
    }
}

/// Parses a JSON state document.
///
/// # Errors
/// [`NodeError::InvalidParams`] if it is not one, or [`StateFile::check`] refuses it.
pub fn parse(bytes: &[u8]) -> NodeResult<StateFile> {
    let file: StateFile = serde_json::from_slice(bytes)
        .map_err(|e| NodeError::InvalidParams(format!("invalid state dump: {e}")))?;
    file.check()?;
    Ok(file)
}
