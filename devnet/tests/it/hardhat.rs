//! Every method `@nomicfoundation/hardhat-network-helpers` (1.x and 3.x) calls on a node whose
//! `web3_clientVersion` starts with `anvil`, with the parameters the helpers send, asserting
//! anvil's behaviour (foundry-rs/foundry `crates/anvil/src/eth/api.rs`, `backend/time.rs`).
//! The helpers' calls are in their `src/helpers/*.ts` (1.x) and
//! `src/internal/network-helpers/**/*.ts` (3.x).

use alloy_primitives::address;
use serde_json::{json, Value};

use crate::utils::{qty, rpc, rpc_ok, start};

async fn head(url: &str) -> Value {
    rpc_ok(url, "eth_getBlockByNumber", json!(["latest", false])).await
}

/// `web3_clientVersion`: the helpers accept a node whose version starts with "anvil".
#[tokio::test]
async fn client_version_identifies_anvil() {
    let node = start().await;
    let version = rpc_ok(&node.url(), "web3_clientVersion", json!([])).await;
    let version = version.as_str().unwrap();
    assert!(version.to_lowercase().starts_with("anvil"), "{version}");
    assert!(version.contains("compute-market-devnet/"), "{version}");
}

/// `evm_snapshot` (no params) returns ids 0x0, 0x1, ...; `evm_revert [id]` returns true once,
/// drops later snapshots, and restarts the clock at the restored head's timestamp.
#[tokio::test]
async fn evm_snapshot_and_evm_revert() {
    let node = start().await;
    let url = node.url();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "evm_snapshot"});
    let (_, resp) = crate::utils::post_raw(&url, body.to_string()).await;
    assert_eq!(resp["result"], "0x0");
    let ts0 = qty(&head(&url).await["timestamp"]);
    rpc_ok(&url, "evm_increaseTime", json!(["0xf4240"])).await;
    rpc_ok(&url, "hardhat_mine", json!(["0x2", "0x1"])).await;
    assert_eq!(rpc_ok(&url, "evm_snapshot", json!([])).await, "0x1");
    rpc_ok(&url, "hardhat_mine", json!(["0x1", "0x1"])).await;
    assert_eq!(rpc_ok(&url, "evm_revert", json!(["0x0"])).await, true);
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x0");
    // Snapshot 1 was taken after 0: gone. 0 is consumed.
    assert_eq!(rpc_ok(&url, "evm_revert", json!(["0x1"])).await, false);
    assert_eq!(rpc_ok(&url, "evm_revert", json!(["0x0"])).await, false);
    // Ids keep counting.
    assert_eq!(rpc_ok(&url, "evm_snapshot", json!([])).await, "0x2");
    // The clock restarted at the genesis timestamp, not a million seconds ahead.
    rpc_ok(&url, "hardhat_mine", json!(["0x1"])).await;
    let ts = qty(&head(&url).await["timestamp"]);
    assert!(ts >= ts0 && ts <= ts0 + 5, "{ts} vs {ts0}");
}

/// `hardhat_mine [blocks, interval]`: `blocks` blocks, the clock moving `interval` seconds before
/// each; `[blocks]` alone (mineUpTo) keeps the clock; `0x0` blocks mines nothing.
#[tokio::test]
async fn hardhat_mine_with_interval() {
    let node = start().await;
    let url = node.url();
    let t0 = qty(&head(&url).await["timestamp"]);
    rpc_ok(&url, "hardhat_mine", json!(["0x5", "0x3c"])).await;
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x5");
    let mut prev = t0;
    for n in 1..=5u64 {
        let b = rpc_ok(
            &url,
            "eth_getBlockByNumber",
            json!([format!("0x{n:x}"), false]),
        )
        .await;
        let ts = qty(&b["timestamp"]);
        // 60 s apart (61 if the wall clock ticked in between).
        assert!(
            (prev + 60..=prev + 61).contains(&ts),
            "block {n}: {ts} after {prev}"
        );
        prev = ts;
    }
    // The offset stays: the next block continues after the last one.
    rpc_ok(&url, "hardhat_mine", json!(["0x3"])).await;
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x8");
    let ts = qty(&head(&url).await["timestamp"]);
    assert!(ts >= prev && ts <= prev + 2, "{ts} after {prev}");
    rpc_ok(&url, "hardhat_mine", json!(["0x0", "0x1"])).await;
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x8");
}

