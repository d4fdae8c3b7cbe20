//! The Emissions contract's Solidity-visible errors and events (docs/protocol.md "Emissions").
//!
//! Its own errors are prefixed `Emissions`; the shared ones (access control, `CallFailed`,
//! parameters, arithmetic) come from `common::errors`.

pub use common::errors::{
    AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount, ArithmeticOverflow, CallFailed, CommonError,
    ParameterOutOfBounds, UnknownParameter,
};
pub use common::params::ParameterUpdated;

common::contract_errors! {
    /// Every error the Emissions contract returns; each variant encodes as the Solidity custom
    /// error it wraps (unit tests compare the bytes with alloy's `abi_encode`).
    pub enum Error {
        /// An address argument that must be set (token, treasury, controller, recipient,
        /// provider) is zero.
        ZeroAddress = EmissionsZeroAddress();
        /// Epoch `epoch` is not finalised yet (it is current or later, or waits for
        /// `finalizeEpochs`).
        EpochNotFinalized = EmissionsEpochNotFinalized(uint256 epoch);
        /// The caller already claimed its work reward of epoch `epoch` (or listed it twice).
        AlreadyClaimed = EmissionsAlreadyClaimed(uint256 epoch);
        /// `claimRewards` takes at most `max` epochs; `length` were given.
        TooManyEpochs = EmissionsTooManyEpochs(uint256 length, uint256 max);
        /// A parameter that shapes an epoch's emission can only change when every past epoch is
        /// final (`nextEpoch == currentEpoch`), so that the change applies from the next epoch
        /// and never to an epoch that already started: call `finalizeEpochs` first.
        EpochsPending = EmissionsEpochsPending(uint256 nextEpoch, uint256 currentEpoch);
        /// The controller (the source of settled fees) is set once; it is already `controller`.
        ControllerAlreadySet = EmissionsControllerAlreadySet(address controller);
    }
    common: [
        AccessControlUnauthorizedAccount,
        AccessControlBadConfirmation,
        AccessControlInvalidDefaultAdmin,
        CallFailed,
        UnknownParameter,
        ParameterOutOfBounds,
        ArithmeticOverflow,
    ];
}

common::contract_events! {
    /// `drawn` CT (wei) of the `requested` amount were taken from the emission reserve during epoch
    /// `epoch` and minted to `to` (a settlement the burn budget could not cover); the rest, above the
    /// epoch's draw cap or the reserve, stays owed by the controller.
    event ReserveDrawn(uint256 indexed epoch, address indexed to, uint256 requested, uint256 drawn);
    /// Epoch `epoch` was finalised: `emitted` CT (wei) left the reserve — `treasuryAmount` minted to
    /// the treasury, `workPool` for the providers that settled `fees` CT of fees in the epoch (each
    /// gets its fees' share of it; `workPool ≤ fees × workRewardCapBps`), and `stakePool` streamed
    /// to eligible stake over the next `epochLength` seconds.
    event EpochFinalized(uint256 indexed epoch, uint256 emitted, uint256 treasuryAmount, uint256 workPool, uint256 stakePool, uint256 fees);
    /// `provider` claimed `amount` CT (wei) of epoch `epoch`'s work pool.
    event RewardsClaimed(address indexed provider, uint256 indexed epoch, uint256 amount);
    /// `provider` claimed `amount` CT (wei) of stake rewards.
    event StakeRewardsClaimed(address indexed provider, uint256 amount);
    /// The registry reported `provider`'s earning stake as `amount` wei; `totalEarning` wei of
    /// stake now share the stake stream.
    event EarningStakeUpdated(address indexed provider, uint256 amount, uint256 totalEarning);
    /// `returned` CT (wei) of the stake stream found no eligible stake and went back to the reserve.
    event StakeRewardsReturned(uint256 returned);
    /// The treasury is now `treasury`.
    event TreasuryUpdated(address indexed treasury);
    /// The controller, whose settled fees size the work pools, is `controller` (set once).
    event ControllerSet(address indexed controller);
}
