//! iCalendar → MAPI ([MS-OXCICAL] 2.1.3.1 import): one calendar object per
//! UID; a master VEVENT with its RECURRENCE-ID overrides becomes one
//! appointment with PidLidAppointmentRecur and exception attachments.

use calcard::icalendar::{
    ICalendar, ICalendarAction, ICalendarClassification, ICalendarComponent, ICalendarComponentType,
    ICalendarParameterName, ICalendarParameterValue, ICalendarParticipationRole, ICalendarParticipationStatus,
    ICalendarProperty, ICalendarRelated, ICalendarStatus, ICalendarTransparency, ICalendarUserTypes, ICalendarValue,
};
use chrono::{Datelike, NaiveDateTime, TimeDelta};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;
use mapi_wire::tags::{PidLid, PidName};

use super::goid::GlobalObjectId;
use super::recur::{AppointmentRecurrence, ExceptionInfo, Override, RecurFrequency};
use super::rrule::from_rrule;
use super::time::{from_minutes, midnight, to_filetime, to_minutes};
use super::tzdef::{SystemTime, TZRULE_FLAG_RECUR_CURRENT, TimeZoneStruct, TzDefinition, TzRule};
use super::values::{When, first, integer, other_text, param_text, text, to_crlf, when, whens};
use super::zone::{Zone, flagged};
use super::{IcalError, ImportOptions, Imported, busy, class};
use crate::bag::PropertyBag;
use crate::message::{Attachment, Message, Recipient};

/// Message class of exception attachments' embedded messages ([MS-OXOCAL] 2.2.10.1.1).
pub const EXCEPTION_CLASS: &str = "IPM.OLE.CLASS.{00061055-0000-0000-C000-000000000046}";

pub(crate) fn import(cal: &ICalendar, opts: &ImportOptions) -> Result<Imported, IcalError> {
    let root = cal.components.first().ok_or(IcalError::Invalid("no VCALENDAR".into()))?;
    let method = text(root, &ICalendarProperty::Method).map(|m| m.to_ascii_uppercase());
    let default_zone = Zone::from_name(&opts.default_zone).unwrap_or(Zone::Utc);
    let ctx = Ctx { cal, default_zone, method: method.clone() };
    let mut objects = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for comp in &cal.components {
        let kind = comp.component_type.clone();
        if !matches!(kind, ICalendarComponentType::VEvent | ICalendarComponentType::VTodo) {
            continue;
        }
        let uid = comp.uid().unwrap_or_default().to_owned();
        if seen.contains(&uid) && !uid.is_empty() {
            continue;
        }
        seen.push(uid.clone());
        let same: Vec<&ICalendarComponent> = cal
            .components
            .iter()
            .filter(|c| c.component_type == kind && (c.uid().unwrap_or_default() == uid) && !uid.is_empty())
            .collect();
        let group = if same.is_empty() { vec![comp] } else { same };
        let master = group.iter().copied().find(|c| !c.is_recurrence_override()).or(group.first().copied());
        let Some(master) = master else { continue };
        let overrides: Vec<&ICalendarComponent> =
            group.iter().copied().filter(|c| c.is_recurrence_override()).collect();
        if objects.len() >= opts.max_objects {
            return Err(IcalError::TooLarge { limit: opts.max_objects });
        }
        let msg = if kind == ICalendarComponentType::VTodo {
            super::task::import_todo(&ctx, master)?
        } else {
            import_event(&ctx, master, &overrides)?
        };
        objects.push(msg);
    }
    Ok(Imported { method, objects })
}

pub(crate) struct Ctx<'a> {
    pub(crate) cal: &'a ICalendar,
    pub(crate) default_zone: Zone,
    pub(crate) method: Option<String>,
}

impl Ctx<'_> {
    /// The zone of a TZID: a known name, the VTIMEZONE's location, or the
    /// VTIMEZONE's own rules.
    pub(crate) fn zone(&self, tzid: &str) -> Zone {
        if let Some(z) = Zone::from_name(tzid) {
            return z;
        }
        let vtz = self.cal.timezones().find(|t| text(t, &ICalendarProperty::Tzid).as_deref() == Some(tzid));
        if let Some(vtz) = vtz {
            if let Some((_, calcard::common::timezone::Tz::Tz(tz))) = vtz.timezone() {
                return Zone::Iana(tz);
            }
            if let Some(def) = vtimezone_rules(self.cal, vtz, tzid) {
                return Zone::Rules(def);
            }
        }
        self.default_zone.clone()
    }

    /// UTC of a value; floating and dates use the default zone.
    pub(crate) fn utc(&self, w: &When) -> NaiveDateTime {
        match w {
            When::Utc(t) => *t,
            When::Local(t, Some(tz)) => self.zone(tz).to_utc(*t),
            When::Local(t, None) => self.default_zone.to_utc(*t),
            When::Date(_) => self.default_zone.to_utc(w.naive()),
        }
    }

    /// The zone a value is written in (`None` for UTC).
    pub(crate) fn zone_of(&self, w: &When) -> Option<Zone> {
        match w {
            When::Local(_, Some(tz)) => Some(self.zone(tz)).filter(|z| *z != Zone::Utc),
            When::Local(_, None) | When::Date(_) => Some(self.default_zone.clone()).filter(|z| *z != Zone::Utc),
            When::Utc(_) => None,
        }
    }
}

