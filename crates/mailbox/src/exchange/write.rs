//! The writing side of a folder: STORE (flags to MAPI properties), APPEND
//! (MIME → a new message), COPY/MOVE in bulk with COPYUID, EXPUNGE. Every
//! write is followed by an ICS catch-up, so UIDs and mod-sequences come from
//! the one sync path.

use std::collections::{HashMap, HashSet};

use convert::{Message, NamedKey, ParseOptions};
use mapi_client::api::{MessageUpdate, NewAttachment, NewMessage, WriteReport};
use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId as Fid, MessageId};
use mapi_wire::prop_value::{FileTime, PropValue, PropertyRow, TaggedValue};
use mapi_wire::recipient::RecipientRow;
use mapi_wire::rop::{ModifyRecipientRow, ReadFlags, RecipientRowBytes, RecipientType};
use mapi_wire::tags::PidName;
use state::{FlagChange, GatewayFlags, ItemRecord, Uid, UidRange, UidSet};

use super::account::Session;
use super::connect::api_error;
use super::folder::ExchangeFolder;
use super::props::{Summary, item_key, mid_of, property_name};
use super::sync::flags_of;
use crate::error::MailboxError;
use crate::flags::{Flag, FlagOp};
use crate::mapi::PropRef;
use crate::mapi::flags::{MapiFlagState, initial_message_flags};
use crate::model::{
    AppendOutcome, AppendRequest, ChangeKind, CopyOutcome, ExpungeMode, FolderId, SpecialUse, StoreOutcome, Timestamp,
};

/// Now, in whole seconds.
pub(super) fn now() -> Timestamp {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
}

impl Session {
    /// The wire tag of a property the flag mapping names.
    fn tag_of(&self, r: &PropRef, value: Option<&PropValue>) -> Option<PropTag> {
        match r {
            PropRef::Tag(t) => Some(*t),
            PropRef::Named(n) if *n == PidName::KEYWORDS => {
                Some(value.map_or(self.keywords, |v| self.keywords.with_type(v.prop_type())))
            }
            PropRef::Named(_) => None,
        }
    }

    /// A MAPI message to create from a parsed one: properties (named ones
    /// mapped to this mailbox's ids), recipients, attachments.
    pub(super) async fn new_message(&self, folder: Fid, message: &Message) -> Result<NewMessage, MailboxError> {
        let keys: Vec<NamedKey> = message.props.named_keys().cloned().collect();
        let names: Vec<_> = keys.iter().map(property_name).collect();
        let ids = if names.is_empty() {
            Vec::new()
        } else {
            self.mailbox.property_ids(&names, true).await.map_err(|e| api_error(e, "named properties"))?
        };
        let map: HashMap<NamedKey, u16> = keys.into_iter().zip(ids).filter(|(_, id)| *id >= 0x8000).collect();
        let properties = message
            .props
            .to_wire(|k| map.get(k).copied())
            .map_err(|e| MailboxError::Internal(format!("property mapping: {e}")))?
            .into_iter()
            .filter(|(t, _)| *t != PropTag::MESSAGE_SIZE)
            .map(|(tag, v)| TaggedValue { tag, value: v.clone() })
            .collect();
        let cols = [PropTag::SMTP_ADDRESS];
        let mut recipients = Vec::new();
        for (i, r) in message.recipients.iter().enumerate() {
            let Some(addr) = r
                .props
                .non_empty_string(PropTag::SMTP_ADDRESS)
                .or_else(|| r.props.non_empty_string(PropTag::EMAIL_ADDRESS))
            else {
                continue;
            };
            let name = r.props.non_empty_string(PropTag::DISPLAY_NAME).unwrap_or_else(|| addr.clone());
            let ty = u8::try_from(r.props.i32(PropTag::RECIPIENT_TYPE).unwrap_or(1) & 0x0F).unwrap_or(1);
            let row =
                RecipientRow::smtp(&name, &addr, PropertyRow::Standard(vec![PropValue::String(addr.to_string())]));
            recipients.push(ModifyRecipientRow {
                row_id: u32::try_from(i).unwrap_or(u32::MAX),
                recipient_type: RecipientType::from(ty),
                row: RecipientRowBytes::from_row(Some(&row), &cols)
                    .map_err(|e| MailboxError::Invalid(format!("recipient {addr}: {e}")))?,
            });
        }
        let mut attachments = Vec::new();
        for a in &message.attachments {
            if a.embedded.is_some() {
                tracing::warn!("an attached message is stored without its embedded content");
            }
            let properties = a
                .props
                .to_wire(|k| map.get(k).copied())
                .map_err(|e| MailboxError::Internal(format!("attachment property mapping: {e}")))?
                .into_iter()
                .map(|(tag, v)| TaggedValue { tag, value: v.clone() })
                .collect();
            attachments.push(NewAttachment { properties });
        }
        NewMessage { folder, properties, recipient_columns: cols.to_vec(), recipients, attachments, search_key: None }
            .with_unique_search_key()
            .map_err(|e| api_error(e, "new message"))
    }
}

