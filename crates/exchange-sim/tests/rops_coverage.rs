//! Field-by-field tests of the ROPs no other raw-protocol test covered:
//! RopAbort, RopAbortSubmit, RopSetPropertiesNoReplicate,
//! RopDeletePropertiesNoReplicate, RopMoveCopyMessages (move and copy),
//! RopReloadCachedInformation, RopRemoveAllRecipients, RopResetTable,
//! RopSeekRowFractional, RopSetStreamSize, RopWriteAndCommitStream and
//! RopFastTransferDestinationPutBuffer — each with its error paths.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::store::SpecialFolder;
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{FlaggedValue, PropValue, PropertyRow, TaggedValue};
use mapi_wire::restriction::{FuzzyLevel, Restriction};
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};
use rops_common::*;

/// [MS-OXCDATA] 2.4: ecUnableToAbort, ecNotInQueue, ecNullObject.
const UNABLE_TO_ABORT: u32 = 0x8004_0114;
const NOT_IN_QUEUE: u32 = 0x8004_0601;
const NULL_OBJECT: u32 = 0x0000_04B9;

fn folder(h: &Harness, f: SpecialFolder) -> FolderId {
    h.store.mailbox(ALICE).unwrap().special_folder(f)
}

fn contents(input: u8, output: u8) -> RopRequest {
    RopRequest::GetContentsTable(GetContentsTableRequest {
        logon_id: 0,
        input_handle_index: input,
        output_handle_index: output,
        table_flags: TableFlags::USE_UNICODE,
    })
}

fn set_columns(input: u8) -> RopRequest {
    RopRequest::SetColumns(SetColumnsRequest {
        logon_id: 0,
        input_handle_index: input,
        flags: AsyncFlags::SYNC,
        columns: vec![PropTag::SUBJECT, PropTag::MID],
    })
}

fn query_rows(input: u8, n: u16) -> RopRequest {
    RopRequest::QueryRows(QueryRowsRequest {
        logon_id: 0,
        input_handle_index: input,
        flags: QueryRowsFlags::ADVANCE,
        forward_read: true,
        row_count: n,
    })
}

fn query_position(input: u8) -> RopRequest {
    RopRequest::QueryPosition(QueryPositionRequest { logon_id: 0, input_handle_index: input })
}

fn row_count(r: &RopResponse) -> usize {
    let RopResponse::QueryRows(q) = r else { panic!("{r:?}") };
    q.success.as_ref().map_or(0, |s| s.rows.len())
}

fn position(r: &RopResponse) -> (u32, u32) {
    let RopResponse::QueryPosition(q) = r else { panic!("{r:?}") };
    let s = q.success.as_ref().unwrap();
    (s.numerator, s.denominator)
}

fn mid_of(h: &Harness, subject: &str) -> MessageId {
    let mb = h.store.mailbox(ALICE).unwrap();
    mb.contents(mb.special_folder(SpecialFolder::Inbox), false)
        .unwrap()
        .into_iter()
        .find(|m| m.content.props.string(PropTag::SUBJECT).as_deref() == Some(subject))
        .unwrap()
        .id
}

#[test]
fn abort_and_abort_submit_have_nothing_to_stop() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let inbox = folder(&h, SpecialFolder::Inbox);
    let mid = mid_of(&h, "Quarterly report");
    let r = h.run(
        vec![
            open_folder(0, 1, inbox),
            contents(1, 2),
            RopRequest::Abort(AbortRequest { logon_id: 0, input_handle_index: 2 }),
            RopRequest::Abort(AbortRequest { logon_id: 0, input_handle_index: 1 }),
            RopRequest::Abort(AbortRequest { logon_id: 0, input_handle_index: 3 }),
            RopRequest::AbortSubmit(AbortSubmitRequest {
                logon_id: 0,
                input_handle_index: 0,
                folder_id: inbox,
                message_id: mid,
            }),
            RopRequest::AbortSubmit(AbortSubmitRequest {
                logon_id: 0,
                input_handle_index: 3,
                folder_id: inbox,
                message_id: mid,
            }),
        ],
        vec![logon, NONE, NONE, NONE],
    );
    assert_eq!(
        return_values(&r)[2..],
        [
            // Tables answer synchronously ([MS-OXCTABL] 3.2.5.5).
            (0x38, UNABLE_TO_ABORT),
            (0x38, ErrorCode::NOT_SUPPORTED.0),
            (0x38, NULL_OBJECT),
            // Submission is immediate ([MS-OXCMSG] 3.2.5.?): not queued.
            (0x34, NOT_IN_QUEUE),
            (0x34, NULL_OBJECT),
        ]
    );
    let RopResponse::Abort(a) = &r.rops[2] else { panic!() };
    assert!(a.success.is_none(), "a failed RopAbort carries no TableStatus");
}

