//! Time scales of the calendar properties: PtypTime FILETIMEs (UTC, 100 ns
//! since 1601, [MS-OXCDATA] 2.11.1) and the recurrence blob's minutes since
//! 1601-01-01 00:00 *local* time ([MS-OXOCAL] 2.2.1.44.1 StartDate/EndDate,
//! 2.2.1.44.2 StartDateTime), both as `chrono::NaiveDateTime`.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use mapi_wire::prop_value::FileTime;

/// 1601-01-01 00:00, the epoch of FILETIMEs and of the recurrence minutes.
pub(crate) fn epoch_1601() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1601, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default()
}

/// The UTC date-time of a FILETIME (sub-second ticks dropped).
pub(crate) fn from_filetime(ft: FileTime) -> NaiveDateTime {
    let secs = (ft.0 / FileTime::TICKS_PER_SECOND) as i64;
    epoch_1601() + TimeDelta::seconds(secs)
}

/// The FILETIME of a UTC date-time; `None` before 1601.
pub(crate) fn to_filetime(dt: NaiveDateTime) -> Option<FileTime> {
    let secs = (dt - epoch_1601()).num_seconds();
    u64::try_from(secs).ok()?.checked_mul(FileTime::TICKS_PER_SECOND).map(FileTime)
}

/// Minutes since 1601 of a (local) date-time, saturating at the u32 range.
pub(crate) fn to_minutes(dt: NaiveDateTime) -> u32 {
    let m = (dt - epoch_1601()).num_minutes();
    u32::try_from(m.max(0)).unwrap_or(u32::MAX)
}

/// The (local) date-time of minutes since 1601.
pub(crate) fn from_minutes(m: u32) -> NaiveDateTime {
    epoch_1601() + TimeDelta::minutes(i64::from(m))
}

/// Midnight of the day of `dt`.
pub(crate) fn midnight(dt: NaiveDateTime) -> NaiveDateTime {
    dt.date().and_time(chrono::NaiveTime::MIN)
}

/// Months since 1601-01 of a date (for monthly FirstDateTime).
pub(crate) fn months_since_1601(d: NaiveDate) -> i64 {
    (i64::from(d.year()) - 1601) * 12 + i64::from(d.month0())
}

/// Adds months to the first of a month; `None` out of range.
pub(crate) fn add_months(year: i32, month0: u32, months: i64) -> Option<(i32, u32)> {
    let total = i64::from(year) * 12 + i64::from(month0) + months;
    Some((i32::try_from(total.div_euclid(12)).ok()?, u32::try_from(total.rem_euclid(12)).ok()?))
}

/// Days in a month (month0 0..=11).
pub(crate) fn days_in_month(year: i32, month0: u32) -> u32 {
    let (ny, nm) = if month0 == 11 { (year + 1, 1) } else { (year, month0 + 2) };
    NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|n| n.pred_opt()).map_or(28, |d| d.day())
}

/// The `n`th (1..=4, 5 = last) `weekday` (0 = Sunday) of a month.
pub(crate) fn nth_weekday(year: i32, month: u32, weekday: u32, n: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let first_wd = first.weekday().num_days_from_sunday();
    let mut day = 1 + (weekday + 7 - first_wd) % 7 + 7 * (n.clamp(1, 5) - 1);
    let dim = days_in_month(year, month - 1);
    while day > dim {
        day -= 7;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Which occurrence (1..=4, 5 = last) of its weekday a date is in its month.
pub(crate) fn week_of_month(d: NaiveDate) -> u32 {
    let n = (d.day() - 1) / 7 + 1;
    if d.day() + 7 > days_in_month(d.year(), d.month0()) { 5 } else { n }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_match_the_oracle_blob() {
        // 011-ical-09: StartDate 2026-12-03T00:00 = minutes 224012160.
        let d = NaiveDate::from_ymd_opt(2026, 12, 3).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default();
        assert_eq!(to_minutes(d), 224_012_160);
        assert_eq!(from_minutes(224_012_160), d);
    }

    #[test]
    fn last_weekday_of_month() {
        assert_eq!(nth_weekday(2026, 3, 0, 5), NaiveDate::from_ymd_opt(2026, 3, 29));
        assert_eq!(nth_weekday(2026, 12, 2, 2), NaiveDate::from_ymd_opt(2026, 12, 8));
        assert_eq!(week_of_month(NaiveDate::from_ymd_opt(2026, 10, 25).unwrap_or_default()), 5);
    }
}
