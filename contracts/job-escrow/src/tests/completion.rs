//! Unit tests of finishing a job: `submitResult` (usage pricing, the minimum charge, packed fields,
//! checks) and settlement by `approveResult`/`finalize` (one settle and one stake release, stale
//! prices, registry failures). Helpers and fixtures are in the parent module.

use super::*;

// ---------------------------------------------------------------------------------------------
// submitResult
// ---------------------------------------------------------------------------------------------

#[test]
fn submit_result_prices_usage_and_opens_the_window() {
    let mut env = running();
    env.warp(T0 + 6_000);
    env.at(PROVIDER);
    pause(&mut env); // not new business: allowed while paused
    env.escrow.submit_result(id(1), RESULT, USED).unwrap();
    assert!(env.calls().is_empty());
    assert_eq!(
        logs_of::<ResultSubmitted>(env.vm()),
        vec![ResultSubmitted {
            jobId: id(1),
            provider: PROVIDER,
            resultHash: RESULT,
            usedSeconds: USED,
            cost: COST,
            challengeDeadline: CHALLENGE_END,
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
    assert_eq!(
        env.job(id(1)),
        words((
            SUBMITTED,
            REQUESTER,
            PROVIDER,
            SPEC,
            RESULT,
            GPUS,
            DURATION,
            PRICE,
            MAX_COST,
            COST,
            USED,
            U256::ZERO,
            CHALLENGE_END
        ))
    );
    assert_eq!(
        env.escrow.job_slots(id(1))[0],
        packed(SUBMITTED, GPUS, DURATION, USED, CHALLENGE_END)
    );
    assert_slots(&env, id(1));
}

/// The packed slot keeps every field at its full width: the largest values round-trip.
#[test]
fn packed_fields_hold_their_largest_values() {
    let mut env = deploy();
    env.controller
        .borrow_mut()
        .free
        .insert(REQUESTER, U256::MAX);
    env.registry
        .borrow_mut()
        .providers
        .get_mut(&PROVIDER)
        .unwrap()
        .gpu_count = MAX_GPU_COUNT;
    env.escrow
        .create_job(
            Address::ZERO,
            SPEC,
            MAX_GPU_COUNT,
            MAX_JOB_DURATION,
            U256::from(1),
        )
        .unwrap();
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.escrow
        .submit_result(id(1), B256::repeat_byte(0xff), MAX_JOB_DURATION)
        .unwrap();
    let until = T0 + 86_400;
    assert_eq!(
        env.escrow.job_slots(id(1))[0],
        packed(
            SUBMITTED,
            MAX_GPU_COUNT,
            MAX_JOB_DURATION,
            MAX_JOB_DURATION,
            until
        )
    );
    let w = env.job(id(1));
    assert_eq!(w[F_GPU_COUNT], U256::from(MAX_GPU_COUNT));
    assert_eq!(w[F_MAX_DURATION], U256::from(MAX_JOB_DURATION));
    assert_eq!(w[F_USED_SECONDS], U256::from(MAX_JOB_DURATION));
    assert_eq!(w[F_UNTIL], U256::from(until));
    assert_eq!(w[F_RESULT_HASH], U256::MAX);
    // 1 × 1024 × 2_592_000 / 3600 = 737_280 credit units, billed in full.
    assert_eq!(w[F_COST], U256::from(737_280));
    assert_eq!(w[F_COST], w[F_MAX_COST]);
    assert_slots(&env, id(1));
}

#[test]
fn submit_result_charges_the_minimum() {
    for (duration, used, billed) in [
        (DURATION, 0, 3_600),     // min(3600, 7200) = 3600
        (DURATION, 100, 3_600),   // below the minimum
        (DURATION, 3_601, 3_601), // above it
        (DURATION, DURATION, DURATION),
        (1_800, 10, 1_800), // the minimum is capped by maxDuration
    ] {
        let mut env = deploy();
        env.escrow
            .create_job(Address::ZERO, SPEC, GPUS, duration, PRICE)
            .unwrap();
        env.at(PROVIDER);
        env.escrow.accept_job(id(1)).unwrap();
        env.escrow.submit_result(id(1), RESULT, used).unwrap();
        // price × gpus × billed / 3600, exact here.
        let expected = PRICE * U256::from(GPUS) * U256::from(billed) / U256::from(3_600);
        let w = env.job(id(1));
        assert_eq!(w[F_COST], expected, "{used}");
        assert_eq!(w[F_USED_SECONDS], U256::from(used));
        assert!(expected <= w[F_MAX_COST]);
    }
}

#[test]
fn submit_result_rounds_cost_down() {
    let mut env = deploy();
    set_param(&mut env, MIN_CHARGE_SECONDS, U256::ZERO);
    // 7 credits per GPU-hour, 1 GPU, 1_000 s used: 7000/3600 = 1.94 → 1; maxCost ⌈7⌉ = 7.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 3_600, U256::from(7))
        .unwrap();
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.escrow.submit_result(id(1), RESULT, 1_000).unwrap();
    assert_eq!(env.job(id(1))[F_COST], U256::from(1));
    assert_eq!(env.job(id(1))[F_MAX_COST], U256::from(7));
}

#[test]
fn submit_result_checks() {
    let mut env = running();
    for caller in [PROVIDER2, REQUESTER, OTHER] {
        env.at(caller);
        env.rejects(not_provider(1, caller), |e| {
            e.submit_result(id(1), RESULT, USED)
        });
    }
    env.at(PROVIDER);
    env.rejects(
        Error::UsageTooHigh(JobEscrowUsageTooHigh {
            usedSeconds: DURATION + 1,
            maxDuration: DURATION,
        }),
        |e| e.submit_result(id(1), RESULT, DURATION + 1),
    );
    env.warp(RESULT_DEADLINE);
    env.rejects(late(1, RESULT_DEADLINE), |e| {
        e.submit_result(id(1), RESULT, USED)
    });
    env.warp(RESULT_DEADLINE - 1);
    env.escrow.submit_result(id(1), RESULT, USED).unwrap();
    env.rejects(invalid_state(1, SUBMITTED), |e| {
        e.submit_result(id(1), RESULT, USED)
    });
    let mut env = open();
    env.at(PROVIDER);
    env.rejects(invalid_state(1, OPEN), |e| {
        e.submit_result(id(1), RESULT, USED)
    });
    env.rejects(invalid_state(2, NONE), |e| {
        e.submit_result(id(2), RESULT, USED)
    });
}

// ---------------------------------------------------------------------------------------------
// approveResult / finalize
// ---------------------------------------------------------------------------------------------

/// One `settle` of the cost with the rest as refund, one `releaseStake`.
pub(crate) fn completion_calls(cost: U256) -> Vec<Call> {
    vec![
        settle_call(REQUESTER, PROVIDER, cost, MAX_COST - cost),
        release_stake(PROVIDER, 1),
    ]
}

/// The models after the standard job completed at `cost`.
pub(crate) fn assert_completed(env: &Env, cost: U256) {
    assert_eq!(env.state(id(1)), COMPLETED);
    let c = env.controller.borrow();
    assert_eq!(c.settled.get(&PROVIDER).copied().unwrap_or_default(), cost);
    assert_eq!(c.locked_of(REQUESTER), U256::ZERO);
    assert_eq!(c.free_of(REQUESTER), CREDITS - cost);
    let reg = env.registry.borrow();
    let p = reg.provider(PROVIDER);
    assert_eq!(
        (p.locked, p.open_jobs, p.completed, p.failed),
        (U256::ZERO, 0, 1, 0)
    );
    assert!(reg.locks.is_empty());
    assert_eq!(p.active, ct(1_000_000));
    assert!(reg.slashes.is_empty());
}

#[test]
fn requester_approves_early() {
    let mut env = submitted();
    pause(&mut env);
    env.escrow.approve_result(id(1)).unwrap();
    assert_eq!(env.calls(), completion_calls(COST));
    assert_eq!(
        logs_of::<JobCompleted>(env.vm()),
        vec![JobCompleted {
            jobId: id(1),
            provider: PROVIDER,
            caller: REQUESTER,
            cost: COST,
            refunded: MAX_COST - COST
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
    assert_completed(&env, COST);
    let expected = words((
        COMPLETED,
        REQUESTER,
        PROVIDER,
        SPEC,
        RESULT,
        GPUS,
        DURATION,
        PRICE,
        MAX_COST,
        COST,
        USED,
        U256::ZERO,
        CHALLENGE_END,
    ));
    assert_eq!(env.job(id(1)), expected);
    assert_slots(&env, id(1));
    // Terminal.
    env.rejects(invalid_state(1, COMPLETED), |e| e.approve_result(id(1)));
    env.rejects(invalid_state(1, COMPLETED), |e| {
        e.dispute_result(id(1), EVIDENCE)
    });
    env.rejects(invalid_state(1, COMPLETED), |e| e.finalize(id(1)));
    env.rejects(invalid_state(1, COMPLETED), |e| e.claim_timeout(id(1)));
    env.at(ARBITRATOR);
    env.rejects(invalid_state(1, COMPLETED), |e| {
        e.resolve_dispute(id(1), true)
    });
    assert_eq!(env.job(id(1)), expected);
}

#[test]
fn approve_result_checks() {
    let mut env = submitted();
    for caller in [OTHER, PROVIDER, ARBITRATOR] {
        env.at(caller);
        env.rejects(not_requester(1, caller), |e| e.approve_result(id(1)));
    }
    let mut env = running();
    env.at(REQUESTER);
    env.rejects(invalid_state(1, RUNNING), |e| e.approve_result(id(1)));
    env.rejects(invalid_state(5, NONE), |e| e.approve_result(id(5)));
}

#[test]
fn anyone_finalizes_after_the_challenge_window() {
    let mut env = submitted();
    env.at(OTHER);
    env.warp(CHALLENGE_END - 1);
    env.rejects(early(1, CHALLENGE_END), |e| e.finalize(id(1)));
    env.warp(CHALLENGE_END);
    env.escrow.finalize(id(1)).unwrap();
    assert_eq!(env.calls(), completion_calls(COST));
    assert_eq!(
        logs_of::<JobCompleted>(env.vm()),
        vec![JobCompleted {
            jobId: id(1),
            provider: PROVIDER,
            caller: OTHER,
            cost: COST,
            refunded: MAX_COST - COST
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
    assert_completed(&env, COST);
    env.rejects(invalid_state(1, COMPLETED), |e| e.finalize(id(1)));
}

#[test]
fn full_usage_settles_everything_and_refunds_nothing() {
    let mut env = running();
    env.escrow.submit_result(id(1), RESULT, DURATION).unwrap();
    env.at(REQUESTER);
    env.clear();
    env.escrow.approve_result(id(1)).unwrap();
    assert_eq!(env.calls(), completion_calls(MAX_COST));
    assert_eq!(logs_of::<JobCompleted>(env.vm())[0].refunded, U256::ZERO);
    assert_completed(&env, MAX_COST);
}

/// A zero cost settles nothing: `settle(payer, provider, 0, maxCost)` only unlocks, and the real
/// controller reads no price for it, so it completes while the oracle is stale.
#[test]
fn zero_cost_completes_without_a_price() {
    let mut env = deploy();
    // 1 credit unit per GPU-hour, 1 GPU, 1 s: maxCost 1, cost ⌊1/3600⌋ = 0.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.escrow.submit_result(id(1), RESULT, 1).unwrap();
    env.at(REQUESTER);
    env.clear();
    env.controller.borrow_mut().set_stale();
    env.escrow.approve_result(id(1)).unwrap();
    assert_eq!(
        env.calls(),
        vec![
            settle_call(REQUESTER, PROVIDER, U256::ZERO, U256::from(1)),
            release_stake(PROVIDER, 1),
        ]
    );
    assert_eq!(env.state(id(1)), COMPLETED);
    assert_eq!(env.controller.borrow().free_of(REQUESTER), CREDITS);
}

#[test]
fn finalize_checks_and_retries_after_a_stale_price() {
    let mut env = running();
    env.at(OTHER);
    env.rejects(invalid_state(1, RUNNING), |e| e.finalize(id(1)));
    env.rejects(invalid_state(7, NONE), |e| e.finalize(id(7)));
    let mut env = submitted();
    env.at(OTHER);
    env.warp(CHALLENGE_END);
    env.controller.borrow_mut().set_stale();
    let reason = stale(&env);
    env.fails(failed(CONTROLLER, reason.clone()), |e| e.finalize(id(1)));
    assert_eq!(env.calls(), vec![completion_calls(COST)[0].clone()]);
    // The chain undid it: still Submitted, nothing settled; the requester cannot approve either.
    assert_eq!(env.state(id(1)), SUBMITTED);
    assert!(env.vm().get_emitted_logs().is_empty());
    env.at(REQUESTER);
    env.fails(failed(CONTROLLER, reason), |e| e.approve_result(id(1)));
    // The price is back: anyone finalises.
    env.warp(CHALLENGE_END + 86_400);
    env.controller.borrow_mut().set_fresh();
    env.at(OTHER);
    env.clear();
    env.escrow.finalize(id(1)).unwrap();
    assert_eq!(env.calls(), completion_calls(COST));
    assert_completed(&env, COST);
}

/// A registry that lost the lock (`releaseStake` reverts `RegistryUnknownLock`): the completion is
/// undone with it, the settlement included.
#[test]
fn completion_fails_with_the_registry() {
    let mut env = submitted();
    env.registry.borrow_mut().locks.clear();
    env.fails(
        failed(
            REGISTRY,
            RegistryUnknownLock {
                provider: PROVIDER,
                jobId: id(1),
            }
            .abi_encode(),
        ),
        |e| e.approve_result(id(1)),
    );
    assert_eq!(env.calls(), completion_calls(COST));
    assert_eq!(env.state(id(1)), SUBMITTED);
    assert!(env.controller.borrow().settlements.is_empty());
    assert_eq!(env.controller.borrow().locked_of(REQUESTER), MAX_COST);
}
