//! Unit tests of settlement: paying from the burn budget and splitting the fee, the reserve
//! fallback within its draw cap, IOUs in order, the callers and amounts refused, pausing, and a
//! failing Emissions contract. Fixtures are in the parent module.

use super::*;

// ---------------------------------------------------------------------------------------------
// Settlement
// ---------------------------------------------------------------------------------------------

fn settle(fx: &mut Fixture, credits: U256) -> U256 {
    fx.as_escrow(|b| b.lock_credits(BUYER, credits)).unwrap();
    fx.as_escrow(|b| b.settle(BUYER, PROVIDER, credits, U256::ZERO))
        .unwrap()
}

/// Invariant 2: `reminted + retired + budget + iouFunded + treasuryAccrued = burned`.
fn assert_budget_balances(fx: &Fixture) {
    let (burned, reminted, _, retired, _, iou_funded, treasury, budget, _) = fx.bme.supply_stats();
    assert_eq!(
        reminted + retired + budget + iou_funded + treasury,
        burned,
        "invariant 2"
    );
}

#[test]
fn settle_pays_from_the_burn_budget_and_splits_the_fee() {
    let mut fx = fixture();
    fx.buy(ct(2_000));
    fx.host.clear_calls();
    // 1,000 USD settled, 200 USD refunded, in one call.
    fx.as_escrow(|b| b.lock_credits(BUYER, U256::from(1_200_000_000u64)))
        .unwrap();
    let paid = fx
        .as_escrow(|b| {
            b.settle(
                BUYER,
                PROVIDER,
                U256::from(1_000_000_000u64),
                U256::from(200_000_000u64),
            )
        })
        .unwrap();
    // fee = 2.5% = 25 USD; net 975 USD / 1.50 = 650 CT.
    assert_eq!(paid, ct(650));
    let fee_tokens = U256::from(16_666_666_666_666_666_666u128); // 25 USD / 1.50, rounded down
    let to_treasury = fee_tokens * U256::from(3_000) / U256::from(10_000);
    let retired = fee_tokens - to_treasury;
    assert_eq!(fx.token.borrow().balance(PROVIDER), ct(650));
    assert_eq!(
        fx.token.borrow().balance(TREASURY),
        U256::ZERO,
        "the treasury's share accrues"
    );
    let stats = fx.bme.supply_stats();
    assert_eq!(stats.6, to_treasury, "treasuryAccrued");
    assert_eq!(stats.7, ct(2_000) - ct(650) - fee_tokens, "burnBudget");
    assert_eq!(fx.bme.locked_credits_of(BUYER), U256::ZERO);
    assert_eq!(
        fx.bme.credit_balance_of(BUYER),
        U256::from(2_992_500_000u64 - 1_000_000_000),
        "the refund is free again"
    );
    assert_eq!(
        fx.bme.epoch_stats(U256::ZERO),
        (
            ct(2_000),
            ct(650),
            U256::ZERO,
            retired,
            U256::ZERO,
            fee_tokens
        )
    );
    assert_eq!(
        fx.bme.provider_fees(PROVIDER, U256::ZERO),
        fee_tokens,
        "the fee's CT value is the provider's fees of the epoch"
    );
    assert_eq!(fx.bme.provider_fees(PROVIDER, U256::from(1)), U256::ZERO);
    assert_budget_balances(&fx);
    assert_eq!(
        (stats.2, stats.4, stats.5),
        (U256::ZERO, U256::ZERO, U256::ZERO)
    );
    let mutating: Vec<_> = fx
        .host
        .calls()
        .into_iter()
        .filter(|c| !c.is_static)
        .map(|c| (c.to, c.data))
        .collect();
    assert_eq!(
        mutating,
        vec![(
            TOKEN,
            mintCall {
                to: PROVIDER,
                amount: ct(650)
            }
            .abi_encode()
        )],
        "one mint: no treasury mint, no reserve draw, no emissions call"
    );
    assert!(
        !fx.host.calls().iter().any(|c| c.to == EMISSIONS),
        "the budget covered it: the reserve is not even read"
    );
    assert_eq!(
        logs_of::<Settled>(fx.vm()),
        vec![Settled {
            payer: BUYER,
            provider: PROVIDER,
            credits: U256::from(1_000_000_000u64),
            fee: U256::from(25_000_000u64),
            feeTokens: fee_tokens,
            tokensPaid: ct(650),
            price: price_1_50()
        }]
    );
    assert_eq!(
        logs_of::<FeeDistributed>(fx.vm()),
        vec![FeeDistributed {
            epoch: U256::ZERO,
            treasuryAmount: to_treasury,
            retired
        }]
    );
    assert_eq!(
        logs_of::<CreditsUnlocked>(fx.vm()),
        vec![CreditsUnlocked {
            account: BUYER,
            amount: U256::from(200_000_000u64)
        }]
    );
    assert!(logs_of::<OwedRecorded>(fx.vm()).is_empty());

    // The accrued treasury share is minted by anyone, once.
    fx.host.clear_calls();
    fx.vm().set_sender(PROVIDER2);
    assert_eq!(fx.bme.claim_treasury(), Ok(to_treasury));
    assert_eq!(fx.token.borrow().balance(TREASURY), to_treasury);
    assert_eq!(fx.bme.supply_stats().6, U256::ZERO);
    assert_eq!(fx.bme.supply_stats().1, ct(650) + to_treasury);
    assert_eq!(fx.bme.epoch_stats(U256::ZERO).1, ct(650) + to_treasury);
    assert_eq!(
        logs_of::<TreasuryClaimed>(fx.vm()),
        vec![TreasuryClaimed {
            treasury: TREASURY,
            amount: to_treasury
        }]
    );
    assert_budget_balances(&fx);
    assert_reverts(&mut fx, Error::NothingToClaim(BmeNothingToClaim {}), |b| {
        b.claim_treasury()
    });
}

