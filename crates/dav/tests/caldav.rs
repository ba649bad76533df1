//! Scripted CalDAV sessions against the server over a MemoryProvider.

mod common;

use common::{PASSWORD, USER, env, event, hrefs, text_of};

#[tokio::test]
async fn discovery_from_well_known_to_the_home_sets() {
    let env = env().await;
    let r = env.send_as(None, "GET", "/.well-known/caldav", &[], Vec::new()).await;
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some("/dav/"));
    let r = env.send_as(None, "PROPFIND", "/.well-known/carddav", &[], Vec::new()).await;
    assert_eq!(r.header("location"), Some("/dav/"));

    let r = env.send_as(None, "OPTIONS", "/dav/", &[], Vec::new()).await;
    assert_eq!(r.status, 200);
    let dav = r.header("dav").unwrap_or_default();
    assert!(dav.contains("calendar-access") && dav.contains("addressbook") && dav.contains('3'), "{dav}");

    let r = env.propfind("/dav/", "0", "<d:current-user-principal/>").await;
    assert_eq!(r.status, 207);
    let principal = format!("/dav/principals/{USER}/");
    assert!(hrefs(&r.body).contains(&principal), "{}", r.body);

    let r = env
        .propfind(
            &principal,
            "0",
            "<c:calendar-home-set/><card:addressbook-home-set/><c:calendar-user-address-set/><d:displayname/>",
        )
        .await;
    assert_eq!(r.status, 207);
    let h = hrefs(&r.body);
    assert!(h.contains(&format!("/dav/calendars/{USER}/")), "{}", r.body);
    assert!(h.contains(&format!("/dav/addressbooks/{USER}/")), "{}", r.body);
    assert!(h.contains(&format!("mailto:{USER}")), "{}", r.body);
}

#[tokio::test]
async fn authentication_is_required_and_backend_outage_is_retryable() {
    let env = env().await;
    let r = env.send_as(None, "PROPFIND", "/dav/", &[], Vec::new()).await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some_and(|v| v.starts_with("Basic realm=")));
    let r = env.send_as(Some((USER, "wrong")), "PROPFIND", "/dav/", &[], Vec::new()).await;
    assert_eq!(r.status, 401);
    env.account.set_unavailable(true);
    let r = env.send_as(Some((USER, PASSWORD)), "PROPFIND", "/dav/", &[], Vec::new()).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("30"));
    env.account.set_unavailable(false);
    assert_eq!(env.send("PROPFIND", "/dav/", &[("depth", "0")], "").await.status, 207);
    assert_eq!(env.server.metrics().auth_failures, 2);
}

