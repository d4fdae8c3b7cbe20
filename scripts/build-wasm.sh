#!/usr/bin/env bash
# Builds the Stylus contracts for wasm32 the way they are deployed, and prints each wasm's path.
#
#   scripts/build-wasm.sh [crate ...]    (default: every contract in scripts/contracts.txt)
#
# The deployable wasm lands in target/stylus/deploy/<crate>.wasm: cargo's output (its own target
# directory, target/stylus/wasm32-unknown-unknown/release/, so these flags never invalidate the ordinary
# host and wasm builds) passed through binaryen's `wasm-opt -Oz` (see "Why wasm-opt" below).
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
# Why wasm-opt: Stylus charges a program's entry by its size (Nitro's init gas grows ~8.25 gas per
# function and ~0.13 gas per wasm byte; BENCHMARKS.md "Gas breakdown"), and the deployable bytes are
# capped. rustc's output still carries what binaryen's size passes remove: `-Oz` takes compute-token
# from 276 functions and 55,760 wasm bytes to 128 and 42,587 (deployable 15,829 -> 14,945), the
# controller from 89,917 to 68,644 (24,241 -> 22,735 deployable), measured before its packed slots. The
# Stylus docs recommend the same pass. wasm-opt is binaryen's own build for Node (npm `binaryen`,
# pinned in package-lock.json, installed by scripts/ensure-npm.sh), deterministic for a given input
# and version, so `status --verify-code` reproduces the bytes. Features: exactly what the rustc flags
# above produce (MVP + bulk-memory + sign-ext + mutable-globals); nothing Nitro's validator rejects.
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

scripts/ensure-npm.sh
wasm_opt=(node node_modules/binaryen/bin/wasm-opt -Oz --enable-bulk-memory --enable-sign-ext
  --enable-mutable-globals --strip-debug --strip-producers)
mkdir -p "$target_dir/deploy"
for c in "${crates[@]}"; do
  in="$target_dir/wasm32-unknown-unknown/release/${c//-/_}.wasm"
  out="$target_dir/deploy/${c//-/_}.wasm"
  # Re-optimised when cargo relinked, or the pinned binaryen or this script changed.
  if ! [ "$out" -nt "$in" ] || ! [ "$out" -nt package-lock.json ] || ! [ "$out" -nt scripts/build-wasm.sh ]; then
    "${wasm_opt[@]}" "$in" -o "$out.$$.tmp" >&2
    mv "$out.$$.tmp" "$out"
  fi
  echo "$out"
done
