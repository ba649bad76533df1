//! Attachments, the public store, FAI contents tables, EmptyFolder,
//! SetSpooler through `StoreBackend`.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::store::SpecialFolder;
use mapi_wire::prop_value::{PropValue, PropertyRow, TaggedValue};
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};
use rops_common::*;

const ATTACH_DATA_BIN: PropTag = PropTag(0x3701_0102);
const ATTACH_LONG_FILENAME: PropTag = PropTag(0x3707_001F);

#[test]
fn attachments_create_save_open_table_stream_delete() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let drafts = store.mailbox(ALICE).unwrap().special_folder(SpecialFolder::Drafts);
    let r = h.run(
        vec![
            create_message(0, 1, drafts),
            RopRequest::CreateAttachment(CreateAttachmentRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
            }),
            set_properties(
                2,
                vec![
                    TaggedValue { tag: PropTag(0x3705_0003), value: PropValue::I32(1) },
                    TaggedValue { tag: ATTACH_LONG_FILENAME, value: PropValue::String("notes.txt".into()) },
                    TaggedValue { tag: ATTACH_DATA_BIN, value: PropValue::Binary(b"hello".to_vec()) },
                ],
            ),
            RopRequest::SaveChangesAttachment(SaveChangesAttachmentRequest {
                logon_id: 0,
                response_handle_index: 2,
                input_handle_index: 2,
                save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
            }),
            save_message(1),
            RopRequest::GetValidAttachments(GetValidAttachmentsRequest { logon_id: 0, input_handle_index: 1 }),
            RopRequest::GetAttachmentTable(GetAttachmentTableRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 3,
                table_flags: TableFlags::NONE,
            }),
            RopRequest::SetColumns(SetColumnsRequest {
                logon_id: 0,
                input_handle_index: 3,
                flags: AsyncFlags::SYNC,
                columns: vec![PropTag::ATTACH_NUMBER, ATTACH_LONG_FILENAME],
            }),
            RopRequest::QueryRows(QueryRowsRequest {
                logon_id: 0,
                input_handle_index: 3,
                flags: QueryRowsFlags::ADVANCE,
                forward_read: true,
                row_count: 10,
            }),
            RopRequest::OpenAttachment(OpenAttachmentRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 4,
                flags: OpenAttachmentFlags(0),
                attachment_id: 0,
            }),
            RopRequest::OpenStream(OpenStreamRequest {
                logon_id: 0,
                input_handle_index: 4,
                output_handle_index: 5,
                property_tag: ATTACH_DATA_BIN,
                open_mode: StreamOpenMode::READ_ONLY,
            }),
            RopRequest::ReadStream(ReadStreamRequest {
                logon_id: 0,
                input_handle_index: 5,
                byte_count: 100,
                maximum_byte_count: None,
            }),
            RopRequest::OpenAttachment(OpenAttachmentRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 6,
                flags: OpenAttachmentFlags(0),
                attachment_id: 7,
            }),
            RopRequest::DeleteAttachment(DeleteAttachmentRequest {
                logon_id: 0,
                input_handle_index: 1,
                attachment_id: 0,
            }),
            RopRequest::DeleteAttachment(DeleteAttachmentRequest {
                logon_id: 0,
                input_handle_index: 1,
                attachment_id: 0,
            }),
        ],
        vec![0, NONE, NONE, NONE, NONE, NONE, NONE],
    );
    assert_eq!(
        return_values(&r),
        vec![
            (0x06, 0),
            (0x23, 0),
            (0x0A, 0),
            (0x25, 0),
            (0x0C, 0),
            (0x52, 0),
            (0x21, 0),
            (0x12, 0),
            (0x15, 0),
            (0x22, 0),
            (0x2B, 0),
            (0x2C, 0),
            (0x22, 0x8004_010F),
            (0x24, 0),
            (0x24, 0x8004_010F),
        ]
    );
    let RopResponse::CreateAttachment(c) = &r.rops[1] else { panic!() };
    assert_eq!(c.success.as_ref().unwrap().attachment_id, 0);
    let RopResponse::GetValidAttachments(v) = &r.rops[5] else { panic!() };
    assert_eq!(v.success.as_ref().unwrap().attachment_ids, vec![0]);
    let RopResponse::QueryRows(q) = &r.rops[8] else { panic!() };
    assert_eq!(
        q.success.as_ref().unwrap().rows,
        vec![PropertyRow::Standard(vec![PropValue::I32(0), PropValue::String("notes.txt".into())])]
    );
    let RopResponse::ReadStream(s) = &r.rops[11] else { panic!() };
    assert_eq!(s.data.as_deref(), Some(&b"hello"[..]));
    // Stored with the message.
    let RopResponse::SaveChangesMessage(s) = &r.rops[4] else { panic!() };
    let mid = s.success.as_ref().unwrap().message_id;
    let m = store.mailbox(ALICE).unwrap().message(mid).unwrap();
    assert_eq!(m.content.attachments.len(), 1);
}

