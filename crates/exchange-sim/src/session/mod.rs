//! Session contexts ([MS-OXCMAPIHTTP] 3.2.1, 3.2.5): created by Connect
//! (mailbox endpoint) or Bind (address book endpoint), named by the context
//! cookie, sequenced by the sequence cookie, bound to the authenticated
//! user, dropped by Disconnect/Unbind, by a reconnect with the old cookies
//! or after `X-ExpirationInfo` milliseconds without a request.
//!
//! Rules implemented here (the HTTP layer maps the errors to
//! `X-ResponseCode`s):
//!
//! * one request at a time per context ([MS-OXCMAPIHTTP] 3.1.5.5):
//!   [`SessionRegistry::begin`] marks the context busy; a second request
//!   gets [`SessionError::Busy`] (NotificationWait and PING do not take the
//!   context, the spec lets NotificationWait run beside Execute);
//! * the sequence cookie changes with every sequenced request (Execute, and
//!   every NSPI request but PING/Unbind) and is checked on those requests;
//!   Connect, Disconnect, PING and NotificationWait do not check it
//!   (captures 073/077/090);
//! * a request whose body turns out to be invalid leaves the sequence as it
//!   was (unlike gromox, corrections A8: the spec does not ask for the
//!   sequence to be lost).

pub mod backend;
mod notify;

pub use backend::{MailboxBackend, MinimalBackend, NspiBackend};
pub use notify::{Event, NotificationQueue};

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::auth::AuthUser;

/// Which endpoint a session context belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SessionKind {
    /// Mailbox endpoint (EMSMDB), created by Connect.
    Mailbox,
    /// Address book endpoint (NSPI), created by Bind.
    AddressBook,
}

/// What the backends keep per session context. The HTTP layer creates it
/// at Connect/Bind and hands it, locked, to every backend call of that
/// context.
pub struct SessionState {
    /// The user the context is bound to.
    pub user: AuthUser,
    /// Mailbox or address book.
    pub kind: SessionKind,
    /// A number naming this context in logs (not the cookie).
    pub serial: u64,
    /// The context's notification queue (also reachable through
    /// [`SessionRegistry::queues_of`]).
    pub notifications: NotificationQueue,
    /// The executor's own per-session data (handle tables, logons,
    /// subscriptions, NSPI state…); `None` until it stores something.
    pub data: Option<Box<dyn Any + Send>>,
}

impl std::fmt::Debug for SessionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionState")
            .field("user", &self.user.address)
            .field("kind", &self.kind)
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// Why a request cannot use a session context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionError {
    /// No context cookie (or no Cookie header): X-ResponseCode 13.
    MissingCookie,
    /// Unknown, expired or disconnected context: X-ResponseCode 10.
    NotFound,
    /// The context belongs to another user: X-ResponseCode 11.
    OtherUser,
    /// The context belongs to the other endpoint: X-ResponseCode 6.
    WrongEndpoint,
    /// Sequence cookie missing or stale: X-ResponseCode 15.
    BadSequence,
    /// Another request of the context is running: X-ResponseCode 15.
    Busy,
}

struct Entry {
    kind: SessionKind,
    user: AuthUser,
    sequence: String,
    last_used: Instant,
    busy: bool,
    state: Arc<Mutex<SessionState>>,
    notifications: NotificationQueue,
}

/// Every live session context; cheap to clone.
#[derive(Clone)]
pub struct SessionRegistry {
    inner: Arc<Mutex<Registry>>,
    expiry: Duration,
}

struct Registry {
    sessions: HashMap<String, Entry>,
    next_serial: u64,
}

impl std::fmt::Debug for SessionRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRegistry").field("expiry", &self.expiry).finish_non_exhaustive()
    }
}

/// A request's hold on a session context; releases the context when
/// dropped.
pub struct SessionGuard {
    registry: SessionRegistry,
    context: String,
    took_busy: bool,
    /// The context's state (lock it for the backend call).
    pub state: Arc<Mutex<SessionState>>,
    /// The context's queue.
    pub notifications: NotificationQueue,
    /// The sequence cookie to send back, if it changed.
    pub new_sequence: Option<String>,
}

impl std::fmt::Debug for SessionGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionGuard").field("took_busy", &self.took_busy).finish_non_exhaustive()
    }
}

impl SessionGuard {
    /// The context cookie value (a session secret: never log it).
    pub fn context(&self) -> &str {
        &self.context
    }

    /// Rotates the sequence cookie now (the request passed every check and
    /// its body decoded).
    pub fn advance_sequence(&mut self) {
        let seq = random_token(SEQUENCE_LEN);
        let mut reg = self.registry.lock();
        if let Some(e) = reg.sessions.get_mut(&self.context) {
            e.sequence.clone_from(&seq);
            self.new_sequence = Some(seq);
        }
    }
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        let mut reg = self.registry.lock();
        if let Some(e) = reg.sessions.get_mut(&self.context) {
            if self.took_busy {
                e.busy = false;
            }
            e.last_used = Instant::now();
        }
    }
}

/// Locks a session's state for a backend call.
pub fn lock_state(state: &Mutex<SessionState>) -> MutexGuard<'_, SessionState> {
    state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

const CONTEXT_LEN: usize = 32;
const SEQUENCE_LEN: usize = 36;

/// A random cookie value of lower-case letters and digits.
fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut raw = vec![0u8; len];
    if getrandom::fill(&mut raw).is_err() {
        // No system randomness: fall back to std's randomly keyed hasher.
        use std::hash::{BuildHasher, Hasher};
        let state = std::collections::hash_map::RandomState::new();
        for (i, b) in raw.iter_mut().enumerate() {
            let mut h = state.build_hasher();
            h.write_usize(i);
            *b = (h.finish() & 0xFF) as u8;
        }
    }
    raw.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect()
}

