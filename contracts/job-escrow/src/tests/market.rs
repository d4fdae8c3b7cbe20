//! Unit tests of auctions: `createJobFor` (a `MARKET_ROLE` holder opens a job for a requester and is
//! named as its provider), `award` (only that market, at a price up to the job's, unlocking the
//! credits above the new maxCost at once, then starting the job as `acceptJob` does), and the
//! rules for cancelling and accepting a market's job. Helpers and fixtures are in the parent module.

use alloy_primitives::{uint, Address, B256, U256};
use alloy_sol_types::SolError;
use testing::logs_of;

use super::*;

/// The auction's bid window plus the time to close it.
const OPEN_SECONDS: u64 = 3_600;
/// The winning bid: 1.5 USD per GPU-hour (the job's maximum is 2).
const AWARD_PRICE: U256 = uint!(1_500_000_U256);
/// 1.5 USD × 8 × 2 h = 24 USD.
const AWARD_MAX_COST: U256 = uint!(24_000_000_U256);
/// 32 − 24 USD, unlocked at the award.
const AWARD_REFUND: U256 = uint!(8_000_000_U256);
/// 2 × 24 USD at 0.50 USD per CT = 96 CT.
const AWARD_STAKE: U256 = uint!(96_000000000000000000_U256);

/// `deploy` + job 1 opened by `MARKET` for `REQUESTER` at `T0` (the standard job at its maximum
/// price, open for `OPEN_SECONDS`); the caller is `MARKET`.
fn auction() -> Env {
    let mut env = deploy();
    env.at(MARKET);
    env.escrow
        .create_job_for(REQUESTER, SPEC, GPUS, DURATION, PRICE, OPEN_SECONDS)
        .unwrap();
    env.clear();
    env
}

