//! JobMarket against the real escrow, registry, controller and token: every function and error,
//! the auction flows a buyer and a provider use, and a property test of random auction sequences
//! (credits conserved; the award is always the best qualifying bid).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::result_large_err,
    missing_docs
)]

use alloy_primitives::{Address, B256, U256};
use job_market::interface::*;
use job_market::{reason, AWARDED, CANCELLED, CLOSED, OPEN};
use proptest::prelude::*;
use system::*;

/// Requirements `(gpuModel, minVramGiB, minSuccessBps, minCompletedJobs, minActiveStake,
/// attestedOnly)`.
fn req(
    model: B256,
    vram: u32,
    success: u16,
    completed: u64,
    stake: U256,
    attested: bool,
) -> Requirements {
    Requirements {
        gpuModel: model,
        minVramGiB: vram,
        minSuccessBps: success,
        minCompletedJobs: completed,
        minActiveStake: stake,
        attestedOnly: attested,
    }
}

/// No requirement.
fn any() -> Requirements {
    req(B256::ZERO, 0, 0, 0, U256::ZERO, false)
}

fn err(e: MarketError) -> Result<(), MarketError> {
    Err(e)
}

/// `requester` opens an auction for 1 GPU, 2 hours, at most `max_usd` per GPU-hour, bids for an
/// hour.
fn open(s: &mut System, requester: Address, max_usd: u64, req: Requirements) -> U256 {
    s.tx(requester, MARKET, |m: &mut JobMarket| {
        m.create_auction(
            B256::repeat_byte(9),
            1,
            7_200,
            U256::from(max_usd) * USD,
            3_600,
            req,
        )
    })
    .unwrap()
}

fn bid(s: &mut System, provider: Address, id: U256, usd_cents: u64) -> Result<(), MarketError> {
    s.tx(provider, MARKET, |m: &mut JobMarket| {
        m.bid(id, U256::from(usd_cents) * USD / U256::from(100))
    })
}

fn setup() -> (System, Address, [Address; 3]) {
    let mut s = System::deploy();
    let buyer = user(1);
    s.fund(buyer, ct(1_000));
    s.buy(buyer, ct(1_000));
    let providers = [user(10), user(11), user(12)];
    for p in providers {
        s.provider(p, 4, ct(10_000));
    }
    (s, buyer, providers)
}

#[test]
fn an_auction_locks_at_the_maximum_and_the_requester_awards_a_bid() {
    let (mut s, buyer, [p1, p2, _]) = setup();
    let free = s.controller().credit_balance_of(buyer);
    let id = open(&mut s, buyer, 10, any());
    // maxCost at the maximum: 1 GPU × 2 h × 10 USD.
    assert_eq!(
        s.controller().locked_credits_of(buyer),
        U256::from(20) * USD
    );
    assert_eq!(
        s.controller().credit_balance_of(buyer),
        free - U256::from(20) * USD
    );
    let job = s.escrow().job(id);
    assert_eq!(
        (job.0, job.1, job.2),
        (1, buyer, MARKET),
        "Open, named to the market"
    );
    assert_eq!(
        s.market().auction(id),
        (buyer, 1, U256::from(10) * USD, s.now() + 3_600, OPEN)
    );
    bid(&mut s, p1, id, 800).unwrap();
    bid(&mut s, p2, id, 700).unwrap();
    bid(&mut s, p1, id, 650).unwrap(); // lowers its own bid
    assert_eq!(
        bid(&mut s, p1, id, 650),
        err(MarketError::BidNotLower(JobMarketBidNotLower {
            provider: p1,
            current: U256::from(6_500_000u64),
            price: U256::from(6_500_000u64),
        }))
    );
    assert_eq!(
        s.market().bids(id),
        vec![
            Bid {
                provider: p1,
                pricePerGpuHour: U256::from(6_500_000u64)
            },
            Bid {
                provider: p2,
                pricePerGpuHour: U256::from(7_000_000u64)
            }
        ]
    );
    // The requester picks p2 (not the cheapest) during the window.
    s.tx(buyer, MARKET, |m: &mut JobMarket| m.award_bid(id, p2))
        .unwrap();
    assert_eq!(s.market().auction(id).4, AWARDED);
    let job = s.escrow().job(id);
    assert_eq!(
        (job.0, job.2, job.7, job.8),
        (2, p2, U256::from(7) * USD, U256::from(14) * USD)
    );
    // The credits above the new maxCost came back at once.
    assert_eq!(
        s.controller().locked_credits_of(buyer),
        U256::from(14) * USD
    );
    assert_eq!(s.registry().provider_info(p2).11, 1, "p2's stake is locked");
    // The job then runs as any other.
    s.submit(p2, id, 7_200).unwrap();
    s.approve(buyer, id).unwrap();
    assert_eq!(s.job_state(id), 4);
    assert_eq!(s.controller().locked_credits_of(buyer), U256::ZERO);
    // Nothing more on an awarded auction.
    assert_eq!(
        bid(&mut s, p1, id, 100),
        err(MarketError::AuctionEnded(JobMarketAuctionEnded {
            jobId: id,
            state: AWARDED
        }))
    );
}

