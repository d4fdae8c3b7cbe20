//! # Emissions
//!
//! The epoch emission schedule of compute-market (docs/protocol.md "Emissions", docs/economics.md
//! "Why emissions cannot be farmed"). It holds the **emission reserve** — the part of the compute
//! token's cap not minted when it is constructed — and pays it out three ways:
//!
//! - **Work rewards, capped by fees** (Helium HIP-10, translated to a burn-and-mint equilibrium).
//!   Each finalised epoch emits a decaying share of the reserve: `treasuryEmissionBps` of it goes to
//!   the treasury; of the rest (the provider share) the **work pool** pays the providers that settled
//!   jobs in the epoch, each in proportion to the CT value of the fees its settlements paid, and never
//!   more in all than `workRewardCapBps` × those fees. A self-dealt job can therefore earn back at most
//!   its own fee and still loses the mint spread: wash trading does not pay.
//! - **Stake rewards** (Synthetix `StakingRewards`). What the capped work pool leaves of the provider
//!   share is streamed over the next `epochLength` seconds to providers' **earning stake** (active,
//!   slashable stake of eligible providers, reported by the registry on every change) with a
//!   reward-per-stake accumulator: stake earns only for the time it is staked, so stake added just
//!   before a payout gains nothing it did not wait for.
//! - **Reserve draws.** The BmeController (`SETTLER_ROLE`) draws the reserve to pay a settlement its
//!   burn budget cannot cover, at most `drawCapWad` × (the reserve at the epoch's first draw) per
//!   epoch; the controller records the rest as an IOU.
//!
//! Units: tokens in wei of CT (1e18 = 1 CT); rates in basis points (1e4 = 100%) or wad (1e18 = 100%)
//! where a name ends in `Wad`; times in unix seconds; epochs numbered from 0 at construction, each
//! `epochLength` seconds.
//!
//! Formulas (everything rounds down, so payouts never exceed what they are carved from):
//! - epoch `e` = `(now − genesisTime) / epochLength`.
//! - epoch `e` finalised, with `fees(e)` the CT value of the fees settled in it (read from the
//!   controller) and `S` the earning stake at finalisation: if `fees(e) > 0` or `S > 0`,
//!   `emission = reserve × emissionRateWad / 1e18`, `treasury = emission × treasuryEmissionBps / 1e4`,
//!   `share = emission − treasury`, `workPool = min(share, fees(e) × workRewardCapBps / 1e4)`,
//!   `stakePool = share − workPool` if `S > 0` else 0 (it stays in the reserve); otherwise nothing.
//! - provider `p`'s work reward of epoch `e`: `workPool(e) × fees(e, p) / fees(e)`.
//! - stake stream: `rate = (stakePool + leftover) × 1e18 / epochLength` per second;
//!   `rewardPerStake += rate × Δt / totalEarning`; `p` earns `earning(p) × ΔrewardPerStake / 1e18`.
//! - With the default rate `1 − 2^(−1/1460)` per daily epoch the reserve halves every 4 years.
//!
//! Parameter changes never reach back: a new `emissionRateWad`, `treasuryEmissionBps`,
//! `workRewardCapBps` or `drawCapWad` applies from the epoch after the change, and can only be made
//! when every past epoch is final.
//!
//! ## Security considerations
//! - **Roles.** `SETTLER_ROLE` (the BmeController alone) draws the reserve, within the per-epoch cap;
//!   `STAKE_REPORTER_ROLE` (the registry alone) sets earning stakes — a holder could report any stake,
//!   so only that contract may hold it. `PARAMETER_ADMIN_ROLE` (a timelock) sets bounded parameters
//!   and the treasury; `DEFAULT_ADMIN_ROLE` grants roles and sets the controller once. This contract
//!   needs the token's `MINTER_ROLE`.
//! - **Supply cap.** Every mint comes out of the reserve (`cap − totalSupply` at construction, never
//!   refilled except by undistributed stake rewards), so these mints can never pass `MAX_SUPPLY`.
//! - **Checks-effects-interactions.** State is final before the token is minted; the only other call
//!   is a static read of the controller's fees. Nothing calls back.
//! - **Bounded work.** `finalizeEpochs` handles at most 64 epochs a call; `claimRewards` at most 32
//!   epochs; the stake accumulator is O(1) per update; no loop touches a provider list.
//! - **No pause.** Nothing here is new business (draws follow settlements; finalisation and claims are
//!   exits).
//!
//! ## Invariants (SECURITY.md names the test of each)
//! 1. `emitted − returned + drawn + reserve = initialReserve` (`supplyStats()`).
//! 2. Σ work rewards claimed for an epoch ≤ its `workPool` ≤ `fees × workRewardCapBps / 1e4`; each
//!    (epoch, provider) is paid once.
//! 3. Σ stake rewards paid ≤ Σ streamed − returned; stake earns only for the time it was staked.
//! 4. Draws in an epoch ≤ `drawCapWad × (reserve at the epoch's first draw) / 1e18`.
//! 5. Epochs are finalised in order, at most 64 a call, never the current one.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]
// stylus-proc generates undocumented items (`user_entrypoint`, export-abi structs) outside test
// builds; docs stay enforced in the test build, which `cargo clippy --all-targets` checks.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
#![allow(clippy::result_large_err)]

