//! REPORT (RFC 3253 §3.6): calendar-multiget and calendar-query (RFC 4791
//! §7.8, §7.9), addressbook-multiget and addressbook-query (RFC 6352 §8.6,
//! §8.7), sync-collection (RFC 6578 §3).

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use convert::Message;
use convert::vcard::VcardVersion;
use mailbox::{Candidate, ItemCollection, ItemQuery};
use mapi_wire::prop_value::FileTime;
use mapi_wire::tags::PidLid;

use crate::Session;
use crate::methods::{Answer, PropRequest, multistatus, parse_body, precondition};
use crate::path::{Home, Target};
use crate::props::{self, Resource, SYNC_TOKEN_PREFIX};
use crate::xml::{self, CALDAV, CARDDAV, DAV, Element};

#[path = "query_narrow.rs"]
mod narrow;

/// Most occurrences looked at per series when testing a time range.
const OCCURRENCE_PROBE: usize = 1;

/// Dispatches on the REPORT body's root element.
pub(crate) async fn report(s: &Session, target: &Target, _headers: &HeaderMap, body: &Bytes) -> Answer {
    let root = parse_body(body)?;
    let request = PropRequest::from_parent(&root);
    let bad = |why: &str| Err((StatusCode::BAD_REQUEST, format!("{why}\n")).into_response());
    let (home, folder) = match target {
        Target::Collection { home, folder, .. } => (*home, folder.as_str()),
        Target::Item { home, folder, .. }
            if root.is(CALDAV, "calendar-multiget") || root.is(CARDDAV, "addressbook-multiget") =>
        {
            (*home, folder.as_str())
        }
        _ => return Err(precondition(StatusCode::FORBIDDEN, DAV, "supported-report", "REPORT on a collection only")),
    };
    let coll = s.collection(home, folder).await?;
    match (root.ns.as_str(), root.name.as_str(), home) {
        (CALDAV, "calendar-multiget", Home::Calendars) | (CARDDAV, "addressbook-multiget", Home::AddressBooks) => {
            multiget(s, home, &root, &request).await
        }
        (CALDAV, "calendar-query", Home::Calendars) => {
            let filter = root.child(CALDAV, "filter").ok_or(()).or_else(|()| bad("calendar-query without filter"))?;
            let needs_text = has_descendant(filter, CALDAV, "prop-filter");
            let narrowed = narrow::calendar(filter);
            query(s, home, &coll, &request, needs_text, &narrowed, |m, text| calendar_matches(filter, m, text)).await
        }
        (CARDDAV, "addressbook-query", Home::AddressBooks) => {
            let filter = root.child(CARDDAV, "filter");
            let narrowed = narrow::card(filter);
            let keep = |_: &Message, text: &str| filter.is_none_or(|f| card_matches(f, text));
            query(s, home, &coll, &request, true, &narrowed, keep).await
        }
        (DAV, "sync-collection", _) => sync_collection(s, home, &coll, &root, &request).await,
        _ => Err(precondition(StatusCode::FORBIDDEN, DAV, "supported-report", "report not supported here")),
    }
}

/// The items named by `DAV:href`s; unknown ones are 404 (RFC 4791 §7.9).
async fn multiget(s: &Session, home: Home, root: &Element, request: &PropRequest) -> Answer {
    let mut out = String::new();
    for href in root.children_named(DAV, "href") {
        let raw = href.text.trim();
        let path = strip_origin(raw);
        let target = crate::path::parse(s.prefix(), path).ok();
        let found = match &target {
            Some(t @ Target::Item { home: h, user, .. }) if *h == home && user.eq_ignore_ascii_case(&s.owner) => {
                match crate::methods::resource(s, t, request.needs_data()).await {
                    Ok(res) => Some(res),
                    Err(r) if r.status() == StatusCode::NOT_FOUND => None,
                    Err(r) => return Err(r),
                }
            }
            _ => None,
        };
        match found {
            Some(res) => out.push_str(&request.response(s, &res).await?),
            None => out.push_str(&props::status_response(raw, "404 Not Found")),
        }
    }
    Ok(multistatus(&out))
}

/// `http://host/dav/x` → `/dav/x`.
pub(crate) fn strip_origin(href: &str) -> &str {
    match href.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => href,
    }
}

