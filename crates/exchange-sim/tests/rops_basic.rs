//! Raw-protocol tests of the ROP executor: requests built with mapi-wire,
//! run through `StoreBackend` directly, answers checked field by field.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::rops::StoreBackend;
use exchange_sim::session::MailboxBackend;
use exchange_sim::store::{DEFAULT_GRANTEE, Rights, SpecialFolder};
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{PropValue, PropertyRow};
use mapi_wire::recipient::RecipientRow;
use mapi_wire::restriction::Restriction;
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};
use rops_common::*;

const NONE: u32 = u32::MAX;

fn open_folder(input: u8, output: u8, fid: FolderId) -> RopRequest {
    RopRequest::OpenFolder(OpenFolderRequest {
        logon_id: 0,
        input_handle_index: input,
        output_handle_index: output,
        folder_id: fid,
        open_mode_flags: FolderOpenModeFlags::NONE,
    })
}

fn contents(input: u8, output: u8) -> RopRequest {
    RopRequest::GetContentsTable(GetContentsTableRequest {
        logon_id: 0,
        input_handle_index: input,
        output_handle_index: output,
        table_flags: TableFlags::USE_UNICODE,
    })
}

fn set_columns(input: u8, columns: Vec<PropTag>) -> RopRequest {
    RopRequest::SetColumns(SetColumnsRequest {
        logon_id: 0,
        input_handle_index: input,
        flags: AsyncFlags::SYNC,
        columns,
    })
}

fn query_rows(input: u8, n: u16, forward: bool, flags: QueryRowsFlags) -> RopRequest {
    RopRequest::QueryRows(QueryRowsRequest {
        logon_id: 0,
        input_handle_index: input,
        flags,
        forward_read: forward,
        row_count: n,
    })
}

fn inbox(h: &Harness) -> FolderId {
    h.store.mailbox(&h.session.user.address).unwrap().special_folder(SpecialFolder::Inbox)
}

fn rows(r: &RopResponse) -> (BookmarkOrigin, Vec<PropertyRow>) {
    let RopResponse::QueryRows(q) = r else { panic!("{r:?}") };
    let s = q.success.as_ref().unwrap();
    (s.origin, s.rows.clone())
}

#[test]
fn connect_error_codes_like_captures_079_080_081() {
    let store = seeded_store();
    let backend = StoreBackend::new(store.clone(), None);
    let mut h = Harness::new(&store, ALICE);
    assert_eq!(decode_connect(&backend.connect(&mut h.session, &connect_request(BOB_DN, 0))), 0x8007_0005);
    assert_eq!(decode_connect(&backend.connect(&mut h.session, &connect_request("/o=x/cn=nobody", 0))), 0x8004_0115);
    assert_eq!(decode_connect(&backend.connect(&mut h.session, &connect_request(ALICE_DN, 1))), 0x3F2);
    let ok = backend.connect(&mut h.session, &connect_request(ALICE_DN, 0));
    let c = ok.completed().unwrap();
    assert_eq!((c.error_code, c.polls_max, c.retry_count, c.retry_delay), (ErrorCode::SUCCESS, 60_000, 6, 10_000));
    assert_eq!(c.display_name, "Alice Tester");
    assert_eq!(c.auxiliary_buffer.len(), 36);
}

#[test]
fn logon_private_response_fields() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let r = h.run(vec![logon_request(ALICE_DN)], vec![NONE]);
    let RopResponse::Logon(l) = &r.rops[0] else { panic!() };
    assert_eq!(l.return_value, ErrorCode::SUCCESS);
    let Some(LogonResponseBody::Private(p)) = &l.body else { panic!() };
    let mb = store.mailbox(ALICE).unwrap();
    assert_eq!(p.folder_ids, mb.logon_folder_ids());
    assert_eq!(p.response_flags, 0x07);
    assert_eq!(p.repl_id, 1);
    assert_eq!(p.mailbox_guid, mb.info().mailbox_guid);
    assert_eq!(p.repl_guid, mb.info().replica_guid);
    assert!(p.gwart_time > 0);
    assert!(p.logon_time.year >= 2024);
    // The first handle is 0, like gromox's logon handle.
    assert_eq!(r.handles, vec![0]);
}

