//! The rest of the typed API end to end against exchange-sim: table seek and
//! bookmarks, folder move and empty, message update, embedded messages, ICS hierarchy
//! download (initial and incremental) and ICS upload (read states, deletes).
#![allow(missing_docs, clippy::unwrap_used)]

mod e2e_common;

use e2e_common::*;
use exchange_sim::store::{Attachment, MessageContent, PropBag, SaveMode, SpecialFolder as S, Store, message_flags};
use mapi_client::api::{IcsOptions, MailboxOptions, ObjectPath, SpecialFolder, TableSpec};
use mapi_wire::PropTag;
use mapi_wire::ids::MessageId;
use mapi_wire::prop_value::{PropValue, PropertyRow, TaggedValue};
use mapi_wire::rop::BookmarkOrigin;
use mapi_wire::sort::{SortDirection, SortOrder, SortOrderSet};

fn s(v: &str) -> PropValue {
    PropValue::String(v.into())
}

fn first_text(row: &PropertyRow) -> String {
    match row {
        PropertyRow::Standard(v) => match v.first() {
            Some(PropValue::String(t)) => t.clone(),
            other => format!("{other:?}"),
        },
        PropertyRow::Flagged(v) => format!("{:?}", v.first()),
    }
}

/// `n` messages "item 000".. in `user`'s Inbox.
fn seed(store: &Store, user: &str, n: usize) -> Vec<MessageId> {
    let mbx = store.mailbox(user).unwrap();
    (0..n)
        .map(|i| {
            let mut props = PropBag::new();
            props.set(PropTag::SUBJECT, s(&format!("item {i:03}")));
            props.set(PropTag::MESSAGE_CLASS, s("IPM.Note"));
            props.set(PropTag::IMPORTANCE, PropValue::I32(1));
            let content = MessageContent { props, ..MessageContent::default() };
            mbx.save_message(mbx.special_folder(S::Inbox), None, false, &content, SaveMode::Normal).unwrap().id
        })
        .collect()
}

#[tokio::test]
async fn table_seek_and_bookmarks() {
    let store = demo_store();
    seed(&store, ALICE, 20);
    let sim = start_with(store).await;
    let options = MailboxOptions { page_rows: 5, chain_tables: false, ..MailboxOptions::default() };
    let mb = logon_with(&sim, ALICE, basic(ALICE, PASSWORD), options).await;
    let spec = TableSpec::contents(mb.folder(SpecialFolder::Inbox), vec![PropTag::SUBJECT])
        .sorted(SortOrderSet::new(vec![SortOrder { tag: PropTag::SUBJECT, order: SortDirection::ASCENDING }]));
    let mut cursor = mb.open_table(spec).await.unwrap();
    // The first page is read chained: the simulator may send every row at once.
    assert_eq!(first_text(&cursor.first.rows[0]), "item 000");
    assert_eq!(cursor.seek(BookmarkOrigin::BEGINNING, 12).await.unwrap(), 12);
    let bookmark = cursor.bookmark().await.unwrap();
    let page = cursor.next_page().await.unwrap();
    assert_eq!(first_text(&page.rows[0]), "item 012");
    // Back to the bookmark, one row further.
    cursor.seek_bookmark(&bookmark, 1).await.unwrap();
    let page = cursor.next_page().await.unwrap();
    assert_eq!(first_text(&page.rows[0]), "item 013");
    cursor.free_bookmark(&bookmark).await.unwrap();
    // Seeking past the end moves only as far as there are rows.
    assert_eq!(cursor.seek(BookmarkOrigin::BEGINNING, 100).await.unwrap(), 20);
    assert_eq!(cursor.seek(BookmarkOrigin::END, -3).await.unwrap(), -3);
    let page = cursor.next_page().await.unwrap();
    let tail: Vec<String> = page.rows.iter().map(first_text).collect();
    assert_eq!(tail, ["item 017", "item 018", "item 019"]);
    cursor.close().await;
}

