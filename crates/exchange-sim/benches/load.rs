//! Issue 3 load benchmark: 200 concurrent MAPI/HTTP sessions against the
//! in-process simulator on 127.0.0.1, each doing Connect, Logon, opening a
//! table and 50 Executes, with the QueryRows(100) workload and a
//! mixed read/write one; prints Execute/s, p50/p99 latency and RSS. Sizes
//! from LOAD_SESSIONS, LOAD_EXECUTES, LOAD_USERS, LOAD_MESSAGES.

#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../tests/load_common/mod.rs"]
mod load_common;

use load_common::{LoadConfig, Workload, run};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        for workload in [Workload::QueryRows, Workload::Mixed] {
            let cfg = LoadConfig {
                sessions: env("LOAD_SESSIONS", 200),
                executes: env("LOAD_EXECUTES", 50),
                users: env("LOAD_USERS", 10),
                messages_per_user: env("LOAD_MESSAGES", 1000),
                workload,
            };
            let report = run(cfg.clone()).await;
            println!("{}", report.summary(&cfg));
            for e in report.errors.iter().take(5) {
                println!("  error: {e}");
            }
        }
    });
}