extern crate alloc;

pub mod calls;
pub mod interface;
pub mod math;

#[cfg(test)]
mod tests;

use alloc::vec::Vec;

use alloy_primitives::{aliases::U64, uint, Address, B256, U256};
use alloy_sol_types::SolEvent;
use common::abi_words::{addr_word, encode_static, uint_word};
use common::{
    access::{AccessControl, Roles},
    calls as ext,
    errors::{add, invalid_admin, overflow, CommonError, ParameterOutOfBounds},
    params::{self, Param, Parameters},
    roles::{DEFAULT_ADMIN_ROLE, PARAMETER_ADMIN_ROLE, SETTLER_ROLE, STAKE_REPORTER_ROLE},
};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageBool, StorageMap, StorageU256, StorageU64},
};

use crate::{interface::*, math::*};

/// Most epochs one `finalizeEpochs` call finalises.
pub const MAX_FINALIZE_PER_CALL: u64 = 64;
/// Most epochs one `claimRewards` call takes.
pub const MAX_CLAIM_EPOCHS: usize = 32;
/// Shortest epoch: 1 hour (3,600 s).
pub const MIN_EPOCH_LENGTH: u64 = 3_600;
/// Longest epoch: 30 days (2,592,000 s).
pub const MAX_EPOCH_LENGTH: u64 = 30 * 86_400;

/// `bytes32("treasuryEmissionBps")`: share of each epoch's emission minted to the treasury, bps.
pub const TREASURY_EMISSION_BPS: B256 = params::name("treasuryEmissionBps");
/// `bytes32("emissionRateWad")`: share of the reserve emitted per epoch that emits, wad.
pub const EMISSION_RATE_WAD: B256 = params::name("emissionRateWad");
/// `bytes32("workRewardCapBps")`: the work pool's cap, in bps of the epoch's fees (10,000 = 1×).
pub const WORK_REWARD_CAP_BPS: B256 = params::name("workRewardCapBps");
/// `bytes32("drawCapWad")`: most of the reserve settlements may draw per epoch, wad.
pub const DRAW_CAP_WAD: B256 = params::name("drawCapWad");
/// `bytes32("epochLength")`: the name the constructor's epoch-length check reports (not settable).
pub const EPOCH_LENGTH: B256 = params::name("epochLength");

/// Default emission rate: `1 − 2^(−1/1460)` per daily epoch (a 4-year half-life).
pub const DEFAULT_EMISSION_RATE_WAD: U256 = uint!(474_645_000_000_000_U256);

/// Every parameter: name, default and hard bounds. All four apply per epoch and change only from the
/// epoch after a change. `workRewardCapBps` stops at 1× (10,000): above it a self-dealt job could
/// earn more than its fee. `drawCapWad` defaults to the emission rate, so draws can at most double
/// an epoch's outflow from the reserve.
pub const PARAMETERS: [Param; 4] = [
    Param::new("treasuryEmissionBps", 1_000, 0, 5_000),
    Param::new(
        "emissionRateWad",
        474_645_000_000_000,
        0,
        10_000_000_000_000_000,
    ),
    Param::new("workRewardCapBps", 10_000, 0, 10_000),
    Param::new("drawCapWad", 474_645_000_000_000, 0, 10_000_000_000_000_000),
];

/// One epoch's accounting.
#[storage]
pub struct EpochData {
    /// CT (wei) value of the fees settled in the epoch (read from the controller at finalisation).
    fees: StorageU256,
    /// CT (wei) that left the reserve when the epoch was finalised (treasury + work + stake pools).
    emitted: StorageU256,
    /// The work pool: claimable by the epoch's providers in proportion to their fees.
    work_pool: StorageU256,
    /// The work pool's cap: `fees × workRewardCapBps / 1e4`.
    work_cap: StorageU256,
    /// The stake pool streamed to earning stake.
    stake_pool: StorageU256,
    /// CT (wei) drawn from the reserve during the epoch.
    drawn: StorageU256,
    /// The draw cap that applied (set at the epoch's draws).
    draw_cap: StorageU256,
    /// `claimed[p]`: whether `p` claimed its work reward.
    claimed: StorageMap<Address, StorageBool>,
}

/// The epoch from which a scheduled parameter takes its stored value, and the value before.
#[storage]
pub struct Schedule {
    /// The value that applies to epochs before `from`.
    previous: StorageU256,
    /// First epoch of the current value.
    from: StorageU64,
}

