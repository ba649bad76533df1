//! The value types of the model: folders, items, envelopes, the results of
//! operations and the change feed's events. No MAPI type appears here.

use std::fmt;
use std::sync::Arc;

use state::{ModSeq, Uid, UidSet, UidValidity};

use crate::flags::Flags;

/// A folder's identity, opaque to front ends (for MAPI: the folder's entry
/// id or source key; for Graph: its id). Stable while the folder exists;
/// compare only for equality.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FolderId(Vec<u8>);

impl FolderId {
    /// Wraps the backend's bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The backend's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for FolderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FolderId(")?;
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// What a folder holds, from its container class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FolderKind {
    /// Mail (IMAP mailboxes).
    Mail,
    /// Calendar items (CalDAV calendars).
    Calendar,
    /// Contacts (CardDAV address books).
    Contacts,
    /// Tasks (CalDAV VTODO collections).
    Tasks,
    /// Sticky notes.
    Notes,
    /// Journal entries.
    Journal,
    /// Anything else (search folders, configuration, unknown classes).
    Other,
}

/// A special-use role (RFC 6154) or a folder the gateway hides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpecialUse {
    /// The inbox (IMAP `INBOX`).
    Inbox,
    /// `\Drafts`.
    Drafts,
    /// `\Sent`.
    Sent,
    /// `\Trash`: Exchange's Deleted Items.
    Trash,
    /// `\Junk`.
    Junk,
    /// `\Archive`, when the mailbox has an archive folder.
    Archive,
    /// The outbox: hidden from front ends (messages there are being sent).
    Outbox,
}

impl SpecialUse {
    /// The RFC 6154 attribute (`\Sent`…); `None` for the inbox and the outbox.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Self::Drafts => Some("\\Drafts"),
            Self::Sent => Some("\\Sent"),
            Self::Trash => Some("\\Trash"),
            Self::Junk => Some("\\Junk"),
            Self::Archive => Some("\\Archive"),
            Self::Inbox | Self::Outbox => None,
        }
    }
}

/// Which message store a folder lives in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StoreKind {
    /// The user's own mailbox (IMAP personal namespace).
    Own,
    /// Another user's mailbox the user may open (IMAP Other Users
    /// namespace); the owner's address.
    Delegate(String),
    /// Public folders (IMAP Shared namespace).
    Public,
}

/// A folder as front ends see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderInfo {
    /// The folder's identity.
    pub id: FolderId,
    /// The parent folder; `None` at the top of its store.
    pub parent: Option<FolderId>,
    /// The folder's own name (display name).
    pub name: String,
    /// The full path from the top of the store, joined with the account's
    /// hierarchy delimiter (`Inbox/Lists/rust`). Delegated and public
    /// stores' paths are relative to their store; front ends add namespace
    /// prefixes.
    pub path: String,
    /// What the folder holds.
    pub kind: FolderKind,
    /// Its special-use role.
    pub role: Option<SpecialUse>,
    /// Which store it lives in.
    pub store: StoreKind,
    /// Whether it has subfolders.
    pub has_children: bool,
}

impl FolderInfo {
    /// Whether front ends hide the folder (the outbox).
    pub fn hidden(&self) -> bool {
        self.role == Some(SpecialUse::Outbox)
    }

    /// Whether the folder is in the user's own mailbox. Delegated mailboxes
    /// and public folders carry the same paths and roles as the user's own
    /// (their own `Inbox` with role Inbox, their `Sent Items`): a lookup by
    /// path or role that means the user's folder must check this too.
    pub fn is_own(&self) -> bool {
        self.store == StoreKind::Own
    }

    /// Whether this is the user's own folder with this role (never a
    /// delegated one with the same role).
    pub fn is_own_role(&self, role: SpecialUse) -> bool {
        self.is_own() && self.role == Some(role)
    }
}

/// A point in time, whole seconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The day (days since 1970-01-01 in UTC) this instant falls on.
    pub fn day(self) -> i64 {
        self.0.div_euclid(86_400)
    }
}

