//! Demand scenarios (issue 19): does CT track GPU demand? Each scenario drives the real contracts on
//! the embedded dev chain through day-long epochs with time travel, the way a dApp would: buyers
//! burn CT for credits, providers accept, run and submit jobs, requesters approve them (a share of
//! jobs times out through `claimTimeout` or is disputed and ruled), the feed's price moves along the
//! scenario's path, epochs are finalised and providers claim their rewards, the treasury its fee
//! share and providers their funded IOUs.
//!
//! A scenario is a small TOML file ([`Scenario`]; `scenarios/*.toml` at the repository root): the
//! demand in USD of GPU-hours per epoch, the CT/USD price path, the providers and their stake, the
//! share of failed and disputed jobs, and optional `setParameter` calls. Every epoch is recorded as
//! an [`EpochRow`] (one CSV per scenario), the run is reconciled with the chain at the end
//! ([`reconcile`]: the same identities `compute-market demo` checks) and fails on a mismatch, and
//! [`charts`] draws the SVG charts of `docs/charts/`.
//!
//! `cargo run --release -p compute-market-bench -- scenarios [--epochs N] [--scenario FILE ...]
//! [--set name=v1,v2,...] [--out DIR]`.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use alloy::network::TransactionBuilder;
use alloy::primitives::{keccak256, Address, B256, I256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::{Filter, TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolEvent;
use eyre::{bail, ensure, eyre, Result, WrapErr};
use serde::{Deserialize, Serialize};

use crate::env::{b32, bench_key, Env, CT, GENESIS_CT};
use compute_market_scripts::bindings::{
    IBmeController, IComputeToken, IEmissions, IJobEscrow, IProviderRegistry,
};

alloy::sol! {
    /// ArbWasm's keepalive (precompile 0x71): resets a program's activation age.
    #[sol(rpc)]
    interface IArbWasmKeepalive {
        function codehashKeepalive(bytes32 codehash) external payable;
    }
}

/// ArbWasm's address.
pub const ARB_WASM: Address = Address::new([
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x71,
]);
/// Stylus programs expire 365 days after activation; the simulation keeps them alive with
/// `ArbWasm.codehashKeepalive` (allowed from 31 days of age) every this many epochs, as an operator
/// of a real deployment must.
pub const KEEPALIVE_EVERY: u64 = 200;

/// The production epoch length, seconds (one day).
pub const DAY: u64 = 86_400;
/// Epochs of the default run (one year of daily epochs).
pub const DEFAULT_EPOCHS: u64 = 365;
/// The four default scenario files, relative to the repository root.
pub const DEFAULT_FILES: [&str; 4] = [
    "scenarios/base.toml",
    "scenarios/bull.toml",
    "scenarios/bear.toml",
    "scenarios/demand-shock.toml",
];
/// Gas limit of every simulated transaction (no estimate: one round trip less per transaction;
/// unused gas is not charged).
const GAS: u64 = 10_000_000;
/// Buyer accounts.
const BUYERS: u64 = 2;

/// A quantity that moves geometrically per epoch, with an optional shock.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// Value at epoch 0 (USD: demand per epoch, or the price of one CT).
    pub start_usd: f64,
    /// Relative change per epoch (0.01 = +1% an epoch; `drift` is accepted as a synonym).
    #[serde(default, alias = "drift")]
    pub growth: f64,
    /// First epoch of the shock.
    #[serde(default)]
    pub shock_epoch: Option<u64>,
    /// Factor applied from `shock_epoch` on (default 1: no shock).
    #[serde(default)]
    pub shock_multiplier: Option<f64>,
    /// How many epochs the shock lasts (default: for good).
    #[serde(default)]
    pub shock_epochs: Option<u64>,
}

impl Series {
    /// The value at `epoch` (USD).
    pub fn at(&self, epoch: u64) -> f64 {
        let mut v = self.start_usd * (1.0 + self.growth).powf(epoch as f64);
        if let Some(s) = self.shock_epoch {
            let end = self.shock_epochs.map_or(u64::MAX, |n| s.saturating_add(n));
            if epoch >= s && epoch < end {
                v *= self.shock_multiplier.unwrap_or(1.0);
            }
        }
        v
    }
}

/// The providers: all alike.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Providers {
    /// Number of provider accounts.
    pub count: u32,
    /// GPUs each registers (1..=1,024, the registry's bound).
    pub gpus: u32,
    /// CT each stakes (whole tokens).
    pub stake_ct: f64,
}

/// Shares of jobs that fail.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Failures {
    /// Share of jobs whose provider never submits: anyone `claimTimeout`s them the next epoch (full
    /// refund, 2.5% of the provider's penalty base slashed).
    #[serde(default)]
    pub timeout_share: f64,
    /// Share of jobs the requester disputes; the arbitrator rules alternately for the requester
    /// (refund, 10% slash, 30-day jail) and for the provider (bond burned, the job settles).
    #[serde(default)]
    pub dispute_share: f64,
}

/// One scenario file (`scenarios/*.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name (CSV file name and chart legend).
    pub name: String,
    /// One line on what it models.
    #[serde(default)]
    pub description: String,
    /// Market price of one GPU-hour in USD: demand / this = GPU-hours bought per epoch.
    pub usd_per_gpu_hour: f64,
    /// Fewest jobs per epoch (more when one provider's GPUs × one epoch cannot carry a job's share).
    #[serde(default = "default_jobs")]
    pub jobs_per_epoch: u32,
    /// Epochs of demand buyers hold as credits ahead (credits bought at one price, spent later).
    #[serde(default = "default_prepay")]
    pub prepay_epochs: f64,
    /// Providers claim work and stake rewards every this many epochs (and at the end).
    #[serde(default = "default_claim_every")]
    pub claim_every: u64,
    /// Demand in USD of GPU-hours per epoch.
    pub demand: Series,
    /// CT/USD price fed to the ManualPriceFeed at the start of each epoch.
    pub price: Series,
    /// The providers.
    pub providers: Providers,
    /// Failed and disputed jobs.
    #[serde(default)]
    pub failures: Failures,
    /// `setParameter(name, value)` before the first job, on whichever contract owns `name`
    /// (controller, Emissions, registry or escrow); integers or decimal strings (raw units, e.g. wad).
    #[serde(default)]
    pub parameters: BTreeMap<String, toml::Value>,
}

