//! ABI encoding of the calls the escrow makes — to the BME controller (credits), the provider
//! registry (stake) and the compute token (dispute bonds) — and strict decoding of what the views
//! return. Every argument is static, so calldata is the selector followed by one word per argument
//! (`encode_static`); unit tests compare every builder with alloy's `abi_encode`.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{sol, SolCall};

use crate::interface::{addr_word, encode_static, u64_word, uint_word};

sol! {
    // BmeController (abi/IBmeController.sol), ESCROW_ROLE functions and the quote.
    function lockCredits(address account, uint256 amount) external;
    function unlockCredits(address account, uint256 amount) external;
    function settle(address payer, address provider, uint256 credits) external returns (uint256);
    function quoteTokens(uint256 credits) external view returns (uint256);

    // ProviderRegistry (abi/IProviderRegistry.sol), JOB_MANAGER_ROLE / SLASHER_ROLE functions.
    function lockStake(address provider, uint256 amount) external;
    function unlockStake(address provider, uint256 amount) external;
    function recordOutcome(address provider, bool success) external;
    function slash(address provider, uint256 amount, address beneficiary, bytes32 reason) external;
    function jail(address provider, uint64 until) external;
    function isEligible(address provider) external view returns (bool);
    function activeStake(address provider) external view returns (uint256);
    function unbondingStake(address provider) external view returns (uint256);

    // ComputeToken (abi/IComputeToken.sol).
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function burn(uint256 value) external;
}

/// Calldata `selector(account, amount)`: `lockCredits`, `unlockCredits`, `lockStake`,
/// `unlockStake`, `transfer`.
pub fn addr_amount(selector: [u8; 4], account: Address, amount: U256) -> Vec<u8> {
    encode_static(&selector, &[addr_word(account), uint_word(amount)])
}

/// Calldata `selector(account)`: `isEligible`, `activeStake`, `unbondingStake`, `balanceOf`.
pub fn addr_only(selector: [u8; 4], account: Address) -> Vec<u8> {
    encode_static(&selector, &[addr_word(account)])
}

/// `settle(payer, provider, credits)`.
pub fn settle(payer: Address, provider: Address, credits: U256) -> Vec<u8> {
    encode_static(
        &settleCall::SELECTOR,
        &[addr_word(payer), addr_word(provider), uint_word(credits)],
    )
}

/// `quoteTokens(credits)`.
pub fn quote_tokens(credits: U256) -> Vec<u8> {
    encode_static(&quoteTokensCall::SELECTOR, &[uint_word(credits)])
}

/// `recordOutcome(provider, success)`.
pub fn record_outcome(provider: Address, success: bool) -> Vec<u8> {
    encode_static(
        &recordOutcomeCall::SELECTOR,
        &[addr_word(provider), uint_word(U256::from(success as u8))],
    )
}

/// `slash(provider, amount, beneficiary, reason)`.
pub fn slash(provider: Address, amount: U256, beneficiary: Address, reason: B256) -> Vec<u8> {
    encode_static(
        &slashCall::SELECTOR,
        &[
            addr_word(provider),
            uint_word(amount),
            addr_word(beneficiary),
            reason,
        ],
    )
}

/// `jail(provider, until)`.
pub fn jail(provider: Address, until: u64) -> Vec<u8> {
    encode_static(&jailCall::SELECTOR, &[addr_word(provider), u64_word(until)])
}

/// `transferFrom(from, to, value)`.
pub fn transfer_from(from: Address, to: Address, value: U256) -> Vec<u8> {
    encode_static(
        &transferFromCall::SELECTOR,
        &[addr_word(from), addr_word(to), uint_word(value)],
    )
}

/// `burn(value)`.
pub fn burn(value: U256) -> Vec<u8> {
    encode_static(&burnCall::SELECTOR, &[uint_word(value)])
}

/// Decodes exactly one ABI word (`uint256`, or a `bool` as 0/1); `None` for any other length.
pub fn decode_word(ret: &[u8]) -> Option<U256> {
    let word: [u8; 32] = ret.try_into().ok()?;
    Some(U256::from_be_bytes(word))
}
