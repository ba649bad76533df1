//! Change events, published after each committed store call, for the
//! notification layer ([MS-OXCNOTIF] 2.2.1.4 event types: ObjectCreated,
//! ObjectModified, ObjectDeleted, ObjectMoved, ObjectCopied). NewMail is a
//! transport event: the delivery code emits it itself.

use std::sync::{Arc, Mutex, mpsc};

use mapi_wire::ids::{FolderId, MessageId};

use super::lock;

/// One committed change. `store` is the [`MailboxInfo::store_id`](super::MailboxInfo::store_id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreEvent {
    /// A folder was created (RopCreateFolder).
    FolderCreated {
        /// The store.
        store: i64,
        /// The new folder.
        folder: FolderId,
        /// Its parent.
        parent: FolderId,
    },
    /// A folder's properties changed.
    FolderModified {
        /// The store.
        store: i64,
        /// The folder.
        folder: FolderId,
    },
    /// A folder was deleted (soft or hard), also by RopEmptyFolder.
    FolderDeleted {
        /// The store.
        store: i64,
        /// The folder.
        folder: FolderId,
        /// Its former parent.
        parent: FolderId,
    },
    /// A folder moved (RopMoveFolder).
    FolderMoved {
        /// The store.
        store: i64,
        /// The folder (same FID).
        folder: FolderId,
        /// The former parent.
        old_parent: FolderId,
        /// The new parent.
        new_parent: FolderId,
    },
    /// A folder was copied (RopCopyFolder).
    FolderCopied {
        /// The store.
        store: i64,
        /// The new folder.
        folder: FolderId,
        /// Its parent.
        parent: FolderId,
        /// The source folder.
        source: FolderId,
    },
    /// A message was saved for the first time.
    MessageCreated {
        /// The store.
        store: i64,
        /// Its folder.
        folder: FolderId,
        /// The message.
        message: MessageId,
        /// True for FAI.
        fai: bool,
    },
    /// A saved message changed (properties or read state).
    MessageModified {
        /// The store.
        store: i64,
        /// Its folder.
        folder: FolderId,
        /// The message.
        message: MessageId,
        /// True if only the read state changed.
        read_state_only: bool,
    },
    /// A message was deleted (soft or hard).
    MessageDeleted {
        /// The store.
        store: i64,
        /// Its folder.
        folder: FolderId,
        /// The message.
        message: MessageId,
    },
    /// A message moved: it has a new MID in the new folder, the old MID
    /// is gone ([MS-OXCNOTIF] 2.2.1.4.1.2 ObjectMoved: MID and OldMID).
    MessageMoved {
        /// The store.
        store: i64,
        /// The message's MID in the new folder.
        message: MessageId,
        /// Its former MID (in the old folder).
        old_message: MessageId,
        /// The former folder.
        old_folder: FolderId,
        /// The new folder.
        new_folder: FolderId,
    },
    /// A message was copied.
    MessageCopied {
        /// The store.
        store: i64,
        /// The new message.
        message: MessageId,
        /// Its folder.
        folder: FolderId,
        /// The source message.
        source: MessageId,
        /// The source folder.
        source_folder: FolderId,
    },
}

type Callback = Arc<dyn Fn(&StoreEvent) + Send + Sync>;

/// The subscribers of a store and the events of the call in progress.
#[derive(Default)]
pub(crate) struct Bus {
    subscribers: Mutex<Vec<(u64, Callback)>>,
    next: Mutex<u64>,
    pending: Mutex<Vec<StoreEvent>>,
}

/// A subscription handle for [`Store::unsubscribe`](super::Store::unsubscribe).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SubscriptionId(u64);

impl Bus {
    pub(crate) fn subscribe(&self, f: Callback) -> SubscriptionId {
        let mut n = lock(&self.next);
        *n += 1;
        let id = *n;
        lock(&self.subscribers).push((id, f));
        SubscriptionId(id)
    }

    pub(crate) fn unsubscribe(&self, id: SubscriptionId) {
        lock(&self.subscribers).retain(|(i, _)| *i != id.0);
    }

    /// Queues an event of the transaction in progress.
    pub(crate) fn emit(&self, e: StoreEvent) {
        lock(&self.pending).push(e);
    }

    /// How many events are queued (to undo a failed nested call).
    pub(crate) fn mark(&self) -> usize {
        lock(&self.pending).len()
    }

    /// Drops the events queued after `mark` (the call failed).
    pub(crate) fn truncate(&self, mark: usize) {
        lock(&self.pending).truncate(mark);
    }

    /// Takes the queued events (the transaction committed).
    pub(crate) fn take(&self) -> Vec<StoreEvent> {
        std::mem::take(&mut *lock(&self.pending))
    }

    /// Calls every subscriber for every event (outside the store lock).
    pub(crate) fn publish(&self, events: Vec<StoreEvent>) {
        if events.is_empty() {
            return;
        }
        let subs: Vec<Callback> = lock(&self.subscribers).iter().map(|(_, f)| f.clone()).collect();
        for e in &events {
            for s in &subs {
                s(e);
            }
        }
    }
}

/// A subscription that forwards events into a channel.
pub(crate) fn channel() -> (Callback, mpsc::Receiver<StoreEvent>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    (
        Arc::new(move |e: &StoreEvent| {
            let _ = lock(&tx).send(e.clone());
        }),
        rx,
    )
}
