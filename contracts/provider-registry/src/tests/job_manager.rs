//! Tests of the escrow-facing paths (docs/protocol.md §8 "Per-job locks"): per-job stake locks,
//! releases, slashes and jails, including the two sequences the per-job locks exist for (the crate
//! docs' H-2: a slash of one job shrank the locks of the others; M-1: a provider unbonded after
//! acceptance, shrinking the penalty, and left before the ruling).

use super::*;

fn job(n: u64) -> U256 {
    U256::from(n)
}

/// `lockStake(PROVIDER, job, amount, gpus)` by the job manager.
fn lock(
    host: &RegistryHost,
    registry: &mut ProviderRegistry,
    n: u64,
    amount: U256,
    gpus: u32,
) -> Result<(), Error> {
    as_role(host, MANAGER, || {
        registry.lock_stake(PROVIDER, job(n), amount, gpus)
    })
}

/// `releaseStake(PROVIDER, job)` by the job manager.
fn release(host: &RegistryHost, registry: &mut ProviderRegistry, n: u64) -> Result<(), Error> {
    as_role(host, MANAGER, || registry.release_stake(PROVIDER, job(n)))
}

/// `slashJob(PROVIDER, job, bps, BENEFICIARY)` by the slasher.
fn slash(
    host: &RegistryHost,
    registry: &mut ProviderRegistry,
    n: u64,
    bps: u64,
) -> Result<(), Error> {
    as_role(host, SLASHER, || {
        registry.slash_job(PROVIDER, job(n), U256::from(bps), BENEFICIARY)
    })
}

/// The last `Slashed` event's `(amount, toBeneficiary, burned)`.
fn last_slash(host: &RegistryHost) -> (U256, U256, U256) {
    let s = logs_of::<Slashed>(&host.vm).pop().expect("a Slashed event");
    (s.amount, s.toBeneficiary, s.burned)
}

fn unknown_lock(provider: Address, n: u64) -> Error {
    Error::UnknownLock(RegistryUnknownLock {
        provider,
        jobId: job(n),
    })
}

fn not_eligible(provider: Address) -> Error {
    Error::NotEligible(RegistryNotEligible { provider })
}

fn too_many_open(provider: Address, max: u64) -> Error {
    Error::TooManyOpenJobs(RegistryTooManyOpenJobs {
        provider,
        maxOpenJobs: U256::from(max),
    })
}

/// Asserts `lockedStake = Σ` of the locks of jobs `jobs` that exist and `openJobs` = their number
/// (a lock exists iff its penalty base is positive: every base is at least the required stake).
fn assert_locks_add_up(registry: &ProviderRegistry, jobs: std::ops::RangeInclusive<u64>) {
    let (mut sum, mut open) = (U256::ZERO, 0u64);
    for n in jobs {
        let (amount, base) = registry.job_lock(PROVIDER, job(n));
        if !base.is_zero() {
            sum += amount;
            open += 1;
        }
    }
    let (_, locked, _, open_jobs) = stakes(registry, PROVIDER);
    assert_eq!((locked, open_jobs), (sum, open));
}

// ---------------------------------------------------------------------------------------------
// lockStake
// ---------------------------------------------------------------------------------------------

#[test]
fn lock_stake_records_the_lock_and_its_penalty_base_even_while_paused() {
    let (host, mut registry) = staked(ct(10_000));
    registry.request_unbond(ct(1_000)).unwrap();
    pause(&host, &mut registry);
    rejects(&host, unauthorized(PROVIDER, JOB_MANAGER_ROLE), || {
        registry.lock_stake(PROVIDER, job(7), ct(1), 8)
    });
    rejects(&host, unauthorized(SLASHER, JOB_MANAGER_ROLE), || {
        as_role(&host, SLASHER, || {
            registry.lock_stake(PROVIDER, job(7), ct(1), 8)
        })
    });
    lock(&host, &mut registry, 7, ct(2_000), 8).unwrap();
    // The penalty base is active + unbonding: 9,000 + 1,000.
    assert_eq!(registry.job_lock(PROVIDER, job(7)), (ct(2_000), ct(10_000)));
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(9_000), ct(2_000), ct(1_000), 1)
    );
    only_log(
        &host.vm,
        StakeLocked {
            provider: PROVIDER,
            jobId: job(7),
            amount: ct(2_000),
            penaltyBase: ct(10_000),
            lockedStake: ct(2_000),
        },
    );
    assert!(sent(&host).is_empty(), "locking calls nothing");
    clear(&host);
    // A lock of nothing, for a job of no GPU, still exists (it can be released and slashed).
    lock(&host, &mut registry, 8, U256::ZERO, 0).unwrap();
    assert_eq!(
        registry.job_lock(PROVIDER, job(8)),
        (U256::ZERO, ct(10_000))
    );
    only_log(
        &host.vm,
        StakeLocked {
            provider: PROVIDER,
            jobId: job(8),
            amount: U256::ZERO,
            penaltyBase: ct(10_000),
            lockedStake: ct(2_000),
        },
    );
    // All the free stake can be locked, not a wei more.
    lock(&host, &mut registry, 9, ct(7_000), 1).unwrap();
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(9_000), ct(9_000), ct(1_000), 3)
    );
    rejects(&host, short_of_free(PROVIDER, U256::ZERO, wei(1)), || {
        lock(&host, &mut registry, 10, wei(1), 1)
    });
    assert_locks_add_up(&registry, 1..=10);
}

