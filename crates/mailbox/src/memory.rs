//! An in-memory implementation of [`Account`] and [`Folder`] for developing
//! and testing the front ends without Exchange.
//!
//! Messages live in memory as the MAPI message `convert::from_mime` makes of
//! the appended MIME, plus the MIME bytes as given (served as BODY[], so
//! RFC822.SIZE is exact). Flags live in the message's MAPI properties through
//! [`crate::mapi::flags`], searches run as the plan of
//! [`crate::mapi::search::plan`]: the restriction through
//! [`crate::mapi::eval`], the residual locally. UIDs, UIDVALIDITY,
//! mod-sequences, `\Deleted` and subscriptions live in the real
//! [`StateStore`] given at construction, so UID semantics are production's.
//!
//! Submission ([`Account::submit`]) files the message in Sent Items and
//! records it ([`MemoryAccount::submitted`]); nothing is delivered to the
//! recipients. The user may send as their own identity and the addresses
//! given to [`MemoryAccount::allow_send_as`].
//!
//! Limits: one store (the user's own; no delegates or public folders yet);
//! `\Recent` is never set (no session claims); COPY does not carry
//! `\Deleted` (gateway state) to the copies.

mod dav;
mod folder;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use async_trait::async_trait;
use convert::Message;
use state::{AccountId, FolderKey, ItemKey, StateStore};
use tokio::sync::{Mutex, mpsc};

use crate::account::{Account, AccountProvider, Folder};
use crate::error::MailboxError;
use crate::flags::Flags;
use crate::items::ItemCollection;
use crate::mapi::flags::CategoryMap;
use crate::mapi::folders::SpecialFolders;
use crate::model::{ChangeEvent, ChangeKind, Envelope, ExpungeMode, FolderId, FolderInfo, FolderKind, SpecialUse};
use crate::model::{StoreKind, Submission, SubmitOutcome, Timestamp};

pub use folder::MemoryFolder;

/// Configuration of a [`MemoryAccount`].
#[derive(Clone, Debug)]
pub struct MemoryConfig {
    /// The hierarchy delimiter (default `/`).
    pub delimiter: char,
    /// What EXPUNGE does.
    pub expunge: ExpungeMode,
    /// Per-folder exceptions to [`MemoryConfig::expunge`], by path.
    pub expunge_overrides: BTreeMap<String, ExpungeMode>,
    /// Keywords ↔ categories.
    pub categories: CategoryMap,
    /// Largest message APPEND accepts (default 64 MiB).
    pub max_message_size: usize,
    /// Whether LARGER/SMALLER go into the restriction (see
    /// [`crate::mapi::search::PlanOptions::size_on_server`]); the in-memory
    /// PidTagMessageSize is the exact size, so both give the same answer.
    pub size_on_server: bool,
    /// How many events a slow change-feed subscriber may have queued before
    /// it gets [`ChangeKind::Lagged`].
    pub feed_capacity: usize,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        Self {
            delimiter: '/',
            expunge: ExpungeMode::MoveToTrash,
            expunge_overrides: BTreeMap::new(),
            categories: CategoryMap::default(),
            max_message_size: 64 * 1024 * 1024,
            size_on_server: true,
            feed_capacity: 1024,
        }
    }
}

/// An account whose mailbox lives in memory. Cheap to clone (shared).
#[derive(Clone)]
pub struct MemoryAccount {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for MemoryAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryAccount").field("identity", &self.shared.identity).finish_non_exhaustive()
    }
}

pub(crate) struct Shared {
    identity: String,
    account: AccountId,
    state: Arc<dyn StateStore>,
    config: MemoryConfig,
    inner: Mutex<Inner>,
    next_id: AtomicU64,
    unavailable: AtomicBool,
    send_as: std::sync::Mutex<Vec<String>>,
    submitted: std::sync::Mutex<Vec<Submission>>,
    dav: Mutex<dav::DavItems>,
    directory: std::sync::Mutex<Option<Arc<dyn crate::Directory>>>,
}

pub(crate) struct Inner {
    folders: BTreeMap<FolderId, MemFolder>,
    special: SpecialFolders,
    subscribers: Vec<Subscriber>,
}

pub(crate) struct MemFolder {
    info: FolderInfo,
    state_id: state::FolderId,
    items: BTreeMap<ItemKey, MemItem>,
}

#[derive(Clone)]
pub(crate) struct MemItem {
    message: Message,
    raw: Arc<[u8]>,
    internal_date: Timestamp,
    envelope: Envelope,
}

struct Subscriber {
    folder: FolderId,
    tx: mpsc::Sender<ChangeEvent>,
    lagged: bool,
}

