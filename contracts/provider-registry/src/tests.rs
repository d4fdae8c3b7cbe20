//! Unit tests on the SDK's `TestVM` (through [`host::TokenHost`], which answers the token calls;
//! see its docs for the `mock_call` return-data quirk it works around): every public function,
//! every error with its fields, with storage and logs proven unchanged where the error comes before
//! any write, every event, and the exact calldata sent to the token. Property tests live in
//! `proptests`.

use alloy_primitives::{address, b256, uint, Address, B256, U256};
use alloy_sol_types::{SolCall, SolValue};
use common::access::{AccessControl, AccessControlUnauthorizedAccount, RoleGranted};
use common::pausable::{EnforcedPause, ExpectedPause, Pausable, Paused, Unpaused};
use common::roles::PAUSER_ROLE;
use stylus_sdk::testing::TestVM;

use testing::{assert_reverts, logs_of, only_log};

use super::*;
use crate::token::{
    allowanceCall, balanceOfCall, burnCall, permitCall, transferCall, transferFromCall,
};
use host::{Mode, TokenHost, TOKEN};

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
const H100: B256 = b256!("4831303000000000000000000000000000000000000000000000000000000000");
const EU: B256 = b256!("4555000000000000000000000000000000000000000000000000000000000000");
const URI: &str = "ipfs://bafy-profile";
const REASON: B256 = b256!("00000000000000000000000000000000000000000000000000000000000000a5");

pub(crate) fn ct(n: u64) -> U256 {
    U256::from(n) * uint!(1_000_000_000_000_000_000_U256)
}

/// A deployed registry at `REGISTRY` with `TOKEN`, roles granted to `MANAGER` (job manager),
/// `SLASHER`, `PAUSER` and `PARAMS`; `PROVIDER` holds 1M CT and approved the registry without limit.
/// Time is `T0`, the caller `PROVIDER`, logs and token calls cleared.
pub(crate) fn deploy() -> (TokenHost, ProviderRegistry) {
    let vm = TestVM::new();
    vm.set_contract_address(REGISTRY);
    vm.set_block_timestamp(T0);
    vm.set_sender(DEPLOYER);
    let host = TokenHost::new(vm.clone());
    let mut registry = ProviderRegistry::from(&host.host);
    registry.constructor(TOKEN, ADMIN).unwrap();
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
        token.balances.insert(PROVIDER, ct(1_000_000));
        token.balances.insert(OTHER, ct(1_000_000));
        token.allowances.insert((PROVIDER, REGISTRY), U256::MAX);
        token.allowances.insert((OTHER, REGISTRY), U256::MAX);
    }
    vm.set_sender(PROVIDER);
    clear(&host);
    (host, registry)
}

/// Clears logs and the token's call record.
pub(crate) fn clear(host: &TokenHost) {
    host.vm.clear_mocks();
    host.token.borrow_mut().calls.clear();
}

/// `deploy` + `PROVIDER` registered with 8 GPUs.
fn registered() -> (TokenHost, ProviderRegistry) {
    let (host, mut registry) = deploy();
    registry.register(H100, 8, 80, EU, URI.into()).unwrap();
    clear(&host);
    (host, registry)
}

/// `registered` + `amount` staked.
fn staked(amount: U256) -> (TokenHost, ProviderRegistry) {
    let (host, mut registry) = registered();
    registry.stake(amount).unwrap();
    clear(&host);
    (host, registry)
}

/// For failures of the token call itself: by checks-effects-interactions the registry has already
/// written its state and logs when the token fails, and the real VM rolls the whole transaction
/// back; `TestVM` has no rollback, so only the error is asserted.
fn assert_token_failure<T: core::fmt::Debug>(result: Result<T, Error>, expected: Error) {
    assert_eq!(result.unwrap_err(), expected);
}

fn calls(host: &TokenHost) -> Vec<Vec<u8>> {
    host.token.borrow().calls.clone()
}

fn balance_of_registry() -> Vec<u8> {
    balanceOfCall { account: REGISTRY }.abi_encode()
}

fn token_failed() -> Error {
    Error::TokenCallFailed(SafeERC20FailedOperation { token: TOKEN })
}

fn unauthorized(account: Address, role: B256) -> Error {
    Error::UnauthorizedAccount(AccessControlUnauthorizedAccount {
        account,
        neededRole: role,
    })
}

fn enforced_pause() -> Error {
    Error::EnforcedPause(EnforcedPause {})
}

fn not_registered(provider: Address) -> Error {
    Error::NotRegistered(RegistryNotRegistered { provider })
}

