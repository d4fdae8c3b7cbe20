//! Unit tests on the SDK's `TestVM` through `testing::ModelHost`, with models of the stake token
//! and of `Emissions` ([`host`]): every public function, every error with its exact fields, every
//! event decoded, and the exact calldata of every call the registry makes (to the token and to
//! `Emissions`, in order).
//!
//! Two kinds of failure are told apart:
//! - a failed **check** ([`rejects`]) writes no storage, logs nothing (`testing::assert_reverts`)
//!   and makes no mutating call;
//! - a failed **interaction** ([`fails`]: the token or `Emissions` reverted, or the token misbehaved,
//!   after the registry's effects, by checks-effects-interactions) is undone by the chain; `fails`
//!   restores the registry's storage and logs and the models as the revert would, so a test can
//!   retry from the state before.
//!
//! This file: fixtures, profile, stake, unbonding, withdrawal, deregistration and views.
//! Submodules: `admin` (constructor, roles, pause, parameters), `earning` (earning-stake reports,
//! `syncStake`), `job_manager` (stake locks, releases, slashes and jails, with the H-2 and M-1
//! sequences of the crate docs' "Per-job locks"), `encoding` (errors and calldata against alloy,
//! helpers), `host` (the token and `Emissions` models), `proptests` (random sequences against a
//! model; docs/protocol.md §12, invariants 5–7).

use std::fmt::Debug;

use alloy_primitives::{address, b256, uint, Address, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolValue};
use common::access::{AccessControl, AccessControlUnauthorizedAccount, RoleGranted, RoleRevoked};
use common::pausable::{Pausable, Paused, Unpaused};
use common::roles::{PAUSER_ROLE, STAKE_REPORTER_ROLE};
use stylus_sdk::testing::TestVM;
use testing::{assert_reverts, logs_of, only_log};

use super::*;
use crate::token::{burnCall, setEarningStakeCall, transferCall, transferFromCall};
use host::{
    balanceOfCall, ERC20InsufficientAllowance, ERC20InsufficientBalance, EmissionsModel, Mode,
    RegistryHost, Token, EMISSIONS, TOKEN, TOKEN_REVERT,
};

mod admin;
mod earning;
mod encoding;
mod host;
mod job_manager;
mod proptests;

pub(crate) const DEPLOYER: Address = address!("cEcba2F1DC234f70Dd89F2041029807F8D03A990");
pub(crate) const ADMIN: Address = address!("000000000000000000000000000000000000a11c");
pub(crate) const REGISTRY: Address = address!("0000000000000000000000000000000000005e91");
pub(crate) const PROVIDER: Address = address!("0000000000000000000000000000000000000b0b");
pub(crate) const OTHER: Address = address!("00000000000000000000000000000000000a11ce");
pub(crate) const MANAGER: Address = address!("000000000000000000000000000000000000e5c0");
pub(crate) const SLASHER: Address = address!("0000000000000000000000000000000000005145");
pub(crate) const PAUSER: Address = address!("0000000000000000000000000000000000009a05");
pub(crate) const PARAMS: Address = address!("0000000000000000000000000000000000007e10");
pub(crate) const BENEFICIARY: Address = address!("000000000000000000000000000000000000bee5");
pub(crate) const T0: u64 = 1_700_000_000;
pub(crate) const DAY: u64 = 86_400;
pub(crate) const H100: B256 =
    b256!("4831303000000000000000000000000000000000000000000000000000000000");
pub(crate) const EU: B256 =
    b256!("4555000000000000000000000000000000000000000000000000000000000000");
const URI: &str = "ipfs://bafy-profile";

pub(crate) fn ct(n: u64) -> U256 {
    U256::from(n) * uint!(1_000_000_000_000_000_000_U256)
}

pub(crate) fn wei(n: u64) -> U256 {
    U256::from(n)
}

/// [`deploy_with`] with `Emissions` at [`EMISSIONS`].
pub(crate) fn deploy() -> (RegistryHost, ProviderRegistry) {
    deploy_with(EMISSIONS)
}

/// A registry at `REGISTRY` with `TOKEN` and `emissions`; roles granted to `MANAGER` (job
/// manager), `SLASHER`, `PAUSER` and `PARAMS`; `PROVIDER` and `OTHER` hold 1M CT each and approved
/// the registry without limit. Time `T0`, caller `PROVIDER`, logs and recorded calls cleared.
pub(crate) fn deploy_with(emissions: Address) -> (RegistryHost, ProviderRegistry) {
    let vm = TestVM::new();
    vm.set_contract_address(REGISTRY);
    vm.set_block_timestamp(T0);
    vm.set_sender(DEPLOYER);
    let host = RegistryHost::new(vm.clone());
    let mut registry = ProviderRegistry::from(&host.host);
    registry.constructor(TOKEN, emissions, ADMIN).unwrap();
    vm.set_sender(ADMIN);
    for (role, account) in [
        (JOB_MANAGER_ROLE, MANAGER),
        (SLASHER_ROLE, SLASHER),
        (PAUSER_ROLE, PAUSER),
        (PARAMETER_ADMIN_ROLE, PARAMS),
    ] {
        registry.grant_role(role, account).unwrap();
    }
    {
        let mut token = host.token.borrow_mut();
        for who in [PROVIDER, OTHER] {
            token.balances.insert(who, ct(1_000_000));
            token.allowances.insert((who, REGISTRY), U256::MAX);
        }
    }
    vm.set_sender(PROVIDER);
    clear(&host);
    (host, registry)
}

