// Compiles OzToken.sol with the solc-js pinned in package.json (optimizer on, 200 runs, EVM prague =
// the dev chain's hardfork) and prints {"abi": [...], "bytecode": "0x..."} on stdout.
// Usage: node benches/solidity/compile.js   (run `npm ci` at the repo root first)
const fs = require("fs");
const path = require("path");
const root = path.join(__dirname, "..", "..");
const solc = require(path.join(root, "node_modules", "solc"));

const source = fs.readFileSync(path.join(__dirname, "OzToken.sol"), "utf8");
const input = {
  language: "Solidity",
  sources: { "OzToken.sol": { content: source } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "prague",
    outputSelection: { "OzToken.sol": { OzToken: ["abi", "evm.bytecode.object"] } },
  },
};
function findImports(p) {
  const file = path.join(root, "node_modules", p);
  if (fs.existsSync(file)) return { contents: fs.readFileSync(file, "utf8") };
  return { error: `not found: ${p} (run npm ci at the repo root)` };
}
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (out.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const c = out.contracts["OzToken.sol"].OzToken;
process.stdout.write(JSON.stringify({ solc: solc.version(), abi: c.abi, bytecode: "0x" + c.evm.bytecode.object }));
