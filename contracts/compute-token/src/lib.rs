//! # ComputeToken (CT)
//!
//! The compute-market ERC-20 on Arbitrum Stylus (docs/protocol.md §5 "ComputeToken"): ERC-20 with
//! metadata, EIP-2612 `permit` (EIP-712 domain `name` = token name, `version` = "1", chain id read at
//! run time, ERC-5267 `eip712Domain()`), `burn`/`burnFrom`, a constant hard cap [`MAX_SUPPLY`]
//! enforced on every mint path, and OpenZeppelin-style roles with
//! [`MINTER_ROLE`](common::roles::MINTER_ROLE).
//!
//! Units: all amounts are base units ("wei of CT"); CT has 18 decimals, so `1e18` base units = 1 CT.
//! Times are unix seconds (`block.timestamp`).
//!
//! Design follows OpenZeppelin Contracts 5.x (`ERC20`, `ERC20Permit`, `ERC20Burnable`, `ERC20Capped`,
//! `AccessControl`) and their ERC-6093 errors; openzeppelin-stylus cannot be a dependency because it
//! pins stylus-sdk 0.9. Every balance and supply change goes through one internal function, `_update`.
//!
//! ## Security considerations
//! - **Minting** is restricted to `MINTER_ROLE`, which the deployment grants to the BME controller
//!   and `Emissions` alone (docs/protocol.md §3 "Roles"); `DEFAULT_ADMIN_ROLE` can grant it to
//!   anyone, so the admin must be a multisig/timelock.
//!   Whatever the roles, no mint can raise the supply above [`MAX_SUPPLY`].
//! - **Allowance front-running** (the classic ERC-20 `approve` race): `approve` sets, it does not add.
//!   Change a non-zero allowance to zero first, or use `permit` with a fresh nonce.
//! - **Infinite allowance** (`type(uint256).max`) is never decreased by `transferFrom`/`burnFrom`, as in
//!   OpenZeppelin; such spends emit no `Approval`.
//! - **Permit signatures** are EIP-712 over the chain id read at every call, so a fork with a new chain
//!   id invalidates old signatures; malleable signatures (high `s`, EIP-2) are rejected; each nonce is
//!   used once. A permit can be front-run by anyone who sees it (the approval still happens), so a
//!   dApp that sends `permit` before `buyCredits` or `stake` must tolerate an already-used permit.
//! - **No external calls** except the `ecrecover` precompile (`0x01`, a static call), so there is no
//!   reentrancy surface. No transfer hooks, fees, rebasing or pausing of transfers.
//! - **Arithmetic** is checked or carries the inequality that makes it safe (ruint `U256` wraps).
//!
//! ## Invariants
//! 1. `totalSupply() <= MAX_SUPPLY` at all times.
//! 2. Σ `balanceOf(a)` over all accounts = `totalSupply()`.
//! 3. `balanceOf(address(0)) == 0`; `allowance(address(0), ·) == 0`.
//! 4. Only `MINTER_ROLE` holders (and the constructor, for the genesis supply) increase the supply.
//! 5. `nonces(owner)` only increases, by exactly one per accepted permit.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]
// stylus-proc generates undocumented items (`user_entrypoint`, export-abi structs) outside test
// builds; docs stay enforced in the test build, which `cargo clippy --all-targets` checks.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
// Errors carry the Solidity custom error they encode (CommonError includes `CallFailed` with its
// revert bytes); boxing them would cost code size for no gain on a revert path.
#![allow(clippy::result_large_err)]

extern crate alloc;

pub mod interface;
mod permit;

#[cfg(test)]
mod tests;

#[allow(unused_imports)] // `vec!` is referenced by code stylus-proc generates
use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{uint, Address, FixedBytes, B256, U256};
use alloy_sol_types::SolEvent;
use common::{
    access::{AccessControl, Roles},
    errors::invalid_admin,
    roles::{DEFAULT_ADMIN_ROLE, MINTER_ROLE},
    short_string,
};
use stylus_sdk::{
    prelude::*,
    storage::{StorageB256, StorageMap, StorageU256},
};

