//! Reading the demo's chain back and reconciling every number with the contracts' stats and the
//! token's events.
use alloy::primitives::{Address, U256};
use alloy::providers::Provider;
use alloy::rpc::types::Filter;
use alloy::sol_types::SolEvent;
use eyre::ensure;

use super::Demo;
use crate::bindings::*;
use crate::deploy::GENESIS_SUPPLY_CT;
use crate::units::ct;

use super::report::{AccountRow, EpochRow, JobRow, Totals};

/// What [`reconcile`] read back.
pub(super) struct Reconciled {
    pub epochs: Vec<EpochRow>,
    pub accounts: Vec<AccountRow>,
    pub jobs: Vec<JobRow>,
    pub totals: Totals,
}

/// Reads every epoch's stats back, checks that the rows, the contracts' cumulative stats and the
/// token's mint and burn events all agree (docs/protocol.md §12 invariant 2 and the supply
/// identity), and reads the accounts and jobs. Fails on the first mismatch.
pub(super) async fn reconcile(
    demo: &mut Demo,
    me: Address,
    names: &[&str],
    addrs: &[Address],
) -> eyre::Result<Reconciled> {
    let d = demo.d.clone();
    let token = IComputeToken::new(d.token, demo.chain.provider.clone());
    let reg = IProviderRegistry::new(d.registry, demo.chain.provider.clone());
    let ctl = IBmeController::new(d.controller, demo.chain.provider.clone());
    let esc = IJobEscrow::new(d.escrow, demo.chain.provider.clone());
    let em = IEmissions::new(d.emissions, demo.chain.provider.clone());
    // ---- tables and reconciliation ----
    demo.step("reading back and reconciling");
    let last = em.nextEpochToFinalize().call().await?.to::<u64>();
    let mut rows = Vec::new();
    for e in 0..=last {
        let c = ctl.epochStats(U256::from(e)).call().await?;
        let s = em.epochStats(U256::from(e)).call().await?;
        let (supply, cr) = demo
            .snapshots
            .range(..=e)
            .next_back()
            .map(|(_, v)| *v)
            .unwrap_or_default();
        ensure!(
            s.workPool <= s.workCap,
            "epoch {e}: work pool {} above its cap {}",
            s.workPool,
            s.workCap
        );
        rows.push(EpochRow {
            epoch: e,
            burned: c.burned,
            reminted: c.reminted,
            minted_from_reserve: c.mintedFromReserve,
            fees: c.feeTokens,
            fees_burned: c.feesBurned,
            emitted: s.emitted,
            work_pool: s.workPool,
            work_cap: s.workCap,
            stake_pool: s.stakePool,
            drawn: s.drawn,
            draw_cap: s.drawCap,
            supply,
            collateral_ratio_wad: cr,
        });
    }
    let cs = ctl.supplyStats().call().await?;
    let es = em.supplyStats().call().await?;
    let total_supply = token.totalSupply().call().await?;
    let sum = |f: fn(&EpochRow) -> U256| rows.iter().map(f).fold(U256::ZERO, |a, b| a + b);
    ensure!(
        sum(|r| r.burned) == cs.burned,
        "Σ burned {} != controller burned {}",
        sum(|r| r.burned),
        cs.burned
    );
    ensure!(
        sum(|r| r.reminted) == cs.reminted,
        "Σ reminted != controller reminted"
    );
    ensure!(
        sum(|r| r.minted_from_reserve) == cs.mintedFromReserve,
        "Σ mintedFromReserve != controller mintedFromReserve"
    );
    ensure!(
        cs.mintedFromReserve == es.drawn && sum(|r| r.drawn) == es.drawn,
        "controller mintedFromReserve {} != emissions drawn {} (Σ rows {})",
        cs.mintedFromReserve,
        es.drawn,
        sum(|r| r.drawn)
    );
    ensure!(
        sum(|r| r.fees_burned) == cs.retired,
        "Σ fees burned {} != controller retired {}",
        sum(|r| r.fees_burned),
        cs.retired
    );
    ensure!(
        sum(|r| r.emitted) == es.emitted,
        "Σ emitted != emissions emitted"
    );
    ensure!(
        es.emitted - es.returned + es.drawn + es.reserve == es.initialReserve,
        "emitted − returned + drawn + reserve != initial reserve"
    );
    ensure!(
        cs.reminted + cs.retired + cs.burnBudget + cs.iouFunded + cs.treasuryAccrued == cs.burned,
        "reminted + retired + burnBudget + iouFunded + treasuryAccrued != burned"
    );
    let genesis = ct(GENESIS_SUPPLY_CT);
    ensure!(
        es.initialReserve == token.cap().call().await? - genesis,
        "initial reserve != cap - genesis supply"
    );

    // Supply from events.
    let p = &demo.chain.provider;
    let (mut minted, mut burned, mut slash_burned_logs, mut bond_burned_logs, mut buyer_burns) =
        (U256::ZERO, U256::ZERO, U256::ZERO, U256::ZERO, U256::ZERO);
    for t in events::<IComputeToken::Transfer>(p, d.token).await? {
        if t.from == Address::ZERO {
            minted += t.value;
        }
        if t.to == Address::ZERO {
            burned += t.value;
            if t.from == d.registry {
                slash_burned_logs += t.value;
            } else if t.from == d.escrow {
                bond_burned_logs += t.value;
            } else {
                buyer_burns += t.value;
            }
        }
    }
    let total = |amounts: Vec<U256>| amounts.into_iter().fold(U256::ZERO, |a, b| a + b);
    let slash_burned = total(
        events::<IProviderRegistry::Slashed>(p, d.registry)
            .await?
            .into_iter()
            .map(|e| e.burned)
            .collect(),
    );
    let bond_burned = total(
        events::<IJobEscrow::BondReleased>(p, d.escrow)
            .await?
            .into_iter()
            .filter(|e| e.burned)
            .map(|e| e.amount)
            .collect(),
    );
    let treasury_emission = total(
        events::<IEmissions::EpochFinalized>(p, d.emissions)
            .await?
            .into_iter()
            .map(|e| e.treasuryAmount)
            .collect(),
    );
    let rewards_claimed = total(
        events::<IEmissions::RewardsClaimed>(p, d.emissions)
            .await?
            .into_iter()
            .map(|e| e.amount)
            .collect(),
    );
    let stake_rewards_claimed = total(
        events::<IEmissions::StakeRewardsClaimed>(p, d.emissions)
            .await?
            .into_iter()
            .map(|e| e.amount)
            .collect(),
    );
    let treasury_fees_claimed = total(
        events::<IBmeController::TreasuryClaimed>(p, d.controller)
            .await?
            .into_iter()
            .map(|e| e.amount)
            .collect(),
    );
    // The constructor's genesis mint is a Transfer from zero too.
    ensure!(minted >= genesis, "missing the genesis mint event");
    let minted = minted - genesis;
    ensure!(
        genesis + minted - burned == total_supply,
        "genesis + minted - burned (events) != totalSupply"
    );
    ensure!(
        buyer_burns == cs.burned,
        "CT burned by buyers (events) {} != controller burned {}",
        buyer_burns,
        cs.burned
    );
    ensure!(
        slash_burned_logs == slash_burned,
        "slash burns: Transfer events != Slashed events"
    );
    ensure!(
        bond_burned_logs == bond_burned,
        "bond burns: Transfer events != BondReleased events"
    );
    let emission_mints = treasury_emission + rewards_claimed + stake_rewards_claimed;
    ensure!(
        minted == cs.reminted + cs.mintedFromReserve + emission_mints,
        "minted {} != reminted {} (incl. treasury fee claims {}) + fromReserve {} + treasury emission {} + work rewards {} + stake rewards {}",
        minted,
        cs.reminted,
        treasury_fees_claimed,
        cs.mintedFromReserve,
        treasury_emission,
        rewards_claimed,
        stake_rewards_claimed
    );
    ensure!(
        total_supply
            == genesis - cs.burned + cs.reminted + cs.mintedFromReserve + emission_mints
                - slash_burned
                - bond_burned,
        "totalSupply does not reconcile"
    );
    ensure!(
        slash_burned > U256::ZERO
            && bond_burned > U256::ZERO
            && rewards_claimed > U256::ZERO
            && stake_rewards_claimed > U256::ZERO
            && treasury_fees_claimed > U256::ZERO,
        "expected a slash, a burned bond, claimed work and stake rewards and a treasury claim"
    );

    let mut accounts = Vec::new();
    for (name, a) in std::iter::once(("deployer/treasury", me))
        .chain(names.iter().copied().zip(addrs.iter().copied()))
    {
        let info = reg.providerInfo(a).call().await?;
        accounts.push(AccountRow {
            name: name.to_string(),
            address: a,
            ct: token.balanceOf(a).call().await?,
            credits: ctl.creditBalanceOf(a).call().await?,
            locked_credits: ctl.lockedCreditsOf(a).call().await?,
            active_stake: info.activeStake,
            locked_stake: info.lockedStake,
            completed_failed: (info.completedJobs, info.failedJobs),
            eligible: reg.isEligible(a).call().await?,
        });
    }
    let mut jobs = Vec::new();
    for (id, scenario, r, pr) in demo.jobs.clone() {
        let j = esc.job(id).call().await?;
        jobs.push(JobRow {
            id,
            scenario,
            requester: demo.name(r),
            provider: demo.name(if pr.is_zero() || pr == d.market {
                j.provider
            } else {
                pr
            }),
            state: j.state,
        });
    }
    ensure!(jobs.len() >= 12, "expected at least 12 jobs");
    Ok(Reconciled {
        epochs: rows,
        accounts,
        jobs,
        totals: Totals {
            controller_supply_stats: crate::bindings::controller_supply(&cs),
            emissions_supply_stats: crate::bindings::emissions_supply(&es),
            total_supply,
            genesis_supply: genesis,
            minted_events: minted,
            burned_events: burned,
            slash_burned,
            bond_burned,
            treasury_emission,
            rewards_claimed,
            stake_rewards_claimed,
            treasury_fees_claimed,
        },
    })
}

/// Every `E` log `address` emitted since block 0, decoded; a log that does not decode is an error
/// (the reconciliation must not skip one).
async fn events<E: SolEvent>(p: &impl Provider, address: Address) -> eyre::Result<Vec<E>> {
    let logs = p
        .get_logs(
            &Filter::new()
                .address(address)
                .event_signature(E::SIGNATURE_HASH)
                .from_block(0),
        )
        .await?;
    logs.iter()
        .map(|l| Ok(E::decode_log_data(l.data())?))
        .collect()
}
