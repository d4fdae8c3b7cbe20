//! `bench`: runs the compute-market benchmarks on an in-process dev chain and prints markdown tables.
//!
//! ```text
//! cargo run -p compute-market-bench --release                       # everything (scaling 1/100/1,000)
//! cargo run -p compute-market-bench --release -- --update-snapshot  # also rewrite snapshots/gas.json
//! cargo run -p compute-market-bench --release -- --gas-only         # gas table + snapshot comparison
//! cargo run -p compute-market-bench --release -- --scale 1,100      # other scaling populations
//! cargo run -p compute-market-bench --release -- --transfers 500    # transfers per throughput client
//! cargo run -p compute-market-bench --release -- --no-demo          # skip timing the full demo
//! cargo run -p compute-market-bench --release -- persistence        # only the dev-chain --state bench
//! cargo run -p compute-market-bench --release -- attack             # wash and credit-put economics
//! cargo run -p compute-market-bench --release -- scenarios          # demand scenarios, CSVs, charts
//! cargo run -p compute-market-bench --release -- breakdown          # gas by component (issue 18)
//! ```
//! `$COMPUTE_MARKET_WASM_DIR` points at prebuilt wasm; otherwise `scripts/build-wasm.sh` runs.
use std::time::Instant;

use compute_market_bench::env::{wasm_dir_from_env, Env};
use compute_market_bench::{
    attack, breakdown, gas, persistence, report, scaling, scenarios, sizes, snapshot, throughput,
};
use eyre::{bail, Result};

struct Args {
    update_snapshot: bool,
    gas_only: bool,
    demo: bool,
    scale: Vec<u64>,
    transfers: usize,
}