#[test]
fn lock_stake_checks_eligibility_gpus_open_jobs_duplicates_and_free_stake_in_that_order() {
    let (host, mut registry) = registered();
    // Not registered.
    rejects(&host, not_eligible(OTHER), || {
        as_role(&host, MANAGER, || {
            registry.lock_stake(OTHER, job(1), U256::ZERO, 0)
        })
    });
    // Below the required stake.
    registry.stake(ct(6_600) - wei(1)).unwrap();
    rejects(&host, not_eligible(PROVIDER), || {
        lock(&host, &mut registry, 1, U256::ZERO, 0)
    });
    registry.stake(wei(1)).unwrap();
    // Jailed: eligibility comes before the GPU count.
    as_role(&host, SLASHER, || registry.jail(PROVIDER, T0 + 10)).unwrap();
    rejects(&host, not_eligible(PROVIDER), || {
        lock(&host, &mut registry, 1, U256::ZERO, 9)
    });
    host.vm.set_block_timestamp(T0 + 10);
    // GPUs, before the open-job count.
    set_param(&host, &mut registry, MAX_OPEN_JOBS, U256::from(2));
    let gpus = Error::InsufficientGpus(RegistryInsufficientGpus {
        provider: PROVIDER,
        needed: 9,
        registered: 8,
    });
    rejects(&host, gpus, || lock(&host, &mut registry, 1, U256::ZERO, 9));
    lock(&host, &mut registry, 1, ct(100), 8).unwrap();
    // A duplicate, before the free stake.
    let exists = Error::LockExists(RegistryLockExists {
        provider: PROVIDER,
        jobId: job(1),
    });
    rejects(&host, exists, || {
        lock(&host, &mut registry, 1, ct(1_000_000), 1)
    });
    // Free stake: 6,600 − 100.
    rejects(
        &host,
        short_of_free(PROVIDER, ct(6_500), ct(6_500) + wei(1)),
        || lock(&host, &mut registry, 2, ct(6_500) + wei(1), 8),
    );
    lock(&host, &mut registry, 2, U256::ZERO, 8).unwrap();
    // maxOpenJobs (2) reached: before duplicates and free stake.
    for (n, amount) in [(3, U256::ZERO), (1, U256::ZERO), (3, ct(1_000_000))] {
        rejects(&host, too_many_open(PROVIDER, 2), || {
            lock(&host, &mut registry, n, amount, 8)
        });
    }
    release(&host, &mut registry, 2).unwrap();
    lock(&host, &mut registry, 3, ct(6_500), 8).unwrap();
    // A lower GPU count does not affect accepted jobs, only new ones.
    registry
        .update_profile(H100, 2, 80, EU, URI.into())
        .unwrap();
    release(&host, &mut registry, 3).unwrap();
    let gpus = Error::InsufficientGpus(RegistryInsufficientGpus {
        provider: PROVIDER,
        needed: 8,
        registered: 2,
    });
    rejects(&host, gpus, || lock(&host, &mut registry, 4, U256::ZERO, 8));
    // Deregistered.
    release(&host, &mut registry, 1).unwrap();
    registry.deregister().unwrap();
    rejects(&host, not_eligible(PROVIDER), || {
        lock(&host, &mut registry, 4, U256::ZERO, 0)
    });
}

