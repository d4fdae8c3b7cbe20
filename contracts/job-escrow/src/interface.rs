//! The escrow's Solidity-visible errors and events (DESIGN.md §6).
//!
//! Error names follow OpenZeppelin where it defines one (`AccessControl…`, `EnforcedPause`,
//! `ExpectedPause`); the escrow's own are prefixed `JobEscrow`.
//! Units: credits have 6 decimals (`1_000_000` = 1 USD); CT amounts are wei (18 decimals); times
//! are unix seconds; rates are basis points (bps, 1/10_000).

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::sol;
use alloy_sol_types::SolError;
use common::{
    access::{
        AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
        AccessControlUnauthorizedAccount,
    },
    pausable::{EnforcedPause, ExpectedPause},
};

pub use common::params::ParameterUpdated;

sol! {
    /// A call to the BME controller, the provider registry or the compute token reverted, a view
    /// returned something other than one word, or the token's `transfer`/`transferFrom` returned
    /// something other than `true`. `returnData` is what the callee returned: its own custom error
    /// (e.g. `BmeInsufficientCredits`, `RegistryInsufficientFreeStake`,
    /// `ERC20InsufficientAllowance`) or the unexpected return value.
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowCallFailed(address target, bytes returnData);

    /// The escrow's token balance moved by `actual` wei instead of the `expected` amount around a
    /// bond transfer (a fee-on-transfer, rebasing or broken token).
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowBalanceDeltaMismatch(uint256 expected, uint256 actual);

    /// The constructor was given the zero address for the controller, the registry or the token.
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowZeroAddress();

    /// `gpuCount` is 0 or above `maxGpuCount` (1024, the registry's bound).
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowInvalidGpuCount(uint32 gpuCount, uint32 maxGpuCount);

    /// `maxDuration` is 0 or above `maxAllowed` (2_592_000 s = 30 days).
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowInvalidDuration(uint64 maxDuration, uint64 maxAllowed);

    /// `pricePerGpuHour` is zero.
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowZeroPrice();

    /// Job `jobId` is in `state`, where the function is not allowed: 0 no such job, 1 Open,
    /// 2 Running, 3 Submitted, 4 Completed, 5 Cancelled, 6 Disputed, 7 Refunded, 8 Expired
    /// (4, 5, 7 and 8 are terminal).
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowInvalidState(uint256 jobId, uint8 state);

    /// `caller` is not the requester of job `jobId`.
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowNotRequester(uint256 jobId, address caller);

    /// `caller` is not (or may not be) the provider of job `jobId`: another provider was named,
    /// the caller is the job's requester, or (after acceptance) it is not the accepting provider.
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowNotProvider(uint256 jobId, address caller);

    /// Too early: the transition on job `jobId` opens at `availableAt` (unix seconds).
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowTooEarly(uint256 jobId, uint64 availableAt);

    /// Too late: the window of job `jobId` for this function closed at `deadline` (unix seconds).
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowTooLate(uint256 jobId, uint64 deadline);

    /// `provider` is not eligible in the registry (unregistered, jailed or under-staked).
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowProviderNotEligible(address provider);

    /// `provider` already runs `maxOpenJobs` jobs (accepted and not yet finished).
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowTooManyOpenJobs(address provider, uint256 maxOpenJobs);

    /// `usedSeconds` exceeds the job's `maxDuration`.
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowUsageTooHigh(uint64 usedSeconds, uint64 maxDuration);

    /// `setParameter`/`parameter` was given a name that is not a parameter of the escrow.
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowUnknownParameter(bytes32 name);

    /// `value` is outside the bounds `[min, max]` (inclusive) of the parameter being set.
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowParameterOutOfBounds(uint256 value, uint256 min, uint256 max);

    /// A checked arithmetic operation overflowed (amounts beyond any real supply).
    #[derive(Debug, PartialEq, Eq)]
    error JobEscrowArithmeticOverflow();

    /// `requester` opened job `jobId` for `provider` (zero = any eligible provider), locking
    /// `maxCost` credits; `acceptDeadline` (unix seconds) ends the accept window.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event JobCreated(uint256 indexed jobId, address indexed requester, address indexed provider, bytes32 specHash, uint32 gpuCount, uint64 maxDuration, uint256 pricePerGpuHour, uint256 maxCost, uint64 acceptDeadline);

    /// Job `jobId` was cancelled by `caller` before acceptance; `refunded` credits (its whole
    /// `maxCost`) were unlocked for the requester.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event JobCancelled(uint256 indexed jobId, address indexed caller, uint256 refunded);

    /// `provider` accepted job `jobId`, locking `stakeLocked` wei of its stake; the result is due
    /// before `deadline` (unix seconds).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event JobAccepted(uint256 indexed jobId, address indexed provider, uint256 stakeLocked, uint64 deadline);

    /// `provider` submitted `resultHash` for job `jobId` after `usedSeconds` GPU-seconds, claiming
    /// `cost` credits; the challenge window ends at `challengeDeadline` (unix seconds).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event ResultSubmitted(uint256 indexed jobId, address indexed provider, bytes32 resultHash, uint64 usedSeconds, uint256 cost, uint64 challengeDeadline);

    /// The requester disputed job `jobId` with `evidenceHash`, posting a `bond` wei CT bond; the
    /// arbitrator may rule until `arbitrationDeadline` (unix seconds).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event JobDisputed(uint256 indexed jobId, address indexed requester, bytes32 evidenceHash, uint256 bond, uint64 arbitrationDeadline);

    /// `arbitrator` ruled on job `jobId`'s dispute.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event DisputeResolved(uint256 indexed jobId, address indexed arbitrator, bool providerAtFault);

    /// Job `jobId` completed (approved by the requester, finalised by anyone after its window, or
    /// ruled for the provider), advanced by `caller`: `cost` credits settled to `provider` through
    /// the controller (which takes its fee from them), `refunded` = maxCost − cost unlocked.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event JobCompleted(uint256 indexed jobId, address indexed provider, address indexed caller, uint256 cost, uint256 refunded);

    /// The provider of job `jobId` was ruled at fault: `refunded` credits (the whole maxCost)
    /// unlocked for `requester`; the provider is slashed and jailed.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event JobRefunded(uint256 indexed jobId, address indexed requester, uint256 refunded);

    /// `provider` delivered no result for job `jobId` by its deadline: `refunded` credits (the
    /// whole maxCost) unlocked for the requester; the provider is slashed.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event JobExpired(uint256 indexed jobId, address indexed provider, uint256 refunded);

    /// The `amount` wei dispute bond of job `jobId` was returned to `requester`, or burned.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event BondReleased(uint256 indexed jobId, address indexed requester, uint256 amount, bool burned);
}