/// TZDEFINITION from the STANDARD/DAYLIGHT components of a VTIMEZONE: the
/// latest observance of each kind; yearly RRULEs give yearly transitions.
fn vtimezone_rules(cal: &ICalendar, vtz: &ICalendarComponent, tzid: &str) -> Option<TzDefinition> {
    let mut latest: [Option<(NaiveDateTime, &ICalendarComponent)>; 2] = [None, None];
    for id in &vtz.component_ids {
        let Some(c) = cal.component_by_id(*id) else { continue };
        let slot = match c.component_type {
            ICalendarComponentType::Standard => 0,
            ICalendarComponentType::Daylight => 1,
            _ => continue,
        };
        let Some(start) = when(c, &ICalendarProperty::Dtstart).map(|w| w.naive()) else { continue };
        if latest[slot].is_none_or(|(s, _)| start > s) {
            latest[slot] = Some((start, c));
        }
    }
    let offset_to = |c: &ICalendarComponent| -> Option<i32> {
        first(c, &ICalendarProperty::Tzoffsetto).and_then(|e| e.values.first()).and_then(|v| match v {
            ICalendarValue::PartialDateTime(p) => {
                let m = i32::from(p.tz_hour.unwrap_or(0)) * 60 + i32::from(p.tz_minute.unwrap_or(0));
                Some(if p.tz_minus { -m } else { m })
            }
            _ => None,
        })
    };
    let (_, std) = latest[0].or(latest[1])?;
    let std_off = offset_to(std)?;
    let mut rule = TzRule { year: 1601, bias: -std_off, ..TzRule::default() };
    if let (Some((s_at, s)), Some((d_at, d))) = (latest[0], latest[1])
        && let (Some(sd), Some(dd)) = (yearly_transition(s, s_at), yearly_transition(d, d_at))
    {
        rule.daylight_bias = -(offset_to(d)? - std_off);
        rule.standard_date = sd;
        rule.daylight_date = dd;
    }
    Some(TzDefinition { key_name: tzid.to_owned(), rules: vec![rule] })
}

/// The yearly transition of an observance: BYMONTH and an ordinal BYDAY
/// from its RRULE, the time of day from its DTSTART.
fn yearly_transition(c: &ICalendarComponent, start: NaiveDateTime) -> Option<SystemTime> {
    use chrono::Timelike;
    let rule = first(c, &ICalendarProperty::Rrule).and_then(|e| e.values.first()).and_then(|v| match v {
        ICalendarValue::RecurrenceRule(r) => Some(r),
        _ => None,
    })?;
    let month = rule.bymonth.first().map_or(start.month(), |m| u32::from(m.month()));
    let day = rule.byday.first()?;
    let n = match day.ordwk {
        Some(-1) => 5,
        Some(n @ 1..=5) => n as u16,
        _ => return None,
    };
    let weekday = match day.weekday {
        calcard::icalendar::ICalendarWeekday::Sunday => 0,
        calcard::icalendar::ICalendarWeekday::Monday => 1,
        calcard::icalendar::ICalendarWeekday::Tuesday => 2,
        calcard::icalendar::ICalendarWeekday::Wednesday => 3,
        calcard::icalendar::ICalendarWeekday::Thursday => 4,
        calcard::icalendar::ICalendarWeekday::Friday => 5,
        calcard::icalendar::ICalendarWeekday::Saturday => 6,
    };
    Some(SystemTime {
        month: month as u16,
        day_of_week: weekday,
        day: n,
        hour: start.hour() as u16,
        minute: start.minute() as u16,
        ..SystemTime::default()
    })
}

fn set(bag: &mut PropertyBag, key: impl crate::bag::ToPropKey, v: PropValue) {
    // Every key here is a plain tag < 0x8000 or a catalogued named property.
    let _ = bag.insert(key, v);
}

fn time(t: NaiveDateTime) -> PropValue {
    PropValue::Time(to_filetime(t).unwrap_or_default())
}

/// The event's time frame.
struct Frame {
    start: When,
    end: When,
    start_utc: NaiveDateTime,
    end_utc: NaiveDateTime,
    all_day: bool,
}

