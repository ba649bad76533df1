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
//! An item created over DAV keeps the client's name, kept in the state
//! store so that it survives a restart; every other item is named
//! `<source key hex>.ics` (`.vcf` in contacts folders).
//!
//! Reads do not cost an ICS round trip each: the collection listens to the
//! session's change feed (MAPI notifications), and an index caught up less
//! than [`FRESHNESS`] ago with no change announced since is used as it is.
//! Writes check their preconditions against a freshly caught-up index.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use convert::vcard::props::{VCARD_EXTRA, VCARD_MEMBERS, VCARD_UID};
use convert::{Message, NamedKey};
use mapi_client::api::{NewAttachment, NewMessage, WriteReport};
use mapi_wire::ids::{FolderId as Fid, MessageId};
use mapi_wire::tags::all_named;
use state::{CollectionId, DavChange, DavChangeKind, DavDelta, FolderKey, SyncToken};
use tokio::sync::Mutex;
use tokio::sync::broadcast::{self, error::TryRecvError};

use super::account::Session;
use super::connect::api_error;
use super::props::{item_key, mid_of, property_name};
use super::sync::FolderSync;
use crate::error::MailboxError;
use crate::items::{DeleteOutcome, ItemChanges, ItemCollection, ItemEntry, PutOutcome, WriteCondition};
use crate::model::{ChangeKind, FolderId, FolderInfo, FolderKind};

/// How long a caught-up index serves reads without asking Exchange again
/// when the change feed announced nothing: the bound on staleness should a
/// notification be lost.
const FRESHNESS: Duration = Duration::from_secs(10);

/// What a session remembers of its DAV collections.
#[derive(Default)]
pub(super) struct DavState {
    folders: Mutex<HashMap<Fid, FolderView>>,
    /// Named property ids of this mailbox for every catalogued name, so that
    /// opened items carry their PidLid properties by name (the API cannot
    /// map ids back to names).
    named: Mutex<Option<Arc<HashMap<u16, NamedKey>>>>,
    /// The folder listing collections are opened from, and when it was
    /// fetched: each DAV request opens its collection, and a hierarchy
    /// query each time would be a round trip per request.
    listing: Mutex<Option<(Instant, Vec<FolderInfo>)>>,
}

impl DavState {
    /// Adds named ids a write resolved (some created just now: a name the
    /// mailbox did not know when the map was made).
    pub(super) async fn learn_names(&self, ids: &HashMap<NamedKey, u16>) {
        let mut named = self.named.lock().await;
        let Some(map) = named.as_mut() else { return };
        if ids.values().all(|id| map.contains_key(id)) {
            return;
        }
        let mut more = HashMap::clone(map);
        more.extend(ids.iter().map(|(k, id)| (*id, k.clone())));
        *map = Arc::new(more);
    }

    /// The folder with this id: from a listing younger than [`FRESHNESS`],
    /// else (or when the listing lacks it) from a new one.
    pub(super) async fn folder(&self, session: &Session, id: &FolderId) -> Result<Option<FolderInfo>, MailboxError> {
        let mut listing = self.listing.lock().await;
        if let Some((at, all)) = listing.as_ref()
            && at.elapsed() < FRESHNESS
            && let Some(f) = all.iter().find(|f| &f.id == id)
        {
            return Ok(Some(f.clone()));
        }
        let all = session.list().await?;
        let found = all.iter().find(|f| &f.id == id).cloned();
        *listing = Some((Instant::now(), all));
        Ok(found)
    }
}

/// One folder as the session saw it last.
#[derive(Default)]
struct FolderView {
    /// Names chosen by DAV clients for the items they created.
    client_names: HashMap<MessageId, String>,
    /// Whether `client_names` was read from the state store.
    names_loaded: bool,
    /// The listing at the last catch-up; `None` before the first one in this
    /// process.
    seen: Option<BTreeMap<String, Current>>,
    /// The folder's change feed.
    events: Option<broadcast::Receiver<ChangeKind>>,
    /// When the index was last caught up with Exchange.
    checked: Option<Instant>,
    /// The folder mod-sequence stored as seen.
    seen_modseq: Option<u64>,
}

impl FolderView {
    /// Whether the index may serve without a catch-up: recent, and nothing
    /// announced since.
    fn fresh(&mut self) -> bool {
        let recent = self.seen.is_some() && self.checked.is_some_and(|t| t.elapsed() < FRESHNESS);
        recent && self.events.as_mut().is_some_and(|rx| matches!(rx.try_recv(), Err(TryRecvError::Empty)))
    }

