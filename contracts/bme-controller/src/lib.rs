//! # BmeController
//!
//! The burn-and-mint equilibrium of compute-market (docs/protocol.md "BmeController",
//! docs/economics.md; Helium Data Credits, Akash AEP-76). Buyers burn CT for non-transferable USD
//! compute credits at a checked oracle price; the job escrow locks, unlocks and settles credits; a
//! settlement pays the provider in CT re-minted from the **burn budget** first, then drawn from the
//! **emission reserve** (through `Emissions`, within its per-epoch draw cap), and records the rest as an
//! **IOU** that burns pay later, strictly in order.
//!
//! Units: tokens in wei of CT (1e18 = 1 CT); credits with 6 decimals (1e6 = 1 USD); prices in USD per
//! CT scaled by 1e18; rates in basis points; times in unix seconds; epochs are Emissions' (its
//! `genesisTime` and `epochLength`, copied at construction).
//!
//! Formulas (rounding favours solvency: payouts down, fees and token quotes up; see [`math`]):
//! - buy: `credits = floor(floor(tokens × price / 1e30) × (1 − mintSpreadBps))`; `tokens` join the
//!   burn budget, which first funds the IOUs in line.
//! - settle `credits`: `fee = ceil(credits × feeBps)`, `net = credits − fee`,
//!   `tokensOwed = floor(net × 1e30 / price)`, paid from the budget, then drawn from the reserve (only
//!   when no IOU waits), the rest owed. The fee's CT value `feeTokens = floor(fee × 1e30 / price)`
//!   counts as the provider's fees of the epoch, which cap its work reward in `Emissions`; of it,
//!   `1 − feeBurnShareBps` accrues to the treasury (`claimTreasury`) and the rest is retired from the
//!   budget for good (both capped by what the budget holds).
//!
//! ## IOUs keep their place
//! An IOU records its position in the line of everything ever owed (`start`, `amount`). Burns fund the
//! line from its front (`fundedTotal` only grows): IOU `i` may claim `min(start + amount,
//! fundedTotal) − start − paid`. While any IOU is unfunded the budget is empty (every burn funds the
//! line first) and settlements draw nothing from the reserve, so no settlement recorded after an IOU
//! is ever paid a larger fraction of its amount than that IOU (docs/protocol.md invariant 9).
//!
//! ## Security considerations
//! - **Roles.** `ESCROW_ROLE` (the job escrow) moves credits and triggers mints, so it must hold no other
//!   code paths; `PARAMETER_ADMIN_ROLE` (a timelock) sets bounded parameters and the feed, sequencer feed
//!   and treasury addresses; `PAUSER_ROLE` stops `buyCredits` only; `DEFAULT_ADMIN_ROLE` grants roles.
//! - **Oracle.** Every price is checked: `answer > 0`, `updatedAt` at most `maxPriceAge` old, and, when a
//!   sequencer-uptime feed is set, a valid round (`startedAt > 0`) with the sequencer up for more than
//!   `sequencerGracePeriod` (Chainlink's L2 pattern). Refunds and unlocks need no price.
//! - **Supply cap.** The controller mints only what the budget holds (tokens burned here and not yet
//!   re-minted or retired); reserve draws come from `Emissions`; so `MAX_SUPPLY` is never exceeded.
//! - **Checks-effects-interactions.** Every function checks (reading the feeds and `Emissions`'
//!   `drawable()`), writes its state and emits its events, then calls the token (burnFrom / mint)
//!   and `Emissions.drawReserve` of exactly the amount read, last.
//! - **Bounded work.** `claimOwed` takes at most 32 IOUs; nothing else loops.
//! - **Pause** stops new credit purchases only; locks, unlocks, settlements and claims go on.
//!
//! ## Invariants (SECURITY.md names the test of each)
//! 1. `outstandingCredits` (`supplyStats()`) `= Σ creditBalanceOf(a) + Σ lockedCreditsOf(a)`.
//! 2. `reminted + retired + burnBudget + iouFunded + treasuryAccrued = burned` (`supplyStats()`).
//! 3. `mintedFromReserve` = Emissions' `drawn`.
//! 4. IOUs are funded in id order; an IOU is never paid beyond `fundedTotal`.
//! 5. Credits never move between accounts: only `settle` consumes locked credits, only `buyCredits`
//!    creates them.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]
// stylus-proc generates undocumented items (`user_entrypoint`, export-abi structs) outside test
// builds; docs stay enforced in the test build, which `cargo clippy --all-targets` checks.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
// `Error` is the ABI's custom-error union; boxing it would add allocation code to every revert path.
#![allow(clippy::result_large_err)]

extern crate alloc;

pub mod calls;
pub mod interface;
pub mod math;

#[cfg(test)]
mod tests;

use alloc::vec::Vec;