#[test]
fn create_job_for_names_the_market() {
    let mut env = deploy();
    env.at(MARKET);
    assert_eq!(
        env.escrow
            .create_job_for(REQUESTER, SPEC, GPUS, DURATION, PRICE, OPEN_SECONDS),
        Ok(id(1))
    );
    assert_eq!(env.calls(), vec![lock_credits(REQUESTER, MAX_COST)]);
    assert_eq!(
        logs_of::<JobCreated>(env.vm()),
        vec![JobCreated {
            jobId: id(1),
            requester: REQUESTER,
            provider: MARKET,
            specHash: SPEC,
            gpuCount: GPUS,
            maxDuration: DURATION,
            pricePerGpuHour: PRICE,
            maxCost: MAX_COST,
            acceptDeadline: T0 + OPEN_SECONDS,
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
    assert_eq!(
        env.job(id(1)),
        words((
            OPEN,
            REQUESTER,
            MARKET,
            SPEC,
            B256::ZERO,
            GPUS,
            DURATION,
            PRICE,
            MAX_COST,
            U256::ZERO,
            0,
            U256::ZERO,
            T0 + OPEN_SECONDS
        ))
    );
    assert_slots(&env, id(1));
    assert_eq!(env.controller.borrow().locked_of(REQUESTER), MAX_COST);
    // The opening time is the market's, not acceptWindow: up to 30 days.
    env.escrow
        .create_job_for(REQUESTER2, SPEC, 1, 1, U256::from(1), MAX_JOB_DURATION)
        .unwrap();
    assert_eq!(env.job(id(2))[F_UNTIL], U256::from(T0 + MAX_JOB_DURATION));
}

#[test]
fn create_job_for_checks() {
    let mut env = deploy();
    for caller in [REQUESTER, OTHER, PROVIDER, ADMIN] {
        env.at(caller);
        env.rejects(unauthorized(caller, MARKET_ROLE), |e| {
            e.create_job_for(REQUESTER, SPEC, GPUS, DURATION, PRICE, OPEN_SECONDS)
        });
    }
    env.at(MARKET);
    env.rejects(Error::ZeroAddress(JobEscrowZeroAddress {}), |e| {
        e.create_job_for(Address::ZERO, SPEC, GPUS, DURATION, PRICE, OPEN_SECONDS)
    });
    for open_seconds in [0, MAX_JOB_DURATION + 1, u64::MAX] {
        env.rejects(
            Error::InvalidDuration(JobEscrowInvalidDuration {
                maxDuration: open_seconds,
                maxAllowed: MAX_JOB_DURATION,
            }),
            |e| e.create_job_for(REQUESTER, SPEC, GPUS, DURATION, PRICE, open_seconds),
        );
    }
    // The job's own checks, as createJob's.
    env.rejects(
        Error::InvalidGpuCount(JobEscrowInvalidGpuCount {
            gpuCount: 0,
            maxGpuCount: MAX_GPU_COUNT,
        }),
        |e| e.create_job_for(REQUESTER, SPEC, 0, DURATION, PRICE, OPEN_SECONDS),
    );
    env.rejects(
        Error::InvalidDuration(JobEscrowInvalidDuration {
            maxDuration: 0,
            maxAllowed: MAX_JOB_DURATION,
        }),
        |e| e.create_job_for(REQUESTER, SPEC, GPUS, 0, PRICE, OPEN_SECONDS),
    );
    env.rejects(
        Error::InvalidPrice(JobEscrowInvalidPrice {
            price: U256::ZERO,
            maxPrice: U256::ZERO,
        }),
        |e| e.create_job_for(REQUESTER, SPEC, GPUS, DURATION, U256::ZERO, OPEN_SECONDS),
    );
    env.rejects(overflow(), |e| {
        e.create_job_for(REQUESTER, SPEC, GPUS, DURATION, U256::MAX, OPEN_SECONDS)
    });
    // A requester without credits: the controller refuses, the chain undoes the job.
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
        |e| e.create_job_for(OTHER, SPEC, GPUS, DURATION, PRICE, OPEN_SECONDS),
    );
    assert_eq!(env.escrow.job_count(), U256::ZERO);
    pause(&mut env);
    env.rejects(enforced_pause(), |e| {
        e.create_job_for(REQUESTER, SPEC, GPUS, DURATION, PRICE, OPEN_SECONDS)
    });
}

#[test]
fn award_unlocks_the_difference_and_starts_the_job() {
    let mut env = auction();
    env.warp(T0 + OPEN_SECONDS - 1);
    env.escrow.award(id(1), PROVIDER, AWARD_PRICE).unwrap();
    assert_eq!(
        env.calls(),
        vec![
            quote(AWARD_MAX_COST * U256::from(2)),
            unlock_credits(REQUESTER, AWARD_REFUND),
            lock_stake(PROVIDER, 1, AWARD_STAKE, GPUS),
        ]
    );
    let deadline = T0 + OPEN_SECONDS - 1 + DURATION + 3_600;
    assert_eq!(
        logs_of::<JobAccepted>(env.vm()),
        vec![JobAccepted {
            jobId: id(1),
            provider: PROVIDER,
            pricePerGpuHour: AWARD_PRICE,
            maxCost: AWARD_MAX_COST,
            refunded: AWARD_REFUND,
            stakeLocked: AWARD_STAKE,
            deadline,
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
    // The job now carries the winning price and ceiling.
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
            AWARD_PRICE,
            AWARD_MAX_COST,
            U256::ZERO,
            0,
            U256::ZERO,
            deadline
        ))
    );
    assert_slots(&env, id(1));
    let c = env.controller.borrow();
    assert_eq!(c.locked_of(REQUESTER), AWARD_MAX_COST);
    assert_eq!(c.free_of(REQUESTER), CREDITS - AWARD_MAX_COST);
    drop(c);
    assert_eq!(
        env.registry.borrow().locks[&(PROVIDER, id(1))],
        (AWARD_STAKE, ct(1_100_000))
    );

    // The winner runs it at its price: 1.5 USD × 8 × 1.5 h = 18 USD; settle refunds 24 − 18.
    env.at(PROVIDER);
    env.escrow.submit_result(id(1), RESULT, USED).unwrap();
    let cost = uint!(18_000_000_U256);
    assert_eq!(env.job(id(1))[F_COST], cost);
    env.at(REQUESTER);
    env.clear();
    env.escrow.approve_result(id(1)).unwrap();
    assert_eq!(
        env.calls(),
        vec![
            settle_call(REQUESTER, PROVIDER, cost, AWARD_MAX_COST - cost),
            release_stake(PROVIDER, 1),
        ]
    );
    // Settled + refunded (at the award and at the end) = the credits locked at creation.
    let c = env.controller.borrow();
    assert_eq!(c.settled[&PROVIDER], cost);
    assert_eq!(cost + (AWARD_MAX_COST - cost) + AWARD_REFUND, MAX_COST);
    assert_eq!(c.free_of(REQUESTER), CREDITS - cost);
    assert_eq!(c.locked_of(REQUESTER), U256::ZERO);
}

#[test]
fn award_at_the_maximum_price_unlocks_nothing() {
    let mut env = auction();
    env.escrow.award(id(1), PROVIDER2, PRICE).unwrap();
    assert_eq!(
        env.calls(),
        vec![
            quote(MAX_COST * U256::from(2)),
            lock_stake(PROVIDER2, 1, STAKE, GPUS)
        ]
    );
    let log = &logs_of::<JobAccepted>(env.vm())[0];
    assert_eq!(
        (log.pricePerGpuHour, log.maxCost, log.refunded),
        (PRICE, MAX_COST, U256::ZERO)
    );
    assert_eq!(env.controller.borrow().locked_of(REQUESTER), MAX_COST);
}

/// The new ceiling rounds up, so the refund rounds down: 10 → 7 credits per GPU-hour for 1 GPU,
/// 1_000 s: ⌈2.77…⌉ = 3 → ⌈1.94…⌉ = 2, refund 1.
#[test]
fn award_rounds_the_new_ceiling_up() {
    let mut env = deploy();
    env.at(MARKET);
    env.escrow
        .create_job_for(REQUESTER, SPEC, 1, 1_000, U256::from(10), OPEN_SECONDS)
        .unwrap();
    assert_eq!(env.job(id(1))[F_MAX_COST], U256::from(3));
    env.clear();
    env.escrow.award(id(1), PROVIDER, U256::from(7)).unwrap();
    assert_eq!(
        env.calls(),
        vec![
            quote(U256::from(4)),
            unlock_credits(REQUESTER, U256::from(1)),
            lock_stake(PROVIDER, 1, U256::from(8_000_000_000_000u64), 1),
        ]
    );
    assert_eq!(env.job(id(1))[F_MAX_COST], U256::from(2));
    // The smallest price: 1 → ⌈0.27…⌉ = 1, refund 2.
    env.escrow
        .create_job_for(REQUESTER, SPEC, 1, 1_000, U256::from(10), OPEN_SECONDS)
        .unwrap();
    env.escrow.award(id(2), PROVIDER, U256::from(1)).unwrap();
    assert_eq!(env.job(id(2))[F_MAX_COST], U256::from(1));
    assert_eq!(logs_of::<JobAccepted>(env.vm())[1].refunded, U256::from(2));
}

#[test]
fn award_price_bounds() {
    let mut env = auction();
    for price in [U256::ZERO, PRICE + U256::from(1), U256::MAX] {
        env.rejects(
            Error::InvalidPrice(JobEscrowInvalidPrice {
                price,
                maxPrice: PRICE,
            }),
            |e| e.award(id(1), PROVIDER, price),
        );
    }
    env.escrow.award(id(1), PROVIDER, U256::from(1)).unwrap();
    assert_eq!(env.job(id(1))[F_PRICE], U256::from(1));
}

#[test]
fn award_checks_the_caller_the_job_and_the_winner() {
    let mut env = auction();
    // Not a market.
    for caller in [REQUESTER, PROVIDER, OTHER, ADMIN] {
        env.at(caller);
        env.rejects(unauthorized(caller, MARKET_ROLE), |e| {
            e.award(id(1), PROVIDER, AWARD_PRICE)
        });
    }
    // Another market.
    env.at(MARKET2);
    env.rejects(not_requester(1, MARKET2), |e| {
        e.award(id(1), PROVIDER, AWARD_PRICE)
    });
    // A job the market did not open.
    env.at(REQUESTER);
    env.escrow
        .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
        .unwrap();
    env.at(MARKET);
    env.rejects(not_requester(2, MARKET), |e| {
        e.award(id(2), PROVIDER, AWARD_PRICE)
    });
    env.rejects(invalid_state(3, NONE), |e| {
        e.award(id(3), PROVIDER, AWARD_PRICE)
    });
    // The requester cannot win its own job; nor can nobody.
    env.rejects(not_provider(1, REQUESTER), |e| {
        e.award(id(1), REQUESTER, AWARD_PRICE)
    });
    env.rejects(not_provider(1, Address::ZERO), |e| {
        e.award(id(1), Address::ZERO, AWARD_PRICE)
    });
    // A stale price: the quote fails before any effect, the refund included.
    env.controller.borrow_mut().set_stale();
    let reason = stale(&env);
    env.rejects(failed(CONTROLLER, reason), |e| {
        e.award(id(1), PROVIDER, AWARD_PRICE)
    });
    env.controller.borrow_mut().set_fresh();
    // Paused.
    pause(&mut env);
    env.rejects(enforced_pause(), |e| e.award(id(1), PROVIDER, AWARD_PRICE));
    env.at(PAUSER);
    env.escrow.unpause().unwrap();
    env.at(MARKET);
    // The deadline.
    env.warp(T0 + OPEN_SECONDS);
    env.rejects(late(1, T0 + OPEN_SECONDS), |e| {
        e.award(id(1), PROVIDER, AWARD_PRICE)
    });
    env.warp(T0 + OPEN_SECONDS - 1);
    env.escrow.award(id(1), PROVIDER, AWARD_PRICE).unwrap();
    env.rejects(invalid_state(1, RUNNING), |e| {
        e.award(id(1), PROVIDER2, AWARD_PRICE)
    });
    // A market that lost its role can no longer award.
    env.at(MARKET);
    env.escrow
        .create_job_for(REQUESTER, SPEC, GPUS, DURATION, PRICE, OPEN_SECONDS)
        .unwrap();
    env.at(ADMIN);
    env.escrow.revoke_role(MARKET_ROLE, MARKET).unwrap();
    env.at(MARKET);
    env.rejects(unauthorized(MARKET, MARKET_ROLE), |e| {
        e.award(id(3), PROVIDER, AWARD_PRICE)
    });
}

/// The registry refuses the winner (here: jailed): the chain undoes the award, the early refund
/// included, and the market can award another bidder.
#[test]
fn award_undone_when_the_registry_refuses() {
    let mut env = auction();
    env.registry
        .borrow_mut()
        .providers
        .get_mut(&PROVIDER)
        .unwrap()
        .jailed_until = T0 + 1;
    env.fails(
        failed(
            REGISTRY,
            RegistryNotEligible { provider: PROVIDER }.abi_encode(),
        ),
        |e| e.award(id(1), PROVIDER, AWARD_PRICE),
    );
    assert_eq!(
        env.calls(),
        vec![
            quote(AWARD_MAX_COST * U256::from(2)),
            unlock_credits(REQUESTER, AWARD_REFUND),
            lock_stake(PROVIDER, 1, AWARD_STAKE, GPUS),
        ]
    );
    assert_eq!(env.state(id(1)), OPEN);
    assert_eq!(env.job(id(1))[F_MAX_COST], MAX_COST);
    assert_eq!(env.controller.borrow().locked_of(REQUESTER), MAX_COST);
    env.escrow.award(id(1), PROVIDER2, AWARD_PRICE).unwrap();
    assert_eq!(env.job(id(1))[F_PROVIDER], word(PROVIDER2));
}

/// `acceptJob` never starts a market's job: the named provider is the market, so every provider is
/// refused before any effect.
#[test]
fn accept_job_refuses_a_market_job() {
    let mut env = auction();
    for caller in [PROVIDER, PROVIDER2, OTHER, REQUESTER, MARKET2] {
        env.at(caller);
        env.rejects(not_provider(1, caller), |e| e.accept_job(id(1)));
    }
    assert!(env.calls().is_empty());
    assert_eq!(env.state(id(1)), OPEN);
}

/// `acceptJob` by the market itself: the crate docs say "never on a job a market opened" and
/// `JobEscrowNotProvider(jobId, caller)` "if … a market is named". Here the market is also a
/// registered provider, so without that check it would take the job at the maximum price, outside
/// its own auction.
#[test]
fn accept_job_refuses_a_market_job_for_the_market_too() {
    let mut env = auction();
    env.registry
        .borrow_mut()
        .register(MARKET, PROVIDER_GPUS, ct(1_000_000));
    env.rejects(not_provider(1, MARKET), |e| e.accept_job(id(1)));
}

#[test]
fn market_job_cancel_rules() {
    let mut env = auction();
    // Before the deadline only the market cancels; the requester and others are too early.
    env.warp(T0 + OPEN_SECONDS - 1);
    for caller in [REQUESTER, OTHER, MARKET2, PROVIDER] {
        env.at(caller);
        env.rejects(early(1, T0 + OPEN_SECONDS), |e| e.cancel_job(id(1)));
    }
    env.at(MARKET);
    pause(&mut env);
    env.escrow.cancel_job(id(1)).unwrap();
    assert_eq!(env.calls(), vec![unlock_credits(REQUESTER, MAX_COST)]);
    assert_eq!(
        logs_of::<JobCancelled>(env.vm()),
        vec![JobCancelled {
            jobId: id(1),
            caller: MARKET,
            refunded: MAX_COST
        }]
    );
    assert_eq!(env.state(id(1)), CANCELLED);
    assert_eq!(env.controller.borrow().free_of(REQUESTER), CREDITS);
    env.at(PAUSER);
    env.escrow.unpause().unwrap();
    env.at(MARKET);
    env.rejects(invalid_state(1, CANCELLED), |e| {
        e.award(id(1), PROVIDER, AWARD_PRICE)
    });

    // From the deadline anyone cancels.
    let mut env = auction();
    env.warp(T0 + OPEN_SECONDS);
    env.at(OTHER);
    env.escrow.cancel_job(id(1)).unwrap();
    assert_eq!(logs_of::<JobCancelled>(env.vm())[0].caller, OTHER);

    // A market that lost its role no longer owns its jobs: the requester does again.
    let mut env = auction();
    env.at(ADMIN);
    env.escrow.revoke_role(MARKET_ROLE, MARKET).unwrap();
    env.at(MARKET);
    env.rejects(early(1, T0 + OPEN_SECONDS), |e| e.cancel_job(id(1)));
    env.at(REQUESTER);
    env.escrow.cancel_job(id(1)).unwrap();
    assert_eq!(env.state(id(1)), CANCELLED);
}

/// A requester that names a market as the provider with `createJob` keeps its job: the docs give a
/// job to the market only when the market opened it (`cancelJob`: "the requester (for a job a
/// market opened: that market)"; `award`: `JobEscrowNotRequester(jobId, caller)` "unless the caller
/// opened the job"). Either `createJob` refuses to name a market, or the market can neither award
/// the job nor keep the requester from cancelling it (`createJob` refuses).
#[test]
fn a_requester_naming_a_market_keeps_its_job() {
    let mut env = deploy();
    match env.tx(|e| e.create_job(MARKET, SPEC, GPUS, DURATION, PRICE)) {
        Err(error) => assert_eq!(error, not_provider(1, MARKET)),
        Ok(_) => {
            env.at(MARKET);
            env.rejects(not_requester(1, MARKET), |e| {
                e.award(id(1), PROVIDER, AWARD_PRICE)
            });
            env.at(REQUESTER);
            env.escrow.cancel_job(id(1)).unwrap();
        }
    }
}
