//! The token's Solidity-visible errors and events (DESIGN.md §3).
//!
//! Error names follow ERC-6093 (`ERC20…`), ERC-2612 (`ERC2612…`), OpenZeppelin's `ECDSA` library and
//! OpenZeppelin's `ERC20Capped`, so wallets and explorers decode them without a custom ABI.

use alloy_sol_types::sol;
use common::access::{
    AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount,
};
use stylus_sdk::prelude::*;

sol! {
    /// `sender` holds `balance` base units (wei of CT), less than the `needed` amount.
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);

    /// The sending account is invalid (the zero address).
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InvalidSender(address sender);

    /// The receiving account is invalid (the zero address).
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InvalidReceiver(address receiver);

    /// `spender` may spend `allowance` base units of the owner's, less than the `needed` amount.
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    /// The approving account is invalid (the zero address).
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InvalidApprover(address approver);

    /// The account being approved is invalid (the zero address).
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InvalidSpender(address spender);

    /// A mint would raise the total supply to `increasedSupply` base units, above `cap`
    /// (`MAX_SUPPLY`). `increasedSupply` is `type(uint256).max` if the sum overflows.
    #[derive(Debug, PartialEq, Eq)]
    error ERC20ExceededCap(uint256 increasedSupply, uint256 cap);

    /// The permit's `deadline` (unix seconds) has passed.
    #[derive(Debug, PartialEq, Eq)]
    error ERC2612ExpiredSignature(uint256 deadline);

    /// The permit was signed by `signer`, not by `owner`.
    #[derive(Debug, PartialEq, Eq)]
    error ERC2612InvalidSigner(address signer, address owner);

    /// The signature does not recover to any address (malformed `v`, `r` or `s`).
    #[derive(Debug, PartialEq, Eq)]
    error ECDSAInvalidSignature();

    /// The signature's `s` is in the upper half of the curve order (malleable, EIP-2).
    #[derive(Debug, PartialEq, Eq)]
    error ECDSAInvalidSignatureS(bytes32 s);

    /// The constructor's `genesisSupply` exceeds `maxGenesisSupply` (650,000,000e18 base units), which
    /// keeps at least 350M CT of the cap for emissions.
    #[derive(Debug, PartialEq, Eq)]
    error ComputeTokenGenesisSupplyTooLarge(uint256 genesisSupply, uint256 maxGenesisSupply);

    /// The constructor's `name` or `symbol` is `length` bytes long, more than `maxLength` (31).
    #[derive(Debug, PartialEq, Eq)]
    error ComputeTokenMetadataTooLong(uint256 length, uint256 maxLength);

    /// `value` base units moved from `from` to `to`; `from` is zero for a mint, `to` zero for a burn.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// `owner` allowed `spender` to spend `value` base units (set, not added).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event Approval(address indexed owner, address indexed spender, uint256 value);
}

/// Every error the token returns; each variant encodes as the Solidity custom error it wraps.
#[derive(SolidityError, Debug, PartialEq, Eq)]
pub enum Error {
    /// See [`ERC20InsufficientBalance`].
    InsufficientBalance(ERC20InsufficientBalance),
    /// See [`ERC20InvalidSender`].
    InvalidSender(ERC20InvalidSender),
    /// See [`ERC20InvalidReceiver`].
    InvalidReceiver(ERC20InvalidReceiver),
    /// See [`ERC20InsufficientAllowance`].
    InsufficientAllowance(ERC20InsufficientAllowance),
    /// See [`ERC20InvalidApprover`].
    InvalidApprover(ERC20InvalidApprover),
    /// See [`ERC20InvalidSpender`].
    InvalidSpender(ERC20InvalidSpender),
    /// See [`ERC20ExceededCap`].
    ExceededCap(ERC20ExceededCap),
    /// See [`ERC2612ExpiredSignature`].
    ExpiredSignature(ERC2612ExpiredSignature),
    /// See [`ERC2612InvalidSigner`].
    InvalidSigner(ERC2612InvalidSigner),
    /// See [`ECDSAInvalidSignature`].
    InvalidSignature(ECDSAInvalidSignature),
    /// See [`ECDSAInvalidSignatureS`].
    InvalidSignatureS(ECDSAInvalidSignatureS),
    /// See [`ComputeTokenGenesisSupplyTooLarge`].
    GenesisSupplyTooLarge(ComputeTokenGenesisSupplyTooLarge),
    /// See [`ComputeTokenMetadataTooLong`].
    MetadataTooLong(ComputeTokenMetadataTooLong),
    /// The constructor's admin is the zero address.
    InvalidDefaultAdmin(AccessControlInvalidDefaultAdmin),
    /// The caller lacks the role a function needs.
    UnauthorizedAccount(AccessControlUnauthorizedAccount),
    /// `renounceRole` was called for another account.
    BadConfirmation(AccessControlBadConfirmation),
}

common::impl_error_from_common!(Error, access);
