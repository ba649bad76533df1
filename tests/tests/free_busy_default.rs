//! Free/busy across users as the demo runs it: `mapibridge serve` in front
//! of `exchange-sim serve` over a data directory seeded by `exchange-sim
//! seed`, nobody granted anything by hand. Exchange gives the Default
//! member free/busy times on every Calendar ([MS-OXCPERM] 2.2.7
//! FreeBusySimple), so bob's VFREEBUSY request about alice (RFC 6638 §5,
//! POST to his schedule outbox) answers her busy times, and nothing else
//! of her calendar.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use e2e::clients::{self, HttpAnswer};
use e2e::procs::{ALICE, BOB, Gateway, PASSWORD, Sim};

async fn post_free_busy(gw: &Gateway, from: &str, about: &str) -> HttpAnswer {
    let request = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//free-busy//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n\
         UID:fb-default-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261207T000000Z\r\nDTEND:20261208T000000Z\r\n\
         ORGANIZER:mailto:{from}\r\nATTENDEE:mailto:{about}\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n"
    );
    clients::http(
        gw.http,
        "POST",
        &format!("/dav/calendars/{from}/outbox/"),
        Some((from, PASSWORD)),
        &[("Content-Type", "text/calendar; charset=utf-8")],
        request.as_bytes(),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_sees_alices_busy_times_through_the_default_calendar_right() {
    let data = tempfile::tempdir().unwrap();
    Sim::seed(data.path(), "alice,bob", 2).unwrap();
    let sim = Sim::start(data.path(), &[]).unwrap();
    let gw = Gateway::start(&sim.base_url(), "loopback", "").unwrap();

    // alice has a private-looking meeting on Monday 7 December.
    let calendar = clients::calendar_href(gw.http, ALICE, PASSWORD, "Calendar").await.unwrap();
    let event = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//EN\r\nBEGIN:VEVENT\r\nUID:fb-default-event\r\n\
                 DTSTAMP:20261101T000000Z\r\nDTSTART:20261207T090000Z\r\nDTEND:20261207T103000Z\r\n\
                 SUMMARY:Salary review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let href = format!("{calendar}fb-default-event.ics");
    let put = clients::http(
        gw.http,
        "PUT",
        &href,
        Some((ALICE, PASSWORD)),
        &[("If-None-Match", "*"), ("Content-Type", "text/calendar")],
        event.as_bytes(),
    )
    .await
    .unwrap();
    assert!(matches!(put.status, 201 | 204), "{put:?}");

    let answer = post_free_busy(&gw, BOB, ALICE).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.body.contains("2.0;Success"), "bob may see alice's free/busy: {}", answer.body);
    assert!(answer.body.contains("FREEBUSY;FBTYPE=BUSY:20261207T090000Z/20261207T103000Z"), "{}", answer.body);
    assert!(!answer.body.contains("Salary review"), "free/busy only, no details: {}", answer.body);

    // And the other way round: alice sees bob's (here: a free day).
    let answer = post_free_busy(&gw, ALICE, BOB).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.body.contains("2.0;Success"), "{}", answer.body);

    // The right covers free/busy times only: bob cannot read the event.
    let got = clients::http(gw.http, "GET", &href, Some((BOB, PASSWORD)), &[], b"").await.unwrap();
    assert!(matches!(got.status, 403 | 404), "{got:?}");
    assert!(!got.body.contains("Salary review"), "{got:?}");
}
