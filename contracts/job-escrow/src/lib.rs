//! # JobEscrow
//!
//! The job lifecycle of compute-market (docs/protocol.md "JobEscrow"): a requester locks compute
//! credits for a GPU job, an eligible provider accepts it (locking part of its registry stake as
//! collateral), runs it off-chain and submits a result hash with the GPU-seconds used; after a
//! challenge window (or the requester's approval) the escrow settles the cost through the BME
//! controller and unlocks the rest; a disputed result goes to an arbitrator; a missed deadline refunds
//! and slashes. Jobs are opened by their requester (a named provider or first come), or by an auction
//! contract (`MARKET_ROLE`, `JobMarket`) that awards them to the best bid.
//!
//! Units: credits have 6 decimals (`1_000_000` = 1 USD) and live in the BME controller's ledger,
//! never here; CT amounts (stake, bonds) are wei (18 decimals); times are unix seconds
//! (`block.timestamp`); rates are basis points (bps, 1/10_000).
//!
//! ## States and transitions
//!
//! | from | function | who | when | to |
//! |---|---|---|---|---|
//! | — | `createJob` / `createJobFor` | requester / market | not paused | Open |
//! | Open | `cancelJob` | requester (the market, for its jobs); anyone | any time; from `acceptDeadline` | Cancelled |
//! | Open | `acceptJob` | eligible provider (the named one, if any; never for a market's job) | not paused, before `acceptDeadline` | Running |
//! | Open | `award` | the market that opened it, for a bidder | not paused, before `acceptDeadline` | Running |
//! | Running | `submitResult` | the provider | before `deadline` | Submitted |
//! | Running | `claimTimeout` | anyone | from `deadline` | Expired |
//! | Submitted | `approveResult` | requester | any time | Completed |
//! | Submitted | `finalize` | anyone | from the challenge window's end | Completed |
//! | Submitted | `disputeResult` | requester (posts a CT bond) | before the challenge window's end | Disputed |
//! | Disputed | `resolveDispute(false)` | `ARBITRATOR_ROLE` | before the arbitration window's end | Submitted, window closed (bond burned); `finalize` settles |
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
//!   / 3600⌉`. An award lowers the price and unlocks `maxCost − maxCost'` at once. At the end exactly
//!   one of: `settle(requester, provider, cost, maxCost − cost)` (Completed: one controller call
//!   settles the cost and unlocks the rest), or `unlockCredits(requester, maxCost)` (Cancelled,
//!   Refunded, Expired). So settled + refunded = the credits locked for the job (invariant 4).
//! - **Stake** (registry): `acceptJob`/`award` lock `quoteTokens(⌈maxCost × collateralBps /
//!   10_000⌉)` wei of the provider's stake for the job (`lockStake`, which also checks eligibility
//!   and the GPU count and fixes the job's penalty base); Completed releases it (`releaseStake`);
//!   Refunded and Expired slash it (`slashJob`: `fraudSlashBps`/`abandonSlashBps` of the penalty
//!   base, half to the requester) and release it.
//! - **Dispute bonds** (CT held by this contract): posted with `transferFrom` in `disputeResult`,
//!   returned with `transfer` or burned with `burn`; every movement is checked against the escrow's
//!   own balance, so `balanceOf(escrow) = bondsHeld() = Σ bonds of Disputed jobs`.
//!
//! ## Parameters
//! Set by `PARAMETER_ADMIN_ROLE` (a timelock) with [`JobEscrow::set_parameter`], each within hard
//! bounds, each change logged as `ParameterUpdated(name, oldValue, newValue)`:
//!
//! | name | default | bounds | unit |
//! |---|---:|---|---|
//! | `acceptWindow` | 1_800 | [300, 86_400] | seconds |
//! | `submitGrace` | 3_600 | [300, 86_400] | seconds |
//! | `challengeWindow` | 86_400 | [3_600, 604_800] | seconds |
//! | `arbitrationWindow` | 604_800 | [86_400, 2_592_000] | seconds |
//! | `minChargeSeconds` | 3_600 | [0, 86_400] | seconds |
//! | `collateralBps` | 20_000 | [10_000, 100_000] | bps of maxCost |
//! | `disputeBondBps` | 500 | [0, 10_000] | bps of the cost's CT value |
//! | `minDisputeBond` | 100e18 | [1e18, 100_000e18] | wei of CT |
//! | `fraudSlashBps` | 1_000 | [0, 2_000] | bps of the job's penalty base |
//! | `fraudJailSeconds` | 2_592_000 | [86_400, 31_536_000] | seconds |
//! | `abandonSlashBps` | 250 | [0, 2_000] | bps of the job's penalty base |
//!
//! The number of open jobs per provider is the registry's `maxOpenJobs`.
//!
//! ## Security considerations
//! - **Roles**: `ARBITRATOR_ROLE` rules disputes (a multisig/council); `MARKET_ROLE` opens jobs for a
//!   requester and awards them (the `JobMarket` contract alone: a holder can lock any buyer's credits
//!   for a job it then controls); `PARAMETER_ADMIN_ROLE` sets parameters; `PAUSER_ROLE` pauses;
//!   `DEFAULT_ADMIN_ROLE` grants them all. The escrow must hold the controller's `ESCROW_ROLE` and
//!   the registry's `JOB_MANAGER_ROLE` and `SLASHER_ROLE`.
//! - **Pause** stops `createJob`, `createJobFor`, `acceptJob` and `award` only: cancelling,
//!   submitting, approving, finalising, disputing, resolving and timeouts keep working.
//! - **Oracle**: only acceptance and settlement need a price. A dispute never does (the bond falls
//!   back to `minDisputeBond` while the oracle cannot price one), a ruling for the provider only
//!   burns the bond and leaves the settlement to `finalize` (retry until the price is back), and
//!   refunds and slashes need none: no window closes because of the oracle (SECURITY.md M-3).
//! - **Checks-effects-interactions**: every check (including the controller's `quoteTokens` view)
//!   comes first, then all storage writes and events, then the calls to the controller, the registry
//!   and the token, which are the only contracts the escrow ever calls, fixed at construction. None
//!   of them calls back.
//! - **Bounded work**: no loop over jobs; each function makes a fixed number of calls.
//! - **Time**: only `block.timestamp`. A phase's deadline is exclusive for its actor (`now <
//!   until`) and inclusive for whoever advances it (`now >= until`), so the two never overlap.
//! - **Rounding** favours solvency: maxCost, collateral and bond round up; cost rounds down; the
//!   refund is maxCost − cost.
//! - **Self-dealing**: a requester cannot accept its own job (a sybil still can: its rewards are
//!   capped by the fees it pays, docs/economics.md).
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]
// stylus-proc generates undocumented items (`user_entrypoint`, export-abi structs) outside test
// builds; docs stay enforced in the test build, which `cargo clippy --all-targets` checks.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
#![allow(clippy::result_large_err)]

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
    abi_words::{addr_word, encode_static, uint_word},
    access::{AccessControl, Roles},
    calls as ext,
    errors::invalid_admin,
    params::Parameters,
    pausable::{Pausable, PauseState},
    roles::{ARBITRATOR_ROLE, DEFAULT_ADMIN_ROLE, MARKET_ROLE, PARAMETER_ADMIN_ROLE},
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
    /// Σ bonds of Disputed jobs (wei of CT).
    bonds: StorageU256,
    /// The parameters' values (units in the crate docs' table).
    params: Parameters,
    /// Pause flag.
    pause_state: PauseState,
    /// Role-based access control.
    roles: Roles,
}