fn frame(ctx: &Ctx<'_>, c: &ICalendarComponent) -> Result<Frame, IcalError> {
    let start = when(c, &ICalendarProperty::Dtstart).ok_or(IcalError::Invalid("VEVENT without DTSTART".into()))?;
    let all_day = matches!(start, When::Date(_));
    let end = match when(c, &ICalendarProperty::Dtend) {
        Some(e) => e,
        None => {
            let dur = first(c, &ICalendarProperty::Duration).and_then(|e| e.values.first()).and_then(|v| match v {
                ICalendarValue::Duration(d) => Some(super::values::duration_seconds(d)),
                _ => None,
            });
            let secs = dur.unwrap_or(if all_day { 86_400 } else { 0 });
            let t = start.naive() + TimeDelta::seconds(secs);
            match &start {
                When::Date(_) => When::Date(t.date()),
                When::Utc(_) => When::Utc(t),
                When::Local(_, tz) => When::Local(t, tz.clone()),
            }
        }
    };
    // [MS-OXCICAL] 2.1.3.1.1.20.33: Outlook marks all-day events written
    // as midnight-to-midnight DATE-TIMEs with X-MICROSOFT-CDO-ALLDAYEVENT.
    let all_day = all_day
        || (other_text(c, "X-MICROSOFT-CDO-ALLDAYEVENT").is_some_and(|v| v.eq_ignore_ascii_case("TRUE"))
            && start.naive().time() == chrono::NaiveTime::MIN
            && end.naive().time() == chrono::NaiveTime::MIN);
    let start_utc = ctx.utc(&start);
    let end_utc = ctx.utc(&end).max(start_utc);
    Ok(Frame { start, end, start_utc, end_utc, all_day })
}

/// Properties common to events and exceptions: subject, body, location,
/// times, busy status, reminder, class, priority, categories.
fn common_props(ctx: &Ctx<'_>, c: &ICalendarComponent, f: &Frame, bag: &mut PropertyBag) {
    if let Some(s) = text(c, &ICalendarProperty::Summary) {
        set(bag, PropTag::SUBJECT, PropValue::String(s));
    }
    if let Some(d) = text(c, &ICalendarProperty::Description) {
        set(bag, PropTag::BODY, PropValue::String(to_crlf(&d)));
    }
    if let Some(l) = text(c, &ICalendarProperty::Location) {
        set(bag, PidLid::LOCATION, PropValue::String(l));
    }
    for key in [PidLid::APPOINTMENT_START_WHOLE, PidLid::COMMON_START] {
        set(bag, key, time(f.start_utc));
    }
    set(bag, PropTag::START_DATE, time(f.start_utc));
    for key in [PidLid::APPOINTMENT_END_WHOLE, PidLid::COMMON_END] {
        set(bag, key, time(f.end_utc));
    }
    set(bag, PropTag::END_DATE, time(f.end_utc));
    let minutes = (f.end_utc - f.start_utc).num_minutes().clamp(0, i64::from(i32::MAX)) as i32;
    set(bag, PidLid::APPOINTMENT_DURATION, PropValue::I32(minutes));
    set(bag, PidLid::APPOINTMENT_SUB_TYPE, PropValue::Bool(f.all_day));
    let status = busy_status(c);
    set(bag, PidLid::BUSY_STATUS, PropValue::I32(status));
    let intended = other_text(c, "X-MICROSOFT-CDO-INTENDEDSTATUS").and_then(|s| busy::parse(&s)).unwrap_or(status);
    set(bag, PidLid::INTENDED_BUSY_STATUS, PropValue::I32(intended));
    reminder(ctx, c, f, bag);
    if let Some(cls) = first(c, &ICalendarProperty::Class).and_then(|e| e.values.first()) {
        let s = match cls {
            ICalendarValue::Classification(ICalendarClassification::Private) => class::PRIVATE,
            ICalendarValue::Classification(ICalendarClassification::Confidential) => class::CONFIDENTIAL,
            _ => class::NORMAL,
        };
        set(bag, PropTag::SENSITIVITY, PropValue::I32(s));
    }
    // Absent PRIORITY / CLASS: normal importance, normal sensitivity.
    let importance = integer(c, &ICalendarProperty::Priority).map_or(1, super::importance_of_priority);
    set(bag, PropTag::IMPORTANCE, PropValue::I32(importance));
    if !bag.contains(PropTag::SENSITIVITY) {
        set(bag, PropTag::SENSITIVITY, PropValue::I32(class::NORMAL));
    }
    let cats: Vec<String> = c
        .properties(&ICalendarProperty::Categories)
        .flat_map(|e| e.values.iter().filter_map(|v| v.as_text().map(str::to_owned)))
        .filter(|s| !s.is_empty())
        .collect();
    if !cats.is_empty() {
        set(bag, PidName::KEYWORDS, PropValue::MvString(cats));
    }
}

