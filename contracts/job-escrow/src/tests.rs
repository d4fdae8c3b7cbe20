//! Unit tests on the SDK's `TestVM` through `testing::ModelHost`, with in-memory models of the
//! controller, the registry and the token ([`models`]): every public function and every path of
//! DESIGN.md §6, every error with its fields (storage and logs proven unchanged when the error comes
//! before any write), every event, and the exact calldata of every call the escrow makes. Property
//! tests live in `proptests`.

use std::{cell::RefCell, rc::Rc};

use alloy_primitives::{address, b256, uint, Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use common::access::{AccessControl, AccessControlUnauthorizedAccount, RoleGranted};
use common::pausable::{EnforcedPause, Pausable};
use common::roles::PAUSER_ROLE;
use stylus_sdk::testing::TestVM;
use testing::{assert_reverts, logs_of, Call, ModelHost};

use super::*;
use models::{Controller, Mode, Registry, Token, CONTROLLER, REGISTRY, TOKEN};

mod admin;
mod disputes;
mod encoding;
mod models;
mod proptests;

pub(crate) const DEPLOYER: Address = address!("cEcba2F1DC234f70Dd89F2041029807F8D03A990");
pub(crate) const ESCROW: Address = address!("000000000000000000000000000000000000e5c0");
pub(crate) const ADMIN: Address = address!("000000000000000000000000000000000000a11c");
pub(crate) const REQUESTER: Address = address!("0000000000000000000000000000000000000b0b");
pub(crate) const REQUESTER2: Address = address!("0000000000000000000000000000000000000b0c");
pub(crate) const PROVIDER: Address = address!("0000000000000000000000000000000000000a0a");
pub(crate) const PROVIDER2: Address = address!("0000000000000000000000000000000000000a0b");
pub(crate) const OTHER: Address = address!("00000000000000000000000000000000000a11ce");
pub(crate) const ARBITRATOR: Address = address!("000000000000000000000000000000000000a4b1");
pub(crate) const PAUSER: Address = address!("0000000000000000000000000000000000009a05");
pub(crate) const PARAMS: Address = address!("0000000000000000000000000000000000007e10");
pub(crate) const T0: u64 = 1_700_000_000;
const SPEC: B256 = b256!("00000000000000000000000000000000000000000000000000000000000005ec");
const RESULT: B256 = b256!("0000000000000000000000000000000000000000000000000000000000000e5a");
const EVIDENCE: B256 = b256!("00000000000000000000000000000000000000000000000000000000000000ee");

/// The standard job: 8 GPUs for at most 2 hours at 2 USD per GPU-hour.
const GPUS: u32 = 8;
const DURATION: u64 = 7_200;
const PRICE: U256 = uint!(2_000_000_U256);
/// 2 USD × 8 × 2 h = 32 USD.
const MAX_COST: U256 = uint!(32_000_000_U256);
/// 2 × maxCost = 64 USD at 2e12 wei per credit unit (CT at 0.50 USD) = 128 CT.
const STAKE: U256 = uint!(128_000000000000000000_U256);
/// 1.5 h used: 24 USD.
const USED: u64 = 5_400;
const COST: U256 = uint!(24_000_000_U256);

pub(crate) fn ct(n: u64) -> U256 {
    U256::from(n) * uint!(1_000_000_000_000_000_000_U256)
}

/// A deployed escrow with its three models.
pub(crate) struct Env {
    pub host: ModelHost,
    pub escrow: JobEscrow,
    pub controller: Rc<RefCell<Controller>>,
    pub registry: Rc<RefCell<Registry>>,
    pub token: Rc<RefCell<Token>>,
}

impl Env {
    pub fn vm(&self) -> &TestVM {
        &self.host.vm
    }
    pub fn at(&self, who: Address) {
        self.host.vm.set_sender(who);
    }
    pub fn warp(&self, t: u64) {
        self.host.vm.set_block_timestamp(t);
    }
    pub fn now(&self) -> u64 {
        self.host.vm.block_timestamp()
    }
    /// Forgets logs and recorded calls.
    pub fn clear(&self) {
        self.host.vm.clear_mocks();
        self.host.clear_calls();
    }
    pub fn calls(&self) -> Vec<Call> {
        self.host.calls()
    }
    pub fn state(&self, id: U256) -> u8 {
        self.escrow.job_words(id)[F_STATE].to::<u8>()
    }
}

/// Escrow at `ESCROW`, time `T0`; `ARBITRATOR`, `PAUSER`, `PARAMS` hold their roles; `REQUESTER`
/// and `REQUESTER2` have 1M USD of credits and 1M CT approved to the escrow; `PROVIDER` and
/// `PROVIDER2` are eligible with 1M CT active stake (`PROVIDER` also 100k CT unbonding). Logs and
/// calls cleared; the caller is `REQUESTER`.
pub(crate) fn deploy() -> Env {
    let vm = TestVM::new();
    vm.set_contract_address(ESCROW);
    vm.set_block_timestamp(T0);
    vm.set_sender(DEPLOYER);
    let host = ModelHost::new(vm.clone());
    let controller = host.install(CONTROLLER, Controller::default());
    let registry = host.install(REGISTRY, Registry::default());
    let token = host.install(TOKEN, Token::default());
    let mut escrow = JobEscrow::from(&host);
    escrow
        .constructor(CONTROLLER, REGISTRY, TOKEN, ADMIN)
        .unwrap();
    vm.set_sender(ADMIN);
    for (role, account) in [
        (ARBITRATOR_ROLE, ARBITRATOR),
        (PAUSER_ROLE, PAUSER),
        (PARAMETER_ADMIN_ROLE, PARAMS),
    ] {
        escrow.grant_role(role, account).unwrap();
    }
    for r in [REQUESTER, REQUESTER2] {
        controller
            .borrow_mut()
            .free
            .insert(r, U256::from(1_000_000_000_000u64));
        let mut t = token.borrow_mut();
        t.balances.insert(r, ct(1_000_000));
        t.allowances.insert((r, ESCROW), ct(1_000_000));
    }
    for p in [PROVIDER, PROVIDER2] {
        let mut reg = registry.borrow_mut();
        reg.eligible.insert(p);
        reg.active.insert(p, ct(1_000_000));
    }
    registry
        .borrow_mut()
        .unbonding
        .insert(PROVIDER, ct(100_000));
    let env = Env {
        host,
        escrow,
        controller,
        registry,
        token,
    };
    env.at(REQUESTER);
    env.clear();
    env
}

/// `job()`'s typed tuple as its 14 ABI words (tuples of 14 have no `PartialEq`/`Debug`).
pub(crate) fn words(t: JobInfo) -> [U256; JOB_FIELDS] {
    let (
        state,
        requester,
        provider,
        spec,
        result,
        gpus,
        duration,
        price,
        max,
        cost,
        used,
        stake,
        bond,
        until,
    ) = t;
    [
        U256::from(state),
        U256::from_be_bytes(requester.into_word().0),
        U256::from_be_bytes(provider.into_word().0),
        U256::from_be_bytes(spec.0),
        U256::from_be_bytes(result.0),
        U256::from(gpus),
        U256::from(duration),
        price,
        max,
        cost,
        U256::from(used),
        stake,
        bond,
        U256::from(until),
    ]
}

fn id(n: u64) -> U256 {
    U256::from(n)
}

/// `deploy` + job 1 (the standard job, any provider) created by `REQUESTER`.
fn open() -> Env {
    let mut env = deploy();
    env.escrow
        .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
        .unwrap();
    env.clear();
    env
}

/// `open` + accepted by `PROVIDER` at `T0 + 100`.
fn running() -> Env {
    let mut env = open();
    env.warp(T0 + 100);
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.clear();
    env
}

/// `running` + result (`USED` seconds) submitted at `T0 + 6_000`.
fn submitted() -> Env {
    let mut env = running();
    env.warp(T0 + 6_000);
    env.escrow.submit_result(id(1), RESULT, USED).unwrap();
    env.at(REQUESTER);
    env.clear();
    env
}

/// `submitted` + disputed at `T0 + 7_000` (bond = minDisputeBond = 100 CT).
fn disputed() -> Env {
    let mut env = submitted();
    env.warp(T0 + 7_000);
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    env.clear();
    env
}

fn call_to(to: Address, data: Vec<u8>, is_static: bool) -> Call {
    Call {
        to,
        from: ESCROW,
        value: U256::ZERO,
        is_static,
        data,
    }
}
fn ctl(data: Vec<u8>) -> Call {
    call_to(CONTROLLER, data, false)
}
fn ctl_view(data: Vec<u8>) -> Call {
    call_to(CONTROLLER, data, true)
}
fn reg(data: Vec<u8>) -> Call {
    call_to(REGISTRY, data, false)
}
fn reg_view(data: Vec<u8>) -> Call {
    call_to(REGISTRY, data, true)
}
fn tok(data: Vec<u8>) -> Call {
    call_to(TOKEN, data, false)
}
fn balance_of_escrow() -> Call {
    call_to(TOKEN, balanceOfCall { account: ESCROW }.abi_encode(), true)
}
fn unlock_credits(account: Address, amount: U256) -> Call {
    ctl(unlockCreditsCall { account, amount }.abi_encode())
}
fn unlock_stake(provider: Address, amount: U256) -> Call {
    reg(unlockStakeCall { provider, amount }.abi_encode())
}
fn outcome(provider: Address, success: bool) -> Call {
    reg(recordOutcomeCall { provider, success }.abi_encode())
}
fn settle_call(payer: Address, provider: Address, credits: U256) -> Call {
    ctl(settleCall {
        payer,
        provider,
        credits,
    }
    .abi_encode())
}

fn invalid_state(job: u64, state: u8) -> Error {
    Error::InvalidState(JobEscrowInvalidState {
        jobId: id(job),
        state,
    })
}
fn not_requester(job: u64, caller: Address) -> Error {
    Error::NotRequester(JobEscrowNotRequester {
        jobId: id(job),
        caller,
    })
}
fn not_provider(job: u64, caller: Address) -> Error {
    Error::NotProvider(JobEscrowNotProvider {
        jobId: id(job),
        caller,
    })
}
fn early(job: u64, at: u64) -> Error {
    Error::TooEarly(JobEscrowTooEarly {
        jobId: id(job),
        availableAt: at,
    })
}
fn late(job: u64, at: u64) -> Error {
    Error::TooLate(JobEscrowTooLate {
        jobId: id(job),
        deadline: at,
    })
}
fn failed(target: Address, data: &[u8]) -> Error {
    Error::CallFailed(JobEscrowCallFailed {
        target,
        returnData: Bytes::copy_from_slice(data),
    })
}
fn unauthorized(account: Address, role: B256) -> Error {
    Error::UnauthorizedAccount(AccessControlUnauthorizedAccount {
        account,
        neededRole: role,
    })
}
fn pause(env: &mut Env) {
    let sender = env.vm().msg_sender();
    env.at(PAUSER);
    env.escrow.pause().unwrap();
    env.at(sender);
    env.clear();
}
fn set_param(env: &mut Env, name: B256, value: U256) {
    let sender = env.vm().msg_sender();
    env.at(PARAMS);
    env.escrow.set_parameter(name, value).unwrap();
    env.at(sender);
    env.clear();
}

// ---------------------------------------------------------------------------------------------
// Constructor, encodings
// ---------------------------------------------------------------------------------------------

#[test]
fn constructor_sets_addresses_defaults_and_admin() {
    let vm = TestVM::new();
    vm.set_contract_address(ESCROW);
    vm.set_sender(DEPLOYER);
    let mut escrow = JobEscrow::from(&vm);
    escrow
        .constructor(CONTROLLER, REGISTRY, TOKEN, ADMIN)
        .unwrap();
    assert_eq!(escrow.contracts(), (CONTROLLER, REGISTRY, TOKEN));
    assert!(escrow.has_role(DEFAULT_ADMIN_ROLE, ADMIN));
    assert_eq!(
        logs_of::<RoleGranted>(&vm),
        vec![RoleGranted {
            role: DEFAULT_ADMIN_ROLE,
            account: ADMIN,
            sender: DEPLOYER
        }]
    );
    for (name, default) in PARAMETERS.iter().zip(PARAMETER_DEFAULT) {
        assert_eq!(escrow.parameter(*name), Ok(default));
    }
    assert_eq!(escrow.parameter(ACCEPT_WINDOW), Ok(U256::from(1_800)));
    assert_eq!(escrow.parameter(COLLATERAL_BPS), Ok(U256::from(20_000)));
    assert_eq!(
        escrow.parameter(MAX_OPEN_JOBS_PER_PROVIDER),
        Ok(U256::from(64))
    );
    assert_eq!(escrow.job_count(), U256::ZERO);
    assert_eq!(escrow.bonds_held(), U256::ZERO);
    assert!(!escrow.paused());
}

#[test]
fn constructor_rejects_zero_addresses() {
    for (c, r, t) in [
        (Address::ZERO, REGISTRY, TOKEN),
        (CONTROLLER, Address::ZERO, TOKEN),
        (CONTROLLER, REGISTRY, Address::ZERO),
    ] {
        let vm = TestVM::new();
        let mut escrow = JobEscrow::from(&vm);
        assert_reverts(&vm, Error::ZeroAddress(JobEscrowZeroAddress {}), || {
            escrow.constructor(c, r, t, ADMIN)
        });
    }
    let vm = TestVM::new();
    let mut escrow = JobEscrow::from(&vm);
    assert_reverts(
        &vm,
        Error::InvalidDefaultAdmin(AccessControlInvalidDefaultAdmin {
            defaultAdmin: Address::ZERO,
        }),
        || escrow.constructor(CONTROLLER, REGISTRY, TOKEN, Address::ZERO),
    );
}

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
    assert_eq!(
        env.calls(),
        vec![ctl(lockCreditsCall {
            account: REQUESTER,
            amount: MAX_COST
        }
        .abi_encode())]
    );
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
        words(env.escrow.job(id(1))),
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
            U256::ZERO,
            T0 + 1_800
        ))
    );
    let job = env.escrow.job_words(id(1));
    assert_eq!(
        job,
        [
            U256::from(OPEN),
            U256::from_be_bytes(REQUESTER.into_word().0),
            U256::from_be_bytes(PROVIDER.into_word().0),
            U256::from_be_bytes(SPEC.0),
            U256::ZERO,
            U256::from(GPUS),
            U256::from(DURATION),
            PRICE,
            MAX_COST,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::from(T0 + 1_800),
        ]
    );
    assert_eq!(env.escrow.job_count(), id(1));
    assert_eq!(env.controller.borrow().locked_of(REQUESTER), MAX_COST);
    // Ids increase; an unknown id reads as zeros.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    assert_eq!(env.escrow.job_count(), id(2));
    assert_eq!(env.escrow.job_words(id(3)), [U256::ZERO; JOB_FIELDS]);
    assert_eq!(env.escrow.job(id(3)).0, NONE);
}

