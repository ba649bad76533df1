//! Submission throughput over loopback: 100 KB messages through the SMTP
//! server into the in-memory mailbox (which parses each message and files a
//! Sent copy), one connection sending one message after the other, and four
//! connections in parallel. Prints the median messages/s over the runs.
//!
//! `cargo bench -p smtp --bench submit`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::Instant;

use mailbox::{MemoryAccount, MemoryConfig, MemoryProvider};
use smtp::{PlaintextAuth, SmtpConfig, SmtpServer, TlsMode};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const MESSAGES: usize = 200;
const RUNS: usize = 7;
const SIZE: usize = 100 * 1024;
const USER: &str = "alice@example.test";

fn message(n: usize, tag: &str) -> Vec<u8> {
    let mut m =
        format!("From: {USER}\r\nTo: bob@example.test\r\nSubject: bench {n}\r\nMessage-ID: <{tag}-{n}@bench>\r\n\r\n")
            .into_bytes();
    let line = "The quick brown fox jumps over the lazy dog, again and again and again.\r\n";
    while m.len() < SIZE {
        m.extend_from_slice(line.as_bytes());
    }
    m.extend_from_slice(b".\r\n");
    m
}

async fn reply(r: &mut BufReader<TcpStream>) -> String {
    loop {
        let mut line = String::new();
        r.read_line(&mut line).await.unwrap();
        assert!(!line.is_empty(), "closed");
        if line.as_bytes().get(3) != Some(&b'-') {
            return line;
        }
    }
}

/// Sends `count` messages over one connection; pipelines the envelope.
async fn client(addr: std::net::SocketAddr, tag: String, count: usize) {
    let mut c = BufReader::new(TcpStream::connect(addr).await.unwrap());
    reply(&mut c).await;
    c.get_mut().write_all(b"EHLO bench\r\nAUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABwdw==\r\n").await.unwrap();
    reply(&mut c).await;
    assert!(reply(&mut c).await.starts_with("235"));
    for n in 0..count {
        c.get_mut()
            .write_all(b"MAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n")
            .await
            .unwrap();
        for _ in 0..3 {
            reply(&mut c).await;
        }
        c.get_mut().write_all(&message(n, &tag)).await.unwrap();
        let r = reply(&mut c).await;
        assert!(r.starts_with("250"), "{r}");
    }
    c.get_mut().write_all(b"QUIT\r\n").await.unwrap();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = state::SqliteStore::open(dir.path()).await.unwrap();
        let account = MemoryAccount::new(USER, Arc::new(store), MemoryConfig::default()).await.unwrap();
        let provider = MemoryProvider::new();
        provider.add_user(USER, "pw", account.clone());
        let config = SmtpConfig {
            allow_plaintext_auth: PlaintextAuth::Always,
            max_messages_per_minute: None,
            ..SmtpConfig::default()
        };
        let server = SmtpServer::new(config, Arc::new(provider));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (_stop, shutdown) = tokio::sync::watch::channel(false);
        tokio::spawn(async move { server.serve(listener, TlsMode::StartTls, shutdown).await });

        for connections in [1usize, 4] {
            let mut rates = Vec::new();
            for run in 0..RUNS {
                let start = Instant::now();
                let mut tasks = Vec::new();
                for c in 0..connections {
                    tasks.push(tokio::spawn(client(addr, format!("r{connections}-{run}-{c}"), MESSAGES / connections)));
                }
                for t in tasks {
                    t.await.unwrap();
                }
                rates.push(MESSAGES as f64 / start.elapsed().as_secs_f64());
            }
            println!(
                "submit 100 KB x {MESSAGES} over {connections} connection(s): median {:.0} messages/s ({:.1} MB/s), runs {:?}",
                median(rates.clone()),
                median(rates.clone()) * SIZE as f64 / 1e6,
                rates.iter().map(|r| r.round() as u64).collect::<Vec<_>>()
            );
        }
        assert_eq!(account.submitted().len(), MESSAGES * RUNS * 2);
    });
}
