//! Scheduling over Exchange ([MS-OXOCAL] 3.1.4, 3.2.4): meeting messages are
//! created in the Outbox and submitted (Exchange delivers them, updates the
//! recipients' calendars and files the copy in Sent Items); incoming ones
//! are the Inbox's `IPM.Schedule.Meeting.*` messages; free/busy reads the
//! user's calendar, another user's through a logon to their mailbox on the
//! same session (their Calendar must grant FreeBusySimple, [MS-OXCPERM]
//! 2.2.7); new calendars are folders with PidTagContainerClass
//! `IPF.Appointment` or `IPF.Task`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use async_trait::async_trait;
use convert::{Message, NamedKey};
use mapi_client::api::{Mailbox, MailboxOptions, StoreTarget, TableSpec, WriteReport};
use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId as Fid, MessageId};
use mapi_wire::prop_value::{FileTime, PropValue, TaggedValue};
use mapi_wire::tags::{NamedProp, PidLid, all_named};

use super::account::Session;
use super::connect::api_error;
use super::props::{bag_of_values, cell, id_cell, property_name};
use crate::error::MailboxError;
use crate::items::{DeleteOutcome, ItemChanges, ItemCollection, ItemEntry, PutOutcome, WriteCondition};
use crate::mapi::flags::MF_UNSENT;
use crate::model::{FolderInfo, FolderKind, Timestamp};
use crate::schedule::{BusyKind, BusyPeriod, NewCalendar};

/// The class prefix of meeting messages ([MS-OXOCAL] 2.2.6.1).
const MEETING_CLASS_PREFIX: &str = "ipm.schedule.meeting.";
/// Seconds from 1601-01-01 to 1970-01-01.
const EPOCH_DIFF: i64 = 11_644_473_600;
/// Occurrences of one series taken into a free/busy answer.
const MAX_OCCURRENCES: usize = 2000;

/// [`crate::Account::send_meeting_message`].
pub(super) async fn send(s: &Session, message: Message) -> Result<(), MailboxError> {
    if message.recipients.is_empty() {
        return Err(MailboxError::Invalid("a meeting message needs recipients".into()));
    }
    if !message.class().to_ascii_lowercase().starts_with(MEETING_CLASS_PREFIX) {
        return Err(MailboxError::Invalid(format!("{} is not a meeting message class", message.class())));
    }
    let mut message = message;
    let _ = message.props.insert(PropTag::MESSAGE_FLAGS, PropValue::I32(MF_UNSENT));
    let outbox = s
        .special
        .outbox
        .as_ref()
        .map(Session::fid_of)
        .transpose()?
        .ok_or_else(|| MailboxError::Unavailable("the mailbox has no Outbox".into()))?;
    let new = s.new_message(outbox, &message).await?;
    match s.mailbox.create_message(&new, true).await.map_err(|e| api_error(e, "send meeting message"))? {
        WriteReport::Done(_) => Ok(()),
        // Never sent twice: the caller reports and the user retries knowingly.
        WriteReport::Landed(_) => Err(MailboxError::Unavailable(
            "the meeting message was saved in the Outbox but its submission was not confirmed".into(),
        )),
        WriteReport::NotLanded => {
            Err(MailboxError::Unavailable("the connection was lost before Exchange took the meeting message".into()))
        }
    }
}