fn parse() -> Result<Args> {
    let mut a = Args {
        update_snapshot: false,
        gas_only: false,
        demo: true,
        scale: vec![1, 100, 1_000],
        transfers: 500,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--update-snapshot" => a.update_snapshot = true,
            "--gas-only" => a.gas_only = true,
            "--no-demo" => a.demo = false,
            "--scale" => {
                let v = it.next().unwrap_or_default();
                a.scale = if v.is_empty() || v == "none" {
                    Vec::new()
                } else {
                    v.split(',')
                        .map(|x| x.trim().parse())
                        .collect::<Result<_, _>>()?
                };
            }
            "--transfers" => a.transfers = it.next().unwrap_or_default().parse()?,
            "-h" | "--help" => {
                println!("bench [--update-snapshot] [--gas-only] [--no-demo] [--scale 1,100,1000|none] [--transfers N]\nbench persistence\nbench attack\nbench breakdown\nbench scenarios [--epochs N] [--scenario FILE ...] [--set name=v1,v2,...] [--out DIR]");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }
    Ok(a)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    format!(
        "{cpu}, {cores} cores available to the process, {} build",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    )
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    if std::env::args().nth(1).as_deref() == Some("persistence") {
        let started = Instant::now();
        println!("## Dev chain persistence (`--state`)\n");
        println!("Command: `cargo run -p compute-market-bench --release -- persistence`  ");
        println!("Machine: {}\n", machine());
        let r = persistence::run().await?;
        println!("{}", persistence::table(&r));
        println!(
            "Each latency row: {} sequential 1-wei transfers (`eth_sendTransaction` then \
             `eth_getTransactionReceipt`, automine). Total bench time: {:.1} s.",
            persistence::TXS,
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    if std::env::args().nth(1).as_deref() == Some("breakdown") {
        return run_breakdown().await;
    }
    if std::env::args().nth(1).as_deref() == Some("scenarios") {
        let args: Vec<String> = std::env::args().skip(2).collect();
        return scenarios::main(&args, &machine()).await;
    }
    if std::env::args().nth(1).as_deref() == Some("attack") {
        let started = Instant::now();
        println!("## Adversarial economics (issue 13)\n");
        println!("Command: `cargo run -p compute-market-bench --release -- attack`  ");
        println!("Machine: {}\n", machine());
        let mut env = Env::start_with(wasm_dir_from_env(), Some(attack::DAY)).await?;
        env.add_signers(attack::keys())?;
        let r = attack::run(&env).await?;
        println!("{}", attack::table(&r));
        println!(
            "Total bench time: {:.1} s.",
            started.elapsed().as_secs_f64()
        );
        if let Some(w) = r.wash.iter().find(|w| w.profit_ct() > 0.0) {
            eyre::bail!("a wash row made a profit: {w:?}");
        }
        return Ok(());
    }
    let args = parse()?;
    let cmd: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    println!("# compute-market benchmarks\n");
    println!(
        "Command: `cargo run -p compute-market-bench --release --{}{}`  ",
        if cmd.is_empty() { "" } else { " " },
        cmd.join(" ")
    );
    println!("Machine: {}\n", machine());

    // 1. Gas per operation (fresh chain, fixed scenario).
    let t = Instant::now();
    let mut env = Env::start(wasm_dir_from_env()).await?;
    println!(
        "Dev chain started and the system deployed in {:.1} s (solc {}).\n",
        t.elapsed().as_secs_f64(),
        env.solc
    );
    let table = gas::measure(&env).await?;
    println!(
        "## Gas per operation (Stylus contracts)\n\n{}",
        report::gas_table(&table)
    );
    println!("## ERC-20: Stylus CT vs OpenZeppelin Contracts 5 (Solidity), same chain, same sequence\n\n{}", report::erc20_ratio_table(&table));
    println!("Three most expensive operations:");
    for (op, g) in report::top3(&table) {
        println!("- `{op}`: {} gas", report::thousands(g));
    }
    println!();
    if args.update_snapshot {
        let p = snapshot::save(&table)?;
        println!(
            "Snapshot written: {} ({} operations).\n",
            p.display(),
            table.len()
        );
    } else {
        match snapshot::load() {
            Ok(snap) => {
                let problems = snapshot::compare(&snap, &table);
                if problems.is_empty() {
                    println!(
                        "Snapshot check: all {} operations within +{}% of snapshots/gas.json.\n",
                        snap.len(),
                        snapshot::TOLERANCE_PERCENT
                    );
                } else {
                    println!(
                        "Snapshot check FAILED (update with `{}`):",
                        snapshot::UPDATE_COMMAND
                    );
                    for p in problems {
                        println!("- {p}");
                    }
                    println!();
                }
            }
            Err(e) => println!("Snapshot check skipped: {e}\n"),
        }
    }

    // 2. Sizes and activation fees.
    println!(
        "## Deployable size and activation\n\n{}",
        report::sizes_table(&sizes::rows(&env)?, env.oz_code_size, env.oz_deploy_gas)
    );
    println!(
        "Deployable bytes here are the code the deploy sent (`EF F0 00 00` + the Rust `brotli` crate at \
         quality 11, window 22). `scripts/size.sh`, which CI's limit check runs, compresses with the \
         reference encoder (node's zlib, as cargo-stylus does); the two differ by tens of bytes either \
         way.\n"
    );
    if args.gas_only {
        return Ok(());
    }

    // 3. Throughput and latency.
    let mut tps = Vec::new();
    let mut lat = Vec::new();
    for (name, token) in [
        ("Stylus CT", env.d.token),
        ("OpenZeppelin (Solidity)", env.oz),
    ] {
        let tag = if token == env.oz { "oz" } else { "ct" };
        let clients = throughput::make_clients(&mut env, token, &format!("tput-{tag}"), 8).await?;
        tps.push(throughput::transfers(&env, name, token, &clients[..1], args.transfers).await?);
        tps.push(throughput::transfers(&env, name, token, &clients, args.transfers).await?);
        let (p50, p99) = throughput::call_latency(&env, token, 2_000).await?;
        lat.push((name, p50, p99));
    }
    println!(
        "## Dev chain throughput (automine, one block per transaction)\n\nEach client sends its transfers back to back (`eth_sendRawTransaction`, signed in the client, 1 wei to an existing holder) and then waits for its last receipt; 8 clients run concurrently, {} transfers each.\n\n{}",
        args.transfers,
        report::throughput_table(&tps, &lat)
    );

    // 4. The full marketplace demo (compute_market_scripts::demo) on its own embedded dev chain.
    if args.demo {
        let t = Instant::now();
        let opts = compute_market_scripts::demo::DemoOptions {
            wasm_dir: env.wasm_dir.clone(),
            quiet: true,
            ..Default::default()
        };
        compute_market_scripts::demo::run(None, opts).await?;
        println!(
            "Full demo (`compute_market_scripts::demo::run(None, ..)`: embedded dev chain, deploy from prebuilt wasm, the whole marketplace scenario): {:.1} s.\n",
            t.elapsed().as_secs_f64()
        );
    }

    // 5. Scaling.
    if !args.scale.is_empty() {
        let mut env = Env::start(env.wasm_dir.clone()).await?;
        let t = Instant::now();
        let r = scaling::run(&mut env, &args.scale).await?;
        println!(
            "## Scaling (gas with N providers and N settled jobs already in the system; fresh probe providers at every level)\n\n{}\n(scaling run: {:.1} s)\n",
            report::scaling_table(&r),
            t.elapsed().as_secs_f64()
        );
    }
    println!(
        "Total bench time: {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `bench breakdown`: the gas scenario with the operations of [`breakdown::PROFILED`] replayed
/// under the engine's gas accounting; prints the breakdown tables.
async fn run_breakdown() -> Result<()> {
    let started = Instant::now();
    println!("## Gas breakdown (issue 18)\n");
    println!("Command: `{}`  ", breakdown::COMMAND);
    println!("Machine: {}\n", machine());
    let env = Env::start(wasm_dir_from_env()).await?;
    let (table, profiles) = gas::measure_profiled(&env, breakdown::PROFILED).await?;
    let mut cols = Vec::new();
    for name in breakdown::PROFILED {
        let p = profiles
            .get(*name)
            .ok_or_else(|| eyre::eyre!("{name} was not profiled"))?;
        breakdown::check(p)?;
        cols.push((*name, p));
    }
    println!("{}", breakdown::table(&cols));
    println!("{}", breakdown::counts(&cols));
    let d = &env.d;
    let names = [
        (d.token, "token"),
        (d.price_feed, "feed"),
        (d.controller, "controller"),
        (d.emissions, "emissions"),
        (d.registry, "registry"),
        (d.escrow, "escrow"),
        (d.market, "market"),
        (env.oz, "OzToken"),
    ];
    for name in &breakdown::PROFILED[2..] {
        if let Some(p) = profiles.get(*name) {
            println!("Frames of `{name}`:\n\n{}", breakdown::frames(p, &names));
        }
    }
    let ct = table
        .get("ct.transfer (fresh holder)")
        .copied()
        .unwrap_or(0);
    let oz = table
        .get("oz.transfer (fresh holder)")
        .copied()
        .unwrap_or(1);
    println!(
        "CT / OZ transfer (fresh holder): {} / {} = {:.3}. Every column adds up to the receipt's gasUsed \
         (checked in ink). Total bench time: {:.1} s.",
        report::thousands(ct),
        report::thousands(oz),
        ct as f64 / oz as f64,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
