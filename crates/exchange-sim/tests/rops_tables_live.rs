//! Open tables are live: a change committed through another session shows
//! in the table's next read, as on Exchange, whose table views follow the
//! store and notify subscribers ([MS-OXCNOTIF] 3.1.4.3 TableModified). The
//! executor caches a table's rows between reads, keyed by the mailbox's
//! change counter; these tests pin that the cache never hides a change.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::store::SpecialFolder;
use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{PropValue, PropertyRow, TaggedValue};
use mapi_wire::recipient::RecipientRow;
use mapi_wire::rop::*;
use mapi_wire::sort::{SortDirection, SortOrder, SortOrderSet};
use rops_common::*;

const NONE: u32 = u32::MAX;

fn query_rows(input: u8, n: u16, flags: QueryRowsFlags) -> RopRequest {
    RopRequest::QueryRows(QueryRowsRequest {
        logon_id: 0,
        input_handle_index: input,
        flags,
        forward_read: true,
        row_count: n,
    })
}

/// Runs `rops` on table `table` (slot 0) after a RopSetColumns of the same
/// columns: the response decoder learns a table's columns only from a
/// RopSetColumns in the same Execute, and setting the same columns moves
/// neither the cursor nor the rows.
fn on_table(h: &mut Harness, table: u32, rops: Vec<RopRequest>) -> RopResponseBuffer {
    let mut all = vec![RopRequest::SetColumns(SetColumnsRequest {
        logon_id: 0,
        input_handle_index: 0,
        flags: AsyncFlags::SYNC,
        columns: vec![PropTag::MID, PropTag::SUBJECT],
    })];
    all.extend(rops);
    let mut r = h.run(all, vec![table]);
    r.rops.remove(0);
    r
}

fn seek_beginning(input: u8) -> RopRequest {
    RopRequest::SeekRow(SeekRowRequest {
        logon_id: 0,
        input_handle_index: input,
        origin: BookmarkOrigin::BEGINNING,
        row_count: 0,
        want_row_moved_count: false,
    })
}

/// (MID, subject) of each row of a QueryRows response with those columns.
fn subjects(r: &RopResponse) -> Vec<(u64, String)> {
    let RopResponse::QueryRows(q) = r else { panic!("{r:?}") };
    let s = q.success.as_ref().unwrap();
    s.rows
        .iter()
        .map(|row| {
            let PropertyRow::Standard(v) = row else { panic!("{row:?}") };
            let (PropValue::I64(mid), PropValue::String(subject)) = (&v[0], &v[1]) else { panic!("{v:?}") };
            (*mid as u64, subject.clone())
        })
        .collect()
}

/// Opens `folder`'s contents table with (MID, subject) columns in a new
/// Execute of `h`; returns the table handle.
fn open_table(h: &mut Harness, logon: u32, folder: FolderId, sort: Option<SortOrderSet>) -> u32 {
    let mut rops = vec![
        RopRequest::OpenFolder(OpenFolderRequest {
            logon_id: 0,
            input_handle_index: 0,
            output_handle_index: 1,
            folder_id: folder,
            open_mode_flags: FolderOpenModeFlags::NONE,
        }),
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
    ];
    if let Some(sort_order_set) = sort {
        rops.push(RopRequest::SortTable(SortTableRequest {
            logon_id: 0,
            input_handle_index: 2,
            flags: AsyncFlags::SYNC,
            sort_order_set,
        }));
    }
    let r = h.run(rops, vec![logon, NONE, NONE]);
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
    r.handles[2]
}

/// bob sends alice a message through his own session (delivered to her
/// Inbox by RopSubmitMessage).
fn bob_sends_alice(store: &exchange_sim::store::Store, subject: &str) {
    let mut bob = Harness::new(store, BOB);
    let logon = bob.logon();
    let drafts = store.mailbox(BOB).unwrap().special_folder(SpecialFolder::Drafts);
    let row = RecipientRow::smtp(
        "Alice Tester",
        ALICE,
        PropertyRow::Standard(vec![PropValue::String(ALICE.into()), PropValue::I32(0)]),
    );
    let columns = vec![PropTag::SMTP_ADDRESS, PropTag::DISPLAY_TYPE];
    let r = bob.run(
        vec![
            RopRequest::CreateMessage(CreateMessageRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                code_page_id: 0x0FFF,
                folder_id: drafts,
                associated: false,
            }),
            RopRequest::SetProperties(SetPropertiesRequest {
                logon_id: 0,
                input_handle_index: 1,
                values: vec![TaggedValue { tag: PropTag::SUBJECT, value: PropValue::String(subject.into()) }],
            }),
            RopRequest::ModifyRecipients(ModifyRecipientsRequest {
                logon_id: 0,
                input_handle_index: 1,
                rows: vec![ModifyRecipientRow {
                    row_id: 0,
                    recipient_type: RecipientType(1),
                    row: RecipientRowBytes::from_row(Some(&row), &columns).unwrap(),
                }],
                recipient_columns: columns,
            }),
            RopRequest::SaveChangesMessage(SaveChangesMessageRequest {
                logon_id: 0,
                response_handle_index: 1,
                input_handle_index: 1,
                save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
            }),
            RopRequest::SubmitMessage(SubmitMessageRequest { logon_id: 0, input_handle_index: 1, submit_flags: 0 }),
        ],
        vec![logon, NONE],
    );
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
}