/// A lock word holds the amount and the penalty base below 2^127 each (`pack_lock`); a penalty
/// base of 2^127 wei or more is refused with `ArithmeticOverflow()` before any write.
#[test]
fn lock_stake_refuses_a_penalty_base_of_2_pow_127() {
    let (host, mut registry) = registered();
    let limit = U256::from(1) << 127;
    host.token.borrow_mut().balances.insert(PROVIDER, limit);
    registry.stake(limit - wei(1)).unwrap();
    lock(&host, &mut registry, 1, limit - wei(1), 8).unwrap();
    assert_eq!(
        registry.job_lock(PROVIDER, job(1)),
        (limit - wei(1), limit - wei(1))
    );
    registry.stake(wei(1)).unwrap();
    rejects(&host, arithmetic_overflow(), || {
        lock(&host, &mut registry, 2, U256::ZERO, 8)
    });
}

// ---------------------------------------------------------------------------------------------
// releaseStake
// ---------------------------------------------------------------------------------------------

#[test]
fn release_stake_frees_exactly_the_jobs_lock_and_counts_a_completed_job() {
    let (host, mut registry) = staked(ct(10_000));
    lock(&host, &mut registry, 1, ct(1_000), 8).unwrap();
    lock(&host, &mut registry, 2, ct(2_500), 8).unwrap();
    lock(&host, &mut registry, 3, U256::ZERO, 8).unwrap();
    pause(&host, &mut registry);
    rejects(&host, unauthorized(PROVIDER, JOB_MANAGER_ROLE), || {
        registry.release_stake(PROVIDER, job(2))
    });
    release(&host, &mut registry, 2).unwrap();
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(10_000), ct(1_000), U256::ZERO, 2)
    );
    let info = registry.provider_info(PROVIDER);
    assert_eq!((info.9, info.10), (1, 0));
    assert_eq!(
        registry.job_lock(PROVIDER, job(2)),
        (U256::ZERO, U256::ZERO)
    );
    only_log(
        &host.vm,
        StakeReleased {
            provider: PROVIDER,
            jobId: job(2),
            amount: ct(2_500),
            lockedStake: ct(1_000),
            success: true,
        },
    );
    assert!(sent(&host).is_empty(), "releasing calls nothing");
    for (who, n) in [(PROVIDER, 2), (PROVIDER, 99), (OTHER, 1)] {
        rejects(&host, unknown_lock(who, n), || {
            as_role(&host, MANAGER, || registry.release_stake(who, job(n)))
        });
    }
    clear(&host);
    release(&host, &mut registry, 3).unwrap();
    only_log(
        &host.vm,
        StakeReleased {
            provider: PROVIDER,
            jobId: job(3),
            amount: U256::ZERO,
            lockedStake: ct(1_000),
            success: true,
        },
    );
    release(&host, &mut registry, 1).unwrap();
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(10_000), U256::ZERO, U256::ZERO, 0)
    );
    let info = registry.provider_info(PROVIDER);
    assert_eq!((info.9, info.10), (3, 0));
    // A released job id can be locked again (the escrow never reuses one, but nothing breaks).
    lock(&host, &mut registry, 2, ct(10_000), 8).unwrap();
    assert_eq!(
        registry.job_lock(PROVIDER, job(2)),
        (ct(10_000), ct(10_000))
    );
}

// ---------------------------------------------------------------------------------------------
// slashJob
// ---------------------------------------------------------------------------------------------

