//! Other users' calendars and address books under their principal, and
//! CalendarServer's delegation properties.
//!
//! `/dav/calendars/<owner>/` of another user lists the owner's calendars the
//! authenticated user may open (the backend decides: for Exchange, the
//! folders the owner shared; see [`mailbox::Account::store_folders`]). Every
//! request below another user's principal is checked against the backend
//! first: a user without rights gets 403, an unknown owner 404, whatever
//! the spelling of the owner (the address is compared case-insensitively
//! after percent-decoding; `..` and encoded separators never reach here,
//! see [`crate::path`]).
//!
//! iOS and macOS find delegated calendars through the
//! `calendar-proxy-read-for` / `calendar-proxy-write-for` properties of the
//! user's principal (CalendarServer's caldav-proxy extension,
//! `http://calendarserver.org/ns/`): each names the principals of users who
//! made this user their delegate. The model does not tell read from write
//! rights, so every delegator is listed as read proxy; a PUT the owner did
//! not allow is refused by the backend (403).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mailbox::{FolderInfo, FolderKind, MailboxError, StoreKind};

use crate::Session;
use crate::path::{Target, encode};
use crate::xml::escape;

impl Session {
    /// The principal of the user whose resources the request addresses.
    pub(crate) fn owner_principal_href(&self) -> String {
        format!("{}/principals/{}/", self.prefix(), encode(&self.owner))
    }

    /// Whether the request addresses the authenticated user's own resources.
    pub(crate) fn owns_target(&self) -> bool {
        self.owner.eq_ignore_ascii_case(self.account.identity())
    }
}

/// The session for `target`: `None` when it is the user's own (or the
/// root), else a session scoped to the other owner once the backend has
/// let the user open something of their mailbox; 403 without rights (or
/// nothing readable), 404 for no such mailbox.
pub(crate) async fn scope(s: &Session, target: &Target) -> Result<Option<Session>, Response> {
    let user = match target {
        Target::Root => return Ok(None),
        Target::Principal { user }
        | Target::Home { user, .. }
        | Target::Collection { user, .. }
        | Target::Item { user, .. } => user,
    };
    if user.eq_ignore_ascii_case(s.account.identity()) {
        return Ok(None);
    }
    let owner = user.to_lowercase();
    match s.account.store_folders(&StoreKind::Delegate(owner.clone())).await {
        // A mailbox with nothing the user may open is as closed as one
        // without rights.
        Ok(folders) if folders.is_empty() => Err(StatusCode::FORBIDDEN.into_response()),
        Ok(_) => Ok(Some(Session { shared: s.shared.clone(), account: s.account.clone(), owner })),
        Err(MailboxError::AccessDenied(_) | MailboxError::NotPermitted(_)) => {
            Err(StatusCode::FORBIDDEN.into_response())
        }
        Err(MailboxError::NoSuchFolder(_)) => Err(StatusCode::NOT_FOUND.into_response()),
        Err(e) => Err(s.fail(&e)),
    }
}

/// The folders under the addressed owner's homes: the user's own store, or
/// what the backend lets the user open of the other owner's.
pub(crate) async fn owner_folders(s: &Session) -> Result<Vec<FolderInfo>, MailboxError> {
    if s.owns_target() {
        return s.account.store_folders(&StoreKind::Own).await;
    }
    s.account.store_folders(&StoreKind::Delegate(s.owner.clone())).await
}

/// `CS:calendar-proxy-read-for` / `CS:calendar-proxy-write-for` of the
/// addressed principal (only the user's own principal has them): the
/// principals of the users whose calendars this user may open.
pub(crate) async fn proxy_for(s: &Session, name: &str) -> Result<Option<String>, MailboxError> {
    if !s.owns_target() {
        return Ok(None);
    }
    if name != "calendar-proxy-read-for" {
        return Ok(Some(String::new()));
    }
    let mut owners: Vec<String> = Vec::new();
    for f in s.account.list_folders().await? {
        if let StoreKind::Delegate(owner) = &f.store
            && matches!(f.kind, FolderKind::Calendar | FolderKind::Tasks)
            && !owners.contains(owner)
        {
            owners.push(owner.clone());
        }
    }
    Ok(Some(
        owners
            .iter()
            .map(|o| format!("<d:href>{}</d:href>", escape(&format!("{}/principals/{}/", s.prefix(), encode(o)))))
            .collect(),
    ))
}
