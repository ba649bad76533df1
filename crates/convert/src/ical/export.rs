//! MAPI → iCalendar ([MS-OXCICAL] 2.1.3.1 export): an appointment (with its
//! recurrence and exceptions) becomes a master VEVENT plus one overriding
//! VEVENT per exception; VTIMEZONEs for the zones used.

use calcard::icalendar::{
    ICalendar, ICalendarAction, ICalendarClassification, ICalendarComponent, ICalendarComponentType, ICalendarEntry,
    ICalendarParameter, ICalendarParticipationRole, ICalendarParticipationStatus, ICalendarProperty, ICalendarRelated,
    ICalendarStatus, ICalendarTransparency, ICalendarUserTypes, ICalendarValue, Uri,
};
use chrono::{NaiveDateTime, TimeDelta};
use mapi_wire::PropTag;
use mapi_wire::tags::{PidLid, PidName};

use super::goid::GlobalObjectId;
use super::recur::AppointmentRecurrence;
use super::rrule::to_rrule;
use super::time::{from_filetime, from_minutes};
use super::tzdef::{TimeZoneStruct, TzDefinition};
use super::values::{When, duration, entry, pdate, pdt, to_lf, when_entry, x_entry};
use super::zone::Zone;
use super::{ExportOptions, IcalError, busy, class, track};
use crate::bag::PropertyBag;
use crate::message::Message;

/// A VCALENDAR under construction: component 0 is the VCALENDAR.
pub(crate) struct Builder {
    pub(crate) cal: ICalendar,
    zones: Vec<Zone>,
    range: (i64, i64),
}

impl Builder {
    pub(crate) fn new(opts: &ExportOptions) -> Self {
        let mut root = ICalendarComponent::new(ICalendarComponentType::VCalendar);
        root.entries.push(entry(ICalendarProperty::Version, "2.0".to_owned()));
        root.entries.push(entry(ICalendarProperty::Prodid, opts.prodid.to_owned()));
        if let Some(m) = &opts.method {
            root.entries.push(entry(ICalendarProperty::Method, m.clone()));
        }
        Self { cal: ICalendar { components: vec![root] }, zones: Vec::new(), range: (i64::MAX, i64::MIN) }
    }

    pub(crate) fn push(&mut self, c: ICalendarComponent) -> u32 {
        let id = self.cal.components.len() as u32;
        self.cal.components.push(c);
        id
    }

    pub(crate) fn add_top(&mut self, c: ICalendarComponent) -> u32 {
        let id = self.push(c);
        if let Some(root) = self.cal.components.first_mut() {
            root.component_ids.push(id);
        }
        id
    }

    fn use_zone(&mut self, z: &Zone, at: NaiveDateTime) {
        let ts = at.and_utc().timestamp();
        self.range = (self.range.0.min(ts), self.range.1.max(ts));
        if !self.zones.contains(z) {
            self.zones.push(z.clone());
        }
    }

    /// Renders: VTIMEZONEs first, then the components.
    pub(crate) fn finish(mut self) -> String {
        let zones = std::mem::take(&mut self.zones);
        let (from, to) = self.range;
        for z in zones.iter().rev() {
            match z {
                Zone::Iana(tz) => {
                    let _ = self.cal.add_timezone(tz.name(), from - 86_400 * 366, to + 86_400 * 366);
                }
                Zone::Rules(def) => {
                    let id = vtimezone_of_rules(&mut self, def);
                    if let Some(root) = self.cal.components.first_mut() {
                        root.component_ids.insert(0, id);
                    }
                }
                Zone::Utc => {}
            }
        }
        let mut out = String::new();
        let _ = self.cal.write_to(&mut out);
        out
    }
}

