//! The model's errors, categorised so that front ends pick the right answer
//! (IMAP `NO [UNAVAILABLE]`, `NO [NONEXISTENT]`, `NO [ALREADYEXISTS]`…,
//! SMTP 4xx/5xx, HTTP 503/404/409).

/// What went wrong in a model call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailboxError {
    /// The backend (Exchange, the state database) is unavailable or busy; the
    /// change was not applied. Retryable: IMAP `NO [UNAVAILABLE]`, SMTP 4xx,
    /// HTTP 503.
    #[error("backend unavailable: {0}")]
    Unavailable(String),
    /// The folder does not exist (IMAP `NO [NONEXISTENT]`).
    #[error("no such folder: {0}")]
    NoSuchFolder(String),
    /// A folder with that name exists (IMAP `NO [ALREADYEXISTS]`).
    #[error("folder exists: {0}")]
    AlreadyExists(String),
    /// The operation is not allowed on this folder (a special folder cannot
    /// be deleted or renamed, a read-only folder) (IMAP `NO [CANNOT]` /
    /// `[NOPERM]`).
    #[error("not permitted: {0}")]
    NotPermitted(String),
    /// The request is invalid (bad name, bad message) (IMAP `NO`/`BAD`).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The message is larger than the backend accepts (IMAP `NO [TOOBIG]`).
    #[error("message too large (limit {limit} bytes)")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A number space ran out (UIDs of a folder); the folder needs a new
    /// UIDVALIDITY.
    #[error("{0} exhausted")]
    Exhausted(&'static str),
    /// The user name or password is wrong, or the backend refused the
    /// account (IMAP `NO [AUTHENTICATIONFAILED]`, SMTP 535, HTTP 401).
    #[error("authentication failed")]
    AuthenticationFailed,
    /// A bug or corrupt state; not retryable.
    #[error("internal error: {0}")]
    Internal(String),
    /// The user lacks the rights for this (another user's mailbox or folder
    /// they were not given access to; a delegate without write rights):
    /// IMAP `NO [NOPERM]`, HTTP 403. Never retryable.
    #[error("access denied: {0}")]
    AccessDenied(String),
}

impl MailboxError {
    /// Whether the same call may succeed later (the client should retry).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

impl From<state::StateError> for MailboxError {
    fn from(e: state::StateError) -> Self {
        if e.is_retryable() {
            return Self::Unavailable(e.to_string());
        }
        match e {
            state::StateError::Exhausted(what) => Self::Exhausted(what),
            state::StateError::UnknownFolder(_) => Self::NoSuchFolder("folder state was deleted".into()),
            other => Self::Internal(other.to_string()),
        }
    }
}
