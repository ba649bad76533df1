//! [`ExchangeAccount`]: one user's logged-on mailbox — the folder hierarchy,
//! folder management, subscriptions and submission.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use convert::NamedKey;
use mapi_client::api::{Mailbox, SpecialFolder, TableSpec};
use mapi_wire::PropTag;
use mapi_wire::ids::FolderId as Fid;
use mapi_wire::tags::PidName;
use state::{AccountId, FolderKey, MimeCache, StateStore};
use tokio::sync::Mutex;

use super::ExchangeConfig;
use super::connect::{Connected, api_error};
use super::folder::ExchangeFolder;
use super::props::{cell, id_cell, keywords_name};
use super::sync::FolderSync;
use crate::account::{Account, Folder};
use crate::error::MailboxError;
use crate::mapi::folders::{SpecialFolders, folder_kind};
use crate::model::{ChangeKind, FolderId, FolderInfo, Quota, SpecialUse, StoreKind, Submission, SubmitOutcome};

/// The hierarchy-table columns of a folder listing.
const FOLDER_COLUMNS: [PropTag; 5] = [
    PropTag::FOLDER_ID,
    PropTag::PARENT_FOLDER_ID,
    PropTag::DISPLAY_NAME,
    PropTag::CONTAINER_CLASS,
    PropTag::SUBFOLDERS,
];

/// What every folder of one session shares: the store, the state, the
/// configuration, and the per-folder sync indexes.
pub(super) struct Session {
    pub(super) mailbox: Arc<Mailbox>,
    pub(super) identity: String,
    pub(super) account: AccountId,
    pub(super) state: Arc<dyn StateStore>,
    pub(super) config: Arc<ExchangeConfig>,
    pub(super) cache: Arc<MimeCache>,
    /// PidNameKeywords in this mailbox.
    pub(super) keywords: PropTag,
    /// Named ids this session resolved, back to their names.
    pub(super) names: HashMap<u16, NamedKey>,
    pub(super) special: SpecialFolders,
    /// Top of the IPM subtree: the root of folder paths.
    pub(super) ipm: Fid,
    syncs: Mutex<HashMap<Fid, Arc<FolderSync>>>,
    pub(super) feed: super::watch::Feed,
    pub(super) dav: super::items::DavState,
}

impl Drop for Session {
    /// Frees the server's session context when the pool lets the account
    /// go (idle timeout, cap, password change) and no front end holds it.
    fn drop(&mut self) {
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let session = self.mailbox.session().clone();
            drop(rt.spawn(async move {
                let _closed = session.disconnect().await;
            }));
        }
    }
}

impl Session {
    /// The sync index of a folder (one per session and folder), opening its
    /// state on first use.
    pub(super) async fn sync_for(&self, fid: Fid) -> Result<Arc<FolderSync>, MailboxError> {
        let mut syncs = self.syncs.lock().await;
        if let Some(s) = syncs.get(&fid) {
            return Ok(s.clone());
        }
        let key = FolderKey::new(fid.to_wire().to_vec());
        let st = self.state.open_folder(&self.account, &key).await?;
        let sync = Arc::new(FolderSync::new(fid, st.id, self.config.feed_capacity));
        syncs.insert(fid, sync.clone());
        Ok(sync)
    }

    /// The sync indexes open now.
    pub(super) async fn open_syncs(&self) -> Vec<Arc<FolderSync>> {
        self.syncs.lock().await.values().cloned().collect()
    }

    /// Forgets a deleted folder: its index, its state (a folder created
    /// again gets a new UIDVALIDITY) and tells its watchers.
    async fn forget(&self, fid: Fid) -> Result<(), MailboxError> {
        if let Some(sync) = self.syncs.lock().await.remove(&fid) {
            sync.announce(ChangeKind::Reset);
        }
        let key = FolderKey::new(fid.to_wire().to_vec());
        for st in self.state.folders(&self.account).await? {
            if st.key == key {
                self.state.delete_folder(st.id).await?;
            }
        }
        Ok(())
    }

