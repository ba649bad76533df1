//! Rows of hierarchy and contents tables shared between the sessions of a
//! backend: every table of one folder at one change counter reads the same
//! rows, so 200 sessions paging the same Inbox load it once per change,
//! not once per table (and hold one copy). An entry lives while some table
//! uses it; a newer change counter replaces it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::objects::TableKind;
use crate::store::{MessageContent, PropBag};

/// The rows of one table load, in natural (id) order, with an id index.
/// A row is a [`MessageContent`]: its properties are the columns, and a
/// contents row also carries the message's recipients and attachment
/// properties so that SubObject restrictions can see them
/// ([MS-OXCDATA] 2.12.8).
#[derive(Debug, Default)]
pub(crate) struct TableRows {
    /// Rows are shared too: a patched load keeps the unchanged ones.
    pub(crate) rows: Vec<(u64, Arc<MessageContent>)>,
    pub(crate) by_id: HashMap<u64, usize>,
}

/// A table row of properties alone (hierarchy and attachment tables).
pub(crate) fn props_row(props: PropBag) -> MessageContent {
    MessageContent { props, recipients: Vec::new(), attachments: Vec::new() }
}

/// A contents table row from a message: its properties, recipients and
/// attachment properties without the attachment data (rows are cached
/// for every table of the folder; restrictions never look at the data).
pub(crate) fn contents_row(mut content: MessageContent) -> MessageContent {
    for a in &mut content.attachments {
        a.props.remove(mapi_wire::PropTag::ATTACH_DATA_BINARY);
        a.embedded = None;
    }
    content
}

impl TableRows {
    pub(crate) fn new(rows: Vec<(u64, MessageContent)>) -> Self {
        Self::from_shared(rows.into_iter().map(|(id, b)| (id, Arc::new(b))).collect())
    }

    fn from_shared(rows: Vec<(u64, Arc<MessageContent>)>) -> Self {
        let by_id = rows.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
        Self { rows, by_id }
    }

    /// These rows with `changed` ones replaced or added, in the order of
    /// `live` (every row id now); rows not in `live` are dropped.
    pub(crate) fn patched(&self, live: &[u64], changed: Vec<(u64, MessageContent)>) -> Self {
        let mut fresh: HashMap<u64, Arc<MessageContent>> =
            changed.into_iter().map(|(id, b)| (id, Arc::new(b))).collect();
        let rows = live
            .iter()
            .filter_map(|id| {
                let bag = fresh
                    .remove(id)
                    .or_else(|| self.by_id.get(id).and_then(|i| self.rows.get(*i)).map(|(_, b)| b.clone()))?;
                Some((*id, bag))
            })
            .collect();
        Self::from_shared(rows)
    }

    /// The properties of row `id`.
    pub(crate) fn get(&self, id: u64) -> Option<&PropBag> {
        self.get_row(id).map(|r| &r.props)
    }

    /// Row `id` with its sub-objects (for restrictions).
    pub(crate) fn get_row(&self, id: u64) -> Option<&MessageContent> {
        self.by_id.get(&id).and_then(|i| self.rows.get(*i)).map(|(_, b)| b.as_ref())
    }
}

type Key = (i64, TableKind);
/// Per key: the change counter of the load and its rows.
type Entries = HashMap<Key, (u64, Arc<TableRows>)>;

/// The shared rows, by (store, table kind), each with the change counter
/// it was loaded at.
#[derive(Clone, Default)]
pub(crate) struct RowCache {
    inner: Arc<Mutex<Entries>>,
}

impl std::fmt::Debug for RowCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowCache").field("entries", &self.lock().len()).finish()
    }
}

impl RowCache {
    fn lock(&self) -> MutexGuard<'_, Entries> {
        // The map holds no invariant a panic could break.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The rows of `kind` in `store` loaded at change counter `cn`.
    pub(crate) fn get(&self, store: i64, kind: TableKind, cn: u64) -> Option<Arc<TableRows>> {
        self.lock().get(&(store, kind)).filter(|(c, _)| *c == cn).map(|(_, r)| r.clone())
    }

    /// Shares `rows` (loaded at `cn`); drops entries no table uses.
    pub(crate) fn put(&self, store: i64, kind: TableKind, cn: u64, rows: Arc<TableRows>) {
        let mut map = self.lock();
        map.retain(|_, (_, r)| Arc::strong_count(r) > 1);
        map.insert((store, kind), (cn, rows));
    }
}
