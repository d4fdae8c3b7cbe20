//! Unit tests of disputes, rulings and timeouts (DESIGN.md §6: `disputeResult`, `resolveDispute`,
//! `finalize` after the arbitration window, `claimTimeout`), and of checks-effects-interactions
//! (every mutating call sees the job's new state). Helpers and fixtures are in the parent module.

use std::{cell::RefCell, rc::Rc};

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{SolCall, SolValue};
use testing::{assert_reverts, logs_of, Call, ModelHost};

use super::*;
// ---------------------------------------------------------------------------------------------
// disputeResult
// ---------------------------------------------------------------------------------------------

#[test]
fn dispute_posts_the_minimum_bond() {
    let mut env = submitted();
    env.warp(T0 + 7_000);
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    // 5% of 24 USD = 1.2 USD = 2.4 CT < 100 CT minimum.
    let bond_credits = U256::from(1_200_000);
    assert_eq!(
        env.calls(),
        vec![
            ctl_view(
                quoteTokensCall {
                    credits: bond_credits
                }
                .abi_encode()
            ),
            balance_of_escrow(),
            tok(transferFromCall {
                from: REQUESTER,
                to: ESCROW,
                value: ct(100)
            }
            .abi_encode()),
            balance_of_escrow(),
        ]
    );
    let arbitration_end = T0 + 7_000 + 604_800;
    assert_eq!(
        logs_of::<JobDisputed>(env.vm()),
        vec![JobDisputed {
            jobId: id(1),
            requester: REQUESTER,
            evidenceHash: EVIDENCE,
            bond: ct(100),
            arbitrationDeadline: arbitration_end
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
    let job = env.escrow.job_words(id(1));
    assert_eq!(job[F_STATE], U256::from(DISPUTED));
    assert_eq!(job[F_BOND], ct(100));
    assert_eq!(job[F_UNTIL], U256::from(arbitration_end));
    assert_eq!(env.escrow.bonds_held(), ct(100));
    assert_eq!(env.token.borrow().balance(ESCROW), ct(100));
}

#[test]
fn dispute_bond_follows_the_cost_above_the_minimum() {
    let mut env = submitted();
    set_param(&mut env, MIN_DISPUTE_BOND, ct(1));
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    // 1.2 USD at 2e12 wei per credit unit = 2.4 CT.
    let bond = U256::from(1_200_000) * env.controller.borrow().wei_per_credit;
    assert_eq!(env.escrow.job_words(id(1))[F_BOND], bond);
    assert_eq!(env.token.borrow().balance(ESCROW), bond);
    // Bond credits round up: cost 1 credit → ⌈0.05⌉ = 1.
}

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
    env.controller.borrow_mut().stale = true;
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    assert_eq!(env.escrow.job_words(id(1))[F_BOND], ct(100));
    assert!(env.calls().iter().all(|c| c.to == TOKEN));
}

#[test]
fn dispute_errors() {
    let mut env = submitted();
    let vm = env.vm().clone();
    env.at(OTHER);
    assert_reverts(&vm, not_requester(1, OTHER), || {
        env.escrow.dispute_result(id(1), EVIDENCE)
    });
    env.at(REQUESTER);
    env.controller.borrow_mut().stale = true;
    assert_reverts(&vm, failed(CONTROLLER, b"stale"), || {
        env.escrow.dispute_result(id(1), EVIDENCE)
    });
    env.controller.borrow_mut().stale = false;
    let end = T0 + 6_000 + 86_400;
    env.warp(end);
    assert_reverts(&vm, late(1, end), || {
        env.escrow.dispute_result(id(1), EVIDENCE)
    });
    let mut env = running();
    env.at(REQUESTER);
    let vm = env.vm().clone();
    assert_reverts(&vm, invalid_state(1, RUNNING), || {
        env.escrow.dispute_result(id(1), EVIDENCE)
    });
}

/// Token failures during the bond pull (after the escrow's effects: the real VM reverts them).
#[test]
fn dispute_bond_token_failures() {
    for (mode, expected) in [
        (Mode::Revert, failed(TOKEN, b"token")),
        (Mode::ReturnFalse, failed(TOKEN, &false.abi_encode())),
        (
            Mode::Fee(U256::from(1)),
            Error::BalanceDeltaMismatch(JobEscrowBalanceDeltaMismatch {
                expected: ct(100),
                actual: ct(100) - U256::from(1),
            }),
        ),
    ] {
        let mut env = submitted();
        env.token.borrow_mut().mode = mode;
        assert_eq!(env.escrow.dispute_result(id(1), EVIDENCE), Err(expected));
    }
    // No allowance: the token's own revert data is passed on.
    let mut env = submitted();
    env.token
        .borrow_mut()
        .allowances
        .insert((REQUESTER, ESCROW), U256::ZERO);
    assert_eq!(
        env.escrow.dispute_result(id(1), EVIDENCE),
        Err(failed(TOKEN, b"allowance"))
    );
}

// ---------------------------------------------------------------------------------------------
// resolveDispute
// ---------------------------------------------------------------------------------------------

#[test]
fn provider_at_fault_refunds_slashes_jails_and_returns_the_bond() {
    let mut env = disputed();
    env.warp(T0 + 8_000);
    env.at(ARBITRATOR);
    pause(&mut env);
    env.escrow.resolve_dispute(id(1), true).unwrap();
    // 10% of 1M active + 100k unbonding = 110k CT.
    let slash_amount = ct(110_000);
    assert_eq!(
        env.calls(),
        vec![
            unlock_credits(REQUESTER, MAX_COST),
            reg_view(activeStakeCall { provider: PROVIDER }.abi_encode()),
            reg_view(unbondingStakeCall { provider: PROVIDER }.abi_encode()),
            reg(slashCall {
                provider: PROVIDER,
                amount: slash_amount,
                beneficiary: REQUESTER,
                reason: B256::from(id(1)),
            }
            .abi_encode()),
            reg(jailCall {
                provider: PROVIDER,
                until: T0 + 8_000 + 2_592_000
            }
            .abi_encode()),
            unlock_stake(PROVIDER, STAKE),
            outcome(PROVIDER, false),
            balance_of_escrow(),
            tok(transferCall {
                to: REQUESTER,
                value: ct(100)
            }
            .abi_encode()),
            balance_of_escrow(),
        ]
    );
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
            amount: ct(100),
            burned: false
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 3);
    assert_eq!(
        words(env.escrow.job(id(1))),
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
            STAKE,
            ct(100),
            T0 + 7_000 + 604_800
        ))
    );
    assert_eq!(env.escrow.bonds_held(), U256::ZERO);
    assert_eq!(env.token.borrow().balance(ESCROW), U256::ZERO);
    assert_eq!(env.token.borrow().balance(REQUESTER), ct(1_000_000));
    assert_eq!(env.controller.borrow().locked_of(REQUESTER), U256::ZERO);
    assert_eq!(env.escrow.open_jobs(PROVIDER), U256::ZERO);
    // Terminal.
    let vm = env.vm().clone();
    assert_reverts(&vm, invalid_state(1, REFUNDED), || {
        env.escrow.resolve_dispute(id(1), false)
    });
    assert_reverts(&vm, invalid_state(1, REFUNDED), || {
        env.escrow.finalize(id(1))
    });
}