    /// The folder's identity in the model.
    pub(super) fn model_id(fid: Fid) -> FolderId {
        FolderId::new(fid.to_wire().to_vec())
    }

    /// The MAPI id of a model folder id.
    pub(super) fn fid_of(id: &FolderId) -> Result<Fid, MailboxError> {
        let bytes: [u8; 8] = id
            .as_bytes()
            .try_into()
            .map_err(|_| MailboxError::NoSuchFolder(format!("{id:?} is not an Exchange folder")))?;
        Ok(Fid::from_wire(bytes))
    }

    /// Every folder below the IPM subtree, in path order.
    pub(super) async fn list(&self) -> Result<Vec<FolderInfo>, MailboxError> {
        let spec = TableSpec::hierarchy(self.ipm, FOLDER_COLUMNS.to_vec(), true);
        let rows = self.mailbox.query_all(&spec).await.map_err(|e| api_error(e, "folder list"))?;
        struct Row {
            parent: Fid,
            name: String,
            class: Option<String>,
            children: bool,
        }
        let mut by_id: HashMap<Fid, Row> = HashMap::new();
        for r in &rows.rows {
            let (Some(fid), Some(parent)) = (id_cell(r, 0), id_cell(r, 1)) else { continue };
            let name = match cell(r, 2) {
                Some(mapi_wire::prop_value::PropValue::String(s)) => s.clone(),
                _ => continue,
            };
            let class = match cell(r, 3) {
                Some(mapi_wire::prop_value::PropValue::String(s)) => Some(s.clone()),
                _ => None,
            };
            let children = matches!(cell(r, 4), Some(mapi_wire::prop_value::PropValue::Bool(true)));
            by_id.insert(Fid(fid), Row { parent: Fid(parent), name, class, children });
        }
        let delim = self.config_delimiter();
        let mut out = Vec::with_capacity(by_id.len());
        for (fid, row) in &by_id {
            let mut path = row.name.clone();
            let mut parent = row.parent;
            let mut depth = 0;
            while parent != self.ipm {
                let Some(p) = by_id.get(&parent) else { break };
                path = format!("{}{delim}{path}", p.name);
                parent = p.parent;
                depth += 1;
                if depth > 64 {
                    break;
                }
            }
            let id = Self::model_id(*fid);
            out.push(FolderInfo {
                role: self.special.role_of(&id),
                parent: (row.parent != self.ipm).then(|| Self::model_id(row.parent)),
                id,
                name: row.name.clone(),
                path,
                kind: folder_kind(row.class.as_deref()),
                store: StoreKind::Own,
                has_children: row.children || by_id.values().any(|c| c.parent == *fid),
            });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    pub(super) fn config_delimiter(&self) -> char {
        '/'
    }

    /// The folder with this path (`INBOX` case-insensitively).
    pub(super) async fn find(&self, path: &str) -> Result<Option<FolderInfo>, MailboxError> {
        let all = self.list().await?;
        if path.eq_ignore_ascii_case("INBOX") {
            return Ok(all.into_iter().find(|f| f.role == Some(SpecialUse::Inbox)));
        }
        Ok(all.into_iter().find(|f| f.path == path))
    }
}

/// A user's Exchange mailbox, shared by all their front-end connections.
pub struct ExchangeAccount {
    pub(super) session: Arc<Session>,
}

impl std::fmt::Debug for ExchangeAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExchangeAccount").field("identity", &self.session.identity).finish_non_exhaustive()
    }
}