/// `evm_setNextBlockTimestamp [hex]` (time.increase, time.increaseTo, setNextBlockTimestamp):
/// the next block gets exactly that timestamp and the clock continues from it; equal to the head
/// is accepted, below it is refused with -32602.
#[tokio::test]
async fn evm_set_next_block_timestamp() {
    let node = start().await;
    let url = node.url();
    let latest = qty(&head(&url).await["timestamp"]);
    let target = latest + 3600;
    rpc_ok(
        &url,
        "evm_setNextBlockTimestamp",
        json!([format!("0x{target:x}")]),
    )
    .await;
    rpc_ok(&url, "hardhat_mine", json!(["0x1", "0x1"])).await;
    assert_eq!(qty(&head(&url).await["timestamp"]), target);
    // A transaction mined later lands at or after the target, not back at the wall clock.
    let from = node.dev_accounts()[0];
    rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "to": from, "value": "0x0"}]),
    )
    .await;
    let ts = qty(&head(&url).await["timestamp"]);
    assert!(ts >= target && ts <= target + 2, "{ts} vs {target}");
    rpc_ok(
        &url,
        "evm_setNextBlockTimestamp",
        json!([format!("0x{ts:x}")]),
    )
    .await;
    let resp = rpc(
        &url,
        "evm_setNextBlockTimestamp",
        json!([format!("0x{:x}", ts - 1)]),
    )
    .await;
    assert_eq!(resp["error"]["code"], -32602);
    assert!(resp["error"]["message"]
        .as_str()
        .unwrap()
        .contains("lower than previous block's timestamp"));
}

/// `hardhat_setBalance [address, hex]`.
#[tokio::test]
async fn hardhat_set_balance() {
    let node = start().await;
    let url = node.url();
    let who = address!("00000000000000000000000000000000000000a1");
    assert_eq!(
        rpc_ok(
            &url,
            "hardhat_setBalance",
            json!([who, "0xde0b6b3a7640000"])
        )
        .await,
        Value::Null
    );
    assert_eq!(
        rpc_ok(&url, "eth_getBalance", json!([who, "latest"])).await,
        "0xde0b6b3a7640000"
    );
    rpc_ok(&url, "hardhat_setBalance", json!([who, "0x0"])).await;
    assert_eq!(
        rpc_ok(&url, "eth_getBalance", json!([who, "latest"])).await,
        "0x0"
    );
}

/// `hardhat_setCode [address, hex]`: the code runs.
#[tokio::test]
async fn hardhat_set_code() {
    let node = start().await;
    let url = node.url();
    let who = address!("00000000000000000000000000000000000000a2");
    // Returns 0x2a as a word.
    let code = "0x602a60005260206000f3";
    assert_eq!(
        rpc_ok(&url, "hardhat_setCode", json!([who, code])).await,
        Value::Null
    );
    assert_eq!(
        rpc_ok(&url, "eth_getCode", json!([who, "latest"])).await,
        code
    );
    assert_eq!(
        rpc_ok(&url, "eth_call", json!([{"to": who}])).await,
        format!("0x{:064x}", 0x2a)
    );
}

/// `hardhat_setNonce [address, hex]`: any value, up or down (anvil does not require an increase).
#[tokio::test]
async fn hardhat_set_nonce() {
    let node = start().await;
    let url = node.url();
    let who = address!("00000000000000000000000000000000000000a3");
    rpc_ok(&url, "hardhat_setNonce", json!([who, "0x7"])).await;
    assert_eq!(
        rpc_ok(&url, "eth_getTransactionCount", json!([who, "latest"])).await,
        "0x7"
    );
    rpc_ok(&url, "hardhat_setNonce", json!([who, "0x2"])).await;
    assert_eq!(
        rpc_ok(&url, "eth_getTransactionCount", json!([who, "latest"])).await,
        "0x2"
    );
}

