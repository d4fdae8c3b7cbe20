//! Checks-effects-interactions: a spy model records, at every outgoing call, the state the escrow
//! had already written, for every function that calls out. Helpers and fixtures are in the parent
//! module.

use super::*;

// ---------------------------------------------------------------------------------------------
// Checks-effects-interactions
// ---------------------------------------------------------------------------------------------

/// What a [`Spy`] saw at one call: the callee, selector, whether static, and job 1 and the escrow's
/// bond total as they were in storage then.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Sighting {
    to: Address,
    selector: [u8; 4],
    is_static: bool,
    job: [U256; JOB_FIELDS],
    bonds: U256,
}

type Seen = Rc<RefCell<Vec<Sighting>>>;

/// Wraps a model; records, at every call the escrow makes, job 1 as the escrow's storage holds it
/// then (the SDK flushes its storage cache before each call).
struct Spy {
    inner: Rc<RefCell<dyn Model>>,
    host: ModelHost,
    seen: Seen,
}

impl Model for Spy {
    fn call(&mut self, call: &Call) -> Result<Vec<u8>, Vec<u8>> {
        let escrow = JobEscrow::from(&self.host);
        self.seen.borrow_mut().push(Sighting {
            to: call.to,
            selector: call.data[..4].try_into().unwrap(),
            is_static: call.is_static,
            job: escrow.job_words(id(1)),
            bonds: escrow.bonds_held(),
        });
        self.inner.borrow_mut().call(call)
    }
}

fn spy_on(env: &Env) -> Seen {
    let seen = Seen::default();
    let controller: Rc<RefCell<dyn Model>> = env.controller.clone();
    let registry: Rc<RefCell<dyn Model>> = env.registry.clone();
    let token: Rc<RefCell<dyn Model>> = env.token.clone();
    for (at, inner) in [
        (CONTROLLER, controller),
        (REGISTRY, registry),
        (TOKEN, token),
    ] {
        env.host.install(
            at,
            Spy {
                inner,
                host: env.host.clone(),
                seen: seen.clone(),
            },
        );
    }
    seen
}

/// Runs `step` on `env` and asserts checks-effects-interactions: the calls the escrow makes are
/// first views that see job 1 as before (checks: quotes), then calls that all see job 1 and the
/// bond total exactly as they are at the end (every effect is written before the first mutating
/// call, and nothing is written after it). Returns the selectors called.
fn assert_cei(env: &mut Env, step: impl FnOnce(&mut Env)) -> Vec<[u8; 4]> {
    let seen = spy_on(env);
    let before = (env.escrow.job_words(id(1)), env.escrow.bonds_held());
    step(env);
    let after = (env.escrow.job_words(id(1)), env.escrow.bonds_held());
    assert_ne!(before.0, after.0, "the step changed job 1");
    let seen = seen.borrow();
    let split = seen
        .iter()
        .position(|s| (s.job, s.bonds) != before)
        .unwrap_or(seen.len());
    for s in &seen[..split] {
        assert!(s.is_static, "a mutating call before the effects: {s:?}");
    }
    for s in &seen[split..] {
        assert_eq!((s.job, s.bonds), after, "a call saw a partial write: {s:?}");
    }
    assert!(
        seen.iter().any(|s| !s.is_static) || seen.is_empty(),
        "no mutating call"
    );
    seen.iter().map(|s| s.selector).collect()
}