impl ExchangeAccount {
    /// Prepares an account over a fresh logon: special folders, the
    /// Keywords property id.
    pub(super) async fn open(
        connected: Connected,
        config: Arc<ExchangeConfig>,
        state: Arc<dyn StateStore>,
        cache: Arc<MimeCache>,
    ) -> Result<Self, MailboxError> {
        let mb = connected.mailbox.clone();
        let ids = mb.property_ids(&[keywords_name()], true).await.map_err(|e| api_error(e, "named properties"))?;
        let keywords_id = ids
            .first()
            .copied()
            .filter(|id| *id >= 0x8000)
            .ok_or_else(|| MailboxError::Unavailable("the mailbox has no id for the Keywords property".into()))?;
        let extra = mb.special_folders().await.map_err(|e| api_error(e, "special folders"))?;
        let id = |f: Fid| (f.0 != 0).then(|| Session::model_id(f));
        let special = SpecialFolders {
            inbox: id(mb.folder(SpecialFolder::Inbox)),
            drafts: extra.drafts.and_then(id),
            sent: id(mb.folder(SpecialFolder::SentItems)),
            deleted: id(mb.folder(SpecialFolder::DeletedItems)),
            junk: extra.junk.and_then(id),
            archive: None,
            outbox: id(mb.folder(SpecialFolder::Outbox)),
        };
        let mut names = HashMap::new();
        names.insert(keywords_id, NamedKey::from(&PidName::KEYWORDS));
        let session = Arc::new(Session {
            mailbox: mb.clone(),
            identity: connected.identity.clone(),
            account: AccountId::new(connected.identity.to_lowercase()),
            state,
            config,
            cache,
            keywords: PidName::KEYWORDS.tag(keywords_id),
            names,
            special,
            ipm: mb.folder(SpecialFolder::IpmSubtree),
            syncs: Mutex::new(HashMap::new()),
            feed: super::watch::Feed::default(),
            dav: super::items::DavState::default(),
        });
        Ok(Self { session })
    }

    /// The folder at `path` as its concrete type (tests inspect the
    /// restriction a search sent, [`ExchangeFolder::last_restriction`]).
    pub async fn exchange_folder(&self, path: &str) -> Result<Arc<ExchangeFolder>, MailboxError> {
        let info = self.session.find(path).await?.ok_or_else(|| MailboxError::NoSuchFolder(path.to_owned()))?;
        self.open_folder(info).await
    }

    async fn open_folder(&self, info: FolderInfo) -> Result<Arc<ExchangeFolder>, MailboxError> {
        let fid = Session::fid_of(&info.id)?;
        let sync = self.session.sync_for(fid).await?;
        Ok(Arc::new(ExchangeFolder::new(self.session.clone(), info, fid, sync)))
    }

    /// What the open sync indexes keep in memory: (messages, bytes of their
    /// summaries and map entries). The rendered-MIME cache is shared by the
    /// node and not counted.
    pub async fn index_footprint(&self) -> (usize, usize) {
        let mut items = 0;
        let mut bytes = 0;
        for s in self.session.open_syncs().await {
            let (n, b) = s.footprint().await;
            items += n;
            bytes += b;
        }
        (items, bytes)
    }

    /// The special folders the logon named.
    pub fn special_folders(&self) -> &SpecialFolders {
        &self.session.special
    }

    /// Round trips and bytes of this session since logon.
    pub fn wire_counters(&self) -> mapi_client::api::WireCounters {
        self.session.mailbox.wire_counters()
    }

    fn parent_of<'p>(&self, path: &'p str) -> (Option<&'p str>, &'p str) {
        match path.rsplit_once(self.session.config_delimiter()) {
            Some((p, n)) => (Some(p), n),
            None => (None, path),
        }
    }

    /// The MAPI id of the parent path (the IPM subtree at the top).
    async fn parent_fid(&self, parent: Option<&str>, all: &[FolderInfo]) -> Result<Fid, MailboxError> {
        match parent {
            None => Ok(self.session.ipm),
            Some(p) => {
                let f = all
                    .iter()
                    .find(|f| f.path == p || (p.eq_ignore_ascii_case("INBOX") && f.role == Some(SpecialUse::Inbox)))
                    .ok_or_else(|| MailboxError::NoSuchFolder(p.to_owned()))?;
                Session::fid_of(&f.id)
            }
        }
    }
}

