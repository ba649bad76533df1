//! Stores other than the user's own: other users' mailboxes the user may
//! open (delegates, shared mailboxes) and the public folders.
//!
//! Exchange has no cheap "which mailboxes may I open" query. Outlook offers
//! the mailboxes Autodiscover maps into the profile ([MS-OXDSCLI]
//! 2.2.4.1.1.2.1 `AlternativeMailbox`, automapping of full access), those the
//! user added by hand, and opens any other by name on request. The gateway
//! does the same: [`OtherStores`] lists the Autodiscover ones and
//! [`crate::ExchangeConfig::additional_mailboxes`], and opens any other
//! mailbox on first access by address (IMAP `Other Users/<address>/…`, DAV
//! `/calendars/<address>/`).
//!
//! Each store is its own RopLogon on the user's EMSMDB session
//! ([MS-OXCSTOR] 2.2.1.1: a private logon by the owner's legacyDN, or the
//! public store) and its own [`Session`]: its folders have their own sync
//! indexes and, in the state store, an account namespace of their own
//! (`<user>#delegate:<owner>`, `<user>#public`), so UIDs of different stores
//! never mix. Model folder ids carry a store prefix (`D<owner>\0`, `P\0`)
//! before the FID, so an id of one store never names a folder of another.
//!
//! Their change feeds are the own store's: the logons share the session's
//! one NotificationWait and event queue, so any store's notification task
//! catches up the watched folders of all of them (`watch`).
//!
//! Rights are Exchange's: a logon the owner gave no rights for answers
//! ecLoginPerm, a folder the user may not read ecAccessDenied; both become
//! [`MailboxError::AccessDenied`]. A store lists only the folders the user
//! can read (probed with a one-row contents query, the ROP Exchange checks
//! ReadAny on) among those of the IPM subtree's hierarchy table, which needs
//! Folder visible on the subtree; without it the store shows no folder. A
//! folder whose PidTagRights lack EditAny is selected read-only
//! ([`read_only`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mapi_client::api::{Mailbox, MailboxOptions, StoreTarget, TableSpec};
use mapi_client::{EmsmdbSession, TransportConfig};
use mapi_wire::PropTag;
use state::{AccountId, MimeCache, StateStore};
use tokio::sync::Mutex;

use super::ExchangeConfig;
use super::account::{Session, SessionParts};
use super::connect::{Connected, api_error, resolve_dn};
use crate::error::MailboxError;
use crate::model::{FolderId, FolderInfo, FolderKind, StoreKind};

/// How long a store's list of readable folders is reused before it is
/// probed again (rights change rarely; each probe is a round trip per
/// folder).
const VISIBLE_TTL: Duration = Duration::from_secs(30);

/// How long a refused logon is remembered (so a client that keeps asking
/// for a mailbox it may not open does not cost a logon each time).
const DENIED_TTL: Duration = Duration::from_secs(30);

/// The other stores of one account, opened on demand and kept while the
/// account lives.
pub(super) struct OtherStores {
    transport_session: Arc<EmsmdbSession>,
    identity: String,
    state: Arc<dyn StateStore>,
    config: Arc<ExchangeConfig>,
    cache: Arc<MimeCache>,
    addressbook: Option<String>,
    transport: TransportConfig,
    /// Mailboxes offered without being asked for: Autodiscover's and the
    /// configured ones (lower case, without the user's own).
    offered: Vec<String>,
    open: Mutex<HashMap<StoreKind, Opened>>,
    /// The own store's change-feed peers: one transport, one event queue.
    peers: Arc<super::watch::Peers>,
}

enum Opened {
    Ready(Arc<OtherStore>),
    Denied(Instant, String),
}

/// One opened store and the folders the user may read in it.
struct OtherStore {
    session: Arc<Session>,
    visible: Mutex<Option<(Instant, Vec<FolderInfo>)>>,
}

impl OtherStores {
    /// The other stores of the account whose own store is `own`.
    pub(super) fn new(own: &Session, connected: &Connected) -> Self {
        let identity = own.identity.to_lowercase();
        let mut offered: Vec<String> = Vec::new();
        for a in connected.alternatives.iter().chain(own.config.additional_mailboxes.iter()) {
            let a = a.trim().to_lowercase();
            if valid_address(&a) && a != identity && !offered.contains(&a) {
                offered.push(a);
            }
        }
        Self {
            transport_session: own.mailbox.session().clone(),
            identity,
            state: own.state.clone(),
            config: own.config.clone(),
            cache: own.cache.clone(),
            addressbook: connected.addressbook.clone(),
            transport: connected.transport.clone(),
            offered,
            open: Mutex::new(HashMap::new()),
            peers: own.feed.peers(),
        }
    }

