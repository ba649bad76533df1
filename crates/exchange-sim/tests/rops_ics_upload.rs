//! ICS upload through `StoreBackend` ([MS-OXCFXICS] 3.2.5.9.4): collector,
//! message/hierarchy/delete/read-state imports, conflicts, the collector's
//! state, hostile inputs.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::store::{Mailbox, SpecialFolder};
use mapi_wire::fx::{ContentsSync, SyncState};
use mapi_wire::ids::{FolderId, Gid, GlobalCounter, PredecessorChangeList, Xid};
use mapi_wire::prop_value::{FileTime, PropValue, TaggedValue};
use mapi_wire::rop::*;
use mapi_wire::{Encode, ErrorCode, Guid, PropTag};
use rops_common::*;

const NONE: u32 = u32::MAX;
const CONTENTS_FLAGS: u16 = 0x0001 | 0x0008 | 0x0010 | 0x0020 | 0x0100;
/// The client's own change-key namespace.
const CLIENT_GUID: Guid = Guid([0x5A; 16]);

fn open_folder(folder: FolderId, out: u8) -> RopRequest {
    RopRequest::OpenFolder(OpenFolderRequest {
        logon_id: 0,
        input_handle_index: 0,
        output_handle_index: out,
        folder_id: folder,
        open_mode_flags: FolderOpenModeFlags::NONE,
    })
}

fn open_collector(input: u8, out: u8, contents: bool) -> RopRequest {
    RopRequest::SynchronizationOpenCollector(SynchronizationOpenCollectorRequest {
        logon_id: 0,
        input_handle_index: input,
        output_handle_index: out,
        is_contents_collector: u8::from(contents),
    })
}

fn upload_state(index: u8, state: &SyncState) -> Vec<RopRequest> {
    let mut rops = Vec::new();
    for (tag, blob) in state.upload_list() {
        rops.push(RopRequest::SynchronizationUploadStateStreamBegin(SynchronizationUploadStateStreamBeginRequest {
            logon_id: 0,
            input_handle_index: index,
            state_property: tag,
            transfer_buffer_size: blob.len() as u32,
        }));
        rops.push(RopRequest::SynchronizationUploadStateStreamContinue(
            SynchronizationUploadStateStreamContinueRequest {
                logon_id: 0,
                input_handle_index: index,
                stream_data: blob.to_vec(),
            },
        ));
        rops.push(RopRequest::SynchronizationUploadStateStreamEnd(SynchronizationUploadStateStreamEndRequest {
            logon_id: 0,
            input_handle_index: index,
        }));
    }
    rops
}

fn get_buffer(index: u8) -> RopRequest {
    RopRequest::FastTransferSourceGetBuffer(FastTransferSourceGetBufferRequest {
        logon_id: 0,
        input_handle_index: index,
        buffer_size: 0xBABE,
        maximum_buffer_size: Some(0x7F00),
    })
}

/// A contents download of `folder` from `state` (one Execute for setup,
/// GetBuffer until Done).
fn download(h: &mut Harness, folder: FolderId, state: &SyncState) -> ContentsSync {
    let logon = h.logon();
    let mut rops = vec![
        open_folder(folder, 1),
        RopRequest::SynchronizationConfigure(SynchronizationConfigureRequest {
            logon_id: 0,
            input_handle_index: 1,
            output_handle_index: 2,
            synchronization_type: SynchronizationType::CONTENTS,
            send_options: 0,
            synchronization_flags: CONTENTS_FLAGS,
            restriction: None,
            synchronization_extra_flags: 0x7,
            property_tags: vec![],
        }),
    ];
    rops.extend(upload_state(2, state));
    let r = h.run(rops, vec![logon, NONE, NONE]);
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
    let handles = r.handles.clone();
    let mut stream = Vec::new();
    for _ in 0..1000 {
        let r = h.run(vec![get_buffer(2)], handles.clone());
        let RopResponse::FastTransferSourceGetBuffer(g) = &r.rops[0] else { panic!() };
        assert_eq!(g.return_value, ErrorCode::SUCCESS);
        stream.extend_from_slice(&g.transfer_buffer);
        if g.transfer_status == TransferStatus::DONE {
            return ContentsSync::parse(&stream).unwrap();
        }
    }
    panic!("no Done");
}

fn gid_bytes(guid: Guid, counter: u64) -> Vec<u8> {
    Gid { guid, counter: GlobalCounter::from_value(counter) }.to_bytes().unwrap()
}

