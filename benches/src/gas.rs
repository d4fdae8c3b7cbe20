//! Gas per user-facing operation: every state-changing public function of the contracts, from the
//! receipts of one fixed scenario on a fresh chain (deterministic: same inputs, same gas), plus the
//! ERC-20 operations on the OpenZeppelin token deployed on the same chain.
use std::collections::BTreeMap;

use alloy::primitives::{keccak256, Address, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use eyre::{eyre, Result};

use crate::env::{b32, bench_key, Env, BIDDERS, CT, USD};
use compute_market_scripts::bindings::IJobMarket;

/// operation → gas used (receipt `gasUsed`, intrinsic cost included).
pub type GasTable = BTreeMap<String, u64>;

/// Operations that cannot be reached in the scenario, with the reason.
pub const UNREACHABLE: &[(&str, &str)] = &[(
    "controller.claimOwed",
    "needs an IOU, which only exists once the 350M CT emission reserve is exhausted; not reachable on a fresh chain in a benchmark",
)];

/// Records operations as they are sent.
pub struct Recorder<'a> {
    env: &'a Env,
    /// What was measured.
    pub table: GasTable,
    /// Operations to re-run with the engine's gas accounting ([`crate::breakdown::replay`]).
    profile: &'a [&'a str],
    /// Their gas profiles.
    pub profiles: BTreeMap<String, devnet_engine::GasProfile>,
}

impl<'a> Recorder<'a> {
    /// A recorder on `env`.
    pub fn new(env: &'a Env) -> Self {
        Self::profiling(env, &[])
    }

