//! The real binaries as separate processes: `exchange-sim serve` (so a test
//! can kill it with SIGKILL and start it again on the same port and data)
//! and `mapibridge serve` in front of it, on 127.0.0.1 ports chosen at run
//! time. Both are killed when their handle drops.
//!
//! The binaries are looked up next to the running test or bench executable
//! (`target/<profile>/`): `cargo test --workspace` builds them; for
//! `cargo test -p e2e` alone run `cargo build -p gateway -p exchange-sim`
//! first.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The seeded users' password.
pub const PASSWORD: &str = "demo";
/// Seeded users.
pub const ALICE: &str = "alice@example.test";
/// Seeded users.
pub const BOB: &str = "bob@example.test";

/// Errors of the harness: it runs in tests and benches, so a readable
/// message is all it needs.
pub type Result<T> = std::result::Result<T, String>;

/// The path of one of the workspace's binaries.
pub fn binary(name: &str) -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| format!("current exe: {e}"))?;
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} not built: run `cargo build -p gateway -p exchange-sim` first", path.display()))
    }
}

/// A free loopback port (bound and released: the caller binds it next).
pub fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    Ok(l.local_addr().map_err(|e| format!("local addr: {e}"))?.port())
}

/// Output lines of a child, kept (the last 400) for diagnostics; the pipe
/// is drained all the time so the child never blocks on it.
#[derive(Clone, Default)]
pub struct Lines(Arc<Mutex<Vec<String>>>);