/// Every item of the collection passing `keep(message, rendered text)`.
/// The backend narrows the collection to candidates first when it can
/// (`narrowed`); a candidate whose summary decides the filter (no text
/// condition) is answered without opening it unless its data is asked for.
async fn query(
    s: &Session,
    home: Home,
    coll: &Arc<dyn ItemCollection>,
    request: &PropRequest,
    needs_text: bool,
    narrowed: &ItemQuery,
    keep: impl Fn(&Message, &str) -> bool,
) -> Answer {
    let mut out = String::new();
    let candidates = match coll.candidates(narrowed).await.map_err(|e| s.fail(&e))? {
        Some(c) => c,
        None => coll
            .list()
            .await
            .map_err(|e| s.fail(&e))?
            .into_iter()
            .map(|entry| Candidate { entry, summary: None })
            .collect(),
    };
    for Candidate { entry, summary } in candidates {
        if let Some(summary) = summary.filter(|_| !needs_text) {
            if !keep(&summary, "") {
                continue;
            }
            if !request.needs_data() {
                let res = Resource::Item { home, coll: coll.clone(), entry, message: Some(summary) };
                out.push_str(&request.response(s, &res).await?);
                continue;
            }
        }
        let Some((entry, message)) = coll.get(&entry.name).await.map_err(|e| s.fail(&e))? else { continue };
        // Text filters run on the rendered object; time ranges do not need it.
        let text = if needs_text {
            props::render(s, home, &entry.name, &message, VcardVersion::V4).unwrap_or_default()
        } else {
            String::new()
        };
        if !keep(&message, &text) {
            continue;
        }
        let res = Resource::Item { home, coll: coll.clone(), entry, message: Some(message) };
        out.push_str(&request.response(s, &res).await?);
    }
    Ok(multistatus(&out))
}

fn has_descendant(el: &Element, ns: &str, name: &str) -> bool {
    el.children.iter().any(|c| c.is(ns, name) || has_descendant(c, ns, name))
}

/// CALDAV:filter (RFC 4791 §9.7): VCALENDAR, then VEVENT or VTODO with an
/// optional time-range; a series matches when one of its occurrences
/// overlaps the range.
fn calendar_matches(filter: &Element, message: &Message, text: &str) -> bool {
    let Some(cal) = filter.child(CALDAV, "comp-filter") else { return true };
    if cal.attr("name").is_some_and(|n| !n.eq_ignore_ascii_case("VCALENDAR")) {
        return false;
    }
    let is_task = message.class_is("IPM.Task");
    cal.children_named(CALDAV, "comp-filter").all(|comp| {
        let name = comp.attr("name").unwrap_or("");
        let present = if is_task { name.eq_ignore_ascii_case("VTODO") } else { name.eq_ignore_ascii_case("VEVENT") };
        if comp.child(CALDAV, "is-not-defined").is_some() {
            return !present;
        }
        present
            && comp.child(CALDAV, "time-range").is_none_or(|range| in_range(range, message, is_task))
            && comp.children_named(CALDAV, "prop-filter").all(|pf| prop_filter(CALDAV, pf, text))
    })
}

/// RFC 4791 §9.9: an event matches when one of its occurrences overlaps
/// the range; a task by its start and due (UTC, PidLidCommonStart/End).
fn in_range(range: &Element, message: &Message, is_task: bool) -> bool {
    let from = range.attr("start").and_then(parse_utc).unwrap_or(FileTime(0));
    let to = range.attr("end").and_then(parse_utc).unwrap_or(FileTime(u64::MAX));
    if !is_task {
        return !convert::occurrences(message, from, to, OCCURRENCE_PROBE).is_empty();
    }
    let bag = &message.props;
    let start = bag.named_time(&PidLid::COMMON_START).or_else(|| bag.named_time(&PidLid::TASK_START_DATE));
    let due = bag.named_time(&PidLid::COMMON_END).or_else(|| bag.named_time(&PidLid::TASK_DUE_DATE));
    match (start, due) {
        (Some(s), Some(d)) => (from < d || from <= s) && (to > s || to >= d),
        (Some(s), None) => from <= s && to > s,
        (None, Some(d)) => from < d && to >= d,
        // Neither: every range matches (the table's last row).
        (None, None) => true,
    }
}

