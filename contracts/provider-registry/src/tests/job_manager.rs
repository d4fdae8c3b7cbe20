//! Tests of the escrow-facing paths: stake locks, outcomes, slashing and jailing.

use super::*;

// ---------------------------------------------------------------------------------------------
// Job manager
// ---------------------------------------------------------------------------------------------

#[test]
fn lock_and_unlock_stake() {
    let (host, mut registry) = staked(ct(100));
    let vm = host.vm.clone();
    assert_reverts(&vm, unauthorized(PROVIDER, JOB_MANAGER_ROLE), || {
        registry.lock_stake(PROVIDER, ct(1))
    });
    assert_reverts(&vm, unauthorized(PROVIDER, JOB_MANAGER_ROLE), || {
        registry.unlock_stake(PROVIDER, ct(1))
    });
    vm.set_sender(MANAGER);
    registry.lock_stake(PROVIDER, ct(60)).unwrap();
    assert_eq!(registry.locked_stake(PROVIDER), ct(60));
    only_log(
        &vm,
        StakeLocked {
            provider: PROVIDER,
            amount: ct(60),
            lockedStake: ct(60),
        },
    );
    clear(&host);
    assert_reverts(
        &vm,
        Error::InsufficientFreeStake(RegistryInsufficientFreeStake {
            provider: PROVIDER,
            free: ct(40),
            needed: ct(41),
        }),
        || registry.lock_stake(PROVIDER, ct(41)),
    );
    registry.unlock_stake(PROVIDER, ct(10)).unwrap();
    only_log(
        &vm,
        StakeUnlocked {
            provider: PROVIDER,
            amount: ct(10),
            lockedStake: ct(50),
        },
    );
    clear(&host);
    // Unlocking more than is locked (after a slash clamped the lock) unlocks what is there.
    registry.unlock_stake(PROVIDER, ct(80)).unwrap();
    only_log(
        &vm,
        StakeUnlocked {
            provider: PROVIDER,
            amount: ct(50),
            lockedStake: U256::ZERO,
        },
    );
    assert!(calls(&host).is_empty());
}

