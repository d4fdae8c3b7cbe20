//! The Emissions contract's Solidity-visible errors and events (DESIGN.md §2 and §4 "Emissions").
//!
//! Errors are encoded by hand (`From<Error> for Vec<u8>`) with [`common::abi_words`], as in the
//! BmeController: the `SolidityError` derive instantiates alloy's generic encoder per error type,
//! which costs kilobytes of wasm. The unit tests below prove every variant encodes exactly as alloy's
//! `SolError::abi_encode`.

use alloc::vec::Vec;

use alloy_primitives::U256;
use alloy_sol_types::{sol, SolError};
use common::{
    abi_words::{addr_word, encode_bytes, encode_static, uint_word},
    access::{
        AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
        AccessControlUnauthorizedAccount,
    },
};

sol! {
    /// An address argument that must be set (token, treasury, provider, recipient) is zero.
    #[derive(Debug, PartialEq, Eq)]
    error EmissionsZeroAddress();

    /// `drawReserve` asked for `requested` CT (wei) but the emission reserve holds only `available`.
    #[derive(Debug, PartialEq, Eq)]
    error EmissionsReserveExceeded(uint256 requested, uint256 available);

    /// Epoch `epoch` is not finalised yet (it is current or later, or waits for `finalizeEpochs`).
    #[derive(Debug, PartialEq, Eq)]
    error EmissionsEpochNotFinalized(uint256 epoch);

    /// The caller already claimed its rewards of epoch `epoch` (or listed it twice).
    #[derive(Debug, PartialEq, Eq)]
    error EmissionsAlreadyClaimed(uint256 epoch);

    /// `claimRewards` takes at most `max` epochs; `length` were given.
    #[derive(Debug, PartialEq, Eq)]
    error EmissionsTooManyEpochs(uint256 length, uint256 max);

    /// An amount is too large for the arithmetic (a sum or product overflowed 256 bits).
    #[derive(Debug, PartialEq, Eq)]
    error EmissionsAmountTooLarge();

    /// `setParameter` was given a name the contract does not have.
    #[derive(Debug, PartialEq, Eq)]
    error EmissionsUnknownParameter(bytes32 name);

    /// Parameter (or constructor argument) `name` must be within `[min, max]`; `value` is not.
    #[derive(Debug, PartialEq, Eq)]
    error EmissionsParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);

    /// A call to the compute token failed; `reason` is the token's revert data (e.g. an ERC-6093 error
    /// such as `ERC20ExceededCap`, or `AccessControlUnauthorizedAccount` when this contract lacks
    /// `MINTER_ROLE`).
    #[derive(Debug, PartialEq, Eq)]
    error EmissionsTokenCallFailed(bytes reason);

    /// `credits` net credits (1e6 = 1 USD) settled to `provider` were added to epoch `epoch`'s work.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event WorkRecorded(uint256 indexed epoch, address indexed provider, uint256 credits);

    /// `amount` CT (wei) was taken from the emission reserve during epoch `epoch` and minted to `to`
    /// (a settlement the burn budget could not cover).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event ReserveDrawn(uint256 indexed epoch, address indexed to, uint256 amount);

    /// Epoch `epoch` was finalised: `emission` CT (wei) taken from the reserve (`treasuryAmount` of it
    /// minted to the treasury), for `work` net credits settled in the epoch.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event EpochFinalized(uint256 indexed epoch, uint256 emission, uint256 treasuryAmount, uint256 work);

    /// `provider` claimed `amount` CT (wei) of epoch `epoch`'s emission.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event RewardsClaimed(address indexed provider, uint256 indexed epoch, uint256 amount);

    /// The treasury is now `treasury`.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event TreasuryUpdated(address indexed treasury);
}