fn pause(host: &TokenHost, registry: &mut ProviderRegistry) {
    let sender = host.vm.msg_sender();
    host.vm.set_sender(PAUSER);
    registry.pause().unwrap();
    host.vm.set_sender(sender);
    clear(host);
}

fn as_role<T>(host: &TokenHost, who: Address, f: impl FnOnce() -> T) -> T {
    let sender = host.vm.msg_sender();
    host.vm.set_sender(who);
    let out = f();
    host.vm.set_sender(sender);
    out
}

/// Guards `assert_reverts`: TestVM's snapshot must see a successful call's writes.
#[test]
fn snapshots_see_storage_writes() {
    let (host, mut registry) = deploy();
    let before = host.vm.snapshot().storage;
    registry.register(H100, 1, 80, EU, URI.into()).unwrap();
    assert_ne!(host.vm.snapshot().storage, before);
}

/// Documents the quirk `TokenHost` exists for (stylus-test 0.10.10): a call returns the data of
/// the most recently *registered* mock, not of the mock its calldata matched.
#[test]
fn testvm_mock_returns_the_last_registered_data() {
    let vm = TestVM::new();
    vm.set_contract_address(REGISTRY);
    vm.set_sender(DEPLOYER);
    let mut registry = ProviderRegistry::from(&vm);
    registry.constructor(TOKEN, ADMIN).unwrap();
    // balanceOf(registry) is mocked to 5, then allowance(…) to 7: the registry's balance read
    // (exact calldata match) sees 7.
    vm.mock_static_call(TOKEN, balance_of_registry(), Ok(U256::from(5).abi_encode()));
    vm.mock_static_call(
        TOKEN,
        allowanceCall {
            owner: PROVIDER,
            spender: REGISTRY,
        }
        .abi_encode(),
        Ok(U256::from(7).abi_encode()),
    );
    assert_eq!(registry.token_balance(REGISTRY), Ok(U256::from(7)));
    // A reverting mock for transferFrom: the registry reports the token's failure.
    vm.set_sender(ADMIN);
    registry.grant_role(JOB_MANAGER_ROLE, ADMIN).unwrap();
    vm.mock_call(
        TOKEN,
        transferFromCall {
            from: PROVIDER,
            to: REGISTRY,
            value: ct(1),
        }
        .abi_encode(),
        U256::ZERO,
        Err(vec![]),
    );
    assert_eq!(
        registry.token_call(token::transfer_from(PROVIDER, REGISTRY, ct(1))),
        Err(token_failed())
    );
}

// ---------------------------------------------------------------------------------------------
// Constructor and roles
// ---------------------------------------------------------------------------------------------

#[test]
fn constructor_sets_token_defaults_and_admin() {
    let vm = TestVM::new();
    vm.set_sender(DEPLOYER);
    let host = TokenHost::new(vm.clone());
    let mut registry = ProviderRegistry::from(&host.host);
    registry.constructor(TOKEN, ADMIN).unwrap();
    assert_eq!(registry.token(), TOKEN);
    assert_eq!(registry.parameter(MIN_STAKE_BASE).unwrap(), ct(5_000));
    assert_eq!(registry.parameter(STAKE_PER_GPU).unwrap(), ct(200));
    assert_eq!(
        registry.parameter(UNBONDING_PERIOD).unwrap(),
        U256::from(1_209_600)
    );
    assert_eq!(
        registry.parameter(MIN_UNBONDING_PERIOD).unwrap(),
        U256::from(86_400 + 7 * 86_400 + 86_400)
    );
    assert_eq!(
        registry.parameter(MAX_SLASH_BPS).unwrap(),
        U256::from(1_000)
    );
    assert_eq!(
        registry.parameter(CHALLENGER_SHARE_BPS).unwrap(),
        U256::from(5_000)
    );
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
    assert!(calls(&host).is_empty(), "the constructor calls nothing");
}

#[test]
fn constructor_rejects_zero_token_and_zero_admin() {
    let vm = TestVM::new();
    let mut registry = ProviderRegistry::from(&vm);
    assert_reverts(
        &vm,
        Error::InvalidToken(RegistryInvalidToken {
            token: Address::ZERO,
        }),
        || registry.constructor(Address::ZERO, ADMIN),
    );
    assert_reverts(
        &vm,
        Error::InvalidDefaultAdmin(AccessControlInvalidDefaultAdmin {
            defaultAdmin: Address::ZERO,
        }),
        || registry.constructor(TOKEN, Address::ZERO),
    );
}

// ---------------------------------------------------------------------------------------------
// Pause
// ---------------------------------------------------------------------------------------------

