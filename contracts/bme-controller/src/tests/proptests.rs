//! Property tests (docs/protocol.md invariants 1–3 and 9; crate invariants 1–5): random sequences of
//! purchases, locks, unlocks, settlements with refunds, IOU and treasury claims, price moves, draw
//! caps and time jumps, against models of the token, the feed and Emissions (whose own draw cap and
//! finalisation are property-tested in `contracts/emissions`). Individual calls may fail (that is
//! part of the exploration); after every step the ledgers must balance exactly, the supply stay under
//! its cap, and no settlement recorded after an IOU may be entitled to a larger fraction of what it
//! was owed than that IOU (IOUs keep their place).
//!
//! Cases: 256 by default; `PROPTEST_CASES=10000 cargo test -p bme-controller proptests` runs the full
//! count (README "Tests").

use proptest::prelude::*;

use super::*;

#[derive(Debug, Clone)]
enum Op {
    Buy(u64),
    Lock(u64),
    Unlock(u64),
    Settle {
        provider: bool,
        credits: u64,
        refund: u64,
    },
    ClaimOwed {
        provider: bool,
    },
    ClaimTreasury,
    Warp(u64),
    Price(i64),
    DrawCap(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u64..5_000).prop_map(Op::Buy),
        3 => (0u64..3_000_000_000).prop_map(Op::Lock),
        1 => (0u64..3_000_000_000).prop_map(Op::Unlock),
        4 => (any::<bool>(), 0u64..3_000_000_000, 0u64..100_000_000)
            .prop_map(|(provider, credits, refund)| Op::Settle { provider, credits, refund }),
        2 => any::<bool>().prop_map(|provider| Op::ClaimOwed { provider }),
        1 => Just(Op::ClaimTreasury),
        2 => (0u64..2 * DAY).prop_map(Op::Warp),
        2 => (1i64..1_000).prop_map(Op::Price),
        1 => (0u64..500).prop_map(Op::DrawCap),
    ]
}

/// A settlement the property follows: what it was owed in CT and the IOU id of its shortfall.
struct Settlement {
    owed: U256,
    paid_now: U256,
    iou: Option<U256>,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(testing::cases(256)))]

    #[test]
    fn ledgers_balance_and_ious_keep_their_place(ops in proptest::collection::vec(op(), 1..48)) {
        // A small reserve (1,000 CT) so the reserve and IOU paths are reached often.
        let mut fx = fixture_with(ct(1_000_000_000 - 1_000), ct(1_000_000_000));
        let mut now = T0;
        let mut settlements: Vec<Settlement> = Vec::new();
        for op in &ops {
            let who = |p: bool| if p { PROVIDER } else { PROVIDER2 };
            match op.clone() {
                Op::Buy(n) => {
                    if fx.token.borrow().balance(BUYER) >= ct(n) {
                        fx.buy(ct(n));
                    }
                }
                Op::Lock(c) => { let _ = fx.as_escrow(|b| b.lock_credits(BUYER, U256::from(c))); }
                Op::Unlock(c) => { let _ = fx.as_escrow(|b| b.unlock_credits(BUYER, U256::from(c))); }
                Op::Settle { provider, credits, refund } => {
                    let count = fx.bme.iou_queue().0;
                    let price = fx.bme.price();
                    let r = fx.as_escrow(|b| b.settle(BUYER, who(provider), U256::from(credits), U256::from(refund)));
                    if let (Ok(paid), Ok(price)) = (r, price) {
                        if credits > 0 {
                            let c = U256::from(credits);
                            let fee = fee_up(c, U256::from(250)).unwrap();
                            let owed = tokens_for_credits_down(c - fee, price).unwrap();
                            let iou = (fx.bme.iou_queue().0 > count).then(|| fx.bme.iou_queue().0);
                            prop_assert_eq!(paid + iou.map_or(U256::ZERO, |id| fx.bme.iou(id).1), owed,
                                "paid now + owed later = the net value");
                            settlements.push(Settlement { owed, paid_now: paid, iou });
                        }
                    }
                }
                Op::ClaimOwed { provider } => {
                    let p = who(provider);
                    let ids: Vec<U256> = settlements.iter().filter_map(|s| s.iou)
                        .filter(|&id| fx.bme.iou(id).0 == p).take(32).collect();
                    fx.vm().set_sender(p);
                    let _ = fx.bme.claim_owed(ids);
                }
                Op::ClaimTreasury => { let _ = fx.bme.claim_treasury(); }
                Op::Warp(s) => { now += s; fx.at(now); }
                Op::Price(cents) => { fx.feed.borrow_mut().answer = usd_8(cents); }
                Op::DrawCap(n) => { fx.emissions.borrow_mut().draw_cap_left = ct(n); }
            }

            let b = &fx.bme;
            let stats = b.supply_stats();
            // 1. outstanding = free + locked (BUYER is the only credit holder here).
            prop_assert_eq!(stats.8, b.credit_balance_of(BUYER) + b.locked_credits_of(BUYER));
            // 2. reminted + retired + budget + iouFunded + treasuryAccrued = burned.
            prop_assert_eq!(stats.1 + stats.3 + stats.7 + stats.5 + stats.6, stats.0);
            // 3. what the controller drew is what Emissions paid.
            let emissions = fx.emissions.borrow();
            prop_assert_eq!(stats.2, emissions.drawn);
            prop_assert_eq!(emissions.reserve + emissions.drawn, ct(1_000));
            // 4. the IOU line: funded ≤ owed total; outstanding IOUs = Σ unpaid; while any IOU is
            // unfunded the budget is empty.
            let (count, owed_total, funded) = b.iou_queue();
            prop_assert!(funded <= owed_total);
            let mut unpaid = U256::ZERO;
            let mut claimable = U256::ZERO;
            for id in 1..=count.to::<u64>() {
                let (_, amount, paid, c) = b.iou(U256::from(id));
                prop_assert!(paid + c <= amount);
                unpaid += amount - paid;
                claimable += c;
            }
            prop_assert_eq!(stats.4, unpaid);
            prop_assert_eq!(stats.5, claimable, "the set-aside budget is exactly what IOUs may claim");
            if funded < owed_total {
                prop_assert_eq!(stats.7, U256::ZERO, "no free budget while an IOU waits");
            }
            // 9. IOUs keep their place: no later settlement is entitled to a larger fraction.
            let entitled = |s: &Settlement| s.paid_now + s.iou.map_or(U256::ZERO, |id| {
                let (_, _, paid, c) = b.iou(id);
                paid + c
            });
            for (i, si) in settlements.iter().enumerate() {
                if si.iou.is_none() { continue; }
                let ei = entitled(si);
                if ei >= si.owed { continue; }
                for sj in &settlements[i + 1..] {
                    prop_assert!(entitled(sj) * si.owed <= ei * sj.owed,
                        "a settlement recorded after an unpaid IOU got a larger share");
                }
            }
            // The cap holds.
            let token = fx.token.borrow();
            prop_assert!(token.supply <= token.cap);
        }
    }
}
