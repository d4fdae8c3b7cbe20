//! `devnet`: a local Arbitrum-Stylus-capable dev chain with Nitro dev-node defaults.

use std::{net::IpAddr, path::PathBuf, process::ExitCode, time::Duration};

use alloy_primitives::{hex, U256};
use clap::Parser;
use devnet::{config, NodeConfig};

/// Local JSON-RPC dev chain for EVM and Arbitrum Stylus contracts.
#[derive(Debug, Parser)]
#[command(name = "devnet", version, about)]
struct Cli {
    /// Port to listen on (HTTP and WebSocket).
    #[arg(long, short = 'p', default_value_t = config::DEFAULT_PORT)]
    port: u16,
    /// Interface to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Chain id.
    #[arg(long, default_value_t = config::DEFAULT_CHAIN_ID)]
    chain_id: u64,
    /// Number of accounts derived from the test mnemonic (besides the Nitro dev key).
    #[arg(long, short = 'a', default_value_t = 10)]
    accounts: usize,
    /// Genesis balance of each dev account, in ETH.
    #[arg(long, default_value_t = 10_000)]
    balance: u64,
    /// Mine a block every N seconds instead of one block per transaction.
    #[arg(long, short = 'b')]
    block_time: Option<f64>,
    /// State database: loaded on start if present, written at every block and dev-method call
    /// (a JSON state file of the previous format is migrated).
    #[arg(long)]
    state: Option<PathBuf>,
    /// Also fsync every state-database commit (survives power loss; costs one fsync per block).
    #[arg(long, requires = "state")]
    state_fsync: bool,
    /// Debug mode (Stylus console output once the Stylus engine is in).
    #[arg(long)]
    debug: bool,
    /// ArbOS version whose Stylus rules to follow: 51, 60 or 61 (Arbitrum One's).
    #[arg(long, default_value_t = devnet_engine::ArbosVersion::V61)]
    arbos_version: devnet_engine::ArbosVersion,
    /// Mnemonic for the dev accounts.
    #[arg(long, short = 'm', default_value = config::TEST_MNEMONIC)]
    mnemonic: String,
}

fn print_banner(handle: &devnet::NodeHandle, cli: &Cli) {
    let mut out = String::new();
    out.push_str("\ndevnet: compute-market dev chain\n\nAvailable Accounts\n==================\n");
    let signers = handle.dev_signers();
    for (i, s) in signers.iter().enumerate() {
        out.push_str(&format!("({i}) {} ({} ETH)\n", s.address(), cli.balance));
    }
    out.push_str("\nPrivate Keys\n==================\n");
    for (i, s) in signers.iter().enumerate() {
        out.push_str(&format!("({i}) {}\n", hex::encode_prefixed(s.to_bytes())));
    }
    out.push_str(&format!(
        "\nMnemonic: {}\nDerivation path: m/44'/60'/0'/0/\n",
        cli.mnemonic
    ));
    out.push_str("\nPredeploys\n==================\n");
    let predeploys = devnet::exec::Executor::new(cli.debug, cli.arbos_version).genesis_alloc();
    if predeploys.is_empty() {
        out.push_str("(none)\n");
    }
    for (address, info, _) in predeploys {
        out.push_str(&format!(
            "{address} ({} bytes of code)\n",
            info.code.map(|c| c.len()).unwrap_or(0)
        ));
    }
    out.push_str(&format!(
        "\nChain ID: {}\nBase fee: {} wei\nBlock gas limit: {}\nTx gas cap: {}\nMining: {}\n",
        cli.chain_id,
        config::DEFAULT_MIN_BASE_FEE,
        config::DEFAULT_BLOCK_GAS_LIMIT,
        config::DEFAULT_TX_GAS_CAP,
        match cli.block_time {
            Some(t) => format!("every {t}s"),
            None => "automine".into(),
        }
    ));
    if let Some(state) = &cli.state {
        out.push_str(&format!("State file: {}\n", state.display()));
    }
    out.push_str(&format!(
        "\nListening on {} (HTTP) and {} (WS)\n",
        handle.url(),
        handle.ws_url()
    ));
    say(&out);
}

/// Prints to stdout without ever failing: the node keeps serving when whoever started it stops
/// reading its output (a closed pipe, `devnet | head -1`). `println!` would panic there and take
/// the node down with requests in flight.
fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Logs go to stderr (devnet/README.md), stdout carries only the banner.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let block_time = match cli.block_time {
        Some(t) if !(t.is_finite() && t > 0.0) => {
            eprintln!("error: --block-time must be a positive number of seconds");
            return ExitCode::FAILURE;
        }
        Some(t) => Some(Duration::from_secs_f64(t)),
        None => None,
    };
    let config = NodeConfig {
        host: cli.host,
        port: cli.port,
        chain_id: cli.chain_id,
        accounts: cli.accounts,
        mnemonic: cli.mnemonic.clone(),
        balance: U256::from(cli.balance) * U256::from(10u64).pow(U256::from(18u64)),
        block_time,
        state_path: cli.state.clone(),
        state_fsync: cli.state_fsync,
        debug: cli.debug,
        arbos_version: cli.arbos_version,
        ..NodeConfig::default()
    };
    let handle = match devnet::spawn(config).await {
        Ok(handle) => handle,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    print_banner(&handle, &cli);
    shutdown_signal().await;
    say("shutting down");
    handle.shutdown().await;
    ExitCode::SUCCESS
}
