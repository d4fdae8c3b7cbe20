//! `snapshots/gas.json`: operation → gas, and the 2% regression check.
use std::path::PathBuf;

use eyre::{Result, WrapErr};

use crate::env::repo_root;
use crate::gas::GasTable;

/// Allowed rise over the snapshot, in percent.
pub const TOLERANCE_PERCENT: u64 = 2;

/// The command that rewrites the snapshot.
pub const UPDATE_COMMAND: &str = "cargo run -p compute-market-bench --release -- --update-snapshot";

/// `snapshots/gas.json` at the repository root.
pub fn path() -> PathBuf {
    repo_root().join("snapshots/gas.json")
}

/// Reads the snapshot.
pub fn load() -> Result<GasTable> {
    let p = path();
    let text = std::fs::read_to_string(&p).wrap_err_with(|| {
        format!(
            "reading {} (create it with `{UPDATE_COMMAND}`)",
            p.display()
        )
    })?;
    serde_json::from_str(&text).wrap_err_with(|| format!("parsing {}", p.display()))
}

/// Writes the snapshot (sorted keys, one operation a line).
pub fn save(table: &GasTable) -> Result<PathBuf> {
    let p = path();
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&p, serde_json::to_string_pretty(table)? + "\n")?;
    Ok(p)
}

/// Compares `measured` with `snapshot`. Returns one line per problem: an operation whose gas rose more
/// than [`TOLERANCE_PERCENT`], one in the snapshot that was not measured, one measured but not in the
/// snapshot. Empty = pass. (A fall in gas passes; update the snapshot to lock it in.)
pub fn compare(snapshot: &GasTable, measured: &GasTable) -> Vec<String> {
    let mut problems = Vec::new();
    for (op, &old) in snapshot {
        match measured.get(op) {
            None => problems.push(format!(
                "{op}: in snapshots/gas.json but not measured any more"
            )),
            Some(&new) if new * 100 > old * (100 + TOLERANCE_PERCENT) => problems.push(format!(
                "{op}: {new} gas, {:+.2}% over the snapshot's {old} (limit +{TOLERANCE_PERCENT}%)",
                (new as f64 - old as f64) * 100.0 / old as f64
            )),
            Some(_) => {}
        }
    }
    for (op, new) in measured {
        if !snapshot.contains_key(op) {
            problems.push(format!(
                "{op}: measured ({new} gas) but missing from snapshots/gas.json"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_and_missing_ops() {
        let snap: GasTable = [("a".to_string(), 100_000), ("b".to_string(), 50_000)].into();
        let mut m = snap.clone();
        assert!(compare(&snap, &m).is_empty());
        m.insert("a".into(), 102_000); // exactly +2%
        assert!(compare(&snap, &m).is_empty());
        m.insert("a".into(), 102_001);
        assert_eq!(compare(&snap, &m).len(), 1);
        m.insert("a".into(), 90_000); // cheaper passes
        m.remove("b");
        m.insert("c".into(), 1);
        let p = compare(&snap, &m);
        assert_eq!(p.len(), 2, "{p:?}");
    }
}
