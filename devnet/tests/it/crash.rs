//! Crashes and shutdowns (issue 17): a `kill -9` during transaction bursts loses no acknowledged
//! transaction and no block any client has seen, and a restart resumes time travel exactly; a node
//! whose state is closed refuses changes instead of acknowledging them; a node whose stdout is
//! closed keeps serving and shuts down cleanly.
//!
//! The kill test runs ten kills by default; `DEVNET_KILL_RUNS=N` changes the count (for a long run
//! under load: `DEVNET_KILL_RUNS=100 cargo test -p devnet --test it crash`).
//!
//! History (devnet/README.md "State database"): the kill test used to fail in about five runs of
//! six on a loaded machine. The cause was not the database: the test stops reading the node's
//! stdout after the "Listening on" line, `println!` in the node then panicked on the closed pipe,
//! and while `main` unwound, the node handle's `Drop` closed the database with requests still in
//! flight; those were mined in memory only and acknowledged. The last two tests here pin each half
//! of the fix.

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

use crate::utils::{qty, rpc, rpc_ok, spawn_with_state, start_with};

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

/// A change that reaches a node after its state is closed (a request in flight while the node
/// stops) is refused with -32000 "node is shutting down" and changes nothing; before the fix it
/// was mined in memory, acknowledged, and missing after a restart.
#[tokio::test]
async fn a_closed_node_refuses_changes_instead_of_losing_them() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("chain.db");
    let to = address!("00000000000000000000000000000000000000e7");
    let node = start_with(|c| c.state_path = Some(state.clone())).await;
    let url = node.url();
    let accounts = rpc_ok(&url, "eth_accounts", json!([])).await;
    let send = json!([{"from": accounts[0], "to": to, "value": "0x1"}]);
    let acked = rpc_ok(&url, "eth_sendTransaction", send.clone()).await;
    let head = qty(&rpc_ok(&url, "eth_blockNumber", json!([])).await);
    assert_eq!(head, 1);

    node.backend().close().unwrap();
    let refused = [
        ("eth_sendTransaction", send),
        ("evm_mine", json!([])),
        ("anvil_mine", json!(["0x2"])),
        ("evm_increaseTime", json!([1_000])),
        ("anvil_setBalance", json!([to, "0x5"])),
        ("anvil_setAutomine", json!([false])),
        ("anvil_reset", json!([])),
    ];
    for (method, params) in refused {
        let resp = rpc(&url, method, params).await;
        assert_eq!(resp["error"]["code"], -32000, "{method}: {resp}");
        assert_eq!(
            resp["error"]["message"], "node is shutting down",
            "{method}: {resp}"
        );
    }
    // Reads keep answering, and nothing moved.
    assert_eq!(qty(&rpc_ok(&url, "eth_blockNumber", json!([])).await), head);
    assert_eq!(
        rpc_ok(&url, "eth_getBalance", json!([to, "latest"])).await,
        "0x1"
    );
    // Closing twice is harmless.
    node.backend().close().unwrap();
    node.shutdown().await;

    let node = start_with(|c| c.state_path = Some(state.clone())).await;
    let url = node.url();
    assert_eq!(qty(&rpc_ok(&url, "eth_blockNumber", json!([])).await), head);
    let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([acked])).await;
    assert_eq!(receipt["status"], "0x1");
    assert_eq!(
        rpc_ok(&url, "eth_getBalance", json!([to, "latest"])).await,
        "0x1"
    );
    assert_eq!(
        rpc_ok(&url, "evm_increaseTime", json!([0])).await.as_i64(),
        Some(0)
    );
    node.shutdown().await;
}

/// Whoever started the node may stop reading its stdout (here: the pipe is closed right after
/// the "Listening on" line). The node keeps serving, and on SIGTERM it says "shutting down" into
/// the closed pipe, closes its database and exits 0; before the fix `println!` panicked there
/// (exit 101), and a panic while serving took the node down with requests in flight.
#[tokio::test]
async fn a_node_whose_stdout_is_closed_keeps_serving_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("chain.db");
    let to = address!("00000000000000000000000000000000000000e7");
    // `spawn_with_state` drops its end of the stdout pipe once it has read the URL.
    let (mut child, url) = spawn_with_state(&state).await;
    let accounts = rpc_ok(&url, "eth_accounts", json!([])).await;
    let mut acked = Vec::new();
    for _ in 0..3 {
        acked.push(
            rpc_ok(
                &url,
                "eth_sendTransaction",
                json!([{"from": accounts[1], "to": to, "value": "0x1"}]),
            )
            .await,
        );
    }
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the node exits after SIGTERM")
        .unwrap();
    assert!(status.success(), "exit status {status}");

    let node = start_with(|c| c.state_path = Some(state.clone())).await;
    let url = node.url();
    assert_eq!(qty(&rpc_ok(&url, "eth_blockNumber", json!([])).await), 3);
    for hash in &acked {
        let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([hash])).await;
        assert_eq!(receipt["status"], "0x1");
    }
    node.shutdown().await;
}
