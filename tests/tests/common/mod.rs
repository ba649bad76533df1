//! The real stack on 127.0.0.1:0: exchange-sim in-process (seeded: alice,
//! bob, carol, team@example.test; password `demo`), an ExchangeProvider over
//! it, and the IMAP and SMTP front ends over that provider. Plus a raw IMAP
//! client to check effects in a second session, and the tool check.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use exchange_sim::config::SimConfig;
use exchange_sim::seed::{self, SeedOptions};
use exchange_sim::server::{RunningSim, Simulator};
use exchange_sim::store::Store;
use mailbox::exchange::{Endpoints, ExchangeConfig, ExchangeProvider};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::watch;

pub const ALICE: &str = "alice@example.test";
pub const BOB: &str = "bob@example.test";
pub const CAROL: &str = "carol@example.test";
pub const TEAM: &str = "team@example.test";
pub const PASSWORD: &str = "demo";

/// Everything a test talks to; dropping it stops the servers.
pub struct Stack {
    pub sim: RunningSim,
    pub imap: SocketAddr,
    pub smtp: SocketAddr,
    _stop: watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

/// Options a test may change before the stack starts.
pub struct StackOptions {
    pub smtp: smtp::SmtpConfig,
    /// Messages per user seeded (Inbox and Sent Items together).
    pub messages: u32,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            smtp: smtp::SmtpConfig {
                hostname: "smtp.example.test".into(),
                allow_plaintext_auth: smtp::PlaintextAuth::LoopbackOnly,
                auth_failure_delay: Duration::from_millis(10),
                ..smtp::SmtpConfig::default()
            },
            messages: 6,
        }
    }
}

pub async fn start() -> Stack {
    start_with(StackOptions::default()).await
}

pub async fn start_with(options: StackOptions) -> Stack {
    let store = Store::open_in_memory().unwrap();
    let seed_options = SeedOptions {
        users: vec!["alice".into(), "bob".into(), "carol".into()],
        messages: options.messages,
        ..SeedOptions::default()
    };
    seed::seed(&store, &seed_options).unwrap();
    let mut sim_config = SimConfig::loopback();
    // Short long-polls so change notifications arrive promptly.
    sim_config.pending_period = Duration::from_millis(150);
    sim_config.notification_wait_timeout = Duration::from_millis(700);
    sim_config.request_timeout = Duration::from_secs(30);
    let sim = Simulator::new(sim_config).with_store(store).run().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
    let mut config = ExchangeConfig::new(Endpoints::Autodiscover {
        start: vec![format!("{}/autodiscover/autodiscover.xml", sim.base_url())],
    });
    config.retry.base_delay = Duration::from_millis(2);
    config.retry.max_delay = Duration::from_millis(20);
    config.retry.max_attempts = 2;
    config.notification_wait = Duration::from_secs(5);
    let provider: Arc<dyn mailbox::AccountProvider> = Arc::new(ExchangeProvider::new(config, state));

    let (stop, rx) = watch::channel(false);
    let imap_server = imap::ImapServer::new(
        imap::ImapConfig { allow_plaintext_login: imap::PlaintextLogin::LoopbackOnly, ..imap::ImapConfig::default() },
        provider.clone(),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let imap = l.local_addr().unwrap();
    let r = rx.clone();
    tokio::spawn(async move { imap_server.serve(l, imap::TlsMode::StartTls, r).await });

    let smtp_server = smtp::SmtpServer::new(options.smtp, provider);
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let smtp = l.local_addr().unwrap();
    tokio::spawn(async move { smtp_server.serve(l, smtp::TlsMode::StartTls, rx).await });
    Stack { sim, imap, smtp, _stop: stop, _dir: dir }
}

impl Stack {
    /// A second IMAP session, logged in as `user`.
    pub async fn imap_login(&self, user: &str) -> Imap {
        let s = TcpStream::connect(self.imap).await.unwrap();
        let mut c = Imap { io: BufReader::new(s), n: 0 };
        let greeting = c.line().await;
        assert!(greeting.starts_with("* OK"), "{greeting}");
        let r = c.cmd(&format!("LOGIN {user} {PASSWORD}")).await;
        assert!(r.contains("A001 OK"), "{r}");
        c
    }
}

/// A raw IMAP client: sends tagged commands, reads through the tagged reply
/// (literals included).
pub struct Imap {
    pub io: BufReader<TcpStream>,
    n: u32,
}

impl Imap {
    pub async fn line(&mut self) -> String {
        self.line_within(Duration::from_secs(60)).await.expect("IMAP response within 60 s")
    }

    /// One response line with any literal it announces, or None on timeout.
    pub async fn line_within(&mut self, limit: Duration) -> Option<String> {
        let mut out = Vec::new();
        loop {
            let mut line = Vec::new();
            let n = tokio::time::timeout(limit, self.io.read_until(b'\n', &mut line)).await.ok()?.unwrap();
            if n == 0 {
                return Some(String::from_utf8_lossy(&out).into_owned());
            }
            out.extend_from_slice(&line);
            let l = String::from_utf8_lossy(&line).into_owned();
            let t = l.trim_end();
            if let Some(open) = t.rfind('{')
                && t.ends_with('}')
                && let Ok(len) = t[open + 1..t.len() - 1].trim_end_matches('+').parse::<usize>()
            {
                let mut buf = vec![0; len];
                self.io.read_exact(&mut buf).await.unwrap();
                out.extend_from_slice(&buf);
                continue;
            }
            return Some(String::from_utf8_lossy(&out).into_owned());
        }
    }

    pub async fn send(&mut self, raw: &[u8]) {
        self.io.get_mut().write_all(raw).await.unwrap();
        self.io.get_mut().flush().await.unwrap();
    }

    pub fn next_tag(&mut self) -> String {
        self.n += 1;
        format!("A{:03}", self.n)
    }

    pub async fn cmd(&mut self, command: &str) -> String {
        let tag = self.next_tag();
        self.send(format!("{tag} {command}\r\n").as_bytes()).await;
        self.until(&tag).await
    }

    pub async fn until(&mut self, tag: &str) -> String {
        let mut all = String::new();
        loop {
            let l = self.line().await;
            if l.is_empty() {
                return all;
            }
            all.push_str(&l);
            if l.starts_with(&format!("{tag} ")) {
                return all;
            }
        }
    }

    /// `UID FETCH 1:* (BODY.PEEK[])` of `folder`, one full message per entry.
    pub async fn messages(&mut self, folder: &str) -> Vec<String> {
        let r = self.cmd(&format!("EXAMINE \"{folder}\"")).await;
        assert!(r.contains(" OK "), "{r}");
        let tag = self.next_tag();
        self.send(format!("{tag} UID FETCH 1:* (BODY.PEEK[])\r\n").as_bytes()).await;
        let mut out = Vec::new();
        loop {
            let l = self.line().await;
            if l.starts_with(&format!("{tag} ")) || l.is_empty() {
                assert!(l.starts_with(&format!("{tag} OK")), "{l}");
                return out;
            }
            if l.starts_with("* ") && l.contains(" FETCH ") {
                out.push(l);
            }
        }
    }
}

#[allow(unused_imports)] // not every test binary drives a tool
pub use test_support::tools::{run, tool, transcript};