/// A VTIMEZONE from the effective TZRule of a definition without IANA name.
fn vtimezone_of_rules(b: &mut Builder, def: &TzDefinition) -> u32 {
    let rule = def.effective().copied().unwrap_or_default();
    let mut tz = ICalendarComponent::new(ICalendarComponentType::VTimezone);
    tz.entries.push(entry(ICalendarProperty::Tzid, def.key_name.clone()));
    let offset = |m: i32| {
        let mut p = calcard::common::PartialDateTime {
            tz_hour: Some((m.unsigned_abs() / 60) as u8),
            tz_minute: Some((m.unsigned_abs() % 60) as u8),
            tz_minus: m < 0,
            ..Default::default()
        };
        if m == 0 {
            p.tz_minus = false;
        }
        ICalendarValue::PartialDateTime(Box::new(p))
    };
    let sub = |kind: ICalendarComponentType, from: i32, to: i32, st: Option<super::tzdef::SystemTime>| {
        let mut c = ICalendarComponent::new(kind);
        let start = st
            .and_then(|s| {
                let mut s2 = s;
                s2.year = 0;
                s2.in_year(1970).or_else(|| s2.in_year(1971))
            })
            .unwrap_or_else(|| super::time::epoch_1601() + TimeDelta::days(369 * 365 + 89));
        c.entries.push(when_entry(ICalendarProperty::Dtstart, &When::Local(start, None)));
        if let Some(s) = st {
            let n = if s.day >= 5 { -1 } else { i16::try_from(s.day).unwrap_or(1) };
            let rule = calcard::icalendar::ICalendarRecurrenceRule {
                freq: calcard::icalendar::ICalendarFrequency::Yearly,
                bymonth: vec![calcard::icalendar::ICalendarMonth::new(s.month as u8, false)],
                byday: vec![calcard::icalendar::ICalendarDay {
                    ordwk: Some(n),
                    weekday: weekday(u32::from(s.day_of_week)),
                }],
                ..Default::default()
            };
            c.entries.push(entry(ICalendarProperty::Rrule, ICalendarValue::RecurrenceRule(Box::new(rule))));
        }
        c.entries.push(ICalendarEntry::new(ICalendarProperty::Tzoffsetfrom).with_value(offset(from)));
        c.entries.push(ICalendarEntry::new(ICalendarProperty::Tzoffsetto).with_value(offset(to)));
        c
    };
    let mut children = Vec::new();
    if rule.has_dst() {
        let (so, dof) = (rule.standard_offset(), rule.daylight_offset());
        children.push(sub(ICalendarComponentType::Standard, dof, so, Some(rule.standard_date)));
        children.push(sub(ICalendarComponentType::Daylight, so, dof, Some(rule.daylight_date)));
    } else {
        children.push(sub(ICalendarComponentType::Standard, rule.standard_offset(), rule.standard_offset(), None));
    }
    let ids: Vec<u32> = children.into_iter().map(|c| b.push(c)).collect();
    tz.component_ids = ids;
    b.push(tz)
}

fn weekday(i: u32) -> calcard::icalendar::ICalendarWeekday {
    use calcard::icalendar::ICalendarWeekday as W;
    [W::Sunday, W::Monday, W::Tuesday, W::Wednesday, W::Thursday, W::Friday, W::Saturday][(i % 7) as usize]
}

/// The zone an appointment's times are shown in: TZDEFINITION (…Recur for
/// series, …StartDisplay otherwise), else TimeZoneStruct, else `None` (UTC).
pub(crate) fn zone_of(bag: &PropertyBag, recurring: bool) -> Option<Zone> {
    let keys: &[_] = if recurring {
        &[PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_RECUR, PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_START_DISPLAY]
    } else {
        &[PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_START_DISPLAY, PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_RECUR]
    };
    for k in keys {
        if let Some(def) = bag.named_binary(k).and_then(|b| TzDefinition::decode(b).ok())
            && !def.rules.is_empty()
        {
            return Some(Zone::from_definition(&def)).filter(|z| *z != Zone::Utc);
        }
    }
    let tzs = bag.named_binary(&PidLid::TIME_ZONE_STRUCT).and_then(|b| TimeZoneStruct::decode(b).ok())?;
    let name =
        bag.named_string(&PidLid::TIME_ZONE_DESCRIPTION).map(|s| s.into_owned()).unwrap_or_else(|| "Custom".into());
    Some(
        Zone::from_name(&name)
            .unwrap_or(Zone::Rules(TzDefinition { key_name: name, rules: vec![TzRule1601::of(tzs)] })),
    )
}

struct TzRule1601;
impl TzRule1601 {
    fn of(t: TimeZoneStruct) -> super::tzdef::TzRule {
        super::tzdef::TzRule { year: 1601, flags: super::tzdef::TZRULE_FLAG_EFFECTIVE, ..t.0 }
    }
}

