//! The ICS state commits atomically with the UID assignments it covers.

mod common;

use common::*;
use sqlx::ConnectOptions;
use state::{StateStore, SyncBatch};

/// Makes every later write of a sync state fail inside the database, after
/// the batch's item rows were already written in the same transaction.
async fn break_sync_state_writes(env: &Env, enable: bool) {
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(env.store.path())
        .connect()
        .await
        .expect("second connection");
    let sql = if enable {
        "CREATE TRIGGER fail_sync_state BEFORE UPDATE OF sync_state ON folders \
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    } else {
        "DROP TRIGGER fail_sync_state"
    };
    sqlx::query(sql).execute(&mut conn).await.expect("trigger DDL");
}

#[tokio::test]
async fn failure_mid_commit_applies_neither_uids_nor_ics_state() {
    let mut env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    let first = env
        .store
        .commit_sync(f.id, SyncBatch { added: items(0..3), sync_state: Some(b"ics-1".to_vec()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(nums(&first.added), [1, 2, 3]);
    let before = env.store.folder_state(f.id).await.unwrap();

    break_sync_state_writes(&env, true).await;
    let failed = env
        .store
        .commit_sync(
            f.id,
            SyncBatch {
                added: items(3..6),
                changed: vec![item(0)],
                removed: vec![item(1)],
                sync_state: Some(b"ics-2".to_vec()),
            },
        )
        .await;
    let err = failed.expect_err("the injected failure surfaces");
    assert!(err.is_retryable());
    assert!(format!("{err}").contains("injected failure"), "{err}");

    // Nothing of the failed batch is visible, now or after a restart.
    for round in 0..2 {
        assert_eq!(env.store.sync_state(f.id).await.unwrap().as_deref(), Some(&b"ics-1"[..]));
        assert_eq!(env.store.folder_state(f.id).await.unwrap(), before, "round {round}");
        assert_eq!(uid_map(&env.store, f.id).await, vec![(1, item(0)), (2, item(1)), (3, item(2))]);
        assert!(env.store.vanished_since(f.id, 1).await.unwrap().uids.is_empty());
        env.reopen().await;
    }

    // Retried once the fault is gone, the batch applies whole.
    break_sync_state_writes(&env, false).await;
    let retried = env
        .store
        .commit_sync(
            f.id,
            SyncBatch {
                added: items(3..6),
                removed: vec![item(1)],
                sync_state: Some(b"ics-2".to_vec()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(nums(&retried.added), [4, 5, 6]);
    assert_eq!(env.store.sync_state(f.id).await.unwrap().as_deref(), Some(&b"ics-2"[..]));
}

#[tokio::test]
async fn sync_state_alone_does_not_bump_modseq_and_deleting_folder_drops_it() {
    let env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    assert_eq!(env.store.sync_state(f.id).await.unwrap(), None);
    let out =
        env.store.commit_sync(f.id, SyncBatch { sync_state: Some(vec![1, 2, 3]), ..Default::default() }).await.unwrap();
    assert_eq!(out.modseq, None);
    assert_eq!(env.store.sync_state(f.id).await.unwrap(), Some(vec![1, 2, 3]));
    env.store.delete_folder(f.id).await.unwrap();
    let again = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    assert_eq!(env.store.sync_state(again.id).await.unwrap(), None, "fresh folder, full sync");
}