#[test]
fn anyone_closes_an_auction_for_the_best_qualifying_bid() {
    let (mut s, buyer, [p1, p2, p3]) = setup();
    let id = open(&mut s, buyer, 10, any());
    bid(&mut s, p1, id, 500).unwrap();
    bid(&mut s, p2, id, 500).unwrap(); // same price, later
    bid(&mut s, p3, id, 900).unwrap();
    // Too early.
    assert_eq!(
        s.tx(user(99), MARKET, |m: &mut JobMarket| m.close_auction(id)),
        Err(MarketError::BiddingOpen(JobMarketBiddingOpen {
            jobId: id,
            bidEnd: s.now() + 3_600
        }))
    );
    // p1 (the best: cheapest, earliest) is jailed before the close: skipped.
    let until = s.now() + DAY;
    s.tx(ADMIN, REGISTRY, |r: &mut ProviderRegistry| {
        common::access::AccessControl::grant_role(r, common::roles::SLASHER_ROLE, ADMIN)
    })
    .unwrap();
    s.tx(ADMIN, REGISTRY, |r: &mut ProviderRegistry| {
        r.jail(p1, until)
    })
    .unwrap();
    s.skip(3_600);
    s.refresh_price();
    let winner = s
        .tx(user(99), MARKET, |m: &mut JobMarket| m.close_auction(id))
        .unwrap();
    assert_eq!(winner, p2, "the cheapest qualifying bid; p1 skipped");
    let job = s.escrow().job(id);
    assert_eq!((job.0, job.2, job.7), (2, p2, U256::from(5) * USD));
    assert_eq!(
        s.tx(user(99), MARKET, |m: &mut JobMarket| m.close_auction(id)),
        Err(MarketError::AuctionEnded(JobMarketAuctionEnded {
            jobId: id,
            state: AWARDED
        }))
    );
}

#[test]
fn closing_skips_bidders_the_registry_refuses() {
    let (mut s, buyer, [p1, p2, _]) = setup();
    let id = open(&mut s, buyer, 10, any());
    bid(&mut s, p1, id, 300).unwrap();
    bid(&mut s, p2, id, 400).unwrap();
    // p1 takes another job while the registry allows one open job per provider: still eligible
    // and qualified, but the registry refuses its stake lock at the award.
    s.tx(ADMIN, REGISTRY, |r: &mut ProviderRegistry| {
        r.set_parameter(common::params::name("maxOpenJobs"), U256::from(1))
    })
    .unwrap();
    let other = s.create_job(buyer, p1, 1, 1, 2).unwrap();
    s.accept(p1, other).unwrap();
    s.skip(3_600);
    s.refresh_price();
    let winner = s
        .tx(user(99), MARKET, |m: &mut JobMarket| m.close_auction(id))
        .unwrap();
    assert_eq!(winner, p2);
    assert_eq!(
        s.registry().provider_info(p1).11,
        1,
        "p1's failed award left nothing"
    );
    assert_eq!(s.registry().job_lock(p1, id), (U256::ZERO, U256::ZERO));
}

