//! Store tests: persistence, ids, change tracking, counts, named
//! properties, permissions, folder and message operations, concurrency.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use mapi_wire::ids::{FolderId, Gid, GlobalCounter, MessageId, PredecessorChangeList, Xid};
use mapi_wire::named::PropertyName;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{PS_MAPI, PS_PUBLIC_STRINGS};
use mapi_wire::{Decode, Encode, ErrorCode, Guid, PropTag};

use super::*;

/// A fresh directory under the system temp dir (removed on drop).
pub(super) struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "exchange-sim-store-{}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            system_now().0
        ));
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(super) fn alice(store: &Store) -> Mailbox {
    store
        .create_mailbox(&NewMailbox {
            address: "alice@example.test",
            display_name: "Alice Tester",
            legacy_dn: None,
            password: Some("demo"),
            ..Default::default()
        })
        .unwrap()
}

pub(super) fn mail(subject: &str, read: bool) -> MessageContent {
    MessageContent {
        props: PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into())),
            (PropTag::SUBJECT, PropValue::String(subject.into())),
            (PropTag::MESSAGE_FLAGS, PropValue::I32(if read { 1 } else { 0 })),
        ]),
        ..Default::default()
    }
}

fn bin(bag: &PropBag, tag: PropTag) -> Vec<u8> {
    match bag.get(tag) {
        Some(PropValue::Binary(b)) => b.clone(),
        other => panic!("{tag:?} is {other:?}"),
    }
}

fn i32v(bag: &PropBag, tag: PropTag) -> i32 {
    bag.i32(tag).unwrap_or_else(|| panic!("{tag:?} missing"))
}

#[test]
fn standard_tree_matches_the_logon_order_and_gromox_counters() {
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    let ids = mb.logon_folder_ids();
    // corrections B8: Root=1, DeferredAction=2, SpoolerQueue=3, IPM=9, Inbox=0xd,
    // Outbox=0xc, Sent=0xa, Deleted=0xb, CommonViews=7, Schedule=8, Search=5, Views=6, Shortcuts=4
    let counters: Vec<u64> = ids.iter().map(|f| f.global_counter().value()).collect();
    assert_eq!(counters, [1, 2, 3, 9, 0xd, 0xc, 0xa, 0xb, 7, 8, 5, 6, 4]);
    assert!(ids.iter().all(|f| f.replica_id() == REPLID));
    // Inbox FID as gromox prints it (README): 0x0D00000000000001.
    assert_eq!(mb.special_folder(SpecialFolder::Inbox).0, 0x0D00_0000_0000_0001);

    let ipm = mb.subfolders(mb.special_folder(SpecialFolder::IpmSubtree), false).unwrap();
    let classes: Vec<(String, Option<String>)> = ipm
        .iter()
        .map(|r| (r.props.string(PropTag::DISPLAY_NAME).unwrap(), r.props.string(PropTag::CONTAINER_CLASS)))
        .collect();
    for (name, class) in [
        ("Inbox", "IPF.Note"),
        ("Calendar", "IPF.Appointment"),
        ("Contacts", "IPF.Contact"),
        ("Tasks", "IPF.Task"),
        ("Notes", "IPF.StickyNote"),
        ("Journal", "IPF.Journal"),
        ("Junk Email", "IPF.Note"),
        ("Drafts", "IPF.Note"),
    ] {
        assert!(classes.contains(&(name.to_string(), Some(class.to_string()))), "{name} {class}: {classes:?}");
    }
    // Recursive hierarchy table: every descendant with PidTagDepth.
    let all = mb.subfolders(mb.special_folder(SpecialFolder::IpmSubtree), true).unwrap();
    assert_eq!(all.len(), 19, "gromox also lists 19 (corrections B11)");
    let quick = all.iter().find(|r| r.id == mb.special_folder(SpecialFolder::QuickContacts)).unwrap();
    assert_eq!(quick.depth, 1);
    assert_eq!(i32v(&quick.props, PropTag::DEPTH), 1);
    let root = mb.subfolders(mb.special_folder(SpecialFolder::Root), false).unwrap();
    assert_eq!(root.len(), 9);
}

#[test]
fn special_entry_ids_on_root_and_inbox() {
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    for f in [SpecialFolder::Root, SpecialFolder::Inbox] {
        let p = mb.folder_props(mb.special_folder(f)).unwrap();
        let cal = bin(&p, PropTag::IPM_APPOINTMENT_ENTRY_ID);
        assert_eq!(cal.len(), 46);
        assert_eq!(cal, mb.folder_entry_id(mb.special_folder(SpecialFolder::Calendar)));
        assert_eq!(&cal[4..20], &mb.info().mailbox_guid.0);
        assert_eq!(&cal[20..22], &[1, 0]);
        assert_eq!(&cal[22..38], &mb.info().replica_guid.0);
        assert_eq!(&cal[38..44], &GlobalCounter::from_value(0xF).0);
        match p.get(PropTag::ADDITIONAL_REN_ENTRY_IDS) {
            Some(PropValue::MvBinary(v)) => {
                assert_eq!(v.len(), 5);
                assert_eq!(v[4], mb.folder_entry_id(mb.special_folder(SpecialFolder::JunkEmail)));
            }
            other => panic!("{other:?}"),
        }
        for t in [PropTag::IPM_CONTACT_ENTRY_ID, PropTag::IPM_DRAFTS_ENTRY_ID, PropTag::IPM_TASK_ENTRY_ID] {
            assert_eq!(bin(&p, t).len(), 46);
        }
    }
    // Entry ids convert back to ids.
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    assert_eq!(mb.ids_from_entry_id(&mb.folder_entry_id(inbox)).unwrap(), (inbox, None));
    // LongTermId round trip with the replica GUID (A15: same GUID as in GIDs).
    let ltid = mb.long_term_id(inbox.0).unwrap();
    assert_eq!(ltid.guid, mb.info().replica_guid);
    assert_eq!(mb.id_from_long_term_id(&ltid).unwrap(), inbox.0);
}

