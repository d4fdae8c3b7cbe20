//! Adversarial economics against the real contracts on the dev chain (issue 13): the wash strategy
//! (a sybil requester/provider pair self-dealing jobs to farm epoch emissions) at honest volumes
//! W ∈ {0, 1k, 100k, 1M} USD per day, and the credit put (buy credits, a 33% price fall,
//! self-settle). Each row runs in its own day-long epoch of one deployment with the production epoch
//! length (86,400 s) and default parameters; the price is 1.50 USD per CT.
//!
//! For each row the bench prints what the attacker gained in CT and USD under the v2 rules, measured
//! from the chain (CT burned for the wash credits, CT received for the wash settlement, the epoch's
//! work reward the sybil provider claimed), and what the v1 rule would have paid, from its formula:
//! the epoch's provider share `R = E × (1 − treasuryEmissionBps)` was split pro rata to settled net
//! work, so a wash volume `V` against honest volume `W` earned `R × V / (V + W)` for a cost of
//! `c × V` (`c = mintSpread + fee × (1 − mintSpread)`, the share of each wash dollar lost to spread
//! and fee), maximised at `V* = √(R × W / c) − W` (a dust job when `W = 0`). The v2 row plays that
//! same `V*` (the best the old rule allowed) on chain.
//!
//! Stake rewards are not counted as wash profit: any staker earns them, washing or not, and a wash
//! only moves emission from the stake pool to the (fee-capped) work pool, which lowers the
//! attacker's own stake share. They are printed separately.
//!
//! `cargo run -p compute-market-bench --release -- attack` (about a minute in release). The e2e test
//! `tests/e2e/attacks.rs::wash_in_a_quiet_epoch_loses` and the property test
//! `contracts/system-tests/tests/properties.rs::self_dealt_jobs_never_pay` check the same rule in CI.
use alloy::network::TransactionBuilder;
use alloy::primitives::{keccak256, Address, I256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::sol_types::SolEvent;
use eyre::{eyre, Result};

use crate::env::{b32, bench_key, Env, CT, USD};
use compute_market_scripts::bindings::{IBmeController, IEmissions, IJobEscrow};
use compute_market_scripts::chain::first_event;

/// One day (the production epoch length).
pub const DAY: u64 = 86_400;
/// The bench's CT price: 1.50 USD (8-decimal feed answer).
pub const PRICE_8: i64 = 150_000_000;
/// The credit put's price after the fall: 1.00 USD (−33%).
pub const FALLEN_PRICE_8: i64 = 100_000_000;
/// Honest volumes played, USD per day.
pub const HONEST_USD: [u64; 4] = [0, 1_000, 100_000, 1_000_000];
/// The dust job of a quiet epoch: 1 GPU, 1 hour, 41 USD.
pub const DUST_USD: u64 = 41;
/// CT the credit put's buyer burns.
pub const PUT_TOKENS: u64 = 100_000;
/// Gas limit of every bench transaction (estimates run one block early; see scripts' `Chain::send`).
const GAS: u64 = 10_000_000;

/// One wash row.
#[derive(Clone, Debug)]
pub struct WashRow {
    /// Honest settled volume (USD/day).
    pub honest_usd: u64,
    /// Wash volume played (USD): the v1 optimum, or the dust job.
    pub wash_usd: u64,
    /// Emission of the epoch (CT wei).
    pub emitted: U256,
    /// Its work pool and stake pool (CT wei).
    pub work_pool: U256,
    /// Stake pool.
    pub stake_pool: U256,
    /// CT the sybil pair burned for the wash credits.
    pub wash_cost: U256,
    /// CT the sybil provider received for the wash settlement.
    pub wash_paid: U256,
    /// Work reward the sybil provider claimed for the epoch.
    pub sybil_work_reward: U256,
    /// Work reward the honest provider claimed for the epoch.
    pub honest_work_reward: U256,
    /// Stake rewards the sybil provider claimed with it (any staker's; not wash profit).
    pub sybil_stake_rewards: U256,
    /// v1 formula: the attacker's profit (USD) and what honest providers kept of the provider share.
    pub v1_profit_usd: f64,
    /// v1 formula: honest providers' emission (USD).
    pub v1_honest_usd: f64,
}

impl WashRow {
    /// v2 profit in CT wei (negative: a loss): reward + settlement − burn.
    pub fn profit_ct(&self) -> f64 {
        wei_to_ct(self.sybil_work_reward + self.wash_paid) - wei_to_ct(self.wash_cost)
    }
}

/// The credit put, measured and by the v1 rule.
#[derive(Clone, Debug)]
pub struct PutRow {
    /// CT burned at 1.50 USD.
    pub burned: U256,
    /// CT the self-settlement paid at 1.00 USD at once (budget + reserve draw).
    pub paid: U256,
    /// CT left as an IOU at the back of the line.
    pub owed: U256,
    /// Of `paid`, CT drawn from the emission reserve.
    pub from_reserve: U256,
    /// The epoch's draw cap.
    pub draw_cap: U256,
    /// v1: what the settlement paid (all at once, from others' burns and then the whole reserve).
    pub v1_paid: U256,
}

/// Everything the bench measured.
#[derive(Clone, Debug)]
pub struct AttackReport {
    /// Wash rows, one per honest volume.
    pub wash: Vec<WashRow>,
    /// The credit put.
    pub put: PutRow,
    /// `c`: the share of each wash dollar lost to spread and fee.
    pub cost_per_usd: f64,
}

fn wei_to_ct(v: U256) -> f64 {
    // Exact enough for a table: CT amounts here are < 2^53 × 1e-6.
    (v / U256::from(1_000_000_000_000u64)).to::<u128>() as f64 / 1e6
}

fn ct(n: u64) -> U256 {
    U256::from(n) * CT
}

struct Bench<'a> {
    env: &'a Env,
}