#[test]
fn an_auction_without_a_qualifying_bid_unlocks_the_credits() {
    let (mut s, buyer, [p1, _, _]) = setup();
    let free = s.controller().credit_balance_of(buyer);
    let id = open(
        &mut s,
        buyer,
        10,
        req(B256::ZERO, 0, 0, 0, U256::ZERO, true),
    );
    assert_eq!(
        bid(&mut s, p1, id, 100),
        err(MarketError::NotQualified(JobMarketNotQualified {
            jobId: id,
            provider: p1,
            reason: reason::NOT_ATTESTED
        }))
    );
    s.skip(3_600);
    let winner = s
        .tx(user(99), MARKET, |m: &mut JobMarket| m.close_auction(id))
        .unwrap();
    assert_eq!(winner, Address::ZERO);
    assert_eq!(s.market().auction(id).4, CLOSED);
    assert_eq!(s.job_state(id), 5, "Cancelled");
    assert_eq!(s.controller().credit_balance_of(buyer), free);
}

#[test]
fn requirements_are_checked_at_bid_and_at_award() {
    let (mut s, buyer, [p1, p2, p3]) = setup();
    // p2: attested as 8 × A100 with 40 GiB; p3: a track record (2 completed, 1 failed).
    let expires = s.now() + 10 * DAY;
    s.tx(ATTESTER, MARKET, |m: &mut JobMarket| {
        m.attest(
            p2,
            common::params::name("A100"),
            8,
            40,
            B256::repeat_byte(5),
            expires,
        )
    })
    .unwrap();
    assert_eq!(
        s.market().attestation(p2),
        (
            common::params::name("A100"),
            8,
            40,
            B256::repeat_byte(5),
            s.now() + 10 * DAY,
            true
        )
    );
    let check = |s: &mut System, req: Requirements, who: Address| -> u8 {
        let id = open(s, buyer, 10, req);
        s.market().qualification(id, who).unwrap()
    };
    // GPU model: p1 claims H100; p2's attestation says A100.
    let h100 = common::params::name("H100");
    assert_eq!(check(&mut s, req(h100, 0, 0, 0, U256::ZERO, false), p1), 0);
    assert_eq!(
        check(&mut s, req(h100, 0, 0, 0, U256::ZERO, false), p2),
        reason::GPU_MODEL
    );
    // VRAM: p1 claims 80 GiB, p2 is attested at 40.
    assert_eq!(
        check(&mut s, req(B256::ZERO, 64, 0, 0, U256::ZERO, false), p2),
        reason::VRAM
    );
    // Attested only.
    assert_eq!(
        check(&mut s, req(B256::ZERO, 0, 0, 0, U256::ZERO, true), p1),
        reason::NOT_ATTESTED
    );
    assert_eq!(
        check(&mut s, req(B256::ZERO, 0, 0, 0, U256::ZERO, true), p2),
        0
    );
    // Stake.
    assert_eq!(
        check(&mut s, req(B256::ZERO, 0, 0, 0, ct(20_000), false), p1),
        reason::STAKE
    );
    // Success rate and completed jobs: p3 completes two jobs and fails one (66.66%).
    for ok in [true, true, false] {
        let job = s.create_job(buyer, p3, 1, 1, 2).unwrap();
        s.accept(p3, job).unwrap();
        if ok {
            s.submit(p3, job, 3_600).unwrap();
            s.approve(buyer, job).unwrap();
        } else {
            s.skip(2 * 3_600);
            s.timeout(buyer, job).unwrap();
            s.refresh_price();
        }
    }
    assert_eq!(job_market::success_bps(2, 1), 6_666);
    assert_eq!(
        check(&mut s, req(B256::ZERO, 0, 6_666, 2, U256::ZERO, false), p3),
        0
    );
    assert_eq!(
        check(&mut s, req(B256::ZERO, 0, 6_667, 0, U256::ZERO, false), p3),
        reason::SUCCESS_RATE
    );
    assert_eq!(
        check(&mut s, req(B256::ZERO, 0, 0, 3, U256::ZERO, false), p3),
        reason::COMPLETED_JOBS
    );
    assert_eq!(
        check(&mut s, req(B256::ZERO, 0, 1, 0, U256::ZERO, false), p1),
        reason::SUCCESS_RATE,
        "no history counts as 0"
    );
    // An attestation that expires stops qualifying; one revoked too.
    let id = open(
        &mut s,
        buyer,
        10,
        req(B256::ZERO, 0, 0, 0, U256::ZERO, true),
    );
    bid(&mut s, p2, id, 500).unwrap();
    s.tx(ATTESTER, MARKET, |m: &mut JobMarket| {
        m.revoke_attestation(p2)
    })
    .unwrap();
    assert_eq!(
        s.tx(buyer, MARKET, |m: &mut JobMarket| m.award_bid(id, p2)),
        err(MarketError::NotQualified(JobMarketNotQualified {
            jobId: id,
            provider: p2,
            reason: reason::NOT_ATTESTED
        })),
        "an award re-checks the requirements"
    );
    // Not eligible in the registry: p3 deregisters (it has no open job).
    s.tx(p3, REGISTRY, |r: &mut ProviderRegistry| r.deregister())
        .unwrap();
    assert_eq!(check(&mut s, any(), p3), reason::NOT_ELIGIBLE);
    // Too few GPUs: a 2-GPU provider against an 8-GPU auction.
    let small = user(13);
    s.provider(small, 2, ct(10_000));
    let id = s
        .tx(buyer, MARKET, |m: &mut JobMarket| {
            m.create_auction(B256::ZERO, 8, 3_600, USD, 600, any())
        })
        .unwrap();
    assert_eq!(s.market().qualification(id, small), Ok(reason::GPU_COUNT));
}

