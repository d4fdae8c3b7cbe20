//! The attacks of the economic and enforcement review (SECURITY.md findings H-1, H-2, M-1, M-2,
//! M-3, L-1), played against the real contracts wired together, each with separate attacker and
//! victim accounts. Each test asserts that the system resists, with the numbers SECURITY.md quotes.
//! The same scenarios run on the dev chain in `tests/e2e/attacks.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::result_large_err,
    missing_docs
)]

use alloy_primitives::U256;
use common::errors::call_failed;
use provider_registry::interface::{RegistryInsufficientGpus, RegistryJobsOpen};
use system::*;

/// A price of 1.50 USD per CT (the harness default).
fn ct_of_usd(usd_micro: U256) -> U256 {
    // ceil(usd × 1e30 / 1.5e18), as the controller's quoteTokens.
    (usd_micro * U256::from(10u64).pow(U256::from(30)))
        .div_ceil(U256::from(1_500_000_000_000_000_000u128))
}

fn escrow_call_failed(target: alloy_primitives::Address, inner: Vec<u8>) -> EscrowError {
    EscrowError::Common(call_failed(target, inner))
}

/// H-2: a sybil job's slash used to clamp the provider's single `locked` figure, so releasing it
/// freed the stake backing the victim's job; the provider then deregistered and the fraud ruling on
/// the victim's job reverted forever. Now locks are per job: the victim's lock survives, the
/// provider cannot leave, and the ruling slashes and jails it.
#[test]
fn h2_a_fraud_ruling_cannot_be_made_impossible() {
    let mut s = System::deploy();
    let (alice, cheat, sybil) = (user(1), user(10), user(11));
    s.provider(cheat, 8, ct(6_700));
    s.fund(alice, ct(1_000));
    s.buy(alice, ct(1_000));
    s.fund(sybil, ct(5_000));
    s.buy(sybil, ct(5_000));

    // Victim job V: 1 GPU, 24 h at 2 USD: locks 2 × 48 USD of stake = 64 CT.
    let v = s.create_job(alice, cheat, 1, 24, 2).unwrap();
    s.accept(cheat, v).unwrap();
    let lock_v = ct_of_usd(U256::from(96) * USD);
    assert_eq!(s.registry().job_lock(cheat, v), (lock_v, ct(6_700)));
    // The sybil's job A locks 6,600 CT (over 100× V's): 1 GPU, 10 h at 495 USD.
    let a = s.create_job(sybil, cheat, 1, 10, 495).unwrap();
    s.accept(cheat, a).unwrap();
    let lock_a = ct_of_usd(U256::from(9_900) * USD);
    assert_eq!(s.registry().provider_info(cheat).6, lock_v + lock_a);

    // A times out: slashed 2.5% of A's penalty base (6,700 CT) = 167.5 CT, its lock released.
    s.skip(11 * 3_600);
    s.timeout(sybil, a).unwrap();
    let info = s.registry().provider_info(cheat);
    assert_eq!(
        info.5,
        ct(6_700) - ct(335) / U256::from(2),
        "active after the A slash"
    );
    assert_eq!(
        info.6, lock_v,
        "V's lock survives the slash and A's release (was 0)"
    );
    assert_eq!(info.11, 1, "one open job");

    // The cheat cannot leave while V is open.
    let stuck = RegistryError::JobsOpen(RegistryJobsOpen {
        provider: cheat,
        openJobs: U256::from(1),
    });
    assert_eq!(
        s.tx(cheat, REGISTRY, |r: &mut ProviderRegistry| r.deregister()),
        Err(stuck.clone())
    );
    assert_eq!(
        s.tx(cheat, REGISTRY, |r: &mut ProviderRegistry| r.withdraw()),
        Err(stuck)
    );

    // Junk on V, disputed and ruled: refund, 10% of V's base (670 CT) slashed, 30-day jail.
    s.refresh_price();
    s.submit(cheat, v, 3_600).unwrap();
    s.fund(alice, ct(100));
    let alice_before = s.balance(alice);
    s.dispute(alice, v, ct(100)).unwrap();
    s.resolve(v, true).unwrap();
    assert_eq!(s.job_state(v), 7, "Refunded");
    assert_eq!(
        s.balance(alice),
        alice_before + ct(335),
        "bond back + half of the 670 CT slash"
    );
    let info = s.registry().provider_info(cheat);
    assert_eq!(info.6, U256::ZERO, "no lock left");
    assert_eq!(info.8, s.now() + 30 * DAY, "jailed for 30 days");
    assert_eq!(info.10, 2, "two failures recorded");
    assert!(!s.registry().is_eligible(cheat));
}

