#!/usr/bin/env bash
# Regenerates abi/ from the contracts: abi/<I>.sol (the contract's `export-abi` output: functions,
# errors and events) and abi/<I>.json (solc's --abi output for that interface, inherited members
# included).
#
#   scripts/abi.sh           rewrite abi/
#   scripts/abi.sh --check   fail if abi/ differs from what the contracts generate (CI)
#
# Needs: cargo and node (solc-js is pinned in package-lock.json; `npm ci` runs when it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-write}
case "$mode" in write|--check) ;; *) echo "usage: scripts/abi.sh [--check]" >&2; exit 2 ;; esac
scripts/ensure-npm.sh # npm ci when node_modules is missing or stale
solcjs=node_modules/.bin/solcjs

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

grep -v '^#' scripts/contracts.txt | while read -r crate iface _; do
  [ -n "$crate" ] || continue
  cargo run --quiet --package "$crate" --features export-abi -- \
    abi --license 'MIT OR Apache-2.0' --pragma 'pragma solidity ^0.8.23;' > "$out/$iface.sol"
  (cd "$out" && "$OLDPWD/$solcjs" --abi --output-dir solc "$iface.sol" >/dev/null)
  node -e 'const fs=require("fs");
    process.stdout.write(JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1])), null, 2) + "\n")' \
    "$out/solc/${iface}_sol_${iface}.abi" > "$out/$iface.json"
  rm -rf "$out/solc"
done

if [ "$mode" = --check ]; then
  status=0
  for f in "$out"/*; do
    name=$(basename "$f")
    if ! diff -u "abi/$name" "$f" >/dev/null 2>&1; then
      echo "abi/$name is out of date with the contract source:" >&2
      diff -u "abi/$name" "$f" >&2 || true
      status=1
    fi
  done
  for f in abi/*.sol abi/*.json; do
    [ -e "$f" ] || continue
    [ -e "$out/$(basename "$f")" ] || { echo "$f has no contract behind it (stale file)" >&2; status=1; }
  done
  if [ $status -ne 0 ]; then
    echo "ABI drift: run 'scripts/abi.sh' and commit abi/." >&2
    exit 1
  fi
  echo "abi/ matches the contracts ($(ls "$out" | wc -l) files)."
else
  mkdir -p abi
  cp "$out"/* abi/
  echo "wrote $(ls "$out" | tr '\n' ' ')to abi/"
fi
