//! The session-context core shared by the mailbox (EMSMDB) and address book (NSPI)
//! endpoints ([MS-OXCMAPIHTTP] 3.1.1, 3.1.5): cookies, X-RequestId/X-ClientInfo, one
//! request at a time, X-ResponseCode classification and transparent re-establishment
//! of a lost context (Connect/Bind again with the old cookies, else fresh; captures
//! 073/077/114).

use bytes::Bytes;
use mapi_wire::emsmdb::{ConnectFlags, ConnectRequest, ConnectResponse, MapiResponse};
use mapi_wire::http::{ClientInfo, RequestHeaders, RequestId, RequestKind, RequestType, ResponseClass, ResponseCode};
use mapi_wire::nspi::{BindFlags, BindRequest, BindResponse, Stat};
use mapi_wire::{Decode, Encode, ErrorCode, Guid};

use crate::cookies::CookieJar;
use crate::transport::{Endpoint, HttpReply, HttpRequest};
use crate::{Error, Result, SessionConfig};

/// Longest diagnostic text kept from an error page.
const MAX_DIAGNOSTIC: usize = 512;

/// What the server said when the context was (re-)established.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContextInfo {
    /// Connect `DisplayName` (EMSMDB only).
    pub display_name: String,
    /// Connect `DnPrefix` (EMSMDB only).
    pub dn_prefix: String,
    /// Connect `PollsMax` in ms (EMSMDB only).
    pub polls_max: u32,
    /// Connect `RetryCount` (EMSMDB only).
    pub retry_count: u32,
    /// Connect `RetryDelay` in ms (EMSMDB only).
    pub retry_delay: u32,
    /// Bind `ServerGuid` (NSPI only).
    pub server_guid: Option<Guid>,
    /// The raw auxiliary buffer of the Connect/Bind response.
    pub auxiliary_buffer: Vec<u8>,
    /// How many times this context was re-established after a loss.
    pub generation: u64,
    /// `X-ExpirationInfo`: idle time after which the server drops the context; send a
    /// PING well before it ([MS-OXCMAPIHTTP] 3.1.5.3; gromox 900 s).
    pub expiration: Option<std::time::Duration>,
    /// `X-PendingPeriod`: the server's keep-alive interval (gromox 30 s).
    pub pending_period: Option<std::time::Duration>,
}

pub(crate) enum Establish {
    Connect,
    Bind,
}

struct Context {
    cookies: CookieJar,
    request_id: RequestId,
    client_info: ClientInfo,
    open: bool,
    info: ContextInfo,
}

/// A session context on one endpoint.
pub(crate) struct Core {
    pub(crate) endpoint: Endpoint,
    establish: Establish,
    config: SessionConfig,
    ctx: tokio::sync::Mutex<Context>,
    /// One NotificationWait at a time (it runs beside Execute, [MS-OXCMAPIHTTP] 3.1.5.5).
    pub(crate) wait_lock: tokio::sync::Mutex<()>,
}

/// The binary body of a successful response.
pub(crate) struct Reply {
    pub(crate) body: Vec<u8>,
    /// The context generation the request ran in.
    pub(crate) generation: u64,
}

fn random_guid() -> Result<Guid> {
    let mut g = [0u8; 16];
    getrandom::fill(&mut g).map_err(|e| Error::Config(format!("random source: {e}")))?;
    Ok(Guid(g))
}

impl Core {
    /// Opens the context (Connect or Bind).
    pub(crate) async fn open(config: SessionConfig, establish: Establish) -> Result<Self> {
        let endpoint = Endpoint::new(&config.url, config.transport.clone())?;
        let ctx = Context {
            cookies: CookieJar::default(),
            request_id: RequestId { guid: random_guid()?, counter: 0 },
            client_info: ClientInfo { guid: random_guid()?, counter: 1 },
            open: false,
            info: ContextInfo::default(),
        };
        let core = Self {
            endpoint,
            establish,
            config,
            ctx: tokio::sync::Mutex::new(ctx),
            wait_lock: tokio::sync::Mutex::new(()),
        };
        {
            let mut ctx = core.ctx.lock().await;
            core.establish_in(&mut ctx, true).await?;
        }
        Ok(core)
    }

    pub(crate) async fn generation(&self) -> u64 {
        self.ctx.lock().await.info.generation
    }

    pub(crate) async fn info(&self) -> ContextInfo {
        self.ctx.lock().await.info.clone()
    }

    /// Sends one request of this context and returns the binary body; a lost context
    /// is re-established and reported as [`Error::Reconnected`].
    pub(crate) async fn request(&self, request_type: RequestType, kind: RequestKind, body: Vec<u8>) -> Result<Reply> {
        let mut ctx = self.ctx.lock().await;
        if !ctx.open {
            return Err(Error::Closed);
        }
        let req = self.prepare(&mut ctx, request_type, kind, body, None);
        let reply = self.endpoint.send(&req).await?;
        self.absorb_cookies(&mut ctx, &reply);
        self.classify(&mut ctx, reply).await
    }

