//! # JobMarket
//!
//! Price discovery for compute-market (docs/protocol.md "JobMarket"): **reverse auctions** over
//! escrow jobs, **requester requirements**, and **attested hardware** (Akash's order → bid → lease,
//! with attribute signatures; Golem/The Graph-style reputation filters). It lives beside the escrow
//! (which had no room for it) and drives it through two `MARKET_ROLE` entry points, so the escrow's
//! lifecycle and conservation rules hold unchanged (README "Design notes").
//!
//! 1. `createAuction` opens an escrow job for the caller at the **maximum** price (its maxCost is
//!    locked from the requester's credits), named to this market, open for the bid window plus
//!    `closeWindow`.
//! 2. Eligible providers that meet the requirements `bid` a price ≤ the maximum: one live bid each,
//!    at most [`MAX_BIDS`] per auction; a provider may lower or withdraw its bid while bidding is open.
//! 3. The requester may `awardBid` any live bid during the window; after it anyone may
//!    `closeAuction`, which awards the lowest price (ties: higher success rate at bid time, then the
//!    earlier bid), skipping bidders that no longer qualify or that the registry refuses; with no
//!    such bid the job is cancelled and the credits unlock.
//! 4. An award is the escrow's acceptance at the winning price: the stake lock, the deadline, and the
//!    credits above the new maxCost unlocked at once. The job then follows the escrow's lifecycle.
//!
//! Requirements (checked at bid and again at award): GPU model (zero = any), at least the job's GPU
//! count, minimum VRAM (GiB), minimum success rate in bps (`completed × 10,000 / (completed +
//! failed)`, 0 without history), minimum completed jobs, minimum active stake (wei of CT), attested
//! only. With a valid attestation the hardware fields checked are the attested ones, otherwise the
//! provider's own claim in the registry.
//!
//! Units: prices are credits (1e6 = 1 USD) per GPU-hour, below 2^64; times unix seconds.
//!
//! ## Parameters
//! | name | default | bounds | unit |
//! |---|---:|---|---|
//! | `maxBidWindow` | 86_400 | [300, 604_800] | seconds |
//! | `closeWindow` | 1_800 | [300, 86_400] | seconds after the bid window in which the auction can still be awarded |
//!
//! ## Security considerations
//! - **Roles**: `ATTESTER_ROLE` records hardware attestations (a verification service: it can make
//!   any provider pass "attested only"); `PARAMETER_ADMIN_ROLE`, `PAUSER_ROLE` (new auctions and
//!   bids only) and `DEFAULT_ADMIN_ROLE` as everywhere. The market needs the escrow's `MARKET_ROLE`.
//! - **Bounded work**: every loop walks the 16 bid slots of one auction at most.
//! - **Checks-effects-interactions**: each function checks (with static reads of the registry), writes
//!   its state and events, then calls the escrow last. `createAuction` predicts the escrow's job id
//!   (`jobCount() + 1`) and requires the escrow to return it.
//! - **Front-running**: a provider may lower its bid until the window closes; bids cannot be withdrawn
//!   after it, so no bidder can hand the award to a sybil's higher bid once closing is possible.
//!
//! ## Tests
//! `contracts/system-tests/tests/market.rs` drives this contract against the real escrow, registry,
//! controller and token wired together (every function and error with its exact data, and a property
//! test of auction sequences: credits conserved, the award always the best qualifying bid), rather
//! than against models: the market's behaviour is mostly the escrow's and the registry's answers.
//! `tests/e2e/market.rs` plays the flow on the dev chain.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
#![allow(clippy::result_large_err)]

extern crate alloc;

pub mod calls;
pub mod interface;

#[allow(unused_imports)] // `vec!` is referenced by code stylus-proc generates
use alloc::{vec, vec::Vec};

use alloy_primitives::{aliases::U64, Address, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent};
use common::{
    abi_words::{addr_word, encode_static, uint_word},
    access::{AccessControl, Roles},
    calls as ext,
    errors::{call_failed, invalid_admin, CommonError},
    params::{self, Param, Parameters},
    pausable::{Pausable, PauseState},
    roles::{ATTESTER_ROLE, DEFAULT_ADMIN_ROLE, PARAMETER_ADMIN_ROLE},
};
use stylus_sdk::{
    prelude::*,
    storage::{
        StorageAddress, StorageArray, StorageB256, StorageBool, StorageMap, StorageU16,
        StorageU256, StorageU32, StorageU64, StorageU8,
    },
};

use crate::{calls::*, interface::*};

/// Most live bids on one auction (Akash allows 20 per order; 16 keeps closing cheap).
pub const MAX_BIDS: usize = 16;
/// Shortest bid window: one minute.
pub const MIN_BID_WINDOW: u64 = 60;
/// Largest GPU count of an attestation (the registry's bound).
pub const MAX_GPU_COUNT: u32 = 1024;

