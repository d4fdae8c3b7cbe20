//! ProviderRegistry: registration, staking (also with a permit), unbonding and withdrawal over time,
//! and the escrow-only paths (`lockStake`/`unlockStake`/`recordOutcome` need `JOB_MANAGER_ROLE`,
//! `slash`/`jail` need `SLASHER_ROLE`, both held by the escrow alone).

use alloy::primitives::{B256, U256};
use compute_market_e2e::bindings::{IComputeToken, IProviderRegistry};
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
    send(r.stake(U256::from(1_000) * CT).from(p1))
        .await
        .unwrap();
    assert!(r.isEligible(p1).call().await.unwrap());
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
    assert_eq!(
        r.activeStake(p1).call().await.unwrap(),
        U256::from(6_500) * CT
    );
    assert_eq!(
        r.unbondingStake(p1).call().await.unwrap(),
        U256::from(500) * CT
    );
    assert!(!r.isEligible(p1).call().await.unwrap(), "6,500 < 6,600");
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
    assert_eq!(r.unbondingStake(p1).call().await.unwrap(), U256::ZERO);
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
        r.activeStake(p1).call().await.unwrap(),
        U256::from(6_500) * CT
    );
    assert_revert(
        send(r.cancelUnbond(id).from(p1)).await,
        IProviderRegistry::RegistryUnknownUnbondRequest { _0: p1, _1: id },
    );
}

#[tokio::test]
async fn stake_with_permit() {
    let env = Env::get().await;
    let r = env.registry();
    let p2 = env.acc.p2;
    send(
        r.register(param("A100"), 1, 40, param("us-east"), String::new())
            .from(p2),
    )
    .await
    .unwrap();
    let amount = U256::from(5_200) * CT;
    env.fund(p2, amount).await.unwrap();
    let deadline = U256::from(env.now().await.unwrap() + 600);
    let sig = env
        .sign_permit(p2, env.addrs.registry, amount, deadline)
        .await
        .unwrap();
    let rc = send(
        r.stakeWithPermit(amount, deadline, sig.v, sig.r, sig.s)
            .from(p2),
    )
    .await
    .unwrap();
    assert_eq!(
        event::<IProviderRegistry::Staked>(&rc).unwrap().activeStake,
        amount
    );
    assert_eq!(
        event::<IComputeToken::Approval>(&rc).unwrap().spender,
        env.addrs.registry
    );
    assert!(r.isEligible(p2).call().await.unwrap());
    assert_eq!(env.token().nonces(p2).call().await.unwrap(), U256::from(1));
}

#[tokio::test]
async fn escrow_only_paths() {
    let env = Env::get().await;
    let r = env.registry();
    let (p1, eve) = (env.acc.p1, env.acc.eve);
    env.register_provider(p1, 1, U256::from(10_000) * CT)
        .await
        .unwrap();
    let jm = role("JOB_MANAGER_ROLE");
    let sl = role("SLASHER_ROLE");
    let no_jm = IProviderRegistry::AccessControlUnauthorizedAccount { _0: eve, _1: jm };
    let no_sl = IProviderRegistry::AccessControlUnauthorizedAccount { _0: eve, _1: sl };
    assert_revert(send(r.lockStake(p1, CT).from(eve)).await, no_jm.clone());
    assert_revert(send(r.unlockStake(p1, CT).from(eve)).await, no_jm.clone());
    assert_revert(send(r.recordOutcome(p1, true).from(eve)).await, no_jm);
    assert_revert(
        send(r.slash(p1, CT, eve, B256::ZERO).from(eve)).await,
        no_sl.clone(),
    );
    assert_revert(send(r.jail(p1, u64::MAX).from(eve)).await, no_sl);
    // Not even the admin holds these roles.
    assert_revert(
        send(r.slash(p1, CT, eve, B256::ZERO).from(env.acc.admin)).await,
        IProviderRegistry::AccessControlUnauthorizedAccount {
            _0: env.acc.admin,
            _1: sl,
        },
    );

    // The escrow (impersonated) can: lock, then slash (capped at maxSlashBps = 10%), then jail.
    let escrow = env.addrs.escrow;
    env.impersonate(escrow).await.unwrap();
    let p = env.unsigned_provider().unwrap();
    let as_escrow = IProviderRegistry::new(env.addrs.registry, &p);
    let rc = send(as_escrow.lockStake(p1, U256::from(2_000) * CT).from(escrow))
        .await
        .unwrap();
    assert_eq!(
        event::<IProviderRegistry::StakeLocked>(&rc)
            .unwrap()
            .lockedStake,
        U256::from(2_000) * CT
    );
    assert_revert(
        send(r.requestUnbond(U256::from(9_000) * CT).from(p1)).await,
        IProviderRegistry::RegistryInsufficientFreeStake {
            _0: p1,
            _1: U256::from(8_000) * CT,
            _2: U256::from(9_000) * CT,
        },
    );
    let supply = env.token().totalSupply().call().await.unwrap();
    let rc = send(
        as_escrow
            .slash(p1, U256::from(5_000) * CT, eve, param("test"))
            .from(escrow),
    )
    .await
    .unwrap();
    let ev = event::<IProviderRegistry::Slashed>(&rc).unwrap();
    assert_eq!(
        ev.amount,
        U256::from(1_000) * CT,
        "capped at 10% of 10,000 CT"
    );
    assert_eq!(ev.toBeneficiary, U256::from(500) * CT);
    assert_eq!(ev.burned, U256::from(500) * CT);
    assert_eq!(
        env.token().balanceOf(eve).call().await.unwrap(),
        U256::from(500) * CT
    );
    assert_eq!(
        env.token().totalSupply().call().await.unwrap(),
        supply - U256::from(500) * CT
    );
    assert_eq!(
        r.activeStake(p1).call().await.unwrap(),
        U256::from(9_000) * CT
    );
    let until = env.now().await.unwrap() + 86_400;
    let rc = send(as_escrow.jail(p1, until).from(escrow)).await.unwrap();
    assert_eq!(
        event::<IProviderRegistry::Jailed>(&rc).unwrap().until,
        until
    );
    assert!(!r.isEligible(p1).call().await.unwrap());
    send(
        as_escrow
            .unlockStake(p1, U256::from(2_000) * CT)
            .from(escrow),
    )
    .await
    .unwrap();
    assert_eq!(r.lockedStake(p1).call().await.unwrap(), U256::ZERO);
    let rc = send(as_escrow.recordOutcome(p1, false).from(escrow))
        .await
        .unwrap();
    let ev = event::<IProviderRegistry::OutcomeRecorded>(&rc).unwrap();
    assert_eq!((ev.completedJobs, ev.failedJobs), (0, 1));
    assert_eq!(
        env.token()
            .balanceOf(env.addrs.registry)
            .call()
            .await
            .unwrap(),
        U256::from(9_000) * CT
    );
}
