//! # ProviderRegistry
//!
//! GPU providers of compute-market register here, stake compute tokens (CT) as collateral, unbond
//! them through a delay, and are locked, slashed and jailed by the job escrow (DESIGN.md §5).
//!
//! Units: amounts are wei of CT (18 decimals, `1e18` = 1 CT); times are unix seconds
//! (`block.timestamp`); rates are basis points (bps, 1/10_000).
//!
//! ## Stake buckets
//! Each provider's stake is in one of two buckets, both held by this contract in CT:
//! - **active**: staked with [`ProviderRegistry::stake`]/[`ProviderRegistry::stake_with_permit`];
//!   counts towards eligibility. A part of it, **locked**, backs running jobs
//!   ([`ProviderRegistry::lock_stake`], `JOB_MANAGER_ROLE`) and cannot be unbonded.
//! - **unbonding**: up to [`MAX_UNBOND_REQUESTS`] (16) requests, each maturing `unbondingPeriod`
//!   seconds after [`ProviderRegistry::request_unbond`]; matured ones are paid by
//!   [`ProviderRegistry::withdraw`]. Unbonding stake earns nothing, is not eligible stake, and stays
//!   slashable until withdrawn.
//!
//! [`ProviderRegistry::slash`] (`SLASHER_ROLE`) takes at most `maxSlashBps` of active + unbonding
//! stake, pro rata from the active bucket and every unbonding request; `challengerShareBps` of it
//! goes to the beneficiary and the rest is burned with the token's `burn`.
//!
//! ## Parameters
//! Set by `PARAMETER_ADMIN_ROLE` (a timelock) with [`ProviderRegistry::set_parameter`], each within
//! hard bounds, each change logged as `ParameterUpdated(name, oldValue, newValue)`; names are the
//! ASCII `bytes32` of [`common::params::name`]:
//!
//! | name | default | bounds | unit |
//! |---|---:|---|---|
//! | `minStakeBase` | 5_000e18 | [100e18, 1_000_000e18] | wei of CT |
//! | `stakePerGpu` | 200e18 | [0, 100_000e18] | wei of CT per GPU |
//! | `unbondingPeriod` | 1_209_600 (14 days) | [`minUnbondingPeriod`, 7_776_000 (90 days)] | seconds |
//! | `minUnbondingPeriod` | 777_600 (9 days) | [86_400, `unbondingPeriod`] | seconds |
//! | `maxSlashBps` | 1_000 | [100, 2_000] | bps |
//! | `challengerShareBps` | 5_000 | [0, 10_000] | bps |
//!
//! `minUnbondingPeriod` defaults to the escrow's challenge window (86_400 s) + arbitration window
//! (7 days) + 1 day, so that every fault of a job is ruled on while the stake that backed it is
//! still here. It is stored rather than read from the escrow (no calls out); governance must raise
//! it together with the escrow's windows.
//!
//! ## Security considerations
//! - **Roles**: `JOB_MANAGER_ROLE` and `SLASHER_ROLE` are meant for the job escrow alone
//!   (DESIGN.md §7); a holder of `SLASHER_ROLE` can take up to `maxSlashBps` of any provider's stake
//!   per call, so repeated calls can drain a provider: only trusted contracts may hold it.
//!   `DEFAULT_ADMIN_ROLE` grants every role and must be a multisig/timelock.
//! - **Pause** (`PAUSER_ROLE`) stops `register`, `stake` and `stakeWithPermit` only. Withdrawals,
//!   unbonding, cancelling, deregistering, profile updates and the escrow's lock/unlock/slash keep
//!   working, so a pause never traps funds nor lets a provider escape a slash.
//! - **Token calls** go only to the token fixed at construction. `transfer`/`transferFrom` must
//!   return exactly `true`, and every movement is checked against the registry's own balance before
//!   and after (`RegistryBalanceDeltaMismatch`), so fee-on-transfer or rebasing tokens are rejected
//!   rather than silently breaking the accounting.
//! - **Reentrancy**: checks-effects-interactions everywhere: all storage is written and all events
//!   are logged before the token is called; payouts (`withdraw`, `slash`) are the last step. The
//!   token is CT, which has no transfer hooks.
//! - **Permit front-running**: `stakeWithPermit` tolerates a permit that someone else already
//!   submitted (OpenZeppelin `SafeERC20.safePermit` discussion): if `permit` fails it proceeds when
//!   the allowance already covers the amount, and fails with `SafeERC20FailedOperation` otherwise.
//! - **Bounded loops**: every loop walks the 16 unbonding slots at most, so gas per call is bounded.
//! - **Rounding** favours solvency: slash shares round up per bucket (each by < 1 wei) and are capped
//!   by the exact total; the beneficiary share rounds down and the burn is the remainder.
//! - **Arithmetic** is checked or carries the inequality that makes it safe (ruint `U256` wraps).
//! - **Jail** only ever extends; there is no unjail (a wrongly jailed provider waits or re-registers
//!   under governance review).
//! - Changing `unbondingPeriod` does not move the maturity of requests already made.
//!
//! ## Invariants
//! 1. `balanceOf(registry) >= Σ (activeStake + unbondingStake)` over providers, with equality when
//!    nobody sends CT to the registry directly (DESIGN.md §9.5).
//! 2. `lockedStake(p) <= activeStake(p)` for every provider.
//! 3. `unbondingStake(p)` = Σ amounts of `p`'s pending requests; at most 16 are pending.
//! 4. A slash takes at most `maxSlashBps × (active + unbonding) / 10_000` of the stake at that time.
//! 5. No request is paid before its `releaseAt`; stake stays slashable until paid (DESIGN.md §9.6).
//! 6. `minUnbondingPeriod <= unbondingPeriod` at all times.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]
// stylus-proc generates undocumented items (`user_entrypoint`, export-abi structs) outside test
// builds; docs stay enforced in the test build, which `cargo clippy --all-targets` checks.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]

extern crate alloc;

pub mod interface;
mod math;
mod token;

#[cfg(test)]
mod tests;

