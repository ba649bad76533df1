-- mapibridge gateway state, schema 1 (SQLite).
-- Portable by design: the PostgreSQL schema differs only in
--   INTEGER PRIMARY KEY AUTOINCREMENT -> BIGINT GENERATED ALWAYS AS IDENTITY,
--   INTEGER -> BIGINT, BLOB -> BYTEA.
-- Unsigned IMAP numbers (u32 UIDs, UIDVALIDITY) are stored as 64-bit integers.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    -- The last UIDVALIDITY / DAV validity issued for this account.
    last_validity INTEGER NOT NULL
);

CREATE TABLE folders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    folder_key BLOB NOT NULL,
    uid_validity INTEGER NOT NULL,
    uid_next INTEGER NOT NULL,
    highest_modseq INTEGER NOT NULL,
    -- vanished_since(m) is complete for m >= vanished_floor.
    vanished_floor INTEGER NOT NULL,
    -- UIDs >= recent_from have not been claimed as \Recent yet.
    recent_from INTEGER NOT NULL,
    sync_state BLOB,
    UNIQUE (account_id, folder_key)
);

CREATE TABLE items (
    folder_id INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    item_key BLOB NOT NULL,
    modseq INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    PRIMARY KEY (folder_id, uid),
    UNIQUE (folder_id, item_key)
);
CREATE INDEX items_by_modseq ON items (folder_id, modseq);

CREATE TABLE tombstones (
    folder_id INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    removed_at INTEGER NOT NULL,
    PRIMARY KEY (folder_id, uid)
);
CREATE INDEX tombstones_by_modseq ON tombstones (folder_id, modseq);
CREATE INDEX tombstones_by_time ON tombstones (removed_at);

CREATE TABLE subscriptions (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    PRIMARY KEY (account_id, path)
);

CREATE TABLE dav_collections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    collection_key BLOB NOT NULL,
    validity INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    -- Tokens with seq < floor are invalid (their log entries expired).
    floor INTEGER NOT NULL,
    UNIQUE (account_id, collection_key)
);

CREATE TABLE dav_changes (
    collection_id INTEGER NOT NULL REFERENCES dav_collections (id) ON DELETE CASCADE,
    resource TEXT NOT NULL,
    seq INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (collection_id, resource)
);
CREATE INDEX dav_changes_by_seq ON dav_changes (collection_id, seq);
CREATE INDEX dav_changes_by_time ON dav_changes (removed, changed_at);
