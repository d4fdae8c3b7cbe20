//! Dev methods: snapshots, mining modes, time, state edits, impersonation.

use std::time::Duration;

use alloy_primitives::address;
use serde_json::json;

use crate::utils::{qty, rpc, rpc_ok, start, start_with, RUNTIME};

#[tokio::test]
async fn snapshot_revert_and_state_edits() {
    let node = start().await;
    let url = node.url();
    let who = address!("00000000000000000000000000000000000000d1");
    let snap = rpc_ok(&url, "evm_snapshot", json!([])).await;
    rpc_ok(&url, "anvil_setBalance", json!([who, "0x64"])).await;
    rpc_ok(&url, "hardhat_setBalance", json!([who, "0x65"])).await;
    rpc_ok(&url, "anvil_setCode", json!([who, format!("0x{RUNTIME}")])).await;
    rpc_ok(&url, "anvil_setNonce", json!([who, "0x7"])).await;
    rpc_ok(
        &url,
        "anvil_setStorageAt",
        json!([who, "0x0", format!("0x{:064x}", 9)]),
    )
    .await;
    rpc_ok(&url, "evm_mine", json!([])).await;
    assert_eq!(rpc_ok(&url, "eth_getBalance", json!([who])).await, "0x65");
    assert_eq!(
        rpc_ok(&url, "eth_getCode", json!([who, "latest"])).await,
        format!("0x{RUNTIME}")
    );
    assert_eq!(
        rpc_ok(&url, "eth_getTransactionCount", json!([who, "latest"])).await,
        "0x7"
    );
    assert_eq!(
        rpc_ok(&url, "eth_getStorageAt", json!([who, "0x0", "latest"])).await,
        format!("0x{:064x}", 9)
    );
    // The installed code runs: first byte 0x01 returns slot 0.
    assert_eq!(
        rpc_ok(&url, "eth_call", json!([{"to": who, "input": "0x01"}])).await,
        format!("0x{:064x}", 9)
    );
    assert_eq!(rpc_ok(&url, "evm_revert", json!([snap])).await, true);
    assert_eq!(rpc_ok(&url, "eth_getBalance", json!([who])).await, "0x0");
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x0");
    // A snapshot is consumed by reverting to it.
    assert_eq!(rpc_ok(&url, "evm_revert", json!([snap])).await, false);
}

#[tokio::test]
async fn time_travel_and_mining() {
    let node = start().await;
    let url = node.url();
    let genesis_ts =
        qty(&rpc_ok(&url, "eth_getBlockByNumber", json!(["0x0", false])).await["timestamp"]);
    rpc_ok(&url, "evm_increaseTime", json!([3600])).await;
    rpc_ok(&url, "evm_mine", json!([])).await;
    let ts1 =
        qty(&rpc_ok(&url, "eth_getBlockByNumber", json!(["latest", false])).await["timestamp"]);
    assert!(ts1 >= genesis_ts + 3600);
    rpc_ok(&url, "evm_setNextBlockTimestamp", json!([ts1 + 1000])).await;
    rpc_ok(&url, "evm_mine", json!([])).await;
    let ts2 =
        qty(&rpc_ok(&url, "eth_getBlockByNumber", json!(["latest", false])).await["timestamp"]);
    assert_eq!(ts2, ts1 + 1000);
    // Going back in time is refused.
    let resp = rpc(&url, "evm_setNextBlockTimestamp", json!([1])).await;
    assert!(resp.get("error").is_some());
    rpc_ok(&url, "evm_mine", json!([ts2 + 5])).await;
    rpc_ok(&url, "anvil_mine", json!(["0x3", "0x2"])).await;
    assert_eq!(qty(&rpc_ok(&url, "eth_blockNumber", json!([])).await), 6);
    let b5 = qty(&rpc_ok(&url, "eth_getBlockByNumber", json!(["0x5", false])).await["timestamp"]);
    let b6 = qty(&rpc_ok(&url, "eth_getBlockByNumber", json!(["0x6", false])).await["timestamp"]);
    assert_eq!(b6, b5 + 2);
}