#[allow(unused_imports)] // `vec!` is referenced by code stylus-proc generates
use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{uint, Address, B256, U256};
use common::{
    access::{AccessControl, AccessControlInvalidDefaultAdmin, Roles},
    params::{self, ParameterUpdated},
    pausable::{Pausable, PauseState},
    roles::{DEFAULT_ADMIN_ROLE, JOB_MANAGER_ROLE, PARAMETER_ADMIN_ROLE, SLASHER_ROLE},
};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageArray, StorageB256, StorageBool, StorageMap, StorageU256},
};

use alloy_sol_types::SolEvent;

use crate::{interface::*, math::*};

/// Most pending unbonding requests a provider may have (the bound of every loop).
pub const MAX_UNBOND_REQUESTS: usize = 16;
/// Largest `gpuCount` a profile may declare.
pub const MAX_GPU_COUNT: u32 = 1024;
/// Longest metadata URI, in bytes.
pub const MAX_URI_LENGTH: usize = 256;
/// 100% in basis points.
pub const BPS: U256 = uint!(10_000_U256);

/// `bytes32("minStakeBase")`: stake every provider needs whatever its GPUs (wei of CT).
pub const MIN_STAKE_BASE: B256 = params::name("minStakeBase");
/// `bytes32("stakePerGpu")`: extra stake per declared GPU (wei of CT).
pub const STAKE_PER_GPU: B256 = params::name("stakePerGpu");
/// `bytes32("unbondingPeriod")`: delay between `requestUnbond` and `withdraw` (seconds).
pub const UNBONDING_PERIOD: B256 = params::name("unbondingPeriod");
/// `bytes32("minUnbondingPeriod")`: floor of `unbondingPeriod` (seconds).
pub const MIN_UNBONDING_PERIOD: B256 = params::name("minUnbondingPeriod");
/// `bytes32("maxSlashBps")`: most one slash takes of active + unbonding stake (bps).
pub const MAX_SLASH_BPS: B256 = params::name("maxSlashBps");
/// `bytes32("challengerShareBps")`: part of a slash paid to the beneficiary (bps).
pub const CHALLENGER_SHARE_BPS: B256 = params::name("challengerShareBps");

/// Every parameter's name; the index is used by `setParameter`.
pub const PARAMETERS: [B256; 6] = [
    MIN_STAKE_BASE,
    STAKE_PER_GPU,
    UNBONDING_PERIOD,
    MIN_UNBONDING_PERIOD,
    MAX_SLASH_BPS,
    CHALLENGER_SHARE_BPS,
];
const MIN_STAKE_BASE_INDEX: usize = 0;
const STAKE_PER_GPU_INDEX: usize = 1;
const UNBONDING_PERIOD_INDEX: usize = 2;
const MIN_UNBONDING_PERIOD_INDEX: usize = 3;
const MAX_SLASH_BPS_INDEX: usize = 4;
const CHALLENGER_SHARE_BPS_INDEX: usize = 5;
/// Defaults, by [`PARAMETERS`] index.
const PARAMETER_DEFAULT: [U256; 6] = [
    DEFAULT_MIN_STAKE_BASE,
    DEFAULT_STAKE_PER_GPU,
    uint!(1_209_600_U256),
    uint!(777_600_U256),
    uint!(1_000_U256),
    uint!(5_000_U256),
];
/// Hard lower bounds, by [`PARAMETERS`] index (`unbondingPeriod`'s is `minUnbondingPeriod`).
const PARAMETER_MIN: [U256; 6] = [
    uint!(100_000000000000000000_U256),
    U256::ZERO,
    U256::ZERO,
    uint!(86_400_U256),
    uint!(100_U256),
    U256::ZERO,
];
/// Hard upper bounds, by [`PARAMETERS`] index (`minUnbondingPeriod`'s is `unbondingPeriod`).
const PARAMETER_MAX: [U256; 6] = [
    uint!(1_000_000_000000000000000000_U256),
    uint!(100_000_000000000000000000_U256),
    uint!(7_776_000_U256),
    U256::ZERO,
    uint!(2_000_U256),
    BPS,
];

const DAY: u64 = 86_400;
/// Default `minStakeBase`: 5,000 CT.
pub const DEFAULT_MIN_STAKE_BASE: U256 = uint!(5_000_000000000000000000_U256);
/// Default `stakePerGpu`: 200 CT.
pub const DEFAULT_STAKE_PER_GPU: U256 = uint!(200_000000000000000000_U256);
/// Default `unbondingPeriod`: 14 days.
pub const DEFAULT_UNBONDING_PERIOD: u64 = 14 * DAY;
/// Default `minUnbondingPeriod`: challenge window (1 day) + arbitration window (7 days) + 1 day.
pub const DEFAULT_MIN_UNBONDING_PERIOD: u64 = DAY + 7 * DAY + DAY;
/// Default `maxSlashBps`: 10%.
pub const DEFAULT_MAX_SLASH_BPS: u64 = 1_000;
/// Default `challengerShareBps`: 50%.
pub const DEFAULT_CHALLENGER_SHARE_BPS: u64 = 5_000;

/// One unbonding request slot; empty while `amount` is 0.
#[storage]
pub struct UnbondSlot {
    /// The request's id (per provider, from 1).
    id: StorageU256,
    /// Timestamp from which it can be withdrawn (unix seconds).
    release_at: StorageU256,
    /// Wei of CT still unbonding in it (reduced by slashes).
    amount: StorageU256,
}

/// A provider's profile, stake and counters.
#[storage]
pub struct Provider {
    /// Registered (set by `register`, cleared by `deregister`).
    registered: StorageBool,
    /// Declared GPUs, 1..=[`MAX_GPU_COUNT`].
    gpu_count: StorageU256,
    /// Declared memory per GPU (GiB).
    vram_gib: StorageU256,
    /// Not eligible before this time (unix seconds).
    jailed_until: StorageU256,
    /// Jobs completed.
    completed_jobs: StorageU256,
    /// Jobs failed.
    failed_jobs: StorageU256,
    /// Id of the last unbonding request made (ids start at 1).
    last_request_id: StorageU256,
    /// GPU model identifier (e.g. `bytes32("H100-SXM")`).
    gpu_model: StorageB256,
    /// Region identifier.
    region: StorageB256,
    /// Active stake (wei of CT).
    active: StorageU256,
    /// Part of `active` locked by jobs (wei of CT); `locked <= active`.
    locked: StorageU256,
    /// Σ of the unbonding slots' amounts (wei of CT).
    unbonding: StorageU256,
    /// The unbonding requests.
    requests: StorageArray<UnbondSlot, MAX_UNBOND_REQUESTS>,
}