/// The contract's storage and entrypoint.
#[storage]
#[entrypoint]
pub struct Emissions {
    /// The compute token (this contract holds its `MINTER_ROLE`).
    token: StorageAddress,
    /// Receives the treasury part of each emission.
    treasury: StorageAddress,
    /// The BmeController: the source of each epoch's settled fees (set once).
    controller: StorageAddress,
    /// CT (wei) left in the emission reserve.
    reserve: StorageU256,
    /// The reserve at construction: `cap − totalSupply`.
    initial_reserve: StorageU256,
    /// Cumulative CT (wei) emitted by finalised epochs.
    total_emitted: StorageU256,
    /// Cumulative CT (wei) drawn by `drawReserve`.
    total_drawn: StorageU256,
    /// Cumulative CT (wei) of the stake stream returned to the reserve (no eligible stake).
    total_returned: StorageU256,
    /// Unix time of construction: start of epoch 0.
    genesis_time: StorageU64,
    /// Seconds per epoch.
    epoch_length: StorageU64,
    /// The next epoch `finalizeEpochs` finalises (all before it are final).
    next_epoch: StorageU64,
    /// `epochs[e]`.
    epochs: StorageMap<u64, EpochData>,
    /// The newest value of each parameter.
    params: Parameters,
    /// `schedule[name]`: from which epoch the newest value applies.
    schedule: StorageMap<B256, Schedule>,
    /// Σ earning stake (wei of CT).
    total_earning: StorageU256,
    /// `earning[p]`: `p`'s earning stake as last reported (wei of CT).
    earning: StorageMap<Address, StorageU256>,
    /// Stream rate: wei per second × 1e18.
    reward_rate: StorageU256,
    /// End of the current stream (unix seconds).
    period_finish: StorageU64,
    /// Last time the accumulator moved (unix seconds).
    last_update: StorageU64,
    /// Reward per wei of earning stake, × 1e18, accumulated.
    reward_per_stake: StorageU256,
    /// `paid_per_stake[p]`: `reward_per_stake` when `p`'s rewards were last brought up to date.
    paid_per_stake: StorageMap<Address, StorageU256>,
    /// `accrued[p]`: stake rewards earned and not yet claimed (wei).
    accrued: StorageMap<Address, StorageU256>,
    /// Cumulative CT (wei) put into the stake stream.
    stake_streamed: StorageU256,
    /// Cumulative CT (wei) of stake rewards claimed.
    stake_paid: StorageU256,
    /// Role-based access control.
    roles: Roles,
}

/// Tuple returned by `epochStats`: `(fees, emitted, workPool, workCap, stakePool, drawn,
/// drawCap)`.
pub type EpochStats = (U256, U256, U256, U256, U256, U256, U256);

#[public]
#[implements(AccessControl)]
impl Emissions {
    /// Initialises the contract: reads the token's `cap()` and `totalSupply()` (the reserve is
    /// `cap − totalSupply`, zero if the supply is above the cap), sets the default parameters, and
    /// starts epoch 0 now.
    ///
    /// # Arguments
    /// * `token` - the compute token (this contract needs its `MINTER_ROLE`).
    /// * `treasury` - receives the treasury part of each emission.
    /// * `admin` - receives `DEFAULT_ADMIN_ROLE`.
    /// * `epoch_length` - seconds per epoch, 3,600 to 2,592,000 (1 hour to 30 days); the default
    ///   rates assume 86,400 (1 day): deployers scale them for other lengths.
    ///
    /// # Errors
    /// `AccessControlInvalidDefaultAdmin(admin)`, `EmissionsZeroAddress()` (token or treasury),
    /// `ParameterOutOfBounds("epochLength", epochLength, 3600, 2592000)`, `CallFailed(token, data)`
    /// (`cap()` or `totalSupply()` failed or returned no single word).
    ///
    /// # Events
    /// `RoleGranted(DEFAULT_ADMIN_ROLE, admin, sender)`, `TreasuryUpdated(treasury)`.
    #[constructor]
    pub fn constructor(
        &mut self,
        token: Address,
        treasury: Address,
        admin: Address,
        epoch_length: u64,
    ) -> Result<(), Error> {
        if admin.is_zero() {
            return Err(invalid_admin(admin).into());
        }
        if token.is_zero() || treasury.is_zero() {
            return Err(zero_address());
        }
        if !(MIN_EPOCH_LENGTH..=MAX_EPOCH_LENGTH).contains(&epoch_length) {
            return Err(CommonError::ParameterOutOfBounds(ParameterOutOfBounds {
                name: EPOCH_LENGTH,
                value: U256::from(epoch_length),
                min: U256::from(MIN_EPOCH_LENGTH),
                max: U256::from(MAX_EPOCH_LENGTH),
            })
            .into());
        }
        let cap = ext::view_word(self.vm(), token, &calls::cap())?;
        let supply = ext::view_word(self.vm(), token, &calls::total_supply())?;
        let reserve = cap.saturating_sub(supply);

        self.token.set(token);
        self.reserve.set(reserve);
        self.initial_reserve.set(reserve);
        self.genesis_time
            .set(U64::from(self.vm().block_timestamp()));
        self.epoch_length.set(U64::from(epoch_length));
        self.params.init(&PARAMETERS);
        self.roles._grant_role(DEFAULT_ADMIN_ROLE, admin);
        self._set_treasury(treasury);
        Ok(())
    }

