//! The directory address book: the organisation's global address list
//! ([`mailbox::Directory`]) as a read-only CardDAV address book at
//! `<prefix>/addressbooks/<user>/directory/`, in the spirit of the CardDAV
//! directory gateway extension (draft-daboo-carddav-directory-gateway-02:
//! `CARDDAV:directory-gateway` on the principal, `CARDDAV:directory` in
//! the collection's resource type).
//!
//! * PROPFIND depth 1 lists no entries unless
//!   [`crate::DavConfig::directory_list_limit`] allows a few (small GALs);
//!   clients search with addressbook-query (RFC 6352 §8.6), which becomes
//!   [`mailbox::Directory::search`] on the text of the filter's
//!   text-matches (FN and N → names, EMAIL, NICKNAME, TEL, ORG), capped at
//!   [`crate::DavConfig::directory_search_limit`]. The directory's hits are
//!   filtered again with the exact RFC 6352 §10.5 semantics on the
//!   rendered card.
//! * A filter the directory cannot search at all is refused with 403 and
//!   `CARDDAV:supported-filter` (RFC 6352 §8.6, §10.5). An `anyof` filter of
//!   which only some members can be searched, a result over the cap, and
//!   a query without text (a listing) answer what they can plus a 507
//!   response for the collection with `DAV:number-of-matches-within-limits`
//!   (RFC 6352 §8.6.2, RFC 5842-style truncation).
//! * GET and addressbook-multiget serve entries as vCard 3.0 or 4.0 (the
//!   same negotiation as the personal address books), with PHOTO when the
//!   directory has one. Entries are named by the base64url of their
//!   directory id with `.vcf`; the ETag is the entry's content version.
//! * PUT, DELETE, PROPPATCH and anything else that writes: 403 with
//!   `DAV:need-privileges` (RFC 3744 §7.1.1); the current-user-privilege-set
//!   is read only.

mod vcard;

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use convert::vcard::VcardVersion;
use mailbox::{Directory, DirectoryEntry, DirectoryId, DirectoryQuery, DirectorySearch, SearchField};

use crate::Session;
use crate::methods::{PropRequest, multistatus, parse_body, precondition};
use crate::path::{Home, Target, encode};
use crate::props::quote;
use crate::xml::{self, CARDDAV, DAV, Element, element, empty_element, escape};

/// The collection segment under the address book home. Never the hex of
/// a folder id (it has non-hex letters), so it cannot collide with one.
pub(crate) const SEGMENT: &str = "directory";
/// The collection's display name.
const DISPLAY_NAME: &str = "Global Address List";
/// The vCard file extension of entry names.
const EXTENSION: &str = ".vcf";

/// Whether `target` is the directory collection or one of its entries.
pub(crate) fn owns(target: &Target) -> bool {
    matches!(target,
        Target::Collection { home: Home::AddressBooks, folder, .. } | Target::Item { home: Home::AddressBooks, folder, .. }
        if folder == SEGMENT)
}

/// The directory collection's href.
pub(crate) fn collection_href(s: &Session) -> String {
    format!("{}{SEGMENT}/", s.home_href(Home::AddressBooks))
}

/// The `<d:response>` of the directory collection as a child of the
/// address book home (PROPFIND depth 1 there), or nothing when the account
/// has no directory.
pub(crate) fn home_child(s: &Session, request: &PropRequest) -> String {
    match s.account.directory() {
        Some(_) => response(s, &collection_href(s), None, request, VcardVersion::V3),
        None => String::new(),
    }
}