#[test]
fn pause_and_unpause_need_the_pauser_role_and_alternate() {
    let (host, mut registry) = deploy();
    let vm = host.vm.clone();
    assert_reverts(&vm, unauthorized(PROVIDER, PAUSER_ROLE), || {
        registry.pause().map_err(Error::from)
    });
    vm.set_sender(PAUSER);
    assert_reverts(&vm, Error::ExpectedPause(ExpectedPause {}), || {
        registry.unpause().map_err(Error::from)
    });
    registry.pause().unwrap();
    assert!(registry.paused());
    only_log(&vm, Paused { account: PAUSER });
    vm.clear_mocks();
    assert_reverts(&vm, enforced_pause(), || {
        registry.pause().map_err(Error::from)
    });
    vm.set_sender(PROVIDER);
    assert_reverts(&vm, unauthorized(PROVIDER, PAUSER_ROLE), || {
        registry.unpause().map_err(Error::from)
    });
    vm.set_sender(PAUSER);
    registry.unpause().unwrap();
    assert!(!registry.paused());
    only_log(&vm, Unpaused { account: PAUSER });
}

// ---------------------------------------------------------------------------------------------
// Profile
// ---------------------------------------------------------------------------------------------

#[test]
fn register_stores_the_profile_and_logs_the_uri() {
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
    assert!(calls(&host).is_empty());
}

#[test]
fn register_rejects_bad_profiles_duplicates_and_pause() {
    let (host, mut registry) = deploy();
    let vm = host.vm.clone();
    for count in [0u32, MAX_GPU_COUNT + 1] {
        assert_reverts(
            &vm,
            Error::InvalidGpuCount(RegistryInvalidGpuCount {
                gpuCount: count,
                maxGpuCount: 1024,
            }),
            || registry.register(H100, count, 80, EU, URI.into()),
        );
    }
    let long = "x".repeat(257);
    assert_reverts(
        &vm,
        Error::MetadataURITooLong(RegistryMetadataURITooLong {
            length: U256::from(257),
            maxLength: U256::from(256),
        }),
        || registry.register(H100, 1, 80, EU, long),
    );
    registry
        .register(H100, MAX_GPU_COUNT, 80, EU, "x".repeat(256))
        .unwrap();
    assert_reverts(
        &vm,
        Error::AlreadyRegistered(RegistryAlreadyRegistered { provider: PROVIDER }),
        || registry.register(H100, 1, 80, EU, URI.into()),
    );
    pause(&host, &mut registry);
    vm.set_sender(OTHER);
    assert_reverts(&vm, enforced_pause(), || {
        registry.register(H100, 1, 80, EU, URI.into())
    });
}

#[test]
fn update_profile_replaces_it_even_while_paused() {
    let (host, mut registry) = registered();
    pause(&host, &mut registry);
    registry
        .update_profile(EU, 2, 24, H100, "u".into())
        .unwrap();
    let info = registry.provider_info(PROVIDER);
    assert_eq!((info.1, info.2, info.3, info.4), (EU, 2, 24, H100));
    only_log(
        &host.vm,
        ProfileUpdated {
            provider: PROVIDER,
            gpuModel: EU,
            gpuCount: 2,
            vramGiB: 24,
            region: H100,
            metadataURI: "u".into(),
        },
    );
}

#[test]
fn update_profile_errors() {
    let (host, mut registry) = registered();
    let vm = host.vm.clone();
    assert_reverts(
        &vm,
        Error::InvalidGpuCount(RegistryInvalidGpuCount {
            gpuCount: 0,
            maxGpuCount: 1024,
        }),
        || registry.update_profile(H100, 0, 80, EU, URI.into()),
    );
    assert_reverts(
        &vm,
        Error::MetadataURITooLong(RegistryMetadataURITooLong {
            length: U256::from(300),
            maxLength: U256::from(256),
        }),
        || registry.update_profile(H100, 1, 80, EU, "y".repeat(300)),
    );
    vm.set_sender(OTHER);
    assert_reverts(&vm, not_registered(OTHER), || {
        registry.update_profile(H100, 1, 80, EU, URI.into())
    });
}

// ---------------------------------------------------------------------------------------------
// Stake
// ---------------------------------------------------------------------------------------------

