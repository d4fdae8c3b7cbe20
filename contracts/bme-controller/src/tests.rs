//! Unit tests on a [`ModelHost`]: the SDK's `TestVM` plus in-memory models of the compute token and
//! the price feeds, so every call the controller makes gets its own answer and is recorded.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use alloy_primitives::{address, aliases::U80, uint, Address, I256};
use alloy_sol_types::{sol, SolCall, SolError, SolValue};
use common::{
    access::RoleGranted,
    pausable::Pausable,
    roles::{ESCROW_ROLE, PARAMETER_ADMIN_ROLE, PAUSER_ROLE},
};
use stylus_sdk::testing::TestVM;
use testing::{logs_of, Call as ModelCall, Model, ModelHost};

use super::*;

mod models;
mod proptests;
mod settlement;

pub(crate) use models::{EmissionsModel, FeedModel, TokenModel};

pub(crate) const TOKEN: Address = address!("00000000000000000000000000000000000c7c7c");
pub(crate) const FEED: Address = address!("00000000000000000000000000000000000fee0d");
pub(crate) const SEQUENCER: Address = address!("0000000000000000000000000000000000005e90");
pub(crate) const TREASURY: Address = address!("0000000000000000000000000000000000007eaf");
pub(crate) const ADMIN: Address = address!("000000000000000000000000000000000000a11c");
pub(crate) const ESCROW: Address = address!("000000000000000000000000000000000000e5c0");
pub(crate) const BUYER: Address = address!("0000000000000000000000000000000000000b0b");
pub(crate) const PROVIDER: Address = address!("0000000000000000000000000000000000000a0a");
pub(crate) const PROVIDER2: Address = address!("0000000000000000000000000000000000000a0b");
pub(crate) const CONTROLLER: Address = address!("00000000000000000000000000000000000c0111");
pub(crate) const EMISSIONS: Address = address!("000000000000000000000000000000000000e1e1");
pub(crate) const T0: u64 = 1_700_000_000;
pub(crate) const DAY: u64 = 86_400;

sol! {
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
    error ERC20ExceededCap(uint256 increasedSupply, uint256 cap);
}

pub(crate) fn ct(n: u64) -> U256 {
    U256::from(n) * WAD
}

/// 1.50 USD per CT with Chainlink's 8 decimals.
pub(crate) fn usd_8(cents: i64) -> I256 {
    I256::try_from(cents).unwrap() * I256::try_from(1_000_000).unwrap()
}

pub(crate) struct Fixture {
    pub host: ModelHost,
    pub bme: BmeController,
    pub token: Rc<RefCell<TokenModel>>,
    pub feed: Rc<RefCell<FeedModel>>,
    pub emissions: Rc<RefCell<EmissionsModel>>,
}

impl Fixture {
    pub fn vm(&self) -> &TestVM {
        &self.host.vm
    }

    /// Moves time to `t` and refreshes the price there.
    pub fn at(&self, t: u64) {
        self.vm().set_block_timestamp(t);
        self.feed.borrow_mut().updated_at = t;
    }

    /// BUYER approves and buys credits with `tokens` CT (wei).
    pub fn buy(&mut self, tokens: U256) -> U256 {
        self.token
            .borrow_mut()
            .allowances
            .insert((BUYER, CONTROLLER), tokens);
        self.vm().set_sender(BUYER);
        self.bme.buy_credits(tokens, U256::ZERO, BUYER).unwrap()
    }

    pub fn as_escrow<T>(&mut self, f: impl FnOnce(&mut BmeController) -> T) -> T {
        self.vm().set_sender(ESCROW);
        f(&mut self.bme)
    }
}

/// A controller over a token with `supply` of a 1e9 CT cap held by BUYER, a 1.50 USD feed, no
/// sequencer feed; ESCROW holds ESCROW_ROLE, ADMIN every admin role. Logs and calls cleared.
pub(crate) fn fixture_with(supply: U256, cap: U256) -> Fixture {
    let vm = TestVM::new();
    vm.set_contract_address(CONTROLLER);
    vm.set_block_timestamp(T0);
    let host = ModelHost::new(vm);
    let token = host.install(TOKEN, TokenModel::new(supply, cap));
    let feed = host.install(FEED, FeedModel::new(8, usd_8(150), T0));
    let emissions = host.install(EMISSIONS, EmissionsModel::new(token.clone(), T0, DAY));
    let mut bme = BmeController::from(&host);
    host.vm.set_sender(ADMIN);
    bme.constructor(TOKEN, FEED, Address::ZERO, TREASURY, EMISSIONS, ADMIN)
        .unwrap();
    bme.grant_role(ESCROW_ROLE, ESCROW).unwrap();
    bme.grant_role(PARAMETER_ADMIN_ROLE, ADMIN).unwrap();
    bme.grant_role(PAUSER_ROLE, ADMIN).unwrap();
    host.vm.clear_mocks();
    host.clear_calls();
    Fixture {
        host,
        bme,
        token,
        feed,
        emissions,
    }
}

