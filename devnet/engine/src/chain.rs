//! Types and constants every module of the engine shares: predeploy addresses, the ArbOS version
//! and the Stylus parameters it implies, engine options and the genesis account type. Nothing here
//! depends on another module of the crate.
//!
//! Parameter values are Nitro's defaults for a chain that went through the ArbOS upgrades up to the
//! chosen version (OffchainLabs/nitro `arbos/programs/params.go`: `initStylusParams`,
//! `UpgradeToVersion`, `UpgradeToArbosVersion`). A chain owner can change them with `ArbOwner`;
//! Arbitrum One and Sepolia run the defaults.

use revm::context::{BlockEnv, CfgEnv, TxEnv};
use revm::primitives::{address, Address, Bytes, U256};

/// The ArbSys precompile (`arbBlockNumber`, `arbChainID`, `arbOSVersion`, ...).
pub const ARB_SYS: Address = address!("0000000000000000000000000000000000000064");
/// ArbInfo (holds code `0xFE`; not implemented beyond that).
pub const ARB_INFO: Address = address!("0000000000000000000000000000000000000065");
/// ArbAddressTable (holds code `0xFE`; not implemented beyond that).
pub const ARB_ADDRESS_TABLE: Address = address!("0000000000000000000000000000000000000066");
/// ArbOwnerPublic (`getMaxStylusContractFragments()` from ArbOS 60).
pub const ARB_OWNER_PUBLIC: Address = address!("000000000000000000000000000000000000006b");
/// ArbGasInfo (holds code `0xFE`; not implemented beyond that).
pub const ARB_GAS_INFO: Address = address!("000000000000000000000000000000000000006c");
/// ArbAggregator (holds code `0xFE`; not implemented beyond that).
pub const ARB_AGGREGATOR: Address = address!("000000000000000000000000000000000000006d");
/// ArbRetryableTx (holds code `0xFE`; not implemented beyond that).
pub const ARB_RETRYABLE_TX: Address = address!("000000000000000000000000000000000000006e");
/// ArbOwner: every call succeeds with empty output (the devnet setup calls it).
pub const ARB_OWNER: Address = address!("0000000000000000000000000000000000000070");
/// The ArbWasm precompile: activation and program views (Nitro `precompiles/ArbWasm.go`).
pub const ARB_WASM: Address = address!("0000000000000000000000000000000000000071");
/// The ArbWasmCache precompile (Nitro `precompiles/ArbWasmCache.go`).
pub const ARB_WASM_CACHE: Address = address!("0000000000000000000000000000000000000072");
/// ArbDebug: every call succeeds with empty output (`becomeChainOwner()`).
pub const ARB_DEBUG: Address = address!("00000000000000000000000000000000000000ff");
/// The deterministic-deployment CREATE2 factory (Arachnid's proxy).
pub const CREATE2_FACTORY: Address = address!("4e59b44847b379578588920ca78fbf26c0b4956c");
/// The StylusDeployer used by `cargo stylus deploy` for constructors, implemented natively with the
/// behaviour of OffchainLabs/nitro-contracts `src/stylus/StylusDeployer.sol`.
pub const STYLUS_DEPLOYER: Address = address!("cEcba2F1DC234f70Dd89F2041029807F8D03A990");

/// Every Arbitrum precompile address this engine installs with code `0xFE`.
pub const ARB_PRECOMPILES: [Address; 11] = [
    ARB_SYS,
    ARB_INFO,
    ARB_ADDRESS_TABLE,
    ARB_OWNER_PUBLIC,
    ARB_GAS_INFO,
    ARB_AGGREGATOR,
    ARB_RETRYABLE_TX,
    ARB_OWNER,
    ARB_WASM,
    ARB_WASM_CACHE,
    ARB_DEBUG,
];

/// Runtime code of the CREATE2 factory, 69 bytes.
pub const CREATE2_FACTORY_CODE: &str = "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3";

