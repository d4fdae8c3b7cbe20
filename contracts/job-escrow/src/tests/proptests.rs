//! Property test over random sequences of every action — create, createJobFor, award, cancel,
//! accept, submit, approve, finalize, dispute, resolve, timeout, pause, unpause — by random callers
//! with random time jumps, while the oracle goes stale and fresh and providers unbond or try to
//! deregister, against the models of [`super::models`] (which refuse as the real registry does:
//! eligibility, GPUs, `maxOpenJobs` = 3 here, free stake). Every action is one transaction: a
//! failure is undone as on chain. After every step it checks:
//!
//! 1. per job: the credits locked at creation = settled + refunded once terminal (award refunds
//!    included), nothing settled before; locked once, settled at most once, unlocked at most twice
//!    (award, end); a non-terminal job's locked − refunded = its current maxCost;
//! 2. every state change is an allowed transition; a terminal state never changes;
//! 3. a failed check (any error but a callee's `CallFailed` or `BalanceDeltaMismatch`) wrote nothing,
//!    logged nothing and made no mutating call;
//! 4. the escrow's CT balance = `bondsHeld()` = Σ bonds of Disputed jobs;
//! 5. the registry's locks are exactly those of Running/Submitted/Disputed jobs, each of the amount
//!    `JobAccepted` reported; `lockedStake(p)` and `openJobs(p)` are their sum and count, at most
//!    `maxOpenJobs`; stake is conserved (held + slashed away = staked);
//! 6. the controller's locked credits = Σ maxCost of non-terminal jobs;
//! 7. the oracle: only `acceptJob`/`award` (quote) and `approveResult`/`finalize` (settle) ever fail
//!    on the controller, and only while its price is stale; the registry refuses only stake locks
//!    (`releaseStake`, `slashJob` and `jail` never fail); the token never fails.
//!
//! Cases: 64 by default (about 15 CPU-seconds in a debug build); `PROPTEST_CASES=1000 cargo test -p
//! job-escrow --lib proptests` runs a longer campaign (about 5 CPU-minutes in a debug build).

use std::collections::HashMap;

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use common::errors::CommonError;
use proptest::prelude::*;
use testing::logs_of;

use super::*;

const ACTORS: [Address; 8] = [
    REQUESTER, REQUESTER2, PROVIDER, PROVIDER2, OTHER, ARBITRATOR, MARKET, MARKET2,
];
const PROVIDERS: [Address; 3] = [PROVIDER, PROVIDER2, OTHER];

#[derive(Clone, Debug)]
enum Action {
    Create {
        who: usize,
        named: usize,
        gpus: u32,
        duration: u64,
        price: u64,
    },
    CreateFor {
        who: Who,
        requester: usize,
        gpus: u32,
        duration: u64,
        price: u64,
        open_seconds: u64,
    },
    /// `award(job, PROVIDERS[p], ⌈maxPrice × permille / 1000⌉)`.
    Award(usize, Who, usize, u16),
    Cancel(usize, Who),
    Accept(usize, Who),
    Submit(usize, Who, u64),
    Approve(usize, Who),
    Finalize(usize, Who),
    Dispute(usize, Who),
    Resolve(usize, Who, bool),
    Timeout(usize, Who),
    /// The next natural step of a live (non-terminal) job, chosen by its state and `choice`
    /// (a result reports `permille` ‰ of the job's maxDuration); a new job if none is live.
    Advance(usize, u8, u16, bool),
    Warp(u64),
    Pause,
    Unpause,
    /// The oracle goes stale (`true`) or fresh.
    Oracle(bool),
    /// `PROVIDERS[p]` unbonds `percent` % of its free stake (the registry's `requestUnbond`), or
    /// with `percent` > 100 tries to deregister.
    Provider(usize, u8),
}

/// The caller: `None` = the job's natural actor (its requester, its provider — `PROVIDER` or
/// `PROVIDER2` if none is named yet — its market, or the arbitrator), `Some(i)` = `ACTORS[i]`.
type Who = Option<usize>;