pub(crate) fn fixture() -> Fixture {
    fixture_with(ct(650_000_000), ct(1_000_000_000))
}

/// Runs `f`, which must fail with `expected`, and proves it wrote no storage, logged nothing and
/// called no model.
fn assert_reverts<T: core::fmt::Debug>(
    fx: &mut Fixture,
    expected: Error,
    f: impl FnOnce(&mut BmeController) -> Result<T, Error>,
) {
    let before = fx.vm().snapshot();
    let calls_before = fx.host.calls().iter().filter(|c| !c.is_static).count();
    assert_eq!(f(&mut fx.bme).unwrap_err(), expected);
    let after = fx.vm().snapshot();
    assert_eq!(
        before.storage, after.storage,
        "storage changed by a failed call"
    );
    assert_eq!(
        before.emitted_logs, after.emitted_logs,
        "a failed call logged"
    );
    assert_eq!(
        fx.host.calls().iter().filter(|c| !c.is_static).count(),
        calls_before,
        "a failed call sent a mutating call"
    );
}

fn price_1_50() -> U256 {
    uint!(1_500_000_000_000_000_000_U256)
}

/// `CallFailed(target, data)` as the controller's error.
fn failed(target: Address, data: Vec<u8>) -> Error {
    common::errors::call_failed(target, data).into()
}

/// The failure of a call to the emissions contract.
fn emissions_failed(data: Vec<u8>) -> Error {
    failed(EMISSIONS, data)
}

// ---------------------------------------------------------------------------------------------
// Constructor
// ---------------------------------------------------------------------------------------------

#[test]
fn constructor_reads_the_feed_and_the_epoch_clock_and_sets_defaults() {
    let mut fx = fixture();
    assert_eq!(
        fx.bme.contracts(),
        (TOKEN, EMISSIONS, FEED, Address::ZERO, TREASURY)
    );
    for p in PARAMETERS {
        assert_eq!(fx.bme.parameter(p.name), Ok(p.default));
    }
    assert!(fx.bme.has_role(DEFAULT_ADMIN_ROLE, ADMIN));
    assert_eq!(fx.bme.price().unwrap(), price_1_50());
    // Epochs follow the emissions contract's clock (genesis T0, one day).
    fx.at(T0 + 2 * DAY + 5);
    fx.buy(ct(3));
    assert_eq!(fx.bme.epoch_stats(U256::from(2)).0, ct(3));
    assert_eq!(fx.bme.epoch_stats(U256::from(1)).0, U256::ZERO);
}

#[test]
fn constructor_emits_configuration_events() {
    let vm = TestVM::new();
    vm.set_contract_address(CONTROLLER);
    let host = ModelHost::new(vm);
    let token = host.install(TOKEN, TokenModel::new(U256::ZERO, ct(10)));
    host.install(FEED, FeedModel::new(18, I256::ONE, 0));
    host.install(EMISSIONS, EmissionsModel::new(token, 0, 3_600));
    let mut bme = BmeController::from(&host);
    host.vm.set_sender(ADMIN);
    bme.constructor(TOKEN, FEED, SEQUENCER, TREASURY, EMISSIONS, ADMIN)
        .unwrap();
    assert_eq!(
        logs_of::<PriceFeedUpdated>(&host.vm),
        vec![PriceFeedUpdated {
            feed: FEED,
            decimals: 18
        }]
    );
    assert_eq!(
        logs_of::<SequencerFeedUpdated>(&host.vm),
        vec![SequencerFeedUpdated { feed: SEQUENCER }]
    );
    assert_eq!(
        logs_of::<TreasuryUpdated>(&host.vm),
        vec![TreasuryUpdated { treasury: TREASURY }]
    );
    assert_eq!(logs_of::<RoleGranted>(&host.vm).len(), 1);
}

