//! [MS-OXCNOTIF] push notifications: RopRegisterNotification objects, then a loop of
//! NotificationWait ([MS-OXCMAPIHTTP] 2.2.4.4) and an Execute with an empty ROP list to
//! collect the RopNotify responses (captures 041–044). After a lost context the
//! registrations are made again, so the stream of events continues.

use std::collections::VecDeque;

use mapi_wire::ids::FolderId;
use mapi_wire::rop::{NotifyResponse, RegisterNotificationRequest, RopRequest};

use super::exec::check;
use super::store::{Mailbox, Repeat};
use super::{Error, Result};
use crate::WaitOutcome;

/// What to watch ([MS-OXCROPS] 2.2.14.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watch {
    /// Events of one folder: `types` are [`mapi_wire::rop::NotificationType`] bits below
    /// 0x100 (capture 041: 0x7E).
    Folder {
        /// The folder.
        folder: FolderId,
        /// NotificationTypes.
        types: u8,
    },
    /// Events of the whole store (e.g. NewMail 0x02, capture 041).
    Store {
        /// NotificationTypes.
        types: u8,
    },
}

impl Watch {
    fn request(self, slot: u8) -> RopRequest {
        let (types, target, want_whole_store) = match self {
            Self::Folder { folder, types } => (types, Some((folder.0, 0)), 0),
            Self::Store { types } => (types, None, 1),
        };
        RopRequest::RegisterNotification(RegisterNotificationRequest {
            logon_id: 0,
            input_handle_index: 0,
            output_handle_index: slot,
            notification_types: types,
            reserved: 0,
            target,
            want_whole_store,
        })
    }
}

/// A stream of notifications; [`Notifications::next`] waits for the next one.
pub struct Notifications<'m> {
    mailbox: &'m Mailbox,
    watches: Vec<Watch>,
    handles: Vec<u32>,
    generation: u64,
    queue: VecDeque<NotifyResponse>,
}

impl std::fmt::Debug for Notifications<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifications").field("watches", &self.watches).field("queued", &self.queue.len()).finish()
    }
}

impl Mailbox {
    /// Registers `watches` (one RopRegisterNotification each, in one Execute).
    pub async fn subscribe(&self, watches: Vec<Watch>) -> Result<Notifications<'_>> {
        let mut n =
            Notifications { mailbox: self, watches, handles: Vec::new(), generation: 0, queue: VecDeque::new() };
        n.register().await?;
        Ok(n)
    }
}

impl Notifications<'_> {
    async fn register(&mut self) -> Result<()> {
        if self.watches.len() > 250 {
            return Err(Error::TooLarge("more than 250 notification registrations".into()));
        }
        let watches = self.watches.clone();
        let a = self
            .mailbox
            .run(Repeat::Idempotent, watches.len() + 1, |_| {
                watches.iter().enumerate().map(|(i, w)| w.request(u8::try_from(i + 1).unwrap_or(u8::MAX))).collect()
            })
            .await?;
        let mut handles = Vec::with_capacity(watches.len());
        for i in 0..watches.len() {
            check(a.at(i)?)?;
            handles.push(a.handle(u8::try_from(i + 1).unwrap_or(u8::MAX))?);
        }
        self.handles = handles;
        self.generation = a.generation;
        Ok(())
    }

    /// The server handles of the registrations (NotificationHandle of their events).
    pub fn handles(&self) -> &[u32] {
        &self.handles
    }

    /// The next notification. Waits with NotificationWait (client-side timeout, then
    /// waits again, corrections A5), collects with an empty Execute, re-registers after
    /// a lost context.
    pub async fn next(&mut self) -> Result<NotifyResponse> {
        loop {
            if let Some(n) = self.queue.pop_front() {
                return Ok(n);
            }
            // Events that came along with other Executes of the mailbox.
            let piggybacked = std::mem::take(&mut self.mailbox.inner.lock().await.notifications);
            if !piggybacked.is_empty() {
                self.queue.extend(piggybacked);
                continue;
            }
            if self.mailbox.session().generation().await != self.generation {
                tracing::info!("context changed; registering notifications again");
                self.register().await?;
            }
            match self.mailbox.session().notification_wait().await {
                Ok(WaitOutcome::Events) => {}
                Ok(WaitOutcome::NoEvents | WaitOutcome::TimedOut) => continue,
                Err(crate::Error::Reconnected { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
            match self.mailbox.run_handles(false, &self.handles, Vec::new()).await {
                // The gate has queued the RopNotify responses in the mailbox.
                Ok(_) => {}
                Err(Error::Transport(crate::Error::Reconnected { .. })) => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Releases the registrations (with the next Execute of the mailbox).
    pub async fn close(self) {
        let mut inner = self.mailbox.inner.lock().await;
        if inner.generation == self.generation {
            inner.pending_release.extend(self.handles.iter().rev());
        }
    }
}
