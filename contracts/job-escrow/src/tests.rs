//! Unit tests on the SDK's `TestVM` through `testing::ModelHost`, with models of the controller, the
//! registry and the token that follow the real contracts' rules and revert with their errors
//! ([`models`]). They cover every public function and every transition of the crate docs' table,
//! every error with its fields, every event (decoded), and the exact calldata of every call the
//! escrow makes.
//!
//! Two kinds of failure are told apart:
//! - a failed **check** ([`Env::rejects`]) writes no storage, logs nothing
//!   (`testing::assert_reverts`) and makes no mutating call;
//! - a failed **interaction** ([`Env::fails`]: a callee reverted after the escrow's effects) is
//!   undone by the chain; `fails` restores the escrow's storage and logs and the models as the
//!   revert would, so a test can go on from the state before (e.g. retry once the price is back).
//!
//! This file: fixtures, constructor, `createJob`, `cancelJob`, `acceptJob`, `submitResult`,
//! `approveResult`/`finalize`, and checks-effects-interactions. Submodules: `market`
//! (`createJobFor`, `award`), `disputes` (disputes, rulings, timeouts), `admin` (parameters,
//! pause, roles), `encoding` (errors and calldata against alloy), `models`, `proptests`.

use std::{cell::RefCell, collections::HashMap, fmt::Debug, rc::Rc};

use alloy_primitives::{address, b256, uint, Address, B256, U256};
use alloy_sol_types::{SolCall, SolError};
use common::access::{AccessControl, AccessControlUnauthorizedAccount, RoleGranted};
use common::errors::call_failed;
use common::pausable::Pausable;
use common::roles::{PAUSER_ROLE, SLASHER_ROLE};
use stylus_sdk::{prelude::*, testing::TestVM};
use testing::{assert_reverts, logs_of, Call, Model, ModelHost};

use super::*;
use models::*;

mod admin;
mod disputes;
mod encoding;
mod market;
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
/// An auction contract holding `MARKET_ROLE` (the `JobMarket`).
pub(crate) const MARKET: Address = address!("000000000000000000000000000000000000a0c7");
/// Another `MARKET_ROLE` holder.
pub(crate) const MARKET2: Address = address!("000000000000000000000000000000000000a0c8");
pub(crate) const T0: u64 = 1_700_000_000;
pub(crate) const SPEC: B256 =
    b256!("00000000000000000000000000000000000000000000000000000000000005ec");
pub(crate) const RESULT: B256 =
    b256!("0000000000000000000000000000000000000000000000000000000000000e5a");
pub(crate) const EVIDENCE: B256 =
    b256!("00000000000000000000000000000000000000000000000000000000000000ee");

/// The standard job: 8 GPUs for at most 2 hours at 2 USD per GPU-hour.
pub(crate) const GPUS: u32 = 8;
pub(crate) const DURATION: u64 = 7_200;
pub(crate) const PRICE: U256 = uint!(2_000_000_U256);
/// 2 USD × 8 × 2 h = 32 USD.
pub(crate) const MAX_COST: U256 = uint!(32_000_000_U256);
/// 2 × maxCost = 64 USD at 0.50 USD per CT = 128 CT.
pub(crate) const STAKE: U256 = uint!(128_000000000000000000_U256);
/// 1.5 h used: 24 USD.
pub(crate) const USED: u64 = 5_400;
pub(crate) const COST: U256 = uint!(24_000_000_U256);
/// GPUs the two providers registered.
pub(crate) const PROVIDER_GPUS: u32 = 16;
/// Credits of each requester: 1M USD.
pub(crate) const CREDITS: U256 = uint!(1_000_000_000_000_U256);

pub(crate) fn ct(n: u64) -> U256 {
    U256::from(n) * uint!(1_000_000_000_000_000_000_U256)
}

pub(crate) fn id(n: u64) -> U256 {
    U256::from(n)
}

/// Everything a reverted transaction restores: the escrow's storage and logs, and the models.
pub(crate) struct Saved {
    storage: HashMap<U256, B256>,
    logs: Vec<(Vec<B256>, Vec<u8>)>,
    controller: Controller,
    registry: Registry,
    token: Token,
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
    pub fn state(&self, job: U256) -> u8 {
        self.escrow.job_words(job)[F_STATE].to::<u8>()
    }
    /// `job(id)` as words, checked against the storage accessor.
    pub fn job(&self, job: U256) -> [U256; JOB_FIELDS] {
        let words = words(self.escrow.job(job));
        assert_eq!(words, self.escrow.job_words(job));
        words
    }

    pub fn save(&self) -> Saved {
        let snapshot = self.vm().snapshot();
        Saved {
            storage: snapshot.storage,
            logs: snapshot.emitted_logs,
            controller: self.controller.borrow().clone(),
            registry: self.registry.borrow().clone(),
            token: self.token.borrow().clone(),
        }
    }

    /// Puts back what [`Env::save`] saved (recorded calls are kept).
    pub fn restore(&self, saved: Saved) {
        let vm = self.vm();
        vm.clear_storage();
        for (key, value) in saved.storage {
            vm.set_storage(key, value);
        }
        vm.clear_mocks();
        for (topics, data) in saved.logs {
            vm.raw_log(&topics, &data).unwrap();
        }
        *self.controller.borrow_mut() = saved.controller;
        *self.registry.borrow_mut() = saved.registry;
        *self.token.borrow_mut() = saved.token;
    }