/// PidLidBusyStatus ([MS-OXCICAL] 2.1.3.1.1.20.35 X-MICROSOFT-CDO-BUSYSTATUS
/// wins over 2.1.3.1.1.20.29 TRANSP).
fn busy_status(c: &ICalendarComponent) -> i32 {
    if let Some(s) = other_text(c, "X-MICROSOFT-CDO-BUSYSTATUS").and_then(|s| busy::parse(&s)) {
        return s;
    }
    match first(c, &ICalendarProperty::Transp).and_then(|e| e.values.first()) {
        Some(ICalendarValue::Transparency(ICalendarTransparency::Transparent)) => busy::FREE,
        // RFC 5545 3.8.2.7: OPAQUE is the default, all-day events included.
        _ => busy::BUSY,
    }
}

/// VALARM → PidLidReminderSet/Delta/Time/SignalTime ([MS-OXCICAL] 2.1.3.1.1.20.17).
fn reminder(ctx: &Ctx<'_>, c: &ICalendarComponent, f: &Frame, bag: &mut PropertyBag) {
    let alarms = c.component_ids.iter().filter_map(|id| ctx.cal.component_by_id(*id)).filter(|a| {
        a.component_type == ICalendarComponentType::VAlarm
            && !matches!(
                first(a, &ICalendarProperty::Action).and_then(|e| e.values.first()),
                Some(ICalendarValue::Action(ICalendarAction::Email | ICalendarAction::Procedure))
            )
    });
    let mut delta = None;
    for a in alarms {
        let Some(trigger) = first(a, &ICalendarProperty::Trigger) else { continue };
        let related_end = matches!(
            trigger.parameter(&ICalendarParameterName::Related),
            Some(ICalendarParameterValue::Related(ICalendarRelated::End))
        );
        let minutes = match trigger.values.first() {
            Some(ICalendarValue::Duration(d)) => {
                let secs = super::values::duration_seconds(d);
                let base = if related_end { (f.end_utc - f.start_utc).num_seconds() } else { 0 };
                Some(-(base + secs) / 60)
            }
            Some(ICalendarValue::PartialDateTime(p)) => {
                super::values::when_of(trigger, p).map(|w| (f.start_utc - ctx.utc(&w)).num_minutes())
            }
            _ => None,
        };
        if let Some(m) = minutes {
            delta = Some(m.clamp(0, i64::from(i32::MAX)) as i32);
            break;
        }
    }
    set(bag, PidLid::REMINDER_SET, PropValue::Bool(delta.is_some()));
    if let Some(d) = delta {
        set(bag, PidLid::REMINDER_DELTA, PropValue::I32(d));
        set(bag, PidLid::REMINDER_TIME, time(f.start_utc));
        set(bag, PidLid::REMINDER_SIGNAL_TIME, time(f.start_utc - TimeDelta::minutes(i64::from(d))));
    }
}