use alloy_primitives::{aliases::U64, Address, B256, I256, U256};
use alloy_sol_types::{SolCall, SolEvent};
use common::abi_words::{addr_word, encode_static, uint_word};
use common::{
    access::{AccessControl, Roles},
    calls as ext,
    errors::{add, call_failed, invalid_admin},
    params::{self, Param, Parameters},
    pausable::{Pausable, PauseState},
    roles::{DEFAULT_ADMIN_ROLE, ESCROW_ROLE, PARAMETER_ADMIN_ROLE},
};
use stylus_sdk::{
    prelude::*,
    storage::{
        StorageAddress, StorageArray, StorageGuardMut, StorageMap, StorageU256, StorageU64,
        StorageU8,
    },
};

use crate::{calls::*, interface::*, math::*};

/// `bytes32("mintSpreadBps")`: share of a purchase kept as spread, bps.
pub const MINT_SPREAD_BPS: B256 = params::name("mintSpreadBps");
/// `bytes32("feeBps")`: protocol fee on settled credits, bps.
pub const FEE_BPS: B256 = params::name("feeBps");
/// `bytes32("feeBurnShareBps")`: share of the fee retired for good, bps.
pub const FEE_BURN_SHARE_BPS: B256 = params::name("feeBurnShareBps");
/// `bytes32("maxPriceAge")`: oldest accepted price, seconds.
pub const MAX_PRICE_AGE: B256 = params::name("maxPriceAge");
/// `bytes32("sequencerGracePeriod")`: wait after the sequencer comes back, seconds.
pub const SEQUENCER_GRACE_PERIOD: B256 = params::name("sequencerGracePeriod");

/// Every parameter: name, default and hard bounds. Spread and fee never reach 0: a self-dealt job
/// always loses at least the spread (docs/economics.md).
pub const PARAMETERS: [Param; 5] = [
    Param::new("mintSpreadBps", 25, 1, 1_000),
    Param::new("feeBps", 250, 1, 1_000),
    Param::new("feeBurnShareBps", 7_000, 0, 10_000),
    Param::new("maxPriceAge", 600, 60, 86_400),
    Param::new("sequencerGracePeriod", 3_600, 0, 86_400),
];

/// Most IOUs one `claimOwed` call pays.
pub const MAX_CLAIM_IOUS: usize = 32;

/// Indices of one epoch's burn-side accounting (the emission side is in `Emissions`), all CT wei:
/// burned for credits; re-minted from the burn budget (provider payouts, IOU and treasury claims);
/// drawn from the emission reserve; fees retired for good; recorded as owed (IOUs); the CT value of
/// the fees settled (caps the epoch's work pool).
///
/// Two figures share a storage slot (figure `i` in half `i % 2` of slot `i / 2`, see
/// [`math::packed_half`]), paired by what one call writes together: a settlement writes
/// `reminted`/`retired` (one slot) and `fees`, whose slot a purchase of the same epoch has usually
/// opened with `burned` already; `fromReserve` and `owed` only move when the budget falls short. An
/// epoch's first settlement therefore creates one or two new slots instead of three (20,000 gas each,
/// BENCHMARKS.md "Gas breakdown").
const E_BURNED: usize = 0;
const E_FEES: usize = 1;
const E_REMINTED: usize = 2;
const E_RETIRED: usize = 3;
const E_FROM_RESERVE: usize = 4;
const E_OWED: usize = 5;
/// Number of per-epoch figures.
const EPOCH_FIELDS: usize = 6;

/// Indices of the controller's running totals, two to a slot like the epoch figures (total `i` in half
/// `i % 2` of slot `i / 2`), paired by the calls that write them together: a purchase writes
/// budget/outstanding and burned; a settlement budget/outstanding, treasury (next to burned, so
/// never a new slot after the first purchase), and reminted/retired; IOUs the last three pairs.
/// Each total is at most 2^128 − 1 (CT wei or credits; the CT cap is 1e27 wei, so a cumulative total
/// reaches that bound only after ~3.4e11 times the whole supply has been burned); a change that
/// would pass it reverts with `ArithmeticOverflow()`.
/// CT (wei) burned for credits and free to pay settlements (the burn budget).
const T_BUDGET: usize = 0;
/// Σ free + Σ locked credits (1e6 = 1 USD).
const T_OUTSTANDING: usize = 1;
/// Cumulative CT (wei) burned for credits.
const T_BURNED: usize = 2;
/// Fee value accrued to the treasury and not yet minted.
const T_TREASURY: usize = 3;
/// Cumulative CT re-minted from the budget.
const T_REMINTED: usize = 4;
/// Cumulative CT of fees retired.
const T_RETIRED: usize = 5;
/// Cumulative CT drawn from the emission reserve for settlements.
const T_FROM_RESERVE: usize = 6;
/// Budget set aside for funded, unclaimed IOUs.
const T_IOU_RESERVE: usize = 7;
/// Σ of every IOU's amount ever recorded: the end of the line.
const T_OWED_TOTAL: usize = 8;
/// How much of the line burns have funded (never above `T_OWED_TOTAL`).
const T_OWED_FUNDED: usize = 9;
/// CT IOUs still owe (recorded, not yet paid).
const T_OWED: usize = 10;
/// Number of IOUs recorded (ids 1..=count).
const T_IOU_COUNT: usize = 11;
/// Number of running totals.
const TOTALS: usize = 12;

