//! `compute-market status`: reads a deployment back from the chain.
use std::path::{Path, PathBuf};

use alloy::primitives::{keccak256, Address, B256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use eyre::{eyre, WrapErr};
use serde::Serialize;
use stylus_format::cargo_stylus::deployable_code;

use crate::bindings::*;
use crate::deploy::{default_deployments_dir, Deployment, PROGRAMS};
use crate::errors::explain;
use crate::governance::{role_holders, role_name};

/// What `status` found.
#[derive(Clone, Debug, Serialize)]
pub struct StatusReport {
    /// Chain id.
    pub chain_id: u64,
    /// Latest block.
    pub block: u64,
    /// Latest block timestamp.
    pub timestamp: u64,
    /// Contract name → (address, code live with the recorded hash).
    pub contracts: Vec<(String, Address, bool)>,
    /// Checked feed price, CT/USD × 1e18 (None when the feed is stale or down).
    pub price_wad: Option<U256>,
    /// CT total supply.
    pub total_supply: U256,
    /// Controller `supplyStats()` ([`crate::bindings::controller_supply`] order).
    pub controller_supply: [U256; 9],
    /// Emissions `supplyStats()` ([`crate::bindings::emissions_supply`] order).
    pub emissions_supply: [U256; 5],
    /// Current epoch and the next one to finalise.
    pub epoch: (U256, U256),
    /// Outstanding credits (1e6 = 1 USD).
    pub outstanding_credits: U256,
    /// Jobs created.
    pub jobs: U256,
    /// Every role holder of every contract (and of the TimelockController, as `timelock`), from
    /// the `RoleGranted`/`RoleRevoked` logs confirmed with `hasRole`
    /// ([`crate::governance::role_holders`]): `(contract, role name, holders)`.
    pub roles: Vec<(String, String, Vec<Address>)>,
}

/// The chain at an RPC URL and the deployment recorded for it.
struct Recorded {
    provider: DynProvider,
    chain_id: u64,
    dir: PathBuf,
    deployment: Deployment,
}

impl Recorded {
    /// Connects to `rpc_url` and loads `<dir>/<chainId>.json` (`dir` defaults to
    /// [`default_deployments_dir`]).
    ///
    /// # Errors
    /// An invalid URL, an unreachable node, or no deployment file for the chain (says how to make one).
    async fn load(rpc_url: &str, deployments_dir: Option<&Path>) -> eyre::Result<Self> {
        let url = rpc_url
            .parse()
            .wrap_err_with(|| format!("invalid RPC URL {rpc_url:?}"))?;
        let provider = ProviderBuilder::new().connect_http(url).erased();
        let chain_id = provider
            .get_chain_id()
            .await
            .map_err(|e| eyre!("{}", explain(&e, rpc_url)))?;
        let dir = deployments_dir
            .map(Path::to_path_buf)
            .unwrap_or_else(default_deployments_dir);
        let deployment = Deployment::load(&dir, chain_id)?.ok_or_else(|| {
            eyre!(
                "no deployment for chain {chain_id} in {} (run `compute-market deploy --rpc-url {rpc_url}` first)",
                Deployment::path(&dir, chain_id).display()
            )
        })?;
        Ok(Self {
            provider,
            chain_id,
            dir,
            deployment,
        })
    }
}

/// Prints and returns the status of the deployment recorded for the chain at `rpc_url`.
pub async fn run(
    rpc_url: &str,
    deployments_dir: Option<&Path>,
    print: bool,
) -> eyre::Result<StatusReport> {
    let Recorded {
        provider: p,
        chain_id,
        dir,
        deployment: d,
    } = Recorded::load(rpc_url, deployments_dir).await?;
    let block = p.get_block_number().await?;
    let timestamp = p
        .get_block_by_number(block.into())
        .await?
        .map(|b| b.header.timestamp)
        .unwrap_or_default();
    let mut contracts = Vec::new();
    for (name, rec) in &d.contracts {
        let code = p.get_code_at(rec.address).await?;
        contracts.push((
            name.clone(),
            rec.address,
            !code.is_empty() && keccak256(&code) == rec.code_hash,
        ));
    }
    let c = IBmeController::new(d.controller, &p);
    let e = IEmissions::new(d.emissions, &p);
    let t = IComputeToken::new(d.token, &p);
    let price_wad = c.price().call().await.ok();
    let cs = c.supplyStats().call().await?;
    let es = e.supplyStats().call().await?;
    let mut roles = Vec::new();
    let timelock = d.governance.as_ref().and_then(|g| g.timelock.clone());
    let mut with_roles: Vec<(String, Address, u64)> = PROGRAMS
        .iter()
        .filter_map(|(n, _)| {
            d.contracts
                .get(*n)
                .map(|r| (n.to_string(), r.address, r.block))
        })
        .collect();
    if let Some(t) = &timelock {
        let block = p
            .get_transaction_receipt(t.tx_hash)
            .await?
            .and_then(|r| r.block_number)
            .unwrap_or_default();
        with_roles.push(("timelock".into(), t.address, block));
    }
    for (name, address, block) in &with_roles {
        for (r, holders) in role_holders(&p, *address, *block).await? {
            roles.push((name.clone(), role_name(r), holders));
        }
    }
    let report = StatusReport {
        chain_id,
        block,
        timestamp,
        contracts,
        price_wad,
        total_supply: t.totalSupply().call().await?,
        controller_supply: crate::bindings::controller_supply(&cs),
        emissions_supply: crate::bindings::emissions_supply(&es),
        epoch: (
            e.currentEpoch().call().await?,
            e.nextEpochToFinalize().call().await?,
        ),
        outstanding_credits: cs.outstandingCredits,
        jobs: IJobEscrow::new(d.escrow, &p).jobCount().call().await?,
        roles,
    };
    if print {
        println!(
            "chain {chain_id}  block {block}  time {timestamp}  ({})",
            Deployment::path(&dir, chain_id).display()
        );
        for (name, addr, live) in &report.contracts {
            println!(
                "  {name:<11} {addr}  {}",
                if *live {
                    "live"
                } else {
                    "MISSING / CODE CHANGED"
                }
            );
        }
        let ct = |v: U256| crate::demo::fmt_ct(v);
        println!(
            "  price        {}",
            report
                .price_wad
                .map(|p| format!("{} USD/CT", crate::demo::fmt_units(p, 18)))
                .unwrap_or_else(|| "unavailable (stale or invalid feed)".into())
        );
        println!("  totalSupply  {} CT", ct(report.total_supply));
        println!(
            "  controller   burned {} / reminted {} / fromReserve {} / retired {} / owed {} / budget {} / treasury accrued {} CT",
            ct(cs.burned),
            ct(cs.reminted),
            ct(cs.mintedFromReserve),
            ct(cs.retired),
            ct(cs.owed),
            ct(cs.burnBudget),
            ct(cs.treasuryAccrued)
        );
        println!(
            "  emissions    initialReserve {} / reserve {} / emitted {} / drawn {} / returned {} CT",
            ct(es.initialReserve),
            ct(es.reserve),
            ct(es.emitted),
            ct(es.drawn),
            ct(es.returned)
        );
        println!(
            "  epoch        current {} / next to finalise {}",
            report.epoch.0, report.epoch.1
        );
        println!(
            "  credits      outstanding {} USD",
            crate::demo::fmt_units(report.outstanding_credits, 6)
        );
        println!("  jobs         {}", report.jobs);
        match (&d.governance, &timelock) {
            (None, _) => println!("  governance   the deployer {} (no handover)", d.deployer),
            (Some(g), None) => println!("  governance   {} (--admin)", g.holder),
            (Some(_), Some(t)) => println!(
                "  governance   TimelockController {} (min delay {} s, proposers {:?}, executors {:?})",
                t.address, t.min_delay, t.proposers, t.executors
            ),
        }
        println!("  roles (RoleGranted/RoleRevoked logs, confirmed with hasRole)");
        let label = |a: &Address| -> String {
            let mut names = Vec::new();
            if *a == d.deployer {
                names.push("deployer");
            }
            if timelock.as_ref().is_some_and(|t| t.address == *a) {
                names.push("timelock");
            } else if d.governance.as_ref().is_some_and(|g| g.holder == *a) {
                names.push("admin");
            }
            for (n, rec) in &d.contracts {
                if rec.address == *a {
                    names.push(n.as_str());
                }
            }
            if *a == d.arbitrator {
                names.push("arbitrator");
            }
            if d.feeder == Some(*a) {
                names.push("feeder");
            }
            if *a == d.attester {
                names.push("attester");
            }
            if names.is_empty() {
                a.to_string()
            } else {
                format!("{a} ({})", names.join(", "))
            }
        };
        for (contract, role, holders) in &report.roles {
            let holders: Vec<String> = holders.iter().map(label).collect();
            println!("    {contract:<11} {role:<21} {}", holders.join(", "));
        }
    }
    Ok(report)
}

/// One program's source check: the code on chain against the code a local build would deploy.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CodeCheck {
    /// Record name in the deployment file (`token`, `controller`, ...).
    pub name: String,
    /// The contract crate it was built from.
    pub krate: String,
    /// Its address.
    pub address: Address,
    /// `keccak256` of the deployable bytes of the local wasm (`EF F0 00` + dictionary byte + brotli).
    pub local_hash: B256,
    /// `keccak256` of the code at `address` now (`keccak256("")` when there is none).
    pub chain_hash: B256,
}