impl Bench<'_> {
    async fn send(&self, label: &str, tx: TransactionRequest) -> Result<TransactionReceipt> {
        self.env.send(label, tx.with_gas_limit(GAS)).await
    }

    async fn set_price(&self, answer_8: i64) -> Result<()> {
        let tx = self
            .env
            .feed()
            .updateAnswer(I256::try_from(answer_8)?)
            .from(self.env.acc.admin)
            .into_transaction_request();
        self.send("feed.updateAnswer", tx).await.map(|_| ())
    }

    /// Moves the clock to `at` (unix seconds) and mines a block.
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

    async fn now(&self) -> Result<u64> {
        Ok(self
            .env
            .provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await?
            .map(|b| b.header.timestamp)
            .unwrap_or_default())
    }

    async fn balance(&self, who: Address) -> Result<U256> {
        Ok(self.env.token().balanceOf(who).call().await?)
    }

    async fn fund(&self, who: Address, tokens: U256) -> Result<()> {
        self.env.fund_eth(who).await?;
        let tx = self
            .env
            .token()
            .transfer(who, tokens)
            .from(self.env.acc.admin)
            .into_transaction_request();
        self.send("fund CT", tx).await.map(|_| ())
    }

    /// Registers `who` (1 GPU) and stakes `stake` (funded here).
    async fn provider(&self, who: Address, stake: U256) -> Result<()> {
        self.fund(who, stake).await?;
        let reg = self.env.registry();
        self.send(
            "register",
            reg.register(b32("H100"), 1, 80, b32("bench"), "ipfs://bench".into())
                .from(who)
                .into_transaction_request(),
        )
        .await?;
        self.send(
            "approve registry",
            self.env
                .token()
                .approve(self.env.d.registry, U256::MAX)
                .from(who)
                .into_transaction_request(),
        )
        .await?;
        self.send(
            "stake",
            reg.stake(stake).from(who).into_transaction_request(),
        )
        .await
        .map(|_| ())
    }

    /// `who` burns `tokens` (funded here) for credits.
    async fn buy(&self, who: Address, tokens: U256) -> Result<()> {
        self.fund(who, tokens).await?;
        self.send(
            "approve controller",
            self.env
                .token()
                .approve(self.env.d.controller, U256::MAX)
                .from(who)
                .into_transaction_request(),
        )
        .await?;
        self.send(
            "buyCredits",
            self.env
                .controller()
                .buyCredits(tokens, U256::from(1), who)
                .from(who)
                .into_transaction_request(),
        )
        .await
        .map(|_| ())
    }

    /// A 1-GPU, 1-hour job of `usd` from `req` to `prov`, run and approved; returns the approval's
    /// receipt.
    async fn job(&self, req: Address, prov: Address, usd: u64) -> Result<TransactionReceipt> {
        let e = self.env.escrow();
        let rc = self
            .send(
                "createJob",
                e.createJob(prov, keccak256("spec"), 1, 3_600, U256::from(usd) * USD)
                    .from(req)
                    .into_transaction_request(),
            )
            .await?;
        let id = first_event::<IJobEscrow::JobCreated>(&rc)?.jobId;
        self.send(
            "acceptJob",
            e.acceptJob(id).from(prov).into_transaction_request(),
        )
        .await?;
        self.send(
            "submitResult",
            e.submitResult(id, keccak256("out"), 3_600)
                .from(prov)
                .into_transaction_request(),
        )
        .await?;
        self.send(
            "approveResult",
            e.approveResult(id).from(req).into_transaction_request(),
        )
        .await
    }

    /// CT to buy `usd` of credits at [`PRICE_8`] with the spread, plus 1 CT.
    async fn tokens_for(&self, usd: u64) -> Result<U256> {
        let spread: U256 = self
            .env
            .controller()
            .parameter(b32("mintSpreadBps"))
            .call()
            .await?;
        // usd / 1.5 / (1 − spread) CT.
        Ok(
            U256::from(usd) * CT * U256::from(2u64) * U256::from(10_000u64)
                / (U256::from(3u64) * (U256::from(10_000u64) - spread))
                + CT,
        )
    }

    /// Finalises every ended epoch, then `who` claims work rewards of `epoch` (plus stake rewards):
    /// returns (work reward, stake rewards).
    async fn claim(&self, who: Address, epoch: u64) -> Result<(U256, U256)> {
        let em = self.env.emissions();
        let rc = self
            .send(
                "claimRewards",
                em.claimRewards(vec![U256::from(epoch)])
                    .from(who)
                    .into_transaction_request(),
            )
            .await?;
        let mut work = U256::ZERO;
        let mut stake = U256::ZERO;
        for l in rc.inner.logs() {
            if let Ok(e) = IEmissions::RewardsClaimed::decode_log_data(l.data()) {
                work += e.amount;
            } else if let Ok(e) = IEmissions::StakeRewardsClaimed::decode_log_data(l.data()) {
                stake += e.amount;
            }
        }
        Ok((work, stake))
    }

    async fn finalize(&self) -> Result<()> {
        let tx = self
            .env
            .emissions()
            .finalizeEpochs(U256::from(64))
            .from(self.env.acc.eve)
            .into_transaction_request();
        self.send("finalizeEpochs", tx).await.map(|_| ())
    }
}

