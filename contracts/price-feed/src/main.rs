//! Prints the contract's Solidity interface with its events:
//! `cargo run -p price-feed --features export-abi` (what `cargo stylus export-abi` runs).

use alloy_sol_types::JsonAbiExt;
use common::export::{interface, print, OutputNames};
use price_feed::{AccessControlStylusAbiStruct, AnswerUpdated, ManualPriceFeed, NewRound};

/// Output names of the functions returning several values (`common::export::OutputNames`), as
/// Chainlink's `AggregatorV3Interface` names them (smartcontractkit/chainlink,
/// `contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol`). `scripts/abi.sh` fails while a
/// function returning several values has no entry here.
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
            (
                interface::<ManualPriceFeed>(),
                vec![AnswerUpdated::abi(), NewRound::abi()],
            ),
        ],
        OUTPUT_NAMES,
    );
}
