//! The organisation's directory (the global address list, GAL): people,
//! distribution lists and rooms the user can look up but not change.
//!
//! Front ends reach it through [`crate::Account::directory`]; the CardDAV
//! server turns it into a read-only address book. The model carries no
//! backend type: [`DirectoryEntry`] is plain text and bytes, the id is
//! opaque, and a backend says which [`SearchField`]s it can search on the
//! server ([`Directory::searchable`]) so that a front end refuses what it
//! cannot answer instead of answering wrongly. The MAPI-backed directory
//! (NSPI) is `crate::exchange::ExchangeDirectory`; an LDAP one would
//! implement the same trait.
//!
//! Search semantics: an entry matches when one of its values in the asked
//! fields has a word starting with the query text, case-insensitively —
//! what Exchange's ambiguous name resolution ([MS-OXNSPI] 3.1.4.7) and an
//! LDAP `(|(cn=x*)(mail=x*)…)` filter both give. Callers that need exact
//! RFC 6352 text-match semantics filter the (few) results again.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::error::MailboxError;

/// The stable identity of a directory entry (for Exchange the
/// legacyExchangeDN, for LDAP the DN). Opaque to front ends; they may
/// encode it into a URL.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DirectoryId(String);

impl DirectoryId {
    /// Wraps a backend id.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as the backend knows it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DirectoryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DirectoryId({})", self.0)
    }
}

/// What a directory entry stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum EntryKind {
    /// A person with a mailbox (or a mail-enabled user).
    #[default]
    User,
    /// A distribution list or mail-enabled group.
    Group,
    /// A room mailbox.
    Room,
    /// An equipment (resource) mailbox.
    Equipment,
    /// A mail contact outside the organisation.
    Contact,
}

/// Which telephone number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhoneKind {
    /// Work.
    Business,
    /// Mobile.
    Mobile,
    /// Home.
    Home,
}

/// A telephone number of an entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Phone {
    /// Which number.
    pub kind: PhoneKind,
    /// The number as the directory holds it.
    pub number: String,
}

/// A postal (office) address; empty parts are empty strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PostalAddress {
    /// Street and number.
    pub street: String,
    /// City.
    pub locality: String,
    /// State or province.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Country.
    pub country: String,
}

impl PostalAddress {
    /// Whether every part is empty.
    pub fn is_empty(&self) -> bool {
        [&self.street, &self.locality, &self.region, &self.postal_code, &self.country].iter().all(|s| s.is_empty())
    }
}

/// A member of a group entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupMember {
    /// The member's display name.
    pub name: String,
    /// The member's SMTP address.
    pub email: String,
}

/// A photo of an entry.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Photo {
    /// The media type (`image/jpeg` for Exchange thumbnails).
    pub media_type: String,
    /// The image bytes.
    pub data: Vec<u8>,
}

impl fmt::Debug for Photo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Photo({}, {} bytes)", self.media_type, self.data.len())
    }
}

/// One directory entry, as much as the directory tells.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DirectoryEntry {
    /// The stable id.
    pub id: DirectoryId,
    /// Person, group, room…
    pub kind: EntryKind,
    /// The display name (never empty: the backend falls back to the address).
    pub display_name: String,
    /// Given name.
    pub given_name: String,
    /// Surname.
    pub surname: String,
    /// The alias (Exchange mailNickname); becomes the vCard NICKNAME.
    pub nickname: String,
    /// The primary SMTP address (empty when the entry has none).
    pub email: String,
    /// Other SMTP addresses (proxy addresses without the primary).
    pub other_emails: Vec<String>,
    /// Job title.
    pub title: String,
    /// Department.
    pub department: String,
    /// Company.
    pub company: String,
    /// Office (room or building).
    pub office: String,
    /// Telephone numbers.
    pub phones: Vec<Phone>,
    /// Postal (office) address.
    pub address: PostalAddress,
    /// Members of a group, when the backend could tell cheaply.
    pub members: Vec<GroupMember>,
    /// The photo, when the directory has one.
    pub photo: Option<Photo>,
}

impl DirectoryEntry {
    /// A version of the entry's content: changes whenever a field does, the
    /// same on every node and across restarts (FNV-1a over the fields), so
    /// front ends can use it as an ETag.
    pub fn version(&self) -> String {
        let mut h = Fnv::default();
        let kind = match self.kind {
            EntryKind::User => "u",
            EntryKind::Group => "g",
            EntryKind::Room => "r",
            EntryKind::Equipment => "e",
            EntryKind::Contact => "c",
        };
        for s in [
            self.id.as_str(),
            kind,
            &self.display_name,
            &self.given_name,
            &self.surname,
            &self.nickname,
            &self.email,
            &self.title,
            &self.department,
            &self.company,
            &self.office,
            &self.address.street,
            &self.address.locality,
            &self.address.region,
            &self.address.postal_code,
            &self.address.country,
        ] {
            h.field(s.as_bytes());
        }
        for e in &self.other_emails {
            h.field(e.as_bytes());
        }
        for p in &self.phones {
            h.field(&[p.kind as u8]);
            h.field(p.number.as_bytes());
        }
        for m in &self.members {
            h.field(m.name.as_bytes());
            h.field(m.email.as_bytes());
        }
        if let Some(p) = &self.photo {
            h.field(p.media_type.as_bytes());
            h.field(&p.data);
        }
        format!("{:016x}", h.0)
    }

