//! Prints the contract's Solidity interface with its events:
//! `cargo run -p provider-registry --features export-abi` (what `cargo stylus export-abi` runs).

use common::export::{interface, print};
use provider_registry::{AccessControlStylusAbiStruct, PausableStylusAbiStruct, ProviderRegistry};

fn main() {
    let mut events = provider_registry::interface::events();
    events.extend(common::params::events());
    print(
        provider_registry::print_from_args,
        &[
            (
                interface::<AccessControlStylusAbiStruct>(),
                common::access::events(),
            ),
            (
                interface::<PausableStylusAbiStruct>(),
                common::pausable::events(),
            ),
            (interface::<ProviderRegistry>(), events),
        ],
    );
}
