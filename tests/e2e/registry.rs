//! ProviderRegistry: registration, staking (also after a relayed token permit), unbonding and
//! withdrawal over time, the earning stake reported to Emissions, and the escrow-only per-job paths
//! (`lockStake`/`releaseStake` need `JOB_MANAGER_ROLE`, `slashJob`/`jail` need `SLASHER_ROLE`, both
//! held by the escrow alone).

use alloy::primitives::U256;
use compute_market_e2e::bindings::{IComputeToken, IEmissions, IProviderRegistry};
use compute_market_e2e::*;

const DAY: u64 = 86_400;

#[tokio::test]
async fn register_stake_unbond_withdraw() {
    let env = Env::get().await;
    let (r, t) = (env.registry(), env.token());
    let p1 = env.acc.p1;
    let rc = send(
        r.register(param("H100"), 8, 80, param("eu-west"), "ipfs://p1".into())
            .from(p1),
    )
    .await
    .unwrap();
    let ev = event::<IProviderRegistry::ProviderRegistered>(&rc).unwrap();
    assert_eq!((ev.provider, ev.gpuCount, ev.vramGiB), (p1, 8, 80));
    assert_eq!(ev.gpuModel, param("H100"));
    assert_eq!(ev.metadataURI, "ipfs://p1");
    assert_revert(
        send(
            r.register(param("H100"), 8, 80, param("eu"), String::new())
                .from(p1),
        )
        .await,
        IProviderRegistry::RegistryAlreadyRegistered(p1),
    );
    assert_revert(
        send(
            r.register(param("H100"), 0, 80, param("eu"), String::new())
                .from(env.acc.p2),
        )
        .await,
        IProviderRegistry::RegistryInvalidGpuCount { _0: 0, _1: 1024 },
    );

    // Required stake = 5,000 CT + 200 CT × 8 GPUs.
    let required = U256::from(6_600) * CT;
    assert_eq!(r.requiredStake(8).call().await.unwrap(), required);
    assert!(!r.isEligible(p1).call().await.unwrap());
    env.fund(p1, U256::from(7_000) * CT).await.unwrap();
    send(t.approve(env.addrs.registry, U256::MAX).from(p1))
        .await
        .unwrap();
    assert_revert(
        send(r.stake(U256::ZERO).from(p1)).await,
        IProviderRegistry::RegistryZeroAmount {},
    );
    let rc = send(r.stake(U256::from(6_000) * CT).from(p1))
        .await
        .unwrap();
    let ev = event::<IProviderRegistry::Staked>(&rc).unwrap();
    assert_eq!(
        (ev.provider, ev.amount, ev.activeStake),
        (p1, U256::from(6_000) * CT, U256::from(6_000) * CT)
    );
    let tr = event::<IComputeToken::Transfer>(&rc).unwrap();
    assert_eq!((tr.from, tr.to), (p1, env.addrs.registry));
    assert!(
        !r.isEligible(p1).call().await.unwrap(),
        "below the required stake"
    );
    let em = env.emissions();
    assert_eq!(
        em.earningStake(p1).call().await.unwrap(),
        U256::ZERO,
        "an ineligible provider's stake earns nothing"
    );
    let rc = send(r.stake(U256::from(1_000) * CT).from(p1))
        .await
        .unwrap();
    assert!(r.isEligible(p1).call().await.unwrap());
    // Eligible: the registry reports its whole active stake to Emissions.
    let (at, up) = events::<IEmissions::EarningStakeUpdated>(&rc)
        .pop()
        .expect("EarningStakeUpdated");
    assert_eq!(at, env.addrs.emissions);
    assert_eq!(
        (up.provider, up.amount, up.totalEarning),
        (p1, U256::from(7_000) * CT, U256::from(7_000) * CT)
    );
    assert_eq!(
        em.earningStake(p1).call().await.unwrap(),
        U256::from(7_000) * CT
    );
    assert_eq!(
        t.balanceOf(env.addrs.registry).call().await.unwrap(),
        U256::from(7_000) * CT
    );

    // Unbond 500 CT: it leaves active stake at once, matures after 14 days.
    assert_revert(
        send(r.requestUnbond(U256::from(8_000) * CT).from(p1)).await,
        IProviderRegistry::RegistryInsufficientFreeStake {
            _0: p1,
            _1: U256::from(7_000) * CT,
            _2: U256::from(8_000) * CT,
        },
    );
    let rc = send(r.requestUnbond(U256::from(500) * CT).from(p1))
        .await
        .unwrap();
    let ev = event::<IProviderRegistry::UnbondRequested>(&rc).unwrap();
    assert_eq!(ev.amount, U256::from(500) * CT);
    let now = env.now().await.unwrap();
    assert_eq!(ev.releaseAt, now + 14 * DAY);
    let info = r.providerInfo(p1).call().await.unwrap();
    assert_eq!(
        (info.activeStake, info.unbondingStake, info.lockedStake),
        (U256::from(6_500) * CT, U256::from(500) * CT, U256::ZERO)
    );
    assert!(!r.isEligible(p1).call().await.unwrap(), "6,500 < 6,600");
    assert_eq!(
        em.earningStake(p1).call().await.unwrap(),
        U256::ZERO,
        "no longer eligible: earns nothing"
    );
    // Not before maturity.
    assert_revert(
        send(r.withdraw().from(p1)).await,
        IProviderRegistry::RegistryNothingToWithdraw(p1),
    );
    env.warp(14 * DAY - 100).await.unwrap();
    assert_revert(
        send(r.withdraw().from(p1)).await,
        IProviderRegistry::RegistryNothingToWithdraw(p1),
    );
    env.warp(200).await.unwrap();
    let bal = t.balanceOf(p1).call().await.unwrap();
    let rc = send(r.withdraw().from(p1)).await.unwrap();
    let ev = event::<IProviderRegistry::Withdrawn>(&rc).unwrap();
    assert_eq!((ev.provider, ev.amount), (p1, U256::from(500) * CT));
    assert_eq!(
        t.balanceOf(p1).call().await.unwrap(),
        bal + U256::from(500) * CT
    );
    assert_eq!(
        r.providerInfo(p1).call().await.unwrap().unbondingStake,
        U256::ZERO
    );
    assert_eq!(
        t.balanceOf(env.addrs.registry).call().await.unwrap(),
        U256::from(6_500) * CT
    );

    // An unbonding request can be cancelled back into active stake.
    let rc = send(r.requestUnbond(U256::from(100) * CT).from(p1))
        .await
        .unwrap();
    let id = event::<IProviderRegistry::UnbondRequested>(&rc)
        .unwrap()
        .requestId;
    let rc = send(r.cancelUnbond(id).from(p1)).await.unwrap();
    assert_eq!(
        event::<IProviderRegistry::UnbondCancelled>(&rc)
            .unwrap()
            .amount,
        U256::from(100) * CT
    );
    assert_eq!(
        r.providerInfo(p1).call().await.unwrap().activeStake,
        U256::from(6_500) * CT
    );
    assert_revert(
        send(r.cancelUnbond(id).from(p1)).await,
        IProviderRegistry::RegistryUnknownUnbondRequest { _0: p1, _1: id },
    );

    // Deregistering starts the whole active stake unbonding; the profile stays readable.
    let rc = send(r.deregister().from(p1)).await.unwrap();
    let d = event::<IProviderRegistry::Deregistered>(&rc).unwrap();
    assert_eq!((d.provider, d.amount), (p1, U256::from(6_500) * CT));
    let info = r.providerInfo(p1).call().await.unwrap();
    assert_eq!(
        (
            info.registered,
            info.gpuCount,
            info.activeStake,
            info.unbondingStake
        ),
        (false, 8, U256::ZERO, U256::from(6_500) * CT)
    );
    assert_revert(
        send(r.deregister().from(p1)).await,
        IProviderRegistry::RegistryNotRegistered(p1),
    );
}

