//! Unit tests of opening and starting a job: `createJob` (maxCost, rounding, checks, credits),
//! `cancelJob` (who may cancel when) and `acceptJob` (collateral in the registry, rounding, the
//! named provider, the registry's refusals). Helpers and fixtures are in the parent module.

use super::*;

// ---------------------------------------------------------------------------------------------
// createJob
// ---------------------------------------------------------------------------------------------

#[test]
fn create_job_locks_max_cost_and_logs() {
    let mut env = deploy();
    assert_eq!(
        env.escrow.create_job(PROVIDER, SPEC, GPUS, DURATION, PRICE),
        Ok(id(1))
    );
    assert_eq!(env.calls(), vec![lock_credits(REQUESTER, MAX_COST)]);
    assert_eq!(
        logs_of::<JobCreated>(env.vm()),
        vec![JobCreated {
            jobId: id(1),
            requester: REQUESTER,
            provider: PROVIDER,
            specHash: SPEC,
            gpuCount: GPUS,
            maxDuration: DURATION,
            pricePerGpuHour: PRICE,
            maxCost: MAX_COST,
            acceptDeadline: T0 + 1_800,
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
    assert_eq!(
        env.job(id(1)),
        words((
            OPEN,
            REQUESTER,
            PROVIDER,
            SPEC,
            B256::ZERO,
            GPUS,
            DURATION,
            PRICE,
            MAX_COST,
            U256::ZERO,
            0,
            U256::ZERO,
            T0 + 1_800
        ))
    );
    assert_eq!(
        env.escrow.job_slots(id(1))[0],
        packed(OPEN, GPUS, DURATION, 0, T0 + 1_800)
    );
    assert_slots(&env, id(1));
    assert_eq!(env.escrow.job_count(), id(1));
    let c = env.controller.borrow();
    assert_eq!(c.locked_of(REQUESTER), MAX_COST);
    assert_eq!(c.free_of(REQUESTER), CREDITS - MAX_COST);
    drop(c);
    // Ids increase; an unknown id reads as zeros.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    assert_eq!(env.escrow.job_count(), id(2));
    assert_eq!(env.job(id(3)), [U256::ZERO; JOB_FIELDS]);
    assert_eq!(env.escrow.job_slots(id(3)), [U256::ZERO; JOB_SLOTS]);
}

#[test]
fn create_job_rounds_max_cost_up_and_takes_the_largest_job() {
    let mut env = deploy();
    // 1 credit unit per GPU-hour for 1 GPU-second: 1/3600 rounds up to 1.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    assert_eq!(env.job(id(1))[F_MAX_COST], U256::from(1));
    // The bounds themselves: 3 × 1024 × 2_592_000 / 3600 = 2_211_840 exactly.
    env.escrow
        .create_job(
            Address::ZERO,
            SPEC,
            MAX_GPU_COUNT,
            MAX_JOB_DURATION,
            U256::from(3),
        )
        .unwrap();
    assert_eq!(env.job(id(2))[F_MAX_COST], U256::from(2_211_840u64));
    assert_slots(&env, id(2));
    // 7 × 1 × 1000 / 3600 = 1.94… → 2.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1_000, U256::from(7))
        .unwrap();
    assert_eq!(env.job(id(3))[F_MAX_COST], U256::from(2));
}

#[test]
fn create_job_checks() {
    let mut env = deploy();
    let bad_gpu = |g| {
        Error::InvalidGpuCount(JobEscrowInvalidGpuCount {
            gpuCount: g,
            maxGpuCount: 1024,
        })
    };
    let bad_duration = |d| {
        Error::InvalidDuration(JobEscrowInvalidDuration {
            maxDuration: d,
            maxAllowed: MAX_JOB_DURATION,
        })
    };
    for (gpus, duration, price, expected) in [
        (0, DURATION, PRICE, bad_gpu(0)),
        (1025, DURATION, PRICE, bad_gpu(1025)),
        (u32::MAX, DURATION, PRICE, bad_gpu(u32::MAX)),
        (GPUS, 0, PRICE, bad_duration(0)),
        (
            GPUS,
            MAX_JOB_DURATION + 1,
            PRICE,
            bad_duration(MAX_JOB_DURATION + 1),
        ),
        (
            GPUS,
            DURATION,
            U256::ZERO,
            Error::InvalidPrice(JobEscrowInvalidPrice {
                price: U256::ZERO,
                maxPrice: U256::ZERO,
            }),
        ),
        // price × gpuCount × maxDuration ≥ 2^256 (8 × 7_200 = 57_600 GPU-seconds).
        (GPUS, DURATION, U256::MAX, overflow()),
        (
            GPUS,
            DURATION,
            U256::MAX / U256::from(57_600) + U256::from(1),
            overflow(),
        ),
    ] {
        env.rejects(expected, |e| {
            e.create_job(Address::ZERO, SPEC, gpus, duration, price)
        });
    }
    assert!(env.calls().is_empty());
    // The largest price that does not overflow.
    env.controller
        .borrow_mut()
        .free
        .insert(REQUESTER, U256::MAX);
    let price = U256::MAX / U256::from(57_600);
    env.escrow
        .create_job(Address::ZERO, SPEC, GPUS, DURATION, price)
        .unwrap();
    assert_eq!(
        env.job(id(1))[F_MAX_COST],
        (price * U256::from(57_600)).div_ceil(U256::from(3_600))
    );
    pause(&mut env);
    env.rejects(enforced_pause(), |e| {
        e.create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
    });
}

/// `lockCredits` fails after the escrow wrote the job: the chain reverts everything.
#[test]
fn create_job_fails_without_credits() {
    let mut env = deploy();
    env.at(OTHER);
    env.fails(
        failed(
            CONTROLLER,
            BmeInsufficientCredits {
                account: OTHER,
                available: U256::ZERO,
                needed: MAX_COST,
            }
            .abi_encode(),
        ),
        |e| e.create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE),
    );
    assert_eq!(env.calls(), vec![lock_credits(OTHER, MAX_COST)]);
    assert_eq!(env.escrow.job_count(), U256::ZERO);
    assert!(env.vm().get_emitted_logs().is_empty());
    // The escrow without ESCROW_ROLE in the controller.
    env.at(REQUESTER);
    env.controller.borrow_mut().escrows.clear();
    env.fails(
        failed(
            CONTROLLER,
            AccessControlUnauthorizedAccount {
                account: ESCROW,
                neededRole: common::roles::ESCROW_ROLE,
            }
            .abi_encode(),
        ),
        |e| e.create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE),
    );
}

// ---------------------------------------------------------------------------------------------
// cancelJob
// ---------------------------------------------------------------------------------------------

#[test]
fn requester_cancels_any_time_before_acceptance() {
    let mut env = open();
    env.warp(T0 + 1_799);
    pause(&mut env); // cancelling is an exit: allowed while paused
    env.escrow.cancel_job(id(1)).unwrap();
    assert_eq!(env.calls(), vec![unlock_credits(REQUESTER, MAX_COST)]);
    assert_eq!(
        logs_of::<JobCancelled>(env.vm()),
        vec![JobCancelled {
            jobId: id(1),
            caller: REQUESTER,
            refunded: MAX_COST
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
    // Only the state changes.
    let expected = words((
        CANCELLED,
        REQUESTER,
        Address::ZERO,
        SPEC,
        B256::ZERO,
        GPUS,
        DURATION,
        PRICE,
        MAX_COST,
        U256::ZERO,
        0,
        U256::ZERO,
        T0 + 1_800,
    ));
    assert_eq!(env.job(id(1)), expected);
    assert_slots(&env, id(1));
    let c = env.controller.borrow();
    assert_eq!(c.locked_of(REQUESTER), U256::ZERO);
    assert_eq!(c.free_of(REQUESTER), CREDITS);
    drop(c);
    // Terminal: nothing more.
    for caller in [REQUESTER, PROVIDER, OTHER] {
        env.at(caller);
        env.rejects(invalid_state(1, CANCELLED), |e| e.cancel_job(id(1)));
    }
    env.at(PAUSER);
    env.escrow.unpause().unwrap();
    env.at(PROVIDER);
    env.rejects(invalid_state(1, CANCELLED), |e| e.accept_job(id(1)));
    assert_eq!(env.job(id(1)), expected);
}

#[test]
fn anyone_cancels_after_the_accept_window() {
    let mut env = open();
    env.at(OTHER);
    env.warp(T0 + 1_799);
    env.rejects(early(1, T0 + 1_800), |e| e.cancel_job(id(1)));
    env.at(PROVIDER);
    env.rejects(early(1, T0 + 1_800), |e| e.cancel_job(id(1)));
    env.at(OTHER);
    env.warp(T0 + 1_800);
    env.escrow.cancel_job(id(1)).unwrap();
    assert_eq!(
        logs_of::<JobCancelled>(env.vm()),
        vec![JobCancelled {
            jobId: id(1),
            caller: OTHER,
            refunded: MAX_COST
        }]
    );
    assert_eq!(env.calls(), vec![unlock_credits(REQUESTER, MAX_COST)]);
    assert_eq!(env.controller.borrow().free_of(REQUESTER), CREDITS);
}

#[test]
fn cancel_job_state_errors() {
    let mut env = running();
    env.at(REQUESTER);
    env.rejects(invalid_state(1, RUNNING), |e| e.cancel_job(id(1)));
    env.rejects(invalid_state(9, NONE), |e| e.cancel_job(id(9)));
    env.rejects(invalid_state(0, NONE), |e| e.cancel_job(U256::ZERO));
}

// ---------------------------------------------------------------------------------------------
// acceptJob
// ---------------------------------------------------------------------------------------------

#[test]
fn accept_job_locks_collateral_in_the_registry() {
    let mut env = open();
    env.warp(T0 + 100);
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    // ⌈32 USD × 20_000 / 10_000⌉ = 64 USD of CT.
    assert_eq!(
        env.calls(),
        vec![
            quote(MAX_COST * U256::from(2)),
            lock_stake(PROVIDER, 1, STAKE, GPUS),
        ]
    );
    assert_eq!(
        logs_of::<JobAccepted>(env.vm()),
        vec![JobAccepted {
            jobId: id(1),
            provider: PROVIDER,
            pricePerGpuHour: PRICE,
            maxCost: MAX_COST,
            refunded: U256::ZERO,
            stakeLocked: STAKE,
            deadline: RESULT_DEADLINE,
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
    assert_eq!(
        env.job(id(1)),
        words((
            RUNNING,
            REQUESTER,
            PROVIDER,
            SPEC,
            B256::ZERO,
            GPUS,
            DURATION,
            PRICE,
            MAX_COST,
            U256::ZERO,
            0,
            U256::ZERO,
            RESULT_DEADLINE
        ))
    );
    assert_eq!(
        env.escrow.job_slots(id(1))[0],
        packed(RUNNING, GPUS, DURATION, 0, RESULT_DEADLINE)
    );
    assert_slots(&env, id(1));
    // The registry keeps the lock, with the penalty base fixed now: 1M active + 100k unbonding.
    let reg = env.registry.borrow();
    assert_eq!(reg.locks[&(PROVIDER, id(1))], (STAKE, ct(1_100_000)));
    let p = reg.provider(PROVIDER);
    assert_eq!((p.locked, p.open_jobs), (STAKE, 1));
    drop(reg);
    // Credits are not touched.
    assert_eq!(env.controller.borrow().locked_of(REQUESTER), MAX_COST);
}

#[test]
fn collateral_rounds_up() {
    let mut env = deploy();
    // maxCost 1 credit unit; collateralBps 15_000: ⌈1.5⌉ = 2 credit units = 4e12 wei.
    set_param(&mut env, COLLATERAL_BPS, U256::from(15_000));
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    env.at(PROVIDER);
    env.clear();
    env.escrow.accept_job(id(1)).unwrap();
    let stake = U256::from(4_000_000_000_000u64);
    assert_eq!(
        env.calls(),
        vec![quote(U256::from(2)), lock_stake(PROVIDER, 1, stake, 1)]
    );
    assert_eq!(logs_of::<JobAccepted>(env.vm())[0].stakeLocked, stake);
    // The quote rounds up too: at 0.3 USD per CT, 2 credit units = ⌈6.66…e12⌉ wei.
    env.controller.borrow_mut().price = uint!(300_000_000_000_000_000_U256);
    env.at(REQUESTER);
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    env.at(PROVIDER);
    env.clear();
    env.escrow.accept_job(id(2)).unwrap();
    assert_eq!(
        logs_of::<JobAccepted>(env.vm())[0].stakeLocked,
        U256::from(6_666_666_666_667u64)
    );
}

#[test]
fn accept_job_named_provider_only() {
    let mut env = deploy();
    env.escrow
        .create_job(PROVIDER2, SPEC, GPUS, DURATION, PRICE)
        .unwrap();
    env.clear();
    for caller in [PROVIDER, OTHER, MARKET] {
        env.at(caller);
        env.rejects(not_provider(1, caller), |e| e.accept_job(id(1)));
    }
    env.at(PROVIDER2);
    env.escrow.accept_job(id(1)).unwrap();
    assert_eq!(env.job(id(1))[F_PROVIDER], word(PROVIDER2));
}

#[test]
fn accept_job_checks() {
    let mut env = open();
    // The requester cannot take its own job, even if it is an eligible provider.
    env.registry
        .borrow_mut()
        .register(REQUESTER, 16, ct(1_000_000));
    env.rejects(not_provider(1, REQUESTER), |e| e.accept_job(id(1)));
    env.at(PROVIDER);
    env.rejects(invalid_state(2, NONE), |e| e.accept_job(id(2)));
    // The accept window is [createdAt, createdAt + acceptWindow).
    env.warp(T0 + 1_800);
    env.rejects(late(1, T0 + 1_800), |e| e.accept_job(id(1)));
    env.warp(T0 + 1_799);
    // A stale price: quoteTokens reverts before any effect.
    env.controller.borrow_mut().set_stale();
    let reason = stale(&env);
    env.rejects(failed(CONTROLLER, reason), |e| e.accept_job(id(1)));
    env.controller.borrow_mut().set_fresh();
    // A malformed quote (two words).
    let two_words = [[0u8; 32], [1u8; 32]].concat();
    env.controller.borrow_mut().quote_return = Some(two_words.clone());
    env.rejects(failed(CONTROLLER, two_words), |e| e.accept_job(id(1)));
    env.controller.borrow_mut().quote_return = None;
    // Paused.
    pause(&mut env);
    env.rejects(enforced_pause(), |e| e.accept_job(id(1)));
    // Every check passed once unpaused.
    env.at(PAUSER);
    env.escrow.unpause().unwrap();
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.rejects(invalid_state(1, RUNNING), |e| e.accept_job(id(1)));
}

/// A maxCost whose collateral overflows: the escrow reverts before asking for a quote.
#[test]
fn accept_job_collateral_overflow() {
    let mut env = deploy();
    // maxCost = price (1 GPU-hour); price × 20_000 ≥ 2^256.
    let price = U256::MAX / U256::from(10_000);
    env.controller
        .borrow_mut()
        .free
        .insert(REQUESTER, U256::MAX);
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 3_600, price)
        .unwrap();
    env.at(PROVIDER);
    env.clear();
    env.rejects(overflow(), |e| e.accept_job(id(1)));
    assert!(env.calls().is_empty());
}

/// A change of the registry's state that makes it refuse something.
type Breaks = fn(&mut Registry);

/// The registry's refusals (contracts/provider-registry/src/lib.rs, `lockStake`) reach the caller
/// as `CallFailed(registry, reason)`; the chain undoes the acceptance.
#[test]
fn accept_job_registry_refusals() {
    let cases: [(&str, Breaks, Vec<u8>); 7] = [
        (
            "unregistered",
            |r| r.providers.get_mut(&PROVIDER).unwrap().registered = false,
            RegistryNotEligible { provider: PROVIDER }.abi_encode(),
        ),
        (
            "jailed",
            |r| r.providers.get_mut(&PROVIDER).unwrap().jailed_until = T0 + 101,
            RegistryNotEligible { provider: PROVIDER }.abi_encode(),
        ),
        (
            "below the required stake (5_000 + 16 × 200 CT)",
            |r| r.providers.get_mut(&PROVIDER).unwrap().active = ct(8_200) - U256::from(1),
            RegistryNotEligible { provider: PROVIDER }.abi_encode(),
        ),
        (
            "too few GPUs",
            |r| {
                let p = r.providers.get_mut(&PROVIDER).unwrap();
                p.gpu_count = GPUS - 1;
            },
            RegistryInsufficientGpus {
                provider: PROVIDER,
                needed: GPUS,
                registered: GPUS - 1,
            }
            .abi_encode(),
        ),
        (
            "maxOpenJobs reached",
            |r| {
                r.max_open_jobs = 2;
                r.providers.get_mut(&PROVIDER).unwrap().open_jobs = 2;
            },
            RegistryTooManyOpenJobs {
                provider: PROVIDER,
                maxOpenJobs: U256::from(2),
            }
            .abi_encode(),
        ),
        (
            "free stake below the collateral",
            |r| {
                let p = r.providers.get_mut(&PROVIDER).unwrap();
                p.locked = ct(1_000_000) - STAKE + U256::from(1);
            },
            RegistryInsufficientFreeStake {
                provider: PROVIDER,
                free: STAKE - U256::from(1),
                needed: STAKE,
            }
            .abi_encode(),
        ),
        (
            "the escrow lacks JOB_MANAGER_ROLE",
            |r| r.job_managers.clear(),
            AccessControlUnauthorizedAccount {
                account: ESCROW,
                neededRole: common::roles::JOB_MANAGER_ROLE,
            }
            .abi_encode(),
        ),
    ];
    for (what, break_it, reason) in cases {
        let mut env = open();
        env.warp(T0 + 100);
        env.at(PROVIDER);
        break_it(&mut env.registry.borrow_mut());
        let before = env.job(id(1));
        env.fails(failed(REGISTRY, reason), |e| e.accept_job(id(1)));
        assert_eq!(
            env.calls(),
            vec![
                quote(MAX_COST * U256::from(2)),
                lock_stake(PROVIDER, 1, STAKE, GPUS)
            ],
            "{what}"
        );
        assert_eq!(env.job(id(1)), before, "{what}");
        assert!(env.registry.borrow().locks.is_empty(), "{what}");
        // Another provider takes the job (the escrow's role given back).
        env.registry.borrow_mut().job_managers.insert(ESCROW);
        env.at(PROVIDER2);
        env.escrow.accept_job(id(1)).unwrap();
        assert_eq!(env.state(id(1)), RUNNING);
    }
}

/// The registry counts open jobs per provider (`maxOpenJobs`); ending a job frees a place.
#[test]
fn open_jobs_are_capped_by_the_registry() {
    let mut env = deploy();
    env.registry.borrow_mut().max_open_jobs = 2;
    for _ in 0..3 {
        env.escrow
            .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
            .unwrap();
    }
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.escrow.accept_job(id(2)).unwrap();
    env.fails(
        failed(
            REGISTRY,
            RegistryTooManyOpenJobs {
                provider: PROVIDER,
                maxOpenJobs: U256::from(2),
            }
            .abi_encode(),
        ),
        |e| e.accept_job(id(3)),
    );
    assert_eq!(env.state(id(3)), OPEN);
    env.escrow.submit_result(id(1), RESULT, USED).unwrap();
    env.at(REQUESTER);
    env.escrow.approve_result(id(1)).unwrap();
    env.at(PROVIDER);
    env.escrow.accept_job(id(3)).unwrap();
    let p = env.registry.borrow().provider(PROVIDER);
    assert_eq!(
        (p.open_jobs, p.locked, p.completed),
        (2, STAKE * U256::from(2), 1)
    );
}
