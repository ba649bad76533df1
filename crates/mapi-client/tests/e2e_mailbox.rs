//! The typed API end to end against exchange-sim's ROP executor: logon and
//! special folders, folders, message create/read/submit, tables, bulk
//! operations, named properties.
#![allow(missing_docs, clippy::unwrap_used)]

mod e2e_common;

use e2e_common::*;
use mapi_client::api::{NewAttachment, NewMessage, ObjectPath, SpecialFolder, TableSpec, WriteReport};
use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{FlaggedValue, PropValue, PropertyRow, TaggedValue};
use mapi_wire::recipient::RecipientRow;
use mapi_wire::rop::{ModifyRecipientRow, ReadFlags, RecipientRowBytes, RecipientType};

fn cell(row: &PropertyRow, i: usize) -> Option<&PropValue> {
    match row {
        PropertyRow::Standard(v) => v.get(i),
        PropertyRow::Flagged(v) => match v.get(i) {
            Some(FlaggedValue::Value(v)) => Some(v),
            _ => None,
        },
    }
}

fn string(row: &PropertyRow, i: usize) -> String {
    match cell(row, i) {
        Some(PropValue::String(s)) => s.clone(),
        other => panic!("column {i}: {other:?}"),
    }
}

fn mid(row: &PropertyRow, i: usize) -> MessageId {
    match cell(row, i) {
        Some(PropValue::I64(v)) => MessageId::from_wire(v.to_le_bytes()),
        other => panic!("column {i}: {other:?}"),
    }
}

fn value(values: &[TaggedValue], tag: PropTag) -> Option<&PropValue> {
    values.iter().find(|v| v.tag == tag).map(|v| &v.value)
}

fn s(v: &str) -> PropValue {
    PropValue::String(v.into())
}

/// Subjects of a folder's contents table (unsorted).
async fn subjects(mb: &mapi_client::api::Mailbox, folder: FolderId) -> Vec<String> {
    let rows = mb.query_all(&TableSpec::contents(folder, vec![PropTag::SUBJECT])).await.unwrap();
    rows.rows.iter().map(|r| string(r, 0)).collect()
}

#[tokio::test]
async fn logon_and_special_folders() {
    let sim = start().await;
    let mb = logon(&sim, ALICE).await;
    let store = sim.store().mailbox(ALICE).unwrap();
    use exchange_sim::store::SpecialFolder as S;
    for (ours, theirs) in [
        (SpecialFolder::Inbox, S::Inbox),
        (SpecialFolder::Outbox, S::Outbox),
        (SpecialFolder::SentItems, S::SentItems),
        (SpecialFolder::DeletedItems, S::DeletedItems),
    ] {
        assert_eq!(mb.folder(ours), store.special_folder(theirs), "{ours:?}");
    }
    let sf = mb.special_folders().await.unwrap();
    assert_eq!(sf.inbox, Some(mb.folder(SpecialFolder::Inbox)));
    assert!(sf.calendar.is_some() && sf.contacts.is_some() && sf.drafts.is_some(), "{sf:?}");
    assert!(sf.junk.is_some(), "{sf:?}");
    let (inbox, class) = mb.receive_folder("IPM.Note").await.unwrap();
    assert_eq!(inbox, mb.folder(SpecialFolder::Inbox));
    assert_eq!(class.to_ascii_uppercase(), "IPM");
}

#[tokio::test]
async fn create_list_rename_delete_folder() {
    let sim = start().await;
    let mb = logon(&sim, ALICE).await;
    let inbox = mb.folder(SpecialFolder::Inbox);
    let child = mb.create_folder(inbox, "Projects", "e2e", false).await.unwrap();
    let again = mb.create_folder(inbox, "Projects", "e2e", true).await.unwrap();
    assert_eq!(again, child, "open_existing returns the same folder");
    let grandchild = mb.create_folder(child, "2026", "", false).await.unwrap();
    let cols = vec![PropTag::DISPLAY_NAME, PropTag::FOLDER_ID];
    let flat = mb.query_all(&TableSpec::hierarchy(inbox, cols.clone(), false)).await.unwrap();
    let names: Vec<String> = flat.rows.iter().map(|r| string(r, 0)).collect();
    assert_eq!(names, ["Projects"]);
    let deep = mb.query_all(&TableSpec::hierarchy(inbox, cols.clone(), true)).await.unwrap();
    let mut names: Vec<String> = deep.rows.iter().map(|r| string(r, 0)).collect();
    names.sort();
    assert_eq!(names, ["2026", "Projects"]);
    mb.rename_folder(child, "Archive").await.unwrap();
    let flat = mb.query_all(&TableSpec::hierarchy(inbox, cols.clone(), false)).await.unwrap();
    assert_eq!(string(&flat.rows[0], 0), "Archive");
    // The store agrees.
    let store = sim.store().mailbox(ALICE).unwrap();
    let _ = grandchild;
    assert!(mb.delete_folder(inbox, child, true).await.unwrap(), "deleted with its subfolder");
    let flat = mb.query_all(&TableSpec::hierarchy(inbox, cols, true)).await.unwrap();
    assert!(flat.rows.is_empty(), "{flat:?}");
    drop(store);
}