#[test]
fn settle_with_nothing_used_only_unlocks_and_needs_no_price() {
    let mut fx = fixture();
    fx.buy(ct(10));
    fx.as_escrow(|b| b.lock_credits(BUYER, U256::from(5_000_000u64)))
        .unwrap();
    fx.feed.borrow_mut().broken = true;
    fx.host.clear_calls();
    let paid = fx
        .as_escrow(|b| b.settle(BUYER, PROVIDER, U256::ZERO, U256::from(5_000_000u64)))
        .unwrap();
    assert_eq!(paid, U256::ZERO);
    assert!(fx.host.calls().is_empty(), "no feed read, no mint");
    assert_eq!(fx.bme.locked_credits_of(BUYER), U256::ZERO);
    assert_eq!(fx.bme.credit_balance_of(BUYER), U256::from(14_962_500u64));
    assert!(logs_of::<Settled>(fx.vm()).is_empty());
}

/// The price halves, so the budget cannot cover a settlement.
fn halved_price_settlement(fx: &mut Fixture) -> (U256, U256) {
    fx.buy(ct(20)); // budget 20 CT, 29.925 USD of credits
    fx.feed.borrow_mut().answer = usd_8(75);
    let credits = fx.bme.credit_balance_of(BUYER);
    let fee = fee_up(credits, U256::from(250)).unwrap();
    let owed = tokens_for_credits_down(credits - fee, uint!(750_000_000_000_000_000_U256)).unwrap();
    (credits, owed)
}

#[test]
fn settle_falls_back_to_the_reserve_within_its_draw_cap() {
    let mut fx = fixture();
    let (credits, owed) = halved_price_settlement(&mut fx);
    let paid = settle(&mut fx, credits);
    assert_eq!(paid, owed, "budget 20 CT + reserve cover it");
    assert_eq!(fx.bme.supply_stats().7, U256::ZERO);
    assert_eq!(fx.bme.epoch_stats(U256::ZERO).2, owed - ct(20));
    assert_eq!(fx.bme.supply_stats().2, fx.emissions.borrow().drawn);
    let draws: Vec<_> = fx
        .host
        .calls()
        .into_iter()
        .filter(|c| c.to == EMISSIONS)
        .map(|c| (c.is_static, c.data))
        .collect();
    assert_eq!(
        draws,
        vec![
            (true, drawableCall {}.abi_encode()),
            (
                false,
                drawReserveCall {
                    to: PROVIDER,
                    amount: owed - ct(20)
                }
                .abi_encode()
            )
        ]
    );
    assert_eq!(fx.token.borrow().balance(PROVIDER), owed);
    assert_eq!(
        fx.bme.supply_stats().6,
        U256::ZERO,
        "no budget left for the fee's treasury share"
    );
    assert_budget_balances(&fx);

    // Beyond the epoch's draw cap the rest is an IOU.
    let mut fx = fixture();
    fx.emissions.borrow_mut().draw_cap_left = ct(5);
    let (credits, owed) = halved_price_settlement(&mut fx);
    let paid = settle(&mut fx, credits);
    assert_eq!(paid, ct(25), "budget 20 + the cap's 5");
    let iou = owed - ct(25);
    assert_eq!(
        fx.bme.iou(U256::from(1)),
        (PROVIDER, iou, U256::ZERO, U256::ZERO)
    );
    assert_eq!(fx.bme.iou_queue(), (U256::from(1), iou, U256::ZERO));
    assert_eq!(fx.bme.supply_stats().4, iou);
    assert_eq!(fx.bme.epoch_stats(U256::ZERO).4, iou);
    assert_eq!(
        logs_of::<OwedRecorded>(fx.vm()),
        vec![OwedRecorded {
            provider: PROVIDER,
            id: U256::from(1),
            amount: iou
        }]
    );
    assert!(fx.token.borrow().supply <= fx.token.borrow().cap);
    assert_budget_balances(&fx);
}

