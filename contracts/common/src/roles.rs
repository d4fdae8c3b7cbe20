//! Role identifiers used across the system (docs/protocol.md "Roles").
//!
//! Every role except [`DEFAULT_ADMIN_ROLE`] is `keccak256("<NAME>")`, computed at compile time, as
//! OpenZeppelin Contracts defines them (`bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE")`),
//! so Solidity tooling and the scripts derive the same values.

use alloy_primitives::{FixedBytes, B256};
use keccak_const::Keccak256;

const fn role(name: &[u8]) -> B256 {
    FixedBytes(Keccak256::new().update(name).finalize())
}

/// `0x00…00`: admin of every role unless changed; its holders grant and revoke all roles.
pub const DEFAULT_ADMIN_ROLE: B256 = FixedBytes([0u8; 32]);
/// `keccak256("MINTER_ROLE")`: may mint compute tokens (held by the BME controller alone).
pub const MINTER_ROLE: B256 = role(b"MINTER_ROLE");
/// `keccak256("ESCROW_ROLE")`: may lock, unlock and settle compute credits (the job escrow).
pub const ESCROW_ROLE: B256 = role(b"ESCROW_ROLE");
/// `keccak256("JOB_MANAGER_ROLE")`: may lock and unlock provider stake and record outcomes.
pub const JOB_MANAGER_ROLE: B256 = role(b"JOB_MANAGER_ROLE");
/// `keccak256("SLASHER_ROLE")`: may slash and jail providers.
pub const SLASHER_ROLE: B256 = role(b"SLASHER_ROLE");
/// `keccak256("PAUSER_ROLE")`: may pause and unpause new business.
pub const PAUSER_ROLE: B256 = role(b"PAUSER_ROLE");
/// `keccak256("PARAMETER_ADMIN_ROLE")`: may set bounded parameters (meant for a timelock).
pub const PARAMETER_ADMIN_ROLE: B256 = role(b"PARAMETER_ADMIN_ROLE");
/// `keccak256("ARBITRATOR_ROLE")`: may resolve job disputes.
pub const ARBITRATOR_ROLE: B256 = role(b"ARBITRATOR_ROLE");
/// `keccak256("SETTLER_ROLE")`: may draw the emission reserve in the `Emissions` contract (held by
/// the BME controller alone).
pub const SETTLER_ROLE: B256 = role(b"SETTLER_ROLE");
/// `keccak256("STAKE_REPORTER_ROLE")`: may report providers' earning stake to `Emissions` (held by
/// the provider registry alone).
pub const STAKE_REPORTER_ROLE: B256 = role(b"STAKE_REPORTER_ROLE");
/// `keccak256("ATTESTER_ROLE")`: may record and revoke hardware attestations in the registry.
pub const ATTESTER_ROLE: B256 = role(b"ATTESTER_ROLE");
/// `keccak256("MARKET_ROLE")`: may open jobs for a requester and award them in the escrow (held by
/// the `JobMarket` auction contract alone).
pub const MARKET_ROLE: B256 = role(b"MARKET_ROLE");

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{hex, keccak256};

    #[test]
    fn roles_are_keccak_of_their_names() {
        for (value, name) in [
            (MINTER_ROLE, "MINTER_ROLE"),
            (ESCROW_ROLE, "ESCROW_ROLE"),
            (JOB_MANAGER_ROLE, "JOB_MANAGER_ROLE"),
            (SLASHER_ROLE, "SLASHER_ROLE"),
            (PAUSER_ROLE, "PAUSER_ROLE"),
            (PARAMETER_ADMIN_ROLE, "PARAMETER_ADMIN_ROLE"),
            (ARBITRATOR_ROLE, "ARBITRATOR_ROLE"),
            (SETTLER_ROLE, "SETTLER_ROLE"),
            (STAKE_REPORTER_ROLE, "STAKE_REPORTER_ROLE"),
            (ATTESTER_ROLE, "ATTESTER_ROLE"),
            (MARKET_ROLE, "MARKET_ROLE"),
        ] {
            assert_eq!(value, keccak256(name), "{name}");
        }
        // The value OpenZeppelin documents for MINTER_ROLE.
        assert_eq!(
            MINTER_ROLE,
            B256::from(hex!(
                "9f2df0fed2c77648de5860a4cc508cd0818c85b8b8a1ab4ceeef8d981c8956a6"
            ))
        );
        assert_eq!(DEFAULT_ADMIN_ROLE, B256::ZERO);
    }
}
