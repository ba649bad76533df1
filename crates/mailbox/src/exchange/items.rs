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
//! session's change feed (MAPI notifications, each turned into a catch-up
//! of the index by the feed's task), and an index caught up less than
//! [`FRESHNESS`] ago is used as it is.
//!
//! Writes cost a fixed number of round trips whatever the folder's size:
//! the item is written, its new change key read back, and the view takes
//! the write in (its ETag, a change-log entry) without a catch-up; until
//! the index has caught up with the write, the view's own version of the
//! item stands in for the index's. An If-Match is checked against the
//! change key Exchange has when the item is rewritten, not only against
//! the index.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use convert::vcard::props::{VCARD_EXTRA, VCARD_MEMBERS, VCARD_UID};
use convert::{Message, NamedKey};
use mapi_client::api::{NewAttachment, NewMessage, WriteReport};
use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId as Fid, MessageId};
use mapi_wire::prop_value::PropValue;
use mapi_wire::tags::all_named;
use state::{CollectionId, DavChange, DavChangeKind, DavDelta, FolderKey, SyncToken};
use tokio::sync::Mutex;
use tokio::sync::broadcast::{self, error::TryRecvError};

use super::account::Session;
use super::connect::api_error;
use super::props::{item_key, mid_of, property_name};
use super::sync::FolderSync;
use crate::error::MailboxError;
use crate::items::{
    Candidate, DeleteOutcome, ItemChanges, ItemCollection, ItemEntry, ItemQuery, PutOutcome, WriteCondition,
};
use crate::model::{ChangeKind, FolderId, FolderInfo, FolderKind};

#[path = "item_query.rs"]
mod query;

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

    /// The ids of `keys` when this session has mapped every one of them.
    pub(super) async fn known_ids(&self, keys: &[NamedKey]) -> Option<HashMap<NamedKey, u16>> {
        let named = self.named.lock().await;
        let map = named.as_ref()?;
        let reverse: HashMap<&NamedKey, u16> = map.iter().map(|(id, k)| (k, *id)).collect();
        keys.iter().map(|k| reverse.get(k).map(|id| (k.clone(), *id))).collect()
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
    /// Writes through this view that the index has not caught up with.
    pending: HashMap<MessageId, Pending>,
}

/// An item written (or deleted) through the view, as the write left it.
struct Pending {
    name: String,
    /// The change key the write answered; `None` for a deletion.
    change_key: Option<Vec<u8>>,
    /// When the write was answered: a catch-up begun later has it.
    at: Instant,
}

impl FolderView {
    /// Whether the index may serve without a catch-up: caught up recently
    /// and the folder not reset. Announced changes need none: the feed's
    /// catch-up that announced them put them in the index.
    fn fresh(&mut self) -> bool {
        let recent = self.seen.is_some() && self.checked.is_some_and(|t| t.elapsed() < FRESHNESS);
        let Some(rx) = self.events.as_mut().filter(|_| recent) else { return false };
        loop {
            match rx.try_recv() {
                Ok(ChangeKind::Reset) | Err(TryRecvError::Closed) => return false,
                Ok(_) | Err(TryRecvError::Lagged(_)) => {}
                Err(TryRecvError::Empty) => return true,
            }
        }
    }

    /// Forgets what the feed announced (the index the caller holds has it).
    fn drain(&mut self) {
        if let Some(rx) = self.events.as_mut() {
            while !matches!(rx.try_recv(), Err(TryRecvError::Empty | TryRecvError::Closed)) {}
        }
    }
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