impl ExchangeFolder {
    /// [`crate::Folder::store`].
    pub(super) async fn store_flags(
        &self,
        uids: &UidSet,
        op: &FlagOp,
        unchanged_since: Option<u64>,
    ) -> Result<StoreOutcome, MailboxError> {
        let s = &self.session;
        let state_id = self.sync.state_id;
        let mut modified = UidSet::new();
        let mut applied = UidSet::new();
        let mut read = Vec::new();
        let mut unread = Vec::new();
        let mut writes = Vec::new();
        let mut before = HashMap::new();
        {
            let inner = self.sync.catch_up(s).await?;
            for r in s.state.items_by_uid(state_id, uids).await? {
                if unchanged_since.is_some_and(|u| r.modseq.get() > u) {
                    modified.insert(r.uid);
                    continue;
                }
                let Some(sum) = mid_of(&r.key).and_then(|m| inner.items.get(&m)) else { continue };
                applied.insert(r.uid);
                let old = flags_of(s, sum, r.flags);
                let target = old.apply(op);
                before.insert(r.uid, old);
                let w = sum.flags.write_for(&target, &s.config.categories);
                match w.read {
                    Some(true) => read.push(sum.mid),
                    Some(false) => unread.push(sum.mid),
                    None => {}
                }
                let set: Vec<TaggedValue> = w
                    .set
                    .iter()
                    .filter_map(|(r, v)| Some(TaggedValue { tag: s.tag_of(r, Some(v))?, value: v.clone() }))
                    .collect();
                let delete: Vec<PropTag> = w.delete.iter().filter_map(|r| s.tag_of(r, None)).collect();
                if !set.is_empty() || !delete.is_empty() {
                    writes.push(MessageUpdate { mid: sum.mid, set, delete });
                }
            }
        }
        let mb = &s.mailbox;
        if !read.is_empty() {
            mb.set_read_flags(self.fid, &read, ReadFlags::SUPPRESS_RECEIPT).await.map_err(|e| api_error(e, "store"))?;
        }
        if !unread.is_empty() {
            mb.set_read_flags(self.fid, &unread, ReadFlags::CLEAR_READ_FLAG)
                .await
                .map_err(|e| api_error(e, "store"))?;
        }
        // All other flags in batches (open, set, delete, save per message,
        // many messages per Execute).
        if !writes.is_empty() {
            let out = mb.update_messages(self.fid, &writes).await.map_err(|e| api_error(e, "store"))?;
            // Deleted meanwhile: it is reported as expunged by the sync.
            let failed: Vec<_> = out.failed.iter().filter(|f| f.code != mapi_wire::ErrorCode::NOT_FOUND).collect();
            if let Some(f) = failed.first() {
                return Err(MailboxError::Unavailable(format!(
                    "store: {} of {} messages not written ({} {})",
                    failed.len(),
                    writes.len(),
                    f.rop,
                    f.code
                )));
            }
        }
        let deleted_change = match op {
            FlagOp::Add(f) if f.contains(&Flag::Deleted) => Some(FlagChange::Add(GatewayFlags::DELETED)),
            FlagOp::Remove(f) if f.contains(&Flag::Deleted) => Some(FlagChange::Remove(GatewayFlags::DELETED)),
            FlagOp::Replace(f) if f.contains(&Flag::Deleted) => Some(FlagChange::Replace(GatewayFlags::DELETED)),
            FlagOp::Replace(_) => Some(FlagChange::Replace(GatewayFlags::EMPTY)),
            _ => None,
        };
        if let Some(change) = deleted_change.filter(|_| !applied.is_empty()) {
            s.state.store_flags(state_id, &applied, change, None).await?;
        }
        let inner = self.sync.catch_up(s).await?;
        let mut outcome = StoreOutcome { items: Vec::new(), modified };
        let backend_written: HashSet<MessageId> =
            writes.iter().map(|w| w.mid).chain(read.iter().copied()).chain(unread.iter().copied()).collect();
        for r in s.state.items_by_uid(state_id, &applied).await? {
            let Some(mid) = mid_of(&r.key) else { continue };
            let Some(sum) = inner.items.get(&mid) else { continue };
            let flags = flags_of(s, sum, r.flags);
            // Changes only the gateway knows (\Deleted) do not come back
            // through ICS: announce them here.
            if !backend_written.contains(&mid) && before.get(&r.uid).is_some_and(|b| *b != flags) {
                self.sync.announce(ChangeKind::Flags { uid: r.uid, flags: flags.clone(), modseq: r.modseq });
            }
            outcome.items.push((r.uid, flags, r.modseq));
        }
        Ok(outcome)
    }

