//! The SMTP submission session as a sans-IO state machine: bytes and time go
//! in, reply bytes and [`Event`]s come out. The tokio driver
//! ([`crate::server`]) owns the socket, TLS and the backend calls; this core
//! owns the protocol: command framing with its length limit, the command
//! sequence of RFC 5321 §4.1.4, SASL (RFC 4954), DATA dot-unstuffing and
//! BDAT chunks (RFC 3030), the SIZE limit (RFC 1870) and PIPELINING
//! (RFC 2920: replies accumulate in [`Session::output`] until the driver has
//! no more input to give).
//!
//! Commands are parsed with `smtp-proto`'s RFC 5321 request parser; replies
//! are written with its response types.

mod auth;
mod body;

use std::borrow::Cow;
use std::fmt::Display;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use smtp_proto::{EhloResponse, Error as ParseError, MailFrom, RcptTo, Request, Response};

use crate::Counters;
use crate::limits::{AuthThrottle, RateLimit};

use auth::AuthState;
pub(crate) use auth::Secret;
use body::BodyState;

/// What a session needs from the server configuration.
#[derive(Debug, Clone)]
pub(crate) struct SessionConfig {
    pub(crate) hostname: String,
    pub(crate) max_message_size: usize,
    pub(crate) max_line_length: usize,
    pub(crate) max_recipients: usize,
    /// Whether STARTTLS can be offered (a TLS configuration exists).
    pub(crate) starttls_available: bool,
    /// Whether AUTH is allowed on this connection before TLS (resolved from
    /// the configuration and the client's address).
    pub(crate) plaintext_auth: bool,
}

/// The server-wide policies a session consults synchronously.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) rate: RateLimit,
    pub(crate) auth_throttle: AuthThrottle,
}

/// What the session needs the driver to do next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// Send [`Session::output`], then read more input ([`Session::feed`]).
    NeedInput,
    /// Check these credentials with the backend and report with
    /// [`Session::authenticated`].
    Authenticate {
        /// The authentication identity.
        user: String,
        /// The password.
        password: Secret,
    },
    /// Submit this message and report with [`Session::submitted`].
    Submit(Envelope),
    /// Send the output, run the TLS handshake and report with
    /// [`Session::tls_started`].
    StartTls,
    /// Send the output and close the connection.
    Close,
}

/// A complete message transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Envelope {
    /// `MAIL FROM` (empty for `<>`).
    pub(crate) mail_from: String,
    /// `RCPT TO`s in order, without duplicates.
    pub(crate) recipients: Vec<String>,
    /// The message, dot-unstuffed.
    pub(crate) message: Vec<u8>,
}

/// A mail transaction in progress (RFC 5321 §3.3).
#[derive(Debug, Default)]
struct Transaction {
    mail_from: String,
    smtputf8: bool,
    recipients: Vec<String>,
    message: Vec<u8>,
    /// BDAT was used: DATA is not allowed any more (RFC 3030 §2).
    chunked: bool,
    /// The message passed the size limit: it is discarded while read.
    too_large: bool,
}

#[derive(Debug)]
enum State {
    /// Reading command lines.
    Command,
    /// In a SASL exchange, reading response lines.
    Auth(AuthState),
    /// Reading a DATA or BDAT body.
    Body(BodyState),
    /// The driver is busy with an [`Event`]; no input is read.
    Waiting,
    /// The session is over.
    Closed,
}

/// One SMTP session.
pub(crate) struct Session {
    config: Arc<SessionConfig>,
    counters: Arc<Counters>,
    peer: IpAddr,
    tls: bool,
    input: Vec<u8>,
    output: Vec<u8>,
    /// Discarding an overlong line up to its end.
    skipping_line: bool,
    state: State,
    helo: Option<String>,
    esmtp: bool,
    user: Option<String>,
    transaction: Option<Transaction>,
    shutting_down: bool,
}

impl Session {
    /// A session with a client at `peer`, already under TLS or not.
    pub(crate) fn new(config: Arc<SessionConfig>, counters: Arc<Counters>, peer: IpAddr, tls: bool) -> Self {
        Self {
            config,
            counters,
            peer,
            tls,
            input: Vec::new(),
            output: Vec::new(),
            skipping_line: false,
            state: State::Command,
            helo: None,
            esmtp: false,
            user: None,
            transaction: None,
            shutting_down: false,
        }
    }

    /// The greeting (RFC 5321 §4.3.1).
    pub(crate) fn greet(&mut self) {
        let text = format!("{} ESMTP mapibridge ready", self.config.hostname);
        self.reply_plain(220, &text);
    }

    /// Reply bytes to send; the driver clears it after sending.
    pub(crate) fn output(&mut self) -> &mut Vec<u8> {
        &mut self.output
    }

