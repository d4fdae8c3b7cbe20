//! Time-driven and multi-contract flows: cancel by anyone after the accept window, finalize by
//! anyone after the challenge window, claimTimeout (refund + abandon slash to the requester),
//! disputes upheld (refund + fraud slash of the job's penalty base + jail, bond back), rejected
//! (bond burned, the job Submitted again with its window closed, then finalised by anyone) and
//! unruled (finalised after the arbitration window, bond back).

use alloy::primitives::{keccak256, Address, U256};
use compute_market_e2e::bindings::{IBmeController, IComputeToken, IJobEscrow, IProviderRegistry};
use compute_market_e2e::*;

const ACCEPT_WINDOW: u64 = 1_800;
const CHALLENGE_WINDOW: u64 = 86_400;
const ARBITRATION_WINDOW: u64 = 604_800;

#[tokio::test]
async fn cancel_after_accept_window_by_anyone() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (e, c) = (env.escrow(), env.controller());
    let (alice, bob, p1, eve) = (env.acc.alice, env.acc.bob, env.acc.p1, env.acc.eve);
    let free = c.creditBalanceOf(alice).call().await.unwrap();
    let (id, max_cost) = env
        .create_job(alice, Address::ZERO, 1, 3_600, job_price())
        .await
        .unwrap();
    let until = env.job(id).await.unwrap().until;
    assert_eq!(until, env.now().await.unwrap() + ACCEPT_WINDOW);

    // The requester may cancel at any time while Open (its own job, before the window ends).
    let (own, own_cost) = env
        .create_job(bob, Address::ZERO, 1, 3_600, job_price())
        .await
        .unwrap();
    let rc = send(e.cancelJob(own).from(bob)).await.unwrap();
    let ev = event::<IJobEscrow::JobCancelled>(&rc).unwrap();
    assert_eq!((ev.jobId, ev.caller, ev.refunded), (own, bob, own_cost));

    env.warp(ACCEPT_WINDOW).await.unwrap();
    // Too late to accept now...
    assert_revert(
        send(e.acceptJob(id).from(p1)).await,
        IJobEscrow::JobEscrowTooLate { _0: id, _1: until },
    );
    // ...and anyone may cancel: everything is unlocked.
    let rc = send(e.cancelJob(id).from(eve)).await.unwrap();
    let ev = event::<IJobEscrow::JobCancelled>(&rc).unwrap();
    assert_eq!((ev.jobId, ev.caller, ev.refunded), (id, eve, max_cost));
    let ev = event::<IBmeController::CreditsUnlocked>(&rc).unwrap();
    assert_eq!((ev.account, ev.amount), (alice, max_cost));
    assert_eq!(c.creditBalanceOf(alice).call().await.unwrap(), free);
    assert_eq!(c.lockedCreditsOf(alice).call().await.unwrap(), U256::ZERO);
    assert_eq!(env.job(id).await.unwrap().state, state::CANCELLED);
    assert_revert(
        send(e.cancelJob(id).from(alice)).await,
        IJobEscrow::JobEscrowInvalidState {
            _0: id,
            _1: state::CANCELLED,
        },
    );
}

#[tokio::test]
async fn finalize_after_challenge_window() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (e, t) = (env.escrow(), env.token());
    let (alice, p1, eve) = (env.acc.alice, env.acc.p1, env.acc.eve);
    let id = env.submitted_job(alice, p1, 5_400).await.unwrap();
    let j = env.job(id).await.unwrap();
    assert_eq!(j.state, state::SUBMITTED);
    assert_eq!(j.until, env.now().await.unwrap() + CHALLENGE_WINDOW);
    assert_eq!(j.cost, U256::from(15) * USD, "1.5 h at 10 USD");
    assert_revert(
        send(e.finalize(id).from(eve)).await,
        IJobEscrow::JobEscrowTooEarly {
            _0: id,
            _1: j.until,
        },
    );
    env.warp(CHALLENGE_WINDOW).await.unwrap();
    // Too late to dispute.
    assert_revert(
        send(e.disputeResult(id, keccak256(b"e")).from(alice)).await,
        IJobEscrow::JobEscrowTooLate {
            _0: id,
            _1: j.until,
        },
    );
    let bal = t.balanceOf(p1).call().await.unwrap();
    let rc = send(e.finalize(id).from(eve)).await.unwrap();
    let done = event::<IJobEscrow::JobCompleted>(&rc).unwrap();
    assert_eq!(
        (done.caller, done.cost, done.refunded),
        (eve, j.cost, j.max_cost - j.cost)
    );
    let s = event::<IBmeController::Settled>(&rc).unwrap();
    assert_eq!(
        s.tokensPaid,
        (j.cost - s.fee) * U256::from(10u64).pow(U256::from(30)) / price_wad()
    );
    assert_eq!(t.balanceOf(p1).call().await.unwrap(), bal + s.tokensPaid);
    let info = env.registry().providerInfo(p1).call().await.unwrap();
    assert_eq!(
        (info.lockedStake, info.openJobs, info.completedJobs),
        (U256::ZERO, 0, 1)
    );
}

