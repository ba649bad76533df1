//! The recurrence blob PidLidAppointmentRecur ([MS-OXOCAL] 2.2.1.44.5
//! AppointmentRecurrencePattern): a RecurrencePattern (2.2.1.44.1), the
//! series' times of day, ExceptionInfo (2.2.1.44.2) and ExtendedException
//! (2.2.1.44.3) blocks. PidLidTaskRecurrence holds a bare RecurrencePattern
//! ([MS-OXOTASK] 2.2.2.2.15).
//!
//! All dates are minutes since 1601-01-01 in the series' local time.
//! Unknown enum values, reserved blocks and ChangeHighlight data are kept,
//! so decode → encode returns the input.

use mapi_wire::codec::utf16le_to_string;
use mapi_wire::{DecodeError, Put, Reader};

/// RecurFrequency ([MS-OXOCAL] 2.2.1.44.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecurFrequency(pub u16);

impl RecurFrequency {
    /// Daily.
    pub const DAILY: Self = Self(0x200A);
    /// Weekly.
    pub const WEEKLY: Self = Self(0x200B);
    /// Monthly.
    pub const MONTHLY: Self = Self(0x200C);
    /// Yearly.
    pub const YEARLY: Self = Self(0x200D);
}

/// PatternType ([MS-OXOCAL] 2.2.1.44.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatternType(pub u16);

impl PatternType {
    /// Every Period minutes (daily).
    pub const DAY: Self = Self(0x0000);
    /// On WeekDays every Period weeks.
    pub const WEEK: Self = Self(0x0001);
    /// On day Day every Period months.
    pub const MONTH: Self = Self(0x0002);
    /// On the Nth WeekDays every Period months.
    pub const MONTH_NTH: Self = Self(0x0003);
    /// On the last day every Period months.
    pub const MONTH_END: Self = Self(0x0004);
    /// Hijri month.
    pub const HJ_MONTH: Self = Self(0x000A);
    /// Hijri month, nth weekday.
    pub const HJ_MONTH_NTH: Self = Self(0x000B);
    /// Hijri month end.
    pub const HJ_MONTH_END: Self = Self(0x000C);
}

/// EndType ([MS-OXOCAL] 2.2.1.44.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EndType(pub u32);

impl EndType {
    /// Ends after EndDate.
    pub const AFTER_DATE: Self = Self(0x2021);
    /// Ends after OccurrenceCount occurrences.
    pub const AFTER_N: Self = Self(0x2022);
    /// Never ends.
    pub const NEVER: Self = Self(0x2023);
    /// Never ends (alternative value readers accept).
    pub const NEVER_ALT: Self = Self(0xFFFF_FFFF);

    /// True for both "never end" values.
    pub fn is_never(self) -> bool {
        self == Self::NEVER || self == Self::NEVER_ALT
    }
}

/// EndDate of a series without end: 4500-08-31 23:59 ([MS-OXOCAL] 2.2.1.44.1).
pub const NO_END_DATE: u32 = 0x5AE9_80DF;

/// PatternTypeSpecific ([MS-OXOCAL] 2.2.1.44.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternSpecific {
    /// Day pattern: no data.
    None,
    /// Week: the day bits (0x01 Sunday … 0x40 Saturday).
    Week(u32),
    /// Month / MonthEnd / Hj: the day of the month (MonthEnd: 31).
    Day(u32),
    /// MonthNth: day bits and N (1..=4, 5 = last).
    Nth {
        /// Day bits.
        weekdays: u32,
        /// Which occurrence, 5 = last.
        n: u32,
    },
}

