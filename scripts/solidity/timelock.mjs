// Compiles OpenZeppelin's TimelockController (the npm package @openzeppelin/contracts pinned in the
// repository's package-lock.json) with the pinned solc-js, for `compute-market deploy --timelock-delay`.
//
//   node scripts/solidity/timelock.mjs
//
// Prints {"solc": version, "openzeppelin": version, "abi": [...], "bytecode": "0x..."} on stdout.
// Settings: optimizer on, 200 runs, EVM "cancun" (what Arbitrum One/Sepolia run; the dev chain
// runs a later fork). The same inputs always give the same bytecode. Exits non-zero on a compiler
// error. `compute-market` runs `npm ci` first when node_modules is missing (scripts/ensure-npm.sh).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const solc = require(join(root, "node_modules", "solc"));
const oz = JSON.parse(readFileSync(join(root, "node_modules/@openzeppelin/contracts/package.json"), "utf8"));

const entry = "@openzeppelin/contracts/governance/TimelockController.sol";
const input = {
  language: "Solidity",
  sources: { [entry]: { content: readFileSync(join(root, "node_modules", entry), "utf8") } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    outputSelection: { [entry]: { TimelockController: ["abi", "evm.bytecode.object"] } },
  },
};
// Imports resolve inside node_modules only.
function findImports(path) {
  const full = resolve(root, "node_modules", path);
  if (!full.startsWith(join(root, "node_modules"))) return { error: `import outside node_modules: ${path}` };
  try {
    return { contents: readFileSync(full, "utf8") };
  } catch (e) {
    return { error: `cannot read ${path}: ${e.message} (run npm ci at the repository root)` };
  }
}
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (out.errors ?? []).filter((e) => e.severity === "error");
for (const e of errors) process.stderr.write(e.formattedMessage ?? e.message);
if (errors.length > 0) process.exit(1);
const c = out.contracts[entry].TimelockController;
process.stdout.write(
  JSON.stringify({ solc: solc.version(), openzeppelin: oz.version, abi: c.abi, bytecode: "0x" + c.evm.bytecode.object }) + "\n",
);
