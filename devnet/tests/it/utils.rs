//! Shared helpers: in-process nodes, raw JSON-RPC, a tiny test contract.

use alloy_primitives::{hex, Bytes};
use devnet::{NodeConfig, NodeHandle};
use serde_json::{json, Value};

/// Runtime: no calldata increments slot 0 and emits LOG1(topic 0xaa, data = new value);
/// first byte 0x01 returns slot 0; anything else reverts with 0xdeadbeef.
pub const RUNTIME: &str =
    "366019576000546001018060005560005260aa60206000a1005b60003560f81c600114603357\
63deadbeef6000526004601cfd5b60005460005260206000f3";

/// Init code returning [`RUNTIME`].
pub fn init_code() -> Bytes {
    let runtime = hex::decode(RUNTIME).unwrap();
    let mut code = hex::decode("603f80600b6000396000f3").unwrap();
    assert_eq!(runtime.len(), 0x3f);
    code.extend(runtime);
    code.into()
}

/// Starts a node on a free port.
pub async fn start() -> NodeHandle {
    devnet::spawn(NodeConfig::test()).await.unwrap()
}

/// Starts a node with a customised config (port forced to 0).
pub async fn start_with(f: impl FnOnce(&mut NodeConfig)) -> NodeHandle {
    let mut config = NodeConfig::test();
    f(&mut config);
    config.port = 0;
    devnet::spawn(config).await.unwrap()
}

/// POSTs a raw body; returns the HTTP status and the body parsed as JSON (Null if not JSON).
pub async fn post_raw(url: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Calls `method` and returns the whole response object.
pub async fn rpc(url: &str, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    post_raw(url, body.to_string()).await.1
}

/// Calls `method` and returns `result`, panicking on an error response.
pub async fn rpc_ok(url: &str, method: &str, params: Value) -> Value {
    let resp = rpc(url, method, params).await;
    assert!(resp.get("error").is_none(), "{method} failed: {resp}");
    resp["result"].clone()
}

/// Parses a hex quantity.
pub fn qty(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

/// Starts the `devnet` binary on a free port with `--state <state>`; returns the child (killed on
/// drop) and its URL from the "Listening on" line.
pub async fn spawn_with_state(state: &std::path::Path) -> (tokio::process::Child, String) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_devnet"))
        .args(["--port", "0"])
        .arg("--state")
        .arg(state)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = tokio::time::timeout(std::time::Duration::from_secs(60), async {
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
