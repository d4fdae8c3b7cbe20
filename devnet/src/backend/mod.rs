//! The node's backend: chain state, blocks, the transaction pool, mining, dev state and
//! persistence.
//!
//! Everything that touches state goes through [`Backend`]; execution is delegated to
//! [`crate::exec::Executor`]. The API layer only converts between RPC types and backend calls.
//! Every state change ends with [`Backend`]'s flush: one write transaction of the `--state`
//! database (`store.rs`) holding exactly what changed, then a notification to subscribers.

pub mod chain;
pub mod convert;
pub mod db;
pub mod dev;
mod dev_methods;
mod execution;
mod mining;
pub mod persist;
pub mod store;

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    path::PathBuf,
    sync::Arc,
};

use alloy_consensus::SignableTransaction as _;
use alloy_consensus::{
    constants::EMPTY_OMMER_ROOT_HASH, proofs, Header, Transaction as _, TxEnvelope,
};
use alloy_eips::{
    eip1559::{calc_next_block_base_fee, BaseFeeParams},
    eip2718::Encodable2718,
};
use alloy_primitives::{address, keccak256, Address, Bytes, Signature, TxKind, B256, U256};
use alloy_rpc_types_eth::{
    state::StateOverride, BlockId, BlockNumberOrTag, Filter, TransactionRequest,
};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use parking_lot::{Mutex, RwLock, RwLockWriteGuard};
use revm::{
    context::{
        result::{EVMError, ExecutionResult, InvalidTransaction},
        BlockEnv, CfgEnv, TxEnv,
    },
    primitives::hardfork::SpecId,
};
use tokio::sync::watch;

use self::{
    chain::{Block, MinedTx, StoredReceipt},
    db::{MemDb, StateView},
    dev::DevState,
    store::{Store, Update},
};
use crate::{
    error::{NodeError, NodeResult},
    exec::Executor,
};

/// Arbitrum's sequencer address, used as the block beneficiary like Nitro does.
pub const SEQUENCER: Address = address!("A4B000000000000000000073657175656e636572");
/// Largest accepted encoded transaction (geth's `txMaxSize`).
pub const MAX_TX_SIZE: usize = 128 * 1024;
/// Most pending transactions the pool holds.
pub const MAX_POOL: usize = 4096;
/// How many historical block states are kept for queries at older blocks.
pub const HISTORY: usize = 256;
/// Widest block range `eth_getLogs` accepts.
pub const MAX_LOG_RANGE: u64 = 10_000;
/// Chain reorganisations (`evm_revert`, `anvil_reset`, `anvil_loadState`) remembered for
/// subscribers that have not caught up yet; one that misses more is closed with an error.
pub const MAX_REORGS: usize = 1024;
/// Pool arrivals remembered for `eth_newPendingTransactionFilter` polls.
pub const MAX_POOL_LOG: usize = 4096;

/// Chain parameters the backend needs.
#[derive(Debug, Clone)]
pub struct ChainParams {
    /// Chain id.
    pub chain_id: u64,
    /// Header gas limit of every block (until `evm_setBlockGasLimit`).
    pub block_gas_limit: u64,
    /// Per-transaction gas cap.
    pub tx_gas_cap: u64,
    /// Floor (and initial value) of the base fee, in wei.
    pub min_base_fee: u64,
    /// Accounts funded at genesis.
    pub genesis_accounts: Vec<(Address, U256)>,
    /// The `--state` database.
    pub state_path: Option<PathBuf>,
    /// Flush every database commit to the disk (`--state-fsync`).
    pub state_fsync: bool,
    /// Interval mining period in milliseconds given on the command line; `None` means automine,
    /// or whatever mining mode a `--state` database recorded.
    pub block_time_ms: Option<u64>,
}

/// A transaction waiting in the pool.
#[derive(Debug, Clone)]
pub struct PoolTx {
    /// The transaction.
    pub envelope: TxEnvelope,
    /// Its hash.
    pub hash: B256,
    /// Its sender.
    pub sender: Address,
}

/// The part of the backend that snapshots capture: state, blocks and their indices.
#[derive(Debug, Clone)]
pub struct Chain {
    /// Current (latest) state.
    pub db: MemDb,
    /// All blocks, indexed by number.
    pub blocks: Vec<Arc<Block>>,
    /// Block hashes by number.
    pub hashes: Vec<B256>,
    /// State after block `n`, for recent `n` below the head.
    pub history: BTreeMap<u64, Arc<MemDb>>,
    /// Transaction hash to (block, index).
    pub tx_index: HashMap<B256, (u64, usize)>,
    /// Block hash to number.
    pub block_index: HashMap<B256, u64>,
}

impl Chain {
    fn head(&self) -> &Arc<Block> {
        // The genesis block is always present.
        &self.blocks[self.blocks.len() - 1]
    }

    fn push_block(&mut self, block: Block) -> Arc<Block> {
        let block = Arc::new(block);
        for (i, tx) in block.txs.iter().enumerate() {
            self.tx_index.insert(tx.hash, (block.number(), i));
        }
        self.block_index.insert(block.hash, block.number());
        self.hashes.push(block.hash);
        self.blocks.push(block.clone());
        block
    }