    /// Runs `f` as one transaction: if it fails, everything it did is undone, as on chain.
    pub fn tx<T>(
        &mut self,
        f: impl FnOnce(&mut JobEscrow) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let saved = self.save();
        let result = f(&mut self.escrow);
        if result.is_err() {
            self.restore(saved);
        }
        result
    }

    /// A failed check: `f` fails with `expected`, writing no storage and no log
    /// (`testing::assert_reverts`) and making no mutating call.
    pub fn rejects<T: Debug>(
        &mut self,
        expected: Error,
        f: impl FnOnce(&mut JobEscrow) -> Result<T, Error>,
    ) {
        let vm = self.vm().clone();
        let n = self.host.calls().len();
        let escrow = &mut self.escrow;
        assert_reverts(&vm, expected, || f(escrow));
        let calls = self.host.calls();
        assert!(
            calls[n..].iter().all(|c| c.is_static),
            "a mutating call before a failed check: {:?}",
            &calls[n..]
        );
    }

    /// A failed interaction: `f` fails with `expected`; the transaction is undone as on chain.
    pub fn fails<T: Debug>(
        &mut self,
        expected: Error,
        f: impl FnOnce(&mut JobEscrow) -> Result<T, Error>,
    ) {
        let result = self.tx(f);
        assert_eq!(result.unwrap_err(), expected);
    }
}

/// Escrow at `ESCROW`, time `T0`; `ARBITRATOR`, `PAUSER`, `PARAMS` hold their roles, `MARKET` and
/// `MARKET2` hold `MARKET_ROLE`; `REQUESTER` and `REQUESTER2` have 1M USD of credits and 1M CT
/// approved to the escrow; `PROVIDER` and `PROVIDER2` are registered with 16 GPUs and 1M CT of
/// active stake, `PROVIDER` also 100k CT unbonding. The escrow holds `ESCROW_ROLE` in the controller
/// and `JOB_MANAGER_ROLE` and `SLASHER_ROLE` in the registry. Logs and calls cleared; the caller is
/// `REQUESTER`.
pub(crate) fn deploy() -> Env {
    let vm = TestVM::new();
    vm.set_contract_address(ESCROW);
    vm.set_block_timestamp(T0);
    vm.set_sender(DEPLOYER);
    let host = ModelHost::new(vm.clone());
    let controller = host.install(CONTROLLER, Controller::new(vm.clone(), ESCROW));
    let registry = host.install(REGISTRY, Registry::new(vm.clone(), ESCROW));
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
        (MARKET_ROLE, MARKET),
        (MARKET_ROLE, MARKET2),
    ] {
        escrow.grant_role(role, account).unwrap();
    }
    for r in [REQUESTER, REQUESTER2] {
        controller.borrow_mut().free.insert(r, CREDITS);
        let mut t = token.borrow_mut();
        t.balances.insert(r, ct(1_000_000));
        t.allowances.insert((r, ESCROW), ct(1_000_000));
    }
    {
        let mut reg = registry.borrow_mut();
        for p in [PROVIDER, PROVIDER2] {
            reg.register(p, PROVIDER_GPUS, ct(1_000_000));
        }
        reg.providers.get_mut(&PROVIDER).unwrap().unbonding = vec![ct(100_000)];
    }
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

/// `job()`'s typed tuple as its 13 ABI words (tuples of 13 have no `PartialEq`/`Debug`).
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
        bond,
        U256::from(until),
    ]
}

/// The packed slot 0 of a job: `state | gpuCount << 32 | maxDuration << 64 | usedSeconds << 128
/// | until << 192`.
pub(crate) fn packed(state: u8, gpus: u32, duration: u64, used: u64, until: u64) -> U256 {
    U256::from(state)
        | (U256::from(gpus) << 32)
        | (U256::from(duration) << 64)
        | (U256::from(used) << 128)
        | (U256::from(until) << 192)
}

/// Asserts job `job`'s nine storage slots: the packed one, then one per wide field.
pub(crate) fn assert_slots(env: &Env, job: U256) {
    let w = env.escrow.job_words(job);
    let slots = env.escrow.job_slots(job);
    assert_eq!(
        slots[0],
        packed(
            w[F_STATE].to(),
            w[F_GPU_COUNT].to(),
            w[F_MAX_DURATION].to(),
            w[F_USED_SECONDS].to(),
            w[F_UNTIL].to()
        )
    );
    assert_eq!(
        slots[1..],
        [
            w[F_REQUESTER],
            w[F_PROVIDER],
            w[F_SPEC_HASH],
            w[F_RESULT_HASH],
            w[F_PRICE],
            w[F_MAX_COST],
            w[F_COST],
            w[F_BOND],
        ]
    );
}

pub(crate) fn word(a: Address) -> U256 {
    U256::from_be_bytes(a.into_word().0)
}

/// `deploy` + job 1 (the standard job, any provider) created by `REQUESTER` at `T0`.
pub(crate) fn open() -> Env {
    let mut env = deploy();
    env.escrow
        .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
        .unwrap();
    env.clear();
    env
}

/// `open` + accepted by `PROVIDER` at `T0 + 100`.
pub(crate) fn running() -> Env {
    let mut env = open();
    env.warp(T0 + 100);
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.clear();
    env
}

/// `running` + result (`USED` seconds) submitted at `T0 + 6_000`; the caller is `REQUESTER`.
pub(crate) fn submitted() -> Env {
    let mut env = running();
    env.warp(T0 + 6_000);
    env.escrow.submit_result(id(1), RESULT, USED).unwrap();
    env.at(REQUESTER);
    env.clear();
    env
}