// Two values per slot: an odd count would leave its last index outside the storage arrays.
const _: () = assert!(TOTALS.is_multiple_of(2) && EPOCH_FIELDS.is_multiple_of(2));

/// One IOU: a place in the line of everything ever owed.
#[storage]
pub struct Iou {
    /// Who is owed.
    provider: StorageAddress,
    /// Σ of the amounts of all earlier IOUs (its place in the line).
    start: StorageU256,
    /// CT (wei) owed.
    amount: StorageU256,
    /// CT (wei) of it already paid.
    paid: StorageU256,
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
    /// The emissions contract: holds the emission reserve and pays epoch rewards.
    emissions: StorageAddress,
    /// Free credits per account.
    credits: StorageMap<Address, StorageU256>,
    /// Credits locked by the escrow per account.
    locked: StorageMap<Address, StorageU256>,
    /// The running totals, by the `T_…` indices, two per slot.
    totals: StorageArray<StorageU256, { TOTALS / 2 }>,
    /// `ious[id]`, ids from 1.
    ious: StorageMap<U256, Iou>,
    /// Start of epoch 0, unix seconds (the emissions contract's `genesisTime()`).
    genesis_time: StorageU64,
    /// Seconds per epoch (the emissions contract's `epochLength()`).
    epoch_length: StorageU64,
    /// `epochs[e]`: the epoch's figures, by the `E_…` indices, two per slot.
    epochs: StorageMap<u64, StorageArray<StorageU256, { EPOCH_FIELDS / 2 }>>,
    /// `provider_fees[e][p]`: the part of epoch `e`'s settled fee value (CT wei) settled to `p`.
    provider_fees: StorageMap<u64, StorageMap<Address, StorageU256>>,
    /// The parameters' values.
    params: Parameters,
    /// Role-based access control.
    roles: Roles,
    /// Pause of new business.
    pause_state: PauseState,
}

/// Writes `value` into half `i % 2` of `slot` (a pair of running totals or epoch figures), keeping
/// the other half. `None` (an index past the array) cannot occur: the indices are the `T_…`/`E_…`
/// constants.
///
/// # Errors
/// `ArithmeticOverflow()` if `value` needs more than 128 bits.
fn write_half(
    slot: Option<StorageGuardMut<'_, StorageU256>>,
    i: usize,
    value: U256,
) -> Result<(), Error> {
    if let Some(mut slot) = slot {
        let word = with_packed_half(slot.get(), i, value).ok_or_else(too_large)?;
        slot.set(word);
    }
    Ok(())
}

fn zero_address() -> Error {
    Error::ZeroAddress(BmeZeroAddress {})
}

fn insufficient(account: Address, available: U256, needed: U256) -> Error {
    Error::InsufficientCredits(BmeInsufficientCredits {
        account,
        available,
        needed,
    })
}