    /// NotificationWait: sent without holding the context lock for the wait.
    pub(crate) async fn wait(&self, body: Vec<u8>) -> Result<Option<Reply>> {
        let _one = self.wait_lock.lock().await;
        let req = {
            let mut ctx = self.ctx.lock().await;
            if !ctx.open {
                return Err(Error::Closed);
            }
            let deadline = Some(self.endpoint.config().notification_wait_timeout);
            self.prepare(&mut ctx, RequestType::NOTIFICATION_WAIT, RequestKind::NotificationWait, body, deadline)
        };
        let reply = match self.endpoint.send(&req).await {
            Ok(r) => r,
            Err(Error::Timeout(RequestKind::NotificationWait)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut ctx = self.ctx.lock().await;
        self.absorb_cookies(&mut ctx, &reply);
        self.classify(&mut ctx, reply).await.map(Some)
    }

    /// Marks the context closed (after Disconnect/Unbind).
    pub(crate) async fn close(&self) {
        self.ctx.lock().await.open = false;
    }

    fn prepare(
        &self,
        ctx: &mut Context,
        request_type: RequestType,
        kind: RequestKind,
        body: Vec<u8>,
        deadline: Option<std::time::Duration>,
    ) -> HttpRequest {
        ctx.request_id = ctx.request_id.next();
        let headers = RequestHeaders {
            request_type,
            request_id: ctx.request_id,
            client_info: ctx.client_info,
            client_application: self.endpoint.config().client_application.clone(),
        }
        .header_list(body.len())
        .into_iter()
        .filter(|(n, _)| *n != "Content-Length")
        .collect();
        HttpRequest {
            kind,
            headers,
            cookie: ctx.cookies.header(),
            body: Bytes::from(body),
            deadline,
            method: http::Method::POST,
            plain: false,
            anonymous: false,
        }
    }

    fn absorb_cookies(&self, ctx: &mut Context, reply: &HttpReply) {
        for c in &reply.set_cookies {
            ctx.cookies.set(c);
        }
    }

    async fn classify(&self, ctx: &mut Context, reply: HttpReply) -> Result<Reply> {
        let code = reply
            .headers
            .response_code
            .or_else(|| reply.framed.response_code().and_then(|r| r.ok()))
            .unwrap_or(ResponseCode::SUCCESS);
        let late = reply.framed.response_code().and_then(|r| r.ok());
        let code = match late {
            Some(c) if c != ResponseCode::SUCCESS => c,
            _ => code,
        };
        if code == ResponseCode::SUCCESS && reply.framed.non_mapi_body.is_none() {
            return Ok(Reply { body: reply.framed.body, generation: ctx.info.generation });
        }
        let diagnostic = diagnostic_text(reply.framed.non_mapi_body.as_deref().unwrap_or(&[]));
        match code.class(reply.dialect) {
            ResponseClass::Success => {
                Err(Error::Protocol(format!("non-MAPI body with X-ResponseCode 0: {diagnostic}")))
            }
            ResponseClass::Reconnect => {
                tracing::info!(%code, diagnostic = %diagnostic, "session context lost; re-establishing");
                self.establish_in(ctx, false).await?;
                Err(Error::Reconnected { code })
            }
            ResponseClass::ClientError => {
                // gromox has already advanced the sequence (corrections A8): restore it.
                let reconnected = self.establish_in(ctx, false).await.is_ok();
                Err(Error::Response { code, diagnostic, reconnected })
            }
            ResponseClass::NotAuthorized => Err(Error::Auth(format!("X-ResponseCode {code}: {diagnostic}"))),
            ResponseClass::Unavailable | ResponseClass::Failure => {
                Err(Error::Response { code, diagnostic, reconnected: false })
            }
        }
    }

    /// Connect/Bind. `first`: the initial one (fresh cookies, counters as they are);
    /// otherwise a re-establishment: first with the old cookies (the server keeps the
    /// sid and issues a new sequence), then, if the context is unknown, fresh.
    async fn establish_in(&self, ctx: &mut Context, first: bool) -> Result<()> {
        if !first {
            ctx.client_info.counter = ctx.client_info.counter.wrapping_add(1);
            ctx.request_id = RequestId { guid: random_guid()?, counter: 0 };
        }
        let generation = if first { 0 } else { ctx.info.generation + 1 };
        for fresh in [first, true] {
            if fresh {
                ctx.cookies.clear();
            }
            let (request_type, kind, body) = self.establish_body()?;
            let req = self.prepare(ctx, request_type, kind, body, None);
            let reply = self.endpoint.send(&req).await?;
            self.absorb_cookies(ctx, &reply);
            let code = reply.headers.response_code.unwrap_or(ResponseCode::SUCCESS);
            if code != ResponseCode::SUCCESS || reply.framed.non_mapi_body.is_some() {
                let diagnostic = diagnostic_text(reply.framed.non_mapi_body.as_deref().unwrap_or(&[]));
                match code.class(reply.dialect) {
                    ResponseClass::Reconnect if !fresh => continue,
                    ResponseClass::NotAuthorized => {
                        return Err(Error::Auth(format!("X-ResponseCode {code}: {diagnostic}")));
                    }
                    _ => return Err(Error::Response { code, diagnostic, reconnected: false }),
                }
            }
            let mut info = self.parse_establish(&reply.framed.body)?;
            info.generation = generation;
            info.expiration = reply.headers.expiration_info.map(|e| e.duration());
            info.pending_period = reply.headers.pending_period.map(|p| p.duration());
            ctx.info = info;
            ctx.open = true;
            return Ok(());
        }
        Err(Error::Protocol("session context could not be re-established".into()))
    }

    fn establish_body(&self) -> Result<(RequestType, RequestKind, Vec<u8>)> {
        let c = &self.config;
        Ok(match self.establish {
            Establish::Connect => (
                RequestType::CONNECT,
                RequestKind::Connect,
                ConnectRequest {
                    user_dn: c.user_dn.clone(),
                    flags: ConnectFlags::EMPTY,
                    default_code_page: c.code_page,
                    lcid_sort: c.lcid,
                    lcid_string: c.lcid,
                    auxiliary_buffer: Vec::new(),
                }
                .to_bytes()?,
            ),
            Establish::Bind => {
                let mut stat = Stat::new(c.code_page);
                stat.template_locale = c.lcid;
                stat.sort_locale = c.lcid;
                (
                    RequestType::BIND,
                    RequestKind::Bind,
                    BindRequest { flags: BindFlags(0), state: Some(stat), auxiliary_buffer: Vec::new() }.to_bytes()?,
                )
            }
        })
    }

    fn parse_establish(&self, body: &[u8]) -> Result<ContextInfo> {
        match self.establish {
            Establish::Connect => match MapiResponse::<ConnectResponse>::decode_exact(body)? {
                MapiResponse::Failed { status_code, .. } => {
                    Err(Error::Mapi { kind: RequestKind::Connect, code: ErrorCode(status_code) })
                }
                MapiResponse::Completed(r) if r.error_code != ErrorCode(0) => {
                    Err(Error::Mapi { kind: RequestKind::Connect, code: r.error_code })
                }
                MapiResponse::Completed(r) => Ok(ContextInfo {
                    display_name: r.display_name,
                    dn_prefix: r.dn_prefix,
                    polls_max: r.polls_max,
                    retry_count: r.retry_count,
                    retry_delay: r.retry_delay,
                    server_guid: None,
                    auxiliary_buffer: r.auxiliary_buffer,
                    ..ContextInfo::default()
                }),
            },
            Establish::Bind => match MapiResponse::<BindResponse>::decode_exact(body)? {
                MapiResponse::Failed { status_code, .. } => {
                    Err(Error::Mapi { kind: RequestKind::Bind, code: ErrorCode(status_code) })
                }
                MapiResponse::Completed(r) if r.error_code != ErrorCode(0) => {
                    Err(Error::Mapi { kind: RequestKind::Bind, code: r.error_code })
                }
                MapiResponse::Completed(r) => Ok(ContextInfo {
                    server_guid: Some(r.server_guid),
                    auxiliary_buffer: r.auxiliary_buffer,
                    ..ContextInfo::default()
                }),
            },
        }
    }
}

/// The text of an HTML diagnostic page: tags removed, whitespace collapsed, bounded.
pub(crate) fn diagnostic_text(page: &[u8]) -> String {
    let text = String::from_utf8_lossy(page.get(..4096).unwrap_or(page));
    // Prefer the <p> paragraph gromox and Exchange put the reason in.
    let body = text
        .split_once("<p>")
        .and_then(|(_, rest)| rest.split_once("</p>").map(|(p, _)| p.to_owned()))
        .unwrap_or_else(|| {
            let mut out = String::new();
            let mut in_tag = false;
            for ch in text.chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        out.push(' ');
                    }
                    c if !in_tag => out.push(c),
                    _ => {}
                }
            }
            out
        });
    let collapsed: Vec<&str> = body.split_whitespace().collect();
    let mut s = collapsed.join(" ");
    if s.len() > MAX_DIAGNOSTIC {
        let mut cut = MAX_DIAGNOSTIC;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}
