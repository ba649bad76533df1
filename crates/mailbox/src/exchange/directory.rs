//! [`ExchangeDirectory`]: the global address list over the address book
//! endpoint ([MS-OXNSPI] through [MS-OXCMAPIHTTP] 2.2.5), as a
//! [`Directory`].
//!
//! * One NSPI session per account, bound on first use with the user's
//!   credentials and reused by every search; a session the server lost is
//!   bound again once, transparently.
//! * Search is NspiGetMatches on PidTagAnr ([MS-OXNSPI] 3.1.4.7): the
//!   server's ambiguous name resolution decides (Exchange: a prefix of the
//!   display name's words, the alias, the SMTP addresses and a few more
//!   attributes; gromox: a substring). Content restrictions on other
//!   properties are not used: gromox matches nothing with them
//!   (corrections B25), so phone and company are not searchable here.
//! * Entries are named by their legacyExchangeDN (PidTagEmailAddress),
//!   stable across sessions, unlike MIds; a get is DNToMId then GetProps.
//! * Group members are not read yet (PidTagAddressBookMember would need a
//!   GetMatches on the group's MId with a property name); groups come
//!   without [`DirectoryEntry::members`].
//! * Property tags are those of [MS-OXOABK] 2.2 (names, telephone and
//!   address, organisation, PidTagDisplayTypeEx, PidTagThumbnailPhoto).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use mapi_client::api::{self, AddressBook};
use mapi_client::{NspiSession, SessionConfig, TransportConfig};
use mapi_wire::PropTag;
use mapi_wire::nspi::{MinimalId, RowSet};
use mapi_wire::prop_value::{FlaggedValue, PropValue, PropertyRow};
use tokio::sync::Mutex;

use super::connect::{api_error, transport_error};
use crate::directory::{
    Directory, DirectoryEntry, DirectoryId, DirectoryQuery, DirectorySearch, EntryKind, Phone, PhoneKind, Photo,
    SearchField,
};
use crate::error::MailboxError;

/// The columns of an entry ([MS-OXOABK] 2.2.3, 2.2.4).
const COLUMNS: [PropTag; 22] = [
    PropTag::EMAIL_ADDRESS,
    PropTag::DISPLAY_NAME,
    PropTag::GIVEN_NAME,
    PropTag::SURNAME,
    PropTag::ACCOUNT,
    PropTag::SMTP_ADDRESS,
    PropTag::ADDRESS_BOOK_PROXY_ADDRESSES,
    PropTag::TITLE,
    PropTag::DEPARTMENT_NAME,
    PropTag::COMPANY_NAME,
    PropTag::OFFICE_LOCATION,
    PropTag::BUSINESS_TELEPHONE_NUMBER,
    PropTag::MOBILE_TELEPHONE_NUMBER,
    PropTag::HOME_TELEPHONE_NUMBER,
    PropTag::STREET_ADDRESS,
    PropTag::LOCALITY,
    PropTag::STATE_OR_PROVINCE,
    PropTag::POSTAL_CODE,
    PropTag::COUNTRY,
    PropTag::DISPLAY_TYPE,
    PropTag::DISPLAY_TYPE_EX,
    PropTag::THUMBNAIL_PHOTO,
];

/// [MS-OXNSPI] 2.2.1.3 PidTagDisplayType values.
const DT_DISTLIST: i32 = 0x01;
const DT_PRIVATE_DISTLIST: i32 = 0x05;
const DT_REMOTE_MAILUSER: i32 = 0x06;
/// [MS-OXOABK] 2.2.3.11 PidTagDisplayTypeEx local types (low byte).
const DT_ROOM: i32 = 0x07;
const DT_EQUIPMENT: i32 = 0x08;
const DT_SEC_DISTLIST: i32 = 0x09;

/// Where and as whom to bind the address book session.
#[derive(Clone)]
pub(super) struct BindTarget {
    /// The AddressBook (`nspi`) URL.
    pub(super) url: String,
    /// The user's legacyExchangeDN (or address).
    pub(super) user_dn: String,
    /// The user's transport (credentials, TLS).
    pub(super) transport: TransportConfig,
}