/// The registry's storage and entrypoint.
#[storage]
#[entrypoint]
pub struct ProviderRegistry {
    /// The stake token (CT), fixed at construction.
    token: StorageAddress,
    /// `providers[address]`.
    providers: StorageMap<Address, Provider>,
    /// The parameters' values, by [`PARAMETERS`] index (units in the crate docs' table).
    params: StorageArray<StorageU256, 6>,
    /// Pause flag.
    pause_state: PauseState,
    /// Role-based access control.
    roles: Roles,
}

/// Tuple returned by `providerInfo`: `(registered, gpuModel, gpuCount, vramGiB, region,
/// activeStake, lockedStake, unbondingStake, jailedUntil, completedJobs, failedJobs)`.
pub type ProviderInfo = (bool, B256, u32, u32, B256, U256, U256, U256, u64, u64, u64);

#[public]
#[implements(AccessControl, Pausable)]
impl ProviderRegistry {
    /// Initialises the registry once, at deployment (run by StylusDeployer; `msg.sender` is the
    /// deployer contract, so the admin is passed explicitly). Parameters take their defaults.
    ///
    /// # Arguments
    /// * `token` - the stake token (CT); fixed forever.
    /// * `admin` - receives `DEFAULT_ADMIN_ROLE` (grants the other roles later).
    ///
    /// # Errors
    /// * `RegistryInvalidToken(address(0))` if `token` is zero.
    /// * `AccessControlInvalidDefaultAdmin(address(0))` if `admin` is zero.
    ///
    /// # Events
    /// `RoleGranted(DEFAULT_ADMIN_ROLE, admin, msg.sender)`.
    #[constructor]
    pub fn constructor(&mut self, token: Address, admin: Address) -> Result<(), Error> {
        if token.is_zero() {
            return Err(Error::InvalidToken(RegistryInvalidToken { token }));
        }
        if admin.is_zero() {
            return Err(Error::InvalidDefaultAdmin(
                AccessControlInvalidDefaultAdmin {
                    defaultAdmin: admin,
                },
            ));
        }
        self.token.set(token);
        for (i, value) in PARAMETER_DEFAULT.into_iter().enumerate() {
            self.set_param(i, value);
        }
        self.roles._grant_role(DEFAULT_ADMIN_ROLE, admin);
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Profile
    // -----------------------------------------------------------------------------------------

    /// Registers the caller as a provider with a profile. Stake separately with `stake`.
    ///
    /// # Arguments
    /// * `gpu_model`, `region` - free-form identifiers (e.g. ASCII `bytes32`).
    /// * `gpu_count` - GPUs offered, 1..=1024; sets the required stake.
    /// * `vram_gib` - memory per GPU in GiB.
    /// * `metadata_uri` - at most 256 bytes; only logged, never stored.
    ///
    /// # Errors
    /// * `EnforcedPause()` while paused.
    /// * `RegistryAlreadyRegistered(caller)` if registered.
    /// * `RegistryInvalidGpuCount(gpuCount, 1024)`, `RegistryMetadataURITooLong(length, 256)`.
    ///
    /// # Events
    /// `ProviderRegistered(caller, gpuModel, gpuCount, vramGiB, region, metadataURI)`.
    pub fn register(
        &mut self,
        gpu_model: B256,
        gpu_count: u32,
        vram_gib: u32,
        region: B256,
        metadata_uri: String,
    ) -> Result<(), Error> {
        self.pause_state.when_not_paused()?;
        let provider = self.vm().msg_sender();
        if self.providers.getter(provider).registered.get() {
            return Err(Error::AlreadyRegistered(RegistryAlreadyRegistered {
                provider,
            }));
        }
        check_profile(gpu_count, &metadata_uri)?;
        let mut p = self.providers.setter(provider);
        p.registered.set(true);
        p.gpu_model.set(gpu_model);
        p.gpu_count.set(u32_word(gpu_count));
        p.vram_gib.set(u32_word(vram_gib));
        p.region.set(region);
        self.emit_profile(
            ProviderRegistered::SIGNATURE_HASH,
            provider,
            gpu_model,
            gpu_count,
            vram_gib,
            region,
            &metadata_uri,
        );
        Ok(())
    }

    /// Replaces the caller's profile (same arguments and bounds as `register`). Allowed while paused.
    ///
    /// # Errors
    /// * `RegistryNotRegistered(caller)`.
    /// * `RegistryInvalidGpuCount(gpuCount, 1024)`, `RegistryMetadataURITooLong(length, 256)`.
    ///
    /// # Events
    /// `ProfileUpdated(caller, gpuModel, gpuCount, vramGiB, region, metadataURI)`.
    pub fn update_profile(
        &mut self,
        gpu_model: B256,
        gpu_count: u32,
        vram_gib: u32,
        region: B256,
        metadata_uri: String,
    ) -> Result<(), Error> {
        let provider = self.vm().msg_sender();
        self.only_registered(provider)?;
        check_profile(gpu_count, &metadata_uri)?;
        let mut p = self.providers.setter(provider);
        p.gpu_model.set(gpu_model);
        p.gpu_count.set(u32_word(gpu_count));
        p.vram_gib.set(u32_word(vram_gib));
        p.region.set(region);
        self.emit_profile(
            ProfileUpdated::SIGNATURE_HASH,
            provider,
            gpu_model,
            gpu_count,
            vram_gib,
            region,
            &metadata_uri,
        );
        Ok(())
    }

    /// Deregisters the caller: its whole active stake starts unbonding as one request (none if it
    /// is 0). Allowed while paused; the profile stays readable but the provider is not eligible.
    ///
    /// # Errors
    /// * `RegistryNotRegistered(caller)`.
    /// * `RegistryStakeLocked(caller, locked)` while any stake is locked by jobs.
    /// * `RegistryTooManyUnbondRequests(caller, 16)` if stake is active and all 16 slots are taken.
    ///
    /// # Events
    /// `UnbondRequested(caller, requestId, amount, releaseAt)` when `amount > 0`, then
    /// `Deregistered(caller, requestId, amount)`.
    pub fn deregister(&mut self) -> Result<(), Error> {
        let provider = self.vm().msg_sender();
        self.only_registered(provider)?;
        let locked = self.providers.getter(provider).locked.get();
        if !locked.is_zero() {
            return Err(Error::StakeLocked(RegistryStakeLocked { provider, locked }));
        }
        let amount = self.providers.getter(provider).active.get();
        let request_id = if amount.is_zero() {
            U256::ZERO
        } else {
            self._unbond(provider, amount)?
        };
        self.providers.setter(provider).registered.set(false);
        self.emit(
            &[
                Deregistered::SIGNATURE_HASH,
                addr_word(provider),
                uint_word(request_id),
            ],
            &[uint_word(amount)],
        );
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Stake
    // -----------------------------------------------------------------------------------------

    /// Stakes `amount` wei of CT from the caller, which must have approved the registry.
    ///
    /// # Errors
    /// * `EnforcedPause()` while paused.
    /// * `RegistryNotRegistered(caller)`, `RegistryZeroAmount()`.
    /// * `SafeERC20FailedOperation(token)` if `transferFrom` reverts or does not return `true`.
    /// * `RegistryBalanceDeltaMismatch(amount, received)` if the registry did not receive exactly
    ///   `amount`.
    ///
    /// # Events
    /// `Staked(caller, amount, activeStake)`.
    pub fn stake(&mut self, amount: U256) -> Result<(), Error> {
        let provider = self.vm().msg_sender();
        self.check_stake(provider, amount)?;
        self._stake(provider, amount)
    }

    /// Stakes `amount` wei of CT from the caller using an EIP-2612 permit for the registry
    /// (`permit(caller, registry, amount, deadline, v, r, s)`), then pulls it like `stake`. A permit
    /// that fails (e.g. already submitted by a front-runner) is ignored if the allowance already
    /// covers `amount`.
    ///
    /// # Arguments
    /// * `deadline` - the permit's deadline (unix seconds).
    /// * `v`, `r`, `s` - the caller's permit signature.
    ///
    /// # Errors
    /// As `stake`, plus `SafeERC20FailedOperation(token)` if the permit failed and the allowance is
    /// below `amount`.
    ///
    /// # Events
    /// `Staked(caller, amount, activeStake)`.
    pub fn stake_with_permit(
        &mut self,
        amount: U256,
        deadline: U256,
        v: u8,
        r: B256,
        s: B256,
    ) -> Result<(), Error> {
        let provider = self.vm().msg_sender();
        self.check_stake(provider, amount)?;
        let spender = self.vm().contract_address();
        let permitted = self
            .token_call(token::permit(provider, spender, amount, deadline, v, r, s))
            .is_ok();
        if !permitted && self.token_allowance(provider, spender)? < amount {
            return Err(self.token_failed());
        }
        self._stake(provider, amount)
    }

    /// Moves `amount` wei of the caller's free (active, unlocked) stake into a new unbonding request
    /// maturing `unbondingPeriod` seconds from now. Allowed while paused and while jailed.
    ///
    /// Returns the request id (per provider, from 1).
    ///
    /// # Errors
    /// * `RegistryZeroAmount()`.
    /// * `RegistryInsufficientFreeStake(caller, free, amount)` if `amount > active - locked`.
    /// * `RegistryTooManyUnbondRequests(caller, 16)` if 16 requests are pending.
    ///
    /// # Events
    /// `UnbondRequested(caller, requestId, amount, releaseAt)`.
    pub fn request_unbond(&mut self, amount: U256) -> Result<U256, Error> {
        let provider = self.vm().msg_sender();
        if amount.is_zero() {
            return Err(Error::ZeroAmount(RegistryZeroAmount {}));
        }
        let free = self.free_stake(provider);
        if amount > free {
            return Err(Error::InsufficientFreeStake(
                RegistryInsufficientFreeStake {
                    provider,
                    free,
                    needed: amount,
                },
            ));
        }
        self._unbond(provider, amount)
    }

    /// Cancels the caller's pending unbonding request `request_id` (matured or not): its remaining
    /// amount becomes active stake again. Requires registration (a deregistered provider
    /// re-registers first).
    ///
    /// # Errors
    /// * `RegistryNotRegistered(caller)`.
    /// * `RegistryUnknownUnbondRequest(caller, requestId)` if no such request is pending.
    ///
    /// # Events
    /// `UnbondCancelled(caller, requestId, amount)`.
    pub fn cancel_unbond(&mut self, request_id: U256) -> Result<(), Error> {
        let provider = self.vm().msg_sender();
        self.only_registered(provider)?;
        let mut p = self.providers.setter(provider);
        let mut amount = U256::ZERO;
        for i in 0..MAX_UNBOND_REQUESTS {
            let Some(mut slot) = p.requests.setter(i) else {
                break;
            };
            let slot_amount = slot.amount.get();
            if !slot_amount.is_zero() && slot.id.get() == request_id {
                slot.amount.set(U256::ZERO);
                amount = slot_amount;
                break;
            }
        }
        if amount.is_zero() {
            return Err(Error::UnknownUnbondRequest(RegistryUnknownUnbondRequest {
                provider,
                requestId: request_id,
            }));
        }
        // Cannot wrap: the slot's amount is part of Σ slots = unbonding.
        let unbonding = p.unbonding.get().wrapping_sub(amount);
        p.unbonding.set(unbonding);
        // Cannot wrap: active + unbonding <= the registry's token balance < 2^256.
        let active = p.active.get().wrapping_add(amount);
        p.active.set(active);
        self.emit(
            &[
                UnbondCancelled::SIGNATURE_HASH,
                addr_word(provider),
                uint_word(request_id),
            ],
            &[uint_word(amount)],
        );
        Ok(())
    }

    /// Pays the caller every matured unbonding request (`releaseAt <= block.timestamp`), after
    /// whatever slashes they suffered. Works while paused and after deregistering.
    ///
    /// Returns the amount paid (wei of CT).
    ///
    /// # Errors
    /// * `RegistryNothingToWithdraw(caller)` if no request has matured.
    /// * `SafeERC20FailedOperation(token)` if `transfer` fails, `RegistryBalanceDeltaMismatch`
    ///   if the registry's balance did not fall by exactly the amount.
    ///
    /// # Events
    /// `Withdrawn(caller, amount)`.
    pub fn withdraw(&mut self) -> Result<U256, Error> {
        let provider = self.vm().msg_sender();
        let now = self.vm().block_timestamp();
        let mut p = self.providers.setter(provider);
        let mut total = U256::ZERO;
        for i in 0..MAX_UNBOND_REQUESTS {
            let Some(mut slot) = p.requests.setter(i) else {
                break;
            };
            let amount = slot.amount.get();
            if !amount.is_zero() && word_u64(slot.release_at.get()) <= now {
                slot.amount.set(U256::ZERO);
                // Cannot wrap: Σ of some slots <= Σ slots = unbonding < 2^256.
                total = total.wrapping_add(amount);
            }
        }
        if total.is_zero() {
            return Err(Error::NothingToWithdraw(RegistryNothingToWithdraw {
                provider,
            }));
        }
        // Cannot wrap: total is a part of Σ slots = unbonding.
        let unbonding = p.unbonding.get().wrapping_sub(total);
        p.unbonding.set(unbonding);
        self.emit(
            &[Withdrawn::SIGNATURE_HASH, addr_word(provider)],
            &[uint_word(total)],
        );
        self.pay_out(&[(provider, total)], U256::ZERO)?;
        Ok(total)
    }

    // -----------------------------------------------------------------------------------------
    // Job manager (escrow)
    // -----------------------------------------------------------------------------------------

    /// Locks `amount` wei of `provider`'s free stake as collateral of a job. Only
    /// `JOB_MANAGER_ROLE`. Does not check eligibility (the escrow does).
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, JOB_MANAGER_ROLE)`.
    /// * `RegistryInsufficientFreeStake(provider, free, amount)` if `amount > active - locked`.
    ///
    /// # Events
    /// `StakeLocked(provider, amount, lockedStake)`.
    pub fn lock_stake(&mut self, provider: Address, amount: U256) -> Result<(), Error> {
        self.roles.only_role(JOB_MANAGER_ROLE)?;
        let free = self.free_stake(provider);
        if amount > free {
            return Err(Error::InsufficientFreeStake(
                RegistryInsufficientFreeStake {
                    provider,
                    free,
                    needed: amount,
                },
            ));
        }
        let mut p = self.providers.setter(provider);
        // Cannot wrap: locked + amount <= locked + free = active.
        let locked = p.locked.get().wrapping_add(amount);
        p.locked.set(locked);
        self.emit(
            &[StakeLocked::SIGNATURE_HASH, addr_word(provider)],
            &[uint_word(amount), uint_word(locked)],
        );
        Ok(())
    }

    /// Unlocks `min(amount, lockedStake(provider))` wei: a slash may have clamped the lock below
    /// what the job locked, and the escrow's unlock must still succeed. Only `JOB_MANAGER_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, JOB_MANAGER_ROLE)`.
    ///
    /// # Events
    /// `StakeUnlocked(provider, unlocked, lockedStake)` with the amount actually unlocked.
    pub fn unlock_stake(&mut self, provider: Address, amount: U256) -> Result<(), Error> {
        self.roles.only_role(JOB_MANAGER_ROLE)?;
        let mut p = self.providers.setter(provider);
        let locked = p.locked.get();
        let unlocked = amount.min(locked);
        // Cannot wrap: unlocked <= locked.
        let remaining = locked.wrapping_sub(unlocked);
        p.locked.set(remaining);
        self.emit(
            &[StakeUnlocked::SIGNATURE_HASH, addr_word(provider)],
            &[uint_word(unlocked), uint_word(remaining)],
        );
        Ok(())
    }

    /// Counts a finished job of `provider`'s as completed (`success`) or failed. Only
    /// `JOB_MANAGER_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, JOB_MANAGER_ROLE)`.
    ///
    /// # Events
    /// `OutcomeRecorded(provider, success, completedJobs, failedJobs)`.
    pub fn record_outcome(&mut self, provider: Address, success: bool) -> Result<(), Error> {
        self.roles.only_role(JOB_MANAGER_ROLE)?;
        let mut p = self.providers.setter(provider);
        let (mut completed, mut failed) = (
            word_u64(p.completed_jobs.get()),
            word_u64(p.failed_jobs.get()),
        );
        // Saturating: a counter reaching 2^64 - 1 jobs is not a real concern, and must not revert.
        if success {
            completed = completed.saturating_add(1);
            p.completed_jobs.set(u64_word(completed));
        } else {
            failed = failed.saturating_add(1);
            p.failed_jobs.set(u64_word(failed));
        }
        self.emit(
            &[OutcomeRecorded::SIGNATURE_HASH, addr_word(provider)],
            &[
                uint_word(U256::from(success as u8)),
                uint_word(U256::from(completed)),
                uint_word(U256::from(failed)),
            ],
        );
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Slasher (escrow, governance)
    // -----------------------------------------------------------------------------------------

    /// Slashes `min(amount, maxSlashBps × (active + unbonding) / 10_000)` wei of `provider`'s stake,
    /// taken pro rata from its active stake and from each unbonding request (each share rounded
    /// up, the total exact). `challengerShareBps` of it (rounded down) goes to `beneficiary`, the
    /// rest is burned. Locked stake is clamped to the active stake left. Works while paused and on
    /// deregistered providers (whose stake is unbonding). A slash of 0 (nothing staked, or
    /// `amount == 0`) only logs. Only `SLASHER_ROLE`.
    ///
    /// # Arguments
    /// * `reason` - free-form identifier logged in `Slashed` (e.g. the job id).
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, SLASHER_ROLE)`.
    /// * `RegistryInvalidBeneficiary(address(0))`.
    /// * `RegistryArithmeticOverflow()` for stakes beyond ~1e38 CT (no real supply reaches it).
    /// * `SafeERC20FailedOperation(token)` if `transfer`/`burn` fails, or
    ///   `RegistryBalanceDeltaMismatch(slashed, actual)`.
    ///
    /// # Events
    /// `Slashed(provider, amount, toBeneficiary, burned, reason)` with the amounts actually taken.
    pub fn slash(
        &mut self,
        provider: Address,
        amount: U256,
        beneficiary: Address,
        reason: B256,
    ) -> Result<(), Error> {
        self.roles.only_role(SLASHER_ROLE)?;
        if beneficiary.is_zero() {
            return Err(Error::InvalidBeneficiary(RegistryInvalidBeneficiary {
                beneficiary,
            }));
        }
        let max_slash_bps = self.param(MAX_SLASH_BPS_INDEX);
        let share_bps = self.param(CHALLENGER_SHARE_BPS_INDEX);
        let mut p = self.providers.setter(provider);
        let active = p.active.get();
        let unbonding = p.unbonding.get();
        let total = active.checked_add(unbonding).ok_or_else(overflow)?;
        let slashed = amount.min(mul_div(total, max_slash_bps, BPS, false)?);
        if !slashed.is_zero() {
            // slashed <= total (maxSlashBps <= 10_000), so each ceil(slashed × x / total) <= x, and
            // Σ over buckets of ceil(slashed × x / total) >= slashed × Σx / total = slashed: capping
            // each take by what is still `remaining` makes the takes add up to exactly `slashed`.
            let from_active = mul_div(slashed, active, total, true)?;
            // Cannot wrap: from_active <= active and ceil(slashed × active / total) <= slashed.
            let mut remaining = slashed.wrapping_sub(from_active);
            for i in 0..MAX_UNBOND_REQUESTS {
                if remaining.is_zero() {
                    break;
                }
                let Some(mut slot) = p.requests.setter(i) else {
                    break;
                };
                let x = slot.amount.get();
                if x.is_zero() {
                    continue;
                }
                let take = mul_div(slashed, x, total, true)?.min(remaining);
                // Cannot wrap: take <= ceil(slashed × x / total) <= x, and take <= remaining.
                slot.amount.set(x.wrapping_sub(take));
                remaining = remaining.wrapping_sub(take);
            }
            // Cannot wrap: from_active <= active (above).
            let new_active = active.wrapping_sub(from_active);
            p.active.set(new_active);
            // Cannot wrap: slashed - from_active (the unbonding takes) <= Σ slots = unbonding.
            p.unbonding
                .set(unbonding.wrapping_sub(slashed.wrapping_sub(from_active)));
            if p.locked.get() > new_active {
                p.locked.set(new_active);
            }
        }
        let to_beneficiary = mul_div(slashed, share_bps, BPS, false)?;
        // Cannot wrap: share_bps <= 10_000, so to_beneficiary <= slashed.
        let burned = slashed.wrapping_sub(to_beneficiary);
        self.emit(
            &[Slashed::SIGNATURE_HASH, addr_word(provider)],
            &[
                uint_word(slashed),
                uint_word(to_beneficiary),
                uint_word(burned),
                reason,
            ],
        );
        self.pay_out(&[(beneficiary, to_beneficiary)], burned)
    }

    /// Jails `provider` until `until` (unix seconds): it is not eligible for new jobs before then.
    /// A jail only extends: an earlier `until` than the current one changes nothing (but logs).
    /// Only `SLASHER_ROLE`.
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, SLASHER_ROLE)`.
    /// * `RegistryNotRegistered(provider)`.
    ///
    /// # Events
    /// `Jailed(provider, jailedUntil)` with the resulting jail end.
    pub fn jail(&mut self, provider: Address, until: u64) -> Result<(), Error> {
        self.roles.only_role(SLASHER_ROLE)?;
        self.only_registered(provider)?;
        let mut p = self.providers.setter(provider);
        let until = until.max(word_u64(p.jailed_until.get()));
        p.jailed_until.set(u64_word(until));
        self.emit(
            &[Jailed::SIGNATURE_HASH, addr_word(provider)],
            &[uint_word(U256::from(until))],
        );
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Parameters
    // -----------------------------------------------------------------------------------------

    /// Sets parameter `name` (see the crate docs' table) to `value`. Only `PARAMETER_ADMIN_ROLE`.
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, PARAMETER_ADMIN_ROLE)`.
    /// * `RegistryUnknownParameter(name)`.
    /// * `RegistryParameterOutOfBounds(value, min, max)`.
    ///
    /// # Events
    /// `ParameterUpdated(name, oldValue, newValue)`.
    pub fn set_parameter(&mut self, name: B256, value: U256) -> Result<(), Error> {
        self.roles.only_role(PARAMETER_ADMIN_ROLE)?;
        let Some(index) = PARAMETERS.iter().position(|n| *n == name) else {
            return Err(Error::UnknownParameter(RegistryUnknownParameter { name }));
        };
        // `minUnbondingPeriod <= unbondingPeriod` is kept both ways.
        let min = match index {
            UNBONDING_PERIOD_INDEX => self.param(MIN_UNBONDING_PERIOD_INDEX),
            _ => PARAMETER_MIN[index],
        };
        let max = match index {
            MIN_UNBONDING_PERIOD_INDEX => self.param(UNBONDING_PERIOD_INDEX),
            _ => PARAMETER_MAX[index],
        };
        if value < min || value > max {
            return Err(Error::ParameterOutOfBounds(RegistryParameterOutOfBounds {
                value,
                min,
                max,
            }));
        }
        let old = self.param(index);
        self.set_param(index, value);
        self.emit(
            &[ParameterUpdated::SIGNATURE_HASH, name],
            &[uint_word(old), uint_word(value)],
        );
        Ok(())
    }

    /// The current value of parameter `name` (see the crate docs' table for names and units).
    ///
    /// # Errors
    /// `RegistryUnknownParameter(name)`.
    pub fn parameter(&self, name: B256) -> Result<U256, Error> {
        let Some(index) = PARAMETERS.iter().position(|n| *n == name) else {
            return Err(Error::UnknownParameter(RegistryUnknownParameter { name }));
        };
        Ok(self.param(index))
    }

    /// The stake token (CT).
    pub fn token(&self) -> Address {
        self.token.get()
    }

    // -----------------------------------------------------------------------------------------
    // Views
    // -----------------------------------------------------------------------------------------

    /// `provider`'s profile, stake and counters: `(registered, gpuModel, gpuCount, vramGiB, region,
    /// activeStake, lockedStake, unbondingStake, jailedUntil, completedJobs, failedJobs)`; stakes in
    /// wei of CT, `jailedUntil` in unix seconds. All zero for an unknown address.
    pub fn provider_info(&self, provider: Address) -> ProviderInfo {
        let p = self.providers.getter(provider);
        (
            p.registered.get(),
            p.gpu_model.get(),
            word_u32(p.gpu_count.get()),
            word_u32(p.vram_gib.get()),
            p.region.get(),
            p.active.get(),
            p.locked.get(),
            p.unbonding.get(),
            word_u64(p.jailed_until.get()),
            word_u64(p.completed_jobs.get()),
            word_u64(p.failed_jobs.get()),
        )
    }

    /// `provider`'s active stake (wei of CT), locked part included.
    pub fn active_stake(&self, provider: Address) -> U256 {
        self.providers.getter(provider).active.get()
    }

    /// The part of `provider`'s active stake locked by jobs (wei of CT).
    pub fn locked_stake(&self, provider: Address) -> U256 {
        self.providers.getter(provider).locked.get()
    }

    /// Σ of `provider`'s pending unbonding requests, matured or not (wei of CT).
    pub fn unbonding_stake(&self, provider: Address) -> U256 {
        self.providers.getter(provider).unbonding.get()
    }

    /// Stake required of a provider with `gpu_count` GPUs: `minStakeBase + stakePerGpu × gpuCount`
    /// (wei of CT).
    pub fn required_stake(&self, gpu_count: u32) -> U256 {
        // Cannot wrap: stakePerGpu <= 1e23 and gpuCount < 2^32, so the product and the sum (with
        // minStakeBase <= 1e24) stay below 2^118.
        self.param(MIN_STAKE_BASE_INDEX).wrapping_add(
            self.param(STAKE_PER_GPU_INDEX)
                .wrapping_mul(U256::from(gpu_count)),
        )
    }

    /// Whether `provider` may accept jobs: registered, not jailed (`block.timestamp >=
    /// jailedUntil`) and active stake >= `requiredStake(gpuCount)`.
    pub fn is_eligible(&self, provider: Address) -> bool {
        let p = self.providers.getter(provider);
        p.registered.get()
            && self.vm().block_timestamp() >= word_u64(p.jailed_until.get())
            && p.active.get() >= self.required_stake(word_u32(p.gpu_count.get()))
    }
}

