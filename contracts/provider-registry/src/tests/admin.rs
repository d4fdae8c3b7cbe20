//! Constructor, roles (`AccessControl`), pause (`Pausable`) and parameters.

use super::*;

// ---------------------------------------------------------------------------------------------
// Constructor and roles
// ---------------------------------------------------------------------------------------------

#[test]
fn constructor_sets_token_defaults_and_admin() {
    let vm = TestVM::new();
    vm.set_sender(DEPLOYER);
    let host = RegistryHost::new(vm.clone());
    let mut registry = ProviderRegistry::from(&host.host);
    registry.constructor(TOKEN, EMISSIONS, ADMIN).unwrap();
    assert_eq!(registry.token(), TOKEN);
    for (name, value) in [
        (MIN_STAKE_BASE, ct(5_000)),
        (STAKE_PER_GPU, ct(200)),
        (UNBONDING_PERIOD, U256::from(14 * DAY)),
        (MIN_UNBONDING_PERIOD, U256::from(9 * DAY)),
        (MAX_SLASH_BPS, U256::from(1_000)),
        (CHALLENGER_SHARE_BPS, U256::from(5_000)),
        (MAX_OPEN_JOBS, U256::from(64)),
    ] {
        assert_eq!(registry.parameter(name), Ok(value));
    }
    assert!(registry.has_role(DEFAULT_ADMIN_ROLE, ADMIN));
    assert!(!registry.has_role(DEFAULT_ADMIN_ROLE, DEPLOYER));
    assert!(!registry.paused());
    only_log(
        &vm,
        RoleGranted {
            role: DEFAULT_ADMIN_ROLE,
            account: ADMIN,
            sender: DEPLOYER,
        },
    );
    assert!(
        host.host.calls().is_empty(),
        "the constructor calls nothing"
    );
}

#[test]
fn constructor_rejects_zero_token_and_zero_admin_but_not_zero_emissions() {
    let vm = TestVM::new();
    let mut registry = ProviderRegistry::from(&vm);
    assert_reverts(&vm, Error::ZeroAddress(RegistryZeroAddress {}), || {
        registry.constructor(Address::ZERO, EMISSIONS, ADMIN)
    });
    assert_reverts(
        &vm,
        Error::Common(CommonError::InvalidDefaultAdmin(
            AccessControlInvalidDefaultAdmin {
                defaultAdmin: Address::ZERO,
            },
        )),
        || registry.constructor(TOKEN, EMISSIONS, Address::ZERO),
    );
    registry.constructor(TOKEN, Address::ZERO, ADMIN).unwrap();
    assert_eq!(registry.token(), TOKEN);
}

#[test]
fn roles_are_granted_revoked_and_renounced_by_their_admins() {
    let (host, mut registry) = deploy();
    let vm = host.vm.clone();
    assert_eq!(registry.get_role_admin(SLASHER_ROLE), DEFAULT_ADMIN_ROLE);
    assert!(registry.has_role(SLASHER_ROLE, SLASHER));
    rejects(&host, unauthorized(PROVIDER, DEFAULT_ADMIN_ROLE), || {
        registry
            .grant_role(SLASHER_ROLE, OTHER)
            .map_err(Error::from)
    });
    rejects(&host, unauthorized(PROVIDER, DEFAULT_ADMIN_ROLE), || {
        registry
            .revoke_role(SLASHER_ROLE, SLASHER)
            .map_err(Error::from)
    });
    rejects(
        &host,
        Error::Common(CommonError::BadConfirmation(
            common::access::AccessControlBadConfirmation {},
        )),
        || {
            registry
                .renounce_role(SLASHER_ROLE, SLASHER)
                .map_err(Error::from)
        },
    );
    vm.set_sender(ADMIN);
    registry.grant_role(SLASHER_ROLE, OTHER).unwrap();
    only_log(
        &vm,
        RoleGranted {
            role: SLASHER_ROLE,
            account: OTHER,
            sender: ADMIN,
        },
    );
    assert!(registry.has_role(SLASHER_ROLE, OTHER));
    clear(&host);
    registry.revoke_role(SLASHER_ROLE, SLASHER).unwrap();
    only_log(
        &vm,
        RoleRevoked {
            role: SLASHER_ROLE,
            account: SLASHER,
            sender: ADMIN,
        },
    );
    assert!(!registry.has_role(SLASHER_ROLE, SLASHER));
    clear(&host);
    vm.set_sender(PAUSER);
    registry.renounce_role(PAUSER_ROLE, PAUSER).unwrap();
    only_log(
        &vm,
        RoleRevoked {
            role: PAUSER_ROLE,
            account: PAUSER,
            sender: PAUSER,
        },
    );
    rejects(&host, unauthorized(PAUSER, PAUSER_ROLE), || {
        registry.pause().map_err(Error::from)
    });
}