/// Forgets logs, recorded calls and `Emissions`' report list (not its last amounts).
pub(crate) fn clear(host: &RegistryHost) {
    host.vm.clear_mocks();
    host.host.clear_calls();
    host.emissions.borrow_mut().reports.clear();
}

/// `deploy` + `PROVIDER` registered with 8 GPUs (required stake 5,000 + 8 × 200 = 6,600 CT).
pub(crate) fn registered() -> (RegistryHost, ProviderRegistry) {
    let (host, mut registry) = deploy();
    registry.register(H100, 8, 80, EU, URI.into()).unwrap();
    clear(&host);
    (host, registry)
}

/// `registered` + `amount` staked.
pub(crate) fn staked(amount: U256) -> (RegistryHost, ProviderRegistry) {
    let (host, mut registry) = registered();
    registry.stake(amount).unwrap();
    clear(&host);
    (host, registry)
}

/// Runs `f` as `who`, then restores the caller.
pub(crate) fn as_role<T>(host: &RegistryHost, who: Address, f: impl FnOnce() -> T) -> T {
    let sender = host.vm.msg_sender();
    host.vm.set_sender(who);
    let out = f();
    host.vm.set_sender(sender);
    out
}

pub(crate) fn pause(host: &RegistryHost, registry: &mut ProviderRegistry) {
    as_role(host, PAUSER, || registry.pause()).unwrap();
    clear(host);
}

pub(crate) fn set_param(
    host: &RegistryHost,
    registry: &mut ProviderRegistry,
    name: B256,
    value: U256,
) {
    as_role(host, PARAMS, || registry.set_parameter(name, value)).unwrap();
    clear(host);
}

/// A failed check: `f` fails with `expected`, writes no storage and no log
/// (`testing::assert_reverts`) and makes no mutating call (to the token or `Emissions`).
pub(crate) fn rejects<T: Debug>(
    host: &RegistryHost,
    expected: Error,
    f: impl FnOnce() -> Result<T, Error>,
) {
    let n = host.host.calls().len();
    assert_reverts(&host.vm, expected, f);
    let calls = host.host.calls();
    assert!(
        calls[n..].iter().all(|c| c.is_static),
        "a mutating call before a failed check: {:?}",
        &calls[n..]
    );
}

/// The state a revert restores: the registry's storage and logs, and both models.
struct Saved {
    storage: std::collections::HashMap<U256, B256>,
    logs: Vec<(Vec<B256>, Vec<u8>)>,
    token: Token,
    emissions: EmissionsModel,
}

fn save(host: &RegistryHost) -> Saved {
    let snapshot = host.vm.snapshot();
    Saved {
        storage: snapshot.storage,
        logs: snapshot.emitted_logs,
        token: host.token.borrow().clone(),
        emissions: host.emissions.borrow().clone(),
    }
}

fn restore(host: &RegistryHost, saved: Saved) {
    let vm = &host.vm;
    vm.clear_storage();
    for (key, value) in saved.storage {
        vm.set_storage(key, value);
    }
    vm.clear_mocks();
    for (topics, data) in saved.logs {
        vm.raw_log(&topics, &data).unwrap();
    }
    *host.token.borrow_mut() = saved.token;
    *host.emissions.borrow_mut() = saved.emissions;
}

/// A failed interaction: `f` fails with `expected` (after writing, by checks-effects-interactions);
/// everything it did is undone as the chain's revert would (recorded calls are kept).
pub(crate) fn fails<T: Debug>(
    host: &RegistryHost,
    expected: Error,
    f: impl FnOnce() -> Result<T, Error>,
) {
    let saved = save(host);
    let result = f();
    assert_eq!(result.unwrap_err(), expected);
    restore(host, saved);
}

// ---------------------------------------------------------------------------------------------
// Calls the registry makes: (target, static, calldata), in order.
// ---------------------------------------------------------------------------------------------

pub(crate) type Sent = (Address, bool, Vec<u8>);

pub(crate) fn sent(host: &RegistryHost) -> Vec<Sent> {
    host.host
        .calls()
        .into_iter()
        .map(|c| {
            assert_eq!(c.from, REGISTRY);
            assert_eq!(c.value, U256::ZERO);
            (c.to, c.is_static, c.data)
        })
        .collect()
}

/// `setEarningStake(provider, amount)` to `Emissions`.
pub(crate) fn report(provider: Address, amount: U256) -> Sent {
    (
        EMISSIONS,
        false,
        setEarningStakeCall { provider, amount }.abi_encode(),
    )
}

/// `balanceOf(registry)`, read before and after each token move.
pub(crate) fn balance_read() -> Sent {
    (
        TOKEN,
        true,
        balanceOfCall { account: REGISTRY }.abi_encode(),
    )
}

