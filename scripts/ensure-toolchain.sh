#!/usr/bin/env bash
# Makes sure the pinned Rust toolchain (rust-toolchain.toml's `channel`) has what the wasm builds
# need: the `wasm32-unknown-unknown` target and the `rust-src` component (scripts/build-wasm.sh
# rebuilds std from source with `-Z build-std`). Installs whatever is missing with rustup, saying
# so and how to do it by hand, so a fresh clone needs no setup step even where rustup does not
# auto-install (`RUSTUP_AUTO_INSTALL=0`, common in CI images). Prints the toolchain name on stdout.
#
#   scripts/ensure-toolchain.sh [--quiet]
#
# Called by scripts/build-wasm.sh (and so by `compute-market demo|deploy`, the e2e tests and the
# benches) and by devnet-engine's compute_token test. Without rustup (a toolchain installed some
# other way) it only checks, and fails with what to install.
#
# Exit status: 0 when everything is in place; 1 with a message naming the command to run otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

quiet=0
[ "${1:-}" = --quiet ] && quiet=1
say() { [ $quiet = 1 ] || echo "$*" >&2; }

channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if [ -z "$channel" ]; then
  echo "error: no channel in rust-toolchain.toml" >&2
  exit 1
fi
target=wasm32-unknown-unknown
by_hand="rustup toolchain install $channel --profile minimal --target $target --component rust-src,rustfmt,clippy"

if ! command -v rustup >/dev/null 2>&1; then
  # No rustup: check the rustc that cargo will use.
  rustc=${RUSTC:-rustc}
  if ! version=$("$rustc" --version 2>/dev/null); then
    echo "error: neither rustup nor rustc found; install rustup (https://rustup.rs), then: $by_hand" >&2
    exit 1
  fi
  case "$version" in
    "rustc $channel "*) ;;
    *) echo "error: $rustc is '$version', but rust-toolchain.toml pins $channel (the deployed wasm and" \
      "its size table depend on it); install it with rustup: $by_hand" >&2; exit 1 ;;
  esac
  sysroot=$("$rustc" --print sysroot)
  missing=()
  [ -d "$sysroot/lib/rustlib/$target" ] || missing+=("the $target target")
  [ -d "$sysroot/lib/rustlib/src/rust/library" ] || missing+=("the rust-src component")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "error: the toolchain at $sysroot lacks ${missing[*]}; without rustup, add them with your" \
      "installer, or install rustup and run: $by_hand" >&2
    exit 1
  fi
  echo "$channel"
  exit 0
fi

if ! rustup toolchain list | grep -q "^$channel-"; then
  say "installing the pinned Rust toolchain $channel (rust-toolchain.toml) with rustup; by hand: $by_hand"
  rustup toolchain install "$channel" --profile minimal --target "$target" \
    --component rust-src,rustfmt,clippy >&2 || {
    echo "error: could not install Rust $channel (offline?); run: $by_hand" >&2
    exit 1
  }
fi

# Several builds may start at once (parallel tests): one rustup change at a time.
lock="${RUSTUP_HOME:-$HOME/.rustup}/compute-market-toolchain.lock"
# (The braces keep the 2>/dev/null to the exec: on a bare exec it would silence the whole script.)
if command -v flock >/dev/null 2>&1 && { exec 9>>"$lock"; } 2>/dev/null; then
  flock 9
fi

if ! rustup target list --toolchain "$channel" --installed | grep -qx "$target"; then
  say "installing the $target target of Rust $channel (needed to build the contracts);" \
    "by hand: rustup target add --toolchain $channel $target"
  rustup target add --toolchain "$channel" "$target" >&2 || {
    echo "error: could not install the $target target (offline?); run: rustup target add --toolchain $channel $target" >&2
    exit 1
  }
fi
if ! rustup component list --toolchain "$channel" --installed | grep -q '^rust-src'; then
  say "installing the rust-src component of Rust $channel (scripts/build-wasm.sh rebuilds std" \
    "for size); by hand: rustup component add --toolchain $channel rust-src"
  rustup component add --toolchain "$channel" rust-src >&2 || {
    echo "error: could not install rust-src (offline?); run: rustup component add --toolchain $channel rust-src" >&2
    exit 1
  }
fi
echo "$channel"
