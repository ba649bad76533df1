//! Real DAV clients against the DAV server over `ExchangeProvider` over an
//! in-process exchange-sim (issues 10 and 11, "must show"): Debian's
//! `python3-caldav` (discovery from /.well-known, calendars, events, a time
//! range, sync tokens, the VTODO lifecycle) and `vdirsyncer` (a calendar and
//! an address book synced both ways, then a run that changes nothing). The
//! effects are checked with scripted requests. Skipped with a note when a
//! tool is missing, unless MAPIBRIDGE_REQUIRE_TOOLS is set.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod dav_exchange_stack;

use std::path::{Path, PathBuf};

use dav_exchange_stack::*;
use test_support::vdirsyncer::{config as vdirsyncer_config, files, run as vdirsyncer};

/// The Python interpreter that has the `caldav` module (Debian's
/// python3-caldav lives in the system interpreter's dist-packages).
fn python_with_caldav() -> Option<&'static str> {
    ["python3", "/usr/bin/python3"].into_iter().find(|p| {
        std::process::Command::new(p).args(["-c", "import caldav"]).output().is_ok_and(|o| o.status.success())
    })
}

const PY_CALDAV: &str = r#"
import sys, datetime
import caldav
url, user, pw = sys.argv[1], sys.argv[2], sys.argv[3]
client = caldav.DAVClient(url=url + "/.well-known/caldav", username=user, password=pw)
principal = client.principal()
cals = {c.get_display_name(): c for c in principal.calendars()}
assert "Calendar" in cals and "Tasks" in cals, list(cals)
cal, tasks = cals["Calendar"], cals["Tasks"]

before = cal.objects_by_sync_token(load_objects=False)
token0 = before.sync_token
n0 = len(list(before))

ev = cal.save_event("""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//python caldav e2e//EN
BEGIN:VEVENT
UID:py-weekly-1
DTSTAMP:20260101T000000Z
DTSTART:20270802T080000Z
DTEND:20270802T090000Z
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6
SUMMARY:Python weekly
END:VEVENT
END:VCALENDAR
""")
# Exactly that change since the first token.
changed = cal.objects_by_sync_token(sync_token=token0, load_objects=False)
assert [o.url.path.rsplit("/", 1)[-1] for o in changed] == ["py-weekly-1.ics"], [str(o.url) for o in changed]
token1 = changed.sync_token

# The fourth Monday (2027-08-23) is in range; the Tuesday after is not.
hit = cal.search(event=True, start=datetime.datetime(2027, 8, 23), end=datetime.datetime(2027, 8, 24), expand=False)
assert [e.vobject_instance.vevent.uid.value for e in hit] == ["py-weekly-1"], hit
miss = cal.search(event=True, start=datetime.datetime(2027, 8, 24), end=datetime.datetime(2027, 8, 25), expand=False)
assert all(e.vobject_instance.vevent.uid.value != "py-weekly-1" for e in miss), miss

# Update, then exactly that change since token1.
ev.load()
ev.vobject_instance.vevent.summary.value = "Python weekly (renamed)"
ev.save()
again = cal.event_by_uid("py-weekly-1")
assert again.vobject_instance.vevent.summary.value == "Python weekly (renamed)", again.data
changed = cal.objects_by_sync_token(sync_token=token1, load_objects=False)
assert [o.url.path.rsplit("/", 1)[-1] for o in changed] == ["py-weekly-1.ics"], [str(o.url) for o in changed]
ev.delete()
assert len(list(cal.objects_by_sync_token(load_objects=False))) == n0

