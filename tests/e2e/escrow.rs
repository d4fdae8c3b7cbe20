//! JobEscrow: a job end to end through every contract (credits locked in the controller, stake
//! locked in the registry, settlement minting CT to the provider, work recorded in the emissions
//! contract), asserted from the receipts' events; and the escrow's custom errors, including the
//! controller/registry errors it wraps in `JobEscrowCallFailed(target, data)`.

use alloy::primitives::{keccak256, Address, B256, U256};
use alloy::sol_types::SolError;
use compute_market_e2e::bindings::{
    IBmeController, IComputeToken, IEmissions, IJobEscrow, IProviderRegistry,
};
use compute_market_e2e::*;

#[tokio::test]
async fn approved_job_pays_the_provider() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (e, c, t, r) = (env.escrow(), env.controller(), env.token(), env.registry());
    let (alice, p1) = (env.acc.alice, env.acc.p1);
    let credits0 = c.creditBalanceOf(alice).call().await.unwrap();
    let outstanding0 = c.outstandingCredits().call().await.unwrap();

    // create: maxCost = 10 USD/h × 1 GPU × 2 h = 20 USD, locked in the controller.
    let rc = send(
        e.createJob(
            Address::ZERO,
            keccak256(b"spec"),
            JOB_GPUS,
            JOB_MAX_DURATION,
            job_price(),
        )
        .from(alice),
    )
    .await
    .unwrap();
    let created = event::<IJobEscrow::JobCreated>(&rc).unwrap();
    let max_cost = U256::from(20) * USD;
    assert_eq!(
        (created.requester, created.provider, created.maxCost),
        (alice, Address::ZERO, max_cost)
    );
    let id = created.jobId;
    assert_eq!(e.jobCount().call().await.unwrap(), id);
    let locked = event::<IBmeController::CreditsLocked>(&rc).unwrap();
    assert_eq!((locked.account, locked.amount), (alice, max_cost));
    assert_eq!(
        c.creditBalanceOf(alice).call().await.unwrap(),
        credits0 - max_cost
    );
    assert_eq!(c.lockedCreditsOf(alice).call().await.unwrap(), max_cost);
    assert_eq!(env.job(id).await.unwrap().state, state::OPEN);

    // accept: collateral 2 × 20 USD = 40 USD of stake = 20 CT at $2, locked in the registry.
    let rc = send(e.acceptJob(id).from(p1)).await.unwrap();
    let acc = event::<IJobEscrow::JobAccepted>(&rc).unwrap();
    assert_eq!(
        (acc.jobId, acc.provider, acc.stakeLocked),
        (id, p1, U256::from(20) * CT)
    );
    assert_eq!(
        acc.deadline,
        env.now().await.unwrap() + JOB_MAX_DURATION + 3_600
    );
    let sl = event::<IProviderRegistry::StakeLocked>(&rc).unwrap();
    assert_eq!((sl.provider, sl.amount), (p1, U256::from(20) * CT));
    assert_eq!(r.lockedStake(p1).call().await.unwrap(), U256::from(20) * CT);
    assert_eq!(e.openJobs(p1).call().await.unwrap(), U256::from(1));

    // submit 30 minutes: charged the 1-hour minimum, cost = 10 USD.
    let rc = send(e.submitResult(id, keccak256(b"out"), 1_800).from(p1))
        .await
        .unwrap();
    let sub = event::<IJobEscrow::ResultSubmitted>(&rc).unwrap();
    assert_eq!((sub.usedSeconds, sub.cost), (1_800, U256::from(10) * USD));
    assert_eq!(sub.resultHash, keccak256(b"out"));

    // approve early: settle 10 USD to p1, refund 10 USD to alice.
    let p1_bal = t.balanceOf(p1).call().await.unwrap();
    let tre_bal = t.balanceOf(env.acc.treasury).call().await.unwrap();
    let rc = send(e.approveResult(id).from(alice)).await.unwrap();
    let done = event::<IJobEscrow::JobCompleted>(&rc).unwrap();
    assert_eq!(
        (
            done.jobId,
            done.provider,
            done.caller,
            done.cost,
            done.refunded
        ),
        (id, p1, alice, U256::from(10) * USD, U256::from(10) * USD)
    );
    // fee = ceil(10 USD × 2.5%) = 0.25 USD; net 9.75 USD = 4.875 CT at $2.
    let settled = event::<IBmeController::Settled>(&rc).unwrap();
    let paid = U256::from(4_875) * CT / U256::from(1_000);
    assert_eq!(
        (
            settled.payer,
            settled.provider,
            settled.credits,
            settled.fee,
            settled.tokensPaid,
            settled.price
        ),
        (
            alice,
            p1,
            U256::from(10) * USD,
            U256::from(250_000),
            paid,
            price_wad()
        )
    );
    assert_eq!(
        settled.credits + done.refunded,
        max_cost,
        "settled (paid + fee) + refunded = maxCost"
    );
    let work = event::<IEmissions::WorkRecorded>(&rc).unwrap();
    assert_eq!((work.provider, work.credits), (p1, U256::from(9_750_000)));
    // The provider's pay and the treasury's 30% of the fee are re-minted by the controller.
    let mints: Vec<_> = events::<IComputeToken::Transfer>(&rc)
        .into_iter()
        .filter(|(a, ev)| *a == env.addrs.token && ev.from == Address::ZERO)
        .map(|(_, ev)| (ev.to, ev.value))
        .collect();
    let fee_tokens = U256::from(125) * CT / U256::from(1_000); // 0.25 USD at $2
    let to_treasury = fee_tokens * U256::from(3_000) / U256::from(10_000);
    assert!(mints.contains(&(p1, paid)), "{mints:?}");
    assert!(
        mints.contains(&(env.acc.treasury, to_treasury)),
        "{mints:?}"
    );
    assert_eq!(t.balanceOf(p1).call().await.unwrap(), p1_bal + paid);
    assert_eq!(
        t.balanceOf(env.acc.treasury).call().await.unwrap(),
        tre_bal + to_treasury
    );
    let unl = event::<IProviderRegistry::StakeUnlocked>(&rc).unwrap();
    assert_eq!(
        (unl.amount, unl.lockedStake),
        (U256::from(20) * CT, U256::ZERO)
    );
    let out = event::<IProviderRegistry::OutcomeRecorded>(&rc).unwrap();
    assert_eq!(
        (out.provider, out.success, out.completedJobs),
        (p1, true, 1)
    );
    let cu = event::<IBmeController::CreditsUnlocked>(&rc).unwrap();
    assert_eq!((cu.account, cu.amount), (alice, U256::from(10) * USD));

    assert_eq!(
        c.creditBalanceOf(alice).call().await.unwrap(),
        credits0 - U256::from(10) * USD
    );
    assert_eq!(c.lockedCreditsOf(alice).call().await.unwrap(), U256::ZERO);
    assert_eq!(
        c.outstandingCredits().call().await.unwrap(),
        outstanding0 - U256::from(10) * USD
    );
    let j = env.job(id).await.unwrap();
    assert_eq!(
        (j.state, j.cost, j.provider, j.requester),
        (state::COMPLETED, U256::from(10) * USD, p1, alice)
    );
    assert_eq!(e.openJobs(p1).call().await.unwrap(), U256::ZERO);
    // Terminal: nothing moves it again.
    assert_revert(
        send(e.approveResult(id).from(alice)).await,
        IJobEscrow::JobEscrowInvalidState {
            _0: id,
            _1: state::COMPLETED,
        },
    );
    assert_revert(
        send(e.finalize(id).from(alice)).await,
        IJobEscrow::JobEscrowInvalidState {
            _0: id,
            _1: state::COMPLETED,
        },
    );
}

