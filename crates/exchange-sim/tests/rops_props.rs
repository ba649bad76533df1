//! Property, named-property, stream and notification ROPs through
//! `StoreBackend`, checked field by field.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder};
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::named::PropertyName;
use mapi_wire::prop_value::{FlaggedValue, PropValue, PropertyRow, TaggedValue};
use mapi_wire::rop::*;
use mapi_wire::tags::PS_MAPI;
use mapi_wire::{ErrorCode, Guid, PropTag};
use rops_common::*;

const HTML: PropTag = PropTag(0x1013_0102);
const BODY_HTML_STRING: PropTag = PropTag(0x1013_001F);

fn inbox_of(h: &Harness) -> FolderId {
    h.store.mailbox(ALICE).unwrap().special_folder(SpecialFolder::Inbox)
}

fn html_mid(h: &Harness) -> MessageId {
    let mb = h.store.mailbox(ALICE).unwrap();
    mb.contents(inbox_of(h), false)
        .unwrap()
        .into_iter()
        .find(|m| m.content.props.string(PropTag::SUBJECT).as_deref() == Some("HTML newsletter"))
        .unwrap()
        .id
}

fn read_stream(index: u8, n: u16) -> RopRequest {
    RopRequest::ReadStream(ReadStreamRequest {
        logon_id: 0,
        input_handle_index: index,
        byte_count: n,
        maximum_byte_count: None,
    })
}

#[test]
fn get_properties_specific_flags_missing_and_refuses_bodyhtml_string_like_015() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let fid = inbox_of(&h);
    let mid = html_mid(&h);
    let tags = vec![PropTag::SUBJECT, HTML, BODY_HTML_STRING, PropTag(0x0E1F_000B)];
    let r = h.run(
        vec![
            open_message(0, 1, fid, mid, false),
            RopRequest::GetPropertiesSpecific(GetPropertiesSpecificRequest {
                logon_id: 0,
                input_handle_index: 1,
                property_size_limit: 16,
                want_unicode: 1,
                property_tags: tags,
            }),
        ],
        vec![0, NONE],
    );
    let RopResponse::GetPropertiesSpecific(g) = &r.rops[1] else { panic!() };
    assert_eq!(g.return_value, ErrorCode::SUCCESS);
    let Some(PropertyRow::Flagged(v)) = &g.row else { panic!("{:?}", g.row) };
    // PropertySizeLimit 16 is ignored (017): the whole subject comes back.
    assert_eq!(v[0], FlaggedValue::Value(PropValue::String("HTML newsletter".into())));
    assert!(matches!(&v[1], FlaggedValue::Value(PropValue::Binary(b)) if b.starts_with(b"<html>")));
    assert_eq!(v[2], FlaggedValue::Error(ErrorCode::NOT_FOUND));
    assert_eq!(v[3], FlaggedValue::Error(ErrorCode::NOT_FOUND));
    // All present: a standard row.
    let r = h.run(
        vec![
            open_message(0, 1, fid, mid, false),
            get_properties(1, vec![PropTag::SUBJECT, PropTag::MID]),
            RopRequest::GetPropertiesList(GetPropertiesListRequest { logon_id: 0, input_handle_index: 1 }),
        ],
        vec![0, NONE],
    );
    let RopResponse::GetPropertiesSpecific(g) = &r.rops[1] else { panic!() };
    assert_eq!(
        g.row,
        Some(PropertyRow::Standard(vec![PropValue::String("HTML newsletter".into()), PropValue::I64(mid.0 as i64)]))
    );
    let RopResponse::GetPropertiesList(l) = &r.rops[2] else { panic!() };
    assert!(l.property_tags.as_ref().unwrap().contains(&PropTag::SUBJECT));
}