fn action() -> impl Strategy<Value = Action> {
    let who = prop_oneof![4 => Just(None), 1 => (0..ACTORS.len()).prop_map(Some)];
    let job = 0usize..64;
    let gpus = prop_oneof![3 => 1u32..=4, 1 => 1u32..=16];
    let price = prop_oneof![
        3 => 1u64..=1_000_000,
        3 => 1u64..=10_000_000,
        1 => 1u64..=100_000_000
    ];
    prop_oneof![
        3 => (0usize..2, 0usize..4, gpus.clone(), 1u64..=7_200, price.clone()).prop_map(
            |(who, named, gpus, duration, price)| Action::Create { who, named, gpus, duration, price }
        ),
        2 => (who.clone(), 0usize..2, gpus, 1u64..=7_200, price, 600u64..=7_200).prop_map(
            |(who, requester, gpus, duration, price, open_seconds)| Action::CreateFor {
                who, requester, gpus, duration, price, open_seconds
            }
        ),
        2 => (job.clone(), who.clone(), 0usize..3, 0u16..=1_100)
            .prop_map(|(j, w, p, m)| Action::Award(j, w, p, m)),
        1 => (job.clone(), who.clone()).prop_map(|(j, w)| Action::Cancel(j, w)),
        3 => (job.clone(), who.clone()).prop_map(|(j, w)| Action::Accept(j, w)),
        3 => (job.clone(), who.clone(), 0u64..=8_000).prop_map(|(j, w, u)| Action::Submit(j, w, u)),
        2 => (job.clone(), who.clone()).prop_map(|(j, w)| Action::Approve(j, w)),
        2 => (job.clone(), who.clone()).prop_map(|(j, w)| Action::Finalize(j, w)),
        2 => (job.clone(), who.clone()).prop_map(|(j, w)| Action::Dispute(j, w)),
        2 => (job.clone(), who.clone(), any::<bool>()).prop_map(|(j, w, f)| Action::Resolve(j, w, f)),
        2 => (job.clone(), who).prop_map(|(j, w)| Action::Timeout(j, w)),
        4 => prop_oneof![
            6 => 0u64..=300,
            3 => 0u64..=3_000,
            2 => 0u64..=20_000,
            1 => 0u64..=200_000,
            1 => 0u64..=700_000
        ]
        .prop_map(Action::Warp),
        16 => (job, any::<u8>(), 0u16..=1_050, any::<bool>()).prop_map(|(j, c, u, f)| Action::Advance(j, c, u, f)),
        1 => Just(Action::Pause),
        8 => Just(Action::Unpause),
        2 => prop_oneof![1 => Just(true), 3 => Just(false)].prop_map(Action::Oracle),
        1 => (0usize..3, 0u8..=110).prop_map(|(p, pct)| Action::Provider(p, pct)),
    ]
}

/// What the escrow told the controller about one job.
#[derive(Default, Clone, Debug)]
struct Tally {
    locked: U256,
    settled: U256,
    refunded: U256,
    locks: u32,
    settles: u32,
    unlocks: u32,
}

fn terminal(s: u8) -> bool {
    matches!(s, COMPLETED | CANCELLED | REFUNDED | EXPIRED)
}

fn allowed(from: u8, to: u8) -> bool {
    from == to
        || matches!(
            (from, to),
            (NONE, OPEN)
                | (OPEN, RUNNING)
                | (OPEN, CANCELLED)
                | (RUNNING, SUBMITTED)
                | (RUNNING, EXPIRED)
                | (SUBMITTED, COMPLETED)
                | (SUBMITTED, DISPUTED)
                | (DISPUTED, COMPLETED)
                | (DISPUTED, REFUNDED)
                | (DISPUTED, SUBMITTED)
        )
}

