//! The escrow's governance parameters (docs/protocol.md "JobEscrow"): names, defaults and hard
//! bounds, in the shared table shape of `common::params`. The table with units is in the crate docs.

use alloy_primitives::{uint, B256, U256};
use common::params::{self, Param};

/// 100% in basis points.
pub const BPS: U256 = uint!(10_000_U256);

/// `bytes32("acceptWindow")`: how long an Open job may be accepted (seconds).
pub const ACCEPT_WINDOW: B256 = params::name("acceptWindow");
/// `bytes32("submitGrace")`: added to `maxDuration` for the result deadline (seconds).
pub const SUBMIT_GRACE: B256 = params::name("submitGrace");
/// `bytes32("challengeWindow")`: how long a submitted result may be disputed (seconds).
pub const CHALLENGE_WINDOW: B256 = params::name("challengeWindow");
/// `bytes32("arbitrationWindow")`: how long the arbitrator has to rule (seconds).
pub const ARBITRATION_WINDOW: B256 = params::name("arbitrationWindow");
/// `bytes32("minChargeSeconds")`: minimum GPU-seconds charged (capped by `maxDuration`).
pub const MIN_CHARGE_SECONDS: B256 = params::name("minChargeSeconds");
/// `bytes32("collateralBps")`: stake locked per job, in bps of maxCost's CT value.
pub const COLLATERAL_BPS: B256 = params::name("collateralBps");
/// `bytes32("disputeBondBps")`: dispute bond in bps of the cost's CT value.
pub const DISPUTE_BOND_BPS: B256 = params::name("disputeBondBps");
/// `bytes32("minDisputeBond")`: the smallest dispute bond, and the bond while the oracle cannot
/// price one (wei of CT).
pub const MIN_DISPUTE_BOND: B256 = params::name("minDisputeBond");
/// `bytes32("fraudSlashBps")`: slash of a provider ruled at fault (bps of the job's penalty base).
pub const FRAUD_SLASH_BPS: B256 = params::name("fraudSlashBps");
/// `bytes32("fraudJailSeconds")`: jail of a provider ruled at fault (seconds).
pub const FRAUD_JAIL_SECONDS: B256 = params::name("fraudJailSeconds");
/// `bytes32("abandonSlashBps")`: slash of a provider that missed its deadline (bps of the job's
/// penalty base).
pub const ABANDON_SLASH_BPS: B256 = params::name("abandonSlashBps");

const CT: u128 = 1_000_000_000_000_000_000;

/// Every parameter: name, default and hard bounds (`minDisputeBond` = 100 CT).
pub const PARAMETERS: [Param; 11] = [
    Param::new("acceptWindow", 1_800, 300, 86_400),
    Param::new("submitGrace", 3_600, 300, 86_400),
    Param::new("challengeWindow", 86_400, 3_600, 604_800),
    Param::new("arbitrationWindow", 604_800, 86_400, 2_592_000),
    Param::new("minChargeSeconds", 3_600, 0, 86_400),
    Param::new("collateralBps", 20_000, 10_000, 100_000),
    Param::new("disputeBondBps", 500, 0, 10_000),
    Param::new("minDisputeBond", 100 * CT, CT, 100_000 * CT),
    Param::new("fraudSlashBps", 1_000, 0, 2_000),
    Param::new("fraudJailSeconds", 2_592_000, 86_400, 31_536_000),
    Param::new("abandonSlashBps", 250, 0, 2_000),
];