    /// Sets the BmeController, whose `epochStats(e)` and `providerFees(p, e)` give the fees that
    /// size the work pools. Once only (deployment wiring). Only `DEFAULT_ADMIN_ROLE`. Grant the
    /// controller `SETTLER_ROLE` separately.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE)`, `EmissionsZeroAddress()`,
    /// `EmissionsControllerAlreadySet(controller)`.
    ///
    /// # Events
    /// `ControllerSet(controller)`.
    pub fn set_controller(&mut self, controller: Address) -> Result<(), Error> {
        self.roles.only_role(DEFAULT_ADMIN_ROLE)?;
        if controller.is_zero() {
            return Err(zero_address());
        }
        let current = self.controller.get();
        if !current.is_zero() {
            return Err(Error::ControllerAlreadySet(EmissionsControllerAlreadySet {
                controller: current,
            }));
        }
        self.controller.set(controller);
        self.emit(&[ControllerSet::SIGNATURE_HASH, addr_word(controller)], &[]);
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // Settlement and stake hooks
    // ------------------------------------------------------------------------------------------

    /// Takes up to `amount` CT (wei) out of the emission reserve and mints it to `to` (a settlement
    /// payout the burn budget could not cover): at most what the reserve holds and what is left of
    /// this epoch's draw cap, `drawCapWad × reserve / 1e18` at the epoch's first draw. Returns what
    /// it drew; the caller owes the rest. Only `SETTLER_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, SETTLER_ROLE)`, `EmissionsZeroAddress()` (to),
    /// `ArithmeticOverflow()`, `CallFailed(token, reason)` (the mint failed).
    ///
    /// # Events
    /// `ReserveDrawn(epoch, to, requested, drawn)`; the token's `Transfer` from 0 when `drawn > 0`.
    pub fn draw_reserve(&mut self, to: Address, amount: U256) -> Result<U256, Error> {
        self.roles.only_role(SETTLER_ROLE)?;
        if to.is_zero() {
            return Err(zero_address());
        }
        let epoch = self.current_epoch_u64();
        let reserve = self.reserve.get();
        let (cap, drawn_before) = self.draw_cap(epoch)?;
        let drawn = amount.min(reserve).min(cap.saturating_sub(drawn_before));
        // Cannot wrap: drawn <= reserve; drawn_before + drawn <= cap.
        self.reserve.set(reserve.wrapping_sub(drawn));
        self.total_drawn.set(add(self.total_drawn.get(), drawn)?);
        let mut e = self.epochs.setter(epoch);
        e.drawn.set(drawn_before.wrapping_add(drawn));
        e.draw_cap.set(cap);
        self.emit(
            &[
                ReserveDrawn::SIGNATURE_HASH,
                uint_word(U256::from(epoch)),
                addr_word(to),
            ],
            &[uint_word(amount), uint_word(drawn)],
        );
        self.mint_to(to, drawn)?;
        Ok(drawn)
    }

    /// CT (wei) a settlement may draw now: `min(reserve, drawCap − drawn this epoch)`, with
    /// `drawCap = drawCapWad × reserve / 1e18` at the epoch's first draw.
    ///
    /// # Errors
    /// `ArithmeticOverflow()`.
    pub fn drawable(&self) -> Result<U256, Error> {
        let epoch = self.current_epoch_u64();
        let (cap, drawn) = self.draw_cap(epoch)?;
        Ok(self.reserve.get().min(cap.saturating_sub(drawn)))
    }

    /// Sets `provider`'s earning stake to `amount` wei after bringing its stake rewards up to date.
    /// Only `STAKE_REPORTER_ROLE` (the registry, on every change of a provider's active stake or
    /// eligibility).
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, STAKE_REPORTER_ROLE)`, `ArithmeticOverflow()`.
    ///
    /// # Events
    /// `EarningStakeUpdated(provider, amount, totalEarning)`; `StakeRewardsReturned(returned)` when
    /// the stream found no earning stake since the last update.
    pub fn set_earning_stake(&mut self, provider: Address, amount: U256) -> Result<(), Error> {
        self.roles.only_role(STAKE_REPORTER_ROLE)?;
        self.update_rewards(Some(provider))?;
        let old = self.earning.get(provider);
        // Cannot wrap: `old` is part of the total.
        let total = add(self.total_earning.get().wrapping_sub(old), amount)?;
        self.total_earning.set(total);
        self.earning.insert(provider, amount);
        self.emit(
            &[EarningStakeUpdated::SIGNATURE_HASH, addr_word(provider)],
            &[uint_word(amount), uint_word(total)],
        );
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // Epochs and emissions
    // ------------------------------------------------------------------------------------------

    /// Finalises up to `min(max_epochs, 64)` past epochs in order (anyone may call), each with the
    /// parameters that applied to it (see the crate docs' formulas): the work pool is kept for the
    /// epoch's providers, the stake pools of all epochs finalised go into the stake stream (over the
    /// next `epochLength` seconds), and the treasury parts are minted once, at the end. Returns how
    /// many epochs were finalised (zero when every past epoch is final).
    ///
    /// # Errors
    /// `ArithmeticOverflow()`; `CallFailed(controller, reason)` if reading its fees fails;
    /// `CallFailed(token, reason)` from the treasury mint.
    ///
    /// # Events
    /// `EpochFinalized(epoch, emitted, treasuryAmount, workPool, stakePool, fees)` per epoch; the
    /// token's `Transfer`.
    pub fn finalize_epochs(&mut self, max_epochs: U256) -> Result<U256, Error> {
        let current = self.current_epoch_u64();
        let limit = u64::try_from(max_epochs)
            .unwrap_or(u64::MAX)
            .min(MAX_FINALIZE_PER_CALL);
        let controller = self.controller.get();
        let staked = !self.total_earning.get().is_zero();
        let mut reserve = self.reserve.get();
        let mut next = self.next_epoch.get().to::<u64>();
        let mut to_treasury = U256::ZERO;
        let mut to_stake = U256::ZERO;
        let mut total_emitted = self.total_emitted.get();
        let mut done = 0u64;
        for _ in 0..MAX_FINALIZE_PER_CALL {
            if done >= limit || next >= current {
                break;
            }
            let fees = if controller.is_zero() {
                U256::ZERO
            } else {
                calls::decode_word_at(
                    &ext::view(self.vm(), controller, &calls::epoch_stats(next))?,
                    calls::FEES_WORD,
                )
                .ok_or_else(|| common::errors::call_failed(controller, Vec::new()))?
            };
            let split = if fees.is_zero() && !staked {
                Split::default()
            } else {
                split(
                    reserve,
                    fees,
                    self.param_at(EMISSION_RATE_WAD, next),
                    self.param_at(TREASURY_EMISSION_BPS, next),
                    self.param_at(WORK_REWARD_CAP_BPS, next),
                    staked,
                )
                .ok_or_else(overflow)?
            };
            // Cannot wrap: emitted <= emission <= reserve (rate <= 1e18).
            reserve = reserve.wrapping_sub(split.emitted);
            // An epoch without fees or emission keeps its unwritten zeros (fewer storage writes).
            if !split.emitted.is_zero() || !fees.is_zero() {
                let mut e = self.epochs.setter(next);
                e.fees.set(fees);
                e.emitted.set(split.emitted);
                e.work_pool.set(split.work_pool);
                e.work_cap.set(split.work_cap);
                e.stake_pool.set(split.stake_pool);
            }
            to_treasury = add(to_treasury, split.treasury)?;
            to_stake = add(to_stake, split.stake_pool)?;
            total_emitted = add(total_emitted, split.emitted)?;
            self.emit(
                &[EpochFinalized::SIGNATURE_HASH, uint_word(U256::from(next))],
                &[
                    uint_word(split.emitted),
                    uint_word(split.treasury),
                    uint_word(split.work_pool),
                    uint_word(split.stake_pool),
                    uint_word(fees),
                ],
            );
            // Cannot wrap: next < current <= u64::MAX; done < limit.
            next = next.wrapping_add(1);
            done = done.wrapping_add(1);
        }
        self.reserve.set(reserve);
        self.total_emitted.set(total_emitted);
        self.next_epoch.set(U64::from(next));
        if !to_stake.is_zero() {
            self.notify_stake_rewards(to_stake)?;
        }
        let treasury = self.treasury.get();
        self.mint_to(treasury, to_treasury)?;
        Ok(U256::from(done))
    }

    /// Pays the caller its work reward of each listed finalised epoch (`workPool(e) × fees(e,
    /// caller) / fees(e)`, once per epoch; a zero reward still marks the epoch claimed) plus all its
    /// stake rewards accrued so far. Returns the total, minted in one call. An empty list claims
    /// only stake rewards.
    ///
    /// # Errors
    /// `EmissionsTooManyEpochs(length, 32)`, `EmissionsEpochNotFinalized(epoch)`,
    /// `EmissionsAlreadyClaimed(epoch)` (also for an epoch listed twice), `ArithmeticOverflow()`,
    /// `CallFailed(controller, reason)` (reading the caller's fees), `CallFailed(token, reason)`.
    ///
    /// # Events
    /// `RewardsClaimed(provider, epoch, amount)` per epoch, `StakeRewardsClaimed(provider,
    /// amount)`; the token's `Transfer`.
    pub fn claim_rewards(&mut self, epochs: Vec<U256>) -> Result<U256, Error> {
        if epochs.len() > MAX_CLAIM_EPOCHS {
            return Err(Error::TooManyEpochs(EmissionsTooManyEpochs {
                length: U256::from(epochs.len()),
                max: U256::from(MAX_CLAIM_EPOCHS),
            }));
        }
        let provider = self.vm().msg_sender();
        let next = self.next_epoch.get().to::<u64>();
        // Checks first: every epoch final, unclaimed and listed once.
        let mut rewards = [U256::ZERO; MAX_CLAIM_EPOCHS];
        for (i, &epoch) in epochs.iter().enumerate() {
            let e = match u64::try_from(epoch) {
                Ok(e) if e < next => e,
                _ => {
                    return Err(Error::EpochNotFinalized(EmissionsEpochNotFinalized {
                        epoch,
                    }))
                }
            };
            if epochs[..i].contains(&epoch) || self.epochs.getter(e).claimed.get(provider) {
                return Err(Error::AlreadyClaimed(EmissionsAlreadyClaimed { epoch }));
            }
            rewards[i] = self.work_reward(e, provider)?;
        }
        // Effects.
        self.update_rewards(Some(provider))?;
        let stake = self.accrued.get(provider);
        self.accrued.insert(provider, U256::ZERO);
        self.stake_paid.set(add(self.stake_paid.get(), stake)?);
        let mut total = stake;
        for (i, &epoch) in epochs.iter().enumerate() {
            let e = epoch.to::<u64>();
            self.epochs.setter(e).claimed.insert(provider, true);
            total = add(total, rewards[i])?;
            self.emit(
                &[
                    RewardsClaimed::SIGNATURE_HASH,
                    addr_word(provider),
                    uint_word(epoch),
                ],
                &[uint_word(rewards[i])],
            );
        }
        self.emit(
            &[StakeRewardsClaimed::SIGNATURE_HASH, addr_word(provider)],
            &[uint_word(stake)],
        );
        self.mint_to(provider, total)?;
        Ok(total)
    }

    /// `provider`'s unclaimed work reward of `epoch` in CT (wei): zero if the epoch is not final
    /// yet or was claimed.
    ///
    /// # Errors
    /// `ArithmeticOverflow()`, `CallFailed(controller, reason)`.
    pub fn pending_reward(&self, epoch: U256, provider: Address) -> Result<U256, Error> {
        let next = self.next_epoch.get().to::<u64>();
        match u64::try_from(epoch) {
            Ok(e) if e < next && !self.epochs.getter(e).claimed.get(provider) => {
                self.work_reward(e, provider)
            }
            _ => Ok(U256::ZERO),
        }
    }

    /// `provider`'s stake rewards earned and not yet claimed, up to now (wei).
    ///
    /// # Errors
    /// `ArithmeticOverflow()`.
    pub fn earned_stake_rewards(&self, provider: Address) -> Result<U256, Error> {
        let (rps, _, _) = self.reward_per_stake_now()?;
        self.earned(provider, rps)
    }

    /// `provider`'s earning stake as last reported by the registry (wei of CT).
    pub fn earning_stake(&self, provider: Address) -> U256 {
        self.earning.get(provider)
    }

    /// Epoch `epoch`'s accounting: `(fees, emitted, workPool, workCap, stakePool, drawn, drawCap)`
    /// — CT (wei) value of the fees settled in it, what its finalisation took from the reserve, the
    /// work pool and its cap (`fees × workRewardCapBps / 1e4`), the stake pool, what settlements drew
    /// from the reserve during it and the draw cap that applied. Zero before finalisation except the
    /// draws.
    pub fn epoch_stats(&self, epoch: U256) -> EpochStats {
        let Ok(e) = u64::try_from(epoch) else {
            return Default::default();
        };
        let e = self.epochs.getter(e);
        (
            e.fees.get(),
            e.emitted.get(),
            e.work_pool.get(),
            e.work_cap.get(),
            e.stake_pool.get(),
            e.drawn.get(),
            e.draw_cap.get(),
        )
    }

    /// Cumulative CT (wei): `(initialReserve, reserve, emitted, drawn, returned)`, with
    /// `emitted − returned + drawn + reserve = initialReserve`.
    pub fn supply_stats(&self) -> (U256, U256, U256, U256, U256) {
        (
            self.initial_reserve.get(),
            self.reserve.get(),
            self.total_emitted.get(),
            self.total_drawn.get(),
            self.total_returned.get(),
        )
    }

    /// The stake stream: `(totalEarning, rewardRateWad, periodFinish, streamed, paid, returned)` —
    /// Σ earning stake (wei), the rate (wei per second × 1e18), the stream's end (unix seconds), and
    /// cumulative CT (wei) put into the stream, claimed, and returned to the reserve.
    pub fn stake_stats(&self) -> (U256, U256, u64, U256, U256, U256) {
        (
            self.total_earning.get(),
            self.reward_rate.get(),
            self.period_finish.get().to::<u64>(),
            self.stake_streamed.get(),
            self.stake_paid.get(),
            self.total_returned.get(),
        )
    }

    /// CT (wei) left in the emission reserve.
    pub fn emission_reserve(&self) -> U256 {
        self.reserve.get()
    }

    /// The current epoch: `(now − genesisTime) / epochLength`.
    pub fn current_epoch(&self) -> U256 {
        U256::from(self.current_epoch_u64())
    }

    /// The next epoch to finalise; every epoch before it is final.
    pub fn next_epoch_to_finalize(&self) -> U256 {
        U256::from(self.next_epoch.get().to::<u64>())
    }

    /// Unix time (seconds) at which epoch 0 started: the construction block's timestamp.
    pub fn genesis_time(&self) -> U256 {
        U256::from(self.genesis_time.get().to::<u64>())
    }

    /// Seconds per epoch (3,600 to 2,592,000; fixed at construction).
    pub fn epoch_length(&self) -> U256 {
        U256::from(self.epoch_length.get().to::<u64>())
    }

    // ------------------------------------------------------------------------------------------
    // Configuration
    // ------------------------------------------------------------------------------------------

    /// The compute token.
    pub fn token(&self) -> Address {
        self.token.get()
    }

    /// The treasury.
    pub fn treasury(&self) -> Address {
        self.treasury.get()
    }

    /// The BmeController (zero until `setController`).
    pub fn controller(&self) -> Address {
        self.controller.get()
    }

    /// Sets the treasury. Only `PARAMETER_ADMIN_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, PARAMETER_ADMIN_ROLE)`, `EmissionsZeroAddress()`.
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

    /// The newest value of parameter `name` (bps or wad, see [`PARAMETERS`]); it applies from
    /// epoch `parameterSchedule(name).from` on.
    ///
    /// # Errors
    /// `UnknownParameter(name)`.
    pub fn parameter(&self, name: B256) -> Result<U256, Error> {
        Ok(self.params.value(&PARAMETERS, name)?)
    }

    /// The value of parameter `name` that applies to epoch `epoch`.
    ///
    /// # Errors
    /// `UnknownParameter(name)`.
    pub fn parameter_at(&self, name: B256, epoch: U256) -> Result<U256, Error> {
        params::find(&PARAMETERS, name)?;
        Ok(self.param_at(name, epoch.saturating_to::<u64>()))
    }

    /// Sets parameter `name` to `value` within its bounds, from the next epoch on: the current
    /// epoch and every earlier one keep the value they started with. Only when every past epoch is
    /// final. Only `PARAMETER_ADMIN_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, PARAMETER_ADMIN_ROLE)`, `UnknownParameter(name)`,
    /// `ParameterOutOfBounds(name, value, min, max)`, `EmissionsEpochsPending(nextEpoch,
    /// currentEpoch)`.
    ///
    /// # Events
    /// `ParameterUpdated(name, oldValue, newValue)`.
    pub fn set_parameter(&mut self, name: B256, value: U256) -> Result<(), Error> {
        self.roles.only_role(PARAMETER_ADMIN_ROLE)?;
        params::find(&PARAMETERS, name)?;
        let current = self.current_epoch_u64();
        let next = self.next_epoch.get().to::<u64>();
        if next != current {
            return Err(Error::EpochsPending(EmissionsEpochsPending {
                nextEpoch: U256::from(next),
                currentEpoch: U256::from(current),
            }));
        }
        let applying = self.param_at(name, current);
        self.params.set_in(&PARAMETERS, name, value)?;
        let mut s = self.schedule.setter(name);
        s.previous.set(applying);
        // Cannot overflow: epochs are far below u64::MAX.
        s.from.set(U64::from(current.saturating_add(1)));
        Ok(())
    }
}

common::impl_access_control!(Emissions, roles);

/// `floor(a / d)` on the compact long division (ruint's `/` costs ~8 KB of wasm).
fn div(a: U256, d: U256) -> Result<U256, Error> {
    common::math::div_rem(a, d)
        .map(|(q, _)| q)
        .ok_or_else(|| overflow().into())
}

fn zero_address() -> Error {
    Error::ZeroAddress(EmissionsZeroAddress {})
}

impl Emissions {
    /// The value of parameter `name` (a known name) that applies to epoch `epoch`.
    fn param_at(&self, name: B256, epoch: u64) -> U256 {
        let s = self.schedule.getter(name);
        if epoch < s.from.get().to::<u64>() {
            s.previous.get()
        } else {
            self.params.get(name)
        }
    }

