//! Entry point shared by the `dav_request` fuzz target in `fuzz/` and by the
//! corpus replay test (`tests/fuzz_corpus.rs`), so CI runs every saved input
//! through exactly the code the fuzzer exercised.
//!
//! One authenticated request goes through the whole router: the path parser,
//! the body limit, the XML request parser (PROPFIND, PROPPATCH, REPORT and
//! whatever else a client sends, MKCALENDAR included) and the iCalendar and
//! vCard importers of PUT, over a `mailbox::MemoryAccount` (in-memory state)
//! holding one event and one contact. Panics here are either a bug or a
//! broken invariant: no 500 from a healthy backend, multistatus answers are
//! well-formed XML, and every href they name stays in the user's own tree.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use mailbox::{Account, MemoryAccount, MemoryConfig, MemoryProvider};
use tokio::runtime::Runtime;

use crate::{DavConfig, DavServer};

/// The user the fuzzed server knows.
pub const USER: &str = "a@b";
const PASSWORD: &str = "c";
/// The request body limit of the fuzzed server: small, so the fuzzer reaches it.
pub const MAX_BODY: usize = 8192;

const METHODS: &[&str] = &[
    "PROPFIND",
    "PROPPATCH",
    "REPORT",
    "MKCALENDAR",
    "PUT",
    "GET",
    "DELETE",
    "OPTIONS",
    "HEAD",
    "MKCOL",
    "MOVE",
    "COPY",
];

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fuzz//EN\r\nBEGIN:VEVENT\r\nUID:seed-1\r\n\
DTSTAMP:20260101T000000Z\r\nDTSTART:20261127T100000Z\r\nDTEND:20261127T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n\
SUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
const CARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:seed-2\r\nFN:Bob Example\r\nN:Example;Bob;;;\r\n\
EMAIL;TYPE=INTERNET:bob@example.com\r\nEND:VCARD\r\n";

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("fuzz runtime: {e}"))
    })
}

/// Input layout: byte 0 picks the method, byte 1 flags (bits 0-1: the path
/// is relative to nothing, the calendar, the address book or the tasks
/// collection; bits 2-3: no Depth, 0, 1, infinity; bit 4: `If-Match: *`;
/// bit 5: `If-None-Match: *`; bit 6: a vCard 4.0 Accept header), then the
/// path up to the first LF, then the body.
pub fn request(data: &[u8]) {
    let [method, flags, rest @ ..] = data else { return };
    let method = METHODS[usize::from(*method) % METHODS.len()];
    let (path, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(lf) => (&rest[..lf], &rest[lf + 1..]),
        None => (rest, &[][..]),
    };
    let Ok(path) = std::str::from_utf8(path) else { return };
    runtime().block_on(async {
        let store = Arc::new(state::MemoryStore::new());
        let account = MemoryAccount::new(USER, store, MemoryConfig::default())
            .await
            .unwrap_or_else(|e| panic!("fuzz mailbox: {e}"));
        let folders = account.list_folders().await.unwrap_or_else(|e| panic!("fuzz folders: {e}"));
        let href = |name: &str, home: &str| {
            folders
                .iter()
                .find(|f| f.path == name)
                .map(|f| format!("/dav/{home}/{USER}/{}/", crate::path::folder_segment(&f.id)))
                .unwrap_or_else(|| panic!("fuzz mailbox has no {name}"))
        };
        let (calendar, contacts, tasks) =
            (href("Calendar", "calendars"), href("Contacts", "addressbooks"), href("Tasks", "calendars"));
        let provider = MemoryProvider::new();
        provider.add_user(USER, PASSWORD, account);
        let server = DavServer::new(DavConfig { max_body: MAX_BODY, ..DavConfig::default() }, Arc::new(provider));
        for (href, body) in [(format!("{calendar}seed-1.ics"), EVENT), (format!("{contacts}seed-2.vcf"), CARD)] {
            let (status, _) = send(&server, "PUT", &href, &[], body.as_bytes().to_vec()).await;
            assert_eq!(status, Some(StatusCode::CREATED), "seeding {href}");
        }
        let base = match flags & 3 {
            0 => "",
            1 => &calendar,
            2 => &contacts,
            _ => &tasks,
        };
        let full = format!("{base}{path}");
        let mut headers: Vec<(&str, &str)> = Vec::new();
        match (flags >> 2) & 3 {
            0 => {}
            1 => headers.push(("depth", "0")),
            2 => headers.push(("depth", "1")),
            _ => headers.push(("depth", "infinity")),
        }
        if flags & 16 != 0 {
            headers.push(("if-match", "*"));
        }
        if flags & 32 != 0 {
            headers.push(("if-none-match", "*"));
        }
        if flags & 64 != 0 {
            headers.push(("accept", "text/vcard; version=4.0"));
        }
        let (status, answer) = send(&server, method, &full, &headers, body.to_vec()).await;
        let requested = String::from_utf8_lossy(body);
        let Some(status) = status else { return };
        assert!(!status.is_server_error(), "{method} {full}: {status}\n{}", String::from_utf8_lossy(&answer));
        if status == StatusCode::MULTI_STATUS {
            check_multistatus(&answer, &requested);
        }
    });
}