    /// [`crate::Folder::append`].
    pub(super) async fn append_message(&self, request: AppendRequest) -> Result<AppendOutcome, MailboxError> {
        let s = &self.session;
        let limit = s.config.max_message_size;
        if request.mime.len() > limit {
            return Err(MailboxError::TooLarge { limit });
        }
        let date = request.internal_date.unwrap_or_else(now);
        let opts = ParseOptions {
            max_size: limit,
            delivery_time: FileTime::from_unix_seconds(date.0),
            ..ParseOptions::default()
        };
        let mut message = convert::from_mime(&request.mime, &opts).map_err(|e| MailboxError::Invalid(e.to_string()))?;
        let flags = &request.flags;
        let _ = message.props.insert(PropTag::MESSAGE_FLAGS, PropValue::I32(initial_message_flags(flags)));
        if let Some(t) = FileTime::from_unix_seconds(date.0) {
            let _ = message.props.insert(PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(t));
        }
        let write = MapiFlagState::from_bag(&message.props).write_for(flags, &s.config.categories);
        write.apply_to(&mut message.props);
        let new = s.new_message(self.fid, &message).await?;
        let mid = match s.mailbox.create_message(&new, false).await.map_err(|e| api_error(e, "append"))? {
            WriteReport::Done(mid) | WriteReport::Landed(mid) => mid,
            WriteReport::NotLanded => {
                return Err(MailboxError::Unavailable("the message was not stored (connection lost); retry".into()));
            }
        };
        drop(self.sync.catch_up(s).await?);
        let uid = super::sync::uids_of(s, &self.sync, &[item_key(mid)])
            .await?
            .into_iter()
            .flatten()
            .next()
            .ok_or_else(|| MailboxError::Unavailable("the stored message is not visible yet".into()))?;
        if flags.contains(&Flag::Deleted) {
            let one = UidSet::from(UidRange::single(uid));
            s.state.store_flags(self.sync.state_id, &one, FlagChange::Add(GatewayFlags::DELETED), None).await?;
        }
        let st = s.state.folder_state(self.sync.state_id).await?;
        Ok(AppendOutcome { uid_validity: st.uid_validity, uid })
    }