    fn current_epoch_u64(&self) -> u64 {
        let now = self.vm().block_timestamp();
        let genesis = self.genesis_time.get().to::<u64>();
        let length = self.epoch_length.get().to::<u64>();
        // Cannot fail: genesis <= now, length >= 3600 (checked at construction).
        now.saturating_sub(genesis).checked_div(length).unwrap_or(0)
    }

    /// Epoch `epoch`'s draw cap and what was drawn so far. The cap is fixed by the epoch's first
    /// draw, `drawCapWad × reserve / 1e18` at that moment, so that finalisations later in the epoch
    /// do not move it.
    fn draw_cap(&self, epoch: u64) -> Result<(U256, U256), Error> {
        let e = self.epochs.getter(epoch);
        let (stored, drawn) = (e.draw_cap.get(), e.drawn.get());
        if !stored.is_zero() {
            return Ok((stored, drawn));
        }
        let cap = wad_down(self.reserve.get(), self.param_at(DRAW_CAP_WAD, epoch))
            .ok_or_else(overflow)?;
        Ok((cap, drawn))
    }

    /// `provider`'s work reward of finalised epoch `epoch`.
    fn work_reward(&self, epoch: u64, provider: Address) -> Result<U256, Error> {
        let e = self.epochs.getter(epoch);
        let pool = e.work_pool.get();
        if pool.is_zero() {
            return Ok(U256::ZERO);
        }
        let fees = e.fees.get();
        let controller = self.controller.get();
        let own = ext::view_word(
            self.vm(),
            controller,
            &calls::provider_fees(provider, U256::from(epoch)),
        )?;
        reward(pool, own, fees).ok_or_else(|| Error::from(overflow()))
    }