/// Tuple returned by `supplyStats`: `(burned, reminted, mintedFromReserve, retired, owed,
/// iouFunded, treasuryAccrued, burnBudget, outstandingCredits)`.
pub type SupplyStats = (U256, U256, U256, U256, U256, U256, U256, U256, U256);

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
    /// emissions), `CallFailed(feed, data)`, `BmeUnsupportedFeedDecimals(d)`, `CallFailed(emissions,
    /// data)` (a clock view failed, or reported a zero epoch length).
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
            return Err(invalid_admin(admin).into());
        }
        if token.is_zero() || price_feed.is_zero() || treasury.is_zero() || emissions.is_zero() {
            return Err(zero_address());
        }
        let decimals = self.feed_decimals_of(price_feed)?;
        let genesis = ext::view_word(self.vm(), emissions, &genesisTimeCall::SELECTOR)?;
        let length = ext::view_word(self.vm(), emissions, &epochLengthCall::SELECTOR)?;
        let (Ok(genesis), Ok(length @ 1..)) = (u64::try_from(genesis), u64::try_from(length))
        else {
            return Err(call_failed(emissions, Vec::new()).into());
        };

        self.token.set(token);
        self.emissions.set(emissions);
        self.genesis_time.set(U64::from(genesis));
        self.epoch_length.set(U64::from(length));
        self.params.init(&PARAMETERS);
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
    /// The burned tokens first fund the IOUs in line, then join the burn budget.
    ///
    /// # Errors
    /// `EnforcedPause()`, `BmeZeroAddress()` (beneficiary), the price errors of [`Self::price`],
    /// `BmeZeroCredits()`, `BmeSlippage(credits, minCredits)`, `ArithmeticOverflow()`,
    /// `CallFailed(token, reason)` (e.g. the token's `ERC20InsufficientAllowance`).
    ///
    /// # Events
    /// `CreditsPurchased(buyer, beneficiary, tokensBurned, credits, price)`, `IousFunded(…)` when IOUs
    /// wait; the token's `Transfer` to 0.
    pub fn buy_credits(
        &mut self,
        token_amount: U256,
        min_credits: U256,
        beneficiary: Address,
    ) -> Result<U256, Error> {
        self.pause_state.when_not_paused()?;
        self._buy_credits(token_amount, min_credits, beneficiary)
    }

    // ------------------------------------------------------------------------------------------
    // Price and quotes
    // ------------------------------------------------------------------------------------------

    /// The checked CT/USD price, scaled to 1e18 (USD per CT).
    ///
    /// # Errors
    /// `BmeSequencerDown()`, `BmeSequencerRoundInvalid()`, `BmeSequencerGracePeriodNotOver(startedAt,
    /// gracePeriod)`, `BmeInvalidPrice(answer)` (`answer <= 0`), `BmeStalePrice(updatedAt,
    /// maxPriceAge)`, `CallFailed(feed, data)`, `ArithmeticOverflow()`.
    pub fn price(&self) -> Result<U256, Error> {
        self.checked_price()
    }

    /// CT (wei) worth `credits` at [`Self::price`], no spread or fee, rounded up (sizes stake locks and
    /// dispute bonds).
    ///
    /// # Errors
    /// The price errors; `ArithmeticOverflow()`.
    pub fn quote_tokens(&self, credits: U256) -> Result<U256, Error> {
        quote_tokens_up(credits, self.checked_price()?).ok_or_else(too_large)
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
    /// paused and needs no price.
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
        self.unlock(account, locked, amount);
        Ok(())
    }

    /// Ends a job in one call: consumes `credits` of `payer`'s locked credits for work `provider`
    /// did and unlocks `refund` more for the payer. Charges the fee, pays the provider the net value
    /// in CT (budget, then reserve, then IOU), distributes the fee's value (treasury accrual and
    /// retirement), and counts the fee's CT value as `provider`'s fees of the epoch (the cap of its
    /// work reward). With `credits == 0` it only unlocks `refund` (and needs no price). Returns the
    /// CT (wei) minted to the provider now. Only `ESCROW_ROLE`; works while paused.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, ESCROW_ROLE)`, `BmeZeroAddress()` (provider),
    /// `BmeInsufficientCredits(payer, locked, credits + refund)`, the price errors,
    /// `ArithmeticOverflow()`, `CallFailed(token, reason)` (the mint), `CallFailed(emissions,
    /// reason)` (`drawable`, read only when the budget falls short, or `drawReserve`).
    ///
    /// # Events
    /// `Settled(payer, provider, credits, fee, feeTokens, tokensPaid, price)`,
    /// `FeeDistributed(epoch, toTreasury, retired)`, `OwedRecorded(provider, id, amount)` if part is
    /// owed, `CreditsUnlocked(payer, refund)` if `refund > 0`; the token's `Transfer`s.
    pub fn settle(
        &mut self,
        payer: Address,
        provider: Address,
        credits: U256,
        refund: U256,
    ) -> Result<U256, Error> {
        self.roles.only_role(ESCROW_ROLE)?;
        if provider.is_zero() {
            return Err(zero_address());
        }
        let locked = self.locked.get(payer);
        let needed = add(credits, refund)?;
        if locked < needed {
            return Err(insufficient(payer, locked, needed));
        }
        if credits.is_zero() {
            self.unlock(payer, locked, refund);
            return Ok(U256::ZERO);
        }
        let price = self.checked_price()?;
        let fee = fee_up(credits, self.params.get(FEE_BPS)).ok_or_else(too_large)?;
        // Cannot wrap: fee <= credits because feeBps <= 1e4.
        let net = credits.wrapping_sub(fee);
        let owed_tokens = tokens_for_credits_down(net, price).ok_or_else(too_large)?;
        let fee_tokens = tokens_for_credits_down(fee, price).ok_or_else(too_large)?;
        let burn_share = self.params.get(FEE_BURN_SHARE_BPS);
        // Cannot wrap: feeBurnShareBps <= 1e4.
        let treasury_target =
            bps_down(fee_tokens, BPS.wrapping_sub(burn_share)).ok_or_else(too_large)?;
        // Cannot wrap: treasury_target <= fee_tokens.
        let retire_target = fee_tokens.wrapping_sub(treasury_target);

        // Pay the provider from the budget (empty while IOUs wait), then the reserve (only when no
        // IOU waits: a draw would overtake it); owe the rest.
        let mut budget = self.t(T_BUDGET);
        let from_budget = owed_tokens.min(budget);
        // Cannot wrap: each subtrahend is the min of itself and the minuend.
        budget = budget.wrapping_sub(from_budget);
        let rest = owed_tokens.wrapping_sub(from_budget);
        let emissions = self.emissions.get();
        // The IOU line is read only when the budget falls short (two cold SLOADs saved otherwise).
        let drawable = if rest.is_zero() || self.t(T_OWED_FUNDED) < self.t(T_OWED_TOTAL) {
            U256::ZERO
        } else {
            ext::view_word(self.vm(), emissions, &drawableCall::SELECTOR)?
        };
        let from_reserve = rest.min(drawable);
        let iou = rest.wrapping_sub(from_reserve);
        let to_treasury = treasury_target.min(budget);
        budget = budget.wrapping_sub(to_treasury);
        let retired = retire_target.min(budget);
        budget = budget.wrapping_sub(retired);
        let paid = from_budget.wrapping_add(from_reserve);

        // Effects.
        let epoch = self.current_epoch_u64();
        // Cannot wrap: credits <= credits + refund <= locked(payer) <= outstanding.
        let outstanding = self.t(T_OUTSTANDING).wrapping_sub(credits);
        self.set_t(T_OUTSTANDING, outstanding)?;
        self.unlock(payer, locked.wrapping_sub(credits), refund);
        self.set_t(T_BUDGET, budget)?;
        self.bump_t(T_TREASURY, to_treasury)?;
        self.bump_t(T_REMINTED, from_budget)?;
        self.bump_t(T_RETIRED, retired)?;
        self.bump_t(T_FROM_RESERVE, from_reserve)?;
        self.bump_e(epoch, E_REMINTED, from_budget)?;
        self.bump_e(epoch, E_RETIRED, retired)?;
        self.bump_e(epoch, E_FEES, fee_tokens)?;
        self.bump_e(epoch, E_FROM_RESERVE, from_reserve)?;
        {
            let mut fees = self.provider_fees.setter(epoch);
            let v = add(fees.get(provider), fee_tokens)?;
            fees.insert(provider, v);
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
                uint_word(fee_tokens),
                uint_word(paid),
                uint_word(price),
            ],
        );
        self.emit(
            &[FeeDistributed::SIGNATURE_HASH, uint_word(U256::from(epoch))],
            &[uint_word(to_treasury), uint_word(retired)],
        );
        if !iou.is_zero() {
            self.record_iou(epoch, provider, iou)?;
        }

        // Interactions: the budget part minted here, the reserve part by Emissions (exactly
        // `from_reserve`, read above; nothing runs in between that could change it).
        self.mint_to(provider, from_budget)?;
        if !from_reserve.is_zero() {
            ext::call(
                self,
                emissions,
                &calls::draw_reserve(provider, from_reserve),
            )?;
        }
        Ok(paid)
    }

    /// IOU `id`: `(provider, amount, paid, claimable)` in CT wei; `claimable` is the part burns have
    /// funded and `provider` has not claimed. All zero for an unknown id.
    pub fn iou(&self, id: U256) -> (Address, U256, U256, U256) {
        let i = self.ious.getter(id);
        (
            i.provider.get(),
            i.amount.get(),
            i.paid.get(),
            claimable(
                i.start.get(),
                i.amount.get(),
                i.paid.get(),
                self.t(T_OWED_FUNDED),
            ),
        )
    }

    /// The IOU line: `(count, owedTotal, fundedTotal)` — IOUs recorded (ids 1..=count), CT (wei) ever
    /// owed, and how much of that burns have funded.
    pub fn iou_queue(&self) -> (U256, U256, U256) {
        (
            self.t(T_IOU_COUNT),
            self.t(T_OWED_TOTAL),
            self.t(T_OWED_FUNDED),
        )
    }

    /// Pays the caller the funded, unclaimed part of each listed IOU of its own (at most 32), re-minted
    /// in one call. Returns the total.
    ///
    /// # Errors
    /// `BmeTooManyIous(length, 32)`, `BmeNotIouOwner(id, caller)` (also for an unknown id),
    /// `BmeNothingToClaim()` if nothing listed is funded and unclaimed (or an id is listed twice),
    /// `ArithmeticOverflow()`, `CallFailed(token, reason)`.
    ///
    /// # Events
    /// `OwedClaimed(provider, id, amount)` per IOU paid; the token's `Transfer`.
    pub fn claim_owed(&mut self, ids: Vec<U256>) -> Result<U256, Error> {
        if ids.len() > MAX_CLAIM_IOUS {
            return Err(Error::TooManyIous(BmeTooManyIous {
                length: U256::from(ids.len()),
                max: U256::from(MAX_CLAIM_IOUS),
            }));
        }
        let provider = self.vm().msg_sender();
        let funded = self.t(T_OWED_FUNDED);
        let mut amounts = [U256::ZERO; MAX_CLAIM_IOUS];
        let mut total = U256::ZERO;
        for (k, &id) in ids.iter().enumerate() {
            let i = self.ious.getter(id);
            if i.provider.get() != provider || provider.is_zero() {
                return Err(Error::NotIouOwner(BmeNotIouOwner {
                    id,
                    caller: provider,
                }));
            }
            if ids[..k].contains(&id) {
                return Err(Error::NothingToClaim(BmeNothingToClaim {}));
            }
            amounts[k] = claimable(i.start.get(), i.amount.get(), i.paid.get(), funded);
            total = add(total, amounts[k])?;
        }
        if total.is_zero() {
            return Err(Error::NothingToClaim(BmeNothingToClaim {}));
        }
        // Effects. Cannot wrap: each amount <= the IOU's unpaid part, Σ unpaid <= total_owed, and
        // Σ funded-unclaimed <= iou_reserve.
        for (k, &id) in ids.iter().enumerate() {
            if amounts[k].is_zero() {
                continue;
            }
            let mut i = self.ious.setter(id);
            let paid = i.paid.get().wrapping_add(amounts[k]);
            i.paid.set(paid);
            self.emit(
                &[
                    OwedClaimed::SIGNATURE_HASH,
                    addr_word(provider),
                    uint_word(id),
                ],
                &[uint_word(amounts[k])],
            );
        }
        let owed = self.t(T_OWED).wrapping_sub(total);
        self.set_t(T_OWED, owed)?;
        let reserve = self.t(T_IOU_RESERVE).wrapping_sub(total);
        self.set_t(T_IOU_RESERVE, reserve)?;
        self.count_reminted(total)?;
        self.mint_to(provider, total)?;
        Ok(total)
    }

    /// Mints the fee value accrued to the treasury (anyone may call). Returns it.
    ///
    /// # Errors
    /// `BmeNothingToClaim()` when nothing has accrued; `ArithmeticOverflow()` if the re-minted totals
    /// would pass 2^128 − 1; `CallFailed(token, reason)`.
    ///
    /// # Events
    /// `TreasuryClaimed(treasury, amount)`; the token's `Transfer`.
    pub fn claim_treasury(&mut self) -> Result<U256, Error> {
        let amount = self.t(T_TREASURY);
        if amount.is_zero() {
            return Err(Error::NothingToClaim(BmeNothingToClaim {}));
        }
        self.set_t(T_TREASURY, U256::ZERO)?;
        self.count_reminted(amount)?;
        let treasury = self.treasury.get();
        self.emit(
            &[TreasuryClaimed::SIGNATURE_HASH, addr_word(treasury)],
            &[uint_word(amount)],
        );
        self.mint_to(treasury, amount)?;
        Ok(amount)
    }

    // ------------------------------------------------------------------------------------------
    // Equilibrium views
    // ------------------------------------------------------------------------------------------

    /// Epoch `epoch`'s burn-side accounting: `(burned, reminted, mintedFromReserve, feesBurned,
    /// owedRecorded, feeTokens)` — CT (wei) burned for credits, re-minted from the budget, drawn from
    /// the emission reserve for settlements, fees retired, recorded as owed (IOUs), and the CT value
    /// of the fees settled (which caps the epoch's work pool in `Emissions`).
    pub fn epoch_stats(&self, epoch: U256) -> (U256, U256, U256, U256, U256, U256) {
        let e = u64::try_from(epoch).unwrap_or(u64::MAX);
        let f = |i| self.epoch_field(e, i);
        (
            f(E_BURNED),
            f(E_REMINTED),
            f(E_FROM_RESERVE),
            f(E_RETIRED),
            f(E_OWED),
            f(E_FEES),
        )
    }

    /// The CT (wei) value of the fees settled to `provider` in `epoch`.
    pub fn provider_fees(&self, provider: Address, epoch: U256) -> U256 {
        match u64::try_from(epoch) {
            Ok(e) => self.provider_fees.getter(e).get(provider),
            Err(_) => U256::ZERO,
        }
    }

    /// The equilibrium's state: `(burned, reminted, mintedFromReserve, retired, owed, iouFunded,
    /// treasuryAccrued, burnBudget, outstandingCredits)` — cumulative CT (wei) burned for credits,
    /// re-minted from the budget, drawn from the reserve and retired; what IOUs still owe; the budget
    /// set aside for funded IOUs; fee value accrued to the treasury; the budget free to pay
    /// settlements; and Σ free + locked credits (1e6 = 1 USD). `reminted + retired + burnBudget +
    /// iouFunded + treasuryAccrued = burned`. The collateral ratio is `burnBudget × price /
    /// outstandingCredits` (USD over USD).
    pub fn supply_stats(&self) -> SupplyStats {
        (
            self.t(T_BURNED),
            self.t(T_REMINTED),
            self.t(T_FROM_RESERVE),
            self.t(T_RETIRED),
            self.t(T_OWED),
            self.t(T_IOU_RESERVE),
            self.t(T_TREASURY),
            self.t(T_BUDGET),
            self.t(T_OUTSTANDING),
        )
    }

    // ------------------------------------------------------------------------------------------
    // Configuration
    // ------------------------------------------------------------------------------------------

    /// The addresses it works with: `(token, emissions, priceFeed, sequencerFeed, treasury)`
    /// (`sequencerFeed` zero = none).
    pub fn contracts(&self) -> (Address, Address, Address, Address, Address) {
        (
            self.token.get(),
            self.emissions.get(),
            self.price_feed.get(),
            self.sequencer_feed.get(),
            self.treasury.get(),
        )
    }

    /// The value of parameter `name` (see [`PARAMETERS`], e.g. `bytes32("feeBps")`).
    ///
    /// # Errors
    /// `UnknownParameter(name)`.
    pub fn parameter(&self, name: B256) -> Result<U256, Error> {
        Ok(self.params.value(&PARAMETERS, name)?)
    }

    /// Sets parameter `name` to `value` within its bounds. Only `PARAMETER_ADMIN_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, PARAMETER_ADMIN_ROLE)`, `UnknownParameter(name)`,
    /// `ParameterOutOfBounds(name, value, min, max)`.
    ///
    /// # Events
    /// `ParameterUpdated(name, oldValue, newValue)`.
    pub fn set_parameter(&mut self, name: B256, value: U256) -> Result<(), Error> {
        self.roles.only_role(PARAMETER_ADMIN_ROLE)?;
        self.params.set_in(&PARAMETERS, name, value)?;
        Ok(())
    }

    /// Points the controller at another AggregatorV3 CT/USD feed (reads its `decimals()`). Only
    /// `PARAMETER_ADMIN_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount`, `BmeZeroAddress()`, `CallFailed(feed, data)`,
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

    /// Sets the treasury. Only `PARAMETER_ADMIN_ROLE`. Fees already accrued go to the new treasury.
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
}

