//! WebSocket transport: plain calls and `eth_subscribe` (newHeads, logs) on the HTTP port.

use alloy_primitives::{hex, Address};
use jsonrpsee::{
    core::client::{ClientT, Subscription, SubscriptionClientT},
    rpc_params,
    ws_client::WsClientBuilder,
};
use serde_json::{json, Value};

use crate::utils::{init_code, qty, rpc_ok, start};

#[tokio::test]
async fn subscriptions_over_websocket() {
    let node = start().await;
    let url = node.url();
    let client = WsClientBuilder::default()
        .build(node.ws_url())
        .await
        .unwrap();
    let chain_id: String = client.request("eth_chainId", rpc_params![]).await.unwrap();
    assert_eq!(chain_id, "0x64aba");

    let mut heads: Subscription<Value> = client
        .subscribe("eth_subscribe", rpc_params!["newHeads"], "eth_unsubscribe")
        .await
        .unwrap();
    let from = node.dev_accounts()[0];
    let deploy = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "input": hex::encode_prefixed(init_code())}]),
    )
    .await;
    let head = heads.next().await.unwrap().unwrap();
    assert_eq!(qty(&head["number"]), 1);
    assert!(head["hash"].is_string());
    let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([deploy])).await;
    let contract: Address = receipt["contractAddress"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    let mut logs: Subscription<Value> = client
        .subscribe(
            "eth_subscribe",
            rpc_params!["logs", json!({"address": contract})],
            "eth_unsubscribe",
        )
        .await
        .unwrap();
    rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "to": contract}]),
    )
    .await;
    let log = logs.next().await.unwrap().unwrap();
    assert_eq!(log["address"], json!(contract.to_string().to_lowercase()));
    assert_eq!(qty(&log["blockNumber"]), 2);

    // Unknown subscription kinds are rejected without hurting the connection.
    let bad: Result<Subscription<Value>, _> = client
        .subscribe("eth_subscribe", rpc_params!["nope"], "eth_unsubscribe")
        .await;
    assert!(bad.is_err());
    let n: String = client
        .request("eth_blockNumber", rpc_params![])
        .await
        .unwrap();
    assert_eq!(n, "0x2");
}
