//! [MS-OXCMAPIHTTP] 2.2.3 common request and response headers as typed
//! values: parse from `&str`, format to `String`.

use std::borrow::Cow;

use super::{CONTENT_TYPE_MAPI_HTTP, HeaderError, HttpDate};
use crate::guid::Guid;

/// The endpoint a request type belongs to.
///
/// [MS-OXCMAPIHTTP] 2.2.1 (mailbox server endpoint `/mapi/emsmdb/`, address
/// book server endpoint `/mapi/nspi/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Endpoint {
    /// The mailbox server endpoint (EMSMDB).
    Emsmdb,
    /// The address book server endpoint (NSPI).
    Nspi,
    /// Valid on both endpoints (`PING`).
    Both,
}

/// Every request type [MS-OXCMAPIHTTP] 2.2.3.3.1 X-RequestType names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[allow(missing_docs)] // the variants are the spec's names
pub enum RequestKind {
    Connect,
    Execute,
    Disconnect,
    NotificationWait,
    Ping,
    Bind,
    Unbind,
    CompareMIds,
    DnToMId,
    GetMatches,
    GetPropList,
    GetProps,
    GetSpecialTable,
    GetTemplateInfo,
    ModLinkAtt,
    ModProps,
    QueryColumns,
    QueryRows,
    ResolveNames,
    ResortRestriction,
    SeekEntries,
    UpdateStat,
    GetMailboxUrl,
    GetAddressBookUrl,
}

impl RequestKind {
    /// Every request type, mailbox endpoint first.
    pub const ALL: [Self; 24] = [
        Self::Connect,
        Self::Execute,
        Self::Disconnect,
        Self::NotificationWait,
        Self::Ping,
        Self::Bind,
        Self::Unbind,
        Self::CompareMIds,
        Self::DnToMId,
        Self::GetMatches,
        Self::GetPropList,
        Self::GetProps,
        Self::GetSpecialTable,
        Self::GetTemplateInfo,
        Self::ModLinkAtt,
        Self::ModProps,
        Self::QueryColumns,
        Self::QueryRows,
        Self::ResolveNames,
        Self::ResortRestriction,
        Self::SeekEntries,
        Self::UpdateStat,
        Self::GetMailboxUrl,
        Self::GetAddressBookUrl,
    ];

    /// The header value as [MS-OXCMAPIHTTP] 2.2.3.3.1 spells it (note
    /// `PING`, `CompareMIds`, `DNToMId`).
    pub const fn wire_name(self) -> &'static str {
        match self {
            Self::Connect => "Connect",
            Self::Execute => "Execute",
            Self::Disconnect => "Disconnect",
            Self::NotificationWait => "NotificationWait",
            Self::Ping => "PING",
            Self::Bind => "Bind",
            Self::Unbind => "Unbind",
            Self::CompareMIds => "CompareMIds",
            Self::DnToMId => "DNToMId",
            Self::GetMatches => "GetMatches",
            Self::GetPropList => "GetPropList",
            Self::GetProps => "GetProps",
            Self::GetSpecialTable => "GetSpecialTable",
            Self::GetTemplateInfo => "GetTemplateInfo",
            Self::ModLinkAtt => "ModLinkAtt",
            Self::ModProps => "ModProps",
            Self::QueryColumns => "QueryColumns",
            Self::QueryRows => "QueryRows",
            Self::ResolveNames => "ResolveNames",
            Self::ResortRestriction => "ResortRestriction",
            Self::SeekEntries => "SeekEntries",
            Self::UpdateStat => "UpdateStat",
            Self::GetMailboxUrl => "GetMailboxUrl",
            Self::GetAddressBookUrl => "GetAddressBookUrl",
        }
    }

    /// The endpoint that accepts this request type.
    pub const fn endpoint(self) -> Endpoint {
        match self {
            Self::Connect | Self::Execute | Self::Disconnect | Self::NotificationWait => Endpoint::Emsmdb,
            Self::Ping => Endpoint::Both,
            _ => Endpoint::Nspi,
        }
    }
}