common::impl_access_control!(BmeController, roles);
common::impl_pausable!(BmeController, pause_state, roles);

/// What IOU `(start, amount, paid)` may claim when the line is funded up to `funded`:
/// `min(start + amount, funded) − start − paid`, never negative.
fn claimable(start: U256, amount: U256, paid: U256, funded: U256) -> U256 {
    start
        .saturating_add(amount)
        .min(funded)
        .saturating_sub(start)
        .saturating_sub(paid)
}

impl BmeController {
    fn current_epoch_u64(&self) -> u64 {
        let now = self.vm().block_timestamp();
        let genesis = self.genesis_time.get().to::<u64>();
        let length = self.epoch_length.get().to::<u64>();
        // Cannot fail: genesis <= now, length >= 3600 (checked at construction).
        now.saturating_sub(genesis).checked_div(length).unwrap_or(0)
    }

    /// `account`'s locked credits become `locked − amount` and its free credits grow by `amount`
    /// (`amount <= locked`, checked by callers); logs `CreditsUnlocked` when `amount > 0`.
    fn unlock(&mut self, account: Address, locked: U256, amount: U256) {
        // Cannot wrap: amount <= locked; free + amount <= outstanding.
        self.locked.insert(account, locked.wrapping_sub(amount));
        if amount.is_zero() {
            return;
        }
        let free = self.credits.get(account);
        self.credits.insert(account, free.wrapping_add(amount));
        self.emit(
            &[CreditsUnlocked::SIGNATURE_HASH, addr_word(account)],
            &[uint_word(amount)],
        );
    }

