//! The SQLite schema and its migrations. Each migration runs once, in a
//! transaction, and is recorded in `schema_migrations`.

use rusqlite::Connection;

use super::error::StoreResult;

/// (version, SQL) in order; never edit a released step, append a new one.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "
    CREATE TABLE stores(
        id INTEGER PRIMARY KEY,
        kind INTEGER NOT NULL,              -- 0 private, 1 public
        address TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        legacy_dn TEXT NOT NULL UNIQUE COLLATE NOCASE,
        mailbox_guid BLOB NOT NULL,
        replica_guid BLOB NOT NULL,
        password_hash TEXT,
        next_id INTEGER NOT NULL,           -- next free GLOBCNT for FIDs/MIDs
        next_cn INTEGER NOT NULL            -- next free change-number counter
    );
    CREATE TABLE folders(
        store INTEGER NOT NULL REFERENCES stores(id),
        id INTEGER NOT NULL,                -- global counter of the FID
        parent INTEGER,                     -- NULL for the root
        name TEXT NOT NULL COLLATE NOCASE,  -- copy of PidTagDisplayName
        props BLOB NOT NULL,
        cn INTEGER NOT NULL,                -- change number of the last change
        deleted INTEGER NOT NULL DEFAULT 0, -- 1 = soft-deleted
        commit_time INTEGER NOT NULL DEFAULT 0, -- FILETIME of the last contents change
        PRIMARY KEY(store, id)
    );
    CREATE INDEX folders_parent ON folders(store, parent);
    CREATE TABLE messages(
        store INTEGER NOT NULL REFERENCES stores(id),
        id INTEGER NOT NULL,                -- global counter of the MID
        folder INTEGER NOT NULL,
        fai INTEGER NOT NULL,
        read INTEGER NOT NULL,
        cn INTEGER NOT NULL,                -- last content change
        read_cn INTEGER NOT NULL,           -- last read-state change
        deleted INTEGER NOT NULL DEFAULT 0, -- 1 = soft-deleted
        size INTEGER NOT NULL,
        content BLOB NOT NULL,
        PRIMARY KEY(store, id)
    );
    CREATE INDEX messages_folder ON messages(store, folder, deleted, fai);
    CREATE TABLE deletions(
        store INTEGER NOT NULL,
        folder INTEGER NOT NULL,            -- the folder the object left
        id INTEGER NOT NULL,                -- global counter of the object
        is_folder INTEGER NOT NULL,
        fai INTEGER NOT NULL,
        cn INTEGER NOT NULL,                -- change number of the deletion
        hard INTEGER NOT NULL
    );
    CREATE INDEX deletions_folder ON deletions(store, folder, cn);
    CREATE TABLE named_props(
        store INTEGER NOT NULL,
        propid INTEGER NOT NULL,
        guid BLOB NOT NULL,
        kind INTEGER NOT NULL,              -- 0 MNID_ID, 1 MNID_STRING
        lid INTEGER NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY(store, propid),
        UNIQUE(store, guid, kind, lid, name)
    );
    CREATE TABLE permissions(
        store INTEGER NOT NULL,
        folder INTEGER NOT NULL,            -- 0 = the whole mailbox
        grantee TEXT NOT NULL COLLATE NOCASE,
        rights INTEGER NOT NULL,
        PRIMARY KEY(store, folder, grantee)
    );
    ",
    ),
    (
        2,
        "
    -- Send As ([MS-OXOMSG] 3.2.5.1: who may submit with this mailbox in
    -- PidTagSentRepresenting*); an Active Directory right on Exchange,
    -- separate from folder permissions.
    CREATE TABLE send_as(
        store INTEGER NOT NULL REFERENCES stores(id),
        grantee TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY(store, grantee)
    );
    ",
    ),
    (
        3,
        "
    -- Receive folders set by RopSetReceiveFolder ([MS-OXCSTOR] 2.2.1.3),
    -- over the built-in defaults; folder 0 = the class was removed.
    CREATE TABLE receive_folders(
        store INTEGER NOT NULL REFERENCES stores(id),
        class TEXT NOT NULL COLLATE NOCASE,
        folder INTEGER NOT NULL,
        mtime INTEGER NOT NULL,
        PRIMARY KEY(store, class)
    );
    ",
    ),
    (
        4,
        "
    -- Directory attributes of a mailbox's user (title, department, phones,
    -- office, thumbnail photo: [MS-OXOABK] 2.2.4) served by the GAL, as a
    -- property blob.
    CREATE TABLE directory(
        store INTEGER PRIMARY KEY REFERENCES stores(id),
        props BLOB NOT NULL
    );
    ",
    ),
];

/// Brings the database to the newest schema.
pub(crate) fn migrate(conn: &mut Connection) -> StoreResult<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )?;
    let newest: i64 = conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
    if newest > latest_version() {
        return Err(super::error::StoreError::Corrupt(format!(
            "the database has schema version {newest}, newer than this build's {}",
            latest_version()
        )));
    }
    for (version, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let done: bool = tx.query_row("SELECT COUNT(*) FROM schema_migrations WHERE version = ?1", [version], |r| {
            r.get::<_, i64>(0)
        })? > 0;
        if !done {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations(version, applied_at) VALUES (?1, strftime('%s','now'))",
                [version],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}

/// The newest schema version.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}