common::impl_access_control!(ProviderRegistry, roles);
common::impl_pausable!(ProviderRegistry, pause_state, roles);

/// Checks the bounds of a profile.
fn check_profile(gpu_count: u32, metadata_uri: &str) -> Result<(), Error> {
    if gpu_count == 0 || gpu_count > MAX_GPU_COUNT {
        return Err(Error::InvalidGpuCount(RegistryInvalidGpuCount {
            gpuCount: gpu_count,
            maxGpuCount: MAX_GPU_COUNT,
        }));
    }
    if metadata_uri.len() > MAX_URI_LENGTH {
        return Err(Error::MetadataURITooLong(RegistryMetadataURITooLong {
            length: U256::from(metadata_uri.len()),
            maxLength: U256::from(MAX_URI_LENGTH),
        }));
    }
    Ok(())
}

impl ProviderRegistry {
    /// Parameter `index` (< 6) of [`PARAMETERS`].
    fn param(&self, index: usize) -> U256 {
        self.params.get(index).unwrap_or_default()
    }

    /// Sets parameter `index` (< 6) of [`PARAMETERS`] (no checks).
    fn set_param(&mut self, index: usize, value: U256) {
        if let Some(mut slot) = self.params.setter(index) {
            slot.set(value);
        }
    }

    /// `provider`'s pending request `request_id`: `(amount, releaseAt)` in wei of CT and unix
    /// seconds; `(0, 0)` if there is no such pending request.
    #[cfg(test)]
    pub(crate) fn unbond_request(&self, provider: Address, request_id: U256) -> (U256, u64) {
        let p = self.providers.getter(provider);
        for i in 0..MAX_UNBOND_REQUESTS {
            let Some(slot) = p.requests.getter(i) else {
                break;
            };
            let amount = slot.amount.get();
            if !amount.is_zero() && slot.id.get() == request_id {
                return (amount, word_u64(slot.release_at.get()));
            }
        }
        (U256::ZERO, 0)
    }

