//! Unit tests of disputes, rulings and timeouts (the crate docs' table: `disputeResult`,
//! `resolveDispute`, `finalize` after a ruling for the provider or after the arbitration window,
//! `claimTimeout`), of what needs no price (SECURITY.md M-3), and of slashes and jails the registry
//! applies whatever the provider does meanwhile (SECURITY.md H-2, M-1). Helpers and fixtures are in
//! the parent module.

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, SolError, SolValue};
use testing::logs_of;

use super::*;

/// The dispute bond of the standard job: max(5% × 24 USD = 1.2 USD = 2.4 CT, 100 CT).
const BOND: U256 = uint!(100_000000000000000000_U256);

// ---------------------------------------------------------------------------------------------
// disputeResult
// ---------------------------------------------------------------------------------------------

#[test]
fn dispute_posts_the_minimum_bond() {
    let mut env = submitted();
    env.warp(T0 + 7_000);
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    let mut expected = vec![quote(U256::from(1_200_000))];
    expected.extend(bond_move(
        transferFromCall {
            from: REQUESTER,
            to: ESCROW,
            value: BOND,
        }
        .abi_encode(),
    ));
    assert_eq!(env.calls(), expected);
    assert_eq!(
        logs_of::<JobDisputed>(env.vm()),
        vec![JobDisputed {
            jobId: id(1),
            requester: REQUESTER,
            evidenceHash: EVIDENCE,
            bond: BOND,
            arbitrationDeadline: ARBITRATION_END
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
    assert_eq!(
        env.job(id(1)),
        words((
            DISPUTED,
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
            BOND,
            ARBITRATION_END
        ))
    );
    assert_eq!(
        env.escrow.job_slots(id(1))[0],
        packed(DISPUTED, GPUS, DURATION, USED, ARBITRATION_END)
    );
    assert_slots(&env, id(1));
    assert_eq!(env.escrow.bonds_held(), BOND);
    let t = env.token.borrow();
    assert_eq!(t.balance(ESCROW), BOND);
    assert_eq!(t.balance(REQUESTER), ct(1_000_000) - BOND);
    assert_eq!(t.allowances[&(REQUESTER, ESCROW)], ct(1_000_000) - BOND);
}

#[test]
fn dispute_bond_follows_the_cost_above_the_minimum() {
    let mut env = submitted();
    set_param(&mut env, MIN_DISPUTE_BOND, ct(1));
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    // 1.2 USD at 0.50 USD per CT = 2.4 CT.
    let bond = U256::from(2_400_000_000_000_000_000u64);
    assert_eq!(env.job(id(1))[F_BOND], bond);
    assert_eq!(env.token.borrow().balance(ESCROW), bond);
    assert_eq!(env.escrow.bonds_held(), bond);
    // disputeBondBps 0: no quote at all, the minimum.
    let mut env = submitted();
    set_param(&mut env, DISPUTE_BOND_BPS, U256::ZERO);
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    assert!(env.calls().iter().all(|c| c.to == TOKEN));
    assert_eq!(env.job(id(1))[F_BOND], BOND);
}

/// The bond's credits round up: a cost of 1 credit unit → ⌈0.05⌉ = 1 credit unit quoted.
#[test]
fn dispute_bond_credits_round_up() {
    let mut env = deploy();
    set_param(&mut env, MIN_CHARGE_SECONDS, U256::ZERO);
    // 3_600 credit units per GPU-hour, 1 GPU, 1 s: cost 1.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 3_600, U256::from(3_600))
        .unwrap();
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.escrow.submit_result(id(1), RESULT, 1).unwrap();
    assert_eq!(env.job(id(1))[F_COST], U256::from(1));
    env.at(REQUESTER);
    env.clear();
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    assert_eq!(env.calls()[0], quote(U256::from(1)));
}

/// A zero cost needs no bond quote: the minimum bond, no call to the controller.
#[test]
fn dispute_of_a_zero_cost_result_needs_no_quote() {
    let mut env = deploy();
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.escrow.submit_result(id(1), RESULT, 1).unwrap();
    env.at(REQUESTER);
    env.clear();
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    assert_eq!(env.job(id(1))[F_BOND], BOND);
    assert!(env.calls().iter().all(|c| c.to == TOKEN));
}

/// SECURITY.md M-3: a stale oracle never blocks a dispute. The quote reverts, the bond is
/// `minDisputeBond` (even where the cost's bond would be larger), and the arbitration window opens.
#[test]
fn dispute_with_a_stale_oracle_posts_the_minimum_bond() {
    let mut env = submitted();
    set_param(&mut env, MIN_DISPUTE_BOND, ct(1));
    env.warp(CHALLENGE_END - 1);
    env.controller.borrow_mut().set_stale();
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    let mut expected = vec![quote(U256::from(1_200_000))];
    expected.extend(bond_move(
        transferFromCall {
            from: REQUESTER,
            to: ESCROW,
            value: ct(1),
        }
        .abi_encode(),
    ));
    assert_eq!(env.calls(), expected);
    assert_eq!(
        logs_of::<JobDisputed>(env.vm()),
        vec![JobDisputed {
            jobId: id(1),
            requester: REQUESTER,
            evidenceHash: EVIDENCE,
            bond: ct(1),
            arbitrationDeadline: CHALLENGE_END - 1 + 604_800
        }]
    );
    assert_eq!(env.state(id(1)), DISPUTED);
    assert_eq!(env.escrow.bonds_held(), ct(1));
    // A malformed quote is treated the same way.
    let mut env = submitted();
    env.controller.borrow_mut().quote_return = Some(vec![1; 31]);
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    assert_eq!(env.job(id(1))[F_BOND], BOND);
}

#[test]
fn dispute_checks() {
    let mut env = submitted();
    for caller in [OTHER, PROVIDER, ARBITRATOR] {
        env.at(caller);
        env.rejects(not_requester(1, caller), |e| {
            e.dispute_result(id(1), EVIDENCE)
        });
    }
    env.at(REQUESTER);
    env.warp(CHALLENGE_END);
    env.rejects(late(1, CHALLENGE_END), |e| {
        e.dispute_result(id(1), EVIDENCE)
    });
    env.warp(CHALLENGE_END - 1);
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    env.rejects(invalid_state(1, DISPUTED), |e| {
        e.dispute_result(id(1), EVIDENCE)
    });
    let mut env = running();
    env.at(REQUESTER);
    env.rejects(invalid_state(1, RUNNING), |e| {
        e.dispute_result(id(1), EVIDENCE)
    });
    env.rejects(invalid_state(2, NONE), |e| {
        e.dispute_result(id(2), EVIDENCE)
    });
}

/// The bond total cannot overflow: a quote of 2^256 − 1 wei on top of a held bond is refused before
/// any effect.
#[test]
fn dispute_bond_total_overflow() {
    let mut env = deploy();
    for _ in 0..2 {
        env.escrow
            .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
            .unwrap();
    }
    env.at(PROVIDER);
    for n in 1..=2 {
        env.escrow.accept_job(id(n)).unwrap();
        env.escrow.submit_result(id(n), RESULT, USED).unwrap();
    }
    env.at(REQUESTER);
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    env.controller.borrow_mut().quote_return = Some(U256::MAX.abi_encode());
    env.rejects(overflow(), |e| e.dispute_result(id(2), EVIDENCE));
}

/// Token failures during the bond pull come after the escrow's effects: the chain undoes them.
#[test]
fn dispute_bond_token_failures() {
    let revert = ERC20InsufficientBalance {
        sender: REQUESTER,
        balance: U256::ZERO,
        needed: U256::from(1),
    }
    .abi_encode();
    for (mode, expected) in [
        (Mode::Revert(revert.clone()), failed(TOKEN, revert.clone())),
        (Mode::ReturnFalse, failed(TOKEN, false.abi_encode())),
        (
            Mode::Fee(U256::from(1)),
            Error::Common(CommonError::BalanceDeltaMismatch(BalanceDeltaMismatch {
                token: TOKEN,
                expected: BOND,
                actual: BOND - U256::from(1),
            })),
        ),
    ] {
        let mut env = submitted();
        env.token.borrow_mut().mode = mode.clone();
        env.fails(expected, |e| e.dispute_result(id(1), EVIDENCE));
        assert_eq!(env.state(id(1)), SUBMITTED, "{mode:?}");
        assert_eq!(env.escrow.bonds_held(), U256::ZERO);
        assert_eq!(env.token.borrow().balance(ESCROW), U256::ZERO);
    }
    // No allowance, no balance: the token's own errors are passed on.
    let mut env = submitted();
    env.token
        .borrow_mut()
        .allowances
        .insert((REQUESTER, ESCROW), BOND - U256::from(1));
    env.fails(
        failed(
            TOKEN,
            ERC20InsufficientAllowance {
                spender: ESCROW,
                allowance: BOND - U256::from(1),
                needed: BOND,
            }
            .abi_encode(),
        ),
        |e| e.dispute_result(id(1), EVIDENCE),
    );
    env.token.borrow_mut().balances.insert(REQUESTER, ct(99));
    env.token
        .borrow_mut()
        .allowances
        .insert((REQUESTER, ESCROW), BOND);
    env.fails(
        failed(
            TOKEN,
            ERC20InsufficientBalance {
                sender: REQUESTER,
                balance: ct(99),
                needed: BOND,
            }
            .abi_encode(),
        ),
        |e| e.dispute_result(id(1), EVIDENCE),
    );
    assert_eq!(env.state(id(1)), SUBMITTED);
}

// ---------------------------------------------------------------------------------------------
// resolveDispute(true): provider at fault
// ---------------------------------------------------------------------------------------------

#[test]
fn provider_at_fault_refunds_slashes_jails_and_returns_the_bond() {
    let mut env = disputed();
    env.warp(T0 + 8_000);
    env.at(ARBITRATOR);
    pause(&mut env);
    // No price is needed.
    env.controller.borrow_mut().set_stale();
    env.escrow.resolve_dispute(id(1), true).unwrap();
    let jail_until = T0 + 8_000 + 2_592_000;
    let mut expected = vec![
        unlock_credits(REQUESTER, MAX_COST),
        slash_job(PROVIDER, 1, 1_000, REQUESTER),
        jail(PROVIDER, jail_until),
    ];
    expected.extend(bond_move(
        transferCall {
            to: REQUESTER,
            value: BOND,
        }
        .abi_encode(),
    ));
    assert_eq!(env.calls(), expected);
    assert_eq!(
        logs_of::<DisputeResolved>(env.vm()),
        vec![DisputeResolved {
            jobId: id(1),
            arbitrator: ARBITRATOR,
            providerAtFault: true
        }]
    );
    assert_eq!(
        logs_of::<JobRefunded>(env.vm()),
        vec![JobRefunded {
            jobId: id(1),
            requester: REQUESTER,
            refunded: MAX_COST
        }]
    );
    assert_eq!(
        logs_of::<BondReleased>(env.vm()),
        vec![BondReleased {
            jobId: id(1),
            requester: REQUESTER,
            amount: BOND,
            burned: false
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 3);
    // Nothing settled: the cost reads 0, the bond stays on record.
    assert_eq!(
        env.job(id(1)),
        words((
            REFUNDED,
            REQUESTER,
            PROVIDER,
            SPEC,
            RESULT,
            GPUS,
            DURATION,
            PRICE,
            MAX_COST,
            U256::ZERO,
            USED,
            BOND,
            ARBITRATION_END
        ))
    );
    assert_slots(&env, id(1));
    assert_eq!(env.escrow.bonds_held(), U256::ZERO);
    let t = env.token.borrow();
    assert_eq!(t.balance(ESCROW), U256::ZERO);
    assert_eq!(t.balance(REQUESTER), ct(1_000_000));
    drop(t);
    let c = env.controller.borrow();
    assert_eq!(c.locked_of(REQUESTER), U256::ZERO);
    assert_eq!(c.free_of(REQUESTER), CREDITS);
    assert!(c.settlements.is_empty());
    drop(c);
    // The registry: 10% of the penalty base (1M active + 100k unbonding at acceptance) = 110k CT,
    // pro rata 100k from active and 10k from unbonding; half to the requester; jailed 30 days.
    let reg = env.registry.borrow();
    assert_eq!(
        reg.slashes,
        vec![Slash {
            provider: PROVIDER,
            job_id: id(1),
            beneficiary: REQUESTER,
            amount: ct(110_000),
            to_beneficiary: ct(55_000),
            burned: ct(55_000),
        }]
    );
    let p = reg.provider(PROVIDER);
    assert_eq!(p.active, ct(900_000));
    assert_eq!(p.unbonding, vec![ct(90_000)]);
    assert_eq!(
        (p.locked, p.open_jobs, p.failed, p.jailed_until),
        (U256::ZERO, 0, 1, jail_until)
    );
    assert!(reg.locks.is_empty());
    drop(reg);
    // Terminal.
    for fault in [true, false] {
        env.rejects(invalid_state(1, REFUNDED), |e| {
            e.resolve_dispute(id(1), fault)
        });
    }
    env.rejects(invalid_state(1, REFUNDED), |e| e.finalize(id(1)));
    env.at(REQUESTER);
    env.rejects(invalid_state(1, REFUNDED), |e| e.approve_result(id(1)));
    // The jailed provider is not eligible for new jobs.
    env.controller.borrow_mut().set_fresh();
    env.at(PAUSER);
    env.escrow.unpause().unwrap();
    env.at(REQUESTER);
    env.escrow
        .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
        .unwrap();
    env.at(PROVIDER);
    env.fails(
        failed(
            REGISTRY,
            RegistryNotEligible { provider: PROVIDER }.abi_encode(),
        ),
        |e| e.accept_job(id(2)),
    );
}

/// The escrow asks for `fraudSlashBps` (up to 2_000); the registry caps it at its `maxSlashBps`
/// (1_000).
#[test]
fn the_registry_caps_the_slash() {
    let mut env = disputed();
    set_param(&mut env, FRAUD_SLASH_BPS, U256::from(2_000));
    env.at(ARBITRATOR);
    env.escrow.resolve_dispute(id(1), true).unwrap();
    assert_eq!(env.calls()[1], slash_job(PROVIDER, 1, 2_000, REQUESTER));
    assert_eq!(env.registry.borrow().slashes[0].amount, ct(110_000));
}

/// SECURITY.md H-2: a provider with an open job cannot deregister, so a fraud ruling always reaches
/// it; and the registry's `slashJob` and `jail` work on unregistered providers, so the ruling never
/// depends on the provider's registration. The registry's API cannot deregister a provider with an
/// open job; the second half forces that record to show that nothing in the escrow's path checks it.
#[test]
fn a_fraud_ruling_reaches_a_provider_trying_to_leave() {
    let mut env = disputed();
    assert_eq!(
        env.registry.borrow_mut().deregister(PROVIDER),
        Err(RegistryJobsOpen {
            provider: PROVIDER,
            openJobs: U256::from(1),
        }
        .abi_encode())
    );
    env.registry
        .borrow_mut()
        .providers
        .get_mut(&PROVIDER)
        .unwrap()
        .registered = false;
    env.at(ARBITRATOR);
    env.escrow.resolve_dispute(id(1), true).unwrap();
    assert_eq!(env.state(id(1)), REFUNDED);
    let reg = env.registry.borrow();
    assert_eq!(reg.slashes[0].amount, ct(110_000));
    assert_eq!(reg.provider(PROVIDER).jailed_until, T0 + 7_000 + 2_592_000);
    drop(reg);
    // Once no job is open it may leave.
    assert_eq!(
        env.registry.borrow_mut().deregister(PROVIDER),
        Err(RegistryNotRegistered { provider: PROVIDER }.abi_encode())
    );
    env.registry
        .borrow_mut()
        .providers
        .get_mut(&PROVIDER)
        .unwrap()
        .registered = true;
    assert_eq!(env.registry.borrow_mut().deregister(PROVIDER), Ok(()));
}

// ---------------------------------------------------------------------------------------------
// resolveDispute(false): provider not at fault
// ---------------------------------------------------------------------------------------------

/// A ruling for the provider burns the bond and puts the job back to Submitted with its window
/// closed (`until = now`); it needs no price. Anyone then finalises at once.
#[test]
fn provider_not_at_fault_burns_the_bond_then_finalize_settles() {
    let mut env = disputed();
    env.warp(T0 + 8_000);
    env.at(ARBITRATOR);
    env.controller.borrow_mut().set_stale();
    env.escrow.resolve_dispute(id(1), false).unwrap();
    assert_eq!(
        env.calls(),
        bond_move(burnCall { value: BOND }.abi_encode())
    );
    assert_eq!(
        logs_of::<DisputeResolved>(env.vm()),
        vec![DisputeResolved {
            jobId: id(1),
            arbitrator: ARBITRATOR,
            providerAtFault: false
        }]
    );
    assert_eq!(
        logs_of::<BondReleased>(env.vm()),
        vec![BondReleased {
            jobId: id(1),
            requester: REQUESTER,
            amount: BOND,
            burned: true
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 2);
    let submitted_again = words((
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
        BOND,
        T0 + 8_000,
    ));
    assert_eq!(env.job(id(1)), submitted_again);
    assert_eq!(
        env.escrow.job_slots(id(1))[0],
        packed(SUBMITTED, GPUS, DURATION, USED, T0 + 8_000)
    );
    assert_slots(&env, id(1));
    assert_eq!(env.escrow.bonds_held(), U256::ZERO);
    let t = env.token.borrow();
    assert_eq!((t.burned, t.balance(ESCROW)), (BOND, U256::ZERO));
    assert_eq!(t.balance(REQUESTER), ct(1_000_000) - BOND);
    drop(t);
    // Nothing settled or released yet.
    assert!(env.controller.borrow().settlements.is_empty());
    assert_eq!(env.registry.borrow().provider(PROVIDER).open_jobs, 1);
    // The window is closed: no second dispute, no second ruling.
    env.at(REQUESTER);
    env.rejects(late(1, T0 + 8_000), |e| e.dispute_result(id(1), EVIDENCE));
    env.at(ARBITRATOR);
    env.rejects(invalid_state(1, SUBMITTED), |e| {
        e.resolve_dispute(id(1), true)
    });
    // finalize needs the price: it fails while the oracle is stale, and the chain undoes it.
    env.at(OTHER);
    let reason = stale(&env);
    env.fails(failed(CONTROLLER, reason), |e| e.finalize(id(1)));
    assert_eq!(env.job(id(1)), submitted_again);
    // The price is back: anyone finalises; the bond is not returned (it was burned).
    env.controller.borrow_mut().set_fresh();
    env.clear();
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
    assert_eq!(env.token.borrow().balance(REQUESTER), ct(1_000_000) - BOND);
}

/// After a ruling for the provider the requester may also approve (the same settlement).
#[test]
fn requester_approves_after_a_ruling_for_the_provider() {
    let mut env = disputed();
    env.at(ARBITRATOR);
    env.escrow.resolve_dispute(id(1), false).unwrap();
    env.at(REQUESTER);
    env.clear();
    env.escrow.approve_result(id(1)).unwrap();
    assert_eq!(env.calls(), completion_calls(COST));
    assert_completed(&env, COST);
}

// ---------------------------------------------------------------------------------------------
// No ruling in time
// ---------------------------------------------------------------------------------------------

#[test]
fn no_ruling_in_time_pays_the_provider_and_returns_the_bond() {
    let mut env = disputed();
    env.at(OTHER);
    env.warp(ARBITRATION_END - 1);
    env.rejects(early(1, ARBITRATION_END), |e| e.finalize(id(1)));
    env.warp(ARBITRATION_END);
    env.at(ARBITRATOR);
    for fault in [true, false] {
        env.rejects(late(1, ARBITRATION_END), |e| {
            e.resolve_dispute(id(1), fault)
        });
    }
    env.at(OTHER);
    // Settling needs the price: retried once it is back.
    env.controller.borrow_mut().set_stale();
    let reason = stale(&env);
    env.fails(failed(CONTROLLER, reason), |e| e.finalize(id(1)));
    assert_eq!(env.state(id(1)), DISPUTED);
    assert_eq!(env.escrow.bonds_held(), BOND);
    env.controller.borrow_mut().set_fresh();
    env.clear();
    env.escrow.finalize(id(1)).unwrap();
    let mut expected = completion_calls(COST);
    expected.extend(bond_move(
        transferCall {
            to: REQUESTER,
            value: BOND,
        }
        .abi_encode(),
    ));
    assert_eq!(env.calls(), expected);
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
    assert_eq!(
        logs_of::<BondReleased>(env.vm()),
        vec![BondReleased {
            jobId: id(1),
            requester: REQUESTER,
            amount: BOND,
            burned: false
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 2);
    assert_completed(&env, COST);
    assert_eq!(env.escrow.bonds_held(), U256::ZERO);
    assert_eq!(env.token.borrow().balance(REQUESTER), ct(1_000_000));
    assert_eq!(env.job(id(1))[F_BOND], BOND);
}

#[test]
fn resolve_dispute_checks() {
    let mut env = disputed();
    for caller in [OTHER, REQUESTER, PROVIDER, ADMIN] {
        env.at(caller);
        env.rejects(unauthorized(caller, ARBITRATOR_ROLE), |e| {
            e.resolve_dispute(id(1), true)
        });
    }
    env.at(ARBITRATOR);
    env.rejects(invalid_state(2, NONE), |e| e.resolve_dispute(id(2), true));
    let mut env = submitted();
    env.at(ARBITRATOR);
    env.rejects(invalid_state(1, SUBMITTED), |e| {
        e.resolve_dispute(id(1), false)
    });
    let mut env = running();
    env.at(ARBITRATOR);
    env.rejects(invalid_state(1, RUNNING), |e| {
        e.resolve_dispute(id(1), true)
    });
}

/// Token failures returning or burning the bond (after the effects: the chain undoes the ruling).
#[test]
fn bond_release_failures() {
    let mut cases = Vec::new();
    for fault in [true, false] {
        let revert = b"paused".to_vec();
        cases.push((fault, Mode::Revert(revert.clone()), failed(TOKEN, revert)));
        // A token taking more than the bond from the escrow (it needs a second bond to take
        // from): the escrow's balance must fall by exactly the bond, for a return and a burn.
        cases.push((
            fault,
            Mode::Drain(U256::from(5)),
            Error::Common(CommonError::BalanceDeltaMismatch(BalanceDeltaMismatch {
                token: TOKEN,
                expected: BOND,
                actual: BOND + U256::from(5),
            })),
        ));
    }
    // A transfer back must return `true` (a burn returns nothing).
    cases.push((true, Mode::ReturnFalse, failed(TOKEN, false.abi_encode())));
    for (fault, mode, expected) in cases {
        let mut env = disputed();
        env.token.borrow_mut().balances.insert(ESCROW, ct(200));
        env.at(ARBITRATOR);
        env.token.borrow_mut().mode = mode.clone();
        env.fails(expected, |e| e.resolve_dispute(id(1), fault));
        assert_eq!(env.state(id(1)), DISPUTED, "{mode:?} {fault}");
        assert_eq!(env.escrow.bonds_held(), BOND);
        assert!(env.registry.borrow().slashes.is_empty());
        assert_eq!(env.controller.borrow().locked_of(REQUESTER), MAX_COST);
    }
    // A fee taken on the recipient's side is not the escrow's concern: its balance fell by
    // exactly the bond.
    let mut env = disputed();
    env.at(ARBITRATOR);
    env.token.borrow_mut().mode = Mode::Fee(U256::from(5));
    env.escrow.resolve_dispute(id(1), true).unwrap();
    assert_eq!(
        env.token.borrow().balance(REQUESTER),
        ct(1_000_000) - U256::from(5)
    );
}

// ---------------------------------------------------------------------------------------------
// claimTimeout
// ---------------------------------------------------------------------------------------------

#[test]
fn anyone_claims_a_timeout_after_the_deadline() {
    let mut env = running();
    env.at(OTHER);
    env.warp(RESULT_DEADLINE - 1);
    env.rejects(early(1, RESULT_DEADLINE), |e| e.claim_timeout(id(1)));
    env.warp(RESULT_DEADLINE);
    pause(&mut env);
    env.controller.borrow_mut().set_stale(); // no price needed
    env.escrow.claim_timeout(id(1)).unwrap();
    assert_eq!(
        env.calls(),
        vec![
            unlock_credits(REQUESTER, MAX_COST),
            slash_job(PROVIDER, 1, 250, REQUESTER),
        ]
    );
    assert_eq!(
        logs_of::<JobExpired>(env.vm()),
        vec![JobExpired {
            jobId: id(1),
            provider: PROVIDER,
            refunded: MAX_COST
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
    assert_eq!(
        env.job(id(1)),
        words((
            EXPIRED,
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
    assert_slots(&env, id(1));
    assert_eq!(env.controller.borrow().free_of(REQUESTER), CREDITS);
    // 2.5% of the 1.1M CT penalty base: 25k from active, 2.5k from unbonding; no jail.
    let reg = env.registry.borrow();
    assert_eq!(
        reg.slashes,
        vec![Slash {
            provider: PROVIDER,
            job_id: id(1),
            beneficiary: REQUESTER,
            amount: ct(27_500),
            to_beneficiary: ct(13_750),
            burned: ct(13_750),
        }]
    );
    let p = reg.provider(PROVIDER);
    assert_eq!(
        (p.active, p.unbonding.clone()),
        (ct(975_000), vec![ct(97_500)])
    );
    assert_eq!(
        (p.locked, p.open_jobs, p.failed, p.jailed_until),
        (U256::ZERO, 0, 1, 0)
    );
    drop(reg);
    // Terminal.
    env.rejects(invalid_state(1, EXPIRED), |e| e.claim_timeout(id(1)));
    env.at(PROVIDER);
    env.rejects(invalid_state(1, EXPIRED), |e| {
        e.submit_result(id(1), RESULT, USED)
    });
}

/// SECURITY.md M-1: unbonding does not shrink a job's penalty. The provider moves all its free stake
/// to unbonding right after accepting; the timeout slash is still 2.5% of the 1.1M CT base fixed at
/// acceptance, taken mostly from the unbonding requests.
#[test]
fn unbonding_stake_is_slashed() {
    let mut env = running();
    let free = ct(1_000_000) - STAKE;
    env.registry
        .borrow_mut()
        .request_unbond(PROVIDER, free)
        .unwrap();
    assert_eq!(
        env.registry
            .borrow_mut()
            .request_unbond(PROVIDER, U256::from(1)),
        Err(RegistryInsufficientFreeStake {
            provider: PROVIDER,
            free: U256::ZERO,
            needed: U256::from(1),
        }
        .abi_encode())
    );
    env.warp(RESULT_DEADLINE);
    env.escrow.claim_timeout(id(1)).unwrap();
    let reg = env.registry.borrow();
    assert_eq!(reg.slashes[0].amount, ct(27_500));
    let p = reg.provider(PROVIDER);
    // 27_500 × 128 / 1_100_000 = 3.2 CT from active, the rest from the two requests.
    assert_eq!(p.active, STAKE - U256::from(3_200_000_000_000_000_000u64));
    assert_eq!(p.active + p.unbonding_total(), ct(1_100_000 - 27_500));
    assert_eq!(p.locked, U256::ZERO);
}

/// Each job's slash releases exactly its own lock: two timed-out jobs of one provider.
#[test]
fn each_slash_releases_its_own_lock() {
    let mut env = deploy();
    for _ in 0..2 {
        env.escrow
            .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
            .unwrap();
    }
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.warp(T0 + 1);
    env.escrow.accept_job(id(2)).unwrap();
    assert_eq!(
        env.registry.borrow().provider(PROVIDER).locked,
        STAKE * U256::from(2)
    );
    env.warp(T0 + DURATION + 3_600);
    env.escrow.claim_timeout(id(1)).unwrap();
    let p = env.registry.borrow().provider(PROVIDER);
    assert_eq!((p.locked, p.open_jobs), (STAKE, 1));
    env.rejects(early(2, T0 + 1 + DURATION + 3_600), |e| {
        e.claim_timeout(id(2))
    });
    env.warp(T0 + 1 + DURATION + 3_600);
    env.escrow.claim_timeout(id(2)).unwrap();
    let reg = env.registry.borrow();
    let p = reg.provider(PROVIDER);
    assert_eq!((p.locked, p.open_jobs, p.failed), (U256::ZERO, 0, 2));
    // The second job's base was fixed at its acceptance too: 1.1M CT.
    assert_eq!(reg.slashes[1].amount, ct(27_500));
}

/// `abandonSlashBps` 0: `slashJob` is still called with 0 bps, to release the lock and count the
/// failure; nothing is taken.
#[test]
fn a_zero_slash_still_releases_the_lock() {
    let mut env = running();
    set_param(&mut env, ABANDON_SLASH_BPS, U256::ZERO);
    env.warp(RESULT_DEADLINE);
    env.escrow.claim_timeout(id(1)).unwrap();
    assert_eq!(env.calls()[1], slash_job(PROVIDER, 1, 0, REQUESTER));
    let reg = env.registry.borrow();
    assert_eq!(reg.slashes[0].amount, U256::ZERO);
    let p = reg.provider(PROVIDER);
    assert_eq!((p.locked, p.open_jobs, p.failed), (U256::ZERO, 0, 1));
    assert_eq!(p.active, ct(1_000_000));
}

#[test]
fn claim_timeout_state_checks() {
    let mut env = open();
    env.warp(T0 + 1_000_000);
    env.rejects(invalid_state(1, OPEN), |e| e.claim_timeout(id(1)));
    env.rejects(invalid_state(2, NONE), |e| e.claim_timeout(id(2)));
    let mut env = submitted();
    env.warp(T0 + 10_000_000);
    env.rejects(invalid_state(1, SUBMITTED), |e| e.claim_timeout(id(1)));
    let mut env = disputed();
    env.warp(T0 + 10_000_000);
    env.rejects(invalid_state(1, DISPUTED), |e| e.claim_timeout(id(1)));
}

/// The escrow lost its registry roles: the registry's revert data is passed on, wrapped with the
/// registry's address, and the chain undoes the timeout (the refund included).
#[test]
fn registry_failures_are_reported() {
    let mut env = running();
    env.warp(RESULT_DEADLINE);
    env.registry.borrow_mut().slashers.clear();
    env.fails(
        failed(
            REGISTRY,
            AccessControlUnauthorizedAccount {
                account: ESCROW,
                neededRole: SLASHER_ROLE,
            }
            .abi_encode(),
        ),
        |e| e.claim_timeout(id(1)),
    );
    assert_eq!(
        env.calls(),
        vec![
            unlock_credits(REQUESTER, MAX_COST),
            slash_job(PROVIDER, 1, 250, REQUESTER),
        ]
    );
    assert_eq!(env.state(id(1)), RUNNING);
    assert_eq!(env.controller.borrow().locked_of(REQUESTER), MAX_COST);
    // The same for a fraud ruling.
    let mut env = disputed();
    env.registry.borrow_mut().slashers.clear();
    env.at(ARBITRATOR);
    env.fails(
        failed(
            REGISTRY,
            AccessControlUnauthorizedAccount {
                account: ESCROW,
                neededRole: SLASHER_ROLE,
            }
            .abi_encode(),
        ),
        |e| e.resolve_dispute(id(1), true),
    );
    assert_eq!(env.state(id(1)), DISPUTED);
    assert_eq!(env.escrow.bonds_held(), BOND);
}
