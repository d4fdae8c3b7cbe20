//! State files: the JSON document written by `--state` and `anvil_dumpState`.

use std::{
    collections::{BTreeMap, HashMap},
    fs,
    io::Write,
    path::Path,
    sync::Arc,
};

use serde::{Deserialize, Serialize};

use super::{chain::Block, db::MemDb, Chain};
use crate::error::{NodeError, NodeResult};

/// Current state-file format version.
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
}

impl StateFile {
    /// Captures `chain`.
    pub fn from_chain(chain_id: u64, chain: &Chain) -> Self {
        Self {
            version: VERSION,
            chain_id,
            state: chain.db.clone(),
            blocks: chain.blocks.iter().map(|b| b.as_ref().clone()).collect(),
            time_offset: chain.time_offset,
        }
    }

    /// Rejects files this node cannot use.
    pub fn check(&self) -> NodeResult<()> {
        if self.version != VERSION {
            return Err(NodeError::InvalidParams(format!(
                "unsupported state version {}",
                self.version
            )));
        }
        if self.blocks.is_empty() {
            return Err(NodeError::InvalidParams("state has no blocks".into()));
        }
        if self
            .blocks
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

    /// Turns the file back into a chain (historical states are not kept).
    pub fn into_chain(self) -> Chain {
        let mut chain = Chain {
            db: self.state,
            blocks: self.blocks.into_iter().map(Arc::new).collect(),
            hashes: Vec::new(),
            history: BTreeMap::new(),
            tx_index: HashMap::new(),
            block_index: HashMap::new(),
            pool: Vec::new(),
            time_offset: self.time_offset,
            next_timestamp: None,
        };
        chain.reindex();
        chain
    }
}

/// Reads and checks a state file.
pub fn load_file(path: &Path) -> NodeResult<StateFile> {
    let bytes = fs::read(path)
        .map_err(|e| NodeError::Internal(format!("reading {}: {e}", path.display())))?;
    let file: StateFile = serde_json::from_slice(&bytes)
        .map_err(|e| NodeError::Internal(format!("parsing {}: {e}", path.display())))?;
    file.check()?;
    Ok(file)
}

/// Writes a state file atomically: a temporary file in the same directory, synced, then renamed
/// over the target.
pub fn save_file(path: &Path, file: &StateFile) -> NodeResult<()> {
    let io = |e: std::io::Error| NodeError::Internal(format!("writing {}: {e}", path.display()));
    let bytes = serde_json::to_vec(file).map_err(|e| NodeError::Internal(e.to_string()))?;
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    {
        let mut f = fs::File::create(&tmp).map_err(io)?;
        f.write_all(&bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    fs::rename(&tmp, path).map_err(io)?;
    Ok(())
}