    /// Logs an event: `topics` = `[signature hash, indexed arguments…]`, `words` = its ABI-encoded
    /// data. Written by hand instead of `vm().log(event)`, whose per-event instantiation of alloy's
    /// encoder cost ~10 KB of wasm; unit tests decode every event with its `sol!` definition.
    fn emit(&self, topics: &[B256], words: &[B256]) {
        let data = encode_static(&[], words);
        // Cannot fail: every event has at most 3 topics (raw_log rejects more than 4).
        let _ = self.vm().raw_log(topics, &data);
    }

    /// Logs `ProviderRegistered`/`ProfileUpdated` (same layout; `metadataURI` is the trailing
    /// dynamic `string`).
    #[allow(clippy::too_many_arguments)]
    fn emit_profile(
        &self,
        signature: B256,
        provider: Address,
        gpu_model: B256,
        gpu_count: u32,
        vram_gib: u32,
        region: B256,
        uri: &str,
    ) {
        let mut data = encode_static(
            &[],
            &[
                gpu_model,
                uint_word(U256::from(gpu_count)),
                uint_word(U256::from(vram_gib)),
                region,
                uint_word(U256::from(5 * 32)), // offset of the string: after the 5 head words
                uint_word(U256::from(uri.len())),
            ],
        );
        data.extend_from_slice(uri.as_bytes());
        // Pad the string to a whole number of words (the data so far is whole words).
        data.resize(data.len().div_ceil(32).saturating_mul(32), 0);
        let _ = self.vm().raw_log(&[signature, addr_word(provider)], &data);
    }

