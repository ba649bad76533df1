//! The per-session notification queue the ROP layer pushes to and
//! NotificationWait waits on ([MS-OXCMAPIHTTP] 2.2.4.4, 3.2.5.5;
//! [MS-OXCNOTIF] 3.1.5).

use std::any::Any;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

/// One pending event. Its type belongs to whoever pushes and pops it (the
/// ROP executor: e.g. a decoded notification or the bytes of a RopNotify
/// response); the HTTP layer only counts them.
pub type Event = Arc<dyn Any + Send + Sync>;

/// A session's event queue; cheap to clone (all clones are the same queue).
#[derive(Clone, Default)]
pub struct NotificationQueue {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    events: Mutex<VecDeque<Event>>,
    notify: Notify,
}

impl std::fmt::Debug for NotificationQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationQueue").field("pending", &self.len()).finish()
    }
}

impl NotificationQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    fn events(&self) -> std::sync::MutexGuard<'_, VecDeque<Event>> {
        self.inner.events.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Appends an event and wakes a waiting NotificationWait.
    pub fn push(&self, event: Event) {
        self.events().push_back(event);
        self.inner.notify.notify_waiters();
        self.inner.notify.notify_one();
    }

    /// Removes and returns every pending event, oldest first (the executor
    /// calls this during Execute to build RopNotify responses).
    pub fn drain(&self) -> Vec<Event> {
        self.events().drain(..).collect()
    }

    /// Puts events back at the front (those that did not fit `MaxRopOut`).
    pub fn requeue_front(&self, events: Vec<Event>) {
        let mut q = self.events();
        for e in events.into_iter().rev() {
            q.push_front(e);
        }
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.events().len()
    }

    /// True if no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits until an event is pending or `timeout` passes; true if one is.
    pub async fn wait(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.notify.notified();
            if !self.is_empty() {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return !self.is_empty();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_returns_on_push_and_on_timeout() {
        let q = NotificationQueue::new();
        assert!(!q.wait(Duration::from_millis(20)).await);
        let q2 = q.clone();
        let t = tokio::spawn(async move { q2.wait(Duration::from_secs(5)).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        q.push(Arc::new(7u32));
        assert!(t.await.expect("join"));
        let got = q.drain();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].downcast_ref::<u32>(), Some(&7));
        assert!(q.is_empty());
    }
}