#[test]
fn provider_not_at_fault_is_paid_and_the_bond_burned() {
    let mut env = disputed();
    env.at(ARBITRATOR);
    env.escrow.resolve_dispute(id(1), false).unwrap();
    let mut expected = completion_calls(COST);
    expected.extend([
        balance_of_escrow(),
        tok(burnCall { value: ct(100) }.abi_encode()),
        balance_of_escrow(),
    ]);
    assert_eq!(env.calls(), expected);
    assert_eq!(
        logs_of::<JobCompleted>(env.vm()),
        vec![JobCompleted {
            jobId: id(1),
            provider: PROVIDER,
            caller: ARBITRATOR,
            cost: COST,
            refunded: MAX_COST - COST
        }]
    );
    assert_eq!(
        logs_of::<BondReleased>(env.vm()),
        vec![BondReleased {
            jobId: id(1),
            requester: REQUESTER,
            amount: ct(100),
            burned: true
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 3);
    assert_eq!(env.state(id(1)), COMPLETED);
    assert_eq!(env.token.borrow().burned, ct(100));
    assert_eq!(env.escrow.bonds_held(), U256::ZERO);
}

#[test]
fn no_ruling_in_time_pays_the_provider_and_returns_the_bond() {
    let mut env = disputed();
    let end = T0 + 7_000 + 604_800;
    env.at(OTHER);
    let vm = env.vm().clone();
    env.warp(end - 1);
    assert_reverts(&vm, early(1, end), || env.escrow.finalize(id(1)));
    env.warp(end);
    env.at(ARBITRATOR);
    assert_reverts(&vm, late(1, end), || {
        env.escrow.resolve_dispute(id(1), true)
    });
    env.at(OTHER);
    env.escrow.finalize(id(1)).unwrap();
    let mut expected = completion_calls(COST);
    expected.extend([
        balance_of_escrow(),
        tok(transferCall {
            to: REQUESTER,
            value: ct(100),
        }
        .abi_encode()),
        balance_of_escrow(),
    ]);
    assert_eq!(env.calls(), expected);
    assert_eq!(
        logs_of::<BondReleased>(env.vm()),
        vec![BondReleased {
            jobId: id(1),
            requester: REQUESTER,
            amount: ct(100),
            burned: false
        }]
    );
    assert_eq!(env.token.borrow().balance(REQUESTER), ct(1_000_000));
}

#[test]
fn resolve_dispute_errors() {
    let mut env = disputed();
    let vm = env.vm().clone();
    env.at(OTHER);
    assert_reverts(&vm, unauthorized(OTHER, ARBITRATOR_ROLE), || {
        env.escrow.resolve_dispute(id(1), true)
    });
    env.at(REQUESTER);
    assert_reverts(&vm, unauthorized(REQUESTER, ARBITRATOR_ROLE), || {
        env.escrow.resolve_dispute(id(1), true)
    });
    env.at(ARBITRATOR);
    assert_reverts(&vm, invalid_state(2, NONE), || {
        env.escrow.resolve_dispute(id(2), true)
    });
    let mut env = submitted();
    env.at(ARBITRATOR);
    let vm = env.vm().clone();
    assert_reverts(&vm, invalid_state(1, SUBMITTED), || {
        env.escrow.resolve_dispute(id(1), false)
    });
}

#[test]
fn bond_return_failures_are_reported() {
    let mut env = disputed();
    env.at(ARBITRATOR);
    env.token.borrow_mut().mode = Mode::ReturnFalse;
    assert_eq!(
        env.escrow.resolve_dispute(id(1), true),
        Err(failed(TOKEN, &false.abi_encode()))
    );
    let mut env = disputed();
    env.at(ARBITRATOR);
    env.token.borrow_mut().mode = Mode::Revert;
    assert_eq!(
        env.escrow.resolve_dispute(id(1), false),
        Err(failed(TOKEN, b"token"))
    );
    // A token taking more than the bond from the escrow (its balance must fall by exactly the
    // bond, for a return and for a burn). It needs a second bond to take from.
    for fault in [true, false] {
        let mut env = disputed();
        env.token.borrow_mut().balances.insert(ESCROW, ct(200));
        env.at(ARBITRATOR);
        env.token.borrow_mut().mode = Mode::Drain(U256::from(5));
        assert_eq!(
            env.escrow.resolve_dispute(id(1), fault),
            Err(Error::BalanceDeltaMismatch(JobEscrowBalanceDeltaMismatch {
                expected: ct(100),
                actual: ct(100) + U256::from(5),
            }))
        );
    }
    // A fee taken on the recipient's side is not the escrow's concern: its balance fell by
    // exactly the bond.
    let mut env = disputed();
    env.at(ARBITRATOR);
    env.token.borrow_mut().mode = Mode::Fee(U256::from(5));
    assert_eq!(env.escrow.resolve_dispute(id(1), true), Ok(()));
}

// ---------------------------------------------------------------------------------------------
// claimTimeout
// ---------------------------------------------------------------------------------------------

#[test]
fn anyone_claims_a_timeout_after_the_deadline() {
    let mut env = running();
    env.at(OTHER);
    let vm = env.vm().clone();
    let deadline = T0 + 100 + DURATION + 3_600;
    env.warp(deadline - 1);
    assert_reverts(&vm, early(1, deadline), || env.escrow.claim_timeout(id(1)));
    env.warp(deadline);
    pause(&mut env);
    env.escrow.claim_timeout(id(1)).unwrap();
    // 2.5% of 1.1M CT.
    assert_eq!(
        env.calls(),
        vec![
            unlock_credits(REQUESTER, MAX_COST),
            reg_view(activeStakeCall { provider: PROVIDER }.abi_encode()),
            reg_view(unbondingStakeCall { provider: PROVIDER }.abi_encode()),
            reg(slashCall {
                provider: PROVIDER,
                amount: ct(27_500),
                beneficiary: REQUESTER,
                reason: B256::from(id(1)),
            }
            .abi_encode()),
            unlock_stake(PROVIDER, STAKE),
            outcome(PROVIDER, false),
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
    assert_eq!(env.state(id(1)), EXPIRED);
    assert_eq!(env.escrow.open_jobs(PROVIDER), U256::ZERO);
    assert_reverts(&vm, invalid_state(1, EXPIRED), || {
        env.escrow.claim_timeout(id(1))
    });
    env.at(PROVIDER);
    assert_reverts(&vm, invalid_state(1, EXPIRED), || {
        env.escrow.submit_result(id(1), RESULT, USED)
    });
}

#[test]
fn a_zero_slash_is_not_sent() {
    let mut env = running();
    set_param(&mut env, ABANDON_SLASH_BPS, U256::ZERO);
    env.warp(T0 + 100 + DURATION + 3_600);
    env.escrow.claim_timeout(id(1)).unwrap();
    assert!(env
        .calls()
        .iter()
        .all(|c| selector_of(c) != slashCall::SELECTOR));
    assert!(env.registry.borrow().slashes.is_empty());
}

fn selector_of(c: &Call) -> [u8; 4] {
    c.data[..4].try_into().unwrap()
}

#[test]
fn claim_timeout_state_errors() {
    let mut env = open();
    let vm = env.vm().clone();
    env.warp(T0 + 1_000_000);
    assert_reverts(&vm, invalid_state(1, OPEN), || {
        env.escrow.claim_timeout(id(1))
    });
    let mut env = submitted();
    let vm = env.vm().clone();
    env.warp(T0 + 10_000_000);
    assert_reverts(&vm, invalid_state(1, SUBMITTED), || {
        env.escrow.claim_timeout(id(1))
    });
}

#[test]
fn registry_failures_are_reported() {
    let mut env = running();
    env.warp(T0 + 100 + DURATION + 3_600);
    // A registry that reverts every call (e.g. the escrow lost its roles): its revert data is
    // passed on, wrapped with the registry's address.
    env.host.install(REGISTRY, FailingModel);
    assert_eq!(
        env.escrow.claim_timeout(id(1)),
        Err(failed(REGISTRY, b"AccessControlUnauthorizedAccount"))
    );
}

struct FailingModel;
impl testing::Model for FailingModel {
    fn call(&mut self, _: &Call) -> Result<Vec<u8>, Vec<u8>> {
        Err(b"AccessControlUnauthorizedAccount".to_vec())
    }
}

/// `(selector, is_static, state of job 1)` of every call seen by a [`Spy`].
type Seen = Rc<RefCell<Vec<([u8; 4], bool, u8)>>>;

/// Records, at every call the escrow makes to the wrapped model, the state job 1 is in then (read
/// from the escrow's storage, which the SDK flushes before each call).
struct Spy {
    inner: Rc<RefCell<dyn testing::Model>>,
    host: ModelHost,
    seen: Seen,
}

impl testing::Model for Spy {
    fn call(&mut self, call: &Call) -> Result<Vec<u8>, Vec<u8>> {
        let state = JobEscrow::from(&self.host).job_words(id(1))[F_STATE].to::<u8>();
        self.seen
            .borrow_mut()
            .push((selector_of(call), call.is_static, state));
        self.inner.borrow_mut().call(call)
    }
}

fn spy_on(env: &Env) -> Seen {
    let seen = Seen::default();
    let controller: Rc<RefCell<dyn testing::Model>> = env.controller.clone();
    let registry: Rc<RefCell<dyn testing::Model>> = env.registry.clone();
    let token: Rc<RefCell<dyn testing::Model>> = env.token.clone();
    for (at, inner) in [
        (CONTROLLER, controller),
        (REGISTRY, registry),
        (TOKEN, token),
    ] {
        env.host.install(
            at,
            Spy {
                inner,
                host: env.host.clone(),
                seen: seen.clone(),
            },
        );
    }
    seen
}

/// Checks-effects-interactions: every mutating call the escrow makes sees the job already in its
/// new state; only views (eligibility, quotes, balances) come before the state change.
#[test]
fn every_mutating_call_sees_the_new_state() {
    fn assert_after(seen: &RefCell<Vec<([u8; 4], bool, u8)>>, before: u8, after: u8) {
        let seen = seen.borrow();
        assert!(!seen.is_empty());
        for (selector, is_static, state) in seen.iter() {
            if *is_static && *state == before {
                continue; // a check, or the bond's balance read after the effects
            }
            assert_eq!(*state, after, "call {selector:?} (static: {is_static})");
        }
    }
    // Happy path with a dispute lost by the provider.
    let mut env = deploy();
    let seen = spy_on(&env);
    env.escrow
        .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
        .unwrap();
    assert_after(&seen, NONE, OPEN);
    seen.borrow_mut().clear();
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    assert_after(&seen, OPEN, RUNNING);
    env.escrow.submit_result(id(1), RESULT, USED).unwrap();
    seen.borrow_mut().clear();
    env.at(REQUESTER);
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    assert_after(&seen, SUBMITTED, DISPUTED);
    seen.borrow_mut().clear();
    env.at(ARBITRATOR);
    env.escrow.resolve_dispute(id(1), true).unwrap();
    assert_after(&seen, DISPUTED, REFUNDED);
    // Completion, timeout and cancellation.
    for path in 0..3 {
        let mut env = deploy();
        let seen = spy_on(&env);
        env.escrow
            .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
            .unwrap();
        env.at(PROVIDER);
        if path == 2 {
            seen.borrow_mut().clear();
            env.at(REQUESTER);
            env.escrow.cancel_job(id(1)).unwrap();
            assert_after(&seen, OPEN, CANCELLED);
            continue;
        }
        env.escrow.accept_job(id(1)).unwrap();
        seen.borrow_mut().clear();
        if path == 0 {
            env.escrow.submit_result(id(1), RESULT, USED).unwrap();
            env.at(REQUESTER);
            env.escrow.approve_result(id(1)).unwrap();
            assert_after(&seen, SUBMITTED, COMPLETED);
        } else {
            env.warp(T0 + DURATION + 3_600);
            env.escrow.claim_timeout(id(1)).unwrap();
            assert_after(&seen, RUNNING, EXPIRED);
        }
    }
}
