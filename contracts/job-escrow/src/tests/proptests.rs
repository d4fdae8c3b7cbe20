//! Property test of DESIGN.md §9.4 over random sequences of every action (create, cancel, accept,
//! submit, approve, finalize, dispute, resolve, timeout, pause, unpause) by random callers with
//! random time jumps, against healthy models of the controller, registry and token. After every
//! step it checks:
//!
//! 1. per job: settled + refunded = maxCost once terminal, nothing settled or refunded before;
//!    credits are locked once, settled at most once and refunded at most once (no job is paid
//!    twice or refunded twice);
//! 2. every state change is an allowed transition; a terminal state never changes;
//! 3. a failed call wrote nothing (with healthy models every failure is a check, before effects);
//! 4. the escrow's CT balance = `bondsHeld()` = Σ bonds of Disputed jobs;
//! 5. `openJobs(p)` = p's jobs in Running/Submitted/Disputed ≤ `maxOpenJobsPerProvider`, and the
//!    registry's locked stake of p = Σ their stake locks;
//! 6. the controller's locked credits = Σ maxCost of non-terminal jobs.

use std::collections::HashMap;

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use proptest::prelude::*;

use super::*;

const ACTORS: [Address; 6] = [
    REQUESTER, REQUESTER2, PROVIDER, PROVIDER2, OTHER, ARBITRATOR,
];

#[derive(Clone, Debug)]
enum Action {
    Create {
        who: usize,
        named: usize,
        gpus: u32,
        duration: u64,
        price: u64,
    },
    Cancel(usize, Who),
    Accept(usize, Who),
    Submit(usize, Who, u64),
    Approve(usize, Who),
    Finalize(usize, Who),
    Dispute(usize, Who),
    Resolve(usize, Who, bool),
    Timeout(usize, Who),
    /// The job's next natural step, chosen by its state and `choice`.
    Advance(usize, u8, u64, bool),
    Warp(u64),
    Pause,
    Unpause,
}

/// The caller: `None` = the job's natural actor (its requester, its provider — `PROVIDER` or
/// `PROVIDER2` if none is named yet — or the arbitrator), `Some(i)` = `ACTORS[i]`.
type Who = Option<usize>;

fn action() -> impl Strategy<Value = Action> {
    let who = prop_oneof![3 => Just(None), 1 => (0..ACTORS.len()).prop_map(Some)];
    let job = 0usize..64;
    prop_oneof![
        3 => (0usize..2, 0usize..3, 1u32..=16, 1u64..=7_200, 1u64..=10_000_000).prop_map(
            |(who, named, gpus, duration, price)| Action::Create { who, named, gpus, duration, price }
        ),
        1 => (job.clone(), who.clone()).prop_map(|(j, w)| Action::Cancel(j, w)),
        4 => (job.clone(), who.clone()).prop_map(|(j, w)| Action::Accept(j, w)),
        4 => (job.clone(), who.clone(), 0u64..=21_000).prop_map(|(j, w, u)| Action::Submit(j, w, u)),
        2 => (job.clone(), who.clone()).prop_map(|(j, w)| Action::Approve(j, w)),
        3 => (job.clone(), who.clone()).prop_map(|(j, w)| Action::Finalize(j, w)),
        2 => (job.clone(), who.clone()).prop_map(|(j, w)| Action::Dispute(j, w)),
        2 => (job.clone(), who.clone(), any::<bool>()).prop_map(|(j, w, f)| Action::Resolve(j, w, f)),
        2 => (job.clone(), who.clone()).prop_map(|(j, w)| Action::Timeout(j, w)),
        4 => prop_oneof![4 => 0u64..=900, 2 => 0u64..=8_000, 1 => 0u64..=100_000, 1 => 0u64..=700_000].prop_map(Action::Warp),
        10 => (job.clone(), any::<u8>(), 0u64..=7_200, any::<bool>()).prop_map(|(j, c, u, f)| Action::Advance(j, c, u, f)),
        1 => Just(Action::Pause),
        3 => Just(Action::Unpause),
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
    refunds: u32,
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
        )
}