fn import_event(
    ctx: &Ctx<'_>,
    c: &ICalendarComponent,
    overrides: &[&ICalendarComponent],
) -> Result<Message, IcalError> {
    let mut msg = Message::new();
    let bag = &mut msg.props;
    let f = frame(ctx, c)?;
    let class = super::itip::class_for_method(ctx.method.as_deref(), c);
    set(bag, PropTag::MESSAGE_CLASS, PropValue::String(class.into()));
    common_props(ctx, c, &f, bag);
    let uid = c.uid().map(str::to_owned).unwrap_or_default();
    let goid = GlobalObjectId::from_uid(&uid);
    set(bag, PidLid::GLOBAL_OBJECT_ID, PropValue::Binary(goid.encode()));
    set(bag, PidLid::CLEAN_GLOBAL_OBJECT_ID, PropValue::Binary(goid.clean().encode()));
    if let Some(seq) = integer(c, &ICalendarProperty::Sequence) {
        set(bag, PidLid::APPOINTMENT_SEQUENCE, PropValue::I32(seq.clamp(0, i64::from(i32::MAX)) as i32));
    }
    for (p, key) in [(ICalendarProperty::Dtstamp, PidLid::OWNER_CRITICAL_CHANGE)] {
        if let Some(w) = when(c, &p) {
            set(bag, key, time(ctx.utc(&w)));
        }
    }
    for (p, tag) in [
        (ICalendarProperty::Created, PropTag::CREATION_TIME),
        (ICalendarProperty::LastModified, PropTag::LAST_MODIFICATION_TIME),
    ] {
        if let Some(w) = when(c, &p) {
            set(bag, tag, time(ctx.utc(&w)));
        }
    }
    let (recipients, state) =
        if ctx.method.as_deref() == Some("REPLY") { (reply_people(c, bag), 0x1) } else { people(c, bag) };
    msg.recipients = recipients;
    msg.attachments.extend(file_attachments(c));
    let bag = &mut msg.props;
    let cancelled = matches!(c.status(), Some(ICalendarStatus::Cancelled));
    let state = state | if cancelled { 0x4 } else { 0 };
    // [MS-OXOCAL] 2.2.1.10: a request or cancellation in the attendee's
    // mailbox is a received meeting (asfReceived) awaiting a response.
    let state = match ctx.method.as_deref() {
        Some("REQUEST") => {
            set(bag, PidLid::RESPONSE_STATUS, PropValue::I32(super::track::NOT_RESPONDED));
            state | 0x3
        }
        Some("CANCEL") => state | 0x7,
        _ => state,
    };
    set(bag, PidLid::APPOINTMENT_STATE_FLAGS, PropValue::I32(state));
    // Time-zone properties ([MS-OXOCAL] 2.2.1.41–2.2.1.43).
    let zone = ctx.zone_of(&f.start);
    let year = f.start_utc.year();
    // The rules of a zone are worked out once per event (they cost a scan
    // of each year); the three TZDEFINITIONs differ in flags only.
    let zone_rules = zone.as_ref().map(|z| z.rules_for((year - 1, year + 1)));
    if let (Some(z), Some(rules)) = (&zone, &zone_rules) {
        let start_def = flagged(rules.clone(), year, 0);
        let ez = ctx.zone_of(&f.end).unwrap_or_else(|| z.clone());
        let end_def = if ez == *z { start_def.clone() } else { ez.definition((year - 1, year + 1), year, 0) };
        set(bag, PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_START_DISPLAY, PropValue::Binary(start_def.encode()));
        set(bag, PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_END_DISPLAY, PropValue::Binary(end_def.encode()));
    }
    // MAPI series are a pattern plus exceptions; extra dates have no place.
    if c.property(&ICalendarProperty::Rdate).is_some() || c.property(&ICalendarProperty::Exrule).is_some() {
        return Err(IcalError::Unsupported("RDATE/EXRULE have no MAPI recurrence equivalent".into()));
    }
    if c.properties(&ICalendarProperty::Rrule).nth(1).is_some() {
        return Err(IcalError::Unsupported("more than one RRULE".into()));
    }
    let rrule = first(c, &ICalendarProperty::Rrule).and_then(|e| e.values.first()).and_then(|v| match v {
        ICalendarValue::RecurrenceRule(r) => Some(r.as_ref().clone()),
        _ => None,
    });
    set(bag, PidLid::RECURRING, PropValue::Bool(rrule.is_some()));
    let Some(rule) = rrule else {
        set(bag, PidLid::CLIP_START, time(f.start_utc));
        set(bag, PidLid::CLIP_END, time(f.end_utc));
        return Ok(msg);
    };
    // The series' local time: its zone, or the default zone for floating / all-day.
    let series_zone = zone.clone().unwrap_or_else(|| ctx.zone_of(&f.start).unwrap_or(Zone::Utc));
    let local_start = series_zone.to_local(f.start_utc);
    let until_local =
        rule.until.as_ref().and_then(|u| super::values::when_of(first(c, &ICalendarProperty::Rrule)?, u)).map(|w| {
            match w {
                When::Utc(t) => series_zone.to_local(t),
                When::Date(d) => d.and_hms_opt(23, 59, 59).unwrap_or_default(),
                When::Local(t, _) => t,
            }
        });
    let mut pattern = from_rrule(&rule, local_start, until_local).map_err(|e| IcalError::Unsupported(e.to_string()))?;
    let duration = (f.end_utc - f.start_utc).num_minutes().max(0);
    let start_offset = (local_start - midnight(local_start)).num_minutes() as u32;
    let mut deleted: Vec<u32> = Vec::new();
    for w in whens(c, &ICalendarProperty::Exdate) {
        let local = series_local(ctx, &series_zone, &w, local_start);
        deleted.push(to_minutes(midnight(local)));
    }
    let mut rec = AppointmentRecurrence {
        pattern: pattern.clone(),
        reader_version2: 0x3006,
        writer_version2: 0x3009,
        start_offset,
        end_offset: start_offset + duration as u32,
        exceptions: Vec::new(),
        reserved1: Vec::new(),
        reserved2: Vec::new(),
    };
    let mut modified = Vec::new();
    for o in overrides.iter().take(super::MAX_EXCEPTIONS) {
        let Some(rid) = when(o, &ICalendarProperty::RecurrenceId) else { continue };
        let orig_local = series_local(ctx, &series_zone, &rid, local_start);
        deleted.push(to_minutes(midnight(orig_local)));
        if matches!(o.status(), Some(ICalendarStatus::Cancelled)) {
            continue;
        }
        let of = frame(ctx, o)?;
        let (s_local, e_local) = (series_zone.to_local(of.start_utc), series_zone.to_local(of.end_utc));
        modified.push(to_minutes(midnight(s_local)));
        let mut x = ExceptionInfo {
            start: to_minutes(s_local),
            end: to_minutes(e_local),
            original_start: to_minutes(orig_local),
            ..Default::default()
        };
        let differs = |p: &ICalendarProperty| text(o, p).filter(|v| Some(v) != text(c, p).as_ref());
        if let Some(s) = differs(&ICalendarProperty::Summary) {
            x.flags |= Override::SUBJECT;
            x.subject = Some(s);
        }
        if let Some(l) = differs(&ICalendarProperty::Location) {
            x.flags |= Override::LOCATION;
            x.location = Some(l);
        }
        let (ob, mb) = (busy_status(o), busy_status(c));
        if ob != mb {
            x.flags |= Override::BUSY_STATUS;
            x.busy_status = Some(ob as u32);
        }
        if of.all_day != f.all_day {
            x.flags |= Override::SUB_TYPE;
            x.sub_type = Some(u32::from(of.all_day));
        }
        let mut emb = Message::new();
        set(&mut emb.props, PropTag::MESSAGE_CLASS, PropValue::String(EXCEPTION_CLASS.into()));
        common_props(ctx, o, &of, &mut emb.props);
        let (ms, mr) = (msg.props.named_bool(&PidLid::REMINDER_SET), emb.props.named_bool(&PidLid::REMINDER_SET));
        if ms != mr || msg.props.named_i32(&PidLid::REMINDER_DELTA) != emb.props.named_i32(&PidLid::REMINDER_DELTA) {
            x.flags |= Override::REMINDER | Override::REMINDER_DELTA;
            x.reminder_set = Some(u32::from(mr == Some(true)));
            x.reminder_delta = Some(emb.props.named_i32(&PidLid::REMINDER_DELTA).unwrap_or(0) as u32);
        }
        if text(o, &ICalendarProperty::Description).is_some()
            && text(o, &ICalendarProperty::Description) != text(c, &ICalendarProperty::Description)
        {
            x.flags |= Override::EXCEPTIONAL_BODY;
        }
        if text(o, &ICalendarProperty::Summary).is_none()
            && let Some(s) = text(c, &ICalendarProperty::Summary)
        {
            set(&mut emb.props, PropTag::SUBJECT, PropValue::String(s));
        }
        let orig_utc = series_zone.to_utc(orig_local);
        set(&mut emb.props, PidLid::EXCEPTION_REPLACE_TIME, time(orig_utc));
        set(&mut emb.props, PidLid::RECURRING, PropValue::Bool(false));
        let d = orig_local.date();
        let inst = goid.for_instance(d.year() as u16, d.month() as u8, d.day() as u8);
        set(&mut emb.props, PidLid::GLOBAL_OBJECT_ID, PropValue::Binary(inst.encode()));
        set(&mut emb.props, PidLid::CLEAN_GLOBAL_OBJECT_ID, PropValue::Binary(goid.clean().encode()));
        let mut att = Attachment::default();
        set(&mut att.props, PropTag::ATTACH_METHOD, PropValue::I32(5));
        set(&mut att.props, PropTag::ATTACHMENT_HIDDEN, PropValue::Bool(true));
        set(&mut att.props, PropTag::ATTACHMENT_FLAGS, PropValue::I32(0x2));
        set(&mut att.props, PropTag::RENDERING_POSITION, PropValue::I32(-1));
        set(&mut att.props, PropTag::ATTACHMENT_LINK_ID, PropValue::I32(0));
        // [MS-OXOCAL] 2.2.10.1.4/5: local times of the exception.
        set(&mut att.props, PropTag::EXCEPTION_START_TIME, time(s_local));
        set(&mut att.props, PropTag::EXCEPTION_END_TIME, time(e_local));
        let name = emb.props.string(PropTag::SUBJECT).map(|s| s.into_owned()).unwrap_or_default();
        set(&mut att.props, PropTag::DISPLAY_NAME, PropValue::String(name));
        att.embedded = Some(Box::new(emb));
        msg.attachments.push(att);
        rec.exceptions.push(x);
    }
    deleted.sort_unstable();
    deleted.dedup();
    modified.sort_unstable();
    pattern.deleted = deleted;
    pattern.modified = modified;
    rec.pattern = pattern;
    rec.exceptions.sort_by_key(|x| x.original_start);
    let bag = &mut msg.props;
    let rtype = match rec.pattern.frequency {
        RecurFrequency::DAILY => 1,
        RecurFrequency::WEEKLY => 2,
        RecurFrequency::MONTHLY => 3,
        _ => 4,
    };
    set(bag, PidLid::RECURRENCE_TYPE, PropValue::I32(rtype));
    set(bag, PidLid::CLIP_START, time(from_minutes(rec.pattern.start_date)));
    let clip_end = from_minutes(rec.pattern.end_date);
    set(bag, PidLid::CLIP_END, time(clip_end));
    set(bag, PidLid::APPOINTMENT_RECUR, PropValue::Binary(rec.encode()));
    let def = match (&zone, zone_rules) {
        (Some(z), Some(rules)) if *z == series_zone => flagged(rules, year, TZRULE_FLAG_RECUR_CURRENT),
        _ => series_zone.definition((year - 1, year + 1), year, TZRULE_FLAG_RECUR_CURRENT),
    };
    if let Some(rule) = def.rule_for(year) {
        set(bag, PidLid::TIME_ZONE_STRUCT, PropValue::Binary(TimeZoneStruct(*rule).encode()));
    }
    set(bag, PidLid::TIME_ZONE_DESCRIPTION, PropValue::String(series_zone.tzid()));
    set(bag, PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_RECUR, PropValue::Binary(def.encode()));
    Ok(msg)
}