/// Sends one authenticated request; `None` when the input is no valid
/// request line (the HTTP layer would have refused it before us).
async fn send(
    server: &DavServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (Option<StatusCode>, Vec<u8>) {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let mut builder = Request::builder().method(method).uri(path).header("authorization", format!("Basic {token}"));
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let Ok(request) = builder.body(Body::from(body)) else { return (None, Vec::new()) };
    let response = server.handle(request).await;
    let status = response.status();
    let answer = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap_or_default();
    (Some(status), answer.to_vec())
}

/// A multistatus answer parses as XML, and each href it names is ours: the
/// root, or below the user's principal, calendar or address book home
/// (RFC 4918 §8.3: hrefs are what clients follow next), unless it echoes
/// an href of the request (a multiget's 404 for what it asked).
fn check_multistatus(answer: &[u8], requested: &str) {
    let text = std::str::from_utf8(answer).unwrap_or_else(|_| panic!("multistatus is not UTF-8"));
    let mut reader = quick_xml::Reader::from_str(text);
    let mut in_href = false;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e)) => in_href = e.local_name().as_ref() == b"href",
            Ok(quick_xml::events::Event::End(_)) => in_href = false,
            Ok(quick_xml::events::Event::Text(t)) if in_href => {
                let href = t.xml_content().unwrap_or_else(|e| panic!("href text: {e}"));
                if !requested.contains(href.as_ref()) && !requested.contains(text_of(&t)) {
                    check_href(&href);
                }
            }
            Ok(_) => {}
            Err(e) => panic!("multistatus is not well-formed ({e}): {text}"),
        }
    }
}

fn text_of<'a>(t: &'a quick_xml::events::BytesText<'_>) -> &'a str {
    std::str::from_utf8(t.as_ref()).unwrap_or_default()
}

fn check_href(href: &str) {
    // calendar-user-address-set (RFC 6638 §2.4.1) names the user by mailto.
    if href == "/dav/" || href.strip_prefix("mailto:").is_some_and(|a| a.eq_ignore_ascii_case(USER)) {
        return;
    }
    match crate::path::parse("/dav", href) {
        Ok(target) => {
            let user = match &target {
                crate::path::Target::Root => return,
                crate::path::Target::Principal { user }
                | crate::path::Target::Home { user, .. }
                | crate::path::Target::Collection { user, .. }
                | crate::path::Target::Item { user, .. } => user,
            };
            assert!(user.eq_ignore_ascii_case(USER), "href {href} names another user");
        }
        Err(e) => panic!("href {href} does not parse back: {e:?}"),
    }
}