#[tokio::test]
async fn claim_timeout_refunds_and_slashes() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (e, c, t, r) = (env.escrow(), env.controller(), env.token(), env.registry());
    let (alice, p1, eve) = (env.acc.alice, env.acc.p1, env.acc.eve);
    let free = c.creditBalanceOf(alice).call().await.unwrap();
    let id = env.running_job(alice, p1).await.unwrap();
    let j = env.job(id).await.unwrap();
    env.warp(JOB_MAX_DURATION + 3_600).await.unwrap();
    assert_revert(
        send(e.submitResult(id, keccak256(b"late"), 60).from(p1)).await,
        IJobEscrow::JobEscrowTooLate {
            _0: id,
            _1: j.until,
        },
    );
    let supply = t.totalSupply().call().await.unwrap();
    let rc = send(e.claimTimeout(id).from(eve)).await.unwrap();
    let ev = event::<IJobEscrow::JobExpired>(&rc).unwrap();
    assert_eq!((ev.jobId, ev.provider, ev.refunded), (id, p1, j.max_cost));
    // abandonSlashBps = 2.5% of 10,000 CT: half to alice, half burned.
    let sl = event::<IProviderRegistry::Slashed>(&rc).unwrap();
    assert_eq!(sl.provider, p1);
    assert_eq!(sl.amount, U256::from(250) * CT);
    assert_eq!(sl.toBeneficiary, U256::from(125) * CT);
    assert_eq!(sl.burned, U256::from(125) * CT);
    assert_eq!(
        t.balanceOf(alice).call().await.unwrap(),
        U256::from(125) * CT
    );
    assert_eq!(
        t.totalSupply().call().await.unwrap(),
        supply - U256::from(125) * CT
    );
    // The job's lock (2 × 20 USD = 20 CT) is released as a failure.
    let rel = event::<IProviderRegistry::StakeReleased>(&rc).unwrap();
    assert_eq!(
        (
            rel.provider,
            rel.jobId,
            rel.amount,
            rel.lockedStake,
            rel.success
        ),
        (p1, id, U256::from(20) * CT, U256::ZERO, false)
    );
    assert_eq!(c.creditBalanceOf(alice).call().await.unwrap(), free);
    let info = r.providerInfo(p1).call().await.unwrap();
    assert_eq!(
        (
            info.lockedStake,
            info.activeStake,
            info.failedJobs,
            info.openJobs
        ),
        (U256::ZERO, U256::from(9_750) * CT, 1, 0)
    );
    // No jail for a timeout: still eligible (9,750 ≥ 5,200 CT).
    assert!(r.isEligible(p1).call().await.unwrap());
    assert_eq!(env.job(id).await.unwrap().state, state::EXPIRED);
}

/// Alice (who holds no CT after buying credits) gets 1,000 CT and approves the escrow for bonds.
async fn fund_bonds(env: &Env, who: Address) {
    env.fund(who, U256::from(1_000) * CT).await.unwrap();
    send(env.token().approve(env.addrs.escrow, U256::MAX).from(who))
        .await
        .unwrap();
}