/// ATTACH with inline data (RFC 5545 3.8.1.1, ENCODING=BASE64) → file
/// attachments ([MS-OXCICAL] 2.1.3.1.1.20.3). ATTACH by URI has no MAPI
/// data to hold and is left out.
fn file_attachments(c: &ICalendarComponent) -> Vec<Attachment> {
    let mut out = Vec::new();
    for e in c.properties(&ICalendarProperty::Attach).take(super::MAX_ATTACHMENTS) {
        // calcard hands base64 data that happens to be UTF-8 back as text.
        let inline = matches!(
            e.parameter(&ICalendarParameterName::Value),
            Some(ICalendarParameterValue::Value(calcard::icalendar::ICalendarValueType::Binary))
        );
        let data: Vec<u8> = match e.values.first() {
            Some(ICalendarValue::Binary(b)) => b.clone(),
            Some(ICalendarValue::Text(t)) if inline => t.as_bytes().to_vec(),
            _ => continue,
        };
        let name = param_text(e, &ICalendarParameterName::Filename)
            .or_else(|| param_text(e, &ICalendarParameterName::Other("X-FILENAME".into())))
            .unwrap_or_else(|| format!("attachment-{}", out.len() + 1));
        let mut a = Attachment::default();
        set(&mut a.props, PropTag::ATTACH_METHOD, PropValue::I32(1));
        set(&mut a.props, PropTag::ATTACH_DATA_BINARY, PropValue::Binary(data));
        set(&mut a.props, PropTag::ATTACH_LONG_FILENAME, PropValue::String(name.clone()));
        set(&mut a.props, PropTag::DISPLAY_NAME, PropValue::String(name));
        if let Some(mime) = param_text(e, &ICalendarParameterName::Fmttype) {
            set(&mut a.props, PropTag::ATTACH_MIME_TAG, PropValue::String(mime));
        }
        out.push(a);
    }
    out
}

