//! Unit and property tests on the SDK's `TestVM`.

use alloy_primitives::{address, Address};
use common::access::{AccessControl, RoleGranted};
use proptest::prelude::*;
use stylus_sdk::testing::TestVM;

use testing::{assert_reverts, logs_of};

use super::*;

const DEPLOYER: Address = address!("cEcba2F1DC234f70Dd89F2041029807F8D03A990");
const ADMIN: Address = address!("000000000000000000000000000000000000a11c");
const STRANGER: Address = address!("0000000000000000000000000000000000000bad");
const T0: u64 = 1_700_000_000;

fn price(usd_cents: i64) -> I256 {
    // 8 decimals, like Chainlink USD feeds: 1.50 USD = 150_000_000.
    I256::try_from(usd_cents).unwrap() * I256::try_from(1_000_000).unwrap()
}

fn deploy() -> (TestVM, ManualPriceFeed) {
    let vm = TestVM::new();
    vm.set_block_timestamp(T0);
    vm.set_sender(DEPLOYER);
    let mut feed = ManualPriceFeed::from(&vm);
    feed.constructor(8, "CT / USD".into(), price(150), ADMIN)
        .unwrap();
    vm.set_sender(ADMIN);
    vm.clear_mocks();
    (vm, feed)
}

fn round(id: u64, answer: I256, started: u64, updated: u64) -> RoundData {
    (
        U80::from(id),
        answer,
        U256::from(started),
        U256::from(updated),
        U80::from(id),
    )
}

#[test]
fn constructor_records_round_one_and_grants_roles() {
    let vm = TestVM::new();
    vm.set_block_timestamp(T0);
    vm.set_sender(DEPLOYER);
    let mut feed = ManualPriceFeed::from(&vm);
    feed.constructor(8, "CT / USD".into(), price(150), ADMIN)
        .unwrap();
    assert_eq!(feed.decimals(), 8);
    assert_eq!(feed.description(), "CT / USD");
    assert_eq!(feed.version(), U256::from(1));
    assert_eq!(feed.latest_round_data(), round(1, price(150), T0, T0));
    assert_eq!(
        feed.get_round_data(U80::from(1)).unwrap(),
        round(1, price(150), T0, T0)
    );
    assert!(feed.has_role(DEFAULT_ADMIN_ROLE, ADMIN));
    assert!(feed.has_role(FEEDER_ROLE, ADMIN));
    assert!(!feed.has_role(FEEDER_ROLE, DEPLOYER));
    assert_eq!(logs_of::<RoleGranted>(&vm).len(), 2);
    assert_eq!(
        logs_of::<NewRound>(&vm),
        vec![NewRound {
            roundId: U256::from(1),
            startedBy: DEPLOYER,
            startedAt: U256::from(T0)
        }]
    );
    assert_eq!(
        logs_of::<AnswerUpdated>(&vm),
        vec![AnswerUpdated {
            current: price(150),
            roundId: U256::from(1),
            updatedAt: U256::from(T0)
        }]
    );
}

#[test]
fn constructor_accepts_zero_and_eighteen_decimals() {
    for decimals in [0u8, 18] {
        let vm = TestVM::new();
        let mut feed = ManualPriceFeed::from(&vm);
        feed.constructor(decimals, String::new(), I256::ZERO, ADMIN)
            .unwrap();
        assert_eq!(feed.decimals(), decimals);
    }
}

#[test]
fn constructor_reverts_when_decimals_exceed_18() {
    let vm = TestVM::new();
    let mut feed = ManualPriceFeed::from(&vm);
    assert_reverts(
        &vm,
        Error::InvalidDecimals(PriceFeedInvalidDecimals {
            decimals: 19,
            maxDecimals: 18,
        }),
        || feed.constructor(19, "x".into(), price(1), ADMIN),
    );
}

#[test]
fn constructor_reverts_when_description_is_longer_than_31_bytes() {
    let vm = TestVM::new();
    let mut feed = ManualPriceFeed::from(&vm);
    assert_reverts(
        &vm,
        Error::DescriptionTooLong(PriceFeedDescriptionTooLong {
            length: U256::from(32),
            maxLength: U256::from(31),
        }),
        || feed.constructor(8, "x".repeat(32), price(1), ADMIN),
    );
}

#[test]
fn constructor_reverts_when_admin_is_zero() {
    let vm = TestVM::new();
    let mut feed = ManualPriceFeed::from(&vm);
    assert_reverts(
        &vm,
        Error::Common(common::errors::CommonError::InvalidDefaultAdmin(
            AccessControlInvalidDefaultAdmin {
                defaultAdmin: Address::ZERO,
            },
        )),
        || feed.constructor(8, "x".into(), price(1), Address::ZERO),
    );
}

#[test]
fn update_answer_starts_a_new_round_and_keeps_history() {
    let (vm, mut feed) = deploy();
    vm.set_block_timestamp(T0 + 60);
    feed.update_answer(price(-5)).unwrap();
    assert_eq!(
        feed.latest_round_data(),
        round(2, price(-5), T0 + 60, T0 + 60)
    );
    assert_eq!(
        feed.get_round_data(U80::from(1)).unwrap(),
        round(1, price(150), T0, T0)
    );
    assert_eq!(
        logs_of::<NewRound>(&vm),
        vec![NewRound {
            roundId: U256::from(2),
            startedBy: ADMIN,
            startedAt: U256::from(T0 + 60)
        }]
    );
    assert_eq!(
        logs_of::<AnswerUpdated>(&vm),
        vec![AnswerUpdated {
            current: price(-5),
            roundId: U256::from(2),
            updatedAt: U256::from(T0 + 60)
        }]
    );
    assert_eq!(vm.get_emitted_logs().len(), 2);
}

