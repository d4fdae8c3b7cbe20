//! Prints the contract's Solidity interface with its events:
//! `cargo run -p bme-controller --features export-abi` (what `cargo stylus export-abi` runs).

use bme_controller::{AccessControlStylusAbiStruct, BmeController, PausableStylusAbiStruct};
use common::export::{interface, print, OutputNames};

/// Output names of the functions returning several values (`common::export::OutputNames`), as the functions' doc comments in `src/lib.rs` name them.
/// `scripts/abi.sh` fails while a function returning several values has no entry here.
const OUTPUT_NAMES: OutputNames = &[
    (
        "epochStats",
        &[
            "burned",
            "reminted",
            "mintedFromReserve",
            "feesBurned",
            "owedRecorded",
            "feeTokens",
        ],
    ),
    (
        "supplyStats",
        &[
            "burned",
            "reminted",
            "mintedFromReserve",
            "retired",
            "owed",
            "iouFunded",
            "treasuryAccrued",
            "burnBudget",
            "outstandingCredits",
        ],
    ),
    ("iou", &["provider", "amount", "paid", "claimable"]),
    ("iouQueue", &["count", "owedTotal", "fundedTotal"]),
    (
        "contracts",
        &[
            "token",
            "emissions",
            "priceFeed",
            "sequencerFeed",
            "treasury",
        ],
    ),
];

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
        OUTPUT_NAMES,
    );
}
