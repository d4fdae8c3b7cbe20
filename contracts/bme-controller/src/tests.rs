//! Unit tests on a [`ModelHost`]: the SDK's `TestVM` plus in-memory models of the compute token and
//! the price feeds, so every call the controller makes gets its own answer and is recorded.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use alloy_primitives::{address, aliases::U80, uint, Address, I256};
use alloy_sol_types::{sol, SolCall, SolError, SolValue};
use common::{access::RoleGranted, pausable::Pausable};
use stylus_sdk::testing::TestVM;
use testing::{logs_of, Call as ModelCall, Model, ModelHost};

use super::*;

mod models;
mod proptests;

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

// ---------------------------------------------------------------------------------------------
// Constructor
// ---------------------------------------------------------------------------------------------

#[test]
fn constructor_reads_the_feed_and_the_epoch_clock_and_sets_defaults() {
    let mut fx = fixture();
    assert_eq!(fx.bme.token(), TOKEN);
    assert_eq!(fx.bme.emissions(), EMISSIONS);
    assert_eq!(fx.bme.price_feed(), FEED);
    assert_eq!(fx.bme.sequencer_feed(), Address::ZERO);
    assert_eq!(fx.bme.treasury(), TREASURY);
    for (name, default, _, _) in PARAMETERS {
        assert_eq!(fx.bme.parameter(name), U256::from(default));
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
        Error::InvalidDefaultAdmin(AccessControlInvalidDefaultAdmin { defaultAdmin: zero })
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
        emissions_failed(Vec::new()),
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
    assert_reverts(&mut fx, oracle_failed(FEED), |b| b.price());
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
}

#[test]
fn quotes_round_tokens_up_and_credits_down() {
    let fx = fixture();
    // 1 credit (1e-6 USD) at 1.50 USD/CT = 666,666,666,666.67 wei.
    assert_eq!(
        fx.bme.quote_tokens(U256::from(1)).unwrap(),
        U256::from(666_666_666_667u64)
    );
    assert_eq!(
        fx.bme.quote_credits(ct(1)).unwrap(),
        U256::from(1_500_000u64)
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
    assert_eq!(fx.bme.outstanding_credits(), credits);
    assert_eq!(fx.bme.burn_budget(), ct(1_000));
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
        token_failed(reason)
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
        Error::EnforcedPause(common::pausable::EnforcedPause {}),
        |b| b.buy_credits(ct(1), U256::ZERO, BUYER),
    );
    fx.vm().set_sender(ADMIN);
    fx.bme.unpause().unwrap();
    assert_eq!(fx.buy(ct(1)), U256::from(1_496_250u64));
}

#[test]
fn buy_credits_with_permit_uses_or_tolerates_the_permit() {
    let mut fx = fixture();
    fx.vm().set_sender(BUYER);
    let (r, s) = (B256::repeat_byte(1), B256::repeat_byte(2));
    let credits = fx
        .bme
        .buy_credits_with_permit(ct(10), U256::ZERO, BUYER, U256::MAX, 27, r, s)
        .unwrap();
    assert_eq!(credits, U256::from(14_962_500u64));
    let calls = fx.host.calls();
    assert_eq!(
        calls[0].data,
        permitCall {
            owner: BUYER,
            spender: CONTROLLER,
            value: ct(10),
            deadline: U256::MAX,
            v: 27,
            r,
            s
        }
        .abi_encode()
    );

    // A front-run permit: the permit call fails but the allowance is there.
    fx.token.borrow_mut().permit_ok = false;
    fx.token
        .borrow_mut()
        .allowances
        .insert((BUYER, CONTROLLER), ct(10));
    assert!(fx
        .bme
        .buy_credits_with_permit(ct(10), U256::ZERO, BUYER, U256::MAX, 27, r, s)
        .is_ok());

    // No permit and no allowance: the permit's revert data comes back.
    assert_eq!(
        fx.bme
            .buy_credits_with_permit(ct(10), U256::ZERO, BUYER, U256::MAX, 27, r, s)
            .unwrap_err(),
        token_failed(b"permit used".to_vec())
    );
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
    assert_eq!(fx.bme.outstanding_credits(), credits);
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
    let unauthorized =
        Error::UnauthorizedAccount(common::access::AccessControlUnauthorizedAccount {
            account: BUYER,
            neededRole: ESCROW_ROLE,
        });
    assert_reverts(&mut fx, unauthorized, |b| {
        b.lock_credits(BUYER, U256::from(1))
    });
}

// ---------------------------------------------------------------------------------------------
// Settlement
// ---------------------------------------------------------------------------------------------

fn settle(fx: &mut Fixture, credits: U256) -> U256 {
    fx.as_escrow(|b| b.lock_credits(BUYER, credits)).unwrap();
    fx.as_escrow(|b| b.settle(BUYER, PROVIDER, credits))
        .unwrap()
}

#[test]
fn settle_pays_from_the_burn_budget_and_splits_the_fee() {
    let mut fx = fixture();
    fx.buy(ct(2_000));
    fx.host.clear_calls();
    let paid = settle(&mut fx, U256::from(1_000_000_000u64)); // 1,000 USD
                                                              // fee = 2.5% = 25 USD; net 975 USD / 1.50 = 650 CT.
    assert_eq!(paid, ct(650));
    let fee_tokens = U256::from(16_666_666_666_666_666_666u128); // 25 USD / 1.50, rounded down
    let to_treasury = fee_tokens * U256::from(3_000) / U256::from(10_000);
    let retired = fee_tokens - to_treasury;
    assert_eq!(fx.token.borrow().balance(PROVIDER), ct(650));
    assert_eq!(fx.token.borrow().balance(TREASURY), to_treasury);
    assert_eq!(fx.bme.burn_budget(), ct(2_000) - ct(650) - fee_tokens);
    assert_eq!(fx.bme.locked_credits_of(BUYER), U256::ZERO);
    assert_eq!(
        fx.bme.epoch_stats(U256::ZERO),
        (
            ct(2_000),
            ct(650) + to_treasury,
            U256::ZERO,
            retired,
            U256::ZERO
        )
    );
    assert_eq!(
        fx.emissions.borrow().work,
        vec![(PROVIDER, U256::from(975_000_000u64))],
        "the net credits are recorded as the provider's work"
    );
    let (burned, reminted, from_reserve, total_retired, owed) = fx.bme.supply_stats();
    assert_eq!(
        reminted + total_retired + fx.bme.burn_budget(),
        burned,
        "invariant 2"
    );
    assert_eq!((from_reserve, owed), (U256::ZERO, U256::ZERO));
    assert!(
        !fx.host
            .calls()
            .iter()
            .any(|c| c.data[..4] == drawReserveCall::SELECTOR
                || c.data[..4] == emissionReserveCall::SELECTOR),
        "the budget covered it: the reserve is neither read nor drawn"
    );
    let mints: Vec<_> = fx
        .host
        .calls()
        .into_iter()
        .filter(|c| c.data[..4] == mintCall::SELECTOR)
        .collect();
    assert_eq!(
        mints[0].data,
        mintCall {
            to: PROVIDER,
            amount: ct(650)
        }
        .abi_encode()
    );
    assert_eq!(
        mints[1].data,
        mintCall {
            to: TREASURY,
            amount: to_treasury
        }
        .abi_encode()
    );
    assert_eq!(
        logs_of::<Settled>(fx.vm()),
        vec![Settled {
            payer: BUYER,
            provider: PROVIDER,
            credits: U256::from(1_000_000_000u64),
            fee: U256::from(25_000_000u64),
            tokensPaid: ct(650),
            price: price_1_50()
        }]
    );
    assert_eq!(
        logs_of::<FeeDistributed>(fx.vm()),
        vec![FeeDistributed {
            epoch: U256::ZERO,
            treasuryAmount: to_treasury,
            retired
        }]
    );
    assert!(logs_of::<OwedRecorded>(fx.vm()).is_empty());
}

#[test]
fn settle_falls_back_to_the_reserve_and_then_to_an_iou() {
    // Reserve of 100 CT: supply 999,999,900 of a 1e9 cap.
    let mut fx = fixture_with(ct(999_999_900), ct(1_000_000_000));
    fx.buy(ct(20)); // budget 20 CT, 29.925 USD of credits
                    // The price halves: 0.75 USD. 29.925 USD of credits now need ~38.9 CT net.
    fx.feed.borrow_mut().answer = usd_8(75);
    let credits = fx.bme.credit_balance_of(BUYER);
    let paid = settle(&mut fx, credits);
    let fee = fee_up(credits, U256::from(250)).unwrap();
    let owed = tokens_for_credits_down(credits - fee, uint!(750_000_000_000_000_000_U256)).unwrap();
    assert_eq!(paid, owed, "budget 20 CT + reserve cover it");
    assert_eq!(fx.bme.burn_budget(), U256::ZERO);
    assert_eq!(fx.emissions.borrow().reserve, ct(100) - (owed - ct(20)));
    assert_eq!(fx.bme.epoch_stats(U256::ZERO).2, owed - ct(20));
    assert_eq!(fx.bme.supply_stats().2, fx.emissions.borrow().drawn);
    let draws: Vec<_> = fx
        .host
        .calls()
        .into_iter()
        .filter(|c| c.data[..4] == drawReserveCall::SELECTOR)
        .map(|c| (c.to, c.data))
        .collect();
    assert_eq!(
        draws,
        vec![(
            EMISSIONS,
            drawReserveCall {
                to: PROVIDER,
                amount: owed - ct(20)
            }
            .abi_encode()
        )]
    );
    assert_eq!(fx.token.borrow().balance(PROVIDER), owed);
    assert_eq!(
        fx.token.borrow().balance(TREASURY),
        U256::ZERO,
        "no budget left for the fee"
    );

    // Drain the reserve: an IOU is recorded for what neither can pay.
    let mut fx = fixture_with(ct(1_000_000_000) - ct(20), ct(1_000_000_000));
    fx.buy(ct(20));
    fx.feed.borrow_mut().answer = usd_8(50);
    let credits = fx.bme.credit_balance_of(BUYER);
    let owed = tokens_for_credits_down(
        credits - fee_up(credits, U256::from(250)).unwrap(),
        uint!(500_000_000_000_000_000_U256),
    )
    .unwrap();
    let paid = settle(&mut fx, credits);
    // Budget 20 + reserve 20 (the buy burned 20 CT, freeing cap room that the reserve does not see).
    assert_eq!(paid, ct(40));
    assert_eq!(fx.bme.owed_to(PROVIDER), owed - ct(40));
    assert_eq!(fx.bme.epoch_stats(U256::ZERO).4, owed - ct(40));
    assert_eq!(
        logs_of::<OwedRecorded>(fx.vm()),
        vec![OwedRecorded {
            provider: PROVIDER,
            amount: owed - ct(40)
        }]
    );
    assert!(fx.token.borrow().supply <= fx.token.borrow().cap);

    // The budget refills with new purchases; the provider claims what it is owed.
    fx.token.borrow_mut().balances.insert(BUYER, ct(1_000));
    fx.buy(ct(1_000));
    fx.vm().set_sender(PROVIDER);
    let claimed = fx.bme.claim_owed().unwrap();
    assert_eq!(claimed, owed - ct(40));
    assert_eq!(fx.bme.owed_to(PROVIDER), U256::ZERO);
    assert_eq!(fx.token.borrow().balance(PROVIDER), owed);
    assert_eq!(
        logs_of::<OwedClaimed>(fx.vm()),
        vec![OwedClaimed {
            provider: PROVIDER,
            amount: claimed
        }]
    );
    assert_reverts(&mut fx, Error::NothingToClaim(BmeNothingToClaim {}), |b| {
        b.claim_owed()
    });
}

#[test]
fn settle_reverts_for_bad_callers_and_amounts() {
    let mut fx = fixture();
    fx.buy(ct(10));
    fx.as_escrow(|b| b.lock_credits(BUYER, U256::from(1_000u64)))
        .unwrap();
    fx.vm().set_sender(ESCROW);
    assert_reverts(
        &mut fx,
        insufficient(BUYER, U256::from(1_000u64), U256::from(1_001u64)),
        |b| b.settle(BUYER, PROVIDER, U256::from(1_001u64)),
    );
    assert_reverts(&mut fx, zero_address(), |b| {
        b.settle(BUYER, Address::ZERO, U256::from(1u64))
    });
    fx.vm().set_block_timestamp(T0 + 601);
    assert_reverts(
        &mut fx,
        Error::StalePrice(BmeStalePrice {
            updatedAt: U256::from(T0),
            maxPriceAge: U256::from(600),
        }),
        |b| b.settle(BUYER, PROVIDER, U256::from(1u64)),
    );
    fx.vm().set_sender(BUYER);
    let unauthorized =
        Error::UnauthorizedAccount(common::access::AccessControlUnauthorizedAccount {
            account: BUYER,
            neededRole: ESCROW_ROLE,
        });
    assert_reverts(&mut fx, unauthorized, |b| {
        b.settle(BUYER, PROVIDER, U256::from(1u64))
    });
}

#[test]
fn settlement_works_while_paused() {
    let mut fx = fixture();
    fx.buy(ct(10));
    fx.vm().set_sender(ADMIN);
    fx.bme.pause().unwrap();
    assert!(settle(&mut fx, U256::from(1_000_000u64)) > U256::ZERO);
}

/// A failing emissions contract fails the settlement with its revert data, all of it rolled back.
#[test]
fn settle_reports_a_failing_emissions_contract() {
    let mut fx = fixture_with(ct(999_999_900), ct(1_000_000_000));
    fx.buy(ct(20));
    fx.feed.borrow_mut().answer = usd_8(75); // the budget no longer covers it: a reserve draw
    let credits = fx.bme.credit_balance_of(BUYER);
    fx.as_escrow(|b| b.lock_credits(BUYER, credits)).unwrap();
    fx.host.install(EMISSIONS, Reverting(b"nope".to_vec()));
    let result = fx.as_escrow(|b| b.settle(BUYER, PROVIDER, credits));
    assert_eq!(result.unwrap_err(), emissions_failed(b"nope".to_vec()));
}

/// A model that reverts every call with `0`.
struct Reverting(Vec<u8>);

impl Model for Reverting {
    fn call(&mut self, _: &ModelCall) -> Result<Vec<u8>, Vec<u8>> {
        Err(self.0.clone())
    }
}

#[test]
fn parameters_are_bounded_and_logged() {
    let mut fx = fixture();
    fx.vm().set_sender(ADMIN);
    fx.bme.set_parameter(FEE_BPS, U256::from(1_000)).unwrap();
    assert_eq!(fx.bme.parameter(FEE_BPS), U256::from(1_000));
    assert_eq!(
        logs_of::<ParameterUpdated>(fx.vm()),
        vec![ParameterUpdated {
            name: FEE_BPS,
            oldValue: U256::from(250),
            newValue: U256::from(1_000)
        }]
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
            |b| b.set_parameter(name, U256::from(max) + U256::from(1)),
        );
        if min > 0 {
            assert_reverts(
                &mut fx,
                out_of_bounds(name, U256::from(min - 1), U256::from(min), U256::from(max)),
                |b| b.set_parameter(name, U256::from(min - 1)),
            );
        }
    }
    let unknown = params::name("epochLength");
    assert_reverts(
        &mut fx,
        Error::UnknownParameter(BmeUnknownParameter { name: unknown }),
        |b| b.set_parameter(unknown, U256::ZERO),
    );
    fx.vm().set_sender(BUYER);
    let unauthorized =
        Error::UnauthorizedAccount(common::access::AccessControlUnauthorizedAccount {
            account: BUYER,
            neededRole: PARAMETER_ADMIN_ROLE,
        });
    assert_reverts(&mut fx, unauthorized, |b| {
        b.set_parameter(FEE_BPS, U256::ZERO)
    });
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
    assert_eq!(fx.bme.treasury(), BUYER);
    assert_reverts(&mut fx, zero_address(), |b| b.set_treasury(Address::ZERO));
    assert_reverts(&mut fx, zero_address(), |b| b.set_price_feed(Address::ZERO));
    assert_reverts(&mut fx, oracle_failed(PROVIDER), |b| {
        b.set_price_feed(PROVIDER)
    });
}

