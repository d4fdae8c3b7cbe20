//! One regression test per defect of issue 17 (robustness battery of the dev chain).

use std::time::Duration;

use alloy_primitives::{address, U256};
use jsonrpsee::{
    core::client::{Subscription, SubscriptionClientT},
    rpc_params,
    ws_client::WsClientBuilder,
};
use serde_json::{json, Value};

use crate::utils::{post_raw, qty, rpc, rpc_ok, spawn_with_state, start, start_with};

fn error_code(resp: &Value) -> i64 {
    resp["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("expected an error, got {resp}"))
}

/// Defect 1: `--state` rewrote the whole file per block. Now a block writes only what changed:
/// the same transfer writes as many database rows at block 3 as after 3,000 more blocks, and
/// `anvil_mine` of 3,000 blocks is one write.
#[tokio::test]
async fn state_writes_do_not_grow_with_chain_length() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_with(|c| c.state_path = Some(dir.path().join("chain.db"))).await;
    let url = node.url();
    let from = node.dev_accounts()[0];
    let to = address!("00000000000000000000000000000000000000a7");
    let send = || {
        rpc_ok(
            &url,
            "eth_sendTransaction",
            json!([{"from": from, "to": to, "value": "0x1"}]),
        )
    };
    send().await;
    send().await;
    let rows_early = node.backend().last_write_rows().unwrap();
    rpc_ok(&url, "anvil_mine", json!(["0xbb8"])).await;
    // One write for the whole call: 3,000 blocks plus the dev state.
    assert_eq!(node.backend().last_write_rows(), Some(3_001));
    send().await;
    let rows_late = node.backend().last_write_rows().unwrap();
    // A transfer writes its block, the sender, the recipient, the beneficiary and the dev state.
    assert_eq!(rows_early, rows_late);
    assert!(rows_late <= 6, "{rows_late} rows for one transfer");
    assert_eq!(
        qty(&rpc_ok(&url, "eth_blockNumber", json!([])).await),
        3_003
    );
    node.shutdown().await;

    let node = start_with(|c| c.state_path = Some(dir.path().join("chain.db"))).await;
    let url = node.url();
    assert_eq!(
        qty(&rpc_ok(&url, "eth_blockNumber", json!([])).await),
        3_003
    );
    assert_eq!(rpc_ok(&url, "eth_getBalance", json!([to])).await, "0x3");
}

fn signal(child: &tokio::process::Child, sig: &str) {
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill")
        .args([sig, &pid])
        .status()
        .unwrap()
        .success());
}

/// Defect 2: `evm_increaseTime`/`evm_setNextBlockTimestamp` were persisted only with the next
/// block. Now every dev-method call is written at once: after `kill -9` (and after SIGTERM) the
/// clock offset, the forced timestamp, impersonations and the mining mode are all back.
#[tokio::test]
async fn dev_state_survives_kill_9_and_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("chain.db");
    let whale = address!("00000000000000000000000000000000000000f2");
    let coinbase = address!("00000000000000000000000000000000000000c0");
    for sig in ["-KILL", "-TERM"] {
        let (mut child, url) = spawn_with_state(&state).await;
        let offset = rpc_ok(&url, "evm_increaseTime", json!([1_000_000])).await;
        let offset = offset.as_i64().unwrap();
        assert!(offset >= 1_000_000);
        let head_ts =
            qty(&rpc_ok(&url, "eth_getBlockByNumber", json!(["latest", false])).await["timestamp"]);
        let forced = head_ts + 5_000_000;
        rpc_ok(&url, "evm_setNextBlockTimestamp", json!([forced])).await;
        rpc_ok(&url, "anvil_impersonateAccount", json!([whale])).await;
        rpc_ok(&url, "anvil_setCoinbase", json!([coinbase])).await;
        rpc_ok(&url, "evm_setAutomine", json!([false])).await;
        signal(&child, sig);
        tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .unwrap()
            .unwrap();

        let node = start_with(|c| c.state_path = Some(state.clone())).await;
        let url = node.url();
        // The offset is exactly what it was (evm_increaseTime 0 reads it back).
        assert_eq!(
            rpc_ok(&url, "evm_increaseTime", json!([0])).await.as_i64(),
            Some(offset)
        );
        assert_eq!(rpc_ok(&url, "anvil_getAutomine", json!([])).await, false);
        assert_eq!(
            rpc_ok(&url, "eth_coinbase", json!([])).await,
            json!(coinbase.to_string().to_lowercase())
        );
        rpc_ok(&url, "evm_mine", json!([])).await;
        let block = rpc_ok(&url, "eth_getBlockByNumber", json!(["latest", false])).await;
        assert_eq!(qty(&block["timestamp"]), forced, "{sig}");
        assert_eq!(block["miner"], json!(coinbase.to_string().to_lowercase()));
        // The impersonation survived too.
        rpc_ok(
            &url,
            "anvil_setBalance",
            json!([whale, "0xde0b6b3a7640000"]),
        )
        .await;
        rpc_ok(
            &url,
            "eth_sendTransaction",
            json!([{"from": whale, "to": coinbase, "value": "0x1"}]),
        )
        .await;
        // Back to a clean slate for the next signal.
        rpc_ok(&url, "anvil_stopImpersonatingAccount", json!([whale])).await;
        rpc_ok(&url, "evm_setAutomine", json!([true])).await;
        node.shutdown().await;
    }
}

