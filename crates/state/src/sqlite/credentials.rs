//! Per-account credentials the gateway holds (sealed refresh tokens, the
//! gateway password's hash): opaque bytes keyed by account and kind.

use super::SqliteStore;
use crate::error::StateError;
use crate::types::AccountId;

pub(super) async fn put(store: &SqliteStore, account: &AccountId, kind: &str, value: &[u8]) -> Result<(), StateError> {
    let mut tx = store.write().await?;
    let now = i64::try_from(store.now().0).unwrap_or(i64::MAX);
    sqlx::query(
        "INSERT INTO credentials (account_name, kind, value, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (account_name, kind) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(account.as_str())
    .bind(kind)
    .bind(value)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn get(store: &SqliteStore, account: &AccountId, kind: &str) -> Result<Option<Vec<u8>>, StateError> {
    Ok(sqlx::query_scalar("SELECT value FROM credentials WHERE account_name = ? AND kind = ?")
        .bind(account.as_str())
        .bind(kind)
        .fetch_optional(&store.reader)
        .await?)
}

pub(super) async fn delete(store: &SqliteStore, account: &AccountId, kind: &str) -> Result<bool, StateError> {
    let mut tx = store.write().await?;
    let gone = sqlx::query("DELETE FROM credentials WHERE account_name = ? AND kind = ?")
        .bind(account.as_str())
        .bind(kind)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(gone > 0)
}
