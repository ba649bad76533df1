//! Client-chosen DAV resource names ↔ backend items (`dav_names`).

use sqlx::Row;

use super::SqliteStore;
use crate::dav::CollectionId;
use crate::error::StateError;
use crate::types::ItemKey;

pub(super) async fn names(store: &SqliteStore, collection: CollectionId) -> Result<Vec<(String, ItemKey)>, StateError> {
    let rows = sqlx::query("SELECT resource, item_key FROM dav_names WHERE collection_id = ? ORDER BY resource")
        .bind(collection.0)
        .fetch_all(&store.reader)
        .await?;
    rows.iter()
        .map(|row| {
            let key: Vec<u8> = row.try_get(1)?;
            Ok((row.try_get(0)?, ItemKey::new(key)))
        })
        .collect()
}

pub(super) async fn set_name(
    store: &SqliteStore,
    collection: CollectionId,
    resource: &str,
    item: &ItemKey,
) -> Result<(), StateError> {
    let mut tx = store.write().await?;
    // A name or an item names one pairing: an earlier one of either goes.
    sqlx::query("DELETE FROM dav_names WHERE collection_id = ? AND (resource = ? OR item_key = ?)")
        .bind(collection.0)
        .bind(resource)
        .bind(item.as_bytes())
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO dav_names (collection_id, resource, item_key) VALUES (?, ?, ?)")
        .bind(collection.0)
        .bind(resource)
        .bind(item.as_bytes())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn remove_names(
    store: &SqliteStore,
    collection: CollectionId,
    resources: &[String],
) -> Result<(), StateError> {
    if resources.is_empty() {
        return Ok(());
    }
    let mut tx = store.write().await?;
    for r in resources {
        sqlx::query("DELETE FROM dav_names WHERE collection_id = ? AND resource = ?")
            .bind(collection.0)
            .bind(r.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn seen_modseq(store: &SqliteStore, collection: CollectionId) -> Result<Option<u64>, StateError> {
    let v: Option<i64> = sqlx::query_scalar("SELECT modseq FROM dav_seen WHERE collection_id = ?")
        .bind(collection.0)
        .fetch_optional(&store.reader)
        .await?;
    v.map(|v| super::u64_of(v, "DAV seen mod-sequence")).transpose()
}

pub(super) async fn set_seen_modseq(
    store: &SqliteStore,
    collection: CollectionId,
    modseq: u64,
) -> Result<(), StateError> {
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO dav_seen (collection_id, modseq) VALUES (?, ?) \
         ON CONFLICT (collection_id) DO UPDATE SET modseq = excluded.modseq",
    )
    .bind(collection.0)
    .bind(i64::try_from(modseq).unwrap_or(i64::MAX))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
