//! Errors of the typed mailbox API: transport failures, whole-call failures and ROP
//! failures ([MS-OXCROPS] 2.2.1 ReturnValue).

use mapi_wire::ErrorCode;
use mapi_wire::rop::RopId;

/// Why a typed operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The transport failed (see [`crate::Error`]); `Reconnected` only reaches the
    /// caller for writes (reads are re-opened and repeated).
    #[error(transparent)]
    Transport(#[from] crate::Error),
    /// The whole Execute failed ([MS-OXCMAPIHTTP] 2.2.4.2.2 ErrorCode; corrections B5).
    #[error("Execute failed with {0:?}")]
    Execute(ErrorCode),
    /// One ROP failed ([MS-OXCROPS] 2.2.1 ReturnValue).
    #[error("{rop} failed with {code:?}")]
    Rop {
        /// The ROP.
        rop: RopId,
        /// Its ReturnValue.
        code: ErrorCode,
    },
    /// RopLogon answered ecWrongServer: the mailbox lives on `server` ([MS-OXCROPS] 2.2.3.1.4).
    #[error("mailbox lives on another server: {server}")]
    WrongServer {
        /// ServerName from the redirect response.
        server: String,
    },
    /// The server answered with something the request does not allow.
    #[error("unexpected response: {0}")]
    Protocol(String),
    /// A request cannot be expressed within the protocol's limits (e.g. one ROP larger
    /// than the 32 KB ROP input buffer).
    #[error("request too large: {0}")]
    TooLarge(String),
    /// The address book has no single entry for this address (unknown or ambiguous).
    #[error("no unique address book entry for {0}")]
    UnknownAddress(String),
    /// The session already holds 256 logons, one per LogonId ([MS-OXCROPS] 3.1.4.2).
    #[error("all 256 logon ids of the session are in use")]
    TooManyLogons,
}

impl Error {
    /// True when the session context was lost and re-established before the request
    /// ran ([`crate::Error::Reconnected`]): the server executed nothing of it, every
    /// handle of the old context is gone, and the whole operation may be started again
    /// from its first step.
    pub fn is_lost_context(&self) -> bool {
        matches!(self, Self::Transport(crate::Error::Reconnected { .. }))
    }

    /// True when the server refused the operation for lack of rights: RopLogon on a
    /// mailbox the user has no rights in (ecLoginPerm, [MS-OXCSTOR] 3.2.5.1.1) or any
    /// ROP answered ecAccessDenied.
    pub fn is_permission_denied(&self) -> bool {
        matches!(self, Self::Rop { code, .. } | Self::Execute(code)
            if *code == ErrorCode::LOGIN_PERM || *code == ErrorCode::ACCESS_DENIED)
    }
}

impl From<mapi_wire::DecodeError> for Error {
    fn from(e: mapi_wire::DecodeError) -> Self {
        Self::Transport(e.into())
    }
}

impl From<mapi_wire::EncodeError> for Error {
    fn from(e: mapi_wire::EncodeError) -> Self {
        Self::Transport(e.into())
    }
}

/// Shorthand.
pub type Result<T, E = Error> = std::result::Result<T, E>;
