//! The calendar attendant: what Exchange's transport does to a calendar
//! when a meeting message is delivered ([MS-OXOCAL] 3.1.4.x for the
//! organizer, 3.2.5.x for attendees; Exchange processes these on delivery
//! rather than leaving it to the client).
//!
//! * A meeting request (`IPM.Schedule.Meeting.Request`) delivered to an
//!   attendee creates or updates the appointment with the same
//!   PidLidCleanGlobalObjectId in their Calendar, tentatively: PidLidResponseStatus
//!   respNotResponded, PidLidBusyStatus olTentative, the meeting and received
//!   bits of PidLidAppointmentStateFlags (2.2.1.10).
//! * A response (`IPM.Schedule.Meeting.Resp.Pos/Neg/Tent`) delivered to the
//!   organizer sets that attendee's PidTagRecipientTrackStatus and
//!   PidTagRecipientTrackStatusTime on the organizer's appointment
//!   (3.1.5.8 / 2.2.4.10).
//! * A cancellation (`IPM.Schedule.Meeting.Canceled`) marks the attendee's
//!   appointment cancelled: asfCanceled in PidLidAppointmentStateFlags and
//!   PidLidBusyStatus olFree (3.2.5.6 / 2.2.1.10).
//!
//! Delivered copies carry the sender's named-property ids; [`remap_named`]
//! first translates them into the recipient store's mapping, as Exchange
//! does when it writes a message into another mailbox.

use mapi_wire::PropTag;
use mapi_wire::named::PropertyName;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{NamedKind, NamedProp, PidLid};

use crate::store::{Mailbox, MessageContent, PropBag, SaveMode, SpecialFolder, StoreError, StoreResult};

/// PidLidResponseStatus respNotResponded ([MS-OXOCAL] 2.2.1.11).
const RESP_NOT_RESPONDED: i32 = 5;
/// PidLidBusyStatus olFree / olTentative ([MS-OXOCAL] 2.2.1.2).
const BUSY_FREE: i32 = 0;
const BUSY_TENTATIVE: i32 = 1;
/// PidLidAppointmentStateFlags bits ([MS-OXOCAL] 2.2.1.10).
const ASF_MEETING: i32 = 0x1;
const ASF_RECEIVED: i32 = 0x2;
const ASF_CANCELED: i32 = 0x4;
/// PidTagRecipientTrackStatus values ([MS-OXOCAL] 2.2.4.10.1).
const TRACK_TENTATIVE: i32 = 2;
const TRACK_ACCEPTED: i32 = 3;
const TRACK_DECLINED: i32 = 4;
/// PidTagMessageFlags mfRead.
const MF_READ: i32 = 0x1;

/// Rewrites the named-property ids of `content` (properties, recipients,
/// attachments, embedded messages) from `from`'s mapping to `to`'s,
/// mapping names `to` lacks. Ids `from` cannot name are dropped.
pub(crate) fn remap_named(from: &Mailbox, to: &Mailbox, content: &mut MessageContent) -> StoreResult<()> {
    if from.info().store_id == to.info().store_id {
        return Ok(());
    }
    remap_bag(from, to, &mut content.props)?;
    for r in &mut content.recipients {
        remap_bag(from, to, r)?;
    }
    for a in &mut content.attachments {
        remap_bag(from, to, &mut a.props)?;
        if let Some(e) = &mut a.embedded {
            remap_named(from, to, e)?;
        }
    }
    Ok(())
}

fn remap_bag(from: &Mailbox, to: &Mailbox, bag: &mut PropBag) -> StoreResult<()> {
    let named: Vec<PropTag> = bag.tags().into_iter().filter(|t| t.id() >= 0x8000).collect();
    let mut moved = Vec::with_capacity(named.len());
    for tag in named {
        let Some(value) = bag.remove(tag) else { continue };
        let Some(name) = from.name_from_prop_id(tag.id())? else { continue };
        if let Some(id) = to.prop_id_from_name(&name, true)? {
            moved.push((PropTag::new(id, tag.prop_type()), value));
        }
    }
    for (t, v) in moved {
        bag.set(t, v);
    }
    Ok(())
}

