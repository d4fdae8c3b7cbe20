//! BmeController: buying credits (the controller `burnFrom`s the buyer), after a token permit,
//! quotes, the oracle checks, the escrow-only ledger functions, and pausing.

use alloy::primitives::{Address, I256, U256};
use alloy::providers::Provider as _;
use compute_market_e2e::bindings::{IBmeController, IComputeToken};
use compute_market_e2e::*;

/// Credits bought with `tokens` at the deployment's price and the default 25 bps spread.
fn credits_for(tokens: U256) -> U256 {
    let gross = tokens * price_wad() / U256::from(10u64).pow(U256::from(30));
    gross * U256::from(9_975) / U256::from(10_000)
}

#[tokio::test]
async fn buy_credits_burns_from_the_buyer() {
    let env = Env::get().await;
    let (t, c) = (env.token(), env.controller());
    let (alice, bob) = (env.acc.alice, env.acc.bob);
    let tokens = U256::from(100) * CT;
    env.fund(alice, tokens).await.unwrap();
    send(t.approve(env.addrs.controller, tokens).from(alice))
        .await
        .unwrap();
    let supply = t.totalSupply().call().await.unwrap();
    let before = c.supplyStats().call().await.unwrap();
    assert_eq!(
        (before.burned, before.burnBudget, before.outstandingCredits),
        (U256::ZERO, U256::ZERO, U256::ZERO),
        "nothing bought yet"
    );

    let expected = credits_for(tokens);
    assert_eq!(
        expected,
        U256::from(199_500_000u64),
        "100 CT at $2 less 0.25%"
    );
    // minCredits above what the price gives: BmeSlippage(credits, minCredits).
    assert_revert(
        send(
            c.buyCredits(tokens, expected + U256::from(1), bob)
                .from(alice),
        )
        .await,
        IBmeController::BmeSlippage {
            _0: expected,
            _1: expected + U256::from(1),
        },
    );
    // A static call returns the credits; the beneficiary (bob) gets them, the buyer pays.
    assert_eq!(
        c.buyCredits(tokens, expected, bob)
            .from(alice)
            .call()
            .await
            .unwrap(),
        expected
    );
    let rc = send(c.buyCredits(tokens, expected, bob).from(alice))
        .await
        .unwrap();
    let ev = event::<IBmeController::CreditsPurchased>(&rc).unwrap();
    assert_eq!(
        (
            ev.buyer,
            ev.beneficiary,
            ev.tokensBurned,
            ev.credits,
            ev.price
        ),
        (alice, bob, tokens, expected, price_wad())
    );
    // The burn is the token's own Transfer(buyer → 0), emitted by the token inside this tx.
    let burns = events::<IComputeToken::Transfer>(&rc);
    assert_eq!(burns.len(), 1);
    assert_eq!(burns[0].0, env.addrs.token);
    assert_eq!(
        (burns[0].1.from, burns[0].1.to, burns[0].1.value),
        (alice, Address::ZERO, tokens)
    );

    assert_eq!(t.balanceOf(alice).call().await.unwrap(), U256::ZERO);
    assert_eq!(
        t.allowance(alice, env.addrs.controller)
            .call()
            .await
            .unwrap(),
        U256::ZERO
    );
    assert_eq!(t.totalSupply().call().await.unwrap(), supply - tokens);
    assert_eq!(c.creditBalanceOf(bob).call().await.unwrap(), expected);
    assert_eq!(c.creditBalanceOf(alice).call().await.unwrap(), U256::ZERO);
    // ABI v2: the burn budget and outstanding credits are read from supplyStats.
    let s = c.supplyStats().call().await.unwrap();
    assert_eq!(s.burned, tokens, "cumulative burned");
    assert_eq!(
        s.burnBudget, tokens,
        "no IOU waits: the whole burn joins the budget"
    );
    assert_eq!(s.outstandingCredits, expected);
    assert_eq!(
        (
            s.reminted,
            s.retired,
            s.owed,
            s.iouFunded,
            s.treasuryAccrued
        ),
        (U256::ZERO, U256::ZERO, U256::ZERO, U256::ZERO, U256::ZERO)
    );
    // The epoch's burn-side figures count the burn.
    let epoch = env.emissions().currentEpoch().call().await.unwrap();
    assert_eq!(c.epochStats(epoch).call().await.unwrap().burned, tokens);
    // Quotes at the feed price, no spread: 200 USD of credits is 100 CT at $2.
    assert_eq!(
        c.quoteTokens(U256::from(200_000_000u64))
            .call()
            .await
            .unwrap(),
        tokens
    );
    assert_eq!(
        c.quoteTokens(U256::from(1)).call().await.unwrap(),
        U256::from(500_000_000_000u64)
    );
}

