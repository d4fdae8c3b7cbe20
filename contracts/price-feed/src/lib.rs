//! # ManualPriceFeed
//!
//! A price feed whose answer an operator sets by hand, with the read interface of Chainlink's
//! `AggregatorV3Interface` (`decimals`, `description`, `version`, `latestRoundData`, `getRoundData`) and
//! the events of Chainlink's `AggregatorInterface` (`AnswerUpdated`, `NewRound`).
//!
//! WARNING: **for dev chains and tests only.** Whoever holds [`FEEDER_ROLE`] sets the price of CT, and
//! with it how many credits a burned token buys and how many tokens a settlement mints. On real networks
//! the BME controller points at a Chainlink CT/USD feed (and an L2 sequencer-uptime feed) instead; the
//! deploy script deploys this contract only on the dev chain (chain id 412346) when no `--price-feed` is
//! given (docs/protocol.md §11 "Deployment").
//!
//! Rounds are numbered 1, 2, 3, … (no Chainlink phase bits); `answeredInRound` always equals `roundId`.
//! The constructor records round 1. Answers are signed integers with [`ManualPriceFeed::decimals`]
//! decimals (0 to 18), e.g. 8 decimals and `150000000` for 1.50 USD per CT; zero and negative answers can
//! be set on purpose, to test consumers' `answer <= 0` checks. Times are unix seconds.
//!
//! ## Security considerations
//! - Only [`FEEDER_ROLE`] sets answers; only `DEFAULT_ADMIN_ROLE` grants it. No other state changes.
//! - `updateRoundData` lets the feeder back-date a round (to test staleness checks), but never
//!   into the future and never with `startedAt > updatedAt`.
//! - No external calls; no loops.
//!
//! ## Invariants
//! 1. `latestRoundData().roundId` = number of answers set (≥ 1 after construction).
//! 2. `getRoundData(r)` for `1 <= r <= latest` returns what was set in round `r`, forever.
//! 3. For every round, `startedAt <= updatedAt <= block.timestamp at the time it was set`.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]
// stylus-proc generates undocumented items (`user_entrypoint`, export-abi structs) outside test
// builds; docs stay enforced in the test build, which `cargo clippy --all-targets` checks.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
// Errors carry the Solidity custom error they encode (CommonError includes `CallFailed` with its
// revert bytes); boxing them would cost code size for no gain on a revert path.
#![allow(clippy::result_large_err)]

extern crate alloc;

#[cfg(test)]
mod tests;

use alloc::string::String;

use alloy_primitives::{aliases::U80, FixedBytes, B256, I256, U256};
use alloy_sol_types::SolEvent;
use common::{
    access::{AccessControl, Roles},
    errors::invalid_admin,
    roles::DEFAULT_ADMIN_ROLE,
    short_string,
};
use keccak_const::Keccak256;
use stylus_sdk::{
    prelude::*,
    storage::{StorageB256, StorageI256, StorageMap, StorageU64, StorageU8},
};

/// `keccak256("FEEDER_ROLE")`: may set answers.
pub const FEEDER_ROLE: B256 = FixedBytes(Keccak256::new().update(b"FEEDER_ROLE").finalize());

/// Largest accepted `decimals` (the BME controller scales any feed with 0–18 decimals exactly).
pub const MAX_DECIMALS: u8 = 18;

/// The value `version()` returns: the version of this contract's interface.
pub const VERSION: u64 = 1;

pub use common::errors::{
    AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount, CommonError,
};

common::contract_errors! {
    /// Every error the feed returns; each variant encodes as the Solidity custom error it wraps.
    pub enum Error {
        /// Round `roundId` has never been set (it is 0 or after the latest round).
        NoDataPresent = PriceFeedNoDataPresent(uint80 roundId);
        /// `decimals` is above `maxDecimals` (18).
        InvalidDecimals = PriceFeedInvalidDecimals(uint8 decimals, uint8 maxDecimals);
        /// `updateRoundData` needs `startedAt <= updatedAt <= now` (unix seconds).
        InvalidTimestamps = PriceFeedInvalidTimestamps(uint256 startedAt, uint256 updatedAt, uint256 now);
        /// The constructor's `description` is `length` bytes long, more than `maxLength` (31).
        DescriptionTooLong = PriceFeedDescriptionTooLong(uint256 length, uint256 maxLength);
    }
    common: [
        AccessControlUnauthorizedAccount,
        AccessControlBadConfirmation,
        AccessControlInvalidDefaultAdmin,
    ];
}