#[test]
fn create_job_rounds_max_cost_up() {
    let mut env = deploy();
    // 1 credit unit per GPU-hour for 1 GPU-second: 1/3600 rounds up to 1.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    assert_eq!(env.escrow.job_words(id(1))[F_MAX_COST], U256::from(1));
    // 3 × 1024 × 2_592_000 / 3600 = 2_211_840 exactly.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1024, MAX_JOB_DURATION, U256::from(3))
        .unwrap();
    assert_eq!(
        env.escrow.job_words(id(2))[F_MAX_COST],
        U256::from(2_211_840u64)
    );
}

#[test]
fn create_job_errors() {
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
    let vm = env.vm().clone();
    for (gpus, duration, price, expected) in [
        (0, DURATION, PRICE, bad_gpu(0)),
        (1025, DURATION, PRICE, bad_gpu(1025)),
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
            Error::ZeroPrice(JobEscrowZeroPrice {}),
        ),
        (
            GPUS,
            DURATION,
            U256::MAX,
            Error::ArithmeticOverflow(JobEscrowArithmeticOverflow {}),
        ),
    ] {
        assert_reverts(&vm, expected, || {
            env.escrow
                .create_job(Address::ZERO, SPEC, gpus, duration, price)
        });
    }
    assert!(env.calls().is_empty());
    pause(&mut env);
    assert_reverts(&vm, Error::EnforcedPause(EnforcedPause {}), || {
        env.escrow
            .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
    });
}

