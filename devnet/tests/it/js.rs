//! A JavaScript client (viem from npm) reads a block and sends a transaction.

use std::{path::Path, process::Stdio, time::Duration};

use crate::utils::start;

#[tokio::test]
async fn viem_reads_a_block_and_sends_a_tx() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // `npm ci` when viem is missing or stale; fails naming the command otherwise.
    let setup = std::process::Command::new("bash")
        .arg(root.join("scripts/ensure-npm.sh"))
        .status();
    assert!(
        matches!(setup, Ok(s) if s.success()),
        "scripts/ensure-npm.sh: {setup:?} (run `npm ci` in the repo root)"
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/viem-client.mjs");
    let node = start().await;
    let child = tokio::process::Command::new("node")
        .arg(&script)
        .arg(node.url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let child = match child {
        Ok(child) => child,
        Err(err) => {
            eprintln!("SKIPPED viem_reads_a_block_and_sends_a_tx: cannot run node: {err}");
            return;
        }
    };
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("viem script timed out")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "viem failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(result["chainId"], 412_346);
    assert_eq!(result["genesisNumber"], 0);
    assert_eq!(result["status"], "success");
    assert_eq!(result["balance"], "1234");
    assert_eq!(result["blockTxs"], 1);
    assert_eq!(result["txType"], "eip1559");
}
