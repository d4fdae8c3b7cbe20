//! `compute-market demo`: the marketplace end to end on a dev chain, with reconciled tables.
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use alloy::network::TransactionBuilder;
use alloy::primitives::{keccak256, Address, B256, I256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::{Filter, TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolEvent;
use eyre::{bail, ensure, eyre, WrapErr};
use serde::Serialize;

use crate::bindings::*;
use crate::deploy::{
    deploy_on, param_name, Chain, DeployOptions, Deployment, FEED_INITIAL_ANSWER, GENESIS_SUPPLY_CT,
};

/// Options of [`run`].
#[derive(Clone, Debug, Default)]
pub struct DemoOptions {
    /// Write the report as JSON here.
    pub json: Option<PathBuf>,
    /// Prebuilt wasm directory (default: scripts/build-wasm.sh).
    pub wasm_dir: Option<PathBuf>,
    /// Deployer key (default: the devnet's dev key / the Nitro dev key).
    pub private_key: Option<PrivateKeySigner>,
    /// Where the deployment record goes (default: a temp dir for the embedded devnet,
    /// `deployments/` for an external node).
    pub deployments_dir: Option<PathBuf>,
    /// Emissions epoch length (default 3,600 s).
    pub epoch_length: Option<u64>,
    /// No progress output on stderr ([`crate::progress`]).
    pub quiet: bool,
    /// Print the tables and the summary on stdout (the CLI does; tests and benches do not).
    pub tables: bool,
}

/// One epoch's accounting (CT in wei, credits in 1e-6 USD).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct EpochRow {
    /// Epoch.
    pub epoch: u64,
    /// CT burned for credits.
    pub burned: U256,
    /// CT re-minted from the burn budget for settlements (incl. the treasury's fee share).
    pub reminted: U256,
    /// CT minted from the emission reserve for settlements.
    pub minted_from_reserve: U256,
    /// CT emitted at the epoch's finalisation.
    pub emitted: U256,
    /// Fee CT retired for good.
    pub fees_burned: U256,
    /// Net credits settled (the emission weight).
    pub work: U256,
    /// CT total supply at the end of the epoch (as observed by the demo).
    pub supply: U256,
    /// Collateral ratio (wad) at the end of the epoch.
    pub collateral_ratio_wad: U256,
}

/// One account at the end.
#[derive(Clone, Debug, Serialize)]
pub struct AccountRow {
    /// Role in the demo.
    pub name: String,
    /// Address.
    pub address: Address,
    /// CT balance (wei).
    pub ct: U256,
    /// Free credits.
    pub credits: U256,
    /// Locked credits.
    pub locked_credits: U256,
    /// Active stake (wei).
    pub active_stake: U256,
    /// Locked stake (wei).
    pub locked_stake: U256,
    /// Eligible provider.
    pub eligible: bool,
}

/// One job.
#[derive(Clone, Debug, Serialize)]
pub struct JobRow {
    /// Job id.
    pub id: U256,
    /// Scenario.
    pub scenario: String,
    /// Requester.
    pub requester: String,
    /// Provider.
    pub provider: String,
    /// Final state (JobEscrow enum value).
    pub state: u8,
}

/// Cumulative checks.
#[derive(Clone, Debug, Serialize)]
pub struct Totals {
    /// Controller `supplyStats()`.
    pub controller_supply_stats: [U256; 5],
    /// Emissions `supplyStats()`.
    pub emissions_supply_stats: [U256; 4],
    /// Token totalSupply.
    pub total_supply: U256,
    /// Genesis supply.
    pub genesis_supply: U256,
    /// Σ mint Transfer events.
    pub minted_events: U256,
    /// Σ burn Transfer events.
    pub burned_events: U256,
    /// CT burned by slashes.
    pub slash_burned: U256,
    /// CT burned as dispute bonds.
    pub bond_burned: U256,
    /// CT minted to the treasury at epoch finalisation.
    pub treasury_emission: U256,
    /// CT claimed by providers as rewards.
    pub rewards_claimed: U256,
}

/// What the demo did and measured.
#[derive(Clone, Debug, Serialize)]
pub struct DemoReport {
    /// Chain id.
    pub chain_id: u64,
    /// The deployment used.
    pub deployment: Deployment,
    /// Per-epoch table (every epoch from 0 through the last finalised one).
    pub epochs: Vec<EpochRow>,
    /// Accounts at the end.
    pub accounts: Vec<AccountRow>,
    /// Jobs.
    pub jobs: Vec<JobRow>,
    /// Totals and reconciliation inputs.
    pub totals: Totals,
    /// Transactions the demo sent (deployment included).
    pub transactions: usize,
    /// Gas used by them.
    pub gas_used: u64,
    /// Wall time in milliseconds.
    pub wall_time_ms: u128,
}

/// `v / 10^decimals` with up to 6 fractional digits (rounded down).
pub fn fmt_units(v: U256, decimals: u32) -> String {
    let base = U256::from(10u64).pow(U256::from(decimals));
    let int = v / base;
    let frac = v % base;
    let shown = decimals.min(6);
    let frac = frac / U256::from(10u64).pow(U256::from(decimals - shown));
    let mut f = format!("{frac:0>width$}", width = shown as usize);
    while f.ends_with('0') {
        f.pop();
    }
    if f.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{f}")
    }
}

