//! Seeded calendar items with the properties Exchange writes ([MS-OXOCAL]):
//! a single appointment, an all-day event, a weekly series with a modified
//! and a deleted occurrence (PidLidAppointmentRecur, 2.2.1.44, with the
//! exception's embedded message) and a meeting between the first user
//! (organizer) and the others (attendees), in three time zones.
//!
//! All dates fall in January and February 2026, when none of the zones
//! observes daylight saving time, so local time = UTC − standard bias.

use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{PidLid, PidName};

use super::{Rng, day_minutes, filetime, lid, s};
use crate::store::{Attachment, Mailbox, MessageContent, PropBag, StoreResult};

/// A Windows time zone as [MS-OXOCAL] 2.2.1.39 / 2.2.1.41 describe it:
/// bias in minutes (UTC = local + bias), the key name, and the
/// standard/daylight transition SYSTEMTIMEs (month, day-of-week,
/// week-of-month, hour); all-zero transitions for zones without DST.
#[derive(Clone, Copy, Debug)]
pub struct TimeZone {
    /// The registry key name (TZDEFINITION KeyName).
    pub key: &'static str,
    /// PidLidTimeZoneDescription.
    pub description: &'static str,
    /// lBias.
    pub bias: i32,
    /// (wMonth, wDayOfWeek, wDay, wHour) of the change to standard time.
    pub standard: (u16, u16, u16, u16),
    /// (wMonth, wDayOfWeek, wDay, wHour) of the change to daylight time.
    pub daylight: (u16, u16, u16, u16),
}

/// W. Europe Standard Time (Berlin).
pub const BERLIN: TimeZone = TimeZone {
    key: "W. Europe Standard Time",
    description: "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
    bias: -60,
    standard: (10, 0, 5, 3),
    daylight: (3, 0, 5, 2),
};
/// Eastern Standard Time (New York).
pub const NEW_YORK: TimeZone = TimeZone {
    key: "Eastern Standard Time",
    description: "(UTC-05:00) Eastern Time (US & Canada)",
    bias: 300,
    standard: (11, 0, 1, 2),
    daylight: (3, 0, 2, 2),
};
/// Tokyo Standard Time (no DST).
pub const TOKYO: TimeZone = TimeZone {
    key: "Tokyo Standard Time",
    description: "(UTC+09:00) Osaka, Sapporo, Tokyo",
    bias: -540,
    standard: (0, 0, 0, 0),
    daylight: (0, 0, 0, 0),
};

fn systemtime(w: &mut Vec<u8>, (month, dow, day, hour): (u16, u16, u16, u16)) {
    for v in [0, month, dow, day, hour, 0, 0, 0] {
        w.extend_from_slice(&v.to_le_bytes());
    }
}

impl TimeZone {
    /// PidLidTimeZoneStruct ([MS-OXOCAL] 2.2.1.39): 48 bytes.
    pub fn tz_struct(&self) -> Vec<u8> {
        let dst = self.daylight.0 != 0;
        let mut w = Vec::with_capacity(48);
        w.extend_from_slice(&self.bias.to_le_bytes());
        w.extend_from_slice(&0i32.to_le_bytes());
        w.extend_from_slice(&(if dst { -60i32 } else { 0 }).to_le_bytes());
        w.extend_from_slice(&0u16.to_le_bytes());
        systemtime(&mut w, self.standard);
        w.extend_from_slice(&0u16.to_le_bytes());
        systemtime(&mut w, self.daylight);
        w
    }

