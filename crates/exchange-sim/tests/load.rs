//! Load through real sockets, shortened for CI: concurrent sessions doing
//! the issue-3 QueryRows workload and the mixed workload with no error.
//! `cargo bench -p exchange-sim --bench load` runs the full size (200
//! sessions); `tests/load_common` holds the driver.
#![allow(missing_docs, clippy::unwrap_used)]

mod load_common;

use load_common::{LoadConfig, Workload, run};

fn config(workload: Workload) -> LoadConfig {
    LoadConfig { sessions: 24, executes: 12, users: 3, messages_per_user: 250, workload }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sessions_page_tables_without_errors() {
    let cfg = config(Workload::QueryRows);
    let report = run(cfg.clone()).await;
    println!("{}", report.summary(&cfg));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // Logon + table opening + the workload's Executes, for every session.
    assert_eq!(report.executes.0.len(), cfg.sessions * (cfg.executes + 2));
    // Each QueryRows Execute read a full page or reached the table's end.
    assert!(report.rows >= (cfg.sessions * cfg.executes * 100 * 250 / 300) as u64, "{} rows", report.rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sessions_mixed_reads_and_writes_without_errors() {
    let cfg = config(Workload::Mixed);
    let report = run(cfg.clone()).await;
    println!("{}", report.summary(&cfg));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.executes.0.len(), cfg.sessions * (cfg.executes + 2));
    assert_eq!(report.connects.0.len(), cfg.sessions);
    assert_eq!(report.disconnects.0.len(), cfg.sessions);
}