#[tokio::test]
async fn automine_off_pool_and_impersonation() {
    let node = start().await;
    let url = node.url();
    let from = node.dev_accounts()[1];
    let to = address!("00000000000000000000000000000000000000e1");
    rpc_ok(&url, "anvil_setAutomine", json!([false])).await;
    assert_eq!(rpc_ok(&url, "anvil_getAutomine", json!([])).await, false);
    let h1 = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "to": to, "value": "0x1"}]),
    )
    .await;
    let h2 = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "to": to, "value": "0x2"}]),
    )
    .await;
    assert_eq!(
        rpc_ok(&url, "eth_getTransactionCount", json!([from, "pending"])).await,
        "0x2"
    );
    assert_eq!(
        rpc_ok(&url, "eth_getTransactionCount", json!([from, "latest"])).await,
        "0x0"
    );
    let pending = rpc_ok(&url, "eth_getTransactionByHash", json!([h1])).await;
    assert!(pending["blockNumber"].is_null());
    assert!(rpc_ok(&url, "eth_getTransactionReceipt", json!([h1]))
        .await
        .is_null());
    rpc_ok(&url, "evm_mine", json!([])).await;
    let block = rpc_ok(&url, "eth_getBlockByNumber", json!(["latest", false])).await;
    assert_eq!(block["transactions"], json!([h1, h2]));
    let r2 = rpc_ok(&url, "eth_getTransactionReceipt", json!([h2])).await;
    assert_eq!(r2["transactionIndex"], "0x1");
    assert_eq!(qty(&r2["cumulativeGasUsed"]), 42_000);

    // Impersonation: send from an address whose key the node does not have.
    let whale = address!("00000000000000000000000000000000000000f1");
    rpc_ok(&url, "anvil_setAutomine", json!([true])).await;
    let resp = rpc(
        &url,
        "eth_sendTransaction",
        json!([{"from": whale, "to": to, "value": "0x1"}]),
    )
    .await;
    assert!(resp["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unknown account"));
    rpc_ok(
        &url,
        "anvil_setBalance",
        json!([whale, "0xde0b6b3a7640000"]),
    )
    .await;
    rpc_ok(&url, "anvil_impersonateAccount", json!([whale])).await;
    let h = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": whale, "to": to, "value": "0x10"}]),
    )
    .await;
    let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([h])).await;
    assert_eq!(receipt["from"], json!(whale.to_string().to_lowercase()));
    rpc_ok(&url, "anvil_stopImpersonatingAccount", json!([whale])).await;
    let resp = rpc(
        &url,
        "eth_sendTransaction",
        json!([{"from": whale, "to": to, "value": "0x1"}]),
    )
    .await;
    assert!(resp.get("error").is_some());
    assert_eq!(rpc_ok(&url, "eth_getBalance", json!([to])).await, "0x13");
}

#[tokio::test]
async fn interval_mining() {
    let node = start_with(|c| c.block_time = Some(Duration::from_millis(100))).await;
    let url = node.url();
    assert_eq!(rpc_ok(&url, "anvil_getAutomine", json!([])).await, false);
    let from = node.dev_accounts()[0];
    let hash = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "to": from, "value": "0x1"}]),
    )
    .await;
    let mut receipt = serde_json::Value::Null;
    for _ in 0..50 {
        receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([hash])).await;
        if !receipt.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(receipt["status"], "0x1");
    // Switching interval mining off stops block production.
    rpc_ok(&url, "evm_setIntervalMining", json!([0])).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let n = rpc_ok(&url, "eth_blockNumber", json!([])).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, n);
}

#[tokio::test]
async fn estimate_gas_is_tight_and_sufficient() {
    let node = start().await;
    let url = node.url();
    let from = node.dev_accounts()[0];
    let to = address!("00000000000000000000000000000000000000e9");
    let transfer = rpc_ok(
        &url,
        "eth_estimateGas",
        json!([{"from": from, "to": to, "value": "0x1"}]),
    )
    .await;
    assert_eq!(qty(&transfer), 21_000);
    // A deployment: the estimate is enough to mine and within a few percent of what is used.
    let init = format!(
        "0x{}",
        alloy_primitives::hex::encode(crate::utils::init_code())
    );
    let estimate = qty(&rpc_ok(
        &url,
        "eth_estimateGas",
        json!([{"from": from, "input": init}]),
    )
    .await);
    let hash = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "input": init, "gas": format!("0x{estimate:x}")}]),
    )
    .await;
    let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["status"], "0x1");
    let used = qty(&receipt["gasUsed"]);
    assert!(
        estimate >= used && estimate <= used + used / 10,
        "estimate {estimate}, used {used}"
    );
}
