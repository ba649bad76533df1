//! [`ExchangeFolder`]: the reading side of a folder (SELECT, UIDs, FETCH,
//! SEARCH, VANISHED, `\Recent`, the change feed); writes are in
//! [`super::write`].

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use mapi_client::api::TableSpec;
use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId as Fid, MessageId};
use mapi_wire::prop_value::PropValue;
use mapi_wire::restriction::Restriction;
use mapi_wire::tags::{NamedProp, PidName};
use state::{ItemRecord, Uid, UidSet};

use super::account::Session;
use super::connect::api_error;
use super::props::{id_cell, mid_of};
use super::render_batch::{Version, render_versions};
use super::sync::{FolderSync, SyncInner, flags_of};
use crate::account::{ChangeStream, Folder};
use crate::error::MailboxError;
use crate::flags::{Flag, FlagOp, Flags};
use crate::mapi::flags::MF_READ;
use crate::mapi::search::{PlanOptions, SearchPlan, plan};
use crate::model::{
    AppendOutcome, AppendRequest, CopyOutcome, Envelope, FetchFields, FolderId, FolderInfo, MessageData, MoveOutcome,
    SelectInfo, SpecialUse, StoreOutcome,
};
use crate::search::{SearchKey, SearchView, evaluate};

/// One folder of an [`super::ExchangeAccount`].
pub struct ExchangeFolder {
    pub(super) session: Arc<Session>,
    pub(super) info: FolderInfo,
    pub(super) fid: Fid,
    pub(super) sync: Arc<FolderSync>,
    /// The index's ticket when this folder was opened, until the first
    /// [`Folder::select_with_uids`] takes it: a folder is opened for a
    /// SELECT, so a catch-up begun since is recent enough for it.
    opened: AtomicU64,
}

impl std::fmt::Debug for ExchangeFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExchangeFolder").field("path", &self.info.path).finish_non_exhaustive()
    }
}

/// What the residual of a search needs beyond the summaries.
#[derive(Default)]
struct Needs {
    size: bool,
    text: bool,
}

fn needs(key: &SearchKey, n: &mut Needs) {
    match key {
        SearchKey::And(v) => v.iter().for_each(|k| needs(k, n)),
        SearchKey::Or(a, b) => {
            needs(a, n);
            needs(b, n);
        }
        SearchKey::Not(k) => needs(k, n),
        SearchKey::Larger(_) | SearchKey::Smaller(_) => n.size = true,
        SearchKey::Body(_) | SearchKey::Text(_) | SearchKey::Header(..) => n.text = true,
        _ => {}
    }
}

impl ExchangeFolder {
    pub(super) fn new(session: Arc<Session>, info: FolderInfo, fid: Fid, sync: Arc<FolderSync>) -> Self {
        let opened = AtomicU64::new(sync.ticket());
        Self { session, info, fid, sync, opened }
    }

    /// ICS downloads the folder's index made in this session (every front
    /// end's use of the folder counts).
    pub fn ics_downloads(&self) -> u64 {
        self.sync.downloads()
    }

    /// The restriction the last [`Folder::search`] of this folder sent to
    /// Exchange (`None`: none was needed).
    pub async fn last_restriction(&self) -> Option<Restriction> {
        self.sync.current(&self.session).await.ok().and_then(|i| i.last_restriction.clone())
    }

    /// How a search key splits into restriction and residual here.
    pub fn search_plan(&self, key: &SearchKey) -> SearchPlan {
        let keywords = self.session.keywords;
        let resolve = move |p: &NamedProp| (*p == PidName::KEYWORDS).then_some(keywords);
        let opts = PlanOptions {
            categories: &self.session.config.categories,
            resolve: &resolve,
            size_on_server: self.session.config.size_on_server,
        };
        plan(key, &opts)
    }

    /// Whether Bcc is rendered for this folder's items.
    pub(super) fn include_bcc(&self) -> bool {
        matches!(self.info.role, Some(SpecialUse::Drafts | SpecialUse::Sent))
    }

    /// Renders the items with these MIDs that have no exact size for their
    /// current version; returns the MIME of each (by MID) when `keep`.
    async fn render_many(
        &self,
        mids: &[MessageId],
        keep: bool,
    ) -> Result<std::collections::HashMap<MessageId, Arc<[u8]>>, MailboxError> {
        let todo: Vec<Version> = {
            let inner = self.sync.current(&self.session).await?;
            mids.iter()
                .filter_map(|m| inner.items.get(m))
                .filter(|s| keep || s.exact_size.is_none())
                .map(|s| Version { mid: s.mid, source_key: s.source_key.clone(), change_key: s.change_key.clone() })
                .collect()
        };
        let mut rendered = render_versions(&self.session, self.fid, self.include_bcc(), &todo).await?;
        let sizes: Vec<(MessageId, Vec<u8>, u64)> =
            todo.into_iter().filter_map(|v| Some((v.mid, v.change_key, rendered.get(&v.mid)?.len() as u64))).collect();
        if !keep {
            rendered.clear();
        }
        let mut inner = self.sync.current(&self.session).await?;
        for (mid, ck, size) in sizes {
            if let Some(s) = inner.items.get_mut(&mid)
                && s.change_key == ck
            {
                s.exact_size = Some(size);
            }
        }
        Ok(rendered)
    }

