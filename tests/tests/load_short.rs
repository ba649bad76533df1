//! The load generator (`src/bin/load.rs`) in its shortened form: 50 IMAP
//! connections (45 in IDLE, 5 mixing FETCH / STORE / SEARCH / APPEND),
//! 4 DAV syncers and 2 SMTP senders for 10 s against the real binaries.
//! Every client operation must succeed; the figures are printed.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[test]
fn short_load_run_completes_without_errors() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_load"))
        .args(["--imap", "50", "--idle", "45", "--dav", "4", "--smtp", "2", "--secs", "10", "--users", "5"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "load run failed ({:?}):\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("errors: 0"), "{stdout}");
    for kind in ["FETCH", "STORE", "SEARCH", "APPEND", "DAV sync", "SMTP send"] {
        let count = stdout
            .lines()
            .find(|l| l.starts_with(kind) && l[kind.len()..].starts_with(' '))
            .and_then(|l| l[kind.len()..].split_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
            .unwrap_or(0);
        assert!(count > 0, "no {kind} completed:\n{stdout}");
    }
}
