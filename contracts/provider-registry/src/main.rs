//! Prints the contract's Solidity interface with its events:
//! `cargo run -p provider-registry --features export-abi` (what `cargo stylus export-abi` runs).

use alloy_sol_types::JsonAbiExt;
use common::export::{interface, print, OutputNames};
use provider_registry::{
    interface::*, AccessControlStylusAbiStruct, PausableStylusAbiStruct, ProviderRegistry,
};

/// Output names of the functions returning several values (`common::export::OutputNames`), as the
/// functions' doc comments in `src/lib.rs` name them. `scripts/abi.sh` fails while a function
/// returning several values has no entry here.
const OUTPUT_NAMES: OutputNames = &[(
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
    ],
)];

fn main() {
    let mut events = vec![
        ProviderRegistered::abi(),
        ProfileUpdated::abi(),
        Deregistered::abi(),
        Staked::abi(),
        UnbondRequested::abi(),
        UnbondCancelled::abi(),
        Withdrawn::abi(),
        StakeLocked::abi(),
        StakeUnlocked::abi(),
        OutcomeRecorded::abi(),
        Slashed::abi(),
        Jailed::abi(),
    ];
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
