//! ICS downloads through `StoreBackend`: initial, state round trip,
//! incremental (new mail, read-state change, deletion), hierarchy.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder};
use mapi_wire::fx::{ContentsSync, HierarchySync, SyncState, meta};
use mapi_wire::ids::FolderId;
use mapi_wire::idset::{IdSet, ReplForm};
use mapi_wire::prop_value::PropValue;
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};
use rops_common::*;

const NONE: u32 = u32::MAX;

fn configure(kind: SynchronizationType, flags: u16) -> RopRequest {
    RopRequest::SynchronizationConfigure(SynchronizationConfigureRequest {
        logon_id: 0,
        input_handle_index: 1,
        output_handle_index: 2,
        synchronization_type: kind,
        send_options: 0,
        synchronization_flags: flags,
        restriction: None,
        synchronization_extra_flags: 0x7,
        property_tags: vec![],
    })
}

/// OpenFolder, SynchronizationConfigure, the state uploads, GetBuffer
/// until Done; returns the concatenated stream.
fn download(h: &mut Harness, folder: FolderId, kind: SynchronizationType, flags: u16, state: &SyncState) -> Vec<u8> {
    download_with_handles(h, folder, kind, flags, state).0
}

fn download_with_handles(
    h: &mut Harness,
    folder: FolderId,
    kind: SynchronizationType,
    flags: u16,
    state: &SyncState,
) -> (Vec<u8>, Vec<u32>) {
    let mut rops = vec![
        RopRequest::OpenFolder(OpenFolderRequest {
            logon_id: 0,
            input_handle_index: 0,
            output_handle_index: 1,
            folder_id: folder,
            open_mode_flags: FolderOpenModeFlags::NONE,
        }),
        configure(kind, flags),
    ];
    for (tag, blob) in state.upload_list() {
        rops.push(RopRequest::SynchronizationUploadStateStreamBegin(SynchronizationUploadStateStreamBeginRequest {
            logon_id: 0,
            input_handle_index: 2,
            state_property: tag,
            transfer_buffer_size: blob.len() as u32,
        }));
        rops.push(RopRequest::SynchronizationUploadStateStreamContinue(
            SynchronizationUploadStateStreamContinueRequest {
                logon_id: 0,
                input_handle_index: 2,
                stream_data: blob.to_vec(),
            },
        ));
        rops.push(RopRequest::SynchronizationUploadStateStreamEnd(SynchronizationUploadStateStreamEndRequest {
            logon_id: 0,
            input_handle_index: 2,
        }));
    }
    let r = h.run(rops, vec![0, NONE, NONE]);
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
    let handles = r.handles.clone();
    let mut stream = Vec::new();
    for _ in 0..1000 {
        let r = h.run(
            vec![RopRequest::FastTransferSourceGetBuffer(FastTransferSourceGetBufferRequest {
                logon_id: 0,
                input_handle_index: 2,
                buffer_size: 0x800,
                maximum_buffer_size: None,
            })],
            handles.clone(),
        );
        let RopResponse::FastTransferSourceGetBuffer(g) = &r.rops[0] else { panic!() };
        assert_eq!(g.return_value, ErrorCode::SUCCESS);
        assert!(g.transfer_buffer.len() <= 0x800);
        stream.extend_from_slice(&g.transfer_buffer);
        if g.transfer_status == TransferStatus::DONE {
            return (stream, handles);
        }
        assert_eq!(g.transfer_status, TransferStatus::PARTIAL);
    }
    panic!("no TransferStatus Done");
}

const CONTENTS_FLAGS: u16 = 0x0001 | 0x0008 | 0x0010 | 0x0020 | 0x0100;

