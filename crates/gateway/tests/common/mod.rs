//! Runs the real `mapibridge` binary: spawn, read its stdout line by line,
//! signal it, and kill it if a test ends early.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_mapibridge");

/// A running `mapibridge`, killed on drop.
pub struct Running {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    pub fn spawn(args: &[&str], envs: &[(&str, &str)]) -> Self {
        Self::spawn_with_stderr(args, envs, Stdio::inherit())
    }

    pub fn spawn_with_stderr(args: &[&str], envs: &[(&str, &str)], stderr: Stdio) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(stderr);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn mapibridge");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines, seen: Vec::new() }
    }

    /// Reads lines until one equals `wanted`; panics with everything seen on timeout or exit.
    pub fn wait_for_line(&mut self, wanted: &str, timeout: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let left = timeout.checked_sub(start.elapsed()).unwrap_or_default();
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let done = line == wanted;
                    self.seen.push(line);
                    if done {
                        return start.elapsed();
                    }
                }
                Err(e) => panic!("no line {wanted:?} ({e:?}); output so far:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// The remaining output until the process closes stdout.
    pub fn rest(&mut self, timeout: Duration) -> Vec<String> {
        let start = Instant::now();
        let mut out = Vec::new();
        while let Some(left) = timeout.checked_sub(start.elapsed()) {
            match self.lines.recv_timeout(left) {
                Ok(l) => out.push(l),
                Err(_) => break,
            }
        }
        out
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill").arg(format!("-{name}")).arg(self.child.id().to_string()).status().unwrap();
        assert!(status.success());
    }

    /// Waits for the exit status.
    pub fn wait_exit(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(start.elapsed() < timeout, "mapibridge did not exit within {timeout:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `name=port` from the `ports:` line; `None` for `unavailable`.
    pub fn port(&self, name: &str) -> Option<u16> {
        let line = self.seen.iter().find(|l| l.starts_with("ports: ")).expect("a ports: line");
        let value = line.split_whitespace().find_map(|kv| kv.strip_prefix(&format!("{name}=")))?;
        value.parse().ok()
    }
}

/// A one-shot HTTP/1.1 GET: (status, headers+body text).
pub fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", addr.port()).unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text)
}

/// A one-shot HTTP/1.1 request with extra header lines and a body:
/// (status, headers+body text).
pub fn http_request(addr: SocketAddr, method: &str, path: &str, headers: &[&str], body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n", addr.port());
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text)
}

pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// `demo` on ephemeral ports with its data in `dir`.
pub fn demo(dir: &Path) -> Running {
    demo_with(dir, &[], Stdio::inherit())
}

/// `demo` with extra environment and a stderr destination.
pub fn demo_with(dir: &Path, envs: &[(&str, &str)], stderr: Stdio) -> Running {
    let d = dir.to_str().unwrap();
    Running::spawn_with_stderr(
        &[
            "demo",
            "--data-dir",
            d,
            "--imap-port",
            "0",
            "--imaps-port",
            "0",
            "--smtp-port",
            "0",
            "--http-port",
            "0",
            "--exchange-port",
            "0",
        ],
        envs,
        stderr,
    )
}

/// A line-oriented blocking client (IMAP and SMTP over plain TCP).
pub struct LineClient {
    reader: BufReader<TcpStream>,
}

impl LineClient {
    pub fn connect(addr: SocketAddr) -> std::io::Result<Self> {
        let s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Self { reader: BufReader::new(s) })
    }

    pub fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        line
    }

    pub fn send(&mut self, text: &str) {
        self.reader.get_mut().write_all(format!("{text}\r\n").as_bytes()).unwrap();
    }

    /// IMAP: sends `tag cmd` and reads through the tagged completion.
    pub fn imap(&mut self, tag: &str, cmd: &str) -> String {
        self.send(&format!("{tag} {cmd}"));
        let mut all = String::new();
        loop {
            let line = self.line();
            assert!(!line.is_empty(), "closed after {all:?}");
            all.push_str(&line);
            if line.starts_with(&format!("{tag} ")) {
                return all;
            }
        }
    }

    /// SMTP: sends a line and reads the (possibly multi-line) reply.
    pub fn smtp(&mut self, text: &str) -> String {
        self.send(text);
        self.smtp_reply()
    }

    pub fn smtp_reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let line = self.line();
            assert!(!line.is_empty(), "closed after {all:?}");
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return all;
            }
        }
    }
}