/// By checks-effects-interactions the escrow has written the job when `lockCredits` fails; the
/// real VM reverts the whole transaction (TestVM has no rollback), so the error and the
/// untouched controller are asserted.
#[test]
fn create_job_fails_without_credits() {
    let mut env = deploy();
    env.at(OTHER);
    assert_eq!(
        env.escrow
            .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE),
        Err(failed(CONTROLLER, b"insufficient credits"))
    );
    assert_eq!(env.controller.borrow().locked_of(OTHER), U256::ZERO);
}

// ---------------------------------------------------------------------------------------------
// cancelJob
// ---------------------------------------------------------------------------------------------

#[test]
fn requester_cancels_any_time_before_acceptance() {
    let mut env = open();
    pause(&mut env); // cancelling is an exit: allowed while paused
    env.escrow.cancel_job(id(1)).unwrap();
    assert_eq!(env.state(id(1)), CANCELLED);
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
    assert_eq!(env.controller.borrow().locked_of(REQUESTER), U256::ZERO);
    // Terminal: nothing more.
    let vm = env.vm().clone();
    assert_reverts(&vm, invalid_state(1, CANCELLED), || {
        env.escrow.cancel_job(id(1))
    });
}

#[test]
fn anyone_cancels_after_the_accept_window() {
    let mut env = open();
    env.at(OTHER);
    let vm = env.vm().clone();
    env.warp(T0 + 1_799);
    assert_reverts(&vm, early(1, T0 + 1_800), || env.escrow.cancel_job(id(1)));
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
}

