//! [MS-OXCROPS] 2.2.13 ICS upload ([MS-OXCFXICS] 3.2.5.9.4, 3.3.5.8):
//! RopSynchronizationOpenCollector, state upload on a collector, the
//! Import ROPs (message change, hierarchy change, deletes, read state,
//! message move), RopSynchronizationGetTransferState on a collector and
//! RopGetLocalReplicaIds.
//!
//! Objects are named by PidTagSourceKey (a GID, [MS-OXCDATA] 2.2.1.3): a
//! GID of this store's replica GUID is the MID/FID with that counter
//! (ids the client got from RopGetLocalReplicaIds); any other GID is looked
//! up among the folder's messages (or the collector folder's subfolders) by
//! stored PidTagSourceKey, and a new object gets a MID/FID from the store's
//! allocator while keeping the client's source key.
//!
//! Conflicts (RopSynchronizationImportMessageChange on an existing message),
//! by predecessor change lists ([MS-OXCFXICS] 3.1.5.6):
//! * the client's PCL includes the server's → the client's version wins;
//! * the server's PCL includes the client's (the server has that change or
//!   a newer one) → ecSyncIgnore (0x80040801), no message object;
//! * neither (a real conflict) → ecSyncConflict (0x80040802) when ImportFlag
//!   has FailOnConflict (0x40); otherwise last writer wins: the client's
//!   version is stored with the two PCLs merged (no conflict message is
//!   made, unlike Exchange).
//!
//! Folder imports are last-writer-wins (PCLs merged by the store).
//!
//! The state returned by RopSynchronizationGetTransferState on a collector
//! is the uploaded state plus every imported change (the MIDs/FIDs in
//! MetaTagIdsetGiven, their current CNs in MetaTagCnsetSeen(FAI), the read
//! CNs in MetaTagCnsetRead, deleted ids removed from the given set), so a
//! later download with that state does not echo the client's own changes.

use mapi_wire::fx::{FxWriter, SyncState, meta};
use mapi_wire::ids::{FolderId, Gid, GlobalCounter, MessageId, PredecessorChangeList, Xid};
use mapi_wire::idset::{IdSet, ReplForm, ReplKey, split_id};
use mapi_wire::prop_value::{PropValue, TaggedValue};
use mapi_wire::rop::*;
use mapi_wire::{Decode, ErrorCode, PropTag};

use super::dispatch::Ctx;
use super::folder::{check, folder_of};
use super::logon::mailbox_of;
use super::objects::{MessageObj, Object};
use crate::store::{DeleteFolderFlags, Mailbox, MessageContent, PropBag, REPLID, Rights, StoreError};

/// ImportFlag bits ([MS-OXCFXICS] 2.2.3.2.4.2.1).
const IF_ASSOCIATED: u8 = 0x10;
const IF_FAIL_ON_CONFLICT: u8 = 0x40;
/// ImportDeleteFlags bits ([MS-OXCFXICS] 2.2.3.2.4.5.1).
const ID_HIERARCHY: u8 = 0x01;
const ID_HARD_DELETE: u8 = 0x02;
/// Where a folder keeps a client-made (foreign GID) source key: the store
/// always gives folders its own GID as PidTagSourceKey (a computed
/// property), so the client's key is kept in this private property to find
/// the folder again by it (0x6FF0, in the provider-defined range).
const CLIENT_SOURCE_KEY: PropTag = PropTag(0x6FF0_0102);

/// An ICS upload context on a folder.
pub(crate) struct CollectorObj {
    mailbox: Mailbox,
    folder: FolderId,
    contents: bool,
    state: SyncState,
    upload: Option<(PropTag, Vec<u8>)>,
    /// Counters of imported (created/changed/moved-in) messages or folders.
    imported: Vec<u64>,
    /// Counters whose read state was imported.
    read_imported: Vec<u64>,
    /// Counters deleted by imports.
    deleted: Vec<u64>,
    /// CNs of imported folders.
    folder_cns: Vec<u64>,
}

