//! # JobEscrow
//!
//! The job lifecycle of compute-market (DESIGN.md §6): a requester locks compute credits for a GPU
//! job, an eligible provider accepts it (locking part of its registry stake as collateral), runs it
//! off-chain and submits a result hash with the GPU-seconds used; after a challenge window (or the
//! requester's approval) the escrow settles the cost through the BME controller and unlocks the
//! rest; a disputed result goes to an arbitrator; a missed deadline refunds and slashes.
//!
//! Units: credits have 6 decimals (`1_000_000` = 1 USD) and live in the BME controller's ledger,
//! never here; CT amounts (stake, bonds) are wei (18 decimals); times are unix seconds
//! (`block.timestamp`); rates are basis points (bps, 1/10_000).
//!
//! ## States and transitions (DESIGN.md §6)
//!
//! | from | function | who | when | to |
//! |---|---|---|---|---|
//! | — | `createJob` | requester | not paused | Open |
//! | Open | `cancelJob` | requester; anyone | any time; from `acceptDeadline` | Cancelled |
//! | Open | `acceptJob` | eligible provider (the named one, if any) | not paused, before `acceptDeadline` | Running |
//! | Running | `submitResult` | the provider | before `deadline` | Submitted |
//! | Running | `claimTimeout` | anyone | from `deadline` | Expired |
//! | Submitted | `approveResult` | requester | any time | Completed |
//! | Submitted | `finalize` | anyone | from the challenge window's end | Completed |
//! | Submitted | `disputeResult` | requester (posts a CT bond) | before the challenge window's end | Disputed |
//! | Disputed | `resolveDispute(false)` | `ARBITRATOR_ROLE` | before the arbitration window's end | Completed (bond burned) |
//! | Disputed | `resolveDispute(true)` | `ARBITRATOR_ROLE` | before the arbitration window's end | Refunded (bond back) |
//! | Disputed | `finalize` | anyone | from the arbitration window's end | Completed (bond back) |
//!
//! Completed, Cancelled, Refunded and Expired are terminal: no function accepts a job in them.
//! Each job stores one time, `until`, the end of its current phase (accept deadline, result
//! deadline, challenge end, arbitration end), computed from the parameters when the phase starts,
//! so later parameter changes never move a running job's windows.
//!
//! ## Money
//! - **Credits** (controller ledger): `createJob` locks `maxCost = ⌈price × gpuCount × maxDuration
//!   / 3600⌉`. At the end exactly one of: `settle(requester, provider, cost)` + `unlockCredits(requester,
//!   maxCost − cost)` (Completed; each call skipped when its amount is 0), or
//!   `unlockCredits(requester, maxCost)` (Cancelled, Refunded, Expired). So settled + refunded = maxCost per job, and the controller splits settled into the
//!   provider's pay and its fee: paid + fee + refunded = maxCost (DESIGN.md §9.4).
//! - **Stake** (registry): `acceptJob` locks `quoteTokens(⌈maxCost × collateralBps / 10_000⌉)` wei
//!   of the provider's stake; every terminal transition from Running/Submitted/Disputed unlocks it.
//! - **Dispute bonds** (CT held by this contract): posted with `transferFrom` in `disputeResult`,
//!   returned with `transfer` or burned with `burn`; every movement is checked against the escrow's
//!   own balance, so `balanceOf(escrow) = bondsHeld() = Σ bonds of Disputed jobs` (CT sent here
//!   directly is the only way to break the equality, and only upwards).
//! - **Slashes**: `fraudSlashBps` (dispute lost) or `abandonSlashBps` (timeout) of the provider's
//!   stake (`activeStake + unbondingStake`, read from the registry at the time), rounded down, paid
//!   by the registry half to the requester and half burned (its `challengerShareBps`), and capped
//!   there at its `maxSlashBps`.
//!
//! ## Parameters
//! Set by `PARAMETER_ADMIN_ROLE` (a timelock) with [`JobEscrow::set_parameter`], each within hard
//! bounds, each change logged as `ParameterUpdated(name, oldValue, newValue)`; names are the ASCII
//! `bytes32` of [`common::params::name`]. Defaults are DESIGN.md §6's and tokenomics-anchors §8(b)'s.
//!
//! | name | default | bounds | unit |
//! |---|---:|---|---|
//! | `acceptWindow` | 1_800 | [300, 86_400] | seconds |
//! | `submitGrace` | 3_600 | [300, 86_400] | seconds |
//! | `challengeWindow` | 86_400 | [3_600, 604_800] | seconds |
//! | `arbitrationWindow` | 604_800 | [86_400, 2_592_000] | seconds |
//! | `minChargeSeconds` | 3_600 | [0, 86_400] | seconds |
//! | `collateralBps` | 20_000 | [10_000, 100_000] | bps of maxCost |
//! | `maxOpenJobsPerProvider` | 64 | [1, 64] | jobs |
//! | `disputeBondBps` | 500 | [0, 10_000] | bps of the cost's CT value |
//! | `minDisputeBond` | 100e18 | [1e18, 100_000e18] | wei of CT |
//! | `fraudSlashBps` | 1_000 | [0, 2_000] | bps of stake |
//! | `fraudJailSeconds` | 2_592_000 | [86_400, 31_536_000] | seconds |
//! | `abandonSlashBps` | 250 | [0, 2_000] | bps of stake |
//!
//! The registry's `minUnbondingPeriod` must stay ≥ `challengeWindow + arbitrationWindow` + 1 day
//! (DESIGN.md §5) so stake backing a job cannot leave before a fault is ruled on; governance raises
//! both together (the escrow does not read the registry's parameters).
//!
//! ## Security considerations
//! - **Roles**: `ARBITRATOR_ROLE` rules disputes (a multisig/council); `PARAMETER_ADMIN_ROLE` sets
//!   parameters; `PAUSER_ROLE` pauses; `DEFAULT_ADMIN_ROLE` grants them all (multisig/timelock). The
//!   escrow must hold the controller's `ESCROW_ROLE` and the registry's `JOB_MANAGER_ROLE` and
//!   `SLASHER_ROLE` (DESIGN.md §7).
//! - **Pause** stops `createJob` and `acceptJob` only: cancelling, submitting, approving,
//!   finalising, disputing, resolving and timeouts keep working, so a pause never traps credits,
//!   stake or bonds (DESIGN.md §2).
//! - **Checks-effects-interactions**: every check (including the registry's `isEligible` and the
//!   controller's `quoteTokens` views) comes first, then all storage writes and events, then the
//!   calls to the controller, the registry and the token, which are the only contracts the escrow
//!   ever calls, fixed at construction. None of them calls back.
//! - **Bounded work**: no loop over jobs; each function makes a fixed number of calls; a provider
//!   has at most `maxOpenJobsPerProvider` jobs between acceptance and their end.
//! - **Time**: only `block.timestamp`. A phase's deadline is exclusive for its actor (`now <
//!   until`) and inclusive for whoever advances it (`now >= until`), so the two never overlap.
//! - **Rounding** favours solvency: maxCost, collateral and bond round up; cost and slashes round
//!   down; the refund is maxCost − cost.
//! - **Price dependence**: `acceptJob`, `disputeResult` and settlement (`approveResult`, `finalize`,
//!   `resolveDispute(false)`) need the controller's checked price; while the oracle is stale they
//!   revert and can be retried. Refunds (`cancelJob`, `claimTimeout`, `resolveDispute(true)`) need
//!   no price.
//! - **Self-dealing**: a requester cannot accept its own job (a sybil still can; the controller's
//!   fee makes wash jobs cost money).
//! - **Registry preconditions**: `jail` reverts for an unregistered provider; a provider cannot
//!   deregister while the job's stake lock holds (only slashes elsewhere that clamp its active stake
//!   to zero could release it), so a fraud ruling cannot be dodged by deregistering.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]
// stylus-proc generates undocumented items (`user_entrypoint`, export-abi structs) outside test
// builds; docs stay enforced in the test build, which `cargo clippy --all-targets` checks.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]