#[test]
fn cancel_job_state_errors() {
    let mut env = running();
    env.at(REQUESTER);
    let vm = env.vm().clone();
    assert_reverts(&vm, invalid_state(1, RUNNING), || {
        env.escrow.cancel_job(id(1))
    });
    assert_reverts(&vm, invalid_state(9, NONE), || env.escrow.cancel_job(id(9)));
}

// ---------------------------------------------------------------------------------------------
// acceptJob
// ---------------------------------------------------------------------------------------------

#[test]
fn accept_job_locks_collateral() {
    let mut env = open();
    env.warp(T0 + 100);
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    assert_eq!(
        env.calls(),
        vec![
            reg_view(isEligibleCall { provider: PROVIDER }.abi_encode()),
            ctl_view(
                quoteTokensCall {
                    credits: MAX_COST * U256::from(2)
                }
                .abi_encode()
            ),
            reg(lockStakeCall {
                provider: PROVIDER,
                amount: STAKE
            }
            .abi_encode()),
        ]
    );
    let deadline = T0 + 100 + DURATION + 3_600;
    assert_eq!(
        logs_of::<JobAccepted>(env.vm()),
        vec![JobAccepted {
            jobId: id(1),
            provider: PROVIDER,
            stakeLocked: STAKE,
            deadline
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
    let job = env.escrow.job_words(id(1));
    assert_eq!(job[F_STATE], U256::from(RUNNING));
    assert_eq!(job[F_PROVIDER], U256::from_be_bytes(PROVIDER.into_word().0));
    assert_eq!(job[F_STAKE], STAKE);
    assert_eq!(job[F_UNTIL], U256::from(deadline));
    assert_eq!(env.escrow.open_jobs(PROVIDER), U256::from(1));
    assert_eq!(env.registry.borrow().locked_of(PROVIDER), STAKE);
}

#[test]
fn collateral_rounds_up() {
    let mut env = deploy();
    // maxCost 1 credit: 2 × 1 = 2 credits; with collateralBps 15_000: ⌈1.5⌉ = 2.
    set_param(&mut env, COLLATERAL_BPS, U256::from(15_000));
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    assert_eq!(
        env.escrow.job_words(id(1))[F_STAKE],
        U256::from(2) * env.controller.borrow().wei_per_credit
    );
}

#[test]
fn accept_job_named_provider_only() {
    let mut env = deploy();
    env.escrow
        .create_job(PROVIDER2, SPEC, GPUS, DURATION, PRICE)
        .unwrap();
    env.clear();
    let vm = env.vm().clone();
    env.at(PROVIDER);
    assert_reverts(&vm, not_provider(1, PROVIDER), || {
        env.escrow.accept_job(id(1))
    });
    env.at(PROVIDER2);
    env.escrow.accept_job(id(1)).unwrap();
}

#[test]
fn accept_job_errors() {
    let mut env = open();
    let vm = env.vm().clone();
    // The requester cannot take its own job, even if eligible.
    env.registry.borrow_mut().eligible.insert(REQUESTER);
    assert_reverts(&vm, not_provider(1, REQUESTER), || {
        env.escrow.accept_job(id(1))
    });
    env.at(OTHER);
    assert_reverts(
        &vm,
        Error::ProviderNotEligible(JobEscrowProviderNotEligible { provider: OTHER }),
        || env.escrow.accept_job(id(1)),
    );
    assert_reverts(&vm, invalid_state(2, NONE), || env.escrow.accept_job(id(2)));
    env.at(PROVIDER);
    // Malformed isEligible answer.
    env.registry.borrow_mut().eligible_return = Some(vec![1]);
    assert_reverts(&vm, failed(REGISTRY, &[1]), || env.escrow.accept_job(id(1)));
    env.registry.borrow_mut().eligible_return = None;
    // Stale price: quoteTokens reverts.
    env.controller.borrow_mut().stale = true;
    assert_reverts(&vm, failed(CONTROLLER, b"stale"), || {
        env.escrow.accept_job(id(1))
    });
    env.controller.borrow_mut().stale = false;
    // The accept window is [createdAt, createdAt + acceptWindow).
    env.warp(T0 + 1_800);
    assert_reverts(&vm, late(1, T0 + 1_800), || env.escrow.accept_job(id(1)));
    env.warp(T0 + 1_799);
    // Paused.
    pause(&mut env);
    assert_reverts(&vm, Error::EnforcedPause(EnforcedPause {}), || {
        env.escrow.accept_job(id(1))
    });
}

#[test]
fn accept_job_fails_without_free_stake() {
    let mut env = open();
    env.at(PROVIDER);
    env.registry
        .borrow_mut()
        .active
        .insert(PROVIDER, STAKE - U256::from(1));
    assert_eq!(
        env.escrow.accept_job(id(1)),
        Err(failed(REGISTRY, b"insufficient free stake"))
    );
    assert_eq!(env.registry.borrow().locked_of(PROVIDER), U256::ZERO);
}

#[test]
fn accept_job_caps_open_jobs_per_provider() {
    let mut env = deploy();
    set_param(&mut env, MAX_OPEN_JOBS_PER_PROVIDER, U256::from(2));
    for _ in 0..3 {
        env.at(REQUESTER);
        env.escrow
            .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
            .unwrap();
    }
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.escrow.accept_job(id(2)).unwrap();
    env.clear();
    let vm = env.vm().clone();
    assert_reverts(
        &vm,
        Error::TooManyOpenJobs(JobEscrowTooManyOpenJobs {
            provider: PROVIDER,
            maxOpenJobs: U256::from(2),
        }),
        || env.escrow.accept_job(id(3)),
    );
    // Another provider is not affected; finishing a job frees a place.
    env.at(PROVIDER2);
    env.escrow.accept_job(id(3)).unwrap();
    assert_eq!(env.escrow.open_jobs(PROVIDER), U256::from(2));
    env.warp(T0 + DURATION + 3_600);
    env.escrow.claim_timeout(id(1)).unwrap();
    assert_eq!(env.escrow.open_jobs(PROVIDER), U256::from(1));
}

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
            challengeDeadline: T0 + 6_000 + 86_400,
        }]
    );
    let job = env.escrow.job_words(id(1));
    assert_eq!(job[F_STATE], U256::from(SUBMITTED));
    assert_eq!(job[F_RESULT_HASH], U256::from_be_bytes(RESULT.0));
    assert_eq!(job[F_USED_SECONDS], U256::from(USED));
    assert_eq!(job[F_COST], COST);
    assert_eq!(job[F_UNTIL], U256::from(T0 + 6_000 + 86_400));

    // The small fields share slot 0: state | gpuCount << 32 | maxDuration << 64 |
    // usedSeconds << 128 | until << 192; the nine others have a slot each.
    let slots = env.escrow.job_slots(id(1));
    let packed = U256::from(SUBMITTED)
        | (U256::from(GPUS) << 32)
        | (U256::from(DURATION) << 64)
        | (U256::from(USED) << 128)
        | (U256::from(T0 + 6_000 + 86_400) << 192);
    assert_eq!(slots[0], packed);
    assert_eq!(
        slots[1..],
        [
            job[F_REQUESTER],
            job[F_PROVIDER],
            job[F_SPEC_HASH],
            job[F_RESULT_HASH],
            job[F_PRICE],
            job[F_MAX_COST],
            job[F_COST],
            job[F_STAKE],
            job[F_BOND],
        ]
    );
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
        assert_eq!(env.escrow.job_words(id(1))[F_COST], expected, "{used}");
        assert!(expected <= env.escrow.job_words(id(1))[F_MAX_COST]);
    }
}