#[tokio::test]
async fn escrow_errors() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let e = env.escrow();
    let (alice, p1, p2, p3, eve) = (
        env.acc.alice,
        env.acc.p1,
        env.acc.p2,
        env.acc.p3,
        env.acc.eve,
    );
    let spec = B256::ZERO;
    assert_revert(
        send(
            e.createJob(Address::ZERO, spec, 0, 3_600, job_price())
                .from(alice),
        )
        .await,
        IJobEscrow::JobEscrowInvalidGpuCount { _0: 0, _1: 1_024 },
    );
    assert_revert(
        send(
            e.createJob(Address::ZERO, spec, 1, 0, job_price())
                .from(alice),
        )
        .await,
        IJobEscrow::JobEscrowInvalidDuration {
            _0: 0,
            _1: 2_592_000,
        },
    );
    assert_revert(
        send(
            e.createJob(Address::ZERO, spec, 1, 3_600, U256::ZERO)
                .from(alice),
        )
        .await,
        IJobEscrow::JobEscrowZeroPrice {},
    );
    // No credits: the controller's BmeInsufficientCredits, wrapped.
    let err = send(
        e.createJob(Address::ZERO, spec, 1, 3_600, job_price())
            .from(eve),
    )
    .await
    .unwrap_err();
    let w = err
        .as_decoded_error::<IJobEscrow::JobEscrowCallFailed>()
        .expect("JobEscrowCallFailed");
    assert_eq!(w._0, env.addrs.controller);
    assert_eq!(
        IBmeController::BmeInsufficientCredits::abi_decode(&w._1).unwrap(),
        IBmeController::BmeInsufficientCredits {
            _0: eve,
            _1: U256::ZERO,
            _2: U256::from(10) * USD
        }
    );

    // A job naming p2: p1 may not take it, nor may the requester; p3 is not registered.
    let (named, _) = env
        .create_job(alice, p2, 1, 3_600, job_price())
        .await
        .unwrap();
    assert_revert(
        send(e.acceptJob(named).from(p1)).await,
        IJobEscrow::JobEscrowNotProvider { _0: named, _1: p1 },
    );
    let (open, _) = env
        .create_job(alice, Address::ZERO, 1, 3_600, job_price())
        .await
        .unwrap();
    assert_revert(
        send(e.acceptJob(open).from(alice)).await,
        IJobEscrow::JobEscrowNotProvider {
            _0: open,
            _1: alice,
        },
    );
    assert_revert(
        send(e.acceptJob(open).from(p3)).await,
        IJobEscrow::JobEscrowProviderNotEligible(p3),
    );
    assert_revert(
        send(e.cancelJob(open).from(eve)).await,
        IJobEscrow::JobEscrowTooEarly {
            _0: open,
            _1: env.job(open).await.unwrap().until,
        },
    );
    assert_revert(
        send(e.submitResult(open, spec, 1).from(p1)).await,
        IJobEscrow::JobEscrowInvalidState {
            _0: open,
            _1: state::OPEN,
        },
    );
    send(e.acceptJob(named).from(p2)).await.unwrap();
    assert_revert(
        send(e.submitResult(named, spec, 60).from(p1)).await,
        IJobEscrow::JobEscrowNotProvider { _0: named, _1: p1 },
    );
    assert_revert(
        send(e.submitResult(named, spec, 3_601).from(p2)).await,
        IJobEscrow::JobEscrowUsageTooHigh {
            _0: 3_601,
            _1: 3_600,
        },
    );
    assert_revert(
        send(e.claimTimeout(named).from(eve)).await,
        IJobEscrow::JobEscrowTooEarly {
            _0: named,
            _1: env.job(named).await.unwrap().until,
        },
    );
    send(e.submitResult(named, spec, 3_600).from(p2))
        .await
        .unwrap();
    assert_revert(
        send(e.approveResult(named).from(eve)).await,
        IJobEscrow::JobEscrowNotRequester { _0: named, _1: eve },
    );
    assert_revert(
        send(e.disputeResult(named, spec).from(eve)).await,
        IJobEscrow::JobEscrowNotRequester { _0: named, _1: eve },
    );
    assert_revert(
        send(e.finalize(named).from(eve)).await,
        IJobEscrow::JobEscrowTooEarly {
            _0: named,
            _1: env.job(named).await.unwrap().until,
        },
    );
    assert_revert(
        send(e.resolveDispute(named, true).from(env.acc.arbitrator)).await,
        IJobEscrow::JobEscrowInvalidState {
            _0: named,
            _1: state::SUBMITTED,
        },
    );
    assert_revert(
        send(e.resolveDispute(named, true).from(eve)).await,
        IJobEscrow::AccessControlUnauthorizedAccount {
            _0: eve,
            _1: role("ARBITRATOR_ROLE"),
        },
    );
    // A dispute needs the bond's allowance: the token's error, wrapped.
    let err = send(e.disputeResult(named, spec).from(alice))
        .await
        .unwrap_err();
    let w = err
        .as_decoded_error::<IJobEscrow::JobEscrowCallFailed>()
        .expect("JobEscrowCallFailed");
    assert_eq!(w._0, env.addrs.token);
    let inner = IComputeToken::ERC20InsufficientAllowance::abi_decode(&w._1).unwrap();
    assert_eq!(inner._0, env.addrs.escrow);
    // Parameters: bounded, admin-only.
    assert_revert(
        send(
            e.setParameter(param("acceptWindow"), U256::from(1))
                .from(eve),
        )
        .await,
        IJobEscrow::AccessControlUnauthorizedAccount {
            _0: eve,
            _1: role("PARAMETER_ADMIN_ROLE"),
        },
    );
    assert_revert(
        e.parameter(param("nope")).call().await,
        IJobEscrow::JobEscrowUnknownParameter(param("nope")),
    );
    // Unknown job.
    assert_revert(
        send(e.cancelJob(U256::from(999)).from(alice)).await,
        IJobEscrow::JobEscrowInvalidState {
            _0: U256::from(999),
            _1: 0,
        },
    );
}