fn default_jobs() -> u32 {
    4
}
fn default_prepay() -> f64 {
    1.0
}
fn default_claim_every() -> u64 {
    7
}

impl Scenario {
    /// Parses a scenario; errors name the field and the line (`toml`'s span), prefixed by `origin`.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| eyre!("{origin}: {e}"))
    }

    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .wrap_err_with(|| format!("reading scenario {}", path.display()))?;
        Self::parse(&text, &path.display().to_string())
    }

    /// The `[parameters]` table as (name, raw value).
    pub fn parameter_values(&self) -> Result<Vec<(String, U256)>> {
        self.parameters
            .iter()
            .map(|(k, v)| {
                let n = match v {
                    toml::Value::Integer(i) if *i >= 0 => U256::from(*i as u64),
                    toml::Value::String(s) => s.parse::<U256>().map_err(|e| {
                        eyre!("scenario {}: parameters.{k}: {s:?} is not an integer: {e}", self.name)
                    })?,
                    other => bail!(
                        "scenario {}: parameters.{k}: expected a non-negative integer or a decimal string, got {other}",
                        self.name
                    ),
                };
                Ok((k.clone(), n))
            })
            .collect()
    }

    /// Job sizes of `epoch`: (jobs, GPUs per job, seconds per job) for `gpu_hours` of demand.
    fn jobs(&self, gpu_hours: f64, epoch_length: u64) -> (u32, u32, u64) {
        let max_secs = epoch_length.min(DAY) as f64;
        let per_job_cap = f64::from(self.providers.gpus) * max_secs / 3_600.0;
        let n = (self.jobs_per_epoch.max(1)).max((gpu_hours / per_job_cap).ceil() as u32);
        let h = gpu_hours / f64::from(n);
        let gpus = ((h * 3_600.0 / max_secs).ceil() as u32).clamp(1, self.providers.gpus);
        let secs = ((h * 3_600.0 / f64::from(gpus)).round() as u64).clamp(1, max_secs as u64);
        (n, gpus, secs)
    }

    /// Refuses an impossible scenario (non-positive price, demand beyond the providers' capacity,
    /// stake too small for the registry's minimum or the jobs' collateral) with the reason.
    pub fn check(&self, epochs: u64, epoch_length: u64) -> Result<()> {
        let n = &self.name;
        let p = &self.providers;
        ensure!(
            self.usd_per_gpu_hour > 0.0 && self.usd_per_gpu_hour.is_finite(),
            "impossible scenario {n}: usd_per_gpu_hour must be > 0"
        );
        ensure!(
            p.count >= 1,
            "impossible scenario {n}: providers.count must be >= 1"
        );
        ensure!(
            (1..=1_024).contains(&p.gpus),
            "impossible scenario {n}: providers.gpus must be 1..=1024 (the registry's bound)"
        );
        let f = &self.failures;
        ensure!(
            (0.0..=1.0).contains(&f.timeout_share)
                && (0.0..=1.0).contains(&f.dispute_share)
                && f.timeout_share + f.dispute_share <= 1.0,
            "impossible scenario {n}: failure shares must be in [0, 1] and sum to at most 1"
        );
        ensure!(
            self.claim_every >= 1 && self.prepay_epochs >= 0.0,
            "impossible scenario {n}: claim_every must be >= 1 and prepay_epochs >= 0"
        );
        // The registry's minimum (defaults: 5,000 CT + 200 CT per GPU) with a margin for slashes.
        let required = 5_000.0 + 200.0 * f64::from(p.gpus);
        ensure!(
            p.stake_ct >= required,
            "impossible scenario {n}: providers.stake_ct {} is below the registry's minimum {required} CT for {} GPUs",
            p.stake_ct,
            p.gpus
        );
        let capacity = f64::from(p.count) * f64::from(p.gpus) * epoch_length as f64 / 3_600.0;
        for e in 0..=epochs {
            let price = self.price.at(e);
            ensure!(
                price.is_finite() && price >= 1e-6,
                "impossible scenario {n}: the CT price at epoch {e} is {price} USD (must be > 0; the feed has 8 decimals)"
            );
            let d = self.demand.at(e);
            ensure!(
                d.is_finite() && d >= 0.0,
                "impossible scenario {n}: demand at epoch {e} is {d} USD"
            );
            let gpu_hours = d / self.usd_per_gpu_hour;
            ensure!(
                gpu_hours <= capacity,
                "impossible scenario {n}: demand at epoch {e} is {gpu_hours:.0} GPU-hours, beyond the providers' capacity of {capacity:.0} ({} × {} GPUs × {} h)",
                p.count,
                p.gpus,
                epoch_length / 3_600
            );
            let (jobs, gpus, secs) = self.jobs(gpu_hours, epoch_length);
            let job_usd = self.usd_per_gpu_hour * f64::from(gpus) * secs as f64 / 3_600.0;
            // The escrow locks collateralBps (2×) of the job's cost in CT.
            let lock = 2.0 * job_usd / price;
            ensure!(
                lock + required <= p.stake_ct * 0.75,
                "impossible scenario {n}: at epoch {e} each of {jobs} jobs costs {job_usd:.0} USD = {:.0} CT at {price:.4} USD; its 2× collateral plus the minimum stake exceeds 75% of providers.stake_ct ({})",
                job_usd / price,
                p.stake_ct
            );
        }
        Ok(())
    }
}

