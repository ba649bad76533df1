//! Helpers shared by the integration tests: a server over the in-memory
//! mailbox on 127.0.0.1:0, a raw SMTP client for transcripts, a test CA.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use mailbox::{
    Account, AccountProvider, FetchFields, MailboxError, MemoryAccount, MemoryConfig, MemoryProvider, UidSet,
};
use smtp::{PlaintextAuth, SmtpConfig, SmtpServer, TlsMode};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::watch;

pub const ALICE: &str = "alice@example.test";
pub const PASSWORD: &str = "s3cret!";
pub const SHARED: &str = "team@example.test";

/// A running server with Alice's in-memory mailbox.
pub struct Fixture {
    pub addr: SocketAddr,
    pub server: SmtpServer,
    pub account: MemoryAccount,
    pub provider: Arc<CachingProvider>,
    pub stop: watch::Sender<bool>,
    pub served: tokio::task::JoinHandle<std::io::Result<()>>,
    pub tls_cert: Vec<u8>,
    _dir: tempfile::TempDir,
}

/// The configuration tests start from: TLS available, plaintext AUTH on
/// loopback, no AUTH failure delay.
pub fn test_config() -> SmtpConfig {
    let (tls, _) = tls_config();
    SmtpConfig {
        hostname: "smtp.example.test".into(),
        tls: Some(tls),
        allow_plaintext_auth: PlaintextAuth::LoopbackOnly,
        auth_failure_delay: Duration::from_millis(10),
        ..SmtpConfig::default()
    }
}

pub async fn start() -> Fixture {
    start_with(test_config(), TlsMode::StartTls).await
}

pub async fn start_with(mut config: SmtpConfig, mode: TlsMode) -> Fixture {
    let (tls, cert) = tls_config();
    if config.tls.is_some() {
        config.tls = Some(tls);
    }
    let dir = tempfile::tempdir().unwrap();
    let store = state::SqliteStore::open(dir.path()).await.unwrap();
    let account = MemoryAccount::new(ALICE, Arc::new(store), MemoryConfig::default()).await.unwrap();
    let inner = MemoryProvider::new();
    inner.add_user(ALICE, PASSWORD, account.clone());
    let provider = Arc::new(CachingProvider { inner, cache: Mutex::new(HashMap::new()) });
    let server = SmtpServer::new(config, provider.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, shutdown) = watch::channel(false);
    let s = server.clone();
    let served = tokio::spawn(async move { s.serve(listener, mode, shutdown).await });
    Fixture { addr, server, account, provider, stop, served, tls_cert: cert, _dir: dir }
}

/// A provider that keeps the accounts of successful logins, as a pooled
/// backend session does: a user who logged in before the backend went down
/// can still authenticate, so a failure reaches the submission itself.
pub struct CachingProvider {
    inner: MemoryProvider,
    cache: Mutex<HashMap<(String, String), Arc<dyn Account>>>,
}

#[async_trait::async_trait]
impl AccountProvider for CachingProvider {
    async fn login(&self, user: &str, password: &str) -> Result<Arc<dyn Account>, MailboxError> {
        let key = (user.to_lowercase(), password.to_owned());
        match self.inner.login(user, password).await {
            Ok(account) => {
                self.cache.lock().unwrap().insert(key, account.clone());
                Ok(account)
            }
            Err(MailboxError::Unavailable(why)) => {
                self.cache.lock().unwrap().get(&key).cloned().ok_or(MailboxError::Unavailable(why))
            }
            Err(e) => Err(e),
        }
    }
}

/// A fresh self-signed certificate for `localhost` and its server config.
pub fn tls_config() -> (Arc<rustls::ServerConfig>, Vec<u8>) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let der = cert.cert.der().to_vec();
    let key = rustls_pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![der.clone().into()], key)
        .unwrap();
    (Arc::new(config), der)
}

/// The messages in Alice's Sent Items, as stored.
pub async fn sent_items(account: &MemoryAccount) -> Vec<Vec<u8>> {
    let folder = account.folder_by_path("Sent Items").await.unwrap();
    let fields = FetchFields { mime: true, ..FetchFields::default() };
    folder.fetch(&UidSet::all(), fields).await.unwrap().into_iter().map(|m| m.mime.unwrap().to_vec()).collect()
}

/// A raw SMTP client reading whole (multi-line) replies.
pub struct Client<S> {
    pub io: BufReader<S>,
}

pub async fn connect(addr: SocketAddr) -> Client<TcpStream> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let mut c = Client { io: BufReader::new(tcp) };
    let greeting = c.reply().await;
    assert!(greeting.starts_with("220 "), "{greeting}");
    c
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    /// The next reply, all its lines joined with `\n`.
    pub async fn reply(&mut self) -> String {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(Duration::from_secs(20), self.io.read_line(&mut line))
                .await
                .expect("reply within 20 s")
                .unwrap();
            assert!(n > 0, "connection closed; replies so far {lines:?}");
            let line = line.trim_end().to_owned();
            let more = line.as_bytes().get(3) == Some(&b'-');
            lines.push(line);
            if !more {
                return lines.join("\n");
            }
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.io.get_mut().write_all(bytes).await.unwrap();
        self.io.get_mut().flush().await.unwrap();
    }

    /// Sends a command line and returns its reply.
    pub async fn cmd(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }

    /// Whether the server closed the connection (reads EOF).
    pub async fn closed(&mut self) -> bool {
        let mut line = String::new();
        matches!(tokio::time::timeout(Duration::from_secs(10), self.io.read_line(&mut line)).await, Ok(Ok(0)))
    }

    /// EHLO + AUTH PLAIN as Alice.
    pub async fn login(&mut self) {
        let ehlo = self.cmd("EHLO client.test").await;
        assert!(ehlo.contains("AUTH PLAIN LOGIN") || ehlo.contains("AUTH LOGIN PLAIN"), "{ehlo}");
        let r = self.cmd(&format!("AUTH PLAIN {}", plain(ALICE, PASSWORD))).await;
        assert!(r.starts_with("235 2.7.0"), "{r}");
    }
}

pub fn plain(user: &str, password: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"))
}

pub fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A rustls client trusting `cert` for `localhost`.
pub fn tls_connector(cert: &[u8]) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.to_vec().into()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// A simple message with the given extra header lines.
pub fn message(extra_headers: &str, body: &str) -> String {
    format!(
        "From: Alice <{ALICE}>\r\nTo: Bob <bob@example.test>\r\nSubject: Test\r\nDate: Fri, 27 Nov 2026 05:00:00 +0000\r\n{extra_headers}\r\n{body}"
    )
}

/// Whether an external tool is there; without it the test is skipped with a
/// note, unless `MAPIBRIDGE_REQUIRE_TOOLS` is set (CI), where it fails.
pub fn have_tool(name: &str) -> bool {
    let found = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        assert!(
            std::env::var_os("MAPIBRIDGE_REQUIRE_TOOLS").is_none(),
            "{name} is required (MAPIBRIDGE_REQUIRE_TOOLS)"
        );
        eprintln!("note: {name} not installed; test skipped");
    }
    found
}

/// Waits until `f` holds (polling), for at most 10 s.
pub async fn eventually(mut f: impl FnMut() -> bool) {
    for _ in 0..200 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not reached in 10 s");
}
