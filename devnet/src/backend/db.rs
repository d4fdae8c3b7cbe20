//! In-memory, serialisable chain state (accounts, code, storage) implementing revm's database
//! traits, with a record of what changed since the last flush (for the incremental `--state`
//! database) and the total ether supply (to refuse dev edits that revm could not conserve).

use std::{
    collections::{BTreeMap, BTreeSet},
    convert::Infallible,
};

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use revm::{
    bytecode::Bytecode,
    primitives::{AddressMap, KECCAK_EMPTY},
    state::{Account, AccountInfo},
    Database,
};
use serde::{Deserialize, Serialize};

/// One account as stored by the node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbAccount {
    /// Balance in wei.
    pub balance: U256,
    /// Account nonce.
    pub nonce: u64,
    /// Hash of the account code (`KECCAK_EMPTY` for none).
    pub code_hash: B256,
    /// Non-zero storage slots.
    #[serde(default)]
    pub storage: BTreeMap<U256, U256>,
}

impl DbAccount {
    fn is_empty(&self) -> bool {
        self.balance.is_zero()
            && self.nonce == 0
            && self.code_hash == KECCAK_EMPTY
            && self.storage.is_empty()
    }
}

/// Keys changed since the last [`MemDb::take_changes`]: what an incremental writer must store.
///
/// Values are not recorded: the writer reads the current value of every key from the state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Accounts whose balance, nonce or code hash changed, or that were created or removed.
    pub accounts: BTreeSet<Address>,
    /// Accounts whose whole storage was dropped (removal, self-destruct, re-creation,
    /// `state` overrides): the writer deletes every stored slot before writing `slots`.
    pub cleared: BTreeSet<Address>,
    /// Storage slots written (a zero value means deleted).
    pub slots: BTreeSet<(Address, U256)>,
    /// Code hashes added to the code store.
    pub codes: BTreeSet<B256>,
}

impl Changes {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
            && self.cleared.is_empty()
            && self.slots.is_empty()
            && self.codes.is_empty()
    }

    /// Adds `other` to `self`.
    pub fn merge(&mut self, other: Changes) {
        self.accounts.extend(other.accounts);
        self.cleared.extend(other.cleared);
        self.slots.extend(other.slots);
        self.codes.extend(other.codes);
    }
}

/// The whole world state: accounts plus a code store keyed by code hash.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MemDb {
    /// Accounts by address.
    pub accounts: BTreeMap<Address, DbAccount>,
    /// Contract code by hash (raw bytes as deployed).
    pub codes: BTreeMap<B256, Bytes>,
    /// What changed since the last [`MemDb::take_changes`].
    #[serde(skip)]
    changes: Changes,
}

/// Turns raw deployed bytes into a revm [`Bytecode`] without ever panicking.
pub fn bytecode_from_raw(raw: Bytes) -> Bytecode {
    Bytecode::new_raw_checked(raw.clone()).unwrap_or_else(|_| Bytecode::new_legacy(raw))
}

impl MemDb {
    /// The account at `address`, if it exists.
    pub fn account(&self, address: &Address) -> Option<&DbAccount> {
        self.accounts.get(address)
    }

    /// Balance of `address` (zero if absent).
    pub fn balance(&self, address: &Address) -> U256 {
        self.accounts
            .get(address)
            .map(|a| a.balance)
            .unwrap_or_default()
    }

    /// Nonce of `address` (zero if absent).
    pub fn nonce(&self, address: &Address) -> u64 {
        self.accounts
            .get(address)
            .map(|a| a.nonce)
            .unwrap_or_default()
    }

    /// Code of `address` (empty if none).
    pub fn code(&self, address: &Address) -> Bytes {
        self.accounts
            .get(address)
            .and_then(|a| self.codes.get(&a.code_hash).cloned())
            .unwrap_or_default()
    }

    /// Storage slot of `address`.
    pub fn storage_at(&self, address: &Address, slot: U256) -> U256 {
        self.accounts
            .get(address)
            .and_then(|a| a.storage.get(&slot).copied())
            .unwrap_or_default()
    }

    /// Sum of all balances, in wei; `None` if it exceeds 2^256 − 1.
    ///
    /// O(accounts). Execution never raises it (value moves between accounts, fees go to the
    /// beneficiary or are burnt), so it only needs checking when a dev method sets a balance.
    pub fn total_balance(&self) -> Option<U256> {
        self.accounts
            .values()
            .try_fold(U256::ZERO, |sum, a| sum.checked_add(a.balance))
    }

    fn entry(&mut self, address: Address) -> &mut DbAccount {
        self.changes.accounts.insert(address);
        self.accounts.entry(address).or_insert_with(|| DbAccount {
            code_hash: KECCAK_EMPTY,
            ..Default::default()
        })
    }