fn setup() -> Env {
    let env = deploy();
    // Plenty of everything: with healthy models no call made after the escrow's effects fails.
    for p in [PROVIDER, PROVIDER2] {
        env.registry
            .borrow_mut()
            .active
            .insert(p, ct(1_000_000_000));
    }
    for r in [REQUESTER, REQUESTER2] {
        env.controller
            .borrow_mut()
            .free
            .insert(r, U256::from(u64::MAX));
        env.token.borrow_mut().balances.insert(r, ct(1_000_000_000));
        env.token
            .borrow_mut()
            .allowances
            .insert((r, ESCROW), U256::MAX);
    }
    env
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn jobs_conserve_credits_and_bonds(actions in prop::collection::vec(action(), 1..80)) {
        let mut env = setup();
        let mut tallies: HashMap<U256, Tally> = HashMap::new();
        let mut states: HashMap<U256, u8> = HashMap::new();
        for action in actions {
            let count = env.escrow.job_count();
            // Any job, or the next, unknown id.
            let pick = |j: usize| {
                let n = count.to::<u64>();
                U256::from(j as u64 % (n + 1) + 1)
            };
            let caller = |env: &Env, j: U256, who: Who, role: u8| -> Address {
                match who {
                    Some(i) => ACTORS[i],
                    None => {
                        let job = env.escrow.job_words(j);
                        match role {
                            0 => Address::from_word(job[F_REQUESTER].into()),
                            1 => {
                                let p = Address::from_word(job[F_PROVIDER].into());
                                if p.is_zero() { [PROVIDER, PROVIDER2][n_of(j) % 2] } else { p }
                            }
                            _ => ARBITRATOR,
                        }
                    }
                }
            };
            let before = env.vm().snapshot().storage;
            let (job, result) = match action {
                Action::Create { who, named, gpus, duration, price } => {
                    env.at(ACTORS[who]);
                    let named = [Address::ZERO, PROVIDER, PROVIDER2][named];
                    let r = env.escrow.create_job(named, SPEC, gpus, duration, U256::from(price));
                    (count + U256::from(1), r.map(drop))
                }
                Action::Cancel(j, w) => { let id = pick(j); env.at(caller(&env, id, w, 0)); (id, env.escrow.cancel_job(id)) }
                Action::Accept(j, w) => { let id = pick(j); env.at(caller(&env, id, w, 1)); (id, env.escrow.accept_job(id)) }
                Action::Submit(j, w, used) => {
                    let id = pick(j);
                    env.at(caller(&env, id, w, 1));
                    (id, env.escrow.submit_result(id, RESULT, used))
                }
                Action::Approve(j, w) => { let id = pick(j); env.at(caller(&env, id, w, 0)); (id, env.escrow.approve_result(id)) }
                Action::Finalize(j, w) => { let id = pick(j); env.at(caller(&env, id, w, 2)); (id, env.escrow.finalize(id)) }
                Action::Dispute(j, w) => {
                    let id = pick(j);
                    env.at(caller(&env, id, w, 0));
                    (id, env.escrow.dispute_result(id, EVIDENCE))
                }
                Action::Resolve(j, w, fault) => {
                    let id = pick(j);
                    env.at(caller(&env, id, w, 2));
                    (id, env.escrow.resolve_dispute(id, fault))
                }
                Action::Timeout(j, w) => { let id = pick(j); env.at(caller(&env, id, w, 2)); (id, env.escrow.claim_timeout(id)) }
                Action::Advance(j, choice, used, fault) => {
                    let id = pick(j);
                    let requester = caller(&env, id, None, 0);
                    let provider = caller(&env, id, None, 1);
                    let r = match (env.state(id), choice % 5) {
                        (OPEN, 0) => { env.at(requester); env.escrow.cancel_job(id) }
                        (OPEN, _) => { env.at(provider); env.escrow.accept_job(id) }
                        (RUNNING, 0) => { env.at(OTHER); env.escrow.claim_timeout(id) }
                        (RUNNING, _) => { env.at(provider); env.escrow.submit_result(id, RESULT, used) }
                        (SUBMITTED, 0 | 1) => { env.at(requester); env.escrow.approve_result(id) }
                        (SUBMITTED, 2 | 3) => { env.at(requester); env.escrow.dispute_result(id, EVIDENCE) }
                        (DISPUTED, 0..=3) => { env.at(ARBITRATOR); env.escrow.resolve_dispute(id, fault) }
                        _ => { env.at(OTHER); env.escrow.finalize(id) }
                    };
                    (id, r)
                }
                Action::Warp(dt) => { env.warp(env.now() + dt); (U256::ZERO, Ok(())) }
                Action::Pause => {
                    env.at(PAUSER);
                    (U256::ZERO, env.escrow.pause().map_err(Error::from))
                }
                Action::Unpause => {
                    env.at(PAUSER);
                    (U256::ZERO, env.escrow.unpause().map_err(Error::from))
                }
            };
            // 3. Failures are checks: nothing written.
            if result.is_err() {
                prop_assert_eq!(&before, &env.vm().snapshot().storage, "{:?}", result);
            }
            // Attribute the controller calls to the job acted on.
            for call in env.calls() {
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
                    t.refunds += 1;
                } else if sel == settleCall::SELECTOR {
                    t.settled += settleCall::abi_decode(&call.data).unwrap().credits;
                    t.settles += 1;
                }
            }
            env.clear();
            check(&env, &tallies, &mut states)?;
        }
    }
}

