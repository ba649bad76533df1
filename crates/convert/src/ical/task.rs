//! IPM.Task ⇄ VTODO ([MS-OXCICAL] 2.1.3.3 for VTODO, [MS-OXOTASK] 2.2.2.2
//! task properties).
//!
//! PidLidTaskStartDate / PidLidTaskDueDate hold the *date* in the user's
//! zone at 00:00 written as UTC ([MS-OXOTASK] 2.2.2.2.4/5); the exact
//! instants go to PidLidCommonStart/End. An RRULE becomes
//! PidLidTaskRecurrence (a bare RecurrencePattern, [MS-OXOTASK] 2.2.2.2.15)
//! anchored on the task's start (else due) date; task regeneration
//! (SlidingFlag) has no iCalendar form and is left 0.

use calcard::icalendar::{
    ICalendarComponent, ICalendarComponentType, ICalendarProperty, ICalendarStatus, ICalendarValue,
};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;
use mapi_wire::tags::{PS_PUBLIC_STRINGS, PidLid, PidName};

use super::export::Builder;
use super::import::Ctx;
use super::time::{from_filetime, to_filetime};
use super::values::{When, entry, integer, text, to_crlf, to_lf, when, when_entry};
use super::zone::Zone;
use super::{ExportOptions, IcalError, class};
use crate::bag::{NamedKey, PropertyBag};
use crate::message::Message;

/// PidLidTaskStatus values ([MS-OXOTASK] 2.2.2.2.2).
pub mod status {
    /// Not started.
    pub const NOT_STARTED: i32 = 0;
    /// In progress.
    pub const IN_PROGRESS: i32 = 1;
    /// Complete.
    pub const COMPLETE: i32 = 2;
    /// Waiting on someone else.
    pub const WAITING: i32 = 3;
    /// Deferred.
    pub const DEFERRED: i32 = 4;
}

/// Where a VTODO's UID is kept: the Exchange calendar UID name in
/// PS_PUBLIC_STRINGS (tasks have no PidLidGlobalObjectId).
pub fn uid_key() -> NamedKey {
    NamedKey::name(PS_PUBLIC_STRINGS, "urn:schemas:calendar:uid")
}

fn set(bag: &mut PropertyBag, key: impl crate::bag::ToPropKey, v: PropValue) {
    let _ = bag.insert(key, v);
}

fn time(t: chrono::NaiveDateTime) -> PropValue {
    PropValue::Time(to_filetime(t).unwrap_or_default())
}

