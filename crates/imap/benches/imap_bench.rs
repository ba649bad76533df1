//! Benchmarks (medians): a Thunderbird-shaped first sync of a 10,000-message
//! folder, and the resident memory of 1,000 idle connections.
//!
//! `cargo bench -p imap --bench imap_bench`

#![allow(missing_docs, clippy::unwrap_used)]

#[path = "common/client.rs"]
#[allow(dead_code)]
mod client;

use std::sync::Arc;
use std::time::{Duration, Instant};

use client::{FETCH, median, open_idle, read_until_tag, rss_kib, rss_per_connection};
use imap::{ImapConfig, ImapServer, PlaintextLogin, TlsMode};
use mailbox::{MemoryAccount, MemoryConfig, MemoryProvider, Timestamp};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const T0: i64 = 1_795_737_600;
const MESSAGES: usize = 10_000;
const CONNECTIONS: usize = 1_000;
const RUNS: usize = 5;

fn message(i: usize) -> Vec<u8> {
    format!(
        "Return-Path: <sender{i}@example.org>\r\nReceived: from mx.example.org by mail.example.com; Fri, 27 Nov 2026 10:00:00 +0000\r\n\
From: Sender {i} <sender{i}@example.org>\r\nTo: Alice <alice@example.com>\r\nCc: Team <team@example.com>\r\n\
Subject: Status report number {i} for the weekly meeting\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\
Message-ID: <msg{i}@example.org>\r\nReferences: <msg{}@example.org>\r\nIn-Reply-To: <msg{}@example.org>\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nX-Mailer: bench\r\n\r\n{}\r\n",
        i.saturating_sub(1),
        i.saturating_sub(1),
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(30)
    )
    .into_bytes()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = state::SqliteStore::open(dir.path()).await.unwrap();
        let account = MemoryAccount::new("alice@example.com", Arc::new(store), MemoryConfig::default()).await.unwrap();
        let provider = MemoryProvider::new();
        provider.add_user("alice@example.com", "secret", account.clone());
        let t = Instant::now();
        for chunk in (0..MESSAGES).collect::<Vec<_>>().chunks(1000) {
            let batch = chunk.iter().map(|&i| (message(i), Timestamp(T0 + i as i64))).collect();
            account.deliver("INBOX", batch).await.unwrap();
        }
        eprintln!("seeded {MESSAGES} messages in {:?}", t.elapsed());
        if std::env::args().any(|a| a == TLS_ONLY) {
            // The clients run in a Python process so that only the
            // server's memory is counted.
            tls_idle(Arc::new(provider)).await;
            return;
        }
        let server = ImapServer::new(
            ImapConfig { allow_plaintext_login: PlaintextLogin::Always, ..ImapConfig::default() },
            Arc::new(provider),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, rx) = tokio::sync::watch::channel(false);
        let s = server.clone();
        let task = tokio::spawn(async move { s.serve(listener, TlsMode::StartTls, rx).await });

        // 1. First sync.
        let mut walls = Vec::new();
        for run in 0..RUNS {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let mut io = BufReader::with_capacity(256 * 1024, stream);
            let mut line = Vec::new();
            io.read_until(b'\n', &mut line).await.unwrap();
            io.get_mut().write_all(b"a LOGIN alice@example.com secret\r\nb SELECT INBOX\r\n").await.unwrap();
            read_until_tag(&mut io, b"b ").await;
            let t = Instant::now();
            io.get_mut().write_all(format!("c {FETCH}\r\n").as_bytes()).await.unwrap();
            let (fetches, bytes) = read_until_tag(&mut io, b"c ").await;
            let wall = t.elapsed().as_secs_f64();
            assert_eq!(fetches, MESSAGES, "every message answered");
            eprintln!("run {run}: {MESSAGES} messages, {bytes} bytes in {:.3} s", wall);
            walls.push(wall);
        }
        let m = median(walls);
        println!("first_sync_10k: median wall {:.3} s, {:.0} messages/s", m, MESSAGES as f64 / m);

        // 2. Idle connections: logged in, INBOX selected, in IDLE.
        let base = rss_kib();
        let conns = open_idle(addr, CONNECTIONS, "alice@example.com", "secret", 1).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let per = rss_per_connection(base, CONNECTIONS).await;
        println!(
            "idle_connections_1000: open {}, median resident memory {:.1} KiB per connection (process RSS {} KiB, before {} KiB)",
            server.metrics().connections_open,
            per,
            rss_kib(),
            base
        );
        drop(conns);

        // 3. The same over implicit TLS, in a fresh process: memory freed by
        // the plain connections would otherwise be reused and hide the cost.
        let me = std::env::current_exe().unwrap();
        let out = tokio::process::Command::new(me).arg(TLS_ONLY).output().await.unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));

        stop.send(true).unwrap();
        let _ = task.await;
    });
}

/// The argument that makes the binary measure only TLS connections.
const TLS_ONLY: &str = "--tls-idle-only";

const PY_TLS: &str = r#"
import socket, ssl, sys
port, cafile, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=cafile)
conns = []
for i in range(n):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
    s.sendall(b"a LOGIN alice@example.com secret\r\nb SELECT INBOX\r\nc IDLE\r\n")
    got = b""
    while b"+ idling\r\n" not in got:
        d = s.recv(65536)
        assert d, got
        got += d
    conns.append(s)
print("ready", flush=True)
sys.stdin.read()
"#;

async fn tls_idle(provider: Arc<dyn mailbox::AccountProvider>) {
    let available = std::process::Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    if !available {
        println!("idle_tls_connections_1000: skipped (python3 missing)");
        return;
    }
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, ck.cert.pem()).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let tls = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![ck.cert.der().clone()], key)
        .unwrap();
    let server = ImapServer::new(ImapConfig { tls: Some(Arc::new(tls)), ..ImapConfig::default() }, provider);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, rx) = tokio::sync::watch::channel(false);
    let s = server.clone();
    let task = tokio::spawn(async move { s.serve(listener, TlsMode::Implicit, rx).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let base = rss_kib();
    let mut child = tokio::process::Command::new("python3")
        .args(["-c", PY_TLS, &port.to_string(), &ca.display().to_string(), &CONNECTIONS.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).await.unwrap();
    assert_eq!(line, "ready\n");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let per = rss_per_connection(base, CONNECTIONS).await;
    println!(
        "idle_tls_connections_1000: open {}, median resident memory {:.1} KiB per connection",
        server.metrics().connections_open,
        per
    );
    drop(child);
    stop.send(true).unwrap();
    let _ = task.await;
}
