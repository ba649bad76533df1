//! Time-zone blobs of calendar objects: TZDEFINITION with its TZRules
//! ([MS-OXOCAL] 2.2.1.41 PidLidAppointmentTimeZoneDefinitionRecur, 2.2.1.41.1
//! TZRule; the same layout in …StartDisplay/EndDisplay, 2.2.1.42/2.2.1.43)
//! and the legacy TimeZoneStruct ([MS-OXOCAL] 2.2.1.39 PidLidTimeZoneStruct).
//!
//! Biases follow Windows: `UTC = local + bias`, so Berlin has lBias -60,
//! lStandardBias 0, lDaylightBias -60.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use mapi_wire::codec::utf16le_to_string;
use mapi_wire::{DecodeError, Put, Reader};

use super::time::{nth_weekday, week_of_month};

/// A Windows SYSTEMTIME as used in time-zone rules ([MS-OXOCAL]
/// 2.2.1.41.1): with `year` 0 a yearly rule (`day` = week of the month
/// 1..=5, 5 = last; `day_of_week` 0 = Sunday), else an absolute date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SystemTime {
    /// wYear: 0 for a yearly recurring date.
    pub year: u16,
    /// wMonth 1..=12; 0 = no transition.
    pub month: u16,
    /// wDayOfWeek, 0 = Sunday.
    pub day_of_week: u16,
    /// wDay: week of the month (yearly) or day of the month (absolute).
    pub day: u16,
    /// wHour.
    pub hour: u16,
    /// wMinute.
    pub minute: u16,
    /// wSecond.
    pub second: u16,
    /// wMilliseconds.
    pub milliseconds: u16,
}

impl SystemTime {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            year: r.u16("wYear")?,
            month: r.u16("wMonth")?,
            day_of_week: r.u16("wDayOfWeek")?,
            day: r.u16("wDay")?,
            hour: r.u16("wHour")?,
            minute: r.u16("wMinute")?,
            second: r.u16("wSecond")?,
            milliseconds: r.u16("wMilliseconds")?,
        })
    }

    fn write(&self, out: &mut Vec<u8>) {
        for v in
            [self.year, self.month, self.day_of_week, self.day, self.hour, self.minute, self.second, self.milliseconds]
        {
            out.put_u16(v);
        }
    }

    /// The local date-time of this transition in `year`, if it has one.
    pub fn in_year(&self, year: i32) -> Option<NaiveDateTime> {
        if self.month == 0 {
            return None;
        }
        let date = if self.year != 0 {
            if i32::from(self.year) != year {
                return None;
            }
            NaiveDate::from_ymd_opt(year, u32::from(self.month), u32::from(self.day))?
        } else {
            nth_weekday(year, u32::from(self.month), u32::from(self.day_of_week), u32::from(self.day))?
        };
        let t = NaiveTime::from_hms_opt(u32::from(self.hour), u32::from(self.minute), u32::from(self.second))?;
        Some(date.and_time(t))
    }

    /// The yearly rule of a transition at local `at` (nth weekday of the month).
    pub fn yearly(at: NaiveDateTime) -> Self {
        Self {
            year: 0,
            month: at.month() as u16,
            day_of_week: at.weekday().num_days_from_sunday() as u16,
            day: week_of_month(at.date()) as u16,
            hour: at.hour() as u16,
            minute: at.minute() as u16,
            ..Self::default()
        }
    }

    /// An absolute transition at local `at`.
    pub fn absolute(at: NaiveDateTime) -> Self {
        Self {
            year: at.year() as u16,
            month: at.month() as u16,
            day_of_week: at.weekday().num_days_from_sunday() as u16,
            day: at.day() as u16,
            hour: at.hour() as u16,
            minute: at.minute() as u16,
            ..Self::default()
        }
    }
}

/// TZRule flag `TZRULE_FLAG_RECUR_CURRENT_TZREG`: the rule PidLidTimeZoneStruct holds.
pub const TZRULE_FLAG_RECUR_CURRENT: u16 = 0x0001;
/// TZRule flag `TZRULE_FLAG_EFFECTIVE_TZREG`: the rule in effect now.
pub const TZRULE_FLAG_EFFECTIVE: u16 = 0x0002;

/// One TZRule ([MS-OXOCAL] 2.2.1.41.1): the zone's offsets and DST
/// transitions from `year` on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TzRule {
    /// TZRule flags (`TZRULE_FLAG_*`).
    pub flags: u16,
    /// wYear: the first year the rule applies to.
    pub year: u16,
    /// lBias in minutes (UTC = local + bias).
    pub bias: i32,
    /// lStandardBias, added to `bias` in standard time.
    pub standard_bias: i32,
    /// lDaylightBias, added to `bias` in daylight time.
    pub daylight_bias: i32,
    /// stStandardDate: when standard time starts (month 0 = no DST).
    pub standard_date: SystemTime,
    /// stDaylightDate: when daylight time starts.
    pub daylight_date: SystemTime,
}

impl TzRule {
    /// Size of a TZRule on the wire.
    pub const SIZE: usize = 66;

