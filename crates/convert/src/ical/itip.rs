//! iTIP methods (RFC 5546) ⇄ meeting message classes ([MS-OXCICAL]
//! 2.1.3.1.1.1 METHOD, [MS-OXOCAL] 2.2.6.1 / 2.2.7.1 message classes).

use calcard::icalendar::{
    ICalendarComponent, ICalendarParameterName, ICalendarParameterValue, ICalendarParticipationStatus,
    ICalendarProperty,
};

/// `IPM.Appointment`: a calendar item.
pub const APPOINTMENT: &str = "IPM.Appointment";
/// Meeting request (METHOD:REQUEST).
pub const REQUEST: &str = "IPM.Schedule.Meeting.Request";
/// Meeting cancellation (METHOD:CANCEL).
pub const CANCELED: &str = "IPM.Schedule.Meeting.Canceled";
/// Accepting response (METHOD:REPLY, PARTSTAT=ACCEPTED).
pub const RESP_POS: &str = "IPM.Schedule.Meeting.Resp.Pos";
/// Declining response (PARTSTAT=DECLINED).
pub const RESP_NEG: &str = "IPM.Schedule.Meeting.Resp.Neg";
/// Tentative response (PARTSTAT=TENTATIVE).
pub const RESP_TENT: &str = "IPM.Schedule.Meeting.Resp.Tent";

/// The message class for a component received with `method`; a REPLY's
/// class follows its (single) attendee's PARTSTAT.
pub fn class_for_method(method: Option<&str>, c: &ICalendarComponent) -> &'static str {
    match method.map(str::to_ascii_uppercase).as_deref() {
        Some("REQUEST") | Some("ADD") => REQUEST,
        Some("CANCEL") => CANCELED,
        Some("REPLY") => {
            let ps = c.properties(&ICalendarProperty::Attendee).find_map(|e| {
                match e.parameter(&ICalendarParameterName::Partstat) {
                    Some(ICalendarParameterValue::Partstat(p)) => Some(p.clone()),
                    _ => None,
                }
            });
            match ps {
                Some(ICalendarParticipationStatus::Declined) => RESP_NEG,
                Some(ICalendarParticipationStatus::Tentative) => RESP_TENT,
                _ => RESP_POS,
            }
        }
        _ => APPOINTMENT,
    }
}

/// The iTIP method of a message class (`None` for non-meeting classes).
pub fn method_for_class(class: &str) -> Option<&'static str> {
    let c = class.to_ascii_lowercase();
    if c.starts_with("ipm.schedule.meeting.request") {
        Some("REQUEST")
    } else if c.starts_with("ipm.schedule.meeting.canceled") {
        Some("CANCEL")
    } else if c.starts_with("ipm.schedule.meeting.resp") {
        Some("REPLY")
    } else if c.starts_with("ipm.appointment") || c.starts_with("ipm.task") {
        Some("PUBLISH")
    } else {
        None
    }
}

/// PidTagRecipientTrackStatus a response class reports ([MS-OXOCAL] 2.2.4.10.1).
pub fn track_status_of_class(class: &str) -> Option<i32> {
    let c = class.to_ascii_lowercase();
    if c.starts_with("ipm.schedule.meeting.resp.pos") {
        Some(super::track::ACCEPTED)
    } else if c.starts_with("ipm.schedule.meeting.resp.neg") {
        Some(super::track::DECLINED)
    } else if c.starts_with("ipm.schedule.meeting.resp.tent") {
        Some(super::track::TENTATIVE)
    } else {
        None
    }
}
