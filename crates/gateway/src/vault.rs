//! Sealing credentials at rest: the OAuth refresh tokens the state store
//! keeps are encrypted with ChaCha20-Poly1305 (RFC 8439) under a key derived
//! by HKDF-SHA256 (RFC 5869) from the configuration's secret
//! (`[oauth] secret` / `secret_file`), never from a password a client types.
//!
//! Sealed form: `version (1) ‖ nonce (12, random) ‖ ciphertext ‖ tag (16)`.
//! The account and the credential kind are the associated data, so a sealed
//! token copied to another user's row does not open.

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf;
use ring::rand::{SecureRandom, SystemRandom};

/// Format version of a sealed value.
const VERSION: u8 = 1;
/// HKDF salt: fixed per application (RFC 5869 §3.1 allows a non-secret
/// constant); the secret carries the entropy.
const SALT: &[u8] = b"mapibridge vault v1";
/// HKDF info: what the key is for.
const INFO: &[u8] = b"mapibridge refresh-token key";
/// The shortest secret accepted (bytes).
pub const MIN_SECRET_LEN: usize = 16;

/// Why a value could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The configured secret is too short to derive a key from.
    #[error("the token secret must be at least {MIN_SECRET_LEN} bytes")]
    WeakSecret,
    /// The system random generator failed.
    #[error("no randomness for a nonce")]
    Random,
    /// The value is not sealed by this format, or with another secret, or for
    /// another account.
    #[error("stored token does not open with the configured secret (was the secret changed?)")]
    Open,
}

/// The key of the stored credentials.
pub struct Vault {
    key: LessSafeKey,
    rng: SystemRandom,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(<key>)")
    }
}

impl Vault {
    /// Derives the key from the configured secret.
    pub fn from_secret(secret: &[u8]) -> Result<Self, VaultError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(VaultError::WeakSecret);
        }
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, SALT).extract(secret);
        let mut key = [0u8; 32];
        prk.expand(&[INFO], &CHACHA20_POLY1305)
            .and_then(|okm| okm.fill(&mut key))
            .map_err(|_| VaultError::WeakSecret)?;
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, &key).map_err(|_| VaultError::WeakSecret)?;
        Ok(Self { key: LessSafeKey::new(unbound), rng: SystemRandom::new() })
    }

    /// Encrypts `plaintext` for `account`'s credential `kind`.
    pub fn seal(&self, account: &str, kind: &str, plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| VaultError::Random)?;
        let mut body = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad(account, kind)), &mut body)
            .map_err(|_| VaultError::Random)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + body.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Decrypts what [`Self::seal`] made for the same account and kind.
    pub fn open(&self, account: &str, kind: &str, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        let (&version, rest) = sealed.split_first().ok_or(VaultError::Open)?;
        if version != VERSION || rest.len() < NONCE_LEN {
            return Err(VaultError::Open);
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| VaultError::Open)?;
        let mut body = body.to_vec();
        let plain =
            self.key.open_in_place(nonce, Aad::from(aad(account, kind)), &mut body).map_err(|_| VaultError::Open)?;
        Ok(plain.to_vec())
    }
}

fn aad(account: &str, kind: &str) -> Vec<u8> {
    let mut a = account.to_lowercase().into_bytes();
    a.push(0);
    a.extend_from_slice(kind.as_bytes());
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a long random configuration secret";

    #[test]
    fn sealed_token_opens_only_with_the_same_secret_and_account() {
        let v = Vault::from_secret(SECRET).unwrap();
        let a = v.seal("alice@example.test", "oauth.refresh", b"refresh-token-1").unwrap();
        let b = v.seal("alice@example.test", "oauth.refresh", b"refresh-token-1").unwrap();
        assert_ne!(a, b, "a fresh nonce every time");
        assert!(!a.windows(15).any(|w| w == b"refresh-token-1"), "not stored in the clear");
        assert_eq!(v.open("Alice@example.test", "oauth.refresh", &a).unwrap(), b"refresh-token-1");
        assert!(matches!(v.open("bob@example.test", "oauth.refresh", &a), Err(VaultError::Open)));
        let other = Vault::from_secret(b"another long random secret!!").unwrap();
        assert!(matches!(other.open("alice@example.test", "oauth.refresh", &a), Err(VaultError::Open)));
        let mut tampered = a.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert!(v.open("alice@example.test", "oauth.refresh", &tampered).is_err());
        assert!(matches!(Vault::from_secret(b"short"), Err(VaultError::WeakSecret)));
    }
}