/// Three providers of different sizes: `PROVIDER` 16 GPUs, 20_000 CT active (8_200 required) and
/// 1_000 CT unbonding; `PROVIDER2` 8 GPUs, 12_000 CT (6_600 required); `OTHER` 4 GPUs, 7_000 CT
/// (5_800 required). Slashes, unbonding and big jobs make them run out of free stake or
/// eligibility.
fn setup() -> Env {
    let env = deploy();
    {
        let mut reg = env.registry.borrow_mut();
        reg.max_open_jobs = 3;
        reg.register(PROVIDER, 16, ct(20_000));
        reg.providers.get_mut(&PROVIDER).unwrap().unbonding = vec![ct(1_000)];
        reg.register(PROVIDER2, 8, ct(12_000));
        reg.register(OTHER, 4, ct(7_000));
    }
    for r in [REQUESTER, REQUESTER2] {
        env.controller
            .borrow_mut()
            .free
            .insert(r, U256::from(u64::MAX));
        let mut t = env.token.borrow_mut();
        t.balances.insert(r, ct(1_000_000_000));
        t.allowances.insert((r, ESCROW), U256::MAX);
    }
    env
}

/// Σ stake held by the registry for the three providers plus what slashes paid out and burned.
fn stake_accounted(env: &Env) -> U256 {
    let reg = env.registry.borrow();
    let held: U256 = PROVIDERS
        .iter()
        .map(|p| {
            let r = reg.provider(*p);
            r.active + r.unbonding_total()
        })
        .sum();
    held + reg.paid.values().copied().sum::<U256>() + reg.burned
}

/// Time passes until job `id`'s current phase ends.
fn wait_for(env: &Env, id: U256) {
    let until = env.escrow.job_words(id)[F_UNTIL].to::<u64>();
    env.warp(env.now().max(until));
}

