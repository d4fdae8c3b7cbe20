//! Prints the contract's Solidity interface with its events:
//! `cargo run -p compute-token --features export-abi` (what `cargo stylus export-abi` runs).

use alloy_sol_types::JsonAbiExt;
use common::export::{interface, print, OutputNames};
use compute_token::{interface::*, AccessControlStylusAbiStruct, ComputeToken};

/// Output names of the functions returning several values (`common::export::OutputNames`): what
/// `abi/IComputeToken.{sol,json,ts}` name them. ERC-5267 names `eip712Domain()`'s outputs.
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
    print(
        compute_token::print_from_args,
        &[
            (
                interface::<AccessControlStylusAbiStruct>(),
                common::access::events(),
            ),
            (
                interface::<ComputeToken>(),
                vec![Transfer::abi(), Approval::abi()],
            ),
        ],
        OUTPUT_NAMES,
    );
}
