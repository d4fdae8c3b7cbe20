//! Deploys the whole system on an in-process devnet, reruns the deploy (must send nothing and
//! keep every address), then reads it back with `status` and checks the code on chain against the
//! local build.
#![allow(clippy::unwrap_used, missing_docs)]

use alloy::primitives::U256;
use alloy::providers::{Provider, ProviderBuilder};
use compute_market_scripts::bindings::IComputeToken;
use compute_market_scripts::{deploy, status};

/// Quiet deploy options writing to `dir`, with prebuilt wasm when `COMPUTE_MARKET_WASM_DIR` is set.
fn options(dir: &std::path::Path) -> deploy::DeployOptions {
    deploy::DeployOptions {
        deployments_dir: Some(dir.to_path_buf()),
        wasm_dir: std::env::var_os("COMPUTE_MARKET_WASM_DIR").map(Into::into),
        quiet: true,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_is_idempotent_and_status_reads_it() {
    let node = devnet::spawn(devnet::NodeConfig::test()).await.unwrap();
    let signer = node.dev_signers()[0].clone();
    let me = signer.address();
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path());
    let first = deploy::deploy(&node.url(), signer.clone(), &opts)
        .await
        .unwrap();
    assert_eq!(first.chain_id, 412_346);
    assert_eq!(first.contracts.len(), 7);
    assert!(first.contracts.contains_key("market"));
    assert_eq!(first.contracts["market"].address, first.market);
    assert_eq!(
        first.attester, me,
        "the attester defaults to the governance holder"
    );
    assert!(first.used_stylus_deployer);
    for rec in first.contracts.values() {
        assert_eq!(rec.tx_hashes.len(), 1, "one StylusDeployer tx per program");
        assert!(rec.gas_used > 0);
    }
    // Every role was granted by a transaction of its own, except what the constructors grant
    // the deployer (every DEFAULT_ADMIN_ROLE, the feed's FEEDER_ROLE): on the dev chain it keeps them.
    for g in &first.roles {
        let by_constructor = g.role == "DEFAULT_ADMIN_ROLE" || g.role == "FEEDER_ROLE";
        assert_eq!(g.tx_hash.is_none(), by_constructor, "{g:?}");
        if by_constructor {
            assert_eq!(g.account, me);
        }
    }
    // ROLE_TABLE: 27 rows (v2 adds STAKE_REPORTER_ROLE, MARKET_ROLE and the JobMarket's four).
    assert_eq!(first.roles.len(), 27);
    for (contract, role, account) in [
        ("emissions", "STAKE_REPORTER_ROLE", first.registry),
        ("escrow", "MARKET_ROLE", first.market),
        ("market", "ATTESTER_ROLE", me),
    ] {
        assert!(
            first
                .roles
                .iter()
                .any(|g| g.contract == contract && g.role == role && g.account == account),
            "{contract} {role} {account}"
        );
    }
    assert!(first.governance.is_none());
    assert_eq!(first.parameters["emissions"]["epochLength"], "3600");
    // Hour-long epochs get the hourly rate of the same 4-year half-life, not the daily default.
    assert_eq!(
        first.parameters["emissions"]["emissionRateWad"],
        deploy::emission_rate_for(3_600).to_string()
    );
    assert_eq!(
        first.parameters["emissions"]["emissionRateWad"],
        "19781401000000"
    );
    // Emissions applies parameter changes from the next epoch on: `parameter` reads the value set
    // (what epoch 1 and later use), and the reserve-draw cap follows the rate.
    assert_eq!(
        first.parameters["emissions"]["drawCapWad"],
        "19781401000000"
    );
    assert_eq!(first.parameters["market"]["closeWindow"], "1800");

    let p = ProviderBuilder::new().connect_http(node.url().parse().unwrap());
    let nonce = p.get_transaction_count(me).await.unwrap();
    let block = p.get_block_number().await.unwrap();

    let second = deploy::deploy(&node.url(), signer, &opts).await.unwrap();
    assert_eq!(
        p.get_transaction_count(me).await.unwrap(),
        nonce,
        "a rerun must send no transaction"
    );
    assert_eq!(p.get_block_number().await.unwrap(), block);
    assert_eq!(
        (
            second.price_feed,
            second.token,
            second.emissions,
            second.controller,
            second.registry,
            second.escrow,
            second.market
        ),
        (
            first.price_feed,
            first.token,
            first.emissions,
            first.controller,
            first.registry,
            first.escrow,
            first.market
        )
    );
    assert_eq!(second.contracts, first.contracts);
    assert_eq!(second.block, first.block);

    // Another epoch length cannot be set on the live Emissions (fixed at construction): the rerun
    // redeploys, and the new Emissions has the requested length.
    let daily = deploy::DeployOptions {
        epoch_length: Some(86_400),
        ..opts.clone()
    };
    let third = deploy::deploy(&node.url(), node.dev_signers()[0].clone(), &daily)
        .await
        .unwrap();
    assert_ne!(third.emissions, first.emissions);
    assert_eq!(third.parameters["emissions"]["epochLength"], "86400");
    assert_eq!(
        third.parameters["emissions"]["emissionRateWad"],
        "474645000000000"
    );
    assert!(p.get_transaction_count(me).await.unwrap() > nonce);

    // A revert comes back decoded into the custom error's name and arguments.
    let mut chain =
        deploy::Chain::connect(&node.url(), node.dev_signers()[0].clone(), vec![], false)
            .await
            .unwrap();
    let req = IComputeToken::new(first.token, &chain.provider)
        .burnFrom(first.escrow, U256::from(1))
        .into_transaction_request();
    let err = chain.send("burnFrom", req).await.unwrap_err().to_string();
    eprintln!("decoded: {err}");
    assert!(err.contains("ERC20InsufficientAllowance"), "{err}");

    let s = status::run(&node.url(), Some(dir.path()), false)
        .await
        .unwrap();
    assert!(s.contracts.iter().all(|c| c.2), "{:?}", s.contracts);

    // `status --verify-code`: the chain runs exactly the local build...
    let checks = status::verify_code(
        &node.url(),
        Some(dir.path()),
        opts.wasm_dir.as_deref(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(checks.len(), 7);
    assert!(checks.iter().all(|c| c.matches()), "{checks:?}");
    assert_eq!(checks[1].name, "token");
    assert_eq!(checks[1].address, third.token);
    // ... and a different wasm for one program is reported as a mismatch for that one only.
    let wasm = compute_market_scripts::wasm::load(opts.wasm_dir.as_deref()).unwrap();
    let other = tempfile::tempdir().unwrap();
    for (krate, bytes) in &wasm {
        let bytes = if krate == "compute-token" {
            &wasm["price-feed"]
        } else {
            bytes
        };
        std::fs::write(
            other
                .path()
                .join(format!("{}.wasm", krate.replace('-', "_"))),
            bytes,
        )
        .unwrap();
    }
    let checks = status::verify_code(&node.url(), Some(dir.path()), Some(other.path()), false)
        .await
        .unwrap();
    let differ: Vec<&str> = checks
        .iter()
        .filter(|c| !c.matches())
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(differ, ["token"]);
    assert!(s.price_wad.is_some());
    assert_eq!(s.emissions_supply[0], s.emissions_supply[1]);
    node.shutdown().await;
}

/// Without a StylusDeployer on the chain, deploy, activation and constructor would be three
/// transactions, and anyone could call a constructor first (issue 14): `deploy` refuses, says why
/// and what to do, and sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_a_chain_without_stylus_deployer() {
    let node = devnet::spawn(devnet::NodeConfig::test()).await.unwrap();
    let p = ProviderBuilder::new().connect_http(node.url().parse().unwrap());
    p.raw_request::<_, serde_json::Value>(
        "anvil_setCode".into(),
        (compute_market_scripts::bindings::STYLUS_DEPLOYER, "0x"),
    )
    .await
    .unwrap();
    let signer = node.dev_signers()[0].clone();
    let me = signer.address();
    let nonce = p.get_transaction_count(me).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = deploy::deploy(&node.url(), signer, &options(dir.path()))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("has no StylusDeployer at 0xcEcba2F1DC234f70Dd89F2041029807F8D03A990")
            && err.contains("anyone watching the chain could call the constructor")
            && err.contains("deploy it first"),
        "{err}"
    );
    assert_eq!(
        p.get_transaction_count(me).await.unwrap(),
        nonce,
        "nothing sent"
    );
    assert!(!dir.path().join("412346.json").exists());
    node.shutdown().await;
}
