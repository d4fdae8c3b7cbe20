//! The controller's arithmetic, as pure functions (docs/protocol.md §2 "Conventions" and §6
//! "BmeController").
//!
//! Units: tokens in wei of CT (1e18 = 1 CT); credits with 6 decimals (1e6 = 1 USD); prices as USD per
//! CT scaled by 1e18 ("price wad"); rates in basis points (1e4 = 100%) or wad (1e18 = 100%).
//!
//! Rounding always favours the protocol's solvency (docs/protocol.md §2, "Rounding"): what the
//! protocol pays out (credits bought, tokens paid, rewards) rounds down; what it charges or locks
//! (fees, token quotes used for collateral) rounds up. Every product is checked; `None` means it
//! overflowed 256 bits.

use alloy_primitives::{uint, I256, U256};

/// 1e4: basis points in one.
pub const BPS: U256 = uint!(10_000_U256);
/// 1e18: the wad unit.
pub const WAD: U256 = uint!(1_000_000_000_000_000_000_U256);
/// 1e30 = 1e18 (token wei per CT) × 1e18 (price wad) / 1e6 (credit units per USD): converts
/// `tokens × priceWad` to credits.
pub const TOKEN_PRICE_TO_CREDITS: U256 = uint!(1_000_000_000_000_000_000_000_000_000_000_U256);

/// `floor(a × b / d)`, or `None` if `a × b` overflows or `d` is zero.
pub fn mul_div_down(a: U256, b: U256, d: U256) -> Option<U256> {
    common::math::mul_div(a, b, d, false)
}

/// `ceil(a × b / d)`, or `None` if `a × b` overflows or `d` is zero.
pub fn mul_div_up(a: U256, b: U256, d: U256) -> Option<U256> {
    common::math::mul_div(a, b, d, true)
}

/// The feed answer as a price wad: `answer × 10^(18 − decimals)`.
///
/// `None` if `answer <= 0`, `decimals > 18`, or the result overflows.
pub fn price_wad(answer: I256, decimals: u8) -> Option<U256> {
    if answer <= I256::ZERO || decimals > 18 {
        return None;
    }
    // 10^(18 − decimals) <= 1e18 fits in a u64.
    let scale = 10u64.checked_pow(u32::from(18u8.checked_sub(decimals)?))?;
    answer.into_raw().checked_mul(U256::from(scale))
}

/// Credits bought by burning `tokens` at `price` with a `spread_bps` mint spread (docs/protocol.md
/// §6 "BmeController", "Buying"): `floor(floor(tokens × price / 1e30) × (1e4 − spread) / 1e4)`.
/// Rounding down twice can give one credit unit less than a single rounding, never more, and keeps
/// the product `tokens × price` the only one that can overflow.
pub fn credits_for_tokens(tokens: U256, price: U256, spread_bps: U256) -> Option<U256> {
    let gross = quote_credits(tokens, price)?;
    bps_down(gross, BPS.checked_sub(spread_bps)?)
}

/// Credits worth `tokens` at `price`, no spread: `floor(tokens × price / 1e30)`.
pub fn quote_credits(tokens: U256, price: U256) -> Option<U256> {
    mul_div_down(tokens, price, TOKEN_PRICE_TO_CREDITS)
}

/// Tokens worth `credits` at `price`, rounded up (used to size stake locks and bonds):
/// `ceil(credits × 1e30 / price)` (`quoteTokens`).
pub fn quote_tokens_up(credits: U256, price: U256) -> Option<U256> {
    mul_div_up(credits, TOKEN_PRICE_TO_CREDITS, price)
}

/// Tokens paid for `credits` at `price`, rounded down: `floor(credits × 1e30 / price)`.
pub fn tokens_for_credits_down(credits: U256, price: U256) -> Option<U256> {
    mul_div_down(credits, TOKEN_PRICE_TO_CREDITS, price)
}

/// The protocol fee on `credits`, rounded up: `ceil(credits × fee_bps / 1e4)`; never above `credits`
/// when `fee_bps <= 1e4`.
pub fn fee_up(credits: U256, fee_bps: U256) -> Option<U256> {
    mul_div_up(credits, fee_bps, BPS)
}

