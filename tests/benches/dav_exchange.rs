//! CalDAV/CardDAV over Exchange, measured (issues 10 and 11): the DAV server
//! over `ExchangeProvider` over an in-process exchange-sim, in release.
//!
//! * a one-month calendar-query over 5,000 events (10 % weekly series);
//! * sync-collection after 10 changes made by another client, at 1,000 and
//!   at 5,000 items: Exchange round trips and bytes (O(changes));
//! * addressbook-query (EMAIL text-match) over 5,000 contacts.
//!
//! * write cost: seeding 1,000 events with HTTP PUTs (wall time and
//!   Exchange round trips, the change feed's catch-ups included), then a
//!   one-month calendar-query over those 1,000 events and an EMAIL
//!   addressbook-query over 500 contacts (round trips and time per query).
//!
//! `cargo bench -p e2e --bench dav_exchange` prints medians; items are
//! written through the collection API (as a PUT does) before timing.
//! `DAV_BENCH_SIZES=100,500` chooses the collection sizes (default
//! 1000,5000; the queries run over the largest). `DAV_BENCH_WRITES=1000,500`
//! sets the seeding measurement (events, contacts); `DAV_BENCH_ONLY=writes`
//! runs that measurement alone.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../tests/dav_exchange_stack/mod.rs"]
mod stack;

use std::sync::Arc;
use std::time::{Duration, Instant};

use convert::Message;
use mailbox::{Account, ItemCollection, WriteCondition};
use stack::*;

const RUNS: usize = 3;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn event_message(i: usize) -> Message {
    // Spread over 2026: one every ~105 minutes; every tenth a weekly series.
    let start = 1_767_225_600 + (i as i64) * 6_300; // 2026-01-01T00:00:00Z
    let fmt = |t: i64| {
        let days = t.div_euclid(86_400);
        let secs = t.rem_euclid(86_400);
        let (y, m, d) = civil(days);
        format!("{y:04}{m:02}{d:02}T{:02}{:02}00Z", secs / 3600, (secs % 3600) / 60)
    };
    let rrule = if i.is_multiple_of(10) { "RRULE:FREQ=WEEKLY;COUNT=20\r\n" } else { "" };
    let ics = event(&format!("bench-{i}"), &format!("Event {i}"), &fmt(start), &fmt(start + 1800), rrule);
    let mut imported = convert::from_ical(ics.as_bytes(), &convert::ical::ImportOptions::default()).unwrap();
    imported.objects.remove(0)
}

/// Days since 1970-01-01 → (year, month, day) (proleptic Gregorian).
fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn contact_message(i: usize) -> Message {
    let vcf = card(&format!("bench-{i}"), &format!("Contact {i}"), &format!("contact-{i}@example.org"), "+1 555 0100");
    convert::vcard::vcard_to_message(vcf.as_bytes(), &convert::vcard::VcardParseOptions::default()).unwrap().message
}

async fn collection(stack: &Stack, path: &str) -> Arc<dyn ItemCollection> {
    let account = stack.gateway.provider.login_exchange(ALICE, PASSWORD).await.unwrap();
    let folders = account.list_folders().await.unwrap();
    let f = folders.iter().find(|f| f.path == path).unwrap();
    account.collection(&f.id).await.unwrap()
}

async fn fill(c: &Arc<dyn ItemCollection>, from: usize, to: usize, make: fn(usize) -> Message, ext: &str) {
    let t = Instant::now();
    for i in from..to {
        c.put(&format!("bench-{i}.{ext}"), make(i), &WriteCondition::Always).await.unwrap();
    }
    println!("  (wrote {} items in {:.1?})", to - from, t.elapsed());
}

async fn wire(stack: &Stack) -> (u64, u64) {
    let a = stack.gateway.provider.login_exchange(ALICE, PASSWORD).await.unwrap();
    let w = a.wire_counters();
    (w.round_trips, w.bytes_sent + w.bytes_received)
}