/// Answers a request on the directory collection or an entry.
pub(crate) async fn handle(s: &Session, method: &str, target: &Target, headers: &HeaderMap, body: &Bytes) -> Response {
    let Some(directory) = s.account.directory() else {
        return (StatusCode::NOT_FOUND, "this account has no directory\n").into_response();
    };
    let name = match target {
        Target::Item { name, .. } => Some(name.as_str()),
        _ => None,
    };
    let d = Gal { s, directory };
    let answer = match (method, name) {
        ("PROPFIND", _) => d.propfind(name, headers, body).await,
        ("REPORT", _) => d.report(body).await,
        ("GET" | "HEAD", Some(name)) => d.get(name, headers, method == "HEAD").await,
        ("GET" | "HEAD", None) => {
            Err((StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "OPTIONS, PROPFIND, REPORT")]).into_response())
        }
        ("PUT", _) => Err(need_privilege(&d.href(name), "write-content")),
        ("DELETE", Some(_)) => Err(need_privilege(&collection_href(s), "unbind")),
        ("PROPPATCH", _) => Err(need_privilege(&d.href(name), "write-properties")),
        _ => Err(need_privilege(&d.href(name), "write")),
    };
    answer.unwrap_or_else(|r| r)
}

/// RFC 3744 §7.1.1: 403 naming the privilege the user lacks.
fn need_privilege(href: &str, privilege: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error {}><d:need-privileges><d:resource><d:href>{}</d:href>\
         <d:privilege><d:{privilege}/></d:privilege></d:resource></d:need-privileges>\
         <d:responsedescription>the directory is read-only</d:responsedescription></d:error>",
        xml::NS_DECLS,
        escape(href)
    );
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response()
}

/// The entry name of a directory id: base64url (no padding) plus `.vcf`.
pub(crate) fn entry_name(id: &DirectoryId) -> String {
    format!("{}{EXTENSION}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_str()))
}

/// The directory id of an entry name; `None` for a name we never gave.
fn entry_id(name: &str) -> Option<DirectoryId> {
    let stem = name.strip_suffix(EXTENSION)?;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(stem).ok()?;
    String::from_utf8(raw).ok().map(DirectoryId::new)
}

/// One request's view of the directory.
struct Gal<'a> {
    s: &'a Session,
    directory: Arc<dyn Directory>,
}

type Answer = Result<Response, Response>;

