//! The demo's report: what it measured ([`DemoReport`]) and its tables.
use alloy::primitives::{Address, U256};
use serde::Serialize;

use crate::deploy::Deployment;

/// One epoch's accounting (CT in wei): the controller's `epochStats(e)` and Emissions'
/// `epochStats(e)`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct EpochRow {
    /// Epoch.
    pub epoch: u64,
    /// CT burned for credits.
    pub burned: U256,
    /// CT re-minted from the burn budget (settlements, funded IOUs claimed, the treasury's fee
    /// share claimed).
    pub reminted: U256,
    /// CT minted from the emission reserve for settlements.
    pub minted_from_reserve: U256,
    /// CT value of the fees settled (what caps the epoch's work pool).
    pub fees: U256,
    /// Fee CT retired for good.
    pub fees_burned: U256,
    /// CT emitted at the epoch's finalisation (treasury share + work pool + stake pool).
    pub emitted: U256,
    /// The epoch's work pool (≤ `work_cap`).
    pub work_pool: U256,
    /// `fees × workRewardCapBps`: the most the work pool may be.
    pub work_cap: U256,
    /// What went to the stake-reward stream.
    pub stake_pool: U256,
    /// Reserve draws in the epoch.
    pub drawn: U256,
    /// The epoch's draw cap (fixed at its first draw; 0 if none).
    pub draw_cap: U256,
    /// CT total supply at the end of the epoch (as observed by the demo).
    pub supply: U256,
    /// Collateral ratio (wad) at the end of the epoch: burnBudget × price / outstanding credits.
    pub collateral_ratio_wad: U256,
}

/// One auction of the demo.
#[derive(Clone, Debug, Serialize)]
pub struct AuctionRow {
    /// The escrow job id.
    pub id: U256,
    /// What it shows.
    pub scenario: String,
    /// Bids placed: (provider name, price in credits per GPU-hour).
    pub bids: Vec<(String, U256)>,
    /// Bids refused: (provider name, the decoded error).
    pub refused: Vec<(String, String)>,
    /// The winner's name and price, and whether the requester awarded it (else `closeAuction`).
    pub winner: (String, U256, bool),
}

/// One account at the end.
#[derive(Clone, Debug, Serialize)]
pub struct AccountRow {
    /// Role in the demo.
    pub name: String,
    /// Address.
    pub address: Address,
    /// CT balance (wei).
    pub ct: U256,
    /// Free credits.
    pub credits: U256,
    /// Locked credits.
    pub locked_credits: U256,
    /// Active stake (wei).
    pub active_stake: U256,
    /// Locked stake (wei).
    pub locked_stake: U256,
    /// Completed / failed jobs (registry).
    pub completed_failed: (u64, u64),
    /// Eligible provider.
    pub eligible: bool,
}

/// One job.
#[derive(Clone, Debug, Serialize)]
pub struct JobRow {
    /// Job id.
    pub id: U256,
    /// Scenario.
    pub scenario: String,
    /// Requester.
    pub requester: String,
    /// Provider.
    pub provider: String,
    /// Final state (JobEscrow enum value).
    pub state: u8,
}

/// Cumulative checks.
#[derive(Clone, Debug, Serialize)]
pub struct Totals {
    /// Controller `supplyStats()`: burned, reminted, mintedFromReserve, retired, owed,
    /// iouFunded, treasuryAccrued, burnBudget, outstandingCredits.
    pub controller_supply_stats: [U256; 9],
    /// Emissions `supplyStats()`: initialReserve, reserve, emitted, drawn, returned.
    pub emissions_supply_stats: [U256; 5],
    /// Token totalSupply.
    pub total_supply: U256,
    /// Genesis supply.
    pub genesis_supply: U256,
    /// Σ mint Transfer events (genesis excluded).
    pub minted_events: U256,
    /// Σ burn Transfer events.
    pub burned_events: U256,
    /// CT burned by slashes.
    pub slash_burned: U256,
    /// CT burned as dispute bonds.
    pub bond_burned: U256,
    /// CT minted to the treasury at epoch finalisation.
    pub treasury_emission: U256,
    /// CT claimed by providers as work rewards.
    pub rewards_claimed: U256,
    /// CT claimed by providers as stake rewards.
    pub stake_rewards_claimed: U256,
    /// CT the treasury claimed of its fee share (`claimTreasury`).
    pub treasury_fees_claimed: U256,
}

