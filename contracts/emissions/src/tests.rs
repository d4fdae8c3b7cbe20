//! Unit tests on a [`ModelHost`]: the SDK's `TestVM` plus in-memory models of the compute token
//! (balances, supply, cap enforced like the real token) and the BmeController's fee views, so every
//! call the contract makes gets its own answer and is recorded. The contracts wired together are
//! tested in `contracts/system-tests`.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use alloy_primitives::{address, Address};
use alloy_sol_types::{sol, SolCall, SolError, SolValue};
use common::access::RoleGranted;
use stylus_sdk::testing::TestVM;
use testing::{logs_of, Call as ModelCall, Model, ModelHost};

use super::*;
use crate::calls::{capCall, epochStatsCall, mintCall, providerFeesCall, totalSupplyCall};

mod proptests;

pub(crate) const TOKEN: Address = address!("00000000000000000000000000000000000c7c7c");
pub(crate) const TREASURY: Address = address!("0000000000000000000000000000000000007eaf");
pub(crate) const ADMIN: Address = address!("000000000000000000000000000000000000a11c");
pub(crate) const SETTLER: Address = address!("00000000000000000000000000000000000c0111");
pub(crate) const REGISTRY: Address = address!("0000000000000000000000000000000000005e91");
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

/// The BmeController's fee views: `epochStats(e)` (six words, `feeTokens` last) and
/// `providerFees(p, e)`, from fees the tests record per epoch and provider.
#[derive(Default)]
pub(crate) struct ControllerModel {
    pub fees: HashMap<(Address, u64), U256>,
    /// Answer `epochStats` with this many bytes instead of six words (malformed return data).
    pub short_stats: Option<usize>,
}

impl ControllerModel {
    pub fn epoch_fees(&self, epoch: u64) -> U256 {
        self.fees
            .iter()
            .filter(|((_, e), _)| *e == epoch)
            .map(|(_, v)| *v)
            .sum()
    }
}

impl Model for ControllerModel {
    fn call(&mut self, c: &ModelCall) -> Result<Vec<u8>, Vec<u8>> {
        assert!(c.is_static, "Emissions only reads the controller");
        let sel: [u8; 4] = c.data[..4].try_into().unwrap();
        if sel == epochStatsCall::SELECTOR {
            let e = epochStatsCall::abi_decode(&c.data)
                .unwrap()
                .epoch
                .to::<u64>();
            if let Some(len) = self.short_stats {
                return Ok(vec![0; len]);
            }
            let z = U256::ZERO;
            Ok((z, z, z, z, z, self.epoch_fees(e)).abi_encode_params())
        } else if sel == providerFeesCall::SELECTOR {
            let p = providerFeesCall::abi_decode(&c.data).unwrap();
            Ok(self
                .fees
                .get(&(p.provider, p.epoch.to::<u64>()))
                .copied()
                .unwrap_or_default()
                .abi_encode())
        } else {
            Err(b"unknown selector".to_vec())
        }
    }
}

pub(crate) struct Fixture {
    pub host: ModelHost,
    pub em: Emissions,
    pub token: Rc<RefCell<TokenModel>>,
    pub controller: Rc<RefCell<ControllerModel>>,
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

    /// The controller settled `fees` CT (wei) of fees to `provider` in the current epoch.
    pub fn fees(&mut self, provider: Address, fees: U256) {
        let epoch = self.em.current_epoch().to::<u64>();
        *self
            .controller
            .borrow_mut()
            .fees
            .entry((provider, epoch))
            .or_default() += fees;
    }

    /// The registry reports `provider`'s earning stake.
    pub fn stake(&mut self, provider: Address, amount: U256) {
        self.vm().set_sender(REGISTRY);
        self.em.set_earning_stake(provider, amount).unwrap();
    }

    pub fn finalize(&mut self) -> U256 {
        self.vm().set_sender(STRANGER);
        self.em.finalize_epochs(U256::from(64)).unwrap()
    }

