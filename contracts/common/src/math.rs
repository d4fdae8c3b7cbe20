//! 256-bit `a × b / d` for the contracts, on a compact long division.
//!
//! ruint's general `Uint::div_rem` costs ~8 KB of wasm (measured in provider-registry and
//! bme-controller: `ruint::div::div_rem_by_ref` alone is 8,008 bytes), a third of the 24,576-byte
//! deployable budget. Every divisor in this project is a positive constant (1e4 basis points, 1e18 wad,
//! 1e30 for price conversions) or a positive amount far below 2^255, so a plain 256-step binary long
//! division (~600 bytes) does the job; it costs ~256 iterations of a few limb operations, a few thousand
//! ink, well under one gas unit of difference per call.

use alloy_primitives::U256;

/// `(n / d, n % d)` by binary long division on 64-bit limbs.
///
/// Returns `None` if `d` is 0 or `d >= 2^255` (no divisor in this project comes near; the bound keeps the
/// running remainder inside 256 bits). Always 256 iterations.
pub fn div_rem(n: U256, d: U256) -> Option<(U256, U256)> {
    if d.is_zero() || d.bit(255) {
        return None;
    }
    let n = n.into_limbs();
    let d = d.into_limbs();
    let mut q = [0u64; 4];
    let mut r = [0u64; 4];
    for i in (0..256usize).rev() {
        // r = 2r + bit i of n; cannot lose a bit: r < d < 2^255 before the shift.
        r[3] = (r[3] << 1) | (r[2] >> 63);
        r[2] = (r[2] << 1) | (r[1] >> 63);
        r[1] = (r[1] << 1) | (r[0] >> 63);
        r[0] = (r[0] << 1) | ((n[(i >> 6) & 3] >> (i & 63)) & 1);
        // r >= d, comparing from the most significant limb.
        let mut ge = true;
        for k in (0..4).rev() {
            if r[k] != d[k] {
                ge = r[k] > d[k];
                break;
            }
        }
        if ge {
            // r -= d (no final borrow: r >= d).
            let mut borrow = false;
            for k in 0..4 {
                let (x, b1) = r[k].overflowing_sub(d[k]);
                let (x, b2) = x.overflowing_sub(u64::from(borrow));
                r[k] = x;
                borrow = b1 || b2;
            }
            q[(i >> 6) & 3] |= 1 << (i & 63);
        }
    }
    Some((U256::from_limbs(q), U256::from_limbs(r)))
}

/// `a × b / d`, rounded down, or up if `round_up` (docs/protocol.md §2 "Conventions": payouts round
/// down, locks and fees up).
///
/// Returns `None` if `a × b` overflows 256 bits or `d` is 0 or `>= 2^255` (see [`div_rem`]).
pub fn mul_div(a: U256, b: U256, d: U256, round_up: bool) -> Option<U256> {
    let (q, r) = div_rem(a.checked_mul(b)?, d)?;
    // Cannot wrap: r != 0 implies d >= 2, so q <= (2^256 - 1) / 2.
    Some(if round_up && !r.is_zero() {
        q.wrapping_add(U256::from(1))
    } else {
        q
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_u256() -> impl Strategy<Value = U256> {
        prop_oneof![
            any::<u64>().prop_map(U256::from),
            any::<u128>().prop_map(U256::from),
            any::<[u64; 4]>().prop_map(U256::from_limbs),
        ]
    }

    proptest! {
        /// The long division agrees with ruint's for every divisor it accepts.
        #[test]
        fn div_rem_matches_ruint(n in arb_u256(), d in arb_u256()) {
            match div_rem(n, d) {
                Some((q, r)) => prop_assert_eq!((q, r), n.div_rem(d)),
                None => prop_assert!(d.is_zero() || d.bit(255)),
            }
        }

        /// Rounding up adds one exactly when the division has a remainder.
        #[test]
        fn mul_div_rounds_as_asked(a in any::<u128>(), b in any::<u128>(), d in 1u128..) {
            let (a, b, d) = (U256::from(a), U256::from(b), U256::from(d));
            let down = mul_div(a, b, d, false).unwrap();
            let up = mul_div(a, b, d, true).unwrap();
            prop_assert_eq!(down, a * b / d);
            prop_assert_eq!(up, down + U256::from(u8::from(!(a * b % d).is_zero())));
        }
    }

    #[test]
    fn rejects_what_it_cannot_divide() {
        assert_eq!(div_rem(U256::from(1), U256::ZERO), None);
        assert_eq!(div_rem(U256::MAX, U256::from(1) << 255), None);
        assert_eq!(
            mul_div(U256::MAX, U256::from(2), U256::from(1), false),
            None
        );
        assert_eq!(
            div_rem(U256::MAX, U256::MAX >> 1),
            Some((U256::from(2), U256::from(1)))
        );
    }
}
