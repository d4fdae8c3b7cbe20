//! ABI encoding of the calls the market makes — to the job escrow (`jobCount`, `createJobFor`,
//! `award`, `cancelJob`) and the provider registry (`isEligible`, `providerInfo`). Every argument is
//! static, so calldata is the selector followed by one word per argument; unit tests compare every
//! builder with alloy's `abi_encode`.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{sol, SolCall};
use common::abi_words::{addr_word, encode_static, uint_word};

sol! {
    // JobEscrow (abi/IJobEscrow.sol): the count view and the MARKET_ROLE functions.
    function jobCount() external view returns (uint256);
    function createJobFor(address requester, bytes32 specHash, uint32 gpuCount, uint64 maxDuration, uint256 maxPricePerGpuHour, uint64 openSeconds) external returns (uint256);
    function award(uint256 jobId, address provider, uint256 pricePerGpuHour) external;
    function cancelJob(uint256 jobId) external;

    // ProviderRegistry (abi/IProviderRegistry.sol) views.
    function isEligible(address provider) external view returns (bool);
    function providerInfo(address provider) external view returns (bool registered, bytes32 gpuModel, uint32 gpuCount, uint32 vramGiB, bytes32 region, uint256 activeStake, uint256 lockedStake, uint256 unbondingStake, uint64 jailedUntil, uint64 completedJobs, uint64 failedJobs, uint64 openJobs);
}

/// `selector(account)`: `isEligible`, `providerInfo`.
pub fn address_call(selector: [u8; 4], account: Address) -> Vec<u8> {
    encode_static(&selector, &[addr_word(account)])
}

/// `selector(value)`: `cancelJob`.
pub fn uint_call(selector: [u8; 4], value: U256) -> Vec<u8> {
    encode_static(&selector, &[uint_word(value)])
}

/// `createJobFor(requester, specHash, gpuCount, maxDuration, maxPricePerGpuHour, openSeconds)`.
pub fn create_job_for(
    requester: Address,
    spec_hash: B256,
    gpu_count: u32,
    max_duration: u64,
    max_price: U256,
    open_seconds: u64,
) -> Vec<u8> {
    encode_static(
        &createJobForCall::SELECTOR,
        &[
            addr_word(requester),
            spec_hash,
            uint_word(U256::from(gpu_count)),
            uint_word(U256::from(max_duration)),
            uint_word(max_price),
            uint_word(U256::from(open_seconds)),
        ],
    )
}

/// `award(jobId, provider, pricePerGpuHour)`.
pub fn award_call(job_id: U256, provider: Address, price: U256) -> Vec<u8> {
    encode_static(
        &awardCall::SELECTOR,
        &[uint_word(job_id), addr_word(provider), uint_word(price)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calldata_matches_alloy() {
        let a = Address::repeat_byte(0xaa);
        let h = B256::repeat_byte(7);
        assert_eq!(
            address_call(isEligibleCall::SELECTOR, a),
            isEligibleCall { provider: a }.abi_encode()
        );
        assert_eq!(
            address_call(providerInfoCall::SELECTOR, a),
            providerInfoCall { provider: a }.abi_encode()
        );
        assert_eq!(
            uint_call(cancelJobCall::SELECTOR, U256::from(9)),
            cancelJobCall {
                jobId: U256::from(9)
            }
            .abi_encode()
        );
        assert_eq!(
            create_job_for(a, h, 8, 3_600, U256::from(5), 600),
            createJobForCall {
                requester: a,
                specHash: h,
                gpuCount: 8,
                maxDuration: 3_600,
                maxPricePerGpuHour: U256::from(5),
                openSeconds: 600
            }
            .abi_encode()
        );
        assert_eq!(
            award_call(U256::from(3), a, U256::from(4)),
            awardCall {
                jobId: U256::from(3),
                provider: a,
                pricePerGpuHour: U256::from(4)
            }
            .abi_encode()
        );
    }
}
