//! [`Folder`] over the in-memory mailbox.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use async_trait::async_trait;
use convert::{NamedKey, ParseOptions};
use futures_core::Stream;
use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{NamedProp, PidName};
use state::{FlagChange, GatewayFlags, ItemKey, ItemRecord, Uid, UidSet};
use tokio::sync::mpsc;

use super::{Inner, MemFolder, MemItem, Shared, Subscriber};
use crate::account::{ChangeStream, Folder};
use crate::error::MailboxError;
use crate::flags::{Flag, FlagOp, Flags};
use crate::mapi::envelope::{envelope_of, internal_date_of};
use crate::mapi::eval;
use crate::mapi::flags::{MapiFlagState, initial_message_flags};
use crate::mapi::search::{PlanOptions, plan};
use crate::model::{
    AppendOutcome, AppendRequest, ChangeEvent, ChangeKind, CopyOutcome, ExpungeMode, FetchFields, FolderId, FolderInfo,
    MessageData, MoveOutcome, SelectInfo, SpecialUse, StoreKind, StoreOutcome, Timestamp,
};
use crate::search::{SearchView, evaluate};

/// The in-memory mailbox's id of PidNameKeywords (the only named property it
/// needs).
const KEYWORDS_ID: u16 = 0x8000;

fn resolve(p: &NamedProp) -> Option<PropTag> {
    (*p == PidName::KEYWORDS).then(|| p.tag(KEYWORDS_ID))
}

fn names(tag: PropTag) -> Option<NamedKey> {
    (tag.id() == KEYWORDS_ID).then(|| NamedKey::from(&PidName::KEYWORDS))
}

/// One folder of a [`super::MemoryAccount`].
pub struct MemoryFolder {
    shared: Arc<Shared>,
    info: FolderInfo,
}

impl MemoryFolder {
    pub(super) fn new(shared: Arc<Shared>, info: FolderInfo) -> Self {
        Self { shared, info }
    }
}

pub(super) fn now() -> Timestamp {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
}

fn folder<'a>(inner: &'a Inner, id: &FolderId) -> Result<&'a MemFolder, MailboxError> {
    inner.folders.get(id).ok_or_else(|| MailboxError::NoSuchFolder(format!("{id:?}")))
}

fn folder_mut<'a>(inner: &'a mut Inner, id: &FolderId) -> Result<&'a mut MemFolder, MailboxError> {
    inner.folders.get_mut(id).ok_or_else(|| MailboxError::NoSuchFolder(format!("{id:?}")))
}

impl Shared {
    /// The flags of an item: from its MAPI properties, `\Deleted` from state.
    fn flags_of(&self, item: &MemItem, record: &ItemRecord) -> Flags {
        let mut f = MapiFlagState::from_bag(&item.message.props).flags(&self.config.categories);
        f.set(Flag::Deleted, record.flags.contains(GatewayFlags::DELETED));
        f
    }

    /// Parses a message into an item with `flags` applied to its properties.
    pub(super) fn make_item(&self, raw: Vec<u8>, flags: &Flags, date: Timestamp) -> Result<MemItem, MailboxError> {
        if raw.len() > self.config.max_message_size {
            return Err(MailboxError::TooLarge { limit: self.config.max_message_size });
        }
        let opts = ParseOptions {
            max_size: self.config.max_message_size,
            delivery_time: FileTime::from_unix_seconds(date.0),
            ..ParseOptions::default()
        };
        let mut message = convert::from_mime(&raw, &opts).map_err(|e| MailboxError::Invalid(e.to_string()))?;
        let size = i32::try_from(raw.len()).unwrap_or(i32::MAX);
        let _ = message.props.insert(PropTag::MESSAGE_SIZE, PropValue::I32(size));
        let _ = message.props.insert(PropTag::MESSAGE_FLAGS, PropValue::I32(initial_message_flags(flags)));
        let write = MapiFlagState::from_bag(&message.props).write_for(flags, &self.config.categories);
        write.apply_to(&mut message.props);
        let envelope = envelope_of(&message);
        let internal_date = internal_date_of(&message).unwrap_or(date);
        Ok(MemItem { message, raw: raw.into(), internal_date, envelope })
    }

