//! `compute-market demo`: the marketplace end to end on a dev chain, with reconciled tables.
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use alloy::network::TransactionBuilder;
use alloy::primitives::{keccak256, Address, B256, I256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use eyre::{bail, ensure, eyre, WrapErr};

mod reconcile;
mod report;

use reconcile::{reconcile, Reconciled};
pub use report::*;

use crate::chain::first_event;
use crate::units::{b32, ct};

use crate::bindings::*;
use crate::deploy::{deploy_on, Chain, DeployOptions, Deployment, FEED_INITIAL_ANSWER};

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
        let ctl = IBmeController::new(self.d.controller, &self.chain.provider);
        let stats = ctl.supplyStats().call().await?;
        let price = ctl.price().call().await?;
        self.snapshots.insert(
            e,
            (
                supply,
                collateral_ratio_wad(stats.burnBudget, price, stats.outstandingCredits),
            ),
        );
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
        let id = first_event::<IJobEscrow::JobCreated>(&r)?.jobId;
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
            let stake = em.earnedStakeRewards(p).call().await?;
            if !epochs.is_empty() || stake > U256::ZERO {
                let n = epochs.len();
                let req = em.claimRewards(epochs).into_transaction_request();
                self.tx(
                    &format!(
                        "claimRewards {} ({n} epochs of work rewards + stake rewards)",
                        self.name(p)
                    ),
                    p,
                    req,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// `buyer` opens a reverse auction for `gpus` GPUs at most $3.00 per GPU-hour.
    async fn auction(
        &mut self,
        scenario: &str,
        buyer: Address,
        gpus: u32,
        dur: u64,
        bid_window: u64,
        requirements: IJobMarket::Requirements,
    ) -> eyre::Result<U256> {
        let req = IJobMarket::new(self.d.market, &self.chain.provider)
            .createAuction(
                keccak256(format!("spec:{scenario}")),
                gpus,
                dur,
                U256::from(3_000_000u64),
                bid_window,
                requirements,
            )
            .into_transaction_request();
        let r = self
            .tx(&format!("createAuction ({scenario})"), buyer, req)
            .await?;
        let id = first_event::<IJobMarket::AuctionCreated>(&r)?.jobId;
        self.jobs
            .push((id, scenario.to_string(), buyer, Address::ZERO));
        Ok(id)
    }

    /// `from` bids `price_usd_cents` (1/100 USD per GPU-hour) in auction `id`.
    async fn bid(&mut self, id: U256, from: Address, price_cents: u64) -> eyre::Result<U256> {
        let price = U256::from(price_cents * 10_000);
        let req = IJobMarket::new(self.d.market, &self.chain.provider)
            .bid(id, price)
            .into_transaction_request();
        self.tx(&format!("bid {id} by {}", self.name(from)), from, req)
            .await?;
        Ok(price)
    }

    /// A bid `from` cannot place: the call must revert; returns the decoded error.
    async fn refused_bid(&self, id: U256, from: Address, price_cents: u64) -> eyre::Result<String> {
        let market = IJobMarket::new(self.d.market, &self.chain.provider);
        match market
            .bid(id, U256::from(price_cents * 10_000))
            .from(from)
            .call()
            .await
        {
            Ok(_) => bail!(
                "{} could bid in auction {id}, which it must not",
                self.name(from)
            ),
            Err(e) => Ok(
                match e.as_decoded_interface_error::<IJobMarket::IJobMarketErrors>() {
                    Some(IJobMarket::IJobMarketErrors::JobMarketNotQualified(q)) => format!(
                        "JobMarketNotQualified(reason {}: {})",
                        q._2,
                        QUALIFICATION.get(q._2 as usize).copied().unwrap_or("?")
                    ),
                    Some(other) => format!("{other:?}"),
                    None => e.to_string(),
                },
            ),
        }
    }
}

/// `JobMarketNotQualified` reason codes (docs/protocol.md §10), by value.
const QUALIFICATION: [&str; 9] = [
    "qualified",
    "not eligible (unregistered, jailed or under-staked)",
    "GPU model",
    "GPU count",
    "VRAM",
    "success rate",
    "completed jobs",
    "active stake",
    "not attested",
];

/// `burnBudget × price / outstandingCredits` in wad (USD of budget per USD of credits); `U256::MAX`
/// when no credits are outstanding. `budget` in CT wei, `price` in USD wad per CT, `credits` in 1e-6
/// USD.
pub fn collateral_ratio_wad(budget: U256, price: U256, credits: U256) -> U256 {
    if credits.is_zero() {
        return U256::MAX;
    }
    budget.saturating_mul(price) / credits.saturating_mul(U256::from(1_000_000_000_000u64))
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
        "provider-l40s",
        "buyer-1",
        "buyer-2",
    ];
    let signers: Vec<PrivateKeySigner> = names
        .iter()
        .map(|n| PrivateKeySigner::from_bytes(&keccak256(format!("compute-market demo {n}"))))
        .collect::<Result<_, _>>()?;
    let addrs: Vec<Address> = signers.iter().map(|s| s.address()).collect();
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
        // The demo sets parameters, feeds prices, arbitrates and attests as the deployer.
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

    let auctions = scenario(&mut demo, me, &addrs).await?;

    let Reconciled {
        epochs,
        accounts,
        jobs,
        totals,
    } = reconcile(&mut demo, me, &names, &addrs).await?;
    let report = DemoReport {
        chain_id: demo.chain.chain_id,
        deployment: d.clone(),
        epochs,
        accounts,
        jobs,
        auctions,
        totals,
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

/// The marketplace the demo plays: funding, four providers (two attested), two buyers, then five
/// epochs of jobs — approvals, disputes both ways, a timeout, a cancellation, two reverse auctions
/// (one awarded by its requester, one closed by anyone) — with epoch finalisation and reward claims.
/// `addrs` = the four providers then the two buyers. Returns the auctions' rows.
async fn scenario(
    demo: &mut Demo,
    me: Address,
    addrs: &[Address],
) -> eyre::Result<Vec<AuctionRow>> {
    let d = demo.d.clone();
    let (p1, p2, p3, p4, b1, b2) = (addrs[0], addrs[1], addrs[2], addrs[3], addrs[4], addrs[5]);
    // ---- funding ----
    demo.step("funding participants (ETH for gas, CT from the genesis holder)");
    for &a in addrs {
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
    let market = IJobMarket::new(d.market, demo.chain.provider.clone());
    for (a, amount) in [
        (p1, 20_000),
        (p2, 20_000),
        (p3, 20_000),
        (p4, 20_000),
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
    demo.step("providers register and stake; the attester attests two of them");
    for (p, model, gpus, vram, region) in [
        (p1, "NVIDIA H100 SXM", 8u32, 80u32, "us-east"),
        (p2, "NVIDIA A100 PCIe", 4, 40, "eu-west"),
        (p3, "NVIDIA RTX 4090", 2, 24, "ap-south"),
        (p4, "NVIDIA L40S", 4, 48, "us-west"),
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
        // The H100 and A100 hosts pass hardware attestation (a TEE/NVIDIA report digest); the
        // L40S host does not, so auctions that require attestation refuse its bids.
        if p == p1 || p == p2 {
            let now = demo
                .chain
                .provider
                .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
                .await?
                .map(|b| b.header.timestamp)
                .unwrap_or_default();
            let req = market
                .attest(
                    p,
                    b32(model),
                    gpus,
                    vram,
                    keccak256(format!("attestation report {model}")),
                    now + 30 * 86_400,
                )
                .into_transaction_request();
            let attester = d.attester;
            demo.tx(&format!("attest {model}"), attester, req).await?;
        }
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
    // The rejected dispute leaves the job Submitted with its window closed: anyone finalises it.
    let req = esc.finalize(j_rejected).into_transaction_request();
    demo.tx("finalize (dispute rejected)", me, req).await?;
    let j_timeout = demo.create("timeout", b1, p2, 4, 3_600, 2).await?;
    demo.accept(j_timeout, p2).await?;
    let j_cancel = demo
        .create("cancelled", b2, Address::ZERO, 1, 3_600, 1)
        .await?;
    let req = esc.cancelJob(j_cancel).into_transaction_request();
    demo.tx("cancelJob", b2, req).await?;

    // ---- epoch 1 ----
    demo.step("time travel → epoch 1: finalise after window, two jobs, two reverse auctions");
    demo.advance(3_700).await?;
    let req = esc.finalize(j_final).into_transaction_request();
    demo.tx("finalize (after window)", me, req).await?;
    demo.full_job("approved", b2, p1, 8, 3_600, 3_600, 3)
        .await?;
    demo.full_job("approved", b1, p2, 4, 10_800, 7_200, 2)
        .await?;
    let mut auctions = Vec::new();
    // Auction A: open requirements, three bids; the requester picks a bid during the window.
    let open_req = IJobMarket::Requirements::any();
    let a_id = demo
        .auction("auction A: requester awards", b1, 4, 3_600, 300, open_req)
        .await?;
    let mut bids = Vec::new();
    for (p, cents) in [(p2, 240), (p1, 260), (p4, 250)] {
        bids.push((demo.name(p), demo.bid(a_id, p, cents).await?));
    }
    let req = market.awardBid(a_id, p4).into_transaction_request();
    demo.tx(
        &format!("awardBid {a_id} (requester picks provider-l40s)"),
        b1,
        req,
    )
    .await?;
    demo.submit(a_id, p4, 3_600).await?;
    demo.approve(a_id, b1).await?;
    auctions.push(AuctionRow {
        id: a_id,
        scenario: "open requirements; requester awards during the window".into(),
        bids,
        refused: Vec::new(),
        winner: (demo.name(p4), U256::from(2_500_000u64), true),
    });
    // Auction B: attested hardware with a clean record only; anyone closes it after the window
    // and the lowest qualifying bid wins.
    let strict_req = IJobMarket::Requirements {
        gpuModel: B256::ZERO,
        minVramGiB: 40,
        minSuccessBps: 9_000,
        minCompletedJobs: 1,
        minActiveStake: ct(5_000),
        attestedOnly: true,
    };
    let b_id = demo
        .auction(
            "auction B: attested only, closed by anyone",
            b2,
            4,
            3_600,
            300,
            strict_req,
        )
        .await?;
    let mut refused = Vec::new();
    for p in [p4, p3] {
        refused.push((demo.name(p), demo.refused_bid(b_id, p, 200).await?));
    }
    let mut bids = Vec::new();
    for (p, cents) in [(p1, 300), (p2, 280)] {
        bids.push((demo.name(p), demo.bid(b_id, p, cents).await?));
    }
    demo.advance(400).await?;
    let winner = market.closeAuction(b_id).call().await?;
    let req = market.closeAuction(b_id).into_transaction_request();
    demo.tx(&format!("closeAuction {b_id} (by anyone)"), me, req)
        .await?;
    ensure!(
        winner == p2,
        "auction B should go to the lowest qualifying bid"
    );
    demo.submit(b_id, p2, 3_000).await?;
    demo.approve(b_id, b2).await?;
    auctions.push(AuctionRow {
        id: b_id,
        scenario: "attested, ≥ 90% success, ≥ 1 completed job; closed by anyone".into(),
        bids,
        refused,
        winner: (demo.name(p2), U256::from(2_800_000u64), false),
    });

    // ---- epoch 2 ----
    demo.step("time travel → epoch 2: timeout claimed, more jobs, top-up, treasury claim");
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
    let req = ctl.claimTreasury().into_transaction_request();
    demo.tx("claimTreasury (the treasury's fee share)", me, req)
        .await?;

    // ---- epoch 3 ----
    demo.step("time travel → epoch 3: finalise epochs 0-2, claim work and stake rewards");
    demo.advance(3_600).await?;
    let providers = [p1, p2, p3, p4];
    demo.finalize_and_claim(&providers).await?;
    demo.full_job("approved", b1, p2, 4, 3_600, 3_600, 2)
        .await?;

    // ---- epoch 4 ----
    demo.step("time travel → epoch 4: finalise epoch 3, claim");
    demo.advance(3_600).await?;
    demo.finalize_and_claim(&providers).await?;
    demo.snapshot().await?;

    Ok(auctions)
}
