//! Solidity interop: `examples/solidity/ComputeJobClient.sol`, compiled at test time with solc-js
//! (the npm `solc` pinned in package-lock.json) against the generated `abi/*.sol` interfaces,
//! deployed on the dev chain, and driven through a whole job: users buy credits through the dApp,
//! it opens a job on the Stylus escrow, a provider accepts and submits, the dApp approves, the
//! provider is paid in CT and the user's budget gets the unused credits back; then a reverse
//! auction on the JobMarket opened, awarded and approved through the dApp (the award's early unlock
//! booked back), and one cancelled.

use std::process::Command;

use alloy::network::TransactionBuilder;
use alloy::primitives::{keccak256, Address, Bytes, U256};
use alloy::rpc::types::TransactionRequest;
use alloy::sol;
use alloy::sol_types::SolValue;
use compute_market_e2e::bindings::{IBmeController, IJobEscrow, IJobMarket};
use compute_market_e2e::*;

sol! {
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    interface ComputeJobClient {
        struct Requirements {
            bytes32 gpuModel;
            uint32 minVramGiB;
            uint16 minSuccessBps;
            uint64 minCompletedJobs;
            uint256 minActiveStake;
            bool attestedOnly;
        }
        function market() external view returns (address);
        function openAuction(bytes32 specHash, uint32 gpuCount, uint64 maxDuration, uint256 maxPricePerGpuHour, uint64 bidWindow, Requirements calldata requirements) external returns (uint256 jobId);
        function award(uint256 jobId, address provider) external;
        function cancelAuction(uint256 jobId) external;
        function budgetOf(address user) external view returns (uint256);
        function ownerOf(uint256 jobId) external view returns (address);
        function lockedFor(uint256 jobId) external view returns (uint256);
        function buyCredits(uint256 tokenAmount, uint256 minCredits) external returns (uint256 credits);
        function createJob(address provider, bytes32 specHash, uint32 gpuCount, uint64 maxDuration, uint256 pricePerGpuHour) external returns (uint256 jobId);
        function approve(uint256 jobId) external;
        function cancel(uint256 jobId) external;
        function sync(uint256 jobId) external;
        event CreditsBought(address indexed user, uint256 tokens, uint256 credits);
        event JobOpened(address indexed user, uint256 indexed jobId, uint256 maxCost);
        event JobSettled(address indexed user, uint256 indexed jobId, uint256 cost, uint256 refunded);
        error NotJobOwner(uint256 jobId, address caller);
        error InsufficientBudget(address user, uint256 needed, uint256 available);
        error JobNotEnded(uint256 jobId, uint8 state);
        error UnknownJob(uint256 jobId);
        error TokenTransferFailed();
    }
}

/// No requirement on the bidders.
fn any_provider() -> ComputeJobClient::Requirements {
    ComputeJobClient::Requirements {
        gpuModel: alloy::primitives::B256::ZERO,
        minVramGiB: 0,
        minSuccessBps: 0,
        minCompletedJobs: 0,
        minActiveStake: U256::ZERO,
        attestedOnly: false,
    }
}

