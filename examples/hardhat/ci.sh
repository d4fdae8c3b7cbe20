#!/usr/bin/env bash
# Runs the Hardhat example against a fresh dev chain, as CI does (.ci/run): builds the `devnet` and
# `compute-market` binaries, starts the dev chain in the background on a free port, deploys the
# Stylus system with `compute-market deploy`, runs the Hardhat tests (the Solidity example dApp
# with loadFixture/time.increase, and CT's ERC-20 behaviour through ethers.js), and stops the node.
#
#   examples/hardhat/ci.sh            debug binaries (what `cargo test` already built)
#   examples/hardhat/ci.sh --release  release binaries
#
# Needs cargo and node; installs this directory's npm packages when missing (scripts/ensure-npm.sh).
# Prebuilt contract wasm is taken from $COMPUTE_MARKET_WASM_DIR when set (else `deploy` builds it);
# $DEVNET_BIN runs another devnet binary instead of this checkout's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

profile=(); dir=debug
if [ "${1:-}" = --release ]; then profile=(--release); dir=release; fi
cargo build --quiet --locked "${profile[@]}" -p devnet -p compute-market-scripts --bin devnet --bin compute-market
target=$(cargo metadata --format-version 1 --no-deps |
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0)).target_directory)')
devnet=${DEVNET_BIN:-$target/$dir/devnet}
scripts/ensure-npm.sh examples/hardhat

work=$(mktemp -d)
"$devnet" --port 0 >"$work/devnet.log" 2>&1 &
node_pid=$!
stop() {
  kill "$node_pid" 2>/dev/null || true
  wait "$node_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT

url=
for _ in $(seq 1 300); do
  url=$(sed -n 's/^Listening on \(http:[^ ]*\).*/\1/p' "$work/devnet.log" | head -1)
  [ -n "$url" ] && break
  kill -0 "$node_pid" 2>/dev/null || { cat "$work/devnet.log" >&2; echo "error: devnet exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/devnet.log" >&2; echo "error: devnet did not start in 30 s" >&2; exit 1; }
echo "dev chain at $url (pid $node_pid)"

deploy=("$target/$dir/compute-market" deploy --rpc-url "$url" --deployments-dir "$work")
if [ -n "${COMPUTE_MARKET_WASM_DIR:-}" ]; then deploy+=(--wasm-dir "$COMPUTE_MARKET_WASM_DIR"); fi
"${deploy[@]}" >/dev/null

cd examples/hardhat
DEVNET_URL="$url" COMPUTE_MARKET_DEPLOYMENT="$work/412346.json" npx hardhat test --network devnet