#[tokio::test]
async fn move_and_empty_folders_and_update_a_message() {
    let store = demo_store();
    let mids = seed(&store, ALICE, 3);
    let sim = start_with(store).await;
    let mb = logon(&sim, ALICE).await;
    let root = mb.folder(SpecialFolder::IpmSubtree);
    let inbox = mb.folder(SpecialFolder::Inbox);
    let projects = mb.create_folder(root, "Projekte", "", false).await.unwrap();
    let archive = mb.create_folder(root, "Archiv", "", false).await.unwrap();
    mb.move_copy(inbox, projects, &mids, true).await.unwrap();
    let store_box = sim.store().mailbox(ALICE).unwrap();
    assert_eq!(store_box.contents(projects, false).unwrap().len(), 3);

    // Move with a new name.
    mb.move_folder(root, archive, projects, "Projekte 2025").await.unwrap();
    let info = store_box.folder(projects, false).unwrap();
    assert_eq!(info.parent, Some(archive));
    assert_eq!(info.props.get(PropTag::DISPLAY_NAME), Some(&s("Projekte 2025")));
    assert_eq!(store_box.find_folder(root, "Projekte").unwrap(), None);

    // Empty: the messages go, the folder stays.
    mb.empty_folder(projects, false).await.unwrap();
    assert!(store_box.contents(projects, false).unwrap().is_empty());
    assert!(store_box.folder(projects, false).is_ok());

    // Update: one property set, one removed, saved.
    let mid = mids[0];
    mb.update_message(
        inbox,
        mid,
        &[TaggedValue { tag: PropTag::SUBJECT, value: s("renamed subject") }],
        &[PropTag::IMPORTANCE],
    )
    .await
    .unwrap();
    let m = store_box.message(mid).unwrap();
    assert_eq!(m.content.props.get(PropTag::SUBJECT), Some(&s("renamed subject")));
    assert_eq!(m.content.props.get(PropTag::IMPORTANCE), None);
}

#[tokio::test]
async fn ics_hierarchy_initial_then_only_the_changes() {
    let sim = start().await;
    let mb = logon(&sim, ALICE).await;
    let root = mb.folder(SpecialFolder::IpmSubtree);
    let options = IcsOptions::hierarchy();
    let initial = mb.sync_hierarchy(root, None, &options).await.unwrap();
    let names = format!("{:?}", initial.folder_changes);
    assert!(names.contains("Inbox") && names.contains("Sent Items"), "{names}");
    let quiet = mb.sync_hierarchy(root, Some(&initial.state), &options).await.unwrap();
    assert!(quiet.folder_changes.is_empty() && quiet.deletions.is_none(), "{quiet:?}");

    // One folder created by someone else, one deleted.
    let store_box = sim.store().mailbox(ALICE).unwrap();
    let (gone, _) = store_box.create_folder(root, "Kurzlebig", &PropBag::new(), false).unwrap();
    let after_create = mb.sync_hierarchy(root, Some(&initial.state), &options).await.unwrap();
    assert_eq!(after_create.folder_changes.len(), 1);
    store_box.create_folder(root, "Neu", &PropBag::new(), false).unwrap();
    mb.delete_folder(root, gone, true).await.unwrap();
    let inc = mb.sync_hierarchy(root, Some(&after_create.state), &options).await.unwrap();
    assert_eq!(inc.folder_changes.len(), 1, "{:?}", inc.folder_changes);
    assert!(format!("{:?}", inc.folder_changes[0]).contains("Neu"));
    assert!(inc.deletions.as_ref().and_then(|d| d.deleted().unwrap()).is_some(), "the deleted folder: {inc:?}");
}