/// [`crate::Account::create_calendar`].
pub(super) async fn create_calendar(s: &Session, new: &NewCalendar) -> Result<FolderInfo, MailboxError> {
    let class = match new.kind {
        FolderKind::Calendar => "IPF.Appointment",
        FolderKind::Tasks => "IPF.Task",
        other => return Err(MailboxError::Invalid(format!("a calendar cannot be of kind {other:?}"))),
    };
    let name = new.name.trim();
    if name.is_empty() || name.contains(s.config_delimiter()) {
        return Err(MailboxError::Invalid(format!("bad calendar name {name:?}")));
    }
    let all = s.list().await?;
    if all.iter().any(|f| f.parent.is_none() && f.name.eq_ignore_ascii_case(name)) {
        return Err(MailboxError::AlreadyExists(name.to_owned()));
    }
    let comment = new.description.as_deref().unwrap_or("");
    let fid = s
        .mailbox
        .create_folder(s.ipm, name, comment, false)
        .await
        .map_err(|e| api_error(e, &format!("create calendar {name}")))?;
    let mut values = vec![TaggedValue { tag: PropTag::CONTAINER_CLASS, value: PropValue::String(class.into()) }];
    if let Some(color) = &new.color {
        let ids = s.mailbox.property_ids(&[color_name()], true).await.map_err(|e| api_error(e, "calendar color"))?;
        if let Some(id) = ids.first().filter(|id| **id >= 0x8000) {
            values.push(TaggedValue {
                tag: PropTag::new(*id, mapi_wire::PropType::STRING),
                value: PropValue::String(color.clone()),
            });
        }
    }
    s.mailbox.set_folder_properties(fid, &values).await.map_err(|e| api_error(e, "calendar class"))?;
    s.list()
        .await?
        .into_iter()
        .find(|f| f.id == Session::model_id(fid))
        .ok_or_else(|| MailboxError::Unavailable(format!("created calendar {name} is not listed yet")))
}

/// [`crate::Account::calendar_details`]: PidTagComment and the colour.
pub(super) async fn calendar_details(
    s: &Session,
    folder: &crate::model::FolderId,
) -> Result<crate::schedule::CalendarDetails, MailboxError> {
    let fid = Session::fid_of(folder)?;
    let ids = s.mailbox.property_ids(&[color_name()], false).await.map_err(|e| api_error(e, "calendar color"))?;
    let color_tag = ids.first().filter(|id| **id >= 0x8000).map(|id| PropTag::new(*id, mapi_wire::PropType::STRING));
    let mut tags = vec![PropTag::COMMENT];
    tags.extend(color_tag);
    let values = s.mailbox.folder_properties(fid, &tags).await.map_err(|e| api_error(e, "calendar details"))?;
    let text = |t: PropTag| {
        values.iter().find(|v| v.tag.id() == t.id()).and_then(|v| match &v.value {
            PropValue::String(x) if !x.is_empty() => Some(x.clone()),
            _ => None,
        })
    };
    Ok(crate::schedule::CalendarDetails { description: text(PropTag::COMMENT), color: color_tag.and_then(text) })
}

/// Where the calendar colour is kept: a string in PS_PUBLIC_STRINGS (MAPI
/// has no folder colour property; Outlook keeps it in navigation shortcuts).
fn color_name() -> mapi_wire::named::PropertyName {
    mapi_wire::named::PropertyName::Name {
        guid: mapi_wire::Guid::from_fields(0x0002_0329, 0, 0, [0xC0, 0, 0, 0, 0, 0, 0, 0x46]),
        name: "mapibridge-calendar-color".into(),
    }
}