// ---------------------------------------------------------------------------------------------
// Pause
// ---------------------------------------------------------------------------------------------

#[test]
fn pause_and_unpause_need_the_pauser_role_and_alternate() {
    let (host, mut registry) = deploy();
    let vm = host.vm.clone();
    rejects(&host, unauthorized(PROVIDER, PAUSER_ROLE), || {
        registry.pause().map_err(Error::from)
    });
    vm.set_sender(PAUSER);
    rejects(
        &host,
        Error::Common(CommonError::ExpectedPause(ExpectedPause {})),
        || registry.unpause().map_err(Error::from),
    );
    registry.pause().unwrap();
    assert!(registry.paused());
    only_log(&vm, Paused { account: PAUSER });
    clear(&host);
    rejects(&host, enforced_pause(), || {
        registry.pause().map_err(Error::from)
    });
    vm.set_sender(PROVIDER);
    rejects(&host, unauthorized(PROVIDER, PAUSER_ROLE), || {
        registry.unpause().map_err(Error::from)
    });
    vm.set_sender(PAUSER);
    registry.unpause().unwrap();
    assert!(!registry.paused());
    only_log(&vm, Unpaused { account: PAUSER });
    assert!(host.host.calls().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

#[test]
fn set_parameter_accepts_bounds_and_logs() {
    let (host, mut registry) = deploy();
    host.vm.set_sender(PARAMS);
    let day = U256::from(DAY);
    for (name, value, old) in [
        (MIN_STAKE_BASE, ct(100), ct(5_000)),
        (MIN_STAKE_BASE, ct(1_000_000), ct(100)),
        (STAKE_PER_GPU, U256::ZERO, ct(200)),
        (STAKE_PER_GPU, ct(100_000), U256::ZERO),
        (UNBONDING_PERIOD, day * U256::from(90), day * U256::from(14)),
        (
            MIN_UNBONDING_PERIOD,
            day * U256::from(90),
            day * U256::from(9),
        ),
        (MIN_UNBONDING_PERIOD, day, day * U256::from(90)),
        (UNBONDING_PERIOD, day, day * U256::from(90)),
        (MAX_SLASH_BPS, U256::from(100), U256::from(1_000)),
        (MAX_SLASH_BPS, U256::from(2_000), U256::from(100)),
        (CHALLENGER_SHARE_BPS, U256::ZERO, U256::from(5_000)),
        (CHALLENGER_SHARE_BPS, U256::from(10_000), U256::ZERO),
        (MAX_OPEN_JOBS, U256::from(1), U256::from(64)),
        (MAX_OPEN_JOBS, U256::from(64), U256::from(1)),
    ] {
        registry.set_parameter(name, value).unwrap();
        only_log(
            &host.vm,
            ParameterUpdated {
                name,
                oldValue: old,
                newValue: value,
            },
        );
        assert_eq!(registry.parameter(name), Ok(value));
        clear(&host);
    }
    assert!(host.host.calls().is_empty());
    // Works while paused.
    pause(&host, &mut registry);
    registry
        .set_parameter(MAX_OPEN_JOBS, U256::from(3))
        .unwrap();
    assert_eq!(registry.parameter(MAX_OPEN_JOBS), Ok(U256::from(3)));
}

#[test]
fn set_parameter_rejects_out_of_bounds_unknown_and_unauthorized() {
    let (host, mut registry) = deploy();
    rejects(&host, unauthorized(PROVIDER, PARAMETER_ADMIN_ROLE), || {
        registry.set_parameter(MAX_SLASH_BPS, U256::from(500))
    });
    let unknown = common::params::name("slashBps");
    let unknown_error = || {
        Error::Common(CommonError::UnknownParameter(UnknownParameter {
            name: unknown,
        }))
    };
    // The role is checked before the name.
    rejects(&host, unauthorized(PROVIDER, PARAMETER_ADMIN_ROLE), || {
        registry.set_parameter(unknown, U256::ZERO)
    });
    host.vm.set_sender(PARAMS);
    assert_eq!(registry.parameter(unknown), Err(unknown_error()));
    assert_eq!(
        registry.parameter(B256::ZERO),
        Err(Error::Common(CommonError::UnknownParameter(
            UnknownParameter { name: B256::ZERO }
        )))
    );
    rejects(&host, unknown_error(), || {
        registry.set_parameter(unknown, U256::ZERO)
    });
    let day = |n: u64| U256::from(n * DAY);
    let n = U256::from;
    for (name, value, min, max) in [
        (MIN_STAKE_BASE, ct(100) - wei(1), ct(100), ct(1_000_000)),
        (
            MIN_STAKE_BASE,
            ct(1_000_000) + wei(1),
            ct(100),
            ct(1_000_000),
        ),
        (STAKE_PER_GPU, ct(100_000) + wei(1), U256::ZERO, ct(100_000)),
        // unbondingPeriod's floor is minUnbondingPeriod (9 days), and vice versa.
        (UNBONDING_PERIOD, day(9) - n(1), day(9), day(90)),
        (UNBONDING_PERIOD, day(90) + n(1), day(9), day(90)),
        (MIN_UNBONDING_PERIOD, day(1) - n(1), day(1), day(14)),
        (MIN_UNBONDING_PERIOD, day(14) + n(1), day(1), day(14)),
        (MAX_SLASH_BPS, n(99), n(100), n(2_000)),
        (MAX_SLASH_BPS, n(2_001), n(100), n(2_000)),
        (CHALLENGER_SHARE_BPS, n(10_001), U256::ZERO, n(10_000)),
        (MAX_OPEN_JOBS, U256::ZERO, n(1), n(64)),
        (MAX_OPEN_JOBS, n(65), n(1), n(64)),
    ] {
        rejects(
            &host,
            Error::Common(CommonError::ParameterOutOfBounds(ParameterOutOfBounds {
                name,
                value,
                min,
                max,
            })),
            || registry.set_parameter(name, value),
        );
    }
}

#[test]
fn parameter_table_matches_the_names_and_defaults() {
    assert_eq!(UNBONDING_PERIOD.0[..15], *b"unbondingPeriod");
    assert_eq!(UNBONDING_PERIOD.0[15..], [0u8; 17]);
    assert_eq!(CHALLENGER_SHARE_BPS.0[..18], *b"challengerShareBps");
    assert_eq!(MAX_OPEN_JOBS.0[..11], *b"maxOpenJobs");
    let names = [
        MIN_STAKE_BASE,
        STAKE_PER_GPU,
        UNBONDING_PERIOD,
        MIN_UNBONDING_PERIOD,
        MAX_SLASH_BPS,
        CHALLENGER_SHARE_BPS,
        MAX_OPEN_JOBS,
    ];
    assert_eq!(PARAMETERS.map(|p| p.name), names);
    assert_eq!(PARAMETERS[0].default, DEFAULT_MIN_STAKE_BASE);
    assert_eq!(PARAMETERS[1].default, DEFAULT_STAKE_PER_GPU);
    assert_eq!(PARAMETERS[2].default, U256::from(DEFAULT_UNBONDING_PERIOD));
    for p in PARAMETERS {
        assert!(p.min <= p.default && p.default <= p.max, "{p:?}");
    }
}

#[test]
fn an_unbonding_period_change_applies_to_new_requests_only() {
    let (host, mut registry) = staked(ct(100));
    let id1 = registry.request_unbond(ct(1)).unwrap();
    set_param(&host, &mut registry, UNBONDING_PERIOD, U256::from(20 * DAY));
    let id2 = registry.request_unbond(ct(1)).unwrap();
    assert_eq!(registry.unbond_request(PROVIDER, id1).1, T0 + 14 * DAY);
    assert_eq!(registry.unbond_request(PROVIDER, id2).1, T0 + 20 * DAY);
}