#[test]
fn ious_are_paid_in_order_and_never_overtaken() {
    let mut fx = fixture();
    fx.emissions.borrow_mut().draw_cap_left = U256::ZERO; // no reserve draws at all
    fx.token.borrow_mut().balances.insert(BUYER, ct(10_000));
    fx.buy(ct(20));
    fx.feed.borrow_mut().answer = usd_8(75);
    // Two settlements the budget cannot cover: IOU 1 (PROVIDER) then IOU 2 (PROVIDER2).
    let c = fx.bme.credit_balance_of(BUYER);
    let first = c * U256::from(3) / U256::from(4);
    fx.as_escrow(|b| b.lock_credits(BUYER, c)).unwrap();
    let paid1 = fx
        .as_escrow(|b| b.settle(BUYER, PROVIDER, first, U256::ZERO))
        .unwrap();
    let paid2 = fx
        .as_escrow(|b| b.settle(BUYER, PROVIDER2, c - first, U256::ZERO))
        .unwrap();
    let (_, a1, _, _) = fx.bme.iou(U256::from(1));
    let (p2, a2, _, _) = fx.bme.iou(U256::from(2));
    assert!(paid1 > U256::ZERO && a1 > U256::ZERO);
    assert_eq!(paid2, U256::ZERO, "the budget is empty while IOU 1 waits");
    assert_eq!(p2, PROVIDER2);
    assert_eq!(fx.bme.iou_queue(), (U256::from(2), a1 + a2, U256::ZERO));

    // A settlement while IOUs wait draws nothing from the reserve, even with cap room.
    fx.emissions.borrow_mut().draw_cap_left = U256::MAX;
    fx.buy(ct(1)); // funds part of IOU 1 only
    let small = fx.bme.credit_balance_of(BUYER);
    fx.as_escrow(|b| b.lock_credits(BUYER, small)).unwrap();
    fx.host.clear_calls();
    let paid3 = fx
        .as_escrow(|b| b.settle(BUYER, PROVIDER2, small, U256::ZERO))
        .unwrap();
    assert_eq!(paid3, U256::ZERO, "it queues behind IOUs 1 and 2");
    assert!(
        !fx.host.calls().iter().any(|c| c.to == EMISSIONS),
        "no reserve draw overtakes a waiting IOU"
    );
    let (_, a3, _, _) = fx.bme.iou(U256::from(3));
    let funded = fx.bme.iou_queue().2;
    assert_eq!(funded, ct(1), "the burn funded the front of the line");
    assert_eq!(fx.bme.iou(U256::from(1)).3, ct(1), "IOU 1 claimable first");
    assert_eq!(fx.bme.iou(U256::from(2)).3, U256::ZERO);

    // IOU 2's owner cannot claim yet; an outsider cannot claim someone else's IOU.
    fx.vm().set_sender(PROVIDER2);
    assert_reverts(&mut fx, Error::NothingToClaim(BmeNothingToClaim {}), |b| {
        b.claim_owed(vec![U256::from(2)])
    });
    assert_reverts(
        &mut fx,
        Error::NotIouOwner(BmeNotIouOwner {
            id: U256::from(1),
            caller: PROVIDER2,
        }),
        |b| b.claim_owed(vec![U256::from(1)]),
    );
    assert_reverts(
        &mut fx,
        Error::NotIouOwner(BmeNotIouOwner {
            id: U256::from(9),
            caller: PROVIDER2,
        }),
        |b| b.claim_owed(vec![U256::from(9)]),
    );
    assert_reverts(
        &mut fx,
        Error::TooManyIous(BmeTooManyIous {
            length: U256::from(33),
            max: U256::from(32),
        }),
        |b| b.claim_owed(vec![U256::from(2); 33]),
    );

    // A large burn funds the whole line; claims pay each IOU exactly once, in full.
    fx.buy(ct(1_000));
    assert_eq!(fx.bme.iou_queue().2, a1 + a2 + a3);
    assert_eq!(
        logs_of::<IousFunded>(fx.vm()).last(),
        Some(&IousFunded {
            funded: a1 + a2 + a3 - ct(1),
            fundedTotal: a1 + a2 + a3,
            owedTotal: a1 + a2 + a3
        })
    );
    fx.vm().set_sender(PROVIDER);
    assert_eq!(fx.bme.claim_owed(vec![U256::from(1)]), Ok(a1));
    assert_eq!(fx.token.borrow().balance(PROVIDER), paid1 + a1);
    fx.vm().set_sender(PROVIDER2);
    assert_reverts(&mut fx, Error::NothingToClaim(BmeNothingToClaim {}), |b| {
        b.claim_owed(vec![U256::from(2), U256::from(2)])
    });
    assert_eq!(
        fx.bme.claim_owed(vec![U256::from(2), U256::from(3)]),
        Ok(a2 + a3)
    );
    assert_eq!(
        logs_of::<OwedClaimed>(fx.vm()),
        vec![
            OwedClaimed {
                provider: PROVIDER,
                id: U256::from(1),
                amount: a1
            },
            OwedClaimed {
                provider: PROVIDER2,
                id: U256::from(2),
                amount: a2
            },
            OwedClaimed {
                provider: PROVIDER2,
                id: U256::from(3),
                amount: a3
            },
        ]
    );
    assert_eq!(fx.bme.iou(U256::from(2)), (PROVIDER2, a2, a2, U256::ZERO));
    let stats = fx.bme.supply_stats();
    assert_eq!(
        (stats.4, stats.5),
        (U256::ZERO, U256::ZERO),
        "nothing owed or set aside"
    );
    assert_reverts(&mut fx, Error::NothingToClaim(BmeNothingToClaim {}), |b| {
        b.claim_owed(vec![U256::from(2)])
    });
    assert_budget_balances(&fx);
    assert!(fx.token.borrow().supply <= fx.token.borrow().cap);
}