#[test]
fn slash_job_is_pro_rata_capped_split_and_releases_the_lock() {
    let (host, mut registry) = staked(ct(10_000));
    let id1 = registry.request_unbond(ct(2_000)).unwrap();
    let id2 = registry.request_unbond(ct(1_000)).unwrap();
    lock(&host, &mut registry, 5, ct(6_800), 8).unwrap();
    lock(&host, &mut registry, 6, ct(200), 8).unwrap();
    clear(&host);
    rejects(&host, unauthorized(PROVIDER, SLASHER_ROLE), || {
        registry.slash_job(PROVIDER, job(5), U256::from(1_000), BENEFICIARY)
    });
    // Asks for 20% of the 10,000 CT base; maxSlashBps caps it at 10%.
    slash(&host, &mut registry, 5, 2_000).unwrap();
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(6_300), ct(200), ct(2_700), 1)
    );
    assert_eq!(registry.unbond_request(PROVIDER, id1).0, ct(1_800));
    assert_eq!(registry.unbond_request(PROVIDER, id2).0, ct(900));
    let info = registry.provider_info(PROVIDER);
    assert_eq!((info.9, info.10), (0, 1));
    assert_eq!(
        registry.job_lock(PROVIDER, job(5)),
        (U256::ZERO, U256::ZERO)
    );
    assert_eq!(registry.job_lock(PROVIDER, job(6)), (ct(200), ct(10_000)));
    assert_eq!(
        log_signatures(&host),
        vec![StakeReleased::SIGNATURE_HASH, Slashed::SIGNATURE_HASH]
    );
    assert_eq!(
        logs_of::<StakeReleased>(&host.vm),
        vec![StakeReleased {
            provider: PROVIDER,
            jobId: job(5),
            amount: ct(6_800),
            lockedStake: ct(200),
            success: false,
        }]
    );
    assert_eq!(
        logs_of::<Slashed>(&host.vm),
        vec![Slashed {
            provider: PROVIDER,
            jobId: job(5),
            beneficiary: BENEFICIARY,
            amount: ct(1_000),
            toBeneficiary: ct(500),
            burned: ct(500),
        }]
    );
    // 6,300 CT active < 6,600 CT required: earning 0. Then the payment, then the burn.
    let mut expected = vec![report(PROVIDER, U256::ZERO)];
    expected.extend(pay(BENEFICIARY, ct(500)));
    expected.extend(burn(ct(500)));
    assert_eq!(sent(&host), expected);
    let token = host.token.borrow();
    assert_eq!(token.balance(BENEFICIARY), ct(500));
    assert_eq!(token.burned, ct(500));
    assert_eq!(token.balance(REGISTRY), ct(9_000));
}

#[test]
fn slash_rounds_each_share_up_sums_exactly_and_rounds_the_beneficiary_down() {
    let (host, mut registry) = registered();
    set_param(&host, &mut registry, MIN_STAKE_BASE, ct(100));
    set_param(&host, &mut registry, STAKE_PER_GPU, U256::ZERO);
    set_param(
        &host,
        &mut registry,
        CHALLENGER_SHARE_BPS,
        U256::from(3_333),
    );
    let total = ct(100) + wei(12_345);
    registry.stake(total).unwrap();
    lock(&host, &mut registry, 1, U256::ZERO, 8).unwrap();
    let id1 = registry.request_unbond(ct(33) + wei(7)).unwrap();
    let id2 = registry.request_unbond(ct(33) + wei(5)).unwrap();
    clear(&host);
    slash(&host, &mut registry, 1, 999).unwrap();
    // slash = ⌊T × 999 / 10⁴⌋ with T = 100 CT + 12,345 wei. Active (34 CT + 12,333 wei) pays
    // ⌈slash × active / T⌉; request 1 pays ⌈slash × x / T⌉; request 2 pays the rest, 1 wei less
    // than its own ceiling. The beneficiary gets ⌊slash × 3,333 / 10⁴⌋, the burn the remainder.
    let slashed = uint!(9990000000000001233_U256);
    assert_eq!(
        stakes(&registry, PROVIDER),
        (
            uint!(30603400000000011101_U256),
            U256::ZERO,
            uint!(59406600000000000011_U256),
            0
        )
    );
    assert_eq!(
        registry.unbond_request(PROVIDER, id1).0,
        uint!(29703300000000000006_U256)
    );
    assert_eq!(
        registry.unbond_request(PROVIDER, id2).0,
        uint!(29703300000000000005_U256)
    );
    assert_eq!(
        last_slash(&host),
        (
            slashed,
            uint!(3329667000000000410_U256),
            uint!(6660333000000000823_U256)
        )
    );
    assert_eq!(host.token.borrow().balance(REGISTRY), total - slashed);
}

#[test]
fn slash_is_capped_by_the_stake_still_held() {
    let (host, mut registry) = staked(ct(10_000));
    set_param(&host, &mut registry, MAX_SLASH_BPS, U256::from(2_000));
    for n in 1..=7 {
        lock(&host, &mut registry, n, U256::ZERO, 8).unwrap();
    }
    // Every job's base is 10,000 CT; 20% each until the stake runs out.
    let mut amounts = vec![];
    for (n, bps) in [
        (1, 1_500),
        (2, 2_000),
        (3, 5_000),
        (4, 2_000),
        (5, 2_000),
        (6, 2_000),
    ] {
        slash(&host, &mut registry, n, bps).unwrap();
        amounts.push(last_slash(&host).0);
    }
    assert_eq!(
        amounts,
        vec![
            ct(1_500),
            ct(2_000),
            ct(2_000),
            ct(2_000),
            ct(2_000),
            ct(500)
        ]
    );
    // Nothing left: the slash is 0, no token is moved, the job still ends as failed.
    clear(&host);
    slash(&host, &mut registry, 7, 2_000).unwrap();
    assert_eq!(last_slash(&host), (U256::ZERO, U256::ZERO, U256::ZERO));
    assert_eq!(logs_of::<StakeReleased>(&host.vm).len(), 1);
    assert_eq!(sent(&host), vec![report(PROVIDER, U256::ZERO)]);
    assert_eq!(
        stakes(&registry, PROVIDER),
        (U256::ZERO, U256::ZERO, U256::ZERO, 0)
    );
    assert_eq!(registry.provider_info(PROVIDER).10, 7);
    let token = host.token.borrow();
    assert_eq!(token.balance(REGISTRY), U256::ZERO);
    assert_eq!(token.balance(BENEFICIARY), ct(5_000));
    assert_eq!(token.burned, ct(5_000));
}

