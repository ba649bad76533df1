//! IMAP over the whole stack (issue 7 "must show"): `ImapServer` →
//! `mailbox::exchange::ExchangeProvider` → exchange-sim in-process on
//! 127.0.0.1, the simulator's store seeded directly with 10,000 messages.
//!
//! 1. A Thunderbird-shaped first sync: `UID FETCH 1:* (UID RFC822.SIZE FLAGS
//!    BODY.PEEK[HEADER.FIELDS (...)])` of the 10,000-message INBOX, each run
//!    with a fresh simulator and state directory (nothing rendered or cached
//!    yet); then the same FETCH again in the same session (warm).
//! 2. Resident memory of 1,000 idle connections (logged in, INBOX selected,
//!    in IDLE), the growth of this process's RSS divided by 1,000.
//!
//! `cargo bench -p e2e --bench imap_exchange` (`-- --quick` for 1,000
//! messages and 100 connections; `-- --idle-only` for part 2 alone;
//! `-- --steps` for the memory after LOGIN, SELECT and IDLE apart). The in-memory provider's figures come
//! from `cargo bench -p imap --bench imap_bench`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "../../crates/imap/benches/common/client.rs"]
mod client;

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use client::{FETCH, median, open_idle, read_until_tag, rss_kib, rss_per_connection};

use exchange_sim::config::SimConfig;
use exchange_sim::server::{RunningSim, Simulator};
use exchange_sim::store::{MessageContent, NewMailbox, PropBag, SaveMode, SpecialFolder, Store};
use imap::{ImapConfig, ImapServer, PlaintextLogin, TlsMode};
use mailbox::exchange::{Endpoints, ExchangeConfig, ExchangeProvider};
use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const ALICE: &str = "alice@example.test";
const RUNS: usize = 3;
/// Client threads opening the idle connections.
const THREADS: usize = 8;

fn s(v: &str) -> PropValue {
    PropValue::String(v.into())
}

fn recipient(kind: i32, name: &str, address: &str) -> PropBag {
    let mut r = PropBag::new();
    r.set(PropTag::RECIPIENT_TYPE, PropValue::I32(kind));
    r.set(PropTag::DISPLAY_NAME, s(name));
    r.set(PropTag::SMTP_ADDRESS, s(address));
    r.set(PropTag::EMAIL_ADDRESS, s(address));
    r.set(PropTag::ADDRESS_TYPE, s("SMTP"));
    r
}

/// A store with alice's INBOX holding `messages` mails shaped like a
/// mailing-list folder: sender, To and Cc, a thread reference, a
/// paragraph of text.
fn seeded(messages: usize) -> Store {
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
            for i in 0..messages {
                let t = FileTime::from_unix_seconds(1_767_225_600 + i as i64 * 60).unwrap();
                let sender = format!("sender{}@example.org", i % 97);
                let mut props = PropBag::from_pairs([
                    (PropTag::MESSAGE_CLASS, s("IPM.Note")),
                    (PropTag::SUBJECT, s(&format!("Status report number {i} for the weekly meeting"))),
                    (PropTag::BODY, s(&"Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(30))),
                    (PropTag::SENDER_NAME, s(&format!("Sender {}", i % 97))),
                    (PropTag::SENDER_SMTP_ADDRESS, s(&sender)),
                    (PropTag::SENT_REPRESENTING_NAME, s(&format!("Sender {}", i % 97))),
                    (PropTag::SENT_REPRESENTING_SMTP_ADDRESS, s(&sender)),
                    (PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(t)),
                    (PropTag::CLIENT_SUBMIT_TIME, PropValue::Time(t)),
                    (PropTag::INTERNET_MESSAGE_ID, s(&format!("<msg{i}@example.org>"))),
                    (PropTag::MESSAGE_FLAGS, PropValue::I32(i32::from(i % 3 == 0))),
                ]);
                if i > 0 {
                    let parent = format!("<msg{}@example.org>", i - 1);
                    props.set(PropTag::IN_REPLY_TO_ID, s(&parent));
                    props.set(PropTag::INTERNET_REFERENCES, s(&parent));
                }
                let c = MessageContent {
                    props,
                    recipients: vec![recipient(1, "Alice", ALICE), recipient(2, "Team", "team@example.test")],
                    attachments: Vec::new(),
                };
                mb.save_message(inbox, None, false, &c, SaveMode::Normal)?;
            }
            Ok(())
        })
        .unwrap();
    store
}

