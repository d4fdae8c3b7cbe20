//! Emissions: settlement records work (`recordWork` by the controller), epochs finalise in order
//! by anyone once over, providers claim pro rata, and a settlement the burn budget cannot cover
//! draws the reserve (`drawReserve` by the controller). Both hooks are `SETTLER_ROLE`-only.

use alloy::primitives::{I256, U256};
use compute_market_e2e::bindings::{IBmeController, IComputeToken, IEmissions};
use compute_market_e2e::*;

#[tokio::test]
async fn settler_only_hooks() {
    let env = Env::get().await;
    let em = env.emissions();
    let settler = role("SETTLER_ROLE");
    assert_eq!(em.settlerRole().call().await.unwrap(), settler);
    for who in [env.acc.eve, env.acc.admin] {
        let e = IEmissions::AccessControlUnauthorizedAccount {
            _0: who,
            _1: settler,
        };
        assert_revert(send(em.recordWork(who, USD).from(who)).await, e.clone());
        assert_revert(send(em.drawReserve(who, CT).from(who)).await, e);
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
}

#[tokio::test]
async fn epochs_finalise_and_rewards_split_by_work() {
    let env = Env::get().await;
    env.market().await.unwrap();
    // Start from a fresh epoch with everything before it finalised.
    env.finalize_all_epochs().await.unwrap();
    let (em, e, t) = (env.emissions(), env.escrow(), env.token());
    let (alice, bob, p1, p2) = (env.acc.alice, env.acc.bob, env.acc.p1, env.acc.p2);
    let epoch = em.currentEpoch().call().await.unwrap();

    let j1 = env.submitted_job(alice, p1, 3_600).await.unwrap(); // 10 USD
    let j2 = env.submitted_job(bob, p2, 7_200).await.unwrap(); // 20 USD
    let rc = send(e.approveResult(j1).from(alice)).await.unwrap();
    let w1 = event::<IEmissions::WorkRecorded>(&rc).unwrap();
    assert_eq!(
        (w1.epoch, w1.provider, w1.credits),
        (epoch, p1, U256::from(9_750_000))
    );
    let rc = send(e.approveResult(j2).from(bob)).await.unwrap();
    let w2 = event::<IEmissions::WorkRecorded>(&rc).unwrap();
    assert_eq!(
        (w2.epoch, w2.provider, w2.credits),
        (epoch, p2, U256::from(19_500_000))
    );
    assert_eq!(em.providerWork(epoch, p1).call().await.unwrap(), w1.credits);

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
    let reserve = em.emissionReserve().call().await.unwrap();
    let rate = em.parameter(param("emissionRateWad")).call().await.unwrap();
    assert_eq!(rate, U256::from(474_645_000_000_000u64));
    let tre_bal = t.balanceOf(env.acc.treasury).call().await.unwrap();
    let rcs = env.finalize_all_epochs().await.unwrap();
    let fin: Vec<_> = rcs
        .iter()
        .flat_map(events::<IEmissions::EpochFinalized>)
        .collect();
    let (_, ev) = fin
        .iter()
        .find(|(_, ev)| ev.epoch == epoch)
        .expect("EpochFinalized")
        .clone();
    let emission = reserve * rate / U256::from(10u64).pow(U256::from(18));
    let treasury = emission * U256::from(1_000) / U256::from(10_000);
    assert_eq!(
        (ev.emission, ev.treasuryAmount, ev.work),
        (emission, treasury, U256::from(29_250_000))
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
    let share = emission - treasury;
    assert_eq!(
        (st.work, st.emitted, st.providerShare),
        (U256::from(29_250_000), emission, share)
    );

    // Rewards pro rata to work: p2 did twice p1's.
    let r1 = share * U256::from(9_750_000) / U256::from(29_250_000);
    let r2 = share * U256::from(19_500_000) / U256::from(29_250_000);
    assert_eq!(em.pendingReward(epoch, p1).call().await.unwrap(), r1);
    let b1 = t.balanceOf(p1).call().await.unwrap();
    let rc = send(em.claimRewards(vec![epoch]).from(p1)).await.unwrap();
    let ev = event::<IEmissions::RewardsClaimed>(&rc).unwrap();
    assert_eq!((ev.provider, ev.epoch, ev.amount), (p1, epoch, r1));
    let m = event::<IComputeToken::Transfer>(&rc).unwrap();
    assert_eq!((m.to, m.value), (p1, r1));
    assert_eq!(t.balanceOf(p1).call().await.unwrap(), b1 + r1);
    assert_revert(
        send(em.claimRewards(vec![epoch]).from(p1)).await,
        IEmissions::EmissionsAlreadyClaimed(epoch),
    );
    send(em.claimRewards(vec![epoch]).from(p2)).await.unwrap();
    assert_eq!(
        em.pendingReward(epoch, p2).call().await.unwrap(),
        U256::ZERO
    );
    assert!(r1 + r2 <= share);
    assert_revert(
        send(em.claimRewards(vec![U256::ZERO; 33]).from(p1)).await,
        IEmissions::EmissionsTooManyEpochs {
            _0: U256::from(33),
            _1: U256::from(32),
        },
    );
    let s = em.supplyStats().call().await.unwrap();
    assert_eq!(
        s.emitted + s.drawn + s.reserve,
        s.initialReserve,
        "emitted + drawn + reserve = initialReserve"
    );
}

#[tokio::test]
async fn settlement_beyond_the_burn_budget_draws_the_reserve() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (c, em, t, f) = (env.controller(), env.emissions(), env.token(), env.feed());
    let (alice, p1) = (env.acc.alice, env.acc.p1);
    let id = env.submitted_job(alice, p1, 3_600).await.unwrap();
    let budget = c.burnBudget().call().await.unwrap();
    assert_eq!(budget, U256::from(2_000) * CT);
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
    let d = event::<IEmissions::ReserveDrawn>(&rc).unwrap();
    assert_eq!((d.to, d.amount), (p1, U256::from(7_750) * CT));
    assert_eq!(
        t.balanceOf(p1).call().await.unwrap(),
        bal + U256::from(9_750) * CT
    );
    assert_eq!(c.burnBudget().call().await.unwrap(), U256::ZERO);
    let cs = c.supplyStats().call().await.unwrap();
    let es = em.supplyStats().call().await.unwrap();
    assert_eq!(
        cs.mintedFromReserve, es.drawn,
        "controller's mintedFromReserve = emissions' drawn"
    );
    assert_eq!(
        cs.reminted + cs.retired,
        cs.burned,
        "reminted + retired + budget(0) = burned"
    );
    assert_eq!(es.reserve + es.drawn + es.emitted, es.initialReserve);
    assert_eq!(c.owedTo(p1).call().await.unwrap(), U256::ZERO);
    assert_revert(
        send(c.claimOwed().from(p1)).await,
        IBmeController::BmeNothingToClaim {},
    );
}

#[tokio::test]
async fn settlement_beyond_budget_and_reserve_records_an_iou_claimed_from_later_burns() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (c, em, t, f) = (env.controller(), env.emissions(), env.token(), env.feed());
    let (alice, bob, p1) = (env.acc.alice, env.acc.bob, env.acc.p1);
    let id = env.submitted_job(alice, p1, 3_600).await.unwrap();
    let budget = c.burnBudget().call().await.unwrap();
    let reserve = em.emissionReserve().call().await.unwrap();
    assert_eq!(budget, U256::from(2_000) * CT);
    // CT at the feed's smallest answer, 1e-8 USD: 9.75 USD net is 975,000,000 CT, more than the
    // budget and the whole 350M emission reserve together.
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
    // `tokensPaid` is what is minted now (budget + reserve); the rest is owed.
    let s = event::<IBmeController::Settled>(&rc).unwrap();
    assert_eq!(s.tokensPaid, budget + reserve);
    let d = event::<IEmissions::ReserveDrawn>(&rc).unwrap();
    assert_eq!((d.to, d.amount), (p1, reserve));
    let iou = owed_total - budget - reserve;
    let o = event::<IBmeController::OwedRecorded>(&rc).unwrap();
    assert_eq!((o.provider, o.amount), (p1, iou));
    assert_eq!(
        t.balanceOf(p1).call().await.unwrap(),
        bal + budget + reserve
    );
    assert_eq!(c.owedTo(p1).call().await.unwrap(), iou);
    assert_eq!(em.emissionReserve().call().await.unwrap(), U256::ZERO);
    let cs = c.supplyStats().call().await.unwrap();
    assert_eq!(cs.owed, iou, "supplyStats().owed");
    assert!(t.totalSupply().call().await.unwrap() <= max_supply());

    // Nothing to pay it from yet: the budget is empty.
    assert_revert(
        send(c.claimOwed().from(p1)).await,
        IBmeController::BmeNothingToClaim {},
    );
    // Another provider has no IOU.
    assert_revert(
        send(c.claimOwed().from(bob)).await,
        IBmeController::BmeNothingToClaim {},
    );

    // The price recovers and a buyer burns 5,000 CT for credits: that refills the budget, and the
    // IOU is paid from it, re-minted, without exceeding the cap.
    env.refresh_price().await.unwrap();
    env.buy_credits(bob, U256::from(5_000) * CT).await.unwrap();
    let refill = c.burnBudget().call().await.unwrap();
    assert_eq!(refill, U256::from(5_000) * CT);
    let bal = t.balanceOf(p1).call().await.unwrap();
    let rc = send(c.claimOwed().from(p1)).await.unwrap();
    let claimed = event::<IBmeController::OwedClaimed>(&rc).unwrap();
    assert_eq!((claimed.provider, claimed.amount), (p1, refill));
    assert_eq!(t.balanceOf(p1).call().await.unwrap(), bal + refill);
    assert_eq!(c.owedTo(p1).call().await.unwrap(), iou - refill);
    assert_eq!(c.burnBudget().call().await.unwrap(), U256::ZERO);
    let cs = c.supplyStats().call().await.unwrap();
    assert_eq!(cs.owed, iou - refill);
    assert_eq!(
        cs.reminted + cs.retired,
        cs.burned,
        "reminted + retired + budget(0) = burned"
    );
    assert!(t.totalSupply().call().await.unwrap() <= max_supply());
}