/// RecurrencePattern ([MS-OXOCAL] 2.2.1.44.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecurrencePattern {
    /// ReaderVersion (0x3004).
    pub reader_version: u16,
    /// WriterVersion (0x3004).
    pub writer_version: u16,
    /// RecurFrequency.
    pub frequency: RecurFrequency,
    /// PatternType.
    pub pattern_type: PatternType,
    /// CalendarType (0 = Gregorian).
    pub calendar_type: u16,
    /// FirstDateTime: the phase of the period, see [`first_date_time`](crate::ical::recur_rule).
    pub first_date_time: u32,
    /// Period: minutes (daily), weeks (weekly) or months (monthly/yearly).
    pub period: u32,
    /// SlidingFlag (tasks only).
    pub sliding: u32,
    /// PatternTypeSpecific.
    pub specific: PatternSpecific,
    /// EndType.
    pub end_type: EndType,
    /// OccurrenceCount.
    pub occurrence_count: u32,
    /// FirstDOW, 0 = Sunday.
    pub first_dow: u32,
    /// DeletedInstanceDates: original dates (local midnight) of deleted and
    /// modified instances, ascending.
    pub deleted: Vec<u32>,
    /// ModifiedInstanceDates: dates (local midnight) of modified instances.
    pub modified: Vec<u32>,
    /// StartDate: local midnight of the first instance.
    pub start_date: u32,
    /// EndDate: local midnight of the last instance, or [`NO_END_DATE`].
    pub end_date: u32,
}

/// OverrideFlags bits of an ExceptionInfo ([MS-OXOCAL] 2.2.1.44.2).
#[derive(Debug)]
pub enum Override {}

impl Override {
    /// ARO_SUBJECT.
    pub const SUBJECT: u16 = 0x0001;
    /// ARO_MEETINGTYPE.
    pub const MEETING_TYPE: u16 = 0x0002;
    /// ARO_REMINDERDELTA.
    pub const REMINDER_DELTA: u16 = 0x0004;
    /// ARO_REMINDER.
    pub const REMINDER: u16 = 0x0008;
    /// ARO_LOCATION.
    pub const LOCATION: u16 = 0x0010;
    /// ARO_BUSYSTATUS.
    pub const BUSY_STATUS: u16 = 0x0020;
    /// ARO_ATTACHMENT.
    pub const ATTACHMENT: u16 = 0x0040;
    /// ARO_SUBTYPE.
    pub const SUB_TYPE: u16 = 0x0080;
    /// ARO_APPTCOLOR.
    pub const APPT_COLOR: u16 = 0x0100;
    /// ARO_EXCEPTIONAL_BODY (no field).
    pub const EXCEPTIONAL_BODY: u16 = 0x0200;
}

/// One ExceptionInfo ([MS-OXOCAL] 2.2.1.44.2) with its ExtendedException
/// ([MS-OXOCAL] 2.2.1.44.3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExceptionInfo {
    /// StartDateTime (local minutes).
    pub start: u32,
    /// EndDateTime (local minutes).
    pub end: u32,
    /// OriginalStartDate (local minutes of the replaced instance's start).
    pub original_start: u32,
    /// OverrideFlags.
    pub flags: u16,
    /// Subject (8-bit in ExceptionInfo, UTF-16 in ExtendedException).
    pub subject: Option<String>,
    /// MeetingType.
    pub meeting_type: Option<u32>,
    /// ReminderDelta.
    pub reminder_delta: Option<u32>,
    /// ReminderSet.
    pub reminder_set: Option<u32>,
    /// Location.
    pub location: Option<String>,
    /// BusyStatus.
    pub busy_status: Option<u32>,
    /// Attachment.
    pub attachment: Option<u32>,
    /// SubType (all-day).
    pub sub_type: Option<u32>,
    /// AppointmentColor.
    pub color: Option<u32>,
    /// The 8-bit Subject bytes as read (kept so that a blob re-encodes
    /// byte for byte); `None` writes `subject` in Latin-1.
    pub subject8: Option<Vec<u8>>,
    /// The 8-bit Location bytes as read.
    pub location8: Option<Vec<u8>>,
    /// ChangeHighlight of the ExtendedException (size + value + reserved), raw.
    pub change_highlight: Vec<u8>,
    /// ReservedBlockEE1.
    pub reserved_ee1: Vec<u8>,
    /// ReservedBlockEE2.
    pub reserved_ee2: Vec<u8>,
}

/// AppointmentRecurrencePattern ([MS-OXOCAL] 2.2.1.44.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppointmentRecurrence {
    /// The RecurrencePattern.
    pub pattern: RecurrencePattern,
    /// ReaderVersion2 (0x3006).
    pub reader_version2: u32,
    /// WriterVersion2 (0x3006..=0x3009; ≥ 0x3009 adds ChangeHighlight).
    pub writer_version2: u32,
    /// StartTimeOffset: minutes after local midnight of each start.
    pub start_offset: u32,
    /// EndTimeOffset: minutes after local midnight of the start day.
    pub end_offset: u32,
    /// The exceptions, in blob order.
    pub exceptions: Vec<ExceptionInfo>,
    /// ReservedBlock1.
    pub reserved1: Vec<u8>,
    /// ReservedBlock2.
    pub reserved2: Vec<u8>,
}