#[test]
fn contents_initial_then_incremental_with_new_mail_read_change_and_deletion() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let alice = store.mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    let first = ContentsSync::parse(&download(
        &mut h,
        inbox,
        SynchronizationType::CONTENTS,
        CONTENTS_FLAGS,
        &SyncState::default(),
    ))
    .unwrap();
    assert_eq!(first.message_changes.len(), 5);
    let m0 = &first.message_changes[0];
    // Header order of capture 046 (B18).
    let header: Vec<PropTag> = m0.header.iter().map(|p| p.tag).collect();
    assert_eq!(
        header,
        vec![
            PropTag::SOURCE_KEY,
            PropTag::LAST_MODIFICATION_TIME,
            PropTag::CHANGE_KEY,
            PropTag::PREDECESSOR_CHANGE_LIST,
            PropTag::ASSOCIATED,
            PropTag::MID,
            PropTag::MESSAGE_SIZE,
            PropTag::CHANGE_NUMBER
        ]
    );
    assert_eq!(m0.content.recipients.len(), 1);
    let given = IdSet::decode(first.state.idset_given.as_deref().unwrap(), ReplForm::ReplGuid).unwrap();
    assert_eq!(given.entries.iter().map(|(_, g)| g.len()).sum::<u64>(), 5);
    assert_eq!(given.entries[0].0, mapi_wire::idset::ReplKey::ReplGuid(alice.info().replica_guid));
    // The same state again: nothing new.
    let again =
        ContentsSync::parse(&download(&mut h, inbox, SynchronizationType::CONTENTS, CONTENTS_FLAGS, &first.state))
            .unwrap();
    assert!(again.message_changes.is_empty() && again.deletions.is_none() && again.read_state_changes.is_none());
    // One new mail, one read-state change, one hard delete.
    let msgs = alice.contents(inbox, false).unwrap();
    alice.set_read_flag(msgs[0].id, true).unwrap();
    alice.delete_messages(inbox, &[msgs[1].id], true).unwrap();
    let mut props = PropBag::new();
    props.set(PropTag::SUBJECT, PropValue::String("ICS test mail (incremental)".into()));
    let new = alice
        .save_message(
            inbox,
            None,
            false,
            &MessageContent { props, recipients: vec![], attachments: vec![] },
            SaveMode::Normal,
        )
        .unwrap();
    let (bytes, handles) =
        download_with_handles(&mut h, inbox, SynchronizationType::CONTENTS, CONTENTS_FLAGS, &first.state);
    let inc = ContentsSync::parse(&bytes).unwrap();
    assert_eq!(inc.message_changes.len(), 1);
    assert_eq!(inc.message_changes[0].mid(), Some(new.id.0));
    let deleted = inc.deletions.as_ref().unwrap().deleted().unwrap().unwrap();
    assert_eq!(deleted.ids().collect::<Vec<_>>(), vec![msgs[1].id.0]);
    let read = inc.read_state_changes.as_ref().unwrap().read().unwrap().unwrap();
    assert_eq!(read.ids().collect::<Vec<_>>(), vec![msgs[0].id.0]);
    // GetTransferState: the state block alone (047), equal to the new state.
    let mut handles = handles;
    handles.push(NONE);
    let r = h.run(
        vec![
            RopRequest::SynchronizationGetTransferState(SynchronizationGetTransferStateRequest {
                logon_id: 0,
                input_handle_index: 2,
                output_handle_index: 3,
            }),
            RopRequest::FastTransferSourceGetBuffer(FastTransferSourceGetBufferRequest {
                logon_id: 0,
                input_handle_index: 3,
                buffer_size: 0xBABE,
                maximum_buffer_size: Some(0x7F00),
            }),
        ],
        handles,
    );
    assert_eq!(return_values(&r), vec![(0x82, 0), (0x4E, 0)]);
    let RopResponse::FastTransferSourceGetBuffer(g) = &r.rops[1] else { panic!() };
    assert_eq!(g.transfer_status, TransferStatus::DONE);
    assert_eq!(SyncState::parse(&g.transfer_buffer).unwrap(), inc.state);
    // A slot without a sync context: ecNullObject, the body still follows.
    let r = h.run(
        vec![RopRequest::FastTransferSourceGetBuffer(FastTransferSourceGetBufferRequest {
            logon_id: 0,
            input_handle_index: 1,
            buffer_size: 0x800,
            maximum_buffer_size: None,
        })],
        vec![0, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x4E, 0x4B9)]);
    let _ = meta::IDSET_GIVEN;
}

#[test]
fn hierarchy_download_lists_ipm_subtree_folders_with_keys_last() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let alice = store.mailbox(ALICE).unwrap();
    let ipm = alice.special_folder(SpecialFolder::IpmSubtree);
    let all = alice.subfolders(ipm, true).unwrap().len();
    let sync =
        HierarchySync::parse(&download(&mut h, ipm, SynchronizationType::HIERARCHY, 0x0001, &SyncState::default()))
            .unwrap();
    assert_eq!(sync.folder_changes.len(), all);
    for f in &sync.folder_changes {
        let tags: Vec<PropTag> = f.props.iter().map(|p| p.tag).collect();
        let n = tags.len();
        assert_eq!(&tags[n - 2..], &[PropTag::SOURCE_KEY, PropTag::PARENT_SOURCE_KEY]);
        assert!(tags.contains(&PropTag::FOLDER_ID) && tags.contains(&PropTag::DISPLAY_NAME));
    }
    let inbox = sync.folder_changes.iter().find(|f| f.display_name() == Some("Inbox")).unwrap();
    assert_eq!(inbox.parent_source_key(), Some(&[][..]));
    let again =
        HierarchySync::parse(&download(&mut h, ipm, SynchronizationType::HIERARCHY, 0x0001, &sync.state)).unwrap();
    assert!(again.folder_changes.is_empty());
}