/// Constructs a controller; `epoch` is the emissions contract's epoch length (0 = broken clock).
fn try_construct(
    token: Address,
    feed: Address,
    treasury: Address,
    admin: Address,
    epoch: u64,
    decimals: u8,
) -> (TestVM, Result<(), Error>) {
    try_construct_with(token, feed, treasury, EMISSIONS, admin, epoch, decimals)
}

fn try_construct_with(
    token: Address,
    feed: Address,
    treasury: Address,
    emissions: Address,
    admin: Address,
    epoch: u64,
    decimals: u8,
) -> (TestVM, Result<(), Error>) {
    let vm = TestVM::new();
    let host = ModelHost::new(vm.clone());
    let token_model = host.install(TOKEN, TokenModel::new(U256::ZERO, ct(10)));
    host.install(FEED, FeedModel::new(decimals, I256::ONE, 0));
    host.install(EMISSIONS, EmissionsModel::new(token_model, 0, epoch));
    let mut bme = BmeController::from(&host);
    let before = vm.snapshot().storage;
    let result = bme.constructor(token, feed, Address::ZERO, treasury, emissions, admin);
    if result.is_err() {
        assert_eq!(vm.snapshot().storage, before, "failed constructor wrote");
        assert!(vm.get_emitted_logs().is_empty());
    }
    (vm, result)
}

#[test]
fn constructor_rejects_bad_arguments() {
    let zero = Address::ZERO;
    assert_eq!(
        try_construct(TOKEN, FEED, TREASURY, zero, DAY, 8)
            .1
            .unwrap_err(),
        Error::from(common::errors::invalid_admin(zero))
    );
    for (t, f, tr) in [
        (zero, FEED, TREASURY),
        (TOKEN, zero, TREASURY),
        (TOKEN, FEED, zero),
    ] {
        assert_eq!(
            try_construct(t, f, tr, ADMIN, DAY, 8).1.unwrap_err(),
            zero_address()
        );
    }
    assert_eq!(
        try_construct_with(TOKEN, FEED, TREASURY, zero, ADMIN, DAY, 8)
            .1
            .unwrap_err(),
        zero_address()
    );
    assert_eq!(
        try_construct(TOKEN, FEED, TREASURY, ADMIN, 0, 8)
            .1
            .unwrap_err(),
        emissions_failed(Vec::new()),
        "a zero epoch length is a broken emissions contract"
    );
    assert_eq!(
        try_construct_with(TOKEN, FEED, TREASURY, TREASURY, ADMIN, DAY, 8)
            .1
            .unwrap_err(),
        failed(TREASURY, Vec::new()),
        "an address without the emissions views"
    );
    assert_eq!(
        try_construct(TOKEN, FEED, TREASURY, ADMIN, DAY, 19)
            .1
            .unwrap_err(),
        Error::UnsupportedFeedDecimals(BmeUnsupportedFeedDecimals { decimals: 19 })
    );
    assert!(try_construct(TOKEN, FEED, TREASURY, ADMIN, 3_600, 0)
        .1
        .is_ok());
    assert!(try_construct(TOKEN, FEED, TREASURY, ADMIN, 30 * DAY, 18)
        .1
        .is_ok());
}

// ---------------------------------------------------------------------------------------------
// Price checks
// ---------------------------------------------------------------------------------------------

#[test]
fn price_rejects_non_positive_answers() {
    let mut fx = fixture();
    for answer in [I256::ZERO, I256::MINUS_ONE] {
        fx.feed.borrow_mut().answer = answer;
        assert_reverts(
            &mut fx,
            Error::InvalidPrice(BmeInvalidPrice { answer }),
            |b| b.price(),
        );
    }
}

#[test]
fn price_rejects_stale_answers_after_max_age() {
    let mut fx = fixture();
    fx.vm().set_block_timestamp(T0 + 600);
    assert_eq!(
        fx.bme.price().unwrap(),
        price_1_50(),
        "exactly maxPriceAge old is fresh"
    );
    fx.vm().set_block_timestamp(T0 + 601);
    assert_reverts(
        &mut fx,
        Error::StalePrice(BmeStalePrice {
            updatedAt: U256::from(T0),
            maxPriceAge: U256::from(600),
        }),
        |b| b.price(),
    );
}

