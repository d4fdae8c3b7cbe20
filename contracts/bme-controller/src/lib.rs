//! # BmeController
//!
//! The burn-and-mint equilibrium of compute-market (DESIGN.md §4; Helium Data Credits, Akash AEP-76,
//! Render RNP-001). Buyers burn CT for non-transferable USD compute credits at a checked oracle price;
//! the job escrow locks, unlocks and settles credits; a settlement pays the provider in CT re-minted from
//! the **burn budget** first, then from the **emission reserve** (drawn through the Emissions contract,
//! `contracts/emissions`), then as an IOU (`owedTo`), and records the net credits as the provider's work
//! for the epoch's emission, which Emissions finalises and pays.
//!
//! Units: tokens in wei of CT (1e18 = 1 CT); credits with 6 decimals (1e6 = 1 USD); prices in USD per
//! CT scaled by 1e18; rates in basis points, or wad (1e18 = 100%) where a name ends in `Wad`; times in
//! unix seconds; epochs are Emissions' (its `genesisTime` and `epochLength`, copied at construction).
//!
//! Formulas (rounding favours solvency: payouts down, fees and token quotes up; see [`math`]):
//! - buy: `credits = floor(tokens × price × (1 − mintSpreadBps) / 1e30)`; `tokens` join the burn budget.
//! - settle `credits`: `fee = ceil(credits × feeBps)`, `net = credits − fee`,
//!   `tokensOwed = floor(net × 1e30 / price)`, paid from the budget, then `Emissions.drawReserve` up to
//!   `Emissions.emissionReserve()`, the rest owed; then `Emissions.recordWork(provider, net)`.
//!   Of the fee's token value `floor(fee × 1e30 / price)`, `1 − feeBurnShareBps` is re-minted to the
//!   treasury (rounded down) and the remainder retired from the budget for good (both capped by what the
//!   budget holds).
//!
//! ## Security considerations
//! - **Roles.** `ESCROW_ROLE` (the job escrow) moves credits and triggers mints, so it must hold no other
//!   code paths; `PARAMETER_ADMIN_ROLE` (a timelock) sets bounded parameters and the feed, sequencer feed
//!   and treasury addresses; `PAUSER_ROLE` stops `buyCredits*` only; `DEFAULT_ADMIN_ROLE` grants roles.
//! - **Oracle.** Every price is checked: `answer > 0`, `updatedAt` at most `maxPriceAge` old, and, when a
//!   sequencer-uptime feed is set, the sequencer up for more than `sequencerGracePeriod` (Chainlink's L2
//!   pattern). A manipulated feed mis-prices credits; the feed must be a real Chainlink feed on real
//!   networks (`ManualPriceFeed` is for dev chains only).
//! - **Supply cap.** The controller mints only from the burn budget (tokens burned here and not yet
//!   re-minted or retired); Emissions mints reserve draws (`cap − totalSupply` at its construction, never
//!   refilled), so the token's `MAX_SUPPLY` is never exceeded; what neither can pay is an IOU instead.
//!   Emissions must exist before the first purchase (its reserve must not count burned tokens twice).
//! - **Checks-effects-interactions.** Every function checks (reading the feeds and the reserve), writes its
//!   state and emits its events, then calls the token (burnFrom / mint / permit) and Emissions
//!   (drawReserve of exactly the amount read, recordWork) last. The controller calls only the token,
//!   Emissions and the feeds.
//! - **Bounded work.** No loop at all; no function touches a user or provider list.
//! - **Pause** stops new credit purchases only; locks, unlocks, settlements and IOU claims go on.
//!
//! ## Invariants
//! 1. `outstandingCredits() = Σ creditBalanceOf(a) + Σ lockedCreditsOf(a)` (DESIGN.md §9.3).
//! 2. `reminted + retired + burnBudget() = burned`, so `reminted + retired ≤ burned` (§9.2).
//! 3. `mintedFromReserve` (`supplyStats()`) = Emissions' `drawn`: every reserve draw is one the
//!    controller asked for; Emissions keeps `emitted + drawn + reserve = initialReserve`.
//! 4. Credits never move between accounts: only `settle` consumes locked credits, only `buyCredits*`
//!    creates them.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]
// stylus-proc generates undocumented items (`user_entrypoint`, export-abi structs) outside test
// builds; docs stay enforced in the test build, which `cargo clippy --all-targets` checks.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
// `Error` is the ABI's custom-error union (its largest variant holds four words); boxing it would add
// allocation code to every revert path of a program that must stay small.
#![allow(clippy::result_large_err)]

extern crate alloc;

pub mod calls;
pub mod interface;
pub mod math;

#[cfg(test)]
mod tests;

use alloc::vec::Vec;

use alloy_primitives::{aliases::U64, Address, B256, U256};
use alloy_sol_types::{SolCall, SolEvent};
use common::abi_words::{addr_word, encode_static, uint_word};
use common::{
    access::{AccessControl, AccessControlInvalidDefaultAdmin, Roles},
    params::{self, ParameterUpdated},
    pausable::{Pausable, PauseState},
    roles::{DEFAULT_ADMIN_ROLE, ESCROW_ROLE, PARAMETER_ADMIN_ROLE, PAUSER_ROLE},
};
use stylus_sdk::{
    call::{call, static_call},
    prelude::*,
    storage::{StorageAddress, StorageMap, StorageU256, StorageU64, StorageU8},
    stylus_core::calls::errors::Error as CallError,
};

