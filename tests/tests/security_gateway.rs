//! Hostile clients against the real `mapibridge serve` (in front of
//! `exchange-sim serve`): plaintext passwords without TLS, commands
//! smuggled behind STARTTLS (RFC 3207 §4.2 / CVE-2011-0411), password
//! guessing, DAV paths that try to leave the user's tree, XML entity bombs,
//! and bodies larger than the limits.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use e2e::clients::{self, Imap, Smtp};
use e2e::procs::{ALICE, BOB, Gateway, PASSWORD, Sim};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct World {
    _sim: Sim,
    gw: Gateway,
    _data: tempfile::TempDir,
}

fn world(plaintext: &str, limits: &str) -> World {
    let data = tempfile::tempdir().unwrap();
    Sim::seed(data.path(), "alice,bob", 3).unwrap();
    let sim = Sim::start(data.path(), &[]).unwrap();
    let gw = Gateway::start(&sim.base_url(), plaintext, limits).unwrap();
    World { _sim: sim, gw, _data: data }
}

fn tls_connector(cert_der: &[u8]) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls::pki_types::CertificateDer::from(cert_der.to_vec())).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

fn localhost() -> rustls::pki_types::ServerName<'static> {
    rustls::pki_types::ServerName::try_from("localhost").unwrap()
}

