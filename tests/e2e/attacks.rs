//! The attacks of the economic and enforcement review (SECURITY.md findings H-1, H-2, M-1, M-3,
//! L-1) played on the dev chain against the deployed contracts, the e2e counterparts of
//! `contracts/system-tests/tests/attacks.rs`. Each asserts, in CT, that the attacker does not
//! profit.

use alloy::primitives::{keccak256, Address, U256};
use compute_market_e2e::bindings::{IBmeController, IEmissions, IJobEscrow, IProviderRegistry};
use compute_market_e2e::*;

const DAY: u64 = 86_400;

/// `n / 1000` CT.
fn milli_ct(n: u64) -> U256 {
    U256::from(n) * CT / U256::from(1_000)
}

/// `who`'s CT: wallet + active and unbonding stake in the registry.
async fn holdings(env: &Env, who: Address) -> U256 {
    let info = env.registry().providerInfo(who).call().await.unwrap();
    env.token().balanceOf(who).call().await.unwrap() + info.activeStake + info.unbondingStake
}

/// Funds `who` with `amount` CT and approves the escrow for dispute bonds.
async fn fund_bonds(env: &Env, who: Address, amount: U256) {
    env.fund(who, amount).await.unwrap();
    send(env.token().approve(env.addrs.escrow, U256::MAX).from(who))
        .await
        .unwrap();
}