async fn calendar_query(stack: &Stack, n: usize) {
    let c = collection(stack, "Calendar").await;
    fill(&c, 0, n, event_message, "ics").await;
    let href = stack.collection("calendars", "Calendar").await;
    let q = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260601T000000Z" end="20260701T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let mut times = Vec::new();
    let mut hits = 0;
    let (rt0, _) = wire(stack).await;
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = stack.send("REPORT", &href, &[("depth", "1")], q).await;
        times.push(t.elapsed());
        assert_eq!(r.status, 207);
        hits = hrefs(&r.body).len();
    }
    let (rt1, _) = wire(stack).await;
    println!(
        "calendar-query, one month of {n} events (10 % weekly series): median {:.1?} over {RUNS} runs, {hits} hits, {} Exchange round trips per query",
        median(times),
        (rt1 - rt0) / RUNS as u64
    );
}

async fn sync_after_ten_changes(n: usize) {
    let stack = start().await;
    let c = collection(&stack, "Calendar").await;
    fill(&c, 0, n, event_message, "ics").await;
    let href = stack.collection("calendars", "Calendar").await;
    let r = stack.sync(&href, "").await;
    let token = text_of(&r.body, "d:sync-token").unwrap().to_owned();
    // Another client (a second gateway with its own state, over the same
    // mailbox) changes 10 items; this gateway learns it by notification.
    let other_dir = tempfile::tempdir().unwrap();
    let other = gateway(&stack.sim, other_dir.path()).await;
    let account = other.provider.login_exchange(ALICE, PASSWORD).await.unwrap();
    let folders = account.list_folders().await.unwrap();
    let f = folders.iter().find(|f| f.path == "Calendar").unwrap();
    let oc = account.collection(&f.id).await.unwrap();
    let entries = oc.list().await.unwrap();
    let (rt0, b0) = wire(&stack).await;
    let t = Instant::now();
    // The other gateway names the items by source key (it did not see them
    // created): rewrite ten of them.
    assert!(entries.len() >= 10);
    for (i, e) in entries.iter().take(10).enumerate() {
        let mut m = event_message(i);
        let subject = mapi_wire::prop_value::PropValue::String(format!("Changed {i}"));
        let _ = m.props.insert(mapi_wire::PropTag::SUBJECT, subject);
        oc.put(&e.name, m, &WriteCondition::Always).await.unwrap();
    }
    // Poll as a client would; each poll of an unchanged, fresh collection
    // costs no round trip.
    let written = t.elapsed();
    let r = loop {
        let r = stack.sync(&href, &token).await;
        if hrefs(&r.body).len() >= 10 {
            break r;
        }
        assert!(t.elapsed() < Duration::from_secs(15), "changes not seen: {}", r.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let elapsed = t.elapsed() - written;
    let (rt1, b1) = wire(&stack).await;
    let reported = hrefs(&r.body).len();
    assert!(reported >= 10, "{}", r.body);
    println!(
        "sync-collection after 10 changes by another client in {n} items: {reported} reported, {} Exchange round trips, {} bytes (feed catch-up included), {:.1?} from the last change to the answer",
        rt1 - rt0,
        b1 - b0,
        elapsed
    );
    // And a sync with nothing new.
    let token = text_of(&r.body, "d:sync-token").unwrap().to_owned();
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = stack.sync(&href, &token).await;
        times.push(t.elapsed());
        assert!(hrefs(&r.body).is_empty());
    }
    let (rt2, _) = wire(&stack).await;
    println!(
        "  sync-collection with nothing new at {n} items: median {:.1?}, {} round trips in {RUNS} runs",
        median(times),
        rt2 - rt1
    );
}

async fn addressbook_query(stack: &Stack, n: usize) {
    let c = collection(stack, "Contacts").await;
    fill(&c, 0, n, contact_message, "vcf").await;
    let href = stack.collection("addressbooks", "Contacts").await;
    let q = r#"<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop><card:filter><card:prop-filter name="EMAIL"><card:text-match collation="i;unicode-casemap" match-type="contains">contact-321@</card:text-match></card:prop-filter></card:filter></card:addressbook-query>"#;
    let mut times = Vec::new();
    let (rt0, _) = wire(stack).await;
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = stack.send("REPORT", &href, &[("depth", "1")], q).await;
        times.push(t.elapsed());
        assert_eq!(hrefs(&r.body).len(), 1, "{}", r.body);
    }
    let (rt1, _) = wire(stack).await;
    println!(
        "addressbook-query (EMAIL contains) over {n} contacts: median {:.1?} over {RUNS} runs, {} Exchange round trips per query",
        median(times),
        (rt1 - rt0) / RUNS as u64
    );
}