use crate::{calls::*, interface::*, math::*};

/// `bytes32("mintSpreadBps")`: share of a purchase kept as spread, bps; default 25, at most 1,000.
pub const MINT_SPREAD_BPS: B256 = params::name("mintSpreadBps");
/// `bytes32("feeBps")`: protocol fee on settled credits, bps; default 250, at most 1,000.
pub const FEE_BPS: B256 = params::name("feeBps");
/// `bytes32("feeBurnShareBps")`: share of the fee retired for good, bps; default 7,000, at most 10,000.
pub const FEE_BURN_SHARE_BPS: B256 = params::name("feeBurnShareBps");
/// `bytes32("maxPriceAge")`: oldest accepted price, seconds; default 600, from 60 to 86,400.
pub const MAX_PRICE_AGE: B256 = params::name("maxPriceAge");
/// `bytes32("sequencerGracePeriod")`: wait after the sequencer comes back, seconds; default 3,600, at
/// most 86,400.
pub const SEQUENCER_GRACE_PERIOD: B256 = params::name("sequencerGracePeriod");
/// `(name, default, min, max)` of every settable parameter.
const PARAMETERS: [(B256, u64, u64, u64); 5] = [
    (MINT_SPREAD_BPS, 25, 0, 1_000),
    (FEE_BPS, 250, 0, 1_000),
    (FEE_BURN_SHARE_BPS, 7_000, 0, 10_000),
    (MAX_PRICE_AGE, 600, 60, 86_400),
    (SEQUENCER_GRACE_PERIOD, 3_600, 0, 86_400),
];

/// One epoch's burn-side accounting (the emission side is in the emissions contract).
#[storage]
pub struct EpochData {
    /// CT (wei) burned for credits during the epoch.
    burned: StorageU256,
    /// CT re-minted from the burn budget (provider payouts, fee to treasury, IOU claims).
    reminted: StorageU256,
    /// CT drawn from the emission reserve to pay settlements the budget could not cover.
    minted_from_reserve: StorageU256,
    /// CT of fees retired from the budget for good.
    fees_burned: StorageU256,
    /// CT recorded as owed (IOUs) because neither the budget nor the reserve could pay.
    owed_recorded: StorageU256,
}

/// The controller's storage and entrypoint.
#[storage]
#[entrypoint]
pub struct BmeController {
    /// The compute token.
    token: StorageAddress,
    /// AggregatorV3 CT/USD feed.
    price_feed: StorageAddress,
    /// `decimals()` of `price_feed`, read when it is set.
    feed_decimals: StorageU8,
    /// AggregatorV3 L2 sequencer-uptime feed (0 = up, 1 = down); zero address = none.
    sequencer_feed: StorageAddress,
    /// Receives the treasury part of settlement fees.
    treasury: StorageAddress,
    /// The emissions contract: holds the emission reserve, records work, pays epoch rewards.
    emissions: StorageAddress,
    /// Free credits per account.
    credits: StorageMap<Address, StorageU256>,
    /// Credits locked by the escrow per account.
    locked: StorageMap<Address, StorageU256>,
    /// Σ free + Σ locked credits.
    outstanding: StorageU256,
    /// CT burned for credits and not yet re-minted or retired.
    burn_budget: StorageU256,
    /// CT owed to each provider (IOUs).
    owed: StorageMap<Address, StorageU256>,
    /// Σ owed.
    total_owed: StorageU256,
    /// Cumulative CT burned for credits.
    total_burned: StorageU256,
    /// Cumulative CT re-minted from the budget.
    total_reminted: StorageU256,
    /// Cumulative CT drawn from the emission reserve for settlements.
    total_minted_from_reserve: StorageU256,
    /// Cumulative CT of fees retired.
    total_retired: StorageU256,
    /// Start of epoch 0, unix seconds (the emissions contract's `genesisTime()`).
    genesis_time: StorageU64,
    /// Seconds per epoch (the emissions contract's `epochLength()`).
    epoch_length: StorageU64,
    /// `epochs[e]`.
    epochs: StorageMap<u64, EpochData>,
    /// The parameters of [`PARAMETERS`], in that order.
    parameters: StorageMap<B256, StorageU256>,
    /// Role-based access control.
    roles: Roles,
    /// Pause of new business.
    pause_state: PauseState,
}

fn zero_address() -> Error {
    Error::ZeroAddress(BmeZeroAddress {})
}

fn token_failed(reason: Vec<u8>) -> Error {
    Error::TokenCallFailed(BmeTokenCallFailed {
        reason: reason.into(),
    })
}

fn emissions_failed(reason: Vec<u8>) -> Error {
    Error::EmissionsCallFailed(BmeEmissionsCallFailed {
        reason: reason.into(),
    })
}

fn oracle_failed(feed: Address) -> Error {
    Error::OracleCallFailed(BmeOracleCallFailed { feed })
}

fn add(a: U256, b: U256) -> Result<U256, Error> {
    a.checked_add(b).ok_or_else(too_large)
}