/// ABI v2 dropped `stakeWithPermit`: the provider signs an EIP-2612 permit for the registry, anyone
/// relays it to the token, and `stake` pulls against that allowance.
#[tokio::test]
async fn stake_after_a_permit() {
    let env = Env::get().await;
    let (r, t) = (env.registry(), env.token());
    let (p2, eve) = (env.acc.p2, env.acc.eve);
    send(
        r.register(param("A100"), 1, 40, param("us-east"), String::new())
            .from(p2),
    )
    .await
    .unwrap();
    let amount = U256::from(5_200) * CT;
    assert_eq!(r.requiredStake(1).call().await.unwrap(), amount);
    env.fund(p2, amount).await.unwrap();
    // Without an allowance the token's error comes back wrapped.
    assert_call_failed(
        send(r.stake(amount).from(p2)).await,
        env.addrs.token,
        IComputeToken::ERC20InsufficientAllowance {
            _0: env.addrs.registry,
            _1: U256::ZERO,
            _2: amount,
        },
    );
    let deadline = U256::from(env.now().await.unwrap() + 600);
    let sig = env
        .sign_permit(p2, env.addrs.registry, amount, deadline)
        .await
        .unwrap();
    let rc = send(
        t.permit(
            p2,
            env.addrs.registry,
            amount,
            deadline,
            sig.v,
            sig.r,
            sig.s,
        )
        .from(eve),
    )
    .await
    .unwrap();
    assert_eq!(
        event::<IComputeToken::Approval>(&rc).unwrap().spender,
        env.addrs.registry
    );
    assert_eq!(t.nonces(p2).call().await.unwrap(), U256::from(1));
    let rc = send(r.stake(amount).from(p2)).await.unwrap();
    assert_eq!(
        event::<IProviderRegistry::Staked>(&rc).unwrap().activeStake,
        amount
    );
    let tr = event::<IComputeToken::Transfer>(&rc).unwrap();
    assert_eq!((tr.from, tr.to, tr.value), (p2, env.addrs.registry, amount));
    assert!(r.isEligible(p2).call().await.unwrap());
    assert_eq!(t.balanceOf(p2).call().await.unwrap(), U256::ZERO);
    assert_eq!(
        t.allowance(p2, env.addrs.registry).call().await.unwrap(),
        U256::ZERO
    );
}

