//! RecurrencePattern ([MS-OXOCAL] 2.2.1.44.1) ⇄ RRULE (RFC 5545 3.3.10,
//! mapped as [MS-OXCICAL] 2.1.3.2.2 says), the instance dates a pattern
//! yields, and an occurrence expander for time-range queries.

use std::collections::BTreeSet;

use calcard::icalendar::{ICalendarDay, ICalendarFrequency, ICalendarMonth, ICalendarRecurrenceRule, ICalendarWeekday};
use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use mapi_wire::prop_value::FileTime;

use super::recur::{
    AppointmentRecurrence, EndType, NO_END_DATE, PatternSpecific, PatternType, RecurFrequency, RecurrencePattern,
};
use super::time::{
    add_months, days_in_month, from_filetime, from_minutes, midnight, months_since_1601, to_filetime, to_minutes,
};
use super::zone::Zone;

/// Why an RRULE has no MAPI equivalent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("recurrence rule not representable in MAPI: {0}")]
pub struct UnsupportedRule(pub &'static str);

/// Upper bound of instances generated for one series (COUNT, UNTIL scans,
/// expansion), so hostile rules cannot loop for long.
pub const MAX_INSTANCES: usize = 10_000;

const MINUTES_PER_DAY: u32 = 1440;
const MINUTES_PER_WEEK: u32 = 10_080;

fn weekday_bit(wd: ICalendarWeekday) -> u32 {
    1 << weekday_index(wd)
}

fn weekday_index(wd: ICalendarWeekday) -> u32 {
    match wd {
        ICalendarWeekday::Sunday => 0,
        ICalendarWeekday::Monday => 1,
        ICalendarWeekday::Tuesday => 2,
        ICalendarWeekday::Wednesday => 3,
        ICalendarWeekday::Thursday => 4,
        ICalendarWeekday::Friday => 5,
        ICalendarWeekday::Saturday => 6,
    }
}

fn weekday_of_index(i: u32) -> ICalendarWeekday {
    match i % 7 {
        0 => ICalendarWeekday::Sunday,
        1 => ICalendarWeekday::Monday,
        2 => ICalendarWeekday::Tuesday,
        3 => ICalendarWeekday::Wednesday,
        4 => ICalendarWeekday::Thursday,
        5 => ICalendarWeekday::Friday,
        _ => ICalendarWeekday::Saturday,
    }
}

fn days_of_mask(mask: u32) -> Vec<ICalendarDay> {
    (0..7)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| ICalendarDay { ordwk: None, weekday: weekday_of_index(i) })
        .collect()
}

/// FirstDateTime of a pattern starting on local `start` ([MS-OXOCAL]
/// 2.2.1.44.1): the start's phase within the period.
pub fn first_date_time(p: &RecurrencePattern, start: NaiveDate) -> u32 {
    let start_m = to_minutes(start.and_time(chrono::NaiveTime::MIN));
    match p.pattern_type {
        PatternType::DAY => start_m % p.period.max(1),
        PatternType::WEEK => {
            let back = (start.weekday().num_days_from_sunday() + 7 - p.first_dow % 7) % 7;
            let week_start = start_m.saturating_sub(back * MINUTES_PER_DAY);
            week_start % (p.period.max(1).saturating_mul(MINUTES_PER_WEEK))
        }
        _ => {
            let months = months_since_1601(start).rem_euclid(i64::from(p.period.max(1)));
            add_months(1601, 0, months)
                .and_then(|(y, m)| NaiveDate::from_ymd_opt(y, m + 1, 1))
                .map_or(0, |d| to_minutes(d.and_time(chrono::NaiveTime::MIN)))
        }
    }
}

/// The local dates of a pattern's instances from its StartDate on, in
/// order, ending per EndType (at most `limit`; never-ending series stop
/// after `until` if given).
pub fn instance_dates(p: &RecurrencePattern, until: Option<NaiveDate>, limit: usize) -> Vec<NaiveDate> {
    instance_dates_from(p, None, until, limit)
}

