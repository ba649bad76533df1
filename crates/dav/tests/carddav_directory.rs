//! The directory address book over an in-memory directory: discovery
//! (directory-gateway, the home listing), search through addressbook-query,
//! GET and multiget in both vCard versions, the caps, and refused writes.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::*;
use dav::DavConfig;
use mailbox::directory::{Phone, PhoneKind, Photo};
use mailbox::{DirectoryEntry, DirectoryId, MemoryDirectory};

const GAL: &str = "/dav/addressbooks/alice@example.com/directory/";

fn entry(id: &str, name: &str, email: &str) -> DirectoryEntry {
    let (given, surname) = name.split_once(' ').unwrap_or((name, ""));
    DirectoryEntry {
        id: DirectoryId::new(id),
        display_name: name.into(),
        given_name: given.into(),
        surname: surname.into(),
        nickname: email.split('@').next().unwrap_or_default().into(),
        email: email.into(),
        ..DirectoryEntry::default()
    }
}

async fn env_gal(config: DavConfig) -> Env {
    let env = env_with(config).await;
    let mut bob = entry("/o=Example/cn=Recipients/cn=bob", "Bob Tester", "bob@example.com");
    bob.phones.push(Phone { kind: PhoneKind::Business, number: "+1 555 0100".into() });
    bob.company = "Example".into();
    bob.photo = Some(Photo { media_type: "image/jpeg".into(), data: vec![0xff, 0xd8, 0xff, 0xe0, 1, 2, 3] });
    let gal = MemoryDirectory::new(vec![
        bob,
        entry("/o=Example/cn=Recipients/cn=alice", "Alice Tester", "alice@example.com"),
        entry("/o=Example/cn=Recipients/cn=bodo", "Bodo Zweig", "bodo@example.com"),
    ]);
    env.account.set_directory(Some(Arc::new(gal)));
    env
}

fn query(filter: &str, extra: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data/></D:prop>{filter}{extra}</C:addressbook-query>"#
    )
}

fn fn_starts_with(text: &str) -> String {
    format!(
        r#"<C:filter test="anyof"><C:prop-filter name="FN"><C:text-match collation="i;unicode-casemap" match-type="starts-with">{text}</C:text-match></C:prop-filter><C:prop-filter name="EMAIL"><C:text-match match-type="starts-with">{text}</C:text-match></C:prop-filter></C:filter>"#
    )
}

fn entry_hrefs(body: &str) -> Vec<String> {
    hrefs(body).into_iter().filter(|h| h.ends_with(".vcf")).collect()
}

#[tokio::test]
async fn discovery_names_the_directory_and_depth_1_lists_no_entries() {
    let env = env_gal(DavConfig::default()).await;
    let r = env.propfind("/dav/principals/alice@example.com/", "0", "<card:directory-gateway/>").await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert_eq!(text_of(&r.body, "card:directory-gateway").map(|v| v.contains(GAL)), Some(true), "{}", r.body);

    let r = env.propfind("/dav/addressbooks/alice@example.com/", "1", "<d:resourcetype/><d:displayname/>").await;
    assert!(hrefs(&r.body).contains(&GAL.to_owned()), "{}", r.body);
    assert!(r.body.contains("<card:directory/>"), "{}", r.body);

    let r = env.propfind(GAL, "1", "<d:resourcetype/><d:current-user-privilege-set/><d:supported-report-set/>").await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert_eq!(hrefs(&r.body), [GAL], "no entries listed: {}", r.body);
    assert!(r.body.contains("<d:read/>") && !r.body.contains("<d:write"), "read only: {}", r.body);
    assert!(r.body.contains("addressbook-query"), "{}", r.body);
}

#[tokio::test]
async fn query_for_bo_finds_bob_and_bodo_and_zz_finds_nobody() {
    let env = env_gal(DavConfig::default()).await;
    let r = env.send("REPORT", GAL, &[("depth", "1")], &query(&fn_starts_with("bo"), "")).await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert_eq!(entry_hrefs(&r.body).len(), 2, "{}", r.body);
    assert!(r.body.contains("EMAIL;TYPE=INTERNET,WORK,pref:bob@example.com"), "vCard 3 by default: {}", r.body);
    assert!(r.body.contains("FN:Bodo Zweig"), "{}", r.body);
    assert!(!r.body.contains("Alice"), "{}", r.body);
    assert!(!r.body.contains("507"), "complete: {}", r.body);

    let r = env.send("REPORT", GAL, &[], &query(&fn_starts_with("zz"), "")).await;
    assert_eq!((r.status, entry_hrefs(&r.body).len()), (207, 0), "{}", r.body);

    // The exact text-match runs on the hits: "bob" (equals) is not "Bob Tester".
    let equals = r#"<C:filter><C:prop-filter name="NICKNAME"><C:text-match match-type="equals">bob</C:text-match></C:prop-filter></C:filter>"#;
    let r = env.send("REPORT", GAL, &[], &query(equals, "")).await;
    assert_eq!(entry_hrefs(&r.body).len(), 1, "{}", r.body);
    // TEL and ORG are searchable in this directory.
    let tel = r#"<C:filter><C:prop-filter name="TEL"><C:text-match match-type="starts-with">+1 555</C:text-match></C:prop-filter></C:filter>"#;
    let r = env.send("REPORT", GAL, &[], &query(tel, "")).await;
    assert!(r.body.contains("FN:Bob Tester"), "{}", r.body);
}