    /// Rebuilds the indices from `blocks`.
    fn reindex(&mut self) {
        self.tx_index.clear();
        self.block_index.clear();
        self.hashes.clear();
        for block in &self.blocks {
            for (i, tx) in block.txs.iter().enumerate() {
                self.tx_index.insert(tx.hash, (block.number(), i));
            }
            self.block_index.insert(block.hash, block.number());
            self.hashes.push(block.hash);
        }
    }
}

/// The chain head as subscribers see it: its number and how many reorganisations happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadEvent {
    /// Latest block number.
    pub head: u64,
    /// Reorganisation counter (bumped by `evm_revert`, `anvil_reset`, `anvil_loadState`).
    pub epoch: u64,
}

/// Blocks handed to a subscriber by [`Backend::follow`].
#[derive(Debug)]
pub struct Follow {
    /// The next blocks in order.
    pub blocks: Vec<Arc<Block>>,
    /// Number of the block to ask for next.
    pub next: u64,
    /// Epoch the subscriber is now at.
    pub epoch: u64,
}

/// The block the pool would produce now, and the state after it.
#[derive(Debug)]
pub struct PendingBlock {
    /// The block (number head + 1; it is not mined).
    pub block: Block,
    /// State after its transactions (`None`: no transaction, the head state).
    pub state: Option<MemDb>,
}

/// What the cached pending block was built from: head hash, backend revision, timestamp.
type PendingKey = (B256, u64, u64);

/// A mined block plus the pool transactions dropped as invalid while mining it.
type Mined = (Arc<Block>, Vec<(B256, NodeError)>);

/// What the next flush must write besides the state changes `MemDb` records.
#[derive(Debug, Default)]
struct Dirty {
    /// Rewrite the whole state (after revert, reset, load, or a failed write).
    rewrite_state: bool,
    /// Blocks numbered at or above this must be deleted from the database.
    truncate_from: Option<u64>,
    /// The dev state changed.
    dev: bool,
    /// The pool changed.
    pool: bool,
}

struct Inner {
    chain: Chain,
    pool: Vec<PoolTx>,
    dev: DevState,
    snapshots: BTreeMap<u64, Chain>,
    next_snapshot: u64,
    store: Option<Store>,
    /// Blocks `0..persisted` are in the database.
    persisted: u64,
    dirty: Dirty,
    /// Reorganisation counter and `(epoch, fork point)` of the recent ones.
    epoch: u64,
    reorgs: VecDeque<(u64, u64)>,
    /// Pool arrivals: counter and `(sequence, hash)` of the recent ones.
    pool_seq: u64,
    pool_log: VecDeque<(u64, B256)>,
    /// Bumped on every change the pending block depends on besides the head.
    revision: u64,
    /// Set by [`Backend::close`]: changes are refused from then on.
    closed: bool,
}

