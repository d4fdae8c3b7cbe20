//! Dev-chain persistence (issue 17): per-transaction latency with `--state` at 1,000 and at 50,000
//! blocks against the in-memory node, and `anvil_mine` of 10,000 blocks with and without
//! `--state`. Every node is in-process (`devnet::spawn`) on this machine's disk; every number comes
//! from the same run.
//!
//! A "transaction" is what a client waits for under automine: `eth_sendTransaction` of a 1-wei
//! transfer (the node signs, mines one block and, with `--state`, commits it to the database)
//! followed by `eth_getTransactionReceipt`. The nodes take turns, one transfer each, so that
//! disk and CPU noise hits every row alike. `--state-fsync` (an fsync per block) is measured too.
use std::time::{Duration, Instant};

use alloy::primitives::{address, Address, B256};
use alloy::providers::{Provider, ProviderBuilder, RootProvider};
use eyre::{ensure, Result};
use serde_json::{json, Value};

/// Transfers timed per row.
pub const TXS: usize = 300;
/// Heights at which latency is measured.
pub const HEIGHTS: [u64; 2] = [1_000, 50_000];
/// Blocks mined by the `anvil_mine` rows.
pub const MINE: u64 = 10_000;

/// One latency row.
#[derive(Clone, Debug)]
pub struct Latency {
    /// Which node: in memory, `--state`, `--state --state-fsync`.
    pub mode: &'static str,
    /// Chain height when timing started.
    pub height: u64,
    /// Median per-transaction latency.
    pub median: Duration,
    /// Mean per-transaction latency.
    pub mean: Duration,
}

/// Everything the persistence bench measures.
#[derive(Clone, Debug)]
pub struct Report {
    /// Latency rows: in memory at 1,000 blocks, `--state` at each of [`HEIGHTS`], `--state
    /// --state-fsync` at 1,000 blocks.
    pub latency: Vec<Latency>,
    /// `anvil_mine` of [`MINE`] blocks without and with `--state`.
    pub mine: (Duration, Duration),
}

struct Node {
    handle: devnet::NodeHandle,
    provider: RootProvider,
    _dir: tempfile::TempDir,
}

async fn node(state: bool, fsync: bool) -> Result<Node> {
    let dir = tempfile::tempdir()?;
    let mut config = devnet::NodeConfig::test();
    if state {
        config.state_path = Some(dir.path().join("chain.db"));
        config.state_fsync = fsync;
    }
    let handle = devnet::spawn(config).await?;
    let provider = ProviderBuilder::new()
        .disable_recommended_fillers()
        .connect_http(handle.url().parse()?);
    Ok(Node {
        handle,
        provider,
        _dir: dir,
    })
}

async fn call(p: &RootProvider, method: &'static str, params: Value) -> Result<Value> {
    Ok(p.raw_request(method.into(), params).await?)
}

async fn height(p: &RootProvider) -> Result<u64> {
    Ok(p.get_block_number().await?)
}

/// Mines up to `target` blocks with `anvil_mine` (at most 100,000 per call).
async fn grow(p: &RootProvider, target: u64) -> Result<()> {
    loop {
        let h = height(p).await?;
        if h >= target {
            return Ok(());
        }
        let n = (target - h).min(100_000);
        call(p, "anvil_mine", json!([format!("0x{n:x}")])).await?;
    }
}

async fn transfer(n: &Node) -> Result<Duration> {
    let from = n.handle.dev_accounts()[1];
    let to: Address = address!("00000000000000000000000000000000000000be");
    let t = Instant::now();
    let hash: B256 = serde_json::from_value(
        call(
            &n.provider,
            "eth_sendTransaction",
            json!([{"from": from, "to": to, "value": "0x1"}]),
        )
        .await?,
    )?;
    let receipt = n.provider.get_transaction_receipt(hash).await?;
    let elapsed = t.elapsed();
    ensure!(receipt.is_some_and(|r| r.status()), "transfer failed");
    Ok(elapsed)
}

/// Runs the whole persistence bench.
pub async fn run() -> Result<Report> {
    let rows: [(&'static str, bool, bool, u64); 4] = [
        ("in memory", false, false, HEIGHTS[0]),
        ("`--state`", true, false, HEIGHTS[0]),
        ("`--state`", true, false, HEIGHTS[1]),
        ("`--state --state-fsync`", true, true, HEIGHTS[0]),
    ];
    let mut nodes = Vec::new();
    for (_, state, fsync, height) in rows {
        let n = node(state, fsync).await?;
        grow(&n.provider, height).await?;
        nodes.push(n);
    }
    let mut samples = vec![Vec::with_capacity(TXS); rows.len()];
    for _ in 0..TXS {
        for (n, s) in nodes.iter().zip(samples.iter_mut()) {
            s.push(transfer(n).await?);
        }
    }
    let mut latency = Vec::new();
    for ((mode, _, _, height), mut s) in rows.into_iter().zip(samples) {
        s.sort();
        latency.push(Latency {
            mode,
            height,
            median: s[s.len() / 2],
            mean: s.iter().sum::<Duration>() / s.len() as u32,
        });
    }
    for n in nodes {
        n.handle.shutdown().await;
    }
    let mut mine = Vec::new();
    for state in [false, true] {
        let n = node(state, false).await?;
        let t = Instant::now();
        call(&n.provider, "anvil_mine", json!([format!("0x{MINE:x}")])).await?;
        mine.push(t.elapsed());
        ensure!(height(&n.provider).await? == MINE, "anvil_mine fell short");
        n.handle.shutdown().await;
    }
    Ok(Report {
        latency,
        mine: (mine[0], mine[1]),
    })
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// The markdown table, with the target ratios.
pub fn table(r: &Report) -> String {
    let mut out = String::from("| measurement | median | mean |\n|---|---:|---:|\n");
    for l in &r.latency {
        out.push_str(&format!(
            "| transfer latency, {}, {} blocks | {} | {} |\n",
            l.mode,
            l.height,
            ms(l.median),
            ms(l.mean)
        ));
    }
    out.push_str(&format!(
        "| `anvil_mine` of {MINE} blocks, in memory | {} | |\n| `anvil_mine` of {MINE} blocks, `--state` | {} | |\n",
        ms(r.mine.0),
        ms(r.mine.1)
    ));
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let (mem, at_1k, at_50k, fsync) = (&r.latency[0], &r.latency[1], &r.latency[2], &r.latency[3]);
    out.push_str(&format!(
        "\nRatios (medians): `--state` at 50,000 / at 1,000 blocks = **{:.2}** (target ≤ 1.2); \
         `--state` / in memory at 1,000 blocks = **{:.2}** (target ≤ 2); \
         `anvil_mine` of {MINE} blocks, `--state` / in memory = {:.2}; \
         `--state --state-fsync` / in memory = {:.2} (one fsync per block).\n",
        ratio(at_50k.median, at_1k.median),
        ratio(at_1k.median, mem.median),
        ratio(r.mine.1, r.mine.0),
        ratio(fsync.median, mem.median),
    ));
    out
}