/// [`instance_dates`] from about `from` on: series whose end does not
/// depend on counting instances (no end, or an end date) skip whole periods
/// before `from`, so a query years into an old daily series stays cheap.
/// The result may start up to one period before `from`.
pub fn instance_dates_from(
    p: &RecurrencePattern,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    limit: usize,
) -> Vec<NaiveDate> {
    let first = from_minutes(p.start_date).date();
    let skip_to = from.filter(|f| *f > first && p.end_type != EndType::AFTER_N);
    let start = first;
    let end_date = (p.end_type == EndType::AFTER_DATE).then(|| from_minutes(p.end_date).date());
    let count = (p.end_type == EndType::AFTER_N).then_some(p.occurrence_count as usize);
    let max = count.unwrap_or(limit).min(limit).min(MAX_INSTANCES);
    let mut out = Vec::new();
    let push = |d: NaiveDate, out: &mut Vec<NaiveDate>| -> bool {
        if d < start {
            return true;
        }
        if end_date.is_some_and(|e| d > e) || until.is_some_and(|u| d > u) || out.len() >= max {
            return false;
        }
        out.push(d);
        true
    };
    let period = p.period.max(1);
    // Guard against patterns that never yield (empty day masks).
    let mut steps = 0usize;
    let step_limit = MAX_INSTANCES * 4;
    match (p.pattern_type, p.specific) {
        (PatternType::DAY, _) => {
            let days = i64::from((period / MINUTES_PER_DAY).max(1));
            let skip = skip_to.map_or(0, |f| ((f - start).num_days() / days - 1).max(0));
            let mut d = start.checked_add_signed(TimeDelta::days(skip * days)).unwrap_or(start);
            while steps < step_limit && push(d, &mut out) {
                steps += 1;
                let Some(n) = d.checked_add_signed(TimeDelta::days(days)) else { break };
                d = n;
            }
        }
        (PatternType::WEEK, PatternSpecific::Week(mask)) if mask & 0x7F != 0 => {
            let back = (start.weekday().num_days_from_sunday() + 7 - p.first_dow % 7) % 7;
            let mut week = start - TimeDelta::days(i64::from(back));
            if let Some(f) = skip_to {
                let periods = ((f - week).num_days() / 7 / i64::from(period) - 1).max(0);
                week = week.checked_add_signed(TimeDelta::weeks(periods * i64::from(period))).unwrap_or(week);
            }
            'weeks: while steps < step_limit {
                for i in 0..7 {
                    let d = week + TimeDelta::days(i);
                    if mask & (1 << d.weekday().num_days_from_sunday()) != 0 && !push(d, &mut out) {
                        break 'weeks;
                    }
                }
                steps += 1;
                let Some(n) = week.checked_add_signed(TimeDelta::weeks(i64::from(period))) else { break };
                week = n;
            }
        }
        (PatternType::MONTH | PatternType::MONTH_END | PatternType::MONTH_NTH, spec) => {
            let (mut y, mut m0) = (start.year(), start.month0());
            if let Some(f) = skip_to {
                let months = months_since_1601(f) - months_since_1601(start);
                let periods = (months / i64::from(period) - 1).max(0);
                (y, m0) = add_months(y, m0, periods * i64::from(period)).unwrap_or((y, m0));
            }
            while steps < step_limit {
                steps += 1;
                let dim = days_in_month(y, m0);
                let day = match spec {
                    PatternSpecific::Day(d) if p.pattern_type != PatternType::MONTH_END => Some(d.clamp(1, dim)),
                    PatternSpecific::Nth { weekdays, n } => nth_of_mask(y, m0, weekdays, n),
                    _ => Some(dim),
                };
                if let Some(d) = day.and_then(|d| NaiveDate::from_ymd_opt(y, m0 + 1, d))
                    && !push(d, &mut out)
                {
                    break;
                }
                let Some((ny, nm)) = add_months(y, m0, i64::from(period)) else { break };
                if ny > 9999 {
                    break;
                }
                (y, m0) = (ny, nm);
            }
        }
        _ => {}
    }
    out
}

/// The day of the month of the `n`th (5 = last) day matching `mask`.
fn nth_of_mask(y: i32, m0: u32, mask: u32, n: u32) -> Option<u32> {
    let matching: Vec<u32> = (1..=days_in_month(y, m0))
        .filter(|&d| {
            NaiveDate::from_ymd_opt(y, m0 + 1, d)
                .is_some_and(|dt| mask & (1 << dt.weekday().num_days_from_sunday()) != 0)
        })
        .collect();
    if n >= 5 { matching.last().copied() } else { matching.get(n.checked_sub(1)? as usize).copied() }
}

