//! Per-server state shared by all sessions: retry deduplication, the
//! per-user rate limit and the AUTH failure throttle. Time is passed in, so
//! the rules are tested without sleeping.
//!
//! Everything here lives in the memory of one gateway node. Several nodes
//! behind a load balancer would each keep their own view; a retry that lands
//! on another node is not deduplicated until this moves to the `state` store.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// What [`Dedupe::begin`] found for a Message-ID.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DedupeCheck {
    /// Not seen: the caller submits and then calls [`InFlight::accepted`]
    /// (or drops the guard when the submission failed).
    Fresh(InFlight),
    /// Accepted within the window: answer 250 without submitting again.
    AlreadyAccepted,
    /// Being submitted by another session right now: answer 451 so that the
    /// client retries once the outcome is known.
    InFlight,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    InFlight,
    Accepted(Instant),
}

type Key = (String, String);

/// Message-IDs accepted per user within a window (the retry of a message
/// whose 250 was lost on the way to the client must not send it twice).
#[derive(Debug, Clone)]
pub(crate) struct Dedupe {
    inner: Arc<Mutex<DedupeInner>>,
}

#[derive(Debug)]
struct DedupeInner {
    window: Duration,
    entries: HashMap<Key, Entry>,
    last_prune: Option<Instant>,
}

/// A Message-ID being submitted; forgotten on drop unless accepted, so a
/// failed or abandoned submission can be retried.
#[derive(Debug)]
pub(crate) struct InFlight {
    dedupe: Dedupe,
    key: Option<Key>,
}