    /// Fails with `RegistryNotRegistered(provider)` unless registered.
    fn only_registered(&self, provider: Address) -> Result<(), Error> {
        if self.providers.getter(provider).registered.get() {
            Ok(())
        } else {
            Err(Error::NotRegistered(RegistryNotRegistered { provider }))
        }
    }

    /// Active stake not locked by jobs.
    fn free_stake(&self, provider: Address) -> U256 {
        let p = self.providers.getter(provider);
        // Cannot wrap: locked <= active (invariant 2).
        p.active.get().wrapping_sub(p.locked.get())
    }

    /// The checks shared by `stake` and `stakeWithPermit`.
    fn check_stake(&self, provider: Address, amount: U256) -> Result<(), Error> {
        self.pause_state.when_not_paused()?;
        self.only_registered(provider)?;
        if amount.is_zero() {
            return Err(Error::ZeroAmount(RegistryZeroAmount {}));
        }
        Ok(())
    }

    /// Credits `amount` to `provider`'s active stake, then pulls it with `transferFrom` and checks
    /// the balance delta.
    fn _stake(&mut self, provider: Address, amount: U256) -> Result<(), Error> {
        let this = self.vm().contract_address();
        let before = self.token_balance(this)?;
        let mut p = self.providers.setter(provider);
        let active = p.active.get().checked_add(amount).ok_or_else(overflow)?;
        p.active.set(active);
        self.emit(
            &[Staked::SIGNATURE_HASH, addr_word(provider)],
            &[uint_word(amount), uint_word(active)],
        );
        self.token_call(token::transfer_from(provider, this, amount))?;
        let after = self.token_balance(this)?;
        let received = after.saturating_sub(before);
        if after < before || received != amount {
            return Err(Error::BalanceDeltaMismatch(RegistryBalanceDeltaMismatch {
                expected: amount,
                actual: received,
            }));
        }
        Ok(())
    }