/// The RRULE of a pattern. `until` is the UNTIL value (the last instance's
/// start, UTC or a date for all-day series), used for EndType AFTER_DATE.
pub fn to_rrule(
    p: &RecurrencePattern,
    until: Option<calcard::common::PartialDateTime>,
) -> Result<ICalendarRecurrenceRule, UnsupportedRule> {
    let mut r = ICalendarRecurrenceRule::default();
    let start = from_minutes(p.start_date).date();
    let months_interval = |period: u32| u16::try_from(period.max(1)).unwrap_or(1);
    match (p.frequency, p.pattern_type, p.specific) {
        (_, PatternType::DAY, _) => {
            r.freq = ICalendarFrequency::Daily;
            r.interval = Some(u16::try_from((p.period / MINUTES_PER_DAY).max(1)).unwrap_or(1));
        }
        (_, PatternType::WEEK, PatternSpecific::Week(mask)) => {
            r.freq = ICalendarFrequency::Weekly;
            r.interval = Some(u16::try_from(p.period.max(1)).unwrap_or(1));
            r.byday = days_of_mask(mask);
        }
        (f, PatternType::MONTH | PatternType::MONTH_END | PatternType::MONTH_NTH, spec) => {
            let yearly = f == RecurFrequency::YEARLY;
            r.freq = if yearly { ICalendarFrequency::Yearly } else { ICalendarFrequency::Monthly };
            r.interval = Some(if yearly { months_interval(p.period / 12) } else { months_interval(p.period) });
            if yearly {
                r.bymonth = vec![ICalendarMonth::new(start.month() as u8, false)];
            }
            match spec {
                PatternSpecific::Nth { weekdays, n } => {
                    r.byday = days_of_mask(weekdays);
                    r.bysetpos = vec![if n >= 5 { -1 } else { n as i32 }];
                }
                PatternSpecific::Day(d) if p.pattern_type == PatternType::MONTH && d < 31 => {
                    r.bymonthday = vec![d as i8];
                }
                _ => r.bymonthday = vec![-1],
            }
        }
        _ => return Err(UnsupportedRule("Hijri or unknown pattern type")),
    }
    if r.interval == Some(1) {
        r.interval = None;
    }
    // FirstDOW travels as WKST; MO is RFC 5545's default.
    if p.pattern_type == PatternType::WEEK || p.first_dow % 7 != 1 {
        r.wkst = Some(weekday_of_index(p.first_dow));
    }
    match p.end_type {
        EndType::AFTER_N => r.count = Some(p.occurrence_count),
        EndType::AFTER_DATE => r.until = until,
        _ => {}
    }
    Ok(r)
}

