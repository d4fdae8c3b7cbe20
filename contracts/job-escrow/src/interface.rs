//! The escrow's Solidity-visible errors and events (docs/protocol.md "JobEscrow").
//!
//! Its own errors are prefixed `JobEscrow`; the shared ones (access control, pausing, `CallFailed`,
//! parameters, arithmetic, balance checks) come from `common::errors`. Units: credits have 6
//! decimals (`1_000_000` = 1 USD); CT amounts are wei (18 decimals); times are unix seconds; rates are
//! basis points (bps, 1/10_000).

pub use common::errors::{
    AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount, ArithmeticOverflow, BalanceDeltaMismatch, CallFailed,
    CommonError, EnforcedPause, ExpectedPause, ParameterOutOfBounds, UnknownParameter,
};
pub use common::params::ParameterUpdated;

common::contract_errors! {
    /// Every error the escrow returns; each variant encodes as the Solidity custom error it wraps
    /// (unit tests compare the bytes with alloy's `abi_encode`).
    pub enum Error {
        /// The constructor was given the zero address for the controller, the registry or the
        /// token, or a market opened a job for the zero address.
        ZeroAddress = JobEscrowZeroAddress();
        /// `gpuCount` is 0 or above `maxGpuCount` (1024, the registry's bound).
        InvalidGpuCount = JobEscrowInvalidGpuCount(uint32 gpuCount, uint32 maxGpuCount);
        /// `maxDuration` is 0 or above `maxAllowed` (2_592_000 s = 30 days), or a market's
        /// opening time is 0 or above `maxAllowed` (30 days).
        InvalidDuration = JobEscrowInvalidDuration(uint64 maxDuration, uint64 maxAllowed);
        /// `pricePerGpuHour` is zero, or an award's price is above the job's.
        InvalidPrice = JobEscrowInvalidPrice(uint256 price, uint256 maxPrice);
        /// Job `jobId` is in `state`, where the function is not allowed: 0 no such job, 1 Open,
        /// 2 Running, 3 Submitted, 4 Completed, 5 Cancelled, 6 Disputed, 7 Refunded, 8 Expired
        /// (4, 5, 7 and 8 are terminal).
        InvalidState = JobEscrowInvalidState(uint256 jobId, uint8 state);
        /// `caller` is not the requester of job `jobId` (or, for a job a market opened, not the
        /// market).
        NotRequester = JobEscrowNotRequester(uint256 jobId, address caller);
        /// `caller` is not (or may not be) the provider of job `jobId`: another provider or a market
        /// was named, the caller is the job's requester, or (after acceptance) it is not the
        /// accepting provider.
        NotProvider = JobEscrowNotProvider(uint256 jobId, address caller);
        /// Too early: the transition on job `jobId` opens at `availableAt` (unix seconds).
        TooEarly = JobEscrowTooEarly(uint256 jobId, uint64 availableAt);
        /// Too late: the window of job `jobId` for this function closed at `deadline` (unix
        /// seconds).
        TooLate = JobEscrowTooLate(uint256 jobId, uint64 deadline);
        /// `usedSeconds` exceeds the job's `maxDuration`.
        UsageTooHigh = JobEscrowUsageTooHigh(uint64 usedSeconds, uint64 maxDuration);
    }
    common: [
        AccessControlUnauthorizedAccount,
        AccessControlBadConfirmation,
        AccessControlInvalidDefaultAdmin,
        EnforcedPause,
        ExpectedPause,
        CallFailed,
        UnknownParameter,
        ParameterOutOfBounds,
        ArithmeticOverflow,
        BalanceDeltaMismatch,
    ];
}

common::contract_events! {
    /// `requester` opened job `jobId` for `provider` (zero = any eligible provider; a market's
    /// address for an auction), locking `maxCost` credits; `acceptDeadline` (unix seconds) ends the
    /// accept window (the bid and award window of an auction).
    event JobCreated(uint256 indexed jobId, address indexed requester, address indexed provider, bytes32 specHash, uint32 gpuCount, uint64 maxDuration, uint256 pricePerGpuHour, uint256 maxCost, uint64 acceptDeadline);
    /// Job `jobId` was cancelled by `caller` before acceptance; `refunded` credits (its whole
    /// `maxCost`) were unlocked for the requester.
    event JobCancelled(uint256 indexed jobId, address indexed caller, uint256 refunded);
    /// `provider` accepted job `jobId` at `pricePerGpuHour` (an auction's winning price, or the
    /// job's own), locking `stakeLocked` wei of its stake; the result is due before `deadline`
    /// (unix seconds). For an award, `refunded` credits above the new `maxCost` were unlocked.
    event JobAccepted(uint256 indexed jobId, address indexed provider, uint256 pricePerGpuHour, uint256 maxCost, uint256 refunded, uint256 stakeLocked, uint64 deadline);
    /// `provider` submitted `resultHash` for job `jobId` after `usedSeconds` GPU-seconds, claiming
    /// `cost` credits; the challenge window ends at `challengeDeadline` (unix seconds).
    event ResultSubmitted(uint256 indexed jobId, address indexed provider, bytes32 resultHash, uint64 usedSeconds, uint256 cost, uint64 challengeDeadline);
    /// The requester disputed job `jobId` with `evidenceHash`, posting a `bond` wei CT bond; the
    /// arbitrator may rule until `arbitrationDeadline` (unix seconds).
    event JobDisputed(uint256 indexed jobId, address indexed requester, bytes32 evidenceHash, uint256 bond, uint64 arbitrationDeadline);
    /// `arbitrator` ruled on job `jobId`'s dispute. For the provider (`providerAtFault` false) the
    /// job is Submitted again with its window closed: `finalize` settles it.
    event DisputeResolved(uint256 indexed jobId, address indexed arbitrator, bool providerAtFault);
    /// Job `jobId` completed (approved by the requester, or finalised by anyone after its window),
    /// advanced by `caller`: `cost` credits settled to `provider` through the controller (which
    /// takes its fee from them), `refunded` = maxCost − cost unlocked.
    event JobCompleted(uint256 indexed jobId, address indexed provider, address indexed caller, uint256 cost, uint256 refunded);
    /// The provider of job `jobId` was ruled at fault: `refunded` credits (the whole maxCost)
    /// unlocked for `requester`; the provider is slashed and jailed.
    event JobRefunded(uint256 indexed jobId, address indexed requester, uint256 refunded);
    /// `provider` delivered no result for job `jobId` by its deadline: `refunded` credits (the
    /// whole maxCost) unlocked for the requester; the provider is slashed.
    event JobExpired(uint256 indexed jobId, address indexed provider, uint256 refunded);
    /// The `amount` wei dispute bond of job `jobId` was returned to `requester`, or burned.
    event BondReleased(uint256 indexed jobId, address indexed requester, uint256 amount, bool burned);
}