/// Upper bound for decoded blobs (Outlook caps a series at a few thousand
/// exceptions; a PtypBinary read in one piece is well below this).
pub const MAX_BLOB: usize = 1 << 20;

fn err(what: &'static str, r: &Reader<'_>, reason: &'static str) -> DecodeError {
    DecodeError::Invalid { what, offset: r.offset(), reason }
}

impl RecurrencePattern {
    /// Decodes a bare RecurrencePattern (PidLidTaskRecurrence).
    pub fn decode(blob: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(blob);
        Self::read(&mut r)
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        if r.remaining() > MAX_BLOB {
            return Err(err("RecurrencePattern", r, "blob too large"));
        }
        let reader_version = r.u16("ReaderVersion")?;
        let writer_version = r.u16("WriterVersion")?;
        let frequency = RecurFrequency(r.u16("RecurFrequency")?);
        let pattern_type = PatternType(r.u16("PatternType")?);
        let calendar_type = r.u16("CalendarType")?;
        let first_date_time = r.u32("FirstDateTime")?;
        let period = r.u32("Period")?;
        let sliding = r.u32("SlidingFlag")?;
        let specific = match pattern_type {
            PatternType::DAY => PatternSpecific::None,
            PatternType::WEEK => PatternSpecific::Week(r.u32("WeekDays")?),
            PatternType::MONTH_NTH | PatternType::HJ_MONTH_NTH => {
                PatternSpecific::Nth { weekdays: r.u32("WeekDays")?, n: r.u32("N")? }
            }
            PatternType::MONTH | PatternType::MONTH_END | PatternType::HJ_MONTH | PatternType::HJ_MONTH_END => {
                PatternSpecific::Day(r.u32("Day")?)
            }
            _ => return Err(err("PatternType", r, "unknown pattern type")),
        };
        let end_type = EndType(r.u32("EndType")?);
        let occurrence_count = r.u32("OccurrenceCount")?;
        let first_dow = r.u32("FirstDOW")?;
        let n = r.u32("DeletedInstanceCount")? as usize;
        let n = r.count(n, 4, "DeletedInstanceDates")?;
        let deleted = (0..n).map(|_| r.u32("DeletedInstanceDate")).collect::<Result<Vec<_>, _>>()?;
        let n = r.u32("ModifiedInstanceCount")? as usize;
        let n = r.count(n, 4, "ModifiedInstanceDates")?;
        let modified = (0..n).map(|_| r.u32("ModifiedInstanceDate")).collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            reader_version,
            writer_version,
            frequency,
            pattern_type,
            calendar_type,
            first_date_time,
            period,
            sliding,
            specific,
            end_type,
            occurrence_count,
            first_dow,
            deleted,
            modified,
            start_date: r.u32("StartDate")?,
            end_date: r.u32("EndDate")?,
        })
    }

    /// Encodes the RecurrencePattern.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + 4 * (self.deleted.len() + self.modified.len()));
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.put_u16(self.reader_version);
        out.put_u16(self.writer_version);
        out.put_u16(self.frequency.0);
        out.put_u16(self.pattern_type.0);
        out.put_u16(self.calendar_type);
        out.put_u32(self.first_date_time);
        out.put_u32(self.period);
        out.put_u32(self.sliding);
        match self.specific {
            PatternSpecific::None => {}
            PatternSpecific::Week(w) | PatternSpecific::Day(w) => out.put_u32(w),
            PatternSpecific::Nth { weekdays, n } => {
                out.put_u32(weekdays);
                out.put_u32(n);
            }
        }
        out.put_u32(self.end_type.0);
        out.put_u32(self.occurrence_count);
        out.put_u32(self.first_dow);
        out.put_u32(self.deleted.len() as u32);
        self.deleted.iter().for_each(|d| out.put_u32(*d));
        out.put_u32(self.modified.len() as u32);
        self.modified.iter().for_each(|d| out.put_u32(*d));
        out.put_u32(self.start_date);
        out.put_u32(self.end_date);
    }
}

