//! Time zones as the converters use them: an IANA zone (chrono-tz), a
//! TZDEFINITION's rules ([MS-OXOCAL] 2.2.1.41) when the zone has no IANA
//! name, UTC, or floating. Also TZDEFINITION ⇄ IANA: the rules of an IANA
//! zone around a year, and the Windows key names of common zones
//! (the CLDR `windowsZones` mapping, territory "001").

use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone};

use super::tzdef::{SystemTime, TZRULE_FLAG_EFFECTIVE, TzDefinition, TzRule};

/// A time zone of a calendar object.
#[derive(Clone, Debug, PartialEq)]
pub enum Zone {
    /// UTC.
    Utc,
    /// A zone of the IANA database.
    Iana(chrono_tz::Tz),
    /// Rules without an IANA equivalent (custom VTIMEZONE or unknown
    /// Windows key), converted with Windows semantics.
    Rules(TzDefinition),
}

impl Zone {
    /// Local → UTC. Nonexistent local times (spring gap) move forward by
    /// the gap, ambiguous ones take the first (daylight) instance, as
    /// RFC 5545 3.3.5 says.
    pub fn to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        match self {
            Self::Utc => local,
            Self::Rules(def) => def.to_utc(local),
            Self::Iana(tz) => {
                let r = tz.from_local_datetime(&local);
                if let Some(dt) = r.earliest() {
                    return dt.naive_utc();
                }
                // In a gap: interpret with the offset before the gap.
                let before = tz.offset_from_utc_datetime(&(local - TimeDelta::hours(3))).fix().local_minus_utc();
                local - TimeDelta::seconds(i64::from(before))
            }
        }
    }

    /// UTC → local.
    pub fn to_local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        match self {
            Self::Utc => utc,
            Self::Rules(def) => def.to_local(utc),
            Self::Iana(tz) => tz.from_utc_datetime(&utc).naive_local(),
        }
    }

    /// UTC offset in seconds at `utc`.
    pub fn offset_at(&self, utc: NaiveDateTime) -> i32 {
        ((self.to_local(utc) - utc).num_seconds()) as i32
    }

    /// The name for TZID: the IANA name, or the TZDEFINITION key.
    pub fn tzid(&self) -> String {
        match self {
            Self::Utc => "UTC".into(),
            Self::Iana(tz) => tz.name().into(),
            Self::Rules(def) => def.key_name.clone(),
        }
    }

    /// A zone from a name: IANA, a Windows key name, or a Windows display
    /// alias known to calcard.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("UTC") || name.eq_ignore_ascii_case("Etc/UTC") || name == "Z" {
            return Some(Self::Utc);
        }
        if let Some(iana) = windows_to_iana(name) {
            return chrono_tz::Tz::from_str(iana).ok().map(Self::Iana);
        }
        if let Ok(tz) = chrono_tz::Tz::from_str(name) {
            return Some(Self::Iana(tz));
        }
        match calcard::common::timezone::Tz::from_str(name) {
            Ok(calcard::common::timezone::Tz::Tz(tz)) => Some(Self::Iana(tz)),
            _ => None,
        }
    }

    /// A zone from a TZDEFINITION: by its key if that names a known zone
    /// (so conversions use the full history), else its own rules.
    pub fn from_definition(def: &TzDefinition) -> Self {
        Self::from_name(&def.key_name).unwrap_or_else(|| Self::Rules(def.clone()))
    }

    /// The TZDEFINITION of this zone for events around `years` (inclusive):
    /// one rule per distinct rule, the first for 1601 on; the rule of
    /// `effective_year` flagged effective (plus `extra_flags`).
    pub fn definition(&self, years: (i32, i32), effective_year: i32, extra_flags: u16) -> TzDefinition {
        flagged(self.rules_for(years), effective_year, extra_flags)
    }

    /// The rules of [`Zone::definition`] without the flags.
    pub fn rules_for(&self, years: (i32, i32)) -> TzDefinition {
        match self {
            Self::Rules(def) => def.clone(),
            Self::Utc => {
                TzDefinition { key_name: "UTC".into(), rules: vec![TzRule { year: 1601, ..TzRule::default() }] }
            }
            Self::Iana(tz) => {
                let mut rules: Vec<TzRule> = Vec::new();
                let from = years.0.max(1602);
                let to = years.1.max(from).min(from + 50);
                for y in from..=to {
                    let mut r = rule_of_year(*tz, y);
                    if rules.last().is_some_and(|l| same_rule(l, &r)) {
                        continue;
                    }
                    r.year = if rules.is_empty() { 1601 } else { y as u16 };
                    rules.push(r);
                }
                TzDefinition { key_name: iana_to_windows(tz.name()).unwrap_or(tz.name()).to_owned(), rules }
            }
        }
    }
}