/// [`crate::Account::free_busy`].
pub(super) async fn free_busy(
    s: &Session,
    user: &str,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<BusyPeriod>, MailboxError> {
    let other;
    let mailbox: &Mailbox = if user.eq_ignore_ascii_case(&s.identity) {
        &s.mailbox
    } else {
        // The simulator and Exchange take the SMTP address as the logon DN.
        let target = StoreTarget::Mailbox { legacy_dn: user.to_owned() };
        other = Mailbox::logon(s.mailbox.session().clone(), target, MailboxOptions::default())
            .await
            .map_err(|e| api_error(e, &format!("free/busy of {user}")))?;
        &other
    };
    let calendar = mailbox
        .special_folders()
        .await
        .map_err(|e| api_error(e, "free/busy calendar"))?
        .calendar
        .ok_or_else(|| MailboxError::NoSuchFolder(format!("{user} has no calendar")))?;
    let wanted: [NamedProp; 7] = [
        PidLid::APPOINTMENT_START_WHOLE,
        PidLid::APPOINTMENT_END_WHOLE,
        PidLid::BUSY_STATUS,
        PidLid::APPOINTMENT_STATE_FLAGS,
        PidLid::RECURRING,
        PidLid::APPOINTMENT_RECUR,
        PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_RECUR,
    ];
    let keys: Vec<NamedKey> = wanted.iter().map(NamedKey::from).collect();
    let names: Vec<_> = keys.iter().map(property_name).collect();
    let ids = mailbox.property_ids(&names, false).await.map_err(|e| api_error(e, "free/busy properties"))?;
    let named: HashMap<u16, NamedKey> =
        ids.iter().zip(&keys).filter(|(id, _)| **id >= 0x8000).map(|(id, k)| (*id, k.clone())).collect();
    let tag = |i: usize| ids.get(i).filter(|id| **id >= 0x8000).map(|id| PropTag::new(*id, wanted[i].ty));
    let mut columns = vec![PropTag::MID];
    columns.extend((0..wanted.len()).filter_map(tag));
    let rows = mailbox
        .query_all(&TableSpec::contents(calendar, columns.clone()))
        .await
        .map_err(|e| api_error(e, "free/busy table"))?;
    let (from_ft, to_ft) = (file_time(from), file_time(to));
    let mut out = Vec::new();
    for row in &rows.rows {
        if id_cell(row, 0).is_none() {
            continue;
        }
        let values: Vec<TaggedValue> = columns
            .iter()
            .enumerate()
            .skip(1)
            .filter_map(|(i, t)| cell(row, i).map(|v| TaggedValue { tag: *t, value: v.clone() }))
            .collect();
        // Free/busy readers may list the calendar but not open its items:
        // the recurrence blob comes from the table cell (Exchange returns
        // it whole when asked for as a column of PtypBinary).
        let message = Message { props: bag_of_values(&values, &named), ..Message::default() };
        if message.props.named_i32(&PidLid::APPOINTMENT_STATE_FLAGS).is_some_and(|f| f & 0x4 != 0) {
            continue; // asfCanceled
        }
        let kind = match message.props.named_i32(&PidLid::BUSY_STATUS).unwrap_or(2) {
            0 => continue,
            1 => BusyKind::Tentative,
            3 => BusyKind::Unavailable,
            _ => BusyKind::Busy,
        };
        for o in convert::ical::occurrences(&message, from_ft, to_ft, MAX_OCCURRENCES) {
            out.push(BusyPeriod { start: timestamp(o.start), end: timestamp(o.end), kind });
        }
    }
    out.sort_by_key(|p| (p.start, p.end));
    Ok(out)
}

fn file_time(t: Timestamp) -> FileTime {
    FileTime(u64::try_from(t.0.saturating_add(EPOCH_DIFF)).unwrap_or(0).saturating_mul(10_000_000))
}

fn timestamp(t: FileTime) -> Timestamp {
    Timestamp(i64::try_from(t.0 / 10_000_000).unwrap_or(i64::MAX) - EPOCH_DIFF)
}

/// The meeting messages of the Inbox as a collection (CalDAV's schedule
/// inbox): listed, read and deleted; nothing is written into it.
pub(super) struct ScheduleInbox {
    session: Arc<Session>,
    info: FolderInfo,
    fid: Fid,
}

/// One listed meeting message.
struct Listed {
    mid: MessageId,
    etag: String,
}

impl ScheduleInbox {
    pub(super) async fn open(session: Arc<Session>) -> Result<Self, MailboxError> {
        let id = session.special.inbox.clone().ok_or_else(|| MailboxError::NoSuchFolder("Inbox".into()))?;
        let fid = Session::fid_of(&id)?;
        let info = session
            .list()
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| MailboxError::NoSuchFolder("Inbox".into()))?;
        Ok(Self { session, info, fid })
    }

    /// The meeting messages by name (`<source key hex>.ics`).
    async fn listing(&self) -> Result<std::collections::BTreeMap<String, Listed>, MailboxError> {
        let columns = vec![PropTag::MID, PropTag::MESSAGE_CLASS, PropTag::SOURCE_KEY, PropTag::CHANGE_KEY];
        let rows = self
            .session
            .mailbox
            .query_all(&TableSpec::contents(self.fid, columns))
            .await
            .map_err(|e| api_error(e, "schedule inbox"))?;
        let mut out = std::collections::BTreeMap::new();
        for row in &rows.rows {
            let (Some(mid), Some(PropValue::String(class))) = (id_cell(row, 0), cell(row, 1)) else { continue };
            if !class.to_ascii_lowercase().starts_with(MEETING_CLASS_PREFIX) {
                continue;
            }
            let (Some(PropValue::Binary(sk)), Some(PropValue::Binary(ck))) = (cell(row, 2), cell(row, 3)) else {
                continue;
            };
            out.insert(format!("{}.ics", hex(sk)), Listed { mid: MessageId(mid), etag: hex(ck) });
        }
        Ok(out)
    }

    async fn named(&self) -> Result<HashMap<u16, NamedKey>, MailboxError> {
        let keys: Vec<NamedKey> = all_named().map(NamedKey::from).collect();
        let names: Vec<_> = keys.iter().map(property_name).collect();
        let ids =
            self.session.mailbox.property_ids(&names, false).await.map_err(|e| api_error(e, "named properties"))?;
        Ok(ids.into_iter().zip(keys).filter(|(id, _)| *id >= 0x8000).collect())
    }
}

