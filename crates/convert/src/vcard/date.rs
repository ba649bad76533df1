//! Date-only values: `BDAY` and `ANNIVERSARY` ↔ PidTagBirthday /
//! PidLidBirthdayLocal and PidTagWeddingAnniversary /
//! PidLidWeddingAnniversaryLocal ([MS-OXOCNTC] 2.2.1.5.1–2.2.1.5.4).
//!
//! A birthday is a calendar date, not an instant. We store midnight of the
//! date in both properties (the UTC one as midnight UTC: a pure converter
//! has no user time zone). On the way back the `…Local` property is the
//! date as is; PidTagBirthday alone (written by Outlook as local midnight
//! in UTC, so 23:00 the day before in UTC+1) is rounded to the nearest
//! midnight, which gives the right date for every zone from UTC−11 to
//! UTC+12.
//!
//! A date without a year (`--0704`, [RFC 6350] 4.3.1) is stored with year
//! 1604, the year Apple Contacts writes with `X-APPLE-OMIT-YEAR=1604`.
//!
//! [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350

use calcard::common::PartialDateTime;
use mapi_wire::prop_value::FileTime;

/// The year that stands for "no year".
pub(crate) const NO_YEAR: i64 = 1604;

/// A calendar date, maybe without year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Date {
    pub(crate) year: Option<u16>,
    pub(crate) month: u8,
    pub(crate) day: u8,
}

impl Date {
    fn checked(year: Option<u16>, month: u8, day: u8) -> Option<Self> {
        let leap = year.is_none_or(|y| is_leap(i64::from(y)));
        let max = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        // Year 0 and years past 9999 do not fit a FILETIME sensibly.
        let year = match year {
            Some(y) if !(1601..=9999).contains(&y) => return None,
            y if y == Some(NO_YEAR as u16) => None,
            y => y,
        };
        (1..=max).contains(&day).then_some(Self { year, month, day })
    }

    /// From calcard's parsed date-and-or-time (month and day required).
    pub(crate) fn from_partial(p: &PartialDateTime) -> Option<Self> {
        Self::checked(p.year, p.month?, p.day?)
    }

    /// From text: `YYYY-MM-DD`, `YYYYMMDD`, `--MMDD`, `--MM-DD`, each
    /// maybe followed by a time (`T…`), which is ignored.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let date = s.split(['T', 't']).next().unwrap_or_default();
        let (year, rest) = if let Some(rest) = date.strip_prefix("--") {
            (None, rest)
        } else {
            let digits: String = date.chars().take(4).collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (digits.parse::<u16>().ok(), date.get(4..)?)
        };
        let rest: String = rest.chars().filter(|c| *c != '-').collect();
        if rest.len() != 4 || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let month = rest.get(..2)?.parse().ok()?;
        let day = rest.get(2..)?.parse().ok()?;
        Self::checked(year, month, day)
    }

    /// Midnight UTC of the date (year 1604 when there is none).
    pub(crate) fn to_filetime(self) -> Option<FileTime> {
        let year = self.year.map_or(NO_YEAR, i64::from);
        let days = days_from_civil(year, i64::from(self.month), i64::from(self.day));
        FileTime::from_unix_seconds(days * 86_400)
    }

    /// The date of a `…Local` value (its date part as is).
    pub(crate) fn from_local(t: FileTime) -> Option<Self> {
        Self::from_unix_days(t.unix_seconds().div_euclid(86_400))
    }

    /// The date of a UTC value written as some zone's local midnight:
    /// the nearest midnight.
    pub(crate) fn from_utc(t: FileTime) -> Option<Self> {
        Self::from_unix_days((t.unix_seconds() + 12 * 3600).div_euclid(86_400))
    }

    fn from_unix_days(days: i64) -> Option<Self> {
        let (y, m, d) = civil_from_days(days);
        let year = if y == NO_YEAR { None } else { Some(u16::try_from(y).ok()?) };
        Self::checked(year, u8::try_from(m).ok()?, u8::try_from(d).ok()?)
    }

    /// vCard 4.0 form: `YYYYMMDD`, `--MMDD` without year ([RFC 6350] 4.3.1).
    ///
    /// [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350
    pub(crate) fn v4(self) -> String {
        match self.year {
            Some(y) => format!("{y:04}{:02}{:02}", self.month, self.day),
            None => format!("--{:02}{:02}", self.month, self.day),
        }
    }

    /// vCard 3.0 form: `YYYY-MM-DD` ([RFC 2426] 3.1.5); without year Apple's
    /// `1604-MM-DD` (the caller adds `X-APPLE-OMIT-YEAR=1604`).
    ///
    /// [RFC 2426]: https://www.rfc-editor.org/rfc/rfc2426
    pub(crate) fn v3(self) -> String {
        let y = self.year.map_or(NO_YEAR, i64::from);
        format!("{y:04}-{:02}-{:02}", self.month, self.day)
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_clients_write() {
        let d = |y, m, d| Some(Date { year: y, month: m, day: d });
        assert_eq!(Date::parse("1984-03-17"), d(Some(1984), 3, 17));
        assert_eq!(Date::parse("19921102"), d(Some(1992), 11, 2));
        assert_eq!(Date::parse("--0704"), d(None, 7, 4));
        assert_eq!(Date::parse("--07-04"), d(None, 7, 4));
        assert_eq!(Date::parse("1604-07-04"), d(None, 7, 4));
        assert_eq!(Date::parse("1990-05-21T00:00:00Z"), d(Some(1990), 5, 21));
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("--0229"), d(None, 2, 29));
        assert_eq!(Date::parse("yesterday"), None);
        assert_eq!(Date::parse("0000-01-01"), None);
    }

    #[test]
    fn utc_values_round_to_the_nearest_midnight() {
        let date = Date { year: Some(1984), month: 3, day: 17 };
        let midnight = date.to_filetime().map(FileTime::unix_seconds).unwrap_or_default();
        for offset_hours in -11..=12 {
            let t = FileTime::from_unix_seconds(midnight - offset_hours * 3600);
            assert_eq!(t.and_then(Date::from_utc), Some(date), "UTC{offset_hours:+}");
        }
        assert_eq!(date.to_filetime().and_then(Date::from_local), Some(date));
        let no_year = Date { year: None, month: 7, day: 4 };
        assert_eq!(no_year.to_filetime().and_then(Date::from_local), Some(no_year));
        assert_eq!(no_year.v4(), "--0704");
        assert_eq!(no_year.v3(), "1604-07-04");
    }
}
