//! The global address list as a CardDAV address book through the whole
//! gateway: `mapibridge demo` (DAV over `mailbox::exchange` over the
//! simulator's NSPI endpoint), driven with scripted requests as a CardDAV
//! client sends them.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;

const READY: &str = "mapibridge demo ready";
const READY_WITHIN: Duration = Duration::from_secs(30);
/// `alice@example.test:demo` (RFC 7617).
const ALICE_BASIC: &str = "Authorization: Basic YWxpY2VAZXhhbXBsZS50ZXN0OmRlbW8=";

fn search(text: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
<D:prop><D:getetag/><C:address-data/></D:prop>
<C:filter test="anyof">
<C:prop-filter name="FN"><C:text-match collation="i;unicode-casemap" match-type="starts-with">{text}</C:text-match></C:prop-filter>
<C:prop-filter name="EMAIL"><C:text-match collation="i;unicode-casemap" match-type="starts-with">{text}</C:text-match></C:prop-filter>
<C:prop-filter name="NICKNAME"><C:text-match collation="i;unicode-casemap" match-type="starts-with">{text}</C:text-match></C:prop-filter>
</C:filter></C:addressbook-query>"#
    )
}

fn entry_hrefs(body: &str) -> Vec<String> {
    body.split("href>")
        .filter_map(|s| s.strip_suffix("</d:"))
        .filter(|h| h.ends_with(".vcf"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn gal_search_for_bo_finds_bob_over_carddav() {
    let dir = tempfile::tempdir().unwrap();
    let mut demo = demo(dir.path());
    demo.wait_for_line(READY, READY_WITHIN);
    let http = loopback(demo.port("http").expect("http port"));

    // Discovery: the principal points at the directory gateway.
    let gateway = r#"<d:propfind xmlns:d="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><d:prop><C:directory-gateway/></d:prop></d:propfind>"#;
    let (status, answer) =
        http_request(http, "PROPFIND", "/dav/principals/alice@example.test/", &[ALICE_BASIC, "Depth: 0"], gateway);
    assert_eq!(status, 207, "{answer}");
    let gal = "/dav/addressbooks/alice@example.test/directory/";
    assert!(answer.contains(&format!("<d:href>{gal}</d:href>")), "{answer}");

    // "bo" finds bob, with his address, as a vCard.
    let (status, answer) = http_request(http, "REPORT", gal, &[ALICE_BASIC, "Depth: 1"], &search("bo"));
    assert_eq!(status, 207, "{answer}");
    let hrefs = entry_hrefs(&answer);
    assert_eq!(hrefs.len(), 1, "{answer}");
    assert!(answer.contains("FN:Bob Tester"), "{answer}");
    assert!(answer.contains("bob@example.test"), "{answer}");
    assert!(!answer.contains("Alice Tester"), "{answer}");

    // "zz" finds nobody.
    let (status, answer) = http_request(http, "REPORT", gal, &[ALICE_BASIC, "Depth: 1"], &search("zz"));
    assert_eq!((status, entry_hrefs(&answer).len()), (207, 0), "{answer}");

    // GET of bob's entry: a vCard 3.0 by default, 4.0 on request.
    let (status, card) = http_request(http, "GET", &hrefs[0], &[ALICE_BASIC], "");
    assert_eq!(status, 200, "{card}");
    let body = card.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    assert!(body.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"), "{card}");
    assert!(body.contains("\r\nFN:Bob Tester\r\n") && body.contains("bob@example.test"), "{card}");
    assert!(body.ends_with("END:VCARD\r\n"), "{card}");
    let (_, card4) = http_request(http, "GET", &hrefs[0], &[ALICE_BASIC, "Accept: text/vcard; version=4.0"], "");
    assert!(card4.contains("VERSION:4.0") && card4.contains("KIND:individual"), "{card4}");

    // The directory is read-only.
    let vcard = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:x\r\nFN:Mallory\r\nN:;Mallory;;;\r\nEND:VCARD\r\n";
    let (status, answer) = http_request(http, "PUT", &hrefs[0], &[ALICE_BASIC, "Content-Type: text/vcard"], vcard);
    assert_eq!(status, 403, "{answer}");
    assert!(answer.contains("need-privileges"), "{answer}");
    let (status, _) = http_request(http, "DELETE", &hrefs[0], &[ALICE_BASIC], "");
    assert_eq!(status, 403);
    let (_, again) = http_request(http, "GET", &hrefs[0], &[ALICE_BASIC], "");
    assert!(again.contains("FN:Bob Tester"), "{again}");

    demo.signal("TERM");
    assert!(demo.wait_exit(Duration::from_secs(15)).success());
}