/// alice's second session renames message `mid` of her Inbox.
fn rename(h: &mut Harness, logon: u32, folder: FolderId, mid: u64, subject: &str) {
    let r = h.run(
        vec![
            RopRequest::OpenMessage(OpenMessageRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                code_page_id: 0x0FFF,
                folder_id: folder,
                open_mode_flags: MessageOpenModeFlags::READ_WRITE,
                message_id: MessageId(mid),
            }),
            RopRequest::SetProperties(SetPropertiesRequest {
                logon_id: 0,
                input_handle_index: 1,
                values: vec![TaggedValue { tag: PropTag::SUBJECT, value: PropValue::String(subject.into()) }],
            }),
            RopRequest::SaveChangesMessage(SaveChangesMessageRequest {
                logon_id: 0,
                response_handle_index: 1,
                input_handle_index: 1,
                save_flags: SaveFlags::KEEP_OPEN_READ_ONLY,
            }),
        ],
        vec![logon, NONE],
    );
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
}

#[test]
fn another_sessions_delivery_rename_and_delete_show_in_the_next_query_rows() {
    let store = seeded_store();
    let inbox = store.mailbox(ALICE).unwrap().special_folder(SpecialFolder::Inbox);
    let mut a = Harness::new(&store, ALICE);
    let logon = a.logon();
    let table = open_table(&mut a, logon, inbox, None);
    // Read two rows: the cursor stands on the third.
    let r = on_table(&mut a, table, vec![query_rows(0, 2, QueryRowsFlags::ADVANCE)]);
    let first = subjects(&r.rops[0]);
    assert_eq!(first.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>(), INBOX_SUBJECTS[..2]);

    // bob's session delivers a new message: it appears after the cursor
    // (MID order), and the cursor did not move.
    bob_sends_alice(&store, "Delivered while the table was open");
    let r = on_table(&mut a, table, vec![query_rows(0, 50, QueryRowsFlags::ADVANCE)]);
    let rest = subjects(&r.rops[0]);
    let rest_subjects: Vec<&str> = rest.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(rest_subjects[..3], INBOX_SUBJECTS[2..]);
    assert_eq!(rest_subjects[3], "Delivered while the table was open");
    assert_eq!(rest.len(), 4);

    // A second alice session renames the first row and deletes the second.
    let mut a2 = Harness::new(&store, ALICE);
    let logon2 = a2.logon();
    rename(&mut a2, logon2, inbox, first[0].0, "Renamed elsewhere");
    let r = a2.run(
        vec![
            RopRequest::OpenFolder(OpenFolderRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                folder_id: inbox,
                open_mode_flags: FolderOpenModeFlags::NONE,
            }),
            RopRequest::DeleteMessages(DeleteMessagesRequest {
                logon_id: 0,
                input_handle_index: 1,
                want_asynchronous: false,
                notify_non_read: false,
                message_ids: vec![MessageId(first[1].0)],
            }),
        ],
        vec![logon2, NONE],
    );
    assert_eq!(return_values(&r), vec![(0x02, 0), (0x1E, 0)]);

    let r = on_table(
        &mut a,
        table,
        vec![
            RopRequest::QueryPosition(QueryPositionRequest { logon_id: 0, input_handle_index: 0 }),
            seek_beginning(0),
            query_rows(0, 50, QueryRowsFlags::NO_ADVANCE),
        ],
    );
    let RopResponse::QueryPosition(p) = &r.rops[0] else { panic!() };
    // 5 seeded + 1 delivered - 1 deleted; the cursor still at the end.
    let p = p.success.as_ref().unwrap();
    assert_eq!((p.numerator, p.denominator), (5, 5));
    let now = subjects(&r.rops[2]);
    assert_eq!(now.len(), 5);
    assert_eq!(now[0], (first[0].0, "Renamed elsewhere".to_string()));
    assert!(now.iter().all(|(mid, _)| *mid != first[1].0), "the deleted row is gone");

    // Nothing changed since: the same read gives the same rows.
    let r = on_table(&mut a, table, vec![query_rows(0, 50, QueryRowsFlags::NO_ADVANCE)]);
    assert_eq!(subjects(&r.rops[0]), now);
}