    /// A TZDEFINITION ([MS-OXOCAL] 2.2.1.41) with one TZRULE (2.2.1.41.1)
    /// flagged TZRULE_FLAG_EFFECTIVE_TZREG, plus TZRULE_FLAG_RECUR_CURRENT_TZREG
    /// for PidLidAppointmentTimeZoneDefinitionRecur.
    pub fn definition(&self, recur: bool) -> Vec<u8> {
        let key: Vec<u16> = self.key.encode_utf16().collect();
        let mut w = vec![0x02, 0x01];
        w.extend_from_slice(&(6 + 2 * key.len() as u16).to_le_bytes()); // cbHeader
        w.extend_from_slice(&0x0002u16.to_le_bytes()); // TZDEFINITION_FLAG_VALID_KEYNAME
        w.extend_from_slice(&(key.len() as u16).to_le_bytes());
        for u in key {
            w.extend_from_slice(&u.to_le_bytes());
        }
        w.extend_from_slice(&1u16.to_le_bytes()); // cRules
        w.extend_from_slice(&[0x02, 0x01]);
        w.extend_from_slice(&0x003Eu16.to_le_bytes()); // cbRule
        let flags: u16 = if recur { 0x0003 } else { 0x0002 };
        w.extend_from_slice(&flags.to_le_bytes());
        w.extend_from_slice(&2026u16.to_le_bytes()); // wYear
        w.extend_from_slice(&[0u8; 14]);
        // lBias, lStandardBias, lDaylightBias, stStandardDate, stDaylightDate
        // (the 48-byte tail of the TZREG layout without the years).
        let dst = self.daylight.0 != 0;
        w.extend_from_slice(&self.bias.to_le_bytes());
        w.extend_from_slice(&0i32.to_le_bytes());
        w.extend_from_slice(&(if dst { -60i32 } else { 0 }).to_le_bytes());
        systemtime(&mut w, self.standard);
        systemtime(&mut w, self.daylight);
        w
    }

    /// UTC FILETIME of a local wall-clock time in January/February 2026
    /// (standard time in every zone here).
    pub fn utc(&self, (y, m, d): (i32, u32, u32), minute_of_day: u32) -> FileTime {
        let local = day_minutes(y, m, d) + i64::from(minute_of_day);
        filetime(local + i64::from(self.bias))
    }
}

/// [MS-OXOCAL] 2.2.1.27 PidLidGlobalObjectId: the fixed class id, the
/// instance date (zero for the series), the creation time, 8 zero bytes
/// and 16 bytes of data (random in Outlook; from the seed here).
pub fn global_object_id(data: [u8; 16], created: FileTime, instance: Option<(u16, u8, u8)>) -> Vec<u8> {
    let mut w = vec![0x04, 0x00, 0x00, 0x00, 0x82, 0x00, 0xE0, 0x00, 0x74, 0xC5, 0xB7, 0x10, 0x1A, 0x82, 0xE0, 0x08];
    let (y, m, d) = instance.unwrap_or((0, 0, 0));
    w.extend_from_slice(&y.to_be_bytes());
    w.extend_from_slice(&[m, d]);
    w.extend_from_slice(&created.0.to_le_bytes());
    w.extend_from_slice(&[0u8; 8]);
    w.extend_from_slice(&16u32.to_le_bytes());
    w.extend_from_slice(&data);
    w
}

/// One modified occurrence of a series: its original date, new local
/// start/end minute of the day and new subject.
#[derive(Clone, Debug)]
pub struct Modified {
    /// The original occurrence's date.
    pub date: (i32, u32, u32),
    /// New start, minutes after local midnight.
    pub start: u32,
    /// New end, minutes after local midnight.
    pub end: u32,
    /// New subject.
    pub subject: String,
}

/// A weekly series ending after `count` occurrences.
#[derive(Clone, Debug)]
pub struct Weekly {
    /// The first occurrence's date.
    pub first: (i32, u32, u32),
    /// Start and end, minutes after local midnight.
    pub start: u32,
    /// End minute.
    pub end: u32,
    /// Day-of-week bit (Sunday 0x01 … Saturday 0x40).
    pub days: u32,
    /// Number of occurrences.
    pub count: u32,
    /// Deleted occurrences (original dates).
    pub deleted: Vec<(i32, u32, u32)>,
    /// Modified occurrences.
    pub modified: Vec<Modified>,
}

impl Weekly {
    pub(super) fn last(&self) -> i64 {
        day_minutes(self.first.0, self.first.1, self.first.2) + i64::from(self.count - 1) * 7 * 1440
    }