#[tokio::test]
async fn dispute_upheld_slashes_jails_and_refunds() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (e, c, t, r) = (env.escrow(), env.controller(), env.token(), env.registry());
    let (alice, p1) = (env.acc.alice, env.acc.p1);
    fund_bonds(&env, alice).await;
    let free = c.creditBalanceOf(alice).call().await.unwrap();
    let id = env.submitted_job(alice, p1, 3_600).await.unwrap();
    let rc = send(e.disputeResult(id, keccak256(b"evidence")).from(alice))
        .await
        .unwrap();
    let d = event::<IJobEscrow::JobDisputed>(&rc).unwrap();
    // bond = max(5% of 10 USD in CT, 100 CT) = 100 CT.
    assert_eq!(d.bond, U256::from(100) * CT);
    assert_eq!(
        d.arbitrationDeadline,
        env.now().await.unwrap() + ARBITRATION_WINDOW
    );
    assert_eq!(e.bondsHeld().call().await.unwrap(), d.bond);
    assert_eq!(t.balanceOf(env.addrs.escrow).call().await.unwrap(), d.bond);

    let rc = send(e.resolveDispute(id, true).from(env.acc.arbitrator))
        .await
        .unwrap();
    let res = event::<IJobEscrow::DisputeResolved>(&rc).unwrap();
    assert_eq!(
        (res.arbitrator, res.providerAtFault),
        (env.acc.arbitrator, true)
    );
    let rf = event::<IJobEscrow::JobRefunded>(&rc).unwrap();
    assert_eq!((rf.requester, rf.refunded), (alice, U256::from(20) * USD));
    let b = event::<IJobEscrow::BondReleased>(&rc).unwrap();
    assert_eq!(
        (b.requester, b.amount, b.burned),
        (alice, U256::from(100) * CT, false)
    );
    // fraudSlashBps = 10% of 10,000 CT, half to alice.
    let sl = event::<IProviderRegistry::Slashed>(&rc).unwrap();
    assert_eq!(
        (sl.amount, sl.toBeneficiary),
        (U256::from(1_000) * CT, U256::from(500) * CT)
    );
    let jl = event::<IProviderRegistry::Jailed>(&rc).unwrap();
    assert_eq!(jl.until, env.now().await.unwrap() + 2_592_000);
    assert!(!r.isEligible(p1).call().await.unwrap());
    let rel = event::<IProviderRegistry::StakeReleased>(&rc).unwrap();
    assert_eq!((rel.amount, rel.success), (U256::from(20) * CT, false));
    let info = r.providerInfo(p1).call().await.unwrap();
    assert_eq!(
        (
            info.activeStake,
            info.lockedStake,
            info.failedJobs,
            info.jailedUntil
        ),
        (U256::from(9_000) * CT, U256::ZERO, 1, jl.until)
    );
    // Jailed stake earns no stake rewards.
    assert_eq!(
        env.emissions().earningStake(p1).call().await.unwrap(),
        U256::ZERO
    );
    assert!(
        events::<IBmeController::Settled>(&rc).is_empty(),
        "nothing settled"
    );
    assert_eq!(
        t.balanceOf(alice).call().await.unwrap(),
        U256::from(1_500) * CT
    );
    assert_eq!(c.creditBalanceOf(alice).call().await.unwrap(), free);
    assert_eq!(e.bondsHeld().call().await.unwrap(), U256::ZERO);
    assert_eq!(
        t.balanceOf(env.addrs.escrow).call().await.unwrap(),
        U256::ZERO
    );
    assert_eq!(env.job(id).await.unwrap().state, state::REFUNDED);

    // A jailed provider can't accept.
    let (next, _) = env
        .create_job(alice, Address::ZERO, 1, 3_600, job_price())
        .await
        .unwrap();
    assert_call_failed(
        send(e.acceptJob(next).from(p1)).await,
        env.addrs.registry,
        IProviderRegistry::RegistryNotEligible(p1),
    );
}

