//! Prints the contract's Solidity interface with its events:
//! `cargo run -p price-feed --features export-abi` (what `cargo stylus export-abi` runs).

use common::export::{interface, print, OutputNames};
use price_feed::{AccessControlStylusAbiStruct, ManualPriceFeed};

/// Output names of the functions returning several values (`common::export::OutputNames`), as
/// Chainlink's `AggregatorV3Interface` names them. `scripts/abi.sh` fails while a function returning
/// several values has no entry here.
const OUTPUT_NAMES: OutputNames = &[
    ("latestRoundData", ROUND_DATA),
    ("getRoundData", ROUND_DATA),
];
const ROUND_DATA: &[&str] = &[
    "roundId",
    "answer",
    "startedAt",
    "updatedAt",
    "answeredInRound",
];

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
        OUTPUT_NAMES,
    );
}