/// Mutable node state behind a lock, plus the executor and chain parameters.
pub struct Backend {
    inner: RwLock<Inner>,
    executor: Executor,
    params: ChainParams,
    signers: Vec<PrivateKeySigner>,
    heads: watch::Sender<HeadEvent>,
    pending: Mutex<Option<(PendingKey, Arc<PendingBlock>)>>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

fn evm_error<E: std::fmt::Display>(err: EVMError<E>) -> NodeError {
    match err {
        EVMError::Transaction(tx) => NodeError::TxRejected(invalid_tx_message(&tx)),
        EVMError::Header(h) => NodeError::Internal(h.to_string()),
        EVMError::Database(e) => NodeError::Internal(e.to_string()),
        EVMError::Custom(e) => NodeError::Internal(e),
        EVMError::CustomAny(e) => NodeError::Internal(e.to_string()),
    }
}

fn invalid_tx_message(err: &InvalidTransaction) -> String {
    match err {
        InvalidTransaction::LackOfFundForMaxFee { fee, balance } => {
            format!("insufficient funds for gas * price + value: balance {balance}, tx cost {fee}")
        }
        InvalidTransaction::NonceTooLow { tx, state } => {
            format!("nonce too low: next nonce {state}, tx nonce {tx}")
        }
        InvalidTransaction::NonceTooHigh { tx, state } => {
            format!("nonce too high: next nonce {state}, tx nonce {tx}")
        }
        InvalidTransaction::CallGasCostMoreThanGasLimit {
            initial_gas,
            gas_limit,
        } => format!("intrinsic gas too low: gas {gas_limit}, minimum needed {initial_gas}"),
        InvalidTransaction::GasPriceLessThanBasefee => {
            "max fee per gas less than block base fee".to_string()
        }
        InvalidTransaction::PriorityFeeGreaterThanMaxFee => {
            "max priority fee per gas higher than max fee per gas".to_string()
        }
        other => other.to_string(),
    }
}

/// Outcome of a read-only execution.
#[derive(Debug)]
pub struct CallOutcome {
    /// The execution result.
    pub result: ExecutionResult,
}

impl CallOutcome {
    /// Converts to the `eth_call` answer: output bytes, or a revert/halt error.
    pub fn into_output(self) -> NodeResult<Bytes> {
        match self.result {
            ExecutionResult::Success { output, .. } => Ok(output.into_data()),
            ExecutionResult::Revert { output, .. } => Err(NodeError::Reverted(output)),
            ExecutionResult::Halt { reason, .. } => Err(NodeError::Halted(halt_message(&reason))),
        }
    }
}

fn halt_message(reason: &revm::context::result::HaltReason) -> String {
    use revm::context::result::{HaltReason, OutOfGasError};
    match reason {
        HaltReason::OutOfGas(OutOfGasError::Basic | OutOfGasError::Precompile) => {
            "out of gas".into()
        }
        HaltReason::OutOfGas(other) => format!("out of gas: {other:?}"),
        HaltReason::OpcodeNotFound | HaltReason::InvalidFEOpcode => "invalid opcode".into(),
        HaltReason::StackUnderflow => "stack underflow".into(),
        HaltReason::StackOverflow => "stack limit reached 1024".into(),
        HaltReason::CreateContractSizeLimit => "max code size exceeded".into(),
        HaltReason::CreateContractStartingWithEF => "invalid code: must not begin with 0xef".into(),
        HaltReason::InvalidJump => "invalid jump destination".into(),
        HaltReason::CallTooDeep => "max call depth exceeded".into(),
        HaltReason::OutOfFunds => "insufficient balance for transfer".into(),
        HaltReason::StateChangeDuringStaticCall => "write protection".into(),
        other => format!("execution halted: {other:?}"),
    }
}

fn default_dev(params: &ChainParams) -> DevState {
    DevState {
        time_offset: 0,
        next_timestamp: None,
        impersonated: Default::default(),
        automine: params.block_time_ms.is_none(),
        interval_ms: params.block_time_ms,
        coinbase: SEQUENCER,
        block_gas_limit: params.block_gas_limit,
        next_base_fee: None,
    }
}

/// Header fields of the block to build on top of `parent`.
struct NextBlock {
    number: u64,
    timestamp: u64,
    base_fee: u64,
    gas_limit: u64,
    beneficiary: Address,
}

impl Backend {
    /// Creates a backend with a fresh genesis block, or the chain stored at `params.state_path`
    /// (a state database, or a JSON state file which is migrated).
    ///
    /// # Errors
    /// Those of [`Store::open`], and [`NodeError::Internal`] if the new database cannot be written.
    pub fn new(
        params: ChainParams,
        executor: Executor,
        signers: Vec<PrivateKeySigner>,
    ) -> NodeResult<Self> {
        let (store, loaded) = match &params.state_path {
            Some(path) => {
                let (store, loaded) = Store::open(path, params.chain_id, params.state_fsync)?;
                (Some(store), loaded)
            }
            None => (None, None),
        };
        let mut dev = default_dev(&params);
        let (chain, pool, persisted) = match loaded {
            Some(loaded) => {
                let persisted = loaded.blocks.len() as u64;
                match loaded.dev {
                    Some(stored) => {
                        dev = stored;
                        if params.block_time_ms.is_some() {
                            dev.interval_ms = params.block_time_ms;
                            dev.automine = false;
                        }
                    }
                    None => dev.time_offset = loaded.legacy_time_offset,
                }
                (
                    Chain::from_parts(loaded.state, loaded.blocks),
                    loaded.pool,
                    persisted,
                )
            }
            None => (genesis(&params, &executor), Vec::new(), 0),
        };
        let head = chain.head().number();
        let (heads, _) = watch::channel(HeadEvent { head, epoch: 0 });
        let backend = Self {
            inner: RwLock::new(Inner {
                chain,
                pool,
                dev,
                snapshots: BTreeMap::new(),
                next_snapshot: 0,
                store,
                persisted,
                dirty: Dirty {
                    rewrite_state: persisted == 0,
                    truncate_from: None,
                    dev: true,
                    pool: false,
                },
                epoch: 0,
                reorgs: VecDeque::new(),
                pool_seq: 0,
                pool_log: VecDeque::new(),
                revision: 0,
                closed: false,
            }),
            executor,
            params,
            signers,
            heads,
            pending: Mutex::new(None),
        };
        {
            let mut inner = backend.inner.write();
            if persisted > 0 {
                // Loaded: the database already holds this state.
                inner.chain.db.take_changes();
            }
            backend.flush(&mut inner)?;
        }
        Ok(backend)
    }

    /// Writes what is pending and closes the `--state` database (releasing its lock so another
    /// node can open it). Called when a node shuts down. From then on every call that would
    /// change the chain, the pool or the dev state fails with [`NodeError::ShuttingDown`] before
    /// changing anything: a request still in flight while the node stops is refused, never
    /// acknowledged and then lost. Reads keep working. Closing twice is harmless.
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the last write fails (the database is closed anyway).
    pub fn close(&self) -> NodeResult<()> {
        let mut inner = self.inner.write();
        if inner.closed {
            return Ok(());
        }
        let result = self.flush(&mut inner);
        inner.store = None;
        inner.closed = true;
        result
    }

    /// The write lock, refused once the node is closed ([`Backend::close`]).
    ///
    /// # Errors
    /// [`NodeError::ShuttingDown`] after [`Backend::close`].
    fn writer(&self) -> NodeResult<RwLockWriteGuard<'_, Inner>> {
        let inner = self.inner.write();
        if inner.closed {
            return Err(NodeError::ShuttingDown);
        }
        Ok(inner)
    }