    /// The entry's values in `field` (for matching a query).
    pub fn values(&self, field: SearchField) -> Vec<&str> {
        let v: Vec<&str> = match field {
            SearchField::Name => vec![&self.display_name, &self.given_name, &self.surname],
            SearchField::Email => {
                std::iter::once(self.email.as_str()).chain(self.other_emails.iter().map(String::as_str)).collect()
            }
            SearchField::Nickname => vec![&self.nickname],
            SearchField::Phone => self.phones.iter().map(|p| p.number.as_str()).collect(),
            SearchField::Organization => vec![&self.company, &self.department],
        };
        v.into_iter().filter(|s| !s.is_empty()).collect()
    }

    /// Whether a word of one of the entry's values in `query.fields` starts
    /// with `query.text` (case-insensitive): the search semantics of the
    /// model (module documentation).
    pub fn matches(&self, query: &DirectoryQuery) -> bool {
        let needle = query.text.trim().to_lowercase();
        if needle.is_empty() {
            return false;
        }
        query.fields.iter().any(|f| {
            self.values(*f).into_iter().any(|v| {
                let v = v.to_lowercase();
                v.starts_with(&needle)
                    || v.split(|c: char| c.is_whitespace() || matches!(c, '.' | '-' | '_' | ',' | '('))
                        .any(|w| w.starts_with(&needle))
            })
        })
    }
}

/// 64-bit FNV-1a with a separator between fields.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn field(&mut self, bytes: &[u8]) {
        for b in bytes.iter().chain(&[0xff]) {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// What a query searches in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SearchField {
    /// Display, given and surname.
    Name,
    /// SMTP addresses.
    Email,
    /// The alias.
    Nickname,
    /// Telephone numbers.
    Phone,
    /// Company and department.
    Organization,
}

impl SearchField {
    /// Every field.
    pub const ALL: [Self; 5] = [Self::Name, Self::Email, Self::Nickname, Self::Phone, Self::Organization];
}

/// A directory search: `text` as a word prefix in any of `fields`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryQuery {
    /// What the user typed.
    pub text: String,
    /// Where to look (any of them may match).
    pub fields: Vec<SearchField>,
}

impl DirectoryQuery {
    /// `text` in names, addresses and aliases: what a "find person" box asks.
    pub fn anr(text: impl Into<String>) -> Self {
        Self { text: text.into(), fields: vec![SearchField::Name, SearchField::Email, SearchField::Nickname] }
    }
}

/// The answer of [`Directory::search`] and [`Directory::list`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectorySearch {
    /// The entries found, at most the limit asked for, in directory order.
    pub entries: Vec<DirectoryEntry>,
    /// Whether more entries matched than the limit allowed.
    pub truncated: bool,
}

impl DirectorySearch {
    /// Cuts `entries` (fetched with one more than `limit`) to `limit`.
    pub fn capped(mut entries: Vec<DirectoryEntry>, limit: usize) -> Self {
        let truncated = entries.len() > limit;
        entries.truncate(limit);
        Self { entries, truncated }
    }
}

/// A read-only directory. Shared (`Arc<dyn Directory>`) by every front end
/// of a user.
#[async_trait]
pub trait Directory: Send + Sync {
    /// The fields [`Directory::search`] can search; other fields of a query
    /// are ignored, so a front end checks here first.
    fn searchable(&self) -> &[SearchField];

    /// The entries matching `query` (module documentation), at most
    /// `limit`, with [`DirectorySearch::truncated`] set when there were more.
    /// An empty text finds nothing.
    async fn search(&self, query: &DirectoryQuery, limit: usize) -> Result<DirectorySearch, MailboxError>;

    /// The entry with this id, photo included; `None` when there is none.
    async fn get(&self, id: &DirectoryId) -> Result<Option<DirectoryEntry>, MailboxError>;

    /// The first `limit` entries in directory order (for small directories
    /// a client may browse).
    async fn list(&self, limit: usize) -> Result<DirectorySearch, MailboxError>;
}

/// An in-memory directory, for tests and for front-end development.
#[derive(Clone, Debug, Default)]
pub struct MemoryDirectory {
    entries: Arc<Vec<DirectoryEntry>>,
}

impl MemoryDirectory {
    /// A directory of `entries`, kept in display-name order.
    pub fn new(mut entries: Vec<DirectoryEntry>) -> Self {
        entries.sort_by(|a, b| {
            a.display_name.to_lowercase().cmp(&b.display_name.to_lowercase()).then_with(|| a.id.cmp(&b.id))
        });
        Self { entries: Arc::new(entries) }
    }
}