#[test]
fn set_delete_properties_on_new_message_and_folder() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let drafts = store.mailbox(ALICE).unwrap().special_folder(SpecialFolder::Drafts);
    let r = h.run(
        vec![
            create_message(0, 1, drafts),
            set_properties(
                1,
                vec![
                    TaggedValue { tag: PropTag::SUBJECT, value: PropValue::String("Draft one".into()) },
                    TaggedValue { tag: PropTag::BODY, value: PropValue::String("text".into()) },
                ],
            ),
            RopRequest::DeleteProperties(DeletePropertiesRequest {
                logon_id: 0,
                input_handle_index: 1,
                property_tags: vec![PropTag::BODY],
            }),
            save_message(1),
            RopRequest::GetPropertiesAll(GetPropertiesAllRequest {
                logon_id: 0,
                input_handle_index: 1,
                property_size_limit: 0,
                want_unicode: 1,
            }),
        ],
        vec![0, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x06, 0), (0x0A, 0), (0x0B, 0), (0x0C, 0), (0x08, 0)]);
    let RopResponse::SetProperties(s) = &r.rops[1] else { panic!() };
    assert_eq!(s.problems.as_ref().unwrap().len(), 0);
    let RopResponse::GetPropertiesAll(a) = &r.rops[4] else { panic!() };
    let values = a.values.as_ref().unwrap();
    assert!(values.iter().any(|v| v.tag == PropTag::SUBJECT && v.value == PropValue::String("Draft one".into())));
    assert!(!values.iter().any(|v| v.tag == PropTag::BODY));
    // The code page of CodePageId 0x0FFF is the Connect's (1252).
    assert!(values.iter().any(|v| v.tag == PropTag::MESSAGE_CODEPAGE && v.value == PropValue::I32(1252)));
    // Folder properties are written at once.
    let r = h.run(
        vec![
            open_folder(0, 1, drafts),
            set_properties(1, vec![TaggedValue { tag: PropTag::COMMENT, value: PropValue::String("notes".into()) }]),
        ],
        vec![0, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x02, 0), (0x0A, 0)]);
    let props = store.mailbox(ALICE).unwrap().folder_props(drafts).unwrap();
    assert_eq!(props.string(PropTag::COMMENT).as_deref(), Some("notes"));
}

#[test]
fn named_properties_like_023_to_025_and_124() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let name = PropertyName::Id { guid: mapi_wire::tags::PSETID_APPOINTMENT, lid: 0x820D };
    let ids = |create: bool| {
        RopRequest::GetPropertyIdsFromNames(GetPropertyIdsFromNamesRequest {
            logon_id: 0,
            input_handle_index: 0,
            flags: if create { 0x02 } else { 0 },
            names: vec![name.clone()],
        })
    };
    let r = h.run(vec![ids(false), ids(true), ids(false)], vec![0]);
    assert_eq!(return_values(&r), vec![(0x56, 0), (0x56, 0), (0x56, 0)]);
    let got = |i: usize| match &r.rops[i] {
        RopResponse::GetPropertyIdsFromNames(g) => g.property_ids.clone().unwrap(),
        _ => panic!(),
    };
    assert_eq!(got(0), vec![0]);
    let id = got(1)[0];
    assert!(id >= 0x8000);
    assert_eq!(got(2), vec![id]);
    let r = h.run(
        vec![
            RopRequest::GetNamesFromPropertyIds(GetNamesFromPropertyIdsRequest {
                logon_id: 0,
                input_handle_index: 0,
                property_ids: vec![id, 0x0037, 0xFFF0],
            }),
            RopRequest::QueryNamedProperties(QueryNamedPropertiesRequest {
                logon_id: 0,
                input_handle_index: 0,
                query_flags: 0,
                property_guid: Some(mapi_wire::tags::PSETID_APPOINTMENT),
            }),
        ],
        vec![0],
    );
    let RopResponse::GetNamesFromPropertyIds(n) = &r.rops[0] else { panic!() };
    assert_eq!(
        n.names.as_ref().unwrap(),
        &vec![name.clone(), PropertyName::Id { guid: PS_MAPI, lid: 0x37 }, PropertyName::None { guid: Guid([0; 16]) }]
    );
    let RopResponse::QueryNamedProperties(q) = &r.rops[1] else { panic!() };
    assert_eq!(q.properties.as_ref().unwrap(), &vec![(id, name)]);
}

