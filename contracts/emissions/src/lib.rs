//! # Emissions
//!
//! The epoch emission schedule of compute-market (DESIGN.md §4 "Emissions";
//! docs/tokenomics-anchors.md "Contract 2 — BME controller": scheduled emission with hard cap; Render
//! RNP-001, Helium HIP-20 / DC-proportional rewards). It holds the **emission reserve** — the part of
//! the compute token's cap not minted when it is constructed — and pays it out two ways:
//!
//! - **Epoch emissions.** Each finalised epoch with settled work emits a decaying share of what the
//!   reserve holds: `treasuryEmissionBps` of it is minted to the treasury at once, the rest is claimed
//!   by providers pro rata to the net credits they settled in that epoch.
//! - **Reserve draws.** The BmeController (`SETTLER_ROLE`) draws from the reserve to pay a settlement
//!   its burn budget cannot cover (`drawReserve`), and records each settlement's net credits as the
//!   provider's work for the current epoch (`recordWork`).
//!
//! It was split out of the BmeController (which calls it) to keep both under Stylus's 24,576-byte
//! deployable limit; the formulas, events and errors are the controller's, renamed `Emissions…`.
//!
//! Units: tokens in wei of CT (1e18 = 1 CT); work in credits with 6 decimals (1e6 = 1 USD of net
//! settled credits); rates in basis points (1e4 = 100%), or wad (1e18 = 100%) where a name ends in
//! `Wad`; times in unix seconds; epochs numbered from 0 at construction, each `epochLength` seconds.
//!
//! Formulas (everything rounds down, so payouts never exceed what they are carved from; see [`math`]):
//! - epoch `e` = `(now − genesisTime) / epochLength`.
//! - epoch `e` finalised: `emission = floor(reserve × emissionRateWad / 1e18)` if `work(e) > 0`, else 0
//!   (the reserve carries over); `treasuryAmount = floor(emission × treasuryEmissionBps / 1e4)`;
//!   `providerShare = emission − treasuryAmount`.
//! - provider `p`'s reward of epoch `e`: `floor(providerShare(e) × work(e, p) / work(e))`.
//! - With the default rate `1 − 2^(−1/1460)` per daily epoch the reserve halves every 4 years: from
//!   350M CT, day 1 emits ≈ 166,126 CT and year 1 ≈ 55.7M CT (anchors).
//!
//! ## Security considerations
//! - **Roles.** `SETTLER_ROLE` (the BmeController alone) records work and draws the reserve: a holder
//!   can inflate its own share of every epoch and mint the whole reserve to itself, so it must be a
//!   contract with no other code paths. `PARAMETER_ADMIN_ROLE` (a timelock) sets the two bounded
//!   parameters and the treasury; `DEFAULT_ADMIN_ROLE` grants roles. This contract needs the token's
//!   `MINTER_ROLE`.
//! - **Supply cap.** Every mint (treasury part, rewards, draws) comes out of the reserve, which is
//!   `cap − totalSupply` at construction and never refilled; so this contract's mints alone can never
//!   push the supply past `MAX_SUPPLY` (the token checks it again, `ERC20ExceededCap`). Other minters
//!   (the controller re-minting burned tokens) stay under the cap because what they re-mint was burned.
//! - **Checks-effects-interactions.** Every function checks, writes its state and emits its events,
//!   then calls the token (`mint`) last. The contract calls only the token; no external code runs
//!   before its state is final.
//! - **Bounded work.** `finalizeEpochs` handles at most 64 epochs a call and mints once; `claimRewards`
//!   takes at most 32 epochs and mints once; no loop touches a provider list.
//! - **No pause.** Nothing here is new business (DESIGN.md §2: exits never pause): recording work and
//!   drawing the reserve follow settlements, and finalisation and claims are exits.
//!
//! ## Invariants
//! 1. `emitted + drawn + emissionReserve() = initialReserve` (`supplyStats()`), so emissions and draws
//!    never exceed the initial reserve.
//! 2. Σ rewards claimed for an epoch ≤ that epoch's `providerShare`; each (epoch, provider) is paid once.
//! 3. Epochs are finalised in order, at most 64 a call, never the current one; an epoch without work
//!    emits nothing and leaves the reserve as it was.
//! 4. `emitted(e) = treasuryAmount(e) + providerShare(e)` for every finalised epoch.
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