fn recipient(name: &str, addr: &str) -> ModifyRecipientRow {
    let cols = [PropTag::SMTP_ADDRESS];
    let row = RecipientRow::smtp(name, addr, PropertyRow::Standard(vec![s(addr)]));
    ModifyRecipientRow {
        row_id: 0,
        recipient_type: RecipientType::TO,
        row: RecipientRowBytes::from_row(Some(&row), &cols).unwrap(),
    }
}

fn attachment(name: &str, data: &[u8]) -> NewAttachment {
    NewAttachment {
        properties: vec![
            TaggedValue { tag: PropTag::ATTACH_METHOD, value: PropValue::I32(1) },
            TaggedValue { tag: PropTag::ATTACH_LONG_FILENAME, value: s(name) },
            TaggedValue { tag: PropTag::ATTACH_DATA_BINARY, value: PropValue::Binary(data.to_vec()) },
        ],
    }
}

#[tokio::test]
async fn create_read_back_and_submit_to_a_local_user() {
    let sim = start().await;
    let mb = logon(&sim, ALICE).await;
    let sf = mb.special_folders().await.unwrap();
    let drafts = sf.drafts.unwrap();
    // A 100 KB body (UTF-16 on the wire: 200 KB), streamed both ways.
    let body: String = (0..100 * 1024).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    let msg = NewMessage {
        folder: drafts,
        properties: vec![
            TaggedValue { tag: PropTag::MESSAGE_CLASS, value: s("IPM.Note") },
            TaggedValue { tag: PropTag::SUBJECT, value: s("Draft with attachment") },
            TaggedValue { tag: PropTag::BODY, value: s(&body) },
        ],
        recipient_columns: vec![PropTag::SMTP_ADDRESS],
        recipients: vec![recipient("Bob Tester", BOB)],
        attachments: vec![attachment("report.bin", &data)],
        ..NewMessage::default()
    }
    .with_unique_search_key()
    .unwrap();
    let WriteReport::Done(draft) = mb.create_message(&msg, false).await.unwrap() else { panic!() };
    assert_eq!(mb.find_by_search_key(drafts, msg.search_key.as_ref().unwrap()).await.unwrap(), Some(draft));

    let props = mb.message_properties(drafts, draft, Some(&[PropTag::SUBJECT, PropTag::BODY])).await.unwrap();
    assert_eq!(value(&props, PropTag::SUBJECT), Some(&s("Draft with attachment")));
    assert_eq!(value(&props, PropTag::BODY), Some(&s(&body)), "large body read through a stream");
    let mut streamed = mb.read_stream(drafts, draft, PropTag::BODY).await.unwrap();
    // The simulator's string streams end with the UTF-16 terminator.
    if streamed.ends_with(&[0, 0]) {
        streamed.truncate(streamed.len() - 2);
    }
    assert_eq!(streamed.len(), body.len() * 2);
    assert_eq!(
        String::from_utf16(&streamed.chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect::<Vec<_>>()).unwrap(),
        body
    );

    let rcpts = mb.recipients(drafts, draft).await.unwrap();
    assert_eq!(rcpts.len(), 1, "{rcpts:?}");
    assert_eq!(rcpts[0].recipient_type.0 & 0x0F, RecipientType::TO.0);
    assert!(format!("{:?}", rcpts[0].row).contains(BOB), "{rcpts:?}");

    let atts =
        mb.attachment_table(drafts, draft, &[PropTag::ATTACH_NUMBER, PropTag::ATTACH_LONG_FILENAME], 10).await.unwrap();
    assert_eq!(atts.rows.len(), 1);
    assert_eq!(string(&atts.rows[0], 1), "report.bin");
    let Some(PropValue::I32(num)) = cell(&atts.rows[0], 0) else { panic!("{atts:?}") };
    let a = mb
        .properties(
            ObjectPath::Attachment { folder: drafts, mid: draft, num: *num as u32 },
            Some(&[PropTag::ATTACH_DATA_BINARY]),
        )
        .await
        .unwrap();
    assert_eq!(value(&a, PropTag::ATTACH_DATA_BINARY), Some(&PropValue::Binary(data.clone())));

    // Send a copy to bob: it lands in his Inbox and in alice's Sent Items.
    let send = NewMessage {
        folder: mb.folder(SpecialFolder::Outbox),
        properties: vec![
            TaggedValue { tag: PropTag::MESSAGE_CLASS, value: s("IPM.Note") },
            TaggedValue { tag: PropTag::SUBJECT, value: s("Hello Bob") },
            TaggedValue { tag: PropTag::BODY, value: s("short body") },
        ],
        ..msg.clone()
    }
    .with_unique_search_key()
    .unwrap();
    let WriteReport::Done(_) = mb.create_message(&send, true).await.unwrap() else { panic!() };
    assert!(subjects(&mb, mb.folder(SpecialFolder::SentItems)).await.contains(&"Hello Bob".to_owned()));
    assert!(!subjects(&mb, mb.folder(SpecialFolder::Outbox)).await.contains(&"Hello Bob".to_owned()));
    let bob = logon(&sim, BOB).await;
    let inbox = bob.folder(SpecialFolder::Inbox);
    let rows = bob
        .query_all(&TableSpec::contents(inbox, vec![PropTag::SUBJECT, PropTag::MID, PropTag::HAS_ATTACHMENTS]))
        .await
        .unwrap();
    assert_eq!(rows.rows.len(), 1, "{rows:?}");
    assert_eq!(string(&rows.rows[0], 0), "Hello Bob");
    let got = mid(&rows.rows[0], 1);
    let atts = bob.attachment_table(inbox, got, &[PropTag::ATTACH_LONG_FILENAME], 10).await.unwrap();
    assert_eq!(string(&atts.rows[0], 0), "report.bin");
}

