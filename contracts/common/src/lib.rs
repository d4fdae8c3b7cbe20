//! Code shared by the compute-market Stylus contracts (stylus-sdk 0.10).
//!
//! Only what two or more contracts truly share lives here (docs/protocol.md describes the rules):
//!
//! - [`errors`]: the errors every contract shares ([`errors::CommonError`]: access control,
//!   pausing, `CallFailed`, parameters, arithmetic, balance checks) and the
//!   [`contract_errors!`]/[`contract_events!`] macros that declare a contract's own errors and
//!   events once (error structs, enum, encoder, exported lists).
//! - [`access`]: OpenZeppelin-style role-based access control ([`access::Roles`] storage component,
//!   the [`access::AccessControl`] ABI trait, its events, and the [`impl_access_control!`] macro).
//! - [`pausable`]: OpenZeppelin-style emergency pause ([`pausable::PauseState`], the
//!   [`pausable::Pausable`] ABI trait guarded by `PAUSER_ROLE`, and [`impl_pausable!`]).
//! - [`params`]: governance parameters — one table shape ([`params::Param`]), one storage component
//!   ([`params::Parameters`]), one `ParameterUpdated` event and one behaviour for unknown names.
//! - [`calls`]: the one external-call policy (raw call, one-word view, balance-checked token move).
//! - [`abi_words`]: hand-written ABI encoding of errors, events and calls (static words, `bytes`).
//! - [`math`]: `a × b / d` with rounding, on a compact long division instead of ruint's.
//! - [`roles`]: the role identifiers, as `keccak256("NAME_ROLE")` constants.
//! - [`short_string`]: strings of up to 31 bytes in one storage slot (token metadata, feed description).
//! - `export` (feature `export-abi`): prints a contract's Solidity interface with its events.
//!
//! The crate holds no `#[entrypoint]`; it is linked into each contract's wasm.
// `CommonError` carries a callee's revert data (`CallFailed`); boxing it would add allocation code
// to every revert path of programs that must stay small.
#![allow(clippy::result_large_err)]

extern crate alloc;

pub mod abi_words;
pub mod access;
pub mod calls;
pub mod errors;
#[cfg(feature = "export-abi")]
pub mod export;
pub mod math;
pub mod params;
pub mod pausable;
pub mod roles;
pub mod short_string;