/// The three calls of a `transferFrom(from, registry, value)`.
pub(crate) fn pull(from: Address, value: U256) -> Vec<Sent> {
    let call = transferFromCall {
        from,
        to: REGISTRY,
        value,
    };
    vec![
        balance_read(),
        (TOKEN, false, call.abi_encode()),
        balance_read(),
    ]
}

/// The three calls of a `transfer(to, value)`.
pub(crate) fn pay(to: Address, value: U256) -> Vec<Sent> {
    let call = transferCall { to, value };
    vec![
        balance_read(),
        (TOKEN, false, call.abi_encode()),
        balance_read(),
    ]
}

/// The three calls of a `burn(value)`.
pub(crate) fn burn(value: U256) -> Vec<Sent> {
    let call = burnCall { value };
    vec![
        balance_read(),
        (TOKEN, false, call.abi_encode()),
        balance_read(),
    ]
}

/// Every earning stake reported since the last [`clear`].
pub(crate) fn reports(host: &RegistryHost) -> Vec<(Address, U256)> {
    host.emissions.borrow().reports.clone()
}

/// The first topic (event signature) of every log, in order.
pub(crate) fn log_signatures(host: &RegistryHost) -> Vec<B256> {
    host.vm
        .get_emitted_logs()
        .into_iter()
        .map(|(topics, _)| topics[0])
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

pub(crate) fn unauthorized(account: Address, role: B256) -> Error {
    Error::Common(CommonError::UnauthorizedAccount(
        AccessControlUnauthorizedAccount {
            account,
            neededRole: role,
        },
    ))
}

pub(crate) fn enforced_pause() -> Error {
    Error::Common(CommonError::EnforcedPause(EnforcedPause {}))
}

pub(crate) fn not_registered(provider: Address) -> Error {
    Error::NotRegistered(RegistryNotRegistered { provider })
}

pub(crate) fn call_failed(target: Address, data: &[u8]) -> Error {
    Error::Common(common::errors::call_failed(target, data.to_vec()))
}

pub(crate) fn delta_mismatch(expected: U256, actual: U256) -> Error {
    Error::Common(CommonError::BalanceDeltaMismatch(BalanceDeltaMismatch {
        token: TOKEN,
        expected,
        actual,
    }))
}

pub(crate) fn jobs_open(provider: Address, open: u64) -> Error {
    Error::JobsOpen(RegistryJobsOpen {
        provider,
        openJobs: U256::from(open),
    })
}

pub(crate) fn short_of_free(provider: Address, free: U256, needed: U256) -> Error {
    Error::InsufficientFreeStake(RegistryInsufficientFreeStake {
        provider,
        free,
        needed,
    })
}

pub(crate) fn arithmetic_overflow() -> Error {
    Error::Common(overflow())
}

/// What the real `Emissions` reverts with when the registry lacks `STAKE_REPORTER_ROLE`.
pub(crate) fn reporter_missing() -> Vec<u8> {
    AccessControlUnauthorizedAccount {
        account: REGISTRY,
        neededRole: STAKE_REPORTER_ROLE,
    }
    .abi_encode()
}

/// `(activeStake, lockedStake, unbondingStake, openJobs)` from `providerInfo`.
pub(crate) fn stakes(registry: &ProviderRegistry, provider: Address) -> (U256, U256, U256, u64) {
    let i = registry.provider_info(provider);
    (i.5, i.6, i.7, i.11)
}

/// Guards `assert_reverts`: TestVM's snapshot must see a successful call's writes.
#[test]
fn snapshots_see_storage_writes() {
    let (host, mut registry) = deploy();
    let before = host.vm.snapshot().storage;
    registry.register(H100, 1, 80, EU, URI.into()).unwrap();
    assert_ne!(host.vm.snapshot().storage, before);
}

/// Guards `fails`: the restore puts back storage, logs and models exactly.
#[test]
fn fails_undoes_everything_the_call_did() {
    let (host, mut registry) = registered();
    registry.stake(ct(1)).unwrap();
    let before = (
        host.vm.snapshot().storage,
        host.vm.get_emitted_logs(),
        host.token.borrow().balance(REGISTRY),
        host.emissions.borrow().reports.clone(),
    );
    host.token.borrow_mut().mode = Mode::Revert;
    fails(&host, call_failed(TOKEN, TOKEN_REVERT), || {
        registry.stake(ct(2))
    });
    host.token.borrow_mut().mode = Mode::Normal;
    let after = (
        host.vm.snapshot().storage,
        host.vm.get_emitted_logs(),
        host.token.borrow().balance(REGISTRY),
        host.emissions.borrow().reports.clone(),
    );
    assert_eq!(before, after);
    assert_eq!(stakes(&registry, PROVIDER).0, ct(1));
}

// ---------------------------------------------------------------------------------------------
// Profile
// ---------------------------------------------------------------------------------------------

#[test]
fn register_stores_the_profile_logs_the_uri_and_reports_zero() {
    let (host, mut registry) = deploy();
    registry.register(H100, 8, 80, EU, URI.into()).unwrap();
    assert_eq!(
        registry.provider_info(PROVIDER),
        (
            true,
            H100,
            8,
            80,
            EU,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            0,
            0,
            0,
            0
        )
    );
    only_log(
        &host.vm,
        ProviderRegistered {
            provider: PROVIDER,
            gpuModel: H100,
            gpuCount: 8,
            vramGiB: 80,
            region: EU,
            metadataURI: URI.into(),
        },
    );
    assert_eq!(sent(&host), vec![report(PROVIDER, U256::ZERO)]);
    assert_eq!(host.emissions.borrow().earning[&PROVIDER], U256::ZERO);
}

#[test]
fn register_rejects_bad_profiles_duplicates_and_pause() {
    let (host, mut registry) = deploy();
    for count in [0u32, MAX_GPU_COUNT + 1] {
        rejects(
            &host,
            Error::InvalidGpuCount(RegistryInvalidGpuCount {
                gpuCount: count,
                maxGpuCount: 1024,
            }),
            || registry.register(H100, count, 80, EU, URI.into()),
        );
    }
    let long = "x".repeat(257);
    rejects(
        &host,
        Error::MetadataURITooLong(RegistryMetadataURITooLong {
            length: U256::from(257),
            maxLength: U256::from(256),
        }),
        || registry.register(H100, 1, 80, EU, long),
    );
    // The bounds themselves are accepted; a 256-byte URI is logged whole.
    registry
        .register(H100, MAX_GPU_COUNT, 80, EU, "x".repeat(256))
        .unwrap();
    assert_eq!(
        logs_of::<ProviderRegistered>(&host.vm)[0].metadataURI,
        "x".repeat(256)
    );
    rejects(
        &host,
        Error::AlreadyRegistered(RegistryAlreadyRegistered { provider: PROVIDER }),
        || registry.register(H100, 1, 80, EU, URI.into()),
    );
    pause(&host, &mut registry);
    host.vm.set_sender(OTHER);
    rejects(&host, enforced_pause(), || {
        registry.register(H100, 1, 80, EU, URI.into())
    });
}

#[test]
fn register_fails_when_the_report_fails() {
    let (host, mut registry) = deploy();
    host.emissions.borrow_mut().revert_with = Some(reporter_missing());
    fails(&host, call_failed(EMISSIONS, &reporter_missing()), || {
        registry.register(H100, 8, 80, EU, URI.into())
    });
    assert!(!registry.provider_info(PROVIDER).0, "rolled back");
    assert_eq!(sent(&host), vec![report(PROVIDER, U256::ZERO)]);
    host.emissions.borrow_mut().revert_with = None;
    registry.register(H100, 8, 80, EU, URI.into()).unwrap();
    assert!(registry.provider_info(PROVIDER).0);
}

#[test]
fn update_profile_replaces_it_even_while_paused_and_reports_the_new_eligibility() {
    let (host, mut registry) = staked(ct(6_600));
    pause(&host, &mut registry);
    // 9 GPUs need 6,800 CT: no longer eligible, earning 0.
    registry.update_profile(EU, 9, 24, H100, "".into()).unwrap();
    let info = registry.provider_info(PROVIDER);
    assert_eq!(
        (info.0, info.1, info.2, info.3, info.4),
        (true, EU, 9, 24, H100)
    );
    assert_eq!(info.5, ct(6_600), "the stake is untouched");
    only_log(
        &host.vm,
        ProfileUpdated {
            provider: PROVIDER,
            gpuModel: EU,
            gpuCount: 9,
            vramGiB: 24,
            region: H100,
            metadataURI: "".into(),
        },
    );
    assert_eq!(sent(&host), vec![report(PROVIDER, U256::ZERO)]);
    assert!(!registry.is_eligible(PROVIDER));
    clear(&host);
    registry
        .update_profile(H100, 8, 80, EU, "y".repeat(33))
        .unwrap();
    assert_eq!(
        logs_of::<ProfileUpdated>(&host.vm)[0].metadataURI,
        "y".repeat(33)
    );
    assert_eq!(sent(&host), vec![report(PROVIDER, ct(6_600))]);
}

#[test]
fn update_profile_errors() {
    let (host, mut registry) = registered();
    for count in [0u32, MAX_GPU_COUNT + 1] {
        rejects(
            &host,
            Error::InvalidGpuCount(RegistryInvalidGpuCount {
                gpuCount: count,
                maxGpuCount: 1024,
            }),
            || registry.update_profile(H100, count, 80, EU, URI.into()),
        );
    }
    rejects(
        &host,
        Error::MetadataURITooLong(RegistryMetadataURITooLong {
            length: U256::from(300),
            maxLength: U256::from(256),
        }),
        || registry.update_profile(H100, 1, 80, EU, "y".repeat(300)),
    );
    host.vm.set_sender(OTHER);
    rejects(&host, not_registered(OTHER), || {
        registry.update_profile(H100, 1, 80, EU, URI.into())
    });
    // A failing report undoes the update.
    host.vm.set_sender(PROVIDER);
    host.emissions.borrow_mut().revert_with = Some(vec![]);
    fails(&host, call_failed(EMISSIONS, &[]), || {
        registry.update_profile(H100, 2, 80, EU, URI.into())
    });
    assert_eq!(registry.provider_info(PROVIDER).2, 8);
}

// ---------------------------------------------------------------------------------------------
// Stake
// ---------------------------------------------------------------------------------------------

#[test]
fn stake_reports_then_pulls_with_transfer_from_and_checks_the_balance_delta() {
    let (host, mut registry) = registered();
    registry.stake(ct(6_000)).unwrap();
    // Below the 6,600 CT required: earning 0.
    let mut expected = vec![report(PROVIDER, U256::ZERO)];
    expected.extend(pull(PROVIDER, ct(6_000)));
    assert_eq!(sent(&host), expected);
    only_log(
        &host.vm,
        Staked {
            provider: PROVIDER,
            amount: ct(6_000),
            activeStake: ct(6_000),
        },
    );
    clear(&host);
    registry.stake(ct(600)).unwrap();
    let mut expected = vec![report(PROVIDER, ct(6_600))];
    expected.extend(pull(PROVIDER, ct(600)));
    assert_eq!(sent(&host), expected);
    only_log(
        &host.vm,
        Staked {
            provider: PROVIDER,
            amount: ct(600),
            activeStake: ct(6_600),
        },
    );
    clear(&host);
    registry.stake(wei(1)).unwrap();
    assert_eq!(sent(&host)[0], report(PROVIDER, ct(6_600) + wei(1)));
    assert_eq!(stakes(&registry, PROVIDER).0, ct(6_600) + wei(1));
    let token = host.token.borrow();
    assert_eq!(token.balance(REGISTRY), ct(6_600) + wei(1));
    assert_eq!(token.balance(PROVIDER), ct(1_000_000) - ct(6_600) - wei(1));
}

#[test]
fn stake_rejects_pause_unregistered_and_zero_in_that_order() {
    let (host, mut registry) = registered();
    rejects(&host, Error::ZeroAmount(RegistryZeroAmount {}), || {
        registry.stake(U256::ZERO)
    });
    host.vm.set_sender(OTHER);
    rejects(&host, not_registered(OTHER), || registry.stake(U256::ZERO));
    pause(&host, &mut registry);
    rejects(&host, enforced_pause(), || registry.stake(U256::ZERO));
    host.vm.set_sender(PROVIDER);
    rejects(&host, enforced_pause(), || registry.stake(ct(1)));
    assert!(sent(&host).is_empty(), "no call after a failed check");
}

#[test]
fn stake_fails_when_the_token_misbehaves() {
    let ten = ct(10);
    for (mode, expected) in [
        (Mode::Revert, call_failed(TOKEN, TOKEN_REVERT)),
        (Mode::ReturnFalse, call_failed(TOKEN, &false.abi_encode())),
        (
            Mode::ReturnTwo,
            call_failed(TOKEN, &U256::from(2).abi_encode()),
        ),
        (
            Mode::ReturnTwoWords,
            call_failed(TOKEN, &(true, true).abi_encode_params()),
        ),
        (Mode::BrokenViews, call_failed(TOKEN, &[])),
        (Mode::Fee(wei(3)), delta_mismatch(ten, ten - wei(3))),
    ] {
        let (host, mut registry) = registered();
        host.token.borrow_mut().mode = mode;
        fails(&host, expected, || registry.stake(ten));
        assert_eq!(stakes(&registry, PROVIDER).0, U256::ZERO, "{mode:?}");
    }
    // Not enough allowance or balance: the token's own error is carried.
    let (host, mut registry) = registered();
    host.token
        .borrow_mut()
        .allowances
        .insert((PROVIDER, REGISTRY), ct(1));
    let error = ERC20InsufficientAllowance {
        spender: REGISTRY,
        allowance: ct(1),
        needed: ct(2),
    };
    fails(&host, call_failed(TOKEN, &error.abi_encode()), || {
        registry.stake(ct(2))
    });
    let error = ERC20InsufficientBalance {
        sender: PROVIDER,
        balance: ct(1_000_000),
        needed: ct(1_000_001),
    };
    host.token
        .borrow_mut()
        .allowances
        .insert((PROVIDER, REGISTRY), U256::MAX);
    fails(&host, call_failed(TOKEN, &error.abi_encode()), || {
        registry.stake(ct(1_000_001))
    });
    // A token returning nothing, or taking more from the provider than it delivers to the
    // registry (the registry receives exactly the amount): accepted.
    for mode in [Mode::ReturnNothing, Mode::Drain(wei(1))] {
        let (host, mut registry) = registered();
        host.token.borrow_mut().mode = mode;
        registry.stake(ten).unwrap();
        assert_eq!(host.token.borrow().balance(REGISTRY), ten);
    }
}

#[test]
fn stake_overflow_is_refused_before_any_write() {
    let (host, mut registry) = registered();
    host.token.borrow_mut().balances.insert(PROVIDER, U256::MAX);
    registry.stake(U256::MAX).unwrap();
    rejects(&host, arithmetic_overflow(), || registry.stake(wei(1)));
}

// ---------------------------------------------------------------------------------------------
// Unbonding, cancelling, withdrawing
// ---------------------------------------------------------------------------------------------

#[test]
fn request_unbond_moves_free_stake_into_a_request_even_while_paused() {
    let (host, mut registry) = staked(ct(10_000));
    pause(&host, &mut registry);
    let release = T0 + 14 * DAY;
    assert_eq!(registry.request_unbond(ct(3_000)), Ok(U256::from(1)));
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(7_000), U256::ZERO, ct(3_000), 0)
    );
    assert_eq!(
        registry.unbond_request(PROVIDER, U256::from(1)),
        (ct(3_000), release)
    );
    only_log(
        &host.vm,
        UnbondRequested {
            provider: PROVIDER,
            requestId: U256::from(1),
            amount: ct(3_000),
            releaseAt: release,
        },
    );
    // Unbonding moves no token; the earning stake follows the active stake.
    assert_eq!(sent(&host), vec![report(PROVIDER, ct(7_000))]);
    clear(&host);
    host.vm.set_block_timestamp(T0 + 5);
    assert_eq!(registry.request_unbond(ct(1_000)), Ok(U256::from(2)));
    assert_eq!(
        registry.unbond_request(PROVIDER, U256::from(2)),
        (ct(1_000), release + 5)
    );
    // 6,000 CT < 6,600 CT required: earning 0.
    assert_eq!(sent(&host), vec![report(PROVIDER, U256::ZERO)]);
    assert_eq!(
        registry.unbond_request(PROVIDER, U256::from(3)),
        (U256::ZERO, 0)
    );
}