impl Gal<'_> {
    fn href(&self, name: Option<&str>) -> String {
        format!("{}{}", collection_href(self.s), name.map(encode).unwrap_or_default())
    }

    fn config(&self) -> &crate::DavConfig {
        &self.s.shared.config
    }

    async fn entry(&self, name: &str) -> Result<Option<DirectoryEntry>, Response> {
        let Some(id) = entry_id(name) else { return Ok(None) };
        self.directory.get(&id).await.map_err(|e| self.s.fail(&e))
    }

    /// PROPFIND (RFC 4918 §9.1) of the collection (depth 1: at most the
    /// listing cap of entries) or of one entry.
    async fn propfind(&self, name: Option<&str>, headers: &HeaderMap, body: &Bytes) -> Answer {
        let depth0 = headers.get("depth").and_then(|v| v.to_str().ok()).is_some_and(|d| d.trim() == "0");
        let request = if body.iter().all(u8::is_ascii_whitespace) {
            PropRequest::All
        } else {
            let root = parse_body(body)?;
            if !root.is(DAV, "propfind") {
                return Err((StatusCode::BAD_REQUEST, "expected DAV:propfind\n").into_response());
            }
            PropRequest::from_parent(&root)
        };
        if let Some(name) = name {
            let entry = self.entry(name).await?.ok_or_else(|| StatusCode::NOT_FOUND.into_response())?;
            return Ok(multistatus(&response(
                self.s,
                &self.href(Some(name)),
                Some(&entry),
                &request,
                VcardVersion::V3,
            )));
        }
        let mut out = response(self.s, &self.href(None), None, &request, VcardVersion::V3);
        let cap = self.config().directory_list_limit;
        if !depth0 && cap > 0 {
            let listed = self.directory.list(cap).await.map_err(|e| self.s.fail(&e))?;
            for e in &listed.entries {
                out.push_str(&response(
                    self.s,
                    &self.href(Some(&entry_name(&e.id))),
                    Some(e),
                    &request,
                    VcardVersion::V3,
                ));
            }
        }
        Ok(multistatus(&out))
    }

    /// REPORT: addressbook-query and addressbook-multiget (RFC 6352 §8.6,
    /// §8.7); nothing else is offered here.
    async fn report(&self, body: &Bytes) -> Answer {
        let root = parse_body(body)?;
        let request = PropRequest::from_parent(&root);
        if root.is(CARDDAV, "addressbook-multiget") {
            return self.multiget(&root, &request).await;
        }
        if !root.is(CARDDAV, "addressbook-query") {
            return Err(precondition(
                StatusCode::FORBIDDEN,
                DAV,
                "supported-report",
                "the directory answers addressbook-query and addressbook-multiget",
            ));
        }
        self.query(&root, &request).await
    }

    async fn multiget(&self, root: &Element, request: &PropRequest) -> Answer {
        let version = data_version(request);
        let mut out = String::new();
        for href in root.children_named(DAV, "href") {
            let raw = href.text.trim();
            let target = crate::path::parse(self.s.prefix(), crate::report::strip_origin(raw)).ok();
            let entry = match &target {
                Some(t @ Target::Item { user, name, .. })
                    if owns(t) && user.eq_ignore_ascii_case(self.s.account.identity()) =>
                {
                    self.entry(name).await?.map(|e| (name.clone(), e))
                }
                _ => None,
            };
            match entry {
                Some((name, e)) => out.push_str(&response(self.s, &self.href(Some(&name)), Some(&e), request, version)),
                None => out.push_str(&crate::props::status_response(raw, "404 Not Found")),
            }
        }
        Ok(multistatus(&out))
    }

    /// addressbook-query: the filter's text-matches become directory
    /// searches; the hits are filtered again exactly.
    async fn query(&self, root: &Element, request: &PropRequest) -> Answer {
        let filter = root.child(CARDDAV, "filter");
        let plan = Plan::of(filter, self.directory.searchable());
        let mut cap = self.config().directory_search_limit;
        // RFC 6352 §8.6.1: the client may ask for fewer.
        if let Some(n) = root.child(CARDDAV, "limit").and_then(|l| l.child(CARDDAV, "nresults")) {
            let asked = n
                .text
                .trim()
                .parse::<usize>()
                .map_err(|_| (StatusCode::BAD_REQUEST, "CARDDAV:nresults is not a number\n").into_response())?;
            cap = cap.min(asked);
        }
        let mut notes = Vec::new();
        let mut found: Vec<DirectoryEntry> = Vec::new();
        let mut truncated = false;
        match &plan {
            Plan::Refuse(why) => {
                return Err(precondition(StatusCode::FORBIDDEN, CARDDAV, "supported-filter", why));
            }
            Plan::List => {
                let cap = cap.min(self.config().directory_list_limit);
                let listed = self.directory.list(cap).await.map_err(|e| self.s.fail(&e))?;
                truncated |= listed.truncated;
                found = listed.entries;
                if cap == 0 {
                    notes.push("the directory is not listed; search it by name, email address or nickname".to_owned());
                }
            }
            Plan::Search { queries, ignored } => {
                let mut seen = HashSet::new();
                for q in queries {
                    let DirectorySearch { entries, truncated: more } =
                        self.directory.search(q, cap).await.map_err(|e| self.s.fail(&e))?;
                    truncated |= more;
                    found.extend(entries.into_iter().filter(|e| seen.insert(e.id.clone())));
                }
                if !ignored.is_empty() {
                    notes.push(format!(
                        "the directory cannot search {}; those conditions were not applied",
                        ignored.join(", ")
                    ));
                }
            }
        }
        let version = data_version(request);
        let mut out = String::new();
        let mut kept = 0usize;
        for e in &found {
            let name = entry_name(&e.id);
            // The exact filter runs on the card as a vCard 4 client would see it.
            if let Some(f) = filter
                && !crate::report::card_matches(f, &vcard::render(e, stem(&name), VcardVersion::V4))
            {
                continue;
            }
            if kept == cap {
                truncated = true;
                break;
            }
            kept += 1;
            out.push_str(&response(self.s, &self.href(Some(&name)), Some(e), request, version));
        }
        if truncated {
            notes.insert(0, format!("only the first {cap} matches are returned; refine the search"));
        }
        if !notes.is_empty() {
            // RFC 6352 §8.6.2: a truncated answer says so for the request-URI.
            out.push_str(&format!(
                "<d:response><d:href>{}</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status>\
                 <d:error><d:number-of-matches-within-limits/></d:error>\
                 <d:responsedescription>{}</d:responsedescription></d:response>",
                escape(&self.href(None)),
                escape(&notes.join("; "))
            ));
        }
        Ok(multistatus(&out))
    }

    async fn get(&self, name: &str, headers: &HeaderMap, head: bool) -> Answer {
        let entry = self.entry(name).await?.ok_or_else(|| StatusCode::NOT_FOUND.into_response())?;
        let version = crate::methods::accepted_version(headers);
        let text = vcard::render(&entry, stem(name), version);
        let mut r = if head { ().into_response() } else { text.into_response() };
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(version)));
        if let Ok(v) = HeaderValue::from_str(&quote(&entry.version())) {
            h.insert(header::ETAG, v);
        }
        Ok(r)
    }
}