#[test]
fn logon_other_mailbox_needs_rights_and_folder_rights_apply() {
    let store = seeded_store();
    let mut h = Harness::new(&store, BOB);
    // alice's Calendar gives Default free/busy times (Exchange's default): that
    // folder-level right is enough to log on; without it bob holds no right at
    // all there and the logon is refused with ecLoginPerm.
    let alice = store.mailbox(ALICE).unwrap();
    let cal = alice.special_folder(SpecialFolder::Calendar);
    let r = h.run(vec![logon_request(ALICE_DN)], vec![NONE]);
    assert_eq!(return_values(&r), vec![(0xFE, 0)]);
    alice.grant(Some(cal), DEFAULT_GRANTEE, Rights::NONE).unwrap();
    let r = h.run(vec![logon_request(ALICE_DN)], vec![NONE]);
    assert_eq!(return_values(&r), vec![(0xFE, 0x3F2)]);
    // Unknown DN: ecUnknownUser.
    let r = h.run(vec![logon_request("/o=x/cn=nobody")], vec![NONE]);
    assert_eq!(return_values(&r), vec![(0xFE, 0x3EB)]);
    // alice grants bob Reviewer on her Calendar: logon works, Inbox is denied.
    alice.grant(Some(cal), BOB, Rights::REVIEWER).unwrap();
    let r = h.run(
        vec![logon_request(ALICE_DN), open_folder(0, 1, cal), open_folder(0, 2, inbox(&Harness::new(&store, ALICE)))],
        vec![NONE, NONE, NONE],
    );
    assert_eq!(return_values(&r), vec![(0xFE, 0), (0x02, 0), (0x02, 0x8007_0005)]);
    let RopResponse::Logon(l) = &r.rops[0] else { panic!() };
    let Some(LogonResponseBody::Private(p)) = &l.body else { panic!() };
    assert_eq!(p.response_flags, 0x01);
}

#[test]
fn openfolder_not_found_then_null_object_like_051() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let r = h.run(vec![open_folder(0, 1, FolderId::new(1, 0xF000_0000)), contents(1, 2)], vec![0, NONE, NONE]);
    assert_eq!(return_values(&r), vec![(0x02, 0x8004_010F), (0x05, 0x4B9)]);
    assert_eq!(r.handles[1], NONE);
    // A bogus handle value: ecNullObject (053).
    let r = h.run(vec![open_folder(0, 1, inbox(&h))], vec![0x1234_5678, NONE]);
    assert_eq!(return_values(&r), vec![(0x02, 0x4B9)]);
}

#[test]
fn whole_call_failures_like_056_057_058() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    // InputHandleIndex 5 with 2 slots: 0x80040108.
    let req = RopRequestBuffer { rops: vec![open_folder(5, 1, inbox(&h))], handles: vec![0, NONE] };
    assert_eq!(h.execute(&req, 0x10008).0, ErrorCode::INVALID_OBJECT);
    // Reserved RopId 0x00: ecRpcFormat.
    let (code, payload) = h.execute_raw(&[0x05, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0], 0x10008, 3);
    assert_eq!((code, payload.len()), (ErrorCode::RPC_FORMAT, 0));
    // MaxRopOut 0x80 with the 058 ROP list: 0x47D for the whole call.
    let req = RopRequestBuffer {
        rops: vec![
            open_folder(0, 1, inbox(&h)),
            contents(1, 2),
            set_columns(2, vec![PropTag::MID, PropTag::SUBJECT, PropTag(0x0C1A_001F)]),
            query_rows(2, 50, true, QueryRowsFlags::ADVANCE),
        ],
        handles: vec![0, NONE, NONE],
    };
    assert_eq!(h.execute(&req, 0x80).0, ErrorCode::BUFFER_TOO_SMALL);
    // 0xC0: QueryRows alone fails (059).
    let (code, r) = h.execute(&req, 0xC0);
    assert_eq!(code, ErrorCode::SUCCESS);
    assert_eq!(return_values(&r.unwrap()), vec![(0x02, 0), (0x05, 0), (0x12, 0), (0x15, 0x47D)]);
    // Large enough: all five rows, Origin END.
    let (_, r) = h.execute(&req, 0x10008);
    let r = r.unwrap();
    let (origin, rs) = rows(&r.rops[3]);
    assert_eq!((origin, rs.len()), (BookmarkOrigin::END, 5));
}