    /// Moves `amount` (<= free stake, checked by callers) of `provider`'s active stake into a new
    /// unbonding request. Returns its id.
    fn _unbond(&mut self, provider: Address, amount: U256) -> Result<U256, Error> {
        let now = self.vm().block_timestamp();
        // Cannot overflow u64 in practice; saturate rather than revert: unbondingPeriod <= 90 days.
        let release_at =
            now.saturating_add(self.param(UNBONDING_PERIOD_INDEX).saturating_to::<u64>());
        let mut p = self.providers.setter(provider);
        // A provider makes far fewer than 2^64 requests; saturating keeps this panic-free.
        let id = word_u64(p.last_request_id.get()).saturating_add(1);
        let mut free_slot = None;
        for i in 0..MAX_UNBOND_REQUESTS {
            if p.requests
                .getter(i)
                .is_some_and(|s| s.amount.get().is_zero())
            {
                free_slot = Some(i);
                break;
            }
        }
        let Some(mut slot) = free_slot.and_then(|i| p.requests.setter(i)) else {
            return Err(Error::TooManyUnbondRequests(
                RegistryTooManyUnbondRequests {
                    provider,
                    maxRequests: U256::from(MAX_UNBOND_REQUESTS),
                },
            ));
        };
        slot.id.set(u64_word(id));
        slot.release_at.set(u64_word(release_at));
        slot.amount.set(amount);
        p.last_request_id.set(u64_word(id));
        // Cannot wrap: amount <= free <= active.
        let active = p.active.get().wrapping_sub(amount);
        p.active.set(active);
        // Cannot wrap: active + unbonding <= the registry's token balance < 2^256.
        let unbonding = p.unbonding.get().wrapping_add(amount);
        p.unbonding.set(unbonding);
        let request_id = U256::from(id);
        self.emit(
            &[
                UnbondRequested::SIGNATURE_HASH,
                addr_word(provider),
                uint_word(request_id),
            ],
            &[uint_word(amount), uint_word(U256::from(release_at))],
        );
        Ok(request_id)
    }