#[test]
fn streams_read_to_end_write_commit_seek_and_failures_like_016_054() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let fid = inbox_of(&h);
    let mid = html_mid(&h);
    let r = h.run(
        vec![
            open_message(0, 1, fid, mid, false),
            RopRequest::OpenStream(OpenStreamRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
                property_tag: PropTag::BODY,
                open_mode: StreamOpenMode::READ_ONLY,
            }),
            read_stream(2, 10),
            RopRequest::ReadStream(ReadStreamRequest {
                logon_id: 0,
                input_handle_index: 2,
                byte_count: 0xBABE,
                maximum_byte_count: Some(65536),
            }),
            read_stream(2, 100),
            RopRequest::WriteStream(WriteStreamRequest { logon_id: 0, input_handle_index: 2, data: vec![1, 2] }),
            read_stream(0, 100),
        ],
        vec![0, NONE, NONE],
    );
    let body = "Body of HTML newsletter";
    let expected: Vec<u8> = body.encode_utf16().flat_map(u16::to_le_bytes).chain([0, 0]).collect();
    let RopResponse::OpenStream(o) = &r.rops[1] else { panic!() };
    assert_eq!(o.stream_size, Some(expected.len() as u32));
    let data = |i: usize| match &r.rops[i] {
        RopResponse::ReadStream(s) => s.data.clone(),
        _ => panic!(),
    };
    let mut all = data(2).unwrap();
    assert_eq!(all.len(), 10);
    all.extend(data(3).unwrap());
    assert_eq!(all, expected);
    assert_eq!(data(4), Some(vec![]));
    assert_eq!(return_values(&r)[5], (0x2D, 0x8003_0005));
    // ReadStream on the logon: ecNotSupported, header only (054).
    assert_eq!(return_values(&r)[6], (0x2C, 0x8004_0102));
    assert_eq!(data(6), None);
    // Write a 100 KB PidTagBody in pieces, commit, save, read it back.
    let drafts = store.mailbox(ALICE).unwrap().special_folder(SpecialFolder::Drafts);
    let text: String = "0123456789abcdef".repeat(100 * 1024 / 16);
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let r = h.run(
        vec![
            create_message(0, 1, drafts),
            RopRequest::OpenStream(OpenStreamRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
                property_tag: PropTag::BODY,
                open_mode: StreamOpenMode::CREATE,
            }),
        ],
        vec![0, NONE, NONE],
    );
    let handles = r.handles.clone();
    for c in bytes.chunks(30_000) {
        let r = h.run(
            vec![RopRequest::WriteStream(WriteStreamRequest { logon_id: 0, input_handle_index: 2, data: c.to_vec() })],
            handles.clone(),
        );
        let RopResponse::WriteStream(w) = &r.rops[0] else { panic!() };
        assert_eq!(w.written_size, Some(c.len() as u16));
    }
    let rops = vec![
        RopRequest::GetStreamSize(GetStreamSizeRequest { logon_id: 0, input_handle_index: 2 }),
        RopRequest::SeekStream(SeekStreamRequest {
            logon_id: 0,
            input_handle_index: 2,
            origin: SeekOrigin::CURRENT,
            offset: -4,
        }),
        RopRequest::SeekStream(SeekStreamRequest {
            logon_id: 0,
            input_handle_index: 2,
            origin: SeekOrigin::BEGINNING,
            offset: -1,
        }),
        RopRequest::CommitStream(CommitStreamRequest { logon_id: 0, input_handle_index: 2 }),
        save_message(1),
    ];
    let r = h.run(rops, handles);
    let n = r.rops.len();
    assert!(return_values(&r)[..n - 2].iter().all(|(id, rv)| *rv == 0 || *id == 0x2E), "{:?}", return_values(&r));
    let RopResponse::GetStreamSize(s) = &r.rops[n - 5] else { panic!() };
    assert_eq!(s.stream_size, Some(bytes.len() as u32));
    let RopResponse::SeekStream(s) = &r.rops[n - 4] else { panic!() };
    assert_eq!(s.new_position, Some(bytes.len() as u64 - 4));
    assert_eq!(return_values(&r)[n - 3], (0x2E, 0x8003_0009));
    let RopResponse::SaveChangesMessage(s) = &r.rops[n - 1] else { panic!() };
    let saved = s.success.as_ref().unwrap().message_id;
    let m = store.mailbox(ALICE).unwrap().message(saved).unwrap();
    assert_eq!(m.content.props.string(PropTag::BODY).unwrap(), text);
}

