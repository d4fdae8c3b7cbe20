//! ABI encoding of the calls the controller makes (to the compute token, the Emissions contract and
//! AggregatorV3 price feeds) and strict decoding of what they return. Every argument is static, so calldata is the
//! selector followed by one 32-byte word per argument; unit tests compare it with alloy's encoder.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, I256, U256};
use alloy_sol_types::{sol, SolCall};
use common::abi_words::{addr_word, encode_static, uint_word};

sol! {
    function burnFrom(address account, uint256 value) external;
    function mint(address to, uint256 amount) external;
    function cap() external view returns (uint256);
    function totalSupply() external view returns (uint256);
    function decimals() external view returns (uint8);
    function drawable() external view returns (uint256);
    function genesisTime() external view returns (uint256);
    function epochLength() external view returns (uint256);
    function drawReserve(address to, uint256 amount) external returns (uint256);
    function latestRoundData() external view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}

/// `selector ‖ words` (every argument here is a static word).
fn encode(selector: [u8; 4], words: &[B256]) -> Vec<u8> {
    encode_static(&selector, words)
}

/// `burnFrom(account, value)`.
pub fn burn_from(account: Address, value: U256) -> Vec<u8> {
    encode(
        burnFromCall::SELECTOR,
        &[addr_word(account), uint_word(value)],
    )
}

/// `mint(to, amount)`.
pub fn mint(to: Address, amount: U256) -> Vec<u8> {
    encode(mintCall::SELECTOR, &[addr_word(to), uint_word(amount)])
}

/// `drawReserve(to, amount)` (emissions contract).
pub fn draw_reserve(to: Address, amount: U256) -> Vec<u8> {
    encode(
        drawReserveCall::SELECTOR,
        &[addr_word(to), uint_word(amount)],
    )
}

/// `cap()`, `totalSupply()`, `decimals()`, `latestRoundData()`: calls without arguments.
pub fn no_args(selector: [u8; 4]) -> Vec<u8> {
    selector.to_vec()
}

/// The `i`-th 32-byte word of `data`, if present.
fn word(data: &[u8], i: usize) -> Option<U256> {
    let start = i.checked_mul(32)?;
    let bytes = data.get(start..start.checked_add(32)?)?;
    Some(U256::from_be_slice(bytes))
}

/// Decodes a single `uint8` return value (one word, value < 256).
pub fn decode_u8(data: &[u8]) -> Option<u8> {
    u8::try_from(common::calls::decode_word(data)?).ok()
}

/// The fields of `latestRoundData()` the controller uses: `(answer, startedAt, updatedAt)`.
pub fn decode_round(data: &[u8]) -> Option<(I256, U256, U256)> {
    if data.len() != 5 * 32 {
        return None;
    }
    Some((
        I256::from_raw(word(data, 1)?),
        word(data, 2)?,
        word(data, 3)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::aliases::U80;
    use alloy_sol_types::SolValue;

    #[test]
    fn calldata_matches_alloy() {
        let a = Address::repeat_byte(0xaa);
        let v = U256::from(123_456u64);
        assert_eq!(
            burn_from(a, v),
            burnFromCall {
                account: a,
                value: v
            }
            .abi_encode()
        );
        assert_eq!(mint(a, v), mintCall { to: a, amount: v }.abi_encode());
        assert_eq!(
            draw_reserve(a, v),
            drawReserveCall { to: a, amount: v }.abi_encode()
        );
        assert_eq!(no_args(capCall::SELECTOR), capCall {}.abi_encode());
        assert_eq!(
            no_args(latestRoundDataCall::SELECTOR),
            hex_literal(0xfeaf968c)
        );
    }

    fn hex_literal(selector: u32) -> Vec<u8> {
        selector.to_be_bytes().to_vec()
    }

    #[test]
    fn round_data_decodes_strictly() {
        let encoded = (
            U80::from(7),
            I256::try_from(-5).unwrap(),
            U256::from(10),
            U256::from(20),
            U80::from(7),
        )
            .abi_encode_params();
        assert_eq!(
            decode_round(&encoded),
            Some((I256::try_from(-5).unwrap(), U256::from(10), U256::from(20)))
        );
        assert_eq!(decode_round(&encoded[..159]), None);
        assert_eq!(decode_round(&[]), None);
        assert_eq!(decode_u8(&U256::from(18).to_be_bytes::<32>()), Some(18));
        assert_eq!(decode_u8(&U256::from(256).to_be_bytes::<32>()), None);
    }
}
