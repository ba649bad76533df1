//! Paging a 10,000-message folder through the synthetic server: every row arrives in
//! order, within the round-trip goal of issue 4 (≤ 12), with and without chaining and
//! compression.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "api_synth.rs"]
mod synth;

use std::sync::Arc;
use std::time::Duration;

use mapi_client::api::{Mailbox, MailboxOptions, SpecialFolder, StoreTarget, TableSpec};
use mapi_client::*;
use synth::*;

fn transport() -> TransportConfig {
    let mut t =
        TransportConfig::new(Credentials::Basic { user: "alice@example.test".into(), password: "alice123".into() });
    t.trace_dir = None;
    t.retry.base_delay = Duration::from_millis(5);
    t
}

async fn mailbox(server: &Server, options: MailboxOptions) -> Mailbox {
    let session = Arc::new(
        EmsmdbSession::connect(SessionConfig::new(&server.url(EMSMDB_PATH), ALICE_DN, transport())).await.unwrap(),
    );
    Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: ALICE_DN.into() }, options).await.unwrap()
}

async fn list(options: MailboxOptions) -> (usize, u64) {
    let (server, _synth) = start(10_000).await;
    let mb = mailbox(&server, options).await;
    let before = mb.wire_counters();
    let spec = TableSpec::contents(mb.folder(SpecialFolder::Inbox), COLUMNS.to_vec());
    let rows = mb.query_all(&spec).await.unwrap();
    let trips = mb.wire_counters().round_trips - before.round_trips;
    assert_eq!(rows.total, 10_000);
    assert!(rows.at_end);
    for (i, r) in rows.rows.iter().enumerate() {
        assert_eq!(*r, row(u32::try_from(i).unwrap()), "row {i}");
    }
    (rows.rows.len(), trips)
}

#[tokio::test]
async fn ten_thousand_rows_chained_within_twelve_round_trips() {
    let (n, trips) = tokio::time::timeout(Duration::from_secs(60), list(MailboxOptions::default())).await.unwrap();
    assert_eq!(n, 10_000);
    assert!(trips <= 12, "{trips} round trips");
}

#[tokio::test]
async fn ten_thousand_rows_compressed() {
    let o = MailboxOptions { flags: ExecuteFlags::NO_XOR_MAGIC, ..MailboxOptions::default() };
    let (n, trips) = tokio::time::timeout(Duration::from_secs(60), list(o)).await.unwrap();
    assert_eq!(n, 10_000);
    assert!(trips <= 12, "{trips} round trips");
}

#[tokio::test]
async fn ten_thousand_rows_without_chaining_still_complete() {
    let o = MailboxOptions { chain_tables: false, ..MailboxOptions::default() };
    let (n, trips) = tokio::time::timeout(Duration::from_secs(60), list(o)).await.unwrap();
    assert_eq!(n, 10_000);
    assert!(trips > 12, "one 32 KB buffer per Execute needs more round trips ({trips})");
}
