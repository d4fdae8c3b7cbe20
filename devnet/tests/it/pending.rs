//! The pending block: what the pool would produce now (issue 16), as anvil serves it.

use alloy_primitives::{address, hex};
use serde_json::{json, Value};

use crate::utils::{init_code, qty, rpc_ok, start};

#[tokio::test]
async fn pending_block_and_state_come_from_the_pool() {
    let node = start().await;
    let url = node.url();
    let from = node.dev_accounts()[1];
    let to = address!("00000000000000000000000000000000000000e5");
    // Deploy the counter (automine), then queue two calls and a transfer.
    let deploy = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "input": hex::encode_prefixed(init_code())}]),
    )
    .await;
    let contract =
        rpc_ok(&url, "eth_getTransactionReceipt", json!([deploy])).await["contractAddress"].clone();
    // Nothing queued: pending is an empty block on top of the head.
    let pending = rpc_ok(&url, "eth_getBlockByNumber", json!(["pending", false])).await;
    assert_eq!(pending["number"], "0x2");
    assert_eq!(pending["transactions"], json!([]));
    rpc_ok(&url, "evm_setAutomine", json!([false])).await;
    let mut hashes = Vec::new();
    for params in [
        json!({"from": from, "to": contract}),
        json!({"from": from, "to": contract}),
        json!({"from": from, "to": to, "value": "0x2a"}),
    ] {
        hashes.push(rpc_ok(&url, "eth_sendTransaction", json!([params])).await);
    }
    let latest = rpc_ok(&url, "eth_getBlockByNumber", json!(["latest", false])).await;
    assert_eq!(latest["number"], "0x1");
    let pending = rpc_ok(&url, "eth_getBlockByNumber", json!(["pending", false])).await;
    assert_eq!(pending["number"], "0x2");
    assert_eq!(pending["parentHash"], latest["hash"]);
    assert_eq!(pending["transactions"], json!(hashes));
    assert!(qty(&pending["gasUsed"]) > 3 * 21_000);
    let full = rpc_ok(&url, "eth_getBlockByNumber", json!(["pending", true])).await;
    assert_eq!(
        full["transactions"][2]["to"],
        json!(to.to_string().to_lowercase())
    );
    assert_eq!(
        rpc_ok(
            &url,
            "eth_getBlockTransactionCountByNumber",
            json!(["pending"])
        )
        .await,
        "0x3"
    );
    assert_eq!(
        rpc_ok(
            &url,
            "eth_getTransactionByBlockNumberAndIndex",
            json!(["pending", "0x1"])
        )
        .await["hash"],
        hashes[1]
    );
    // State queries at "pending" see the pool's effects; "latest" does not.
    assert_eq!(
        rpc_ok(&url, "eth_getBalance", json!([to, "pending"])).await,
        "0x2a"
    );
    assert_eq!(
        rpc_ok(&url, "eth_getBalance", json!([to, "latest"])).await,
        "0x0"
    );
    assert_eq!(
        rpc_ok(
            &url,
            "eth_getStorageAt",
            json!([contract, "0x0", "pending"])
        )
        .await,
        format!("0x{:064x}", 2)
    );
    assert_eq!(
        rpc_ok(
            &url,
            "eth_call",
            json!([{"to": contract, "input": "0x01"}, "pending"])
        )
        .await,
        format!("0x{:064x}", 2)
    );
    assert_eq!(
        rpc_ok(
            &url,
            "eth_call",
            json!([{"to": contract, "input": "0x01"}, "latest"])
        )
        .await,
        format!("0x{:064x}", 0)
    );
    assert_eq!(
        rpc_ok(&url, "eth_getTransactionCount", json!([from, "pending"])).await,
        "0x4"
    );
    // Gas is estimated on top of the pending state too.
    let estimate: Value = rpc_ok(
        &url,
        "eth_estimateGas",
        json!([{"from": from, "to": contract}, "pending"]),
    )
    .await;
    assert!(qty(&estimate) > 21_000);
    // Mining produces that block.
    rpc_ok(&url, "evm_mine", json!([])).await;
    let mined = rpc_ok(&url, "eth_getBlockByNumber", json!(["latest", false])).await;
    assert_eq!(mined["transactions"], json!(hashes));
    assert_eq!(mined["gasUsed"], pending["gasUsed"]);
    let pending = rpc_ok(&url, "eth_getBlockByNumber", json!(["pending", false])).await;
    assert_eq!(pending["number"], "0x3");
    assert_eq!(pending["transactions"], json!([]));
}
