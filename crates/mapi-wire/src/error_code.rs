//! [MS-OXCDATA] 2.4 Error Codes, and the NSPI return codes of [MS-OXNSPI] 2.2.1.2.

open_enum! {
    /// A MAPI error code (`ReturnValue`, `ErrorCode`, PtypErrorCode values).
    ///
    /// [MS-OXCDATA] 2.4. Warnings have the high bit clear but are non-zero.
    pub struct ErrorCode(u32) {
        SUCCESS = 0x0000_0000, "Success";
        NSPI_UNBIND_SUCCESS = 0x0000_0001, "UnbindSuccess";
        NSPI_UNBIND_FAILURE = 0x0000_0002, "UnbindFailure";
        GENERAL_FAILURE = 0x8000_4005, "GeneralFailure";
        NOT_ENOUGH_MEMORY = 0x8007_000E, "NotEnoughMemory";
        INVALID_PARAMETER = 0x8007_0057, "InvalidParameter";
        ACCESS_DENIED = 0x8007_0005, "AccessDenied";
        NOT_SUPPORTED = 0x8004_0102, "NotSupported";
        INVALID_ENTRY_ID = 0x8004_0107, "InvalidEntryId";
        INVALID_OBJECT = 0x8004_0108, "InvalidObject";
        OBJECT_MODIFIED = 0x8004_0109, "ObjectModified";
        OBJECT_DELETED = 0x8004_010A, "ObjectDeleted";
        BUSY = 0x8004_010B, "Busy";
        OUT_OF_RESOURCES = 0x8004_010E, "OutOfResources";
        NOT_FOUND = 0x8004_010F, "NotFound";
        VERSION_MISMATCH = 0x8004_0110, "VersionMismatch";
        LOGON_FAILED = 0x8004_0111, "LogonFailed";
        NETWORK = 0x8004_0115, "Network";
        TOO_COMPLEX = 0x8004_0117, "TooComplex";
        INVALID_CODEPAGE = 0x8004_011E, "InvalidCodepage";
        INVALID_LOCALE = 0x8004_011F, "InvalidLocale";
        INVALID_TYPE = 0x8004_0302, "InvalidType";
        TOO_BIG = 0x8004_0305, "TooBig";
        NOT_COMPLETED = 0x8004_0400, "NotCompleted";
        TABLE_TOO_BIG = 0x8004_0403, "TableTooBig";
        INVALID_BOOKMARK = 0x8004_0405, "InvalidBookmark";
        DUPLICATE_NAME = 0x8004_0604, "DuplicateName";
        HAS_FOLDERS = 0x8004_0609, "HasFolders";
        HAS_MESSAGES = 0x8004_060A, "HasMessages";
        FOLDER_CYCLE = 0x8004_060B, "FolderCycle";
        AMBIGUOUS_RECIPIENT = 0x8004_0700, "AmbiguousRecipient";
        SYNC_OBJECT_DELETED = 0x8004_0800, "SyncObjectDeleted";
        SYNC_IGNORE = 0x8004_0801, "SyncIgnore";
        SYNC_CONFLICT = 0x8004_0802, "SyncConflict";
        NO_PARENT_FOLDER = 0x8004_0803, "NoParentFolder";
        NOT_IMPLEMENTED = 0x8004_0FFF, "NotImplemented";
        WARN_WITH_ERRORS = 0x0004_0380, "WarnWithErrors";
        PARTIALLY_COMPLETE = 0x0004_0680, "PartiallyComplete";
        UNKNOWN_USER = 0x0000_03EB, "UnknownUser";
        UNKNOWN_CODEPAGE = 0x0000_03EF, "UnknownCodePage";
        LOGIN_PERM = 0x0000_03F2, "LoginPerm";
        NO_RECEIVE_FOLDER = 0x0000_0463, "NoReceiveFolder";
        WRONG_SERVER = 0x0000_0478, "WrongServer";
        BUFFER_TOO_SMALL = 0x0000_047D, "BufferTooSmall";
        SERVER_PAUSED = 0x0000_047F, "ServerPaused";
        SERVER_BUSY = 0x0000_0480, "ServerBusy";
        RPC_FORMAT = 0x0000_04B6, "RpcFormat";
        NULL_OBJECT = 0x0000_04B9, "NullObject";
        MESSAGE_TOO_BIG = 0x0000_04D4, "MessageTooBig";
        QUOTA_EXCEEDED = 0x0000_04D9, "QuotaExceeded";
        TOO_MANY_OPEN_OBJECTS = 0x0000_04DE, "TooManyOpenObjects";
        CLIENT_VER_DISALLOWED = 0x0000_04DF, "ClientVerDisallowed";
        FORMAT_ERROR = 0x0000_04ED, "FormatError";
        DST_NULL_OBJECT = 0x0000_0503, "DstNullObject";
        MAILBOX_IN_TRANSIT = 0x0000_050C, "MailboxInTransit";
        PROTOCOL_DISABLED = 0x0000_07D8, "ProtocolDisabled";
        MAILBOX_DISABLED = 0x0000_096C, "MailboxDisabled";
        NOT_ENCRYPTED = 0x0000_0970, "NotEncrypted";
    }
}

impl ErrorCode {
    /// True for `SUCCESS` only.
    pub fn is_success(self) -> bool {
        self.0 == 0
    }

    /// True for codes with the severity bit set (failures, not warnings).
    pub fn is_failure(self) -> bool {
        self.0 & 0x8000_0000 != 0 || (self.0 >= 0x3E8 && self.0 < 0x1_0000)
    }

    /// True for codes a client should answer by backing off and retrying
    /// the same request later (throttling, server busy or paused).
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::SERVER_BUSY | Self::BUSY | Self::SERVER_PAUSED | Self::MAILBOX_IN_TRANSIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_unknown_values_round_trip() {
        assert_eq!(format!("{:?}", ErrorCode::NOT_FOUND), "NotFound");
        assert_eq!(format!("{}", ErrorCode(0x8004_010F)), "NotFound (0x8004010f)");
        assert_eq!(format!("{:?}", ErrorCode(0x1234)), "ErrorCode(0x1234)");
        assert_eq!(ErrorCode::from_name("ServerBusy"), Some(ErrorCode(0x480)));
        assert!(ErrorCode::SERVER_BUSY.is_retryable());
        assert!(ErrorCode::NOT_FOUND.is_failure());
        assert!(!ErrorCode::WARN_WITH_ERRORS.is_failure());
    }
}