#[test]
fn maxropout_cuts_query_rows_with_origin_current() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let req = RopRequestBuffer {
        rops: vec![
            open_folder(0, 1, inbox(&h)),
            contents(1, 2),
            set_columns(2, vec![PropTag::SUBJECT]),
            query_rows(2, 50, true, QueryRowsFlags::ADVANCE),
        ],
        handles: vec![0, NONE, NONE],
    };
    let (code, r) = h.execute(&req, 0x100);
    assert_eq!(code, ErrorCode::SUCCESS);
    let r = r.unwrap();
    let (origin, rs) = rows(&r.rops[3]);
    assert!(!rs.is_empty() && rs.len() < 5, "{}", rs.len());
    assert_eq!(origin, BookmarkOrigin::CURRENT);
    let table = r.handles[2];
    let r = h
        .run(vec![RopRequest::QueryPosition(QueryPositionRequest { logon_id: 0, input_handle_index: 0 })], vec![table]);
    let RopResponse::QueryPosition(p) = &r.rops[0] else { panic!() };
    let p = p.success.as_ref().unwrap();
    assert_eq!((p.numerator, p.denominator), (rs.len() as u32, 5));
}

#[test]
fn contents_table_sort_restrict_seek_bookmarks_findrow() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let sort = mapi_wire::sort::SortOrderSet {
        categorized: 0,
        expanded: 0,
        orders: vec![mapi_wire::sort::SortOrder {
            tag: PropTag::SUBJECT,
            order: mapi_wire::sort::SortDirection::ASCENDING,
        }],
    };
    let r = h.run(
        vec![
            open_folder(0, 1, inbox(&h)),
            contents(1, 2),
            set_columns(2, vec![PropTag::SUBJECT, PropTag::MESSAGE_DELIVERY_TIME]),
            RopRequest::SortTable(SortTableRequest {
                logon_id: 0,
                input_handle_index: 2,
                flags: AsyncFlags::SYNC,
                sort_order_set: sort,
            }),
            query_rows(2, 10, true, QueryRowsFlags::NO_ADVANCE),
            RopRequest::SeekRow(SeekRowRequest {
                logon_id: 0,
                input_handle_index: 2,
                origin: BookmarkOrigin::BEGINNING,
                row_count: 2,
                want_row_moved_count: true,
            }),
            RopRequest::CreateBookmark(CreateBookmarkRequest { logon_id: 0, input_handle_index: 2 }),
            RopRequest::SeekRow(SeekRowRequest {
                logon_id: 0,
                input_handle_index: 2,
                origin: BookmarkOrigin::END,
                row_count: 0,
                want_row_moved_count: true,
            }),
            query_rows(2, 2, false, QueryRowsFlags::ADVANCE),
            RopRequest::GetStatus(GetStatusRequest { logon_id: 0, input_handle_index: 2 }),
        ],
        vec![0, NONE, NONE],
    );
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
    let (_, rs) = rows(&r.rops[4]);
    let subjects: Vec<String> = rs
        .iter()
        .map(|row| {
            let v = match row {
                PropertyRow::Standard(v) => v.first().cloned(),
                PropertyRow::Flagged(v) => match v.first() {
                    Some(mapi_wire::prop_value::FlaggedValue::Value(v)) => Some(v.clone()),
                    _ => None,
                },
            };
            match v {
                Some(PropValue::String(s)) => s,
                _ => String::new(),
            }
        })
        .collect();
    let mut sorted: Vec<String> = INBOX_SUBJECTS.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    assert_eq!(subjects, sorted);
    // Exactly the row without a delivery time is flagged (capture 010).
    assert_eq!(rs.iter().filter(|r| matches!(r, PropertyRow::Flagged(_))).count(), 1);
    let RopResponse::SeekRow(s) = &r.rops[5] else { panic!() };
    let s = s.success.as_ref().unwrap();
    assert_eq!((s.has_sought_less, s.rows_sought), (false, 2));
    let RopResponse::CreateBookmark(b) = &r.rops[6] else { panic!() };
    let bookmark = b.success.as_ref().unwrap().bookmark.clone();
    let table = r.handles[2];
    let (origin, back) = rows(&r.rops[8]);
    assert_eq!((origin, back.len()), (BookmarkOrigin::CURRENT, 2));
    // Restrict to one subject, then FindRow and SeekRowBookmark.
    let restriction = Restriction::Content {
        fuzzy: mapi_wire::restriction::FuzzyLevel { low: 1, high: 1 },
        tag: PropTag::SUBJECT,
        value: mapi_wire::prop_value::TaggedValue { tag: PropTag::SUBJECT, value: PropValue::String("report".into()) },
    };
    let r = h.run(
        vec![
            set_columns(2, vec![PropTag::SUBJECT]),
            RopRequest::SeekRowBookmark(SeekRowBookmarkRequest {
                logon_id: 0,
                input_handle_index: 2,
                bookmark: bookmark.clone(),
                row_count: 1,
                want_row_moved_count: true,
            }),
            RopRequest::FindRow(FindRowRequest {
                logon_id: 0,
                input_handle_index: 2,
                flags: 0,
                restriction: Some(restriction.clone()),
                origin: BookmarkOrigin::BEGINNING,
                bookmark: vec![],
            }),
            RopRequest::Restrict(RestrictRequest {
                logon_id: 0,
                input_handle_index: 2,
                flags: AsyncFlags::SYNC,
                restriction: Some(restriction),
            }),
            query_rows(2, 10, true, QueryRowsFlags::ADVANCE),
            RopRequest::FreeBookmark(FreeBookmarkRequest {
                logon_id: 0,
                input_handle_index: 2,
                bookmark: bookmark.clone(),
            }),
            RopRequest::FreeBookmark(FreeBookmarkRequest { logon_id: 0, input_handle_index: 2, bookmark }),
            RopRequest::QueryColumnsAll(QueryColumnsAllRequest { logon_id: 0, input_handle_index: 2 }),
        ],
        vec![0, NONE, table],
    );
    assert_eq!(
        return_values(&r),
        vec![(0x12, 0), (0x19, 0), (0x4F, 0), (0x14, 0), (0x15, 0), (0x89, 0), (0x89, 0x8004_0405), (0x37, 0)]
    );
    let RopResponse::FindRow(f) = &r.rops[2] else { panic!() };
    assert!(f.success.as_ref().unwrap().row.is_some());
    let (_, rs) = rows(&r.rops[4]);
    assert_eq!(rs.len(), 1);
}