extern crate alloc;

pub mod calls;
pub mod interface;
pub mod job;
mod math;
pub mod parameters;

#[cfg(test)]
mod tests;

#[allow(unused_imports)] // `vec!` is referenced by code stylus-proc generates
use alloc::{vec, vec::Vec};

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{SolCall, SolEvent};
use common::{
    access::{AccessControl, AccessControlInvalidDefaultAdmin, Roles},
    params::ParameterUpdated,
    pausable::{Pausable, PauseState},
    roles::{ARBITRATOR_ROLE, DEFAULT_ADMIN_ROLE, PARAMETER_ADMIN_ROLE},
};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageArray, StorageMap, StorageU256},
};

pub use crate::job::*;
pub use crate::parameters::*;
use crate::{calls::*, interface::*, math::*};

/// The escrow's storage and entrypoint.
#[storage]
#[entrypoint]
pub struct JobEscrow {
    /// The BME controller (credit ledger, settlement, quotes); fixed at construction.
    controller: StorageAddress,
    /// The provider registry (eligibility, stake locks, slashes); fixed at construction.
    registry: StorageAddress,
    /// The compute token (dispute bonds); fixed at construction.
    token: StorageAddress,
    /// Number of jobs created (ids run from 1 to `job_count`).
    job_count: StorageU256,
    /// `jobs[id]`: the job's slots ([`SLOT_OF`], [`PACKING`]), read and written through one
    /// accessor for every field, indexed by the `F_…` constants (smaller wasm than one per field).
    jobs: StorageMap<U256, StorageArray<StorageU256, JOB_SLOTS>>,
    /// `open_jobs[provider]`: its jobs in Running, Submitted or Disputed.
    open_jobs: StorageMap<Address, StorageU256>,
    /// Σ bonds of Disputed jobs (wei of CT).
    bonds: StorageU256,
    /// The parameters' values, by [`PARAMETERS`] index (units in the crate docs' table).
    params: StorageArray<StorageU256, PARAMETER_COUNT>,
    /// Pause flag.
    pause_state: PauseState,
    /// Role-based access control.
    roles: Roles,
}

/// Tuple returned by `job(id)`: `(state, requester, provider, specHash, resultHash, gpuCount,
/// maxDuration, pricePerGpuHour, maxCost, cost, usedSeconds, stakeLocked, bond, until)`.
pub type JobInfo = (
    u8,
    Address,
    Address,
    B256,
    B256,
    u32,
    u64,
    U256,
    U256,
    U256,
    u64,
    U256,
    U256,
    u64,
);

