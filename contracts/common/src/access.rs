//! Role-based access control with OpenZeppelin Contracts 5.x semantics (`AccessControl.sol`),
//! written for stylus-sdk 0.10 (host access through `self.vm()`).
//!
//! A contract embeds the [`Roles`] storage component, exposes the ABI with
//! [`impl_access_control!`](crate::impl_access_control) and guards privileged functions with
//! [`Roles::only_role`]. Roles are `bytes32` identifiers (see [`crate::roles`]); each role has an admin
//! role whose holders may grant and revoke it. Every role's admin is
//! [`DEFAULT_ADMIN_ROLE`](crate::roles::DEFAULT_ADMIN_ROLE) unless changed with
//! [`Roles::_set_role_admin`].
//!
//! WARNING: `DEFAULT_ADMIN_ROLE` is also its own admin: its holders can grant it to others and revoke
//! it from each other. Give it to a multisig or timelock, never to an automated hot key.
//!
//! NOTE: granting a role that is already held, or revoking one that is not, changes nothing and
//! emits no event (as in OpenZeppelin).

#[allow(unused_imports)] // referenced by code stylus-proc generates
use alloc::{vec, vec::Vec};

use alloy_primitives::{Address, B256};
use alloy_sol_types::{sol, SolEvent};

use crate::abi_words::addr_word;
use crate::errors::CommonError;
use stylus_sdk::{
    prelude::*,
    storage::{StorageB256, StorageBool, StorageMap},
};

sol! {
    /// The caller `account` lacks `neededRole`.
    ///
    /// * `account` - the caller that was checked.
    /// * `neededRole` - the role it needed.
    #[derive(Debug, PartialEq, Eq)]
    error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);

    /// `renounceRole` was called with a `callerConfirmation` different from the caller.
    #[derive(Debug, PartialEq, Eq)]
    error AccessControlBadConfirmation();

    /// A constructor was given the zero address as the default admin.
    ///
    /// * `defaultAdmin` - the rejected admin address (always zero).
    #[derive(Debug, PartialEq, Eq)]
    error AccessControlInvalidDefaultAdmin(address defaultAdmin);

    /// `newAdminRole` replaced `previousAdminRole` as the admin of `role`.
    ///
    /// * `role` - the role whose admin changed.
    /// * `previousAdminRole` - the admin role before.
    /// * `newAdminRole` - the admin role now.
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole);

    /// `account` was granted `role` by `sender`.
    ///
    /// * `role` - the role granted.
    /// * `account` - the new holder.
    /// * `sender` - the caller that granted it (the contract's constructor caller at construction).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);

    /// `role` was revoked from `account` by `sender`.
    ///
    /// * `role` - the role revoked.
    /// * `account` - the former holder.
    /// * `sender` - the caller that revoked it (`account` itself when renounced).
    #[derive(Debug, PartialEq, Eq)]
    #[sol(abi)]
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);
}

/// Membership and admin role of one role.
#[storage]
pub struct RoleData {
    /// `members[account]` is true while `account` holds the role.
    members: StorageMap<Address, StorageBool>,
    /// The role whose holders may grant and revoke this role.
    admin_role: StorageB256,
}

/// Storage component holding every role's members and admin role.
///
/// Storage layout: one `mapping(bytes32 => RoleData)`, as in OpenZeppelin's `AccessControl`.
#[storage]
pub struct Roles {
    /// `roles[role]`: members and admin of `role`.
    roles: StorageMap<B256, RoleData>,
}

impl Roles {
    /// Whether `account` holds `role`.
    pub fn has_role(&self, role: B256, account: Address) -> bool {
        self.roles.getter(role).members.get(account)
    }

    /// The admin role of `role` ([`DEFAULT_ADMIN_ROLE`](crate::roles::DEFAULT_ADMIN_ROLE) unless
    /// changed).
    pub fn get_role_admin(&self, role: B256) -> B256 {
        self.roles.getter(role).admin_role.get()
    }