/// The `X-RequestType` header value ([MS-OXCMAPIHTTP] 2.2.3.3.1): an open
/// set of strings, kept exactly as received so unknown values and
/// server-specific spellings round-trip.
///
/// gromox accepts only `QueryColumn` (no s) for [`RequestKind::QueryColumns`]
/// and refuses the spec spelling with its X-ResponseCode 8 (digest
/// corrections A21, captures 112 and 115); both spellings map to the same
/// [`RequestKind`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RequestType(Cow<'static, str>);

#[allow(missing_docs)] // the constants are the spec's names
impl RequestType {
    pub const CONNECT: Self = Self::known(RequestKind::Connect);
    pub const EXECUTE: Self = Self::known(RequestKind::Execute);
    pub const DISCONNECT: Self = Self::known(RequestKind::Disconnect);
    pub const NOTIFICATION_WAIT: Self = Self::known(RequestKind::NotificationWait);
    pub const PING: Self = Self::known(RequestKind::Ping);
    pub const BIND: Self = Self::known(RequestKind::Bind);
    pub const UNBIND: Self = Self::known(RequestKind::Unbind);
    pub const COMPARE_MIDS: Self = Self::known(RequestKind::CompareMIds);
    pub const DN_TO_MID: Self = Self::known(RequestKind::DnToMId);
    pub const GET_MATCHES: Self = Self::known(RequestKind::GetMatches);
    pub const GET_PROP_LIST: Self = Self::known(RequestKind::GetPropList);
    pub const GET_PROPS: Self = Self::known(RequestKind::GetProps);
    pub const GET_SPECIAL_TABLE: Self = Self::known(RequestKind::GetSpecialTable);
    pub const GET_TEMPLATE_INFO: Self = Self::known(RequestKind::GetTemplateInfo);
    pub const MOD_LINK_ATT: Self = Self::known(RequestKind::ModLinkAtt);
    pub const MOD_PROPS: Self = Self::known(RequestKind::ModProps);
    pub const QUERY_COLUMNS: Self = Self::known(RequestKind::QueryColumns);
    /// gromox's spelling of `QueryColumns` (corrections A21).
    pub const QUERY_COLUMN_GROMOX: Self = Self(Cow::Borrowed("QueryColumn"));
    pub const QUERY_ROWS: Self = Self::known(RequestKind::QueryRows);
    pub const RESOLVE_NAMES: Self = Self::known(RequestKind::ResolveNames);
    pub const RESORT_RESTRICTION: Self = Self::known(RequestKind::ResortRestriction);
    pub const SEEK_ENTRIES: Self = Self::known(RequestKind::SeekEntries);
    pub const UPDATE_STAT: Self = Self::known(RequestKind::UpdateStat);
    pub const GET_MAILBOX_URL: Self = Self::known(RequestKind::GetMailboxUrl);
    pub const GET_ADDRESS_BOOK_URL: Self = Self::known(RequestKind::GetAddressBookUrl);

    const fn known(kind: RequestKind) -> Self {
        Self(Cow::Borrowed(kind.wire_name()))
    }

    /// Parses a header value. Any HTTP token is accepted (unknown request
    /// types are data); an empty value or one with spaces or controls is not.
    pub fn parse(s: &str) -> Result<Self, HeaderError> {
        let s = s.trim();
        if !is_token(s) {
            return Err(HeaderError::new("X-RequestType", "not an HTTP token"));
        }
        Ok(match RequestKind::ALL.iter().find(|k| k.wire_name() == s) {
            Some(k) => Self::known(*k),
            None if s == "QueryColumn" => Self::QUERY_COLUMN_GROMOX,
            None => Self(Cow::Owned(s.to_owned())),
        })
    }

    /// The header value, exactly as received or constructed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The request type this value names: exact spec spelling first, then
    /// the gromox `QueryColumn` alias, then an ASCII case-insensitive match.
    pub fn kind(&self) -> Option<RequestKind> {
        let s = self.as_str();
        RequestKind::ALL
            .iter()
            .find(|k| k.wire_name() == s)
            .or_else(|| (s == "QueryColumn").then_some(&RequestKind::QueryColumns))
            .or_else(|| RequestKind::ALL.iter().find(|k| k.wire_name().eq_ignore_ascii_case(s)))
            .copied()
    }
}

