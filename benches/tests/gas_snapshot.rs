//! CI gas check: re-measures every operation of `snapshots/gas.json` on a fresh dev chain and fails
//! when one costs more than 2% above the snapshot, or when the set of operations differs.
//! It also replays the operations of the gas breakdown (`breakdown::PROFILED`) with the engine's
//! gas accounting and checks that each replay used the receipt's gasUsed and that its components
//! add up to it exactly.
//! Wasm: `$COMPUTE_MARKET_WASM_DIR` when set, else `scripts/build-wasm.sh`.
use compute_market_bench::env::{wasm_dir_from_env, Env};
use compute_market_bench::{breakdown, gas, snapshot};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gas_within_two_percent_of_snapshot() {
    let snap = snapshot::load().expect("snapshots/gas.json");
    let env = Env::start(wasm_dir_from_env())
        .await
        .expect("dev chain + deployment");
    let (measured, profiles) = gas::measure_profiled(&env, breakdown::PROFILED)
        .await
        .expect("gas scenario (the profiled replays must use the receipts' gas)");
    for name in breakdown::PROFILED {
        let p = profiles
            .get(*name)
            .unwrap_or_else(|| panic!("{name} not profiled"));
        assert_eq!(p.gas_used, measured[*name], "{name}");
        breakdown::check(p).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let problems = snapshot::compare(&snap, &measured);
    for (op, g) in &measured {
        let old = snap.get(op).copied().unwrap_or(0);
        eprintln!("{op}: {g} (snapshot {old})");
    }
    assert!(
        problems.is_empty(),
        "gas snapshot check failed:\n  {}\nIf the change is intended, run `{}` and commit snapshots/gas.json in the same change.",
        problems.join("\n  "),
        snapshot::UPDATE_COMMAND
    );
}