    /// Adds items to a folder in the given order; returns their UIDs.
    async fn add_items(
        &self,
        inner: &mut Inner,
        id: &FolderId,
        items: Vec<(ItemKey, MemItem)>,
    ) -> Result<Vec<Uid>, MailboxError> {
        let f = folder_mut(inner, id)?;
        let keys: Vec<ItemKey> = items.iter().map(|(k, _)| k.clone()).collect();
        let uids = self.state.assign_uids(f.state_id, &keys).await?;
        f.items.extend(items);
        let exists = u32::try_from(f.items.len()).unwrap_or(u32::MAX);
        inner.notify(id, ChangeKind::Exists { uids: uids.iter().copied().collect(), exists });
        Ok(uids)
    }

    /// Removes items from a folder; returns them with their old UIDs.
    async fn remove_items(
        &self,
        inner: &mut Inner,
        id: &FolderId,
        records: &[ItemRecord],
    ) -> Result<Vec<MemItem>, MailboxError> {
        let f = folder_mut(inner, id)?;
        let keys: Vec<ItemKey> = records.iter().map(|r| r.key.clone()).collect();
        self.state.remove_items(f.state_id, &keys).await?;
        let items = keys.iter().filter_map(|k| f.items.remove(k)).collect();
        let uids: UidSet = records.iter().map(|r| r.uid).collect();
        if !uids.is_empty() {
            inner.notify(id, ChangeKind::Expunged { uids });
        }
        Ok(items)
    }
}

/// [`super::MemoryAccount::deliver`].
pub(super) async fn deliver(
    shared: &Shared,
    id: &FolderId,
    messages: Vec<(Vec<u8>, Timestamp)>,
) -> Result<Vec<Uid>, MailboxError> {
    let mut order: Vec<usize> = (0..messages.len()).collect();
    order.sort_by_key(|&i| messages.get(i).map(|m| m.1));
    let mut made = Vec::with_capacity(messages.len());
    for (raw, date) in messages {
        made.push(Some(shared.make_item(raw, &Flags::new(), date)?));
    }
    let mut items = Vec::with_capacity(made.len());
    let mut keys = vec![None; made.len()];
    for &i in &order {
        let key = ItemKey::new(shared.new_key());
        if let (Some(slot), Some(item)) = (keys.get_mut(i), made.get_mut(i).and_then(Option::take)) {
            *slot = Some(items.len());
            items.push((key, item));
        }
    }
    let mut inner = shared.inner.lock().await;
    let uids = shared.add_items(&mut inner, id, items).await?;
    Ok(keys.into_iter().filter_map(|k| k.and_then(|k| uids.get(k).copied())).collect())
}

/// The change feed stream of one subscriber.
struct Feed(mpsc::Receiver<ChangeEvent>);

impl Stream for Feed {
    type Item = ChangeEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ChangeEvent>> {
        self.0.poll_recv(cx)
    }
}

#[async_trait]
impl Folder for MemoryFolder {
    fn info(&self) -> &FolderInfo {
        &self.info
    }

    async fn select(&self) -> Result<SelectInfo, MailboxError> {
        self.shared.check()?;
        let inner = self.shared.inner.lock().await;
        let f = folder(&inner, &self.info.id)?;
        let st = self.shared.state.folder_state(f.state_id).await?;
        let records = self.shared.state.items_by_uid(f.state_id, &UidSet::all()).await?;
        let mut unseen = 0;
        let mut size = 0;
        for r in &records {
            if let Some(item) = f.items.get(&r.key) {
                if !self.shared.flags_of(item, r).contains(&Flag::Seen) {
                    unseen += 1;
                }
                size += item.raw.len() as u64;
            }
        }
        let permanent = Flags::from([Flag::Seen, Flag::Answered, Flag::Flagged, Flag::Deleted, Flag::Forwarded]);
        Ok(SelectInfo {
            uid_validity: st.uid_validity,
            uid_next: st.uid_next,
            highest_modseq: st.highest_modseq,
            exists: st.exists,
            unseen,
            size,
            permanent_flags: permanent,
            keywords_allowed: true,
            read_only: false,
        })
    }