/// A RecurrencePattern from an RRULE whose series starts on local
/// `dtstart` (date of the first instance). End dates and counts are
/// computed from the instances; `until_local` is UNTIL in the series' zone.
pub fn from_rrule(
    rule: &ICalendarRecurrenceRule,
    dtstart: NaiveDateTime,
    until_local: Option<NaiveDateTime>,
) -> Result<RecurrencePattern, UnsupportedRule> {
    if !rule.bysecond.is_empty() || !rule.byminute.is_empty() || !rule.byhour.is_empty() {
        return Err(UnsupportedRule("BYHOUR/BYMINUTE/BYSECOND"));
    }
    if !rule.byyearday.is_empty() || !rule.byweekno.is_empty() {
        return Err(UnsupportedRule("BYYEARDAY/BYWEEKNO"));
    }
    let interval = u32::from(rule.interval.unwrap_or(1).max(1));
    let start = dtstart.date();
    let ordinal_days: Vec<&ICalendarDay> = rule.byday.iter().filter(|d| d.ordwk.is_some()).collect();
    let mask = rule.byday.iter().fold(0u32, |m, d| m | weekday_bit(d.weekday));
    let mut p = RecurrencePattern {
        reader_version: 0x3004,
        writer_version: 0x3004,
        frequency: RecurFrequency::DAILY,
        pattern_type: PatternType::DAY,
        calendar_type: 0,
        first_date_time: 0,
        period: 0,
        sliding: 0,
        specific: PatternSpecific::None,
        end_type: EndType::NEVER,
        occurrence_count: 10,
        first_dow: rule.wkst.map_or(1, weekday_index),
        deleted: Vec::new(),
        modified: Vec::new(),
        start_date: to_minutes(midnight(dtstart)),
        end_date: NO_END_DATE,
    };
    let nth = |p: &mut RecurrencePattern| -> Result<(), UnsupportedRule> {
        if let [d] = ordinal_days.as_slice() {
            let n = d.ordwk.unwrap_or(1);
            if !rule.bysetpos.is_empty() || !(n == -1 || (1..=4).contains(&n)) {
                return Err(UnsupportedRule("BYDAY ordinal"));
            }
            p.pattern_type = PatternType::MONTH_NTH;
            p.specific =
                PatternSpecific::Nth { weekdays: weekday_bit(d.weekday), n: if n == -1 { 5 } else { n as u32 } };
        } else if !ordinal_days.is_empty() {
            return Err(UnsupportedRule("several ordinal BYDAY"));
        } else {
            let pos = match rule.bysetpos.as_slice() {
                [pos] if *pos == -1 || (1..=4).contains(pos) => *pos,
                _ => return Err(UnsupportedRule("BYDAY without one BYSETPOS in 1..4 or -1")),
            };
            p.pattern_type = PatternType::MONTH_NTH;
            p.specific = PatternSpecific::Nth { weekdays: mask, n: if pos == -1 { 5 } else { pos as u32 } };
        }
        Ok(())
    };
    let monthday = |p: &mut RecurrencePattern| -> Result<(), UnsupportedRule> {
        match rule.bymonthday.as_slice() {
            [] => {
                p.pattern_type = PatternType::MONTH;
                p.specific = PatternSpecific::Day(start.day());
            }
            [-1] => {
                p.pattern_type = PatternType::MONTH_END;
                p.specific = PatternSpecific::Day(31);
            }
            [d] if *d >= 1 => {
                p.pattern_type = PatternType::MONTH;
                p.specific = PatternSpecific::Day(*d as u32);
            }
            _ => return Err(UnsupportedRule("BYMONTHDAY other than one day or -1")),
        }
        Ok(())
    };
    match rule.freq {
        ICalendarFrequency::Daily if rule.byday.is_empty() => {
            p.period = interval * MINUTES_PER_DAY;
        }
        ICalendarFrequency::Daily | ICalendarFrequency::Weekly => {
            if !ordinal_days.is_empty() || !rule.bymonthday.is_empty() || !rule.bymonth.is_empty() {
                return Err(UnsupportedRule("weekly rule with month parts"));
            }
            if rule.freq == ICalendarFrequency::Daily && interval != 1 {
                return Err(UnsupportedRule("daily BYDAY with INTERVAL"));
            }
            p.frequency = RecurFrequency::WEEKLY;
            p.pattern_type = PatternType::WEEK;
            p.period = interval;
            let mask = if mask == 0 { 1 << start.weekday().num_days_from_sunday() } else { mask };
            p.specific = PatternSpecific::Week(mask);
        }
        ICalendarFrequency::Monthly => {
            if !rule.bymonth.is_empty() {
                return Err(UnsupportedRule("monthly BYMONTH"));
            }
            p.frequency = RecurFrequency::MONTHLY;
            p.period = interval;
            if rule.byday.is_empty() { monthday(&mut p)? } else { nth(&mut p)? }
        }
        ICalendarFrequency::Yearly => {
            match rule.bymonth.as_slice() {
                [] => {}
                [m] if m.month() == start.month() as u8 => {}
                _ => return Err(UnsupportedRule("BYMONTH other than DTSTART's month")),
            }
            p.frequency = RecurFrequency::YEARLY;
            p.period = interval.saturating_mul(12);
            if rule.byday.is_empty() { monthday(&mut p)? } else { nth(&mut p)? }
        }
        _ => return Err(UnsupportedRule("FREQ below DAILY")),
    }
    p.first_date_time = first_date_time(&p, start);
    if let Some(count) = rule.count {
        p.end_type = EndType::AFTER_N;
        p.occurrence_count = count.min(MAX_INSTANCES as u32);
        let dates = instance_dates(&p, None, MAX_INSTANCES);
        p.end_date = dates.last().map_or(p.start_date, |d| to_minutes(d.and_time(chrono::NaiveTime::MIN)));
    } else if let Some(until) = until_local {
        p.end_type = EndType::AFTER_DATE;
        p.end_date = NO_END_DATE;
        let time = dtstart.time();
        let dates: Vec<NaiveDate> = instance_dates(&p, Some(until.date()), MAX_INSTANCES)
            .into_iter()
            .filter(|d| d.and_time(time) <= until)
            .collect();
        p.occurrence_count = dates.len() as u32;
        p.end_date = dates.last().map_or(p.start_date, |d| to_minutes(d.and_time(chrono::NaiveTime::MIN)));
    }
    Ok(p)
}

