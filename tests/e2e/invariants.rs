//! docs/protocol.md §12 invariants, checked on chain every few transactions of a seeded random
//! sequence of real transactions (buys, transfers, jobs through every transition, disputes and
//! rulings, time travel, unbonding, epoch finalisation, work and stake reward claims, treasury
//! claims). `E2E_SEED` picks another sequence.

use std::collections::BTreeMap;

use alloy::primitives::{keccak256, Address, U256};
use alloy::rpc::types::TransactionReceipt;
use compute_market_e2e::bindings::{IBmeController, IEmissions, IJobEscrow, IProviderRegistry};
use compute_market_e2e::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Successful transactions in the random phase.
const TXS: usize = 60;

struct Run<'a> {
    env: &'a Env,
    rng: StdRng,
    jobs: Vec<U256>,
    receipts: Vec<TransactionReceipt>,
}

impl Run<'_> {
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.rng.random_range(0..xs.len())]
    }

    async fn jobs_in(&mut self, states: &[u8]) -> Vec<(U256, Job)> {
        let mut out = Vec::new();
        for id in self.jobs.clone() {
            let j = self.env.job(id).await.unwrap();
            if states.contains(&j.state) {
                out.push((id, j));
            }
        }
        out
    }

    /// One random action; `Some(receipt)` if it sent a successful transaction.
    async fn step(&mut self) -> Option<TransactionReceipt> {
        let env = self.env;
        let a = env.acc;
        let (e, c, t, r, em) = (
            env.escrow(),
            env.controller(),
            env.token(),
            env.registry(),
            env.emissions(),
        );
        let buyers = [a.alice, a.bob];
        let providers = [a.p1, a.p2, a.p3];
        match self.rng.random_range(0..100u32) {
            0..=7 => {
                let who = self.pick(&buyers);
                let amount = U256::from(self.rng.random_range(1..200u64)) * CT;
                env.fund(who, amount).await.ok()?;
                send(t.approve(env.addrs.controller, amount).from(who))
                    .await
                    .ok()?;
                send(c.buyCredits(amount, U256::ZERO, who).from(who))
                    .await
                    .ok()
            }
            8..=11 => {
                let from = self.pick(&[a.alice, a.bob, a.p1, a.p2, a.eve]);
                let to = self.pick(&[a.alice, a.bob, a.p3, a.eve, a.treasury]);
                let bal = t.balanceOf(from).call().await.ok()?;
                if bal.is_zero() {
                    return None;
                }
                let amount = bal / U256::from(self.rng.random_range(2..10u64));
                send(t.transfer(to, amount).from(from)).await.ok()
            }
            12..=27 => {
                let who = self.pick(&buyers);
                let provider = if self.rng.random_bool(0.2) {
                    self.pick(&providers)
                } else {
                    Address::ZERO
                };
                let gpus = self.rng.random_range(1..3u32);
                let dur = self.rng.random_range(600..10_800u64);
                let price = U256::from(self.rng.random_range(100_000..20_000_000u64));
                let rc = send(
                    e.createJob(provider, keccak256(b"s"), gpus, dur, price)
                        .from(who),
                )
                .await
                .ok()?;
                self.jobs
                    .push(event::<IJobEscrow::JobCreated>(&rc).ok()?.jobId);
                Some(rc)
            }
            28..=42 => {
                let open = self.jobs_in(&[state::OPEN]).await;
                if open.is_empty() {
                    return None;
                }
                let (id, j) = self.pick(&open);
                let p = if j.provider.is_zero() {
                    self.pick(&providers)
                } else {
                    j.provider
                };
                send(e.acceptJob(id).from(p)).await.ok()
            }
            43..=57 => {
                let running = self.jobs_in(&[state::RUNNING]).await;
                if running.is_empty() {
                    return None;
                }
                let (id, j) = self.pick(&running);
                let max = env.escrow().job(id).call().await.ok()?.maxDuration;
                let used = self.rng.random_range(0..=max);
                send(e.submitResult(id, keccak256(b"r"), used).from(j.provider))
                    .await
                    .ok()
            }
            58..=69 => {
                let submitted = self.jobs_in(&[state::SUBMITTED]).await;
                if submitted.is_empty() {
                    return None;
                }
                let (id, j) = self.pick(&submitted);
                if self.rng.random_bool(0.5) {
                    send(e.approveResult(id).from(j.requester)).await.ok()
                } else {
                    send(e.disputeResult(id, keccak256(b"ev")).from(j.requester))
                        .await
                        .ok()
                }
            }
            70..=76 => {
                let disputed = self.jobs_in(&[state::DISPUTED]).await;
                if disputed.is_empty() {
                    return None;
                }
                let (id, _) = self.pick(&disputed);
                let fault = self.rng.random_bool(0.5);
                send(e.resolveDispute(id, fault).from(a.arbitrator))
                    .await
                    .ok()
            }
            77..=86 => {
                // Anyone pushes a job whose window is over.
                let live = self
                    .jobs_in(&[
                        state::OPEN,
                        state::RUNNING,
                        state::SUBMITTED,
                        state::DISPUTED,
                    ])
                    .await;
                if live.is_empty() {
                    return None;
                }
                let (id, j) = self.pick(&live);
                let call = match j.state {
                    state::OPEN => send(e.cancelJob(id).from(a.eve)).await,
                    state::RUNNING => send(e.claimTimeout(id).from(a.eve)).await,
                    _ => send(e.finalize(id).from(a.eve)).await,
                };
                call.ok()
            }
            87..=92 => {
                let secs = self.pick(&[600u64, 1_800, 3_600, 10_800, 86_400, 8 * 86_400]);
                env.warp(secs).await.ok()?;
                None
            }
            93..=95 => {
                let p = self.pick(&providers);
                if self.rng.random_bool(0.5) {
                    send(
                        r.requestUnbond(U256::from(self.rng.random_range(1..500u64)) * CT)
                            .from(p),
                    )
                    .await
                    .ok()
                } else {
                    send(r.withdraw().from(p)).await.ok()
                }
            }
            _ => {
                let roll = self.rng.random_range(0..10u32);
                if roll == 0 {
                    // Anyone mints the treasury's accrued fee share.
                    send(c.claimTreasury().from(a.eve)).await.ok()
                } else if roll < 5 {
                    send(em.finalizeEpochs(U256::from(64)).from(a.eve))
                        .await
                        .ok()
                } else {
                    let next = em.nextEpochToFinalize().call().await.ok()?;
                    if next.is_zero() {
                        return None;
                    }
                    let p = self.pick(&providers);
                    let from = next.saturating_sub(U256::from(3));
                    let epochs: Vec<U256> = (0..3u64)
                        .map(|i| from + U256::from(i))
                        .filter(|x| *x < next)
                        .collect();
                    send(em.claimRewards(epochs).from(p)).await.ok()
                }
            }
        }
    }
}