#[tokio::test]
async fn dispute_rejected_burns_the_bond() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (e, t) = (env.escrow(), env.token());
    let (alice, p1, eve) = (env.acc.alice, env.acc.p1, env.acc.eve);
    fund_bonds(&env, alice).await;
    let id = env.submitted_job(alice, p1, 3_600).await.unwrap();
    send(e.disputeResult(id, keccak256(b"evidence")).from(alice))
        .await
        .unwrap();
    let supply = t.totalSupply().call().await.unwrap();
    let rc = send(e.resolveDispute(id, false).from(env.acc.arbitrator))
        .await
        .unwrap();
    let res = event::<IJobEscrow::DisputeResolved>(&rc).unwrap();
    assert_eq!(
        (res.arbitrator, res.providerAtFault),
        (env.acc.arbitrator, false)
    );
    let b = event::<IJobEscrow::BondReleased>(&rc).unwrap();
    assert_eq!(
        (b.requester, b.amount, b.burned),
        (alice, U256::from(100) * CT, true)
    );
    let burn = events::<IComputeToken::Transfer>(&rc)
        .into_iter()
        .find(|(_, ev)| ev.from == env.addrs.escrow && ev.to == Address::ZERO)
        .expect("bond burned");
    assert_eq!(burn.1.value, U256::from(100) * CT);
    // ABI v2: the ruling settles nothing; the job is Submitted again with its window closed.
    assert!(
        events::<IBmeController::Settled>(&rc).is_empty(),
        "nothing settled by the ruling"
    );
    let now = env.now().await.unwrap();
    let j = env.job(id).await.unwrap();
    assert_eq!((j.state, j.until), (state::SUBMITTED, now));
    assert_eq!(j.stake_locked, U256::from(20) * CT, "still locked");
    assert_eq!(e.bondsHeld().call().await.unwrap(), U256::ZERO);
    assert_eq!(
        t.balanceOf(env.addrs.escrow).call().await.unwrap(),
        U256::ZERO
    );
    assert_eq!(
        t.totalSupply().call().await.unwrap(),
        supply - U256::from(100) * CT
    );
    assert_eq!(
        t.balanceOf(alice).call().await.unwrap(),
        U256::from(900) * CT
    );
    // No second dispute: the window is closed.
    assert_revert(
        send(e.disputeResult(id, keccak256(b"again")).from(alice)).await,
        IJobEscrow::JobEscrowTooLate { _0: id, _1: now },
    );

    // Anyone finalises it at once: settled to p1, stake released, no bond left to return.
    let bal = t.balanceOf(p1).call().await.unwrap();
    let rc = send(e.finalize(id).from(eve)).await.unwrap();
    let done = event::<IJobEscrow::JobCompleted>(&rc).unwrap();
    assert_eq!(
        (done.provider, done.caller, done.cost, done.refunded),
        (p1, eve, U256::from(10) * USD, U256::from(10) * USD)
    );
    let s = event::<IBmeController::Settled>(&rc).unwrap();
    assert_eq!((s.provider, s.credits), (p1, U256::from(10) * USD));
    assert_eq!(s.tokensPaid, U256::from(4_875) * CT / U256::from(1_000));
    assert!(events::<IJobEscrow::BondReleased>(&rc).is_empty());
    assert_eq!(t.balanceOf(p1).call().await.unwrap(), bal + s.tokensPaid);
    assert_eq!(
        t.balanceOf(alice).call().await.unwrap(),
        U256::from(900) * CT
    );
    assert_eq!(env.job(id).await.unwrap().state, state::COMPLETED);
    let info = env.registry().providerInfo(p1).call().await.unwrap();
    assert_eq!(
        (info.completedJobs, info.failedJobs, info.lockedStake),
        (1, 0, U256::ZERO)
    );
    // Supply: −100 bond, + the provider's pay (re-minted from the burn budget).
    assert_eq!(
        t.totalSupply().call().await.unwrap(),
        supply - U256::from(100) * CT + s.tokensPaid
    );
}

#[tokio::test]
async fn unruled_dispute_finalises_after_arbitration_window() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (e, t) = (env.escrow(), env.token());
    let (alice, p1, eve) = (env.acc.alice, env.acc.p1, env.acc.eve);
    fund_bonds(&env, alice).await;
    let id = env.submitted_job(alice, p1, 3_600).await.unwrap();
    send(e.disputeResult(id, keccak256(b"evidence")).from(alice))
        .await
        .unwrap();
    let until = env.job(id).await.unwrap().until;
    assert_revert(
        send(e.finalize(id).from(eve)).await,
        IJobEscrow::JobEscrowTooEarly { _0: id, _1: until },
    );
    env.warp(ARBITRATION_WINDOW).await.unwrap();
    assert_revert(
        send(e.resolveDispute(id, true).from(env.acc.arbitrator)).await,
        IJobEscrow::JobEscrowTooLate { _0: id, _1: until },
    );
    let rc = send(e.finalize(id).from(eve)).await.unwrap();
    let b = event::<IJobEscrow::BondReleased>(&rc).unwrap();
    assert_eq!((b.amount, b.burned), (U256::from(100) * CT, false));
    assert_eq!(event::<IJobEscrow::JobCompleted>(&rc).unwrap().caller, eve);
    assert_eq!(
        t.balanceOf(alice).call().await.unwrap(),
        U256::from(1_000) * CT
    );
    assert!(event::<IBmeController::Settled>(&rc).is_ok());
    assert_eq!(e.bondsHeld().call().await.unwrap(), U256::ZERO);
    assert_eq!(env.job(id).await.unwrap().state, state::COMPLETED);
}
