#!/usr/bin/env bash
# Builds the Stylus contracts for wasm32 the way they are deployed, and prints each wasm's path.
#
#   scripts/build-wasm.sh [crate ...]    (default: every contract in scripts/contracts.txt)
#
# The wasm lands in target/stylus/wasm32-unknown-unknown/release/<crate>.wasm (its own target
# directory, so these flags never invalidate the ordinary host and wasm builds).
#
# Why std is rebuilt: a stock wasm32 std carries its panic machinery (message formatting, the panic
# hook: ~2.8 KB of the 24,576-byte deployable budget in every contract, measured). Rebuilding std with
# `-Cpanic=immediate-abort` turns every panic into a bare `unreachable` trap, which is all a Stylus
# program can do with a panic anyway (Nitro reverts the call either way). This is the size recipe the
# stylus-sdk-rs README gives for nightly; here it runs on the pinned 1.95.0 toolchain with
# RUSTC_BOOTSTRAP=1 (unstable flags on a stable compiler: same compiler as every other build, no
# floating nightly). Needs the `rust-src` component (rust-toolchain.toml lists it).
# With std's panic formatting gone, `opt-level = "z"` beats the workspace profile's "s" on every
# contract (measured, deployable bytes s → z: compute-token 18,228 → 15,776, price-feed 13,640 → 12,161,
# provider-registry 23,861 → 21,591, bme-controller 25,187 → 22,620); without build-std it is the other
# way round (std's formatting is then compiled for size and grows), so Cargo.toml keeps "s" for plain
# `cargo build` (e.g. `cargo stylus check` without this script).
# The .cargo/config.toml wasm32 flags (32 KiB stack, no reference-types, bulk-memory) still apply:
# `--config` arrays are appended to the config file's.
#
# Setup: scripts/ensure-toolchain.sh first installs the pinned toolchain's wasm32 target and rust-src
# when they are missing (saying so, and how to do it by hand), and the build then runs on that
# toolchain whatever toolchain the caller runs on (RUSTUP_TOOLCHAIN), so the bytes match the size
# table and `status --verify-code`.
set -euo pipefail
cd "$(dirname "$0")/.."

channel=$(scripts/ensure-toolchain.sh)
if command -v rustup >/dev/null 2>&1; then
  export RUSTUP_TOOLCHAIN="$channel"
fi

if [ $# -gt 0 ]; then
  crates=("$@")
else
  mapfile -t crates < <(grep -v '^#' scripts/contracts.txt | grep . | cut -d' ' -f1)
fi
pkgs=()
for c in "${crates[@]}"; do pkgs+=(--package "$c"); done

target_dir=$(cargo metadata --format-version 1 --no-deps |
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0)).target_directory)')/stylus

RUSTC_BOOTSTRAP=1 cargo build --quiet --lib --release --locked \
  --target wasm32-unknown-unknown --target-dir "$target_dir" \
  -Z build-std=std,panic_abort \
  --config 'target.wasm32-unknown-unknown.rustflags=["-Zunstable-options", "-Cpanic=immediate-abort"]' \
  --config 'profile.release.opt-level="z"' \
  "${pkgs[@]}" >&2

for c in "${crates[@]}"; do
  echo "$target_dir/wasm32-unknown-unknown/release/${c//-/_}.wasm"
done