    /// Running total `i` (< [`TOTALS`]): half `i % 2` of slot `i / 2`.
    #[inline(never)]
    fn t(&self, i: usize) -> U256 {
        packed_half(self.totals.get(i / 2).unwrap_or_default(), i)
    }

    /// Sets running total `i` (< [`TOTALS`]); the other total of its slot is kept.
    ///
    /// # Errors
    /// `ArithmeticOverflow()` if `value` needs more than 128 bits.
    #[inline(never)]
    fn set_t(&mut self, i: usize, value: U256) -> Result<(), Error> {
        write_half(self.totals.setter(i / 2), i, value)
    }

    /// Adds `delta` to running total `i`. Returns the new value; for a zero delta nothing is read
    /// or written (a cold SLOAD saved) and 0 is returned (no caller uses it then).
    #[inline(never)]
    fn bump_t(&mut self, i: usize, delta: U256) -> Result<U256, Error> {
        if delta.is_zero() {
            return Ok(U256::ZERO);
        }
        let value = add(self.t(i), delta)?;
        self.set_t(i, value)?;
        Ok(value)
    }

    /// Figure `i` (< [`EPOCH_FIELDS`]) of epoch `epoch`: half `i % 2` of slot `i / 2`.
    fn epoch_field(&self, epoch: u64, i: usize) -> U256 {
        packed_half(self.epochs.getter(epoch).get(i / 2).unwrap_or_default(), i)
    }

