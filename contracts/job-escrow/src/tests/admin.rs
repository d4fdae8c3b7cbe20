//! Unit tests of parameters (`setParameter` role, names and bounds), pause (what it stops and what
//! it lets through) and access control. Helpers and fixtures are in the parent module.

use alloy_primitives::{Address, U256};
use common::access::AccessControl;
use common::errors::{CommonError, ExpectedPause, ParameterOutOfBounds, UnknownParameter};
use common::pausable::Pausable;
use common::pausable::{Paused, Unpaused};
use common::roles::PAUSER_ROLE;
use testing::logs_of;

use super::*;

#[test]
fn set_parameter_checks_role_name_and_bounds() {
    let mut env = deploy();
    for caller in [REQUESTER, ADMIN, ARBITRATOR] {
        env.at(caller);
        env.rejects(unauthorized(caller, PARAMETER_ADMIN_ROLE), |e| {
            e.set_parameter(ACCEPT_WINDOW, U256::from(600))
        });
    }
    env.at(PARAMS);
    // Names of other contracts' parameters, and the one the registry now owns.
    for unknown in ["feeBps", "maxOpenJobsPerProvider", "maxOpenJobs", ""] {
        let name = common::params::name(unknown);
        let error = Error::Common(CommonError::UnknownParameter(UnknownParameter { name }));
        env.rejects(
            Error::Common(CommonError::UnknownParameter(UnknownParameter { name })),
            |e| e.set_parameter(name, U256::ZERO),
        );
        assert_eq!(env.escrow.parameter(name), Err(error));
    }
    for p in PARAMETERS {
        let oob = |value| {
            Error::Common(CommonError::ParameterOutOfBounds(ParameterOutOfBounds {
                name: p.name,
                value,
                min: p.min,
                max: p.max,
            }))
        };
        if !p.min.is_zero() {
            env.rejects(oob(p.min - U256::from(1)), |e| {
                e.set_parameter(p.name, p.min - U256::from(1))
            });
        }
        env.rejects(oob(p.max + U256::from(1)), |e| {
            e.set_parameter(p.name, p.max + U256::from(1))
        });
        env.rejects(oob(U256::MAX), |e| e.set_parameter(p.name, U256::MAX));
        for value in [p.min, p.max, p.default] {
            let old = env.escrow.parameter(p.name).unwrap();
            env.clear();
            env.escrow.set_parameter(p.name, value).unwrap();
            assert_eq!(env.escrow.parameter(p.name), Ok(value));
            assert_eq!(
                logs_of::<ParameterUpdated>(env.vm()),
                vec![ParameterUpdated {
                    name: p.name,
                    oldValue: old,
                    newValue: value
                }]
            );
            assert_eq!(env.vm().get_emitted_logs().len(), 1);
        }
    }
}

/// Parameters change what jobs do from the next phase on, never a phase already running.
#[test]
fn parameter_changes_do_not_move_running_deadlines() {
    let mut env = running();
    set_param(&mut env, SUBMIT_GRACE, U256::from(300));
    set_param(&mut env, CHALLENGE_WINDOW, U256::from(3_600));
    set_param(&mut env, ARBITRATION_WINDOW, U256::from(86_400));
    assert_eq!(env.job(id(1))[F_UNTIL], U256::from(RESULT_DEADLINE));
    env.at(PROVIDER);
    env.escrow.submit_result(id(1), RESULT, USED).unwrap();
    assert_eq!(env.job(id(1))[F_UNTIL], U256::from(T0 + 100 + 3_600));
    set_param(&mut env, CHALLENGE_WINDOW, U256::from(604_800));
    env.at(REQUESTER);
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    assert_eq!(env.job(id(1))[F_UNTIL], U256::from(T0 + 100 + 86_400));
    // An open job keeps its accept deadline.
    let mut env = open();
    set_param(&mut env, ACCEPT_WINDOW, U256::from(300));
    env.warp(T0 + 1_000);
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
}

/// The slash and jail parameters reach the registry as set.
#[test]
fn slash_and_jail_parameters_are_passed_on() {
    let mut env = disputed();
    set_param(&mut env, FRAUD_SLASH_BPS, U256::from(500));
    set_param(&mut env, FRAUD_JAIL_SECONDS, U256::from(86_400));
    env.at(ARBITRATOR);
    env.escrow.resolve_dispute(id(1), true).unwrap();
    assert_eq!(
        env.calls()[1..3],
        [
            slash_job(PROVIDER, 1, 500, REQUESTER),
            jail(PROVIDER, T0 + 7_000 + 86_400)
        ]
    );
    let mut env = running();
    set_param(&mut env, ABANDON_SLASH_BPS, U256::from(2_000));
    env.warp(RESULT_DEADLINE);
    env.escrow.claim_timeout(id(1)).unwrap();
    assert_eq!(env.calls()[1], slash_job(PROVIDER, 1, 2_000, REQUESTER));
}