fn xid_bytes(guid: Guid, counter: u64) -> Vec<u8> {
    Xid::from_counter(guid, GlobalCounter::from_value(counter)).to_bytes().unwrap()
}

fn pcl_bytes(xids: &[Vec<u8>]) -> Vec<u8> {
    let mut p = PredecessorChangeList::new();
    for x in xids {
        p.insert(Xid::from_bytes(x).unwrap());
    }
    p.to_bytes().unwrap()
}

fn header(sk: Vec<u8>, ck: Vec<u8>, pcl: Vec<u8>) -> Vec<TaggedValue> {
    vec![
        TaggedValue::new(PropTag::SOURCE_KEY.id(), PropValue::Binary(sk)),
        TaggedValue::new(PropTag::LAST_MODIFICATION_TIME.id(), PropValue::Time(FileTime(0x01DB_0000_0000_0000))),
        TaggedValue::new(PropTag::CHANGE_KEY.id(), PropValue::Binary(ck)),
        TaggedValue::new(PropTag::PREDECESSOR_CHANGE_LIST.id(), PropValue::Binary(pcl)),
    ]
}

fn import_change(collector: u8, out: u8, flag: u8, values: Vec<TaggedValue>) -> RopRequest {
    RopRequest::SynchronizationImportMessageChange(SynchronizationImportMessageChangeRequest {
        logon_id: 0,
        input_handle_index: collector,
        output_handle_index: out,
        import_flag: flag,
        values,
    })
}

fn set_subject(index: u8, subject: &str) -> RopRequest {
    RopRequest::SetProperties(SetPropertiesRequest {
        logon_id: 0,
        input_handle_index: index,
        values: vec![
            TaggedValue::new(PropTag::SUBJECT.id(), PropValue::String(subject.into())),
            TaggedValue::new(PropTag::MESSAGE_CLASS.id(), PropValue::String("IPM.Note".into())),
        ],
    })
}

fn save(index: u8) -> RopRequest {
    RopRequest::SaveChangesMessage(SaveChangesMessageRequest {
        logon_id: 0,
        response_handle_index: index,
        input_handle_index: index,
        save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
    })
}

fn transfer_state(collector: u8, out: u8) -> Vec<RopRequest> {
    vec![
        RopRequest::SynchronizationGetTransferState(SynchronizationGetTransferStateRequest {
            logon_id: 0,
            input_handle_index: collector,
            output_handle_index: out,
        }),
        get_buffer(out),
    ]
}

fn state_of(r: &RopResponseBuffer) -> SyncState {
    let Some(RopResponse::FastTransferSourceGetBuffer(g)) = r.rops.last() else { panic!("{:?}", r.rops) };
    assert_eq!(g.transfer_status, TransferStatus::DONE);
    SyncState::parse(&g.transfer_buffer).unwrap()
}

fn subjects(m: &Mailbox, folder: FolderId) -> Vec<String> {
    m.contents(folder, false).unwrap().iter().filter_map(|r| r.content.props.string(PropTag::SUBJECT)).collect()
}

#[test]
fn imported_new_message_is_seen_by_another_session_and_not_echoed_to_the_importer() {
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    let mut a = Harness::new(&store, ALICE);
    let mut b = Harness::new(&store, ALICE);
    let s0 = download(&mut a, inbox, &SyncState::default()).state;
    // RopGetLocalReplicaIds hands out a counter range of the store.
    let logon = a.logon();
    let r = a.run(
        vec![RopRequest::GetLocalReplicaIds(GetLocalReplicaIdsRequest {
            logon_id: 0,
            input_handle_index: 0,
            id_count: 4,
        })],
        vec![logon],
    );
    let RopResponse::GetLocalReplicaIds(ids) = &r.rops[0] else { panic!() };
    let ids = ids.success.unwrap();
    assert_eq!(ids.repl_guid, alice.info().replica_guid);
    let counter = ids.global_count.value();
    let sk = gid_bytes(ids.repl_guid, counter);
    let ck = xid_bytes(CLIENT_GUID, 7);
    let mut rops = vec![open_folder(inbox, 1), open_collector(1, 2, true)];
    rops.extend(upload_state(2, &s0));
    rops.extend([
        import_change(2, 3, 0, header(sk.clone(), ck.clone(), pcl_bytes(std::slice::from_ref(&ck)))),
        set_subject(3, "imported by ICS"),
        save(3),
    ]);
    rops.extend(transfer_state(2, 4));
    let r = a.run(rops, vec![logon, NONE, NONE, NONE, NONE]);
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
    let mid = r
        .rops
        .iter()
        .find_map(|x| match x {
            RopResponse::SynchronizationImportMessageChange(m) => m.message_id,
            _ => None,
        })
        .unwrap();
    assert_eq!(mapi_wire::idset::split_id(mid).1, counter);
    let s1 = state_of(&r);
    // The store kept the client's change key and source key.
    let stored = alice.message(mapi_wire::ids::MessageId(mid)).unwrap();
    assert_eq!(stored.content.props.get(PropTag::CHANGE_KEY), Some(&PropValue::Binary(ck.clone())));
    assert_eq!(stored.content.props.get(PropTag::SOURCE_KEY), Some(&PropValue::Binary(sk.clone())));
    // Another session downloading from the old state sees it.
    let inc = download(&mut b, inbox, &s0);
    assert_eq!(inc.message_changes.len(), 1);
    assert_eq!(inc.message_changes[0].mid(), Some(mid));
    // The importer's returned state already covers its own change.
    let own = download(&mut a, inbox, &s1);
    assert!(own.message_changes.is_empty(), "{:?}", own.message_changes.len());
    assert!(own.deletions.is_none());
}