/// `submitted` + disputed at `T0 + 7_000` (bond = minDisputeBond = 100 CT).
pub(crate) fn disputed() -> Env {
    let mut env = submitted();
    env.warp(T0 + 7_000);
    env.escrow.dispute_result(id(1), EVIDENCE).unwrap();
    env.clear();
    env
}

/// The result deadline of the standard job accepted at `T0 + 100`.
pub(crate) const RESULT_DEADLINE: u64 = T0 + 100 + DURATION + 3_600;
/// The challenge end of the standard job submitted at `T0 + 6_000`.
pub(crate) const CHALLENGE_END: u64 = T0 + 6_000 + 86_400;
/// The arbitration end of the standard job disputed at `T0 + 7_000`.
pub(crate) const ARBITRATION_END: u64 = T0 + 7_000 + 604_800;

pub(crate) fn call_to(to: Address, data: Vec<u8>, is_static: bool) -> Call {
    Call {
        to,
        from: ESCROW,
        value: U256::ZERO,
        is_static,
        data,
    }
}
pub(crate) fn tok(data: Vec<u8>) -> Call {
    call_to(TOKEN, data, false)
}
pub(crate) fn balance_of_escrow() -> Call {
    call_to(TOKEN, balanceOfCall { account: ESCROW }.abi_encode(), true)
}
pub(crate) fn lock_credits(account: Address, amount: U256) -> Call {
    call_to(
        CONTROLLER,
        lockCreditsCall { account, amount }.abi_encode(),
        false,
    )
}
pub(crate) fn unlock_credits(account: Address, amount: U256) -> Call {
    call_to(
        CONTROLLER,
        unlockCreditsCall { account, amount }.abi_encode(),
        false,
    )
}
pub(crate) fn settle_call(payer: Address, provider: Address, credits: U256, refund: U256) -> Call {
    call_to(
        CONTROLLER,
        settleCall {
            payer,
            provider,
            credits,
            refund,
        }
        .abi_encode(),
        false,
    )
}
pub(crate) fn quote(credits: U256) -> Call {
    call_to(CONTROLLER, quoteTokensCall { credits }.abi_encode(), true)
}
pub(crate) fn lock_stake(provider: Address, job: u64, amount: U256, gpus: u32) -> Call {
    call_to(
        REGISTRY,
        lockStakeCall {
            provider,
            jobId: id(job),
            amount,
            gpuCount: gpus,
        }
        .abi_encode(),
        false,
    )
}
pub(crate) fn release_stake(provider: Address, job: u64) -> Call {
    call_to(
        REGISTRY,
        releaseStakeCall {
            provider,
            jobId: id(job),
        }
        .abi_encode(),
        false,
    )
}
pub(crate) fn slash_job(provider: Address, job: u64, bps: u64, beneficiary: Address) -> Call {
    call_to(
        REGISTRY,
        slashJobCall {
            provider,
            jobId: id(job),
            slashBps: U256::from(bps),
            beneficiary,
        }
        .abi_encode(),
        false,
    )
}
pub(crate) fn jail(provider: Address, until: u64) -> Call {
    call_to(REGISTRY, jailCall { provider, until }.abi_encode(), false)
}
/// `balanceOf`, the token call, `balanceOf`: one checked bond movement.
pub(crate) fn bond_move(data: Vec<u8>) -> Vec<Call> {
    vec![balance_of_escrow(), tok(data), balance_of_escrow()]
}

pub(crate) fn invalid_state(job: u64, state: u8) -> Error {
    Error::InvalidState(JobEscrowInvalidState {
        jobId: id(job),
        state,
    })
}
pub(crate) fn not_requester(job: u64, caller: Address) -> Error {
    Error::NotRequester(JobEscrowNotRequester {
        jobId: id(job),
        caller,
    })
}
pub(crate) fn not_provider(job: u64, caller: Address) -> Error {
    Error::NotProvider(JobEscrowNotProvider {
        jobId: id(job),
        caller,
    })
}
pub(crate) fn early(job: u64, at: u64) -> Error {
    Error::TooEarly(JobEscrowTooEarly {
        jobId: id(job),
        availableAt: at,
    })
}
pub(crate) fn late(job: u64, at: u64) -> Error {
    Error::TooLate(JobEscrowTooLate {
        jobId: id(job),
        deadline: at,
    })
}
pub(crate) fn failed(target: Address, data: Vec<u8>) -> Error {
    call_failed(target, data).into()
}
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
pub(crate) fn overflow() -> Error {
    Error::Common(CommonError::ArithmeticOverflow(ArithmeticOverflow {}))
}
pub(crate) fn pause(env: &mut Env) {
    let sender = env.vm().msg_sender();
    env.at(PAUSER);
    env.escrow.pause().unwrap();
    env.at(sender);
    env.clear();
}
pub(crate) fn set_param(env: &mut Env, name: B256, value: U256) {
    let sender = env.vm().msg_sender();
    env.at(PARAMS);
    env.escrow.set_parameter(name, value).unwrap();
    env.at(sender);
    env.clear();
}
/// The controller's revert data while its price is stale.
pub(crate) fn stale(env: &Env) -> Vec<u8> {
    env.controller.borrow().price_error().expect("stale")
}