/// A time of the appointment in the form it is written: a date for all-day
/// events, local with TZID in a zone, else UTC.
fn when_of(b: &mut Builder, utc: NaiveDateTime, zone: Option<&Zone>, all_day: bool, default_zone: &Zone) -> When {
    if all_day {
        return When::Date(zone.unwrap_or(default_zone).to_local(utc).date());
    }
    match zone {
        Some(z) => {
            b.use_zone(z, utc);
            When::Local(z.to_local(utc), Some(z.tzid()))
        }
        None => When::Utc(utc),
    }
}

fn utc_of(bag: &PropertyBag, whole: &mapi_wire::tags::NamedProp, tag: PropTag) -> Option<NaiveDateTime> {
    bag.named_time(whole).or_else(|| bag.time(tag)).map(from_filetime)
}

/// Adds the VEVENT(s) of an appointment.
pub(crate) fn export_event(b: &mut Builder, msg: &Message, opts: &ExportOptions) -> Result<(), IcalError> {
    let bag = &msg.props;
    let recur = bag.named_binary(&PidLid::APPOINTMENT_RECUR).and_then(|r| AppointmentRecurrence::decode(r).ok());
    let zone = zone_of(bag, recur.is_some());
    let default_zone = Zone::from_name(&opts.default_zone).unwrap_or(Zone::Utc);
    let all_day = bag.named_bool(&PidLid::APPOINTMENT_SUB_TYPE).unwrap_or(false);
    let start = utc_of(bag, &PidLid::APPOINTMENT_START_WHOLE, PropTag::START_DATE)
        .ok_or(IcalError::Invalid("appointment without start".into()))?;
    let end = utc_of(bag, &PidLid::APPOINTMENT_END_WHOLE, PropTag::END_DATE).unwrap_or(start).max(start);
    let goid = bag
        .named_binary(&PidLid::GLOBAL_OBJECT_ID)
        .or_else(|| bag.named_binary(&PidLid::CLEAN_GLOBAL_OBJECT_ID))
        .and_then(|g| GlobalObjectId::decode(g).ok());
    // [MS-OXCICAL] 2.1.3.1.1.20.26: a GlobalObjectId that is not well formed
    // still names the object: its bytes in hex.
    let raw_goid =
        bag.named_binary(&PidLid::GLOBAL_OBJECT_ID).or_else(|| bag.named_binary(&PidLid::CLEAN_GLOBAL_OBJECT_ID));
    let uid = match (&goid, raw_goid) {
        (Some(g), _) => g.uid(),
        (None, Some(raw)) if !raw.is_empty() => raw.iter().map(|b| format!("{b:02X}")).collect(),
        _ => opts.fallback_uid.clone(),
    };
    let mut ev = ICalendarComponent::new(ICalendarComponentType::VEvent);
    ev.entries.push(entry(ICalendarProperty::Uid, uid.clone()));
    let stamp = bag
        .named_time(&PidLid::OWNER_CRITICAL_CHANGE)
        .or_else(|| bag.time(PropTag::LAST_MODIFICATION_TIME))
        .map(from_filetime);
    ev.entries.push(when_entry(ICalendarProperty::Dtstamp, &When::Utc(stamp.unwrap_or(start))));
    for (tag, p) in [
        (PropTag::CREATION_TIME, ICalendarProperty::Created),
        (PropTag::LAST_MODIFICATION_TIME, ICalendarProperty::LastModified),
    ] {
        if let Some(t) = bag.time(tag) {
            ev.entries.push(when_entry(p, &When::Utc(from_filetime(t))));
        }
    }
    let w = when_of(b, start, zone.as_ref(), all_day, &default_zone);
    ev.entries.push(when_entry(ICalendarProperty::Dtstart, &w));
    let mut we = when_of(b, end, zone.as_ref(), all_day, &default_zone);
    if let (When::Date(s), When::Date(e)) = (&w, &we)
        && e <= s
    {
        we = When::Date(s.succ_opt().unwrap_or(*s));
    }
    ev.entries.push(when_entry(ICalendarProperty::Dtend, &we));
    common_entries(b, bag, &mut ev);
    if all_day {
        ev.entries.push(x_entry("X-MICROSOFT-CDO-ALLDAYEVENT", "TRUE"));
    }
    if let Some(seq) = bag.named_i32(&PidLid::APPOINTMENT_SEQUENCE) {
        ev.entries.push(entry(ICalendarProperty::Sequence, i64::from(seq)));
    }
    let state = bag.named_i32(&PidLid::APPOINTMENT_STATE_FLAGS).unwrap_or(0);
    if state & 0x4 != 0 {
        ev.entries.push(entry(ICalendarProperty::Status, ICalendarValue::Status(ICalendarStatus::Cancelled)));
    }
    people(bag, msg, &mut ev);
    attachments(msg, &mut ev);
    let mut overrides = Vec::new();
    if let Some(rec) = &recur {
        let z = zone.clone().unwrap_or_else(|| if all_day { default_zone.clone() } else { Zone::Utc });
        series(b, bag, msg, rec, &z, all_day, &mut ev, &mut overrides, &uid, zone.as_ref(), &default_zone)?;
    }
    b.add_top(ev);
    for o in overrides {
        b.add_top(o);
    }
    Ok(())
}

