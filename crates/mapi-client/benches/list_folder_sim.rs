//! Issue 4 benchmark through exchange-sim: list a 10,000-message folder (10 columns)
//! with the typed API over real sockets (127.0.0.1), with and without response
//! compression; prints the median rows/s, round trips and bytes on the wire.
//! The folder is seeded with the store API directly (not through ROPs).
//! Goals: ≤ 12 round trips for 10k rows, ≥ 50,000 rows/s.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use exchange_sim::config::SimConfig;
use exchange_sim::server::Simulator;
use exchange_sim::store::{MessageContent, NewMailbox, PropBag, SaveMode, SpecialFolder as S, Store};
use mapi_client::api::{Mailbox, MailboxOptions, SpecialFolder, StoreTarget, TableSpec};
use mapi_client::autodiscover::AutodiscoverResponse;
use mapi_client::{Credentials, EmsmdbSession, ExecuteFlags, SessionConfig, TransportConfig};
use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};

const ROWS: usize = 10_000;
const RUNS: usize = 7;
const ALICE: &str = "alice@example.test";

const COLUMNS: [PropTag; 10] = [
    PropTag::MID,
    PropTag::SUBJECT,
    PropTag::SENDER_NAME,
    PropTag::MESSAGE_DELIVERY_TIME,
    PropTag::MESSAGE_SIZE,
    PropTag::MESSAGE_FLAGS,
    PropTag::IMPORTANCE,
    PropTag::MESSAGE_CLASS,
    PropTag::HAS_ATTACHMENTS,
    PropTag::DISPLAY_TO,
];

fn seeded_store() -> Store {
    let store = Store::open_in_memory().unwrap();
    store
        .create_mailbox(&NewMailbox {
            address: ALICE,
            display_name: "Alice Tester",
            password: Some("demo"),
            ..NewMailbox::default()
        })
        .unwrap();
    let mbx = store.mailbox(ALICE).unwrap();
    let inbox = mbx.special_folder(S::Inbox);
    for i in 0..ROWS {
        let mut p = PropBag::new();
        p.set(PropTag::SUBJECT, PropValue::String(format!("Weekly status report number {i}")));
        p.set(PropTag::SENDER_NAME, PropValue::String(format!("Sender {}", i % 97)));
        p.set(
            PropTag::MESSAGE_DELIVERY_TIME,
            PropValue::Time(FileTime(134_000_000_000_000_000 + i as u64 * 10_000_000)),
        );
        p.set(PropTag::MESSAGE_FLAGS, PropValue::I32(if i % 3 == 0 { 1 } else { 0 }));
        p.set(PropTag::IMPORTANCE, PropValue::I32((i % 3) as i32));
        p.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
        p.set(PropTag::DISPLAY_TO, PropValue::String("Alice Tester".into()));
        p.set(PropTag::BODY, PropValue::String(format!("Body {i}")));
        let content = MessageContent { props: p, ..MessageContent::default() };
        mbx.save_message(inbox, None, false, &content, SaveMode::Normal).unwrap();
    }
    store
}

async fn run(label: &str, store: &Store, options: MailboxOptions) {
    let mut config = SimConfig::loopback();
    config.request_timeout = Duration::from_secs(30);
    let sim = Simulator::new(config).with_store(store.clone()).run().await.unwrap();
    let mut t = TransportConfig::new(Credentials::Basic { user: ALICE.into(), password: "demo".to_owned().into() });
    t.trace_dir = None;
    let url = format!("{}/autodiscover/autodiscover.xml", sim.base_url());
    let AutodiscoverResponse::Settings(d) = mapi_client::autodiscover::ask(&url, ALICE, &t).await.unwrap() else {
        panic!("no settings")
    };
    let session = Arc::new(EmsmdbSession::connect(SessionConfig::mailstore(&d, t)).await.unwrap());
    let mb = Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: d.legacy_dn.clone() }, options).await.unwrap();
    let spec = TableSpec::contents(mb.folder(SpecialFolder::Inbox), COLUMNS.to_vec());
    let mut times = Vec::new();
    let mut per_run = None;
    for _ in 0..RUNS {
        let before = mb.wire_counters();
        let start = Instant::now();
        let rows = mb.query_all(&spec).await.unwrap();
        times.push(start.elapsed());
        assert_eq!(rows.rows.len(), ROWS);
        let after = mb.wire_counters();
        per_run = Some((
            after.round_trips - before.round_trips,
            after.bytes_sent - before.bytes_sent,
            after.bytes_received - before.bytes_received,
        ));
    }
    times.sort();
    let median = times[times.len() / 2];
    let (trips, sent, received) = per_run.unwrap();
    println!(
        "{label:<26} {ROWS} rows x 10 cols: median {:>7.1} ms = {:>8.0} rows/s; {trips:>3} round trips; {sent:>6} B sent, {received:>8} B received",
        median.as_secs_f64() * 1000.0,
        ROWS as f64 / median.as_secs_f64(),
    );
    sim.shutdown().await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store = seeded_store();
        let plain = MailboxOptions::default();
        run("chained, uncompressed", &store, plain.clone()).await;
        run("chained, compressed", &store, MailboxOptions { flags: ExecuteFlags::NO_XOR_MAGIC, ..plain.clone() }).await;
        run("unchained, uncompressed", &store, MailboxOptions { chain_tables: false, ..plain.clone() }).await;
        run(
            "unchained, compressed",
            &store,
            MailboxOptions { chain_tables: false, flags: ExecuteFlags::NO_XOR_MAGIC, ..plain },
        )
        .await;
    });
}