/// Every §9 invariant that can be read off the chain.
async fn check(env: &Env, jobs: &[U256], receipts: &[TransactionReceipt]) {
    let (t, c, em, r, e) = (
        env.token(),
        env.controller(),
        env.emissions(),
        env.registry(),
        env.escrow(),
    );
    let a = env.addrs;
    // §12.1 Σ balances = totalSupply ≤ MAX_SUPPLY; the zero address holds nothing.
    let mut holders: Vec<Address> = env.acc.all().to_vec();
    holders.extend([
        a.token,
        a.price_feed,
        a.emissions,
        a.controller,
        a.registry,
        a.escrow,
        a.market,
    ]);
    let mut sum = U256::ZERO;
    for h in &holders {
        sum += t.balanceOf(*h).call().await.unwrap();
    }
    let supply = t.totalSupply().call().await.unwrap();
    assert_eq!(sum, supply, "Σ balances = totalSupply");
    assert!(supply <= max_supply());
    assert_eq!(t.balanceOf(Address::ZERO).call().await.unwrap(), U256::ZERO);

    // §12.2 reminted + retired + burnBudget + iouFunded + treasuryAccrued = burned; emitted −
    // returned + drawn + reserve = initialReserve; the controller's reserve mints are the emissions'
    // draws.
    let cs = c.supplyStats().call().await.unwrap();
    assert!(
        cs.reminted + cs.retired <= cs.burned,
        "reminted + retired ≤ burned"
    );
    assert_eq!(
        cs.reminted + cs.retired + cs.burnBudget + cs.iouFunded + cs.treasuryAccrued,
        cs.burned,
        "reminted + retired + burnBudget + iouFunded + treasuryAccrued = burned"
    );
    let es = em.supplyStats().call().await.unwrap();
    assert_eq!(
        es.emitted - es.returned + es.drawn + es.reserve,
        es.initialReserve,
        "emitted − returned + drawn + reserve = initialReserve"
    );
    assert_eq!(es.initialReserve, max_supply() - genesis_supply());
    assert_eq!(cs.mintedFromReserve, es.drawn, "mintedFromReserve = drawn");
    // IOUs: what is owed is the line's unfunded part plus the funded, unclaimed part.
    let q = c.iouQueue().call().await.unwrap();
    assert!(q.fundedTotal <= q.owedTotal);
    assert!(cs.owed <= q.owedTotal && cs.iouFunded <= cs.owed);

    // §12.3 outstanding credits = Σ free + Σ locked over the known accounts; locked = Σ maxCost of
    // the requester's live jobs.
    let mut free_locked = U256::ZERO;
    let mut locked_by: BTreeMap<Address, U256> = BTreeMap::new();
    for h in &holders {
        free_locked += c.creditBalanceOf(*h).call().await.unwrap();
        let l = c.lockedCreditsOf(*h).call().await.unwrap();
        free_locked += l;
        locked_by.insert(*h, l);
    }
    assert_eq!(
        cs.outstandingCredits, free_locked,
        "outstanding = Σ free + Σ locked"
    );

    // §12.4 per job: paid + fee + refunded = maxCost (terminal jobs, from their events); live jobs'
    // maxCost is what their requester has locked; escrow CT = bondsHeld = Σ bonds of disputed jobs.
    // §12.7 a provider's lockedStake = Σ of its open jobs' locks, openJobs = their number.
    let mut created: BTreeMap<U256, U256> = BTreeMap::new();
    let mut ended: BTreeMap<U256, (U256, U256)> = BTreeMap::new(); // id → (settled credits, refunded)
    for rc in receipts {
        for (_, ev) in events::<IJobEscrow::JobCreated>(rc) {
            created.insert(ev.jobId, ev.maxCost);
        }
        let settled: U256 = events::<IBmeController::Settled>(rc)
            .into_iter()
            .map(|(_, s)| {
                assert!(s.fee <= s.credits);
                (s.credits - s.fee) + s.fee // paid + fee
            })
            .sum();
        for (_, ev) in events::<IJobEscrow::JobCompleted>(rc) {
            assert_eq!(
                settled, ev.cost,
                "settled credits = cost of job {}",
                ev.jobId
            );
            assert!(
                ended.insert(ev.jobId, (ev.cost, ev.refunded)).is_none(),
                "ended twice"
            );
        }
        for (_, ev) in events::<IJobEscrow::JobCancelled>(rc) {
            assert!(ended.insert(ev.jobId, (U256::ZERO, ev.refunded)).is_none());
        }
        for (_, ev) in events::<IJobEscrow::JobRefunded>(rc) {
            assert!(ended.insert(ev.jobId, (U256::ZERO, ev.refunded)).is_none());
        }
        for (_, ev) in events::<IJobEscrow::JobExpired>(rc) {
            assert!(ended.insert(ev.jobId, (U256::ZERO, ev.refunded)).is_none());
        }
    }
    let mut live_locked: BTreeMap<Address, U256> = BTreeMap::new();
    let mut stake_locks: BTreeMap<Address, (U256, u64)> = BTreeMap::new();
    let mut bonds = U256::ZERO;
    for id in jobs {
        let j = env.job(*id).await.unwrap();
        assert_eq!(j.max_cost, created[id]);
        match j.state {
            state::COMPLETED | state::CANCELLED | state::REFUNDED | state::EXPIRED => {
                let (paid_and_fee, refunded) = ended[id];
                assert_eq!(
                    paid_and_fee + refunded,
                    j.max_cost,
                    "paid + fee + refunded = maxCost (job {id})"
                );
                if j.provider != Address::ZERO {
                    let lock = r.jobLock(j.provider, *id).call().await.unwrap();
                    assert_eq!(
                        (lock.amount, lock.penaltyBase),
                        (U256::ZERO, U256::ZERO),
                        "an ended job holds no lock (job {id})"
                    );
                }
            }
            s => {
                assert!(
                    !ended.contains_key(id),
                    "a live job ended (job {id}, state {s})"
                );
                *live_locked.entry(j.requester).or_default() += j.max_cost;
                if s == state::DISPUTED {
                    bonds += j.bond;
                }
                if s != state::OPEN {
                    // Running, Submitted (also after a ruling for the provider) or Disputed: the
                    // registry holds the job's lock, with a penalty base.
                    let lock = r.jobLock(j.provider, *id).call().await.unwrap();
                    assert!(lock.penaltyBase > U256::ZERO, "job {id} has a lock");
                    let e = stake_locks.entry(j.provider).or_default();
                    e.0 += lock.amount;
                    e.1 += 1;
                }
            }
        }
    }
    for (who, l) in &locked_by {
        assert_eq!(
            *l,
            live_locked.get(who).copied().unwrap_or_default(),
            "locked credits of {who}"
        );
    }
    let held = e.bondsHeld().call().await.unwrap();
    assert_eq!(held, bonds, "bondsHeld = Σ bonds of disputed jobs");
    assert_eq!(
        t.balanceOf(a.escrow).call().await.unwrap(),
        held,
        "escrow CT = bondsHeld"
    );

    // §12.5 registry CT = Σ (active + unbonding); §12.7 locks per provider (a slash may leave the
    // active stake below the locks: locks are never clamped).
    let mut staked = U256::ZERO;
    for p in env.acc.all() {
        let info = r.providerInfo(p).call().await.unwrap();
        let (locked, open) = stake_locks.get(&p).copied().unwrap_or_default();
        assert_eq!(
            (info.lockedStake, info.openJobs),
            (locked, open),
            "lockedStake and openJobs of {p} = Σ of its open jobs' locks"
        );
        staked += info.activeStake + info.unbondingStake;
        // Earning stake: the active stake while eligible, else nothing.
        let earning = em.earningStake(p).call().await.unwrap();
        if r.isEligible(p).call().await.unwrap() {
            // A jail that ended changes eligibility without a report (syncStake).
            assert!(
                earning == info.activeStake || earning.is_zero(),
                "earning of {p}"
            );
        } else {
            assert_eq!(
                earning,
                U256::ZERO,
                "an ineligible provider earns nothing ({p})"
            );
        }
    }
    assert_eq!(
        t.balanceOf(a.registry).call().await.unwrap(),
        staked,
        "registry CT = Σ stake"
    );

    // §12.10 work rewards of an epoch ≤ its work pool ≤ workRewardCapBps × its fees; stake rewards
    // paid and owed ≤ streamed − returned.
    let mut claimed: BTreeMap<U256, U256> = BTreeMap::new();
    for rc in receipts {
        for (_, ev) in events::<IEmissions::RewardsClaimed>(rc) {
            *claimed.entry(ev.epoch).or_default() += ev.amount;
        }
    }
    for (epoch, sum) in &claimed {
        let st = em.epochStats(*epoch).call().await.unwrap();
        assert!(*sum <= st.workPool, "claimed ≤ work pool of epoch {epoch}");
        assert!(
            st.workPool <= st.workCap,
            "work pool ≤ cap of epoch {epoch}"
        );
        assert!(st.workCap <= st.fees, "cap ≤ 1× fees of epoch {epoch}");
    }
    let ss = em.stakeStats().call().await.unwrap();
    let mut earned = U256::ZERO;
    for p in env.acc.all() {
        earned += em.earnedStakeRewards(p).call().await.unwrap();
    }
    assert!(
        ss.paid + earned <= ss.streamed - ss.returned,
        "stake rewards paid + owed ≤ streamed − returned"
    );
}