fn stem(name: &str) -> &str {
    name.strip_suffix(EXTENSION).unwrap_or(name)
}

fn content_type(version: VcardVersion) -> &'static str {
    match version {
        VcardVersion::V3 => "text/vcard; charset=utf-8; version=3.0",
        VcardVersion::V4 => "text/vcard; charset=utf-8; version=4.0",
    }
}

/// The vCard version an `address-data` element asks for (RFC 6352 §10.4).
fn data_version(request: &PropRequest) -> VcardVersion {
    match request {
        PropRequest::Props(props) => props
            .iter()
            .find(|p| p.is(CARDDAV, "address-data"))
            .and_then(|p| p.attr("version"))
            .and_then(VcardVersion::from_version_param)
            .unwrap_or(VcardVersion::V3),
        _ => VcardVersion::V3,
    }
}

/// How an addressbook-query is answered.
#[derive(Debug, PartialEq)]
enum Plan {
    /// No text to search: a (capped) listing.
    List,
    /// These searches; `ignored` names vCard properties of an `anyof`
    /// filter the directory cannot search.
    Search { queries: Vec<DirectoryQuery>, ignored: Vec<String> },
    /// 403 supported-filter, with the reason.
    Refuse(String),
}

impl Plan {
    /// RFC 6352 §10.5: a filter's prop-filters, `anyof` unless `test="allof"`.
    fn of(filter: Option<&Element>, searchable: &[SearchField]) -> Self {
        let Some(filter) = filter else { return Self::List };
        let all = filter.attr("test").is_some_and(|t| t.eq_ignore_ascii_case("allof"));
        let mut queries = Vec::new();
        let mut ignored = Vec::new();
        let mut any = false;
        for pf in filter.children_named(CARDDAV, "prop-filter") {
            any = true;
            let name = pf.attr("name").unwrap_or("").to_ascii_uppercase();
            match search_of(pf, &name, searchable) {
                Some(qs) => queries.extend(qs),
                None => ignored.push(name),
            }
        }
        if !any {
            return Self::List;
        }
        if queries.is_empty() {
            return Self::Refuse(format!(
                "the directory can only search {} by text",
                "FN, N, EMAIL and NICKNAME (and TEL, ORG where the directory supports it)"
            ));
        }
        // allof: one searchable member bounds the result, the others are
        // checked on the hits, so nothing is lost.
        if all {
            ignored.clear();
            queries.truncate(1);
        }
        Self::Search { queries, ignored }
    }
}