    /// Forgets what the feed announced (the index the caller holds has it).
    fn drain(&mut self) {
        if let Some(rx) = self.events.as_mut() {
            while !matches!(rx.try_recv(), Err(TryRecvError::Empty | TryRecvError::Closed)) {}
        }
    }
}

/// Whether a refresh must ask Exchange.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Catch {
    /// Only when the index is not fresh.
    IfStale,
    /// Always (before checking a write's precondition, after a write).
    Now,
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
        let fid = Session::fid_of(&info.id)?;
        let sync = session.sync_for(fid).await?;
        let key = FolderKey::new(fid.to_wire().to_vec());
        let st = session.state.open_collection(&session.account, &key).await?;
        Ok(Self { session, info, fid, sync, collection: st.id, validity: st.token.validity, extension })
    }

    /// Catches the folder up (when needed) and logs what changed since the
    /// last look.
    async fn refresh(&self, view: &mut FolderView, catch: Catch) -> Result<BTreeMap<String, Current>, MailboxError> {
        if !view.names_loaded {
            for (name, key) in self.session.state.dav_names(self.collection).await? {
                if let Some(mid) = mid_of(&key) {
                    view.client_names.insert(mid, name);
                }
            }
            view.names_loaded = true;
        }
        if view.events.is_none() {
            view.events = Some(self.sync.subscribe());
            super::watch::ensure_task(&self.session);
        }
        let inner = if catch == Catch::IfStale && view.fresh() {
            self.sync.current(&self.session).await?
        } else {
            let inner = self.sync.catch_up(&self.session).await?;
            view.checked = Some(Instant::now());
            inner
        };
        // Under the index's lock: every announced round is in `inner`.
        view.drain();
        let gone: Vec<MessageId> = view.client_names.keys().filter(|m| !inner.items.contains_key(m)).copied().collect();
        let mut now = BTreeMap::new();
        for (mid, sum) in &inner.items {
            let name = view
                .client_names
                .get(mid)
                .cloned()
                .unwrap_or_else(|| format!("{}.{}", hex(&sum.source_key), self.extension));
            now.insert(name, Current { mid: *mid, etag: hex(&sum.change_key) });
        }
        // Read under the index's lock: no round commits in between, so the
        // mark covers exactly the listing `now` is.
        let highest = self.session.state.folder_state(self.sync.state_id).await?.highest_modseq.get();
        drop(inner);
        if !gone.is_empty() {
            let names: Vec<String> = gone.iter().filter_map(|m| view.client_names.remove(m)).collect();
            self.session.state.remove_dav_names(self.collection, &names).await?;
        }
        let mut changes = Vec::new();
        let changed = |name: &String| DavChange { resource: name.clone(), kind: DavChangeKind::Changed };
        let removed = |name: &String| DavChange { resource: name.clone(), kind: DavChangeKind::Removed };
        match &view.seen {
            Some(seen) => {
                changes.extend(now.iter().filter(|(n, c)| seen.get(*n) != Some(c)).map(|(n, _)| changed(n)));
                changes.extend(seen.keys().filter(|n| !now.contains_key(*n)).map(removed));
            }
            None => {
                // First look in this process. Items whose mod-sequence grew
                // past the one the log was complete up to changed meanwhile
                // (the folder's sync found them from its stored ICS state);
                // without that mark every item counts as changed (clients
                // compare ETags). Names the log knows that are gone now are
                // removed.
                let since = self.session.state.dav_seen_modseq(self.collection).await?;
                view.seen_modseq = since;
                match since {
                    Some(since) => {
                        let entries = self.entries(now.iter()).await?;
                        changes.extend(entries.iter().filter(|e| e.modseq > since).map(|e| changed(&e.name)));
                    }
                    None => changes.extend(now.keys().map(changed)),
                }
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
        if (!changes.is_empty() || view.seen_modseq.is_none()) && view.seen_modseq != Some(highest) {
            self.session.state.set_dav_seen_modseq(self.collection, highest).await?;
            view.seen_modseq = Some(highest);
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

    /// Every catalogued named property's id in this mailbox, and those
    /// DAV writes created since.
    async fn named(&self) -> Result<Arc<HashMap<u16, NamedKey>>, MailboxError> {
        let mut named = self.session.dav.named.lock().await;
        if let Some(map) = named.as_ref() {
            return Ok(map.clone());
        }
        // The catalogue and convert's own vCard properties (the client's
        // UID, its group members, lines with no MAPI home).
        let own = [&VCARD_UID, &VCARD_EXTRA, &VCARD_MEMBERS];
        let keys: Vec<NamedKey> = all_named().chain(own).map(NamedKey::from).collect();
        let names: Vec<_> = keys.iter().map(property_name).collect();
        let ids =
            self.session.mailbox.property_ids(&names, false).await.map_err(|e| api_error(e, "named properties"))?;
        let mut map: HashMap<u16, NamedKey> = ids.into_iter().zip(keys).filter(|(id, _)| *id >= 0x8000).collect();
        map.extend(self.session.names.iter().map(|(k, v)| (*k, v.clone())));
        let map = Arc::new(map);
        *named = Some(map.clone());
        Ok(map)
    }

    /// Makes an existing message exactly `message` (properties, attendees,
    /// exceptions, photo).
    async fn replace(&self, mid: MessageId, message: &Message) -> Result<(), MailboxError> {
        let named = self.named().await?;
        self.session.replace_item(self.fid, mid, message, &named).await
    }

    /// Saves a new message (not submitted); its MID. Attachments holding
    /// messages (exceptions) are written by a rewrite right after: the
    /// create call cannot carry embedded messages.
    async fn create(&self, message: &Message) -> Result<MessageId, MailboxError> {
        let content = self.session.item_content(message).await?;
        let embedded = content.attachments.iter().any(|a| a.embedded.is_some());
        let attachments = if embedded {
            Vec::new()
        } else {
            content.attachments.iter().map(|a| NewAttachment { properties: a.properties.clone() }).collect()
        };
        let new = NewMessage {
            folder: self.fid,
            properties: content.properties.clone(),
            recipient_columns: content.recipient_columns.clone(),
            recipients: content.recipients.clone(),
            attachments,
            search_key: None,
        }
        .with_unique_search_key()
        .map_err(|e| api_error(e, "new item"))?;
        let mid =
            match self.session.mailbox.create_message(&new, false).await.map_err(|e| api_error(e, "create item"))? {
                WriteReport::Done(mid) | WriteReport::Landed(mid) => mid,
                WriteReport::NotLanded => {
                    return Err(MailboxError::Unavailable("the item was not stored; try again".into()));
                }
            };
        if embedded {
            self.session
                .mailbox
                .replace_message(self.fid, mid, &content, &[], &[])
                .await
                .map_err(|e| api_error(e, "store exceptions"))?;
        }
        Ok(mid)
    }
}

#[async_trait]
impl ItemCollection for ExchangeCollection {
    fn info(&self) -> &FolderInfo {
        &self.info
    }

    async fn list(&self) -> Result<Vec<ItemEntry>, MailboxError> {
        let mut folders = self.session.dav.folders.lock().await;
        let now = self.refresh(folders.entry(self.fid).or_default(), Catch::IfStale).await?;
        drop(folders);
        self.entries(now.iter()).await
    }

    async fn get(&self, name: &str) -> Result<Option<(ItemEntry, Message)>, MailboxError> {
        let mut folders = self.session.dav.folders.lock().await;
        let now = self.refresh(folders.entry(self.fid).or_default(), Catch::IfStale).await?;
        drop(folders);
        let Some(c) = now.get(name) else { return Ok(None) };
        let named = self.named().await?;
        let message = super::render::open_with(&self.session, self.fid, c.mid, &named).await?;
        Ok(Some((self.entry(name, c).await?, message)))
    }

    async fn put(&self, name: &str, message: Message, condition: &WriteCondition) -> Result<PutOutcome, MailboxError> {
        let mut folders = self.session.dav.folders.lock().await;
        let view = folders.entry(self.fid).or_default();
        let now = self.refresh(view, Catch::Now).await?;
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
                self.session.state.set_dav_name(self.collection, name, &item_key(mid)).await?;
                view.client_names.insert(mid, name.to_owned());
                mid
            }
        };
        let now = self.refresh(view, Catch::Now).await?;
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
        let now = self.refresh(view, Catch::Now).await?;
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
        self.refresh(view, Catch::Now).await?;
        Ok(DeleteOutcome::Deleted)
    }

    async fn sync_token(&self) -> Result<String, MailboxError> {
        let mut folders = self.session.dav.folders.lock().await;
        self.refresh(folders.entry(self.fid).or_default(), Catch::IfStale).await?;
        Ok(self.session.state.record_dav_changes(self.collection, &[]).await?.to_string())
    }

    async fn changes_since(&self, token: &str) -> Result<Option<ItemChanges>, MailboxError> {
        let Ok(token) = token.parse::<SyncToken>() else { return Ok(None) };
        let mut folders = self.session.dav.folders.lock().await;
        let now = self.refresh(folders.entry(self.fid).or_default(), Catch::IfStale).await?;
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