#[test]
fn slash_split_follows_the_challenger_share_and_works_while_paused() {
    for share in [0u64, 10_000] {
        let (host, mut registry) = staked(ct(10_000));
        set_param(
            &host,
            &mut registry,
            CHALLENGER_SHARE_BPS,
            U256::from(share),
        );
        lock(&host, &mut registry, 1, ct(10_000), 8).unwrap();
        lock(&host, &mut registry, 2, U256::ZERO, 8).unwrap();
        pause(&host, &mut registry);
        slash(&host, &mut registry, 1, 1_000).unwrap();
        let mut expected = vec![report(PROVIDER, ct(9_000))];
        if share == 0 {
            expected.extend(burn(ct(1_000)));
            assert_eq!(last_slash(&host), (ct(1_000), U256::ZERO, ct(1_000)));
        } else {
            expected.extend(pay(BENEFICIARY, ct(1_000)));
            assert_eq!(last_slash(&host), (ct(1_000), ct(1_000), U256::ZERO));
        }
        assert_eq!(sent(&host), expected);
        // slashBps 0: the job fails without a penalty.
        clear(&host);
        slash(&host, &mut registry, 2, 0).unwrap();
        assert_eq!(last_slash(&host), (U256::ZERO, U256::ZERO, U256::ZERO));
        assert_eq!(sent(&host), vec![report(PROVIDER, ct(9_000))]);
        assert_eq!(registry.provider_info(PROVIDER).10, 2);
    }
}

#[test]
fn slash_job_errors() {
    let (host, mut registry) = staked(ct(10_000));
    lock(&host, &mut registry, 1, U256::ZERO, 8).unwrap();
    clear(&host);
    rejects(&host, unauthorized(MANAGER, SLASHER_ROLE), || {
        as_role(&host, MANAGER, || {
            registry.slash_job(PROVIDER, job(1), U256::ZERO, BENEFICIARY)
        })
    });
    host.vm.set_sender(SLASHER);
    // The beneficiary is checked before the lock.
    rejects(&host, Error::ZeroAddress(RegistryZeroAddress {}), || {
        registry.slash_job(PROVIDER, job(99), U256::ZERO, Address::ZERO)
    });
    for (who, n) in [(PROVIDER, 99), (OTHER, 1)] {
        rejects(&host, unknown_lock(who, n), || {
            registry.slash_job(who, job(n), U256::ZERO, BENEFICIARY)
        });
    }
    // A released job, or one already slashed, cannot be slashed.
    release(&host, &mut registry, 1).unwrap();
    rejects(&host, unknown_lock(PROVIDER, 1), || {
        slash(&host, &mut registry, 1, 1_000)
    });
    lock(&host, &mut registry, 2, U256::ZERO, 8).unwrap();
    slash(&host, &mut registry, 2, 1_000).unwrap();
    rejects(&host, unknown_lock(PROVIDER, 2), || {
        slash(&host, &mut registry, 2, 1_000)
    });
}

