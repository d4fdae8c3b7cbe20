//! Property tests (crate invariants 1–5; docs/protocol.md invariants 2 and 9): random sequences of
//! settled fees, earning-stake reports, reserve draws, finalisations, claims, parameter changes and
//! time jumps against a token model that enforces the cap like the real token. Calls may fail where
//! the contract must refuse them; after every step the reserve balances exactly, no epoch's work
//! rewards exceed its work pool, the work pool never exceeds `workRewardCapBps` × the epoch's fees,
//! each (epoch, provider) is paid once, stake rewards paid and owed never exceed what was streamed
//! minus what was returned, every epoch's draws stay under its cap, and the token never passes its
//! cap. A second property checks that stake added late in a stream earns at most its time share.
//!
//! Cases: 256 and 512 by default; `PROPTEST_CASES=10000 cargo test -p emissions proptests` runs the
//! full count (README "Tests").

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;

const HOUR: u64 = 3_600;
const PROVIDERS: [Address; 3] = [
    PROVIDER,
    PROVIDER2,
    address!("0000000000000000000000000000000000000a0c"),
];

#[derive(Debug, Clone)]
enum Op {
    Fees { provider: usize, amount: u64 },
    Stake { provider: usize, amount: u64 },
    Draw { to: usize, amount: u64 },
    Finalize(u8),
    Claim { provider: usize, epochs: Vec<u8> },
    Param { which: usize, value: u64 },
    Warp(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..3, 0u64..50_000).prop_map(|(provider, amount)| Op::Fees { provider, amount }),
        3 => (0usize..3, 0u64..1_000_000).prop_map(|(provider, amount)| Op::Stake { provider, amount }),
        2 => (0usize..3, 0u64..400).prop_map(|(to, amount)| Op::Draw { to, amount }),
        2 => (0u8..80).prop_map(Op::Finalize),
        3 => (0usize..3, proptest::collection::vec(0u8..24, 0..5)).prop_map(|(provider, epochs)| Op::Claim { provider, epochs }),
        1 => (0usize..4, 0u64..=10_000_000_000_000_000).prop_map(|(which, value)| Op::Param { which, value }),
        3 => (0u64..30 * HOUR).prop_map(Op::Warp),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(testing::cases(256)))]

    #[test]
    fn reserve_rewards_and_draws_balance_after_every_step(
        reserve_k in 1u64..2_000,
        ops in proptest::collection::vec(op(), 1..48),
    ) {
        // Hourly epochs so that time jumps cross many epochs (and the 64-epoch bound); a reserve in
        // thousands of CT so that draws, emissions and the stream all matter.
        let cap = ct(1_000_000_000);
        let mut fx = fixture_with(cap - ct(reserve_k * 1_000), cap, HOUR);
        let mut now = T0;
        let mut work_paid: BTreeMap<u64, U256> = BTreeMap::new();
        let mut claimed: BTreeSet<(u64, Address)> = BTreeSet::new();
        let mut stake_paid = U256::ZERO;
        let (mut pools, mut pooled_until) = (U256::ZERO, 0u64);
        for op in &ops {
            match op.clone() {
                Op::Fees { provider, amount } => fx.fees(PROVIDERS[provider], ct(amount) / U256::from(1_000)),
                Op::Stake { provider, amount } => fx.stake(PROVIDERS[provider], ct(amount)),
                Op::Draw { to, amount } => {
                    let _ = fx.as_settler(|e| e.draw_reserve(PROVIDERS[to], ct(amount)));
                }
                Op::Finalize(n) => {
                    fx.vm().set_sender(STRANGER);
                    fx.em.finalize_epochs(U256::from(n)).unwrap();
                }
                Op::Claim { provider, epochs } => {
                    let p = PROVIDERS[provider];
                    let list: Vec<u64> = epochs.iter().map(|&e| u64::from(e)).collect();
                    let pending: Vec<U256> = list.iter().map(|&e| fx.em.pending_reward(U256::from(e), p).unwrap()).collect();
                    let stake_before = fx.em.earned_stake_rewards(p).unwrap();
                    if let Ok(total) = fx.claim(p, &list) {
                        let work: U256 = pending.iter().copied().sum();
                        prop_assert_eq!(total, work + stake_before, "claimed = pending work + earned stake");
                        stake_paid += stake_before;
                        for (&e, amount) in list.iter().zip(pending) {
                            prop_assert!(claimed.insert((e, p)), "an (epoch, provider) paid twice");
                            *work_paid.entry(e).or_default() += amount;
                        }
                    }
                }
                Op::Param { which, value } => {
                    let p = PARAMETERS[which];
                    fx.vm().set_sender(ADMIN);
                    let _ = fx.em.set_parameter(p.name, U256::from(value).min(p.max));
                }
                Op::Warp(s) => { now += s; fx.at(now); }
            }

            // 1. The reserve balances.
            fx.assert_reserve_balances();
            let (initial, reserve, emitted, drawn, returned) = fx.em.supply_stats();
            prop_assert!(reserve <= initial);
            // 2. Work rewards per epoch ≤ work pool ≤ min(share, fees × cap).
            for (&e, &paid) in &work_paid {
                let (fees, _, pool, work_cap, _, _, _) = fx.em.epoch_stats(U256::from(e));
                prop_assert!(paid <= pool);
                prop_assert!(pool <= work_cap);
                let cap_bps = fx.em.parameter_at(WORK_REWARD_CAP_BPS, U256::from(e)).unwrap();
                prop_assert!(work_cap <= fees * cap_bps / U256::from(10_000));
            }
            // 3. Stake conservation: paid + still owed ≤ streamed − returned.
            let (_, _, _, streamed, paid, ret) = fx.em.stake_stats();
            prop_assert_eq!(paid, stake_paid);
            prop_assert_eq!(ret, returned);
            let owed: U256 = PROVIDERS.iter().map(|&p| fx.em.earned_stake_rewards(p).unwrap()).sum();
            prop_assert!(paid + owed + returned <= streamed, "stake rewards beyond the stream");
            // 4. Draws stay under each epoch's cap.
            let current = fx.em.current_epoch().to::<u64>();
            for e in current.saturating_sub(2)..=current {
                let stats = fx.em.epoch_stats(U256::from(e));
                prop_assert!(stats.5 <= stats.6, "epoch {} drew {} over its cap {}", e, stats.5, stats.6);
            }
            // 5. The token is under its cap and holds exactly what was paid out: the treasury parts,
            // the work and stake rewards claimed and the draws; and what was emitted is the
            // treasury parts, the work pools and the stream.
            let treasury = fx.token.borrow().balance(TREASURY);
            let token = fx.token.borrow();
            prop_assert!(token.supply <= token.cap);
            let minted: U256 = token.balances.values().copied().sum();
            let work: U256 = work_paid.values().copied().sum();
            prop_assert_eq!(minted, treasury + work + stake_paid + drawn);
            let next = fx.em.next_epoch_to_finalize().to::<u64>();
            for e in pooled_until..next {
                pools += fx.em.epoch_stats(U256::from(e)).2;
            }
            pooled_until = next;
            prop_assert_eq!(emitted, treasury + pools + streamed);
        }
    }

    #[test]
    fn stake_added_late_earns_at_most_its_time_share(
        early in 1u64..1_000_000,
        late in 1u64..1_000_000,
        pool_fees in 0u64..1_000_000,
        join_at in 0u64..DAY,
    ) {
        let mut fx = fixture();
        fx.stake(PROVIDER, ct(early));
        fx.fees(PROVIDER, ct(pool_fees));
        fx.at(T0 + DAY);
        fx.finalize();
        let pool = fx.em.epoch_stats(U256::ZERO).4;
        let start = T0 + DAY;
        fx.at(start + join_at);
        fx.stake(PROVIDER2, ct(late));
        fx.at(start + 2 * DAY);
        let got = fx.em.earned_stake_rewards(PROVIDER2).unwrap();
        // Its time share of the pool, at its share of the stake: pool × (DAY − join) / DAY ×
        // late / (early + late), plus one wei of rounding.
        let bound = pool * U256::from(DAY - join_at) / U256::from(DAY) * U256::from(late)
            / U256::from(early + late) + U256::from(1);
        prop_assert!(got <= bound, "late stake earned {} > {}", got, bound);
        let total = got + fx.em.earned_stake_rewards(PROVIDER).unwrap();
        prop_assert!(total <= pool);
    }
}
