//! Hand-written ABI encoding of custom errors, events and calls whose arguments are static words.
//!
//! alloy-sol-types' derived encoders (`SolError::abi_encode`, `SolEvent` logging) are instantiated per
//! type; across twenty errors and a dozen events they cost ~10–12 KB of wasm (bme-controller:
//! `From<Error> for Vec<u8>` was 12,610 bytes derived), while these few shared functions cost a few
//! hundred. Each contract's unit tests prove its hand-written encodings equal alloy's byte for byte.

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};

/// The ABI word of an address (left-padded with zeros).
#[inline(never)] // shared by every error, event and call encoding: smaller wasm
pub fn addr_word(a: Address) -> B256 {
    a.into_word()
}

/// The ABI word of an unsigned integer (`uint8` … `uint256`; big-endian).
#[inline(never)] // shared by every error, event and call encoding: smaller wasm
pub fn uint_word(x: U256) -> B256 {
    B256::from(x.to_be_bytes::<32>())
}

/// `prefix ‖ words`: with a 4-byte selector as prefix, the ABI encoding of an error or call whose
/// arguments are all static; with an empty prefix, the data of an event.
#[inline(never)] // shared by every error, event and call encoding: smaller wasm
pub fn encode_static(prefix: &[u8], words: &[B256]) -> Vec<u8> {
    let mut out = Vec::with_capacity(prefix.len().saturating_add(words.len().saturating_mul(32)));
    out.extend_from_slice(prefix);
    for w in words {
        out.extend_from_slice(w.as_slice());
    }
    out
}

/// `selector ‖ abi.encode(bytes data)`: an error or call whose only argument is a dynamic `bytes` (or
/// `string`): offset word 0x20, length word, then the data zero-padded to a multiple of 32 bytes.
pub fn encode_bytes(selector: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = encode_static(
        selector,
        &[uint_word(U256::from(32)), uint_word(U256::from(data.len()))],
    );
    out.extend_from_slice(data);
    // Cannot overflow: `data.len() % 32 < 32`.
    let pad = (32 - data.len() % 32) % 32;
    out.resize(out.len().saturating_add(pad), 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_sol_types::{sol, SolError};

    sol! {
        error WithBytes(bytes reason);
        error Static(address who, uint256 amount);
    }

    #[test]
    fn encodings_match_alloy() {
        for len in [0usize, 1, 31, 32, 33, 68] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(
                encode_bytes(&WithBytes::SELECTOR, &data),
                WithBytes {
                    reason: data.clone().into()
                }
                .abi_encode(),
                "len {len}"
            );
        }
        let who = Address::repeat_byte(7);
        let amount = U256::from(123_456_789u64);
        assert_eq!(
            encode_static(&Static::SELECTOR, &[addr_word(who), uint_word(amount)]),
            Static { who, amount }.abi_encode()
        );
    }
}
