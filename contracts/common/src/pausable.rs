//! Emergency pause with OpenZeppelin Contracts 5.x semantics (`Pausable.sol`), shared by the
//! registry, the escrow, the BME controller and the job market (docs/protocol.md §2, "Pausing").
//!
//! A contract embeds the [`PauseState`] storage component, exposes the ABI with
//! [`impl_pausable!`](crate::impl_pausable) (`pause()`/`unpause()` guarded by
//! [`PAUSER_ROLE`](crate::roles::PAUSER_ROLE), `paused()` open to all) and calls
//! [`PauseState::when_not_paused`] at the start of every function that starts *new business*
//! (buying credits, creating/accepting jobs, registering, staking). Exits — refunds, withdrawals of
//! matured unbonding, finalisation, claims — must never check the pause (docs/protocol.md §2,
//! "Pausing").
//!
//! NOTE: pausing twice, or unpausing an unpaused contract, reverts (`EnforcedPause()` /
//! `ExpectedPause()`), as in OpenZeppelin, so every `Paused`/`Unpaused` event is a real change.

#[allow(unused_imports)] // referenced by code stylus-proc generates
use alloc::{vec, vec::Vec};

use alloy_sol_types::{sol, SolEvent};

use crate::abi_words::addr_word;
use stylus_sdk::{prelude::*, storage::StorageBool};

use crate::errors::CommonError;

sol! {
    /// The function is unavailable while the contract is paused.
    #[derive(Debug, PartialEq, Eq)]
    error EnforcedPause();

    /// `unpause` was called while the contract is not paused.
    #[derive(Debug, PartialEq, Eq)]
    error ExpectedPause();

    /// `account` (a `PAUSER_ROLE` holder) paused the contract.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event Paused(address account);

    /// `account` (a `PAUSER_ROLE` holder) lifted the pause.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event Unpaused(address account);
}

/// Storage component holding the pause flag (one `bool` slot, `false` = running).
#[storage]
pub struct PauseState {
    /// True while paused.
    paused: StorageBool,
}

impl PauseState {
    /// Whether the contract is paused.
    pub fn paused(&self) -> bool {
        self.paused.get()
    }

    /// Guard of every new-business function.
    ///
    /// # Errors
    /// `EnforcedPause()` while paused.
    pub fn when_not_paused(&self) -> Result<(), CommonError> {
        if self.paused() {
            Err(CommonError::EnforcedPause(EnforcedPause {}))
        } else {
            Ok(())
        }
    }

    /// Guard of functions that only make sense while paused.
    ///
    /// # Errors
    /// `ExpectedPause()` while not paused.
    pub fn when_paused(&self) -> Result<(), CommonError> {
        if self.paused() {
            Ok(())
        } else {
            Err(CommonError::ExpectedPause(ExpectedPause {}))
        }
    }

    /// Pauses without checking the caller's role (callers check).
    ///
    /// # Errors
    /// `EnforcedPause()` if already paused.
    ///
    /// # Events
    /// `Paused(msg.sender)`.
    pub fn _pause(&mut self) -> Result<(), CommonError> {
        self.when_not_paused()?;
        self.paused.set(true);
        let account = self.vm().msg_sender();
        // Logged by hand: alloy's per-event encoder costs ~500 bytes of wasm each.
        let _ = self
            .vm()
            .raw_log(&[Paused::SIGNATURE_HASH], addr_word(account).as_slice());
        Ok(())
    }

    /// Unpauses without checking the caller's role (callers check).
    ///
    /// # Errors
    /// `ExpectedPause()` if not paused.
    ///
    /// # Events
    /// `Unpaused(msg.sender)`.
    pub fn _unpause(&mut self) -> Result<(), CommonError> {
        self.when_paused()?;
        self.paused.set(false);
        let account = self.vm().msg_sender();
        let _ = self
            .vm()
            .raw_log(&[Unpaused::SIGNATURE_HASH], addr_word(account).as_slice());
        Ok(())
    }
}

