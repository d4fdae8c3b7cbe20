//! The registry's Solidity-visible errors and events (docs/protocol.md "ProviderRegistry").
//!
//! The registry's own errors are prefixed `Registry`; the shared ones (access control, pausing,
//! `CallFailed`, parameters, arithmetic, balance checks) come from `common::errors`. Amounts are wei
//! of CT (18 decimals), times unix seconds, rates basis points (1/10_000).

pub use common::errors::{
    AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount, ArithmeticOverflow, BalanceDeltaMismatch, CallFailed,
    CommonError, EnforcedPause, ExpectedPause, ParameterOutOfBounds, UnknownParameter,
};
pub use common::params::ParameterUpdated;

common::contract_errors! {
    /// Every error the registry returns; each variant encodes as the Solidity custom error it
    /// wraps (unit tests compare the bytes with alloy's `abi_encode`).
    pub enum Error {
        /// An address that must be set is zero (the constructor's token, a slash's beneficiary).
        ZeroAddress = RegistryZeroAddress();
        /// `provider` is already registered (`register`).
        AlreadyRegistered = RegistryAlreadyRegistered(address provider);
        /// `provider` is not registered.
        NotRegistered = RegistryNotRegistered(address provider);
        /// `gpuCount` is 0 or above `maxGpuCount` (1024).
        InvalidGpuCount = RegistryInvalidGpuCount(uint32 gpuCount, uint32 maxGpuCount);
        /// The metadata URI is `length` bytes long, more than `maxLength` (256).
        MetadataURITooLong = RegistryMetadataURITooLong(uint256 length, uint256 maxLength);
        /// An amount that must be positive was zero (`stake`, `requestUnbond`).
        ZeroAmount = RegistryZeroAmount();
        /// `provider` has `free` wei of unlocked active stake, less than the `needed` amount.
        InsufficientFreeStake = RegistryInsufficientFreeStake(address provider, uint256 free, uint256 needed);
        /// `provider` already has `maxRequests` (16) pending unbonding requests.
        TooManyUnbondRequests = RegistryTooManyUnbondRequests(address provider, uint256 maxRequests);
        /// `provider` has no pending unbonding request `requestId` (never made, cancelled,
        /// withdrawn, or slashed to zero).
        UnknownUnbondRequest = RegistryUnknownUnbondRequest(address provider, uint256 requestId);
        /// `provider` has no matured unbonding request to withdraw.
        NothingToWithdraw = RegistryNothingToWithdraw(address provider);
        /// `provider` still has `openJobs` jobs between acceptance and their end: it may neither
        /// withdraw nor deregister until they end, so the stake backing them stays slashable.
        JobsOpen = RegistryJobsOpen(address provider, uint256 openJobs);
        /// `provider` may not take a job: unregistered, jailed, or active stake below the
        /// required stake.
        NotEligible = RegistryNotEligible(address provider);
        /// The job needs `needed` GPUs; `provider` registered only `registered`.
        InsufficientGpus = RegistryInsufficientGpus(address provider, uint32 needed, uint32 registered);
        /// `provider` already has `maxOpenJobs` open jobs.
        TooManyOpenJobs = RegistryTooManyOpenJobs(address provider, uint256 maxOpenJobs);
        /// `provider` holds no stake lock for job `jobId` (never locked, or already released).
        UnknownLock = RegistryUnknownLock(address provider, uint256 jobId);
        /// `provider` already holds a stake lock for job `jobId`.
        LockExists = RegistryLockExists(address provider, uint256 jobId);
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
    /// `provider` registered with this profile. `metadataURI` is only logged, never stored.
    event ProviderRegistered(address indexed provider, bytes32 gpuModel, uint32 gpuCount, uint32 vramGiB, bytes32 region, string metadataURI);
    /// `provider` replaced its profile. `metadataURI` is only logged, never stored.
    event ProfileUpdated(address indexed provider, bytes32 gpuModel, uint32 gpuCount, uint32 vramGiB, bytes32 region, string metadataURI);
    /// `provider` deregistered; its whole active stake (`amount` wei) started unbonding as request
    /// `requestId` (0 and no request when `amount` is 0).
    event Deregistered(address indexed provider, uint256 indexed requestId, uint256 amount);
    /// `provider` staked `amount` wei; its active stake is now `activeStake` wei.
    event Staked(address indexed provider, uint256 amount, uint256 activeStake);
    /// `provider` moved `amount` wei of active stake to unbonding request `requestId`,
    /// withdrawable from `releaseAt` (unix seconds) once it has no open job.
    event UnbondRequested(address indexed provider, uint256 indexed requestId, uint256 amount, uint64 releaseAt);
    /// `provider` cancelled unbonding request `requestId`; its `amount` wei are active stake again.
    event UnbondCancelled(address indexed provider, uint256 indexed requestId, uint256 amount);
    /// `provider` withdrew `amount` wei of matured unbonding stake.
    event Withdrawn(address indexed provider, uint256 amount);
    /// The job manager locked `amount` wei of `provider`'s stake for job `jobId`, whose penalties
    /// are computed from `penaltyBase` wei (the provider's active + unbonding stake at acceptance);
    /// `lockedStake` wei are now locked in all.
    event StakeLocked(address indexed provider, uint256 indexed jobId, uint256 amount, uint256 penaltyBase, uint256 lockedStake);
    /// Job `jobId`'s lock of `amount` wei on `provider`'s stake ended (`success`: completed; else
    /// failed and slashed); `lockedStake` wei stay locked by its other jobs.
    event StakeReleased(address indexed provider, uint256 indexed jobId, uint256 amount, uint256 lockedStake, bool success);
    /// `amount` wei of `provider`'s stake were slashed for job `jobId`: `toBeneficiary` wei paid to
    /// `beneficiary`, `burned` wei burned (`amount = toBeneficiary + burned`).
    event Slashed(address indexed provider, uint256 indexed jobId, address indexed beneficiary, uint256 amount, uint256 toBeneficiary, uint256 burned);
    /// `provider` is jailed (not eligible, earning no stake rewards) until `until` (unix seconds).
    event Jailed(address indexed provider, uint64 until);
}
