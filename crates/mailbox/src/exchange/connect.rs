//! Logging a user in to Exchange: transport from the configuration,
//! Autodiscover or explicit endpoints, EMSMDB Connect, RopLogon to the own
//! mailbox; and the mapping of client errors to [`MailboxError`].

use std::sync::Arc;

use mapi_client::api::{self, AddressBook, Mailbox, MailboxOptions, StoreTarget};
use mapi_client::{Credentials, EmsmdbSession, NspiSession, SessionConfig, TransportConfig};
use mapi_wire::ErrorCode;

use super::{AuthMode, Endpoints, ExchangeConfig};
use crate::error::MailboxError;

/// A logged-on own mailbox.
pub(super) struct Connected {
    /// The store.
    pub(super) mailbox: Arc<Mailbox>,
    /// The primary SMTP address (the account's identity).
    pub(super) identity: String,
    /// Where the user's address book (GAL) is, when known.
    pub(super) directory: Option<super::directory::BindTarget>,
    /// The address book URL (NSPI), to resolve other mailboxes' legacyDNs.
    pub(super) addressbook: Option<String>,
    /// The user's transport settings (another store's logon reuses the
    /// session; NSPI binds need them).
    pub(super) transport: TransportConfig,
    /// Mailboxes Autodiscover maps into the profile (`AlternativeMailbox`).
    pub(super) alternatives: Vec<String>,
}

/// The transport for `user`'s credentials.
pub(super) fn transport(config: &ExchangeConfig, user: &str, password: &str) -> Result<TransportConfig, MailboxError> {
    let credentials = match config.auth {
        AuthMode::Basic => Credentials::Basic { user: user.to_owned(), password: password.to_owned().into() },
        AuthMode::Ntlm => Credentials::Ntlm { login: user.to_owned(), password: password.to_owned().into() },
        AuthMode::Bearer => {
            let tokens = config
                .bearer
                .as_ref()
                .ok_or_else(|| MailboxError::Internal("auth mode Bearer without a token source".into()))?;
            Credentials::Bearer((tokens.0)(user).map_err(MailboxError::Unavailable)?)
        }
    };
    let mut t = TransportConfig::new(credentials);
    t.tls.webpki_roots = config.webpki_roots;
    t.tls.extra_roots = config.extra_roots.clone();
    t.tls.pinned_certificate = config.pinned_certificate.clone();
    t.request_timeout = config.request_timeout;
    t.notification_wait_timeout = config.notification_wait;
    t.retry = config.retry;
    if user.contains('@') {
        t.anchor_mailbox = Some(user.to_owned());
    }
    Ok(t)
}

/// Authenticates `user` and logs on to their mailbox. A refused password is
/// [`MailboxError::AuthenticationFailed`]; an endpoint that cannot be reached
/// or stays busy is [`MailboxError::Unavailable`].
pub(super) async fn connect(config: &ExchangeConfig, user: &str, password: &str) -> Result<Connected, MailboxError> {
    let t = transport(config, user, password)?;
    let (mailstore_url, user_dn, identity, addressbook, alternatives) = match &config.endpoints {
        Endpoints::Autodiscover { start } => {
            let start = (!start.is_empty()).then(|| start.clone());
            let d = mapi_client::autodiscover::discover_from(start, user, &t, None).await.map_err(transport_error)?;
            let identity = if d.smtp_address.is_empty() { user.to_lowercase() } else { d.smtp_address.to_lowercase() };
            let alternatives = d
                .alternative_mailboxes
                .iter()
                .filter(|a| !a.kind.eq_ignore_ascii_case("Archive") && !a.smtp_address.is_empty())
                .map(|a| a.smtp_address.to_lowercase())
                .collect();
            let book = (!d.addressbook_url.is_empty()).then(|| d.addressbook_url.clone());
            (d.mailstore_url, d.legacy_dn, identity, book, alternatives)
        }
        Endpoints::Explicit { mailstore, addressbook } => {
            let identity = user.to_lowercase();
            let dn = match addressbook {
                Some(url) => resolve_dn(url, &identity, &t).await?,
                None => identity.clone(),
            };
            (mailstore.clone(), dn, identity, addressbook.clone(), Vec::new())
        }
    };
    let session = EmsmdbSession::connect(SessionConfig::new(&mailstore_url, &user_dn, t.clone()))
        .await
        .map_err(transport_error)?;
    let target = StoreTarget::Mailbox { legacy_dn: user_dn.clone() };
    let mailbox = Mailbox::logon(Arc::new(session), target, MailboxOptions::default())
        .await
        .map_err(|e| api_error(e, "logon"))?;
    let directory = addressbook.clone().map(|url| super::directory::BindTarget {
        url,
        user_dn: user_dn.clone(),
        transport: t.clone(),
    });
    Ok(Connected { mailbox: Arc::new(mailbox), identity, directory, addressbook, transport: t, alternatives })
}

/// The legacyExchangeDN of `smtp` through the address book; the address
/// itself when the directory does not know it uniquely.
pub(super) async fn resolve_dn(url: &str, smtp: &str, t: &TransportConfig) -> Result<String, MailboxError> {
    let session = NspiSession::bind(SessionConfig::new(url, smtp, t.clone())).await.map_err(transport_error)?;
    let book = AddressBook::new(Arc::new(session), 1252);
    let dn = book.legacy_dn(smtp).await.map_err(|e| api_error(e, "address book"))?;
    Ok(dn.unwrap_or_else(|| smtp.to_owned()))
}

/// A transport failure as the model reports it.
pub(super) fn transport_error(e: mapi_client::Error) -> MailboxError {
    match e {
        mapi_client::Error::Auth(_) => MailboxError::AuthenticationFailed,
        mapi_client::Error::Config(m) => MailboxError::Internal(format!("MAPI configuration: {m}")),
        mapi_client::Error::Ambiguous { kind, reason } => MailboxError::Unavailable(format!(
            "the outcome of a {kind:?} request is unknown ({reason}); nothing was repeated"
        )),
        other => MailboxError::Unavailable(other.to_string()),
    }
}

/// A typed-API failure during `what`.
pub(super) fn api_error(e: api::Error, what: &str) -> MailboxError {
    match e {
        api::Error::Transport(t) => transport_error(t),
        api::Error::Rop { code, rop } if code == ErrorCode::ACCESS_DENIED || code == ErrorCode::LOGIN_PERM => {
            MailboxError::AccessDenied(format!("{what}: Exchange denied {rop}"))
        }
        api::Error::Execute(code) if code == ErrorCode::ACCESS_DENIED || code == ErrorCode::LOGIN_PERM => {
            MailboxError::AccessDenied(format!("{what}: Exchange denied the request"))
        }
        api::Error::Rop { code, .. } if code == ErrorCode::NOT_FOUND || code == ErrorCode::OBJECT_DELETED => {
            MailboxError::NoSuchFolder(format!("{what}: the object no longer exists"))
        }
        api::Error::Rop { code, .. } if code == ErrorCode::DUPLICATE_NAME => {
            MailboxError::AlreadyExists(what.to_owned())
        }
        api::Error::TooLarge(m) => MailboxError::Invalid(format!("{what}: {m}")),
        other => MailboxError::Unavailable(format!("{what}: {other}")),
    }
}
