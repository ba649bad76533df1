//! The HTTP methods: OPTIONS, PROPFIND, PROPPATCH, GET/HEAD, PUT, DELETE
//! (RFC 4918, RFC 4791 §5, RFC 6352 §6); REPORT is in [`crate::report`].

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use convert::vcard::{VcardError, VcardParseOptions, VcardVersion, vcard_to_message};
use convert::{IcalError, ImportOptions, Message};
use mailbox::{DeleteOutcome, FolderKind, ItemCollection, MailboxError, PutOutcome, WriteCondition};

use crate::path::{Home, PathError, Target, folder_id, folder_segment};
use crate::props::{self, Resource};
use crate::xml::{self, CALDAV, CARDDAV, DAV, Element, NS_DECLS};
use crate::{Session, backend_error};

/// What OPTIONS advertises (RFC 4918 §10.1, RFC 4791 §5.1, RFC 6352 §6.1).
pub(crate) const DAV_CLASSES: &str = "1, 3, calendar-access, addressbook, calendar-auto-schedule";
const ALLOW: &str = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCALENDAR, POST";

/// Answers one authenticated request.
pub(crate) async fn handle(s: &Session, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path();
    let target = if path == "/" && s.shared.config.serve_root {
        if method.as_str() != "PROPFIND" {
            return StatusCode::NOT_FOUND.into_response();
        }
        Ok(Target::Root)
    } else {
        crate::path::parse(s.prefix(), path)
    };
    let target = match target {
        Ok(t) => t,
        Err(PathError::Traversal) => return (StatusCode::BAD_REQUEST, "invalid path\n").into_response(),
        Err(PathError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
    };
    // Another user's resources: only what the backend lets the user open.
    let scoped = match crate::proxy::scope(s, &target).await {
        Ok(scoped) => scoped,
        Err(r) => return r,
    };
    let s = scoped.as_ref().unwrap_or(s);
    let (parts, body) = request.into_parts();
    // An announced length over the limit is refused before a byte is read
    // (reading up to the limit first would keep a client that never sends
    // the body waiting and hold the connection).
    let announced = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > s.shared.config.max_body as u64) {
        return (StatusCode::PAYLOAD_TOO_LARGE, [(header::CONNECTION, "close")], "request body too large\n")
            .into_response();
    }
    let body = match axum::body::to_bytes(body, s.shared.config.max_body).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n").into_response(),
    };
    if let Some(r) = crate::schedule::intercept(s, &method, &target, &parts.headers, &body).await {
        return r;
    }
    if crate::directory::owns(&target) && s.owns_target() {
        return crate::directory::handle(s, method.as_str(), &target, &parts.headers, &body).await;
    }
    let result = match method.as_str() {
        "OPTIONS" => Ok(options()),
        "PROPFIND" => propfind(s, &target, &parts.headers, &body).await,
        "PROPPATCH" => proppatch(s, &target, &body).await,
        "REPORT" => crate::report::report(s, &target, &parts.headers, &body).await,
        "GET" | "HEAD" => get(s, &target, &parts.headers, method == Method::HEAD).await,
        "PUT" => put(s, &target, &parts.headers, &body).await,
        "DELETE" => delete(s, &target, &parts.headers).await,
        _ => Ok((StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, ALLOW)]).into_response()),
    };
    result.unwrap_or_else(|r| r)
}

/// OPTIONS (also answered without credentials).
pub(crate) fn options() -> Response {
    (StatusCode::OK, [("DAV", DAV_CLASSES), (header::ALLOW.as_str(), ALLOW)]).into_response()
}

/// A failed request, already an answer.
pub(crate) type Answer = Result<Response, Response>;

impl Session {
    pub(crate) fn fail(&self, e: &MailboxError) -> Response {
        backend_error(&self.shared, e)
    }

