//! The controller's Solidity-visible errors and events (DESIGN.md §4).

use alloc::vec::Vec;
use alloy_primitives::U256;
use alloy_sol_types::sol;
use alloy_sol_types::SolError;
use common::abi_words::{addr_word, encode_bytes, encode_static, uint_word};
use common::{
    access::{
        AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
        AccessControlUnauthorizedAccount,
    },
    pausable::{EnforcedPause, ExpectedPause},
};

sol! {
    /// The price feed's `answer` is zero or negative.
    #[derive(Debug, PartialEq, Eq)]
    error BmeInvalidPrice(int256 answer);

    /// The price was last updated at `updatedAt` (unix seconds), more than `maxPriceAge` seconds ago.
    #[derive(Debug, PartialEq, Eq)]
    error BmeStalePrice(uint256 updatedAt, uint256 maxPriceAge);

    /// The L2 sequencer-uptime feed reports the sequencer down.
    #[derive(Debug, PartialEq, Eq)]
    error BmeSequencerDown();

    /// The sequencer came back up at `startedAt` (unix seconds), less than `gracePeriod` seconds ago.
    #[derive(Debug, PartialEq, Eq)]
    error BmeSequencerGracePeriodNotOver(uint256 startedAt, uint256 gracePeriod);

    /// A call to the price feed (or sequencer feed) `feed` failed or returned malformed data.
    #[derive(Debug, PartialEq, Eq)]
    error BmeOracleCallFailed(address feed);

    /// The feed reports `decimals` decimals; the controller supports 0 to 18.
    #[derive(Debug, PartialEq, Eq)]
    error BmeUnsupportedFeedDecimals(uint8 decimals);

    /// A call to the compute token failed; `reason` is the token's revert data (e.g. an ERC-6093 error).
    #[derive(Debug, PartialEq, Eq)]
    error BmeTokenCallFailed(bytes reason);

    /// `buyCredits` would give `credits`, fewer than the caller's `minCredits`.
    #[derive(Debug, PartialEq, Eq)]
    error BmeSlippage(uint256 credits, uint256 minCredits);

    /// `buyCredits` would give zero credits (amount too small for the price).
    #[derive(Debug, PartialEq, Eq)]
    error BmeZeroCredits();

    /// An address argument that must be set is zero.
    #[derive(Debug, PartialEq, Eq)]
    error BmeZeroAddress();

    /// `account` has `available` free (or locked) credits, fewer than `needed`.
    #[derive(Debug, PartialEq, Eq)]
    error BmeInsufficientCredits(address account, uint256 available, uint256 needed);

    /// An amount is too large for the arithmetic (a product overflowed 256 bits).
    #[derive(Debug, PartialEq, Eq)]
    error BmeAmountTooLarge();

    /// `setParameter` was given a name the controller does not have.
    #[derive(Debug, PartialEq, Eq)]
    error BmeUnknownParameter(bytes32 name);

    /// Parameter `name` must be within `[min, max]`; `value` is not.
    #[derive(Debug, PartialEq, Eq)]
    error BmeParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);

    /// A call to the emissions contract failed; `reason` is its revert data (or the malformed return
    /// data of a view).
    #[derive(Debug, PartialEq, Eq)]
    error BmeEmissionsCallFailed(bytes reason);

    /// `claimOwed` found nothing to pay: nothing owed, or the burn budget is empty.
    #[derive(Debug, PartialEq, Eq)]
    error BmeNothingToClaim();

    /// `buyer` burned `tokensBurned` CT (wei) at `price` (USD per CT, 1e18-scaled) for `credits`
    /// (1e6 = 1 USD) credited to `beneficiary`.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event CreditsPurchased(address indexed buyer, address indexed beneficiary, uint256 tokensBurned, uint256 credits, uint256 price);

    /// The escrow locked `amount` of `account`'s free credits.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event CreditsLocked(address indexed account, uint256 amount);

    /// The escrow returned `amount` of `account`'s locked credits to its free balance.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event CreditsUnlocked(address indexed account, uint256 amount);

    /// `credits` of `payer`'s locked credits were consumed: `fee` credits of protocol fee, the rest
    /// paid to `provider` as `tokensPaid` CT (wei, minted now) at `price` (1e18 USD per CT); any part the
    /// budget and reserve could not cover is in `OwedRecorded`.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event Settled(address indexed payer, address indexed provider, uint256 credits, uint256 fee, uint256 tokensPaid, uint256 price);

    /// `provider` is owed `amount` more CT (wei), claimable with `claimOwed` once the burn budget refills.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event OwedRecorded(address indexed provider, uint256 amount);

    /// `provider` was paid `amount` CT (wei) of what it was owed.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event OwedClaimed(address indexed provider, uint256 amount);

    /// Of a settlement's fee, `treasuryAmount` CT (wei) was minted to the treasury and `retired` CT was
    /// retired from the burn budget for good.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event FeeDistributed(uint256 indexed epoch, uint256 treasuryAmount, uint256 retired);

    /// The price feed is now `feed`, with `decimals` decimals.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event PriceFeedUpdated(address indexed feed, uint8 decimals);

    /// The sequencer-uptime feed is now `feed` (zero = none).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event SequencerFeedUpdated(address indexed feed);

    /// The treasury is now `treasury`.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event TreasuryUpdated(address indexed treasury);
}