#[test]
fn price_reports_a_failing_feed() {
    let mut fx = fixture();
    fx.feed.borrow_mut().broken = true;
    assert_reverts(&mut fx, failed(FEED, vec![]), |b| b.price());
}

fn with_sequencer(fx: &mut Fixture, status: i64, since: u64) {
    fx.host.install(
        SEQUENCER,
        FeedModel::new(0, I256::try_from(status).unwrap(), since),
    );
    fx.vm().set_sender(ADMIN);
    fx.bme.set_sequencer_feed(SEQUENCER).unwrap();
}

#[test]
fn price_checks_the_sequencer_and_its_grace_period() {
    let mut fx = fixture();
    with_sequencer(&mut fx, 1, T0 - 10 * DAY);
    assert_reverts(&mut fx, Error::SequencerDown(BmeSequencerDown {}), |b| {
        b.price()
    });

    with_sequencer(&mut fx, 0, T0 - 3_600);
    assert_reverts(
        &mut fx,
        Error::SequencerGracePeriodNotOver(BmeSequencerGracePeriodNotOver {
            startedAt: U256::from(T0 - 3_600),
            gracePeriod: U256::from(3_600),
        }),
        |b| b.price(),
    );
    with_sequencer(&mut fx, 0, T0 - 3_601);
    assert_eq!(fx.bme.price().unwrap(), price_1_50());
    // Chainlink's uptime feed answers startedAt == 0 before it is initialised: an invalid round.
    with_sequencer(&mut fx, 0, 0);
    assert_reverts(
        &mut fx,
        Error::SequencerRoundInvalid(BmeSequencerRoundInvalid {}),
        |b| b.price(),
    );
}

#[test]
fn quotes_round_tokens_up() {
    let fx = fixture();
    // 1 credit (1e-6 USD) at 1.50 USD/CT = 666,666,666,666.67 wei.
    assert_eq!(
        fx.bme.quote_tokens(U256::from(1)).unwrap(),
        U256::from(666_666_666_667u64)
    );
}

// ---------------------------------------------------------------------------------------------
// Buying credits
// ---------------------------------------------------------------------------------------------

#[test]
fn buy_credits_burns_and_credits_at_the_spread() {
    let mut fx = fixture();
    fx.token
        .borrow_mut()
        .allowances
        .insert((BUYER, CONTROLLER), ct(1_000));
    fx.vm().set_sender(BUYER);
    let credits = fx
        .bme
        .buy_credits(ct(1_000), U256::from(1_496_250_000u64), PROVIDER)
        .unwrap();
    // 1,000 CT × 1.50 USD = 1,500 USD, less 25 bps = 1,496.25 USD.
    assert_eq!(credits, U256::from(1_496_250_000u64));
    assert_eq!(
        fx.bme.credit_balance_of(PROVIDER),
        credits,
        "credited to the beneficiary"
    );
    assert_eq!(fx.bme.supply_stats().8, credits);
    assert_eq!(fx.bme.supply_stats().7, ct(1_000));
    assert_eq!(fx.bme.epoch_stats(U256::ZERO).0, ct(1_000));
    assert_eq!(fx.bme.supply_stats().0, ct(1_000));
    assert_eq!(fx.token.borrow().supply, ct(650_000_000 - 1_000));
    let mutating: Vec<_> = fx
        .host
        .calls()
        .into_iter()
        .filter(|c| !c.is_static)
        .collect();
    assert_eq!(mutating.len(), 1);
    assert_eq!(
        mutating[0].data,
        burnFromCall {
            account: BUYER,
            value: ct(1_000)
        }
        .abi_encode()
    );
    assert_eq!(
        logs_of::<CreditsPurchased>(fx.vm()),
        vec![CreditsPurchased {
            buyer: BUYER,
            beneficiary: PROVIDER,
            tokensBurned: ct(1_000),
            credits,
            price: price_1_50()
        }]
    );
}

