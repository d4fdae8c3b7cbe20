//! The `scenarios` subcommand: its options, and running every scenario (and a sweep) to CSVs,
//! charts and tables.
use super::*;

/// The `scenarios` subcommand's options.
#[derive(Clone, Debug)]
pub struct Cli {
    /// Epochs per scenario.
    pub epochs: u64,
    /// Scenario files.
    pub files: Vec<PathBuf>,
    /// A sweep: parameter name and values (raw units).
    pub sweep: Option<(String, Vec<U256>)>,
    /// Where CSVs and charts go (default: CSVs to `target/scenarios`, charts to `docs/charts`).
    pub out: Option<PathBuf>,
}

/// Parses the `scenarios` subcommand's arguments (after `scenarios`).
pub fn parse_cli(args: &[String]) -> Result<Cli> {
    let mut cli = Cli {
        epochs: DEFAULT_EPOCHS,
        files: Vec::new(),
        sweep: None,
        out: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| eyre!("{flag} needs a value (try --help)"))
        };
        match a.as_str() {
            "--epochs" => {
                cli.epochs = val("--epochs")?
                    .parse()
                    .wrap_err("--epochs expects a whole number")?;
                ensure!(cli.epochs >= 1, "--epochs must be at least 1");
            }
            "--scenario" => cli.files.push(PathBuf::from(val("--scenario")?)),
            "--out" => cli.out = Some(PathBuf::from(val("--out")?)),
            "--set" => {
                let v = val("--set")?;
                let (name, values) = v
                    .split_once('=')
                    .ok_or_else(|| eyre!("--set expects name=v1,v2,... (got {v:?})"))?;
                let values = values
                    .split(',')
                    .map(|x| {
                        x.trim()
                            .parse::<U256>()
                            .map_err(|e| eyre!("--set {name}: {x:?} is not an integer: {e}"))
                    })
                    .collect::<Result<Vec<_>>>()?;
                ensure!(!values.is_empty(), "--set {name}: no values");
                cli.sweep = Some((name.trim().to_string(), values));
            }
            "-h" | "--help" => {
                println!(
                    "bench scenarios [--epochs N] [--scenario FILE ...] [--set name=v1,v2,...] [--out DIR]\n\
                     Runs the demand scenarios (default: the four in scenarios/, {DEFAULT_EPOCHS} daily epochs each) on the\n\
                     embedded dev chain; CSVs to target/scenarios/, SVG charts to docs/charts/ (both to DIR with --out).\n\
                     --set reruns the first scenario once per value of one parameter and overlays the curves."
                );
                std::process::exit(0);
            }
            other => bail!("scenarios: unknown argument {other:?} (try --help)"),
        }
    }
    if cli.files.is_empty() {
        let root = crate::env::repo_root();
        cli.files = DEFAULT_FILES.iter().map(|f| root.join(f)).collect();
    }
    Ok(cli)
}

/// Runs the `scenarios` subcommand: prints markdown, writes CSVs and charts.
pub async fn main(args: &[String], machine: &str) -> Result<()> {
    let cli = parse_cli(args)?;
    let started = Instant::now();
    let root = crate::env::repo_root();
    let csv_dir = cli
        .out
        .clone()
        .unwrap_or_else(|| root.join("target/scenarios"));
    let chart_dir = cli.out.clone().unwrap_or_else(|| root.join("docs/charts"));
    let scenarios = cli
        .files
        .iter()
        .map(|f| Scenario::load(f))
        .collect::<Result<Vec<_>>>()?;
    // Refuse an impossible scenario before spending minutes on the others.
    for sc in &scenarios {
        sc.check(cli.epochs, DAY)?;
    }
    let wasm = crate::env::wasm_dir_from_env();
    let mut runs = Vec::new();
    match &cli.sweep {
        None => {
            for sc in &scenarios {
                eprintln!("scenario {} ({} epochs)...", sc.name, cli.epochs);
                let r = run_fresh(wasm.clone(), DAY, sc, cli.epochs, &[], &sc.name).await?;
                eprintln!("  {} txs in {:.1} s, reconciled", r.txs, r.seconds);
                runs.push(r);
            }
        }
        Some((name, values)) => {
            let sc = &scenarios[0];
            for v in values {
                let label = format!("{}-{name}={v}", sc.name);
                eprintln!("scenario {label} ({} epochs)...", cli.epochs);
                let r = run_fresh(
                    wasm.clone(),
                    DAY,
                    sc,
                    cli.epochs,
                    &[(name.clone(), *v)],
                    &label,
                )
                .await?;
                eprintln!("  {} txs in {:.1} s, reconciled", r.txs, r.seconds);
                runs.push(r);
            }
        }
    }
    let mut csvs = Vec::new();
    for r in &runs {
        csvs.push(write_csv(&csv_dir, r)?);
    }
    let svgs = match &cli.sweep {
        None => charts::scenario_charts(&chart_dir, &runs)?,
        Some((name, _)) => vec![charts::sweep_chart(&chart_dir, name, &runs)?],
    };
    let total_txs: u64 = runs.iter().map(|r| r.txs).sum();
    let run_secs: f64 = runs.iter().map(|r| r.seconds).sum();
    println!("## Demand scenarios (issue 19)\n");
    let mut cmd = String::from("cargo run --release -p compute-market-bench -- scenarios");
    for a in args {
        cmd.push(' ');
        cmd.push_str(a);
    }
    println!("Command: `{cmd}`  ");
    println!("Machine: {machine}\n");
    println!("{}", table(&runs));
    println!(
        "Every run reconciled with the chain. {} transactions in {:.1} s of simulation ({:.1} tx/s); total time {:.1} s including {} deployments.\n",
        total_txs,
        run_secs,
        total_txs as f64 / run_secs.max(1e-9),
        started.elapsed().as_secs_f64(),
        runs.len()
    );
    for p in csvs.iter().chain(&svgs) {
        println!("- {}", p.display());
    }
    Ok(())
}