#[test]
fn set_and_delete_properties_no_replicate_on_a_folder() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let inbox = folder(&h, SpecialFolder::Inbox);
    const COMMENT: PropTag = PropTag(0x3004_001F);
    let get = get_properties(1, vec![COMMENT]);
    let r = h.run(
        vec![
            open_folder(0, 1, inbox),
            RopRequest::SetPropertiesNoReplicate(SetPropertiesNoReplicateRequest(SetPropertiesRequest {
                logon_id: 0,
                input_handle_index: 1,
                values: vec![TaggedValue { tag: COMMENT, value: PropValue::String("kept here only".into()) }],
            })),
            get.clone(),
            RopRequest::DeletePropertiesNoReplicate(DeletePropertiesNoReplicateRequest(DeletePropertiesRequest {
                logon_id: 0,
                input_handle_index: 1,
                property_tags: vec![COMMENT],
            })),
            get,
            RopRequest::SetPropertiesNoReplicate(SetPropertiesNoReplicateRequest(SetPropertiesRequest {
                logon_id: 0,
                input_handle_index: 2,
                values: vec![],
            })),
        ],
        vec![logon, NONE, NONE],
    );
    let RopResponse::SetPropertiesNoReplicate(s) = &r.rops[1] else { panic!() };
    assert_eq!((s.return_value, s.problems.as_deref()), (ErrorCode::SUCCESS, Some(&[][..])));
    let RopResponse::GetPropertiesSpecific(g) = &r.rops[2] else { panic!() };
    assert_eq!(g.row, Some(PropertyRow::Standard(vec![PropValue::String("kept here only".into())])));
    let RopResponse::DeletePropertiesNoReplicate(d) = &r.rops[3] else { panic!() };
    assert_eq!((d.return_value, d.problems.as_deref()), (ErrorCode::SUCCESS, Some(&[][..])));
    let RopResponse::GetPropertiesSpecific(g) = &r.rops[4] else { panic!() };
    assert_eq!(g.row, Some(PropertyRow::Flagged(vec![FlaggedValue::Error(ErrorCode::NOT_FOUND)])));
    assert_eq!(return_values(&r)[5], (0x79, NULL_OBJECT), "no object in the slot");
}

#[test]
fn move_copy_messages_moves_copies_and_reports_partial_completion() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let (inbox, drafts) = (folder(&h, SpecialFolder::Inbox), folder(&h, SpecialFolder::Drafts));
    let (a, b) = (mid_of(&h, "Quarterly report"), mid_of(&h, "HTML newsletter"));
    let mv = |ids: Vec<MessageId>, copy: bool| {
        RopRequest::MoveCopyMessages(MoveCopyMessagesRequest {
            logon_id: 0,
            source_handle_index: 1,
            dest_handle_index: 2,
            message_ids: ids,
            want_asynchronous: false,
            want_copy: copy,
        })
    };
    let r = h.run(
        vec![
            open_folder(0, 1, inbox),
            open_folder(0, 2, drafts),
            mv(vec![a], false),
            mv(vec![b], true),
            mv(vec![MessageId::new(1, 0xFF_FFF0)], true),
            RopRequest::MoveCopyMessages(MoveCopyMessagesRequest {
                logon_id: 0,
                source_handle_index: 1,
                dest_handle_index: 3,
                message_ids: vec![b],
                want_asynchronous: false,
                want_copy: true,
            }),
        ],
        vec![logon, NONE, NONE, NONE],
    );
    let resp = |i: usize| {
        let RopResponse::MoveCopyMessages(m) = &r.rops[i] else { panic!() };
        (m.return_value.0, m.dest_handle_index, m.partial_completion)
    };
    assert_eq!(resp(2), (0, None, false), "moved");
    assert_eq!(resp(3), (0, None, false), "copied");
    assert_eq!(resp(4), (0, None, true), "an unknown MID: PartialCompletion");
    // No destination object: ecDstNullObject with DestHandleIndex.
    assert_eq!(resp(5), (0x503, Some(3), false));
    let mb = store.mailbox(ALICE).unwrap();
    let subjects = |f: FolderId| -> Vec<String> {
        let mut v: Vec<String> =
            mb.contents(f, false).unwrap().iter().filter_map(|m| m.content.props.string(PropTag::SUBJECT)).collect();
        v.sort();
        v
    };
    assert!(!subjects(inbox).contains(&"Quarterly report".into()));
    assert!(subjects(inbox).contains(&"HTML newsletter".into()));
    assert_eq!(subjects(drafts), ["HTML newsletter", "Quarterly report"]);
}