fn find_in<'a>(all: &'a [FolderInfo], path: &str) -> Option<&'a FolderInfo> {
    if path.eq_ignore_ascii_case("INBOX") {
        return all.iter().find(|f| f.role == Some(SpecialUse::Inbox));
    }
    all.iter().find(|f| f.path == path)
}

#[async_trait]
impl Account for ExchangeAccount {
    fn identity(&self) -> &str {
        &self.session.identity
    }

    fn delimiter(&self) -> char {
        self.session.config_delimiter()
    }

    async fn list_folders(&self) -> Result<Vec<FolderInfo>, MailboxError> {
        self.session.list().await
    }

    async fn folder_by_path(&self, path: &str) -> Result<Arc<dyn Folder>, MailboxError> {
        Ok(self.exchange_folder(path).await?)
    }

    async fn folder(&self, id: &FolderId) -> Result<Arc<dyn Folder>, MailboxError> {
        let all = self.session.list().await?;
        let info =
            all.into_iter().find(|f| &f.id == id).ok_or_else(|| MailboxError::NoSuchFolder(format!("{id:?}")))?;
        Ok(self.open_folder(info).await?)
    }

    async fn create_folder(&self, path: &str) -> Result<FolderInfo, MailboxError> {
        let (parent, name) = self.parent_of(path);
        if name.is_empty() || path.eq_ignore_ascii_case("INBOX") {
            return Err(MailboxError::Invalid(format!("bad folder name {path:?}")));
        }
        let all = self.session.list().await?;
        if find_in(&all, path).is_some() {
            return Err(MailboxError::AlreadyExists(path.to_owned()));
        }
        let parent_fid = self.parent_fid(parent, &all).await?;
        let fid = self
            .session
            .mailbox
            .create_folder(parent_fid, name, "", false)
            .await
            .map_err(|e| api_error(e, &format!("create folder {path}")))?;
        let all = self.session.list().await?;
        all.into_iter()
            .find(|f| f.id == Session::model_id(fid))
            .ok_or_else(|| MailboxError::Unavailable(format!("created folder {path} is not listed yet")))
    }

    async fn rename_folder(&self, path: &str, new_path: &str) -> Result<FolderInfo, MailboxError> {
        let all = self.session.list().await?;
        let f = find_in(&all, path).ok_or_else(|| MailboxError::NoSuchFolder(path.to_owned()))?;
        if f.role.is_some() {
            return Err(MailboxError::NotPermitted(format!("{path} is a special folder")));
        }
        if find_in(&all, new_path).is_some() {
            return Err(MailboxError::AlreadyExists(new_path.to_owned()));
        }
        let delim = self.session.config_delimiter();
        let (new_parent, name) = self.parent_of(new_path);
        if name.is_empty() {
            return Err(MailboxError::Invalid(format!("bad folder name {new_path:?}")));
        }
        if let Some(p) = new_parent
            && (p == f.path || p.starts_with(&format!("{}{delim}", f.path)))
        {
            return Err(MailboxError::Invalid("cannot move a folder into itself".into()));
        }
        let fid = Session::fid_of(&f.id)?;
        let old_parent = match &f.parent {
            Some(p) => Session::fid_of(p)?,
            None => self.session.ipm,
        };
        let dest = self.parent_fid(new_parent, &all).await?;
        let mb = &self.session.mailbox;
        let what = format!("rename {path}");
        if dest == old_parent {
            mb.rename_folder(fid, name).await.map_err(|e| api_error(e, &what))?;
        } else {
            mb.move_folder(old_parent, dest, fid, name).await.map_err(|e| api_error(e, &what))?;
        }
        // Paths changed: watchers of the subtree re-open.
        let moved: Vec<Fid> = all
            .iter()
            .filter(|c| c.path == f.path || c.path.starts_with(&format!("{}{delim}", f.path)))
            .filter_map(|c| Session::fid_of(&c.id).ok())
            .collect();
        for s in self.session.open_syncs().await {
            if moved.contains(&s.fid) {
                s.announce(ChangeKind::Reset);
            }
        }
        let all = self.session.list().await?;
        all.into_iter()
            .find(|x| x.id == f.id)
            .ok_or_else(|| MailboxError::Unavailable(format!("renamed folder {new_path} is not listed yet")))
    }