/// Every error the controller returns.
///
/// The encoding (`From<Error> for Vec<u8>`) is written out by hand instead of derived with
/// `SolidityError`: the derived one instantiates alloy's generic encoder per error type, which cost
/// 12,610 bytes of wasm here (measured); a unit test proves every variant encodes exactly as
/// `SolError::abi_encode`.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// See [`BmeInvalidPrice`].
    InvalidPrice(BmeInvalidPrice),
    /// See [`BmeStalePrice`].
    StalePrice(BmeStalePrice),
    /// See [`BmeSequencerDown`].
    SequencerDown(BmeSequencerDown),
    /// See [`BmeSequencerGracePeriodNotOver`].
    SequencerGracePeriodNotOver(BmeSequencerGracePeriodNotOver),
    /// See [`BmeOracleCallFailed`].
    OracleCallFailed(BmeOracleCallFailed),
    /// See [`BmeUnsupportedFeedDecimals`].
    UnsupportedFeedDecimals(BmeUnsupportedFeedDecimals),
    /// See [`BmeTokenCallFailed`].
    TokenCallFailed(BmeTokenCallFailed),
    /// See [`BmeSlippage`].
    Slippage(BmeSlippage),
    /// See [`BmeZeroCredits`].
    ZeroCredits(BmeZeroCredits),
    /// See [`BmeZeroAddress`].
    ZeroAddress(BmeZeroAddress),
    /// See [`BmeInsufficientCredits`].
    InsufficientCredits(BmeInsufficientCredits),
    /// See [`BmeAmountTooLarge`].
    AmountTooLarge(BmeAmountTooLarge),
    /// See [`BmeUnknownParameter`].
    UnknownParameter(BmeUnknownParameter),
    /// See [`BmeParameterOutOfBounds`].
    ParameterOutOfBounds(BmeParameterOutOfBounds),
    /// See [`BmeEmissionsCallFailed`].
    EmissionsCallFailed(BmeEmissionsCallFailed),
    /// See [`BmeNothingToClaim`].
    NothingToClaim(BmeNothingToClaim),
    /// New business while paused.
    EnforcedPause(EnforcedPause),
    /// `unpause` while not paused.
    ExpectedPause(ExpectedPause),
    /// The constructor's admin is the zero address.
    InvalidDefaultAdmin(AccessControlInvalidDefaultAdmin),
    /// The caller lacks the role a function needs.
    UnauthorizedAccount(AccessControlUnauthorizedAccount),
    /// `renounceRole` was called for another account.
    BadConfirmation(AccessControlBadConfirmation),
}

common::impl_error_from_common!(Error, access, pausable);

/// `BmeAmountTooLarge()`, the error of every overflowing product.
pub fn too_large() -> Error {
    Error::AmountTooLarge(BmeAmountTooLarge {})
}

impl From<Error> for Vec<u8> {
    fn from(err: Error) -> Self {
        use Error as E;
        let small = |x: u8| uint_word(U256::from(x));
        match err {
            E::InvalidPrice(e) => encode_static(
                &BmeInvalidPrice::SELECTOR,
                &[uint_word(e.answer.into_raw())],
            ),
            E::StalePrice(e) => encode_static(
                &BmeStalePrice::SELECTOR,
                &[uint_word(e.updatedAt), uint_word(e.maxPriceAge)],
            ),
            E::SequencerDown(_) => encode_static(&BmeSequencerDown::SELECTOR, &[]),
            E::SequencerGracePeriodNotOver(e) => encode_static(
                &BmeSequencerGracePeriodNotOver::SELECTOR,
                &[uint_word(e.startedAt), uint_word(e.gracePeriod)],
            ),
            E::OracleCallFailed(e) => {
                encode_static(&BmeOracleCallFailed::SELECTOR, &[addr_word(e.feed)])
            }
            E::UnsupportedFeedDecimals(e) => {
                encode_static(&BmeUnsupportedFeedDecimals::SELECTOR, &[small(e.decimals)])
            }
            E::TokenCallFailed(e) => encode_bytes(&BmeTokenCallFailed::SELECTOR, &e.reason),
            E::Slippage(e) => encode_static(
                &BmeSlippage::SELECTOR,
                &[uint_word(e.credits), uint_word(e.minCredits)],
            ),
            E::ZeroCredits(_) => encode_static(&BmeZeroCredits::SELECTOR, &[]),
            E::ZeroAddress(_) => encode_static(&BmeZeroAddress::SELECTOR, &[]),
            E::InsufficientCredits(e) => encode_static(
                &BmeInsufficientCredits::SELECTOR,
                &[
                    addr_word(e.account),
                    uint_word(e.available),
                    uint_word(e.needed),
                ],
            ),
            E::AmountTooLarge(_) => encode_static(&BmeAmountTooLarge::SELECTOR, &[]),
            E::UnknownParameter(e) => encode_static(&BmeUnknownParameter::SELECTOR, &[e.name]),
            E::ParameterOutOfBounds(e) => encode_static(
                &BmeParameterOutOfBounds::SELECTOR,
                &[
                    e.name,
                    uint_word(e.value),
                    uint_word(e.min),
                    uint_word(e.max),
                ],
            ),
            E::EmissionsCallFailed(e) => encode_bytes(&BmeEmissionsCallFailed::SELECTOR, &e.reason),
            E::NothingToClaim(_) => encode_static(&BmeNothingToClaim::SELECTOR, &[]),
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
    BmeInvalidPrice,
    BmeStalePrice,
    BmeSequencerDown,
    BmeSequencerGracePeriodNotOver,
    BmeOracleCallFailed,
    BmeUnsupportedFeedDecimals,
    BmeTokenCallFailed,
    BmeSlippage,
    BmeZeroCredits,
    BmeZeroAddress,
    BmeInsufficientCredits,
    BmeAmountTooLarge,
    BmeUnknownParameter,
    BmeParameterOutOfBounds,
    BmeEmissionsCallFailed,
    BmeNothingToClaim,
    EnforcedPause,
    ExpectedPause,
    AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount,
    AccessControlBadConfirmation,
);
