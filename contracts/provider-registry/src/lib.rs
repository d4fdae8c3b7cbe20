//! # ProviderRegistry
//!
//! GPU providers of compute-market register here, stake compute tokens (CT) as collateral, unbond
//! them through a delay, and are locked, slashed and jailed by the job escrow (docs/protocol.md
//! "ProviderRegistry"). Hardware attestations live in `JobMarket`, their only reader (README
//! "Design notes": the registry had no room left).
//!
//! Units: amounts are wei of CT (18 decimals, `1e18` = 1 CT); times are unix seconds
//! (`block.timestamp`); rates are basis points (bps, 1/10_000).
//!
//! ## Stake buckets
//! Each provider's stake is in one of two buckets, both held by this contract in CT:
//! - **active**: staked with [`ProviderRegistry::stake`] (after `approve`, or the token's EIP-2612
//!   `permit`);
//!   counts towards eligibility and earns stake rewards in `Emissions` while the provider is
//!   eligible. A part of it, **locked**, backs open jobs and cannot be unbonded.
//! - **unbonding**: up to [`MAX_UNBOND_REQUESTS`] (16) requests, each maturing `unbondingPeriod`
//!   seconds after [`ProviderRegistry::request_unbond`]; matured ones are paid by
//!   [`ProviderRegistry::withdraw`] **once the provider has no open job**. Unbonding stake earns
//!   nothing, is not eligible stake, and stays slashable until withdrawn.
//!
//! ## Per-job locks (revision 2 of the protocol; SECURITY.md H-2 and M-1)
//! [`ProviderRegistry::lock_stake`] records, per `(provider, jobId)`, the amount locked and the
//! job's **penalty base**: the provider's active + unbonding stake at acceptance. So:
//! - `lockedStake(p)` is always Σ of the locks of `p`'s open jobs: a slash never shrinks another
//!   job's lock, and releasing a job frees exactly what it locked. After a slash the active stake
//!   may fall below the locks; the provider then has no free stake (cannot accept, unbond) until
//!   its jobs end.
//! - A job's penalty is `penaltyBase × min(slashBps, maxSlashBps) / 10_000`, fixed at acceptance
//!   whatever the provider does with its stake afterwards, capped only by the stake still held.
//! - While a provider has an open job it can neither `withdraw` nor `deregister`, so the stake that
//!   backs its jobs cannot leave before they end; and [`ProviderRegistry::slash_job`] and
//!   [`ProviderRegistry::jail`] work on any provider, registered or not.
//!
//! ## Earning stake
//! Every change of a provider's earning stake (active stake while registered, not jailed and at or
//! above the required stake; otherwise 0) is reported to `Emissions` (`setEarningStake`, O(1)),
//! which streams the stake part of each epoch's emission with a reward-per-stake accumulator. A
//! jail that ends or a parameter change that moves the required stake changes eligibility without
//! a transaction: anyone may [`ProviderRegistry::sync_stake`] the provider.
//!
//! ## Parameters
//! Set by `PARAMETER_ADMIN_ROLE` (a timelock) with [`ProviderRegistry::set_parameter`], each within
//! hard bounds, each change logged as `ParameterUpdated(name, oldValue, newValue)`:
//!
//! | name | default | bounds | unit |
//! |---|---:|---|---|
//! | `minStakeBase` | 5_000e18 | [100e18, 1_000_000e18] | wei of CT |
//! | `stakePerGpu` | 200e18 | [0, 100_000e18] | wei of CT per GPU |
//! | `unbondingPeriod` | 1_209_600 (14 days) | [`minUnbondingPeriod`, 7_776_000 (90 days)] | seconds |
//! | `minUnbondingPeriod` | 777_600 (9 days) | [86_400, `unbondingPeriod`] | seconds |
//! | `maxSlashBps` | 1_000 | [100, 2_000] | bps of a job's penalty base |
//! | `challengerShareBps` | 5_000 | [0, 10_000] | bps of a slash |
//! | `maxOpenJobs` | 64 | [1, 64] | jobs per provider |
//!
//! ## Security considerations
//! - **Roles**: `JOB_MANAGER_ROLE` and `SLASHER_ROLE` are for the job escrow alone; a
//!   `SLASHER_ROLE` holder can take up to `maxSlashBps` of a job's penalty base per open job of a
//!   provider. `DEFAULT_ADMIN_ROLE` grants every role and must be a multisig or timelock (SECURITY.md).
//! - **Pause** (`PAUSER_ROLE`) stops `register` and `stake` only: exits and the
//!   escrow's lock/release/slash keep working, so a pause never traps funds nor blocks a ruling.
//! - **Token calls** go only to the token fixed at construction, through `common::calls`: a
//!   transfer must not revert, must return nothing or `true`, and must move the registry's balance
//!   by exactly the amount (`BalanceDeltaMismatch`), which rejects fee-on-transfer tokens.
//! - **Checks-effects-interactions**: all storage is written and all events are logged before the
//!   token or `Emissions` is called; neither calls back.
//! - **Bounded loops**: every loop walks the 16 unbonding slots at most.
//! - **Rounding** favours solvency: slash shares round up per bucket (each by < 1 wei) and are
//!   capped by the exact total; the beneficiary share rounds down and the burn is the remainder.
//! - **Jail** only ever extends; there is no unjail.
//!
//! ## Invariants (docs/protocol.md "Invariants", checked by the tests named in SECURITY.md)
//! 1. `balanceOf(registry) >= Σ (activeStake + unbondingStake)`, equal unless CT is sent directly.
//! 2. `lockedStake(p) = Σ` of `p`'s open job locks; `openJobs(p)` = their number.
//! 3. `unbondingStake(p)` = Σ amounts of `p`'s pending requests; at most 16 are pending.
//! 4. A job's slash is at most `maxSlashBps × penaltyBase / 10_000` and at most the stake held.
//! 5. No request is paid before its `releaseAt`, nor while the provider has an open job.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]
// stylus-proc generates undocumented items (`user_entrypoint`, export-abi structs) outside test
// builds; docs stay enforced in the test build, which `cargo clippy --all-targets` checks.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
#![allow(clippy::result_large_err)]