impl PartialEq for InFlight {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for InFlight {}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The maps stay consistent across a panic in another session (every
    // update is a single insert or remove), so a poisoned lock is usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Dedupe {
    pub(crate) fn new(window: Duration) -> Self {
        Self { inner: Arc::new(Mutex::new(DedupeInner { window, entries: HashMap::new(), last_prune: None })) }
    }

    /// Looks up `message_id` for `user` and, when fresh, marks it in flight.
    pub(crate) fn begin(&self, user: &str, message_id: &str, now: Instant) -> DedupeCheck {
        let key = (user.to_lowercase(), message_id.to_owned());
        let mut inner = lock(&self.inner);
        if inner.window.is_zero() {
            return DedupeCheck::Fresh(InFlight { dedupe: self.clone(), key: None });
        }
        inner.prune(now);
        let window = inner.window;
        match inner.entries.get(&key) {
            Some(Entry::InFlight) => DedupeCheck::InFlight,
            Some(Entry::Accepted(at)) if now.saturating_duration_since(*at) < window => DedupeCheck::AlreadyAccepted,
            _ => {
                inner.entries.insert(key.clone(), Entry::InFlight);
                DedupeCheck::Fresh(InFlight { dedupe: self.clone(), key: Some(key) })
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.inner).entries.len()
    }
}

impl DedupeInner {
    fn prune(&mut self, now: Instant) {
        // A full sweep at most every tenth of the window keeps begin() O(1)
        // amortised while bounding the map to one window of traffic.
        if self.last_prune.is_some_and(|t| now.saturating_duration_since(t) < self.window / 10) {
            return;
        }
        self.last_prune = Some(now);
        let window = self.window;
        self.entries.retain(|_, e| match e {
            Entry::InFlight => true,
            Entry::Accepted(at) => now.saturating_duration_since(*at) < window,
        });
    }
}

impl InFlight {
    /// The backend accepted the message: remember it for the window.
    pub(crate) fn accepted(mut self, now: Instant) {
        if let Some(key) = self.key.take() {
            lock(&self.dedupe.inner).entries.insert(key, Entry::Accepted(now));
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            lock(&self.dedupe.inner).entries.remove(&key);
        }
    }
}

/// Messages per user per minute (a sliding window of accepted submissions).
#[derive(Debug, Clone)]
pub(crate) struct RateLimit {
    per_minute: Option<u32>,
    sent: Arc<Mutex<HashMap<String, VecDeque<Instant>>>>,
}

const MINUTE: Duration = Duration::from_secs(60);

impl RateLimit {
    pub(crate) fn new(per_minute: Option<u32>) -> Self {
        Self { per_minute, sent: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// `Err(wait)` when `user` already sent their allowance in the last
    /// minute; `wait` is when the oldest of those leaves the window.
    pub(crate) fn check(&self, user: &str, now: Instant) -> Result<(), Duration> {
        let Some(limit) = self.per_minute else { return Ok(()) };
        let mut sent = lock(&self.sent);
        let Some(times) = sent.get_mut(&user.to_lowercase()) else { return Ok(()) };
        while times.front().is_some_and(|t| now.saturating_duration_since(*t) >= MINUTE) {
            times.pop_front();
        }
        if times.len() < limit as usize {
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        Err(MINUTE.saturating_sub(now.saturating_duration_since(oldest)))
    }

    /// Counts an accepted submission.
    pub(crate) fn record(&self, user: &str, now: Instant) {
        if self.per_minute.is_none() {
            return;
        }
        let mut sent = lock(&self.sent);
        sent.retain(|_, times| times.back().is_some_and(|t| now.saturating_duration_since(*t) < MINUTE));
        sent.entry(user.to_lowercase()).or_default().push_back(now);
    }
}

/// Failed AUTH attempts per client address. Success does not reset the
/// count: an attacker holding one valid account could otherwise interleave
/// good logins with guesses at others.
#[derive(Debug, Clone)]
pub(crate) struct AuthThrottle {
    max_failures: u32,
    window: Duration,
    failures: Arc<Mutex<HashMap<IpAddr, (u32, Instant)>>>,
}

impl AuthThrottle {
    pub(crate) fn new(max_failures: u32, window: Duration) -> Self {
        Self { max_failures, window, failures: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// Whether `peer` may try to authenticate now.
    pub(crate) fn allowed(&self, peer: IpAddr, now: Instant) -> bool {
        let failures = lock(&self.failures);
        match failures.get(&peer) {
            Some((count, since)) if now.saturating_duration_since(*since) < self.window => *count < self.max_failures,
            _ => true,
        }
    }

    /// Counts a failed attempt from `peer`.
    pub(crate) fn failed(&self, peer: IpAddr, now: Instant) {
        let window = self.window;
        let mut failures = lock(&self.failures);
        failures.retain(|_, (_, since)| now.saturating_duration_since(*since) < window);
        let entry = failures.entry(peer).or_insert((0, now));
        entry.0 = entry.0.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn accepted_message_id_is_a_duplicate_within_the_window_only() {
        let d = Dedupe::new(Duration::from_secs(600));
        let t0 = Instant::now();
        let DedupeCheck::Fresh(f) = d.begin("Alice@x", "<a@b>", t0) else { panic!("fresh") };
        assert_eq!(d.begin("alice@x", "<a@b>", t0), DedupeCheck::InFlight);
        f.accepted(t0);
        assert_eq!(d.begin("alice@x", "<a@b>", t0 + Duration::from_secs(599)), DedupeCheck::AlreadyAccepted);
        // Another user's identical Message-ID is theirs.
        assert!(matches!(d.begin("bob@x", "<a@b>", t0), DedupeCheck::Fresh(_)));
        assert!(matches!(d.begin("alice@x", "<a@b>", t0 + Duration::from_secs(601)), DedupeCheck::Fresh(_)));
    }

    #[test]
    fn failed_submission_is_forgotten_so_the_retry_goes_through() {
        let d = Dedupe::new(Duration::from_secs(600));
        let t0 = Instant::now();
        let DedupeCheck::Fresh(f) = d.begin("alice@x", "<a@b>", t0) else { panic!("fresh") };
        drop(f);
        assert!(matches!(d.begin("alice@x", "<a@b>", t0), DedupeCheck::Fresh(_)));
    }

    #[test]
    fn old_entries_are_pruned() {
        let d = Dedupe::new(Duration::from_secs(10));
        let t0 = Instant::now();
        for i in 0..100 {
            if let DedupeCheck::Fresh(f) = d.begin("a", &format!("<{i}@x>"), t0) {
                f.accepted(t0);
            }
        }
        assert_eq!(d.len(), 100);
        let _ = d.begin("a", "<new@x>", t0 + Duration::from_secs(11));
        assert_eq!(d.len(), 0, "expired entries gone (the fresh guard was dropped)");
    }

    #[test]
    fn rate_limit_is_a_sliding_minute() {
        let r = RateLimit::new(Some(2));
        let t0 = Instant::now();
        r.record("alice", t0);
        r.record("alice", t0 + Duration::from_secs(10));
        let wait = r.check("ALICE", t0 + Duration::from_secs(20)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(40));
        assert!(r.check("bob", t0).is_ok());
        assert!(r.check("alice", t0 + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn auth_failures_lock_out_a_peer_for_the_window() {
        let a = AuthThrottle::new(3, Duration::from_secs(60));
        let ip: IpAddr = [10, 0, 0, 1].into();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(a.allowed(ip, t0));
            a.failed(ip, t0);
        }
        assert!(!a.allowed(ip, t0 + Duration::from_secs(59)));
        assert!(a.allowed([10, 0, 0, 2].into(), t0));
        assert!(a.allowed(ip, t0 + Duration::from_secs(60)));
    }
}
