//! [MS-OXCMAPIHTTP] 2.2.3.3.10 X-StartTime: an RFC 1123 date
//! (RFC 9110 §5.6.7 IMF-fixdate, `Fri, 27 Nov 2026 01:36:08 GMT`).

use super::HeaderError;

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// An HTTP date with one-second precision, as seconds since 1970-01-01 UTC.
///
/// [MS-OXCMAPIHTTP] 2.2.3.3.10 X-StartTime; the textual form is
/// RFC 9110 §5.6.7 IMF-fixdate. Only that form is produced and accepted
/// (gromox and Exchange both send it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct HttpDate(pub i64);

impl HttpDate {
    /// Parses `Fri, 27 Nov 2026 01:36:08 GMT`.
    ///
    /// The weekday must match the date: a mismatch means the peer's clock
    /// text is garbage, and we would rather say so than guess.
    pub fn parse(s: &str) -> Result<Self, HeaderError> {
        const BAD: HeaderError =
            HeaderError::new("X-StartTime", "not an IMF-fixdate (`Fri, 27 Nov 2026 01:36:08 GMT`)");
        // A fixed-size array: every index below is checked at compile time.
        let b: &[u8; 29] = s.trim().as_bytes().try_into().map_err(|_| BAD)?;
        if &b[3..5] != b", " || b[7] != b' ' || b[11] != b' ' || b[16] != b' ' || &b[25..] != b" GMT" {
            return Err(BAD);
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64, HeaderError> {
            let t = b.get(r).ok_or(BAD)?;
            if t.is_empty() || !t.iter().all(u8::is_ascii_digit) {
                return Err(BAD);
            }
            Ok(t.iter().fold(0i64, |a, d| a * 10 + i64::from(d - b'0')))
        };
        let day = num(5..7)?;
        let month = MONTHS.iter().position(|m| m.as_bytes() == &b[8..11]).ok_or(BAD)? as i64 + 1;
        let year = num(12..16)?;
        if b[19] != b':' || b[22] != b':' {
            return Err(BAD);
        }
        let (h, m, sec) = (num(17..19)?, num(20..22)?, num(23..25)?);
        if !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 || day > days_in_month(year, month) {
            return Err(BAD);
        }
        let days = days_from_civil(year, month, day);
        let wd = DAYS.get(days.rem_euclid(7) as usize).ok_or(BAD)?;
        if wd.as_bytes() != &b[0..3] {
            return Err(HeaderError::new("X-StartTime", "weekday does not match the date"));
        }
        Ok(Self(days * 86_400 + h * 3600 + m * 60 + sec))
    }

    /// The IMF-fixdate text.
    pub fn format(self) -> String {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, mo, d) = civil_from_days(days);
        // rem_euclid(7) is in 0..7 and civil_from_days gives months 1..=12.
        let wd = DAYS[days.rem_euclid(7) as usize];
        let mon = MONTHS[(mo - 1) as usize];
        format!("{wd}, {d:02} {mon} {y:04} {:02}:{:02}:{:02} GMT", secs / 3600, secs / 60 % 60, secs % 60)
    }
}

impl std::fmt::Display for HttpDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format())
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
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
    use proptest::prelude::*;

    #[test]
    fn capture_004_start_time() {
        let d = HttpDate::parse("Fri, 27 Nov 2026 01:36:08 GMT").unwrap();
        // 2026-11-27T01:36:08Z
        assert_eq!(d.0, 1_795_743_368);
        assert_eq!(d.format(), "Fri, 27 Nov 2026 01:36:08 GMT");
    }

    #[test]
    fn refuses_garbage_and_wrong_weekday() {
        for s in [
            "",
            "Thu, 27 Nov 2026 01:36:08 GMT",
            "Fri, 27 Nov 2026 01:36:08 UTC",
            "Fri, 31 Nov 2026 01:36:08 GMT",
            "Fri, 27 Nov 2026 24:36:08 GMT",
            "Fri,  27 Nov 2026 1:36:08 GMT",
            "Fri, 2x Nov 2026 01:36:08 GMT",
        ] {
            assert!(HttpDate::parse(s).is_err(), "{s}");
        }
    }

    proptest! {
        #[test]
        fn round_trip(secs in 0i64..253_402_300_799) {
            let d = HttpDate(secs);
            prop_assert_eq!(HttpDate::parse(&d.format()).unwrap(), d);
        }
    }
}
