-- Names DAV clients chose for the items they created (`abc.ics`), so that
-- the href survives a gateway restart. One name per item and collection.
CREATE TABLE dav_names (
    collection_id INTEGER NOT NULL REFERENCES dav_collections (id) ON DELETE CASCADE,
    resource TEXT NOT NULL,
    item_key BLOB NOT NULL,
    PRIMARY KEY (collection_id, resource),
    UNIQUE (collection_id, item_key)
);

-- The backend folder's HIGHESTMODSEQ when a collection's listing was last
-- compared with its change log: after a restart, items with a greater
-- mod-sequence are the ones that changed meanwhile.
CREATE TABLE dav_seen (
    collection_id INTEGER PRIMARY KEY REFERENCES dav_collections (id) ON DELETE CASCADE,
    modseq INTEGER NOT NULL
);