    /// Rows the last `--state` database write touched (`None` without `--state`).
    pub fn last_write_rows(&self) -> Option<u64> {
        self.inner.read().store.as_ref().map(Store::last_write_rows)
    }

    /// Chain parameters.
    pub fn params(&self) -> &ChainParams {
        &self.params
    }

    /// Dev accounts whose keys the node holds.
    pub fn dev_accounts(&self) -> Vec<Address> {
        self.signers.iter().map(|s| s.address()).collect()
    }

    /// Watches the head: subscribers wake on every change and read blocks with
    /// [`Backend::follow`], so they never miss one.
    pub fn subscribe_heads(&self) -> watch::Receiver<HeadEvent> {
        self.heads.subscribe()
    }

    /// Blocks from `next` on (at most `limit`) for a subscriber that has seen epoch `epoch`.
    ///
    /// After a reorganisation the subscriber continues from the fork point, so it receives the
    /// new blocks that replaced the ones it saw.
    ///
    /// # Errors
    /// [`NodeError::LimitExceeded`] if more than [`MAX_REORGS`] reorganisations happened since
    /// `epoch` (the fork point is no longer known): the subscription must be closed.
    pub fn follow(&self, mut next: u64, epoch: u64, limit: usize) -> NodeResult<Follow> {
        let inner = self.inner.read();
        if epoch != inner.epoch {
            let known = inner
                .reorgs
                .front()
                .is_some_and(|(first, _)| *first <= epoch + 1);
            if !known {
                return Err(NodeError::LimitExceeded(
                    "subscription lagged: more chain reorganisations than the node remembers"
                        .into(),
                ));
            }
            for (e, fork) in &inner.reorgs {
                if *e > epoch {
                    next = next.min(fork + 1);
                }
            }
        }
        let head = inner.chain.head().number();
        let blocks: Vec<Arc<Block>> = if next > head {
            Vec::new()
        } else {
            let from = usize::try_from(next).unwrap_or(usize::MAX);
            inner.chain.blocks[from..]
                .iter()
                .take(limit)
                .cloned()
                .collect()
        };
        Ok(Follow {
            next: next + blocks.len() as u64,
            blocks,
            epoch: inner.epoch,
        })
    }

    /// Pool arrivals after sequence number `after`, and the sequence number to poll from next.
    pub fn pool_arrivals(&self, after: u64) -> (Vec<B256>, u64) {
        let inner = self.inner.read();
        let hashes = inner
            .pool_log
            .iter()
            .filter(|(seq, _)| *seq > after)
            .map(|(_, h)| *h)
            .collect();
        (hashes, inner.pool_seq)
    }

    /// Writes everything that changed since the last flush in one database transaction (if
    /// `--state` is on) and wakes subscribers.
    fn flush(&self, inner: &mut Inner) -> NodeResult<()> {
        let changes = inner.chain.db.take_changes();
        let head = inner.chain.head().number();
        inner.revision += 1;
        if let Some(store) = &inner.store {
            let dirty = std::mem::take(&mut inner.dirty);
            let first_new = inner.persisted.min(dirty.truncate_from.unwrap_or(u64::MAX));
            let from = usize::try_from(first_new).unwrap_or(usize::MAX);
            let new_blocks = inner.chain.blocks.get(from..).unwrap_or_default();
            let result = store.write(Update {
                state: &inner.chain.db,
                changes: &changes,
                rewrite_state: dirty.rewrite_state,
                truncate_from: dirty.truncate_from,
                new_blocks,
                dev: dirty.dev.then_some(&inner.dev),
                pool: dirty.pool.then_some(inner.pool.as_slice()),
            });
            if let Err(err) = result {
                // Nothing was written: write everything again next time.
                inner.dirty = Dirty {
                    rewrite_state: true,
                    truncate_from: Some(first_new),
                    dev: true,
                    pool: true,
                };
                inner.persisted = first_new;
                return Err(err);
            }
            inner.persisted = head + 1;
            tracing::debug!(target: "devnet::store", head, "committed");
        } else {
            inner.dirty = Dirty::default();
            inner.persisted = head + 1;
        }
        self.heads.send_if_modified(|event| {
            let next = HeadEvent {
                head,
                epoch: inner.epoch,
            };
            let changed = *event != next;
            *event = next;
            changed
        });
        Ok(())
    }

    fn cfg(&self) -> CfgEnv {
        let mut cfg = CfgEnv::new_with_spec(SpecId::PRAGUE);
        cfg.chain_id = self.params.chain_id;
        cfg.tx_gas_limit_cap = Some(self.params.tx_gas_cap);
        // Like anvil: senders with code (impersonated contracts, `eth_call` from a contract)
        // are allowed.
        cfg.disable_eip3607 = true;
        cfg
    }

    fn block_env(header: &Header) -> BlockEnv {
        BlockEnv {
            number: U256::from(header.number),
            beneficiary: header.beneficiary,
            timestamp: U256::from(header.timestamp),
            gas_limit: header.gas_limit,
            basefee: header.base_fee_per_gas.unwrap_or_default(),
            difficulty: U256::ZERO,
            prevrandao: Some(header.mix_hash),
            ..Default::default()
        }
    }

