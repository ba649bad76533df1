//! The Exchange backend restarts under a running gateway (`mapibridge serve`
//! in front of `exchange-sim serve`, separate processes; the simulator is
//! killed and started again on the same port and data directory). Every
//! session context the gateway holds is gone afterwards; the server answers
//! "context not found" to the old cookies, which means it executed nothing,
//! so the gateway reconnects and repeats. The first operation of each
//! front end after the restart succeeds, and a mail sent then is delivered
//! once. While the backend is still down each front end gives its
//! retryable answer (IMAP `NO [UNAVAILABLE]`, SMTP 451, DAV 503).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use e2e::clients::{self, Imap, Smtp, message};
use e2e::procs::{ALICE, BOB, Gateway, PASSWORD, Sim};

struct World {
    sim: Sim,
    gw: Gateway,
    _data: tempfile::TempDir,
}

fn world() -> World {
    let data = tempfile::tempdir().unwrap();
    Sim::seed(data.path(), "alice,bob", 3).unwrap();
    let sim = Sim::start(data.path(), &[]).unwrap();
    let gw = Gateway::start(&sim.base_url(), "loopback", "").unwrap();
    World { sim, gw, _data: data }
}

/// How many messages in `user`'s `folder` carry Message-ID `id`, waiting up
/// to 20 s for the first to arrive (delivery is asynchronous).
async fn copies(gw: &Gateway, user: &str, folder: &str, id: &str) -> usize {
    let start = Instant::now();
    loop {
        let mut c = Imap::login(gw.imap, user, PASSWORD).await.unwrap();
        let n = c.message_ids(folder).await.unwrap().iter().filter(|(_, m)| m.contains(id)).count();
        if n > 0 || start.elapsed() > Duration::from_secs(20) {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The UIDs of the FETCH responses in `text`.
fn uids(text: &str) -> Vec<u32> {
    text.lines()
        .filter(|l| l.starts_with("* ") && l.contains(" FETCH ("))
        .filter_map(|l| l.split("UID ").nth(1)?.split([' ', ')']).next()?.parse().ok())
        .collect()
}

/// PROPFIND of alice's Calendar collection (depth 1, ETags).
async fn list_calendar(gw: &Gateway, href: &str) -> clients::HttpAnswer {
    let body = br#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>"#;
    clients::http(gw.http, "PROPFIND", href, Some((ALICE, PASSWORD)), &[("Depth", "1")], body).await.unwrap()
}

async fn put_event(gw: &Gateway, href: &str, uid: &str) -> clients::HttpAnswer {
    let event = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//restart//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:20261101T000000Z\r\nDTSTART:20261202T090000Z\r\nDTEND:20261202T100000Z\r\n\
         SUMMARY:After restart\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    clients::http(
        gw.http,
        "PUT",
        &format!("{href}{uid}.ics"),
        Some((ALICE, PASSWORD)),
        &[("If-None-Match", "*"), ("Content-Type", "text/calendar")],
        event.as_bytes(),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_operations_after_a_simulator_restart_succeed() {
    let mut w = world();
    // Warm up: the gateway holds alice's session, the IMAP connection has
    // INBOX selected, SMTP and DAV have been used.
    let mut imap = Imap::login(w.gw.imap, ALICE, PASSWORD).await.unwrap();
    assert!(imap.cmd("SELECT INBOX").await.unwrap().ok());
    let before = imap.cmd("UID FETCH 1:* (UID FLAGS)").await.unwrap();
    assert!(before.ok(), "{before:?}");
    let warm = message("restart-warm@restart.test", ALICE, BOB, 2_000);
    let mut smtp = Smtp::login(w.gw.smtp, ALICE, PASSWORD).await.unwrap();
    assert_eq!(smtp.send(ALICE, &[BOB], &warm).await.unwrap().0, 250);
    let calendar = clients::calendar_href(w.gw.http, ALICE, PASSWORD, "Calendar").await.unwrap();
    assert_eq!(list_calendar(&w.gw, &calendar).await.status, 207);

    // ---- SMTP: the first submission after the restart is accepted, on the
    // connection opened before it and on a new one.
    w.sim.restart().unwrap();
    let id = "restart-first-send@restart.test";
    // 40 KB: the body is written through a stream over several Executes.
    let (code, text) = smtp.send(ALICE, &[BOB], &message(id, ALICE, BOB, 40_000)).await.unwrap();
    assert_eq!(code, 250, "first send after the restart: {text}");
    w.sim.restart().unwrap();
    let id2 = "restart-new-connection@restart.test";
    let mut smtp2 = Smtp::login(w.gw.smtp, ALICE, PASSWORD).await.unwrap();
    let (code, text) = smtp2.send(ALICE, &[BOB], &message(id2, ALICE, BOB, 2_000)).await.unwrap();
    assert_eq!(code, 250, "first send on a new connection after the restart: {text}");
    assert_eq!(copies(&w.gw, BOB, "INBOX", id).await, 1, "delivered to bob once");
    assert_eq!(copies(&w.gw, BOB, "INBOX", id2).await, 1, "delivered to bob once");
    assert_eq!(copies(&w.gw, ALICE, "Sent Items", id).await, 1, "one Sent Items copy");

    // ---- IMAP: the selected connection's first commands work, and so does
    // a new connection's SELECT/FETCH.
    w.sim.restart().unwrap();
    let refetch = imap.cmd("UID FETCH 1:* (UID FLAGS)").await.unwrap();
    assert!(refetch.ok(), "first FETCH in the selected INBOX after the restart: {refetch:?}");
    assert_eq!(uids(&refetch.text), uids(&before.text), "the same messages under the same UIDs");
    assert!(!uids(&before.text).is_empty());
    w.sim.restart().unwrap();
    let select = imap.cmd("SELECT INBOX").await.unwrap();
    assert!(select.ok(), "first SELECT after the restart: {select:?}");
    let fetch = imap.cmd("UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])").await.unwrap();
    assert!(fetch.ok(), "{fetch:?}");
    assert_eq!(uids(&fetch.text), uids(&before.text));
    w.sim.restart().unwrap();
    let appended = "restart-append@restart.test";
    let append = imap.append("INBOX", "\\Seen", &message(appended, BOB, ALICE, 40_000)).await.unwrap();
    assert!(append.ok(), "first APPEND after the restart: {append:?}");
    assert_eq!(copies(&w.gw, ALICE, "INBOX", appended).await, 1, "stored once");
    let mut look = Imap::login(w.gw.imap, ALICE, PASSWORD).await.unwrap();
    let (uid, copied) = look.message_ids("INBOX").await.unwrap().into_iter().next().unwrap();
    let drafts_before = look.message_ids("Drafts").await.unwrap().len();
    w.sim.restart().unwrap();
    let copy = imap.cmd(&format!("UID COPY {uid} Drafts")).await.unwrap();
    assert!(copy.ok(), "first COPY after the restart: {copy:?}");
    let drafts = Imap::login(w.gw.imap, ALICE, PASSWORD).await.unwrap().message_ids("Drafts").await.unwrap();
    assert_eq!(drafts.len(), drafts_before + 1, "{drafts:?}");
    assert_eq!(drafts.iter().filter(|(_, m)| *m == copied).count(), 1, "copied once: {drafts:?}");
    w.sim.restart().unwrap();
    let mut fresh = Imap::login(w.gw.imap, ALICE, PASSWORD).await.unwrap();
    let select = fresh.cmd("SELECT INBOX").await.unwrap();
    assert!(select.ok(), "first SELECT on a new connection after the restart: {select:?}");
    let fetch = fresh.cmd("FETCH 1:* (UID FLAGS)").await.unwrap();
    assert!(fetch.ok(), "{fetch:?}");
    assert_eq!(uids(&fetch.text).len(), uids(&before.text).len() + 1, "the seeded messages and the APPENDed one");

    // ---- DAV: the first PROPFIND, and the first PUT after another restart.
    w.sim.restart().unwrap();
    let listing = list_calendar(&w.gw, &calendar).await;
    assert_eq!(listing.status, 207, "first PROPFIND after the restart: {listing:?}");
    w.sim.restart().unwrap();
    let put = put_event(&w.gw, &calendar, "restart-put-1").await;
    assert!(matches!(put.status, 201 | 204), "first PUT after the restart: {put:?}");
    let listing = list_calendar(&w.gw, &calendar).await;
    assert_eq!(listing.body.matches("restart-put-1").count(), 1, "{}", listing.body);
    // Changing the event: the first write over an existing item.
    w.sim.restart().unwrap();
    let event = format!("{calendar}restart-put-1.ics");
    let changed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//restart//EN\r\nBEGIN:VEVENT\r\nUID:restart-put-1\r\n\
                   DTSTAMP:20261101T000000Z\r\nDTSTART:20261202T110000Z\r\nDTEND:20261202T120000Z\r\n\
                   SUMMARY:Moved after restart\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let put = clients::http(
        w.gw.http,
        "PUT",
        &event,
        Some((ALICE, PASSWORD)),
        &[("Content-Type", "text/calendar")],
        changed.as_bytes(),
    )
    .await
    .unwrap();
    assert!(matches!(put.status, 201 | 204), "first PUT over an existing event after the restart: {put:?}");
    let got = clients::http(w.gw.http, "GET", &event, Some((ALICE, PASSWORD)), &[], b"").await.unwrap();
    assert!(got.body.contains("SUMMARY:Moved after restart"), "{got:?}");
    assert!(w.gw.alive());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_still_down_is_retryable_and_the_first_operation_after_it_returns_succeeds() {
    let mut w = world();
    let mut imap = Imap::login(w.gw.imap, ALICE, PASSWORD).await.unwrap();
    assert!(imap.cmd("SELECT INBOX").await.unwrap().ok());
    let mut smtp = Smtp::login(w.gw.smtp, ALICE, PASSWORD).await.unwrap();
    let calendar = clients::calendar_href(w.gw.http, ALICE, PASSWORD, "Calendar").await.unwrap();

    w.sim.kill();
    let id = "while-down@restart.test";
    let mail = message(id, ALICE, BOB, 40_000);
    let (code, text) = smtp.send(ALICE, &[BOB], &mail).await.unwrap();
    assert_eq!(code, 451, "backend down: {text}");
    let select = imap.cmd("SELECT INBOX").await.unwrap();
    assert!(select.status.contains("NO [UNAVAILABLE]"), "backend down: {select:?}");
    let listing = list_calendar(&w.gw, &calendar).await;
    assert_eq!(listing.status, 503, "backend down: {listing:?}");

    w.sim.restart().unwrap();
    let (code, text) = smtp.send(ALICE, &[BOB], &mail).await.unwrap();
    assert_eq!(code, 250, "first send once the backend is back: {text}");
    let select = imap.cmd("SELECT INBOX").await.unwrap();
    assert!(select.ok(), "first SELECT once the backend is back: {select:?}");
    let fetch = imap.cmd("FETCH 1:* (UID FLAGS)").await.unwrap();
    assert!(fetch.ok(), "{fetch:?}");
    let listing = list_calendar(&w.gw, &calendar).await;
    assert_eq!(listing.status, 207, "first PROPFIND once the backend is back: {listing:?}");
    assert_eq!(copies(&w.gw, BOB, "INBOX", id).await, 1, "the retried mail reaches bob once");
}
