//! Prints the contract's Solidity interface with its events:
//! `cargo run -p price-feed --features export-abi` (what `cargo stylus export-abi` runs).

use alloy_sol_types::JsonAbiExt;
use common::export::{interface, print};
use price_feed::{AccessControlStylusAbiStruct, AnswerUpdated, ManualPriceFeed, NewRound};

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
    );
}
