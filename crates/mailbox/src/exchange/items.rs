//! [`ItemCollection`] over Exchange: calendar, task and contact folders as
//! whole MAPI messages for CalDAV and CardDAV.
//!
//! The folder's ICS index ([`FolderSync`]) is the listing: every item with
//! its source key and change key (the ETag is the hex of PidTagChangeKey).
//! Each DAV operation first catches the index up and compares it with what
//! this session saw last; the difference goes into the state store's DAV
//! change log, so writes through DAV and changes made by other clients
//! reach sync tokens by one road.
//!
//! An item created over DAV keeps the client's name for the session's
//! lifetime; every other item is named `<source key hex>.ics` (`.vcf` in
//! contacts folders).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use async_trait::async_trait;
use convert::{Message, NamedKey};
use mapi_client::api::WriteReport;
use mapi_wire::ids::{FolderId as Fid, MessageId};
use mapi_wire::tags::all_named;
use state::{CollectionId, DavChange, DavChangeKind, DavDelta, FolderKey, SyncToken};
use tokio::sync::{Mutex, OnceCell};

use super::account::Session;
use super::connect::api_error;
use super::props::{item_key, property_name};
use super::sync::FolderSync;
use crate::error::MailboxError;
use crate::items::{DeleteOutcome, ItemChanges, ItemCollection, ItemEntry, PutOutcome, WriteCondition};
use crate::model::{FolderInfo, FolderKind};

/// What a session remembers of its DAV collections.
#[derive(Default)]
pub(super) struct DavState {
    folders: Mutex<HashMap<Fid, FolderView>>,
    /// Named property ids of this mailbox for every catalogued name, so that
    /// opened items carry their PidLid properties by name (the API cannot
    /// map ids back to names).
    named: OnceCell<HashMap<u16, NamedKey>>,
}

/// One folder as the session saw it last.
#[derive(Default)]
struct FolderView {
    /// Names chosen by DAV clients for the items they created.
    client_names: HashMap<MessageId, String>,
    /// The listing at the last catch-up; `None` before the first one in this
    /// process.
    seen: Option<BTreeMap<String, Current>>,
}

/// One item of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Current {
    mid: MessageId,
    etag: String,
}

/// The items of one calendar, task or contacts folder.
pub(super) struct ExchangeCollection {
    session: Arc<Session>,
    info: FolderInfo,
    fid: Fid,
    sync: Arc<FolderSync>,
    collection: CollectionId,
    validity: u32,
    extension: &'static str,
}

impl ExchangeCollection {
    /// The collection of a calendar, task or contacts folder.
    pub(super) async fn open(session: Arc<Session>, info: FolderInfo) -> Result<Self, MailboxError> {
        let extension = match info.kind {
            FolderKind::Calendar | FolderKind::Tasks => "ics",
            FolderKind::Contacts => "vcf",
            _ => return Err(MailboxError::NotPermitted(format!("{} holds no calendar or contact items", info.path))),
        };
        let fid = session.fid_of(&info.id)?;
        let sync = session.sync_for(fid).await?;
        let key = FolderKey::new(fid.to_wire().to_vec());
        let st = session.state.open_collection(&session.account, &key).await?;
        Ok(Self { session, info, fid, sync, collection: st.id, validity: st.token.validity, extension })
    }