    async fn delete_folder(&self, path: &str) -> Result<(), MailboxError> {
        let all = self.session.list().await?;
        let f = find_in(&all, path).ok_or_else(|| MailboxError::NoSuchFolder(path.to_owned()))?;
        if f.role.is_some() {
            return Err(MailboxError::NotPermitted(format!("{path} is a special folder")));
        }
        let delim = self.session.config_delimiter();
        let fid = Session::fid_of(&f.id)?;
        let parent = match &f.parent {
            Some(p) => Session::fid_of(p)?,
            None => self.session.ipm,
        };
        self.session
            .mailbox
            .delete_folder(parent, fid, false)
            .await
            .map_err(|e| api_error(e, &format!("delete folder {path}")))?;
        let prefix = format!("{}{delim}", f.path);
        for c in all.iter().filter(|c| c.path == f.path || c.path.starts_with(&prefix)) {
            self.session.forget(Session::fid_of(&c.id)?).await?;
        }
        Ok(())
    }

    async fn subscribe(&self, path: &str) -> Result<(), MailboxError> {
        Ok(self.session.state.subscribe(&self.session.account, path).await?)
    }

    async fn unsubscribe(&self, path: &str) -> Result<bool, MailboxError> {
        Ok(self.session.state.unsubscribe(&self.session.account, path).await?)
    }

    async fn subscriptions(&self) -> Result<Vec<String>, MailboxError> {
        Ok(self.session.state.subscriptions(&self.session.account).await?)
    }

    async fn submit(&self, submission: Submission) -> Result<SubmitOutcome, MailboxError> {
        super::submit::submit(&self.session, submission).await
    }

    /// The store's PidTagMessageSizeExtended against its send limit
    /// (PidTagProhibitSendQuota, else PidTagProhibitReceiveQuota, else the
    /// PidTagStorageQuotaLimit warning level); None when the store reports no
    /// size or no limit.
    async fn quota(&self) -> Result<Option<Quota>, MailboxError> {
        let q = self.session.mailbox.quota().await.map_err(|e| api_error(e, "quota"))?;
        let limit = q.prohibit_send.or(q.prohibit_receive).or(q.warning);
        Ok(q.used.zip(limit).map(|(used, limit)| Quota { used, limit }))
    }

    async fn collection(&self, id: &FolderId) -> Result<Arc<dyn crate::ItemCollection>, MailboxError> {
        let info = self.session.dav.folder(&self.session, id).await?;
        let info = info.ok_or_else(|| MailboxError::NoSuchFolder(format!("{id:?}")))?;
        Ok(Arc::new(super::items::ExchangeCollection::open(self.session.clone(), info).await?))
    }

    async fn send_meeting_message(&self, message: convert::Message) -> Result<(), MailboxError> {
        super::schedule::send(&self.session, message).await
    }

    async fn schedule_inbox(&self) -> Result<Arc<dyn crate::ItemCollection>, MailboxError> {
        Ok(Arc::new(super::schedule::ScheduleInbox::open(self.session.clone()).await?))
    }

    async fn free_busy(
        &self,
        user: &str,
        from: crate::model::Timestamp,
        to: crate::model::Timestamp,
    ) -> Result<Vec<crate::BusyPeriod>, MailboxError> {
        super::schedule::free_busy(&self.session, user, from, to).await
    }

    async fn create_calendar(&self, calendar: &crate::NewCalendar) -> Result<FolderInfo, MailboxError> {
        super::schedule::create_calendar(&self.session, calendar).await
    }

    async fn calendar_details(&self, folder: &FolderId) -> Result<crate::CalendarDetails, MailboxError> {
        super::schedule::calendar_details(&self.session, folder).await
    }
}
