//! Prints the contract's Solidity interface with its events:
//! `cargo run -p compute-token --features export-abi` (what `cargo stylus export-abi` runs).

use alloy_sol_types::JsonAbiExt;
use common::export::{interface, print};
use compute_token::{AccessControlStylusAbiStruct, ComputeToken};

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
                compute_token::interface::events(),
            ),
        ],
    );
}