    async fn uids(&self) -> Result<Vec<Uid>, MailboxError> {
        self.shared.check()?;
        let inner = self.shared.inner.lock().await;
        let f = folder(&inner, &self.info.id)?;
        Ok(self.shared.state.items_by_uid(f.state_id, &UidSet::all()).await?.into_iter().map(|r| r.uid).collect())
    }

    async fn fetch(&self, uids: &UidSet, fields: FetchFields) -> Result<Vec<MessageData>, MailboxError> {
        self.shared.check()?;
        let inner = self.shared.inner.lock().await;
        let f = folder(&inner, &self.info.id)?;
        let records = match fields.changed_since {
            Some(since) => {
                let mut v = self.shared.state.changed_since(f.state_id, since).await?;
                v.retain(|r| uids.contains(r.uid));
                v
            }
            None => self.shared.state.items_by_uid(f.state_id, uids).await?,
        };
        Ok(records
            .iter()
            .filter_map(|r| {
                let item = f.items.get(&r.key)?;
                Some(MessageData {
                    uid: r.uid,
                    modseq: r.modseq,
                    flags: fields.flags.then(|| self.shared.flags_of(item, r)),
                    internal_date: fields.internal_date.then_some(item.internal_date),
                    size: fields.size.then_some(item.raw.len() as u64),
                    envelope: fields.envelope.then(|| item.envelope.clone()),
                    mime: fields.mime.then(|| item.raw.clone()),
                })
            })
            .collect())
    }

    async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, MailboxError> {
        self.shared.check()?;
        let date = request.internal_date.unwrap_or_else(now);
        let item = self.shared.make_item(request.mime, &request.flags, date)?;
        let mut inner = self.shared.inner.lock().await;
        let key = ItemKey::new(self.shared.new_key());
        let uids = self.shared.add_items(&mut inner, &self.info.id, vec![(key, item)]).await?;
        let uid = uids.first().copied().ok_or_else(|| MailboxError::Internal("no UID assigned".into()))?;
        let f = folder(&inner, &self.info.id)?;
        if request.flags.contains(&Flag::Deleted) {
            let change = FlagChange::Add(GatewayFlags::DELETED);
            self.shared
                .state
                .store_flags(f.state_id, &UidSet::from(state::UidRange::single(uid)), change, None)
                .await?;
        }
        let st = self.shared.state.folder_state(f.state_id).await?;
        Ok(AppendOutcome { uid_validity: st.uid_validity, uid })
    }

    async fn store(
        &self,
        uids: &UidSet,
        op: &FlagOp,
        unchanged_since: Option<u64>,
    ) -> Result<StoreOutcome, MailboxError> {
        self.shared.check()?;
        let mut guard = self.shared.inner.lock().await;
        let inner = &mut *guard;
        let f = folder_mut(inner, &self.info.id)?;
        let state_id = f.state_id;
        let records = self.shared.state.items_by_uid(state_id, uids).await?;
        let mut modified = UidSet::new();
        let mut applied = UidSet::new();
        let mut backend_changed = UidSet::new();
        let mut before = Vec::new();
        for r in &records {
            if unchanged_since.is_some_and(|u| r.modseq.get() > u) {
                modified.insert(r.uid);
                continue;
            }
            applied.insert(r.uid);
            let Some(item) = f.items.get_mut(&r.key) else { continue };
            let current = MapiFlagState::from_bag(&item.message.props);
            let old = self.shared.flags_of(item, r);
            let target = old.apply(op);
            let write = current.write_for(&target, &self.shared.config.categories);
            if !write.is_empty() {
                write.apply_to(&mut item.message.props);
                backend_changed.insert(r.uid);
            }
            before.push((r.uid, old));
        }
        let deleted_change = match op {
            FlagOp::Add(f) if f.contains(&Flag::Deleted) => Some(FlagChange::Add(GatewayFlags::DELETED)),
            FlagOp::Remove(f) if f.contains(&Flag::Deleted) => Some(FlagChange::Remove(GatewayFlags::DELETED)),
            FlagOp::Replace(f) if f.contains(&Flag::Deleted) => Some(FlagChange::Replace(GatewayFlags::DELETED)),
            FlagOp::Replace(_) => Some(FlagChange::Replace(GatewayFlags::EMPTY)),
            _ => None,
        };
        if let Some(change) = deleted_change.filter(|_| !applied.is_empty()) {
            self.shared.state.store_flags(state_id, &applied, change, None).await?;
        }
        if !backend_changed.is_empty() {
            self.shared.state.touch(state_id, &backend_changed).await?;
        }
        let after = self.shared.state.items_by_uid(state_id, &applied).await?;
        let mut outcome = StoreOutcome { items: Vec::new(), modified };
        let mut events = Vec::new();
        for r in &after {
            let Some(item) = inner.folders.get(&self.info.id).and_then(|f| f.items.get(&r.key)) else { continue };
            let flags = self.shared.flags_of(item, r);
            if before.iter().any(|(uid, old)| *uid == r.uid && *old != flags) {
                events.push(ChangeKind::Flags { uid: r.uid, flags: flags.clone(), modseq: r.modseq });
            }
            outcome.items.push((r.uid, flags, r.modseq));
        }
        for e in events {
            inner.notify(&self.info.id, e);
        }
        Ok(outcome)
    }

