//! Prints the contract's Solidity interface with its events:
//! `cargo run -p job-market --features export-abi` (what `cargo stylus export-abi` runs).

use common::export::{interface, print, OutputNames};
use job_market::{AccessControlStylusAbiStruct, JobMarket, PausableStylusAbiStruct};

/// Output names of the functions returning several values (`common::export::OutputNames`), as the functions' doc comments in `src/lib.rs` name them.
/// `scripts/abi.sh` fails while a function returning several values has no entry here.
const OUTPUT_NAMES: OutputNames = &[
    (
        "auction",
        &[
            "requester",
            "gpuCount",
            "maxPricePerGpuHour",
            "bidEnd",
            "state",
        ],
    ),
    (
        "attestation",
        &[
            "gpuModel",
            "gpuCount",
            "vramGiB",
            "evidenceHash",
            "expiresAt",
            "valid",
        ],
    ),
    ("contracts", &["escrow", "registry"]),
];

fn main() {
    let mut events = job_market::interface::events();
    events.extend(common::params::events());
    print(
        job_market::print_from_args,
        &[
            (
                interface::<AccessControlStylusAbiStruct>(),
                common::access::events(),
            ),
            (
                interface::<PausableStylusAbiStruct>(),
                common::pausable::events(),
            ),
            (interface::<JobMarket>(), events),
        ],
        OUTPUT_NAMES,
    );
}
