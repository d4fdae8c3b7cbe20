//! Prints the contract's Solidity interface with its events:
//! `cargo run -p compute-token --features export-abi` (what `cargo stylus export-abi` runs).

use common::export::{interface, print, OutputNames};
use compute_token::{AccessControlStylusAbiStruct, ComputeToken};

/// Output names of the functions returning several values (`common::export::OutputNames`), as ERC-5267 names `eip712Domain()`'s outputs.
/// `scripts/abi.sh` fails while a function returning several values has no entry here.
const OUTPUT_NAMES: OutputNames = &[(
    "eip712Domain",
    &[
        "fields",
        "name",
        "version",
        "chainId",
        "verifyingContract",
        "salt",
        "extensions",
    ],
)];

fn main() {
    let events = compute_token::interface::events();
    print(
        compute_token::print_from_args,
        &[
            (
                interface::<AccessControlStylusAbiStruct>(),
                common::access::events(),
            ),
            (interface::<ComputeToken>(), events),
        ],
        OUTPUT_NAMES,
    );
}
