//! The store feeding the table engine, change probes, lookups.

use mapi_wire::ids::FolderId;
use mapi_wire::prop_value::{FileTime, PropValue, TaggedValue};
use mapi_wire::restriction::{FuzzyLevel, Restriction};
use mapi_wire::sort::{SortDirection, SortOrder, SortOrderSet};
use mapi_wire::{ErrorCode, Guid, PropTag, PropType};

use super::super::table::{Origin, TableView};
use super::super::*;
use super::{alice, mail};

#[test]
fn contents_table_with_restriction_sort_and_projection() {
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    for (s, read) in [("Welcome", false), ("quarterly report", true), ("HTML newsletter", false), ("Report Q4", false)]
    {
        mb.save_message(inbox, None, false, &mail(s, read), SaveMode::Normal).unwrap();
    }
    let rows = mb.contents(inbox, false).unwrap();
    let r = Restriction::Content {
        fuzzy: FuzzyLevel { low: FuzzyLevel::SUBSTRING, high: FuzzyLevel::IGNORE_CASE },
        tag: PropTag::SUBJECT,
        value: TaggedValue { tag: PropTag::SUBJECT, value: PropValue::String("report".into()) },
    };
    let sort = SortOrderSet::new(vec![SortOrder { tag: PropTag::SUBJECT, order: SortDirection::ASCENDING }]);
    let mut t = TableView::from_rows(&rows, |r| r.id.0, Some(&r), Some(&sort));
    assert_eq!(t.len(), 2);
    let (ids, origin) = t.query_rows(10, true, false);
    assert_eq!(origin, Origin::End);
    let subjects: Vec<String> = ids
        .iter()
        .map(|id| rows.iter().find(|r| r.id.0 == *id).unwrap().content.props.string(PropTag::SUBJECT).unwrap())
        .collect();
    assert_eq!(subjects, ["quarterly report", "Report Q4"]);

    // Column projection as QueryRows needs it.
    let row = &rows[1].content.props;
    let cols =
        [PropTag::MID, PropTag::SUBJECT.with_type(PropType::STRING8), PropTag::BODY, PropTag::MESSAGE_SIZE_EXTENDED];
    let v = row.project(&cols);
    assert_eq!(v[0], Ok(PropValue::I64(rows[1].id.0 as i64)));
    assert_eq!(v[1], Ok(PropValue::String8(b"quarterly report".to_vec())));
    assert_eq!(v[2], Err(ErrorCode::NOT_FOUND));
    assert!(matches!(v[3], Ok(PropValue::I64(n)) if n > 0));

    // Hierarchy rows work the same way.
    let folders = mb.subfolders(mb.special_folder(SpecialFolder::IpmSubtree), false).unwrap();
    let by_name = SortOrderSet::new(vec![SortOrder { tag: PropTag::DISPLAY_NAME, order: SortDirection::DESCENDING }]);
    let t = TableView::from_rows(&folders, |r| r.id.0, None, Some(&by_name));
    assert_eq!(t.ids().first(), Some(&mb.special_folder(SpecialFolder::Tasks).0));
}

#[test]
fn local_commit_time_and_deleted_count_probe_changes() {
    let store = Store::open_in_memory().unwrap();
    let t = Arc::new(std::sync::atomic::AtomicU64::new(1_000));
    let tc = t.clone();
    store.set_clock(Arc::new(move || FileTime(tc.load(std::sync::atomic::Ordering::SeqCst))));
    let mb = alice(&store);
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let probe = |mb: &Mailbox| {
        let p = mb.folder_props(inbox).unwrap();
        (p.get(PropTag::LOCAL_COMMIT_TIME_MAX).cloned(), p.i32(PropTag::DELETED_COUNT_TOTAL))
    };
    assert_eq!(probe(&mb), (Some(PropValue::Time(FileTime(1_000))), Some(0)));
    t.store(2_000, std::sync::atomic::Ordering::SeqCst);
    let id = mb.save_message(inbox, None, false, &mail("x", false), SaveMode::Normal).unwrap().id;
    assert_eq!(probe(&mb).0, Some(PropValue::Time(FileTime(2_000))));
    t.store(3_000, std::sync::atomic::Ordering::SeqCst);
    mb.set_read_flag(id, true).unwrap();
    assert_eq!(probe(&mb).0, Some(PropValue::Time(FileTime(3_000))));
    t.store(4_000, std::sync::atomic::Ordering::SeqCst);
    mb.delete_messages(inbox, &[id], false).unwrap();
    assert_eq!(probe(&mb), (Some(PropValue::Time(FileTime(4_000))), Some(1)));
}