impl From<RequestKind> for RequestType {
    fn from(kind: RequestKind) -> Self {
        Self::known(kind)
    }
}

impl std::fmt::Debug for RequestType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RequestType({:?})", self.as_str())
    }
}

impl std::fmt::Display for RequestType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `{GUID}:<decimal>`, the shared form of `X-RequestId` and `X-ClientInfo`.
fn parse_guid_counter(s: &str, header: &'static str) -> Result<(Guid, u64), HeaderError> {
    let s = s.trim();
    let (g, n) = s.rsplit_once(':').ok_or(HeaderError::new(header, "missing `:<counter>`"))?;
    if !(g.starts_with('{') && g.ends_with('}')) {
        return Err(HeaderError::new(header, "GUID not in braces"));
    }
    let guid = Guid::parse(g).ok_or(HeaderError::new(header, "malformed GUID"))?;
    if n.is_empty() || n.len() > 20 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HeaderError::new(header, "counter is not a decimal number"));
    }
    let counter = n.parse::<u64>().map_err(|_| HeaderError::new(header, "counter out of range"))?;
    Ok((guid, counter))
}

fn format_guid_counter(guid: Guid, counter: u64) -> String {
    format!("{{{}}}:{counter}", guid.to_string().to_ascii_uppercase())
}

/// `X-RequestId` ([MS-OXCMAPIHTTP] 2.2.3.3.2): `{GUID}:<counter>`; the GUID
/// is fixed for one session context, the counter increases with every HTTP
/// request of that context. Formatted with an upper-case GUID, as Outlook
/// and the captures do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RequestId {
    /// Identifies the session context on the client side.
    pub guid: Guid,
    /// Strictly increasing per request.
    pub counter: u64,
}

impl RequestId {
    /// Parses `{4D18BCF5-9AC6-426B-A4B8-E76053F29432}:1`.
    pub fn parse(s: &str) -> Result<Self, HeaderError> {
        let (guid, counter) = parse_guid_counter(s, "X-RequestId")?;
        Ok(Self { guid, counter })
    }

    /// The header value.
    pub fn format(&self) -> String {
        format_guid_counter(self.guid, self.counter)
    }

    /// The id of the next request of the same session context.
    pub fn next(self) -> Self {
        Self { counter: self.counter.wrapping_add(1), ..self }
    }
}

/// `X-ClientInfo` ([MS-OXCMAPIHTTP] 2.2.3.3.4): `{GUID}:<counter>`; the GUID
/// is fixed for one client instance, the counter changes with every new
/// session context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClientInfo {
    /// Identifies the client instance.
    pub guid: Guid,
    /// Incremented for each new session context.
    pub counter: u64,
}

impl ClientInfo {
    /// Parses `{207C9A81-9110-441D-8F6E-AA6A6C029350}:1`.
    pub fn parse(s: &str) -> Result<Self, HeaderError> {
        let (guid, counter) = parse_guid_counter(s, "X-ClientInfo")?;
        Ok(Self { guid, counter })
    }

    /// The header value.
    pub fn format(&self) -> String {
        format_guid_counter(self.guid, self.counter)
    }
}

/// `X-ClientApplication` ([MS-OXCMAPIHTTP] 2.2.3.3.6): `Outlook/15.xx.xxxx.xxxx`.
///
/// Servers may refuse old versions (ecClientVerDisallowed); gromox accepted
/// `Outlook/15.0.4815.1002` in every capture.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClientApplication(Cow<'static, str>);

impl ClientApplication {
    /// The value every capture of this project sent.
    pub const OUTLOOK_2013: Self = Self(Cow::Borrowed("Outlook/15.0.4815.1002"));

    /// Parses a `product/version` value (visible ASCII, with a `/`).
    pub fn parse(s: &str) -> Result<Self, HeaderError> {
        let s = s.trim();
        let ok = s.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
            && s.split_once('/').is_some_and(|(p, v)| !p.is_empty() && !v.is_empty());
        if !ok {
            return Err(HeaderError::new("X-ClientApplication", "not `product/version`"));
        }
        Ok(Self(Cow::Owned(s.to_owned())))
    }

