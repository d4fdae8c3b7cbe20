//! Emissions (ABI v2): settlements count each provider's fees of the epoch in the controller,
//! epochs finalise in order by anyone once over, each epoch's work pool is capped by its fees and
//! split by fees, the rest of the provider share streams to earning stake (a Synthetix
//! accumulator), parameters apply from the next epoch only, and a settlement the burn budget
//! cannot cover draws the reserve within the per-epoch draw cap (`drawReserve`, `SETTLER_ROLE`)
//! and owes the rest as an IOU paid in order by later burns.

use alloy::primitives::{Address, I256, U256};
use compute_market_e2e::bindings::{IBmeController, IComputeToken, IEmissions};
use compute_market_e2e::*;

const WAD: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

/// The default emission rate and draw cap (daily epochs): `1 − 2^(−1/1460)`.
fn rate() -> U256 {
    U256::from(474_645_000_000_000u64)
}

#[tokio::test]
async fn settler_reporter_and_admin_only_hooks() {
    let env = Env::get().await;
    let em = env.emissions();
    let settler = role("SETTLER_ROLE");
    let reporter = role("STAKE_REPORTER_ROLE");
    assert!(em
        .hasRole(settler, env.addrs.controller)
        .call()
        .await
        .unwrap());
    assert!(em
        .hasRole(reporter, env.addrs.registry)
        .call()
        .await
        .unwrap());
    for who in [env.acc.eve, env.acc.admin] {
        assert_revert(
            send(em.drawReserve(who, CT).from(who)).await,
            IEmissions::AccessControlUnauthorizedAccount {
                _0: who,
                _1: settler,
            },
        );
        assert_revert(
            send(em.setEarningStake(who, CT).from(who)).await,
            IEmissions::AccessControlUnauthorizedAccount {
                _0: who,
                _1: reporter,
            },
        );
    }
    // The escrow is not a settler either (only the controller is).
    env.impersonate(env.addrs.escrow).await.unwrap();
    let p = env.unsigned_provider().unwrap();
    assert_revert(
        send(
            IEmissions::new(env.addrs.emissions, &p)
                .drawReserve(env.addrs.escrow, CT)
                .from(env.addrs.escrow),
        )
        .await,
        IEmissions::AccessControlUnauthorizedAccount {
            _0: env.addrs.escrow,
            _1: settler,
        },
    );
    // The controller is set once, at deployment.
    assert_revert(
        send(em.setController(env.acc.eve).from(env.acc.eve)).await,
        IEmissions::AccessControlUnauthorizedAccount {
            _0: env.acc.eve,
            _1: alloy::primitives::B256::ZERO,
        },
    );
    assert_revert(
        send(em.setController(env.acc.eve).from(env.acc.admin)).await,
        IEmissions::EmissionsControllerAlreadySet(env.addrs.controller),
    );
    // Parameters: PARAMETER_ADMIN_ROLE only; unknown names refused.
    assert_revert(
        send(
            em.setParameter(param("workRewardCapBps"), U256::ZERO)
                .from(env.acc.eve),
        )
        .await,
        IEmissions::AccessControlUnauthorizedAccount {
            _0: env.acc.eve,
            _1: role("PARAMETER_ADMIN_ROLE"),
        },
    );
    assert_revert(
        em.parameter(param("nope")).call().await,
        IEmissions::UnknownParameter(param("nope")),
    );
}