    /// PidLidAppointmentRecur ([MS-OXOCAL] 2.2.1.44): RecurrencePattern
    /// (2.2.1.44.1, weekly, end after N, FirstDOW Monday), then the
    /// AppointmentRecurrencePattern fields, ExceptionInfo (2.2.1.44.2)
    /// and ExtendedException (2.2.1.44.3) per modified occurrence.
    /// Dates are local minutes since 1601-01-01 (midnight for dates).
    pub fn blob(&self) -> Vec<u8> {
        let u16le = |w: &mut Vec<u8>, v: u16| w.extend_from_slice(&v.to_le_bytes());
        let u32le = |w: &mut Vec<u8>, v: u32| w.extend_from_slice(&v.to_le_bytes());
        let start_date = day_minutes(self.first.0, self.first.1, self.first.2);
        let mut w = Vec::new();
        u16le(&mut w, 0x3004); // ReaderVersion
        u16le(&mut w, 0x3004); // WriterVersion
        u16le(&mut w, 0x200B); // RecurFrequency: weekly
        u16le(&mut w, 0x0001); // PatternType: week
        u16le(&mut w, 0x0000); // CalendarType: Gregorian
        // FirstDateTime (2.2.1.44.1.1): the week's first day (Monday) of
        // StartDate, modulo Period * 10080.
        let weekday = (start_date / 1440) % 7; // 1601-01-01 was a Monday: 0 = Monday
        let week_start = start_date - weekday * 1440;
        u32le(&mut w, (week_start % 10080) as u32);
        u32le(&mut w, 1); // Period: every week
        u32le(&mut w, 0); // SlidingFlag
        u32le(&mut w, self.days); // PatternTypeSpecific: the day bits
        u32le(&mut w, 0x0000_2022); // EndType: after N occurrences
        u32le(&mut w, self.count);
        u32le(&mut w, 1); // FirstDOW: Monday
        let mut deleted: Vec<u32> = self
            .deleted
            .iter()
            .chain(self.modified.iter().map(|m| &m.date))
            .map(|d| day_minutes(d.0, d.1, d.2) as u32)
            .collect();
        deleted.sort_unstable();
        u32le(&mut w, deleted.len() as u32);
        for d in &deleted {
            u32le(&mut w, *d);
        }
        let mut modified: Vec<u32> =
            self.modified.iter().map(|m| day_minutes(m.date.0, m.date.1, m.date.2) as u32).collect();
        modified.sort_unstable();
        u32le(&mut w, modified.len() as u32);
        for d in &modified {
            u32le(&mut w, *d);
        }
        u32le(&mut w, start_date as u32); // StartDate
        u32le(&mut w, self.last() as u32); // EndDate
        u32le(&mut w, 0x3006); // ReaderVersion2
        u32le(&mut w, 0x3009); // WriterVersion2
        u32le(&mut w, self.start); // StartTimeOffset
        u32le(&mut w, self.end); // EndTimeOffset
        u16le(&mut w, self.modified.len() as u16); // ExceptionCount
        for m in &self.modified {
            let day = day_minutes(m.date.0, m.date.1, m.date.2);
            u32le(&mut w, (day + i64::from(m.start)) as u32); // StartDateTime
            u32le(&mut w, (day + i64::from(m.end)) as u32); // EndDateTime
            u32le(&mut w, (day + i64::from(self.start)) as u32); // OriginalStartDate
            u16le(&mut w, 0x0001); // OverrideFlags: ARO_SUBJECT
            // The 8-bit subject (2.2.1.44.2: SubjectLength = length + 1).
            let narrow: Vec<u8> = m.subject.chars().map(|c| u8::try_from(c).unwrap_or(b'?')).collect();
            u16le(&mut w, narrow.len() as u16 + 1);
            u16le(&mut w, narrow.len() as u16);
            w.extend_from_slice(&narrow);
        }
        u32le(&mut w, 0); // ReservedBlock1Size
        for m in &self.modified {
            let day = day_minutes(m.date.0, m.date.1, m.date.2);
            u32le(&mut w, 4); // ChangeHighlightSize (WriterVersion2 ≥ 0x3009)
            u32le(&mut w, 0x0000_0001); // ChangeHighlightValue: BIT_CH_START
            u32le(&mut w, 0); // ReservedBlockEE1Size
            u32le(&mut w, (day + i64::from(m.start)) as u32);
            u32le(&mut w, (day + i64::from(m.end)) as u32);
            u32le(&mut w, (day + i64::from(self.start)) as u32);
            let wide: Vec<u16> = m.subject.encode_utf16().collect();
            u16le(&mut w, wide.len() as u16);
            for c in wide {
                u16le(&mut w, c);
            }
            u32le(&mut w, 0); // ReservedBlockEE2Size
        }
        u32le(&mut w, 0); // ReservedBlock2Size
        w
    }
}