    /// The user's collections under `home`.
    pub(crate) async fn collections(&self, home: Home) -> Result<Vec<Arc<dyn ItemCollection>>, Response> {
        let folders = crate::proxy::owner_folders(self).await.map_err(|e| self.fail(&e))?;
        let mut out = Vec::new();
        for f in folders.iter().filter(|f| !f.hidden() && kind_matches(home, f.kind)) {
            match self.account.collection(&f.id).await {
                Ok(c) => out.push(c),
                Err(MailboxError::NotPermitted(_) | MailboxError::NoSuchFolder(_) | MailboxError::AccessDenied(_)) => {}
                Err(e) => return Err(self.fail(&e)),
            }
        }
        Ok(out)
    }

    /// The collection whose segment is `folder`.
    /// Opened by the id the segment spells, without listing every folder
    /// first (a listing is a backend round trip per request).
    pub(crate) async fn collection(&self, home: Home, folder: &str) -> Result<Arc<dyn ItemCollection>, Response> {
        if home == Home::Calendars && folder == crate::schedule::INBOX && self.owns_target() {
            return crate::schedule::inbox(self).await;
        }
        let alias = crate::schedule::alias(self.account.identity(), folder);
        let folder = alias.as_deref().unwrap_or(folder);
        if !self.owns_target() {
            let folders = crate::proxy::owner_folders(self).await.map_err(|e| self.fail(&e))?;
            let f = folders
                .iter()
                .find(|f| kind_matches(home, f.kind) && folder_segment(&f.id) == folder)
                .ok_or_else(|| StatusCode::NOT_FOUND.into_response())?;
            return self.account.collection(&f.id).await.map_err(|e| self.fail(&e));
        }
        let not_found = || StatusCode::NOT_FOUND.into_response();
        let id = folder_id(folder).ok_or_else(not_found)?;
        match self.account.collection(&id).await {
            Ok(c) if kind_matches(home, c.info().kind) && c.info().store == mailbox::StoreKind::Own => Ok(c),
            Ok(_) | Err(MailboxError::NoSuchFolder(_) | MailboxError::NotPermitted(_)) => Err(not_found()),
            Err(e) => Err(self.fail(&e)),
        }
    }
}

fn kind_matches(home: Home, kind: FolderKind) -> bool {
    match home {
        Home::Calendars => matches!(kind, FolderKind::Calendar | FolderKind::Tasks),
        Home::AddressBooks => kind == FolderKind::Contacts,
    }
}

