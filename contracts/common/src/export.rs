//! Solidity interface export (host only, feature `export-abi`).
//!
//! `cargo stylus export-abi` prints functions and errors but no events, and Solidity dApps and
//! log decoders need the events. [`print`] prints the SDK's interfaces with each one's events
//! inserted, and keeps the SDK's command line (`constructor`, `abi --license --pragma`), so
//! cargo-stylus still reads the constructor signature from the same binary.
//!
//! The SDK also leaves every output unnamed, so a client sees `eip712Domain()` as seven anonymous
//! values (ethers.js then has no `extensions` for OpenZeppelin's EIP-712 helper, viem and alloy
//! give `_0`…`_6`). Each contract therefore lists the output names of its functions that return
//! more than one value ([`OutputNames`], a table in the contract's `src/main.rs`), and [`print`]
//! writes them into the interface. A function returning more than one value that has no entry, an
//! entry with the wrong number of names, or an entry for a function that does not exist, makes the
//! binary exit with status 1 and say which (so `scripts/abi.sh` and its `--check` fail).

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

/// Output names of the functions that return more than one value: `(function, names)`, one name
/// per output in order, as the ERC/OpenZeppelin/Chainlink interface or the function's doc comment
/// names them. Single-value functions need no entry.
pub type OutputNames = &'static [(&'static str, &'static [&'static str])];