pub(crate) fn import_todo(ctx: &Ctx<'_>, c: &ICalendarComponent) -> Result<Message, IcalError> {
    let mut msg = Message::new();
    let bag = &mut msg.props;
    set(bag, PropTag::MESSAGE_CLASS, PropValue::String("IPM.Task".into()));
    if let Some(s) = text(c, &ICalendarProperty::Summary) {
        set(bag, PropTag::SUBJECT, PropValue::String(s));
    }
    if let Some(d) = text(c, &ICalendarProperty::Description) {
        set(bag, PropTag::BODY, PropValue::String(to_crlf(&d)));
    }
    if let Some(uid) = c.uid() {
        set(bag, uid_key(), PropValue::String(uid.to_owned()));
    }
    let date_of = |w: &When| -> chrono::NaiveDateTime {
        let local = match w {
            When::Date(d) => d.and_time(chrono::NaiveTime::MIN),
            When::Local(t, _) => *t,
            When::Utc(t) => ctx.default_zone.to_local(*t),
        };
        local.date().and_time(chrono::NaiveTime::MIN)
    };
    if let Some(w) = when(c, &ICalendarProperty::Dtstart) {
        set(bag, PidLid::TASK_START_DATE, time(date_of(&w)));
        set(bag, PidLid::COMMON_START, time(ctx.utc(&w)));
    }
    if let Some(w) = when(c, &ICalendarProperty::Due) {
        set(bag, PidLid::TASK_DUE_DATE, time(date_of(&w)));
        set(bag, PidLid::COMMON_END, time(ctx.utc(&w)));
    }
    let completed = when(c, &ICalendarProperty::Completed);
    if let Some(w) = &completed {
        set(bag, PidLid::TASK_DATE_COMPLETED, time(ctx.utc(w)));
    }
    let st = match c.status() {
        Some(ICalendarStatus::Completed) => status::COMPLETE,
        Some(ICalendarStatus::InProcess) => status::IN_PROGRESS,
        Some(ICalendarStatus::Cancelled) => status::DEFERRED,
        _ if completed.is_some() => status::COMPLETE,
        _ => status::NOT_STARTED,
    };
    set(bag, PidLid::TASK_STATUS, PropValue::I32(st));
    set(bag, PidLid::TASK_COMPLETE, PropValue::Bool(st == status::COMPLETE));
    let pct = integer(c, &ICalendarProperty::PercentComplete)
        .map(|p| p.clamp(0, 100))
        .unwrap_or(if st == status::COMPLETE { 100 } else { 0 });
    set(bag, PidLid::PERCENT_COMPLETE, PropValue::F64(pct as f64 / 100.0));
    let importance = integer(c, &ICalendarProperty::Priority).map_or(1, super::importance_of_priority);
    set(bag, PropTag::IMPORTANCE, PropValue::I32(importance));
    set(bag, PropTag::SENSITIVITY, PropValue::I32(class::NORMAL));
    if let Some(ICalendarValue::Classification(cls)) =
        c.property(&ICalendarProperty::Class).and_then(|e| e.values.first())
    {
        let s = match cls {
            calcard::icalendar::ICalendarClassification::Private => class::PRIVATE,
            calcard::icalendar::ICalendarClassification::Confidential => class::CONFIDENTIAL,
            _ => class::NORMAL,
        };
        set(bag, PropTag::SENSITIVITY, PropValue::I32(s));
    }
    let cats: Vec<String> = c
        .properties(&ICalendarProperty::Categories)
        .flat_map(|e| e.values.iter().filter_map(|v| v.as_text().map(str::to_owned)))
        .collect();
    if !cats.is_empty() {
        set(bag, PidName::KEYWORDS, PropValue::MvString(cats));
    }
    for (p, tag) in [
        (ICalendarProperty::Created, PropTag::CREATION_TIME),
        (ICalendarProperty::LastModified, PropTag::LAST_MODIFICATION_TIME),
    ] {
        if let Some(w) = when(c, &p) {
            set(bag, tag, time(ctx.utc(&w)));
        }
    }
    let rule = c.property(&ICalendarProperty::Rrule).and_then(|e| e.values.first()).and_then(|v| match v {
        ICalendarValue::RecurrenceRule(r) => Some(r.as_ref().clone()),
        _ => None,
    });
    set(&mut msg.props, PidLid::TASK_F_RECURRING, PropValue::Bool(rule.is_some()));
    if let Some(rule) = rule {
        let anchor = when(c, &ICalendarProperty::Dtstart)
            .or_else(|| when(c, &ICalendarProperty::Due))
            .ok_or(IcalError::Invalid("recurring VTODO without DTSTART or DUE".into()))?;
        let until = rule.until.as_ref().and_then(|u| {
            let e = c.property(&ICalendarProperty::Rrule)?;
            super::values::when_of(e, u).map(|w| match w {
                When::Date(d) => d.and_hms_opt(23, 59, 59).unwrap_or_default(),
                other => ctx.default_zone.to_local(ctx.utc(&other)),
            })
        });
        let pattern = super::rrule::from_rrule(&rule, date_of(&anchor), until)
            .map_err(|e| IcalError::Unsupported(e.to_string()))?;
        set(&mut msg.props, PidLid::TASK_RECURRENCE, PropValue::Binary(pattern.encode()));
    }
    Ok(msg)
}