/// What the demo did and measured.
#[derive(Clone, Debug, Serialize)]
pub struct DemoReport {
    /// Chain id.
    pub chain_id: u64,
    /// The deployment used.
    pub deployment: Deployment,
    /// Per-epoch table (every epoch from 0 through the last finalised one).
    pub epochs: Vec<EpochRow>,
    /// Accounts at the end.
    pub accounts: Vec<AccountRow>,
    /// Jobs.
    pub jobs: Vec<JobRow>,
    /// Reverse auctions.
    pub auctions: Vec<AuctionRow>,
    /// Totals and reconciliation inputs.
    pub totals: Totals,
    /// Transactions the demo sent (deployment included).
    pub transactions: usize,
    /// Gas used by them.
    pub gas_used: u64,
    /// Wall time in milliseconds.
    pub wall_time_ms: u128,
}

/// `v / 10^decimals` with up to 6 fractional digits (rounded down).
pub fn fmt_units(v: U256, decimals: u32) -> String {
    let base = U256::from(10u64).pow(U256::from(decimals));
    let int = v / base;
    let frac = v % base;
    let shown = decimals.min(6);
    let frac = frac / U256::from(10u64).pow(U256::from(decimals - shown));
    let mut f = format!("{frac:0>width$}", width = shown as usize);
    while f.ends_with('0') {
        f.pop();
    }
    if f.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{f}")
    }
}

/// CT (18 decimals).
pub fn fmt_ct(v: U256) -> String {
    fmt_units(v, 18)
}

const STATES: [&str; 10] = [
    "None",
    "Open",
    "Running",
    "Submitted",
    "Completed",
    "Cancelled",
    "Disputed",
    "Refunded",
    "Expired",
    "?",
];