#[test]
fn request_unbond_errors() {
    let (host, mut registry) = staked(ct(10_000));
    as_role(&host, MANAGER, || {
        registry.lock_stake(PROVIDER, U256::from(1), ct(3_000), 8)
    })
    .unwrap();
    clear(&host);
    rejects(&host, Error::ZeroAmount(RegistryZeroAmount {}), || {
        registry.request_unbond(U256::ZERO)
    });
    rejects(
        &host,
        short_of_free(PROVIDER, ct(7_000), ct(7_000) + wei(1)),
        || registry.request_unbond(ct(7_000) + wei(1)),
    );
    for i in 0..MAX_UNBOND_REQUESTS {
        assert_eq!(registry.request_unbond(ct(1)), Ok(U256::from(i + 1)));
    }
    rejects(
        &host,
        Error::TooManyUnbondRequests(RegistryTooManyUnbondRequests {
            provider: PROVIDER,
            maxRequests: U256::from(16),
        }),
        || registry.request_unbond(ct(1)),
    );
    // A freed slot is reused, with a fresh id.
    registry.cancel_unbond(U256::from(5)).unwrap();
    assert_eq!(registry.request_unbond(ct(1)), Ok(U256::from(17)));
    registry.cancel_unbond(U256::from(6)).unwrap();
    // An address with no stake has no free stake.
    host.vm.set_sender(OTHER);
    rejects(&host, short_of_free(OTHER, U256::ZERO, wei(1)), || {
        registry.request_unbond(wei(1))
    });
    // A failing report undoes the request.
    host.vm.set_sender(PROVIDER);
    host.emissions.borrow_mut().revert_with = Some(reporter_missing());
    fails(&host, call_failed(EMISSIONS, &reporter_missing()), || {
        registry.request_unbond(ct(1))
    });
    assert_eq!(
        registry.unbond_request(PROVIDER, U256::from(18)),
        (U256::ZERO, 0)
    );
}

