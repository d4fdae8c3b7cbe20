//! Prints the contract's Solidity interface with its events:
//! `cargo run -p bme-controller --features export-abi` (what `cargo stylus export-abi` runs).

use alloy_sol_types::JsonAbiExt;
use bme_controller::{
    interface::*, AccessControlStylusAbiStruct, BmeController, PausableStylusAbiStruct,
};
use common::export::{interface, print, OutputNames};

/// Output names of the functions returning several values (`common::export::OutputNames`), as the
/// functions' doc comments in `src/lib.rs` name them. `scripts/abi.sh` fails while a function
/// returning several values has no entry here.
const OUTPUT_NAMES: OutputNames = &[
    (
        "epochStats",
        &[
            "burned",
            "reminted",
            "mintedFromReserve",
            "feesBurned",
            "owedRecorded",
        ],
    ),
    (
        "supplyStats",
        &["burned", "reminted", "mintedFromReserve", "retired", "owed"],
    ),
];

fn main() {
    let mut events = vec![
        CreditsPurchased::abi(),
        CreditsLocked::abi(),
        CreditsUnlocked::abi(),
        Settled::abi(),
        OwedRecorded::abi(),
        OwedClaimed::abi(),
        FeeDistributed::abi(),
        PriceFeedUpdated::abi(),
        SequencerFeedUpdated::abi(),
        TreasuryUpdated::abi(),
    ];
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
