//! The full marketplace demo on the embedded devnet: every scenario runs and the per-epoch tables
//! reconcile with on-chain state (`demo::run` asserts the reconciliation itself).
#![allow(clippy::unwrap_used, missing_docs)]

use alloy::primitives::U256;
use compute_market_scripts::demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_and_reconciles() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("demo.json");
    let report = demo::run(
        None,
        demo::DemoOptions {
            json: Some(json.clone()),
            wasm_dir: std::env::var_os("COMPUTE_MARKET_WASM_DIR").map(Into::into),
            deployments_dir: Some(dir.path().to_path_buf()),
            quiet: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(report.jobs.len() >= 10);
    assert!(report.epochs.len() >= 4);
    let states: Vec<u8> = report.jobs.iter().map(|j| j.state).collect();
    for s in [4u8, 5, 7, 8] {
        assert!(
            states.contains(&s),
            "missing terminal state {s}: {states:?}"
        );
    }
    let t = &report.totals;
    assert!(
        t.slash_burned > U256::ZERO && t.bond_burned > U256::ZERO && t.rewards_claimed > U256::ZERO
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(written["jobs"].as_array().unwrap().len(), report.jobs.len());
}