/// Prints the tables of a [`DemoReport`].
pub fn print_report(r: &DemoReport) {
    println!(
        "\nPer-epoch supply (CT; epoch length {} s; work cap = fees × workRewardCapBps)",
        r.deployment
            .parameters
            .get("emissions")
            .and_then(|m| m.get("epochLength"))
            .cloned()
            .unwrap_or_default()
    );
    println!(
        "{:>5} {:>12} {:>12} {:>10} {:>10} {:>10} {:>14} {:>10} {:>10} {:>14} {:>8} {:>12} {:>16} {:>8}",
        "epoch",
        "burned",
        "reminted",
        "fees",
        "retired",
        "drawn",
        "draw cap",
        "work pool",
        "work cap",
        "stake pool",
        "emitted",
        "",
        "supply",
        "collat."
    );
    let mut tot = [U256::ZERO; 7];
    for e in &r.epochs {
        println!(
            "{:>5} {:>12} {:>12} {:>10} {:>10} {:>10} {:>14} {:>10} {:>10} {:>14} {:>21} {:>16} {:>8}",
            e.epoch,
            fmt_ct(e.burned),
            fmt_ct(e.reminted),
            fmt_ct(e.fees),
            fmt_ct(e.fees_burned),
            fmt_ct(e.drawn),
            fmt_ct(e.draw_cap),
            fmt_ct(e.work_pool),
            fmt_ct(e.work_cap),
            fmt_ct(e.stake_pool),
            fmt_ct(e.emitted),
            fmt_ct(e.supply),
            if e.collateral_ratio_wad > U256::from(u128::MAX) {
                "max".to_string()
            } else {
                fmt_units(e.collateral_ratio_wad, 18)
            }
        );
        for (t, v) in tot.iter_mut().zip([
            e.burned,
            e.reminted,
            e.fees,
            e.fees_burned,
            e.drawn,
            e.work_pool,
            e.emitted,
        ]) {
            *t += v;
        }
    }
    println!(
        "{:>5} {:>12} {:>12} {:>10} {:>10} {:>10} {:>14} {:>10} {:>10} {:>14} {:>21} {:>16}",
        "Σ",
        fmt_ct(tot[0]),
        fmt_ct(tot[1]),
        fmt_ct(tot[2]),
        fmt_ct(tot[3]),
        fmt_ct(tot[4]),
        "",
        fmt_ct(tot[5]),
        "",
        "",
        fmt_ct(tot[6]),
        fmt_ct(r.totals.total_supply)
    );
    let t = &r.totals;
    let c = &t.controller_supply_stats;
    let e = &t.emissions_supply_stats;
    println!(
        "reconciled: Σ rows = controller supplyStats (burned {}, reminted {}, fromReserve {}, retired {}; \
         reminted + retired + budget {} + iouFunded {} + treasuryAccrued {} = burned) = emissions supplyStats \
         (emitted {}, drawn {}, returned {}); totalSupply {} = genesis {} − burned + reminted + fromReserve + \
         treasury emission {} + work rewards {} + stake rewards {} − slash burns {} − bond burns {} \
         (the treasury claimed {} of fee share, counted in reminted)",
        fmt_ct(c[0]),
        fmt_ct(c[1]),
        fmt_ct(c[2]),
        fmt_ct(c[3]),
        fmt_ct(c[7]),
        fmt_ct(c[5]),
        fmt_ct(c[6]),
        fmt_ct(e[2]),
        fmt_ct(e[3]),
        fmt_ct(e[4]),
        fmt_ct(t.total_supply),
        fmt_ct(t.genesis_supply),
        fmt_ct(t.treasury_emission),
        fmt_ct(t.rewards_claimed),
        fmt_ct(t.stake_rewards_claimed),
        fmt_ct(t.slash_burned),
        fmt_ct(t.bond_burned),
        fmt_ct(t.treasury_fees_claimed),
    );
    println!("\nJobs");
    for j in &r.jobs {
        println!(
            "  #{:<3} {:<44} {:<10} → {:<15} {}",
            j.id,
            j.scenario,
            j.requester,
            j.provider,
            STATES[(j.state as usize).min(9)]
        );
    }
    println!("\nReverse auctions (prices in USD per GPU-hour)");
    for a in &r.auctions {
        println!("  #{:<3} {}", a.id, a.scenario);
        for (name, price) in &a.bids {
            println!("        bid      {:<15} {}", name, fmt_units(*price, 6));
        }
        for (name, why) in &a.refused {
            println!("        refused  {:<15} {}", name, why);
        }
        println!(
            "        winner   {:<15} {} ({})",
            a.winner.0,
            fmt_units(a.winner.1, 6),
            if a.winner.2 {
                "awarded by the requester"
            } else {
                "closeAuction: lowest qualifying bid"
            }
        );
    }
    println!("\nAccounts");
    println!(
        "  {:<18} {:>20} {:>12} {:>10} {:>12} {:>10} {:>7} {:<8}",
        "account", "CT", "credits", "locked", "stake", "locked", "ok/fail", "eligible"
    );
    for a in &r.accounts {
        println!(
            "  {:<18} {:>20} {:>12} {:>10} {:>12} {:>10} {:>7} {}",
            a.name,
            fmt_ct(a.ct),
            fmt_units(a.credits, 6),
            fmt_units(a.locked_credits, 6),
            fmt_ct(a.active_stake),
            fmt_ct(a.locked_stake),
            format!("{}/{}", a.completed_failed.0, a.completed_failed.1),
            a.eligible
        );
    }
    println!(
        "\n{} transactions, {} gas, {:.1} s",
        r.transactions,
        r.gas_used,
        r.wall_time_ms as f64 / 1000.0
    );
}
