//! `[access]`: which users may log in through this gateway, enforced in
//! front of the account provider so every protocol obeys it alike. A
//! refused user gets the same answer as a wrong password (no hint that the
//! account exists), and Exchange never sees the attempt.

use std::sync::Arc;

use async_trait::async_trait;
use mailbox::{Account, AccountProvider, MailboxError};

use crate::config::AccessConfig;

/// The allow-lists, lower-cased.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccessPolicy {
    domains: Vec<String>,
    users: Vec<String>,
}

impl AccessPolicy {
    /// From the configuration.
    pub fn new(config: &AccessConfig) -> Self {
        Self {
            domains: config.allowed_domains.iter().map(|d| d.trim().to_ascii_lowercase()).collect(),
            users: config.allowed_users.iter().map(|u| u.trim().to_ascii_lowercase()).collect(),
        }
    }

    /// Whether `user` may log in (both lists empty: everyone).
    pub fn allows(&self, user: &str) -> bool {
        if self.domains.is_empty() && self.users.is_empty() {
            return true;
        }
        let user = user.trim().to_ascii_lowercase();
        if self.users.contains(&user) {
            return true;
        }
        user.rsplit_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && self.domains.iter().any(|d| d == domain))
    }
}

/// An [`AccountProvider`] that applies an [`AccessPolicy`] first.
pub struct GuardedProvider {
    policy: AccessPolicy,
    inner: Arc<dyn AccountProvider>,
}

impl GuardedProvider {
    /// Wraps `inner`.
    pub fn new(policy: AccessPolicy, inner: Arc<dyn AccountProvider>) -> Self {
        Self { policy, inner }
    }
}

#[async_trait]
impl AccountProvider for GuardedProvider {
    async fn login(&self, user: &str, password: &str) -> Result<Arc<dyn Account>, MailboxError> {
        if !self.policy.allows(user) {
            tracing::info!(user, "login refused by [access]");
            return Err(MailboxError::AuthenticationFailed);
        }
        self.inner.login(user, password).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailbox::{MemoryAccount, MemoryConfig, MemoryProvider};

    #[test]
    fn lists() {
        let open = AccessPolicy::new(&AccessConfig::default());
        assert!(open.allows("anyone@anywhere.example"));
        let p = AccessPolicy::new(&AccessConfig {
            allowed_domains: vec!["Example.com".into()],
            allowed_users: vec!["guest@partner.example".into()],
        });
        assert!(p.allows("alice@EXAMPLE.com"));
        assert!(p.allows("Guest@partner.example"));
        assert!(!p.allows("other@partner.example"));
        assert!(!p.allows("alice@sub.example.com"));
        assert!(!p.allows("@example.com"));
    }

    #[tokio::test]
    async fn refused_user_never_reaches_the_backend() {
        let dir = tempfile::tempdir().unwrap();
        let state: Arc<dyn state::StateStore> = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
        let memory = MemoryProvider::new();
        for user in ["alice@example.com", "mallory@evil.example"] {
            let account = MemoryAccount::new(user, state.clone(), MemoryConfig::default()).await.unwrap();
            memory.add_user(user, "pw", account);
        }
        let policy =
            AccessPolicy::new(&AccessConfig { allowed_domains: vec!["example.com".into()], allowed_users: vec![] });
        let guarded = GuardedProvider::new(policy, Arc::new(memory));
        assert_eq!(guarded.login("alice@example.com", "pw").await.unwrap().identity(), "alice@example.com");
        assert!(matches!(guarded.login("alice@example.com", "nope").await, Err(MailboxError::AuthenticationFailed)));
        assert!(matches!(guarded.login("mallory@evil.example", "pw").await, Err(MailboxError::AuthenticationFailed)));
    }
}