/// The named-property tags one mailbox uses for calendar items.
pub(super) struct Tags {
    pub(super) start: PropTag,
    pub(super) end: PropTag,
    pub(super) duration: PropTag,
    pub(super) location: PropTag,
    pub(super) busy: PropTag,
    pub(super) sub_type: PropTag,
    pub(super) state: PropTag,
    pub(super) response: PropTag,
    pub(super) recurring: PropTag,
    pub(super) recur: PropTag,
    pub(super) recurrence_type: PropTag,
    pub(super) pattern: PropTag,
    pub(super) tz_struct: PropTag,
    pub(super) tz_description: PropTag,
    pub(super) tz_start: PropTag,
    pub(super) tz_end: PropTag,
    pub(super) tz_recur: PropTag,
    pub(super) clip_start: PropTag,
    pub(super) clip_end: PropTag,
    pub(super) goid: PropTag,
    pub(super) clean_goid: PropTag,
    pub(super) sequence: PropTag,
    pub(super) common_start: PropTag,
    pub(super) common_end: PropTag,
    pub(super) reminder_set: PropTag,
    pub(super) reminder_delta: PropTag,
    pub(super) reminder_time: PropTag,
    pub(super) reminder_signal: PropTag,
    pub(super) to_attendees: PropTag,
    pub(super) cc_attendees: PropTag,
    pub(super) exception_replace: PropTag,
    pub(super) keywords: PropTag,
}

impl Tags {
    pub(super) fn new(mb: &Mailbox) -> StoreResult<Self> {
        Ok(Self {
            start: lid(mb, PidLid::APPOINTMENT_START_WHOLE)?,
            end: lid(mb, PidLid::APPOINTMENT_END_WHOLE)?,
            duration: lid(mb, PidLid::APPOINTMENT_DURATION)?,
            location: lid(mb, PidLid::LOCATION)?,
            busy: lid(mb, PidLid::BUSY_STATUS)?,
            sub_type: lid(mb, PidLid::APPOINTMENT_SUB_TYPE)?,
            state: lid(mb, PidLid::APPOINTMENT_STATE_FLAGS)?,
            response: lid(mb, PidLid::RESPONSE_STATUS)?,
            recurring: lid(mb, PidLid::RECURRING)?,
            recur: lid(mb, PidLid::APPOINTMENT_RECUR)?,
            recurrence_type: lid(mb, PidLid::RECURRENCE_TYPE)?,
            pattern: lid(mb, PidLid::RECURRENCE_PATTERN)?,
            tz_struct: lid(mb, PidLid::TIME_ZONE_STRUCT)?,
            tz_description: lid(mb, PidLid::TIME_ZONE_DESCRIPTION)?,
            tz_start: lid(mb, PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_START_DISPLAY)?,
            tz_end: lid(mb, PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_END_DISPLAY)?,
            tz_recur: lid(mb, PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_RECUR)?,
            clip_start: lid(mb, PidLid::CLIP_START)?,
            clip_end: lid(mb, PidLid::CLIP_END)?,
            goid: lid(mb, PidLid::GLOBAL_OBJECT_ID)?,
            clean_goid: lid(mb, PidLid::CLEAN_GLOBAL_OBJECT_ID)?,
            sequence: lid(mb, PidLid::APPOINTMENT_SEQUENCE)?,
            common_start: lid(mb, PidLid::COMMON_START)?,
            common_end: lid(mb, PidLid::COMMON_END)?,
            reminder_set: lid(mb, PidLid::REMINDER_SET)?,
            reminder_delta: lid(mb, PidLid::REMINDER_DELTA)?,
            reminder_time: lid(mb, PidLid::REMINDER_TIME)?,
            reminder_signal: lid(mb, PidLid::REMINDER_SIGNAL_TIME)?,
            to_attendees: lid(mb, PidLid::TO_ATTENDEES_STRING)?,
            cc_attendees: lid(mb, PidLid::CC_ATTENDEES_STRING)?,
            exception_replace: lid(mb, PidLid::EXCEPTION_REPLACE_TIME)?,
            keywords: lid(mb, PidName::KEYWORDS)?,
        })
    }
}

