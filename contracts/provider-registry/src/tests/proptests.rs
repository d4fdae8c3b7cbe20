//! Property tests (DESIGN.md §9.5–9.6): random sequences of stake / requestUnbond / withdraw /
//! cancelUnbond / lockStake / unlockStake / slash / time travel by two providers run against the
//! contract (with the [`TokenHost`] ERC-20) and against a plain-Rust model in `u128`. Every call must
//! succeed or fail exactly as the model says (same error and fields; failures write nothing), and
//! after every call:
//! - the registry's token balance = Σ (active + unbonding) over providers (§9.5);
//! - locked ≤ active; unbonding = Σ pending requests; at most 16 pending (§9.5);
//! - a slash takes at most maxSlashBps of active + unbonding, and at least its pro-rata share
//!   (rounded down) from every unbonding request, so unbonding never dodges a slash (§9.6);
//! - a withdrawal pays exactly the matured requests, never one before its `releaseAt` (§9.6).

use proptest::prelude::*;

use super::*;

const PROVIDERS: [Address; 2] = [PROVIDER, OTHER];
const MAX_SLASH: u128 = 1_000;
const SHARE: u128 = 5_000;

#[derive(Debug, Clone)]
enum Op {
    Stake { who: usize, amount: u128 },
    Unbond { who: usize, amount: u128 },
    Withdraw { who: usize },
    Cancel { who: usize, id: u64 },
    Lock { who: usize, amount: u128 },
    Unlock { who: usize, amount: u128 },
    Slash { who: usize, amount: u128 },
    Warp { seconds: u64 },
}