/// Compiles the example with `node examples/solidity/compile.mjs`, after installing the npm
/// packages when they are missing (`scripts/ensure-npm.sh`). Panics with the command to run by
/// hand when node, npm or the install fails.
fn compile() -> (serde_json::Value, Bytes) {
    let root = repo_root();
    if let Err(e) = compute_market_scripts::setup::npm_packages(&root) {
        panic!("{e:#}");
    }
    let out = Command::new("node")
        .arg(root.join("examples/solidity/compile.mjs"))
        .current_dir(&root)
        .output()
        .unwrap_or_else(|e| panic!("node examples/solidity/compile.mjs: {e} (install Node 20)"));
    assert!(
        out.status.success(),
        "solc failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &json["contracts"]["ComputeJobClient"];
    let code: Bytes = c["bytecode"].as_str().unwrap().parse().unwrap();
    (c["abi"].clone(), code)
}

#[tokio::test]
async fn solidity_dapp_drives_the_stylus_contracts() {
    let (abi, code) = compile();
    // The compiled ABI is the one the test binds to.
    let names: Vec<&str> = abi
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["name"].as_str())
        .collect();
    for f in [
        "buyCredits",
        "createJob",
        "openAuction",
        "award",
        "cancelAuction",
        "approve",
        "cancel",
        "sync",
        "budgetOf",
    ] {
        assert!(names.contains(&f), "{f} in {names:?}");
    }

    let env = Env::get().await;
    let (alice, bob, p1) = (env.acc.alice, env.acc.bob, env.acc.p1);
    env.register_provider(p1, 1, provider_stake())
        .await
        .unwrap();

    // Deploy ComputeJobClient(token, controller, escrow, market).
    let mut init = code.to_vec();
    init.extend(
        (
            env.addrs.token,
            env.addrs.controller,
            env.addrs.escrow,
            env.addrs.market,
        )
            .abi_encode_params(),
    );
    let tx = TransactionRequest::default()
        .with_from(env.acc.admin)
        .with_deploy_code(Bytes::from(init));
    let rc = send_tx(&env.provider, tx).await.unwrap();
    let dapp_addr = rc.contract_address.expect("created");
    let dapp = ComputeJobClient::new(dapp_addr, env.provider.clone());
    assert_eq!(dapp.market().call().await.unwrap(), env.addrs.market);
    let (t, c, e, m) = (
        env.token(),
        env.controller(),
        env.escrow(),
        env.job_market(),
    );

    // Alice and Bob buy credits through the dApp: the controller burns the dApp's CT and credits
    // the dApp (the escrow's requester will be the dApp); each user gets a budget.
    for (who, tokens) in [(alice, U256::from(100) * CT), (bob, U256::from(50) * CT)] {
        env.fund(who, tokens).await.unwrap();
        send(t.approve(dapp_addr, tokens).from(who)).await.unwrap();
        let rc = send(dapp.buyCredits(tokens, U256::from(1)).from(who))
            .await
            .unwrap();
        let bought = event::<ComputeJobClient::CreditsBought>(&rc).unwrap();
        let p = event::<IBmeController::CreditsPurchased>(&rc).unwrap();
        assert_eq!(
            (p.buyer, p.beneficiary, p.tokensBurned),
            (dapp_addr, dapp_addr, tokens)
        );
        assert_eq!((bought.user, bought.credits), (who, p.credits));
        assert_eq!(dapp.budgetOf(who).call().await.unwrap(), p.credits);
    }
    let alice_budget = dapp.budgetOf(alice).call().await.unwrap();
    assert_eq!(alice_budget, U256::from(199_500_000u64));
    let total = alice_budget + dapp.budgetOf(bob).call().await.unwrap();
    assert_eq!(c.creditBalanceOf(dapp_addr).call().await.unwrap(), total);
    assert_eq!(t.balanceOf(dapp_addr).call().await.unwrap(), U256::ZERO);

    // A controller error bubbles up through the dApp unchanged: slippage.
    env.fund(alice, CT).await.unwrap();
    send(t.approve(dapp_addr, CT).from(alice)).await.unwrap();
    assert_revert(
        send(dapp.buyCredits(CT, U256::from(10) * USD).from(alice)).await,
        IBmeController::BmeSlippage {
            _0: U256::from(1_995_000u64),
            _1: U256::from(10) * USD,
        },
    );

    // Alice opens a job through the dApp: 1 GPU × 2 h × 10 USD = 20 USD locked from the dApp's
    // credits and from alice's budget.
    let rc = send(
        dapp.createJob(
            Address::ZERO,
            keccak256(b"train"),
            1,
            7_200,
            U256::from(10) * USD,
        )
        .from(alice),
    )
    .await
    .unwrap();
    let created = event::<IJobEscrow::JobCreated>(&rc).unwrap();
    assert_eq!(created.requester, dapp_addr);
    let id = created.jobId;
    let opened = event::<ComputeJobClient::JobOpened>(&rc).unwrap();
    assert_eq!(
        (opened.user, opened.jobId, opened.maxCost),
        (alice, id, U256::from(20) * USD)
    );
    assert_eq!(
        dapp.budgetOf(alice).call().await.unwrap(),
        alice_budget - U256::from(20) * USD
    );
    assert_eq!(
        c.lockedCreditsOf(dapp_addr).call().await.unwrap(),
        U256::from(20) * USD
    );
    assert_eq!(dapp.ownerOf(id).call().await.unwrap(), alice);
    // Bob's budget (≈ 99.75 USD) cannot pay for a 200 USD job.
    let err = send(
        dapp.createJob(
            Address::ZERO,
            keccak256(b"big"),
            1,
            72_000,
            U256::from(10) * USD,
        )
        .from(bob),
    )
    .await;
    assert_revert(
        err,
        ComputeJobClient::InsufficientBudget {
            user: bob,
            needed: U256::from(200) * USD,
            available: U256::from(99_750_000u64),
        },
    );

    // The provider accepts and submits 1.5 h of work; only alice may approve.
    send(e.acceptJob(id).from(p1)).await.unwrap();
    send(e.submitResult(id, keccak256(b"weights"), 5_400).from(p1))
        .await
        .unwrap();
    assert_revert(
        send(dapp.approve(id).from(bob)).await,
        ComputeJobClient::NotJobOwner {
            jobId: id,
            caller: bob,
        },
    );
    let bal = t.balanceOf(p1).call().await.unwrap();
    let rc = send(dapp.approve(id).from(alice)).await.unwrap();
    let done = event::<IJobEscrow::JobCompleted>(&rc).unwrap();
    assert_eq!(
        (done.caller, done.cost, done.refunded),
        (dapp_addr, U256::from(15) * USD, U256::from(5) * USD)
    );
    let settled = event::<IBmeController::Settled>(&rc).unwrap();
    assert_eq!((settled.payer, settled.provider), (dapp_addr, p1));
    let booked = event::<ComputeJobClient::JobSettled>(&rc).unwrap();
    assert_eq!(
        (booked.user, booked.cost, booked.refunded),
        (alice, U256::from(15) * USD, U256::from(5) * USD)
    );
    // The provider was paid in CT: net 15 USD − 2.5% fee at $2/CT.
    assert_eq!(
        settled.tokensPaid,
        U256::from(73_125) * CT / U256::from(10_000)
    );
    assert_eq!(
        t.balanceOf(p1).call().await.unwrap(),
        bal + settled.tokensPaid
    );
    assert_eq!(
        dapp.budgetOf(alice).call().await.unwrap(),
        alice_budget - U256::from(15) * USD
    );
    assert_eq!(
        c.lockedCreditsOf(dapp_addr).call().await.unwrap(),
        U256::ZERO
    );
    assert_eq!(
        c.creditBalanceOf(dapp_addr).call().await.unwrap(),
        dapp.budgetOf(alice).call().await.unwrap() + dapp.budgetOf(bob).call().await.unwrap(),
        "the dApp's budgets add up to its credits"
    );

    // A reverse auction through the dApp: 1 GPU × 2 h at most 10 USD locks 20 USD of alice's
    // budget; p1 bids 6 USD; alice awards it through the dApp, which unlocks 20 − 12 USD at once.
    let before = dapp.budgetOf(alice).call().await.unwrap();
    let rc = send(
        dapp.openAuction(
            keccak256(b"auction"),
            1,
            7_200,
            U256::from(10) * USD,
            600,
            any_provider(),
        )
        .from(alice),
    )
    .await
    .unwrap();
    let created = event::<IJobMarket::AuctionCreated>(&rc).unwrap();
    assert_eq!(created.requester, dapp_addr);
    let auction = created.jobId;
    assert_eq!(
        event::<ComputeJobClient::JobOpened>(&rc).unwrap().maxCost,
        U256::from(20) * USD
    );
    assert_eq!(
        dapp.budgetOf(alice).call().await.unwrap(),
        before - U256::from(20) * USD
    );
    send(m.bid(auction, U256::from(6) * USD).from(p1))
        .await
        .unwrap();
    assert_revert(
        send(dapp.award(auction, p1).from(bob)).await,
        ComputeJobClient::NotJobOwner {
            jobId: auction,
            caller: bob,
        },
    );
    let rc = send(dapp.award(auction, p1).from(alice)).await.unwrap();
    let aw = event::<IJobMarket::AuctionAwarded>(&rc).unwrap();
    assert_eq!(
        (aw.provider, aw.pricePerGpuHour, aw.byRequester),
        (p1, U256::from(6) * USD, true)
    );
    let acc = event::<IJobEscrow::JobAccepted>(&rc).unwrap();
    assert_eq!(
        (acc.provider, acc.maxCost, acc.refunded),
        (p1, U256::from(12) * USD, U256::from(8) * USD)
    );
    send(e.submitResult(auction, keccak256(b"out"), 3_600).from(p1))
        .await
        .unwrap();
    let rc = send(dapp.approve(auction).from(alice)).await.unwrap();
    let booked = event::<ComputeJobClient::JobSettled>(&rc).unwrap();
    assert_eq!(
        (booked.user, booked.cost, booked.refunded),
        (alice, U256::from(6) * USD, U256::from(14) * USD),
        "the award's early unlock is booked back with the rest"
    );
    assert_eq!(
        dapp.budgetOf(alice).call().await.unwrap(),
        before - U256::from(6) * USD
    );
    // An auction bob cancels before an award gives his budget back.
    let rc = send(
        dapp.openAuction(
            keccak256(b"cancelled"),
            1,
            3_600,
            U256::from(5) * USD,
            600,
            any_provider(),
        )
        .from(bob),
    )
    .await
    .unwrap();
    let cancelled = event::<ComputeJobClient::JobOpened>(&rc).unwrap().jobId;
    let rc = send(dapp.cancelAuction(cancelled).from(bob)).await.unwrap();
    let booked = event::<ComputeJobClient::JobSettled>(&rc).unwrap();
    assert_eq!(
        (booked.user, booked.cost, booked.refunded),
        (bob, U256::ZERO, U256::from(5) * USD)
    );
    assert_eq!(
        dapp.budgetOf(bob).call().await.unwrap(),
        U256::from(99_750_000u64)
    );
    assert_eq!(
        c.creditBalanceOf(dapp_addr).call().await.unwrap(),
        dapp.budgetOf(alice).call().await.unwrap() + dapp.budgetOf(bob).call().await.unwrap(),
        "no job open: the budgets add up to the dApp's credits"
    );

    // A job nobody takes: after the accept window anyone cancels it on the escrow, and `sync`
    // books the refund into the user's budget.
    let rc = send(
        dapp.createJob(
            Address::ZERO,
            keccak256(b"x"),
            1,
            3_600,
            U256::from(10) * USD,
        )
        .from(bob),
    )
    .await
    .unwrap();
    let id2 = event::<ComputeJobClient::JobOpened>(&rc).unwrap().jobId;
    assert_revert(
        send(dapp.sync(id2).from(bob)).await,
        ComputeJobClient::JobNotEnded {
            jobId: id2,
            state: state::OPEN,
        },
    );
    env.warp(1_800).await.unwrap();
    send(e.cancelJob(id2).from(env.acc.eve)).await.unwrap();
    let rc = send(dapp.sync(id2).from(env.acc.eve)).await.unwrap();
    let booked = event::<ComputeJobClient::JobSettled>(&rc).unwrap();
    assert_eq!((booked.user, booked.refunded), (bob, U256::from(10) * USD));
    assert_eq!(
        dapp.budgetOf(bob).call().await.unwrap(),
        U256::from(99_750_000u64)
    );
    assert_eq!(dapp.lockedFor(id2).call().await.unwrap(), U256::ZERO);
}