fn read_string8(r: &mut Reader<'_>, what: &'static str) -> Result<(String, Vec<u8>), DecodeError> {
    let len = r.u16(what)?;
    let len2 = r.u16(what)?;
    if usize::from(len) != usize::from(len2) + 1 {
        return Err(err(what, r, "Length is not Length2 + 1"));
    }
    let raw = r.bytes(usize::from(len2), what)?;
    Ok((crate::bag::decode_string8(raw).into_owned(), raw.to_vec()))
}

fn write_string8(out: &mut Vec<u8>, s: &str, raw: Option<&Vec<u8>>) {
    // 8-bit copy for legacy readers; the ExtendedException has the Unicode text.
    let bytes: Vec<u8> = match raw {
        Some(raw) => raw.iter().copied().take(0xFFFE).collect(),
        None => s.chars().take(0xFFFE).map(|c| if (c as u32) < 0x100 { c as u32 as u8 } else { b'?' }).collect(),
    };
    out.put_u16(bytes.len() as u16 + 1);
    out.put_u16(bytes.len() as u16);
    out.put_bytes(&bytes);
}

fn read_wide(r: &mut Reader<'_>, what: &'static str) -> Result<String, DecodeError> {
    let n = usize::from(r.u16(what)?);
    Ok(utf16le_to_string(r.bytes(n * 2, what)?))
}

fn write_wide(out: &mut Vec<u8>, s: &str) {
    let units: Vec<u16> = s.encode_utf16().take(0xFFFF).collect();
    out.put_u16(units.len() as u16);
    units.iter().for_each(|u| out.put_u16(*u));
}