#[public]
#[implements(AccessControl, Pausable)]
impl BmeController {
    /// Initialises the controller: reads the feed's `decimals()` and the emissions contract's epoch
    /// clock (`genesisTime()`, `epochLength()`, so both contracts number epochs alike) and sets default
    /// parameters.
    ///
    /// # Arguments
    /// * `token` - the compute token (this contract needs its `MINTER_ROLE`).
    /// * `price_feed` - AggregatorV3 CT/USD feed with 0–18 decimals.
    /// * `sequencer_feed` - Chainlink L2 sequencer-uptime feed, or zero for none.
    /// * `treasury` - receives the treasury part of settlement fees.
    /// * `emissions` - the emissions contract (this contract needs its `SETTLER_ROLE`).
    /// * `admin` - receives `DEFAULT_ADMIN_ROLE`.
    ///
    /// # Errors
    /// `AccessControlInvalidDefaultAdmin(admin)`, `BmeZeroAddress()` (token, feed, treasury or
    /// emissions), `BmeOracleCallFailed(feed)`, `BmeUnsupportedFeedDecimals(d)`,
    /// `BmeEmissionsCallFailed(reason)` (a clock view failed, or reported a zero epoch length).
    ///
    /// # Events
    /// `RoleGranted`, `PriceFeedUpdated`, `SequencerFeedUpdated`, `TreasuryUpdated`.
    #[constructor]
    pub fn constructor(
        &mut self,
        token: Address,
        price_feed: Address,
        sequencer_feed: Address,
        treasury: Address,
        emissions: Address,
        admin: Address,
    ) -> Result<(), Error> {
        if admin.is_zero() {
            return Err(Error::InvalidDefaultAdmin(
                AccessControlInvalidDefaultAdmin {
                    defaultAdmin: admin,
                },
            ));
        }
        if token.is_zero() || price_feed.is_zero() || treasury.is_zero() || emissions.is_zero() {
            return Err(zero_address());
        }
        let decimals = self.feed_decimals_of(price_feed)?;
        let genesis = self.view_uint(
            emissions,
            calls::no_args(genesisTimeCall::SELECTOR),
            emissions_failed,
        )?;
        let length = self.view_uint(
            emissions,
            calls::no_args(epochLengthCall::SELECTOR),
            emissions_failed,
        )?;
        let (Ok(genesis), Ok(length @ 1..)) = (u64::try_from(genesis), u64::try_from(length))
        else {
            return Err(emissions_failed(Vec::new()));
        };

        self.token.set(token);
        self.emissions.set(emissions);
        self.genesis_time.set(U64::from(genesis));
        self.epoch_length.set(U64::from(length));
        for (name, default, _, _) in PARAMETERS {
            self.parameters.insert(name, U256::from(default));
        }
        self.roles._grant_role(DEFAULT_ADMIN_ROLE, admin);
        self._set_price_feed(price_feed, decimals);
        self._set_sequencer_feed(sequencer_feed);
        self._set_treasury(treasury);
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // Buying credits
    // ------------------------------------------------------------------------------------------

    /// Burns `token_amount` CT (wei) of the caller's (needs an allowance for this contract) and credits
    /// `beneficiary` with `floor(tokens × price × (1 − mintSpreadBps) / 1e30)` credits. Returns them.
    ///
    /// # Errors
    /// `EnforcedPause()`, `BmeZeroAddress()` (beneficiary), the price errors of [`Self::price`],
    /// `BmeZeroCredits()`, `BmeSlippage(credits, minCredits)`, `BmeAmountTooLarge()`,
    /// `BmeTokenCallFailed(reason)` (e.g. the token's `ERC20InsufficientAllowance`).
    ///
    /// # Events
    /// `CreditsPurchased(buyer, beneficiary, tokensBurned, credits, price)`; the token's `Transfer` to 0.
    pub fn buy_credits(
        &mut self,
        token_amount: U256,
        min_credits: U256,
        beneficiary: Address,
    ) -> Result<U256, Error> {
        self.pause_state.when_not_paused()?;
        self._buy_credits(token_amount, min_credits, beneficiary)
    }

    /// [`Self::buy_credits`] with an EIP-2612 permit for `token_amount` signed by the caller, in one
    /// transaction. A permit that fails (e.g. already used by a front-runner) is ignored when the
    /// allowance already covers `token_amount`.
    ///
    /// # Errors
    /// As [`Self::buy_credits`]; `BmeTokenCallFailed(reason)` with the permit's revert data when the
    /// permit fails and the allowance does not cover the amount.
    #[allow(clippy::too_many_arguments)]
    pub fn buy_credits_with_permit(
        &mut self,
        token_amount: U256,
        min_credits: U256,
        beneficiary: Address,
        deadline: U256,
        v: u8,
        r: B256,
        s: B256,
    ) -> Result<U256, Error> {
        self.pause_state.when_not_paused()?;
        let buyer = self.vm().msg_sender();
        let this = self.vm().contract_address();
        let data = calls::permit(buyer, this, token_amount, deadline, v, r, s);
        if let Err(reason) = self.token_call(data) {
            let allowance = self.view_uint(
                self.token.get(),
                calls::allowance(buyer, this),
                token_failed,
            )?;
            if allowance < token_amount {
                return Err(reason);
            }
        }
        self._buy_credits(token_amount, min_credits, beneficiary)
    }

    // ------------------------------------------------------------------------------------------
    // Price and quotes
    // ------------------------------------------------------------------------------------------

    /// The checked CT/USD price, scaled to 1e18 (USD per CT).
    ///
    /// # Errors
    /// `BmeSequencerDown()`, `BmeSequencerGracePeriodNotOver(startedAt, gracePeriod)`,
    /// `BmeInvalidPrice(answer)` (`answer <= 0`), `BmeStalePrice(updatedAt, maxPriceAge)`,
    /// `BmeOracleCallFailed(feed)`, `BmeAmountTooLarge()`.
    pub fn price(&self) -> Result<U256, Error> {
        self.checked_price()
    }

    /// CT (wei) worth `credits` at [`Self::price`], no spread or fee, rounded up (sizes stake locks and
    /// dispute bonds).
    ///
    /// # Errors
    /// The price errors; `BmeAmountTooLarge()`.
    pub fn quote_tokens(&self, credits: U256) -> Result<U256, Error> {
        quote_tokens_up(credits, self.checked_price()?).ok_or_else(too_large)
    }

    /// Credits worth `tokens` CT (wei) at [`Self::price`], no spread or fee, rounded down.
    ///
    /// # Errors
    /// The price errors; `BmeAmountTooLarge()`.
    pub fn quote_credits(&self, tokens: U256) -> Result<U256, Error> {
        quote_credits(tokens, self.checked_price()?).ok_or_else(too_large)
    }

    // ------------------------------------------------------------------------------------------
    // Credit ledger
    // ------------------------------------------------------------------------------------------

    /// Free credits of `account` (1e6 = 1 USD).
    pub fn credit_balance_of(&self, account: Address) -> U256 {
        self.credits.get(account)
    }

    /// Credits of `account` locked by the escrow.
    pub fn locked_credits_of(&self, account: Address) -> U256 {
        self.locked.get(account)
    }

    /// Σ free + Σ locked credits.
    pub fn outstanding_credits(&self) -> U256 {
        self.outstanding.get()
    }

    /// Moves `amount` of `account`'s free credits to locked. Only `ESCROW_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, ESCROW_ROLE)`,
    /// `BmeInsufficientCredits(account, free, amount)`.
    ///
    /// # Events
    /// `CreditsLocked(account, amount)`.
    pub fn lock_credits(&mut self, account: Address, amount: U256) -> Result<(), Error> {
        self.roles.only_role(ESCROW_ROLE)?;
        let free = self.credits.get(account);
        if free < amount {
            return Err(insufficient(account, free, amount));
        }
        // Cannot wrap: amount <= free; locked + amount <= outstanding.
        self.credits.insert(account, free.wrapping_sub(amount));
        let locked = self.locked.get(account);
        self.locked.insert(account, locked.wrapping_add(amount));
        self.emit(
            &[CreditsLocked::SIGNATURE_HASH, addr_word(account)],
            &[uint_word(amount)],
        );
        Ok(())
    }

    /// Moves `amount` of `account`'s locked credits back to free. Only `ESCROW_ROLE`; works while
    /// paused.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, ESCROW_ROLE)`,
    /// `BmeInsufficientCredits(account, locked, amount)`.
    ///
    /// # Events
    /// `CreditsUnlocked(account, amount)`.
    pub fn unlock_credits(&mut self, account: Address, amount: U256) -> Result<(), Error> {
        self.roles.only_role(ESCROW_ROLE)?;
        let locked = self.locked.get(account);
        if locked < amount {
            return Err(insufficient(account, locked, amount));
        }
        // Cannot wrap: amount <= locked; free + amount <= outstanding.
        self.locked.insert(account, locked.wrapping_sub(amount));
        let free = self.credits.get(account);
        self.credits.insert(account, free.wrapping_add(amount));
        self.emit(
            &[CreditsUnlocked::SIGNATURE_HASH, addr_word(account)],
            &[uint_word(amount)],
        );
        Ok(())
    }

    /// Consumes `credits` of `payer`'s locked credits for work `provider` did: charges the fee, pays
    /// the provider the net value in CT (budget, then reserve, then IOU), distributes the fee, and adds
    /// the net credits to the provider's work in the current epoch. Returns the CT (wei) minted to the
    /// provider now. Only `ESCROW_ROLE`; works while paused.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, ESCROW_ROLE)`, `BmeZeroAddress()` (provider),
    /// `BmeInsufficientCredits(payer, locked, credits)`, the price errors, `BmeAmountTooLarge()`,
    /// `BmeTokenCallFailed(reason)`, `BmeEmissionsCallFailed(reason)` (`emissionReserve`, read only
    /// when the budget falls short, `drawReserve` or `recordWork` failed).
    ///
    /// # Events
    /// `Settled(payer, provider, credits, fee, tokensPaid, price)`, `FeeDistributed(epoch, toTreasury,
    /// retired)`, `OwedRecorded(provider, amount)` if part is owed; the token's `Transfer`s.
    pub fn settle(
        &mut self,
        payer: Address,
        provider: Address,
        credits: U256,
    ) -> Result<U256, Error> {
        self.roles.only_role(ESCROW_ROLE)?;
        if provider.is_zero() {
            return Err(zero_address());
        }
        let locked = self.locked.get(payer);
        if locked < credits {
            return Err(insufficient(payer, locked, credits));
        }
        let price = self.checked_price()?;
        let fee = fee_up(credits, self.param(FEE_BPS)).ok_or_else(too_large)?;
        // Cannot wrap: fee <= credits because feeBps <= 1e4.
        let net = credits.wrapping_sub(fee);
        let owed_tokens = tokens_for_credits_down(net, price).ok_or_else(too_large)?;
        let fee_tokens = tokens_for_credits_down(fee, price).ok_or_else(too_large)?;
        let burn_share = self.param(FEE_BURN_SHARE_BPS);
        // Cannot wrap: feeBurnShareBps <= 1e4.
        let treasury_target =
            bps_down(fee_tokens, BPS.wrapping_sub(burn_share)).ok_or_else(too_large)?;
        // Cannot wrap: treasury_target <= fee_tokens.
        let retire_target = fee_tokens.wrapping_sub(treasury_target);

        // Pay the provider from the budget, then the reserve; owe the rest.
        let mut budget = self.burn_budget.get();
        let from_budget = owed_tokens.min(budget);
        // Cannot wrap: each subtrahend is the min of itself and the minuend.
        budget = budget.wrapping_sub(from_budget);
        let rest = owed_tokens.wrapping_sub(from_budget);
        let emissions = self.emissions.get();
        // Only a payout beyond the budget reads the reserve: one cross-program call less in the
        // common case (measured in BENCHMARKS.md).
        let reserve = if rest.is_zero() {
            U256::ZERO
        } else {
            self.view_uint(
                emissions,
                calls::no_args(emissionReserveCall::SELECTOR),
                emissions_failed,
            )?
        };
        let from_reserve = rest.min(reserve);
        let iou = rest.wrapping_sub(from_reserve);
        // The fee's token value comes out of what the budget still holds.
        let to_treasury = treasury_target.min(budget);
        budget = budget.wrapping_sub(to_treasury);
        let retired = retire_target.min(budget);
        budget = budget.wrapping_sub(retired);
        let paid = from_budget.wrapping_add(from_reserve);
        let reminted = from_budget.wrapping_add(to_treasury);

        // Effects.
        let epoch = self.current_epoch_u64();
        let outstanding = self.outstanding.get();
        // Cannot wrap: credits <= locked(payer) <= outstanding.
        self.locked.insert(payer, locked.wrapping_sub(credits));
        self.outstanding.set(outstanding.wrapping_sub(credits));
        self.burn_budget.set(budget);
        if !iou.is_zero() {
            let owed = add(self.owed.get(provider), iou)?;
            self.owed.insert(provider, owed);
            self.total_owed.set(add(self.total_owed.get(), iou)?);
            let mut e = self.epochs.setter(epoch);
            let v = add(e.owed_recorded.get(), iou)?;
            e.owed_recorded.set(v);
        }
        self.total_reminted
            .set(add(self.total_reminted.get(), reminted)?);
        self.total_minted_from_reserve
            .set(add(self.total_minted_from_reserve.get(), from_reserve)?);
        self.total_retired
            .set(add(self.total_retired.get(), retired)?);
        {
            let mut e = self.epochs.setter(epoch);
            let v = add(e.reminted.get(), reminted)?;
            e.reminted.set(v);
            let v = add(e.minted_from_reserve.get(), from_reserve)?;
            e.minted_from_reserve.set(v);
            let v = add(e.fees_burned.get(), retired)?;
            e.fees_burned.set(v);
        }
        self.emit(
            &[
                Settled::SIGNATURE_HASH,
                addr_word(payer),
                addr_word(provider),
            ],
            &[
                uint_word(credits),
                uint_word(fee),
                uint_word(paid),
                uint_word(price),
            ],
        );
        self.emit(
            &[FeeDistributed::SIGNATURE_HASH, uint_word(U256::from(epoch))],
            &[uint_word(to_treasury), uint_word(retired)],
        );
        if !iou.is_zero() {
            self.emit(
                &[OwedRecorded::SIGNATURE_HASH, addr_word(provider)],
                &[uint_word(iou)],
            );
        }

        // Interactions: the budget part minted here, the reserve part by the emissions contract
        // (exactly `from_reserve`, read above; nothing runs in between that could change it), then the
        // work recorded there for the epoch's emission.
        self.mint_to(provider, from_budget)?;
        if !from_reserve.is_zero() {
            self.call_out(
                emissions,
                calls::draw_reserve(provider, from_reserve),
                emissions_failed,
            )?;
        }
        let treasury = self.treasury.get();
        self.mint_to(treasury, to_treasury)?;
        if !net.is_zero() {
            self.call_out(
                emissions,
                calls::record_work(provider, net),
                emissions_failed,
            )?;
        }
        Ok(paid)
    }

    /// CT (wei) owed to `provider` from settlements the budget and reserve could not pay.
    pub fn owed_to(&self, provider: Address) -> U256 {
        self.owed.get(provider)
    }

    /// Pays the caller as much of what it is owed as the burn budget holds, re-minted. Returns it.
    ///
    /// # Errors
    /// `BmeNothingToClaim()` if nothing is owed or the budget is empty; `BmeTokenCallFailed(reason)`.
    ///
    /// # Events
    /// `OwedClaimed(provider, amount)`; the token's `Transfer`.
    pub fn claim_owed(&mut self) -> Result<U256, Error> {
        let provider = self.vm().msg_sender();
        let owed = self.owed.get(provider);
        let budget = self.burn_budget.get();
        let amount = owed.min(budget);
        if amount.is_zero() {
            return Err(Error::NothingToClaim(BmeNothingToClaim {}));
        }
        // Cannot wrap: amount <= owed <= total_owed and amount <= budget.
        self.owed.insert(provider, owed.wrapping_sub(amount));
        self.total_owed
            .set(self.total_owed.get().wrapping_sub(amount));
        self.burn_budget.set(budget.wrapping_sub(amount));
        self.total_reminted
            .set(add(self.total_reminted.get(), amount)?);
        let epoch = self.current_epoch_u64();
        {
            let mut e = self.epochs.setter(epoch);
            let v = add(e.reminted.get(), amount)?;
            e.reminted.set(v);
        }
        self.emit(
            &[OwedClaimed::SIGNATURE_HASH, addr_word(provider)],
            &[uint_word(amount)],
        );
        self.mint_to(provider, amount)?;
        Ok(amount)
    }

    // ------------------------------------------------------------------------------------------
    // Equilibrium views
    // ------------------------------------------------------------------------------------------

    /// Epoch `epoch`'s burn-side accounting: `(burned, reminted, mintedFromReserve, feesBurned,
    /// owedRecorded)` — CT (wei) burned for credits, re-minted from the budget, drawn from the emission
    /// reserve for settlements, fees retired, and recorded as owed (IOUs) — the per-epoch counterpart
    /// of [`Self::supply_stats`]. Epochs are the emissions contract's (`currentEpoch()` there); its
    /// `epochStats(e)` gives the same epoch's work and emission.
    pub fn epoch_stats(&self, epoch: U256) -> (U256, U256, U256, U256, U256) {
        let Ok(e) = u64::try_from(epoch) else {
            return Default::default();
        };
        let e = self.epochs.getter(e);
        (
            e.burned.get(),
            e.reminted.get(),
            e.minted_from_reserve.get(),
            e.fees_burned.get(),
            e.owed_recorded.get(),
        )
    }

    /// Cumulative CT (wei): `(burned, reminted, mintedFromReserve, retired, owed)`.
    /// `reminted + retired + burnBudget = burned` (DESIGN.md §9.2); `mintedFromReserve` equals the
    /// emissions contract's `drawn` (its `supplyStats()`), whose reserve side balances on its own.
    pub fn supply_stats(&self) -> (U256, U256, U256, U256, U256) {
        (
            self.total_burned.get(),
            self.total_reminted.get(),
            self.total_minted_from_reserve.get(),
            self.total_retired.get(),
            self.total_owed.get(),
        )
    }

    /// CT (wei) burned for credits and not yet re-minted or retired.
    pub fn burn_budget(&self) -> U256 {
        self.burn_budget.get()
    }

    /// USD value of the burn budget over USD value of outstanding credits, wad (1e18 = 100%);
    /// `type(uint256).max` when no credits are outstanding.
    ///
    /// # Errors
    /// The price errors; `BmeAmountTooLarge()`.
    pub fn collateral_ratio_wad(&self) -> Result<U256, Error> {
        let price = self.checked_price()?;
        collateral_ratio_wad(self.burn_budget.get(), price, self.outstanding.get())
            .ok_or_else(too_large)
    }

    // ------------------------------------------------------------------------------------------
    // Configuration
    // ------------------------------------------------------------------------------------------

    /// The compute token.
    pub fn token(&self) -> Address {
        self.token.get()
    }

    /// The emissions contract (emission reserve, epoch rewards).
    pub fn emissions(&self) -> Address {
        self.emissions.get()
    }

    /// The CT/USD price feed.
    pub fn price_feed(&self) -> Address {
        self.price_feed.get()
    }

    /// The sequencer-uptime feed (zero = none).
    pub fn sequencer_feed(&self) -> Address {
        self.sequencer_feed.get()
    }

    /// The treasury.
    pub fn treasury(&self) -> Address {
        self.treasury.get()
    }

    /// The value of parameter `name` (see the `bytes32` constants, e.g. `bytes32("feeBps")`); zero for
    /// an unknown name.
    pub fn parameter(&self, name: B256) -> U256 {
        self.parameters.get(name)
    }

    /// Sets parameter `name` to `value` within its bounds. Only `PARAMETER_ADMIN_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, PARAMETER_ADMIN_ROLE)`, `BmeUnknownParameter(name)`,
    /// `BmeParameterOutOfBounds(name, value, min, max)`.
    ///
    /// # Events
    /// `ParameterUpdated(name, oldValue, newValue)`.
    pub fn set_parameter(&mut self, name: B256, value: U256) -> Result<(), Error> {
        self.roles.only_role(PARAMETER_ADMIN_ROLE)?;
        let Some(&(_, _, min, max)) = PARAMETERS.iter().find(|p| p.0 == name) else {
            return Err(Error::UnknownParameter(BmeUnknownParameter { name }));
        };
        let (min, max) = (U256::from(min), U256::from(max));
        if value < min || value > max {
            return Err(out_of_bounds(name, value, min, max));
        }
        let old = self.parameters.get(name);
        self.parameters.insert(name, value);
        self.emit(
            &[ParameterUpdated::SIGNATURE_HASH, name],
            &[uint_word(old), uint_word(value)],
        );
        Ok(())
    }

    /// Points the controller at another AggregatorV3 CT/USD feed (reads its `decimals()`). Only
    /// `PARAMETER_ADMIN_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount`, `BmeZeroAddress()`, `BmeOracleCallFailed(feed)`,
    /// `BmeUnsupportedFeedDecimals(d)`.
    ///
    /// # Events
    /// `PriceFeedUpdated(feed, decimals)`.
    pub fn set_price_feed(&mut self, feed: Address) -> Result<(), Error> {
        self.roles.only_role(PARAMETER_ADMIN_ROLE)?;
        if feed.is_zero() {
            return Err(zero_address());
        }
        let decimals = self.feed_decimals_of(feed)?;
        self._set_price_feed(feed, decimals);
        Ok(())
    }

    /// Sets the L2 sequencer-uptime feed (zero disables the check). Only `PARAMETER_ADMIN_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount`.
    ///
    /// # Events
    /// `SequencerFeedUpdated(feed)`.
    pub fn set_sequencer_feed(&mut self, feed: Address) -> Result<(), Error> {
        self.roles.only_role(PARAMETER_ADMIN_ROLE)?;
        self._set_sequencer_feed(feed);
        Ok(())
    }

    /// Sets the treasury. Only `PARAMETER_ADMIN_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount`, `BmeZeroAddress()`.
    ///
    /// # Events
    /// `TreasuryUpdated(treasury)`.
    pub fn set_treasury(&mut self, treasury: Address) -> Result<(), Error> {
        self.roles.only_role(PARAMETER_ADMIN_ROLE)?;
        if treasury.is_zero() {
            return Err(zero_address());
        }
        self._set_treasury(treasury);
        Ok(())
    }

    /// `keccak256("ESCROW_ROLE")`.
    #[selector(name = "ESCROW_ROLE")]
    pub fn escrow_role(&self) -> B256 {
        ESCROW_ROLE
    }

    /// `keccak256("PAUSER_ROLE")`.
    #[selector(name = "PAUSER_ROLE")]
    pub fn pauser_role(&self) -> B256 {
        PAUSER_ROLE
    }

    /// `keccak256("PARAMETER_ADMIN_ROLE")`.
    #[selector(name = "PARAMETER_ADMIN_ROLE")]
    pub fn parameter_admin_role(&self) -> B256 {
        PARAMETER_ADMIN_ROLE
    }
}

common::impl_access_control!(BmeController, roles);
common::impl_pausable!(BmeController, pause_state, roles);

fn insufficient(account: Address, available: U256, needed: U256) -> Error {
    Error::InsufficientCredits(BmeInsufficientCredits {
        account,
        available,
        needed,
    })
}

fn out_of_bounds(name: B256, value: U256, min: U256, max: U256) -> Error {
    Error::ParameterOutOfBounds(BmeParameterOutOfBounds {
        name,
        value,
        min,
        max,
    })
}

impl BmeController {
    fn param(&self, name: B256) -> U256 {
        self.parameters.get(name)
    }

