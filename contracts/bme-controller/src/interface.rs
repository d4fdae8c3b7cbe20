//! The controller's Solidity-visible errors and events (docs/protocol.md "BmeController").
//!
//! Its own errors are prefixed `Bme`; the shared ones (access control, pausing, `CallFailed`,
//! parameters, arithmetic) come from `common::errors`.

pub use common::errors::{
    AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount, ArithmeticOverflow, CallFailed, CommonError, EnforcedPause,
    ExpectedPause, ParameterOutOfBounds, UnknownParameter,
};
pub use common::params::ParameterUpdated;

common::contract_errors! {
    /// Every error the controller returns; each variant encodes as the Solidity custom error it
    /// wraps (unit tests compare the bytes with alloy's `abi_encode`).
    pub enum Error {
        /// The price feed's `answer` is zero or negative.
        InvalidPrice = BmeInvalidPrice(int256 answer);
        /// The price was last updated at `updatedAt` (unix seconds), more than `maxPriceAge`
        /// seconds ago.
        StalePrice = BmeStalePrice(uint256 updatedAt, uint256 maxPriceAge);
        /// The L2 sequencer-uptime feed reports the sequencer down.
        SequencerDown = BmeSequencerDown();
        /// The sequencer came back up at `startedAt` (unix seconds), less than `gracePeriod`
        /// seconds ago.
        SequencerGracePeriodNotOver = BmeSequencerGracePeriodNotOver(uint256 startedAt, uint256 gracePeriod);
        /// The sequencer-uptime feed answered a round with `startedAt == 0`: an invalid round
        /// (Chainlink's uptime feed before initialisation), refused like a down sequencer.
        SequencerRoundInvalid = BmeSequencerRoundInvalid();
        /// The feed reports `decimals` decimals; the controller supports 0 to 18.
        UnsupportedFeedDecimals = BmeUnsupportedFeedDecimals(uint8 decimals);
        /// `buyCredits` would give `credits`, fewer than the caller's `minCredits`.
        Slippage = BmeSlippage(uint256 credits, uint256 minCredits);
        /// `buyCredits` would give zero credits (amount too small for the price).
        ZeroCredits = BmeZeroCredits();
        /// An address argument that must be set is zero.
        ZeroAddress = BmeZeroAddress();
        /// `account` has `available` free (or locked) credits, fewer than `needed`.
        InsufficientCredits = BmeInsufficientCredits(address account, uint256 available, uint256 needed);
        /// `claimOwed`/`claimTreasury` found nothing to pay (no IOU of the caller has been funded
        /// by burns yet, or nothing has accrued).
        NothingToClaim = BmeNothingToClaim();
        /// IOU `id` does not exist or belongs to another provider than `caller`.
        NotIouOwner = BmeNotIouOwner(uint256 id, address caller);
        /// `claimOwed` takes at most `max` IOUs; `length` were given.
        TooManyIous = BmeTooManyIous(uint256 length, uint256 max);
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
    ];
}

common::contract_events! {
    /// `buyer` burned `tokensBurned` CT (wei) at `price` (USD per CT, 1e18-scaled) for `credits`
    /// (1e6 = 1 USD) credited to `beneficiary`.
    event CreditsPurchased(address indexed buyer, address indexed beneficiary, uint256 tokensBurned, uint256 credits, uint256 price);
    /// The escrow locked `amount` of `account`'s free credits.
    event CreditsLocked(address indexed account, uint256 amount);
    /// The escrow returned `amount` of `account`'s locked credits to its free balance.
    event CreditsUnlocked(address indexed account, uint256 amount);
    /// `credits` of `payer`'s locked credits were consumed: `fee` credits of protocol fee (worth
    /// `feeTokens` CT wei at `price`, which count as the provider's fees of the epoch for its work
    /// reward), the rest paid to `provider` as `tokensPaid` CT (wei, minted now from the burn budget
    /// and the emission reserve) at `price` (1e18 USD per CT); any part neither could cover is in
    /// `OwedRecorded`.
    event Settled(address indexed payer, address indexed provider, uint256 credits, uint256 fee, uint256 feeTokens, uint256 tokensPaid, uint256 price);
    /// IOU `id`: `provider` is owed `amount` CT (wei), paid in order of ids as burns refill the
    /// budget (`claimOwed`).
    event OwedRecorded(address indexed provider, uint256 indexed id, uint256 amount);
    /// `provider` was paid `amount` CT (wei) of IOU `id`.
    event OwedClaimed(address indexed provider, uint256 indexed id, uint256 amount);
    /// `funded` CT (wei) of the burn budget were set aside for the IOUs in line; `fundedTotal` of the
    /// `owedTotal` CT ever owed are now funded.
    event IousFunded(uint256 funded, uint256 fundedTotal, uint256 owedTotal);
    /// Of a settlement's fee, `treasuryAmount` CT (wei) accrued to the treasury and `retired` CT was
    /// retired from the burn budget for good.
    event FeeDistributed(uint256 indexed epoch, uint256 treasuryAmount, uint256 retired);
    /// `amount` CT (wei) of accrued fees were minted to `treasury`.
    event TreasuryClaimed(address indexed treasury, uint256 amount);
    /// The price feed is now `feed`, with `decimals` decimals.
    event PriceFeedUpdated(address indexed feed, uint8 decimals);
    /// The sequencer-uptime feed is now `feed` (zero = none).
    event SequencerFeedUpdated(address indexed feed);
    /// The treasury is now `treasury`.
    event TreasuryUpdated(address indexed treasury);
}

/// `ArithmeticOverflow()`, the error of every overflowing product.
pub(crate) fn too_large() -> Error {
    common::errors::overflow().into()
}