fn read_block(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<u8>, DecodeError> {
    let n = r.u32(what)? as usize;
    Ok(r.bytes(n, what)?.to_vec())
}

fn write_block(out: &mut Vec<u8>, b: &[u8]) {
    out.put_u32(b.len() as u32);
    out.put_bytes(b);
}

impl AppointmentRecurrence {
    /// Decodes PidLidAppointmentRecur.
    pub fn decode(blob: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(blob);
        let pattern = RecurrencePattern::read(&mut r)?;
        let reader_version2 = r.u32("ReaderVersion2")?;
        let writer_version2 = r.u32("WriterVersion2")?;
        let start_offset = r.u32("StartTimeOffset")?;
        let end_offset = r.u32("EndTimeOffset")?;
        let count = usize::from(r.u16("ExceptionCount")?);
        let count = r.count(count, 14, "ExceptionInfo")?;
        let mut exceptions = Vec::with_capacity(count);
        for _ in 0..count {
            let mut e = ExceptionInfo {
                start: r.u32("StartDateTime")?,
                end: r.u32("EndDateTime")?,
                original_start: r.u32("OriginalStartDate")?,
                flags: r.u16("OverrideFlags")?,
                ..ExceptionInfo::default()
            };
            let f = e.flags;
            if f & Override::SUBJECT != 0 {
                let (text, raw) = read_string8(&mut r, "Subject")?;
                e.subject = Some(text);
                e.subject8 = Some(raw);
            }
            if f & Override::MEETING_TYPE != 0 {
                e.meeting_type = Some(r.u32("MeetingType")?);
            }
            if f & Override::REMINDER_DELTA != 0 {
                e.reminder_delta = Some(r.u32("ReminderDelta")?);
            }
            if f & Override::REMINDER != 0 {
                e.reminder_set = Some(r.u32("ReminderSet")?);
            }
            if f & Override::LOCATION != 0 {
                let (text, raw) = read_string8(&mut r, "Location")?;
                e.location = Some(text);
                e.location8 = Some(raw);
            }
            if f & Override::BUSY_STATUS != 0 {
                e.busy_status = Some(r.u32("BusyStatus")?);
            }
            if f & Override::ATTACHMENT != 0 {
                e.attachment = Some(r.u32("Attachment")?);
            }
            if f & Override::SUB_TYPE != 0 {
                e.sub_type = Some(r.u32("SubType")?);
            }
            if f & Override::APPT_COLOR != 0 {
                e.color = Some(r.u32("AppointmentColor")?);
            }
            exceptions.push(e);
        }
        let reserved1 = read_block(&mut r, "ReservedBlock1")?;
        for e in &mut exceptions {
            if writer_version2 >= 0x3009 {
                let n = r.u32("ChangeHighlightSize")? as usize;
                let mut ch = Vec::with_capacity(4 + n.min(r.remaining()));
                ch.put_u32(n as u32);
                ch.put_bytes(r.bytes(n, "ChangeHighlight")?);
                e.change_highlight = ch;
            }
            e.reserved_ee1 = read_block(&mut r, "ReservedBlockEE1")?;
            if e.flags & (Override::SUBJECT | Override::LOCATION) != 0 {
                let (s, en, o) = (r.u32("EE StartDateTime")?, r.u32("EE EndDateTime")?, r.u32("EE OriginalStartDate")?);
                if (s, en, o) != (e.start, e.end, e.original_start) {
                    return Err(err("ExtendedException", &r, "times differ from its ExceptionInfo"));
                }
                if e.flags & Override::SUBJECT != 0 {
                    e.subject = Some(read_wide(&mut r, "WideCharSubject")?);
                }
                if e.flags & Override::LOCATION != 0 {
                    e.location = Some(read_wide(&mut r, "WideCharLocation")?);
                }
                e.reserved_ee2 = read_block(&mut r, "ReservedBlockEE2")?;
            }
        }
        let reserved2 = read_block(&mut r, "ReservedBlock2")?;
        Ok(Self {
            pattern,
            reader_version2,
            writer_version2,
            start_offset,
            end_offset,
            exceptions,
            reserved1,
            reserved2,
        })
    }

    /// Encodes PidLidAppointmentRecur.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128 + self.exceptions.len() * 96);
        self.pattern.write(&mut out);
        out.put_u32(self.reader_version2);
        out.put_u32(self.writer_version2);
        out.put_u32(self.start_offset);
        out.put_u32(self.end_offset);
        let exceptions = &self.exceptions[..self.exceptions.len().min(usize::from(u16::MAX))];
        out.put_u16(exceptions.len() as u16);
        for e in exceptions {
            out.put_u32(e.start);
            out.put_u32(e.end);
            out.put_u32(e.original_start);
            out.put_u16(e.flags);
            let f = e.flags;
            let text = |o: &Option<String>| o.clone().unwrap_or_default();
            if f & Override::SUBJECT != 0 {
                write_string8(&mut out, &text(&e.subject), e.subject8.as_ref());
            }
            for (bit, v) in [
                (Override::MEETING_TYPE, e.meeting_type),
                (Override::REMINDER_DELTA, e.reminder_delta),
                (Override::REMINDER, e.reminder_set),
            ] {
                if f & bit != 0 {
                    out.put_u32(v.unwrap_or(0));
                }
            }
            if f & Override::LOCATION != 0 {
                write_string8(&mut out, &text(&e.location), e.location8.as_ref());
            }
            for (bit, v) in [
                (Override::BUSY_STATUS, e.busy_status),
                (Override::ATTACHMENT, e.attachment),
                (Override::SUB_TYPE, e.sub_type),
                (Override::APPT_COLOR, e.color),
            ] {
                if f & bit != 0 {
                    out.put_u32(v.unwrap_or(0));
                }
            }
        }
        write_block(&mut out, &self.reserved1);
        for e in exceptions {
            if self.writer_version2 >= 0x3009 {
                if e.change_highlight.len() >= 4 {
                    out.put_bytes(&e.change_highlight);
                } else {
                    out.put_u32(4);
                    out.put_u32(0);
                }
            }
            write_block(&mut out, &e.reserved_ee1);
            if e.flags & (Override::SUBJECT | Override::LOCATION) != 0 {
                out.put_u32(e.start);
                out.put_u32(e.end);
                out.put_u32(e.original_start);
                if e.flags & Override::SUBJECT != 0 {
                    write_wide(&mut out, &e.subject.clone().unwrap_or_default());
                }
                if e.flags & Override::LOCATION != 0 {
                    write_wide(&mut out, &e.location.clone().unwrap_or_default());
                }
                write_block(&mut out, &e.reserved_ee2);
            }
        }
        write_block(&mut out, &self.reserved2);
        out
    }
}