/// The running totals and epoch figures are stored two to a slot, 128 bits each (lib.rs `T_…`):
/// a purchase may take the cumulative burn exactly to 2^128 − 1 wei, with its slot neighbours
/// (the treasury accrual beside `burned`, `fees` beside the epoch's `burned`) kept; one wei more
/// fails with `ArithmeticOverflow()` (on chain the whole call reverts).
#[test]
fn totals_fill_their_128_bit_half_and_then_revert() {
    let max = U256::from(u128::MAX);
    let mut fx = fixture_with(max, U256::MAX);
    fx.buy(ct(1_000));
    let first = fx.bme.supply_stats();
    fx.as_escrow(|b| b.lock_credits(BUYER, U256::from(1_000_000u64)))
        .unwrap();
    fx.as_escrow(|b| b.settle(BUYER, PROVIDER, U256::from(1_000_000u64), U256::ZERO))
        .unwrap();
    let settled = fx.bme.supply_stats();
    let fees = fx.bme.epoch_stats(U256::ZERO).5;
    assert!(
        !settled.6.is_zero() && !fees.is_zero(),
        "treasury and fees accrued"
    );
    // Burn everything else the buyer holds: `burned` reaches 2^128 − 1 exactly.
    let rest = max - ct(1_000);
    let credits = fx.buy(rest);
    let full = fx.bme.supply_stats();
    assert_eq!(full.0, max, "burned");
    assert_eq!(fx.bme.epoch_stats(U256::ZERO).0, max, "the epoch's burned");
    assert_eq!(full.6, settled.6, "treasury, burned's slot neighbour, kept");
    assert_eq!(
        fx.bme.epoch_stats(U256::ZERO).5,
        fees,
        "fees, its neighbour, kept"
    );
    assert_eq!(full.7, settled.7 + rest, "budget");
    assert_eq!(
        full.8,
        settled.8 + credits,
        "outstanding credits, budget's neighbour"
    );
    assert_eq!(first.0, ct(1_000));
    // One more wei of burn has no room.
    fx.token.borrow_mut().supply = max;
    fx.token.borrow_mut().balances.insert(BUYER, ct(1));
    fx.token
        .borrow_mut()
        .allowances
        .insert((BUYER, CONTROLLER), ct(1));
    fx.vm().set_sender(BUYER);
    assert_eq!(
        fx.bme.buy_credits(ct(1), U256::ZERO, BUYER).unwrap_err(),
        Error::Common(common::errors::overflow())
    );
}

#[test]
fn buy_credits_reverts_on_slippage_zero_credits_and_zero_beneficiary() {
    let mut fx = fixture();
    fx.token
        .borrow_mut()
        .allowances
        .insert((BUYER, CONTROLLER), U256::MAX);
    fx.vm().set_sender(BUYER);
    assert_reverts(
        &mut fx,
        Error::Slippage(BmeSlippage {
            credits: U256::from(1_496_250_000u64),
            minCredits: U256::from(1_496_250_001u64),
        }),
        |b| b.buy_credits(ct(1_000), U256::from(1_496_250_001u64), BUYER),
    );
    assert_reverts(&mut fx, Error::ZeroCredits(BmeZeroCredits {}), |b| {
        b.buy_credits(U256::from(1_000u64), U256::ZERO, BUYER)
    });
    assert_reverts(&mut fx, zero_address(), |b| {
        b.buy_credits(ct(1), U256::ZERO, Address::ZERO)
    });
}

#[test]
fn buy_credits_passes_the_tokens_revert_reason_through() {
    let mut fx = fixture();
    fx.vm().set_sender(BUYER);
    let reason = ERC20InsufficientAllowance {
        spender: CONTROLLER,
        allowance: U256::ZERO,
        needed: ct(1),
    }
    .abi_encode();
    // On chain the whole call reverts with this data; TestVM keeps the writes, so only the error
    // is asserted here.
    assert_eq!(
        fx.bme.buy_credits(ct(1), U256::ZERO, BUYER).unwrap_err(),
        failed(TOKEN, reason)
    );
}

#[test]
fn buy_credits_stops_while_paused_and_resumes() {
    let mut fx = fixture();
    fx.vm().set_sender(ADMIN);
    fx.bme.pause().unwrap();
    fx.token
        .borrow_mut()
        .allowances
        .insert((BUYER, CONTROLLER), ct(1));
    fx.vm().set_sender(BUYER);
    assert_reverts(
        &mut fx,
        Error::Common(CommonError::EnforcedPause(EnforcedPause {})),
        |b| b.buy_credits(ct(1), U256::ZERO, BUYER),
    );
    fx.vm().set_sender(ADMIN);
    fx.bme.unpause().unwrap();
    assert_eq!(fx.buy(ct(1)), U256::from(1_496_250u64));
}