use crate::interface::*;

/// The hard cap: 1,000,000,000 CT = `1e27` base units (docs/protocol.md §5 "ComputeToken"). A
/// constant, so no role can raise it.
pub const MAX_SUPPLY: U256 = uint!(1_000_000_000_000000000000000000_U256);

/// The largest genesis supply the constructor accepts: 650,000,000 CT = `6.5e26` base units, so that at
/// least 350M CT of [`MAX_SUPPLY`] remain for emissions (docs/protocol.md §5 "ComputeToken").
pub const MAX_GENESIS_SUPPLY: U256 = uint!(650_000_000_000000000000000000_U256);

/// CT uses 18 decimals, like ETH.
pub const DECIMALS: u8 = 18;

/// The compute token's storage and entrypoint.
#[storage]
#[entrypoint]
pub struct ComputeToken {
    /// `balances[account]`: base units held.
    balances: StorageMap<Address, StorageU256>,
    /// `allowances[owner][spender]`: base units `spender` may move from `owner`.
    allowances: StorageMap<Address, StorageMap<Address, StorageU256>>,
    /// Σ balances, in base units; never above [`MAX_SUPPLY`].
    total_supply: StorageU256,
    /// ERC-20 `name` (also the EIP-712 domain name), packed by [`short_string::pack`].
    name: StorageB256,
    /// ERC-20 `symbol`, packed by [`short_string::pack`].
    symbol: StorageB256,
    /// `keccak256(bytes(name))`, cached for the EIP-712 domain separator.
    hashed_name: StorageB256,
    /// EIP-2612 `nonces[owner]`: permits used so far.
    nonces: StorageMap<Address, StorageU256>,
    /// Role-based access control.
    roles: Roles,
}

#[public]
#[implements(AccessControl)]
impl ComputeToken {
    /// Initialises the token once, at deployment (run by StylusDeployer; `msg.sender` is the deployer
    /// contract, so the admin is passed explicitly).
    ///
    /// # Arguments
    /// * `name`, `symbol` - ERC-20 metadata, at most 31 bytes of UTF-8 each; `name` is also the
    ///   EIP-712 domain name.
    /// * `admin` - receives `DEFAULT_ADMIN_ROLE` (grants `MINTER_ROLE` to the controller later).
    /// * `genesis_holder` - receives the genesis supply; may be zero only if `genesis_supply` is 0.
    /// * `genesis_supply` - base units minted at genesis, at most [`MAX_GENESIS_SUPPLY`].
    ///
    /// # Errors
    /// * `AccessControlInvalidDefaultAdmin(admin)` if `admin` is zero.
    /// * `ComputeTokenGenesisSupplyTooLarge(genesisSupply, maxGenesisSupply)` above the limit.
    /// * `ERC20InvalidReceiver(address(0))` if `genesis_supply > 0` and `genesis_holder` is zero.
    /// * `ComputeTokenMetadataTooLong(length, 31)` if `name` or `symbol` is longer than 31 bytes.
    ///
    /// # Events
    /// `RoleGranted(DEFAULT_ADMIN_ROLE, admin, msg.sender)`; `Transfer(0, genesisHolder, genesisSupply)`
    /// when `genesis_supply > 0`.
    #[constructor]
    pub fn constructor(
        &mut self,
        name: String,
        symbol: String,
        admin: Address,
        genesis_holder: Address,
        genesis_supply: U256,
    ) -> Result<(), Error> {
        if admin.is_zero() {
            return Err(invalid_admin(admin).into());
        }
        if genesis_supply > MAX_GENESIS_SUPPLY {
            return Err(Error::GenesisSupplyTooLarge(
                ComputeTokenGenesisSupplyTooLarge {
                    genesisSupply: genesis_supply,
                    maxGenesisSupply: MAX_GENESIS_SUPPLY,
                },
            ));
        }
        if !genesis_supply.is_zero() && genesis_holder.is_zero() {
            return Err(invalid_receiver(genesis_holder));
        }
        let packed_name = pack_metadata(&name)?;
        let packed_symbol = pack_metadata(&symbol)?;
        let hashed_name = self.vm().native_keccak256(name.as_bytes());
        self.hashed_name.set(hashed_name);
        self.name.set(packed_name);
        self.symbol.set(packed_symbol);
        self.roles._grant_role(DEFAULT_ADMIN_ROLE, admin);
        if !genesis_supply.is_zero() {
            self._mint(genesis_holder, genesis_supply)?;
        }
        Ok(())
    }

