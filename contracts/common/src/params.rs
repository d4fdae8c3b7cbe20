//! Governance parameters (DESIGN.md §2): every settable parameter has hard-coded bounds checked on
//! set, is settable only by [`PARAMETER_ADMIN_ROLE`](crate::roles::PARAMETER_ADMIN_ROLE) (meant for a
//! timelock) and emits [`ParameterUpdated`].
//!
//! Parameters are named by a `bytes32` holding the name's ASCII bytes, left-aligned and zero-padded,
//! exactly as Solidity's `bytes32("unbondingPeriod")`; [`name`] computes it at compile time.

use alloy_primitives::{FixedBytes, B256};
use alloy_sol_types::sol;

sol! {
    /// Parameter `name` (ASCII, left-aligned `bytes32`) changed from `oldValue` to `newValue` (in the
    /// parameter's own unit: wei of CT, seconds or bps).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event ParameterUpdated(bytes32 indexed name, uint256 oldValue, uint256 newValue);
}

/// The `bytes32` name of a parameter: its ASCII bytes left-aligned, zero-padded (Solidity's
/// `bytes32("…")`). Fails to compile (const panic) for names longer than 32 bytes.
pub const fn name(s: &str) -> B256 {
    let bytes = s.as_bytes();
    assert!(bytes.len() <= 32, "parameter name longer than 32 bytes");
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < bytes.len() {
        out[i] = bytes[i];
        i += 1;
    }
    FixedBytes(out)
}

/// The events of the parameter mechanism, for the exported Solidity interface.
#[cfg(feature = "export-abi")]
pub fn events() -> alloc::vec::Vec<alloy_sol_types::private::alloy_json_abi::Event> {
    use alloy_sol_types::JsonAbiExt;
    alloc::vec![ParameterUpdated::abi()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;

    #[test]
    fn names_are_left_aligned_ascii() {
        assert_eq!(
            name("unbondingPeriod"),
            B256::from(hex!(
                "756e626f6e64696e67506572696f640000000000000000000000000000000000"
            ))
        );
        assert_eq!(name(""), B256::ZERO);
        assert_eq!(name("abcdefghijklmnopqrstuvwxyz012345")[31], b'5');
    }
}