#[test]
fn reload_cached_information_and_remove_all_recipients() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let inbox = folder(&h, SpecialFolder::Inbox);
    let mid = mid_of(&h, "Mail with attachment");
    let remove = |i: u8| {
        RopRequest::RemoveAllRecipients(RemoveAllRecipientsRequest { logon_id: 0, input_handle_index: i, reserved: 0 })
    };
    let reload = |i: u8| {
        RopRequest::ReloadCachedInformation(ReloadCachedInformationRequest {
            logon_id: 0,
            input_handle_index: i,
            reserved: 0,
        })
    };
    let r = h.run(
        vec![
            open_message(0, 1, inbox, mid, true),
            reload(1),
            remove(1),
            // Reloading reads the stored message: the unsaved removal is gone.
            reload(1),
            remove(1),
            save_message(1),
            reload(1),
            reload(2),
            remove(2),
        ],
        vec![logon, NONE, NONE],
    );
    let info = |i: usize| {
        let RopResponse::ReloadCachedInformation(x) = &r.rops[i] else { panic!() };
        assert_eq!(x.return_value, ErrorCode::SUCCESS);
        x.success.clone().unwrap()
    };
    let before = info(1);
    // Computed from PidTagSubject ([MS-OXCMSG] 2.2.1.9/2.2.1.10).
    assert_eq!(before.normalized_subject.text().as_deref(), Some("Mail with attachment"));
    assert_eq!(before.subject_prefix, TypedString::Empty);
    assert_eq!(before.recipient_count, 1);
    assert_eq!(before.recipients().unwrap().len(), 1);
    assert_eq!(before.recipient_columns.len(), 6, "the OpenMessage default columns (B12)");
    assert_eq!(return_values(&r)[2], (0x0D, 0));
    assert_eq!(info(3).recipient_count, 1);
    assert_eq!(return_values(&r)[5].1, 0);
    assert_eq!(info(6).recipient_count, 0);
    assert_eq!(return_values(&r)[7], (0x10, NULL_OBJECT));
    assert_eq!(return_values(&r)[8], (0x0D, NULL_OBJECT));
    // Saved without recipients.
    let stored = store.mailbox(ALICE).unwrap().message(mid).unwrap();
    assert!(stored.content.recipients.is_empty());
}