#[tokio::test]
async fn epochs_finalise_and_work_rewards_split_by_fees() {
    let env = Env::get().await;
    env.market().await.unwrap();
    // A fresh epoch with everything before it finalised.
    let epoch = env.fresh_epoch().await.unwrap();
    let (em, e, t, c) = (env.emissions(), env.escrow(), env.token(), env.controller());
    let (alice, bob, p1, p2) = (env.acc.alice, env.acc.bob, env.acc.p1, env.acc.p2);

    let j1 = env.submitted_job(alice, p1, 3_600).await.unwrap(); // 10 USD
    let j2 = env.submitted_job(bob, p2, 7_200).await.unwrap(); // 20 USD
    send(e.approveResult(j1).from(alice)).await.unwrap();
    send(e.approveResult(j2).from(bob)).await.unwrap();
    // Each settlement counts its fee's CT value as the provider's fees of the epoch: 2.5% of
    // 10 USD = 0.25 USD = 0.125 CT at $2, and 0.25 CT for the 20 USD job.
    let f1 = U256::from(125) * CT / U256::from(1_000);
    let f2 = U256::from(250) * CT / U256::from(1_000);
    let fees = f1 + f2;
    assert_eq!(c.providerFees(p1, epoch).call().await.unwrap(), f1);
    assert_eq!(c.providerFees(p2, epoch).call().await.unwrap(), f2);
    assert_eq!(c.epochStats(epoch).call().await.unwrap().feeTokens, fees);

    // Not claimable (nor finalisable) while the epoch runs.
    assert_revert(
        send(em.claimRewards(vec![epoch]).from(p1)).await,
        IEmissions::EmissionsEpochNotFinalized(epoch),
    );
    assert_eq!(
        em.finalizeEpochs(U256::from(64)).call().await.unwrap(),
        U256::ZERO
    );

    env.warp(EPOCH_LENGTH).await.unwrap();
    assert_eq!(
        em.currentEpoch().call().await.unwrap(),
        epoch + U256::from(1)
    );
    let reserve = em.emissionReserve().call().await.unwrap();
    assert_eq!(
        em.parameter(param("emissionRateWad")).call().await.unwrap(),
        rate()
    );
    let tre_bal = t.balanceOf(env.acc.treasury).call().await.unwrap();
    let streamed0 = em.stakeStats().call().await.unwrap().streamed;
    let rc = send(em.finalizeEpochs(U256::from(64)).from(env.acc.eve))
        .await
        .unwrap();
    let ev = event::<IEmissions::EpochFinalized>(&rc).unwrap();
    let emission = reserve * rate() / WAD;
    let treasury = emission * U256::from(1_000) / U256::from(10_000);
    let share = emission - treasury;
    // The work pool is the epoch's fees (workRewardCapBps = 1×), far below the provider share; the
    // rest of the share streams to earning stake (p1 and p2 are staked).
    assert_eq!(
        (
            ev.epoch,
            ev.emitted,
            ev.treasuryAmount,
            ev.workPool,
            ev.stakePool,
            ev.fees
        ),
        (epoch, emission, treasury, fees, share - fees, fees)
    );
    assert_eq!(
        t.balanceOf(env.acc.treasury).call().await.unwrap(),
        tre_bal + treasury
    );
    assert_eq!(
        em.emissionReserve().call().await.unwrap(),
        reserve - emission
    );
    let st = em.epochStats(epoch).call().await.unwrap();
    assert_eq!(
        (st.fees, st.emitted, st.workPool, st.workCap, st.stakePool),
        (fees, emission, fees, fees, share - fees)
    );
    let ss = em.stakeStats().call().await.unwrap();
    assert_eq!(ss.streamed, streamed0 + share - fees);
    assert_eq!(ss.totalEarning, U256::from(2) * provider_stake());

    // Work rewards pro rata to fees: each provider gets back exactly the fee it paid.
    assert_eq!(em.pendingReward(epoch, p1).call().await.unwrap(), f1);
    assert_eq!(em.pendingReward(epoch, p2).call().await.unwrap(), f2);
    let b1 = t.balanceOf(p1).call().await.unwrap();
    let rc = send(em.claimRewards(vec![epoch]).from(p1)).await.unwrap();
    let ev = event::<IEmissions::RewardsClaimed>(&rc).unwrap();
    assert_eq!((ev.provider, ev.epoch, ev.amount), (p1, epoch, f1));
    // The same call pays p1's stake rewards accrued so far, in one mint.
    let stake = event::<IEmissions::StakeRewardsClaimed>(&rc).unwrap();
    assert_eq!(stake.provider, p1);
    assert!(stake.amount > U256::ZERO, "p1 earned from the stake stream");
    let m = event::<IComputeToken::Transfer>(&rc).unwrap();
    assert_eq!(
        (m.from, m.to, m.value),
        (Address::ZERO, p1, f1 + stake.amount)
    );
    assert_eq!(
        t.balanceOf(p1).call().await.unwrap(),
        b1 + f1 + stake.amount
    );
    assert_revert(
        send(em.claimRewards(vec![epoch]).from(p1)).await,
        IEmissions::EmissionsAlreadyClaimed(epoch),
    );
    assert_eq!(
        em.pendingReward(epoch, p1).call().await.unwrap(),
        U256::ZERO
    );
    let rc = send(em.claimRewards(vec![epoch]).from(p2)).await.unwrap();
    assert_eq!(event::<IEmissions::RewardsClaimed>(&rc).unwrap().amount, f2);
    assert_eq!(
        em.pendingReward(epoch, p2).call().await.unwrap(),
        U256::ZERO
    );
    assert!(f1 + f2 <= st.workPool);
    // A provider without fees in the epoch has no work reward (the claim still marks it).
    let rc = send(em.claimRewards(vec![epoch]).from(env.acc.eve))
        .await
        .unwrap();
    assert_eq!(
        event::<IEmissions::RewardsClaimed>(&rc).unwrap().amount,
        U256::ZERO
    );
    assert_revert(
        send(em.claimRewards(vec![U256::ZERO; 33]).from(p1)).await,
        IEmissions::EmissionsTooManyEpochs {
            _0: U256::from(33),
            _1: U256::from(32),
        },
    );
    assert_revert(
        send(em.claimRewards(vec![epoch + U256::from(1)]).from(p1)).await,
        IEmissions::EmissionsEpochNotFinalized(epoch + U256::from(1)),
    );
    let s = em.supplyStats().call().await.unwrap();
    assert_eq!(
        s.emitted - s.returned + s.drawn + s.reserve,
        s.initialReserve,
        "emitted − returned + drawn + reserve = initialReserve"
    );
}