/// An appointment's timing: UTC start/end, zone, all-day.
pub(super) struct When {
    pub(super) start: FileTime,
    pub(super) end: FileTime,
    pub(super) zone: TimeZone,
    pub(super) all_day: bool,
}

pub(super) const MINUTE: u64 = 60 * FileTime::TICKS_PER_SECOND;

/// The properties every calendar item gets.
pub(super) fn base(t: &Tags, subject: &str, body: &str, location: &str, when: &When, goid: &[u8]) -> PropBag {
    let minutes = ((when.end.0 - when.start.0) / MINUTE) as i32;
    let mut clean = goid.to_vec();
    if let Some(date) = clean.get_mut(16..20) {
        date.fill(0);
    }
    PropBag::from_pairs([
        (PropTag::MESSAGE_CLASS, s("IPM.Appointment")),
        (PropTag::SUBJECT, s(subject)),
        (PropTag::NORMALIZED_SUBJECT, s(subject)),
        (PropTag::BODY, s(body)),
        (PropTag::START_DATE, PropValue::Time(when.start)),
        (PropTag::END_DATE, PropValue::Time(when.end)),
        (PropTag::ICON_INDEX, PropValue::I32(0x0400)),
        (t.start, PropValue::Time(when.start)),
        (t.end, PropValue::Time(when.end)),
        (t.common_start, PropValue::Time(when.start)),
        (t.common_end, PropValue::Time(when.end)),
        (t.clip_start, PropValue::Time(when.start)),
        (t.clip_end, PropValue::Time(when.end)),
        (t.duration, PropValue::I32(minutes)),
        (t.location, s(location)),
        (t.busy, PropValue::I32(if when.all_day { 0 } else { 2 })),
        (t.sub_type, PropValue::Bool(when.all_day)),
        (t.state, PropValue::I32(0)),
        (t.response, PropValue::I32(0)),
        (t.recurring, PropValue::Bool(false)),
        (t.sequence, PropValue::I32(0)),
        (t.tz_struct, PropValue::Binary(when.zone.tz_struct())),
        (t.tz_description, s(when.zone.description)),
        (t.tz_start, PropValue::Binary(when.zone.definition(false))),
        (t.tz_end, PropValue::Binary(when.zone.definition(false))),
        (t.goid, PropValue::Binary(goid.to_vec())),
        (t.clean_goid, PropValue::Binary(clean)),
        (t.reminder_set, PropValue::Bool(!when.all_day)),
        (t.reminder_delta, PropValue::I32(15)),
        (t.reminder_time, PropValue::Time(when.start)),
        (t.reminder_signal, PropValue::Time(FileTime(when.start.0.saturating_sub(15 * MINUTE)))),
    ])
}

/// What [`appointments`] saved, for the report and tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct Saved {
    /// Calendar items saved.
    pub items: u32,
}

/// A meeting's people: (display name, SMTP address).
pub type Person = (String, String);