/// What [`SessionRegistry::begin`] checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BeginOptions {
    /// Check the sequence cookie and issue a new one.
    pub sequenced: bool,
    /// Take the context exclusively (everything but NotificationWait and
    /// PING).
    pub exclusive: bool,
}

impl SessionRegistry {
    /// An empty registry whose contexts expire after `expiry` idle time.
    pub fn new(expiry: Duration) -> Self {
        Self { inner: Arc::new(Mutex::new(Registry { sessions: HashMap::new(), next_serial: 1 })), expiry }
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Creates a context for `user`, taken busy by the returned guard,
    /// with fresh context and sequence cookies. `replace`: the context
    /// cookie the request carried (a reconnect with old cookies,
    /// [MS-OXCMAPIHTTP] 3.2.5.6); that context is dropped if it belongs to
    /// the same user and endpoint and is not busy.
    pub fn create(&self, kind: SessionKind, user: &AuthUser, replace: Option<&str>) -> SessionGuard {
        let context = random_token(CONTEXT_LEN);
        let sequence = random_token(SEQUENCE_LEN);
        let notifications = NotificationQueue::new();
        let mut reg = self.lock();
        if let Some(old) = replace {
            let drop_old = reg.sessions.get(old).is_some_and(|e| e.kind == kind && e.user.same_user(user) && !e.busy);
            if drop_old {
                reg.sessions.remove(old);
            }
        }
        let serial = reg.next_serial;
        reg.next_serial += 1;
        let state = Arc::new(Mutex::new(SessionState {
            user: user.clone(),
            kind,
            serial,
            notifications: notifications.clone(),
            data: None,
        }));
        reg.sessions.insert(
            context.clone(),
            Entry {
                kind,
                user: user.clone(),
                sequence: sequence.clone(),
                last_used: Instant::now(),
                busy: true,
                state: state.clone(),
                notifications: notifications.clone(),
            },
        );
        drop(reg);
        SessionGuard {
            registry: self.clone(),
            context,
            took_busy: true,
            state,
            notifications,
            new_sequence: Some(sequence),
        }
    }

    /// Checks a request against its context: present, alive, same user and
    /// endpoint, not busy (if `exclusive`), right sequence (if `sequenced`,
    /// then rotated). On success the context is held until the guard
    /// drops.
    pub fn begin(
        &self,
        kind: SessionKind,
        user: &AuthUser,
        context: Option<&str>,
        sequence: Option<&str>,
        opts: BeginOptions,
    ) -> Result<SessionGuard, SessionError> {
        let context = context.ok_or(SessionError::MissingCookie)?;
        let now = Instant::now();
        let mut reg = self.lock();
        let expired =
            reg.sessions.get(context).is_some_and(|e| !e.busy && now.duration_since(e.last_used) > self.expiry);
        if expired {
            reg.sessions.remove(context);
        }
        let e = reg.sessions.get_mut(context).ok_or(SessionError::NotFound)?;
        if e.kind != kind {
            return Err(SessionError::WrongEndpoint);
        }
        if !e.user.same_user(user) {
            return Err(SessionError::OtherUser);
        }
        if opts.exclusive && e.busy {
            return Err(SessionError::Busy);
        }
        if opts.sequenced {
            let ok = sequence.is_some_and(|s| s.as_bytes() == e.sequence.as_bytes());
            if !ok {
                return Err(SessionError::BadSequence);
            }
        }
        if opts.exclusive {
            e.busy = true;
        }
        e.last_used = now;
        let guard = SessionGuard {
            registry: self.clone(),
            context: context.to_owned(),
            took_busy: opts.exclusive,
            state: e.state.clone(),
            notifications: e.notifications.clone(),
            new_sequence: None,
        };
        Ok(guard)
    }

    /// Drops a context (Disconnect/Unbind, or a failed Connect/Bind).
    pub fn remove(&self, context: &str) {
        self.lock().sessions.remove(context);
    }

    /// Drops every context idle for longer than the expiry; returns how
    /// many.
    pub fn sweep(&self) -> usize {
        let now = Instant::now();
        let mut reg = self.lock();
        let before = reg.sessions.len();
        reg.sessions.retain(|_, e| e.busy || now.duration_since(e.last_used) <= self.expiry);
        before - reg.sessions.len()
    }

    /// Drops every context now (fault injection: forced expiry). Running
    /// requests finish; the next request of a dropped context gets
    /// X-ResponseCode 10.
    pub fn expire_all(&self) -> usize {
        let mut reg = self.lock();
        let n = reg.sessions.len();
        reg.sessions.clear();
        n
    }

    /// Number of live contexts.
    pub fn len(&self) -> usize {
        self.lock().sessions.len()
    }

    /// True if no context is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The notification queues of `user`'s mailbox contexts (the ROP layer
    /// pushes store events for that user here).
    pub fn queues_of(&self, user: &str) -> Vec<NotificationQueue> {
        self.lock()
            .sessions
            .values()
            .filter(|e| e.kind == SessionKind::Mailbox && e.user.address.eq_ignore_ascii_case(user))
            .map(|e| e.notifications.clone())
            .collect()
    }

    /// Pushes `event` to every mailbox context of `user`; returns how many
    /// queues got it.
    pub fn notify_user(&self, user: &str, event: &Event) -> usize {
        let queues = self.queues_of(user);
        for q in &queues {
            q.push(event.clone());
        }
        queues.len()
    }
}

#[cfg(test)]
mod tests;
