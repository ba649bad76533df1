//! The typed mailbox API on top of the transport ([MS-OXCSTOR], [MS-OXCFOLD],
//! [MS-OXCTABL], [MS-OXCMSG]): a [`Mailbox`] is one RopLogon over an
//! [`crate::EmsmdbSession`]; its operations batch as many ROPs per Execute as their
//! dependencies allow and return plain MAPI data (property rows, tagged values) for the
//! mailbox layer to convert.
//!
//! * [`Mailbox::logon`] / [`StoreTarget`]: own or another user's mailbox (by
//!   legacyExchangeDN), or public folders; [`SpecialFolder`] ids of the logon;
//!   [`Mailbox::receive_folder`]; [`Mailbox::special_folders`] (PidTagIpm*EntryId,
//!   PidTagAdditionalRenEntryIds → Drafts, Junk, Conflicts…).
//!   Several Mailboxes share one session, each with its own LogonId
//!   ([`Mailbox::logon_id`], [MS-OXCROPS] 3.1.4.2; at most [`MAX_LOGONS`]), which the
//!   executor writes into every ROP it sends.
//! * Tables: [`Mailbox::query`] (one round trip: OpenFolder, Get…Table, SetColumns,
//!   SortTable/Restrict, QueryRows, Release), [`Mailbox::query_all`] and
//!   [`TableCursor`] (paging with large QueryRows and chained output, seek, bookmarks,
//!   find).
//! * Bulk message operations: [`Mailbox::set_read_flags`], [`Mailbox::move_copy`],
//!   [`Mailbox::delete_messages`] — many MIDs per ROP, several ROPs per Execute, split
//!   to stay within the 32 KB ROP input limit; [`Mailbox::update_messages`] (property
//!   writes on many messages, open/set/delete/save/release per message, up to
//!   [`MESSAGES_PER_EXECUTE`] messages per Execute, failures per message).
//! * Messages: [`Mailbox::recipients`] (RopOpenMessage + RopReadRecipients),
//!   [`Mailbox::attachment_table`]; [`Mailbox::read_messages`] (properties and
//!   recipients of many messages, as many per Execute as their answers fit).
//! * Properties: [`Mailbox::message_properties`] (GetPropertiesAll/Specific with the
//!   open; too-large values streamed), [`Mailbox::read_stream`],
//!   [`Mailbox::property_ids`] (named properties, cached per store).
//! * Writing: [`Mailbox::create_message`] (create, properties, recipients, attachments,
//!   save, submit in one Execute; an ambiguous outcome is checked by search key, never
//!   replayed: [`WriteReport`]).
//! * ICS: [`Mailbox::sync_contents`], [`Mailbox::sync_hierarchy`] (initial and
//!   incremental; state as bytes via [`state_to_bytes`]).
//! * Notifications: [`Mailbox::subscribe`] → [`Notifications::next`] (NotificationWait
//!   loop, empty Execute to collect RopNotify, re-registration after a reconnect).
//! * Store properties: [`Mailbox::store_properties`] (RopGetPropertiesSpecific on the
//!   logon), [`Mailbox::quota`].
//! * Folders: [`Mailbox::create_folder`], [`Mailbox::delete_folder`],
//!   [`Mailbox::move_folder`], [`Mailbox::empty_folder`].
//!
//! * Address book: [`AddressBook`] over an [`crate::NspiSession`] — GAL browsing,
//!   prefix search, ResolveNames, DNToMId, GetProps, photos, the logon target of another
//!   user's mailbox by SMTP address ([`AddressBook::mailbox_target`]).
//!
//! Resilience: each operation opens what it needs from the logon and releases it in the
//! same Execute, so after a lost context ([`crate::Error::Reconnected`]) the API logs on
//! again and repeats reads and the self-contained creates ([`Mailbox::create_message`]
//! in one Execute, [`Mailbox::create_folder`]), which the server refused before running
//! them; other writes come back as `Reconnected` (not executed) for the caller to
//! decide. A write whose answer was lost is never repeated (see [`WriteReport`]). RopBackoff and RopBufferTooSmall tails are sent again.

mod batch;
mod bulk;
mod create;
mod error;
mod exec;
mod folder;
mod folder_props;
mod ics;
mod logon_ids;
mod logon_props;
mod message;
mod notify;
mod nspi;
mod props;
mod read_many;
mod replace;
mod special;
mod store;
mod table;

pub use batch::{MESSAGES_PER_EXECUTE, MessageFailure, MessageUpdate, UpdateOutcome};
pub use bulk::{BulkOutcome, MIDS_PER_ROP};
pub use create::{LARGE_VALUE, NewAttachment, NewMessage, PID_TAG_SEARCH_KEY, WriteReport};
pub use error::{Error, Result};
pub use exec::{CHAINED_MAX_ROP_OUT, MAX_ROP_IN, WireCounters};
pub use ics::{IMPORT_DELETES_TAG, IcsOptions, state_from_bytes, state_to_bytes};
pub(crate) use logon_ids::LogonIds;
pub use logon_ids::MAX_LOGONS;
pub use logon_props::{
    PID_TAG_MESSAGE_SIZE_EXTENDED, PID_TAG_PROHIBIT_RECEIVE_QUOTA, PID_TAG_PROHIBIT_SEND_QUOTA,
    PID_TAG_STORAGE_QUOTA_LIMIT, StoreQuota,
};
pub use message::{CODE_PAGE_LOGON, Recipient};
pub use notify::{Notifications, Watch};
pub use nspi::{AddressBook, PID_TAG_ANR, PID_TAG_EMAIL_ADDRESS, PID_TAG_THUMBNAIL_PHOTO, Resolution};
pub use props::ObjectPath;
pub use read_many::{MessageRead, READS_PER_EXECUTE};
pub use replace::{ItemAttachment, ItemContent};
pub use special::{SPECIAL_FOLDER_TAGS, SpecialFolders};
pub use store::{LogonInfo, Mailbox, MailboxOptions, SpecialFolder, StoreTarget, logon_request};
pub use table::{Rows, TableCursor, TableKind, TableSpec};