/// Subscribes `n` WebSocket clients to `newHeads`, mines `blocks` blocks in one `anvil_mine`,
/// and checks every client received every header, in order.
async fn heads_for_everyone(blocks: u64, n: usize) {
    let node = start().await;
    let mut subs = Vec::new();
    for _ in 0..n {
        let client = WsClientBuilder::default()
            .build(node.ws_url())
            .await
            .unwrap();
        let sub: Subscription<Value> = client
            .subscribe("eth_subscribe", rpc_params!["newHeads"], "eth_unsubscribe")
            .await
            .unwrap();
        subs.push((client, sub));
    }
    rpc_ok(&node.url(), "anvil_mine", json!([format!("0x{blocks:x}")])).await;
    let mut tasks = Vec::new();
    for (client, mut sub) in subs {
        tasks.push(tokio::spawn(async move {
            let mut expected = 1u64;
            while expected <= blocks {
                let head = tokio::time::timeout(Duration::from_secs(120), sub.next())
                    .await
                    .expect("a subscriber stalled")
                    .expect("subscription closed")
                    .unwrap();
                assert_eq!(qty(&head["number"]), expected, "headers out of order");
                expected += 1;
            }
            drop(client);
            expected - 1
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), blocks);
    }
}

/// Defect 3: subscribers silently lost headers beyond a 256-entry channel. Now they read from the
/// chain: 50 subscribers each receive all 2,000 headers of one `anvil_mine`, in order. The full
/// 10,000-block version is `full_10000_block_mine_with_50_subscribers` (ignored by default).
#[tokio::test]
async fn every_subscriber_gets_every_header_in_order() {
    heads_for_everyone(2_000, 50).await;
}

/// Defect 3 at the issue's size: `cargo test -p devnet --release -- --ignored full_10000`.
#[tokio::test]
#[ignore = "long: run with `cargo test -p devnet --release -- --ignored full_10000`"]
async fn full_10000_block_mine_with_50_subscribers() {
    heads_for_everyone(10_000, 50).await;
}

/// Defect 3, reorganisations: a subscriber that saw blocks which `evm_revert` removed receives
/// the blocks that replaced them.
#[tokio::test]
async fn subscribers_follow_a_revert() {
    let node = start().await;
    let url = node.url();
    let client = WsClientBuilder::default()
        .build(node.ws_url())
        .await
        .unwrap();
    let mut heads: Subscription<Value> = client
        .subscribe("eth_subscribe", rpc_params!["newHeads"], "eth_unsubscribe")
        .await
        .unwrap();
    let snap = rpc_ok(&url, "evm_snapshot", json!([])).await;
    rpc_ok(&url, "anvil_mine", json!(["0x3"])).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(heads.next().await.unwrap().unwrap());
    }
    rpc_ok(&url, "evm_revert", json!([snap])).await;
    rpc_ok(&url, "anvil_mine", json!(["0x2", "0x3c"])).await;
    let replaced = heads.next().await.unwrap().unwrap();
    assert_eq!(qty(&replaced["number"]), 1);
    assert_ne!(replaced["hash"], seen[0]["hash"]);
    assert_eq!(qty(&heads.next().await.unwrap().unwrap()["number"]), 2);
}