#[test]
fn settle_reverts_for_bad_callers_and_amounts() {
    let mut fx = fixture();
    fx.buy(ct(10));
    fx.as_escrow(|b| b.lock_credits(BUYER, U256::from(1_000u64)))
        .unwrap();
    fx.vm().set_sender(ESCROW);
    assert_reverts(
        &mut fx,
        insufficient(BUYER, U256::from(1_000u64), U256::from(1_001u64)),
        |b| b.settle(BUYER, PROVIDER, U256::from(1_000u64), U256::from(1u64)),
    );
    assert_reverts(&mut fx, Error::Common(common::errors::overflow()), |b| {
        b.settle(BUYER, PROVIDER, U256::MAX, U256::from(1u64))
    });
    assert_reverts(&mut fx, zero_address(), |b| {
        b.settle(BUYER, Address::ZERO, U256::from(1u64), U256::ZERO)
    });
    fx.vm().set_block_timestamp(T0 + 601);
    assert_reverts(
        &mut fx,
        Error::StalePrice(BmeStalePrice {
            updatedAt: U256::from(T0),
            maxPriceAge: U256::from(600),
        }),
        |b| b.settle(BUYER, PROVIDER, U256::from(1u64), U256::ZERO),
    );
    fx.vm().set_sender(BUYER);
    let unauthorized = Error::Common(CommonError::UnauthorizedAccount(
        AccessControlUnauthorizedAccount {
            account: BUYER,
            neededRole: ESCROW_ROLE,
        },
    ));
    assert_reverts(&mut fx, unauthorized, |b| {
        b.settle(BUYER, PROVIDER, U256::from(1u64), U256::ZERO)
    });
}

#[test]
fn settlement_works_while_paused() {
    let mut fx = fixture();
    fx.buy(ct(10));
    fx.vm().set_sender(ADMIN);
    fx.bme.pause().unwrap();
    assert!(settle(&mut fx, U256::from(1_000_000u64)) > U256::ZERO);
}

/// A failing emissions contract fails the settlement with its revert data, all of it rolled back.
#[test]
fn settle_reports_a_failing_emissions_contract() {
    let mut fx = fixture();
    let (credits, _) = halved_price_settlement(&mut fx);
    fx.as_escrow(|b| b.lock_credits(BUYER, credits)).unwrap();
    fx.host.install(EMISSIONS, Reverting(b"nope".to_vec()));
    let result = fx.as_escrow(|b| b.settle(BUYER, PROVIDER, credits, U256::ZERO));
    assert_eq!(result.unwrap_err(), emissions_failed(b"nope".to_vec()));
}

/// A model that reverts every call with `0`.
struct Reverting(Vec<u8>);

impl Model for Reverting {
    fn call(&mut self, _: &ModelCall) -> Result<Vec<u8>, Vec<u8>> {
        Err(self.0.clone())
    }
}
