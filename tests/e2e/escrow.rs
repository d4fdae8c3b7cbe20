//! JobEscrow: a job end to end through every contract (credits locked in the controller, stake
//! locked per job in the registry, one settlement minting CT to the provider and counting the fee
//! as the provider's fees of the epoch, the treasury's fee share accrued and claimed), asserted
//! from the receipts' events; and the escrow's custom errors, including the controller/registry
//! errors it wraps in `CallFailed(target, data)`.

use alloy::primitives::{keccak256, Address, B256, U256};
use compute_market_e2e::bindings::{IBmeController, IComputeToken, IJobEscrow, IProviderRegistry};
use compute_market_e2e::*;

#[tokio::test]
async fn approved_job_pays_the_provider() {
    let env = Env::get().await;
    env.market().await.unwrap();
    let (e, c, t, r) = (env.escrow(), env.controller(), env.token(), env.registry());
    let (alice, p1) = (env.acc.alice, env.acc.p1);
    let credits0 = c.creditBalanceOf(alice).call().await.unwrap();
    let stats0 = c.supplyStats().call().await.unwrap();
    let outstanding0 = stats0.outstandingCredits;
    let epoch = env.emissions().currentEpoch().call().await.unwrap();

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
        (
            acc.jobId,
            acc.provider,
            acc.pricePerGpuHour,
            acc.maxCost,
            acc.refunded,
            acc.stakeLocked
        ),
        (
            id,
            p1,
            job_price(),
            max_cost,
            U256::ZERO,
            U256::from(20) * CT
        )
    );
    assert_eq!(
        acc.deadline,
        env.now().await.unwrap() + JOB_MAX_DURATION + 3_600
    );
    // The registry records the job's lock and its penalty base (active + unbonding stake).
    let sl = event::<IProviderRegistry::StakeLocked>(&rc).unwrap();
    assert_eq!(
        (
            sl.provider,
            sl.jobId,
            sl.amount,
            sl.penaltyBase,
            sl.lockedStake
        ),
        (
            p1,
            id,
            U256::from(20) * CT,
            provider_stake(),
            U256::from(20) * CT
        )
    );
    let lock = r.jobLock(p1, id).call().await.unwrap();
    assert_eq!(
        (lock.amount, lock.penaltyBase),
        (U256::from(20) * CT, provider_stake())
    );
    let info = r.providerInfo(p1).call().await.unwrap();
    assert_eq!(
        (info.lockedStake, info.openJobs, info.activeStake),
        (U256::from(20) * CT, 1, provider_stake())
    );
    assert_eq!(env.job(id).await.unwrap().stake_locked, U256::from(20) * CT);

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
    // fee = ceil(10 USD × 2.5%) = 0.25 USD; net 9.75 USD = 4.875 CT at $2; the fee is worth
    // 0.125 CT.
    let settled = event::<IBmeController::Settled>(&rc).unwrap();
    let paid = U256::from(4_875) * CT / U256::from(1_000);
    let fee_tokens = U256::from(125) * CT / U256::from(1_000);
    assert_eq!(
        (
            settled.payer,
            settled.provider,
            settled.credits,
            settled.fee,
            settled.feeTokens,
            settled.tokensPaid,
            settled.price
        ),
        (
            alice,
            p1,
            U256::from(10) * USD,
            U256::from(250_000),
            fee_tokens,
            paid,
            price_wad()
        )
    );
    assert_eq!(
        settled.credits + done.refunded,
        max_cost,
        "settled (paid + fee) + refunded = maxCost"
    );
    // One settle call: the fee's value is split 30% treasury (accrued) / 70% retired.
    assert_eq!(events::<IBmeController::Settled>(&rc).len(), 1);
    let to_treasury = fee_tokens * U256::from(3_000) / U256::from(10_000);
    let retired = fee_tokens - to_treasury;
    let fd = event::<IBmeController::FeeDistributed>(&rc).unwrap();
    assert_eq!(
        (fd.epoch, fd.treasuryAmount, fd.retired),
        (epoch, to_treasury, retired)
    );
    // The fee's CT value counts as p1's fees of the epoch (what sizes its work reward).
    assert_eq!(c.providerFees(p1, epoch).call().await.unwrap(), fee_tokens);
    let es = c.epochStats(epoch).call().await.unwrap();
    assert_eq!(
        (es.reminted, es.feesBurned, es.feeTokens, es.owedRecorded),
        (paid, retired, fee_tokens, U256::ZERO)
    );
    // Only the provider's pay is minted now, from the burn budget.
    let mints: Vec<_> = events::<IComputeToken::Transfer>(&rc)
        .into_iter()
        .filter(|(a, ev)| *a == env.addrs.token && ev.from == Address::ZERO)
        .map(|(_, ev)| (ev.to, ev.value))
        .collect();
    assert_eq!(mints, vec![(p1, paid)]);
    assert_eq!(t.balanceOf(p1).call().await.unwrap(), p1_bal + paid);
    assert_eq!(t.balanceOf(env.acc.treasury).call().await.unwrap(), tre_bal);
    let stats = c.supplyStats().call().await.unwrap();
    assert_eq!(
        (
            stats.reminted,
            stats.retired,
            stats.treasuryAccrued,
            stats.burnBudget
        ),
        (
            paid,
            retired,
            to_treasury,
            stats0.burnBudget - paid - to_treasury - retired
        )
    );
    // Anyone mints the treasury's accrued share to the treasury.
    let rc_t = send(c.claimTreasury().from(env.acc.eve)).await.unwrap();
    let tc = event::<IBmeController::TreasuryClaimed>(&rc_t).unwrap();
    assert_eq!((tc.treasury, tc.amount), (env.acc.treasury, to_treasury));
    assert_eq!(
        t.balanceOf(env.acc.treasury).call().await.unwrap(),
        tre_bal + to_treasury
    );
    let after = c.supplyStats().call().await.unwrap();
    assert_eq!(
        (after.treasuryAccrued, after.reminted),
        (U256::ZERO, paid + to_treasury)
    );
    assert_revert(
        send(c.claimTreasury().from(env.acc.eve)).await,
        IBmeController::BmeNothingToClaim {},
    );
    // One registry call: the job's lock is released and a success counted.
    let rel = event::<IProviderRegistry::StakeReleased>(&rc).unwrap();
    assert_eq!(
        (
            rel.provider,
            rel.jobId,
            rel.amount,
            rel.lockedStake,
            rel.success
        ),
        (p1, id, U256::from(20) * CT, U256::ZERO, true)
    );
    let info = r.providerInfo(p1).call().await.unwrap();
    assert_eq!(
        (
            info.completedJobs,
            info.failedJobs,
            info.openJobs,
            info.lockedStake
        ),
        (1, 0, 0, U256::ZERO)
    );
    assert_eq!(r.jobLock(p1, id).call().await.unwrap().amount, U256::ZERO);
    let cu = event::<IBmeController::CreditsUnlocked>(&rc).unwrap();
    assert_eq!((cu.account, cu.amount), (alice, U256::from(10) * USD));

    assert_eq!(
        c.creditBalanceOf(alice).call().await.unwrap(),
        credits0 - U256::from(10) * USD
    );
    assert_eq!(c.lockedCreditsOf(alice).call().await.unwrap(), U256::ZERO);
    assert_eq!(
        c.supplyStats().call().await.unwrap().outstandingCredits,
        outstanding0 - U256::from(10) * USD
    );
    let j = env.job(id).await.unwrap();
    assert_eq!(
        (j.state, j.cost, j.provider, j.requester),
        (state::COMPLETED, U256::from(10) * USD, p1, alice)
    );
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
        IJobEscrow::JobEscrowInvalidPrice {
            _0: U256::ZERO,
            _1: U256::ZERO,
        },
    );
    // No credits: the controller's BmeInsufficientCredits, wrapped.
    assert_call_failed(
        send(
            e.createJob(Address::ZERO, spec, 1, 3_600, job_price())
                .from(eve),
        )
        .await,
        env.addrs.controller,
        IBmeController::BmeInsufficientCredits {
            _0: eve,
            _1: U256::ZERO,
            _2: U256::from(10) * USD,
        },
    );
    // A requester cannot name the market (a market owns only the jobs it opens); the error names
    // the id the job would have had.
    let next = e.jobCount().call().await.unwrap() + U256::from(1);
    assert_revert(
        send(
            e.createJob(env.addrs.market, spec, 1, 3_600, job_price())
                .from(alice),
        )
        .await,
        IJobEscrow::JobEscrowNotProvider {
            _0: next,
            _1: env.addrs.market,
        },
    );
    // The auction hooks are the market's alone.
    let market_role = role("MARKET_ROLE");
    assert_revert(
        send(
            e.createJobFor(alice, spec, 1, 3_600, job_price(), 600)
                .from(eve),
        )
        .await,
        IJobEscrow::AccessControlUnauthorizedAccount {
            _0: eve,
            _1: market_role,
        },
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
    // p3 is not registered: the registry's RegistryNotEligible, wrapped.
    assert_call_failed(
        send(e.acceptJob(open).from(p3)).await,
        env.addrs.registry,
        IProviderRegistry::RegistryNotEligible(p3),
    );
    assert_revert(
        send(e.award(open, p1, job_price()).from(eve)).await,
        IJobEscrow::AccessControlUnauthorizedAccount {
            _0: eve,
            _1: market_role,
        },
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
    // A dispute needs the bond's allowance: the token's error, wrapped. The bond is
    // max(5% of the 10 USD cost in CT = 0.25 CT, minDisputeBond) = 100 CT.
    assert_call_failed(
        send(e.disputeResult(named, spec).from(alice)).await,
        env.addrs.token,
        IComputeToken::ERC20InsufficientAllowance {
            _0: env.addrs.escrow,
            _1: U256::ZERO,
            _2: U256::from(100) * CT,
        },
    );
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
        IJobEscrow::UnknownParameter(param("nope")),
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