// ---------------------------------------------------------------------------------------------
// Constructor
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
    assert!(!escrow.has_role(DEFAULT_ADMIN_ROLE, DEPLOYER));
    assert_eq!(
        logs_of::<RoleGranted>(&vm),
        vec![RoleGranted {
            role: DEFAULT_ADMIN_ROLE,
            account: ADMIN,
            sender: DEPLOYER
        }]
    );
    assert_eq!(vm.get_emitted_logs().len(), 1);
    // The crate docs' table.
    let e18 = |n: u128| n * 1_000_000_000_000_000_000;
    let table: [(&str, u128, u128, u128); 11] = [
        ("acceptWindow", 1_800, 300, 86_400),
        ("submitGrace", 3_600, 300, 86_400),
        ("challengeWindow", 86_400, 3_600, 604_800),
        ("arbitrationWindow", 604_800, 86_400, 2_592_000),
        ("minChargeSeconds", 3_600, 0, 86_400),
        ("collateralBps", 20_000, 10_000, 100_000),
        ("disputeBondBps", 500, 0, 10_000),
        ("minDisputeBond", e18(100), e18(1), e18(100_000)),
        ("fraudSlashBps", 1_000, 0, 2_000),
        ("fraudJailSeconds", 2_592_000, 86_400, 31_536_000),
        ("abandonSlashBps", 250, 0, 2_000),
    ];
    for ((name, default, min, max), p) in table.iter().zip(PARAMETERS) {
        assert_eq!(p, common::params::Param::new(name, *default, *min, *max));
        assert_eq!(escrow.parameter(p.name), Ok(p.default), "{name}");
    }
    for (constant, name) in [
        (ACCEPT_WINDOW, "acceptWindow"),
        (SUBMIT_GRACE, "submitGrace"),
        (CHALLENGE_WINDOW, "challengeWindow"),
        (ARBITRATION_WINDOW, "arbitrationWindow"),
        (MIN_CHARGE_SECONDS, "minChargeSeconds"),
        (COLLATERAL_BPS, "collateralBps"),
        (DISPUTE_BOND_BPS, "disputeBondBps"),
        (MIN_DISPUTE_BOND, "minDisputeBond"),
        (FRAUD_SLASH_BPS, "fraudSlashBps"),
        (FRAUD_JAIL_SECONDS, "fraudJailSeconds"),
        (ABANDON_SLASH_BPS, "abandonSlashBps"),
    ] {
        assert_eq!(constant, common::params::name(name));
    }
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
        Error::Common(common::errors::invalid_admin(Address::ZERO)),
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
    assert_eq!(env.calls(), vec![lock_credits(REQUESTER, MAX_COST)]);
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
        env.job(id(1)),
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
            T0 + 1_800
        ))
    );
    assert_eq!(
        env.escrow.job_slots(id(1))[0],
        packed(OPEN, GPUS, DURATION, 0, T0 + 1_800)
    );
    assert_slots(&env, id(1));
    assert_eq!(env.escrow.job_count(), id(1));
    let c = env.controller.borrow();
    assert_eq!(c.locked_of(REQUESTER), MAX_COST);
    assert_eq!(c.free_of(REQUESTER), CREDITS - MAX_COST);
    drop(c);
    // Ids increase; an unknown id reads as zeros.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    assert_eq!(env.escrow.job_count(), id(2));
    assert_eq!(env.job(id(3)), [U256::ZERO; JOB_FIELDS]);
    assert_eq!(env.escrow.job_slots(id(3)), [U256::ZERO; JOB_SLOTS]);
}

#[test]
fn create_job_rounds_max_cost_up_and_takes_the_largest_job() {
    let mut env = deploy();
    // 1 credit unit per GPU-hour for 1 GPU-second: 1/3600 rounds up to 1.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    assert_eq!(env.job(id(1))[F_MAX_COST], U256::from(1));
    // The bounds themselves: 3 × 1024 × 2_592_000 / 3600 = 2_211_840 exactly.
    env.escrow
        .create_job(
            Address::ZERO,
            SPEC,
            MAX_GPU_COUNT,
            MAX_JOB_DURATION,
            U256::from(3),
        )
        .unwrap();
    assert_eq!(env.job(id(2))[F_MAX_COST], U256::from(2_211_840u64));
    assert_slots(&env, id(2));
    // 7 × 1 × 1000 / 3600 = 1.94… → 2.
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1_000, U256::from(7))
        .unwrap();
    assert_eq!(env.job(id(3))[F_MAX_COST], U256::from(2));
}

#[test]
fn create_job_checks() {
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
    for (gpus, duration, price, expected) in [
        (0, DURATION, PRICE, bad_gpu(0)),
        (1025, DURATION, PRICE, bad_gpu(1025)),
        (u32::MAX, DURATION, PRICE, bad_gpu(u32::MAX)),
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
            Error::InvalidPrice(JobEscrowInvalidPrice {
                price: U256::ZERO,
                maxPrice: U256::ZERO,
            }),
        ),
        // price × gpuCount × maxDuration ≥ 2^256 (8 × 7_200 = 57_600 GPU-seconds).
        (GPUS, DURATION, U256::MAX, overflow()),
        (
            GPUS,
            DURATION,
            U256::MAX / U256::from(57_600) + U256::from(1),
            overflow(),
        ),
    ] {
        env.rejects(expected, |e| {
            e.create_job(Address::ZERO, SPEC, gpus, duration, price)
        });
    }
    assert!(env.calls().is_empty());
    // The largest price that does not overflow.
    env.controller
        .borrow_mut()
        .free
        .insert(REQUESTER, U256::MAX);
    let price = U256::MAX / U256::from(57_600);
    env.escrow
        .create_job(Address::ZERO, SPEC, GPUS, DURATION, price)
        .unwrap();
    assert_eq!(
        env.job(id(1))[F_MAX_COST],
        (price * U256::from(57_600)).div_ceil(U256::from(3_600))
    );
    pause(&mut env);
    env.rejects(enforced_pause(), |e| {
        e.create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
    });
}

