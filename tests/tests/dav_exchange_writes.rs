//! DAV writes over Exchange cost the same few round trips whatever the
//! collection's size (no catch-up of the folder per PUT): the ETag comes
//! from the write's own answer, the sync token moves once per write, and
//! when the change feed later brings the same item into the index, nothing
//! is reported twice. Preconditions still hold against Exchange.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod dav_exchange_stack;

use std::time::Duration;

use dav_exchange_stack::*;

fn ics(i: usize) -> String {
    let day = 1 + i % 28;
    event(
        &format!("w-{i}"),
        &format!("Write {i}"),
        &format!("202605{day:02}T100000Z"),
        &format!("202605{day:02}T110000Z"),
        "",
    )
}

/// Round trips of one PUT of item `i`.
async fn put_cost(stack: &Stack, href: &str, i: usize) -> u64 {
    let rt0 = stack.round_trips().await;
    let r = stack.send("PUT", &format!("{href}w-{i}.ics"), &[("content-type", "text/calendar")], &ics(i)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    stack.round_trips().await - rt0
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_costs_the_same_round_trips_at_any_size() {
    let stack = start().await;
    let href = stack.collection("calendars", "Calendar").await;
    let seeded = stack.members(&href).await.len();
    let mut early = Vec::new();
    for i in 0..9 {
        early.push(put_cost(&stack, &href, i).await);
    }
    for i in 9..120 {
        put_cost(&stack, &href, i).await;
    }
    let mut late = Vec::new();
    for i in 120..129 {
        late.push(put_cost(&stack, &href, i).await);
    }
    let (early, late) = (median(early), median(late));
    assert!(late <= early + 1, "a PUT at 120 items costs {late} round trips, at 0 items {early}");
    // Write and read the change key back (2-3), and the change feed's
    // notification and ICS catch-up that every write sets off (about 3).
    assert!(late <= 8, "a PUT costs {late} round trips");
    assert_eq!(stack.members(&href).await.len(), seeded + 129);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_reach_etags_and_sync_tokens_once() {
    let stack = start().await;
    let href = stack.collection("calendars", "Calendar").await;
    for i in 0..3 {
        put_cost(&stack, &href, i).await;
    }
    let token = text_of(&stack.sync(&href, "").await.body, "d:sync-token").unwrap().to_owned();
    let item = format!("{href}w-1.ics");
    let old = stack.etag_of(&item).await;

    // Replace: the new ETag at once, in GET, PROPFIND and the sync report.
    let changed = ics(1).replace("SUMMARY:Write 1", "SUMMARY:Changed");
    let r = stack.send("PUT", &item, &[("content-type", "text/calendar"), ("if-match", &old)], &changed).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let new = stack.etag_of(&item).await;
    assert_ne!(new, old);
    let listed = stack.members(&href).await;
    assert!(listed.iter().any(|(h, e)| h == &item && *e == new), "{listed:?}");
    let r = stack.sync(&href, &token).await;
    let reported: Vec<String> = hrefs(&r.body).into_iter().filter(|h| !h.ends_with('/')).collect();
    assert_eq!(reported, vec![item.clone()]);
    let token = text_of(&r.body, "d:sync-token").unwrap().to_owned();

    // A stale ETag or a create over an existing item writes nothing.
    let r = stack.send("PUT", &item, &[("content-type", "text/calendar"), ("if-match", &old)], &ics(1)).await;
    assert_eq!(r.status, 412);
    let r = stack.send("PUT", &item, &[("content-type", "text/calendar"), ("if-none-match", "*")], &ics(1)).await;
    assert_eq!(r.status, 412);
    assert_eq!(stack.etag_of(&item).await, new);

    // Delete: gone at once, reported once.
    let count = stack.members(&href).await.len();
    let r = stack.send("DELETE", &format!("{href}w-2.ics"), &[], "").await;
    assert!(r.status == 204 || r.status == 200, "{}", r.status);
    assert_eq!(stack.send("GET", &format!("{href}w-2.ics"), &[], "").await.status, 404);
    let r = stack.sync(&href, &token).await;
    assert!(r.body.contains("w-2.ics") && r.body.contains("404"), "{}", r.body);
    let token = text_of(&r.body, "d:sync-token").unwrap().to_owned();

    // The change feed brings the writes into the index: no second report.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let r = stack.sync(&href, &token).await;
    assert!(hrefs(&r.body).is_empty(), "reported again: {}", r.body);
    assert_eq!(stack.etag_of(&item).await, new);
    assert_eq!(stack.members(&href).await.len(), count - 1);
}
