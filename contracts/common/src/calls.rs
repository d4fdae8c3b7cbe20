//! One external-call policy for every contract (ABI v2; docs/protocol.md "External calls").
//!
//! The contracts only ever call the compute token, each other and the price feeds, all fixed at
//! construction or set by governance (never an address a user passes). Every failure surfaces as
//! `CallFailed(target, returnData)`, carrying the callee's own revert data (its custom error), so a
//! dApp decodes the root cause from the outer revert:
//! - [`call`]: a mutating call; a revert becomes `CallFailed(target, revertData)`;
//! - [`view`] / [`view_word`]: a static call, and one returning exactly one ABI word (`uint256`,
//!   `bool`, …); any other return length becomes `CallFailed(target, returned)`;
//! - [`token_move`]: a token transfer checked three ways — it did not revert, it returned nothing or
//!   exactly `true`, and this contract's own balance moved by exactly the amount
//!   (`BalanceDeltaMismatch` otherwise), which rejects fee-on-transfer and rebasing tokens.
//!
//! Calls follow checks-effects-interactions in every caller: state is final before the first call.

use alloc::vec::Vec;

use alloy_primitives::{Address, U256};
use stylus_sdk::{
    call::{call as sdk_call, static_call},
    prelude::*,
    stylus_core::{calls::errors::Error as SdkCallError, Host},
};

use crate::abi_words::{addr_word, encode_static};
use crate::errors::{call_failed, BalanceDeltaMismatch, CommonError};

/// `balanceOf(address)`.
pub const BALANCE_OF: [u8; 4] = [0x70, 0xa0, 0x82, 0x31];

fn revert_data(e: SdkCallError) -> Vec<u8> {
    match e {
        SdkCallError::Revert(data) => data,
        // Raw calls never decode, so this does not occur; an empty reason keeps it total.
        SdkCallError::AbiDecodingFailed(_) => Vec::new(),
    }
}

/// Calls `target` with `data` (no value), returning its return data.
///
/// # Errors
/// `CallFailed(target, revertData)` if it reverts.
#[inline(never)]
pub fn call<S: TopLevelStorage + HostAccess>(
    storage: &mut S,
    target: Address,
    data: &[u8],
) -> Result<Vec<u8>, CommonError> {
    let context = Call::new_mutating(storage);
    sdk_call(storage.vm(), context, target, data).map_err(|e| call_failed(target, revert_data(e)))
}

/// Static-calls `target` with `data`, returning its return data.
///
/// # Errors
/// `CallFailed(target, revertData)` if it reverts.
#[inline(never)]
pub fn view<H: Host + ?Sized>(
    host: &H,
    target: Address,
    data: &[u8],
) -> Result<Vec<u8>, CommonError> {
    static_call(host, Call::new(), target, data).map_err(|e| call_failed(target, revert_data(e)))
}

/// Decodes exactly one ABI word as an unsigned integer; `None` for any other length.
pub fn decode_word(ret: &[u8]) -> Option<U256> {
    let word: [u8; 32] = ret.try_into().ok()?;
    Some(U256::from_be_bytes(word))
}

/// Static-calls a view that returns one word (`uint256`, `bool`, an address as a word).
///
/// # Errors
/// `CallFailed(target, data)`: its revert data, or what it returned if that is not exactly 32 bytes.
#[inline(never)]
pub fn view_word<H: Host + ?Sized>(
    host: &H,
    target: Address,
    data: &[u8],
) -> Result<U256, CommonError> {
    let ret = view(host, target, data)?;
    decode_word(&ret).ok_or_else(|| call_failed(target, ret))
}

/// `token.balanceOf(account)`.
///
/// # Errors
/// As [`view_word`].
pub fn balance_of<H: Host + ?Sized>(
    host: &H,
    token: Address,
    account: Address,
) -> Result<U256, CommonError> {
    view_word(
        host,
        token,
        &encode_static(&BALANCE_OF, &[addr_word(account)]),
    )
}

/// Calls `token` with `calldata` (a `transfer`, `transferFrom` or `burn`) and checks that this
/// contract's balance rose (`incoming`) or fell by exactly `amount`. A call that returns data must
/// return exactly the word `true` (`transfer`/`transferFrom`); `burn` returns nothing.
///
/// # Errors
/// `CallFailed(token, data)` if it reverts or returns anything but nothing or `true`;
/// `BalanceDeltaMismatch(token, amount, moved)` if the balance moved by another amount.
#[inline(never)]
pub fn token_move<S: TopLevelStorage + HostAccess>(
    storage: &mut S,
    token: Address,
    calldata: &[u8],
    amount: U256,
    incoming: bool,
) -> Result<(), CommonError> {
    let this = storage.vm().contract_address();
    let before = balance_of(storage.vm(), token, this)?;
    let ret = call(storage, token, calldata)?;
    if !ret.is_empty() && decode_word(&ret) != Some(U256::from(1)) {
        return Err(call_failed(token, ret));
    }
    let after = balance_of(storage.vm(), token, this)?;
    let (moved, ok) = if incoming {
        (after.saturating_sub(before), after >= before)
    } else {
        (before.saturating_sub(after), before >= after)
    };
    if !ok || moved != amount {
        return Err(CommonError::BalanceDeltaMismatch(BalanceDeltaMismatch {
            token,
            expected: amount,
            actual: moved,
        }));
    }
    Ok(())
}