extern crate alloc;

pub mod interface;
mod math;
mod token;

#[cfg(test)]
mod tests;

#[allow(unused_imports)] // `vec!` is referenced by code stylus-proc generates
use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{aliases::U64, uint, Address, B256, U256};
use alloy_sol_types::SolEvent;
use common::{
    abi_words::{addr_word, encode_static, uint_word},
    access::{AccessControl, Roles},
    calls,
    errors::{invalid_admin, overflow, CommonError},
    params::{self, Param, Parameters},
    pausable::{Pausable, PauseState},
    roles::{DEFAULT_ADMIN_ROLE, JOB_MANAGER_ROLE, PARAMETER_ADMIN_ROLE, SLASHER_ROLE},
};
use stylus_sdk::{
    prelude::*,
    storage::{
        StorageAddress, StorageArray, StorageB256, StorageBool, StorageMap, StorageU256, StorageU64,
    },
};

use crate::{interface::*, math::*};

/// Most pending unbonding requests a provider may have (the bound of every loop).
pub const MAX_UNBOND_REQUESTS: usize = 16;
/// Largest `gpuCount` a profile or attestation may declare.
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
/// `bytes32("maxSlashBps")`: most one job's slash takes of its penalty base (bps).
pub const MAX_SLASH_BPS: B256 = params::name("maxSlashBps");
/// `bytes32("challengerShareBps")`: part of a slash paid to the beneficiary (bps).
pub const CHALLENGER_SHARE_BPS: B256 = params::name("challengerShareBps");
/// `bytes32("maxOpenJobs")`: most jobs a provider has open at once.
pub const MAX_OPEN_JOBS: B256 = params::name("maxOpenJobs");

const CT: u128 = 1_000_000_000_000_000_000;
const DAY: u128 = 86_400;
/// Every parameter: name, default and hard bounds (`unbondingPeriod`'s lower bound and
/// `minUnbondingPeriod`'s upper bound are each other's current value).
pub const PARAMETERS: [Param; 7] = [
    Param::new("minStakeBase", 5_000 * CT, 100 * CT, 1_000_000 * CT),
    Param::new("stakePerGpu", 200 * CT, 0, 100_000 * CT),
    Param::new("unbondingPeriod", 14 * DAY, 0, 90 * DAY),
    Param::new("minUnbondingPeriod", 9 * DAY, DAY, 90 * DAY),
    Param::new("maxSlashBps", 1_000, 100, 2_000),
    Param::new("challengerShareBps", 5_000, 0, 10_000),
    Param::new("maxOpenJobs", 64, 1, 64),
];

/// Default `minStakeBase`: 5,000 CT.
pub const DEFAULT_MIN_STAKE_BASE: U256 = uint!(5_000_000000000000000000_U256);
/// Default `stakePerGpu`: 200 CT.
pub const DEFAULT_STAKE_PER_GPU: U256 = uint!(200_000000000000000000_U256);
/// Default `unbondingPeriod`: 14 days.
pub const DEFAULT_UNBONDING_PERIOD: u64 = 14 * 86_400;

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