/// Defect 4: filter ids were 1, 2, 3 and the 1,024 slots were shared. Now ids are random 128-bit
/// numbers and the cap is per connection: one client filling its slots leaves others unaffected.
#[tokio::test]
async fn filters_are_unguessable_and_capped_per_connection() {
    let node = start().await;
    let url = node.url();
    // One keep-alive connection per reqwest client.
    let greedy = reqwest::Client::new();
    let call = |client: &reqwest::Client, method: &str, params: Value| {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let req = client.post(&url).json(&body).send();
        async move { req.await.unwrap().json::<Value>().await.unwrap() }
    };
    let mut ids = Vec::new();
    for _ in 0..devnet::api::filter::MAX_FILTERS_PER_CONNECTION {
        let resp = call(&greedy, "eth_newBlockFilter", json!([])).await;
        ids.push(resp["result"].as_str().unwrap().to_string());
    }
    let over = call(&greedy, "eth_newBlockFilter", json!([])).await;
    assert_eq!(error_code(&over), -32005, "{over}");
    // Ids are 128-bit random numbers: not small, not sequential, not repeated.
    let values: Vec<u128> = ids
        .iter()
        .map(|id| u128::from_str_radix(id.trim_start_matches("0x"), 16).unwrap())
        .collect();
    assert!(values.iter().filter(|v| **v < 1 << 64).count() < 2);
    let unique: std::collections::HashSet<_> = values.iter().collect();
    assert_eq!(unique.len(), values.len());
    // Another client still gets filters, and counting cannot reach anyone's.
    let other = reqwest::Client::new();
    let mine = call(&other, "eth_newBlockFilter", json!([])).await;
    assert!(mine["result"].is_string(), "{mine}");
    for guess in 1..=64u64 {
        let resp = call(
            &other,
            "eth_uninstallFilter",
            json!([format!("0x{guess:x}")]),
        )
        .await;
        assert_eq!(resp["result"], false);
    }
    // Uninstalling frees a slot on the greedy connection.
    let resp = call(&greedy, "eth_uninstallFilter", json!([ids[0]])).await;
    assert_eq!(resp["result"], true);
    let again = call(&greedy, "eth_newBlockFilter", json!([])).await;
    assert!(again["result"].is_string(), "{again}");
}