/// The GAL of one Exchange account. Shared by the account's front ends.
pub struct ExchangeDirectory {
    target: BindTarget,
    bound: Mutex<Option<Bound>>,
    binds: AtomicU64,
    requests: AtomicU64,
}

struct Bound {
    session: Arc<NspiSession>,
    book: Arc<AddressBook>,
}

impl std::fmt::Debug for ExchangeDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExchangeDirectory").field("url", &self.target.url).finish_non_exhaustive()
    }
}

impl Drop for ExchangeDirectory {
    /// Unbinds the session when the account goes.
    fn drop(&mut self) {
        let Some(bound) = self.bound.get_mut().take() else { return };
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            drop(rt.spawn(async move {
                let _unbound = bound.session.unbind().await;
            }));
        }
    }
}

impl ExchangeDirectory {
    pub(super) fn new(target: BindTarget) -> Self {
        Self { target, bound: Mutex::new(None), binds: AtomicU64::new(0), requests: AtomicU64::new(0) }
    }

    /// NSPI Binds so far (1 while the session lives) and requests sent.
    pub fn counters(&self) -> (u64, u64) {
        (self.binds.load(Ordering::Relaxed), self.requests.load(Ordering::Relaxed))
    }

    /// The bound address book, binding on first use.
    async fn book(&self) -> Result<Arc<AddressBook>, MailboxError> {
        let mut bound = self.bound.lock().await;
        if let Some(b) = bound.as_ref() {
            return Ok(b.book.clone());
        }
        let config = SessionConfig::new(&self.target.url, &self.target.user_dn, self.target.transport.clone());
        let session = Arc::new(NspiSession::bind(config).await.map_err(transport_error)?);
        self.binds.fetch_add(1, Ordering::Relaxed);
        let book = Arc::new(AddressBook::new(session.clone(), 1252));
        *bound = Some(Bound { session, book: book.clone() });
        Ok(book)
    }

    /// Runs `op` on the address book; a lost context is retried once on a
    /// fresh Bind, any other transport failure drops the session so that
    /// the next call binds again.
    async fn run<T, F, Fut>(&self, what: &str, op: F) -> Result<T, MailboxError>
    where
        F: Fn(Arc<AddressBook>) -> Fut,
        Fut: Future<Output = api::Result<T>>,
    {
        let mut retried = false;
        loop {
            let book = self.book().await?;
            self.requests.fetch_add(1, Ordering::Relaxed);
            match op(book).await {
                Ok(t) => return Ok(t),
                Err(api::Error::Transport(e)) => {
                    *self.bound.lock().await = None;
                    if !retried && matches!(e, mapi_client::Error::Reconnected { .. }) {
                        retried = true;
                        continue;
                    }
                    return Err(api_error(api::Error::Transport(e), what));
                }
                Err(e) => return Err(api_error(e, what)),
            }
        }
    }
}

#[async_trait]
impl Directory for ExchangeDirectory {
    fn searchable(&self) -> &[SearchField] {
        &[SearchField::Name, SearchField::Email, SearchField::Nickname]
    }

    async fn search(&self, query: &DirectoryQuery, limit: usize) -> Result<DirectorySearch, MailboxError> {
        let text = query.text.trim();
        if text.is_empty() || !query.fields.iter().any(|f| self.searchable().contains(f)) {
            return Ok(DirectorySearch::default());
        }
        let max = u32::try_from(limit.saturating_add(1)).unwrap_or(u32::MAX);
        let rows = self.run("GAL search", |book| async move { book.search(text, &COLUMNS, max).await }).await?;
        Ok(DirectorySearch::capped(entries(&rows), limit))
    }

    async fn get(&self, id: &DirectoryId) -> Result<Option<DirectoryEntry>, MailboxError> {
        let dn = id.as_str();
        let values = self
            .run("GAL entry", |book| async move {
                let mid = book.dn_to_mid(&[dn]).await?.first().copied().unwrap_or(MinimalId(0));
                if mid == MinimalId(0) {
                    return Ok(None);
                }
                book.props(mid, &COLUMNS).await.map(Some)
            })
            .await?;
        Ok(values.and_then(|v| entry(v.iter().map(|t| (t.tag, Some(&t.value))))))
    }

