//! Conversions from the shared components' errors into a contract's own error enum.

/// Implements `From<AccessControlError>` (and, with `pausable`, `From<PausableError>`) for a
/// contract's `SolidityError` enum, which must have the variants `UnauthorizedAccount`,
/// `BadConfirmation` (and `EnforcedPause`, `ExpectedPause`) wrapping the common error structs.
///
/// ```ignore
/// common::impl_error_from_common!(Error, access, pausable);
/// ```
#[macro_export]
macro_rules! impl_error_from_common {
    ($error:ty, access) => {
        impl From<$crate::access::AccessControlError> for $error {
            fn from(e: $crate::access::AccessControlError) -> Self {
                match e {
                    $crate::access::AccessControlError::UnauthorizedAccount(e) => {
                        Self::UnauthorizedAccount(e)
                    }
                    $crate::access::AccessControlError::BadConfirmation(e) => {
                        Self::BadConfirmation(e)
                    }
                }
            }
        }
    };
    ($error:ty, access, pausable) => {
        $crate::impl_error_from_common!($error, access);

        impl From<$crate::pausable::PausableError> for $error {
            fn from(e: $crate::pausable::PausableError) -> Self {
                match e {
                    $crate::pausable::PausableError::EnforcedPause(e) => Self::EnforcedPause(e),
                    $crate::pausable::PausableError::ExpectedPause(e) => Self::ExpectedPause(e),
                    $crate::pausable::PausableError::UnauthorizedAccount(e) => {
                        Self::UnauthorizedAccount(e)
                    }
                    $crate::pausable::PausableError::BadConfirmation(e) => Self::BadConfirmation(e),
                }
            }
        }
    };
}

/// Implements stylus-sdk's export-abi `InnerTypes` for a contract's hand-encoded error enum: the
/// `error …;` declarations its exported interface lists (what `#[derive(SolidityError)]` would
/// generate), in the given order. Expands to nothing unless the calling crate's `export-abi`
/// feature is on.
///
/// ```ignore
/// common::impl_error_inner_types!(Error; MyError, AccessControlUnauthorizedAccount);
/// ```
#[macro_export]
macro_rules! impl_error_inner_types {
    ($error:ty; $($t:ty),+ $(,)?) => {
        #[cfg(feature = "export-abi")]
        impl stylus_sdk::abi::export::internal::InnerTypes for $error {
            fn inner_types() -> alloc::vec::Vec<stylus_sdk::abi::export::internal::InnerType> {
                alloc::vec![$($crate::export::error_item::<$t>()),+]
            }
        }
    };
}