#[test]
fn lookups_by_guid_and_entry_id() {
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    let found = store.mailbox_by_guid(mb.info().mailbox_guid).unwrap();
    assert_eq!(found.info(), mb.info());
    assert_eq!(store.mailbox_by_guid(Guid([9; 16])).unwrap_err().error_code(), ErrorCode::NOT_FOUND);
    let bob = store
        .create_mailbox(&NewMailbox { address: "bob@example.test", display_name: "Bob", ..Default::default() })
        .unwrap();
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    assert_eq!(bob.ids_from_entry_id(&mb.folder_entry_id(inbox)).unwrap_err().error_code(), ErrorCode::NOT_FOUND);
    assert!(bob.ids_from_entry_id(&[1, 2, 3]).is_err());
    assert!(mb.long_term_id(FolderId::new(5, 1).0).is_err());
    let mut foreign = mb.long_term_id(inbox.0).unwrap();
    foreign.guid = Guid([1; 16]);
    assert!(mb.id_from_long_term_id(&foreign).is_err());
}

#[test]
fn receive_folders() {
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    // capture 007 / corrections B9: "IPM" → Inbox, ExplicitMessageClass "IPM".
    assert_eq!(mb.receive_folder("IPM").unwrap(), (inbox, "IPM".to_string()));
    assert_eq!(mb.receive_folder("ipm.note").unwrap(), (inbox, "IPM".to_string()));
    assert_eq!(mb.receive_folder("").unwrap(), (inbox, String::new()));
    assert_eq!(mb.receive_folder("IPMX").unwrap(), (inbox, String::new()));
    assert_eq!(mb.receive_folder("Report.IPM.Note.NDR").unwrap(), (inbox, "REPORT.IPM".to_string()));
    assert_eq!(mb.receive_folder("IPC.Foo").unwrap(), (mb.special_folder(SpecialFolder::Root), "IPC".to_string()));
    assert!(store.public_folders().unwrap().receive_folder("IPM").is_err());
}

#[test]
fn events_are_published_after_commit_only() {
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    let (sub, rx) = store.subscribe_channel();
    let s = mb.info().store_id;
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let drafts = mb.special_folder(SpecialFolder::Drafts);
    let m = mb.save_message(inbox, None, false, &mail("a", false), SaveMode::Normal).unwrap().id;
    mb.set_read_flag(m, true).unwrap();
    let copies = mb.copy_messages(inbox, drafts, &[m]).unwrap();
    let moved = mb.move_messages(inbox, drafts, &[m]).unwrap()[0];
    mb.delete_messages(drafts, &[moved], true).unwrap();
    let (f, _) = mb.create_folder(inbox, "F", &PropBag::new(), false).unwrap();
    // A failing call publishes nothing.
    assert!(mb.create_folder(inbox, "F", &PropBag::new(), false).is_err());
    mb.delete_folder(f, DeleteFolderFlags::default()).unwrap();
    let got: Vec<StoreEvent> = rx.try_iter().collect();
    assert_eq!(
        got,
        vec![
            StoreEvent::MessageCreated { store: s, folder: inbox, message: m, fai: false },
            StoreEvent::MessageModified { store: s, folder: inbox, message: m, read_state_only: true },
            StoreEvent::MessageCopied { store: s, message: copies[0], folder: drafts, source: m, source_folder: inbox },
            StoreEvent::MessageMoved {
                store: s,
                message: moved,
                old_message: m,
                old_folder: inbox,
                new_folder: drafts
            },
            StoreEvent::MessageDeleted { store: s, folder: drafts, message: moved },
            StoreEvent::FolderCreated { store: s, folder: f, parent: inbox },
            StoreEvent::FolderDeleted { store: s, folder: f, parent: inbox },
        ]
    );
    store.unsubscribe(sub);
    mb.create_folder(inbox, "G", &PropBag::new(), false).unwrap();
    assert!(rx.try_recv().is_err());
    // A subscriber may call the store (events are published outside the lock).
    let mb2 = mb.clone();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    store.subscribe(move |e| {
        if let StoreEvent::FolderCreated { folder, .. } = e {
            let name = mb2.folder_props(*folder).unwrap().string(PropTag::DISPLAY_NAME).unwrap();
            seen2.lock().unwrap().push(name);
        }
    });
    mb.create_folder(inbox, "H", &PropBag::new(), false).unwrap();
    assert_eq!(*seen.lock().unwrap(), vec!["H".to_string()]);
}