use alloy_primitives::{aliases::U64, uint, Address, B256, U256};
use alloy_sol_types::SolEvent;
use common::abi_words::{addr_word, encode_static, uint_word};
use common::{
    access::{AccessControl, AccessControlInvalidDefaultAdmin, Roles},
    params::{self, ParameterUpdated},
    roles::{DEFAULT_ADMIN_ROLE, PARAMETER_ADMIN_ROLE, SETTLER_ROLE},
};
use stylus_sdk::{
    call::{call, static_call},
    prelude::*,
    storage::{StorageAddress, StorageBool, StorageMap, StorageU256, StorageU64},
    stylus_core::calls::errors::Error as CallError,
};

use crate::{interface::*, math::*};

/// Most epochs one `finalizeEpochs` call finalises.
pub const MAX_FINALIZE_PER_CALL: u64 = 64;
/// Most epochs one `claimRewards` call takes (DESIGN.md §4).
pub const MAX_CLAIM_EPOCHS: usize = 32;
/// Shortest epoch: 1 hour (3,600 s).
pub const MIN_EPOCH_LENGTH: u64 = 3_600;
/// Longest epoch: 30 days (2,592,000 s).
pub const MAX_EPOCH_LENGTH: u64 = 30 * 86_400;

/// `bytes32("treasuryEmissionBps")`: share of each epoch's emission minted to the treasury, bps;
/// default 1,000 (10%, anchors "Epoch split"), at most 5,000.
pub const TREASURY_EMISSION_BPS: B256 = params::name("treasuryEmissionBps");
/// `bytes32("emissionRateWad")`: share of the reserve emitted per epoch with work, wad; default
/// 474,645,000,000,000 (1 − 2^(−1/1460): a 4-year half-life with daily epochs), at most 1e16 (1%).
pub const EMISSION_RATE_WAD: B256 = params::name("emissionRateWad");
/// `bytes32("epochLength")`: the name the constructor's epoch-length check reports (not settable).
pub const EPOCH_LENGTH: B256 = params::name("epochLength");

/// Default emission rate (see [`EMISSION_RATE_WAD`]).
pub const DEFAULT_EMISSION_RATE_WAD: U256 = uint!(474_645_000_000_000_U256);

/// `(name, default, min, max)` of every settable parameter.
pub const PARAMETERS: [(B256, u64, u64, u64); 2] = [
    (TREASURY_EMISSION_BPS, 1_000, 0, 5_000),
    (
        EMISSION_RATE_WAD,
        474_645_000_000_000,
        0,
        10_000_000_000_000_000,
    ),
];

/// One epoch's accounting.
#[storage]
pub struct EpochData {
    /// Net credits (1e6 = 1 USD) settled to providers during the epoch (`recordWork`).
    work: StorageU256,
    /// CT (wei) emitted from the reserve when the epoch was finalised.
    emitted: StorageU256,
    /// Part of `emitted` claimable by providers (the rest went to the treasury).
    provider_share: StorageU256,
    /// CT (wei) drawn from the reserve during the epoch (`drawReserve`).
    drawn: StorageU256,
    /// `provider_work[p]`: net credits settled to `p`.
    provider_work: StorageMap<Address, StorageU256>,
    /// `claimed[p]`: whether `p` claimed its reward.
    claimed: StorageMap<Address, StorageBool>,
}

