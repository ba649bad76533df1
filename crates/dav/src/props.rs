//! Resources and their properties: WebDAV (RFC 4918 §15), current-user-
//! principal (RFC 5397), CalDAV (RFC 4791 §5.2, §6.2), CardDAV (RFC 6352
//! §6.2, §7.1), sync-token (RFC 6578 §4), CS:getctag (CalendarServer).

use std::sync::Arc;

use convert::Message;
use convert::vcard::{VcardRenderOptions, VcardVersion, message_to_vcard};
use mailbox::{ItemCollection, ItemEntry, MailboxError};

use crate::Session;
use crate::path::{Home, encode};
use crate::xml::{CALDAV, CARDDAV, CS, DAV, Element, element, empty_element, escape};

/// A resource a request touches.
pub(crate) enum Resource {
    Root,
    Principal,
    Home(Home),
    Collection { home: Home, coll: Arc<dyn ItemCollection> },
    Item { home: Home, coll: Arc<dyn ItemCollection>, entry: ItemEntry, message: Option<Message> },
}

/// The prefix of sync-token URIs (RFC 6578 §3.2: a token is a URI).
pub(crate) const SYNC_TOKEN_PREFIX: &str = "urn:x-mapibridge:sync:";

impl Session {
    pub(crate) fn prefix(&self) -> &str {
        self.shared.config.prefix.trim_end_matches('/')
    }

    pub(crate) fn principal_href(&self) -> String {
        format!("{}/principals/{}/", self.prefix(), encode(self.account.identity()))
    }

    pub(crate) fn home_href(&self, home: Home) -> String {
        format!("{}/{}/{}/", self.prefix(), home.segment(), encode(self.account.identity()))
    }

    pub(crate) fn collection_href(&self, home: Home, coll: &dyn ItemCollection) -> String {
        format!("{}{}/", self.home_href(home), crate::schedule::collection_segment(coll))
    }

    pub(crate) fn href(&self, res: &Resource) -> String {
        match res {
            Resource::Root => format!("{}/", self.prefix()),
            Resource::Principal => self.principal_href(),
            Resource::Home(h) => self.home_href(*h),
            Resource::Collection { home, coll } => self.collection_href(*home, coll.as_ref()),
            Resource::Item { home, coll, entry, .. } => {
                format!("{}{}", self.collection_href(*home, coll.as_ref()), encode(&entry.name))
            }
        }
    }
}

/// The properties `allprop` and `propname` list for a resource (the
/// object data excluded, RFC 4791 §9.6).
pub(crate) fn names(res: &Resource) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![(DAV, "resourcetype"), (DAV, "current-user-principal")];
    match res {
        Resource::Root => {}
        Resource::Principal => v.extend([
            (DAV, "displayname"),
            (DAV, "principal-URL"),
            (CALDAV, "calendar-home-set"),
            (CARDDAV, "addressbook-home-set"),
            (CALDAV, "calendar-user-address-set"),
        ]),
        Resource::Home(_) => v.extend([(DAV, "displayname"), (DAV, "owner")]),
        Resource::Collection { home, .. } => {
            v.extend([
                (DAV, "displayname"),
                (DAV, "owner"),
                (DAV, "sync-token"),
                (CS, "getctag"),
                (DAV, "supported-report-set"),
                (DAV, "current-user-privilege-set"),
            ]);
            match home {
                Home::Calendars => {
                    v.extend([(CALDAV, "supported-calendar-component-set"), (CALDAV, "supported-calendar-data")]);
                }
                Home::AddressBooks => v.push((CARDDAV, "supported-address-data")),
            }
        }
        Resource::Item { .. } => v.extend([(DAV, "getetag"), (DAV, "getcontenttype")]),
    }
    v
}

/// Whether any asked-for property needs the item's data.
pub(crate) fn needs_data(props: &[Element]) -> bool {
    props
        .iter()
        .any(|p| p.is(CALDAV, "calendar-data") || p.is(CARDDAV, "address-data") || p.is(DAV, "getcontentlength"))
}

