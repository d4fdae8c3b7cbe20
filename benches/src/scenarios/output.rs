//! A run's outputs: the per-epoch CSV, the summary and its markdown table.
use super::*;

/// Writes `run`'s rows as CSV to `dir/<label>.csv`.
pub fn write_csv(dir: &Path, run: &ScenarioRun) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{}.csv", run.label.replace(['=', ' ', '/'], "-")));
    let mut w = csv::Writer::from_path(&path)?;
    for r in &run.rows {
        w.serialize(r)?;
    }
    w.flush()?;
    Ok(path)
}

/// Headline numbers of a run.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Epochs in which the supply fell.
    pub falling_epochs: usize,
    /// First epoch from which the supply stays below the previous epoch's for good (`None`: never).
    pub deflationary_from: Option<u64>,
    /// Supply change over the run (CT).
    pub supply_change_ct: f64,
    /// Demand over the run (USD).
    pub demand_usd: f64,
    /// Emission share of provider income over the run (0..1).
    pub subsidy_share: f64,
    /// Same over the first and the last 30 epochs.
    pub subsidy_first: f64,
    /// Last 30 epochs.
    pub subsidy_last: f64,
    /// Income per GPU-hour, mean over the first and last 30 epochs (USD).
    pub income_first: f64,
    /// Last 30 epochs.
    pub income_last: f64,
    /// Collateral ratio at the end.
    pub cr_end: f64,
    /// Lowest collateral ratio (after epoch 0).
    pub cr_min: f64,
    /// Total reserve draws (CT).
    pub drawn_ct: f64,
    /// Gas per simulated epoch (mean).
    pub gas_per_epoch: f64,
    /// Transactions per second over the run.
    pub tps: f64,
}

/// Summarises a run.
pub fn summary(run: &ScenarioRun) -> Summary {
    let rows = &run.rows;
    let mut prev = run.supply_start_ct;
    let mut falling = 0;
    let mut from = None;
    for r in rows {
        if r.total_supply_ct < prev {
            falling += 1;
            if from.is_none() {
                from = Some(r.epoch);
            }
        } else {
            from = None;
        }
        prev = r.total_supply_ct;
    }
    let share = |rs: &[EpochRow]| {
        let inc: f64 = rs.iter().map(|r| r.provider_income_usd).sum();
        let em: f64 = rs
            .iter()
            .map(|r| r.provider_income_usd * r.emission_share)
            .sum();
        if inc > 0.0 {
            em / inc
        } else {
            0.0
        }
    };
    let per_h = |rs: &[EpochRow]| {
        let inc: f64 = rs.iter().map(|r| r.provider_income_usd).sum();
        let h: f64 = rs.iter().map(|r| r.gpu_hours).sum();
        if h > 0.0 {
            inc / h
        } else {
            0.0
        }
    };
    let k = rows.len().min(30);
    let first = &rows[..k];
    let last = &rows[rows.len() - k..];
    Summary {
        falling_epochs: falling,
        deflationary_from: from,
        supply_change_ct: rows.last().map_or(0.0, |r| r.total_supply_ct) - run.supply_start_ct,
        demand_usd: rows.last().map_or(0.0, |r| r.cumulative_demand_usd),
        subsidy_share: share(rows),
        subsidy_first: share(first),
        subsidy_last: share(last),
        income_first: per_h(first),
        income_last: per_h(last),
        cr_end: rows.last().map_or(0.0, |r| r.collateral_ratio),
        cr_min: rows
            .iter()
            .skip(1)
            .map(|r| r.collateral_ratio)
            .fold(f64::INFINITY, f64::min),
        drawn_ct: rows.iter().map(|r| r.reserve_drawn_ct).sum(),
        gas_per_epoch: rows.iter().map(|r| r.gas as f64).sum::<f64>() / rows.len().max(1) as f64,
        tps: run.txs as f64 / run.seconds.max(1e-9),
    }
}

/// A markdown table of the runs' headline numbers.
pub fn table(runs: &[ScenarioRun]) -> String {
    let f = crate::report::thousands_f;
    let mut s = String::from(
        "| scenario | epochs | demand (M USD) | supply change (M CT) | epochs supply fell | net deflationary from epoch | subsidy share of provider income (all / first 30 / last 30) | income per GPU-hour, USD (first 30 / last 30) | reserve drawn (CT) | IOUs recorded / claimed in full / max owed (CT) / in order | collateral ratio (min / end) | txs | gas per epoch | tx/s |\n|---|---:|---:|---:|---:|---:|---|---|---:|---|---|---:|---:|---:|\n",
    );
    for r in runs {
        let m = summary(r);
        s.push_str(&format!(
            "| {} | {} | {:.2} | {:+.3} | {} | {} | {:.1}% / {:.1}% / {:.1}% | {:.2} / {:.2} | {} | {} / {} / {} / {} | {:.3} / {:.3} | {} | {} | {:.1} |\n",
            r.label,
            r.rows.len(),
            m.demand_usd / 1e6,
            m.supply_change_ct / 1e6,
            m.falling_epochs,
            m.deflationary_from.map_or("never".into(), |e| e.to_string()),
            100.0 * m.subsidy_share,
            100.0 * m.subsidy_first,
            100.0 * m.subsidy_last,
            m.income_first,
            m.income_last,
            f(m.drawn_ct),
            r.ious.recorded,
            r.ious.claimed,
            f(r.ious.max_owed_ct),
            if r.ious.in_order { "yes" } else { "NO" },
            m.cr_min,
            m.cr_end,
            f(r.txs as f64),
            f(m.gas_per_epoch),
            m.tps,
        ));
    }
    s
}