/// A provider's profile, stake, locks, counters and attestation.
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
    /// Jobs completed. The three job counters share one slot (8 bytes each): a job's release then
    /// updates the slot its acceptance wrote instead of creating a new one at a provider's first
    /// completion (20,000 gas, BENCHMARKS.md "Gas breakdown").
    completed_jobs: StorageU64,
    /// Jobs failed (timed out or ruled at fault).
    failed_jobs: StorageU64,
    /// Jobs between acceptance and their end (at most `maxOpenJobs` <= 64).
    open_jobs: StorageU64,
    /// Id of the last unbonding request made (ids start at 1).
    last_request_id: StorageU256,
    /// GPU model identifier (e.g. `bytes32("H100-SXM")`).
    gpu_model: StorageB256,
    /// Region identifier.
    region: StorageB256,
    /// Active stake (wei of CT).
    active: StorageU256,
    /// Σ of the open jobs' locks (wei of CT); may exceed `active` after a slash.
    locked: StorageU256,
    /// Σ of the unbonding slots' amounts (wei of CT).
    unbonding: StorageU256,
    /// The unbonding requests.
    requests: StorageArray<UnbondSlot, MAX_UNBOND_REQUESTS>,
    /// `locks[jobId]`: the job's lock (low 128 bits) and penalty base (high 128 bits), wei of CT;
    /// zero when the job has no lock.
    locks: StorageMap<U256, StorageU256>,
}

/// The registry's storage and entrypoint.
#[storage]
#[entrypoint]
pub struct ProviderRegistry {
    /// The stake token (CT), fixed at construction.
    token: StorageAddress,
    /// The `Emissions` contract that streams stake rewards (zero = none), fixed at construction.
    emissions: StorageAddress,
    /// `providers[address]`.
    providers: StorageMap<Address, Provider>,
    /// The parameters' values (units in the crate docs' table).
    params: Parameters,
    /// Pause flag.
    pause_state: PauseState,
    /// Role-based access control.
    roles: Roles,
}

/// Tuple returned by `providerInfo`: `(registered, gpuModel, gpuCount, vramGiB, region,
/// activeStake, lockedStake, unbondingStake, jailedUntil, completedJobs, failedJobs, openJobs)`.
pub type ProviderInfo = (
    bool,
    B256,
    u32,
    u32,
    B256,
    U256,
    U256,
    U256,
    u64,
    u64,
    u64,
    u64,
);

#[public]
#[implements(AccessControl, Pausable)]
impl ProviderRegistry {
    /// Initialises the registry once, at deployment (run by StylusDeployer; `msg.sender` is the
    /// deployer contract, so the admin is passed explicitly). Parameters take their defaults.
    ///
    /// # Arguments
    /// * `token` - the stake token (CT); fixed forever.
    /// * `emissions` - the `Emissions` contract the registry reports earning stake to (it needs
    ///   `STAKE_REPORTER_ROLE` there); zero for none. Fixed forever.
    /// * `admin` - receives `DEFAULT_ADMIN_ROLE` (grants the other roles later).
    ///
    /// # Errors
    /// * `RegistryZeroAddress()` if `token` is zero.
    /// * `AccessControlInvalidDefaultAdmin(address(0))` if `admin` is zero.
    ///
    /// # Events
    /// `RoleGranted(DEFAULT_ADMIN_ROLE, admin, msg.sender)`.
    #[constructor]
    pub fn constructor(
        &mut self,
        token: Address,
        emissions: Address,
        admin: Address,
    ) -> Result<(), Error> {
        if token.is_zero() {
            return Err(Error::ZeroAddress(RegistryZeroAddress {}));
        }
        if admin.is_zero() {
            return Err(invalid_admin(admin).into());
        }
        self.token.set(token);
        self.emissions.set(emissions);
        self.params.init(&PARAMETERS);
        self.roles._grant_role(DEFAULT_ADMIN_ROLE, admin);
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Profile
    // -----------------------------------------------------------------------------------------

    /// Registers the caller as a provider with a profile (a claim; an attester may verify it with
    /// `attest`). Stake separately with `stake`.
    ///
    /// # Arguments
    /// * `gpu_model`, `region` - free-form identifiers (e.g. ASCII `bytes32`).
    /// * `gpu_count` - GPUs offered, 1..=1024; sets the required stake and the largest job.
    /// * `vram_gib` - memory per GPU in GiB.
    /// * `metadata_uri` - at most 256 bytes; only logged, never stored.
    ///
    /// # Errors
    /// * `EnforcedPause()` while paused.
    /// * `RegistryAlreadyRegistered(caller)` if registered.
    /// * `RegistryInvalidGpuCount(gpuCount, 1024)`, `RegistryMetadataURITooLong(length, 256)`.
    /// * `CallFailed(emissions, reason)` if reporting the earning stake fails.
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
        self.profile(
            provider,
            gpu_model,
            gpu_count,
            vram_gib,
            region,
            &metadata_uri,
            ProviderRegistered::SIGNATURE_HASH,
        )
    }

