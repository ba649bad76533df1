//! Item rows: the sync commit (UIDs, mod-sequences, tombstones and sync state
//! in one transaction), flag changes, lookups, and CONDSTORE/QRESYNC answers.

use std::collections::HashMap;

use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqliteRow};

use super::{SqliteStore, bound, bulk, modseq_of, u32_of, uid_of};
use crate::error::StateError;
use crate::store::{FlagChange, FlagOutcome, ItemRecord, SyncBatch, SyncOutcome, Vanished};
use crate::types::{FolderId, GatewayFlags, ItemKey, ModSeq, Uid, UnixTime};
use crate::uid_set::UidSet;

/// Above this many ranges, a UID-set read scans `[min, max]` once and filters.
const RANGE_QUERY_LIMIT: usize = 32;

/// The folder's UIDNEXT and HIGHESTMODSEQ, read under the write lock.
async fn counters(conn: &mut SqliteConnection, folder: FolderId) -> Result<(i64, i64), StateError> {
    let row = sqlx::query("SELECT uid_next, highest_modseq FROM folders WHERE id = ?")
        .bind(folder.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StateError::UnknownFolder(folder))?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

fn next_modseq(highest: i64) -> Result<i64, StateError> {
    highest.checked_add(1).ok_or(StateError::Exhausted("mod-sequences"))
}

async fn set_counters(
    conn: &mut SqliteConnection,
    folder: FolderId,
    uid_next: i64,
    highest: i64,
) -> Result<(), StateError> {
    sqlx::query("UPDATE folders SET uid_next = ?, highest_modseq = ? WHERE id = ?")
        .bind(uid_next)
        .bind(highest)
        .bind(folder.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn commit_sync(
    store: &SqliteStore,
    folder: FolderId,
    batch: SyncBatch,
) -> Result<SyncOutcome, StateError> {
    let now = i64::try_from(store.now().0).unwrap_or(i64::MAX);
    let mut tx = store.write().await?;
    let (mut uid_next, highest) = counters(&mut tx, folder).await?;
    let modseq = next_modseq(highest)?;
    let mut out = SyncOutcome::default();

    // Removals first, so that an item removed and re-added gets a new UID.
    for chunk in bulk::distinct(&batch.removed).chunks(bulk::KEYS_PER_STATEMENT) {
        let sql =
            bulk::in_list("DELETE FROM items WHERE folder_id = ? AND item_key IN ", chunk.len(), " RETURNING uid");
        let mut q = sqlx::query_scalar::<_, i64>(sql).bind(folder.0);
        for key in chunk {
            q = q.bind(key.as_bytes());
        }
        let gone = q.fetch_all(&mut *tx).await?;
        for rows in gone.chunks(bulk::ROWS_PER_STATEMENT) {
            let sql = bulk::values(
                "INSERT INTO tombstones (folder_id, uid, modseq, removed_at) VALUES ",
                "(?, ?, ?, ?)",
                rows.len(),
            );
            let mut q = sqlx::query(sql);
            for &uid in rows {
                q = q.bind(folder.0).bind(uid).bind(modseq).bind(now);
            }
            q.execute(&mut *tx).await?;
            for &uid in rows {
                out.removed.push(uid_of(uid)?);
            }
        }
    }

    // Additions: known items keep their UID (and count as changed); new ones
    // get UIDs from UIDNEXT in the given order.
    let added = bulk::distinct(&batch.added);
    let known = bulk::uids_of_keys(&mut tx, folder, &added).await?;
    let mut fresh: Vec<(i64, &ItemKey)> = Vec::new();
    let mut given: HashMap<&[u8], Uid> = HashMap::with_capacity(added.len());
    let mut to_mark: Vec<&ItemKey> = Vec::new();
    for key in added {
        if known.contains_key(key.as_bytes()) {
            to_mark.push(key);
            continue;
        }
        // UID 4294967295 is never given, so that UIDNEXT stays a valid number.
        if uid_next >= i64::from(u32::MAX) {
            return Err(StateError::Exhausted("UIDs of this folder"));
        }
        given.insert(key.as_bytes(), uid_of(uid_next)?);
        fresh.push((uid_next, key));
        uid_next += 1;
    }
    for rows in fresh.chunks(bulk::ROWS_PER_STATEMENT) {
        let sql = bulk::values(
            "INSERT INTO items (folder_id, uid, item_key, modseq, flags) VALUES ",
            "(?, ?, ?, ?, 0)",
            rows.len(),
        );
        let mut q = sqlx::query(sql);
        for &(uid, key) in rows {
            q = q.bind(folder.0).bind(uid).bind(key.as_bytes()).bind(modseq);
        }
        q.execute(&mut *tx).await?;
    }
    for key in &batch.added {
        let uid = given
            .get(key.as_bytes())
            .or_else(|| known.get(key.as_bytes()))
            .copied()
            .ok_or(StateError::Corrupt("item map"))?;
        out.added.push(uid);
    }

    // Changes, and re-added known items: the batch's mod-sequence.
    to_mark.extend(bulk::distinct(&batch.changed));
    let mut marked: HashMap<Vec<u8>, Uid> = HashMap::with_capacity(to_mark.len());
    for chunk in to_mark.chunks(bulk::KEYS_PER_STATEMENT) {
        let sql = bulk::in_list(
            "UPDATE items SET modseq = ? WHERE folder_id = ? AND item_key IN ",
            chunk.len(),
            " RETURNING uid, item_key",
        );
        let mut q = sqlx::query(sql).bind(modseq).bind(folder.0);
        for key in chunk {
            q = q.bind(key.as_bytes());
        }
        for row in q.fetch_all(&mut *tx).await? {
            marked.insert(row.try_get::<Vec<u8>, _>(1)?, uid_of(row.try_get(0)?)?);
        }
    }
    out.changed = marked.values().copied().collect();
    out.unknown = batch.changed.iter().filter(|k| !marked.contains_key(k.as_bytes())).cloned().collect();

    if !(out.added.is_empty() && out.changed.is_empty() && out.removed.is_empty()) {
        set_counters(&mut tx, folder, uid_next, modseq).await?;
        out.modseq = Some(modseq_of(modseq)?);
    }
    // Last statement of the transaction: the sync state commits with the
    // changes it covers, or neither does.
    if let Some(state) = &batch.sync_state {
        sqlx::query("UPDATE folders SET sync_state = ? WHERE id = ?")
            .bind(state.as_slice())
            .bind(folder.0)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    out.changed.sort_unstable();
    out.removed.sort_unstable();
    Ok(out)
}

fn record_of(row: &SqliteRow) -> Result<ItemRecord, StateError> {
    let flags: i64 = row.try_get(3)?;
    Ok(ItemRecord {
        uid: uid_of(row.try_get(0)?)?,
        key: ItemKey::new(row.try_get::<Vec<u8>, _>(1)?),
        modseq: modseq_of(row.try_get(2)?)?,
        flags: GatewayFlags::from_bits(u32_of(flags, "flags")?),
    })
}

/// The items with UIDs in `uids`, ascending.
async fn select_uids(
    conn: &mut SqliteConnection,
    folder: FolderId,
    uids: &UidSet,
) -> Result<Vec<ItemRecord>, StateError> {
    let ranges = uids.ranges();
    let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else {
        return Ok(Vec::new());
    };
    let spans: Vec<(u32, u32)> = if ranges.len() > RANGE_QUERY_LIMIT {
        vec![(first.first().get(), last.last().get())]
    } else {
        ranges.iter().map(|r| (r.first().get(), r.last().get())).collect()
    };
    let mut out = Vec::new();
    for (lo, hi) in spans {
        let rows = sqlx::query(
            "SELECT uid, item_key, modseq, flags FROM items \
             WHERE folder_id = ? AND uid BETWEEN ? AND ? ORDER BY uid",
        )
        .bind(folder.0)
        .bind(i64::from(lo))
        .bind(i64::from(hi))
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            let record = record_of(row)?;
            if uids.contains(record.uid) {
                out.push(record);
            }
        }
    }
    Ok(out)
}

async fn require_folder(conn: &mut SqliteConnection, folder: FolderId) -> Result<(), StateError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM folders WHERE id = ?").bind(folder.0).fetch_optional(&mut *conn).await?;
    found.map(drop).ok_or(StateError::UnknownFolder(folder))
}

pub(super) async fn touch(
    store: &SqliteStore,
    folder: FolderId,
    uids: &UidSet,
) -> Result<(Option<ModSeq>, Vec<ItemRecord>), StateError> {
    let mut tx = store.write().await?;
    let (uid_next, highest) = counters(&mut tx, folder).await?;
    let modseq = next_modseq(highest)?;
    let mut items = select_uids(&mut tx, folder, uids).await?;
    if items.is_empty() {
        return Ok((None, items));
    }
    let stamp = modseq_of(modseq)?;
    for item in &mut items {
        sqlx::query("UPDATE items SET modseq = ? WHERE folder_id = ? AND uid = ?")
            .bind(modseq)
            .bind(folder.0)
            .bind(i64::from(item.uid.get()))
            .execute(&mut *tx)
            .await?;
        item.modseq = stamp;
    }
    set_counters(&mut tx, folder, uid_next, modseq).await?;
    tx.commit().await?;
    Ok((Some(stamp), items))
}

pub(super) async fn store_flags(
    store: &SqliteStore,
    folder: FolderId,
    uids: &UidSet,
    change: FlagChange,
    unchanged_since: Option<u64>,
) -> Result<FlagOutcome, StateError> {
    let mut tx = store.write().await?;
    let (uid_next, highest) = counters(&mut tx, folder).await?;
    let modseq = next_modseq(highest)?;
    let stamp = modseq_of(modseq)?;
    let mut out = FlagOutcome::default();
    for mut item in select_uids(&mut tx, folder, uids).await? {
        if unchanged_since.is_some_and(|bound| item.modseq.get() > bound) {
            out.modified.insert(item.uid);
            continue;
        }
        let flags = match change {
            FlagChange::Replace(f) => GatewayFlags::from_bits(f.bits()),
            FlagChange::Add(f) => item.flags.union(f),
            FlagChange::Remove(f) => item.flags.difference(f),
        };
        if flags != item.flags {
            sqlx::query("UPDATE items SET flags = ?, modseq = ? WHERE folder_id = ? AND uid = ?")
                .bind(i64::from(flags.bits()))
                .bind(modseq)
                .bind(folder.0)
                .bind(i64::from(item.uid.get()))
                .execute(&mut *tx)
                .await?;
            item.flags = flags;
            item.modseq = stamp;
            out.modseq = Some(stamp);
        }
        out.items.push(item);
    }
    if out.modseq.is_some() {
        set_counters(&mut tx, folder, uid_next, modseq).await?;
        tx.commit().await?;
    }
    Ok(out)
}

pub(super) async fn by_uid(
    store: &SqliteStore,
    folder: FolderId,
    uids: &UidSet,
) -> Result<Vec<ItemRecord>, StateError> {
    let mut conn = store.reader.begin().await?;
    require_folder(&mut conn, folder).await?;
    let items = select_uids(&mut conn, folder, uids).await?;
    conn.commit().await?;
    Ok(items)
}

pub(super) async fn by_key(
    store: &SqliteStore,
    folder: FolderId,
    keys: &[ItemKey],
) -> Result<Vec<Option<ItemRecord>>, StateError> {
    let mut conn = store.reader.begin().await?;
    require_folder(&mut conn, folder).await?;
    let mut found: HashMap<Vec<u8>, ItemRecord> = HashMap::with_capacity(keys.len());
    for chunk in bulk::distinct(keys).chunks(bulk::KEYS_PER_STATEMENT) {
        let sql = bulk::in_list(
            "SELECT uid, item_key, modseq, flags FROM items WHERE folder_id = ? AND item_key IN ",
            chunk.len(),
            "",
        );
        let mut q = sqlx::query(sql).bind(folder.0);
        for key in chunk {
            q = q.bind(key.as_bytes());
        }
        for row in q.fetch_all(&mut *conn).await? {
            let record = record_of(&row)?;
            found.insert(record.key.as_bytes().to_vec(), record);
        }
    }
    conn.commit().await?;
    Ok(keys.iter().map(|k| found.get(k.as_bytes()).cloned()).collect())
}

pub(super) async fn changed_since(
    store: &SqliteStore,
    folder: FolderId,
    since: u64,
) -> Result<Vec<ItemRecord>, StateError> {
    let mut conn = store.reader.begin().await?;
    require_folder(&mut conn, folder).await?;
    let rows = sqlx::query(
        "SELECT uid, item_key, modseq, flags FROM items \
         WHERE folder_id = ? AND modseq > ? ORDER BY uid",
    )
    .bind(folder.0)
    .bind(bound(since))
    .fetch_all(&mut *conn)
    .await?;
    conn.commit().await?;
    rows.iter().map(record_of).collect()
}

pub(super) async fn vanished_since(store: &SqliteStore, folder: FolderId, since: u64) -> Result<Vanished, StateError> {
    let mut conn = store.reader.begin().await?;
    let floor: i64 = sqlx::query_scalar("SELECT vanished_floor FROM folders WHERE id = ?")
        .bind(folder.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StateError::UnknownFolder(folder))?;
    let uids: Vec<i64> =
        sqlx::query_scalar("SELECT uid FROM tombstones WHERE folder_id = ? AND modseq > ? ORDER BY uid")
            .bind(folder.0)
            .bind(bound(since))
            .fetch_all(&mut *conn)
            .await?;
    conn.commit().await?;
    Ok(Vanished { uids: uids.into_iter().map(uid_of).collect::<Result<_, _>>()?, complete: bound(since) >= floor })
}

pub(super) async fn expire(store: &SqliteStore, before: UnixTime) -> Result<u64, StateError> {
    let before = i64::try_from(before.0).unwrap_or(i64::MAX);
    let mut tx = store.write().await?;
    // Tombstone mod-sequences only grow, so the largest expired one is above
    // the current floor whenever any expires.
    sqlx::query(
        "UPDATE folders SET vanished_floor = (SELECT MAX(t.modseq) FROM tombstones t \
           WHERE t.folder_id = folders.id AND t.removed_at < ?) \
         WHERE EXISTS (SELECT 1 FROM tombstones t WHERE t.folder_id = folders.id \
           AND t.removed_at < ? AND t.modseq > folders.vanished_floor)",
    )
    .bind(before)
    .bind(before)
    .execute(&mut *tx)
    .await?;
    let mut gone = sqlx::query("DELETE FROM tombstones WHERE removed_at < ?")
        .bind(before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query(
        "UPDATE dav_collections SET floor = (SELECT MAX(c.seq) FROM dav_changes c \
           WHERE c.collection_id = dav_collections.id AND c.removed = 1 AND c.changed_at < ?) \
         WHERE EXISTS (SELECT 1 FROM dav_changes c WHERE c.collection_id = dav_collections.id \
           AND c.removed = 1 AND c.changed_at < ? AND c.seq > dav_collections.floor)",
    )
    .bind(before)
    .bind(before)
    .execute(&mut *tx)
    .await?;
    gone += sqlx::query("DELETE FROM dav_changes WHERE removed = 1 AND changed_at < ?")
        .bind(before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(gone)
}