/// `lockCredits` fails after the escrow wrote the job: the chain reverts everything.
#[test]
fn create_job_fails_without_credits() {
    let mut env = deploy();
    env.at(OTHER);
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
        |e| e.create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE),
    );
    assert_eq!(env.calls(), vec![lock_credits(OTHER, MAX_COST)]);
    assert_eq!(env.escrow.job_count(), U256::ZERO);
    assert!(env.vm().get_emitted_logs().is_empty());
    // The escrow without ESCROW_ROLE in the controller.
    env.at(REQUESTER);
    env.controller.borrow_mut().escrows.clear();
    env.fails(
        failed(
            CONTROLLER,
            AccessControlUnauthorizedAccount {
                account: ESCROW,
                neededRole: common::roles::ESCROW_ROLE,
            }
            .abi_encode(),
        ),
        |e| e.create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE),
    );
}

// ---------------------------------------------------------------------------------------------
// cancelJob
// ---------------------------------------------------------------------------------------------

#[test]
fn requester_cancels_any_time_before_acceptance() {
    let mut env = open();
    env.warp(T0 + 1_799);
    pause(&mut env); // cancelling is an exit: allowed while paused
    env.escrow.cancel_job(id(1)).unwrap();
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
    // Only the state changes.
    let expected = words((
        CANCELLED,
        REQUESTER,
        Address::ZERO,
        SPEC,
        B256::ZERO,
        GPUS,
        DURATION,
        PRICE,
        MAX_COST,
        U256::ZERO,
        0,
        U256::ZERO,
        T0 + 1_800,
    ));
    assert_eq!(env.job(id(1)), expected);
    assert_slots(&env, id(1));
    let c = env.controller.borrow();
    assert_eq!(c.locked_of(REQUESTER), U256::ZERO);
    assert_eq!(c.free_of(REQUESTER), CREDITS);
    drop(c);
    // Terminal: nothing more.
    for caller in [REQUESTER, PROVIDER, OTHER] {
        env.at(caller);
        env.rejects(invalid_state(1, CANCELLED), |e| e.cancel_job(id(1)));
    }
    env.at(PAUSER);
    env.escrow.unpause().unwrap();
    env.at(PROVIDER);
    env.rejects(invalid_state(1, CANCELLED), |e| e.accept_job(id(1)));
    assert_eq!(env.job(id(1)), expected);
}

#[test]
fn anyone_cancels_after_the_accept_window() {
    let mut env = open();
    env.at(OTHER);
    env.warp(T0 + 1_799);
    env.rejects(early(1, T0 + 1_800), |e| e.cancel_job(id(1)));
    env.at(PROVIDER);
    env.rejects(early(1, T0 + 1_800), |e| e.cancel_job(id(1)));
    env.at(OTHER);
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
    assert_eq!(env.controller.borrow().free_of(REQUESTER), CREDITS);
}

#[test]
fn cancel_job_state_errors() {
    let mut env = running();
    env.at(REQUESTER);
    env.rejects(invalid_state(1, RUNNING), |e| e.cancel_job(id(1)));
    env.rejects(invalid_state(9, NONE), |e| e.cancel_job(id(9)));
    env.rejects(invalid_state(0, NONE), |e| e.cancel_job(U256::ZERO));
}

// ---------------------------------------------------------------------------------------------
// acceptJob
// ---------------------------------------------------------------------------------------------

#[test]
fn accept_job_locks_collateral_in_the_registry() {
    let mut env = open();
    env.warp(T0 + 100);
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    // ⌈32 USD × 20_000 / 10_000⌉ = 64 USD of CT.
    assert_eq!(
        env.calls(),
        vec![
            quote(MAX_COST * U256::from(2)),
            lock_stake(PROVIDER, 1, STAKE, GPUS),
        ]
    );
    assert_eq!(
        logs_of::<JobAccepted>(env.vm()),
        vec![JobAccepted {
            jobId: id(1),
            provider: PROVIDER,
            pricePerGpuHour: PRICE,
            maxCost: MAX_COST,
            refunded: U256::ZERO,
            stakeLocked: STAKE,
            deadline: RESULT_DEADLINE,
        }]
    );
    assert_eq!(env.vm().get_emitted_logs().len(), 1);
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
            PRICE,
            MAX_COST,
            U256::ZERO,
            0,
            U256::ZERO,
            RESULT_DEADLINE
        ))
    );
    assert_eq!(
        env.escrow.job_slots(id(1))[0],
        packed(RUNNING, GPUS, DURATION, 0, RESULT_DEADLINE)
    );
    assert_slots(&env, id(1));
    // The registry keeps the lock, with the penalty base fixed now: 1M active + 100k unbonding.
    let reg = env.registry.borrow();
    assert_eq!(reg.locks[&(PROVIDER, id(1))], (STAKE, ct(1_100_000)));
    let p = reg.provider(PROVIDER);
    assert_eq!((p.locked, p.open_jobs), (STAKE, 1));
    drop(reg);
    // Credits are not touched.
    assert_eq!(env.controller.borrow().locked_of(REQUESTER), MAX_COST);
}