/// H-1, the quiet-epoch wash: one party with two addresses (bob requests, p3 provides, staked)
/// spends all its credits on a job it deals itself, in an epoch in which nobody else settles. The
/// epoch's work pool is capped at its fees × `workRewardCapBps` (1×), so the work reward gives back
/// at most the fee: the pair ends 0.25 CT (the mint spread on its 100 CT) poorer. Stake rewards
/// are counted apart: the stake stream pays any staker by stake and time, and the honest staker p1
/// (same stake, no job) earns exactly as much.
#[tokio::test]
async fn wash_in_a_quiet_epoch_loses() {
    let env = Env::get().await;
    let (em, c, e, t) = (env.emissions(), env.controller(), env.escrow(), env.token());
    let (bob, sybil, honest) = (env.acc.bob, env.acc.p3, env.acc.p1);
    env.register_provider(honest, 1, provider_stake())
        .await
        .unwrap();
    env.register_provider(sybil, 1, provider_stake())
        .await
        .unwrap();
    let tokens = U256::from(100) * CT;
    env.fund(bob, tokens).await.unwrap();
    let start = holdings(&env, bob).await + holdings(&env, sybil).await;
    assert_eq!(start, tokens + provider_stake());

    // A quiet epoch: everything before it final, nobody else settles in it.
    let epoch = env.fresh_epoch().await.unwrap();
    let credits = env.buy_credits_from_balance(bob, tokens).await.unwrap();
    assert_eq!(
        credits,
        U256::from(199_500_000u64),
        "100 CT at $2 less 0.25%"
    );
    // 1 GPU for 1 hour at all its credits: maxCost = cost = 199.5 USD.
    let rc = send(
        e.createJob(sybil, keccak256(b"wash"), 1, 3_600, credits)
            .from(bob),
    )
    .await
    .unwrap();
    let id = event::<IJobEscrow::JobCreated>(&rc).unwrap().jobId;
    send(e.acceptJob(id).from(sybil)).await.unwrap();
    send(e.submitResult(id, keccak256(b"r"), 3_600).from(sybil))
        .await
        .unwrap();
    let rc = send(e.approveResult(id).from(bob)).await.unwrap();
    let s = event::<IBmeController::Settled>(&rc).unwrap();
    // fee = 2.5% of 199.5 USD = 4.9875 USD = 2.49375 CT; net 194.5125 USD = 97.25625 CT.
    let fee_tokens = U256::from(249_375u64) * CT / U256::from(100_000);
    let pay = U256::from(9_725_625u64) * CT / U256::from(100_000);
    assert_eq!(
        (s.credits, s.fee, s.feeTokens, s.tokensPaid),
        (credits, U256::from(4_987_500u64), fee_tokens, pay)
    );
    assert_eq!(c.creditBalanceOf(bob).call().await.unwrap(), U256::ZERO);
    // The epoch's fees are the wash's alone.
    assert_eq!(
        c.epochStats(epoch).call().await.unwrap().feeTokens,
        fee_tokens
    );
    assert_eq!(
        c.providerFees(sybil, epoch).call().await.unwrap(),
        fee_tokens
    );

    env.warp(EPOCH_LENGTH).await.unwrap();
    env.finalize_all_epochs().await.unwrap();
    let st = em.epochStats(epoch).call().await.unwrap();
    assert_eq!(st.fees, fee_tokens);
    assert_eq!(
        (st.workCap, st.workPool),
        (fee_tokens, fee_tokens),
        "the work pool is capped at 1× the epoch's fees, not the provider share"
    );
    assert!(
        st.stakePool > U256::from(100_000) * CT,
        "the rest of the provider share (≈ 149,500 CT) streams to stake"
    );

    // Stake rewards accrue by stake and time: the honest staker earns as much as the sybil.
    let sybil_stake_rewards = em.earnedStakeRewards(sybil).call().await.unwrap();
    assert_eq!(
        sybil_stake_rewards,
        em.earnedStakeRewards(honest).call().await.unwrap(),
        "the wash adds nothing to the sybil's stake rewards"
    );
    let rc = send(em.claimRewards(vec![epoch]).from(sybil))
        .await
        .unwrap();
    let work = event::<IEmissions::RewardsClaimed>(&rc).unwrap();
    let stake = event::<IEmissions::StakeRewardsClaimed>(&rc).unwrap();
    assert_eq!((work.epoch, work.amount), (epoch, fee_tokens));
    assert!(work.amount <= s.feeTokens, "work reward ≤ fees paid");
    assert!(stake.amount >= sybil_stake_rewards);

    let end = holdings(&env, bob).await + holdings(&env, sybil).await;
    let end_without_stake_rewards = end - stake.amount;
    assert_eq!(
        end_without_stake_rewards,
        start - milli_ct(250),
        "pay 97.25625 + work reward 2.49375 = 99.75 CT for 100 CT burned: the 0.25% spread is lost"
    );
    assert!(end_without_stake_rewards < start);
    assert_eq!(t.balanceOf(bob).call().await.unwrap(), U256::ZERO);
    assert_eq!(
        t.balanceOf(sybil).call().await.unwrap(),
        pay + fee_tokens + stake.amount
    );
}