#[test]
fn cancel_unbond_restores_active_stake_and_reports_it() {
    let (host, mut registry) = staked(ct(10_000));
    let id = registry.request_unbond(ct(4_000)).unwrap();
    host.vm.set_block_timestamp(T0 + 30 * DAY); // matured requests can be cancelled too
    clear(&host);
    registry.cancel_unbond(id).unwrap();
    assert_eq!(
        stakes(&registry, PROVIDER),
        (ct(10_000), U256::ZERO, U256::ZERO, 0)
    );
    only_log(
        &host.vm,
        UnbondCancelled {
            provider: PROVIDER,
            requestId: id,
            amount: ct(4_000),
        },
    );
    assert_eq!(sent(&host), vec![report(PROVIDER, ct(10_000))]);
    rejects(
        &host,
        Error::UnknownUnbondRequest(RegistryUnknownUnbondRequest {
            provider: PROVIDER,
            requestId: id,
        }),
        || registry.cancel_unbond(id),
    );
    rejects(
        &host,
        Error::UnknownUnbondRequest(RegistryUnknownUnbondRequest {
            provider: PROVIDER,
            requestId: U256::ZERO,
        }),
        || registry.cancel_unbond(U256::ZERO),
    );
    host.vm.set_sender(OTHER);
    rejects(&host, not_registered(OTHER), || {
        registry.cancel_unbond(U256::from(1))
    });
    // A failing report undoes the cancellation.
    host.vm.set_sender(PROVIDER);
    let id = registry.request_unbond(ct(1)).unwrap();
    host.emissions.borrow_mut().revert_with = Some(vec![1, 2, 3]);
    fails(&host, call_failed(EMISSIONS, &[1, 2, 3]), || {
        registry.cancel_unbond(id)
    });
    assert_eq!(registry.unbond_request(PROVIDER, id).0, ct(1));
}