/// The searches one prop-filter stands for; `None` when the directory
/// cannot answer it (unknown property, unsearchable field, negated or
/// suffix match, existence tests, parameter filters).
fn search_of(pf: &Element, name: &str, searchable: &[SearchField]) -> Option<Vec<DirectoryQuery>> {
    let field = match name {
        "FN" | "N" => SearchField::Name,
        "EMAIL" => SearchField::Email,
        "NICKNAME" => SearchField::Nickname,
        "TEL" => SearchField::Phone,
        "ORG" => SearchField::Organization,
        _ => return None,
    };
    if !searchable.contains(&field) || pf.child(CARDDAV, "param-filter").is_some() {
        return None;
    }
    let matches: Vec<&Element> = pf.children_named(CARDDAV, "text-match").collect();
    if matches.is_empty() {
        return None;
    }
    let all = pf.attr("test").is_some_and(|t| t.eq_ignore_ascii_case("allof"));
    let mut out = Vec::new();
    for tm in matches {
        let negated = tm.attr("negate-condition").is_some_and(|n| n == "yes");
        let kind = tm.attr("match-type").unwrap_or("contains");
        let text = tm.text.trim();
        if negated || kind == "ends-with" || text.is_empty() {
            if all {
                continue;
            }
            return None;
        }
        out.push(DirectoryQuery { text: text.to_owned(), fields: vec![field] });
    }
    if all {
        out.truncate(1);
    }
    (!out.is_empty()).then_some(out)
}

/// One `<d:response>` of the collection (`entry` None) or an entry.
fn response(
    s: &Session,
    href: &str,
    entry: Option<&DirectoryEntry>,
    request: &PropRequest,
    version: VcardVersion,
) -> String {
    let names: Vec<Element> = property_names(entry.is_some())
        .into_iter()
        .map(|(ns, name)| Element { ns: ns.into(), name: name.into(), ..Element::default() })
        .collect();
    let (props, names_only) = match request {
        PropRequest::All => (&names[..], false),
        PropRequest::Names => (&names[..], true),
        PropRequest::Props(p) => (&p[..], false),
    };
    let mut found = String::new();
    let mut missing = String::new();
    for p in props {
        if names_only {
            found.push_str(&empty_element(&p.ns, &p.name));
            continue;
        }
        match value(s, entry, p, version) {
            Some(v) if v.is_empty() => found.push_str(&empty_element(&p.ns, &p.name)),
            Some(v) => found.push_str(&element(&p.ns, &p.name, &v)),
            None => missing.push_str(&empty_element(&p.ns, &p.name)),
        }
    }
    let mut out = format!("<d:response><d:href>{}</d:href>", escape(href));
    for (props, status) in [(found, "200 OK"), (missing, "404 Not Found")] {
        if !props.is_empty() {
            out.push_str(&format!(
                "<d:propstat><d:prop>{props}</d:prop><d:status>HTTP/1.1 {status}</d:status></d:propstat>"
            ));
        }
    }
    out.push_str("</d:response>");
    out
}

fn property_names(entry: bool) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![(DAV, "resourcetype"), (DAV, "current-user-principal"), (DAV, "current-user-privilege-set")];
    if entry {
        v.extend([(DAV, "getetag"), (DAV, "getcontenttype")]);
    } else {
        v.extend([
            (DAV, "displayname"),
            (DAV, "owner"),
            (DAV, "supported-report-set"),
            (CARDDAV, "addressbook-description"),
            (CARDDAV, "supported-address-data"),
        ]);
    }
    v
}

/// The value (inner XML) of one property; `None`: not defined here.
fn value(s: &Session, entry: Option<&DirectoryEntry>, prop: &Element, version: VcardVersion) -> Option<String> {
    let href = |h: String| format!("<d:href>{}</d:href>", escape(&h));
    Some(match (prop.ns.as_str(), prop.name.as_str(), entry) {
        (DAV, "current-user-principal", _) => href(s.principal_href()),
        (DAV, "current-user-privilege-set", _) => {
            "<d:privilege><d:read/></d:privilege><d:privilege><d:read-current-user-privilege-set/></d:privilege>".into()
        }
        (DAV, "resourcetype", None) => "<d:collection/><card:addressbook/><card:directory/>".into(),
        (DAV, "resourcetype", Some(_)) => String::new(),
        (DAV, "displayname", None) => DISPLAY_NAME.into(),
        (DAV, "owner", None) => href(s.principal_href()),
        (CARDDAV, "addressbook-description", None) => {
            "The organisation's directory: search it by name, email address or nickname".into()
        }
        (DAV, "supported-report-set", None) => [(CARDDAV, "addressbook-query"), (CARDDAV, "addressbook-multiget")]
            .iter()
            .map(|(ns, n)| {
                format!("<d:supported-report><d:report>{}</d:report></d:supported-report>", empty_element(ns, n))
            })
            .collect(),
        (CARDDAV, "supported-address-data", None) => {
            "<card:address-data-type content-type=\"text/vcard\" version=\"3.0\"/>\
             <card:address-data-type content-type=\"text/vcard\" version=\"4.0\"/>"
                .into()
        }
        (DAV, "getetag", Some(e)) => escape(&quote(&e.version())),
        (DAV, "getcontenttype", Some(_)) => content_type(version).into(),
        (DAV, "getcontentlength", Some(e)) => card(e, version).len().to_string(),
        (CARDDAV, "address-data", Some(e)) => {
            let version = prop.attr("version").and_then(VcardVersion::from_version_param).unwrap_or(version);
            escape(&card(e, version))
        }
        _ => return None,
    })
}