/// Auction states.
pub const OPEN: u8 = 1;
/// Awarded to a bid (the escrow job is Running).
pub const AWARDED: u8 = 2;
/// Closed without a qualifying bid (the escrow job is Cancelled).
pub const CLOSED: u8 = 3;
/// Cancelled by the requester (the escrow job is Cancelled).
pub const CANCELLED: u8 = 4;

/// Why a provider does not qualify (`JobMarketNotQualified.reason`).
pub mod reason {
    /// Not eligible in the registry: unregistered, jailed or under-staked.
    pub const NOT_ELIGIBLE: u8 = 1;
    /// Another GPU model than required.
    pub const GPU_MODEL: u8 = 2;
    /// Fewer GPUs than the job needs.
    pub const GPU_COUNT: u8 = 3;
    /// Less VRAM per GPU than required.
    pub const VRAM: u8 = 4;
    /// A success rate below the minimum.
    pub const SUCCESS_RATE: u8 = 5;
    /// Fewer completed jobs than required.
    pub const COMPLETED_JOBS: u8 = 6;
    /// Less active stake than required.
    pub const STAKE: u8 = 7;
    /// No valid (unexpired) attestation while the auction requires one.
    pub const NOT_ATTESTED: u8 = 8;
}

/// `bytes32("maxBidWindow")`: longest bid window (seconds).
pub const MAX_BID_WINDOW: B256 = params::name("maxBidWindow");
/// `bytes32("closeWindow")`: time after the bid window in which the auction can still be awarded
/// (seconds); the escrow job's accept deadline.
pub const CLOSE_WINDOW: B256 = params::name("closeWindow");

/// Every parameter: name, default and hard bounds.
pub const PARAMETERS: [Param; 2] = [
    Param::new("maxBidWindow", 86_400, 300, 604_800),
    Param::new("closeWindow", 1_800, 300, 86_400),
];

/// One auction.
#[storage]
pub struct Auction {
    /// Whose credits are locked.
    requester: StorageAddress,
    /// End of the bid window (unix seconds).
    bid_end: StorageU64,
    /// 0 none, [`OPEN`], [`AWARDED`], [`CLOSED`], [`CANCELLED`].
    state: StorageU8,
    /// Sequence number of the next bid (orders ties by time).
    seq: StorageU16,
    /// GPUs of the job.
    gpu_count: StorageU32,
    /// The maximum price (credits per GPU-hour).
    max_price: StorageU64,
    /// Required GPU model (zero = any).
    req_model: StorageB256,
    /// Required VRAM per GPU (GiB).
    min_vram: StorageU32,
    /// Required success rate (bps).
    min_success_bps: StorageU16,
    /// Whether a valid attestation is required.
    attested_only: StorageBool,
    /// Required completed jobs.
    min_completed: StorageU64,
    /// Required active stake (wei of CT).
    min_stake: StorageU256,
    /// The bid slots: provider (bits 0–159) | price (160–223) | sequence (224–239) | success rate at
    /// bid time, bps (240–255); zero = empty.
    bids: StorageArray<StorageU256, MAX_BIDS>,
}

/// A provider's attested hardware.
#[storage]
pub struct Attestation {
    /// Attested GPU model.
    gpu_model: StorageB256,
    /// Digest of the attestation report.
    evidence: StorageB256,
    /// Attested GPUs.
    gpu_count: StorageU32,
    /// Attested VRAM per GPU (GiB).
    vram_gib: StorageU32,
    /// Valid before this time (unix seconds); 0 = none.
    expires_at: StorageU64,
}

/// The market's storage and entrypoint.
#[storage]
#[entrypoint]
pub struct JobMarket {
    /// The job escrow (this contract holds its `MARKET_ROLE`); fixed at construction.
    escrow: StorageAddress,
    /// The provider registry (eligibility, profiles, counters); fixed at construction.
    registry: StorageAddress,
    /// `auctions[jobId]`.
    auctions: StorageMap<U256, Auction>,
    /// `attestations[provider]`.
    attestations: StorageMap<Address, Attestation>,
    /// The parameters' values.
    params: Parameters,
    /// Pause of new auctions and bids.
    pause_state: PauseState,
    /// Role-based access control.
    roles: Roles,
}

/// A decoded bid slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot {
    provider: Address,
    price: u64,
    seq: u16,
    success_bps: u16,
}

impl Slot {
    fn decode(word: U256) -> Option<Self> {
        if word.is_zero() {
            return None;
        }
        let l = word.as_limbs();
        let mut a = [0u8; 20];
        a[..4].copy_from_slice(&(l[2] as u32).to_be_bytes());
        a[4..12].copy_from_slice(&l[1].to_be_bytes());
        a[12..].copy_from_slice(&l[0].to_be_bytes());
        Some(Self {
            provider: Address::from(a),
            price: (l[2] >> 32) | (l[3] << 32),
            seq: (l[3] >> 32) as u16,
            success_bps: (l[3] >> 48) as u16,
        })
    }

