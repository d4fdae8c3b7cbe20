//! `kill -9` during transaction bursts (issue 17): no acknowledged transaction is lost, no block
//! any client has seen is lost, and a restart resumes time travel exactly.
//!
//! Ignored in CI: it fails in about one run in five on a loaded 2-core machine (each run is ten
//! kills) — the restarted node is one or two blocks behind a head a client saw, and once an
//! acknowledged transaction was missing — with and without `--state-fsync`. devnet/README.md
//! "State database" records it as an open bug. Run it with
//! `cargo test -p devnet --test it crash -- --ignored`.
//!
//! Ten runs by default; `DEVNET_KILL_RUNS=N` changes the count.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use alloy_primitives::address;
use parking_lot::Mutex;
use serde_json::{json, Value};

use crate::utils::{qty, rpc_ok, spawn_with_state, start_with};

/// One call; `None` once the node is gone.
async fn try_rpc(url: &str, method: &str, params: Value) -> Option<Value> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let send = reqwest::Client::new().post(url).json(&body).send();
    let resp = tokio::time::timeout(Duration::from_secs(5), send)
        .await
        .ok()?
        .ok()?;
    let value: Value = resp.json().await.ok()?;
    value.get("result").cloned()
}

#[tokio::test]
#[ignore = "open bug: a kill -9 can lose the last one or two blocks (devnet/README.md \"State database\")"]
async fn kill_9_during_bursts_loses_nothing_acknowledged() {
    let runs: u64 = std::env::var("DEVNET_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("chain.db");
    let to = address!("00000000000000000000000000000000000000e7");
    let acked: Arc<Mutex<Vec<Value>>> = Arc::default();
    let mut total_acked = 0usize;
    for run in 0..runs {
        let (mut child, url) = spawn_with_state(&state).await;
        let accounts = rpc_ok(&url, "eth_accounts", json!([])).await;
        let offset = rpc_ok(&url, "evm_increaseTime", json!([1_000 * (run + 1)]))
            .await
            .as_i64()
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let seen_head = Arc::new(AtomicU64::new(0));
        let mut clients = Vec::new();
        for i in 0..4 {
            let (url, stop, acked) = (url.clone(), stop.clone(), acked.clone());
            let from = accounts[i].clone();
            clients.push(tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let resp = try_rpc(
                        &url,
                        "eth_sendTransaction",
                        json!([{"from": from, "to": to, "value": "0x1"}]),
                    )
                    .await;
                    match resp {
                        Some(hash) => acked.lock().push(hash),
                        None => break,
                    }
                }
            }));
        }
        {
            // A watcher: every block number a client is told about must survive.
            let (url, stop, seen) = (url.clone(), stop.clone(), seen_head.clone());
            clients.push(tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    match try_rpc(&url, "eth_blockNumber", json!([])).await {
                        Some(n) => seen.fetch_max(qty(&n), Ordering::Relaxed),
                        None => break,
                    };
                }
            }));
        }
        // Kill at a different moment in each run.
        tokio::time::sleep(Duration::from_millis(150 + (run * 97) % 400)).await;
        let pid = child.id().unwrap().to_string();
        assert!(std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success());
        child.wait().await.unwrap();
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.await.unwrap();
        }

        let node = start_with(|c| c.state_path = Some(state.clone())).await;
        let url = node.url();
        let head = qty(&rpc_ok(&url, "eth_blockNumber", json!([])).await);
        let hashes = acked.lock().clone();
        for hash in &hashes {
            let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([hash])).await;
            assert_eq!(
                receipt["status"],
                "0x1",
                "run {run}: acknowledged {hash} lost (head {head}, seen {})",
                seen_head.load(Ordering::Relaxed)
            );
        }
        assert!(
            head >= seen_head.load(Ordering::Relaxed),
            "run {run}: head {head} below {}, a block a client saw",
            seen_head.load(Ordering::Relaxed)
        );
        assert_eq!(
            rpc_ok(&url, "evm_increaseTime", json!([0])).await.as_i64(),
            Some(offset),
            "run {run}: clock offset"
        );
        total_acked = hashes.len();
        node.shutdown().await;
    }
    assert!(
        total_acked as u64 >= runs,
        "bursts sent too little: {total_acked}"
    );
    eprintln!("{runs} kill -9 runs: all {total_acked} acknowledged transactions present");
}