/// A 207 multistatus answer.
pub(crate) fn multistatus(inner: &str) -> Response {
    let body = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:multistatus {NS_DECLS}>{inner}</d:multistatus>");
    (StatusCode::MULTI_STATUS, [(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response()
}

/// A failed precondition with its `DAV:error` body (RFC 4918 §16).
pub(crate) fn precondition(status: StatusCode, ns: &str, name: &str, why: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error {NS_DECLS}>{}<d:responsedescription>{}</d:responsedescription></d:error>",
        xml::empty_element(ns, name),
        xml::escape(why)
    );
    (status, [(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response()
}

/// Parses an XML request body; a bad one is 400.
pub(crate) fn parse_body(body: &[u8]) -> Result<Element, Response> {
    xml::parse(body).map_err(|e| (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response())
}

/// The resource at `target`, with the item's message when `with_data`.
pub(crate) async fn resource(s: &Session, target: &Target, with_data: bool) -> Result<Resource, Response> {
    Ok(match target {
        Target::Root => Resource::Root,
        Target::Principal { .. } => Resource::Principal,
        Target::Home { home, .. } => Resource::Home(*home),
        Target::Collection { home, folder, .. } => {
            Resource::Collection { home: *home, coll: s.collection(*home, folder).await? }
        }
        Target::Item { home, folder, name, .. } => {
            let coll = s.collection(*home, folder).await?;
            let (entry, message) =
                coll.get(name).await.map_err(|e| s.fail(&e))?.ok_or_else(|| StatusCode::NOT_FOUND.into_response())?;
            Resource::Item { home: *home, coll, entry, message: with_data.then_some(message) }
        }
    })
}

/// Which properties a PROPFIND or REPORT asks for.
pub(crate) enum PropRequest {
    All,
    Names,
    Props(Vec<Element>),
}

impl PropRequest {
    /// From the children of a `propfind` (or a REPORT's root).
    pub(crate) fn from_parent(parent: &Element) -> Self {
        if parent.child(DAV, "propname").is_some() {
            Self::Names
        } else if let Some(prop) = parent.child(DAV, "prop") {
            Self::Props(prop.children.clone())
        } else {
            Self::All
        }
    }

    pub(crate) fn needs_data(&self) -> bool {
        matches!(self, Self::Props(p) if props::needs_data(p))
    }

    pub(crate) async fn response(&self, s: &Session, res: &Resource) -> Result<String, Response> {
        let r = match self {
            Self::All => props::response(s, res, &props::name_elements(res), false).await,
            Self::Names => props::response(s, res, &props::name_elements(res), true).await,
            Self::Props(p) => props::response(s, res, p, false).await,
        };
        r.map_err(|e| s.fail(&e))
    }
}

/// PROPFIND (RFC 4918 §9.1) at depth 0 or 1 (`infinity` is served as 1).
async fn propfind(s: &Session, target: &Target, headers: &HeaderMap, body: &Bytes) -> Answer {
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
    let with_data = request.needs_data();
    let me = resource(s, target, with_data).await?;
    let mut out = request.response(s, &me).await?;
    if !depth0 {
        let children: Vec<Resource> = match &me {
            Resource::Root => {
                vec![Resource::Principal, Resource::Home(Home::Calendars), Resource::Home(Home::AddressBooks)]
            }
            Resource::Home(home) => {
                s.collections(*home).await?.into_iter().map(|coll| Resource::Collection { home: *home, coll }).collect()
            }
            Resource::Collection { home, coll } => {
                let mut v = Vec::new();
                for entry in coll.list().await.map_err(|e| s.fail(&e))? {
                    let message = if with_data {
                        match coll.get(&entry.name).await.map_err(|e| s.fail(&e))? {
                            Some((_, m)) => Some(m),
                            None => continue,
                        }
                    } else {
                        None
                    };
                    v.push(Resource::Item { home: *home, coll: coll.clone(), entry, message });
                }
                v
            }
            Resource::Principal | Resource::Item { .. } => Vec::new(),
        };
        for child in &children {
            out.push_str(&request.response(s, child).await?);
        }
        if matches!(me, Resource::Home(Home::AddressBooks)) && s.owns_target() {
            out.push_str(&crate::directory::home_child(s, &request));
        }
    }
    Ok(multistatus(&out))
}

/// PROPPATCH (RFC 4918 §9.2): DAV:displayname of a collection renames the
/// folder; other properties are refused (403, the rest 424).
async fn proppatch(s: &Session, target: &Target, body: &Bytes) -> Answer {
    let Target::Collection { home, folder, .. } = target else {
        return Err(StatusCode::FORBIDDEN.into_response());
    };
    let coll = s.collection(*home, folder).await?;
    let root = parse_body(body)?;
    if !root.is(DAV, "propertyupdate") {
        return Err((StatusCode::BAD_REQUEST, "expected DAV:propertyupdate\n").into_response());
    }
    let mut rename = None;
    let mut refused = Vec::new();
    let mut named = Vec::new();
    for op in &root.children {
        let Some(prop) = op.child(DAV, "prop") else { continue };
        for p in &prop.children {
            if op.is(DAV, "set") && p.is(DAV, "displayname") && !p.text.trim().is_empty() && !p.text.contains('/') {
                rename = Some(p.text.trim().to_owned());
                named.push(p.clone());
            } else {
                refused.push(p.clone());
            }
        }
    }
    let list = |v: &[Element]| v.iter().map(|p| xml::empty_element(&p.ns, &p.name)).collect::<String>();
    let propstat = |props: String, status: &str| {
        format!("<d:propstat><d:prop>{props}</d:prop><d:status>HTTP/1.1 {status}</d:status></d:propstat>")
    };
    let mut inner = format!("<d:response><d:href>{}</d:href>", xml::escape(&s.collection_href(*home, coll.as_ref())));
    if refused.is_empty() {
        if let Some(name) = rename {
            let info = coll.info();
            let new_path = match info.path.rsplit_once(s.account.delimiter()) {
                Some((parent, _)) => format!("{parent}{}{name}", s.account.delimiter()),
                None => name,
            };
            let status = match s.account.rename_folder(&info.path, &new_path).await {
                Ok(_) => "200 OK",
                Err(MailboxError::Unavailable(m)) => return Err(s.fail(&MailboxError::Unavailable(m))),
                Err(MailboxError::AlreadyExists(_)) => "409 Conflict",
                Err(_) => "403 Forbidden",
            };
            inner.push_str(&propstat(list(&named), status));
        }
    } else {
        inner.push_str(&propstat(list(&refused), "403 Forbidden"));
        if !named.is_empty() {
            inner.push_str(&propstat(list(&named), "424 Failed Dependency"));
        }
    }
    inner.push_str("</d:response>");
    Ok(multistatus(&inner))
}

/// The vCard version a client asks for with `Accept: text/vcard;
/// version=4.0` (RFC 6352 §5.1.1).
pub(crate) fn accepted_version(headers: &HeaderMap) -> VcardVersion {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    if accept.contains("version=4.0") && !accept.contains("version=3.0") { VcardVersion::V4 } else { VcardVersion::V3 }
}

/// GET/HEAD of an item.
async fn get(s: &Session, target: &Target, headers: &HeaderMap, head: bool) -> Answer {
    let Target::Item { home, .. } = target else {
        return Err(
            (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "OPTIONS, PROPFIND, PROPPATCH, REPORT")]).into_response()
        );
    };
    let Resource::Item { entry, message: Some(message), .. } = resource(s, target, true).await? else {
        return Err(StatusCode::NOT_FOUND.into_response());
    };
    let version = accepted_version(headers);
    let text = props::render(s, *home, &entry.name, &message, version)
        .ok_or_else(|| (StatusCode::INTERNAL_SERVER_ERROR, "item cannot be rendered\n").into_response())?;
    let mut r = if head { Body::empty().into_response() } else { text.into_response() };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(props::content_type(*home, Some(&message), version)));
    if let Ok(v) = HeaderValue::from_str(&props::quote(&entry.etag)) {
        h.insert(header::ETAG, v);
    }
    Ok(r)
}

/// The ETag of an `If-Match`/`If-None-Match` value: `*`, or one strong or
/// weak tag (a list is taken at its first tag).
fn etag_of(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let v = headers.get(name)?.to_str().ok()?.trim();
    let first = v.split(',').next()?.trim();
    let first = first.strip_prefix("W/").unwrap_or(first);
    Some(first.trim_matches('"').to_owned())
}

/// PUT of an item (RFC 4791 §5.3.2, RFC 6352 §6.3.2): converted first, so
/// invalid data writes nothing.
pub(crate) async fn put(s: &Session, target: &Target, headers: &HeaderMap, body: &Bytes) -> Answer {
    let Target::Item { home, folder, name, .. } = target else {
        return Err((StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, ALLOW)]).into_response());
    };
    let coll = s.collection(*home, folder).await?;
    let message = match home {
        Home::Calendars => calendar_object(s, coll.info().kind, body)?,
        Home::AddressBooks => address_object(body)?,
    };
    let condition = match (etag_of(headers, header::IF_MATCH), etag_of(headers, header::IF_NONE_MATCH)) {
        (_, Some(none)) if none == "*" => WriteCondition::IfAbsent,
        (Some(m), _) if m == "*" => match coll.get(name).await.map_err(|e| s.fail(&e))? {
            Some((entry, _)) => WriteCondition::IfMatch(entry.etag),
            None => return Err(StatusCode::PRECONDITION_FAILED.into_response()),
        },
        (Some(m), _) => WriteCondition::IfMatch(m),
        _ => WriteCondition::Always,
    };
    // No ETag in the answer: the stored item is the conversion, not the
    // client's bytes (RFC 4791 §5.3.4); clients fetch it.
    match coll.put(name, message, &condition).await.map_err(|e| s.fail(&e))? {
        PutOutcome::Created(_) => Ok(StatusCode::CREATED.into_response()),
        PutOutcome::Replaced(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        PutOutcome::PreconditionFailed => Err(StatusCode::PRECONDITION_FAILED.into_response()),
    }
}

/// One calendar object resource (RFC 4791 §4.1) of the kind the folder
/// holds.
fn calendar_object(s: &Session, kind: FolderKind, body: &[u8]) -> Result<Message, Response> {
    let opts = ImportOptions {
        default_zone: s.shared.config.default_zone.clone(),
        max_size: s.shared.config.max_body,
        ..ImportOptions::default()
    };
    let forbidden = StatusCode::FORBIDDEN;
    let imported = convert::from_ical(body, &opts).map_err(|e| match e {
        IcalError::TooLarge { .. } => precondition(forbidden, CALDAV, "max-resource-size", &e.to_string()),
        other => precondition(forbidden, CALDAV, "valid-calendar-data", &other.to_string()),
    })?;
    let mut objects = imported.objects;
    if objects.is_empty() {
        return Err(precondition(forbidden, CALDAV, "valid-calendar-data", "no VEVENT or VTODO in the body"));
    }
    if objects.len() != 1 {
        let why = format!("{} calendar objects in one resource", objects.len());
        return Err(precondition(forbidden, CALDAV, "valid-calendar-object-resource", &why));
    }
    let message = objects.remove(0);
    let is_task = message.class_is("IPM.Task");
    if is_task != (kind == FolderKind::Tasks) {
        let why = if is_task { "this calendar holds events" } else { "this calendar holds tasks" };
        return Err(precondition(forbidden, CALDAV, "supported-calendar-component", why));
    }
    Ok(message)
}

/// The calendar object of a PUT body, whatever the folder holds
/// (scheduling reads what it sends from it).
pub(crate) fn calendar_object_of(s: &Session, body: &[u8]) -> Result<Message, Response> {
    let opts = ImportOptions {
        default_zone: s.shared.config.default_zone.clone(),
        max_size: s.shared.config.max_body,
        ..ImportOptions::default()
    };
    let mut objects = convert::from_ical(body, &opts)
        .map_err(|e| precondition(StatusCode::FORBIDDEN, CALDAV, "valid-calendar-data", &e.to_string()))?
        .objects;
    if objects.is_empty() {
        return Err(precondition(StatusCode::FORBIDDEN, CALDAV, "valid-calendar-data", "no calendar object"));
    }
    Ok(objects.remove(0))
}

/// One vCard (RFC 6352 §5.1).
fn address_object(body: &[u8]) -> Result<Message, Response> {
    let forbidden = StatusCode::FORBIDDEN;
    vcard_to_message(body, &VcardParseOptions::default()).map(|i| i.message).map_err(|e| match e {
        VcardError::TooLarge { .. } => precondition(forbidden, CARDDAV, "max-resource-size", &e.to_string()),
        other => precondition(forbidden, CARDDAV, "valid-address-data", &other.to_string()),
    })
}

/// DELETE of an item (collections are not deleted over DAV).
pub(crate) async fn delete(s: &Session, target: &Target, headers: &HeaderMap) -> Answer {
    let Target::Item { home, folder, name, .. } = target else {
        return Err(StatusCode::FORBIDDEN.into_response());
    };
    let coll = s.collection(*home, folder).await?;
    let if_match = etag_of(headers, header::IF_MATCH).filter(|m| m != "*");
    match coll.delete(name, if_match.as_deref()).await.map_err(|e| s.fail(&e))? {
        DeleteOutcome::Deleted => Ok(StatusCode::NO_CONTENT.into_response()),
        DeleteOutcome::NotFound => Err(StatusCode::NOT_FOUND.into_response()),
        DeleteOutcome::PreconditionFailed => Err(StatusCode::PRECONDITION_FAILED.into_response()),
    }
}
