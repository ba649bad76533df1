//! NTLM over HTTP ([MS-NTHT] 2.2, 3.2): a connection-oriented handshake.
//! `Authorization: NTLM <NEGOTIATE_MESSAGE>` is answered with 401 and
//! `WWW-Authenticate: NTLM <CHALLENGE_MESSAGE>`; the next request on the
//! same connection carries `NTLM <AUTHENTICATE_MESSAGE>` and, if it
//! verifies, the connection stays authenticated as that user (later
//! requests on it may omit `Authorization`, as IIS allows). `Negotiate`
//! carrying a raw NTLMSSP token is treated the same way.
//!
//! The message-level work ([MS-NLMP]) is behind [`NtlmServer`];
//! [`Ntlmv2`] implements it with the `ntlm` crate's server side against the
//! NT hashes of the [`UserDirectory`] ([`UserDirectory::nt_hash`]).

use std::any::Any;

use super::UserDirectory;

/// The server side of an NTLM exchange ([MS-NLMP] 3.2.5).
pub trait NtlmServer: Send + Sync + 'static {
    /// Answers a NEGOTIATE_MESSAGE with a CHALLENGE_MESSAGE; the state is
    /// kept with the connection until the AUTHENTICATE_MESSAGE. `None`:
    /// refused (malformed, unsupported).
    fn challenge(&self, negotiate: &[u8]) -> Option<(NtlmPending, Vec<u8>)>;

    /// Verifies an AUTHENTICATE_MESSAGE against the user's NT hash
    /// ([`UserDirectory::nt_hash`]); the authenticated user name (address or
    /// `user`/`DOMAIN\user` as the directory knows it), or `None`.
    fn verify(&self, pending: NtlmPending, authenticate: &[u8], directory: &dyn UserDirectory) -> Option<String>;
}

/// The state between CHALLENGE and AUTHENTICATE (the verifier's type).
pub struct NtlmPending(pub Box<dyn Any + Send>);

impl std::fmt::Debug for NtlmPending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NtlmPending(..)")
    }
}

/// NTLMv2 verification with the `ntlm` crate ([MS-NLMP] 3.2.5.1.2).
///
/// User names are resolved as sent (an SMTP address, i.e. a UPN with an
/// empty domain, as Outlook and `ntlm::Client::from_login` send it), then
/// as `user@<DNS domain of the configuration>` for `DOMAIN\user` logins,
/// then as the derived legacyDN of a local part.
#[derive(Clone, Debug, Default)]
pub struct Ntlmv2 {
    server: ntlm::Server,
    dns_domain: String,
}

impl Ntlmv2 {
    /// A verifier announcing `config`'s names in its CHALLENGE_MESSAGE.
    pub fn new(config: ntlm::ServerConfig) -> Self {
        let dns_domain = config.dns_domain.clone();
        Self { server: ntlm::Server::new(config), dns_domain }
    }

    fn candidates(&self, user: &str) -> Vec<String> {
        let mut out = vec![user.to_owned()];
        if !user.contains('@') {
            if !self.dns_domain.is_empty() {
                out.push(format!("{user}@{}", self.dns_domain));
            }
            out.push(format!("{}{user}", crate::store::LEGACY_DN_PREFIX));
        }
        out
    }
}

impl NtlmServer for Ntlmv2 {
    fn challenge(&self, negotiate: &[u8]) -> Option<(NtlmPending, Vec<u8>)> {
        let (state, message) = self.server.challenge(negotiate).ok()?;
        Some((NtlmPending(Box::new(state)), message))
    }

    fn verify(&self, pending: NtlmPending, authenticate: &[u8], directory: &dyn UserDirectory) -> Option<String> {
        let state = pending.0.downcast::<ntlm::ChallengeState>().ok()?;
        let mut matched = None;
        let lookup = |user: &str, _domain: &str| {
            let found = self.candidates(user).into_iter().find_map(|name| {
                let u = directory.lookup(&name)?;
                directory.nt_hash(&u.address).map(|h| (u.address, h))
            });
            found.map(|(address, hash)| {
                matched = Some(address);
                ntlm::NtHash::from_bytes(hash)
            })
        };
        self.server.verify(*state, authenticate, lookup).ok()?;
        matched
    }
}

/// [MS-NLMP] 3.3.1 NTOWFv2's NT hash of a password: MD4 of its UTF-16LE
/// form.
pub fn nt_hash(password: &str) -> [u8; 16] {
    *ntlm::NtHash::from_password(password).as_bytes()
}

/// NTLMSSP message type of a token ([MS-NLMP] 2.2.1: signature
/// `NTLMSSP\0`, then MessageType u32): 1 NEGOTIATE, 2 CHALLENGE, 3
/// AUTHENTICATE.
pub fn message_type(token: &[u8]) -> Option<u32> {
    let sig = token.get(..8)?;
    if sig != b"NTLMSSP\0" {
        return None;
    }
    let t: [u8; 4] = token.get(8..12)?.try_into().ok()?;
    Some(u32::from_le_bytes(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_types() {
        assert_eq!(message_type(b"NTLMSSP\0\x01\0\0\0rest"), Some(1));
        assert_eq!(message_type(b"NTLMSSP\0\x03\0\0\0"), Some(3));
        assert_eq!(message_type(b"NTLMSSP\0\x03"), None);
        assert_eq!(message_type(b"KERBEROS...."), None);
    }
}
