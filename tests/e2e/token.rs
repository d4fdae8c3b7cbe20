//! ComputeToken: ERC-20 transfers and allowances with their ERC-6093 errors, EIP-2612 permit with
//! real EIP-712 signatures, burn/burnFrom, and the mint path (only the controller and the
//! emissions contract hold `MINTER_ROLE`; the cap holds for them too).

use alloy::primitives::{Address, U256};
use compute_market_e2e::bindings::IComputeToken;
use compute_market_e2e::*;

#[tokio::test]
async fn transfer_approve_transfer_from_and_errors() {
    let env = Env::get().await;
    let t = env.token();
    let (alice, bob, eve) = (env.acc.alice, env.acc.bob, env.acc.eve);
    let rc = env.fund(alice, U256::from(100) * CT).await.unwrap();
    let ev = event::<IComputeToken::Transfer>(&rc).unwrap();
    assert_eq!(
        (ev.from, ev.to, ev.value),
        (env.acc.treasury, alice, U256::from(100) * CT)
    );

    // ERC20InsufficientBalance(sender, balance, needed)
    assert_revert(
        send(t.transfer(bob, U256::from(101) * CT).from(alice)).await,
        IComputeToken::ERC20InsufficientBalance {
            _0: alice,
            _1: U256::from(100) * CT,
            _2: U256::from(101) * CT,
        },
    );
    // ERC20InvalidReceiver(0)
    assert_revert(
        send(t.transfer(Address::ZERO, CT).from(alice)).await,
        IComputeToken::ERC20InvalidReceiver(Address::ZERO),
    );
    // ERC20InvalidSpender(0)
    assert_revert(
        send(t.approve(Address::ZERO, CT).from(alice)).await,
        IComputeToken::ERC20InvalidSpender(Address::ZERO),
    );

    let rc = send(t.approve(eve, U256::from(10) * CT).from(alice))
        .await
        .unwrap();
    let ev = event::<IComputeToken::Approval>(&rc).unwrap();
    assert_eq!(
        (ev.owner, ev.spender, ev.value),
        (alice, eve, U256::from(10) * CT)
    );
    // ERC20InsufficientAllowance(spender, allowance, needed)
    assert_revert(
        send(t.transferFrom(alice, bob, U256::from(11) * CT).from(eve)).await,
        IComputeToken::ERC20InsufficientAllowance {
            _0: eve,
            _1: U256::from(10) * CT,
            _2: U256::from(11) * CT,
        },
    );
    send(t.transferFrom(alice, bob, U256::from(4) * CT).from(eve))
        .await
        .unwrap();
    assert_eq!(
        t.allowance(alice, eve).call().await.unwrap(),
        U256::from(6) * CT
    );
    assert_eq!(t.balanceOf(bob).call().await.unwrap(), U256::from(4) * CT);

    // Infinite allowance is not decreased by transferFrom.
    send(t.approve(eve, U256::MAX).from(alice)).await.unwrap();
    send(t.transferFrom(alice, bob, CT).from(eve))
        .await
        .unwrap();
    assert_eq!(t.allowance(alice, eve).call().await.unwrap(), U256::MAX);
}

#[tokio::test]
async fn burn_and_burn_from() {
    let env = Env::get().await;
    let t = env.token();
    let (alice, eve) = (env.acc.alice, env.acc.eve);
    env.fund(alice, U256::from(10) * CT).await.unwrap();
    let supply = t.totalSupply().call().await.unwrap();
    let rc = send(t.burn(U256::from(3) * CT).from(alice)).await.unwrap();
    let ev = event::<IComputeToken::Transfer>(&rc).unwrap();
    assert_eq!(
        (ev.from, ev.to, ev.value),
        (alice, Address::ZERO, U256::from(3) * CT)
    );
    assert_eq!(
        t.totalSupply().call().await.unwrap(),
        supply - U256::from(3) * CT
    );

    assert_revert(
        send(t.burnFrom(alice, CT).from(eve)).await,
        IComputeToken::ERC20InsufficientAllowance {
            _0: eve,
            _1: U256::ZERO,
            _2: CT,
        },
    );
    send(t.approve(eve, CT).from(alice)).await.unwrap();
    send(t.burnFrom(alice, CT).from(eve)).await.unwrap();
    assert_eq!(t.balanceOf(alice).call().await.unwrap(), U256::from(6) * CT);
    assert_eq!(
        t.totalSupply().call().await.unwrap(),
        supply - U256::from(4) * CT
    );
    assert_revert(
        send(t.burn(U256::from(7) * CT).from(alice)).await,
        IComputeToken::ERC20InsufficientBalance {
            _0: alice,
            _1: U256::from(6) * CT,
            _2: U256::from(7) * CT,
        },
    );
}