#[async_trait]
impl Directory for MemoryDirectory {
    fn searchable(&self) -> &[SearchField] {
        &SearchField::ALL
    }

    async fn search(&self, query: &DirectoryQuery, limit: usize) -> Result<DirectorySearch, MailboxError> {
        let found = self.entries.iter().filter(|e| e.matches(query)).take(limit.saturating_add(1)).cloned().collect();
        Ok(DirectorySearch::capped(found, limit))
    }

    async fn get(&self, id: &DirectoryId) -> Result<Option<DirectoryEntry>, MailboxError> {
        Ok(self.entries.iter().find(|e| &e.id == id).cloned())
    }

    async fn list(&self, limit: usize) -> Result<DirectorySearch, MailboxError> {
        Ok(DirectorySearch::capped(self.entries.iter().take(limit.saturating_add(1)).cloned().collect(), limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, name: &str, email: &str) -> DirectoryEntry {
        let (given, surname) = name.split_once(' ').unwrap_or((name, ""));
        DirectoryEntry {
            id: DirectoryId::new(id),
            display_name: name.into(),
            given_name: given.into(),
            surname: surname.into(),
            nickname: email.split('@').next().unwrap_or_default().into(),
            email: email.into(),
            ..DirectoryEntry::default()
        }
    }

    fn gal() -> MemoryDirectory {
        let mut carol = person("/o=x/cn=carol", "Carol Ölund", "carol@example.test");
        carol.phones.push(Phone { kind: PhoneKind::Mobile, number: "+49 170 555".into() });
        carol.company = "Boats Ltd".into();
        MemoryDirectory::new(vec![
            person("/o=x/cn=bob", "Bob Tester", "bob@example.test"),
            person("/o=x/cn=alice", "Alice Tester", "alice@example.test"),
            carol,
        ])
    }

    fn names(s: &DirectorySearch) -> Vec<&str> {
        s.entries.iter().map(|e| e.display_name.as_str()).collect()
    }

    #[tokio::test]
    async fn prefix_search_over_names_addresses_and_aliases() {
        let d = gal();
        assert_eq!(names(&d.search(&DirectoryQuery::anr("bo"), 50).await.unwrap()), ["Bob Tester"]);
        // A word inside the display name, any case; not a substring inside a word.
        assert_eq!(names(&d.search(&DirectoryQuery::anr("TESTER"), 50).await.unwrap()), ["Alice Tester", "Bob Tester"]);
        assert!(d.search(&DirectoryQuery::anr("ester"), 50).await.unwrap().entries.is_empty());
        assert_eq!(names(&d.search(&DirectoryQuery::anr("öl"), 50).await.unwrap()), ["Carol Ölund"]);
        assert!(d.search(&DirectoryQuery::anr("zz"), 50).await.unwrap().entries.is_empty());
        assert!(d.search(&DirectoryQuery::anr("  "), 50).await.unwrap().entries.is_empty());
        // "Boats Ltd" is the company: only an Organization query sees it.
        let org = DirectoryQuery { text: "boat".into(), fields: vec![SearchField::Organization] };
        assert_eq!(names(&d.search(&org, 50).await.unwrap()), ["Carol Ölund"]);
        let phone = DirectoryQuery { text: "+49".into(), fields: vec![SearchField::Phone] };
        assert_eq!(names(&d.search(&phone, 50).await.unwrap()), ["Carol Ölund"]);
    }

    #[tokio::test]
    async fn results_are_capped_and_say_so() {
        let d = gal();
        let one = d.search(&DirectoryQuery::anr("tester"), 1).await.unwrap();
        assert_eq!((names(&one), one.truncated), (vec!["Alice Tester"], true));
        let all = d.search(&DirectoryQuery::anr("tester"), 2).await.unwrap();
        assert!(!all.truncated);
        let listed = d.list(2).await.unwrap();
        assert_eq!((names(&listed), listed.truncated), (vec!["Alice Tester", "Bob Tester"], true));
    }

    #[tokio::test]
    async fn get_by_id_and_versions_follow_content() {
        let d = gal();
        let bob = d.get(&DirectoryId::new("/o=x/cn=bob")).await.unwrap().unwrap();
        assert_eq!(bob.email, "bob@example.test");
        assert_eq!(d.get(&DirectoryId::new("/o=x/cn=nobody")).await.unwrap(), None);
        let mut changed = bob.clone();
        assert_eq!(changed.version(), bob.version());
        changed.title = "Builder".into();
        assert_ne!(changed.version(), bob.version());
        // Moving a value to another field changes the version too.
        let mut a = bob.clone();
        a.title = "x".into();
        let mut b = bob.clone();
        b.department = "x".into();
        assert_ne!(a.version(), b.version());
    }
}