    async fn list(&self, limit: usize) -> Result<DirectorySearch, MailboxError> {
        let max = u32::try_from(limit.saturating_add(1)).unwrap_or(u32::MAX);
        let rows = self.run("GAL listing", |book| async move { book.browse(&COLUMNS, max).await }).await?;
        Ok(DirectorySearch::capped(entries(&rows), limit))
    }
}

/// The entries of a row set (rows without a legacyDN are skipped).
fn entries(rows: &RowSet) -> Vec<DirectoryEntry> {
    rows.rows
        .iter()
        .filter_map(|row| {
            let values: Vec<Option<&PropValue>> = match row {
                PropertyRow::Standard(v) => v.iter().map(Some).collect(),
                PropertyRow::Flagged(v) => v
                    .iter()
                    .map(|f| match f {
                        FlaggedValue::Value(v) => Some(v),
                        _ => None,
                    })
                    .collect(),
            };
            entry(rows.columns.iter().copied().zip(values))
        })
        .collect()
}

/// One entry from its (tag, value) pairs; `None` without a legacyDN.
fn entry<'a>(values: impl Iterator<Item = (PropTag, Option<&'a PropValue>)>) -> Option<DirectoryEntry> {
    let mut e = DirectoryEntry::default();
    let (mut display_type, mut display_type_ex, mut proxies) = (None, None, Vec::new());
    for (tag, value) in values {
        let Some(value) = value else { continue };
        let text = || text(value).unwrap_or_default();
        // Ids only: a server may answer PtypString8 for a PtypString column.
        match tag.id() {
            id if id == PropTag::EMAIL_ADDRESS.id() => e.id = DirectoryId::new(text()),
            id if id == PropTag::DISPLAY_NAME.id() => e.display_name = text(),
            id if id == PropTag::GIVEN_NAME.id() => e.given_name = text(),
            id if id == PropTag::SURNAME.id() => e.surname = text(),
            id if id == PropTag::ACCOUNT.id() => e.nickname = text(),
            id if id == PropTag::SMTP_ADDRESS.id() => e.email = text(),
            id if id == PropTag::ADDRESS_BOOK_PROXY_ADDRESSES.id() => proxies = texts(value),
            id if id == PropTag::TITLE.id() => e.title = text(),
            id if id == PropTag::DEPARTMENT_NAME.id() => e.department = text(),
            id if id == PropTag::COMPANY_NAME.id() => e.company = text(),
            id if id == PropTag::OFFICE_LOCATION.id() => e.office = text(),
            id if id == PropTag::BUSINESS_TELEPHONE_NUMBER.id() => phone(&mut e, PhoneKind::Business, text()),
            id if id == PropTag::MOBILE_TELEPHONE_NUMBER.id() => phone(&mut e, PhoneKind::Mobile, text()),
            id if id == PropTag::HOME_TELEPHONE_NUMBER.id() => phone(&mut e, PhoneKind::Home, text()),
            id if id == PropTag::STREET_ADDRESS.id() => e.address.street = text(),
            id if id == PropTag::LOCALITY.id() => e.address.locality = text(),
            id if id == PropTag::STATE_OR_PROVINCE.id() => e.address.region = text(),
            id if id == PropTag::POSTAL_CODE.id() => e.address.postal_code = text(),
            id if id == PropTag::COUNTRY.id() => e.address.country = text(),
            id if id == PropTag::DISPLAY_TYPE.id() => display_type = int(value),
            id if id == PropTag::DISPLAY_TYPE_EX.id() => display_type_ex = int(value),
            id if id == PropTag::THUMBNAIL_PHOTO.id() => {
                if let PropValue::Binary(b) = value
                    && !b.is_empty()
                {
                    e.photo = Some(Photo { media_type: image_type(b).into(), data: b.clone() });
                }
            }
            _ => {}
        }
    }
    if e.id.as_str().is_empty() {
        return None;
    }
    for p in proxies {
        // [MS-OXOABK] 2.2.3.23: "SMTP:" marks the primary, "smtp:" the others.
        let Some((kind, address)) = p.split_once(':') else { continue };
        if kind.eq_ignore_ascii_case("smtp") && !address.eq_ignore_ascii_case(&e.email) {
            if e.email.is_empty() && kind == "SMTP" {
                e.email = address.to_owned();
            } else {
                e.other_emails.push(address.to_owned());
            }
        }
    }
    e.kind = kind(display_type, display_type_ex);
    if e.display_name.is_empty() {
        e.display_name = if e.email.is_empty() { e.id.as_str().to_owned() } else { e.email.clone() };
    }
    Some(e)
}

