//! LOGIN and AUTHENTICATE PLAIN (RFC 4616, with RFC 4959 SASL-IR): the
//! plaintext policy, failure throttling, and the provider's verdict.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use mailbox::{Account, MailboxError};

use crate::session::Session;

/// What a login attempt came to.
pub(crate) enum LoginResult {
    Ok(Arc<dyn Account>),
    /// `NO [code] text`.
    No(&'static str, &'static str),
}

/// Splits a PLAIN message `authzid NUL authcid NUL passwd` (RFC 4616 §2).
pub(crate) fn parse_plain(data: &[u8]) -> Option<(String, String)> {
    let mut it = data.split(|&b| b == 0);
    let authzid = it.next()?;
    let authcid = std::str::from_utf8(it.next()?).ok()?;
    let passwd = std::str::from_utf8(it.next()?).ok()?;
    if it.next().is_some() || authcid.is_empty() {
        return None;
    }
    // Acting as another user is not supported: the identities must agree.
    if !authzid.is_empty() && !authzid.eq_ignore_ascii_case(authcid.as_bytes()) {
        return None;
    }
    Some((authcid.to_owned(), passwd.to_owned()))
}

impl Session {
    /// Whether a plaintext password may be sent now.
    pub(crate) fn plaintext_allowed(&self) -> bool {
        self.tls() || self.config().allow_plaintext_login.permits(self.peer().ip())
    }

    /// Checks `user`/`password` with the provider, throttling peers and
    /// users with repeated failures.
    pub(crate) async fn login(&self, user: &str, password: &str) -> LoginResult {
        let shared = self.shared();
        let config = &shared.config;
        if shared.throttle.throttled(config, self.peer(), user) {
            // Slow the guesser down; the answer does not reveal whether the
            // password was right.
            tokio::time::sleep(config.login_failure_delay).await;
        }
        match shared.provider.login(user, password).await {
            Ok(account) => {
                shared.throttle.succeeded(user);
                LoginResult::Ok(account)
            }
            Err(MailboxError::Unavailable(e)) => {
                tracing::warn!(error = %e, "login: backend unavailable");
                LoginResult::No("UNAVAILABLE", "Backend unavailable, try again later")
            }
            Err(_) => {
                shared.throttle.failed(config, self.peer(), user);
                shared.counters.login_failures.fetch_add(1, Ordering::Relaxed);
                LoginResult::No("AUTHENTICATIONFAILED", "Invalid credentials")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_messages_split_and_reject_other_authorisation_ids() {
        assert_eq!(parse_plain(b"\0alice\0secret"), Some(("alice".into(), "secret".into())));
        assert_eq!(parse_plain(b"alice\0alice\0secret"), Some(("alice".into(), "secret".into())));
        assert_eq!(parse_plain(b"bob\0alice\0secret"), None);
        assert_eq!(parse_plain(b"alice\0secret"), None);
        assert_eq!(parse_plain(b""), None);
    }
}
