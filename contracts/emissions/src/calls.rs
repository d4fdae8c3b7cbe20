//! ABI encoding of the calls the Emissions contract makes — to the compute token (`cap()`,
//! `totalSupply()`, `mint(to, amount)`) and to the BmeController (`epochStats(epoch)`,
//! `providerFees(provider, epoch)`) — and decoding of what they return. Every argument is static, so
//! calldata is the selector followed by one 32-byte word per argument; unit tests compare it with
//! alloy's encoder.

use alloc::vec::Vec;

use alloy_primitives::{Address, U256};
use alloy_sol_types::{sol, SolCall};
use common::abi_words::{addr_word, encode_static, uint_word};

sol! {
    function mint(address to, uint256 amount) external;
    function cap() external view returns (uint256);
    function totalSupply() external view returns (uint256);
    function epochStats(uint256 epoch) external view returns (uint256 burned, uint256 reminted, uint256 mintedFromReserve, uint256 feesBurned, uint256 owedRecorded, uint256 feeTokens);
    function providerFees(address provider, uint256 epoch) external view returns (uint256);
}

/// Index of `feeTokens` in the controller's `epochStats(epoch)` tuple.
pub const FEES_WORD: usize = 5;

/// `mint(to, amount)`.
pub fn mint(to: Address, amount: U256) -> Vec<u8> {
    encode_static(&mintCall::SELECTOR, &[addr_word(to), uint_word(amount)])
}

/// `cap()`.
pub fn cap() -> Vec<u8> {
    capCall::SELECTOR.to_vec()
}

/// `totalSupply()`.
pub fn total_supply() -> Vec<u8> {
    totalSupplyCall::SELECTOR.to_vec()
}

/// `epochStats(epoch)` (the controller's).
pub fn epoch_stats(epoch: u64) -> Vec<u8> {
    encode_static(&epochStatsCall::SELECTOR, &[uint_word(U256::from(epoch))])
}

/// `providerFees(provider, epoch)` (the controller's).
pub fn provider_fees(provider: Address, epoch: U256) -> Vec<u8> {
    encode_static(
        &providerFeesCall::SELECTOR,
        &[addr_word(provider), uint_word(epoch)],
    )
}

/// Word `index` of a return value made of at least `index + 1` static words; `None` if shorter.
pub fn decode_word_at(data: &[u8], index: usize) -> Option<U256> {
    let start = index.checked_mul(32)?;
    let word = data.get(start..start.checked_add(32)?)?;
    Some(U256::from_be_slice(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calldata_matches_alloy() {
        let a = Address::repeat_byte(0xaa);
        let v = U256::from(123_456u64);
        assert_eq!(mint(a, v), mintCall { to: a, amount: v }.abi_encode());
        assert_eq!(cap(), capCall {}.abi_encode());
        assert_eq!(total_supply(), totalSupplyCall {}.abi_encode());
        assert_eq!(
            epoch_stats(7),
            epochStatsCall {
                epoch: U256::from(7)
            }
            .abi_encode()
        );
        assert_eq!(
            provider_fees(a, v),
            providerFeesCall {
                provider: a,
                epoch: v
            }
            .abi_encode()
        );
    }

    #[test]
    fn words_are_decoded_strictly() {
        let data: Vec<u8> = (0..6u64)
            .flat_map(|i| U256::from(i).to_be_bytes::<32>())
            .collect();
        assert_eq!(decode_word_at(&data, FEES_WORD), Some(U256::from(5)));
        assert_eq!(decode_word_at(&data[..191], FEES_WORD), None);
        assert_eq!(decode_word_at(&[], 0), None);
    }
}
