//! ABI encoding of the three calls the Emissions contract makes to the compute token (`cap()`,
//! `totalSupply()`, `mint(to, amount)`) and strict decoding of the `uint256` they return. Every
//! argument is static, so calldata is the selector followed by one 32-byte word per argument; unit tests
//! compare it with alloy's encoder.

use alloc::vec::Vec;

use alloy_primitives::{Address, U256};
use alloy_sol_types::{sol, SolCall};
use common::abi_words::{addr_word, encode_static, uint_word};

sol! {
    function mint(address to, uint256 amount) external;
    function cap() external view returns (uint256);
    function totalSupply() external view returns (uint256);
}

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

/// Decodes a single `uint256` return value (exactly one word).
pub fn decode_uint(data: &[u8]) -> Option<U256> {
    if data.len() != 32 {
        return None;
    }
    Some(U256::from_be_slice(data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_sol_types::SolValue;

    #[test]
    fn calldata_matches_alloy() {
        let a = Address::repeat_byte(0xaa);
        let v = U256::from(123_456u64);
        assert_eq!(mint(a, v), mintCall { to: a, amount: v }.abi_encode());
        assert_eq!(cap(), capCall {}.abi_encode());
        assert_eq!(total_supply(), totalSupplyCall {}.abi_encode());
    }

    #[test]
    fn return_values_are_decoded_strictly() {
        let v = U256::MAX - U256::from(5);
        assert_eq!(decode_uint(&v.abi_encode()), Some(v));
        assert_eq!(decode_uint(&[0u8; 31]), None);
        assert_eq!(decode_uint(&[0u8; 33]), None);
        assert_eq!(decode_uint(&[]), None);
    }
}