#[test]
fn stake_pulls_with_transfer_from_and_checks_the_balance_delta() {
    let (host, mut registry) = registered();
    registry.stake(ct(6_600)).unwrap();
    assert_eq!(registry.active_stake(PROVIDER), ct(6_600));
    assert_eq!(
        calls(&host),
        vec![
            balance_of_registry(),
            transferFromCall {
                from: PROVIDER,
                to: REGISTRY,
                value: ct(6_600)
            }
            .abi_encode(),
            balance_of_registry(),
        ]
    );
    assert_eq!(host.token.borrow().balance(REGISTRY), ct(6_600));
    only_log(
        &host.vm,
        Staked {
            provider: PROVIDER,
            amount: ct(6_600),
            activeStake: ct(6_600),
        },
    );
    clear(&host);
    registry.stake(U256::from(1)).unwrap();
    only_log(
        &host.vm,
        Staked {
            provider: PROVIDER,
            amount: U256::from(1),
            activeStake: ct(6_600) + U256::from(1),
        },
    );
}

#[test]
fn stake_rejects_pause_unregistered_and_zero() {
    let (host, mut registry) = registered();
    let vm = host.vm.clone();
    assert_reverts(&vm, Error::ZeroAmount(RegistryZeroAmount {}), || {
        registry.stake(U256::ZERO)
    });
    vm.set_sender(OTHER);
    assert_reverts(&vm, not_registered(OTHER), || registry.stake(ct(1)));
    vm.set_sender(PROVIDER);
    pause(&host, &mut registry);
    assert_reverts(&vm, enforced_pause(), || registry.stake(ct(1)));
    assert!(
        calls(&host).is_empty(),
        "no token call after a failed check"
    );
}

#[test]
fn stake_fails_when_the_token_misbehaves() {
    for (mode, expected) in [
        (Mode::Revert, token_failed()),
        (Mode::ReturnFalse, token_failed()),
        (Mode::ReturnNothing, token_failed()),
        (Mode::BrokenViews, token_failed()),
        (
            Mode::Fee(U256::from(3)),
            Error::BalanceDeltaMismatch(RegistryBalanceDeltaMismatch {
                expected: ct(10),
                actual: ct(10) - U256::from(3),
            }),
        ),
    ] {
        let (host, mut registry) = registered();
        host.token.borrow_mut().mode = mode;
        assert_token_failure(registry.stake(ct(10)), expected);
    }
    // Not enough allowance: the token reverts.
    let (host, mut registry) = registered();
    host.token
        .borrow_mut()
        .allowances
        .insert((PROVIDER, REGISTRY), ct(1));
    assert_token_failure(registry.stake(ct(2)), token_failed());
}

#[test]
fn stake_with_permit_permits_then_pulls() {
    let (host, mut registry) = registered();
    host.token.borrow_mut().allowances.clear();
    let (r, s) = (B256::repeat_byte(1), B256::repeat_byte(2));
    registry
        .stake_with_permit(ct(7), U256::from(T0 + 60), 27, r, s)
        .unwrap();
    assert_eq!(registry.active_stake(PROVIDER), ct(7));
    assert_eq!(
        calls(&host),
        vec![
            permitCall {
                owner: PROVIDER,
                spender: REGISTRY,
                value: ct(7),
                deadline: U256::from(T0 + 60),
                v: 27,
                r,
                s
            }
            .abi_encode(),
            balance_of_registry(),
            transferFromCall {
                from: PROVIDER,
                to: REGISTRY,
                value: ct(7)
            }
            .abi_encode(),
            balance_of_registry(),
        ]
    );
    only_log(
        &host.vm,
        Staked {
            provider: PROVIDER,
            amount: ct(7),
            activeStake: ct(7),
        },
    );
}

#[test]
fn stake_with_permit_tolerates_a_used_permit_when_the_allowance_suffices() {
    let (host, mut registry) = registered();
    {
        let mut token = host.token.borrow_mut();
        token.permit_ok = false;
        token.allowances.insert((PROVIDER, REGISTRY), ct(7));
    }
    registry
        .stake_with_permit(ct(7), U256::ZERO, 27, B256::ZERO, B256::ZERO)
        .unwrap();
    assert_eq!(registry.active_stake(PROVIDER), ct(7));
    let sent = calls(&host);
    assert_eq!(
        sent[1],
        allowanceCall {
            owner: PROVIDER,
            spender: REGISTRY
        }
        .abi_encode()
    );
    assert_eq!(sent.len(), 5);
}

#[test]
fn stake_with_permit_fails_without_permit_or_allowance() {
    let (host, mut registry) = registered();
    let vm = host.vm.clone();
    {
        let mut token = host.token.borrow_mut();
        token.permit_ok = false;
        token.allowances.insert((PROVIDER, REGISTRY), ct(6));
    }
    assert_reverts(&vm, token_failed(), || {
        registry.stake_with_permit(ct(7), U256::ZERO, 27, B256::ZERO, B256::ZERO)
    });
    assert_reverts(&vm, Error::ZeroAmount(RegistryZeroAmount {}), || {
        registry.stake_with_permit(U256::ZERO, U256::ZERO, 27, B256::ZERO, B256::ZERO)
    });
    pause(&host, &mut registry);
    assert_reverts(&vm, enforced_pause(), || {
        registry.stake_with_permit(ct(1), U256::ZERO, 27, B256::ZERO, B256::ZERO)
    });
}