#[test]
fn notifications_new_mail_then_pending_like_041_to_044() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let fid = inbox_of(&h);
    let r = h.run(
        vec![
            RopRequest::RegisterNotification(RegisterNotificationRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                notification_types: 0x7E,
                reserved: 0,
                target: Some((fid.0, 0)),
                want_whole_store: 0,
            }),
            RopRequest::RegisterNotification(RegisterNotificationRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 2,
                notification_types: 0x02,
                reserved: 0,
                target: None,
                want_whole_store: 1,
            }),
        ],
        vec![0, NONE, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x29, 0), (0x29, 0)]);
    let (folder_handle, store_handle) = (r.handles[1], r.handles[2]);
    // A mail is delivered to alice's Inbox.
    let alice = store.mailbox(ALICE).unwrap();
    let mut props = PropBag::new();
    props.set(PropTag::SUBJECT, PropValue::String("Notification trigger mail".into()));
    props.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
    let saved = alice
        .save_message(
            fid,
            None,
            false,
            &MessageContent { props, recipients: vec![], attachments: vec![] },
            SaveMode::Normal,
        )
        .unwrap();
    assert!(!h.session.notifications.is_empty());
    // A small MaxRopOut: one or more RopNotify, then RopPending (043).
    let (code, payload) = h.execute_raw(&[2, 0], 0x60, 3);
    assert_eq!(code, ErrorCode::SUCCESS);
    let first = RopResponseBuffer::decode_standalone(&payload).unwrap();
    assert!(matches!(first.rops.last(), Some(RopResponse::Pending(p)) if p.session_index == 5));
    let (_, payload) = h.execute_raw(&[2, 0], 0x10008, 3);
    let second = RopResponseBuffer::decode_standalone(&payload).unwrap();
    let all: Vec<&NotifyResponse> = first
        .rops
        .iter()
        .chain(second.rops.iter())
        .filter_map(|r| match r {
            RopResponse::Notify(n) => Some(n),
            _ => None,
        })
        .collect();
    let kinds: Vec<(u32, u16)> = all.iter().map(|n| (n.notification_handle, n.data.flags)).collect();
    // Folder subscription: ObjectCreated (0x8004), ObjectModified with counts
    // (0x3010), NewMail (0x8002); store subscription: NewMail only.
    assert_eq!(
        kinds,
        vec![(folder_handle, 0x8004), (folder_handle, 0x3010), (folder_handle, 0x8002), (store_handle, 0x8002)]
    );
    let new_mail = all[2];
    assert_eq!(new_mail.data.message_id, Some(saved.id.0));
    assert_eq!(new_mail.data.new_mail.as_ref().unwrap().message_class, MessageClass::Ascii(b"IPM.Note".to_vec()));
    assert_eq!(all[1].data.total_message_count, Some(6));
    assert!(second.rops.iter().all(|r| !matches!(r, RopResponse::Pending(_))));
    // After RopRelease nothing more arrives (045).
    h.run(
        vec![
            RopRequest::Release(ReleaseRequest { logon_id: 0, input_handle_index: 1 }),
            RopRequest::Release(ReleaseRequest { logon_id: 0, input_handle_index: 2 }),
        ],
        vec![0, folder_handle, store_handle],
    );
    let mut props = PropBag::new();
    props.set(PropTag::SUBJECT, PropValue::String("second".into()));
    alice
        .save_message(
            fid,
            None,
            false,
            &MessageContent { props, recipients: vec![], attachments: vec![] },
            SaveMode::Normal,
        )
        .unwrap();
    assert!(h.session.notifications.is_empty());
}

#[test]
fn contents_table_notifications_row_added_and_deleted() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let fid = inbox_of(&h);
    let r = h.run(
        vec![
            open_folder(0, 1, fid),
            RopRequest::GetContentsTable(GetContentsTableRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
                table_flags: TableFlags::USE_UNICODE,
            }),
            RopRequest::SetColumns(SetColumnsRequest {
                logon_id: 0,
                input_handle_index: 2,
                flags: AsyncFlags::SYNC,
                columns: vec![PropTag::MID, PropTag::SUBJECT],
            }),
        ],
        vec![0, NONE, NONE],
    );
    let table = r.handles[2];
    let alice = store.mailbox(ALICE).unwrap();
    let mut props = PropBag::new();
    props.set(PropTag::SUBJECT, PropValue::String("row added".into()));
    let saved = alice
        .save_message(
            fid,
            None,
            false,
            &MessageContent { props, recipients: vec![], attachments: vec![] },
            SaveMode::Normal,
        )
        .unwrap();
    let notes = |h: &mut Harness| -> Vec<NotifyResponse> {
        let (_, payload) = h.execute_raw(&[2, 0], 0x10008, 3);
        let resp = RopResponseBuffer::decode_standalone(&payload).unwrap();
        resp.rops
            .into_iter()
            .filter_map(|r| match r {
                RopResponse::Notify(n) => Some(n),
                _ => None,
            })
            .collect()
    };
    let added = notes(&mut h);
    assert_eq!(added.len(), 1, "{added:?}");
    let n = &added[0];
    assert_eq!((n.notification_handle, n.data.flags), (table, 0x8100));
    assert_eq!(n.data.table_event, Some(TableEventType::TABLE_ROW_ADDED));
    assert_eq!(n.data.table_row_message_id, Some(saved.id.0));
    // Inserted after the last of the five seeded rows (MID order).
    let last = alice.contents(fid, false).unwrap()[4].id.0;
    assert_eq!(n.data.insert_after_row_id, Some(last));
    // Without the table's columns the decoder keeps the row raw.
    let Some(TableRowData::Raw(raw)) = &n.data.table_row_data else { panic!() };
    let mut rd = mapi_wire::codec::Reader::new(raw);
    let row =
        PropertyRow::decode_with(&mut rd, &[PropTag::MID, PropTag::SUBJECT], mapi_wire::prop_value::PropContext::Rop)
            .unwrap();
    assert!(rd.is_empty());
    assert_eq!(
        row,
        PropertyRow::Standard(vec![PropValue::I64(saved.id.0 as i64), PropValue::String("row added".into())])
    );
    alice.delete_messages(fid, &[saved.id], true).unwrap();
    let deleted = notes(&mut h);
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].data.table_event, Some(TableEventType::TABLE_ROW_DELETED));
    assert_eq!(deleted[0].data.table_row_message_id, Some(saved.id.0));
}