fn phone(e: &mut DirectoryEntry, kind: PhoneKind, number: String) {
    if !number.trim().is_empty() {
        e.phones.push(Phone { kind, number });
    }
}

fn kind(display_type: Option<i32>, display_type_ex: Option<i32>) -> EntryKind {
    match display_type_ex.map(|x| x & 0xff) {
        Some(DT_ROOM) => return EntryKind::Room,
        Some(DT_EQUIPMENT) => return EntryKind::Equipment,
        Some(DT_SEC_DISTLIST) => return EntryKind::Group,
        _ => {}
    }
    match display_type {
        Some(DT_DISTLIST | DT_PRIVATE_DISTLIST) => EntryKind::Group,
        Some(DT_REMOTE_MAILUSER) => EntryKind::Contact,
        _ => EntryKind::User,
    }
}

/// The media type of a thumbnail by its magic number (Exchange stores JPEG).
fn image_type(b: &[u8]) -> &'static str {
    if b.starts_with(b"\x89PNG") {
        "image/png"
    } else if b.starts_with(b"GIF8") {
        "image/gif"
    } else {
        "image/jpeg"
    }
}

fn text(v: &PropValue) -> Option<String> {
    match v {
        PropValue::String(s) => Some(s.clone()),
        // PtypString8 in the session's code page (1252, a superset of Latin-1
        // for these fields).
        PropValue::String8(b) => Some(b.iter().map(|c| char::from(*c)).collect()),
        _ => None,
    }
}

fn texts(v: &PropValue) -> Vec<String> {
    match v {
        PropValue::MvString(v) => v.clone(),
        PropValue::MvString8(v) => v.iter().map(|b| b.iter().map(|c| char::from(*c)).collect()).collect(),
        _ => Vec::new(),
    }
}

fn int(v: &PropValue) -> Option<i32> {
    match v {
        PropValue::I32(i) => Some(*i),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_from_columns_with_proxies_kind_and_photo() {
        let s = |x: &str| PropValue::String(x.into());
        let values = [
            (PropTag::EMAIL_ADDRESS, s("/o=org/ou=x/cn=Recipients/cn=room1")),
            (PropTag::DISPLAY_NAME, s("Room 1")),
            (PropTag::SMTP_ADDRESS, s("room1@example.test")),
            (
                PropTag::ADDRESS_BOOK_PROXY_ADDRESSES,
                PropValue::MvString(vec![
                    "SMTP:room1@example.test".into(),
                    "smtp:r1@example.test".into(),
                    "X500:/o=old".into(),
                ]),
            ),
            (PropTag::BUSINESS_TELEPHONE_NUMBER, s("+1 555 0100")),
            (PropTag::MOBILE_TELEPHONE_NUMBER, s("  ")),
            (PropTag::DISPLAY_TYPE, PropValue::I32(0)),
            (PropTag::DISPLAY_TYPE_EX, PropValue::I32(DT_ROOM)),
            (PropTag::THUMBNAIL_PHOTO, PropValue::Binary(b"\x89PNG\r\n".to_vec())),
        ];
        let e = entry(values.iter().map(|(t, v)| (*t, Some(v)))).unwrap();
        assert_eq!(e.id.as_str(), "/o=org/ou=x/cn=Recipients/cn=room1");
        assert_eq!(e.kind, EntryKind::Room);
        assert_eq!(e.other_emails, ["r1@example.test"]);
        assert_eq!(e.phones, [Phone { kind: PhoneKind::Business, number: "+1 555 0100".into() }]);
        assert_eq!(e.photo.as_ref().map(|p| p.media_type.as_str()), Some("image/png"));
        // No legacyDN: not an entry we could name again.
        assert!(entry([(PropTag::DISPLAY_NAME, Some(&s("x")))].into_iter()).is_none());
        assert_eq!(kind(Some(DT_DISTLIST), None), EntryKind::Group);
        assert_eq!(kind(Some(0), Some(0x4000_0000)), EntryKind::User);
    }
}
