//! The node's backend: chain state, blocks, the transaction pool and mining.
//!
//! Everything that touches state goes through [`Backend`]; execution is delegated to
//! [`crate::exec::Executor`]. The API layer only converts between RPC types and backend calls.

pub mod chain;
pub mod convert;
pub mod db;
pub mod persist;

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    path::PathBuf,
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
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
use parking_lot::RwLock;
use revm::{
    context::{
        result::{EVMError, ExecutionResult, InvalidTransaction},
        BlockEnv, CfgEnv, TxEnv,
    },
    primitives::hardfork::SpecId,
};
use tokio::sync::broadcast;

use self::{
    chain::{Block, MinedTx, StoredReceipt},
    db::{MemDb, StateView},
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

/// Chain parameters the backend needs.
#[derive(Debug, Clone)]
pub struct ChainParams {
    /// Chain id.
    pub chain_id: u64,
    /// Header gas limit of every block.
    pub block_gas_limit: u64,
    /// Per-transaction gas cap.
    pub tx_gas_cap: u64,
    /// Floor (and initial value) of the base fee, in wei.
    pub min_base_fee: u64,
    /// Accounts funded at genesis.
    pub genesis_accounts: Vec<(Address, U256)>,
    /// Where to persist state after every block.
    pub state_path: Option<PathBuf>,
    /// Mine one block per transaction.
    pub automine: bool,
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

/// The part of the backend that snapshots and persistence capture.
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
    /// Pending transactions.
    pub pool: Vec<PoolTx>,
    /// Seconds added to the wall clock.
    pub time_offset: i64,
    /// Timestamp forced for the next block.
    pub next_timestamp: Option<u64>,
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

    fn pending_nonce(&self, address: &Address) -> u64 {
        let mut nonce = self.db.nonce(address);
        loop {
            let next = self
                .pool
                .iter()
                .any(|tx| tx.sender == *address && tx.envelope.nonce() == nonce);
            if !next {
                return nonce;
            }
            nonce += 1;
        }
    }
}

/// A mined block plus the pool transactions dropped as invalid while mining it.
type Mined = (Arc<Block>, Vec<(B256, NodeError)>);

struct Inner {
    chain: Chain,
    automine: bool,
    impersonated: HashSet<Address>,
    snapshots: BTreeMap<u64, Chain>,
    next_snapshot: u64,
}

/// Mutable node state behind a lock, plus the executor and chain parameters.
pub struct Backend {
    inner: RwLock<Inner>,
    executor: Executor,
    params: ChainParams,
    signers: Vec<PrivateKeySigner>,
    blocks_tx: broadcast::Sender<Arc<Block>>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
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

impl Backend {
    /// Creates a backend with a fresh genesis block, or the state loaded from `params.state_path`
    /// if that file exists.
    pub fn new(
        params: ChainParams,
        executor: Executor,
        signers: Vec<PrivateKeySigner>,
    ) -> NodeResult<Self> {
        let loaded = match &params.state_path {
            Some(path) if path.exists() => Some(persist::load_file(path)?),
            _ => None,
        };
        let chain = match loaded {
            Some(file) if file.chain_id != params.chain_id => {
                return Err(NodeError::InvalidParams(format!(
                    "state file is for chain {}, node runs chain {}",
                    file.chain_id, params.chain_id
                )))
            }
            Some(file) => file.into_chain(),
            None => genesis(&params, &executor),
        };
        let (blocks_tx, _) = broadcast::channel(256);
        let backend = Self {
            inner: RwLock::new(Inner {
                chain,
                automine: params.automine,
                impersonated: HashSet::new(),
                snapshots: BTreeMap::new(),
                next_snapshot: 1,
            }),
            executor,
            params,
            signers,
            blocks_tx,
        };
        backend.persist(&backend.inner.read().chain)?;
        Ok(backend)
    }

    /// Chain parameters.
    pub fn params(&self) -> &ChainParams {
        &self.params
    }

    /// Dev accounts whose keys the node holds.
    pub fn dev_accounts(&self) -> Vec<Address> {
        self.signers.iter().map(|s| s.address()).collect()
    }

    /// Receives every newly mined block.
    pub fn subscribe_blocks(&self) -> broadcast::Receiver<Arc<Block>> {
        self.blocks_tx.subscribe()
    }

    fn persist(&self, chain: &Chain) -> NodeResult<()> {
        if let Some(path) = &self.params.state_path {
            persist::save_file(
                path,
                &persist::StateFile::from_chain(self.params.chain_id, chain),
            )?;
        }
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

    // ---------------------------------------------------------------- queries

    /// Latest block number.
    pub fn block_number(&self) -> u64 {
        self.inner.read().chain.head().number()
    }

    /// Base fee the next block will have.
    pub fn next_base_fee(&self) -> u64 {
        next_base_fee(&self.params, &self.inner.read().chain.head().header)
    }

    /// Resolves a block id to a block number, failing for unknown blocks.
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
        self.inner
            .read()
            .chain
            .pool
            .iter()
            .map(|t| t.hash)
            .collect()
    }

    /// A pending transaction by hash.
    pub fn pending_tx(&self, hash: B256) -> Option<PoolTx> {
        self.inner
            .read()
            .chain
            .pool
            .iter()
            .find(|t| t.hash == hash)
            .cloned()
    }

    /// Runs `f` on the state at block `id`.
    pub fn with_state<T>(&self, id: Option<BlockId>, f: impl FnOnce(&MemDb) -> T) -> NodeResult<T> {
        let inner = self.inner.read();
        let number = resolve(&inner.chain, id)?;
        if number == inner.chain.head().number() {
            return Ok(f(&inner.chain.db));
        }
        match inner.chain.history.get(&number) {
            Some(db) => Ok(f(db)),
            None => Err(NodeError::NotFound(format!(
                "state for block {number} is not available (the node keeps the last {HISTORY} blocks)"
            ))),
        }
    }

    /// Nonce of `address`; `pending` includes pool transactions.
    pub fn nonce(&self, address: Address, id: Option<BlockId>) -> NodeResult<u64> {
        if matches!(id, Some(BlockId::Number(BlockNumberOrTag::Pending))) {
            return Ok(self.inner.read().chain.pending_nonce(&address));
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

    // ---------------------------------------------------------------- execution

    fn call_inner(
        &self,
        chain: &Chain,
        req: &TransactionRequest,
        id: Option<BlockId>,
        overrides: Option<&StateOverride>,
        gas: Option<u64>,
    ) -> NodeResult<ExecutionResult> {
        let number = resolve(chain, id)?;
        let header = &chain.blocks[number as usize].header;
        let base: &MemDb = if number == chain.head().number() {
            &chain.db
        } else {
            chain
                .history
                .get(&number)
                .map(|d| d.as_ref())
                .ok_or_else(|| {
                    NodeError::NotFound(format!("state for block {number} is not available"))
                })?
        };
        let overridden;
        let db = match overrides {
            Some(o) if !o.is_empty() => {
                overridden = apply_overrides(base.clone(), o)?;
                &overridden
            }
            _ => base,
        };
        let cap = self.params.tx_gas_cap.min(header.gas_limit);
        let gas_limit = gas.or(req.gas).unwrap_or(cap).min(cap);
        let nonce = req
            .nonce
            .unwrap_or_else(|| db.nonce(&req.from.unwrap_or_default()));
        let (env, priced) = convert::call_env(req, gas_limit, nonce, self.params.chain_id);
        let mut cfg = self.cfg();
        cfg.disable_nonce_check = true;
        if !priced {
            cfg.disable_base_fee = true;
        }
        let block = Self::block_env(header);
        let mut view = StateView::new(db, &chain.hashes);
        let out = self
            .executor
            .transact(&mut view, &cfg, &block, env)
            .map_err(evm_error)?;
        Ok(out.result)
    }

    /// `eth_call`.
    pub fn call(
        &self,
        req: &TransactionRequest,
        id: Option<BlockId>,
        overrides: Option<&StateOverride>,
    ) -> NodeResult<Bytes> {
        let inner = self.inner.read();
        let result = self.call_inner(&inner.chain, req, id, overrides, None)?;
        CallOutcome { result }.into_output()
    }

    /// `eth_estimateGas`: geth's binary search for the smallest gas limit that does not fail.
    pub fn estimate_gas(
        &self,
        req: &TransactionRequest,
        id: Option<BlockId>,
        overrides: Option<&StateOverride>,
    ) -> NodeResult<u64> {
        let inner = self.inner.read();
        let chain = &inner.chain;
        let number = resolve(chain, id)?;
        let header_limit = chain.blocks[number as usize].header.gas_limit;
        let mut hi = req
            .gas
            .unwrap_or(u64::MAX)
            .min(self.params.tx_gas_cap)
            .min(header_limit);
        // Cap by what the sender can pay for when a price is given.
        let price = req.gas_price.or(req.max_fee_per_gas).unwrap_or(0);
        if price > 0 {
            let from = req.from.unwrap_or_default();
            let balance = self.with_state_locked(chain, number, |db| db.balance(&from))?;
            let available = balance.saturating_sub(req.value.unwrap_or_default());
            let allowance = available / U256::from(price);
            if allowance < U256::from(hi) {
                hi = allowance.to::<u64>();
            }
        }
        let run = |gas: u64| self.call_inner(chain, req, id, overrides, Some(gas));
        let first = run(hi);
        let used = match first {
            Ok(ExecutionResult::Success { ref gas, .. }) => gas.tx_gas_used(),
            Ok(ExecutionResult::Revert { output, .. }) => return Err(NodeError::Reverted(output)),
            Ok(ExecutionResult::Halt { reason, .. }) => {
                return Err(match reason {
                    revm::context::result::HaltReason::OutOfGas(_) => {
                        NodeError::TxRejected(format!("gas required exceeds allowance ({hi})"))
                    }
                    other => NodeError::Halted(halt_message(&other)),
                })
            }
            Err(NodeError::TxRejected(msg)) if msg.starts_with("intrinsic gas too low") => {
                return Err(NodeError::TxRejected(format!(
                    "gas required exceeds allowance ({hi})"
                )))
            }
            Err(e) => return Err(e),
        };
        // A plain transfer (or anything that only paid the base cost) needs exactly that.
        if used <= 21_000 {
            return Ok(used.max(21_000).min(hi));
        }
        let ok = |gas: u64| matches!(run(gas), Ok(ExecutionResult::Success { .. }));
        let mut lo = used.saturating_sub(1);
        // Optimistic guess: used gas plus the 63/64 reserve usually suffices.
        let guess = used.saturating_add(2_300).saturating_mul(64) / 63;
        if guess < hi {
            if ok(guess) {
                hi = guess;
            } else {
                lo = guess;
            }
        }
        while lo + 1 < hi {
            // Stop once within 1.5% like geth does.
            if (hi - lo) as f64 / hi as f64 <= 0.015 {
                break;
            }
            let mid = lo + (hi - lo) / 2;
            if ok(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(hi)
    }

    fn with_state_locked<T>(
        &self,
        chain: &Chain,
        number: u64,
        f: impl FnOnce(&MemDb) -> T,
    ) -> NodeResult<T> {
        if number == chain.head().number() {
            return Ok(f(&chain.db));
        }
        chain.history.get(&number).map(|db| f(db)).ok_or_else(|| {
            NodeError::NotFound(format!("state for block {number} is not available"))
        })
    }

    // ---------------------------------------------------------------- transactions

    /// Validates and queues a signed transaction; mines it at once under automine.
    pub fn submit(&self, envelope: TxEnvelope, sender: Address) -> NodeResult<B256> {
        let hash = *envelope.tx_hash();
        let mut inner = self.inner.write();
        self.validate(&inner.chain, &envelope, sender)?;
        let chain = &mut inner.chain;
        if chain.tx_index.contains_key(&hash) || chain.pool.iter().any(|t| t.hash == hash) {
            return Err(NodeError::TxRejected("already known".into()));
        }
        let nonce = envelope.nonce();
        if let Some(pos) = chain
            .pool
            .iter()
            .position(|t| t.sender == sender && t.envelope.nonce() == nonce)
        {
            let old = &chain.pool[pos].envelope;
            let bump = |v: u128| v.saturating_mul(110) / 100;
            if envelope.max_fee_per_gas() < bump(old.max_fee_per_gas())
                || envelope.max_priority_fee_per_gas().unwrap_or(0)
                    < bump(old.max_priority_fee_per_gas().unwrap_or(0))
            {
                return Err(NodeError::TxRejected(
                    "replacement transaction underpriced".into(),
                ));
            }
            chain.pool.remove(pos);
        }
        if chain.pool.len() >= MAX_POOL {
            return Err(NodeError::TxRejected("txpool is full".into()));
        }
        chain.pool.push(PoolTx {
            envelope,
            hash,
            sender,
        });
        if inner.automine {
            // One block per ready transaction; a transaction behind a nonce gap waits.
            while has_ready(&inner.chain) {
                let (_, rejected) = self.mine_locked(&mut inner, None, Some(1))?;
                if let Some((_, err)) = rejected.into_iter().find(|(h, _)| *h == hash) {
                    return Err(err);
                }
            }
        }
        Ok(hash)
    }

    fn validate(&self, chain: &Chain, tx: &TxEnvelope, sender: Address) -> NodeResult<()> {
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
        if tx.gas_limit() > self.params.tx_gas_cap.min(head.gas_limit) {
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
        let base_fee = next_base_fee(&self.params, head);
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
        let impersonated = self.inner.read().impersonated.contains(&from);
        if signer.is_none() && !impersonated {
            return Err(NodeError::TxRejected(format!("unknown account {from}")));
        }
        if req.nonce.is_none() {
            req.nonce = Some(self.inner.read().chain.pending_nonce(&from));
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

    // ---------------------------------------------------------------- mining

    /// Mines one block with ready pool transactions (all that fit, or at most `max_txs`).
    pub fn mine(&self, timestamp: Option<u64>) -> NodeResult<Arc<Block>> {
        let mut inner = self.inner.write();
        let (block, _) = self.mine_locked(&mut inner, timestamp, None)?;
        Ok(block)
    }

    fn mine_locked(
        &self,
        inner: &mut Inner,
        timestamp: Option<u64>,
        max_txs: Option<usize>,
    ) -> NodeResult<Mined> {
        let chain = &mut inner.chain;
        let parent = chain.head().clone();
        let base_fee = next_base_fee(&self.params, &parent.header);
        let wall = (now() as i64).saturating_add(chain.time_offset).max(0) as u64;
        if let Some(ts) = timestamp {
            if ts < parent.header.timestamp {
                return Err(NodeError::InvalidParams(format!(
                    "timestamp {ts} is lower than the previous block's timestamp {}",
                    parent.header.timestamp
                )));
            }
        }
        let timestamp = timestamp
            .or(chain.next_timestamp.take())
            .unwrap_or_else(|| wall.max(parent.header.timestamp));
        let number = parent.number() + 1;
        let mix_hash = keccak256([parent.hash.as_slice(), &number.to_be_bytes()].concat());
        let mut header = Header {
            parent_hash: parent.hash,
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            beneficiary: SEQUENCER,
            number,
            gas_limit: self.params.block_gas_limit,
            timestamp,
            mix_hash,
            base_fee_per_gas: Some(base_fee),
            difficulty: U256::from(1),
            ..Default::default()
        };
        let block_env = Self::block_env(&header);
        let cfg = self.cfg();
        let state_before = chain.db.clone();
        let mut txs = Vec::new();
        let mut rejected = Vec::new();
        let mut cumulative = 0u64;
        while max_txs.is_none_or(|m| txs.len() < m) {
            let Some(pos) = next_ready(chain) else { break };
            if cumulative + chain.pool[pos].envelope.gas_limit() > header.gas_limit {
                break;
            }
            let pooled = chain.pool.remove(pos);
            let env: TxEnv = convert::tx_env(&pooled.envelope, pooled.sender);
            let result = {
                let mut view = StateView::new(&chain.db, &chain.hashes);
                self.executor.transact(&mut view, &cfg, &block_env, env)
            };
            let out = match result {
                Ok(out) => out,
                Err(err) => {
                    rejected.push((pooled.hash, evm_error(err)));
                    continue;
                }
            };
            chain.db.commit(out.state);
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
                    effective_gas_price: convert::effective_gas_price(&pooled.envelope, base_fee),
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
                &number.to_be_bytes(),
            ]
            .concat(),
        );
        let hash = header.hash_slow();
        let block = chain.push_block(Block { header, hash, txs });
        chain
            .history
            .insert(parent.number(), Arc::new(state_before));
        while chain.history.len() > HISTORY {
            chain.history.pop_first();
        }
        self.persist(chain)?;
        // No receivers is fine.
        let _ = self.blocks_tx.send(block.clone());
        Ok((block, rejected))
    }

    // ---------------------------------------------------------------- dev methods

    /// Mutates the current state (dev methods) and persists it.
    pub fn modify_state(&self, f: impl FnOnce(&mut MemDb)) -> NodeResult<()> {
        let mut inner = self.inner.write();
        f(&mut inner.chain.db);
        self.persist(&inner.chain)
    }

    /// Turns automine on or off.
    pub fn set_automine(&self, on: bool) {
        self.inner.write().automine = on;
    }

    /// Whether automine is on.
    pub fn automine(&self) -> bool {
        self.inner.read().automine
    }

    /// Starts or stops impersonating `address`.
    pub fn impersonate(&self, address: Address, on: bool) {
        let mut inner = self.inner.write();
        if on {
            inner.impersonated.insert(address);
        } else {
            inner.impersonated.remove(&address);
        }
    }

    /// Adds `seconds` to the clock; returns the total offset.
    pub fn increase_time(&self, seconds: u64) -> i64 {
        let mut inner = self.inner.write();
        let offset = inner
            .chain
            .time_offset
            .saturating_add(i64::try_from(seconds).unwrap_or(i64::MAX));
        inner.chain.time_offset = offset;
        offset
    }

    /// Forces the next block's timestamp; it must not precede the head's.
    pub fn set_next_timestamp(&self, timestamp: u64) -> NodeResult<()> {
        let mut inner = self.inner.write();
        let head = inner.chain.head().header.timestamp;
        if timestamp < head {
            return Err(NodeError::InvalidParams(format!(
                "timestamp {timestamp} is lower than the previous block's timestamp {head}"
            )));
        }
        inner.chain.next_timestamp = Some(timestamp);
        Ok(())
    }

    /// Takes a snapshot; returns its id.
    pub fn snapshot(&self) -> u64 {
        let mut inner = self.inner.write();
        let id = inner.next_snapshot;
        inner.next_snapshot += 1;
        let chain = inner.chain.clone();
        inner.snapshots.insert(id, chain);
        id
    }

    /// Reverts to snapshot `id`, dropping it and every later one. False if unknown.
    pub fn revert(&self, id: u64) -> NodeResult<bool> {
        let mut inner = self.inner.write();
        let Some(chain) = inner.snapshots.remove(&id) else {
            return Ok(false);
        };
        inner.snapshots.retain(|k, _| *k < id);
        inner.chain = chain;
        self.persist(&inner.chain)?;
        Ok(true)
    }

    /// Serialises the whole chain (state and blocks).
    pub fn dump_state(&self) -> NodeResult<Vec<u8>> {
        let inner = self.inner.read();
        serde_json::to_vec(&persist::StateFile::from_chain(
            self.params.chain_id,
            &inner.chain,
        ))
        .map_err(|e| NodeError::Internal(e.to_string()))
    }

    /// Replaces the chain with a dump produced by [`Backend::dump_state`].
    pub fn load_state(&self, bytes: &[u8]) -> NodeResult<()> {
        let file: persist::StateFile = serde_json::from_slice(bytes)
            .map_err(|e| NodeError::InvalidParams(format!("invalid state dump: {e}")))?;
        file.check()?;
        let mut inner = self.inner.write();
        inner.chain = file.into_chain();
        inner.snapshots.clear();
        self.persist(&inner.chain)
    }
}

fn has_ready(chain: &Chain) -> bool {
    next_ready(chain).is_some()
}

/// Index of the next pool transaction whose nonce matches its sender's state nonce.
fn next_ready(chain: &Chain) -> Option<usize> {
    chain
        .pool
        .iter()
        .position(|t| t.envelope.nonce() == chain.db.nonce(&t.sender))
}

fn next_base_fee(params: &ChainParams, parent: &Header) -> u64 {
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
        timestamp: now(),
        base_fee_per_gas: Some(params.min_base_fee),
        ..Default::default()
    };
    let hash = header.hash_slow();
    let mut chain = Chain {
        db,
        blocks: Vec::new(),
        hashes: Vec::new(),
        history: BTreeMap::new(),
        tx_index: HashMap::new(),
        block_index: HashMap::new(),
        pool: Vec::new(),
        time_offset: 0,
        next_timestamp: None,
    };
    chain.push_block(Block {
        header,
        hash,
        txs: Vec::new(),
    });
    chain
}

/// Recovers the sender of a signed transaction.
pub fn recover_sender(tx: &TxEnvelope) -> NodeResult<Address> {
    use alloy_consensus::transaction::SignerRecoverable;
    tx.recover_signer()
        .map_err(|_| NodeError::TxRejected("invalid sender".into()))
}