#[test]
fn withdraw_pays_matured_requests_only_and_works_while_paused() {
    let (host, mut registry) = staked(ct(100));
    let vm = host.vm.clone();
    registry.request_unbond(ct(10)).unwrap();
    vm.set_block_timestamp(T0 + DAY);
    registry.request_unbond(ct(20)).unwrap();
    pause(&host, &mut registry);
    vm.set_block_timestamp(T0 + 14 * DAY - 1);
    rejects(
        &host,
        Error::NothingToWithdraw(RegistryNothingToWithdraw { provider: PROVIDER }),
        || registry.withdraw(),
    );
    vm.set_block_timestamp(T0 + 14 * DAY);
    assert_eq!(registry.withdraw(), Ok(ct(10)));
    assert_eq!(stakes(&registry, PROVIDER), (ct(70), U256::ZERO, ct(20), 0));
    // No report: the active stake did not change.
    assert_eq!(sent(&host), pay(PROVIDER, ct(10)));
    assert_eq!(host.token.borrow().balance(REGISTRY), ct(90));
    only_log(
        &vm,
        Withdrawn {
            provider: PROVIDER,
            amount: ct(10),
        },
    );
    vm.set_block_timestamp(T0 + 15 * DAY);
    assert_eq!(registry.withdraw(), Ok(ct(20)));
    assert_eq!(stakes(&registry, PROVIDER).2, U256::ZERO);
    assert_eq!(
        host.token.borrow().balance(PROVIDER),
        ct(1_000_000) - ct(70)
    );
    // Withdrawn requests are gone.
    rejects(
        &host,
        Error::UnknownUnbondRequest(RegistryUnknownUnbondRequest {
            provider: PROVIDER,
            requestId: U256::from(1),
        }),
        || registry.cancel_unbond(U256::from(1)),
    );
}

