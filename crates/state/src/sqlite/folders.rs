//! Folder rows: open-or-create with a fresh UIDVALIDITY, state, listing,
//! deletion, `\Recent` claims and the stored sync state.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{SqliteStore, ensure_account, modseq_of, next_validity, u32_of, u64_of, uid_of};
use crate::error::StateError;
use crate::store::FolderState;
use crate::types::{AccountId, FolderId, FolderKey, UidValidity};
use crate::uid_set::UidRange;

fn state_of(row: &SqliteRow) -> Result<FolderState, StateError> {
    let validity: i64 = row.try_get(2)?;
    Ok(FolderState {
        id: FolderId(row.try_get(0)?),
        key: FolderKey::new(row.try_get::<Vec<u8>, _>(1)?),
        uid_validity: u32::try_from(validity)
            .ok()
            .and_then(UidValidity::new)
            .ok_or(StateError::Corrupt("UIDVALIDITY"))?,
        uid_next: u32_of(row.try_get(3)?, "UIDNEXT")?,
        highest_modseq: modseq_of(row.try_get(4)?)?,
        vanished_floor: u64_of(row.try_get(5)?, "vanished floor")?,
        exists: u32_of(row.try_get(6)?, "message count")?,
    })
}

pub(super) async fn open(store: &SqliteStore, account: &AccountId, key: &FolderKey) -> Result<FolderState, StateError> {
    // Fast path: the folder is known.
    let existing = sqlx::query(
        "SELECT f.id, f.folder_key, f.uid_validity, f.uid_next, f.highest_modseq, \
         f.vanished_floor, (SELECT COUNT(*) FROM items i WHERE i.folder_id = f.id) \
         FROM folders f JOIN accounts a ON a.id = f.account_id \
         WHERE a.name = ? AND f.folder_key = ?",
    )
    .bind(account.as_str())
    .bind(key.as_bytes())
    .fetch_optional(&store.reader)
    .await?;
    if let Some(row) = existing {
        return state_of(&row);
    }
    let mut tx = store.write().await?;
    let account_id = ensure_account(&mut tx, account).await?;
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM folders WHERE account_id = ? AND folder_key = ?")
        .bind(account_id)
        .bind(key.as_bytes())
        .fetch_optional(&mut *tx)
        .await?;
    let id = match id {
        // Created by a concurrent caller between our read and our lock.
        Some(id) => id,
        None => {
            let validity = next_validity(&mut tx, account_id, store.now()).await?;
            sqlx::query_scalar(
                "INSERT INTO folders (account_id, folder_key, uid_validity, uid_next, \
                 highest_modseq, vanished_floor, recent_from, sync_state) \
                 VALUES (?, ?, ?, 1, 1, 0, 1, NULL) RETURNING id",
            )
            .bind(account_id)
            .bind(key.as_bytes())
            .bind(i64::from(validity.get()))
            .fetch_one(&mut *tx)
            .await?
        }
    };
    tx.commit().await?;
    state(store, FolderId(id)).await
}

pub(super) async fn state(store: &SqliteStore, folder: FolderId) -> Result<FolderState, StateError> {
    let row = sqlx::query(
        "SELECT f.id, f.folder_key, f.uid_validity, f.uid_next, f.highest_modseq, \
         f.vanished_floor, (SELECT COUNT(*) FROM items i WHERE i.folder_id = f.id) \
         FROM folders f WHERE f.id = ?",
    )
    .bind(folder.0)
    .fetch_optional(&store.reader)
    .await?
    .ok_or(StateError::UnknownFolder(folder))?;
    state_of(&row)
}

pub(super) async fn list(store: &SqliteStore, account: &AccountId) -> Result<Vec<FolderState>, StateError> {
    let rows = sqlx::query(
        "SELECT f.id, f.folder_key, f.uid_validity, f.uid_next, f.highest_modseq, \
         f.vanished_floor, (SELECT COUNT(*) FROM items i WHERE i.folder_id = f.id) \
         FROM folders f JOIN accounts a ON a.id = f.account_id WHERE a.name = ?",
    )
    .bind(account.as_str())
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(state_of).collect()
}

pub(super) async fn delete(store: &SqliteStore, folder: FolderId) -> Result<(), StateError> {
    let mut tx = store.write().await?;
    for sql in [
        "DELETE FROM items WHERE folder_id = ?",
        "DELETE FROM tombstones WHERE folder_id = ?",
        "DELETE FROM folders WHERE id = ?",
    ] {
        sqlx::query(sql).bind(folder.0).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn claim_recent(store: &SqliteStore, folder: FolderId) -> Result<Option<UidRange>, StateError> {
    let mut tx = store.write().await?;
    let row = sqlx::query("SELECT recent_from, uid_next FROM folders WHERE id = ?")
        .bind(folder.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StateError::UnknownFolder(folder))?;
    let from: i64 = row.try_get(0)?;
    let next: i64 = row.try_get(1)?;
    if from >= next {
        return Ok(None);
    }
    sqlx::query("UPDATE folders SET recent_from = ? WHERE id = ?").bind(next).bind(folder.0).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Some(UidRange::new(uid_of(from)?, uid_of(next - 1)?)))
}

pub(super) async fn unclaimed_recent(store: &SqliteStore, folder: FolderId) -> Result<u32, StateError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM items WHERE folder_id = ? AND uid >= (SELECT recent_from FROM folders WHERE id = ?)",
    )
    .bind(folder.0)
    .bind(folder.0)
    .fetch_one(&store.reader)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

pub(super) async fn sync_state(store: &SqliteStore, folder: FolderId) -> Result<Option<Vec<u8>>, StateError> {
    let row: Option<Option<Vec<u8>>> = sqlx::query_scalar("SELECT sync_state FROM folders WHERE id = ?")
        .bind(folder.0)
        .fetch_optional(&store.reader)
        .await?;
    row.ok_or(StateError::UnknownFolder(folder))
}
