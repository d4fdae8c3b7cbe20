//! Encoding tests: every error variant (the escrow's own and every shared `CommonError` it declares)
//! against alloy's `SolError::abi_encode`, and every calldata builder of `calls` against alloy's
//! `SolCall::abi_encode`.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, SolError};
use common::access::{AccessControlBadConfirmation, AccessControlUnauthorizedAccount};
use common::errors::{
    AccessControlInvalidDefaultAdmin, ArithmeticOverflow, BalanceDeltaMismatch, CallFailed,
    CommonError, EnforcedPause, ExpectedPause, ParameterOutOfBounds, UnknownParameter,
};

use super::*;

fn check<E: SolError + Clone>(e: E, wrap: fn(E) -> Error) {
    assert_eq!(
        Vec::<u8>::from(wrap(e.clone())),
        e.abi_encode(),
        "{}",
        E::SIGNATURE
    );
}

fn check_common<E: SolError + Clone>(e: E, wrap: fn(E) -> CommonError) {
    assert_eq!(
        Vec::<u8>::from(Error::Common(wrap(e.clone()))),
        e.abi_encode(),
        "{}",
        E::SIGNATURE
    );
}

/// Every variant of the escrow's own errors encodes as alloy encodes the custom error it wraps,
/// with extreme field values.
#[test]
fn own_errors_encode_as_solidity_custom_errors() {
    check(JobEscrowZeroAddress {}, Error::ZeroAddress);
    for (gpus, max) in [(0, 1024), (u32::MAX, u32::MAX)] {
        check(
            JobEscrowInvalidGpuCount {
                gpuCount: gpus,
                maxGpuCount: max,
            },
            Error::InvalidGpuCount,
        );
    }
    for (duration, max) in [(0, MAX_JOB_DURATION), (u64::MAX, 7)] {
        check(
            JobEscrowInvalidDuration {
                maxDuration: duration,
                maxAllowed: max,
            },
            Error::InvalidDuration,
        );
    }
    for (price, max) in [(U256::ZERO, U256::ZERO), (U256::MAX, U256::from(1))] {
        check(
            JobEscrowInvalidPrice {
                price,
                maxPrice: max,
            },
            Error::InvalidPrice,
        );
    }
    for state in [NONE, OPEN, EXPIRED, u8::MAX] {
        check(
            JobEscrowInvalidState {
                jobId: U256::MAX,
                state,
            },
            Error::InvalidState,
        );
    }
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
            caller: Address::repeat_byte(0xff),
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
            jobId: U256::ZERO,
            deadline: 9,
        },
        Error::TooLate,
    );
    check(
        JobEscrowUsageTooHigh {
            usedSeconds: u64::MAX,
            maxDuration: 4,
        },
        Error::UsageTooHigh,
    );
}

/// Every shared error the escrow declares (`contract_errors!`'s `common:` list) encodes as alloy
/// encodes it, `CallFailed`'s dynamic `bytes` at every padding length.
#[test]
fn common_errors_encode_as_solidity_custom_errors() {
    check_common(
        AccessControlUnauthorizedAccount {
            account: OTHER,
            neededRole: ARBITRATOR_ROLE,
        },
        CommonError::UnauthorizedAccount,
    );
    check_common(
        AccessControlBadConfirmation {},
        CommonError::BadConfirmation,
    );
    check_common(
        AccessControlInvalidDefaultAdmin {
            defaultAdmin: Address::ZERO,
        },
        CommonError::InvalidDefaultAdmin,
    );
    check_common(EnforcedPause {}, CommonError::EnforcedPause);
    check_common(ExpectedPause {}, CommonError::ExpectedPause);
    for data in [
        &b""[..],
        b"x",
        &[7u8; 31],
        &[7u8; 32],
        &[9u8; 33],
        &[1u8; 100],
    ] {
        check_common(
            CallFailed {
                target: TOKEN,
                returnData: Bytes::copy_from_slice(data),
            },
            CommonError::CallFailed,
        );
    }
    // What the tests pass on: a registry error wrapped whole.
    check_common(
        CallFailed {
            target: REGISTRY,
            returnData: RegistryNotEligible { provider: PROVIDER }
                .abi_encode()
                .into(),
        },
        CommonError::CallFailed,
    );
    check_common(
        UnknownParameter {
            name: common::params::name("acceptWindow"),
        },
        CommonError::UnknownParameter,
    );
    check_common(
        ParameterOutOfBounds {
            name: MIN_DISPUTE_BOND,
            value: U256::MAX,
            min: U256::from(1),
            max: U256::from(2),
        },
        CommonError::ParameterOutOfBounds,
    );
    check_common(ArithmeticOverflow {}, CommonError::ArithmeticOverflow);
    check_common(
        BalanceDeltaMismatch {
            token: TOKEN,
            expected: U256::from(5),
            actual: U256::MAX,
        },
        CommonError::BalanceDeltaMismatch,
    );
}

/// Every calldata builder equals alloy's encoding of the function it calls.
#[test]
fn calldata_matches_alloy() {
    for a in [U256::ZERO, U256::from(123_456_789u64), U256::MAX] {
        assert_eq!(
            addr_amount(lockCreditsCall::SELECTOR, OTHER, a),
            lockCreditsCall {
                account: OTHER,
                amount: a
            }
            .abi_encode()
        );
        assert_eq!(
            addr_amount(unlockCreditsCall::SELECTOR, OTHER, a),
            unlockCreditsCall {
                account: OTHER,
                amount: a
            }
            .abi_encode()
        );
        assert_eq!(
            addr_amount(releaseStakeCall::SELECTOR, PROVIDER, a),
            releaseStakeCall {
                provider: PROVIDER,
                jobId: a
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
            settle(REQUESTER, PROVIDER, a, U256::MAX - a),
            settleCall {
                payer: REQUESTER,
                provider: PROVIDER,
                credits: a,
                refund: U256::MAX - a
            }
            .abi_encode()
        );
        assert_eq!(quote_tokens(a), quoteTokensCall { credits: a }.abi_encode());
        for gpu_count in [0, GPUS, u32::MAX] {
            assert_eq!(
                crate::calls::lock_stake(PROVIDER, a, U256::MAX - a, gpu_count),
                lockStakeCall {
                    provider: PROVIDER,
                    jobId: a,
                    amount: U256::MAX - a,
                    gpuCount: gpu_count
                }
                .abi_encode()
            );
        }
        assert_eq!(
            crate::calls::slash_job(PROVIDER, a, U256::from(250), REQUESTER),
            slashJobCall {
                provider: PROVIDER,
                jobId: a,
                slashBps: U256::from(250),
                beneficiary: REQUESTER
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
    }
    for until in [0, T0, u64::MAX] {
        assert_eq!(
            addr_amount(jailCall::SELECTOR, PROVIDER, U256::from(until)),
            jailCall {
                provider: PROVIDER,
                until
            }
            .abi_encode()
        );
    }
}
