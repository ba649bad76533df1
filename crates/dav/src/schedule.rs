//! CalDAV scheduling (RFC 6638) through Exchange, free/busy and MKCALENDAR.
//!
//! * The principal names `schedule-inbox-URL` and `schedule-outbox-URL`
//!   (`<calendar home>/inbox/`, `/outbox/`; RFC 6638 §2.2, §2.1) and its
//!   `mailto:` calendar-user-address-set.
//! * The schedule inbox is [`mailbox::Account::schedule_inbox`]: the
//!   meeting messages Exchange delivered, served as iTIP (METHOD
//!   REQUEST/REPLY/CANCEL) and deleted by DELETE.
//! * Implicit scheduling (RFC 6638 §3.2): an organizer's PUT of an event
//!   with attendees sends the meeting request (or update), its DELETE the
//!   cancellation; an attendee's PUT that changes their PARTSTAT sends the
//!   response, their DELETE a decline (unless `Schedule-Reply: F`,
//!   §8.1). Attendees with `SCHEDULE-AGENT=CLIENT` (§7.1) are left to the
//!   client. Exchange places requests in the attendees' calendars itself.
//! * POST of a VFREEBUSY request to the outbox (§5, RFC 5546 §3.3.2) and
//!   REPORT free-busy-query on a calendar (RFC 4791 §7.10).
//! * MKCALENDAR (RFC 4791 §5.3.1).

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use convert::Message;
use convert::ical::itip;
use mailbox::{BusyKind, BusyPeriod, FolderKind, MailboxError, NewCalendar, Timestamp};

use crate::Session;
use crate::methods::{Answer, parse_body, precondition};
use crate::path::{Home, Target, folder_segment};
use crate::props::Resource;
use crate::xml::{CALDAV, DAV, Element, ICAL, NS_DECLS, escape};

/// The segment of the schedule inbox below the calendar home.
pub(crate) const INBOX: &str = "inbox";
/// The segment of the schedule outbox below the calendar home.
pub(crate) const OUTBOX: &str = "outbox";

/// Requests this module answers whole; `None` leaves the request to the
/// ordinary methods (after [`around_write`] for PUT and DELETE).
pub(crate) async fn intercept(
    s: &Session,
    method: &Method,
    target: &Target,
    headers: &HeaderMap,
    body: &Bytes,
) -> Option<Response> {
    let answer = match (method.as_str(), target) {
        ("MKCALENDAR", _) => mkcalendar(s, target, body).await,
        ("POST", Target::Collection { home: Home::Calendars, folder, .. }) if folder == OUTBOX => {
            outbox_post(s, body).await
        }
        (_, Target::Collection { home: Home::Calendars, folder, .. }) if folder == OUTBOX => {
            if method.as_str() == "PROPFIND" {
                outbox_propfind(s)
            } else {
                Err((StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "OPTIONS, PROPFIND, POST")]).into_response())
            }
        }
        ("REPORT", Target::Collection { home: Home::Calendars, folder, .. })
            if folder != INBOX && is_free_busy_query(body) =>
        {
            free_busy_query(s, folder, body).await
        }
        ("PUT" | "DELETE", Target::Item { home: Home::Calendars, folder, .. }) if folder != INBOX => {
            around_write(s, method, target, headers, body).await
        }
        _ => return None,
    };
    Some(answer.unwrap_or_else(|r| r))
}

/// The schedule inbox as the collection the ordinary methods serve.
pub(crate) async fn inbox(s: &Session) -> Result<std::sync::Arc<dyn mailbox::ItemCollection>, Response> {
    s.account.schedule_inbox().await.map_err(|e| s.fail(&e))
}

/// The href segment of a collection: the inbox's is [`INBOX`].
pub(crate) fn collection_segment(coll: &dyn mailbox::ItemCollection) -> String {
    if coll.info().is_own_role(mailbox::SpecialUse::Inbox) { INBOX.into() } else { folder_segment(&coll.info().id) }
}

/// DAV:resourcetype of a calendar-home collection: the schedule inbox
/// (RFC 6638 §2.2.1) or a calendar.
pub(crate) fn calendar_resourcetype(coll: &dyn mailbox::ItemCollection) -> &'static str {
    if coll.info().is_own_role(mailbox::SpecialUse::Inbox) {
        "<d:collection/><c:schedule-inbox/>"
    } else {
        "<d:collection/><c:calendar/>"
    }
}