fn store_err(e: StoreError) -> ErrorCode {
    e.error_code()
}

fn collector_mut<'c>(ctx: &'c mut Ctx<'_>, index: u8) -> Result<&'c mut CollectorObj, ErrorCode> {
    match ctx.object_mut(index)? {
        Object::Collector(c) => Ok(c),
        _ => Err(ErrorCode::NOT_SUPPORTED),
    }
}

/// True if slot `index` names a collector (the state upload ROPs go here
/// instead of to the download context).
pub(crate) fn is_collector(ctx: &Ctx<'_>, index: u8) -> bool {
    matches!(ctx.object(index), Ok(Object::Collector(_)))
}

/// RopSynchronizationOpenCollector ([MS-OXCFXICS] 3.2.5.9.4.1).
pub(crate) fn open_collector(ctx: &mut Ctx<'_>, r: &SynchronizationOpenCollectorRequest) -> Result<(), ErrorCode> {
    let (mailbox, folder) = folder_of(ctx, r.input_handle_index)?;
    let contents = r.is_contents_collector != 0;
    let needed = if contents { Rights::CREATE } else { Rights::CREATE_SUBFOLDER };
    check(ctx, &mailbox, folder, needed)?;
    let obj = CollectorObj {
        mailbox,
        folder,
        contents,
        state: SyncState::default(),
        upload: None,
        imported: Vec::new(),
        read_imported: Vec::new(),
        deleted: Vec::new(),
        folder_cns: Vec::new(),
    };
    ctx.output(r.output_handle_index, Object::Collector(Box::new(obj)));
    Ok(())
}

/// RopSynchronizationUploadStateStreamBegin on a collector.
pub(crate) fn upload_begin(
    ctx: &mut Ctx<'_>,
    r: &SynchronizationUploadStateStreamBeginRequest,
) -> Result<(), ErrorCode> {
    let c = collector_mut(ctx, r.input_handle_index)?;
    let tag = r.state_property;
    let known = [meta::IDSET_GIVEN, meta::IDSET_GIVEN_BINARY, meta::CNSET_SEEN, meta::CNSET_SEEN_FAI, meta::CNSET_READ];
    if !known.contains(&tag) || c.upload.is_some() {
        return Err(ErrorCode::INVALID_PARAMETER);
    }
    c.upload = Some((tag, Vec::new()));
    Ok(())
}

/// RopSynchronizationUploadStateStreamContinue on a collector.
pub(crate) fn upload_continue(
    ctx: &mut Ctx<'_>,
    r: &SynchronizationUploadStateStreamContinueRequest,
) -> Result<(), ErrorCode> {
    let c = collector_mut(ctx, r.input_handle_index)?;
    let Some((_, buf)) = c.upload.as_mut() else { return Err(ErrorCode::INVALID_PARAMETER) };
    if buf.len() + r.stream_data.len() > 16 << 20 {
        return Err(ErrorCode::TOO_BIG);
    }
    buf.extend_from_slice(&r.stream_data);
    Ok(())
}

/// RopSynchronizationUploadStateStreamEnd on a collector: the blob must be
/// an IDSET.
pub(crate) fn upload_end(ctx: &mut Ctx<'_>, index: u8) -> Result<(), ErrorCode> {
    let c = collector_mut(ctx, index)?;
    let Some((tag, buf)) = c.upload.take() else { return Err(ErrorCode::INVALID_PARAMETER) };
    if !buf.is_empty() && IdSet::decode(&buf, ReplForm::ReplGuid).is_err() {
        return Err(ErrorCode::INVALID_PARAMETER);
    }
    let slot = if tag == meta::CNSET_SEEN {
        &mut c.state.cnset_seen
    } else if tag == meta::CNSET_SEEN_FAI {
        &mut c.state.cnset_seen_fai
    } else if tag == meta::CNSET_READ {
        &mut c.state.cnset_read
    } else {
        &mut c.state.idset_given
    };
    *slot = Some(buf);
    Ok(())
}

