//! Building the deployable wasm with `scripts/build-wasm.sh`.
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use eyre::{bail, eyre, WrapErr};

/// The repository root this crate was built from (`scripts/..`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The contracts listed in `scripts/contracts.txt` (cargo package names), in file order.
pub fn contract_crates(repo_root: &Path) -> eyre::Result<Vec<String>> {
    let list = std::fs::read_to_string(repo_root.join("scripts/contracts.txt"))
        .wrap_err("reading scripts/contracts.txt")?;
    Ok(list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect())
}

/// Runs `scripts/build-wasm.sh` (every contract of `scripts/contracts.txt`) and returns
/// crate name → wasm path. Its stderr (setup notices, compiler errors) goes to stderr.
pub fn build(repo_root: &Path) -> eyre::Result<BTreeMap<String, PathBuf>> {
    build_logged(repo_root, &|line| eprintln!("{line}"))
}

/// [`build`], handing each line the script writes to stderr to `log` (e.g.
/// [`crate::progress::Progress::line`], so a spinner does not garble it).
pub fn build_logged(
    repo_root: &Path,
    log: &(dyn Fn(&str) + Sync),
) -> eyre::Result<BTreeMap<String, PathBuf>> {
    let script = repo_root.join("scripts/build-wasm.sh");
    let mut child = Command::new("bash")
        .arg(&script)
        .current_dir(repo_root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .wrap_err_with(|| format!("running {}", script.display()))?;
    let stderr = child.stderr.take();
    let out = std::thread::scope(|s| {
        if let Some(stderr) = stderr {
            s.spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    log(&line);
                }
            });
        }
        child.wait_with_output()
    })
    .wrap_err_with(|| format!("running {}", script.display()))?;
    if !out.status.success() {
        bail!(
            "{} failed ({}): see the error above (the script installs the pinned toolchain's \
             wasm32-unknown-unknown target and rust-src itself when rustup can; it needs bash, rustup \
             and node)",
            script.display(),
            out.status
        );
    }
    let crates = contract_crates(repo_root)?;
    let mut map = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let path = PathBuf::from(line.trim());
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| eyre!("unexpected build-wasm.sh output line {line:?}"))?
            .to_string();
        let name = crates
            .iter()
            .find(|c| c.replace('-', "_") == stem)
            .cloned()
            .unwrap_or_else(|| stem.replace('_', "-"));
        if !path.exists() {
            bail!(
                "build-wasm.sh printed {} but it does not exist",
                path.display()
            );
        }
        map.insert(name, path);
    }
    Ok(map)
}

/// The wasm of each contract crate: from `dir` (`<crate_with_underscores>.wasm`) when given,
/// else built with [`build`].
pub fn load(dir: Option<&Path>) -> eyre::Result<BTreeMap<String, Vec<u8>>> {
    load_with(dir, &|line| eprintln!("{line}"))
}

/// [`load`], handing the build's stderr lines to `log` ([`build_logged`]).
pub fn load_with(
    dir: Option<&Path>,
    log: &(dyn Fn(&str) + Sync),
) -> eyre::Result<BTreeMap<String, Vec<u8>>> {
    let root = repo_root();
    let paths: BTreeMap<String, PathBuf> = match dir {
        Some(dir) => contract_crates(&root)?
            .into_iter()
            .map(|c| {
                let p = dir.join(format!("{}.wasm", c.replace('-', "_")));
                (c, p)
            })
            .collect(),
        None => build_logged(&root, log)?,
    };
    paths
        .into_iter()
        .map(|(c, p)| {
            let bytes = std::fs::read(&p).wrap_err_with(|| {
                format!(
                    "reading {} (build it with scripts/build-wasm.sh or pass --wasm-dir)",
                    p.display()
                )
            })?;
            Ok((c, bytes))
        })
        .collect()
}