#[tokio::test]
async fn invariants_hold_over_a_random_sequence() {
    let env = Env::get().await;
    let seed = std::env::var("E2E_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x00C0_FFEE_u64);
    eprintln!("invariants: seed {seed} (E2E_SEED)");
    env.market().await.unwrap();
    env.register_provider(env.acc.p3, 2, provider_stake())
        .await
        .unwrap();
    for who in [env.acc.alice, env.acc.bob] {
        env.fund(who, U256::from(2_000) * CT).await.unwrap();
        send(env.token().approve(env.addrs.escrow, U256::MAX).from(who))
            .await
            .unwrap();
    }
    let mut run = Run {
        env: &env,
        rng: StdRng::seed_from_u64(seed),
        jobs: Vec::new(),
        receipts: Vec::new(),
    };
    check(&env, &run.jobs, &run.receipts).await;
    let mut attempts = 0;
    while run.receipts.len() < TXS && attempts < 20 * TXS {
        attempts += 1;
        if let Some(rc) = run.step().await {
            run.receipts.push(rc);
            if run.receipts.len().is_multiple_of(20) {
                check(&env, &run.jobs, &run.receipts).await;
            }
        }
    }
    assert!(
        run.receipts.len() >= TXS,
        "only {} successful transactions (seed {seed})",
        run.receipts.len()
    );
    check(&env, &run.jobs, &run.receipts).await;
    // The sequence exercised the lifecycle, not just purchases.
    let ended = run
        .receipts
        .iter()
        .filter(|rc| !events::<IJobEscrow::JobCompleted>(rc).is_empty())
        .count();
    let slashes: usize = run
        .receipts
        .iter()
        .map(|rc| events::<IProviderRegistry::Slashed>(rc).len())
        .sum();
    eprintln!(
        "invariants: {} txs in {attempts} attempts, {} jobs, {ended} completed, {slashes} slashes",
        run.receipts.len(),
        run.jobs.len()
    );
    assert!(run.jobs.len() >= 5);
}
