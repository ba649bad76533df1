//! SELECT over exchange-sim (`Folder::select_with_uids`): one ICS download
//! at most, none while the change feed vouches for the index, one shared
//! UID list for every session — and still no change missed.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use exchange_common::*;
use exchange_sim::store::SpecialFolder;
use futures_util::StreamExt;
use mailbox::exchange::ExchangeFolder;
use mailbox::{ChangeKind, Folder};

fn numbers(uids: &[state::Uid]) -> Vec<u32> {
    uids.iter().map(|u| u.get()).collect()
}

async fn inbox(a: &mailbox::ExchangeAccount) -> Arc<ExchangeFolder> {
    a.exchange_folder("INBOX").await.unwrap()
}

#[tokio::test]
async fn select_with_uids_is_one_download_and_agrees_with_select_and_uids() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    seed(&env, ALICE, inbox_id, &(0..5).map(|i| message(i, 60 * i as i64 + 60)).collect::<Vec<_>>());
    let a = env.alice().await;
    inbox(&a).await.select().await.unwrap();
    seed(&env, ALICE, inbox_id, &[message(5, 1_000)]);

    // Nobody watches the folder: a SELECT asks Exchange, once.
    let f = inbox(&a).await;
    let before = f.ics_downloads();
    let (info, uids) = f.select_with_uids().await.unwrap();
    assert_eq!(f.ics_downloads() - before, 1, "one ICS download for SELECT");
    assert_eq!(numbers(&uids), vec![1, 2, 3, 4, 5, 6], "the message seeded before SELECT is in");
    assert_eq!(info.exists as usize, uids.len());
    assert_eq!(info.uid_next, 7);

    // The two separate calls give the same answer (with two downloads).
    let g = inbox(&a).await;
    let before = g.ics_downloads();
    assert_eq!(g.select().await.unwrap(), info);
    assert_eq!(numbers(&g.uids().await.unwrap()), numbers(&uids));
    assert_eq!(g.ics_downloads() - before, 2);
}

#[tokio::test]
async fn simultaneous_selects_share_one_download_and_one_uid_list() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    seed(&env, ALICE, inbox_id, &(0..20).map(|i| message(i, 60 * i as i64 + 60)).collect::<Vec<_>>());
    let a = env.alice().await;
    inbox(&a).await.select().await.unwrap();

    let mut folders = Vec::new();
    for _ in 0..8 {
        folders.push(inbox(&a).await);
    }
    let before = folders[0].ics_downloads();
    let answers = futures_util::future::join_all(folders.iter().map(|f| f.select_with_uids())).await;
    assert_eq!(folders[0].ics_downloads() - before, 1, "eight SELECTs at once, one download");
    let first = answers[0].as_ref().unwrap().1.clone();
    assert_eq!(first.len(), 20);
    for a in &answers {
        let (info, uids) = a.as_ref().unwrap();
        assert_eq!(info.exists, 20);
        assert!(Arc::ptr_eq(uids, &first), "every session gets the same list, not a copy");
    }
}

#[tokio::test]
async fn a_watched_unchanged_folder_selects_without_asking_exchange_and_new_mail_still_arrives() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    seed(&env, ALICE, inbox_id, &(0..3).map(|i| message(i, 60 * i as i64 + 60)).collect::<Vec<_>>());
    let a = env.alice().await;
    let first = inbox(&a).await;
    let mut feed = first.watch().await.unwrap();
    let (_, uids) = first.select_with_uids().await.unwrap();
    assert_eq!(numbers(&uids), vec![1, 2, 3]);

    // Once the store subscription stands and a catch-up followed it, SELECT
    // needs no download.
    free_select(&a, &[1, 2, 3]).await;

    // A delivery is notified, caught up and announced; SELECTs have it, and
    // once the notifications of it are all caught up they are free again.
    seed(&env, ALICE, inbox_id, &[message(3, 1_000)]);
    let event = tokio::time::timeout(Duration::from_secs(10), feed.next()).await.unwrap().unwrap();
    assert_eq!(event.kind, ChangeKind::Exists { uids: uid_set(&[4]), exists: 4 });
    free_select(&a, &[1, 2, 3, 4]).await;
}

/// SELECTs until one makes no ICS download (within 10 s); each must show
/// `expected`.
async fn free_select(a: &mailbox::ExchangeAccount, expected: &[u32]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let f = inbox(a).await;
        let before = f.ics_downloads();
        let (info, uids) = f.select_with_uids().await.unwrap();
        assert_eq!(numbers(&uids), expected);
        assert_eq!(info.exists as usize, expected.len());
        if f.ics_downloads() == before {
            return;
        }
        assert!(Instant::now() < deadline, "every SELECT kept asking Exchange");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn after_an_expunge_selects_get_the_new_list_and_earlier_ones_keep_theirs() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    seed(&env, ALICE, inbox_id, &(0..4).map(|i| message(i, 60 * i as i64 + 60)).collect::<Vec<_>>());
    let a = env.alice().await;
    let f = inbox(&a).await;
    let (_, old) = f.select_with_uids().await.unwrap();
    f.store(&uid_set(&[2]), &mailbox::FlagOp::Add(mailbox::Flags::from([mailbox::Flag::Deleted])), None).await.unwrap();
    assert_eq!(f.expunge(None).await.unwrap(), uid_set(&[2]));
    let (info, new) = inbox(&a).await.select_with_uids().await.unwrap();
    assert_eq!(numbers(&new), vec![1, 3, 4]);
    assert_eq!(info.exists, 3);
    assert_eq!(numbers(&old), vec![1, 2, 3, 4], "a snapshot handed out earlier does not change");
}
