//! `mapibridge serve --config FILE` (the real binary): listeners from the
//! file, JSON logs, health/ready/metrics on their own listener, SIGHUP
//! reloads the certificate without stopping, SIGTERM stops cleanly;
//! `mapibridge dns` prints the records for the same file.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_http(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(loopback(port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "serve did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_runs_from_config_reloads_on_sighup_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let tls = gateway::tls::self_signed(&dir.path().join("tls"), &["mail.example.com".into()]).unwrap();
    let (http, metrics, imap) = (free_port(), free_port(), free_port());
    let config = dir.path().join("mapibridge.toml");
    std::fs::write(
        &config,
        format!(
            r#"[public]
hostname = "mail.example.com"
domains = ["example.com"]

[exchange]
autodiscover_url = "https://mail.example.com/autodiscover/autodiscover.xml"

[listeners]
imap = "127.0.0.1:{imap}"
http = "127.0.0.1:{http}"
metrics = "127.0.0.1:{metrics}"

[tls]
cert = "{}"
key = "{}"

[data]
dir = "{}"

[log]
format = "json"
level = "info"
"#,
            tls.cert.display(),
            tls.key.display(),
            dir.path().join("data").display()
        ),
    )
    .unwrap();

    let mut child = Command::new(BIN)
        .args(["serve", "--config", config.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, logs) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let guard = scopeguard(child);
    let wait_log = |needle: &str| -> Vec<String> {
        let mut seen = Vec::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if let Ok(l) = logs.recv_timeout(Duration::from_millis(200)) {
                let done = l.contains(needle);
                seen.push(l);
                if done {
                    return seen;
                }
            }
        }
        panic!("no log line with {needle:?}: {seen:#?}");
    };
    let start_logs = wait_log("mapibridge ready");
    for l in &start_logs {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
        assert!(v.get("level").is_some(), "{l}");
    }
    assert!(
        start_logs.iter().any(|l| l.contains("serving") && l.contains(&format!("127.0.0.1:{imap}"))),
        "{start_logs:#?}"
    );
    wait_http(http);
    let mut client = LineClient::connect(loopback(imap)).unwrap();
    assert!(client.line().starts_with("* OK"), "the IMAP listener greets");
    let caps = client.imap("a1", "CAPABILITY");
    assert!(caps.contains("STARTTLS") && caps.contains("LOGINDISABLED"), "plaintext_login = never: {caps}");
    drop(client);

    assert_eq!(http_get(loopback(http), "/ready").0, 200);
    assert_eq!(http_get(loopback(metrics), "/health").0, 200);
    let (status, text) = http_get(loopback(metrics), "/metrics");
    assert_eq!(status, 200);
    assert!(text.contains("mapibridge_listener_up{listener=\"imap\",protocol=\"imap\"} 1"), "{text}");
    // The readiness probe and the client above.
    let total = text.lines().find_map(|l| l.strip_prefix("mapibridge_connections_total{protocol=\"imap\"} ")).unwrap();
    assert!(total.parse::<u64>().unwrap() >= 2, "{text}");
    // Autoconfig is on the http listener only; it names the public host and port.
    assert_eq!(http_get(loopback(metrics), "/mail/config-v1.1.xml").0, 404);
    let (status, xml) = http_get(loopback(http), "/mail/config-v1.1.xml?emailaddress=a%40example.com");
    assert_eq!(status, 200, "{xml}");
    assert!(
        xml.contains("<hostname>mail.example.com</hostname>") && xml.contains(&format!("<port>{imap}</port>")),
        "{xml}"
    );

    guard.signal("HUP");
    wait_log("certificate reloaded");
    assert_eq!(http_get(loopback(http), "/health").0, 200, "SIGHUP must not stop the gateway");

    guard.signal("TERM");
    wait_log("mapibridge stopped");
    let status = guard.wait(Duration::from_secs(15));
    assert!(status.success(), "{status:?}");
}

#[test]
fn dns_prints_srv_records_for_the_example_config() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/mapibridge.example.toml");
    let out = Command::new(BIN).args(["dns", "--config", example.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("_imaps._tcp.example.com."), "{text}");
    assert!(text.contains("IN SRV 0 1 993 mail.example.com."), "{text}");
    assert!(text.contains("autoconfig.example.com."), "{text}");
}

#[test]
fn serve_refuses_tls_listeners_without_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[exchange]\n[listeners]\nimaps = \"127.0.0.1:{}\"\n[data]\ndir = \"{}\"\n",
            free_port(),
            dir.path().display()
        ),
    )
    .unwrap();
    let out = Command::new(BIN).args(["serve", "--config", config.to_str().unwrap()]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("[tls] cert and key are required"));
}

/// Kills the child if the test fails before it exits.
struct Guard(std::process::Child);

fn scopeguard(child: std::process::Child) -> Guard {
    Guard(child)
}

impl Guard {
    fn signal(&self, name: &str) {
        assert!(Command::new("kill").arg(format!("-{name}")).arg(self.0.id().to_string()).status().unwrap().success());
    }

    fn wait(mut self, timeout: Duration) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.0.try_wait().unwrap() {
                return s;
            }
            assert!(start.elapsed() < timeout, "did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