    /// Removes `address` and its storage.
    fn remove_account(&mut self, address: &Address) {
        if self.accounts.remove(address).is_some() {
            self.changes.accounts.insert(*address);
            self.changes.cleared.insert(*address);
        }
    }

    /// Removes `address` if EIP-161 calls it empty.
    fn prune_if_empty(&mut self, address: &Address) {
        if self.accounts.get(address).is_some_and(DbAccount::is_empty) {
            self.remove_account(address);
        }
    }

    /// Sets the balance of `address`.
    pub fn set_balance(&mut self, address: Address, balance: U256) {
        self.entry(address).balance = balance;
    }

    /// Sets the nonce of `address`.
    pub fn set_nonce(&mut self, address: Address, nonce: u64) {
        self.entry(address).nonce = nonce;
    }

    fn store_code(&mut self, code: Bytes) -> B256 {
        if code.is_empty() {
            return KECCAK_EMPTY;
        }
        let hash = keccak256(&code);
        if let std::collections::btree_map::Entry::Vacant(e) = self.codes.entry(hash) {
            e.insert(code);
            self.changes.codes.insert(hash);
        }
        hash
    }

    /// Replaces the code of `address`.
    pub fn set_code(&mut self, address: Address, code: Bytes) {
        let hash = self.store_code(code);
        self.entry(address).code_hash = hash;
    }

    /// Sets one storage slot of `address` (zero deletes it).
    pub fn set_storage(&mut self, address: Address, slot: U256, value: U256) {
        self.changes.slots.insert((address, slot));
        let account = self.entry(address);
        if value.is_zero() {
            account.storage.remove(&slot);
        } else {
            account.storage.insert(slot, value);
        }
    }

    /// Replaces the whole storage of `address`.
    pub fn replace_storage(&mut self, address: Address, storage: BTreeMap<U256, U256>) {
        self.changes.cleared.insert(address);
        let storage: BTreeMap<U256, U256> =
            storage.into_iter().filter(|(_, v)| !v.is_zero()).collect();
        self.changes
            .slots
            .extend(storage.keys().map(|slot| (address, *slot)));
        self.entry(address).storage = storage;
    }

    /// Installs an account from revm types (genesis allocations).
    pub fn insert_account(
        &mut self,
        address: Address,
        info: AccountInfo,
        storage: &[(U256, U256)],
    ) {
        if let Some(code) = info.code {
            let raw = code.original_bytes();
            if !raw.is_empty() {
                self.set_code(address, raw);
            }
        }
        let account = self.entry(address);
        account.balance = info.balance;
        account.nonce = info.nonce;
        for (slot, value) in storage {
            self.set_storage(address, *slot, *value);
        }
    }

    /// Applies a state diff produced by the executor.
    pub fn commit(&mut self, changes: AddressMap<Account>) {
        for (address, account) in changes {
            if !account.is_touched() {
                continue;
            }
            if account.is_selfdestructed() {
                self.remove_account(&address);
                continue;
            }
            let code_hash = match &account.info.code {
                Some(code) if account.info.code_hash != KECCAK_EMPTY => {
                    if let std::collections::btree_map::Entry::Vacant(e) =
                        self.codes.entry(account.info.code_hash)
                    {
                        e.insert(code.original_bytes());
                        self.changes.codes.insert(account.info.code_hash);
                    }
                    account.info.code_hash
                }
                _ => account.info.code_hash,
            };
            if account.is_created()
                && self
                    .accounts
                    .get(&address)
                    .is_some_and(|a| !a.storage.is_empty())
            {
                self.changes.cleared.insert(address);
                self.entry(address).storage.clear();
            }
            let entry = self.entry(address);
            entry.balance = account.info.balance;
            entry.nonce = account.info.nonce;
            entry.code_hash = code_hash;
            for (slot, value) in account.storage {
                if value.is_changed() || value.present_value() != value.original_value() {
                    self.set_storage(address, slot, value.present_value());
                }
            }
            // EIP-161: touched empty accounts are removed.
            self.prune_if_empty(&address);
        }
    }

    /// The keys changed since the previous call, leaving the record empty.
    pub fn take_changes(&mut self) -> Changes {
        std::mem::take(&mut self.changes)
    }

    /// Every key of the state, as if all of it had changed (a full rewrite).
    pub fn all_keys(&self) -> Changes {
        Changes {
            accounts: self.accounts.keys().copied().collect(),
            cleared: self.accounts.keys().copied().collect(),
            slots: self
                .accounts
                .iter()
                .flat_map(|(a, acc)| acc.storage.keys().map(move |s| (*a, *s)))
                .collect(),
            codes: self.codes.keys().copied().collect(),
        }
    }
}

