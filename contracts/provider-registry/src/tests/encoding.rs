//! Encodings against alloy (errors, calldata) and the arithmetic helpers.

use super::*;

// ---------------------------------------------------------------------------------------------
// Encodings and helpers
// ---------------------------------------------------------------------------------------------

#[test]
fn lock_words_pack_amount_and_base_below_the_marker() {
    let limit = U256::from(1) << 127;
    let max = limit - wei(1);
    for (amount, base) in [
        (U256::ZERO, U256::ZERO),
        (wei(1), ct(7)),
        (max, max),
        (ct(3), max),
    ] {
        let word = pack_lock(amount, base).unwrap();
        assert!(!word.bit(255), "the marker bit stays free");
        assert_eq!(unpack_lock(word | LOCK_MARKER), (amount, base));
        assert_eq!(unpack_lock(word), (amount, base));
    }
    assert_eq!(pack_lock(limit, U256::ZERO), Err(overflow()));
    assert_eq!(pack_lock(U256::ZERO, limit), Err(overflow()));
    assert_eq!(unpack_lock(LOCK_MARKER), (U256::ZERO, U256::ZERO));
}

#[test]
fn mul_div_rounds_as_asked_and_reports_overflow() {
    assert_eq!(mul_div(wei(7), wei(3), wei(2), true), Ok(wei(11)));
    assert_eq!(mul_div(wei(7), wei(3), wei(2), false), Ok(wei(10)));
    assert_eq!(mul_div(wei(6), wei(3), wei(2), true), Ok(wei(9)));
    assert_eq!(mul_div(U256::MAX, wei(2), wei(2), false), Err(overflow()));
    assert_eq!(mul_div(wei(1), wei(1), U256::ZERO, false), Err(overflow()));
}

/// The hand-written calldata (crate `token`) equals alloy's `SolCall::abi_encode`.
#[test]
fn calldata_encodes_as_alloy() {
    let (a, b, v) = (PROVIDER, REGISTRY, U256::MAX - wei(5));
    assert_eq!(
        token::transfer(a, v),
        transferCall { to: a, value: v }.abi_encode()
    );
    assert_eq!(
        token::transfer_from(a, b, v),
        transferFromCall {
            from: a,
            to: b,
            value: v
        }
        .abi_encode()
    );
    assert_eq!(token::burn(v), burnCall { value: v }.abi_encode());
    assert_eq!(
        token::set_earning_stake(a, v),
        setEarningStakeCall {
            provider: a,
            amount: v
        }
        .abi_encode()
    );
    assert_eq!(
        common::calls::BALANCE_OF,
        balanceOfCall::SELECTOR,
        "balanceOf(address)"
    );
}

/// The hand-written error encoding (`common::contract_errors!`) equals alloy's
/// `SolError::abi_encode` for every variant: the registry's own errors and every shared one it
/// returns.
#[test]
fn errors_encode_as_their_solidity_errors() {
    fn check<T: SolError + Clone>(e: T, wrap: fn(T) -> Error) {
        assert_eq!(Vec::<u8>::from(wrap(e.clone())), e.abi_encode());
    }
    fn common<T: SolError + Clone>(e: T, wrap: fn(T) -> CommonError) {
        assert_eq!(
            Vec::<u8>::from(Error::Common(wrap(e.clone()))),
            e.abi_encode()
        );
    }
    let (a, b, c) = (U256::from(1), U256::MAX, U256::from(7));
    check(RegistryZeroAddress {}, Error::ZeroAddress);
    check(
        RegistryAlreadyRegistered { provider: PROVIDER },
        Error::AlreadyRegistered,
    );
    check(
        RegistryNotRegistered { provider: PROVIDER },
        Error::NotRegistered,
    );
    check(
        RegistryInvalidGpuCount {
            gpuCount: u32::MAX,
            maxGpuCount: 1024,
        },
        Error::InvalidGpuCount,
    );
    check(
        RegistryMetadataURITooLong {
            length: a,
            maxLength: c,
        },
        Error::MetadataURITooLong,
    );
    check(RegistryZeroAmount {}, Error::ZeroAmount);
    check(
        RegistryInsufficientFreeStake {
            provider: PROVIDER,
            free: a,
            needed: b,
        },
        Error::InsufficientFreeStake,
    );
    check(
        RegistryTooManyUnbondRequests {
            provider: PROVIDER,
            maxRequests: c,
        },
        Error::TooManyUnbondRequests,
    );
    check(
        RegistryUnknownUnbondRequest {
            provider: PROVIDER,
            requestId: b,
        },
        Error::UnknownUnbondRequest,
    );
    check(
        RegistryNothingToWithdraw { provider: PROVIDER },
        Error::NothingToWithdraw,
    );
    check(
        RegistryJobsOpen {
            provider: PROVIDER,
            openJobs: c,
        },
        Error::JobsOpen,
    );
    check(RegistryNotEligible { provider: OTHER }, Error::NotEligible);
    check(
        RegistryInsufficientGpus {
            provider: PROVIDER,
            needed: u32::MAX,
            registered: 8,
        },
        Error::InsufficientGpus,
    );
    check(
        RegistryTooManyOpenJobs {
            provider: PROVIDER,
            maxOpenJobs: U256::from(64),
        },
        Error::TooManyOpenJobs,
    );
    check(
        RegistryUnknownLock {
            provider: PROVIDER,
            jobId: b,
        },
        Error::UnknownLock,
    );
    check(
        RegistryLockExists {
            provider: PROVIDER,
            jobId: a,
        },
        Error::LockExists,
    );
    common(
        AccessControlUnauthorizedAccount {
            account: OTHER,
            neededRole: SLASHER_ROLE,
        },
        CommonError::UnauthorizedAccount,
    );
    common(
        common::access::AccessControlBadConfirmation {},
        CommonError::BadConfirmation,
    );
    common(
        AccessControlInvalidDefaultAdmin {
            defaultAdmin: Address::ZERO,
        },
        CommonError::InvalidDefaultAdmin,
    );
    common(EnforcedPause {}, CommonError::EnforcedPause);
    common(ExpectedPause {}, CommonError::ExpectedPause);
    for data in [
        vec![],
        TOKEN_REVERT.to_vec(),
        reporter_missing(),
        vec![0xab; 32],
        vec![0xcd; 33],
    ] {
        common(
            CallFailed {
                target: EMISSIONS,
                returnData: data.into(),
            },
            CommonError::CallFailed,
        );
    }
    common(
        UnknownParameter {
            name: MAX_OPEN_JOBS,
        },
        CommonError::UnknownParameter,
    );
    common(
        ParameterOutOfBounds {
            name: MAX_SLASH_BPS,
            value: a,
            min: c,
            max: b,
        },
        CommonError::ParameterOutOfBounds,
    );
    common(ArithmeticOverflow {}, CommonError::ArithmeticOverflow);
    common(
        BalanceDeltaMismatch {
            token: TOKEN,
            expected: b,
            actual: a,
        },
        CommonError::BalanceDeltaMismatch,
    );
}