/// `floor(amount × bps / 1e4)`.
pub fn bps_down(amount: U256, bps: U256) -> Option<U256> {
    mul_div_down(amount, bps, BPS)
}

/// The collateral ratio, wad: `budget × price / (outstanding × 1e12)` — the USD value of the burn
/// budget over the USD value of outstanding credits; `U256::MAX` when nothing is outstanding.
pub fn collateral_ratio_wad(budget: U256, price: U256, outstanding: U256) -> Option<U256> {
    if outstanding.is_zero() {
        return Some(U256::MAX);
    }
    mul_div_down(
        budget,
        price,
        outstanding.checked_mul(uint!(1_000_000_000_000_U256))?,
    )
}

/// 2^128 − 1: the largest value one half of a packed slot holds.
pub const HALF_MAX: U256 = U256::from_limbs([u64::MAX, u64::MAX, 0, 0]);

/// Half `i % 2` of a slot that holds two 128-bit values: the low 128 bits for an even `i`, the high
/// 128 bits for an odd `i` (the controller's running totals and epoch figures, lib.rs `T_…`/`E_…`).
pub fn packed_half(word: U256, i: usize) -> U256 {
    if i.is_multiple_of(2) {
        word & HALF_MAX
    } else {
        // A 128-bit shift of a 256-bit word cannot wrap.
        word.wrapping_shr(128)
    }
}