// ---------------------------------------------------------------------------------------------
// Ledger
// ---------------------------------------------------------------------------------------------

#[test]
fn escrow_locks_and_unlocks_credits() {
    let mut fx = fixture();
    let credits = fx.buy(ct(100));
    fx.as_escrow(|b| b.lock_credits(BUYER, U256::from(40_000_000u64)))
        .unwrap();
    assert_eq!(fx.bme.locked_credits_of(BUYER), U256::from(40_000_000u64));
    assert_eq!(
        fx.bme.credit_balance_of(BUYER),
        credits - U256::from(40_000_000u64)
    );
    fx.as_escrow(|b| b.unlock_credits(BUYER, U256::from(15_000_000u64)))
        .unwrap();
    assert_eq!(fx.bme.locked_credits_of(BUYER), U256::from(25_000_000u64));
    assert_eq!(fx.bme.supply_stats().8, credits);
    assert_eq!(
        logs_of::<CreditsLocked>(fx.vm()),
        vec![CreditsLocked {
            account: BUYER,
            amount: U256::from(40_000_000u64)
        }]
    );
    assert_eq!(
        logs_of::<CreditsUnlocked>(fx.vm()),
        vec![CreditsUnlocked {
            account: BUYER,
            amount: U256::from(15_000_000u64)
        }]
    );
}

#[test]
fn locking_and_unlocking_revert_beyond_balances_and_for_non_escrows() {
    let mut fx = fixture();
    let credits = fx.buy(ct(1));
    fx.vm().set_sender(ESCROW);
    assert_reverts(
        &mut fx,
        insufficient(BUYER, credits, credits + U256::from(1)),
        |b| b.lock_credits(BUYER, credits + U256::from(1)),
    );
    assert_reverts(
        &mut fx,
        insufficient(BUYER, U256::ZERO, U256::from(1)),
        |b| b.unlock_credits(BUYER, U256::from(1)),
    );
    fx.vm().set_sender(BUYER);
    let unauthorized = Error::Common(CommonError::UnauthorizedAccount(
        AccessControlUnauthorizedAccount {
            account: BUYER,
            neededRole: ESCROW_ROLE,
        },
    ));
    assert_reverts(&mut fx, unauthorized, |b| {
        b.lock_credits(BUYER, U256::from(1))
    });
}

#[test]
fn parameters_are_bounded_and_logged() {
    let mut fx = fixture();
    fx.vm().set_sender(ADMIN);
    fx.bme.set_parameter(FEE_BPS, U256::from(1_000)).unwrap();
    assert_eq!(fx.bme.parameter(FEE_BPS), Ok(U256::from(1_000)));
    assert_eq!(
        logs_of::<ParameterUpdated>(fx.vm()),
        vec![ParameterUpdated {
            name: FEE_BPS,
            oldValue: U256::from(250),
            newValue: U256::from(1_000)
        }]
    );
    // Spread and fee can never reach 0 (a wash job must always lose the spread).
    assert_eq!(PARAMETERS[0].min, U256::from(1));
    assert_eq!(PARAMETERS[1].min, U256::from(1));
    for p in PARAMETERS {
        let over = p.max + U256::from(1);
        assert_reverts(&mut fx, out_of_bounds(p.name, over, p.min, p.max), |b| {
            b.set_parameter(p.name, over)
        });
        if p.min > U256::ZERO {
            let under = p.min - U256::from(1);
            assert_reverts(&mut fx, out_of_bounds(p.name, under, p.min, p.max), |b| {
                b.set_parameter(p.name, under)
            });
        }
    }
    let unknown = params::name("epochLength");
    let unknown_error = Error::Common(CommonError::UnknownParameter(UnknownParameter {
        name: unknown,
    }));
    assert_reverts(&mut fx, unknown_error, |b| {
        b.set_parameter(unknown, U256::ZERO)
    });
    assert_eq!(
        fx.bme.parameter(unknown),
        Err(Error::Common(CommonError::UnknownParameter(
            UnknownParameter { name: unknown }
        ))),
        "an unknown name reverts, as in every contract"
    );
    fx.vm().set_sender(BUYER);
    let unauthorized = Error::Common(CommonError::UnauthorizedAccount(
        AccessControlUnauthorizedAccount {
            account: BUYER,
            neededRole: PARAMETER_ADMIN_ROLE,
        },
    ));
    assert_reverts(&mut fx, unauthorized, |b| {
        b.set_parameter(FEE_BPS, U256::ZERO)
    });
}