#[test]
fn persistence_across_reopen_keeps_ids_and_change_numbers() {
    let dir = TempDir::new();
    let (info, mid, ck, cn, named_id, sub);
    {
        let store = Store::open(&dir.0).unwrap();
        let mb = alice(&store);
        info = mb.info().clone();
        let inbox = mb.special_folder(SpecialFolder::Inbox);
        let saved = mb.save_message(inbox, None, false, &mail("hello", false), SaveMode::Normal).unwrap();
        mid = saved.id;
        ck = saved.change_key;
        cn = mb.current_change_number().unwrap();
        named_id = mb
            .prop_id_from_name(&PropertyName::Name { guid: PS_PUBLIC_STRINGS, name: "Keywords".into() }, true)
            .unwrap();
        sub = mb.create_folder(inbox, "Projects", &PropBag::new(), false).unwrap().0;
    }
    let store = Store::open(&dir.0).unwrap();
    assert_eq!(store.schema_version().unwrap(), Store::latest_schema_version());
    let mb = store.mailbox("ALICE@example.test").unwrap();
    assert_eq!(mb.info(), &info);
    let m = mb.message(mid).unwrap();
    assert_eq!(m.content.props.string(PropTag::SUBJECT).as_deref(), Some("hello"));
    assert_eq!(bin(&m.content.props, PropTag::CHANGE_KEY), ck);
    assert!(mb.current_change_number().unwrap().global_counter().value() > cn.global_counter().value());
    assert_eq!(
        mb.prop_id_from_name(&PropertyName::Name { guid: PS_PUBLIC_STRINGS, name: "Keywords".into() }, false).unwrap(),
        named_id
    );
    assert_eq!(mb.find_folder(mb.special_folder(SpecialFolder::Inbox), "projects").unwrap(), Some(sub));
    // Also reachable by legacyDN.
    assert_eq!(store.mailbox(&info.legacy_dn).unwrap().info().store_id, info.store_id);
    assert!(store.verify_password("alice@example.test", "demo").unwrap());
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = TempDir::new();
    drop(Store::open(&dir.0).unwrap());
    {
        let conn = Connection::open(dir.0.join(DB_FILE)).unwrap();
        conn.execute("INSERT INTO schema_migrations(version, applied_at) VALUES (9999, 0)", []).unwrap();
    }
    let e = Store::open(&dir.0).unwrap_err();
    assert!(e.to_string().contains("9999"), "{e}");
}

#[test]
fn ids_are_never_reused_after_delete_and_restart() {
    let dir = TempDir::new();
    let first;
    {
        let store = Store::open(&dir.0).unwrap();
        let mb = alice(&store);
        let inbox = mb.special_folder(SpecialFolder::Inbox);
        first = mb.save_message(inbox, None, false, &mail("a", false), SaveMode::Normal).unwrap().id;
        assert_eq!(mb.delete_messages(inbox, &[first], true).unwrap(), vec![first]);
        assert_eq!(mb.message(first).unwrap_err().error_code(), ErrorCode::NOT_FOUND);
    }
    let store = Store::open(&dir.0).unwrap();
    let mb = store.mailbox("alice@example.test").unwrap();
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let second = mb.save_message(inbox, None, false, &mail("b", false), SaveMode::Normal).unwrap().id;
    assert!(second.global_counter().value() > first.global_counter().value());
    let f = mb.create_folder(inbox, "x", &PropBag::new(), false).unwrap().0;
    assert!(f.global_counter().value() > second.global_counter().value());
    let reserved = mb.reserve_ids(10).unwrap().value();
    assert!(reserved > f.global_counter().value());
    let after = mb.allocate_message_id().unwrap();
    assert_eq!(after.global_counter().value(), reserved + 10);
}

