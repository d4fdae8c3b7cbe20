//! Prints the contract's Solidity interface with its events:
//! `cargo run -p price-feed --features export-abi` (what `cargo stylus export-abi` runs).

use common::export::{interface, print};
use price_feed::{AccessControlStylusAbiStruct, ManualPriceFeed};

fn main() {
    print(
        price_feed::print_from_args,
        &[
            (
                interface::<AccessControlStylusAbiStruct>(),
                common::access::events(),
            ),
            (interface::<ManualPriceFeed>(), price_feed::events()),
        ],
    );
}
