//! The registry's Solidity-visible errors and events (DESIGN.md §5).
//!
//! Error names follow OpenZeppelin where it defines one (`AccessControl…`, `EnforcedPause`,
//! `ExpectedPause`, `SafeERC20FailedOperation`); the registry's own are prefixed `Registry`.
//! Amounts are wei of CT (18 decimals), times unix seconds, rates basis points (1/10_000).

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
    /// A call to the stake token failed: it reverted, returned something other than `true` (for
    /// `transfer`/`transferFrom`), returned malformed data (for views), or a permit neither succeeded
    /// nor left a sufficient allowance. Same name and fields as OpenZeppelin's `SafeERC20`.
    #[derive(Debug, PartialEq, Eq)]
    error SafeERC20FailedOperation(address token);

    /// The registry's token balance moved by `actual` wei instead of the `expected` amount around a
    /// token call (a fee-on-transfer, rebasing or broken token).
    #[derive(Debug, PartialEq, Eq)]
    error RegistryBalanceDeltaMismatch(uint256 expected, uint256 actual);

    /// The constructor was given the zero address as the stake token.
    #[derive(Debug, PartialEq, Eq)]
    error RegistryInvalidToken(address token);

    /// `provider` is already registered (`register`).
    #[derive(Debug, PartialEq, Eq)]
    error RegistryAlreadyRegistered(address provider);

    /// `provider` is not registered.
    #[derive(Debug, PartialEq, Eq)]
    error RegistryNotRegistered(address provider);

    /// `gpuCount` is 0 or above `maxGpuCount` (1024).
    #[derive(Debug, PartialEq, Eq)]
    error RegistryInvalidGpuCount(uint32 gpuCount, uint32 maxGpuCount);

    /// The metadata URI is `length` bytes long, more than `maxLength` (256).
    #[derive(Debug, PartialEq, Eq)]
    error RegistryMetadataURITooLong(uint256 length, uint256 maxLength);

    /// An amount that must be positive was zero (`stake`, `stakeWithPermit`, `requestUnbond`).
    #[derive(Debug, PartialEq, Eq)]
    error RegistryZeroAmount();

    /// `provider` has `free` wei of unlocked active stake, less than the `needed` amount.
    #[derive(Debug, PartialEq, Eq)]
    error RegistryInsufficientFreeStake(address provider, uint256 free, uint256 needed);

    /// `provider` already has `maxRequests` (16) pending unbonding requests.
    #[derive(Debug, PartialEq, Eq)]
    error RegistryTooManyUnbondRequests(address provider, uint256 maxRequests);

    /// `provider` has no pending unbonding request `requestId` (never made, cancelled, withdrawn, or
    /// slashed to zero).
    #[derive(Debug, PartialEq, Eq)]
    error RegistryUnknownUnbondRequest(address provider, uint256 requestId);

    /// `provider` has no matured unbonding request to withdraw.
    #[derive(Debug, PartialEq, Eq)]
    error RegistryNothingToWithdraw(address provider);

    /// `provider` still has `locked` wei of stake locked by jobs (`deregister`).
    #[derive(Debug, PartialEq, Eq)]
    error RegistryStakeLocked(address provider, uint256 locked);

    /// A slash named the zero address as beneficiary.
    #[derive(Debug, PartialEq, Eq)]
    error RegistryInvalidBeneficiary(address beneficiary);

    /// `setParameter` was given a name that is not a parameter of the registry.
    #[derive(Debug, PartialEq, Eq)]
    error RegistryUnknownParameter(bytes32 name);

    /// `value` is outside the bounds `[min, max]` (inclusive) of the parameter being set.
    #[derive(Debug, PartialEq, Eq)]
    error RegistryParameterOutOfBounds(uint256 value, uint256 min, uint256 max);

    /// A checked arithmetic operation overflowed (amounts beyond any real token supply).
    #[derive(Debug, PartialEq, Eq)]
    error RegistryArithmeticOverflow();

    /// `provider` registered with this profile. `metadataURI` is only logged, never stored.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event ProviderRegistered(address indexed provider, bytes32 gpuModel, uint32 gpuCount, uint32 vramGiB, bytes32 region, string metadataURI);

    /// `provider` replaced its profile. `metadataURI` is only logged, never stored.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event ProfileUpdated(address indexed provider, bytes32 gpuModel, uint32 gpuCount, uint32 vramGiB, bytes32 region, string metadataURI);

    /// `provider` deregistered; its whole active stake (`amount` wei) started unbonding as request
    /// `requestId` (0 and no request when `amount` is 0).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event Deregistered(address indexed provider, uint256 indexed requestId, uint256 amount);

    /// `provider` staked `amount` wei; its active stake is now `activeStake` wei.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event Staked(address indexed provider, uint256 amount, uint256 activeStake);

    /// `provider` moved `amount` wei of active stake to unbonding request `requestId`, withdrawable
    /// from `releaseAt` (unix seconds).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event UnbondRequested(address indexed provider, uint256 indexed requestId, uint256 amount, uint64 releaseAt);

    /// `provider` cancelled unbonding request `requestId`; its `amount` wei are active stake again.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event UnbondCancelled(address indexed provider, uint256 indexed requestId, uint256 amount);

    /// `provider` withdrew `amount` wei of matured unbonding stake.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event Withdrawn(address indexed provider, uint256 amount);

    /// The job manager locked `amount` wei of `provider`'s stake; `lockedStake` wei are now locked.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event StakeLocked(address indexed provider, uint256 amount, uint256 lockedStake);

    /// The job manager unlocked `amount` wei of `provider`'s stake; `lockedStake` wei stay locked.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event StakeUnlocked(address indexed provider, uint256 amount, uint256 lockedStake);

    /// A job of `provider`'s ended (`success`); its counters are now `completedJobs`/`failedJobs`.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event OutcomeRecorded(address indexed provider, bool success, uint64 completedJobs, uint64 failedJobs);

    /// `amount` wei of `provider`'s stake were slashed for `reason`: `toBeneficiary` wei paid to the
    /// beneficiary, `burned` wei burned (`amount = toBeneficiary + burned`).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event Slashed(address indexed provider, uint256 amount, uint256 toBeneficiary, uint256 burned, bytes32 reason);

    /// `provider` is jailed (not eligible) until `until` (unix seconds).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event Jailed(address indexed provider, uint64 until);
}