    /// Adds `delta` to figure `i` of epoch `epoch` (no write for 0); the other figure of its slot
    /// is kept.
    ///
    /// # Errors
    /// `ArithmeticOverflow()` if the sum needs more than 128 bits.
    #[inline(never)]
    fn bump_e(&mut self, epoch: u64, i: usize, delta: U256) -> Result<(), Error> {
        if delta.is_zero() {
            return Ok(());
        }
        let mut figures = self.epochs.setter(epoch);
        let value = add(
            packed_half(figures.get(i / 2).unwrap_or_default(), i),
            delta,
        )?;
        write_half(figures.setter(i / 2), i, value)
    }

    /// Adds a re-mint from the budget (IOU or treasury claim) to the totals of the current epoch.
    fn count_reminted(&mut self, amount: U256) -> Result<(), Error> {
        self.bump_t(T_REMINTED, amount)?;
        let epoch = self.current_epoch_u64();
        self.bump_e(epoch, E_REMINTED, amount)
    }

    /// Records IOU `id = iouCount + 1` of `amount` for `provider` at the end of the line.
    fn record_iou(&mut self, epoch: u64, provider: Address, amount: U256) -> Result<(), Error> {
        let id = self.bump_t(T_IOU_COUNT, U256::from(1))?;
        let start = self.t(T_OWED_TOTAL);
        self.bump_t(T_OWED_TOTAL, amount)?;
        let mut i = self.ious.setter(id);
        i.provider.set(provider);
        i.start.set(start);
        i.amount.set(amount);
        self.bump_t(T_OWED, amount)?;
        self.bump_e(epoch, E_OWED, amount)?;
        self.emit(
            &[
                OwedRecorded::SIGNATURE_HASH,
                addr_word(provider),
                uint_word(id),
            ],
            &[uint_word(amount)],
        );
        Ok(())
    }

