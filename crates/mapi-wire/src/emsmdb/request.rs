//! Any mailbox endpoint request body, chosen by its `X-RequestType`
//! ([MS-OXCMAPIHTTP] 2.2.3.3.1, 2.2.4).

use super::{ConnectRequest, DisconnectRequest, ExecuteRequest, NotificationWaitRequest};
use crate::codec::{Decode, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::http::RequestKind;

/// A mailbox endpoint (EMSMDB) request body of any type
/// ([MS-OXCMAPIHTTP] 2.2.4; `PING` 2.2.6 has no body).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Request {
    /// [MS-OXCMAPIHTTP] 2.2.4.1 Connect.
    Connect(ConnectRequest),
    /// [MS-OXCMAPIHTTP] 2.2.4.2 Execute.
    Execute(ExecuteRequest),
    /// [MS-OXCMAPIHTTP] 2.2.4.3 Disconnect.
    Disconnect(DisconnectRequest),
    /// [MS-OXCMAPIHTTP] 2.2.4.4 NotificationWait.
    NotificationWait(NotificationWaitRequest),
    /// [MS-OXCMAPIHTTP] 2.2.6 PING (empty body).
    Ping,
}

impl Request {
    /// Server side: decodes a body that must fill `body` exactly, as the
    /// request type `kind` (from [`crate::http::RequestType::kind`]).
    /// Address book request types are refused.
    pub fn decode_for(kind: RequestKind, body: &[u8]) -> Result<Self, DecodeError> {
        Ok(match kind {
            RequestKind::Connect => Self::Connect(ConnectRequest::decode_exact(body)?),
            RequestKind::Execute => Self::Execute(ExecuteRequest::decode_exact(body)?),
            RequestKind::Disconnect => Self::Disconnect(DisconnectRequest::decode_exact(body)?),
            RequestKind::NotificationWait => Self::NotificationWait(NotificationWaitRequest::decode_exact(body)?),
            RequestKind::Ping => {
                if !body.is_empty() {
                    return Err(DecodeError::TrailingBytes { what: "PING request body", offset: 0, count: body.len() });
                }
                Self::Ping
            }
            _ => {
                return Err(DecodeError::Invalid {
                    what: "X-RequestType",
                    offset: 0,
                    reason: "not a mailbox endpoint request type",
                });
            }
        })
    }

    /// The request type, for `X-RequestType`.
    pub fn kind(&self) -> RequestKind {
        match self {
            Self::Connect(_) => RequestKind::Connect,
            Self::Execute(_) => RequestKind::Execute,
            Self::Disconnect(_) => RequestKind::Disconnect,
            Self::NotificationWait(_) => RequestKind::NotificationWait,
            Self::Ping => RequestKind::Ping,
        }
    }
}

impl Encode for Request {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Self::Connect(r) => r.encode(w),
            Self::Execute(r) => r.encode(w),
            Self::Disconnect(r) => r.encode(w),
            Self::NotificationWait(r) => r.encode(w),
            Self::Ping => Ok(()),
        }
    }
}
