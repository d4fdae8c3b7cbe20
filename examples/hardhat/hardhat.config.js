// Hardhat 2 configuration of the compute-market example (see README.md).
//
// The Hardhat project root is the repository root, so that `examples/solidity/ComputeJobClient.sol`
// compiles unchanged with its imports of the generated interfaces in `abi/`; sources, tests, cache
// and artifacts live in this directory. Solidity compiles with the solc-js pinned in this
// directory's package-lock.json (no compiler download). The `devnet` network is the project's dev
// chain (`cargo run --release -p devnet`, or `$DEVNET_URL`); its accounts are the Nitro dev key
// (the deployer of `compute-market deploy`, treasury and feeder on the dev chain) followed by the
// ten prefunded `test … junk` accounts.
const path = require("node:path");
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");
require("@nomicfoundation/hardhat-ethers");
require("@nomicfoundation/hardhat-chai-matchers");

const solc = require("solc");
const SOLC_VERSION = solc.version().split("+")[0];

// Use the npm solc-js build instead of downloading a compiler.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version(),
  };
});

const NITRO_DEV_KEY = "0xb6b15c8cb491557369f3c7d2c287b053eb229daa9c22138887752191c9520659";
const { Wallet, HDNodeWallet, Mnemonic } = require("ethers");
const mnemonic = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const testKeys = Array.from(
  { length: 10 },
  (_, i) => HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`).privateKey,
);

/** @type import('hardhat/config').HardhatUserConfig */
module.exports = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
  },
  defaultNetwork: "devnet",
  networks: {
    devnet: {
      url: process.env.DEVNET_URL ?? "http://127.0.0.1:8547",
      chainId: 412346,
      accounts: [new Wallet(NITRO_DEV_KEY).privateKey, ...testKeys],
      timeout: 120_000,
    },
  },
  paths: {
    root: path.resolve(__dirname, "../.."),
    sources: path.join(__dirname, "contracts"),
    tests: path.join(__dirname, "test"),
    cache: path.join(__dirname, "cache"),
    artifacts: path.join(__dirname, "artifacts"),
  },
  mocha: { timeout: 300_000 },
};