/// The folders a new mailbox has: (name, container class, role).
const DEFAULT_FOLDERS: &[(&str, &str, Option<SpecialUse>)] = &[
    ("Inbox", "IPF.Note", Some(SpecialUse::Inbox)),
    ("Drafts", "IPF.Note", Some(SpecialUse::Drafts)),
    ("Sent Items", "IPF.Note", Some(SpecialUse::Sent)),
    ("Deleted Items", "IPF.Note", Some(SpecialUse::Trash)),
    ("Junk Email", "IPF.Note", Some(SpecialUse::Junk)),
    ("Archive", "IPF.Note", Some(SpecialUse::Archive)),
    ("Outbox", "IPF.Note", Some(SpecialUse::Outbox)),
    ("Calendar", "IPF.Appointment", None),
    ("Contacts", "IPF.Contact", None),
    ("Tasks", "IPF.Task", None),
    ("Notes", "IPF.StickyNote", None),
    ("Journal", "IPF.Journal", None),
];

impl MemoryAccount {
    /// A new mailbox for `identity` with Exchange's default folders, keeping
    /// UIDs in `state`.
    pub async fn new(identity: &str, state: Arc<dyn StateStore>, config: MemoryConfig) -> Result<Self, MailboxError> {
        let shared = Arc::new(Shared {
            identity: identity.to_owned(),
            account: AccountId::new(identity.to_lowercase()),
            state,
            config,
            inner: Mutex::new(Inner {
                folders: BTreeMap::new(),
                special: SpecialFolders::default(),
                subscribers: Vec::new(),
            }),
            next_id: AtomicU64::new(1),
            unavailable: AtomicBool::new(false),
            send_as: std::sync::Mutex::new(Vec::new()),
            submitted: std::sync::Mutex::new(Vec::new()),
            dav: Mutex::new(BTreeMap::new()),
            directory: std::sync::Mutex::new(None),
        });
        {
            let mut inner = shared.inner.lock().await;
            for (name, class, role) in DEFAULT_FOLDERS {
                let kind = crate::mapi::folders::folder_kind(Some(class));
                let id = shared.create(&mut inner, None, name, kind, StoreKind::Own).await?;
                if let Some(role) = role {
                    let slot = match role {
                        SpecialUse::Inbox => &mut inner.special.inbox,
                        SpecialUse::Drafts => &mut inner.special.drafts,
                        SpecialUse::Sent => &mut inner.special.sent,
                        SpecialUse::Trash => &mut inner.special.deleted,
                        SpecialUse::Junk => &mut inner.special.junk,
                        SpecialUse::Archive => &mut inner.special.archive,
                        SpecialUse::Outbox => &mut inner.special.outbox,
                    };
                    *slot = Some(id.clone());
                    if let Some(f) = inner.folders.get_mut(&id) {
                        f.info.role = Some(*role);
                    }
                }
            }
        }
        Ok(Self { shared })
    }

    /// Gives the account a directory ([`Account::directory`]), e.g. a
    /// [`crate::MemoryDirectory`].
    pub fn set_directory(&self, directory: Option<Arc<dyn crate::Directory>>) {
        if let Ok(mut d) = self.shared.directory.lock() {
            *d = directory;
        }
    }

    /// Delivers messages to a folder as the server would (new mail): in
    /// ascending delivery time, each with its delivery time as internal date.
    /// Returns the UIDs in the order given. Subscribers see one EXISTS.
    pub async fn deliver(
        &self,
        path: &str,
        messages: Vec<(Vec<u8>, Timestamp)>,
    ) -> Result<Vec<state::Uid>, MailboxError> {
        self.shared.check()?;
        let folder = self.folder_by_path(path).await?;
        let id = folder.info().id.clone();
        folder::deliver(&self.shared, &id, messages).await
    }

    /// Adds the folders of another store the user can see: a delegated
    /// mailbox ([`StoreKind::Delegate`]) or public folders
    /// ([`StoreKind::Public`]). `folders` are (path, container class) pairs,
    /// parents before children. They are listed by
    /// [`Account::list_folders`] and opened with [`Account::folder`];
    /// [`Account::folder_by_path`] and the folder management calls stay in
    /// the user's own mailbox.
    pub async fn add_store(&self, store: StoreKind, folders: &[(&str, &str)]) -> Result<Vec<FolderId>, MailboxError> {
        let delim = self.shared.config.delimiter;
        let mut inner = self.shared.inner.lock().await;
        let mut ids = Vec::new();
        for (path, class) in folders {
            let (parent, name) = match path.rsplit_once(delim) {
                Some((p, n)) => {
                    let parent = inner
                        .folders
                        .values()
                        .find(|f| f.info.store == store && f.info.path == p)
                        .map(|f| f.info.id.clone())
                        .ok_or_else(|| MailboxError::NoSuchFolder(p.to_owned()))?;
                    (Some(parent), n)
                }
                None => (None, *path),
            };
            let kind = crate::mapi::folders::folder_kind(Some(class));
            ids.push(self.shared.create(&mut inner, parent.as_ref(), name, kind, store.clone()).await?);
        }
        Ok(ids)
    }