/// Segments MKCALENDAR clients chose, per user, to the folder segment of
/// the calendar made: a client keeps using the URL it created. Kept for the
/// process's lifetime (like client-chosen item names); listings show the
/// folder segment.
type Aliases = std::sync::Mutex<std::collections::HashMap<(String, String), String>>;

fn aliases() -> &'static Aliases {
    static ALIASES: std::sync::OnceLock<Aliases> = std::sync::OnceLock::new();
    ALIASES.get_or_init(Default::default)
}

/// The folder segment a client-chosen MKCALENDAR segment stands for.
pub(crate) fn alias(user: &str, segment: &str) -> Option<String> {
    let map = aliases().lock().ok()?;
    map.get(&(user.to_ascii_lowercase(), segment.to_owned())).cloned()
}

/// Scheduling properties of the principal (RFC 6638 §2, §9).
pub(crate) async fn prop_value(s: &Session, res: &Resource, prop: &Element) -> Result<Option<String>, MailboxError> {
    let href = |h: String| format!("<d:href>{}</d:href>", escape(&h));
    let home = s.home_href(Home::Calendars);
    Ok(match (prop.ns.as_str(), prop.name.as_str(), res) {
        (CALDAV, "schedule-inbox-URL", Resource::Principal) => Some(href(format!("{home}{INBOX}/"))),
        (CALDAV, "schedule-outbox-URL", Resource::Principal) => Some(href(format!("{home}{OUTBOX}/"))),
        (CALDAV, "calendar-user-type", Resource::Principal) => Some("INDIVIDUAL".into()),
        (CALDAV, "calendar-description", Resource::Collection { home: Home::Calendars, coll }) => {
            s.account.calendar_details(&coll.info().id).await?.description.map(|d| escape(&d))
        }
        (ICAL, "calendar-color", Resource::Collection { home: Home::Calendars, coll }) => {
            s.account.calendar_details(&coll.info().id).await?.color.map(|c| escape(&c))
        }
        (CALDAV, "schedule-default-calendar-URL", Resource::Principal | Resource::Collection { .. }) => {
            let folders = s.account.list_folders().await?;
            folders
                .iter()
                .find(|f| f.is_own() && f.kind == FolderKind::Calendar && !f.hidden())
                .map(|f| href(format!("{home}{}/", folder_segment(&f.id))))
        }
        _ => None,
    })
}

// ---------------------------------------------------------------------------
// Implicit scheduling around PUT and DELETE.

/// What an iCalendar object says about scheduling.
#[derive(Debug, Default)]
struct People {
    organizer: Option<String>,
    /// (address, PARTSTAT, SCHEDULE-AGENT) of each ATTENDEE.
    attendees: Vec<(String, String, String)>,
}

impl People {
    fn of(ics: &str) -> Self {
        let mut p = Self::default();
        for line in unfold(ics) {
            let (head, value) = match line.split_once(':') {
                Some((h, _)) if h.contains('"') => split_quoted(&line),
                Some((h, v)) => (h.to_owned(), v.to_owned()),
                None => continue,
            };
            let mut parts = head.split(';');
            let name = parts.next().unwrap_or("").to_ascii_uppercase();
            let params: Vec<(String, String)> = parts
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.to_ascii_uppercase(), v.trim_matches('"').to_ascii_uppercase()))
                .collect();
            let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
            let addr = mailto(&value);
            match name.as_str() {
                "ORGANIZER" if p.organizer.is_none() => p.organizer = addr,
                "ATTENDEE" => {
                    if let Some(a) = addr
                        && !p.attendees.iter().any(|(x, ..)| *x == a)
                    {
                        p.attendees.push((a, param("PARTSTAT"), param("SCHEDULE-AGENT")));
                    }
                }
                _ => {}
            }
        }
        p
    }

    fn partstat_of(&self, who: &str) -> Option<&str> {
        self.attendees.iter().find(|(a, ..)| a.eq_ignore_ascii_case(who)).map(|(_, ps, _)| ps.as_str())
    }
}

fn split_quoted(line: &str) -> (String, String) {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return (line[..i].to_owned(), line[i + 1..].to_owned()),
            _ => {}
        }
    }
    (line.to_owned(), String::new())
}

fn unfold(ics: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in ics.split('\n') {
        let l = raw.strip_suffix('\r').unwrap_or(raw);
        match (l.strip_prefix(' ').or_else(|| l.strip_prefix('\t')), out.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => out.push(l.to_owned()),
        }
    }
    out
}