/// Subject, body, location, class, priority, busy status, categories, alarm.
fn common_entries(b: &mut Builder, bag: &PropertyBag, ev: &mut ICalendarComponent) {
    if let Some(s) = bag.string(PropTag::SUBJECT) {
        ev.entries.push(entry(ICalendarProperty::Summary, s.into_owned()));
    }
    if let Some(s) = bag.non_empty_string(PropTag::BODY) {
        ev.entries.push(entry(ICalendarProperty::Description, to_lf(&s)));
    }
    if let Some(s) = bag.named_string(&PidLid::LOCATION) {
        ev.entries.push(entry(ICalendarProperty::Location, s.into_owned()));
    }
    if let Some(s) = bag.i32(PropTag::SENSITIVITY) {
        let c = match s {
            class::PRIVATE => ICalendarClassification::Private,
            class::CONFIDENTIAL => ICalendarClassification::Confidential,
            _ => ICalendarClassification::Public,
        };
        ev.entries.push(entry(ICalendarProperty::Class, ICalendarValue::Classification(c)));
    }
    if let Some(i) = bag.i32(PropTag::IMPORTANCE) {
        ev.entries.push(entry(ICalendarProperty::Priority, super::priority_of_importance(i)));
    }
    if let Some(s) = bag.named_i32(&PidLid::BUSY_STATUS) {
        let t = if s == busy::FREE { ICalendarTransparency::Transparent } else { ICalendarTransparency::Opaque };
        ev.entries.push(entry(ICalendarProperty::Transp, ICalendarValue::Transparency(t)));
        ev.entries.push(x_entry("X-MICROSOFT-CDO-BUSYSTATUS", busy::name(s)));
    }
    if let Some(s) = bag.named_i32(&PidLid::INTENDED_BUSY_STATUS) {
        ev.entries.push(x_entry("X-MICROSOFT-CDO-INTENDEDSTATUS", busy::name(s)));
    }
    if let Some(cats) = bag.named_strings(&PidName::KEYWORDS).filter(|c| !c.is_empty()) {
        let vals: Vec<ICalendarValue> = cats.into_iter().map(|c| ICalendarValue::Text(c.into_owned())).collect();
        ev.entries.push(ICalendarEntry::new(ICalendarProperty::Categories).with_values(vals));
    }
    if bag.named_bool(&PidLid::REMINDER_SET) == Some(true) {
        let delta = bag.named_i32(&PidLid::REMINDER_DELTA).unwrap_or(15);
        let mut a = ICalendarComponent::new(ICalendarComponentType::VAlarm);
        a.entries.push(entry(ICalendarProperty::Action, ICalendarValue::Action(ICalendarAction::Display)));
        a.entries.push(entry(ICalendarProperty::Description, "Reminder".to_owned()));
        a.entries.push(
            ICalendarEntry::new(ICalendarProperty::Trigger)
                .with_param(ICalendarParameter::related(ICalendarRelated::Start))
                .with_value(ICalendarValue::Duration(duration(-i64::from(delta) * 60))),
        );
        let id = b.push(a);
        ev.component_ids.push(id);
    }
}