// ---------------------------------------------------------------------------------------------
// Unbonding, cancelling, withdrawing
// ---------------------------------------------------------------------------------------------

#[test]
fn request_unbond_moves_free_stake_into_a_request() {
    let (host, mut registry) = staked(ct(10_000));
    pause(&host, &mut registry); // exits work while paused
    let id = registry.request_unbond(ct(4_000)).unwrap();
    assert_eq!(id, U256::from(1));
    let release = T0 + 14 * 86_400;
    assert_eq!(registry.active_stake(PROVIDER), ct(6_000));
    assert_eq!(registry.unbonding_stake(PROVIDER), ct(4_000));
    assert_eq!(registry.unbond_request(PROVIDER, id), (ct(4_000), release));
    assert_eq!(
        registry.unbond_request(PROVIDER, U256::from(2)),
        (U256::ZERO, 0)
    );
    only_log(
        &host.vm,
        UnbondRequested {
            provider: PROVIDER,
            requestId: id,
            amount: ct(4_000),
            releaseAt: release,
        },
    );
    assert!(calls(&host).is_empty(), "unbonding moves no tokens");
    assert_eq!(registry.request_unbond(ct(1)).unwrap(), U256::from(2));
}

#[test]
fn request_unbond_errors() {
    let (host, mut registry) = staked(ct(100));
    let vm = host.vm.clone();
    as_role(&host, MANAGER, || registry.lock_stake(PROVIDER, ct(30))).unwrap();
    assert_reverts(&vm, Error::ZeroAmount(RegistryZeroAmount {}), || {
        registry.request_unbond(U256::ZERO)
    });
    assert_reverts(
        &vm,
        Error::InsufficientFreeStake(RegistryInsufficientFreeStake {
            provider: PROVIDER,
            free: ct(70),
            needed: ct(71),
        }),
        || registry.request_unbond(ct(71)),
    );
    for i in 0..MAX_UNBOND_REQUESTS {
        assert_eq!(registry.request_unbond(ct(1)).unwrap(), U256::from(i + 1));
    }
    assert_reverts(
        &vm,
        Error::TooManyUnbondRequests(RegistryTooManyUnbondRequests {
            provider: PROVIDER,
            maxRequests: U256::from(16),
        }),
        || registry.request_unbond(ct(1)),
    );
    // A freed slot is reused, with a fresh id.
    registry.cancel_unbond(U256::from(5)).unwrap();
    assert_eq!(registry.request_unbond(ct(1)).unwrap(), U256::from(17));
}

#[test]
fn cancel_unbond_restores_active_stake() {
    let (host, mut registry) = staked(ct(100));
    let id = registry.request_unbond(ct(40)).unwrap();
    host.vm.set_block_timestamp(T0 + 30 * 86_400); // matured requests can be cancelled too
    clear(&host);
    registry.cancel_unbond(id).unwrap();
    assert_eq!(registry.active_stake(PROVIDER), ct(100));
    assert_eq!(registry.unbonding_stake(PROVIDER), U256::ZERO);
    only_log(
        &host.vm,
        UnbondCancelled {
            provider: PROVIDER,
            requestId: id,
            amount: ct(40),
        },
    );
    let unknown = Error::UnknownUnbondRequest(RegistryUnknownUnbondRequest {
        provider: PROVIDER,
        requestId: id,
    });
    assert_reverts(&host.vm, unknown, || registry.cancel_unbond(id));
    host.vm.set_sender(OTHER);
    assert_reverts(&host.vm, not_registered(OTHER), || {
        registry.cancel_unbond(U256::from(1))
    });
}