/// A RECURRENCE-ID / EXDATE in the series' local time; a DATE takes the
/// series' time of day.
fn series_local(ctx: &Ctx<'_>, zone: &Zone, w: &When, series_start: NaiveDateTime) -> NaiveDateTime {
    match w {
        When::Date(d) => d.and_time(series_start.time()),
        other => zone.to_local(ctx.utc(other)),
    }
}

/// ORGANIZER and ATTENDEE → sender/representing properties and recipient
/// rows ([MS-OXCICAL] 2.1.3.1.1.20.2, 2.1.3.1.1.20.23). Returns the rows
/// and PidLidAppointmentStateFlags (asfMeeting when there are attendees).
fn people(c: &ICalendarComponent, bag: &mut PropertyBag) -> (Vec<Recipient>, i32) {
    let addr = |e: &calcard::icalendar::ICalendarEntry| {
        e.values.first().and_then(|v| v.as_text()).map(|s| {
            let s = s.trim();
            s.strip_prefix("mailto:").or_else(|| s.strip_prefix("MAILTO:")).unwrap_or(s).to_owned()
        })
    };
    let mut organizer_addr = None;
    if let Some(o) = first(c, &ICalendarProperty::Organizer)
        && let Some(a) = addr(o)
    {
        let name = param_text(o, &ICalendarParameterName::Cn).unwrap_or_else(|| a.clone());
        for (tag, v) in [
            (PropTag::SENT_REPRESENTING_NAME, name.clone()),
            (PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, a.clone()),
            (PropTag::SENT_REPRESENTING_SMTP_ADDRESS, a.clone()),
            (PropTag::SENT_REPRESENTING_ADDRESS_TYPE, "SMTP".into()),
            (PropTag::SENDER_NAME, name),
            (PropTag::SENDER_EMAIL_ADDRESS, a.clone()),
            (PropTag::SENDER_SMTP_ADDRESS, a.clone()),
            (PropTag::SENDER_ADDRESS_TYPE, "SMTP".into()),
        ] {
            set(bag, tag, PropValue::String(v));
        }
        organizer_addr = Some(a);
    }
    let mut rows = Vec::new();
    let attendees: Vec<_> = c.properties(&ICalendarProperty::Attendee).take(super::MAX_ATTENDEES).collect();
    if attendees.is_empty() {
        return (rows, 0);
    }
    if let (Some(a), Some(o)) = (&organizer_addr, first(c, &ICalendarProperty::Organizer)) {
        let mut r = PropertyBag::new();
        let name = param_text(o, &ICalendarParameterName::Cn).unwrap_or_else(|| a.clone());
        recipient_props(&mut r, &name, a, 1, 0x0003, super::track::ORGANIZED);
        rows.push(Recipient { props: r });
    }
    for e in attendees {
        let Some(a) = addr(e) else { continue };
        if organizer_addr.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(&a)) {
            continue;
        }
        let name = param_text(e, &ICalendarParameterName::Cn).unwrap_or_else(|| a.clone());
        let role = e.parameter(&ICalendarParameterName::Role);
        let cutype = e.parameter(&ICalendarParameterName::Cutype);
        let ty = match (role, cutype) {
            (_, Some(ICalendarParameterValue::Cutype(ICalendarUserTypes::Resource | ICalendarUserTypes::Room))) => 3,
            (Some(ICalendarParameterValue::Role(ICalendarParticipationRole::NonParticipant)), _) => 3,
            (Some(ICalendarParameterValue::Role(ICalendarParticipationRole::OptParticipant)), _) => 2,
            _ => 1,
        };
        let track = match e.parameter(&ICalendarParameterName::Partstat) {
            Some(ICalendarParameterValue::Partstat(p)) => match p {
                ICalendarParticipationStatus::Accepted => super::track::ACCEPTED,
                ICalendarParticipationStatus::Declined => super::track::DECLINED,
                ICalendarParticipationStatus::Tentative => super::track::TENTATIVE,
                _ => super::track::NOT_RESPONDED,
            },
            _ => super::track::NONE,
        };
        let mut r = PropertyBag::new();
        recipient_props(&mut r, &name, &a, ty, 0x0001, track);
        rows.push(Recipient { props: r });
    }
    (rows, 0x1)
}

