//! `compute-market`: deploy, demo and status for the compute-market contracts.
use std::path::PathBuf;
use std::process::ExitCode;

use alloy::primitives::Address;
use alloy::signers::local::PrivateKeySigner;
use clap::{Parser, Subcommand};
use compute_market_scripts::governance::GovernanceOption;
use compute_market_scripts::{demo, deploy, status, DEFAULT_RPC_URL, NITRO_DEV_KEY};

#[derive(Parser)]
#[command(
    name = "compute-market",
    version,
    about = "Deploy, demo and inspect the compute-market Stylus contracts"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run
enum Cmd {
    /// Deploy the whole system (or verify an existing deployment) and write deployments/<chainId>.json.
    Deploy {
        /// JSON-RPC endpoint.
        #[arg(long, env = "RPC_URL", default_value = DEFAULT_RPC_URL)]
        rpc_url: String,
        /// Deployer key (hex); default: the Nitro dev key.
        #[arg(long, env = "PRIVATE_KEY", default_value = NITRO_DEV_KEY, hide_default_value = true, hide_env_values = true)]
        private_key: String,
        /// CT/USD AggregatorV3 feed; without it a ManualPriceFeed is deployed (dev chains only).
        #[arg(long)]
        price_feed: Option<Address>,
        /// L2 sequencer-uptime feed (Arbitrum One/Sepolia: Chainlink's).
        #[arg(long)]
        sequencer_feed: Option<Address>,
        /// Treasury (default: the deployer).
        #[arg(long)]
        treasury: Option<Address>,
        /// Escrow arbitrator (default: the governance holder).
        #[arg(long)]
        arbitrator: Option<Address>,
        /// FEEDER_ROLE of the ManualPriceFeed deployed without --price-feed (default: the
        /// governance holder).
        #[arg(long)]
        feeder: Option<Address>,
        /// ATTESTER_ROLE of the JobMarket: records providers' hardware attestations, which
        /// auctions with `attestedOnly` require (default: the governance holder).
        #[arg(long)]
        attester: Option<Address>,
        /// Hand DEFAULT_ADMIN_ROLE, PARAMETER_ADMIN_ROLE and PAUSER_ROLE of every contract to ADDR
        /// (e.g. a multisig); the deployer key then renounces all its roles.
        #[arg(long, value_name = "ADDR", conflicts_with_all = ["timelock_delay", "keep_deployer_admin"])]
        admin: Option<Address>,
        /// Deploy OpenZeppelin's TimelockController with this minimum delay and hand it those
        /// roles instead; the deployer key then renounces all its roles. Needs --proposer.
        #[arg(
            long,
            value_name = "SECONDS",
            requires = "proposer",
            conflicts_with = "keep_deployer_admin"
        )]
        timelock_delay: Option<u64>,
        /// Timelock proposer (and canceller); repeat for several.
        #[arg(long, value_name = "ADDR", requires = "timelock_delay")]
        proposer: Vec<Address>,
        /// Timelock executor; repeat for several; 0x0000000000000000000000000000000000000000 lets
        /// anyone execute a ready operation (default: the proposers).
        #[arg(long, value_name = "ADDR", requires = "timelock_delay")]
        executor: Vec<Address>,
        /// Off the dev chain, keep the governance roles with the deployer key (refused otherwise
        /// without --admin or --timelock-delay).
        #[arg(long)]
        keep_deployer_admin: bool,
        /// Emissions epoch length in seconds (default: 3600 on chain 412346, else 86400).
        #[arg(long)]
        epoch_length: Option<u64>,
        /// Directory with prebuilt <crate>.wasm (default: run scripts/build-wasm.sh).
        #[arg(long)]
        wasm_dir: Option<PathBuf>,
        /// Directory for <chainId>.json (default: <repo>/deployments).
        #[arg(long)]
        deployments_dir: Option<PathBuf>,
        /// No progress on stderr (the deployment's JSON still goes to stdout).
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run the marketplace demo (default: on an embedded devnet started in-process).
    Demo {
        /// Use this node instead of the embedded devnet (needs evm_increaseTime / evm_mine).
        #[arg(long, env = "RPC_URL")]
        rpc_url: Option<String>,
        /// Deployer key for --rpc-url (default: the Nitro dev key).
        #[arg(long, env = "PRIVATE_KEY", hide_env_values = true)]
        private_key: Option<String>,
        /// Write the report (tables, accounts, jobs) as JSON.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Directory with prebuilt <crate>.wasm (default: run scripts/build-wasm.sh).
        #[arg(long)]
        wasm_dir: Option<PathBuf>,
        /// No progress on stderr (the tables still go to stdout).
        #[arg(long, short)]
        quiet: bool,
    },
    /// Show the recorded deployment as the chain sees it now.
    Status {
        /// JSON-RPC endpoint.
        #[arg(long, env = "RPC_URL", default_value = DEFAULT_RPC_URL)]
        rpc_url: String,
        /// Directory for <chainId>.json (default: <repo>/deployments).
        #[arg(long)]
        deployments_dir: Option<PathBuf>,
        /// Also check that each program's code on chain is exactly the local source's build
        /// (keccak256 of the deployable bytes); exits non-zero on any difference.
        #[arg(long)]
        verify_code: bool,
        /// With --verify-code: directory with prebuilt <crate>.wasm (default: run
        /// scripts/build-wasm.sh).
        #[arg(long, requires = "verify_code")]
        wasm_dir: Option<PathBuf>,
    },
}

