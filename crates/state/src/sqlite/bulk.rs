//! Statements over many keys at once: `IN (…)` lists and multi-row `VALUES`,
//! in chunks, so that a 10,000-item sync batch costs tens of statements rather
//! than tens of thousands.
//!
//! The SQL text is built only from constant fragments and `?` placeholders;
//! every value is bound. PostgreSQL would bind one array instead
//! (`item_key = ANY($2)`, `UNNEST`), which is why this lives in one place.

use std::collections::HashMap;

use sqlx::AssertSqlSafe;
use sqlx::Row;
use sqlx::sqlite::SqliteConnection;

use super::uid_of;
use crate::error::StateError;
use crate::types::{FolderId, ItemKey, Uid};

/// Keys per `IN` list (SQLite allows 32,766 bound values per statement).
pub(super) const KEYS_PER_STATEMENT: usize = 500;
/// Rows per multi-row `INSERT`.
pub(super) const ROWS_PER_STATEMENT: usize = 200;

/// `head` + `(?, ?, …)` with `n` placeholders + `tail`.
pub(super) fn in_list(head: &str, n: usize, tail: &str) -> AssertSqlSafe<String> {
    let mut sql = String::with_capacity(head.len() + tail.len() + 3 * n + 2);
    sql.push_str(head);
    sql.push('(');
    for i in 0..n {
        sql.push_str(if i == 0 { "?" } else { ", ?" });
    }
    sql.push(')');
    sql.push_str(tail);
    AssertSqlSafe(sql)
}

/// `head` + `n` copies of the row template `row` separated by commas.
pub(super) fn values(head: &str, row: &str, n: usize) -> AssertSqlSafe<String> {
    let mut sql = String::with_capacity(head.len() + (row.len() + 2) * n);
    sql.push_str(head);
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(row);
    }
    AssertSqlSafe(sql)
}

/// The UIDs of those `keys` the folder holds.
pub(super) async fn uids_of_keys(
    conn: &mut SqliteConnection,
    folder: FolderId,
    keys: &[&ItemKey],
) -> Result<HashMap<Vec<u8>, Uid>, StateError> {
    let mut found = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let sql = in_list("SELECT uid, item_key FROM items WHERE folder_id = ? AND item_key IN ", chunk.len(), "");
        let mut q = sqlx::query(sql).bind(folder.0);
        for key in chunk {
            q = q.bind(key.as_bytes());
        }
        for row in q.fetch_all(&mut *conn).await? {
            found.insert(row.try_get::<Vec<u8>, _>(1)?, uid_of(row.try_get(0)?)?);
        }
    }
    Ok(found)
}

/// Keys in first-seen order without repeats.
pub(super) fn distinct(keys: &[ItemKey]) -> Vec<&ItemKey> {
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
    keys.iter().filter(|k| seen.insert(k.as_bytes())).collect()
}
