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
    assert!(report.jobs.len() >= 12);
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
    assert!(t.stake_rewards_claimed > U256::ZERO && t.treasury_fees_claimed > U256::ZERO);
    // Two reverse auctions: one awarded by its requester, one closed by anyone for the lowest
    // qualifying bid, with the unattested and the jailed provider refused.
    assert_eq!(report.auctions.len(), 2);
    assert!(report.auctions[0].winner.2);
    let closed = &report.auctions[1];
    assert!(!closed.winner.2);
    let lowest = closed.bids.iter().map(|b| b.1).min().unwrap();
    assert_eq!(closed.winner.1, lowest);
    assert_eq!(closed.refused.len(), 2);
    assert!(
        closed.refused[0].1.contains("reason 8"),
        "{:?}",
        closed.refused
    );
    assert!(
        closed.refused[1].1.contains("reason 1"),
        "{:?}",
        closed.refused
    );
    // Every epoch's work pool stays within its fee cap.
    assert!(report.epochs.iter().all(|e| e.work_pool <= e.work_cap));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(written["jobs"].as_array().unwrap().len(), report.jobs.len());
}