fn out_of_bounds(name: B256, value: U256, min: U256, max: U256) -> Error {
    Error::Common(CommonError::ParameterOutOfBounds(ParameterOutOfBounds {
        name,
        value,
        min,
        max,
    }))
}

#[test]
fn feed_and_treasury_can_be_replaced_by_the_parameter_admin() {
    let mut fx = fixture();
    let other = address!("0000000000000000000000000000000000000fe2");
    fx.host.install(
        other,
        FeedModel::new(
            18,
            I256::try_from(2_000_000_000_000_000_000u128).unwrap(),
            T0,
        ),
    );
    fx.vm().set_sender(ADMIN);
    fx.bme.set_price_feed(other).unwrap();
    assert_eq!(fx.bme.price().unwrap(), ct(2));
    fx.bme.set_treasury(BUYER).unwrap();
    assert_eq!(fx.bme.contracts().4, BUYER);
    assert_reverts(&mut fx, zero_address(), |b| b.set_treasury(Address::ZERO));
    assert_reverts(&mut fx, zero_address(), |b| b.set_price_feed(Address::ZERO));
    assert_reverts(&mut fx, failed(PROVIDER, Vec::new()), |b| {
        b.set_price_feed(PROVIDER)
    });
}

/// The hand-written error encoding (see [`Error`]) equals alloy's `SolError::abi_encode`.
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
    let (a, b, c, d) = (
        U256::from(1),
        U256::MAX,
        U256::from(7),
        U256::from(1) << 200,
    );
    let name = B256::repeat_byte(0x5a);
    check(
        BmeInvalidPrice {
            answer: I256::MINUS_ONE,
        },
        Error::InvalidPrice,
    );
    check(
        BmeStalePrice {
            updatedAt: a,
            maxPriceAge: b,
        },
        Error::StalePrice,
    );
    check(BmeSequencerDown {}, Error::SequencerDown);
    check(
        BmeSequencerGracePeriodNotOver {
            startedAt: c,
            gracePeriod: d,
        },
        Error::SequencerGracePeriodNotOver,
    );
    check(BmeSequencerRoundInvalid {}, Error::SequencerRoundInvalid);
    check(
        BmeUnsupportedFeedDecimals { decimals: 255 },
        Error::UnsupportedFeedDecimals,
    );
    check(
        BmeSlippage {
            credits: a,
            minCredits: b,
        },
        Error::Slippage,
    );
    check(BmeZeroCredits {}, Error::ZeroCredits);
    check(BmeZeroAddress {}, Error::ZeroAddress);
    check(
        BmeInsufficientCredits {
            account: BUYER,
            available: c,
            needed: d,
        },
        Error::InsufficientCredits,
    );
    check(BmeNothingToClaim {}, Error::NothingToClaim);
    check(
        BmeNotIouOwner {
            id: d,
            caller: BUYER,
        },
        Error::NotIouOwner,
    );
    check(BmeTooManyIous { length: c, max: a }, Error::TooManyIous);
    for reason in [vec![], vec![1u8; 31], vec![2u8; 32], vec![3u8; 100]] {
        check_common(
            CallFailed {
                target: FEED,
                returnData: reason.into(),
            },
            CommonError::CallFailed,
        );
    }
    check_common(ArithmeticOverflow {}, CommonError::ArithmeticOverflow);
    check_common(UnknownParameter { name }, CommonError::UnknownParameter);
    check_common(
        ParameterOutOfBounds {
            name,
            value: a,
            min: c,
            max: b,
        },
        CommonError::ParameterOutOfBounds,
    );
    check_common(EnforcedPause {}, CommonError::EnforcedPause);
    check_common(ExpectedPause {}, CommonError::ExpectedPause);
    check_common(
        AccessControlInvalidDefaultAdmin {
            defaultAdmin: ADMIN,
        },
        CommonError::InvalidDefaultAdmin,
    );
    check_common(
        AccessControlUnauthorizedAccount {
            account: BUYER,
            neededRole: ESCROW_ROLE,
        },
        CommonError::UnauthorizedAccount,
    );
    check_common(
        AccessControlBadConfirmation {},
        CommonError::BadConfirmation,
    );
}