#[test]
fn foreign_source_key_creates_then_updates_the_same_message() {
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    let drafts = alice.special_folder(SpecialFolder::Drafts);
    let mut a = Harness::new(&store, ALICE);
    let logon = a.logon();
    let sk = gid_bytes(CLIENT_GUID, 0x42);
    let ck1 = xid_bytes(CLIENT_GUID, 1);
    let r = a.run(
        vec![
            open_folder(drafts, 1),
            open_collector(1, 2, true),
            import_change(2, 3, 0, header(sk.clone(), ck1.clone(), pcl_bytes(std::slice::from_ref(&ck1)))),
            set_subject(3, "v1"),
            save(3),
        ],
        vec![logon, NONE, NONE, NONE],
    );
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
    let before = alice.contents(drafts, false).unwrap().len();
    // Version 2 supersedes version 1 (the client's PCL includes the stored one).
    let ck2 = xid_bytes(CLIENT_GUID, 2);
    let r = a.run(
        vec![
            open_folder(drafts, 1),
            open_collector(1, 2, true),
            import_change(2, 3, 0x40, header(sk.clone(), ck2.clone(), pcl_bytes(&[ck1.clone(), ck2]))),
            set_subject(3, "v2"),
            save(3),
        ],
        vec![logon, NONE, NONE, NONE],
    );
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
    assert_eq!(alice.contents(drafts, false).unwrap().len(), before);
    let subj = subjects(&alice, drafts);
    assert!(subj.contains(&"v2".to_string()) && !subj.contains(&"v1".to_string()), "{subj:?}");
    // Re-sending version 1: the server already has it → ecSyncIgnore.
    let r = a.run(
        vec![
            open_folder(drafts, 1),
            open_collector(1, 2, true),
            import_change(2, 3, 0, header(sk, ck1.clone(), pcl_bytes(&[ck1]))),
        ],
        vec![logon, NONE, NONE, NONE],
    );
    assert_eq!(return_values(&r)[2].1, ErrorCode::SYNC_IGNORE.0);
    assert_eq!(r.handles[3], NONE);
}

#[test]
fn conflicting_import_fails_with_fail_on_conflict_else_last_writer_wins() {
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    let msg = alice.contents(inbox, false).unwrap().remove(0);
    let sk = alice.source_key(mapi_wire::idset::split_id(msg.id.0).1);
    // The client never saw the server's version (its PCL lacks it).
    let ck = xid_bytes(CLIENT_GUID, 9);
    let values = header(sk.clone(), ck.clone(), pcl_bytes(std::slice::from_ref(&ck)));
    let mut a = Harness::new(&store, ALICE);
    let logon = a.logon();
    let r = a.run(
        vec![open_folder(inbox, 1), open_collector(1, 2, true), import_change(2, 3, 0x40, values.clone())],
        vec![logon, NONE, NONE, NONE],
    );
    assert_eq!(return_values(&r)[2], (0x72, ErrorCode::SYNC_CONFLICT.0));
    assert!(subjects(&alice, inbox).iter().all(|s| s != "client wins"));
    // Without FailOnConflict: last writer wins, PCLs merged.
    let server_ck = msg.content.props.get(PropTag::CHANGE_KEY).cloned().unwrap();
    let r = a.run(
        vec![
            open_folder(inbox, 1),
            open_collector(1, 2, true),
            import_change(2, 3, 0, values),
            set_subject(3, "client wins"),
            save(3),
        ],
        vec![logon, NONE, NONE, NONE],
    );
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
    let after = alice.message(msg.id).unwrap();
    assert_eq!(after.content.props.string(PropTag::SUBJECT).as_deref(), Some("client wins"));
    let Some(PropValue::Binary(p)) = after.content.props.get(PropTag::PREDECESSOR_CHANGE_LIST) else { panic!() };
    let pcl = <PredecessorChangeList as mapi_wire::Decode>::decode_exact(p).unwrap();
    let PropValue::Binary(server_ck) = server_ck else { panic!() };
    let sx = Xid::from_bytes(&server_ck).unwrap();
    assert!(pcl.find(&sx.guid).is_some(), "server change kept in the PCL");
    assert!(pcl.find(&CLIENT_GUID).is_some());
}

