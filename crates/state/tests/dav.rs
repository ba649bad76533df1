//! DAV sync tokens and change logs (RFC 6578), and IMAP subscriptions.

mod common;

use common::*;
use state::{DavChange, DavChangeKind, DavDelta, StateStore, SyncToken, UnixTime};

fn changed(r: &str) -> DavChange {
    DavChange { resource: r.to_owned(), kind: DavChangeKind::Changed }
}

fn removed(r: &str) -> DavChange {
    DavChange { resource: r.to_owned(), kind: DavChangeKind::Removed }
}

async fn delta(env: &Env, c: state::CollectionId, t: SyncToken) -> (Vec<DavChange>, SyncToken) {
    match env.store.dav_changes_since(c, &t).await.expect("delta") {
        DavDelta::Changes { changes, token } => (changes, token),
        DavDelta::InvalidToken => panic!("token {t} unexpectedly invalid"),
    }
}

#[tokio::test]
async fn tokens_grow_and_report_each_resource_once_with_its_last_state() {
    let mut env = Env::new().await;
    let cal = env.store.open_collection(&account(), &folder_key("calendar")).await.unwrap();
    let t0 = cal.token;
    assert_eq!(t0.seq, 0);
    let t1 = env.store.record_dav_changes(cal.id, &[changed("a.ics"), changed("b.ics")]).await.unwrap();
    let t2 =
        env.store.record_dav_changes(cal.id, &[changed("a.ics"), removed("b.ics"), changed("c.ics")]).await.unwrap();
    assert!(t1.seq > t0.seq && t2.seq > t1.seq);
    assert_eq!(t1.validity, t0.validity);
    // An empty batch hands out the current token.
    assert_eq!(env.store.record_dav_changes(cal.id, &[]).await.unwrap(), t2);

    let (from0, now) = delta(&env, cal.id, t0).await;
    assert_eq!(now, t2);
    assert_eq!(from0, [changed("a.ics"), removed("b.ics"), changed("c.ics")]);
    let (from1, _) = delta(&env, cal.id, t1).await;
    assert_eq!(from1.len(), 3, "all three were touched after t1");
    let (from2, _) = delta(&env, cal.id, t2).await;
    assert!(from2.is_empty());

    // The log and tokens survive a restart; the token's text form round-trips.
    env.reopen().await;
    let again = env.store.open_collection(&account(), &folder_key("calendar")).await.unwrap();
    assert_eq!((again.id, again.token), (cal.id, t2));
    let parsed: SyncToken = t1.to_string().parse().unwrap();
    assert_eq!(delta(&env, cal.id, parsed).await.0, from1);
}

#[tokio::test]
async fn foreign_future_and_expired_tokens_are_invalid() {
    let env = Env::new().await;
    let cal = env.store.open_collection(&account(), &folder_key("calendar")).await.unwrap();
    let books = env.store.open_collection(&account(), &folder_key("contacts")).await.unwrap();
    assert_ne!(cal.token.validity, books.token.validity);
    let t1 = env.store.record_dav_changes(cal.id, &[changed("a.ics")]).await.unwrap();
    let invalid = |r: DavDelta| assert_eq!(r, DavDelta::InvalidToken);
    invalid(env.store.dav_changes_since(books.id, &t1).await.unwrap());
    invalid(env.store.dav_changes_since(cal.id, &SyncToken { seq: 99, ..t1 }).await.unwrap());

    // Deletions expire; tokens from before them become invalid, later ones not.
    let t2 = env.store.record_dav_changes(cal.id, &[removed("a.ics")]).await.unwrap();
    env.clock.set(T0 + 10);
    let t3 = env.store.record_dav_changes(cal.id, &[changed("b.ics")]).await.unwrap();
    assert_eq!(env.store.expire_tombstones(UnixTime(T0 + 5)).await.unwrap(), 1);
    invalid(env.store.dav_changes_since(cal.id, &t1).await.unwrap());
    assert_eq!(delta(&env, cal.id, t2).await.0, [changed("b.ics")]);
    assert!(delta(&env, cal.id, t3).await.0.is_empty());

    // A deleted and recreated collection starts a new token space.
    env.store.delete_collection(cal.id).await.unwrap();
    let new = env.store.open_collection(&account(), &folder_key("calendar")).await.unwrap();
    assert_ne!(new.token.validity, cal.token.validity);
    invalid(env.store.dav_changes_since(new.id, &t3).await.unwrap());
    assert!(matches!(env.store.dav_changes_since(cal.id, &t3).await, Err(state::StateError::UnknownCollection(_))));
}

#[tokio::test]
async fn subscriptions_are_per_account_and_persist() {
    let mut env = Env::new().await;
    let bob = state::AccountId::new("bob@example.com");
    env.store.subscribe(&account(), "INBOX").await.unwrap();
    env.store.subscribe(&account(), "Archive/2025").await.unwrap();
    env.store.subscribe(&account(), "INBOX").await.unwrap();
    env.store.subscribe(&bob, "Sent").await.unwrap();
    env.reopen().await;
    assert_eq!(env.store.subscriptions(&account()).await.unwrap(), ["Archive/2025", "INBOX"]);
    assert!(env.store.unsubscribe(&account(), "INBOX").await.unwrap());
    assert!(!env.store.unsubscribe(&account(), "INBOX").await.unwrap());
    assert!(!env.store.unsubscribe(&account(), "Sent").await.unwrap(), "bob's stays");
    assert_eq!(env.store.subscriptions(&bob).await.unwrap(), ["Sent"]);
    assert!(env.store.subscriptions(&state::AccountId::new("nobody")).await.unwrap().is_empty());
}