    /// Catches the folder up (when needed) and logs what changed since the
    /// last look.
    async fn refresh(&self, view: &mut FolderView) -> Result<BTreeMap<String, Current>, MailboxError> {
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
        let (inner, caught) = if view.fresh() {
            (self.sync.current(&self.session).await?, None)
        } else {
            let began = Instant::now();
            let inner = self.sync.catch_up(&self.session).await?;
            view.checked = Some(Instant::now());
            (inner, Some(began))
        };
        // Under the index's lock: every announced round is in `inner`.
        view.drain();
        view.pending.retain(|mid, p| {
            if caught.is_some_and(|began| began > p.at) {
                return false;
            }
            match (&p.change_key, inner.items.get(mid)) {
                // Until the index has this version (or a later one).
                (Some(ck), Some(sum)) => sum.change_key != *ck && !later_change(&sum.change_key, ck),
                // Created, not indexed yet; deleted, still indexed.
                (Some(_), None) | (None, Some(_)) => true,
                (None, None) => false,
            }
        });
        let gone: Vec<MessageId> = view
            .client_names
            .keys()
            .filter(|m| !inner.items.contains_key(m) && !view.pending.contains_key(m))
            .copied()
            .collect();
        let mut now = BTreeMap::new();
        for (mid, sum) in &inner.items {
            let name = view
                .client_names
                .get(mid)
                .cloned()
                .unwrap_or_else(|| format!("{}.{}", hex(&sum.source_key), self.extension));
            let etag = match view.pending.get(mid) {
                Some(Pending { change_key: None, .. }) => continue,
                Some(Pending { change_key: Some(ck), .. }) => hex(ck),
                None => hex(&sum.change_key),
            };
            now.insert(name, Current { mid: *mid, etag });
        }
        for (mid, p) in &view.pending {
            if let (Some(ck), false) = (&p.change_key, inner.items.contains_key(mid)) {
                now.insert(p.name.clone(), Current { mid: *mid, etag: hex(ck) });
            }
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
        // Also when nothing visible changed: the index may have caught up
        // with a write this view took in already, whose mod-sequence must
        // not count as a change after a restart.
        if view.seen_modseq != Some(highest) {
            self.session.state.set_dav_seen_modseq(self.collection, highest).await?;
            view.seen_modseq = Some(highest);
        }
        view.seen = Some(now.clone());
        Ok(now)
    }

    /// The item `name` as a write finds it: from the view's listing while
    /// that is recent, without waiting for the index (a catch-up of the
    /// change feed may hold it); else from a refresh. Other clients'
    /// changes the listing may miss are caught where they matter: an
    /// If-Match is checked against Exchange, and an item deleted meanwhile
    /// fails the rewrite.
    async fn current_item(&self, view: &mut FolderView, name: &str) -> Result<Option<Current>, MailboxError> {
        if view.checked.is_some_and(|t| t.elapsed() < FRESHNESS)
            && let Some(seen) = &view.seen
        {
            return Ok(seen.get(name).cloned());
        }
        Ok(self.refresh(view).await?.get(name).cloned())
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
    /// exceptions, photo); with `if_etag`, only at that version (false
    /// when it is not).
    async fn replace(&self, mid: MessageId, message: &Message, if_etag: Option<&str>) -> Result<bool, MailboxError> {
        let named = self.named().await?;
        let want = match if_etag.map(unhex) {
            Some(Some(ck)) => Some(ck),
            // Not an ETag this collection gave: no version has it.
            Some(None) => return Ok(false),
            None => None,
        };
        self.session.replace_item(self.fid, mid, message, &named, want.as_deref()).await
    }

    /// The change key of message `mid` as Exchange has it now.
    async fn change_key(&self, mid: MessageId) -> Result<Vec<u8>, MailboxError> {
        let values = self
            .session
            .mailbox
            .message_properties(self.fid, mid, Some(&[PropTag::CHANGE_KEY]))
            .await
            .map_err(|e| api_error(e, "read the item's version"))?;
        values
            .into_iter()
            .find_map(|v| match v.value {
                PropValue::Binary(b) if v.tag == PropTag::CHANGE_KEY => Some(b),
                _ => None,
            })
            .ok_or_else(|| MailboxError::Unavailable("Exchange answered no change key for the item".into()))
    }

    /// Saves a new message (not submitted); its MID. Attachments holding
    /// messages (exceptions) are written by a rewrite right after: the
    /// create call cannot carry embedded messages.
    async fn create(&self, message: &Message) -> Result<MessageId, MailboxError> {
        // Loads the session's named-property map (once), so that the
        // content's names resolve without a round trip.
        self.named().await?;
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
        let message = super::render::open_with(&self.session, self.fid, c.mid, &named).await?;
        Ok(Some((self.entry(name, c).await?, message)))
    }

    async fn put(&self, name: &str, message: Message, condition: &WriteCondition) -> Result<PutOutcome, MailboxError> {
        let mut folders = self.session.dav.folders.lock().await;
        let view = folders.entry(self.fid).or_default();
        let mut existing = self.current_item(view, name).await?;
        let allowed = match (condition, &existing) {
            (WriteCondition::Always, _) => true,
            (WriteCondition::IfAbsent, e) => e.is_none(),
            (WriteCondition::IfMatch(want), Some(have)) => *want == have.etag,
            (WriteCondition::IfMatch(_), None) => false,
        };
        if !allowed {
            return Ok(PutOutcome::PreconditionFailed);
        }
        if let Some(c) = &existing {
            let if_etag = match condition {
                WriteCondition::IfMatch(want) => Some(want.as_str()),
                _ => None,
            };
            match self.replace(c.mid, &message, if_etag).await {
                Ok(true) => {}
                Ok(false) => return Ok(PutOutcome::PreconditionFailed),
                // Deleted meanwhile by another client: no version matches,
                // and a plain PUT creates it again.
                Err(MailboxError::NoSuchFolder(_)) if if_etag.is_none() => existing = None,
                Err(MailboxError::NoSuchFolder(_)) => return Ok(PutOutcome::PreconditionFailed),
                Err(e) => return Err(e),
            }
        }
        let mid = match &existing {
            Some(c) => c.mid,
            None => {
                let mid = self.create(&message).await?;
                self.session.state.set_dav_name(self.collection, name, &item_key(mid)).await?;
                view.client_names.insert(mid, name.to_owned());
                mid
            }
        };
        let change_key = self.change_key(mid).await?;
        let etag = hex(&change_key);
        // The view takes the write in as a catch-up would have shown it.
        let changed = DavChange { resource: name.to_owned(), kind: DavChangeKind::Changed };
        self.session.state.record_dav_changes(self.collection, &[changed]).await?;
        if let Some(seen) = view.seen.as_mut() {
            seen.insert(name.to_owned(), Current { mid, etag: etag.clone() });
        }
        view.pending.insert(mid, Pending { name: name.to_owned(), change_key: Some(change_key), at: Instant::now() });
        Ok(if existing.is_some() { PutOutcome::Replaced(etag) } else { PutOutcome::Created(etag) })
    }

    async fn delete(&self, name: &str, if_match: Option<&str>) -> Result<DeleteOutcome, MailboxError> {
        let mut folders = self.session.dav.folders.lock().await;
        let view = folders.entry(self.fid).or_default();
        let Some(c) = self.current_item(view, name).await? else { return Ok(DeleteOutcome::NotFound) };
        if let Some(want) = if_match {
            // Against the version Exchange has, not only the index's.
            let have = match self.change_key(c.mid).await {
                Ok(ck) => hex(&ck),
                Err(MailboxError::NoSuchFolder(_)) => return Ok(DeleteOutcome::PreconditionFailed),
                Err(e) => return Err(e),
            };
            if want != c.etag || want != have {
                return Ok(DeleteOutcome::PreconditionFailed);
            }
        }
        // Soft: the item stays recoverable in Exchange, as Outlook deletes.
        self.session
            .mailbox
            .delete_messages(self.fid, &[c.mid], false)
            .await
            .map_err(|e| api_error(e, "delete item"))?;
        let removed = DavChange { resource: name.to_owned(), kind: DavChangeKind::Removed };
        self.session.state.record_dav_changes(self.collection, &[removed]).await?;
        if let Some(seen) = view.seen.as_mut() {
            seen.remove(name);
        }
        view.pending.insert(c.mid, Pending { name: name.to_owned(), change_key: None, at: Instant::now() });
        Ok(DeleteOutcome::Deleted)
    }

    async fn sync_token(&self) -> Result<String, MailboxError> {
        let mut folders = self.session.dav.folders.lock().await;
        self.refresh(settled(folders.entry(self.fid).or_default())).await?;
        Ok(self.session.state.record_dav_changes(self.collection, &[]).await?.to_string())
    }

    async fn changes_since(&self, token: &str) -> Result<Option<ItemChanges>, MailboxError> {
        let Ok(token) = token.parse::<SyncToken>() else { return Ok(None) };
        let mut folders = self.session.dav.folders.lock().await;
        let now = self.refresh(settled(folders.entry(self.fid).or_default())).await?;
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

    async fn candidates(&self, query: &ItemQuery) -> Result<Option<Vec<Candidate>>, MailboxError> {
        self.query_candidates(query).await.map(Some)
    }
}

/// The view, made to catch up with Exchange on its next refresh when it
/// holds writes the index lacks: a sync token handed out is then backed by
/// an index (and a stored mod-sequence mark) that has them, so a restart
/// does not report them again.
fn settled(view: &mut FolderView) -> &mut FolderView {
    if !view.pending.is_empty() {
        view.checked = None;
    }
    view
}

/// Whether change key `a` names a later change than `b`: both XIDs of the
/// same replica ([MS-OXCFXICS] 2.2.2.2: a GUID then a big-endian counter
/// that only grows). Keys of different replicas are not ordered.
fn later_change(a: &[u8], b: &[u8]) -> bool {
    match (a.split_at_checked(16), b.split_at_checked(16)) {
        (Some((ga, ca)), Some((gb, cb))) => ga == gb && ca.len() == cb.len() && ca > cb,
        _ => false,
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