    /// Checks that `account` holds `role`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount` with `account` and `role` when it does not.
    pub fn check_role(&self, role: B256, account: Address) -> Result<(), CommonError> {
        if self.has_role(role, account) {
            Ok(())
        } else {
            Err(CommonError::UnauthorizedAccount(
                AccessControlUnauthorizedAccount {
                    account,
                    neededRole: role,
                },
            ))
        }
    }

    /// Checks that the caller (`msg.sender`) holds `role`: the guard of every privileged function.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount` with the caller and `role` when it does not.
    pub fn only_role(&self, role: B256) -> Result<(), CommonError> {
        self.check_role(role, self.vm().msg_sender())
    }

    /// `grantRole(role, account)`: the caller, holding `role`'s admin role, grants `role`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount` if the caller lacks the admin role.
    ///
    /// # Events
    /// [`RoleGranted`] if `account` did not hold the role yet.
    pub fn grant_role(&mut self, role: B256, account: Address) -> Result<(), CommonError> {
        self.only_role(self.get_role_admin(role))?;
        self._grant_role(role, account);
        Ok(())
    }

    /// `revokeRole(role, account)`: the caller, holding `role`'s admin role, revokes `role`.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount` if the caller lacks the admin role.
    ///
    /// # Events
    /// [`RoleRevoked`] if `account` held the role.
    pub fn revoke_role(&mut self, role: B256, account: Address) -> Result<(), CommonError> {
        self.only_role(self.get_role_admin(role))?;
        self._revoke_role(role, account);
        Ok(())
    }

    /// `renounceRole(role, callerConfirmation)`: the caller gives up `role`. `callerConfirmation` must
    /// equal the caller, which guards against renouncing by mistake.
    ///
    /// # Errors
    /// `AccessControlBadConfirmation` if `caller_confirmation` is not the caller.
    ///
    /// # Events
    /// [`RoleRevoked`] if the caller held the role.
    pub fn renounce_role(
        &mut self,
        role: B256,
        caller_confirmation: Address,
    ) -> Result<(), CommonError> {
        if caller_confirmation != self.vm().msg_sender() {
            return Err(CommonError::BadConfirmation(
                AccessControlBadConfirmation {},
            ));
        }
        self._revoke_role(role, caller_confirmation);
        Ok(())
    }

    /// Grants `role` to `account` without checking the caller (constructors, internal wiring).
    /// Returns whether the role was newly granted.
    ///
    /// # Events
    /// [`RoleGranted`] (with the caller as `sender`) if the role was newly granted.
    pub fn _grant_role(&mut self, role: B256, account: Address) -> bool {
        if self.has_role(role, account) {
            return false;
        }
        self.roles.setter(role).members.insert(account, true);
        let sender = self.vm().msg_sender();
        // Logged by hand (topics only): alloy's per-event encoder costs ~800 bytes of wasm each.
        let _ = self.vm().raw_log(
            &[
                RoleGranted::SIGNATURE_HASH,
                role,
                addr_word(account),
                addr_word(sender),
            ],
            &[],
        );
        true
    }

    /// Revokes `role` from `account` without checking the caller. Returns whether it was held.
    ///
    /// # Events
    /// [`RoleRevoked`] (with the caller as `sender`) if the role was held.
    pub fn _revoke_role(&mut self, role: B256, account: Address) -> bool {
        if !self.has_role(role, account) {
            return false;
        }
        self.roles.setter(role).members.insert(account, false);
        let sender = self.vm().msg_sender();
        let _ = self.vm().raw_log(
            &[
                RoleRevoked::SIGNATURE_HASH,
                role,
                addr_word(account),
                addr_word(sender),
            ],
            &[],
        );
        true
    }

