//! [MS-OXCROPS] 2.2.13 ICS download ([MS-OXCFXICS] 3.2.5.9): contents and
//! hierarchy synchronization with state upload, the FastTransfer stream
//! handed out by RopFastTransferSourceGetBuffer, and
//! RopSynchronizationGetTransferState (captures 046–050).
//!
//! The whole stream is built at the first GetBuffer from the store and the
//! uploaded state: changed objects (CN not in CnsetSeen/CnsetSeenFAI),
//! deletions (ids in IdsetGiven that are gone), read-state changes (read CN
//! not in CnsetRead), then the new state. Upload (import) ROPs live in
//! `ics_upload`.

use mapi_wire::fx::{
    Attachment as FxAttachment, ContentsSync, Deletions, FolderChange, FxProperty, FxWriter, HierarchySync,
    MessageChange, MessageContent as FxContent, PropList, ReadStateChanges, SyncState, meta,
};
use mapi_wire::ids::FolderId;
use mapi_wire::idset::{IdSet, ReplForm, ReplKey};
use mapi_wire::prop_value::PropValue;
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};

use super::dispatch::Ctx;
use super::folder::{check, folder_of};
use super::objects::Object;
use crate::store::{Mailbox, PropBag, REPLID, Rights};

/// [MS-OXCFXICS] 2.2.3.2.4.1.1 SynchronizationFlags bits used here.
const SF_NO_DELETIONS: u16 = 0x0002;
const SF_READ_STATE: u16 = 0x0008;
const SF_FAI: u16 = 0x0010;
const SF_NORMAL: u16 = 0x0020;
/// [MS-OXCFXICS] 2.2.3.2.4.1.2 SynchronizationExtraFlags.
const SEF_EID: u32 = 0x0001;
const SEF_MESSAGE_SIZE: u32 = 0x0002;
const SEF_CN: u32 = 0x0004;

/// A synchronization download context (RopSynchronizationConfigure) or
/// a plain FastTransfer download (RopSynchronizationGetTransferState).
pub(crate) struct SyncObj {
    mailbox: Mailbox,
    folder: FolderId,
    hierarchy: bool,
    flags: u16,
    extra: u32,
    state: SyncState,
    upload: Option<(PropTag, Vec<u8>)>,
    stream: Option<Vec<u8>>,
    position: usize,
}

fn sync_mut<'c>(ctx: &'c mut Ctx<'_>, index: u8) -> Result<&'c mut SyncObj, ErrorCode> {
    match ctx.object_mut(index)? {
        Object::Sync(s) => Ok(s),
        _ => Err(ErrorCode::NOT_SUPPORTED),
    }
}

/// RopSynchronizationConfigure ([MS-OXCFXICS] 3.2.5.9.1/2): on a folder.
pub(crate) fn configure(ctx: &mut Ctx<'_>, r: &SynchronizationConfigureRequest) -> Result<(), ErrorCode> {
    let (mailbox, folder) = folder_of(ctx, r.input_handle_index)?;
    check(ctx, &mailbox, folder, Rights::READ_ANY)?;
    let hierarchy = match r.synchronization_type {
        SynchronizationType::CONTENTS => false,
        SynchronizationType::HIERARCHY => true,
        _ => return Err(ErrorCode::INVALID_PARAMETER),
    };
    if r.restriction.is_some() {
        // Restricted downloads are not simulated.
        return Err(ErrorCode::TOO_COMPLEX);
    }
    let obj = SyncObj {
        mailbox,
        folder,
        hierarchy,
        flags: r.synchronization_flags,
        extra: r.synchronization_extra_flags,
        state: SyncState::default(),
        upload: None,
        stream: None,
        position: 0,
    };
    ctx.output(r.output_handle_index, Object::Sync(Box::new(obj)));
    Ok(())
}

/// RopSynchronizationUploadStateStreamBegin ([MS-OXCFXICS] 3.2.5.9.2.1).
pub(crate) fn upload_begin(
    ctx: &mut Ctx<'_>,
    r: &SynchronizationUploadStateStreamBeginRequest,
) -> Result<(), ErrorCode> {
    let s = sync_mut(ctx, r.input_handle_index)?;
    let tag = r.state_property;
    let known = [meta::IDSET_GIVEN, meta::IDSET_GIVEN_BINARY, meta::CNSET_SEEN, meta::CNSET_SEEN_FAI, meta::CNSET_READ];
    if !known.contains(&tag) || s.upload.is_some() || s.stream.is_some() {
        return Err(ErrorCode::INVALID_PARAMETER);
    }
    s.upload = Some((tag, Vec::new()));
    Ok(())
}

