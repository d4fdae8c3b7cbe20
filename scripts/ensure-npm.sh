#!/usr/bin/env bash
# Makes sure the npm packages of a package.json are installed at the versions its lock file pins,
# and runs `npm ci` there when they are not (a fresh clone, or a lock file changed since). Every
# code path that runs solc-js, viem, hardhat or wasm-opt (the contracts' build) calls this first,
# so no manual `npm ci` is needed.
#
#   scripts/ensure-npm.sh [DIR]     (default: the repository root; e.g. examples/hardhat)
#
# "Installed" means: for every dependency and devDependency in DIR/package.json,
# DIR/node_modules/<name>/package.json exists and has the version package-lock.json resolves
# for it. Runs `npm ci --no-audit --no-fund` otherwise (output on stderr), one at a time per DIR
# (flock on the lock file) since parallel tests may all ask at once.
#
# Exit status: 0 when the packages are in place; 1 with a message naming the command to run by
# hand otherwise (no node or npm on PATH, no network, a failing install).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(cd "${1:-$root}" && pwd)"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "error: node and npm are needed (solc-js, viem, wasm-opt; Node 20 or later: https://nodejs.org)," \
    "then run: (cd $dir && npm ci)" >&2
  exit 1
fi

# Prints the first package whose installed version is not the locked one; nothing when all match.
stale() {
  node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1];
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    let lock;
    try { lock = JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8")); }
    catch (e) { console.log(`no readable package-lock.json (${e.message})`); process.exit(0); }
    const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    for (const name of names) {
      const want = lock.packages?.["node_modules/" + name]?.version;
      let have;
      try {
        have = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")).version;
      } catch { have = undefined; }
      if (!want || have !== want) { console.log(`${name} ${have ?? "missing"} (locked: ${want ?? "not in the lock file"})`); break; }
    }' "$dir"
}

[ -n "$(stale)" ] || exit 0

# One install at a time per directory; the second waiter finds everything in place.
if command -v flock >/dev/null 2>&1 && exec 9<"$dir/package-lock.json"; then
  flock 9
  [ -n "$(stale)" ] || exit 0
fi
echo "installing the npm packages in $dir (npm ci: $(stale)); by hand: (cd $dir && npm ci)" >&2
if ! (cd "$dir" && npm ci --no-audit --no-fund >&2); then
  echo "error: npm ci failed in $dir (network? Node 20+?); run it by hand: (cd $dir && npm ci)" >&2
  exit 1
fi
if [ -n "$(stale)" ]; then
  echo "error: after npm ci, $(stale) in $dir" >&2
  exit 1
fi