/// A read-only [`Database`] view of a [`MemDb`] plus the chain's block hashes.
#[derive(Debug)]
pub struct StateView<'a> {
    db: &'a MemDb,
    hashes: &'a [B256],
}

impl<'a> StateView<'a> {
    /// Creates a view; `hashes[n]` is the hash of block `n`.
    pub fn new(db: &'a MemDb, hashes: &'a [B256]) -> Self {
        Self { db, hashes }
    }
}

impl Database for StateView<'_> {
    type Error = Infallible;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Infallible> {
        Ok(self.db.accounts.get(&address).map(|a| {
            let code = Some(
                self.db
                    .codes
                    .get(&a.code_hash)
                    .cloned()
                    .map(bytecode_from_raw)
                    .unwrap_or_default(),
            );
            AccountInfo {
                balance: a.balance,
                nonce: a.nonce,
                code_hash: a.code_hash,
                code,
                ..Default::default()
            }
        }))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, Infallible> {
        Ok(self
            .db
            .codes
            .get(&code_hash)
            .cloned()
            .map(bytecode_from_raw)
            .unwrap_or_default())
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, Infallible> {
        Ok(self.db.storage_at(&address, index))
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Infallible> {
        Ok(usize::try_from(number)
            .ok()
            .and_then(|n| self.hashes.get(n).copied())
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use revm::{
        primitives::AddressMap,
        state::{EvmStorageSlot, TransactionId},
    };

    #[test]
    fn commit_applies_balances_code_storage_and_removes_empty_accounts() {
        let mut db = MemDb::default();
        let a = Address::repeat_byte(1);
        let b = Address::repeat_byte(2);
        db.set_balance(b, U256::from(5));
        db.set_storage(b, U256::from(4), U256::from(4));
        db.take_changes();

        let code = Bytecode::new_raw(Bytes::from_static(&[0x60, 0x00]));
        let mut account = Account::from(AccountInfo {
            balance: U256::from(7),
            nonce: 1,
            code_hash: code.hash_slow(),
            code: Some(code.clone()),
            ..Default::default()
        });
        account.mark_touch();
        account.storage.insert(
            U256::from(1),
            EvmStorageSlot::new_changed(U256::ZERO, U256::from(9), TransactionId::ZERO),
        );
        let mut emptied = Account::from(AccountInfo::default());
        emptied.mark_touch();
        emptied.mark_selfdestruct();
        let mut changes = AddressMap::default();
        changes.insert(a, account);
        changes.insert(b, emptied);
        db.commit(changes);

        assert_eq!(db.balance(&a), U256::from(7));
        assert_eq!(db.nonce(&a), 1);
        assert_eq!(db.code(&a), code.original_bytes());
        assert_eq!(db.storage_at(&a, U256::from(1)), U256::from(9));
        assert!(db.account(&b).is_none());
        // The change record names exactly what moved.
        let changes = db.take_changes();
        assert_eq!(changes.accounts, [a, b].into_iter().collect());
        assert_eq!(changes.cleared, [b].into_iter().collect());
        assert_eq!(changes.slots, [(a, U256::from(1))].into_iter().collect());
        assert_eq!(changes.codes, [code.hash_slow()].into_iter().collect());
        assert!(db.take_changes().is_empty());

        let hashes = [B256::repeat_byte(3)];
        let mut view = StateView::new(&db, &hashes);
        let info = view.basic(a).unwrap().unwrap();
        assert_eq!(info.code_hash, code.hash_slow());
        assert_eq!(view.block_hash(0).unwrap(), hashes[0]);
        assert_eq!(view.block_hash(u64::MAX).unwrap(), B256::ZERO);
    }

    #[test]
    fn total_balance_detects_overflow() {
        let mut db = MemDb::default();
        db.set_balance(Address::repeat_byte(1), U256::MAX - U256::from(1));
        assert_eq!(db.total_balance(), Some(U256::MAX - U256::from(1)));
        db.set_balance(Address::repeat_byte(2), U256::from(1));
        assert_eq!(db.total_balance(), Some(U256::MAX));
        db.set_balance(Address::repeat_byte(3), U256::from(1));
        assert_eq!(db.total_balance(), None);
    }

    #[test]
    fn malformed_code_never_panics() {
        let mut db = MemDb::default();
        let a = Address::repeat_byte(1);
        // An EIP-7702 prefix with a wrong length.
        db.set_code(a, Bytes::from_static(&[0xef, 0x01, 0x00, 0x12]));
        let hashes = [];
        let mut view = StateView::new(&db, &hashes);
        assert!(view.basic(a).unwrap().is_some());
    }
}
