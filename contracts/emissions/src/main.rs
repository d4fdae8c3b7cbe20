//! Prints the contract's Solidity interface with its events:
//! `cargo run -p emissions --features export-abi` (what `cargo stylus export-abi` runs).

use alloy_sol_types::JsonAbiExt;
use common::export::{interface, print};
use emissions::{interface::*, AccessControlStylusAbiStruct, Emissions};

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
    );
}