#[test]
fn withdraw_pays_matured_requests_only_and_works_while_paused() {
    let (host, mut registry) = staked(ct(100));
    let vm = host.vm.clone();
    registry.request_unbond(ct(10)).unwrap();
    vm.set_block_timestamp(T0 + 86_400);
    registry.request_unbond(ct(20)).unwrap();
    pause(&host, &mut registry);
    vm.set_block_timestamp(T0 + 14 * 86_400 - 1);
    assert_reverts(
        &vm,
        Error::NothingToWithdraw(RegistryNothingToWithdraw { provider: PROVIDER }),
        || registry.withdraw(),
    );
    vm.set_block_timestamp(T0 + 14 * 86_400);
    assert_eq!(registry.withdraw().unwrap(), ct(10));
    assert_eq!(registry.unbonding_stake(PROVIDER), ct(20));
    assert_eq!(
        calls(&host),
        vec![
            balance_of_registry(),
            transferCall {
                to: PROVIDER,
                value: ct(10)
            }
            .abi_encode(),
            balance_of_registry(),
        ]
    );
    assert_eq!(host.token.borrow().balance(REGISTRY), ct(90));
    only_log(
        &vm,
        Withdrawn {
            provider: PROVIDER,
            amount: ct(10),
        },
    );
    vm.set_block_timestamp(T0 + 15 * 86_400);
    assert_eq!(registry.withdraw().unwrap(), ct(20));
    assert_eq!(registry.unbonding_stake(PROVIDER), U256::ZERO);
}

#[test]
fn withdraw_fails_when_the_token_misbehaves() {
    for (mode, expected) in [
        (Mode::Revert, token_failed()),
        (Mode::ReturnFalse, token_failed()),
        (Mode::ReturnNothing, token_failed()),
        (Mode::BrokenViews, token_failed()),
        (
            Mode::Drain(U256::from(1)),
            Error::BalanceDeltaMismatch(RegistryBalanceDeltaMismatch {
                expected: ct(10),
                actual: ct(10) + U256::from(1),
            }),
        ),
    ] {
        let (host, mut registry) = staked(ct(100));
        registry.request_unbond(ct(10)).unwrap();
        host.vm.set_block_timestamp(T0 + 14 * 86_400);
        host.token.borrow_mut().mode = mode;
        assert_token_failure(registry.withdraw(), expected);
    }
    // A fee taken from the recipient does not change the registry's outflow: accepted.
    let (host, mut registry) = staked(ct(100));
    registry.request_unbond(ct(10)).unwrap();
    host.vm.set_block_timestamp(T0 + 14 * 86_400);
    host.token.borrow_mut().mode = Mode::Fee(U256::from(1));
    assert_eq!(registry.withdraw(), Ok(ct(10)));
}

// ---------------------------------------------------------------------------------------------
// Deregistration
// ---------------------------------------------------------------------------------------------

