//! Reading and writing iCalendar values through calcard's model: date-times
//! with their zones, text, integers, durations.

use calcard::common::PartialDateTime;
use calcard::icalendar::{
    ICalendarComponent, ICalendarDuration, ICalendarEntry, ICalendarParameter, ICalendarParameterName,
    ICalendarParameterValue, ICalendarProperty, ICalendarValue, ICalendarValueType,
};
use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Timelike};

/// A DATE or DATE-TIME value as written (RFC 5545 3.3.4, 3.3.5).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum When {
    /// VALUE=DATE.
    Date(NaiveDate),
    /// Form 2, UTC (`Z`).
    Utc(NaiveDateTime),
    /// Form 1 (floating, `None`) or form 3 (with TZID).
    Local(NaiveDateTime, Option<String>),
}

impl When {
    /// The date-time at midnight for dates.
    pub(crate) fn naive(&self) -> NaiveDateTime {
        match self {
            Self::Date(d) => d.and_time(chrono::NaiveTime::MIN),
            Self::Utc(t) | Self::Local(t, _) => *t,
        }
    }
}

pub(crate) fn first<'a>(c: &'a ICalendarComponent, p: &ICalendarProperty) -> Option<&'a ICalendarEntry> {
    c.property(p)
}

pub(crate) fn text(c: &ICalendarComponent, p: &ICalendarProperty) -> Option<String> {
    first(c, p).and_then(|e| e.values.first()).and_then(|v| v.as_text()).map(str::to_owned)
}

pub(crate) fn other<'a>(c: &'a ICalendarComponent, name: &str) -> Option<&'a ICalendarEntry> {
    c.entries.iter().find(|e| matches!(&e.name, ICalendarProperty::Other(n) if n.eq_ignore_ascii_case(name)))
}

pub(crate) fn other_text(c: &ICalendarComponent, name: &str) -> Option<String> {
    other(c, name).and_then(|e| e.values.first()).and_then(|v| v.as_text()).map(str::to_owned)
}

pub(crate) fn integer(c: &ICalendarComponent, p: &ICalendarProperty) -> Option<i64> {
    first(c, p).and_then(|e| e.values.first()).and_then(|v| match v {
        ICalendarValue::Integer(i) => Some(*i),
        ICalendarValue::Text(t) => t.trim().parse().ok(),
        _ => None,
    })
}

pub(crate) fn param_text(e: &ICalendarEntry, name: &ICalendarParameterName) -> Option<String> {
    e.parameter(name).map(|v| match v {
        ICalendarParameterValue::Text(t) => t.clone(),
        other => format!("{other:?}"),
    })
}

/// The TZID parameter of an entry.
pub(crate) fn tzid(e: &ICalendarEntry) -> Option<String> {
    e.parameter(&ICalendarParameterName::Tzid).and_then(|v| match v {
        ICalendarParameterValue::Text(t) => Some(t.trim_start_matches('/').to_owned()),
        _ => None,
    })
}

fn is_date_param(e: &ICalendarEntry) -> bool {
    matches!(
        e.parameter(&ICalendarParameterName::Value),
        Some(ICalendarParameterValue::Value(ICalendarValueType::Date))
    )
}

/// A date-time value of a parsed entry.
pub(crate) fn when_of(e: &ICalendarEntry, v: &PartialDateTime) -> Option<When> {
    let date = NaiveDate::from_ymd_opt(i32::from(v.year?), u32::from(v.month?), u32::from(v.day?))?;
    if v.hour.is_none() || is_date_param(e) {
        return Some(When::Date(date));
    }
    let t = date.and_hms_opt(
        u32::from(v.hour?),
        u32::from(v.minute.unwrap_or(0)),
        u32::from(v.second.unwrap_or(0)).min(59),
    )?;
    match (v.tz_hour, v.tz_minute) {
        (Some(h), m) => {
            let off = TimeDelta::minutes(i64::from(h) * 60 + i64::from(m.unwrap_or(0)));
            Some(When::Utc(if v.tz_minus { t + off } else { t - off }))
        }
        _ => Some(When::Local(t, tzid(e))),
    }
}

