//! The traits front ends call: [`Account`] (one authenticated user) and
//! [`Folder`] (one folder of it).

use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use futures_core::Stream;
use state::UidSet;

use crate::directory::Directory;
use crate::error::MailboxError;
use crate::flags::FlagOp;
use crate::items::ItemCollection;
use crate::model::{
    AppendOutcome, AppendRequest, ChangeEvent, CopyOutcome, FetchFields, FolderId, FolderInfo, MessageData,
    MoveOutcome, Quota, SelectInfo, StoreKind, StoreOutcome, Submission, SubmitOutcome,
};
use crate::search::SearchKey;

/// The change feed of one folder: events in the order they happened. Ends
/// when the account is dropped.
pub type ChangeStream = Pin<Box<dyn Stream<Item = ChangeEvent> + Send>>;

/// Authenticates users and hands out their [`Account`]: the entry point of
/// every front end. One provider serves a whole gateway node.
#[async_trait]
pub trait AccountProvider: Send + Sync {
    /// Checks `password` for `user` against the backend and returns the
    /// user's account, shared by all their connections (a second login of the
    /// same user gets the same account). A wrong password is
    /// [`MailboxError::AuthenticationFailed`]; a backend that cannot be
    /// reached is [`MailboxError::Unavailable`].
    async fn login(&self, user: &str, password: &str) -> Result<Arc<dyn Account>, MailboxError>;
}

/// An authenticated user: their own mailbox, the delegated mailboxes and the
/// public folders they can see. Shared by every connection of the user
/// (`Arc<dyn Account>`).
#[async_trait]
pub trait Account: Send + Sync {
    /// The login identity (normalised, e.g. the primary SMTP address).
    fn identity(&self) -> &str;

    /// The hierarchy delimiter of folder paths (default `/`).
    fn delimiter(&self) -> char;

    /// Every folder the user can see, hidden ones (the outbox) included, in
    /// path order.
    async fn list_folders(&self) -> Result<Vec<FolderInfo>, MailboxError>;

    /// The folder with this path in the user's own mailbox (`INBOX` matches
    /// the inbox case-insensitively).
    async fn folder_by_path(&self, path: &str) -> Result<Arc<dyn Folder>, MailboxError>;

    /// The folder with this id.
    async fn folder(&self, id: &FolderId) -> Result<Arc<dyn Folder>, MailboxError>;

    /// Creates a mail folder at `path` (parents must exist).
    async fn create_folder(&self, path: &str) -> Result<FolderInfo, MailboxError>;

    /// Renames or moves a folder (and its subtree) to `new_path`. Special
    /// folders cannot be renamed.
    async fn rename_folder(&self, path: &str, new_path: &str) -> Result<FolderInfo, MailboxError>;

    /// Deletes a folder and its contents. Special folders cannot be deleted.
    async fn delete_folder(&self, path: &str) -> Result<(), MailboxError>;

    /// Subscribes to a path (RFC 9051 §6.3.7).
    async fn subscribe(&self, path: &str) -> Result<(), MailboxError>;

    /// Unsubscribes; returns whether the path was subscribed.
    async fn unsubscribe(&self, path: &str) -> Result<bool, MailboxError>;

    /// The subscribed paths, sorted.
    async fn subscriptions(&self) -> Result<Vec<String>, MailboxError>;

    /// Sends a message (SMTP submission): the backend delivers it to
    /// `submission.recipients` and files the one copy in Sent Items itself.
    /// Returns only once the backend accepted the submission. A From the
    /// user may not send as is [`MailboxError::NotPermitted`].
    async fn submit(&self, submission: Submission) -> Result<SubmitOutcome, MailboxError>;

    /// The storage quota of the user's own mailbox (for MAPI: the store's
    /// PidTagMessageSizeExtended against PidTagProhibitSendQuota), or
    /// `None` when the backend sets none or cannot tell (IMAP QUOTA,
    /// RFC 9208). Added for the IMAP front end; the default knows none.
    async fn quota(&self) -> Result<Option<Quota>, MailboxError> {
        Ok(None)
    }

    /// The calendar, task or contacts folder `folder` as whole items
    /// (CalDAV/CardDAV). Backends without DAV items keep the default.
    async fn collection(&self, folder: &FolderId) -> Result<Arc<dyn ItemCollection>, MailboxError> {
        let _ = folder;
        Err(MailboxError::NotPermitted("this backend has no DAV items".into()))
    }

    /// Sends a meeting request, update, cancellation or response (a
    /// meeting-class message, see [`crate::schedule`]) to its recipients
    /// through the backend, which files it in Sent Items. Returns once the
    /// backend accepted it.
    async fn send_meeting_message(&self, message: convert::Message) -> Result<(), MailboxError> {
        let _ = message;
        Err(MailboxError::NotPermitted("this backend cannot send meeting messages".into()))
    }

    /// The meeting messages received (requests, responses, cancellations in
    /// the Inbox) as a read-and-delete collection: CalDAV's schedule inbox.
    async fn schedule_inbox(&self) -> Result<Arc<dyn ItemCollection>, MailboxError> {
        Err(MailboxError::NotPermitted("this backend has no schedule inbox".into()))
    }