/// Visible by-value attachments → inline ATTACH (RFC 5545 3.8.1.1 with
/// RFC 8607 FILENAME).
fn attachments(msg: &Message, ev: &mut ICalendarComponent) {
    for a in msg.attachments.iter().filter(|a| a.method().0 == 1 && !a.hidden()) {
        let mut e = ICalendarEntry::new(ICalendarProperty::Attach)
            .with_param(ICalendarParameter::value(calcard::icalendar::ICalendarValueType::Binary));
        if let Some(m) = a.props.non_empty_string(PropTag::ATTACH_MIME_TAG) {
            e.add_param(ICalendarParameter::fmttype(m.into_owned()));
        }
        if let Some(n) = a.filename() {
            e.add_param(ICalendarParameter::filename(n.into_owned()));
        }
        ev.entries.push(e.with_value(ICalendarValue::Binary(a.data().to_vec())));
    }
}

/// ORGANIZER and ATTENDEEs from the sender and the recipient rows.
fn people(bag: &PropertyBag, msg: &Message, ev: &mut ICalendarComponent) {
    let addr_of = |b: &PropertyBag| {
        b.non_empty_string(PropTag::SMTP_ADDRESS)
            .filter(|s| s.contains('@'))
            .or_else(|| b.non_empty_string(PropTag::EMAIL_ADDRESS))
            .map(|s| s.into_owned())
    };
    if let Some(track) = super::itip::track_status_of_class(&msg.class()) {
        reply_people(bag, msg, ev, track, addr_of);
        return;
    }
    let organizer_row = msg.recipients.iter().find(|r| r.props.i32(PropTag::RECIPIENT_FLAGS).unwrap_or(0) & 0x2 != 0);
    let organizer = organizer_row
        .and_then(|r| Some((r.props.string(PropTag::DISPLAY_NAME).map(|s| s.into_owned()), addr_of(&r.props)?)))
        .or_else(|| {
            let a = bag
                .non_empty_string(PropTag::SENT_REPRESENTING_SMTP_ADDRESS)
                .or_else(|| bag.non_empty_string(PropTag::SENT_REPRESENTING_EMAIL_ADDRESS))?
                .into_owned();
            Some((bag.string(PropTag::SENT_REPRESENTING_NAME).map(|s| s.into_owned()), a))
        });
    let attendees: Vec<_> =
        msg.recipients.iter().filter(|r| r.props.i32(PropTag::RECIPIENT_FLAGS).unwrap_or(1) & 0x2 == 0).collect();
    if let Some((name, a)) = &organizer
        && (!attendees.is_empty() || bag.named_i32(&PidLid::APPOINTMENT_STATE_FLAGS).unwrap_or(0) & 1 != 0)
    {
        let mut e = ICalendarEntry::new(ICalendarProperty::Organizer);
        if let Some(n) = name {
            e.add_param(ICalendarParameter::cn(n.clone()));
        }
        ev.entries.push(e.with_value(ICalendarValue::Uri(Uri::Location(format!("mailto:{a}")))));
    }
    for r in attendees {
        let Some(a) = addr_of(&r.props) else { continue };
        let mut e = ICalendarEntry::new(ICalendarProperty::Attendee);
        if let Some(n) = r.props.non_empty_string(PropTag::DISPLAY_NAME) {
            e.add_param(ICalendarParameter::cn(n.into_owned()));
        }
        let ty = r.recipient_type().base().0;
        if ty == 3 {
            e.add_param(ICalendarParameter::cutype(ICalendarUserTypes::Resource));
            e.add_param(ICalendarParameter::role(ICalendarParticipationRole::NonParticipant));
        } else {
            let role = if ty == 2 {
                ICalendarParticipationRole::OptParticipant
            } else {
                ICalendarParticipationRole::ReqParticipant
            };
            e.add_param(ICalendarParameter::role(role));
        }
        // respNone: no response tracked, so no PARTSTAT either.
        let ps = match r.props.i32(PropTag::RECIPIENT_TRACK_STATUS).unwrap_or(0) {
            track::ACCEPTED => Some(ICalendarParticipationStatus::Accepted),
            track::DECLINED => Some(ICalendarParticipationStatus::Declined),
            track::TENTATIVE => Some(ICalendarParticipationStatus::Tentative),
            track::NONE => None,
            _ => Some(ICalendarParticipationStatus::NeedsAction),
        };
        if let Some(ps) = ps {
            let needs = ps == ICalendarParticipationStatus::NeedsAction;
            e.add_param(ICalendarParameter::partstat(ps));
            if needs {
                e.add_param(ICalendarParameter::rsvp(true));
            }
        }
        ev.entries.push(e.with_value(ICalendarValue::Uri(Uri::Location(format!("mailto:{a}")))));
    }
}

