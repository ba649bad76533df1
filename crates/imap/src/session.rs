//! One client's protocol state (RFC 9051 §3: not authenticated,
//! authenticated, selected, logout) and the commands that do not need a
//! selected mailbox. Selected-state commands are in `selected`.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use imap_codec::imap_types::command::{Command, CommandBody};
use imap_codec::imap_types::extensions::enable::CapabilityEnable;
use imap_codec::imap_types::mailbox::{ListMailbox, Mailbox};
use imap_codec::imap_types::status::StatusDataItemName;
use mailbox::{Account, Folder, MailboxError, SearchKey};

use crate::auth::{LoginResult, parse_plain};
use crate::conn::Output;
use crate::names::{self, Names};
use crate::view::View;
use crate::wire::{self, Str};
use crate::{ImapConfig, Shared, mutf7};

/// What the driver does after a command.
pub(crate) enum Action {
    Continue,
    Logout,
    StartTls,
    /// Send `+ ` and read the AUTHENTICATE PLAIN response.
    AuthContinue {
        tag: String,
    },
    /// Send `+ idling` and wait for DONE while pushing changes.
    Idle {
        tag: String,
    },
    /// The OK was written: compress from the next byte on (RFC 4978).
    Compress,
}

/// Why a command failed.
pub(crate) enum Fail {
    Mailbox(MailboxError),
    Io(std::io::Error),
    /// `BAD text`.
    Bad(String),
    /// `NO [code] text`.
    No(Option<&'static str>, String),
}

impl From<MailboxError> for Fail {
    fn from(e: MailboxError) -> Self {
        Self::Mailbox(e)
    }
}

/// The protocol state of one connection.
pub(crate) struct Session {
    shared: Arc<Shared>,
    peer: SocketAddr,
    tls: bool,
    pub(crate) account: Option<Arc<dyn Account>>,
    pub(crate) names: Names,
    pub(crate) view: Option<View>,
    pub(crate) condstore: bool,
    pub(crate) qresync: bool,
    compressed: bool,
}

impl Session {
    pub(crate) fn new(shared: Arc<Shared>, peer: SocketAddr, tls: bool) -> Self {
        Self {
            shared,
            peer,
            tls,
            account: None,
            names: Names { delim: '/', inbox: None },
            view: None,
            condstore: false,
            qresync: false,
            compressed: false,
        }
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    pub(crate) fn config(&self) -> &ImapConfig {
        &self.shared.config
    }

    pub(crate) fn peer(&self) -> &SocketAddr {
        &self.peer
    }

    pub(crate) fn tls(&self) -> bool {
        self.tls
    }

    pub(crate) fn set_tls(&mut self) {
        self.tls = true;
    }

    pub(crate) fn authenticated(&self) -> bool {
        self.account.is_some()
    }

    /// The capabilities for the current state (RFC 9051 §7.2.2): only what
    /// works now.
    pub(crate) fn capabilities(&self) -> String {
        let mut caps = String::from("IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE");
        if self.account.is_none() {
            if !self.tls && self.shared.config.tls.is_some() {
                caps.push_str(" STARTTLS");
            }
            if self.plaintext_allowed() {
                caps.push_str(" AUTH=PLAIN");
            } else {
                caps.push_str(" LOGINDISABLED");
            }
        } else {
            let _ = write!(
                caps,
                " UIDPLUS MOVE UNSELECT CHILDREN SPECIAL-USE LIST-EXTENDED LIST-STATUS ESEARCH BINARY CONDSTORE QRESYNC STATUS=SIZE QUOTA QUOTA=RES-STORAGE APPENDLIMIT={}",
                self.shared.config.max_literal
            );
            if !self.compressed {
                caps.push_str(" COMPRESS=DEFLATE");
            }
        }
        caps
    }

    pub(crate) fn greeting(&self, out: &mut Vec<u8>) {
        let _ = write!(Str(out), "* OK [CAPABILITY {}] {}\r\n", self.capabilities(), self.shared.config.greeting);
    }

    /// `tag BAD text` (or `* BAD` when the tag is unreadable).
    pub(crate) fn bad(&self, tag: Option<&str>, text: &str, out: &mut Vec<u8>) {
        self.count_error();
        let _ = write!(Str(out), "{} BAD {text}\r\n", tag.unwrap_or("*"));
    }

    fn ok(&self, tag: &str, code: Option<&str>, text: &str, out: &mut Vec<u8>) {
        match code {
            Some(c) => {
                let _ = write!(Str(out), "{tag} OK [{c}] {text}\r\n");
            }
            None => {
                let _ = write!(Str(out), "{tag} OK {text}\r\n");
            }
        }
    }

    fn no(&self, tag: &str, code: Option<&str>, text: &str, out: &mut Vec<u8>) {
        self.count_error();
        match code {
            Some(c) => {
                let _ = write!(Str(out), "{tag} NO [{c}] {text}\r\n");
            }
            None => {
                let _ = write!(Str(out), "{tag} NO {text}\r\n");
            }
        }
    }

    /// Answers a failure (RFC 5530 response codes).
    pub(crate) fn fail(&self, tag: &str, fail: Fail, out: &mut Vec<u8>) -> std::io::Result<()> {
        match fail {
            Fail::Io(e) => return Err(e),
            Fail::Bad(text) => self.bad(Some(tag), &text, out),
            Fail::No(code, text) => self.no(tag, code, &text, out),
            Fail::Mailbox(e) => {
                let code = match &e {
                    MailboxError::Unavailable(_) => Some("UNAVAILABLE"),
                    MailboxError::NoSuchFolder(_) => Some("NONEXISTENT"),
                    MailboxError::AlreadyExists(_) => Some("ALREADYEXISTS"),
                    MailboxError::NotPermitted(_) => Some("CANNOT"),
                    MailboxError::AccessDenied(_) => Some("NOPERM"),
                    MailboxError::TooLarge { .. } => Some("TOOBIG"),
                    MailboxError::AuthenticationFailed => Some("AUTHENTICATIONFAILED"),
                    MailboxError::Exhausted(_) | MailboxError::Internal(_) => Some("SERVERBUG"),
                    _ => None,
                };
                if matches!(e, MailboxError::Internal(_) | MailboxError::Exhausted(_)) {
                    tracing::error!(error = %e, "command failed");
                }
                self.no(tag, code, &e.to_string().replace(['\r', '\n'], " "), out);
            }
        }
        Ok(())
    }

    /// Pushes the selected mailbox's pending changes.
    pub(crate) async fn push_updates(&mut self, out: &mut Vec<u8>, expunge_ok: bool) {
        if let Some(view) = &mut self.view {
            view.push_updates(out, expunge_ok).await;
            view.claim_new(out).await;
        }
    }

    /// IDLE's half of [`Session::push_updates`]: the changes only; the
    /// `\Recent` claim follows with [`Session::claim_new`] once they are
    /// on the wire.
    pub(crate) async fn push_changes(&mut self, out: &mut Vec<u8>) {
        if let Some(view) = &mut self.view {
            view.push_updates(out, true).await;
        }
    }

    /// Claims `\Recent` for arrivals announced by [`Session::push_changes`].
    pub(crate) async fn claim_new(&mut self, out: &mut Vec<u8>) {
        if let Some(view) = &mut self.view {
            view.claim_new(out).await;
        }
    }

    /// Waits for a change of the selected mailbox (forever without one).
    pub(crate) async fn wait_change(&mut self) {
        match &mut self.view {
            Some(view) => view.wait_change().await,
            None => std::future::pending().await,
        }
    }

    /// Ends IDLE.
    pub(crate) async fn idle_done(&mut self, tag: &str, out: &mut Output<'_>) -> std::io::Result<()> {
        self.push_updates(&mut out.buf, true).await;
        self.ok(tag, None, "IDLE terminated", &mut out.buf);
        Ok(())
    }

    pub(crate) fn count_command(&self) {
        self.shared.counters.commands.fetch_add(1, Ordering::Relaxed);
    }

    /// RFC 3501 §6.3.10 STATUS RECENT: the arrivals no session has claimed
    /// as `\Recent` yet, plus those this session claimed in its selected
    /// view of the same folder.
    pub(crate) async fn recent_count(&self, folder: &dyn Folder) -> Result<u32, Fail> {
        let mut n = folder.recent_count().await?;
        if let Some(view) = &self.view
            && view.folder.info().id == folder.info().id
        {
            n = n.saturating_add(u32::try_from(view.known(&view.recent).len()).unwrap_or(u32::MAX));
        }
        Ok(n)
    }

    /// Answers one command.
    pub(crate) async fn handle(&mut self, command: Command<'static>, out: &mut Output<'_>) -> std::io::Result<Action> {
        self.count_command();
        let tag = command.tag.inner().to_owned();
        let name = command.body.name();
        tracing::debug!(%tag, command = name, "command");
        // RFC 9051 §7.5: no EXPUNGE while FETCH, STORE or SEARCH run (the
        // client may be using sequence numbers).
        let expunge_ok = !matches!(
            command.body,
            CommandBody::Fetch { uid: false, .. }
                | CommandBody::Store { uid: false, .. }
                | CommandBody::Search { uid: false, .. }
        );
        let result = self.dispatch(&tag, command.body, out).await;
        let action = match result {
            Ok(a) => a,
            Err(fail) => {
                self.push_updates(&mut out.buf, expunge_ok).await;
                self.fail(&tag, fail, &mut out.buf)?;
                Action::Continue
            }
        };
        Ok(action)
    }

    async fn dispatch(&mut self, tag: &str, body: CommandBody<'static>, out: &mut Output<'_>) -> Result<Action, Fail> {
        // Commands valid in any state.
        match body {
            CommandBody::Capability => {
                let _ = write!(Str(&mut out.buf), "* CAPABILITY {}\r\n", self.capabilities());
                return self.done(tag, "CAPABILITY completed", out, true).await;
            }
            CommandBody::Noop => return self.done(tag, "NOOP completed", out, true).await,
            CommandBody::Logout => {
                out.buf.extend_from_slice(b"* BYE Logging out\r\n");
                self.ok(tag, None, "LOGOUT completed", &mut out.buf);
                return Ok(Action::Logout);
            }
            CommandBody::Id { .. } => {
                let _ = write!(
                    Str(&mut out.buf),
                    "* ID (\"name\" \"mapibridge\" \"version\" \"{}\")\r\n",
                    env!("CARGO_PKG_VERSION")
                );
                return self.done(tag, "ID completed", out, true).await;
            }
            _ => {}
        }
        if self.account.is_none() {
            return self.not_authenticated(tag, body, out).await;
        }
        match body {
            CommandBody::StartTLS | CommandBody::Login { .. } | CommandBody::Authenticate { .. } => {
                Err(Fail::Bad("Already authenticated".into()))
            }
            CommandBody::Enable { capabilities } => {
                let mut enabled = Vec::new();
                for c in capabilities.as_ref() {
                    let name = match c {
                        CapabilityEnable::CondStore => "CONDSTORE".to_owned(),
                        other => other.to_string().to_ascii_uppercase(),
                    };
                    match name.as_str() {
                        "CONDSTORE" => {
                            self.condstore = true;
                            enabled.push("CONDSTORE");
                        }
                        "QRESYNC" => {
                            // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
                            self.condstore = true;
                            self.qresync = true;
                            enabled.push("QRESYNC");
                        }
                        _ => {}
                    }
                }
                if let Some(view) = &mut self.view {
                    view.condstore |= self.condstore;
                    view.qresync |= self.qresync;
                }
                out.buf.extend_from_slice(b"* ENABLED");
                for e in enabled {
                    out.buf.push(b' ');
                    out.buf.extend_from_slice(e.as_bytes());
                }
                out.buf.extend_from_slice(b"\r\n");
                self.done(tag, "ENABLE completed", out, true).await
            }
            CommandBody::Namespace => {
                let d = self.names.delim;
                let _ = write!(
                    Str(&mut out.buf),
                    "* NAMESPACE ((\"\" \"{d}\")) ((\"{}{d}\" \"{d}\")) ((\"{}{d}\" \"{d}\"))\r\n",
                    names::OTHER_USERS,
                    names::SHARED
                );
                self.done(tag, "NAMESPACE completed", out, true).await
            }
            CommandBody::List { reference, mailbox_wildcard } => {
                self.list(&reference, &mailbox_wildcard, false, &mut out.buf).await?;
                self.done(tag, "LIST completed", out, true).await
            }
            CommandBody::Lsub { reference, mailbox_wildcard } => {
                self.list(&reference, &mailbox_wildcard, true, &mut out.buf).await?;
                self.done(tag, "LSUB completed", out, true).await
            }
            CommandBody::Status { mailbox, item_names } => {
                self.status(&mailbox, &item_names, &mut out.buf).await?;
                self.done(tag, "STATUS completed", out, true).await
            }
            CommandBody::Create { mailbox } => {
                let name = self.mailbox_name(&mailbox);
                let name = name.trim_end_matches(self.names.delim).to_owned();
                let path = self
                    .names
                    .own_path(&name)
                    .ok_or_else(|| Fail::No(Some("NOPERM"), "Cannot create folders there".into()))?;
                self.account()?.create_folder(&path).await?;
                self.done(tag, "CREATE completed", out, true).await
            }
            CommandBody::Delete { mailbox } => {
                let name = self.mailbox_name(&mailbox);
                let path = self
                    .names
                    .own_path(&name)
                    .ok_or_else(|| Fail::No(Some("NOPERM"), "Cannot delete folders there".into()))?;
                self.account()?.delete_folder(&path).await?;
                self.done(tag, "DELETE completed", out, true).await
            }
            CommandBody::Rename { from, to } => {
                let (from, to) = (self.mailbox_name(&from), self.mailbox_name(&to));
                let denied = || Fail::No(Some("NOPERM"), "Cannot rename folders there".into());
                let from = self.names.own_path(&from).ok_or_else(denied)?;
                let to = self.names.own_path(&to).ok_or_else(denied)?;
                self.account()?.rename_folder(&from, &to).await?;
                self.done(tag, "RENAME completed", out, true).await
            }
            CommandBody::Subscribe { mailbox } => {
                let name = self.mailbox_name(&mailbox);
                self.account()?.subscribe(&name).await?;
                self.done(tag, "SUBSCRIBE completed", out, true).await
            }
            CommandBody::Unsubscribe { mailbox } => {
                let name = self.mailbox_name(&mailbox);
                self.account()?.unsubscribe(&name).await?;
                self.done(tag, "UNSUBSCRIBE completed", out, true).await
            }
            CommandBody::Append { mailbox, flags, date, message } => {
                self.append(tag, &mailbox, &flags, date.as_ref(), message, out).await
            }
            CommandBody::Select { mailbox, parameters } => self.select(tag, &mailbox, &parameters, false, out).await,
            CommandBody::Examine { mailbox, parameters } => self.select(tag, &mailbox, &parameters, true, out).await,
            CommandBody::Idle => Ok(Action::Idle { tag: tag.to_owned() }),
            CommandBody::GetQuotaRoot { mailbox } => {
                let name = self.mailbox_name(&mailbox);
                // Only the own mailbox has a quota; other namespaces have no root.
                let own = self.names.own_path(&name).is_some();
                self.open(&name).await?;
                let quota = if own { self.account()?.quota().await? } else { None };
                out.buf.extend_from_slice(b"* QUOTAROOT ");
                wire::astring(&mut out.buf, &mutf7::encode(&name));
                if let Some(q) = quota {
                    out.buf.extend_from_slice(b" \"\"\r\n");
                    quota_line(&mut out.buf, q);
                } else {
                    out.buf.extend_from_slice(b"\r\n");
                }
                self.done(tag, "GETQUOTAROOT completed", out, true).await
            }
            CommandBody::GetQuota { root } => {
                let quota = if root.as_ref().is_empty() { self.account()?.quota().await? } else { None };
                let q = quota.ok_or_else(|| Fail::No(Some("NONEXISTENT"), "No such quota root".into()))?;
                quota_line(&mut out.buf, q);
                self.done(tag, "GETQUOTA completed", out, true).await
            }
            CommandBody::SetQuota { .. } => Err(Fail::No(Some("NOPERM"), "Quotas are set by the administrator".into())),
            CommandBody::Compress { algorithm } => {
                if self.compressed {
                    return Err(Fail::No(Some("COMPRESSIONACTIVE"), "Compression is already on".into()));
                }
                if algorithm.to_string() != "DEFLATE" {
                    return Err(Fail::Bad("Unknown compression algorithm".into()));
                }
                self.compressed = true;
                self.ok(tag, None, "DEFLATE active", &mut out.buf);
                Ok(Action::Compress)
            }
            other => self.selected(tag, other, out).await,
        }
    }

    /// Pushes updates and answers `OK`.
    pub(crate) async fn done(
        &mut self,
        tag: &str,
        text: &str,
        out: &mut Output<'_>,
        expunge_ok: bool,
    ) -> Result<Action, Fail> {
        self.push_updates(&mut out.buf, expunge_ok).await;
        self.ok(tag, None, text, &mut out.buf);
        Ok(Action::Continue)
    }

    /// Pushes updates and answers `OK [code]`.
    pub(crate) async fn done_code(
        &mut self,
        tag: &str,
        code: &str,
        text: &str,
        out: &mut Output<'_>,
        expunge_ok: bool,
    ) -> Result<Action, Fail> {
        self.push_updates(&mut out.buf, expunge_ok).await;
        self.ok(tag, Some(code), text, &mut out.buf);
        Ok(Action::Continue)
    }

    pub(crate) fn account(&self) -> Result<Arc<dyn Account>, Fail> {
        self.account.clone().ok_or_else(|| Fail::Bad("Not authenticated".into()))
    }

    async fn not_authenticated(
        &mut self,
        tag: &str,
        body: CommandBody<'static>,
        out: &mut Output<'_>,
    ) -> Result<Action, Fail> {
        match body {
            CommandBody::StartTLS => {
                if self.tls || self.shared.config.tls.is_none() {
                    return Err(Fail::Bad("STARTTLS not available".into()));
                }
                self.ok(tag, None, "Begin TLS negotiation now", &mut out.buf);
                Ok(Action::StartTls)
            }
            CommandBody::Login { username, password } => {
                if !self.plaintext_allowed() {
                    return Err(Fail::No(Some("PRIVACYREQUIRED"), "Use STARTTLS or the TLS port first".into()));
                }
                let user = String::from_utf8_lossy(username.as_ref()).into_owned();
                let pass = String::from_utf8_lossy(password.declassify().as_ref()).into_owned();
                Ok(self.complete_login(tag, &user, &pass, &mut out.buf).await)
            }
            CommandBody::Authenticate { mechanism, initial_response } => {
                if !mechanism.to_string().eq_ignore_ascii_case("PLAIN") {
                    return Err(Fail::No(Some("CANNOT"), "Unsupported mechanism".into()));
                }
                if !self.plaintext_allowed() {
                    return Err(Fail::No(Some("PRIVACYREQUIRED"), "Use STARTTLS or the TLS port first".into()));
                }
                match initial_response {
                    Some(ir) => {
                        let data = ir.declassify().to_vec();
                        Ok(self.finish_plain(tag, &data, &mut out.buf).await)
                    }
                    None => Ok(Action::AuthContinue { tag: tag.to_owned() }),
                }
            }
            _ => Err(Fail::Bad("Log in first".into())),
        }
    }

    /// Completes AUTHENTICATE PLAIN with the client's response.
    pub(crate) async fn finish_plain(&mut self, tag: &str, data: &[u8], out: &mut Vec<u8>) -> Action {
        match parse_plain(data) {
            Some((user, pass)) => self.complete_login(tag, &user, &pass, out).await,
            None => {
                self.shared.counters.login_failures.fetch_add(1, Ordering::Relaxed);
                self.no(tag, Some("AUTHENTICATIONFAILED"), "Invalid PLAIN response", out);
                Action::Continue
            }
        }
    }

    async fn complete_login(&mut self, tag: &str, user: &str, pass: &str, out: &mut Vec<u8>) -> Action {
        match self.login(user, pass).await {
            LoginResult::Ok(account) => {
                self.names.delim = account.delimiter();
                self.names.inbox =
                    account.list_folders().await.ok().and_then(|l| {
                        l.into_iter().find(|f| f.is_own_role(mailbox::SpecialUse::Inbox)).map(|f| f.path)
                    });
                self.account = Some(account);
                let caps = self.capabilities();
                self.ok(tag, Some(&format!("CAPABILITY {caps}")), "Logged in", out);
            }
            LoginResult::No(code, text) => self.no(tag, Some(code), text, out),
        }
        Action::Continue
    }

    /// The client's mailbox name in UTF-8 (modified UTF-7 decoded).
    pub(crate) fn mailbox_name(&self, mailbox: &Mailbox<'_>) -> String {
        match mailbox {
            Mailbox::Inbox => "INBOX".into(),
            Mailbox::Other(other) => {
                let raw = String::from_utf8_lossy(other.as_ref()).into_owned();
                mutf7::decode(&raw).unwrap_or(raw)
            }
        }
    }

    /// Opens a folder by IMAP name, in any namespace.
    pub(crate) async fn open(&self, name: &str) -> Result<Arc<dyn Folder>, Fail> {
        let account = self.account()?;
        match self.names.own_path(name) {
            Some(path) => match account.folder_by_path(&path).await {
                Ok(f) if names::listed(f.info()) => Ok(f),
                Ok(_) => Err(Fail::No(Some("NONEXISTENT"), format!("No mailbox {name}"))),
                Err(e) => Err(e.into()),
            },
            None => {
                // Another user's mailbox is opened by the owner's address on
                // first use; the backend refuses it without rights (NOPERM).
                let missing = || Fail::No(Some("NONEXISTENT"), format!("No mailbox {name}"));
                let (store, path) = self.names.other_store(name).ok_or_else(missing)?;
                let found = account
                    .store_folders(&store)
                    .await?
                    .into_iter()
                    .find(|f| names::listed(f) && f.store == store && f.path == path)
                    .ok_or_else(missing)?;
                Ok(account.folder(&found.id).await?)
            }
        }
    }

    async fn list(
        &self,
        reference: &Mailbox<'_>,
        pattern: &ListMailbox<'_>,
        lsub: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), Fail> {
        let account = self.account()?;
        let d = self.names.delim;
        let reference = match reference {
            Mailbox::Inbox => "INBOX".to_owned(),
            Mailbox::Other(o) => String::from_utf8_lossy(o.as_ref()).into_owned(),
        };
        let pattern_raw = match pattern {
            ListMailbox::Token(t) => String::from_utf8_lossy(t.as_ref()).into_owned(),
            ListMailbox::String(s) => String::from_utf8_lossy(s.as_ref()).into_owned(),
        };
        let verb = if lsub { "LSUB" } else { "LIST" };
        if pattern_raw.is_empty() && !lsub {
            // RFC 9051 §6.3.9: the delimiter and root of the reference.
            let _ = write!(Str(out), "* LIST (\\Noselect) \"{d}\" \"\"\r\n");
            return Ok(());
        }
        let full = format!("{reference}{pattern_raw}");
        let full = mutf7::decode(&full).unwrap_or(full);
        let folders: Vec<_> = account.list_folders().await?.into_iter().filter(names::listed).collect();
        let subscribed = account.subscriptions().await?;
        let mut rows: Vec<(String, Vec<&str>)> = Vec::new();
        for f in &folders {
            let name = self.names.imap_name(f);
            let is_sub = subscribed.iter().any(|s| s == &name || (s.eq_ignore_ascii_case("INBOX") && name == "INBOX"));
            if lsub && !is_sub {
                continue;
            }
            if !names::matches(&full, &name, d) {
                continue;
            }
            let children = folders.iter().any(|c| c.parent.as_ref() == Some(&f.id));
            let mut attrs = vec![if children { "\\HasChildren" } else { "\\HasNoChildren" }];
            if let Some(a) = f.role.and_then(mailbox::SpecialUse::attribute) {
                attrs.push(a);
            }
            rows.push((name, attrs));
        }
        // The namespace roots, so that hierarchy-walking clients find them.
        for root in [names::OTHER_USERS, names::SHARED] {
            let prefix = format!("{root}{d}");
            if !lsub
                && folders.iter().any(|f| self.names.imap_name(f).starts_with(&prefix))
                && names::matches(&full, root, d)
            {
                rows.push((root.to_owned(), vec!["\\Noselect", "\\HasChildren"]));
            }
        }
        for (name, attrs) in rows {
            let _ = write!(Str(out), "* {verb} ({}) \"{d}\" ", attrs.join(" "));
            wire::astring(out, &mutf7::encode(&name));
            out.extend_from_slice(b"\r\n");
        }
        Ok(())
    }

    async fn status(&self, mailbox: &Mailbox<'_>, items: &[StatusDataItemName], out: &mut Vec<u8>) -> Result<(), Fail> {
        let name = self.mailbox_name(mailbox);
        let folder = self.open(&name).await?;
        let info = folder.select().await?;
        let mut parts = Vec::new();
        for item in items {
            parts.push(match item {
                StatusDataItemName::Messages => format!("MESSAGES {}", info.exists),
                StatusDataItemName::Recent => format!("RECENT {}", self.recent_count(folder.as_ref()).await?),
                StatusDataItemName::UidNext => format!("UIDNEXT {}", info.uid_next),
                StatusDataItemName::UidValidity => format!("UIDVALIDITY {}", info.uid_validity),
                StatusDataItemName::Unseen => format!("UNSEEN {}", info.unseen),
                StatusDataItemName::Size => format!("SIZE {}", info.size),
                StatusDataItemName::HighestModSeq => format!("HIGHESTMODSEQ {}", info.highest_modseq),
                StatusDataItemName::Deleted => format!("DELETED {}", folder.search(&SearchKey::Deleted).await?.len()),
                StatusDataItemName::DeletedStorage => continue,
            });
        }
        out.extend_from_slice(b"* STATUS ");
        wire::astring(out, &mutf7::encode(&name));
        let _ = write!(Str(out), " ({})\r\n", parts.join(" "));
        Ok(())
    }

    async fn append(
        &mut self,
        tag: &str,
        mailbox: &Mailbox<'_>,
        flags: &[imap_codec::imap_types::flag::Flag<'_>],
        date: Option<&imap_codec::imap_types::datetime::DateTime>,
        message: imap_codec::imap_types::extensions::binary::LiteralOrLiteral8<'_>,
        out: &mut Output<'_>,
    ) -> Result<Action, Fail> {
        use imap_codec::imap_types::extensions::binary::LiteralOrLiteral8;
        let name = self.mailbox_name(mailbox);
        let folder = match self.open(&name).await {
            Ok(f) => f,
            // RFC 9051 §6.3.12: TRYCREATE when the mailbox does not exist.
            Err(Fail::No(Some("NONEXISTENT"), t)) | Err(Fail::Mailbox(MailboxError::NoSuchFolder(t))) => {
                return Err(Fail::No(Some("TRYCREATE"), t));
            }
            Err(e) => return Err(e),
        };
        let mime = match message {
            LiteralOrLiteral8::Literal(l) => l.data().to_vec(),
            LiteralOrLiteral8::Literal8(l) => l.data.to_vec(),
        };
        if mime.is_empty() {
            return Err(Fail::No(None, "Empty message".into()));
        }
        let flags = crate::selected::model_flags(flags)?;
        let internal_date = date.map(|d| mailbox::Timestamp(d.as_ref().timestamp()));
        let outcome = folder.append(mailbox::AppendRequest { mime, flags, internal_date }).await?;
        let code = format!("APPENDUID {} {}", outcome.uid_validity, outcome.uid);
        self.done_code(tag, &code, "APPEND completed", out, true).await
    }
}

/// `* QUOTA "" (STORAGE used limit)`, in units of 1024 octets (RFC 9208
/// §5.1).
fn quota_line(out: &mut Vec<u8>, q: mailbox::Quota) {
    let _ = write!(Str(out), "* QUOTA \"\" (STORAGE {} {})\r\n", q.used.div_ceil(1024), q.limit / 1024);
}