#[test]
fn update_answer_reverts_for_non_feeders() {
    let (vm, mut feed) = deploy();
    vm.set_sender(STRANGER);
    assert_reverts(
        &vm,
        Error::Common(common::errors::CommonError::UnauthorizedAccount(
            AccessControlUnauthorizedAccount {
                account: STRANGER,
                neededRole: FEEDER_ROLE,
            },
        )),
        || feed.update_answer(price(1)),
    );
}

#[test]
fn a_granted_feeder_can_update() {
    let (vm, mut feed) = deploy();
    feed.grant_role(FEEDER_ROLE, STRANGER).unwrap();
    vm.set_sender(STRANGER);
    feed.update_answer(price(2)).unwrap();
    assert_eq!(feed.latest_round_data().1, price(2));
}

#[test]
fn update_round_data_back_dates_a_round() {
    let (vm, mut feed) = deploy();
    vm.set_block_timestamp(T0 + 3_600);
    feed.update_round_data(price(99), U256::from(T0 + 10), U256::from(T0 + 20))
        .unwrap();
    assert_eq!(
        feed.latest_round_data(),
        round(2, price(99), T0 + 10, T0 + 20)
    );
    assert_eq!(
        logs_of::<AnswerUpdated>(&vm),
        vec![AnswerUpdated {
            current: price(99),
            roundId: U256::from(2),
            updatedAt: U256::from(T0 + 20)
        }]
    );
    assert_eq!(
        logs_of::<NewRound>(&vm),
        vec![NewRound {
            roundId: U256::from(2),
            startedBy: ADMIN,
            startedAt: U256::from(T0 + 10)
        }]
    );
}

#[test]
fn update_round_data_reverts_on_inconsistent_or_future_times() {
    let (vm, mut feed) = deploy();
    let now = U256::from(T0);
    for (started, updated) in [
        (now, now - U256::from(1)),
        (now, now + U256::from(1)),
        (U256::MAX, U256::MAX),
    ] {
        assert_reverts(
            &vm,
            Error::InvalidTimestamps(PriceFeedInvalidTimestamps {
                startedAt: started,
                updatedAt: updated,
                now,
            }),
            || feed.update_round_data(price(1), started, updated),
        );
    }
}

#[test]
fn update_round_data_reverts_for_non_feeders() {
    let (vm, mut feed) = deploy();
    vm.set_sender(STRANGER);
    assert_reverts(
        &vm,
        Error::Common(common::errors::CommonError::UnauthorizedAccount(
            AccessControlUnauthorizedAccount {
                account: STRANGER,
                neededRole: FEEDER_ROLE,
            },
        )),
        || feed.update_round_data(price(1), U256::ZERO, U256::ZERO),
    );
}

#[test]
fn get_round_data_reverts_for_rounds_never_set() {
    let (vm, feed) = deploy();
    for id in [U80::ZERO, U80::from(2), U80::MAX] {
        assert_reverts(
            &vm,
            Error::NoDataPresent(PriceFeedNoDataPresent { roundId: id }),
            || feed.get_round_data(id),
        );
    }
}

#[test]
fn feeder_role_is_keccak_of_its_name() {
    let (_vm, feed) = deploy();
    assert_eq!(
        feed.feeder_role(),
        alloy_primitives::keccak256("FEEDER_ROLE")
    );
}

#[derive(Debug, Clone)]
enum Update {
    Now {
        answer: i128,
        wait: u64,
    },
    BackDated {
        answer: i128,
        wait: u64,
        age: u64,
        delay: u64,
    },
}

fn update() -> impl Strategy<Value = Update> {
    prop_oneof![
        (any::<i128>(), 0u64..100_000).prop_map(|(answer, wait)| Update::Now { answer, wait }),
        (any::<i128>(), 0u64..100_000, 0u64..50_000, 0u64..50_000).prop_map(
            |(answer, wait, age, delay)| Update::BackDated {
                answer,
                wait,
                age,
                delay
            }
        ),
    ]
}

proptest! {
    /// Invariants 1–3 of the crate docs over random update sequences and time jumps.
    #[test]
    fn history_is_append_only(updates in proptest::collection::vec(update(), 0..32)) {
        let (vm, mut feed) = deploy();
        let mut expected = vec![round(1, price(150), T0, T0)];
        let mut now = T0;
        for u in &updates {
            let (answer, wait, started, updated) = match *u {
                Update::Now { answer, wait } => (answer, wait, None, None),
                Update::BackDated { answer, wait, age, delay } => {
                    let updated = (now + wait).saturating_sub(age);
                    (answer, wait, Some(updated.saturating_sub(delay)), Some(updated))
                }
            };
            now += wait;
            vm.set_block_timestamp(now);
            let answer = I256::try_from(answer).unwrap();
            let id = expected.len() as u64 + 1;
            match (started, updated) {
                (Some(s), Some(up)) => {
                    feed.update_round_data(answer, U256::from(s), U256::from(up)).unwrap();
                    expected.push(round(id, answer, s, up));
                }
                _ => {
                    feed.update_answer(answer).unwrap();
                    expected.push(round(id, answer, now, now));
                }
            }
            prop_assert_eq!(feed.latest_round_data(), *expected.last().unwrap());
        }
        for (i, r) in expected.iter().enumerate() {
            let got = feed.get_round_data(U80::from(i as u64 + 1)).unwrap();
            prop_assert_eq!(&got, r);
            prop_assert!(got.2 <= got.3, "startedAt <= updatedAt");
        }
        prop_assert_eq!(
            feed.get_round_data(U80::from(expected.len() as u64 + 1)).unwrap_err(),
            Error::NoDataPresent(PriceFeedNoDataPresent { roundId: U80::from(expected.len() as u64 + 1) })
        );
    }
}
