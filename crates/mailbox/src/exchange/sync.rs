//! The sync index of one folder: ICS contents synchronization
//! ([MS-OXCFXICS] 3.2.5.9) turned into UID assignments, mod-sequences and
//! tombstones in the state store, and per-message summaries in memory.
//!
//! * First use in a process: if the state store holds an ICS state, an
//!   incremental download from it finds what changed while no index was in
//!   memory (so mod-sequences move for exactly those items); then a full
//!   download fills the summaries and reconciles: items the state does not
//!   know get UIDs in ascending delivery time, items gone leave tombstones,
//!   every other item keeps its UID.
//! * Afterwards: incremental downloads from the last state; new messages get
//!   UIDs above every earlier one (in delivery order), changed and
//!   read/unread messages a new mod-sequence, deleted ones tombstones. The
//!   new ICS state is committed in the same transaction
//!   ([`state::StateStore::commit_sync`]), so UIDs and ICS state never
//!   disagree after a crash.
//!
//! * A state Exchange refuses (or a stored one that cannot be read) leads
//!   to a full download that keeps every UID; the items that changed are
//!   found by comparing summaries, or all count as changed when nothing
//!   says which did.
//!
//! Every committed round is announced to the folder's change feed.
//!
//! Catch-ups are shared: a caller that waited for the index's lock while a
//! round begun after its call ran takes that round's result (it saw the
//! mailbox later than the call began), so many connections selecting one
//! folder at once cost one download. SELECT goes further
//! ([`FolderSync::vouched_or_caught_up`]): while the store subscription
//! stands and no notification came since a catch-up less than
//! [`FRESHNESS`] ago, the index is used as it is; whatever Exchange
//! notifies later reaches the caller's change feed.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mapi_client::api::{IcsOptions, state_from_bytes, state_to_bytes};
use mapi_wire::ErrorCode;
use mapi_wire::fx::{ContentsSync, SyncState};
use mapi_wire::ids::{FolderId as Fid, MessageId};
use state::{GatewayFlags, ItemKey, SyncBatch, Uid, UidSet};
use tokio::sync::{Mutex, MutexGuard, broadcast};

use super::account::Session;
use super::connect::api_error;
use super::props::{Summary, item_key, mid_of};
use crate::error::MailboxError;
use crate::flags::{Flag, Flags};
use crate::mapi::flags::MF_READ;
use crate::model::ChangeKind;

/// SynchronizationFlags FAI (0x10): associated messages are not mail.
const SF_FAI: u16 = 0x0010;

/// How long a catch-up serves SELECT without asking Exchange again while
/// the change feed heard nothing: the bound on staleness should a
/// notification be lost.
pub(super) const FRESHNESS: Duration = Duration::from_secs(5);

/// The sync index of one folder in one session.
pub(crate) struct FolderSync {
    /// The folder.
    pub(super) fid: Fid,
    /// Its state handle.
    pub(super) state_id: state::FolderId,
    inner: Mutex<SyncInner>,
    events: broadcast::Sender<ChangeKind>,
    /// Catch-up rounds begun (each one's ticket); moved under `inner`'s
    /// lock, read without it.
    rounds: AtomicU64,
    /// ICS downloads made (for tests and diagnostics).
    downloads: AtomicU64,
}

/// The index proper, behind the folder's lock.
#[derive(Default)]
pub(super) struct SyncInner {
    /// Whether the summaries reflect the mailbox (filled in this process).
    pub(super) loaded: bool,
    ics: Option<SyncState>,
    /// Summaries by MID.
    pub(super) items: HashMap<MessageId, Summary>,
    /// The restriction the last search sent (for tests and diagnostics).
    pub(super) last_restriction: Option<mapi_wire::restriction::Restriction>,
    /// The ticket of the last catch-up that succeeded.
    good: u64,
    /// When it began to ask Exchange, and what the change feed had heard
    /// then.
    checked: Option<Checked>,
    /// The folder's UIDs, ascending, shared with every SELECT until
    /// membership changes (`None`: to be read from the state store).
    uids: Option<Arc<[Uid]>>,
}

/// When the index was last caught up; see [`FolderSync::vouched_or_caught_up`].
#[derive(Clone, Copy)]
struct Checked {
    at: Instant,
    /// [`super::watch::Feed::heard`] before the download.
    heard: Option<u64>,
}