impl Lines {
    fn follow(&self, stream: impl Read + Send + 'static) {
        let lines = self.0.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(std::result::Result::ok) {
                let mut v = lines.lock().unwrap_or_else(|e| e.into_inner());
                if v.len() >= 400 {
                    v.remove(0);
                }
                v.push(line);
            }
        });
    }

    /// Whether some line contains `needle`.
    pub fn contains(&self, needle: &str) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|l| l.contains(needle))
    }

    /// The lines so far.
    pub fn text(&self) -> String {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).join("\n")
    }

    fn wait_for(&self, needle: &str, limit: Duration, child: &mut Child) -> Result<()> {
        let start = Instant::now();
        while !self.contains(needle) {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("exited ({status}) before {needle:?}:\n{}", self.text()));
            }
            if start.elapsed() > limit {
                return Err(format!("no {needle:?} within {limit:?}:\n{}", self.text()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }
}

/// `exchange-sim serve` on a fixed loopback port over a data directory.
pub struct Sim {
    child: Option<Child>,
    /// The port it listens on (kept across restarts).
    pub port: u16,
    data: PathBuf,
    extra: Vec<String>,
    /// Its output.
    pub log: Lines,
}

impl Sim {
    /// Seeds `users` (comma-separated short names) with `messages` each.
    pub fn seed(data: &Path, users: &str, messages: u32) -> Result<()> {
        let out = Command::new(binary("exchange-sim")?)
            .args(["seed", "--data"])
            .arg(data)
            .args(["--users", users, "--messages", &messages.to_string()])
            .output()
            .map_err(|e| format!("exchange-sim seed: {e}"))?;
        if !out.status.success() {
            return Err(format!("exchange-sim seed failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(())
    }

    /// Starts the simulator on a free port; `extra` are more `serve` options.
    pub fn start(data: &Path, extra: &[&str]) -> Result<Self> {
        let mut sim = Self {
            child: None,
            port: free_port()?,
            data: data.to_owned(),
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
            log: Lines::default(),
        };
        sim.spawn()?;
        Ok(sim)
    }

    fn spawn(&mut self) -> Result<()> {
        let mut child = Command::new(binary("exchange-sim")?)
            .args(["serve", "--listen", &format!("127.0.0.1:{}", self.port), "--data"])
            .arg(&self.data)
            .args(["--pending-period-ms", "200", "--max-body", "67108864"])
            .args(&self.extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("spawn exchange-sim: {e}"))?;
        if let Some(s) = child.stdout.take() {
            self.log.follow(s);
        }
        if let Some(s) = child.stderr.take() {
            self.log.follow(s);
        }
        let started = self.log.0.lock().unwrap_or_else(|e| e.into_inner()).len();
        let start = Instant::now();
        // Wait for a "listening" line printed by this incarnation.
        loop {
            let ready = self
                .log
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .skip(started)
                .any(|l| l.contains("listening on"))
                || TcpStream::connect(("127.0.0.1", self.port)).is_ok();
            if ready {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("exchange-sim exited ({status}):\n{}", self.log.text()));
            }
            if start.elapsed() > Duration::from_secs(30) {
                return Err(format!("exchange-sim did not start:\n{}", self.log.text()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child = Some(child);
        Ok(())
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGKILL: no goodbye, in-flight requests cut.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port and data.
    pub fn restart(&mut self) -> Result<()> {
        self.kill();
        self.spawn()
    }

    /// `POST /admin/faults` with this JSON.
    pub fn faults(&self, json: &str) -> Result<()> {
        let (status, body) = http(
            SocketAddr::from(([127, 0, 0, 1], self.port)),
            &format!(
                "POST /admin/faults HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
                json.len()
            ),
        )?;
        if status / 100 != 2 {
            return Err(format!("faults {json}: {status} {body}"));
        }
        Ok(())
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A one-shot HTTP/1.1 exchange on a fresh connection: (status, body).
pub fn http(addr: SocketAddr, request: &str) -> Result<(u16, String)> {
    let mut s = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    s.write_all(request.as_bytes()).map_err(|e| format!("write: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| format!("read: {e}"))?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("no status: {text}"))?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    Ok((status, body))
}

/// `mapibridge serve` in front of a simulator: IMAP (STARTTLS), submission
/// (STARTTLS), HTTP with DAV, metrics, plaintext logins allowed from
/// loopback unless the caller's configuration says otherwise.
pub struct Gateway {
    child: Option<Child>,
    /// IMAP listener.
    pub imap: SocketAddr,
    /// Submission listener.
    pub smtp: SocketAddr,
    /// HTTP listener (DAV under `/dav/`).
    pub http: SocketAddr,
    /// Metrics listener.
    pub metrics: SocketAddr,
    /// Its log.
    pub log: Lines,
    /// Its (self-signed, `localhost`) certificate, DER.
    pub cert_der: Vec<u8>,
    _dir: tempfile::TempDir,
}

impl Gateway {
    /// Starts the gateway on `sim` (its base URL) with `plaintext_login`
    /// (`never`, `loopback` or `always`) and extra TOML appended to `[limits]`.
    pub fn start(sim_base: &str, plaintext_login: &str, limits: &str) -> Result<Self> {
        let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let tls = dir.path().join("tls");
        std::fs::create_dir_all(&tls).map_err(|e| e.to_string())?;
        let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).map_err(|e| e.to_string())?;
        std::fs::write(tls.join("cert.pem"), ck.cert.pem()).map_err(|e| e.to_string())?;
        std::fs::write(tls.join("key.pem"), ck.signing_key.serialize_pem()).map_err(|e| e.to_string())?;
        let loopback = |p: u16| SocketAddr::from(([127, 0, 0, 1], p));
        let (imap, smtp, http, metrics) =
            (loopback(free_port()?), loopback(free_port()?), loopback(free_port()?), loopback(free_port()?));
        let config = dir.path().join("mapibridge.toml");
        std::fs::write(
            &config,
            format!(
                r#"[public]
hostname = "localhost"
domains = ["example.test"]

[exchange]
mailstore_url = "{sim_base}/mapi/emsmdb/"
addressbook_url = "{sim_base}/mapi/nspi/"
auth = "basic"
connect_timeout_secs = 2
request_timeout_secs = 20

[listeners]
imap = "{imap}"
submission = "{smtp}"
http = "{http}"
dav = true
metrics = "{metrics}"
plaintext_login = "{plaintext_login}"

[tls]
cert = "{cert}"
key = "{key}"

[data]
dir = "{data}"

[limits]
{limits}

[log]
format = "text"
level = "info"
"#,
                cert = tls.join("cert.pem").display(),
                key = tls.join("key.pem").display(),
                data = dir.path().join("data").display(),
            ),
        )
        .map_err(|e| e.to_string())?;
        let mut child = Command::new(binary("mapibridge")?)
            .args(["serve", "--config"])
            .arg(&config)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("spawn mapibridge: {e}"))?;
        let log = Lines::default();
        if let Some(s) = child.stdout.take() {
            log.follow(s);
        }
        if let Some(s) = child.stderr.take() {
            log.follow(s);
        }
        log.wait_for("mapibridge ready", Duration::from_secs(60), &mut child)?;
        Ok(Self { child: Some(child), imap, smtp, http, metrics, log, cert_der: ck.cert.der().to_vec(), _dir: dir })
    }

    /// Resident set size in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> Option<u64> {
        let pid = self.child.as_ref()?.id();
        rss_kib(pid)
    }

    /// Whether the process still runs.
    pub fn alive(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// `GET /metrics` text.
    pub fn metrics_text(&self) -> Result<String> {
        let (status, body) = http(self.metrics, "GET /metrics HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")?;
        if status != 200 {
            return Err(format!("/metrics: {status}"));
        }
        Ok(body)
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `VmRSS` of a process in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
