// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.23;

// What this project compiles: the Solidity example dApp, unchanged, and the generated interfaces
// of the Stylus contracts it does not import itself, so that every one has an artifact
// (`ethers.getContractAt("IManualPriceFeed", address)`).
import {ComputeJobClient} from "../../solidity/ComputeJobClient.sol";
import {IManualPriceFeed} from "../../../abi/IManualPriceFeed.sol";
import {IProviderRegistry} from "../../../abi/IProviderRegistry.sol";
import {IEmissions} from "../../../abi/IEmissions.sol";