    /// Catches the folder up and logs what changed since the last look.
    async fn refresh(&self, view: &mut FolderView) -> Result<BTreeMap<String, Current>, MailboxError> {
        let inner = self.sync.catch_up(&self.session).await?;
        let mut now = BTreeMap::new();
        for (mid, sum) in &inner.items {
            let name = view
                .client_names
                .get(mid)
                .cloned()
                .unwrap_or_else(|| format!("{}.{}", hex(&sum.source_key), self.extension));
            now.insert(name, Current { mid: *mid, etag: hex(&sum.change_key) });
        }
        drop(inner);
        let mut changes = Vec::new();
        let changed = |name: &String| DavChange { resource: name.clone(), kind: DavChangeKind::Changed };
        let removed = |name: &String| DavChange { resource: name.clone(), kind: DavChangeKind::Removed };
        match &view.seen {
            Some(seen) => {
                changes.extend(now.iter().filter(|(n, c)| seen.get(*n) != Some(c)).map(|(n, _)| changed(n)));
                changes.extend(seen.keys().filter(|n| !now.contains_key(*n)).map(removed));
            }
            None => {
                // Nothing tells what changed while no session looked: every
                // item counts as changed (clients compare ETags), and names
                // the log knows that are gone now as removed.
                changes.extend(now.keys().map(changed));
                let start = SyncToken { validity: self.validity, seq: 0 };
                if let DavDelta::Changes { changes: logged, .. } =
                    self.session.state.dav_changes_since(self.collection, &start).await?
                {
                    changes.extend(
                        logged
                            .iter()
                            .filter(|c| c.kind == DavChangeKind::Changed && !now.contains_key(&c.resource))
                            .map(|c| removed(&c.resource)),
                    );
                }
            }
        }
        if !changes.is_empty() {
            self.session.state.record_dav_changes(self.collection, &changes).await?;
        }
        view.seen = Some(now.clone());
        Ok(now)
    }

    /// Entries with their mod-sequences from the folder's state.
    async fn entries<'a>(
        &self,
        items: impl Iterator<Item = (&'a String, &'a Current)>,
    ) -> Result<Vec<ItemEntry>, MailboxError> {
        let items: Vec<_> = items.collect();
        let keys: Vec<_> = items.iter().map(|(_, c)| item_key(c.mid)).collect();
        let records = self.session.state.items_by_key(self.sync.state_id, &keys).await?;
        Ok(items
            .into_iter()
            .zip(records)
            .map(|((name, c), r)| ItemEntry {
                name: name.clone(),
                etag: c.etag.clone(),
                modseq: r.map_or(0, |r| r.modseq.get()),
            })
            .collect())
    }

    async fn entry(&self, name: &str, c: &Current) -> Result<ItemEntry, MailboxError> {
        let name = name.to_owned();
        let mut e = self.entries(std::iter::once((&name, c))).await?;
        e.pop().ok_or_else(|| MailboxError::Internal("no entry for an item".into()))
    }

    /// Every catalogued named property's id in this mailbox.
    async fn named(&self) -> Result<&HashMap<u16, NamedKey>, MailboxError> {
        self.session
            .dav
            .named
            .get_or_try_init(|| async {
                let keys: Vec<NamedKey> = all_named().map(NamedKey::from).collect();
                let names: Vec<_> = keys.iter().map(property_name).collect();
                let ids = self
                    .session
                    .mailbox
                    .property_ids(&names, false)
                    .await
                    .map_err(|e| api_error(e, "named properties"))?;
                let mut map: HashMap<u16, NamedKey> =
                    ids.into_iter().zip(keys).filter(|(id, _)| *id >= 0x8000).collect();
                map.extend(self.session.names.iter().map(|(k, v)| (*k, v.clone())));
                Ok(map)
            })
            .await
    }

    /// Writes a new version of an existing message's properties.
    async fn replace(&self, mid: MessageId, message: &Message) -> Result<(), MailboxError> {
        let new = self.session.new_message(self.fid, message).await?;
        self.session
            .mailbox
            .update_message(self.fid, mid, &new.properties, &[])
            .await
            .map_err(|e| api_error(e, "update item"))
    }

    /// Saves a new message (not submitted); its MID.
    async fn create(&self, message: &Message) -> Result<MessageId, MailboxError> {
        let new = self.session.new_message(self.fid, message).await?;
        match self.session.mailbox.create_message(&new, false).await.map_err(|e| api_error(e, "create item"))? {
            WriteReport::Done(mid) | WriteReport::Landed(mid) => Ok(mid),
            WriteReport::NotLanded => Err(MailboxError::Unavailable("the item was not stored; try again".into())),
        }
    }
}

#[async_trait]
impl ItemCollection for ExchangeCollection {
    fn info(&self) -> &FolderInfo {
        &self.info
    }