#[public]
#[implements(AccessControl, Pausable)]
impl JobEscrow {
    /// Initialises the escrow once, at deployment (run by StylusDeployer; `msg.sender` is the
    /// deployer contract, so the admin is passed explicitly). Parameters take their defaults.
    ///
    /// # Arguments
    /// * `controller` - the BME controller; fixed forever.
    /// * `registry` - the provider registry; fixed forever.
    /// * `token` - the compute token (dispute bonds); fixed forever.
    /// * `admin` - receives `DEFAULT_ADMIN_ROLE` (grants the other roles later).
    ///
    /// # Errors
    /// * `JobEscrowZeroAddress()` if `controller`, `registry` or `token` is zero.
    /// * `AccessControlInvalidDefaultAdmin(address(0))` if `admin` is zero.
    ///
    /// # Events
    /// `RoleGranted(DEFAULT_ADMIN_ROLE, admin, msg.sender)`.
    #[constructor]
    pub fn constructor(
        &mut self,
        controller: Address,
        registry: Address,
        token: Address,
        admin: Address,
    ) -> Result<(), Error> {
        if controller.is_zero() || registry.is_zero() || token.is_zero() {
            return Err(Error::ZeroAddress(JobEscrowZeroAddress {}));
        }
        if admin.is_zero() {
            return Err(Error::InvalidDefaultAdmin(
                AccessControlInvalidDefaultAdmin {
                    defaultAdmin: admin,
                },
            ));
        }
        self.controller.set(controller);
        self.registry.set(registry);
        self.token.set(token);
        for (i, value) in PARAMETER_DEFAULT.into_iter().enumerate() {
            self.set_param(i, value);
        }
        self.roles._grant_role(DEFAULT_ADMIN_ROLE, admin);
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Lifecycle (DESIGN.md §6)
    // -----------------------------------------------------------------------------------------

    /// Opens a job and locks its maximum cost from the caller's credits in the BME controller:
    /// `maxCost = ⌈pricePerGpuHour × gpuCount × maxDuration / 3600⌉` credits. It can be accepted
    /// for `acceptWindow` seconds.
    ///
    /// Returns the job id (from 1).
    ///
    /// # Arguments
    /// * `provider` - the only provider that may accept, or zero for any eligible provider.
    /// * `spec_hash` - hash of the off-chain job specification.
    /// * `gpu_count` - GPUs, 1..=1024.
    /// * `max_duration` - longest run in seconds, 1..=2_592_000 (30 days).
    /// * `price_per_gpu_hour` - credits (1e6 = 1 USD) per GPU-hour, > 0.
    ///
    /// # Errors
    /// * `EnforcedPause()` while paused.
    /// * `JobEscrowInvalidGpuCount(gpuCount, 1024)`, `JobEscrowInvalidDuration(maxDuration,
    ///   2592000)`, `JobEscrowZeroPrice()`, `JobEscrowArithmeticOverflow()` (maxCost ≥ 2^256).
    /// * `JobEscrowCallFailed(controller, reason)` if `lockCredits` fails (e.g.
    ///   `BmeInsufficientCredits`, or the escrow lacks `ESCROW_ROLE`).
    ///
    /// # Events
    /// `JobCreated(jobId, requester, provider, specHash, gpuCount, maxDuration, pricePerGpuHour,
    /// maxCost, acceptDeadline)`.
    pub fn create_job(
        &mut self,
        provider: Address,
        spec_hash: B256,
        gpu_count: u32,
        max_duration: u64,
        price_per_gpu_hour: U256,
    ) -> Result<U256, Error> {
        self.pause_state.when_not_paused()?;
        if gpu_count == 0 || gpu_count > MAX_GPU_COUNT {
            return Err(Error::InvalidGpuCount(JobEscrowInvalidGpuCount {
                gpuCount: gpu_count,
                maxGpuCount: MAX_GPU_COUNT,
            }));
        }
        if max_duration == 0 || max_duration > MAX_JOB_DURATION {
            return Err(Error::InvalidDuration(JobEscrowInvalidDuration {
                maxDuration: max_duration,
                maxAllowed: MAX_JOB_DURATION,
            }));
        }
        if price_per_gpu_hour.is_zero() {
            return Err(Error::ZeroPrice(JobEscrowZeroPrice {}));
        }
        let max_cost = job_cost(price_per_gpu_hour, gpu_count, max_duration, true)?;
        let requester = self.vm().msg_sender();
        let until = self.deadline(I_ACCEPT_WINDOW, 0);
        // Cannot wrap: one id per job; 2^256 jobs are not creatable.
        let job_id = self.job_count.get().wrapping_add(U256::from(1));
        self.job_count.set(job_id);
        self.set_f(job_id, F_STATE, U256::from(OPEN));
        self.set_f(
            job_id,
            F_REQUESTER,
            U256::from_be_bytes(requester.into_word().0),
        );
        self.set_f(
            job_id,
            F_PROVIDER,
            U256::from_be_bytes(provider.into_word().0),
        );
        self.set_f(job_id, F_SPEC_HASH, U256::from_be_bytes(spec_hash.0));
        self.set_f(job_id, F_GPU_COUNT, U256::from(gpu_count));
        self.set_f(job_id, F_MAX_DURATION, U256::from(max_duration));
        self.set_f(job_id, F_PRICE, price_per_gpu_hour);
        self.set_f(job_id, F_MAX_COST, max_cost);
        self.set_f(job_id, F_UNTIL, U256::from(until));
        self.emit(
            &[
                JobCreated::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(requester),
                addr_word(provider),
            ],
            &[
                spec_hash,
                uint_word(U256::from(gpu_count)),
                u64_word(max_duration),
                uint_word(price_per_gpu_hour),
                uint_word(max_cost),
                u64_word(until),
            ],
        );
        self.credits(lockCreditsCall::SELECTOR, requester, max_cost)?;
        Ok(job_id)
    }

    /// Cancels an Open job and unlocks its whole maxCost for the requester. The requester may
    /// cancel at any time before acceptance; anyone may once the accept window is over.
    ///
    /// # Errors
    /// * `JobEscrowInvalidState(jobId, state)` unless Open.
    /// * `JobEscrowTooEarly(jobId, acceptDeadline)` for another caller before the deadline.
    /// * `JobEscrowCallFailed(controller, reason)` if `unlockCredits` fails.
    ///
    /// # Events
    /// `JobCancelled(jobId, caller, maxCost)`.
    pub fn cancel_job(&mut self, job_id: U256) -> Result<(), Error> {
        let caller = self.vm().msg_sender();
        self.expect_state(job_id, OPEN)?;
        let requester = self.addr_f(job_id, F_REQUESTER);
        let max_cost = self.f(job_id, F_MAX_COST);
        let until = self.u64_f(job_id, F_UNTIL);
        if caller != requester && self.vm().block_timestamp() < until {
            return Err(too_early(job_id, until));
        }
        self.set_state(job_id, CANCELLED);
        self.emit(
            &[
                JobCancelled::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(caller),
            ],
            &[uint_word(max_cost)],
        );
        self.credits(unlockCreditsCall::SELECTOR, requester, max_cost)
    }

    /// The caller, an eligible provider (the named one if the job names one, never the
    /// requester), accepts an Open job before its accept deadline. Locks `quoteTokens(⌈maxCost ×
    /// collateralBps / 10_000⌉)` wei of its stake; the result is due before `now + maxDuration +
    /// submitGrace`.
    ///
    /// # Errors
    /// * `EnforcedPause()` while paused.
    /// * `JobEscrowInvalidState(jobId, state)` unless Open.
    /// * `JobEscrowTooLate(jobId, acceptDeadline)` from the deadline on.
    /// * `JobEscrowNotProvider(jobId, caller)` if another provider is named or the caller is the
    ///   requester.
    /// * `JobEscrowTooManyOpenJobs(caller, maxOpenJobsPerProvider)`.
    /// * `JobEscrowProviderNotEligible(caller)` unless the registry's `isEligible`.
    /// * `JobEscrowCallFailed(target, reason)` if `isEligible`, `quoteTokens` (e.g. a stale
    ///   price) or `lockStake` (e.g. `RegistryInsufficientFreeStake`) fails;
    ///   `JobEscrowArithmeticOverflow()`.
    ///
    /// # Events
    /// `JobAccepted(jobId, provider, stakeLocked, deadline)`.
    pub fn accept_job(&mut self, job_id: U256) -> Result<(), Error> {
        self.pause_state.when_not_paused()?;
        let provider = self.vm().msg_sender();
        self.expect_state(job_id, OPEN)?;
        let named = self.addr_f(job_id, F_PROVIDER);
        let requester = self.addr_f(job_id, F_REQUESTER);
        let max_cost = self.f(job_id, F_MAX_COST);
        let max_duration = self.u64_f(job_id, F_MAX_DURATION);
        let until = self.u64_f(job_id, F_UNTIL);
        if self.vm().block_timestamp() >= until {
            return Err(too_late(job_id, until));
        }
        if (!named.is_zero() && named != provider) || provider == requester {
            return Err(Error::NotProvider(JobEscrowNotProvider {
                jobId: job_id,
                caller: provider,
            }));
        }
        let open = self.open_jobs.get(provider);
        let max_open = self.param(I_MAX_OPEN_JOBS);
        if open >= max_open {
            return Err(Error::TooManyOpenJobs(JobEscrowTooManyOpenJobs {
                provider,
                maxOpenJobs: max_open,
            }));
        }
        let registry = self.registry.get();
        if self.view(registry, addr_only(isEligibleCall::SELECTOR, provider))? != U256::from(1) {
            return Err(Error::ProviderNotEligible(JobEscrowProviderNotEligible {
                provider,
            }));
        }
        let collateral = mul_div(max_cost, self.param(I_COLLATERAL_BPS), BPS, true)?;
        let stake = self.quote(collateral)?;
        let deadline = self.deadline(I_SUBMIT_GRACE, max_duration);
        // Cannot wrap: open < maxOpenJobsPerProvider <= 64.
        self.open_jobs
            .insert(provider, open.wrapping_add(U256::from(1)));
        self.set_f(job_id, F_STATE, U256::from(RUNNING));
        self.set_f(
            job_id,
            F_PROVIDER,
            U256::from_be_bytes(provider.into_word().0),
        );
        self.set_f(job_id, F_STAKE, stake);
        self.set_f(job_id, F_UNTIL, U256::from(deadline));
        self.emit(
            &[
                JobAccepted::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(provider),
            ],
            &[uint_word(stake), u64_word(deadline)],
        );
        self.call_out(
            registry,
            addr_amount(lockStakeCall::SELECTOR, provider, stake),
        )
    }

    /// The job's provider submits its result before the deadline. `cost = ⌊pricePerGpuHour ×
    /// gpuCount × max(usedSeconds, min(minChargeSeconds, maxDuration)) / 3600⌋` credits (≤
    /// maxCost); the challenge window of `challengeWindow` seconds starts. No calls out.
    ///
    /// # Arguments
    /// * `result_hash` - hash of the off-chain result.
    /// * `used_seconds` - wall-clock seconds the job ran, ≤ maxDuration.
    ///
    /// # Errors
    /// * `JobEscrowInvalidState(jobId, state)` unless Running.
    /// * `JobEscrowNotProvider(jobId, caller)` unless the caller accepted the job.
    /// * `JobEscrowTooLate(jobId, deadline)` from the deadline on.
    /// * `JobEscrowUsageTooHigh(usedSeconds, maxDuration)`.
    ///
    /// # Events
    /// `ResultSubmitted(jobId, provider, resultHash, usedSeconds, cost, challengeDeadline)`.
    pub fn submit_result(
        &mut self,
        job_id: U256,
        result_hash: B256,
        used_seconds: u64,
    ) -> Result<(), Error> {
        let caller = self.vm().msg_sender();
        self.expect_state(job_id, RUNNING)?;
        let provider = self.addr_f(job_id, F_PROVIDER);
        let until = self.u64_f(job_id, F_UNTIL);
        let max_duration = self.u64_f(job_id, F_MAX_DURATION);
        let gpu_count = self.u64_f(job_id, F_GPU_COUNT) as u32;
        let price = self.f(job_id, F_PRICE);
        if caller != provider {
            return Err(Error::NotProvider(JobEscrowNotProvider {
                jobId: job_id,
                caller,
            }));
        }
        if self.vm().block_timestamp() >= until {
            return Err(too_late(job_id, until));
        }
        if used_seconds > max_duration {
            return Err(Error::UsageTooHigh(JobEscrowUsageTooHigh {
                usedSeconds: used_seconds,
                maxDuration: max_duration,
            }));
        }
        let min_charge = self.param_u64(I_MIN_CHARGE_SECONDS).min(max_duration);
        let cost = job_cost(price, gpu_count, used_seconds.max(min_charge), false)?;
        let challenge_end = self.deadline(I_CHALLENGE_WINDOW, 0);
        self.set_f(job_id, F_STATE, U256::from(SUBMITTED));
        self.set_f(job_id, F_RESULT_HASH, U256::from_be_bytes(result_hash.0));
        self.set_f(job_id, F_USED_SECONDS, U256::from(used_seconds));
        self.set_f(job_id, F_COST, cost);
        self.set_f(job_id, F_UNTIL, U256::from(challenge_end));
        self.emit(
            &[
                ResultSubmitted::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(provider),
            ],
            &[
                result_hash,
                u64_word(used_seconds),
                uint_word(cost),
                u64_word(challenge_end),
            ],
        );
        Ok(())
    }

    /// The requester approves a submitted result early (any time while Submitted): settles like
    /// [`Self::finalize`].
    ///
    /// # Errors
    /// * `JobEscrowInvalidState(jobId, state)` unless Submitted.
    /// * `JobEscrowNotRequester(jobId, caller)`.
    /// * `JobEscrowCallFailed(target, reason)` if `settle`, `unlockCredits`, `unlockStake` or
    ///   `recordOutcome` fails.
    ///
    /// # Events
    /// `JobCompleted(jobId, provider, caller, cost, maxCost - cost)`.
    pub fn approve_result(&mut self, job_id: U256) -> Result<(), Error> {
        let caller = self.vm().msg_sender();
        self.expect_state(job_id, SUBMITTED)?;
        self.only_requester(job_id, caller)?;
        self.complete(job_id, caller, false)
    }

    /// Anyone completes a job whose window is over: a Submitted job once its challenge window
    /// ended, or a Disputed job once the arbitration window ended without a ruling (then the bond
    /// goes back to the requester). Settles `cost` credits to the provider through the controller
    /// (`settle`, skipped when 0), unlocks `maxCost − cost` for the requester (skipped when 0),
    /// unlocks the stake and records a success.
    ///
    /// # Errors
    /// * `JobEscrowInvalidState(jobId, state)` unless Submitted or Disputed.
    /// * `JobEscrowTooEarly(jobId, windowEnd)` before the window's end.
    /// * `JobEscrowCallFailed(target, reason)` if a controller or registry call fails (e.g. the
    ///   controller's price is stale: retry later); `JobEscrowCallFailed(token, reason)` or
    ///   `JobEscrowBalanceDeltaMismatch` if the bond's return fails.
    ///
    /// # Events
    /// `JobCompleted(jobId, provider, caller, cost, maxCost - cost)`; from Disputed also
    /// `BondReleased(jobId, requester, bond, false)`.
    pub fn finalize(&mut self, job_id: U256) -> Result<(), Error> {
        let caller = self.vm().msg_sender();
        let state = self.state_of(job_id);
        if state != SUBMITTED && state != DISPUTED {
            return Err(invalid_state(job_id, state));
        }
        let until = self.u64_f(job_id, F_UNTIL);
        if self.vm().block_timestamp() < until {
            return Err(too_early(job_id, until));
        }
        self.complete(job_id, caller, false)
    }

    /// The requester disputes a submitted result inside the challenge window, posting a CT bond of
    /// `max(quoteTokens(⌈cost × disputeBondBps / 10_000⌉), minDisputeBond)` wei pulled with
    /// `transferFrom` (approve the escrow first). The arbitrator then has `arbitrationWindow`
    /// seconds to rule.
    ///
    /// # Arguments
    /// * `evidence_hash` - hash of the off-chain evidence (only logged).
    ///
    /// # Errors
    /// * `JobEscrowInvalidState(jobId, state)` unless Submitted.
    /// * `JobEscrowNotRequester(jobId, caller)`.
    /// * `JobEscrowTooLate(jobId, challengeDeadline)` from the window's end on.
    /// * `JobEscrowCallFailed(controller, reason)` if `quoteTokens` fails;
    ///   `JobEscrowArithmeticOverflow()`.
    /// * `JobEscrowCallFailed(token, returnData)` if `transferFrom` fails or does not return `true`;
    ///   `JobEscrowBalanceDeltaMismatch(bond, received)` if the escrow did not receive exactly the
    ///   bond.
    ///
    /// # Events
    /// `JobDisputed(jobId, requester, evidenceHash, bond, arbitrationDeadline)`.
    pub fn dispute_result(&mut self, job_id: U256, evidence_hash: B256) -> Result<(), Error> {
        let requester = self.vm().msg_sender();
        self.expect_state(job_id, SUBMITTED)?;
        self.only_requester(job_id, requester)?;
        let until = self.u64_f(job_id, F_UNTIL);
        let cost = self.f(job_id, F_COST);
        if self.vm().block_timestamp() >= until {
            return Err(too_late(job_id, until));
        }
        let bond_credits = mul_div(cost, self.param(I_DISPUTE_BOND_BPS), BPS, true)?;
        let quoted = if bond_credits.is_zero() {
            U256::ZERO
        } else {
            self.quote(bond_credits)?
        };
        let bond = quoted.max(self.param(I_MIN_DISPUTE_BOND));
        let bonds = add(self.bonds.get(), bond)?;
        let arbitration_end = self.deadline(I_ARBITRATION_WINDOW, 0);
        self.bonds.set(bonds);
        self.set_f(job_id, F_STATE, U256::from(DISPUTED));
        self.set_f(job_id, F_BOND, bond);
        self.set_f(job_id, F_UNTIL, U256::from(arbitration_end));
        self.emit(
            &[
                JobDisputed::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(requester),
            ],
            &[evidence_hash, uint_word(bond), u64_word(arbitration_end)],
        );
        let this = self.vm().contract_address();
        self.move_bond(transfer_from(requester, this, bond), true, bond, true)
    }

    /// The arbitrator rules on a Disputed job before the arbitration window ends (DESIGN.md §6).
    /// Provider at fault: the requester's whole maxCost is unlocked, the provider is slashed
    /// `fraudSlashBps` of its stake (half to the requester, per the registry) and jailed for
    /// `fraudJailSeconds`, its stake lock released, a failure recorded, and the bond returned.
    /// Not at fault: settles as [`Self::finalize`] and burns the bond. Only `ARBITRATOR_ROLE`.
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, ARBITRATOR_ROLE)`.
    /// * `JobEscrowInvalidState(jobId, state)` unless Disputed.
    /// * `JobEscrowTooLate(jobId, arbitrationDeadline)` from the window's end on.
    /// * `JobEscrowCallFailed(target, reason)` if a controller or registry call fails;
    ///   `JobEscrowArithmeticOverflow()`; `JobEscrowCallFailed(token, reason)` or
    ///   `JobEscrowBalanceDeltaMismatch` if the bond's return or burn fails.
    ///
    /// # Events
    /// `DisputeResolved(jobId, arbitrator, providerAtFault)`, then at fault `JobRefunded(jobId,
    /// requester, maxCost)` and `BondReleased(jobId, requester, bond, false)`, otherwise
    /// `JobCompleted(jobId, provider, arbitrator, cost, maxCost - cost)` and `BondReleased(jobId,
    /// requester, bond, true)`.
    pub fn resolve_dispute(&mut self, job_id: U256, provider_at_fault: bool) -> Result<(), Error> {
        self.roles.only_role(ARBITRATOR_ROLE)?;
        let arbitrator = self.vm().msg_sender();
        self.expect_state(job_id, DISPUTED)?;
        let until = self.u64_f(job_id, F_UNTIL);
        if self.vm().block_timestamp() >= until {
            return Err(too_late(job_id, until));
        }
        self.emit(
            &[
                DisputeResolved::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(arbitrator),
            ],
            &[uint_word(U256::from(provider_at_fault as u8))],
        );
        if provider_at_fault {
            self.fail(job_id, REFUNDED)
        } else {
            self.complete(job_id, arbitrator, true)
        }
    }

    /// Anyone ends a Running job whose provider submitted nothing before the deadline: the
    /// requester's whole maxCost is unlocked, the provider is slashed `abandonSlashBps` of its
    /// stake (half to the requester, per the registry), its stake lock released and a failure
    /// recorded.
    ///
    /// # Errors
    /// * `JobEscrowInvalidState(jobId, state)` unless Running.
    /// * `JobEscrowTooEarly(jobId, deadline)` before the deadline.
    /// * `JobEscrowCallFailed(target, reason)` if a controller or registry call fails;
    ///   `JobEscrowArithmeticOverflow()`.
    ///
    /// # Events
    /// `JobExpired(jobId, provider, maxCost)`.
    pub fn claim_timeout(&mut self, job_id: U256) -> Result<(), Error> {
        self.expect_state(job_id, RUNNING)?;
        let until = self.u64_f(job_id, F_UNTIL);
        if self.vm().block_timestamp() < until {
            return Err(too_early(job_id, until));
        }
        self.fail(job_id, EXPIRED)
    }

    // -----------------------------------------------------------------------------------------
    // Parameters
    // -----------------------------------------------------------------------------------------

    /// Sets parameter `name` (see the crate docs' table) to `value`. Only `PARAMETER_ADMIN_ROLE`.
    /// Jobs already in a phase keep the deadline computed when it started.
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, PARAMETER_ADMIN_ROLE)`.
    /// * `JobEscrowUnknownParameter(name)`.
    /// * `JobEscrowParameterOutOfBounds(value, min, max)`.
    ///
    /// # Events
    /// `ParameterUpdated(name, oldValue, newValue)`.
    pub fn set_parameter(&mut self, name: B256, value: U256) -> Result<(), Error> {
        self.roles.only_role(PARAMETER_ADMIN_ROLE)?;
        let index = param_index(name)?;
        let (min, max) = (PARAMETER_MIN[index], PARAMETER_MAX[index]);
        if value < min || value > max {
            return Err(Error::ParameterOutOfBounds(JobEscrowParameterOutOfBounds {
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
    /// `JobEscrowUnknownParameter(name)`.
    pub fn parameter(&self, name: B256) -> Result<U256, Error> {
        Ok(self.param(param_index(name)?))
    }

    // -----------------------------------------------------------------------------------------
    // Views
    // -----------------------------------------------------------------------------------------

    /// Job `job_id`: `(state, requester, provider, specHash, resultHash, gpuCount, maxDuration,
    /// pricePerGpuHour, maxCost, cost, usedSeconds, stakeLocked, bond, until)`.
    ///
    /// * `state`: 0 no such job, 1 Open, 2 Running, 3 Submitted, 4 Completed, 5 Cancelled,
    ///   6 Disputed, 7 Refunded, 8 Expired (4, 5, 7, 8 terminal).
    /// * `provider`: the named provider (zero = any) until accepted, then the accepting one.
    /// * `pricePerGpuHour`, `maxCost`, `cost`: credits (1e6 = 1 USD); `cost` is what the result
    ///   claims (settled when Completed; 0 when Refunded, Cancelled or Expired).
    /// * `maxDuration`, `usedSeconds`: seconds; `stakeLocked`, `bond`: wei of CT.
    /// * `until`: unix seconds, the end of the current phase (accept deadline, result deadline,
    ///   challenge end, arbitration end).
    ///
    /// All zero for an unknown id.
    pub fn job(&self, job_id: U256) -> JobInfo {
        (
            self.u64_f(job_id, F_STATE) as u8,
            self.addr_f(job_id, F_REQUESTER),
            self.addr_f(job_id, F_PROVIDER),
            B256::from(self.f(job_id, F_SPEC_HASH)),
            B256::from(self.f(job_id, F_RESULT_HASH)),
            self.u64_f(job_id, F_GPU_COUNT) as u32,
            self.u64_f(job_id, F_MAX_DURATION),
            self.f(job_id, F_PRICE),
            self.f(job_id, F_MAX_COST),
            self.f(job_id, F_COST),
            self.u64_f(job_id, F_USED_SECONDS),
            self.f(job_id, F_STAKE),
            self.f(job_id, F_BOND),
            self.u64_f(job_id, F_UNTIL),
        )
    }

    /// Number of jobs created; ids run from 1 to this.
    pub fn job_count(&self) -> U256 {
        self.job_count.get()
    }

    /// Jobs of `provider` between acceptance and their end (Running, Submitted or Disputed).
    pub fn open_jobs(&self, provider: Address) -> U256 {
        self.open_jobs.get(provider)
    }

    /// Σ dispute bonds of Disputed jobs (wei of CT): equals the escrow's CT balance.
    pub fn bonds_held(&self) -> U256 {
        self.bonds.get()
    }

    /// The addresses fixed at construction: `(controller, registry, token)`.
    pub fn contracts(&self) -> (Address, Address, Address) {
        (self.controller.get(), self.registry.get(), self.token.get())
    }
}

common::impl_access_control!(JobEscrow, roles);
common::impl_pausable!(JobEscrow, pause_state, roles);

/// `⌈/⌊ price × gpuCount × seconds / 3600 ⌉/⌋` credits (`gpuCount × seconds` < 2^42).
fn job_cost(price: U256, gpu_count: u32, seconds: u64, round_up: bool) -> Result<U256, Error> {
    let gpu_seconds = U256::from(gpu_count).saturating_mul(U256::from(seconds));
    mul_div(price, gpu_seconds, HOUR, round_up)
}

/// The index of parameter `name` in [`PARAMETERS`].
fn param_index(name: B256) -> Result<usize, Error> {
    PARAMETERS
        .iter()
        .position(|n| *n == name)
        .ok_or(Error::UnknownParameter(JobEscrowUnknownParameter { name }))
}

fn invalid_state(job_id: U256, state: u8) -> Error {
    Error::InvalidState(JobEscrowInvalidState {
        jobId: job_id,
        state,
    })
}

fn too_early(job_id: U256, at: u64) -> Error {
    Error::TooEarly(JobEscrowTooEarly {
        jobId: job_id,
        availableAt: at,
    })
}

fn too_late(job_id: U256, at: u64) -> Error {
    Error::TooLate(JobEscrowTooLate {
        jobId: job_id,
        deadline: at,
    })
}

impl JobEscrow {
    /// Job `job_id`'s fields, indexed by the `F_…` constants (tests).
    #[cfg(test)]
    pub(crate) fn job_words(&self, job_id: U256) -> [U256; JOB_FIELDS] {
        core::array::from_fn(|i| self.f(job_id, i))
    }

