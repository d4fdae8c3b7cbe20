//! `kill -9` during transaction bursts (issue 17): no acknowledged transaction is lost, no block
//! any client has seen is lost (so at most the block being written when the process died), and
//! a restart resumes time travel exactly.
//!
//! Ten runs by default; `DEVNET_KILL_RUNS=N` changes the count.

use std::{
    process::Stdio,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use alloy_primitives::address;
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::utils::{qty, rpc_ok, start_with};

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

async fn spawn(state: &std::path::Path) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_devnet"))
        .args(["--port", "0"])
        .arg("--state")
        .arg(state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.strip_prefix("Listening on ") {
                return rest.split(' ').next().unwrap().to_string();
            }
        }
        panic!("no listening line");
    })
    .await
    .unwrap();
    (child, url)
}

#[tokio::test]
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
        let (mut child, url) = spawn(&state).await;
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
        assert!(
            head >= seen_head.load(Ordering::Relaxed),
            "run {run}: head {head} below a block a client saw"
        );
        let hashes = acked.lock().clone();
        for hash in &hashes {
            let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([hash])).await;
            assert_eq!(
                receipt["status"], "0x1",
                "run {run}: acknowledged {hash} lost"
            );
        }
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