#[test]
fn slash_job_fails_when_the_token_or_emissions_misbehave() {
    let half = ct(500);
    for (mode, share, expected) in [
        (Mode::Revert, 5_000, call_failed(TOKEN, TOKEN_REVERT)),
        (
            Mode::ReturnFalse,
            5_000,
            call_failed(TOKEN, &false.abi_encode()),
        ),
        (
            Mode::ReturnTwoWords,
            5_000,
            call_failed(TOKEN, &(true, true).abi_encode_params()),
        ),
        (Mode::BrokenViews, 5_000, call_failed(TOKEN, &[])),
        // The transfer to the beneficiary takes 2 wei more from the registry.
        (
            Mode::Drain(wei(2)),
            5_000,
            delta_mismatch(half, half + wei(2)),
        ),
        // Only a burn, which takes 2 wei more.
        (
            Mode::Drain(wei(2)),
            0,
            delta_mismatch(ct(1_000), ct(1_000) + wei(2)),
        ),
        (Mode::Revert, 0, call_failed(TOKEN, TOKEN_REVERT)),
    ] {
        let (host, mut registry) = staked(ct(10_000));
        set_param(
            &host,
            &mut registry,
            CHALLENGER_SHARE_BPS,
            U256::from(share),
        );
        lock(&host, &mut registry, 1, ct(100), 8).unwrap();
        host.token.borrow_mut().mode = mode;
        fails(&host, expected, || slash(&host, &mut registry, 1, 1_000));
        // Rolled back: the lock is still there, and the slash goes through once the token behaves.
        assert_eq!(registry.job_lock(PROVIDER, job(1)), (ct(100), ct(10_000)));
        host.token.borrow_mut().mode = Mode::Normal;
        slash(&host, &mut registry, 1, 1_000).unwrap();
        assert_eq!(host.token.borrow().balance(REGISTRY), ct(9_000), "{mode:?}");
    }
    // A fee taken from the beneficiary, or a transfer returning nothing: accepted.
    for mode in [Mode::Fee(wei(1)), Mode::ReturnNothing] {
        let (host, mut registry) = staked(ct(10_000));
        lock(&host, &mut registry, 1, U256::ZERO, 8).unwrap();
        host.token.borrow_mut().mode = mode;
        slash(&host, &mut registry, 1, 1_000).unwrap();
        assert_eq!(host.token.borrow().balance(REGISTRY), ct(9_000));
    }
    // A failed report: nothing is paid (the report comes first) and everything is undone.
    let (host, mut registry) = staked(ct(10_000));
    lock(&host, &mut registry, 1, U256::ZERO, 8).unwrap();
    clear(&host);
    host.emissions.borrow_mut().revert_with = Some(reporter_missing());
    fails(&host, call_failed(EMISSIONS, &reporter_missing()), || {
        slash(&host, &mut registry, 1, 1_000)
    });
    assert_eq!(sent(&host), vec![report(PROVIDER, ct(9_000))]);
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(10_000), U256::ZERO, U256::ZERO, 1)
    );
}

// ---------------------------------------------------------------------------------------------
// jail
// ---------------------------------------------------------------------------------------------

#[test]
fn jail_extends_only_works_on_any_address_and_reports_zero() {
    let (host, mut registry) = staked(ct(6_600));
    let vm = host.vm.clone();
    assert!(registry.is_eligible(PROVIDER));
    rejects(&host, unauthorized(PROVIDER, SLASHER_ROLE), || {
        registry.jail(PROVIDER, T0 + 10)
    });
    rejects(&host, unauthorized(MANAGER, SLASHER_ROLE), || {
        as_role(&host, MANAGER, || registry.jail(PROVIDER, T0 + 10))
    });
    pause(&host, &mut registry);
    vm.set_sender(SLASHER);
    registry.jail(PROVIDER, T0 + 100).unwrap();
    only_log(
        &vm,
        Jailed {
            provider: PROVIDER,
            until: T0 + 100,
        },
    );
    assert_eq!(sent(&host), vec![report(PROVIDER, U256::ZERO)]);
    assert!(!registry.is_eligible(PROVIDER));
    clear(&host);
    // A shorter jail keeps the longer one.
    registry.jail(PROVIDER, T0 + 50).unwrap();
    only_log(
        &vm,
        Jailed {
            provider: PROVIDER,
            until: T0 + 100,
        },
    );
    assert_eq!(sent(&host), vec![report(PROVIDER, U256::ZERO)]);
    assert_eq!(registry.provider_info(PROVIDER).8, T0 + 100);
    vm.set_block_timestamp(T0 + 99);
    assert!(!registry.is_eligible(PROVIDER));
    vm.set_block_timestamp(T0 + 100);
    assert!(registry.is_eligible(PROVIDER));
    // Any address, registered or not; a jail in the past changes nothing but the record.
    clear(&host);
    registry.jail(OTHER, T0 + 10).unwrap();
    only_log(
        &vm,
        Jailed {
            provider: OTHER,
            until: T0 + 10,
        },
    );
    assert_eq!(sent(&host), vec![report(OTHER, U256::ZERO)]);
    let info = registry.provider_info(OTHER);
    assert_eq!((info.0, info.8), (false, T0 + 10));
    // A failed report undoes the jail.
    host.emissions.borrow_mut().revert_with = Some(reporter_missing());
    fails(&host, call_failed(EMISSIONS, &reporter_missing()), || {
        registry.jail(PROVIDER, T0 + 1_000)
    });
    assert_eq!(registry.provider_info(PROVIDER).8, T0 + 100);
    assert!(registry.is_eligible(PROVIDER));
}

