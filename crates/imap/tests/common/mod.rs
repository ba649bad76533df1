//! Shared helpers: a server over a MemoryProvider on 127.0.0.1:0 and a raw
//! line-level IMAP client.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use imap::{ImapConfig, ImapServer, PlaintextLogin, TlsMode};
use mailbox::{MemoryAccount, MemoryConfig, MemoryProvider, Timestamp};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// 2026-11-27 00:00:00 UTC.
pub const T0: i64 = 1_795_737_600;
pub const USER: &str = "alice@example.com";
pub const PASS: &str = "secret";

pub struct Env {
    pub _dir: tempfile::TempDir,
    pub account: MemoryAccount,
    pub addr: SocketAddr,
    pub server: ImapServer,
    pub stop: watch::Sender<bool>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Env {
    pub async fn connect(&self) -> Client<TcpStream> {
        let s = TcpStream::connect(self.addr).await.unwrap();
        let mut c = Client::new(s);
        let greeting = c.line().await;
        assert!(greeting.starts_with("* OK"), "{greeting}");
        c
    }

    /// Connected and logged in.
    pub async fn login(&self) -> Client<TcpStream> {
        let mut c = self.connect().await;
        let r = c.cmd(&format!("LOGIN {USER} {PASS}")).await;
        assert!(r.starts_with("A001 OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UIDPLUS MOVE UNSELECT CHILDREN SPECIAL-USE LIST-EXTENDED LIST-STATUS ESEARCH BINARY CONDSTORE QRESYNC STATUS=SIZE QUOTA QUOTA=RES-STORAGE APPENDLIMIT="), "{r}");
        assert!(r.ends_with(" COMPRESS=DEFLATE] Logged in\r\n"), "{r}");
        c
    }
}

pub async fn start() -> Env {
    start_with(ImapConfig { allow_plaintext_login: PlaintextLogin::Always, ..ImapConfig::default() }, TlsMode::StartTls)
        .await
}

pub async fn start_with(config: ImapConfig, mode: TlsMode) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let store = state::SqliteStore::open(dir.path()).await.unwrap();
    let account = MemoryAccount::new(USER, Arc::new(store), MemoryConfig::default()).await.unwrap();
    let provider = MemoryProvider::new();
    provider.add_user(USER, PASS, account.clone());
    let server = ImapServer::new(config, Arc::new(provider));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, rx) = watch::channel(false);
    let s = server.clone();
    let task = tokio::spawn(async move { s.serve(listener, mode, rx).await });
    Env { _dir: dir, account, addr, server, stop, task }
}

/// `27 Nov 2026 10:00:00 +0000` for a Unix time.
pub fn rfc5322_date(t: i64) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{d} {} {y} {:02}:{:02}:{:02} +0000", MONTHS[(m - 1) as usize], secs / 3600, secs / 60 % 60, secs % 60)
}

pub fn message(subject: &str, date: i64) -> Vec<u8> {
    format!(
        "From: Bob <bob@example.com>\r\nTo: Alice <alice@example.com>\r\nSubject: {subject}\r\nDate: {}\r\n\
Message-ID: <{subject}.{date}@example.com>\r\n\r\nHello {subject}\r\n",
        rfc5322_date(date)
    )
    .into_bytes()
}

/// Delivers `n` messages `m1..mn` to the inbox.
pub async fn deliver(account: &MemoryAccount, n: usize) {
    let msgs = (0..n).map(|i| (message(&format!("m{}", i + 1), T0 + i as i64), Timestamp(T0 + i as i64))).collect();
    account.deliver("INBOX", msgs).await.unwrap();
}

/// A raw client: sends lines, reads responses (literals included) until
/// the tagged one.
pub struct Client<S> {
    io: BufReader<S>,
    n: u32,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    pub fn new(s: S) -> Self {
        Self { io: BufReader::new(s), n: 0 }
    }

    /// One response line, with any literal it announces appended.
    pub async fn line(&mut self) -> String {
        let mut out = Vec::new();
        loop {
            let mut line = Vec::new();
            let n = tokio::time::timeout(Duration::from_secs(10), self.io.read_until(b'\n', &mut line))
                .await
                .expect("response within 10 s")
                .unwrap();
            if n == 0 {
                return String::from_utf8_lossy(&out).into_owned();
            }
            out.extend_from_slice(&line);
            // A literal announcement `{n}\r\n` at the end of the line.
            let l = String::from_utf8_lossy(&line).into_owned();
            let trimmed = l.trim_end();
            if let Some(open) = trimmed.rfind('{')
                && trimmed.ends_with('}')
                && let Ok(len) = trimmed[open + 1..trimmed.len() - 1].parse::<usize>()
            {
                let mut buf = vec![0; len];
                self.io.read_exact(&mut buf).await.unwrap();
                out.extend_from_slice(&buf);
                continue;
            }
            return String::from_utf8_lossy(&out).into_owned();
        }
    }

    pub async fn send(&mut self, raw: &[u8]) {
        self.io.get_mut().write_all(raw).await.unwrap();
        self.io.get_mut().flush().await.unwrap();
    }

    /// Sends `tag command` and returns every line through the tagged one.
    pub async fn cmd(&mut self, command: &str) -> String {
        self.n += 1;
        let tag = format!("A{:03}", self.n);
        self.send(format!("{tag} {command}\r\n").as_bytes()).await;
        self.until(&tag).await
    }

    /// Reads through the line tagged `tag`.
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

    pub fn next_tag(&mut self) -> String {
        self.n += 1;
        format!("A{:03}", self.n)
    }

    pub fn into_inner(self) -> S {
        self.io.into_inner()
    }
}

/// Whether an external tool exists; panics when MAPIBRIDGE_REQUIRE_TOOLS
/// is set and it does not.
pub fn tool(name: &str) -> bool {
    let found = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var_os("MAPIBRIDGE_REQUIRE_TOOLS").is_some() {
            panic!("{name} is required (MAPIBRIDGE_REQUIRE_TOOLS is set)");
        }
        eprintln!("note: {name} not installed; skipping");
    }
    found
}

/// A self-signed certificate for `localhost` and a server config with it,
/// plus a client connector that trusts it.
pub fn tls_pair() -> (Arc<rustls::ServerConfig>, tokio_rustls::TlsConnector) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = ck.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (Arc::new(server), tokio_rustls::TlsConnector::from(Arc::new(client)))
}

/// Writes the certificate of a server config's pair as PEM (for external
/// clients); returns the path.
pub fn localhost() -> rustls::pki_types::ServerName<'static> {
    rustls::pki_types::ServerName::try_from("localhost").unwrap()
}