/// CT (18 decimals).
pub fn fmt_ct(v: U256) -> String {
    fmt_units(v, 18)
}

fn ct(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

fn b32(s: &str) -> B256 {
    param_name(s)
}

struct Demo {
    chain: Chain,
    d: Deployment,
    names: BTreeMap<Address, String>,
    snapshots: BTreeMap<u64, (U256, U256)>,
    jobs: Vec<(U256, String, Address, Address)>,
}

impl Demo {
    /// Ends the running phase (one line with its time) and starts `msg` ([`crate::progress`]).
    fn step(&mut self, msg: &str) {
        self.chain.progress.step(msg);
    }
    async fn tx(
        &mut self,
        label: &str,
        from: Address,
        req: TransactionRequest,
    ) -> eyre::Result<TransactionReceipt> {
        let req = req.with_from(from);
        self.chain.send(label, req).await
    }
    fn name(&self, a: Address) -> String {
        if a.is_zero() {
            return "(any)".into();
        }
        self.names.get(&a).cloned().unwrap_or_else(|| a.to_string())
    }
    async fn epoch(&self) -> eyre::Result<u64> {
        let e = IEmissions::new(self.d.emissions, &self.chain.provider)
            .currentEpoch()
            .call()
            .await?;
        Ok(e.to::<u64>())
    }
    async fn snapshot(&mut self) -> eyre::Result<()> {
        let e = self.epoch().await?;
        let supply = IComputeToken::new(self.d.token, &self.chain.provider)
            .totalSupply()
            .call()
            .await?;
        let cr = IBmeController::new(self.d.controller, &self.chain.provider)
            .collateralRatioWad()
            .call()
            .await?;
        self.snapshots.insert(e, (supply, cr));
        Ok(())
    }
    /// Time travel, then refresh the (manual) price so the controller's maxPriceAge holds.
    async fn advance(&mut self, secs: u64) -> eyre::Result<()> {
        self.snapshot().await?;
        let p = &self.chain.provider;
        p.raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (secs,))
            .await
            .wrap_err("evm_increaseTime: the demo needs a dev chain with time travel (the embedded devnet, anvil)")?;
        p.raw_request::<_, serde_json::Value>("evm_mine".into(), ())
            .await?;
        if self.d.manual_price_feed {
            let feed = IManualPriceFeed::new(self.d.price_feed, &self.chain.provider);
            let req = feed
                .updateAnswer(I256::try_from(FEED_INITIAL_ANSWER)?)
                .into_transaction_request();
            let me = self.d.deployer;
            self.tx("feed.updateAnswer", me, req).await?;
        }
        Ok(())
    }

    async fn create(
        &mut self,
        scenario: &str,
        buyer: Address,
        provider: Address,
        gpus: u32,
        dur: u64,
        price_usd: u64,
    ) -> eyre::Result<U256> {
        let x = IJobEscrow::new(self.d.escrow, &self.chain.provider);
        let spec = keccak256(format!("spec:{scenario}"));
        let req = x
            .createJob(provider, spec, gpus, dur, U256::from(price_usd * 1_000_000))
            .into_transaction_request();
        let r = self
            .tx(&format!("createJob ({scenario})"), buyer, req)
            .await?;
        let id = r
            .inner
            .logs()
            .iter()
            .find_map(|l| IJobEscrow::JobCreated::decode_log_data(l.data()).ok())
            .map(|e| e.jobId)
            .ok_or_else(|| eyre!("no JobCreated event"))?;
        self.jobs.push((id, scenario.to_string(), buyer, provider));
        Ok(id)
    }
    async fn accept(&mut self, id: U256, provider: Address) -> eyre::Result<()> {
        let req = IJobEscrow::new(self.d.escrow, &self.chain.provider)
            .acceptJob(id)
            .into_transaction_request();
        self.tx(&format!("acceptJob {id}"), provider, req).await?;
        Ok(())
    }
    async fn submit(&mut self, id: U256, provider: Address, used: u64) -> eyre::Result<()> {
        let req = IJobEscrow::new(self.d.escrow, &self.chain.provider)
            .submitResult(id, keccak256(format!("result:{id}")), used)
            .into_transaction_request();
        self.tx(&format!("submitResult {id}"), provider, req)
            .await?;
        Ok(())
    }
    async fn approve(&mut self, id: U256, buyer: Address) -> eyre::Result<()> {
        let req = IJobEscrow::new(self.d.escrow, &self.chain.provider)
            .approveResult(id)
            .into_transaction_request();
        self.tx(&format!("approveResult {id}"), buyer, req).await?;
        Ok(())
    }
    /// create + accept + submit + approve.
    #[allow(clippy::too_many_arguments)]
    async fn full_job(
        &mut self,
        scenario: &str,
        buyer: Address,
        provider: Address,
        gpus: u32,
        dur: u64,
        used: u64,
        price: u64,
    ) -> eyre::Result<U256> {
        let id = self
            .create(scenario, buyer, provider, gpus, dur, price)
            .await?;
        self.accept(id, provider).await?;
        self.submit(id, provider, used).await?;
        self.approve(id, buyer).await?;
        Ok(id)
    }
    async fn finalize_and_claim(&mut self, providers: &[Address]) -> eyre::Result<()> {
        let em = IEmissions::new(self.d.emissions, self.chain.provider.clone());
        let cur = em.currentEpoch().call().await?.to::<u64>();
        let next = em.nextEpochToFinalize().call().await?.to::<u64>();
        if next < cur {
            let req = em
                .finalizeEpochs(U256::from(cur - next))
                .into_transaction_request();
            let me = self.d.deployer;
            self.tx(
                &format!("emissions.finalizeEpochs({})", cur - next),
                me,
                req,
            )
            .await?;
        }
        for &p in providers {
            let mut epochs = Vec::new();
            for e in 0..cur {
                if em.pendingReward(U256::from(e), p).call().await? > U256::ZERO {
                    epochs.push(U256::from(e));
                }
            }
            if !epochs.is_empty() {
                let n = epochs.len();
                let req = em.claimRewards(epochs).into_transaction_request();
                self.tx(
                    &format!("claimRewards {} ({n} epochs)", self.name(p)),
                    p,
                    req,
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// Runs the demo. `rpc_url = None` starts the embedded devnet in-process (port 0).
///
/// # Errors
/// Any step of the demo; without the `devnet` cargo feature, `rpc_url = None` is an error.
pub async fn run(rpc_url: Option<&str>, opts: DemoOptions) -> eyre::Result<DemoReport> {
    let started = Instant::now();
    match rpc_url {
        Some(u) => run_on(u, None, false, &opts, started).await,
        None => run_embedded(&opts, started).await,
    }
}

#[cfg(feature = "devnet")]
async fn run_embedded(opts: &DemoOptions, started: Instant) -> eyre::Result<DemoReport> {
    let node = devnet::spawn(devnet::NodeConfig::test())
        .await
        .map_err(|e| eyre!("starting the embedded devnet: {e}"))?;
    let url = node.url();
    let key = node.dev_signers().first().cloned();
    let result = run_on(&url, key, true, opts, started).await;
    node.shutdown().await;
    result
}

#[cfg(not(feature = "devnet"))]
async fn run_embedded(_opts: &DemoOptions, _started: Instant) -> eyre::Result<DemoReport> {
    Err(eyre!(
        "this compute-market binary was built without the embedded dev chain (cargo feature `devnet`): pass --rpc-url <URL> to run the demo on a running node, or build with default features"
    ))
}

async fn run_on(
    url: &str,
    dev_key: Option<PrivateKeySigner>,
    embedded: bool,
    opts: &DemoOptions,
    started: Instant,
) -> eyre::Result<DemoReport> {
    let deployer = opts
        .private_key
        .clone()
        .or(dev_key)
        .map(Ok)
        .unwrap_or_else(|| crate::NITRO_DEV_KEY.parse::<PrivateKeySigner>())?;
    // Participants: deterministic keys, funded with ETH by the deployer.
    let names = [
        "provider-h100",
        "provider-a100",
        "provider-4090",
        "buyer-1",
        "buyer-2",
    ];
    let signers: Vec<PrivateKeySigner> = names
        .iter()
        .map(|n| PrivateKeySigner::from_bytes(&keccak256(format!("compute-market demo {n}"))))
        .collect::<Result<_, _>>()?;
    let addrs: Vec<Address> = signers.iter().map(|s| s.address()).collect();
    let (p1, p2, p3, b1, b2) = (addrs[0], addrs[1], addrs[2], addrs[3], addrs[4]);
    let mut chain = Chain::connect(url, deployer, signers, !opts.quiet).await?;
    let me = chain.from;
    let dir = opts.deployments_dir.clone().or_else(|| {
        embedded.then(|| {
            std::env::temp_dir().join(format!("compute-market-demo-{}", std::process::id()))
        })
    });
    let dopts = DeployOptions {
        wasm_dir: opts.wasm_dir.clone(),
        deployments_dir: dir,
        epoch_length: Some(opts.epoch_length.unwrap_or(crate::deploy::DEV_EPOCH_LENGTH)),
        // The demo sets parameters and feeds prices as the deployer.
        governance: Some(crate::governance::GovernanceOption::Deployer),
        quiet: true,
        ..Default::default()
    };
    let d = deploy_on(&mut chain, &dopts).await?;
    let mut names_map: BTreeMap<Address, String> = names
        .iter()
        .zip(&addrs)
        .map(|(n, a)| (*a, n.to_string()))
        .collect();
    names_map.insert(me, "deployer/treasury".into());
    let mut demo = Demo {
        chain,
        d: d.clone(),
        names: names_map,
        snapshots: BTreeMap::new(),
        jobs: Vec::new(),
    };

    // ---- funding ----
    demo.step("funding participants (ETH for gas, CT from the genesis holder)");
    for &a in &addrs {
        if demo.chain.provider.get_balance(a).await? < U256::from(10u64).pow(U256::from(17)) {
            let req = TransactionRequest::default()
                .with_to(a)
                .with_value(U256::from(10u64).pow(U256::from(18)));
            demo.tx("fund ETH", me, req).await?;
        }
    }
    let token = IComputeToken::new(d.token, demo.chain.provider.clone());
    let reg = IProviderRegistry::new(d.registry, demo.chain.provider.clone());
    let ctl = IBmeController::new(d.controller, demo.chain.provider.clone());
    let esc = IJobEscrow::new(d.escrow, demo.chain.provider.clone());
    let em = IEmissions::new(d.emissions, demo.chain.provider.clone());
    for (a, amount) in [
        (p1, 20_000),
        (p2, 20_000),
        (p3, 20_000),
        (b1, 200_000),
        (b2, 200_000),
    ] {
        let req = token.transfer(a, ct(amount)).into_transaction_request();
        demo.tx("CT transfer", me, req).await?;
    }
    // Demo-only parameter: a 1-epoch challenge window (bounded: ≥ 3,600 s) so "finalised after the window" fits.
    let req = esc
        .setParameter(b32("challengeWindow"), U256::from(3_600))
        .into_transaction_request();
    demo.tx("escrow.setParameter(challengeWindow, 3600)", me, req)
        .await?;

    // ---- providers ----
    demo.step("providers register and stake");
    for (p, model, gpus, vram, region) in [
        (p1, "NVIDIA H100 SXM", 8u32, 80u32, "us-east"),
        (p2, "NVIDIA A100 PCIe", 4, 40, "eu-west"),
        (p3, "NVIDIA RTX 4090", 2, 24, "ap-south"),
    ] {
        let req = reg
            .register(
                b32(model),
                gpus,
                vram,
                b32(region),
                format!("ipfs://demo/{model}"),
            )
            .into_transaction_request();
        demo.tx("register", p, req).await?;
        let req = token
            .approve(d.registry, U256::MAX)
            .into_transaction_request();
        demo.tx("approve registry", p, req).await?;
        let req = reg.stake(ct(10_000)).into_transaction_request();
        demo.tx("stake", p, req).await?;
        ensure!(
            reg.isEligible(p).call().await?,
            "{model} provider not eligible after staking"
        );
    }

    // ---- buyers ----
    demo.step("buyers burn CT for credits");
    for b in [b1, b2] {
        let req = token
            .approve(d.controller, U256::MAX)
            .into_transaction_request();
        demo.tx("approve controller", b, req).await?;
        let req = token
            .approve(d.escrow, U256::MAX)
            .into_transaction_request();
        demo.tx("approve escrow (dispute bonds)", b, req).await?;
        let req = ctl
            .buyCredits(ct(20_000), U256::from(1), b)
            .into_transaction_request();
        demo.tx("buyCredits", b, req).await?;
    }

    // ---- epoch 0 ----
    demo.step("epoch 0: approve early, dispute x2, timeout, cancel");
    demo.full_job("approved early", b1, p1, 8, 7_200, 5_400, 2)
        .await?;
    let j_final = demo
        .create("finalised after window", b2, p2, 4, 3_600, 3)
        .await?;
    demo.accept(j_final, p2).await?;
    demo.submit(j_final, p2, 3_000).await?;
    let j_upheld = demo
        .create("disputed, upheld (slash+jail)", b1, p3, 2, 3_600, 2)
        .await?;
    demo.accept(j_upheld, p3).await?;
    demo.submit(j_upheld, p3, 3_600).await?;
    let req = esc
        .disputeResult(j_upheld, keccak256("evidence: wrong output"))
        .into_transaction_request();
    demo.tx("disputeResult (upheld)", b1, req).await?;
    let j_rejected = demo
        .create("disputed, rejected (bond burned)", b2, p1, 8, 3_600, 2)
        .await?;
    demo.accept(j_rejected, p1).await?;
    demo.submit(j_rejected, p1, 3_600).await?;
    let req = esc
        .disputeResult(j_rejected, keccak256("evidence: frivolous"))
        .into_transaction_request();
    demo.tx("disputeResult (rejected)", b2, req).await?;
    let req = esc
        .resolveDispute(j_upheld, true)
        .into_transaction_request();
    demo.tx("resolveDispute(at fault)", d.arbitrator, req)
        .await?;
    let req = esc
        .resolveDispute(j_rejected, false)
        .into_transaction_request();
    demo.tx("resolveDispute(not at fault)", d.arbitrator, req)
        .await?;
    ensure!(
        !reg.isEligible(p3).call().await?,
        "the provider found at fault should be jailed"
    );
    let j_timeout = demo.create("timeout", b1, p2, 4, 3_600, 2).await?;
    demo.accept(j_timeout, p2).await?;
    let j_cancel = demo
        .create("cancelled", b2, Address::ZERO, 1, 3_600, 1)
        .await?;
    let req = esc.cancelJob(j_cancel).into_transaction_request();
    demo.tx("cancelJob", b2, req).await?;

    // ---- epoch 1 ----
    demo.step("time travel → epoch 1: finalise after window, two more jobs");
    demo.advance(3_700).await?;
    let req = esc.finalize(j_final).into_transaction_request();
    demo.tx("finalize (after window)", me, req).await?;
    demo.full_job("approved", b2, p1, 8, 3_600, 3_600, 3)
        .await?;
    demo.full_job("approved", b1, p2, 4, 10_800, 7_200, 2)
        .await?;

    // ---- epoch 2 ----
    demo.step("time travel → epoch 2: timeout claimed, more jobs, top-up");
    demo.advance(3_600).await?;
    let req = esc.claimTimeout(j_timeout).into_transaction_request();
    demo.tx("claimTimeout", b1, req).await?;
    let req = ctl
        .buyCredits(ct(10_000), U256::from(1), b1)
        .into_transaction_request();
    demo.tx("buyCredits (top-up)", b1, req).await?;
    demo.full_job("approved", b1, p1, 8, 3_600, 1_800, 4)
        .await?;
    demo.full_job("approved", b2, p2, 4, 7_200, 7_200, 2)
        .await?;
    let j_open = demo
        .create("open to any provider", b2, Address::ZERO, 2, 3_600, 2)
        .await?;
    demo.accept(j_open, p1).await?;
    demo.submit(j_open, p1, 3_600).await?;
    demo.approve(j_open, b2).await?;

    // ---- epoch 3 ----
    demo.step("time travel → epoch 3: finalise epochs 0-2, claim rewards");
    demo.advance(3_600).await?;
    demo.finalize_and_claim(&[p1, p2, p3]).await?;
    demo.full_job("approved", b1, p2, 4, 3_600, 3_600, 2)
        .await?;

    // ---- epoch 4 ----
    demo.step("time travel → epoch 4: finalise epoch 3, claim");
    demo.advance(3_600).await?;
    demo.finalize_and_claim(&[p1, p2, p3]).await?;
    demo.snapshot().await?;

    // ---- tables and reconciliation ----
    demo.step("reading back and reconciling");
    let last = em.nextEpochToFinalize().call().await?.to::<u64>();
    let mut rows = Vec::new();
    for e in 0..=last {
        let c = ctl.epochStats(U256::from(e)).call().await?;
        let s = em.epochStats(U256::from(e)).call().await?;
        let (supply, cr) = demo
            .snapshots
            .range(..=e)
            .next_back()
            .map(|(_, v)| *v)
            .unwrap_or_default();
        rows.push(EpochRow {
            epoch: e,
            burned: c.burned,
            reminted: c.reminted,
            minted_from_reserve: c.mintedFromReserve,
            emitted: s.emitted,
            fees_burned: c.feesBurned,
            work: s.work,
            supply,
            collateral_ratio_wad: cr,
        });
    }
    let cs = ctl.supplyStats().call().await?;
    let es = em.supplyStats().call().await?;
    let total_supply = token.totalSupply().call().await?;
    let sum = |f: fn(&EpochRow) -> U256| rows.iter().map(f).fold(U256::ZERO, |a, b| a + b);
    ensure!(
        sum(|r| r.burned) == cs.burned,
        "Σ burned {} != controller burned {}",
        sum(|r| r.burned),
        cs.burned
    );
    ensure!(
        sum(|r| r.reminted) == cs.reminted,
        "Σ reminted != controller reminted"
    );
    ensure!(
        sum(|r| r.minted_from_reserve) == cs.mintedFromReserve,
        "Σ mintedFromReserve != controller mintedFromReserve"
    );
    ensure!(
        cs.mintedFromReserve == es.drawn,
        "controller mintedFromReserve {} != emissions drawn {}",
        cs.mintedFromReserve,
        es.drawn
    );
    ensure!(
        sum(|r| r.fees_burned) == cs.retired,
        "Σ fees burned {} != controller retired {}",
        sum(|r| r.fees_burned),
        cs.retired
    );
    ensure!(
        sum(|r| r.emitted) == es.emitted,
        "Σ emitted != emissions emitted"
    );
    ensure!(
        es.emitted + es.drawn + es.reserve == es.initialReserve,
        "emitted + drawn + reserve != initial reserve"
    );
    let burn_budget = ctl.burnBudget().call().await?;
    ensure!(
        cs.reminted + cs.retired + burn_budget == cs.burned,
        "reminted + retired + burnBudget != burned"
    );
    let genesis = ct(GENESIS_SUPPLY_CT);
    ensure!(
        es.initialReserve == token.cap().call().await? - genesis,
        "initial reserve != cap - genesis supply"
    );

    // Supply from events.
    let p = &demo.chain.provider;
    let (mut minted, mut burned, mut slash_burned_logs, mut bond_burned_logs, mut buyer_burns) =
        (U256::ZERO, U256::ZERO, U256::ZERO, U256::ZERO, U256::ZERO);
    for t in events::<IComputeToken::Transfer>(p, d.token).await? {
        if t.from == Address::ZERO {
            minted += t.value;
        }
        if t.to == Address::ZERO {
            burned += t.value;
            if t.from == d.registry {
                slash_burned_logs += t.value;
            } else if t.from == d.escrow {
                bond_burned_logs += t.value;
            } else {
                buyer_burns += t.value;
            }
        }
    }
    let total = |amounts: Vec<U256>| amounts.into_iter().fold(U256::ZERO, |a, b| a + b);
    let slash_burned = total(
        events::<IProviderRegistry::Slashed>(p, d.registry)
            .await?
            .into_iter()
            .map(|e| e.burned)
            .collect(),
    );
    let bond_burned = total(
        events::<IJobEscrow::BondReleased>(p, d.escrow)
            .await?
            .into_iter()
            .filter(|e| e.burned)
            .map(|e| e.amount)
            .collect(),
    );
    let treasury_emission = total(
        events::<IEmissions::EpochFinalized>(p, d.emissions)
            .await?
            .into_iter()
            .map(|e| e.treasuryAmount)
            .collect(),
    );
    let rewards_claimed = total(
        events::<IEmissions::RewardsClaimed>(p, d.emissions)
            .await?
            .into_iter()
            .map(|e| e.amount)
            .collect(),
    );
    // The constructor's genesis mint is a Transfer from zero too.
    ensure!(minted >= genesis, "missing the genesis mint event");
    let minted = minted - genesis;
    ensure!(
        genesis + minted - burned == total_supply,
        "genesis + minted - burned (events) != totalSupply"
    );
    ensure!(
        buyer_burns == cs.burned,
        "CT burned by buyers (events) {} != controller burned {}",
        buyer_burns,
        cs.burned
    );
    ensure!(
        slash_burned_logs == slash_burned,
        "slash burns: Transfer events != Slashed events"
    );
    ensure!(
        bond_burned_logs == bond_burned,
        "bond burns: Transfer events != BondReleased events"
    );
    ensure!(
        minted == cs.reminted + cs.mintedFromReserve + treasury_emission + rewards_claimed,
        "minted {} != reminted {} + fromReserve {} + treasury emission {} + rewards {}",
        minted,
        cs.reminted,
        cs.mintedFromReserve,
        treasury_emission,
        rewards_claimed
    );
    ensure!(
        total_supply
            == genesis - cs.burned
                + cs.reminted
                + cs.mintedFromReserve
                + treasury_emission
                + rewards_claimed
                - slash_burned
                - bond_burned,
        "totalSupply does not reconcile"
    );
    ensure!(
        slash_burned > U256::ZERO && bond_burned > U256::ZERO && rewards_claimed > U256::ZERO,
        "expected a slash, a burned bond and claimed rewards"
    );

    let mut accounts = Vec::new();
    for (name, a) in std::iter::once(("deployer/treasury", me))
        .chain(names.iter().copied().zip(addrs.iter().copied()))
    {
        accounts.push(AccountRow {
            name: name.to_string(),
            address: a,
            ct: token.balanceOf(a).call().await?,
            credits: ctl.creditBalanceOf(a).call().await?,
            locked_credits: ctl.lockedCreditsOf(a).call().await?,
            active_stake: reg.activeStake(a).call().await?,
            locked_stake: reg.lockedStake(a).call().await?,
            eligible: reg.isEligible(a).call().await?,
        });
    }
    let mut jobs = Vec::new();
    for (id, scenario, r, pr) in demo.jobs.clone() {
        let j = esc.job(id).call().await?;
        jobs.push(JobRow {
            id,
            scenario,
            requester: demo.name(r),
            provider: demo.name(if pr.is_zero() { j.provider } else { pr }),
            state: j.state,
        });
    }
    ensure!(jobs.len() >= 10, "expected at least 10 jobs");
    let report = DemoReport {
        chain_id: demo.chain.chain_id,
        deployment: d.clone(),
        epochs: rows,
        accounts,
        jobs,
        totals: Totals {
            controller_supply_stats: [
                cs.burned,
                cs.reminted,
                cs.mintedFromReserve,
                cs.retired,
                cs.owed,
            ],
            emissions_supply_stats: [es.initialReserve, es.reserve, es.emitted, es.drawn],
            total_supply,
            genesis_supply: genesis,
            minted_events: minted,
            burned_events: burned,
            slash_burned,
            bond_burned,
            treasury_emission,
            rewards_claimed,
        },
        transactions: demo.chain.sent.len(),
        gas_used: demo.chain.sent.iter().map(|s| s.2).sum(),
        wall_time_ms: started.elapsed().as_millis(),
    };
    demo.chain.progress.done();
    if opts.tables {
        print_report(&report);
    }
    if let Some(path) = &opts.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)? + "\n")
            .wrap_err_with(|| format!("writing {}", path.display()))?;
        if opts.tables {
            println!("report written to {}", path.display());
        }
    }
    if report.epochs.is_empty() {
        bail!("no epochs");
    }
    Ok(report)
}

const STATES: [&str; 10] = [
    "None",
    "Open",
    "Running",
    "Submitted",
    "Completed",
    "Cancelled",
    "Disputed",
    "Refunded",
    "Expired",
    "?",
];

/// Every `E` log `address` emitted since block 0, decoded; a log that does not decode is an error
/// (the reconciliation must not skip one).
async fn events<E: SolEvent>(p: &impl Provider, address: Address) -> eyre::Result<Vec<E>> {
    let logs = p
        .get_logs(
            &Filter::new()
                .address(address)
                .event_signature(E::SIGNATURE_HASH)
                .from_block(0),
        )
        .await?;
    logs.iter()
        .map(|l| Ok(E::decode_log_data(l.data())?))
        .collect()
}

/// Prints the tables of a [`DemoReport`].
pub fn print_report(r: &DemoReport) {
    println!(
        "\nPer-epoch supply (CT; credits in USD; epoch length {} s)",
        r.deployment
            .parameters
            .get("emissions")
            .and_then(|m| m.get("epochLength"))
            .cloned()
            .unwrap_or_default()
    );
    println!(
        "{:>5} {:>14} {:>14} {:>14} {:>16} {:>12} {:>12} {:>18} {:>14}",
        "epoch",
        "burned",
        "reminted",
        "from reserve",
        "emitted",
        "fees burned",
        "work (USD)",
        "supply",
        "collat. ratio"
    );
    let mut tot = [U256::ZERO; 6];
    for e in &r.epochs {
        println!(
            "{:>5} {:>14} {:>14} {:>14} {:>16} {:>12} {:>12} {:>18} {:>14}",
            e.epoch,
            fmt_ct(e.burned),
            fmt_ct(e.reminted),
            fmt_ct(e.minted_from_reserve),
            fmt_ct(e.emitted),
            fmt_ct(e.fees_burned),
            fmt_units(e.work, 6),
            fmt_ct(e.supply),
            if e.collateral_ratio_wad > U256::from(u128::MAX) {
                "max".to_string()
            } else {
                fmt_units(e.collateral_ratio_wad, 18)
            }
        );
        for (t, v) in tot.iter_mut().zip([
            e.burned,
            e.reminted,
            e.minted_from_reserve,
            e.emitted,
            e.fees_burned,
            e.work,
        ]) {
            *t += v;
        }
    }
    println!(
        "{:>5} {:>14} {:>14} {:>14} {:>16} {:>12} {:>12} {:>18}",
        "Σ",
        fmt_ct(tot[0]),
        fmt_ct(tot[1]),
        fmt_ct(tot[2]),
        fmt_ct(tot[3]),
        fmt_ct(tot[4]),
        fmt_units(tot[5], 6),
        fmt_ct(r.totals.total_supply)
    );
    let t = &r.totals;
    println!(
        "reconciled: Σ rows = controller supplyStats (burned {}, reminted {}, fromReserve {}, retired {}) = emissions supplyStats (emitted {}, drawn {}); \
         totalSupply {} = genesis {} − burned + reminted + fromReserve + treasury emission {} + rewards claimed {} − slash burns {} − bond burns {}",
        fmt_ct(t.controller_supply_stats[0]),
        fmt_ct(t.controller_supply_stats[1]),
        fmt_ct(t.controller_supply_stats[2]),
        fmt_ct(t.controller_supply_stats[3]),
        fmt_ct(t.emissions_supply_stats[2]),
        fmt_ct(t.emissions_supply_stats[3]),
        fmt_ct(t.total_supply),
        fmt_ct(t.genesis_supply),
        fmt_ct(t.treasury_emission),
        fmt_ct(t.rewards_claimed),
        fmt_ct(t.slash_burned),
        fmt_ct(t.bond_burned),
    );
    println!("\nJobs");
    for j in &r.jobs {
        println!(
            "  #{:<3} {:<34} {:<10} → {:<15} {}",
            j.id,
            j.scenario,
            j.requester,
            j.provider,
            STATES[(j.state as usize).min(9)]
        );
    }
    println!("\nAccounts");
    println!(
        "  {:<18} {:>20} {:>12} {:>10} {:>12} {:>10} {:<8}",
        "account", "CT", "credits", "locked", "stake", "locked", "eligible"
    );
    for a in &r.accounts {
        println!(
            "  {:<18} {:>20} {:>12} {:>10} {:>12} {:>10} {}",
            a.name,
            fmt_ct(a.ct),
            fmt_units(a.credits, 6),
            fmt_units(a.locked_credits, 6),
            fmt_ct(a.active_stake),
            fmt_ct(a.locked_stake),
            a.eligible
        );
    }
    println!(
        "\n{} transactions, {} gas, {:.1} s",
        r.transactions,
        r.gas_used,
        r.wall_time_ms as f64 / 1000.0
    );
}