    /// `Outlook/<major>.<minor>.<build>.<revision>`.
    pub fn outlook(major: u16, minor: u16, build: u16, revision: u16) -> Self {
        Self(Cow::Owned(format!("Outlook/{major}.{minor}.{build}.{revision}")))
    }

    /// The header value.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `/`.
    pub fn product(&self) -> &str {
        self.0.split_once('/').map_or(&*self.0, |(p, _)| p)
    }

    /// The part after the `/`.
    pub fn version(&self) -> &str {
        self.0.split_once('/').map_or("", |(_, v)| v)
    }
}

impl Default for ClientApplication {
    fn default() -> Self {
        Self::OUTLOOK_2013
    }
}

open_enum! {
    /// `X-ResponseCode` ([MS-OXCMAPIHTTP] 2.2.3.3.3) in the specification's
    /// numbering.
    ///
    /// gromox numbers its codes differently (0–9, see the README of the
    /// gromox-3.10 captures and digest corrections A6):
    ///
    /// | gromox | gromox text | spec equivalent |
    /// |---|---|---|
    /// | 1 | invalid verb (X-RequestType missing) | 2 INVALID_VERB |
    /// | 2 | invalid session context cookie (unknown sid, missing sequence, disconnected) | 10 CONTEXT_NOT_FOUND |
    /// | 3 | missing required header (X-RequestId/X-ClientInfo) | 7 MISSING_HEADER |
    /// | 4 | no privileges to the session context (other user) | 11 NO_PRIVILEGE |
    /// | 5 | request body invalid | 12 INVALID_REQUEST_BODY |
    /// | 6 | missing required cookie | 13 MISSING_COOKIE |
    /// | 7 | sequencing violation | 15 INVALID_SEQUENCE |
    /// | 8 | invalid request type for this endpoint | 5 INVALID_REQUEST_TYPE |
    /// | 9 | out of memory | 1 UNKNOWN_FAILURE |
    ///
    /// The value alone cannot tell the numberings apart; use
    /// [`ResponseCode::to_spec`] with the [`ServerDialect`] of the peer.
    pub struct ResponseCode(u32) {
        SUCCESS = 0, "Success";
        UNKNOWN_FAILURE = 1, "UnknownFailure";
        INVALID_VERB = 2, "InvalidVerb";
        INVALID_PATH = 3, "InvalidPath";
        INVALID_HEADER = 4, "InvalidHeader";
        INVALID_REQUEST_TYPE = 5, "InvalidRequestType";
        INVALID_CONTEXT_COOKIE = 6, "InvalidContextCookie";
        MISSING_HEADER = 7, "MissingHeader";
        ANONYMOUS_NOT_ALLOWED = 8, "AnonymousNotAllowed";
        TOO_LARGE = 9, "TooLarge";
        CONTEXT_NOT_FOUND = 10, "ContextNotFound";
        NO_PRIVILEGE = 11, "NoPrivilege";
        INVALID_REQUEST_BODY = 12, "InvalidRequestBody";
        MISSING_COOKIE = 13, "MissingCookie";
        RESERVED = 14, "Reserved";
        INVALID_SEQUENCE = 15, "InvalidSequence";
        ENDPOINT_DISABLED = 16, "EndpointDisabled";
        INVALID_RESPONSE = 17, "InvalidResponse";
        ENDPOINT_SHUTTING_DOWN = 18, "EndpointShuttingDown";
    }
}

/// Whose `X-ResponseCode` numbering a server uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ServerDialect {
    /// [MS-OXCMAPIHTTP] 2.2.3.3.3 numbering (Exchange).
    #[default]
    Spec,
    /// gromox's 0–9 numbering (see [`ResponseCode`]).
    Gromox,
}

