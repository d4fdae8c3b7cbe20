//! The market's Solidity-visible errors and events (docs/protocol.md "JobMarket").
//!
//! Its own errors are prefixed `JobMarket`; the shared ones come from `common::errors`. Prices are
//! credits (1e6 = 1 USD) per GPU-hour; times are unix seconds; rates basis points.

pub use common::errors::{
    AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount, CallFailed, CommonError, EnforcedPause, ExpectedPause,
    ParameterOutOfBounds, UnknownParameter,
};
pub use common::params::ParameterUpdated;

alloy_sol_types::sol! {
    /// What a requester requires of a bidder (checked at bid and at award): GPU model (zero = any),
    /// minimum VRAM per GPU in GiB, minimum success rate in bps (`completed × 10,000 / (completed +
    /// failed)`, 0 without history), minimum completed jobs, minimum active stake in wei of CT, and
    /// whether a valid attestation is required.
    #[derive(Debug, PartialEq, Eq, stylus_sdk::prelude::AbiType)]
    struct Requirements {
        bytes32 gpuModel;
        uint32 minVramGiB;
        uint16 minSuccessBps;
        uint64 minCompletedJobs;
        uint256 minActiveStake;
        bool attestedOnly;
    }

    /// A live bid: the provider and its price in credits (1e6 = 1 USD) per GPU-hour.
    #[derive(Debug, PartialEq, Eq, stylus_sdk::prelude::AbiType)]
    struct Bid {
        address provider;
        uint256 pricePerGpuHour;
    }
}

common::contract_errors! {
    /// Every error the market returns; each variant encodes as the Solidity custom error it wraps
    /// (unit tests compare the bytes with alloy's `abi_encode`).
    pub enum Error {
        /// The constructor was given the zero address for the escrow or the registry.
        ZeroAddress = JobMarketZeroAddress();
        /// Job `jobId` is not an auction of this market.
        UnknownAuction = JobMarketUnknownAuction(uint256 jobId);
        /// Auction `jobId` is no longer open: it was awarded, closed or cancelled (`state` 2, 3, 4).
        AuctionEnded = JobMarketAuctionEnded(uint256 jobId, uint8 state);
        /// The bid window of auction `jobId` closed at `bidEnd` (unix seconds): no more bids or
        /// requester awards.
        BiddingClosed = JobMarketBiddingClosed(uint256 jobId, uint64 bidEnd);
        /// The bid window of auction `jobId` is open until `bidEnd`: `closeAuction` waits for it.
        BiddingOpen = JobMarketBiddingOpen(uint256 jobId, uint64 bidEnd);
        /// A bid window of `bidWindow` seconds is outside `[min, max]`.
        InvalidBidWindow = JobMarketInvalidBidWindow(uint64 bidWindow, uint64 min, uint64 max);
        /// `price` is zero or above `maxPrice` (the auction's maximum, or 2^64 − 1 credits per
        /// GPU-hour for an auction's maximum).
        InvalidPrice = JobMarketInvalidPrice(uint256 price, uint256 maxPrice);
        /// `provider` already bid `current`; a new bid must be lower.
        BidNotLower = JobMarketBidNotLower(address provider, uint256 current, uint256 price);
        /// Auction `jobId` already has `maxBids` (16) live bids.
        TooManyBids = JobMarketTooManyBids(uint256 jobId, uint256 maxBids);
        /// `provider` has no live bid on auction `jobId`.
        NoBid = JobMarketNoBid(uint256 jobId, address provider);
        /// `caller` is not the requester of auction `jobId`.
        NotRequester = JobMarketNotRequester(uint256 jobId, address caller);
        /// The requester may not bid on its own auction.
        RequesterCannotBid = JobMarketRequesterCannotBid(uint256 jobId);
        /// `provider` does not meet auction `jobId`'s requirements: `reason` 1 not eligible in the
        /// registry (unregistered, jailed, under-staked), 2 GPU model, 3 too few GPUs, 4 VRAM, 5
        /// success rate, 6 completed jobs, 7 active stake, 8 no valid attestation.
        NotQualified = JobMarketNotQualified(uint256 jobId, address provider, uint8 reason);
        /// An attestation's GPU count is 0 or above 1024, or its `expiresAt` is not in the future.
        InvalidAttestation = JobMarketInvalidAttestation(address provider, uint32 gpuCount, uint64 expiresAt);
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
    ];
}

common::contract_events! {
    /// `requester` opened auction (escrow job) `jobId` for `gpuCount` GPUs over at most
    /// `maxDuration` seconds at no more than `maxPricePerGpuHour`; bids are taken until `bidEnd`
    /// (unix seconds); the requirements are in `requirements(jobId)`.
    event AuctionCreated(uint256 indexed jobId, address indexed requester, uint32 gpuCount, uint64 maxDuration, uint256 maxPricePerGpuHour, uint64 bidEnd);
    /// `provider` bid `pricePerGpuHour` on auction `jobId` (a new bid, or a lower one).
    event BidPlaced(uint256 indexed jobId, address indexed provider, uint256 pricePerGpuHour);
    /// `provider` withdrew its bid on auction `jobId`.
    event BidWithdrawn(uint256 indexed jobId, address indexed provider);
    /// Auction `jobId` was awarded to `provider` at `pricePerGpuHour`, by the requester
    /// (`byRequester`) or by `closeAuction`; the escrow job is Running.
    event AuctionAwarded(uint256 indexed jobId, address indexed provider, uint256 pricePerGpuHour, bool byRequester);
    /// Auction `jobId` ended without an award (`cancelled`: by its requester; else closed with no
    /// qualifying bid); the requester's credits were unlocked.
    event AuctionEndedWithoutAward(uint256 indexed jobId, bool cancelled);
    /// `attester` recorded `provider`'s hardware: `gpuCount` GPUs of `gpuModel` with `vramGiB` GiB
    /// each, backed by the report whose digest is `evidenceHash` (e.g. a TEE or NVIDIA attestation
    /// report), valid until `expiresAt` (unix seconds).
    event Attested(address indexed provider, address indexed attester, bytes32 gpuModel, uint32 gpuCount, uint32 vramGiB, bytes32 evidenceHash, uint64 expiresAt);
    /// `attester` revoked `provider`'s attestation.
    event AttestationRevoked(address indexed provider, address indexed attester);
}