    fn current_epoch_u64(&self) -> u64 {
        let now = self.vm().block_timestamp();
        let genesis = self.genesis_time.get().to::<u64>();
        let length = self.epoch_length.get().to::<u64>();
        // Cannot fail: genesis <= now, length >= 3600 (checked at construction).
        now.saturating_sub(genesis).checked_div(length).unwrap_or(0)
    }

    /// The shared body of the two `buyCredits` functions (after the pause check).
    fn _buy_credits(
        &mut self,
        token_amount: U256,
        min_credits: U256,
        beneficiary: Address,
    ) -> Result<U256, Error> {
        if beneficiary.is_zero() {
            return Err(zero_address());
        }
        let price = self.checked_price()?;
        let credits = credits_for_tokens(token_amount, price, self.param(MINT_SPREAD_BPS))
            .ok_or_else(too_large)?;
        if credits.is_zero() {
            return Err(Error::ZeroCredits(BmeZeroCredits {}));
        }
        if credits < min_credits {
            return Err(Error::Slippage(BmeSlippage {
                credits,
                minCredits: min_credits,
            }));
        }
        let balance = add(self.credits.get(beneficiary), credits)?;
        let outstanding = add(self.outstanding.get(), credits)?;
        let budget = add(self.burn_budget.get(), token_amount)?;
        let burned = add(self.total_burned.get(), token_amount)?;
        let epoch = self.current_epoch_u64();
        let epoch_burned = add(self.epochs.getter(epoch).burned.get(), token_amount)?;

        self.credits.insert(beneficiary, balance);
        self.outstanding.set(outstanding);
        self.burn_budget.set(budget);
        self.total_burned.set(burned);
        self.epochs.setter(epoch).burned.set(epoch_burned);
        let buyer = self.vm().msg_sender();
        self.emit(
            &[
                CreditsPurchased::SIGNATURE_HASH,
                addr_word(buyer),
                addr_word(beneficiary),
            ],
            &[
                uint_word(token_amount),
                uint_word(credits),
                uint_word(price),
            ],
        );
        self.token_call(calls::burn_from(buyer, token_amount))?;
        Ok(credits)
    }