fn mailto(v: &str) -> Option<String> {
    let v = v.trim();
    let lower = v.to_ascii_lowercase();
    lower.strip_prefix("mailto:").map(|a| a.trim().to_owned()).filter(|a| a.contains('@'))
}

/// PUT or DELETE of a calendar object, then the iTIP messages it implies.
async fn around_write(s: &Session, method: &Method, target: &Target, headers: &HeaderMap, body: &Bytes) -> Answer {
    let Target::Item { home, folder, name, .. } = target else { return Err(StatusCode::NOT_FOUND.into_response()) };
    let me = s.account.identity().to_ascii_lowercase();
    let coll = s.collection(*home, folder).await?;
    let old = coll.get(name).await.map_err(|e| s.fail(&e))?.map(|(_, m)| m);
    let old_ics = old.as_ref().and_then(|m| crate::props::render(s, Home::Calendars, name, m, Default::default()));
    let old_people = old_ics.as_deref().map(People::of).unwrap_or_default();
    let reply_wanted = !headers
        .get("schedule-reply")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("F"));
    let response = if method.as_str() == "PUT" {
        crate::methods::put(s, target, headers, body).await?
    } else {
        crate::methods::delete(s, target, headers).await?
    };
    if !response.status().is_success() {
        return Ok(response);
    }
    let new_people =
        if method.as_str() == "PUT" { People::of(&String::from_utf8_lossy(body)) } else { People::default() };
    let deleted = method.as_str() == "DELETE";
    let people = if deleted { &old_people } else { &new_people };
    let organizer = people.organizer.as_deref().map(str::to_ascii_lowercase);
    let plan = if organizer.as_deref() == Some(me.as_str()) {
        let to: Vec<String> = people
            .attendees
            .iter()
            .filter(|(a, _, agent)| *a != me && agent != "CLIENT")
            .map(|(a, ..)| a.clone())
            .collect();
        if to.is_empty() {
            None
        } else if deleted {
            Some((itip::CANCELED, to))
        } else {
            Some((itip::REQUEST, to))
        }
    } else if let Some(org) = organizer.filter(|_| reply_wanted) {
        let before = old_people.partstat_of(&me);
        let after = if deleted { Some("DECLINED") } else { new_people.partstat_of(&me) };
        let agent_client = people.attendees.iter().any(|(a, _, ag)| *a == me && ag == "CLIENT");
        let class = match after {
            Some("ACCEPTED") => Some(itip::RESP_POS),
            Some("DECLINED") => Some(itip::RESP_NEG),
            Some("TENTATIVE") => Some(itip::RESP_TENT),
            _ => None,
        };
        class.filter(|_| after != before && !agent_client).map(|c| (c, vec![org]))
    } else {
        None
    };
    let Some((class, to)) = plan else { return Ok(response) };
    let source = if deleted {
        old.ok_or_else(|| StatusCode::NOT_FOUND.into_response())?
    } else {
        crate::methods::calendar_object_of(s, body)?
    };
    let message = meeting_message(source, class, &to, &me);
    s.account.send_meeting_message(message).await.map_err(|e| s.fail(&e))?;
    Ok(response)
}

/// The meeting message of `class` for an appointment, to `to`.
fn meeting_message(mut m: Message, class: &str, to: &[String], me: &str) -> Message {
    use mapi_wire::PropTag;
    use mapi_wire::prop_value::PropValue;
    let _ = m.props.insert(PropTag::MESSAGE_CLASS, PropValue::String(class.into()));
    // The user sends it (an attendee's copy names the organizer there;
    // Exchange would take that for Send As and refuse it).
    for t in [
        PropTag::SENT_REPRESENTING_NAME,
        PropTag::SENT_REPRESENTING_EMAIL_ADDRESS,
        PropTag::SENT_REPRESENTING_SMTP_ADDRESS,
        PropTag::SENT_REPRESENTING_ADDRESS_TYPE,
        PropTag::SENT_REPRESENTING_ENTRY_ID,
        PropTag::SENDER_NAME,
        PropTag::SENDER_EMAIL_ADDRESS,
        PropTag::SENDER_SMTP_ADDRESS,
        PropTag::SENDER_ADDRESS_TYPE,
        PropTag::SENDER_ENTRY_ID,
    ] {
        let _ = m.props.remove(t);
    }
    let prefix = match class {
        itip::RESP_POS => "Accepted: ",
        itip::RESP_NEG => "Declined: ",
        itip::RESP_TENT => "Tentative: ",
        itip::CANCELED => "Canceled: ",
        _ => "",
    };
    if !prefix.is_empty() {
        let subject = m.props.string(PropTag::SUBJECT).map(|s| s.into_owned()).unwrap_or_default();
        let _ = m.props.insert(PropTag::SUBJECT, PropValue::String(format!("{prefix}{subject}")));
    }
    let existing = std::mem::take(&mut m.recipients);
    m.recipients = to
        .iter()
        .filter(|a| !a.eq_ignore_ascii_case(me))
        .map(|a| {
            let mut r = existing
                .iter()
                .find(|r| {
                    r.props
                        .string(PropTag::SMTP_ADDRESS)
                        .or_else(|| r.props.string(PropTag::EMAIL_ADDRESS))
                        .is_some_and(|x| x.eq_ignore_ascii_case(a))
                })
                .cloned()
                .unwrap_or_default();
            for (t, v) in [
                (PropTag::SMTP_ADDRESS, a.clone()),
                (PropTag::EMAIL_ADDRESS, a.clone()),
                (PropTag::ADDRESS_TYPE, "SMTP".to_owned()),
            ] {
                let _ = r.props.insert(t, PropValue::String(v));
            }
            if r.props.string(PropTag::DISPLAY_NAME).is_none() {
                let _ = r.props.insert(PropTag::DISPLAY_NAME, PropValue::String(a.clone()));
            }
            let _ = r.props.insert(PropTag::RECIPIENT_TYPE, PropValue::I32(1));
            r
        })
        .collect();
    m
}

