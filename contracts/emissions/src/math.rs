//! The emission arithmetic, as pure functions (docs/economics.md "Emissions").
//!
//! Units: tokens in wei of CT (1e18 = 1 CT); rates in basis points (1e4 = 100%) or wad (1e18 = 100%).
//! Everything rounds down (payouts round down), so emissions, treasury parts and rewards never exceed
//! what they are carved from. Every product is checked; `None` means it overflowed 256 bits (or a zero
//! divisor).

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

/// `floor(amount × wad / 1e18)`.
pub fn wad_down(amount: U256, wad: U256) -> Option<U256> {
    mul_div_down(amount, wad, WAD)
}

/// One epoch's emission from `reserve` at `rate_wad` per epoch: `floor(reserve × rate / 1e18)`.
/// With `rate_wad <= 1e18` it never exceeds `reserve`.
pub fn emission(reserve: U256, rate_wad: U256) -> Option<U256> {
    wad_down(reserve, rate_wad)
}

/// A provider's share of a pool: `floor(pool × own / total)`; zero when `total` is zero. Never above
/// `pool` while `own <= total`, and the shares of all providers sum to at most `pool`.
pub fn reward(pool: U256, own: U256, total: U256) -> Option<U256> {
    if total.is_zero() {
        return Some(U256::ZERO);
    }
    mul_div_down(pool, own, total)
}

/// How one epoch's emission divides (docs/economics.md "Emissions"), in wei of CT.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Split {
    /// What leaves the reserve: `treasury + work_pool + stake_pool`.
    pub emitted: U256,
    /// `emission × treasuryBps / 1e4`.
    pub treasury: U256,
    /// `min(share, work_cap)`.
    pub work_pool: U256,
    /// `fees × workRewardCapBps / 1e4`.
    pub work_cap: U256,
    /// `share − work_pool` if stake is earning, else 0 (it stays in the reserve).
    pub stake_pool: U256,
}

/// The split of an epoch that emits: `emission = reserve × rate`, the treasury part, the work pool
/// capped at `fees × cap_bps / 1e4`, and the rest for the stake stream if any stake is `staked`
/// (else it stays in the reserve). `emitted <= emission <= reserve` for `rate_wad <= 1e18`.
pub fn split(
    reserve: U256,
    fees: U256,
    rate_wad: U256,
    treasury_bps: U256,
    cap_bps: U256,
    staked: bool,
) -> Option<Split> {
    let emission = emission(reserve, rate_wad)?;
    let treasury = bps_down(emission, treasury_bps)?;
    let share = emission.checked_sub(treasury)?;
    let work_cap = bps_down(fees, cap_bps)?;
    let work_pool = share.min(work_cap);
    let stake_pool = if staked {
        share.checked_sub(work_pool)?
    } else {
        U256::ZERO
    };
    Some(Split {
        emitted: treasury.checked_add(work_pool)?.checked_add(stake_pool)?,
        treasury,
        work_pool,
        work_cap,
        stake_pool,
    })
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
        // docs/protocol.md §7 "Emissions", docs/economics.md §1: reserve 350M CT,
        // k = 1 − 2^(−1/1460) ≈ 474_645_000_000_000 wad per daily epoch; day 1 ≈ 166,126 CT;
        // year 1 ≈ 55.7M; cumulative 175M after 4 years.
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