#[tokio::test]
async fn mint_only_by_controller_and_emissions() {
    let env = Env::get().await;
    let t = env.token();
    let minter = role("MINTER_ROLE");
    assert_eq!(t.MINTER_ROLE().call().await.unwrap(), minter);
    for who in [
        env.acc.admin,
        env.acc.eve,
        env.addrs.escrow,
        env.addrs.registry,
    ] {
        if who == env.addrs.escrow || who == env.addrs.registry {
            env.impersonate(who).await.unwrap();
            let p = env.unsigned_provider().unwrap();
            let r = send(
                IComputeToken::new(env.addrs.token, &p)
                    .mint(who, CT)
                    .from(who),
            )
            .await;
            assert_revert(
                r,
                IComputeToken::AccessControlUnauthorizedAccount {
                    _0: who,
                    _1: minter,
                },
            );
        } else {
            assert_revert(
                send(t.mint(who, CT).from(who)).await,
                IComputeToken::AccessControlUnauthorizedAccount {
                    _0: who,
                    _1: minter,
                },
            );
        }
    }
    // The two minters can (impersonated here; in production only through their own logic), and the
    // cap binds them: ERC20ExceededCap(increasedSupply, cap).
    let p = env.unsigned_provider().unwrap();
    for minter in [env.addrs.controller, env.addrs.emissions] {
        env.impersonate(minter).await.unwrap();
        let tk = IComputeToken::new(env.addrs.token, &p);
        let before = t.balanceOf(env.acc.eve).call().await.unwrap();
        let rc = send(tk.mint(env.acc.eve, CT).from(minter)).await.unwrap();
        let ev = event::<IComputeToken::Transfer>(&rc).unwrap();
        assert_eq!((ev.from, ev.to, ev.value), (Address::ZERO, env.acc.eve, CT));
        assert_eq!(t.balanceOf(env.acc.eve).call().await.unwrap(), before + CT);
        let supply = t.totalSupply().call().await.unwrap();
        let too_much = max_supply() - supply + U256::from(1);
        assert_revert(
            send(tk.mint(env.acc.eve, too_much).from(minter)).await,
            IComputeToken::ERC20ExceededCap {
                _0: supply + too_much,
                _1: max_supply(),
            },
        );
    }
    // Grant/revoke is the admin's alone.
    assert_revert(
        send(t.grantRole(minter, env.acc.eve).from(env.acc.eve)).await,
        IComputeToken::AccessControlUnauthorizedAccount {
            _0: env.acc.eve,
            _1: alloy::primitives::B256::ZERO,
        },
    );
}

#[tokio::test]
async fn permit_with_real_signatures() {
    let env = Env::get().await;
    let t = env.token();
    let (alice, bob, eve) = (env.acc.alice, env.acc.bob, env.acc.eve);
    env.fund(alice, U256::from(50) * CT).await.unwrap();

    // The on-chain domain is the one we sign with.
    let domain = env.permit_domain();
    assert_eq!(
        t.DOMAIN_SEPARATOR().call().await.unwrap(),
        domain.separator()
    );
    let d = t.eip712Domain().call().await.unwrap();
    assert_eq!(d.name, "Compute Token");
    assert_eq!(d.version, "1");
    assert_eq!(d.chainId, U256::from(env.chain_id));
    assert_eq!(d.verifyingContract, env.addrs.token);

    let deadline = U256::from(env.now().await.unwrap() + 3_600);
    let value = U256::from(20) * CT;
    let sig = env.sign_permit(alice, bob, value, deadline).await.unwrap();
    // Anyone may submit the signature.
    let rc = send(
        t.permit(alice, bob, value, deadline, sig.v, sig.r, sig.s)
            .from(eve),
    )
    .await
    .unwrap();
    let ev = event::<IComputeToken::Approval>(&rc).unwrap();
    assert_eq!((ev.owner, ev.spender, ev.value), (alice, bob, value));
    assert_eq!(t.allowance(alice, bob).call().await.unwrap(), value);
    assert_eq!(t.nonces(alice).call().await.unwrap(), U256::from(1));
    send(t.transferFrom(alice, bob, value).from(bob))
        .await
        .unwrap();

    // Replaying it: the nonce moved on, so the digest recovers to someone else.
    let r = send(
        t.permit(alice, bob, value, deadline, sig.v, sig.r, sig.s)
            .from(eve),
    )
    .await;
    let err = r.unwrap_err();
    let e = err
        .as_decoded_error::<IComputeToken::ERC2612InvalidSigner>()
        .expect("ERC2612InvalidSigner");
    assert_eq!(e._1, alice);
    assert_ne!(e._0, alice);

    // Signed by the wrong key.
    let sig = env
        .sign_permit_with(&env.signer(eve), alice, bob, value, deadline)
        .await
        .unwrap();
    assert_revert(
        send(
            t.permit(alice, bob, value, deadline, sig.v, sig.r, sig.s)
                .from(eve),
        )
        .await,
        IComputeToken::ERC2612InvalidSigner { _0: eve, _1: alice },
    );

    // Expired: ERC2612ExpiredSignature(deadline).
    let past = U256::from(env.now().await.unwrap() - 1);
    let sig = env.sign_permit(alice, bob, value, past).await.unwrap();
    assert_revert(
        send(
            t.permit(alice, bob, value, past, sig.v, sig.r, sig.s)
                .from(eve),
        )
        .await,
        IComputeToken::ERC2612ExpiredSignature(past),
    );
    // Nothing changed after the failures.
    assert_eq!(t.nonces(alice).call().await.unwrap(), U256::from(1));
}