#[test]
fn collateral_ratio_compares_budget_value_to_outstanding_credits() {
    let mut fx = fixture();
    assert_eq!(fx.bme.collateral_ratio_wad().unwrap(), U256::MAX);
    fx.buy(ct(1_000));
    // 1,500 USD of budget over 1,496.25 USD of credits.
    assert_eq!(
        fx.bme.collateral_ratio_wad().unwrap(),
        ct(1_000) * price_1_50()
            / (U256::from(1_496_250_000u64) * U256::from(1_000_000_000_000u64))
    );
}

/// The hand-written error encoding (see [`Error`]) equals alloy's `SolError::abi_encode`.
#[test]
fn errors_encode_as_their_solidity_errors() {
    fn check<T: SolError + Clone>(e: T, wrap: fn(T) -> Error) {
        assert_eq!(Vec::<u8>::from(wrap(e.clone())), e.abi_encode());
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
    check(BmeOracleCallFailed { feed: FEED }, Error::OracleCallFailed);
    check(
        BmeUnsupportedFeedDecimals { decimals: 255 },
        Error::UnsupportedFeedDecimals,
    );
    for reason in [vec![], vec![1u8; 31], vec![2u8; 32], vec![3u8; 100]] {
        check(
            BmeTokenCallFailed {
                reason: reason.clone().into(),
            },
            Error::TokenCallFailed,
        );
        check(
            BmeEmissionsCallFailed {
                reason: reason.into(),
            },
            Error::EmissionsCallFailed,
        );
    }
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
    check(BmeAmountTooLarge {}, Error::AmountTooLarge);
    check(BmeUnknownParameter { name }, Error::UnknownParameter);
    check(
        BmeParameterOutOfBounds {
            name,
            value: a,
            min: c,
            max: b,
        },
        Error::ParameterOutOfBounds,
    );
    check(BmeNothingToClaim {}, Error::NothingToClaim);
    check(common::pausable::EnforcedPause {}, Error::EnforcedPause);
    check(common::pausable::ExpectedPause {}, Error::ExpectedPause);
    check(
        AccessControlInvalidDefaultAdmin {
            defaultAdmin: ADMIN,
        },
        Error::InvalidDefaultAdmin,
    );
    check(
        common::access::AccessControlUnauthorizedAccount {
            account: BUYER,
            neededRole: ESCROW_ROLE,
        },
        Error::UnauthorizedAccount,
    );
    check(
        common::access::AccessControlBadConfirmation {},
        Error::BadConfirmation,
    );
}