    /// COPY (`copy`) or MOVE of the items in `uids` to `target`, in bulk:
    /// one RopMoveCopyMessages batch, then an ICS catch-up of the target
    /// finds the new items (matched by MID, then search key, then
    /// Message-ID and delivery time) for COPYUID.
    pub(super) async fn copy_or_move(
        &self,
        uids: &UidSet,
        target: &FolderId,
        copy: bool,
    ) -> Result<(CopyOutcome, UidSet), MailboxError> {
        let s = &self.session;
        let target_fid = s.fid_of(target)?;
        let tsync = s.sync_for(target_fid).await?;
        let sources: Vec<(Uid, Summary)> = {
            let inner = self.sync.current(s).await?;
            s.state
                .items_by_uid(self.sync.state_id, uids)
                .await?
                .into_iter()
                .filter_map(|r| Some((r.uid, inner.items.get(&mid_of(&r.key)?)?.clone())))
                .collect()
        };
        let tstate = s.state.folder_state(tsync.state_id).await?;
        if sources.is_empty() {
            return Ok((CopyOutcome { uid_validity: tstate.uid_validity, uids: Vec::new() }, UidSet::new()));
        }
        if target_fid == self.fid && !copy {
            return Err(MailboxError::Invalid("cannot move messages into their own folder".into()));
        }
        let before: HashSet<MessageId> = tsync.current(s).await?.items.keys().copied().collect();
        let mids: Vec<MessageId> = sources.iter().map(|(_, m)| m.mid).collect();
        let what = if copy { "copy" } else { "move" };
        s.mailbox.move_copy(self.fid, target_fid, &mids, copy).await.map_err(|e| api_error(e, what))?;
        let mut expunged = UidSet::new();
        if !copy {
            drop(self.sync.catch_up(s).await?);
            let keys: Vec<_> = mids.iter().map(|m| item_key(*m)).collect();
            let still = s.state.items_by_key(self.sync.state_id, &keys).await?;
            for ((uid, _), now) in sources.iter().zip(still) {
                if now.is_none() {
                    expunged.insert(*uid);
                }
            }
        }
        let new: Vec<Summary> = {
            let inner = tsync.catch_up(s).await?;
            let mut v: Vec<Summary> = inner.items.values().filter(|x| !before.contains(&x.mid)).cloned().collect();
            v.sort_by_key(|x| (x.delivery, x.mid.0));
            v
        };
        let mut used = HashSet::new();
        let mut pairs = Vec::new();
        for (uid, src) in &sources {
            let found = new
                .iter()
                .filter(|n| !used.contains(&n.mid))
                .find(|n| n.mid == src.mid)
                .or_else(|| {
                    new.iter()
                        .filter(|n| !used.contains(&n.mid))
                        .find(|n| n.search_key.is_some() && n.search_key == src.search_key)
                })
                .or_else(|| {
                    new.iter().filter(|n| !used.contains(&n.mid)).find(|n| {
                        n.message_id == src.message_id
                            && n.delivery == src.delivery
                            && n.envelope.subject == src.envelope.subject
                    })
                });
            if let Some(n) = found {
                used.insert(n.mid);
                pairs.push((*uid, n.mid));
            }
        }
        let keys: Vec<_> = pairs.iter().map(|(_, m)| item_key(*m)).collect();
        let dest = super::sync::uids_of(s, &tsync, &keys).await?;
        let mut uids: Vec<(Uid, Uid)> = pairs.iter().zip(dest).filter_map(|((src, _), d)| Some((*src, d?))).collect();
        uids.sort();
        Ok((CopyOutcome { uid_validity: tstate.uid_validity, uids }, expunged))
    }

    /// [`crate::Folder::expunge`].
    pub(super) async fn expunge_deleted(&self, uids: Option<&UidSet>) -> Result<UidSet, MailboxError> {
        let s = &self.session;
        let scope = uids.cloned().unwrap_or_else(UidSet::all);
        let records: Vec<ItemRecord> = {
            let inner = self.sync.catch_up(s).await?;
            s.state
                .items_by_uid(self.sync.state_id, &scope)
                .await?
                .into_iter()
                .filter(|r| r.flags.contains(GatewayFlags::DELETED))
                .filter(|r| mid_of(&r.key).is_some_and(|m| inner.items.contains_key(&m)))
                .collect()
        };
        if records.is_empty() {
            return Ok(UidSet::new());
        }
        let mids: Vec<MessageId> = records.iter().filter_map(|r| mid_of(&r.key)).collect();
        let trash = s.special.deleted.as_ref().and_then(|t| s.fid_of(t).ok());
        let in_trash = self.info.role == Some(SpecialUse::Trash) || trash == Some(self.fid);
        let mb = &s.mailbox;
        match (s.config.expunge, trash) {
            (ExpungeMode::MoveToTrash, Some(t)) if !in_trash => {
                mb.move_copy(self.fid, t, &mids, false).await.map_err(|e| api_error(e, "expunge"))?;
            }
            (mode, _) => {
                let hard = mode == ExpungeMode::HardDelete;
                mb.delete_messages(self.fid, &mids, hard).await.map_err(|e| api_error(e, "expunge"))?;
            }
        }
        drop(self.sync.catch_up(s).await?);
        let keys: Vec<_> = records.iter().map(|r| r.key.clone()).collect();
        let now = s.state.items_by_key(self.sync.state_id, &keys).await?;
        Ok(records.iter().zip(now).filter(|(_, n)| n.is_none()).map(|(r, _)| r.uid).collect())
    }
}
