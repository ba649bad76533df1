//! The address book endpoint session ([MS-OXCMAPIHTTP] 2.2.5): Bind, then any NSPI
//! request as raw bodies (decode them with `mapi_wire::nspi`), Unbind, PING.

use mapi_wire::Encode;
use mapi_wire::http::{RequestKind, RequestType};
use mapi_wire::nspi::UnbindRequest;

use crate::session::{ContextInfo, Core, Establish};
use crate::{Result, SessionConfig};

/// An address book session context.
pub struct NspiSession {
    core: Core,
}

impl std::fmt::Debug for NspiSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NspiSession").finish_non_exhaustive()
    }
}

impl NspiSession {
    /// Binds ([MS-OXCMAPIHTTP] 2.2.5.1) to `config.url` (the AddressBook URL) with a STAT
    /// for `config.code_page`/`config.lcid`.
    pub async fn bind(config: SessionConfig) -> Result<Self> {
        Ok(Self { core: Core::open(config, Establish::Bind).await? })
    }

    /// What Bind returned (ServerGuid) and how often the context was re-established.
    pub async fn info(&self) -> ContextInfo {
        self.core.info().await
    }

    /// Sends one NSPI request body (encoded with `mapi_wire::nspi`) and returns the
    /// response body (decode it with the matching response type). Same error rules as
    /// [`crate::EmsmdbSession::execute`]: [`crate::Error::Reconnected`] after a
    /// re-Bind, [`crate::Error::Ambiguous`] for ModProps/ModLinkAtt whose answer was
    /// lost; other requests are reads and are re-sent once on a fresh connection.
    pub async fn call(&self, kind: RequestKind, body: Vec<u8>) -> Result<Vec<u8>> {
        let request_type =
            RequestType::parse(kind.wire_name()).map_err(|e| crate::Error::Config(format!("request type: {e}")))?;
        self.call_as(request_type, kind, body).await
    }

    /// [`NspiSession::call`] with an explicit X-RequestType spelling (gromox wants
    /// `QueryColumn`, [`RequestType::QUERY_COLUMN_GROMOX`]; corrections A21).
    pub async fn call_as(&self, request_type: RequestType, kind: RequestKind, body: Vec<u8>) -> Result<Vec<u8>> {
        Ok(self.core.request(request_type, kind, body).await?.body)
    }

    /// PING.
    pub async fn ping(&self) -> Result<()> {
        self.core.request(RequestType::PING, RequestKind::Ping, Vec::new()).await.map(|_| ())
    }

    /// Unbind ([MS-OXCMAPIHTTP] 2.2.5.2); gromox answers ErrorCode 1 (UnbindSuccess).
    pub async fn unbind(&self) -> Result<Vec<u8>> {
        let body = UnbindRequest::default().to_bytes()?;
        let reply = self.core.request(RequestType::UNBIND, RequestKind::Unbind, body).await;
        self.core.close().await;
        Ok(reply?.body)
    }
}