/// RopSynchronizationUploadStateStreamContinue.
pub(crate) fn upload_continue(
    ctx: &mut Ctx<'_>,
    r: &SynchronizationUploadStateStreamContinueRequest,
) -> Result<(), ErrorCode> {
    let s = sync_mut(ctx, r.input_handle_index)?;
    let Some((_, buf)) = s.upload.as_mut() else { return Err(ErrorCode::INVALID_PARAMETER) };
    if buf.len() + r.stream_data.len() > 16 << 20 {
        return Err(ErrorCode::TOO_BIG);
    }
    buf.extend_from_slice(&r.stream_data);
    Ok(())
}

/// RopSynchronizationUploadStateStreamEnd: the blob must be an IDSET.
pub(crate) fn upload_end(ctx: &mut Ctx<'_>, index: u8) -> Result<(), ErrorCode> {
    let s = sync_mut(ctx, index)?;
    let Some((tag, buf)) = s.upload.take() else { return Err(ErrorCode::INVALID_PARAMETER) };
    if !buf.is_empty() && IdSet::decode(&buf, ReplForm::ReplGuid).is_err() {
        return Err(ErrorCode::INVALID_PARAMETER);
    }
    let slot = if tag == meta::CNSET_SEEN {
        &mut s.state.cnset_seen
    } else if tag == meta::CNSET_SEEN_FAI {
        &mut s.state.cnset_seen_fai
    } else if tag == meta::CNSET_READ {
        &mut s.state.cnset_read
    } else {
        &mut s.state.idset_given
    };
    *slot = Some(buf);
    Ok(())
}

fn idset(bytes: &Option<Vec<u8>>) -> IdSet {
    bytes.as_deref().and_then(|b| IdSet::decode(b, ReplForm::ReplGuid).ok()).unwrap_or_default()
}

fn blob(set: &IdSet) -> Result<Vec<u8>, ErrorCode> {
    set.to_bytes().map_err(|_| ErrorCode::GENERAL_FAILURE)
}

/// A property bag as a FastTransfer PropList (named properties carry
/// their names; those without one are left out).
pub(crate) fn prop_list(mailbox: &Mailbox, bag: &PropBag, skip: &[PropTag]) -> PropList {
    let mut out = Vec::new();
    for (tag, value) in bag.iter() {
        if skip.iter().any(|s| s.id() == tag.id()) {
            continue;
        }
        let name = if tag.id() >= 0x8000 {
            match mailbox.name_from_prop_id(tag.id()) {
                Ok(Some(n)) => Some(n),
                _ => continue,
            }
        } else {
            None
        };
        let tag = tag.with_type(value.prop_type());
        out.push(FxProperty { tag, name, value: value.clone() });
    }
    PropList(out)
}

fn header_prop(out: &mut Vec<FxProperty>, bag: &PropBag, tag: PropTag) {
    if let Some(v) = bag.get(tag) {
        out.push(FxProperty::new(tag, v.clone()));
    }
}

/// The message header properties in the order of capture 046 (B18).
const HEADER_TAGS: [PropTag; 8] = [
    PropTag::SOURCE_KEY,
    PropTag::LAST_MODIFICATION_TIME,
    PropTag::CHANGE_KEY,
    PropTag::PREDECESSOR_CHANGE_LIST,
    PropTag::ASSOCIATED,
    PropTag::MID,
    PropTag::MESSAGE_SIZE,
    PropTag::CHANGE_NUMBER,
];

