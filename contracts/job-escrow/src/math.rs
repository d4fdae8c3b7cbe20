//! The escrow's arithmetic: storage words of small integers, and `a × b / d` on a compact long
//! division (ruint's general division would cost ~8 KB of wasm; same code as the registry's).

use alloy_primitives::U256;

use crate::interface::{Error, JobEscrowArithmeticOverflow};

// Small integers (states, GPU counts, times, durations) are stored one per slot as `uint256`:
// unpacked fields need no masking code at every access, which keeps the program small.

/// A storage word holding a small integer, as `u64` (callers store at most 64 bits).
pub(crate) fn word_u64(x: U256) -> u64 {
    x.as_limbs()[0]
}

/// The error of every overflowing operation.
pub(crate) fn overflow() -> Error {
    Error::ArithmeticOverflow(JobEscrowArithmeticOverflow {})
}

/// `a + b`, checked.
pub(crate) fn add(a: U256, b: U256) -> Result<U256, Error> {
    a.checked_add(b).ok_or_else(overflow)
}

/// `a × b / d`, rounded up if `round_up`. Every caller divides by a positive constant (3_600 or
/// 10_000).
///
/// # Errors
/// `JobEscrowArithmeticOverflow()` if `a × b` overflows or `d` is 0 or `>= 2^255`.
pub(crate) fn mul_div(a: U256, b: U256, d: U256, round_up: bool) -> Result<U256, Error> {
    let product = a.checked_mul(b).ok_or_else(overflow)?;
    let (q, r) = div_rem(product, d).ok_or_else(overflow)?;
    // Cannot wrap: r != 0 implies d >= 2, so q <= (2^256 - 1) / 2.
    Ok(if round_up && !r.is_zero() {
        q.wrapping_add(U256::from(1))
    } else {
        q
    })
}

/// `(n / d, n % d)` by binary long division on 64-bit limbs: `None` if `d` is 0 or `>= 2^255`.
/// Written out because ruint's general division costs ~8 KB of wasm; always 256 iterations.
pub(crate) fn div_rem(n: U256, d: U256) -> Option<(U256, U256)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn u256() -> impl Strategy<Value = U256> {
        prop_oneof![
            any::<u64>().prop_map(U256::from),
            any::<u128>().prop_map(U256::from),
            any::<[u64; 4]>().prop_map(U256::from_limbs),
        ]
    }

    proptest! {
        #[test]
        fn div_rem_matches_ruint(n in u256(), d in u256()) {
            let got = div_rem(n, d);
            if d.is_zero() || d.bit(255) {
                prop_assert_eq!(got, None);
            } else {
                prop_assert_eq!(got, Some((n / d, n % d)));
            }
        }

        #[test]
        fn mul_div_rounds_as_asked(a in any::<u128>(), b in any::<u64>(), d in 1u64..) {
            let (a, b, d) = (U256::from(a), U256::from(b), U256::from(d));
            let exact = a * b;
            prop_assert_eq!(mul_div(a, b, d, false), Ok(exact / d));
            prop_assert_eq!(mul_div(a, b, d, true), Ok(exact.div_ceil(d)));
        }
    }

    #[test]
    fn mul_div_overflow() {
        assert_eq!(
            mul_div(U256::MAX, U256::from(2), U256::from(1), false),
            Err(overflow())
        );
        assert_eq!(
            mul_div(U256::from(1), U256::from(1), U256::ZERO, false),
            Err(overflow())
        );
        assert_eq!(add(U256::MAX, U256::from(1)), Err(overflow()));
    }
}