/// One occurrence of a recurring appointment (UTC FILETIMEs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// Start (UTC).
    pub start: FileTime,
    /// End (UTC).
    pub end: FileTime,
    /// The start the pattern gives this instance (RECURRENCE-ID), UTC.
    pub original_start: FileTime,
    /// Index into [`AppointmentRecurrence::exceptions`] for a modified instance.
    pub exception: Option<usize>,
}

/// The occurrences of a series that overlap `[from, to)`, in start order:
/// deleted instances left out, modified ones at their new times.
/// `duration` is the series' duration in minutes when the blob's offsets
/// are absent or inconsistent.
pub fn expand(rec: &AppointmentRecurrence, zone: &Zone, from: FileTime, to: FileTime, limit: usize) -> Vec<Occurrence> {
    let (from_u, to_u) = (from_filetime(from), from_filetime(to));
    let deleted: BTreeSet<u32> = rec.pattern.deleted.iter().map(|d| d - d % MINUTES_PER_DAY).collect();
    let duration = i64::from(rec.end_offset.saturating_sub(rec.start_offset));
    let until = (zone.to_local(to_u) + TimeDelta::days(2)).date();
    let from_local = (zone.to_local(from_u) - TimeDelta::days(2)).date();
    let mut out = Vec::new();
    let ft = |local: NaiveDateTime| to_filetime(zone.to_utc(local)).unwrap_or(FileTime(0));
    for date in instance_dates_from(&rec.pattern, Some(from_local), Some(until), MAX_INSTANCES) {
        let day = to_minutes(date.and_time(chrono::NaiveTime::MIN));
        if deleted.contains(&day) {
            continue;
        }
        let start_l = date.and_time(chrono::NaiveTime::MIN) + TimeDelta::minutes(i64::from(rec.start_offset));
        let (s, e) = (zone.to_utc(start_l), zone.to_utc(start_l + TimeDelta::minutes(duration)));
        if e > from_u && s < to_u || (s == e && s >= from_u && s < to_u) {
            out.push(Occurrence {
                start: ft(start_l),
                end: ft(start_l + TimeDelta::minutes(duration)),
                original_start: ft(start_l),
                exception: None,
            });
        }
    }
    for (i, x) in rec.exceptions.iter().enumerate() {
        let (s, e) = (zone.to_utc(from_minutes(x.start)), zone.to_utc(from_minutes(x.end)));
        if e > from_u && s < to_u {
            out.push(Occurrence {
                start: ft(from_minutes(x.start)),
                end: ft(from_minutes(x.end)),
                original_start: ft(from_minutes(x.original_start)),
                exception: Some(i),
            });
        }
    }
    out.sort_by_key(|o| o.start);
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(y: i32, m: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, mi, 0)).unwrap_or_default()
    }

    fn rule(s: &str) -> ICalendarRecurrenceRule {
        let ics = format!("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nRRULE:{s}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
        let cal = calcard::icalendar::ICalendar::parse(&ics).ok();
        cal.and_then(|c| {
            c.components.iter().flat_map(|c| c.entries.iter()).find_map(|e| match e.values.first() {
                Some(calcard::icalendar::ICalendarValue::RecurrenceRule(r)) => Some((**r).clone()),
                _ => None,
            })
        })
        .unwrap_or_default()
    }

    #[test]
    fn weekly_count_matches_the_oracle_blob() {
        // 007-ical-05: FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10;WKST=MO from 2026-12-07 09:15.
        let p = from_rrule(&rule("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10;WKST=MO"), dt(2026, 12, 7, 9, 15), None);
        let Ok(p) = p else { panic!("{p:?}") };
        assert_eq!(p.specific, PatternSpecific::Week(0x0A));
        assert_eq!(p.first_dow, 1);
        assert_eq!((p.end_type, p.occurrence_count), (EndType::AFTER_N, 10));
        assert_eq!(from_minutes(p.end_date), dt(2027, 1, 6, 0, 0));
    }

    #[test]
    fn monthly_second_tuesday_until() {
        // 008-ical-06: UNTIL=20270713T035959Z is 2027-07-12 23:59:59 in New York.
        let p = from_rrule(
            &rule("FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270713T035959Z"),
            dt(2026, 12, 8, 14, 0),
            Some(dt(2027, 7, 12, 23, 59)),
        );
        let Ok(p) = p else { panic!("{p:?}") };
        assert_eq!(p.pattern_type, PatternType::MONTH_NTH);
        assert_eq!(p.specific, PatternSpecific::Nth { weekdays: 0x04, n: 2 });
        assert_eq!((p.end_type, p.occurrence_count), (EndType::AFTER_DATE, 7));
        // The date of the last instance (2027-06-08), not of UNTIL.
        assert_eq!(from_minutes(p.end_date), dt(2027, 6, 8, 0, 0));
        let back = to_rrule(&p, None).map(|r| r.to_string());
        assert_eq!(back.as_deref(), Ok("FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2"));
    }

    #[test]
    fn yearly_and_daily_periods_and_phase() {
        let Ok(y) = from_rrule(&rule("FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=12"), dt(2026, 6, 12, 0, 0), None) else {
            panic!()
        };
        assert_eq!((y.period, y.first_date_time, y.end_type), (12, 217_440, EndType::NEVER));
        let Ok(d) = from_rrule(&rule("FREQ=DAILY;COUNT=14"), dt(2026, 12, 14, 8, 30), None) else { panic!() };
        assert_eq!((d.period, d.occurrence_count), (1440, 14));
        assert_eq!(from_minutes(d.end_date), dt(2026, 12, 27, 0, 0));
        let Ok(w) = from_rrule(&rule("FREQ=WEEKLY;BYDAY=TH;COUNT=8;WKST=SU"), dt(2026, 12, 3, 15, 0), None) else {
            panic!()
        };
        assert_eq!(w.first_date_time, 8640);
    }

    #[test]
    fn unsupported_rules_are_refused() {
        assert!(from_rrule(&rule("FREQ=HOURLY"), dt(2026, 1, 1, 0, 0), None).is_err());
        assert!(from_rrule(&rule("FREQ=MONTHLY;BYMONTHDAY=1,15"), dt(2026, 1, 1, 0, 0), None).is_err());
        assert!(from_rrule(&rule("FREQ=YEARLY;BYWEEKNO=20"), dt(2026, 1, 1, 0, 0), None).is_err());
    }

    #[test]
    fn a_query_decades_into_a_daily_series_still_finds_its_instances() {
        let Ok(p) = from_rrule(&rule("FREQ=DAILY"), dt(2000, 1, 1, 9, 0), None) else { panic!() };
        let rec = AppointmentRecurrence {
            pattern: p,
            reader_version2: 0x3006,
            writer_version2: 0x3009,
            start_offset: 540,
            end_offset: 600,
            exceptions: Vec::new(),
            reserved1: Vec::new(),
            reserved2: Vec::new(),
        };
        let ft = |t: NaiveDateTime| to_filetime(t).unwrap_or(FileTime(0));
        let got = expand(&rec, &Zone::Utc, ft(dt(2040, 3, 1, 0, 0)), ft(dt(2040, 3, 8, 0, 0)), 100);
        assert_eq!(got.len(), 7);
        assert_eq!(from_filetime(got[0].start), dt(2040, 3, 1, 9, 0));
        let Ok(m) = from_rrule(&rule("FREQ=MONTHLY;INTERVAL=5;BYDAY=2TU"), dt(2000, 1, 11, 9, 0), None) else {
            panic!()
        };
        let direct: Vec<NaiveDate> = instance_dates(&m, Some(dt(2031, 1, 1, 0, 0).date()), 10_000)
            .into_iter()
            .filter(|d| d.year() == 2030)
            .collect();
        let skipped: Vec<NaiveDate> =
            instance_dates_from(&m, Some(dt(2030, 1, 1, 0, 0).date()), Some(dt(2031, 1, 1, 0, 0).date()), 100)
                .into_iter()
                .filter(|d| d.year() == 2030)
                .collect();
        assert_eq!(direct, skipped);
        assert!(!direct.is_empty());
    }

    #[test]
    fn last_friday_and_month_end() {
        let Ok(p) = from_rrule(&rule("FREQ=MONTHLY;BYDAY=-1FR;COUNT=3"), dt(2026, 1, 30, 9, 0), None) else { panic!() };
        let dates = instance_dates(&p, None, 10);
        assert_eq!(
            dates,
            vec![dt(2026, 1, 30, 0, 0).date(), dt(2026, 2, 27, 0, 0).date(), dt(2026, 3, 27, 0, 0).date()]
        );
        let Ok(p) = from_rrule(&rule("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=2"), dt(2026, 1, 31, 9, 0), None) else {
            panic!()
        };
        assert_eq!(instance_dates(&p, None, 10)[1], dt(2026, 2, 28, 0, 0).date());
    }
}