/// Every error the Emissions contract returns.
///
/// The encoding (`From<Error> for Vec<u8>`) is written out by hand instead of derived with
/// `SolidityError` (see the module docs); a unit test proves every variant encodes exactly as
/// `SolError::abi_encode`.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// See [`EmissionsZeroAddress`].
    ZeroAddress(EmissionsZeroAddress),
    /// See [`EmissionsReserveExceeded`].
    ReserveExceeded(EmissionsReserveExceeded),
    /// See [`EmissionsEpochNotFinalized`].
    EpochNotFinalized(EmissionsEpochNotFinalized),
    /// See [`EmissionsAlreadyClaimed`].
    AlreadyClaimed(EmissionsAlreadyClaimed),
    /// See [`EmissionsTooManyEpochs`].
    TooManyEpochs(EmissionsTooManyEpochs),
    /// See [`EmissionsAmountTooLarge`].
    AmountTooLarge(EmissionsAmountTooLarge),
    /// See [`EmissionsUnknownParameter`].
    UnknownParameter(EmissionsUnknownParameter),
    /// See [`EmissionsParameterOutOfBounds`].
    ParameterOutOfBounds(EmissionsParameterOutOfBounds),
    /// See [`EmissionsTokenCallFailed`].
    TokenCallFailed(EmissionsTokenCallFailed),
    /// The constructor's admin is the zero address.
    InvalidDefaultAdmin(AccessControlInvalidDefaultAdmin),
    /// The caller lacks the role a function needs.
    UnauthorizedAccount(AccessControlUnauthorizedAccount),
    /// `renounceRole` was called for another account.
    BadConfirmation(AccessControlBadConfirmation),
}

common::impl_error_from_common!(Error, access);

/// `EmissionsAmountTooLarge()`, the error of every overflowing sum or product.
pub fn too_large() -> Error {
    Error::AmountTooLarge(EmissionsAmountTooLarge {})
}

/// `EmissionsZeroAddress()`.
pub fn zero_address() -> Error {
    Error::ZeroAddress(EmissionsZeroAddress {})
}

/// `EmissionsTokenCallFailed(reason)`.
pub fn token_failed(reason: Vec<u8>) -> Error {
    Error::TokenCallFailed(EmissionsTokenCallFailed {
        reason: reason.into(),
    })
}

/// `EmissionsParameterOutOfBounds(name, value, min, max)`.
pub fn out_of_bounds(name: alloy_primitives::B256, value: U256, min: U256, max: U256) -> Error {
    Error::ParameterOutOfBounds(EmissionsParameterOutOfBounds {
        name,
        value,
        min,
        max,
    })
}

impl From<Error> for Vec<u8> {
    fn from(err: Error) -> Self {
        use Error as E;
        match err {
            E::ZeroAddress(_) => encode_static(&EmissionsZeroAddress::SELECTOR, &[]),
            E::ReserveExceeded(e) => encode_static(
                &EmissionsReserveExceeded::SELECTOR,
                &[uint_word(e.requested), uint_word(e.available)],
            ),
            E::EpochNotFinalized(e) => {
                encode_static(&EmissionsEpochNotFinalized::SELECTOR, &[uint_word(e.epoch)])
            }
            E::AlreadyClaimed(e) => {
                encode_static(&EmissionsAlreadyClaimed::SELECTOR, &[uint_word(e.epoch)])
            }
            E::TooManyEpochs(e) => encode_static(
                &EmissionsTooManyEpochs::SELECTOR,
                &[uint_word(e.length), uint_word(e.max)],
            ),
            E::AmountTooLarge(_) => encode_static(&EmissionsAmountTooLarge::SELECTOR, &[]),
            E::UnknownParameter(e) => {
                encode_static(&EmissionsUnknownParameter::SELECTOR, &[e.name])
            }
            E::ParameterOutOfBounds(e) => encode_static(
                &EmissionsParameterOutOfBounds::SELECTOR,
                &[
                    e.name,
                    uint_word(e.value),
                    uint_word(e.min),
                    uint_word(e.max),
                ],
            ),
            E::TokenCallFailed(e) => encode_bytes(&EmissionsTokenCallFailed::SELECTOR, &e.reason),
            E::InvalidDefaultAdmin(e) => encode_static(
                &AccessControlInvalidDefaultAdmin::SELECTOR,
                &[addr_word(e.defaultAdmin)],
            ),
            E::UnauthorizedAccount(e) => encode_static(
                &AccessControlUnauthorizedAccount::SELECTOR,
                &[addr_word(e.account), e.neededRole],
            ),
            E::BadConfirmation(_) => encode_static(&AccessControlBadConfirmation::SELECTOR, &[]),
        }
    }
}