    /// The folders of every offered store the user may open, and of the
    /// public folders; stores the user may not open are left out.
    pub(super) async fn all_folders(&self) -> Result<Vec<FolderInfo>, MailboxError> {
        let mut stores: Vec<StoreKind> = self.offered.iter().map(|a| StoreKind::Delegate(a.clone())).collect();
        for (k, o) in self.open.lock().await.iter() {
            if matches!(o, Opened::Ready(_)) && !stores.contains(k) && *k != StoreKind::Public {
                stores.push(k.clone());
            }
        }
        if self.config.public_folders {
            stores.push(StoreKind::Public);
        }
        let mut out = Vec::new();
        for store in stores {
            match self.folders(&store).await {
                Ok(f) => out.extend(f),
                Err(MailboxError::AccessDenied(_) | MailboxError::NoSuchFolder(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The folders of `store` the user may read, in path order. A mailbox
    /// the user may not open is [`MailboxError::AccessDenied`], an unknown
    /// address [`MailboxError::NoSuchFolder`].
    pub(super) async fn folders(&self, store: &StoreKind) -> Result<Vec<FolderInfo>, MailboxError> {
        let other = self.store(store).await?;
        let mut visible = other.visible.lock().await;
        if let Some((at, list)) = visible.as_ref()
            && at.elapsed() < VISIBLE_TTL
        {
            return Ok(list.clone());
        }
        let list = readable_folders(&other.session).await?;
        *visible = Some((Instant::now(), list.clone()));
        Ok(list)
    }

    /// The session and listing of the folder with this model id, if it is a
    /// folder of another store the user may read.
    pub(super) async fn find(&self, id: &FolderId) -> Result<(Arc<Session>, FolderInfo), MailboxError> {
        let store = store_of(id).ok_or_else(|| MailboxError::NoSuchFolder(format!("{id:?}")))?;
        let info = self
            .folders(&store)
            .await?
            .into_iter()
            .find(|f| &f.id == id)
            .ok_or_else(|| MailboxError::NoSuchFolder(format!("{id:?}")))?;
        let other = self.store(&store).await?;
        Ok((other.session.clone(), info))
    }

    /// The opened store, logging on to it on first use.
    async fn store(&self, store: &StoreKind) -> Result<Arc<OtherStore>, MailboxError> {
        let store = match store {
            StoreKind::Own => return Err(MailboxError::Internal("the own store is not another store".into())),
            StoreKind::Delegate(owner) => {
                let owner = owner.trim().to_lowercase();
                if !valid_address(&owner) {
                    return Err(MailboxError::NoSuchFolder(format!("{owner:?} is not a mailbox address")));
                }
                if owner == self.identity {
                    return Err(MailboxError::NoSuchFolder("the user's own mailbox is not another user's".into()));
                }
                StoreKind::Delegate(owner)
            }
            StoreKind::Public => StoreKind::Public,
        };
        let mut open = self.open.lock().await;
        match open.get(&store) {
            Some(Opened::Ready(s)) => return Ok(s.clone()),
            Some(Opened::Denied(at, why)) if at.elapsed() < DENIED_TTL => {
                return Err(MailboxError::AccessDenied(why.clone()));
            }
            _ => {}
        }
        match self.logon(&store).await {
            Ok(session) => {
                let s = Arc::new(OtherStore { session: Arc::new(session), visible: Mutex::new(None) });
                open.insert(store, Opened::Ready(s.clone()));
                Ok(s)
            }
            Err(MailboxError::AccessDenied(why)) => {
                open.insert(store, Opened::Denied(Instant::now(), why.clone()));
                Err(MailboxError::AccessDenied(why))
            }
            Err(e) => Err(e),
        }
    }

    /// RopLogon to the store on the user's session, and its [`Session`].
    async fn logon(&self, store: &StoreKind) -> Result<Session, MailboxError> {
        let (target, namespace, prefix) = match store {
            StoreKind::Delegate(owner) => {
                let dn = match &self.addressbook {
                    Some(url) => resolve_dn(url, owner, &self.transport).await?,
                    None => owner.clone(),
                };
                let prefix = [b"D".as_slice(), owner.as_bytes(), b"\0"].concat();
                (StoreTarget::Mailbox { legacy_dn: dn }, format!("{}#delegate:{owner}", self.identity), prefix)
            }
            StoreKind::Public | StoreKind::Own => {
                (StoreTarget::PublicFolders, format!("{}#public", self.identity), b"P\0".to_vec())
            }
        };
        let mb = Mailbox::logon(self.transport_session.clone(), target, MailboxOptions::default()).await.map_err(
            |e| match e {
                mapi_client::api::Error::Rop { code, .. } if code == mapi_wire::ErrorCode::UNKNOWN_USER => {
                    MailboxError::NoSuchFolder(format!("no mailbox {store:?}"))
                }
                e => api_error(e, "logon to another store"),
            },
        )?;
        let parts = SessionParts {
            identity: self.identity.clone(),
            account: AccountId::new(namespace),
            state: self.state.clone(),
            config: self.config.clone(),
            cache: self.cache.clone(),
            store: store.clone(),
            id_prefix: prefix,
            owns_transport: false,
        };
        let mut session = Session::open(Arc::new(mb), parts).await?;
        session.feed = super::watch::Feed::joining(self.peers.clone());
        Ok(session)
    }
}

/// The store a model folder id names by its prefix; `None` for the own
/// store's ids and anything malformed.
fn store_of(id: &FolderId) -> Option<StoreKind> {
    let bytes = id.as_bytes();
    if bytes.len() == 8 + 2 && bytes.starts_with(b"P\0") {
        return Some(StoreKind::Public);
    }
    let rest = bytes.strip_prefix(b"D")?;
    let nul = rest.iter().position(|b| *b == 0)?;
    let (owner, fid) = rest.split_at(nul);
    (fid.len() == 9).then(|| std::str::from_utf8(owner).ok().map(|o| StoreKind::Delegate(o.to_owned())))?
}

/// A plausible SMTP address (what a client may name after `Other Users/`).
fn valid_address(a: &str) -> bool {
    a.len() <= 320
        && a.split_once('@').is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'))
        && !a.chars().any(|c| c.is_control() || c.is_whitespace() || c == '/' || c == '\\')
}

/// The folders of a store's IPM subtree the user can read: the hierarchy
/// table (ecAccessDenied without Folder visible on the subtree: none), each
/// front-end folder probed with a one-row contents query (Exchange checks
/// ReadAny there, [MS-OXCPERM] 2.2.7).
async fn readable_folders(session: &Session) -> Result<Vec<FolderInfo>, MailboxError> {
    let all = match session.list().await {
        Ok(all) => all,
        Err(MailboxError::AccessDenied(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for f in all {
        if !matches!(f.kind, FolderKind::Mail | FolderKind::Calendar | FolderKind::Contacts | FolderKind::Tasks) {
            continue;
        }
        let fid = session.fid_of(&f.id)?;
        match session.mailbox.query(&TableSpec::contents(fid, vec![PropTag::MID]), 1).await {
            Ok(_) => out.push(f),
            Err(e) if e.is_permission_denied() => {}
            Err(e) => return Err(api_error(e, "folder rights")),
        }
    }
    Ok(out)
}

/// EditAny ([MS-OXCPERM] 2.2.7): the right to change any message of a
/// folder, which IMAP's READ-WRITE (flags of every message) needs.
const RIGHT_EDIT_ANY: i32 = 0x0020;

/// Whether the user may only read this folder of `session`'s store: a
/// folder of another store whose PidTagRights ([MS-OXPROPS] 2.915, the
/// server's computation of the user's own rights on the folder) lacks
/// EditAny. The own store is the user's. A server that does not report the
/// property leaves the folder writable; it still refuses what the user may
/// not do, which then fails as [`MailboxError::AccessDenied`].
pub(super) async fn read_only(session: &Session, fid: mapi_wire::ids::FolderId) -> Result<bool, MailboxError> {
    if session.store == StoreKind::Own {
        return Ok(false);
    }
    let values =
        session.mailbox.folder_properties(fid, &[PropTag::RIGHTS]).await.map_err(|e| api_error(e, "folder rights"))?;
    let rights = values.iter().find(|v| v.tag.id() == PropTag::RIGHTS.id()).and_then(|v| match v.value {
        mapi_wire::prop_value::PropValue::I32(r) => Some(r),
        _ => None,
    });
    Ok(rights.is_some_and(|r| r & RIGHT_EDIT_ANY == 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_ids_name_their_store() {
        let fid = [1u8, 2, 3, 4, 5, 6, 7, 8];
        let d = FolderId::new([b"Dteam@example.test\0".as_slice(), &fid].concat());
        assert_eq!(store_of(&d), Some(StoreKind::Delegate("team@example.test".into())));
        let p = FolderId::new([b"P\0".as_slice(), &fid].concat());
        assert_eq!(store_of(&p), Some(StoreKind::Public));
        assert_eq!(store_of(&FolderId::new(fid.to_vec())), None, "own store");
        assert_eq!(store_of(&FolderId::new(b"Dteam@example.test\0\x01".to_vec())), None, "short fid");
    }

    #[test]
    fn only_plain_addresses_are_mailboxes() {
        assert!(valid_address("alice@example.test"));
        assert!(!valid_address("../alice@example.test/x"));
        assert!(!valid_address("alice"));
        assert!(!valid_address("a@b@c"));
        assert!(!valid_address("alice@example.test\0"));
        assert!(!valid_address("ali ce@example.test"));
    }
}