    /// True if the rule has daylight saving time.
    pub fn has_dst(&self) -> bool {
        self.standard_date.month != 0 && self.daylight_date.month != 0
    }

    /// UTC offset (local − UTC) in minutes in standard time.
    pub fn standard_offset(&self) -> i32 {
        -(self.bias + self.standard_bias)
    }

    /// UTC offset in minutes in daylight time.
    pub fn daylight_offset(&self) -> i32 {
        -(self.bias + self.daylight_bias)
    }

    /// The UTC offset in minutes at local time `local`.
    pub fn offset_at_local(&self, local: NaiveDateTime) -> i32 {
        if !self.has_dst() {
            return self.standard_offset();
        }
        let y = local.year();
        let (Some(dst), Some(std)) = (self.daylight_date.in_year(y), self.standard_date.in_year(y)) else {
            return self.standard_offset();
        };
        let in_dst = if dst < std { local >= dst && local < std } else { local >= dst || local < std };
        if in_dst { self.daylight_offset() } else { self.standard_offset() }
    }

    /// The UTC offset in minutes at UTC time `utc`.
    pub fn offset_at_utc(&self, utc: NaiveDateTime) -> i32 {
        // Transitions are given in the local time in force before them.
        let std_local = utc + TimeDelta::minutes(i64::from(self.standard_offset()));
        let dst_local = utc + TimeDelta::minutes(i64::from(self.daylight_offset()));
        if !self.has_dst() {
            return self.standard_offset();
        }
        let y = std_local.year();
        let (Some(dst), Some(std)) = (self.daylight_date.in_year(y), self.standard_date.in_year(y)) else {
            return self.standard_offset();
        };
        let in_dst = if dst < std { std_local >= dst && dst_local < std } else { std_local >= dst || dst_local < std };
        if in_dst { self.daylight_offset() } else { self.standard_offset() }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let _major = r.u8("TZRule MajorVersion")?;
        let _minor = r.u8("TZRule MinorVersion")?;
        let _reserved = r.u16("TZRule Reserved")?;
        let flags = r.u16("TZRuleFlags")?;
        let year = r.u16("wYear")?;
        r.bytes(14, "TZRule X")?;
        Ok(Self {
            flags,
            year,
            bias: r.i32("lBias")?,
            standard_bias: r.i32("lStandardBias")?,
            daylight_bias: r.i32("lDaylightBias")?,
            standard_date: SystemTime::read(r)?,
            daylight_date: SystemTime::read(r)?,
        })
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.put_u8(0x02);
        out.put_u8(0x01);
        out.put_u16(0x003E);
        out.put_u16(self.flags);
        out.put_u16(self.year);
        out.put_bytes(&[0; 14]);
        out.put_u32(self.bias as u32);
        out.put_u32(self.standard_bias as u32);
        out.put_u32(self.daylight_bias as u32);
        self.standard_date.write(out);
        self.daylight_date.write(out);
    }
}

/// A TZDEFINITION ([MS-OXOCAL] 2.2.1.41): a key name and the zone's rules
/// by year, ascending.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TzDefinition {
    /// KeyName: the Windows time-zone key (`W. Europe Standard Time`); other
    /// writers put an IANA name here.
    pub key_name: String,
    /// The rules, ascending by `year`; at most [`TzDefinition::MAX_RULES`].
    pub rules: Vec<TzRule>,
}

impl TzDefinition {
    /// TZDEFINITION allows at most 1024 rules ([MS-OXOCAL] 2.2.1.41 cRules).
    pub const MAX_RULES: usize = 1024;

    /// Decodes a TZDEFINITION blob.
    pub fn decode(blob: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(blob);
        let major = r.u8("TZDEFINITION MajorVersion")?;
        if major != 0x02 {
            return Err(DecodeError::Invalid { what: "TZDEFINITION MajorVersion", offset: 0, reason: "not 0x02" });
        }
        let _minor = r.u8("TZDEFINITION MinorVersion")?;
        let cb_header = usize::from(r.u16("cbHeader")?);
        let mut h = r.sub(cb_header, "TZDEFINITION header")?;
        let _reserved = h.u16("TZDEFINITION Reserved")?;
        let cch = usize::from(h.u16("cchKeyName")?);
        let key = h.bytes(cch * 2, "KeyName")?;
        let count = usize::from(h.u16("cRules")?);
        let count = r.count(count, TzRule::SIZE, "TZRules")?.min(Self::MAX_RULES);
        let mut rules = Vec::with_capacity(count);
        for _ in 0..count {
            rules.push(TzRule::read(&mut r)?);
        }
        Ok(Self { key_name: utf16le_to_string(key), rules })
    }

    /// Encodes the TZDEFINITION blob.
    pub fn encode(&self) -> Vec<u8> {
        let key: Vec<u16> = self.key_name.encode_utf16().take(260).collect();
        let mut out = Vec::with_capacity(8 + key.len() * 2 + self.rules.len() * TzRule::SIZE);
        out.put_u8(0x02);
        out.put_u8(0x01);
        out.put_u16((6 + key.len() * 2) as u16);
        out.put_u16(0x0002);
        out.put_u16(key.len() as u16);
        for u in &key {
            out.put_u16(*u);
        }
        let rules = &self.rules[..self.rules.len().min(Self::MAX_RULES)];
        out.put_u16(rules.len() as u16);
        for rule in rules {
            rule.write(&mut out);
        }
        out
    }