#[test]
fn hierarchy_import_keeps_client_change_tracking() {
    use mapi_wire::Encode;
    use mapi_wire::ids::{GlobalCounter, PredecessorChangeList, Xid};
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let drafts = mb.special_folder(SpecialFolder::Drafts);
    let first = mb.reserve_ids(2).unwrap().value();
    let id = FolderId::new(REPLID, first);
    let client = Xid::from_counter(Guid([5; 16]), GlobalCounter::from_value(9));
    let mut pcl = PredecessorChangeList::new();
    pcl.insert(client.clone());
    let props = PropBag::from_pairs([
        (PropTag::DISPLAY_NAME, PropValue::String("Imported".into())),
        (PropTag::CONTAINER_CLASS, PropValue::String("IPF.Note".into())),
        (PropTag::CHANGE_KEY, PropValue::Binary(client.to_bytes().unwrap())),
        (PropTag::PREDECESSOR_CHANGE_LIST, PropValue::Binary(pcl.to_bytes().unwrap())),
    ]);
    let r = mb.import_folder(inbox, Some(id), &props).unwrap();
    assert!(r.created);
    assert_eq!(r.id, id);
    let p = mb.folder_props(id).unwrap();
    assert_eq!(p.get(PropTag::CHANGE_KEY), Some(&PropValue::Binary(client.to_bytes().unwrap())));
    assert_eq!(p.get(PropTag::SOURCE_KEY), Some(&PropValue::Binary(mb.source_key(first))));
    assert_eq!(p.get(PropTag::PREDECESSOR_CHANGE_LIST), Some(&PropValue::Binary(pcl.to_bytes().unwrap())));
    // Second import: move + rename, PCL grows.
    let client2 = Xid::from_counter(Guid([5; 16]), GlobalCounter::from_value(10));
    let props2 = PropBag::from_pairs([
        (PropTag::DISPLAY_NAME, PropValue::String("Renamed".into())),
        (PropTag::CHANGE_KEY, PropValue::Binary(client2.to_bytes().unwrap())),
    ]);
    let r2 = mb.import_folder(drafts, Some(id), &props2).unwrap();
    assert!(!r2.created);
    let f = mb.folder(id, false).unwrap();
    assert_eq!(f.parent, Some(drafts));
    assert_eq!(f.props.string(PropTag::DISPLAY_NAME).as_deref(), Some("Renamed"));
    assert_eq!(f.props.string(PropTag::CONTAINER_CLASS).as_deref(), Some("IPF.Note"));
    let mut pcl2 = PredecessorChangeList::new();
    pcl2.insert(client2.clone());
    assert_eq!(f.props.get(PropTag::PREDECESSOR_CHANGE_LIST), Some(&PropValue::Binary(pcl2.to_bytes().unwrap())));
    // Errors: unallocated id, cycle, missing name.
    let far = FolderId::new(REPLID, first + 1_000_000);
    assert_eq!(mb.import_folder(inbox, Some(far), &props).unwrap_err().error_code(), ErrorCode::INVALID_PARAMETER);
    let (child, _) = mb.create_folder(id, "child", &PropBag::new(), false).unwrap();
    assert_eq!(mb.import_folder(child, Some(id), &PropBag::new()).unwrap_err().error_code(), ErrorCode::FOLDER_CYCLE);
    assert_eq!(mb.import_folder(inbox, None, &PropBag::new()).unwrap_err().error_code(), ErrorCode::INVALID_PARAMETER);
    let r3 = mb
        .import_folder(inbox, None, &PropBag::from_pairs([(PropTag::DISPLAY_NAME, PropValue::String("New".into()))]))
        .unwrap();
    assert!(r3.created && r3.id.global_counter().value() > first + 1);
}