/// A REPLY (RFC 5546 3.2.3): its attendee is the sender of the response,
/// its organizer the one recipient ([MS-OXOCAL] 2.2.6 meeting responses).
fn reply_people(c: &ICalendarComponent, bag: &mut PropertyBag) -> Vec<Recipient> {
    let addr = |e: &calcard::icalendar::ICalendarEntry| {
        e.values.first().and_then(|v| v.as_text()).map(|s| {
            let s = s.trim();
            s.strip_prefix("mailto:").or_else(|| s.strip_prefix("MAILTO:")).unwrap_or(s).to_owned()
        })
    };
    if let Some(a) = first(c, &ICalendarProperty::Attendee)
        && let Some(addr_a) = addr(a)
    {
        let name = param_text(a, &ICalendarParameterName::Cn).unwrap_or_else(|| addr_a.clone());
        for (tag, v) in [
            (PropTag::SENT_REPRESENTING_NAME, name.clone()),
            (PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, addr_a.clone()),
            (PropTag::SENT_REPRESENTING_SMTP_ADDRESS, addr_a.clone()),
            (PropTag::SENT_REPRESENTING_ADDRESS_TYPE, "SMTP".into()),
            (PropTag::SENDER_NAME, name),
            (PropTag::SENDER_EMAIL_ADDRESS, addr_a.clone()),
            (PropTag::SENDER_SMTP_ADDRESS, addr_a.clone()),
            (PropTag::SENDER_ADDRESS_TYPE, "SMTP".into()),
        ] {
            set(bag, tag, PropValue::String(v));
        }
    }
    let mut rows = Vec::new();
    if let Some(o) = first(c, &ICalendarProperty::Organizer)
        && let Some(a) = addr(o)
    {
        let name = param_text(o, &ICalendarParameterName::Cn).unwrap_or_else(|| a.clone());
        let mut r = PropertyBag::new();
        recipient_props(&mut r, &name, &a, 1, 0x0001, super::track::NONE);
        rows.push(Recipient { props: r });
    }
    rows
}

fn recipient_props(r: &mut PropertyBag, name: &str, addr: &str, ty: i32, flags: i32, track: i32) {
    set(r, PropTag::RECIPIENT_TYPE, PropValue::I32(ty));
    set(r, PropTag::DISPLAY_NAME, PropValue::String(name.to_owned()));
    set(r, PropTag::EMAIL_ADDRESS, PropValue::String(addr.to_owned()));
    set(r, PropTag::SMTP_ADDRESS, PropValue::String(addr.to_owned()));
    set(r, PropTag::ADDRESS_TYPE, PropValue::String("SMTP".into()));
    set(r, PropTag::RECIPIENT_FLAGS, PropValue::I32(flags));
    set(r, PropTag::RECIPIENT_TRACK_STATUS, PropValue::I32(track));
}