/// `20260105T000000Z` (RFC 5545 §3.3.5 UTC form) as a FILETIME.
pub(crate) fn parse_utc(s: &str) -> Option<FileTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (H. Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    FileTime::from_unix_seconds(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// CARDDAV:filter (RFC 6352 §10.5) over the rendered card.
pub(crate) fn card_matches(filter: &Element, card: &str) -> bool {
    let all = filter.attr("test").is_some_and(|t| t.eq_ignore_ascii_case("allof"));
    let mut results = filter.children_named(CARDDAV, "prop-filter").map(|pf| prop_filter(CARDDAV, pf, card));
    if all { results.all(|r| r) } else { results.any(|r| r) }
}

/// One prop-filter (RFC 6352 §10.5.1; RFC 4791 §9.7.2 without
/// param-filter and time-range) over the rendered object: the property is
/// looked up in the whole text, nested components included.
fn prop_filter(ns: &str, pf: &Element, text: &str) -> bool {
    let Some(name) = pf.attr("name") else { return false };
    let values = property_values(text, name);
    if pf.child(ns, "is-not-defined").is_some() {
        return values.is_empty();
    }
    let all = pf.attr("test").is_some_and(|t| t.eq_ignore_ascii_case("allof"));
    let mut matches = pf.children_named(ns, "text-match").map(|tm| values.iter().any(|v| text_match(tm, v)));
    match (pf.children_named(ns, "text-match").next(), all) {
        (None, _) => !values.is_empty(),
        (Some(_), true) => matches.all(|r| r),
        (Some(_), false) => matches.any(|r| r),
    }
}

/// text-match (RFC 6352 §10.5.4, RFC 4791 §9.7.5) with `i;unicode-casemap`
/// (approximated by lower-casing) or `i;octet`.
fn text_match(tm: &Element, value: &str) -> bool {
    let octet = tm.attr("collation").is_some_and(|c| c == "i;octet");
    let fold = |s: &str| if octet { s.to_owned() } else { s.to_lowercase() };
    let (needle, hay) = (fold(&tm.text), fold(value));
    let hit = match tm.attr("match-type").unwrap_or("contains") {
        "equals" => hay == needle,
        "starts-with" => hay.starts_with(&needle),
        "ends-with" => hay.ends_with(&needle),
        _ => hay.contains(&needle),
    };
    hit != tm.attr("negate-condition").is_some_and(|n| n == "yes")
}

/// The values of property `name` in vCard or iCalendar text (unfolded, group prefix
/// and parameters ignored, backslash escapes undone).
fn property_values(card: &str, name: &str) -> Vec<String> {
    let unfolded = card.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "");
    unfolded
        .lines()
        .filter_map(|line| {
            let (head, value) = line.split_once(':')?;
            let prop = head.split(';').next()?;
            let prop = prop.rsplit_once('.').map_or(prop, |(_, p)| p);
            prop.eq_ignore_ascii_case(name).then(|| value.replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n"))
        })
        .collect()
}

/// DAV:sync-collection (RFC 6578 §3.2) at sync-level 1.
async fn sync_collection(
    s: &Session,
    home: Home,
    coll: &Arc<dyn ItemCollection>,
    root: &Element,
    request: &PropRequest,
) -> Answer {
    let given = root.child(DAV, "sync-token").map(|t| t.text.trim()).unwrap_or("");
    let invalid = || precondition(StatusCode::FORBIDDEN, DAV, "valid-sync-token", "sync from scratch");
    let mut out = String::new();
    let token = if given.is_empty() {
        // The token first: a change racing the listing is reported again.
        let token = coll.sync_token().await.map_err(|e| s.fail(&e))?;
        for entry in coll.list().await.map_err(|e| s.fail(&e))? {
            out.push_str(&item_response(s, home, coll, entry.name, request).await?);
        }
        token
    } else {
        let raw = given.strip_prefix(SYNC_TOKEN_PREFIX).ok_or_else(invalid)?;
        let changes = coll.changes_since(raw).await.map_err(|e| s.fail(&e))?.ok_or_else(invalid)?;
        for entry in changes.changed {
            out.push_str(&item_response(s, home, coll, entry.name, request).await?);
        }
        for name in changes.removed {
            let href = format!("{}{}", s.collection_href(home, coll.as_ref()), crate::path::encode(&name));
            out.push_str(&props::status_response(&href, "404 Not Found"));
        }
        changes.token
    };
    out.push_str(&format!("<d:sync-token>{}</d:sync-token>", xml::escape(&format!("{SYNC_TOKEN_PREFIX}{token}"))));
    Ok(multistatus(&out))
}

/// The propstat response of one item (a 404 if it vanished meanwhile).
async fn item_response(
    s: &Session,
    home: Home,
    coll: &Arc<dyn ItemCollection>,
    name: String,
    request: &PropRequest,
) -> Result<String, Response> {
    match coll.get(&name).await.map_err(|e| s.fail(&e))? {
        Some((entry, message)) => {
            let message = request.needs_data().then_some(message);
            request.response(s, &Resource::Item { home, coll: coll.clone(), entry, message }).await
        }
        None => {
            let href = format!("{}{}", s.collection_href(home, coll.as_ref()), crate::path::encode(&name));
            Ok(props::status_response(&href, "404 Not Found"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_times() {
        // 2026-01-05T00:00:00Z = 1767571200.
        assert_eq!(parse_utc("20260105T000000Z"), FileTime::from_unix_seconds(1_767_571_200));
        assert_eq!(parse_utc("20260105T000000"), None);
        assert_eq!(parse_utc("20261305T000000Z"), None);
    }

    #[test]
    fn finds_folded_grouped_values() {
        let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bob\r\n  Builder\r\nitem1.EMAIL;TYPE=work:bob@example.com\r\nEND:VCARD\r\n";
        assert_eq!(property_values(card, "FN"), vec!["Bob Builder".to_owned()]);
        assert_eq!(property_values(card, "email"), vec!["bob@example.com".to_owned()]);
    }
}
