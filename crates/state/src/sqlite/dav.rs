//! DAV collections and their change logs (RFC 6578), and IMAP subscriptions
//! (RFC 9051 §6.3.7): the account-scoped rows that are not IMAP folders.

use sqlx::Row;

use super::{SqliteStore, ensure_account, next_validity, u32_of, u64_of};
use crate::dav::{CollectionId, CollectionState, DavChange, DavChangeKind, DavDelta, SyncToken};
use crate::error::StateError;
use crate::types::{AccountId, FolderKey};

pub(super) async fn subscribe(store: &SqliteStore, account: &AccountId, path: &str) -> Result<(), StateError> {
    let mut tx = store.write().await?;
    let account_id = ensure_account(&mut tx, account).await?;
    sqlx::query(
        "INSERT INTO subscriptions (account_id, path) VALUES (?, ?) \
         ON CONFLICT (account_id, path) DO NOTHING",
    )
    .bind(account_id)
    .bind(path)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn unsubscribe(store: &SqliteStore, account: &AccountId, path: &str) -> Result<bool, StateError> {
    let mut tx = store.write().await?;
    let gone = sqlx::query(
        "DELETE FROM subscriptions WHERE path = ? \
         AND account_id = (SELECT id FROM accounts WHERE name = ?)",
    )
    .bind(path)
    .bind(account.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(gone > 0)
}

pub(super) async fn subscriptions(store: &SqliteStore, account: &AccountId) -> Result<Vec<String>, StateError> {
    Ok(sqlx::query_scalar(
        "SELECT s.path FROM subscriptions s JOIN accounts a ON a.id = s.account_id \
         WHERE a.name = ? ORDER BY s.path",
    )
    .bind(account.as_str())
    .fetch_all(&store.reader)
    .await?)
}

fn token_of(validity: i64, seq: i64) -> Result<SyncToken, StateError> {
    Ok(SyncToken { validity: u32_of(validity, "DAV validity")?, seq: u64_of(seq, "DAV sequence")? })
}

pub(super) async fn open_collection(
    store: &SqliteStore,
    account: &AccountId,
    key: &FolderKey,
) -> Result<CollectionState, StateError> {
    let mut tx = store.write().await?;
    let account_id = ensure_account(&mut tx, account).await?;
    let row = sqlx::query("SELECT id, validity, seq FROM dav_collections WHERE account_id = ? AND collection_key = ?")
        .bind(account_id)
        .bind(key.as_bytes())
        .fetch_optional(&mut *tx)
        .await?;
    let state = match row {
        Some(row) => {
            CollectionState { id: CollectionId(row.try_get(0)?), token: token_of(row.try_get(1)?, row.try_get(2)?)? }
        }
        None => {
            let validity = next_validity(&mut tx, account_id, store.now()).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO dav_collections (account_id, collection_key, validity, seq, floor) \
                 VALUES (?, ?, ?, 0, 0) RETURNING id",
            )
            .bind(account_id)
            .bind(key.as_bytes())
            .bind(i64::from(validity.get()))
            .fetch_one(&mut *tx)
            .await?;
            CollectionState { id: CollectionId(id), token: SyncToken { validity: validity.get(), seq: 0 } }
        }
    };
    tx.commit().await?;
    Ok(state)
}

pub(super) async fn delete_collection(store: &SqliteStore, collection: CollectionId) -> Result<(), StateError> {
    let mut tx = store.write().await?;
    for sql in ["DELETE FROM dav_changes WHERE collection_id = ?", "DELETE FROM dav_collections WHERE id = ?"] {
        sqlx::query(sql).bind(collection.0).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn record_changes(
    store: &SqliteStore,
    collection: CollectionId,
    changes: &[DavChange],
) -> Result<SyncToken, StateError> {
    let now = i64::try_from(store.now().0).unwrap_or(i64::MAX);
    let mut tx = store.write().await?;
    let row = sqlx::query("SELECT validity, seq FROM dav_collections WHERE id = ?")
        .bind(collection.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StateError::UnknownCollection(collection))?;
    let validity: i64 = row.try_get(0)?;
    let seq: i64 = row.try_get(1)?;
    if changes.is_empty() {
        return token_of(validity, seq);
    }
    let seq = seq.checked_add(1).ok_or(StateError::Exhausted("DAV sync tokens"))?;
    for change in changes {
        sqlx::query(
            "INSERT INTO dav_changes (collection_id, resource, seq, removed, changed_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (collection_id, resource) DO UPDATE \
             SET seq = excluded.seq, removed = excluded.removed, changed_at = excluded.changed_at",
        )
        .bind(collection.0)
        .bind(change.resource.as_str())
        .bind(seq)
        .bind(i64::from(change.kind == DavChangeKind::Removed))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE dav_collections SET seq = ? WHERE id = ?")
        .bind(seq)
        .bind(collection.0)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    token_of(validity, seq)
}

pub(super) async fn changes_since(
    store: &SqliteStore,
    collection: CollectionId,
    token: &SyncToken,
) -> Result<DavDelta, StateError> {
    let mut conn = store.reader.begin().await?;
    let row = sqlx::query("SELECT validity, seq, floor FROM dav_collections WHERE id = ?")
        .bind(collection.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StateError::UnknownCollection(collection))?;
    let current = token_of(row.try_get(0)?, row.try_get(1)?)?;
    let floor = u64_of(row.try_get(2)?, "DAV floor")?;
    if token.validity != current.validity || token.seq > current.seq || token.seq < floor {
        return Ok(DavDelta::InvalidToken);
    }
    let since = i64::try_from(token.seq).unwrap_or(i64::MAX);
    let rows = sqlx::query(
        "SELECT resource, removed FROM dav_changes WHERE collection_id = ? AND seq > ? \
         ORDER BY seq, resource",
    )
    .bind(collection.0)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    let changes = rows
        .iter()
        .map(|row| {
            let removed: i64 = row.try_get(1)?;
            Ok(DavChange {
                resource: row.try_get(0)?,
                kind: if removed != 0 { DavChangeKind::Removed } else { DavChangeKind::Changed },
            })
        })
        .collect::<Result<_, StateError>>()?;
    Ok(DavDelta::Changes { changes, token: current })
}