/// H-2, the unbond escape: a provider with an open 30-day job unbonds all its free stake, so its
/// active stake is only the job's lock. It cannot withdraw (even after the 14-day unbonding
/// matured) nor deregister while the job is open, and the fraud ruling on the job slashes 10% of
/// the job's penalty base (its 100,000 CT stake at acceptance) — 10,000 CT, not 10% of the
/// 1,440 CT left active.
#[tokio::test]
async fn unbond_cannot_escape_an_open_jobs_slash() {
    let env = Env::get().await;
    let (e, r, t) = (env.escrow(), env.registry(), env.token());
    let (alice, cheat) = (env.acc.alice, env.acc.p1);
    let stake = U256::from(100_000) * CT;
    env.register_provider(cheat, 1, stake).await.unwrap();
    env.buy_credits(alice, U256::from(1_000) * CT)
        .await
        .unwrap();
    let start = holdings(&env, cheat).await;
    assert_eq!(start, stake);

    // 1 GPU for 720 h at 2 USD: maxCost 1,440 USD; the lock is 2 × that = 1,440 CT at $2.
    let (id, max_cost) = env
        .create_job(alice, cheat, 1, 720 * 3_600, U256::from(2) * USD)
        .await
        .unwrap();
    assert_eq!(max_cost, U256::from(1_440) * USD);
    send(e.acceptJob(id).from(cheat)).await.unwrap();
    let lock = U256::from(1_440) * CT;
    let jl = r.jobLock(cheat, id).call().await.unwrap();
    assert_eq!((jl.amount, jl.penaltyBase), (lock, stake));

    // The cheat unbonds everything but the lock (not a wei more).
    let free = stake - lock;
    assert_revert(
        send(r.requestUnbond(free + U256::from(1)).from(cheat)).await,
        IProviderRegistry::RegistryInsufficientFreeStake {
            _0: cheat,
            _1: free,
            _2: free + U256::from(1),
        },
    );
    send(r.requestUnbond(free).from(cheat)).await.unwrap();
    let info = r.providerInfo(cheat).call().await.unwrap();
    assert_eq!(
        (info.activeStake, info.unbondingStake, info.lockedStake),
        (lock, free, lock)
    );

    // The unbonding matures, but nothing leaves while the job is open.
    env.warp(14 * DAY + 1).await.unwrap();
    let open = IProviderRegistry::RegistryJobsOpen {
        _0: cheat,
        _1: U256::from(1),
    };
    assert_revert(send(r.withdraw().from(cheat)).await, open.clone());
    assert_revert(send(r.deregister().from(cheat)).await, open);
    assert_eq!(t.balanceOf(cheat).call().await.unwrap(), U256::ZERO);

    // Junk, disputed and ruled: refund, 10% of the 100,000 CT base slashed, 30-day jail.
    send(e.submitResult(id, keccak256(b"junk"), 3_600).from(cheat))
        .await
        .unwrap();
    fund_bonds(&env, alice, U256::from(100) * CT).await;
    send(e.disputeResult(id, keccak256(b"evidence")).from(alice))
        .await
        .unwrap();
    assert_eq!(t.balanceOf(alice).call().await.unwrap(), U256::ZERO);
    let rc = send(e.resolveDispute(id, true).from(env.acc.arbitrator))
        .await
        .unwrap();
    let sl = event::<IProviderRegistry::Slashed>(&rc).unwrap();
    assert_eq!(
        (
            sl.provider,
            sl.jobId,
            sl.amount,
            sl.toBeneficiary,
            sl.burned
        ),
        (
            cheat,
            id,
            U256::from(10_000) * CT,
            U256::from(5_000) * CT,
            U256::from(5_000) * CT
        )
    );
    assert_eq!(
        event::<IJobEscrow::JobRefunded>(&rc).unwrap().refunded,
        max_cost
    );
    assert_eq!(
        t.balanceOf(alice).call().await.unwrap(),
        U256::from(5_100) * CT,
        "bond back + half the slash"
    );
    // Taken pro rata: 144 CT from the active stake, 9,856 CT from the unbonding request.
    let info = r.providerInfo(cheat).call().await.unwrap();
    assert_eq!(
        (
            info.activeStake,
            info.unbondingStake,
            info.lockedStake,
            info.openJobs,
            info.failedJobs
        ),
        (
            U256::from(1_296) * CT,
            U256::from(88_704) * CT,
            U256::ZERO,
            0,
            1
        )
    );
    assert_eq!(info.jailedUntil, env.now().await.unwrap() + 30 * DAY);

    // Now it may leave with what is left.
    let rc = send(r.withdraw().from(cheat)).await.unwrap();
    assert_eq!(
        event::<IProviderRegistry::Withdrawn>(&rc).unwrap().amount,
        U256::from(88_704) * CT
    );
    let end = holdings(&env, cheat).await;
    assert_eq!(
        end,
        start - U256::from(10_000) * CT,
        "the escape saved nothing: 10,000 CT lost, not 144"
    );
}

