//! Autodiscover POX for MAPI over HTTP ([MS-OXDSCLI] 2.2.2–2.2.4, 3.1.4, 4.4; digest
//! §8.1): candidate URLs, the HTTP redirect method, SRV, `redirectAddr`/`redirectUrl`,
//! and the response's `mapiHttp` protocol block.
//!
//! SRV lookups go through [`SrvResolver`]: [`crate::DnsSrvResolver`] asks the system's
//! name servers (or given ones) over UDP; without a resolver that step is skipped.

use std::sync::Arc;

use bytes::Bytes;
use http::Method;
use quick_xml::events::Event;

use crate::config::{BoxFuture, TransportConfig};
use crate::transport::{Endpoint, HttpRequest};
use crate::{Error, Result};

/// Most redirects (address or URL) followed before giving up.
pub const MAX_REDIRECTS: usize = 10;
/// Largest Autodiscover XML accepted.
const MAX_XML: usize = 1024 * 1024;
/// Request schema namespace ([MS-OXDSCLI] 2.2.3).
const REQUEST_SCHEMA: &str = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
/// The response schema we accept ([MS-OXDSCLI] 2.2.4).
const RESPONSE_SCHEMA: &str = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

/// What Autodiscover found for a mailbox.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    /// `User/DisplayName`.
    pub display_name: String,
    /// `User/LegacyDN` (Connect `UserDn`, RopLogon `Essdn`).
    pub legacy_dn: String,
    /// `User/AutoDiscoverSMTPAddress`.
    pub smtp_address: String,
    /// `User/DeploymentId`.
    pub deployment_id: Option<String>,
    /// mapiHttp `MailStore` URL (ExternalUrl, else InternalUrl).
    pub mailstore_url: String,
    /// mapiHttp `AddressBook` URL (ExternalUrl, else InternalUrl).
    pub addressbook_url: String,
    /// The `MailboxId` query value of the MailStore URL.
    pub mailbox_id: Option<String>,
    /// The mapiHttp `Version` attribute.
    pub mapi_http_version: Option<u32>,
    /// `Account/AlternativeMailbox` entries: mailboxes Exchange maps into the
    /// user's profile (automapping of full-access delegates, team mailboxes).
    pub alternative_mailboxes: Vec<AlternativeMailbox>,
}

/// One `AlternativeMailbox` of an Autodiscover answer ([MS-OXDSCLI]
/// 2.2.4.1.1.2.1: `Type`, `DisplayName`, `SmtpAddress`, `OwnerSmtpAddress`,
/// `LegacyDN`, `Server`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlternativeMailbox {
    /// `Type`: `Delegate`, `Archive` or `TeamMailbox`.
    pub kind: String,
    /// `DisplayName`.
    pub display_name: String,
    /// `SmtpAddress`.
    pub smtp_address: String,
    /// `LegacyDN`, when given.
    pub legacy_dn: Option<String>,
}

/// One parsed Autodiscover answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AutodiscoverResponse {
    /// `Action=settings` with a mapiHttp block.
    Settings(Discovery),
    /// `Action=redirectAddr`: ask again for this address.
    RedirectAddr(String),
    /// `Action=redirectUrl`: ask this URL.
    RedirectUrl(String),
    /// `Response/Error` or settings without a mapiHttp block.
    Error(String),
}

/// Resolves `_autodiscover._tcp.<domain>` SRV records to (host, port), best first.
pub trait SrvResolver: Send + Sync {
    /// The targets of an SRV name.
    fn resolve(&self, name: &str) -> BoxFuture<'_, Vec<(String, u16)>>;
}

/// The Autodiscover request body ([MS-OXDSCLI] 2.2.3), byte for byte as captures
/// 001/002 (CR LF line ends).
pub fn request_body(email: &str) -> String {
    let email = xml_escape(email);
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Autodiscover xmlns=\"{REQUEST_SCHEMA}\">\r\n  <Request>\r\n    <EMailAddress>{email}</EMailAddress>\r\n    <AcceptableResponseSchema>{RESPONSE_SCHEMA}</AcceptableResponseSchema>\r\n  </Request>\r\n</Autodiscover>\r\n"
    )
}