    async fn list(&self) -> Result<Vec<ItemEntry>, MailboxError> {
        let mut folders = self.session.dav.folders.lock().await;
        let now = self.refresh(folders.entry(self.fid).or_default()).await?;
        drop(folders);
        self.entries(now.iter()).await
    }

    async fn get(&self, name: &str) -> Result<Option<(ItemEntry, Message)>, MailboxError> {
        let mut folders = self.session.dav.folders.lock().await;
        let now = self.refresh(folders.entry(self.fid).or_default()).await?;
        drop(folders);
        let Some(c) = now.get(name) else { return Ok(None) };
        let named = self.named().await?;
        let message = super::render::open_with(&self.session, self.fid, c.mid, named).await?;
        Ok(Some((self.entry(name, c).await?, message)))
    }

    async fn put(&self, name: &str, message: Message, condition: &WriteCondition) -> Result<PutOutcome, MailboxError> {
        let mut folders = self.session.dav.folders.lock().await;
        let view = folders.entry(self.fid).or_default();
        let now = self.refresh(view).await?;
        let existing = now.get(name);
        let allowed = match (condition, existing) {
            (WriteCondition::Always, _) => true,
            (WriteCondition::IfAbsent, e) => e.is_none(),
            (WriteCondition::IfMatch(want), Some(have)) => *want == have.etag,
            (WriteCondition::IfMatch(_), None) => false,
        };
        if !allowed {
            return Ok(PutOutcome::PreconditionFailed);
        }
        let mid = match existing {
            Some(c) => {
                self.replace(c.mid, &message).await?;
                c.mid
            }
            None => {
                let mid = self.create(&message).await?;
                view.client_names.insert(mid, name.to_owned());
                mid
            }
        };
        let now = self.refresh(view).await?;
        let etag = now
            .get(name)
            .filter(|c| c.mid == mid)
            .map(|c| c.etag.clone())
            .ok_or_else(|| MailboxError::Unavailable(format!("{name} is not listed after the write yet")))?;
        Ok(if existing.is_some() { PutOutcome::Replaced(etag) } else { PutOutcome::Created(etag) })
    }

    async fn delete(&self, name: &str, if_match: Option<&str>) -> Result<DeleteOutcome, MailboxError> {
        let mut folders = self.session.dav.folders.lock().await;
        let view = folders.entry(self.fid).or_default();
        let now = self.refresh(view).await?;
        let Some(c) = now.get(name) else { return Ok(DeleteOutcome::NotFound) };
        if if_match.is_some_and(|want| want != c.etag) {
            return Ok(DeleteOutcome::PreconditionFailed);
        }
        // Soft: the item stays recoverable in Exchange, as Outlook deletes.
        self.session
            .mailbox
            .delete_messages(self.fid, &[c.mid], false)
            .await
            .map_err(|e| api_error(e, "delete item"))?;
        view.client_names.remove(&c.mid);
        self.refresh(view).await?;
        Ok(DeleteOutcome::Deleted)
    }

    async fn sync_token(&self) -> Result<String, MailboxError> {
        let mut folders = self.session.dav.folders.lock().await;
        self.refresh(folders.entry(self.fid).or_default()).await?;
        Ok(self.session.state.record_dav_changes(self.collection, &[]).await?.to_string())
    }

    async fn changes_since(&self, token: &str) -> Result<Option<ItemChanges>, MailboxError> {
        let Ok(token) = token.parse::<SyncToken>() else { return Ok(None) };
        let mut folders = self.session.dav.folders.lock().await;
        let now = self.refresh(folders.entry(self.fid).or_default()).await?;
        // Still under the lock: the log and the listing agree.
        let (log, token) = match self.session.state.dav_changes_since(self.collection, &token).await? {
            DavDelta::Changes { changes, token } => (changes, token),
            DavDelta::InvalidToken => return Ok(None),
        };
        drop(folders);
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        for c in log {
            match now.get_key_value(&c.resource) {
                Some(item) if c.kind == DavChangeKind::Changed => changed.push(item),
                _ => removed.push(c.resource),
            }
        }
        let changed = self.entries(changed.into_iter()).await?;
        Ok(Some(ItemChanges { changed, removed, token: token.to_string() }))
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
