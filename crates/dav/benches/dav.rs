//! CalDAV over loopback against the in-memory backend, 5,000 events of
//! which 500 are weekly series (the rest single events spread over 2026):
//!
//! * a one-month calendar-query (time range, getetag) and the same with
//!   calendar-data;
//! * sync-collection after 10 changes, against the initial sync of all
//!   5,000 (the incremental one must cost O(changes));
//! * addressbook-query over 5,000 contacts: a text-match on FN (a few
//!   hits) and on EMAIL (a tenth of the book), with address-data.
//!
//! Prints medians of 7 runs. `cargo bench -p dav --bench dav`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unreachable_pub, dead_code)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use mailbox::{Account, WriteCondition};

const EVENTS: usize = 5_000;
const RUNS: usize = 7;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn stamp(day: usize, hour: usize) -> String {
    // 2026-01-01 + day, as yyyymmdd (days per month of 2026).
    const MONTHS: [usize; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (mut m, mut d) = (0, day % 365);
    while d >= MONTHS[m] {
        d -= MONTHS[m];
        m += 1;
    }
    format!("2026{:02}{:02}T{:02}0000Z", m + 1, d + 1, hour)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let env = common::env().await;
        let calendar = env.collection("calendars", "Calendar").await;
        let folders = env.account.list_folders().await.unwrap();
        let id = folders.iter().find(|f| f.path == "Calendar").unwrap().id.clone();
        let coll = env.account.collection(&id).await.unwrap();
        let seeded = Instant::now();
        for n in 0..EVENTS {
            let recurring = n % 10 == 0;
            let (day, hour) = (n * 7 % 365, 8 + n % 9);
            let rrule = recurring.then_some("FREQ=WEEKLY;COUNT=20");
            let ics = common::event(&format!("e{n}"), &format!("Event {n}"), &stamp(day, hour), &stamp(day, hour + 1), rrule);
            let msg = convert::from_ical(ics.as_bytes(), &convert::ImportOptions::default()).unwrap().objects.remove(0);
            coll.put(&format!("e{n}.ics"), msg, &WriteCondition::Always).await.unwrap();
        }
        println!("seeded {EVENTS} events in {:?}", seeded.elapsed());

        let query = |data: &str| {
            format!(
                r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/>{data}</d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260601T000000Z" end="20260701T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#
            )
        };
        for (label, data) in [("etags", ""), ("calendar-data", "<c:calendar-data/>")] {
            let body = query(data);
            let mut times = Vec::new();
            let mut hits = 0;
            for _ in 0..RUNS {
                let t = Instant::now();
                let r = env.send("REPORT", &calendar, &[("depth", "1")], &body).await;
                times.push(t.elapsed());
                assert_eq!(r.status, 207);
                hits = r.body.matches("<d:response>").count();
            }
            println!("calendar-query one month ({label}): {hits} hits, median {:?}", median(times));
        }

        let sync = |t: &str| {
            format!(r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token>{t}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#)
        };
        let mut initial = Vec::new();
        let mut incremental = Vec::new();
        for run in 0..RUNS {
            let t = Instant::now();
            let r = env.send("REPORT", &calendar, &[], &sync("")).await;
            initial.push(t.elapsed());
            let token = common::text_of(&r.body, "d:sync-token").unwrap().to_owned();
            for n in 0..10 {
                let k = (run * 10 + n) * 37 % EVENTS;
                let ics = common::event(&format!("e{k}"), &format!("Changed {run}"), &stamp(k % 365, 9), &stamp(k % 365, 10), None);
                let msg = convert::from_ical(ics.as_bytes(), &convert::ImportOptions::default()).unwrap().objects.remove(0);
                coll.put(&format!("e{k}.ics"), msg, &WriteCondition::Always).await.unwrap();
            }
            let t = Instant::now();
            let r = env.send("REPORT", &calendar, &[], &sync(&token)).await;
            incremental.push(t.elapsed());
            assert_eq!(r.body.matches("<d:response>").count(), 10);
        }
        println!("sync-collection initial ({EVENTS} items): median {:?}", median(initial));
        println!("sync-collection after 10 changes: median {:?}", median(incremental));

        let book = env.collection("addressbooks", "Contacts").await;
        let folders = env.account.list_folders().await.unwrap();
        let id = folders.iter().find(|f| f.path == "Contacts").unwrap().id.clone();
        let contacts = env.account.collection(&id).await.unwrap();
        let seeded = Instant::now();
        for n in 0..EVENTS {
            let domain = if n % 10 == 0 { "partner.example" } else { "example.com" };
            let vcf = common::card(&format!("c{n}"), &format!("Person {n} Surname{}", n % 997), &format!("p{n}"), &format!("p{n}@{domain}"), &format!("+1 555 {n:04}"));
            let msg = convert::vcard::vcard_to_message(vcf.as_bytes(), &convert::vcard::VcardParseOptions::default()).unwrap().message;
            contacts.put(&format!("c{n}.vcf"), msg, &WriteCondition::Always).await.unwrap();
        }
        println!("seeded {EVENTS} contacts in {:?}", seeded.elapsed());
        let card_query = |prop: &str, text: &str, mt: &str| {
            format!(
                r#"<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop><card:filter test="anyof"><card:prop-filter name="{prop}"><card:text-match collation="i;unicode-casemap" match-type="{mt}">{text}</card:text-match></card:prop-filter></card:filter></card:addressbook-query>"#
            )
        };
        for (label, body) in [
            ("FN ends-with Surname42", card_query("FN", "Surname42", "ends-with")),
            ("EMAIL ends-with @partner.example", card_query("EMAIL", "@partner.example", "ends-with")),
        ] {
            let mut times = Vec::new();
            let mut hits = 0;
            for _ in 0..RUNS {
                let t = Instant::now();
                let r = env.send("REPORT", &book, &[("depth", "1")], &body).await;
                times.push(t.elapsed());
                assert_eq!(r.status, 207);
                hits = r.body.matches("<d:response>").count();
            }
            println!("addressbook-query {EVENTS} contacts ({label}): {hits} hits, median {:?}", median(times));
        }
    });
}