    /// Makes `admin_role` the admin of `role`, without checking the caller.
    ///
    /// # Events
    /// [`RoleAdminChanged`].
    pub fn _set_role_admin(&mut self, role: B256, admin_role: B256) {
        let previous = self.get_role_admin(role);
        self.roles.setter(role).admin_role.set(admin_role);
        let _ = self.vm().raw_log(
            &[RoleAdminChanged::SIGNATURE_HASH, role, previous, admin_role],
            &[],
        );
    }
}

/// The access-control ABI of every compute-market contract (exported as `IAccessControl`), identical
/// to OpenZeppelin's `IAccessControl` so existing tooling (Safe apps, OZ Defender, scripts) works.
#[public]
#[allow(missing_docs)] // for the items stylus-proc generates beside the trait
pub trait AccessControl {
    /// Whether `account` holds `role`.
    fn has_role(&self, role: B256, account: Address) -> bool;

    /// The admin role of `role`.
    fn get_role_admin(&self, role: B256) -> B256;

    /// Grants `role` to `account`; the caller must hold `role`'s admin role.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, adminRole)`.
    ///
    /// # Events
    /// `RoleGranted` if newly granted.
    fn grant_role(&mut self, role: B256, account: Address) -> Result<(), CommonError>;

    /// Revokes `role` from `account`; the caller must hold `role`'s admin role.
    ///
    /// # Errors
    /// `AccessControlUnauthorizedAccount(caller, adminRole)`.
    ///
    /// # Events
    /// `RoleRevoked` if it was held.
    fn revoke_role(&mut self, role: B256, account: Address) -> Result<(), CommonError>;

    /// The caller gives up `role`; `caller_confirmation` must be the caller.
    ///
    /// # Errors
    /// `AccessControlBadConfirmation()`.
    ///
    /// # Events
    /// `RoleRevoked` if it was held.
    fn renounce_role(
        &mut self,
        role: B256,
        caller_confirmation: Address,
    ) -> Result<(), CommonError>;
}

/// The events of the [`AccessControl`] ABI, for the exported Solidity interface.
#[cfg(feature = "export-abi")]
pub fn events() -> alloc::vec::Vec<alloy_sol_types::private::alloy_json_abi::Event> {
    use alloy_sol_types::JsonAbiExt;
    alloc::vec![
        RoleAdminChanged::abi(),
        RoleGranted::abi(),
        RoleRevoked::abi()
    ]
}

/// Implements the [`AccessControl`] ABI for a contract by delegating to its [`Roles`] field.
///
/// Use it next to the contract's own `#[public]` block, which must list
/// `#[implements(common::access::AccessControl)]`:
///
/// ```ignore
/// common::impl_access_control!(ComputeToken, roles);
/// ```
#[macro_export]
macro_rules! impl_access_control {
    ($contract:ty, $field:ident) => {
        #[stylus_sdk::prelude::public]
        impl $crate::access::AccessControl for $contract {
            fn has_role(
                &self,
                role: alloy_primitives::B256,
                account: alloy_primitives::Address,
            ) -> bool {
                self.$field.has_role(role, account)
            }

            fn get_role_admin(&self, role: alloy_primitives::B256) -> alloy_primitives::B256 {
                self.$field.get_role_admin(role)
            }

            fn grant_role(
                &mut self,
                role: alloy_primitives::B256,
                account: alloy_primitives::Address,
            ) -> Result<(), $crate::errors::CommonError> {
                self.$field.grant_role(role, account)
            }

            fn revoke_role(
                &mut self,
                role: alloy_primitives::B256,
                account: alloy_primitives::Address,
            ) -> Result<(), $crate::errors::CommonError> {
                self.$field.revoke_role(role, account)
            }

            fn renounce_role(
                &mut self,
                role: alloy_primitives::B256,
                caller_confirmation: alloy_primitives::Address,
            ) -> Result<(), $crate::errors::CommonError> {
                self.$field.renounce_role(role, caller_confirmation)
            }
        }
    };
}