/// Seeds `n` messages into `user`'s Inbox through the store API (no ROPs).
pub fn seed(store: &exchange_sim::store::Store, user: &str, n: usize) {
    use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder as S};
    let mbx = store.mailbox(user).unwrap();
    let inbox = mbx.special_folder(S::Inbox);
    for i in 0..n {
        let mut props = PropBag::new();
        props.set(PropTag::SUBJECT, s(&format!("msg {i:05}")));
        props.set(PropTag::MESSAGE_CLASS, s("IPM.Note"));
        props.set(PropTag::IMPORTANCE, PropValue::I32((i % 3) as i32));
        let content = MessageContent { props, ..MessageContent::default() };
        mbx.save_message(inbox, None, false, &content, SaveMode::Normal).unwrap();
    }
}

#[tokio::test]
async fn table_sort_restrict_and_paging_over_many_rows() {
    use mapi_wire::restriction::{RelOp, Restriction};
    use mapi_wire::sort::{SortDirection, SortOrder, SortOrderSet};
    let store = demo_store();
    seed(&store, ALICE, 3000);
    let sim = start_with(store).await;
    let mb = logon(&sim, ALICE).await;
    let inbox = mb.folder(SpecialFolder::Inbox);
    let spec = TableSpec::contents(inbox, vec![PropTag::SUBJECT, PropTag::IMPORTANCE, PropTag::MID])
        .sorted(SortOrderSet::new(vec![SortOrder { tag: PropTag::SUBJECT, order: SortDirection::DESCENDING }]))
        .restricted(Restriction::Property {
            op: RelOp::EQ,
            tag: PropTag::IMPORTANCE,
            value: TaggedValue { tag: PropTag::IMPORTANCE, value: PropValue::I32(2) },
        });
    let first = mb.query(&spec, 5).await.unwrap();
    // RowCount of RopGetContentsTable is the folder's, before RopRestrict.
    assert_eq!(first.total, 3000);
    let got: Vec<String> = first.rows.iter().map(|r| string(r, 0)).collect();
    assert_eq!(got, ["msg 02999", "msg 02996", "msg 02993", "msg 02990", "msg 02987"]);
    let all = mb.query_all(&spec).await.unwrap();
    assert_eq!(all.rows.len(), 1000);
    assert!(all.rows.windows(2).all(|w| string(&w[0], 0) > string(&w[1], 0)), "sorted descending");
    assert!(all.rows.iter().all(|r| cell(r, 1) == Some(&PropValue::I32(2))));
    // Small pages without chaining: the cursor walks 3000 rows in order with no
    // gap or repeat.
    let options = mapi_client::api::MailboxOptions {
        page_rows: 400,
        chain_tables: false,
        ..mapi_client::api::MailboxOptions::default()
    };
    let mb = logon_with(&sim, ALICE, basic(ALICE, PASSWORD), options).await;
    let before = mb.wire_counters();
    let mut cursor = mb
        .open_table(
            TableSpec::contents(inbox, vec![PropTag::SUBJECT])
                .sorted(SortOrderSet::new(vec![SortOrder { tag: PropTag::SUBJECT, order: SortDirection::ASCENDING }])),
        )
        .await
        .unwrap();
    let mut seen: Vec<String> = cursor.first.rows.iter().map(|r| string(r, 0)).collect();
    let mut pages = 1;
    while !cursor.first.at_end {
        pages += 1;
        let page = cursor.next_page().await.unwrap();
        seen.extend(page.rows.iter().map(|r| string(r, 0)));
        if page.at_end || page.rows.is_empty() {
            break;
        }
    }
    cursor.close().await;
    let want: Vec<String> = (0..3000).map(|i| format!("msg {i:05}")).collect();
    assert_eq!(seen, want);
    let trips = mb.wire_counters().round_trips - before.round_trips;
    // open_table reads its first page chained, so the simulator may send every row
    // at once; later pages are plain QueryRows of at most 400 rows.
    assert!(trips <= pages, "{trips} round trips for {pages} pages");
}