    fn next_block(&self, inner: &Inner) -> NextBlock {
        let parent = &inner.chain.head().header;
        NextBlock {
            number: parent.number + 1,
            timestamp: inner.dev.next_block_timestamp(parent.timestamp),
            base_fee: next_base_fee(&self.params, &inner.dev, parent),
            gas_limit: inner.dev.block_gas_limit,
            beneficiary: inner.dev.coinbase,
        }
    }

    // ---------------------------------------------------------------- queries

    /// Latest block number.
    pub fn block_number(&self) -> u64 {
        self.inner.read().chain.head().number()
    }

    /// Base fee the next block will have.
    pub fn next_base_fee(&self) -> u64 {
        let inner = self.inner.read();
        next_base_fee(&self.params, &inner.dev, &inner.chain.head().header)
    }

    /// Beneficiary of new blocks.
    pub fn coinbase(&self) -> Address {
        self.inner.read().dev.coinbase
    }

    /// A copy of the dev state.
    pub fn dev_state(&self) -> DevState {
        self.inner.read().dev.clone()
    }

    /// Resolves a block id to a mined block number, failing for unknown blocks (`pending` is
    /// the head here; callers that serve the pending block check for it first).
    pub fn resolve(&self, id: Option<BlockId>) -> NodeResult<u64> {
        let inner = self.inner.read();
        resolve(&inner.chain, id)
    }

    /// The block with the given number.
    pub fn block_by_number(&self, number: u64) -> Option<Arc<Block>> {
        let inner = self.inner.read();
        usize::try_from(number)
            .ok()
            .and_then(|n| inner.chain.blocks.get(n).cloned())
    }

    /// The block with the given hash.
    pub fn block_by_hash(&self, hash: B256) -> Option<Arc<Block>> {
        let inner = self.inner.read();
        let n = *inner.chain.block_index.get(&hash)?;
        usize::try_from(n)
            .ok()
            .and_then(|n| inner.chain.blocks.get(n).cloned())
    }

    /// The block and index of a mined transaction.
    pub fn tx_location(&self, hash: B256) -> Option<(Arc<Block>, usize)> {
        let inner = self.inner.read();
        let (n, i) = *inner.chain.tx_index.get(&hash)?;
        let block = usize::try_from(n)
            .ok()
            .and_then(|n| inner.chain.blocks.get(n).cloned())?;
        Some((block, i))
    }

    /// Hashes of all pool transactions.
    pub fn pending_hashes(&self) -> Vec<B256> {
        self.inner.read().pool.iter().map(|t| t.hash).collect()
    }

    /// A pending transaction by hash.
    pub fn pending_tx(&self, hash: B256) -> Option<PoolTx> {
        self.inner
            .read()
            .pool
            .iter()
            .find(|t| t.hash == hash)
            .cloned()
    }

    /// The block the pool would produce now: ready pool transactions executed in pool order on
    /// top of the head, with the header the next block would get (timestamp, base fee, gas
    /// limit, beneficiary), as anvil's pending block. Computed on demand and cached until the
    /// head, the pool, the dev state or the clock's second change.
    pub fn pending_block(&self) -> Arc<PendingBlock> {
        let inner = self.inner.read();
        self.pending_locked(&inner)
    }

    fn pending_locked(&self, inner: &Inner) -> Arc<PendingBlock> {
        let next = self.next_block(inner);
        let key = (inner.chain.head().hash, inner.revision, next.timestamp);
        if let Some((k, block)) = &*self.pending.lock() {
            if *k == key {
                return block.clone();
            }
        }
        let chain = &inner.chain;
        let has_ready = next_ready(&chain.db, &inner.pool).is_some();
        let mut pool = inner.pool.clone();
        let (block, state) = if has_ready {
            let mut db = chain.db.clone();
            let (block, _) =
                self.build_block(&mut db, &chain.hashes, &mut pool, chain.head(), &next, None);
            db.take_changes();
            (block, Some(db))
        } else {
            let mut empty = MemDb::default();
            let (block, _) = self.build_block(
                &mut empty,
                &chain.hashes,
                &mut Vec::new(),
                chain.head(),
                &next,
                None,
            );
            (block, None)
        };
        let pending = Arc::new(PendingBlock { block, state });
        *self.pending.lock() = Some((key, pending.clone()));
        pending
    }

    /// Runs `f` on the header and state at block `id` (`pending`: the pending block's).
    ///
    /// # Errors
    /// [`NodeError::NotFound`] for unknown blocks and states older than [`HISTORY`] blocks.
    pub fn with_state<T>(&self, id: Option<BlockId>, f: impl FnOnce(&MemDb) -> T) -> NodeResult<T> {
        let inner = self.inner.read();
        self.at(&inner, id, |_, db, _| f(db))
    }

