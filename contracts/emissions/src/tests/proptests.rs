//! Property tests (crate invariants 1–4; DESIGN.md §9.1–9.2): random sequences of `recordWork`,
//! `drawReserve`, `finalizeEpochs`, `claimRewards`, parameter changes and time jumps against a token
//! model that enforces the cap like the real token. Calls may fail where the contract must refuse
//! them (a draw beyond the reserve, a claim of an unfinalised or claimed epoch); after every step the
//! reserve must balance exactly, no epoch may pay out more than its provider share, no (epoch,
//! provider) twice, and the token never past its cap — the contract's mints never fail on it.

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
    Work { provider: usize, credits: u64 },
    Draw { to: usize, amount: u64 },
    Finalize(u8),
    Claim { provider: usize, epochs: Vec<u8> },
    Rate(u64),
    TreasuryBps(u64),
    Warp(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..3, 0u64..2_000_000_000).prop_map(|(provider, credits)| Op::Work { provider, credits }),
        2 => (0usize..3, 0u64..400).prop_map(|(to, amount)| Op::Draw { to, amount }),
        2 => (0u8..80).prop_map(Op::Finalize),
        3 => (0usize..3, proptest::collection::vec(0u8..24, 0..5)).prop_map(|(provider, epochs)| Op::Claim { provider, epochs }),
        1 => (0u64..=10_000_000_000_000_000).prop_map(Op::Rate),
        1 => (0u64..=5_000).prop_map(Op::TreasuryBps),
        3 => (0u64..30 * HOUR).prop_map(Op::Warp),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn reserve_and_rewards_balance_after_every_step(
        reserve_ct in 0u64..2_000,
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        // Hourly epochs so that time jumps cross many epochs (and the 64-epoch bound); a small
        // reserve (drawn in whole CT) so draws exhaust it.
        let cap = ct(1_000_000_000);
        let genesis = cap - ct(reserve_ct);
        let mut fx = fixture_with(genesis, cap, HOUR);
        let mut now = T0;
        let mut paid: BTreeMap<(u64, Address), U256> = BTreeMap::new();
        let mut treasury_minted = U256::ZERO;
        let mut drawn_minted = U256::ZERO;
        // Epochs with work recorded: the only ones that can emit or pay.
        let mut worked: BTreeSet<u64> = BTreeSet::new();
        for op in &ops {
            match op.clone() {
                Op::Work { provider, credits } => {
                    fx.record(PROVIDERS[provider], credits);
                    if credits > 0 {
                        worked.insert(fx.em.current_epoch().to::<u64>());
                    }
                }
                Op::Draw { to, amount } => {
                    let amount = ct(amount);
                    let reserve = fx.em.emission_reserve();
                    let result = fx.as_settler(|e| e.draw_reserve(PROVIDERS[to], amount));
                    if amount <= reserve {
                        prop_assert_eq!(result, Ok(()));
                        drawn_minted += amount;
                    } else {
                        prop_assert_eq!(
                            result,
                            Err(Error::ReserveExceeded(EmissionsReserveExceeded {
                                requested: amount,
                                available: reserve
                            }))
                        );
                    }
                }
                Op::Finalize(n) => {
                    let before = fx.em.next_epoch_to_finalize().to::<u64>();
                    let current = fx.em.current_epoch().to::<u64>();
                    let treasury_before = fx.token.borrow().balance(TREASURY);
                    fx.vm().set_sender(STRANGER);
                    let done = fx.em.finalize_epochs(U256::from(n)).unwrap().to::<u64>();
                    let expected = u64::from(n).min(64).min(current - before);
                    prop_assert_eq!(done, expected, "bounded, and never the current epoch");
                    prop_assert_eq!(fx.em.next_epoch_to_finalize().to::<u64>(), before + done);
                    // Each epoch is checked once, when it is finalised: empty epochs emit nothing.
                    for e in before..before + done {
                        let (work, emitted_e, share, _) = fx.em.epoch_stats(U256::from(e));
                        prop_assert_eq!(work.is_zero(), !worked.contains(&e));
                        if work.is_zero() {
                            prop_assert_eq!(emitted_e, U256::ZERO);
                        }
                        prop_assert!(share <= emitted_e);
                    }
                    treasury_minted += fx.token.borrow().balance(TREASURY) - treasury_before;
                }
                Op::Claim { provider, epochs } => {
                    let who = PROVIDERS[provider];
                    let epochs: Vec<U256> = epochs.into_iter().map(U256::from).collect();
                    let next = fx.em.next_epoch_to_finalize().to::<u64>();
                    let pending: Vec<U256> = epochs
                        .iter()
                        .map(|&e| fx.em.pending_reward(e, who).unwrap())
                        .collect();
                    let valid = epochs.iter().enumerate().all(|(i, e)| {
                        e.to::<u64>() < next
                            && !epochs[..i].contains(e)
                            && !paid.contains_key(&(e.to::<u64>(), who))
                    });
                    let before = fx.token.borrow().balance(who);
                    fx.vm().set_sender(who);
                    let result = fx.em.claim_rewards(epochs.clone());
                    prop_assert_eq!(result.is_ok(), valid, "{:?}", result);
                    if let Ok(total) = result {
                        prop_assert_eq!(total, pending.iter().copied().sum::<U256>());
                        prop_assert_eq!(fx.token.borrow().balance(who) - before, total);
                        for (e, amount) in epochs.iter().zip(pending) {
                            prop_assert!(paid.insert((e.to::<u64>(), who), amount).is_none(), "paid twice");
                        }
                    }
                }
                Op::Rate(r) => {
                    fx.vm().set_sender(ADMIN);
                    fx.em.set_parameter(EMISSION_RATE_WAD, U256::from(r)).unwrap();
                }
                Op::TreasuryBps(b) => {
                    fx.vm().set_sender(ADMIN);
                    fx.em.set_parameter(TREASURY_EMISSION_BPS, U256::from(b)).unwrap();
                }
                Op::Warp(s) => {
                    now += s;
                    fx.at(now);
                }
            }

            let em = &fx.em;
            // 1. emitted + drawn + reserve = initialReserve.
            let (initial, reserve, emitted, drawn) = em.supply_stats();
            prop_assert_eq!(initial, ct(reserve_ct));
            prop_assert_eq!(emitted + drawn + reserve, initial);
            prop_assert_eq!(drawn, drawn_minted);
            // 3. finalisation in order, never the current epoch (empty epochs: see `Finalize`).
            let next = em.next_epoch_to_finalize().to::<u64>();
            prop_assert!(next <= em.current_epoch().to::<u64>());
            prop_assert_eq!(em.epoch_stats(U256::from(next)).1, U256::ZERO, "not final, not emitted");
            let mut emitted_sum = U256::ZERO;
            let mut claimed_sum = U256::ZERO;
            for &e in worked.range(..next) {
                let (_, emitted_e, share, _) = em.epoch_stats(U256::from(e));
                emitted_sum += emitted_e;
                // 2. Σ claimed + Σ still pending ≤ providerShare(e).
                let mut owed = U256::ZERO;
                for p in PROVIDERS {
                    let claimed = paid.get(&(e, p)).copied().unwrap_or_default();
                    claimed_sum += claimed;
                    owed += claimed + em.pending_reward(U256::from(e), p).unwrap();
                }
                prop_assert!(owed <= share, "epoch {} pays {} of {}", e, owed, share);
            }
            prop_assert_eq!(emitted_sum, emitted);
            // The token: what it minted is exactly treasury parts + rewards + draws, never past the cap.
            let token = fx.token.borrow();
            prop_assert!(token.supply <= token.cap);
            prop_assert_eq!(token.supply - genesis, treasury_minted + claimed_sum + drawn_minted);
            prop_assert!(treasury_minted + claimed_sum <= emitted);
        }
        // Rewards paid only for epochs with work (others pay zero).
        prop_assert!(paid.iter().all(|((e, _), amount)| amount.is_zero() || worked.contains(e)));
        // Every claimed (epoch, provider) is logged exactly once.
        let logged: BTreeSet<(U256, Address)> = logs_of::<RewardsClaimed>(fx.vm())
            .iter()
            .map(|l| (l.epoch, l.provider))
            .collect();
        prop_assert_eq!(logged.len(), logs_of::<RewardsClaimed>(fx.vm()).len());
        prop_assert_eq!(logged.len(), paid.len());
    }
}