/// Writes the output names of `outputs` into every `function …(…) … returns (…);` line of
/// `rendered` (the SDK's interfaces) that returns more than one value, and marks the entries
/// used in `used`.
///
/// # Errors
/// One message per function that returns several values without an entry, and per entry whose
/// number of names differs from the function's number of outputs.
pub fn name_outputs(
    rendered: &str,
    outputs: OutputNames,
    used: &mut HashSet<&'static str>,
) -> Result<String, Vec<String>> {
    let mut out = String::with_capacity(rendered.len());
    let mut problems = Vec::new();
    for line in rendered.split_inclusive('\n') {
        match name_line(line, outputs) {
            Ok(Some((function, named))) => {
                used.insert(function);
                out.push_str(&named);
            }
            Ok(None) => out.push_str(line),
            Err((function, problem)) => {
                // An entry with the wrong count is not also reported as stale.
                used.extend(function);
                problems.push(problem);
                out.push_str(line);
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A problem with one line, and the table entry it concerns (if any).
type LineProblem = (Option<&'static str>, String);

/// One rendered line: `Ok(None)` when it is not a function returning several values, else the
/// line with names (and the table key that named it).
fn name_line(
    line: &str,
    outputs: OutputNames,
) -> Result<Option<(&'static str, String)>, LineProblem> {
    let item = line.trim_start();
    let Some(rest) = item.strip_prefix("function ") else {
        return Ok(None);
    };
    let Some(name) = rest.split('(').next() else {
        return Ok(None);
    };
    let Some(at) = line.find(" returns (") else {
        return Ok(None);
    };
    let open = at + " returns (".len();
    let Some(close) = line.rfind(')') else {
        return Ok(None);
    };
    let types = split_top_level(&line[open..close]);
    if types.len() < 2 {
        return Ok(None);
    }
    let Some(&(key, names)) = outputs.iter().find(|(f, _)| *f == name) else {
        return Err((
            None,
            format!(
            "{name}() returns {} values but has no output names: add (\"{name}\", &[...]) to the \
             contract's OUTPUT_NAMES in its src/main.rs",
            types.len()
        ),
        ));
    };
    if names.len() != types.len() {
        return Err((
            Some(key),
            format!(
                "{name}() returns {} values but OUTPUT_NAMES gives {} names ({})",
                types.len(),
                names.len(),
                names.join(", ")
            ),
        ));
    }
    let named: Vec<String> = types
        .iter()
        .zip(names)
        .map(|(t, n)| format!("{} {n}", t.trim()))
        .collect();
    Ok(Some((
        key,
        format!("{}{}{}", &line[..open], named.join(", "), &line[close..]),
    )))
}

/// Splits `a, (b, c)[] memory, d` at the commas outside parentheses.
fn split_top_level(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in list.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !list[start..].trim().is_empty() {
        parts.push(&list[start..]);
    }
    parts
}

/// The whole exported interface: each `(interface, events)` pair with its events
/// ([`with_events`]) and output names ([`name_outputs`]), base interfaces first.
///
/// # Errors
/// Every problem [`name_outputs`] finds, plus each [`OutputNames`] entry that matches no function.
pub fn render(
    interfaces: &[(String, Vec<Event>)],
    outputs: OutputNames,
) -> Result<String, Vec<String>> {
    let mut declared = HashSet::new();
    let mut used = HashSet::new();
    let mut out = String::new();
    let mut problems = Vec::new();
    for (interface, events) in interfaces {
        let rendered = with_events(interface, events, &mut declared);
        match name_outputs(&rendered, outputs, &mut used) {
            Ok(named) => out.push_str(&named),
            Err(p) => problems.extend(p),
        }
    }
    for (function, _) in outputs {
        if !used.contains(function) {
            problems.push(format!(
                "OUTPUT_NAMES lists {function}(), which is not a function returning several values \
                 (renamed or removed? update the table)"
            ));
        }
    }
    if problems.is_empty() {
        Ok(with_struct_locations(&out))
    } else {
        Err(problems)
    }
}

/// Adds `calldata` to each function parameter whose type is a struct the interface declares (or an
/// array of one): the SDK prints `Requirements requirements`, which solc rejects in an external
/// function ("Data location must be \"memory\" or \"calldata\"").
fn with_struct_locations(text: &str) -> String {
    let structs: HashSet<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("struct "))
        .filter_map(|rest| rest.split([' ', '{']).next())
        .collect();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let fixed = (|| {
            let rest = line.trim_start().strip_prefix("function ")?;
            let open = line.len() - rest.len() + rest.find('(')? + 1;
            let mut depth = 1usize;
            let close = open
                + line[open..]
                    .char_indices()
                    .find(|&(_, c)| {
                        match c {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        depth == 0
                    })?
                    .0;
            let params: Vec<String> = split_top_level(&line[open..close])
                .iter()
                .map(|p| {
                    let p = p.trim();
                    let mut words = p.split_whitespace();
                    let ty = words.next().unwrap_or("");
                    let second = words.next();
                    let base = ty.trim_end_matches("[]");
                    let located = matches!(second, Some("memory" | "calldata"));
                    if structs.contains(base) && !located {
                        match second {
                            Some(name) => format!("{ty} calldata {name}"),
                            None => format!("{ty} calldata"),
                        }
                    } else {
                        p.to_string()
                    }
                })
                .collect();
            Some(format!(
                "{}{}{}",
                &line[..open],
                params.join(", "),
                &line[close..]
            ))
        })();
        out.push_str(fixed.as_deref().unwrap_or(line));
    }
    out
}

/// Entry point of a contract's `export-abi` binary: the SDK's `constructor` subcommand is passed
/// through to `print_from_args` (cargo-stylus relies on it); otherwise prints the license and pragma
/// and then each `(interface, events)` pair, with the output names of `outputs` ([`render`]).
/// List base interfaces before the interfaces that inherit them (solc requires it; the SDK prints
/// them the other way round). Exits with status 1, printing each problem to stderr, when
/// [`render`] fails.
pub fn print(print_from_args: fn(), interfaces: &[(String, Vec<Event>)], outputs: OutputNames) {
    if std::env::args().nth(1).as_deref() == Some("constructor") {
        print_from_args();
        return;
    }
    match render(interfaces, outputs) {
        Ok(text) => {
            export::handle_license_and_pragma();
            print!("{text}");
        }
        Err(problems) => {
            for p in problems {
                eprintln!("error: {p}");
            }
            std::process::exit(1);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: OutputNames = &[
        ("pair", &["first", "second"]),
        ("domain", &["fields", "name", "extensions"]),
    ];

    #[test]
    fn names_every_output_of_a_multi_value_function() {
        let rendered = "interface I {\n    function pair(uint256 a) external view returns (uint256, address);\n\n    function one() external view returns (uint256);\n\n    function domain() external view returns (bytes1, string memory, uint256[] memory);\n}\n";
        let out = render(&[(rendered.to_string(), vec![])], TABLE).unwrap();
        assert!(out.contains(
            "function pair(uint256 a) external view returns (uint256 first, address second);\n"
        ));
        assert!(out.contains("function one() external view returns (uint256);\n"));
        assert!(out
            .contains("returns (bytes1 fields, string memory name, uint256[] memory extensions);"));
    }

    #[test]
    fn a_missing_entry_a_wrong_count_and_a_stale_entry_fail() {
        let rendered = "interface I {\n    function pair() external view returns (uint256, address);\n    function other() external view returns (uint256, uint256);\n}\n";
        let table: OutputNames = &[("pair", &["only"]), ("gone", &["a", "b"])];
        let problems = render(&[(rendered.to_string(), vec![])], table).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("pair() returns 2 values but OUTPUT_NAMES gives 1 names"));
        assert!(problems[1].contains("other() returns 2 values but has no output names"));
        assert!(problems[2].contains("OUTPUT_NAMES lists gone()"));
    }

    #[test]
    fn struct_parameters_get_a_data_location() {
        let rendered = "interface I {\n    function open(uint256 a, Req r, Req[] rs, Req calldata k) external;\n\n    function get() external view returns (Req memory);\n\n    struct Req {uint256 x;}\n}\n";
        let out = render(&[(rendered.to_string(), vec![])], &[]).unwrap();
        assert!(out.contains(
            "function open(uint256 a, Req calldata r, Req[] calldata rs, Req calldata k) external;\n"
        ));
        assert!(out.contains("function get() external view returns (Req memory);\n"));
    }

    #[test]
    fn splits_only_at_top_level_commas() {
        assert_eq!(
            split_top_level("uint256, (uint8, address)[] memory, bool"),
            ["uint256", " (uint8, address)[] memory", " bool"]
        );
        assert!(split_top_level("").is_empty());
    }
}