    /// Job `job_id`'s raw storage slots (tests: the packing).
    #[cfg(test)]
    pub(crate) fn job_slots(&self, job_id: U256) -> [U256; JOB_SLOTS] {
        core::array::from_fn(|i| self.jobs.getter(job_id).get(i).unwrap_or_default())
    }

    /// Field `field` (< [`JOB_FIELDS`]) of job `job_id`: its slot, or its bits of the packed slot.
    #[inline(never)]
    fn f(&self, job_id: U256, field: usize) -> U256 {
        let slot = self
            .jobs
            .getter(job_id)
            .get(SLOT_OF[field] as usize)
            .unwrap_or_default();
        match PACKING[field] {
            (_, 0) => slot,
            (offset, width) => U256::from(unpack(slot.as_limbs(), offset, width)),
        }
    }

    /// Sets field `field` (< [`JOB_FIELDS`]) of job `job_id`. A packed field keeps the low `width`
    /// bits of `value` (callers store at most 64 bits, and at most 32 in a 32-bit field) and leaves
    /// the slot's other fields as they are.
    #[inline(never)]
    fn set_f(&mut self, job_id: U256, field: usize, value: U256) {
        let index = SLOT_OF[field] as usize;
        let value = match PACKING[field] {
            (_, 0) => value,
            (offset, width) => {
                let old = self.jobs.getter(job_id).get(index).unwrap_or_default();
                let mut limbs = *old.as_limbs();
                pack(&mut limbs, offset, width, value.as_limbs()[0]);
                U256::from_limbs(limbs)
            }
        };
        if let Some(mut slot) = self.jobs.setter(job_id).setter(index) {
            slot.set(value);
        }
    }