/// M-1: unbonding (14 days) was shorter than a job's fault horizon (30 days + windows), so a
/// provider unbonded its free stake at acceptance, withdrew on day 14, and was slashed 384 CT
/// instead of 2,500 for a timeout. Now the penalty base is fixed at acceptance and nothing is
/// withdrawn while a job is open.
#[test]
fn m1_unbonding_cannot_shrink_a_timeout_slash() {
    let mut s = System::deploy();
    let (alice, cheat) = (user(1), user(10));
    s.provider(cheat, 1, ct(100_000));
    s.fund(alice, ct(1_000));
    s.buy(alice, ct(1_000));
    // A 30-day job: 1 GPU, 720 h at 2 USD = 1,440 USD: locks 1,920 CT.
    let job = s.create_job(alice, cheat, 1, 720, 2).unwrap();
    s.accept(cheat, job).unwrap();
    let free = ct(100_000) - ct_of_usd(U256::from(2_880) * USD);
    s.tx(cheat, REGISTRY, |r: &mut ProviderRegistry| {
        r.request_unbond(free)
    })
    .unwrap();
    s.skip(14 * DAY + 1);
    assert_eq!(
        s.tx(cheat, REGISTRY, |r: &mut ProviderRegistry| r.withdraw()),
        Err(RegistryError::JobsOpen(RegistryJobsOpen {
            provider: cheat,
            openJobs: U256::from(1),
        })),
        "the unbonded stake stays while the job is open"
    );
    s.skip(16 * DAY + 3_600);
    let alice_before = s.balance(alice);
    s.timeout(alice, job).unwrap();
    // 2.5% of the 100,000 CT base: 2,500 CT, half to the requester.
    assert_eq!(s.balance(alice), alice_before + ct(1_250));
    let info = s.registry().provider_info(cheat);
    assert_eq!(info.5 + info.7, ct(100_000) - ct(2_500));
    // Now it may leave.
    s.tx(cheat, REGISTRY, |r: &mut ProviderRegistry| r.withdraw())
        .unwrap();
}

/// M-1, fraud variant: the 10% fraud slash is 10,000 CT of the base, whatever was unbonded.
#[test]
fn m1_unbonding_cannot_shrink_a_fraud_slash() {
    let mut s = System::deploy();
    let (alice, cheat) = (user(1), user(10));
    s.provider(cheat, 1, ct(100_000));
    s.fund(alice, ct(1_100));
    s.buy(alice, ct(1_000));
    let job = s.create_job(alice, cheat, 1, 720, 2).unwrap();
    s.accept(cheat, job).unwrap();
    let free = ct(100_000) - ct_of_usd(U256::from(2_880) * USD);
    s.tx(cheat, REGISTRY, |r: &mut ProviderRegistry| {
        r.request_unbond(free)
    })
    .unwrap();
    s.skip(20 * DAY);
    s.refresh_price();
    s.submit(cheat, job, 3_600).unwrap();
    s.dispute(alice, job, ct(100)).unwrap();
    let alice_before = s.balance(alice);
    s.resolve(job, true).unwrap();
    assert_eq!(s.balance(alice), alice_before + ct(100) + ct(5_000));
}

/// M-3: the dispute bond needed a fresh price, so a provider timed junk for a challenge window
/// that ended while the feed was stale. Now a dispute never needs a price (the minimum bond
/// applies), rulings for the requester need none, and a ruling for the provider only burns the bond
/// and leaves the settlement to `finalize`.
#[test]
fn m3_a_stale_oracle_does_not_block_disputes_or_rulings() {
    let mut s = System::deploy();
    let (alice, cheat) = (user(1), user(10));
    s.provider(cheat, 1, ct(10_000));
    s.fund(alice, ct(1_300));
    s.buy(alice, ct(1_000));
    let j1 = s.create_job(alice, cheat, 1, 1, 2).unwrap();
    let j2 = s.create_job(alice, cheat, 1, 1, 2).unwrap();
    s.accept(cheat, j1).unwrap();
    s.accept(cheat, j2).unwrap();
    s.submit(cheat, j1, 3_600).unwrap();
    s.submit(cheat, j2, 3_600).unwrap();
    // The feed goes stale (600 s) and stays stale to the end of the challenge window.
    s.skip(DAY - 60);
    assert!(s.controller().price().is_err(), "the oracle is stale");
    let before = s.balance(alice);
    s.dispute(alice, j1, ct(100)).unwrap();
    s.dispute(alice, j2, ct(100)).unwrap();
    assert_eq!(s.balance(alice), before - ct(200), "minDisputeBond each");
    // Ruled for the requester with the oracle still stale: refund, slash, jail.
    s.resolve(j1, true).unwrap();
    assert_eq!(s.job_state(j1), 7);
    // Ruled for the provider: the bond burns; the settlement waits for a price.
    s.resolve(j2, false).unwrap();
    assert_eq!(s.job_state(j2), 3, "Submitted, window closed");
    let stale = s.finalize(alice, j2).unwrap_err();
    assert!(matches!(stale, EscrowError::Common(_)), "{stale:?}");
    s.refresh_price();
    s.finalize(alice, j2).unwrap();
    assert_eq!(s.job_state(j2), 4, "Completed");
}