// ---------------------------------------------------------------------------
// Free/busy.

fn is_free_busy_query(body: &[u8]) -> bool {
    parse_body(body).is_ok_and(|r| r.is(CALDAV, "free-busy-query"))
}

/// The outbox as PROPFIND shows it (depth 0).
fn outbox_propfind(s: &Session) -> Answer {
    let href = format!("{}{OUTBOX}/", s.home_href(Home::Calendars));
    let inner = format!(
        "<d:response><d:href>{}</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><c:schedule-outbox/>\
         </d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>",
        escape(&href)
    );
    Ok(crate::methods::multistatus(&inner))
}

/// POST of a VFREEBUSY request (RFC 6638 §5, RFC 5546 §3.3.2): one
/// CALDAV:response per attendee with a METHOD:REPLY VFREEBUSY.
async fn outbox_post(s: &Session, body: &Bytes) -> Answer {
    let text = String::from_utf8_lossy(body);
    let lines = unfold(&text);
    let value_of = |name: &str| {
        lines.iter().find_map(|l| {
            let (head, v) = l.split_once(':')?;
            head.split(';').next().filter(|h| h.eq_ignore_ascii_case(name)).map(|_| v.trim().to_owned())
        })
    };
    let bad = |why: &str| precondition(StatusCode::BAD_REQUEST, CALDAV, "valid-calendar-data", why);
    if !text.to_ascii_uppercase().contains("BEGIN:VFREEBUSY") {
        return Err(bad("only VFREEBUSY requests are accepted by the outbox; events are scheduled by PUT"));
    }
    let (Some(start), Some(end)) =
        (value_of("DTSTART").and_then(|v| parse_utc(&v)), value_of("DTEND").and_then(|v| parse_utc(&v)))
    else {
        return Err(bad("VFREEBUSY needs DTSTART and DTEND"));
    };
    let uid = value_of("UID").unwrap_or_default();
    let organizer = value_of("ORGANIZER").unwrap_or_else(|| format!("mailto:{}", s.account.identity()));
    let people = People::of(&text);
    let mut out = String::new();
    for (who, ..) in &people.attendees {
        // RFC 5546 §3.6 request statuses, with the reason as exdata.
        let (status, data) = match s.account.free_busy(who, start, end).await {
            Ok(periods) => ("2.0;Success".to_owned(), Some(vfreebusy(&uid, &organizer, who, start, end, &periods))),
            Err(MailboxError::Unavailable(m)) => return Err(s.fail(&MailboxError::Unavailable(m))),
            Err(e @ MailboxError::NotPermitted(_)) => (format!("3.8;No authority;{e}"), None),
            Err(e) => (format!("3.7;Invalid calendar user;{e}"), None),
        };
        let status = escape(&status);
        out.push_str(&format!(
            "<c:response><c:recipient><d:href>mailto:{}</d:href></c:recipient><c:request-status>{status}</c:request-status>{}</c:response>",
            escape(who),
            data.map(|d| format!("<c:calendar-data>{}</c:calendar-data>", escape(&d))).unwrap_or_default()
        ));
    }
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<c:schedule-response {NS_DECLS}>{out}</c:schedule-response>"
    );
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response())
}