    /// A job word holding an address.
    fn addr_f(&self, job_id: U256, field: usize) -> Address {
        Address::from_word(B256::from(self.f(job_id, field)))
    }

    /// A job word holding a small integer (state, count, seconds, timestamp).
    fn u64_f(&self, job_id: U256, field: usize) -> u64 {
        word_u64(self.f(job_id, field))
    }

    /// Parameter `index` (< [`PARAMETER_COUNT`]) of [`PARAMETERS`].
    fn param(&self, index: usize) -> U256 {
        self.params.get(index).unwrap_or_default()
    }

    /// A parameter that fits 64 bits (all but `minDisputeBond`, by their bounds).
    fn param_u64(&self, index: usize) -> u64 {
        word_u64(self.param(index))
    }

    /// Sets parameter `index` (no checks).
    fn set_param(&mut self, index: usize, value: U256) {
        if let Some(mut slot) = self.params.setter(index) {
            slot.set(value);
        }
    }

    /// `now + extra + parameter(index)` (seconds; saturating, never reached in practice).
    fn deadline(&self, index: usize, extra: u64) -> u64 {
        self.vm()
            .block_timestamp()
            .saturating_add(extra)
            .saturating_add(self.param_u64(index))
    }

    /// The state of job `job_id` ([`NONE`] if unknown).
    fn state_of(&self, job_id: U256) -> u8 {
        self.u64_f(job_id, F_STATE) as u8
    }