/// Saves the calendar items of user `index` into `mb`'s Calendar:
/// `organizer` and `attendees` are the demo users for the shared meeting
/// (`index` 0 organizes, the others have accepted it).
pub fn appointments(
    mb: &Mailbox,
    rng: &mut Rng,
    meeting_data: [u8; 16],
    organizer: &Person,
    attendees: &[Person],
    owner: &Person,
) -> StoreResult<Saved> {
    let t = Tags::new(mb)?;
    let calendar = mb.special_folder(crate::store::SpecialFolder::Calendar);
    let created = filetime(day_minutes(2026, 1, 2) + 9 * 60);
    let mut goid_data = || {
        let mut d = [0u8; 16];
        d[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
        d[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
        d
    };
    let mut saved = Saved::default();
    let mut save = |props: PropBag, recipients: Vec<PropBag>, attachments: Vec<Attachment>| -> StoreResult<()> {
        mb.save_message(
            calendar,
            None,
            false,
            &MessageContent { props, recipients, attachments },
            crate::store::SaveMode::Normal,
        )?;
        saved.items += 1;
        Ok(())
    };

    // A single appointment (Berlin).
    let when = When {
        start: BERLIN.utc((2026, 1, 7), 10 * 60),
        end: BERLIN.utc((2026, 1, 7), 11 * 60 + 30),
        zone: BERLIN,
        all_day: false,
    };
    let goid = global_object_id(goid_data(), created, None);
    let mut p = base(&t, "Kundentermin Köln", "Agenda: Vertrag, Lieferplan.", "Köln, Raum 3", &when, &goid);
    p.set(t.keywords, PropValue::MvString(vec!["Blue Category".into()]));
    save(p, vec![], vec![])?;

    // An all-day event: local midnight to midnight (Berlin).
    let when =
        When { start: BERLIN.utc((2026, 1, 16), 0), end: BERLIN.utc((2026, 1, 17), 0), zone: BERLIN, all_day: true };
    let goid = global_object_id(goid_data(), created, None);
    save(
        base(&t, "Betriebsausflug", "Ganztägig, Treffpunkt 8:30 am Hauptbahnhof.", "Tegernsee", &when, &goid),
        vec![],
        vec![],
    )?;

    // A weekly series every Tuesday 09:00–09:30 New York time, 8 times,
    // the third moved to 10:00 with a new subject, the fifth cancelled.
    let series = Weekly {
        first: (2026, 1, 6),
        start: 9 * 60,
        end: 9 * 60 + 30,
        days: 0x04, // Tuesday
        count: 8,
        deleted: vec![(2026, 2, 3)],
        modified: vec![Modified {
            date: (2026, 1, 20),
            start: 10 * 60,
            end: 10 * 60 + 30,
            subject: "Standup NYC (moved)".into(),
        }],
    };
    let when = When {
        start: NEW_YORK.utc(series.first, series.start),
        end: NEW_YORK.utc(series.first, series.end),
        zone: NEW_YORK,
        all_day: false,
    };
    let goid = global_object_id(goid_data(), created, None);
    let mut p = base(&t, "Standup NYC", "Weekly standup with the New York team.", "Teams", &when, &goid);
    p.set(t.recurring, PropValue::Bool(true));
    p.set(t.recur, PropValue::Binary(series.blob()));
    p.set(t.recurrence_type, PropValue::I32(2)); // rectypeWeekly
    p.set(t.pattern, s("every Tuesday from 9:00 AM to 9:30 AM"));
    p.set(t.tz_recur, PropValue::Binary(NEW_YORK.definition(true)));
    // ClipStart/ClipEnd: midnight UTC of the first and last occurrence.
    p.set(t.clip_start, PropValue::Time(filetime(day_minutes(2026, 1, 6))));
    p.set(t.clip_end, PropValue::Time(filetime(series.last())));
    p.set(PropTag::ICON_INDEX, PropValue::I32(0x0401));
    let moved = &series.modified[0];
    let (ex_start, ex_end) = (NEW_YORK.utc(moved.date, moved.start), NEW_YORK.utc(moved.date, moved.end));
    let original = NEW_YORK.utc(moved.date, series.start);
    let local = |f: FileTime| FileTime((f.0 as i64 - i64::from(NEW_YORK.bias) * MINUTE as i64) as u64);
    let mut ex = base(
        &t,
        &moved.subject,
        "Moved by one hour this week.",
        "Teams",
        &When { start: ex_start, end: ex_end, zone: NEW_YORK, all_day: false },
        &global_object_id(goid_data(), created, None),
    );
    ex.set(PropTag::MESSAGE_CLASS, s("IPM.OLE.CLASS.{00061055-0000-0000-C000-000000000046}"));
    ex.set(t.exception_replace, PropValue::Time(original));
    // [MS-OXOCAL] 2.2.10.1: the exception attachment (hidden, afException).
    let exception = Attachment {
        props: PropBag::from_pairs([
            (PropTag::ATTACH_METHOD, PropValue::I32(5)),
            (PropTag::ATTACHMENT_HIDDEN, PropValue::Bool(true)),
            (PropTag::ATTACHMENT_FLAGS, PropValue::I32(0x02)),
            (PropTag::ATTACH_LONG_FILENAME, s("Untitled")),
            (PropTag::DISPLAY_NAME, s(&moved.subject)),
            (PropTag::EXCEPTION_START_TIME, PropValue::Time(local(ex_start))),
            (PropTag::EXCEPTION_END_TIME, PropValue::Time(local(ex_end))),
            (PropTag::EXCEPTION_REPLACE_TIME, PropValue::Time(original)),
            (PropTag::RENDERING_POSITION, PropValue::I32(-1)),
        ]),
        embedded: Some(Box::new(MessageContent { props: ex, ..MessageContent::default() })),
    };
    p.set(PropTag::HAS_ATTACHMENTS, PropValue::Bool(true));
    save(p, vec![], vec![exception])?;

    // The meeting: 17:00–18:00 Tokyo time, organized by the first user.
    let when = When {
        start: TOKYO.utc((2026, 1, 8), 17 * 60),
        end: TOKYO.utc((2026, 1, 8), 18 * 60),
        zone: TOKYO,
        all_day: false,
    };
    let goid = global_object_id(meeting_data, created, None);
    let mut p =
        base(&t, "Partner call Tokyo", "Quarterly partner call. Dial-in in the invitation.", "Online", &when, &goid);
    let is_organizer = owner.1 == organizer.1;
    // asfMeeting (1), plus asfReceived (2) in an attendee's copy;
    // respOrganized (1) / respAccepted (3).
    p.set(t.state, PropValue::I32(if is_organizer { 1 } else { 3 }));
    p.set(t.response, PropValue::I32(if is_organizer { 1 } else { 3 }));
    p.set(PropTag::ICON_INDEX, PropValue::I32(0x0403));
    p.set(t.to_attendees, s(&attendees.iter().map(|a| a.0.as_str()).collect::<Vec<_>>().join("; ")));
    p.set(t.cc_attendees, s("Zoë Müller"));
    for (tag, v) in [
        (PropTag::SENT_REPRESENTING_NAME, &organizer.0),
        (PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, &organizer.1),
        (PropTag::SENT_REPRESENTING_SMTP_ADDRESS, &organizer.1),
        (PropTag::SENDER_NAME, &organizer.0),
        (PropTag::SENDER_EMAIL_ADDRESS, &organizer.1),
        (PropTag::SENDER_SMTP_ADDRESS, &organizer.1),
    ] {
        p.set(tag, s(v));
    }
    p.set(PropTag::SENT_REPRESENTING_ADDRESS_TYPE, s("SMTP"));
    p.set(PropTag::SENDER_ADDRESS_TYPE, s("SMTP"));
    // Recipients ([MS-OXOCAL] 2.2.4.10): the organizer (recipSendable |
    // recipOrganizer, type To), required attendees (To) and an optional
    // one (Cc), with their track status.
    let person = |(name, addr): &Person, kind: i32, flags: i32, track: i32| {
        PropBag::from_pairs([
            (PropTag::RECIPIENT_TYPE, PropValue::I32(kind)),
            (PropTag::DISPLAY_NAME, s(name)),
            (PropTag::EMAIL_ADDRESS, s(addr)),
            (PropTag::SMTP_ADDRESS, s(addr)),
            (PropTag::ADDRESS_TYPE, s("SMTP")),
            (PropTag::RECIPIENT_FLAGS, PropValue::I32(flags)),
            (PropTag::RECIPIENT_TRACK_STATUS, PropValue::I32(track)),
        ])
    };
    let mut recipients = vec![person(organizer, 1, 0x0003, 0)];
    for a in attendees {
        recipients.push(person(a, 1, 0x0001, 3));
    }
    recipients.push(person(&("Zoë Müller".into(), "zoe.mueller@partner.example".into()), 2, 0x0001, 0));
    save(p, recipients, vec![])?;
    Ok(saved)
}