#[test]
fn public_store_logon_fai_contents_empty_folder_set_spooler() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let r = h.run(
        vec![RopRequest::Logon(LogonRequest {
            logon_id: 1,
            output_handle_index: 0,
            logon_flags: LogonFlags(0),
            open_flags: LogonOpenFlags::PUBLIC,
            store_state: 0,
            essdn: None,
        })],
        vec![NONE],
    );
    let RopResponse::Logon(l) = &r.rops[0] else { panic!() };
    assert_eq!(l.return_value, ErrorCode::SUCCESS);
    let Some(LogonResponseBody::Public(p)) = &l.body else { panic!("{l:?}") };
    assert_eq!(p.folder_ids, store.public_folders().unwrap().logon_folder_ids());
    assert_eq!(p.repl_id, 1);
    let logon = h.logon();
    assert_eq!(logon, 1, "handle 0 is the public logon");
    let mb = store.mailbox(ALICE).unwrap();
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let open = open_folder(0, 1, inbox);
    let r = h.run(
        vec![
            RopRequest::SetSpooler(SetSpoolerRequest { logon_id: 0, input_handle_index: 0 }),
            open.clone(),
            RopRequest::GetContentsTable(GetContentsTableRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
                table_flags: TableFlags::ASSOCIATED,
            }),
            RopRequest::EmptyFolder(EmptyFolderRequest {
                logon_id: 0,
                input_handle_index: 1,
                want_asynchronous: false,
                want_delete_associated: false,
            }),
            RopRequest::GetContentsTable(GetContentsTableRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
                table_flags: TableFlags::NONE,
            }),
        ],
        vec![logon, NONE, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x47, 0), (0x02, 0), (0x05, 0), (0x58, 0), (0x05, 0)]);
    let RopResponse::GetContentsTable(t) = &r.rops[2] else { panic!() };
    assert_eq!(t.success.as_ref().unwrap().row_count, 0);
    let RopResponse::EmptyFolder(e) = &r.rops[3] else { panic!() };
    assert_eq!(e.partial_completion, Some(false));
    let RopResponse::GetContentsTable(t) = &r.rops[4] else { panic!() };
    assert_eq!(t.success.as_ref().unwrap().row_count, 0);
}

#[test]
fn embedded_message_create_save_and_reopen() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let drafts = store.mailbox(ALICE).unwrap().special_folder(SpecialFolder::Drafts);
    let r = h.run(
        vec![
            create_message(0, 1, drafts),
            RopRequest::CreateAttachment(CreateAttachmentRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
            }),
            RopRequest::OpenEmbeddedMessage(OpenEmbeddedMessageRequest {
                logon_id: 0,
                input_handle_index: 2,
                output_handle_index: 3,
                code_page_id: 0x0FFF,
                open_mode_flags: MessageOpenModeFlags::CREATE,
            }),
            set_properties(3, vec![TaggedValue { tag: PropTag::SUBJECT, value: PropValue::String("inner".into()) }]),
            save_message(3),
            RopRequest::SaveChangesAttachment(SaveChangesAttachmentRequest {
                logon_id: 0,
                response_handle_index: 2,
                input_handle_index: 2,
                save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
            }),
            save_message(1),
        ],
        vec![0, NONE, NONE, NONE],
    );
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
    let RopResponse::SaveChangesMessage(s) = &r.rops[6] else { panic!() };
    let mid = s.success.as_ref().unwrap().message_id;
    let stored = store.mailbox(ALICE).unwrap().message(mid).unwrap();
    let inner = stored.content.attachments[0].embedded.as_ref().unwrap();
    assert_eq!(inner.props.string(PropTag::SUBJECT).as_deref(), Some("inner"));
    // Reopen read-only; without an embedded message OpenEmbeddedMessage
    // (no Create) is ecNotFound.
    let r = h.run(
        vec![
            open_message(0, 1, drafts, mid, false),
            RopRequest::OpenAttachment(OpenAttachmentRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
                flags: OpenAttachmentFlags(0),
                attachment_id: 0,
            }),
            RopRequest::OpenEmbeddedMessage(OpenEmbeddedMessageRequest {
                logon_id: 0,
                input_handle_index: 2,
                output_handle_index: 3,
                code_page_id: 0x0FFF,
                open_mode_flags: MessageOpenModeFlags::READ_ONLY,
            }),
            get_properties(3, vec![PropTag::SUBJECT]),
        ],
        vec![0, NONE, NONE, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x03, 0), (0x22, 0), (0x46, 0), (0x07, 0)]);
    let RopResponse::GetPropertiesSpecific(g) = &r.rops[3] else { panic!() };
    assert_eq!(g.row, Some(PropertyRow::Standard(vec![PropValue::String("inner".into())])));
}

#[test]
fn hard_delete_messages_and_subfolders_empties_the_folder() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let mb = store.mailbox(ALICE).unwrap();
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    mb.create_folder(inbox, "sub", &exchange_sim::store::PropBag::new(), false).unwrap();
    let r = h.run(
        vec![
            open_folder(0, 1, inbox),
            RopRequest::HardDeleteMessagesAndSubfolders(HardDeleteMessagesAndSubfoldersRequest {
                logon_id: 0,
                input_handle_index: 1,
                want_asynchronous: false,
                want_delete_associated: true,
            }),
        ],
        vec![0, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x02, 0), (0x92, 0)]);
    assert!(mb.contents(inbox, false).unwrap().is_empty());
    assert!(mb.subfolders(inbox, false).unwrap().is_empty());
}