/// `def` with the rule in force in `effective_year` flagged effective (plus
/// `extra_flags`) and every other rule unflagged.
pub fn flagged(mut def: TzDefinition, effective_year: i32, extra_flags: u16) -> TzDefinition {
    let eff = def.rules.iter().rposition(|r| i32::from(r.year) <= effective_year).unwrap_or(0);
    for (i, r) in def.rules.iter_mut().enumerate() {
        r.flags = if i == eff { TZRULE_FLAG_EFFECTIVE | extra_flags } else { 0 };
    }
    def
}

fn same_rule(a: &TzRule, b: &TzRule) -> bool {
    let strip = |s: SystemTime| SystemTime { year: 0, ..s };
    a.bias == b.bias
        && a.standard_bias == b.standard_bias
        && a.daylight_bias == b.daylight_bias
        && a.standard_date.year == 0
        && b.standard_date.year == 0
        && strip(a.standard_date) == strip(b.standard_date)
        && strip(a.daylight_date) == strip(b.daylight_date)
}

/// The TZRule of an IANA zone in `year`: its offset changes found by
/// scanning the year, written as yearly rules when they recur as "nth
/// weekday", as absolute dates otherwise.
fn rule_of_year(tz: chrono_tz::Tz, year: i32) -> TzRule {
    let Some(start) = NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)) else {
        return TzRule::default();
    };
    let off = |t: NaiveDateTime| tz.offset_from_utc_datetime(&t).fix().local_minus_utc() / 60;
    // Transitions of the year (UTC instant, offset before, offset after).
    let mut changes: Vec<(NaiveDateTime, i32, i32)> = Vec::new();
    let mut t = start;
    let mut cur = off(t);
    let end = start + TimeDelta::days(366);
    while t < end {
        // Zones change offset at most a few times a year, months apart.
        let next = t + TimeDelta::days(1);
        let o = off(next);
        if o != cur {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > TimeDelta::minutes(1) {
                let mid = lo + (hi - lo) / 2;
                if off(mid) == cur { lo = mid } else { hi = mid }
            }
            // Offsets change on whole minutes; `hi` is within a minute after.
            let ts = hi.and_utc().timestamp();
            let hi = chrono::DateTime::from_timestamp(ts - ts.rem_euclid(60), 0).map_or(hi, |d| d.naive_utc());
            if hi.year() == year {
                changes.push((hi, cur, o));
            }
            cur = o;
        }
        t = next;
    }
    let jan = off(start);
    let jul = off(start + TimeDelta::days(182));
    let standard = match changes.as_slice() {
        [] => jan,
        [(_, a, b)] => (*a).min(*b),
        _ => jan.min(jul),
    };
    let mut rule = TzRule { year: year as u16, bias: -standard, ..TzRule::default() };
    let local = |(at, before, _): &(NaiveDateTime, i32, i32)| *at + TimeDelta::minutes(i64::from(*before));
    let to_dst = changes.iter().find(|c| c.2 > c.1);
    let to_std = changes.iter().find(|c| c.2 < c.1);
    match (to_dst, to_std) {
        (Some(d), Some(s)) => {
            rule.daylight_bias = -(d.2 - standard);
            let (dl, sl) = (local(d), local(s));
            let regular = |at: NaiveDateTime| SystemTime::yearly(at).in_year(year) == Some(at);
            if regular(dl) && regular(sl) {
                rule.daylight_date = SystemTime::yearly(dl);
                rule.standard_date = SystemTime::yearly(sl);
            } else {
                rule.daylight_date = SystemTime::absolute(dl);
                rule.standard_date = SystemTime::absolute(sl);
            }
        }
        (None, Some(s)) => {
            // The year starts in daylight time and leaves it for good.
            rule.daylight_bias = -(s.1 - standard);
            rule.daylight_date = SystemTime::absolute(start);
            rule.standard_date = SystemTime::absolute(local(s));
        }
        (Some(d), None) => {
            rule.daylight_bias = -(d.2 - standard);
            rule.daylight_date = SystemTime::absolute(local(d));
            let last = NaiveDate::from_ymd_opt(year, 12, 31).and_then(|d| d.and_hms_opt(23, 59, 0)).unwrap_or(start);
            rule.standard_date = SystemTime::absolute(last);
        }
        (None, None) => {}
    }
    rule
}