/// The contract's storage and entrypoint.
#[storage]
#[entrypoint]
pub struct Emissions {
    /// The compute token (this contract holds its `MINTER_ROLE`).
    token: StorageAddress,
    /// Receives the treasury part of each emission.
    treasury: StorageAddress,
    /// CT (wei) left in the emission reserve.
    reserve: StorageU256,
    /// The reserve at construction: `cap − totalSupply`.
    initial_reserve: StorageU256,
    /// Cumulative CT (wei) emitted by finalised epochs.
    total_emitted: StorageU256,
    /// Cumulative CT (wei) drawn from the reserve by `drawReserve`.
    total_drawn: StorageU256,
    /// Unix time of construction: start of epoch 0.
    genesis_time: StorageU64,
    /// Seconds per epoch.
    epoch_length: StorageU64,
    /// The next epoch `finalizeEpochs` finalises (all before it are final).
    next_epoch: StorageU64,
    /// `epochs[e]`.
    epochs: StorageMap<u64, EpochData>,
    /// The parameters of [`PARAMETERS`].
    parameters: StorageMap<B256, StorageU256>,
    /// Role-based access control.
    roles: Roles,
}

fn add(a: U256, b: U256) -> Result<U256, Error> {
    a.checked_add(b).ok_or_else(too_large)
}