/// Runs the attendant for a message just delivered to `target` (already
/// remapped into its named-property ids). Messages of other classes are
/// left alone; a response or cancellation for a meeting not in the
/// calendar changes nothing, as on Exchange.
pub(crate) fn on_delivery(target: &Mailbox, delivered: &MessageContent, now: FileTime) -> StoreResult<()> {
    let class = delivered.props.string(PropTag::MESSAGE_CLASS).unwrap_or_default().to_ascii_lowercase();
    let Some(kind) = MeetingKind::of_class(&class) else { return Ok(()) };
    let tags = Tags::of(target)?;
    let Some(goid) = clean_goid(delivered, &tags) else { return Ok(()) };
    let calendar = target.special_folder(SpecialFolder::Calendar);
    let existing = find_by_goid(target, &tags, &goid)?;
    match kind {
        MeetingKind::Request => {
            let mut appt = delivered.clone();
            for t in [
                PropTag::MESSAGE_DELIVERY_TIME,
                PropTag::RECEIVED_BY_NAME,
                PropTag::RECEIVED_BY_EMAIL_ADDRESS,
                PropTag::RECEIVED_BY_SMTP_ADDRESS,
                PropTag::RECEIVED_BY_ADDRESS_TYPE,
                PropTag::RECEIVED_BY_ENTRY_ID,
            ] {
                appt.props.remove(t);
            }
            appt.props.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Appointment".into()));
            appt.props.set(PropTag::MESSAGE_FLAGS, PropValue::I32(MF_READ));
            appt.props.set(tags.response_status, PropValue::I32(RESP_NOT_RESPONDED));
            appt.props.set(tags.busy_status, PropValue::I32(BUSY_TENTATIVE));
            appt.props.set(tags.state_flags, PropValue::I32(ASF_MEETING | ASF_RECEIVED));
            target.save_message(calendar, existing, false, &appt, SaveMode::Normal)?;
        }
        MeetingKind::Response(track) => {
            let Some(id) = existing else { return Ok(()) };
            let responder = delivered
                .props
                .string(PropTag::SENT_REPRESENTING_SMTP_ADDRESS)
                .or_else(|| delivered.props.string(PropTag::SENDER_SMTP_ADDRESS))
                .unwrap_or_default();
            let mut appt = target.message(id)?.content;
            let mut found = false;
            for r in &mut appt.recipients {
                let addr = r.string(PropTag::SMTP_ADDRESS).or_else(|| r.string(PropTag::EMAIL_ADDRESS));
                if addr.is_some_and(|a| a.eq_ignore_ascii_case(&responder)) {
                    r.set(PropTag::RECIPIENT_TRACK_STATUS, PropValue::I32(track));
                    r.set(PropTag::RECIPIENT_TRACK_STATUS_TIME, PropValue::Time(now));
                    found = true;
                }
            }
            if found {
                target.save_message(calendar, Some(id), false, &appt, SaveMode::Normal)?;
            }
        }
        MeetingKind::Cancel => {
            let Some(id) = existing else { return Ok(()) };
            let mut appt = target.message(id)?.content;
            let flags = appt.props.i32(tags.state_flags).unwrap_or(ASF_MEETING | ASF_RECEIVED);
            appt.props.set(tags.state_flags, PropValue::I32(flags | ASF_CANCELED));
            appt.props.set(tags.busy_status, PropValue::I32(BUSY_FREE));
            target.save_message(calendar, Some(id), false, &appt, SaveMode::Normal)?;
        }
    }
    Ok(())
}

/// The recipient columns of RopOpenMessage / RopReadRecipients for a
/// message: the default set, plus the attendee response
/// (PidTagRecipientTrackStatus and its time) when a recipient carries it,
/// as Exchange returns the properties its recipients have.
pub(crate) fn recipient_columns(content: &MessageContent) -> Vec<PropTag> {
    let mut columns = super::message::DEFAULT_RECIPIENT_COLUMNS.to_vec();
    for t in [PropTag::RECIPIENT_TRACK_STATUS, PropTag::RECIPIENT_TRACK_STATUS_TIME] {
        if content.recipients.iter().any(|r| r.get(t).is_some()) {
            columns.push(t);
        }
    }
    columns
}