// ---------------------------------------------------------------------------------------------
// The sequences per-job locks exist for
// ---------------------------------------------------------------------------------------------

/// H-2 (crate docs, "Per-job locks"): job V is locked, then a big job A; A is slashed and released. V's lock stays
/// whole; the provider can neither deregister nor withdraw while V is open; V can still be
/// slashed and the provider jailed.
#[test]
fn h2_a_slash_of_one_job_never_shrinks_another_jobs_lock() {
    let (host, mut registry) = staked(ct(10_000));
    set_param(&host, &mut registry, MAX_SLASH_BPS, U256::from(2_000));
    lock(&host, &mut registry, 1, ct(1_000), 8).unwrap(); // V
    lock(&host, &mut registry, 2, ct(8_500), 8).unwrap(); // A
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(10_000), ct(9_500), U256::ZERO, 2)
    );
    clear(&host);
    slash(&host, &mut registry, 2, 2_000).unwrap();
    assert_eq!(last_slash(&host).0, ct(2_000));
    assert_eq!(
        logs_of::<StakeReleased>(&host.vm),
        vec![StakeReleased {
            provider: PROVIDER,
            jobId: job(2),
            amount: ct(8_500),
            lockedStake: ct(1_000),
            success: false,
        }]
    );
    assert_eq!(registry.job_lock(PROVIDER, job(1)), (ct(1_000), ct(10_000)));
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(8_000), ct(1_000), U256::ZERO, 1)
    );
    // V is open: no deregistration, no withdrawal (even of a matured request).
    rejects(&host, jobs_open(PROVIDER, 1), || registry.deregister());
    let id = registry.request_unbond(ct(7_000)).unwrap();
    host.vm.set_block_timestamp(T0 + 14 * DAY);
    rejects(&host, jobs_open(PROVIDER, 1), || registry.withdraw());
    // The slasher can still jail the provider and slash V.
    as_role(&host, SLASHER, || registry.jail(PROVIDER, T0 + 30 * DAY)).unwrap();
    clear(&host);
    slash(&host, &mut registry, 1, 1_000).unwrap();
    // 10% of V's 10,000 CT base, pro rata over 1,000 CT active and 7,000 CT unbonding.
    assert_eq!(last_slash(&host), (ct(1_000), ct(500), ct(500)));
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(875), U256::ZERO, ct(6_125), 0)
    );
    assert_eq!(registry.unbond_request(PROVIDER, id).0, ct(6_125));
    // With no job open, the provider may leave.
    assert_eq!(registry.withdraw(), Ok(ct(6_125)));
    registry.deregister().unwrap();
    assert_eq!(
        stakes(&registry, PROVIDER),
        (U256::ZERO, U256::ZERO, ct(875), 0)
    );
}

/// The locks always add up to `lockedStake`, also once a slash has left the active stake below
/// them (locks are never clamped; the provider then has no free stake until jobs end).
#[test]
fn locked_is_the_sum_of_open_locks_even_above_the_active_stake() {
    let (host, mut registry) = staked(ct(10_000));
    set_param(&host, &mut registry, MAX_SLASH_BPS, U256::from(2_000));
    lock(&host, &mut registry, 1, ct(6_000), 8).unwrap();
    lock(&host, &mut registry, 2, ct(3_000), 8).unwrap();
    lock(&host, &mut registry, 3, ct(1_000), 8).unwrap();
    assert_locks_add_up(&registry, 1..=4);
    slash(&host, &mut registry, 3, 2_000).unwrap();
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(8_000), ct(9_000), U256::ZERO, 2)
    );
    assert_locks_add_up(&registry, 1..=4);
    // No free stake: neither unbonding nor a new lock of a single wei; a lock of nothing is fine.
    rejects(&host, short_of_free(PROVIDER, U256::ZERO, wei(1)), || {
        registry.request_unbond(wei(1))
    });
    rejects(&host, short_of_free(PROVIDER, U256::ZERO, wei(1)), || {
        lock(&host, &mut registry, 4, wei(1), 8)
    });
    lock(&host, &mut registry, 4, U256::ZERO, 8).unwrap();
    assert_eq!(registry.job_lock(PROVIDER, job(4)), (U256::ZERO, ct(8_000)));
    assert_locks_add_up(&registry, 1..=4);
    // Releasing job 2 frees exactly its 3,000 CT: 2,000 CT free again.
    release(&host, &mut registry, 2).unwrap();
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(8_000), ct(6_000), U256::ZERO, 2)
    );
    assert_locks_add_up(&registry, 1..=4);
    registry.request_unbond(ct(2_000)).unwrap();
    // Job 1's slash: 20% of its 10,000 CT base, pro rata over 6,000 active and 2,000 unbonding.
    slash(&host, &mut registry, 1, 2_000).unwrap();
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(4_500), U256::ZERO, ct(1_500), 1)
    );
    assert_locks_add_up(&registry, 1..=4);
    release(&host, &mut registry, 4).unwrap();
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(4_500), U256::ZERO, ct(1_500), 0)
    );
    let info = registry.provider_info(PROVIDER);
    assert_eq!((info.9, info.10), (2, 2));
}