#[tokio::test]
async fn calendar_home_lists_calendar_and_task_folders() {
    let env = env().await;
    let r = env
        .propfind(
            &format!("/dav/calendars/{USER}/"),
            "1",
            "<d:resourcetype/><d:displayname/><c:supported-calendar-component-set/><cs:getctag/><d:sync-token/><d:supported-report-set/>",
        )
        .await;
    assert_eq!(r.status, 207);
    let calendar = env.collection("calendars", "Calendar").await;
    let tasks = env.collection("calendars", "Tasks").await;
    let h = hrefs(&r.body);
    assert!(h.contains(&calendar) && h.contains(&tasks), "{}", r.body);
    assert!(!r.body.contains("Inbox") && !r.body.contains(">Contacts<"), "mail and contacts are not calendars");
    let task_response = r.body.split("<d:response>").find(|s| s.contains(&tasks)).unwrap_or_default();
    assert!(task_response.contains("<c:calendar/>") && task_response.contains(r#"<c:comp name="VTODO"/>"#));
    let cal_response = r.body.split("<d:response>").find(|s| s.contains(&calendar)).unwrap_or_default();
    assert!(cal_response.contains(r#"<c:comp name="VEVENT"/>"#) && cal_response.contains("<d:displayname>Calendar<"));
    assert!(cal_response.contains("<c:calendar-query/>") && cal_response.contains("<d:sync-collection/>"));
    assert!(text_of(cal_response, "cs:getctag").is_some() && text_of(cal_response, "d:sync-token").is_some());

    let r = env.propfind(&format!("/dav/addressbooks/{USER}/"), "1", "<d:resourcetype/>").await;
    let contacts = env.collection("addressbooks", "Contacts").await;
    assert!(hrefs(&r.body).contains(&contacts) && r.body.contains("<card:addressbook/>"), "{}", r.body);

    // allprop and propname answer too.
    let r = env.send("PROPFIND", &calendar, &[("depth", "0")], "").await;
    assert!(r.body.contains("<d:displayname>Calendar</d:displayname>"), "{}", r.body);
    let r =
        env.send("PROPFIND", &calendar, &[("depth", "0")], r#"<propfind xmlns="DAV:"><propname/></propfind>"#).await;
    assert!(r.body.contains("<d:sync-token/>") && r.body.contains("<c:supported-calendar-component-set/>"));
}

#[tokio::test]
async fn create_edit_delete_with_etags() {
    let env = env().await;
    let href = format!("{}meeting.ics", env.collection("calendars", "Calendar").await);
    let v1 = event("meeting-1", "Planning", "20260105T090000Z", "20260105T100000Z", None);
    let r = env.send("PUT", &href, &[("if-none-match", "*"), ("content-type", "text/calendar")], &v1).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // Creating it again is refused.
    let r = env.send("PUT", &href, &[("if-none-match", "*")], &v1).await;
    assert_eq!(r.status, 412);

    let r = env.send("GET", &href, &[], "").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("SUMMARY:Planning") && r.body.contains("UID:meeting-1"), "{}", r.body);
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/calendar")));
    let etag1 = r.header("etag").expect("etag").to_owned();

    let v2 = event("meeting-1", "Planning (moved)", "20260105T110000Z", "20260105T120000Z", None);
    assert_eq!(env.send("PUT", &href, &[("if-match", &etag1)], &v2).await.status, 204);
    let r = env.send("GET", &href, &[], "").await;
    assert!(r.body.contains("SUMMARY:Planning (moved)"));
    let etag2 = r.header("etag").expect("etag").to_owned();
    assert_ne!(etag1, etag2);

    // A client holding the old ETag cannot overwrite or delete.
    assert_eq!(env.send("PUT", &href, &[("if-match", &etag1)], &v1).await.status, 412);
    assert_eq!(env.send("DELETE", &href, &[("if-match", &etag1)], "").await.status, 412);
    assert!(env.send("GET", &href, &[], "").await.body.contains("Planning (moved)"));

    // PROPFIND reports the same ETag.
    let r = env.propfind(&href, "0", "<d:getetag/>").await;
    assert_eq!(text_of(&r.body, "d:getetag").map(|t| t.replace("&quot;", "\"")), Some(etag2.clone()));

    assert_eq!(env.send("DELETE", &href, &[("if-match", &etag2)], "").await.status, 204);
    assert_eq!(env.send("GET", &href, &[], "").await.status, 404);
    assert_eq!(env.send("DELETE", &href, &[], "").await.status, 404);
}

#[tokio::test]
async fn invalid_calendar_data_is_refused_and_nothing_written() {
    let env = env().await;
    let calendar = env.collection("calendars", "Calendar").await;
    let href = format!("{calendar}bad.ics");
    let r = env.send("PUT", &href, &[], "BEGIN:VCALENDAR\r\nthis is not iCalendar\r\n").await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("<c:valid-calendar-data/>"), "{}", r.body);
    let r = env.send("PUT", &href, &[], "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n").await;
    assert_eq!(r.status, 403);

    // A task does not go into an event calendar, nor an event into tasks.
    let todo = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTODO\r\nUID:t1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Buy milk\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    let r = env.send("PUT", &href, &[], todo).await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("<c:supported-calendar-component/>"), "{}", r.body);
    let tasks = env.collection("calendars", "Tasks").await;
    assert_eq!(env.send("PUT", &format!("{tasks}t1.ics"), &[], todo).await.status, 201);
    let r = env.send("GET", &format!("{tasks}t1.ics"), &[], "").await;
    assert!(r.body.contains("BEGIN:VTODO") && r.body.contains("SUMMARY:Buy milk"), "{}", r.body);

    let r = env.propfind(&calendar, "1", "<d:getetag/>").await;
    assert_eq!(hrefs(&r.body), vec![calendar], "nothing was written");
}

#[tokio::test]
async fn calendar_query_time_range_hits_an_occurrence_of_a_weekly_series() {
    let env = env().await;
    let calendar = env.collection("calendars", "Calendar").await;
    // Mondays from 2026-01-05, ten weeks; 2026-02-02 is the fifth.
    let weekly = event("weekly-1", "Standup", "20260105T090000Z", "20260105T093000Z", Some("FREQ=WEEKLY;COUNT=10"));
    let single = event("single-1", "Dentist", "20260301T140000Z", "20260301T150000Z", None);
    assert_eq!(env.send("PUT", &format!("{calendar}weekly.ics"), &[], &weekly).await.status, 201);
    assert_eq!(env.send("PUT", &format!("{calendar}single.ics"), &[], &single).await.status, 201);

    let query = |start: &str, end: &str| {
        format!(
            r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>
<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="{start}" end="{end}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#
        )
    };
    let r = env.send("REPORT", &calendar, &[("depth", "1")], &query("20260202T000000Z", "20260203T000000Z")).await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert_eq!(hrefs(&r.body), vec![format!("{calendar}weekly.ics")], "{}", r.body);
    assert!(r.body.contains("RRULE:FREQ=WEEKLY") && r.body.contains("SUMMARY:Standup"));

    // A Tuesday has no occurrence; after the tenth Monday the series is over.
    let r = env.send("REPORT", &calendar, &[("depth", "1")], &query("20260203T000000Z", "20260204T000000Z")).await;
    assert!(hrefs(&r.body).is_empty(), "{}", r.body);
    let r = env.send("REPORT", &calendar, &[("depth", "1")], &query("20260316T000000Z", "20260317T000000Z")).await;
    assert!(hrefs(&r.body).is_empty(), "{}", r.body);
    // March holds the single event and the last occurrences (2026-03-09).
    let r = env.send("REPORT", &calendar, &[("depth", "1")], &query("20260301T000000Z", "20260401T000000Z")).await;
    let mut got = hrefs(&r.body);
    got.sort();
    assert_eq!(got, vec![format!("{calendar}single.ics"), format!("{calendar}weekly.ics")]);
}

#[tokio::test]
async fn calendar_multiget_returns_data_and_404_for_unknown_hrefs() {
    let env = env().await;
    let calendar = env.collection("calendars", "Calendar").await;
    let a = event("a", "Alpha", "20260105T090000Z", "20260105T100000Z", None);
    let b = event("b", "Beta", "20260106T090000Z", "20260106T100000Z", None);
    env.send("PUT", &format!("{calendar}a.ics"), &[], &a).await;
    env.send("PUT", &format!("{calendar}b.ics"), &[], &b).await;
    let body = format!(
        r#"<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>
<d:href>{calendar}a.ics</d:href><d:href>http://{}{calendar}b.ics</d:href><d:href>{calendar}gone.ics</d:href></c:calendar-multiget>"#,
        env.addr
    );
    let r = env.send("REPORT", &calendar, &[("depth", "1")], &body).await;
    assert_eq!(r.status, 207);
    let responses: Vec<&str> = r.body.split("<d:response>").skip(1).collect();
    assert_eq!(responses.len(), 3);
    assert!(responses[0].contains("SUMMARY:Alpha") && responses[0].contains("<d:getetag>"));
    assert!(responses[1].contains("SUMMARY:Beta"));
    assert!(responses[2].contains("gone.ics") && responses[2].contains("404 Not Found"));
}

#[tokio::test]
async fn sync_collection_initial_and_incremental() {
    let env = env().await;
    let calendar = env.collection("calendars", "Calendar").await;
    for (n, s) in [("one", "One"), ("two", "Two")] {
        let ics = event(n, s, "20260105T090000Z", "20260105T100000Z", None);
        assert_eq!(env.send("PUT", &format!("{calendar}{n}.ics"), &[], &ics).await.status, 201);
    }
    let sync = |token: &str| {
        format!(
            r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#
        )
    };
    let r = env.send("REPORT", &calendar, &[], &sync("")).await;
    assert_eq!(r.status, 207);
    let mut got = hrefs(&r.body);
    got.sort();
    assert_eq!(got, vec![format!("{calendar}one.ics"), format!("{calendar}two.ics")]);
    let t1 = text_of(&r.body, "d:sync-token").expect("token").to_owned();

    // Nothing changed: nothing reported, same token.
    let r = env.send("REPORT", &calendar, &[], &sync(&t1)).await;
    assert!(hrefs(&r.body).is_empty());
    assert_eq!(text_of(&r.body, "d:sync-token"), Some(t1.as_str()));

    // One change after t1 is exactly what t1 returns.
    let ics = event("two", "Two (edited)", "20260105T090000Z", "20260105T100000Z", None);
    assert_eq!(env.send("PUT", &format!("{calendar}two.ics"), &[], &ics).await.status, 204);
    let r = env.send("REPORT", &calendar, &[], &sync(&t1)).await;
    assert_eq!(hrefs(&r.body), vec![format!("{calendar}two.ics")], "{}", r.body);
    assert!(r.body.contains("<d:getetag>"));
    let t2 = text_of(&r.body, "d:sync-token").expect("token").to_owned();
    assert_ne!(t1, t2);

    // The ctag moved too.
    let r = env.propfind(&calendar, "0", "<cs:getctag/><d:sync-token/>").await;
    assert_eq!(text_of(&r.body, "d:sync-token"), Some(t2.as_str()));

    assert_eq!(env.send("DELETE", &format!("{calendar}one.ics"), &[], "").await.status, 204);
    let r = env.send("REPORT", &calendar, &[], &sync(&t2)).await;
    assert_eq!(hrefs(&r.body), vec![format!("{calendar}one.ics")]);
    assert!(r.body.contains("404 Not Found"), "{}", r.body);

    let r = env.send("REPORT", &calendar, &[], &sync("urn:x-mapibridge:sync:1-999")).await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("<d:valid-sync-token/>"));
    let r = env.send("REPORT", &calendar, &[], &sync("http://elsewhere/token")).await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn proppatch_renames_a_calendar() {
    let env = env().await;
    let calendar = env.collection("calendars", "Calendar").await;
    let body = r#"<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Work</d:displayname></d:prop></d:set></d:propertyupdate>"#;
    let r = env.send("PROPPATCH", &calendar, &[], body).await;
    assert_eq!(r.status, 207);
    assert!(r.body.contains("200 OK"), "{}", r.body);
    let r = env.propfind(&calendar, "0", "<d:displayname/>").await;
    assert!(r.body.contains("<d:displayname>Work</d:displayname>"), "{}", r.body);

    // An unsupported property fails the whole update.
    let body = r#"<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Home</d:displayname><x:color xmlns:x="urn:x">red</x:color></d:prop></d:set></d:propertyupdate>"#;
    let r = env.send("PROPPATCH", &calendar, &[], body).await;
    assert!(r.body.contains("403 Forbidden") && r.body.contains("424 Failed Dependency"), "{}", r.body);
    let r = env.propfind(&calendar, "0", "<d:displayname/>").await;
    assert!(r.body.contains("<d:displayname>Work</d:displayname>"));
}

#[tokio::test]
async fn hostile_requests_are_refused() {
    let env = env().await;
    for path in [
        "/dav/calendars/alice@example.com/../../../etc/passwd",
        "/dav/calendars/alice@example.com/%2e%2e/x",
        "/dav/calendars/alice@example.com/00/..%2f..%2fx",
    ] {
        let r = env.send("GET", path, &[], "").await;
        assert_eq!(r.status, 400, "{path}");
    }
    // Another user's tree.
    assert_eq!(env.send("PROPFIND", "/dav/calendars/bob@example.com/", &[], "").await.status, 403);

    let bomb = r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><d:propfind xmlns:d="DAV:"><d:prop><d:displayname>&c;</d:displayname></d:prop></d:propfind>"#;
    let r = env.send("PROPFIND", "/dav/", &[("depth", "0")], bomb).await;
    assert_eq!(r.status, 400);
    assert!(!r.body.contains("aaaaaaaaaa"));

    let small = dav::DavConfig { max_body: 1024, ..dav::DavConfig::default() };
    let env2 = common::env_with(small).await;
    let big = event("big", &"x".repeat(4000), "20260105T090000Z", "20260105T100000Z", None);
    let cal2 = env2.collection("calendars", "Calendar").await;
    assert_eq!(env2.send("PUT", &format!("{cal2}big.ics"), &[], &big).await.status, 413);
    let r = env2.propfind(&cal2, "1", "<d:getetag/>").await;
    assert_eq!(hrefs(&r.body).len(), 1, "nothing was written");
}

#[tokio::test]
async fn calendar_query_on_tasks_uses_start_and_due() {
    let env = env().await;
    let tasks = env.collection("calendars", "Tasks").await;
    let todo = |uid: &str, dates: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n{dates}SUMMARY:{uid}\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
        )
    };
    for (uid, dates) in [
        ("january", "DTSTART:20260105T090000Z\r\nDUE:20260109T170000Z\r\n"),
        ("march", "DTSTART:20260302T090000Z\r\nDUE:20260306T170000Z\r\n"),
        ("someday", ""),
    ] {
        let r = env.send("PUT", &format!("{tasks}{uid}.ics"), &[], &todo(uid, dates)).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let q = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>
<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"><c:time-range start="20260101T000000Z" end="20260201T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let r = env.send("REPORT", &tasks, &[("depth", "1")], q).await;
    let mut got = hrefs(&r.body);
    got.sort();
    assert_eq!(got, vec![format!("{tasks}january.ics"), format!("{tasks}someday.ics")], "{}", r.body);
    // VEVENT finds nothing in a task list.
    let r = env.send("REPORT", &tasks, &[("depth", "1")], &q.replace("VTODO", "VEVENT")).await;
    assert!(hrefs(&r.body).is_empty());
}

#[tokio::test]
async fn calendar_query_text_match_on_summary_and_uid() {
    let env = env().await;
    let calendar = env.collection("calendars", "Calendar").await;
    for (uid, summary) in [("u-1", "Budget review"), ("u-2", "Lunch")] {
        let ics = event(uid, summary, "20260105T090000Z", "20260105T100000Z", None);
        assert_eq!(env.send("PUT", &format!("{calendar}{uid}.ics"), &[], &ics).await.status, 201);
    }
    let q = |prop: &str, text: &str| {
        format!(
            r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:prop-filter name="{prop}"><c:text-match>{text}</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#
        )
    };
    let r = env.send("REPORT", &calendar, &[("depth", "1")], &q("SUMMARY", "budget")).await;
    assert_eq!(hrefs(&r.body), vec![format!("{calendar}u-1.ics")], "{}", r.body);
    let r = env.send("REPORT", &calendar, &[("depth", "1")], &q("UID", "u-2")).await;
    assert_eq!(hrefs(&r.body), vec![format!("{calendar}u-2.ics")], "{}", r.body);
}

#[tokio::test]
async fn a_gateway_can_hand_requests_over_without_axum() {
    use base64::Engine;
    use http_body_util::BodyExt;

    let env = env().await;
    let get = axum::http::Method::GET;
    let propfind = axum::http::Method::from_bytes(b"PROPFIND").expect("method");
    assert!(env.server.handles(&get, "/.well-known/caldav"));
    assert!(env.server.handles(&propfind, "/dav/calendars/x/"));
    assert!(env.server.handles(&propfind, "/"));
    assert!(!env.server.handles(&get, "/"));
    assert!(!env.server.handles(&get, "/health"));
    assert!(!env.server.handles(&get, "/davinci"));

    let token = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let request = axum::http::Request::builder()
        .method(propfind)
        .uri("/dav/")
        .header("depth", "0")
        .header("authorization", format!("Basic {token}"))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .expect("request");
    let response = env.server.handle(request).await;
    assert_eq!(response.status().as_u16(), 207);
    let body = response.into_body().collect().await.expect("body").to_bytes();
    assert!(String::from_utf8_lossy(&body).contains(&format!("/dav/principals/{USER}/")));
}