impl Checked {
    /// Whether nothing can have changed unheard since: the subscription
    /// stood before the download and has heard nothing since, recently.
    fn vouched(&self, heard_now: Option<u64>) -> bool {
        self.heard.is_some() && self.heard == heard_now && self.at.elapsed() < FRESHNESS
    }
}

impl SyncInner {
    /// The shared UID list, read from the state store when none is held.
    pub(super) async fn uid_snapshot(&mut self, s: &Session, sync: &FolderSync) -> Result<Arc<[Uid]>, MailboxError> {
        if let Some(u) = &self.uids {
            return Ok(u.clone());
        }
        let records = s.state.items_by_uid(sync.state_id, &UidSet::all()).await?;
        let mut uids: Vec<Uid> = records.into_iter().map(|r| r.uid).collect();
        uids.sort_unstable();
        uids.dedup();
        let shared: Arc<[Uid]> = uids.into();
        self.uids = Some(shared.clone());
        Ok(shared)
    }

    /// Applies a committed round's membership changes to the shared UID
    /// list: a new list for later SELECTs, the old one stays with the
    /// sessions holding it.
    fn apply_membership(&mut self, added: &[Uid], removed: &[Uid]) {
        if added.is_empty() && removed.is_empty() {
            return;
        }
        let Some(old) = &self.uids else { return };
        let gone: HashSet<Uid> = removed.iter().copied().collect();
        let mut next: Vec<Uid> = old.iter().copied().filter(|u| !gone.contains(u)).collect();
        next.extend(added.iter().copied().filter(|u| !gone.contains(u)));
        next.sort_unstable();
        next.dedup();
        self.uids = Some(next.into());
    }
}

/// Why a download failed.
enum Fail {
    /// Exchange did not accept the uploaded state (or answered with a stream
    /// this client cannot read): a full download is the way out.
    StateRefused(String),
    /// Anything else.
    Mailbox(MailboxError),
}

impl Fail {
    fn into_error(self) -> MailboxError {
        match self {
            Self::StateRefused(why) => MailboxError::Unavailable(format!("ICS download: {why}")),
            Self::Mailbox(e) => e,
        }
    }
}

/// Which items a full reload counts as changed.
enum Changed {
    /// None: the changes were committed already (or it is the first sync).
    Committed,
    /// Every item (nothing says what changed).
    All,
    /// Those whose summary differs from the previous index.
    Compare(HashMap<MessageId, Summary>),
}

/// What one download found, before it is committed.
#[derive(Default)]
struct Delta {
    added: Vec<Summary>,
    changed: Vec<Summary>,
    read: Vec<(MessageId, bool)>,
    removed: Vec<MessageId>,
}

fn options() -> IcsOptions {
    let mut o = IcsOptions::contents();
    o.flags &= !SF_FAI;
    // Chained GetBuffer answers: a large download takes fewer round trips.
    o.chain = true;
    o
}

impl FolderSync {
    pub(super) fn new(fid: Fid, state_id: state::FolderId, feed_capacity: usize) -> Self {
        let (events, _) = broadcast::channel(feed_capacity.max(1));
        Self {
            fid,
            state_id,
            inner: Mutex::new(SyncInner::default()),
            events,
            rounds: AtomicU64::new(0),
            downloads: AtomicU64::new(0),
        }
    }

    /// The ticket of the latest catch-up begun: a caller that remembers it
    /// may later take any round begun after it ([`FolderSync::catch_up_since`]).
    pub(super) fn ticket(&self) -> u64 {
        self.rounds.load(Ordering::SeqCst)
    }

    /// ICS downloads this index made.
    pub(super) fn downloads(&self) -> u64 {
        self.downloads.load(Ordering::SeqCst)
    }

    /// (messages, bytes) of the index.
    pub(super) async fn footprint(&self) -> (usize, usize) {
        let inner = self.inner.lock().await;
        let entry = size_of::<(MessageId, Summary)>();
        (inner.items.len(), inner.items.values().map(|s| s.footprint() + entry).sum())
    }

    /// A receiver of the folder's change events.
    pub(super) fn subscribe(&self) -> broadcast::Receiver<ChangeKind> {
        self.events.subscribe()
    }

    /// Whether anyone watches the folder.
    pub(super) fn watched(&self) -> bool {
        self.events.receiver_count() > 0
    }

    /// Sends an event to the watchers (nobody listening is fine).
    pub(super) fn announce(&self, kind: ChangeKind) {
        let _receivers = self.events.send(kind);
    }

