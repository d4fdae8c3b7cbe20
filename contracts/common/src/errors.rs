//! One shape for every contract's errors (ABI v2, CHANGELOG.md).
//!
//! - [`CommonError`]: the errors every contract shares — access control, pausing, failed external
//!   calls, parameters, arithmetic, token balance checks — each encoded once, here.
//! - [`contract_errors!`](crate::contract_errors): declares a contract's own custom errors once and
//!   generates the Solidity error structs (alloy `sol!`), the contract's `Error` enum (its own
//!   variants plus `Common(CommonError)`), the ABI encoder (`From<Error> for Vec<u8>`) and the list
//!   of errors its exported Solidity interface declares.
//! - [`contract_events!`](crate::contract_events): declares a contract's events once and generates
//!   the `sol!` event types and the list its `export-abi` binary prints.
//!
//! The encoder is written out per error rather than derived with stylus-sdk's `SolidityError`:
//! the derived one instantiates alloy's generic encoder per error type, which cost ~10–12 KB of wasm
//! per contract (README "Size budget"). Every error here has only static fields except
//! `CallFailed`'s trailing `bytes`, so an error is its selector followed by one ABI word per field;
//! each contract's unit tests compare the bytes with alloy's `SolError::abi_encode`.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, I256, U256};
use alloy_sol_types::{sol, SolError};

use crate::abi_words::{addr_word, encode_static, uint_word};
pub use crate::access::{
    AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount,
};
pub use crate::pausable::{EnforcedPause, ExpectedPause};

sol! {
    /// A call to another contract failed: it reverted (`returnData` is its revert data, e.g. the
    /// callee's own custom error), or returned something the caller cannot accept (`returnData` is
    /// what it returned: a view not returning exactly one word, or a token transfer not returning
    /// `true`). `target` is the called contract. The one external-call error of every compute-market
    /// contract.
    #[derive(Debug, PartialEq, Eq)]
    error CallFailed(address target, bytes returnData);

    /// `setParameter`/`parameter` was given `name`, which is not a parameter of this contract.
    #[derive(Debug, PartialEq, Eq)]
    error UnknownParameter(bytes32 name);

    /// Parameter `name` cannot be set to `value`: it must lie in `[min, max]` (inclusive, in the
    /// parameter's own unit).
    #[derive(Debug, PartialEq, Eq)]
    error ParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);

    /// A checked arithmetic operation overflowed 256 bits (amounts far beyond any real supply).
    #[derive(Debug, PartialEq, Eq)]
    error ArithmeticOverflow();

    /// This contract's balance of `token` moved by `actual` wei instead of the `expected` amount
    /// around a transfer (a fee-on-transfer, rebasing or otherwise broken token).
    #[derive(Debug, PartialEq, Eq)]
    error BalanceDeltaMismatch(address token, uint256 expected, uint256 actual);
}

/// The errors every compute-market contract shares; each encodes as the Solidity custom error it
/// wraps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommonError {
    /// The caller lacks the role a function needs (OpenZeppelin `AccessControl`).
    UnauthorizedAccount(AccessControlUnauthorizedAccount),
    /// `renounceRole` was called for another account.
    BadConfirmation(AccessControlBadConfirmation),
    /// A constructor was given the zero address as admin.
    InvalidDefaultAdmin(AccessControlInvalidDefaultAdmin),
    /// New business was attempted while paused (or `pause()` while paused).
    EnforcedPause(EnforcedPause),
    /// `unpause()` while not paused.
    ExpectedPause(ExpectedPause),
    /// See [`CallFailed`].
    CallFailed(CallFailed),
    /// See [`UnknownParameter`].
    UnknownParameter(UnknownParameter),
    /// See [`ParameterOutOfBounds`].
    ParameterOutOfBounds(ParameterOutOfBounds),
    /// See [`ArithmeticOverflow`].
    ArithmeticOverflow(ArithmeticOverflow),
    /// See [`BalanceDeltaMismatch`].
    BalanceDeltaMismatch(BalanceDeltaMismatch),
}