    pub fn claim(&mut self, provider: Address, epochs: &[u64]) -> Result<U256, Error> {
        self.vm().set_sender(provider);
        self.em
            .claim_rewards(epochs.iter().map(|&e| U256::from(e)).collect())
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

    /// Invariant 1: `emitted − returned + drawn + reserve = initialReserve`.
    pub fn assert_reserve_balances(&self) {
        let (initial, reserve, emitted, drawn, returned) = self.em.supply_stats();
        assert_eq!(emitted - returned + drawn + reserve, initial, "invariant 1");
    }
}

/// An Emissions contract over a token with `supply` of `cap`, epochs of `epoch_length` seconds from
/// T0, the controller model set; SETTLER holds SETTLER_ROLE, REGISTRY STAKE_REPORTER_ROLE, ADMIN
/// every admin role. Logs and calls cleared.
pub(crate) fn fixture_with(supply: U256, cap: U256, epoch_length: u64) -> Fixture {
    let vm = TestVM::new();
    vm.set_contract_address(EMISSIONS);
    vm.set_block_timestamp(T0);
    let host = ModelHost::new(vm);
    let token = host.install(TOKEN, TokenModel::new(supply, cap));
    let controller = host.install(SETTLER, ControllerModel::default());
    let mut em = Emissions::from(&host);
    host.vm.set_sender(ADMIN);
    em.constructor(TOKEN, TREASURY, ADMIN, epoch_length)
        .unwrap();
    em.set_controller(SETTLER).unwrap();
    em.grant_role(SETTLER_ROLE, SETTLER).unwrap();
    em.grant_role(STAKE_REPORTER_ROLE, REGISTRY).unwrap();
    em.grant_role(PARAMETER_ADMIN_ROLE, ADMIN).unwrap();
    host.vm.clear_mocks();
    host.clear_calls();
    Fixture {
        host,
        em,
        token,
        controller,
    }
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

fn unauthorized(account: Address, role: B256) -> Error {
    Error::Common(CommonError::UnauthorizedAccount(
        AccessControlUnauthorizedAccount {
            account,
            neededRole: role,
        },
    ))
}

fn out_of_bounds(name: B256, value: U256, min: U256, max: U256) -> Error {
    Error::Common(CommonError::ParameterOutOfBounds(ParameterOutOfBounds {
        name,
        value,
        min,
        max,
    }))
}

fn failed(target: Address, data: Vec<u8>) -> Error {
    common::errors::call_failed(target, data).into()
}

fn default_emission(reserve: U256) -> U256 {
    emission(reserve, DEFAULT_EMISSION_RATE_WAD).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Constructor and wiring
// ---------------------------------------------------------------------------------------------

#[test]
fn constructor_reads_the_reserve_and_sets_defaults() {
    let fx = fixture();
    assert_eq!(
        fx.em.supply_stats(),
        (
            ct(350_000_000),
            ct(350_000_000),
            U256::ZERO,
            U256::ZERO,
            U256::ZERO
        )
    );
    assert_eq!(fx.em.emission_reserve(), ct(350_000_000));
    assert_eq!(fx.em.token(), TOKEN);
    assert_eq!(fx.em.treasury(), TREASURY);
    assert_eq!(fx.em.controller(), SETTLER);
    assert_eq!(fx.em.genesis_time(), U256::from(T0));
    assert_eq!(fx.em.epoch_length(), U256::from(DAY));
    assert_eq!(fx.em.current_epoch(), U256::ZERO);
    assert_eq!(fx.em.next_epoch_to_finalize(), U256::ZERO);
    for p in PARAMETERS {
        assert_eq!(fx.em.parameter(p.name), Ok(p.default));
        assert_eq!(fx.em.parameter_at(p.name, U256::from(7)), Ok(p.default));
    }
    assert_eq!(
        fx.em.parameter(EPOCH_LENGTH),
        Err(Error::Common(CommonError::UnknownParameter(
            UnknownParameter { name: EPOCH_LENGTH }
        ))),
        "not a parameter: unknown names revert"
    );
    assert!(fx.em.has_role(DEFAULT_ADMIN_ROLE, ADMIN));
    assert_eq!(
        fx.em.stake_stats(),
        (
            U256::ZERO,
            U256::ZERO,
            0,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO
        )
    );
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
        Error::from(common::errors::invalid_admin(zero))
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
    // TOKEN has no model and no mock: the TestVM call fails with empty revert data.
    let vm = TestVM::new();
    let host = ModelHost::new(vm);
    let mut em = Emissions::from(&host);
    assert_eq!(
        em.constructor(TOKEN, TREASURY, ADMIN, DAY),
        Err(failed(TOKEN, vec![]))
    );
    // Malformed `cap()` return data.
    for len in [0, 31, 64] {
        let mut model = TokenModel::new(U256::ZERO, ct(10));
        model.bad_cap = Some(len);
        assert_eq!(
            try_construct(TOKEN, TREASURY, ADMIN, DAY, model)
                .err()
                .expect("constructor fails"),
            failed(TOKEN, vec![0; len])
        );
    }
    // A supply above the cap leaves an empty reserve instead of wrapping.
    let em = try_construct(TOKEN, TREASURY, ADMIN, DAY, TokenModel::new(ct(11), ct(10))).unwrap();
    assert_eq!(em.emission_reserve(), U256::ZERO);
}

#[test]
fn the_controller_is_set_once_by_the_admin() {
    let mut fx = fixture();
    fx.vm().set_sender(ADMIN);
    assert_reverts(
        &mut fx,
        Error::ControllerAlreadySet(EmissionsControllerAlreadySet {
            controller: SETTLER,
        }),
        |e| e.set_controller(STRANGER),
    );
    let vm = TestVM::new();
    let host = ModelHost::new(vm);
    host.install(TOKEN, TokenModel::new(U256::ZERO, ct(10)));
    let mut em = Emissions::from(&host);
    host.vm.set_sender(ADMIN);
    em.constructor(TOKEN, TREASURY, ADMIN, DAY).unwrap();
    assert_eq!(em.set_controller(Address::ZERO), Err(zero_address()));
    host.vm.set_sender(STRANGER);
    assert_eq!(
        em.set_controller(SETTLER),
        Err(unauthorized(STRANGER, DEFAULT_ADMIN_ROLE))
    );
    host.vm.set_sender(ADMIN);
    em.set_controller(SETTLER).unwrap();
    assert_eq!(em.controller(), SETTLER);
    assert_eq!(
        logs_of::<ControllerSet>(&host.vm),
        vec![ControllerSet {
            controller: SETTLER
        }]
    );
}

// ---------------------------------------------------------------------------------------------
// Reserve draws
// ---------------------------------------------------------------------------------------------

#[test]
fn draws_are_capped_per_epoch_by_the_reserve_before_its_draws() {
    // A 1,000 CT reserve: the default cap (the emission rate) allows 0.474645 CT an epoch.
    let mut fx = fixture_with(ct(999_999_000), ct(1_000_000_000), DAY);
    let cap = ct(1_000) * DEFAULT_EMISSION_RATE_WAD / WAD;
    assert_eq!(fx.em.drawable(), Ok(cap));
    let drawn = fx.as_settler(|e| e.draw_reserve(PROVIDER, ct(1))).unwrap();
    assert_eq!(drawn, cap, "the cap, not the request");
    assert_eq!(fx.mints(), vec![(PROVIDER, cap)]);
    assert_eq!(fx.em.drawable(), Ok(U256::ZERO));
    assert_eq!(
        fx.as_settler(|e| e.draw_reserve(PROVIDER, ct(1))),
        Ok(U256::ZERO),
        "nothing more this epoch"
    );
    assert_eq!(fx.mints().len(), 1, "a zero draw mints nothing");
    let stats = fx.em.epoch_stats(U256::ZERO);
    assert_eq!(
        (stats.5, stats.6),
        (cap, cap),
        "drawn and the cap that applied"
    );
    assert_eq!(
        logs_of::<ReserveDrawn>(fx.vm()),
        vec![
            ReserveDrawn {
                epoch: U256::ZERO,
                to: PROVIDER,
                requested: ct(1),
                drawn: cap
            },
            ReserveDrawn {
                epoch: U256::ZERO,
                to: PROVIDER,
                requested: ct(1),
                drawn: U256::ZERO
            }
        ]
    );
    fx.assert_reserve_balances();
    // The next epoch has a fresh cap, from the reserve at its first draw.
    fx.at(T0 + DAY);
    let next_cap = (ct(1_000) - cap) * DEFAULT_EMISSION_RATE_WAD / WAD;
    assert_eq!(fx.em.drawable(), Ok(next_cap));
    // A small request draws just that.
    assert_eq!(
        fx.as_settler(|e| e.draw_reserve(PROVIDER2, U256::from(5))),
        Ok(U256::from(5))
    );
    assert_eq!(fx.em.supply_stats().3, cap + U256::from(5));
    fx.assert_reserve_balances();
}

#[test]
fn draws_are_refused_to_strangers_and_to_zero() {
    let mut fx = fixture();
    fx.vm().set_sender(STRANGER);
    assert_reverts(&mut fx, unauthorized(STRANGER, SETTLER_ROLE), |e| {
        e.draw_reserve(PROVIDER, U256::from(1))
    });
    fx.vm().set_sender(SETTLER);
    assert_reverts(&mut fx, zero_address(), |e| {
        e.draw_reserve(Address::ZERO, U256::from(1))
    });
    // A token that refuses the mint passes its reason through.
    fx.token.borrow_mut().cap = ct(650_000_000);
    let result = fx.as_settler(|e| e.draw_reserve(PROVIDER, U256::from(1)));
    assert_eq!(
        result,
        Err(failed(
            TOKEN,
            ERC20ExceededCap {
                increasedSupply: ct(650_000_000) + U256::from(1),
                cap: ct(650_000_000)
            }
            .abi_encode()
        ))
    );
}

// ---------------------------------------------------------------------------------------------
// Finalisation: work rewards capped by fees, the rest to stake
// ---------------------------------------------------------------------------------------------

#[test]
fn an_epoch_without_fees_or_stake_emits_nothing() {
    let mut fx = fixture();
    fx.at(T0 + 3 * DAY);
    assert_eq!(fx.finalize(), U256::from(3));
    assert_eq!(fx.em.next_epoch_to_finalize(), U256::from(3));
    assert_eq!(fx.em.emission_reserve(), ct(350_000_000));
    assert!(fx.mints().is_empty());
    assert_eq!(
        logs_of::<EpochFinalized>(fx.vm())[0],
        EpochFinalized {
            epoch: U256::ZERO,
            emitted: U256::ZERO,
            treasuryAmount: U256::ZERO,
            workPool: U256::ZERO,
            stakePool: U256::ZERO,
            fees: U256::ZERO
        }
    );
    fx.vm().set_sender(STRANGER);
    assert_eq!(
        fx.em.finalize_epochs(U256::from(64)),
        Ok(U256::ZERO),
        "no-op"
    );
}

/// The review's quiet-epoch wash attack: one dust job in an epoch nobody else settles. Revision 1
/// paid its provider the whole provider share (149,513 CT); now it earns back at most its fee.
#[test]
fn a_dust_job_in_a_quiet_epoch_earns_back_at_most_its_fee() {
    let mut fx = fixture();
    // 41 credits of fee value, worth ~0.0000273 CT at 1.50 USD.
    let fee = U256::from(27_333_333_333_333u64);
    fx.fees(PROVIDER, fee);
    fx.at(T0 + DAY);
    fx.finalize();
    let emitted = default_emission(ct(350_000_000));
    let treasury = emitted / U256::from(10);
    let share = emitted - treasury;
    let (fees, e_emitted, work, work_cap, stake, _, _) = fx.em.epoch_stats(U256::ZERO);
    assert_eq!(
        (fees, work, work_cap),
        (fee, fee, fee),
        "the cap binds at 1× the fee"
    );
    assert_eq!(
        stake,
        U256::ZERO,
        "no earning stake: the rest stays in the reserve"
    );
    assert_eq!(e_emitted, treasury + fee);
    assert_eq!(fx.em.emission_reserve(), ct(350_000_000) - treasury - fee);
    assert!(
        share > fee * U256::from(1_000_000_000u64),
        "revision 1 paid this share"
    );
    assert_eq!(fx.em.pending_reward(U256::ZERO, PROVIDER), Ok(fee));
    assert_eq!(fx.claim(PROVIDER, &[0]), Ok(fee));
    assert_eq!(fx.token.borrow().balance(PROVIDER), fee);
    fx.assert_reserve_balances();
}

#[test]
fn work_pool_splits_by_fees_and_the_rest_streams_to_stake() {
    let mut fx = fixture();
    fx.stake(PROVIDER, ct(100_000));
    // Fees worth 30,000 and 10,000 CT: the cap (1×) is 40,000 CT, below the share.
    fx.fees(PROVIDER, ct(30_000));
    fx.fees(PROVIDER2, ct(10_000));
    fx.at(T0 + DAY);
    fx.host.clear_calls();
    fx.finalize();
    let emitted = default_emission(ct(350_000_000));
    let treasury = emitted / U256::from(10);
    let share = emitted - treasury;
    assert_eq!(
        fx.em.epoch_stats(U256::ZERO),
        (
            ct(40_000),
            emitted,
            ct(40_000),
            ct(40_000),
            share - ct(40_000),
            U256::ZERO,
            U256::ZERO
        )
    );
    assert_eq!(
        logs_of::<EpochFinalized>(fx.vm()),
        vec![EpochFinalized {
            epoch: U256::ZERO,
            emitted,
            treasuryAmount: treasury,
            workPool: ct(40_000),
            stakePool: share - ct(40_000),
            fees: ct(40_000)
        }]
    );
    assert_eq!(fx.mints(), vec![(TREASURY, treasury)]);
    let stats = fx.em.stake_stats();
    assert_eq!(stats.0, ct(100_000));
    assert_eq!(
        stats.2,
        T0 + DAY + DAY,
        "streamed over the next epoch length"
    );
    assert_eq!(stats.3, share - ct(40_000));
    // The work pool pays by fees.
    assert_eq!(fx.em.pending_reward(U256::ZERO, PROVIDER), Ok(ct(30_000)));
    assert_eq!(fx.em.pending_reward(U256::ZERO, PROVIDER2), Ok(ct(10_000)));
    // Half the stream later, the only staker earned half the stake pool (minus rounding).
    fx.at(T0 + DAY + DAY / 2);
    let half = (share - ct(40_000)) / U256::from(2);
    let earned = fx.em.earned_stake_rewards(PROVIDER).unwrap();
    assert!(
        earned <= half && half - earned < ct(1) / U256::from(1_000_000),
        "{earned} ≈ {half}"
    );
    // One claim takes the work reward and the stake rewards.
    fx.host.clear_calls();
    let total = fx.claim(PROVIDER, &[0]).unwrap();
    assert_eq!(total, ct(30_000) + earned);
    assert_eq!(fx.mints(), vec![(PROVIDER, total)], "one mint");
    assert_eq!(
        logs_of::<RewardsClaimed>(fx.vm()),
        vec![RewardsClaimed {
            provider: PROVIDER,
            epoch: U256::ZERO,
            amount: ct(30_000)
        }]
    );
    assert_eq!(
        logs_of::<StakeRewardsClaimed>(fx.vm()),
        vec![StakeRewardsClaimed {
            provider: PROVIDER,
            amount: earned
        }]
    );
    assert_reverts(
        &mut fx,
        Error::AlreadyClaimed(EmissionsAlreadyClaimed { epoch: U256::ZERO }),
        |e| e.claim_rewards(vec![U256::ZERO]),
    );
    // After the stream ends, everything streamed is claimable (≤ by rounding) and no more.
    fx.at(T0 + 5 * DAY);
    fx.finalize();
    let rest = fx.claim(PROVIDER, &[]).unwrap();
    let streamed = share - ct(40_000);
    assert!(earned + rest <= streamed);
    assert!(
        streamed - (earned + rest) < U256::from(1_000_000u64),
        "dust only"
    );
    assert_eq!(fx.claim(PROVIDER, &[]), Ok(U256::ZERO), "nothing left");
    fx.assert_reserve_balances();
}

#[test]
fn stake_alone_makes_an_epoch_emit_and_the_work_pool_is_zero() {
    let mut fx = fixture();
    fx.stake(PROVIDER, ct(5_000));
    fx.at(T0 + DAY);
    fx.finalize();
    let emitted = default_emission(ct(350_000_000));
    let (fees, e, work, cap, stake, _, _) = fx.em.epoch_stats(U256::ZERO);
    assert_eq!((fees, work, cap), (U256::ZERO, U256::ZERO, U256::ZERO));
    assert_eq!(e, emitted);
    assert_eq!(stake, emitted - emitted / U256::from(10));
    fx.assert_reserve_balances();
}

#[test]
fn the_work_pool_never_exceeds_the_provider_share() {
    let mut fx = fixture();
    // Fees far above the share: the work pool is the share, the stake pool empty.
    fx.fees(PROVIDER, ct(10_000_000));
    fx.stake(PROVIDER2, ct(5_000));
    fx.at(T0 + DAY);
    fx.finalize();
    let emitted = default_emission(ct(350_000_000));
    let share = emitted - emitted / U256::from(10);
    let (_, _, work, cap, stake, _, _) = fx.em.epoch_stats(U256::ZERO);
    assert_eq!((work, cap, stake), (share, ct(10_000_000), U256::ZERO));
}

#[test]
fn stake_earns_only_for_the_time_it_is_staked() {
    let mut fx = fixture();
    fx.stake(PROVIDER, ct(1_000));
    fx.at(T0 + DAY);
    fx.finalize();
    let pool = fx.em.epoch_stats(U256::ZERO).4;
    // PROVIDER2 stakes the same amount one second before the stream ends.
    fx.at(T0 + 2 * DAY - 1);
    fx.stake(PROVIDER2, ct(1_000));
    fx.at(T0 + 3 * DAY);
    let late = fx.em.earned_stake_rewards(PROVIDER2).unwrap();
    let early = fx.em.earned_stake_rewards(PROVIDER).unwrap();
    // Its share: half of one second of the stream.
    let one_second = pool / U256::from(DAY);
    assert!(late <= one_second / U256::from(2) + U256::from(1), "{late}");
    assert!(early + late <= pool);
    assert!(pool - (early + late) < U256::from(1_000_000u64));
    // Unstaking (jail, unbonding: the registry reports 0) stops the accrual.
    fx.stake(PROVIDER, U256::ZERO);
    let frozen = fx.em.earned_stake_rewards(PROVIDER).unwrap();
    fx.at(T0 + 4 * DAY);
    assert_eq!(fx.em.earned_stake_rewards(PROVIDER), Ok(frozen));
    assert_eq!(
        logs_of::<EarningStakeUpdated>(fx.vm()).last(),
        Some(&EarningStakeUpdated {
            provider: PROVIDER,
            amount: U256::ZERO,
            totalEarning: ct(1_000)
        })
    );
}

#[test]
fn a_stream_without_earning_stake_returns_to_the_reserve() {
    let mut fx = fixture();
    fx.stake(PROVIDER, ct(1_000));
    fx.at(T0 + DAY);
    fx.finalize();
    let pool = fx.em.epoch_stats(U256::ZERO).4;
    let reserve = fx.em.emission_reserve();
    // Nobody earns for the whole stream.
    fx.stake(PROVIDER, U256::ZERO);
    fx.at(T0 + 3 * DAY);
    fx.stake(PROVIDER, ct(1_000)); // the update returns what streamed to nobody
    let returned = fx.em.supply_stats().4;
    assert!(returned <= pool && pool - returned < U256::from(1_000_000u64));
    assert_eq!(fx.em.emission_reserve(), reserve + returned);
    assert_eq!(
        logs_of::<StakeRewardsReturned>(fx.vm()),
        vec![StakeRewardsReturned { returned }]
    );
    assert_eq!(fx.em.earned_stake_rewards(PROVIDER), Ok(U256::ZERO));
    fx.assert_reserve_balances();
}

#[test]
fn earning_stake_is_reported_by_the_registry_only() {
    let mut fx = fixture();
    fx.vm().set_sender(STRANGER);
    assert_reverts(&mut fx, unauthorized(STRANGER, STAKE_REPORTER_ROLE), |e| {
        e.set_earning_stake(PROVIDER, ct(1))
    });
    fx.stake(PROVIDER, ct(7));
    fx.stake(PROVIDER2, ct(3));
    fx.stake(PROVIDER, ct(5));
    assert_eq!(fx.em.earning_stake(PROVIDER), ct(5));
    assert_eq!(fx.em.stake_stats().0, ct(8));
}

#[test]
fn finalising_is_bounded_to_64_epochs_a_call() {
    let mut fx = fixture_with(ct(650_000_000), ct(1_000_000_000), 3_600);
    fx.at(T0 + 100 * 3_600 + 5);
    fx.vm().set_sender(STRANGER);
    assert_eq!(fx.em.finalize_epochs(U256::from(1_000)), Ok(U256::from(64)));
    assert_eq!(fx.em.finalize_epochs(U256::from(10)), Ok(U256::from(10)));
    assert_eq!(fx.em.finalize_epochs(U256::MAX), Ok(U256::from(26)));
    assert_eq!(fx.em.finalize_epochs(U256::from(1)), Ok(U256::ZERO));
    assert_eq!(fx.em.next_epoch_to_finalize(), U256::from(100));
    assert_eq!(fx.em.current_epoch(), U256::from(100));
}

#[test]
fn finalising_reports_a_failing_controller() {
    let mut fx = fixture();
    fx.at(T0 + DAY);
    fx.controller.borrow_mut().short_stats = Some(64);
    fx.vm().set_sender(STRANGER);
    assert_reverts(&mut fx, failed(SETTLER, vec![]), |e| {
        e.finalize_epochs(U256::from(1))
    });
}

// ---------------------------------------------------------------------------------------------
// Claims
// ---------------------------------------------------------------------------------------------

#[test]
fn claims_check_epochs_before_paying() {
    let mut fx = fixture();
    fx.fees(PROVIDER, ct(1));
    fx.at(T0 + 2 * DAY);
    fx.finalize();
    fx.vm().set_sender(PROVIDER);
    assert_reverts(
        &mut fx,
        Error::EpochNotFinalized(EmissionsEpochNotFinalized {
            epoch: U256::from(2),
        }),
        |e| e.claim_rewards(vec![U256::ZERO, U256::from(2)]),
    );
    assert_reverts(
        &mut fx,
        Error::EpochNotFinalized(EmissionsEpochNotFinalized { epoch: U256::MAX }),
        |e| e.claim_rewards(vec![U256::MAX]),
    );
    assert_reverts(
        &mut fx,
        Error::AlreadyClaimed(EmissionsAlreadyClaimed { epoch: U256::ZERO }),
        |e| e.claim_rewards(vec![U256::ZERO, U256::ZERO]),
    );
    assert_reverts(
        &mut fx,
        Error::TooManyEpochs(EmissionsTooManyEpochs {
            length: U256::from(33),
            max: U256::from(32),
        }),
        |e| e.claim_rewards(vec![U256::ZERO; 33]),
    );
    // A zero reward (epoch 1: no fees of its own) still marks the epoch claimed.
    assert_eq!(fx.claim(PROVIDER, &[1]), Ok(U256::ZERO));
    assert_eq!(
        fx.em.pending_reward(U256::from(1), PROVIDER),
        Ok(U256::ZERO)
    );
    assert_reverts(
        &mut fx,
        Error::AlreadyClaimed(EmissionsAlreadyClaimed {
            epoch: U256::from(1),
        }),
        |e| e.claim_rewards(vec![U256::from(1)]),
    );
    assert_eq!(fx.claim(PROVIDER, &[0]), Ok(ct(1)));
}

// ---------------------------------------------------------------------------------------------
// Parameters never reach back
// ---------------------------------------------------------------------------------------------

#[test]
fn parameter_changes_apply_from_the_next_epoch() {
    let mut fx = fixture();
    fx.fees(PROVIDER, ct(1));
    fx.at(T0 + DAY + 10);
    // Epoch 0 is not final yet: changing now would reach back into it.
    fx.vm().set_sender(ADMIN);
    assert_reverts(
        &mut fx,
        Error::EpochsPending(EmissionsEpochsPending {
            nextEpoch: U256::ZERO,
            currentEpoch: U256::from(1),
        }),
        |e| e.set_parameter(EMISSION_RATE_WAD, U256::ZERO),
    );
    fx.finalize();
    fx.vm().set_sender(ADMIN);
    fx.em.set_parameter(EMISSION_RATE_WAD, U256::ZERO).unwrap();
    fx.em
        .set_parameter(WORK_REWARD_CAP_BPS, U256::from(5_000))
        .unwrap();
    assert_eq!(
        logs_of::<ParameterUpdated>(fx.vm()),
        vec![
            ParameterUpdated {
                name: EMISSION_RATE_WAD,
                oldValue: DEFAULT_EMISSION_RATE_WAD,
                newValue: U256::ZERO
            },
            ParameterUpdated {
                name: WORK_REWARD_CAP_BPS,
                oldValue: U256::from(10_000),
                newValue: U256::from(5_000)
            }
        ]
    );
    assert_eq!(fx.em.parameter(EMISSION_RATE_WAD), Ok(U256::ZERO));
    assert_eq!(
        fx.em.parameter_at(EMISSION_RATE_WAD, U256::from(1)),
        Ok(DEFAULT_EMISSION_RATE_WAD),
        "the current epoch keeps the rate it started with"
    );
    assert_eq!(
        fx.em.parameter_at(EMISSION_RATE_WAD, U256::from(2)),
        Ok(U256::ZERO)
    );
    // Epoch 1 (current at the change) emits at the old rate and old cap.
    fx.fees(PROVIDER, ct(2));
    let reserve = fx.em.emission_reserve();
    fx.at(T0 + 2 * DAY);
    fx.finalize();
    let (_, emitted, work, cap, _, _, _) = fx.em.epoch_stats(U256::from(1));
    assert_eq!(emitted, default_emission(reserve) / U256::from(10) + ct(2));
    assert_eq!((work, cap), (ct(2), ct(2)));
    // Epoch 2 emits at the new rate: nothing.
    fx.fees(PROVIDER, ct(2));
    fx.at(T0 + 3 * DAY);
    fx.finalize();
    assert_eq!(fx.em.epoch_stats(U256::from(2)).1, U256::ZERO);
    // A second change in the same epoch keeps the value the epoch started with.
    fx.vm().set_sender(ADMIN);
    fx.em
        .set_parameter(EMISSION_RATE_WAD, U256::from(7))
        .unwrap();
    fx.em
        .set_parameter(EMISSION_RATE_WAD, U256::from(9))
        .unwrap();
    assert_eq!(
        fx.em.parameter_at(EMISSION_RATE_WAD, U256::from(3)),
        Ok(U256::ZERO)
    );
    assert_eq!(
        fx.em.parameter_at(EMISSION_RATE_WAD, U256::from(4)),
        Ok(U256::from(9))
    );
}

#[test]
fn parameters_are_bounded() {
    let mut fx = fixture();
    fx.vm().set_sender(ADMIN);
    assert_eq!(
        PARAMETERS[2].max,
        U256::from(10_000),
        "work rewards never above 1× the fees"
    );
    for p in PARAMETERS {
        let over = p.max + U256::from(1);
        assert_reverts(&mut fx, out_of_bounds(p.name, over, p.min, p.max), |e| {
            e.set_parameter(p.name, over)
        });
    }
    let unknown = params::name("epochLength");
    assert_reverts(
        &mut fx,
        Error::Common(CommonError::UnknownParameter(UnknownParameter {
            name: unknown,
        })),
        |e| e.set_parameter(unknown, U256::ZERO),
    );
    fx.vm().set_sender(STRANGER);
    assert_reverts(&mut fx, unauthorized(STRANGER, PARAMETER_ADMIN_ROLE), |e| {
        e.set_parameter(DRAW_CAP_WAD, U256::ZERO)
    });
}

#[test]
fn treasury_can_be_replaced_by_the_parameter_admin() {
    let mut fx = fixture();
    fx.vm().set_sender(ADMIN);
    fx.em.set_treasury(STRANGER).unwrap();
    assert_eq!(fx.em.treasury(), STRANGER);
    assert_reverts(&mut fx, zero_address(), |e| e.set_treasury(Address::ZERO));
    fx.vm().set_sender(STRANGER);
    assert_reverts(&mut fx, unauthorized(STRANGER, PARAMETER_ADMIN_ROLE), |e| {
        e.set_treasury(STRANGER)
    });
}

/// The hand-written error encoding equals alloy's `SolError::abi_encode`.
#[test]
fn errors_encode_as_their_solidity_errors() {
    fn check<T: SolError + Clone>(e: T, wrap: fn(T) -> Error) {
        assert_eq!(Vec::<u8>::from(wrap(e.clone())), e.abi_encode());
    }
    fn check_common<T: SolError + Clone>(e: T, wrap: fn(T) -> CommonError) {
        assert_eq!(
            Vec::<u8>::from(Error::Common(wrap(e.clone()))),
            e.abi_encode()
        );
    }
    let (a, b) = (U256::from(3), U256::MAX);
    check(EmissionsZeroAddress {}, Error::ZeroAddress);
    check(
        EmissionsEpochNotFinalized { epoch: b },
        Error::EpochNotFinalized,
    );
    check(EmissionsAlreadyClaimed { epoch: a }, Error::AlreadyClaimed);
    check(
        EmissionsTooManyEpochs { length: a, max: b },
        Error::TooManyEpochs,
    );
    check(
        EmissionsEpochsPending {
            nextEpoch: a,
            currentEpoch: b,
        },
        Error::EpochsPending,
    );
    check(
        EmissionsControllerAlreadySet {
            controller: SETTLER,
        },
        Error::ControllerAlreadySet,
    );
    check_common(
        CallFailed {
            target: TOKEN,
            returnData: vec![1u8; 33].into(),
        },
        CommonError::CallFailed,
    );
    check_common(ArithmeticOverflow {}, CommonError::ArithmeticOverflow);
    check_common(
        AccessControlUnauthorizedAccount {
            account: STRANGER,
            neededRole: SETTLER_ROLE,
        },
        CommonError::UnauthorizedAccount,
    );
}