#[test]
fn record_outcome_counts_jobs() {
    let (host, mut registry) = registered();
    let vm = host.vm.clone();
    assert_reverts(&vm, unauthorized(PROVIDER, JOB_MANAGER_ROLE), || {
        registry.record_outcome(PROVIDER, true)
    });
    vm.set_sender(MANAGER);
    registry.record_outcome(PROVIDER, true).unwrap();
    registry.record_outcome(PROVIDER, true).unwrap();
    registry.record_outcome(PROVIDER, false).unwrap();
    let info = registry.provider_info(PROVIDER);
    assert_eq!((info.9, info.10), (2, 1));
    assert_eq!(
        logs_of::<OutcomeRecorded>(&vm),
        vec![
            OutcomeRecorded {
                provider: PROVIDER,
                success: true,
                completedJobs: 1,
                failedJobs: 0
            },
            OutcomeRecorded {
                provider: PROVIDER,
                success: true,
                completedJobs: 2,
                failedJobs: 0
            },
            OutcomeRecorded {
                provider: PROVIDER,
                success: false,
                completedJobs: 2,
                failedJobs: 1
            },
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Slashing and jail
// ---------------------------------------------------------------------------------------------

#[test]
fn slash_is_pro_rata_capped_and_split() {
    let (host, mut registry) = staked(ct(10_000));
    let id1 = registry.request_unbond(ct(2_000)).unwrap();
    let id2 = registry.request_unbond(ct(1_000)).unwrap();
    as_role(&host, MANAGER, || registry.lock_stake(PROVIDER, ct(6_800))).unwrap();
    clear(&host);
    host.vm.set_sender(SLASHER);
    // Asks for 2,000 CT; the cap is 10% of 10,000 CT.
    registry
        .slash(PROVIDER, ct(2_000), BENEFICIARY, REASON)
        .unwrap();
    assert_eq!(registry.active_stake(PROVIDER), ct(6_300));
    assert_eq!(registry.unbonding_stake(PROVIDER), ct(2_700));
    assert_eq!(registry.unbond_request(PROVIDER, id1).0, ct(1_800));
    assert_eq!(registry.unbond_request(PROVIDER, id2).0, ct(900));
    assert_eq!(registry.locked_stake(PROVIDER), ct(6_300), "lock clamped");
    only_log(
        &host.vm,
        Slashed {
            provider: PROVIDER,
            amount: ct(1_000),
            toBeneficiary: ct(500),
            burned: ct(500),
            reason: REASON,
        },
    );
    assert_eq!(
        calls(&host),
        vec![
            balance_of_registry(),
            transferCall {
                to: BENEFICIARY,
                value: ct(500)
            }
            .abi_encode(),
            burnCall { value: ct(500) }.abi_encode(),
            balance_of_registry(),
        ]
    );
    let token = host.token.borrow();
    assert_eq!(token.balance(BENEFICIARY), ct(500));
    assert_eq!(token.burned, ct(500));
    assert_eq!(token.balance(REGISTRY), ct(9_000));
}

#[test]
fn slash_rounds_each_share_up_and_sums_exactly() {
    let (host, mut registry) = staked(U256::from(100));
    let id1 = registry.request_unbond(U256::from(33)).unwrap();
    let id2 = registry.request_unbond(U256::from(33)).unwrap();
    as_role(&host, PARAMS, || {
        registry.set_parameter(MAX_SLASH_BPS, U256::from(2_000))
    })
    .unwrap();
    clear(&host);
    host.vm.set_sender(SLASHER);
    registry
        .slash(PROVIDER, U256::from(7), BENEFICIARY, REASON)
        .unwrap();
    // active 34 → ceil(7·34/100) = 3; requests 33 → ceil(7·33/100) = 3, then the last 1.
    assert_eq!(registry.active_stake(PROVIDER), U256::from(31));
    assert_eq!(registry.unbond_request(PROVIDER, id1).0, U256::from(30));
    assert_eq!(registry.unbond_request(PROVIDER, id2).0, U256::from(32));
    assert_eq!(registry.unbonding_stake(PROVIDER), U256::from(62));
    only_log(
        &host.vm,
        Slashed {
            provider: PROVIDER,
            amount: U256::from(7),
            toBeneficiary: U256::from(3),
            burned: U256::from(4),
            reason: REASON,
        },
    );
}

#[test]
fn slash_reaches_deregistered_providers_and_skips_zero_parts() {
    let (host, mut registry) = staked(ct(1_000));
    registry.deregister().unwrap();
    as_role(&host, PARAMS, || {
        registry.set_parameter(CHALLENGER_SHARE_BPS, U256::ZERO)
    })
    .unwrap();
    pause(&host, &mut registry);
    host.vm.set_sender(SLASHER);
    registry
        .slash(PROVIDER, ct(50), BENEFICIARY, REASON)
        .unwrap();
    assert_eq!(registry.unbonding_stake(PROVIDER), ct(950));
    assert_eq!(
        calls(&host),
        vec![
            balance_of_registry(),
            burnCall { value: ct(50) }.abi_encode(),
            balance_of_registry(),
        ]
    );
    // Nothing staked: only a log, no token call.
    clear(&host);
    registry.slash(OTHER, ct(50), BENEFICIARY, REASON).unwrap();
    only_log(
        &host.vm,
        Slashed {
            provider: OTHER,
            amount: U256::ZERO,
            toBeneficiary: U256::ZERO,
            burned: U256::ZERO,
            reason: REASON,
        },
    );
    assert!(calls(&host).is_empty());
}

#[test]
fn slash_errors() {
    let (host, mut registry) = staked(ct(1_000));
    let vm = host.vm.clone();
    assert_reverts(&vm, unauthorized(PROVIDER, SLASHER_ROLE), || {
        registry.slash(PROVIDER, ct(1), BENEFICIARY, REASON)
    });
    vm.set_sender(SLASHER);
    assert_reverts(
        &vm,
        Error::InvalidBeneficiary(RegistryInvalidBeneficiary {
            beneficiary: Address::ZERO,
        }),
        || registry.slash(PROVIDER, ct(1), Address::ZERO, REASON),
    );
    host.token.borrow_mut().mode = Mode::Revert;
    assert_token_failure(
        registry.slash(PROVIDER, ct(1), BENEFICIARY, REASON),
        token_failed(),
    );
    let (host, mut registry) = staked(ct(1_000));
    host.vm.set_sender(SLASHER);
    host.token.borrow_mut().mode = Mode::Fee(U256::from(1));
    // A fee on the beneficiary's transfer does not change the registry's outflow: succeeds.
    registry
        .slash(PROVIDER, ct(10), BENEFICIARY, REASON)
        .unwrap();
}

#[test]
fn slash_detects_a_wrong_balance_delta() {
    let (host, mut registry) = staked(ct(1_000));
    host.vm.set_sender(SLASHER);
    host.token.borrow_mut().mode = Mode::Drain(U256::from(2));
    // transfer and burn each take 2 wei more than asked.
    assert_token_failure(
        registry.slash(PROVIDER, ct(10), BENEFICIARY, REASON),
        Error::BalanceDeltaMismatch(RegistryBalanceDeltaMismatch {
            expected: ct(10),
            actual: ct(10) + U256::from(4),
        }),
    );
}

#[test]
fn jail_extends_only_and_blocks_eligibility() {
    let (host, mut registry) = staked(ct(6_600));
    let vm = host.vm.clone();
    assert!(registry.is_eligible(PROVIDER));
    assert_reverts(&vm, unauthorized(PROVIDER, SLASHER_ROLE), || {
        registry.jail(PROVIDER, T0 + 10)
    });
    vm.set_sender(SLASHER);
    assert_reverts(&vm, not_registered(OTHER), || registry.jail(OTHER, T0 + 10));
    registry.jail(PROVIDER, T0 + 100).unwrap();
    only_log(
        &vm,
        Jailed {
            provider: PROVIDER,
            until: T0 + 100,
        },
    );
    assert!(!registry.is_eligible(PROVIDER));
    clear(&host);
    registry.jail(PROVIDER, T0 + 50).unwrap();
    only_log(
        &vm,
        Jailed {
            provider: PROVIDER,
            until: T0 + 100,
        },
    );
    assert_eq!(registry.provider_info(PROVIDER).8, T0 + 100);
    vm.set_block_timestamp(T0 + 99);
    assert!(!registry.is_eligible(PROVIDER));
    vm.set_block_timestamp(T0 + 100);
    assert!(registry.is_eligible(PROVIDER));
}
