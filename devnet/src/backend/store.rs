//! The `--state` database: a [redb](https://docs.rs/redb) file written incrementally, one atomic,
//! fsynced write transaction per block or per dev-method call.
//!
//! Tables (the format devnet/README.md documents under "State database"):
//!
//! | table | key | value |
//! |---|---|---|
//! | `meta` | `"version"`, `"chain_id"`, `"dev"` | JSON: format version ([`VERSION`]), chain id, [`DevState`] |
//! | `blocks` | block number (u64) | JSON of [`Block`] (header, hash, transactions, receipts) |
//! | `accounts` | address (20 bytes) | balance (32 bytes BE) ‖ nonce (8 bytes BE) ‖ code hash (32 bytes) |
//! | `storage` | address ‖ slot (52 bytes, slot BE) | value (32 bytes BE), zero slots absent |
//! | `codes` | code hash (32 bytes) | code |
//! | `pool` | position (u64) | sender (20 bytes) ‖ EIP-2718 encoding of a pending transaction |
//!
//! A write touches only the rows that changed ([`Changes`]), so its cost does not depend on the
//! chain's length. redb commits are crash-safe (copy-on-write pages, checksummed commit slots,
//! `fsync` before `commit` returns), so a crash leaves the last committed transaction.

use std::{
    fs,
    io::{Read, Write},
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use alloy_consensus::TxEnvelope;
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{Address, Bytes, B256, U256};
use redb::{
    backends::FileBackend, BackendError, Database, ReadableDatabase, ReadableTable, StorageBackend,
    TableDefinition,
};

use super::{
    chain::Block,
    db::{Changes, DbAccount, MemDb},
    dev::DevState,
    persist, PoolTx,
};
use crate::error::{NodeError, NodeResult};

/// Database format version.
pub const VERSION: u32 = 2;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
const ACCOUNTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("accounts");
const STORAGE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("storage");
const CODES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("codes");
const POOL: TableDefinition<u64, &[u8]> = TableDefinition::new("pool");

/// First bytes of every redb file.
const REDB_MAGIC: &[u8] = b"redb";

fn db_err(path: &Path) -> impl Fn(redb::Error) -> NodeError + '_ {
    move |e| NodeError::Internal(format!("state database {}: {e}", path.display()))
}

macro_rules! try_db {
    ($path:expr, $e:expr) => {
        $e.map_err(|e| db_err($path)(e.into()))
    };
}

/// What a database holds: everything needed to resume the chain.
#[derive(Debug)]
pub struct Loaded {
    /// World state at the head.
    pub state: MemDb,
    /// All blocks from genesis.
    pub blocks: Vec<Block>,
    /// Dev state as of the last dev-method call.
    pub dev: Option<DevState>,
    /// Pending transactions.
    pub pool: Vec<PoolTx>,
    /// Clock offset of a migrated version-1 JSON file (which had no dev state).
    pub legacy_time_offset: i64,
}

/// One atomic update.
#[derive(Debug)]
pub struct Update<'a> {
    /// The state after the update (values of changed keys are read from it).
    pub state: &'a MemDb,
    /// Keys that changed.
    pub changes: &'a Changes,
    /// Replace the whole state instead of applying `changes` (revert, reset, load).
    pub rewrite_state: bool,
    /// Drop stored blocks numbered from this one on first.
    pub truncate_from: Option<u64>,
    /// Blocks to add.
    pub new_blocks: &'a [Arc<Block>],
    /// New dev state, if it changed.
    pub dev: Option<&'a DevState>,
    /// New pool contents, if they changed.
    pub pool: Option<&'a [PoolTx]>,
}

/// redb's file backend with a choice of when `fsync` happens.
///
/// Every commit is written to the file (with `pwrite`) before it returns, so it survives the
/// death of the process (`kill -9`, a panic): the kernel keeps written pages. With `fsync` on,
/// every commit is also flushed to the disk before it returns (redb's own behaviour), which adds
/// power-loss durability at the cost of one `fsync` per block (about 1–4 ms on this project's
/// machines, several times a block's own cost). With it off, the file is flushed when the node
/// closes the database.
#[derive(Debug)]
struct SyncPolicy {
    inner: FileBackend,
    fsync: bool,
}