/// The first date-time value of a property.
pub(crate) fn when(c: &ICalendarComponent, p: &ICalendarProperty) -> Option<When> {
    let e = first(c, p)?;
    let v = e.values.first()?.as_partial_date_time()?;
    when_of(e, v)
}

/// Every date-time value of every instance of a property (EXDATE, RDATE).
pub(crate) fn whens(c: &ICalendarComponent, p: &ICalendarProperty) -> Vec<When> {
    c.properties(p)
        .flat_map(|e| e.values.iter().filter_map(move |v| v.as_partial_date_time().and_then(|v| when_of(e, v))))
        .collect()
}

/// A DURATION as signed seconds.
pub(crate) fn duration_seconds(d: &ICalendarDuration) -> i64 {
    let s = i64::from(d.weeks) * 604_800
        + i64::from(d.days) * 86_400
        + i64::from(d.hours) * 3600
        + i64::from(d.minutes) * 60
        + i64::from(d.seconds);
    if d.neg { -s } else { s }
}

/// A DURATION from signed seconds.
pub(crate) fn duration(secs: i64) -> ICalendarDuration {
    let a = secs.unsigned_abs();
    let days = a / 86_400;
    let (weeks, days) = if days.is_multiple_of(7) && a.is_multiple_of(86_400) { (days / 7, 0) } else { (0, days) };
    ICalendarDuration {
        neg: secs < 0,
        weeks: weeks as u32,
        days: days as u32,
        hours: (a % 86_400 / 3600) as u32,
        minutes: (a % 3600 / 60) as u32,
        seconds: (a % 60) as u32,
    }
}

/// A PartialDateTime: UTC (with `Z`) or local.
pub(crate) fn pdt(t: NaiveDateTime, utc: bool) -> PartialDateTime {
    PartialDateTime {
        year: Some(t.year() as u16),
        month: Some(t.month() as u8),
        day: Some(t.day() as u8),
        hour: Some(t.hour() as u8),
        minute: Some(t.minute() as u8),
        second: Some(t.second() as u8),
        tz_hour: utc.then_some(0),
        tz_minute: utc.then_some(0),
        tz_minus: false,
    }
}

/// A date-only PartialDateTime.
pub(crate) fn pdate(d: NaiveDate) -> PartialDateTime {
    PartialDateTime {
        year: Some(d.year() as u16),
        month: Some(d.month() as u8),
        day: Some(d.day() as u8),
        ..Default::default()
    }
}

/// An entry with one value.
pub(crate) fn entry(name: ICalendarProperty, value: impl Into<ICalendarValue>) -> ICalendarEntry {
    ICalendarEntry::new(name).with_value(value)
}

/// An `X-` entry with a text value.
pub(crate) fn x_entry(name: &str, value: &str) -> ICalendarEntry {
    ICalendarEntry::new(ICalendarProperty::Other(name.to_owned())).with_value(value.to_owned())
}

/// A date-time entry in the form `w` says.
pub(crate) fn when_entry(name: ICalendarProperty, w: &When) -> ICalendarEntry {
    match w {
        When::Date(d) => ICalendarEntry::new(name)
            .with_param(ICalendarParameter::value(ICalendarValueType::Date))
            .with_value(ICalendarValue::PartialDateTime(Box::new(pdate(*d)))),
        When::Utc(t) => ICalendarEntry::new(name).with_value(ICalendarValue::PartialDateTime(Box::new(pdt(*t, true)))),
        When::Local(t, tz) => {
            let e = ICalendarEntry::new(name);
            let e = match tz {
                Some(tz) => e.with_param(ICalendarParameter::tzid(tz.clone())),
                None => e,
            };
            e.with_value(ICalendarValue::PartialDateTime(Box::new(pdt(*t, false))))
        }
    }
}

/// MAPI bodies use CRLF; iCalendar text uses LF after unescaping.
pub(crate) fn to_crlf(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Text for iCalendar: LF line breaks.
pub(crate) fn to_lf(s: &str) -> String {
    s.replace("\r\n", "\n")
}