/// What was recorded for one epoch. CT amounts are whole tokens, USD amounts dollars.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EpochRow {
    /// Epoch index.
    pub epoch: u64,
    /// CT/USD price fed for the epoch.
    pub price_usd: f64,
    /// Demand of the epoch (USD of GPU-hours).
    pub demand_usd: f64,
    /// Cumulative demand up to and including the epoch (USD).
    pub cumulative_demand_usd: f64,
    /// GPU-hours delivered by jobs that settled this epoch.
    pub gpu_hours: f64,
    /// Jobs created.
    pub jobs: u32,
    /// Of them, jobs that timed out.
    pub timeouts: u32,
    /// Of them, disputed jobs.
    pub disputes: u32,
    /// Credits settled (USD).
    pub settled_usd: f64,
    /// CT burned for credits (controller `epochStats.burned`).
    pub burned_ct: f64,
    /// CT re-minted from the burn budget (`epochStats.reminted`).
    pub reminted_ct: f64,
    /// CT of fees retired for good (`epochStats.feesBurned`).
    pub retired_ct: f64,
    /// CT drawn from the emission reserve (`epochStats.mintedFromReserve`).
    pub reserve_drawn_ct: f64,
    /// CT newly owed as IOUs this epoch (`epochStats.owedRecorded`).
    pub owed_recorded_ct: f64,
    /// Emission of the epoch (Emissions `epochStats.emitted`).
    pub emitted_ct: f64,
    /// Its work pool (to providers by fees).
    pub work_pool_ct: f64,
    /// Its stake pool (streams to earning stake over the next epoch).
    pub stake_pool_ct: f64,
    /// CT minted by emissions during the epoch (treasury emission at finalisation + claimed rewards).
    pub emission_minted_ct: f64,
    /// IOUs still owed at the end of the epoch (`supplyStats().owed`).
    pub owed_ct: f64,
    /// CT total supply at the end of the epoch.
    pub total_supply_ct: f64,
    /// Burn budget at the end of the epoch.
    pub burn_budget_ct: f64,
    /// Outstanding credits at the end of the epoch (USD).
    pub outstanding_credits_usd: f64,
    /// burnBudget × price / outstandingCredits (0 with no credits outstanding).
    pub collateral_ratio: f64,
    /// Providers' income of the epoch in USD: settlements (paid and owed) + work and stake pools,
    /// at the epoch's price.
    pub provider_income_usd: f64,
    /// That income per GPU-hour delivered (USD).
    pub income_per_gpu_hour_usd: f64,
    /// Of it, the part from settlements per GPU-hour (USD).
    pub settlement_per_gpu_hour_usd: f64,
    /// Share of the income that came from emissions (work + stake pools).
    pub emission_share: f64,
    /// Transactions sent during the epoch.
    pub txs: u64,
    /// Gas they used.
    pub gas: u64,
}

/// One scenario run.
#[derive(Clone, Debug)]
pub struct ScenarioRun {
    /// Scenario name (with `name=value` for a sweep run).
    pub label: String,
    /// Per-epoch rows.
    pub rows: Vec<EpochRow>,
    /// CT total supply before the first epoch.
    pub supply_start_ct: f64,
    /// The reconciliation.
    pub recon: Reconciliation,
    /// IOUs: recorded, fully paid out, and whether funding followed the line's order.
    pub ious: IouReport,
    /// Transactions sent (setup, epochs and the final settle-up).
    pub txs: u64,
    /// Gas used by them.
    pub gas: u64,
    /// Wall time (s), deployment excluded.
    pub seconds: f64,
}

/// What happened to IOUs.
#[derive(Clone, Debug, Default)]
pub struct IouReport {
    /// IOUs recorded.
    pub recorded: u64,
    /// CT recorded as owed in total.
    pub owed_total_ct: f64,
    /// IOUs the provider claimed in full.
    pub claimed: u64,
    /// CT claimed.
    pub claimed_ct: f64,
    /// Largest amount owed at an epoch's end (CT).
    pub max_owed_ct: f64,
    /// Funding went strictly front to back (no IOU funded while an earlier one was not fully).
    pub in_order: bool,
}

/// The chain-side totals the run was reconciled against.
#[derive(Clone, Debug, Default)]
pub struct Reconciliation {
    /// Controller totals (CT).
    pub burned_ct: f64,
    /// Re-minted.
    pub reminted_ct: f64,
    /// From the reserve.
    pub from_reserve_ct: f64,
    /// Retired.
    pub retired_ct: f64,
    /// Emissions: emitted.
    pub emitted_ct: f64,
    /// Final total supply.
    pub total_supply_ct: f64,
}

/// CT wei → whole CT (f64).
pub fn ct_f(v: U256) -> f64 {
    let micro = v / U256::from(1_000_000_000_000u64);
    micro.saturating_to::<u128>() as f64 / 1e6
}

/// Credits (6 decimals) → USD.
pub fn usd_f(v: U256) -> f64 {
    v.saturating_to::<u128>() as f64 / 1e6
}

/// Whole CT (f64) → wei, rounded down to 1e-6 CT.
pub fn ct_wei(v: f64) -> U256 {
    U256::from((v.max(0.0) * 1e6) as u128) * U256::from(1_000_000_000_000u64)
}

/// The keys of a scenario's accounts.
fn keys(tag: &str, providers: u32) -> (Vec<PrivateKeySigner>, Vec<PrivateKeySigner>) {
    let p = (0..u64::from(providers))
        .map(|i| bench_key(&format!("scn-{tag}-prov"), i))
        .collect();
    let b = (0..BUYERS)
        .map(|i| bench_key(&format!("scn-{tag}-buyer"), i))
        .collect();
    (p, b)
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Normal,
    Timeout,
    Dispute,
}

/// Per-epoch bookkeeping from receipts.
#[derive(Default)]
struct Tally {
    txs: u64,
    gas: u64,
    emission_minted: U256,
    tokens_paid: U256,
    owed: U256,
    settled_credits: U256,
    gpu_seconds: f64,
}

struct Sim<'a> {
    env: &'a Env,
    tally: Tally,
    total_txs: u64,
    total_gas: u64,
    /// (IOU id, provider) not yet claimed, in id order.
    ious: Vec<(U256, Address)>,
    iou_report: IouReport,
}

