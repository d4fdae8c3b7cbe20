//! Solidity interface export (host only, feature `export-abi`).
//!
//! `cargo stylus export-abi` prints functions and errors but no events, and Solidity dApps and
//! log decoders need the events. [`print`] prints the SDK's interfaces with each one's events
//! inserted, and keeps the SDK's command line (`constructor`, `abi --license --pragma`), so
//! cargo-stylus still reads the constructor signature from the same binary.

use core::fmt;
use std::collections::HashSet;

use alloy_sol_types::private::alloy_json_abi::Event;
use stylus_sdk::abi::{export, GenerateAbi};

struct Show(fn(&mut fmt::Formatter<'_>) -> fmt::Result);

impl fmt::Display for Show {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.0)(f)
    }
}

/// The SDK's rendering of `T`'s interface (`interface I<Name> is … { … }`).
pub fn interface<T: GenerateAbi>() -> String {
    Show(T::fmt_abi).to_string()
}

/// Inserts `event …;` declarations before the closing brace of a rendered interface, and drops
/// `error …;` lines already in `declared` (errors a base interface declares: solc rejects a second
/// declaration in the derived one). Adds the interface's own errors to `declared`.
pub fn with_events(interface: &str, events: &[Event], declared: &mut HashSet<String>) -> String {
    let body = interface.trim_end();
    let Some(open) = body.strip_suffix('}') else {
        return interface.to_string();
    };
    let mut out = String::new();
    let mut blank = false;
    for line in open.trim_end().lines() {
        let item = line.trim();
        if item.starts_with("error ") && !declared.insert(item.to_string()) {
            continue;
        }
        // Collapse the blank line a dropped declaration leaves behind.
        if item.is_empty() && blank {
            continue;
        }
        blank = item.is_empty();
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    for event in events {
        out.push_str(&format!("\n    {};\n", event.full_signature()));
    }
    out.push_str("}\n");
    out
}

/// Entry point of a contract's `export-abi` binary: the SDK's `constructor` subcommand is passed
/// through to `print_from_args` (cargo-stylus relies on it); otherwise prints the license and pragma
/// and then each `(interface, events)` pair. List base interfaces before the interfaces that
/// inherit them (solc requires it; the SDK prints them the other way round).
pub fn print(print_from_args: fn(), interfaces: &[(String, Vec<Event>)]) {
    if std::env::args().nth(1).as_deref() == Some("constructor") {
        print_from_args();
        return;
    }
    export::handle_license_and_pragma();
    let mut declared = HashSet::new();
    for (interface, events) in interfaces {
        print!("{}", with_events(interface, events, &mut declared));
    }
}

/// The `error Name(type a, type b);` declaration of `T` as the exported interface lists it (used by
/// [`crate::impl_error_inner_types!`]).
pub fn error_item<T: alloy_sol_types::SolError + 'static>(
) -> stylus_sdk::abi::export::internal::InnerType {
    stylus_sdk::abi::export::internal::InnerType {
        name: format!("error {};", T::SIGNATURE.replace(',', ", ")),
        id: core::any::TypeId::of::<T>(),
    }
}
