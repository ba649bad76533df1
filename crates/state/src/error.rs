//! The store's errors, by category: backend trouble (retryable), local misuse
//! (a stale handle, an invalid argument), exhaustion of a number space, and
//! stored data that no longer makes sense.

use std::fmt;

/// What went wrong in a [`crate::StateStore`] call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The database failed or was busy; the change was not applied. Front ends
    /// answer with a retryable error (IMAP `NO [UNAVAILABLE]`, HTTP 503).
    #[error("state database: {0}")]
    Backend(#[source] BackendError),
    /// The data directory could not be prepared.
    #[error("state directory {path}: {source}")]
    Io {
        /// The directory or file concerned.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A schema migration failed; the store refuses to open.
    #[error("state schema migration: {0}")]
    Migration(#[source] BackendError),
    /// The folder handle no longer names a folder (it was deleted).
    #[error("unknown folder {0:?}")]
    UnknownFolder(crate::FolderId),
    /// The DAV collection handle no longer names a collection.
    #[error("unknown DAV collection {0:?}")]
    UnknownCollection(crate::CollectionId),
    /// A number space ran out: UIDs of a folder (the caller gives the folder a
    /// new UIDVALIDITY by deleting and reopening it), UIDVALIDITY values of an
    /// account (in 2106), or mod-sequences.
    #[error("{0} exhausted")]
    Exhausted(&'static str),
    /// The database holds a value this code cannot represent (written by
    /// something else, or damaged).
    #[error("state database holds an invalid {0}")]
    Corrupt(&'static str),
    /// This store does not keep this kind of data.
    #[error("this state backend does not store {0}")]
    Unsupported(&'static str),
}

impl StateError {
    /// Whether retrying the same call later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Backend(_))
    }
}

/// A backend failure, kept opaque so that the trait does not depend on one
/// database driver.
pub struct BackendError(Box<dyn std::error::Error + Send + Sync>);

impl BackendError {
    /// Wraps a driver error.
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(e))
    }
}

impl fmt::Debug for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for BackendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl From<sqlx::Error> for StateError {
    fn from(e: sqlx::Error) -> Self {
        Self::Backend(BackendError::new(e))
    }
}