/// M-1, the deregister escape: a provider with an open job unbonds its free stake and tries to
/// deregister (which would unbond the rest). Refused while the job is open; when it abandons the
/// job, the timeout slashes 2.5% of the job's 10,000 CT penalty base (250 CT), taken pro rata from
/// the 20 CT still active and the 9,980 CT unbonding.
#[tokio::test]
async fn deregister_is_refused_while_a_job_is_open() {
    let env = Env::get().await;
    let (e, r, t) = (env.escrow(), env.registry(), env.token());
    let (alice, cheat) = (env.acc.alice, env.acc.p1);
    env.register_provider(cheat, 1, provider_stake())
        .await
        .unwrap();
    env.buy_credits(alice, U256::from(100) * CT).await.unwrap();
    let start = holdings(&env, cheat).await;
    let id = env.running_job(alice, cheat).await.unwrap(); // 20 USD: a 20 CT lock
    let lock = U256::from(20) * CT;
    send(r.requestUnbond(provider_stake() - lock).from(cheat))
        .await
        .unwrap();
    assert_revert(
        send(r.deregister().from(cheat)).await,
        IProviderRegistry::RegistryJobsOpen {
            _0: cheat,
            _1: U256::from(1),
        },
    );
    let info = r.providerInfo(cheat).call().await.unwrap();
    assert!(info.registered, "still registered");
    assert_eq!(info.openJobs, 1);

    // It abandons the job: anyone claims the timeout.
    env.warp(JOB_MAX_DURATION + 3_600).await.unwrap();
    let rc = send(e.claimTimeout(id).from(alice)).await.unwrap();
    let sl = event::<IProviderRegistry::Slashed>(&rc).unwrap();
    assert_eq!(
        (sl.amount, sl.toBeneficiary),
        (U256::from(250) * CT, U256::from(125) * CT)
    );
    assert_eq!(
        t.balanceOf(alice).call().await.unwrap(),
        U256::from(125) * CT
    );
    let info = r.providerInfo(cheat).call().await.unwrap();
    assert_eq!(
        (info.activeStake, info.unbondingStake, info.openJobs),
        (milli_ct(19_500), milli_ct(9_730_500), 0)
    );

    // Only now may it deregister: the 19.5 CT left active starts unbonding.
    let rc = send(r.deregister().from(cheat)).await.unwrap();
    assert_eq!(
        event::<IProviderRegistry::Deregistered>(&rc)
            .unwrap()
            .amount,
        milli_ct(19_500)
    );
    assert!(!r.providerInfo(cheat).call().await.unwrap().registered);
    assert_eq!(
        holdings(&env, cheat).await,
        start - U256::from(250) * CT,
        "the abandoned job cost 250 CT"
    );
}