    /// Pays each `(to, amount)` with `transfer` (skipping zero amounts), burns `burn` wei, and
    /// checks that the registry's balance fell by exactly the total. The last step of its caller.
    fn pay_out(&mut self, payments: &[(Address, U256)], burn: U256) -> Result<(), Error> {
        let mut total = burn;
        for &(_, amount) in payments {
            total = total.checked_add(amount).ok_or_else(overflow)?;
        }
        if total.is_zero() {
            return Ok(());
        }
        let this = self.vm().contract_address();
        let before = self.token_balance(this)?;
        for &(to, amount) in payments {
            if !amount.is_zero() {
                self.token_call(token::transfer(to, amount))?;
            }
        }
        if !burn.is_zero() {
            self.token_call(token::burn(burn))?;
        }
        let after = self.token_balance(this)?;
        let sent = before.saturating_sub(after);
        if after > before || sent != total {
            return Err(Error::BalanceDeltaMismatch(RegistryBalanceDeltaMismatch {
                expected: total,
                actual: sent,
            }));
        }
        Ok(())
    }

    fn token_failed(&self) -> Error {
        Error::TokenCallFailed(SafeERC20FailedOperation {
            token: self.token.get(),
        })
    }

    /// Calls the token with `calldata`; succeeds if the call did not revert and returned either
    /// nothing expected (`token::Expect::Nothing`) or exactly the ABI word `true`.
    fn token_call(&mut self, (calldata, expect): (Vec<u8>, token::Expect)) -> Result<(), Error> {
        let token = self.token.get();
        let context = Call::new_mutating(self);
        match call(self.vm(), context, token, &calldata) {
            Ok(ret) if token::returned_ok(&ret, expect) => Ok(()),
            _ => Err(self.token_failed()),
        }
    }

    /// `token.balanceOf(account)`.
    fn token_balance(&self, account: Address) -> Result<U256, Error> {
        self.token_view(token::balance_of(account))
    }

    /// `token.allowance(owner, spender)`.
    fn token_allowance(&self, owner: Address, spender: Address) -> Result<U256, Error> {
        self.token_view(token::allowance(owner, spender))
    }

    /// A static call to the token returning one `uint256`.
    fn token_view(&self, calldata: Vec<u8>) -> Result<U256, Error> {
        match static_call(self.vm(), Call::new(), self.token.get(), &calldata) {
            Ok(ret) => token::decode_uint(&ret).ok_or_else(|| self.token_failed()),
            Err(_) => Err(self.token_failed()),
        }
    }
}