    /// The index as it is (loading it first if this process has not yet).
    pub(super) async fn current(&self, s: &Session) -> Result<MutexGuard<'_, SyncInner>, MailboxError> {
        let guard = self.inner.lock().await;
        if guard.loaded {
            return Ok(guard);
        }
        drop(guard);
        self.catch_up(s).await
    }

    /// Brings the index up to date with the mailbox and returns it locked.
    pub(super) async fn catch_up(&self, s: &Session) -> Result<MutexGuard<'_, SyncInner>, MailboxError> {
        self.catch_up_since(s, self.ticket()).await
    }

    /// The index locked, without a round trip when the change feed vouches
    /// for it (see the module doc); else caught up as
    /// [`FolderSync::catch_up_since`] `asked`.
    pub(super) async fn vouched_or_caught_up(
        &self,
        s: &Session,
        asked: u64,
    ) -> Result<MutexGuard<'_, SyncInner>, MailboxError> {
        let inner = self.inner.lock().await;
        // Watched: the notifier catches the folder up on every notification
        // and its watchers hear of it.
        if inner.loaded && self.watched() && inner.checked.is_some_and(|c| c.vouched(s.feed.heard())) {
            return Ok(inner);
        }
        drop(inner);
        self.catch_up_since(s, asked).await
    }

    /// Brings the index up to date with the mailbox as of a moment after
    /// ticket `asked` was taken: a round begun since that has succeeded
    /// (while the caller waited for the lock) is as good as a new one.
    pub(super) async fn catch_up_since(
        &self,
        s: &Session,
        asked: u64,
    ) -> Result<MutexGuard<'_, SyncInner>, MailboxError> {
        let mut inner = self.inner.lock().await;
        if inner.loaded && inner.good > asked {
            return Ok(inner);
        }
        let ticket = self.rounds.fetch_add(1, Ordering::SeqCst) + 1;
        let heard = s.feed.heard();
        let at = Instant::now();
        self.round(s, &mut inner).await?;
        inner.good = ticket;
        inner.checked = Some(Checked { at, heard });
        Ok(inner)
    }

    /// One catch-up round under the lock.
    async fn round(&self, s: &Session, inner: &mut SyncInner) -> Result<(), MailboxError> {
        if inner.loaded {
            match self.download(s, inner.ics.as_ref()).await {
                Ok(cs) => {
                    let delta = delta_of(&cs, |mid| inner.items.contains_key(&mid));
                    self.commit(s, inner, delta, cs.state).await?;
                }
                Err(Fail::StateRefused(why)) => {
                    tracing::warn!(%why, "Exchange refused the ICS state; synchronizing the folder again");
                    let previous = std::mem::take(&mut inner.items);
                    inner.loaded = false;
                    self.reload(s, inner, Changed::Compare(previous)).await?;
                }
                Err(Fail::Mailbox(e)) => return Err(e),
            }
            return Ok(());
        }
        // What changed while no index was in memory (after a restart).
        let stored = s.state.sync_state(self.state_id).await?;
        let mut changed = Changed::Committed;
        if let Some(bytes) = stored {
            let old = match state_from_bytes(&bytes) {
                Ok(old) => old,
                Err(e) => {
                    tracing::warn!(error = %e, "the stored ICS state is unreadable; every item counts as changed");
                    self.reload(s, inner, Changed::All).await?;
                    return Ok(());
                }
            };
            match self.download(s, Some(&old)).await {
                Ok(cs) => self.commit_offline(s, &cs).await?,
                Err(Fail::StateRefused(why)) => {
                    tracing::warn!(%why, "Exchange refused the stored ICS state; every item counts as changed");
                    changed = Changed::All;
                }
                Err(Fail::Mailbox(e)) => return Err(e),
            }
        }
        self.reload(s, inner, changed).await?;
        Ok(())
    }

    /// Commits what an incremental download from the stored state found
    /// while no index was in memory: changes and removals (additions come
    /// with the full download that follows).
    async fn commit_offline(&self, s: &Session, cs: &ContentsSync) -> Result<(), MailboxError> {
        let keys: Vec<ItemKey> =
            cs.message_changes.iter().filter_map(|c| c.mid()).map(|m| item_key(MessageId(m))).collect();
        let known: HashSet<MessageId> = s
            .state
            .items_by_key(self.state_id, &keys)
            .await?
            .into_iter()
            .flatten()
            .filter_map(|r| mid_of(&r.key))
            .collect();
        let delta = delta_of(cs, |mid| known.contains(&mid));
        let batch = SyncBatch {
            added: Vec::new(),
            changed: delta
                .changed
                .iter()
                .map(|c| item_key(c.mid))
                .chain(delta.read.iter().map(|(m, _)| item_key(*m)))
                .collect(),
            removed: delta.removed.iter().map(|m| item_key(*m)).collect(),
            sync_state: None,
        };
        let outcome = s.state.commit_sync(self.state_id, batch).await?;
        if !outcome.removed.is_empty() {
            self.announce(ChangeKind::Expunged { uids: outcome.removed.iter().copied().collect() });
        }
        Ok(())
    }

    /// A full download: fills the summaries and reconciles the state (new
    /// items get UIDs in delivery order, missing ones leave tombstones,
    /// the others keep their UIDs; `changed` says which count as changed).
    async fn reload(&self, s: &Session, inner: &mut SyncInner, changed: Changed) -> Result<(), MailboxError> {
        let full = self.download(s, None).await.map_err(Fail::into_error)?;
        let mut present: HashMap<MessageId, Summary> = HashMap::new();
        for c in &full.message_changes {
            if let Some(sum) = Summary::of_change(c) {
                present.insert(sum.mid, sum);
            }
        }
        let records = s.state.items_by_uid(self.state_id, &UidSet::all()).await?;
        let mut removed = Vec::new();
        let mut known = HashSet::new();
        for r in &records {
            match mid_of(&r.key) {
                Some(mid) if present.contains_key(&mid) => {
                    known.insert(mid);
                }
                _ => removed.push(r.key.clone()),
            }
        }
        let mut added: Vec<&Summary> = present.values().filter(|p| !known.contains(&p.mid)).collect();
        added.sort_by_key(|p| (p.delivery, p.mid.0));
        let changed_keys: Vec<ItemKey> = match &changed {
            Changed::Committed => Vec::new(),
            Changed::All => known.iter().map(|m| item_key(*m)).collect(),
            Changed::Compare(previous) => known
                .iter()
                .filter(|m| match (previous.get(m), present.get(m)) {
                    (Some(a), Some(b)) => a.change_key != b.change_key || a.flags != b.flags,
                    _ => true,
                })
                .map(|m| item_key(*m))
                .collect(),
        };
        let batch = SyncBatch {
            added: added.iter().map(|p| item_key(p.mid)).collect(),
            changed: changed_keys,
            removed,
            sync_state: Some(state_to_bytes(&full.state).map_err(|e| api_error(e, "ICS state"))?),
        };
        let outcome = s.state.commit_sync(self.state_id, batch).await?;
        inner.items = present;
        inner.ics = Some(full.state);
        inner.loaded = true;
        // Read again when next asked for: the state store has it all now.
        inner.uids = None;
        if !outcome.removed.is_empty() {
            self.announce(ChangeKind::Expunged { uids: outcome.removed.iter().copied().collect() });
        }
        if !outcome.added.is_empty() {
            let exists = u32::try_from(inner.items.len()).unwrap_or(u32::MAX);
            self.announce(ChangeKind::Exists { uids: outcome.added.iter().copied().collect(), exists });
        }
        if !outcome.changed.is_empty() && self.watched() {
            // Too many to list usefully: the watchers resynchronise.
            self.announce(ChangeKind::Lagged);
        }
        Ok(())
    }

    async fn download(&self, s: &Session, from: Option<&SyncState>) -> Result<ContentsSync, Fail> {
        self.downloads.fetch_add(1, Ordering::SeqCst);
        match s.mailbox.sync_contents(self.fid, from, &options()).await {
            Ok(cs) => Ok(cs),
            Err(mapi_client::api::Error::Rop { code, .. })
                if code == ErrorCode::NOT_FOUND
                    || code == ErrorCode::OBJECT_DELETED
                    || code == ErrorCode::SYNC_OBJECT_DELETED =>
            {
                self.announce(ChangeKind::Reset);
                Err(Fail::Mailbox(MailboxError::NoSuchFolder("the folder was deleted in Exchange".into())))
            }
            // With a state, anything but the transport means Exchange did
            // not take the state (or sent what we cannot read): start over.
            Err(e @ (mapi_client::api::Error::Rop { .. } | mapi_client::api::Error::Protocol(_))) if from.is_some() => {
                Err(Fail::StateRefused(e.to_string()))
            }
            Err(e) => Err(Fail::Mailbox(api_error(e, "ICS download"))),
        }
    }

    /// Applies a delta to the summaries and commits it with `new_state`.
    async fn commit(
        &self,
        s: &Session,
        inner: &mut SyncInner,
        mut delta: Delta,
        new_state: SyncState,
    ) -> Result<(), MailboxError> {
        delta.added.sort_by_key(|p| (p.delivery, p.mid.0));
        let mut changed_keys: Vec<ItemKey> = Vec::new();
        for c in delta.changed {
            changed_keys.push(item_key(c.mid));
            inner.items.insert(c.mid, c);
        }
        for (mid, read) in delta.read {
            if let Some(sum) = inner.items.get_mut(&mid) {
                let f = sum.flags.message_flags.unwrap_or(0);
                sum.flags.message_flags = Some(if read { f | MF_READ } else { f & !MF_READ });
                changed_keys.push(item_key(mid));
            }
        }
        let mut removed = Vec::new();
        for mid in delta.removed {
            if inner.items.remove(&mid).is_some() {
                removed.push(item_key(mid));
            }
        }
        let added_keys: Vec<ItemKey> = delta.added.iter().map(|a| item_key(a.mid)).collect();
        for a in delta.added {
            inner.items.insert(a.mid, a);
        }
        let batch = SyncBatch {
            added: added_keys,
            changed: changed_keys.clone(),
            removed,
            sync_state: Some(state_to_bytes(&new_state).map_err(|e| api_error(e, "ICS state"))?),
        };
        let outcome = s.state.commit_sync(self.state_id, batch).await?;
        inner.ics = Some(new_state);
        inner.apply_membership(&outcome.added, &outcome.removed);
        if !self.watched() {
            return Ok(());
        }
        if !outcome.removed.is_empty() {
            self.announce(ChangeKind::Expunged { uids: outcome.removed.iter().copied().collect() });
        }
        if !outcome.added.is_empty() {
            let exists = u32::try_from(inner.items.len()).unwrap_or(u32::MAX);
            self.announce(ChangeKind::Exists { uids: outcome.added.iter().copied().collect(), exists });
        }
        if !changed_keys.is_empty() {
            for r in s.state.items_by_key(self.state_id, &changed_keys).await?.into_iter().flatten() {
                let Some(sum) = mid_of(&r.key).and_then(|m| inner.items.get(&m)) else { continue };
                let flags = flags_of(s, sum, r.flags);
                self.announce(ChangeKind::Flags { uid: r.uid, flags, modseq: r.modseq });
            }
        }
        Ok(())
    }
}