/// A meeting response (RFC 5546 3.2.3 REPLY): the organizer is whom the
/// response goes to (the To recipient), the one attendee is its sender with
/// the PARTSTAT the response class says ([MS-OXOCAL] 2.2.6).
fn reply_people(
    bag: &PropertyBag,
    msg: &Message,
    ev: &mut ICalendarComponent,
    track: i32,
    addr_of: impl Fn(&PropertyBag) -> Option<String>,
) {
    if let Some(r) = msg.recipients.iter().find(|r| r.recipient_type().base().0 == 1)
        && let Some(a) = addr_of(&r.props)
    {
        let mut e = ICalendarEntry::new(ICalendarProperty::Organizer);
        if let Some(n) = r.props.non_empty_string(PropTag::DISPLAY_NAME) {
            e.add_param(ICalendarParameter::cn(n.into_owned()));
        }
        ev.entries.push(e.with_value(ICalendarValue::Uri(Uri::Location(format!("mailto:{a}")))));
    }
    let sender = bag
        .non_empty_string(PropTag::SENT_REPRESENTING_SMTP_ADDRESS)
        .or_else(|| bag.non_empty_string(PropTag::SENT_REPRESENTING_EMAIL_ADDRESS))
        .or_else(|| bag.non_empty_string(PropTag::SENDER_SMTP_ADDRESS))
        .or_else(|| bag.non_empty_string(PropTag::SENDER_EMAIL_ADDRESS));
    if let Some(a) = sender {
        let mut e = ICalendarEntry::new(ICalendarProperty::Attendee);
        if let Some(n) =
            bag.non_empty_string(PropTag::SENT_REPRESENTING_NAME).or_else(|| bag.non_empty_string(PropTag::SENDER_NAME))
        {
            e.add_param(ICalendarParameter::cn(n.into_owned()));
        }
        let ps = match track {
            track::DECLINED => ICalendarParticipationStatus::Declined,
            track::TENTATIVE => ICalendarParticipationStatus::Tentative,
            _ => ICalendarParticipationStatus::Accepted,
        };
        e.add_param(ICalendarParameter::partstat(ps));
        ev.entries.push(e.with_value(ICalendarValue::Uri(Uri::Location(format!("mailto:{a}")))));
    }
}

