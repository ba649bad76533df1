//! [`ItemCollection`] over the in-memory mailbox: calendar, task and contact
//! items as whole MAPI messages, kept apart from the mail items (they have no
//! MIME form), with the change log and sync tokens in the real
//! [`state::StateStore`] DAV tables so tokens behave as in production.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use convert::Message;
use state::{CollectionId, DavChange, DavChangeKind, DavDelta, FolderKey, SyncToken};

use super::Shared;
use crate::error::MailboxError;
use crate::items::{DeleteOutcome, ItemChanges, ItemCollection, ItemEntry, PutOutcome, WriteCondition};
use crate::model::{FolderId, FolderInfo, FolderKind};

/// The DAV items of every folder, by folder then name.
pub(crate) type DavItems = BTreeMap<FolderId, BTreeMap<String, DavItem>>;

#[derive(Clone)]
pub(crate) struct DavItem {
    message: Message,
    version: u64,
}

impl DavItem {
    fn entry(&self, name: &str) -> ItemEntry {
        ItemEntry { name: name.to_owned(), etag: format!("{:016x}", self.version), modseq: self.version }
    }
}

/// One folder's items.
pub(crate) struct MemoryCollection {
    shared: Arc<Shared>,
    info: FolderInfo,
    collection: CollectionId,
}

impl MemoryCollection {
    /// The collection of a calendar, task or contacts folder.
    pub(crate) async fn open(shared: Arc<Shared>, info: FolderInfo) -> Result<Self, MailboxError> {
        if !matches!(info.kind, FolderKind::Calendar | FolderKind::Tasks | FolderKind::Contacts) {
            return Err(MailboxError::NotPermitted(format!("{} holds no calendar or contact items", info.path)));
        }
        let key = FolderKey::new(info.id.as_bytes());
        let collection = shared.state.open_collection(&shared.account, &key).await?.id;
        Ok(Self { shared, info, collection })
    }

    async fn record(&self, name: &str, kind: DavChangeKind) -> Result<(), MailboxError> {
        let change = DavChange { resource: name.to_owned(), kind };
        self.shared.state.record_dav_changes(self.collection, &[change]).await?;
        Ok(())
    }
}

#[async_trait]
impl ItemCollection for MemoryCollection {
    fn info(&self) -> &FolderInfo {
        &self.info
    }

    async fn list(&self) -> Result<Vec<ItemEntry>, MailboxError> {
        self.shared.check()?;
        let dav = self.shared.dav.lock().await;
        Ok(dav.get(&self.info.id).map(|items| items.iter().map(|(n, i)| i.entry(n)).collect()).unwrap_or_default())
    }

    async fn get(&self, name: &str) -> Result<Option<(ItemEntry, Message)>, MailboxError> {
        self.shared.check()?;
        let dav = self.shared.dav.lock().await;
        Ok(dav.get(&self.info.id).and_then(|items| items.get(name)).map(|i| (i.entry(name), i.message.clone())))
    }

    async fn put(&self, name: &str, message: Message, condition: &WriteCondition) -> Result<PutOutcome, MailboxError> {
        self.shared.check()?;
        let mut dav = self.shared.dav.lock().await;
        let items = dav.entry(self.info.id.clone()).or_default();
        let existing = items.get(name).map(|i| i.entry(name).etag);
        let allowed = match (condition, &existing) {
            (WriteCondition::Always, _) => true,
            (WriteCondition::IfAbsent, e) => e.is_none(),
            (WriteCondition::IfMatch(want), Some(have)) => want == have,
            (WriteCondition::IfMatch(_), None) => false,
        };
        if !allowed {
            return Ok(PutOutcome::PreconditionFailed);
        }
        // The log first: a failed state write leaves the item unchanged.
        self.record(name, DavChangeKind::Changed).await?;
        let item = DavItem { message, version: self.shared.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed) };
        let etag = item.entry(name).etag;
        items.insert(name.to_owned(), item);
        Ok(if existing.is_some() { PutOutcome::Replaced(etag) } else { PutOutcome::Created(etag) })
    }

    async fn delete(&self, name: &str, if_match: Option<&str>) -> Result<DeleteOutcome, MailboxError> {
        self.shared.check()?;
        let mut dav = self.shared.dav.lock().await;
        let Some(items) = dav.get_mut(&self.info.id) else { return Ok(DeleteOutcome::NotFound) };
        let Some(item) = items.get(name) else { return Ok(DeleteOutcome::NotFound) };
        if if_match.is_some_and(|want| want != item.entry(name).etag) {
            return Ok(DeleteOutcome::PreconditionFailed);
        }
        self.record(name, DavChangeKind::Removed).await?;
        items.remove(name);
        Ok(DeleteOutcome::Deleted)
    }

    async fn sync_token(&self) -> Result<String, MailboxError> {
        self.shared.check()?;
        Ok(self.shared.state.record_dav_changes(self.collection, &[]).await?.to_string())
    }

    async fn changes_since(&self, token: &str) -> Result<Option<ItemChanges>, MailboxError> {
        self.shared.check()?;
        let Ok(token) = token.parse::<SyncToken>() else { return Ok(None) };
        // Under the items lock, so the log and the items agree.
        let dav = self.shared.dav.lock().await;
        let (log, token) = match self.shared.state.dav_changes_since(self.collection, &token).await? {
            DavDelta::Changes { changes, token } => (changes, token),
            DavDelta::InvalidToken => return Ok(None),
        };
        let items = dav.get(&self.info.id);
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        for c in log {
            match items.and_then(|i| i.get(&c.resource)) {
                Some(item) if c.kind == DavChangeKind::Changed => changed.push(item.entry(&c.resource)),
                _ => removed.push(c.resource),
            }
        }
        Ok(Some(ItemChanges { changed, removed, token: token.to_string() }))
    }
}
