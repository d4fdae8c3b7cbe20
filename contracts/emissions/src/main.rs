//! Prints the contract's Solidity interface with its events:
//! `cargo run -p emissions --features export-abi` (what `cargo stylus export-abi` runs).

use common::export::{interface, print, OutputNames};
use emissions::{AccessControlStylusAbiStruct, Emissions};

/// Output names of the functions returning several values (`common::export::OutputNames`), as the functions' doc comments in `src/lib.rs` name them.
/// `scripts/abi.sh` fails while a function returning several values has no entry here.
const OUTPUT_NAMES: OutputNames = &[
    (
        "epochStats",
        &[
            "fees",
            "emitted",
            "workPool",
            "workCap",
            "stakePool",
            "drawn",
            "drawCap",
        ],
    ),
    (
        "supplyStats",
        &["initialReserve", "reserve", "emitted", "drawn", "returned"],
    ),
    (
        "stakeStats",
        &[
            "totalEarning",
            "rewardRateWad",
            "periodFinish",
            "streamed",
            "paid",
            "returned",
        ],
    ),
];

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
        OUTPUT_NAMES,
    );
}
