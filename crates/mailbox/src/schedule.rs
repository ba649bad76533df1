//! Calendar scheduling in the model (what CalDAV scheduling, RFC 6638,
//! needs): sending iTIP messages through the backend, the incoming ones,
//! free/busy of other users, new calendars.
//!
//! Meeting messages are [`convert::Message`]s of the meeting classes
//! (`IPM.Schedule.Meeting.Request`, `.Canceled`, `.Resp.Pos/Neg/Tent`,
//! [MS-OXOCAL] 2.2.6–2.2.7) as `convert::ical` makes them from an iTIP
//! object; their recipients are the attendees (or the organizer for a
//! response).

use crate::model::{FolderKind, Timestamp};

/// How a busy period blocks time (RFC 5545 §3.2.9 FBTYPE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BusyKind {
    /// FBTYPE=BUSY-TENTATIVE (olTentative).
    Tentative,
    /// FBTYPE=BUSY (olBusy, olWorkingElsewhere).
    Busy,
    /// FBTYPE=BUSY-UNAVAILABLE (olOutOfOffice).
    Unavailable,
}

/// One busy period of a free/busy answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusyPeriod {
    /// Start (inclusive).
    pub start: Timestamp,
    /// End (exclusive).
    pub end: Timestamp,
    /// How it blocks.
    pub kind: BusyKind,
}

/// A calendar to create (CalDAV MKCALENDAR, RFC 4791 §5.3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCalendar {
    /// The folder name (DAV:displayname; the segment when none is given).
    pub name: String,
    /// [`FolderKind::Calendar`] or [`FolderKind::Tasks`].
    pub kind: FolderKind,
    /// CALDAV:calendar-description.
    pub description: Option<String>,
    /// The calendar colour (`#RRGGBB[AA]`, Apple's calendar-color).
    pub color: Option<String>,
}

/// What a calendar shows besides its name (CalDAV calendar-description,
/// Apple calendar-color).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CalendarDetails {
    /// The description (PidTagComment for MAPI).
    pub description: Option<String>,
    /// The colour as given at creation.
    pub color: Option<String>,
}
