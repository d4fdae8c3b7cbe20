//! Property tests (DESIGN.md §9.1–9.3, crate invariants 1–3): random sequences of purchases, locks,
//! unlocks, settlements, IOU claims, price moves and time jumps, against a model of the emissions
//! contract (whose own finalisation and claims are property-tested in `contracts/emissions`).
//! Individual calls may fail (that is part of the exploration); after every step the ledgers must
//! balance exactly and the token's supply stay under its cap.

use proptest::prelude::*;

use super::*;

#[derive(Debug, Clone)]
enum Op {
    Buy(u64),
    Lock(u64),
    Unlock(u64),
    Settle { provider: bool, credits: u64 },
    ClaimOwed { provider: bool },
    Warp(u64),
    Price(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u64..5_000).prop_map(Op::Buy),
        3 => (0u64..3_000_000_000).prop_map(Op::Lock),
        1 => (0u64..3_000_000_000).prop_map(Op::Unlock),
        3 => (any::<bool>(), 0u64..3_000_000_000).prop_map(|(provider, credits)| Op::Settle { provider, credits }),
        1 => any::<bool>().prop_map(|provider| Op::ClaimOwed { provider }),
        2 => (0u64..2 * DAY).prop_map(Op::Warp),
        1 => (1i64..1_000).prop_map(Op::Price),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn ledgers_balance_after_every_step(ops in proptest::collection::vec(op(), 1..40)) {
        // A small reserve (1,000 CT) so the reserve and IOU paths are reached too.
        let mut fx = fixture_with(ct(1_000_000_000 - 1_000), ct(1_000_000_000));
        let mut now = T0;
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
                Op::Settle { provider, credits } => {
                    let _ = fx.as_escrow(|b| b.settle(BUYER, who(provider), U256::from(credits)));
                }
                Op::ClaimOwed { provider } => {
                    fx.vm().set_sender(who(provider));
                    let _ = fx.bme.claim_owed();
                }
                Op::Warp(s) => { now += s; fx.at(now); }
                Op::Price(cents) => { fx.feed.borrow_mut().answer = usd_8(cents); }
            }

            let b = &fx.bme;
            // 1. outstanding = free + locked (BUYER is the only credit holder here).
            prop_assert_eq!(b.outstanding_credits(), b.credit_balance_of(BUYER) + b.locked_credits_of(BUYER));
            // 2. reminted + retired + budget = burned.
            let (burned, reminted, from_reserve, retired, owed) = b.supply_stats();
            prop_assert_eq!(reminted + retired + b.burn_budget(), burned);
            // 3. reserve accounting: what the controller drew is what the emissions contract paid,
            // and the work recorded there is exactly the net credits settled.
            let emissions = fx.emissions.borrow();
            prop_assert_eq!(from_reserve, emissions.drawn);
            prop_assert_eq!(emissions.reserve + emissions.drawn, ct(1_000));
            // IOUs are exactly what the providers are owed.
            prop_assert_eq!(owed, b.owed_to(PROVIDER) + b.owed_to(PROVIDER2));
            // The cap holds.
            let token = fx.token.borrow();
            prop_assert!(token.supply <= token.cap);
        }
    }
}