/// Defect 5: protocol edges answered as geth does.
#[tokio::test]
async fn protocol_edges_match_geth() {
    let node = start().await;
    let url = node.url();
    // Ids that are objects, arrays, fractions, negative or above 2^64 - 1: -32600, id null.
    for id in ["{\"a\":1}", "[1]", "1.5", "-1", "18446744073709551616"] {
        let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"eth_chainId","params":[]}}"#);
        let (status, resp) = post_raw(&url, body).await;
        assert_eq!(status, 200);
        assert_eq!(error_code(&resp), -32600, "id {id}: {resp}");
        assert_eq!(resp["id"], Value::Null);
    }
    // Valid ids still work, including inside a batch next to an invalid one.
    let (_, resp) = post_raw(
        &url,
        r#"[{"jsonrpc":"2.0","id":"x","method":"eth_chainId"},{"jsonrpc":"2.0","id":{},"method":"eth_chainId"}]"#,
    )
    .await;
    let arr = resp.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert_eq!(arr[0]["id"], "x");
    assert_eq!(arr[0]["result"], "0x64aba");
    assert_eq!(error_code(&arr[1]), -32600);
    // eth_subscribe over HTTP: geth's "notifications not supported".
    let resp = rpc(&url, "eth_subscribe", json!(["newHeads"])).await;
    assert_eq!(error_code(&resp), -32601);
    assert_eq!(resp["error"]["message"], "notifications not supported");
    // Hex without 0x, empty quantities: rejected, state untouched.
    let who = address!("00000000000000000000000000000000000000b0");
    rpc_ok(&url, "anvil_setBalance", json!([who, "0x99"])).await;
    for bad in ["", "0x", "99"] {
        let resp = rpc(&url, "anvil_setBalance", json!([who, bad])).await;
        assert_eq!(error_code(&resp), -32602, "{bad:?}: {resp}");
    }
    assert_eq!(rpc_ok(&url, "eth_getBalance", json!([who])).await, "0x99");
    let from = node.dev_accounts()[0];
    for (method, params) in [
        ("eth_sendRawTransaction", json!(["02f86c"])),
        ("eth_call", json!([{"to": who, "input": "01"}])),
        ("eth_call", json!([{"to": who, "data": "0x0"}])),
        (
            "eth_sendTransaction",
            json!([{"from": from, "to": who, "value": ""}]),
        ),
        (
            "eth_estimateGas",
            json!([{"from": from, "to": who, "value": "0x"}]),
        ),
        ("anvil_setCode", json!([who, "6001"])),
        ("eth_getStorageAt", json!([who, "", "latest"])),
        ("evm_increaseTime", json!(["0x"])),
    ] {
        let resp = rpc(&url, method, params.clone()).await;
        assert_eq!(error_code(&resp), -32602, "{method} {params}: {resp}");
    }
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x0");
    // Time travel is bounded: 2^64 - 1 seconds is refused and timestamps stay sane.
    let resp = rpc(&url, "evm_increaseTime", json!(["0xffffffffffffffff"])).await;
    assert_eq!(error_code(&resp), -32602);
    assert!(resp["error"]["message"]
        .as_str()
        .unwrap()
        .contains("largest timestamp"));
    let resp = rpc(
        &url,
        "evm_setNextBlockTimestamp",
        json!([devnet::backend::dev::MAX_TIMESTAMP + 1]),
    )
    .await;
    assert_eq!(error_code(&resp), -32602);
    rpc_ok(&url, "evm_mine", json!([])).await;
    let ts =
        qty(&rpc_ok(&url, "eth_getBlockByNumber", json!(["latest", false])).await["timestamp"]);
    assert!(ts < 1 << 34, "timestamp {ts}");
    // Up to the bound is fine.
    rpc_ok(
        &url,
        "evm_setNextBlockTimestamp",
        json!([devnet::backend::dev::MAX_TIMESTAMP]),
    )
    .await;
    rpc_ok(&url, "evm_mine", json!([])).await;
    let ts =
        qty(&rpc_ok(&url, "eth_getBlockByNumber", json!(["latest", false])).await["timestamp"]);
    assert_eq!(ts, devnet::backend::dev::MAX_TIMESTAMP);
}

/// Defect 6: after `anvil_setBalance(recipient, 2^256 - 1)` a transfer halted with
/// `OverflowPayment` and destroyed its value. Now such a balance is refused, and with all
/// balances adding up to exactly 2^256 - 1 a transfer succeeds and conserves ether.
#[tokio::test]
async fn dev_methods_never_destroy_ether() {
    let node = start().await;
    let url = node.url();
    let recipient = address!("00000000000000000000000000000000000000d9");
    let resp = rpc(
        &url,
        "anvil_setBalance",
        json!([recipient, format!("{:#x}", U256::MAX)]),
    )
    .await;
    assert_eq!(error_code(&resp), -32602);
    assert!(resp["error"]["message"]
        .as_str()
        .unwrap()
        .contains("total ether supply"));
    assert_eq!(
        rpc_ok(&url, "eth_getBalance", json!([recipient])).await,
        "0x0"
    );
    // The rest of the supply: every genesis balance.
    let others: U256 = node
        .backend()
        .with_state(None, |db| db.total_balance())
        .unwrap()
        .unwrap();
    let top = U256::MAX - others;
    rpc_ok(
        &url,
        "anvil_setBalance",
        json!([recipient, format!("{top:#x}")]),
    )
    .await;
    let from = node.dev_accounts()[0];
    let before: U256 = rpc_ok(&url, "eth_getBalance", json!([from]))
        .await
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let hash = rpc_ok(
        &url,
        "eth_sendTransaction",
        json!([{"from": from, "to": recipient, "value": "0xa"}]),
    )
    .await;
    let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["status"], "0x1");
    let fee = U256::from(qty(&receipt["gasUsed"])) * U256::from(qty(&receipt["effectiveGasPrice"]));
    let after: U256 = rpc_ok(&url, "eth_getBalance", json!([from]))
        .await
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(after, before - fee - U256::from(10));
    assert_eq!(
        rpc_ok(&url, "eth_getBalance", json!([recipient])).await,
        json!(format!("{:#x}", top + U256::from(10)))
    );
}
