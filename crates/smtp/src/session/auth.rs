//! RFC 4954 AUTH with the PLAIN (RFC 4616) and LOGIN mechanisms, with or
//! without an initial response.

use std::fmt;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{Event, Policy, Session, State};

/// A password: never printed.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(pub(super) String);

impl Secret {
    /// The password itself, for the backend call.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Where a SASL exchange stands.
#[derive(Debug)]
pub(crate) enum AuthState {
    /// `AUTH PLAIN` without initial response: waiting for it.
    Plain,
    /// `AUTH LOGIN`: waiting for the user name.
    LoginUser,
    /// `AUTH LOGIN`: waiting for the password.
    LoginPassword(String),
}

/// RFC 4954 §4: `334 ` prompts carry base64 text.
const USERNAME_PROMPT: &str = "VXNlcm5hbWU6"; // "Username:"
const PASSWORD_PROMPT: &str = "UGFzc3dvcmQ6"; // "Password:"

impl Session {
    /// The AUTH command.
    pub(super) fn auth(&mut self, mechanism: u64, initial: &str, now: Instant, policy: &Policy) -> Option<Event> {
        if self.user.is_some() {
            self.reply(503, [5, 5, 1], "Already authenticated");
            return None;
        }
        if self.transaction.is_some() {
            self.reply(503, [5, 5, 1], "AUTH not allowed during a mail transaction");
            return None;
        }
        if !self.auth_allowed() {
            // RFC 4954 §6.
            self.reply(538, [5, 7, 11], "Encryption required: issue STARTTLS first");
            return None;
        }
        if !policy.auth_throttle.allowed(self.peer, now) {
            self.reply(454, [4, 7, 0], "Too many failed authentication attempts, try again later");
            return None;
        }
        match mechanism {
            smtp_proto::AUTH_PLAIN if initial.is_empty() => {
                self.prompt("");
                self.state = State::Auth(AuthState::Plain);
                None
            }
            smtp_proto::AUTH_PLAIN => self.plain(initial),
            smtp_proto::AUTH_LOGIN if initial.is_empty() => {
                self.prompt(USERNAME_PROMPT);
                self.state = State::Auth(AuthState::LoginUser);
                None
            }
            smtp_proto::AUTH_LOGIN => {
                let user = self.decode(initial)?;
                self.prompt(PASSWORD_PROMPT);
                self.state = State::Auth(AuthState::LoginPassword(user));
                None
            }
            _ => {
                self.reply(504, [5, 5, 4], "Unrecognized authentication type (PLAIN and LOGIN are offered)");
                None
            }
        }
    }

    /// A response line within the SASL exchange.
    pub(super) fn auth_response(&mut self, line: &[u8], _now: Instant, _policy: &Policy) -> Option<Event> {
        let State::Auth(state) = std::mem::replace(&mut self.state, State::Command) else { return None };
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text == "*" {
            // RFC 4954 §4: the client cancels.
            self.reply(501, [5, 0, 0], "Authentication cancelled");
            return None;
        }
        match state {
            AuthState::Plain => self.plain(text),
            AuthState::LoginUser => {
                let user = self.decode(text)?;
                self.prompt(PASSWORD_PROMPT);
                self.state = State::Auth(AuthState::LoginPassword(user));
                None
            }
            AuthState::LoginPassword(user) => {
                let password = self.decode(text)?;
                self.state = State::Waiting;
                Some(Event::Authenticate { user, password: Secret(password) })
            }
        }
    }

    /// RFC 4616 §2: `[authzid] NUL authcid NUL passwd`.
    fn plain(&mut self, response: &str) -> Option<Event> {
        let decoded = self.decode(response)?;
        let mut parts = decoded.splitn(3, '\0');
        let (Some(authzid), Some(user), Some(password)) = (parts.next(), parts.next(), parts.next()) else {
            self.reply(501, [5, 5, 2], "Malformed PLAIN response");
            return None;
        };
        if !authzid.is_empty() && !authzid.eq_ignore_ascii_case(user) {
            // Acting as another identity is send-as, decided by the backend
            // from the From address, not a SASL proxy login.
            self.reply(535, [5, 7, 8], "Authorization identity must be empty or the user itself");
            return None;
        }
        self.state = State::Waiting;
        Some(Event::Authenticate { user: user.to_owned(), password: Secret(password.to_owned()) })
    }

    /// Base64 text to UTF-8 (`=` is the empty initial response).
    fn decode(&mut self, text: &str) -> Option<String> {
        if text == "=" {
            return Some(String::new());
        }
        match STANDARD.decode(text.trim()).ok().and_then(|b| String::from_utf8(b).ok()) {
            Some(s) => Some(s),
            None => {
                self.state = State::Command;
                self.reply(501, [5, 5, 2], "Invalid base64 data");
                None
            }
        }
    }

    fn prompt(&mut self, text: &str) {
        self.output.extend_from_slice(format!("334 {text}\r\n").as_bytes());
    }
}