#[test]
fn atomically_commits_or_rolls_back_everything() {
    let store = Store::open_in_memory().unwrap();
    let alice = alice(&store);
    let bob = store
        .create_mailbox(&NewMailbox { address: "bob@example.test", display_name: "Bob", ..Default::default() })
        .unwrap();
    let (a_out, a_sent) = (alice.special_folder(SpecialFolder::Outbox), alice.special_folder(SpecialFolder::SentItems));
    let b_inbox = bob.special_folder(SpecialFolder::Inbox);
    let (_, rx) = store.subscribe_channel();
    let m = alice.save_message(a_out, None, false, &mail("hi bob", false), SaveMode::Normal).unwrap().id;
    assert_eq!(rx.try_iter().count(), 1);

    // A failing submit leaves nothing behind and publishes nothing.
    let err = store
        .atomically(|| {
            bob.save_message(b_inbox, None, false, &mail("hi bob", false), SaveMode::Normal)?;
            alice.move_messages(a_out, a_sent, &[m])?;
            alice.create_folder(a_sent, "", &PropBag::new(), false)?; // fails: no name
            Ok(())
        })
        .unwrap_err();
    assert_eq!(err.error_code(), ErrorCode::INVALID_PARAMETER);
    assert!(bob.contents(b_inbox, false).unwrap().is_empty());
    assert_eq!(alice.message(m).unwrap().folder, a_out);
    assert_eq!(rx.try_iter().count(), 0);

    // A failed call inside a successful section is undone alone.
    let delivered = store
        .atomically(|| {
            let d = bob.save_message(b_inbox, None, false, &mail("hi bob", false), SaveMode::Normal)?.id;
            assert!(alice.create_folder(a_sent, "", &PropBag::new(), false).is_err());
            let sent = store.atomically(|| alice.move_messages(a_out, a_sent, &[m]))?;
            Ok((d, sent))
        })
        .unwrap();
    let (delivered, sent) = delivered;
    assert_eq!(bob.contents(b_inbox, false).unwrap()[0].id, delivered);
    assert_eq!(alice.message(sent[0]).unwrap().folder, a_sent);
    let events: Vec<StoreEvent> = rx.try_iter().collect();
    assert_eq!(events.len(), 2, "{events:?}");

    // Another thread waits for the section to end.
    let bob2 = bob.clone();
    let store2 = store.clone();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let h = std::thread::spawn(move || {
        store2
            .atomically(|| {
                started_tx.send(()).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(200));
                bob2.create_folder(bob2.special_folder(SpecialFolder::Inbox), "late", &PropBag::new(), false)
            })
            .unwrap()
    });
    started_rx.recv().unwrap();
    // Blocks until the other section committed, then sees its folder.
    let seen = bob.find_folder(b_inbox, "late").unwrap();
    let (created, _) = h.join().unwrap();
    assert_eq!(seen, Some(created));
}

#[test]
fn atomically_rolls_back_on_panic() {
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = store.atomically(|| {
            mb.create_folder(inbox, "doomed", &PropBag::new(), false)?;
            panic!("boom");
            #[allow(unreachable_code)]
            Ok(())
        });
    }));
    assert!(r.is_err());
    assert_eq!(mb.find_folder(inbox, "doomed").unwrap(), None);
    mb.create_folder(inbox, "fine", &PropBag::new(), false).unwrap();
}