#[tokio::test]
async fn buy_credits_errors() {
    let env = Env::get().await;
    let (t, c) = (env.token(), env.controller());
    let alice = env.acc.alice;
    env.fund(alice, U256::from(10) * CT).await.unwrap();
    // No allowance: the token's error comes back wrapped in CallFailed(token, reason).
    assert_call_failed(
        send(c.buyCredits(CT, U256::ZERO, alice).from(alice)).await,
        env.addrs.token,
        IComputeToken::ERC20InsufficientAllowance {
            _0: env.addrs.controller,
            _1: U256::ZERO,
            _2: CT,
        },
    );
    send(t.approve(env.addrs.controller, U256::MAX).from(alice))
        .await
        .unwrap();
    // Too little to buy one credit unit.
    assert_revert(
        send(c.buyCredits(U256::from(1), U256::ZERO, alice).from(alice)).await,
        IBmeController::BmeZeroCredits {},
    );
    assert_revert(
        send(c.buyCredits(CT, U256::ZERO, Address::ZERO).from(alice)).await,
        IBmeController::BmeZeroAddress {},
    );

    // Pausing stops purchases (PAUSER_ROLE, held by the admin).
    let pauser = role("PAUSER_ROLE");
    assert_revert(
        send(c.pause().from(env.acc.eve)).await,
        IBmeController::AccessControlUnauthorizedAccount {
            _0: env.acc.eve,
            _1: pauser,
        },
    );
    assert!(c.hasRole(pauser, env.acc.admin).call().await.unwrap());
    send(c.pause().from(env.acc.admin)).await.unwrap();
    assert_revert(
        send(c.buyCredits(CT, U256::ZERO, alice).from(alice)).await,
        IBmeController::EnforcedPause {},
    );
    send(c.unpause().from(env.acc.admin)).await.unwrap();
    send(c.buyCredits(CT, U256::ZERO, alice).from(alice))
        .await
        .unwrap();
}

/// ABI v2 dropped `buyCreditsWithPermit`: a buyer without ETH for an `approve` signs an EIP-2612
/// permit for the controller, anyone relays it to the token, and the buyer's `buyCredits` burns
/// against that allowance. The controller still burns only from its caller.
#[tokio::test]
async fn buy_credits_after_a_permit() {
    let env = Env::get().await;
    let (t, c) = (env.token(), env.controller());
    let (alice, eve) = (env.acc.alice, env.acc.eve);
    let tokens = U256::from(40) * CT;
    env.fund(alice, tokens).await.unwrap();
    env.fund(eve, tokens).await.unwrap();
    let deadline = U256::from(env.now().await.unwrap() + 600);
    let sig = env
        .sign_permit(alice, env.addrs.controller, tokens, deadline)
        .await
        .unwrap();
    // Alice's signature does not make a permit of eve's: ERC2612InvalidSigner(signer, owner).
    let err = send(
        t.permit(
            eve,
            env.addrs.controller,
            tokens,
            deadline,
            sig.v,
            sig.r,
            sig.s,
        )
        .from(eve),
    )
    .await
    .unwrap_err();
    let inner = err
        .as_decoded_error::<IComputeToken::ERC2612InvalidSigner>()
        .expect("ERC2612InvalidSigner");
    assert_eq!(inner._1, eve);

    // Eve relays alice's permit: the allowance is alice's for the controller.
    let rc = send(
        t.permit(
            alice,
            env.addrs.controller,
            tokens,
            deadline,
            sig.v,
            sig.r,
            sig.s,
        )
        .from(eve),
    )
    .await
    .unwrap();
    let ap = event::<IComputeToken::Approval>(&rc).unwrap();
    assert_eq!(
        (ap.owner, ap.spender, ap.value),
        (alice, env.addrs.controller, tokens)
    );
    assert_eq!(t.nonces(alice).call().await.unwrap(), U256::from(1));
    // Eve cannot spend it: the controller burns from its caller, and eve approved nothing.
    assert_call_failed(
        send(c.buyCredits(tokens, U256::ZERO, eve).from(eve)).await,
        env.addrs.token,
        IComputeToken::ERC20InsufficientAllowance {
            _0: env.addrs.controller,
            _1: U256::ZERO,
            _2: tokens,
        },
    );
    assert_eq!(t.balanceOf(eve).call().await.unwrap(), tokens);

    let rc = send(c.buyCredits(tokens, U256::ZERO, alice).from(alice))
        .await
        .unwrap();
    let ev = event::<IBmeController::CreditsPurchased>(&rc).unwrap();
    assert_eq!(ev.credits, credits_for(tokens));
    assert_eq!(
        ev.credits,
        U256::from(79_800_000u64),
        "40 CT at $2 less 0.25%"
    );
    assert_eq!(t.balanceOf(alice).call().await.unwrap(), U256::ZERO);
    assert_eq!(
        t.allowance(alice, env.addrs.controller)
            .call()
            .await
            .unwrap(),
        U256::ZERO
    );
    assert_eq!(
        c.creditBalanceOf(alice).call().await.unwrap(),
        credits_for(tokens)
    );
    // The permit is spent: replaying it fails (the nonce moved on).
    let err = send(
        t.permit(
            alice,
            env.addrs.controller,
            tokens,
            deadline,
            sig.v,
            sig.r,
            sig.s,
        )
        .from(eve),
    )
    .await
    .unwrap_err();
    assert!(
        err.as_decoded_error::<IComputeToken::ERC2612InvalidSigner>()
            .is_some(),
        "{err:?}"
    );
}