fn amount() -> impl Strategy<Value = u128> {
    const CT: u128 = 1_000_000_000_000_000_000;
    prop_oneof![
        1 => Just(0u128),
        3 => 1u128..1_000,
        4 => (1u128..2_000).prop_map(|n| n * CT),
        2 => 1u128..2_000 * CT,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0usize..2;
    prop_oneof![
        3 => (who.clone(), amount()).prop_map(|(who, amount)| Op::Stake { who, amount }),
        3 => (who.clone(), amount()).prop_map(|(who, amount)| Op::Unbond { who, amount }),
        2 => who.clone().prop_map(|who| Op::Withdraw { who }),
        1 => (who.clone(), 0u64..20).prop_map(|(who, id)| Op::Cancel { who, id }),
        2 => (who.clone(), amount()).prop_map(|(who, amount)| Op::Lock { who, amount }),
        1 => (who.clone(), amount()).prop_map(|(who, amount)| Op::Unlock { who, amount }),
        2 => (who.clone(), amount()).prop_map(|(who, amount)| Op::Slash { who, amount }),
        2 => prop_oneof![0u64..86_400, Just(14 * 86_400), 0u64..20 * 86_400]
            .prop_map(|seconds| Op::Warp { seconds }),
    ]
}

#[derive(Default, Clone, Debug)]
struct Request {
    id: u64,
    amount: u128,
    release_at: u64,
}

#[derive(Default, Clone, Debug)]
struct P {
    active: u128,
    locked: u128,
    /// Pending requests by slot; `None` = free slot.
    slots: [Option<Request>; MAX_UNBOND_REQUESTS],
    last_id: u64,
}

impl P {
    fn unbonding(&self) -> u128 {
        self.slots.iter().flatten().map(|r| r.amount).sum()
    }
}

fn u(x: u128) -> U256 {
    U256::from(x)
}

/// ⌈a·b/d⌉ (`up`) or ⌊a·b/d⌋ in 256 bits (a·b overflows u128 for CT amounts).
fn mul_div_model(a: u128, b: u128, d: u128, up: bool) -> u128 {
    let (a, b, d) = (U256::from(a), U256::from(b), U256::from(d));
    let q = if up { (a * b).div_ceil(d) } else { a * b / d };
    q.to::<u128>()
}

fn check(registry: &ProviderRegistry, host: &TokenHost, model: &[P; 2]) {
    let mut total = 0u128;
    for (i, p) in model.iter().enumerate() {
        let who = PROVIDERS[i];
        assert_eq!(registry.active_stake(who), u(p.active), "active");
        assert_eq!(registry.locked_stake(who), u(p.locked), "locked");
        assert_eq!(registry.unbonding_stake(who), u(p.unbonding()), "unbonding");
        assert!(p.locked <= p.active, "locked <= active");
        for r in p.slots.iter().flatten() {
            assert_eq!(
                registry.unbond_request(who, U256::from(r.id)),
                (u(r.amount), r.release_at)
            );
        }
        total += p.active + p.unbonding();
    }
    assert_eq!(
        host.token.borrow().balance(REGISTRY),
        u(total),
        "token balance = Σ active + unbonding"
    );
}

fn run(ops: Vec<Op>) {
    let (host, mut registry) = deploy();
    let vm = host.vm.clone();
    vm.set_sender(OTHER);
    registry.register(H100, 1, 24, EU, String::new()).unwrap();
    vm.set_sender(PROVIDER);
    registry.register(H100, 8, 80, EU, String::new()).unwrap();
    let mut model: [P; 2] = Default::default();
    let mut now = T0;
    for op in ops {
        clear(&host);
        match op {
            Op::Stake { who, amount } => {
                vm.set_sender(PROVIDERS[who]);
                let result = registry.stake(u(amount));
                if amount == 0 {
                    assert_eq!(result, Err(Error::ZeroAmount(RegistryZeroAmount {})));
                } else {
                    result.unwrap();
                    model[who].active += amount;
                }
            }
            Op::Unbond { who, amount } => {
                vm.set_sender(PROVIDERS[who]);
                let p = &mut model[who];
                let free = p.active - p.locked;
                let expected = if amount == 0 {
                    Err(Error::ZeroAmount(RegistryZeroAmount {}))
                } else if amount > free {
                    Err(Error::InsufficientFreeStake(
                        RegistryInsufficientFreeStake {
                            provider: PROVIDERS[who],
                            free: u(free),
                            needed: u(amount),
                        },
                    ))
                } else if let Some(slot) = p.slots.iter().position(Option::is_none) {
                    p.last_id += 1;
                    p.slots[slot] = Some(Request {
                        id: p.last_id,
                        amount,
                        release_at: now + 14 * 86_400,
                    });
                    p.active -= amount;
                    Ok(U256::from(p.last_id))
                } else {
                    Err(Error::TooManyUnbondRequests(
                        RegistryTooManyUnbondRequests {
                            provider: PROVIDERS[who],
                            maxRequests: U256::from(16),
                        },
                    ))
                };
                match expected {
                    Err(e) => assert_reverts(&vm, e, || registry.request_unbond(u(amount))),
                    Ok(id) => assert_eq!(registry.request_unbond(u(amount)), Ok(id)),
                }
            }
            Op::Withdraw { who } => {
                vm.set_sender(PROVIDERS[who]);
                let p = &mut model[who];
                let mut paid = 0u128;
                for slot in p.slots.iter_mut() {
                    if slot.as_ref().is_some_and(|r| r.release_at <= now) {
                        paid += slot.take().unwrap().amount;
                    }
                }
                let before = host.token.borrow().balance(PROVIDERS[who]);
                if paid == 0 {
                    assert_reverts(
                        &vm,
                        Error::NothingToWithdraw(RegistryNothingToWithdraw {
                            provider: PROVIDERS[who],
                        }),
                        || registry.withdraw(),
                    );
                } else {
                    assert_eq!(registry.withdraw(), Ok(u(paid)));
                    let after = host.token.borrow().balance(PROVIDERS[who]);
                    assert_eq!(after - before, u(paid), "paid exactly the matured requests");
                }
                // No pending request is matured any more: nothing paid early, nothing left behind.
                assert!(p.slots.iter().flatten().all(|r| r.release_at > now));
            }
            Op::Cancel { who, id } => {
                vm.set_sender(PROVIDERS[who]);
                let p = &mut model[who];
                let slot = p
                    .slots
                    .iter()
                    .position(|r| r.as_ref().is_some_and(|r| r.id == id));
                if let Some(slot) = slot {
                    let r = p.slots[slot].take().unwrap();
                    p.active += r.amount;
                    registry.cancel_unbond(U256::from(id)).unwrap();
                } else {
                    assert_reverts(
                        &vm,
                        Error::UnknownUnbondRequest(RegistryUnknownUnbondRequest {
                            provider: PROVIDERS[who],
                            requestId: U256::from(id),
                        }),
                        || registry.cancel_unbond(U256::from(id)),
                    );
                }
            }
            Op::Lock { who, amount } => {
                vm.set_sender(MANAGER);
                let p = &mut model[who];
                let free = p.active - p.locked;
                if amount > free {
                    assert_reverts(
                        &vm,
                        Error::InsufficientFreeStake(RegistryInsufficientFreeStake {
                            provider: PROVIDERS[who],
                            free: u(free),
                            needed: u(amount),
                        }),
                        || registry.lock_stake(PROVIDERS[who], u(amount)),
                    );
                } else {
                    p.locked += amount;
                    registry.lock_stake(PROVIDERS[who], u(amount)).unwrap();
                }
            }
            Op::Unlock { who, amount } => {
                vm.set_sender(MANAGER);
                let p = &mut model[who];
                p.locked -= amount.min(p.locked);
                registry.unlock_stake(PROVIDERS[who], u(amount)).unwrap();
            }
            Op::Slash { who, amount } => {
                vm.set_sender(SLASHER);
                let p = &mut model[who];
                let total = p.active + p.unbonding();
                let slashed = amount.min(total * MAX_SLASH / 10_000);
                if slashed > 0 {
                    let from_active = mul_div_model(slashed, p.active, total, true);
                    let mut remaining = slashed - from_active;
                    // Unbonding does not dodge a slash: the unbonding buckets together pay at
                    // least their pro-rata share, rounded down.
                    let unbonding = p.unbonding();
                    assert!(remaining >= mul_div_model(slashed, unbonding, total, false));
                    p.active -= from_active;
                    for r in p.slots.iter_mut().flatten() {
                        let take = mul_div_model(slashed, r.amount, total, true).min(remaining);
                        // Each request pays its pro-rata share, give or take the rounding of
                        // the 17 buckets.
                        let floor = mul_div_model(slashed, r.amount, total, false);
                        assert!(take + MAX_UNBOND_REQUESTS as u128 + 1 >= floor);
                        r.amount -= take;
                        remaining -= take;
                    }
                    assert_eq!(remaining, 0, "the takes add up to the slash");
                    for slot in p.slots.iter_mut() {
                        if slot.as_ref().is_some_and(|r| r.amount == 0) {
                            *slot = None; // slashed to nothing: the request disappears
                        }
                    }
                    p.locked = p.locked.min(p.active);
                }
                let beneficiary_before = host.token.borrow().balance(BENEFICIARY);
                let burned_before = host.token.borrow().burned;
                registry
                    .slash(PROVIDERS[who], u(amount), BENEFICIARY, REASON)
                    .unwrap();
                let to_beneficiary = slashed * SHARE / 10_000;
                let token = host.token.borrow();
                assert_eq!(
                    token.balance(BENEFICIARY) - beneficiary_before,
                    u(to_beneficiary)
                );
                assert_eq!(token.burned - burned_before, u(slashed - to_beneficiary));
                assert!(
                    slashed * 10_000 <= MAX_SLASH * total,
                    "slash <= maxSlashBps"
                );
            }
            Op::Warp { seconds } => {
                now += seconds;
                vm.set_block_timestamp(now);
            }
        }
        check(&registry, &host, &model);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn registry_matches_the_model_and_keeps_its_invariants(
        ops in proptest::collection::vec(op(), 1..64)
    ) {
        run(ops);
    }
}
