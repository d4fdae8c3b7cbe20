//! Encoding tests: every error variant against alloy's `SolError::abi_encode`, and every calldata
//! builder of `calls` against alloy's `SolCall::abi_encode`.

use alloy_primitives::{Bytes, U256};
use alloy_sol_types::{SolCall, SolError, SolValue};
use common::access::AccessControlUnauthorizedAccount;
use common::pausable::{EnforcedPause, ExpectedPause};

use super::*;

/// Every error variant encodes exactly as alloy's `SolError::abi_encode` of the error it wraps.
#[test]
fn errors_encode_as_solidity_custom_errors() {
    fn check<E: SolError + Clone>(e: E, wrap: fn(E) -> Error) {
        assert_eq!(Vec::<u8>::from(wrap(e.clone())), e.abi_encode());
    }
    for data in [&b""[..], b"x", &[7u8; 32], &[9u8; 33], &[1u8; 100]] {
        check(
            JobEscrowCallFailed {
                target: TOKEN,
                returnData: Bytes::copy_from_slice(data),
            },
            Error::CallFailed,
        );
    }
    check(
        JobEscrowBalanceDeltaMismatch {
            expected: U256::from(5),
            actual: U256::MAX,
        },
        Error::BalanceDeltaMismatch,
    );
    check(JobEscrowZeroAddress {}, Error::ZeroAddress);
    check(
        JobEscrowInvalidGpuCount {
            gpuCount: u32::MAX,
            maxGpuCount: 1024,
        },
        Error::InvalidGpuCount,
    );
    check(
        JobEscrowInvalidDuration {
            maxDuration: u64::MAX,
            maxAllowed: 7,
        },
        Error::InvalidDuration,
    );
    check(JobEscrowZeroPrice {}, Error::ZeroPrice);
    check(
        JobEscrowInvalidState {
            jobId: U256::MAX,
            state: 255,
        },
        Error::InvalidState,
    );
    check(
        JobEscrowNotRequester {
            jobId: id(3),
            caller: OTHER,
        },
        Error::NotRequester,
    );
    check(
        JobEscrowNotProvider {
            jobId: id(3),
            caller: OTHER,
        },
        Error::NotProvider,
    );
    check(
        JobEscrowTooEarly {
            jobId: id(3),
            availableAt: u64::MAX,
        },
        Error::TooEarly,
    );
    check(
        JobEscrowTooLate {
            jobId: id(3),
            deadline: 9,
        },
        Error::TooLate,
    );
    check(
        JobEscrowProviderNotEligible { provider: OTHER },
        Error::ProviderNotEligible,
    );
    check(
        JobEscrowTooManyOpenJobs {
            provider: OTHER,
            maxOpenJobs: U256::from(64),
        },
        Error::TooManyOpenJobs,
    );
    check(
        JobEscrowUsageTooHigh {
            usedSeconds: 5,
            maxDuration: 4,
        },
        Error::UsageTooHigh,
    );
    check(
        JobEscrowUnknownParameter { name: SPEC },
        Error::UnknownParameter,
    );
    check(
        JobEscrowParameterOutOfBounds {
            value: U256::from(1),
            min: U256::from(2),
            max: U256::from(3),
        },
        Error::ParameterOutOfBounds,
    );
    check(JobEscrowArithmeticOverflow {}, Error::ArithmeticOverflow);
    check(EnforcedPause {}, Error::EnforcedPause);
    check(ExpectedPause {}, Error::ExpectedPause);
    check(
        AccessControlInvalidDefaultAdmin {
            defaultAdmin: Address::ZERO,
        },
        Error::InvalidDefaultAdmin,
    );
    check(
        AccessControlUnauthorizedAccount {
            account: OTHER,
            neededRole: ARBITRATOR_ROLE,
        },
        Error::UnauthorizedAccount,
    );
    check(
        common::access::AccessControlBadConfirmation {},
        Error::BadConfirmation,
    );
}

/// Every calldata builder equals alloy's encoding.
#[test]
fn calldata_matches_alloy() {
    let a = U256::from(123_456_789u64);
    assert_eq!(
        addr_amount(lockCreditsCall::SELECTOR, OTHER, a),
        lockCreditsCall {
            account: OTHER,
            amount: a
        }
        .abi_encode()
    );
    assert_eq!(
        addr_amount(transferCall::SELECTOR, OTHER, a),
        transferCall {
            to: OTHER,
            value: a
        }
        .abi_encode()
    );
    assert_eq!(
        addr_only(isEligibleCall::SELECTOR, OTHER),
        isEligibleCall { provider: OTHER }.abi_encode()
    );
    assert_eq!(
        settle(REQUESTER, PROVIDER, a),
        settleCall {
            payer: REQUESTER,
            provider: PROVIDER,
            credits: a
        }
        .abi_encode()
    );
    assert_eq!(quote_tokens(a), quoteTokensCall { credits: a }.abi_encode());
    for success in [true, false] {
        assert_eq!(
            record_outcome(PROVIDER, success),
            recordOutcomeCall {
                provider: PROVIDER,
                success
            }
            .abi_encode()
        );
    }
    assert_eq!(
        slash(PROVIDER, a, REQUESTER, SPEC),
        slashCall {
            provider: PROVIDER,
            amount: a,
            beneficiary: REQUESTER,
            reason: SPEC
        }
        .abi_encode()
    );
    assert_eq!(
        jail(PROVIDER, u64::MAX),
        jailCall {
            provider: PROVIDER,
            until: u64::MAX
        }
        .abi_encode()
    );
    assert_eq!(
        transfer_from(REQUESTER, ESCROW, a),
        transferFromCall {
            from: REQUESTER,
            to: ESCROW,
            value: a
        }
        .abi_encode()
    );
    assert_eq!(burn(a), burnCall { value: a }.abi_encode());
    assert_eq!(decode_word(&a.abi_encode()), Some(a));
    assert_eq!(decode_word(&[0u8; 31]), None);
    assert_eq!(decode_word(&[0u8; 64]), None);
}