# VTODO: create, complete, delete.
todo = tasks.save_todo("""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//python caldav e2e//EN
BEGIN:VTODO
UID:py-todo-1
DTSTAMP:20260101T000000Z
SUMMARY:Water the plants
DUE:20270810T170000Z
STATUS:NEEDS-ACTION
END:VTODO
END:VCALENDAR
""")
todo.complete()
done = tasks.todo_by_uid("py-todo-1")
assert done.vobject_instance.vtodo.status.value == "COMPLETED", done.data
assert hasattr(done.vobject_instance.vtodo, "completed"), done.data
done.delete()
uids = [t.vobject_instance.vtodo.uid.value for t in tasks.todos(include_completed=True)]
assert "py-todo-1" not in uids, uids
print("python-caldav session ok")
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_caldav_session() {
    let python = python_with_caldav();
    if !tool("python3-caldav", if python.is_some() { "true" } else { "false" }) {
        return;
    }
    let stack = start().await;
    let args = vec!["-c".into(), PY_CALDAV.into(), stack.base(), ALICE.into(), PASSWORD.into()];
    let out = run(python.unwrap(), &args).await;
    assert!(out.status.success(), "{}", transcript(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "python-caldav session ok\n");
    // The event and the task are gone on the server too.
    let calendar = stack.collection("calendars", "Calendar").await;
    assert!(!stack.members(&calendar).await.iter().any(|(h, _)| h.ends_with("py-weekly-1.ics")));
    let tasks = stack.collection("calendars", "Tasks").await;
    assert!(!stack.members(&tasks).await.iter().any(|(h, _)| h.contains("py-todo-1")));
}

/// The collection directory vdirsyncer made for the collection named
/// `name` (its directory is named after the collection's href segment).
fn local_dir(root: &Path, href: &str) -> PathBuf {
    let segment = href.trim_end_matches('/').rsplit('/').next().unwrap();
    root.join(segment)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vdirsyncer_syncs_a_calendar_and_an_address_book_both_ways_then_a_noop() {
    if !tool("vdirsyncer", "vdirsyncer --version") {
        return;
    }
    let stack = start().await;
    let calendar = stack.collection("calendars", "Calendar").await;
    let book = stack.collection("addressbooks", "Contacts").await;
    let server_events = stack.members(&calendar).await.len();
    let server_cards = stack.members(&book).await.len();
    assert!(server_events > 0 && server_cards > 0, "the seed has events and contacts");

    let dir = tempfile::tempdir().unwrap();
    let cfg = vdirsyncer_config(dir.path(), stack.gateway.addr.port(), ALICE, PASSWORD);
    vdirsyncer(&cfg, &["discover"]).await;
    vdirsyncer(&cfg, &["sync"]).await;
    let cal_dir = local_dir(&dir.path().join("calendars"), &calendar);
    let book_dir = local_dir(&dir.path().join("contacts"), &book);
    assert_eq!(files(&cal_dir, ".ics").len(), server_events, "{cal_dir:?}");
    assert_eq!(files(&book_dir, ".vcf").len(), server_cards, "{book_dir:?}");

    // Local → server: a new event and card, an edited card, a deleted event.
    let new_ics = event("vds-local-1", "From the laptop", "20270901T090000Z", "20270901T100000Z", "");
    std::fs::write(cal_dir.join("vds-local-1.ics"), new_ics).unwrap();
    std::fs::write(book_dir.join("vds-carol.vcf"), card("vds-carol", "Carol Jones", "carol@example.org", "+44 1"))
        .unwrap();
    let (card_path, card_text) =
        files(&book_dir, ".vcf").into_iter().find(|(p, _)| !p.ends_with("vds-carol.vcf")).unwrap();
    let fname = unfold(&card_text).lines().find(|l| l.starts_with("FN:")).unwrap().to_owned();
    std::fs::write(&card_path, card_text.replace(&fname, "FN:Renamed On Laptop")).unwrap();
    let (gone_path, gone_text) = files(&cal_dir, ".ics").into_iter().find(|(_, t)| !t.contains("vds-local-1")).unwrap();
    let gone_uid = unfold(&gone_text).lines().find_map(|l| l.strip_prefix("UID:").map(str::to_owned)).unwrap();
    std::fs::remove_file(&gone_path).unwrap();
    vdirsyncer(&cfg, &["sync"]).await;

    let q = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>"#;
    let r = stack.send("REPORT", &calendar, &[("depth", "1")], q).await;
    let all = unfold(&unxml(&r.body));
    assert!(all.contains("SUMMARY:From the laptop"), "{all}");
    assert!(!all.contains(&format!("UID:{gone_uid}\r")), "deleted on the laptop: {all}");
    assert_eq!(stack.members(&calendar).await.len(), server_events);
    let q = r#"<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><card:address-data/></d:prop></card:addressbook-query>"#;
    let r = stack.send("REPORT", &book, &[("depth", "1")], q).await;
    let all = unfold(&unxml(&r.body));
    assert!(all.contains("FN:Carol Jones") && all.contains("FN:Renamed On Laptop"), "{all}");
    assert_eq!(stack.members(&book).await.len(), server_cards + 1);

    // Server → local: an edit made over DAV by another client.
    let members = stack.members(&calendar).await;
    let mut edited = None;
    for (href, etag) in &members {
        let r = stack.send("GET", href, &[], "").await;
        if r.body.contains("UID:vds-local-1") {
            let moved = event("vds-local-1", "Moved on the phone", "20270901T110000Z", "20270901T120000Z", "");
            assert_eq!(stack.send("PUT", href, &[("if-match", etag)], &moved).await.status, 204);
            edited = Some(href.clone());
        }
    }
    assert!(edited.is_some(), "the laptop's event is on the server: {members:?}");
    vdirsyncer(&cfg, &["sync"]).await;
    assert!(files(&cal_dir, ".ics").iter().any(|(_, t)| t.contains("SUMMARY:Moved on the phone")));

    // A run with nothing to do changes nothing on either side.
    let local = (files(&cal_dir, ".ics"), files(&book_dir, ".vcf"));
    let remote = (stack.members(&calendar).await, stack.members(&book).await);
    let log = vdirsyncer(&cfg, &["sync"]).await;
    assert_eq!((files(&cal_dir, ".ics"), files(&book_dir, ".vcf")), local, "{log}");
    assert_eq!((stack.members(&calendar).await, stack.members(&book).await), remote, "{log}");
    for action in ["Copying (uploading)", "Copying (updating)", "Deleting"] {
        assert!(!log.contains(action), "a no-op run did `{action}`:\n{log}");
    }
}
