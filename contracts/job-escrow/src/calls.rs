//! ABI encoding of the calls the escrow makes — to the BME controller (credits), the provider
//! registry (stake) and the compute token (dispute bonds). Every argument is static, so calldata is
//! the selector followed by one word per argument (`encode_static`); unit tests compare every
//! builder with alloy's `abi_encode`.

use alloc::vec::Vec;

use alloy_primitives::{Address, U256};
use alloy_sol_types::{sol, SolCall};
use common::abi_words::{addr_word, encode_static, uint_word};

sol! {
    // BmeController (abi/IBmeController.sol), ESCROW_ROLE functions and the quote.
    function lockCredits(address account, uint256 amount) external;
    function unlockCredits(address account, uint256 amount) external;
    function settle(address payer, address provider, uint256 credits, uint256 refund) external returns (uint256);
    function quoteTokens(uint256 credits) external view returns (uint256);

    // ProviderRegistry (abi/IProviderRegistry.sol), JOB_MANAGER_ROLE / SLASHER_ROLE functions.
    function lockStake(address provider, uint256 jobId, uint256 amount, uint32 gpuCount) external;
    function releaseStake(address provider, uint256 jobId) external;
    function slashJob(address provider, uint256 jobId, uint256 slashBps, address beneficiary) external;
    function jail(address provider, uint64 until) external;

    // ComputeToken (abi/IComputeToken.sol).
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function burn(uint256 value) external;
}

/// Calldata `selector(account, amount)`: `lockCredits`, `unlockCredits`, `releaseStake`,
/// `transfer`, `jail` (an address and one number).
pub fn addr_amount(selector: [u8; 4], account: Address, amount: U256) -> Vec<u8> {
    encode_static(&selector, &[addr_word(account), uint_word(amount)])
}

/// `settle(payer, provider, credits, refund)`.
pub fn settle(payer: Address, provider: Address, credits: U256, refund: U256) -> Vec<u8> {
    encode_static(
        &settleCall::SELECTOR,
        &[
            addr_word(payer),
            addr_word(provider),
            uint_word(credits),
            uint_word(refund),
        ],
    )
}

/// `quoteTokens(credits)`.
pub fn quote_tokens(credits: U256) -> Vec<u8> {
    encode_static(&quoteTokensCall::SELECTOR, &[uint_word(credits)])
}

/// `lockStake(provider, jobId, amount, gpuCount)`.
pub fn lock_stake(provider: Address, job_id: U256, amount: U256, gpu_count: u32) -> Vec<u8> {
    encode_static(
        &lockStakeCall::SELECTOR,
        &[
            addr_word(provider),
            uint_word(job_id),
            uint_word(amount),
            uint_word(U256::from(gpu_count)),
        ],
    )
}

/// `slashJob(provider, jobId, slashBps, beneficiary)`.
pub fn slash_job(
    provider: Address,
    job_id: U256,
    slash_bps: U256,
    beneficiary: Address,
) -> Vec<u8> {
    encode_static(
        &slashJobCall::SELECTOR,
        &[
            addr_word(provider),
            uint_word(job_id),
            uint_word(slash_bps),
            addr_word(beneficiary),
        ],
    )
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