    /// The rule in force in `year`: the last one whose year is not after it.
    pub fn rule_for(&self, year: i32) -> Option<&TzRule> {
        self.rules.iter().rev().find(|r| i32::from(r.year) <= year).or(self.rules.first())
    }

    /// The effective rule (flag `TZRULE_FLAG_EFFECTIVE`), else the last.
    pub fn effective(&self) -> Option<&TzRule> {
        self.rules.iter().find(|r| r.flags & TZRULE_FLAG_EFFECTIVE != 0).or(self.rules.last())
    }

    /// Local → UTC.
    pub fn to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        let off = self.rule_for(local.year()).map_or(0, |r| r.offset_at_local(local));
        local - TimeDelta::minutes(i64::from(off))
    }

    /// UTC → local.
    pub fn to_local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        let off = self.rule_for(utc.year()).map_or(0, |r| r.offset_at_utc(utc));
        utc + TimeDelta::minutes(i64::from(off))
    }
}

/// PidLidTimeZoneStruct ([MS-OXOCAL] 2.2.1.39): one rule, for clients that
/// predate TZDEFINITION.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeZoneStruct(pub TzRule);

impl TimeZoneStruct {
    /// Size on the wire.
    pub const SIZE: usize = 48;

    /// Decodes the 48-byte structure.
    pub fn decode(blob: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(blob);
        let bias = r.i32("lBias")?;
        let standard_bias = r.i32("lStandardBias")?;
        let daylight_bias = r.i32("lDaylightBias")?;
        let _ = r.u16("wStandardYear")?;
        let standard_date = SystemTime::read(&mut r)?;
        let year = r.u16("wDaylightYear")?;
        let daylight_date = SystemTime::read(&mut r)?;
        Ok(Self(TzRule { flags: 0, year, bias, standard_bias, daylight_bias, standard_date, daylight_date }))
    }

    /// Encodes the 48-byte structure.
    pub fn encode(&self) -> Vec<u8> {
        let r = &self.0;
        let mut out = Vec::with_capacity(Self::SIZE);
        out.put_u32(r.bias as u32);
        out.put_u32(r.standard_bias as u32);
        out.put_u32(r.daylight_bias as u32);
        out.put_u16(r.standard_date.year);
        r.standard_date.write(&mut out);
        out.put_u16(r.daylight_date.year);
        r.daylight_date.write(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace().filter_map(|b| u8::from_str_radix(b, 16).ok()).collect()
    }

    #[test]
    fn berlin_rule_converts_both_ways() {
        let rule = TzRule {
            flags: TZRULE_FLAG_EFFECTIVE,
            year: 1601,
            bias: -60,
            standard_bias: 0,
            daylight_bias: -60,
            standard_date: SystemTime { month: 10, day: 5, hour: 3, ..Default::default() },
            daylight_date: SystemTime { month: 3, day: 5, hour: 2, ..Default::default() },
        };
        let def = TzDefinition { key_name: "W. Europe Standard Time".into(), rules: vec![rule] };
        let back = TzDefinition::decode(&def.encode()).map_err(|e| e.to_string());
        assert_eq!(back, Ok(def.clone()));
        let d =
            |y, m, dd, h| NaiveDate::from_ymd_opt(y, m, dd).and_then(|d| d.and_hms_opt(h, 0, 0)).unwrap_or_default();
        assert_eq!(def.to_utc(d(2026, 12, 8, 10)), d(2026, 12, 8, 9));
        assert_eq!(def.to_utc(d(2026, 7, 8, 10)), d(2026, 7, 8, 8));
        assert_eq!(def.to_local(d(2026, 7, 8, 8)), d(2026, 7, 8, 10));
        assert_eq!(def.to_local(d(2026, 10, 25, 0)), d(2026, 10, 25, 2));
        assert_eq!(def.to_local(d(2026, 10, 25, 1)), d(2026, 10, 25, 2));
    }

    #[test]
    fn oracle_timezone_struct_decodes() {
        // 011-ical-09 PidLidTimeZoneStruct.
        let blob =
            hex("c4 ff ff ff 00 00 00 00 c4 ff ff ff 00 00 00 00 0a 00 00 00 05 00 03 00 00 00 00 00 00 00 00 00 \
             00 00 03 00 00 00 05 00 02 00 00 00 00 00 00 00");
        let tzs = TimeZoneStruct::decode(&blob).map_err(|e| e.to_string());
        let Ok(tzs) = tzs else { panic!("{tzs:?}") };
        assert_eq!(tzs.0.bias, -60);
        assert_eq!(tzs.0.standard_date.month, 10);
        assert_eq!(tzs.0.daylight_date.month, 3);
        assert_eq!(tzs.encode(), blob);
    }
}