#[test]
fn change_key_pcl_and_source_key_are_maintained() {
    let store = Store::open_in_memory().unwrap();
    store.set_clock(Arc::new(|| FileTime(133_000_000_000_000_000)));
    let mb = alice(&store);
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let s1 = mb.save_message(inbox, None, false, &mail("v1", false), SaveMode::Normal).unwrap();
    let m1 = mb.message(s1.id).unwrap().content.props;
    let guid = mb.info().replica_guid;
    let xid1 = Xid::from_counter(guid, s1.change_number.global_counter());
    assert_eq!(bin(&m1, PropTag::CHANGE_KEY), xid1.to_bytes().unwrap());
    assert_eq!(bin(&m1, PropTag::CHANGE_KEY).len(), 22);
    let pcl = PredecessorChangeList::decode_exact(&bin(&m1, PropTag::PREDECESSOR_CHANGE_LIST)).unwrap();
    assert_eq!(pcl.0, vec![xid1.clone()]);
    let sk = bin(&m1, PropTag::SOURCE_KEY);
    assert_eq!(sk, Gid { guid, counter: s1.id.global_counter() }.to_bytes().unwrap());
    assert_eq!(bin(&m1, PropTag::PARENT_SOURCE_KEY), mb.source_key(0xD));
    assert_eq!(m1.get(PropTag::MID), Some(&PropValue::I64(s1.id.0 as i64)));
    assert_eq!(m1.get(PropTag::CHANGE_NUMBER), Some(&PropValue::I64(s1.change_number.0 as i64)));
    assert_eq!(m1.get(PropTag::LAST_MODIFICATION_TIME), Some(&PropValue::Time(FileTime(133_000_000_000_000_000))));
    assert_eq!(bin(&m1, PropTag::ENTRY_ID).len(), 70);
    assert_eq!(mb.ids_from_entry_id(&bin(&m1, PropTag::ENTRY_ID)).unwrap(), (inbox, Some(s1.id)));

    // Modify: new CN and change key, same source key, PCL holds the newest XID.
    let mut c = mb.message(s1.id).unwrap().content;
    c.props.set(PropTag::SUBJECT, PropValue::String("v2".into()));
    let s2 = mb.save_message(inbox, Some(s1.id), false, &c, SaveMode::Normal).unwrap();
    assert_eq!(s2.id, s1.id);
    assert!(s2.change_number.global_counter().value() > s1.change_number.global_counter().value());
    assert_ne!(s2.change_key, s1.change_key);
    let m2 = mb.message(s1.id).unwrap().content.props;
    assert_eq!(bin(&m2, PropTag::SOURCE_KEY), sk);
    let pcl2 = PredecessorChangeList::decode_exact(&bin(&m2, PropTag::PREDECESSOR_CHANGE_LIST)).unwrap();
    assert!(pcl2.includes(&pcl));
    assert_eq!(pcl2.0.len(), 1);
    assert_eq!(pcl2.0[0].to_bytes().unwrap(), s2.change_key);

    // ICS import keeps a foreign change key and merges PCLs.
    let foreign = Xid::from_counter(Guid([7; 16]), GlobalCounter::from_value(42));
    let mut fpcl = PredecessorChangeList::new();
    fpcl.insert(foreign.clone());
    let mut c = mb.message(s1.id).unwrap().content;
    c.props.set(PropTag::CHANGE_KEY, PropValue::Binary(foreign.to_bytes().unwrap()));
    c.props.set(PropTag::PREDECESSOR_CHANGE_LIST, PropValue::Binary(fpcl.to_bytes().unwrap()));
    let s3 = mb.save_message(inbox, Some(s1.id), false, &c, SaveMode::Import).unwrap();
    assert_eq!(s3.change_key, foreign.to_bytes().unwrap());
    let m3 = mb.message(s1.id).unwrap().content.props;
    let pcl3 = PredecessorChangeList::decode_exact(&bin(&m3, PropTag::PREDECESSOR_CHANGE_LIST)).unwrap();
    assert!(pcl3.includes(&pcl2) && pcl3.includes(&fpcl));
    assert!(pcl3.is_sorted());
    assert_eq!(pcl3.0.len(), 2, "old server XID + the client's, no new server XID");
    assert_eq!(pcl3.find(&guid), pcl2.find(&guid));

    // Folder changes too.
    let before = bin(&mb.folder_props(inbox).unwrap(), PropTag::CHANGE_KEY);
    let cn =
        mb.set_folder_props(inbox, &PropBag::from_pairs([(PropTag::COMMENT, PropValue::String("c".into()))])).unwrap();
    let after = mb.folder_props(inbox).unwrap();
    assert_ne!(bin(&after, PropTag::CHANGE_KEY), before);
    assert_eq!(after.get(PropTag::CHANGE_NUMBER), Some(&PropValue::I64(cn.0 as i64)));
    assert_eq!(bin(&after, PropTag::SOURCE_KEY), mb.source_key(0xD));
}

#[test]
fn counts_read_state_and_sizes() {
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let a = mb.save_message(inbox, None, false, &mail("a", false), SaveMode::Normal).unwrap().id;
    mb.save_message(inbox, None, false, &mail("b", true), SaveMode::Normal).unwrap();
    mb.save_message(inbox, None, true, &mail("fai", false), SaveMode::Normal).unwrap();
    let p = mb.folder_props(inbox).unwrap();
    assert_eq!(i32v(&p, PropTag::CONTENT_COUNT), 2);
    assert_eq!(i32v(&p, PropTag::CONTENT_UNREAD_COUNT), 1);
    assert_eq!(i32v(&p, PropTag::ASSOCIATED_CONTENT_COUNT), 1);
    assert_eq!(p.get(PropTag::SUBFOLDERS), Some(&PropValue::Bool(false)));
    assert_eq!(mb.contents(inbox, false).unwrap().len(), 2);
    assert_eq!(mb.contents(inbox, true).unwrap().len(), 1);

    let before =
        mb.message_changes(inbox).unwrap().into_iter().find(|c| c.counter == a.global_counter().value()).unwrap();
    let ck = bin(&mb.message(a).unwrap().content.props, PropTag::CHANGE_KEY);
    assert!(mb.set_read_flag(a, true).unwrap());
    assert!(!mb.set_read_flag(a, true).unwrap());
    let m = mb.message(a).unwrap().content.props;
    assert_eq!(i32v(&m, PropTag::MESSAGE_FLAGS) & 1, 1);
    assert_eq!(m.get(PropTag::READ), Some(&PropValue::Bool(true)));
    assert_eq!(bin(&m, PropTag::CHANGE_KEY), ck, "read state does not change the change key");
    let after =
        mb.message_changes(inbox).unwrap().into_iter().find(|c| c.counter == a.global_counter().value()).unwrap();
    assert_eq!(after.change_number, before.change_number);
    assert!(after.read_change_number > before.read_change_number && after.read);
    assert_eq!(i32v(&mb.folder_props(inbox).unwrap(), PropTag::CONTENT_UNREAD_COUNT), 0);

    // Subfolders and child count.
    mb.create_folder(inbox, "Sub", &PropBag::new(), false).unwrap();
    let p = mb.folder_props(inbox).unwrap();
    assert_eq!(p.get(PropTag::SUBFOLDERS), Some(&PropValue::Bool(true)));
    assert_eq!(i32v(&p, PID_TAG_FOLDER_CHILD_COUNT), 1);

    // Size grows with content; attachments set mfHasAttach; numbering.
    let small = i32v(&mb.message(a).unwrap().content.props, PropTag::MESSAGE_SIZE);
    let mut big = mail("att", false);
    big.recipients.push(PropBag::from_pairs([(PropTag::DISPLAY_NAME, PropValue::String("Bob".into()))]));
    big.attachments.push(Attachment {
        props: PropBag::from_pairs([(PropTag::ATTACH_DATA_BINARY, PropValue::Binary(vec![0; 1000]))]),
        embedded: None,
    });
    big.attachments.push(Attachment {
        props: PropBag::from_pairs([(PropTag::ATTACH_METHOD, PropValue::I32(5))]),
        embedded: Some(Box::new(MessageContent {
            attachments: vec![Attachment { props: PropBag::new(), embedded: Some(Box::new(mail("inner", true))) }],
            ..mail("embedded", true)
        })),
    });
    let id = mb.save_message(inbox, None, false, &big, SaveMode::Normal).unwrap().id;
    let m = mb.message(id).unwrap().content;
    assert!(i32v(&m.props, PropTag::MESSAGE_SIZE) > small + 1000);
    assert_eq!(i32v(&m.props, PropTag::MESSAGE_FLAGS) & 0x10, 0x10);
    let ext = m.props.get_as(PropTag::MESSAGE_SIZE_EXTENDED).unwrap().into_owned();
    assert_eq!(ext, PropValue::I64(i64::from(i32v(&m.props, PropTag::MESSAGE_SIZE))));
    assert_eq!(m.props.get(PropTag::HAS_ATTACHMENTS), Some(&PropValue::Bool(true)));
    assert_eq!(i32v(&m.recipients[0], PropTag::ROWID), 0);
    assert_eq!(i32v(&m.attachments[1].props, PropTag::ATTACH_NUMBER), 1);
    let inner = &m.attachments[1].embedded.as_ref().unwrap().attachments[0].embedded.as_ref().unwrap();
    assert_eq!(inner.props.string(PropTag::SUBJECT).as_deref(), Some("inner"));
}