#[test]
fn collateral_rounds_up() {
    let mut env = deploy();
    // maxCost 1 credit unit; collateralBps 15_000: ⌈1.5⌉ = 2 credit units = 4e12 wei.
    set_param(&mut env, COLLATERAL_BPS, U256::from(15_000));
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    env.at(PROVIDER);
    env.clear();
    env.escrow.accept_job(id(1)).unwrap();
    let stake = U256::from(4_000_000_000_000u64);
    assert_eq!(
        env.calls(),
        vec![quote(U256::from(2)), lock_stake(PROVIDER, 1, stake, 1)]
    );
    assert_eq!(logs_of::<JobAccepted>(env.vm())[0].stakeLocked, stake);
    // The quote rounds up too: at 0.3 USD per CT, 2 credit units = ⌈6.66…e12⌉ wei.
    env.controller.borrow_mut().price = uint!(300_000_000_000_000_000_U256);
    env.at(REQUESTER);
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 1, U256::from(1))
        .unwrap();
    env.at(PROVIDER);
    env.clear();
    env.escrow.accept_job(id(2)).unwrap();
    assert_eq!(
        logs_of::<JobAccepted>(env.vm())[0].stakeLocked,
        U256::from(6_666_666_666_667u64)
    );
}

#[test]
fn accept_job_named_provider_only() {
    let mut env = deploy();
    env.escrow
        .create_job(PROVIDER2, SPEC, GPUS, DURATION, PRICE)
        .unwrap();
    env.clear();
    for caller in [PROVIDER, OTHER, MARKET] {
        env.at(caller);
        env.rejects(not_provider(1, caller), |e| e.accept_job(id(1)));
    }
    env.at(PROVIDER2);
    env.escrow.accept_job(id(1)).unwrap();
    assert_eq!(env.job(id(1))[F_PROVIDER], word(PROVIDER2));
}

#[test]
fn accept_job_checks() {
    let mut env = open();
    // The requester cannot take its own job, even if it is an eligible provider.
    env.registry
        .borrow_mut()
        .register(REQUESTER, 16, ct(1_000_000));
    env.rejects(not_provider(1, REQUESTER), |e| e.accept_job(id(1)));
    env.at(PROVIDER);
    env.rejects(invalid_state(2, NONE), |e| e.accept_job(id(2)));
    // The accept window is [createdAt, createdAt + acceptWindow).
    env.warp(T0 + 1_800);
    env.rejects(late(1, T0 + 1_800), |e| e.accept_job(id(1)));
    env.warp(T0 + 1_799);
    // A stale price: quoteTokens reverts before any effect.
    env.controller.borrow_mut().set_stale();
    let reason = stale(&env);
    env.rejects(failed(CONTROLLER, reason), |e| e.accept_job(id(1)));
    env.controller.borrow_mut().set_fresh();
    // A malformed quote (two words).
    let two_words = [[0u8; 32], [1u8; 32]].concat();
    env.controller.borrow_mut().quote_return = Some(two_words.clone());
    env.rejects(failed(CONTROLLER, two_words), |e| e.accept_job(id(1)));
    env.controller.borrow_mut().quote_return = None;
    // Paused.
    pause(&mut env);
    env.rejects(enforced_pause(), |e| e.accept_job(id(1)));
    // Every check passed once unpaused.
    env.at(PAUSER);
    env.escrow.unpause().unwrap();
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.rejects(invalid_state(1, RUNNING), |e| e.accept_job(id(1)));
}

/// A maxCost whose collateral overflows: the escrow reverts before asking for a quote.
#[test]
fn accept_job_collateral_overflow() {
    let mut env = deploy();
    // maxCost = price (1 GPU-hour); price × 20_000 ≥ 2^256.
    let price = U256::MAX / U256::from(10_000);
    env.controller
        .borrow_mut()
        .free
        .insert(REQUESTER, U256::MAX);
    env.escrow
        .create_job(Address::ZERO, SPEC, 1, 3_600, price)
        .unwrap();
    env.at(PROVIDER);
    env.clear();
    env.rejects(overflow(), |e| e.accept_job(id(1)));
    assert!(env.calls().is_empty());
}

/// A change of the registry's state that makes it refuse something.
type Breaks = fn(&mut Registry);

