//! Unit tests on a [`ModelHost`]: the SDK's `TestVM` plus an in-memory model of the compute token
//! (balances, supply, cap enforced like the real token), so every call the contract makes gets its own
//! answer and is recorded.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use alloy_primitives::{address, keccak256, Address};
use alloy_sol_types::{sol, SolCall, SolError, SolEvent, SolValue};
use common::access::{AccessControlUnauthorizedAccount, RoleGranted};
use stylus_sdk::testing::TestVM;
use testing::{logs_of, Call as ModelCall, Model, ModelHost};

use super::*;
use crate::calls::{capCall, mintCall, totalSupplyCall};

mod proptests;

pub(crate) const TOKEN: Address = address!("00000000000000000000000000000000000c7c7c");
pub(crate) const TREASURY: Address = address!("0000000000000000000000000000000000007eaf");
pub(crate) const ADMIN: Address = address!("000000000000000000000000000000000000a11c");
pub(crate) const SETTLER: Address = address!("00000000000000000000000000000000000c0111");
pub(crate) const PROVIDER: Address = address!("0000000000000000000000000000000000000a0a");
pub(crate) const PROVIDER2: Address = address!("0000000000000000000000000000000000000a0b");
pub(crate) const STRANGER: Address = address!("0000000000000000000000000000000000000b0b");
pub(crate) const EMISSIONS: Address = address!("00000000000000000000000000000000000e1551");
pub(crate) const T0: u64 = 1_700_000_000;
pub(crate) const DAY: u64 = 86_400;

sol! {
    error ERC20ExceededCap(uint256 increasedSupply, uint256 cap);
}

pub(crate) fn ct(n: u64) -> U256 {
    U256::from(n) * WAD
}

/// The compute token: balances, supply and the cap; `mint` only by the Emissions contract and never
/// past the cap (`ERC20ExceededCap`, as the real token).
pub(crate) struct TokenModel {
    pub balances: HashMap<Address, U256>,
    pub supply: U256,
    pub cap: U256,
    /// Answer `cap()` with this many bytes instead of one word (malformed return data).
    pub bad_cap: Option<usize>,
}

impl TokenModel {
    /// A token with `supply` out of `cap` (the genesis holders are not modelled).
    pub fn new(supply: U256, cap: U256) -> Self {
        Self {
            balances: HashMap::new(),
            supply,
            cap,
            bad_cap: None,
        }
    }

    pub fn balance(&self, a: Address) -> U256 {
        self.balances.get(&a).copied().unwrap_or_default()
    }
}

impl Model for TokenModel {
    fn call(&mut self, c: &ModelCall) -> Result<Vec<u8>, Vec<u8>> {
        let sel: [u8; 4] = c.data[..4].try_into().unwrap();
        if sel == capCall::SELECTOR {
            match self.bad_cap {
                Some(len) => Ok(vec![0; len]),
                None => Ok(self.cap.abi_encode()),
            }
        } else if sel == totalSupplyCall::SELECTOR {
            Ok(self.supply.abi_encode())
        } else if sel == mintCall::SELECTOR {
            assert!(!c.is_static, "mint is a mutating call");
            let m = mintCall::abi_decode(&c.data).unwrap();
            assert_eq!(c.from, EMISSIONS, "only the Emissions contract mints");
            assert!(!m.amount.is_zero(), "zero mints are skipped");
            if self.supply + m.amount > self.cap {
                return Err(ERC20ExceededCap {
                    increasedSupply: self.supply + m.amount,
                    cap: self.cap,
                }
                .abi_encode());
            }
            self.supply += m.amount;
            *self.balances.entry(m.to).or_default() += m.amount;
            Ok(vec![])
        } else {
            Err(b"unknown selector".to_vec())
        }
    }
}

pub(crate) struct Fixture {
    pub host: ModelHost,
    pub em: Emissions,
    pub token: Rc<RefCell<TokenModel>>,
}

impl Fixture {
    pub fn vm(&self) -> &TestVM {
        &self.host.vm
    }

    pub fn at(&self, t: u64) {
        self.vm().set_block_timestamp(t);
    }

    pub fn as_settler<T>(&mut self, f: impl FnOnce(&mut Emissions) -> T) -> T {
        self.vm().set_sender(SETTLER);
        f(&mut self.em)
    }

    pub fn record(&mut self, provider: Address, credits: u64) {
        self.as_settler(|e| e.record_work(provider, U256::from(credits)))
            .unwrap();
    }