#[test]
fn setcolumns_unspecified_type_is_invalid_parameter_like_125() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let r = h.run(
        vec![
            open_folder(0, 1, inbox(&h)),
            contents(1, 2),
            set_columns(2, vec![PropTag(0x0037_0000)]),
            query_rows(2, 1, true, QueryRowsFlags::ADVANCE),
        ],
        vec![0, NONE, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x02, 0), (0x05, 0), (0x12, 0x8007_0057), (0x15, 0x4B9)]);
}

#[test]
fn hierarchy_table_with_depth_lists_descendants_flat() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let mb = store.mailbox(ALICE).unwrap();
    let ipm = mb.special_folder(SpecialFolder::IpmSubtree);
    let all = mb.subfolders(ipm, true).unwrap().len();
    let direct = mb.subfolders(ipm, false).unwrap().len();
    let r = h.run(
        vec![
            open_folder(0, 1, ipm),
            RopRequest::GetHierarchyTable(GetHierarchyTableRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
                table_flags: TableFlags(0x44),
            }),
            RopRequest::GetHierarchyTable(GetHierarchyTableRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 3,
                table_flags: TableFlags::USE_UNICODE,
            }),
            set_columns(2, vec![PropTag::FOLDER_ID, PropTag::DISPLAY_NAME, PropTag::DEPTH]),
            query_rows(2, 100, true, QueryRowsFlags::ADVANCE),
        ],
        vec![0, NONE, NONE, NONE],
    );
    let RopResponse::GetHierarchyTable(t) = &r.rops[1] else { panic!() };
    assert_eq!(t.success.as_ref().unwrap().row_count as usize, all);
    let RopResponse::GetHierarchyTable(t) = &r.rops[2] else { panic!() };
    assert_eq!(t.success.as_ref().unwrap().row_count as usize, direct);
    let (origin, rs) = rows(&r.rops[4]);
    assert_eq!((origin, rs.len()), (BookmarkOrigin::END, all));
    assert!(all > direct);
}