/// L-1: a job's GPU count was never checked against the provider's registered GPUs.
#[test]
fn l1_a_provider_cannot_take_a_job_with_more_gpus_than_it_registered() {
    let mut s = System::deploy();
    let (alice, small) = (user(1), user(10));
    s.provider(small, 1, ct(10_000));
    s.fund(alice, ct(100));
    s.buy(alice, ct(100));
    let job = s.create_job(alice, small, 8, 1, 2).unwrap();
    let refused = RegistryError::InsufficientGpus(RegistryInsufficientGpus {
        provider: small,
        needed: 8,
        registered: 1,
    });
    assert_eq!(
        s.accept(small, job),
        Err(escrow_call_failed(REGISTRY, refused.into()))
    );
}

/// H-1, the quiet-epoch wash: a sybil pair settles a dust job (1 GPU, 1 h, 41 credits) in an epoch
/// nobody else settles. Revision 1 paid its provider the whole provider share, 149,513 CT; now the
/// work reward is capped at the fee it paid, and the pair ends poorer than without the wash.
#[test]
fn h1_a_quiet_epoch_wash_loses_money() {
    let run = |wash: bool| -> (U256, U256) {
        let mut s = System::deploy();
        let (requester, provider, honest) = (user(20), user(21), user(30));
        s.provider(provider, 1, ct(6_000));
        s.provider(honest, 1, ct(6_000));
        // Just enough for the dust job: 0.00003 CT buys 44 credits at 1.50 USD.
        let dust = U256::from(30_000_000_000_000u64);
        s.fund(requester, dust);
        if wash {
            assert_eq!(s.buy(requester, dust), U256::from(44));
            let job = s
                .tx(requester, ESCROW, |e: &mut JobEscrow| {
                    e.create_job(
                        provider,
                        alloy_primitives::B256::ZERO,
                        1,
                        3_600,
                        U256::from(41),
                    )
                })
                .unwrap();
            s.accept(provider, job).unwrap();
            s.submit(provider, job, 3_600).unwrap();
            s.approve(requester, job).unwrap();
        }
        s.skip(2 * DAY);
        s.finalize_epochs();
        s.claim_rewards(provider, &[0, 1]);
        s.claim_rewards(honest, &[0, 1]);
        let attacker = s.balance(requester) + s.balance(provider);
        (attacker, s.emissions().epoch_stats(U256::ZERO).2)
    };
    let (with, work_pool) = run(true);
    let (without, _) = run(false);
    assert!(
        work_pool > U256::ZERO && work_pool < U256::from(1_000_000_000_000_000u64),
        "a dust work pool: the fee's value"
    );
    assert!(
        with < without,
        "the wash costs the pair {} wei",
        without - with
    );
}

/// M-2, the bounded credit put: credits bought at 1.50 USD, the price falls to 1.00, the buyer
/// self-settles. It is paid from burned tokens (and at most one epoch's draw cap of the reserve);
/// the rest waits as an IOU behind everyone else.
#[test]
fn m2_the_credit_put_takes_at_most_the_budget_and_the_draw_cap() {
    let mut s = System::deploy();
    let (buyer, attacker, accomplice) = (user(1), user(20), user(21));
    s.fund(buyer, ct(1_000));
    s.buy(buyer, ct(1_000)); // others' burns: 1,000 CT in the budget
    s.provider(accomplice, 1, ct(1_300_000));
    s.fund(attacker, ct(400_000));
    let credits = s.buy(attacker, ct(400_000));
    s.set_price(100_000_000); // 1.00 USD
    let reserve = s.emissions().emission_reserve();
    let draw_cap =
        reserve * emissions::DEFAULT_EMISSION_RATE_WAD / U256::from(10u64).pow(U256::from(18));
    let budget = s.controller().supply_stats().7;
    // One job for all the credits at a price that uses them exactly: 1 GPU, 1 h.
    let job = s
        .tx(attacker, ESCROW, |e: &mut JobEscrow| {
            e.create_job(accomplice, alloy_primitives::B256::ZERO, 1, 3_600, credits)
        })
        .unwrap();
    s.accept(accomplice, job).unwrap();
    s.submit(accomplice, job, 3_600).unwrap();
    let before = s.balance(accomplice);
    s.approve(attacker, job).unwrap();
    let paid = s.balance(accomplice) - before;
    assert!(
        paid <= budget + draw_cap,
        "paid {paid} > budget {budget} + cap {draw_cap}"
    );
    let (count, owed, _) = s.controller().iou_queue();
    assert_eq!(
        count,
        U256::from(1),
        "the rest is an IOU at the back of the line"
    );
    assert!(owed > U256::ZERO);
}