/// The keys the bench plays with (add them to the wallet: [`Env::add_signers`]).
pub fn keys() -> Vec<alloy::signers::local::PrivateKeySigner> {
    let mut keys = Vec::new();
    for epoch in 1..=HONEST_USD.len() as u64 {
        for tag in ["wash-req", "wash-prov", "honest-req", "honest-prov"] {
            keys.push(bench_key(tag, epoch));
        }
    }
    keys.push(bench_key("put-req", 0));
    keys.push(bench_key("put-prov", 0));
    keys
}

/// Runs the wash rows and the credit put on `env` (deployed with 86,400-s epochs:
/// `Env::start_with(.., Some(86_400))`).
pub async fn run(env: &Env) -> Result<AttackReport> {
    let b = Bench { env };
    let em = env.emissions();
    let ctl = env.controller();
    let genesis = em.genesisTime().call().await?.to::<u64>();
    let length = em.epochLength().call().await?.to::<u64>();
    if length != DAY {
        return Err(eyre!(
            "the attack bench needs 86,400-s epochs, got {length}"
        ));
    }
    let spread = ctl
        .parameter(b32("mintSpreadBps"))
        .call()
        .await?
        .to::<u64>() as f64
        / 1e4;
    let fee = ctl.parameter(b32("feeBps")).call().await?.to::<u64>() as f64 / 1e4;
    let treasury = em
        .parameter(b32("treasuryEmissionBps"))
        .call()
        .await?
        .to::<u64>() as f64
        / 1e4;
    let rate = em.parameter(b32("emissionRateWad")).call().await?;
    let c = spread + fee * (1.0 - spread);
    let price = PRICE_8 as f64 / 1e8;

    let mut rows = Vec::new();
    for (i, &w) in HONEST_USD.iter().enumerate() {
        // Each row in its own epoch, starting one minute into it.
        let epoch = 1 + i as u64;
        b.warp_to(genesis + epoch * DAY + 60).await?;
        b.set_price(PRICE_8).await?;
        // Fresh accounts per row: the pair, and an honest pair.
        let (sreq, sprov) = (bench_key("wash-req", epoch), bench_key("wash-prov", epoch));
        let (hreq, hprov) = (
            bench_key("honest-req", epoch),
            bench_key("honest-prov", epoch),
        );
        let (sreq, sprov, hreq, hprov) = (
            sreq.address(),
            sprov.address(),
            hreq.address(),
            hprov.address(),
        );

        // The v1 optimum against the emission this epoch will have.
        let reserve = em.supplyStats().call().await?.reserve;
        let e_ct = wei_to_ct(reserve * rate / U256::from(10u64).pow(U256::from(18)));
        let r_usd = e_ct * (1.0 - treasury) * price;
        let wf = w as f64;
        let v_star = if w == 0 {
            DUST_USD as f64
        } else {
            ((r_usd * wf / c).sqrt() - wf).max(DUST_USD as f64)
        };
        let v = v_star.round() as u64;
        let v1_profit_usd = r_usd * v_star / (v_star + wf) - c * v_star;
        let v1_honest_usd = r_usd * wf / (v_star + wf);

        // Providers: the collateral is 2 × the job's cost in CT, plus the minimum stake.
        let collateral = |usd: u64| ct(usd * 4 / 3 + 6_000);
        b.provider(sprov, collateral(v)).await?;
        if w > 0 {
            b.provider(hprov, collateral(w)).await?;
            let tokens = b.tokens_for(w).await?;
            b.buy(hreq, tokens).await?;
            b.job(hreq, hprov, w).await?;
        }
        // The wash: measure the pair's CT around it.
        let tokens = b.tokens_for(v).await?;
        b.fund(sreq, tokens).await?;
        let before = b.balance(sreq).await? + b.balance(sprov).await?;
        b.send(
            "approve controller",
            env.token()
                .approve(env.d.controller, U256::MAX)
                .from(sreq)
                .into_transaction_request(),
        )
        .await?;
        b.send(
            "buyCredits",
            ctl.buyCredits(tokens, U256::from(1), sreq)
                .from(sreq)
                .into_transaction_request(),
        )
        .await?;
        let rc = b.job(sreq, sprov, v).await?;
        let paid = first_event::<IBmeController::Settled>(&rc)?.tokensPaid;
        let left = b.balance(sreq).await? + b.balance(sprov).await?;
        let wash_cost = before + paid - left;

        // Next epoch: finalise, claim.
        b.warp_to(genesis + (epoch + 1) * DAY + 30).await?;
        b.set_price(PRICE_8).await?;
        b.finalize().await?;
        let (sybil_work_reward, sybil_stake_rewards) = b.claim(sprov, epoch).await?;
        let honest_work_reward = if w > 0 {
            b.claim(hprov, epoch).await?.0
        } else {
            U256::ZERO
        };
        let s = em.epochStats(U256::from(epoch)).call().await?;
        rows.push(WashRow {
            honest_usd: w,
            wash_usd: v,
            emitted: s.emitted,
            work_pool: s.workPool,
            stake_pool: s.stakePool,
            wash_cost,
            wash_paid: paid,
            sybil_work_reward,
            honest_work_reward,
            sybil_stake_rewards,
            v1_profit_usd,
            v1_honest_usd,
        });
    }

    // The credit put: buy at 1.50, fall to 1.00, self-settle in the same epoch.
    let epoch = 1 + HONEST_USD.len() as u64;
    b.warp_to(genesis + epoch * DAY + 60).await?;
    b.set_price(PRICE_8).await?;
    let (preq, pprov) = (
        bench_key("put-req", 0).address(),
        bench_key("put-prov", 0).address(),
    );
    let burned = ct(PUT_TOKENS);
    let credits_usd = (PUT_TOKENS as f64 * price * (1.0 - spread)).floor() as u64;
    b.provider(pprov, ct(credits_usd * 3 + 6_000)).await?;
    b.buy(preq, burned).await?;
    b.set_price(FALLEN_PRICE_8).await?;
    let stats_before = ctl.supplyStats().call().await?;
    let rc = b.job(preq, pprov, credits_usd).await?;
    let paid = first_event::<IBmeController::Settled>(&rc)?.tokensPaid;
    let stats_after = ctl.supplyStats().call().await?;
    let owed = stats_after.owed - stats_before.owed;
    let from_reserve = stats_after.mintedFromReserve - stats_before.mintedFromReserve;
    let draw_cap = em.epochStats(U256::from(epoch)).call().await?.drawCap;
    // v1: net credits at 1.00 USD, all paid at once.
    let net = credits_usd as f64 * (1.0 - fee);
    let v1_paid = U256::from((net * 1e6) as u128) * U256::from(1_000_000_000_000u64);
    Ok(AttackReport {
        wash: rows,
        put: PutRow {
            burned,
            paid,
            owed,
            from_reserve,
            draw_cap,
            v1_paid,
        },
        cost_per_usd: c,
    })
}

