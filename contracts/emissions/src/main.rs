//! Prints the contract's Solidity interface with its events:
//! `cargo run -p emissions --features export-abi` (what `cargo stylus export-abi` runs).

use alloy_sol_types::JsonAbiExt;
use common::export::{interface, print, OutputNames};
use emissions::{interface::*, AccessControlStylusAbiStruct, Emissions};

/// Output names of the functions returning several values (`common::export::OutputNames`), as the
/// functions' doc comments in `src/lib.rs` name them. `scripts/abi.sh` fails while a function
/// returning several values has no entry here.
const OUTPUT_NAMES: OutputNames = &[
    ("epochStats", &["work", "emitted", "providerShare", "drawn"]),
    (
        "supplyStats",
        &["initialReserve", "reserve", "emitted", "drawn"],
    ),
];

fn main() {
    let mut events = vec![
        WorkRecorded::abi(),
        ReserveDrawn::abi(),
        EpochFinalized::abi(),
        RewardsClaimed::abi(),
        TreasuryUpdated::abi(),
    ];
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