/// `word` with half `i % 2` replaced by `value` and the other half kept, or `None` if `value`
/// exceeds [`HALF_MAX`].
pub fn with_packed_half(word: U256, i: usize, value: U256) -> Option<U256> {
    if value > HALF_MAX {
        return None;
    }
    Some(if i.is_multiple_of(2) {
        (word & !HALF_MAX) | value
    } else {
        // value <= HALF_MAX: nothing is shifted out.
        (word & HALF_MAX) | value.wrapping_shl(128)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_halves_are_independent_and_bounded() {
        let low = U256::from(123_456_789u64);
        let high = HALF_MAX;
        let word = with_packed_half(U256::ZERO, 0, low).unwrap();
        let word = with_packed_half(word, 1, high).unwrap();
        assert_eq!(packed_half(word, 0), low);
        assert_eq!(packed_half(word, 1), high);
        assert_eq!(word, (high << 128) | low);
        // Rewriting one half keeps the other, for every index parity.
        let word = with_packed_half(word, 2, U256::from(7u8)).unwrap();
        assert_eq!(
            (packed_half(word, 2), packed_half(word, 3)),
            (U256::from(7u8), high)
        );
        let word = with_packed_half(word, 3, U256::ZERO).unwrap();
        assert_eq!(
            (packed_half(word, 0), packed_half(word, 1)),
            (U256::from(7u8), U256::ZERO)
        );
        assert_eq!(with_packed_half(word, 0, HALF_MAX + U256::from(1u8)), None);
        assert_eq!(with_packed_half(word, 1, U256::MAX), None);
        assert_eq!(HALF_MAX, U256::from(u128::MAX));
    }
    use proptest::prelude::*;

    fn ct(n: u64) -> U256 {
        U256::from(n) * WAD
    }

    #[test]
    fn price_scaling_handles_every_decimals_value() {
        // 1.50 USD per CT at 8 decimals (Chainlink USD feeds) and at 18.
        assert_eq!(
            price_wad(I256::try_from(150_000_000).unwrap(), 8),
            Some(uint!(1_500_000_000_000_000_000_U256))
        );
        assert_eq!(
            price_wad(I256::try_from(1_500_000_000_000_000_000u128).unwrap(), 18),
            Some(uint!(1_500_000_000_000_000_000_U256))
        );
        assert_eq!(price_wad(I256::try_from(2).unwrap(), 0), Some(ct(2)));
        assert_eq!(price_wad(I256::ZERO, 8), None);
        assert_eq!(price_wad(I256::MINUS_ONE, 8), None);
        assert_eq!(price_wad(I256::ONE, 19), None);
        assert_eq!(price_wad(I256::MAX, 0), None, "overflow");
    }

    #[test]
    fn buying_credits_applies_the_spread_and_rounds_down() {
        let price = uint!(1_500_000_000_000_000_000_U256); // 1.50 USD
                                                           // 1,000 CT × 1.50 = 1,500 USD = 1.5e9 credits; minus 25 bps = 1,496.25 USD.
        assert_eq!(
            credits_for_tokens(ct(1_000), price, U256::from(25)),
            Some(U256::from(1_496_250_000u64))
        );
        // 1 wei buys nothing.
        assert_eq!(
            credits_for_tokens(U256::from(1), price, U256::from(25)),
            Some(U256::ZERO)
        );
        assert_eq!(
            quote_credits(ct(1_000), price),
            Some(U256::from(1_500_000_000u64))
        );
    }

    #[test]
    fn token_quotes_round_up_and_payouts_round_down() {
        let price = uint!(3_000_000_000_000_000_000_U256); // 3 USD per CT
                                                           // 1 credit = 1e-6 USD = 1/3 e-6 CT = 333,333,333,333.33 wei.
        assert_eq!(
            quote_tokens_up(U256::from(1), price),
            Some(U256::from(333_333_333_334u64))
        );
        assert_eq!(
            tokens_for_credits_down(U256::from(1), price),
            Some(U256::from(333_333_333_333u64))
        );
        assert_eq!(
            quote_tokens_up(U256::from(3), price),
            tokens_for_credits_down(U256::from(3), price)
        );
    }

    #[test]
    fn fees_round_up() {
        assert_eq!(fee_up(U256::from(1), U256::from(250)), Some(U256::from(1)));
        assert_eq!(fee_up(U256::from(40), U256::from(250)), Some(U256::from(1)));
        assert_eq!(fee_up(U256::from(41), U256::from(250)), Some(U256::from(2)));
        assert_eq!(fee_up(U256::ZERO, U256::from(250)), Some(U256::ZERO));
    }

    #[test]
    fn collateral_ratio_is_budget_value_over_outstanding_value() {
        let price = ct(2); // 2 USD per CT
                           // 100 CT budget = 200 USD; 100 USD outstanding (1e8 credits) → 2.0.
        assert_eq!(
            collateral_ratio_wad(ct(100), price, U256::from(100_000_000u64)),
            Some(ct(2))
        );
        assert_eq!(
            collateral_ratio_wad(ct(100), price, U256::ZERO),
            Some(U256::MAX)
        );
    }

    #[test]
    fn overflows_are_reported() {
        assert_eq!(mul_div_down(U256::MAX, U256::from(2), U256::from(1)), None);
        assert_eq!(mul_div_up(U256::MAX, U256::from(2), U256::from(1)), None);
        assert_eq!(mul_div_down(U256::from(1), U256::from(1), U256::ZERO), None);
        assert_eq!(
            credits_for_tokens(U256::MAX, U256::from(2), U256::ZERO),
            None
        );
    }

    proptest! {
        #[test]
        fn up_is_down_or_down_plus_one(a in any::<u128>(), b in any::<u128>(), d in 1u128..) {
            let (a, b, d) = (U256::from(a), U256::from(b), U256::from(d));
            let down = mul_div_down(a, b, d).unwrap();
            let up = mul_div_up(a, b, d).unwrap();
            prop_assert!(up == down || up == down + U256::from(1));
            prop_assert_eq!(up == down, (a * b) % d == U256::ZERO);
        }

        #[test]
        fn fee_never_exceeds_credits(credits in any::<u128>(), fee_bps in 0u64..=10_000) {
            let fee = fee_up(U256::from(credits), U256::from(fee_bps)).unwrap();
            prop_assert!(fee <= U256::from(credits));
        }

        /// A round trip tokens → credits → tokens never returns more tokens than went in.
        #[test]
        fn round_trips_never_create_tokens(tokens in any::<u128>(), price in 1u128..u128::MAX) {
            let (tokens, price) = (U256::from(tokens), U256::from(price));
            let credits = quote_credits(tokens, price).unwrap();
            prop_assert!(tokens_for_credits_down(credits, price).unwrap() <= tokens);
            prop_assert!(credits_for_tokens(tokens, price, U256::from(25)).unwrap() <= credits);
        }
    }
}