/// The Stylus version reported by `ArbWasm.stylusVersion()` and stored on activation (2 since
/// ArbOS 31; `StylusParams.UpgradeToVersion`).
pub const STYLUS_VERSION: u16 = 2;
/// Ink per gas (`initialInkPrice`; `ArbWasm.inkPrice()`).
pub const INK_PRICE: u64 = 10_000;
/// Free pages per transaction (`InitialFreePages`).
pub const FREE_PAGES: u16 = 2;
/// Gas per page above the free ones (`InitialPageGas`).
pub const PAGE_GAS: u16 = 1000;
/// Exponential ramp reported by `ArbWasm.pageRamp()` (`initialPageRamp`).
pub const PAGE_RAMP: u64 = 620_674_314;
/// Page limit: no program may start with, or a transaction open, more than 128 pages (8 MiB;
/// `initialPageLimit`).
pub const PAGE_LIMIT: u16 = 128;
/// Minimum uncached init gas: `MinInitGas` 69 × 128 (`v2MinInitGas`, `MinInitGasUnits`).
pub const MIN_INIT_GAS: u64 = 69 * 128;
/// Minimum cached init gas: `MinCachedInitGas` 11 × 32 (`initialMinCachedGas`, `MinCachedGasUnits`).
pub const MIN_CACHED_INIT_GAS: u64 = 11 * 32;
/// Init and cached-init cost scalars in percent (`initialInitCostScalar` 50 × `CostScalarPercent` 2).
pub const COST_SCALAR_PERCENT: u64 = 100;
/// Programs expire this many days after activation (`initialExpiryDays`).
pub const EXPIRY_DAYS: u64 = 365;
/// `codehashKeepalive` is refused before this many days (`initialKeepaliveDays`).
pub const KEEPALIVE_DAYS: u64 = 31;
/// Entries of the per-block recent-program cache (`initialRecentCacheSize`).
pub const BLOCK_CACHE_SIZE: u16 = 32;
/// Fixed gas burned at the start of every activation (Nitro `precompiles/ArbWasm.go`,
/// `ActivateProgram`: `c.Burn(..., 1659168)`).
pub const ACTIVATION_FIXED_GAS: u64 = 1_659_168;
/// Nitro's activation-time origin: `ArbitrumStartTime` = 1421388000 (2015-01-16 06:00 UTC;
/// `arbos/programs/data_pricer.go`). Activation times are stored as hours since then.
pub const ARBITRUM_START_TIME: u64 = 1_421_388_000;

/// The ArbOS version whose Stylus rules the engine follows. Arbitrum One and Arbitrum Sepolia run
/// ArbOS 61 "Elara" (on One since 2026-08-20 17:00 UTC; docs.arbitrum.io
/// `run-arbitrum-node/arbos-releases/arbos61`), which builds on ArbOS 51 "Dia". cargo-stylus
/// 0.10.10's own test node upgrades to ArbOS 60 (`stylus-tools/src/devnet/mod.rs`).
///
/// Nitro gates its Stylus rules on "≥ 60" (`ArbosVersion_StylusContractLimit`,
/// `ArbosVersion_StylusActivationGas`, `ARBOS_VERSION_STYLUS_NO_MULTI_VALUE`, the recent-program
/// cache in `arbos/programs/programs.go`), so 60 and 61 behave alike here; 51 has none of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ArbosVersion {
    /// ArbOS 51 "Dia" (Arbitrum One from 2026-01-08 to 2026-08-20).
    V51,
    /// ArbOS 60 (cargo-stylus's test node).
    V60,
    /// ArbOS 61 "Elara": Arbitrum One and Sepolia today; the default.
    #[default]
    V61,
}

/// An `--arbos-version` value that is not 51, 60 or 61.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsupportedArbosVersion(pub String);

impl std::fmt::Display for UnsupportedArbosVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unsupported ArbOS version {:?}: the dev chain supports 51, 60 and 61",
            self.0
        )
    }
}

impl std::error::Error for UnsupportedArbosVersion {}

impl ArbosVersion {
    /// Every supported version, oldest first.
    pub const ALL: [ArbosVersion; 3] = [Self::V51, Self::V60, Self::V61];