/// The value (inner XML) of one property; `Ok(None)`: the resource does
/// not have it (404 in its propstat).
pub(crate) async fn value(s: &Session, res: &Resource, prop: &Element) -> Result<Option<String>, MailboxError> {
    let href = |h: String| format!("<d:href>{}</d:href>", escape(&h));
    let (ns, name) = (prop.ns.as_str(), prop.name.as_str());
    Ok(Some(match (ns, name, res) {
        (DAV, "current-user-principal", _) => href(s.principal_href()),
        (DAV, "resourcetype", Resource::Root | Resource::Home(_)) => "<d:collection/>".into(),
        (DAV, "resourcetype", Resource::Principal) => "<d:collection/><d:principal/>".into(),
        (DAV, "resourcetype", Resource::Collection { home: Home::Calendars, coll }) => {
            crate::schedule::calendar_resourcetype(coll.as_ref()).into()
        }
        (DAV, "resourcetype", Resource::Collection { home: Home::AddressBooks, .. }) => {
            "<d:collection/><card:addressbook/>".into()
        }
        (DAV, "resourcetype", Resource::Item { .. }) => String::new(),
        (DAV, "displayname", Resource::Principal) => escape(s.account.identity()),
        (DAV, "displayname", Resource::Home(Home::Calendars)) => "Calendars".into(),
        (DAV, "displayname", Resource::Home(Home::AddressBooks)) => "Address books".into(),
        (DAV, "displayname", Resource::Collection { coll, .. }) => escape(&coll.info().name),
        (DAV, "owner" | "principal-URL", Resource::Principal | Resource::Home(_) | Resource::Collection { .. }) => {
            href(s.principal_href())
        }
        (CALDAV, "calendar-home-set", Resource::Principal) => href(s.home_href(Home::Calendars)),
        (CARDDAV, "addressbook-home-set", Resource::Principal) => href(s.home_href(Home::AddressBooks)),
        (CALDAV, "calendar-user-address-set", Resource::Principal) => {
            format!("{}{}", href(format!("mailto:{}", s.account.identity())), href(s.principal_href()))
        }
        (DAV, "sync-token", Resource::Collection { coll, .. }) => {
            escape(&format!("{SYNC_TOKEN_PREFIX}{}", coll.sync_token().await?))
        }
        (CS, "getctag", Resource::Collection { coll, .. }) => escape(&coll.sync_token().await?),
        (DAV, "supported-report-set", Resource::Collection { home, .. }) => {
            let report = |ns: &str, n: &str| {
                format!("<d:supported-report><d:report>{}</d:report></d:supported-report>", empty_element(ns, n))
            };
            let mut out = report(DAV, "sync-collection");
            match home {
                Home::Calendars => {
                    out.push_str(&report(CALDAV, "calendar-multiget"));
                    out.push_str(&report(CALDAV, "calendar-query"));
                }
                Home::AddressBooks => {
                    out.push_str(&report(CARDDAV, "addressbook-multiget"));
                    out.push_str(&report(CARDDAV, "addressbook-query"));
                }
            }
            out
        }
        (DAV, "current-user-privilege-set", Resource::Collection { .. } | Resource::Item { .. }) => {
            ["read", "write", "write-content", "write-properties", "bind", "unbind", "read-current-user-privilege-set"]
                .iter()
                .map(|p| format!("<d:privilege><d:{p}/></d:privilege>"))
                .collect()
        }
        (CALDAV, "supported-calendar-component-set", Resource::Collection { coll, .. }) => {
            let comp = if coll.info().kind == mailbox::FolderKind::Tasks { "VTODO" } else { "VEVENT" };
            format!("<c:comp name=\"{comp}\"/>")
        }
        (CALDAV, "supported-calendar-data", Resource::Collection { .. }) => {
            "<c:calendar-data content-type=\"text/calendar\" version=\"2.0\"/>".into()
        }
        (CARDDAV, "supported-address-data", Resource::Collection { .. }) => {
            "<card:address-data-type content-type=\"text/vcard\" version=\"3.0\"/>\
             <card:address-data-type content-type=\"text/vcard\" version=\"4.0\"/>"
                .into()
        }
        (DAV, "getetag", Resource::Item { entry, .. }) => escape(&quote(&entry.etag)),
        (DAV, "getcontenttype", Resource::Item { home, message, .. }) => {
            content_type(*home, message.as_ref(), VcardVersion::V3).into()
        }
        (DAV, "getcontentlength", Resource::Item { home, entry, message: Some(m), .. }) => {
            render(s, *home, &entry.name, m, VcardVersion::V3).map(|t| t.len().to_string()).unwrap_or_default()
        }
        (CALDAV, "calendar-data", Resource::Item { home: Home::Calendars, entry, message: Some(m), .. }) => {
            match render(s, Home::Calendars, &entry.name, m, VcardVersion::V3) {
                Some(t) => escape(&t),
                None => return Ok(None),
            }
        }
        (CARDDAV, "address-data", Resource::Item { home: Home::AddressBooks, entry, message: Some(m), .. }) => {
            let version = prop.attr("version").and_then(VcardVersion::from_version_param).unwrap_or(VcardVersion::V3);
            match render(s, Home::AddressBooks, &entry.name, m, version) {
                Some(t) => escape(&t),
                None => return Ok(None),
            }
        }
        _ => return crate::schedule::prop_value(s, res, prop).await,
    }))
}

