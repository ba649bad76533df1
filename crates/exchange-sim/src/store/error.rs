//! Typed store errors and their MAPI error codes ([MS-OXCDATA] 2.4).

use mapi_wire::ErrorCode;

/// An error from the store. Every variant maps to the MAPI error code the
/// ROP layer returns ([`StoreError::error_code`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The object does not exist (ecNotFound).
    #[error("not found: {0}")]
    NotFound(String),
    /// The caller lacks the rights (ecAccessDenied).
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// A sibling folder with the same display name exists, or a user with the
    /// same address (ecDuplicateName).
    #[error("duplicate name: {0}")]
    DuplicateName(String),
    /// The folder still has subfolders (ecHasFolders).
    #[error("folder has subfolders")]
    HasFolders,
    /// The folder still has messages (ecHasMessages).
    #[error("folder has messages")]
    HasMessages,
    /// The object was (soft-)deleted (ecObjectDeleted).
    #[error("object deleted")]
    ObjectDeleted,
    /// Moving a folder under itself or a descendant (ecFolderCycle).
    #[error("folder cycle")]
    FolderCycle,
    /// A bad argument (ecInvalidParameter).
    #[error("invalid parameter: {0}")]
    InvalidParameter(&'static str),
    /// The operation is not supported on this object (ecNotSupported).
    #[error("not supported: {0}")]
    NotSupported(&'static str),
    /// The store's id or name space is exhausted (ecOutOfResources? ecTooBig).
    #[error("exhausted: {0}")]
    Exhausted(&'static str),
    /// Stored bytes could not be read back (ecCorruptData → GeneralFailure).
    #[error("corrupt store data: {0}")]
    Corrupt(String),
    /// SQLite failed (ecError).
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// File system failure opening the data directory (ecError).
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// Password hashing failed (ecError).
    #[error("password hashing failed")]
    PasswordHash,
}

impl StoreError {
    /// The MAPI error code for this error ([MS-OXCDATA] 2.4).
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::NotFound(_) => ErrorCode::NOT_FOUND,
            Self::AccessDenied(_) => ErrorCode::ACCESS_DENIED,
            Self::DuplicateName(_) => ErrorCode::DUPLICATE_NAME,
            Self::HasFolders => ErrorCode::HAS_FOLDERS,
            Self::HasMessages => ErrorCode::HAS_MESSAGES,
            Self::ObjectDeleted => ErrorCode::OBJECT_DELETED,
            Self::FolderCycle => ErrorCode::FOLDER_CYCLE,
            Self::InvalidParameter(_) => ErrorCode::INVALID_PARAMETER,
            Self::NotSupported(_) => ErrorCode::NOT_SUPPORTED,
            Self::Exhausted(_) => ErrorCode::OUT_OF_RESOURCES,
            Self::Database(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) =>
            {
                ErrorCode::BUSY
            }
            Self::Corrupt(_) | Self::Database(_) | Self::Io(_) | Self::PasswordHash => ErrorCode::GENERAL_FAILURE,
        }
    }

    pub(crate) fn not_found(what: impl std::fmt::Display) -> Self {
        Self::NotFound(what.to_string())
    }
}

/// Result type of the store.
pub type StoreResult<T> = Result<T, StoreError>;
