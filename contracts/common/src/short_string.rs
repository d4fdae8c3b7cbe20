//! Short strings stored in one storage slot.
//!
//! Strings of at most 31 bytes (token `name`/`symbol`, a price feed's `description`) are stored the way Solidity stores short strings (bytes
//! left-aligned, length in the last byte; OpenZeppelin `ShortStrings` for EIP-712 names). One `SLOAD`
//! per read, and the program carries none of the long-string storage code (which needs 256-bit
//! division), about 3 KB of compressed wasm.

use alloc::{string::String, vec::Vec};

use alloy_primitives::B256;

/// Longest string [`pack`] accepts, in bytes.
pub const MAX_LEN: usize = 31;

/// Packs `s` into one word, or `None` if it is longer than [`MAX_LEN`] bytes.
pub fn pack(s: &str) -> Option<B256> {
    let bytes = s.as_bytes();
    if bytes.len() > MAX_LEN {
        return None;
    }
    let mut word = [0u8; 32];
    word[..bytes.len()].copy_from_slice(bytes);
    // Fits: bytes.len() <= 31.
    word[MAX_LEN] = bytes.len() as u8;
    Some(B256::new(word))
}

/// Unpacks a word written by [`pack`] (the zero word unpacks to the empty string).
pub fn unpack(word: B256) -> String {
    let len = usize::from(word[MAX_LEN]).min(MAX_LEN);
    let bytes: Vec<u8> = word[..len].to_vec();
    // `pack` only stores whole UTF-8 strings, so this never falls back to the default.
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_up_to_31_bytes() {
        for s in [
            "",
            "CT",
            "Compute Token",
            "ΩΩΩΩΩΩΩΩΩΩΩΩΩΩΩa",
            &"x".repeat(31),
        ] {
            assert_eq!(unpack(pack(s).unwrap()), s);
        }
        assert_eq!(unpack(B256::ZERO), "");
    }

    #[test]
    fn rejects_longer_strings() {
        assert_eq!(pack(&"x".repeat(32)), None);
    }
}
