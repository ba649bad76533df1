//! Calendar objects ⇄ iCalendar ([MS-OXCICAL]; properties per [MS-OXOCAL]
//! and [MS-OXOTASK]): appointments, meetings and tasks.
//!
//! * [`from_ical`]: an iCalendar object (RFC 5545) → one [`Message`] per
//!   UID: `IPM.Appointment` (or a meeting class by METHOD) for VEVENTs,
//!   `IPM.Task` for VTODOs; RECURRENCE-ID overrides become exception
//!   attachments of their series.
//! * [`to_ical`]: a [`Message`] → a VCALENDAR with VTIMEZONEs.
//! * [`occurrences`]: the instances of an appointment within a time range
//!   (CalDAV time-range queries).
//! * [`IcalCalendarPart`]: the `text/calendar` part of meeting messages in
//!   [`crate::to_mime`].
//!
//! Parsing and serialising go through `calcard`; the mapping is ours.
//! Nothing here does IO.

mod export;
pub mod goid;
mod import;
pub mod itip;
pub mod recur;
pub mod rrule;
pub mod task;
mod time;
pub mod tzdef;
mod values;
pub mod zone;

use mapi_wire::prop_value::FileTime;
use mapi_wire::tags::PidLid;

use crate::error::ConvertError;
use crate::message::Message;
use crate::render::{CalendarBody, CalendarPart};

pub use import::EXCEPTION_CLASS;
pub use rrule::Occurrence;
pub use zone::Zone;

/// Exceptions taken from one iCalendar series.
pub const MAX_EXCEPTIONS: usize = 2048;
/// Attendees taken from one component.
pub const MAX_ATTENDEES: usize = 1024;
/// Inline ATTACH values taken from one component.
pub const MAX_ATTACHMENTS: usize = 64;

/// Why an iCalendar conversion failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IcalError {
    /// The input exceeds [`ImportOptions::max_size`] or `max_objects`.
    #[error("iCalendar input exceeds the limit of {limit}")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// Not a well-formed iCalendar object, or one missing what MAPI needs.
    #[error("invalid iCalendar: {0}")]
    Invalid(String),
    /// Valid iCalendar that MAPI cannot represent (an RRULE without a
    /// RecurrencePattern equivalent, …).
    #[error("not representable in MAPI: {0}")]
    Unsupported(String),
}

/// Options of [`from_ical`].
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Zone (IANA or Windows name) of floating times and all-day events:
    /// the mailbox owner's zone. Default `UTC`.
    pub default_zone: String,
    /// Largest accepted input in bytes (default 4 MiB).
    pub max_size: usize,
    /// Most calendar objects (UIDs) in one input (default 1000).
    pub max_objects: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self { default_zone: "UTC".into(), max_size: 4 << 20, max_objects: 1000 }
    }
}

/// Options of [`to_ical`].
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// METHOD of the VCALENDAR (`None`: none written, as CalDAV wants).
    pub method: Option<String>,
    /// PRODID.
    pub prodid: String,
    /// Zone of all-day events without a time-zone property.
    pub default_zone: String,
    /// UID for an item without one (e.g. derived from its source key).
    pub fallback_uid: String,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            method: None,
            prodid: "-//mapibridge//convert//EN".into(),
            default_zone: "UTC".into(),
            fallback_uid: "mapibridge-item".into(),
        }
    }
}

/// The result of [`from_ical`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Imported {
    /// The VCALENDAR's METHOD, upper-case.
    pub method: Option<String>,
    /// One message per UID, in input order.
    pub objects: Vec<Message>,
}

