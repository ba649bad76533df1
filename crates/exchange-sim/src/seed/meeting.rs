//! A meeting request in the attendee's Inbox and the tentative appointment
//! Exchange's calendar attendant puts in the attendee's Calendar when the
//! request arrives ([MS-OXOCAL] 2.2.6 Meeting Request object, 3.1.5.3
//! receiving a meeting request; the Meeting object, 2.2.1).
//!
//! The meeting: a weekly series organized by the first seeded user, every
//! Thursday 14:00–14:30 Berlin time from 2026-02-05, six times.

use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::PidLid;

use super::calendar::{BERLIN, MINUTE, Person, Tags, Weekly, When, base, global_object_id};
use super::{day_minutes, filetime, lid, s};
use crate::store::{Mailbox, MessageContent, PropBag, SaveMode, SpecialFolder, StoreResult};

/// [MS-OXOCAL] 2.2.6.5 PidLidMeetingType mtgRequest (a new meeting).
const MTG_REQUEST: i32 = 0x0000_0001;
/// PidLidBusyStatus olTentative / olBusy ([MS-OXOCAL] 2.2.1.2).
const TENTATIVE: i32 = 1;
const BUSY: i32 = 2;
/// PidLidAppointmentStateFlags asfMeeting | asfReceived (2.2.1.10).
const MEETING_RECEIVED: i32 = 0x0000_0003;
/// PidLidResponseStatus respNotResponded (2.2.1.11).
const NOT_RESPONDED: i32 = 5;

/// The series.
fn series() -> Weekly {
    Weekly {
        first: (2026, 2, 5),
        start: 14 * 60,
        end: 14 * 60 + 30,
        days: 0x10, // Thursday
        count: 6,
        deleted: vec![],
        modified: vec![],
    }
}

/// Properties the request and the attendee's appointment share: the
/// Meeting object's timing, recurrence, ids, organizer and attendees.
fn meeting_props(t: &Tags, goid: &[u8], organizer: &Person, attendee: &Person) -> PropBag {
    let w = series();
    let when =
        When { start: BERLIN.utc(w.first, w.start), end: BERLIN.utc(w.first, w.end), zone: BERLIN, all_day: false };
    let mut p = base(
        t,
        "Weekly sync",
        "Let's keep our weekly half hour.\r\n\r\nAgenda: open items, next steps.",
        "Room Ada, 2nd floor",
        &when,
        goid,
    );
    p.set(t.recurring, PropValue::Bool(true));
    p.set(t.recur, PropValue::Binary(w.blob()));
    p.set(t.recurrence_type, PropValue::I32(2)); // rectypeWeekly
    p.set(t.pattern, s("every Thursday from 2:00 PM to 2:30 PM"));
    p.set(t.tz_recur, PropValue::Binary(BERLIN.definition(true)));
    p.set(t.clip_start, PropValue::Time(filetime(day_minutes(2026, 2, 5))));
    p.set(t.clip_end, PropValue::Time(filetime(w.last())));
    p.set(t.state, PropValue::I32(MEETING_RECEIVED));
    p.set(t.response, PropValue::I32(NOT_RESPONDED));
    p.set(t.to_attendees, s(&attendee.0));
    for (tag, v) in [
        (PropTag::SENT_REPRESENTING_NAME, &organizer.0),
        (PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, &organizer.1),
        (PropTag::SENT_REPRESENTING_SMTP_ADDRESS, &organizer.1),
        (PropTag::SENDER_NAME, &organizer.0),
        (PropTag::SENDER_EMAIL_ADDRESS, &organizer.1),
        (PropTag::SENDER_SMTP_ADDRESS, &organizer.1),
        (PropTag::RECEIVED_BY_NAME, &attendee.0),
        (PropTag::RECEIVED_BY_EMAIL_ADDRESS, &attendee.1),
        (PropTag::DISPLAY_TO, &attendee.0),
    ] {
        p.set(tag, s(v));
    }
    p.set(PropTag::SENT_REPRESENTING_ADDRESS_TYPE, s("SMTP"));
    p.set(PropTag::SENDER_ADDRESS_TYPE, s("SMTP"));
    p.set(PropTag::RECEIVED_BY_ADDRESS_TYPE, s("SMTP"));
    p
}