impl Sim<'_> {
    async fn send(&mut self, label: &str, tx: TransactionRequest) -> Result<TransactionReceipt> {
        let tx = tx.with_gas_limit(GAS);
        let pending = self
            .env
            .provider
            .send_transaction(tx.clone())
            .await
            .map_err(|e| eyre!("{label}: {e}"))?;
        let hash = *pending.tx_hash();
        let rc = crate::env::wait_receipt(&self.env.provider, hash)
            .await
            .wrap_err_with(|| label.to_string())?;
        if !rc.status() {
            // Replay on the block before for the revert reason.
            let at = rc.block_number.unwrap_or(1).saturating_sub(1);
            let why = match self.env.provider.call(tx).block(at.into()).await {
                Ok(_) => "replays fine on the block before".to_string(),
                Err(e) => e.to_string(),
            };
            bail!(
                "{label}: transaction {hash} reverted (gas used {} of {GAS}): {why}",
                rc.gas_used
            );
        }
        self.tally.txs += 1;
        self.tally.gas += rc.gas_used;
        self.total_txs += 1;
        self.total_gas += rc.gas_used;
        // Bookkeeping of everything a receipt says about money.
        for l in rc.inner.logs() {
            let addr = l.address();
            if addr == self.env.d.controller {
                if let Ok(e) = IBmeController::Settled::decode_log_data(l.data()) {
                    self.tally.tokens_paid += e.tokensPaid;
                    self.tally.settled_credits += e.credits;
                } else if let Ok(e) = IBmeController::OwedRecorded::decode_log_data(l.data()) {
                    self.tally.owed += e.amount;
                    self.ious.push((e.id, e.provider));
                    self.iou_report.recorded += 1;
                    self.iou_report.owed_total_ct += ct_f(e.amount);
                } else if let Ok(e) = IBmeController::OwedClaimed::decode_log_data(l.data()) {
                    self.iou_report.claimed_ct += ct_f(e.amount);
                }
            } else if addr == self.env.d.emissions {
                if let Ok(e) = IEmissions::EpochFinalized::decode_log_data(l.data()) {
                    self.tally.emission_minted += e.treasuryAmount;
                } else if let Ok(e) = IEmissions::RewardsClaimed::decode_log_data(l.data()) {
                    self.tally.emission_minted += e.amount;
                } else if let Ok(e) = IEmissions::StakeRewardsClaimed::decode_log_data(l.data()) {
                    self.tally.emission_minted += e.amount;
                }
            }
        }
        Ok(rc)
    }

    async fn now(&self) -> Result<u64> {
        Ok(self
            .env
            .provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await?
            .map(|b| b.header.timestamp)
            .unwrap_or_default())
    }

    async fn warp_to(&self, at: u64) -> Result<()> {
        let now = self.now().await?;
        if at > now {
            let _: serde_json::Value = self
                .env
                .provider
                .raw_request("evm_increaseTime".into(), (at - now,))
                .await?;
        }
        let _: serde_json::Value = self.env.provider.raw_request("evm_mine".into(), ()).await?;
        Ok(())
    }

    async fn set_price(&mut self, usd: f64) -> Result<()> {
        let answer = I256::try_from((usd * 1e8).round() as i64)?;
        let tx = self
            .env
            .feed()
            .updateAnswer(answer)
            .from(self.env.acc.admin)
            .into_transaction_request();
        self.send("feed.updateAnswer", tx).await.map(|_| ())
    }

    /// Admin sends `amount` CT to `to`; when the genesis holder runs short, providers first sell
    /// it their balances (a transfer stands for a market sale).
    async fn pay_ct(&mut self, to: Address, amount: U256, providers: &[Address]) -> Result<()> {
        let token = self.env.token();
        let admin = self.env.acc.admin;
        if token.balanceOf(admin).call().await? < amount {
            for &p in providers {
                let bal = token.balanceOf(p).call().await?;
                if !bal.is_zero() {
                    let tx = token
                        .transfer(admin, bal)
                        .from(p)
                        .into_transaction_request();
                    self.send("provider sells CT", tx).await?;
                }
            }
            ensure!(
                token.balanceOf(admin).call().await? >= amount,
                "the genesis holder and the providers together hold less than the {} CT buyers need",
                ct_f(amount)
            );
        }
        let tx = token
            .transfer(to, amount)
            .from(admin)
            .into_transaction_request();
        self.send("transfer CT", tx).await.map(|_| ())
    }

    /// Every funded IOU is claimed by its provider (the controller's line is funded front to back).
    async fn claim_owed(&mut self) -> Result<()> {
        let ctl = self.env.controller();
        if self.ious.is_empty() || ctl.iouQueue().call().await?.fundedTotal.is_zero() {
            return Ok(());
        }
        let mut by_provider: BTreeMap<Address, Vec<U256>> = BTreeMap::new();
        let mut keep = Vec::new();
        let mut stop = false;
        for &(id, prov) in &self.ious {
            if stop {
                keep.push((id, prov));
                continue;
            }
            let i = ctl.iou(id).call().await?;
            if i.claimable.is_zero() {
                stop = i.paid < i.amount;
                if i.paid < i.amount {
                    keep.push((id, prov));
                }
                continue;
            }
            by_provider.entry(prov).or_default().push(id);
            if i.paid + i.claimable < i.amount {
                // Partly funded: claim what is there and keep it in line.
                keep.push((id, prov));
                stop = true;
            } else {
                self.iou_report.claimed += 1;
            }
        }
        for (prov, ids) in by_provider {
            for chunk in ids.chunks(32) {
                let tx = ctl
                    .claimOwed(chunk.to_vec())
                    .from(prov)
                    .into_transaction_request();
                self.send("claimOwed", tx).await?;
            }
        }
        self.ious = keep;
        Ok(())
    }

    async fn claim_rewards(
        &mut self,
        providers: &[Address],
        unclaimed: &mut Vec<u64>,
    ) -> Result<()> {
        let em = self.env.emissions();
        for chunk in unclaimed.chunks(32) {
            let list: Vec<U256> = chunk.iter().map(|&e| U256::from(e)).collect();
            for &p in providers {
                let tx = em
                    .claimRewards(list.clone())
                    .from(p)
                    .into_transaction_request();
                self.send("claimRewards", tx).await?;
            }
        }
        unclaimed.clear();
        // The treasury's fee share (refused with BmeNothingToClaim while nothing has accrued).
        let ctl = self.env.controller();
        if !ctl.supplyStats().call().await?.treasuryAccrued.is_zero() {
            let tx = ctl
                .claimTreasury()
                .from(self.env.acc.eve)
                .into_transaction_request();
            self.send("claimTreasury", tx).await?;
        }
        Ok(())
    }

    /// `ArbWasm.codehashKeepalive` for every program of the deployment (the data fee is paid from
    /// the value sent; the rest is refunded).
    async fn keepalive(&mut self) -> Result<()> {
        let d = &self.env.d;
        let wasm = IArbWasmKeepalive::new(ARB_WASM, &self.env.provider);
        for program in [
            d.price_feed,
            d.token,
            d.emissions,
            d.controller,
            d.registry,
            d.escrow,
            d.market,
        ] {
            let code = self.env.provider.get_code_at(program).await?;
            let tx = wasm
                .codehashKeepalive(keccak256(&code))
                .value(CT)
                .from(self.env.acc.admin)
                .into_transaction_request();
            self.send("ArbWasm.codehashKeepalive", tx).await?;
        }
        Ok(())
    }

    /// Each buyer buys credits up to `target_usd` / buyers at `price` (USD per CT).
    async fn top_up(
        &mut self,
        buyers: &[Address],
        providers: &[Address],
        target_usd: f64,
        jobs: u32,
        price: f64,
        spread: f64,
    ) -> Result<()> {
        let ctl = self.env.controller();
        // Jobs go to buyers in turn: the first buyers may carry one job more than the others.
        let per_buyer = jobs.div_ceil(buyers.len() as u32).max(1);
        let share = target_usd * f64::from(per_buyer) / f64::from(jobs.max(1));
        for &b in buyers {
            let free = usd_f(ctl.creditBalanceOf(b).call().await?);
            if free < share {
                let tokens = ct_wei((share - free) / (price * (1.0 - spread)) + 1.0);
                self.pay_ct(b, tokens, providers).await?;
                let tx = ctl
                    .buyCredits(tokens, U256::from(1), b)
                    .from(b)
                    .into_transaction_request();
                self.send("buyCredits", tx).await?;
            }
        }
        Ok(())
    }

    async fn create(
        &mut self,
        buyer: Address,
        prov: Address,
        gpus: u32,
        secs: u64,
        price: U256,
    ) -> Result<U256> {
        let e = self.env.escrow();
        let rc = self
            .send(
                "createJob",
                e.createJob(prov, keccak256("scenario spec"), gpus, secs, price)
                    .from(buyer)
                    .into_transaction_request(),
            )
            .await?;
        let id = rc
            .inner
            .logs()
            .iter()
            .find_map(|l| IJobEscrow::JobCreated::decode_log_data(l.data()).ok())
            .map(|e| e.jobId)
            .ok_or_else(|| eyre!("no JobCreated"))?;
        self.send(
            "acceptJob",
            e.acceptJob(id).from(prov).into_transaction_request(),
        )
        .await?;
        Ok(id)
    }
}