/// Reads what arrives within `wait` (the server may send nothing).
async fn read_for<S: tokio::io::AsyncRead + Unpin>(s: &mut S, wait: Duration) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + wait;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => out.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn plaintext_policy_refuses_non_loopback_peers() {
    let remote: [IpAddr; 3] = [
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)),
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
        IpAddr::V6(Ipv4Addr::new(198, 51, 100, 1).to_ipv6_mapped()),
    ];
    let local: [IpAddr; 3] = [
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
        IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()),
    ];
    for ip in remote {
        assert!(!imap::PlaintextLogin::LoopbackOnly.permits(ip), "IMAP LOGIN in the clear from {ip}");
        assert!(!smtp::PlaintextAuth::LoopbackOnly.permits(ip), "SMTP AUTH in the clear from {ip}");
        assert!(!imap::PlaintextLogin::Never.permits(ip) && !smtp::PlaintextAuth::Never.permits(ip));
    }
    for ip in local {
        assert!(imap::PlaintextLogin::LoopbackOnly.permits(ip), "loopback {ip} is exempt when configured so");
        assert!(smtp::PlaintextAuth::LoopbackOnly.permits(ip), "loopback {ip} is exempt when configured so");
        assert!(!imap::PlaintextLogin::Never.permits(ip) && !smtp::PlaintextAuth::Never.permits(ip));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_login_is_refused_without_tls_and_starttls_discards_pipelined_commands() {
    let w = world("never", "");
    // IMAP: LOGIN and AUTHENTICATE PLAIN in the clear are refused, even
    // with the right password, even from loopback (not exempt here).
    let mut c = Imap::connect(w.gw.imap).await.unwrap();
    let caps = c.cmd("CAPABILITY").await.unwrap();
    assert!(caps.text.contains("LOGINDISABLED") && !caps.text.contains("AUTH=PLAIN"), "{}", caps.text);
    let r = c.cmd(&format!("LOGIN {ALICE} {PASSWORD}")).await.unwrap();
    assert!(!r.ok(), "LOGIN in the clear accepted: {}", r.text);
    let r = c.cmd("AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABkZW1v").await.unwrap();
    assert!(!r.ok(), "AUTHENTICATE in the clear accepted: {}", r.text);
    assert!(!c.cmd("SELECT INBOX").await.unwrap().ok(), "not authenticated");

    // IMAP STARTTLS with a LOGIN pipelined in the same write: the LOGIN is
    // never executed, neither in the clear nor after the handshake.
    let mut s = TcpStream::connect(w.gw.imap).await.unwrap();
    let greeting = read_for(&mut s, Duration::from_millis(500)).await;
    assert!(greeting.starts_with("* OK"), "{greeting}");
    s.write_all(format!("S1 STARTTLS\r\nS2 LOGIN {ALICE} {PASSWORD}\r\n").as_bytes()).await.unwrap();
    let mut reader = BufReader::new(s);
    let mut line = String::new();
    reader.read_line(&mut line).await.unwrap();
    assert!(line.starts_with("S1 OK"), "{line}");
    assert!(reader.buffer().is_empty(), "bytes after the STARTTLS answer in the clear: {:?}", reader.buffer());
    let mut tls = tls_connector(&w.gw.cert_der).connect(localhost(), reader.into_inner()).await.unwrap();
    let smuggled = read_for(&mut tls, Duration::from_millis(700)).await;
    assert!(!smuggled.contains("S2"), "the pipelined LOGIN ran: {smuggled}");
    tls.write_all(b"S3 SELECT INBOX\r\n").await.unwrap();
    let r = read_for(&mut tls, Duration::from_secs(2)).await;
    assert!(r.contains("S3 BAD") || r.contains("S3 NO"), "not logged in after STARTTLS: {r}");
    tls.write_all(format!("S4 LOGIN {ALICE} {PASSWORD}\r\n").as_bytes()).await.unwrap();
    let r = read_for(&mut tls, Duration::from_secs(5)).await;
    assert!(r.contains("S4 OK"), "LOGIN under TLS works: {r}");

    // SMTP: no AUTH offered in the clear, AUTH refused.
    let mut s = BufReader::new(TcpStream::connect(w.gw.smtp).await.unwrap());
    let mut line = String::new();
    s.read_line(&mut line).await.unwrap();
    s.get_mut().write_all(b"EHLO evil.test\r\n").await.unwrap();
    let ehlo = read_for(s.get_mut(), Duration::from_millis(500)).await;
    assert!(ehlo.contains("STARTTLS") && !ehlo.contains("AUTH"), "{ehlo}");
    s.get_mut().write_all(b"AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABkZW1v\r\n").await.unwrap();
    let r = read_for(s.get_mut(), Duration::from_millis(700)).await;
    assert!(r.starts_with('5'), "AUTH in the clear: {r}");

    // SMTP STARTTLS with commands pipelined behind it: discarded.
    let mut s = TcpStream::connect(w.gw.smtp).await.unwrap();
    read_for(&mut s, Duration::from_millis(300)).await;
    s.write_all(b"EHLO evil.test\r\n").await.unwrap();
    read_for(&mut s, Duration::from_millis(300)).await;
    s.write_all(b"STARTTLS\r\nAUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABkZW1v\r\nMAIL FROM:<alice@example.test>\r\n")
        .await
        .unwrap();
    let mut reader = BufReader::new(s);
    let mut line = String::new();
    reader.read_line(&mut line).await.unwrap();
    assert!(line.starts_with("220"), "{line}");
    assert!(reader.buffer().is_empty(), "bytes after 220 in the clear: {:?}", reader.buffer());
    let mut tls = tls_connector(&w.gw.cert_der).connect(localhost(), reader.into_inner()).await.unwrap();
    let smuggled = read_for(&mut tls, Duration::from_millis(700)).await;
    assert!(smuggled.is_empty(), "pipelined commands were answered after the handshake: {smuggled}");
    tls.write_all(b"MAIL FROM:<alice@example.test>\r\n").await.unwrap();
    let r = read_for(&mut tls, Duration::from_millis(700)).await;
    assert!(r.starts_with('5'), "MAIL without EHLO/AUTH after STARTTLS must be refused: {r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_bad_passwords_are_slowed_down() {
    let w = world("loopback", "");
    let mut c = Imap::connect(w.gw.imap).await.unwrap();
    let mut times = Vec::new();
    for _ in 0..8 {
        let start = Instant::now();
        let r = c.cmd(&format!("LOGIN {ALICE} wrong-password")).await.unwrap();
        times.push(start.elapsed());
        assert!(!r.ok() && r.status.contains("AUTHENTICATIONFAILED"), "{}", r.text);
    }
    eprintln!("IMAP failed LOGIN latencies: {times:?}");
    assert!(times[..3].iter().all(|t| *t < Duration::from_millis(1500)), "first failures answer promptly: {times:?}");
    assert!(times[6..].iter().all(|t| *t >= Duration::from_secs(2)), "later guesses are delayed: {times:?}");

    let mut s = Smtp::login(w.gw.smtp, ALICE, PASSWORD).await.unwrap();
    drop(s.command("QUIT").await);
    let mut codes = Vec::new();
    let start = Instant::now();
    for _ in 0..8 {
        let r = Smtp::login(w.gw.smtp, BOB, "wrong-password").await;
        let err = r.err().unwrap_or_default();
        codes.push(err.split_whitespace().find(|w| w.len() == 3 && w.parse::<u16>().is_ok()).map(str::to_owned));
    }
    eprintln!("SMTP failed AUTH replies: {codes:?} in {:?}", start.elapsed());
    let last = codes.last().cloned().flatten().unwrap_or_default();
    assert!(last.starts_with('4') || last.starts_with('5'), "{codes:?}");
    assert!(start.elapsed() >= Duration::from_secs(2), "SMTP guesses are delayed or refused: {codes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dav_paths_never_leave_the_users_tree() {
    let w = world("loopback", "");
    let auth = Some((ALICE, PASSWORD));
    let home = format!("/dav/calendars/{ALICE}/");
    let ok = clients::http(w.gw.http, "PROPFIND", &home, auth, &[("Depth", "1")], b"").await.unwrap();
    assert_eq!(ok.status, 207, "{ok:?}");
    for path in [
        format!("/dav/calendars/{ALICE}/../{BOB}/"),
        format!("/dav/calendars/{ALICE}/%2e%2e/{BOB}/"),
        format!("/dav/calendars/{ALICE}/%2E%2E/%2E%2E/calendars/{BOB}/"),
        format!("/dav/calendars/{ALICE}/..%2f{BOB}/"),
        format!("/dav/calendars/{ALICE}/x%2f..%2f..%2f{BOB}/"),
        format!("/dav/calendars/{ALICE}/x%5c..%5c{BOB}/"),
        format!("/dav/calendars/{ALICE}/%00/"),
        format!("/dav/calendars/{BOB}/"),
        format!("/dav/addressbooks/{BOB}/"),
        format!("/dav/principals/{BOB}/"),
        "/dav/../../etc/passwd".to_owned(),
        "/dav/%2e%2e/%2e%2e/etc/passwd".to_owned(),
        format!("/dav/calendars/{ALICE}/%252e%252e/{BOB}/"),
    ] {
        for method in ["PROPFIND", "GET", "PUT", "DELETE"] {
            let a = clients::http(w.gw.http, method, &path, auth, &[("Depth", "1")], b"").await.unwrap();
            assert!(matches!(a.status, 400 | 403 | 404 | 405 | 409), "{method} {path}: {} {}", a.status, a.body);
            assert!(!a.body.contains(BOB) && !a.body.contains("root:"), "{method} {path} leaked: {}", a.body);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xml_entity_bombs_are_not_expanded_and_fail_fast() {
    let w = world("loopback", "");
    let base = w.gw.rss_kib().unwrap_or(0);
    let home = format!("/dav/calendars/{ALICE}/");
    let calendar = clients::calendar_href(w.gw.http, ALICE, PASSWORD, "Calendar").await.unwrap();
    let mut laughs = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    laughs.push_str("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..10 {
        let p = i - 1;
        laughs.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", format!("&lol{p};").repeat(10)));
    }
    laughs.push_str(
        "]>\n<d:propfind xmlns:d=\"DAV:\"><d:prop><d:displayname>&lol9;</d:displayname></d:prop></d:propfind>",
    );
    let external = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\
                    <d:propertyupdate xmlns:d=\"DAV:\"><d:set><d:prop><d:displayname>&e;</d:displayname></d:prop></d:set></d:propertyupdate>";
    let parameter = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/x.dtd\"> %p;]>\
                     <d:propfind xmlns:d=\"DAV:\"><d:allprop/></d:propfind>";
    let undeclared = "<d:propfind xmlns:d=\"DAV:\"><d:prop><d:displayname>&lol9;</d:displayname></d:prop></d:propfind>";
    for (method, body) in
        [("PROPFIND", laughs.as_str()), ("PROPPATCH", external), ("PROPFIND", parameter), ("REPORT", undeclared)]
    {
        let start = Instant::now();
        let target = if method == "PROPFIND" { &home } else { &calendar };
        let a = clients::http(w.gw.http, method, target, Some((ALICE, PASSWORD)), &[("Depth", "0")], body.as_bytes())
            .await
            .unwrap();
        let took = start.elapsed();
        assert_eq!(a.status, 400, "{method}: {a:?}");
        assert!(took < Duration::from_secs(1), "{method} took {took:?}");
        assert!(!a.body.contains("lollol") && !a.body.contains("root:"), "expanded: {}", a.body);
    }
    let after = w.gw.rss_kib().unwrap_or(0);
    eprintln!("gateway RSS {base} KiB before the bombs, {after} KiB after");
    assert!(after < base + 16 * 1024, "RSS grew from {base} to {after} KiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_literals_and_bodies_are_refused_before_being_read() {
    // 1 MiB limit for messages, literals and DAV bodies.
    let w = world("loopback", "max_message_size = 1048576");
    let base = w.gw.rss_kib().unwrap_or(0);

    // IMAP: a synchronising literal above the limit gets no continuation.
    let mut c = Imap::login(w.gw.imap, ALICE, PASSWORD).await.unwrap();
    c.send(b"L1 APPEND INBOX {2000000000}\r\n").await.unwrap();
    let r = c.line().await.unwrap();
    assert!(r.starts_with("L1 NO") || r.starts_with("L1 BAD"), "{r}");
    assert!(r.contains("TOOBIG") || r.to_ascii_lowercase().contains("too"), "{r}");
    assert!(c.cmd("NOOP").await.unwrap().ok(), "the session goes on");
    // A non-synchronising literal above the limit: refused, and the bytes
    // that follow are not kept (the connection is closed or the session
    // answers at once without buffering them).
    c.send(b"L2 APPEND INBOX {2000000000+}\r\n").await.unwrap();
    let junk = vec![b'x'; 4 << 20];
    let write = c.send(&junk).await;
    let r = c.line().await.unwrap_or_default();
    assert!(
        write.is_err() || r.is_empty() || r.contains("L2 NO") || r.contains("L2 BAD") || r.starts_with("* BYE"),
        "{r}"
    );

    // SMTP: a declared SIZE above the limit is refused at MAIL FROM, before
    // any data.
    let mut s = Smtp::login(w.gw.smtp, ALICE, PASSWORD).await.unwrap();
    let (code, text) = s.command("MAIL FROM:<alice@example.test> SIZE=2000000000").await.unwrap();
    assert_eq!(code, 552, "{text}");
    // Without SIZE, the body is refused when it passes the limit, and the
    // session survives.
    let big = clients::message("big@sec.test", ALICE, BOB, 3 << 20);
    let (code, text) = s.send(ALICE, &[BOB], &big).await.unwrap();
    assert_eq!(code, 552, "{text}");
    let (code, _) = s.command("NOOP").await.unwrap();
    assert_eq!(code, 250);

    // DAV: a PUT announcing more than the limit is answered 413 without
    // the body being sent.
    let calendar = clients::calendar_href(w.gw.http, ALICE, PASSWORD, "Calendar").await.unwrap();
    let mut h = TcpStream::connect(w.gw.http).await.unwrap();
    let head = format!(
        "PUT {calendar}huge.ics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000000000\r\nContent-Type: text/calendar\r\n\
         Authorization: Basic YWxpY2VAZXhhbXBsZS50ZXN0OmRlbW8=\r\n\r\n"
    );
    h.write_all(head.as_bytes()).await.unwrap();
    let answer = read_for(&mut h, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let a = clients::http(
        w.gw.http,
        "PROPFIND",
        &calendar,
        Some((ALICE, PASSWORD)),
        &[("Depth", "0")],
        &vec![b' '; 6 << 20],
    )
    .await
    .unwrap();
    assert_eq!(a.status, 413, "{a:?}");
    let after = w.gw.rss_kib().unwrap_or(0);
    eprintln!("gateway RSS {base} KiB before the oversized inputs, {after} KiB after");
    assert!(after < base + 48 * 1024, "RSS grew from {base} to {after} KiB");
}