    /// The MIDs a restriction selects (a restricted contents table).
    async fn restricted(&self, r: &Restriction) -> Result<HashSet<MessageId>, MailboxError> {
        let spec = TableSpec::contents(self.fid, vec![PropTag::MID]).restricted(r.clone());
        let rows = self.session.mailbox.query_all(&spec).await.map_err(|e| api_error(e, "search"))?;
        Ok(rows.rows.iter().filter_map(|r| id_cell(r, 0)).map(MessageId).collect())
    }
}

impl ExchangeFolder {
    /// SELECT's figures from the index (locked by the caller) and the
    /// state store; `read_only` from the folder's rights, asked before the
    /// lock was taken.
    async fn select_info(&self, inner: &SyncInner, read_only: bool) -> Result<SelectInfo, MailboxError> {
        let st = self.session.state.folder_state(self.sync.state_id).await?;
        let mut unseen = 0;
        let mut size = 0;
        for s in inner.items.values() {
            if s.flags.message_flags.unwrap_or(0) & MF_READ == 0 {
                unseen += 1;
            }
            size += s.exact_size.unwrap_or(s.stored_size);
        }
        Ok(SelectInfo {
            uid_validity: st.uid_validity,
            uid_next: st.uid_next,
            highest_modseq: st.highest_modseq,
            exists: st.exists,
            unseen,
            size,
            permanent_flags: if read_only { Flags::new() } else { permanent_flags() },
            keywords_allowed: !read_only,
            read_only,
        })
    }
}

/// The permanent flags: `\Draft` is fixed at creation in MAPI.
fn permanent_flags() -> Flags {
    Flags::from([Flag::Seen, Flag::Answered, Flag::Flagged, Flag::Deleted, Flag::Forwarded])
}

#[async_trait]
impl Folder for ExchangeFolder {
    fn info(&self) -> &FolderInfo {
        &self.info
    }

    async fn select(&self) -> Result<SelectInfo, MailboxError> {
        let read_only = super::stores::read_only(&self.session, self.fid).await?;
        let inner = self.sync.catch_up(&self.session).await?;
        self.select_info(&inner, read_only).await
    }

    async fn uids(&self) -> Result<Vec<Uid>, MailboxError> {
        let mut inner = self.sync.catch_up(&self.session).await?;
        Ok(inner.uid_snapshot(&self.session, &self.sync).await?.to_vec())
    }

    async fn fetch(&self, uids: &UidSet, fields: FetchFields) -> Result<Vec<MessageData>, MailboxError> {
        drop(self.sync.current(&self.session).await?);
        let st = &self.session.state;
        let records: Vec<ItemRecord> = match fields.changed_since {
            Some(since) => {
                let mut v = st.changed_since(self.sync.state_id, since).await?;
                v.retain(|r| uids.contains(r.uid));
                v
            }
            None => st.items_by_uid(self.sync.state_id, uids).await?,
        };
        let mids: Vec<MessageId> = records.iter().filter_map(|r| mid_of(&r.key)).collect();
        let rendered =
            if fields.mime || fields.size { self.render_many(&mids, fields.mime).await? } else { Default::default() };
        let inner = self.sync.current(&self.session).await?;
        let mut out = Vec::with_capacity(records.len());
        for r in &records {
            let Some(mid) = mid_of(&r.key) else { continue };
            let Some(sum) = inner.items.get(&mid) else { continue };
            let mime = if fields.mime {
                match rendered.get(&mid) {
                    Some(b) => Some(b.clone()),
                    None => continue,
                }
            } else {
                None
            };
            let size = if fields.size {
                match mime.as_ref().map(|m| m.len() as u64).or(sum.exact_size) {
                    Some(n) => Some(n),
                    None => continue,
                }
            } else {
                None
            };
            out.push(MessageData {
                uid: r.uid,
                modseq: r.modseq,
                flags: fields.flags.then(|| flags_of(&self.session, sum, r.flags)),
                internal_date: fields.internal_date.then_some(sum.delivery),
                size,
                envelope: fields.envelope.then(|| envelope_for(sum, self.include_bcc())),
                mime,
            });
        }
        Ok(out)
    }

    async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, MailboxError> {
        self.append_message(request).await
    }

    async fn store(
        &self,
        uids: &UidSet,
        op: &FlagOp,
        unchanged_since: Option<u64>,
    ) -> Result<StoreOutcome, MailboxError> {
        self.store_flags(uids, op, unchanged_since).await
    }

    async fn copy(&self, uids: &UidSet, target: &FolderId) -> Result<CopyOutcome, MailboxError> {
        self.copy_or_move(uids, target, true).await.map(|(c, _)| c)
    }

    async fn move_to(&self, uids: &UidSet, target: &FolderId) -> Result<MoveOutcome, MailboxError> {
        let (copied, expunged) = self.copy_or_move(uids, target, false).await?;
        Ok(MoveOutcome { copied, expunged })
    }