fn contents_stream(s: &SyncObj) -> Result<Vec<u8>, ErrorCode> {
    let e = |e: crate::store::StoreError| e.error_code();
    let guid = s.mailbox.info().replica_guid;
    let key = ReplKey::ReplGuid(guid);
    let given = idset(&s.state.idset_given);
    let seen = idset(&s.state.cnset_seen);
    let seen_fai = idset(&s.state.cnset_seen_fai);
    let read = idset(&s.state.cnset_read);
    // One snapshot: the state claims every CN up to `cn` as seen, so the
    // rows and change numbers must be those of exactly that moment
    // ([MS-OXCFXICS] 3.2.5.2.2); a commit between separate reads would be
    // claimed without being sent.
    let (changes, rows, cn) = s
        .mailbox
        .store()
        .atomically(|| {
            let changes = s.mailbox.message_changes(s.folder)?;
            let mut rows = Vec::new();
            if s.flags & SF_NORMAL != 0 {
                rows.extend(s.mailbox.contents(s.folder, false)?);
            }
            if s.flags & SF_FAI != 0 {
                rows.extend(s.mailbox.contents(s.folder, true)?);
            }
            Ok((changes, rows, s.mailbox.current_change_number()?))
        })
        .map_err(e)?;
    let mut message_changes = Vec::new();
    let mut new_given = IdSet::default();
    let (mut read_ids, mut unread_ids) = (IdSet::default(), IdSet::default());
    for m in &rows {
        let counter = mapi_wire::idset::split_id(m.id.0).1;
        new_given.insert(key, counter);
        let Some(ch) = changes.iter().find(|c| c.counter == counter) else { continue };
        let seen_set = if m.fai { &seen_fai } else { &seen };
        if !seen_set.contains(key, ch.change_number) {
            let p = &m.content.props;
            let mut header = Vec::new();
            for t in HEADER_TAGS {
                let wanted = match t {
                    PropTag::MID => s.extra & SEF_EID != 0,
                    PropTag::MESSAGE_SIZE => s.extra & SEF_MESSAGE_SIZE != 0,
                    PropTag::CHANGE_NUMBER => s.extra & SEF_CN != 0,
                    _ => true,
                };
                if t == PropTag::ASSOCIATED {
                    header.push(FxProperty::new(t, PropValue::Bool(m.fai)));
                } else if wanted {
                    header_prop(&mut header, p, t);
                }
            }
            let skip = [
                HEADER_TAGS.as_slice(),
                &[PropTag::ENTRY_ID, PropTag::RECORD_KEY, PropTag::PARENT_ENTRY_ID, PropTag::INSTANCE_KEY],
            ]
            .concat();
            let content = FxContent {
                props: prop_list(&s.mailbox, p, &skip),
                del_props: vec![PropTag(0x0E12_000D), PropTag(0x0E13_000D)],
                recipients: m.content.recipients.iter().map(|r| prop_list(&s.mailbox, r, &[])).collect(),
                attachments: m
                    .content
                    .attachments
                    .iter()
                    .map(|a| FxAttachment { props: prop_list(&s.mailbox, &a.props, &[]), embedded: None })
                    .collect(),
            };
            message_changes.push(MessageChange { progress: None, header: PropList(header), content, partial: None });
        } else if s.flags & SF_READ_STATE != 0
            && !m.fai
            && ch.read_change_number != 0
            && !read.contains(key, ch.read_change_number)
        {
            if ch.read {
                read_ids.insert(ReplKey::ReplId(REPLID), counter);
            } else {
                unread_ids.insert(ReplKey::ReplId(REPLID), counter);
            }
        }
    }
    let deletions = if s.flags & SF_NO_DELETIONS == 0 {
        let mut gone = IdSet::default();
        if let Some(g) = given.globset(key) {
            for r in g.ranges() {
                for c in r.low..=r.high.min(r.low.saturating_add(1 << 20)) {
                    if !new_given.contains(key, c) {
                        gone.insert(ReplKey::ReplId(REPLID), c);
                    }
                }
            }
        }
        (!gone.is_empty()).then(|| Deletions {
            props: PropList(vec![FxProperty::new(
                meta::IDSET_DELETED,
                PropValue::Binary(blob(&gone).unwrap_or_default()),
            )]),
        })
    } else {
        None
    };
    let mut rs = Vec::new();
    if !read_ids.is_empty() {
        rs.push(FxProperty::new(meta::IDSET_READ, PropValue::Binary(blob(&read_ids)?)));
    }
    if !unread_ids.is_empty() {
        rs.push(FxProperty::new(meta::IDSET_UNREAD, PropValue::Binary(blob(&unread_ids)?)));
    }
    let read_state_changes = (!rs.is_empty()).then_some(ReadStateChanges { props: PropList(rs) });
    let cn = mapi_wire::idset::split_id(cn.0).1;
    let mut all_cns = IdSet::default();
    if cn > 0 {
        all_cns.insert_range(key, 1, cn);
    }
    let state = SyncState {
        idset_given: Some(blob(&new_given)?),
        cnset_seen: Some(blob(&seen.union(&all_cns))?),
        cnset_seen_fai: Some(blob(&seen_fai.union(&all_cns))?),
        cnset_read: Some(blob(&read.union(&all_cns))?),
        other: PropList::default(),
    };
    let sync = ContentsSync { progress: None, message_changes, errors: vec![], deletions, read_state_changes, state };
    let mut w = FxWriter::new();
    sync.write(&mut w).map_err(|_| ErrorCode::GENERAL_FAILURE)?;
    Ok(w.into_bytes())
}