#[async_trait]
impl ItemCollection for ScheduleInbox {
    fn info(&self) -> &FolderInfo {
        &self.info
    }

    async fn list(&self) -> Result<Vec<ItemEntry>, MailboxError> {
        Ok(self.listing().await?.into_iter().map(|(name, l)| ItemEntry { name, etag: l.etag, modseq: 0 }).collect())
    }

    async fn get(&self, name: &str) -> Result<Option<(ItemEntry, Message)>, MailboxError> {
        let listing = self.listing().await?;
        let Some(l) = listing.get(name) else { return Ok(None) };
        let named = self.named().await?;
        let message = super::render::open_with(&self.session, self.fid, l.mid, &named).await?;
        Ok(Some((ItemEntry { name: name.to_owned(), etag: l.etag.clone(), modseq: 0 }, message)))
    }

    async fn put(&self, name: &str, message: Message, condition: &WriteCondition) -> Result<PutOutcome, MailboxError> {
        let _ = (name, message, condition);
        Err(MailboxError::NotPermitted("the schedule inbox is written by Exchange only".into()))
    }

    async fn delete(&self, name: &str, if_match: Option<&str>) -> Result<DeleteOutcome, MailboxError> {
        let listing = self.listing().await?;
        let Some(l) = listing.get(name) else { return Ok(DeleteOutcome::NotFound) };
        if if_match.is_some_and(|want| want != l.etag) {
            return Ok(DeleteOutcome::PreconditionFailed);
        }
        self.session
            .mailbox
            .delete_messages(self.fid, &[l.mid], false)
            .await
            .map_err(|e| api_error(e, "delete meeting message"))?;
        Ok(DeleteOutcome::Deleted)
    }

    /// A digest of the listing: changes whenever a message arrives, changes
    /// or goes (a ctag; no change log is kept for the schedule inbox).
    async fn sync_token(&self) -> Result<String, MailboxError> {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (name, l) in self.listing().await? {
            for b in name.bytes().chain(l.etag.bytes()).chain(std::iter::once(0)) {
                h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        Ok(format!("inbox-{h:016x}"))
    }

    async fn changes_since(&self, token: &str) -> Result<Option<ItemChanges>, MailboxError> {
        let _ = token;
        Ok(None)
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