#[test]
fn folder_operations_and_error_codes() {
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let (a, existed) = mb.create_folder(inbox, "A", &PropBag::new(), false).unwrap();
    assert!(!existed);
    let e = mb.create_folder(inbox, "a", &PropBag::new(), false).unwrap_err();
    assert_eq!(e.error_code(), ErrorCode::DUPLICATE_NAME);
    assert_eq!(mb.create_folder(inbox, "a", &PropBag::new(), true).unwrap(), (a, true));
    let (b, _) = mb.create_folder(a, "B", &PropBag::new(), false).unwrap();
    assert_eq!(mb.move_folder(a, b, None).unwrap_err().error_code(), ErrorCode::FOLDER_CYCLE);
    assert_eq!(mb.move_folder(a, a, None).unwrap_err().error_code(), ErrorCode::FOLDER_CYCLE);
    assert_eq!(
        mb.delete_folder(inbox, DeleteFolderFlags::from_bits(0x15)).unwrap_err().error_code(),
        ErrorCode::ACCESS_DENIED
    );
    let m = mb.save_message(b, None, false, &mail("in b", false), SaveMode::Normal).unwrap().id;
    assert_eq!(mb.delete_folder(a, DeleteFolderFlags::default()).unwrap_err().error_code(), ErrorCode::HAS_FOLDERS);
    assert_eq!(
        mb.delete_folder(a, DeleteFolderFlags { folders: true, ..Default::default() }).unwrap_err().error_code(),
        ErrorCode::HAS_MESSAGES
    );
    // Copy keeps the tree under new ids.
    let drafts = mb.special_folder(SpecialFolder::Drafts);
    let a2 = mb.copy_folder(a, drafts, None, true).unwrap();
    assert_ne!(a2, a);
    let copied = mb.subfolders(a2, true).unwrap();
    assert_eq!(copied.len(), 1);
    let copied_msgs = mb.contents(copied[0].id, false).unwrap();
    assert_eq!(copied_msgs.len(), 1);
    assert_ne!(copied_msgs[0].id, m);
    // Move renames and keeps the FID.
    let deleted_items = mb.special_folder(SpecialFolder::DeletedItems);
    mb.move_folder(a, deleted_items, Some("A (old)")).unwrap();
    let fa = mb.folder(a, false).unwrap();
    assert_eq!(fa.parent, Some(deleted_items));
    assert_eq!(fa.props.string(PropTag::DISPLAY_NAME).as_deref(), Some("A (old)"));
    // Soft delete: hidden, ObjectDeleted, logged; hard delete of another.
    let cn = mb.current_change_number().unwrap().global_counter().value();
    mb.delete_folder(a, DeleteFolderFlags::from_bits(0x05)).unwrap();
    assert_eq!(mb.folder(a, false).unwrap_err().error_code(), ErrorCode::OBJECT_DELETED);
    assert!(mb.folder(a, true).unwrap().deleted);
    let soft = mb.soft_deleted_subfolders(deleted_items).unwrap();
    assert_eq!(soft.iter().map(|r| r.id).collect::<Vec<_>>(), vec![a]);
    assert_eq!(mb.folder(b, false).unwrap_err().error_code(), ErrorCode::OBJECT_DELETED);
    let dels = mb.deletions(deleted_items, cn).unwrap();
    assert_eq!(dels.len(), 1);
    assert!(dels[0].is_folder && !dels[0].hard && dels[0].counter == a.global_counter().value());
    assert_eq!(mb.folder_deletions(cn).unwrap().len(), 1);
    mb.delete_folder(a2, DeleteFolderFlags::from_bits(0x15)).unwrap();
    assert_eq!(mb.folder(a2, true).unwrap_err().error_code(), ErrorCode::NOT_FOUND);
    assert_eq!(mb.folder(FolderId::new(REPLID, 0xFFFF), false).unwrap_err().error_code(), ErrorCode::NOT_FOUND);
    assert_eq!(mb.folder(FolderId::new(2, 1), false).unwrap_err().error_code(), ErrorCode::NOT_FOUND);

    // Empty folder removes messages and subfolders (FAI kept unless asked).
    let t = mb.create_folder(inbox, "T", &PropBag::new(), false).unwrap().0;
    mb.create_folder(t, "child", &PropBag::new(), false).unwrap();
    mb.save_message(t, None, false, &mail("x", false), SaveMode::Normal).unwrap();
    mb.save_message(t, None, true, &mail("fai", false), SaveMode::Normal).unwrap();
    mb.empty_folder(t, false, false).unwrap();
    assert!(mb.subfolders(t, false).unwrap().is_empty());
    assert!(mb.contents(t, false).unwrap().is_empty());
    assert_eq!(mb.contents(t, true).unwrap().len(), 1);
    mb.empty_folder(t, true, true).unwrap();
    assert!(mb.contents(t, true).unwrap().is_empty());
}

