//! The change feed: MAPI notifications (RopRegisterNotification on the
//! whole store, NotificationWait) wake one task per session, which catches up
//! every watched folder by ICS; the sync index announces what each round
//! committed. Missed or failed notifications lose nothing: after every
//! (re-)subscription the watched folders are caught up, and ICS reports all
//! changes since the last state. There is no polling loop.
//!
//! Other users' mailboxes and the public folders are logons on the user's
//! EMSMDB session (`stores`), each with its own registration and task. The
//! session has one NotificationWait and one event queue ([MS-OXCMAPIHTTP]
//! 2.2.4.4, [MS-OXCNOTIF] 3.1.5): whichever logon's Execute collects the
//! RopNotify responses gets those of every logon. So a wake of any task
//! catches up the watched folders of every store of the transport
//! ([`Peers`]), not only its own; else the own store's task would swallow
//! a delivery to a delegated Inbox.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use mapi_client::api::{Mailbox, Watch};
use tokio::sync::broadcast::{self, error::RecvError};

use super::account::Session;
use super::sync::FolderSync;
use crate::account::ChangeStream;
use crate::error::MailboxError;
use crate::model::{ChangeEvent, ChangeKind, FolderId};

/// NotificationTypes: new mail, object created/deleted/modified/moved/copied
/// ([MS-OXCROPS] 2.2.14.1.1).
const WATCHED_TYPES: u8 = 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40;

/// The session's notification task (started by the first watcher, stopped
/// with the session).
#[derive(Default)]
pub(super) struct Feed {
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    peers: Arc<Peers>,
    /// Whether the store subscription stands (Exchange will notify).
    live: AtomicBool,
    /// Moves on every notification, (re-)subscription and failure: an
    /// index caught up after the last move has missed nothing Exchange
    /// told of (see `FolderSync::vouched`).
    heard: AtomicU64,
}

/// The watched sessions (stores) of one EMSMDB transport: every store's
/// task catches all of them up.
#[derive(Default)]
pub(super) struct Peers {
    sessions: std::sync::Mutex<Vec<Weak<Session>>>,
}

impl Peers {
    fn join(&self, session: &Arc<Session>) {
        let Ok(mut all) = self.sessions.lock() else { return };
        all.retain(|w| w.strong_count() > 0);
        if !all.iter().any(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(session))) {
            all.push(Arc::downgrade(session));
        }
    }

    fn live(&self) -> Vec<Arc<Session>> {
        self.sessions.lock().map(|all| all.iter().filter_map(Weak::upgrade).collect()).unwrap_or_default()
    }
}

impl Feed {
    /// The stores of this feed's transport.
    pub(super) fn peers(&self) -> Arc<Peers> {
        self.peers.clone()
    }

    /// The feed of another store on the transport of `peers`.
    pub(super) fn joining(peers: Arc<Peers>) -> Self {
        Self { task: std::sync::Mutex::new(None), peers, live: AtomicBool::new(false), heard: AtomicU64::new(0) }
    }

    /// The notification count now; `None` while no subscription stands.
    pub(super) fn heard(&self) -> Option<u64> {
        self.live.load(Ordering::SeqCst).then(|| self.heard.load(Ordering::SeqCst))
    }

    fn hear(&self, live: bool) {
        self.live.store(live, Ordering::SeqCst);
        self.heard.fetch_add(1, Ordering::SeqCst);
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        if let Ok(mut t) = self.task.lock()
            && let Some(h) = t.take()
        {
            h.abort();
        }
    }
}

/// [`crate::Folder::watch`].
pub(super) async fn watch(
    session: &Arc<Session>,
    sync: &Arc<FolderSync>,
    folder: FolderId,
) -> Result<ChangeStream, MailboxError> {
    // Events are relative to an index that reflects the mailbox now;
    // subscribing under its lock means no round commits in between.
    let index = sync.current(session).await?;
    let rx = sync.subscribe();
    drop(index);
    ensure_task(session);
    Ok(Box::pin(FeedStream { folder, next: Box::pin(recv(rx)) }))
}

pub(super) fn ensure_task(session: &Arc<Session>) {
    session.feed.peers.join(session);
    let Ok(mut slot) = session.feed.task.lock() else { return };
    if slot.as_ref().is_some_and(|h| !h.is_finished()) {
        return;
    }
    let weak = Arc::downgrade(session);
    let mailbox = session.mailbox.clone();
    *slot = Some(tokio::spawn(notifier(mailbox, weak)));
}

async fn notifier(mailbox: Arc<Mailbox>, session: Weak<Session>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match mailbox.subscribe(vec![Watch::Store { types: WATCHED_TYPES }]).await {
            Ok(mut n) => {
                if !heard(&session, true) || !catch_up_watched(&session).await {
                    return;
                }
                loop {
                    match n.next().await {
                        Ok(_) => {
                            backoff = Duration::from_millis(100);
                            if !heard(&session, true) || !catch_up_watched(&session).await {
                                return;
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "notification wait failed; subscribing again");
                            heard(&session, false);
                            break;
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot register for notifications"),
        }
        if session.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

/// Notes a notification (or the subscription's start or end); false once
/// the session is gone. A notification collected by this store's task may
/// be another store's (module doc), so it moves every peer's count too:
/// none of their indexes may skip a catch-up on the strength of silence.
fn heard(session: &Weak<Session>, live: bool) -> bool {
    let Some(own) = session.upgrade() else { return false };
    own.feed.hear(live);
    for peer in own.feed.peers.live() {
        if !Arc::ptr_eq(&peer, &own) {
            peer.feed.heard.fetch_add(1, Ordering::SeqCst);
        }
    }
    true
}

/// Catches up every watched folder of every store of the session's
/// transport; false once the session is gone.
async fn catch_up_watched(session: &Weak<Session>) -> bool {
    let Some(own) = session.upgrade() else { return false };
    for s in own.feed.peers.live() {
        for sync in s.open_syncs().await {
            if sync.watched()
                && let Err(e) = sync.catch_up(&s).await
            {
                tracing::warn!(error = %e, store = ?s.store, "change feed catch-up failed");
            }
        }
    }
    true
}

type Recv = Pin<Box<dyn Future<Output = (Result<ChangeKind, RecvError>, broadcast::Receiver<ChangeKind>)> + Send>>;

async fn recv(
    mut rx: broadcast::Receiver<ChangeKind>,
) -> (Result<ChangeKind, RecvError>, broadcast::Receiver<ChangeKind>) {
    let r = rx.recv().await;
    (r, rx)
}

/// One subscriber's stream: a lagging receiver gets [`ChangeKind::Lagged`].
struct FeedStream {
    folder: FolderId,
    next: Recv,
}

impl Stream for FeedStream {
    type Item = ChangeEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ChangeEvent>> {
        let (r, rx) = match self.next.as_mut().poll(cx) {
            Poll::Ready(x) => x,
            Poll::Pending => return Poll::Pending,
        };
        self.next = Box::pin(recv(rx));
        let kind = match r {
            Ok(k) => k,
            Err(RecvError::Lagged(_)) => ChangeKind::Lagged,
            Err(RecvError::Closed) => return Poll::Ready(None),
        };
        Poll::Ready(Some(ChangeEvent { folder: self.folder.clone(), kind }))
    }
}
