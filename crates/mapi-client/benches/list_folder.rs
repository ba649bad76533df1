//! Issue 4 benchmark: list a 10,000-message folder (10 columns) through the typed API
//! against the synthetic server (tests/api_synth.rs), with and without response
//! compression and chaining; prints rows/s, round trips and bytes on the wire.
//! Goals: ≤ 12 round trips for 10k rows, ≥ 50,000 rows/s.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/api_synth.rs"]
mod synth;

use std::sync::Arc;
use std::time::{Duration, Instant};

use mapi_client::api::{Mailbox, MailboxOptions, SpecialFolder, StoreTarget, TableSpec};
use mapi_client::*;
use synth::*;

const ROWS: u32 = 10_000;
const RUNS: u32 = 5;

async fn run(label: &str, options: MailboxOptions) {
    let (server, _synth) = start(ROWS).await;
    let mut t =
        TransportConfig::new(Credentials::Basic { user: "alice@example.test".into(), password: "alice123".into() });
    t.trace_dir = None;
    t.retry.base_delay = Duration::from_millis(5);
    let session =
        Arc::new(EmsmdbSession::connect(SessionConfig::new(&server.url(EMSMDB_PATH), ALICE_DN, t)).await.unwrap());
    let mb = Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: ALICE_DN.into() }, options).await.unwrap();
    let spec = TableSpec::contents(mb.folder(SpecialFolder::Inbox), COLUMNS.to_vec());
    let mut best = Duration::MAX;
    let mut per_run = None;
    for _ in 0..RUNS {
        let before = mb.wire_counters();
        let start = Instant::now();
        let rows = mb.query_all(&spec).await.unwrap();
        let took = start.elapsed();
        assert_eq!(rows.rows.len(), ROWS as usize);
        let after = mb.wire_counters();
        best = best.min(took);
        per_run = Some((
            after.round_trips - before.round_trips,
            after.bytes_sent - before.bytes_sent,
            after.bytes_received - before.bytes_received,
        ));
    }
    let (trips, sent, received) = per_run.unwrap();
    println!(
        "{label:<34} {ROWS} rows: best {:>7.1} ms = {:>9.0} rows/s; {trips:>3} round trips; {sent:>6} B sent, {received:>8} B received",
        best.as_secs_f64() * 1000.0,
        f64::from(ROWS) / best.as_secs_f64(),
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let plain = MailboxOptions::default();
        run("chained, uncompressed", plain.clone()).await;
        run("chained, compressed", MailboxOptions { flags: ExecuteFlags::NO_XOR_MAGIC, ..plain.clone() }).await;
        run("unchained (32 KB/Execute), uncompressed", MailboxOptions { chain_tables: false, ..plain.clone() }).await;
        run(
            "unchained (32 KB/Execute), compressed",
            MailboxOptions { chain_tables: false, flags: ExecuteFlags::NO_XOR_MAGIC, ..plain },
        )
        .await;
    });
}