#[test]
fn message_move_copy_delete_and_deletion_log() {
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let drafts = mb.special_folder(SpecialFolder::Drafts);
    let a = mb.save_message(inbox, None, false, &mail("a", false), SaveMode::Normal).unwrap();
    let b = mb.save_message(inbox, None, false, &mail("b", false), SaveMode::Normal).unwrap().id;
    let since = mb.current_change_number().unwrap().global_counter().value();
    let sk = bin(&mb.message(a.id).unwrap().content.props, PropTag::SOURCE_KEY);

    let copies = mb.copy_messages(inbox, drafts, &[a.id, MessageId::new(REPLID, 0xFFFF_FFFF)]).unwrap();
    assert_eq!(copies.len(), 1);
    let copy = mb.message(copies[0]).unwrap();
    assert_eq!(copy.folder, drafts);
    assert_ne!(bin(&copy.content.props, PropTag::SOURCE_KEY), sk);
    assert_eq!(copy.content.props.string(PropTag::SUBJECT).as_deref(), Some("a"));

    let moved = mb.move_messages(inbox, drafts, &[a.id]).unwrap();
    assert_eq!(moved.len(), 1);
    assert_ne!(moved[0], a.id, "a moved message gets a new MID");
    let m = mb.message(moved[0]).unwrap();
    assert_eq!(m.folder, drafts);
    assert_ne!(bin(&m.content.props, PropTag::SOURCE_KEY), sk, "and a new source key");
    assert_ne!(bin(&m.content.props, PropTag::CHANGE_KEY), a.change_key);
    assert_eq!(bin(&m.content.props, PropTag::PARENT_SOURCE_KEY), mb.source_key(0xE));

    assert_eq!(mb.delete_messages(inbox, &[b, a.id], false).unwrap(), vec![b], "a is no longer in the inbox");
    assert_eq!(mb.message(b).unwrap_err().error_code(), ErrorCode::OBJECT_DELETED);
    let dumpster = mb.soft_deleted_contents(inbox, false).unwrap();
    assert_eq!(dumpster.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b]);
    let dels = mb.deletions(inbox, since).unwrap();
    assert_eq!(
        dels.iter().map(|d| (d.counter, d.hard)).collect::<Vec<_>>(),
        vec![(a.id.global_counter().value(), true), (b.global_counter().value(), false)]
    );
    assert!(mb.deletions(inbox, dels[1].change_number).unwrap().is_empty());
    // Saving into the wrong folder is refused.
    assert_eq!(
        mb.save_message(inbox, Some(moved[0]), false, &mail("x", false), SaveMode::Normal).unwrap_err().error_code(),
        ErrorCode::NOT_FOUND
    );
    assert_eq!(
        mb.save_message(inbox, Some(MessageId::new(REPLID, 0xFF_FFFF)), false, &mail("x", false), SaveMode::Normal)
            .unwrap_err()
            .error_code(),
        ErrorCode::INVALID_PARAMETER
    );
}

#[test]
fn named_property_mapping_is_per_store_and_stable() {
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    let bob = store
        .create_mailbox(&NewMailbox { address: "bob@example.test", display_name: "Bob", ..Default::default() })
        .unwrap();
    let n1 = PropertyName::Id { guid: mapi_wire::tags::PSETID_APPOINTMENT, lid: 0x820D };
    let n2 = PropertyName::Name { guid: PS_PUBLIC_STRINGS, name: "Keywords".into() };
    assert_eq!(mb.prop_id_from_name(&n1, false).unwrap(), None);
    assert_eq!(mb.prop_id_from_name(&n1, true).unwrap(), Some(0x8001));
    assert_eq!(mb.prop_id_from_name(&n2, true).unwrap(), Some(0x8002));
    assert_eq!(mb.prop_id_from_name(&n1, true).unwrap(), Some(0x8001));
    assert_eq!(bob.prop_id_from_name(&n2, true).unwrap(), Some(0x8001));
    assert_eq!(mb.name_from_prop_id(0x8002).unwrap(), Some(n2.clone()));
    assert_eq!(mb.name_from_prop_id(0x9000).unwrap(), None);
    assert_eq!(mb.name_from_prop_id(0x0037).unwrap(), Some(PropertyName::Id { guid: PS_MAPI, lid: 0x37 }));
    assert_eq!(mb.prop_id_from_name(&PropertyName::Id { guid: PS_MAPI, lid: 0x37 }, false).unwrap(), Some(0x37));
    let h1 = PropertyName::Name { guid: mapi_wire::tags::PS_INTERNET_HEADERS, name: "X-Foo".into() };
    let h2 = PropertyName::Name { guid: mapi_wire::tags::PS_INTERNET_HEADERS, name: "x-foo".into() };
    assert_eq!(mb.prop_id_from_name(&h1, true).unwrap(), mb.prop_id_from_name(&h2, false).unwrap());
    assert_eq!(mb.named_properties().unwrap().len(), 3);
    assert_eq!(
        mb.prop_id_from_name(&PropertyName::None { guid: Guid::NIL }, true).unwrap_err().error_code(),
        ErrorCode::INVALID_PARAMETER
    );
}