/// M-3, the stale oracle: with the feed stale (older than `maxPriceAge`) a requester can still
/// dispute — the bond falls back to `minDisputeBond` (100 CT, where a fresh quote would ask
/// 250 CT) — and the arbitrator can still rule the provider at fault (refund, slash, jail: no
/// price needed). A ruling for the provider burns the bond; the settlement waits for a price.
#[tokio::test]
async fn a_stale_oracle_does_not_block_disputes_or_rulings() {
    let env = Env::get().await;
    let (e, c, r, t) = (env.escrow(), env.controller(), env.registry(), env.token());
    let (alice, cheat) = (env.acc.alice, env.acc.p1);
    let stake = U256::from(30_000) * CT;
    env.register_provider(cheat, 1, stake).await.unwrap();
    env.buy_credits(alice, U256::from(5_100) * CT)
        .await
        .unwrap();
    fund_bonds(&env, alice, U256::from(200) * CT).await;
    // j1: 1 GPU, 1 h at 10,000 USD (a 10,000 CT lock); j2: 1 h at 2 USD.
    let (j1, _) = env
        .create_job(alice, cheat, 1, 3_600, U256::from(10_000) * USD)
        .await
        .unwrap();
    let (j2, _) = env
        .create_job(alice, cheat, 1, 3_600, U256::from(2) * USD)
        .await
        .unwrap();
    for id in [j1, j2] {
        send(e.acceptJob(id).from(cheat)).await.unwrap();
        send(e.submitResult(id, keccak256(b"junk"), 3_600).from(cheat))
            .await
            .unwrap();
    }
    assert_eq!(
        r.jobLock(cheat, j1).call().await.unwrap().penaltyBase,
        stake
    );
    // With a fresh price j1's bond would be 5% of 10,000 USD = 500 USD = 250 CT.
    assert_eq!(
        c.quoteTokens(U256::from(500) * USD).call().await.unwrap(),
        U256::from(250) * CT
    );
    let start = holdings(&env, cheat).await;

    // The feed goes stale and stays stale to the end of the challenge window.
    let updated_at = env.feed().latestRoundData().call().await.unwrap().updatedAt;
    env.warp_stale(DAY - 60).await.unwrap();
    let stale = IBmeController::BmeStalePrice {
        _0: updated_at,
        _1: U256::from(600),
    };
    assert_revert(c.price().call().await, stale.clone());
    assert_revert(c.quoteTokens(USD).call().await, stale.clone());

    for id in [j1, j2] {
        let rc = send(e.disputeResult(id, keccak256(b"evidence")).from(alice))
            .await
            .unwrap();
        assert_eq!(
            event::<IJobEscrow::JobDisputed>(&rc).unwrap().bond,
            U256::from(100) * CT,
            "minDisputeBond while the oracle is stale"
        );
    }
    assert_eq!(t.balanceOf(alice).call().await.unwrap(), U256::ZERO);

    // Ruled for the requester with the oracle still stale: refund, 10% of the 30,000 CT base
    // slashed (half to alice), jail, bond back.
    let rc = send(e.resolveDispute(j1, true).from(env.acc.arbitrator))
        .await
        .unwrap();
    assert_eq!(
        event::<IJobEscrow::JobRefunded>(&rc).unwrap().refunded,
        U256::from(10_000) * USD
    );
    let sl = event::<IProviderRegistry::Slashed>(&rc).unwrap();
    assert_eq!(
        (sl.amount, sl.toBeneficiary),
        (U256::from(3_000) * CT, U256::from(1_500) * CT)
    );
    assert_eq!(env.job(j1).await.unwrap().state, state::REFUNDED);
    assert_eq!(
        t.balanceOf(alice).call().await.unwrap(),
        U256::from(1_600) * CT,
        "bond back + half the slash"
    );
    assert!(!r.isEligible(cheat).call().await.unwrap(), "jailed");

    // Ruled for the provider: the bond burns and the job waits for a price to settle.
    let rc = send(e.resolveDispute(j2, false).from(env.acc.arbitrator))
        .await
        .unwrap();
    assert!(event::<IJobEscrow::BondReleased>(&rc).unwrap().burned);
    assert_eq!(env.job(j2).await.unwrap().state, state::SUBMITTED);
    assert_call_failed(
        send(e.finalize(j2).from(alice)).await,
        env.addrs.controller,
        stale,
    );
    env.refresh_price().await.unwrap();
    let rc = send(e.finalize(j2).from(alice)).await.unwrap();
    let s = event::<IBmeController::Settled>(&rc).unwrap();
    assert_eq!(s.tokensPaid, milli_ct(975), "2 USD less the fee at $2");
    assert_eq!(env.job(j2).await.unwrap().state, state::COMPLETED);
    assert_eq!(
        t.balanceOf(alice).call().await.unwrap(),
        U256::from(1_600) * CT
    );

    // The cheat's junk earned 0.975 CT (the job ruled for it) and cost it 3,000 CT.
    let end = holdings(&env, cheat).await;
    assert_eq!(end, start - U256::from(3_000) * CT + milli_ct(975));
    assert!(end < start);
}

