//! The per-user session pool: one MAPI session per user per node, shared by
//! every front end, re-verified when a different password is offered,
//! closed when idle, capped in number.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use state::{MimeCache, StateStore};
use tokio::sync::Mutex;

use super::ExchangeConfig;
use super::account::ExchangeAccount;
use crate::account::{Account, AccountProvider};

use crate::error::MailboxError;

/// Logs users in to Exchange and hands out their shared accounts.
/// Cheap to clone.
#[derive(Clone)]
pub struct ExchangeProvider {
    inner: Arc<ProviderInner>,
}

impl std::fmt::Debug for ExchangeProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExchangeProvider").field("endpoints", &self.inner.config.endpoints).finish_non_exhaustive()
    }
}

struct ProviderInner {
    config: Arc<ExchangeConfig>,
    state: Arc<dyn StateStore>,
    cache: Arc<MimeCache>,
    sessions: Mutex<HashMap<String, Entry>>,
    /// One login at a time per user, so that concurrent first logins share
    /// one session.
    gates: std::sync::Mutex<HashMap<String, Arc<Mutex<()>>>>,
    logins: AtomicU64,
    reused: AtomicU64,
    connects: AtomicU64,
    refused: AtomicU64,
}

struct Entry {
    password: String,
    account: Arc<ExchangeAccount>,
    last_used: Instant,
}

impl Entry {
    /// Whether no front end holds the account (only the pool does).
    fn idle(&self) -> bool {
        Arc::strong_count(&self.account) == 1
    }
}

/// Counters of the pool, for the gateway's metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Sessions open now.
    pub sessions: usize,
    /// Logins asked for.
    pub logins: u64,
    /// Logins served by an open session.
    pub reused: u64,
    /// Logins that opened a session (authenticated against Exchange).
    pub connects: u64,
    /// Logins refused (wrong password).
    pub refused: u64,
}

/// Compares passwords without an early exit on the first difference.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = u8::from(a.len() != b.len());
    for (i, x) in a.iter().enumerate() {
        diff |= x ^ b.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

impl ExchangeProvider {
    /// A provider for the Exchange in `config`, keeping UIDs and sync state in
    /// `state`.
    pub fn new(config: ExchangeConfig, state: Arc<dyn StateStore>) -> Self {
        let cache = Arc::new(MimeCache::new(config.mime_cache_bytes));
        Self {
            inner: Arc::new(ProviderInner {
                config: Arc::new(config),
                state,
                cache,
                sessions: Mutex::new(HashMap::new()),
                gates: std::sync::Mutex::new(HashMap::new()),
                logins: AtomicU64::new(0),
                reused: AtomicU64::new(0),
                connects: AtomicU64::new(0),
                refused: AtomicU64::new(0),
            }),
        }
    }

    /// The pool's counters.
    pub async fn stats(&self) -> PoolStats {
        let i = &self.inner;
        PoolStats {
            sessions: i.sessions.lock().await.len(),
            logins: i.logins.load(Ordering::Relaxed),
            reused: i.reused.load(Ordering::Relaxed),
            connects: i.connects.load(Ordering::Relaxed),
            refused: i.refused.load(Ordering::Relaxed),
        }
    }

    /// Hits and misses of the rendered-MIME cache shared by this pool's
    /// accounts.
    pub fn cache_stats(&self) -> state::CacheStats {
        self.inner.cache.stats()
    }

    /// Closes sessions no front end has used for the idle timeout; returns
    /// how many. Logins call it too, so a node that keeps logging users in
    /// needs no timer.
    pub async fn close_idle(&self) -> usize {
        let mut sessions = self.inner.sessions.lock().await;
        self.evict_idle(&mut sessions)
    }

    fn evict_idle(&self, sessions: &mut HashMap<String, Entry>) -> usize {
        let timeout = self.inner.config.idle_timeout;
        let before = sessions.len();
        sessions.retain(|_, e| !(e.idle() && e.last_used.elapsed() >= timeout));
        before - sessions.len()
    }

    fn gate(&self, key: &str) -> Arc<Mutex<()>> {
        let mut gates = self.inner.gates.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        gates.retain(|_, g| Arc::strong_count(g) > 1);
        gates.entry(key.to_owned()).or_default().clone()
    }
}

#[async_trait]
impl AccountProvider for ExchangeProvider {
    async fn login(&self, user: &str, password: &str) -> Result<Arc<dyn Account>, MailboxError> {
        Ok(self.login_exchange(user, password).await?)
    }
}

impl ExchangeProvider {
    /// [`AccountProvider::login`] with the concrete account type.
    pub async fn login_exchange(&self, user: &str, password: &str) -> Result<Arc<ExchangeAccount>, MailboxError> {
        let inner = &self.inner;
        inner.logins.fetch_add(1, Ordering::Relaxed);
        if user.is_empty() || password.is_empty() {
            inner.refused.fetch_add(1, Ordering::Relaxed);
            return Err(MailboxError::AuthenticationFailed);
        }
        let key = user.to_lowercase();
        let gate = self.gate(&key);
        let _one_login = gate.lock().await;
        {
            let mut sessions = inner.sessions.lock().await;
            self.evict_idle(&mut sessions);
            if let Some(e) = sessions.get_mut(&key)
                && same_secret(&e.password, password)
            {
                e.last_used = Instant::now();
                inner.reused.fetch_add(1, Ordering::Relaxed);
                return Ok(e.account.clone());
            }
        }
        // Unknown user or another password: Exchange decides.
        let connected = match super::connect::connect(&inner.config, user, password).await {
            Ok(c) => c,
            Err(e) => {
                if matches!(e, MailboxError::AuthenticationFailed) {
                    inner.refused.fetch_add(1, Ordering::Relaxed);
                }
                return Err(e);
            }
        };
        inner.connects.fetch_add(1, Ordering::Relaxed);
        let account = Arc::new(
            ExchangeAccount::open(connected, inner.config.clone(), inner.state.clone(), inner.cache.clone()).await?,
        );
        let mut sessions = inner.sessions.lock().await;
        if !sessions.contains_key(&key) && sessions.len() >= inner.config.max_sessions {
            let lru =
                sessions.iter().filter(|(_, e)| e.idle()).min_by_key(|(_, e)| e.last_used).map(|(k, _)| k.clone());
            match lru {
                Some(k) => {
                    sessions.remove(&k);
                }
                None => {
                    return Err(MailboxError::Unavailable(format!(
                        "session limit of {} reached on this node",
                        inner.config.max_sessions
                    )));
                }
            }
        }
        // A changed password replaces the pooled session; front ends holding
        // the old account keep it until they let go.
        sessions
            .insert(key, Entry { password: password.to_owned(), account: account.clone(), last_used: Instant::now() });
        Ok(account)
    }
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("demo", "demo"));
        assert!(!same_secret("demo", "demO"));
        assert!(!same_secret("demo", "demo2"));
        assert!(!same_secret("demo2", "demo"));
        assert!(!same_secret("", "x"));
    }
}