/// Finds which contract owns parameter `name` and calls `setParameter` there as the admin.
pub async fn set_parameter(env: &Env, name: &str, value: U256) -> Result<&'static str> {
    let key = b32(name);
    let admin = env.acc.admin;
    let ctl = env.controller();
    let em = env.emissions();
    let reg = env.registry();
    let esc = env.escrow();
    let (owner, tx) = if ctl.parameter(key).call().await.is_ok() {
        (
            "controller",
            ctl.setParameter(key, value)
                .from(admin)
                .into_transaction_request(),
        )
    } else if em.parameter(key).call().await.is_ok() {
        (
            "Emissions",
            em.setParameter(key, value)
                .from(admin)
                .into_transaction_request(),
        )
    } else if reg.parameter(key).call().await.is_ok() {
        (
            "registry",
            reg.setParameter(key, value)
                .from(admin)
                .into_transaction_request(),
        )
    } else if esc.parameter(key).call().await.is_ok() {
        (
            "escrow",
            esc.setParameter(key, value)
                .from(admin)
                .into_transaction_request(),
        )
    } else {
        bail!("unknown parameter {name:?}: neither the controller, Emissions, the registry nor the escrow has it")
    };
    env.send(
        &format!("{owner}.setParameter({name}, {value})"),
        tx.with_gas_limit(GAS),
    )
    .await
    .wrap_err_with(|| format!("{owner}.setParameter({name}, {value}) (out of its bounds?)"))?;
    Ok(owner)
}

/// The signers a scenario run needs; add them with [`Env::add_signers`] before [`run`].
pub fn signers(sc: &Scenario) -> Vec<PrivateKeySigner> {
    let (p, b) = keys(&sc.name, sc.providers.count);
    p.into_iter().chain(b).collect()
}