/// The state a download hands out claims exactly what it sent
/// ([MS-OXCFXICS] 3.2.5.2.2): mail another session delivers while
/// incremental downloads are being built is in one of them, never skipped.
#[test]
fn contents_downloads_racing_with_deliveries_miss_no_message() {
    use std::collections::BTreeSet;
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let alice = store.mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    let deliveries = 300;
    let writer = {
        let alice = alice.clone();
        std::thread::spawn(move || {
            for i in 0..deliveries {
                let mut props = PropBag::new();
                props.set(PropTag::SUBJECT, PropValue::String(format!("racing delivery {i}")));
                let content = MessageContent { props, recipients: vec![], attachments: vec![] };
                alice.save_message(inbox, None, false, &content, SaveMode::Normal).unwrap();
                if i % 3 == 0 {
                    std::thread::yield_now();
                }
            }
        })
    };
    let mut state = SyncState::default();
    let mut received = BTreeSet::new();
    let mut sync = |h: &mut Harness, state: &mut SyncState| {
        let s = ContentsSync::parse(&download(h, inbox, SynchronizationType::CONTENTS, CONTENTS_FLAGS, state)).unwrap();
        received.extend(s.message_changes.iter().filter_map(|m| m.mid()));
        *state = s.state;
    };
    while !writer.is_finished() {
        sync(&mut h, &mut state);
    }
    writer.join().unwrap();
    sync(&mut h, &mut state);
    let present: BTreeSet<u64> = alice.contents(inbox, false).unwrap().iter().map(|m| m.id.0).collect();
    assert_eq!(present.len(), 5 + deliveries);
    let missed: Vec<_> = present.difference(&received).collect();
    assert!(missed.is_empty(), "{} messages never downloaded: {missed:x?}", missed.len());
}

/// A moved message is a new object in its new folder, as on Exchange
/// ([MS-OXCFOLD] 3.2.5.6, [MS-OXCFXICS] 3.2.5.9.2): a new MID and
/// PidTagSourceKey (the search key stays); ICS of the old folder reports
/// the old MID deleted, ICS of the new folder a new message.
#[test]
fn a_moved_message_gets_a_new_mid_and_source_key() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let alice = store.mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    let drafts = alice.special_folder(SpecialFolder::Drafts);
    let sync = |h: &mut Harness, folder, state: &SyncState| {
        ContentsSync::parse(&download(h, folder, SynchronizationType::CONTENTS, CONTENTS_FLAGS, state)).unwrap()
    };
    let inbox_state = sync(&mut h, inbox, &SyncState::default()).state;
    let drafts_state = sync(&mut h, drafts, &SyncState::default()).state;
    let old = alice.contents(inbox, false).unwrap()[0].clone();
    let search_key = PropValue::Binary(b"search key of the moved mail".to_vec());
    let mut content = old.content.clone();
    content.props.set(PropTag::SEARCH_KEY, search_key.clone());
    alice.save_message(inbox, Some(old.id), false, &content, SaveMode::Normal).unwrap();
    let old = alice.message(old.id).unwrap();

    let moved = alice.move_messages(inbox, drafts, &[old.id]).unwrap();
    assert_eq!(moved.len(), 1);
    assert_ne!(moved[0], old.id);
    assert!(alice.message(old.id).is_err(), "the old MID is gone");
    let new = alice.message(moved[0]).unwrap();
    assert_eq!(new.folder, drafts);
    assert_eq!(new.content.props.get(PropTag::SEARCH_KEY), Some(&search_key));
    assert_ne!(new.content.props.get(PropTag::SOURCE_KEY), old.content.props.get(PropTag::SOURCE_KEY));
    assert_eq!(new.content.props.get(PropTag::SUBJECT), old.content.props.get(PropTag::SUBJECT));

    let from = sync(&mut h, inbox, &inbox_state);
    let deleted = from.deletions.as_ref().unwrap().deleted().unwrap().unwrap();
    assert_eq!(deleted.ids().collect::<Vec<_>>(), vec![old.id.0]);
    let to = sync(&mut h, drafts, &drafts_state);
    assert_eq!(to.message_changes.iter().filter_map(|m| m.mid()).collect::<Vec<_>>(), vec![moved[0].0]);
    let header_key = to.message_changes[0].header.iter().find(|p| p.tag == PropTag::SOURCE_KEY).unwrap();
    assert_eq!(Some(&header_key.value), new.content.props.get(PropTag::SOURCE_KEY));
}