    /// The version number (51, 60 or 61).
    pub const fn number(self) -> u64 {
        match self {
            Self::V51 => 51,
            Self::V60 => 60,
            Self::V61 => 61,
        }
    }

    /// The version with number `n`, if supported.
    pub const fn from_number(n: u64) -> Option<Self> {
        match n {
            51 => Some(Self::V51),
            60 => Some(Self::V60),
            61 => Some(Self::V61),
            _ => None,
        }
    }

    /// True from ArbOS 60: multi-value rejected, recent-program cache, `activationGas` parameter,
    /// `getMaxStylusContractFragments`, fragment prefixes.
    pub const fn at_least_60(self) -> bool {
        !matches!(self, Self::V51)
    }

    /// Whether activation accepts the multi-value proposal (before ArbOS 60; Nitro
    /// `crates/prover/src/binary.rs`, `parse_with_version`).
    pub const fn multi_value(self) -> bool {
        !self.at_least_60()
    }

    /// Whether program calls consult the per-block recent-program cache (ArbOS ≥ 60; Nitro
    /// `arbos/programs/programs.go`, `CallProgram`).
    pub const fn recent_program_cache(self) -> bool {
        self.at_least_60()
    }

    /// `ArbWasm.maxStackDepth()`: 22,000 words since ArbOS 50 (`arbOS50MaxWasmSize`, applied by
    /// `UpgradeToArbosVersion(50)` to the initial 4 × 65,536).
    pub const fn max_stack_depth(self) -> u32 {
        22_000
    }

    /// `MaxFragmentCount` (`initialMaxFragmentCount` = 2 from ArbOS 60, absent before).
    pub const fn max_fragment_count(self) -> u8 {
        if self.at_least_60() {
            2
        } else {
            0
        }
    }

    /// `ArbSys.arbOSVersion()`: 55 + the version (Nitro `precompiles/ArbSys.go`).
    pub const fn arbsys_version(self) -> u64 {
        55 + self.number()
    }
}

impl std::fmt::Display for ArbosVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.number())
    }
}

impl std::str::FromStr for ArbosVersion {
    type Err = UnsupportedArbosVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse::<u64>()
            .ok()
            .and_then(Self::from_number)
            .ok_or_else(|| UnsupportedArbosVersion(s.to_string()))
    }
}

/// Engine options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineConfig {
    /// Enables the `console` debug imports (`log_txt`, `log_i32`, …) and prints activation failure
    /// reasons to stderr, as a Nitro debug chain logs them. Without it, programs importing the
    /// debug functions fail activation, as on a non-debug Nitro chain.
    pub debug: bool,
}

/// The revm context type the engine executes in (what an [`revm::Inspector`] passed to
/// `Engine::inspect` sees).
pub type EngineContext<DB> =
    revm::context::Context<BlockEnv, TxEnv, CfgEnv, DB, revm::context::Journal<DB>, ()>;

/// An account to install at genesis (a predeploy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenesisAccount {
    /// Account address.
    pub address: Address,
    /// Balance in wei.
    pub balance: U256,
    /// Account nonce.
    pub nonce: u64,
    /// Runtime code bytes (may be empty).
    pub code: Bytes,
    /// Storage slots `(key, value)`.
    pub storage: Vec<(U256, U256)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arbos_version_parses_51_60_61_only() {
        for v in ArbosVersion::ALL {
            assert_eq!(v.to_string().parse::<ArbosVersion>(), Ok(v));
        }
        assert_eq!(" 61 ".parse::<ArbosVersion>(), Ok(ArbosVersion::V61));
        assert_eq!(ArbosVersion::default(), ArbosVersion::V61);
        for bad in ["50", "62", "", "sixty", "-1"] {
            let e = bad.parse::<ArbosVersion>().unwrap_err();
            assert!(e.to_string().contains("supports 51, 60 and 61"), "{e}");
        }
        assert!(ArbosVersion::V51.multi_value() && !ArbosVersion::V60.multi_value());
        assert!(
            !ArbosVersion::V51.recent_program_cache() && ArbosVersion::V61.recent_program_cache()
        );
    }
}