/// L-1: a provider cannot accept a job for more GPUs than it registered; the registry refuses the
/// lock and the escrow passes its error on.
#[tokio::test]
async fn accept_refused_for_more_gpus_than_registered() {
    let env = Env::get().await;
    let (e, r) = (env.escrow(), env.registry());
    let (alice, small) = (env.acc.alice, env.acc.p1);
    env.register_provider(small, 1, provider_stake())
        .await
        .unwrap();
    env.buy_credits(alice, U256::from(100) * CT).await.unwrap();
    // 8 GPUs for 1 h at 2 USD: maxCost 16 USD, a 16 CT lock (well within its free stake).
    let (named, _) = env
        .create_job(alice, small, 8, 3_600, U256::from(2) * USD)
        .await
        .unwrap();
    let (open, _) = env
        .create_job(alice, Address::ZERO, 8, 3_600, U256::from(2) * USD)
        .await
        .unwrap();
    let refused = IProviderRegistry::RegistryInsufficientGpus {
        _0: small,
        _1: 8,
        _2: 1,
    };
    for id in [named, open] {
        assert_call_failed(
            send(e.acceptJob(id).from(small)).await,
            env.addrs.registry,
            refused.clone(),
        );
        assert_eq!(env.job(id).await.unwrap().state, state::OPEN);
    }
    let info = r.providerInfo(small).call().await.unwrap();
    assert_eq!((info.openJobs, info.lockedStake), (0, U256::ZERO));
    // With 8 GPUs registered (6,600 CT required, 10,000 staked) it may.
    send(
        r.updateProfile(param("H100"), 8, 80, param("eu-west"), String::new())
            .from(small),
    )
    .await
    .unwrap();
    send(e.acceptJob(named).from(small)).await.unwrap();
    assert_eq!(
        r.jobLock(small, named).call().await.unwrap().amount,
        U256::from(16) * CT
    );
}

