//! Prints the contract's Solidity interface with its events:
//! `cargo run -p emissions --features export-abi` (what `cargo stylus export-abi` runs).

use common::export::{interface, print};
use emissions::{AccessControlStylusAbiStruct, Emissions};

fn main() {
    let mut events = emissions::interface::events();
    events.extend(common::params::events());
    print(
        emissions::print_from_args,
        &[
            (
                interface::<AccessControlStylusAbiStruct>(),
                common::access::events(),
            ),
            (interface::<Emissions>(), events),
        ],
    );
}