#[test]
fn delegate_permissions() {
    let store = Store::open_in_memory().unwrap();
    let alice = alice(&store);
    let bob = store
        .create_mailbox(&NewMailbox { address: "bob@example.test", display_name: "Bob", ..Default::default() })
        .unwrap();
    let team = store
        .create_mailbox(&NewMailbox { address: "team@example.test", display_name: "Team", ..Default::default() })
        .unwrap();
    let cal = alice.special_folder(SpecialFolder::Calendar);
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    alice.grant(Some(cal), "bob@example.test", Rights::REVIEWER).unwrap();
    team.grant(None, "alice@example.test", Rights::ALL).unwrap();

    assert!(alice.check_access("bob@example.test", cal, Rights::READ_ANY).is_ok());
    assert_eq!(
        alice.check_access("bob@example.test", cal, Rights::CREATE).unwrap_err().error_code(),
        ErrorCode::ACCESS_DENIED
    );
    assert_eq!(
        alice.check_access("bob@example.test", inbox, Rights::READ_ANY).unwrap_err().error_code(),
        ErrorCode::ACCESS_DENIED
    );
    assert!(alice.can_logon("bob@example.test").unwrap());
    // Every new mailbox gives Default free/busy times on its Calendar, as
    // Exchange does; that folder-level right alone lets others log on.
    let bob_cal = bob.special_folder(SpecialFolder::Calendar);
    assert_eq!(bob.permissions(Some(bob_cal)).unwrap(), vec![(DEFAULT_GRANTEE.to_string(), DEFAULT_CALENDAR_RIGHTS)]);
    assert_eq!(bob.rights_of("alice@example.test", bob_cal).unwrap(), Rights::FREE_BUSY_SIMPLE);
    assert_eq!(bob.rights_of("alice@example.test", bob.special_folder(SpecialFolder::Inbox)).unwrap(), Rights::NONE);
    assert!(bob.can_logon("alice@example.test").unwrap());
    // Without any grant (the owner removed Default's) the logon is refused.
    bob.grant(Some(bob_cal), DEFAULT_GRANTEE, Rights::NONE).unwrap();
    assert!(!bob.can_logon("alice@example.test").unwrap());
    assert_eq!(alice.rights_of("alice@example.test", inbox).unwrap(), Rights::ALL);
    let team_inbox = team.special_folder(SpecialFolder::Inbox);
    assert_eq!(team.rights_of("alice@example.test", team_inbox).unwrap(), Rights::ALL);
    assert!(team.can_logon("alice@example.test").unwrap());
    assert_eq!(team.rights_of("bob@example.test", team_inbox).unwrap(), Rights::NONE);
    assert_eq!(
        alice.permissions(Some(cal)).unwrap(),
        vec![
            ("bob@example.test".to_string(), Rights::REVIEWER),
            (DEFAULT_GRANTEE.to_string(), DEFAULT_CALENDAR_RIGHTS)
        ]
    );
    alice.grant(Some(cal), "bob@example.test", Rights::NONE).unwrap();
    assert!(alice.check_access("bob@example.test", cal, Rights::READ_ANY).is_err());
    // A default grant applies to everyone.
    alice.grant(Some(cal), DEFAULT_GRANTEE, Rights::FREE_BUSY_SIMPLE).unwrap();
    assert!(alice.check_access("carol@example.test", cal, Rights::FREE_BUSY_SIMPLE).is_ok());

    // Public folders: everyone is an author by default.
    let public = store.public_folders().unwrap();
    assert_eq!(public.info().kind, StoreKind::Public);
    let ids = public.logon_folder_ids();
    assert_eq!(ids[1], public.public_folder(PublicFolder::IpmSubtree));
    assert_eq!(ids[4].0, 0);
    assert!(public.check_access("bob@example.test", ids[1], Rights::CREATE).is_ok());
    let (pf, _) = public.create_folder(ids[1], "Announcements", &PropBag::new(), false).unwrap();
    assert_eq!(public.folder_entry_id(pf)[20..22], [3, 0], "public folder entry id type");
    assert!(store.mailboxes().unwrap().iter().all(|m| m.kind == StoreKind::Private));
    assert_eq!(store.mailboxes().unwrap().len(), 3);
}

#[test]
fn fixed_guids_for_deterministic_seeding() {
    let store = Store::open_in_memory().unwrap();
    let (mg, rg) = (Guid([0x11; 16]), Guid([0x22; 16]));
    let new = NewMailbox {
        address: "seed@example.test",
        display_name: "Seed",
        mailbox_guid: Some(mg),
        replica_guid: Some(rg),
        ..Default::default()
    };
    let mb = store.create_mailbox(&new).unwrap();
    assert_eq!((mb.info().mailbox_guid, mb.info().replica_guid), (mg, rg));
    assert_eq!(&mb.source_key(5)[..16], &rg.0);
    let again = NewMailbox { address: "other@example.test", ..new };
    assert_eq!(store.create_mailbox(&again).unwrap_err().error_code(), ErrorCode::DUPLICATE_NAME);
}