/// A strong ETag (RFC 9110 §8.8.3).
pub(crate) fn quote(etag: &str) -> String {
    format!("\"{etag}\"")
}

/// The media type of an item.
pub(crate) fn content_type(home: Home, message: Option<&Message>, version: VcardVersion) -> &'static str {
    match (home, message.is_some_and(|m| m.class_is("IPM.Task")), version) {
        (Home::Calendars, true, _) => "text/calendar; charset=utf-8; component=VTODO",
        (Home::Calendars, false, _) => "text/calendar; charset=utf-8; component=VEVENT",
        (Home::AddressBooks, _, VcardVersion::V3) => "text/vcard; charset=utf-8; version=3.0",
        (Home::AddressBooks, _, VcardVersion::V4) => "text/vcard; charset=utf-8; version=4.0",
    }
}

/// The item as iCalendar or vCard text; `None` when the stored message
/// cannot be rendered (logged).
pub(crate) fn render(s: &Session, home: Home, name: &str, message: &Message, version: VcardVersion) -> Option<String> {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let result = match home {
        Home::Calendars => {
            let opts = convert::ExportOptions {
                default_zone: s.shared.config.default_zone.clone(),
                fallback_uid: stem.to_owned(),
                // Meeting messages (the schedule inbox) are iTIP objects.
                method: convert::ical::itip::method_for_class(&message.class())
                    .filter(|m| *m != "PUBLISH")
                    .map(Into::into),
                ..convert::ExportOptions::default()
            };
            convert::to_ical(&[message], &opts).map_err(|e| e.to_string())
        }
        Home::AddressBooks => {
            let opts = VcardRenderOptions { version, fallback_uid: Some(stem), ..VcardRenderOptions::default() };
            message_to_vcard(message, &opts).map_err(|e| e.to_string())
        }
    };
    result.map_err(|e| tracing::warn!(item = name, error = %e, "item cannot be rendered")).ok()
}

/// One `<d:response>` with the asked-for properties split into 200 and 404
/// propstats (RFC 4918 §14.24).
pub(crate) async fn response(
    s: &Session,
    res: &Resource,
    props: &[Element],
    names_only: bool,
) -> Result<String, MailboxError> {
    let mut found = String::new();
    let mut missing = String::new();
    for p in props {
        if names_only {
            found.push_str(&empty_element(&p.ns, &p.name));
            continue;
        }
        match value(s, res, p).await? {
            Some(v) if v.is_empty() => found.push_str(&empty_element(&p.ns, &p.name)),
            Some(v) => found.push_str(&element(&p.ns, &p.name, &v)),
            None => missing.push_str(&empty_element(&p.ns, &p.name)),
        }
    }
    let mut out = format!("<d:response><d:href>{}</d:href>", escape(&s.href(res)));
    if !found.is_empty() {
        out.push_str(&format!("<d:propstat><d:prop>{found}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>"));
    }
    if !missing.is_empty() {
        out.push_str(&format!(
            "<d:propstat><d:prop>{missing}</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>"
        ));
    }
    if found.is_empty() && missing.is_empty() {
        out.push_str("<d:propstat><d:prop/><d:status>HTTP/1.1 200 OK</d:status></d:propstat>");
    }
    out.push_str("</d:response>");
    Ok(out)
}

/// `<d:response>` with a bare status (a missing multiget href, a removed
/// item in a sync report).
pub(crate) fn status_response(href: &str, status: &str) -> String {
    format!("<d:response><d:href>{}</d:href><d:status>HTTP/1.1 {status}</d:status></d:response>", escape(href))
}

/// The property elements for `allprop`/`propname`.
pub(crate) fn name_elements(res: &Resource) -> Vec<Element> {
    names(res)
        .into_iter()
        .map(|(ns, name)| Element { ns: ns.into(), name: name.into(), ..Element::default() })
        .collect()
}
