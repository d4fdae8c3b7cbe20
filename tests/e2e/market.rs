//! JobMarket on the dev chain (issue 15): a reverse auction opened by a requester, competing bids,
//! an award by the requester and a close by anyone, attestation-gated bidding, and the escrow's
//! conservation across the market (the credits locked at the maximum price come back above the
//! winning price at the award, the rest at settlement).

use alloy::primitives::{keccak256, Address, B256, U256};
use compute_market_e2e::bindings::{IJobEscrow, IJobMarket};
use compute_market_e2e::*;

const MAX_PRICE_USD: u64 = 10;
const BID_WINDOW: u64 = 600;

async fn open(env: &Env, requester: Address, req: IJobMarket::Requirements) -> U256 {
    let rc = send(
        env.job_market()
            .createAuction(
                keccak256(b"spec"),
                JOB_GPUS,
                JOB_MAX_DURATION,
                U256::from(MAX_PRICE_USD) * USD,
                BID_WINDOW,
                req,
            )
            .from(requester),
    )
    .await
    .unwrap();
    event::<IJobMarket::AuctionCreated>(&rc).unwrap().jobId
}

#[tokio::test]
async fn the_requester_awards_a_bid_and_the_credits_balance() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (m, e, c) = (env.job_market(), env.escrow(), env.controller());
    let (alice, p1, p2) = (env.acc.alice, env.acc.p1, env.acc.p2);
    let free0 = c.creditBalanceOf(alice).call().await.unwrap();

    let id = open(&env, alice, IJobMarket::Requirements::any()).await;
    // Locked at the maximum price: 10 USD/h × 1 GPU × 2 h.
    let max_cost = U256::from(20) * USD;
    let job = e.job(id).call().await.unwrap();
    assert_eq!(
        (job.state, job.requester, job.provider, job.maxCost),
        (state::OPEN, alice, env.addrs.market, max_cost)
    );
    assert_eq!(
        c.creditBalanceOf(alice).call().await.unwrap(),
        free0 - max_cost
    );

    // The requester cannot bid; a bid above the maximum is refused.
    assert_revert(
        send(m.bid(id, U256::from(5) * USD).from(alice)).await,
        IJobMarket::JobMarketRequesterCannotBid(id),
    );
    assert_revert(
        send(m.bid(id, U256::from(11) * USD).from(p1)).await,
        IJobMarket::JobMarketInvalidPrice {
            _0: U256::from(11) * USD,
            _1: U256::from(MAX_PRICE_USD) * USD,
        },
    );
    send(m.bid(id, U256::from(8) * USD).from(p1)).await.unwrap();
    send(m.bid(id, U256::from(7) * USD).from(p2)).await.unwrap();
    let bids = m.bids(id).call().await.unwrap();
    assert_eq!(
        bids.iter()
            .map(|b| (b.provider, b.pricePerGpuHour))
            .collect::<Vec<_>>(),
        vec![(p1, U256::from(8) * USD), (p2, U256::from(7) * USD)]
    );

    // Only the requester awards during the window; it may pick the higher bid.
    assert_revert(
        send(m.awardBid(id, p1).from(env.acc.bob)).await,
        IJobMarket::JobMarketNotRequester {
            _0: id,
            _1: env.acc.bob,
        },
    );
    let rc = send(m.awardBid(id, p1).from(alice)).await.unwrap();
    let awarded = event::<IJobMarket::AuctionAwarded>(&rc).unwrap();
    assert_eq!(
        (
            awarded.provider,
            awarded.pricePerGpuHour,
            awarded.byRequester
        ),
        (p1, U256::from(8) * USD, true)
    );
    let accepted = event::<IJobEscrow::JobAccepted>(&rc).unwrap();
    let new_max = U256::from(16) * USD;
    assert_eq!(
        (accepted.provider, accepted.maxCost, accepted.refunded),
        (p1, new_max, max_cost - new_max)
    );
    // The credits above the winning maxCost came back at once; the stake lock is the registry's.
    assert_eq!(
        c.creditBalanceOf(alice).call().await.unwrap(),
        free0 - new_max
    );
    let job = env.job(id).await.unwrap();
    assert_eq!((job.state, job.provider), (state::RUNNING, p1));
    assert_eq!(job.stake_locked, accepted.stakeLocked);

    // The job then follows the escrow's lifecycle: 1 h used of 2 → cost 8 USD, 8 USD refunded.
    send(e.submitResult(id, keccak256(b"out"), 3_600).from(p1))
        .await
        .unwrap();
    let rc = send(e.approveResult(id).from(alice)).await.unwrap();
    let done = event::<IJobEscrow::JobCompleted>(&rc).unwrap();
    assert_eq!(
        (done.cost, done.refunded),
        (U256::from(8) * USD, U256::from(8) * USD)
    );
    // Conservation: paid + refunded = the maximum locked.
    assert_eq!(done.cost + done.refunded + accepted.refunded, max_cost);
    assert_eq!(
        c.creditBalanceOf(alice).call().await.unwrap(),
        free0 - U256::from(8) * USD
    );
    assert_eq!(c.lockedCreditsOf(alice).call().await.unwrap(), U256::ZERO);
}