/// Parses an iCalendar object into calendar messages ([MS-OXCICAL] 2.1.3.1).
///
/// ```
/// use convert::ical::{ImportOptions, from_ical};
/// use mapi_wire::tags::PidLid;
///
/// let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a@b\r\nDTSTAMP:20260101T000000Z\r\n\
///            DTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nSUMMARY:Hi\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
/// let got = from_ical(ics.as_bytes(), &ImportOptions::default()).unwrap();
/// assert_eq!(got.objects[0].props.named_i32(&PidLid::APPOINTMENT_DURATION), Some(60));
/// ```
pub fn from_ical(data: &[u8], opts: &ImportOptions) -> Result<Imported, IcalError> {
    if data.len() > opts.max_size {
        return Err(IcalError::TooLarge { limit: opts.max_size });
    }
    let text = std::str::from_utf8(data).map_err(|e| IcalError::Invalid(format!("not UTF-8: {e}")))?;
    let cal = calcard::icalendar::ICalendar::parse(text)
        .map_err(|e| IcalError::Invalid(format!("{e:?}").chars().take(200).collect()))?;
    if cal.components.first().is_none_or(|c| c.component_type != calcard::icalendar::ICalendarComponentType::VCalendar)
    {
        return Err(IcalError::Invalid("not a VCALENDAR".into()));
    }
    import::import(&cal, opts)
}

/// Renders calendar messages (appointments, meeting messages, tasks) as one
/// VCALENDAR ([MS-OXCICAL] 2.1.3.1 export).
pub fn to_ical(msgs: &[&Message], opts: &ExportOptions) -> Result<String, IcalError> {
    let mut b = export::Builder::new(opts);
    for msg in msgs {
        if msg.class_is("IPM.Task") {
            task::export_todo(&mut b, msg, opts);
        } else {
            export::export_event(&mut b, msg, opts)?;
        }
    }
    Ok(b.finish())
}

/// The occurrences of an appointment overlapping `[from, to)`: a single
/// event is its own occurrence, a series is expanded
/// ([MS-OXOCAL] 2.2.1.44 pattern with its exceptions), at most `limit`.
pub fn occurrences(msg: &Message, from: FileTime, to: FileTime, limit: usize) -> Vec<Occurrence> {
    let bag = &msg.props;
    let recur = bag.named_binary(&PidLid::APPOINTMENT_RECUR).and_then(|b| recur::AppointmentRecurrence::decode(b).ok());
    if let Some(rec) = recur {
        let zone = export::zone_of(bag, true).unwrap_or(Zone::Utc);
        return rrule::expand(&rec, &zone, from, to, limit);
    }
    let start = bag.named_time(&PidLid::APPOINTMENT_START_WHOLE).or_else(|| bag.time(mapi_wire::PropTag::START_DATE));
    let end = bag.named_time(&PidLid::APPOINTMENT_END_WHOLE).or_else(|| bag.time(mapi_wire::PropTag::END_DATE));
    match start {
        Some(s) => {
            let e = end.unwrap_or(s).max(s);
            let overlaps = if s == e { s >= from && s < to } else { e > from && s < to };
            if overlaps && limit > 0 {
                vec![Occurrence { start: s, end: e, original_start: s, exception: None }]
            } else {
                Vec::new()
            }
        }
        None => Vec::new(),
    }
}

/// The [`CalendarPart`] hook: meeting messages and appointments get a
/// `text/calendar` part with the method their class implies.
#[derive(Clone, Debug, Default)]
pub struct IcalCalendarPart {
    /// Options (method is set per message).
    pub options: ExportOptions,
}

impl CalendarPart for IcalCalendarPart {
    fn calendar_part(&self, msg: &Message) -> Result<Option<CalendarBody>, ConvertError> {
        let Some(method) = itip::method_for_class(&msg.class()) else { return Ok(None) };
        let opts = ExportOptions { method: Some(method.into()), ..self.options.clone() };
        let mut m = msg.clone();
        if let Some(track) = itip::track_status_of_class(&msg.class()) {
            // A response carries the responder's PARTSTAT on its attendee.
            for r in &mut m.recipients {
                let _ = r
                    .props
                    .insert(mapi_wire::PropTag::RECIPIENT_TRACK_STATUS, mapi_wire::prop_value::PropValue::I32(track));
            }
        }
        match to_ical(&[&m], &opts) {
            Ok(ics) => Ok(Some(CalendarBody { method: method.into(), ics: ics.into_bytes() })),
            // A message whose calendar data cannot be expressed still renders, without the part.
            Err(IcalError::Invalid(_) | IcalError::Unsupported(_)) => Ok(None),
            Err(e) => Err(ConvertError::Calendar(e.to_string())),
        }
    }
}

