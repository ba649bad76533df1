//! HTTP authentication for every endpoint ([MS-OXCMAPIHTTP] 2.2.2 leaves it
//! to HTTP; digest §8.2): Basic (RFC 7617) against the user directory's
//! password hashes, Bearer (RFC 6750) tokens per user from the
//! configuration, and the 401 challenge Exchange sends.
//!
//! NTLM ([`ntlm`]) is connection-oriented and handled by the server with a
//! pluggable [`ntlm::NtlmServer`]; it is offered only when one is
//! configured. The challenge lists only what is accepted.

mod directory;
pub mod ntlm;

pub use directory::{MemoryDirectory, UserDirectory, WithNtHashes};

use base64::Engine as _;
use mapi_wire::Guid;

use crate::config::BearerToken;

/// A secret that never prints (passwords, tokens, cookies).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(pub T);

impl<T> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// An authenticated user, as the directory knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthUser {
    /// Primary SMTP address (the identity a session is bound to).
    pub address: String,
    /// Display name.
    pub display_name: String,
    /// legacyExchangeDN (Autodiscover `User/LegacyDN`, Connect `UserDn`).
    pub legacy_dn: String,
    /// Mailbox GUID (the `MailboxId` of the MAPI URLs).
    pub mailbox_guid: Guid,
}

impl AuthUser {
    /// True if `other` is the same user (addresses compared
    /// case-insensitively).
    pub fn same_user(&self, other: &Self) -> bool {
        self.address.eq_ignore_ascii_case(&other.address)
    }

    /// `MailboxId` query value: `<mailbox guid>@<domain>` (MS-OXDSCLI 4.4).
    pub fn mailbox_id(&self) -> String {
        let domain = self.address.rsplit_once('@').map_or("", |(_, d)| d);
        format!("{}@{}", self.mailbox_guid, domain)
    }
}

/// Credentials found in an `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// `Basic base64(user:password)`.
    Basic {
        /// User name as sent (address, legacyDN or `DOMAIN\user`).
        user: String,
        /// Password.
        password: Secret<String>,
    },
    /// `Bearer <token>`.
    Bearer(Secret<String>),
    /// `NTLM <token>` or `Negotiate <raw NTLMSSP token>` ([MS-NTHT] 2.2).
    Ntlm {
        /// The NTLMSSP message.
        token: Secret<Vec<u8>>,
        /// True when sent under `Negotiate` (the challenge goes back under
        /// the same scheme).
        negotiate: bool,
    },
}

/// Why authentication failed (all answered with 401 and the challenge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization` header.
    Missing,
    /// A scheme we do not accept, or an undecodable value.
    Malformed,
    /// Wrong user name, password or token.
    Rejected,
}

/// Parses an `Authorization` header value.
pub fn parse_authorization(value: &str) -> Result<Credentials, AuthFailure> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').ok_or(AuthFailure::Malformed)?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("Basic") {
        let raw = base64::engine::general_purpose::STANDARD.decode(rest).map_err(|_| AuthFailure::Malformed)?;
        let text = String::from_utf8(raw).map_err(|_| AuthFailure::Malformed)?;
        let (user, password) = text.split_once(':').ok_or(AuthFailure::Malformed)?;
        Ok(Credentials::Basic { user: user.to_owned(), password: Secret(password.to_owned()) })
    } else if scheme.eq_ignore_ascii_case("NTLM") || scheme.eq_ignore_ascii_case("Negotiate") {
        let raw = base64::engine::general_purpose::STANDARD.decode(rest).map_err(|_| AuthFailure::Malformed)?;
        if ntlm::message_type(&raw).is_none() {
            return Err(AuthFailure::Malformed);
        }
        Ok(Credentials::Ntlm { token: Secret(raw), negotiate: scheme.eq_ignore_ascii_case("Negotiate") })
    } else if scheme.eq_ignore_ascii_case("Bearer") {
        if rest.is_empty() {
            return Err(AuthFailure::Malformed);
        }
        Ok(Credentials::Bearer(Secret(rest.to_owned())))
    } else {
        Err(AuthFailure::Malformed)
    }
}

/// Checks credentials against the directory and the configured tokens.
/// A wrong password or token never yields a user.
pub fn verify(
    credentials: &Credentials,
    directory: &dyn UserDirectory,
    tokens: &[BearerToken],
) -> Result<AuthUser, AuthFailure> {
    match credentials {
        Credentials::Basic { user, password } => {
            // `DOMAIN\user` forms: try the name as given, then the part
            // after the backslash.
            let candidates = [Some(user.as_str()), user.rsplit_once('\\').map(|(_, u)| u)];
            for name in candidates.into_iter().flatten() {
                if directory.verify_password(name, &password.0) {
                    return directory.lookup(name).ok_or(AuthFailure::Rejected);
                }
            }
            Err(AuthFailure::Rejected)
        }
        Credentials::Bearer(token) => {
            let found = tokens.iter().find(|t| constant_time_eq(t.token.as_bytes(), token.0.as_bytes()));
            found.and_then(|t| directory.lookup(&t.user)).ok_or(AuthFailure::Rejected)
        }
        // Connection-oriented: the server runs the handshake.
        Credentials::Ntlm { .. } => Err(AuthFailure::Malformed),
    }
}