    /// Replaces the caller's profile (same arguments and bounds as `register`). Allowed while
    /// paused. A lower GPU count does not affect jobs already accepted.
    ///
    /// # Errors
    /// * `RegistryNotRegistered(caller)`.
    /// * `RegistryInvalidGpuCount(gpuCount, 1024)`, `RegistryMetadataURITooLong(length, 256)`.
    /// * `CallFailed(emissions, reason)` if reporting the earning stake fails.
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
        self.profile(
            provider,
            gpu_model,
            gpu_count,
            vram_gib,
            region,
            &metadata_uri,
            ProfileUpdated::SIGNATURE_HASH,
        )
    }

    /// Deregisters the caller: its whole active stake starts unbonding as one request (none if it
    /// is 0). Allowed while paused; the profile stays readable but the provider is not eligible.
    ///
    /// # Errors
    /// * `RegistryNotRegistered(caller)`.
    /// * `RegistryJobsOpen(caller, openJobs)` while any job of the caller is open.
    /// * `RegistryTooManyUnbondRequests(caller, 16)` if stake is active and all 16 slots are taken.
    /// * `CallFailed(emissions, reason)` if reporting the earning stake fails.
    ///
    /// # Events
    /// `UnbondRequested(caller, requestId, amount, releaseAt)` when `amount > 0`, then
    /// `Deregistered(caller, requestId, amount)`.
    pub fn deregister(&mut self) -> Result<(), Error> {
        let provider = self.vm().msg_sender();
        self.only_registered(provider)?;
        self.no_open_jobs(provider)?;
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
        self.report(provider)
    }

    // -----------------------------------------------------------------------------------------
    // Stake
    // -----------------------------------------------------------------------------------------

    /// Stakes `amount` wei of CT from the caller, which must have approved the registry.
    ///
    /// # Errors
    /// * `EnforcedPause()` while paused.
    /// * `RegistryNotRegistered(caller)`, `RegistryZeroAmount()`.
    /// * `CallFailed(token, reason)` if `transferFrom` reverts or returns anything but `true`;
    ///   `BalanceDeltaMismatch(token, amount, received)` if the registry did not receive exactly
    ///   `amount`; `CallFailed(emissions, reason)` if reporting the earning stake fails.
    ///
    /// # Events
    /// `Staked(caller, amount, activeStake)`.
    pub fn stake(&mut self, amount: U256) -> Result<(), Error> {
        let provider = self.vm().msg_sender();
        self.check_stake(provider, amount)?;
        self._stake(provider, amount)
    }

    /// Moves `amount` wei of the caller's free stake (active minus locked) into a new unbonding
    /// request maturing `unbondingPeriod` seconds from now. Allowed while paused and while jailed.
    ///
    /// Returns the request id (per provider, from 1).
    ///
    /// # Errors
    /// * `RegistryZeroAmount()`.
    /// * `RegistryInsufficientFreeStake(caller, free, amount)` if `amount > active − locked`.
    /// * `RegistryTooManyUnbondRequests(caller, 16)` if 16 requests are pending.
    /// * `CallFailed(emissions, reason)` if reporting the earning stake fails.
    ///
    /// # Events
    /// `UnbondRequested(caller, requestId, amount, releaseAt)`.
    pub fn request_unbond(&mut self, amount: U256) -> Result<U256, Error> {
        let provider = self.vm().msg_sender();
        if amount.is_zero() {
            return Err(Error::ZeroAmount(RegistryZeroAmount {}));
        }
        self.check_free(provider, amount)?;
        let id = self._unbond(provider, amount)?;
        self.report(provider)?;
        Ok(id)
    }

    /// Cancels the caller's pending unbonding request `request_id` (matured or not): its remaining
    /// amount becomes active stake again. Requires registration.
    ///
    /// # Errors
    /// * `RegistryNotRegistered(caller)`.
    /// * `RegistryUnknownUnbondRequest(caller, requestId)` if no such request is pending.
    /// * `CallFailed(emissions, reason)` if reporting the earning stake fails.
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
        self.report(provider)
    }

    /// Pays the caller every matured unbonding request (`releaseAt <= block.timestamp`), after
    /// whatever slashes they suffered. Works while paused and after deregistering, but not while
    /// the caller has an open job: the stake backing a job stays until the job ends.
    ///
    /// Returns the amount paid (wei of CT).
    ///
    /// # Errors
    /// * `RegistryJobsOpen(caller, openJobs)` while any job of the caller is open.
    /// * `RegistryNothingToWithdraw(caller)` if no request has matured.
    /// * `CallFailed(token, reason)` if `transfer` fails; `BalanceDeltaMismatch(token, amount,
    ///   sent)` if the registry's balance did not fall by exactly the amount.
    ///
    /// # Events
    /// `Withdrawn(caller, amount)`.
    pub fn withdraw(&mut self) -> Result<U256, Error> {
        let provider = self.vm().msg_sender();
        self.no_open_jobs(provider)?;
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
        self.pay(provider, total)?;
        Ok(total)
    }

    /// Reports `provider`'s current earning stake to `Emissions` (anyone may call): needed when a
    /// jail ends or a parameter change moves the required stake, which change eligibility without
    /// a transaction of the provider's.
    ///
    /// # Errors
    /// `CallFailed(emissions, reason)` if the report fails.
    pub fn sync_stake(&mut self, provider: Address) -> Result<(), Error> {
        self.report(provider)
    }

    // -----------------------------------------------------------------------------------------
    // Job manager (escrow)
    // -----------------------------------------------------------------------------------------

    /// Locks `amount` wei of `provider`'s free stake for job `job_id` and fixes the job's penalty
    /// base (active + unbonding stake now). The provider must be eligible, have at least
    /// `gpu_count` registered GPUs and fewer than `maxOpenJobs` open jobs. Works while paused (the
    /// escrow's own pause guards new jobs). Only `JOB_MANAGER_ROLE`.
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, JOB_MANAGER_ROLE)`.
    /// * `RegistryNotEligible(provider)` unless registered, not jailed and at its required stake.
    /// * `RegistryInsufficientGpus(provider, gpuCount, registered)`.
    /// * `RegistryTooManyOpenJobs(provider, maxOpenJobs)`.
    /// * `RegistryLockExists(provider, jobId)`.
    /// * `RegistryInsufficientFreeStake(provider, free, amount)` if `amount > active − locked`.
    /// * `ArithmeticOverflow()` for stakes of 2^127 wei or more.
    ///
    /// # Events
    /// `StakeLocked(provider, jobId, amount, penaltyBase, lockedStake)`.
    pub fn lock_stake(
        &mut self,
        provider: Address,
        job_id: U256,
        amount: U256,
        gpu_count: u32,
    ) -> Result<(), Error> {
        self.roles.only_role(JOB_MANAGER_ROLE)?;
        if !self.is_eligible(provider) {
            return Err(Error::NotEligible(RegistryNotEligible { provider }));
        }
        let p = self.providers.getter(provider);
        let registered = word_u32(p.gpu_count.get());
        if gpu_count > registered {
            return Err(Error::InsufficientGpus(RegistryInsufficientGpus {
                provider,
                needed: gpu_count,
                registered,
            }));
        }
        let open = p.open_jobs.get().to::<u64>();
        let max_open = self.params.get(MAX_OPEN_JOBS);
        if U256::from(open) >= max_open {
            return Err(Error::TooManyOpenJobs(RegistryTooManyOpenJobs {
                provider,
                maxOpenJobs: max_open,
            }));
        }
        if !p.locks.get(job_id).is_zero() {
            return Err(Error::LockExists(RegistryLockExists {
                provider,
                jobId: job_id,
            }));
        }
        let base = common::errors::add(p.active.get(), p.unbonding.get())?;
        let locked = p.locked.get();
        drop(p);
        self.check_free(provider, amount)?;
        let packed = pack_lock(amount, base)?;
        let mut p = self.providers.setter(provider);
        // Cannot wrap: locked + amount <= locked + free <= active; open < maxOpenJobs <= 64.
        let locked = locked.wrapping_add(amount);
        p.locked.set(locked);
        p.open_jobs.set(U64::from(open.wrapping_add(1)));
        // A zero amount still records the job (its base), so it can be released and slashed.
        p.locks.insert(job_id, packed | LOCK_MARKER);
        self.emit(
            &[
                StakeLocked::SIGNATURE_HASH,
                addr_word(provider),
                uint_word(job_id),
            ],
            &[uint_word(amount), uint_word(base), uint_word(locked)],
        );
        Ok(())
    }

    /// Ends job `job_id`'s lock on `provider`'s stake with success: frees exactly what it locked,
    /// counts a completed job. Only `JOB_MANAGER_ROLE`.
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, JOB_MANAGER_ROLE)`.
    /// * `RegistryUnknownLock(provider, jobId)`.
    ///
    /// # Events
    /// `StakeReleased(provider, jobId, amount, lockedStake, true)`.
    pub fn release_stake(&mut self, provider: Address, job_id: U256) -> Result<(), Error> {
        self.roles.only_role(JOB_MANAGER_ROLE)?;
        self.release(provider, job_id, true).map(drop)
    }

    /// Ends job `job_id`'s lock on `provider`'s stake with a failure (a timeout or a fraud
    /// ruling): slashes `penaltyBase × min(slashBps, maxSlashBps) / 10_000` wei, capped by the
    /// stake `provider` still holds, taken pro rata from its active stake and each unbonding
    /// request; pays `challengerShareBps` of it to `beneficiary` and burns the rest; frees the
    /// job's lock and counts a failed job. Works on deregistered providers and while paused (a fraud
    /// ruling also calls [`Self::jail`]). Only `SLASHER_ROLE`.
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, SLASHER_ROLE)`.
    /// * `RegistryZeroAddress()` if `beneficiary` is zero.
    /// * `RegistryUnknownLock(provider, jobId)`.
    /// * `ArithmeticOverflow()`.
    /// * `CallFailed(token, reason)` / `BalanceDeltaMismatch(token, expected, actual)` if paying
    ///   or burning fails; `CallFailed(emissions, reason)` if reporting the earning stake fails.
    ///
    /// # Events
    /// `StakeReleased(provider, jobId, lock, lockedStake, false)`, `Slashed(provider, jobId,
    /// beneficiary, amount, toBeneficiary, burned)`.
    pub fn slash_job(
        &mut self,
        provider: Address,
        job_id: U256,
        slash_bps: U256,
        beneficiary: Address,
    ) -> Result<(), Error> {
        self.roles.only_role(SLASHER_ROLE)?;
        if beneficiary.is_zero() {
            return Err(Error::ZeroAddress(RegistryZeroAddress {}));
        }
        let bps = slash_bps.min(self.params.get(MAX_SLASH_BPS));
        let share_bps = self.params.get(CHALLENGER_SHARE_BPS);
        let base = self.release(provider, job_id, false)?;
        let slashed = self.take(provider, mul_div(base, bps, BPS, false)?)?;
        let to_beneficiary = mul_div(slashed, share_bps, BPS, false)?;
        // Cannot wrap: share_bps <= 10_000, so to_beneficiary <= slashed.
        let burned = slashed.wrapping_sub(to_beneficiary);
        self.emit(
            &[
                Slashed::SIGNATURE_HASH,
                addr_word(provider),
                uint_word(job_id),
                addr_word(beneficiary),
            ],
            &[
                uint_word(slashed),
                uint_word(to_beneficiary),
                uint_word(burned),
            ],
        );
        self.report(provider)?;
        self.pay(beneficiary, to_beneficiary)?;
        if !burned.is_zero() {
            let token = self.token.get();
            calls::token_move(self, token, &token::burn(burned), burned, false)?;
        }
        Ok(())
    }

    /// Jails `provider` (registered or not) until `until` (unix seconds): it is not eligible for
    /// new jobs and earns no stake rewards before then. A jail only extends. Only `SLASHER_ROLE`.
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, SLASHER_ROLE)`.
    /// * `CallFailed(emissions, reason)` if reporting the earning stake fails.
    ///
    /// # Events
    /// `Jailed(provider, jailedUntil)` with the resulting jail end.
    pub fn jail(&mut self, provider: Address, until: u64) -> Result<(), Error> {
        self.roles.only_role(SLASHER_ROLE)?;
        self._jail(provider, until);
        self.report(provider)
    }

    // -----------------------------------------------------------------------------------------
    // Parameters
    // -----------------------------------------------------------------------------------------

    /// Sets parameter `name` (see the crate docs' table) to `value`. Only `PARAMETER_ADMIN_ROLE`.
    /// `minUnbondingPeriod <= unbondingPeriod` is kept both ways. Stake locks and penalty bases of
    /// jobs already accepted do not change.
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, PARAMETER_ADMIN_ROLE)`.
    /// * `UnknownParameter(name)`, `ParameterOutOfBounds(name, value, min, max)`.
    ///
    /// # Events
    /// `ParameterUpdated(name, oldValue, newValue)`.
    pub fn set_parameter(&mut self, name: B256, value: U256) -> Result<(), Error> {
        self.roles.only_role(PARAMETER_ADMIN_ROLE)?;
        let p = *params::find(&PARAMETERS, name)?;
        let (min, max) = match name {
            UNBONDING_PERIOD => (self.params.get(MIN_UNBONDING_PERIOD), p.max),
            MIN_UNBONDING_PERIOD => (p.min, self.params.get(UNBONDING_PERIOD)),
            _ => (p.min, p.max),
        };
        self.params.set(name, value, min, max)?;
        Ok(())
    }

    /// The current value of parameter `name` (see the crate docs' table for names and units).
    ///
    /// # Errors
    /// `UnknownParameter(name)`.
    pub fn parameter(&self, name: B256) -> Result<U256, Error> {
        Ok(self.params.value(&PARAMETERS, name)?)
    }

    /// The stake token (CT).
    pub fn token(&self) -> Address {
        self.token.get()
    }

    // -----------------------------------------------------------------------------------------
    // Views
    // -----------------------------------------------------------------------------------------

    /// `provider`'s profile, stake and counters: `(registered, gpuModel, gpuCount, vramGiB, region,
    /// activeStake, lockedStake, unbondingStake, jailedUntil, completedJobs, failedJobs,
    /// openJobs)`; stakes in wei of CT, `jailedUntil` in unix seconds. All zero for an unknown
    /// address.
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
            p.completed_jobs.get().to::<u64>(),
            p.failed_jobs.get().to::<u64>(),
            p.open_jobs.get().to::<u64>(),
        )
    }

    /// Job `job_id`'s lock on `provider`'s stake: `(amount, penaltyBase)` in wei of CT; `(0, 0)`
    /// when it has none.
    pub fn job_lock(&self, provider: Address, job_id: U256) -> (U256, U256) {
        unpack_lock(self.providers.getter(provider).locks.get(job_id))
    }

    /// Stake required of a provider with `gpu_count` GPUs: `minStakeBase + stakePerGpu × gpuCount`
    /// (wei of CT).
    pub fn required_stake(&self, gpu_count: u32) -> U256 {
        // Cannot wrap: stakePerGpu <= 1e23 and gpuCount < 2^32, so the product and the sum (with
        // minStakeBase <= 1e24) stay below 2^118.
        self.params.get(MIN_STAKE_BASE).wrapping_add(
            self.params
                .get(STAKE_PER_GPU)
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

/// Bit 255 of a lock word: set on every lock, so that a lock of 0 wei still exists.
const LOCK_MARKER: U256 =
    uint!(0x8000000000000000000000000000000000000000000000000000000000000000_U256);

/// `amount` (low 128 bits) | `base` (high 128 bits, below 2^127: bit 255 is [`LOCK_MARKER`]).
fn pack_lock(amount: U256, base: U256) -> Result<U256, CommonError> {
    let limit = U256::from(1).wrapping_shl(127);
    if amount >= limit || base >= limit {
        return Err(overflow());
    }
    // Cannot lose bits: base < 2^127.
    Ok(amount | base.wrapping_shl(128))
}

/// `(amount, base)` of a lock word ([`pack_lock`]).
fn unpack_lock(word: U256) -> (U256, U256) {
    let l = word.as_limbs();
    (
        U256::from_limbs([l[0], l[1], 0, 0]),
        U256::from_limbs([l[2], l[3] & (u64::MAX >> 1), 0, 0]),
    )
}

impl ProviderRegistry {
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
        // Cannot fail: every event has at most 4 topics.
        let _ = self.vm().raw_log(topics, &data);
    }

    /// The shared body of `register` and `updateProfile`: checks, stores and logs the profile, then
    /// reports the earning stake (the GPU count moves the required stake).
    #[allow(clippy::too_many_arguments)]
    fn profile(
        &mut self,
        provider: Address,
        gpu_model: B256,
        gpu_count: u32,
        vram_gib: u32,
        region: B256,
        uri: &str,
        signature: B256,
    ) -> Result<(), Error> {
        if gpu_count == 0 || gpu_count > MAX_GPU_COUNT {
            return Err(Error::InvalidGpuCount(RegistryInvalidGpuCount {
                gpuCount: gpu_count,
                maxGpuCount: MAX_GPU_COUNT,
            }));
        }
        if uri.len() > MAX_URI_LENGTH {
            return Err(Error::MetadataURITooLong(RegistryMetadataURITooLong {
                length: U256::from(uri.len()),
                maxLength: U256::from(MAX_URI_LENGTH),
            }));
        }
        let mut p = self.providers.setter(provider);
        p.registered.set(true);
        p.gpu_model.set(gpu_model);
        p.gpu_count.set(u32_word(gpu_count));
        p.vram_gib.set(u32_word(vram_gib));
        p.region.set(region);
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
        self.report(provider)
    }

    /// Fails with `RegistryNotRegistered(provider)` unless registered.
    fn only_registered(&self, provider: Address) -> Result<(), Error> {
        if self.providers.getter(provider).registered.get() {
            Ok(())
        } else {
            Err(Error::NotRegistered(RegistryNotRegistered { provider }))
        }
    }

    /// Fails with `RegistryJobsOpen(provider, openJobs)` while `provider` has an open job.
    fn no_open_jobs(&self, provider: Address) -> Result<(), Error> {
        let open = self.providers.getter(provider).open_jobs.get();
        if open.is_zero() {
            Ok(())
        } else {
            Err(Error::JobsOpen(RegistryJobsOpen {
                provider,
                openJobs: U256::from(open.to::<u64>()),
            }))
        }
    }

    /// Fails with `RegistryInsufficientFreeStake(provider, free, amount)` unless `amount <= active
    /// − locked` (free stake is 0 while the locks exceed the active stake after a slash).
    fn check_free(&self, provider: Address, amount: U256) -> Result<(), Error> {
        let p = self.providers.getter(provider);
        let free = p.active.get().saturating_sub(p.locked.get());
        if amount > free {
            return Err(Error::InsufficientFreeStake(
                RegistryInsufficientFreeStake {
                    provider,
                    free,
                    needed: amount,
                },
            ));
        }
        Ok(())
    }

    /// The checks of `stake`.
    fn check_stake(&self, provider: Address, amount: U256) -> Result<(), Error> {
        self.pause_state.when_not_paused()?;
        self.only_registered(provider)?;
        if amount.is_zero() {
            return Err(Error::ZeroAmount(RegistryZeroAmount {}));
        }
        Ok(())
    }

    /// Credits `amount` to `provider`'s active stake, reports it, then pulls it with
    /// `transferFrom` and checks the balance delta.
    fn _stake(&mut self, provider: Address, amount: U256) -> Result<(), Error> {
        let this = self.vm().contract_address();
        let mut p = self.providers.setter(provider);
        let active = common::errors::add(p.active.get(), amount)?;
        p.active.set(active);
        self.emit(
            &[Staked::SIGNATURE_HASH, addr_word(provider)],
            &[uint_word(amount), uint_word(active)],
        );
        self.report(provider)?;
        let token = self.token.get();
        calls::token_move(
            self,
            token,
            &token::transfer_from(provider, this, amount),
            amount,
            true,
        )?;
        Ok(())
    }

    /// Moves `amount` (<= free stake, checked by callers) of `provider`'s active stake into a new
    /// unbonding request. Returns its id.
    fn _unbond(&mut self, provider: Address, amount: U256) -> Result<U256, Error> {
        let now = self.vm().block_timestamp();
        // unbondingPeriod <= 90 days; saturating keeps this panic-free.
        let release_at = now.saturating_add(word_u64(self.params.get(UNBONDING_PERIOD)));
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

    /// Removes job `job_id`'s lock: frees exactly its amount, counts the outcome, logs
    /// `StakeReleased`. Returns the job's penalty base.
    fn release(&mut self, provider: Address, job_id: U256, success: bool) -> Result<U256, Error> {
        let mut p = self.providers.setter(provider);
        let word = p.locks.get(job_id);
        if word.is_zero() {
            return Err(Error::UnknownLock(RegistryUnknownLock {
                provider,
                jobId: job_id,
            }));
        }
        let (amount, base) = unpack_lock(word);
        p.locks.insert(job_id, U256::ZERO);
        // Cannot wrap: `locked` is Σ of the open locks, this one included; open_jobs counts it.
        let locked = p.locked.get().wrapping_sub(amount);
        p.locked.set(locked);
        let open = p.open_jobs.get().to::<u64>().wrapping_sub(1);
        p.open_jobs.set(U64::from(open));
        // Saturating: a counter reaching 2^64 - 1 jobs is not a real concern and must not revert.
        if success {
            let n = p.completed_jobs.get().to::<u64>().saturating_add(1);
            p.completed_jobs.set(U64::from(n));
        } else {
            let n = p.failed_jobs.get().to::<u64>().saturating_add(1);
            p.failed_jobs.set(U64::from(n));
        }
        self.emit(
            &[
                StakeReleased::SIGNATURE_HASH,
                addr_word(provider),
                uint_word(job_id),
            ],
            &[
                uint_word(amount),
                uint_word(locked),
                uint_word(U256::from(success as u8)),
            ],
        );
        Ok(base)
    }

    /// Takes `min(amount, active + unbonding)` wei of `provider`'s stake, pro rata from its active
    /// stake and each unbonding request (each share rounded up, the total exact). Returns it.
    fn take(&mut self, provider: Address, amount: U256) -> Result<U256, Error> {
        let mut p = self.providers.setter(provider);
        let active = p.active.get();
        let unbonding = p.unbonding.get();
        let total = common::errors::add(active, unbonding)?;
        let slashed = amount.min(total);
        if slashed.is_zero() {
            return Ok(slashed);
        }
        // slashed <= total, so each ceil(slashed × x / total) <= x, and Σ over buckets of
        // ceil(slashed × x / total) >= slashed × Σx / total = slashed: capping each take by what
        // is still `remaining` makes the takes add up to exactly `slashed`.
        let from_active = mul_div(slashed, active, total, true)?;
        // Cannot wrap: from_active <= slashed (above).
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
        // Cannot wrap: from_active <= active; the unbonding takes <= Σ slots = unbonding.
        p.active.set(active.wrapping_sub(from_active));
        p.unbonding
            .set(unbonding.wrapping_sub(slashed.wrapping_sub(from_active)));
        Ok(slashed)
    }

    /// Extends `provider`'s jail to `until` (never shortens it) and logs `Jailed`.
    fn _jail(&mut self, provider: Address, until: u64) {
        let mut p = self.providers.setter(provider);
        let until = until.max(word_u64(p.jailed_until.get()));
        p.jailed_until.set(u64_word(until));
        self.emit(
            &[Jailed::SIGNATURE_HASH, addr_word(provider)],
            &[uint_word(U256::from(until))],
        );
    }

    /// Reports `provider`'s earning stake to `Emissions` (`setEarningStake(provider, amount)`);
    /// nothing when no `Emissions` is set. An interaction: callers have finished their effects.
    fn report(&mut self, provider: Address) -> Result<(), Error> {
        let emissions = self.emissions.get();
        if emissions.is_zero() {
            return Ok(());
        }
        let amount = if self.is_eligible(provider) {
            self.providers.getter(provider).active.get()
        } else {
            U256::ZERO
        };
        calls::call(self, emissions, &token::set_earning_stake(provider, amount))?;
        Ok(())
    }

    /// Transfers `amount` (nothing for 0) to `to`, checking the registry's balance delta.
    fn pay(&mut self, to: Address, amount: U256) -> Result<(), Error> {
        if amount.is_zero() {
            return Ok(());
        }
        let token = self.token.get();
        calls::token_move(self, token, &token::transfer(to, amount), amount, false)?;
        Ok(())
    }
}