    /// The body of `buyCredits` (after the pause check).
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
        let credits = credits_for_tokens(token_amount, price, self.params.get(MINT_SPREAD_BPS))
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
        let epoch = self.current_epoch_u64();
        self.credits.insert(beneficiary, balance);
        self.bump_t(T_OUTSTANDING, credits)?;
        self.bump_t(T_BURNED, token_amount)?;
        self.bump_e(epoch, E_BURNED, token_amount)?;
        let mut budget = add(self.t(T_BUDGET), token_amount)?;
        // Fund the IOUs in line first, in order.
        let owed_total = self.t(T_OWED_TOTAL);
        let funded = self.t(T_OWED_FUNDED);
        if funded < owed_total {
            // Cannot wrap: funded < owed_total; fund <= budget.
            let fund = owed_total.wrapping_sub(funded).min(budget);
            budget = budget.wrapping_sub(fund);
            let funded = funded.wrapping_add(fund);
            self.set_t(T_OWED_FUNDED, funded)?;
            self.bump_t(T_IOU_RESERVE, fund)?;
            self.emit(
                &[IousFunded::SIGNATURE_HASH],
                &[uint_word(fund), uint_word(funded), uint_word(owed_total)],
            );
        }
        self.set_t(T_BUDGET, budget)?;
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
        let token = self.token.get();
        ext::call(self, token, &calls::burn_from(buyer, token_amount))?;
        Ok(credits)
    }

    /// Reads a feed's `latestRoundData()` as `(answer, startedAt, updatedAt)`.
    fn round(&self, feed: Address) -> Result<(I256, U256, U256), Error> {
        let data = ext::view(self.vm(), feed, &latestRoundDataCall::SELECTOR)?;
        decode_round(&data).ok_or_else(|| call_failed(feed, data).into())
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
            if started_at.is_zero() {
                return Err(Error::SequencerRoundInvalid(BmeSequencerRoundInvalid {}));
            }
            let grace = self.params.get(SEQUENCER_GRACE_PERIOD);
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
        if answer <= I256::ZERO {
            return Err(Error::InvalidPrice(BmeInvalidPrice { answer }));
        }
        let max_age = self.params.get(MAX_PRICE_AGE);
        if now.saturating_sub(updated_at) > max_age {
            return Err(Error::StalePrice(BmeStalePrice {
                updatedAt: updated_at,
                maxPriceAge: max_age,
            }));
        }
        price_wad(answer, self.feed_decimals.get().to::<u8>()).ok_or_else(too_large)
    }

    fn feed_decimals_of(&self, feed: Address) -> Result<u8, Error> {
        let out = ext::view(self.vm(), feed, &decimalsCall::SELECTOR)?;
        let decimals = decode_u8(&out).ok_or_else(|| call_failed(feed, out))?;
        if decimals > 18 {
            return Err(Error::UnsupportedFeedDecimals(BmeUnsupportedFeedDecimals {
                decimals,
            }));
        }
        Ok(decimals)
    }

    /// Mints `amount` CT to `to` through the token (nothing for zero).
    fn mint_to(&mut self, to: Address, amount: U256) -> Result<(), Error> {
        if amount.is_zero() {
            return Ok(());
        }
        let token = self.token.get();
        ext::call(self, token, &calls::mint(to, amount))?;
        Ok(())
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