/// The stake part of each emission streams over the next epoch to earning stake: equal stakes earn
/// equally, stake added mid-stream earns only from then on, and what is claimed is what accrued.
#[tokio::test]
async fn stake_rewards_stream_to_earning_stake_for_the_time_it_is_staked() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let em = env.emissions();
    let (p1, p2, p3) = (env.acc.p1, env.acc.p2, env.acc.p3);
    assert_eq!(em.earningStake(p1).call().await.unwrap(), provider_stake());
    assert_eq!(
        em.earnedStakeRewards(p1).call().await.unwrap(),
        U256::ZERO,
        "no stream has run yet"
    );
    // Finalising the past epochs (no fees, earning stake) starts a stream of their stake pools.
    env.fresh_epoch().await.unwrap();
    let ss = em.stakeStats().call().await.unwrap();
    assert!(ss.streamed > U256::ZERO && ss.rewardRateWad > U256::ZERO);
    let finish = ss.periodFinish;
    let now = env.now().await.unwrap();
    assert!(finish > now && finish <= now + EPOCH_LENGTH);

    // Halfway, p3 stakes as much as each of the others.
    env.warp(EPOCH_LENGTH / 2).await.unwrap();
    let mid1 = em.earnedStakeRewards(p1).call().await.unwrap();
    assert!(mid1 > U256::ZERO);
    assert_eq!(mid1, em.earnedStakeRewards(p2).call().await.unwrap());
    env.register_provider(p3, 1, provider_stake())
        .await
        .unwrap();
    let joined = env.now().await.unwrap();
    assert_eq!(
        em.stakeStats().call().await.unwrap().totalEarning,
        U256::from(3) * provider_stake()
    );

    // After the stream ends nothing more accrues.
    env.warp(EPOCH_LENGTH).await.unwrap();
    let r1 = em.earnedStakeRewards(p1).call().await.unwrap();
    let r2 = em.earnedStakeRewards(p2).call().await.unwrap();
    let r3 = em.earnedStakeRewards(p3).call().await.unwrap();
    assert_eq!(r1, r2, "equal stakes for equal times earn equally");
    // p3 earned a third of the stream from its stake on: rate × (finish − joined) / 3.
    let per_stake =
        ss.rewardRateWad * U256::from(finish - joined) / (U256::from(3) * provider_stake());
    assert_eq!(r3, provider_stake() * per_stake / WAD);
    // p1 earned what it had mid-stream plus (at least) p3's share from then on: p3 earns only for
    // the time it is staked. (The accumulator rounds down per update: a few wei.)
    assert!(r3 < r1, "p3 earns less than p1 ({r3} vs {r1})");
    assert!(
        r1 - r3 + U256::from(1_000_000u64) >= mid1,
        "p1 − p3 = {} ≥ p1's {mid1} before p3 joined",
        r1 - r3
    );
    let ss = em.stakeStats().call().await.unwrap();
    assert!(r1 + r2 + r3 <= ss.streamed - ss.paid - ss.returned);
    assert!(
        r1 + r2 + r3 + U256::from(1_000_000_000_000u64) >= ss.streamed,
        "the whole stream is earned but for rounding: {} of {}",
        r1 + r2 + r3,
        ss.streamed
    );
    env.warp(3_600).await.unwrap();
    assert_eq!(em.earnedStakeRewards(p1).call().await.unwrap(), r1);

    // An empty claim pays the stake rewards alone.
    let t = env.token();
    let b1 = t.balanceOf(p1).call().await.unwrap();
    let rc = send(em.claimRewards(vec![]).from(p1)).await.unwrap();
    let ev = event::<IEmissions::StakeRewardsClaimed>(&rc).unwrap();
    assert_eq!((ev.provider, ev.amount), (p1, r1));
    assert!(events::<IEmissions::RewardsClaimed>(&rc).is_empty());
    assert_eq!(t.balanceOf(p1).call().await.unwrap(), b1 + r1);
    assert_eq!(em.earnedStakeRewards(p1).call().await.unwrap(), U256::ZERO);
    assert_eq!(em.stakeStats().call().await.unwrap().paid, ss.paid + r1);
}