fn n_of(id: U256) -> usize {
    id.to::<u64>() as usize
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(testing::cases(64)))]

    #[test]
    fn jobs_conserve_credits_stake_and_bonds(actions in prop::collection::vec(action(), 1..100)) {
        let mut env = setup();
        let staked = stake_accounted(&env);
        let mut tallies: HashMap<U256, Tally> = HashMap::new();
        let mut states: HashMap<U256, u8> = HashMap::new();
        let mut stakes: HashMap<U256, U256> = HashMap::new();
        for action in actions {
            let count = env.escrow.job_count();
            // Any job, or the next, unknown id.
            let pick = |j: usize| {
                let n = count.to::<u64>();
                U256::from(j as u64 % (n + 1) + 1)
            };
            // A live job, if any.
            let live: Vec<U256> = (1..=count.to::<u64>())
                .map(U256::from)
                .filter(|id| !terminal(states.get(id).copied().unwrap_or(NONE)))
                .collect();
            let pick_live = |j: usize| if live.is_empty() { pick(j) } else { live[j % live.len()] };
            let caller = |env: &Env, j: U256, who: Who, role: u8| -> Address {
                match who {
                    Some(i) => ACTORS[i],
                    None => {
                        let job = env.escrow.job_words(j);
                        match role {
                            0 => Address::from_word(job[F_REQUESTER].into()),
                            1 => {
                                let p = Address::from_word(job[F_PROVIDER].into());
                                if p.is_zero() { PROVIDERS[n_of(j) % 3] } else { p }
                            }
                            2 => MARKET,
                            _ => ARBITRATOR,
                        }
                    }
                }
            };
            let award_price = |env: &Env, j: U256, permille: u16| {
                let max = env.escrow.job_words(j)[F_PRICE];
                (max * U256::from(permille)).div_ceil(U256::from(1_000))
            };
            let saved = env.save();
            let calls_before = env.calls().len();
            let stale = env.controller.borrow().price_error();
            let (job, kind, result): (U256, &str, Result<(), Error>) = match action {
                Action::Create { who, named, gpus, duration, price } => {
                    env.at(ACTORS[who]);
                    let named = [Address::ZERO, PROVIDER, PROVIDER2, OTHER][named];
                    let r = env.escrow.create_job(named, SPEC, gpus, duration, U256::from(price));
                    (count + U256::from(1), "create", r.map(drop))
                }
                Action::CreateFor { who, requester, gpus, duration, price, open_seconds } => {
                    env.at(who.map_or(MARKET, |i| ACTORS[i]));
                    let r = env.escrow.create_job_for(
                        [REQUESTER, REQUESTER2][requester], SPEC, gpus, duration,
                        U256::from(price), open_seconds,
                    );
                    (count + U256::from(1), "create", r.map(drop))
                }
                Action::Award(j, w, p, permille) => {
                    let id = pick(j);
                    env.at(caller(&env, id, w, 2));
                    let price = award_price(&env, id, permille);
                    (id, "award", env.escrow.award(id, PROVIDERS[p], price))
                }
                Action::Cancel(j, w) => { let id = pick(j); env.at(caller(&env, id, w, 0)); (id, "cancel", env.escrow.cancel_job(id)) }
                Action::Accept(j, w) => { let id = pick(j); env.at(caller(&env, id, w, 1)); (id, "accept", env.escrow.accept_job(id)) }
                Action::Submit(j, w, used) => {
                    let id = pick(j);
                    env.at(caller(&env, id, w, 1));
                    (id, "submit", env.escrow.submit_result(id, RESULT, used))
                }
                Action::Approve(j, w) => { let id = pick(j); env.at(caller(&env, id, w, 0)); (id, "approve", env.escrow.approve_result(id)) }
                Action::Finalize(j, w) => { let id = pick(j); env.at(caller(&env, id, w, 3)); (id, "finalize", env.escrow.finalize(id)) }
                Action::Dispute(j, w) => {
                    let id = pick(j);
                    env.at(caller(&env, id, w, 0));
                    (id, "dispute", env.escrow.dispute_result(id, EVIDENCE))
                }
                Action::Resolve(j, w, fault) => {
                    let id = pick(j);
                    env.at(caller(&env, id, w, 3));
                    (id, "resolve", env.escrow.resolve_dispute(id, fault))
                }
                Action::Timeout(j, w) => { let id = pick(j); env.at(caller(&env, id, w, 3)); (id, "timeout", env.escrow.claim_timeout(id)) }
                Action::Advance(_, choice, permille, _) if live.is_empty() => {
                    let (gpus, duration, price) = (1 + choice as u32 % 4, 60 + permille as u64 * 6, U256::from(1_000_000 + permille as u64 * 1_000));
                    let r = if choice % 2 == 0 {
                        env.at(REQUESTER);
                        env.escrow.create_job(Address::ZERO, SPEC, gpus, duration, price)
                    } else {
                        env.at(MARKET);
                        env.escrow.create_job_for(REQUESTER2, SPEC, gpus, duration, price, 1_800)
                    };
                    (count + U256::from(1), "create", r.map(drop))
                }
                Action::Advance(j, choice, permille, fault) => {
                    let id = pick_live(j);
                    let used = env.escrow.job_words(id)[F_MAX_DURATION].to::<u64>() * permille as u64 / 1_000;
                    let requester = caller(&env, id, None, 0);
                    let provider = caller(&env, id, None, 1);
                    let market_job = provider == MARKET;
                    let r = match (env.state(id), choice % 5) {
                        (OPEN, 0) => {
                            env.at(if market_job { MARKET } else { requester });
                            ("cancel", env.escrow.cancel_job(id))
                        }
                        (OPEN, c) if market_job => {
                            env.at(MARKET);
                            let price = award_price(&env, id, 250 * c as u16);
                            ("award", env.escrow.award(id, PROVIDERS[(choice / 5) as usize % 3], price))
                        }
                        (OPEN, _) => { env.at(provider); ("accept", env.escrow.accept_job(id)) }
                        (RUNNING, 0) => {
                            wait_for(&env, id);
                            env.at(OTHER);
                            ("timeout", env.escrow.claim_timeout(id))
                        }
                        (RUNNING, _) => { env.at(provider); ("submit", env.escrow.submit_result(id, RESULT, used)) }
                        (SUBMITTED, 0 | 1) => { env.at(requester); ("approve", env.escrow.approve_result(id)) }
                        (SUBMITTED, 2 | 3) => { env.at(requester); ("dispute", env.escrow.dispute_result(id, EVIDENCE)) }
                        (DISPUTED, 0..=3) => { env.at(ARBITRATOR); ("resolve", env.escrow.resolve_dispute(id, fault)) }
                        _ => {
                            wait_for(&env, id);
                            env.at(OTHER);
                            ("finalize", env.escrow.finalize(id))
                        }
                    };
                    (id, r.0, r.1)
                }
                Action::Warp(dt) => { env.warp(env.now() + dt); (U256::ZERO, "warp", Ok(())) }
                Action::Pause => {
                    env.at(PAUSER);
                    (U256::ZERO, "pause", env.escrow.pause().map_err(Error::from))
                }
                Action::Unpause => {
                    env.at(PAUSER);
                    (U256::ZERO, "unpause", env.escrow.unpause().map_err(Error::from))
                }
                Action::Oracle(stale) => {
                    let mut c = env.controller.borrow_mut();
                    if stale { c.set_stale() } else { c.set_fresh() }
                    (U256::ZERO, "oracle", Ok(()))
                }
                Action::Provider(p, percent) => {
                    let mut reg = env.registry.borrow_mut();
                    if percent > 100 {
                        let _ = reg.deregister(PROVIDERS[p]);
                    } else {
                        let r = reg.provider(PROVIDERS[p]);
                        let free = r.active.saturating_sub(r.locked);
                        let _ = reg.request_unbond(PROVIDERS[p], free * U256::from(percent) / U256::from(100));
                    }
                    (U256::ZERO, "provider", Ok(()))
                }
            };
            let calls: Vec<Call> = env.calls()[calls_before..].to_vec();
            if let Err(error) = &result {
                // 7. Who may fail, and why.
                match error {
                    Error::Common(CommonError::CallFailed(c)) if c.target == CONTROLLER => {
                        prop_assert!(
                            matches!(kind, "accept" | "award" | "approve" | "finalize"),
                            "{} failed on the controller: {:?}", kind, error
                        );
                        prop_assert_eq!(Some(c.returnData.to_vec()), stale.clone(), "{}", kind);
                    }
                    Error::Common(CommonError::CallFailed(c)) if c.target == REGISTRY => {
                        prop_assert!(matches!(kind, "accept" | "award"), "{} failed on the registry: {:?}", kind, error);
                        prop_assert_eq!(
                            calls.last().map(|c| c.data[..4].to_vec()),
                            Some(lockStakeCall::SELECTOR.to_vec())
                        );
                    }
                    Error::Common(CommonError::CallFailed(_) | CommonError::BalanceDeltaMismatch(_)) => {
                        prop_assert!(false, "{} failed on the token: {:?}", kind, error);
                    }
                    // 3. A failed check wrote nothing and called nothing that could.
                    _ => {
                        let now = env.save();
                        prop_assert_eq!(&now.storage, &saved.storage, "{:?}", error);
                        prop_assert_eq!(&now.logs, &saved.logs, "{:?}", error);
                        prop_assert!(calls.iter().all(|c| c.is_static), "{:?}: {:?}", error, calls);
                    }
                }
                // The chain undoes the transaction.
                env.restore(saved);
            } else {
                // Attribute the controller calls to the job acted on.
                for call in &calls {
                    if call.to != CONTROLLER || call.is_static {
                        continue;
                    }
                    let t = tallies.entry(job).or_default();
                    let sel: [u8; 4] = call.data[..4].try_into().unwrap();
                    if sel == lockCreditsCall::SELECTOR {
                        t.locked += lockCreditsCall::abi_decode(&call.data).unwrap().amount;
                        t.locks += 1;
                    } else if sel == unlockCreditsCall::SELECTOR {
                        t.refunded += unlockCreditsCall::abi_decode(&call.data).unwrap().amount;
                        t.unlocks += 1;
                    } else if sel == settleCall::SELECTOR {
                        let s = settleCall::abi_decode(&call.data).unwrap();
                        t.settled += s.credits;
                        t.refunded += s.refund;
                        t.settles += 1;
                    }
                }
                for accepted in logs_of::<JobAccepted>(env.vm()) {
                    stakes.insert(accepted.jobId, accepted.stakeLocked);
                }
            }
            env.clear();
            check(&env, &tallies, &mut states, &stakes, staked)?;
        }
    }
}