/// H-2, the ruling made impossible, in v1's exact sequence: victim job V is accepted; a sybil's
/// job A with a 40× larger lock is accepted by the same provider and abandoned (timed out); in v1
/// the slash clamped the provider's single `locked` figure and releasing A left V unbacked, the
/// provider deregistered, and every `resolveDispute(V, true)` reverted because `jail` needed a
/// registered provider. v2: per-job locks, so V's lock survives A's slash exactly; deregistration
/// is refused while V is open; and the ruling refunds, slashes 10% of V's penalty base and jails.
#[tokio::test]
async fn a_fraud_ruling_cannot_be_made_impossible() {
    let env = Env::get().await;
    let (e, r) = (env.escrow(), env.registry());
    let (alice, sybil, cheat) = (env.acc.alice, env.acc.bob, env.acc.p1);
    env.register_provider(cheat, 1, provider_stake())
        .await
        .unwrap();
    env.buy_credits(alice, U256::from(100) * CT).await.unwrap();
    env.buy_credits(sybil, U256::from(500) * CT).await.unwrap();
    fund_bonds(&env, alice, U256::from(100) * CT).await;

    // V: the standard job (20 USD, a 20 CT lock at $2 and 2× collateral); the cheat submits junk.
    let v = env.running_job(alice, cheat).await.unwrap();
    let v_lock = U256::from(20) * CT;
    assert_eq!(r.jobLock(cheat, v).call().await.unwrap().amount, v_lock);
    send(e.submitResult(v, keccak256(b"junk"), 3_600).from(cheat))
        .await
        .unwrap();
    // A: the sybil's job, 40× V's lock (800 USD → 800 CT), accepted and then abandoned.
    let (a, _) = env
        .create_job(sybil, cheat, 1, JOB_MAX_DURATION, U256::from(400) * USD)
        .await
        .unwrap();
    send(e.acceptJob(a).from(cheat)).await.unwrap();
    assert_eq!(
        r.providerInfo(cheat).call().await.unwrap().lockedStake,
        v_lock + U256::from(800) * CT
    );
    env.warp(JOB_MAX_DURATION + 3_600).await.unwrap();
    let rc = send(e.claimTimeout(a).from(sybil)).await.unwrap();
    // 2.5% of A's penalty base (the 10,000 CT held at acceptance).
    assert_eq!(
        event::<IProviderRegistry::Slashed>(&rc).unwrap().amount,
        U256::from(250) * CT
    );
    // V's lock is untouched, and it is all the provider has locked.
    assert_eq!(r.jobLock(cheat, v).call().await.unwrap().amount, v_lock);
    let info = r.providerInfo(cheat).call().await.unwrap();
    assert_eq!((info.lockedStake, info.openJobs), (v_lock, 1));

    // The escape: deregistering is refused while V is open.
    assert_revert(
        send(r.deregister().from(cheat)).await,
        IProviderRegistry::RegistryJobsOpen {
            _0: cheat,
            _1: U256::from(1),
        },
    );

    // The ruling goes through: full refund, 10% of V's base (10,000 CT) slashed, 30-day jail.
    send(e.disputeResult(v, keccak256(b"wrong output")).from(alice))
        .await
        .unwrap();
    let credits_before = env
        .controller()
        .creditBalanceOf(alice)
        .call()
        .await
        .unwrap();
    let rc = send(e.resolveDispute(v, true).from(env.acc.arbitrator))
        .await
        .unwrap();
    let sl = event::<IProviderRegistry::Slashed>(&rc).unwrap();
    assert_eq!(
        (sl.jobId, sl.amount, sl.toBeneficiary, sl.beneficiary),
        (v, U256::from(1_000) * CT, U256::from(500) * CT, alice)
    );
    let jailed = event::<IProviderRegistry::Jailed>(&rc).unwrap();
    assert_eq!(jailed.until, env.now().await.unwrap() + 30 * DAY);
    assert_eq!(env.job(v).await.unwrap().state, state::REFUNDED);
    assert_eq!(
        env.controller()
            .creditBalanceOf(alice)
            .call()
            .await
            .unwrap(),
        credits_before + U256::from(20) * USD
    );
    let info = r.providerInfo(cheat).call().await.unwrap();
    assert_eq!(
        (info.activeStake, info.lockedStake, info.openJobs),
        (U256::from(8_750) * CT, U256::ZERO, 0)
    );
    assert!(!r.isEligible(cheat).call().await.unwrap(), "jailed");
}

/// L-2: an L2 sequencer-uptime round with `startedAt == 0` (Chainlink's feeds answer so for a round
/// that is not initialised) was read as "up since 1970", which passed the grace-period check. Now
/// the controller refuses it with `BmeSequencerRoundInvalid()`. Played with the ManualPriceFeed as the
/// sequencer feed: answer 0 (up), `startedAt` 0.
#[tokio::test]
async fn a_sequencer_round_without_a_start_is_refused() {
    let env = Env::get().await;
    let (c, f, admin) = (env.controller(), env.feed(), env.acc.admin);
    send(c.setSequencerFeed(env.addrs.price_feed).from(admin))
        .await
        .unwrap();
    let now = env.now().await.unwrap();
    send(
        f.updateRoundData(alloy::primitives::I256::ZERO, U256::ZERO, U256::from(now))
            .from(admin),
    )
    .await
    .unwrap();
    assert_revert(
        c.price().call().await,
        IBmeController::BmeSequencerRoundInvalid {},
    );
    // The same "up" answer with a start over the grace hour ago passes the sequencer check: the price
    // check that follows then reads the same feed's answer, 0, and refuses it as a price.
    send(
        f.updateRoundData(
            alloy::primitives::I256::ZERO,
            U256::from(now - 3_601),
            U256::from(now),
        )
        .from(admin),
    )
    .await
    .unwrap();
    assert_revert(
        c.price().call().await,
        IBmeController::BmeInvalidPrice(alloy::primitives::I256::ZERO),
    );
}