/// A mailbox address of an envelope (RFC 3501 §7.4.2 address structure).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Address {
    /// The display name, if any.
    pub name: Option<String>,
    /// The address (`local@domain`); may be a non-SMTP address for legacy
    /// Exchange senders.
    pub email: String,
}

/// Envelope fields of a mail item, available without fetching the body
/// (for MAPI: table columns). RFC 3501 §7.4.2 ENVELOPE.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Envelope {
    /// The subject, prefix included.
    pub subject: Option<String>,
    /// The author(s).
    pub from: Vec<Address>,
    /// The sender when it differs from the author (sending on behalf);
    /// empty otherwise (IMAP then repeats `from`).
    pub sender: Vec<Address>,
    /// Primary recipients.
    pub to: Vec<Address>,
    /// Carbon-copy recipients.
    pub cc: Vec<Address>,
    /// Blind carbon-copy recipients (known for drafts and sent items only).
    pub bcc: Vec<Address>,
    /// The Date header (submit time). MAPI keeps the instant, not the
    /// original string or zone: front ends format it (in UTC).
    pub date: Option<Timestamp>,
    /// The Message-ID.
    pub message_id: Option<String>,
    /// The In-Reply-To.
    pub in_reply_to: Option<String>,
    /// The Reply-To addresses when the message names any (MAPI:
    /// PidTagReplyRecipientEntries); empty otherwise (IMAP then repeats
    /// `from`, RFC 3501 §7.4.2).
    pub reply_to: Vec<Address>,
}

/// What [`crate::Folder::fetch`] returns per item; fields are `Some` when
/// asked for in [`FetchFields`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageData {
    /// The UID.
    pub uid: Uid,
    /// The item's mod-sequence (always given).
    pub modseq: ModSeq,
    /// The flags, `\Deleted` included.
    pub flags: Option<Flags>,
    /// The internal date: the delivery time.
    pub internal_date: Option<Timestamp>,
    /// The exact size of [`MessageData::mime`] (RFC822.SIZE).
    pub size: Option<u64>,
    /// The envelope.
    pub envelope: Option<Envelope>,
    /// The full MIME message (BODY[]).
    pub mime: Option<Arc<[u8]>>,
}

/// Which fields [`crate::Folder::fetch`] fills in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchFields {
    /// Flags.
    pub flags: bool,
    /// Internal date.
    pub internal_date: bool,
    /// Exact size.
    pub size: bool,
    /// Envelope.
    pub envelope: bool,
    /// Full MIME (costly for MAPI: the item is opened and rendered).
    pub mime: bool,
    /// Only items whose mod-sequence is above this (RFC 7162 CHANGEDSINCE).
    pub changed_since: Option<u64>,
}

impl FetchFields {
    /// Everything but the MIME.
    pub const SUMMARY: Self =
        Self { flags: true, internal_date: true, size: true, envelope: true, mime: false, changed_since: None };
}

/// What SELECT/EXAMINE/STATUS report. RFC 9051 §6.3.2, RFC 7162 §3.1.2
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectInfo {
    /// UIDVALIDITY.
    pub uid_validity: UidValidity,
    /// UIDNEXT.
    pub uid_next: u32,
    /// HIGHESTMODSEQ.
    pub highest_modseq: ModSeq,
    /// How many items.
    pub exists: u32,
    /// How many are not `\Seen`.
    pub unseen: u32,
    /// Sum of the exact sizes (STATUS SIZE).
    pub size: u64,
    /// The flags a client can store permanently (PERMANENTFLAGS, without
    /// `\*`); `\Draft` is absent where the backend fixes it at creation.
    pub permanent_flags: Flags,
    /// Whether clients may create keywords (`\*`).
    pub keywords_allowed: bool,
    /// Whether the folder is read-only for this user.
    pub read_only: bool,
}

/// An APPEND.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppendRequest {
    /// The message, as the client sent it.
    pub mime: Vec<u8>,
    /// Its initial flags.
    pub flags: Flags,
    /// Its internal date; now if absent.
    pub internal_date: Option<Timestamp>,
}

/// The result of an APPEND (RFC 4315 APPENDUID).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendOutcome {
    /// The folder's UIDVALIDITY.
    pub uid_validity: UidValidity,
    /// The new item's UID.
    pub uid: Uid,
}