impl StorageBackend for SyncPolicy {
    fn len(&self) -> Result<u64, BackendError> {
        self.inner.len()
    }
    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), BackendError> {
        self.inner.read(offset, out)
    }
    fn set_len(&self, len: u64) -> Result<(), BackendError> {
        self.inner.set_len(len)
    }
    fn sync_data(&self) -> Result<(), BackendError> {
        if self.fsync {
            self.inner.sync_data()
        } else {
            Ok(())
        }
    }
    fn write(&self, offset: u64, data: &[u8]) -> Result<(), BackendError> {
        self.inner.write(offset, data)
    }
    fn close(&self) -> Result<(), BackendError> {
        let synced = self.inner.sync_data();
        let closed = self.inner.close();
        synced.and(closed)
    }
    fn try_lock_range(
        &self,
        start: std::ops::Bound<u64>,
        end: std::ops::Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.inner.try_lock_range(start, end)
    }
    fn try_lock_shared_range(
        &self,
        start: std::ops::Bound<u64>,
        end: std::ops::Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }
    fn lock_range(
        &self,
        start: std::ops::Bound<u64>,
        end: std::ops::Bound<u64>,
    ) -> Result<(), BackendError> {
        self.inner.lock_range(start, end)
    }
    fn lock_shared_range(
        &self,
        start: std::ops::Bound<u64>,
        end: std::ops::Bound<u64>,
    ) -> Result<(), BackendError> {
        self.inner.lock_shared_range(start, end)
    }
    fn unlock_range(
        &self,
        start: std::ops::Bound<u64>,
        end: std::ops::Bound<u64>,
    ) -> Result<(), BackendError> {
        self.inner.unlock_range(start, end)
    }
    fn query_lock_range(
        &self,
        start: std::ops::Bound<u64>,
        end: std::ops::Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.inner.query_lock_range(start, end)
    }
}

fn open_db(path: &Path, fsync: bool) -> NodeResult<Database> {
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| NodeError::Internal(format!("opening {}: {e}", path.display())))?;
    let backend = SyncPolicy {
        inner: FileBackend::new(file),
        fsync,
    };
    try_db!(path, Database::builder().create_with_backend(backend))
}

/// An open state database.
pub struct Store {
    db: Database,
    path: PathBuf,
    /// Rows inserted or deleted by the last [`Store::write`].
    last_rows: AtomicU64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

enum Kind {
    Missing,
    Redb,
    Json,
}

fn kind(path: &Path) -> NodeResult<Kind> {
    let mut head = [0u8; 64];
    let n = match fs::File::open(path) {
        Ok(mut f) => f
            .read(&mut head)
            .map_err(|e| NodeError::Internal(format!("reading {}: {e}", path.display())))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Kind::Missing),
        Err(e) => {
            return Err(NodeError::Internal(format!(
                "reading {}: {e}",
                path.display()
            )))
        }
    };
    let head = &head[..n];
    if head.is_empty() {
        return Ok(Kind::Missing);
    }
    if head.starts_with(REDB_MAGIC) {
        return Ok(Kind::Redb);
    }
    if head
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
    {
        return Ok(Kind::Json);
    }
    Err(NodeError::Internal(format!(
        "parsing {}: neither a devnet state database nor a JSON state file (left untouched)",
        path.display()
    )))
}

fn encode_account(a: &DbAccount) -> [u8; 72] {
    let mut out = [0u8; 72];
    out[..32].copy_from_slice(&a.balance.to_be_bytes::<32>());
    out[32..40].copy_from_slice(&a.nonce.to_be_bytes());
    out[40..].copy_from_slice(a.code_hash.as_slice());
    out
}

fn decode_account(bytes: &[u8]) -> Option<DbAccount> {
    if bytes.len() != 72 {
        return None;
    }
    Some(DbAccount {
        balance: U256::from_be_slice(&bytes[..32]),
        nonce: u64::from_be_bytes(bytes[32..40].try_into().ok()?),
        code_hash: B256::from_slice(&bytes[40..]),
        storage: Default::default(),
    })
}

fn slot_key(address: &Address, slot: &U256) -> [u8; 52] {
    let mut key = [0u8; 52];
    key[..20].copy_from_slice(address.as_slice());
    key[20..].copy_from_slice(&slot.to_be_bytes::<32>());
    key
}

fn meta_json<T: serde::Serialize>(value: &T) -> NodeResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| NodeError::Internal(e.to_string()))
}