fn hierarchy_stream(s: &SyncObj) -> Result<Vec<u8>, ErrorCode> {
    let e = |e: crate::store::StoreError| e.error_code();
    let key = ReplKey::ReplGuid(s.mailbox.info().replica_guid);
    let given = idset(&s.state.idset_given);
    let seen = idset(&s.state.cnset_seen);
    // One snapshot, as in `contents_stream`.
    let (changes, folders, cn) = s
        .mailbox
        .store()
        .atomically(|| {
            Ok((
                s.mailbox.folder_changes(s.folder)?,
                s.mailbox.subfolders(s.folder, true)?,
                s.mailbox.current_change_number()?,
            ))
        })
        .map_err(e)?;
    let mut new_given = IdSet::default();
    let mut folder_changes = Vec::new();
    for f in &folders {
        let counter = mapi_wire::idset::split_id(f.id.0).1;
        new_given.insert(key, counter);
        let cn = changes.iter().find(|c| c.counter == counter).map_or(0, |c| c.change_number);
        if seen.contains(key, cn) {
            continue;
        }
        // PidTagSourceKey and PidTagParentSourceKey come last; the parent
        // key is empty for direct children of the synchronized folder (B18).
        let skip = [PropTag::SOURCE_KEY, PropTag::PARENT_SOURCE_KEY, PropTag::DEPTH];
        let mut list = prop_list(&s.mailbox, &f.props, &skip).0;
        let parent = s.mailbox.folder(f.id, false).ok().and_then(|i| i.parent);
        list.push(FxProperty::new(PropTag::FOLDER_ID, PropValue::I64(f.id.0 as i64)));
        if let Some(p) = parent {
            list.push(FxProperty::new(PropTag::PARENT_FOLDER_ID, PropValue::I64(p.0 as i64)));
        }
        if let Some(v) = f.props.get(PropTag::SOURCE_KEY) {
            list.push(FxProperty::new(PropTag::SOURCE_KEY, v.clone()));
        }
        let parent_key = match parent {
            Some(p) if p != s.folder => s.mailbox.source_key(mapi_wire::idset::split_id(p.0).1),
            _ => Vec::new(),
        };
        list.push(FxProperty::new(PropTag::PARENT_SOURCE_KEY, PropValue::Binary(parent_key)));
        folder_changes.push(FolderChange { props: PropList(dedup(list)) });
    }
    let mut gone = IdSet::default();
    if let Some(g) = given.globset(key) {
        for r in g.ranges() {
            for c in r.low..=r.high.min(r.low.saturating_add(1 << 20)) {
                if !new_given.contains(key, c) {
                    gone.insert(ReplKey::ReplId(REPLID), c);
                }
            }
        }
    }
    let deletions = (s.flags & SF_NO_DELETIONS == 0 && !gone.is_empty()).then(|| Deletions {
        props: PropList(vec![FxProperty::new(meta::IDSET_DELETED, PropValue::Binary(blob(&gone).unwrap_or_default()))]),
    });
    let cn = mapi_wire::idset::split_id(cn.0).1;
    let mut all_cns = IdSet::default();
    if cn > 0 {
        all_cns.insert_range(key, 1, cn);
    }
    let state = SyncState {
        idset_given: Some(blob(&new_given)?),
        cnset_seen: Some(blob(&seen.union(&all_cns))?),
        cnset_seen_fai: None,
        cnset_read: None,
        other: PropList::default(),
    };
    let mut w = FxWriter::new();
    HierarchySync { folder_changes, deletions, state }.write(&mut w).map_err(|_| ErrorCode::GENERAL_FAILURE)?;
    Ok(w.into_bytes())
}

