//! The common mailbox model: what every front end (IMAP, SMTP, CalDAV,
//! CardDAV) calls, and the only place that knows what MAPI properties mean.
//!
//! # Layers
//!
//! * The model ([`Account`], [`Folder`] and the value types in [`model`],
//!   [`flags`] and [`search`]) carries no MAPI type: folder and item
//!   identities are opaque bytes, flags are IMAP flags, search criteria are
//!   RFC 3501 SEARCH keys. A second backend (Microsoft Graph) can sit behind
//!   the same traits.
//! * [`mapi`] is the pure MAPI semantics a MAPI-backed implementation needs:
//!   flags ↔ properties, keywords ↔ categories, folder kinds and roles,
//!   envelope from table columns, search criteria → restrictions (plus the
//!   residual evaluated locally), and a restriction evaluator (what Exchange
//!   does with a restriction, for tests and the in-memory backend).
//! * [`memory`] is an in-memory implementation of the traits
//!   ([`MemoryAccount`]) over the real [`state`] store (so UIDs behave as in
//!   production) and `convert` (MIME parsing), for developing and testing the
//!   front ends.
//!
//! * [`exchange`] is the MAPI-backed implementation over `mapi-client`
//!   ([`ExchangeProvider`]): sessions pooled per user, ICS sync into the
//!   state store, MIME rendered on demand, MAPI notifications as the change
//!   feed.
//!
//! * [`directory`] is the organisation's read-only directory (the GAL):
//!   [`Directory`], reached through [`Account::directory`], with an
//!   in-memory implementation ([`MemoryDirectory`]).
//!
//! UIDs, UIDVALIDITY and mod-sequences come from the `state` crate and are
//! re-exported here ([`Uid`], [`UidSet`], [`UidValidity`], [`ModSeq`]).

#![forbid(unsafe_code)]

mod account;
pub mod directory;
mod error;
pub mod exchange;
pub mod flags;
pub mod items;
pub mod mapi;
pub mod memory;
pub mod model;
pub mod schedule;
pub mod search;

pub use account::{Account, AccountProvider, ChangeStream, Folder};
pub use directory::{
    Directory, DirectoryEntry, DirectoryId, DirectoryQuery, DirectorySearch, EntryKind, MemoryDirectory, SearchField,
};
pub use error::MailboxError;
pub use exchange::{
    AuthMode, Endpoints, ExchangeAccount, ExchangeConfig, ExchangeDirectory, ExchangeFolder, ExchangeProvider,
};
pub use flags::{Flag, FlagOp, Flags, Keyword};
pub use items::{
    Candidate, DeleteOutcome, ItemChanges, ItemCollection, ItemEntry, ItemQuery, PutOutcome, TextCondition,
    WriteCondition,
};
pub use memory::{MemoryAccount, MemoryConfig, MemoryProvider};
pub use model::{
    Address, AppendOutcome, AppendRequest, ChangeEvent, ChangeKind, CopyOutcome, Envelope, ExpungeMode, FetchFields,
    FolderId, FolderInfo, FolderKind, MessageData, MoveOutcome, Quota, SelectInfo, SpecialUse, StoreKind, StoreOutcome,
    Submission, SubmitOutcome, Timestamp,
};
pub use schedule::{BusyKind, BusyPeriod, CalendarDetails, NewCalendar};
pub use search::{SearchDate, SearchKey, SearchView, SeqSet};
pub use state::{ModSeq, Uid, UidRange, UidSet, UidValidity};