    /// The accumulator brought to now: `(rewardPerStake, time, returned)` where `returned` is what
    /// the stream paid out while no stake was earning (it goes back to the reserve).
    fn reward_per_stake_now(&self) -> Result<(U256, u64, U256), Error> {
        let last = self.last_update.get().to::<u64>();
        let t = self
            .vm()
            .block_timestamp()
            .min(self.period_finish.get().to::<u64>());
        let rps = self.reward_per_stake.get();
        if t <= last {
            return Ok((rps, last, U256::ZERO));
        }
        // Cannot wrap: t > last.
        let streamed_wad = self
            .reward_rate
            .get()
            .checked_mul(U256::from(t.wrapping_sub(last)))
            .ok_or_else(overflow)?;
        let total = self.total_earning.get();
        if total.is_zero() {
            return Ok((rps, t, div(streamed_wad, WAD)?));
        }
        Ok((add(rps, div(streamed_wad, total)?)?, t, U256::ZERO))
    }

    /// `provider`'s stake rewards at accumulator value `rps` (accrued + pending).
    fn earned(&self, provider: Address, rps: U256) -> Result<U256, Error> {
        let delta = rps.saturating_sub(self.paid_per_stake.get(provider));
        let pending = mul_div_down(self.earning.get(provider), delta, WAD).ok_or_else(overflow)?;
        Ok(add(self.accrued.get(provider), pending)?)
    }