/// The standard candidate URLs for a domain, in the order tried ([MS-OXDSCLI] 3.1.5).
pub fn candidate_urls(domain: &str) -> Vec<String> {
    vec![
        format!("https://{domain}/autodiscover/autodiscover.xml"),
        format!("https://autodiscover.{domain}/autodiscover/autodiscover.xml"),
    ]
}

/// Runs Autodiscover for `email`: the two HTTPS candidates, the HTTP redirect method,
/// then SRV (if a resolver is given); follows redirects up to [`MAX_REDIRECTS`].
pub async fn discover(
    email: &str,
    transport: &TransportConfig,
    srv: Option<Arc<dyn SrvResolver>>,
) -> Result<Discovery> {
    discover_from(None, email, transport, srv).await
}

/// [`discover`] starting at the given URLs instead of the domain's candidates (a known
/// entry point such as Exchange Online's
/// `https://outlook.office365.com/autodiscover/autodiscover.xml`). After a
/// `redirectAddr` the new address's standard candidates are used.
pub async fn discover_from(
    start: Option<Vec<String>>,
    email: &str,
    transport: &TransportConfig,
    srv: Option<Arc<dyn SrvResolver>>,
) -> Result<Discovery> {
    let mut email = email.to_owned();
    let mut redirects = 0usize;
    let mut start = start;
    'address: loop {
        let domain = email
            .rsplit_once('@')
            .map(|(_, d)| d.to_owned())
            .ok_or_else(|| Error::Config(format!("not an e-mail address: {email}")))?;
        let mut urls = start.take().unwrap_or_else(|| candidate_urls(&domain));
        let mut tried_redirect_method = false;
        let mut tried_srv = false;
        let mut last_error = String::from("no candidate answered");
        while let Some(url) = (!urls.is_empty()).then(|| urls.remove(0)) {
            match ask(&url, &email, transport).await {
                Ok(AutodiscoverResponse::Settings(d)) => return Ok(d),
                Ok(AutodiscoverResponse::RedirectAddr(addr)) => {
                    redirects += 1;
                    if redirects > MAX_REDIRECTS {
                        return Err(Error::Autodiscover("too many redirects".into()));
                    }
                    email = addr;
                    continue 'address;
                }
                Ok(AutodiscoverResponse::RedirectUrl(next)) => {
                    redirects += 1;
                    if redirects > MAX_REDIRECTS {
                        return Err(Error::Autodiscover("too many redirects".into()));
                    }
                    if !next.starts_with("https://") && !is_loopback_url(&next) {
                        return Err(Error::Autodiscover(format!("refusing non-HTTPS redirect {next}")));
                    }
                    urls.insert(0, next);
                }
                Ok(AutodiscoverResponse::Error(e)) => last_error = e,
                Err(e @ Error::Auth(_)) => return Err(e),
                Err(e) => last_error = e.to_string(),
            }
            if urls.is_empty() && !tried_redirect_method {
                tried_redirect_method = true;
                if let Some(next) = redirect_method(&domain, transport).await {
                    urls.push(next);
                }
            }
            if urls.is_empty() && !tried_srv {
                tried_srv = true;
                if let Some(resolver) = &srv {
                    for (host, port) in resolver.resolve(&format!("_autodiscover._tcp.{domain}")).await {
                        urls.push(format!("https://{host}:{port}/autodiscover/autodiscover.xml"));
                    }
                }
            }
        }
        return Err(Error::Autodiscover(last_error));
    }
}

/// Asks one URL (no redirect following): POST with `X-MapiHttpCapability: 1` and
/// `X-AnchorMailbox`.
pub async fn ask(url: &str, email: &str, transport: &TransportConfig) -> Result<AutodiscoverResponse> {
    let endpoint = Endpoint::new(url, transport.clone())?;
    let req = HttpRequest {
        kind: mapi_wire::http::RequestKind::Ping,
        headers: vec![
            ("Content-Type", "text/xml; charset=utf-8".to_owned()),
            ("X-MapiHttpCapability", "1".to_owned()),
            ("X-AnchorMailbox", email.to_owned()),
        ],
        cookie: None,
        body: Bytes::from(request_body(email)),
        deadline: None,
        method: Method::POST,
        plain: true,
        anonymous: false,
    };
    let reply = endpoint.send(&req).await?;
    let body = reply.framed.non_mapi_body.unwrap_or_default();
    match reply.status {
        200 => parse_response(&body),
        301 | 302 | 307 | 308 => match reply.location {
            Some(l) => Ok(AutodiscoverResponse::RedirectUrl(l)),
            None => Ok(AutodiscoverResponse::Error("redirect without Location".into())),
        },
        s => Ok(AutodiscoverResponse::Error(format!("HTTP {s} from {url}"))),
    }
}

