//! The `compute-market` binary's output when stderr is not a terminal (CI logs, pipes): one plain
//! line per step with its time, no spinner, carriage return or escape code; `--quiet` prints
//! nothing on stderr; stdout carries only the result (the deployment as JSON).
#![allow(clippy::unwrap_used, missing_docs)]

use std::process::{Command, Output};

fn compute_market(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_compute-market"));
    cmd.args(args);
    if let Some(dir) = std::env::var_os("COMPUTE_MARKET_WASM_DIR") {
        cmd.arg("--wasm-dir").arg(dir);
    }
    // Piped stdout and stderr: neither is a terminal.
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "compute-market {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_progress_is_plain_lines_off_a_terminal_and_nothing_with_quiet() {
    let node = devnet::spawn(devnet::NodeConfig::test()).await.unwrap();
    let url = node.url();
    let dir = tempfile::tempdir().unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    let args = ["deploy", "--rpc-url", &url, "--deployments-dir", dir_arg];

    let out = compute_market(&args);
    let stderr = String::from_utf8(out.stderr).unwrap();
    eprintln!("{stderr}");
    assert!(
        !stderr.contains('\r') && !stderr.contains('\u{1b}'),
        "control characters in non-terminal output: {stderr:?}"
    );
    // One line per step, each starting with its time: `<seconds> s  <step>`.
    let steps: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.trim_start().split_once(" s  "))
        .filter(|(secs, _)| secs.parse::<f64>().is_ok())
        .map(|(_, step)| step)
        .collect();
    for name in [
        "price_feed",
        "token",
        "emissions",
        "controller",
        "registry",
        "escrow",
    ] {
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with(&format!("deploying {name} ("))),
            "no step line for {name}: {stderr}"
        );
    }
    assert!(
        steps
            .iter()
            .any(|s| s.starts_with("checking and granting the roles")),
        "{stderr}"
    );
    assert!(
        steps.iter().any(|s| s.starts_with("verifying roles")),
        "{stderr}"
    );
    // stdout is the deployment, as JSON, and nothing else.
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["chain_id"], 412_346);

    // --quiet: the rerun (nothing to send) prints nothing on stderr, the same JSON on stdout.
    let mut quiet = args.to_vec();
    quiet.push("--quiet");
    let again = compute_market(&quiet);
    assert_eq!(String::from_utf8_lossy(&again.stderr), "");
    let json2: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(json2["token"], json["token"]);
    node.shutdown().await;
}