impl Store {
    /// Opens the database at `path` for chain `chain_id`.
    ///
    /// * no file (or an empty one): a new database is created; `Ok((store, None))`;
    /// * a database: it is loaded;
    /// * a JSON state file (the format before version 2): it is migrated: a database is built in
    ///   `PATH.migrating`, the JSON is kept as `PATH.v1.json`, and the database is renamed over
    ///   `PATH` (a crash before the rename leaves the JSON file in place and migration reruns).
    ///
    /// # Errors
    /// [`NodeError::Internal`] (message starting with `parsing PATH`) for an unreadable file, a file
    /// of another kind, or a malformed database; [`NodeError::InvalidParams`] for another chain id or
    /// format version. A file that is refused is never modified.
    ///
    /// `fsync`: flush every commit to the disk (see [`SyncPolicy`]).
    pub fn open(path: &Path, chain_id: u64, fsync: bool) -> NodeResult<(Self, Option<Loaded>)> {
        match kind(path)? {
            Kind::Missing => {
                let store = Self::create(path, chain_id, fsync)?;
                Ok((store, None))
            }
            Kind::Redb => {
                let store = Self {
                    db: open_db(path, fsync)?,
                    path: path.to_path_buf(),
                    last_rows: AtomicU64::new(0),
                };
                let loaded = store.load(chain_id)?;
                Ok((store, Some(loaded)))
            }
            Kind::Json => {
                let bytes = fs::read(path)
                    .map_err(|e| NodeError::Internal(format!("reading {}: {e}", path.display())))?;
                let file: persist::StateFile = serde_json::from_slice(&bytes)
                    .map_err(|e| NodeError::Internal(format!("parsing {}: {e}", path.display())))?;
                file.check()?;
                if file.chain_id != chain_id {
                    return Err(NodeError::InvalidParams(format!(
                        "state file is for chain {}, node runs chain {chain_id}",
                        file.chain_id
                    )));
                }
                Self::migrate(path, file, &bytes, chain_id, fsync)
            }
        }
    }

    fn create(path: &Path, chain_id: u64, fsync: bool) -> NodeResult<Self> {
        let store = Self {
            db: open_db(path, fsync)?,
            path: path.to_path_buf(),
            last_rows: AtomicU64::new(0),
        };
        let txn = try_db!(path, store.db.begin_write())?;
        {
            let mut meta = try_db!(path, txn.open_table(META))?;
            try_db!(
                path,
                meta.insert("version", meta_json(&VERSION)?.as_slice())
            )?;
            try_db!(
                path,
                meta.insert("chain_id", meta_json(&chain_id)?.as_slice())
            )?;
            for table in [ACCOUNTS, STORAGE, CODES] {
                try_db!(path, txn.open_table(table))?;
            }
            try_db!(path, txn.open_table(BLOCKS))?;
            try_db!(path, txn.open_table(POOL))?;
        }
        try_db!(path, txn.commit())?;
        Ok(store)
    }

