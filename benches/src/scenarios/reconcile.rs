//! Reconciling a run with the chain: the controller's per-epoch stats against its totals, reserve
//! mints against Emissions' draws, and the supply against the token's mint and burn events.
use super::*;

/// The chain-side totals the run was reconciled against.
#[derive(Clone, Debug, Default)]
pub struct Reconciliation {
    /// Controller totals (CT).
    pub burned_ct: f64,
    /// Re-minted.
    pub reminted_ct: f64,
    /// From the reserve.
    pub from_reserve_ct: f64,
    /// Retired.
    pub retired_ct: f64,
    /// Emissions: emitted.
    pub emitted_ct: f64,
    /// Final total supply.
    pub total_supply_ct: f64,
}

/// Every log of `address` with topic0 `sig` since block 0 (queried in windows of 10,000 blocks, the
/// dev chain's `eth_getLogs` limit).
pub(crate) async fn events_raw(
    env: &Env,
    address: Address,
    sig: B256,
) -> Result<Vec<alloy::rpc::types::Log>> {
    const WINDOW: u64 = 10_000;
    let head = env.provider.get_block_number().await?;
    let mut out = Vec::new();
    let mut from = 0u64;
    while from <= head {
        let to = (from + WINDOW - 1).min(head);
        out.extend(
            env.provider
                .get_logs(
                    &Filter::new()
                        .address(address)
                        .event_signature(sig)
                        .from_block(from)
                        .to_block(to),
                )
                .await?,
        );
        from = to + 1;
    }
    Ok(out)
}

pub(crate) async fn events<E: SolEvent>(env: &Env, address: Address) -> Result<Vec<E>> {
    events_raw(env, address, E::SIGNATURE_HASH)
        .await?
        .iter()
        .map(|l| Ok(E::decode_log_data(l.data())?))
        .collect()
}

pub(crate) fn sum(v: impl IntoIterator<Item = U256>) -> U256 {
    v.into_iter().fold(U256::ZERO, |a, b| a + b)
}