    async fn copy(&self, uids: &UidSet, target: &FolderId) -> Result<CopyOutcome, MailboxError> {
        self.shared.check()?;
        let mut inner = self.shared.inner.lock().await;
        let f = folder(&inner, &self.info.id)?;
        let records = self.shared.state.items_by_uid(f.state_id, uids).await?;
        let mut items = Vec::new();
        let mut sources = Vec::new();
        for r in &records {
            if let Some(item) = f.items.get(&r.key) {
                items.push((ItemKey::new(self.shared.new_key()), item.clone()));
                sources.push(r.uid);
            }
        }
        folder(&inner, target)?;
        let new = self.shared.add_items(&mut inner, target, items).await?;
        let st = self.shared.state.folder_state(folder(&inner, target)?.state_id).await?;
        Ok(CopyOutcome { uid_validity: st.uid_validity, uids: sources.into_iter().zip(new).collect() })
    }

    async fn move_to(&self, uids: &UidSet, target: &FolderId) -> Result<MoveOutcome, MailboxError> {
        self.shared.check()?;
        let mut inner = self.shared.inner.lock().await;
        folder(&inner, target)?;
        let f = folder(&inner, &self.info.id)?;
        let records: Vec<ItemRecord> = self
            .shared
            .state
            .items_by_uid(f.state_id, uids)
            .await?
            .into_iter()
            .filter(|r| f.items.contains_key(&r.key))
            .collect();
        let (copied, expunged) = move_records(&self.shared, &mut inner, &self.info.id, target, &records).await?;
        Ok(MoveOutcome { copied, expunged })
    }

    async fn expunge(&self, uids: Option<&UidSet>) -> Result<UidSet, MailboxError> {
        self.shared.check()?;
        let mut inner = self.shared.inner.lock().await;
        let f = folder(&inner, &self.info.id)?;
        let scope = uids.cloned().unwrap_or_else(UidSet::all);
        let records: Vec<ItemRecord> = self
            .shared
            .state
            .items_by_uid(f.state_id, &scope)
            .await?
            .into_iter()
            .filter(|r| r.flags.contains(GatewayFlags::DELETED) && f.items.contains_key(&r.key))
            .collect();
        let trash = inner.special.deleted.clone().filter(|t| {
            *t != self.info.id && self.info.role != Some(SpecialUse::Trash) && self.info.store == StoreKind::Own
        });
        let mode = self.shared.config.expunge_overrides.get(&self.info.path).copied();
        match (mode.unwrap_or(self.shared.config.expunge), trash) {
            (ExpungeMode::MoveToTrash, Some(trash)) => {
                Ok(move_records(&self.shared, &mut inner, &self.info.id, &trash, &records).await?.1)
            }
            _ => {
                self.shared.remove_items(&mut inner, &self.info.id, &records).await?;
                Ok(records.iter().map(|r| r.uid).collect())
            }
        }
    }