    /// The busy periods of `user` (an SMTP address; the account's own or
    /// another user's whose free/busy the account may read) overlapping
    /// `[from, to)`, recurring items expanded, ordered by start.
    async fn free_busy(
        &self,
        user: &str,
        from: crate::model::Timestamp,
        to: crate::model::Timestamp,
    ) -> Result<Vec<crate::schedule::BusyPeriod>, MailboxError> {
        let _ = (user, from, to);
        Err(MailboxError::NotPermitted("this backend has no free/busy".into()))
    }

    /// Creates a calendar or task folder at the top of the mailbox; an
    /// existing name is [`MailboxError::AlreadyExists`].
    async fn create_calendar(&self, calendar: &crate::schedule::NewCalendar) -> Result<FolderInfo, MailboxError> {
        let _ = calendar;
        Err(MailboxError::NotPermitted("this backend cannot create calendars".into()))
    }

    /// The description and colour of a calendar or task folder (none
    /// known by default).
    async fn calendar_details(&self, folder: &FolderId) -> Result<crate::schedule::CalendarDetails, MailboxError> {
        let _ = folder;
        Ok(crate::schedule::CalendarDetails::default())
    }

    /// The organisation's directory (global address list) as this user
    /// sees it, read-only; `None` when the backend has none. Added for the
    /// CardDAV directory address book; the default has none.
    fn directory(&self) -> Option<Arc<dyn Directory>> {
        None
    }

    /// The folders of one store: the user's own, another user's mailbox
    /// (opened on first use by the owner's address, so a mailbox the user
    /// was not offered is reachable by name) or the public folders. A
    /// mailbox the user may not open is [`MailboxError::AccessDenied`].
    /// Added for delegated mailboxes; the default filters
    /// [`Account::list_folders`].
    async fn store_folders(&self, store: &StoreKind) -> Result<Vec<FolderInfo>, MailboxError> {
        Ok(self.list_folders().await?.into_iter().filter(|f| &f.store == store).collect())
    }
}

/// One folder. Operations on sets of items are one backend batch each.
#[async_trait]
pub trait Folder: Send + Sync {
    /// The folder as listed.
    fn info(&self) -> &FolderInfo;

    /// SELECT/EXAMINE/STATUS figures, after catching up with the backend.
    async fn select(&self) -> Result<SelectInfo, MailboxError>;

    /// Every UID in the folder, ascending (the session's sequence numbers are
    /// positions in this list).
    async fn uids(&self) -> Result<Vec<state::Uid>, MailboxError>;

    /// The asked-for fields of the items with UIDs in `uids`, ascending by
    /// UID; UIDs not in the folder are skipped.
    async fn fetch(&self, uids: &UidSet, fields: FetchFields) -> Result<Vec<MessageData>, MailboxError>;

    /// Stores a message; returns its UID once the backend has committed it.
    async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, MailboxError>;

    /// Changes flags of the items in `uids`, in one batch. Items whose
    /// mod-sequence is above `unchanged_since` are left alone and reported.
    async fn store(
        &self,
        uids: &UidSet,
        op: &FlagOp,
        unchanged_since: Option<u64>,
    ) -> Result<StoreOutcome, MailboxError>;

    /// Copies the items to `target`, in one batch.
    async fn copy(&self, uids: &UidSet, target: &FolderId) -> Result<CopyOutcome, MailboxError>;

    /// Moves the items to `target`, in one batch.
    async fn move_to(&self, uids: &UidSet, target: &FolderId) -> Result<MoveOutcome, MailboxError>;

    /// Removes the `\Deleted` items (only those in `uids` when given: UID
    /// EXPUNGE), moving them to Deleted Items or deleting them per the
    /// configuration; returns the UIDs gone.
    async fn expunge(&self, uids: Option<&UidSet>) -> Result<UidSet, MailboxError>;

    /// The UIDs of the items matching `key`, ascending. Sequence numbers in
    /// `key` are positions in [`Folder::uids`]; front ends with a different
    /// view translate them to UIDs first.
    async fn search(&self, key: &SearchKey) -> Result<UidSet, MailboxError>;

    /// UIDs removed after mod-sequence `since` (RFC 7162 §3.2.6 VANISHED),
    /// and whether the answer is complete (`false`: old tombstones expired;
    /// the caller falls back as RFC 7162 §3.2.5.2 allows).
    async fn vanished_since(&self, since: u64) -> Result<(UidSet, bool), MailboxError>;

    /// Claims the `\Recent` UIDs (RFC 3501 §2.3.2) for the calling session:
    /// those that arrived since the previous claim by any session. Exactly
    /// one session gets each.
    async fn claim_recent(&self) -> Result<UidSet, MailboxError>;

    /// The change feed of this folder from now on (IDLE, DAV push).
    async fn watch(&self) -> Result<ChangeStream, MailboxError>;

    /// How many items are `\Recent` but not yet claimed by a session (IMAP
    /// STATUS RECENT, RFC 3501 §6.3.10); claims nothing. Added for the IMAP
    /// front end; the default knows none.
    async fn recent_count(&self) -> Result<u32, MailboxError> {
        Ok(0)
    }

    /// [`Folder::select`] and [`Folder::uids`] from one look at the
    /// backend, consistent with each other (SELECT needs both). The UIDs
    /// may be shared with other callers and stay valid as a snapshot; the
    /// caller's [`Folder::watch`], begun before this call, brings every
    /// later change. Added for the IMAP front end; the default calls both.
    async fn select_with_uids(&self) -> Result<(SelectInfo, Arc<[state::Uid]>), MailboxError> {
        let info = self.select().await?;
        let uids = self.uids().await?;
        Ok((info, uids.into()))
    }
}
