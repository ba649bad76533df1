//! The mailbox endpoint session ([MS-OXCMAPIHTTP] 2.2.4, 3.1.5): Connect, Execute,
//! Disconnect, NotificationWait, PING.

use mapi_wire::emsmdb::{
    DisconnectRequest, DisconnectResponse, ExecuteFlags, ExecuteRequest, ExecuteResponse, MapiResponse,
    NotificationWaitRequest, NotificationWaitResponse,
};
use mapi_wire::http::{RequestKind, RequestType};
use mapi_wire::rpc_ext::{self, ChainLimits, EncodeOptions};
use mapi_wire::{Decode, Encode, ErrorCode};

use crate::backoff::backoff_delay;
use crate::session::{ContextInfo, Core, Establish};
use crate::{Error, Result, SessionConfig};

/// `MaxRopOut` Microsoft's test client sends (0x10008): room for two 32 KB payloads with
/// their headers.
pub const DEFAULT_MAX_ROP_OUT: u32 = 0x10008;

/// The result of one Execute ([MS-OXCMAPIHTTP] 2.2.4.2.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecuteOutcome {
    /// The RPC-level `ErrorCode` (0, or a whole-call failure such as 0x47D
    /// ecBufferTooSmall for a too-small MaxRopOut, 0x4B6 ecRpcFormat; corrections B5).
    /// Busy codes never appear here: they are retried with backoff.
    pub error_code: ErrorCode,
    /// The ROP output buffers (RopSize + ROP responses + handle table), one per
    /// RPC_HEADER_EXT of the response, already un-XORed and decompressed. One unless
    /// the request set [`ExecuteFlags::CHAIN`] (corrections B6); empty when the whole
    /// call failed.
    pub rop_output: Vec<Vec<u8>>,
    /// The response `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
    /// Request body bytes sent (Execute body, after compression).
    pub bytes_sent: usize,
    /// Response body bytes received (binary part).
    pub bytes_received: usize,
    /// The context generation this Execute ran in ([`ContextInfo::generation`]): server
    /// object handles are valid only within one generation. A re-establishment caused
    /// by another call (e.g. a NotificationWait) shows up here as a higher number.
    pub generation: u64,
}

/// The result of a NotificationWait ([MS-OXCMAPIHTTP] 2.2.4.4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitOutcome {
    /// `EventPending`: send an Execute (an empty ROP list will do) to collect RopNotify.
    Events,
    /// The wait completed without events.
    NoEvents,
    /// The client gave up after [`crate::TransportConfig::notification_wait_timeout`]
    /// (gromox may never complete an idle wait; corrections A5). Wait again.
    TimedOut,
}

/// A mailbox session context: one Connect, then Execute calls one at a time.
pub struct EmsmdbSession {
    core: Core,
    /// The LogonIds of the session's [`crate::api::Mailbox`]es ([MS-OXCROPS] 3.1.4.2).
    logon_ids: crate::api::LogonIds,
}

impl std::fmt::Debug for EmsmdbSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmsmdbSession").finish_non_exhaustive()
    }
}

impl EmsmdbSession {
    /// Connects ([MS-OXCMAPIHTTP] 2.2.4.1) to `config.url` (the MailStore URL) as
    /// `config.user_dn`. A non-zero Connect ErrorCode is [`Error::Mapi`]; refused
    /// credentials are [`Error::Auth`].
    pub async fn connect(config: SessionConfig) -> Result<Self> {
        Ok(Self { core: Core::open(config, Establish::Connect).await?, logon_ids: Default::default() })
    }

    /// The LogonIds in use on this session.
    pub(crate) fn logon_ids(&self) -> &crate::api::LogonIds {
        &self.logon_ids
    }

    /// What Connect returned (display name, polling hints, AUX buffer) and how often
    /// the context was re-established.
    pub async fn info(&self) -> ContextInfo {
        self.core.info().await
    }

    /// The current context generation (0 after Connect, +1 per re-establishment).
    pub async fn generation(&self) -> u64 {
        self.core.generation().await
    }

