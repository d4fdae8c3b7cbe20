//! Demand scenarios in CI (issue 19): short bear and bull runs on the real contracts (embedded dev
//! chain, day-long epochs), each reconciled with the chain (`scenarios::reconcile` inside
//! `scenarios::run`) and checked for one property:
//!
//! * bear: the price crashes while buyers hold credits bought before it, and the reserve's draw cap
//!   is set to 1% of the default (`drawCapWad`, from epoch 1), so the burn budget and the draw cap
//!   cannot cover settlements: IOUs are recorded, later burns fund them front to back, and providers
//!   claim them (`claimOwed`);
//! * bull: with demand growing 10% a day and the emission rate cut from epoch 1, burns exceed
//!   re-mints, reserve draws and emission mints, and in every such epoch the supply falls.
//!
//! Also: a malformed file's error names the field and the line, and an impossible scenario is
//! refused with the reason. `$COMPUTE_MARKET_WASM_DIR` points at prebuilt wasm; otherwise the
//! contracts are built first.
use compute_market_bench::env::wasm_dir_from_env;
use compute_market_bench::scenarios::{run_fresh, Scenario, DAY};

const EPOCHS: u64 = 10;

const BEAR: &str = r#"
name = "bear-ci"
description = "CT falls 10% a day and crashes to 30% on day 4; buyers hold a day of credits"
usd_per_gpu_hour = 2.0
jobs_per_epoch = 2
prepay_epochs = 1.0
claim_every = 3

[demand]
start_usd = 40_000.0

[price]
start_usd = 1.50
drift = -0.10
shock_epoch = 4
shock_multiplier = 0.3

[providers]
count = 3
gpus = 1024
stake_ct = 2_000_000.0

[failures]
timeout_share = 0.1
dispute_share = 0.1

[parameters]
drawCapWad = 4_746_450_000_000
"#;

const BULL: &str = r#"
name = "bull-ci"
description = "demand +10% a day, CT +3% a day, emission rate cut to 1e-6 a day from epoch 1"
usd_per_gpu_hour = 2.0
jobs_per_epoch = 2
prepay_epochs = 1.0
claim_every = 1

[demand]
start_usd = 40_000.0
growth = 0.10

[price]
start_usd = 1.50
drift = 0.03

[providers]
count = 3
gpus = 1024
stake_ct = 600_000.0

[parameters]
emissionRateWad = 1_000_000_000_000
"#;

#[tokio::test(flavor = "multi_thread")]
async fn bear_records_ious_and_pays_them_in_order() -> eyre::Result<()> {
    let sc = Scenario::parse(BEAR, "BEAR")?;
    let r = run_fresh(wasm_dir_from_env(), DAY, &sc, EPOCHS, &[], &sc.name).await?;
    let i = &r.ious;
    eprintln!("bear: {i:?}, {} txs in {:.1} s", r.txs, r.seconds);
    assert!(i.recorded > 0, "no IOU was recorded: {i:?}");
    assert!(
        i.claimed > 0 && i.claimed_ct > 0.0,
        "no IOU was paid: {i:?}"
    );
    assert!(i.in_order, "an IOU was funded before an earlier one: {i:?}");
    assert!(r.rows.iter().any(|x| x.owed_ct > 0.0));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn bull_supply_falls_once_burns_exceed_mints() -> eyre::Result<()> {
    let sc = Scenario::parse(BULL, "BULL")?;
    let r = run_fresh(wasm_dir_from_env(), DAY, &sc, EPOCHS, &[], &sc.name).await?;
    let mut prev = r.supply_start_ct;
    let mut net_burn_epochs = 0;
    for x in &r.rows {
        let mints = x.reminted_ct + x.reserve_drawn_ct + x.emission_minted_ct;
        if x.burned_ct > mints {
            net_burn_epochs += 1;
            assert!(
                x.total_supply_ct < prev,
                "epoch {}: burned {} > minted {mints} but the supply went {prev} -> {}",
                x.epoch,
                x.burned_ct,
                x.total_supply_ct
            );
        }
        prev = x.total_supply_ct;
    }
    eprintln!(
        "bull: {net_burn_epochs} of {} epochs burned more than was minted; {} txs in {:.1} s",
        r.rows.len(),
        r.txs,
        r.seconds
    );
    assert!(
        net_burn_epochs >= 5,
        "only {net_burn_epochs} epochs burned more than was minted"
    );
    let last = r.rows.last().expect("rows");
    assert!(
        last.total_supply_ct < r.rows[2].total_supply_ct,
        "the supply did not fall after the emission cut"
    );
    Ok(())
}

#[test]
fn malformed_and_impossible_files_are_explained() {
    let bad = BULL.replace("start_usd = 40_000.0", "start_usd = \"lots\"");
    let e = Scenario::parse(&bad, "bad.toml").unwrap_err().to_string();
    assert!(
        e.contains("bad.toml") && e.contains("line") && e.contains("start_usd"),
        "{e}"
    );
    let missing = BULL.replace("usd_per_gpu_hour = 2.0\n", "");
    let e = Scenario::parse(&missing, "m.toml").unwrap_err().to_string();
    assert!(e.contains("usd_per_gpu_hour"), "{e}");

    let sc = Scenario::parse(&BULL.replace("drift = 0.03", "drift = -1.0"), "x").unwrap();
    let e = sc.check(EPOCHS, DAY).unwrap_err().to_string();
    assert!(e.contains("impossible") && e.contains("price"), "{e}");
    let sc = Scenario::parse(&BULL.replace("count = 3", "count = 1"), "x").unwrap();
    let e = sc.check(EPOCHS, DAY).unwrap_err().to_string();
    assert!(e.contains("impossible") && e.contains("capacity"), "{e}");
    for f in compute_market_bench::scenarios::DEFAULT_FILES {
        let path = compute_market_bench::env::repo_root().join(f);
        let sc = Scenario::load(&path).unwrap();
        sc.check(compute_market_bench::scenarios::DEFAULT_EPOCHS, DAY)
            .unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}