fn key(hex: &str) -> eyre::Result<PrivateKeySigner> {
    hex.trim().parse().map_err(|e| {
        eyre::eyre!("invalid private key ({e}): expected 32 bytes of hex, with or without 0x")
    })
}

async fn run(cli: Cli) -> eyre::Result<()> {
    match cli.cmd {
        Cmd::Deploy {
            rpc_url,
            private_key,
            price_feed,
            sequencer_feed,
            treasury,
            arbitrator,
            feeder,
            attester,
            admin,
            timelock_delay,
            proposer,
            executor,
            keep_deployer_admin,
            epoch_length,
            wasm_dir,
            deployments_dir,
            quiet,
        } => {
            let governance = match (admin, timelock_delay) {
                (Some(a), _) => Some(GovernanceOption::Admin(a)),
                (None, Some(delay)) => Some(GovernanceOption::Timelock {
                    delay,
                    executors: if executor.is_empty() {
                        proposer.clone()
                    } else {
                        executor
                    },
                    proposers: proposer,
                }),
                (None, None) => keep_deployer_admin.then_some(GovernanceOption::Deployer),
            };
            let opts = deploy::DeployOptions {
                price_feed,
                sequencer_feed,
                treasury,
                arbitrator,
                feeder,
                attester,
                governance,
                wasm_dir,
                deployments_dir,
                epoch_length,
                quiet,
            };
            let d = deploy::deploy(&rpc_url, key(&private_key)?, &opts).await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "chain_id": d.chain_id, "price_feed": d.price_feed, "token": d.token, "emissions": d.emissions,
                    "controller": d.controller, "registry": d.registry, "escrow": d.escrow, "block": d.block,
                }))?
            );
        }
        Cmd::Demo {
            rpc_url,
            private_key,
            json,
            wasm_dir,
            quiet,
        } => {
            let opts = demo::DemoOptions {
                json,
                wasm_dir,
                quiet,
                tables: true,
                private_key: private_key.as_deref().map(key).transpose()?,
                ..Default::default()
            };
            demo::run(rpc_url.as_deref(), opts).await?;
        }
        Cmd::Status {
            rpc_url,
            deployments_dir,
            verify_code,
            wasm_dir,
        } => {
            status::run(&rpc_url, deployments_dir.as_deref(), true).await?;
            if verify_code {
                println!("code (keccak256 of the deployable bytes of the local build)");
                let checks = status::verify_code(
                    &rpc_url,
                    deployments_dir.as_deref(),
                    wasm_dir.as_deref(),
                    true,
                )
                .await?;
                let differ: Vec<&str> = checks
                    .iter()
                    .filter(|c| !c.matches())
                    .map(|c| c.name.as_str())
                    .collect();
                if !differ.is_empty() {
                    eyre::bail!(
                        "on-chain code differs from the local build for {}: check out the deployed \
                         commit and build with scripts/build-wasm.sh (pinned toolchain)",
                        differ.join(", ")
                    );
                }
            }
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
