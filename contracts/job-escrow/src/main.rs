//! Prints the contract's Solidity interface with its events:
//! `cargo run -p job-escrow --features export-abi` (what `cargo stylus export-abi` runs).

use common::export::{interface, print, OutputNames};
use job_escrow::{AccessControlStylusAbiStruct, JobEscrow, PausableStylusAbiStruct};

/// Output names of the functions returning several values (`common::export::OutputNames`), as the functions' doc comments in `src/lib.rs` name them.
/// `scripts/abi.sh` fails while a function returning several values has no entry here.
const OUTPUT_NAMES: OutputNames = &[
    (
        "job",
        &[
            "state",
            "requester",
            "provider",
            "specHash",
            "resultHash",
            "gpuCount",
            "maxDuration",
            "pricePerGpuHour",
            "maxCost",
            "cost",
            "usedSeconds",
            "bond",
            "until",
        ],
    ),
    ("contracts", &["controller", "registry", "token"]),
];

fn main() {
    let mut events = job_escrow::interface::events();
    events.extend(common::params::events());
    print(
        job_escrow::print_from_args,
        &[
            (
                interface::<AccessControlStylusAbiStruct>(),
                common::access::events(),
            ),
            (
                interface::<PausableStylusAbiStruct>(),
                common::pausable::events(),
            ),
            (interface::<JobEscrow>(), events),
        ],
        OUTPUT_NAMES,
    );
}