/// Runs `sc` for `epochs` epochs on `env` (a fresh deployment; its signers added: [`signers`]),
/// after the scenario's parameters and `overrides` are set; reconciles with the chain at the end.
pub async fn run(
    env: &Env,
    sc: &Scenario,
    epochs: u64,
    overrides: &[(String, U256)],
    label: &str,
) -> Result<ScenarioRun> {
    let started = Instant::now();
    let em = env.emissions();
    let ctl = env.controller();
    let reg = env.registry();
    let esc = env.escrow();
    let token = env.token();
    let genesis = em.genesisTime().call().await?.to::<u64>();
    let len = em.epochLength().call().await?.to::<u64>();
    sc.check(epochs, len)?;
    let mut sim = Sim {
        env,
        tally: Tally::default(),
        total_txs: 0,
        total_gas: 0,
        ious: Vec::new(),
        iou_report: IouReport {
            in_order: true,
            ..IouReport::default()
        },
    };

    // Parameters: the file's, then the sweep's (which win).
    let mut params = sc.parameter_values()?;
    for (n, v) in overrides {
        params.retain(|(k, _)| k != n);
        params.push((n.clone(), *v));
    }
    for (n, v) in &params {
        set_parameter(env, n, *v).await?;
    }

    // Accounts.
    let (pk, bk) = keys(&sc.name, sc.providers.count);
    let providers: Vec<Address> = pk.iter().map(|k| k.address()).collect();
    let buyers: Vec<Address> = bk.iter().map(|k| k.address()).collect();
    let stake = ct_wei(sc.providers.stake_ct);
    for &p in &providers {
        env.fund_eth(p).await?;
        sim.pay_ct(p, stake, &[]).await?;
        sim.send(
            "register",
            reg.register(
                b32("H100"),
                sc.providers.gpus,
                80,
                b32("scenario"),
                "ipfs://scenario".into(),
            )
            .from(p)
            .into_transaction_request(),
        )
        .await?;
        sim.send(
            "approve registry",
            token
                .approve(env.d.registry, U256::MAX)
                .from(p)
                .into_transaction_request(),
        )
        .await?;
        sim.send("stake", reg.stake(stake).from(p).into_transaction_request())
            .await?;
    }
    for &b in &buyers {
        env.fund_eth(b).await?;
        for spender in [env.d.controller, env.d.escrow] {
            sim.send(
                "approve",
                token
                    .approve(spender, U256::MAX)
                    .from(b)
                    .into_transaction_request(),
            )
            .await?;
        }
    }
    let spread = ctl
        .parameter(b32("mintSpreadBps"))
        .call()
        .await?
        .to::<u64>() as f64
        / 1e4;
    let gpu_price = U256::from((sc.usd_per_gpu_hour * 1e6).round() as u64);
    let supply_start = token.totalSupply().call().await?;

    let mut rows: Vec<EpochRow> = Vec::new();
    let mut pending_timeouts: Vec<U256> = Vec::new();
    let mut unclaimed: Vec<u64> = Vec::new();
    let (mut acc_t, mut acc_d) = (0.0f64, 0.0f64);
    let mut at_fault = true;
    let mut rr = 0usize;
    let mut cumulative = 0.0;
    sim.tally = Tally::default();
    for e in 0..=epochs {
        let last = e == epochs;
        sim.warp_to(genesis + e * len + 60).await?;
        let price = sc.price.at(e);
        sim.set_price(price).await?;
        if e > 0 {
            let tx = em
                .finalizeEpochs(U256::from(64))
                .from(env.acc.eve)
                .into_transaction_request();
            sim.send("finalizeEpochs", tx).await?;
            unclaimed.push(e - 1);
        }
        if e > 0 && (e * len) % (KEEPALIVE_EVERY * DAY) < len {
            sim.keepalive().await?;
        }
        if !unclaimed.is_empty() && (last || e % sc.claim_every == 0 || unclaimed.len() >= 32) {
            sim.claim_rewards(&providers, &mut unclaimed).await?;
        }
        for id in std::mem::take(&mut pending_timeouts) {
            let tx = esc
                .claimTimeout(id)
                .from(env.acc.eve)
                .into_transaction_request();
            sim.send("claimTimeout", tx).await?;
        }
        sim.claim_owed().await?;
        if last {
            // The settle-up epoch: no new business (its transactions count in the run's totals).
            break;
        }

        // Buyers cover this epoch's jobs if their credits fall short (the first epoch, a demand jump).
        let demand = sc.demand.at(e);
        cumulative += demand;
        let gpu_hours = demand / sc.usd_per_gpu_hour;
        let (n, gpus, secs) = sc.jobs(gpu_hours, len);
        sim.top_up(&buyers, &providers, demand * 1.01, n, price, spread)
            .await?;

        // Jobs.
        let (mut timeouts, mut disputes) = (0u32, 0u32);
        for j in 0..n {
            let buyer = buyers[j as usize % buyers.len()];
            let mut prov = None;
            for _ in 0..providers.len() {
                let p = providers[rr % providers.len()];
                rr += 1;
                if reg.isEligible(p).call().await? {
                    prov = Some(p);
                    break;
                }
            }
            let prov = prov.ok_or_else(|| {
                eyre!(
                    "scenario {}: epoch {e}: no provider is eligible (all jailed or slashed below the minimum stake)",
                    sc.name
                )
            })?;
            acc_t += sc.failures.timeout_share;
            let kind = if acc_t >= 1.0 {
                acc_t -= 1.0;
                Kind::Timeout
            } else {
                acc_d += sc.failures.dispute_share;
                if acc_d >= 1.0 {
                    acc_d -= 1.0;
                    Kind::Dispute
                } else {
                    Kind::Normal
                }
            };
            if kind == Kind::Timeout {
                // A one-hour job the provider never submits; anyone claims the timeout next epoch.
                let id = sim.create(buyer, prov, gpus, 3_600, gpu_price).await?;
                pending_timeouts.push(id);
                timeouts += 1;
                continue;
            }
            let id = sim.create(buyer, prov, gpus, secs, gpu_price).await?;
            sim.send(
                "submitResult",
                esc.submitResult(id, keccak256("scenario result"), secs)
                    .from(prov)
                    .into_transaction_request(),
            )
            .await?;
            if kind == Kind::Normal {
                sim.send(
                    "approveResult",
                    esc.approveResult(id).from(buyer).into_transaction_request(),
                )
                .await?;
                sim.tally.gpu_seconds += f64::from(gpus) * secs as f64;
                continue;
            }
            disputes += 1;
            // Bond: max(5% of the cost's CT value, 100 CT); send the buyer enough.
            let cost_usd = sc.usd_per_gpu_hour * f64::from(gpus) * secs as f64 / 3_600.0;
            let bond = ct_wei((0.05 * cost_usd / price).max(100.0) * 1.1 + 1.0);
            sim.pay_ct(buyer, bond, &providers).await?;
            sim.send(
                "disputeResult",
                esc.disputeResult(id, keccak256("scenario evidence"))
                    .from(buyer)
                    .into_transaction_request(),
            )
            .await?;
            sim.send(
                "resolveDispute",
                esc.resolveDispute(id, at_fault)
                    .from(env.acc.admin)
                    .into_transaction_request(),
            )
            .await?;
            if !at_fault {
                sim.send(
                    "finalize",
                    esc.finalize(id)
                        .from(env.acc.eve)
                        .into_transaction_request(),
                )
                .await?;
                sim.tally.gpu_seconds += f64::from(gpus) * secs as f64;
            }
            at_fault = !at_fault;
        }

        // At the end of the epoch buyers top up to `prepay_epochs` of the next epoch's demand, at
        // today's price: credits held ahead, spent at tomorrow's.
        if sc.prepay_epochs > 0.0 {
            let next = sc.demand.at(e + 1);
            let jobs = sc.jobs(next / sc.usd_per_gpu_hour, len).0;
            let ahead = sc.prepay_epochs * next * 1.01;
            sim.top_up(&buyers, &providers, ahead, jobs, price, spread)
                .await?;
        }

        // End-of-epoch snapshot.
        let cs = ctl.supplyStats().call().await?;
        let supply = token.totalSupply().call().await?;
        let t = std::mem::take(&mut sim.tally);
        let budget = ct_f(cs.burnBudget);
        let credits = usd_f(cs.outstandingCredits);
        sim.iou_report.max_owed_ct = sim.iou_report.max_owed_ct.max(ct_f(cs.owed));
        rows.push(EpochRow {
            epoch: e,
            price_usd: price,
            demand_usd: demand,
            cumulative_demand_usd: cumulative,
            gpu_hours: t.gpu_seconds / 3_600.0,
            jobs: n,
            timeouts,
            disputes,
            settled_usd: usd_f(t.settled_credits),
            owed_ct: ct_f(cs.owed),
            total_supply_ct: ct_f(supply),
            burn_budget_ct: budget,
            outstanding_credits_usd: credits,
            collateral_ratio: if credits > 0.0 {
                budget * price / credits
            } else {
                0.0
            },
            // Settlement income now; emissions and the chain's epoch stats after the run.
            provider_income_usd: ct_f(t.tokens_paid + t.owed) * price,
            emission_minted_ct: ct_f(t.emission_minted),
            txs: t.txs,
            gas: t.gas,
            ..EpochRow::default()
        });
    }
    // Per-epoch chain stats.
    for r in &mut rows {
        let c = ctl.epochStats(U256::from(r.epoch)).call().await?;
        let s = em.epochStats(U256::from(r.epoch)).call().await?;
        r.burned_ct = ct_f(c.burned);
        r.reminted_ct = ct_f(c.reminted);
        r.retired_ct = ct_f(c.feesBurned);
        r.reserve_drawn_ct = ct_f(c.mintedFromReserve);
        r.owed_recorded_ct = ct_f(c.owedRecorded);
        r.emitted_ct = ct_f(s.emitted);
        r.work_pool_ct = ct_f(s.workPool);
        r.stake_pool_ct = ct_f(s.stakePool);
        let settle = r.provider_income_usd;
        let emission = (r.work_pool_ct + r.stake_pool_ct) * r.price_usd;
        r.provider_income_usd = settle + emission;
        if r.gpu_hours > 0.0 {
            r.income_per_gpu_hour_usd = r.provider_income_usd / r.gpu_hours;
            r.settlement_per_gpu_hour_usd = settle / r.gpu_hours;
        }
        if r.provider_income_usd > 0.0 {
            r.emission_share = emission / r.provider_income_usd;
        }
    }

    let recon = reconcile(env, epochs).await?;
    // IOUs: funding must have gone front to back.
    let q = ctl.iouQueue().call().await?;
    let mut seen_short = false;
    let mut ids: Vec<U256> = Vec::new();
    for l in events_raw(
        env,
        env.d.controller,
        IBmeController::OwedRecorded::SIGNATURE_HASH,
    )
    .await?
    {
        ids.push(IBmeController::OwedRecorded::decode_log_data(l.data())?.id);
    }
    ids.sort();
    for id in ids {
        let i = ctl.iou(id).call().await?;
        let funded = i.paid + i.claimable;
        if seen_short && !funded.is_zero() {
            sim.iou_report.in_order = false;
        }
        if funded < i.amount {
            seen_short = true;
        }
    }
    ensure!(
        q.count == U256::from(sim.iou_report.recorded),
        "iouQueue count {} != IOUs recorded {}",
        q.count,
        sim.iou_report.recorded
    );
    Ok(ScenarioRun {
        label: label.to_string(),
        rows,
        supply_start_ct: ct_f(supply_start),
        recon,
        ious: sim.iou_report,
        txs: sim.total_txs,
        gas: sim.total_gas,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Every log of `address` with topic0 `sig` since block 0 (queried in windows of 10,000 blocks, the
/// dev chain's `eth_getLogs` limit).
async fn events_raw(env: &Env, address: Address, sig: B256) -> Result<Vec<alloy::rpc::types::Log>> {
    const WINDOW: u64 = 10_000;
    let head = env.provider.get_block_number().await?;
    let mut out = Vec::new();
    let mut from = 0u64;
    while from <= head {
        let to = (from + WINDOW - 1).min(head);
        out.extend(
            env.provider
                .get_logs(
                    &Filter::new()
                        .address(address)
                        .event_signature(sig)
                        .from_block(from)
                        .to_block(to),
                )
                .await?,
        );
        from = to + 1;
    }
    Ok(out)
}

async fn events<E: SolEvent>(env: &Env, address: Address) -> Result<Vec<E>> {
    events_raw(env, address, E::SIGNATURE_HASH)
        .await?
        .iter()
        .map(|l| Ok(E::decode_log_data(l.data())?))
        .collect()
}

fn sum(v: impl IntoIterator<Item = U256>) -> U256 {
    v.into_iter().fold(U256::ZERO, |a, b| a + b)
}

/// Reconciles the chain after a run of `epochs` epochs (plus the settle-up epoch), as
/// `compute-market demo` does: Σ per-epoch controller `epochStats` = `supplyStats` totals; the
/// controller's reserve mints = Emissions' draws; Emissions emitted − returned + drawn + reserve =
/// initialReserve; totalSupply = genesis − burns + mints from the token's Transfer events, and
/// the mints and burns explained by the controller's, Emissions', the registry's and the escrow's
/// events. Fails on the first mismatch.
pub async fn reconcile(env: &Env, epochs: u64) -> Result<Reconciliation> {
    let ctl = env.controller();
    let em = env.emissions();
    let token = env.token();
    let d = &env.d;
    let (mut burned, mut reminted, mut drawn, mut retired, mut emitted, mut em_drawn) = (
        U256::ZERO,
        U256::ZERO,
        U256::ZERO,
        U256::ZERO,
        U256::ZERO,
        U256::ZERO,
    );
    let last = em.nextEpochToFinalize().call().await?.to::<u64>();
    ensure!(
        last >= epochs,
        "simulated epoch {} is not finalised (next to finalise: {last})",
        epochs.saturating_sub(1)
    );
    for e in 0..=last {
        let c = ctl.epochStats(U256::from(e)).call().await?;
        burned += c.burned;
        reminted += c.reminted;
        drawn += c.mintedFromReserve;
        retired += c.feesBurned;
        let s = em.epochStats(U256::from(e)).call().await?;
        emitted += s.emitted;
        em_drawn += s.drawn;
        ensure!(
            s.workPool <= s.workCap,
            "epoch {e}: work pool {} above its cap {}",
            s.workPool,
            s.workCap
        );
    }
    let cs = ctl.supplyStats().call().await?;
    let es = em.supplyStats().call().await?;
    ensure!(
        burned == cs.burned,
        "Σ epochStats.burned {burned} != supplyStats.burned {}",
        cs.burned
    );
    ensure!(
        reminted == cs.reminted,
        "Σ reminted {reminted} != supplyStats.reminted {}",
        cs.reminted
    );
    ensure!(
        drawn == cs.mintedFromReserve && cs.mintedFromReserve == es.drawn && em_drawn == es.drawn,
        "reserve draws: Σ controller {drawn}, controller total {}, Emissions total {}, Σ Emissions {em_drawn}",
        cs.mintedFromReserve,
        es.drawn
    );
    ensure!(
        retired == cs.retired,
        "Σ feesBurned {retired} != supplyStats.retired {}",
        cs.retired
    );
    ensure!(
        emitted == es.emitted,
        "Σ emitted {emitted} != Emissions emitted {}",
        es.emitted
    );
    ensure!(
        es.emitted - es.returned + es.drawn + es.reserve == es.initialReserve,
        "Emissions: emitted − returned + drawn + reserve != initialReserve"
    );
    ensure!(
        cs.reminted + cs.retired + cs.burnBudget + cs.iouFunded + cs.treasuryAccrued == cs.burned,
        "controller: reminted + retired + burnBudget + iouFunded + treasuryAccrued != burned"
    );
    let genesis = U256::from(GENESIS_CT) * CT;
    ensure!(
        es.initialReserve == token.cap().call().await? - genesis,
        "initial reserve != cap − genesis supply"
    );
    let total_supply = token.totalSupply().call().await?;
    let (mut minted_ev, mut burned_ev, mut buyer_burns) = (U256::ZERO, U256::ZERO, U256::ZERO);
    for t in events::<IComputeToken::Transfer>(env, d.token).await? {
        if t.from == Address::ZERO {
            minted_ev += t.value;
        }
        if t.to == Address::ZERO {
            burned_ev += t.value;
            if t.from != d.registry && t.from != d.escrow {
                buyer_burns += t.value;
            }
        }
    }
    ensure!(minted_ev >= genesis, "missing the genesis mint event");
    let minted_ev = minted_ev - genesis;
    ensure!(
        genesis + minted_ev - burned_ev == total_supply,
        "genesis + minted − burned (Transfer events) != totalSupply"
    );
    ensure!(
        buyer_burns == cs.burned,
        "CT burned by buyers (events) {buyer_burns} != controller burned {}",
        cs.burned
    );
    let slash_burned = sum(events::<IProviderRegistry::Slashed>(env, d.registry)
        .await?
        .into_iter()
        .map(|e| e.burned));
    let bond_burned = sum(events::<IJobEscrow::BondReleased>(env, d.escrow)
        .await?
        .into_iter()
        .filter(|e| e.burned)
        .map(|e| e.amount));
    let emission_mints = sum(events::<IEmissions::EpochFinalized>(env, d.emissions)
        .await?
        .into_iter()
        .map(|e| e.treasuryAmount))
        + sum(events::<IEmissions::RewardsClaimed>(env, d.emissions)
            .await?
            .into_iter()
            .map(|e| e.amount))
        + sum(events::<IEmissions::StakeRewardsClaimed>(env, d.emissions)
            .await?
            .into_iter()
            .map(|e| e.amount));
    ensure!(
        burned_ev == cs.burned + slash_burned + bond_burned,
        "burns (events) != buyers' + slashes' + bonds'"
    );
    ensure!(
        minted_ev == cs.reminted + cs.mintedFromReserve + emission_mints,
        "minted (events) {minted_ev} != reminted {} + fromReserve {} + emission mints {emission_mints}",
        cs.reminted,
        cs.mintedFromReserve
    );
    Ok(Reconciliation {
        burned_ct: ct_f(cs.burned),
        reminted_ct: ct_f(cs.reminted),
        from_reserve_ct: ct_f(cs.mintedFromReserve),
        retired_ct: ct_f(cs.retired),
        emitted_ct: ct_f(es.emitted),
        total_supply_ct: ct_f(total_supply),
    })
}

/// Starts a fresh dev chain with `epoch_length`-second epochs, deploys, and runs `sc`.
pub async fn run_fresh(
    wasm_dir: Option<PathBuf>,
    epoch_length: u64,
    sc: &Scenario,
    epochs: u64,
    overrides: &[(String, U256)],
    label: &str,
) -> Result<ScenarioRun> {
    let mut env = Env::start_with(wasm_dir, Some(epoch_length)).await?;
    env.add_signers(signers(sc))?;
    run(&env, sc, epochs, overrides, label)
        .await
        .wrap_err_with(|| format!("scenario {label}"))
}

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

pub mod charts;

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
