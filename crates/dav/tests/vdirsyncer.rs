//! A real client: Debian's `vdirsyncer` discovers the calendars and address
//! books from `/.well-known` and syncs both ways with a local directory.
//! Skipped (with a note) when vdirsyncer is missing, unless
//! MAPIBRIDGE_REQUIRE_TOOLS is set.

mod common;

use std::process::Command;

use common::{PASSWORD, USER, card, env, event};
use test_support::vdirsyncer::{config, files, run as vdirsyncer};

fn have_vdirsyncer() -> bool {
    let found = Command::new("vdirsyncer").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("MAPIBRIDGE_REQUIRE_TOOLS").is_none(),
            "vdirsyncer is required (MAPIBRIDGE_REQUIRE_TOOLS)"
        );
        eprintln!("note: vdirsyncer not installed, test skipped");
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vdirsyncer_syncs_a_calendar_and_an_address_book_both_ways() {
    if !have_vdirsyncer() {
        return;
    }
    let env = env().await;
    let calendar = env.collection("calendars", "Calendar").await;
    let book = env.collection("addressbooks", "Contacts").await;
    let ics = event("server-1", "From the server", "20260105T090000Z", "20260105T100000Z", None);
    assert_eq!(env.send("PUT", &format!("{calendar}server-1.ics"), &[], &ics).await.status, 201);
    let vcf = card("bob-1", "Bob Builder", "bobby", "bob@example.com", "+1 555 0100");
    assert_eq!(env.send("PUT", &format!("{book}bob.vcf"), &[], &vcf).await.status, 201);

    let dir = tempfile::tempdir().expect("dir");
    let cfg = config(dir.path(), env.addr.port(), USER, PASSWORD);
    vdirsyncer(&cfg, &["discover"]).await;
    vdirsyncer(&cfg, &["sync"]).await;

    // Server → local.
    let local_events = files(&dir.path().join("calendars"), ".ics");
    assert_eq!(local_events.len(), 1, "{local_events:?}");
    assert!(local_events[0].1.contains("SUMMARY:From the server"));
    let local_cards = files(&dir.path().join("contacts"), ".vcf");
    assert_eq!(local_cards.len(), 1);
    assert!(local_cards[0].1.contains("FN:Bob Builder"));

    // Local → server: a new event and a new card, written next to the synced ones.
    let cal_dir = local_events[0].0.parent().expect("collection dir").to_owned();
    let new_ics = event("local-1", "From the laptop", "20260107T090000Z", "20260107T100000Z", None);
    std::fs::write(cal_dir.join("local-1.ics"), new_ics).expect("write");
    let book_dir = local_cards[0].0.parent().expect("collection dir").to_owned();
    let new_vcf = card("carol-1", "Carol Jones", "cj", "carol@example.org", "+44 20 7946 0000");
    std::fs::write(book_dir.join("carol-1.vcf"), new_vcf).expect("write");
    // Edit the synced card locally.
    let edited = local_cards[0].1.replace("FN:Bob Builder", "FN:Robert Builder");
    std::fs::write(&local_cards[0].0, edited).expect("write");
    vdirsyncer(&cfg, &["sync"]).await;

    let r = env.propfind(&calendar, "1", "<d:getetag/>").await;
    assert_eq!(common::hrefs(&r.body).len(), 3, "{}", r.body);
    let report = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter></c:calendar-query>"#;
    let r = env.send("REPORT", &calendar, &[("depth", "1")], report).await;
    assert!(r.body.contains("SUMMARY:From the laptop") && r.body.contains("SUMMARY:From the server"), "{}", r.body);
    let r = env.propfind(&book, "1", "<d:getetag/>").await;
    assert_eq!(common::hrefs(&r.body).len(), 3, "{}", r.body);
    let q = r#"<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><card:address-data/></d:prop></card:addressbook-query>"#;
    let r = env.send("REPORT", &book, &[("depth", "1")], q).await;
    assert!(r.body.contains("FN:Carol Jones") && r.body.contains("FN:Robert Builder"), "{}", r.body);

    // Server edit and delete → local.
    let r = env.send("GET", &format!("{calendar}server-1.ics"), &[], "").await;
    let etag = r.header("etag").expect("etag").to_owned();
    let moved = event("server-1", "Moved on the server", "20260105T110000Z", "20260105T120000Z", None);
    assert_eq!(env.send("PUT", &format!("{calendar}server-1.ics"), &[("if-match", &etag)], &moved).await.status, 204);
    assert_eq!(env.send("DELETE", &format!("{book}bob.vcf"), &[], "").await.status, 204);
    vdirsyncer(&cfg, &["sync"]).await;
    let local_events = files(&dir.path().join("calendars"), ".ics");
    assert_eq!(local_events.len(), 2);
    assert!(local_events.iter().any(|(_, t)| t.contains("SUMMARY:Moved on the server")));
    let local_cards = files(&dir.path().join("contacts"), ".vcf");
    assert_eq!(local_cards.len(), 1, "bob was deleted on the server");
    assert!(local_cards[0].1.contains("Carol Jones"));

    // Local delete → server.
    let laptop = local_events.iter().find(|(_, t)| t.contains("From the laptop")).expect("local event");
    std::fs::remove_file(&laptop.0).expect("remove");
    vdirsyncer(&cfg, &["sync"]).await;
    let r = env.propfind(&calendar, "1", "<d:getetag/>").await;
    assert_eq!(common::hrefs(&r.body).len(), 2, "{}", r.body);
}