fn n_of(id: U256) -> usize {
    id.to::<u64>() as usize
}

fn check(
    env: &Env,
    tallies: &HashMap<U256, Tally>,
    states: &mut HashMap<U256, u8>,
) -> Result<(), TestCaseError> {
    let count = env.escrow.job_count().to::<u64>();
    let mut bonds = U256::ZERO;
    let mut open: HashMap<Address, (U256, U256)> = HashMap::new();
    let mut locked_credits = U256::ZERO;
    for n in 1..=count {
        let id = U256::from(n);
        let job = env.escrow.job_words(id);
        let state = job[F_STATE].to::<u8>();
        let max_cost = job[F_MAX_COST];
        let t = tallies.get(&id).cloned().unwrap_or_default();
        // 1. Conservation, once each.
        prop_assert_eq!(t.locked, max_cost);
        prop_assert_eq!(t.locks, 1);
        prop_assert!(
            t.settles <= 1 && t.refunds <= 1,
            "paid or refunded twice: {:?}",
            t
        );
        if terminal(state) {
            prop_assert_eq!(t.settled + t.refunded, max_cost, "job {} {:?}", n, t);
            prop_assert_eq!(t.settled, job[F_COST]);
            if state != COMPLETED {
                prop_assert_eq!(t.settled, U256::ZERO);
            }
        } else {
            prop_assert_eq!(t.settled, U256::ZERO);
            prop_assert_eq!(t.refunded, U256::ZERO);
            locked_credits += max_cost;
        }
        prop_assert!(job[F_COST] <= max_cost);
        // 2. Transitions.
        let prev = states.get(&id).copied().unwrap_or(NONE);
        prop_assert!(allowed(prev, state), "job {}: {} -> {}", n, prev, state);
        if terminal(prev) {
            prop_assert_eq!(prev, state);
        }
        states.insert(id, state);
        if state == DISPUTED {
            bonds += job[F_BOND];
        }
        if matches!(state, RUNNING | SUBMITTED | DISPUTED) {
            let provider = Address::from_word(job[F_PROVIDER].into());
            let e = open.entry(provider).or_default();
            e.0 += U256::from(1);
            e.1 += job[F_STAKE];
        }
    }
    // 4. Bonds.
    prop_assert_eq!(env.escrow.bonds_held(), bonds);
    prop_assert_eq!(env.token.borrow().balance(ESCROW), bonds);
    // 5. Open jobs and stake locks.
    for p in [PROVIDER, PROVIDER2, REQUESTER, OTHER] {
        let (n, stake) = open.get(&p).copied().unwrap_or_default();
        prop_assert_eq!(env.escrow.open_jobs(p), n);
        prop_assert!(n <= U256::from(64));
        prop_assert_eq!(env.registry.borrow().locked_of(p), stake);
    }
    // 6. Credits.
    let c = env.controller.borrow();
    prop_assert_eq!(
        c.locked_of(REQUESTER) + c.locked_of(REQUESTER2),
        locked_credits
    );
    Ok(())
}