    /// Brings the accumulator (and `provider`'s rewards) up to now; what the stream paid while no
    /// stake was earning goes back to the reserve.
    fn update_rewards(&mut self, provider: Option<Address>) -> Result<(), Error> {
        let (rps, t, returned) = self.reward_per_stake_now()?;
        self.reward_per_stake.set(rps);
        self.last_update.set(U64::from(t));
        if !returned.is_zero() {
            self.reserve.set(add(self.reserve.get(), returned)?);
            self.total_returned
                .set(add(self.total_returned.get(), returned)?);
            self.emit(
                &[StakeRewardsReturned::SIGNATURE_HASH],
                &[uint_word(returned)],
            );
        }
        if let Some(p) = provider {
            let earned = self.earned(p, rps)?;
            self.accrued.insert(p, earned);
            self.paid_per_stake.insert(p, rps);
        }
        Ok(())
    }

    /// Adds `amount` to the stake stream, which then runs for one epoch length from now
    /// (Synthetix `notifyRewardAmount`: what was left of the running stream is carried over).
    fn notify_stake_rewards(&mut self, amount: U256) -> Result<(), Error> {
        self.update_rewards(None)?;
        let now = self.vm().block_timestamp();
        let finish = self.period_finish.get().to::<u64>();
        let length = self.epoch_length.get().to::<u64>();
        let mut total_wad = amount.checked_mul(WAD).ok_or_else(overflow)?;
        if now < finish {
            // Cannot wrap: now < finish.
            let leftover = self
                .reward_rate
                .get()
                .checked_mul(U256::from(finish.wrapping_sub(now)))
                .ok_or_else(overflow)?;
            total_wad = add(total_wad, leftover)?;
        }
        self.reward_rate.set(div(total_wad, U256::from(length))?);
        self.last_update.set(U64::from(now));
        self.period_finish
            .set(U64::from(now.saturating_add(length)));
        self.stake_streamed
            .set(add(self.stake_streamed.get(), amount)?);
        Ok(())
    }

    /// Mints `amount` CT (wei) to `to` through the token (nothing for zero).
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

    fn _set_treasury(&mut self, treasury: Address) {
        self.treasury.set(treasury);
        self.emit(&[TreasuryUpdated::SIGNATURE_HASH, addr_word(treasury)], &[]);
    }
}