/// The result of a STORE.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreOutcome {
    /// Every item the store applied to, ascending by UID, with its flags and
    /// mod-sequence afterwards.
    pub items: Vec<(Uid, Flags, ModSeq)>,
    /// Items skipped because they changed after `UNCHANGEDSINCE`
    /// (RFC 7162 §3.1.3 MODIFIED).
    pub modified: UidSet,
}

/// The result of a COPY (RFC 4315 COPYUID).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyOutcome {
    /// The destination's UIDVALIDITY.
    pub uid_validity: UidValidity,
    /// Source UID → destination UID, ascending by source UID.
    pub uids: Vec<(Uid, Uid)>,
}

/// The result of a MOVE (RFC 6851).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveOutcome {
    /// As for COPY.
    pub copied: CopyOutcome,
    /// The source UIDs now gone (to report as EXPUNGE/VANISHED).
    pub expunged: UidSet,
}

/// What EXPUNGE does with `\Deleted` items.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExpungeMode {
    /// Move them to Deleted Items (hard delete when already there).
    #[default]
    MoveToTrash,
    /// Delete them for good (Exchange's recoverable items still keep them).
    HardDelete,
}

/// One change of a folder, for IDLE and DAV push.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeEvent {
    /// The folder.
    pub folder: FolderId,
    /// What changed.
    pub kind: ChangeKind,
}

/// What changed in a folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// New items arrived (IMAP `* N EXISTS`).
    Exists {
        /// Their UIDs.
        uids: UidSet,
        /// How many items the folder holds now.
        exists: u32,
    },
    /// Items went away (IMAP `EXPUNGE`/`VANISHED`).
    Expunged {
        /// Their UIDs.
        uids: UidSet,
    },
    /// An item's flags changed (IMAP `FETCH (FLAGS … MODSEQ …)`).
    Flags {
        /// The item.
        uid: Uid,
        /// Its flags now.
        flags: Flags,
        /// Its mod-sequence now.
        modseq: ModSeq,
    },
    /// The folder was deleted, renamed or got a new UIDVALIDITY: the
    /// subscriber must re-open it.
    Reset,
    /// The subscriber fell behind and events were dropped: it must
    /// resynchronise (CONDSTORE/QRESYNC or a fresh SELECT).
    Lagged,
}

/// A message to send (SMTP submission, RFC 6409).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Submission {
    /// The message as the client sent it. `Bcc` headers, if any, are not
    /// shown to recipients: Bcc comes only from the envelope.
    pub mime: Vec<u8>,
    /// The envelope sender (`MAIL FROM`); empty for the null reverse path.
    pub mail_from: String,
    /// The envelope recipients (`RCPT TO`), in order.
    pub recipients: Vec<String>,
    /// Also save a copy in Sent Items from the gateway (only for clients
    /// that insist; the backend files its own copy).
    pub save_copy: bool,
}

/// What the backend did with a [`Submission`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubmitOutcome {
    /// The Message-ID of the sent message.
    pub message_id: Option<String>,
}

/// A mailbox's storage quota (RFC 9208 §5.1 STORAGE), in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// Bytes in use.
    pub used: u64,
    /// The limit.
    pub limit: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inbox(store: StoreKind) -> FolderInfo {
        FolderInfo {
            id: FolderId::new(b"x".to_vec()),
            parent: None,
            name: "Inbox".into(),
            path: "Inbox".into(),
            kind: FolderKind::Mail,
            role: Some(SpecialUse::Inbox),
            store,
            has_children: false,
        }
    }

    #[test]
    fn a_delegated_inbox_is_not_the_users_own() {
        assert!(inbox(StoreKind::Own).is_own_role(SpecialUse::Inbox));
        assert!(!inbox(StoreKind::Delegate("alice@example.test".into())).is_own_role(SpecialUse::Inbox));
        assert!(!inbox(StoreKind::Public).is_own());
        assert!(!inbox(StoreKind::Own).is_own_role(SpecialUse::Sent));
    }
}
