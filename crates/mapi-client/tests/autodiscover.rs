//! Autodiscover: known answers from captures 001/002 and a POST against a local server.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use mapi_client::autodiscover::{self, AutodiscoverResponse};
use mapi_client::{Credentials, TransportConfig};

const MAILBOX_ID: &str = "616c6963-6540-6578-616d-706c01000000@example.test";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn check_alice(r: AutodiscoverResponse) {
    let AutodiscoverResponse::Settings(d) = r else {
        panic!("expected settings, got {r:?}");
    };
    assert_eq!(d.display_name, "Alice Tester");
    assert_eq!(d.legacy_dn, ALICE_DN);
    assert_eq!(d.smtp_address, "alice@example.test");
    assert_eq!(d.deployment_id.as_deref(), Some("eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee"));
    assert_eq!(d.mailstore_url, format!("https://localhost:8443/mapi/emsmdb/?MailboxId={MAILBOX_ID}"));
    assert_eq!(d.addressbook_url, format!("https://localhost:8443/mapi/nspi/?MailboxId={MAILBOX_ID}"));
    assert_eq!(d.mailbox_id.as_deref(), Some(MAILBOX_ID));
    assert_eq!(d.mapi_http_version, Some(1));
}

#[test]
fn capture_001_and_002_parse_into_the_mapi_http_settings() {
    check_alice(autodiscover::parse_response(&fixture("001-autodiscover-alice.resp.bin")).unwrap());
    check_alice(
        autodiscover::parse_response(&fixture("002-autodiscover-alice-without-mapihttpcapability.resp.bin")).unwrap(),
    );
}

#[test]
fn capture_001_request_body_is_built_byte_for_byte() {
    assert_eq!(
        autodiscover::request_body("alice@example.test").into_bytes(),
        fixture("001-autodiscover-alice.req.bin")
    );
}

#[test]
fn redirects_errors_and_missing_blocks() {
    let ns = r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">"#;
    let doc = |inner: &str| format!("{ns}{inner}</Response></Autodiscover>");
    assert_eq!(
        autodiscover::parse_response(
            doc("<Account><Action>redirectAddr</Action><RedirectAddr>bob@other.test</RedirectAddr></Account>")
                .as_bytes()
        )
        .unwrap(),
        AutodiscoverResponse::RedirectAddr("bob@other.test".into())
    );
    assert_eq!(
        autodiscover::parse_response(doc("<Account><Action>redirectUrl</Action><RedirectUrl>https://x.test/autodiscover/autodiscover.xml</RedirectUrl></Account>").as_bytes()).unwrap(),
        AutodiscoverResponse::RedirectUrl("https://x.test/autodiscover/autodiscover.xml".into())
    );
    assert!(matches!(
        autodiscover::parse_response(doc("<Error><ErrorCode>500</ErrorCode><Message>The e-mail address cannot be found.</Message></Error>").as_bytes()).unwrap(),
        AutodiscoverResponse::Error(m) if m.contains("cannot be found")
    ));
    // Settings without a mapiHttp block (an Exchange without MAPI over HTTP).
    assert!(matches!(
        autodiscover::parse_response(doc("<User><LegacyDN>/o=x</LegacyDN></User><Account><Action>settings</Action><Protocol><Type>EXCH</Type></Protocol></Account>").as_bytes()).unwrap(),
        AutodiscoverResponse::Error(_)
    ));
    // Broken XML and deep nesting fail cleanly.
    assert!(autodiscover::parse_response(b"<a><b></a>").is_err());
    let deep = "<a>".repeat(100);
    assert!(autodiscover::parse_response(deep.as_bytes()).is_err());
    assert_eq!(
        autodiscover::candidate_urls("example.test"),
        [
            "https://example.test/autodiscover/autodiscover.xml",
            "https://autodiscover.example.test/autodiscover/autodiscover.xml"
        ]
    );
    assert_eq!(autodiscover::mailbox_id("https://h/mapi/nspi/?MailboxId=a@b&x=1").as_deref(), Some("a@b"));
}