    fn at<T>(
        &self,
        inner: &Inner,
        id: Option<BlockId>,
        f: impl FnOnce(&Header, &MemDb, &[B256]) -> T,
    ) -> NodeResult<T> {
        let chain = &inner.chain;
        if matches!(id, Some(BlockId::Number(BlockNumberOrTag::Pending))) {
            let pending = self.pending_locked(inner);
            let db = pending.state.as_ref().unwrap_or(&chain.db);
            return Ok(f(&pending.block.header, db, &chain.hashes));
        }
        let number = resolve(chain, id)?;
        let header = &chain.blocks[number as usize].header;
        if number == chain.head().number() {
            return Ok(f(header, &chain.db, &chain.hashes));
        }
        match chain.history.get(&number) {
            Some(db) => Ok(f(header, db, &chain.hashes)),
            None => Err(NodeError::NotFound(format!(
                "state for block {number} is not available (the node keeps the last {HISTORY} blocks)"
            ))),
        }
    }

    /// Nonce of `address`; `pending` includes pool transactions.
    pub fn nonce(&self, address: Address, id: Option<BlockId>) -> NodeResult<u64> {
        if matches!(id, Some(BlockId::Number(BlockNumberOrTag::Pending))) {
            let inner = self.inner.read();
            return Ok(pending_nonce(&inner.chain.db, &inner.pool, &address));
        }
        self.with_state(id, |db| db.nonce(&address))
    }

    /// Logs matching `filter`.
    pub fn logs(&self, filter: &Filter) -> NodeResult<Vec<alloy_rpc_types_eth::Log>> {
        let inner = self.inner.read();
        let chain = &inner.chain;
        let head = chain.head().number();
        let blocks: Vec<Arc<Block>> = match filter.block_option {
            alloy_rpc_types_eth::FilterBlockOption::AtBlockHash(hash) => {
                let n = chain
                    .block_index
                    .get(&hash)
                    .ok_or_else(|| NodeError::NotFound("unknown block".into()))?;
                vec![chain.blocks[*n as usize].clone()]
            }
            alloy_rpc_types_eth::FilterBlockOption::Range {
                from_block,
                to_block,
            } => {
                let to_num = |tag: Option<BlockNumberOrTag>, default: u64| match tag {
                    None => default,
                    Some(BlockNumberOrTag::Number(n)) => n.min(head),
                    Some(BlockNumberOrTag::Earliest) => 0,
                    Some(_) => head,
                };
                let from = to_num(from_block, head);
                let to = to_num(to_block, head);
                if from > to {
                    return Err(NodeError::InvalidParams(
                        "invalid block range params".into(),
                    ));
                }
                if to - from >= MAX_LOG_RANGE {
                    return Err(NodeError::LimitExceeded(format!(
                        "query exceeds max block range {MAX_LOG_RANGE}"
                    )));
                }
                chain.blocks[from as usize..=to as usize].to_vec()
            }
        };
        let mut out = Vec::new();
        for block in blocks {
            if !filter.matches_bloom(block.header.logs_bloom) {
                continue;
            }
            for i in 0..block.txs.len() {
                out.extend(
                    block
                        .rpc_logs(i)
                        .into_iter()
                        .filter(|log| filter.matches(&log.inner)),
                );
            }
        }
        Ok(out)
    }

    // ---------------------------------------------------------------- transactions

    /// Validates and queues a signed transaction; under automine mines it (and every other ready
    /// transaction) at once. Returns after the result is durable (`--state`).
    ///
    /// # Errors
    /// [`NodeError::TxRejected`] with geth's wording for invalid transactions (the pool is left
    /// as it was), or the error that dropped the transaction while mining it.
    pub fn submit(&self, envelope: TxEnvelope, sender: Address) -> NodeResult<B256> {
        let hash = *envelope.tx_hash();
        let mut inner = self.writer()?;
        self.validate(&inner, &envelope, sender)?;
        // Under automine a transaction usually enters and leaves the pool in this call: then the
        // stored pool does not change and is not rewritten.
        let pool_clean = inner.pool.is_empty() && !inner.dirty.pool;
        if inner.chain.tx_index.contains_key(&hash) || inner.pool.iter().any(|t| t.hash == hash) {
            return Err(NodeError::TxRejected("already known".into()));
        }
        let nonce = envelope.nonce();
        if let Some(pos) = inner
            .pool
            .iter()
            .position(|t| t.sender == sender && t.envelope.nonce() == nonce)
        {
            let old = &inner.pool[pos].envelope;
            let bump = |v: u128| v.saturating_mul(110) / 100;
            if envelope.max_fee_per_gas() < bump(old.max_fee_per_gas())
                || envelope.max_priority_fee_per_gas().unwrap_or(0)
                    < bump(old.max_priority_fee_per_gas().unwrap_or(0))
            {
                return Err(NodeError::TxRejected(
                    "replacement transaction underpriced".into(),
                ));
            }
            inner.pool.remove(pos);
        }
        if inner.pool.len() >= MAX_POOL {
            return Err(NodeError::TxRejected("txpool is full".into()));
        }
        inner.pool.push(PoolTx {
            envelope,
            hash,
            sender,
        });
        inner.dirty.pool = true;
        inner.pool_seq += 1;
        let seq = inner.pool_seq;
        inner.pool_log.push_back((seq, hash));
        while inner.pool_log.len() > MAX_POOL_LOG {
            inner.pool_log.pop_front();
        }
        let mut failure = None;
        if inner.dev.automine {
            // One block per ready transaction; a transaction behind a nonce gap waits.
            while next_ready(&inner.chain.db, &inner.pool).is_some() {
                let (_, rejected) = self.mine_locked(&mut inner, Some(1))?;
                if let Some((_, err)) = rejected.into_iter().find(|(h, _)| *h == hash) {
                    failure = Some(err);
                }
            }
        }
        if pool_clean && inner.pool.is_empty() {
            inner.dirty.pool = false;
        }
        self.flush(&mut inner)?;
        match failure {
            Some(err) => Err(err),
            None => Ok(hash),
        }
    }