#[test]
fn imported_read_state_and_deletes_change_the_store_and_show_in_downloads() {
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    let mut a = Harness::new(&store, ALICE);
    let mut b = Harness::new(&store, ALICE);
    let s0 = download(&mut b, inbox, &SyncState::default()).state;
    let msgs = alice.contents(inbox, false).unwrap();
    let key = |i: usize| alice.source_key(mapi_wire::idset::split_id(msgs[i].id.0).1);
    let read_before = |i: usize| {
        alice
            .message_changes(inbox)
            .unwrap()
            .iter()
            .find(|c| c.counter == mapi_wire::idset::split_id(msgs[i].id.0).1)
            .map(|c| c.read)
    };
    assert_eq!(read_before(0), Some(false));
    let logon = a.logon();
    let mut rops = vec![open_folder(inbox, 1), open_collector(1, 2, true)];
    rops.extend(upload_state(2, &s0));
    rops.extend([
        RopRequest::SynchronizationImportReadStateChanges(SynchronizationImportReadStateChangesRequest {
            logon_id: 0,
            input_handle_index: 2,
            states: vec![
                MessageReadState { message_id: key(0), mark_as_read: 1 },
                // Unknown source keys are skipped.
                MessageReadState { message_id: gid_bytes(CLIENT_GUID, 5), mark_as_read: 1 },
            ],
        }),
        RopRequest::SynchronizationImportDeletes(SynchronizationImportDeletesRequest {
            logon_id: 0,
            input_handle_index: 2,
            import_delete_flags: 0x02,
            values: vec![TaggedValue::new(0x0E0A, PropValue::MvBinary(vec![key(1), gid_bytes(CLIENT_GUID, 6)]))],
        }),
        RopRequest::SynchronizationGetTransferState(SynchronizationGetTransferStateRequest {
            logon_id: 0,
            input_handle_index: 2,
            output_handle_index: 3,
        }),
        get_buffer(3),
    ]);
    let r = a.run(rops, vec![logon, NONE, NONE, NONE]);
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
    let rvs = return_values(&r);
    assert!(rvs.contains(&(0x80, 0)) && rvs.contains(&(0x74, 0)), "{rvs:?}");
    let own = state_of(&r);
    assert_eq!(read_before(0), Some(true));
    assert!(alice.contents(inbox, false).unwrap().iter().all(|m| m.id != msgs[1].id));
    let inc = download(&mut b, inbox, &s0);
    let deleted = inc.deletions.as_ref().unwrap().deleted().unwrap().unwrap();
    assert_eq!(deleted.ids().collect::<Vec<_>>(), vec![msgs[1].id.0]);
    let read = inc.read_state_changes.as_ref().unwrap().read().unwrap().unwrap();
    assert_eq!(read.ids().collect::<Vec<_>>(), vec![msgs[0].id.0]);
    // The importer's state (uploaded s0 + its imports) echoes neither back.
    let echo = download(&mut a, inbox, &own);
    assert!(echo.message_changes.is_empty() && echo.deletions.is_none() && echo.read_state_changes.is_none());
}