#[tokio::test]
async fn anyone_closes_for_the_lowest_qualifying_bid_and_attestation_gates_bidding() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let m = env.job_market();
    let (bob, p1, p2, p3, eve) = (env.acc.bob, env.acc.p1, env.acc.p2, env.acc.p3, env.acc.eve);
    env.register_provider(p3, 1, provider_stake())
        .await
        .unwrap();
    let until = env.now().await.unwrap() + 30 * 86_400;
    for p in [p1, p2] {
        send(
            m.attest(
                p,
                keccak256(b"NVIDIA H100"),
                1,
                80,
                keccak256(b"report"),
                until,
            )
            .from(env.acc.admin),
        )
        .await
        .unwrap();
    }
    // Only the attester attests.
    assert_revert(
        send(m.attest(p3, B256::ZERO, 1, 80, B256::ZERO, until).from(eve)).await,
        IJobMarket::AccessControlUnauthorizedAccount {
            _0: eve,
            _1: role("ATTESTER_ROLE"),
        },
    );
    let att = m.attestation(p1).call().await.unwrap();
    assert!(att.valid);
    assert_eq!((att.gpuCount, att.vramGiB, att.expiresAt), (1, 80, until));

    let mut req = IJobMarket::Requirements::any();
    req.attestedOnly = true;
    let id = open(&env, bob, req).await;
    // p3 is registered and staked but not attested: refused with reason 8.
    assert_eq!(m.qualification(id, p3).call().await.unwrap(), 8);
    assert_revert(
        send(m.bid(id, U256::from(5) * USD).from(p3)).await,
        IJobMarket::JobMarketNotQualified {
            _0: id,
            _1: p3,
            _2: 8,
        },
    );
    send(m.bid(id, U256::from(9) * USD).from(p1)).await.unwrap();
    send(m.bid(id, U256::from(6) * USD).from(p2)).await.unwrap();
    // p1 lowers its bid below p2's.
    send(m.bid(id, U256::from(5) * USD).from(p1)).await.unwrap();

    // Nobody closes before the window ends.
    let bid_end = m.auction(id).call().await.unwrap().bidEnd;
    assert_revert(
        send(m.closeAuction(id).from(eve)).await,
        IJobMarket::JobMarketBiddingOpen {
            _0: id,
            _1: bid_end,
        },
    );
    env.warp(BID_WINDOW + 1).await.unwrap();
    // A bid after the window is refused.
    assert_revert(
        send(m.bid(id, U256::from(4) * USD).from(p2)).await,
        IJobMarket::JobMarketBiddingClosed {
            _0: id,
            _1: bid_end,
        },
    );
    let rc = send(m.closeAuction(id).from(eve)).await.unwrap();
    let awarded = event::<IJobMarket::AuctionAwarded>(&rc).unwrap();
    assert_eq!(
        (
            awarded.provider,
            awarded.pricePerGpuHour,
            awarded.byRequester
        ),
        (p1, U256::from(5) * USD, false)
    );
    let job = env.job(id).await.unwrap();
    assert_eq!((job.state, job.provider), (state::RUNNING, p1));
    assert_eq!(job.max_cost, U256::from(10) * USD);

    // A revoked attestation no longer qualifies.
    send(m.revokeAttestation(p2).from(env.acc.admin))
        .await
        .unwrap();
    let id2 = open(&env, bob, req_attested()).await;
    assert_eq!(m.qualification(id2, p2).call().await.unwrap(), 8);
}

fn req_attested() -> IJobMarket::Requirements {
    let mut r = IJobMarket::Requirements::any();
    r.attestedOnly = true;
    r
}

#[tokio::test]
async fn an_auction_without_bids_is_cancelled_and_unlocks_the_credits() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (m, e, c) = (env.job_market(), env.escrow(), env.controller());
    let alice = env.acc.alice;
    let free0 = c.creditBalanceOf(alice).call().await.unwrap();
    let id = open(&env, alice, IJobMarket::Requirements::any()).await;
    env.warp(BID_WINDOW + 1).await.unwrap();
    let rc = send(m.closeAuction(id).from(env.acc.eve)).await.unwrap();
    let ended = event::<IJobMarket::AuctionEndedWithoutAward>(&rc).unwrap();
    assert!(!ended.cancelled);
    assert_eq!(e.job(id).call().await.unwrap().state, state::CANCELLED);
    assert_eq!(c.creditBalanceOf(alice).call().await.unwrap(), free0);

    // The requester cancels another one before any award.
    let id = open(&env, alice, IJobMarket::Requirements::any()).await;
    send(m.cancelAuction(id).from(alice)).await.unwrap();
    assert_eq!(e.job(id).call().await.unwrap().state, state::CANCELLED);
    assert_eq!(c.creditBalanceOf(alice).call().await.unwrap(), free0);
}