/// One PUT over HTTP, as a client seeds a calendar.
async fn put_event(stack: &Stack, href: &str, i: usize) {
    let start = 1_767_225_600 + (i as i64) * 6_300;
    let fmt = |t: i64| {
        let (y, m, d) = civil(t.div_euclid(86_400));
        let secs = t.rem_euclid(86_400);
        format!("{y:04}{m:02}{d:02}T{:02}{:02}00Z", secs / 3600, (secs % 3600) / 60)
    };
    let rrule = if i.is_multiple_of(10) { "RRULE:FREQ=WEEKLY;COUNT=20\r\n" } else { "" };
    let ics = event(&format!("seed-{i}"), &format!("Event {i}"), &fmt(start), &fmt(start + 1800), rrule);
    let r = stack.send("PUT", &format!("{href}seed-{i}.ics"), &[("content-type", "text/calendar")], &ics).await;
    assert_eq!(r.status, 201, "{}", r.body);
}

/// Seeding `events` events with PUTs, three times on fresh stacks; then
/// queries over the last one, and `contacts` contacts.
async fn writes_and_queries(events: usize, contacts: usize) {
    let mut times = Vec::new();
    let mut trips = Vec::new();
    let mut last = None;
    let seed_runs: usize = std::env::var("DAV_BENCH_SEED_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(RUNS);
    for _ in 0..seed_runs {
        let stack = start().await;
        let href = stack.collection("calendars", "Calendar").await;
        let (rt0, _) = wire(&stack).await;
        let t = Instant::now();
        let mut each = Vec::with_capacity(events);
        for i in 0..events {
            let one = Instant::now();
            put_event(&stack, &href, i).await;
            each.push(one.elapsed());
        }
        times.push(t.elapsed());
        let tenth = (events / 10).max(1);
        println!(
            "  one PUT: median {:.1?} over the first {tenth}, {:.1?} over the last {tenth}",
            median(each[..tenth].to_vec()),
            median(each[events - tenth..].to_vec())
        );
        let (rt1, _) = wire(&stack).await;
        trips.push(rt1 - rt0);
        last = Some((stack, href));
    }
    trips.sort_unstable();
    println!(
        "seeding {events} events with PUTs: median {:.1?} over {RUNS} runs ({:?}), median {} Exchange round trips ({:.1} per PUT, change feed included)",
        median(times.clone()),
        times,
        trips[trips.len() / 2],
        trips[trips.len() / 2] as f64 / events as f64
    );
    let (stack, href) = last.unwrap();
    let q = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260601T000000Z" end="20260701T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let qd = q.replace("<d:getetag/>", "<d:getetag/><c:calendar-data/>");
    for (what, q) in [("etags", q.to_owned()), ("etags + calendar-data", qd)] {
        let mut times = Vec::new();
        let mut hits = 0;
        let mut rts = Vec::new();
        for _ in 0..RUNS {
            let (rt0, _) = wire(&stack).await;
            let t = Instant::now();
            let r = stack.send("REPORT", &href, &[("depth", "1")], &q).await;
            times.push(t.elapsed());
            let (rt1, _) = wire(&stack).await;
            rts.push(rt1 - rt0);
            assert_eq!(r.status, 207);
            hits = hrefs(&r.body).len();
        }
        rts.sort_unstable();
        println!(
            "calendar-query ({what}), June over {events} PUT events: median {:.1?} over {RUNS} runs, {hits} hits, median {} Exchange round trips per query",
            median(times),
            rts[RUNS / 2]
        );
    }
    addressbook_query(&stack, contacts).await;
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this once too.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let sizes: Vec<usize> = std::env::var("DAV_BENCH_SIZES")
            .ok()
            .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
            .unwrap_or_else(|| vec![1_000, 5_000]);
        let writes: Vec<usize> = std::env::var("DAV_BENCH_WRITES")
            .ok()
            .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
            .unwrap_or_else(|| vec![1_000, 500]);
        writes_and_queries(writes[0], writes.get(1).copied().unwrap_or(500)).await;
        if std::env::var("DAV_BENCH_ONLY").is_ok_and(|v| v == "writes") {
            return;
        }
        for n in &sizes {
            sync_after_ten_changes(*n).await;
        }
        let stack = start().await;
        let largest = sizes.iter().copied().max().unwrap_or(5_000);
        calendar_query(&stack, largest).await;
        addressbook_query(&stack, largest).await;
    });
}