fn check(
    env: &Env,
    tallies: &HashMap<U256, Tally>,
    states: &mut HashMap<U256, u8>,
    stakes: &HashMap<U256, U256>,
    staked: U256,
) -> Result<(), TestCaseError> {
    let count = env.escrow.job_count().to::<u64>();
    let mut bonds = U256::ZERO;
    let mut locks: HashMap<(Address, U256), U256> = HashMap::new();
    let mut open: HashMap<Address, (u64, U256)> = HashMap::new();
    let mut locked_credits = U256::ZERO;
    for n in 1..=count {
        let id = U256::from(n);
        let job = env.escrow.job_words(id);
        let state = job[F_STATE].to::<u8>();
        let max_cost = job[F_MAX_COST];
        let t = tallies.get(&id).cloned().unwrap_or_default();
        // 1. Conservation, once each.
        prop_assert_eq!(t.locks, 1);
        prop_assert!(
            t.settles <= 1 && t.unlocks <= 2,
            "paid or refunded twice: {:?}",
            t
        );
        prop_assert!(job[F_COST] <= max_cost);
        if terminal(state) {
            prop_assert_eq!(t.settled + t.refunded, t.locked, "job {} {:?}", n, t);
            prop_assert_eq!(t.settled, job[F_COST]);
            if state != COMPLETED {
                prop_assert_eq!(t.settled, U256::ZERO);
            }
        } else {
            prop_assert_eq!(t.settled, U256::ZERO);
            prop_assert_eq!(t.locked - t.refunded, max_cost, "job {} {:?}", n, t);
            locked_credits += max_cost;
        }
        // 2. Transitions.
        let prev = states.get(&id).copied().unwrap_or(NONE);
        prop_assert!(allowed(prev, state), "job {}: {} -> {}", n, prev, state);
        if terminal(prev) {
            prop_assert_eq!(prev, state);
        }
        states.insert(id, state);
        if state == DISPUTED {
            prop_assert!(!job[F_BOND].is_zero());
            bonds += job[F_BOND];
        }
        if matches!(state, RUNNING | SUBMITTED | DISPUTED) {
            let provider = Address::from_word(job[F_PROVIDER].into());
            let stake = stakes[&id];
            locks.insert((provider, id), stake);
            let e = open.entry(provider).or_default();
            e.0 += 1;
            e.1 += stake;
        }
    }
    // 4. Bonds.
    prop_assert_eq!(env.escrow.bonds_held(), bonds);
    prop_assert_eq!(env.token.borrow().balance(ESCROW), bonds);
    // 5. Stake locks.
    let reg = env.registry.borrow();
    let registry_locks: HashMap<(Address, U256), U256> = reg
        .locks
        .iter()
        .map(|(k, (amount, _))| (*k, *amount))
        .collect();
    prop_assert_eq!(&registry_locks, &locks);
    for p in PROVIDERS.iter().chain(&[REQUESTER, MARKET]) {
        let (n, stake) = open.get(p).copied().unwrap_or_default();
        let r = reg.provider(*p);
        prop_assert_eq!((r.open_jobs, r.locked), (n, stake));
        prop_assert!(n <= reg.max_open_jobs);
    }
    drop(reg);
    prop_assert_eq!(stake_accounted(env), staked);
    // 6. Credits.
    let c = env.controller.borrow();
    prop_assert_eq!(
        c.locked_of(REQUESTER) + c.locked_of(REQUESTER2),
        locked_credits
    );
    Ok(())
}
