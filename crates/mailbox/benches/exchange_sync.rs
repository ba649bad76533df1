//! Initial ICS sync of a 10,000-message folder through exchange-sim (real
//! sockets on 127.0.0.1, the store seeded directly): login + SELECT time,
//! round trips, bytes, the memory the account's index keeps, and the growth
//! of the process's resident set. Prints medians of several runs, each with
//! a fresh simulator and state directory.

#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use exchange_sim::config::SimConfig;
use exchange_sim::server::Simulator;
use exchange_sim::store::{MessageContent, NewMailbox, PropBag, SaveMode, SpecialFolder, Store};
use mailbox::exchange::{Endpoints, ExchangeConfig, ExchangeProvider};
use mailbox::{Account, AccountProvider};
use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};

const MESSAGES: usize = 10_000;
const RUNS: usize = 5;
const ALICE: &str = "alice@example.test";

fn s(v: &str) -> PropValue {
    PropValue::String(v.into())
}

fn seeded() -> Store {
    let store = Store::open_in_memory().unwrap();
    store
        .create_mailbox(&NewMailbox {
            address: ALICE,
            display_name: "Alice",
            password: Some("demo"),
            ..NewMailbox::default()
        })
        .unwrap();
    let mb = store.mailbox(ALICE).unwrap();
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    store
        .atomically(|| {
            for i in 0..MESSAGES {
                let mut rcpt = PropBag::new();
                rcpt.set(PropTag::RECIPIENT_TYPE, PropValue::I32(1));
                rcpt.set(PropTag::DISPLAY_NAME, s("Alice"));
                rcpt.set(PropTag::SMTP_ADDRESS, s(ALICE));
                let t = FileTime::from_unix_seconds(1_767_225_600 + i as i64 * 60).unwrap();
                let c = MessageContent {
                    props: PropBag::from_pairs([
                        (PropTag::MESSAGE_CLASS, s("IPM.Note")),
                        (PropTag::SUBJECT, s(&format!("Weekly status report number {i}"))),
                        (PropTag::BODY, s(&"Status: all green. ".repeat(20))),
                        (PropTag::SENT_REPRESENTING_NAME, s(&format!("Sender {}", i % 97))),
                        (PropTag::SENT_REPRESENTING_SMTP_ADDRESS, s(&format!("sender{}@example.org", i % 97))),
                        (PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(t)),
                        (PropTag::CLIENT_SUBMIT_TIME, PropValue::Time(t)),
                        (PropTag::INTERNET_MESSAGE_ID, s(&format!("<{i}@example.org>"))),
                        (PropTag::MESSAGE_FLAGS, PropValue::I32(i32::from(i % 3 == 0))),
                    ]),
                    recipients: vec![rcpt],
                    attachments: Vec::new(),
                };
                mb.save_message(inbox, None, false, &c, SaveMode::Normal)?;
            }
            Ok(())
        })
        .unwrap();
    store
}

/// Resident set size in bytes (Linux), 0 elsewhere.
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()))
        .map_or(0, |pages| pages * 4096)
}

fn median<T: Copy + Ord>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut times = Vec::new();
    let mut trips = Vec::new();
    let mut bytes = Vec::new();
    let mut index = Vec::new();
    let mut grown = Vec::new();
    for run in 0..RUNS {
        let store = seeded();
        rt.block_on(async {
            let mut c = SimConfig::loopback();
            c.pending_period = Duration::from_millis(500);
            let sim = Simulator::new(c).with_store(store).run().await.unwrap();
            let dir = tempfile::tempdir().unwrap();
            let state = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
            let config = ExchangeConfig::new(Endpoints::Autodiscover {
                start: vec![format!("{}/autodiscover/autodiscover.xml", sim.base_url())],
            });
            let provider = ExchangeProvider::new(config, state);
            let before = rss();
            let t = Instant::now();
            let account = provider.login_exchange(ALICE, "demo").await.unwrap();
            let inbox = account.folder_by_path("INBOX").await.unwrap();
            let sel = inbox.select().await.unwrap();
            let elapsed = t.elapsed();
            assert_eq!(sel.exists as usize, MESSAGES);
            let w = account.wire_counters();
            let (n, b) = account.index_footprint().await;
            assert_eq!(n, MESSAGES);
            let after = rss();
            println!(
                "run {run}: {elapsed:?}, {} round trips, {} bytes received, index {b} bytes ({} per message), RSS +{} KiB",
                w.round_trips,
                w.bytes_received,
                b / n,
                after.saturating_sub(before) / 1024
            );
            times.push(elapsed);
            trips.push(w.round_trips);
            bytes.push(w.bytes_received + w.bytes_sent);
            index.push(b);
            grown.push(after.saturating_sub(before));
            let _ = provider.login(ALICE, "demo").await;
            drop((inbox, account, provider));
            sim.shutdown().await;
        });
    }
    println!(
        "initial sync of {MESSAGES} messages (median of {RUNS}): {:?}, {} round trips, {} bytes on the wire, \
index {} bytes per account ({} per message), RSS growth {} KiB (simulator in-process included)",
        median(times),
        median(trips),
        median(bytes),
        median(index.clone()),
        median(index) / MESSAGES,
        median(grown) / 1024
    );
}