#[public]
#[implements(AccessControl)]
impl Emissions {
    /// Initialises the contract: reads the token's `cap()` and `totalSupply()` (the reserve is
    /// `cap − totalSupply`, zero if the supply is above the cap), sets the default parameters, and starts
    /// epoch 0 now.
    ///
    /// # Arguments
    /// * `token` - the compute token (this contract needs its `MINTER_ROLE`).
    /// * `treasury` - receives the treasury part of each emission.
    /// * `admin` - receives `DEFAULT_ADMIN_ROLE`.
    /// * `epoch_length` - seconds per epoch, 3,600 to 2,592,000 (1 hour to 30 days); the anchors'
    ///   default is 86,400 (1 day), which the default emission rate assumes.
    ///
    /// # Errors
    /// `AccessControlInvalidDefaultAdmin(admin)`, `EmissionsZeroAddress()` (token or treasury),
    /// `EmissionsParameterOutOfBounds("epochLength", epochLength, 3600, 2592000)`,
    /// `EmissionsTokenCallFailed(reason)` (`cap()` or `totalSupply()` failed or returned no `uint256`).
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
            return Err(Error::InvalidDefaultAdmin(
                AccessControlInvalidDefaultAdmin {
                    defaultAdmin: admin,
                },
            ));
        }
        if token.is_zero() || treasury.is_zero() {
            return Err(zero_address());
        }
        if !(MIN_EPOCH_LENGTH..=MAX_EPOCH_LENGTH).contains(&epoch_length) {
            return Err(out_of_bounds(
                EPOCH_LENGTH,
                U256::from(epoch_length),
                U256::from(MIN_EPOCH_LENGTH),
                U256::from(MAX_EPOCH_LENGTH),
            ));
        }
        let cap = self.view_uint(token, calls::cap())?;
        let supply = self.view_uint(token, calls::total_supply())?;
        let reserve = cap.saturating_sub(supply);

        self.token.set(token);
        self.reserve.set(reserve);
        self.initial_reserve.set(reserve);
        self.genesis_time
            .set(U64::from(self.vm().block_timestamp()));
        self.epoch_length.set(U64::from(epoch_length));
        for (name, default, _, _) in PARAMETERS {
            self.parameters.insert(name, U256::from(default));
        }
        self.roles._grant_role(DEFAULT_ADMIN_ROLE, admin);
        self._set_treasury(treasury);
        Ok(())
    }

    // ------------------------------------------------------------------------------------------
    // Settlement hooks (SETTLER_ROLE: the BmeController)
    // ------------------------------------------------------------------------------------------

    /// Adds `credits` net credits (1e6 = 1 USD) settled to `provider` to the current epoch's work
    /// `work(e)` and to `work(e, provider)`, the weights of epoch `e`'s reward split. Only
    /// `SETTLER_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, SETTLER_ROLE)`, `EmissionsZeroAddress()` (provider),
    /// `EmissionsAmountTooLarge()` (a sum overflows).
    ///
    /// # Events
    /// `WorkRecorded(epoch, provider, credits)`.
    pub fn record_work(&mut self, provider: Address, credits: U256) -> Result<(), Error> {
        self.roles.only_role(SETTLER_ROLE)?;
        if provider.is_zero() {
            return Err(zero_address());
        }
        let epoch = self.current_epoch_u64();
        let mut e = self.epochs.setter(epoch);
        let work = add(e.work.get(), credits)?;
        let provider_work = add(e.provider_work.get(provider), credits)?;
        e.work.set(work);
        e.provider_work.insert(provider, provider_work);
        drop(e);
        self.emit(
            &[
                WorkRecorded::SIGNATURE_HASH,
                uint_word(U256::from(epoch)),
                addr_word(provider),
            ],
            &[uint_word(credits)],
        );
        Ok(())
    }

    /// Takes `amount` CT (wei) out of the emission reserve and mints it to `to` (a settlement payout
    /// the burn budget could not cover). Nothing is minted for zero. Only `SETTLER_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, SETTLER_ROLE)`, `EmissionsZeroAddress()` (to),
    /// `EmissionsReserveExceeded(amount, reserve)`, `EmissionsAmountTooLarge()`,
    /// `EmissionsTokenCallFailed(reason)` (the mint failed).
    ///
    /// # Events
    /// `ReserveDrawn(epoch, to, amount)`; the token's `Transfer` from 0.
    pub fn draw_reserve(&mut self, to: Address, amount: U256) -> Result<(), Error> {
        self.roles.only_role(SETTLER_ROLE)?;
        if to.is_zero() {
            return Err(zero_address());
        }
        let reserve = self.reserve.get();
        if amount > reserve {
            return Err(Error::ReserveExceeded(EmissionsReserveExceeded {
                requested: amount,
                available: reserve,
            }));
        }
        let epoch = self.current_epoch_u64();
        let total_drawn = add(self.total_drawn.get(), amount)?;
        let epoch_drawn = add(self.epochs.getter(epoch).drawn.get(), amount)?;
        // Cannot wrap: amount <= reserve.
        self.reserve.set(reserve.wrapping_sub(amount));
        self.total_drawn.set(total_drawn);
        self.epochs.setter(epoch).drawn.set(epoch_drawn);
        self.emit(
            &[
                ReserveDrawn::SIGNATURE_HASH,
                uint_word(U256::from(epoch)),
                addr_word(to),
            ],
            &[uint_word(amount)],
        );
        self.mint_to(to, amount)
    }

    // ------------------------------------------------------------------------------------------
    // Epochs and emissions
    // ------------------------------------------------------------------------------------------

    /// Finalises up to `min(max_epochs, 64)` past epochs in order (anyone may call). An epoch with
    /// work emits `floor(reserve × emissionRateWad / 1e18)` CT (wei) from the reserve,
    /// `treasuryEmissionBps` of it for the treasury and the rest left for providers to claim; an epoch
    /// without work emits nothing and the reserve carries over. The treasury parts of all epochs
    /// finalised are minted once, at the end. Returns how many epochs were finalised (zero when every
    /// past epoch is final).
    ///
    /// # Errors
    /// `EmissionsAmountTooLarge()`; `EmissionsTokenCallFailed(reason)` from the treasury mint.
    ///
    /// # Events
    /// `EpochFinalized(epoch, emission, treasuryAmount, work)` per epoch; the token's `Transfer`.
    pub fn finalize_epochs(&mut self, max_epochs: U256) -> Result<U256, Error> {
        let current = self.current_epoch_u64();
        let limit = u64::try_from(max_epochs)
            .unwrap_or(u64::MAX)
            .min(MAX_FINALIZE_PER_CALL);
        let rate = self.param(EMISSION_RATE_WAD);
        let treasury_bps = self.param(TREASURY_EMISSION_BPS);
        let mut reserve = self.reserve.get();
        let mut next = self.next_epoch.get().to::<u64>();
        let mut to_treasury = U256::ZERO;
        let mut total_emitted = self.total_emitted.get();
        let mut done = 0u64;
        for _ in 0..MAX_FINALIZE_PER_CALL {
            if done >= limit || next >= current {
                break;
            }
            let mut e = self.epochs.setter(next);
            let work = e.work.get();
            let emitted = if work.is_zero() {
                U256::ZERO
            } else {
                emission(reserve, rate).ok_or_else(too_large)?
            };
            let treasury_part = bps_down(emitted, treasury_bps).ok_or_else(too_large)?;
            // Cannot wrap: emitted <= reserve (rate <= 1e18); treasury_part <= emitted (bps <= 1e4).
            reserve = reserve.wrapping_sub(emitted);
            // An epoch without emission keeps its unwritten zeros: two storage writes less per
            // empty epoch (measured in BENCHMARKS.md).
            if !emitted.is_zero() {
                e.emitted.set(emitted);
                e.provider_share.set(emitted.wrapping_sub(treasury_part));
            }
            drop(e);
            to_treasury = add(to_treasury, treasury_part)?;
            total_emitted = add(total_emitted, emitted)?;
            self.emit(
                &[EpochFinalized::SIGNATURE_HASH, uint_word(U256::from(next))],
                &[
                    uint_word(emitted),
                    uint_word(treasury_part),
                    uint_word(work),
                ],
            );
            // Cannot wrap: next < current <= u64::MAX; done < limit.
            next = next.wrapping_add(1);
            done = done.wrapping_add(1);
        }
        self.reserve.set(reserve);
        self.total_emitted.set(total_emitted);
        self.next_epoch.set(U64::from(next));
        let treasury = self.treasury.get();
        self.mint_to(treasury, to_treasury)?;
        Ok(U256::from(done))
    }

    /// Pays the caller its share of each listed finalised epoch's emission:
    /// `floor(providerShare(e) × work(e, caller) / work(e))` CT (wei), once per epoch (a zero reward
    /// still marks the epoch claimed). Returns the total, minted in one call.
    ///
    /// # Errors
    /// `EmissionsTooManyEpochs(length, 32)`, `EmissionsEpochNotFinalized(epoch)`,
    /// `EmissionsAlreadyClaimed(epoch)` (also for an epoch listed twice), `EmissionsAmountTooLarge()`,
    /// `EmissionsTokenCallFailed(reason)`.
    ///
    /// # Events
    /// `RewardsClaimed(provider, epoch, amount)` per epoch; the token's `Transfer`.
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
            rewards[i] = self.reward(e, provider)?;
        }
        // Effects.
        let mut total = U256::ZERO;
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
        self.mint_to(provider, total)?;
        Ok(total)
    }

    /// `provider`'s unclaimed reward of `epoch` in CT (wei): zero if the epoch is not final yet or was
    /// claimed.
    ///
    /// # Errors
    /// `EmissionsAmountTooLarge()` (the product overflows).
    pub fn pending_reward(&self, epoch: U256, provider: Address) -> Result<U256, Error> {
        let next = self.next_epoch.get().to::<u64>();
        match u64::try_from(epoch) {
            Ok(e) if e < next && !self.epochs.getter(e).claimed.get(provider) => {
                self.reward(e, provider)
            }
            _ => Ok(U256::ZERO),
        }
    }

    /// Net credits (1e6 = 1 USD) recorded for `provider` in `epoch`.
    pub fn provider_work(&self, epoch: U256, provider: Address) -> U256 {
        match u64::try_from(epoch) {
            Ok(e) => self.epochs.getter(e).provider_work.get(provider),
            Err(_) => U256::ZERO,
        }
    }

    /// Epoch `epoch`'s accounting: `(work, emitted, providerShare, drawn)` — net credits recorded
    /// (1e6 = 1 USD), CT (wei) emitted at finalisation (zero before), the part of it claimable by
    /// providers, and CT (wei) drawn from the reserve during the epoch.
    pub fn epoch_stats(&self, epoch: U256) -> (U256, U256, U256, U256) {
        let Ok(e) = u64::try_from(epoch) else {
            return Default::default();
        };
        let e = self.epochs.getter(e);
        (
            e.work.get(),
            e.emitted.get(),
            e.provider_share.get(),
            e.drawn.get(),
        )
    }

    /// Cumulative CT (wei): `(initialReserve, reserve, emitted, drawn)`, with
    /// `emitted + drawn + reserve = initialReserve`.
    pub fn supply_stats(&self) -> (U256, U256, U256, U256) {
        (
            self.initial_reserve.get(),
            self.reserve.get(),
            self.total_emitted.get(),
            self.total_drawn.get(),
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

    /// The value of parameter `name` (`bytes32("treasuryEmissionBps")` in bps,
    /// `bytes32("emissionRateWad")` in wad); zero for an unknown name.
    pub fn parameter(&self, name: B256) -> U256 {
        self.parameters.get(name)
    }

    /// Sets parameter `name` to `value` within its bounds: `treasuryEmissionBps` 0 to 5,000 bps,
    /// `emissionRateWad` 0 to 1e16 (1% per epoch). Applies to epochs finalised from then on. Only
    /// `PARAMETER_ADMIN_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, PARAMETER_ADMIN_ROLE)`,
    /// `EmissionsUnknownParameter(name)`, `EmissionsParameterOutOfBounds(name, value, min, max)`.
    ///
    /// # Events
    /// `ParameterUpdated(name, oldValue, newValue)`.
    pub fn set_parameter(&mut self, name: B256, value: U256) -> Result<(), Error> {
        self.roles.only_role(PARAMETER_ADMIN_ROLE)?;
        let Some(&(_, _, min, max)) = PARAMETERS.iter().find(|p| p.0 == name) else {
            return Err(Error::UnknownParameter(EmissionsUnknownParameter { name }));
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

    /// `keccak256("SETTLER_ROLE")`: the role of the BmeController (`recordWork`, `drawReserve`).
    pub fn settler_role(&self) -> B256 {
        SETTLER_ROLE
    }
}

common::impl_access_control!(Emissions, roles);

impl Emissions {
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

    fn reward(&self, epoch: u64, provider: Address) -> Result<U256, Error> {
        let e = self.epochs.getter(epoch);
        math::reward(
            e.provider_share.get(),
            e.provider_work.get(provider),
            e.work.get(),
        )
        .ok_or_else(too_large)
    }

    /// Static-calls a token view returning one `uint256`.
    fn view_uint(&self, to: Address, data: Vec<u8>) -> Result<U256, Error> {
        let out = static_call(self.vm(), Call::new(), to, &data).map_err(call_failed)?;
        calls::decode_uint(&out).ok_or_else(|| token_failed(out))
    }

    /// Mints `amount` CT (wei) to `to` through the token (nothing for zero).
    fn mint_to(&mut self, to: Address, amount: U256) -> Result<(), Error> {
        if amount.is_zero() {
            return Ok(());
        }
        let token = self.token.get();
        let context = Call::new_mutating(self);
        call(self.vm(), context, token, &calls::mint(to, amount))
            .map(|_| ())
            .map_err(call_failed)
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

/// A failed token call as `EmissionsTokenCallFailed(revert data)`.
fn call_failed(e: CallError) -> Error {
    match e {
        CallError::Revert(reason) => token_failed(reason),
        CallError::AbiDecodingFailed(_) => token_failed(Vec::new()),
    }
}