    /// Fails with `JobEscrowInvalidState` unless job `job_id` is in `state`.
    fn expect_state(&self, job_id: U256, state: u8) -> Result<(), Error> {
        let actual = self.state_of(job_id);
        if actual == state {
            Ok(())
        } else {
            Err(invalid_state(job_id, actual))
        }
    }

    fn set_state(&mut self, job_id: U256, state: u8) {
        self.set_f(job_id, F_STATE, U256::from(state));
    }

    /// Fails with `JobEscrowNotRequester` unless `caller` created job `job_id`.
    fn only_requester(&self, job_id: U256, caller: Address) -> Result<(), Error> {
        if self.addr_f(job_id, F_REQUESTER) == caller {
            Ok(())
        } else {
            Err(Error::NotRequester(JobEscrowNotRequester {
                jobId: job_id,
                caller,
            }))
        }
    }

    /// Ends a Submitted or Disputed job as Completed (checks done by the caller): settles the cost
    /// to the provider, refunds the rest, releases the stake, records a success, and returns
    /// (`burn_bond == false`) or burns the bond of a Disputed job.
    fn complete(&mut self, job_id: U256, caller: Address, burn_bond: bool) -> Result<(), Error> {
        let disputed = self.state_of(job_id) == DISPUTED;
        let requester = self.addr_f(job_id, F_REQUESTER);
        let provider = self.addr_f(job_id, F_PROVIDER);
        let max_cost = self.f(job_id, F_MAX_COST);
        let cost = self.f(job_id, F_COST);
        let stake = self.f(job_id, F_STAKE);
        let bond = self.f(job_id, F_BOND);
        // Cannot wrap: cost <= maxCost (billed seconds <= maxDuration, floor vs ceil).
        let refund = max_cost.wrapping_sub(cost);
        self.set_state(job_id, COMPLETED);
        self.close(provider);
        self.emit(
            &[
                JobCompleted::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(provider),
                addr_word(caller),
            ],
            &[uint_word(cost), uint_word(refund)],
        );
        if disputed {
            self.release_bond_effects(job_id, requester, bond, burn_bond);
        }
        // Interactions.
        if !cost.is_zero() {
            let controller = self.controller.get();
            self.call_out(controller, settle(requester, provider, cost))?;
        }
        if !refund.is_zero() {
            self.credits(unlockCreditsCall::SELECTOR, requester, refund)?;
        }
        self.release_stake(provider, stake, true)?;
        if disputed {
            self.release_bond(requester, bond, burn_bond)?;
        }
        Ok(())
    }