/// What a client should do about a response code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ResponseClass {
    /// 0: parse the body.
    Success,
    /// The session context is gone or its sequence is broken: Connect/Bind
    /// again with the current cookies and redo the logon ([MS-OXCMAPIHTTP]
    /// 3.1.5.7).
    Reconnect,
    /// The request was malformed (a bug on our side). With gromox the
    /// sequence has already advanced (corrections A8), so reconnect as well.
    ClientError,
    /// Credentials do not match the session or anonymous access refused.
    NotAuthorized,
    /// The endpoint is disabled or shutting down; retry later elsewhere.
    Unavailable,
    /// Anything else, including unknown values.
    Failure,
}

impl ResponseCode {
    /// Parses the decimal header value.
    pub fn parse(s: &str) -> Result<Self, HeaderError> {
        parse_decimal(s, "X-ResponseCode")
            .and_then(|v| u32::try_from(v).map(Self).map_err(|_| HeaderError::new("X-ResponseCode", "out of range")))
    }

    /// The decimal header value.
    pub fn format(self) -> String {
        self.0.to_string()
    }

    /// This code in the specification's numbering, given the numbering the
    /// server used.
    pub fn to_spec(self, dialect: ServerDialect) -> Self {
        match dialect {
            ServerDialect::Spec => self,
            ServerDialect::Gromox => match self.0 {
                0 => Self::SUCCESS,
                1 => Self::INVALID_VERB,
                2 => Self::CONTEXT_NOT_FOUND,
                3 => Self::MISSING_HEADER,
                4 => Self::NO_PRIVILEGE,
                5 => Self::INVALID_REQUEST_BODY,
                6 => Self::MISSING_COOKIE,
                7 => Self::INVALID_SEQUENCE,
                8 => Self::INVALID_REQUEST_TYPE,
                _ => Self::UNKNOWN_FAILURE,
            },
        }
    }

    /// What to do about this code.
    pub fn class(self, dialect: ServerDialect) -> ResponseClass {
        match self.to_spec(dialect) {
            Self::SUCCESS => ResponseClass::Success,
            Self::INVALID_CONTEXT_COOKIE | Self::CONTEXT_NOT_FOUND | Self::INVALID_SEQUENCE | Self::MISSING_COOKIE => {
                ResponseClass::Reconnect
            }
            Self::INVALID_VERB
            | Self::INVALID_PATH
            | Self::INVALID_HEADER
            | Self::INVALID_REQUEST_TYPE
            | Self::MISSING_HEADER
            | Self::TOO_LARGE
            | Self::INVALID_REQUEST_BODY => ResponseClass::ClientError,
            Self::ANONYMOUS_NOT_ALLOWED | Self::NO_PRIVILEGE => ResponseClass::NotAuthorized,
            Self::ENDPOINT_DISABLED | Self::ENDPOINT_SHUTTING_DOWN => ResponseClass::Unavailable,
            _ => ResponseClass::Failure,
        }
    }
}

fn parse_decimal(s: &str, header: &'static str) -> Result<u64, HeaderError> {
    let s = s.trim();
    if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HeaderError::new(header, "not a decimal number"));
    }
    s.parse::<u64>().map_err(|_| HeaderError::new(header, "out of range"))
}