#[test]
fn every_error_of_the_market() {
    let (mut s, buyer, [p1, p2, _]) = setup();
    let create = |s: &mut System, price: U256, window: u64| {
        s.tx(buyer, MARKET, |m: &mut JobMarket| {
            m.create_auction(B256::ZERO, 1, 3_600, price, window, any())
        })
    };
    assert_eq!(
        create(&mut s, USD, 59),
        Err(MarketError::InvalidBidWindow(JobMarketInvalidBidWindow {
            bidWindow: 59,
            min: 60,
            max: 86_400
        }))
    );
    assert_eq!(
        create(&mut s, USD, 86_401),
        Err(MarketError::InvalidBidWindow(JobMarketInvalidBidWindow {
            bidWindow: 86_401,
            min: 60,
            max: 86_400
        }))
    );
    for price in [U256::ZERO, U256::from(u64::MAX) + U256::from(1)] {
        assert_eq!(
            create(&mut s, price, 600),
            Err(MarketError::InvalidPrice(JobMarketInvalidPrice {
                price,
                maxPrice: U256::from(u64::MAX)
            }))
        );
    }
    let unknown = U256::from(777);
    assert_eq!(
        bid(&mut s, p1, unknown, 1),
        err(MarketError::UnknownAuction(JobMarketUnknownAuction {
            jobId: unknown
        }))
    );
    let id = open(&mut s, buyer, 10, any());
    assert_eq!(
        bid(&mut s, buyer, id, 100),
        err(MarketError::RequesterCannotBid(
            JobMarketRequesterCannotBid { jobId: id }
        ))
    );
    assert_eq!(
        bid(&mut s, p1, id, 1_001),
        err(MarketError::InvalidPrice(JobMarketInvalidPrice {
            price: U256::from(10_010_000u64),
            maxPrice: U256::from(10) * USD
        }))
    );
    assert_eq!(
        s.tx(p1, MARKET, |m: &mut JobMarket| m.withdraw_bid(id)),
        err(MarketError::NoBid(JobMarketNoBid {
            jobId: id,
            provider: p1
        }))
    );
    bid(&mut s, p1, id, 500).unwrap();
    s.tx(p1, MARKET, |m: &mut JobMarket| m.withdraw_bid(id))
        .unwrap();
    assert!(s.market().bids(id).is_empty());
    assert_eq!(
        s.tx(p2, MARKET, |m: &mut JobMarket| m.award_bid(id, p1)),
        err(MarketError::NotRequester(JobMarketNotRequester {
            jobId: id,
            caller: p2
        }))
    );
    assert_eq!(
        s.tx(buyer, MARKET, |m: &mut JobMarket| m.award_bid(id, p1)),
        err(MarketError::NoBid(JobMarketNoBid {
            jobId: id,
            provider: p1
        }))
    );
    // Sixteen bidders fill the auction; a seventeenth is refused.
    for i in 0..16u64 {
        let p = user(1_000 + i);
        s.provider(p, 1, ct(6_000));
        bid(&mut s, p, id, 500 + i).unwrap();
    }
    assert_eq!(
        bid(&mut s, p2, id, 100),
        err(MarketError::TooManyBids(JobMarketTooManyBids {
            jobId: id,
            maxBids: U256::from(16)
        }))
    );
    // After the window: no bids, no withdrawals, no requester award.
    s.skip(3_600);
    let closed = MarketError::BiddingClosed(JobMarketBiddingClosed {
        jobId: id,
        bidEnd: s.now(),
    });
    assert_eq!(bid(&mut s, p2, id, 100), err(closed.clone()));
    assert_eq!(
        s.tx(user(1_000), MARKET, |m: &mut JobMarket| m.withdraw_bid(id)),
        err(closed.clone())
    );
    assert_eq!(
        s.tx(buyer, MARKET, |m: &mut JobMarket| m
            .award_bid(id, user(1_000))),
        err(closed)
    );
    // The requester cancels; cancelling again reports the state.
    s.tx(buyer, MARKET, |m: &mut JobMarket| m.cancel_auction(id))
        .unwrap();
    assert_eq!(s.market().auction(id).4, CANCELLED);
    assert_eq!(s.job_state(id), 5);
    assert_eq!(
        s.tx(buyer, MARKET, |m: &mut JobMarket| m.cancel_auction(id)),
        err(MarketError::AuctionEnded(JobMarketAuctionEnded {
            jobId: id,
            state: CANCELLED
        }))
    );
    // Another's auction cannot be cancelled by a stranger; the escrow refuses direct cancels.
    let id = open(&mut s, buyer, 10, any());
    assert_eq!(
        s.tx(p1, MARKET, |m: &mut JobMarket| m.cancel_auction(id)),
        err(MarketError::NotRequester(JobMarketNotRequester {
            jobId: id,
            caller: p1
        }))
    );
    assert!(
        s.tx(buyer, ESCROW, |e: &mut JobEscrow| e.cancel_job(id))
            .is_err(),
        "only the market cancels its jobs before the deadline"
    );
    assert!(
        s.accept(p1, id).is_err(),
        "acceptJob cannot take a market's job"
    );
    // Attestations: role and bounds.
    let now = s.now();
    assert!(s
        .tx(p1, MARKET, |m: &mut JobMarket| m.attest(
            p1,
            B256::ZERO,
            1,
            1,
            B256::ZERO,
            now + 1
        ))
        .is_err());
    for (count, expires) in [(0u32, now + 1), (1_025, now + 1), (1, now)] {
        assert_eq!(
            s.tx(ATTESTER, MARKET, |m: &mut JobMarket| {
                m.attest(p1, B256::ZERO, count, 1, B256::ZERO, expires)
            }),
            err(MarketError::InvalidAttestation(
                JobMarketInvalidAttestation {
                    provider: p1,
                    gpuCount: count,
                    expiresAt: expires
                }
            ))
        );
    }
}