#[test]
fn withdraw_fails_when_the_token_misbehaves() {
    let ten = ct(10);
    for (mode, expected) in [
        (Mode::Revert, call_failed(TOKEN, TOKEN_REVERT)),
        (Mode::ReturnFalse, call_failed(TOKEN, &false.abi_encode())),
        (
            Mode::ReturnTwo,
            call_failed(TOKEN, &U256::from(2).abi_encode()),
        ),
        (Mode::BrokenViews, call_failed(TOKEN, &[])),
        (Mode::Drain(wei(1)), delta_mismatch(ten, ten + wei(1))),
    ] {
        let (host, mut registry) = staked(ct(100));
        registry.request_unbond(ten).unwrap();
        host.vm.set_block_timestamp(T0 + 14 * DAY);
        host.token.borrow_mut().mode = mode;
        fails(&host, expected, || registry.withdraw());
        // Rolled back: the request is still there, and is paid once the token behaves.
        host.token.borrow_mut().mode = Mode::Normal;
        assert_eq!(registry.withdraw(), Ok(ten), "{mode:?}");
    }
    // A fee taken from the recipient does not change the registry's outflow; a transfer returning
    // nothing is accepted.
    for mode in [Mode::Fee(wei(1)), Mode::ReturnNothing] {
        let (host, mut registry) = staked(ct(100));
        registry.request_unbond(ten).unwrap();
        host.vm.set_block_timestamp(T0 + 14 * DAY);
        host.token.borrow_mut().mode = mode;
        assert_eq!(registry.withdraw(), Ok(ten));
        assert_eq!(host.token.borrow().balance(REGISTRY), ct(90));
    }
}

// ---------------------------------------------------------------------------------------------
// Deregistration
// ---------------------------------------------------------------------------------------------

#[test]
fn deregister_unbonds_everything_and_reports_zero() {
    let (host, mut registry) = staked(ct(10_000));
    registry.request_unbond(ct(1_000)).unwrap();
    clear(&host);
    registry.deregister().unwrap();
    assert!(!registry.provider_info(PROVIDER).0);
    assert!(!registry.is_eligible(PROVIDER));
    assert_eq!(
        stakes(&registry, PROVIDER),
        (U256::ZERO, U256::ZERO, ct(10_000), 0)
    );
    let release = T0 + 14 * DAY;
    assert_eq!(
        log_signatures(&host),
        vec![
            UnbondRequested::SIGNATURE_HASH,
            Deregistered::SIGNATURE_HASH
        ]
    );
    assert_eq!(
        logs_of::<UnbondRequested>(&host.vm),
        vec![UnbondRequested {
            provider: PROVIDER,
            requestId: U256::from(2),
            amount: ct(9_000),
            releaseAt: release
        }]
    );
    assert_eq!(
        logs_of::<Deregistered>(&host.vm),
        vec![Deregistered {
            provider: PROVIDER,
            requestId: U256::from(2),
            amount: ct(9_000)
        }]
    );
    assert_eq!(sent(&host), vec![report(PROVIDER, U256::ZERO)]);
    // Cancelling needs registration; registering again keeps the pending requests.
    rejects(&host, not_registered(PROVIDER), || {
        registry.cancel_unbond(U256::from(2))
    });
    registry.register(H100, 8, 80, EU, URI.into()).unwrap();
    clear(&host);
    registry.cancel_unbond(U256::from(2)).unwrap();
    assert_eq!(sent(&host), vec![report(PROVIDER, ct(9_000))]);
    host.vm.set_block_timestamp(release);
    assert_eq!(registry.withdraw(), Ok(ct(1_000)));
}

