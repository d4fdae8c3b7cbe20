//! Prints the contract's Solidity interface with its events:
//! `cargo run -p bme-controller --features export-abi` (what `cargo stylus export-abi` runs).

use bme_controller::{AccessControlStylusAbiStruct, BmeController, PausableStylusAbiStruct};
use common::export::{interface, print};

fn main() {
    let mut events = bme_controller::interface::events();
    events.extend(common::params::events());
    print(
        bme_controller::print_from_args,
        &[
            (
                interface::<AccessControlStylusAbiStruct>(),
                common::access::events(),
            ),
            (
                interface::<PausableStylusAbiStruct>(),
                common::pausable::events(),
            ),
            (interface::<BmeController>(), events),
        ],
    );
}
