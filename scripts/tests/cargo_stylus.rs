//! The CLI's deploy path stores exactly the code `cargo stylus deploy --wasm-file` stores.
//!
//! Gated behind `DEVNET_CARGO_STYLUS=1` (needs `cargo-stylus` 0.10.10 on `PATH`:
//! `cargo install cargo-stylus --version 0.10.10 --locked`). Not run in CI:
//!
//! ```text
//! DEVNET_CARGO_STYLUS=1 cargo test -p compute-market-scripts --test cargo_stylus -- --nocapture
//! ```
//!
//! Every contract is deployed on an in-process dev chain by `deploy::deploy`, then the same wasm
//! file again by `cargo stylus deploy --wasm-file` (plain CREATE, no constructor); the two
//! accounts must hold byte-identical code.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::Command;

use alloy::primitives::{keccak256, Address};
use alloy::providers::{Provider, ProviderBuilder};
use compute_market_scripts::{deploy, wasm};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_and_cargo_stylus_store_identical_code() {
    if std::env::var("DEVNET_CARGO_STYLUS").as_deref() != Ok("1") {
        eprintln!(
            "SKIPPED cli_and_cargo_stylus_store_identical_code: set DEVNET_CARGO_STYLUS=1 to run it"
        );
        return;
    }
    let node = devnet::spawn(devnet::NodeConfig::test()).await.unwrap();
    let url = node.url();
    let signer = node.dev_signers()[0].clone();
    let key = alloy::hex::encode_prefixed(signer.to_bytes());
    let dir = tempfile::tempdir().unwrap();
    let built = wasm::build(&wasm::repo_root()).unwrap();
    let opts = deploy::DeployOptions {
        deployments_dir: Some(dir.path().to_path_buf()),
        quiet: true,
        ..Default::default()
    };
    let d = deploy::deploy(&url, signer, &opts).await.unwrap();
    let p = ProviderBuilder::new().connect_http(url.parse().unwrap());
    println!("| contract | CLI code hash | cargo stylus code hash | bytes |");
    println!("|---|---|---|---|");
    for (name, krate) in deploy::PROGRAMS {
        let rec = &d.contracts[name];
        let path = built[krate].clone();
        let u = url.clone();
        let k = key.clone();
        let out = tokio::task::spawn_blocking(move || {
            Command::new("cargo")
                .args(["stylus", "deploy", "--no-verify", "--endpoint", &u])
                .args(["--private-key", &k, "--wasm-file"])
                .arg(&path)
                .env("NO_COLOR", "1")
                .output()
        })
        .await
        .unwrap()
        .expect("cargo stylus is not installed");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "cargo stylus deploy {krate} failed:\n{text}"
        );
        // "deployed code at address: 0x…" (colour codes stripped by looking for the hex).
        let line = text
            .lines()
            .find(|l| l.contains("deployed code at address"))
            .unwrap_or_else(|| panic!("no address in cargo stylus output:\n{text}"));
        let hexpos = line.rfind("0x").unwrap();
        let addr: Address = line[hexpos..hexpos + 42].parse().unwrap();
        let theirs = p.get_code_at(addr).await.unwrap();
        let ours = p.get_code_at(rec.address).await.unwrap();
        println!(
            "| {krate} | {} | {} | {} |",
            keccak256(&ours),
            keccak256(&theirs),
            ours.len()
        );
        assert_eq!(keccak256(&ours), rec.code_hash);
        if ours != theirs {
            // Tell a different wasm from a different compression of the same wasm.
            let (a, b) = (
                stylus_format::decompress(&ours).unwrap(),
                stylus_format::decompress(&theirs).unwrap(),
            );
            let dump = std::env::temp_dir().join(format!("cargo-stylus-{krate}"));
            std::fs::create_dir_all(&dump).unwrap();
            for (f, bytes) in [
                ("ours.code", &ours[..]),
                ("theirs.code", &theirs[..]),
                ("ours.wasm", &a[..]),
                ("theirs.wasm", &b[..]),
            ] {
                std::fs::write(dump.join(f), bytes).unwrap();
            }
            panic!(
                "{krate}: cargo stylus stored different code ({} vs {} bytes); the decompressed wasm is {} ({} vs {} bytes); dumped to {}",
                ours.len(),
                theirs.len(),
                if a == b { "identical (a compression difference)" } else { "different" },
                a.len(),
                b.len(),
                dump.display()
            );
        }
        assert_eq!(
            keccak256(&theirs),
            rec.code_hash,
            "{krate}: cargo stylus stored different code"
        );
    }
    node.shutdown().await;
}