#[tokio::test]
async fn ics_upload_read_states_and_deletes() {
    let store = demo_store();
    let mids = seed(&store, ALICE, 3);
    let sim = start_with(store).await;
    let mb = logon(&sim, ALICE).await;
    let inbox = mb.folder(SpecialFolder::Inbox);
    let spec = TableSpec::contents(inbox, vec![PropTag::SOURCE_KEY, PropTag::MID]);
    let keys: Vec<(Vec<u8>, i64)> = mb
        .query_all(&spec)
        .await
        .unwrap()
        .rows
        .iter()
        .map(|r| match r {
            PropertyRow::Standard(v) => match (&v[0], &v[1]) {
                (PropValue::Binary(k), PropValue::I64(m)) => (k.clone(), *m),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        })
        .collect();
    let key_of = |mid: MessageId| keys.iter().find(|(_, m)| *m as u64 == mid.0).unwrap().0.clone();
    let store_box = sim.store().mailbox(ALICE).unwrap();
    let flags = |mid: MessageId| match store_box.message(mid).unwrap().content.props.get(PropTag::MESSAGE_FLAGS) {
        Some(PropValue::I32(f)) => *f,
        _ => 0,
    };
    assert_eq!(flags(mids[0]) & message_flags::READ, 0);

    mb.upload_read_states(inbox, &[(key_of(mids[0]), true), (key_of(mids[1]), false)], None).await.unwrap();
    assert_eq!(flags(mids[0]) & message_flags::READ, message_flags::READ);
    assert_eq!(flags(mids[1]) & message_flags::READ, 0);

    mb.upload_deletes(inbox, &[key_of(mids[2])], true, None).await.unwrap();
    let left: Vec<MessageId> =
        store_box.contents(store_box.special_folder(S::Inbox), false).unwrap().iter().map(|m| m.id).collect();
    assert_eq!(left.len(), 2);
    assert!(!left.contains(&mids[2]));
}

#[tokio::test]
async fn embedded_message_properties_and_body_stream() {
    let store = demo_store();
    let mbx = store.mailbox(ALICE).unwrap();
    // A body longer than one stream chunk read in several RopReadStream calls.
    let inner_body: String = (0..4000).map(|i| format!("line {i} of the forwarded mail\n")).collect();
    let inner = MessageContent {
        props: PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, s("IPM.Note")),
            (PropTag::SUBJECT, s("Quartalszahlen")),
            (PropTag::BODY, s(&inner_body)),
        ]),
        ..MessageContent::default()
    };
    let outer = MessageContent {
        props: PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, s("IPM.Note")),
            (PropTag::SUBJECT, s("Fwd: Quartalszahlen")),
        ]),
        attachments: vec![Attachment {
            props: PropBag::from_pairs([
                (PropTag::ATTACH_METHOD, PropValue::I32(5)),
                (PropTag::DISPLAY_NAME, s("Quartalszahlen")),
            ]),
            embedded: Some(Box::new(inner)),
        }],
        ..MessageContent::default()
    };
    let inbox_id = mbx.special_folder(S::Inbox);
    let mid = mbx.save_message(inbox_id, None, false, &outer, SaveMode::Normal).unwrap().id;
    let sim = start_with(store).await;
    let mb = logon(&sim, ALICE).await;
    let inbox = mb.folder(SpecialFolder::Inbox);
    let atts = mb.attachment_table(inbox, mid, &[PropTag::ATTACH_NUMBER, PropTag::ATTACH_METHOD], 10).await.unwrap();
    assert_eq!(atts.rows.len(), 1);
    let PropertyRow::Standard(cells) = &atts.rows[0] else { panic!("{atts:?}") };
    let (PropValue::I32(num), PropValue::I32(5)) = (&cells[0], &cells[1]) else { panic!("{cells:?}") };
    let path = ObjectPath::Embedded { folder: inbox, mid, num: *num as u32 };
    let props = mb.properties(path, Some(&[PropTag::SUBJECT])).await.unwrap();
    assert_eq!(props[0].value, s("Quartalszahlen"));
    let body = mb.read_object_stream(path, PropTag::BODY).await.unwrap();
    let utf16: Vec<u16> = body.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    let text = String::from_utf16(&utf16).unwrap();
    assert_eq!(text.trim_end_matches('\0'), inner_body);
}
