//! Access tokens for Exchange Online users: each user's stored refresh
//! token is redeemed (RFC 6749 §6) when mapi-client asks — before the
//! access token expires (`BEARER_REFRESH_MARGIN`) and once after a 401 — and
//! the rotated refresh token Entra ID returns is sealed and stored again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use mapi_client::{AccessToken, BoxFuture, TokenProvider};

use crate::credstore::CredentialStore;
use crate::oauth::{OAuthClient, OAuthError};

/// Why no access token could be had, in words for the administrator.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// `mapibridge login` was never run for the user (or the token was
    /// forgotten after a revocation).
    #[error("no Exchange Online sign-in is stored for {0}: an administrator must run `mapibridge login --user {0}`")]
    NotSignedIn(String),
    /// The refresh token was refused.
    #[error("{0}")]
    OAuth(#[from] OAuthError),
    /// The state store or the vault failed.
    #[error("token store: {0:#}")]
    Store(anyhow::Error),
}

/// Token sources of every Exchange Online user, one per user.
pub struct TokenBroker {
    client: OAuthClient,
    store: CredentialStore,
    users: Mutex<HashMap<String, Arc<UserTokens>>>,
    refreshes: Arc<AtomicU64>,
    refresh_failures: Arc<AtomicU64>,
}

impl std::fmt::Debug for TokenBroker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenBroker").finish_non_exhaustive()
    }
}

impl TokenBroker {
    /// Over the configured application and the credential store.
    pub fn new(client: OAuthClient, store: CredentialStore) -> Self {
        Self {
            client,
            store,
            users: Mutex::new(HashMap::new()),
            refreshes: Arc::default(),
            refresh_failures: Arc::default(),
        }
    }

    /// The token source of `user` (shared by all of that user's sessions).
    pub fn for_user(&self, user: &str) -> Arc<UserTokens> {
        let key = user.to_lowercase();
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        users
            .entry(key.clone())
            .or_insert_with(|| {
                Arc::new(UserTokens {
                    user: key,
                    client: self.client.clone(),
                    store: self.store.clone(),
                    cached: tokio::sync::Mutex::new(None),
                    refreshes: self.refreshes.clone(),
                    refresh_failures: self.refresh_failures.clone(),
                })
            })
            .clone()
    }

    /// Refresh grants redeemed, and refused or failed.
    pub fn counters(&self) -> (u64, u64) {
        (self.refreshes.load(Ordering::Relaxed), self.refresh_failures.load(Ordering::Relaxed))
    }
}

/// One user's access tokens.
pub struct UserTokens {
    user: String,
    client: OAuthClient,
    store: CredentialStore,
    cached: tokio::sync::Mutex<Option<AccessToken>>,
    refreshes: Arc<AtomicU64>,
    refresh_failures: Arc<AtomicU64>,
}

impl UserTokens {
    /// A valid access token: the cached one unless `force` or it is close to
    /// expiry, else a fresh one from the stored refresh token.
    pub async fn access_token(&self, force: bool) -> Result<AccessToken, TokenError> {
        let mut cached = self.cached.lock().await;
        if !force
            && let Some(t) = cached.as_ref()
            && t.expires_at.is_none_or(|e| e.saturating_duration_since(Instant::now()) > Duration::from_secs(5))
        {
            return Ok(t.clone());
        }
        let fresh = self.refresh().await;
        if fresh.is_err() {
            self.refresh_failures.fetch_add(1, Ordering::Relaxed);
            *cached = None;
        }
        let fresh = fresh?;
        *cached = Some(fresh.clone());
        Ok(fresh)
    }

    async fn refresh(&self) -> Result<AccessToken, TokenError> {
        let refresh_token = self
            .store
            .refresh_token(&self.user)
            .await
            .map_err(TokenError::Store)?
            .ok_or_else(|| TokenError::NotSignedIn(self.user.clone()))?;
        let started = Instant::now();
        let set = match self.client.refresh(&refresh_token).await {
            Ok(set) => set,
            Err(e @ OAuthError::InvalidGrant(_)) => {
                tracing::warn!(user = %self.user, "Exchange Online refresh token refused (revoked or expired); the user needs `mapibridge login` again");
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        if let Some(rotated) = &set.refresh_token {
            self.store.save_refresh_token(&self.user, rotated).await.map_err(TokenError::Store)?;
        }
        tracing::info!(user = %self.user, expires_in = set.expires_in, "Exchange Online access token refreshed");
        Ok(AccessToken { token: set.access_token, expires_at: Some(started + Duration::from_secs(set.expires_in)) })
    }
}

impl TokenProvider for UserTokens {
    fn token(&self, force_refresh: bool) -> BoxFuture<'_, mapi_client::Result<AccessToken>> {
        Box::pin(
            async move { self.access_token(force_refresh).await.map_err(|e| mapi_client::Error::Auth(e.to_string())) },
        )
    }
}