    /// Simulates a backend outage (fault injection for front-end tests):
    /// while down, every call fails with the retryable
    /// [`MailboxError::Unavailable`] and changes nothing.
    pub fn set_unavailable(&self, down: bool) {
        self.shared.unavailable.store(down, Ordering::SeqCst);
    }

    /// Lets the user send as `address` (a shared mailbox or a delegator).
    pub fn allow_send_as(&self, address: &str) {
        if let Ok(mut v) = self.shared.send_as.lock() {
            v.push(address.to_lowercase());
        }
    }

    /// Every submission accepted so far, in order.
    pub fn submitted(&self) -> Vec<Submission> {
        self.shared.submitted.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// The ids of the special folders.
    pub async fn special_folders(&self) -> SpecialFolders {
        self.shared.inner.lock().await.special.clone()
    }
}

impl Shared {
    /// Fails while [`MemoryAccount::set_unavailable`] is on.
    fn check(&self) -> Result<(), MailboxError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(MailboxError::Unavailable("backend down (simulated)".into()));
        }
        Ok(())
    }

    fn new_key(&self) -> Vec<u8> {
        self.next_id.fetch_add(1, Ordering::Relaxed).to_be_bytes().to_vec()
    }

    /// Creates a folder under `parent` (no checks).
    async fn create(
        &self,
        inner: &mut Inner,
        parent: Option<&FolderId>,
        name: &str,
        kind: FolderKind,
        store: StoreKind,
    ) -> Result<FolderId, MailboxError> {
        let id = FolderId::new(self.new_key());
        let path = match parent.and_then(|p| inner.folders.get(p)) {
            Some(p) => format!("{}{}{}", p.info.path, self.config.delimiter, name),
            None => name.to_owned(),
        };
        let state_id = self.state.open_folder(&self.account, &FolderKey::new(id.as_bytes())).await?.id;
        let info = FolderInfo {
            id: id.clone(),
            parent: parent.cloned(),
            name: name.to_owned(),
            path,
            kind,
            role: None,
            store,
            has_children: false,
        };
        inner.folders.insert(id.clone(), MemFolder { info, state_id, items: BTreeMap::new() });
        Ok(id)
    }

    /// The folder with this path (`INBOX` case-insensitively).
    fn find_path<'a>(&self, inner: &'a Inner, path: &str) -> Option<&'a MemFolder> {
        if path.eq_ignore_ascii_case("INBOX") {
            return inner.special.inbox.as_ref().and_then(|id| inner.folders.get(id));
        }
        inner.folders.values().find(|f| f.info.store == StoreKind::Own && f.info.path == path)
    }

    fn info_of(&self, inner: &Inner, f: &MemFolder) -> FolderInfo {
        let mut info = f.info.clone();
        info.has_children = inner.folders.values().any(|c| c.info.parent.as_ref() == Some(&f.info.id));
        info
    }
}

