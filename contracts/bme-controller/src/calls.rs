//! ABI encoding of the calls the controller makes (to the compute token, the emissions contract and
//! AggregatorV3 price feeds) and strict decoding of what they return. Every argument is static, so calldata is the
//! selector followed by one 32-byte word per argument; unit tests compare it with alloy's encoder.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, I256, U256};
use alloy_sol_types::{sol, SolCall};
use common::abi_words::{addr_word, encode_static, uint_word};

sol! {
    function burnFrom(address account, uint256 value) external;
    function mint(address to, uint256 amount) external;
    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;
    function allowance(address owner, address spender) external view returns (uint256);
    function cap() external view returns (uint256);
    function totalSupply() external view returns (uint256);
    function decimals() external view returns (uint8);
    function emissionReserve() external view returns (uint256);
    function genesisTime() external view returns (uint256);
    function epochLength() external view returns (uint256);
    function drawReserve(address to, uint256 amount) external;
    function recordWork(address provider, uint256 credits) external;
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

/// `permit(owner, spender, value, deadline, v, r, s)`.
pub fn permit(
    owner: Address,
    spender: Address,
    value: U256,
    deadline: U256,
    v: u8,
    r: B256,
    s: B256,
) -> Vec<u8> {
    encode(
        permitCall::SELECTOR,
        &[
            addr_word(owner),
            addr_word(spender),
            uint_word(value),
            uint_word(deadline),
            uint_word(U256::from(v)),
            r,
            s,
        ],
    )
}

/// `allowance(owner, spender)`.
pub fn allowance(owner: Address, spender: Address) -> Vec<u8> {
    encode(
        allowanceCall::SELECTOR,
        &[addr_word(owner), addr_word(spender)],
    )
}

/// `drawReserve(to, amount)` (emissions contract).
pub fn draw_reserve(to: Address, amount: U256) -> Vec<u8> {
    encode(
        drawReserveCall::SELECTOR,
        &[addr_word(to), uint_word(amount)],
    )
}

/// `recordWork(provider, credits)` (emissions contract).
pub fn record_work(provider: Address, credits: U256) -> Vec<u8> {
    encode(
        recordWorkCall::SELECTOR,
        &[addr_word(provider), uint_word(credits)],
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

/// Decodes a single `uint256` return value (exactly one word).
pub fn decode_uint(data: &[u8]) -> Option<U256> {
    if data.len() != 32 {
        return None;
    }
    word(data, 0)
}

/// Decodes a single `uint8` return value (one word, value < 256).
pub fn decode_u8(data: &[u8]) -> Option<u8> {
    u8::try_from(decode_uint(data)?).ok()
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
        let b = Address::repeat_byte(0xbb);
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
            allowance(a, b),
            allowanceCall {
                owner: a,
                spender: b
            }
            .abi_encode()
        );
        let (r, s) = (B256::repeat_byte(1), B256::repeat_byte(2));
        assert_eq!(
            permit(a, b, v, U256::MAX, 27, r, s),
            permitCall {
                owner: a,
                spender: b,
                value: v,
                deadline: U256::MAX,
                v: 27,
                r,
                s
            }
            .abi_encode()
        );
        assert_eq!(
            draw_reserve(a, v),
            drawReserveCall { to: a, amount: v }.abi_encode()
        );
        assert_eq!(
            record_work(a, v),
            recordWorkCall {
                provider: a,
                credits: v
            }
            .abi_encode()
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
        assert_eq!(
            decode_uint(&U256::from(9).to_be_bytes::<32>()),
            Some(U256::from(9))
        );
        assert_eq!(decode_uint(&[0u8; 31]), None);
        assert_eq!(decode_u8(&U256::from(18).to_be_bytes::<32>()), Some(18));
        assert_eq!(decode_u8(&U256::from(256).to_be_bytes::<32>()), None);
    }
}