common::contract_events! {
    /// Round `roundId` now answers `current`, set at `updatedAt` (unix seconds). (Chainlink
    /// `AggregatorInterface`.)
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    /// Round `roundId` was started by `startedBy` at `startedAt` (unix seconds). (Chainlink
    /// `AggregatorInterface`.)
    event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);
}

/// `(roundId, answer, startedAt, updatedAt, answeredInRound)`, as Chainlink's `latestRoundData`.
pub type RoundData = (U80, I256, U256, U256, U80);

/// One round's answer and times.
#[storage]
pub struct Round {
    /// The answer, with `decimals` decimals.
    answer: StorageI256,
    /// When the round started (unix seconds).
    started_at: StorageU64,
    /// When the answer was set (unix seconds).
    updated_at: StorageU64,
}

/// The feed's storage and entrypoint.
#[storage]
#[entrypoint]
pub struct ManualPriceFeed {
    /// Decimals of every answer, 0–18.
    decimals: StorageU8,
    /// Free text, e.g. "CT / USD", at most 31 bytes, packed by [`short_string::pack`].
    description: StorageB256,
    /// The latest round id (rounds are 1, 2, 3, …).
    latest_round: StorageU64,
    /// `rounds[id]`.
    rounds: StorageMap<u64, Round>,
    /// Role-based access control.
    roles: Roles,
}

#[public]
#[implements(AccessControl)]
impl ManualPriceFeed {
    /// Initialises the feed and records round 1 with `initial_answer` at the current time.
    ///
    /// # Arguments
    /// * `decimals` - decimals of every answer, 0 to 18 (Chainlink USD feeds use 8).
    /// * `description` - e.g. "CT / USD", at most 31 bytes of UTF-8.
    /// * `initial_answer` - the first answer.
    /// * `admin` - receives `DEFAULT_ADMIN_ROLE` and [`FEEDER_ROLE`].
    ///
    /// # Errors
    /// * `AccessControlInvalidDefaultAdmin(admin)` if `admin` is zero.
    /// * `PriceFeedInvalidDecimals(decimals, 18)` above 18.
    /// * `PriceFeedDescriptionTooLong(length, 31)` if `description` is longer than 31 bytes.
    ///
    /// # Events
    /// `RoleGranted` ×2, `NewRound(1, msg.sender, now)`, `AnswerUpdated(initialAnswer, 1, now)`.
    #[constructor]
    pub fn constructor(
        &mut self,
        decimals: u8,
        description: String,
        initial_answer: I256,
        admin: alloy_primitives::Address,
    ) -> Result<(), Error> {
        if admin.is_zero() {
            return Err(invalid_admin(admin).into());
        }
        if decimals > MAX_DECIMALS {
            return Err(Error::InvalidDecimals(PriceFeedInvalidDecimals {
                decimals,
                maxDecimals: MAX_DECIMALS,
            }));
        }
        let packed = short_string::pack(&description).ok_or(Error::DescriptionTooLong(
            PriceFeedDescriptionTooLong {
                length: U256::from(description.len()),
                maxLength: U256::from(short_string::MAX_LEN),
            },
        ))?;
        self.decimals
            .set(alloy_primitives::aliases::U8::from(decimals));
        self.description.set(packed);
        self.roles._grant_role(DEFAULT_ADMIN_ROLE, admin);
        self.roles._grant_role(FEEDER_ROLE, admin);
        let now = self.vm().block_timestamp();
        self.record(initial_answer, now, now);
        Ok(())
    }

    /// Decimals of every answer (0–18).
    pub fn decimals(&self) -> u8 {
        self.decimals.get().to::<u8>()
    }

    /// The feed's description, e.g. "CT / USD".
    pub fn description(&self) -> String {
        short_string::unpack(self.description.get())
    }

    /// The interface version of this contract ([`VERSION`]).
    pub fn version(&self) -> U256 {
        U256::from(VERSION)
    }

    /// The latest round: `(roundId, answer, startedAt, updatedAt, answeredInRound)`, times in unix
    /// seconds, `answeredInRound == roundId`.
    pub fn latest_round_data(&self) -> RoundData {
        self.round_data(self.latest_round.get().to::<u64>())
    }