fn value(values: &[TaggedValue], tag: PropTag) -> Option<&PropValue> {
    values.iter().find(|v| v.tag.id() == tag.id()).map(|v| &v.value)
}

fn binary(values: &[TaggedValue], tag: PropTag) -> Option<&[u8]> {
    match value(values, tag) {
        Some(PropValue::Binary(b)) => Some(b),
        _ => None,
    }
}

fn gid(bytes: &[u8]) -> Result<Gid, ErrorCode> {
    if bytes.len() != Gid::SIZE {
        return Err(ErrorCode::INVALID_PARAMETER);
    }
    Gid::decode_exact(bytes).map_err(|_| ErrorCode::INVALID_PARAMETER)
}

fn pcl(bytes: Option<&[u8]>) -> Result<PredecessorChangeList, ErrorCode> {
    match bytes {
        None | Some([]) => Ok(PredecessorChangeList::new()),
        Some(b) => PredecessorChangeList::decode_exact(b).map_err(|_| ErrorCode::INVALID_PARAMETER),
    }
}

/// The live message of `folder` a source key names, if any. Ok(None) with
/// `mine` true when the GID is this store's but the message is not stored.
fn find_message(mailbox: &Mailbox, folder: FolderId, sk: &[u8]) -> Result<(Option<MessageId>, bool), ErrorCode> {
    let g = gid(sk)?;
    if g.guid == mailbox.info().replica_guid {
        let id = MessageId::from_parts(REPLID, g.counter);
        return match mailbox.message(id) {
            Ok(m) if m.folder == folder => Ok((Some(id), true)),
            Ok(_) => Err(ErrorCode::NOT_FOUND),
            Err(StoreError::ObjectDeleted) => Err(ErrorCode::SYNC_OBJECT_DELETED),
            Err(_) => Ok((None, true)),
        };
    }
    for fai in [false, true] {
        let rows = mailbox.contents(folder, fai).map_err(store_err)?;
        if let Some(m) = rows.iter().find(|m| binary_prop(&m.content.props, PropTag::SOURCE_KEY) == Some(sk)) {
            return Ok((Some(m.id), false));
        }
    }
    Ok((None, false))
}

fn binary_prop(bag: &PropBag, tag: PropTag) -> Option<&[u8]> {
    match bag.get(tag) {
        Some(PropValue::Binary(b)) => Some(b),
        _ => None,
    }
}

/// A subfolder (any depth) of `root` a source key names, or `root` itself.
fn find_folder(mailbox: &Mailbox, root: FolderId, sk: &[u8]) -> Result<(Option<FolderId>, bool), ErrorCode> {
    let g = gid(sk)?;
    if g.guid == mailbox.info().replica_guid {
        let id = FolderId::from_parts(REPLID, g.counter);
        return Ok((mailbox.folder(id, false).is_ok().then_some(id), true));
    }
    let named =
        |p: &PropBag| binary_prop(p, PropTag::SOURCE_KEY) == Some(sk) || binary_prop(p, CLIENT_SOURCE_KEY) == Some(sk);
    if mailbox.folder_props(root).ok().as_ref().is_some_and(named) {
        return Ok((Some(root), false));
    }
    let rows = mailbox.subfolders(root, true).map_err(store_err)?;
    Ok((rows.iter().find(|f| named(&f.props)).map(|f| f.id), false))
}

