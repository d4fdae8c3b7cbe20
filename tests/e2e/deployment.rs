//! The deployment itself (`compute_market_scripts::deploy`): every contract live, constructed, and
//! wired as docs/protocol.md §11 says (ABI v2, with the JobMarket).

use alloy::primitives::{Address, B256, U256};
use compute_market_e2e::*;

#[tokio::test]
async fn wiring_and_parameters() {
    let env = Env::get().await;
    let a = env.addrs;
    assert_eq!(env.chain_id, 412_346);
    let t = env.token();
    assert_eq!(t.name().call().await.unwrap(), "Compute Token");
    assert_eq!(t.symbol().call().await.unwrap(), "CT");
    assert_eq!(t.decimals().call().await.unwrap(), 18);
    assert_eq!(t.cap().call().await.unwrap(), max_supply());
    assert_eq!(t.totalSupply().call().await.unwrap(), genesis_supply());
    assert_eq!(
        t.balanceOf(env.acc.treasury).call().await.unwrap(),
        genesis_supply()
    );

    let has = |c: Address, r: &str, who: Address| {
        let env = &env;
        let r: B256 = role(r);
        async move {
            // Every contract exposes the same AccessControl ABI; use the token binding on any address.
            compute_market_e2e::bindings::IComputeToken::new(c, env.provider.clone())
                .hasRole(r, who)
                .call()
                .await
                .unwrap()
        }
    };
    assert!(has(a.token, "MINTER_ROLE", a.controller).await);
    assert!(has(a.token, "MINTER_ROLE", a.emissions).await);
    assert!(!has(a.token, "MINTER_ROLE", env.acc.admin).await);
    assert!(has(a.emissions, "SETTLER_ROLE", a.controller).await);
    assert!(!has(a.emissions, "SETTLER_ROLE", a.escrow).await);
    assert!(has(a.emissions, "STAKE_REPORTER_ROLE", a.registry).await);
    assert!(!has(a.emissions, "STAKE_REPORTER_ROLE", env.acc.admin).await);
    assert!(has(a.controller, "ESCROW_ROLE", a.escrow).await);
    assert!(has(a.registry, "JOB_MANAGER_ROLE", a.escrow).await);
    assert!(has(a.registry, "SLASHER_ROLE", a.escrow).await);
    assert!(has(a.escrow, "ARBITRATOR_ROLE", env.acc.arbitrator).await);
    assert!(!has(a.escrow, "ARBITRATOR_ROLE", env.acc.admin).await);
    assert!(has(a.escrow, "MARKET_ROLE", a.market).await);
    assert!(!has(a.escrow, "MARKET_ROLE", env.acc.admin).await);
    // The attester defaults to the governance holder (the deployer on the dev chain).
    assert!(has(a.market, "ATTESTER_ROLE", env.acc.admin).await);
    for c in [a.controller, a.registry, a.escrow, a.market] {
        assert!(has(c, "PAUSER_ROLE", env.acc.admin).await);
        assert!(has(c, "PARAMETER_ADMIN_ROLE", env.acc.admin).await);
    }
    assert!(has(a.emissions, "PARAMETER_ADMIN_ROLE", env.acc.admin).await);
    assert!(has(a.price_feed, "FEEDER_ROLE", env.acc.admin).await);
    for c in [
        a.token,
        a.emissions,
        a.controller,
        a.registry,
        a.escrow,
        a.market,
        a.price_feed,
    ] {
        let admin_role = B256::ZERO;
        let yes = compute_market_e2e::bindings::IComputeToken::new(c, env.provider.clone())
            .hasRole(admin_role, env.acc.admin)
            .call()
            .await
            .unwrap();
        assert!(yes, "admin holds DEFAULT_ADMIN_ROLE on {c}");
    }

    let c = env.controller();
    let cc = c.contracts().call().await.unwrap();
    assert_eq!(
        (
            cc.token,
            cc.emissions,
            cc.priceFeed,
            cc.sequencerFeed,
            cc.treasury
        ),
        (
            a.token,
            a.emissions,
            a.price_feed,
            Address::ZERO,
            env.acc.treasury
        ),
        "controller.contracts(): no sequencer feed on the dev chain"
    );
    assert_eq!(c.price().call().await.unwrap(), price_wad());
    assert_eq!(
        c.parameter(param("feeBps")).call().await.unwrap(),
        U256::from(250)
    );
    let cs = env.escrow().contracts().call().await.unwrap();
    assert_eq!(
        (cs.controller, cs.registry, cs.token),
        (a.controller, a.registry, a.token)
    );
    assert_eq!(env.registry().token().call().await.unwrap(), a.token);
    let mc = env.job_market().contracts().call().await.unwrap();
    assert_eq!((mc.escrow, mc.registry), (a.escrow, a.registry));
    let em = env.emissions();
    assert_eq!(em.token().call().await.unwrap(), a.token);
    assert_eq!(em.treasury().call().await.unwrap(), env.acc.treasury);
    assert_eq!(
        em.controller().call().await.unwrap(),
        a.controller,
        "setController"
    );
    assert_eq!(
        em.epochLength().call().await.unwrap(),
        U256::from(EPOCH_LENGTH)
    );
    // Daily epochs keep the contract's default rates (a 4-year half-life).
    for name in ["emissionRateWad", "drawCapWad"] {
        assert_eq!(
            em.parameter(param(name)).call().await.unwrap(),
            U256::from(474_645_000_000_000u64),
            "{name}"
        );
    }
    assert_eq!(
        env.registry()
            .parameter(param("maxOpenJobs"))
            .call()
            .await
            .unwrap(),
        U256::from(64)
    );
    let s = em.supplyStats().call().await.unwrap();
    assert_eq!(
        s.initialReserve,
        max_supply() - genesis_supply(),
        "initial reserve = cap - supply"
    );
    assert_eq!(s.reserve, s.initialReserve);
    assert_eq!(
        (s.emitted, s.drawn, s.returned),
        (U256::ZERO, U256::ZERO, U256::ZERO)
    );
}
