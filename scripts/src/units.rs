//! Units and names shared by the CLI, the end-to-end tests and the benchmarks: CT and credit
//! amounts, `bytes32` names, role ids.

use alloy::primitives::{B256, U256};

pub use crate::governance::role_id as role;

/// 1 CT in wei (18 decimals).
pub const CT: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
/// 1 USD of credits (6 decimals).
pub const USD: U256 = U256::from_limbs([1_000_000, 0, 0, 0]);

/// `n` CT in wei.
pub fn ct(n: u64) -> U256 {
    U256::from(n) * CT
}

/// `n` USD of credits.
pub fn usd(n: u64) -> U256 {
    U256::from(n) * USD
}

/// `bytes32(name)`: ASCII left-aligned, zero-padded — the contracts' parameter names, GPU models
/// and regions (`common::params::name`). Names longer than 32 bytes are cut at 32.
pub fn b32(name: &str) -> B256 {
    let mut b = [0u8; 32];
    let n = name.len().min(32);
    b[..n].copy_from_slice(&name.as_bytes()[..n]);
    B256::from(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_names() {
        assert_eq!(ct(2), U256::from(2_000_000_000_000_000_000u128));
        assert_eq!(usd(3), U256::from(3_000_000u64));
        assert_eq!(&b32("feeBps")[..6], b"feeBps");
        assert_eq!(b32("feeBps")[6..], [0u8; 26]);
        assert_eq!(b32(&"x".repeat(40))[31], b'x');
        assert_eq!(role("DEFAULT_ADMIN_ROLE"), B256::ZERO);
        assert_eq!(
            role("MINTER_ROLE"),
            alloy::primitives::keccak256("MINTER_ROLE")
        );
    }
}
