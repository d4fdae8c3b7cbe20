//! Governance parameters, one shape for every contract (ABI v2; docs/protocol.md "Parameters").
//!
//! Every settable parameter has a `bytes32` name (its ASCII bytes, left-aligned and zero-padded,
//! exactly as Solidity's `bytes32("unbondingPeriod")`; [`name`] computes it at compile time), a
//! default and hard bounds, listed in the contract's `const` table of [`Param`]s. A contract embeds
//! the [`Parameters`] storage component, guards `setParameter` with
//! [`PARAMETER_ADMIN_ROLE`](crate::roles::PARAMETER_ADMIN_ROLE) (meant for a timelock), and every
//! change is logged as [`ParameterUpdated`]. Behaviour shared by all contracts:
//! - `parameter(name)` and `setParameter(name, value)` revert `UnknownParameter(name)` for a name
//!   that is not in the table;
//! - a value outside `[min, max]` reverts `ParameterOutOfBounds(name, value, min, max)`.

use alloy_primitives::{FixedBytes, B256, U256};
use alloy_sol_types::SolEvent;
use stylus_sdk::{
    prelude::*,
    storage::{StorageMap, StorageU256},
};

use crate::abi_words::uint_word;
use crate::errors::{CommonError, ParameterOutOfBounds, UnknownParameter};

crate::contract_events! {
    /// Parameter `name` (ASCII, left-aligned `bytes32`) changed from `oldValue` to `newValue` (in the
    /// parameter's own unit: wei of CT, seconds, bps or wad).
    event ParameterUpdated(bytes32 indexed name, uint256 oldValue, uint256 newValue);
}

/// The `bytes32` name of a parameter: its ASCII bytes left-aligned, zero-padded (Solidity's
/// `bytes32("…")`). Fails to compile (const panic) for names longer than 32 bytes.
pub const fn name(s: &str) -> B256 {
    let bytes = s.as_bytes();
    assert!(bytes.len() <= 32, "parameter name longer than 32 bytes");
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < bytes.len() {
        out[i] = bytes[i];
        i += 1;
    }
    FixedBytes(out)
}

/// One governance parameter: name, default and inclusive bounds, all in the parameter's own unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// `bytes32("name")`.
    pub name: B256,
    /// Value set at construction.
    pub default: U256,
    /// Smallest settable value.
    pub min: U256,
    /// Largest settable value.
    pub max: U256,
}

impl Param {
    /// A parameter whose default and bounds fit 128 bits (every parameter of this project: the
    /// largest bound is 1e24 wei).
    pub const fn new(name: &str, default: u128, min: u128, max: u128) -> Self {
        Self {
            name: name_const(name),
            default: u128_word(default),
            min: u128_word(min),
            max: u128_word(max),
        }
    }
}

const fn name_const(s: &str) -> B256 {
    name(s)
}

const fn u128_word(x: u128) -> U256 {
    U256::from_limbs([x as u64, (x >> 64) as u64, 0, 0])
}

/// The entry of `name` in `table`.
///
/// # Errors
/// `UnknownParameter(name)` if it is not there.
pub fn find(table: &[Param], name: B256) -> Result<&Param, CommonError> {
    table
        .iter()
        .find(|p| p.name == name)
        .ok_or(CommonError::UnknownParameter(UnknownParameter { name }))
}

/// Storage component holding a contract's parameter values, keyed by name.
#[storage]
pub struct Parameters {
    /// `values[name]`.
    values: StorageMap<B256, StorageU256>,
}

impl Parameters {
    /// Sets every parameter of `table` to its default (constructors; no event).
    pub fn init(&mut self, table: &[Param]) {
        for p in table {
            self.values.insert(p.name, p.default);
        }
    }

    /// The stored value of `name` (no table check: for the contract's own reads of its known names).
    pub fn get(&self, name: B256) -> U256 {
        self.values.get(name)
    }

    /// `parameter(name)`: the value of a parameter of `table`.
    ///
    /// # Errors
    /// `UnknownParameter(name)`.
    pub fn value(&self, table: &[Param], name: B256) -> Result<U256, CommonError> {
        find(table, name)?;
        Ok(self.get(name))
    }

