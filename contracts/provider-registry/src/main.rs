//! Prints the contract's Solidity interface with its events:
//! `cargo run -p provider-registry --features export-abi` (what `cargo stylus export-abi` runs).

use common::export::{interface, print, OutputNames};
use provider_registry::{AccessControlStylusAbiStruct, PausableStylusAbiStruct, ProviderRegistry};

/// Output names of the functions returning several values (`common::export::OutputNames`), as the functions' doc comments in `src/lib.rs` name them.
/// `scripts/abi.sh` fails while a function returning several values has no entry here.
const OUTPUT_NAMES: OutputNames = &[
    (
        "providerInfo",
        &[
            "registered",
            "gpuModel",
            "gpuCount",
            "vramGiB",
            "region",
            "activeStake",
            "lockedStake",
            "unbondingStake",
            "jailedUntil",
            "completedJobs",
            "failedJobs",
            "openJobs",
        ],
    ),
    ("jobLock", &["amount", "penaltyBase"]),
];

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
        OUTPUT_NAMES,
    );
}