fn card(e: &DirectoryEntry, version: VcardVersion) -> String {
    let name = entry_name(&e.id);
    vcard::render(e, stem(&name), version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(xml: &str) -> Element {
        xml::parse(xml.as_bytes()).unwrap_or_default()
    }

    const EXCHANGE: [SearchField; 3] = [SearchField::Name, SearchField::Email, SearchField::Nickname];

    #[test]
    fn names_round_trip_through_base64url() {
        let id = DirectoryId::new("/o=Example/ou=Exchange Administrative Group/cn=Recipients/cn=bob?");
        let name = entry_name(&id);
        assert!(name.ends_with(".vcf") && !name.contains(['/', '+', '=', '?']), "{name}");
        assert_eq!(entry_id(&name), Some(id));
        assert_eq!(entry_id("not base64!.vcf"), None);
        assert_eq!(entry_id("Ym9i"), None, "no extension");
    }

    #[test]
    fn plans_follow_the_filter() {
        let ns = r#"xmlns:C="urn:ietf:params:xml:ns:carddav""#;
        let anyof = filter(&format!(
            r#"<C:filter {ns}><C:prop-filter name="FN"><C:text-match match-type="starts-with">bo</C:text-match></C:prop-filter><C:prop-filter name="TEL"><C:text-match>bo</C:text-match></C:prop-filter></C:filter>"#
        ));
        let Plan::Search { queries, ignored } = Plan::of(Some(&anyof), &EXCHANGE) else { panic!() };
        assert_eq!(queries, [DirectoryQuery { text: "bo".into(), fields: vec![SearchField::Name] }]);
        assert_eq!(ignored, ["TEL"]);
        // With every field searchable nothing is ignored.
        let Plan::Search { queries, ignored } = Plan::of(Some(&anyof), &SearchField::ALL) else { panic!() };
        assert_eq!((queries.len(), ignored.len()), (2, 0));
        let tel_only = filter(&format!(
            r#"<C:filter {ns}><C:prop-filter name="TEL"><C:text-match>555</C:text-match></C:prop-filter></C:filter>"#
        ));
        assert!(matches!(Plan::of(Some(&tel_only), &EXCHANGE), Plan::Refuse(_)));
        let uid = filter(&format!(
            r#"<C:filter {ns}><C:prop-filter name="UID"><C:is-not-defined/></C:prop-filter></C:filter>"#
        ));
        assert!(matches!(Plan::of(Some(&uid), &EXCHANGE), Plan::Refuse(_)));
        let allof = filter(&format!(
            r#"<C:filter {ns} test="allof"><C:prop-filter name="TEL"><C:text-match>5</C:text-match></C:prop-filter><C:prop-filter name="EMAIL"><C:text-match>bob</C:text-match></C:prop-filter></C:filter>"#
        ));
        let Plan::Search { queries, ignored } = Plan::of(Some(&allof), &EXCHANGE) else { panic!() };
        assert_eq!((queries[0].text.as_str(), ignored.len()), ("bob", 0));
        assert_eq!(Plan::of(None, &EXCHANGE), Plan::List);
        assert_eq!(Plan::of(Some(&filter(&format!("<C:filter {ns}/>"))), &EXCHANGE), Plan::List);
    }
}