#[test]
fn deregister_unbonds_everything() {
    let (host, mut registry) = staked(ct(100));
    registry.request_unbond(ct(10)).unwrap();
    clear(&host);
    registry.deregister().unwrap();
    assert!(!registry.provider_info(PROVIDER).0);
    assert!(!registry.is_eligible(PROVIDER));
    assert_eq!(registry.active_stake(PROVIDER), U256::ZERO);
    assert_eq!(registry.unbonding_stake(PROVIDER), ct(100));
    let release = T0 + 14 * 86_400;
    assert_eq!(
        logs_of::<UnbondRequested>(&host.vm),
        vec![UnbondRequested {
            provider: PROVIDER,
            requestId: U256::from(2),
            amount: ct(90),
            releaseAt: release
        }]
    );
    assert_eq!(
        logs_of::<Deregistered>(&host.vm),
        vec![Deregistered {
            provider: PROVIDER,
            requestId: U256::from(2),
            amount: ct(90)
        }]
    );
    host.vm.set_block_timestamp(release);
    assert_eq!(registry.withdraw().unwrap(), ct(100));
    // Registering again is allowed.
    registry.register(H100, 1, 80, EU, URI.into()).unwrap();
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
    clear(&host);
    assert_reverts(&host.vm, not_registered(PROVIDER), || registry.deregister());

    let (host, mut registry) = staked(ct(100));
    as_role(&host, MANAGER, || {
        registry.lock_stake(PROVIDER, U256::from(1))
    })
    .unwrap();
    assert_reverts(
        &host.vm,
        Error::StakeLocked(RegistryStakeLocked {
            provider: PROVIDER,
            locked: U256::from(1),
        }),
        || registry.deregister(),
    );
    as_role(&host, MANAGER, || {
        registry.unlock_stake(PROVIDER, U256::from(1))
    })
    .unwrap();
    for _ in 0..MAX_UNBOND_REQUESTS {
        registry.request_unbond(ct(1)).unwrap();
    }
    assert_reverts(
        &host.vm,
        Error::TooManyUnbondRequests(RegistryTooManyUnbondRequests {
            provider: PROVIDER,
            maxRequests: U256::from(16),
        }),
        || registry.deregister(),
    );
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
    registry.stake(ct(6_600) - U256::from(1)).unwrap();
    assert!(!registry.is_eligible(PROVIDER));
    registry.stake(U256::from(1)).unwrap();
    assert!(registry.is_eligible(PROVIDER));
    // Locked stake still counts; unbonding does not.
    as_role(&host, MANAGER, || registry.lock_stake(PROVIDER, ct(6_000))).unwrap();
    assert!(registry.is_eligible(PROVIDER));
    registry.request_unbond(U256::from(1)).unwrap();
    assert!(!registry.is_eligible(PROVIDER));
    assert_eq!(
        registry.provider_info(PROVIDER),
        (
            true,
            H100,
            8,
            80,
            EU,
            ct(6_600) - U256::from(1),
            ct(6_000),
            U256::from(1),
            0,
            0,
            0
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

#[test]
fn set_parameter_accepts_bounds_and_logs() {
    let (host, mut registry) = deploy();
    host.vm.set_sender(PARAMS);
    let day = U256::from(86_400);
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
        clear(&host);
    }
    assert_eq!(registry.parameter(MIN_STAKE_BASE).unwrap(), ct(1_000_000));
    assert_eq!(registry.parameter(STAKE_PER_GPU).unwrap(), ct(100_000));
    assert_eq!(registry.parameter(UNBONDING_PERIOD).unwrap(), day);
    assert_eq!(registry.parameter(MIN_UNBONDING_PERIOD).unwrap(), day);
    assert_eq!(
        registry.parameter(MAX_SLASH_BPS).unwrap(),
        U256::from(2_000)
    );
    assert_eq!(
        registry.parameter(CHALLENGER_SHARE_BPS).unwrap(),
        U256::from(10_000)
    );
}

#[test]
fn set_parameter_rejects_out_of_bounds_unknown_and_unauthorized() {
    let (host, mut registry) = deploy();
    let vm = host.vm.clone();
    assert_reverts(&vm, unauthorized(PROVIDER, PARAMETER_ADMIN_ROLE), || {
        registry.set_parameter(MAX_SLASH_BPS, U256::from(500))
    });
    vm.set_sender(PARAMS);
    let unknown = common::params::name("slashBps");
    assert_eq!(
        registry.parameter(unknown),
        Err(Error::UnknownParameter(RegistryUnknownParameter {
            name: unknown
        }))
    );
    assert_reverts(
        &vm,
        Error::UnknownParameter(RegistryUnknownParameter { name: unknown }),
        || registry.set_parameter(unknown, U256::ZERO),
    );
    let day = 86_400u64;
    for (name, value, min, max) in [
        (MIN_STAKE_BASE, ct(99), ct(100), ct(1_000_000)),
        (MIN_STAKE_BASE, ct(1_000_001), ct(100), ct(1_000_000)),
        (STAKE_PER_GPU, ct(100_001), U256::ZERO, ct(100_000)),
        (
            UNBONDING_PERIOD,
            U256::from(9 * day - 1),
            U256::from(9 * day),
            U256::from(90 * day),
        ),
        (
            UNBONDING_PERIOD,
            U256::from(90 * day + 1),
            U256::from(9 * day),
            U256::from(90 * day),
        ),
        (
            MIN_UNBONDING_PERIOD,
            U256::from(day - 1),
            U256::from(day),
            U256::from(14 * day),
        ),
        (
            MIN_UNBONDING_PERIOD,
            U256::from(14 * day + 1),
            U256::from(day),
            U256::from(14 * day),
        ),
        (
            MAX_SLASH_BPS,
            U256::from(99),
            U256::from(100),
            U256::from(2_000),
        ),
        (
            MAX_SLASH_BPS,
            U256::from(2_001),
            U256::from(100),
            U256::from(2_000),
        ),
        (
            CHALLENGER_SHARE_BPS,
            U256::from(10_001),
            U256::ZERO,
            U256::from(10_000),
        ),
    ] {
        assert_reverts(
            &vm,
            Error::ParameterOutOfBounds(RegistryParameterOutOfBounds { value, min, max }),
            || registry.set_parameter(name, value),
        );
    }
}

#[test]
fn parameter_names_are_ascii_bytes32() {
    assert_eq!(UNBONDING_PERIOD.0[..15], *b"unbondingPeriod");
    assert_eq!(UNBONDING_PERIOD.0[15..], [0u8; 17]);
    assert_eq!(CHALLENGER_SHARE_BPS.0[..18], *b"challengerShareBps");
}

#[test]
fn an_unbonding_period_change_applies_to_new_requests_only() {
    let (host, mut registry) = staked(ct(100));
    let id1 = registry.request_unbond(ct(1)).unwrap();
    as_role(&host, PARAMS, || {
        registry.set_parameter(UNBONDING_PERIOD, U256::from(20 * 86_400))
    })
    .unwrap();
    let id2 = registry.request_unbond(ct(1)).unwrap();
    assert_eq!(registry.unbond_request(PROVIDER, id1).1, T0 + 14 * 86_400);
    assert_eq!(registry.unbond_request(PROVIDER, id2).1, T0 + 20 * 86_400);
}

#[test]
fn helpers_decode_strictly() {
    assert_eq!(token::decode_uint(&[0u8; 31]), None);
    assert_eq!(token::decode_uint(&[0u8; 33]), None);
    assert!(!token::returned_ok(
        &U256::from(2).abi_encode(),
        token::Expect::True
    ));
    assert!(token::returned_ok(&[], token::Expect::Anything));
    assert_eq!(
        mul_div(U256::from(7), U256::from(3), U256::from(2), true),
        Ok(U256::from(11))
    );
    assert_eq!(
        mul_div(U256::from(7), U256::from(3), U256::from(2), false),
        Ok(U256::from(10))
    );
    assert_eq!(
        mul_div(U256::MAX, U256::from(2), U256::from(2), false),
        Err(overflow())
    );
}

/// The hand-written error encoding (see [`Error`]) equals alloy's `SolError::abi_encode`.
#[test]
fn errors_encode_as_their_solidity_errors() {
    use alloy_sol_types::SolError;
    fn check<T: SolError + Clone>(e: T, wrap: fn(T) -> Error) {
        assert_eq!(Vec::<u8>::from(wrap(e.clone())), e.abi_encode());
    }
    let (a, b, c) = (U256::from(1), U256::MAX, U256::from(7));
    check(
        SafeERC20FailedOperation { token: TOKEN },
        Error::TokenCallFailed,
    );
    check(
        RegistryBalanceDeltaMismatch {
            expected: a,
            actual: b,
        },
        Error::BalanceDeltaMismatch,
    );
    check(RegistryInvalidToken { token: TOKEN }, Error::InvalidToken);
    check(
        RegistryAlreadyRegistered { provider: PROVIDER },
        Error::AlreadyRegistered,
    );
    check(
        RegistryNotRegistered { provider: PROVIDER },
        Error::NotRegistered,
    );
    check(
        RegistryInvalidGpuCount {
            gpuCount: u32::MAX,
            maxGpuCount: 1024,
        },
        Error::InvalidGpuCount,
    );
    check(
        RegistryMetadataURITooLong {
            length: a,
            maxLength: c,
        },
        Error::MetadataURITooLong,
    );
    check(RegistryZeroAmount {}, Error::ZeroAmount);
    check(
        RegistryInsufficientFreeStake {
            provider: PROVIDER,
            free: a,
            needed: b,
        },
        Error::InsufficientFreeStake,
    );
    check(
        RegistryTooManyUnbondRequests {
            provider: PROVIDER,
            maxRequests: c,
        },
        Error::TooManyUnbondRequests,
    );
    check(
        RegistryUnknownUnbondRequest {
            provider: PROVIDER,
            requestId: b,
        },
        Error::UnknownUnbondRequest,
    );
    check(
        RegistryNothingToWithdraw { provider: PROVIDER },
        Error::NothingToWithdraw,
    );
    check(
        RegistryStakeLocked {
            provider: PROVIDER,
            locked: c,
        },
        Error::StakeLocked,
    );
    check(
        RegistryInvalidBeneficiary {
            beneficiary: BENEFICIARY,
        },
        Error::InvalidBeneficiary,
    );
    check(
        RegistryUnknownParameter {
            name: MAX_SLASH_BPS,
        },
        Error::UnknownParameter,
    );
    check(
        RegistryParameterOutOfBounds {
            value: a,
            min: c,
            max: b,
        },
        Error::ParameterOutOfBounds,
    );
    check(RegistryArithmeticOverflow {}, Error::ArithmeticOverflow);
    check(EnforcedPause {}, Error::EnforcedPause);
    check(ExpectedPause {}, Error::ExpectedPause);
    check(
        AccessControlInvalidDefaultAdmin {
            defaultAdmin: ADMIN,
        },
        Error::InvalidDefaultAdmin,
    );
    check(
        AccessControlUnauthorizedAccount {
            account: OTHER,
            neededRole: SLASHER_ROLE,
        },
        Error::UnauthorizedAccount,
    );
    check(
        common::access::AccessControlBadConfirmation {},
        Error::BadConfirmation,
    );
}