    /// The `mint` calls made so far, as `(to, amount)`.
    pub fn mints(&self) -> Vec<(Address, U256)> {
        self.host
            .calls()
            .iter()
            .filter(|c| c.data[..4] == mintCall::SELECTOR)
            .map(|c| {
                let m = mintCall::abi_decode(&c.data).unwrap();
                (m.to, m.amount)
            })
            .collect()
    }
}

/// An Emissions contract over a token with `supply` of `cap`, epochs of `epoch_length` seconds from
/// T0; SETTLER holds SETTLER_ROLE, ADMIN every admin role. Logs and calls cleared.
pub(crate) fn fixture_with(supply: U256, cap: U256, epoch_length: u64) -> Fixture {
    let vm = TestVM::new();
    vm.set_contract_address(EMISSIONS);
    vm.set_block_timestamp(T0);
    let host = ModelHost::new(vm);
    let token = host.install(TOKEN, TokenModel::new(supply, cap));
    let mut em = Emissions::from(&host);
    host.vm.set_sender(ADMIN);
    em.constructor(TOKEN, TREASURY, ADMIN, epoch_length)
        .unwrap();
    em.grant_role(SETTLER_ROLE, SETTLER).unwrap();
    em.grant_role(PARAMETER_ADMIN_ROLE, ADMIN).unwrap();
    host.vm.clear_mocks();
    host.clear_calls();
    Fixture { host, em, token }
}

/// 650M CT of a 1e9 CT cap minted: a 350M CT reserve, daily epochs.
pub(crate) fn fixture() -> Fixture {
    fixture_with(ct(650_000_000), ct(1_000_000_000), DAY)
}

/// Runs `f`, which must fail with `expected`, and proves it wrote no storage, logged nothing and
/// sent no mutating call.
fn assert_reverts<T: core::fmt::Debug>(
    fx: &mut Fixture,
    expected: Error,
    f: impl FnOnce(&mut Emissions) -> Result<T, Error>,
) {
    let calls_before = fx.host.calls().iter().filter(|c| !c.is_static).count();
    let vm = fx.host.vm.clone();
    testing::assert_reverts(&vm, expected, || f(&mut fx.em));
    assert_eq!(
        fx.host.calls().iter().filter(|c| !c.is_static).count(),
        calls_before,
        "a failed call sent a mutating call"
    );
}

/// Asserts that exactly one log was emitted after the first `before` and that it is `expected`.
fn only_new_log<E: SolEvent + core::fmt::Debug + PartialEq>(
    vm: &TestVM,
    before: usize,
    expected: E,
) {
    let logs = vm.get_emitted_logs();
    assert_eq!(logs.len(), before + 1, "exactly one new log");
    let (topics, data) = &logs[before];
    assert_eq!(E::decode_raw_log(topics, data).unwrap(), expected);
}

fn unauthorized(account: Address, role: B256) -> Error {
    Error::UnauthorizedAccount(AccessControlUnauthorizedAccount {
        account,
        neededRole: role,
    })
}