#[tokio::test]
async fn caps_and_unsupported_filters_are_reported() {
    let config = DavConfig { directory_search_limit: 1, ..DavConfig::default() };
    let env = env_gal(config).await;
    let r = env.send("REPORT", GAL, &[], &query(&fn_starts_with("bo"), "")).await;
    assert_eq!(entry_hrefs(&r.body).len(), 1, "{}", r.body);
    assert!(
        r.body.contains("507 Insufficient Storage") && r.body.contains("number-of-matches-within-limits"),
        "{}",
        r.body
    );

    // A filter on a property the directory cannot search: 403 supported-filter.
    let uid = r#"<C:filter><C:prop-filter name="UID"><C:text-match>x</C:text-match></C:prop-filter></C:filter>"#;
    let r = env.send("REPORT", GAL, &[], &query(uid, "")).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("supported-filter"), "{}", r.body);

    // No filter: a listing, which is off by default — empty and marked.
    let r = env.send("REPORT", GAL, &[], &query("", "")).await;
    assert_eq!(entry_hrefs(&r.body).len(), 0, "{}", r.body);
    assert!(r.body.contains("507"), "{}", r.body);

    // A small GAL may be listed.
    let env = env_gal(DavConfig { directory_list_limit: 10, ..DavConfig::default() }).await;
    let r = env.propfind(GAL, "1", "<d:getetag/>").await;
    assert_eq!(entry_hrefs(&r.body).len(), 3, "{}", r.body);
}

#[tokio::test]
async fn get_and_multiget_serve_vcards_and_writes_are_refused() {
    let env = env_gal(DavConfig::default()).await;
    let r = env.send("REPORT", GAL, &[], &query(&fn_starts_with("bob"), "")).await;
    let href = entry_hrefs(&r.body).pop().expect("bob's href");

    let v3 = env.send("GET", &href, &[], "").await;
    assert_eq!(v3.status, 200);
    assert_eq!(v3.header("content-type"), Some("text/vcard; charset=utf-8; version=3.0"));
    assert!(v3.body.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"), "{}", v3.body);
    assert!(v3.body.contains("PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AECAw=="), "{}", v3.body);
    let etag = v3.header("etag").expect("an ETag").to_owned();
    let v4 = env.send("GET", &href, &[("accept", "text/vcard; version=4.0")], "").await;
    assert!(v4.body.contains("VERSION:4.0") && v4.body.contains("PHOTO:data:image/jpeg;base64,"), "{}", v4.body);
    assert_eq!(v4.header("etag"), Some(etag.as_str()), "one entry, one version");

    let multiget = format!(
        r#"<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data version="4.0"/></D:prop><D:href>{href}</D:href><D:href>{GAL}bm9ib2R5.vcf</D:href></C:addressbook-multiget>"#
    );
    let r = env.send("REPORT", GAL, &[], &multiget).await;
    assert_eq!(r.status, 207);
    assert!(r.body.contains("VERSION:4.0") && r.body.contains("404 Not Found"), "{}", r.body);
    assert_eq!(env.send("GET", &format!("{GAL}bm9ib2R5.vcf"), &[], "").await.status, 404);

    let put = env.send("PUT", &href, &[("content-type", "text/vcard")], &card("x", "X", "x", "x@x", "1")).await;
    assert_eq!(put.status, 403);
    assert!(put.body.contains("need-privileges") && put.body.contains("write-content"), "{}", put.body);
    let new = env.send("PUT", &format!("{GAL}new.vcf"), &[], &card("y", "Y", "y", "y@y", "2")).await;
    assert_eq!(new.status, 403);
    let delete = env.send("DELETE", &href, &[], "").await;
    assert!(delete.status == 403 && delete.body.contains("unbind"), "{}", delete.body);
    let proppatch = r#"<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Mine</d:displayname></d:prop></d:set></d:propertyupdate>"#;
    assert_eq!(env.send("PROPPATCH", GAL, &[], proppatch).await.status, 403);
    // Still there and unchanged.
    assert_eq!(env.send("GET", &href, &[], "").await.header("etag"), Some(etag.as_str()));
}

#[tokio::test]
async fn accounts_without_a_directory_have_no_directory_book() {
    let env = env().await;
    let r = env.propfind("/dav/principals/alice@example.com/", "0", "<card:directory-gateway/>").await;
    assert!(r.body.contains("404 Not Found"), "{}", r.body);
    assert_eq!(env.propfind(GAL, "0", "<d:resourcetype/>").await.status, 404);
    let r = env.propfind("/dav/addressbooks/alice@example.com/", "1", "<d:resourcetype/>").await;
    assert!(!r.body.contains("directory"), "{}", r.body);
}
