//! Submission throughput over loopback: 100 KB messages through the SMTP
//! server into the in-memory mailbox (which parses each message and files a
//! Sent copy), one connection sending one message after the other (envelope
//! pipelined), and four connections in parallel. Each run starts with a
//! fresh server and an empty mailbox. Prints the median messages/s.
//!
//! `cargo bench -p smtp --bench submit`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::Instant;

use std::sync::atomic::{AtomicUsize, Ordering};

use mailbox::{
    Account, AccountProvider, Folder, FolderId, FolderInfo, MailboxError, MemoryAccount, MemoryConfig, MemoryProvider,
    Submission, SubmitOutcome,
};
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

/// A fresh server over an empty in-memory mailbox (the in-memory Sent
/// folder slows down as it fills, which is not what this measures).
async fn server() -> (std::net::SocketAddr, MemoryAccount, tokio::sync::watch::Sender<bool>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = state::SqliteStore::open(dir.path()).await.unwrap();
    let account = MemoryAccount::new(USER, Arc::new(store), MemoryConfig::default()).await.unwrap();
    let provider = MemoryProvider::new();
    provider.add_user(USER, "pw", account.clone());
    let (addr, stop) = serve(Arc::new(provider)).await;
    (addr, account, stop, dir)
}

async fn serve(provider: Arc<dyn AccountProvider>) -> (std::net::SocketAddr, tokio::sync::watch::Sender<bool>) {
    let config = SmtpConfig {
        allow_plaintext_auth: PlaintextAuth::Always,
        max_messages_per_minute: None,
        ..SmtpConfig::default()
    };
    let server = SmtpServer::new(config, provider);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    tokio::spawn(async move { server.serve(listener, TlsMode::StartTls, shutdown).await });
    (addr, stop)
}

/// A backend that accepts every submission at once: what the SMTP server
/// itself costs. Everything but `submit` is refused.
struct NullBackend;

#[async_trait::async_trait]
impl AccountProvider for NullBackend {
    async fn login(&self, _: &str, _: &str) -> Result<Arc<dyn Account>, MailboxError> {
        Ok(Arc::new(NullAccount))
    }
}

struct NullAccount;

fn refused<T>() -> Result<T, MailboxError> {
    Err(MailboxError::NotPermitted("bench backend".into()))
}

#[async_trait::async_trait]
impl Account for NullAccount {
    fn identity(&self) -> &str {
        USER
    }
    fn delimiter(&self) -> char {
        '/'
    }
    async fn list_folders(&self) -> Result<Vec<FolderInfo>, MailboxError> {
        refused()
    }
    async fn folder_by_path(&self, _: &str) -> Result<Arc<dyn Folder>, MailboxError> {
        refused()
    }
    async fn folder(&self, _: &FolderId) -> Result<Arc<dyn Folder>, MailboxError> {
        refused()
    }
    async fn create_folder(&self, _: &str) -> Result<FolderInfo, MailboxError> {
        refused()
    }
    async fn rename_folder(&self, _: &str, _: &str) -> Result<FolderInfo, MailboxError> {
        refused()
    }
    async fn delete_folder(&self, _: &str) -> Result<(), MailboxError> {
        refused()
    }
    async fn subscribe(&self, _: &str) -> Result<(), MailboxError> {
        refused()
    }
    async fn unsubscribe(&self, _: &str) -> Result<bool, MailboxError> {
        refused()
    }
    async fn subscriptions(&self) -> Result<Vec<String>, MailboxError> {
        refused()
    }
    async fn submit(&self, s: Submission) -> Result<SubmitOutcome, MailboxError> {
        COUNT.fetch_add(1, Ordering::Relaxed);
        Ok(SubmitOutcome { message_id: Some(format!("{}", s.mime.len())) })
    }
}

static COUNT: AtomicUsize = AtomicUsize::new(0);

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        for connections in [1usize, 4] {
            let mut rates = Vec::new();
            for run in 0..RUNS {
                let (addr, account, stop, _dir) = server().await;
                let start = Instant::now();
                let mut tasks = Vec::new();
                for c in 0..connections {
                    tasks.push(tokio::spawn(client(addr, format!("r{connections}-{run}-{c}"), MESSAGES / connections)));
                }
                for t in tasks {
                    t.await.unwrap();
                }
                rates.push(MESSAGES as f64 / start.elapsed().as_secs_f64());
                assert_eq!(account.submitted().len(), MESSAGES);
                let _ = stop.send(true);
            }
            println!(
                "submit 100 KB x {MESSAGES} over {connections} connection(s): median {:.0} messages/s ({:.1} MB/s), runs {:?}",
                median(rates.clone()),
                median(rates.clone()) * SIZE as f64 / 1e6,
                rates.iter().map(|r| r.round() as u64).collect::<Vec<_>>()
            );
        }
        for connections in [1usize, 4] {
            let mut rates = Vec::new();
            for run in 0..RUNS {
                let (addr, stop) = serve(Arc::new(NullBackend)).await;
                let before = COUNT.load(Ordering::Relaxed);
                let start = Instant::now();
                let mut tasks = Vec::new();
                for c in 0..connections {
                    tasks.push(tokio::spawn(client(addr, format!("n{connections}-{run}-{c}"), MESSAGES / connections)));
                }
                for t in tasks {
                    t.await.unwrap();
                }
                rates.push(MESSAGES as f64 / start.elapsed().as_secs_f64());
                assert_eq!(COUNT.load(Ordering::Relaxed) - before, MESSAGES);
                let _ = stop.send(true);
            }
            println!(
                "SMTP only (backend accepts at once), 100 KB x {MESSAGES} over {connections} connection(s): median {:.0} messages/s ({:.1} MB/s), runs {:?}",
                median(rates.clone()),
                median(rates.clone()) * SIZE as f64 / 1e6,
                rates.iter().map(|r| r.round() as u64).collect::<Vec<_>>()
            );
        }
        // The same messages straight into Account::submit, without SMTP:
        // what the in-memory backend itself costs.
        let mut rates = Vec::new();
        for run in 0..RUNS {
            let (_addr, account, stop, _dir) = server().await;
            let start = Instant::now();
            for n in 0..MESSAGES {
                let mut mime = message(n, &format!("direct-{run}"));
                mime.truncate(mime.len() - 3);
                let submission = Submission {
                    mime,
                    mail_from: USER.into(),
                    recipients: vec!["bob@example.test".into()],
                    save_copy: false,
                };
                account.submit(submission).await.unwrap();
            }
            rates.push(MESSAGES as f64 / start.elapsed().as_secs_f64());
            let _ = stop.send(true);
        }
        println!(
            "Account::submit directly (no SMTP), 100 KB x {MESSAGES}: median {:.0} messages/s, runs {:?}",
            median(rates.clone()),
            rates.iter().map(|r| r.round() as u64).collect::<Vec<_>>()
        );
    });
}
