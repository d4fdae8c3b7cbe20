//! Code shared by the compute-market Stylus contracts (stylus-sdk 0.10).
//!
//! Only what two or more contracts truly share lives here:
//!
//! - [`abi_words`]: hand-written ABI encoding of errors, events and calls (static words, one `bytes`).
//! - [`access`]: OpenZeppelin-style role-based access control ([`access::Roles`] storage component,
//!   the [`access::AccessControl`] ABI trait, its errors and events, and the
//!   [`impl_access_control!`] macro that exposes it from a contract's entrypoint).
//! - `export` (feature `export-abi`): prints a contract's Solidity interface with its events.
//! - [`pausable`]: OpenZeppelin-style emergency pause ([`pausable::PauseState`] storage component,
//!   the [`pausable::Pausable`] ABI trait guarded by `PAUSER_ROLE`, `EnforcedPause()`/`ExpectedPause()`,
//!   `Paused`/`Unpaused`, and the [`impl_pausable!`] macro).
//! - [`math`]: `a × b / d` with rounding, on a compact long division instead of ruint's.
//! - [`params`]: the `ParameterUpdated` event of bounded governance parameters and [`params::name`].
//! - [`roles`]: the role identifiers of DESIGN.md §2 and §7, as `keccak256("NAME_ROLE")` constants.
//! - [`short_string`]: strings of up to 31 bytes in one storage slot (token metadata, feed description).
//!
//! The crate holds no `#[entrypoint]`; it is linked into each contract's wasm.
extern crate alloc;

pub mod abi_words;
pub mod access;
mod errors;
#[cfg(feature = "export-abi")]
pub mod export;
pub mod math;
pub mod params;
pub mod pausable;
pub mod roles;
pub mod short_string;
