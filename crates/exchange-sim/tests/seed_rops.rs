//! A seeded Inbox lists through the ROP executor (OpenFolder,
//! GetContentsTable, SetColumns, QueryRows).
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::seed::{SeedOptions, seed};
use exchange_sim::store::{SpecialFolder, Store};
use mapi_wire::prop_value::{PropValue, PropertyRow};
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};
use rops_common::*;

#[test]
fn seeded_inbox_lists_through_the_executor() {
    let store = Store::open_in_memory().unwrap();
    let report =
        seed(&store, &SeedOptions { users: vec!["alice".into(), "bob".into()], messages: 8, seed: 3 }).unwrap();
    assert_eq!(report.messages, 16);
    let mut h = Harness::new(&store, "alice@example.test");
    let logon = h.logon();
    let inbox = store.mailbox("alice@example.test").unwrap().special_folder(SpecialFolder::Inbox);
    let r = h.run(
        vec![
            RopRequest::OpenFolder(OpenFolderRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                folder_id: inbox,
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
                columns: vec![PropTag::SUBJECT, PropTag(0x0C1A_001F)],
            }),
            RopRequest::QueryRows(QueryRowsRequest {
                logon_id: 0,
                input_handle_index: 2,
                flags: QueryRowsFlags::ADVANCE,
                forward_read: true,
                row_count: 50,
            }),
        ],
        vec![logon, u32::MAX, u32::MAX],
    );
    let RopResponse::QueryRows(q) = &r.rops[3] else { panic!("{:?}", r.rops[3]) };
    assert_eq!(q.return_value, ErrorCode::SUCCESS);
    let rows = &q.success.as_ref().unwrap().rows;
    assert_eq!(rows.len(), 6, "6 of 8 messages are received");
    let subjects: Vec<String> = rows
        .iter()
        .map(|r| match r {
            PropertyRow::Standard(v) => match &v[0] {
                PropValue::String(s) => s.clone(),
                o => panic!("{o:?}"),
            },
            PropertyRow::Flagged(v) => panic!("{v:?}"),
        })
        .collect();
    assert!(subjects.iter().all(|s| !s.is_empty()));
    assert!(subjects.iter().any(|s| s.starts_with("RE: ")), "threads: {subjects:?}");
}