pub(crate) fn export_todo(b: &mut Builder, msg: &Message, opts: &ExportOptions) {
    let bag = &msg.props;
    let zone = Zone::from_name(&opts.default_zone).unwrap_or(Zone::Utc);
    let mut t = ICalendarComponent::new(ICalendarComponentType::VTodo);
    let uid = bag.string(uid_key()).map(|s| s.into_owned()).unwrap_or_else(|| opts.fallback_uid.clone());
    t.entries.push(entry(ICalendarProperty::Uid, uid));
    let stamp = bag
        .time(PropTag::LAST_MODIFICATION_TIME)
        .or_else(|| bag.time(PropTag::CREATION_TIME))
        .or_else(|| bag.named_time(&PidLid::TASK_DATE_COMPLETED))
        .map(from_filetime)
        .unwrap_or_default();
    t.entries.push(when_entry(ICalendarProperty::Dtstamp, &When::Utc(stamp)));
    for (tag, p) in [
        (PropTag::CREATION_TIME, ICalendarProperty::Created),
        (PropTag::LAST_MODIFICATION_TIME, ICalendarProperty::LastModified),
    ] {
        if let Some(v) = bag.time(tag) {
            t.entries.push(when_entry(p, &When::Utc(from_filetime(v))));
        }
    }
    if let Some(s) = bag.string(PropTag::SUBJECT) {
        t.entries.push(entry(ICalendarProperty::Summary, s.into_owned()));
    }
    if let Some(s) = bag.non_empty_string(PropTag::BODY) {
        t.entries.push(entry(ICalendarProperty::Description, to_lf(&s)));
    }
    // The exact instant when known and not a local midnight (a date-only
    // task date, as Outlook keeps them), else the date.
    let at = |common: &mapi_wire::tags::NamedProp, date: &mapi_wire::tags::NamedProp| -> Option<When> {
        let is_midnight = |c: chrono::NaiveDateTime| zone.to_local(c).time() == chrono::NaiveTime::MIN;
        match (bag.named_time(common).map(from_filetime), bag.named_time(date).map(from_filetime)) {
            (Some(c), Some(d)) if zone.to_local(c).date() == d.date() && !is_midnight(c) => Some(When::Utc(c)),
            (_, Some(d)) => Some(When::Date(d.date())),
            (Some(c), None) if is_midnight(c) => Some(When::Date(zone.to_local(c).date())),
            (Some(c), None) => Some(When::Utc(c)),
            _ => None,
        }
    };
    if let Some(w) = at(&PidLid::COMMON_START, &PidLid::TASK_START_DATE) {
        t.entries.push(when_entry(ICalendarProperty::Dtstart, &w));
    }
    if let Some(w) = at(&PidLid::COMMON_END, &PidLid::TASK_DUE_DATE) {
        t.entries.push(when_entry(ICalendarProperty::Due, &w));
    }
    if let Some(c) = bag.named_time(&PidLid::TASK_DATE_COMPLETED) {
        t.entries.push(when_entry(ICalendarProperty::Completed, &When::Utc(from_filetime(c))));
    }
    let st = bag.named_i32(&PidLid::TASK_STATUS).unwrap_or(if bag.named_bool(&PidLid::TASK_COMPLETE) == Some(true) {
        status::COMPLETE
    } else {
        status::NOT_STARTED
    });
    let s = match st {
        status::COMPLETE => ICalendarStatus::Completed,
        status::IN_PROGRESS | status::WAITING => ICalendarStatus::InProcess,
        status::DEFERRED => ICalendarStatus::Cancelled,
        _ => ICalendarStatus::NeedsAction,
    };
    t.entries.push(entry(ICalendarProperty::Status, ICalendarValue::Status(s)));
    let pct = match bag.get(PidLid::PERCENT_COMPLETE) {
        Some(PropValue::F64(f)) => Some((f * 100.0).round() as i64),
        Some(PropValue::I32(i)) => Some(i64::from(*i)),
        _ => None,
    };
    if let Some(p) = pct {
        t.entries.push(entry(ICalendarProperty::PercentComplete, p.clamp(0, 100)));
    }
    if let Some(i) = bag.i32(PropTag::IMPORTANCE) {
        t.entries.push(entry(ICalendarProperty::Priority, super::priority_of_importance(i)));
    }
    if let Some(s) = bag.i32(PropTag::SENSITIVITY) {
        use calcard::icalendar::ICalendarClassification as C;
        let c = match s {
            class::PRIVATE => C::Private,
            class::CONFIDENTIAL => C::Confidential,
            _ => C::Public,
        };
        t.entries.push(entry(ICalendarProperty::Class, ICalendarValue::Classification(c)));
    }
    if let Some(cats) = bag.named_strings(&PidName::KEYWORDS).filter(|c| !c.is_empty()) {
        let vals: Vec<ICalendarValue> = cats.into_iter().map(|c| ICalendarValue::Text(c.into_owned())).collect();
        t.entries.push(calcard::icalendar::ICalendarEntry::new(ICalendarProperty::Categories).with_values(vals));
    }
    if bag.named_bool(&PidLid::TASK_F_RECURRING) != Some(false)
        && let Some(p) =
            bag.named_binary(&PidLid::TASK_RECURRENCE).and_then(|b| super::recur::RecurrencePattern::decode(b).ok())
    {
        let last = super::time::from_minutes(p.end_date).date();
        if let Ok(rule) = super::rrule::to_rrule(&p, Some(super::values::pdate(last))) {
            t.entries.push(entry(ICalendarProperty::Rrule, ICalendarValue::RecurrenceRule(Box::new(rule))));
        }
    }
    b.add_top(t);
}