    /// Ends a Running (timeout, `EXPIRED`) or Disputed (provider at fault, `REFUNDED`) job with a
    /// full refund, a slash of `abandonSlashBps`/`fraudSlashBps` of the provider's stake to the
    /// requester, a jail (`REFUNDED` only), the stake released, a failure recorded, and the bond
    /// of a Disputed job returned.
    fn fail(&mut self, job_id: U256, state: u8) -> Result<(), Error> {
        let fraud = state == REFUNDED;
        let requester = self.addr_f(job_id, F_REQUESTER);
        let provider = self.addr_f(job_id, F_PROVIDER);
        let max_cost = self.f(job_id, F_MAX_COST);
        let stake = self.f(job_id, F_STAKE);
        let bond = self.f(job_id, F_BOND);
        self.set_f(job_id, F_STATE, U256::from(state));
        // Nothing is settled: cost + refunded = 0 + maxCost.
        self.set_f(job_id, F_COST, U256::ZERO);
        self.close(provider);
        let (signature, who) = if fraud {
            (JobRefunded::SIGNATURE_HASH, requester)
        } else {
            (JobExpired::SIGNATURE_HASH, provider)
        };
        self.emit(
            &[signature, uint_word(job_id), addr_word(who)],
            &[uint_word(max_cost)],
        );
        if fraud {
            self.release_bond_effects(job_id, requester, bond, false);
        }
        // Interactions.
        self.credits(unlockCreditsCall::SELECTOR, requester, max_cost)?;
        let registry = self.registry.get();
        let total = add(
            self.view(registry, addr_only(activeStakeCall::SELECTOR, provider))?,
            self.view(registry, addr_only(unbondingStakeCall::SELECTOR, provider))?,
        )?;
        let bps = self.param(if fraud {
            I_FRAUD_SLASH_BPS
        } else {
            I_ABANDON_SLASH_BPS
        });
        let amount = mul_div(total, bps, BPS, false)?;
        if !amount.is_zero() {
            self.call_out(
                registry,
                slash(provider, amount, requester, uint_word(job_id)),
            )?;
        }
        if fraud {
            let until = self.deadline(I_FRAUD_JAIL_SECONDS, 0);
            self.call_out(registry, jail(provider, until))?;
        }
        self.release_stake(provider, stake, false)?;
        if fraud {
            self.release_bond(requester, bond, false)?;
        }
        Ok(())
    }