#[derive(Debug, Clone)]
enum Op {
    Bid { who: usize, cents: u64 },
    Withdraw { who: usize },
    Jail { who: usize },
    Warp(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0usize..6, 1u64..1_000).prop_map(|(who, cents)| Op::Bid { who, cents }),
        1 => (0usize..6).prop_map(|who| Op::Withdraw { who }),
        1 => (0usize..6).prop_map(|who| Op::Jail { who }),
        2 => (0u64..100).prop_map(Op::Warp),
    ]
}

use testing::cases;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(200)))]

    /// Random bidding, withdrawals, jailings and time, then a close by anyone: the award is the best
    /// live bid of a provider still eligible (lowest price, then higher success rate at bid time,
    /// then the earliest bid), and the requester's credits are conserved.
    #[test]
    fn the_close_awards_the_best_qualifying_bid(ops in proptest::collection::vec(op(), 1..30)) {
        let mut s = System::deploy();
        let buyer = user(1);
        s.fund(buyer, ct(1_000));
        let credits = s.buy(buyer, ct(1_000));
        let ps: Vec<Address> = (0..6).map(|i| user(50 + i)).collect();
        for &p in &ps {
            s.provider(p, 1, ct(6_000));
        }
        s.tx(ADMIN, REGISTRY, |r: &mut ProviderRegistry| {
            common::access::AccessControl::grant_role(r, common::roles::SLASHER_ROLE, ADMIN)
        }).unwrap();
        let id = open(&mut s, buyer, 10, any());
        // (price, sequence) of each provider's live bid, as the market should see them.
        let mut live: Vec<Option<(u64, u64)>> = vec![None; 6];
        let mut seq = 0u64;
        for op in &ops {
            match op.clone() {
                Op::Bid { who, cents } => {
                    let ok = bid(&mut s, ps[who], id, cents).is_ok();
                    if ok {
                        live[who] = Some((cents, seq));
                        seq += 1;
                    }
                }
                Op::Withdraw { who } => {
                    if s.tx(ps[who], MARKET, |m: &mut JobMarket| m.withdraw_bid(id)).is_ok() {
                        live[who] = None;
                    }
                }
                Op::Jail { who } => {
                    let until = s.now() + DAY;
                    s.tx(ADMIN, REGISTRY, |r: &mut ProviderRegistry| r.jail(ps[who], until)).unwrap();
                }
                Op::Warp(t) => s.skip(t),
            }
        }
        s.skip(3_600);
        s.refresh_price();
        let winner = s.tx(user(99), MARKET, |m: &mut JobMarket| m.close_auction(id)).unwrap();
        // The expected winner: the best live bid of an eligible provider (all success rates 0).
        let best = (0..6)
            .filter(|&i| s.registry().is_eligible(ps[i]))
            .filter_map(|i| live[i].map(|(price, seq)| (price, seq, ps[i])))
            .min();
        prop_assert_eq!(winner, best.map_or(Address::ZERO, |b| b.2));
        // Credits conserved: free + locked = bought; locked = the awarded job's maxCost or 0.
        let c = s.controller();
        prop_assert_eq!(c.credit_balance_of(buyer) + c.locked_credits_of(buyer), credits);
        let locked = if winner.is_zero() { U256::ZERO } else { s.escrow().job(id).8 };
        prop_assert_eq!(c.locked_credits_of(buyer), locked);
        if let Some((cents, _, _)) = best {
            prop_assert_eq!(s.escrow().job(id).7, U256::from(cents) * USD / U256::from(100));
        }
    }
}