impl CodeCheck {
    /// Whether the chain runs exactly the local build.
    pub fn matches(&self) -> bool {
        self.local_hash == self.chain_hash
    }
}

/// Checks that every program of the recorded deployment is byte-for-byte the local source: builds
/// the wasm the way `deploy` does (`scripts/build-wasm.sh`, pinned toolchain; or takes it from
/// `wasm_dir`), compresses it as `deploy` does and compares `keccak256` with the code on chain. The
/// build is reproducible across checkouts (same bytes from different paths, measured), so an
/// auditor's clean clone at the deployed commit must match. Prints a line per program when `print`.
///
/// # Errors
/// Node unreachable, no deployment file, a wasm missing or unbuildable. Mismatches are not errors:
/// read [`CodeCheck::matches`] (the CLI exits non-zero on any).
pub async fn verify_code(
    rpc_url: &str,
    deployments_dir: Option<&Path>,
    wasm_dir: Option<&Path>,
    print: bool,
) -> eyre::Result<Vec<CodeCheck>> {
    let Recorded {
        provider: p,
        deployment: d,
        ..
    } = Recorded::load(rpc_url, deployments_dir).await?;
    let wasm = crate::wasm::load(wasm_dir)?;
    let mut out = Vec::new();
    for (name, krate) in PROGRAMS {
        let Some(rec) = d.contracts.get(name) else {
            continue; // e.g. an external price feed: not ours to check
        };
        let bytes = wasm
            .get(krate)
            .ok_or_else(|| eyre!("no wasm for {krate}"))?;
        let local_hash = keccak256(deployable_code(bytes)?);
        let chain_hash = keccak256(p.get_code_at(rec.address).await?);
        let check = CodeCheck {
            name: name.to_string(),
            krate: krate.to_string(),
            address: rec.address,
            local_hash,
            chain_hash,
        };
        if print {
            println!(
                "  {name:<11} {}  {}  {}",
                rec.address,
                local_hash,
                if check.matches() {
                    "matches the local build"
                } else {
                    "DIFFERS from the local build"
                }
            );
        }
        out.push(check);
    }
    Ok(out)
}