#[test]
fn store_rops_receive_folder_store_state_long_term_ids() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let fid = inbox(&h);
    let r = h.run(
        vec![
            RopRequest::GetReceiveFolder(GetReceiveFolderRequest {
                logon_id: 0,
                input_handle_index: 0,
                message_class: "IPM".into(),
            }),
            RopRequest::GetStoreState(GetStoreStateRequest { logon_id: 0, input_handle_index: 0 }),
            RopRequest::LongTermIdFromId(LongTermIdFromIdRequest {
                logon_id: 0,
                input_handle_index: 0,
                object_id: fid.0,
            }),
        ],
        vec![0],
    );
    assert_eq!(return_values(&r), vec![(0x27, 0), (0x7B, 0x8004_0FFF), (0x43, 0)]);
    let RopResponse::GetReceiveFolder(g) = &r.rops[0] else { panic!() };
    let g = g.success.as_ref().unwrap();
    assert_eq!((g.folder_id, g.explicit_message_class.as_str()), (fid, "IPM"));
    let RopResponse::LongTermIdFromId(l) = &r.rops[2] else { panic!() };
    let ltid = l.success.as_ref().unwrap().long_term_id;
    assert_eq!(ltid.guid, store.mailbox(ALICE).unwrap().info().replica_guid);
    let r = h.run(
        vec![RopRequest::IdFromLongTermId(IdFromLongTermIdRequest {
            logon_id: 0,
            input_handle_index: 0,
            long_term_id: ltid,
        })],
        vec![0],
    );
    let RopResponse::IdFromLongTermId(i) = &r.rops[0] else { panic!() };
    assert_eq!(i.success.as_ref().unwrap().object_id, fid.0);
}

fn modify(input: u8, columns: Vec<PropTag>, values: Vec<PropValue>, name: &str, address: &str) -> RopRequest {
    let row = RecipientRow::smtp(name, address, PropertyRow::Standard(values));
    RopRequest::ModifyRecipients(ModifyRecipientsRequest {
        logon_id: 0,
        input_handle_index: input,
        rows: vec![ModifyRecipientRow {
            row_id: 0,
            recipient_type: RecipientType(1),
            row: RecipientRowBytes::from_row(Some(&row), &columns[..2.min(columns.len())]).unwrap(),
        }],
        recipient_columns: columns,
    })
}

