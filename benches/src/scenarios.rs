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
use compute_market_scripts::chain::first_event;

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
        let id = first_event::<IJobEscrow::JobCreated>(&rc)?.jobId;
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

pub mod charts;
mod cli;
mod file;
mod output;
mod reconcile;

pub use cli::*;
pub use file::*;
pub use output::*;
pub use reconcile::*;