    /// Reads a feed's `latestRoundData()` as `(answer, startedAt, updatedAt)`.
    fn round(&self, feed: Address) -> Result<(alloy_primitives::I256, U256, U256), Error> {
        let data = static_call(
            self.vm(),
            Call::new(),
            feed,
            &calls::no_args(latestRoundDataCall::SELECTOR),
        )
        .map_err(|_| oracle_failed(feed))?;
        decode_round(&data).ok_or_else(|| oracle_failed(feed))
    }

    /// The checked price (see [`Self::price`]).
    fn checked_price(&self) -> Result<U256, Error> {
        let now = U256::from(self.vm().block_timestamp());
        let sequencer = self.sequencer_feed.get();
        if !sequencer.is_zero() {
            let (status, started_at, _) = self.round(sequencer)?;
            if !status.is_zero() {
                return Err(Error::SequencerDown(BmeSequencerDown {}));
            }
            let grace = self.param(SEQUENCER_GRACE_PERIOD);
            // Chainlink's check: revert while `now − startedAt <= gracePeriod`.
            if now.saturating_sub(started_at) <= grace {
                return Err(Error::SequencerGracePeriodNotOver(
                    BmeSequencerGracePeriodNotOver {
                        startedAt: started_at,
                        gracePeriod: grace,
                    },
                ));
            }
        }
        let feed = self.price_feed.get();
        let (answer, _, updated_at) = self.round(feed)?;
        if answer <= alloy_primitives::I256::ZERO {
            return Err(Error::InvalidPrice(BmeInvalidPrice { answer }));
        }
        let max_age = self.param(MAX_PRICE_AGE);
        if now.saturating_sub(updated_at) > max_age {
            return Err(Error::StalePrice(BmeStalePrice {
                updatedAt: updated_at,
                maxPriceAge: max_age,
            }));
        }
        price_wad(answer, self.feed_decimals.get().to::<u8>()).ok_or_else(too_large)
    }