#[test]
fn pause_roles_and_events() {
    let mut env = deploy();
    for caller in [REQUESTER, ADMIN, ARBITRATOR] {
        env.at(caller);
        assert_eq!(
            env.escrow.pause(),
            Err(CommonError::UnauthorizedAccount(
                AccessControlUnauthorizedAccount {
                    account: caller,
                    neededRole: PAUSER_ROLE
                }
            ))
        );
    }
    env.at(PAUSER);
    assert_eq!(
        env.escrow.unpause(),
        Err(CommonError::ExpectedPause(ExpectedPause {}))
    );
    env.escrow.pause().unwrap();
    assert!(env.escrow.paused());
    assert_eq!(
        logs_of::<Paused>(env.vm()),
        vec![Paused { account: PAUSER }]
    );
    assert_eq!(
        env.escrow.pause(),
        Err(CommonError::EnforcedPause(EnforcedPause {}))
    );
    env.escrow.unpause().unwrap();
    assert!(!env.escrow.paused());
    assert_eq!(
        logs_of::<Unpaused>(env.vm()),
        vec![Unpaused { account: PAUSER }]
    );
}

/// Pause stops new business only (`createJob`, `createJobFor`, `acceptJob`, `award`); every exit
/// and every step of a running job goes on (the other tests run those while paused).
#[test]
fn pause_stops_new_business_only() {
    let mut env = deploy();
    env.escrow
        .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
        .unwrap();
    env.at(MARKET);
    env.escrow
        .create_job_for(REQUESTER, SPEC, GPUS, DURATION, PRICE, 3_600)
        .unwrap();
    env.escrow
        .create_job_for(REQUESTER, SPEC, GPUS, DURATION, PRICE, 3_600)
        .unwrap();
    env.at(PROVIDER2);
    env.escrow.accept_job(id(1)).unwrap();
    pause(&mut env);
    env.at(REQUESTER);
    env.rejects(enforced_pause(), |e| {
        e.create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
    });
    env.at(MARKET);
    env.rejects(enforced_pause(), |e| {
        e.create_job_for(REQUESTER, SPEC, GPUS, DURATION, PRICE, 3_600)
    });
    env.rejects(enforced_pause(), |e| e.award(id(2), PROVIDER, PRICE));
    env.escrow.cancel_job(id(3)).unwrap();
    env.at(PROVIDER);
    env.rejects(enforced_pause(), |e| e.accept_job(id(2)));
    env.at(PROVIDER2);
    env.escrow.submit_result(id(1), RESULT, USED).unwrap();
    env.at(REQUESTER);
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    env.at(ARBITRATOR);
    env.escrow.resolve_dispute(id(1), false).unwrap();
    env.at(OTHER);
    env.escrow.finalize(id(1)).unwrap();
    assert_eq!(env.state(id(1)), COMPLETED);
    env.at(PAUSER);
    env.escrow.unpause().unwrap();
    env.at(MARKET);
    env.escrow.award(id(2), PROVIDER, PRICE).unwrap();
}

#[test]
fn renounce_needs_the_callers_confirmation() {
    let mut env = deploy();
    env.at(ARBITRATOR);
    assert_eq!(
        env.escrow
            .renounce_role(ARBITRATOR_ROLE, OTHER)
            .map_err(Error::from),
        Err(Error::Common(CommonError::BadConfirmation(
            common::access::AccessControlBadConfirmation {}
        )))
    );
    env.escrow
        .renounce_role(ARBITRATOR_ROLE, ARBITRATOR)
        .unwrap();
    assert!(!env.escrow.has_role(ARBITRATOR_ROLE, ARBITRATOR));
}

#[test]
fn only_the_admin_grants_roles() {
    let mut env = deploy();
    for role in [
        ARBITRATOR_ROLE,
        MARKET_ROLE,
        PARAMETER_ADMIN_ROLE,
        PAUSER_ROLE,
    ] {
        assert_eq!(
            env.escrow.grant_role(role, OTHER),
            Err(CommonError::UnauthorizedAccount(
                AccessControlUnauthorizedAccount {
                    account: REQUESTER,
                    neededRole: DEFAULT_ADMIN_ROLE
                }
            ))
        );
        assert_eq!(env.escrow.get_role_admin(role), DEFAULT_ADMIN_ROLE);
        assert!(!env.escrow.has_role(role, OTHER));
    }
    assert!(env.escrow.has_role(ARBITRATOR_ROLE, ARBITRATOR));
    assert!(env.escrow.has_role(MARKET_ROLE, MARKET));
    // A new market is usable at once.
    env.at(ADMIN);
    env.escrow.grant_role(MARKET_ROLE, OTHER).unwrap();
    env.at(OTHER);
    env.escrow
        .create_job_for(REQUESTER, SPEC, GPUS, DURATION, PRICE, 3_600)
        .unwrap();
}

/// One job through every step, with the credit, stake and token balances at the end.
#[test]
fn lifecycle_balances() {
    let mut env = submitted();
    env.escrow.approve_result(id(1)).unwrap();
    let c = env.controller.borrow();
    assert_eq!(c.free_of(REQUESTER), CREDITS - COST);
    assert_eq!(c.settled[&PROVIDER] + (MAX_COST - COST), MAX_COST);
    assert_eq!(
        c.settlements,
        vec![(REQUESTER, PROVIDER, COST, MAX_COST - COST)]
    );
    let p = env.registry.borrow().provider(PROVIDER);
    assert_eq!((p.locked, p.completed), (U256::ZERO, 1));
    assert_eq!(env.token.borrow().balance(ESCROW), U256::ZERO);
}