/// PidLidBusyStatus values and their X-MICROSOFT-CDO-BUSYSTATUS names
/// ([MS-OXOCAL] 2.2.1.2, [MS-OXCICAL] 2.1.3.1.1.20.35).
pub mod busy {
    /// olFree.
    pub const FREE: i32 = 0;
    /// olTentative.
    pub const TENTATIVE: i32 = 1;
    /// olBusy.
    pub const BUSY: i32 = 2;
    /// olOutOfOffice.
    pub const OOF: i32 = 3;
    /// olWorkingElsewhere.
    pub const WORKING_ELSEWHERE: i32 = 4;

    /// The CDO name of a status.
    pub fn name(s: i32) -> &'static str {
        match s {
            FREE => "FREE",
            TENTATIVE => "TENTATIVE",
            OOF => "OOF",
            WORKING_ELSEWHERE => "WORKINGELSEWHERE",
            _ => "BUSY",
        }
    }

    /// The status of a CDO name.
    pub fn parse(s: &str) -> Option<i32> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "FREE" => FREE,
            "TENTATIVE" => TENTATIVE,
            "BUSY" => BUSY,
            "OOF" => OOF,
            "WORKINGELSEWHERE" => WORKING_ELSEWHERE,
            _ => return None,
        })
    }
}

/// PidTagSensitivity values ([MS-OXCMSG] 2.2.1.13) for CLASS.
pub mod class {
    /// PUBLIC.
    pub const NORMAL: i32 = 0;
    /// Personal (exported as PUBLIC).
    pub const PERSONAL: i32 = 1;
    /// PRIVATE.
    pub const PRIVATE: i32 = 2;
    /// CONFIDENTIAL.
    pub const CONFIDENTIAL: i32 = 3;
}

/// PidTagRecipientTrackStatus values ([MS-OXOCAL] 2.2.4.10.1) for PARTSTAT.
pub mod track {
    /// respNone.
    pub const NONE: i32 = 0;
    /// respOrganized.
    pub const ORGANIZED: i32 = 1;
    /// respTentative.
    pub const TENTATIVE: i32 = 2;
    /// respAccepted.
    pub const ACCEPTED: i32 = 3;
    /// respDeclined.
    pub const DECLINED: i32 = 4;
    /// respNotResponded.
    pub const NOT_RESPONDED: i32 = 5;
}

/// PRIORITY → PidTagImportance ([MS-OXCICAL] 2.1.3.1.1.20.19): 1–4 high,
/// 5 (and 0, undefined) normal, 6–9 low.
pub fn importance_of_priority(p: i64) -> i32 {
    match p {
        1..=4 => 2,
        6..=9 => 0,
        _ => 1,
    }
}

/// PidTagImportance → PRIORITY.
pub fn priority_of_importance(i: i32) -> i64 {
    match i {
        2 => 1,
        0 => 9,
        _ => 5,
    }
}

/// Fuzz entry: parse arbitrary bytes as iCalendar (never panics), and
/// render whatever parses, twice to the same text, and parse that again.
#[doc(hidden)]
pub fn fuzz_ical(data: &[u8]) {
    let opts = ImportOptions { max_size: 1 << 20, max_objects: 64, ..ImportOptions::default() };
    let Ok(got) = from_ical(data, &opts) else { return };
    let refs: Vec<&Message> = got.objects.iter().collect();
    let a = to_ical(&refs, &ExportOptions::default());
    let b = to_ical(&refs, &ExportOptions::default());
    assert_eq!(a, b, "to_ical is not deterministic");
    if let Ok(text) = a {
        let _ = from_ical(text.as_bytes(), &ImportOptions { max_size: 8 << 20, ..opts });
    }
    for m in &got.objects {
        let _ = occurrences(m, FileTime(0), FileTime(u64::MAX / 2), 64);
    }
}