/// `CallFailed(target, returnData)`.
pub fn call_failed(target: Address, return_data: Vec<u8>) -> CommonError {
    CommonError::CallFailed(CallFailed {
        target,
        returnData: return_data.into(),
    })
}

/// `ArithmeticOverflow()`.
pub fn overflow() -> CommonError {
    CommonError::ArithmeticOverflow(ArithmeticOverflow {})
}

/// `AccessControlInvalidDefaultAdmin(admin)`.
pub fn invalid_admin(admin: Address) -> CommonError {
    CommonError::InvalidDefaultAdmin(AccessControlInvalidDefaultAdmin {
        defaultAdmin: admin,
    })
}

/// `a + b`, or `ArithmeticOverflow()`.
pub fn add(a: U256, b: U256) -> Result<U256, CommonError> {
    a.checked_add(b).ok_or_else(overflow)
}

impl From<CommonError> for Vec<u8> {
    #[inline(never)] // one copy per contract, shared by every revert path
    fn from(err: CommonError) -> Self {
        use CommonError as E;
        match err {
            E::UnauthorizedAccount(e) => encode_static(
                &AccessControlUnauthorizedAccount::SELECTOR,
                &[addr_word(e.account), e.neededRole],
            ),
            E::BadConfirmation(_) => encode_static(&AccessControlBadConfirmation::SELECTOR, &[]),
            E::InvalidDefaultAdmin(e) => encode_static(
                &AccessControlInvalidDefaultAdmin::SELECTOR,
                &[addr_word(e.defaultAdmin)],
            ),
            E::EnforcedPause(_) => encode_static(&EnforcedPause::SELECTOR, &[]),
            E::ExpectedPause(_) => encode_static(&ExpectedPause::SELECTOR, &[]),
            E::CallFailed(e) => {
                // (address, bytes): head = target, offset 0x40; tail = length, data padded.
                let data = e.returnData;
                let mut out = encode_static(
                    &CallFailed::SELECTOR,
                    &[
                        addr_word(e.target),
                        uint_word(U256::from(64)),
                        uint_word(U256::from(data.len())),
                    ],
                );
                out.extend_from_slice(&data);
                // Selector + three words + the data padded to whole words.
                let padded = data.len().div_ceil(32).saturating_mul(32);
                out.resize(padded.saturating_add(4 + 3 * 32), 0);
                out
            }
            E::UnknownParameter(e) => encode_static(&UnknownParameter::SELECTOR, &[e.name]),
            E::ParameterOutOfBounds(e) => encode_static(
                &ParameterOutOfBounds::SELECTOR,
                &[
                    e.name,
                    uint_word(e.value),
                    uint_word(e.min),
                    uint_word(e.max),
                ],
            ),
            E::ArithmeticOverflow(_) => encode_static(&ArithmeticOverflow::SELECTOR, &[]),
            E::BalanceDeltaMismatch(e) => encode_static(
                &BalanceDeltaMismatch::SELECTOR,
                &[
                    addr_word(e.token),
                    uint_word(e.expected),
                    uint_word(e.actual),
                ],
            ),
        }
    }
}

/// The errors the `AccessControl` and `Pausable` interfaces declare (what their functions return).
#[cfg(feature = "export-abi")]
impl stylus_sdk::abi::export::internal::InnerTypes for CommonError {
    fn inner_types() -> Vec<stylus_sdk::abi::export::internal::InnerType> {
        alloc::vec![
            crate::export::error_item::<AccessControlUnauthorizedAccount>(),
            crate::export::error_item::<AccessControlBadConfirmation>(),
            crate::export::error_item::<EnforcedPause>(),
            crate::export::error_item::<ExpectedPause>(),
        ]
    }
}

/// The ABI word of a static Solidity value (what `abi.encode` writes for one field).
pub trait AbiWord {
    /// The 32-byte big-endian ABI encoding.
    fn abi_word(&self) -> B256;
}

impl AbiWord for Address {
    fn abi_word(&self) -> B256 {
        addr_word(*self)
    }
}