/// The registry's refusals (contracts/provider-registry/src/lib.rs, `lockStake`) reach the caller
/// as `CallFailed(registry, reason)`; the chain undoes the acceptance.
#[test]
fn accept_job_registry_refusals() {
    let cases: [(&str, Breaks, Vec<u8>); 7] = [
        (
            "unregistered",
            |r| r.providers.get_mut(&PROVIDER).unwrap().registered = false,
            RegistryNotEligible { provider: PROVIDER }.abi_encode(),
        ),
        (
            "jailed",
            |r| r.providers.get_mut(&PROVIDER).unwrap().jailed_until = T0 + 101,
            RegistryNotEligible { provider: PROVIDER }.abi_encode(),
        ),
        (
            "below the required stake (5_000 + 16 × 200 CT)",
            |r| r.providers.get_mut(&PROVIDER).unwrap().active = ct(8_200) - U256::from(1),
            RegistryNotEligible { provider: PROVIDER }.abi_encode(),
        ),
        (
            "too few GPUs",
            |r| {
                let p = r.providers.get_mut(&PROVIDER).unwrap();
                p.gpu_count = GPUS - 1;
            },
            RegistryInsufficientGpus {
                provider: PROVIDER,
                needed: GPUS,
                registered: GPUS - 1,
            }
            .abi_encode(),
        ),
        (
            "maxOpenJobs reached",
            |r| {
                r.max_open_jobs = 2;
                r.providers.get_mut(&PROVIDER).unwrap().open_jobs = 2;
            },
            RegistryTooManyOpenJobs {
                provider: PROVIDER,
                maxOpenJobs: U256::from(2),
            }
            .abi_encode(),
        ),
        (
            "free stake below the collateral",
            |r| {
                let p = r.providers.get_mut(&PROVIDER).unwrap();
                p.locked = ct(1_000_000) - STAKE + U256::from(1);
            },
            RegistryInsufficientFreeStake {
                provider: PROVIDER,
                free: STAKE - U256::from(1),
                needed: STAKE,
            }
            .abi_encode(),
        ),
        (
            "the escrow lacks JOB_MANAGER_ROLE",
            |r| r.job_managers.clear(),
            AccessControlUnauthorizedAccount {
                account: ESCROW,
                neededRole: common::roles::JOB_MANAGER_ROLE,
            }
            .abi_encode(),
        ),
    ];
    for (what, break_it, reason) in cases {
        let mut env = open();
        env.warp(T0 + 100);
        env.at(PROVIDER);
        break_it(&mut env.registry.borrow_mut());
        let before = env.job(id(1));
        env.fails(failed(REGISTRY, reason), |e| e.accept_job(id(1)));
        assert_eq!(
            env.calls(),
            vec![
                quote(MAX_COST * U256::from(2)),
                lock_stake(PROVIDER, 1, STAKE, GPUS)
            ],
            "{what}"
        );
        assert_eq!(env.job(id(1)), before, "{what}");
        assert!(env.registry.borrow().locks.is_empty(), "{what}");
        // Another provider takes the job (the escrow's role given back).
        env.registry.borrow_mut().job_managers.insert(ESCROW);
        env.at(PROVIDER2);
        env.escrow.accept_job(id(1)).unwrap();
        assert_eq!(env.state(id(1)), RUNNING);
    }
}

/// The registry counts open jobs per provider (`maxOpenJobs`); ending a job frees a place.
#[test]
fn open_jobs_are_capped_by_the_registry() {
    let mut env = deploy();
    env.registry.borrow_mut().max_open_jobs = 2;
    for _ in 0..3 {
        env.escrow
            .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
            .unwrap();
    }
    env.at(PROVIDER);
    env.escrow.accept_job(id(1)).unwrap();
    env.escrow.accept_job(id(2)).unwrap();
    env.fails(
        failed(
            REGISTRY,
            RegistryTooManyOpenJobs {
                provider: PROVIDER,
                maxOpenJobs: U256::from(2),
            }
            .abi_encode(),
        ),
        |e| e.accept_job(id(3)),
    );
    assert_eq!(env.state(id(3)), OPEN);
    env.escrow.submit_result(id(1), RESULT, USED).unwrap();
    env.at(REQUESTER);
    env.escrow.approve_result(id(1)).unwrap();
    env.at(PROVIDER);
    env.escrow.accept_job(id(3)).unwrap();
    let p = env.registry.borrow().provider(PROVIDER);
    assert_eq!(
        (p.open_jobs, p.locked, p.completed),
        (2, STAKE * U256::from(2), 1)
    );
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

// ---------------------------------------------------------------------------------------------
// Checks-effects-interactions
// ---------------------------------------------------------------------------------------------

/// What a [`Spy`] saw at one call: the callee, selector, whether static, and job 1 and the escrow's
/// bond total as they were in storage then.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Sighting {
    to: Address,
    selector: [u8; 4],
    is_static: bool,
    job: [U256; JOB_FIELDS],
    bonds: U256,
}

type Seen = Rc<RefCell<Vec<Sighting>>>;

/// Wraps a model; records, at every call the escrow makes, job 1 as the escrow's storage holds it
/// then (the SDK flushes its storage cache before each call).
struct Spy {
    inner: Rc<RefCell<dyn Model>>,
    host: ModelHost,
    seen: Seen,
}

impl Model for Spy {
    fn call(&mut self, call: &Call) -> Result<Vec<u8>, Vec<u8>> {
        let escrow = JobEscrow::from(&self.host);
        self.seen.borrow_mut().push(Sighting {
            to: call.to,
            selector: call.data[..4].try_into().unwrap(),
            is_static: call.is_static,
            job: escrow.job_words(id(1)),
            bonds: escrow.bonds_held(),
        });
        self.inner.borrow_mut().call(call)
    }
}