/// Every error the registry returns; each variant encodes as the Solidity custom error it wraps.
///
/// The encoding (`From<Error> for Vec<u8>`) is written out by hand instead of derived with
/// `SolidityError`: the derived one instantiates alloy's generic encoder per error type, which cost
/// ~10 KB of wasm; a unit test proves every variant encodes exactly as `SolError::abi_encode`.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// See [`SafeERC20FailedOperation`].
    TokenCallFailed(SafeERC20FailedOperation),
    /// See [`RegistryBalanceDeltaMismatch`].
    BalanceDeltaMismatch(RegistryBalanceDeltaMismatch),
    /// See [`RegistryInvalidToken`].
    InvalidToken(RegistryInvalidToken),
    /// See [`RegistryAlreadyRegistered`].
    AlreadyRegistered(RegistryAlreadyRegistered),
    /// See [`RegistryNotRegistered`].
    NotRegistered(RegistryNotRegistered),
    /// See [`RegistryInvalidGpuCount`].
    InvalidGpuCount(RegistryInvalidGpuCount),
    /// See [`RegistryMetadataURITooLong`].
    MetadataURITooLong(RegistryMetadataURITooLong),
    /// See [`RegistryZeroAmount`].
    ZeroAmount(RegistryZeroAmount),
    /// See [`RegistryInsufficientFreeStake`].
    InsufficientFreeStake(RegistryInsufficientFreeStake),
    /// See [`RegistryTooManyUnbondRequests`].
    TooManyUnbondRequests(RegistryTooManyUnbondRequests),
    /// See [`RegistryUnknownUnbondRequest`].
    UnknownUnbondRequest(RegistryUnknownUnbondRequest),
    /// See [`RegistryNothingToWithdraw`].
    NothingToWithdraw(RegistryNothingToWithdraw),
    /// See [`RegistryStakeLocked`].
    StakeLocked(RegistryStakeLocked),
    /// See [`RegistryInvalidBeneficiary`].
    InvalidBeneficiary(RegistryInvalidBeneficiary),
    /// See [`RegistryUnknownParameter`].
    UnknownParameter(RegistryUnknownParameter),
    /// See [`RegistryParameterOutOfBounds`].
    ParameterOutOfBounds(RegistryParameterOutOfBounds),
    /// See [`RegistryArithmeticOverflow`].
    ArithmeticOverflow(RegistryArithmeticOverflow),
    /// New business was attempted while paused.
    EnforcedPause(EnforcedPause),
    /// Never returned by the registry's own functions (only by `unpause`, through `PausableError`).
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
        let u32_word = |x: u32| uint_word(U256::from(x));
        match err {
            E::TokenCallFailed(e) => {
                encode_static(&SafeERC20FailedOperation::SELECTOR, &[addr_word(e.token)])
            }
            E::BalanceDeltaMismatch(e) => encode_static(
                &RegistryBalanceDeltaMismatch::SELECTOR,
                &[uint_word(e.expected), uint_word(e.actual)],
            ),
            E::InvalidToken(e) => {
                encode_static(&RegistryInvalidToken::SELECTOR, &[addr_word(e.token)])
            }
            E::AlreadyRegistered(e) => encode_static(
                &RegistryAlreadyRegistered::SELECTOR,
                &[addr_word(e.provider)],
            ),
            E::NotRegistered(e) => {
                encode_static(&RegistryNotRegistered::SELECTOR, &[addr_word(e.provider)])
            }
            E::InvalidGpuCount(e) => encode_static(
                &RegistryInvalidGpuCount::SELECTOR,
                &[u32_word(e.gpuCount), u32_word(e.maxGpuCount)],
            ),
            E::MetadataURITooLong(e) => encode_static(
                &RegistryMetadataURITooLong::SELECTOR,
                &[uint_word(e.length), uint_word(e.maxLength)],
            ),
            E::ZeroAmount(_) => encode_static(&RegistryZeroAmount::SELECTOR, &[]),
            E::InsufficientFreeStake(e) => encode_static(
                &RegistryInsufficientFreeStake::SELECTOR,
                &[
                    addr_word(e.provider),
                    uint_word(e.free),
                    uint_word(e.needed),
                ],
            ),
            E::TooManyUnbondRequests(e) => encode_static(
                &RegistryTooManyUnbondRequests::SELECTOR,
                &[addr_word(e.provider), uint_word(e.maxRequests)],
            ),
            E::UnknownUnbondRequest(e) => encode_static(
                &RegistryUnknownUnbondRequest::SELECTOR,
                &[addr_word(e.provider), uint_word(e.requestId)],
            ),
            E::NothingToWithdraw(e) => encode_static(
                &RegistryNothingToWithdraw::SELECTOR,
                &[addr_word(e.provider)],
            ),
            E::StakeLocked(e) => encode_static(
                &RegistryStakeLocked::SELECTOR,
                &[addr_word(e.provider), uint_word(e.locked)],
            ),
            E::InvalidBeneficiary(e) => encode_static(
                &RegistryInvalidBeneficiary::SELECTOR,
                &[addr_word(e.beneficiary)],
            ),
            E::UnknownParameter(e) => encode_static(&RegistryUnknownParameter::SELECTOR, &[e.name]),
            E::ParameterOutOfBounds(e) => encode_static(
                &RegistryParameterOutOfBounds::SELECTOR,
                &[uint_word(e.value), uint_word(e.min), uint_word(e.max)],
            ),
            E::ArithmeticOverflow(_) => encode_static(&RegistryArithmeticOverflow::SELECTOR, &[]),
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
    SafeERC20FailedOperation,
    RegistryBalanceDeltaMismatch,
    RegistryInvalidToken,
    RegistryAlreadyRegistered,
    RegistryNotRegistered,
    RegistryInvalidGpuCount,
    RegistryMetadataURITooLong,
    RegistryZeroAmount,
    RegistryInsufficientFreeStake,
    RegistryTooManyUnbondRequests,
    RegistryUnknownUnbondRequest,
    RegistryNothingToWithdraw,
    RegistryStakeLocked,
    RegistryInvalidBeneficiary,
    RegistryUnknownParameter,
    RegistryParameterOutOfBounds,
    RegistryArithmeticOverflow,
    EnforcedPause,
    ExpectedPause,
    AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount,
    AccessControlBadConfirmation,
);