impl AbiWord for U256 {
    fn abi_word(&self) -> B256 {
        uint_word(*self)
    }
}

impl AbiWord for alloy_primitives::aliases::U80 {
    fn abi_word(&self) -> B256 {
        uint_word(U256::from(self.to::<u128>()))
    }
}

impl AbiWord for B256 {
    fn abi_word(&self) -> B256 {
        *self
    }
}

impl AbiWord for I256 {
    fn abi_word(&self) -> B256 {
        uint_word(self.into_raw())
    }
}

impl AbiWord for bool {
    fn abi_word(&self) -> B256 {
        uint_word(U256::from(*self as u8))
    }
}

macro_rules! abi_word_uint {
    ($($t:ty),*) => {$(
        impl AbiWord for $t {
            fn abi_word(&self) -> B256 {
                uint_word(U256::from(*self))
            }
        }
    )*};
}
abi_word_uint!(u8, u16, u32, u64, u128);

/// Declares a contract's own custom errors once (ABI v2, CHANGELOG.md).
///
/// Each line `Variant = SolidityName(type field, …);` (static Solidity types only) becomes a
/// `sol!` error struct `SolidityName`, a variant `Variant(SolidityName)` of the enum, and an arm of
/// its encoder; the enum also gets `Common(CommonError)` with `From<CommonError>`. The `common:`
/// list names the shared errors (from [`crate::errors`]) the contract's exported interface declares,
/// after its own.
///
/// ```ignore
/// common::contract_errors! {
///     /// Every error the registry returns.
///     pub enum Error {
///         /// `provider` is not registered.
///         NotRegistered = RegistryNotRegistered(address provider);
///     }
///     common: [AccessControlUnauthorizedAccount, CallFailed];
/// }
/// ```
#[macro_export]
macro_rules! contract_errors {
    (
        $(#[doc = $edoc:expr])*
        $vis:vis enum $Error:ident {
            $(
                $(#[doc = $doc:expr])*
                $Variant:ident = $Name:ident($($ty:ident $field:ident),* $(,)?);
            )*
        }
        common: [$($Common:ident),* $(,)?];
    ) => {
        alloy_sol_types::sol! {
            $(
                $(#[doc = $doc])*
                #[derive(Debug, PartialEq, Eq)]
                error $Name($($ty $field),*);
            )*
        }

        $(#[doc = $edoc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        $vis enum $Error {
            $(
                $(#[doc = $doc])*
                $Variant($Name),
            )*
            /// An error every contract shares (access control, pausing, failed calls, parameters,
            /// arithmetic, token balance checks).
            Common($crate::errors::CommonError),
        }

        impl From<$crate::errors::CommonError> for $Error {
            fn from(e: $crate::errors::CommonError) -> Self {
                Self::Common(e)
            }
        }

        impl From<$Error> for alloc::vec::Vec<u8> {
            fn from(err: $Error) -> Self {
                #[allow(unused_imports)]
                use $crate::errors::AbiWord as _;
                match err {
                    $(
                        #[allow(unused_variables)]
                        $Error::$Variant(e) => $crate::abi_words::encode_static(
                            &<$Name as alloy_sol_types::SolError>::SELECTOR,
                            &[$(e.$field.abi_word()),*],
                        ),
                    )*
                    $Error::Common(e) => e.into(),
                }
            }
        }

        #[cfg(feature = "export-abi")]
        impl stylus_sdk::abi::export::internal::InnerTypes for $Error {
            fn inner_types() -> alloc::vec::Vec<stylus_sdk::abi::export::internal::InnerType> {
                alloc::vec![
                    $($crate::export::error_item::<$Name>(),)*
                    $($crate::export::error_item::<$crate::errors::$Common>(),)*
                ]
            }
        }
    };
}

/// Declares a contract's events once: each `event Name(…);` (Solidity syntax, with its doc
/// comment) becomes a `sol!` event type, and `events()` (feature `export-abi`) lists them for the
/// exported Solidity interface. Contracts log them by hand (`raw_log`): alloy's per-event encoder
/// costs ~500–800 bytes of wasm each; unit tests decode every log with these types.
#[macro_export]
macro_rules! contract_events {
    ($($(#[doc = $doc:expr])* event $Name:ident($($args:tt)*);)*) => {
        alloy_sol_types::sol! {
            $(
                $(#[doc = $doc])*
                #[derive(Debug, PartialEq, Eq)]
                #[sol(abi)]
                event $Name($($args)*);
            )*
        }

        /// The contract's own events, for its exported Solidity interface.
        #[cfg(feature = "export-abi")]
        pub fn events() -> alloc::vec::Vec<alloy_sol_types::private::alloy_json_abi::Event> {
            use alloy_sol_types::JsonAbiExt;
            alloc::vec![$($Name::abi()),*]
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    #[test]
    fn common_errors_encode_as_alloy() {
        let who = address!("00000000000000000000000000000000000000aa");
        let cases: Vec<(CommonError, Vec<u8>)> = vec![
            (
                CommonError::UnauthorizedAccount(AccessControlUnauthorizedAccount {
                    account: who,
                    neededRole: B256::repeat_byte(3),
                }),
                AccessControlUnauthorizedAccount {
                    account: who,
                    neededRole: B256::repeat_byte(3),
                }
                .abi_encode(),
            ),
            (
                CommonError::BadConfirmation(AccessControlBadConfirmation {}),
                AccessControlBadConfirmation {}.abi_encode(),
            ),
            (
                invalid_admin(Address::ZERO),
                AccessControlInvalidDefaultAdmin {
                    defaultAdmin: Address::ZERO,
                }
                .abi_encode(),
            ),
            (
                CommonError::EnforcedPause(EnforcedPause {}),
                EnforcedPause {}.abi_encode(),
            ),
            (
                CommonError::ExpectedPause(ExpectedPause {}),
                ExpectedPause {}.abi_encode(),
            ),
            (
                CommonError::UnknownParameter(UnknownParameter {
                    name: B256::repeat_byte(9),
                }),
                UnknownParameter {
                    name: B256::repeat_byte(9),
                }
                .abi_encode(),
            ),
            (
                CommonError::ParameterOutOfBounds(ParameterOutOfBounds {
                    name: B256::repeat_byte(1),
                    value: U256::from(5),
                    min: U256::from(6),
                    max: U256::MAX,
                }),
                ParameterOutOfBounds {
                    name: B256::repeat_byte(1),
                    value: U256::from(5),
                    min: U256::from(6),
                    max: U256::MAX,
                }
                .abi_encode(),
            ),
            (overflow(), ArithmeticOverflow {}.abi_encode()),
            (
                CommonError::BalanceDeltaMismatch(BalanceDeltaMismatch {
                    token: who,
                    expected: U256::from(10),
                    actual: U256::from(9),
                }),
                BalanceDeltaMismatch {
                    token: who,
                    expected: U256::from(10),
                    actual: U256::from(9),
                }
                .abi_encode(),
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(Vec::<u8>::from(error), expected);
        }
        for len in [0usize, 1, 31, 32, 33, 100] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(
                Vec::<u8>::from(call_failed(who, data.clone())),
                CallFailed {
                    target: who,
                    returnData: data.into()
                }
                .abi_encode(),
                "len {len}"
            );
        }
    }

    #[test]
    fn abi_words_match_alloy() {
        use alloy_sol_types::SolValue;
        assert_eq!(
            I256::MINUS_ONE.abi_word().as_slice(),
            I256::MINUS_ONE.abi_encode()
        );
        assert_eq!(true.abi_word().as_slice(), true.abi_encode());
        assert_eq!(7u16.abi_word().as_slice(), 7u16.abi_encode());
        assert_eq!(u64::MAX.abi_word().as_slice(), u64::MAX.abi_encode());
        assert_eq!(u128::MAX.abi_word().as_slice(), u128::MAX.abi_encode());
    }
}
