//! Unit tests of parameters (`setParameter` role, names and bounds), pause (what it stops and what it
//! lets through) and access control. Helpers and fixtures are in the parent module.

use alloy_primitives::U256;
use common::access::{AccessControl, AccessControlUnauthorizedAccount};
use common::pausable::{EnforcedPause, ExpectedPause, Pausable};
use common::roles::PAUSER_ROLE;
use testing::{assert_reverts, logs_of};

use super::*;

#[test]
fn set_parameter_checks_role_name_and_bounds() {
    let mut env = deploy();
    let vm = env.vm().clone();
    assert_reverts(&vm, unauthorized(REQUESTER, PARAMETER_ADMIN_ROLE), || {
        env.escrow.set_parameter(ACCEPT_WINDOW, U256::from(600))
    });
    env.at(PARAMS);
    let unknown = common::params::name("feeBps");
    assert_reverts(
        &vm,
        Error::UnknownParameter(JobEscrowUnknownParameter { name: unknown }),
        || env.escrow.set_parameter(unknown, U256::ZERO),
    );
    assert_eq!(
        env.escrow.parameter(unknown),
        Err(Error::UnknownParameter(JobEscrowUnknownParameter {
            name: unknown
        }))
    );
    for (i, name) in PARAMETERS.iter().enumerate() {
        let (min, max) = (PARAMETER_MIN[i], PARAMETER_MAX[i]);
        assert!(min <= PARAMETER_DEFAULT[i] && PARAMETER_DEFAULT[i] <= max);
        let oob =
            |value| Error::ParameterOutOfBounds(JobEscrowParameterOutOfBounds { value, min, max });
        if !min.is_zero() {
            assert_reverts(&vm, oob(min - U256::from(1)), || {
                env.escrow.set_parameter(*name, min - U256::from(1))
            });
        }
        assert_reverts(&vm, oob(max + U256::from(1)), || {
            env.escrow.set_parameter(*name, max + U256::from(1))
        });
        for value in [min, max] {
            let old = env.escrow.parameter(*name).unwrap();
            env.clear();
            env.escrow.set_parameter(*name, value).unwrap();
            assert_eq!(env.escrow.parameter(*name), Ok(value));
            assert_eq!(
                logs_of::<ParameterUpdated>(env.vm()),
                vec![ParameterUpdated {
                    name: *name,
                    oldValue: old,
                    newValue: value
                }]
            );
        }
    }
}

#[test]
fn parameter_changes_do_not_move_running_deadlines() {
    let mut env = running();
    set_param(&mut env, SUBMIT_GRACE, U256::from(300));
    set_param(&mut env, CHALLENGE_WINDOW, U256::from(3_600));
    assert_eq!(
        env.escrow.job_words(id(1))[F_UNTIL],
        U256::from(T0 + 100 + DURATION + 3_600)
    );
    env.at(PROVIDER);
    env.escrow.submit_result(id(1), RESULT, USED).unwrap();
    assert_eq!(
        env.escrow.job_words(id(1))[F_UNTIL],
        U256::from(T0 + 100 + 3_600)
    );
}

#[test]
fn pause_roles() {
    let mut env = deploy();
    let vm = env.vm().clone();
    assert_eq!(
        env.escrow.pause(),
        Err(common::pausable::PausableError::UnauthorizedAccount(
            AccessControlUnauthorizedAccount {
                account: REQUESTER,
                neededRole: PAUSER_ROLE
            }
        ))
    );
    env.at(PAUSER);
    env.escrow.pause().unwrap();
    assert!(env.escrow.paused());
    env.escrow.unpause().unwrap();
    assert!(!env.escrow.paused());
    assert_eq!(
        env.escrow.unpause(),
        Err(common::pausable::PausableError::ExpectedPause(
            ExpectedPause {}
        ))
    );
    // Conversion of pausable errors into the escrow's.
    assert_eq!(
        Error::from(common::pausable::PausableError::EnforcedPause(
            EnforcedPause {}
        )),
        Error::EnforcedPause(EnforcedPause {})
    );
    let _ = vm;
}

#[test]
fn renounce_needs_the_callers_confirmation() {
    let mut env = deploy();
    env.at(ARBITRATOR);
    assert_eq!(
        env.escrow
            .renounce_role(ARBITRATOR_ROLE, OTHER)
            .map_err(Error::from),
        Err(Error::BadConfirmation(
            common::access::AccessControlBadConfirmation {}
        ))
    );
    env.escrow
        .renounce_role(ARBITRATOR_ROLE, ARBITRATOR)
        .unwrap();
    assert!(!env.escrow.has_role(ARBITRATOR_ROLE, ARBITRATOR));
}

#[test]
fn only_the_admin_grants_roles() {
    let mut env = deploy();
    assert_eq!(
        env.escrow.grant_role(ARBITRATOR_ROLE, OTHER),
        Err(common::access::AccessControlError::UnauthorizedAccount(
            AccessControlUnauthorizedAccount {
                account: REQUESTER,
                neededRole: DEFAULT_ADMIN_ROLE
            }
        ))
    );
    assert!(env.escrow.has_role(ARBITRATOR_ROLE, ARBITRATOR));
    assert_eq!(
        env.escrow.get_role_admin(ARBITRATOR_ROLE),
        DEFAULT_ADMIN_ROLE
    );
}

/// The worked example of the README: one job through every step, with the credit and token
/// balances at the end.
#[test]
fn lifecycle_balances() {
    let mut env = submitted();
    env.escrow.approve_result(id(1)).unwrap();
    let c = env.controller.borrow();
    assert_eq!(
        c.free_of(REQUESTER),
        U256::from(1_000_000_000_000u64) - COST
    );
    assert_eq!(c.settled[&PROVIDER] + (MAX_COST - COST), MAX_COST);
    assert_eq!(env.registry.borrow().locked_of(PROVIDER), U256::ZERO);
}