#[tokio::test]
async fn ask_posts_the_capture_request_with_the_mapi_http_capability() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let server = Server::start(Arc::new(|req: &Req, _: &mut ConnState| {
            if req.header("Authorization") != Some(ALICE_BASIC) {
                return unauthorized("Basic realm=\"msrpc realm\"");
            }
            Action::Steps(vec![Step::Bytes(plain(
                "200 OK",
                &[("Content-Type", "text/xml")],
                &capture("001-autodiscover-alice.resp.bin"),
            ))])
        }))
        .await;
        let t =
            TransportConfig::new(Credentials::Basic { user: "alice@example.test".into(), password: "alice123".into() });
        let url = server.url("/Autodiscover/Autodiscover.xml");
        check_alice(autodiscover::ask(&url, "alice@example.test", &t).await.unwrap());
        let req = &server.requests()[0];
        assert_eq!(req.method, "POST");
        assert_eq!(req.target, "/Autodiscover/Autodiscover.xml");
        assert_eq!(req.header("X-MapiHttpCapability"), Some("1"));
        assert_eq!(req.header("X-AnchorMailbox"), Some("alice@example.test"));
        assert_eq!(req.header("Content-Type"), Some("text/xml; charset=utf-8"));
        assert_eq!(req.body, capture("001-autodiscover-alice.req.bin"));

        let bad =
            TransportConfig::new(Credentials::Basic { user: "alice@example.test".into(), password: "nope".into() });
        let err = autodiscover::ask(&url, "alice@example.test", &bad).await.unwrap_err();
        assert!(matches!(err, mapi_client::Error::Auth(_)), "{err:?}");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn redirect_url_is_followed_and_loops_are_bounded() {
    tokio::time::timeout(Duration::from_secs(20), async {
        // /first redirects to /second which answers with 001; /loop redirects to itself.
        let server = Server::start(Arc::new(|req: &Req, _: &mut ConnState| {
            let ns = r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">"#;
            let host = req.header("Host").unwrap_or("").to_owned();
            let redirect = |to: &str| {
                format!("{ns}<Account><Action>redirectUrl</Action><RedirectUrl>http://{host}{to}</RedirectUrl></Account></Response></Autodiscover>")
                    .into_bytes()
            };
            let body = match req.target.as_str() {
                "/first" => redirect("/second"),
                "/loop" => redirect("/loop"),
                _ => capture("001-autodiscover-alice.resp.bin"),
            };
            Action::Steps(vec![Step::Bytes(plain("200 OK", &[("Content-Type", "text/xml")], &body))])
        }))
        .await;
        let t = TransportConfig::new(Credentials::Basic {
            user: "alice@example.test".into(),
            password: "alice123".into(),
        });
        let d = autodiscover::discover_from(Some(vec![server.url("/first")]), "alice@example.test", &t, None)
            .await
            .unwrap();
        assert_eq!(d.legacy_dn, ALICE_DN);
        let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
        assert_eq!(targets, ["/first", "/second"]);

        let err = autodiscover::discover_from(Some(vec![server.url("/loop")]), "alice@example.test", &t, None)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("too many redirects"), "{err}");
        let loops = server.requests().iter().filter(|r| r.target == "/loop").count();
        assert_eq!(loops, autodiscover::MAX_REDIRECTS + 1);
    })
    .await
    .unwrap();
}

#[test]
fn alternative_mailboxes_are_read_from_the_account() {
    let xml = r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><User><LegacyDN>/o=x/cn=alice</LegacyDN></User><Account><Action>settings</Action><AlternativeMailbox><Type>Delegate</Type><DisplayName>Team Mailbox</DisplayName><LegacyDN>/o=x/cn=team</LegacyDN><SmtpAddress>team@example.test</SmtpAddress><OwnerSmtpAddress>team@example.test</OwnerSmtpAddress></AlternativeMailbox><AlternativeMailbox><Type>Archive</Type><DisplayName>Archive</DisplayName><SmtpAddress>arch@example.test</SmtpAddress></AlternativeMailbox><Protocol Type="mapiHttp" Version="1"><MailStore><ExternalUrl>https://h/mapi/emsmdb/?MailboxId=a@x</ExternalUrl></MailStore><AddressBook><ExternalUrl>https://h/mapi/nspi/?MailboxId=a@x</ExternalUrl></AddressBook></Protocol></Account></Response></Autodiscover>"#;
    let AutodiscoverResponse::Settings(d) = autodiscover::parse_response(xml.as_bytes()).unwrap() else {
        panic!("expected settings");
    };
    assert_eq!(d.alternative_mailboxes.len(), 2);
    let team = &d.alternative_mailboxes[0];
    assert_eq!((team.kind.as_str(), team.display_name.as_str()), ("Delegate", "Team Mailbox"));
    assert_eq!(team.smtp_address, "team@example.test");
    assert_eq!(team.legacy_dn.as_deref(), Some("/o=x/cn=team"));
    assert_eq!(d.alternative_mailboxes[1].kind, "Archive");
    assert_eq!(d.legacy_dn, "/o=x/cn=alice", "the user's own fields are untouched");
}