fn spy_on(env: &Env) -> Seen {
    let seen = Seen::default();
    let controller: Rc<RefCell<dyn Model>> = env.controller.clone();
    let registry: Rc<RefCell<dyn Model>> = env.registry.clone();
    let token: Rc<RefCell<dyn Model>> = env.token.clone();
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

/// Runs `step` on `env` and asserts checks-effects-interactions: the calls the escrow makes are
/// first views that see job 1 as before (checks: quotes), then calls that all see job 1 and the
/// bond total exactly as they are at the end (every effect is written before the first mutating
/// call, and nothing is written after it). Returns the selectors called.
fn assert_cei(env: &mut Env, step: impl FnOnce(&mut Env)) -> Vec<[u8; 4]> {
    let seen = spy_on(env);
    let before = (env.escrow.job_words(id(1)), env.escrow.bonds_held());
    step(env);
    let after = (env.escrow.job_words(id(1)), env.escrow.bonds_held());
    assert_ne!(before.0, after.0, "the step changed job 1");
    let seen = seen.borrow();
    let split = seen
        .iter()
        .position(|s| (s.job, s.bonds) != before)
        .unwrap_or(seen.len());
    for s in &seen[..split] {
        assert!(s.is_static, "a mutating call before the effects: {s:?}");
    }
    for s in &seen[split..] {
        assert_eq!((s.job, s.bonds), after, "a call saw a partial write: {s:?}");
    }
    assert!(
        seen.iter().any(|s| !s.is_static) || seen.is_empty(),
        "no mutating call"
    );
    seen.iter().map(|s| s.selector).collect()
}

#[test]
fn every_call_sees_the_new_state() {
    // Create, accept, submit, approve.
    let mut env = deploy();
    let calls = assert_cei(&mut env, |env| {
        env.escrow
            .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
            .unwrap();
    });
    assert_eq!(calls, vec![lockCreditsCall::SELECTOR]);
    env.at(PROVIDER);
    let calls = assert_cei(&mut env, |env| env.escrow.accept_job(id(1)).unwrap());
    assert_eq!(
        calls,
        vec![quoteTokensCall::SELECTOR, lockStakeCall::SELECTOR]
    );
    assert_cei(&mut env, |env| {
        env.escrow.submit_result(id(1), RESULT, USED).unwrap()
    });
    env.at(REQUESTER);
    let calls = assert_cei(&mut env, |env| env.escrow.approve_result(id(1)).unwrap());
    assert_eq!(
        calls,
        vec![settleCall::SELECTOR, releaseStakeCall::SELECTOR]
    );

    // Cancel.
    let mut env = open();
    let calls = assert_cei(&mut env, |env| env.escrow.cancel_job(id(1)).unwrap());
    assert_eq!(calls, vec![unlockCreditsCall::SELECTOR]);

    // Timeout.
    let mut env = running();
    env.warp(RESULT_DEADLINE);
    let calls = assert_cei(&mut env, |env| env.escrow.claim_timeout(id(1)).unwrap());
    assert_eq!(
        calls,
        vec![unlockCreditsCall::SELECTOR, slashJobCall::SELECTOR]
    );

    // Dispute (quote first, then the bond pull), fraud ruling.
    let mut env = submitted();
    let calls = assert_cei(&mut env, |env| {
        env.escrow.dispute_result(id(1), EVIDENCE).unwrap()
    });
    let pull = [
        balanceOfCall::SELECTOR,
        transferFromCall::SELECTOR,
        balanceOfCall::SELECTOR,
    ];
    assert_eq!(calls, [&[quoteTokensCall::SELECTOR][..], &pull].concat());
    env.at(ARBITRATOR);
    let calls = assert_cei(&mut env, |env| {
        env.escrow.resolve_dispute(id(1), true).unwrap()
    });
    let bond_back = [
        balanceOfCall::SELECTOR,
        transferCall::SELECTOR,
        balanceOfCall::SELECTOR,
    ];
    assert_eq!(
        calls,
        [
            &[
                unlockCreditsCall::SELECTOR,
                slashJobCall::SELECTOR,
                jailCall::SELECTOR
            ][..],
            &bond_back
        ]
        .concat()
    );

    // Dispute while stale, ruling for the provider, finalize.
    let mut env = submitted();
    env.controller.borrow_mut().set_stale();
    let calls = assert_cei(&mut env, |env| {
        env.escrow.dispute_result(id(1), EVIDENCE).unwrap()
    });
    assert_eq!(calls, [&[quoteTokensCall::SELECTOR][..], &pull].concat());
    env.controller.borrow_mut().set_fresh();
    env.at(ARBITRATOR);
    let calls = assert_cei(&mut env, |env| {
        env.escrow.resolve_dispute(id(1), false).unwrap()
    });
    assert_eq!(
        calls,
        vec![
            balanceOfCall::SELECTOR,
            burnCall::SELECTOR,
            balanceOfCall::SELECTOR
        ]
    );
    env.at(OTHER);
    let calls = assert_cei(&mut env, |env| env.escrow.finalize(id(1)).unwrap());
    assert_eq!(
        calls,
        vec![settleCall::SELECTOR, releaseStakeCall::SELECTOR]
    );

    // No ruling in time: finalize from Disputed returns the bond.
    let mut env = disputed();
    env.warp(ARBITRATION_END);
    let calls = assert_cei(&mut env, |env| env.escrow.finalize(id(1)).unwrap());
    assert_eq!(
        calls,
        [
            &[settleCall::SELECTOR, releaseStakeCall::SELECTOR][..],
            &bond_back
        ]
        .concat()
    );

    // A market's job: createJobFor, then an award with a refund.
    let mut env = deploy();
    env.at(MARKET);
    let calls = assert_cei(&mut env, |env| {
        env.escrow
            .create_job_for(REQUESTER, SPEC, GPUS, DURATION, PRICE, 3_600)
            .unwrap();
    });
    assert_eq!(calls, vec![lockCreditsCall::SELECTOR]);
    let calls = assert_cei(&mut env, |env| {
        env.escrow
            .award(id(1), PROVIDER, PRICE / U256::from(2))
            .unwrap()
    });
    assert_eq!(
        calls,
        vec![
            quoteTokensCall::SELECTOR,
            unlockCreditsCall::SELECTOR,
            lockStakeCall::SELECTOR
        ]
    );
}