// The error declarations the exported interface lists, in this order.
common::impl_error_inner_types!(
    Error;
    EmissionsZeroAddress,
    EmissionsReserveExceeded,
    EmissionsEpochNotFinalized,
    EmissionsAlreadyClaimed,
    EmissionsTooManyEpochs,
    EmissionsAmountTooLarge,
    EmissionsUnknownParameter,
    EmissionsParameterOutOfBounds,
    EmissionsTokenCallFailed,
    AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount,
    AccessControlBadConfirmation,
);

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, Bytes, B256};

    fn check<E: SolError + Clone>(typed: E, wrap: fn(E) -> Error) {
        assert_eq!(
            Vec::<u8>::from(wrap(typed.clone())),
            typed.abi_encode(),
            "{}",
            E::SIGNATURE
        );
    }

    #[test]
    fn every_error_encodes_as_alloy_does() {
        let (a, b, c, d) = (
            U256::from(1),
            U256::MAX,
            U256::from(0xdead_beef_u64),
            U256::from(7) << 200,
        );
        let name = common::params::name("emissionRateWad");
        check(EmissionsZeroAddress {}, Error::ZeroAddress);
        check(
            EmissionsReserveExceeded {
                requested: b,
                available: c,
            },
            Error::ReserveExceeded,
        );
        check(
            EmissionsEpochNotFinalized { epoch: d },
            Error::EpochNotFinalized,
        );
        check(EmissionsAlreadyClaimed { epoch: a }, Error::AlreadyClaimed);
        check(
            EmissionsTooManyEpochs {
                length: U256::from(33),
                max: U256::from(32),
            },
            Error::TooManyEpochs,
        );
        check(EmissionsAmountTooLarge {}, Error::AmountTooLarge);
        check(EmissionsUnknownParameter { name }, Error::UnknownParameter);
        check(
            EmissionsParameterOutOfBounds {
                name,
                value: b,
                min: a,
                max: d,
            },
            Error::ParameterOutOfBounds,
        );
        for len in [0usize, 4, 31, 32, 33, 100] {
            let reason: Vec<u8> = (0..len).map(|i| i as u8 ^ 0x5a).collect();
            check(
                EmissionsTokenCallFailed {
                    reason: Bytes::from(reason),
                },
                Error::TokenCallFailed,
            );
        }
        check(
            AccessControlInvalidDefaultAdmin {
                defaultAdmin: Address::ZERO,
            },
            Error::InvalidDefaultAdmin,
        );
        check(
            AccessControlUnauthorizedAccount {
                account: Address::repeat_byte(0xab),
                neededRole: B256::repeat_byte(0xcd),
            },
            Error::UnauthorizedAccount,
        );
        check(AccessControlBadConfirmation {}, Error::BadConfirmation);
    }

    #[test]
    fn access_control_errors_convert() {
        let e = AccessControlUnauthorizedAccount {
            account: Address::repeat_byte(1),
            neededRole: B256::repeat_byte(2),
        };
        assert_eq!(
            Error::from(common::access::AccessControlError::UnauthorizedAccount(
                e.clone()
            )),
            Error::UnauthorizedAccount(e)
        );
        assert_eq!(
            Error::from(common::access::AccessControlError::BadConfirmation(
                AccessControlBadConfirmation {}
            )),
            Error::BadConfirmation(AccessControlBadConfirmation {})
        );
    }
}
