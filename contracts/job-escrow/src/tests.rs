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
//! This file: fixtures and the constructor. Submodules: `opening` (`createJob`, `cancelJob`,
//! `acceptJob`), `completion` (`submitResult`, `approveResult`/`finalize`), `market`
//! (`createJobFor`, `award`), `disputes` (disputes, rulings, timeouts), `admin` (parameters,
//! pause, roles), `cei` (checks-effects-interactions), `encoding` (errors and calldata against
//! alloy), `models`, `proptests`.

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
use completion::{assert_completed, completion_calls};
use models::*;

mod admin;
mod cei;
mod completion;
mod disputes;
mod encoding;
mod market;
mod models;
mod opening;
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