#[test]
fn deregister_without_stake_and_errors() {
    let (host, mut registry) = registered();
    registry.deregister().unwrap();
    only_log(
        &host.vm,
        Deregistered {
            provider: PROVIDER,
            requestId: U256::ZERO,
            amount: U256::ZERO,
        },
    );
    assert_eq!(sent(&host), vec![report(PROVIDER, U256::ZERO)]);
    clear(&host);
    rejects(&host, not_registered(PROVIDER), || registry.deregister());

    // Open jobs first.
    let (host, mut registry) = staked(ct(10_000));
    as_role(&host, MANAGER, || {
        registry.lock_stake(PROVIDER, U256::from(1), U256::ZERO, 1)
    })
    .unwrap();
    rejects(&host, jobs_open(PROVIDER, 1), || registry.deregister());
    as_role(&host, MANAGER, || {
        registry.release_stake(PROVIDER, U256::from(1))
    })
    .unwrap();
    // Then a free slot for the active stake.
    for _ in 0..MAX_UNBOND_REQUESTS {
        registry.request_unbond(ct(1)).unwrap();
    }
    rejects(
        &host,
        Error::TooManyUnbondRequests(RegistryTooManyUnbondRequests {
            provider: PROVIDER,
            maxRequests: U256::from(16),
        }),
        || registry.deregister(),
    );
    // With every slot taken but no active stake left, deregistering needs no slot.
    let (host, mut registry) = staked(ct(16));
    for _ in 0..MAX_UNBOND_REQUESTS {
        registry.request_unbond(ct(1)).unwrap();
    }
    clear(&host);
    registry.deregister().unwrap();
    only_log(
        &host.vm,
        Deregistered {
            provider: PROVIDER,
            requestId: U256::ZERO,
            amount: U256::ZERO,
        },
    );
    // A failing report undoes the deregistration.
    let (host, mut registry) = staked(ct(10_000));
    host.emissions.borrow_mut().revert_with = Some(reporter_missing());
    fails(&host, call_failed(EMISSIONS, &reporter_missing()), || {
        registry.deregister()
    });
    assert!(registry.provider_info(PROVIDER).0);
    assert_eq!(stakes(&registry, PROVIDER).0, ct(10_000));
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

#[test]
fn required_stake_and_eligibility() {
    let (host, mut registry) = registered();
    assert_eq!(registry.required_stake(0), ct(5_000));
    assert_eq!(registry.required_stake(8), ct(6_600));
    assert_eq!(
        registry.required_stake(u32::MAX),
        ct(5_000) + ct(200) * U256::from(u32::MAX)
    );
    assert!(!registry.is_eligible(OTHER));
    registry.stake(ct(6_600) - wei(1)).unwrap();
    assert!(!registry.is_eligible(PROVIDER));
    registry.stake(wei(1)).unwrap();
    assert!(registry.is_eligible(PROVIDER));
    // Locked stake still counts; unbonding does not.
    as_role(&host, MANAGER, || {
        registry.lock_stake(PROVIDER, U256::from(3), ct(6_000), 8)
    })
    .unwrap();
    assert!(registry.is_eligible(PROVIDER));
    registry.request_unbond(wei(1)).unwrap();
    assert!(!registry.is_eligible(PROVIDER));
    assert_eq!(
        registry.provider_info(PROVIDER),
        (
            true,
            H100,
            8,
            80,
            EU,
            ct(6_600) - wei(1),
            ct(6_000),
            wei(1),
            0,
            0,
            0,
            1
        )
    );
    assert_eq!(
        registry.job_lock(PROVIDER, U256::from(3)),
        (ct(6_000), ct(6_600))
    );
    assert_eq!(
        registry.job_lock(PROVIDER, U256::from(4)),
        (U256::ZERO, U256::ZERO)
    );
    assert_eq!(
        registry.job_lock(OTHER, U256::from(3)),
        (U256::ZERO, U256::ZERO)
    );
    // A parameter change moves eligibility at once.
    set_param(&host, &mut registry, STAKE_PER_GPU, ct(100));
    assert!(registry.is_eligible(PROVIDER));
    assert_eq!(
        registry.provider_info(OTHER),
        (
            false,
            B256::ZERO,
            0,
            0,
            B256::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            0,
            0,
            0,
            0
        )
    );
}