    /// A recorder on `env` that also profiles the operations named in `profile`.
    pub fn profiling(env: &'a Env, profile: &'a [&'a str]) -> Self {
        Self {
            env,
            table: GasTable::new(),
            profile,
            profiles: BTreeMap::new(),
        }
    }

    /// Sends `tx` and records its gas as `name`.
    ///
    /// The clock first moves one second (`evm_increaseTime(1)`), so no measured transaction shares a
    /// timestamp with the one before it: otherwise a timestamp written twice in the same second (e.g.
    /// an unbonding request's `releaseAt` in a reused slot) costs a no-op SSTORE in one run and a real
    /// one in the next, and the table would depend on the wall clock.
    pub async fn op(&mut self, name: &str, tx: TransactionRequest) -> Result<u64> {
        let _: serde_json::Value = self
            .env
            .provider
            .raw_request("evm_increaseTime".into(), (1u64,))
            .await?;
        let rc = self.env.send(name, tx).await?;
        if self.table.insert(name.to_string(), rc.gas_used).is_some() {
            return Err(eyre!("operation {name} measured twice"));
        }
        if self.profile.contains(&name) {
            let p = crate::breakdown::replay(&self.env.node, rc.transaction_hash)
                .map_err(|e| eyre!("{name}: {e}"))?;
            if p.gas_used != rc.gas_used {
                return Err(eyre!(
                    "{name}: the profiled replay used {} gas, the receipt {}",
                    p.gas_used,
                    rc.gas_used
                ));
            }
            self.profiles.insert(name.to_string(), p);
        }
        Ok(rc.gas_used)
    }

    /// Sends `tx` without recording (setup).
    pub async fn setup(&self, label: &str, tx: TransactionRequest) -> Result<()> {
        self.env.send(label, tx).await.map(|_| ())
    }
}

/// The ERC-20 operations measured on both tokens, prefixed `ct.` (Stylus) and `oz.` (Solidity).
pub const ERC20_OPS: &[&str] = &[
    "transfer (fresh holder)",
    "transfer (existing holder)",
    "approve",
    "transferFrom",
    "permit",
    "burn",
    "burnFrom",
];

async fn erc20_ops(r: &mut Recorder<'_>, env: &Env, token: Address, prefix: &str) -> Result<()> {
    let t = env.erc20(token);
    let a = env.acc;
    r.op(
        &format!("{prefix}.transfer (fresh holder)"),
        t.transfer(a.alice, U256::from(10_000) * CT)
            .from(a.admin)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        &format!("{prefix}.transfer (existing holder)"),
        t.transfer(a.alice, U256::from(1_000) * CT)
            .from(a.admin)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        &format!("{prefix}.approve"),
        t.approve(a.bob, U256::from(1_000) * CT)
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        &format!("{prefix}.transferFrom"),
        t.transferFrom(a.alice, a.admin, U256::from(500) * CT)
            .from(a.bob)
            .into_transaction_request(),
    )
    .await?;
    let (v, rr, s) = env
        .sign_permit(token, a.alice, a.eve, U256::from(1_000) * CT, U256::MAX)
        .await?;
    r.op(
        &format!("{prefix}.permit"),
        t.permit(a.alice, a.eve, U256::from(1_000) * CT, U256::MAX, v, rr, s)
            .from(a.eve)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        &format!("{prefix}.burn"),
        t.burn(U256::from(100) * CT)
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        &format!("{prefix}.burnFrom"),
        t.burnFrom(a.alice, U256::from(100) * CT)
            .from(a.eve)
            .into_transaction_request(),
    )
    .await?;
    Ok(())
}

/// Job parameters: 1 GPU, up to 2 h, 10 USD per GPU-hour → maxCost 20 USD.
pub const JOB_GPUS: u32 = 1;
/// Max duration of the standard job (s).
pub const JOB_MAX_DURATION: u64 = 7_200;
/// Price of the standard job.
pub fn job_price() -> U256 {
    U256::from(10u64) * USD
}

/// `createJob` (any provider) by `requester`; returns the job id.
pub async fn create_job(
    r: &mut Recorder<'_>,
    env: &Env,
    requester: Address,
    name: Option<&str>,
) -> Result<U256> {
    let e = env.escrow();
    let call = e
        .createJob(
            Address::ZERO,
            keccak256("spec"),
            JOB_GPUS,
            JOB_MAX_DURATION,
            job_price(),
        )
        .from(requester);
    let id = call.call().await?;
    match name {
        Some(n) => {
            r.op(n, call.into_transaction_request()).await?;
        }
        None => {
            r.setup("createJob", call.into_transaction_request())
                .await?
        }
    }
    Ok(id)
}

/// Creates a job as setup (not measured), has `provider` accept it and submit 1,800 GPU-seconds;
/// returns its id. `label` names the setup steps in errors.
pub async fn submitted_job(
    r: &mut Recorder<'_>,
    env: &Env,
    requester: Address,
    provider: Address,
    label: &str,
) -> Result<U256> {
    let e = env.escrow();
    let id = create_job(r, env, requester, None).await?;
    r.setup(
        &format!("accept {label}"),
        e.acceptJob(id).from(provider).into_transaction_request(),
    )
    .await?;
    r.setup(
        &format!("submit {label}"),
        e.submitResult(id, keccak256("out"), 1_800)
            .from(provider)
            .into_transaction_request(),
    )
    .await?;
    Ok(id)
}

/// Registers `who` (1 GPU) and stakes `stake` CT it already holds (approve + stake).
pub async fn register_and_stake(
    r: &Recorder<'_>,
    env: &Env,
    who: Address,
    stake: U256,
) -> Result<()> {
    let reg = env.registry();
    r.setup(
        "register",
        reg.register(
            b32("H100"),
            1,
            80,
            b32("eu-west"),
            format!("ipfs://provider/{who}"),
        )
        .from(who)
        .into_transaction_request(),
    )
    .await?;
    r.setup(
        "approve registry",
        env.token()
            .approve(env.d.registry, U256::MAX)
            .from(who)
            .into_transaction_request(),
    )
    .await?;
    r.setup(
        "stake",
        reg.stake(stake).from(who).into_transaction_request(),
    )
    .await?;
    Ok(())
}

/// Runs the whole scenario on a fresh deployment and returns the gas table.
pub async fn measure(env: &Env) -> Result<GasTable> {
    Ok(measure_profiled(env, &[]).await?.0)
}

/// [`measure`], also re-running the operations named in `profile` with the engine's gas
/// accounting (their profiles, by name).
pub async fn measure_profiled(
    env: &Env,
    profile: &[&str],
) -> Result<(GasTable, BTreeMap<String, devnet_engine::GasProfile>)> {
    let mut r = Recorder::profiling(env, profile);
    let a = env.acc;
    let ct = env.token();
    let (c, reg, e, em) = (
        env.controller(),
        env.registry(),
        env.escrow(),
        env.emissions(),
    );

    // ---- ERC-20: ComputeToken (Stylus) and OpenZeppelin (Solidity), same sequence, same accounts.
    erc20_ops(&mut r, env, env.d.token, "ct").await?;
    erc20_ops(&mut r, env, env.oz, "oz").await?;

    // ---- Admin operations (one each).
    let feed = env.feed();
    let answer =
        alloy::primitives::I256::try_from(compute_market_scripts::deploy::FEED_INITIAL_ANSWER)?;
    r.op(
        "feed.updateAnswer",
        feed.updateAnswer(answer)
            .from(a.admin)
            .into_transaction_request(),
    )
    .await?;
    let v = e.parameter(b32("acceptWindow")).call().await?;
    r.op(
        "escrow.setParameter",
        e.setParameter(b32("acceptWindow"), v)
            .from(a.admin)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "escrow.pause",
        e.pause().from(a.admin).into_transaction_request(),
    )
    .await?;
    r.op(
        "escrow.unpause",
        e.unpause().from(a.admin).into_transaction_request(),
    )
    .await?;

    // ---- Controller: buy credits (alice holds 10,000 CT from the transfers above, less burns).
    r.setup(
        "approve controller",
        ct.approve(env.d.controller, U256::MAX)
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "controller.buyCredits (first)",
        c.buyCredits(U256::from(1_000) * CT, U256::ZERO, a.alice)
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "controller.buyCredits (repeat)",
        c.buyCredits(U256::from(1_000) * CT, U256::ZERO, a.alice)
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    r.setup(
        "fund bob",
        ct.transfer(a.bob, U256::from(10_000) * CT)
            .from(a.admin)
            .into_transaction_request(),
    )
    .await?;
    let amount = U256::from(1_000) * CT;
    let (v, rr, s) = env
        .sign_permit(env.d.token, a.bob, env.d.controller, amount, U256::MAX)
        .await?;
    // ABI v2 removed buyCreditsWithPermit (controller size): a dApp sends the EIP-2612 permit
    // (or an approve) first, then buys.
    r.op(
        "token.permit (controller)",
        ct.permit(a.bob, env.d.controller, amount, U256::MAX, v, rr, s)
            .from(a.bob)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "controller.buyCredits (after permit)",
        c.buyCredits(amount, U256::ZERO, a.bob)
            .from(a.bob)
            .into_transaction_request(),
    )
    .await?;

    // ---- Registry.
    for p in [a.p1, a.p2, a.p3] {
        r.setup(
            "fund provider",
            ct.transfer(p, U256::from(20_000) * CT)
                .from(a.admin)
                .into_transaction_request(),
        )
        .await?;
    }
    r.op(
        "registry.register",
        reg.register(
            b32("H100"),
            1,
            80,
            b32("eu-west"),
            "ipfs://provider/p1".to_string(),
        )
        .from(a.p1)
        .into_transaction_request(),
    )
    .await?;
    r.op(
        "registry.updateProfile",
        reg.updateProfile(
            b32("H100"),
            2,
            80,
            b32("eu-west"),
            "ipfs://provider/p1".to_string(),
        )
        .from(a.p1)
        .into_transaction_request(),
    )
    .await?;
    r.setup(
        "approve registry",
        ct.approve(env.d.registry, U256::MAX)
            .from(a.p1)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "registry.stake (first)",
        reg.stake(U256::from(10_000) * CT)
            .from(a.p1)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "registry.stake (repeat)",
        reg.stake(U256::from(1_000) * CT)
            .from(a.p1)
            .into_transaction_request(),
    )
    .await?;
    r.setup(
        "register p2",
        reg.register(
            b32("H100"),
            1,
            80,
            b32("eu-west"),
            "ipfs://provider/p2".to_string(),
        )
        .from(a.p2)
        .into_transaction_request(),
    )
    .await?;
    let amount = U256::from(10_000) * CT;
    let (v, rr, s) = env
        .sign_permit(env.d.token, a.p2, env.d.registry, amount, U256::MAX)
        .await?;
    // ABI v2 removed stakeWithPermit (registry size): permit, then stake.
    r.op(
        "token.permit (registry)",
        ct.permit(a.p2, env.d.registry, amount, U256::MAX, v, rr, s)
            .from(a.p2)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "registry.stake (after permit)",
        reg.stake(amount).from(a.p2).into_transaction_request(),
    )
    .await?;
    let call = reg.requestUnbond(U256::from(500) * CT).from(a.p1);
    let req_id = call.call().await?;
    r.op(
        "registry.requestUnbond (first)",
        call.into_transaction_request(),
    )
    .await?;
    r.op(
        "registry.cancelUnbond",
        reg.cancelUnbond(req_id)
            .from(a.p1)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "registry.requestUnbond (repeat)",
        reg.requestUnbond(U256::from(500) * CT)
            .from(a.p1)
            .into_transaction_request(),
    )
    .await?;
    register_and_stake(&r, env, a.p3, U256::from(10_000) * CT).await?;
    r.op(
        "registry.deregister (queues the stake)",
        reg.deregister().from(a.p3).into_transaction_request(),
    )
    .await?;

    // ---- Escrow. A: approve path (settle).
    let job_a = create_job(&mut r, env, a.alice, Some("escrow.createJob")).await?;
    r.op(
        "escrow.acceptJob",
        e.acceptJob(job_a).from(a.p1).into_transaction_request(),
    )
    .await?;
    r.op(
        "escrow.submitResult",
        e.submitResult(job_a, keccak256("out"), 1_800)
            .from(a.p1)
            .into_transaction_request(),
    )
    .await?;
    let epoch_a: U256 = em.currentEpoch().call().await?;
    r.op(
        "escrow.approveResult (settles)",
        e.approveResult(job_a)
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    // F: cancel an open job.
    let job_f = create_job(&mut r, env, a.alice, None).await?;
    r.op(
        "escrow.cancelJob",
        e.cancelJob(job_f).from(a.alice).into_transaction_request(),
    )
    .await?;
    // C: dispute, provider at fault (p2: refund, slash, jail). D: dispute, not at fault (p1: settle, bond burned).
    r.setup(
        "approve escrow",
        ct.approve(env.d.escrow, U256::MAX)
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    let job_c = submitted_job(&mut r, env, a.alice, a.p2, "C").await?;
    r.op(
        "escrow.disputeResult",
        e.disputeResult(job_c, keccak256("evidence"))
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "escrow.resolveDispute (at fault: refund, slash, jail)",
        e.resolveDispute(job_c, true)
            .from(a.admin)
            .into_transaction_request(),
    )
    .await?;
    let job_d = submitted_job(&mut r, env, a.alice, a.p1, "D").await?;
    r.setup(
        "dispute D",
        e.disputeResult(job_d, keccak256("evidence"))
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "escrow.resolveDispute (not at fault: settle, burn bond)",
        e.resolveDispute(job_d, false)
            .from(a.admin)
            .into_transaction_request(),
    )
    .await?;
    // D was ruled not at fault: back to Submitted with its window closed, anyone settles it.
    r.op(
        "escrow.finalize (after a rejected dispute: settles)",
        e.finalize(job_d).from(a.eve).into_transaction_request(),
    )
    .await?;
    r.op(
        "controller.claimTreasury",
        c.claimTreasury().from(a.eve).into_transaction_request(),
    )
    .await?;

    market_ops(&mut r, env).await?;

    // B: finalize after the challenge window. E: timeout of a running job.
    let job_b = submitted_job(&mut r, env, a.alice, a.p1, "B").await?;
    let job_e = create_job(&mut r, env, a.alice, None).await?;
    r.setup(
        "accept E",
        e.acceptJob(job_e).from(a.p1).into_transaction_request(),
    )
    .await?;
    env.jump(24 * 3_600 + 1).await?;
    r.op(
        "escrow.finalize (settles)",
        e.finalize(job_b).from(a.eve).into_transaction_request(),
    )
    .await?;
    r.op(
        "escrow.claimTimeout (running job: refund, slash)",
        e.claimTimeout(job_e).from(a.eve).into_transaction_request(),
    )
    .await?;

    // ---- Emissions: finalise the epochs since genesis (one with work), claim one epoch.
    r.op(
        "emissions.finalizeEpochs (the first day: 24 epochs, 1 with work)",
        em.finalizeEpochs(U256::from(64))
            .from(a.eve)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "emissions.claimRewards (1 epoch)",
        em.claimRewards(vec![epoch_a])
            .from(a.p1)
            .into_transaction_request(),
    )
    .await?;

    // ---- Registry exit: withdraw after the unbonding period.
    env.jump(15 * 86_400).await?;
    r.op(
        "registry.withdraw",
        reg.withdraw().from(a.p1).into_transaction_request(),
    )
    .await?;
    Ok((r.table, r.profiles))
}

/// `createAuction` for the standard job with a 60-s bid window by alice; returns the job id.
async fn open_auction(r: &mut Recorder<'_>, env: &Env, name: Option<&str>) -> Result<U256> {
    let m = env.market();
    let call = m
        .createAuction(
            keccak256("spec"),
            JOB_GPUS,
            JOB_MAX_DURATION,
            job_price(),
            60,
            IJobMarket::Requirements::any(),
        )
        .from(env.acc.alice);
    let id = call.call().await?;
    match name {
        Some(n) => r.op(n, call.into_transaction_request()).await.map(|_| ())?,
        None => {
            r.setup("createAuction", call.into_transaction_request())
                .await?
        }
    }
    Ok(id)
}

/// The JobMarket: attestation, auctions with 1 and with 16 bids (the most an auction takes) closed
/// by anyone, a requester's award, a withdrawn bid and a cancelled auction. p1 and p2 are registered
/// and staked by then; p2 is jailed (at fault in C), so auctions here go to p1 or the bidders.
async fn market_ops(r: &mut Recorder<'_>, env: &Env) -> Result<()> {
    let a = env.acc;
    let m = env.market();
    let now = env
        .provider
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await?
        .map(|b| b.header.timestamp)
        .unwrap_or_default();
    r.op(
        "market.attest",
        m.attest(
            a.p1,
            b32("H100"),
            2,
            80,
            keccak256("report"),
            now + 30 * 86_400,
        )
        .from(a.admin)
        .into_transaction_request(),
    )
    .await?;

    // One bid, lowered once, closed by anyone.
    let one = open_auction(r, env, Some("market.createAuction")).await?;
    r.op(
        "market.bid (first bid)",
        m.bid(one, U256::from(9u64) * USD)
            .from(a.p1)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "market.bid (lowering a bid)",
        m.bid(one, U256::from(8u64) * USD)
            .from(a.p1)
            .into_transaction_request(),
    )
    .await?;
    env.jump(61).await?;
    r.op(
        "market.closeAuction (1 bid: awards, starts the job)",
        m.closeAuction(one).from(a.eve).into_transaction_request(),
    )
    .await?;

    // p1 finishes that job (it withdraws its stake later, which open jobs block).
    let e = env.escrow();
    r.setup(
        "submit auction job",
        e.submitResult(one, keccak256("out"), 1_800)
            .from(a.p1)
            .into_transaction_request(),
    )
    .await?;
    r.setup(
        "approve auction job",
        e.approveResult(one)
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;

    // Sixteen bidders, registered and staked.
    let bidders: Vec<Address> = (0..BIDDERS)
        .map(|i| bench_key("bidder", i).address())
        .collect();
    for &b in &bidders {
        env.fund_eth(b).await?;
        r.setup(
            "fund bidder",
            env.token()
                .transfer(b, U256::from(6_000) * CT)
                .from(a.admin)
                .into_transaction_request(),
        )
        .await?;
        register_and_stake(r, env, b, U256::from(6_000) * CT).await?;
    }
    let many = open_auction(r, env, None).await?;
    for (i, &b) in bidders.iter().enumerate() {
        // Descending prices: each bid is the new best.
        let price = U256::from(9u64) * USD - U256::from(i as u64 * 10_000);
        let tx = m.bid(many, price).from(b).into_transaction_request();
        if i + 1 == bidders.len() {
            r.op("market.bid (16th bid)", tx).await?;
        } else {
            r.setup("bid", tx).await?;
        }
    }
    env.jump(61).await?;
    r.op(
        "market.closeAuction (16 bids: awards, starts the job)",
        m.closeAuction(many).from(a.eve).into_transaction_request(),
    )
    .await?;

    // The requester awards during the window; a bid withdrawn; an auction cancelled.
    let award = open_auction(r, env, None).await?;
    r.setup(
        "bid",
        m.bid(award, U256::from(9u64) * USD)
            .from(bidders[0])
            .into_transaction_request(),
    )
    .await?;
    r.setup(
        "bid",
        m.bid(award, U256::from(9u64) * USD)
            .from(bidders[1])
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "market.withdrawBid",
        m.withdrawBid(award)
            .from(bidders[1])
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "market.awardBid (requester: starts the job)",
        m.awardBid(award, bidders[0])
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    let cancel = open_auction(r, env, None).await?;
    r.op(
        "market.cancelAuction",
        m.cancelAuction(cancel)
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    r.op(
        "market.revokeAttestation",
        m.revokeAttestation(a.p1)
            .from(a.admin)
            .into_transaction_request(),
    )
    .await?;
    Ok(())
}