/// Remembers recently verified Basic credentials so that every request of
/// a session does not pay for argon2 again. Keys are a 128-bit keyed hash
/// of user and password (random keys per process; the password itself is
/// not kept); only successes are cached, for `ttl`.
pub struct CredentialCache {
    keys: [std::collections::hash_map::RandomState; 2],
    entries: std::sync::Mutex<std::collections::HashMap<u128, (AuthUser, std::time::Instant)>>,
    ttl: std::time::Duration,
}

impl std::fmt::Debug for CredentialCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialCache").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl CredentialCache {
    /// An empty cache whose entries live `ttl`.
    pub fn new(ttl: std::time::Duration) -> Self {
        Self { keys: Default::default(), entries: Default::default(), ttl }
    }

    fn key(&self, credentials: &Credentials) -> Option<u128> {
        use std::hash::{BuildHasher, Hash, Hasher};
        let Credentials::Basic { user, password } = credentials else { return None };
        let mut out = 0u128;
        for k in &self.keys {
            let mut h = k.build_hasher();
            user.to_ascii_lowercase().hash(&mut h);
            password.0.hash(&mut h);
            out = (out << 64) | u128::from(h.finish());
        }
        Some(out)
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<u128, (AuthUser, std::time::Instant)>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A cached success for these credentials.
    pub fn get(&self, credentials: &Credentials) -> Option<AuthUser> {
        let key = self.key(credentials)?;
        let mut e = self.entries();
        match e.get(&key) {
            Some((u, at)) if at.elapsed() <= self.ttl => Some(u.clone()),
            Some(_) => {
                e.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Records a success.
    pub fn put(&self, credentials: &Credentials, user: &AuthUser) {
        if let Some(key) = self.key(credentials) {
            let mut e = self.entries();
            if e.len() > 10_000 {
                e.clear();
            }
            e.insert(key, (user.clone(), std::time::Instant::now()));
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `WWW-Authenticate` values of a 401, one header each: Basic with
/// realm (gromox's form, capture 003), Negotiate and NTLM when a verifier is
/// configured (Exchange offers both; only raw NTLMSSP tokens are accepted
/// under Negotiate), Bearer when tokens are.
pub fn challenges(realm: &str, ntlm: bool, bearer: bool) -> Vec<String> {
    let mut out = vec![format!("Basic realm=\"{realm}\", charset=\"utf-8\"")];
    if ntlm {
        out.push("Negotiate".to_owned());
        out.push("NTLM".to_owned());
    }
    if bearer {
        out.push("Bearer".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_decodes_capture_004_credentials() {
        // capture 004: `Basic YWxpY2VAZXhhbXBsZS50ZXN0OmFsaWNlMTIz`
        let c = parse_authorization("Basic YWxpY2VAZXhhbXBsZS50ZXN0OmFsaWNlMTIz").expect("basic");
        assert_eq!(c, Credentials::Basic { user: "alice@example.test".into(), password: Secret("alice123".into()) });
        assert!(!format!("{c:?}").contains("alice123"));
    }

    #[test]
    fn ntlm_tokens_are_recognised() {
        // base64("NTLMSSP\0\x01\0\0\0")
        let c = parse_authorization("NTLM TlRMTVNTUAABAAAA").expect("ntlm");
        assert!(matches!(&c, Credentials::Ntlm { token, negotiate: false } if token.0.len() == 12));
        let n = parse_authorization("Negotiate TlRMTVNTUAABAAAA").expect("negotiate");
        assert!(matches!(n, Credentials::Ntlm { negotiate: true, .. }));
    }

    #[test]
    fn malformed_headers_are_refused() {
        for v in
            ["", "Basic", "Basic !!!", "Basic YWxpY2U=", "Negotiate abc", "Negotiate YWJj", "NTLM YWJj", "Bearer  "]
        {
            assert!(parse_authorization(v).is_err(), "{v:?}");
        }
    }

    #[test]
    fn wrong_password_and_unknown_token_never_yield_a_user() {
        let dir = MemoryDirectory::new();
        dir.add("alice@example.test", "Alice", "demo");
        let tokens = [BearerToken { token: "tok-a".into(), user: "alice@example.test".into() }];
        let ok = Credentials::Basic { user: "alice@example.test".into(), password: Secret("demo".into()) };
        assert_eq!(verify(&ok, &dir, &tokens).map(|u| u.address), Ok("alice@example.test".into()));
        let bad = Credentials::Basic { user: "alice@example.test".into(), password: Secret("demo2".into()) };
        assert_eq!(verify(&bad, &dir, &tokens), Err(AuthFailure::Rejected));
        let domain = Credentials::Basic { user: "EXAMPLE\\alice@example.test".into(), password: Secret("demo".into()) };
        assert!(verify(&domain, &dir, &tokens).is_ok());
        assert!(verify(&Credentials::Bearer(Secret("tok-a".into())), &dir, &tokens).is_ok());
        assert_eq!(verify(&Credentials::Bearer(Secret("tok-b".into())), &dir, &tokens), Err(AuthFailure::Rejected));
    }
}