#[test]
fn hierarchy_import_creates_then_renames_a_folder() {
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    let mut a = Harness::new(&store, ALICE);
    let logon = a.logon();
    let sk = gid_bytes(CLIENT_GUID, 0x77);
    let change = |name: &str, n: u64| {
        let ck = xid_bytes(CLIENT_GUID, n);
        RopRequest::SynchronizationImportHierarchyChange(SynchronizationImportHierarchyChangeRequest {
            logon_id: 0,
            input_handle_index: 2,
            hierarchy_values: vec![
                TaggedValue::new(PropTag::PARENT_SOURCE_KEY.id(), PropValue::Binary(vec![])),
                TaggedValue::new(PropTag::SOURCE_KEY.id(), PropValue::Binary(sk.clone())),
                TaggedValue::new(
                    PropTag::LAST_MODIFICATION_TIME.id(),
                    PropValue::Time(FileTime(0x01DB_0000_0000_0000)),
                ),
                TaggedValue::new(PropTag::CHANGE_KEY.id(), PropValue::Binary(ck.clone())),
                TaggedValue::new(PropTag::PREDECESSOR_CHANGE_LIST.id(), PropValue::Binary(pcl_bytes(&[ck]))),
                TaggedValue::new(PropTag::DISPLAY_NAME.id(), PropValue::String(name.into())),
            ],
            property_values: vec![TaggedValue::new(0x3613, PropValue::String("IPF.Note".into()))],
        })
    };
    let r =
        a.run(vec![open_folder(inbox, 1), open_collector(1, 2, false), change("From ICS", 1)], vec![logon, NONE, NONE]);
    assert_eq!(return_values(&r), vec![(0x02, 0), (0x7E, 0), (0x73, 0)]);
    let RopResponse::SynchronizationImportHierarchyChange(h) = &r.rops[2] else { panic!() };
    let fid = FolderId(h.folder_id.unwrap());
    assert_eq!(alice.find_folder(inbox, "From ICS").unwrap(), Some(fid));
    let r = a.run(
        vec![open_folder(inbox, 1), open_collector(1, 2, false), change("Renamed by ICS", 2)],
        vec![logon, NONE, NONE],
    );
    assert_eq!(return_values(&r)[2], (0x73, 0));
    assert_eq!(alice.find_folder(inbox, "Renamed by ICS").unwrap(), Some(fid));
    assert_eq!(alice.find_folder(inbox, "From ICS").unwrap(), None);
    // A hierarchy delete by source key.
    let r = a.run(
        vec![
            open_folder(inbox, 1),
            open_collector(1, 2, false),
            RopRequest::SynchronizationImportDeletes(SynchronizationImportDeletesRequest {
                logon_id: 0,
                input_handle_index: 2,
                import_delete_flags: 0x01,
                values: vec![TaggedValue::new(0x0E0A, PropValue::MvBinary(vec![sk.clone()]))],
            }),
        ],
        vec![logon, NONE, NONE],
    );
    assert_eq!(return_values(&r)[2], (0x74, 0));
    assert_eq!(alice.find_folder(inbox, "Renamed by ICS").unwrap(), None);
}