impl Inner {
    /// Sends an event to the folder's subscribers; a full queue marks the
    /// subscriber lagged (it gets [`ChangeKind::Lagged`] when room returns),
    /// a closed one is dropped.
    fn notify(&mut self, folder: &FolderId, kind: ChangeKind) {
        self.subscribers.retain_mut(|s| {
            if &s.folder != folder {
                return !s.tx.is_closed();
            }
            if s.lagged {
                match s.tx.try_send(ChangeEvent { folder: folder.clone(), kind: ChangeKind::Lagged }) {
                    Ok(()) => s.lagged = false,
                    Err(mpsc::error::TrySendError::Full(_)) => return true,
                    Err(mpsc::error::TrySendError::Closed(_)) => return false,
                }
            }
            match s.tx.try_send(ChangeEvent { folder: folder.clone(), kind: kind.clone() }) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    s.lagged = true;
                    true
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
    }
}

#[async_trait]
impl Account for MemoryAccount {
    fn identity(&self) -> &str {
        &self.shared.identity
    }

    fn delimiter(&self) -> char {
        self.shared.config.delimiter
    }

    async fn list_folders(&self) -> Result<Vec<FolderInfo>, MailboxError> {
        self.shared.check()?;
        let inner = self.shared.inner.lock().await;
        let mut v: Vec<FolderInfo> = inner.folders.values().map(|f| self.shared.info_of(&inner, f)).collect();
        v.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(v)
    }

    async fn folder_by_path(&self, path: &str) -> Result<Arc<dyn Folder>, MailboxError> {
        self.shared.check()?;
        let inner = self.shared.inner.lock().await;
        let f = self.shared.find_path(&inner, path).ok_or_else(|| MailboxError::NoSuchFolder(path.to_owned()))?;
        Ok(Arc::new(MemoryFolder::new(self.shared.clone(), self.shared.info_of(&inner, f))))
    }

    async fn folder(&self, id: &FolderId) -> Result<Arc<dyn Folder>, MailboxError> {
        self.shared.check()?;
        let inner = self.shared.inner.lock().await;
        let f = inner.folders.get(id).ok_or_else(|| MailboxError::NoSuchFolder(format!("{id:?}")))?;
        Ok(Arc::new(MemoryFolder::new(self.shared.clone(), self.shared.info_of(&inner, f))))
    }

    async fn create_folder(&self, path: &str) -> Result<FolderInfo, MailboxError> {
        self.shared.check()?;
        let delim = self.shared.config.delimiter;
        let mut inner = self.shared.inner.lock().await;
        let (parent_path, name) = match path.rsplit_once(delim) {
            Some((p, n)) => (Some(p), n),
            None => (None, path),
        };
        if name.is_empty() || path.eq_ignore_ascii_case("INBOX") {
            return Err(MailboxError::Invalid(format!("bad folder name {path:?}")));
        }
        if self.shared.find_path(&inner, path).is_some() {
            return Err(MailboxError::AlreadyExists(path.to_owned()));
        }
        let parent = match parent_path {
            Some(p) => Some(
                self.shared
                    .find_path(&inner, p)
                    .map(|f| f.info.id.clone())
                    .ok_or_else(|| MailboxError::NoSuchFolder(p.to_owned()))?,
            ),
            None => None,
        };
        let id = self.shared.create(&mut inner, parent.as_ref(), name, FolderKind::Mail, StoreKind::Own).await?;
        let f = inner.folders.get(&id).ok_or_else(|| MailboxError::Internal("created folder vanished".into()))?;
        Ok(self.shared.info_of(&inner, f))
    }

    async fn rename_folder(&self, path: &str, new_path: &str) -> Result<FolderInfo, MailboxError> {
        self.shared.check()?;
        let delim = self.shared.config.delimiter;
        let mut inner = self.shared.inner.lock().await;
        let f = self.shared.find_path(&inner, path).ok_or_else(|| MailboxError::NoSuchFolder(path.to_owned()))?;
        if f.info.role.is_some() {
            return Err(MailboxError::NotPermitted(format!("{path} is a special folder")));
        }
        let id = f.info.id.clone();
        let old_path = f.info.path.clone();
        if self.shared.find_path(&inner, new_path).is_some() {
            return Err(MailboxError::AlreadyExists(new_path.to_owned()));
        }
        let (parent, name) = match new_path.rsplit_once(delim) {
            Some((p, n)) => {
                let parent = self
                    .shared
                    .find_path(&inner, p)
                    .map(|f| f.info.id.clone())
                    .ok_or_else(|| MailboxError::NoSuchFolder(p.to_owned()))?;
                if p == old_path || p.starts_with(&format!("{old_path}{delim}")) {
                    return Err(MailboxError::Invalid("cannot move a folder into itself".into()));
                }
                (Some(parent), n)
            }
            None => (None, new_path),
        };
        if name.is_empty() {
            return Err(MailboxError::Invalid(format!("bad folder name {new_path:?}")));
        }
        let prefix = format!("{old_path}{delim}");
        for f in inner.folders.values_mut() {
            if f.info.id == id {
                f.info.parent = parent.clone();
                f.info.name = name.to_owned();
                f.info.path = new_path.to_owned();
            } else if let Some(rest) = f.info.path.strip_prefix(&prefix) {
                f.info.path = format!("{new_path}{delim}{rest}");
            }
        }
        let f = inner.folders.get(&id).ok_or_else(|| MailboxError::Internal("renamed folder vanished".into()))?;
        Ok(self.shared.info_of(&inner, f))
    }

    async fn delete_folder(&self, path: &str) -> Result<(), MailboxError> {
        self.shared.check()?;
        let delim = self.shared.config.delimiter;
        let mut inner = self.shared.inner.lock().await;
        let f = self.shared.find_path(&inner, path).ok_or_else(|| MailboxError::NoSuchFolder(path.to_owned()))?;
        if f.info.role.is_some() {
            return Err(MailboxError::NotPermitted(format!("{path} is a special folder")));
        }
        let root = f.info.path.clone();
        let prefix = format!("{root}{delim}");
        let doomed: Vec<FolderId> = inner
            .folders
            .values()
            .filter(|f| f.info.path == root || f.info.path.starts_with(&prefix))
            .map(|f| f.info.id.clone())
            .collect();
        for id in doomed {
            if let Some(f) = inner.folders.get(&id) {
                self.shared.state.delete_folder(f.state_id).await?;
            }
            inner.folders.remove(&id);
            inner.notify(&id, ChangeKind::Reset);
        }
        Ok(())
    }

    async fn subscribe(&self, path: &str) -> Result<(), MailboxError> {
        self.shared.check()?;
        Ok(self.shared.state.subscribe(&self.shared.account, path).await?)
    }

    async fn unsubscribe(&self, path: &str) -> Result<bool, MailboxError> {
        self.shared.check()?;
        Ok(self.shared.state.unsubscribe(&self.shared.account, path).await?)
    }

    async fn subscriptions(&self) -> Result<Vec<String>, MailboxError> {
        self.shared.check()?;
        Ok(self.shared.state.subscriptions(&self.shared.account).await?)
    }

    async fn submit(&self, submission: Submission) -> Result<SubmitOutcome, MailboxError> {
        self.shared.check()?;
        if submission.recipients.is_empty() {
            return Err(MailboxError::Invalid("no recipients".into()));
        }
        let date = folder::now();
        let item = self.shared.make_item(submission.mime.clone(), &Flags::new(), date)?;
        let identity = self.shared.identity.to_lowercase();
        let allowed = self.shared.send_as.lock().map(|v| v.clone()).unwrap_or_default();
        for from in &item.envelope.from {
            let from = from.email.to_lowercase();
            if from != identity && !allowed.contains(&from) {
                return Err(MailboxError::NotPermitted(format!("{identity} may not send as {from}")));
            }
        }
        let message_id = item.envelope.message_id.clone();
        let sent = self.special_folders().await.sent.ok_or_else(|| MailboxError::NoSuchFolder("Sent Items".into()))?;
        let copies = if submission.save_copy { 2 } else { 1 };
        let mut filed = Vec::new();
        for _ in 0..copies {
            filed.push((submission.mime.clone(), date));
        }
        folder::deliver(&self.shared, &sent, filed).await?;
        if let Ok(mut v) = self.shared.submitted.lock() {
            v.push(submission);
        }
        Ok(SubmitOutcome { message_id })
    }

    async fn collection(&self, folder: &FolderId) -> Result<Arc<dyn ItemCollection>, MailboxError> {
        self.shared.check()?;
        let info = {
            let inner = self.shared.inner.lock().await;
            let f = inner.folders.get(folder).ok_or_else(|| MailboxError::NoSuchFolder(format!("{folder:?}")))?;
            self.shared.info_of(&inner, f)
        };
        Ok(Arc::new(dav::MemoryCollection::open(self.shared.clone(), info).await?))
    }

    fn directory(&self) -> Option<Arc<dyn crate::Directory>> {
        self.shared.directory.lock().ok().and_then(|d| d.clone())
    }
}

/// Logs users in to [`MemoryAccount`]s: the [`AccountProvider`] for
/// front-end tests and demos without Exchange.
#[derive(Clone, Default)]
pub struct MemoryProvider {
    users: Arc<std::sync::Mutex<BTreeMap<String, (String, MemoryAccount)>>>,
}

impl std::fmt::Debug for MemoryProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryProvider").finish_non_exhaustive()
    }
}

impl MemoryProvider {
    /// A provider without users.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a user (the login name is case-insensitive) with their password
    /// and account.
    pub fn add_user(&self, user: &str, password: &str, account: MemoryAccount) {
        if let Ok(mut users) = self.users.lock() {
            users.insert(user.to_lowercase(), (password.to_owned(), account));
        }
    }
}

#[async_trait]
impl AccountProvider for MemoryProvider {
    async fn login(&self, user: &str, password: &str) -> Result<Arc<dyn Account>, MailboxError> {
        let found = self.users.lock().ok().and_then(|users| users.get(&user.to_lowercase()).cloned());
        match found {
            Some((expected, account)) if expected == password => {
                account.shared.check()?;
                Ok(Arc::new(account))
            }
            _ => Err(MailboxError::AuthenticationFailed),
        }
    }
}