/// Parameter changes never reach back: a new `workRewardCapBps` applies from the epoch after the
/// change, and only once every past epoch is final.
#[tokio::test]
async fn parameters_apply_from_the_next_epoch() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let em = env.emissions();
    let (alice, p1) = (env.acc.alice, env.acc.p1);
    let name = param("workRewardCapBps");
    // Past epochs still to finalise: refused.
    env.warp(EPOCH_LENGTH).await.unwrap();
    let next = em.nextEpochToFinalize().call().await.unwrap();
    let current = em.currentEpoch().call().await.unwrap();
    assert!(next < current);
    assert_revert(
        send(em.setParameter(name, U256::from(5_000)).from(env.acc.admin)).await,
        IEmissions::EmissionsEpochsPending {
            _0: next,
            _1: current,
        },
    );
    let e0 = env.fresh_epoch().await.unwrap();
    assert_revert(
        send(
            em.setParameter(name, U256::from(10_001))
                .from(env.acc.admin),
        )
        .await,
        IEmissions::ParameterOutOfBounds {
            _0: name,
            _1: U256::from(10_001),
            _2: U256::ZERO,
            _3: U256::from(10_000),
        },
    );
    let rc = send(em.setParameter(name, U256::from(5_000)).from(env.acc.admin))
        .await
        .unwrap();
    let up = event::<IEmissions::ParameterUpdated>(&rc).unwrap();
    assert_eq!(
        (up.name, up.oldValue, up.newValue),
        (name, U256::from(10_000), U256::from(5_000))
    );
    let e1 = e0 + U256::from(1);
    assert_eq!(em.parameter(name).call().await.unwrap(), U256::from(5_000));
    assert_eq!(
        em.parameterAt(name, e0).call().await.unwrap(),
        U256::from(10_000)
    );
    assert_eq!(
        em.parameterAt(name, e1).call().await.unwrap(),
        U256::from(5_000)
    );

    // A 10 USD job in each epoch: its fee is 0.125 CT.
    let fee = U256::from(125) * CT / U256::from(1_000);
    for _ in 0..2 {
        let id = env.submitted_job(alice, p1, 3_600).await.unwrap();
        send(env.escrow().approveResult(id).from(alice))
            .await
            .unwrap();
        env.warp(EPOCH_LENGTH).await.unwrap();
    }
    env.finalize_all_epochs().await.unwrap();
    let s0 = em.epochStats(e0).call().await.unwrap();
    let s1 = em.epochStats(e1).call().await.unwrap();
    assert_eq!(
        (s0.fees, s0.workCap, s0.workPool),
        (fee, fee, fee),
        "1× in e0"
    );
    assert_eq!(
        (s1.fees, s1.workCap, s1.workPool),
        (fee, fee / U256::from(2), fee / U256::from(2)),
        "0.5× from e1"
    );
    let rc = send(em.claimRewards(vec![e0, e1]).from(p1)).await.unwrap();
    let paid: Vec<_> = events::<IEmissions::RewardsClaimed>(&rc)
        .into_iter()
        .map(|(_, ev)| (ev.epoch, ev.amount))
        .collect();
    assert_eq!(paid, vec![(e0, fee), (e1, fee / U256::from(2))]);
}