    /// Reads a `uint256` view of `to`; `failed` wraps the revert data (or the malformed return data).
    fn view_uint(
        &self,
        to: Address,
        data: Vec<u8>,
        failed: fn(Vec<u8>) -> Error,
    ) -> Result<U256, Error> {
        let out = static_call(self.vm(), Call::new(), to, &data).map_err(|e| match e {
            CallError::Revert(reason) => failed(reason),
            CallError::AbiDecodingFailed(_) => failed(Vec::new()),
        })?;
        decode_uint(&out).ok_or_else(|| failed(out))
    }

    fn feed_decimals_of(&self, feed: Address) -> Result<u8, Error> {
        let out = static_call(
            self.vm(),
            Call::new(),
            feed,
            &calls::no_args(decimalsCall::SELECTOR),
        )
        .map_err(|_| oracle_failed(feed))?;
        let decimals = decode_u8(&out).ok_or_else(|| oracle_failed(feed))?;
        if decimals > 18 {
            return Err(Error::UnsupportedFeedDecimals(BmeUnsupportedFeedDecimals {
                decimals,
            }));
        }
        Ok(decimals)
    }

    fn token_call(&mut self, data: Vec<u8>) -> Result<Vec<u8>, Error> {
        let token = self.token.get();
        self.call_out(token, data, token_failed)
    }