/// The pausing ABI of the compute-market contracts (exported as `IPausable`): OpenZeppelin's
/// `paused()` plus role-guarded `pause()`/`unpause()`.
#[public]
#[allow(missing_docs)] // for the items stylus-proc generates beside the trait
pub trait Pausable {
    /// Whether new business is paused.
    fn paused(&self) -> bool;

    /// Pauses new business; the caller must hold `PAUSER_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, PAUSER_ROLE)`; `EnforcedPause()` if already paused.
    ///
    /// # Events
    /// `Paused(caller)`.
    fn pause(&mut self) -> Result<(), CommonError>;

    /// Lifts the pause; the caller must hold `PAUSER_ROLE`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, PAUSER_ROLE)`; `ExpectedPause()` if not paused.
    ///
    /// # Events
    /// `Unpaused(caller)`.
    fn unpause(&mut self) -> Result<(), CommonError>;
}

/// The events of the [`Pausable`] ABI, for the exported Solidity interface.
#[cfg(feature = "export-abi")]
pub fn events() -> alloc::vec::Vec<alloy_sol_types::private::alloy_json_abi::Event> {
    use alloy_sol_types::JsonAbiExt;
    alloc::vec![Paused::abi(), Unpaused::abi()]
}

/// Implements the [`Pausable`] ABI for a contract from its [`PauseState`] field and its
/// [`Roles`](crate::access::Roles) field (which guards `pause`/`unpause` with `PAUSER_ROLE`).
///
/// Use it next to the contract's own `#[public]` block, which must list
/// `#[implements(common::pausable::Pausable)]`:
///
/// ```ignore
/// common::impl_pausable!(ProviderRegistry, pause_state, roles);
/// ```
#[macro_export]
macro_rules! impl_pausable {
    ($contract:ty, $field:ident, $roles:ident) => {
        #[stylus_sdk::prelude::public]
        impl $crate::pausable::Pausable for $contract {
            fn paused(&self) -> bool {
                self.$field.paused()
            }

            fn pause(&mut self) -> Result<(), $crate::errors::CommonError> {
                self.$roles.only_role($crate::roles::PAUSER_ROLE)?;
                self.$field._pause()
            }

            fn unpause(&mut self) -> Result<(), $crate::errors::CommonError> {
                self.$roles.only_role($crate::roles::PAUSER_ROLE)?;
                self.$field._unpause()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, Address};
    use alloy_sol_types::SolEvent;
    use stylus_sdk::testing::TestVM;

    const PAUSER: Address = address!("0000000000000000000000000000000000009a05");

    #[test]
    fn pause_state_guards_and_logs() {
        let vm = TestVM::new();
        vm.set_sender(PAUSER);
        let mut state = PauseState::from(&vm);
        assert!(!state.paused());
        assert_eq!(state.when_not_paused(), Ok(()));
        assert_eq!(
            state.when_paused(),
            Err(CommonError::ExpectedPause(ExpectedPause {}))
        );
        assert_eq!(
            state._unpause(),
            Err(CommonError::ExpectedPause(ExpectedPause {}))
        );
        state._pause().unwrap();
        assert!(state.paused());
        assert_eq!(
            state.when_not_paused(),
            Err(CommonError::EnforcedPause(EnforcedPause {}))
        );
        assert_eq!(
            state._pause(),
            Err(CommonError::EnforcedPause(EnforcedPause {}))
        );
        state._unpause().unwrap();
        assert!(!state.paused());
        let logs = vm.get_emitted_logs();
        assert_eq!(logs.len(), 2);
        assert_eq!(
            Paused::decode_raw_log(&logs[0].0, &logs[0].1).unwrap(),
            Paused { account: PAUSER }
        );
        assert_eq!(
            Unpaused::decode_raw_log(&logs[1].0, &logs[1].1).unwrap(),
            Unpaused { account: PAUSER }
        );
    }
}
