//! The emission arithmetic, as pure functions (DESIGN.md §2 and §4 "Emissions";
//! docs/tokenomics-anchors.md "Contract 2 — BME controller": scheduled emission with hard cap).
//!
//! Units: tokens in wei of CT (1e18 = 1 CT); rates in basis points (1e4 = 100%) or wad (1e18 = 100%).
//! Everything rounds down (DESIGN.md §2: payouts round down), so emissions, treasury parts and rewards
//! never exceed what they are carved from. Every product is checked; `None` means it overflowed 256
//! bits (or a zero divisor).

use alloy_primitives::{uint, U256};

/// 1e4: basis points in one.
pub const BPS: U256 = uint!(10_000_U256);
/// 1e18: the wad unit.
pub const WAD: U256 = uint!(1_000_000_000_000_000_000_U256);

/// `floor(a × b / d)`, or `None` if `a × b` overflows or `d` is zero.
pub fn mul_div_down(a: U256, b: U256, d: U256) -> Option<U256> {
    common::math::mul_div(a, b, d, false)
}

/// `floor(amount × bps / 1e4)`.
pub fn bps_down(amount: U256, bps: U256) -> Option<U256> {
    mul_div_down(amount, bps, BPS)
}

/// One epoch's emission from `reserve` at `rate_wad` per epoch: `floor(reserve × rate / 1e18)`
/// (DESIGN.md §4 "Emissions"). With `rate_wad <= 1e18` it never exceeds `reserve`.
pub fn emission(reserve: U256, rate_wad: U256) -> Option<U256> {
    mul_div_down(reserve, rate_wad, WAD)
}

/// A provider's reward from an epoch: `floor(provider_share × provider_work / work)`; zero when the
/// epoch has no work. Never above `provider_share` while `provider_work <= work`, and the rewards of
/// all providers of an epoch sum to at most `provider_share` (each is rounded down).
pub fn reward(provider_share: U256, provider_work: U256, work: U256) -> Option<U256> {
    if work.is_zero() {
        return Some(U256::ZERO);
    }
    mul_div_down(provider_share, provider_work, work)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ct(n: u64) -> U256 {
        U256::from(n) * WAD
    }

    #[test]
    fn default_emission_rate_matches_the_anchors() {
        // docs/tokenomics-anchors.md: reserve 350M CT, k = 1 − 2^(−1/1460) ≈ 474_645_000_000_000 wad
        // per daily epoch; day 1 ≈ 166,126 CT; year 1 ≈ 55.7M; cumulative 175M after 4 years.
        let rate = U256::from(474_645_000_000_000u64);
        let mut reserve = ct(350_000_000);
        let first = emission(reserve, rate).unwrap();
        assert_eq!(first / WAD, U256::from(166_125u64), "day 1 ≈ 166,126 CT");
        let mut emitted = U256::ZERO;
        for day in 1..=1460 {
            let e = emission(reserve, rate).unwrap();
            reserve -= e;
            emitted += e;
            if day == 365 {
                // 350M × (1 − 2^(−1/4)) = 55.68M CT.
                assert!(
                    emitted > ct(55_600_000) && emitted < ct(55_800_000),
                    "year 1 ≈ 55.7M CT, got {emitted}"
                );
            }
        }
        let half = ct(175_000_000);
        let diff = if reserve > half {
            reserve - half
        } else {
            half - reserve
        };
        assert!(
            diff < ct(10_000),
            "after 1460 epochs ~175M CT remain, got {reserve}"
        );
    }

    #[test]
    fn treasury_part_and_rewards_round_down() {
        assert_eq!(
            bps_down(U256::from(19), U256::from(1_000)),
            Some(U256::from(1))
        );
        assert_eq!(bps_down(U256::from(9), U256::from(1_000)), Some(U256::ZERO));
        assert_eq!(
            reward(U256::from(10), U256::from(1), U256::from(3)),
            Some(U256::from(3))
        );
        assert_eq!(
            reward(U256::from(10), U256::from(1), U256::ZERO),
            Some(U256::ZERO)
        );
        assert_eq!(reward(U256::MAX, U256::from(2), U256::from(3)), None);
        assert_eq!(emission(U256::MAX, U256::from(2)), None);
    }

    proptest! {
        #[test]
        fn emission_never_exceeds_reserve(reserve in any::<u128>(), rate in 0u64..=10_000_000_000_000_000) {
            prop_assert!(emission(U256::from(reserve), U256::from(rate)).unwrap() <= U256::from(reserve));
        }

        #[test]
        fn rewards_of_a_split_never_exceed_the_share(
            share in any::<u128>(),
            works in proptest::collection::vec(0u64..u64::MAX, 1..6),
        ) {
            let total: U256 = works.iter().map(|&w| U256::from(w)).sum();
            let paid: U256 = works
                .iter()
                .map(|&w| reward(U256::from(share), U256::from(w), total).unwrap())
                .sum();
            prop_assert!(paid <= U256::from(share));
        }
    }
}