/// RRULE, EXDATE and the overriding VEVENTs of a series.
#[allow(clippy::too_many_arguments)]
fn series(
    b: &mut Builder,
    bag: &PropertyBag,
    msg: &Message,
    rec: &AppointmentRecurrence,
    z: &Zone,
    all_day: bool,
    ev: &mut ICalendarComponent,
    overrides: &mut Vec<ICalendarComponent>,
    uid: &str,
    shown: Option<&Zone>,
    default_zone: &Zone,
) -> Result<(), IcalError> {
    let p = &rec.pattern;
    let last_start = from_minutes(p.end_date) + TimeDelta::minutes(i64::from(rec.start_offset));
    let until = if all_day { pdate(last_start.date()) } else { pdt(z.to_utc(last_start), true) };
    let rule = to_rrule(p, Some(until)).map_err(|e| IcalError::Unsupported(e.to_string()))?;
    ev.entries.push(entry(ICalendarProperty::Rrule, ICalendarValue::RecurrenceRule(Box::new(rule))));
    let originals: Vec<u32> = rec.exceptions.iter().map(|x| x.original_start - x.original_start % 1440).collect();
    let local_at = |day: u32| from_minutes(day - day % 1440) + TimeDelta::minutes(i64::from(rec.start_offset));
    let instance = |b: &mut Builder, local: NaiveDateTime| -> When {
        if all_day { When::Date(local.date()) } else { when_of(b, z.to_utc(local), shown, false, default_zone) }
    };
    let exdates: Vec<When> = p
        .deleted
        .iter()
        .filter(|d| !originals.contains(&(*d - *d % 1440)))
        .map(|d| instance(b, local_at(*d)))
        .collect();
    for x in exdates {
        ev.entries.push(when_entry(ICalendarProperty::Exdate, &x));
    }
    let master_props = bag;
    for x in &rec.exceptions {
        let emb = exception_message(msg, x, z);
        let mut o = ICalendarComponent::new(ICalendarComponentType::VEvent);
        o.entries.push(entry(ICalendarProperty::Uid, uid.to_owned()));
        let (s_utc, e_utc) = (z.to_utc(from_minutes(x.start)), z.to_utc(from_minutes(x.end)));
        o.entries.push(when_entry(ICalendarProperty::Dtstamp, &When::Utc(s_utc)));
        // The embedded message's PidLidExceptionReplaceTime is UTC and
        // unambiguous; the blob's OriginalStartDate is local time.
        let orig = emb
            .and_then(|e| e.props.named_time(&PidLid::EXCEPTION_REPLACE_TIME))
            .map_or_else(|| from_minutes(x.original_start), |t| z.to_local(from_filetime(t)));
        let rid = instance(b, orig);
        o.entries.push(when_entry(ICalendarProperty::RecurrenceId, &rid));
        let ex_all_day = x.sub_type.map_or(all_day, |s| s != 0);
        let sw = when_of(b, s_utc, shown, ex_all_day, z);
        let ew = when_of(b, e_utc, shown, ex_all_day, z);
        o.entries.push(when_entry(ICalendarProperty::Dtstart, &sw));
        o.entries.push(when_entry(ICalendarProperty::Dtend, &ew));
        // The embedded message has the full exception; the blob the rest.
        let mut props = master_props.clone();
        for k in [PropTag::SUBJECT, PropTag::BODY] {
            props.remove(k);
        }
        if let Some(body) =
            master_props.string(PropTag::BODY).filter(|_| x.flags & super::recur::Override::EXCEPTIONAL_BODY == 0)
        {
            let _ = props.insert(PropTag::BODY, mapi_wire::prop_value::PropValue::String(body.into_owned()));
        }
        if let Some(s) = x.subject.clone().or_else(|| master_props.string(PropTag::SUBJECT).map(|s| s.into_owned())) {
            let _ = props.insert(PropTag::SUBJECT, mapi_wire::prop_value::PropValue::String(s));
        }
        if let Some(l) = &x.location {
            let _ = props.insert(PidLid::LOCATION, mapi_wire::prop_value::PropValue::String(l.clone()));
        }
        if let Some(s) = x.busy_status {
            let _ = props.insert(PidLid::BUSY_STATUS, mapi_wire::prop_value::PropValue::I32(s as i32));
        }
        if let Some(r) = x.reminder_set {
            let _ = props.insert(PidLid::REMINDER_SET, mapi_wire::prop_value::PropValue::Bool(r != 0));
        }
        if let Some(d) = x.reminder_delta {
            let _ = props.insert(PidLid::REMINDER_DELTA, mapi_wire::prop_value::PropValue::I32(d as i32));
        }
        if let Some(e) = emb {
            for (k, v) in e.props.iter() {
                if matches!(k, crate::bag::PropKey::Tag(id) if *id == PropTag::MESSAGE_CLASS.id()) {
                    continue;
                }
                let _ = props.insert(k.clone(), v.clone());
            }
        }
        common_entries(b, &props, &mut o);
        if let Some(seq) = bag.named_i32(&PidLid::APPOINTMENT_SEQUENCE) {
            o.entries.push(entry(ICalendarProperty::Sequence, i64::from(seq)));
        }
        overrides.push(o);
    }
    Ok(())
}

/// The embedded message of exception `x`: the exception attachment whose
/// PidLidExceptionReplaceTime (or PidTagExceptionStartTime) matches.
fn exception_message<'a>(msg: &'a Message, x: &super::recur::ExceptionInfo, z: &Zone) -> Option<&'a Message> {
    let orig_local = from_minutes(x.original_start);
    let orig_utc = z.to_utc(orig_local);
    let start_local = from_minutes(x.start);
    // Writers disagree on the blob's time base (gromox writes UTC minutes),
    // so the original date decides when the instant does not.
    let same = |r: NaiveDateTime| r == orig_utc || r == orig_local || z.to_local(r).date() == orig_local.date();
    msg.attachments.iter().filter(|a| a.method().0 == 5).filter_map(|a| a.embedded.as_deref().map(|e| (a, e))).find_map(
        |(a, e)| {
            let replace = e.props.named_time(&PidLid::EXCEPTION_REPLACE_TIME).map(from_filetime);
            let ex_start = a.props.time(PropTag::EXCEPTION_START_TIME).map(from_filetime);
            (replace.is_some_and(same) || (replace.is_none() && ex_start == Some(start_local))).then_some(e)
        },
    )
}