    /// Calls `to` with `data`; `failed` wraps its revert data.
    fn call_out(
        &mut self,
        to: Address,
        data: Vec<u8>,
        failed: fn(Vec<u8>) -> Error,
    ) -> Result<Vec<u8>, Error> {
        let context = Call::new_mutating(self);
        call(self.vm(), context, to, &data).map_err(|e| match e {
            CallError::Revert(reason) => failed(reason),
            CallError::AbiDecodingFailed(_) => failed(Vec::new()),
        })
    }

    /// Mints `amount` CT to `to` through the token (nothing for zero).
    fn mint_to(&mut self, to: Address, amount: U256) -> Result<(), Error> {
        if amount.is_zero() {
            return Ok(());
        }
        self.token_call(calls::mint(to, amount)).map(|_| ())
    }

    /// Logs an event whose data is all static words (`topics[0]` is the signature hash).
    fn emit(&self, topics: &[B256], words: &[B256]) {
        // Cannot fail: every event here has at most 3 topics (raw_log rejects more than 4).
        let _ = self.vm().raw_log(topics, &encode_static(&[], words));
    }

    fn _set_price_feed(&mut self, feed: Address, decimals: u8) {
        self.price_feed.set(feed);
        self.feed_decimals
            .set(alloy_primitives::aliases::U8::from(decimals));
        self.emit(
            &[PriceFeedUpdated::SIGNATURE_HASH, addr_word(feed)],
            &[uint_word(U256::from(decimals))],
        );
    }

    fn _set_sequencer_feed(&mut self, feed: Address) {
        self.sequencer_feed.set(feed);
        self.emit(
            &[SequencerFeedUpdated::SIGNATURE_HASH, addr_word(feed)],
            &[],
        );
    }

    fn _set_treasury(&mut self, treasury: Address) {
        self.treasury.set(treasury);
        self.emit(&[TreasuryUpdated::SIGNATURE_HASH, addr_word(treasury)], &[]);
    }
}