/// The model flags of an item.
pub(super) fn flags_of(s: &Session, sum: &Summary, gateway: GatewayFlags) -> Flags {
    let mut f = sum.flags.flags(&s.config.categories);
    f.set(Flag::Deleted, gateway.contains(GatewayFlags::DELETED));
    f
}

/// Sorts a download into additions, changes, read-state changes and
/// deletions; `known` says whether the index holds a MID.
fn delta_of(cs: &ContentsSync, known: impl Fn(MessageId) -> bool) -> Delta {
    let mut d = Delta::default();
    for c in &cs.message_changes {
        let Some(sum) = Summary::of_change(c) else { continue };
        if known(sum.mid) {
            d.changed.push(sum);
        } else {
            d.added.push(sum);
        }
    }
    if let Some(del) = &cs.deletions {
        for set in [del.deleted(), del.no_longer_in_scope(), del.expired()].into_iter().flatten().flatten() {
            d.removed.extend(set.ids().map(MessageId));
        }
    }
    if let Some(rs) = &cs.read_state_changes {
        if let Ok(Some(set)) = rs.read() {
            d.read.extend(set.ids().map(|m| (MessageId(m), true)));
        }
        if let Ok(Some(set)) = rs.unread() {
            d.read.extend(set.ids().map(|m| (MessageId(m), false)));
        }
    }
    d
}

/// The UIDs of `keys` in the folder, in the same order (unknown: `None`).
pub(super) async fn uids_of(
    s: &Session,
    sync: &FolderSync,
    keys: &[ItemKey],
) -> Result<Vec<Option<Uid>>, MailboxError> {
    Ok(s.state.items_by_key(sync.state_id, keys).await?.into_iter().map(|r| r.map(|r| r.uid)).collect())
}
