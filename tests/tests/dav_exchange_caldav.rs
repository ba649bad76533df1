//! CalDAV over Exchange, scripted (issue 10, "must show"): the DAV server
//! over `ExchangeProvider` over an in-process exchange-sim. Discovery,
//! listing, writes with ETags, a time-range query that needs recurrence
//! expansion, sync-collection, the VTODO lifecycle; replacing an event
//! rewrites its attendees and exceptions; names chosen by clients survive a
//! gateway restart; an unchanged collection costs no Exchange round trip.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod dav_exchange_stack;

use dav_exchange_stack::*;
use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;

fn calendar_query(start: &str, end: &str) -> String {
    format!(
        r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="{start}" end="{end}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_from_well_known_lists_the_exchange_calendars() {
    let stack = start().await;
    let r = send(stack.gateway.addr, None, "PROPFIND", "/.well-known/caldav", &[("depth", "0")], Vec::new()).await;
    assert!(matches!(r.status, 301 | 302 | 307 | 308), "{} {}", r.status, r.body);
    let location = r.header("location").unwrap().to_owned();
    assert!(location.ends_with("/dav/") || location.ends_with("/dav"), "{location}");
    let path = location.trim_start_matches(&stack.base()).to_owned();
    let r = stack.propfind(&path, "0", "<d:current-user-principal/>").await;
    assert_eq!(r.status, 207, "{}", r.body);
    let principal = text_of(&r.body, "d:href").map(str::to_owned);
    let principal = r
        .body
        .split("<d:current-user-principal>")
        .nth(1)
        .and_then(|s| text_of(s, "d:href"))
        .map(str::to_owned)
        .or(principal)
        .unwrap();
    assert!(principal.contains(ALICE), "{principal}");
    let r = stack.propfind(&principal, "0", "<c:calendar-home-set/><c:calendar-user-address-set/>").await;
    assert_eq!(r.status, 207, "{}", r.body);
    let home = r.body.split("<c:calendar-home-set>").nth(1).and_then(|s| text_of(s, "d:href")).unwrap().to_owned();
    let r = stack.propfind(&home, "1", "<d:displayname/><d:resourcetype/><c:supported-calendar-component-set/>").await;
    assert_eq!(r.status, 207, "{}", r.body);
    let calendars: Vec<String> = responses(&r.body)
        .into_iter()
        .filter(|x| x.contains("<c:calendar/>"))
        .map(|x| text_of(&x, "d:displayname").unwrap_or_default().to_owned())
        .collect();
    // Exchange's Calendar and Tasks folders, each a calendar.
    assert!(calendars.contains(&"Calendar".to_owned()) && calendars.contains(&"Tasks".to_owned()), "{calendars:?}");
    let tasks = responses(&r.body).into_iter().find(|x| x.contains(">Tasks<")).unwrap();
    assert!(tasks.contains("VTODO"), "{tasks}");
    // The seeded events are there with ETags.
    let calendar = stack.collection("calendars", "Calendar").await;
    assert!(!stack.members(&calendar).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_update_delete_with_etags() {
    let stack = start().await;
    let calendar = stack.collection("calendars", "Calendar").await;
    let href = format!("{calendar}abc.ics");
    let ics = event("e2e-crud-1", "Planning", "20260310T090000Z", "20260310T100000Z", "LOCATION:Room 1\r\n");
    let r = stack.send("PUT", &href, &[("if-none-match", "*"), ("content-type", "text/calendar")], &ics).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.header("etag").is_none(), "the stored form differs from the one sent: no ETag on PUT");
    let etag1 = stack.etag_of(&href).await;
    // A second create under the same name is refused.
    let r = stack.send("PUT", &href, &[("if-none-match", "*")], &ics).await;
    assert_eq!(r.status, 412);

    let r = stack.send("GET", &href, &[], "").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.etag(), etag1);
    assert!(r.body.contains("SUMMARY:Planning") && r.body.contains("LOCATION:Room 1"), "{}", r.body);
    assert!(r.body.contains("UID:e2e-crud-1"), "{}", r.body);

    let moved = event("e2e-crud-1", "Planning (moved)", "20260310T130000Z", "20260310T140000Z", "");
    let r = stack.send("PUT", &href, &[("if-match", &etag1)], &moved).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let etag2 = stack.etag_of(&href).await;
    assert_ne!(etag1, etag2);
    // The stale ETag no longer matches: 412 and nothing written.
    let stale = event("e2e-crud-1", "Lost update", "20260310T150000Z", "20260310T160000Z", "");
    assert_eq!(stack.send("PUT", &href, &[("if-match", &etag1)], &stale).await.status, 412);
    let r = stack.send("GET", &href, &[], "").await;
    assert!(r.body.contains("SUMMARY:Planning (moved)") && !r.body.contains("LOCATION"), "{}", r.body);
    assert!(r.body.contains("DTSTART:20260310T130000Z") || r.body.contains("T130000"), "{}", r.body);
    assert_eq!(stack.send("DELETE", &href, &[("if-match", &etag1)], "").await.status, 412);
    assert_eq!(stack.send("DELETE", &href, &[("if-match", &etag2)], "").await.status, 204);
    assert_eq!(stack.send("GET", &href, &[], "").await.status, 404);
    assert!(!stack.members(&calendar).await.iter().any(|(h, _)| *h == href));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_range_query_expands_recurrences() {
    let stack = start().await;
    let calendar = stack.collection("calendars", "Calendar").await;
    // Mondays from 2027-01-04, ten weeks; 2027-02-01 is the fifth.
    let weekly =
        event("e2e-weekly", "Standup", "20270104T090000Z", "20270104T093000Z", "RRULE:FREQ=WEEKLY;COUNT=10\r\n");
    let single = event("e2e-single", "Dentist", "20270301T140000Z", "20270301T150000Z", "");
    assert_eq!(stack.send("PUT", &format!("{calendar}weekly.ics"), &[], &weekly).await.status, 201);
    assert_eq!(stack.send("PUT", &format!("{calendar}single.ics"), &[], &single).await.status, 201);

    let query = |a: &str, b: &str| {
        let body = calendar_query(a, b);
        let calendar = calendar.clone();
        let stack = &stack;
        async move { stack.send("REPORT", &calendar, &[("depth", "1")], &body).await }
    };
    let r = query("20270201T000000Z", "20270202T000000Z").await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert_eq!(hrefs(&r.body), vec![format!("{calendar}weekly.ics")], "{}", r.body);
    assert!(r.body.contains("RRULE:FREQ=WEEKLY") && r.body.contains("SUMMARY:Standup"), "{}", r.body);
    // A Tuesday has no occurrence; after the tenth Monday the series is over.
    assert!(hrefs(&query("20270202T000000Z", "20270203T000000Z").await.body).is_empty());
    assert!(hrefs(&query("20270315T000000Z", "20270316T000000Z").await.body).is_empty());
    let mut march = hrefs(&query("20270301T000000Z", "20270401T000000Z").await.body);
    march.sort();
    assert_eq!(march, vec![format!("{calendar}single.ics"), format!("{calendar}weekly.ics")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_collection_initial_and_incremental() {
    let stack = start().await;
    let calendar = stack.collection("calendars", "Calendar").await;
    let r = stack.sync(&calendar, "").await;
    assert_eq!(r.status, 207, "{}", r.body);
    let initial = hrefs(&r.body);
    assert_eq!(initial.len(), stack.members(&calendar).await.len(), "{}", r.body);
    let t0 = text_of(&r.body, "d:sync-token").unwrap().to_owned();
    // Nothing changed: nothing reported, same token.
    let r = stack.sync(&calendar, &t0).await;
    assert!(hrefs(&r.body).is_empty(), "{}", r.body);
    assert_eq!(text_of(&r.body, "d:sync-token"), Some(t0.as_str()));

    let one = event("e2e-sync-1", "One", "20270401T090000Z", "20270401T100000Z", "");
    assert_eq!(stack.send("PUT", &format!("{calendar}one.ics"), &[], &one).await.status, 201);
    let r = stack.sync(&calendar, &t0).await;
    assert_eq!(hrefs(&r.body), vec![format!("{calendar}one.ics")], "{}", r.body);
    let t1 = text_of(&r.body, "d:sync-token").unwrap().to_owned();
    assert_ne!(t0, t1);

    // A token taken after one change returns exactly the next change.
    let two = event("e2e-sync-2", "Two", "20270402T090000Z", "20270402T100000Z", "");
    assert_eq!(stack.send("PUT", &format!("{calendar}two.ics"), &[], &two).await.status, 201);
    let r = stack.sync(&calendar, &t1).await;
    assert_eq!(hrefs(&r.body), vec![format!("{calendar}two.ics")], "{}", r.body);
    let t2 = text_of(&r.body, "d:sync-token").unwrap().to_owned();

    // A deletion is reported as 404.
    assert_eq!(stack.send("DELETE", &format!("{calendar}one.ics"), &[], "").await.status, 204);
    let r = stack.sync(&calendar, &t2).await;
    assert_eq!(hrefs(&r.body), vec![format!("{calendar}one.ics")], "{}", r.body);
    assert!(r.body.contains("404"), "{}", r.body);
    // A token from nowhere is refused with the precondition.
    let r = stack.sync(&calendar, "urn:x-mapibridge:sync:1-999").await;
    assert!(r.status == 403 && r.body.contains("valid-sync-token"), "{} {}", r.status, r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vtodo_lifecycle_create_complete_delete() {
    let stack = start().await;
    let tasks = stack.collection("calendars", "Tasks").await;
    let href = format!("{tasks}buy-milk.ics");
    let todo = |status: &str, extra: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mapibridge e2e//EN\r\nBEGIN:VTODO\r\nUID:e2e-todo-1\r\n\
             DTSTAMP:20260101T000000Z\r\nSUMMARY:Buy milk\r\nDUE;VALUE=DATE:20270105\r\nSTATUS:{status}\r\n{extra}END:VTODO\r\nEND:VCALENDAR\r\n"
        )
    };
    let r = stack.send("PUT", &href, &[("if-none-match", "*")], &todo("NEEDS-ACTION", "")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let etag = stack.etag_of(&href).await;
    let r = stack.send("GET", &href, &[], "").await;
    assert!(r.body.contains("BEGIN:VTODO") && r.body.contains("SUMMARY:Buy milk"), "{}", r.body);
    assert!(!r.body.contains("STATUS:COMPLETED"), "{}", r.body);

    let done = todo("COMPLETED", "COMPLETED:20270104T120000Z\r\nPERCENT-COMPLETE:100\r\n");
    let r = stack.send("PUT", &href, &[("if-match", &etag)], &done).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = stack.send("GET", &href, &[], "").await;
    assert!(r.body.contains("STATUS:COMPLETED"), "{}", r.body);
    assert!(r.body.contains("COMPLETED:2027010"), "{}", r.body);
    assert!(r.body.contains("PERCENT-COMPLETE:100"), "{}", r.body);

    let etag = r.etag();
    assert_eq!(stack.send("DELETE", &href, &[("if-match", &etag)], "").await.status, 204);
    assert_eq!(stack.send("GET", &href, &[], "").await.status, 404);
}

const MEETING: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mapibridge e2e//EN\r\nBEGIN:VEVENT\r\n\
UID:e2e-meeting-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270510T090000Z\r\nDTEND:20270510T100000Z\r\n\
RRULE:FREQ=DAILY;COUNT=5\r\nSUMMARY:Review\r\nORGANIZER;CN=Alice Tester:mailto:alice@example.test\r\n\
ATTENDEES\
END:VEVENT\r\n\
OVERRIDES\
END:VCALENDAR\r\n";

fn meeting(attendees: &[&str], overrides: &str) -> String {
    let a: String = attendees
        .iter()
        .map(|m| format!("ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{m}\r\n"))
        .collect();
    MEETING.replace("ATTENDEES", &a).replace("OVERRIDES", overrides)
}

fn override_of(day: &str, summary: &str, hour: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:e2e-meeting-1\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:202705{day}T090000Z\r\n\
         DTSTART:202705{day}T{hour}0000Z\r\nDTEND:202705{day}T{hour}3000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_an_event_rewrites_attendees_and_exceptions() {
    let stack = start().await;
    let calendar = stack.collection("calendars", "Calendar").await;
    let href = format!("{calendar}review.ics");
    let first = meeting(&["bob@example.test", "carol@example.test"], &override_of("11", "Review (moved)", "14"));
    let r = stack.send("PUT", &href, &[("if-none-match", "*")], &first).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = stack.send("GET", &href, &[], "").await;
    let body = unfold(&r.body);
    assert!(body.contains("mailto:bob@example.test") && body.contains("mailto:carol@example.test"), "{body}");
    assert!(body.contains("SUMMARY:Review (moved)"), "exception stored: {body}");
    let etag = r.etag();

    // Carol is dropped, dave added; the moved occurrence moves back and
    // another one is renamed.
    let second = meeting(&["bob@example.test", "dave@example.test"], &override_of("13", "Review (renamed)", "09"));
    let r = stack.send("PUT", &href, &[("if-match", &etag)], &second).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = stack.send("GET", &href, &[], "").await;
    let body = unfold(&r.body);
    assert!(body.contains("mailto:bob@example.test") && body.contains("mailto:dave@example.test"), "{body}");
    assert!(!body.contains("carol@example.test"), "carol was removed: {body}");
    assert!(!body.contains("Review (moved)"), "the old exception is gone: {body}");
    assert!(body.contains("SUMMARY:Review (renamed)"), "the new exception is there: {body}");
    assert_eq!(body.matches("RECURRENCE-ID").count(), 1, "{body}");

    // Without overrides and attendees: a plain series again.
    let r = stack.send("GET", &href, &[], "").await;
    let third = meeting(&[], "");
    assert_eq!(stack.send("PUT", &href, &[("if-match", &r.etag())], &third).await.status, 204);
    let body = unfold(&stack.send("GET", &href, &[], "").await.body);
    assert!(!body.contains("ATTENDEE") && !body.contains("RECURRENCE-ID"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_chosen_names_survive_a_gateway_restart() {
    let mut stack = start().await;
    let calendar = stack.collection("calendars", "Calendar").await;
    let ics = event("e2e-restart-1", "Kept", "20270601T090000Z", "20270601T100000Z", "");
    let r = stack.send("PUT", &format!("{calendar}abc.ics"), &[], &ics).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let etag = stack.etag_of(&format!("{calendar}abc.ics")).await;
    let before = stack.members(&calendar).await;
    let r = stack.sync(&calendar, "").await;
    let token = text_of(&r.body, "d:sync-token").unwrap().to_owned();

    stack.restart().await;
    let calendar = stack.collection("calendars", "Calendar").await;
    assert_eq!(stack.members(&calendar).await, before, "same names and ETags after the restart");
    let r = stack.send("GET", &format!("{calendar}abc.ics"), &[], "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.etag(), etag);
    // Nothing changed: the old token reports nothing.
    let r = stack.sync(&calendar, &token).await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert!(hrefs(&r.body).is_empty(), "{}", r.body);
    // And the name still takes writes and deletes.
    let moved = event("e2e-restart-1", "Kept, moved", "20270601T110000Z", "20270601T120000Z", "");
    assert_eq!(stack.send("PUT", &format!("{calendar}abc.ics"), &[("if-match", &etag)], &moved).await.status, 204);
    let r = stack.sync(&calendar, &token).await;
    assert_eq!(hrefs(&r.body), vec![format!("{calendar}abc.ics")], "{}", r.body);
    assert_eq!(stack.send("DELETE", &format!("{calendar}abc.ics"), &[], "").await.status, 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_collection_costs_no_exchange_round_trip() {
    let stack = start().await;
    let calendar = stack.collection("calendars", "Calendar").await;
    let r = stack.sync(&calendar, "").await;
    let token = text_of(&r.body, "d:sync-token").unwrap().to_owned();
    let before = stack.round_trips().await;
    for _ in 0..5 {
        let r = stack.sync(&calendar, &token).await;
        assert!(hrefs(&r.body).is_empty(), "{}", r.body);
        assert!(!stack.members(&calendar).await.is_empty());
    }
    let spent = stack.round_trips().await - before;
    eprintln!("10 DAV requests on an unchanged calendar: {spent} Exchange round trips");
    assert!(spent <= 1, "{spent} round trips for 10 requests on an unchanged calendar");

    // An item another client (Outlook) saves straight into the mailbox is
    // seen within a second: the change feed ends the freshness early.
    let mailbox = stack.sim.store().mailbox(ALICE).unwrap();
    let folder = mailbox.special_folder(SpecialFolder::Calendar);
    let s = |v: &str| PropValue::String(v.into());
    let content = MessageContent {
        props: PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, s("IPM.Appointment")),
            (PropTag::SUBJECT, s("Saved by Outlook")),
        ]),
        recipients: Vec::new(),
        attachments: Vec::new(),
    };
    mailbox.save_message(folder, None, false, &content, SaveMode::Normal).unwrap();
    let saved = std::time::Instant::now();
    loop {
        let r = stack.sync(&calendar, &token).await;
        if hrefs(&r.body).len() == 1 {
            break;
        }
        assert!(saved.elapsed() < std::time::Duration::from_secs(2), "not seen within 2 s: {}", r.body);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    eprintln!("an item saved by another client was reported after {:?}", saved.elapsed());
    let r = stack.sync(&calendar, "").await;
    let token = text_of(&r.body, "d:sync-token").unwrap().to_owned();

    // A write through DAV is reported at once.
    let one = event("e2e-fresh-1", "Fresh", "20270701T090000Z", "20270701T100000Z", "");
    assert_eq!(stack.send("PUT", &format!("{calendar}fresh.ics"), &[], &one).await.status, 201);
    let r = stack.sync(&calendar, &token).await;
    assert_eq!(hrefs(&r.body), vec![format!("{calendar}fresh.ics")], "{}", r.body);
}