    /// The authenticated user, once AUTH succeeded.
    pub(crate) fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The EHLO/HELO name.
    pub(crate) fn helo(&self) -> &str {
        self.helo.as_deref().unwrap_or("unknown")
    }

    /// Whether the session runs under TLS.
    pub(crate) fn is_tls(&self) -> bool {
        self.tls
    }

    /// Bytes read from the client and not consumed yet.
    pub(crate) fn pending_input(&self) -> usize {
        self.input.len()
    }

    /// Bytes read from the client.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        self.input.extend_from_slice(bytes);
    }

    /// Runs the protocol over the buffered input until the driver must act.
    pub(crate) fn poll(&mut self, now: Instant, policy: &Policy) -> Event {
        loop {
            match &mut self.state {
                State::Closed => return Event::Close,
                State::Waiting => return Event::NeedInput,
                State::Body(_) => {
                    if let Some(event) = self.receive_body() {
                        return event;
                    }
                }
                State::Command | State::Auth(_) => {
                    if self.shutting_down && matches!(self.state, State::Command) {
                        self.close_for_shutdown();
                        continue;
                    }
                    let Some(line) = self.take_line() else { return Event::NeedInput };
                    let event = match line {
                        Err(()) => {
                            self.reply(500, [5, 5, 2], "Line too long");
                            if matches!(self.state, State::Auth(_)) {
                                self.state = State::Command;
                            }
                            None
                        }
                        Ok(line) if matches!(self.state, State::Auth(_)) => self.auth_response(&line, now, policy),
                        Ok(line) => {
                            self.counters.commands.fetch_add(1, Ordering::Relaxed);
                            self.command(&line, now, policy)
                        }
                    };
                    if let Some(event) = event {
                        return event;
                    }
                }
            }
        }
    }

    /// The backend's answer to [`Event::Authenticate`]: the account's
    /// identity, or the reply to give.
    pub(crate) fn authenticated(&mut self, outcome: Result<String, Response<String>>) {
        match outcome {
            Ok(identity) => {
                self.user = Some(identity);
                self.reply(235, [2, 7, 0], "Authentication successful");
            }
            Err(reply) => self.write_reply(&reply),
        }
        self.state = State::Command;
    }

    /// The outcome of [`Event::Submit`]; the transaction ends either way.
    pub(crate) fn submitted(&mut self, reply: &Response<String>) {
        self.write_reply(reply);
        self.transaction = None;
        self.state = State::Command;
    }

    /// The handshake after STARTTLS succeeded: the session starts afresh
    /// (RFC 3207 §4.2: forget everything learnt before TLS).
    pub(crate) fn tls_started(&mut self) {
        self.tls = true;
        self.helo = None;
        self.esmtp = false;
        self.user = None;
        self.transaction = None;
        self.input.clear();
        self.state = State::Command;
    }

    /// The client sent nothing for too long.
    pub(crate) fn timed_out(&mut self) {
        let text = format!("{} Timeout, closing connection", self.config.hostname);
        self.reply(421, [4, 4, 2], &text);
        self.state = State::Closed;
    }

    /// The server is shutting down: an idle session is told 421 at once
    /// (returns `true`); one receiving a message finishes it first.
    pub(crate) fn shutdown(&mut self) -> bool {
        self.shutting_down = true;
        match self.state {
            State::Command | State::Auth(_) => {
                self.close_for_shutdown();
                true
            }
            State::Closed => true,
            State::Body(_) | State::Waiting => false,
        }
    }

    fn close_for_shutdown(&mut self) {
        let text = format!("{} Service shutting down, try again later", self.config.hostname);
        self.reply(421, [4, 3, 2], &text);
        self.state = State::Closed;
    }

    /// The next complete line (LF-terminated) from the input, `Err` for a
    /// line over the limit (discarded up to its end), `None` when more input
    /// is needed.
    fn take_line(&mut self) -> Option<Result<Vec<u8>, ()>> {
        let max = self.config.max_line_length;
        match self.input.iter().position(|&b| b == b'\n') {
            Some(pos) if self.skipping_line => {
                self.input.drain(..=pos);
                self.skipping_line = false;
                Some(Err(()))
            }
            Some(pos) if pos < max => Some(Ok(self.input.drain(..=pos).collect())),
            Some(pos) => {
                self.input.drain(..=pos);
                Some(Err(()))
            }
            None => {
                if self.input.len() >= max {
                    // Frame before parsing: an endless line costs no memory.
                    self.input.clear();
                    self.skipping_line = true;
                }
                None
            }
        }
    }

    fn command(&mut self, line: &[u8], now: Instant, policy: &Policy) -> Option<Event> {
        let request = match Request::parse(&mut line.iter()) {
            Ok(r) => r,
            Err(e) => {
                self.parse_error(e);
                return None;
            }
        };
        match request {
            Request::Ehlo { host } => self.ehlo(&host, true),
            Request::Helo { host } => self.ehlo(&host, false),
            Request::StartTls => return self.starttls(),
            Request::Auth { mechanism, initial_response } => {
                return self.auth(mechanism, &initial_response, now, policy);
            }
            Request::Mail { from } => self.mail(from, now, policy),
            Request::Rcpt { to } => self.rcpt(to),
            Request::Data => self.data(),
            Request::Bdat { chunk_size, is_last } => self.bdat(chunk_size, is_last),
            Request::Rset => {
                self.transaction = None;
                self.reply(250, [2, 0, 0], "Reset");
            }
            Request::Noop { .. } => self.reply(250, [2, 0, 0], "OK"),
            Request::Quit => {
                let text = format!("{} closing connection", self.config.hostname);
                self.reply(221, [2, 0, 0], &text);
                self.state = State::Closed;
                return Some(Event::Close);
            }
            // RFC 5321 §3.5.3: 252 when the server will not verify.
            Request::Vrfy { .. } => {
                self.reply(252, [2, 5, 0], "Cannot VRFY user, but will accept message and attempt delivery")
            }
            Request::Help { .. } => self.reply(214, [2, 0, 0], "See RFC 5321 and RFC 6409"),
            Request::Expn { .. }
            | Request::Lhlo { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. } => self.reply(502, [5, 5, 1], "Command not implemented"),
        }
        None
    }

    fn parse_error(&mut self, e: ParseError) {
        match e {
            ParseError::UnknownCommand => self.reply(500, [5, 5, 1], "Command unrecognized"),
            ParseError::SyntaxError { syntax } => self.reply(501, [5, 5, 4], &format!("Syntax: {syntax}")),
            ParseError::InvalidSenderAddress => self.reply(501, [5, 1, 7], "Bad sender address syntax"),
            ParseError::InvalidRecipientAddress => self.reply(501, [5, 1, 3], "Bad recipient address syntax"),
            ParseError::InvalidParameter { param } => {
                self.reply(501, [5, 5, 4], &format!("Invalid value of parameter {param}"))
            }
            ParseError::UnsupportedParameter { param } => {
                self.reply(555, [5, 5, 4], &format!("Unsupported parameter {param}"))
            }
            ParseError::NeedsMoreData { .. } | ParseError::ResponseTooLong | ParseError::InvalidResponse { .. } => {
                self.reply(500, [5, 5, 2], "Syntax error")
            }
        }
    }

    /// RFC 5321 §4.1.1.1 EHLO/HELO (an implicit RSET).
    fn ehlo(&mut self, host: &str, esmtp: bool) {
        self.helo = Some(host.to_owned());
        self.esmtp = esmtp;
        self.transaction = None;
        if !esmtp {
            self.reply_plain(250, &self.config.hostname.clone());
            return;
        }
        let mut ehlo = EhloResponse::new(self.config.hostname.as_str());
        ehlo.capabilities = smtp_proto::EXT_SIZE
            | smtp_proto::EXT_8BIT_MIME
            | smtp_proto::EXT_SMTP_UTF8
            | smtp_proto::EXT_PIPELINING
            | smtp_proto::EXT_CHUNKING
            | smtp_proto::EXT_ENHANCED_STATUS_CODES;
        ehlo.size = self.config.max_message_size;
        if self.config.starttls_available && !self.tls {
            ehlo.capabilities |= smtp_proto::EXT_START_TLS;
        }
        if self.auth_allowed() && self.user.is_none() {
            ehlo.capabilities |= smtp_proto::EXT_AUTH;
            ehlo.auth_mechanisms = smtp_proto::AUTH_PLAIN | smtp_proto::AUTH_LOGIN;
        }
        // smtp-proto's first line carries a joke after the host name; a
        // mail server answers with its name only (RFC 5321 §4.1.1.1).
        let mut lines = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = ehlo.write(&mut lines);
        let first_end = lines.windows(2).position(|w| w == b"\r\n").map_or(lines.len(), |i| i + 2);
        let continuation = lines.get(3).copied().unwrap_or(b' ');
        self.output.extend_from_slice(b"250");
        self.output.push(continuation);
        self.output.extend_from_slice(self.config.hostname.as_bytes());
        self.output.extend_from_slice(b"\r\n");
        self.output.extend_from_slice(lines.get(first_end..).unwrap_or_default());
    }

    /// RFC 3207 STARTTLS. Input pipelined after the command is dropped: it
    /// was sent in the clear and must not be acted on under TLS (the
    /// command injection of CVE-2011-0411).
    fn starttls(&mut self) -> Option<Event> {
        if self.tls {
            self.reply(503, [5, 5, 1], "Already under TLS");
            return None;
        }
        if !self.config.starttls_available {
            self.reply(454, [4, 7, 0], "TLS not available");
            return None;
        }
        self.reply(220, [2, 0, 0], "Ready to start TLS");
        self.input.clear();
        self.skipping_line = false;
        self.state = State::Waiting;
        Some(Event::StartTls)
    }

    fn auth_allowed(&self) -> bool {
        self.tls || self.config.plaintext_auth
    }

    /// RFC 5321 §4.1.1.2 MAIL, with RFC 1870 SIZE, RFC 6152 BODY and
    /// RFC 6531 SMTPUTF8.
    fn mail(&mut self, from: MailFrom<Cow<'_, str>>, now: Instant, policy: &Policy) {
        if self.helo.is_none() {
            return self.reply(503, [5, 5, 1], "Send EHLO first");
        }
        let Some(user) = self.user.clone() else {
            return self.reply(530, [5, 7, 0], "Authentication required");
        };
        if self.transaction.is_some() {
            return self.reply(503, [5, 5, 1], "Nested MAIL command");
        }
        const ALLOWED: u64 = smtp_proto::MAIL_BODY_7BIT | smtp_proto::MAIL_BODY_8BITMIME | smtp_proto::MAIL_SMTPUTF8;
        if from.flags & !ALLOWED != 0
            || from.env_id.is_some()
            || from.trans_id.is_some()
            || from.by != 0
            || from.mtrk.is_some()
            || from.solicit.is_some()
            || from.hold_for != 0
            || from.hold_until != 0
            || from.mt_priority != 0
        {
            return self.reply(555, [5, 5, 4], "Unsupported MAIL parameter");
        }
        if from.size > self.config.max_message_size {
            let text = format!("Message size exceeds the limit of {} octets", self.config.max_message_size);
            return self.reply(552, [5, 3, 4], &text);
        }
        let smtputf8 = from.flags & smtp_proto::MAIL_SMTPUTF8 != 0;
        if !smtputf8 && !from.address.is_ascii() {
            return self.reply(553, [5, 6, 7], "Non-ASCII address needs the SMTPUTF8 parameter");
        }
        if let Err(wait) = policy.rate.check(&user, now) {
            let text = format!("Too many messages, try again in {} seconds", wait.as_secs().max(1));
            return self.reply(451, [4, 7, 0], &text);
        }
        self.transaction =
            Some(Transaction { mail_from: from.address.into_owned(), smtputf8, ..Transaction::default() });
        self.reply(250, [2, 1, 0], "Sender OK");
    }

    /// RFC 5321 §4.1.1.3 RCPT.
    fn rcpt(&mut self, to: RcptTo<Cow<'_, str>>) {
        let max = self.config.max_recipients;
        let Some(txn) = self.transaction.as_mut() else {
            return self.reply(503, [5, 5, 1], "Need MAIL before RCPT");
        };
        if to.address.is_empty() {
            return self.reply(501, [5, 1, 3], "A recipient address is required");
        }
        if !txn.smtputf8 && !to.address.is_ascii() {
            return self.reply(553, [5, 6, 7], "Non-ASCII address needs the SMTPUTF8 parameter");
        }
        if txn.recipients.len() >= max {
            // RFC 5321 §4.5.3.1.10: 452 so that the client sends the rest later.
            return self.reply(452, [4, 5, 3], &format!("Too many recipients (at most {max})"));
        }
        if !txn.recipients.iter().any(|r| r.eq_ignore_ascii_case(&to.address)) {
            txn.recipients.push(to.address.into_owned());
        }
        self.reply(250, [2, 1, 5], "Recipient OK");
    }

    /// Writes a reply (RFC 3463 enhanced status code included).
    fn reply(&mut self, code: u16, esc: [u8; 3], text: &str) {
        self.write_reply(&Response::new(code, esc[0], esc[1], esc[2], text.to_owned()));
    }

    fn write_reply<T: Display>(&mut self, reply: &Response<T>) {
        if reply.code >= 400 {
            self.counters.errors.fetch_add(1, Ordering::Relaxed);
        }
        // Writing into a Vec cannot fail.
        let _ = reply.write(&mut self.output);
    }

    /// A reply without enhanced status code (greeting, HELO, RFC 2034 §3).
    fn reply_plain(&mut self, code: u16, text: &str) {
        self.output.extend_from_slice(format!("{code} {text}\r\n").as_bytes());
    }
}

#[cfg(test)]
mod tests;