/// Every error the escrow returns; each variant encodes as the Solidity custom error it wraps.
///
/// The encoding (`From<Error> for Vec<u8>`) is written out by hand instead of derived with
/// `SolidityError` (as in the registry: the derived one instantiates alloy's encoder per error type,
/// ~10 KB of wasm); a unit test proves every variant encodes exactly as `SolError::abi_encode`.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// See [`JobEscrowCallFailed`].
    CallFailed(JobEscrowCallFailed),
    /// See [`JobEscrowBalanceDeltaMismatch`].
    BalanceDeltaMismatch(JobEscrowBalanceDeltaMismatch),
    /// See [`JobEscrowZeroAddress`].
    ZeroAddress(JobEscrowZeroAddress),
    /// See [`JobEscrowInvalidGpuCount`].
    InvalidGpuCount(JobEscrowInvalidGpuCount),
    /// See [`JobEscrowInvalidDuration`].
    InvalidDuration(JobEscrowInvalidDuration),
    /// See [`JobEscrowZeroPrice`].
    ZeroPrice(JobEscrowZeroPrice),
    /// See [`JobEscrowInvalidState`].
    InvalidState(JobEscrowInvalidState),
    /// See [`JobEscrowNotRequester`].
    NotRequester(JobEscrowNotRequester),
    /// See [`JobEscrowNotProvider`].
    NotProvider(JobEscrowNotProvider),
    /// See [`JobEscrowTooEarly`].
    TooEarly(JobEscrowTooEarly),
    /// See [`JobEscrowTooLate`].
    TooLate(JobEscrowTooLate),
    /// See [`JobEscrowProviderNotEligible`].
    ProviderNotEligible(JobEscrowProviderNotEligible),
    /// See [`JobEscrowTooManyOpenJobs`].
    TooManyOpenJobs(JobEscrowTooManyOpenJobs),
    /// See [`JobEscrowUsageTooHigh`].
    UsageTooHigh(JobEscrowUsageTooHigh),
    /// See [`JobEscrowUnknownParameter`].
    UnknownParameter(JobEscrowUnknownParameter),
    /// See [`JobEscrowParameterOutOfBounds`].
    ParameterOutOfBounds(JobEscrowParameterOutOfBounds),
    /// See [`JobEscrowArithmeticOverflow`].
    ArithmeticOverflow(JobEscrowArithmeticOverflow),
    /// New business (`createJob`, `acceptJob`) was attempted while paused.
    EnforcedPause(EnforcedPause),
    /// Never returned by the escrow's own functions (only by `unpause`, through `PausableError`).
    ExpectedPause(ExpectedPause),
    /// The constructor's admin is the zero address.
    InvalidDefaultAdmin(AccessControlInvalidDefaultAdmin),
    /// The caller lacks the role a function needs.
    UnauthorizedAccount(AccessControlUnauthorizedAccount),
    /// `renounceRole` was called for another account.
    BadConfirmation(AccessControlBadConfirmation),
}