fn fmt(v: f64) -> String {
    crate::report::thousands_f(v)
}

/// The markdown tables.
pub fn table(r: &AttackReport) -> String {
    let price = PRICE_8 as f64 / 1e8;
    let mut s = String::new();
    s.push_str(&format!(
        "### Wash trading (sybil requester + provider), one day-long epoch per row, CT at {price:.2} USD\n\n\
         Wash volume = the v1 optimum √(R·W/c) − W (c = {:.4} of each wash dollar lost to spread and fee; a {DUST_USD}-USD \
         dust job when W = 0), played on the dev chain under the v2 rules.\n\n",
        r.cost_per_usd
    ));
    s.push_str("| honest W (USD/day) | wash V (USD) | epoch emission (CT) | work pool (CT) | stake pool (CT) | v2 attacker profit (CT) | v2 attacker profit (USD) | v2 honest work reward (CT) | v1 attacker profit (USD, formula) | v1 honest providers' emission (USD, formula) | sybil stake rewards, not wash profit (CT) |\n");
    s.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for w in &r.wash {
        let p = w.profit_ct();
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            fmt(w.honest_usd as f64),
            fmt(w.wash_usd as f64),
            fmt(wei_to_ct(w.emitted)),
            fmt(wei_to_ct(w.work_pool)),
            fmt(wei_to_ct(w.stake_pool)),
            fmt(p),
            fmt(p * price),
            fmt(wei_to_ct(w.honest_work_reward)),
            fmt(w.v1_profit_usd),
            fmt(w.v1_honest_usd),
            fmt(wei_to_ct(w.sybil_stake_rewards)),
        ));
    }
    let p = &r.put;
    let gain_v2 = wei_to_ct(p.paid) - wei_to_ct(p.burned);
    let gain_v1 = wei_to_ct(p.v1_paid) - wei_to_ct(p.burned);
    s.push_str(&format!(
        "\n### Credit put: burn {} CT at 1.50 USD, price falls to 1.00 USD, self-settle every credit\n\n\
         | rule | paid at once (CT) | of it from the emission reserve (CT) | left as an IOU at the back of the line (CT) | gain at once (CT) | gain (USD at 1.00) |\n\
         |---|---:|---:|---:|---:|---:|\n\
         | v1 (formula: all at once, from others' burns, then the whole reserve) | {} | up to all | 0 | {} | {} |\n\
         | v2 (measured; the epoch's draw cap {} CT) | {} | {} | {} | {} | {} |\n",
        fmt(wei_to_ct(p.burned)),
        fmt(wei_to_ct(p.v1_paid)),
        fmt(gain_v1),
        fmt(gain_v1),
        fmt(wei_to_ct(p.draw_cap)),
        fmt(wei_to_ct(p.paid)),
        fmt(wei_to_ct(p.from_reserve)),
        fmt(wei_to_ct(p.owed)),
        fmt(gain_v2),
        fmt(gain_v2),
    ));
    s
}