fn default_emission(reserve: U256) -> U256 {
    emission(reserve, DEFAULT_EMISSION_RATE_WAD).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Constructor
// ---------------------------------------------------------------------------------------------

#[test]
fn constructor_reads_the_reserve_and_sets_defaults() {
    let fx = fixture();
    assert_eq!(
        fx.em.supply_stats(),
        (ct(350_000_000), ct(350_000_000), U256::ZERO, U256::ZERO)
    );
    assert_eq!(fx.em.emission_reserve(), ct(350_000_000));
    assert_eq!(fx.em.token(), TOKEN);
    assert_eq!(fx.em.treasury(), TREASURY);
    assert_eq!(fx.em.genesis_time(), U256::from(T0));
    assert_eq!(fx.em.epoch_length(), U256::from(DAY));
    assert_eq!(fx.em.current_epoch(), U256::ZERO);
    assert_eq!(fx.em.next_epoch_to_finalize(), U256::ZERO);
    assert_eq!(fx.em.parameter(TREASURY_EMISSION_BPS), U256::from(1_000));
    assert_eq!(
        fx.em.parameter(EMISSION_RATE_WAD),
        DEFAULT_EMISSION_RATE_WAD
    );
    assert_eq!(fx.em.parameter(EPOCH_LENGTH), U256::ZERO, "not a parameter");
    assert!(fx.em.has_role(DEFAULT_ADMIN_ROLE, ADMIN));
    assert_eq!(fx.em.settler_role(), keccak256("SETTLER_ROLE"));
}

#[test]
fn constructor_emits_configuration_events() {
    let vm = TestVM::new();
    vm.set_contract_address(EMISSIONS);
    vm.set_block_timestamp(T0);
    let host = ModelHost::new(vm);
    host.install(TOKEN, TokenModel::new(ct(990), ct(1_000)));
    let mut em = Emissions::from(&host);
    host.vm.set_sender(SETTLER); // a deployer contract, say
    em.constructor(TOKEN, TREASURY, ADMIN, 3_600).unwrap();
    assert_eq!(
        logs_of::<RoleGranted>(&host.vm),
        vec![RoleGranted {
            role: DEFAULT_ADMIN_ROLE,
            account: ADMIN,
            sender: SETTLER
        }]
    );
    assert_eq!(
        logs_of::<TreasuryUpdated>(&host.vm),
        vec![TreasuryUpdated { treasury: TREASURY }]
    );
    assert_eq!(host.vm.get_emitted_logs().len(), 2);
    assert_eq!(em.emission_reserve(), ct(10));
    assert!(host.calls().iter().all(|c| c.is_static), "only reads");
}

fn try_construct(
    token: Address,
    treasury: Address,
    admin: Address,
    epoch: u64,
    model: TokenModel,
) -> Result<Emissions, Error> {
    let vm = TestVM::new();
    let host = ModelHost::new(vm.clone());
    host.install(TOKEN, model);
    let mut em = Emissions::from(&host);
    let before = vm.snapshot().storage;
    let result = em.constructor(token, treasury, admin, epoch);
    if result.is_err() {
        assert_eq!(vm.snapshot().storage, before, "failed constructor wrote");
        assert!(vm.get_emitted_logs().is_empty());
    }
    result.map(|()| em)
}

#[test]
fn constructor_rejects_bad_arguments() {
    let zero = Address::ZERO;
    let model = || TokenModel::new(U256::ZERO, ct(10));
    assert_eq!(
        try_construct(TOKEN, TREASURY, zero, DAY, model())
            .err()
            .expect("constructor fails"),
        Error::InvalidDefaultAdmin(AccessControlInvalidDefaultAdmin { defaultAdmin: zero })
    );
    for (t, tr) in [(zero, TREASURY), (TOKEN, zero)] {
        assert_eq!(
            try_construct(t, tr, ADMIN, DAY, model())
                .err()
                .expect("constructor fails"),
            zero_address()
        );
    }
    for epoch in [0, 3_599, 30 * DAY + 1, u64::MAX] {
        assert_eq!(
            try_construct(TOKEN, TREASURY, ADMIN, epoch, model())
                .err()
                .expect("constructor fails"),
            out_of_bounds(
                EPOCH_LENGTH,
                U256::from(epoch),
                U256::from(3_600),
                U256::from(2_592_000)
            )
        );
    }
    for epoch in [3_600, 30 * DAY] {
        let em = try_construct(TOKEN, TREASURY, ADMIN, epoch, model()).unwrap();
        assert_eq!(em.epoch_length(), U256::from(epoch));
    }
}

#[test]
fn constructor_reports_token_failures_and_saturates_the_reserve() {
    // Not a token: the call reverts with the model's reason.
    let vm = TestVM::new();
    let host = ModelHost::new(vm);
    let mut em = Emissions::from(&host);
    host.install(TREASURY, TokenModel::new(U256::ZERO, ct(10)));
    // TOKEN has no model and no mock: the TestVM call fails with empty revert data.
    assert!(matches!(
        em.constructor(TOKEN, TREASURY, ADMIN, DAY),
        Err(Error::TokenCallFailed(_))
    ));
    // Malformed `cap()` return data.
    for len in [0, 31, 64] {
        let mut model = TokenModel::new(U256::ZERO, ct(10));
        model.bad_cap = Some(len);
        assert_eq!(
            try_construct(TOKEN, TREASURY, ADMIN, DAY, model)
                .err()
                .expect("constructor fails"),
            token_failed(vec![0; len])
        );
    }
    // A supply above the cap leaves an empty reserve instead of wrapping.
    let em = try_construct(TOKEN, TREASURY, ADMIN, DAY, TokenModel::new(ct(11), ct(10))).unwrap();
    assert_eq!(
        em.supply_stats(),
        (U256::ZERO, U256::ZERO, U256::ZERO, U256::ZERO)
    );
}

// ---------------------------------------------------------------------------------------------
// recordWork / drawReserve
// ---------------------------------------------------------------------------------------------

#[test]
fn record_work_adds_to_the_current_epoch() {
    let mut fx = fixture();
    fx.record(PROVIDER, 300);
    fx.record(PROVIDER, 200);
    fx.record(PROVIDER2, 100);
    fx.at(T0 + DAY + 5); // epoch 1
    fx.record(PROVIDER2, 7);
    assert_eq!(fx.em.provider_work(U256::ZERO, PROVIDER), U256::from(500));
    assert_eq!(fx.em.provider_work(U256::ZERO, PROVIDER2), U256::from(100));
    assert_eq!(fx.em.provider_work(U256::from(1), PROVIDER2), U256::from(7));
    assert_eq!(fx.em.provider_work(U256::MAX, PROVIDER2), U256::ZERO);
    assert_eq!(fx.em.epoch_stats(U256::ZERO).0, U256::from(600));
    assert_eq!(fx.em.epoch_stats(U256::from(1)).0, U256::from(7));
    assert_eq!(fx.em.epoch_stats(U256::MAX), Default::default());
    assert_eq!(
        logs_of::<WorkRecorded>(fx.vm()),
        vec![
            WorkRecorded {
                epoch: U256::ZERO,
                provider: PROVIDER,
                credits: U256::from(300)
            },
            WorkRecorded {
                epoch: U256::ZERO,
                provider: PROVIDER,
                credits: U256::from(200)
            },
            WorkRecorded {
                epoch: U256::ZERO,
                provider: PROVIDER2,
                credits: U256::from(100)
            },
            WorkRecorded {
                epoch: U256::from(1),
                provider: PROVIDER2,
                credits: U256::from(7)
            },
        ]
    );
    assert!(fx.host.calls().is_empty(), "no token call");
}

#[test]
fn record_work_reverts_for_strangers_zero_providers_and_overflow() {
    let mut fx = fixture();
    fx.vm().set_sender(STRANGER);
    assert_reverts(&mut fx, unauthorized(STRANGER, SETTLER_ROLE), |e| {
        e.record_work(PROVIDER, U256::from(1))
    });
    fx.vm().set_sender(SETTLER);
    assert_reverts(&mut fx, zero_address(), |e| {
        e.record_work(Address::ZERO, U256::from(1))
    });
    fx.em.record_work(PROVIDER, U256::MAX).unwrap();
    assert_reverts(&mut fx, too_large(), |e| {
        e.record_work(PROVIDER2, U256::from(1))
    });
}

#[test]
fn draw_reserve_mints_from_the_reserve() {
    let mut fx = fixture();
    fx.at(T0 + 2 * DAY);
    fx.as_settler(|e| e.draw_reserve(PROVIDER, ct(40))).unwrap();
    fx.as_settler(|e| e.draw_reserve(PROVIDER2, ct(2))).unwrap();
    assert_eq!(fx.em.emission_reserve(), ct(350_000_000 - 42));
    assert_eq!(
        fx.em.supply_stats(),
        (ct(350_000_000), ct(350_000_000 - 42), U256::ZERO, ct(42))
    );
    assert_eq!(fx.em.epoch_stats(U256::from(2)).3, ct(42));
    assert_eq!(fx.em.epoch_stats(U256::from(1)).3, U256::ZERO);
    assert_eq!(fx.token.borrow().balance(PROVIDER), ct(40));
    assert_eq!(fx.mints(), vec![(PROVIDER, ct(40)), (PROVIDER2, ct(2))]);
    assert_eq!(
        logs_of::<ReserveDrawn>(fx.vm())[0],
        ReserveDrawn {
            epoch: U256::from(2),
            to: PROVIDER,
            amount: ct(40)
        }
    );
    // Zero: logged, nothing minted.
    fx.host.clear_calls();
    fx.as_settler(|e| e.draw_reserve(PROVIDER, U256::ZERO))
        .unwrap();
    assert!(fx.host.calls().is_empty());
    assert_eq!(logs_of::<ReserveDrawn>(fx.vm()).len(), 3);
}

#[test]
fn draw_reserve_reverts_beyond_the_reserve_and_for_bad_callers() {
    let mut fx = fixture_with(ct(999), ct(1_000), DAY);
    fx.vm().set_sender(STRANGER);
    assert_reverts(&mut fx, unauthorized(STRANGER, SETTLER_ROLE), |e| {
        e.draw_reserve(PROVIDER, U256::from(1))
    });
    fx.vm().set_sender(SETTLER);
    assert_reverts(&mut fx, zero_address(), |e| {
        e.draw_reserve(Address::ZERO, U256::from(1))
    });
    assert_reverts(
        &mut fx,
        Error::ReserveExceeded(EmissionsReserveExceeded {
            requested: ct(1) + U256::from(1),
            available: ct(1),
        }),
        |e| e.draw_reserve(PROVIDER, ct(1) + U256::from(1)),
    );
    // The whole reserve can be drawn, exactly up to the cap.
    fx.em.draw_reserve(PROVIDER, ct(1)).unwrap();
    assert_eq!(fx.token.borrow().supply, ct(1_000));
    assert_reverts(
        &mut fx,
        Error::ReserveExceeded(EmissionsReserveExceeded {
            requested: U256::from(1),
            available: U256::ZERO,
        }),
        |e| e.draw_reserve(PROVIDER, U256::from(1)),
    );
}

#[test]
fn token_reverts_are_passed_through() {
    let mut fx = fixture_with(ct(999), ct(1_000), DAY);
    // Someone else minted meanwhile: the token's cap check stops the draw.
    fx.token.borrow_mut().supply = ct(1_000);
    let err = fx
        .as_settler(|e| e.draw_reserve(PROVIDER, ct(1)))
        .unwrap_err();
    assert_eq!(
        err,
        token_failed(
            ERC20ExceededCap {
                increasedSupply: ct(1_001),
                cap: ct(1_000)
            }
            .abi_encode()
        )
    );
    // The same for the treasury mint of a finalisation and for a claim (on-chain the whole call
    // reverts; TestVM keeps the writes, so each case runs on a fresh fixture).
    let cap_error = |amount: U256| {
        token_failed(
            ERC20ExceededCap {
                increasedSupply: ct(1_000) + amount,
                cap: ct(1_000),
            }
            .abi_encode(),
        )
    };
    let mut fx = fixture_with(ct(999), ct(1_000), DAY);
    fx.record(PROVIDER, 1);
    fx.at(T0 + DAY);
    fx.token.borrow_mut().supply = ct(1_000);
    let treasury_part = default_emission(ct(1)) / U256::from(10);
    assert_eq!(
        fx.em.finalize_epochs(U256::MAX).unwrap_err(),
        cap_error(treasury_part)
    );

    let mut fx = fixture_with(ct(999), ct(1_000), DAY);
    fx.record(PROVIDER, 1);
    fx.at(T0 + DAY);
    fx.em.finalize_epochs(U256::MAX).unwrap();
    fx.token.borrow_mut().supply = ct(1_000);
    fx.vm().set_sender(PROVIDER);
    let reward = fx.em.pending_reward(U256::ZERO, PROVIDER).unwrap();
    assert_eq!(
        fx.em.claim_rewards(vec![U256::ZERO]).unwrap_err(),
        cap_error(reward)
    );
}

// ---------------------------------------------------------------------------------------------
// Epochs, emissions, rewards
// ---------------------------------------------------------------------------------------------

#[test]
fn current_epoch_follows_the_clock() {
    let fx = fixture_with(ct(0), ct(10), 3_600);
    for (dt, epoch) in [(0, 0), (3_599, 0), (3_600, 1), (7_199, 1), (36_000, 10)] {
        fx.at(T0 + dt);
        assert_eq!(fx.em.current_epoch(), U256::from(epoch), "t0 + {dt}");
    }
}

#[test]
fn finalizing_emits_from_the_reserve_only_for_epochs_with_work() {
    let mut fx = fixture();
    fx.record(PROVIDER, 292_500_000); // epoch 0 has work
    fx.at(T0 + 2 * DAY);
    fx.record(PROVIDER, 1_000); // epoch 2 has work
    fx.at(T0 + 3 * DAY); // epochs 0, 1, 2 are over
    fx.vm().set_sender(STRANGER);
    assert_eq!(
        fx.em.finalize_epochs(U256::from(1)).unwrap(),
        U256::from(1),
        "bounded by maxEpochs"
    );
    let emission0 = default_emission(ct(350_000_000));
    let treasury0 = emission0 / U256::from(10);
    assert_eq!(
        fx.em.epoch_stats(U256::ZERO),
        (
            U256::from(292_500_000u64),
            emission0,
            emission0 - treasury0,
            U256::ZERO
        )
    );
    assert_eq!(fx.em.emission_reserve(), ct(350_000_000) - emission0);
    assert_eq!(
        logs_of::<EpochFinalized>(fx.vm()),
        vec![EpochFinalized {
            epoch: U256::ZERO,
            emission: emission0,
            treasuryAmount: treasury0,
            work: U256::from(292_500_000u64)
        }]
    );
    assert_eq!(fx.mints(), vec![(TREASURY, treasury0)]);

    // Epoch 1 is empty: nothing emitted, the reserve carries to epoch 2.
    fx.host.clear_calls();
    assert_eq!(fx.em.finalize_epochs(U256::MAX).unwrap(), U256::from(2));
    assert_eq!(
        fx.em.epoch_stats(U256::from(1)),
        Default::default(),
        "no work, no emission"
    );
    let emission2 = default_emission(ct(350_000_000) - emission0);
    assert_eq!(fx.em.epoch_stats(U256::from(2)).1, emission2);
    assert_eq!(fx.em.next_epoch_to_finalize(), U256::from(3));
    assert_eq!(
        fx.mints(),
        vec![(TREASURY, emission2 / U256::from(10))],
        "one treasury mint per call"
    );
    assert_eq!(
        fx.em.finalize_epochs(U256::MAX).unwrap(),
        U256::ZERO,
        "the current epoch waits"
    );
    let (initial, reserve, emitted, drawn) = fx.em.supply_stats();
    assert_eq!(emitted, emission0 + emission2);
    assert_eq!(emitted + drawn + reserve, initial, "invariant 1");
    assert_eq!(
        fx.token.borrow().balance(TREASURY),
        treasury0 + emission2 / U256::from(10)
    );
}

#[test]
fn finalizing_is_bounded_to_64_epochs_a_call_and_zero_is_a_no_op() {
    let mut fx = fixture_with(ct(0), ct(1_000), 3_600);
    fx.at(T0 + 100 * 3_600);
    fx.vm().set_sender(STRANGER);
    let logs = fx.vm().get_emitted_logs().len();
    assert_eq!(fx.em.finalize_epochs(U256::ZERO).unwrap(), U256::ZERO);
    assert_eq!(fx.vm().get_emitted_logs().len(), logs);
    assert_eq!(fx.em.finalize_epochs(U256::MAX).unwrap(), U256::from(64));
    assert_eq!(fx.em.next_epoch_to_finalize(), U256::from(64));
    assert_eq!(
        fx.em.finalize_epochs(U256::from(100)).unwrap(),
        U256::from(36)
    );
    assert_eq!(fx.em.next_epoch_to_finalize(), U256::from(100));
    let epochs: Vec<U256> = logs_of::<EpochFinalized>(fx.vm())
        .iter()
        .map(|l| l.epoch)
        .collect();
    assert_eq!(
        epochs,
        (0..100u64).map(U256::from).collect::<Vec<_>>(),
        "in order"
    );
    assert!(fx.host.calls().is_empty(), "empty epochs mint nothing");
    assert_eq!(fx.em.emission_reserve(), ct(1_000), "the reserve carries");
}

#[test]
fn parameter_changes_apply_to_later_finalisations() {
    let mut fx = fixture_with(ct(0), ct(1_000), DAY);
    fx.vm().set_sender(ADMIN);
    fx.em
        .set_parameter(EMISSION_RATE_WAD, uint!(10_000_000_000_000_000_U256))
        .unwrap();
    fx.em
        .set_parameter(TREASURY_EMISSION_BPS, U256::from(5_000))
        .unwrap();
    fx.record(PROVIDER, 1);
    fx.at(T0 + DAY);
    fx.em.finalize_epochs(U256::from(1)).unwrap();
    // 1% of 1,000 CT = 10 CT, half to the treasury.
    assert_eq!(
        fx.em.epoch_stats(U256::ZERO),
        (U256::from(1), ct(10), ct(5), U256::ZERO)
    );
    // Rate zero: work but no emission.
    fx.vm().set_sender(ADMIN);
    fx.em.set_parameter(EMISSION_RATE_WAD, U256::ZERO).unwrap();
    fx.record(PROVIDER, 1);
    fx.at(T0 + 2 * DAY);
    fx.em.finalize_epochs(U256::from(1)).unwrap();
    assert_eq!(fx.em.epoch_stats(U256::from(1)).1, U256::ZERO);
    assert_eq!(fx.em.emission_reserve(), ct(990));
}

#[test]
fn providers_claim_their_pro_rata_share_once() {
    let mut fx = fixture();
    fx.record(PROVIDER, 292_500_000);
    fx.record(PROVIDER2, 97_500_000);
    fx.at(T0 + DAY);
    fx.em.finalize_epochs(U256::from(1)).unwrap();
    let emission0 = default_emission(ct(350_000_000));
    let share = emission0 - emission0 / U256::from(10);
    let work = U256::from(390_000_000u64);
    let expect1 = share * U256::from(292_500_000u64) / work;
    let expect2 = share * U256::from(97_500_000u64) / work;
    assert_eq!(fx.em.pending_reward(U256::ZERO, PROVIDER).unwrap(), expect1);
    assert_eq!(
        fx.em.pending_reward(U256::from(1), PROVIDER).unwrap(),
        U256::ZERO,
        "not final yet"
    );
    assert_eq!(
        fx.em.pending_reward(U256::MAX, PROVIDER).unwrap(),
        U256::ZERO
    );

    fx.host.clear_calls();
    let logs = fx.vm().get_emitted_logs().len();
    fx.vm().set_sender(PROVIDER);
    assert_eq!(fx.em.claim_rewards(vec![U256::ZERO]).unwrap(), expect1);
    assert_eq!(fx.token.borrow().balance(PROVIDER), expect1);
    assert_eq!(fx.mints(), vec![(PROVIDER, expect1)]);
    assert_eq!(
        fx.em.pending_reward(U256::ZERO, PROVIDER).unwrap(),
        U256::ZERO
    );
    only_new_log(
        fx.vm(),
        logs,
        RewardsClaimed {
            provider: PROVIDER,
            epoch: U256::ZERO,
            amount: expect1,
        },
    );
    assert_reverts(
        &mut fx,
        Error::AlreadyClaimed(EmissionsAlreadyClaimed { epoch: U256::ZERO }),
        |e| e.claim_rewards(vec![U256::ZERO]),
    );

    fx.vm().set_sender(PROVIDER2);
    assert_reverts(
        &mut fx,
        Error::AlreadyClaimed(EmissionsAlreadyClaimed { epoch: U256::ZERO }),
        |e| e.claim_rewards(vec![U256::ZERO, U256::ZERO]),
    );
    assert_reverts(
        &mut fx,
        Error::EpochNotFinalized(EmissionsEpochNotFinalized {
            epoch: U256::from(1),
        }),
        |e| e.claim_rewards(vec![U256::ZERO, U256::from(1)]),
    );
    assert_reverts(
        &mut fx,
        Error::EpochNotFinalized(EmissionsEpochNotFinalized { epoch: U256::MAX }),
        |e| e.claim_rewards(vec![U256::MAX]),
    );
    assert_eq!(fx.em.claim_rewards(vec![U256::ZERO]).unwrap(), expect2);
    assert!(expect1 + expect2 <= share, "invariant 2");
    assert!(share - (expect1 + expect2) <= U256::from(1), "dust only");
}

#[test]
fn claims_of_several_epochs_mint_once_and_zero_rewards_mark_claimed() {
    let mut fx = fixture();
    fx.record(PROVIDER, 10);
    fx.at(T0 + DAY);
    fx.record(PROVIDER2, 10); // PROVIDER has no work in epoch 1
    fx.at(T0 + 3 * DAY);
    fx.em.finalize_epochs(U256::MAX).unwrap();
    fx.host.clear_calls();
    fx.vm().set_sender(PROVIDER);
    let epochs = vec![U256::from(2), U256::ZERO, U256::from(1)];
    let expected = fx.em.pending_reward(U256::ZERO, PROVIDER).unwrap();
    assert!(!expected.is_zero());
    assert_eq!(fx.em.claim_rewards(epochs.clone()).unwrap(), expected);
    assert_eq!(fx.mints(), vec![(PROVIDER, expected)]);
    let logged: Vec<(U256, U256)> = logs_of::<RewardsClaimed>(fx.vm())
        .iter()
        .map(|l| (l.epoch, l.amount))
        .collect();
    assert_eq!(
        logged,
        vec![
            (U256::from(2), U256::ZERO),
            (U256::ZERO, expected),
            (U256::from(1), U256::ZERO)
        ]
    );
    assert_reverts(
        &mut fx,
        Error::AlreadyClaimed(EmissionsAlreadyClaimed {
            epoch: U256::from(2),
        }),
        |e| e.claim_rewards(vec![U256::from(2)]),
    );
    // An empty list is a no-op.
    fx.host.clear_calls();
    assert_eq!(fx.em.claim_rewards(vec![]).unwrap(), U256::ZERO);
    assert!(fx.host.calls().is_empty());
}

#[test]
fn claim_rewards_takes_at_most_32_epochs() {
    let mut fx = fixture_with(ct(0), ct(1_000), 3_600);
    fx.at(T0 + 40 * 3_600);
    fx.em.finalize_epochs(U256::MAX).unwrap();
    fx.vm().set_sender(PROVIDER);
    assert_reverts(
        &mut fx,
        Error::TooManyEpochs(EmissionsTooManyEpochs {
            length: U256::from(33),
            max: U256::from(32),
        }),
        |e| e.claim_rewards((0..33u64).map(U256::from).collect()),
    );
    assert_eq!(
        fx.em
            .claim_rewards((0..32u64).map(U256::from).collect())
            .unwrap(),
        U256::ZERO
    );
}

// ---------------------------------------------------------------------------------------------
// Parameters and configuration
// ---------------------------------------------------------------------------------------------

#[test]
fn parameters_are_bounded_and_logged() {
    let mut fx = fixture();
    fx.vm().set_sender(ADMIN);
    let logs = fx.vm().get_emitted_logs().len();
    fx.em
        .set_parameter(TREASURY_EMISSION_BPS, U256::from(2_500))
        .unwrap();
    assert_eq!(fx.em.parameter(TREASURY_EMISSION_BPS), U256::from(2_500));
    only_new_log(
        fx.vm(),
        logs,
        ParameterUpdated {
            name: TREASURY_EMISSION_BPS,
            oldValue: U256::from(1_000),
            newValue: U256::from(2_500),
        },
    );
    for (name, _, min, max) in PARAMETERS {
        assert_reverts(
            &mut fx,
            out_of_bounds(
                name,
                U256::from(max) + U256::from(1),
                U256::from(min),
                U256::from(max),
            ),
            |e| e.set_parameter(name, U256::from(max) + U256::from(1)),
        );
        fx.em.set_parameter(name, U256::from(max)).unwrap();
        fx.em.set_parameter(name, U256::from(min)).unwrap();
    }
    for unknown in [EPOCH_LENGTH, params::name("feeBps"), B256::ZERO] {
        assert_reverts(
            &mut fx,
            Error::UnknownParameter(EmissionsUnknownParameter { name: unknown }),
            |e| e.set_parameter(unknown, U256::ZERO),
        );
    }
    fx.vm().set_sender(SETTLER);
    assert_reverts(&mut fx, unauthorized(SETTLER, PARAMETER_ADMIN_ROLE), |e| {
        e.set_parameter(TREASURY_EMISSION_BPS, U256::ZERO)
    });
}

#[test]
fn treasury_can_be_replaced_by_the_parameter_admin() {
    let mut fx = fixture();
    fx.vm().set_sender(ADMIN);
    let logs = fx.vm().get_emitted_logs().len();
    fx.em.set_treasury(STRANGER).unwrap();
    assert_eq!(fx.em.treasury(), STRANGER);
    only_new_log(fx.vm(), logs, TreasuryUpdated { treasury: STRANGER });
    assert_reverts(&mut fx, zero_address(), |e| e.set_treasury(Address::ZERO));
    fx.vm().set_sender(STRANGER);
    assert_reverts(&mut fx, unauthorized(STRANGER, PARAMETER_ADMIN_ROLE), |e| {
        e.set_treasury(STRANGER)
    });
    // Emissions now go to the new treasury.
    fx.record(PROVIDER, 1);
    fx.at(T0 + DAY);
    fx.em.finalize_epochs(U256::MAX).unwrap();
    assert_eq!(fx.mints()[0].0, STRANGER);
}

#[test]
fn roles_are_managed_by_the_admin() {
    let mut fx = fixture();
    fx.vm().set_sender(ADMIN);
    fx.em.revoke_role(SETTLER_ROLE, SETTLER).unwrap();
    fx.vm().set_sender(SETTLER);
    assert_reverts(&mut fx, unauthorized(SETTLER, SETTLER_ROLE), |e| {
        e.record_work(PROVIDER, U256::from(1))
    });
    assert_eq!(fx.em.get_role_admin(SETTLER_ROLE), DEFAULT_ADMIN_ROLE);
}