#[test]
fn submit_result_rounds_cost_down() {
    let mut env = deploy();
    set_param(&mut env, MIN_CHARGE_SECONDS, U256::ZERO);
    // 7 credits per GPU-hour, 1 GPU, 1_000 s used: 7000/3600 = 1.94 → 1; maxCost ⌈7×3600/3600⌉ = 7.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 3_600, U256::from(7))
        .unwrap();
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.escrow.submit_result(id(1), RESULT, 1_000).unwrap();
    assert_eq!(env.escrow.job_words(id(1))[F_COST], U256::from(1));
}

#[test]
fn submit_result_errors() {
    let mut env = running();
    let vm = env.vm().clone();
    env.at(PROVIDER2);
    assert_reverts(&vm, not_provider(1, PROVIDER2), || {
        env.escrow.submit_result(id(1), RESULT, USED)
    });
    env.at(PROVIDER);
    assert_reverts(
        &vm,
        Error::UsageTooHigh(JobEscrowUsageTooHigh {
            usedSeconds: DURATION + 1,
            maxDuration: DURATION,
        }),
        || env.escrow.submit_result(id(1), RESULT, DURATION + 1),
    );
    let deadline = T0 + 100 + DURATION + 3_600;
    env.warp(deadline);
    assert_reverts(&vm, late(1, deadline), || {
        env.escrow.submit_result(id(1), RESULT, USED)
    });
    env.warp(deadline - 1);
    env.escrow.submit_result(id(1), RESULT, USED).unwrap();
    assert_reverts(&vm, invalid_state(1, SUBMITTED), || {
        env.escrow.submit_result(id(1), RESULT, USED)
    });
    let mut env = open();
    env.at(PROVIDER);
    let vm = env.vm().clone();
    assert_reverts(&vm, invalid_state(1, OPEN), || {
        env.escrow.submit_result(id(1), RESULT, USED)
    });
}