/// RopSynchronizationImportMessageChange ([MS-OXCFXICS] 3.2.5.9.4.2): a
/// message object for the client's version (see the module docs for
/// conflicts). The client then sets properties and saves it.
pub(crate) fn import_message_change(
    ctx: &mut Ctx<'_>,
    r: &SynchronizationImportMessageChangeRequest,
) -> Result<u64, ErrorCode> {
    let c = collector_mut(ctx, r.input_handle_index)?;
    if !c.contents {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    let (mailbox, folder) = (c.mailbox.clone(), c.folder);
    let fai = r.import_flag & IF_ASSOCIATED != 0;
    let sk = binary(&r.values, PropTag::SOURCE_KEY).ok_or(ErrorCode::INVALID_PARAMETER)?;
    let change_key = binary(&r.values, PropTag::CHANGE_KEY).ok_or(ErrorCode::INVALID_PARAMETER)?;
    let ck = Xid::from_bytes(change_key).map_err(|_| ErrorCode::INVALID_PARAMETER)?;
    let mut client_pcl = pcl(binary(&r.values, PropTag::PREDECESSOR_CHANGE_LIST))?;
    client_pcl.insert(ck);
    let (found, mine) = find_message(&mailbox, folder, sk)?;
    let (id, content, is_new) = match found {
        Some(id) => {
            let stored = mailbox.message(id).map_err(store_err)?;
            if stored.fai != fai {
                return Err(ErrorCode::INVALID_PARAMETER);
            }
            let mut server_pcl = pcl(binary_prop(&stored.content.props, PropTag::PREDECESSOR_CHANGE_LIST))?;
            if let Some(b) = binary_prop(&stored.content.props, PropTag::CHANGE_KEY)
                && let Ok(x) = Xid::from_bytes(b)
            {
                server_pcl.insert(x);
            }
            if !client_pcl.includes(&server_pcl) {
                if server_pcl.includes(&client_pcl) {
                    return Err(ErrorCode::SYNC_IGNORE);
                }
                if r.import_flag & IF_FAIL_ON_CONFLICT != 0 {
                    return Err(ErrorCode::SYNC_CONFLICT);
                }
            }
            (id, stored.content, false)
        }
        None => {
            let fresh = mailbox.allocate_message_id().map_err(store_err)?;
            let id = if mine {
                // Only ids the store handed out (RopGetLocalReplicaIds).
                let g = gid(sk)?;
                if g.counter.value() >= fresh.global_counter().value()
                    || mailbox.folder(FolderId::from_parts(REPLID, g.counter), true).is_ok()
                {
                    return Err(ErrorCode::INVALID_PARAMETER);
                }
                MessageId::from_parts(REPLID, g.counter)
            } else {
                fresh
            };
            (id, MessageContent::default(), true)
        }
    };
    // The client replaces the whole message: start from an empty bag with
    // the header properties (recipients and attachments are re-sent).
    let mut content = if is_new {
        content
    } else {
        MessageContent { props: PropBag::new(), recipients: Vec::new(), attachments: Vec::new() }
    };
    for v in &r.values {
        content.props.set(v.tag, v.value.clone());
    }
    content.props.set(PropTag::PREDECESSOR_CHANGE_LIST, PropValue::Binary(client_pcl_bytes(&client_pcl)?));
    let counter = split_id(id.0).1;
    if let Ok(c) = collector_mut(ctx, r.input_handle_index) {
        c.imported.push(counter);
        c.deleted.retain(|d| *d != counter);
    }
    let obj =
        MessageObj { mailbox, folder, id, fai, is_new, content, read_only: false, embedded_in: None, import: true };
    ctx.output(r.output_handle_index, Object::Message(Box::new(obj)));
    Ok(id.0)
}

fn client_pcl_bytes(p: &PredecessorChangeList) -> Result<Vec<u8>, ErrorCode> {
    use mapi_wire::Encode;
    p.to_bytes().map_err(|_| ErrorCode::INVALID_PARAMETER)
}

/// RopSynchronizationImportHierarchyChange ([MS-OXCFXICS] 3.2.5.9.4.3):
/// creates or changes (renames, moves) a folder by source key.
pub(crate) fn import_hierarchy_change(
    ctx: &mut Ctx<'_>,
    r: &SynchronizationImportHierarchyChangeRequest,
) -> Result<u64, ErrorCode> {
    let c = collector_mut(ctx, r.input_handle_index)?;
    if c.contents {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    let (mailbox, root) = (c.mailbox.clone(), c.folder);
    let hv = &r.hierarchy_values;
    let parent_sk = binary(hv, PropTag::PARENT_SOURCE_KEY).ok_or(ErrorCode::INVALID_PARAMETER)?;
    let sk = binary(hv, PropTag::SOURCE_KEY).ok_or(ErrorCode::INVALID_PARAMETER)?;
    let name = match value(hv, PropTag::DISPLAY_NAME) {
        Some(PropValue::String(s)) if !s.is_empty() => s.clone(),
        Some(PropValue::String8(s)) if !s.is_empty() => String::from_utf8_lossy(s).into_owned(),
        _ => return Err(ErrorCode::INVALID_PARAMETER),
    };
    let parent = if parent_sk.is_empty() {
        root
    } else {
        find_folder(&mailbox, root, parent_sk)?.0.ok_or(ErrorCode::NOT_FOUND)?
    };
    let (found, mine) = find_folder(&mailbox, root, sk)?;
    let id = match found {
        Some(f) => Some(f),
        None if mine => Some(FolderId::from_parts(REPLID, gid(sk)?.counter)),
        None => None,
    };
    if id == Some(root) {
        return Err(ErrorCode::INVALID_PARAMETER);
    }
    let mut props = PropBag::new();
    for v in r.property_values.iter().chain(hv.iter()) {
        if v.tag.id() != PropTag::PARENT_SOURCE_KEY.id() {
            props.set(v.tag, v.value.clone());
        }
    }
    props.set(PropTag::DISPLAY_NAME, PropValue::String(name));
    if !mine {
        props.set(CLIENT_SOURCE_KEY, PropValue::Binary(sk.to_vec()));
    }
    let done = mailbox.import_folder(parent, id, &props).map_err(store_err)?;
    if let Ok(c) = collector_mut(ctx, r.input_handle_index) {
        c.imported.push(split_id(done.id.0).1);
        c.folder_cns.push(split_id(done.change_number.0).1);
    }
    Ok(done.id.0)
}

/// RopSynchronizationImportDeletes ([MS-OXCFXICS] 3.2.5.9.4.5): deletes
/// the messages (or, with the Hierarchy flag, folders) named by the source
/// keys of the one PtypMultipleBinary value; unknown keys are skipped,
/// malformed ones give ecInvalidParameter before anything is deleted.
pub(crate) fn import_deletes(ctx: &mut Ctx<'_>, r: &SynchronizationImportDeletesRequest) -> Result<(), ErrorCode> {
    let c = collector_mut(ctx, r.input_handle_index)?;
    let hierarchy = r.import_delete_flags & ID_HIERARCHY != 0;
    let hard = r.import_delete_flags & ID_HARD_DELETE != 0;
    if hierarchy == c.contents {
        return Err(ErrorCode::INVALID_PARAMETER);
    }
    let (mailbox, folder) = (c.mailbox.clone(), c.folder);
    let [TaggedValue { value: PropValue::MvBinary(keys), .. }] = r.values.as_slice() else {
        return Err(ErrorCode::INVALID_PARAMETER);
    };
    let mut deleted = Vec::new();
    if hierarchy {
        let mut ids = Vec::new();
        for k in keys {
            if let Some(f) = find_folder(&mailbox, folder, k)?.0 {
                if f == folder || mailbox.subfolders(folder, true).map_err(store_err)?.iter().all(|s| s.id != f) {
                    continue;
                }
                ids.push(f);
            }
        }
        for f in ids {
            let flags = DeleteFolderFlags { messages: true, folders: true, hard };
            match mailbox.delete_folder(f, flags) {
                Ok(()) => deleted.push(split_id(f.0).1),
                Err(StoreError::NotFound(_)) => {}
                Err(e) => return Err(store_err(e)),
            }
        }
    } else {
        let mut ids = Vec::new();
        for k in keys {
            match find_message(&mailbox, folder, k) {
                Ok((Some(m), _)) => ids.push(m),
                Ok((None, _)) | Err(ErrorCode::NOT_FOUND | ErrorCode::SYNC_OBJECT_DELETED) => {}
                Err(e) => return Err(e),
            }
        }
        for m in mailbox.delete_messages(folder, &ids, hard).map_err(store_err)? {
            deleted.push(split_id(m.0).1);
        }
    }
    let c = collector_mut(ctx, r.input_handle_index)?;
    c.imported.retain(|i| !deleted.contains(i));
    c.deleted.extend(deleted);
    Ok(())
}

/// RopSynchronizationImportReadStateChanges ([MS-OXCFXICS] 3.2.5.9.4.6):
/// sets or clears the read flag of each message named by source key;
/// messages not in the folder are skipped.
pub(crate) fn import_read_state(
    ctx: &mut Ctx<'_>,
    r: &SynchronizationImportReadStateChangesRequest,
) -> Result<(), ErrorCode> {
    let c = collector_mut(ctx, r.input_handle_index)?;
    if !c.contents {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    let (mailbox, folder) = (c.mailbox.clone(), c.folder);
    let mut targets = Vec::new();
    for s in &r.states {
        match find_message(&mailbox, folder, &s.message_id) {
            Ok((Some(m), _)) => targets.push((m, s.mark_as_read != 0)),
            Ok((None, _)) | Err(ErrorCode::NOT_FOUND | ErrorCode::SYNC_OBJECT_DELETED) => {}
            Err(e) => return Err(e),
        }
    }
    let mut changed = Vec::new();
    for (m, read) in targets {
        match mailbox.set_read_flag(m, read) {
            Ok(true) => changed.push(split_id(m.0).1),
            Ok(false) | Err(StoreError::NotFound(_)) => {}
            Err(e) => return Err(store_err(e)),
        }
    }
    collector_mut(ctx, r.input_handle_index)?.read_imported.extend(changed);
    Ok(())
}

/// RopSynchronizationImportMessageMove ([MS-OXCFXICS] 3.2.5.9.4.4): moves
/// a message (source folder and message by source key) into the
/// collector's folder. Like every move it gets a new MID and a server
/// source key (the client's DestinationMessageId and ChangeNumber are not
/// adopted); the response carries the new MID.
pub(crate) fn import_message_move(
    ctx: &mut Ctx<'_>,
    r: &SynchronizationImportMessageMoveRequest,
) -> Result<u64, ErrorCode> {
    let c = collector_mut(ctx, r.input_handle_index)?;
    if !c.contents {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    let (mailbox, folder) = (c.mailbox.clone(), c.folder);
    gid(&r.destination_message_id)?;
    let src_gid = gid(&r.source_folder_id)?;
    let src = if src_gid.guid == mailbox.info().replica_guid {
        FolderId::from_parts(REPLID, src_gid.counter)
    } else {
        let root = mailbox.special_folder(crate::store::SpecialFolder::Root);
        find_folder(&mailbox, root, &r.source_folder_id)?.0.ok_or(ErrorCode::NOT_FOUND)?
    };
    mailbox.folder(src, false).map_err(store_err)?;
    check(ctx, &mailbox, src, Rights::DELETE_ANY)?;
    let m = find_message(&mailbox, src, &r.source_message_id)?.0.ok_or(ErrorCode::NOT_FOUND)?;
    let moved = mailbox.move_messages(src, folder, &[m]).map_err(store_err)?;
    let id = moved.first().copied().ok_or(ErrorCode::NOT_FOUND)?;
    collector_mut(ctx, r.input_handle_index)?.imported.push(split_id(id.0).1);
    Ok(id.0)
}

fn idset(bytes: &Option<Vec<u8>>) -> IdSet {
    bytes.as_deref().and_then(|b| IdSet::decode(b, ReplForm::ReplGuid).ok()).unwrap_or_default()
}

fn blob(set: &IdSet) -> Result<Vec<u8>, ErrorCode> {
    set.to_bytes().map_err(|_| ErrorCode::GENERAL_FAILURE)
}

/// RopSynchronizationGetTransferState on a collector: a FastTransfer
/// download of the uploaded state plus the imported changes.
pub(crate) fn transfer_state(ctx: &mut Ctx<'_>, r: &SynchronizationGetTransferStateRequest) -> Result<(), ErrorCode> {
    let c = collector_mut(ctx, r.input_handle_index)?;
    let key = ReplKey::ReplGuid(c.mailbox.info().replica_guid);
    let mut given = idset(&c.state.idset_given);
    let mut seen = idset(&c.state.cnset_seen);
    let mut seen_fai = idset(&c.state.cnset_seen_fai);
    let mut read = idset(&c.state.cnset_read);
    for d in &c.deleted {
        given.remove(key, *d);
    }
    let state = if c.contents {
        let changes = c.mailbox.message_changes(c.folder).map_err(store_err)?;
        let fai_ids: Vec<u64> =
            c.mailbox.contents(c.folder, true).map_err(store_err)?.iter().map(|m| split_id(m.id.0).1).collect();
        for ch in &changes {
            // Only imports the client saved (an unsaved import is no id
            // the client has).
            if c.imported.contains(&ch.counter) {
                given.insert(key, ch.counter);
                if fai_ids.contains(&ch.counter) {
                    seen_fai.insert(key, ch.change_number);
                } else {
                    seen.insert(key, ch.change_number);
                }
            }
            if c.read_imported.contains(&ch.counter) && ch.read_change_number != 0 {
                read.insert(key, ch.read_change_number);
            }
        }
        SyncState {
            idset_given: Some(blob(&given)?),
            cnset_seen: Some(blob(&seen)?),
            cnset_seen_fai: Some(blob(&seen_fai)?),
            cnset_read: Some(blob(&read)?),
            other: Default::default(),
        }
    } else {
        for i in &c.imported {
            given.insert(key, *i);
        }
        for cn in &c.folder_cns {
            seen.insert(key, *cn);
        }
        SyncState {
            idset_given: Some(blob(&given)?),
            cnset_seen: Some(blob(&seen)?),
            cnset_seen_fai: None,
            cnset_read: None,
            other: Default::default(),
        }
    };
    let mut w = FxWriter::new();
    state.write(&mut w).map_err(|_| ErrorCode::GENERAL_FAILURE)?;
    let obj = super::ics::stream_download(c.mailbox.clone(), c.folder, !c.contents, w.into_bytes());
    ctx.output(r.output_handle_index, Object::Sync(Box::new(obj)));
    Ok(())
}

/// RopGetLocalReplicaIds ([MS-OXCFXICS] 3.2.5.9.4.7, [MS-OXCROPS]
/// 2.2.13.13): reserves IdCount global counters of the logon's store.
pub(crate) fn local_replica_ids(
    ctx: &mut Ctx<'_>,
    r: &GetLocalReplicaIdsRequest,
) -> Result<LocalReplicaIds, ErrorCode> {
    let object = ctx.object(r.input_handle_index)?;
    let Object::Logon(_) = object else { return Err(ErrorCode::NOT_SUPPORTED) };
    let mailbox = mailbox_of(object, ctx).ok_or(ErrorCode::NULL_OBJECT)?;
    if r.id_count == 0 {
        return Err(ErrorCode::INVALID_PARAMETER);
    }
    let first: GlobalCounter = mailbox.reserve_ids(r.id_count).map_err(store_err)?;
    Ok(LocalReplicaIds { repl_guid: mailbox.info().replica_guid, global_count: first })
}