/// Tuple returned by `job(id)`: `(state, requester, provider, specHash, resultHash, gpuCount,
/// maxDuration, pricePerGpuHour, maxCost, cost, usedSeconds, bond, until)`.
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
            return Err(zero_address());
        }
        if admin.is_zero() {
            return Err(invalid_admin(admin).into());
        }
        self.controller.set(controller);
        self.registry.set(registry);
        self.token.set(token);
        self.params.init(&PARAMETERS);
        self.roles._grant_role(DEFAULT_ADMIN_ROLE, admin);
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Lifecycle
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
    /// * `JobEscrowNotProvider(jobCount + 1, provider)` if `provider` holds `MARKET_ROLE` (a market
    ///   owns only the jobs it opens with `createJobFor`).
    /// * `EnforcedPause()` while paused.
    /// * `JobEscrowInvalidGpuCount(gpuCount, 1024)`, `JobEscrowInvalidDuration(maxDuration,
    ///   2592000)`, `JobEscrowInvalidPrice(0, 0)`, `ArithmeticOverflow()` (maxCost ≥ 2^256).
    /// * `CallFailed(controller, reason)` if `lockCredits` fails (e.g. `BmeInsufficientCredits`).
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
        let requester = self.vm().msg_sender();
        // A market owns only the jobs it opens itself (`createJobFor`); naming one here would hand
        // it the requester's job.
        if self.roles.has_role(MARKET_ROLE, provider) {
            let next = self.job_count.get().wrapping_add(U256::from(1));
            return Err(not_provider(next, provider));
        }
        let window = self.param_u64(ACCEPT_WINDOW);
        self.open(
            requester,
            provider,
            spec_hash,
            gpu_count,
            max_duration,
            price_per_gpu_hour,
            window,
        )
    }

    /// Opens a job for `requester` on behalf of an auction (only `MARKET_ROLE`, the `JobMarket`):
    /// locks `maxCost` at the maximum price `max_price_per_gpu_hour` from the requester's credits,
    /// names the calling market as the job's provider (so only its `award` starts the job) and keeps
    /// it open for `open_seconds` (the bid window plus the time to close the auction).
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, MARKET_ROLE)`, `JobEscrowZeroAddress()`
    /// (requester), `JobEscrowInvalidDuration(openSeconds, 2592000)`, and as [`Self::create_job`].
    ///
    /// # Events
    /// `JobCreated(jobId, requester, market, …)`.
    pub fn create_job_for(
        &mut self,
        requester: Address,
        spec_hash: B256,
        gpu_count: u32,
        max_duration: u64,
        max_price_per_gpu_hour: U256,
        open_seconds: u64,
    ) -> Result<U256, Error> {
        self.roles.only_role(MARKET_ROLE)?;
        if requester.is_zero() {
            return Err(zero_address());
        }
        if open_seconds == 0 || open_seconds > MAX_JOB_DURATION {
            return Err(Error::InvalidDuration(JobEscrowInvalidDuration {
                maxDuration: open_seconds,
                maxAllowed: MAX_JOB_DURATION,
            }));
        }
        let market = self.vm().msg_sender();
        self.open(
            requester,
            market,
            spec_hash,
            gpu_count,
            max_duration,
            max_price_per_gpu_hour,
            open_seconds,
        )
    }

    /// Cancels an Open job and unlocks its whole maxCost for the requester. The requester (for a job
    /// a market opened: that market) may cancel at any time before acceptance; anyone may once the
    /// accept window is over.
    ///
    /// # Errors
    /// * `JobEscrowInvalidState(jobId, state)` unless Open.
    /// * `JobEscrowTooEarly(jobId, acceptDeadline)` for another caller before the deadline.
    /// * `CallFailed(controller, reason)` if `unlockCredits` fails.
    ///
    /// # Events
    /// `JobCancelled(jobId, caller, maxCost)`.
    pub fn cancel_job(&mut self, job_id: U256) -> Result<(), Error> {
        let caller = self.vm().msg_sender();
        self.expect_state(job_id, OPEN)?;
        let requester = self.addr_f(job_id, F_REQUESTER);
        let named = self.addr_f(job_id, F_PROVIDER);
        let max_cost = self.f(job_id, F_MAX_COST);
        let until = self.u64_f(job_id, F_UNTIL);
        let owner = if self.roles.has_role(MARKET_ROLE, named) {
            named
        } else {
            requester
        };
        if caller != owner && self.vm().block_timestamp() < until {
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
    /// requester, never on a job a market opened), accepts an Open job before its accept deadline.
    /// Locks `quoteTokens(⌈maxCost × collateralBps / 10_000⌉)` wei of its stake in the registry,
    /// which also checks its eligibility, its GPU count and its number of open jobs; the result is
    /// due before `now + maxDuration + submitGrace`.
    ///
    /// # Errors
    /// * `EnforcedPause()` while paused.
    /// * `JobEscrowInvalidState(jobId, state)` unless Open.
    /// * `JobEscrowTooLate(jobId, acceptDeadline)` from the deadline on.
    /// * `JobEscrowNotProvider(jobId, caller)` if another provider or a market is named or the
    ///   caller is the requester.
    /// * `CallFailed(controller, reason)` if `quoteTokens` fails (e.g. a stale price);
    ///   `CallFailed(registry, reason)` if `lockStake` fails (`RegistryNotEligible`,
    ///   `RegistryInsufficientGpus`, `RegistryTooManyOpenJobs`, `RegistryInsufficientFreeStake`);
    ///   `ArithmeticOverflow()`.
    ///
    /// # Events
    /// `JobAccepted(jobId, provider, pricePerGpuHour, maxCost, 0, stakeLocked, deadline)`.
    pub fn accept_job(&mut self, job_id: U256) -> Result<(), Error> {
        self.pause_state.when_not_paused()?;
        let provider = self.vm().msg_sender();
        self.expect_open(job_id)?;
        let named = self.addr_f(job_id, F_PROVIDER);
        if (!named.is_zero() && named != provider) || self.roles.has_role(MARKET_ROLE, named) {
            return Err(not_provider(job_id, provider));
        }
        let price = self.f(job_id, F_PRICE);
        self.start(job_id, provider, price)
    }

    /// Awards an Open job the calling market opened to `provider` at `price_per_gpu_hour` (≤ the
    /// job's maximum price): the job's price and maxCost become the winning ones, the credits above
    /// the new maxCost are unlocked for the requester at once, and the job starts exactly as
    /// `acceptJob` starts it (stake lock with the registry's checks, deadline). Only the market
    /// named by the job, holding `MARKET_ROLE`.
    ///
    /// # Errors
    /// * `EnforcedPause()` while paused.
    /// * `AccessControlUnauthorizedAccount(caller, MARKET_ROLE)`.
    /// * `JobEscrowInvalidState(jobId, state)` unless Open; `JobEscrowTooLate(jobId,
    ///   acceptDeadline)` from the deadline on.
    /// * `JobEscrowNotRequester(jobId, caller)` unless the caller opened the job.
    /// * `JobEscrowNotProvider(jobId, provider)` if `provider` is the requester.
    /// * `JobEscrowInvalidPrice(price, maxPrice)` if the price is 0 or above the job's.
    /// * As [`Self::accept_job`] for the stake lock.
    ///
    /// # Events
    /// `JobAccepted(jobId, provider, pricePerGpuHour, maxCost, refunded, stakeLocked, deadline)`.
    pub fn award(
        &mut self,
        job_id: U256,
        provider: Address,
        price_per_gpu_hour: U256,
    ) -> Result<(), Error> {
        self.pause_state.when_not_paused()?;
        self.roles.only_role(MARKET_ROLE)?;
        let market = self.vm().msg_sender();
        self.expect_open(job_id)?;
        if self.addr_f(job_id, F_PROVIDER) != market {
            return Err(Error::NotRequester(JobEscrowNotRequester {
                jobId: job_id,
                caller: market,
            }));
        }
        let max_price = self.f(job_id, F_PRICE);
        if price_per_gpu_hour.is_zero() || price_per_gpu_hour > max_price {
            return Err(Error::InvalidPrice(JobEscrowInvalidPrice {
                price: price_per_gpu_hour,
                maxPrice: max_price,
            }));
        }
        self.start(job_id, provider, price_per_gpu_hour)
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
            return Err(not_provider(job_id, caller));
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
        let min_charge = self.param_u64(MIN_CHARGE_SECONDS).min(max_duration);
        let cost = job_cost(price, gpu_count, used_seconds.max(min_charge), false)?;
        let challenge_end = self.deadline(CHALLENGE_WINDOW, 0);
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
                uint_word(U256::from(used_seconds)),
                uint_word(cost),
                uint_word(U256::from(challenge_end)),
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
    /// * `CallFailed(target, reason)` if the controller's `settle` (e.g. a stale price: retry) or
    ///   the registry's `releaseStake` fails.
    ///
    /// # Events
    /// `JobCompleted(jobId, provider, caller, cost, maxCost - cost)`.
    pub fn approve_result(&mut self, job_id: U256) -> Result<(), Error> {
        let caller = self.vm().msg_sender();
        self.expect_state(job_id, SUBMITTED)?;
        self.only_requester(job_id, caller)?;
        self.complete(job_id, caller)
    }

    /// Anyone completes a job whose window is over: a Submitted job once its challenge window ended
    /// (or at once after a ruling for the provider), or a Disputed job once the arbitration window
    /// ended without a ruling (then the bond goes back to the requester). Settles `cost` credits to
    /// the provider and unlocks `maxCost − cost` for the requester in one controller call, releases
    /// the stake and counts a success.
    ///
    /// # Errors
    /// * `JobEscrowInvalidState(jobId, state)` unless Submitted or Disputed.
    /// * `JobEscrowTooEarly(jobId, windowEnd)` before the window's end.
    /// * `CallFailed(target, reason)` if a controller or registry call fails (e.g. the controller's
    ///   price is stale: retry later); `CallFailed(token, reason)` or `BalanceDeltaMismatch` if the
    ///   bond's return fails.
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
        self.complete(job_id, caller)
    }

    /// The requester disputes a submitted result inside the challenge window, posting a CT bond of
    /// `max(quoteTokens(⌈cost × disputeBondBps / 10_000⌉), minDisputeBond)` wei pulled with
    /// `transferFrom` (approve the escrow first). While the controller cannot price the bond (a
    /// stale feed, a down sequencer) the bond is `minDisputeBond`: a dispute never waits for the
    /// oracle. The arbitrator then has `arbitrationWindow` seconds to rule.
    ///
    /// # Arguments
    /// * `evidence_hash` - hash of the off-chain evidence (only logged).
    ///
    /// # Errors
    /// * `JobEscrowInvalidState(jobId, state)` unless Submitted.
    /// * `JobEscrowNotRequester(jobId, caller)`.
    /// * `JobEscrowTooLate(jobId, challengeDeadline)` from the window's end on.
    /// * `ArithmeticOverflow()`.
    /// * `CallFailed(token, returnData)` if `transferFrom` fails or does not return `true`;
    ///   `BalanceDeltaMismatch(token, bond, received)` if the escrow did not receive exactly the
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
        let bond_credits = mul_div(cost, self.params.get(DISPUTE_BOND_BPS), BPS, true)?;
        // Oracle down or stale: the quote reverts, and the minimum bond applies.
        let quoted = if bond_credits.is_zero() {
            U256::ZERO
        } else {
            self.quote(bond_credits).unwrap_or_default()
        };
        let bond = quoted.max(self.params.get(MIN_DISPUTE_BOND));
        let bonds = add(self.bonds.get(), bond)?;
        let arbitration_end = self.deadline(ARBITRATION_WINDOW, 0);
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
            &[
                evidence_hash,
                uint_word(bond),
                uint_word(U256::from(arbitration_end)),
            ],
        );
        let this = self.vm().contract_address();
        let token = self.token.get();
        ext::token_move(
            self,
            token,
            &transfer_from(requester, this, bond),
            bond,
            true,
        )?;
        Ok(())
    }

    /// The arbitrator rules on a Disputed job before the arbitration window ends. Provider at fault:
    /// the requester's whole maxCost is unlocked, the provider is slashed `fraudSlashBps` of the
    /// job's penalty base (half to the requester, per the registry) and jailed for
    /// `fraudJailSeconds`, its stake lock released, a failure recorded, and the bond returned — no
    /// price needed. Not at fault: the bond is burned and the job is Submitted again with its window
    /// closed, so `finalize` (anyone, at once) settles it when the price is available. Only
    /// `ARBITRATOR_ROLE`.
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, ARBITRATOR_ROLE)`.
    /// * `JobEscrowInvalidState(jobId, state)` unless Disputed.
    /// * `JobEscrowTooLate(jobId, arbitrationDeadline)` from the window's end on.
    /// * `CallFailed(target, reason)` if a controller or registry call fails;
    ///   `CallFailed(token, reason)` or `BalanceDeltaMismatch` if the bond's return or burn fails.
    ///
    /// # Events
    /// `DisputeResolved(jobId, arbitrator, providerAtFault)`, then at fault `JobRefunded(jobId,
    /// requester, maxCost)` and `BondReleased(jobId, requester, bond, false)`, otherwise
    /// `BondReleased(jobId, requester, bond, true)`.
    pub fn resolve_dispute(&mut self, job_id: U256, provider_at_fault: bool) -> Result<(), Error> {
        self.roles.only_role(ARBITRATOR_ROLE)?;
        let arbitrator = self.vm().msg_sender();
        self.expect_state(job_id, DISPUTED)?;
        let until = self.u64_f(job_id, F_UNTIL);
        let now = self.vm().block_timestamp();
        if now >= until {
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
            return self.fail(job_id, REFUNDED);
        }
        let requester = self.addr_f(job_id, F_REQUESTER);
        let bond = self.f(job_id, F_BOND);
        self.set_f(job_id, F_STATE, U256::from(SUBMITTED));
        self.set_f(job_id, F_UNTIL, U256::from(now));
        self.release_bond_effects(job_id, requester, bond, true);
        self.release_bond(requester, bond, true)
    }

    /// Anyone ends a Running job whose provider submitted nothing before the deadline: the
    /// requester's whole maxCost is unlocked, the provider is slashed `abandonSlashBps` of the job's
    /// penalty base (half to the requester, per the registry), its stake lock released and a failure
    /// recorded. Needs no price.
    ///
    /// # Errors
    /// * `JobEscrowInvalidState(jobId, state)` unless Running.
    /// * `JobEscrowTooEarly(jobId, deadline)` before the deadline.
    /// * `CallFailed(target, reason)` if a controller or registry call fails.
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
    /// * `UnknownParameter(name)`, `ParameterOutOfBounds(name, value, min, max)`.
    ///
    /// # Events
    /// `ParameterUpdated(name, oldValue, newValue)`.
    pub fn set_parameter(&mut self, name: B256, value: U256) -> Result<(), Error> {
        self.roles.only_role(PARAMETER_ADMIN_ROLE)?;
        self.params.set_in(&PARAMETERS, name, value)?;
        Ok(())
    }

    /// The current value of parameter `name` (see the crate docs' table for names and units).
    ///
    /// # Errors
    /// `UnknownParameter(name)`.
    pub fn parameter(&self, name: B256) -> Result<U256, Error> {
        Ok(self.params.value(&PARAMETERS, name)?)
    }

    // -----------------------------------------------------------------------------------------
    // Views
    // -----------------------------------------------------------------------------------------

    /// Job `job_id`: `(state, requester, provider, specHash, resultHash, gpuCount, maxDuration,
    /// pricePerGpuHour, maxCost, cost, usedSeconds, bond, until)`.
    ///
    /// * `state`: 0 no such job, 1 Open, 2 Running, 3 Submitted, 4 Completed, 5 Cancelled,
    ///   6 Disputed, 7 Refunded, 8 Expired (4, 5, 7, 8 terminal).
    /// * `provider`: the named provider (zero = any; a market for an auction) until accepted, then
    ///   the accepting one. Its stake lock is the registry's `jobLock(provider, jobId)`.
    /// * `pricePerGpuHour`, `maxCost`, `cost`: credits (1e6 = 1 USD); `cost` is what the result
    ///   claims (settled when Completed; 0 when Refunded, Cancelled or Expired).
    /// * `maxDuration`, `usedSeconds`: seconds; `bond`: wei of CT.
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
            self.f(job_id, F_BOND),
            self.u64_f(job_id, F_UNTIL),
        )
    }

    /// Number of jobs created; ids run from 1 to this.
    pub fn job_count(&self) -> U256 {
        self.job_count.get()
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

fn zero_address() -> Error {
    Error::ZeroAddress(JobEscrowZeroAddress {})
}

fn invalid_state(job_id: U256, state: u8) -> Error {
    Error::InvalidState(JobEscrowInvalidState {
        jobId: job_id,
        state,
    })
}

fn not_provider(job_id: U256, caller: Address) -> Error {
    Error::NotProvider(JobEscrowNotProvider {
        jobId: job_id,
        caller,
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

    /// The shared body of `createJob` and `createJobFor`: checks, stores an Open job open for
    /// `open_seconds`, logs it and locks `maxCost` of the requester's credits.
    #[allow(clippy::too_many_arguments)]
    fn open(
        &mut self,
        requester: Address,
        provider: Address,
        spec_hash: B256,
        gpu_count: u32,
        max_duration: u64,
        price_per_gpu_hour: U256,
        open_seconds: u64,
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
            return Err(Error::InvalidPrice(JobEscrowInvalidPrice {
                price: U256::ZERO,
                maxPrice: U256::ZERO,
            }));
        }
        let max_cost = job_cost(price_per_gpu_hour, gpu_count, max_duration, true)?;
        let until = self.vm().block_timestamp().saturating_add(open_seconds);
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
                uint_word(U256::from(max_duration)),
                uint_word(price_per_gpu_hour),
                uint_word(max_cost),
                uint_word(U256::from(until)),
            ],
        );
        self.credits(lockCreditsCall::SELECTOR, requester, max_cost)?;
        Ok(job_id)
    }

    /// Fails unless job `job_id` is Open and its accept deadline has not passed.
    fn expect_open(&self, job_id: U256) -> Result<(), Error> {
        self.expect_state(job_id, OPEN)?;
        let until = self.u64_f(job_id, F_UNTIL);
        if self.vm().block_timestamp() >= until {
            return Err(too_late(job_id, until));
        }
        Ok(())
    }

    /// Starts an Open job for `provider` at `price` (the job's own, or an award's ≤ it): the shared
    /// body of `acceptJob` and `award`. Lowers maxCost to the price and unlocks the difference,
    /// locks the stake in the registry (which checks eligibility, GPUs, open jobs and free stake)
    /// and sets the result deadline.
    fn start(&mut self, job_id: U256, provider: Address, price: U256) -> Result<(), Error> {
        let requester = self.addr_f(job_id, F_REQUESTER);
        if provider == requester || provider.is_zero() {
            return Err(not_provider(job_id, provider));
        }
        let gpu_count = self.u64_f(job_id, F_GPU_COUNT) as u32;
        let max_duration = self.u64_f(job_id, F_MAX_DURATION);
        let old_max_cost = self.f(job_id, F_MAX_COST);
        let max_cost = job_cost(price, gpu_count, max_duration, true)?;
        // Cannot wrap: price <= the job's price, so the new ceiling <= the old one.
        let refund = old_max_cost.saturating_sub(max_cost);
        let collateral = mul_div(max_cost, self.params.get(COLLATERAL_BPS), BPS, true)?;
        let stake = self.quote(collateral)?;
        let deadline = self.deadline(SUBMIT_GRACE, max_duration);
        self.set_f(job_id, F_STATE, U256::from(RUNNING));
        self.set_f(
            job_id,
            F_PROVIDER,
            U256::from_be_bytes(provider.into_word().0),
        );
        self.set_f(job_id, F_PRICE, price);
        self.set_f(job_id, F_MAX_COST, max_cost);
        self.set_f(job_id, F_UNTIL, U256::from(deadline));
        self.emit(
            &[
                JobAccepted::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(provider),
            ],
            &[
                uint_word(price),
                uint_word(max_cost),
                uint_word(refund),
                uint_word(stake),
                uint_word(U256::from(deadline)),
            ],
        );
        if !refund.is_zero() {
            self.credits(unlockCreditsCall::SELECTOR, requester, refund)?;
        }
        let registry = self.registry.get();
        self.call_out(registry, &lock_stake(provider, job_id, stake, gpu_count))
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

    /// A parameter that fits 64 bits (all but `minDisputeBond`, by their bounds).
    fn param_u64(&self, name: B256) -> u64 {
        word_u64(self.params.get(name))
    }

    /// `now + extra + parameter(name)` (seconds; saturating, never reached in practice).
    fn deadline(&self, name: B256, extra: u64) -> u64 {
        self.vm()
            .block_timestamp()
            .saturating_add(extra)
            .saturating_add(self.param_u64(name))
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

    /// Ends a Submitted or Disputed job as Completed (checks done by the caller): one controller
    /// call settles the cost to the provider and unlocks the rest, one registry call releases the
    /// stake and counts a success, and the bond of a Disputed job (no ruling in time) goes back.
    fn complete(&mut self, job_id: U256, caller: Address) -> Result<(), Error> {
        let disputed = self.state_of(job_id) == DISPUTED;
        let requester = self.addr_f(job_id, F_REQUESTER);
        let provider = self.addr_f(job_id, F_PROVIDER);
        let max_cost = self.f(job_id, F_MAX_COST);
        let cost = self.f(job_id, F_COST);
        // Only a Disputed job has a bond (a cold SLOAD saved for Submitted ones).
        let bond = if disputed {
            self.f(job_id, F_BOND)
        } else {
            U256::ZERO
        };
        // Cannot wrap: cost <= maxCost (billed seconds <= maxDuration, floor vs ceil).
        let refund = max_cost.wrapping_sub(cost);
        self.set_state(job_id, COMPLETED);
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
            self.release_bond_effects(job_id, requester, bond, false);
        }
        // Interactions.
        let controller = self.controller.get();
        self.call_out(controller, &settle(requester, provider, cost, refund))?;
        let registry = self.registry.get();
        self.call_out(
            registry,
            &addr_amount(releaseStakeCall::SELECTOR, provider, job_id),
        )?;
        if disputed {
            self.release_bond(requester, bond, false)?;
        }
        Ok(())
    }

    /// Ends a Running (timeout, `EXPIRED`) or Disputed (provider at fault, `REFUNDED`) job with a
    /// full refund, a slash of `abandonSlashBps`/`fraudSlashBps` of the job's penalty base to the
    /// requester with the stake released and a failure recorded (one registry call), a jail
    /// (`REFUNDED` only), and the bond of a Disputed job returned.
    fn fail(&mut self, job_id: U256, state: u8) -> Result<(), Error> {
        let fraud = state == REFUNDED;
        let requester = self.addr_f(job_id, F_REQUESTER);
        let provider = self.addr_f(job_id, F_PROVIDER);
        let max_cost = self.f(job_id, F_MAX_COST);
        let bond = self.f(job_id, F_BOND);
        let (bps, until) = if fraud {
            (
                self.params.get(FRAUD_SLASH_BPS),
                self.deadline(FRAUD_JAIL_SECONDS, 0),
            )
        } else {
            (self.params.get(ABANDON_SLASH_BPS), 0)
        };
        self.set_f(job_id, F_STATE, U256::from(state));
        // Nothing is settled: cost + refunded = 0 + maxCost.
        self.set_f(job_id, F_COST, U256::ZERO);
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
        self.call_out(registry, &slash_job(provider, job_id, bps, requester))?;
        if fraud {
            self.call_out(
                registry,
                &addr_amount(jailCall::SELECTOR, provider, U256::from(until)),
            )?;
            self.release_bond(requester, bond, false)?;
        }
        Ok(())
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

    /// Returns the bond to `requester` or burns it, checking the escrow's balance delta.
    fn release_bond(&mut self, requester: Address, bond: U256, burn: bool) -> Result<(), Error> {
        let data = if burn {
            calls::burn(bond)
        } else {
            addr_amount(transferCall::SELECTOR, requester, bond)
        };
        let token = self.token.get();
        ext::token_move(self, token, &data, bond, false)?;
        Ok(())
    }

    /// `lockCredits`/`unlockCredits(account, amount)` on the controller.
    fn credits(&mut self, selector: [u8; 4], account: Address, amount: U256) -> Result<(), Error> {
        let controller = self.controller.get();
        self.call_out(controller, &addr_amount(selector, account, amount))
    }

    /// `quoteTokens(credits)` on the controller: CT wei worth `credits`, rounded up.
    fn quote(&self, credits: U256) -> Result<U256, Error> {
        Ok(ext::view_word(
            self.vm(),
            self.controller.get(),
            &quote_tokens(credits),
        )?)
    }

    /// A mutating call to the controller or the registry; a revert becomes `CallFailed(target,
    /// revertData)`.
    fn call_out(&mut self, target: Address, calldata: &[u8]) -> Result<(), Error> {
        ext::call(self, target, calldata)?;
        Ok(())
    }

    /// Logs an event: `topics` = `[signature hash, indexed arguments…]`, `words` = its ABI-encoded
    /// data. Written by hand instead of `vm().log(event)` (alloy's encoder per event costs KBs of
    /// wasm); unit tests decode every event with its `sol!` definition.
    fn emit(&self, topics: &[B256], words: &[B256]) {
        let data = encode_static(&[], words);
        // Cannot fail: every event has at most 4 topics.
        let _ = self.vm().raw_log(topics, &data);
    }
}