#[test]
fn passwords_are_hashed_and_verified() {
    let dir = TempDir::new();
    let store = Store::open(&dir.0).unwrap();
    alice(&store);
    assert!(store.verify_password("alice@example.test", "demo").unwrap());
    assert!(!store.verify_password("alice@example.test", "Demo").unwrap());
    assert!(!store.verify_password("nobody@example.test", "demo").unwrap());
    store.set_password("alice@example.test", Some("new")).unwrap();
    assert!(store.verify_password("alice@example.test", "new").unwrap());
    drop(store);
    let bytes = std::fs::read(dir.0.join(DB_FILE)).unwrap_or_default();
    let wal = std::fs::read(dir.0.join(format!("{DB_FILE}-wal"))).unwrap_or_default();
    for b in [bytes, wal] {
        assert!(!b.windows(b"$argon2id$".len()).any(|w| w == b"demo\0\0\0\0\0\0"));
    }
    let store = Store::open(&dir.0).unwrap();
    assert!(store.verify_password("alice@example.test", "new").unwrap());
    let e = store
        .create_mailbox(&NewMailbox { address: "ALICE@example.test", display_name: "x", ..Default::default() })
        .unwrap_err();
    assert_eq!(e.error_code(), ErrorCode::DUPLICATE_NAME);
    assert_eq!(store.mailbox("nobody@example.test").unwrap_err().error_code(), ErrorCode::NOT_FOUND);
}