/// Reconciles the chain after a run of `epochs` epochs (plus the settle-up epoch), as
/// `compute-market demo` does: Σ per-epoch controller `epochStats` = `supplyStats` totals; the
/// controller's reserve mints = Emissions' draws; Emissions emitted − returned + drawn + reserve =
/// initialReserve; totalSupply = genesis − burns + mints from the token's Transfer events, and
/// the mints and burns explained by the controller's, Emissions', the registry's and the escrow's
/// events. Fails on the first mismatch.
pub async fn reconcile(env: &Env, epochs: u64) -> Result<Reconciliation> {
    let ctl = env.controller();
    let em = env.emissions();
    let token = env.token();
    let d = &env.d;
    let (mut burned, mut reminted, mut drawn, mut retired, mut emitted, mut em_drawn) = (
        U256::ZERO,
        U256::ZERO,
        U256::ZERO,
        U256::ZERO,
        U256::ZERO,
        U256::ZERO,
    );
    let last = em.nextEpochToFinalize().call().await?.to::<u64>();
    ensure!(
        last >= epochs,
        "simulated epoch {} is not finalised (next to finalise: {last})",
        epochs.saturating_sub(1)
    );
    for e in 0..=last {
        let c = ctl.epochStats(U256::from(e)).call().await?;
        burned += c.burned;
        reminted += c.reminted;
        drawn += c.mintedFromReserve;
        retired += c.feesBurned;
        let s = em.epochStats(U256::from(e)).call().await?;
        emitted += s.emitted;
        em_drawn += s.drawn;
        ensure!(
            s.workPool <= s.workCap,
            "epoch {e}: work pool {} above its cap {}",
            s.workPool,
            s.workCap
        );
    }
    let cs = ctl.supplyStats().call().await?;
    let es = em.supplyStats().call().await?;
    ensure!(
        burned == cs.burned,
        "Σ epochStats.burned {burned} != supplyStats.burned {}",
        cs.burned
    );
    ensure!(
        reminted == cs.reminted,
        "Σ reminted {reminted} != supplyStats.reminted {}",
        cs.reminted
    );
    ensure!(
        drawn == cs.mintedFromReserve && cs.mintedFromReserve == es.drawn && em_drawn == es.drawn,
        "reserve draws: Σ controller {drawn}, controller total {}, Emissions total {}, Σ Emissions {em_drawn}",
        cs.mintedFromReserve,
        es.drawn
    );
    ensure!(
        retired == cs.retired,
        "Σ feesBurned {retired} != supplyStats.retired {}",
        cs.retired
    );
    ensure!(
        emitted == es.emitted,
        "Σ emitted {emitted} != Emissions emitted {}",
        es.emitted
    );
    ensure!(
        es.emitted - es.returned + es.drawn + es.reserve == es.initialReserve,
        "Emissions: emitted − returned + drawn + reserve != initialReserve"
    );
    ensure!(
        cs.reminted + cs.retired + cs.burnBudget + cs.iouFunded + cs.treasuryAccrued == cs.burned,
        "controller: reminted + retired + burnBudget + iouFunded + treasuryAccrued != burned"
    );
    let genesis = U256::from(GENESIS_CT) * CT;
    ensure!(
        es.initialReserve == token.cap().call().await? - genesis,
        "initial reserve != cap − genesis supply"
    );
    let total_supply = token.totalSupply().call().await?;
    let (mut minted_ev, mut burned_ev, mut buyer_burns) = (U256::ZERO, U256::ZERO, U256::ZERO);
    for t in events::<IComputeToken::Transfer>(env, d.token).await? {
        if t.from == Address::ZERO {
            minted_ev += t.value;
        }
        if t.to == Address::ZERO {
            burned_ev += t.value;
            if t.from != d.registry && t.from != d.escrow {
                buyer_burns += t.value;
            }
        }
    }
    ensure!(minted_ev >= genesis, "missing the genesis mint event");
    let minted_ev = minted_ev - genesis;
    ensure!(
        genesis + minted_ev - burned_ev == total_supply,
        "genesis + minted − burned (Transfer events) != totalSupply"
    );
    ensure!(
        buyer_burns == cs.burned,
        "CT burned by buyers (events) {buyer_burns} != controller burned {}",
        cs.burned
    );
    let slash_burned = sum(events::<IProviderRegistry::Slashed>(env, d.registry)
        .await?
        .into_iter()
        .map(|e| e.burned));
    let bond_burned = sum(events::<IJobEscrow::BondReleased>(env, d.escrow)
        .await?
        .into_iter()
        .filter(|e| e.burned)
        .map(|e| e.amount));
    let emission_mints = sum(events::<IEmissions::EpochFinalized>(env, d.emissions)
        .await?
        .into_iter()
        .map(|e| e.treasuryAmount))
        + sum(events::<IEmissions::RewardsClaimed>(env, d.emissions)
            .await?
            .into_iter()
            .map(|e| e.amount))
        + sum(events::<IEmissions::StakeRewardsClaimed>(env, d.emissions)
            .await?
            .into_iter()
            .map(|e| e.amount));
    ensure!(
        burned_ev == cs.burned + slash_burned + bond_burned,
        "burns (events) != buyers' + slashes' + bonds'"
    );
    ensure!(
        minted_ev == cs.reminted + cs.mintedFromReserve + emission_mints,
        "minted (events) {minted_ev} != reminted {} + fromReserve {} + emission mints {emission_mints}",
        cs.reminted,
        cs.mintedFromReserve
    );
    Ok(Reconciliation {
        burned_ct: ct_f(cs.burned),
        reminted_ct: ct_f(cs.reminted),
        from_reserve_ct: ct_f(cs.mintedFromReserve),
        retired_ct: ct_f(cs.retired),
        emitted_ct: ct_f(es.emitted),
        total_supply_ct: ct_f(total_supply),
    })
}