/// `hardhat_setStorageAt [address, hex slot, 32-byte value]` returns true; `eth_getStorageAt`
/// with the helpers' 32-byte padded slot reads it back.
#[tokio::test]
async fn hardhat_set_storage_at_and_get_storage_at() {
    let node = start().await;
    let url = node.url();
    let who = address!("00000000000000000000000000000000000000a4");
    let value = format!("0x{:064x}", 42);
    assert_eq!(
        rpc_ok(&url, "hardhat_setStorageAt", json!([who, "0x1", value])).await,
        true
    );
    let padded = format!("0x{:064x}", 1);
    assert_eq!(
        rpc_ok(&url, "eth_getStorageAt", json!([who, padded, "latest"])).await,
        value
    );
    // A value that is not 32 bytes is refused, as anvil (B256).
    let resp = rpc(&url, "hardhat_setStorageAt", json!([who, "0x1", "0x2a"])).await;
    assert_eq!(resp["error"]["code"], -32602);
}

/// `hardhat_impersonateAccount`/`hardhat_stopImpersonatingAccount [address]`.
#[tokio::test]
async fn hardhat_impersonation() {
    let node = start().await;
    let url = node.url();
    let whale = address!("00000000000000000000000000000000000000a5");
    let to = address!("00000000000000000000000000000000000000a6");
    rpc_ok(
        &url,
        "hardhat_setBalance",
        json!([whale, "0xde0b6b3a7640000"]),
    )
    .await;
    assert_eq!(
        rpc_ok(&url, "hardhat_impersonateAccount", json!([whale])).await,
        Value::Null
    );
    let hash = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": whale, "to": to, "value": "0x5"}]),
    )
    .await;
    let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["status"], "0x1");
    assert_eq!(receipt["from"], json!(whale.to_string().to_lowercase()));
    rpc_ok(&url, "hardhat_stopImpersonatingAccount", json!([whale])).await;
    let resp = rpc(
        &url,
        "eth_sendTransaction",
        json!([{"from": whale, "to": to, "value": "0x5"}]),
    )
    .await;
    assert!(resp.get("error").is_some(), "{resp}");
}

/// `hardhat_dropTransaction [hash]`: returns the hash if the transaction was pending, null
/// otherwise (anvil's `Option<B256>`).
#[tokio::test]
async fn hardhat_drop_transaction() {
    let node = start().await;
    let url = node.url();
    let from = node.dev_accounts()[0];
    rpc_ok(&url, "evm_setAutomine", json!([false])).await;
    let hash = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "to": from, "value": "0x1"}]),
    )
    .await;
    assert_eq!(
        rpc_ok(&url, "hardhat_dropTransaction", json!([hash])).await,
        hash
    );
    assert_eq!(
        rpc_ok(&url, "eth_getTransactionByHash", json!([hash])).await,
        Value::Null
    );
    assert_eq!(
        rpc_ok(&url, "hardhat_dropTransaction", json!([hash])).await,
        Value::Null
    );
    rpc_ok(&url, "evm_mine", json!([])).await;
    let block = head(&url).await;
    assert_eq!(block["transactions"], json!([]));
}

/// `hardhat_setCoinbase [address]`: `eth_coinbase` and the miner of new blocks.
#[tokio::test]
async fn hardhat_set_coinbase() {
    let node = start().await;
    let url = node.url();
    let who = address!("00000000000000000000000000000000000000a7");
    assert_eq!(
        rpc_ok(&url, "hardhat_setCoinbase", json!([who])).await,
        Value::Null
    );
    let lower = json!(who.to_string().to_lowercase());
    assert_eq!(rpc_ok(&url, "eth_coinbase", json!([])).await, lower);
    rpc_ok(&url, "hardhat_mine", json!(["0x1", "0x1"])).await;
    assert_eq!(head(&url).await["miner"], lower);
}

/// `hardhat_setNextBlockBaseFeePerGas [hex]`: the next block has that base fee; later ones
/// follow EIP-1559 from it.
#[tokio::test]
async fn hardhat_set_next_block_base_fee_per_gas() {
    let node = start().await;
    let url = node.url();
    let fee = 7_000_000_000u64;
    rpc_ok(
        &url,
        "hardhat_setNextBlockBaseFeePerGas",
        json!([format!("0x{fee:x}")]),
    )
    .await;
    assert_eq!(qty(&rpc_ok(&url, "eth_gasPrice", json!([])).await), fee);
    rpc_ok(&url, "hardhat_mine", json!(["0x1", "0x1"])).await;
    assert_eq!(qty(&head(&url).await["baseFeePerGas"]), fee);
    rpc_ok(&url, "hardhat_mine", json!(["0x1", "0x1"])).await;
    // An empty block lowers the base fee by 1/8.
    assert_eq!(qty(&head(&url).await["baseFeePerGas"]), fee - fee / 8);
}