macro_rules! decimal_header {
    ($(#[$m:meta])* $name:ident($ty:ty), $header:literal) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub struct $name(pub $ty);

        impl $name {
            /// Parses the decimal header value.
            pub fn parse(s: &str) -> Result<Self, HeaderError> {
                parse_decimal(s, $header)
                    .and_then(|v| <$ty>::try_from(v).map(Self).map_err(|_| HeaderError::new($header, "out of range")))
            }

            /// The decimal header value.
            pub fn format(self) -> String {
                self.0.to_string()
            }
        }
    };
}

decimal_header! {
    /// `X-PendingPeriod` ([MS-OXCMAPIHTTP] 2.2.3.3.5): milliseconds between
    /// `PENDING` keep-alives (default 30000; gromox says 30000 but sends
    /// one every 27 s, corrections A4).
    PendingPeriod(u32), "X-PendingPeriod"
}

decimal_header! {
    /// `X-ExpirationInfo` ([MS-OXCMAPIHTTP] 2.2.3.3.8): milliseconds until an
    /// idle session context expires (gromox: 900000).
    ExpirationInfo(u32), "X-ExpirationInfo"
}

decimal_header! {
    /// `X-ElapsedTime` ([MS-OXCMAPIHTTP] 2.2.3.3.9): server processing time,
    /// sent after `DONE`. The spec says milliseconds; gromox sends **seconds**
    /// (capture 042 says 3 after a 3 s wait, corrections A1). Diagnostic only.
    ElapsedTime(u64), "X-ElapsedTime"
}

impl PendingPeriod {
    /// The value as a duration.
    pub fn duration(self) -> std::time::Duration {
        std::time::Duration::from_millis(self.0.into())
    }
}

impl ExpirationInfo {
    /// The value as a duration.
    pub fn duration(self) -> std::time::Duration {
        std::time::Duration::from_millis(self.0.into())
    }
}

impl ElapsedTime {
    /// The value as a duration, in the unit the given server uses.
    pub fn duration(self, dialect: ServerDialect) -> std::time::Duration {
        match dialect {
            ServerDialect::Spec => std::time::Duration::from_millis(self.0),
            ServerDialect::Gromox => std::time::Duration::from_secs(self.0),
        }
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The MAPI-specific headers a client sends with every request
/// ([MS-OXCMAPIHTTP] 2.2.2.1, 2.2.3.1–2.2.3.3).
///
/// `Host`, `Authorization` and `Cookie` are the transport's business (the
/// cookies are session secrets and never pass through here).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RequestHeaders {
    /// `X-RequestType`.
    pub request_type: RequestType,
    /// `X-RequestId`.
    pub request_id: RequestId,
    /// `X-ClientInfo`.
    pub client_info: ClientInfo,
    /// `X-ClientApplication`.
    pub client_application: ClientApplication,
}

impl RequestHeaders {
    /// The header lines, in the order Outlook sends them: `Content-Type`,
    /// `X-RequestType`, `X-RequestId`, `X-ClientInfo`,
    /// `X-ClientApplication`, `Content-Length`.
    pub fn header_list(&self, content_length: usize) -> Vec<(&'static str, String)> {
        vec![
            ("Content-Type", CONTENT_TYPE_MAPI_HTTP.to_owned()),
            ("X-RequestType", self.request_type.as_str().to_owned()),
            ("X-RequestId", self.request_id.format()),
            ("X-ClientInfo", self.client_info.format()),
            ("X-ClientApplication", self.client_application.as_str().to_owned()),
            ("Content-Length", content_length.to_string()),
        ]
    }

    /// Server side: reads the request headers (names compared ASCII
    /// case-insensitively). A missing header is reported by name, so the
    /// server can answer [`ResponseCode::MISSING_HEADER`] (or
    /// [`ResponseCode::INVALID_VERB`] for `X-RequestType`).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, HeaderError> {
        let (mut rt, mut id, mut ci, mut app) = (None, None, None, None);
        for (name, value) in pairs {
            if name.eq_ignore_ascii_case("X-RequestType") {
                rt = Some(RequestType::parse(value)?);
            } else if name.eq_ignore_ascii_case("X-RequestId") {
                id = Some(RequestId::parse(value)?);
            } else if name.eq_ignore_ascii_case("X-ClientInfo") {
                ci = Some(ClientInfo::parse(value)?);
            } else if name.eq_ignore_ascii_case("X-ClientApplication") {
                app = Some(ClientApplication::parse(value)?);
            }
        }
        Ok(Self {
            request_type: rt.ok_or(HeaderError::new("X-RequestType", "missing"))?,
            request_id: id.ok_or(HeaderError::new("X-RequestId", "missing"))?,
            client_info: ci.ok_or(HeaderError::new("X-ClientInfo", "missing"))?,
            client_application: app.ok_or(HeaderError::new("X-ClientApplication", "missing"))?,
        })
    }
}

/// The MAPI-specific headers of a response ([MS-OXCMAPIHTTP] 2.2.3.2,
/// 2.2.3.3). Every field is optional: error responses carry only
/// `X-ResponseCode` (no echo, no cookies; corrections A2).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ResponseHeaders {
    /// `Content-Type` (`application/mapi-http` on success, `text/html` on
    /// X-ResponseCode errors).
    pub content_type: Option<String>,
    /// Echoed `X-RequestType`.
    pub request_type: Option<RequestType>,
    /// Echoed `X-RequestId`.
    pub request_id: Option<RequestId>,
    /// Echoed `X-ClientInfo`.
    pub client_info: Option<ClientInfo>,
    /// `X-ResponseCode`.
    pub response_code: Option<ResponseCode>,
    /// `X-PendingPeriod`.
    pub pending_period: Option<PendingPeriod>,
    /// `X-ExpirationInfo`.
    pub expiration_info: Option<ExpirationInfo>,
    /// `X-ServerApplication` ([MS-OXCMAPIHTTP] 2.2.3.3.7).
    pub server_application: Option<String>,
}