/// Keeps the last occurrence of each property id.
fn dedup(list: Vec<FxProperty>) -> Vec<FxProperty> {
    let mut out: Vec<FxProperty> = Vec::with_capacity(list.len());
    for p in list {
        out.retain(|q| q.tag.id() != p.tag.id());
        out.push(p);
    }
    out
}

/// RopFastTransferSourceGetBuffer ([MS-OXCFXICS] 3.2.5.8.1.5): the next
/// piece of the stream (at most BufferSize, or MaximumBufferSize after
/// 0xBABE, and what fits MaxRopOut); TransferStatus Done with the last.
pub(crate) fn get_buffer(
    ctx: &mut Ctx<'_>,
    r: &FastTransferSourceGetBufferRequest,
) -> Result<FastTransferSourceGetBufferResponse, ErrorCode> {
    // RopId, index, ReturnValue, status, counts, reserved, size.
    let room = ctx.room.saturating_sub(15);
    let s = sync_mut(ctx, r.input_handle_index)?;
    if s.stream.is_none() {
        let stream = if s.hierarchy { hierarchy_stream(s)? } else { contents_stream(s)? };
        s.stream = Some(stream);
    }
    let stream = s.stream.as_deref().unwrap_or_default();
    let want = match r.maximum_buffer_size {
        Some(m) => usize::from(m),
        None => usize::from(r.buffer_size),
    }
    .min(room);
    let start = s.position.min(stream.len());
    let end = start.saturating_add(want).min(stream.len());
    let transfer_buffer = stream.get(start..end).unwrap_or_default().to_vec();
    s.position = end;
    let done = end >= stream.len();
    Ok(FastTransferSourceGetBufferResponse {
        handle_index: r.input_handle_index,
        return_value: ErrorCode::SUCCESS,
        transfer_status: if done { TransferStatus::DONE } else { TransferStatus::PARTIAL },
        in_progress_count: u16::try_from(end).unwrap_or(u16::MAX),
        total_step_count: u16::try_from(stream.len()).unwrap_or(u16::MAX),
        reserved: 0,
        transfer_buffer,
        backoff_time: None,
    })
}

/// RopSynchronizationGetTransferState ([MS-OXCFXICS] 3.2.5.9.2.3): a
/// download context whose stream is the current state (no IncrSyncEnd,
/// capture 047), computed as after a full download.
pub(crate) fn transfer_state(ctx: &mut Ctx<'_>, r: &SynchronizationGetTransferStateRequest) -> Result<(), ErrorCode> {
    let s = sync_mut(ctx, r.input_handle_index)?;
    let stream = match &s.stream {
        Some(st) => st.clone(),
        None if s.hierarchy => hierarchy_stream(s)?,
        None => contents_stream(s)?,
    };
    let state = state_of(&stream, s.hierarchy)?;
    let mut w = FxWriter::new();
    state.write(&mut w).map_err(|_| ErrorCode::GENERAL_FAILURE)?;
    let obj = SyncObj {
        mailbox: s.mailbox.clone(),
        folder: s.folder,
        hierarchy: s.hierarchy,
        flags: s.flags,
        extra: s.extra,
        state: SyncState::default(),
        upload: None,
        stream: Some(w.into_bytes()),
        position: 0,
    };
    ctx.output(r.output_handle_index, Object::Sync(Box::new(obj)));
    Ok(())
}

/// A FastTransfer download of a finished stream (the state of an ICS
/// upload context, RopSynchronizationGetTransferState on a collector).
pub(crate) fn stream_download(mailbox: Mailbox, folder: FolderId, hierarchy: bool, stream: Vec<u8>) -> SyncObj {
    SyncObj {
        mailbox,
        folder,
        hierarchy,
        flags: 0,
        extra: 0,
        state: SyncState::default(),
        upload: None,
        stream: Some(stream),
        position: 0,
    }
}

fn state_of(stream: &[u8], hierarchy: bool) -> Result<SyncState, ErrorCode> {
    let bad = |_| ErrorCode::GENERAL_FAILURE;
    Ok(if hierarchy {
        HierarchySync::parse(stream).map_err(bad)?.state
    } else {
        ContentsSync::parse(stream).map_err(bad)?.state
    })
}