#[test]
fn every_call_sees_the_new_state() {
    // Create, accept, submit, approve.
    let mut env = deploy();
    let calls = assert_cei(&mut env, |env| {
        env.escrow
            .create_job(Address::ZERO, SPEC, GPUS, DURATION, PRICE)
            .unwrap();
    });
    assert_eq!(calls, vec![lockCreditsCall::SELECTOR]);
    env.at(PROVIDER);
    let calls = assert_cei(&mut env, |env| env.escrow.accept_job(id(1)).unwrap());
    assert_eq!(
        calls,
        vec![quoteTokensCall::SELECTOR, lockStakeCall::SELECTOR]
    );
    assert_cei(&mut env, |env| {
        env.escrow.submit_result(id(1), RESULT, USED).unwrap()
    });
    env.at(REQUESTER);
    let calls = assert_cei(&mut env, |env| env.escrow.approve_result(id(1)).unwrap());
    assert_eq!(
        calls,
        vec![settleCall::SELECTOR, releaseStakeCall::SELECTOR]
    );

    // Cancel.
    let mut env = open();
    let calls = assert_cei(&mut env, |env| env.escrow.cancel_job(id(1)).unwrap());
    assert_eq!(calls, vec![unlockCreditsCall::SELECTOR]);

    // Timeout.
    let mut env = running();
    env.warp(RESULT_DEADLINE);
    let calls = assert_cei(&mut env, |env| env.escrow.claim_timeout(id(1)).unwrap());
    assert_eq!(
        calls,
        vec![unlockCreditsCall::SELECTOR, slashJobCall::SELECTOR]
    );

    // Dispute (quote first, then the bond pull), fraud ruling.
    let mut env = submitted();
    let calls = assert_cei(&mut env, |env| {
        env.escrow.dispute_result(id(1), EVIDENCE).unwrap()
    });
    let pull = [
        balanceOfCall::SELECTOR,
        transferFromCall::SELECTOR,
        balanceOfCall::SELECTOR,
    ];
    assert_eq!(calls, [&[quoteTokensCall::SELECTOR][..], &pull].concat());
    env.at(ARBITRATOR);
    let calls = assert_cei(&mut env, |env| {
        env.escrow.resolve_dispute(id(1), true).unwrap()
    });
    let bond_back = [
        balanceOfCall::SELECTOR,
        transferCall::SELECTOR,
        balanceOfCall::SELECTOR,
    ];
    assert_eq!(
        calls,
        [
            &[
                unlockCreditsCall::SELECTOR,
                slashJobCall::SELECTOR,
                jailCall::SELECTOR
            ][..],
            &bond_back
        ]
        .concat()
    );

    // Dispute while stale, ruling for the provider, finalize.
    let mut env = submitted();
    env.controller.borrow_mut().set_stale();
    let calls = assert_cei(&mut env, |env| {
        env.escrow.dispute_result(id(1), EVIDENCE).unwrap()
    });
    assert_eq!(calls, [&[quoteTokensCall::SELECTOR][..], &pull].concat());
    env.controller.borrow_mut().set_fresh();
    env.at(ARBITRATOR);
    let calls = assert_cei(&mut env, |env| {
        env.escrow.resolve_dispute(id(1), false).unwrap()
    });
    assert_eq!(
        calls,
        vec![
            balanceOfCall::SELECTOR,
            burnCall::SELECTOR,
            balanceOfCall::SELECTOR
        ]
    );
    env.at(OTHER);
    let calls = assert_cei(&mut env, |env| env.escrow.finalize(id(1)).unwrap());
    assert_eq!(
        calls,
        vec![settleCall::SELECTOR, releaseStakeCall::SELECTOR]
    );

    // No ruling in time: finalize from Disputed returns the bond.
    let mut env = disputed();
    env.warp(ARBITRATION_END);
    let calls = assert_cei(&mut env, |env| env.escrow.finalize(id(1)).unwrap());
    assert_eq!(
        calls,
        [
            &[settleCall::SELECTOR, releaseStakeCall::SELECTOR][..],
            &bond_back
        ]
        .concat()
    );

    // A market's job: createJobFor, then an award with a refund.
    let mut env = deploy();
    env.at(MARKET);
    let calls = assert_cei(&mut env, |env| {
        env.escrow
            .create_job_for(REQUESTER, SPEC, GPUS, DURATION, PRICE, 3_600)
            .unwrap();
    });
    assert_eq!(calls, vec![lockCreditsCall::SELECTOR]);
    let calls = assert_cei(&mut env, |env| {
        env.escrow
            .award(id(1), PROVIDER, PRICE / U256::from(2))
            .unwrap()
    });
    assert_eq!(
        calls,
        vec![
            quoteTokensCall::SELECTOR,
            unlockCreditsCall::SELECTOR,
            lockStakeCall::SELECTOR
        ]
    );
}