/// Whatever the provider does with its stake after acceptance, a job's penalty is computed from
/// the stake it had at acceptance (here 10% of 10,000 CT).
#[test]
fn the_penalty_base_is_fixed_at_acceptance() {
    for change in 0..4 {
        let (host, mut registry) = staked(ct(10_000));
        lock(&host, &mut registry, 1, ct(1_000), 8).unwrap();
        match change {
            0 => {}
            1 => registry.stake(ct(50_000)).unwrap(),
            2 => {
                registry.request_unbond(ct(9_000)).unwrap();
            }
            _ => {
                let id = registry.request_unbond(ct(9_000)).unwrap();
                registry.cancel_unbond(id).unwrap();
                set_param(&host, &mut registry, MIN_STAKE_BASE, ct(100));
            }
        }
        slash(&host, &mut registry, 1, 1_000).unwrap();
        assert_eq!(last_slash(&host), (ct(1_000), ct(500), ct(500)), "{change}");
    }
}

/// M-1 (crate docs, "Per-job locks"): a provider with 100,000 CT accepts a job, then unbonds 90,000 CT at once. After
/// the unbonding period it still cannot withdraw while the job is open, and the fraud slash (10%)
/// is 10,000 CT, not 10% of what was left active.
#[test]
fn m1_unbonding_after_acceptance_neither_shrinks_the_slash_nor_leaves_early() {
    let (host, mut registry) = staked(ct(100_000));
    lock(&host, &mut registry, 1, ct(10_000), 8).unwrap();
    let id = registry.request_unbond(ct(90_000)).unwrap();
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(10_000), ct(10_000), ct(90_000), 1)
    );
    host.vm.set_block_timestamp(T0 + 14 * DAY);
    rejects(&host, jobs_open(PROVIDER, 1), || registry.withdraw());
    slash(&host, &mut registry, 1, 1_000).unwrap();
    assert_eq!(last_slash(&host), (ct(10_000), ct(5_000), ct(5_000)));
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(9_000), U256::ZERO, ct(81_000), 0)
    );
    assert_eq!(registry.unbond_request(PROVIDER, id).0, ct(81_000));
    assert_eq!(registry.withdraw(), Ok(ct(81_000)));
    assert_eq!(host.token.borrow().balance(REGISTRY), ct(9_000));
}

#[test]
fn max_open_jobs_bounds_a_providers_open_jobs() {
    let (host, mut registry) = staked(ct(10_000));
    for n in 0..64 {
        lock(&host, &mut registry, n, U256::ZERO, 1).unwrap();
    }
    rejects(&host, too_many_open(PROVIDER, 64), || {
        lock(&host, &mut registry, 64, U256::ZERO, 1)
    });
    release(&host, &mut registry, 0).unwrap();
    lock(&host, &mut registry, 64, U256::ZERO, 1).unwrap();
    // Lowered below the open count: no new job, but the open ones still end.
    set_param(&host, &mut registry, MAX_OPEN_JOBS, U256::from(1));
    rejects(&host, too_many_open(PROVIDER, 1), || {
        lock(&host, &mut registry, 65, U256::ZERO, 1)
    });
    release(&host, &mut registry, 1).unwrap();
    slash(&host, &mut registry, 2, 1_000).unwrap();
    assert_eq!(stakes(&registry, PROVIDER).3, 62);
}