    /// One job of `provider`'s left Running/Submitted/Disputed.
    fn close(&mut self, provider: Address) {
        // Cannot wrap: every job counted here was counted in by `acceptJob`.
        let open = self.open_jobs.get(provider).wrapping_sub(U256::from(1));
        self.open_jobs.insert(provider, open);
    }

    /// The bookkeeping and event of a bond's release (before the interactions).
    fn release_bond_effects(&mut self, job_id: U256, requester: Address, bond: U256, burn: bool) {
        // Cannot wrap: the bond was added to `bonds` by `disputeResult`.
        let bonds = self.bonds.get().wrapping_sub(bond);
        self.bonds.set(bonds);
        self.emit(
            &[
                BondReleased::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(requester),
            ],
            &[uint_word(bond), uint_word(U256::from(burn as u8))],
        );
    }

    /// Returns the bond to `requester` or burns it.
    fn release_bond(&mut self, requester: Address, bond: U256, burn: bool) -> Result<(), Error> {
        if burn {
            self.move_bond(calls::burn(bond), false, bond, false)
        } else {
            self.move_bond(
                addr_amount(transferCall::SELECTOR, requester, bond),
                true,
                bond,
                false,
            )
        }
    }

    /// `unlockStake(provider, stake)` then `recordOutcome(provider, success)`.
    fn release_stake(
        &mut self,
        provider: Address,
        stake: U256,
        success: bool,
    ) -> Result<(), Error> {
        let registry = self.registry.get();
        self.call_out(
            registry,
            addr_amount(unlockStakeCall::SELECTOR, provider, stake),
        )?;
        self.call_out(registry, record_outcome(provider, success))
    }

    /// `lockCredits`/`unlockCredits(account, amount)` on the controller.
    fn credits(&mut self, selector: [u8; 4], account: Address, amount: U256) -> Result<(), Error> {
        let controller = self.controller.get();
        self.call_out(controller, addr_amount(selector, account, amount))
    }

    /// `quoteTokens(credits)` on the controller: CT wei worth `credits`, rounded up.
    fn quote(&mut self, credits: U256) -> Result<U256, Error> {
        let controller = self.controller.get();
        self.view(controller, quote_tokens(credits))
    }

    /// Logs an event: `topics` = `[signature hash, indexed arguments…]`, `words` = its ABI-encoded
    /// data. Written by hand instead of `vm().log(event)` (as in the registry: alloy's encoder per
    /// event costs KBs of wasm); unit tests decode every event with its `sol!` definition.
    fn emit(&self, topics: &[B256], words: &[B256]) {
        let data = encode_static(&[], words);
        // Cannot fail: every event has at most 4 topics.
        let _ = self.vm().raw_log(topics, &data);
    }

    /// Calls `target` (statically for views); `Err` holds the revert data.
    #[inline(never)]
    fn raw_call(&mut self, target: Address, calldata: &[u8], view: bool) -> Result<Vec<u8>, Error> {
        let result = if view {
            static_call(self.vm(), Call::new(), target, calldata)
        } else {
            let context = Call::new_mutating(self);
            call(self.vm(), context, target, calldata)
        };
        result.map_err(|e| call_failed(target, revert_data(e)))
    }

    /// A mutating call to the controller, the registry or the token; a revert becomes
    /// `JobEscrowCallFailed(target, revertData)`.
    fn call_out(&mut self, target: Address, calldata: Vec<u8>) -> Result<(), Error> {
        self.raw_call(target, &calldata, false).map(drop)
    }

    /// A static call returning one word (`uint256` or `bool`); a revert or any other return length
    /// becomes `JobEscrowCallFailed(target, returnData)`.
    fn view(&mut self, target: Address, calldata: Vec<u8>) -> Result<U256, Error> {
        let ret = self.raw_call(target, &calldata, true)?;
        decode_word(&ret).ok_or_else(|| call_failed(target, ret))
    }

    /// `token.balanceOf(escrow)`.
    fn token_balance(&mut self) -> Result<U256, Error> {
        let this = self.vm().contract_address();
        let token = self.token.get();
        self.view(token, addr_only(balanceOfCall::SELECTOR, this))
    }

    /// Calls the token with `calldata` (which must return exactly the word `true` if
    /// `expect_true`), and checks that the escrow's balance rose (`incoming`) or fell by exactly
    /// `amount`. The last step of its caller.
    fn move_bond(
        &mut self,
        calldata: Vec<u8>,
        expect_true: bool,
        amount: U256,
        incoming: bool,
    ) -> Result<(), Error> {
        let before = self.token_balance()?;
        let token = self.token.get();
        let ret = self.raw_call(token, &calldata, false)?;
        if expect_true && decode_word(&ret) != Some(U256::from(1)) {
            return Err(call_failed(token, ret));
        }
        let after = self.token_balance()?;
        let (moved, ok) = if incoming {
            (after.saturating_sub(before), after >= before)
        } else {
            (before.saturating_sub(after), before >= after)
        };
        if !ok || moved != amount {
            return Err(Error::BalanceDeltaMismatch(JobEscrowBalanceDeltaMismatch {
                expected: amount,
                actual: moved,
            }));
        }
        Ok(())
    }
}

/// The revert data of a failed call (empty for the SDK's decoding errors, which raw calls never
/// return).
fn revert_data(e: stylus_sdk::stylus_core::calls::errors::Error) -> Vec<u8> {
    match e {
        stylus_sdk::stylus_core::calls::errors::Error::Revert(data) => data,
        _ => Vec::new(),
    }
}

fn call_failed(target: Address, data: Vec<u8>) -> Error {
    Error::CallFailed(JobEscrowCallFailed {
        target,
        returnData: data.into(),
    })
}
