//! Prints the contract's Solidity interface with its events:
//! `cargo run -p provider-registry --features export-abi` (what `cargo stylus export-abi` runs).

use alloy_sol_types::JsonAbiExt;
use common::export::{interface, print};
use provider_registry::{
    interface::*, AccessControlStylusAbiStruct, PausableStylusAbiStruct, ProviderRegistry,
};

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
    );
}
