//! First-run setup that the commands and tests do themselves, so a fresh clone needs no manual
//! step: the npm packages (`scripts/ensure-npm.sh`) and the pinned toolchain's wasm32 target and
//! `rust-src` (`scripts/ensure-toolchain.sh`, run by `scripts/build-wasm.sh`).
use std::path::Path;
use std::process::Command;

use eyre::{bail, WrapErr};

/// Runs `scripts/ensure-npm.sh dir`: `npm ci` in `dir` (a directory with `package.json` and
/// `package-lock.json`, e.g. the repository root or `examples/hardhat`) unless every package is
/// already installed at its locked version. Progress and npm's output go to stderr.
///
/// # Errors
/// No `bash`, no node/npm, or a failing `npm ci`; the message names the command to run by hand.
pub fn npm_packages(dir: &Path) -> eyre::Result<()> {
    run_script(
        "scripts/ensure-npm.sh",
        Some(dir),
        &format!("(cd {} && npm ci)", dir.display()),
    )
}

fn run_script(script: &str, arg: Option<&Path>, by_hand: &str) -> eyre::Result<()> {
    let root = crate::wasm::repo_root();
    let mut cmd = Command::new("bash");
    cmd.arg(root.join(script)).current_dir(&root);
    if let Some(a) = arg {
        cmd.arg(a);
    }
    // stdout (the toolchain name) is not ours to print; stderr says what was installed.
    let status = cmd
        .stdout(std::process::Stdio::null())
        .status()
        .wrap_err_with(|| {
            format!("running bash {script} (is bash installed?); by hand: {by_hand}")
        })?;
    if !status.success() {
        bail!("{script} failed ({status}): see the message above; by hand: {by_hand}");
    }
    Ok(())
}