#[test]
fn hostile_import_inputs_get_errors_not_panics() {
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    let mut a = Harness::new(&store, ALICE);
    let logon = a.logon();
    let ck = xid_bytes(CLIENT_GUID, 1);
    let cases: Vec<(RopRequest, u32)> = vec![
        // Source key of the wrong size.
        (import_change(2, 3, 0, header(vec![1, 2, 3], ck.clone(), vec![])), ErrorCode::INVALID_PARAMETER.0),
        // No change key.
        (
            import_change(
                2,
                3,
                0,
                vec![TaggedValue::new(PropTag::SOURCE_KEY.id(), PropValue::Binary(gid_bytes(CLIENT_GUID, 1)))],
            ),
            ErrorCode::INVALID_PARAMETER.0,
        ),
        // A GID of this store that it never handed out.
        (
            import_change(2, 3, 0, header(gid_bytes(alice.info().replica_guid, 0xFFFF_FFFF), ck.clone(), vec![])),
            ErrorCode::INVALID_PARAMETER.0,
        ),
        // A malformed PCL.
        (
            import_change(2, 3, 0, header(gid_bytes(CLIENT_GUID, 1), ck.clone(), vec![0xFF])),
            ErrorCode::INVALID_PARAMETER.0,
        ),
        // Import on a folder handle instead of a collector.
        (import_change(1, 3, 0, header(gid_bytes(CLIENT_GUID, 1), ck.clone(), vec![])), ErrorCode::NOT_SUPPORTED.0),
        // An empty slot.
        (import_change(5, 3, 0, header(gid_bytes(CLIENT_GUID, 1), ck.clone(), vec![])), ErrorCode::NULL_OBJECT.0),
        // A hierarchy delete on a contents collector.
        (
            RopRequest::SynchronizationImportDeletes(SynchronizationImportDeletesRequest {
                logon_id: 0,
                input_handle_index: 2,
                import_delete_flags: 0x01,
                values: vec![TaggedValue::new(0x0E0A, PropValue::MvBinary(vec![]))],
            }),
            ErrorCode::INVALID_PARAMETER.0,
        ),
        // Deletes without the MV binary value.
        (
            RopRequest::SynchronizationImportDeletes(SynchronizationImportDeletesRequest {
                logon_id: 0,
                input_handle_index: 2,
                import_delete_flags: 0,
                values: vec![TaggedValue::new(0x0E0A, PropValue::Binary(vec![]))],
            }),
            ErrorCode::INVALID_PARAMETER.0,
        ),
        // A malformed read-state source key.
        (
            RopRequest::SynchronizationImportReadStateChanges(SynchronizationImportReadStateChangesRequest {
                logon_id: 0,
                input_handle_index: 2,
                states: vec![MessageReadState { message_id: vec![0; 5], mark_as_read: 1 }],
            }),
            ErrorCode::INVALID_PARAMETER.0,
        ),
        // A hierarchy import on a contents collector.
        (
            RopRequest::SynchronizationImportHierarchyChange(SynchronizationImportHierarchyChangeRequest {
                logon_id: 0,
                input_handle_index: 2,
                hierarchy_values: vec![],
                property_values: vec![],
            }),
            ErrorCode::NOT_SUPPORTED.0,
        ),
        // A message move with garbage ids.
        (
            RopRequest::SynchronizationImportMessageMove(SynchronizationImportMessageMoveRequest {
                logon_id: 0,
                input_handle_index: 2,
                source_folder_id: vec![1],
                source_message_id: vec![],
                predecessor_change_list: vec![],
                destination_message_id: vec![],
                change_number: vec![],
            }),
            ErrorCode::INVALID_PARAMETER.0,
        ),
        // GetLocalReplicaIds on a folder.
        (
            RopRequest::GetLocalReplicaIds(GetLocalReplicaIdsRequest {
                logon_id: 0,
                input_handle_index: 1,
                id_count: 1,
            }),
            ErrorCode::NOT_SUPPORTED.0,
        ),
        // A collector on a logon (not a folder).
        (open_collector(0, 3, true), ErrorCode::NOT_SUPPORTED.0),
    ];
    for (rop, want) in cases {
        let id = rop.id().0;
        let r = a.run(
            vec![open_folder(inbox, 1), open_collector(1, 2, true), rop],
            vec![logon, NONE, NONE, NONE, NONE, NONE],
        );
        assert_eq!(return_values(&r)[2], (id, want), "rop {id:#x}");
    }
    // A hierarchy collector refuses message imports.
    let r = a.run(
        vec![
            open_folder(inbox, 1),
            open_collector(1, 2, false),
            import_change(2, 3, 0, header(gid_bytes(CLIENT_GUID, 1), ck.clone(), vec![])),
        ],
        vec![logon, NONE, NONE, NONE],
    );
    assert_eq!(return_values(&r)[2], (0x72, ErrorCode::NOT_SUPPORTED.0));
    // A message move into the collector by source keys.
    let sent = alice.special_folder(SpecialFolder::SentItems);
    let m = alice.contents(sent, false).unwrap().remove(0);
    let r = a.run(
        vec![
            open_folder(inbox, 1),
            open_collector(1, 2, true),
            RopRequest::SynchronizationImportMessageMove(SynchronizationImportMessageMoveRequest {
                logon_id: 0,
                input_handle_index: 2,
                source_folder_id: alice.source_key(mapi_wire::idset::split_id(sent.0).1),
                source_message_id: alice.source_key(mapi_wire::idset::split_id(m.id.0).1),
                predecessor_change_list: vec![],
                destination_message_id: gid_bytes(CLIENT_GUID, 0x99),
                change_number: xid_bytes(CLIENT_GUID, 3),
            }),
        ],
        vec![logon, NONE, NONE],
    );
    assert_eq!(return_values(&r)[2], (0x78, 0));
    assert!(alice.message(m.id).is_err(), "a move gives a new MID");
    let subject = m.content.props.get(PropTag::SUBJECT);
    assert!(alice.contents(inbox, false).unwrap().iter().any(|n| n.content.props.get(PropTag::SUBJECT) == subject));
}