// ---------------------------------------------------------------------------------------------
// approveResult / finalize
// ---------------------------------------------------------------------------------------------

fn completion_calls(cost: U256) -> Vec<Call> {
    let mut calls = Vec::new();
    if !cost.is_zero() {
        calls.push(settle_call(REQUESTER, PROVIDER, cost));
    }
    if cost != MAX_COST {
        calls.push(unlock_credits(REQUESTER, MAX_COST - cost));
    }
    calls.push(unlock_stake(PROVIDER, STAKE));
    calls.push(outcome(PROVIDER, true));
    calls
}

#[test]
fn requester_approves_early() {
    let mut env = submitted();
    pause(&mut env);
    env.escrow.approve_result(id(1)).unwrap();
    assert_eq!(env.state(id(1)), COMPLETED);
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
    let c = env.controller.borrow();
    assert_eq!(c.settled[&PROVIDER], COST);
    assert_eq!(c.locked_of(REQUESTER), U256::ZERO);
    assert_eq!(env.escrow.open_jobs(PROVIDER), U256::ZERO);
    assert_eq!(env.registry.borrow().outcomes, vec![(PROVIDER, true)]);
}

#[test]
fn approve_result_errors() {
    let mut env = submitted();
    let vm = env.vm().clone();
    env.at(OTHER);
    assert_reverts(&vm, not_requester(1, OTHER), || {
        env.escrow.approve_result(id(1))
    });
    env.at(PROVIDER);
    assert_reverts(&vm, not_requester(1, PROVIDER), || {
        env.escrow.approve_result(id(1))
    });
    let mut env = running();
    env.at(REQUESTER);
    let vm = env.vm().clone();
    assert_reverts(&vm, invalid_state(1, RUNNING), || {
        env.escrow.approve_result(id(1))
    });
}

