//! `cargo stylus check` and `cargo stylus deploy --no-verify` against the node.
//!
//! Gated behind `DEVNET_CARGO_STYLUS=1` (needs `cargo-stylus` 0.10.x on PATH and the
//! `wasm32-unknown-unknown` target; slow: cargo-stylus builds the contract itself). Not run in CI.

use std::{path::Path, process::Command};

use crate::utils::start;

/// The Nitro dev account (the address of `devnet::config::NITRO_DEV_KEY`).
const DEV_ACCOUNT: &str = "0x3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E";

#[tokio::test]
async fn cargo_stylus_check_and_deploy() {
    if std::env::var("DEVNET_CARGO_STYLUS").as_deref() != Ok("1") {
        eprintln!("SKIPPED cargo_stylus_check_and_deploy: set DEVNET_CARGO_STYLUS=1 to run it");
        return;
    }
    let node = start().await;
    let url = node.url();
    let contract = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts/compute-token");
    let url2 = url.clone();
    let dir = contract.clone();
    let check = tokio::task::spawn_blocking(move || {
        Command::new("cargo")
            .args(["stylus", "check", "--endpoint", &url2])
            .current_dir(dir)
            .output()
    })
    .await
    .unwrap()
    .expect("cargo stylus not installed");
    assert!(
        check.status.success(),
        "cargo stylus check failed:\n{}\n{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let key = alloy_primitives::hex::encode_prefixed(devnet::config::NITRO_DEV_KEY);
    let deploy = tokio::task::spawn_blocking(move || {
        Command::new("cargo")
            .args([
                "stylus",
                "deploy",
                "--no-verify",
                "--endpoint",
                &url,
                "--private-key",
                &key,
                // ComputeToken's constructor(name, symbol, admin, genesisHolder, genesisSupply):
                // through the StylusDeployer, as cargo-stylus does for a contract with a constructor.
                "--constructor-args",
                "Compute Token",
                "CT",
                DEV_ACCOUNT,
                DEV_ACCOUNT,
                "1000000000000000000000",
            ])
            .current_dir(contract)
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(
        deploy.status.success(),
        "cargo stylus deploy failed:\n{}\n{}",
        String::from_utf8_lossy(&deploy.stdout),
        String::from_utf8_lossy(&deploy.stderr)
    );
}