#[tokio::test]
async fn settlement_beyond_the_burn_budget_draws_the_reserve() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (c, em, t, f) = (env.controller(), env.emissions(), env.token(), env.feed());
    let (alice, p1) = (env.acc.alice, env.acc.p1);
    let id = env.submitted_job(alice, p1, 3_600).await.unwrap();
    let budget = c.supplyStats().call().await.unwrap().burnBudget;
    assert_eq!(budget, U256::from(2_000) * CT);
    let reserve = em.emissionReserve().call().await.unwrap();
    let cap = reserve * rate() / WAD;
    assert_eq!(em.drawable().call().await.unwrap(), cap);
    // CT crashes to $0.001: 9.75 USD net is now 9,750 CT, beyond the 2,000 CT budget.
    send(
        f.updateAnswer(I256::try_from(100_000i64).unwrap())
            .from(env.acc.admin),
    )
    .await
    .unwrap();
    let bal = t.balanceOf(p1).call().await.unwrap();
    let rc = send(env.escrow().approveResult(id).from(alice))
        .await
        .unwrap();
    let s = event::<IBmeController::Settled>(&rc).unwrap();
    assert_eq!(s.tokensPaid, U256::from(9_750) * CT);
    assert_eq!(s.feeTokens, U256::from(250) * CT, "0.25 USD at $0.001");
    let epoch = em.currentEpoch().call().await.unwrap();
    let d = event::<IEmissions::ReserveDrawn>(&rc).unwrap();
    assert_eq!(
        (d.epoch, d.to, d.requested, d.drawn),
        (epoch, p1, U256::from(7_750) * CT, U256::from(7_750) * CT)
    );
    assert!(events::<IBmeController::OwedRecorded>(&rc).is_empty());
    // The budget is spent on the provider: nothing is left for the fee's treasury share or
    // retirement.
    let fd = event::<IBmeController::FeeDistributed>(&rc).unwrap();
    assert_eq!((fd.treasuryAmount, fd.retired), (U256::ZERO, U256::ZERO));
    assert_eq!(
        t.balanceOf(p1).call().await.unwrap(),
        bal + U256::from(9_750) * CT
    );
    let st = em.epochStats(epoch).call().await.unwrap();
    assert_eq!((st.drawn, st.drawCap), (U256::from(7_750) * CT, cap));
    assert_eq!(
        em.drawable().call().await.unwrap(),
        cap - U256::from(7_750) * CT
    );
    let cs = c.supplyStats().call().await.unwrap();
    let es = em.supplyStats().call().await.unwrap();
    assert_eq!(cs.burnBudget, U256::ZERO);
    assert_eq!(
        cs.mintedFromReserve, es.drawn,
        "controller's mintedFromReserve = emissions' drawn"
    );
    assert_eq!(cs.mintedFromReserve, U256::from(7_750) * CT);
    assert_eq!(
        cs.reminted + cs.retired + cs.burnBudget + cs.iouFunded + cs.treasuryAccrued,
        cs.burned,
        "reminted + retired + budget + iouFunded + treasuryAccrued = burned"
    );
    assert_eq!((cs.reminted, cs.owed), (budget, U256::ZERO));
    assert_eq!(
        es.reserve + es.drawn + es.emitted - es.returned,
        es.initialReserve
    );
    let q = c.iouQueue().call().await.unwrap();
    assert_eq!((q.count, q.owedTotal), (U256::ZERO, U256::ZERO));
    assert_revert(
        send(c.claimOwed(vec![]).from(p1)).await,
        IBmeController::BmeNothingToClaim {},
    );
    assert_revert(
        send(c.claimOwed(vec![U256::from(1)]).from(p1)).await,
        IBmeController::BmeNotIouOwner {
            _0: U256::from(1),
            _1: p1,
        },
    );
}

