// The Stylus system that `compute-market deploy` put on the dev chain, and helpers the tests share.
const fs = require("node:fs");
const path = require("node:path");
const { ethers } = require("hardhat");

/** `deployments/412346.json` written by `compute-market deploy` (or `$COMPUTE_MARKET_DEPLOYMENT`). */
function deploymentFile() {
  const file = process.env.COMPUTE_MARKET_DEPLOYMENT ?? path.resolve(__dirname, "../../../deployments/412346.json");
  if (!fs.existsSync(file)) {
    throw new Error(
      `${file} not found: deploy the Stylus system first (cargo run --release -p compute-market-scripts -- deploy), ` +
        "or set COMPUTE_MARKET_DEPLOYMENT",
    );
  }
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** Contracts of the deployment, bound through the generated interfaces in abi/. */
async function stylusSystem() {
  const d = deploymentFile();
  return {
    d,
    token: await ethers.getContractAt("IComputeToken", d.token),
    controller: await ethers.getContractAt("IBmeController", d.controller),
    escrow: await ethers.getContractAt("IJobEscrow", d.escrow),
    registry: await ethers.getContractAt("IProviderRegistry", d.registry),
    market: await ethers.getContractAt("IJobMarket", d.market),
    feed: await ethers.getContractAt("IManualPriceFeed", d.price_feed),
  };
}

const CT = 10n ** 18n;
const USD = 10n ** 6n;
/** bytes32 of an ASCII string (the contracts' parameter names, GPU models, regions). */
const b32 = (s) => ethers.encodeBytes32String(s);

module.exports = { deploymentFile, stylusSystem, CT, USD, b32 };