#[tokio::test]
async fn ledger_is_escrow_only() {
    let env = Env::get().await;
    let c = env.controller();
    let eve = env.acc.eve;
    let escrow_role = role("ESCROW_ROLE");
    assert!(c
        .hasRole(escrow_role, env.addrs.escrow)
        .call()
        .await
        .unwrap());
    assert!(!c.hasRole(escrow_role, env.acc.admin).call().await.unwrap());
    let unauthorized = IBmeController::AccessControlUnauthorizedAccount {
        _0: eve,
        _1: escrow_role,
    };
    assert_revert(
        send(c.lockCredits(eve, U256::from(1)).from(eve)).await,
        unauthorized.clone(),
    );
    assert_revert(
        send(c.unlockCredits(eve, U256::from(1)).from(eve)).await,
        unauthorized.clone(),
    );
    assert_revert(
        send(c.settle(eve, eve, U256::from(1), U256::ZERO).from(eve)).await,
        unauthorized,
    );

    // The escrow itself (impersonated) passes the role check and hits the ledger's own checks.
    env.impersonate(env.addrs.escrow).await.unwrap();
    let p = env.unsigned_provider().unwrap();
    let as_escrow = IBmeController::new(env.addrs.controller, &p);
    assert_revert(
        send(
            as_escrow
                .lockCredits(eve, U256::from(5))
                .from(env.addrs.escrow),
        )
        .await,
        IBmeController::BmeInsufficientCredits {
            _0: eve,
            _1: U256::ZERO,
            _2: U256::from(5),
        },
    );
    // settle checks the payer's locked credits against credits + refund, and a provider.
    assert_revert(
        send(
            as_escrow
                .settle(eve, eve, U256::from(3), U256::from(4))
                .from(env.addrs.escrow),
        )
        .await,
        IBmeController::BmeInsufficientCredits {
            _0: eve,
            _1: U256::ZERO,
            _2: U256::from(7),
        },
    );
    assert_revert(
        send(
            as_escrow
                .settle(eve, Address::ZERO, U256::from(3), U256::ZERO)
                .from(env.addrs.escrow),
        )
        .await,
        IBmeController::BmeZeroAddress {},
    );
    // Nothing owed, nothing accrued: the claims have nothing to pay.
    assert_revert(
        send(c.claimTreasury().from(eve)).await,
        IBmeController::BmeNothingToClaim {},
    );
    assert_revert(
        send(c.claimOwed(vec![U256::from(1)]).from(eve)).await,
        IBmeController::BmeNotIouOwner {
            _0: U256::from(1),
            _1: eve,
        },
    );
    assert_revert(
        send(c.claimOwed(vec![U256::ZERO; 33]).from(eve)).await,
        IBmeController::BmeTooManyIous {
            _0: U256::from(33),
            _1: U256::from(32),
        },
    );
}

#[tokio::test]
async fn oracle_checks() {
    let env = Env::get().await;
    let (c, f) = (env.controller(), env.feed());
    let alice = env.acc.alice;
    env.fund(alice, CT).await.unwrap();
    send(env.token().approve(env.addrs.controller, CT).from(alice))
        .await
        .unwrap();
    let round = f.latestRoundData().call().await.unwrap();
    // Older than maxPriceAge (600 s): BmeStalePrice(updatedAt, maxPriceAge).
    let _: i64 = env
        .provider
        .raw_request("evm_increaseTime".into(), (U256::from(601),))
        .await
        .unwrap();
    let _: String = env
        .provider
        .raw_request("evm_mine".into(), ())
        .await
        .unwrap();
    let stale = IBmeController::BmeStalePrice {
        _0: round.updatedAt,
        _1: U256::from(600),
    };
    assert_revert(c.price().call().await, stale.clone());
    assert_revert(
        send(c.buyCredits(CT, U256::ZERO, alice).from(alice)).await,
        stale,
    );
    // A non-positive answer: BmeInvalidPrice(answer).
    send(f.updateAnswer(I256::ZERO).from(env.acc.admin))
        .await
        .unwrap();
    assert_revert(
        c.price().call().await,
        IBmeController::BmeInvalidPrice(I256::ZERO),
    );
    // Only the feeder updates the feed.
    assert_revert(
        send(f.updateAnswer(I256::ONE).from(env.acc.eve)).await,
        compute_market_e2e::bindings::IManualPriceFeed::AccessControlUnauthorizedAccount {
            _0: env.acc.eve,
            _1: role("FEEDER_ROLE"),
        },
    );
    env.refresh_price().await.unwrap();
    assert_eq!(c.price().call().await.unwrap(), price_wad());
    send(c.buyCredits(CT, U256::ZERO, alice).from(alice))
        .await
        .unwrap();
}
