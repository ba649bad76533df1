//! Persistence seen through the ROP executor: a store directory reopened
//! by a new backend (a simulator restart) answers with the same FIDs, MIDs,
//! change numbers and change keys, and allocates only ids it never gave
//! out before — also for objects hard-deleted before the restart.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::rops::StoreBackend;
use exchange_sim::store::{NewMailbox, SpecialFolder, Store};
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{PropValue, PropertyRow, TaggedValue};
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};
use rops_common::*;

struct Dir(std::path::PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn open(dir: &Dir) -> (Store, Harness) {
    let store = Store::open(&dir.0).unwrap();
    if store.mailbox(ALICE).is_err() {
        store
            .create_mailbox(&NewMailbox {
                address: ALICE,
                display_name: "Alice Tester",
                legacy_dn: Some(ALICE_DN),
                password: Some("demo"),
                ..NewMailbox::default()
            })
            .unwrap();
    }
    let h = Harness::with_backend(&store, ALICE, StoreBackend::new(store.clone(), Some(dir.0.clone())));
    (store, h)
}

/// Logon FolderIds (RopLogon response).
fn logon_folders(h: &mut Harness) -> Vec<FolderId> {
    let r = h.run(vec![logon_request(ALICE_DN)], vec![NONE]);
    let RopResponse::Logon(l) = &r.rops[0] else { panic!() };
    let Some(LogonResponseBody::Private(p)) = l.body.as_ref() else { panic!() };
    p.folder_ids.to_vec()
}

/// Creates and saves a draft; returns its MID.
fn create(h: &mut Harness, logon: u32, drafts: FolderId, subject: &str) -> MessageId {
    let r = h.run(
        vec![
            create_message(0, 1, drafts),
            set_properties(1, vec![TaggedValue { tag: PropTag::SUBJECT, value: PropValue::String(subject.into()) }]),
            save_message(1),
        ],
        vec![logon, NONE],
    );
    let RopResponse::SaveChangesMessage(s) = &r.rops[2] else { panic!() };
    s.success.as_ref().unwrap().message_id
}

/// (PidTagChangeNumber, PidTagChangeKey, PidTagSubject) of a message.
fn versions(h: &mut Harness, logon: u32, fid: FolderId, mid: MessageId) -> Vec<PropValue> {
    let r = h.run(
        vec![
            open_message(0, 1, fid, mid, false),
            get_properties(1, vec![PropTag::CHANGE_NUMBER, PropTag::CHANGE_KEY, PropTag::SUBJECT]),
        ],
        vec![logon, NONE],
    );
    let RopResponse::GetPropertiesSpecific(g) = &r.rops[1] else { panic!("{:?}", r.rops) };
    let Some(PropertyRow::Standard(v)) = &g.row else { panic!("{:?}", g.row) };
    v.clone()
}

#[test]
fn a_restart_keeps_ids_and_change_numbers_and_never_reuses_an_id() {
    let dir = Dir(std::env::temp_dir().join(format!("exchange-sim-restart-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    let (folders, drafts, kept, gone, before, last_cn);
    {
        let (store, mut h) = open(&dir);
        folders = logon_folders(&mut h);
        let logon = h.logon();
        drafts = store.mailbox(ALICE).unwrap().special_folder(SpecialFolder::Drafts);
        kept = create(&mut h, logon, drafts, "kept");
        gone = create(&mut h, logon, drafts, "hard-deleted");
        before = versions(&mut h, logon, drafts, kept);
        let r = h.run(
            vec![
                open_folder(0, 1, drafts),
                RopRequest::HardDeleteMessages(HardDeleteMessagesRequest {
                    logon_id: 0,
                    input_handle_index: 1,
                    want_asynchronous: false,
                    notify_non_read: false,
                    message_ids: vec![gone],
                }),
            ],
            vec![logon, NONE],
        );
        assert_eq!(return_values(&r)[1], (0x91, 0));
        last_cn = store.mailbox(ALICE).unwrap().current_change_number().unwrap();
        // The process ends without a clean shutdown.
        drop(h);
        drop(store);
    }
    let (store, mut h) = open(&dir);
    assert_eq!(logon_folders(&mut h), folders, "same FIDs in RopLogon");
    let logon = h.logon();
    assert_eq!(versions(&mut h, logon, drafts, kept), before, "same change number and change key");
    // The hard-deleted message stays gone; new ids and change numbers
    // come after everything given out before the restart.
    let r = h.run(vec![open_message(0, 1, drafts, gone, false)], vec![logon, NONE]);
    assert_eq!(return_values(&r)[0].1, ErrorCode::NOT_FOUND.0);
    let new = create(&mut h, logon, drafts, "after the restart");
    assert!(new.global_counter().value() > gone.global_counter().value(), "{new:?} after {gone:?}");
    let v = versions(&mut h, logon, drafts, new);
    let PropValue::I64(cn) = v[0] else { panic!() };
    let cn = mapi_wire::ids::ChangeNumber(cn as u64);
    assert!(cn.global_counter().value() > last_cn.global_counter().value());
    assert_ne!(v[1], before[1], "a new change key");
    drop(store);
}