#[test]
fn a_sorted_table_places_a_changed_row_by_the_sort_at_the_next_read() {
    let store = seeded_store();
    let inbox = store.mailbox(ALICE).unwrap().special_folder(SpecialFolder::Inbox);
    let mut a = Harness::new(&store, ALICE);
    let logon = a.logon();
    let by_subject = SortOrderSet::new(vec![SortOrder { tag: PropTag::SUBJECT, order: SortDirection::ASCENDING }]);
    let table = open_table(&mut a, logon, inbox, Some(by_subject));
    let r = on_table(&mut a, table, vec![query_rows(0, 50, QueryRowsFlags::NO_ADVANCE)]);
    let before = subjects(&r.rops[0]);
    assert_eq!(before[0].1, "HTML newsletter");
    let last = before.last().unwrap().clone();
    assert_eq!(last.1, "Welcome to the gromox test box");

    let mut a2 = Harness::new(&store, ALICE);
    let logon2 = a2.logon();
    rename(&mut a2, logon2, inbox, last.0, "AAA moved to the top");
    // The cursor stays on its row ("HTML newsletter"), now the second;
    // from the beginning the renamed row comes first.
    let r = on_table(
        &mut a,
        table,
        vec![
            query_rows(0, 50, QueryRowsFlags::NO_ADVANCE),
            seek_beginning(0),
            query_rows(0, 50, QueryRowsFlags::NO_ADVANCE),
        ],
    );
    let from_cursor = subjects(&r.rops[0]);
    assert_eq!(from_cursor.len(), before.len() - 1);
    assert_eq!(from_cursor[0], before[0]);
    let after = subjects(&r.rops[2]);
    assert_eq!(after[0], (last.0, "AAA moved to the top".to_string()));
    assert_eq!(after.len(), before.len());
}

#[test]
fn moves_copies_hard_deletes_and_read_changes_patch_an_open_table() {
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    let sent = alice.special_folder(SpecialFolder::SentItems);
    let mut a = Harness::new(&store, ALICE);
    let logon = a.logon();
    let table = open_table(&mut a, logon, inbox, None);
    let read_all = |a: &mut Harness| {
        let r = on_table(a, table, vec![seek_beginning(0), query_rows(0, 50, QueryRowsFlags::NO_ADVANCE)]);
        subjects(&r.rops[1])
    };
    let before = read_all(&mut a);
    assert_eq!(before.len(), 5);
    // Another writer: move the Sent Items mail in, copy one Inbox mail to
    // Sent Items and back, hard-delete the first row.
    let sent_mail = alice.contents(sent, false).unwrap()[0].id;
    let moved_in = alice.move_messages(sent, inbox, &[sent_mail]).unwrap()[0];
    let copy = alice.copy_messages(inbox, sent, &[MessageId(before[1].0)]).unwrap();
    let back = alice.copy_messages(sent, inbox, &copy).unwrap();
    alice.delete_messages(inbox, &[MessageId(before[0].0)], true).unwrap();
    let after = read_all(&mut a);
    let mids: Vec<u64> = after.iter().map(|(m, _)| *m).collect();
    assert_eq!(after.len(), 6, "5 - 1 deleted + 1 moved in + 1 copied in: {after:?}");
    assert!(!mids.contains(&before[0].0));
    assert!(mids.contains(&moved_in.0) && !mids.contains(&sent_mail.0), "a moved mail has a new MID");
    assert!(mids.contains(&back[0].0));
    assert_eq!(after.iter().find(|(m, _)| *m == moved_in.0).unwrap().1, "Sent before");
    // A read-state change shows in PidTagMessageFlags at the next read.
    let target = MessageId(before[2].0);
    let flags = |a: &mut Harness| {
        let r = a.run(
            vec![
                RopRequest::SetColumns(SetColumnsRequest {
                    logon_id: 0,
                    input_handle_index: 0,
                    flags: AsyncFlags::SYNC,
                    columns: vec![PropTag::MID, PropTag::MESSAGE_FLAGS],
                }),
                seek_beginning(0),
                query_rows(0, 50, QueryRowsFlags::NO_ADVANCE),
            ],
            vec![table],
        );
        let RopResponse::QueryRows(q) = &r.rops[2] else { panic!() };
        q.success
            .as_ref()
            .unwrap()
            .rows
            .iter()
            .find_map(|row| match row {
                PropertyRow::Standard(v) if v[0] == PropValue::I64(target.0 as i64) => match v[1] {
                    PropValue::I32(f) => Some(f),
                    _ => None,
                },
                _ => None,
            })
            .unwrap()
    };
    let was = flags(&mut a);
    assert!(alice.set_read_flag(target, was & 1 == 0).unwrap());
    assert_eq!(flags(&mut a) & 1, (was & 1) ^ 1, "mfRead flipped");
}