    /// ERC-20 token name (set once by the constructor).
    pub fn name(&self) -> String {
        short_string::unpack(self.name.get())
    }

    /// ERC-20 token symbol (set once by the constructor).
    pub fn symbol(&self) -> String {
        short_string::unpack(self.symbol.get())
    }

    /// Decimals of the display unit: always 18.
    pub fn decimals(&self) -> u8 {
        DECIMALS
    }

    /// Total supply in base units, at most [`MAX_SUPPLY`].
    pub fn total_supply(&self) -> U256 {
        self.total_supply.get()
    }

    /// Base units held by `account`.
    pub fn balance_of(&self, account: Address) -> U256 {
        self.balances.get(account)
    }

    /// The supply cap in base units: [`MAX_SUPPLY`] (1e27).
    pub fn cap(&self) -> U256 {
        MAX_SUPPLY
    }

    /// Moves `value` base units from the caller to `to`. Returns `true`.
    ///
    /// # Errors
    /// * `ERC20InvalidReceiver(address(0))` if `to` is zero.
    /// * `ERC20InsufficientBalance(caller, balance, value)` if the caller holds less than `value`.
    ///
    /// # Events
    /// `Transfer(caller, to, value)`.
    pub fn transfer(&mut self, to: Address, value: U256) -> Result<bool, Error> {
        let from = self.vm().msg_sender();
        self._transfer(from, to, value)?;
        Ok(true)
    }