common::impl_error_from_common!(Error, access, pausable);

/// The ABI word of an address (left-padded).
#[inline(never)] // shared by every error, event and call encoding: smaller wasm
pub(crate) fn addr_word(a: Address) -> B256 {
    a.into_word()
}

/// The ABI word of an unsigned integer.
#[inline(never)] // shared by every error, event and call encoding: smaller wasm
pub(crate) fn uint_word(x: U256) -> B256 {
    B256::from(x.to_be_bytes::<32>())
}

/// The ABI word of a `u64` (times, durations).
pub(crate) fn u64_word(x: u64) -> B256 {
    uint_word(U256::from(x))
}

/// `prefix ‖ words`: with a 4-byte selector as prefix, the ABI encoding of an error or call whose
/// arguments are all static; with an empty prefix, the data of an event.
#[inline(never)] // shared by every error, event and call encoding: smaller wasm
pub(crate) fn encode_static(prefix: &[u8], words: &[B256]) -> Vec<u8> {
    let mut out = Vec::with_capacity(prefix.len().saturating_add(words.len().saturating_mul(32)));
    out.extend_from_slice(prefix);
    for w in words {
        out.extend_from_slice(w.as_slice());
    }
    out
}

impl From<Error> for Vec<u8> {
    fn from(err: Error) -> Self {
        use Error as E;
        match err {
            E::CallFailed(e) => {
                // (address, bytes): head = target, offset 0x40; tail = length, data padded.
                let data = e.returnData;
                let mut out = encode_static(
                    &JobEscrowCallFailed::SELECTOR,
                    &[
                        addr_word(e.target),
                        uint_word(U256::from(64)),
                        uint_word(U256::from(data.len())),
                    ],
                );
                out.extend_from_slice(&data);
                // Pad the bytes to whole words: selector + 3 head/length words + padded data.
                let padded = data.len().div_ceil(32).saturating_mul(32);
                out.resize(padded.saturating_add(4 + 3 * 32), 0);
                out
            }
            E::BalanceDeltaMismatch(e) => encode_static(
                &JobEscrowBalanceDeltaMismatch::SELECTOR,
                &[uint_word(e.expected), uint_word(e.actual)],
            ),
            E::ZeroAddress(_) => encode_static(&JobEscrowZeroAddress::SELECTOR, &[]),
            E::InvalidGpuCount(e) => encode_static(
                &JobEscrowInvalidGpuCount::SELECTOR,
                &[
                    uint_word(U256::from(e.gpuCount)),
                    uint_word(U256::from(e.maxGpuCount)),
                ],
            ),
            E::InvalidDuration(e) => encode_static(
                &JobEscrowInvalidDuration::SELECTOR,
                &[u64_word(e.maxDuration), u64_word(e.maxAllowed)],
            ),
            E::ZeroPrice(_) => encode_static(&JobEscrowZeroPrice::SELECTOR, &[]),
            E::InvalidState(e) => encode_static(
                &JobEscrowInvalidState::SELECTOR,
                &[uint_word(e.jobId), uint_word(U256::from(e.state))],
            ),
            E::NotRequester(e) => encode_static(
                &JobEscrowNotRequester::SELECTOR,
                &[uint_word(e.jobId), addr_word(e.caller)],
            ),
            E::NotProvider(e) => encode_static(
                &JobEscrowNotProvider::SELECTOR,
                &[uint_word(e.jobId), addr_word(e.caller)],
            ),
            E::TooEarly(e) => encode_static(
                &JobEscrowTooEarly::SELECTOR,
                &[uint_word(e.jobId), u64_word(e.availableAt)],
            ),
            E::TooLate(e) => encode_static(
                &JobEscrowTooLate::SELECTOR,
                &[uint_word(e.jobId), u64_word(e.deadline)],
            ),
            E::ProviderNotEligible(e) => encode_static(
                &JobEscrowProviderNotEligible::SELECTOR,
                &[addr_word(e.provider)],
            ),
            E::TooManyOpenJobs(e) => encode_static(
                &JobEscrowTooManyOpenJobs::SELECTOR,
                &[addr_word(e.provider), uint_word(e.maxOpenJobs)],
            ),
            E::UsageTooHigh(e) => encode_static(
                &JobEscrowUsageTooHigh::SELECTOR,
                &[u64_word(e.usedSeconds), u64_word(e.maxDuration)],
            ),
            E::UnknownParameter(e) => {
                encode_static(&JobEscrowUnknownParameter::SELECTOR, &[e.name])
            }
            E::ParameterOutOfBounds(e) => encode_static(
                &JobEscrowParameterOutOfBounds::SELECTOR,
                &[uint_word(e.value), uint_word(e.min), uint_word(e.max)],
            ),
            E::ArithmeticOverflow(_) => encode_static(&JobEscrowArithmeticOverflow::SELECTOR, &[]),
            E::EnforcedPause(_) => encode_static(&EnforcedPause::SELECTOR, &[]),
            E::ExpectedPause(_) => encode_static(&ExpectedPause::SELECTOR, &[]),
            E::InvalidDefaultAdmin(e) => encode_static(
                &AccessControlInvalidDefaultAdmin::SELECTOR,
                &[addr_word(e.defaultAdmin)],
            ),
            E::UnauthorizedAccount(e) => encode_static(
                &AccessControlUnauthorizedAccount::SELECTOR,
                &[addr_word(e.account), e.neededRole],
            ),
            E::BadConfirmation(_) => encode_static(&AccessControlBadConfirmation::SELECTOR, &[]),
        }
    }
}

// The error declarations the exported interface lists, in this order.
common::impl_error_inner_types!(
    Error;
    JobEscrowCallFailed,
    JobEscrowBalanceDeltaMismatch,
    JobEscrowZeroAddress,
    JobEscrowInvalidGpuCount,
    JobEscrowInvalidDuration,
    JobEscrowZeroPrice,
    JobEscrowInvalidState,
    JobEscrowNotRequester,
    JobEscrowNotProvider,
    JobEscrowTooEarly,
    JobEscrowTooLate,
    JobEscrowProviderNotEligible,
    JobEscrowTooManyOpenJobs,
    JobEscrowUsageTooHigh,
    JobEscrowUnknownParameter,
    JobEscrowParameterOutOfBounds,
    JobEscrowArithmeticOverflow,
    EnforcedPause,
    ExpectedPause,
    AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount,
    AccessControlBadConfirmation,
);