#[test]
fn two_threads_writing_get_distinct_ids() {
    let dir = TempDir::new();
    let store = Store::open(&dir.0).unwrap();
    let mb = alice(&store);
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let mb = mb.clone();
            std::thread::spawn(move || {
                (0..25)
                    .map(|i| {
                        mb.save_message(inbox, None, false, &mail(&format!("{t}-{i}"), false), SaveMode::Normal)
                            .unwrap()
                            .id
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids: Vec<MessageId> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 50);
    assert_eq!(i32v(&mb.folder_props(inbox).unwrap(), PropTag::CONTENT_COUNT), 50);
}

#[test]
fn error_codes_map_to_mapi() {
    assert_eq!(StoreError::NotFound("x".into()).error_code().0, 0x8004_010F);
    assert_eq!(StoreError::AccessDenied("x".into()).error_code().0, 0x8007_0005);
    assert_eq!(StoreError::DuplicateName("x".into()).error_code().0, 0x8004_0604);
    assert_eq!(StoreError::HasFolders.error_code().0, 0x8004_0609);
    assert_eq!(StoreError::HasMessages.error_code().0, 0x8004_060A);
    assert_eq!(StoreError::ObjectDeleted.error_code().0, 0x8004_010A);
    assert_eq!(StoreError::FolderCycle.error_code().0, 0x8004_060B);
}

#[test]
fn prop_blobs_round_trip_every_type() {
    use mapi_wire::PropType;
    let bag = PropBag::from_pairs([
        (PropTag::new(0x6000, PropType::NULL), PropValue::Null),
        (PropTag::new(0x6001, PropType::INTEGER16), PropValue::I16(-2)),
        (PropTag::new(0x6002, PropType::INTEGER32), PropValue::I32(7)),
        (PropTag::new(0x6003, PropType::FLOATING64), PropValue::F64(1.5)),
        (PropTag::new(0x6004, PropType::BOOLEAN), PropValue::Bool(true)),
        (PropTag::new(0x6005, PropType::STRING), PropValue::String("héllo".into())),
        (PropTag::new(0x6006, PropType::STRING8), PropValue::String8(b"abc".to_vec())),
        (PropTag::new(0x6007, PropType::TIME), PropValue::Time(FileTime(5))),
        (PropTag::new(0x6008, PropType::GUID), PropValue::Guid(Guid([3; 16]))),
        (PropTag::new(0x6009, PropType::BINARY), PropValue::Binary(vec![1, 2, 3])),
        (PropTag::new(0x600A, PropType::MULTIPLE_STRING), PropValue::MvString(vec!["a".into(), "".into()])),
        (PropTag::new(0x600B, PropType::MULTIPLE_BINARY), PropValue::MvBinary(vec![vec![], vec![9]])),
        (
            PropTag::new(0x600C, PropType::RESTRICTION),
            PropValue::Restriction(Box::new(mapi_wire::restriction::Restriction::Exist { tag: PropTag::SUBJECT })),
        ),
        (PropTag::new(0x6010, PropType::OBJECT), PropValue::Object(7)),
        (PropTag::new(0x600D, PropType::INTEGER64), PropValue::I64(-9)),
        (PropTag::new(0x600E, PropType::MULTIPLE_INTEGER32), PropValue::MvI32(vec![1, -1])),
        (PropTag::new(0x600F, PropType::ERROR_CODE), PropValue::Error(ErrorCode::NOT_FOUND)),
    ]);
    assert_eq!(PropBag::from_blob(&bag.to_blob().unwrap()).unwrap(), bag);
    assert!(PropBag::from_blob(&[1, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
    assert!(PropBag::from_blob(&[9]).is_err());
    // String conversion on lookup.
    assert_eq!(bag.get_as(PropTag::new(0x6006, PropType::STRING)).as_deref(), Some(&PropValue::String("abc".into())));
    assert_eq!(bag.get(PropTag::new(0x6006, PropType::STRING)), None);
}

mod prop {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        /// Random create/delete/copy/move sequences never hand out an id twice.
        #[test]
        fn ids_never_repeat(ops in proptest::collection::vec(0u8..5, 1..40)) {
            let store = Store::open_in_memory().unwrap();
            let mb = alice(&store);
            let inbox = mb.special_folder(SpecialFolder::Inbox);
            let drafts = mb.special_folder(SpecialFolder::Drafts);
            let mut seen = std::collections::HashSet::new();
            let mut live: Vec<MessageId> = Vec::new();
            let mut folders = 0;
            for op in ops {
                let new: Vec<u64> = match op {
                    0 | 1 => {
                        let id = mb.save_message(inbox, None, false, &mail("m", false), SaveMode::Normal).unwrap().id;
                        live.push(id);
                        vec![id.0]
                    }
                    2 => {
                        if let Some(id) = live.pop() {
                            mb.delete_messages(inbox, &[id], true).unwrap();
                        }
                        vec![]
                    }
                    3 => {
                        let ids = mb.copy_messages(inbox, drafts, &live).unwrap();
                        ids.iter().map(|m| m.0).collect()
                    }
                    _ => {
                        folders += 1;
                        vec![mb.create_folder(inbox, &format!("f{folders}"), &PropBag::new(), false).unwrap().0.0]
                    }
                };
                for id in new {
                    prop_assert!(seen.insert(id), "id {id:#x} handed out twice");
                    prop_assert!(FolderId(id).global_counter().value() >= special::FIRST_DYNAMIC_COUNTER);
                }
            }
        }
    }
}

mod crash;
mod integration;

/// The ROP layer caches a table's rows until the mailbox's change counter
/// moves, so every write that can change a hierarchy or contents row must
/// allocate a change number (and a failed or no-op call may not matter).
#[test]
fn every_row_changing_write_moves_the_change_counter() {
    let store = Store::open_in_memory().unwrap();
    let mb = alice(&store);
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let drafts = mb.special_folder(SpecialFolder::Drafts);
    let mut last = mb.change_counter().unwrap();
    let mut moved = |what: &str| {
        let now = mb.change_counter().unwrap();
        assert!(now > last, "{what} left the change counter at {now:#x}");
        last = now;
    };
    let a = mb.save_message(inbox, None, false, &mail("a", false), SaveMode::Normal).unwrap().id;
    moved("creating a message");
    mb.save_message(inbox, Some(a), false, &mail("a2", false), SaveMode::Normal).unwrap();
    moved("saving a message");
    mb.save_message(inbox, Some(a), false, &mail("a3", false), SaveMode::Import).unwrap();
    moved("importing a message change");
    assert!(mb.set_read_flag(a, true).unwrap());
    moved("a read-state change");
    let copies = mb.copy_messages(inbox, drafts, &[a]).unwrap();
    moved("copying a message");
    mb.move_messages(drafts, inbox, &copies).unwrap();
    moved("moving a message");
    mb.delete_messages(inbox, &copies, false).unwrap();
    moved("soft-deleting a message");
    mb.delete_messages(inbox, &[a], true).unwrap();
    moved("hard-deleting a message");
    let (f, _) = mb.create_folder(inbox, "Projects", &PropBag::new(), false).unwrap();
    moved("creating a folder");
    mb.set_folder_props(f, &PropBag::from_pairs([(PropTag::COMMENT, PropValue::String("x".into()))])).unwrap();
    moved("setting folder properties");
    mb.remove_folder_props(f, &[PropTag::COMMENT]).unwrap();
    moved("removing folder properties");
    mb.move_folder(f, drafts, Some("Projekte")).unwrap();
    moved("moving a folder");
    let g = mb.copy_folder(f, inbox, None, true).unwrap();
    moved("copying a folder");
    mb.import_folder(inbox, Some(g), &PropBag::from_pairs([(PropTag::COMMENT, PropValue::String("y".into()))]))
        .unwrap();
    moved("importing a folder change");
    mb.save_message(g, None, false, &mail("b", false), SaveMode::Normal).unwrap();
    moved("creating a message in the copy");
    mb.empty_folder(g, true, false).unwrap();
    moved("emptying a folder");
    mb.delete_folder(g, DeleteFolderFlags { messages: true, folders: true, hard: false }).unwrap();
    moved("soft-deleting a folder");
    mb.delete_folder(f, DeleteFolderFlags { messages: true, folders: true, hard: true }).unwrap();
    moved("hard-deleting a folder");
}

#[test]
fn receive_folders_and_send_as_survive_a_restart() {
    let dir = TempDir::new();
    {
        let store = Store::open(&dir.0).unwrap();
        let mb = alice(&store);
        let drafts = mb.special_folder(SpecialFolder::Drafts);
        mb.set_receive_folder("IPM.Note.Invoice", Some(drafts)).unwrap();
        mb.set_receive_folder("IPC", None).unwrap();
        mb.grant_send_as("bob@example.test", true).unwrap();
        mb.grant_send_as("carol@example.test", true).unwrap();
        mb.grant_send_as("carol@example.test", false).unwrap();
    }
    let store = Store::open(&dir.0).unwrap();
    let mb = store.mailbox("alice@example.test").unwrap();
    let drafts = mb.special_folder(SpecialFolder::Drafts);
    assert_eq!(mb.receive_folder("ipm.note.invoice").unwrap(), (drafts, "IPM.Note.Invoice".to_string()));
    let classes: Vec<String> = mb.receive_folders().unwrap().into_iter().map(|r| r.message_class).collect();
    assert_eq!(classes, vec!["", "IPM", "IPM.Note.Invoice", "REPORT.IPM"]);
    assert!(mb.may_send_as("BOB@example.test").unwrap());
    assert!(!mb.may_send_as("carol@example.test").unwrap());
    assert!(mb.may_send_as("alice@example.test").unwrap(), "the owner");
    assert!(matches!(mb.set_receive_folder("IPM", Some(drafts)), Err(StoreError::AccessDenied(_))));
    assert!(matches!(
        mb.set_receive_folder("IPM.X", Some(FolderId::new(REPLID, 0x00FF_FFFF))),
        Err(StoreError::NotFound(_))
    ));
}