/// A settings answer whose text fields hold the given XML fragments verbatim.
fn settings_with(display_name: &str, legacy_dn: &str, alt_name: &str, alt_smtp: &str, mailstore: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><User><DisplayName>{display_name}</DisplayName><LegacyDN>{legacy_dn}</LegacyDN><AutoDiscoverSMTPAddress>alice@example.test</AutoDiscoverSMTPAddress></User><Account><Action>settings</Action><AlternativeMailbox><Type>Delegate</Type><DisplayName>{alt_name}</DisplayName><SmtpAddress>{alt_smtp}</SmtpAddress></AlternativeMailbox><Protocol Type="mapiHttp" Version="1"><MailStore><ExternalUrl>{mailstore}</ExternalUrl></MailStore><AddressBook><ExternalUrl>https://h/mapi/nspi/?MailboxId=a@x</ExternalUrl></AddressBook></Protocol></Account></Response></Autodiscover>"#
    )
}

#[test]
fn text_around_entities_character_references_and_cdata_is_kept_whole() {
    let xml = settings_with(
        "Ren&#233;e &amp; Co &lt;Sales&gt;",
        "/o=R&amp;D/ou=Exchange Administrative Group/cn=Recipients/cn=r&#x26;d",
        "R &amp; D Team",
        "<![CDATA[r&d]]>@example.test",
        "https://h/mapi/emsmdb/?MailboxId=a@x&amp;Extra=&quot;1&quot;",
    );
    let AutodiscoverResponse::Settings(d) = autodiscover::parse_response(xml.as_bytes()).unwrap() else {
        panic!("expected settings");
    };
    assert_eq!(d.display_name, "Renée & Co <Sales>");
    assert_eq!(d.legacy_dn, "/o=R&D/ou=Exchange Administrative Group/cn=Recipients/cn=r&d");
    assert_eq!(d.smtp_address, "alice@example.test");
    let alt = &d.alternative_mailboxes[0];
    assert_eq!(alt.display_name, "R & D Team", "spaces next to an entity are part of the name");
    assert_eq!(alt.smtp_address, "r&d@example.test");
    assert_eq!(d.mailstore_url, "https://h/mapi/emsmdb/?MailboxId=a@x&Extra=\"1\"");
    assert_eq!(d.mailbox_id.as_deref(), Some("a@x"));
}

#[test]
fn surrounding_whitespace_of_a_field_is_trimmed_but_inner_text_is_not() {
    let xml = settings_with(
        "\n   R&amp;D   Team \n ",
        "  /o=<!-- split -->x  ",
        "\tA&#x20;B\t",
        "b@x",
        "https://h/mapi/emsmdb/?MailboxId=a@x",
    );
    let AutodiscoverResponse::Settings(d) = autodiscover::parse_response(xml.as_bytes()).unwrap() else {
        panic!("expected settings");
    };
    assert_eq!(d.display_name, "R&D   Team");
    assert_eq!(d.legacy_dn, "/o=x");
    assert_eq!(d.alternative_mailboxes[0].display_name, "A B");
}

#[test]
fn redirect_and_error_texts_keep_their_entities() {
    let doc = |inner: &str| {
        format!(
            r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">{inner}</Response></Autodiscover>"#
        )
    };
    assert_eq!(
        autodiscover::parse_response(
            doc(
                "<Account><Action>redirectUrl</Action><RedirectUrl>https://x.test/a?b=1&amp;c=2</RedirectUrl></Account>"
            )
            .as_bytes()
        )
        .unwrap(),
        AutodiscoverResponse::RedirectUrl("https://x.test/a?b=1&c=2".into())
    );
    assert_eq!(
        autodiscover::parse_response(
            doc("<Error><Message>Address &apos;a&amp;b@x&apos; not found</Message></Error>").as_bytes()
        )
        .unwrap(),
        AutodiscoverResponse::Error("Address 'a&b@x' not found".into())
    );
}

#[test]
fn an_undefined_entity_is_a_clear_error() {
    let xml = settings_with("A &bogus; B", "/o=x", "T", "t@x", "https://h/mapi/emsmdb/?MailboxId=a@x");
    let err = autodiscover::parse_response(xml.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("bogus"), "{err}");
}