    /// Sends one ROP input buffer (RopSize + ROP requests + handle table, uncompressed,
    /// at most 32 KB) and returns the ROP output buffers.
    ///
    /// * Busy answers (HTTP 503/429, ecServerBusy and the other retryable whole-call
    ///   codes) are retried with jittered exponential backoff; then [`Error::Busy`].
    /// * A lost context is re-established and reported as [`Error::Reconnected`]: the
    ///   request was **not** executed; the caller re-logs on and re-opens its handles.
    /// * A connection lost after sending is [`Error::Ambiguous`]: never replayed here.
    pub async fn execute(&self, rop_input: &[u8], flags: ExecuteFlags, max_rop_out: u32) -> Result<ExecuteOutcome> {
        let cfg = self.core.endpoint.config();
        // Request compression is ours to choose; Execute Flags only ask the server
        // about the response ([MS-OXCRPC] 3.1.4.2).
        let compress = cfg.compress_requests_from.is_some_and(|min| rop_input.len() >= min);
        if rop_input.len() > rpc_ext::RECOMMENDED_MAX_PAYLOAD {
            return Err(Error::Config(format!(
                "ROP input buffer of {} bytes exceeds the 32 KB RPC_HEADER_EXT payload",
                rop_input.len()
            )));
        }
        let body = ExecuteRequest {
            flags,
            rop_buffer: rpc_ext::encode_chain([rop_input], &EncodeOptions { compress, xor_magic: false })?,
            max_rop_out,
            auxiliary_buffer: Vec::new(),
        }
        .to_bytes()?;
        let bytes_sent = body.len();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let reply = self.core.request(RequestType::EXECUTE, RequestKind::Execute, body.clone()).await?;
            let bytes_received = reply.body.len();
            let r = match MapiResponse::<ExecuteResponse>::decode_exact(&reply.body)? {
                MapiResponse::Failed { status_code, .. } => {
                    return Err(Error::Mapi { kind: RequestKind::Execute, code: ErrorCode(status_code) });
                }
                MapiResponse::Completed(r) => r,
            };
            if r.error_code.is_retryable() {
                // A whole-call failure: no ROP ran, so sending again is safe.
                if attempts >= cfg.retry.max_attempts {
                    return Err(Error::Busy { attempts, retry_after: None });
                }
                let delay = backoff_delay(&cfg.retry, attempts, None);
                tracing::info!(code = ?r.error_code, attempt = attempts, ?delay, "Execute busy, backing off");
                tokio::time::sleep(delay).await;
                continue;
            }
            // One payload per RPC_HEADER_EXT, un-XORed and decompressed (several only
            // with Chain, corrections B6); an empty buffer is an empty chain.
            let rop_output: Vec<Vec<u8>> =
                rpc_ext::decode_chain(&r.rop_buffer, &ChainLimits::default())?.into_iter().map(|b| b.payload).collect();
            return Ok(ExecuteOutcome {
                error_code: r.error_code,
                rop_output,
                auxiliary_buffer: r.auxiliary_buffer,
                bytes_sent,
                bytes_received,
                generation: reply.generation,
            });
        }
    }

    /// NotificationWait ([MS-OXCMAPIHTTP] 2.2.4.4): held by the server until an event
    /// or its timeout; runs beside Execute on its own connection. PENDING keep-alives
    /// keep it alive; after `notification_wait_timeout` it returns
    /// [`WaitOutcome::TimedOut`].
    pub async fn notification_wait(&self) -> Result<WaitOutcome> {
        let body = NotificationWaitRequest::default().to_bytes()?;
        let Some(reply) = self.core.wait(body).await? else {
            return Ok(WaitOutcome::TimedOut);
        };
        match MapiResponse::<NotificationWaitResponse>::decode_exact(&reply.body)? {
            MapiResponse::Failed { status_code, .. } => {
                Err(Error::Mapi { kind: RequestKind::NotificationWait, code: ErrorCode(status_code) })
            }
            MapiResponse::Completed(r) if r.has_events() => Ok(WaitOutcome::Events),
            MapiResponse::Completed(_) => Ok(WaitOutcome::NoEvents),
        }
    }

    /// PING ([MS-OXCMAPIHTTP] 2.2.6): keeps the context from expiring.
    pub async fn ping(&self) -> Result<()> {
        self.core.request(RequestType::PING, RequestKind::Ping, Vec::new()).await.map(|_| ())
    }

    /// Disconnect ([MS-OXCMAPIHTTP] 2.2.4.3): frees the context; later calls fail with
    /// [`Error::Closed`].
    pub async fn disconnect(&self) -> Result<()> {
        let body = DisconnectRequest::default().to_bytes()?;
        let reply = self.core.request(RequestType::DISCONNECT, RequestKind::Disconnect, body).await;
        self.core.close().await;
        let reply = reply?;
        match MapiResponse::<DisconnectResponse>::decode_exact(&reply.body)? {
            MapiResponse::Completed(r) if r.error_code == ErrorCode(0) => Ok(()),
            MapiResponse::Completed(r) => Err(Error::Mapi { kind: RequestKind::Disconnect, code: r.error_code }),
            MapiResponse::Failed { status_code, .. } => {
                Err(Error::Mapi { kind: RequestKind::Disconnect, code: ErrorCode(status_code) })
            }
        }
    }
}