/// Whether RopOpenFolder of another user's mailbox root passes for a
/// grantee of any folder in it: the root carries the special folders'
/// entry IDs (PidTagIpmAppointmentEntryId), which a free/busy reader needs
/// to find the Calendar, as delegates do on Exchange.
pub(crate) fn root_for_grantees(
    ctx: &super::dispatch::Ctx<'_>,
    mailbox: &Mailbox,
    folder: mapi_wire::ids::FolderId,
) -> Option<()> {
    let root = folder == mailbox.special_folder(SpecialFolder::Root);
    (root && mailbox.can_logon(&ctx.user.address).unwrap_or(false)).then_some(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MeetingKind {
    Request,
    /// With the PidTagRecipientTrackStatus it reports.
    Response(i32),
    Cancel,
}

impl MeetingKind {
    fn of_class(class: &str) -> Option<Self> {
        Some(if class.starts_with("ipm.schedule.meeting.request") {
            Self::Request
        } else if class.starts_with("ipm.schedule.meeting.resp.pos") {
            Self::Response(TRACK_ACCEPTED)
        } else if class.starts_with("ipm.schedule.meeting.resp.neg") {
            Self::Response(TRACK_DECLINED)
        } else if class.starts_with("ipm.schedule.meeting.resp.tent") {
            Self::Response(TRACK_TENTATIVE)
        } else if class.starts_with("ipm.schedule.meeting.canceled") {
            Self::Cancel
        } else {
            return None;
        })
    }
}

/// The named-property tags of one store the attendant touches.
struct Tags {
    clean_goid: PropTag,
    goid: PropTag,
    response_status: PropTag,
    busy_status: PropTag,
    state_flags: PropTag,
}

impl Tags {
    fn of(mb: &Mailbox) -> StoreResult<Self> {
        Ok(Self {
            clean_goid: tag(mb, PidLid::CLEAN_GLOBAL_OBJECT_ID)?,
            goid: tag(mb, PidLid::GLOBAL_OBJECT_ID)?,
            response_status: tag(mb, PidLid::RESPONSE_STATUS)?,
            busy_status: tag(mb, PidLid::BUSY_STATUS)?,
            state_flags: tag(mb, PidLid::APPOINTMENT_STATE_FLAGS)?,
        })
    }
}

fn tag(mb: &Mailbox, p: NamedProp) -> StoreResult<PropTag> {
    let name = match p.kind {
        NamedKind::Id(lid) => PropertyName::Id { guid: p.set, lid },
        NamedKind::Name(n) => PropertyName::Name { guid: p.set, name: n.into() },
    };
    let id =
        mb.prop_id_from_name(&name, true)?.ok_or(StoreError::InvalidParameter("named property could not be mapped"))?;
    Ok(PropTag::new(id, p.ty))
}

/// PidLidCleanGlobalObjectId, else PidLidGlobalObjectId with its
/// instance date zeroed (bytes 16..20, [MS-OXOCAL] 2.2.1.27).
fn clean_goid(content: &MessageContent, tags: &Tags) -> Option<Vec<u8>> {
    let binary = |t: PropTag| match content.props.get(t) {
        Some(PropValue::Binary(b)) if !b.is_empty() => Some(b.clone()),
        _ => None,
    };
    binary(tags.clean_goid).or_else(|| {
        binary(tags.goid).map(|mut g| {
            if g.len() >= 20 {
                g[16..20].fill(0);
            }
            g
        })
    })
}

/// The appointment in the Calendar with this clean global object id.
fn find_by_goid(mb: &Mailbox, tags: &Tags, goid: &[u8]) -> StoreResult<Option<mapi_wire::ids::MessageId>> {
    let calendar = mb.special_folder(SpecialFolder::Calendar);
    Ok(mb
        .contents(calendar, false)?
        .into_iter()
        .find(|row| clean_goid(&row.content, tags).is_some_and(|g| g == goid))
        .map(|row| row.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_to_what_the_attendant_does() {
        assert_eq!(MeetingKind::of_class("ipm.schedule.meeting.request"), Some(MeetingKind::Request));
        assert_eq!(MeetingKind::of_class("ipm.schedule.meeting.resp.pos"), Some(MeetingKind::Response(3)));
        assert_eq!(MeetingKind::of_class("ipm.schedule.meeting.resp.neg"), Some(MeetingKind::Response(4)));
        assert_eq!(MeetingKind::of_class("ipm.schedule.meeting.resp.tent"), Some(MeetingKind::Response(2)));
        assert_eq!(MeetingKind::of_class("ipm.schedule.meeting.canceled"), Some(MeetingKind::Cancel));
        assert_eq!(MeetingKind::of_class("ipm.note"), None);
    }
}
