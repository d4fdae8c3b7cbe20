// Compiles examples/solidity/ComputeJobClient.sol (and the abi/*.sol interfaces it imports) with
// solc-js, the npm package pinned in the repository's package-lock.json.
//
//   node examples/solidity/compile.mjs [out.json]
//
// Prints (or writes to out.json) `{"solc": version, "contracts": {Name: {"abi": [...], "bytecode":
// "0x..."}}}` for every contract in ComputeJobClient.sol. Exits non-zero on any compiler error.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc");

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const entry = "examples/solidity/ComputeJobClient.sol";

const input = {
  language: "Solidity",
  sources: { [entry]: { content: readFileSync(join(root, entry), "utf8") } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};

// Imports are resolved against the repository root ("../../abi/X.sol" from the entry = "abi/X.sol"),
// and only inside it.
function findImports(path) {
  const full = resolve(root, path);
  if (!full.startsWith(root)) return { error: `import outside the repository: ${path}` };
  try {
    return { contents: readFileSync(full, "utf8") };
  } catch (e) {
    return { error: `cannot read ${path}: ${e.message}` };
  }
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors ?? []).filter((e) => e.severity === "error");
for (const e of output.errors ?? []) process.stderr.write(e.formattedMessage ?? e.message);
if (errors.length > 0) process.exit(1);

const contracts = {};
for (const [name, c] of Object.entries(output.contracts[entry] ?? {})) {
  contracts[name] = { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object };
}
const result = JSON.stringify({ solc: solc.version(), contracts }, null, 2);
if (process.argv[2]) writeFileSync(process.argv[2], result + "\n");
else process.stdout.write(result + "\n");