#[test]
fn reset_table_forgets_columns_and_restriction_and_seek_row_fractional() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let inbox = folder(&h, SpecialFolder::Inbox);
    let only_report = Restriction::Content {
        fuzzy: FuzzyLevel { low: 1, high: 1 },
        tag: PropTag::SUBJECT,
        value: TaggedValue { tag: PropTag::SUBJECT, value: PropValue::String("report".into()) },
    };
    let seek = |n: u32, d: u32| {
        RopRequest::SeekRowFractional(SeekRowFractionalRequest {
            logon_id: 0,
            input_handle_index: 2,
            numerator: n,
            denominator: d,
        })
    };
    let r = h.run(
        vec![
            open_folder(0, 1, inbox),
            contents(1, 2),
            set_columns(2),
            RopRequest::Restrict(RestrictRequest {
                logon_id: 0,
                input_handle_index: 2,
                flags: AsyncFlags::SYNC,
                restriction: Some(only_report),
            }),
            query_rows(2, 10),
            RopRequest::ResetTable(ResetTableRequest { logon_id: 0, input_handle_index: 2 }),
            query_rows(2, 10),
            set_columns(2),
            query_position(2),
            query_rows(2, 10),
            // Fractional seeks over the 5 rows ([MS-OXCTABL] 3.2.5.8).
            seek(1, 2),
            query_position(2),
            seek(0, 7),
            query_position(2),
            seek(3, 3),
            query_position(2),
            RopRequest::ResetTable(ResetTableRequest { logon_id: 0, input_handle_index: 1 }),
        ],
        vec![logon, NONE, NONE],
    );
    assert_eq!(row_count(&r.rops[4]), 1, "restricted");
    assert_eq!(return_values(&r)[5], (0x81, 0));
    // Without columns the table cannot answer rows.
    assert_eq!(return_values(&r)[6].1, NULL_OBJECT);
    assert_eq!(position(&r.rops[8]), (0, 5), "cursor at the start, restriction gone");
    assert_eq!(row_count(&r.rops[9]), 5);
    assert_eq!(return_values(&r)[10], (0x1A, 0));
    assert_eq!(position(&r.rops[11]), (2, 5));
    assert_eq!(position(&r.rops[13]), (0, 5));
    assert_eq!(position(&r.rops[15]), (5, 5));
    assert_eq!(return_values(&r)[16].1, ErrorCode::NOT_SUPPORTED.0, "a folder is not a table");
}

#[test]
fn set_stream_size_and_write_and_commit_stream() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let drafts = folder(&h, SpecialFolder::Drafts);
    let utf16 = |s: &str| s.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
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
            RopRequest::WriteAndCommitStream(WriteAndCommitStreamRequest(WriteStreamRequest {
                logon_id: 0,
                input_handle_index: 2,
                data: utf16("Hello, world"),
            })),
            RopRequest::SetStreamSize(SetStreamSizeRequest { logon_id: 0, input_handle_index: 2, stream_size: 10 }),
            RopRequest::GetStreamSize(GetStreamSizeRequest { logon_id: 0, input_handle_index: 2 }),
            RopRequest::CommitStream(CommitStreamRequest { logon_id: 0, input_handle_index: 2 }),
            save_message(1),
            RopRequest::SetStreamSize(SetStreamSizeRequest { logon_id: 0, input_handle_index: 1, stream_size: 1 }),
            RopRequest::WriteAndCommitStream(WriteAndCommitStreamRequest(WriteStreamRequest {
                logon_id: 0,
                input_handle_index: 3,
                data: vec![1],
            })),
        ],
        vec![logon, NONE, NONE, NONE],
    );
    let RopResponse::WriteAndCommitStream(w) = &r.rops[2] else { panic!() };
    assert_eq!((w.return_value, w.written_size), (ErrorCode::SUCCESS, Some(24)));
    assert_eq!(return_values(&r)[3], (0x2F, 0));
    let RopResponse::GetStreamSize(g) = &r.rops[4] else { panic!() };
    assert_eq!(g.stream_size, Some(10), "truncated to 10 bytes");
    let RopResponse::SaveChangesMessage(s) = &r.rops[6] else { panic!() };
    let mid = s.success.as_ref().unwrap().message_id;
    assert_eq!(return_values(&r)[7].1, ErrorCode::NOT_SUPPORTED.0, "SetStreamSize on a message");
    assert_eq!(return_values(&r)[8].1, NULL_OBJECT);
    let stored = store.mailbox(ALICE).unwrap().message(MessageId(mid.0)).unwrap();
    assert_eq!(stored.content.props.string(PropTag::BODY).as_deref(), Some("Hello"));
}

#[test]
fn fast_transfer_destination_put_buffer_is_refused() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let inbox = folder(&h, SpecialFolder::Inbox);
    let put = |i: u8| {
        RopRequest::FastTransferDestinationPutBuffer(FastTransferDestinationPutBufferRequest {
            logon_id: 0,
            input_handle_index: i,
            transfer_data: vec![0x03, 0x00, 0x0C, 0x40],
        })
    };
    let r = h.run(vec![open_folder(0, 1, inbox), put(1), put(2)], vec![logon, NONE, NONE]);
    // FastTransfer upload contexts are not simulated (ICS upload is).
    assert_eq!(return_values(&r)[1..], [(0x54, ErrorCode::NOT_SUPPORTED.0), (0x54, NULL_OBJECT)]);
}