/// The recipients of both: the attendee (To, a sendable required
/// attendee, track status none yet).
fn recipients(attendee: &Person) -> Vec<PropBag> {
    vec![PropBag::from_pairs([
        (PropTag::RECIPIENT_TYPE, PropValue::I32(1)),
        (PropTag::DISPLAY_NAME, s(&attendee.0)),
        (PropTag::EMAIL_ADDRESS, s(&attendee.1)),
        (PropTag::SMTP_ADDRESS, s(&attendee.1)),
        (PropTag::ADDRESS_TYPE, s("SMTP")),
        (PropTag::RECIPIENT_FLAGS, PropValue::I32(0x0001)),
        (PropTag::RECIPIENT_TRACK_STATUS, PropValue::I32(0)),
    ])]
}

/// Saves the request into `attendee_mb`'s Inbox and the tentative
/// appointment into its Calendar. `goid_data` names the meeting.
pub fn meeting_request(
    attendee_mb: &Mailbox,
    goid_data: [u8; 16],
    organizer: &Person,
    attendee: &Person,
) -> StoreResult<()> {
    let t = Tags::new(attendee_mb)?;
    let sent = FileTime(filetime(day_minutes(2026, 1, 26) + 9 * 60).0 + 7 * MINUTE);
    let received = FileTime(sent.0 + MINUTE / 2);
    let goid = global_object_id(goid_data, sent, None);
    let meeting_type = lid(attendee_mb, PidLid::MEETING_TYPE)?;
    let is_recurring = lid(attendee_mb, PidLid::IS_RECURRING)?;
    let where_ = lid(attendee_mb, PidLid::WHERE)?;
    let intended = lid(attendee_mb, PidLid::INTENDED_BUSY_STATUS)?;
    let appt_class = lid(attendee_mb, PidLid::APPOINTMENT_MESSAGE_CLASS)?;
    let owner_change = lid(attendee_mb, PidLid::OWNER_CRITICAL_CHANGE)?;
    let attendee_change = lid(attendee_mb, PidLid::ATTENDEE_CRITICAL_CHANGE)?;
    let server_processed = lid(attendee_mb, PidLid::SERVER_PROCESSED)?;

    // The request ([MS-OXOCAL] 2.2.6): the Meeting object's properties,
    // its class, the meeting type and the request for a response.
    let mut request = meeting_props(&t, &goid, organizer, attendee);
    request.set(PropTag::MESSAGE_CLASS, s("IPM.Schedule.Meeting.Request"));
    request.set(PropTag::ICON_INDEX, PropValue::I32(0x0404));
    request.set(PropTag::RESPONSE_REQUESTED, PropValue::Bool(true));
    request.set(PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(received));
    request.set(PropTag::CLIENT_SUBMIT_TIME, PropValue::Time(sent));
    request.set(PropTag::MESSAGE_FLAGS, PropValue::I32(0)); // unread
    request.set(meeting_type, PropValue::I32(MTG_REQUEST));
    request.set(is_recurring, PropValue::Bool(true));
    request.set(where_, s("Room Ada, 2nd floor"));
    request.set(t.busy, PropValue::I32(TENTATIVE));
    request.set(intended, PropValue::I32(BUSY));
    request.set(appt_class, s("IPM.Appointment"));
    request.set(owner_change, PropValue::Time(sent));
    request.set(attendee_change, PropValue::Time(sent));
    // The calendar attendant has processed it (the appointment below).
    request.set(server_processed, PropValue::Bool(true));
    let content = MessageContent { props: request, recipients: recipients(attendee), attachments: vec![] };
    attendee_mb.save_message(
        attendee_mb.special_folder(SpecialFolder::Inbox),
        None,
        false,
        &content,
        SaveMode::Normal,
    )?;

    // The attendant's appointment ([MS-OXOCAL] 3.1.5.3.1): same ids and
    // timing, shown tentative until the attendee answers.
    let mut appointment = meeting_props(&t, &goid, organizer, attendee);
    appointment.set(PropTag::ICON_INDEX, PropValue::I32(0x0403));
    appointment.set(t.busy, PropValue::I32(TENTATIVE));
    appointment.set(intended, PropValue::I32(BUSY));
    appointment.set(owner_change, PropValue::Time(sent));
    appointment.set(attendee_change, PropValue::Time(sent));
    let content = MessageContent { props: appointment, recipients: recipients(attendee), attachments: vec![] };
    attendee_mb.save_message(
        attendee_mb.special_folder(SpecialFolder::Calendar),
        None,
        false,
        &content,
        SaveMode::Normal,
    )?;
    Ok(())
}