impl ResponseHeaders {
    /// Client side: reads the response headers (names compared ASCII
    /// case-insensitively; unknown headers ignored; malformed values of
    /// known headers refused).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, HeaderError> {
        let mut h = Self::default();
        for (name, value) in pairs {
            let is = |n: &str| name.eq_ignore_ascii_case(n);
            if is("Content-Type") {
                h.content_type = Some(value.trim().to_owned());
            } else if is("X-RequestType") {
                h.request_type = Some(RequestType::parse(value)?);
            } else if is("X-RequestId") {
                h.request_id = Some(RequestId::parse(value)?);
            } else if is("X-ClientInfo") {
                h.client_info = Some(ClientInfo::parse(value)?);
            } else if is("X-ResponseCode") {
                h.response_code = Some(ResponseCode::parse(value)?);
            } else if is("X-PendingPeriod") {
                h.pending_period = Some(PendingPeriod::parse(value)?);
            } else if is("X-ExpirationInfo") {
                h.expiration_info = Some(ExpirationInfo::parse(value)?);
            } else if is("X-ServerApplication") {
                h.server_application = Some(value.trim().to_owned());
            }
        }
        Ok(h)
    }

    /// True when the body is a MAPI/HTTP meta-tag stream (feed it to a
    /// [`super::ResponseFramer`]); false for the HTML diagnostic page of an
    /// X-ResponseCode error ([MS-OXCMAPIHTTP] 2.2.3.2.2).
    pub fn is_mapi_body(&self) -> bool {
        let code_ok = self.response_code.is_none_or(|c| c == ResponseCode::SUCCESS);
        let type_ok = self
            .content_type
            .as_deref()
            .is_none_or(|t| t.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case(CONTENT_TYPE_MAPI_HTTP)));
        code_ok && type_ok
    }

    /// Server side: the header lines in gromox's order (corrections B1),
    /// without `Date`, cookies and transfer coding.
    pub fn header_list(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("Cache-Control", "private".to_owned())];
        if let Some(v) = &self.content_type {
            out.push(("Content-Type", v.clone()));
        }
        if let Some(v) = &self.request_type {
            out.push(("X-RequestType", v.as_str().to_owned()));
        }
        if let Some(v) = &self.request_id {
            out.push(("X-RequestId", v.format()));
        }
        if let Some(v) = &self.client_info {
            out.push(("X-ClientInfo", v.format()));
        }
        if let Some(v) = self.response_code {
            out.push(("X-ResponseCode", v.format()));
        }
        if let Some(v) = self.pending_period {
            out.push(("X-PendingPeriod", v.format()));
        }
        if let Some(v) = self.expiration_info {
            out.push(("X-ExpirationInfo", v.format()));
        }
        if let Some(v) = &self.server_application {
            out.push(("X-ServerApplication", v.clone()));
        }
        out
    }
}

/// Parses `X-StartTime` ([MS-OXCMAPIHTTP] 2.2.3.3.10), an RFC 1123 date
/// sent after `DONE`; the same as [`HttpDate::parse`].
pub fn parse_start_time(s: &str) -> Result<HttpDate, HeaderError> {
    HttpDate::parse(s)
}

#[cfg(test)]
#[path = "headers_tests.rs"]
mod tests;