/// The simulator over `store`, and an IMAP server over an ExchangeProvider
/// in front of it.
struct Stack {
    sim: RunningSim,
    imap: std::net::SocketAddr,
    server: ImapServer,
    stop: tokio::sync::watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

async fn stack(store: Store) -> Stack {
    let sim = Simulator::new(SimConfig::loopback()).with_store(store).run().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
    let config = ExchangeConfig::new(Endpoints::Autodiscover {
        start: vec![format!("{}/autodiscover/autodiscover.xml", sim.base_url())],
    });
    let provider: Arc<dyn mailbox::AccountProvider> = Arc::new(ExchangeProvider::new(config, state));
    let server = ImapServer::new(
        ImapConfig { allow_plaintext_login: PlaintextLogin::Always, ..ImapConfig::default() },
        provider,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let imap = listener.local_addr().unwrap();
    let (stop, rx) = tokio::sync::watch::channel(false);
    let s = server.clone();
    tokio::spawn(async move { s.serve(listener, TlsMode::StartTls, rx).await });
    Stack { sim, imap, server, stop, _dir: dir }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (messages, connections) = if quick { (1_000, 100) } else { (10_000, 1_000) };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        if std::env::args().any(|a| a == STEPS) {
            idle_steps(messages, connections).await;
            return;
        }
        if std::env::args().any(|a| a == IDLE_ONLY) {
            idle_only(messages, connections).await;
            return;
        }
        // 1. First sync, each run cold.
        let mut cold = Vec::new();
        let mut warm = Vec::new();
        let mut selects = Vec::new();
        let mut last = None;
        for run in 0..RUNS {
            let t = Instant::now();
            let store = seeded(messages);
            eprintln!("run {run}: seeded {messages} messages in {:?}", t.elapsed());
            let stack = stack(store).await;
            let stream = tokio::net::TcpStream::connect(stack.imap).await.unwrap();
            let mut io = BufReader::with_capacity(256 * 1024, stream);
            let mut line = Vec::new();
            io.read_until(b'\n', &mut line).await.unwrap();
            let t = Instant::now();
            io.get_mut().write_all(format!("a LOGIN {ALICE} demo\r\nb SELECT INBOX\r\n").as_bytes()).await.unwrap();
            read_until_tag(&mut io, b"b ").await;
            selects.push(t.elapsed().as_secs_f64());
            for (tag, times) in [("c", &mut cold), ("d", &mut warm)] {
                let t = Instant::now();
                io.get_mut().write_all(format!("{tag} {FETCH}\r\n").as_bytes()).await.unwrap();
                let (fetches, bytes) = read_until_tag(&mut io, format!("{tag} ").as_bytes()).await;
                let wall = t.elapsed().as_secs_f64();
                assert_eq!(fetches, messages, "every message answered");
                eprintln!("run {run} {tag}: {messages} messages, {bytes} bytes in {wall:.3} s");
                times.push(wall);
            }
            if let Some(old) = last.replace(stack) {
                shut(old).await;
            }
        }
        let (c, w) = (median(cold), median(warm));
        println!(
            "exchange_first_sync_{messages}: LOGIN+SELECT median {:.3} s; header FETCH cold median {c:.3} s \
({:.0} messages/s), warm median {w:.3} s ({:.0} messages/s); {RUNS} runs",
            median(selects),
            messages as f64 / c,
            messages as f64 / w
        );

        if let Some(old) = last {
            shut(old).await;
        }
        // 2. Idle connections, in a fresh process: memory the sync runs
        // freed would otherwise be reused and hide the connections' cost.
        let me = std::env::current_exe().unwrap();
        let mut args = vec![IDLE_ONLY.to_owned()];
        if quick {
            args.push("--quick".into());
        }
        let out = tokio::process::Command::new(me).args(&args).output().await.unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
    });
}

