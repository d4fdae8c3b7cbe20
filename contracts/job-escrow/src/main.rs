//! Prints the contract's Solidity interface with its events:
//! `cargo run -p job-escrow --features export-abi` (what `cargo stylus export-abi` runs).

use common::export::{interface, print};
use job_escrow::{AccessControlStylusAbiStruct, JobEscrow, PausableStylusAbiStruct};

fn main() {
    let mut events = job_escrow::interface::events();
    events.extend(common::params::events());
    print(
        job_escrow::print_from_args,
        &[
            (
                interface::<AccessControlStylusAbiStruct>(),
                common::access::events(),
            ),
            (
                interface::<PausableStylusAbiStruct>(),
                common::pausable::events(),
            ),
            (interface::<JobEscrow>(), events),
        ],
    );
}
