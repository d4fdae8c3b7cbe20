//! Earning-stake reports to `Emissions` (docs/protocol.md §8 "Earning stake") and `syncStake`.

use super::*;

// ---------------------------------------------------------------------------------------------
// Earning stake and syncStake
// ---------------------------------------------------------------------------------------------

/// Every change of the earning stake is reported with its exact amount: the active stake while
/// registered, not jailed and at the required stake; 0 otherwise.
#[test]
fn every_earning_stake_change_is_reported_with_its_exact_amount() {
    let (host, mut registry) = deploy();
    let vm = host.vm.clone();
    registry.register(H100, 8, 80, EU, URI.into()).unwrap(); // 0 (no stake)
    registry.stake(ct(6_000)).unwrap(); // 0 (below 6,600)
    registry.stake(ct(1_000)).unwrap(); // 7,000
    registry
        .update_profile(H100, 10, 80, EU, URI.into())
        .unwrap(); // 7,000 (7,000 needed)
    registry
        .update_profile(H100, 11, 80, EU, URI.into())
        .unwrap(); // 0 (7,200 needed)
    registry
        .update_profile(H100, 8, 80, EU, URI.into())
        .unwrap(); // 7,000
    let id = registry.request_unbond(ct(500)).unwrap(); // 0 (6,500)
    registry.cancel_unbond(id).unwrap(); // 7,000
    as_role(&host, MANAGER, || {
        registry.lock_stake(PROVIDER, U256::from(1), ct(1_000), 8)
    })
    .unwrap(); // no report: locking changes no stake
    as_role(&host, SLASHER, || registry.jail(PROVIDER, T0 + DAY)).unwrap(); // 0 (jailed)
    as_role(&host, SLASHER, || {
        registry.slash_job(PROVIDER, U256::from(1), U256::from(1_000), BENEFICIARY)
    })
    .unwrap(); // 0 (jailed; active 6,300)
    vm.set_block_timestamp(T0 + DAY);
    registry.sync_stake(PROVIDER).unwrap(); // 0 (6,300 < 6,600)
    registry.stake(ct(300)).unwrap(); // 6,600
    as_role(&host, MANAGER, || {
        registry.lock_stake(PROVIDER, U256::from(2), U256::ZERO, 8)
    })
    .unwrap();
    as_role(&host, MANAGER, || {
        registry.release_stake(PROVIDER, U256::from(2))
    })
    .unwrap(); // no report
    as_role(&host, PARAMS, || {
        registry.set_parameter(STAKE_PER_GPU, ct(100))
    })
    .unwrap(); // no report: eligibility changes without a transaction of the provider
    registry.sync_stake(PROVIDER).unwrap(); // 6,600 (5,800 needed)
    vm.set_block_timestamp(T0 + 30 * DAY);
    registry.deregister().unwrap(); // 0
    vm.set_block_timestamp(T0 + 44 * DAY);
    assert_eq!(registry.withdraw(), Ok(ct(6_600))); // no report
    let z = U256::ZERO;
    let p = PROVIDER;
    assert_eq!(
        reports(&host),
        vec![
            (p, z),
            (p, z),
            (p, ct(7_000)),
            (p, ct(7_000)),
            (p, z),
            (p, ct(7_000)),
            (p, z),
            (p, ct(7_000)),
            (p, z),
            (p, z),
            (p, z),
            (p, ct(6_600)),
            (p, ct(6_600)),
            (p, z),
        ]
    );
    assert_eq!(host.emissions.borrow().earning[&PROVIDER], U256::ZERO);
}

#[test]
fn sync_stake_reports_a_jail_end_to_anyone_and_writes_nothing() {
    let (host, mut registry) = staked(ct(6_600));
    as_role(&host, SLASHER, || registry.jail(PROVIDER, T0 + 100)).unwrap();
    assert_eq!(host.emissions.borrow().earning[&PROVIDER], U256::ZERO);
    host.vm.set_block_timestamp(T0 + 100);
    assert!(registry.is_eligible(PROVIDER));
    clear(&host);
    let storage = host.vm.snapshot().storage;
    as_role(&host, OTHER, || registry.sync_stake(PROVIDER)).unwrap();
    assert_eq!(sent(&host), vec![report(PROVIDER, ct(6_600))]);
    assert_eq!(host.emissions.borrow().earning[&PROVIDER], ct(6_600));
    assert!(host.vm.get_emitted_logs().is_empty());
    assert_eq!(host.vm.snapshot().storage, storage);
    // A required-stake rise makes it ineligible without a transaction: synced to 0.
    set_param(&host, &mut registry, MIN_STAKE_BASE, ct(5_001));
    registry.sync_stake(PROVIDER).unwrap();
    assert_eq!(sent(&host), vec![report(PROVIDER, U256::ZERO)]);
    // Any address: an unknown one earns 0.
    clear(&host);
    registry.sync_stake(OTHER).unwrap();
    assert_eq!(sent(&host), vec![report(OTHER, U256::ZERO)]);
    // A failed report writes nothing.
    host.emissions.borrow_mut().revert_with = Some(reporter_missing());
    assert_reverts(
        &host.vm,
        call_failed(EMISSIONS, &reporter_missing()),
        || registry.sync_stake(PROVIDER),
    );
}

#[test]
fn without_emissions_nothing_is_reported() {
    let (host, mut registry) = deploy_with(Address::ZERO);
    let vm = host.vm.clone();
    registry.register(H100, 8, 80, EU, URI.into()).unwrap();
    registry.stake(ct(10_000)).unwrap();
    registry
        .update_profile(H100, 4, 80, EU, URI.into())
        .unwrap();
    let id = registry.request_unbond(ct(1_000)).unwrap();
    registry.cancel_unbond(id).unwrap();
    registry.sync_stake(PROVIDER).unwrap();
    as_role(&host, MANAGER, || {
        registry.lock_stake(PROVIDER, U256::from(1), ct(1_000), 4)
    })
    .unwrap();
    as_role(&host, SLASHER, || {
        registry.slash_job(PROVIDER, U256::from(1), U256::from(1_000), BENEFICIARY)
    })
    .unwrap();
    as_role(&host, SLASHER, || registry.jail(PROVIDER, T0 + 1)).unwrap();
    registry.deregister().unwrap();
    vm.set_block_timestamp(T0 + 14 * DAY);
    registry.withdraw().unwrap();
    let calls = sent(&host);
    assert!(calls.iter().all(|(to, _, _)| *to == TOKEN), "{calls:?}");
    // stake: 3; slash: pay + burn = 6; withdraw: 3.
    assert_eq!(calls.len(), 12);
    assert!(host.emissions.borrow().earning.is_empty());
}
