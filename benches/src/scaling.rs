//! Scaling: gas of acceptJob, settle (approveResult), slash (resolveDispute at fault), finalize and
//! claimRewards with N providers and N settled jobs already in the system. The population is created
//! with pipelined transactions (explicit nonces, no estimation, one receipt wait per sender).
use std::collections::BTreeMap;

use alloy::primitives::{keccak256, Address, B256, U256};
use alloy::sol_types::SolCall;
use compute_market_scripts::bindings::{IComputeToken, IJobEscrow, IProviderRegistry};
use eyre::Result;

use crate::env::{b32, bench_key, Env, CT};
use crate::gas::{job_price, JOB_GPUS, JOB_MAX_DURATION};

/// Probe operations, in table order.
pub const OPS: &[&str] = &[
    "acceptJob",
    "settle (approveResult)",
    "finalize (settles)",
    "slash (resolveDispute, at fault)",
    "claimRewards (1 epoch)",
];

/// Stake of every provider (min stake for 1 GPU is 5,200 CT).
fn provider_stake() -> U256 {
    U256::from(6_000u64) * CT
}

/// Prepares the scaling scenario: alice holds plenty of credits and has approved the escrow for bonds.
pub async fn prepare(env: &Env) -> Result<()> {
    let a = env.acc;
    let t = env.token();
    env.send(
        "fund alice",
        t.transfer(a.alice, U256::from(10_000_000u64) * CT)
            .from(a.admin)
            .into_transaction_request(),
    )
    .await?;
    env.send(
        "approve controller",
        t.approve(env.d.controller, U256::MAX)
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    env.send(
        "approve escrow",
        t.approve(env.d.escrow, U256::MAX)
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    env.send(
        "buy credits",
        env.controller()
            .buyCredits(U256::from(1_000_000u64) * CT, U256::ZERO, a.alice)
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    Ok(())
}

/// Adds providers `from..to` (registered, staked) and one settled job each.
pub async fn populate(env: &mut Env, from: u64, to: u64) -> Result<()> {
    if to <= from {
        return Ok(());
    }
    let keys: Vec<_> = (from..to).map(|i| bench_key("provider", i)).collect();
    let provs: Vec<Address> = keys.iter().map(|k| k.address()).collect();
    env.add_signers(keys)?;
    let a = env.acc;
    for &p in &provs {
        env.fund_eth(p).await?;
    }
    // CT for the stakes, from the admin (pipelined).
    let mut n = env.nonce(a.admin).await?;
    let mut last = B256::ZERO;
    for &p in &provs {
        let input = IComputeToken::transferCall {
            to: p,
            value: provider_stake(),
        }
        .abi_encode();
        last = env
            .send_nowait(a.admin, n, env.d.token, input.into())
            .await?;
        n += 1;
    }
    env.confirm(last).await?;
    // register, approve, stake.
    let mut lasts = Vec::new();
    for &p in &provs {
        let reg = IProviderRegistry::registerCall {
            gpu_model: b32("H100"),
            gpu_count: 1,
            vram_gib: 80,
            region: b32("eu-west"),
            metadata_uri: format!("ipfs://provider/{p}"),
        };
        env.send_nowait(p, 0, env.d.registry, reg.abi_encode().into())
            .await?;
        let ap = IComputeToken::approveCall {
            spender: env.d.registry,
            value: U256::MAX,
        };
        env.send_nowait(p, 1, env.d.token, ap.abi_encode().into())
            .await?;
        let st = IProviderRegistry::stakeCall {
            amount: provider_stake(),
        };
        lasts.push(
            env.send_nowait(p, 2, env.d.registry, st.abi_encode().into())
                .await?,
        );
    }
    for h in lasts {
        env.confirm(h).await?;
    }
    // Jobs: alice creates one per provider; each provider accepts and submits; alice approves.
    let first_id = env.escrow().jobCount().call().await? + U256::from(1);
    let mut n = env.nonce(a.alice).await?;
    for _ in &provs {
        let c = IJobEscrow::createJobCall {
            provider: Address::ZERO,
            spec_hash: keccak256("spec"),
            gpu_count: JOB_GPUS,
            max_duration: JOB_MAX_DURATION,
            price_per_gpu_hour: job_price(),
        };
        last = env
            .send_nowait(a.alice, n, env.d.escrow, c.abi_encode().into())
            .await?;
        n += 1;
    }
    env.confirm(last).await?;
    let mut lasts = Vec::new();
    for (i, &p) in provs.iter().enumerate() {
        let id = first_id + U256::from(i);
        env.send_nowait(
            p,
            3,
            env.d.escrow,
            IJobEscrow::acceptJobCall { job_id: id }.abi_encode().into(),
        )
        .await?;
        let s = IJobEscrow::submitResultCall {
            job_id: id,
            result_hash: keccak256("out"),
            used_seconds: 1_800,
        };
        lasts.push(
            env.send_nowait(p, 4, env.d.escrow, s.abi_encode().into())
                .await?,
        );
    }
    for h in lasts {
        env.confirm(h).await?;
    }
    let mut n = env.nonce(a.alice).await?;
    for i in 0..provs.len() {
        let id = first_id + U256::from(i);
        last = env
            .send_nowait(
                a.alice,
                n,
                env.d.escrow,
                IJobEscrow::approveResultCall { job_id: id }
                    .abi_encode()
                    .into(),
            )
            .await?;
        n += 1;
    }
    env.confirm(last).await?;
    Ok(())
}

async fn fresh_provider(env: &mut Env, tag: &str, level: u64) -> Result<Address> {
    let k = bench_key(tag, level);
    let p = k.address();
    env.add_signers([k])?;
    env.fund_eth(p).await?;
    let t = env.token();
    env.send(
        "fund probe",
        t.transfer(p, provider_stake())
            .from(env.acc.admin)
            .into_transaction_request(),
    )
    .await?;
    let reg = env.registry();
    env.send(
        "register probe",
        reg.register(
            b32("H100"),
            1,
            80,
            b32("eu-west"),
            format!("ipfs://provider/{p}"),
        )
        .from(p)
        .into_transaction_request(),
    )
    .await?;
    env.send(
        "approve probe",
        t.approve(env.d.registry, U256::MAX)
            .from(p)
            .into_transaction_request(),
    )
    .await?;
    env.send(
        "stake probe",
        reg.stake(provider_stake())
            .from(p)
            .into_transaction_request(),
    )
    .await?;
    Ok(p)
}

/// The probe at population `level`: fresh providers P and Q (same setup at every level), three jobs.
pub async fn probe(env: &mut Env, level: u64) -> Result<BTreeMap<String, u64>> {
    let p = fresh_provider(env, "probe-p", level).await?;
    let q = fresh_provider(env, "probe-q", level).await?;
    env.jump(3_601).await?;
    let a = env.acc;
    let e = env.escrow();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let call = e
            .createJob(
                Address::ZERO,
                keccak256("spec"),
                JOB_GPUS,
                JOB_MAX_DURATION,
                job_price(),
            )
            .from(a.alice);
        ids.push(call.call().await?);
        env.send("createJob", call.into_transaction_request())
            .await?;
    }
    let mut out = BTreeMap::new();
    let rc = env
        .send(
            "acceptJob",
            e.acceptJob(ids[0]).from(p).into_transaction_request(),
        )
        .await?;
    out.insert(OPS[0].to_string(), rc.gas_used);
    env.send(
        "accept 2",
        e.acceptJob(ids[1]).from(p).into_transaction_request(),
    )
    .await?;
    env.send(
        "accept 3",
        e.acceptJob(ids[2]).from(q).into_transaction_request(),
    )
    .await?;
    env.send(
        "submit 1",
        e.submitResult(ids[0], keccak256("out"), 1_800)
            .from(p)
            .into_transaction_request(),
    )
    .await?;
    env.send(
        "submit 2",
        e.submitResult(ids[1], keccak256("out"), 1_800)
            .from(p)
            .into_transaction_request(),
    )
    .await?;
    env.send(
        "submit 3",
        e.submitResult(ids[2], keccak256("out"), 1_800)
            .from(q)
            .into_transaction_request(),
    )
    .await?;
    let epoch = env.emissions().currentEpoch().call().await?;
    let rc = env
        .send(
            "approveResult",
            e.approveResult(ids[0])
                .from(a.alice)
                .into_transaction_request(),
        )
        .await?;
    out.insert(OPS[1].to_string(), rc.gas_used);
    env.send(
        "dispute",
        e.disputeResult(ids[2], keccak256("evidence"))
            .from(a.alice)
            .into_transaction_request(),
    )
    .await?;
    let rc = env
        .send(
            "resolveDispute",
            e.resolveDispute(ids[2], true)
                .from(a.admin)
                .into_transaction_request(),
        )
        .await?;
    out.insert(OPS[3].to_string(), rc.gas_used);
    env.jump(24 * 3_600 + 1).await?;
    let rc = env
        .send(
            "finalize",
            e.finalize(ids[1]).from(a.eve).into_transaction_request(),
        )
        .await?;
    out.insert(OPS[2].to_string(), rc.gas_used);
    let em = env.emissions();
    loop {
        let next = em.nextEpochToFinalize().call().await?;
        let current = em.currentEpoch().call().await?;
        if next >= current {
            break;
        }
        env.send(
            "finalizeEpochs",
            em.finalizeEpochs(U256::from(64))
                .from(a.eve)
                .into_transaction_request(),
        )
        .await?;
    }
    let rc = env
        .send(
            "claimRewards",
            em.claimRewards(vec![epoch])
                .from(p)
                .into_transaction_request(),
        )
        .await?;
    out.insert(OPS[4].to_string(), rc.gas_used);
    Ok(out)
}

/// Runs the probe with `levels` (ascending) providers and jobs in the system.
pub async fn run(env: &mut Env, levels: &[u64]) -> Result<BTreeMap<u64, BTreeMap<String, u64>>> {
    prepare(env).await?;
    let mut have = 0;
    let mut out = BTreeMap::new();
    for &n in levels {
        let t = std::time::Instant::now();
        populate(env, have, n).await?;
        have = n;
        eprintln!(
            "scaling: populated {n} providers/jobs in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        out.insert(n, probe(env, n).await?);
    }
    Ok(out)
}