    /// Round `round_id`, as [`Self::latest_round_data`].
    ///
    /// # Errors
    /// `PriceFeedNoDataPresent(roundId)` if the round is 0 or after the latest.
    pub fn get_round_data(&self, round_id: U80) -> Result<RoundData, Error> {
        let latest = self.latest_round.get().to::<u64>();
        match u64::try_from(round_id) {
            Ok(id) if id >= 1 && id <= latest => Ok(self.round_data(id)),
            _ => Err(Error::NoDataPresent(PriceFeedNoDataPresent {
                roundId: round_id,
            })),
        }
    }

    /// Starts a new round answering `answer`, started and updated now. Only [`FEEDER_ROLE`].
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, FEEDER_ROLE)`.
    ///
    /// # Events
    /// `NewRound(roundId, caller, now)`, `AnswerUpdated(answer, roundId, now)`.
    pub fn update_answer(&mut self, answer: I256) -> Result<(), Error> {
        self.roles.only_role(FEEDER_ROLE)?;
        let now = self.vm().block_timestamp();
        self.record(answer, now, now);
        Ok(())
    }

    /// Starts a new round answering `answer` with explicit times, to simulate a stale or delayed
    /// feed. Only [`FEEDER_ROLE`].
    ///
    /// # Errors
    /// * `AccessControlUnauthorizedAccount(caller, FEEDER_ROLE)`.
    /// * `PriceFeedInvalidTimestamps(startedAt, updatedAt, now)` unless
    ///   `startedAt <= updatedAt <= block.timestamp`.
    ///
    /// # Events
    /// `NewRound(roundId, caller, startedAt)`, `AnswerUpdated(answer, roundId, updatedAt)`.
    pub fn update_round_data(
        &mut self,
        answer: I256,
        started_at: U256,
        updated_at: U256,
    ) -> Result<(), Error> {
        self.roles.only_role(FEEDER_ROLE)?;
        let now = self.vm().block_timestamp();
        if started_at > updated_at || updated_at > U256::from(now) {
            return Err(Error::InvalidTimestamps(PriceFeedInvalidTimestamps {
                startedAt: started_at,
                updatedAt: updated_at,
                now: U256::from(now),
            }));
        }
        // Both fit in u64: started_at <= updated_at <= now < 2^64.
        self.record(answer, started_at.to::<u64>(), updated_at.to::<u64>());
        Ok(())
    }

    /// `keccak256("FEEDER_ROLE")`, the role allowed to set answers.
    #[selector(name = "FEEDER_ROLE")]
    pub fn feeder_role(&self) -> B256 {
        FEEDER_ROLE
    }
}

common::impl_access_control!(ManualPriceFeed, roles);

impl ManualPriceFeed {
    /// Appends a round and emits its events.
    fn record(&mut self, answer: I256, started_at: u64, updated_at: u64) {
        // Cannot overflow: one round per transaction, far below 2^64.
        let id = self.latest_round.get().to::<u64>().wrapping_add(1);
        self.latest_round
            .set(alloy_primitives::aliases::U64::from(id));
        let mut round = self.rounds.setter(id);
        round.answer.set(answer);
        round
            .started_at
            .set(alloy_primitives::aliases::U64::from(started_at));
        round
            .updated_at
            .set(alloy_primitives::aliases::U64::from(updated_at));
        let started_by = self.vm().msg_sender();
        // Logged by hand: alloy's per-event encoder costs ~500–800 bytes of wasm each.
        let round = B256::from(U256::from(id));
        let _ = self.vm().raw_log(
            &[NewRound::SIGNATURE_HASH, round, started_by.into_word()],
            &U256::from(started_at).to_be_bytes::<32>(),
        );
        let _ = self.vm().raw_log(
            &[
                AnswerUpdated::SIGNATURE_HASH,
                B256::from(answer.into_raw()),
                round,
            ],
            &U256::from(updated_at).to_be_bytes::<32>(),
        );
    }

    fn round_data(&self, id: u64) -> RoundData {
        let round = self.rounds.getter(id);
        let round_id = U80::from(id);
        (
            round_id,
            round.answer.get(),
            U256::from(round.started_at.get()),
            U256::from(round.updated_at.get()),
            round_id,
        )
    }
}