#[test]
fn create_save_submit_delivers_to_bob_and_moves_to_sent_items() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let alice = store.mailbox(ALICE).unwrap();
    let drafts = alice.special_folder(SpecialFolder::Drafts);
    let create = RopRequest::CreateMessage(CreateMessageRequest {
        logon_id: 0,
        input_handle_index: 0,
        output_handle_index: 1,
        code_page_id: 0x0FFF,
        folder_id: drafts,
        associated: false,
    });
    // Forbidden columns (030).
    let r = h.run(
        vec![
            create.clone(),
            modify(
                1,
                vec![PropTag::RECIPIENT_TYPE, PropTag::DISPLAY_NAME],
                vec![PropValue::I32(1), PropValue::String("Bob".into())],
                "Bob",
                BOB,
            ),
        ],
        vec![0, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x06, 0), (0x0E, 0x8007_0057)]);
    // The accepted form (031/033) + save + submit.
    let r = h.run(
        vec![
            create,
            modify(
                1,
                vec![PropTag::SMTP_ADDRESS, PropTag::DISPLAY_TYPE],
                vec![PropValue::String(BOB.into()), PropValue::I32(0)],
                "Bob Tester",
                BOB,
            ),
            RopRequest::SaveChangesMessage(SaveChangesMessageRequest {
                logon_id: 0,
                response_handle_index: 1,
                input_handle_index: 1,
                save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
            }),
            RopRequest::ReadRecipients(ReadRecipientsRequest {
                logon_id: 0,
                input_handle_index: 1,
                row_id: 0,
                reserved: 0,
            }),
            RopRequest::SubmitMessage(SubmitMessageRequest { logon_id: 0, input_handle_index: 1, submit_flags: 0 }),
        ],
        vec![0, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x06, 0), (0x0E, 0), (0x0C, 0), (0x0F, 0), (0x32, 0)]);
    let RopResponse::SaveChangesMessage(s) = &r.rops[2] else { panic!() };
    let mid = s.success.as_ref().unwrap().message_id;
    let RopResponse::ReadRecipients(rr) = &r.rops[3] else { panic!() };
    assert_eq!(rr.success.as_ref().unwrap().rows.0.len(), 1);
    // In alice's Sent Items (moved there: a new MID), not in Drafts; a
    // copy in bob's Inbox.
    let sent = alice.contents(alice.special_folder(SpecialFolder::SentItems), false).unwrap();
    assert_eq!(sent.len(), 2, "the seeded mail and the submitted one");
    assert!(sent.iter().all(|m| m.id != mid) && alice.message(mid).is_err());
    assert!(alice.contents(drafts, false).unwrap().is_empty());
    let bob = store.mailbox(BOB).unwrap();
    let got = bob.contents(bob.special_folder(SpecialFolder::Inbox), false).unwrap();
    assert_eq!(got.len(), 1);
    let p = &got[0].content.props;
    assert_eq!(p.string(PropTag::SENDER_SMTP_ADDRESS).as_deref(), Some(ALICE));
    assert_eq!(p.string(PropTag::RECEIVED_BY_SMTP_ADDRESS).as_deref(), Some(BOB));
    assert!(p.get(PropTag::MESSAGE_DELIVERY_TIME).is_some());
    assert!(p.get(PropTag::INTERNET_MESSAGE_ID).is_some());
}

#[test]
fn open_message_recipient_columns_read_flags_and_deletes() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let alice = store.mailbox(ALICE).unwrap();
    let fid = inbox(&h);
    let msgs = alice.contents(fid, false).unwrap();
    let mid = msgs[0].id;
    let r = h.run(
        vec![
            RopRequest::OpenMessage(OpenMessageRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                code_page_id: 0x0FFF,
                folder_id: fid,
                open_mode_flags: MessageOpenModeFlags::READ_WRITE,
                message_id: mid,
            }),
            RopRequest::SetMessageReadFlag(SetMessageReadFlagRequest {
                logon_id: 0,
                response_handle_index: 1,
                input_handle_index: 1,
                read_flags: ReadFlags::DEFAULT,
                client_data: None,
            }),
            RopRequest::OpenMessage(OpenMessageRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 2,
                code_page_id: 0x0FFF,
                folder_id: fid,
                open_mode_flags: MessageOpenModeFlags::READ_ONLY,
                message_id: MessageId::new(1, 0x00FF_FFFF),
            }),
        ],
        vec![0, NONE, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x03, 0), (0x11, 0), (0x03, 0x8004_010F)]);
    let RopResponse::OpenMessage(o) = &r.rops[0] else { panic!() };
    let info = o.success.as_ref().unwrap();
    assert_eq!(info.recipient_columns.len(), 6);
    let RopResponse::SetMessageReadFlag(s) = &r.rops[1] else { panic!() };
    assert_eq!(s.read_status_changed, Some(false));
    assert_eq!(alice.message(mid).unwrap().content.props.i32(PropTag::MESSAGE_FLAGS).unwrap() & 1, 1);
    // SetReadFlags clear with an unknown MID among them (055), then deletes.
    let r = h.run(
        vec![
            open_folder(0, 1, fid),
            RopRequest::SetReadFlags(SetReadFlagsRequest {
                logon_id: 0,
                input_handle_index: 1,
                want_asynchronous: false,
                read_flags: ReadFlags::CLEAR_READ_FLAG,
                message_ids: vec![mid, MessageId::new(1, 0x00FF_FFFF)],
            }),
            RopRequest::DeleteMessages(DeleteMessagesRequest {
                logon_id: 0,
                input_handle_index: 1,
                want_asynchronous: false,
                notify_non_read: false,
                message_ids: vec![msgs[1].id],
            }),
            RopRequest::HardDeleteMessages(HardDeleteMessagesRequest {
                logon_id: 0,
                input_handle_index: 1,
                want_asynchronous: false,
                notify_non_read: false,
                message_ids: vec![msgs[2].id, MessageId::new(1, 0x00FF_FFFE)],
            }),
        ],
        vec![0, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x02, 0), (0x66, 0), (0x1E, 0), (0x91, 0)]);
    let RopResponse::HardDeleteMessages(d) = &r.rops[3] else { panic!() };
    assert_eq!(d.partial_completion, Some(true));
    assert_eq!(alice.message(mid).unwrap().content.props.i32(PropTag::MESSAGE_FLAGS).unwrap() & 1, 0);
    assert_eq!(alice.contents(fid, false).unwrap().len(), 3);
}

