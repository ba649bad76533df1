//! What the gateway keeps per Exchange Online user in the state store: the
//! refresh token, sealed by [`crate::vault::Vault`], and the gateway
//! password's argon2id PHC string (`mapibridge passwd`), which IMAP/SMTP/DAV
//! logins of `auth = "oauth"` users are checked against.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use mapi_client::Secret;
use state::{AccountId, StateStore};

use crate::vault::Vault;

/// Credential kind of the sealed refresh token.
pub const REFRESH_TOKEN: &str = "oauth.refresh_token";
/// Credential kind of the gateway password hash.
pub const PASSWORD_HASH: &str = "gateway.password";

/// The outcome of checking a gateway password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordCheck {
    /// It matches the stored hash.
    Valid,
    /// It does not.
    Wrong,
    /// No password was set for the user.
    NotSet,
}

/// The per-user credentials in the state store.
#[derive(Clone)]
pub struct CredentialStore {
    state: Arc<dyn StateStore>,
    vault: Option<Arc<Vault>>,
}

impl std::fmt::Debug for CredentialStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialStore").finish_non_exhaustive()
    }
}

fn account(user: &str) -> AccountId {
    AccountId::new(user.to_lowercase())
}

impl CredentialStore {
    /// Over `state`; `vault` seals refresh tokens (`None`: only passwords).
    pub fn new(state: Arc<dyn StateStore>, vault: Option<Arc<Vault>>) -> Self {
        Self { state, vault }
    }

    fn vault(&self) -> anyhow::Result<&Vault> {
        self.vault.as_deref().ok_or_else(|| anyhow::anyhow!("[oauth] secret is not configured"))
    }

    /// Stores (replaces) the user's refresh token, sealed.
    pub async fn save_refresh_token(&self, user: &str, token: &Secret<String>) -> anyhow::Result<()> {
        let sealed = self.vault()?.seal(&user.to_lowercase(), REFRESH_TOKEN, token.expose().as_bytes())?;
        self.state.put_credential(&account(user), REFRESH_TOKEN, &sealed).await?;
        Ok(())
    }

    /// The user's refresh token, if one is stored.
    pub async fn refresh_token(&self, user: &str) -> anyhow::Result<Option<Secret<String>>> {
        let Some(sealed) = self.state.credential(&account(user), REFRESH_TOKEN).await? else {
            return Ok(None);
        };
        let plain = self.vault()?.open(&user.to_lowercase(), REFRESH_TOKEN, &sealed)?;
        let text = String::from_utf8(plain).map_err(|_| anyhow::anyhow!("stored refresh token is not text"))?;
        Ok(Some(text.into()))
    }

    /// Forgets the user's refresh token (it was revoked).
    pub async fn forget_refresh_token(&self, user: &str) -> anyhow::Result<bool> {
        Ok(self.state.delete_credential(&account(user), REFRESH_TOKEN).await?)
    }

    /// Sets the user's gateway password (argon2id, random salt).
    pub async fn set_password(&self, user: &str, password: &str) -> anyhow::Result<()> {
        let password = password.to_owned();
        let phc = tokio::task::spawn_blocking(move || hash_password(&password)).await??;
        self.state.put_credential(&account(user), PASSWORD_HASH, phc.as_bytes()).await?;
        Ok(())
    }

    /// Checks a gateway password against the stored hash (argon2's verify
    /// compares in constant time; it runs off the reactor).
    pub async fn check_password(&self, user: &str, password: &str) -> anyhow::Result<PasswordCheck> {
        let Some(stored) = self.state.credential(&account(user), PASSWORD_HASH).await? else {
            return Ok(PasswordCheck::NotSet);
        };
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            let phc = String::from_utf8(stored).map_err(|_| anyhow::anyhow!("stored password hash is not text"))?;
            let parsed = PasswordHash::new(&phc).map_err(|e| anyhow::anyhow!("stored password hash: {e}"))?;
            anyhow::Ok(argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await??;
        Ok(if ok { PasswordCheck::Valid } else { PasswordCheck::Wrong })
    }
}

/// An argon2id PHC string (argon2's defaults: 19 MiB, 2 passes, 1 lane —
/// the OWASP minimum for argon2id).
fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut salt)
        .map_err(|_| anyhow::anyhow!("no randomness for a salt"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let hash = argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?;
    Ok(hash.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn password_and_token_round_trip_through_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let state: Arc<dyn StateStore> = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
        let vault = Arc::new(Vault::from_secret(b"0123456789abcdef0123").unwrap());
        let store = CredentialStore::new(state.clone(), Some(vault));
        assert_eq!(store.check_password("a@x.test", "pw").await.unwrap(), PasswordCheck::NotSet);
        store.set_password("A@x.test", "correct horse").await.unwrap();
        assert_eq!(store.check_password("a@x.test", "correct horse").await.unwrap(), PasswordCheck::Valid);
        assert_eq!(store.check_password("a@x.test", "correct hors").await.unwrap(), PasswordCheck::Wrong);
        let phc = state.credential(&account("a@x.test"), PASSWORD_HASH).await.unwrap().unwrap();
        assert!(phc.starts_with(b"$argon2id$"), "{}", String::from_utf8_lossy(&phc));

        store.save_refresh_token("a@x.test", &"rt-1".to_owned().into()).await.unwrap();
        let sealed = state.credential(&account("a@x.test"), REFRESH_TOKEN).await.unwrap().unwrap();
        assert!(!sealed.windows(4).any(|w| w == b"rt-1"), "sealed at rest");
        assert_eq!(store.refresh_token("A@X.test").await.unwrap().unwrap().expose(), "rt-1");
    }
}