#[tokio::test]
async fn bulk_read_flags_move_copy_and_delete() {
    let store = demo_store();
    seed(&store, ALICE, 600);
    let sim = start_with(store).await;
    let mb = logon(&sim, ALICE).await;
    let inbox = mb.folder(SpecialFolder::Inbox);
    let deleted = mb.folder(SpecialFolder::DeletedItems);
    let cols = vec![PropTag::MID, PropTag::READ];
    let rows = mb.query_all(&TableSpec::contents(inbox, cols.clone())).await.unwrap();
    let mids: Vec<MessageId> = rows.rows.iter().map(|r| mid(r, 0)).collect();
    assert_eq!(mids.len(), 600);
    assert!(rows.rows.iter().all(|r| cell(r, 1) != Some(&PropValue::Bool(true))));

    let out = mb.set_read_flags(inbox, &mids, ReadFlags::SUPPRESS_RECEIPT).await.unwrap();
    assert!(!out.partial);
    let rows = mb.query_all(&TableSpec::contents(inbox, cols.clone())).await.unwrap();
    assert!(rows.rows.iter().all(|r| cell(r, 1) == Some(&PropValue::Bool(true))), "all read");
    mb.set_read_flags(inbox, &mids[..100], ReadFlags::CLEAR_READ_FLAG).await.unwrap();
    let rows = mb.query_all(&TableSpec::contents(inbox, cols.clone())).await.unwrap();
    assert_eq!(rows.rows.iter().filter(|r| cell(r, 1) == Some(&PropValue::Bool(true))).count(), 500);

    let archive = mb.create_folder(inbox, "Archive", "", false).await.unwrap();
    mb.move_copy(inbox, archive, &mids[..200], true).await.unwrap();
    mb.move_copy(inbox, archive, &mids[200..300], false).await.unwrap();
    assert_eq!(subjects(&mb, archive).await.len(), 300);
    assert_eq!(subjects(&mb, inbox).await.len(), 500);

    mb.delete_messages(inbox, &mids[300..], false).await.unwrap();
    assert_eq!(subjects(&mb, inbox).await.len(), 200, "only the copied ones stay");
    let _ = deleted;
    mb.delete_messages(inbox, &mids[..200], true).await.unwrap();
    assert!(subjects(&mb, inbox).await.is_empty());
}

#[tokio::test]
async fn named_properties_resolve_create_and_cache() {
    use mapi_wire::named::PropertyName;
    let sim = start().await;
    let mb = logon(&sim, ALICE).await;
    let ps_public = mapi_wire::Guid::parse("00020329-0000-0000-C000-000000000046").unwrap();
    let names = vec![
        PropertyName::Name { guid: ps_public, name: "Keywords".into() },
        PropertyName::Id { guid: ps_public, lid: 0x8123 },
    ];
    let none = mb.property_ids(&names, false).await;
    let ids = mb.property_ids(&names, true).await.unwrap();
    assert_eq!(ids.len(), 2);
    assert!(ids.iter().all(|&id| id >= 0x8000), "{ids:x?} (lookup without create: {none:?})");
    assert_ne!(ids[0], ids[1]);
    let before = mb.wire_counters();
    assert_eq!(mb.property_ids(&names, false).await.unwrap(), ids);
    assert_eq!(mb.wire_counters().round_trips, before.round_trips, "cached per store");
    // A fresh session of the same user gets the same ids from the server.
    let mb2 = logon(&sim, ALICE).await;
    assert_eq!(mb2.property_ids(&names, false).await.unwrap(), ids);
}
