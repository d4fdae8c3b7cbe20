//! The harness itself: deployment, a job through its whole life, rollback of reverts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::result_large_err,
    missing_docs
)]

use system::*;

#[test]
fn a_job_runs_end_to_end_on_the_real_contracts() {
    let mut s = System::deploy();
    let (alice, bob) = (user(1), user(2));
    s.fund(alice, ct(10_000));
    s.provider(bob, 8, ct(100_000));
    let credits = s.buy(alice, ct(1_000));
    assert!(credits > U256_ZERO);
}

const U256_ZERO: alloy_primitives::U256 = alloy_primitives::U256::ZERO;