    async fn expunge(&self, uids: Option<&UidSet>) -> Result<UidSet, MailboxError> {
        self.expunge_deleted(uids).await
    }

    async fn search(&self, key: &SearchKey) -> Result<UidSet, MailboxError> {
        let plan = self.search_plan(key);
        drop(self.sync.catch_up(&self.session).await?);
        let candidates = match &plan.restriction {
            Some(r) => Some(self.restricted(r).await?),
            None => None,
        };
        self.sync.current(&self.session).await?.last_restriction = plan.restriction.clone();
        let records = self.session.state.items_by_uid(self.sync.state_id, &UidSet::all()).await?;
        let Some(residual) = &plan.residual else {
            return Ok(records
                .iter()
                .filter(|r| mid_of(&r.key).is_some_and(|m| candidates.as_ref().is_none_or(|c| c.contains(&m))))
                .map(|r| r.uid)
                .collect());
        };
        let mut n = Needs::default();
        needs(residual, &mut n);
        let in_scope: Vec<(usize, &ItemRecord, MessageId)> = records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((i, r, mid_of(&r.key)?)))
            .filter(|(_, _, m)| candidates.as_ref().is_none_or(|c| c.contains(m)))
            .collect();
        if n.size {
            let mids: Vec<MessageId> = in_scope.iter().map(|x| x.2).collect();
            self.render_many(&mids, false).await?;
        }
        let mut texts = std::collections::HashMap::new();
        if n.text {
            let tags = [PropTag::TRANSPORT_MESSAGE_HEADERS, PropTag::BODY];
            for (_, _, mid) in &in_scope {
                let values = match self.session.mailbox.message_properties(self.fid, *mid, Some(&tags)).await {
                    Ok(v) => v,
                    Err(e) => return Err(api_error(e, "search text")),
                };
                let text = |tag: PropTag| {
                    values.iter().find(|v| v.tag.id() == tag.id()).and_then(|v| match &v.value {
                        PropValue::String(s) => Some(s.clone()),
                        _ => None,
                    })
                };
                texts.insert(*mid, (text(PropTag::TRANSPORT_MESSAGE_HEADERS), text(PropTag::BODY)));
            }
        }
        let inner = self.sync.current(&self.session).await?;
        let mut hits = UidSet::new();
        for (i, r, mid) in in_scope {
            let Some(sum) = inner.items.get(&mid) else { continue };
            let flags = flags_of(&self.session, sum, r.flags);
            let (headers, body) = texts.get(&mid).map(|(h, b)| (h.as_deref(), b.as_deref())).unwrap_or((None, None));
            let view = SearchView {
                uid: r.uid,
                seq: u32::try_from(i + 1).unwrap_or(u32::MAX),
                modseq: r.modseq,
                flags: &flags,
                recent: false,
                internal_date: sum.delivery,
                size: sum.exact_size.unwrap_or(sum.stored_size),
                envelope: &sum.envelope,
                headers,
                body,
            };
            if evaluate(residual, &view) {
                hits.insert(r.uid);
            }
        }
        Ok(hits)
    }

    async fn vanished_since(&self, since: u64) -> Result<(UidSet, bool), MailboxError> {
        drop(self.sync.catch_up(&self.session).await?);
        let v = self.session.state.vanished_since(self.sync.state_id, since).await?;
        Ok((v.uids, v.complete))
    }

    async fn claim_recent(&self) -> Result<UidSet, MailboxError> {
        drop(self.sync.current(&self.session).await?);
        Ok(self.session.state.claim_recent(self.sync.state_id).await?.map(UidSet::from).unwrap_or_default())
    }

    async fn watch(&self) -> Result<ChangeStream, MailboxError> {
        super::watch::watch(&self.session, &self.sync, self.info.id.clone()).await
    }

    async fn recent_count(&self) -> Result<u32, MailboxError> {
        drop(self.sync.current(&self.session).await?);
        Ok(self.session.state.unclaimed_recent(self.sync.state_id).await?)
    }

    /// One catch-up at most, none while the change feed vouches for the
    /// index; the UIDs are the index's shared list, not a copy.
    async fn select_with_uids(&self) -> Result<(SelectInfo, Arc<[Uid]>), MailboxError> {
        let read_only = super::stores::read_only(&self.session, self.fid).await?;
        let opened = self.opened.swap(u64::MAX, Ordering::SeqCst);
        let asked = opened.min(self.sync.ticket());
        let mut inner = self.sync.vouched_or_caught_up(&self.session, asked).await?;
        let info = self.select_info(&inner, read_only).await?;
        let uids = inner.uid_snapshot(&self.session, &self.sync).await?;
        Ok((info, uids))
    }
}

/// The envelope served: Bcc only for the user's own copies.
fn envelope_for(sum: &super::props::Summary, include_bcc: bool) -> Envelope {
    let mut e = sum.envelope.clone();
    if !include_bcc {
        e.bcc.clear();
    }
    e
}