/// The HTTP redirect method ([MS-OXDSCLI] 3.1.5.2): unauthenticated GET on
/// `http://autodiscover.<domain>/autodiscover/autodiscover.xml`; an HTTPS `Location`
/// in a 302 is the next candidate.
async fn redirect_method(domain: &str, transport: &TransportConfig) -> Option<String> {
    let url = format!("http://autodiscover.{domain}/autodiscover/autodiscover.xml");
    let mut cfg = transport.clone();
    // No credentials over plain HTTP: an empty Basic user is never sent because the
    // GET carries no Authorization header below (plain mode, 401 is the end).
    cfg.anchor_mailbox = None;
    let endpoint = Endpoint::new(&url, cfg).ok()?;
    let req = HttpRequest {
        kind: mapi_wire::http::RequestKind::Ping,
        headers: Vec::new(),
        cookie: None,
        body: Bytes::new(),
        deadline: None,
        method: Method::GET,
        plain: true,
        anonymous: true,
    };
    let reply = endpoint.send(&req).await.ok()?;
    match reply.status {
        301 | 302 | 307 | 308 => reply.location.filter(|l| l.starts_with("https://")),
        _ => None,
    }
}

/// Parses an Autodiscover response document ([MS-OXDSCLI] 2.2.4).
///
/// A field's value is all the character data of its element: quick-xml reports
/// text, entity and character references (`&amp;`, `&#233;`) and CDATA sections as
/// separate events, so they are joined before the element ends. Whitespace around
/// the whole value is layout and is trimmed; whitespace inside it is kept.
pub fn parse_response(xml: &[u8]) -> Result<AutodiscoverResponse> {
    if xml.len() > MAX_XML {
        return Err(Error::Protocol("Autodiscover response too large".into()));
    }
    let malformed = |e: &dyn std::fmt::Display| Error::Protocol(format!("Autodiscover XML: {e}"));
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut path: Vec<String> = Vec::new();
    let mut fields = Fields::default();
    // Character data of the innermost open element; bounded by MAX_XML.
    let mut text = String::new();
    let mut buf = Vec::new();
    loop {
        let ev = reader.read_event_into(&mut buf).map_err(|e| malformed(&e))?;
        match ev {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if name == "Protocol" {
                    fields.in_mapi_http = false;
                    for a in e.attributes().flatten() {
                        let value = a.unescape_value().map(|v| v.into_owned()).unwrap_or_default();
                        match a.key.local_name().as_ref() {
                            b"Type" if value.eq_ignore_ascii_case("mapiHttp") => fields.in_mapi_http = true,
                            b"Version" => fields.discovery.mapi_http_version = value.parse().ok(),
                            _ => {}
                        }
                    }
                }
                if name == "AlternativeMailbox" {
                    fields.discovery.alternative_mailboxes.push(AlternativeMailbox::default());
                }
                if path.len() > 32 {
                    return Err(Error::Protocol("Autodiscover XML nested too deeply".into()));
                }
                path.push(name);
                text.clear();
            }
            Event::End(_) => {
                fields.assign(&path, text.trim_matches(is_xml_space));
                path.pop();
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content().map_err(|e| malformed(&e))?),
            Event::CData(c) => text.push_str(&c.xml10_content().map_err(|e| malformed(&e))?),
            Event::GeneralRef(r) => {
                if let Some(ch) = r.resolve_char_ref().map_err(|e| malformed(&e))? {
                    text.push(ch);
                } else {
                    let name = r.decode().map_err(|e| malformed(&e))?;
                    // Autodiscover documents carry no DTD, so only XML's own five entities exist.
                    let value = quick_xml::escape::resolve_xml_entity(&name)
                        .ok_or_else(|| Error::Protocol(format!("Autodiscover XML: undefined entity &{name};")))?;
                    text.push_str(value);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    fields.finish()
}

/// The values collected while reading an Autodiscover answer.
#[derive(Default)]
struct Fields {
    discovery: Discovery,
    action: String,
    redirect_addr: Option<String>,
    redirect_url: Option<String>,
    error: Option<String>,
    in_mapi_http: bool,
    mailstore_external: Option<String>,
    mailstore_internal: Option<String>,
    addressbook_external: Option<String>,
    addressbook_internal: Option<String>,
}

impl Fields {
    /// Stores the text of the element that ends at the top of `path`.
    fn assign(&mut self, path: &[String], text: &str) {
        let text = text.to_owned();
        let d = &mut self.discovery;
        let tail: Vec<&str> = path.iter().rev().take(3).map(String::as_str).collect();
        match tail.as_slice() {
            ["DisplayName", "User", ..] => d.display_name = text,
            ["LegacyDN", "User", ..] => d.legacy_dn = text,
            ["AutoDiscoverSMTPAddress", "User", ..] => d.smtp_address = text,
            ["DeploymentId", "User", ..] => d.deployment_id = Some(text),
            ["Action", "Account", ..] => self.action = text,
            [field, "AlternativeMailbox", ..] => {
                if let Some(alt) = d.alternative_mailboxes.last_mut() {
                    match *field {
                        "Type" => alt.kind = text,
                        "DisplayName" => alt.display_name = text,
                        "SmtpAddress" => alt.smtp_address = text,
                        "LegacyDN" => alt.legacy_dn = Some(text),
                        _ => {}
                    }
                }
            }
            ["RedirectAddr", "Account", ..] => self.redirect_addr = Some(text),
            ["RedirectUrl", "Account", ..] => self.redirect_url = Some(text),
            ["Message", "Error", ..] => self.error = Some(text),
            ["ExternalUrl", "MailStore", "Protocol"] if self.in_mapi_http => self.mailstore_external = Some(text),
            ["InternalUrl", "MailStore", "Protocol"] if self.in_mapi_http => self.mailstore_internal = Some(text),
            ["ExternalUrl", "AddressBook", "Protocol"] if self.in_mapi_http => self.addressbook_external = Some(text),
            ["InternalUrl", "AddressBook", "Protocol"] if self.in_mapi_http => self.addressbook_internal = Some(text),
            _ => {}
        }
    }

    /// Decides what the answer says: a redirect first, then an error, then the settings.
    fn finish(self) -> Result<AutodiscoverResponse> {
        if self.action.eq_ignore_ascii_case("redirectAddr")
            && let Some(a) = self.redirect_addr
        {
            return Ok(AutodiscoverResponse::RedirectAddr(a));
        }
        if self.action.eq_ignore_ascii_case("redirectUrl")
            && let Some(u) = self.redirect_url
        {
            return Ok(AutodiscoverResponse::RedirectUrl(u));
        }
        if let Some(e) = self.error {
            return Ok(AutodiscoverResponse::Error(e));
        }
        let mailstore = self.mailstore_external.or(self.mailstore_internal);
        let addressbook = self.addressbook_external.or(self.addressbook_internal);
        match (mailstore, addressbook) {
            (Some(ms), Some(ab)) => {
                let mut d = self.discovery;
                d.mailbox_id = mailbox_id(&ms);
                d.mailstore_url = ms;
                d.addressbook_url = ab;
                Ok(AutodiscoverResponse::Settings(d))
            }
            _ => Ok(AutodiscoverResponse::Error("no mapiHttp protocol block (server without MAPI over HTTP?)".into())),
        }
    }
}

/// The `MailboxId` query parameter of a MailStore URL.
pub fn mailbox_id(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|kv| {
        kv.split_once('=').filter(|(k, _)| k.eq_ignore_ascii_case("MailboxId")).map(|(_, v)| v.to_owned())
    })
}

/// `http://127.0.0.1…`/`http://localhost…`/`http://[::1]…`: plain HTTP is accepted only
/// for loopback test servers.
fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// XML's own whitespace (XML 1.0 §2.3 `S`); other Unicode spaces are part of a value.
fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn xml_escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}
