//! `--state`: state and blocks survive a restart; dump/load round-trips.

use alloy_primitives::address;
use serde_json::json;

use crate::utils::{qty, rpc_ok, start, start_with};

#[tokio::test]
async fn restart_from_state_file_keeps_balances_and_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.json");
    let to = address!("0000000000000000000000000000000000001234");

    let node = start_with(|c| c.state_path = Some(path.clone())).await;
    let url = node.url();
    let from = node.dev_accounts()[0];
    let hash = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "to": to, "value": "0x2a"}]),
    )
    .await;
    rpc_ok(
        &url,
        "anvil_setBalance",
        json!([address!("00000000000000000000000000000000000000b0"), "0x99"]),
    )
    .await;
    rpc_ok(&url, "evm_mine", json!([])).await;
    let head = rpc_ok(&url, "eth_getBlockByNumber", json!(["latest", false])).await;
    let sender_balance = rpc_ok(&url, "eth_getBalance", json!([from, "latest"])).await;
    assert!(path.exists());
    assert!(!dir.path().join("chain.json.tmp").exists());
    node.shutdown().await;

    let node = start_with(|c| c.state_path = Some(path.clone())).await;
    let url = node.url();
    assert_eq!(qty(&rpc_ok(&url, "eth_blockNumber", json!([])).await), 2);
    assert_eq!(
        rpc_ok(&url, "eth_getBlockByNumber", json!(["latest", false])).await,
        head
    );
    assert_eq!(
        rpc_ok(&url, "eth_getBalance", json!([to, "latest"])).await,
        "0x2a"
    );
    assert_eq!(
        rpc_ok(&url, "eth_getBalance", json!([from, "latest"])).await,
        sender_balance
    );
    assert_eq!(
        rpc_ok(
            &url,
            "eth_getBalance",
            json!([address!("00000000000000000000000000000000000000b0")])
        )
        .await,
        "0x99"
    );
    assert_eq!(
        rpc_ok(&url, "eth_getTransactionCount", json!([from, "latest"])).await,
        "0x1"
    );
    let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["blockNumber"], "0x1");
    // The chain continues from where it stopped.
    rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "to": to, "value": "0x1"}]),
    )
    .await;
    assert_eq!(qty(&rpc_ok(&url, "eth_blockNumber", json!([])).await), 3);
    node.shutdown().await;
}

#[tokio::test]
async fn corrupt_state_file_is_reported_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.json");
    std::fs::write(&path, b"{not json").unwrap();
    let mut config = devnet::NodeConfig::test();
    config.state_path = Some(path.clone());
    let err = devnet::spawn(config).await.unwrap_err();
    assert!(err.to_string().contains("parsing"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"{not json");
}

#[tokio::test]
async fn dump_and_load_state() {
    let node = start().await;
    let url = node.url();
    let who = address!("00000000000000000000000000000000000000c1");
    rpc_ok(&url, "anvil_setBalance", json!([who, "0x1234"])).await;
    rpc_ok(&url, "evm_mine", json!([])).await;
    let dump = rpc_ok(&url, "anvil_dumpState", json!([])).await;

    let other = start().await;
    let other_url = other.url();
    assert_eq!(
        rpc_ok(&other_url, "eth_getBalance", json!([who])).await,
        "0x0"
    );
    assert_eq!(
        rpc_ok(&other_url, "anvil_loadState", json!([dump])).await,
        true
    );
    assert_eq!(
        rpc_ok(&other_url, "eth_getBalance", json!([who])).await,
        "0x1234"
    );
    assert_eq!(
        rpc_ok(&other_url, "eth_blockNumber", json!([])).await,
        "0x1"
    );
    // Garbage is rejected and leaves the chain alone.
    let resp = crate::utils::rpc(&other_url, "anvil_loadState", json!(["0x1234"])).await;
    assert_eq!(resp["error"]["code"], -32602);
    assert_eq!(
        rpc_ok(&other_url, "eth_blockNumber", json!([])).await,
        "0x1"
    );
}

/// A JSON state file of the previous format (no dev state) is migrated to the database on first
/// open; the JSON is kept as `PATH.v1.json`.
#[tokio::test]
async fn json_state_file_is_migrated() {
    let node = start().await;
    let url = node.url();
    let who = address!("00000000000000000000000000000000000000c7");
    rpc_ok(&url, "anvil_setBalance", json!([who, "0x4321"])).await;
    rpc_ok(&url, "evm_mine", json!([])).await;
    let dump = rpc_ok(&url, "anvil_dumpState", json!([])).await;
    let bytes = alloy_primitives::hex::decode(dump.as_str().unwrap()).unwrap();
    let mut old: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    old.as_object_mut().unwrap().remove("dev");
    old["time_offset"] = json!(777);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.json");
    std::fs::write(&path, serde_json::to_vec(&old).unwrap()).unwrap();

    let node = start_with(|c| c.state_path = Some(path.clone())).await;
    let url = node.url();
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x1");
    assert_eq!(rpc_ok(&url, "eth_getBalance", json!([who])).await, "0x4321");
    assert_eq!(rpc_ok(&url, "evm_increaseTime", json!([0])).await, 777);
    node.shutdown().await;
    assert!(std::fs::read(&path).unwrap().starts_with(b"redb"));
    let backup = dir.path().join("chain.json.v1.json");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(backup).unwrap()).unwrap(),
        old
    );
    // And it reopens as a database.
    let node = start_with(|c| c.state_path = Some(path.clone())).await;
    assert_eq!(
        rpc_ok(&node.url(), "eth_getBalance", json!([who])).await,
        "0x4321"
    );
}

/// A revert, the pool and a reset are persisted like blocks.
#[tokio::test]
async fn revert_pool_and_reset_are_persisted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.db");
    let node = start_with(|c| c.state_path = Some(path.clone())).await;
    let url = node.url();
    let from = node.dev_accounts()[0];
    let to = address!("00000000000000000000000000000000000000c8");
    let snap = rpc_ok(&url, "evm_snapshot", json!([])).await;
    rpc_ok(&url, "anvil_mine", json!(["0x5"])).await;
    rpc_ok(
        &url,
        "anvil_setStorageAt",
        json!([to, "0x1", format!("0x{:064x}", 5)]),
    )
    .await;
    assert_eq!(rpc_ok(&url, "evm_revert", json!([snap])).await, true);
    rpc_ok(&url, "evm_setAutomine", json!([false])).await;
    let hash = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "to": to, "value": "0x3"}]),
    )
    .await;
    node.shutdown().await;

    let node = start_with(|c| c.state_path = Some(path.clone())).await;
    let url = node.url();
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x0");
    assert_eq!(
        rpc_ok(&url, "eth_getStorageAt", json!([to, "0x1", "latest"])).await,
        format!("0x{:064x}", 0)
    );
    // The queued transaction is still pending and gets mined.
    assert!(rpc_ok(&url, "eth_getTransactionByHash", json!([hash])).await["blockNumber"].is_null());
    rpc_ok(&url, "evm_mine", json!([])).await;
    let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["blockNumber"], "0x1");
    rpc_ok(&url, "anvil_mine", json!(["0x4"])).await;
    rpc_ok(&url, "anvil_reset", json!([])).await;
    node.shutdown().await;

    let node = start_with(|c| c.state_path = Some(path.clone())).await;
    let url = node.url();
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x0");
    assert_eq!(rpc_ok(&url, "eth_getBalance", json!([to])).await, "0x0");
}
