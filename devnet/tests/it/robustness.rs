//! Bad input never crashes the node: each gets a JSON-RPC error and the node keeps serving.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_network::TxSignerSync;
use alloy_primitives::{address, hex, Bytes, TxKind, U256};
use alloy_signer_local::PrivateKeySigner;
use serde_json::{json, Value};

use crate::utils::{post_raw, rpc, rpc_ok, start};

fn signed(signer: &PrivateKeySigner, f: impl FnOnce(&mut TxEip1559)) -> Vec<u8> {
    let mut tx = TxEip1559 {
        chain_id: 412_346,
        nonce: 0,
        gas_limit: 21_000,
        max_fee_per_gas: 1_000_000_000,
        max_priority_fee_per_gas: 0,
        to: TxKind::Call(address!("00000000000000000000000000000000000000aa")),
        value: U256::from(1),
        ..Default::default()
    };
    f(&mut tx);
    let sig = signer.sign_transaction_sync(&mut tx).unwrap();
    let env: TxEnvelope = tx.into_signed(sig).into();
    env.encoded_2718()
}

fn error_code(resp: &Value) -> i64 {
    resp["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("expected an error, got {resp}"))
}

fn send_raw(raw: &[u8]) -> Value {
    json!([hex::encode_prefixed(raw)])
}

#[tokio::test]
async fn battery_of_bad_requests_then_a_valid_tx() {
    let node = start().await;
    let url = node.url();
    let signer = node.dev_signers()[3].clone();

    // Transport / envelope level.
    let (_, resp) = post_raw(&url, "this is not json").await;
    assert_eq!(error_code(&resp), -32700);
    let (_, resp) = post_raw(&url, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":").await;
    assert_eq!(error_code(&resp), -32700);
    let (_, resp) = post_raw(&url, "[]").await;
    assert!(resp.get("error").is_some() || resp.is_null(), "{resp}");
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let (_, resp) = post_raw(&url, nested).await;
    let first = resp.as_array().and_then(|a| a.first()).unwrap_or(&resp);
    assert!(first.get("error").is_some(), "{resp}");
    let resp = rpc(&url, "no_such_method", json!([])).await;
    assert_eq!(error_code(&resp), -32601);
    let (_, resp) = post_raw(&url, r#"{"jsonrpc":"2.0","id":1,"method":42}"#).await;
    assert!(resp.get("error").is_some(), "{resp}");

    // Wrong params.
    for (method, params) in [
        ("eth_getBalance", json!(["0xzz"])),
        ("eth_getBalance", json!([])),
        ("eth_getBalance", json!([1, 2, 3, 4])),
        ("eth_getBlockByNumber", json!(["yesterday", false])),
        ("eth_call", json!(["not an object"])),
        (
            "eth_getLogs",
            json!([{"fromBlock": "0x0", "toBlock": "0x0", "blockHash": "0x00"}]),
        ),
        ("eth_feeHistory", json!(["0x1", "latest", [90.0, 10.0]])),
        ("evm_revert", json!(["banana"])),
        ("anvil_setBalance", json!(["0x00", "0x1"])),
        ("eth_sendRawTransaction", json!([])),
        ("eth_sendRawTransaction", json!(["0xzz"])),
    ] {
        let resp = rpc(&url, method, params.clone()).await;
        assert!(resp.get("error").is_some(), "{method} {params}: {resp}");
    }

    // Bad transactions, each with geth's wording.
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (vec![], "empty"),
        (hex::decode("deadbeef").unwrap(), "decode"),
        (vec![0x02; 300], "decode"),
        (signed(&signer, |tx| tx.chain_id = 1), "invalid chain id"),
        (
            signed(&signer, |tx| tx.gas_limit = 20_000),
            "intrinsic gas too low",
        ),
        (
            signed(&signer, |tx| tx.max_fee_per_gas = 1),
            "max fee per gas less than block base fee",
        ),
        (
            signed(&signer, |tx| tx.max_priority_fee_per_gas = 2_000_000_000),
            "max priority fee per gas higher",
        ),
        (
            signed(&signer, |tx| tx.gas_limit = 100_000_000),
            "exceeds block gas limit",
        ),
        (
            signed(&signer, |tx| tx.value = U256::MAX),
            "insufficient funds",
        ),
        (
            signed(&signer, |tx| {
                tx.gas_limit = 10_000_000;
                tx.input = Bytes::from(vec![1u8; 200 * 1024]);
            }),
            "oversized data",
        ),
    ];
    for (raw, expected) in cases {
        let resp = rpc(&url, "eth_sendRawTransaction", send_raw(&raw)).await;
        let message = resp["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            message.contains(expected),
            "expected {expected:?}, got {resp}"
        );
    }
    // A corrupted signature either fails recovery or recovers an unfunded stranger.
    let mut raw = signed(&signer, |_| {});
    let len = raw.len();
    raw[len - 40] ^= 0xff;
    let resp = rpc(&url, "eth_sendRawTransaction", send_raw(&raw)).await;
    assert!(resp.get("error").is_some(), "{resp}");

    // A payload above the request limit.
    let huge = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x{}"]}}"#,
        "00".repeat(6 * 1024 * 1024)
    );
    let (status, resp) = post_raw(&url, huge).await;
    assert!(
        status == 413 || resp.get("error").is_some(),
        "status {status}: {resp}"
    );
    // A batch above the batch limit.
    let batch: Vec<Value> = (0..1001)
        .map(|i| json!({"jsonrpc":"2.0","id":i,"method":"eth_chainId","params":[]}))
        .collect();
    let (_, resp) = post_raw(&url, Value::Array(batch).to_string()).await;
    assert!(resp.get("error").is_some(), "{resp}");
    // A mixed valid batch still works.
    let batch = json!([
        {"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]},
        {"jsonrpc":"2.0","id":2,"method":"nope","params":[]},
        {"jsonrpc":"2.0","id":3,"method":"eth_blockNumber"}
    ]);
    let (_, resp) = post_raw(&url, batch.to_string()).await;
    let arr = resp.as_array().unwrap();
    assert_eq!(arr.len(), 3);

    // Still alive: a valid transaction goes through.
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x0");
    let hash = rpc_ok(
        &url,
        "eth_sendRawTransaction",
        send_raw(&signed(&signer, |_| {})),
    )
    .await;
    let receipt = rpc_ok(&url, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["status"], "0x1");
    // Replaying it is rejected.
    let resp = rpc(
        &url,
        "eth_sendRawTransaction",
        send_raw(&signed(&signer, |_| {})),
    )
    .await;
    let message = resp["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("already known") || message.contains("nonce too low"),
        "{resp}"
    );
    let resp = rpc(
        &url,
        "eth_sendRawTransaction",
        send_raw(&signed(&signer, |tx| tx.value = U256::from(2))),
    )
    .await;
    assert!(
        resp["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nonce too low"),
        "{resp}"
    );
    assert_eq!(rpc_ok(&url, "eth_blockNumber", json!([])).await, "0x1");
}
