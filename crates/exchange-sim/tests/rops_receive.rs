//! RopSetReceiveFolder / RopGetReceiveFolderTable / RopGetReceiveFolder
//! ([MS-OXCSTOR] 2.2.1.2–2.2.1.4) through the executor.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::store::SpecialFolder;
use mapi_wire::ids::FolderId;
use mapi_wire::prop_value::{PropValue, PropertyRow};
use mapi_wire::rop::*;
use rops_common::*;

fn set(class: &str, folder: FolderId) -> RopRequest {
    RopRequest::SetReceiveFolder(SetReceiveFolderRequest {
        logon_id: 0,
        input_handle_index: 0,
        folder_id: folder,
        message_class: class.into(),
    })
}

fn get(class: &str) -> RopRequest {
    RopRequest::GetReceiveFolder(GetReceiveFolderRequest {
        logon_id: 0,
        input_handle_index: 0,
        message_class: class.into(),
    })
}

fn table() -> RopRequest {
    RopRequest::GetReceiveFolderTable(GetReceiveFolderTableRequest { logon_id: 0, input_handle_index: 0 })
}

/// (class, folder) of each row of a GetReceiveFolderTable response.
fn rows(r: &RopResponse) -> Vec<(String, FolderId)> {
    let RopResponse::GetReceiveFolderTable(t) = r else { panic!("{r:?}") };
    t.success
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|row| {
            let PropertyRow::Standard(v) = row else { panic!("{row:?}") };
            let (PropValue::I64(f), PropValue::String8(c), PropValue::Time(t)) = (&v[0], &v[1], &v[2]) else {
                panic!("{v:?}")
            };
            assert!(t.0 > 0, "a modification time");
            (String::from_utf8(c.clone()).unwrap(), FolderId(*f as u64))
        })
        .collect()
}

#[test]
fn receive_folder_table_set_get_and_remove() {
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    let (root, inbox, drafts) = (
        alice.special_folder(SpecialFolder::Root),
        alice.special_folder(SpecialFolder::Inbox),
        alice.special_folder(SpecialFolder::Drafts),
    );
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let r = h.run(vec![table()], vec![logon]);
    assert_eq!(
        rows(&r.rops[0]),
        vec![("".into(), inbox), ("IPC".into(), root), ("IPM".into(), inbox), ("REPORT.IPM".into(), inbox)]
    );

    let r = h.run(
        vec![set("IPM.Note.Invoice", drafts), get("ipm.note.invoice.urgent"), get("IPM.Note"), table()],
        vec![logon],
    );
    assert_eq!(return_values(&r), vec![(0x26, 0), (0x27, 0), (0x27, 0), (0x68, 0)]);
    let RopResponse::GetReceiveFolder(g) = &r.rops[1] else { panic!() };
    let g = g.success.as_ref().unwrap();
    assert_eq!((g.folder_id, g.explicit_message_class.as_str()), (drafts, "IPM.Note.Invoice"));
    let RopResponse::GetReceiveFolder(g) = &r.rops[2] else { panic!() };
    assert_eq!(g.success.as_ref().unwrap().folder_id, inbox);
    assert!(rows(&r.rops[3]).contains(&("IPM.Note.Invoice".into(), drafts)));
    assert_eq!(rows(&r.rops[3]).len(), 5);

    // The refusals: IPM and REPORT.IPM are fixed, "" cannot go, an
    // unknown folder is not found.
    let r = h.run(
        vec![
            set("IPM", drafts),
            set("Report.IPM", drafts),
            set("", FolderId(0)),
            set("IPM.Other", FolderId::new(1, 0x00FF_FFFF)),
        ],
        vec![logon],
    );
    assert_eq!(
        return_values(&r),
        vec![(0x26, 0x8007_0005), (0x26, 0x8007_0005), (0x26, 0x8000_4005), (0x26, 0x8004_010F)]
    );

    // Removing the class: IPM.Note.Invoice goes back to the Inbox; the
    // built-in IPC entry can be moved and removed too.
    let r = h.run(
        vec![set("IPM.Note.Invoice", FolderId(0)), get("IPM.Note.Invoice"), set("IPC", FolderId(0)), table()],
        vec![logon],
    );
    let RopResponse::GetReceiveFolder(g) = &r.rops[1] else { panic!() };
    let g = g.success.as_ref().unwrap();
    assert_eq!((g.folder_id, g.explicit_message_class.as_str()), (inbox, "IPM"));
    assert_eq!(rows(&r.rops[3]), vec![("".into(), inbox), ("IPM".into(), inbox), ("REPORT.IPM".into(), inbox)]);
}

#[test]
fn only_the_owner_sets_receive_folders() {
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    alice.grant(None, BOB, exchange_sim::store::Rights::ALL).unwrap();
    let mut h = Harness::new(&store, BOB);
    let r = h.run(vec![logon_request(ALICE_DN)], vec![u32::MAX]);
    let logon = r.handles[0];
    let r = h.run(vec![set("IPM.Note.X", alice.special_folder(SpecialFolder::Drafts)), table()], vec![logon]);
    assert_eq!(return_values(&r), vec![(0x26, 0x8007_0005), (0x68, 0)]);
}