    /// Sets `name` to `value` if it lies in `[min, max]` and logs `ParameterUpdated`. Callers check
    /// the caller's role and pass the table's bounds (or tighter ones a rule between parameters
    /// imposes). Returns the old value.
    ///
    /// # Errors
    /// `ParameterOutOfBounds(name, value, min, max)`.
    pub fn set(
        &mut self,
        name: B256,
        value: U256,
        min: U256,
        max: U256,
    ) -> Result<U256, CommonError> {
        if value < min || value > max {
            return Err(CommonError::ParameterOutOfBounds(ParameterOutOfBounds {
                name,
                value,
                min,
                max,
            }));
        }
        let old = self.get(name);
        self.values.insert(name, value);
        let data = crate::abi_words::encode_static(&[], &[uint_word(old), uint_word(value)]);
        // Cannot fail: two topics.
        let _ = self
            .vm()
            .raw_log(&[ParameterUpdated::SIGNATURE_HASH, name], &data);
        Ok(old)
    }

    /// `setParameter(name, value)` with the bounds of `table`; returns the old value.
    ///
    /// # Errors
    /// `UnknownParameter(name)`, `ParameterOutOfBounds(name, value, min, max)`.
    pub fn set_in(
        &mut self,
        table: &[Param],
        name: B256,
        value: U256,
    ) -> Result<U256, CommonError> {
        let p = *find(table, name)?;
        self.set(name, value, p.min, p.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;
    use stylus_sdk::testing::TestVM;

    const TABLE: [Param; 2] = [
        Param::new("feeBps", 250, 1, 1_000),
        Param::new("minDisputeBond", 100_000_000_000_000_000_000, 1, u128::MAX),
    ];

    #[test]
    fn names_are_left_aligned_ascii() {
        assert_eq!(
            name("unbondingPeriod"),
            B256::from(hex!(
                "756e626f6e64696e67506572696f640000000000000000000000000000000000"
            ))
        );
        assert_eq!(name(""), B256::ZERO);
        assert_eq!(name("abcdefghijklmnopqrstuvwxyz012345")[31], b'5');
        assert_eq!(
            TABLE[1].default,
            U256::from(100u64) * U256::from(10u64).pow(U256::from(18))
        );
        assert_eq!(TABLE[1].max, U256::from(u128::MAX));
    }

    #[test]
    fn set_checks_bounds_logs_and_unknown_names_revert() {
        let vm = TestVM::new();
        let mut params = Parameters::from(&vm);
        params.init(&TABLE);
        let fee = name("feeBps");
        assert_eq!(params.value(&TABLE, fee), Ok(U256::from(250)));
        let unknown = name("nope");
        assert_eq!(
            params.value(&TABLE, unknown),
            Err(CommonError::UnknownParameter(UnknownParameter {
                name: unknown
            }))
        );
        assert_eq!(
            params.set_in(&TABLE, unknown, U256::from(1)),
            Err(CommonError::UnknownParameter(UnknownParameter {
                name: unknown
            }))
        );
        assert_eq!(
            params.set_in(&TABLE, fee, U256::ZERO),
            Err(CommonError::ParameterOutOfBounds(ParameterOutOfBounds {
                name: fee,
                value: U256::ZERO,
                min: U256::from(1),
                max: U256::from(1_000),
            }))
        );
        assert!(vm.get_emitted_logs().is_empty());
        assert_eq!(
            params.set_in(&TABLE, fee, U256::from(1_000)),
            Ok(U256::from(250))
        );
        assert_eq!(params.get(fee), U256::from(1_000));
        let logs = vm.get_emitted_logs();
        assert_eq!(logs.len(), 1);
        assert_eq!(
            ParameterUpdated::decode_raw_log(&logs[0].0, &logs[0].1).unwrap(),
            ParameterUpdated {
                name: fee,
                oldValue: U256::from(250),
                newValue: U256::from(1_000)
            }
        );
    }
}