#[tokio::test]
async fn settlement_beyond_budget_and_draw_cap_records_an_iou_paid_in_order_by_later_burns() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (c, em, t, f) = (env.controller(), env.emissions(), env.token(), env.feed());
    let (alice, bob, p1, p2) = (env.acc.alice, env.acc.bob, env.acc.p1, env.acc.p2);
    let id = env.submitted_job(alice, p1, 3_600).await.unwrap();
    let later = env.submitted_job(bob, p2, 3_600).await.unwrap();
    let budget = c.supplyStats().call().await.unwrap().burnBudget;
    assert_eq!(budget, U256::from(2_000) * CT);
    let reserve = em.emissionReserve().call().await.unwrap();
    let cap = reserve * rate() / WAD;
    // CT at the feed's smallest answer, 1e-8 USD: 9.75 USD net is 975,000,000 CT, more than the
    // budget, the epoch's draw cap (≈ 166,126 CT) and the whole reserve together.
    send(
        f.updateAnswer(I256::try_from(1i64).unwrap())
            .from(env.acc.admin),
    )
    .await
    .unwrap();
    let owed_total = U256::from(975_000_000u64) * CT;
    let bal = t.balanceOf(p1).call().await.unwrap();
    let rc = send(env.escrow().approveResult(id).from(alice))
        .await
        .unwrap();
    // `tokensPaid` is what is minted now (budget + the draw cap); the rest is owed.
    let s = event::<IBmeController::Settled>(&rc).unwrap();
    assert_eq!(s.tokensPaid, budget + cap);
    // The controller draws exactly what `drawable()` allows: the epoch's draw cap.
    let d = event::<IEmissions::ReserveDrawn>(&rc).unwrap();
    assert_eq!((d.to, d.requested, d.drawn), (p1, cap, cap));
    let iou = owed_total - budget - cap;
    let o = event::<IBmeController::OwedRecorded>(&rc).unwrap();
    assert_eq!((o.provider, o.id, o.amount), (p1, U256::from(1), iou));
    assert_eq!(t.balanceOf(p1).call().await.unwrap(), bal + budget + cap);
    let i = c.iou(U256::from(1)).call().await.unwrap();
    assert_eq!(
        (i.provider, i.amount, i.paid, i.claimable),
        (p1, iou, U256::ZERO, U256::ZERO)
    );
    let q = c.iouQueue().call().await.unwrap();
    assert_eq!(
        (q.count, q.owedTotal, q.fundedTotal),
        (U256::from(1), iou, U256::ZERO)
    );
    assert_eq!(em.drawable().call().await.unwrap(), U256::ZERO, "cap used");
    assert_eq!(
        em.emissionReserve().call().await.unwrap(),
        reserve - cap,
        "the reserve keeps all but one epoch's draw cap"
    );
    let cs = c.supplyStats().call().await.unwrap();
    assert_eq!(cs.owed, iou, "supplyStats().owed");
    assert_eq!(
        c.epochStats(em.currentEpoch().call().await.unwrap())
            .call()
            .await
            .unwrap()
            .owedRecorded,
        iou
    );
    assert!(t.totalSupply().call().await.unwrap() <= max_supply());

    // Nothing to pay it from yet: the budget is empty.
    assert_revert(
        send(c.claimOwed(vec![U256::from(1)]).from(p1)).await,
        IBmeController::BmeNothingToClaim {},
    );
    // Only its owner claims an IOU.
    assert_revert(
        send(c.claimOwed(vec![U256::from(1)]).from(bob)).await,
        IBmeController::BmeNotIouOwner {
            _0: U256::from(1),
            _1: bob,
        },
    );

    // The price recovers. A later settlement takes its place at the back of the line: while an IOU
    // waits nothing is drawn from the reserve, even in a new epoch with a fresh draw cap.
    env.warp(EPOCH_LENGTH).await.unwrap();
    assert!(em.drawable().call().await.unwrap() > U256::ZERO);
    let p2_bal = t.balanceOf(p2).call().await.unwrap();
    let rc = send(env.escrow().approveResult(later).from(bob))
        .await
        .unwrap();
    let net = U256::from(4_875) * CT / U256::from(1_000);
    let s = event::<IBmeController::Settled>(&rc).unwrap();
    assert_eq!(s.tokensPaid, U256::ZERO);
    assert!(events::<IEmissions::ReserveDrawn>(&rc).is_empty());
    let o = event::<IBmeController::OwedRecorded>(&rc).unwrap();
    assert_eq!((o.provider, o.id, o.amount), (p2, U256::from(2), net));
    assert_eq!(t.balanceOf(p2).call().await.unwrap(), p2_bal);

    // A buyer burns 5,000 CT for credits: the burn funds the line from its front (IOU 1), not the
    // budget; p1 claims it, re-minted without exceeding the cap.
    let rc = {
        let tokens = U256::from(5_000) * CT;
        env.fund(bob, tokens).await.unwrap();
        send(t.approve(env.addrs.controller, tokens).from(bob))
            .await
            .unwrap();
        send(c.buyCredits(tokens, U256::ZERO, bob).from(bob))
            .await
            .unwrap()
    };
    let refill = U256::from(5_000) * CT;
    let funded = event::<IBmeController::IousFunded>(&rc).unwrap();
    assert_eq!(
        (funded.funded, funded.fundedTotal, funded.owedTotal),
        (refill, refill, iou + net)
    );
    let cs = c.supplyStats().call().await.unwrap();
    assert_eq!((cs.burnBudget, cs.iouFunded), (U256::ZERO, refill));
    assert_eq!(c.iou(U256::from(1)).call().await.unwrap().claimable, refill);
    assert_eq!(
        c.iou(U256::from(2)).call().await.unwrap().claimable,
        U256::ZERO
    );
    // IOU 2 is behind IOU 1: nothing for p2 yet.
    assert_revert(
        send(c.claimOwed(vec![U256::from(2)]).from(p2)).await,
        IBmeController::BmeNothingToClaim {},
    );
    let bal = t.balanceOf(p1).call().await.unwrap();
    let rc = send(c.claimOwed(vec![U256::from(1)]).from(p1))
        .await
        .unwrap();
    let claimed = event::<IBmeController::OwedClaimed>(&rc).unwrap();
    assert_eq!(
        (claimed.provider, claimed.id, claimed.amount),
        (p1, U256::from(1), refill)
    );
    assert_eq!(t.balanceOf(p1).call().await.unwrap(), bal + refill);
    let i = c.iou(U256::from(1)).call().await.unwrap();
    assert_eq!((i.paid, i.claimable), (refill, U256::ZERO));
    let cs = c.supplyStats().call().await.unwrap();
    assert_eq!(cs.owed, iou - refill + net);
    assert_eq!((cs.burnBudget, cs.iouFunded), (U256::ZERO, U256::ZERO));
    assert_eq!(
        cs.reminted + cs.retired + cs.burnBudget + cs.iouFunded + cs.treasuryAccrued,
        cs.burned,
        "reminted + retired + budget + iouFunded + treasuryAccrued = burned"
    );
    assert_revert(
        send(c.claimOwed(vec![U256::from(1)]).from(p1)).await,
        IBmeController::BmeNothingToClaim {},
    );
    assert!(t.totalSupply().call().await.unwrap() <= max_supply());
}