/// `evm_setBlockGasLimit [hex]` returns true; new blocks carry it and transactions above it are
/// refused.
#[tokio::test]
async fn evm_set_block_gas_limit() {
    let node = start().await;
    let url = node.url();
    assert_eq!(
        rpc_ok(&url, "evm_setBlockGasLimit", json!(["0x2faf080"])).await,
        true
    );
    rpc_ok(&url, "hardhat_mine", json!(["0x1", "0x1"])).await;
    assert_eq!(qty(&head(&url).await["gasLimit"]), 50_000_000);
    rpc_ok(&url, "evm_setBlockGasLimit", json!(["0x5208"])).await;
    let from = node.dev_accounts()[0];
    let resp = rpc(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "to": from, "gas": "0x5209"}]),
    )
    .await;
    assert!(resp["error"]["message"]
        .as_str()
        .unwrap()
        .contains("exceeds block gas limit"));
}

/// `hardhat_reset []`: back to genesis (timestamp included), snapshots and pool cleared; a
/// forking config is refused (the dev chain cannot fork).
#[tokio::test]
async fn hardhat_reset() {
    let node = start().await;
    let url = node.url();
    let genesis = rpc_ok(&url, "eth_getBlockByNumber", json!(["0x0", false])).await;
    let who = address!("00000000000000000000000000000000000000a8");
    let snap = rpc_ok(&url, "evm_snapshot", json!([])).await;
    rpc_ok(&url, "hardhat_setBalance", json!([who, "0x10"])).await;
    rpc_ok(&url, "evm_increaseTime", json!(["0xf4240"])).await;
    rpc_ok(&url, "hardhat_mine", json!(["0x3", "0x1"])).await;
    assert_eq!(rpc_ok(&url, "hardhat_reset", json!([])).await, Value::Null);
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x0");
    assert_eq!(
        rpc_ok(&url, "eth_getBlockByNumber", json!(["0x0", false])).await["timestamp"],
        genesis["timestamp"]
    );
    assert_eq!(rpc_ok(&url, "eth_getBalance", json!([who])).await, "0x0");
    assert_eq!(rpc_ok(&url, "evm_revert", json!([snap])).await, false);
    rpc_ok(&url, "hardhat_mine", json!(["0x1"])).await;
    let ts = qty(&head(&url).await["timestamp"]);
    let ts0 = qty(&genesis["timestamp"]);
    assert!(
        ts >= ts0 && ts <= ts0 + 5,
        "clock restarted at genesis: {ts} vs {ts0}"
    );
    let resp = rpc(
        &url,
        "hardhat_reset",
        json!([{"forking": {"jsonRpcUrl": "http://127.0.0.1:1"}}]),
    )
    .await;
    assert_eq!(resp["error"]["code"], -32602);
}

/// `hardhat_setPrevRandao`: anvil has no such method (only `anvil_setNextBlockPrevRandao`), so
/// the helper fails on anvil with "method not found"; the dev chain answers the same.
#[tokio::test]
async fn hardhat_set_prev_randao_is_unknown_as_on_anvil() {
    let node = start().await;
    let resp = rpc(
        &node.url(),
        "hardhat_setPrevRandao",
        json!([format!("0x{:064x}", 1)]),
    )
    .await;
    assert_eq!(resp["error"]["code"], -32601);
}

/// `eth_getBlockByNumber ["latest", false]` and `eth_blockNumber` (time.latest,
/// time.latestBlock): hex quantities the helpers parse with `parseInt(.., 16)`.
#[tokio::test]
async fn latest_block_and_number() {
    let node = start().await;
    let url = node.url();
    rpc_ok(&url, "hardhat_mine", json!(["0x2", "0x1"])).await;
    let block = head(&url).await;
    assert_eq!(block["number"], "0x2");
    assert!(block["timestamp"].as_str().unwrap().starts_with("0x"));
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x2");
}
