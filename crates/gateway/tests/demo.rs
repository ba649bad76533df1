//! The real `mapibridge demo` binary on ephemeral ports: ready line,
//! printed settings, HTTP side, metrics, clean stop, data reused on the
//! second run.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;

const READY: &str = "mapibridge demo ready";
/// The target is 10 s; debug builds on a loaded 2-core machine get slack.
const READY_WITHIN: Duration = Duration::from_secs(30);

#[test]
fn demo_serves_http_side_and_stops_cleanly_then_reuses_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut demo = demo(dir.path());
    let took = demo.wait_for_line(READY, READY_WITHIN);
    eprintln!("demo ready after {took:?}");
    let out = demo.seen.join("\n");
    assert!(out.contains("seeded on this run"), "{out}");
    assert!(
        out.contains("alice@example.test") && out.contains("bob@example.test") && out.contains("team@example.test")
    );
    assert!(out.contains("password: demo"), "{out}");

    let http = loopback(demo.port("http").expect("http port"));
    let exchange = loopback(demo.port("exchange").expect("exchange port"));
    assert_eq!(http_get(http, "/health").0, 200);
    assert_eq!(http_get(http, "/ready").0, 200, "ready was printed, so /ready must say so");

    // The simulator is reachable for inspection, and its Autodiscover knows alice.
    let (status, _) = http_get(exchange, "/health");
    assert_eq!(status, 200);

    // Autoconfig and the Apple profile describe exactly the listeners that serve.
    let imap = demo.port("imap");
    let imaps = demo.port("imaps");
    let smtp = demo.port("submission");
    for path in [
        "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40example.test",
        "/mail/config-v1.1.xml?emailaddress=alice%40example.test",
    ] {
        let (status, body) = http_get(http, path);
        match imap.or(imaps) {
            Some(_) => {
                assert_eq!(status, 200, "{body}");
                for port in [imap, imaps, smtp].into_iter().flatten() {
                    assert!(body.contains(&format!("<port>{port}</port>")), "port {port} missing: {body}");
                }
                assert!(body.contains("<hostname>127.0.0.1</hostname>"), "{body}");
            }
            None => {
                assert_eq!(status, 503, "no IMAP listener, so no autoconfig: {body}");
                assert!(body.contains("no IMAP listener"), "{body}");
                assert!(out.contains("NOT AVAILABLE"), "missing listeners must be said: {out}");
            }
        }
    }
    let (status, body) = http_get(http, "/apple/mapibridge.mobileconfig?emailaddress=alice%40example.test");
    match imaps.or(imap) {
        Some(port) => {
            assert_eq!(status, 200, "{body}");
            assert!(body.contains(&format!("<integer>{port}</integer>")), "{body}");
        }
        None => assert_eq!(status, 503, "{body}"),
    }

    let (status, metrics) = http_get(http, "/metrics");
    assert_eq!(status, 200);
    assert!(metrics.contains("text/plain; version=0.0.4"), "{metrics}");
    for name in ["imap", "imaps", "submission"] {
        let up = u8::from(demo.port(name).is_some());
        assert!(metrics.contains(&format!("mapibridge_listener_up{{listener=\"{name}\"")), "{metrics}");
        assert!(
            metrics.lines().any(|l| l.starts_with(&format!("mapibridge_listener_up{{listener=\"{name}\""))
                && l.ends_with(&format!(" {up}"))),
            "{name} should be {up}: {metrics}"
        );
    }
    assert!(metrics.contains("mapibridge_http_requests_total{route=\"health\",status=\"200\"}"), "{metrics}");

    let cert = std::fs::read(dir.path().join("tls/cert.pem")).unwrap();
    demo.signal("TERM");
    let status = demo.wait_exit(Duration::from_secs(15));
    let rest = demo.rest(Duration::from_secs(2)).join("\n");
    assert!(status.success(), "exit {status:?}: {rest}");
    assert!(rest.contains("SIGTERM: stopping") && rest.contains("mapibridge demo stopped"), "{rest}");
    assert!(std::net::TcpStream::connect(http).is_err(), "the HTTP port must be closed after stop");
    drop(demo);

    // Second run: same data, no second seeding, same certificate.
    let mut again = common::demo(dir.path());
    again.wait_for_line(READY, READY_WITHIN);
    let out = again.seen.join("\n");
    assert!(out.contains("reused from an earlier run"), "{out}");
    assert_eq!(std::fs::read(dir.path().join("tls/cert.pem")).unwrap(), cert);
    again.signal("INT");
    assert!(again.wait_exit(Duration::from_secs(15)).success());
}

#[test]
fn busy_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let output = std::process::Command::new(BIN)
        .args(["demo", "--data-dir", d, "--http-port", &port, "--exchange-port", "0", "--imap-port", "0"])
        .args(["--imaps-port", "0", "--smtp-port", "0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains(&format!("http listener on 127.0.0.1:{port}")) && err.contains("address in use"), "{err}");
}
