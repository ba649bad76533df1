//! Whole-item access to calendar, task and contact folders: what CalDAV and
//! CardDAV (RFC 4791, RFC 6352) need. An item is a MAPI [`Message`] named by
//! the last segment of its DAV href; its version is the backend's change key
//! (the ETag), and the collection keeps an RFC 6578 change log so that a
//! sync token yields exactly the items changed and removed since.
//!
//! Reached through [`crate::Account::collection`]; a backend without DAV
//! items answers [`MailboxError::NotPermitted`].

use async_trait::async_trait;
use convert::Message;

use crate::error::MailboxError;
use crate::model::FolderInfo;

#[path = "items_query.rs"]
mod query;
pub use query::{Candidate, ItemQuery, TextCondition};

/// One item as a collection listing shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemEntry {
    /// The last segment of the item's href (`<uid>.ics`), unescaped. Chosen
    /// by the client on creation; the backend makes one for items created
    /// elsewhere (from the source key).
    pub name: String,
    /// The item's version, opaque (for MAPI: the hex of the change key);
    /// the DAV layer quotes it as a strong ETag.
    pub etag: String,
    /// The item's mod-sequence (orders changes; for ctag-style summaries).
    pub modseq: u64,
}

/// The precondition of a write (RFC 9110 §13.1.1, §13.1.2).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum WriteCondition {
    /// No precondition: create or replace.
    #[default]
    Always,
    /// `If-Match`: only if the item exists with this ETag.
    IfMatch(String),
    /// `If-None-Match: *`: only if no item has this name.
    IfAbsent,
}

/// What [`ItemCollection::put`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PutOutcome {
    /// A new item was stored; its ETag.
    Created(String),
    /// The item was replaced; its new ETag.
    Replaced(String),
    /// The precondition failed; nothing was written (HTTP 412).
    PreconditionFailed,
}

/// What [`ItemCollection::delete`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// The item is gone.
    Deleted,
    /// No item has this name.
    NotFound,
    /// The `If-Match` ETag is not the item's; nothing was deleted (412).
    PreconditionFailed,
}

/// The answer of [`ItemCollection::changes_since`] (RFC 6578 §3.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemChanges {
    /// Items created or modified since the token, with their current state.
    pub changed: Vec<ItemEntry>,
    /// Names of items removed since the token.
    pub removed: Vec<String>,
    /// The token to hand out now.
    pub token: String,
}

/// A calendar, task or contacts folder as a set of whole items.
#[async_trait]
pub trait ItemCollection: Send + Sync {
    /// The folder.
    fn info(&self) -> &FolderInfo;

    /// Every item, ordered by name.
    async fn list(&self) -> Result<Vec<ItemEntry>, MailboxError>;

    /// The item with this name and its entry; `None` when there is none.
    async fn get(&self, name: &str) -> Result<Option<(ItemEntry, Message)>, MailboxError>;

    /// Creates or replaces the item `name` under `condition`. The message
    /// was validated by the caller (converted from iCalendar or vCard).
    async fn put(&self, name: &str, message: Message, condition: &WriteCondition) -> Result<PutOutcome, MailboxError>;

    /// Deletes the item `name`; with `if_match`, only at that ETag.
    async fn delete(&self, name: &str, if_match: Option<&str>) -> Result<DeleteOutcome, MailboxError>;

    /// The collection's current sync token (opaque text; also a ctag: it
    /// changes whenever an item does).
    async fn sync_token(&self) -> Result<String, MailboxError>;

    /// The changes since `token`; `None` when the token is not (or no
    /// longer) valid for this collection (RFC 6578 §3.2
    /// `DAV:valid-sync-token`: the client starts over).
    async fn changes_since(&self, token: &str) -> Result<Option<ItemChanges>, MailboxError>;

    /// The items that may match `query` (every item that matches is among
    /// them), for the caller to evaluate its filter exactly; `None` when
    /// the backend cannot narrow (the caller lists and opens every item).
    async fn candidates(&self, query: &ItemQuery) -> Result<Option<Vec<Candidate>>, MailboxError> {
        let _ = query;
        Ok(None)
    }
}