/// REPORT free-busy-query (RFC 4791 §7.10) on one calendar.
async fn free_busy_query(s: &Session, folder: &str, body: &Bytes) -> Answer {
    let root = parse_body(body)?;
    let range = root.child(CALDAV, "time-range");
    let start = range.and_then(|r| r.attr("start")).and_then(parse_utc);
    let end = range.and_then(|r| r.attr("end")).and_then(parse_utc);
    let (Some(start), Some(end)) = (start, end) else {
        return Err(
            (StatusCode::BAD_REQUEST, "free-busy-query needs a time-range with start and end\n").into_response()
        );
    };
    let coll = s.collection(Home::Calendars, folder).await?;
    let mut periods = Vec::new();
    let (from, to) = (file_time(start), file_time(end));
    for entry in coll.list().await.map_err(|e| s.fail(&e))? {
        let Some((_, m)) = coll.get(&entry.name).await.map_err(|e| s.fail(&e))? else { continue };
        let busy = m.props.named_i32(&mapi_wire::tags::PidLid::BUSY_STATUS).unwrap_or(2);
        let cancelled =
            m.props.named_i32(&mapi_wire::tags::PidLid::APPOINTMENT_STATE_FLAGS).is_some_and(|f| f & 0x4 != 0);
        let kind = match busy {
            _ if cancelled => continue,
            0 => continue,
            1 => BusyKind::Tentative,
            3 => BusyKind::Unavailable,
            _ => BusyKind::Busy,
        };
        for o in convert::ical::occurrences(&m, from, to, 2000) {
            periods.push(BusyPeriod { start: timestamp(o.start), end: timestamp(o.end), kind });
        }
    }
    periods.sort_by_key(|p| (p.start, p.end));
    let me = s.account.identity().to_owned();
    let ics = vfreebusy("", &format!("mailto:{me}"), &me, start, end, &periods).replace("METHOD:REPLY\r\n", "");
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], ics).into_response())
}