    /// Base units `spender` may still move from `owner` (`type(uint256).max` = unlimited).
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        self.allowances.getter(owner).get(spender)
    }

    /// Sets the caller's allowance for `spender` to `value` base units. Returns `true`.
    ///
    /// WARNING: changing a non-zero allowance can be front-run (spend old, then new); set it to zero
    /// first where that matters.
    ///
    /// # Errors
    /// `ERC20InvalidSpender(address(0))` if `spender` is zero.
    ///
    /// # Events
    /// `Approval(caller, spender, value)`.
    pub fn approve(&mut self, spender: Address, value: U256) -> Result<bool, Error> {
        let owner = self.vm().msg_sender();
        self._approve(owner, spender, value, true)?;
        Ok(true)
    }

    /// Moves `value` base units from `from` to `to` using the caller's allowance, which decreases by
    /// `value` unless it is `type(uint256).max`. Returns `true`.
    ///
    /// # Errors
    /// * `ERC20InsufficientAllowance(caller, allowance, value)` if the allowance is below `value`.
    /// * `ERC20InvalidApprover(address(0))` if `from` is zero (and the allowance suffices, i.e. `value == 0`).
    /// * `ERC20InvalidSender(address(0))`, `ERC20InvalidReceiver(address(0))` for zero addresses.
    /// * `ERC20InsufficientBalance(from, balance, value)` if `from` holds less than `value`.
    ///
    /// # Events
    /// `Transfer(from, to, value)`; no `Approval` (as in OpenZeppelin 5).
    pub fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<bool, Error> {
        let spender = self.vm().msg_sender();
        let remaining = self._check_allowance(from, spender, value)?;
        self._transfer(from, to, value)?;
        self._set_remaining_allowance(from, spender, remaining);
        Ok(true)
    }

    /// Mints `amount` base units to `to`. Only `MINTER_ROLE` (the BME controller).
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, MINTER_ROLE)` if the caller lacks the role.
    /// * `ERC20InvalidReceiver(address(0))` if `to` is zero.
    /// * `ERC20ExceededCap(newSupply, MAX_SUPPLY)` if the supply would exceed the cap.
    ///
    /// # Events
    /// `Transfer(address(0), to, amount)`.
    pub fn mint(&mut self, to: Address, amount: U256) -> Result<(), Error> {
        self.roles.only_role(MINTER_ROLE)?;
        self._mint(to, amount)
    }

    /// Destroys `value` base units of the caller's, reducing the supply.
    ///
    /// # Errors
    /// `ERC20InsufficientBalance(caller, balance, value)` if the caller holds less than `value`.
    ///
    /// # Events
    /// `Transfer(caller, address(0), value)`.
    pub fn burn(&mut self, value: U256) -> Result<(), Error> {
        let account = self.vm().msg_sender();
        self._burn(account, value)
    }

    /// Destroys `value` base units of `account`'s using the caller's allowance (the BME controller
    /// burns buyers' CT this way).
    ///
    /// # Errors
    /// * `ERC20InsufficientAllowance(caller, allowance, value)` if the allowance is below `value`.
    /// * `ERC20InvalidApprover(address(0))`/`ERC20InvalidSender(address(0))` if `account` is zero.
    /// * `ERC20InsufficientBalance(account, balance, value)` if `account` holds less than `value`.
    ///
    /// # Events
    /// `Transfer(account, address(0), value)`.
    pub fn burn_from(&mut self, account: Address, value: U256) -> Result<(), Error> {
        let spender = self.vm().msg_sender();
        let remaining = self._check_allowance(account, spender, value)?;
        self._burn(account, value)?;
        self._set_remaining_allowance(account, spender, remaining);
        Ok(())
    }

    /// EIP-2612: sets `owner`'s allowance for `spender` to `value` with `owner`'s EIP-712 signature
    /// over `Permit(owner, spender, value, nonces(owner), deadline)`, and consumes the nonce.
    ///
    /// # Arguments
    /// * `deadline` - unix seconds; the permit is valid while `block.timestamp <= deadline`.
    /// * `v`, `r`, `s` - the secp256k1 signature (`v` is 27 or 28).
    ///
    /// # Errors
    /// * `ERC2612ExpiredSignature(deadline)` after the deadline.
    /// * `ECDSAInvalidSignatureS(s)` if `s` is in the upper half order (malleable).
    /// * `ECDSAInvalidSignature()` if the signature recovers to no address.
    /// * `ERC2612InvalidSigner(signer, owner)` if it was signed by another key (or a used nonce).
    /// * `ERC20InvalidSpender(address(0))` if `spender` is zero.
    ///
    /// # Events
    /// `Approval(owner, spender, value)`.
    #[allow(clippy::too_many_arguments)]
    pub fn permit(
        &mut self,
        owner: Address,
        spender: Address,
        value: U256,
        deadline: U256,
        v: u8,
        r: B256,
        s: B256,
    ) -> Result<(), Error> {
        if U256::from(self.vm().block_timestamp()) > deadline {
            return Err(Error::ExpiredSignature(ERC2612ExpiredSignature {
                deadline,
            }));
        }
        let nonce = self.nonces.get(owner);
        let digest = self.permit_digest(owner, spender, value, nonce, deadline);
        let signer = permit::recover(self.vm(), digest, v, r, s)?;
        if signer != owner {
            return Err(Error::InvalidSigner(ERC2612InvalidSigner { signer, owner }));
        }
        if spender.is_zero() {
            return Err(Error::InvalidSpender(ERC20InvalidSpender { spender }));
        }
        // Cannot wrap: a nonce grows by one per signed permit, far below 2^256 - 1.
        self.nonces.insert(owner, nonce.wrapping_add(U256::from(1)));
        self._approve(owner, spender, value, true)
    }

    /// EIP-2612: the next permit nonce of `owner` (number of permits it has used).
    pub fn nonces(&self, owner: Address) -> U256 {
        self.nonces.get(owner)
    }

    /// EIP-712 domain separator for the current chain id and this contract's address.
    #[selector(name = "DOMAIN_SEPARATOR")]
    pub fn domain_separator(&self) -> B256 {
        permit::domain_separator(
            self.vm(),
            self.hashed_name.get(),
            self.vm().chain_id(),
            self.vm().contract_address(),
        )
    }

    /// ERC-5267: the EIP-712 domain. `fields` = `0x0f` (name, version, chainId, verifyingContract are
    /// used; no salt, no extensions).
    #[allow(clippy::type_complexity)]
    pub fn eip712_domain(
        &self,
    ) -> (
        FixedBytes<1>,
        String,
        String,
        U256,
        Address,
        B256,
        Vec<U256>,
    ) {
        (
            FixedBytes([0x0f]),
            short_string::unpack(self.name.get()),
            String::from(permit::VERSION),
            U256::from(self.vm().chain_id()),
            self.vm().contract_address(),
            B256::ZERO,
            Vec::new(),
        )
    }

    /// `keccak256("MINTER_ROLE")`, the role allowed to mint.
    #[selector(name = "MINTER_ROLE")]
    pub fn minter_role(&self) -> B256 {
        MINTER_ROLE
    }

    /// `0x00`, the admin role of every role.
    #[selector(name = "DEFAULT_ADMIN_ROLE")]
    pub fn default_admin_role(&self) -> B256 {
        DEFAULT_ADMIN_ROLE
    }
}

common::impl_access_control!(ComputeToken, roles);

fn pack_metadata(s: &str) -> Result<B256, Error> {
    short_string::pack(s).ok_or(Error::MetadataTooLong(ComputeTokenMetadataTooLong {
        length: U256::from(s.len()),
        maxLength: U256::from(short_string::MAX_LEN),
    }))
}

fn invalid_receiver(receiver: Address) -> Error {
    Error::InvalidReceiver(ERC20InvalidReceiver { receiver })
}

fn invalid_sender(sender: Address) -> Error {
    Error::InvalidSender(ERC20InvalidSender { sender })
}

impl ComputeToken {
    /// The single choke point of every balance and supply change (OpenZeppelin's `_update`): moves
    /// `value` from `from` to `to`; `from == 0` mints (checking the cap), `to == 0` burns.
    /// Checks everything before writing anything.
    ///
    /// # Errors
    /// * `ERC20ExceededCap(newSupply, MAX_SUPPLY)` when minting past the cap.
    /// * `ERC20InsufficientBalance(from, balance, value)` when `from` holds too little.
    ///
    /// # Events
    /// `Transfer(from, to, value)`.
    fn _update(&mut self, from: Address, to: Address, value: U256) -> Result<(), Error> {
        // The supply is read only by mints and burns (a transfer leaves it unchanged: one cold
        // SLOAD, 2,100 gas, less per transfer), and each balance slot is hashed once.
        if from.is_zero() {
            let increased = self
                .total_supply
                .get()
                .checked_add(value)
                .unwrap_or(U256::MAX);
            if increased > MAX_SUPPLY {
                return Err(Error::ExceededCap(ERC20ExceededCap {
                    increasedSupply: increased,
                    cap: MAX_SUPPLY,
                }));
            }
            self.total_supply.set(increased);
        } else {
            let mut slot = self.balances.setter(from);
            let balance = slot.get();
            if balance < value {
                return Err(Error::InsufficientBalance(ERC20InsufficientBalance {
                    sender: from,
                    balance,
                    needed: value,
                }));
            }
            // Cannot wrap: value <= balance (checked above).
            slot.set(balance.wrapping_sub(value));
        }
        if to.is_zero() {
            // Cannot wrap: value <= balance(from) <= totalSupply (Σ balances = totalSupply).
            let supply = self.total_supply.get();
            self.total_supply.set(supply.wrapping_sub(value));
        } else {
            let mut slot = self.balances.setter(to);
            let balance = slot.get();
            // Cannot wrap: balance(to) + value <= totalSupply <= MAX_SUPPLY < 2^256.
            slot.set(balance.wrapping_add(value));
        }
        // Logged by hand (alloy's per-event encoder costs wasm and gas).
        let _ = self.vm().raw_log(
            &[Transfer::SIGNATURE_HASH, from.into_word(), to.into_word()],
            &value.to_be_bytes::<32>(),
        );
        Ok(())
    }

    /// Moves `value` from `from` to `to` after rejecting zero addresses.
    fn _transfer(&mut self, from: Address, to: Address, value: U256) -> Result<(), Error> {
        if from.is_zero() {
            return Err(invalid_sender(from));
        }
        if to.is_zero() {
            return Err(invalid_receiver(to));
        }
        self._update(from, to, value)
    }

    /// Mints `value` to `to` (no role check: callers check).
    fn _mint(&mut self, to: Address, value: U256) -> Result<(), Error> {
        if to.is_zero() {
            return Err(invalid_receiver(to));
        }
        self._update(Address::ZERO, to, value)
    }

    /// Burns `value` of `account`'s.
    fn _burn(&mut self, account: Address, value: U256) -> Result<(), Error> {
        if account.is_zero() {
            return Err(invalid_sender(account));
        }
        self._update(account, Address::ZERO, value)
    }

    /// Sets `owner`'s allowance for `spender`, emitting `Approval` if `emit_event`.
    fn _approve(
        &mut self,
        owner: Address,
        spender: Address,
        value: U256,
        emit_event: bool,
    ) -> Result<(), Error> {
        if owner.is_zero() {
            return Err(Error::InvalidApprover(ERC20InvalidApprover {
                approver: owner,
            }));
        }
        if spender.is_zero() {
            return Err(Error::InvalidSpender(ERC20InvalidSpender { spender }));
        }
        self.allowances.setter(owner).insert(spender, value);
        if emit_event {
            let _ = self.vm().raw_log(
                &[
                    Approval::SIGNATURE_HASH,
                    owner.into_word(),
                    spender.into_word(),
                ],
                &value.to_be_bytes::<32>(),
            );
        }
        Ok(())
    }

    /// Read-only half of OpenZeppelin's `_spendAllowance`: checks that `spender` may move `value` of
    /// `owner`'s and returns the allowance to store afterwards (`None` for an infinite allowance).
    /// The write happens after the balance change succeeds, so a failed call writes nothing.
    fn _check_allowance(
        &self,
        owner: Address,
        spender: Address,
        value: U256,
    ) -> Result<Option<U256>, Error> {
        let current = self.allowance(owner, spender);
        if current == U256::MAX {
            return Ok(None);
        }
        if current < value {
            return Err(Error::InsufficientAllowance(ERC20InsufficientAllowance {
                spender,
                allowance: current,
                needed: value,
            }));
        }
        if owner.is_zero() {
            return Err(Error::InvalidApprover(ERC20InvalidApprover {
                approver: owner,
            }));
        }
        // Cannot wrap: value <= current (checked above).
        Ok(Some(current.wrapping_sub(value)))
    }

    /// Stores the allowance computed by [`Self::_check_allowance`] (no event, as in OpenZeppelin 5).
    fn _set_remaining_allowance(
        &mut self,
        owner: Address,
        spender: Address,
        remaining: Option<U256>,
    ) {
        if let Some(remaining) = remaining {
            self.allowances.setter(owner).insert(spender, remaining);
        }
    }

    /// The EIP-712 digest a permit signer signs.
    fn permit_digest(
        &self,
        owner: Address,
        spender: Address,
        value: U256,
        nonce: U256,
        deadline: U256,
    ) -> B256 {
        let separator = self.domain_separator();
        permit::permit_digest(self.vm(), separator, owner, spender, value, nonce, deadline)
    }
}