#[test]
fn folder_create_duplicate_move_copy_delete() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let fid = inbox(&h);
    let create = |name: &str, open_existing: bool, out: u8| {
        RopRequest::CreateFolder(CreateFolderRequest {
            logon_id: 0,
            input_handle_index: 1,
            output_handle_index: out,
            folder_type: FolderType::GENERIC,
            use_unicode: true,
            open_existing,
            reserved: 0,
            display_name: name.into(),
            comment: String::new(),
        })
    };
    let r = h.run(
        vec![
            open_folder(0, 1, fid),
            create("Projects", false, 2),
            create("Projects", false, 3),
            create("Projects", true, 3),
        ],
        vec![0, NONE, NONE, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x02, 0), (0x1C, 0), (0x1C, 0x8004_0604), (0x1C, 0)]);
    let RopResponse::CreateFolder(c) = &r.rops[1] else { panic!() };
    let new = c.success.as_ref().unwrap().folder_id;
    let RopResponse::CreateFolder(c) = &r.rops[3] else { panic!() };
    assert_eq!(c.success.as_ref().unwrap().folder_id, new);
    let drafts = store.mailbox(ALICE).unwrap().special_folder(SpecialFolder::Drafts);
    let r = h.run(
        vec![
            open_folder(0, 1, fid),
            open_folder(0, 2, drafts),
            RopRequest::CopyFolder(MoveCopyFolderRequest {
                logon_id: 0,
                source_handle_index: 1,
                dest_handle_index: 2,
                want_asynchronous: false,
                want_recursive: true,
                use_unicode: true,
                folder_id: new,
                new_folder_name: "Copy".into(),
            }),
            RopRequest::MoveFolder(MoveCopyFolderRequest {
                logon_id: 0,
                source_handle_index: 1,
                dest_handle_index: 3,
                want_asynchronous: false,
                want_recursive: false,
                use_unicode: true,
                folder_id: new,
                new_folder_name: "Moved".into(),
            }),
            RopRequest::DeleteFolder(DeleteFolderRequest {
                logon_id: 0,
                input_handle_index: 1,
                flags: DeleteFolderFlags(0x05),
                folder_id: new,
            }),
            RopRequest::DeleteFolder(DeleteFolderRequest {
                logon_id: 0,
                input_handle_index: 1,
                flags: DeleteFolderFlags(0x05),
                folder_id: new,
            }),
        ],
        vec![0, NONE, NONE, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x02, 0), (0x02, 0), (0x36, 0), (0x35, 0x503), (0x1D, 0), (0x1D, 0x8004_010F)]);
}