fn vfreebusy(uid: &str, organizer: &str, who: &str, start: Timestamp, end: Timestamp, p: &[BusyPeriod]) -> String {
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mapibridge//dav//EN\r\nMETHOD:REPLY\r\nBEGIN:VFREEBUSY\r\n",
    );
    if !uid.is_empty() {
        out.push_str(&format!("UID:{uid}\r\n"));
    }
    out.push_str(&format!("DTSTAMP:{}\r\n", format_utc(Timestamp(unix_now()))));
    out.push_str(&format!("DTSTART:{}\r\nDTEND:{}\r\n", format_utc(start), format_utc(end)));
    out.push_str(&format!("ORGANIZER:{organizer}\r\nATTENDEE:mailto:{who}\r\n"));
    for b in p {
        let fbtype = match b.kind {
            BusyKind::Tentative => "BUSY-TENTATIVE",
            BusyKind::Unavailable => "BUSY-UNAVAILABLE",
            BusyKind::Busy => "BUSY",
        };
        let (s0, e0) = (b.start.max(start), b.end.min(end));
        out.push_str(&format!("FREEBUSY;FBTYPE={fbtype}:{}/{}\r\n", format_utc(s0), format_utc(e0)));
    }
    out.push_str("END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
    out
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

const EPOCH_DIFF: i64 = 11_644_473_600;

fn file_time(t: Timestamp) -> mapi_wire::prop_value::FileTime {
    mapi_wire::prop_value::FileTime(
        u64::try_from(t.0.saturating_add(EPOCH_DIFF)).unwrap_or(0).saturating_mul(10_000_000),
    )
}

fn timestamp(t: mapi_wire::prop_value::FileTime) -> Timestamp {
    Timestamp(i64::try_from(t.0 / 10_000_000).unwrap_or(i64::MAX) - EPOCH_DIFF)
}

/// `YYYYMMDD[THHMMSS[Z]]` as UTC (floating and date values taken as UTC).
fn parse_utc(v: &str) -> Option<Timestamp> {
    let v = v.trim().trim_end_matches('Z');
    let num = |r: std::ops::Range<usize>| v.get(r).and_then(|x| x.parse::<i64>().ok());
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = if v.len() >= 15 && v.as_bytes().get(8) == Some(&b'T') {
        (num(9..11)?, num(11..13)?, num(13..15)?)
    } else {
        (0, 0, 0)
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(Timestamp(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss))
}

fn format_utc(t: Timestamp) -> String {
    let days = t.0.div_euclid(86_400);
    let rem = t.0.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

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

// ---------------------------------------------------------------------------
// MKCALENDAR.

/// MKCALENDAR (RFC 4791 §5.3.1): a new calendar (or task list when the
/// component set asks for VTODO only) at the top of the mailbox.
async fn mkcalendar(s: &Session, target: &Target, body: &Bytes) -> Answer {
    let location_not_ok =
        || precondition(StatusCode::FORBIDDEN, CALDAV, "calendar-collection-location-ok", "not in the calendar home");
    let segment = match target {
        Target::Collection { home: Home::Calendars, folder, .. } => folder,
        Target::Item { home: Home::Calendars, .. } => {
            return Err((StatusCode::CONFLICT, "calendars cannot be nested in calendars\n").into_response());
        }
        _ => return Err(location_not_ok()),
    };
    if segment == INBOX || segment == OUTBOX || s.collection(Home::Calendars, segment).await.is_ok() {
        return Err(precondition(StatusCode::FORBIDDEN, DAV, "resource-must-be-null", "the collection exists"));
    }
    let mut new = NewCalendar { name: segment.clone(), kind: FolderKind::Calendar, description: None, color: None };
    if !body.iter().all(u8::is_ascii_whitespace) {
        let root = parse_body(body)?;
        if !root.is(CALDAV, "mkcalendar") {
            return Err((StatusCode::BAD_REQUEST, "expected CALDAV:mkcalendar\n").into_response());
        }
        for prop in root.children_named(DAV, "set").filter_map(|set| set.child(DAV, "prop")) {
            for p in &prop.children {
                let text = p.text.trim();
                if p.is(DAV, "displayname") && !text.is_empty() {
                    new.name = text.to_owned();
                } else if p.is(CALDAV, "calendar-description") {
                    new.description = Some(text.to_owned());
                } else if p.is(ICAL, "calendar-color") {
                    new.color = Some(text.to_owned());
                } else if p.is(CALDAV, "supported-calendar-component-set") {
                    let comps: Vec<String> = p
                        .children_named(CALDAV, "comp")
                        .filter_map(|c| c.attr("name"))
                        .map(str::to_ascii_uppercase)
                        .collect();
                    if !comps.is_empty() && comps.iter().all(|c| c == "VTODO") {
                        new.kind = FolderKind::Tasks;
                    } else if !comps.iter().any(|c| c == "VEVENT") && !comps.is_empty() {
                        return Err(precondition(
                            StatusCode::FORBIDDEN,
                            CALDAV,
                            "supported-calendar-component",
                            "calendars hold VEVENT or VTODO only",
                        ));
                    }
                }
            }
        }
    }
    match s.account.create_calendar(&new).await {
        Ok(info) => {
            if let Ok(mut map) = aliases().lock() {
                map.insert((s.account.identity().to_ascii_lowercase(), segment.clone()), folder_segment(&info.id));
            }
            Ok(StatusCode::CREATED.into_response())
        }
        Err(MailboxError::AlreadyExists(_)) => {
            Err(precondition(StatusCode::FORBIDDEN, DAV, "resource-must-be-null", "a calendar has this name"))
        }
        Err(MailboxError::Invalid(m)) => Err((StatusCode::CONFLICT, format!("{m}\n")).into_response()),
        Err(e) => Err(s.fail(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_of_an_event() {
        let ics = "BEGIN:VEVENT\r\nORGANIZER;CN=\"A: x\":mailto:Alice@example.test\r\nATTENDEE;PARTSTAT=ACCEPTED;CN=B\r\n :mailto:bob@example.test\r\nATTENDEE;SCHEDULE-AGENT=CLIENT:MAILTO:carol@example.test\r\nEND:VEVENT\r\n";
        let p = People::of(ics);
        assert_eq!(p.organizer.as_deref(), Some("alice@example.test"));
        assert_eq!(p.partstat_of("bob@example.test"), Some("ACCEPTED"));
        assert_eq!(p.attendees[1], ("carol@example.test".into(), String::new(), "CLIENT".into()));
    }

    #[test]
    fn utc_times_round_trip() {
        let t = parse_utc("20260105T090000Z").unwrap();
        assert_eq!(format_utc(t), "20260105T090000Z");
        assert_eq!(parse_utc("20260105").map(format_utc).as_deref(), Some("20260105T000000Z"));
        assert_eq!(parse_utc("2026x105"), None);
    }
}
