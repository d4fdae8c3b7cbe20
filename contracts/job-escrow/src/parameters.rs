//! The escrow's governance parameters (DESIGN.md §2, §6; tokenomics-anchors §8(b)): names,
//! defaults and hard bounds, indexed alike. The table with units is in the crate docs.

use alloy_primitives::{uint, B256, U256};
use common::params;

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
/// `bytes32("maxOpenJobsPerProvider")`: most jobs a provider runs at once.
pub const MAX_OPEN_JOBS_PER_PROVIDER: B256 = params::name("maxOpenJobsPerProvider");
/// `bytes32("disputeBondBps")`: dispute bond in bps of the cost's CT value.
pub const DISPUTE_BOND_BPS: B256 = params::name("disputeBondBps");
/// `bytes32("minDisputeBond")`: the smallest dispute bond (wei of CT).
pub const MIN_DISPUTE_BOND: B256 = params::name("minDisputeBond");
/// `bytes32("fraudSlashBps")`: slash of a provider ruled at fault (bps of its stake).
pub const FRAUD_SLASH_BPS: B256 = params::name("fraudSlashBps");
/// `bytes32("fraudJailSeconds")`: jail of a provider ruled at fault (seconds).
pub const FRAUD_JAIL_SECONDS: B256 = params::name("fraudJailSeconds");
/// `bytes32("abandonSlashBps")`: slash of a provider that missed its deadline (bps of its stake).
pub const ABANDON_SLASH_BPS: B256 = params::name("abandonSlashBps");

/// Number of parameters.
pub const PARAMETER_COUNT: usize = 12;
/// Every parameter's name; the index is used by `setParameter`.
pub const PARAMETERS: [B256; PARAMETER_COUNT] = [
    ACCEPT_WINDOW,
    SUBMIT_GRACE,
    CHALLENGE_WINDOW,
    ARBITRATION_WINDOW,
    MIN_CHARGE_SECONDS,
    COLLATERAL_BPS,
    MAX_OPEN_JOBS_PER_PROVIDER,
    DISPUTE_BOND_BPS,
    MIN_DISPUTE_BOND,
    FRAUD_SLASH_BPS,
    FRAUD_JAIL_SECONDS,
    ABANDON_SLASH_BPS,
];
pub(crate) const I_ACCEPT_WINDOW: usize = 0;
pub(crate) const I_SUBMIT_GRACE: usize = 1;
pub(crate) const I_CHALLENGE_WINDOW: usize = 2;
pub(crate) const I_ARBITRATION_WINDOW: usize = 3;
pub(crate) const I_MIN_CHARGE_SECONDS: usize = 4;
pub(crate) const I_COLLATERAL_BPS: usize = 5;
pub(crate) const I_MAX_OPEN_JOBS: usize = 6;
pub(crate) const I_DISPUTE_BOND_BPS: usize = 7;
pub(crate) const I_MIN_DISPUTE_BOND: usize = 8;
pub(crate) const I_FRAUD_SLASH_BPS: usize = 9;
pub(crate) const I_FRAUD_JAIL_SECONDS: usize = 10;
pub(crate) const I_ABANDON_SLASH_BPS: usize = 11;

const CT: U256 = uint!(1_000_000_000_000_000_000_U256);
/// Default `minDisputeBond`: 100 CT.
pub const DEFAULT_MIN_DISPUTE_BOND: U256 = uint!(100_000000000000000000_U256);

/// Defaults, by [`PARAMETERS`] index (DESIGN.md §6; `minDisputeBond`, which DESIGN.md leaves open,
/// is 100 CT).
pub const PARAMETER_DEFAULT: [U256; PARAMETER_COUNT] = [
    uint!(1_800_U256),
    uint!(3_600_U256),
    uint!(86_400_U256),
    uint!(604_800_U256),
    uint!(3_600_U256),
    uint!(20_000_U256),
    uint!(64_U256),
    uint!(500_U256),
    DEFAULT_MIN_DISPUTE_BOND,
    uint!(1_000_U256),
    uint!(2_592_000_U256),
    uint!(250_U256),
];
/// Hard lower bounds, by [`PARAMETERS`] index.
pub const PARAMETER_MIN: [U256; PARAMETER_COUNT] = [
    uint!(300_U256),
    uint!(300_U256),
    uint!(3_600_U256),
    uint!(86_400_U256),
    U256::ZERO,
    uint!(10_000_U256),
    uint!(1_U256),
    U256::ZERO,
    CT,
    U256::ZERO,
    uint!(86_400_U256),
    U256::ZERO,
];
/// Hard upper bounds, by [`PARAMETERS`] index.
pub const PARAMETER_MAX: [U256; PARAMETER_COUNT] = [
    uint!(86_400_U256),
    uint!(86_400_U256),
    uint!(604_800_U256),
    uint!(2_592_000_U256),
    uint!(86_400_U256),
    uint!(100_000_U256),
    uint!(64_U256),
    BPS,
    uint!(100_000_000000000000000000_U256),
    uint!(2_000_U256),
    uint!(31_536_000_U256),
    uint!(2_000_U256),
];