    fn validate(&self, inner: &Inner, tx: &TxEnvelope, sender: Address) -> NodeResult<()> {
        let chain = &inner.chain;
        use alloy_consensus::TxType;
        if matches!(tx.tx_type(), TxType::Eip4844 | TxType::Eip7702) {
            return Err(NodeError::TxRejected(
                "transaction type not supported".into(),
            ));
        }
        if tx.encode_2718_len() > MAX_TX_SIZE {
            return Err(NodeError::TxRejected("oversized data".into()));
        }
        if let Some(id) = tx.chain_id() {
            if id != self.params.chain_id {
                return Err(NodeError::TxRejected(format!(
                    "invalid chain id for signer: have {id} want {}",
                    self.params.chain_id
                )));
            }
        }
        let head = &chain.head().header;
        if tx.gas_limit() > self.params.tx_gas_cap.min(inner.dev.block_gas_limit) {
            return Err(NodeError::TxRejected("exceeds block gas limit".into()));
        }
        let (intrinsic, floor) =
            convert::intrinsic_gas(tx.input(), tx.kind().is_create(), tx.access_list());
        if tx.gas_limit() < intrinsic {
            return Err(NodeError::TxRejected(format!(
                "intrinsic gas too low: gas {}, minimum needed {intrinsic}",
                tx.gas_limit()
            )));
        }
        if tx.gas_limit() < floor {
            return Err(NodeError::TxRejected(format!(
                "insufficient gas for floor data gas cost: gas {}, minimum needed {floor}",
                tx.gas_limit()
            )));
        }
        if tx.kind().is_create() && tx.input().len() > 2 * 24_576 {
            return Err(NodeError::TxRejected("max initcode size exceeded".into()));
        }
        if let Some(tip) = tx.max_priority_fee_per_gas() {
            if tip > tx.max_fee_per_gas() {
                return Err(NodeError::TxRejected(
                    "max priority fee per gas higher than max fee per gas".into(),
                ));
            }
        }
        let base_fee = next_base_fee(&self.params, &inner.dev, head);
        if tx.max_fee_per_gas() < u128::from(base_fee) {
            return Err(NodeError::TxRejected(format!(
                "transaction underpriced: max fee per gas less than block base fee: address {sender}, maxFeePerGas: {}, baseFee: {base_fee}",
                tx.max_fee_per_gas()
            )));
        }
        let state_nonce = chain.db.nonce(&sender);
        if tx.nonce() < state_nonce {
            return Err(NodeError::TxRejected(format!(
                "nonce too low: next nonce {state_nonce}, tx nonce {}",
                tx.nonce()
            )));
        }
        if tx.nonce() == u64::MAX {
            return Err(NodeError::TxRejected("nonce has max value".into()));
        }
        if tx.nonce() > state_nonce + 1024 {
            return Err(NodeError::TxRejected(format!(
                "nonce too high: next nonce {state_nonce}, tx nonce {}",
                tx.nonce()
            )));
        }
        let balance = chain.db.balance(&sender);
        let cost = convert::max_cost(tx);
        if balance < cost {
            return Err(NodeError::TxRejected(format!(
                "insufficient funds for gas * price + value: balance {balance}, tx cost {cost}, overshot {}",
                cost - balance
            )));
        }
        Ok(())
    }

    /// `eth_sendTransaction`: fills, signs (dev accounts) or impersonates, and submits.
    pub fn send_transaction(&self, mut req: TransactionRequest) -> NodeResult<B256> {
        let from = req
            .from
            .ok_or_else(|| NodeError::InvalidParams("missing \"from\" field".into()))?;
        let signer = self.signers.iter().find(|s| s.address() == from).cloned();
        let impersonated = self.inner.read().dev.impersonated.contains(&from);
        if signer.is_none() && !impersonated {
            return Err(NodeError::TxRejected(format!("unknown account {from}")));
        }
        if req.nonce.is_none() {
            let inner = self.inner.read();
            req.nonce = Some(pending_nonce(&inner.chain.db, &inner.pool, &from));
        }
        req.chain_id = Some(self.params.chain_id);
        if req.to.is_none() {
            req.to = Some(TxKind::Create);
        }
        if req.gas.is_none() {
            req.gas = Some(self.estimate_gas(&req, None, None)?);
        }
        if req.gas_price.is_none() && req.max_fee_per_gas.is_none() {
            let base = u128::from(self.next_base_fee());
            let tip = req.max_priority_fee_per_gas.unwrap_or(0);
            req.max_fee_per_gas = Some(base * 2 + tip);
            req.max_priority_fee_per_gas = Some(tip);
        } else if req.max_fee_per_gas.is_some() && req.max_priority_fee_per_gas.is_none() {
            req.max_priority_fee_per_gas = Some(0);
        }
        if req.input.input.is_none() {
            req.input.input = req.input.data.take();
        } else {
            req.input.data = None;
        }
        let typed = req
            .build_typed_tx()
            .map_err(|_| NodeError::InvalidParams("incomplete transaction request".into()))?;
        let envelope: TxEnvelope = match signer {
            Some(signer) if !impersonated => {
                let sig = signer
                    .sign_hash_sync(&typed.signature_hash())
                    .map_err(|e| NodeError::Internal(e.to_string()))?;
                typed.into_envelope(sig)
            }
            _ => {
                // Placeholder signature, unique per sender so hashes do not collide.
                let sig =
                    Signature::new(U256::from_be_slice(from.as_slice()), U256::from(1), false);
                typed.into_envelope(sig)
            }
        };
        self.submit(envelope, from)
    }
}

