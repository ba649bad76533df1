//! Several logons on one session, told apart by LogonId ([MS-OXCROPS] 3.1.4.2):
//! a RopLogon with the id of an active logon releases it and everything
//! opened in it, a handle names its object only to ROPs of its own logon,
//! and RopNotify names the logon of the subscription (2.2.14.2).
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder};
use mapi_wire::ids::FolderId;
use mapi_wire::prop_value::PropValue;
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};
use rops_common::*;

const NULL_OBJECT: u32 = ErrorCode::NULL_OBJECT.0;

fn inbox_of(h: &Harness) -> FolderId {
    h.store.mailbox(ALICE).unwrap().special_folder(SpecialFolder::Inbox)
}

/// RopLogon of alice's mailbox as logon `id` into a fresh handle table.
fn logon_as(h: &mut Harness, id: u8) -> u32 {
    let mut rop = logon_request(ALICE_DN);
    rop.set_logon_id(id);
    let r = h.run(vec![rop], vec![NONE]);
    assert_eq!(return_values(&r), vec![(0xFE, 0)]);
    r.handles[0]
}

/// `rop` sent as logon `id`.
fn as_logon(mut rop: RopRequest, id: u8) -> RopRequest {
    rop.set_logon_id(id);
    rop
}

/// The Inbox's display name read through the folder handle `folder` as logon `id`.
fn read_through(h: &mut Harness, id: u8, folder: u32) -> u32 {
    let r = h.run(vec![as_logon(get_properties(0, vec![PropTag(0x3001_001F)]), id)], vec![folder]);
    return_values(&r)[0].1
}

#[test]
fn a_second_logon_id_keeps_the_first_logon_and_a_reused_id_releases_it() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let inbox = inbox_of(&h);
    let first = logon_as(&mut h, 0);
    let r = h.run(vec![open_folder(0, 1, inbox)], vec![first, NONE]);
    assert_eq!(return_values(&r), vec![(0x02, 0)]);
    let folder = r.handles[1];

    // Another logon with its own id: logon 0 and its folder stay usable.
    let second = logon_as(&mut h, 1);
    assert_eq!(read_through(&mut h, 0, folder), 0);
    let r = h.run(vec![open_folder(0, 1, inbox)], vec![first, NONE]);
    assert_eq!(return_values(&r), vec![(0x02, 0)]);
    let r = h.run(vec![as_logon(open_folder(0, 1, inbox), 1)], vec![second, NONE]);
    assert_eq!(return_values(&r), vec![(0x02, 0)]);

    // A handle of logon 0 used by a ROP of logon 1 names nothing.
    assert_eq!(read_through(&mut h, 1, folder), NULL_OBJECT);

    // RopLogon with the active id 0 releases logon 0 and its folder.
    let third = logon_as(&mut h, 0);
    assert_ne!(third, first);
    assert_eq!(read_through(&mut h, 0, folder), NULL_OBJECT);
    let r = h.run(vec![open_folder(0, 1, inbox)], vec![first, NONE]);
    assert_eq!(return_values(&r), vec![(0x02, NULL_OBJECT)]);
    // The new logon 0 and logon 1 work.
    let r = h.run(vec![open_folder(0, 1, inbox)], vec![third, NONE]);
    assert_eq!(return_values(&r), vec![(0x02, 0)]);
    let r = h.run(vec![as_logon(open_folder(0, 1, inbox), 1)], vec![second, NONE]);
    assert_eq!(return_values(&r), vec![(0x02, 0)]);
}

#[test]
fn rop_notify_names_the_logon_of_the_subscription() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let inbox = inbox_of(&h);
    let own = logon_as(&mut h, 0);
    let other = logon_as(&mut h, 7);
    let register = |id: u8| {
        as_logon(
            RopRequest::RegisterNotification(RegisterNotificationRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                notification_types: 0x02,
                reserved: 0,
                target: None,
                want_whole_store: 1,
            }),
            id,
        )
    };
    let r = h.run(vec![register(0)], vec![own, NONE]);
    assert_eq!(return_values(&r), vec![(0x29, 0)]);
    let own_sub = r.handles[1];
    let r = h.run(vec![register(7)], vec![other, NONE]);
    assert_eq!(return_values(&r), vec![(0x29, 0)]);
    let other_sub = r.handles[1];
    // A contents table of logon 7 (TableModified events name it as well).
    let r = h.run(
        vec![
            as_logon(open_folder(0, 1, inbox), 7),
            as_logon(
                RopRequest::GetContentsTable(GetContentsTableRequest {
                    logon_id: 0,
                    input_handle_index: 1,
                    output_handle_index: 2,
                    table_flags: TableFlags(0),
                }),
                7,
            ),
            as_logon(
                RopRequest::SetColumns(SetColumnsRequest {
                    logon_id: 0,
                    input_handle_index: 2,
                    flags: AsyncFlags(0),
                    columns: vec![PropTag::SUBJECT],
                }),
                7,
            ),
        ],
        vec![other, NONE, NONE],
    );
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
    let table = r.handles[2];

    let mut props = PropBag::new();
    props.set(PropTag::SUBJECT, PropValue::String("for both logons".into()));
    props.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
    let content = MessageContent { props, recipients: vec![], attachments: vec![] };
    store.mailbox(ALICE).unwrap().save_message(inbox, None, false, &content, SaveMode::Normal).unwrap();

    let (code, payload) = h.execute_raw(&[2, 0], 0x10008, 3);
    assert_eq!(code, ErrorCode::SUCCESS);
    let answer = RopResponseBuffer::decode_standalone(&payload).unwrap();
    let mut seen: Vec<(u32, u8)> = answer
        .rops
        .iter()
        .filter_map(|r| match r {
            RopResponse::Notify(n) => Some((n.notification_handle, n.logon_id)),
            _ => None,
        })
        .collect();
    seen.sort_unstable();
    seen.dedup();
    let mut expected = vec![(own_sub, 0), (other_sub, 7), (table, 7)];
    expected.sort_unstable();
    assert_eq!(seen, expected);
}
