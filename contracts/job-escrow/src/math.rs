//! The escrow's arithmetic: storage words of small integers, and `a × b / d` with the escrow's
//! overflow error (on [`common::math`]'s compact long division).

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
    common::math::mul_div(a, b, d, round_up).ok_or_else(overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
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
