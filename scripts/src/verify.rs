//! Reading a deployment back from the chain and checking it: every role grant, every wiring
//! address, the epoch length, the parameters (docs/protocol.md §11).
use std::collections::BTreeMap;

use alloy::primitives::{B256, U256};
use eyre::{bail, eyre};

use crate::bindings::*;
use crate::chain::Chain;
use crate::deploy::{
    param_name, role, Deployment, CONTROLLER_PARAMS, EMISSIONS_PARAMS, ESCROW_PARAMS,
    MARKET_PARAMS, REGISTRY_PARAMS,
};
use crate::governance::{role_holders, role_name};
use crate::units::ct;

/// Reads back and checks every role, wiring address and parameter; returns the parameters.
pub async fn verify(
    chain: &Chain,
    d: &Deployment,
    epoch_length: u64,
) -> eyre::Result<BTreeMap<String, BTreeMap<String, String>>> {
    let p = &chain.provider;
    let mut problems = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            problems.push(what);
        }
    };
    for g in &d.roles {
        let addr = d
            .address_of(&g.contract)
            .ok_or_else(|| eyre!("unknown contract {} in the role list", g.contract))?;
        let has = IComputeToken::new(addr, p)
            .hasRole(role(&g.role), g.account)
            .call()
            .await?;
        check(
            has,
            format!("{}: {} lacks {}", g.contract, g.account, g.role),
        );
    }
    let holder = d.governance_holder();
    for (name, rec) in &d.contracts {
        let has = IComputeToken::new(rec.address, p)
            .hasRole(B256::ZERO, holder)
            .call()
            .await?;
        check(
            has,
            format!("{name}: the governance holder {holder} lacks DEFAULT_ADMIN_ROLE"),
        );
        // After a handover the deployer holds nothing, whatever the logs show was ever granted.
        if holder != d.deployer {
            for (r, accounts) in role_holders(p, rec.address, rec.block).await? {
                check(
                    !accounts.contains(&d.deployer),
                    format!("{name}: the deployer still holds {}", role_name(r)),
                );
            }
        }
    }
    let c = IBmeController::new(d.controller, p);
    let wiring = c.contracts().call().await?;
    check(wiring.token == d.token, "controller.token".into());
    check(
        wiring.priceFeed == d.price_feed,
        "controller.priceFeed".into(),
    );
    check(
        wiring.sequencerFeed == d.sequencer_feed,
        "controller.sequencerFeed".into(),
    );
    check(wiring.treasury == d.treasury, "controller.treasury".into());
    check(
        wiring.emissions == d.emissions,
        "controller.emissions".into(),
    );
    let e = IEmissions::new(d.emissions, p);
    check(e.token().call().await? == d.token, "emissions.token".into());
    check(
        e.treasury().call().await? == d.treasury,
        "emissions.treasury".into(),
    );
    check(
        e.controller().call().await? == d.controller,
        "emissions.controller".into(),
    );
    let el: U256 = e.epochLength().call().await?;
    check(
        el == U256::from(epoch_length),
        format!("emissions.epochLength is {el}, expected {epoch_length}"),
    );
    check(
        IProviderRegistry::new(d.registry, p).token().call().await? == d.token,
        "registry.token".into(),
    );
    let wiring = IJobEscrow::new(d.escrow, p).contracts().call().await?;
    check(
        (wiring.controller, wiring.registry, wiring.token) == (d.controller, d.registry, d.token),
        "escrow.contracts".into(),
    );
    let m = IJobMarket::new(d.market, p);
    let wiring = m.contracts().call().await?;
    check(
        (wiring.escrow, wiring.registry) == (d.escrow, d.registry),
        "market.contracts".into(),
    );
    let t = IComputeToken::new(d.token, p);
    check(
        t.cap().call().await? == ct(1_000_000_000),
        "token.cap".into(),
    );
    if !problems.is_empty() {
        bail!("deployment verification failed: {}", problems.join("; "));
    }

    let mut params = BTreeMap::new();
    let mut read = BTreeMap::new();
    for n in CONTROLLER_PARAMS {
        read.insert(
            n.to_string(),
            c.parameter(param_name(n)).call().await?.to_string(),
        );
    }
    params.insert("controller".to_string(), std::mem::take(&mut read));
    for n in EMISSIONS_PARAMS {
        read.insert(
            n.to_string(),
            e.parameter(param_name(n)).call().await?.to_string(),
        );
    }
    read.insert("epochLength".into(), el.to_string());
    read.insert(
        "genesisTime".into(),
        e.genesisTime().call().await?.to_string(),
    );
    params.insert("emissions".to_string(), std::mem::take(&mut read));
    let r = IProviderRegistry::new(d.registry, p);
    for n in REGISTRY_PARAMS {
        read.insert(
            n.to_string(),
            r.parameter(param_name(n)).call().await?.to_string(),
        );
    }
    params.insert("registry".to_string(), std::mem::take(&mut read));
    let x = IJobEscrow::new(d.escrow, p);
    for n in ESCROW_PARAMS {
        read.insert(
            n.to_string(),
            x.parameter(param_name(n)).call().await?.to_string(),
        );
    }
    params.insert("escrow".to_string(), std::mem::take(&mut read));
    for n in MARKET_PARAMS {
        read.insert(
            n.to_string(),
            m.parameter(param_name(n)).call().await?.to_string(),
        );
    }
    params.insert("market".to_string(), std::mem::take(&mut read));
    // docs/protocol.md: unbondingPeriod ≥ challengeWindow + arbitrationWindow + 1 day.
    let get = |c: &str, n: &str| -> U256 { params[c][n].parse().unwrap_or_default() };
    let need =
        get("escrow", "challengeWindow") + get("escrow", "arbitrationWindow") + U256::from(86_400);
    if get("registry", "unbondingPeriod") < need {
        bail!(
            "registry.unbondingPeriod {} < escrow challenge + arbitration windows + 1 day ({need})",
            get("registry", "unbondingPeriod")
        );
    }
    read.insert("cap".into(), t.cap().call().await?.to_string());
    read.insert(
        "totalSupply".into(),
        t.totalSupply().call().await?.to_string(),
    );
    params.insert("token".to_string(), read);
    Ok(params)
}
