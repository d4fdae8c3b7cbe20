//! Prints the contract's Solidity interface with its events:
//! `cargo run -p job-market --features export-abi` (what `cargo stylus export-abi` runs).

use common::export::{interface, print};
use job_market::{AccessControlStylusAbiStruct, JobMarket, PausableStylusAbiStruct};

fn main() {
    let mut events = job_market::interface::events();
    events.extend(common::params::events());
    print(
        job_market::print_from_args,
        &[
            (
                interface::<AccessControlStylusAbiStruct>(),
                common::access::events(),
            ),
            (
                interface::<PausableStylusAbiStruct>(),
                common::pausable::events(),
            ),
            (interface::<JobMarket>(), events),
        ],
    );
}
