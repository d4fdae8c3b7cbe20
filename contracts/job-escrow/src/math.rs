//! The escrow's arithmetic: small integers in storage words (whole or packed), and `a × b / d` with
//! the escrow's overflow error (on [`common::math`]'s compact long division).

use alloy_primitives::U256;

use crate::interface::Error;

// Small integers (state, GPU count, durations, times) share one packed slot per job; the masking
// lives in `pack`/`unpack`, called from the escrow's two field accessors only.

/// A storage word holding a small integer, as `u64` (callers store at most 64 bits).
pub(crate) fn word_u64(x: U256) -> u64 {
    x.as_limbs()[0]
}

/// Mask of a 32-bit packed field.
const LOW_32: u64 = 0xffff_ffff;

/// The `width`-bit field (32 or 64; any other width reads as 32) at bit `offset` (a multiple of
/// `width`) of a slot given as its little-endian 64-bit limbs. `offset / 64` ≤ 3 for every `u8`, so
/// the limb index is always in range.
pub(crate) fn unpack(limbs: &[u64; 4], offset: u8, width: u8) -> u64 {
    let limb = limbs[(offset / 64) as usize];
    if width >= 64 {
        limb
    } else {
        (limb >> (offset % 64)) & LOW_32
    }
}

/// Writes the low `width` bits of `value` into the field at bit `offset` (as for [`unpack`]),
/// leaving every other bit of the slot unchanged.
pub(crate) fn pack(limbs: &mut [u64; 4], offset: u8, width: u8, value: u64) {
    let limb = &mut limbs[(offset / 64) as usize];
    if width >= 64 {
        *limb = value;
    } else {
        let shift = offset % 64;
        let mask = LOW_32 << shift;
        *limb = (*limb & !mask) | ((value << shift) & mask);
    }
}

/// The error of every overflowing operation: `ArithmeticOverflow()`.
pub(crate) fn overflow() -> Error {
    common::errors::overflow().into()
}

/// `a + b`, checked.
pub(crate) fn add(a: U256, b: U256) -> Result<U256, Error> {
    a.checked_add(b).ok_or_else(overflow)
}

/// `a × b / d`, rounded up if `round_up`. Every caller divides by a positive constant (3_600 or
/// 10_000).
///
/// # Errors
/// `ArithmeticOverflow()` if `a × b` overflows or `d` is 0 or `>= 2^255`.
pub(crate) fn mul_div(a: U256, b: U256, d: U256, round_up: bool) -> Result<U256, Error> {
    common::math::mul_div(a, b, d, round_up).ok_or_else(overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The packed fields of a job slot: (offset, width).
    const FIELDS: [(u8, u8); 5] = [(0, 32), (32, 32), (64, 64), (128, 64), (192, 64)];

    proptest! {
        /// Writing one packed field reads back its low `width` bits and leaves the other fields.
        #[test]
        fn pack_round_trips_and_keeps_the_other_fields(
            limbs in any::<[u64; 4]>(), which in 0usize..5, value in any::<u64>()
        ) {
            let (offset, width) = FIELDS[which];
            let mut packed = limbs;
            pack(&mut packed, offset, width, value);
            let expect = if width == 64 { value } else { value & 0xffff_ffff };
            prop_assert_eq!(unpack(&packed, offset, width), expect);
            for (i, &(o, w)) in FIELDS.iter().enumerate() {
                if i != which {
                    prop_assert_eq!(unpack(&packed, o, w), unpack(&limbs, o, w));
                }
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