/// Index of the next pool transaction whose nonce matches its sender's state nonce.
fn next_ready(db: &MemDb, pool: &[PoolTx]) -> Option<usize> {
    pool.iter()
        .position(|t| t.envelope.nonce() == db.nonce(&t.sender))
}

/// The state nonce of `address` plus its consecutive pool transactions.
fn pending_nonce(db: &MemDb, pool: &[PoolTx], address: &Address) -> u64 {
    let mut nonce = db.nonce(address);
    while pool
        .iter()
        .any(|tx| tx.sender == *address && tx.envelope.nonce() == nonce)
    {
        nonce += 1;
    }
    nonce
}

fn next_base_fee(params: &ChainParams, dev: &DevState, parent: &Header) -> u64 {
    if let Some(fee) = dev.next_base_fee {
        return fee;
    }
    let base = parent.base_fee_per_gas.unwrap_or(params.min_base_fee);
    calc_next_block_base_fee(
        parent.gas_used,
        parent.gas_limit,
        base,
        BaseFeeParams::ethereum(),
    )
    .max(params.min_base_fee)
}

fn resolve(chain: &Chain, id: Option<BlockId>) -> NodeResult<u64> {
    let head = chain.head().number();
    match id {
        None => Ok(head),
        Some(BlockId::Number(tag)) => match tag {
            BlockNumberOrTag::Number(n) if n <= head => Ok(n),
            BlockNumberOrTag::Number(n) => Err(NodeError::NotFound(format!("block {n} not found"))),
            BlockNumberOrTag::Earliest => Ok(0),
            _ => Ok(head),
        },
        Some(BlockId::Hash(h)) => chain
            .block_index
            .get(&h.block_hash)
            .copied()
            .ok_or_else(|| NodeError::NotFound(format!("block {} not found", h.block_hash))),
    }
}

fn apply_overrides(mut db: MemDb, overrides: &StateOverride) -> NodeResult<MemDb> {
    for (address, o) in overrides {
        if let Some(balance) = o.balance {
            db.set_balance(*address, balance);
        }
        if let Some(nonce) = o.nonce {
            db.set_nonce(*address, nonce);
        }
        if let Some(code) = &o.code {
            db.set_code(*address, code.clone());
        }
        if o.state.is_some() && o.state_diff.is_some() {
            return Err(NodeError::InvalidParams(
                "account has both 'state' and 'stateDiff'".into(),
            ));
        }
        if let Some(state) = &o.state {
            db.replace_storage(
                *address,
                state
                    .iter()
                    .map(|(k, v)| ((*k).into(), (*v).into()))
                    .collect(),
            );
        }
        if let Some(diff) = &o.state_diff {
            for (k, v) in diff {
                db.set_storage(*address, (*k).into(), (*v).into());
            }
        }
    }
    Ok(db)
}

fn genesis(params: &ChainParams, executor: &Executor) -> Chain {
    let mut db = MemDb::default();
    for (address, info, storage) in executor.genesis_alloc() {
        db.insert_account(address, info, &storage);
    }
    for (address, balance) in &params.genesis_accounts {
        db.set_balance(*address, *balance);
    }
    let header = Header {
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: SEQUENCER,
        state_root: keccak256(params.chain_id.to_be_bytes()),
        transactions_root: alloy_consensus::constants::EMPTY_ROOT_HASH,
        receipts_root: alloy_consensus::constants::EMPTY_ROOT_HASH,
        difficulty: U256::from(1),
        number: 0,
        gas_limit: params.block_gas_limit,
        timestamp: dev::now(),
        base_fee_per_gas: Some(params.min_base_fee),
        ..Default::default()
    };
    let hash = header.hash_slow();
    Chain::from_parts(
        db,
        vec![Block {
            header,
            hash,
            txs: Vec::new(),
        }],
    )
}

/// Recovers the sender of a signed transaction.
///
/// # Errors
/// [`NodeError::TxRejected`] ("invalid sender") if the signature does not recover.
pub fn recover_sender(tx: &TxEnvelope) -> NodeResult<Address> {
    use alloy_consensus::transaction::SignerRecoverable;
    tx.recover_signer()
        .map_err(|_| NodeError::TxRejected("invalid sender".into()))
}