/// The argument that makes the binary measure only idle connections.
const IDLE_ONLY: &str = "--idle-only";

async fn idle_only(messages: usize, connections: usize) {
    let stack = stack(seeded(messages)).await;
    // One connection first, so the account, its session pool and the
    // folder's change feed exist before the baseline.
    let first = open_idle(stack.imap, 1, ALICE, "demo", 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let base = rss_kib();
    let t = Instant::now();
    let conns = open_idle(stack.imap, connections, ALICE, "demo", THREADS).await;
    let opened = t.elapsed();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let per = rss_per_connection(base, connections).await;
    println!(
        "exchange_idle_connections_{connections} ({messages}-message INBOX selected, in IDLE): open {}, opened in \
{opened:.1?}, median resident memory {:.1} KiB per connection (process RSS {} KiB, baseline {} KiB, simulator \
in-process)",
        stack.server.metrics().connections_open,
        per,
        rss_kib(),
        base
    );
    drop((conns, first));
    shut(stack).await;
}

/// The argument that makes the binary measure memory after each step of
/// opening the connections (LOGIN, SELECT, IDLE) instead.
const STEPS: &str = "--steps";

/// Sends `command` on every connection (from [`THREADS`] threads) and
/// reads until a line starting with `until`.
async fn step(
    conns: Vec<std::net::TcpStream>,
    command: &'static str,
    until: &'static [u8],
) -> Vec<std::net::TcpStream> {
    let size = conns.len().div_ceil(THREADS).max(1);
    let mut conns = conns.into_iter();
    let mut tasks = Vec::new();
    loop {
        let part: Vec<_> = conns.by_ref().take(size).collect();
        if part.is_empty() {
            break;
        }
        tasks.push(tokio::task::spawn_blocking(move || {
            let mut part = part;
            for s in &mut part {
                s.write_all(command.as_bytes()).unwrap();
                let mut got = Vec::new();
                let mut buf = [0u8; 4096];
                while !got.split(|b| *b == b'\n').any(|l| l.starts_with(until)) {
                    let k = s.read(&mut buf).unwrap();
                    assert!(k > 0, "connection closed: {}", String::from_utf8_lossy(&got));
                    got.extend_from_slice(&buf[..k]);
                }
            }
            part
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

/// Resident memory per connection after LOGIN, after SELECT INBOX and in
/// IDLE, each step taken on every connection before the next.
async fn idle_steps(messages: usize, connections: usize) {
    let stack = stack(seeded(messages)).await;
    let first = open_idle(stack.imap, 1, ALICE, "demo", 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let base = rss_kib();
    let mut conns = Vec::with_capacity(connections);
    for _ in 0..connections {
        let s = std::net::TcpStream::connect(stack.imap).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        conns.push(s);
    }
    let mut line = format!("exchange_idle_steps_{connections} ({messages}-message INBOX), KiB per connection:");
    for (name, command, until) in [
        ("LOGIN", "a LOGIN alice@example.test demo\r\n", &b"a OK"[..]),
        ("SELECT", "b SELECT INBOX\r\n", b"b OK"),
        ("IDLE", "c IDLE\r\n", b"+ idling"),
    ] {
        let t = Instant::now();
        conns = step(conns, command, until).await;
        let took = t.elapsed();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let per = rss_per_connection(base, connections).await;
        line.push_str(&format!(" after {name} {per:.1} (step took {took:.1?});"));
    }
    println!("{line}");
    drop((conns, first));
    shut(stack).await;
}

async fn shut(stack: Stack) {
    let _ = stack.stop.send(true);
    tokio::time::sleep(Duration::from_millis(50)).await;
    stack.sim.shutdown().await;
}
