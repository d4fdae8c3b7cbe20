//! Typed bindings for the compute-market contracts (generated from `abi/*.json` by alloy's `sol!`),
//! plus the Arbitrum StylusDeployer and the ArbWasm precompile.
//!
//! Each interface is a module: `IComputeToken::new(address, provider)` gives an instance with one
//! method per ABI function; `IComputeToken::IComputeTokenErrors` decodes its custom errors.
#![allow(missing_docs, clippy::too_many_arguments)]

use alloy::primitives::{address, Address};
use alloy::sol;

/// Address of the StylusDeployer (Nitro dev node, Arbitrum One/Sepolia, and our devnet).
pub const STYLUS_DEPLOYER: Address = address!("cEcba2F1DC234f70Dd89F2041029807F8D03A990");
/// Address of the ArbWasm precompile.
pub const ARB_WASM: Address = address!("0000000000000000000000000000000000000071");
/// Selector of `stylus_constructor()`, prefixed to the ABI-encoded constructor arguments.
pub const STYLUS_CONSTRUCTOR_SELECTOR: [u8; 4] = [0x55, 0x85, 0x25, 0x8d];

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IComputeToken,
    "../abi/IComputeToken.json"
);
sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IManualPriceFeed,
    "../abi/IManualPriceFeed.json"
);
sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IEmissions,
    "../abi/IEmissions.json"
);
sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IBmeController,
    "../abi/IBmeController.json"
);
sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IProviderRegistry,
    "../abi/IProviderRegistry.json"
);
sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IJobEscrow,
    "../abi/IJobEscrow.json"
);
sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    IJobMarket,
    "../abi/IJobMarket.json"
);

sol! {
    /// The StylusDeployer (nitro-contracts `src/stylus/StylusDeployer.sol`): deploys, activates and
    /// constructs a Stylus program in one transaction.
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    interface IStylusDeployer {
        event ContractDeployed(address deployedContract);
        error ContractDeploymentError(bytes bytecode);
        error ContractInitializationError(address newContract);
        error RefundExcessValueError(uint256 excessValue);
        error EmptyBytecode();
        error InitValueButNotInitData();
        function deploy(bytes calldata bytecode, bytes calldata initData, uint256 initValue, bytes32 salt) external payable returns (address);
        function requiresActivation(address addr) external view returns (bool);
        function initSalt(bytes32 salt, bytes calldata initData, uint256 initValue) external pure returns (bytes32);
    }

    /// The ArbWasm precompile at 0x71.
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    interface ArbWasm {
        event ProgramActivated(bytes32 indexed codehash, bytes32 moduleHash, address program, uint256 dataFee, uint16 version);
        error ProgramNotWasm();
        error ProgramNotActivated();
        error ProgramNeedsUpgrade(uint16 version, uint16 stylusVersion);
        error ProgramExpired(uint64 ageInSeconds);
        error ProgramUpToDate();
        error ProgramKeepaliveTooSoon(uint64 ageInSeconds);
        error ProgramInsufficientValue(uint256 have, uint256 want);
        function activateProgram(address program) external payable returns (uint16 version, uint256 dataFee);
        function stylusVersion() external view returns (uint16 version);
        function codehashVersion(bytes32 codehash) external view returns (uint16 version);
        function programVersion(address program) external view returns (uint16 version);
        function activationGas() external view returns (uint64);
    }
}

/// The controller's `supplyStats()` in ABI order, CT wei (except `outstandingCredits`, 6-decimal
/// credits): burned, reminted, mintedFromReserve, retired, owed, iouFunded, treasuryAccrued,
/// burnBudget, outstandingCredits. `status` and the demo's reconciliation both print it this way.
pub fn controller_supply(s: &IBmeController::supplyStatsReturn) -> [alloy::primitives::U256; 9] {
    [
        s.burned,
        s.reminted,
        s.mintedFromReserve,
        s.retired,
        s.owed,
        s.iouFunded,
        s.treasuryAccrued,
        s.burnBudget,
        s.outstandingCredits,
    ]
}

/// Emissions' `supplyStats()` in ABI order, CT wei: initialReserve, reserve, emitted, drawn,
/// returned.
pub fn emissions_supply(s: &IEmissions::supplyStatsReturn) -> [alloy::primitives::U256; 5] {
    [s.initialReserve, s.reserve, s.emitted, s.drawn, s.returned]
}

impl IJobMarket::Requirements {
    /// Requirements every registered, unjailed provider meets: any GPU model, no minimum VRAM,
    /// success rate, completed jobs or stake, attestation not required.
    pub fn any() -> Self {
        Self {
            gpuModel: alloy::primitives::B256::ZERO,
            minVramGiB: 0,
            minSuccessBps: 0,
            minCompletedJobs: 0,
            minActiveStake: alloy::primitives::U256::ZERO,
            attestedOnly: false,
        }
    }
}
