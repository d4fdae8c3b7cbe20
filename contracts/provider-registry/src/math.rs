//! The registry's arithmetic: storage words of small integers, and `a × b / d` with the shared
//! overflow error (on [`common::math`]'s compact long division).

use alloy_primitives::U256;
use common::errors::{overflow, CommonError};

// Small integers (GPU counts, times, counters, ids) are stored one per slot as `uint256`: unpacked
// fields need no masking code at every access, which keeps the program under the size limit.

/// Storage word of a `u32`.
pub(crate) fn u32_word(x: u32) -> U256 {
    U256::from(x)
}

/// A storage word written by [`u32_word`], as `u32` (it holds at most 32 bits).
pub(crate) fn word_u32(x: U256) -> u32 {
    x.as_limbs()[0] as u32
}

/// Storage word of a `u64`.
pub(crate) fn u64_word(x: u64) -> U256 {
    U256::from(x)
}

/// A storage word written by [`u64_word`], as `u64` (it holds at most 64 bits).
pub(crate) fn word_u64(x: U256) -> u64 {
    x.as_limbs()[0]
}

/// `a × b / d`, rounded up if `round_up`. Every caller divides by BPS or by a positive stake total.
///
/// # Errors
/// `ArithmeticOverflow()` if `a × b` overflows or `d` is 0 or `>= 2^255`.
pub(crate) fn mul_div(a: U256, b: U256, d: U256, round_up: bool) -> Result<U256, CommonError> {
    common::math::mul_div(a, b, d, round_up).ok_or_else(overflow)
}
