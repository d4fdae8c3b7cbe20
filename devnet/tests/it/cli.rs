//! The `devnet` binary: banner, flags, and clean shutdown on SIGTERM.

use std::{process::Stdio, time::Duration};

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::utils::rpc_ok;

#[tokio::test]
async fn binary_prints_accounts_serves_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_devnet"))
        .args([
            "--port",
            "0",
            "--chain-id",
            "31337",
            "--accounts",
            "2",
            "--balance",
            "5",
        ])
        .arg("--state")
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = String::new();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            banner.push_str(&line);
            banner.push('\n');
            if let Some(rest) = line.strip_prefix("Listening on ") {
                return rest.split(' ').next().unwrap().to_string();
            }
        }
        panic!("no listening line in {banner}");
    })
    .await
    .unwrap();
    assert!(
        banner.contains("0x3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E (5 ETH)"),
        "{banner}"
    );
    assert!(banner.contains("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"));
    assert!(banner.contains("Chain ID: 31337"));

    assert_eq!(rpc_ok(&url, "eth_chainId", json!([])).await, "0x7a69");
    assert_eq!(
        rpc_ok(&url, "eth_accounts", json!([]))
            .await
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        rpc_ok(
            &url,
            "eth_getBalance",
            json!(["0x3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E"])
        )
        .await,
        "0x4563918244f40000"
    );
    rpc_ok(&url, "evm_mine", json!([])).await;

    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
    // The state database holds the mined block: a node started on it resumes at block 1.
    let resumed = crate::utils::start_with(|c| {
        c.chain_id = 31337;
        c.state_path = Some(state.clone());
    })
    .await;
    assert_eq!(
        rpc_ok(&resumed.url(), "eth_blockNumber", json!([])).await,
        "0x1"
    );
}

#[tokio::test]
async fn cors_preflight_is_answered() {
    let node = crate::utils::start().await;
    let resp = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, node.url())
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    assert!(resp.headers().contains_key("access-control-allow-origin"));
}