    fn migrate(
        path: &Path,
        file: persist::StateFile,
        json: &[u8],
        chain_id: u64,
        fsync: bool,
    ) -> NodeResult<(Self, Option<Loaded>)> {
        let io =
            |e: std::io::Error| NodeError::Internal(format!("migrating {}: {e}", path.display()));
        let with_suffix = |suffix: &str| {
            let mut name = path.file_name().unwrap_or_default().to_os_string();
            name.push(suffix);
            path.with_file_name(name)
        };
        let tmp = with_suffix(".migrating");
        let backup = with_suffix(".v1.json");
        if tmp.exists() {
            fs::remove_file(&tmp).map_err(io)?;
        }
        let time_offset = file.time_offset;
        let (chain, dev, _) = file.into_parts();
        let dev = dev.map(|mut d| {
            d.time_offset = time_offset;
            d
        });
        {
            // Always flushed: the rename below must not expose an unwritten database.
            let store = Self::create(&tmp, chain_id, true)?;
            let blocks: Vec<Arc<Block>> = chain.blocks.clone();
            store.write(Update {
                state: &chain.db,
                changes: &chain.db.all_keys(),
                rewrite_state: true,
                truncate_from: None,
                new_blocks: &blocks,
                dev: dev.as_ref(),
                pool: None,
            })?;
        }
        {
            let mut f = fs::File::create(&backup).map_err(io)?;
            f.write_all(json).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        fs::rename(&tmp, path).map_err(io)?;
        tracing::warn!(
            "migrated JSON state file {} to a state database (JSON kept as {})",
            path.display(),
            backup.display()
        );
        let store = Self {
            db: open_db(path, fsync)?,
            path: path.to_path_buf(),
            last_rows: AtomicU64::new(0),
        };
        let mut loaded = store.load(chain_id)?;
        // Version-1 files kept only the clock offset; the node applies it to its defaults.
        loaded.legacy_time_offset = time_offset;
        Ok((store, Some(loaded)))
    }

    fn load(&self, chain_id: u64) -> NodeResult<Loaded> {
        let path = &self.path;
        let bad = |what: &str| NodeError::Internal(format!("parsing {}: {what}", path.display()));
        let txn = try_db!(path, self.db.begin_read())?;
        let meta = try_db!(path, txn.open_table(META))?;
        let read_meta = |key: &str| -> NodeResult<Option<Vec<u8>>> {
            Ok(try_db!(path, meta.get(key))?.map(|v| v.value().to_vec()))
        };
        let version: u32 = read_meta("version")?
            .and_then(|v| serde_json::from_slice(&v).ok())
            .ok_or_else(|| bad("no format version"))?;
        if version != VERSION {
            return Err(NodeError::InvalidParams(format!(
                "unsupported state database version {version} (this node reads {VERSION})"
            )));
        }
        let stored_chain: u64 = read_meta("chain_id")?
            .and_then(|v| serde_json::from_slice(&v).ok())
            .ok_or_else(|| bad("no chain id"))?;
        if stored_chain != chain_id {
            return Err(NodeError::InvalidParams(format!(
                "state file is for chain {stored_chain}, node runs chain {chain_id}"
            )));
        }
        let dev = match read_meta("dev")? {
            Some(v) => {
                Some(serde_json::from_slice(&v).map_err(|e| bad(&format!("dev state: {e}")))?)
            }
            None => None,
        };
        let mut state = MemDb::default();
        for row in try_db!(path, try_db!(path, txn.open_table(ACCOUNTS))?.iter())? {
            let (k, v) = try_db!(path, row)?;
            let address = Address::try_from(k.value()).map_err(|_| bad("account key"))?;
            let account = decode_account(v.value()).ok_or_else(|| bad("account row"))?;
            state.accounts.insert(address, account);
        }
        for row in try_db!(path, try_db!(path, txn.open_table(STORAGE))?.iter())? {
            let (k, v) = try_db!(path, row)?;
            let k = k.value();
            if k.len() != 52 || v.value().len() != 32 {
                return Err(bad("storage row"));
            }
            let address = Address::from_slice(&k[..20]);
            let slot = U256::from_be_slice(&k[20..]);
            let value = U256::from_be_slice(v.value());
            state
                .accounts
                .get_mut(&address)
                .ok_or_else(|| bad("storage of a missing account"))?
                .storage
                .insert(slot, value);
        }
        for row in try_db!(path, try_db!(path, txn.open_table(CODES))?.iter())? {
            let (k, v) = try_db!(path, row)?;
            let hash = B256::try_from(k.value()).map_err(|_| bad("code key"))?;
            state.codes.insert(hash, Bytes::copy_from_slice(v.value()));
        }
        state.take_changes();
        let mut blocks = Vec::new();
        for row in try_db!(path, try_db!(path, txn.open_table(BLOCKS))?.iter())? {
            let (_, v) = try_db!(path, row)?;
            let block: Block =
                serde_json::from_slice(v.value()).map_err(|e| bad(&format!("block: {e}")))?;
            blocks.push(block);
        }
        persist::check_blocks(&blocks)?;
        let mut pool = Vec::new();
        for row in try_db!(path, try_db!(path, txn.open_table(POOL))?.iter())? {
            let (_, v) = try_db!(path, row)?;
            let v = v.value();
            if v.len() < 21 {
                return Err(bad("pool row"));
            }
            let sender = Address::from_slice(&v[..20]);
            let mut buf = &v[20..];
            let envelope =
                TxEnvelope::decode_2718(&mut buf).map_err(|_| bad("pool transaction"))?;
            pool.push(PoolTx {
                hash: *envelope.tx_hash(),
                envelope,
                sender,
            });
        }
        Ok(Loaded {
            state,
            blocks,
            dev,
            pool,
            legacy_time_offset: 0,
        })
    }

    /// Applies `update` in one write transaction, durable when this returns.
    ///
    /// # Errors
    /// [`NodeError::Internal`] if the database cannot be written (nothing of the update is then
    /// stored).
    pub fn write(&self, update: Update<'_>) -> NodeResult<()> {
        let path = &self.path;
        let txn = try_db!(path, self.db.begin_write())?;
        let mut rows = update.new_blocks.len() as u64;
        {
            let mut blocks = try_db!(path, txn.open_table(BLOCKS))?;
            if let Some(n) = update.truncate_from {
                try_db!(path, blocks.retain_in(n.., |_, _| false))?;
            }
            for block in update.new_blocks {
                let json = serde_json::to_vec(block.as_ref())
                    .map_err(|e| NodeError::Internal(e.to_string()))?;
                try_db!(path, blocks.insert(block.number(), json.as_slice()))?;
            }
            let mut accounts = try_db!(path, txn.open_table(ACCOUNTS))?;
            let mut storage = try_db!(path, txn.open_table(STORAGE))?;
            let mut codes = try_db!(path, txn.open_table(CODES))?;
            let state = update.state;
            if update.rewrite_state {
                try_db!(path, accounts.retain(|_, _| false))?;
                try_db!(path, storage.retain(|_, _| false))?;
                try_db!(path, codes.retain(|_, _| false))?;
                for (address, account) in &state.accounts {
                    try_db!(
                        path,
                        accounts.insert(address.as_slice(), encode_account(account).as_slice())
                    )?;
                    for (slot, value) in &account.storage {
                        try_db!(
                            path,
                            storage.insert(
                                slot_key(address, slot).as_slice(),
                                value.to_be_bytes::<32>().as_slice()
                            )
                        )?;
                    }
                }
                for (hash, code) in &state.codes {
                    try_db!(path, codes.insert(hash.as_slice(), code.as_ref()))?;
                }
                rows += state.all_keys().slots.len() as u64 + 2 * state.accounts.len() as u64;
            } else {
                let changes = update.changes;
                rows += (changes.cleared.len()
                    + changes.accounts.len()
                    + changes.slots.len()
                    + changes.codes.len()) as u64;
                for address in &changes.cleared {
                    let lo = slot_key(address, &U256::ZERO);
                    let hi = slot_key(address, &U256::MAX);
                    try_db!(
                        path,
                        storage.retain_in(lo.as_slice()..=hi.as_slice(), |_, _| false)
                    )?;
                }
                for address in &changes.accounts {
                    match state.account(address) {
                        Some(account) => try_db!(
                            path,
                            accounts.insert(address.as_slice(), encode_account(account).as_slice())
                        )
                        .map(|_| ())?,
                        None => try_db!(path, accounts.remove(address.as_slice())).map(|_| ())?,
                    }
                }
                for (address, slot) in &changes.slots {
                    let key = slot_key(address, slot);
                    let value = state.storage_at(address, *slot);
                    if value.is_zero() {
                        try_db!(path, storage.remove(key.as_slice()))?;
                    } else {
                        try_db!(
                            path,
                            storage.insert(key.as_slice(), value.to_be_bytes::<32>().as_slice())
                        )?;
                    }
                }
                for hash in &changes.codes {
                    if let Some(code) = state.codes.get(hash) {
                        try_db!(path, codes.insert(hash.as_slice(), code.as_ref()))?;
                    }
                }
            }
            rows += u64::from(update.dev.is_some());
            rows += update.pool.map_or(0, |p| p.len() as u64 + 1);
            if let Some(dev) = update.dev {
                let mut meta = try_db!(path, txn.open_table(META))?;
                try_db!(path, meta.insert("dev", meta_json(dev)?.as_slice()))?;
            }
            if let Some(pool) = update.pool {
                let mut table = try_db!(path, txn.open_table(POOL))?;
                try_db!(path, table.retain(|_, _| false))?;
                for (i, tx) in pool.iter().enumerate() {
                    let mut row = tx.sender.to_vec();
                    tx.envelope.encode_2718(&mut row);
                    try_db!(path, table.insert(i as u64, row.as_slice()))?;
                }
            }
        }
        try_db!(path, txn.commit())?;
        self.last_rows.store(rows, Ordering::Relaxed);
        Ok(())
    }

    /// Rows (blocks, accounts, slots, codes, storage ranges, dev state, pool) the last write
    /// inserted or deleted: what "only what changed is written" is measured by.
    pub fn last_write_rows(&self) -> u64 {
        self.last_rows.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_round_trip_and_garbage_is_refused() {
        let a = DbAccount {
            balance: U256::MAX,
            nonce: u64::MAX,
            code_hash: B256::repeat_byte(7),
            storage: Default::default(),
        };
        assert_eq!(decode_account(&encode_account(&a)), Some(a));
        assert_eq!(decode_account(&[0u8; 71]), None);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("garbage.db");
        fs::write(&path, b"\x00\x01garbage").unwrap_or_default();
        let err = Store::open(&path, 1, false).map(|_| ()).unwrap_err();
        assert!(
            err.to_string().contains("neither a devnet state database"),
            "{err}"
        );
        assert_eq!(fs::read(&path).unwrap_or_default(), b"\x00\x01garbage");
    }
}