    async fn search(&self, key: &crate::search::SearchKey) -> Result<UidSet, MailboxError> {
        self.shared.check()?;
        let inner = self.shared.inner.lock().await;
        let f = folder(&inner, &self.info.id)?;
        let opts = PlanOptions {
            categories: &self.shared.config.categories,
            resolve: &resolve,
            size_on_server: self.shared.config.size_on_server,
        };
        let plan = plan(key, &opts);
        let records = self.shared.state.items_by_uid(f.state_id, &UidSet::all()).await?;
        let mut hits = UidSet::new();
        for (i, r) in records.iter().enumerate() {
            let Some(item) = f.items.get(&r.key) else { continue };
            if let Some(restriction) = &plan.restriction
                && !eval::matches(restriction, &item.message, &names)
            {
                continue;
            }
            if let Some(residual) = &plan.residual {
                let flags = self.shared.flags_of(item, r);
                if !evaluate(residual, &view(item, r, &flags, i)) {
                    continue;
                }
            }
            hits.insert(r.uid);
        }
        Ok(hits)
    }

    async fn vanished_since(&self, since: u64) -> Result<(UidSet, bool), MailboxError> {
        self.shared.check()?;
        let inner = self.shared.inner.lock().await;
        let f = folder(&inner, &self.info.id)?;
        let v = self.shared.state.vanished_since(f.state_id, since).await?;
        Ok((v.uids, v.complete))
    }

    async fn claim_recent(&self) -> Result<UidSet, MailboxError> {
        self.shared.check()?;
        let inner = self.shared.inner.lock().await;
        let f = folder(&inner, &self.info.id)?;
        Ok(self.shared.state.claim_recent(f.state_id).await?.map(UidSet::from).unwrap_or_default())
    }

    async fn recent_count(&self) -> Result<u32, MailboxError> {
        self.shared.check()?;
        let inner = self.shared.inner.lock().await;
        let f = folder(&inner, &self.info.id)?;
        Ok(self.shared.state.unclaimed_recent(f.state_id).await?)
    }

    async fn watch(&self) -> Result<ChangeStream, MailboxError> {
        self.shared.check()?;
        let mut inner = self.shared.inner.lock().await;
        folder(&inner, &self.info.id)?;
        let (tx, rx) = mpsc::channel(self.shared.config.feed_capacity.max(1));
        inner.subscribers.push(Subscriber { folder: self.info.id.clone(), tx, lagged: false });
        Ok(Box::pin(Feed(rx)))
    }
}

/// The local view of an item for [`evaluate`] (position `i` in UID order).
pub(crate) fn view<'a>(item: &'a MemItem, r: &ItemRecord, flags: &'a Flags, i: usize) -> SearchView<'a> {
    SearchView {
        uid: r.uid,
        seq: u32::try_from(i + 1).unwrap_or(u32::MAX),
        modseq: r.modseq,
        flags,
        recent: false,
        internal_date: item.internal_date,
        size: item.raw.len() as u64,
        envelope: &item.envelope,
        headers: match item.message.props.get(PropTag::TRANSPORT_MESSAGE_HEADERS) {
            Some(PropValue::String(s)) => Some(s.as_str()),
            _ => None,
        },
        body: match item.message.props.get(PropTag::BODY) {
            Some(PropValue::String(s)) => Some(s.as_str()),
            _ => None,
        },
    }
}

/// Moves items (keeping their identity, so they get new UIDs in the target).
async fn move_records(
    shared: &Shared,
    inner: &mut Inner,
    from: &FolderId,
    to: &FolderId,
    records: &[ItemRecord],
) -> Result<(CopyOutcome, UidSet), MailboxError> {
    let items = shared.remove_items(inner, from, records).await?;
    let keyed: Vec<(ItemKey, MemItem)> = records.iter().map(|r| r.key.clone()).zip(items).collect();
    let new = shared.add_items(inner, to, keyed).await?;
    let st = shared.state.folder_state(folder(inner, to)?.state_id).await?;
    let uids: Vec<(Uid, Uid)> = records.iter().map(|r| r.uid).zip(new).collect();
    let expunged = records.iter().map(|r| r.uid).collect();
    Ok((CopyOutcome { uid_validity: st.uid_validity, uids }, expunged))
}