/// Windows key name → IANA zone (CLDR windowsZones, territory 001).
static WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("UTC-11", "Etc/GMT+11"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Central Standard Time", "America/Chicago"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("Canada Central Standard Time", "America/Regina"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Eastern Standard Time", "America/New_York"),
    ("US Eastern Standard Time", "America/Indiana/Indianapolis"),
    ("Venezuela Standard Time", "America/Caracas"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("SA Western Standard Time", "America/La_Paz"),
    ("Pacific SA Standard Time", "America/Santiago"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("Argentina Standard Time", "America/Argentina/Buenos_Aires"),
    ("SA Eastern Standard Time", "America/Cayenne"),
    ("UTC-02", "Etc/GMT+2"),
    ("Azores Standard Time", "Atlantic/Azores"),
    ("Cape Verde Standard Time", "Atlantic/Cape_Verde"),
    ("UTC", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("W. Central Africa Standard Time", "Africa/Lagos"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("Egypt Standard Time", "Africa/Cairo"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("Arabic Standard Time", "Asia/Baghdad"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Arab Standard Time", "Asia/Riyadh"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("E. Africa Standard Time", "Africa/Nairobi"),
    ("Iran Standard Time", "Asia/Tehran"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Afghanistan Standard Time", "Asia/Kabul"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("India Standard Time", "Asia/Kolkata"),
    ("Nepal Standard Time", "Asia/Kathmandu"),
    ("Bangladesh Standard Time", "Asia/Dhaka"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("Cen. Australia Standard Time", "Australia/Adelaide"),
    ("AUS Central Standard Time", "Australia/Darwin"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("West Pacific Standard Time", "Pacific/Port_Moresby"),
    ("Tasmania Standard Time", "Australia/Hobart"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("Fiji Standard Time", "Pacific/Fiji"),
    ("Tonga Standard Time", "Pacific/Tongatapu"),
];

/// The IANA zone of a Windows time-zone key name.
pub fn windows_to_iana(windows: &str) -> Option<&'static str> {
    WINDOWS_ZONES.iter().find(|(w, _)| w.eq_ignore_ascii_case(windows)).map(|(_, i)| *i)
}

/// The Windows key name of an IANA zone, for TZDEFINITION KeyName: only
/// for the zone the Windows name maps back to, so that a TZID survives
/// MAPI unchanged (Europe/Amsterdam keeps its name rather than coming back
/// as Europe/Berlin).
pub fn iana_to_windows(iana: &str) -> Option<&'static str> {
    WINDOWS_ZONES.iter().find(|(_, i)| *i == iana).map(|(w, _)| *w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, 0, 0)).unwrap_or_default()
    }

    #[test]
    fn berlin_from_iana_is_the_windows_rule() {
        let z = Zone::from_name("Europe/Berlin").unwrap_or(Zone::Utc);
        let def = z.definition((2026, 2026), 2026, 0);
        assert_eq!(def.key_name, "W. Europe Standard Time");
        let r = def.rules[0];
        assert_eq!((r.bias, r.standard_bias, r.daylight_bias), (-60, 0, -60));
        assert_eq!((r.daylight_date.month, r.daylight_date.day, r.daylight_date.hour), (3, 5, 2));
        assert_eq!((r.standard_date.month, r.standard_date.day, r.standard_date.hour), (10, 5, 3));
        assert_eq!(Zone::Rules(def.clone()).to_utc(at(2026, 12, 8, 10)), at(2026, 12, 8, 9));
    }

    #[test]
    fn sydney_is_southern() {
        let z = Zone::from_name("AUS Eastern Standard Time").unwrap_or(Zone::Utc);
        let r = z.definition((2026, 2026), 2026, 0).rules[0];
        assert_eq!((r.bias, r.daylight_bias), (-600, -60));
        assert_eq!((r.standard_date.month, r.standard_date.day, r.standard_date.hour), (4, 1, 3));
        assert_eq!((r.daylight_date.month, r.daylight_date.day, r.daylight_date.hour), (10, 1, 2));
    }

    #[test]
    fn sao_paulo_2019_keeps_the_january_dst() {
        let z = Zone::from_name("America/Sao_Paulo").unwrap_or(Zone::Utc);
        assert_eq!(z.to_utc(at(2019, 1, 15, 10)), at(2019, 1, 15, 12));
        let def = z.definition((2018, 2020), 2019, 0);
        assert_eq!(Zone::Rules(def.clone()).to_utc(at(2019, 1, 15, 10)), at(2019, 1, 15, 12));
        assert_eq!(Zone::Rules(def).to_utc(at(2020, 1, 15, 10)), at(2020, 1, 15, 13));
    }
}