#[tokio::test]
async fn escrow_only_paths() {
    let env = Env::get().await;
    let (r, t) = (env.registry(), env.token());
    let (p1, eve) = (env.acc.p1, env.acc.eve);
    env.register_provider(p1, 1, U256::from(10_000) * CT)
        .await
        .unwrap();
    let jm = role("JOB_MANAGER_ROLE");
    let sl = role("SLASHER_ROLE");
    let job = U256::from(7);
    let no_jm = IProviderRegistry::AccessControlUnauthorizedAccount { _0: eve, _1: jm };
    let no_sl = IProviderRegistry::AccessControlUnauthorizedAccount { _0: eve, _1: sl };
    assert_revert(
        send(r.lockStake(p1, job, CT, 1).from(eve)).await,
        no_jm.clone(),
    );
    assert_revert(send(r.releaseStake(p1, job).from(eve)).await, no_jm);
    assert_revert(
        send(r.slashJob(p1, job, U256::from(1_000), eve).from(eve)).await,
        no_sl.clone(),
    );
    assert_revert(send(r.jail(p1, u64::MAX).from(eve)).await, no_sl);
    // Not even the admin holds these roles.
    assert_revert(
        send(
            r.slashJob(p1, job, U256::from(1_000), eve)
                .from(env.acc.admin),
        )
        .await,
        IProviderRegistry::AccessControlUnauthorizedAccount {
            _0: env.acc.admin,
            _1: sl,
        },
    );

    // The escrow (impersonated) can: lock per job, then slash (capped at maxSlashBps = 10% of the
    // job's penalty base), then jail.
    let escrow = env.addrs.escrow;
    env.impersonate(escrow).await.unwrap();
    let p = env.unsigned_provider().unwrap();
    let as_escrow = IProviderRegistry::new(env.addrs.registry, &p);
    // A job for more GPUs than p1 registered is refused.
    assert_revert(
        send(
            as_escrow
                .lockStake(p1, job, U256::from(2_000) * CT, 2)
                .from(escrow),
        )
        .await,
        IProviderRegistry::RegistryInsufficientGpus {
            _0: p1,
            _1: 2,
            _2: 1,
        },
    );
    let rc = send(
        as_escrow
            .lockStake(p1, job, U256::from(2_000) * CT, 1)
            .from(escrow),
    )
    .await
    .unwrap();
    let ev = event::<IProviderRegistry::StakeLocked>(&rc).unwrap();
    assert_eq!(
        (ev.jobId, ev.amount, ev.penaltyBase, ev.lockedStake),
        (
            job,
            U256::from(2_000) * CT,
            U256::from(10_000) * CT,
            U256::from(2_000) * CT
        )
    );
    assert_revert(
        send(as_escrow.lockStake(p1, job, CT, 1).from(escrow)).await,
        IProviderRegistry::RegistryLockExists { _0: p1, _1: job },
    );
    assert_revert(
        send(
            as_escrow
                .lockStake(p1, U256::from(8), U256::from(8_001) * CT, 1)
                .from(escrow),
        )
        .await,
        IProviderRegistry::RegistryInsufficientFreeStake {
            _0: p1,
            _1: U256::from(8_000) * CT,
            _2: U256::from(8_001) * CT,
        },
    );
    assert_revert(
        send(r.requestUnbond(U256::from(9_000) * CT).from(p1)).await,
        IProviderRegistry::RegistryInsufficientFreeStake {
            _0: p1,
            _1: U256::from(8_000) * CT,
            _2: U256::from(9_000) * CT,
        },
    );
    // While the job is open the provider can neither withdraw nor deregister.
    let open = IProviderRegistry::RegistryJobsOpen {
        _0: p1,
        _1: U256::from(1),
    };
    assert_revert(send(r.withdraw().from(p1)).await, open.clone());
    assert_revert(send(r.deregister().from(p1)).await, open);

    let supply = t.totalSupply().call().await.unwrap();
    let rc = send(
        as_escrow
            .slashJob(p1, job, U256::from(5_000), eve)
            .from(escrow),
    )
    .await
    .unwrap();
    let ev = event::<IProviderRegistry::Slashed>(&rc).unwrap();
    assert_eq!((ev.provider, ev.jobId, ev.beneficiary), (p1, job, eve));
    assert_eq!(
        ev.amount,
        U256::from(1_000) * CT,
        "capped at 10% of the 10,000 CT penalty base"
    );
    assert_eq!(ev.toBeneficiary, U256::from(500) * CT);
    assert_eq!(ev.burned, U256::from(500) * CT);
    // The slash ends the job's lock as a failure.
    let rel = event::<IProviderRegistry::StakeReleased>(&rc).unwrap();
    assert_eq!(
        (rel.jobId, rel.amount, rel.lockedStake, rel.success),
        (job, U256::from(2_000) * CT, U256::ZERO, false)
    );
    assert_eq!(t.balanceOf(eve).call().await.unwrap(), U256::from(500) * CT);
    assert_eq!(
        t.totalSupply().call().await.unwrap(),
        supply - U256::from(500) * CT
    );
    let info = r.providerInfo(p1).call().await.unwrap();
    assert_eq!(
        (
            info.activeStake,
            info.lockedStake,
            info.openJobs,
            info.failedJobs
        ),
        (U256::from(9_000) * CT, U256::ZERO, 0, 1)
    );
    assert_eq!(r.jobLock(p1, job).call().await.unwrap().amount, U256::ZERO);
    // The lock is gone: neither a release nor a second slash finds it.
    let unknown = IProviderRegistry::RegistryUnknownLock { _0: p1, _1: job };
    assert_revert(
        send(as_escrow.releaseStake(p1, job).from(escrow)).await,
        unknown.clone(),
    );
    assert_revert(
        send(
            as_escrow
                .slashJob(p1, job, U256::from(1_000), eve)
                .from(escrow),
        )
        .await,
        unknown,
    );

    // A second job completes: releaseStake frees exactly its lock and counts a success.
    let job2 = U256::from(8);
    send(
        as_escrow
            .lockStake(p1, job2, U256::from(100) * CT, 1)
            .from(escrow),
    )
    .await
    .unwrap();
    let rc = send(as_escrow.releaseStake(p1, job2).from(escrow))
        .await
        .unwrap();
    let rel = event::<IProviderRegistry::StakeReleased>(&rc).unwrap();
    assert_eq!(
        (rel.jobId, rel.amount, rel.lockedStake, rel.success),
        (job2, U256::from(100) * CT, U256::ZERO, true)
    );
    assert_eq!(r.providerInfo(p1).call().await.unwrap().completedJobs, 1);

    let until = env.now().await.unwrap() + 86_400;
    let rc = send(as_escrow.jail(p1, until).from(escrow)).await.unwrap();
    assert_eq!(
        event::<IProviderRegistry::Jailed>(&rc).unwrap().until,
        until
    );
    assert!(!r.isEligible(p1).call().await.unwrap());
    assert_eq!(
        env.emissions().earningStake(p1).call().await.unwrap(),
        U256::ZERO,
        "jailed: earns nothing"
    );
    // A jail only extends.
    let rc = send(as_escrow.jail(p1, until - 100).from(escrow))
        .await
        .unwrap();
    assert_eq!(
        event::<IProviderRegistry::Jailed>(&rc).unwrap().until,
        until
    );
    // Jail works on any address, registered or not.
    send(as_escrow.jail(eve, until).from(escrow)).await.unwrap();
    assert_eq!(r.providerInfo(eve).call().await.unwrap().jailedUntil, until);
    // Once the jail is over, anyone syncs the earning stake back.
    env.warp(86_400).await.unwrap();
    assert!(r.isEligible(p1).call().await.unwrap());
    send(r.syncStake(p1).from(eve)).await.unwrap();
    assert_eq!(
        env.emissions().earningStake(p1).call().await.unwrap(),
        U256::from(9_000) * CT
    );
    assert_eq!(
        t.balanceOf(env.addrs.registry).call().await.unwrap(),
        U256::from(9_000) * CT
    );
}
