//! Markdown tables.
use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::gas::{GasTable, ERC20_OPS, UNREACHABLE};
use crate::scaling;
use crate::sizes::{eth, SizeRow, LIMIT};
use crate::throughput::Tps;

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `v` rounded to a whole number with thousands separators, signed (`-1,234`).
pub fn thousands_f(v: f64) -> String {
    let r = v.round();
    let sign = if r < 0.0 { "-" } else { "" };
    format!("{sign}{}", thousands(r.abs() as u64))
}

/// Gas per operation of the Stylus contracts (everything except `ct.`/`oz.` ERC-20 rows).
pub fn gas_table(t: &GasTable) -> String {
    let mut s = String::from("| contract | operation | gas |\n|---|---|---:|\n");
    let order = [
        "ct",
        "controller",
        "registry",
        "escrow",
        "market",
        "emissions",
        "feed",
    ];
    for prefix in order {
        for (op, g) in t
            .iter()
            .filter(|(k, _)| k.split('.').next() == Some(prefix))
        {
            let (c, name) = op.split_once('.').unwrap_or(("", op));
            let c = if c == "ct" { "token (CT)" } else { c };
            let _ = writeln!(s, "| {c} | `{name}` | {} |", thousands(*g));
        }
    }
    for (op, why) in UNREACHABLE {
        let (c, name) = op.split_once('.').unwrap_or(("", op));
        let _ = writeln!(s, "| {c} | `{name}` | not measured: {why} |");
    }
    s
}

/// Stylus CT vs OpenZeppelin, per ERC-20 operation.
pub fn erc20_ratio_table(t: &GasTable) -> String {
    let mut s = String::from(
        "| ERC-20 operation | Stylus CT (gas) | OpenZeppelin 5 Solidity (gas) | Stylus / Solidity |\n|---|---:|---:|---:|\n",
    );
    for op in ERC20_OPS {
        let (Some(&a), Some(&b)) = (t.get(&format!("ct.{op}")), t.get(&format!("oz.{op}"))) else {
            continue;
        };
        let _ = writeln!(
            s,
            "| `{op}` | {} | {} | {:.3} |",
            thousands(a),
            thousands(b),
            a as f64 / b as f64
        );
    }
    s
}

/// The three most expensive operations.
pub fn top3(t: &GasTable) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = t
        .iter()
        .filter(|(k, _)| !k.starts_with("oz."))
        .map(|(k, &g)| (k.clone(), g))
        .collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.1));
    v.truncate(3);
    v
}

/// Sizes and activation fees.
pub fn sizes_table(rows: &[SizeRow], oz_code: usize, oz_gas: u64) -> String {
    let mut s = String::from(
        "| contract | wasm bytes | deployable bytes | limit | headroom | activation data fee (ETH) | deploy + activate + construct (gas) |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            thousands(r.wasm as u64),
            thousands(r.deployable),
            thousands(LIMIT),
            thousands(LIMIT.saturating_sub(r.deployable)),
            eth(r.data_fee),
            thousands(r.deploy_gas)
        );
    }
    let _ = writeln!(
        s,
        "| OzToken (Solidity baseline, EVM bytecode) | — | {} | {} | {} | — | {} |",
        thousands(oz_code as u64),
        thousands(LIMIT),
        thousands(LIMIT.saturating_sub(oz_code as u64)),
        thousands(oz_gas)
    );
    s
}

/// Throughput and latency.
pub fn throughput_table(
    rows: &[Tps],
    latency: &[(&str, std::time::Duration, std::time::Duration)],
) -> String {
    let mut s = String::from(
        "| token | clients | transfers | wall time (s) | tx/s |\n|---|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.2} | {:.0} |",
            r.token,
            r.clients,
            r.txs,
            r.elapsed.as_secs_f64(),
            r.per_second()
        );
    }
    s.push_str("\n| `eth_call balanceOf` | p50 (ms) | p99 (ms) |\n|---|---:|---:|\n");
    for (name, p50, p99) in latency {
        let _ = writeln!(
            s,
            "| {name} | {:.3} | {:.3} |",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
    s
}

/// Scaling: one column per population.
pub fn scaling_table(r: &BTreeMap<u64, BTreeMap<String, u64>>) -> String {
    let levels: Vec<u64> = r.keys().copied().collect();
    let mut s = String::from("| operation |");
    for n in &levels {
        let _ = write!(s, " {} providers + jobs |", thousands(*n));
    }
    s.push_str(" spread |\n|---|");
    for _ in &levels {
        s.push_str("---:|");
    }
    s.push_str("---:|\n");
    for op in scaling::OPS {
        let vals: Vec<u64> = levels
            .iter()
            .filter_map(|n| r[n].get(*op).copied())
            .collect();
        let _ = write!(s, "| `{op}` |");
        for v in &vals {
            let _ = write!(s, " {} |", thousands(*v));
        }
        let (mn, mx) = (
            vals.iter().min().copied().unwrap_or(0),
            vals.iter().max().copied().unwrap_or(0),
        );
        let _ = writeln!(
            s,
            " {} gas ({:.2}%) |",
            mx - mn,
            if mn > 0 {
                (mx - mn) as f64 * 100.0 / mn as f64
            } else {
                0.0
            }
        );
    }
    s
}