#[test]
fn anyone_finalizes_after_the_challenge_window() {
    let mut env = submitted();
    env.at(OTHER);
    let vm = env.vm().clone();
    let end = T0 + 6_000 + 86_400;
    env.warp(end - 1);
    assert_reverts(&vm, early(1, end), || env.escrow.finalize(id(1)));
    env.warp(end);
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
    assert_reverts(&vm, invalid_state(1, COMPLETED), || {
        env.escrow.finalize(id(1))
    });
    env.at(REQUESTER);
    assert_reverts(&vm, invalid_state(1, COMPLETED), || {
        env.escrow.approve_result(id(1))
    });
    assert_reverts(&vm, invalid_state(1, COMPLETED), || {
        env.escrow.dispute_result(id(1), EVIDENCE)
    });
}

#[test]
fn full_usage_settles_everything_and_unlocks_nothing() {
    let mut env = running();
    env.escrow.submit_result(id(1), RESULT, DURATION).unwrap();
    env.at(REQUESTER);
    env.clear();
    env.escrow.approve_result(id(1)).unwrap();
    assert_eq!(env.calls(), completion_calls(MAX_COST));
}

#[test]
fn zero_cost_settles_nothing() {
    let mut env = deploy();
    // 1 credit unit per GPU-hour, 1 GPU, 1 s: maxCost 1, cost ⌊1/3600⌋ = 0.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.escrow.submit_result(id(1), RESULT, 1).unwrap();
    let stake = env.escrow.job_words(id(1))[F_STAKE];
    env.at(REQUESTER);
    env.clear();
    env.escrow.approve_result(id(1)).unwrap();
    assert_eq!(
        env.calls(),
        vec![
            unlock_credits(REQUESTER, U256::from(1)),
            unlock_stake(PROVIDER, stake),
            outcome(PROVIDER, true),
        ]
    );
}

#[test]
fn finalize_errors_and_retry_after_a_stale_price() {
    let mut env = running();
    env.at(OTHER);
    let vm = env.vm().clone();
    assert_reverts(&vm, invalid_state(1, RUNNING), || {
        env.escrow.finalize(id(1))
    });
    assert_reverts(&vm, invalid_state(7, NONE), || env.escrow.finalize(id(7)));
    let mut env = submitted();
    env.warp(T0 + 6_000 + 86_400);
    env.controller.borrow_mut().stale = true;
    assert_eq!(
        env.escrow.finalize(id(1)),
        Err(failed(CONTROLLER, b"stale"))
    );
}