    fn encode(self) -> U256 {
        let a = self.provider.0 .0;
        let w0 = u64::from_be_bytes(a[12..].try_into().unwrap_or_default());
        let w1 = u64::from_be_bytes(a[4..12].try_into().unwrap_or_default());
        let lo = u64::from(u32::from_be_bytes(a[..4].try_into().unwrap_or_default()));
        U256::from_limbs([
            w0,
            w1,
            lo | (self.price << 32),
            (self.price >> 32) | (u64::from(self.seq) << 32) | (u64::from(self.success_bps) << 48),
        ])
    }

    /// Closing order: lower price, then higher success rate, then the earlier bid.
    fn key(&self) -> (u64, u16, u16) {
        // Cannot wrap: success_bps ≤ 10,000.
        (
            self.price,
            u16::MAX.wrapping_sub(self.success_bps),
            self.seq,
        )
    }
}

#[public]
#[implements(AccessControl, Pausable)]
impl JobMarket {
    /// Initialises the market.
    ///
    /// # Arguments
    /// * `escrow` - the job escrow (grant this contract its `MARKET_ROLE`); fixed forever.
    /// * `registry` - the provider registry; fixed forever.
    /// * `admin` - receives `DEFAULT_ADMIN_ROLE`.
    ///
    /// # Errors
    /// `JobMarketZeroAddress()`, `AccessControlInvalidDefaultAdmin(address(0))`.
    #[constructor]
    pub fn constructor(
        &mut self,
        escrow: Address,
        registry: Address,
        admin: Address,
    ) -> Result<(), Error> {
        if escrow.is_zero() || registry.is_zero() {
            return Err(Error::ZeroAddress(JobMarketZeroAddress {}));
        }
        if admin.is_zero() {
            return Err(invalid_admin(admin).into());
        }
        self.escrow.set(escrow);
        self.registry.set(registry);
        self.params.init(&PARAMETERS);
        self.roles._grant_role(DEFAULT_ADMIN_ROLE, admin);
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Auctions
    // -----------------------------------------------------------------------------------------

    /// Opens a reverse auction for a job: the escrow locks `maxCost` at `max_price_per_gpu_hour`
    /// from the caller's credits, and providers that meet `requirements` bid for `bid_window`
    /// seconds. Returns the job id (the escrow's).
    ///
    /// # Arguments
    /// * `spec_hash`, `gpu_count` (1..=1024), `max_duration` (seconds, ≤ 30 days) - as the escrow's
    ///   `createJob`.
    /// * `max_price_per_gpu_hour` - credits (1e6 = 1 USD) per GPU-hour, 1..2^64.
    /// * `bid_window` - seconds, 60..=`maxBidWindow`.
    /// * `requirements` - `(gpuModel, minVramGiB, minSuccessBps, minCompletedJobs, minActiveStake,
    ///   attestedOnly)`.
    ///
    /// # Errors
    /// `EnforcedPause()`, `JobMarketInvalidBidWindow(bidWindow, 60, maxBidWindow)`,
    /// `JobMarketInvalidPrice(price, 2^64 − 1)`, `CallFailed(escrow, reason)` (the escrow's own
    /// checks, e.g. `BmeInsufficientCredits` through the controller, or a missing `MARKET_ROLE`).
    ///
    /// # Events
    /// `AuctionCreated(jobId, requester, gpuCount, maxDuration, maxPricePerGpuHour, bidEnd)`; the
    /// escrow's `JobCreated`.
    pub fn create_auction(
        &mut self,
        spec_hash: B256,
        gpu_count: u32,
        max_duration: u64,
        max_price_per_gpu_hour: U256,
        bid_window: u64,
        requirements: Requirements,
    ) -> Result<U256, Error> {
        self.pause_state.when_not_paused()?;
        let max_window = self.params.get(MAX_BID_WINDOW).to::<u64>();
        if !(MIN_BID_WINDOW..=max_window).contains(&bid_window) {
            return Err(Error::InvalidBidWindow(JobMarketInvalidBidWindow {
                bidWindow: bid_window,
                min: MIN_BID_WINDOW,
                max: max_window,
            }));
        }
        let max_price = u64::try_from(max_price_per_gpu_hour)
            .ok()
            .filter(|&p| p > 0)
            .ok_or(Error::InvalidPrice(JobMarketInvalidPrice {
                price: max_price_per_gpu_hour,
                maxPrice: U256::from(u64::MAX),
            }))?;
        let requester = self.vm().msg_sender();
        let escrow = self.escrow.get();
        let job_id = ext::view_word(self.vm(), escrow, &jobCountCall::SELECTOR)?
            .checked_add(U256::from(1))
            .ok_or_else(common::errors::overflow)?;
        let open_for = bid_window.saturating_add(self.params.get(CLOSE_WINDOW).to::<u64>());
        let bid_end = self.vm().block_timestamp().saturating_add(bid_window);
        let Requirements {
            gpuModel: model,
            minVramGiB: vram,
            minSuccessBps: success,
            minCompletedJobs: completed,
            minActiveStake: stake,
            attestedOnly: attested,
        } = requirements;
        let mut a = self.auctions.setter(job_id);
        a.requester.set(requester);
        a.bid_end.set(U64::from(bid_end));
        a.state.set(alloy_primitives::aliases::U8::from(OPEN));
        a.gpu_count
            .set(alloy_primitives::aliases::U32::from(gpu_count));
        a.max_price.set(U64::from(max_price));
        a.req_model.set(model);
        a.min_vram.set(alloy_primitives::aliases::U32::from(vram));
        a.min_success_bps
            .set(alloy_primitives::aliases::U16::from(success));
        a.attested_only.set(attested);
        a.min_completed.set(U64::from(completed));
        a.min_stake.set(stake);
        self.emit(
            &[
                AuctionCreated::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(requester),
            ],
            &[
                uint_word(U256::from(gpu_count)),
                uint_word(U256::from(max_duration)),
                uint_word(U256::from(max_price)),
                uint_word(U256::from(bid_end)),
            ],
        );
        let ret = ext::call(
            self,
            escrow,
            &create_job_for(
                requester,
                spec_hash,
                gpu_count,
                max_duration,
                U256::from(max_price),
                open_for,
            ),
        )?;
        if ext::decode_word(&ret) != Some(job_id) {
            return Err(call_failed(escrow, ret).into());
        }
        Ok(job_id)
    }

    /// Bids `price_per_gpu_hour` on auction `job_id` (the caller's only live bid: calling again
    /// lowers it, and the lower bid counts as made now). The caller must qualify (see the crate
    /// docs) and may not be the requester.
    ///
    /// # Errors
    /// `EnforcedPause()`, `JobMarketUnknownAuction(jobId)`, `JobMarketAuctionEnded(jobId, state)`,
    /// `JobMarketBiddingClosed(jobId, bidEnd)`, `JobMarketRequesterCannotBid(jobId)`,
    /// `JobMarketInvalidPrice(price, maxPrice)`, `JobMarketBidNotLower(provider, current, price)`,
    /// `JobMarketTooManyBids(jobId, 16)`, `JobMarketNotQualified(jobId, provider, reason)`,
    /// `CallFailed(registry, reason)`.
    ///
    /// # Events
    /// `BidPlaced(jobId, provider, pricePerGpuHour)`.
    pub fn bid(&mut self, job_id: U256, price_per_gpu_hour: U256) -> Result<(), Error> {
        self.pause_state.when_not_paused()?;
        let provider = self.vm().msg_sender();
        self.bidding(job_id)?;
        let a = self.auctions.getter(job_id);
        if a.requester.get() == provider {
            return Err(Error::RequesterCannotBid(JobMarketRequesterCannotBid {
                jobId: job_id,
            }));
        }
        let max_price = a.max_price.get().to::<u64>();
        let seq = a.seq.get().to::<u16>();
        // Ends the storage guard's borrow of `self` before the registry reads below.
        #[allow(clippy::drop_non_drop)]
        drop(a);
        let price = u64::try_from(price_per_gpu_hour)
            .ok()
            .filter(|&p| p > 0 && p <= max_price)
            .ok_or(Error::InvalidPrice(JobMarketInvalidPrice {
                price: price_per_gpu_hour,
                maxPrice: U256::from(max_price),
            }))?;
        let success_bps = self
            .qualify(job_id, provider)?
            .map_err(|r| not_qualified(job_id, provider, r))?;
        let (slot, current) = self.find_bid(job_id, provider);
        let slot = match (slot, current) {
            (Some(i), Some(bid)) => {
                if price >= bid.price {
                    return Err(Error::BidNotLower(JobMarketBidNotLower {
                        provider,
                        current: U256::from(bid.price),
                        price: price_per_gpu_hour,
                    }));
                }
                i
            }
            (Some(i), None) => i,
            (None, _) => {
                return Err(Error::TooManyBids(JobMarketTooManyBids {
                    jobId: job_id,
                    maxBids: U256::from(MAX_BIDS),
                }))
            }
        };
        let bid = Slot {
            provider,
            price,
            seq,
            success_bps,
        };
        let mut a = self.auctions.setter(job_id);
        a.seq
            .set(alloy_primitives::aliases::U16::from(seq.saturating_add(1)));
        if let Some(mut s) = a.bids.setter(slot) {
            s.set(bid.encode());
        }
        self.emit(
            &[
                BidPlaced::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(provider),
            ],
            &[uint_word(price_per_gpu_hour)],
        );
        Ok(())
    }

    /// Withdraws the caller's live bid on auction `job_id` while bidding is open.
    ///
    /// # Errors
    /// `JobMarketUnknownAuction(jobId)`, `JobMarketAuctionEnded(jobId, state)`,
    /// `JobMarketBiddingClosed(jobId, bidEnd)`, `JobMarketNoBid(jobId, caller)`.
    ///
    /// # Events
    /// `BidWithdrawn(jobId, provider)`.
    pub fn withdraw_bid(&mut self, job_id: U256) -> Result<(), Error> {
        let provider = self.vm().msg_sender();
        self.bidding(job_id)?;
        let (slot, current) = self.find_bid(job_id, provider);
        let (Some(i), Some(_)) = (slot, current) else {
            return Err(Error::NoBid(JobMarketNoBid {
                jobId: job_id,
                provider,
            }));
        };
        if let Some(mut s) = self.auctions.setter(job_id).bids.setter(i) {
            s.set(U256::ZERO);
        }
        self.emit(
            &[
                BidWithdrawn::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(provider),
            ],
            &[],
        );
        Ok(())
    }

    /// The requester awards auction `job_id` to `provider`'s live bid during the bid window. The
    /// provider must still qualify; the escrow then starts the job at the bid's price.
    ///
    /// # Errors
    /// `JobMarketUnknownAuction(jobId)`, `JobMarketAuctionEnded(jobId, state)`,
    /// `JobMarketBiddingClosed(jobId, bidEnd)`, `JobMarketNotRequester(jobId, caller)`,
    /// `JobMarketNoBid(jobId, provider)`, `JobMarketNotQualified(jobId, provider, reason)`,
    /// `CallFailed(escrow, reason)` (e.g. the registry refusing the stake lock, through the escrow).
    ///
    /// # Events
    /// `AuctionAwarded(jobId, provider, price, true)`; the escrow's `JobAccepted`.
    pub fn award_bid(&mut self, job_id: U256, provider: Address) -> Result<(), Error> {
        let caller = self.vm().msg_sender();
        self.bidding(job_id)?;
        if self.auctions.getter(job_id).requester.get() != caller {
            return Err(Error::NotRequester(JobMarketNotRequester {
                jobId: job_id,
                caller,
            }));
        }
        let Some(bid) = self.find_bid(job_id, provider).1 else {
            return Err(Error::NoBid(JobMarketNoBid {
                jobId: job_id,
                provider,
            }));
        };
        self.qualify(job_id, provider)?
            .map_err(|r| not_qualified(job_id, provider, r))?;
        self.award(job_id, bid, true)
    }

    /// Closes auction `job_id` once its bid window is over (anyone may call): awards the best live
    /// bid of a provider that still qualifies and that the escrow accepts (lowest price, then higher
    /// success rate at bid time, then the earlier bid), skipping the others; with none, cancels the
    /// escrow job so the requester's credits unlock. Returns the winner (zero for none).
    ///
    /// # Errors
    /// `JobMarketUnknownAuction(jobId)`, `JobMarketAuctionEnded(jobId, state)`,
    /// `JobMarketBiddingOpen(jobId, bidEnd)`, `CallFailed(registry, reason)`, `CallFailed(escrow,
    /// reason)` for an escrow failure that is not the registry refusing a bidder (e.g. a stale
    /// price: retry later).
    ///
    /// # Events
    /// `AuctionAwarded(jobId, provider, price, false)` or `AuctionEndedWithoutAward(jobId, false)`.
    pub fn close_auction(&mut self, job_id: U256) -> Result<Address, Error> {
        let state = self.state(job_id)?;
        if state != OPEN {
            return Err(ended(job_id, state));
        }
        let bid_end = self.auctions.getter(job_id).bid_end.get().to::<u64>();
        if self.vm().block_timestamp() < bid_end {
            return Err(Error::BiddingOpen(JobMarketBiddingOpen {
                jobId: job_id,
                bidEnd: bid_end,
            }));
        }
        // The live bids in closing order (insertion sort of at most 16).
        let mut order: [Option<Slot>; MAX_BIDS] = [None; MAX_BIDS];
        let mut n = 0usize;
        for i in 0..MAX_BIDS {
            let word = self.auctions.getter(job_id).bids.get(i).unwrap_or_default();
            if let Some(bid) = Slot::decode(word) {
                // Cannot wrap: 0 < j ≤ n < MAX_BIDS inside the loop, n ≤ MAX_BIDS after it.
                let mut j = n;
                while j > 0 && order[j.wrapping_sub(1)].is_some_and(|o| o.key() > bid.key()) {
                    order[j] = order[j.wrapping_sub(1)];
                    j = j.wrapping_sub(1);
                }
                order[j] = Some(bid);
                n = n.wrapping_add(1);
            }
        }
        for bid in order.iter().take(n).flatten() {
            if self.qualify(job_id, bid.provider)?.is_err() {
                continue;
            }
            match self.award(job_id, *bid, false) {
                Ok(()) => return Ok(bid.provider),
                // The registry refused this bidder's stake lock: skip it (its effects rolled back).
                Err(e) if self.refused_by_registry(&e) => {
                    self.auctions
                        .setter(job_id)
                        .state
                        .set(alloy_primitives::aliases::U8::from(OPEN));
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
        self.end_without_award(job_id, CLOSED)?;
        Ok(Address::ZERO)
    }

    /// The requester cancels its open auction (before an award; bids are dropped) and the escrow
    /// job is cancelled, unlocking its credits.
    ///
    /// # Errors
    /// `JobMarketUnknownAuction(jobId)`, `JobMarketAuctionEnded(jobId, state)`,
    /// `JobMarketNotRequester(jobId, caller)`, `CallFailed(escrow, reason)`.
    ///
    /// # Events
    /// `AuctionEndedWithoutAward(jobId, true)`; the escrow's `JobCancelled`.
    pub fn cancel_auction(&mut self, job_id: U256) -> Result<(), Error> {
        let caller = self.vm().msg_sender();
        let state = self.state(job_id)?;
        if state != OPEN {
            return Err(ended(job_id, state));
        }
        if self.auctions.getter(job_id).requester.get() != caller {
            return Err(Error::NotRequester(JobMarketNotRequester {
                jobId: job_id,
                caller,
            }));
        }
        self.end_without_award(job_id, CANCELLED)
    }

    /// The live bids of auction `job_id`, in slot order.
    pub fn bids(&self, job_id: U256) -> Vec<interface::Bid> {
        let a = self.auctions.getter(job_id);
        (0..MAX_BIDS)
            .filter_map(|i| Slot::decode(a.bids.get(i).unwrap_or_default()))
            .map(|b| interface::Bid {
                provider: b.provider,
                pricePerGpuHour: U256::from(b.price),
            })
            .collect()
    }

    /// Auction `job_id`: `(requester, gpuCount, maxPricePerGpuHour, bidEnd, state)`; `state` 0 none,
    /// 1 open, 2 awarded, 3 closed without award, 4 cancelled.
    pub fn auction(&self, job_id: U256) -> (Address, u32, U256, u64, u8) {
        let a = self.auctions.getter(job_id);
        (
            a.requester.get(),
            a.gpu_count.get().to::<u32>(),
            U256::from(a.max_price.get().to::<u64>()),
            a.bid_end.get().to::<u64>(),
            a.state.get().to::<u8>(),
        )
    }

    /// Auction `job_id`'s requirements.
    pub fn requirements(&self, job_id: U256) -> Requirements {
        let a = self.auctions.getter(job_id);
        Requirements {
            gpuModel: a.req_model.get(),
            minVramGiB: a.min_vram.get().to::<u32>(),
            minSuccessBps: a.min_success_bps.get().to::<u16>(),
            minCompletedJobs: a.min_completed.get().to::<u64>(),
            minActiveStake: a.min_stake.get(),
            attestedOnly: a.attested_only.get(),
        }
    }

    /// Whether `provider` meets auction `job_id`'s requirements now: 0 if it does, else the
    /// `JobMarketNotQualified` reason code.
    ///
    /// # Errors
    /// `JobMarketUnknownAuction(jobId)`, `CallFailed(registry, reason)`.
    pub fn qualification(&self, job_id: U256, provider: Address) -> Result<u8, Error> {
        self.state(job_id)?;
        Ok(self.qualify(job_id, provider)?.err().unwrap_or(0))
    }

    // -----------------------------------------------------------------------------------------
    // Attestation
    // -----------------------------------------------------------------------------------------

    /// Records `provider`'s verified hardware, replacing any previous attestation. Only
    /// `ATTESTER_ROLE` (a verification service that checked e.g. a TEE or NVIDIA attestation report
    /// whose digest is `evidence_hash`). A provider's own `register` profile stays a claim.
    ///
    /// # Arguments
    /// * `gpu_count` - 1..=1024. * `expires_at` - unix seconds, after now.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, ATTESTER_ROLE)`,
    /// `JobMarketInvalidAttestation(provider, gpuCount, expiresAt)`.
    ///
    /// # Events
    /// `Attested(provider, attester, gpuModel, gpuCount, vramGiB, evidenceHash, expiresAt)`.
    pub fn attest(
        &mut self,
        provider: Address,
        gpu_model: B256,
        gpu_count: u32,
        vram_gib: u32,
        evidence_hash: B256,
        expires_at: u64,
    ) -> Result<(), Error> {
        self.roles.only_role(ATTESTER_ROLE)?;
        if gpu_count == 0 || gpu_count > MAX_GPU_COUNT || expires_at <= self.vm().block_timestamp()
        {
            return Err(Error::InvalidAttestation(JobMarketInvalidAttestation {
                provider,
                gpuCount: gpu_count,
                expiresAt: expires_at,
            }));
        }
        let mut a = self.attestations.setter(provider);
        a.gpu_model.set(gpu_model);
        a.evidence.set(evidence_hash);
        a.gpu_count
            .set(alloy_primitives::aliases::U32::from(gpu_count));
        a.vram_gib
            .set(alloy_primitives::aliases::U32::from(vram_gib));
        a.expires_at.set(U64::from(expires_at));
        let attester = self.vm().msg_sender();
        self.emit(
            &[
                Attested::SIGNATURE_HASH,
                addr_word(provider),
                addr_word(attester),
            ],
            &[
                gpu_model,
                uint_word(U256::from(gpu_count)),
                uint_word(U256::from(vram_gib)),
                evidence_hash,
                uint_word(U256::from(expires_at)),
            ],
        );
        Ok(())
    }

    /// Revokes `provider`'s attestation. Only `ATTESTER_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, ATTESTER_ROLE)`.
    ///
    /// # Events
    /// `AttestationRevoked(provider, attester)`.
    pub fn revoke_attestation(&mut self, provider: Address) -> Result<(), Error> {
        self.roles.only_role(ATTESTER_ROLE)?;
        let mut a = self.attestations.setter(provider);
        a.gpu_model.set(B256::ZERO);
        a.evidence.set(B256::ZERO);
        a.gpu_count.set(alloy_primitives::aliases::U32::ZERO);
        a.vram_gib.set(alloy_primitives::aliases::U32::ZERO);
        a.expires_at.set(U64::ZERO);
        let attester = self.vm().msg_sender();
        self.emit(
            &[
                AttestationRevoked::SIGNATURE_HASH,
                addr_word(provider),
                addr_word(attester),
            ],
            &[],
        );
        Ok(())
    }

    /// `provider`'s attestation: `(gpuModel, gpuCount, vramGiB, evidenceHash, expiresAt, valid)`;
    /// `valid` is false once `expiresAt` has passed (or when there is none: all zero).
    pub fn attestation(&self, provider: Address) -> (B256, u32, u32, B256, u64, bool) {
        let a = self.attestations.getter(provider);
        let expires = a.expires_at.get().to::<u64>();
        (
            a.gpu_model.get(),
            a.gpu_count.get().to::<u32>(),
            a.vram_gib.get().to::<u32>(),
            a.evidence.get(),
            expires,
            expires > self.vm().block_timestamp(),
        )
    }

    // -----------------------------------------------------------------------------------------
    // Configuration
    // -----------------------------------------------------------------------------------------

    /// Sets parameter `name` to `value` within its bounds. Only `PARAMETER_ADMIN_ROLE`. Running
    /// auctions keep their windows.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, PARAMETER_ADMIN_ROLE)`, `UnknownParameter(name)`,
    /// `ParameterOutOfBounds(name, value, min, max)`.
    ///
    /// # Events
    /// `ParameterUpdated(name, oldValue, newValue)`.
    pub fn set_parameter(&mut self, name: B256, value: U256) -> Result<(), Error> {
        self.roles.only_role(PARAMETER_ADMIN_ROLE)?;
        self.params.set_in(&PARAMETERS, name, value)?;
        Ok(())
    }

    /// The value of parameter `name`.
    ///
    /// # Errors
    /// `UnknownParameter(name)`.
    pub fn parameter(&self, name: B256) -> Result<U256, Error> {
        Ok(self.params.value(&PARAMETERS, name)?)
    }

    /// The addresses fixed at construction: `(escrow, registry)`.
    pub fn contracts(&self) -> (Address, Address) {
        (self.escrow.get(), self.registry.get())
    }
}

common::impl_access_control!(JobMarket, roles);
common::impl_pausable!(JobMarket, pause_state, roles);

fn not_qualified(job_id: U256, provider: Address, reason: u8) -> Error {
    Error::NotQualified(JobMarketNotQualified {
        jobId: job_id,
        provider,
        reason,
    })
}

fn ended(job_id: U256, state: u8) -> Error {
    Error::AuctionEnded(JobMarketAuctionEnded {
        jobId: job_id,
        state,
    })
}

impl JobMarket {
    /// The state of auction `job_id`.
    ///
    /// # Errors
    /// `JobMarketUnknownAuction(jobId)` for a job that is not an auction of this market.
    fn state(&self, job_id: U256) -> Result<u8, Error> {
        match self.auctions.getter(job_id).state.get().to::<u8>() {
            0 => Err(Error::UnknownAuction(JobMarketUnknownAuction {
                jobId: job_id,
            })),
            s => Ok(s),
        }
    }

    /// Fails unless auction `job_id` is open and its bid window has not closed.
    fn bidding(&self, job_id: U256) -> Result<(), Error> {
        let state = self.state(job_id)?;
        if state != OPEN {
            return Err(ended(job_id, state));
        }
        let bid_end = self.auctions.getter(job_id).bid_end.get().to::<u64>();
        if self.vm().block_timestamp() >= bid_end {
            return Err(Error::BiddingClosed(JobMarketBiddingClosed {
                jobId: job_id,
                bidEnd: bid_end,
            }));
        }
        Ok(())
    }

    /// `(slot of provider's bid or of the first free slot, provider's bid)`.
    fn find_bid(&self, job_id: U256, provider: Address) -> (Option<usize>, Option<Slot>) {
        let a = self.auctions.getter(job_id);
        let mut free = None;
        for i in 0..MAX_BIDS {
            match Slot::decode(a.bids.get(i).unwrap_or_default()) {
                Some(b) if b.provider == provider => return (Some(i), Some(b)),
                None if free.is_none() => free = Some(i),
                _ => {}
            }
        }
        (free, None)
    }

    /// Checks `provider` against auction `job_id`'s requirements with two registry reads
    /// (`isEligible`, `providerInfo`) and its attestation. `Ok(Ok(successBps))` when it qualifies,
    /// `Ok(Err(reason))` when it does not.
    fn qualify(&self, job_id: U256, provider: Address) -> Result<Result<u16, u8>, Error> {
        let registry = self.registry.get();
        let eligible = ext::view_word(
            self.vm(),
            registry,
            &address_call(isEligibleCall::SELECTOR, provider),
        )?;
        if eligible.is_zero() {
            return Ok(Err(reason::NOT_ELIGIBLE));
        }
        let info = ext::view(
            self.vm(),
            registry,
            &address_call(providerInfoCall::SELECTOR, provider),
        )?;
        let word = |i: usize| -> Result<U256, Error> {
            let at = i.saturating_mul(32);
            ext::decode_word(info.get(at..at.saturating_add(32)).unwrap_or_default())
                .ok_or_else(|| call_failed(registry, info.clone()).into())
        };
        let a = self.auctions.getter(job_id);
        let (att_model, att_count, att_vram, _, _, valid) = self.attestation(provider);
        if a.attested_only.get() && !valid {
            return Ok(Err(reason::NOT_ATTESTED));
        }
        let (model, count, vram) = if valid {
            (att_model, U256::from(att_count), U256::from(att_vram))
        } else {
            (B256::from(word(1)?), word(2)?, word(3)?)
        };
        let req_model = a.req_model.get();
        if !req_model.is_zero() && model != req_model {
            return Ok(Err(reason::GPU_MODEL));
        }
        if count < U256::from(a.gpu_count.get().to::<u32>()) {
            return Ok(Err(reason::GPU_COUNT));
        }
        if vram < U256::from(a.min_vram.get().to::<u32>()) {
            return Ok(Err(reason::VRAM));
        }
        let (completed, failed) = (
            word(9)?.saturating_to::<u64>(),
            word(10)?.saturating_to::<u64>(),
        );
        let success = success_bps(completed, failed);
        if success < a.min_success_bps.get().to::<u16>() {
            return Ok(Err(reason::SUCCESS_RATE));
        }
        if completed < a.min_completed.get().to::<u64>() {
            return Ok(Err(reason::COMPLETED_JOBS));
        }
        if word(5)? < a.min_stake.get() {
            return Ok(Err(reason::STAKE));
        }
        Ok(Ok(success))
    }

    /// Marks auction `job_id` awarded to `bid` and starts the escrow job at its price.
    fn award(&mut self, job_id: U256, bid: Slot, by_requester: bool) -> Result<(), Error> {
        self.auctions
            .setter(job_id)
            .state
            .set(alloy_primitives::aliases::U8::from(AWARDED));
        self.emit(
            &[
                AuctionAwarded::SIGNATURE_HASH,
                uint_word(job_id),
                addr_word(bid.provider),
            ],
            &[
                uint_word(U256::from(bid.price)),
                uint_word(U256::from(by_requester as u8)),
            ],
        );
        let escrow = self.escrow.get();
        ext::call(
            self,
            escrow,
            &award_call(job_id, bid.provider, U256::from(bid.price)),
        )?;
        Ok(())
    }

    /// Whether `e` is the escrow reverting because the registry refused the stake lock (the
    /// bidder cannot take the job now): `CallFailed(escrow, CallFailed(registry, …))`.
    fn refused_by_registry(&self, e: &Error) -> bool {
        let Error::Common(CommonError::CallFailed(outer)) = e else {
            return false;
        };
        let inner = &outer.returnData;
        outer.target == self.escrow.get()
            && inner.len() >= 36
            && inner[..4] == CallFailed::SELECTOR
            && inner[16..36] == self.registry.get().0[..]
    }

    /// Ends auction `job_id` without an award (`state` CLOSED or CANCELLED) and cancels the escrow
    /// job (unlocking the requester's credits).
    fn end_without_award(&mut self, job_id: U256, state: u8) -> Result<(), Error> {
        self.auctions
            .setter(job_id)
            .state
            .set(alloy_primitives::aliases::U8::from(state));
        self.emit(
            &[AuctionEndedWithoutAward::SIGNATURE_HASH, uint_word(job_id)],
            &[uint_word(U256::from((state == CANCELLED) as u8))],
        );
        let escrow = self.escrow.get();
        ext::call(self, escrow, &uint_call(cancelJobCall::SELECTOR, job_id))?;
        Ok(())
    }

    /// Logs an event whose data is all static words.
    fn emit(&self, topics: &[B256], words: &[B256]) {
        // Cannot fail: every event has at most 3 topics.
        let _ = self.vm().raw_log(topics, &encode_static(&[], words));
    }
}

/// A provider's success rate in bps: `completed × 10,000 / (completed + failed)`; 0 without history.
pub fn success_bps(completed: u64, failed: u64) -> u16 {
    // Cannot overflow: two u64 values sum below 2^65, and × 10,000 stays below 2^79.
    let total = u128::from(completed).wrapping_add(u128::from(failed));
    // ≤ 10,000: fits u16; 0 without history.
    u128::from(completed)
        .wrapping_mul(10_000)
        .checked_div(total)
        .unwrap_or(0) as u16
}
