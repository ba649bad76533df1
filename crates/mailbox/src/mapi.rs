//! MAPI semantics: what the model's notions are in MAPI properties. This is
//! the only module of the gateway that knows them; everything here is pure
//! (no IO) so that the MAPI-backed implementation, the in-memory one and the
//! tests share it.
//!
//! | model | MAPI | module |
//! |---|---|---|
//! | flags, keywords | PidTagMessageFlags, PidTagFlagStatus, PidTagLastVerbExecuted, PidTagIconIndex, PidNameKeywords | [`flags`] |
//! | folder kind, role | PidTagContainerClass, logon special folders / PidTagIpm*EntryId | [`folders`] |
//! | envelope | table columns of the contents table and the recipient table | [`envelope`] |
//! | search criteria | restrictions ([MS-OXCDATA] 2.12) + a local residual | [`search`] |
//! | — | what a server does with a restriction | [`eval`] |
//!
//! Named properties appear as [`mapi_wire::tags::NamedProp`]
//! (`PidLid::…`, `PidName::…`); mapping them to the mailbox's property ids
//! is the backend's job, passed in as a resolver closure.

pub mod envelope;
pub mod eval;
pub mod flags;
pub mod folders;
pub mod search;

use mapi_wire::PropTag;
use mapi_wire::tags::NamedProp;

/// A property the model writes or reads: a plain tag or a named property
/// the backend maps to the mailbox's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropRef {
    /// A plain tag (id < 0x8000).
    Tag(PropTag),
    /// A named property.
    Named(NamedProp),
}

/// Maps a named property to this mailbox's tag (RopGetPropertyIdsFromNames);
/// `None` when the mailbox has no id for it (then nothing can have it set).
pub type Resolver<'a> = &'a (dyn Fn(&NamedProp) -> Option<PropTag> + Sync);
