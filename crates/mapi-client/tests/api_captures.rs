//! The typed API against gromox 3.10 captures: for each capture whose ROPs an API call
//! issues, the call builds the same ROP request bytes (handles and ids included, since the
//! replayed logon gives the same values) and decodes the captured response.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use mapi_client::api::{Mailbox, MailboxOptions, SpecialFolder, StoreTarget, TableKind, TableSpec};
use mapi_client::*;
use mapi_wire::Decode;
use mapi_wire::ids::FolderId;
use mapi_wire::rop::{RopRequest, RopRequestBuffer, TableFlags};

const SID: &str = "sid=alk6icfbe8b0exu8amedplwee7m8tek8";
const SEQ: &str = "sequence=d14fed18-f728-47f8-81b7-9ad123c77804";

fn basic() -> TransportConfig {
    let mut t =
        TransportConfig::new(Credentials::Basic { user: "alice@example.test".into(), password: "alice123".into() });
    t.trace_dir = None;
    t.compress_requests_from = None;
    t.retry.base_delay = Duration::from_millis(5);
    t
}

/// A server answering Connect with 004 and Executes with the given captures in order.
async fn replay(executes: &[&str]) -> Server {
    let queue: Arc<Mutex<VecDeque<Vec<u8>>>> =
        Arc::new(Mutex::new(executes.iter().map(|n| capture(&format!("{n}.resp.bin"))).collect()));
    Server::start(Arc::new(move |req, _| match req.request_type() {
        "Connect" => mapi_ok(req, &[SID, SEQ], &capture("004-emsmdb-connect-alice.resp.bin")),
        "Execute" => {
            let body = queue.lock().unwrap().pop_front().expect("no more captured responses");
            mapi_ok(req, &[SID, SEQ], &body)
        }
        _ => Action::Close,
    }))
    .await
}

async fn mailbox(server: &Server) -> Mailbox {
    let mut c = SessionConfig::new(&server.url(EMSMDB_PATH), ALICE_DN, basic());
    c.lcid = 1033;
    let session = Arc::new(EmsmdbSession::connect(c).await.unwrap());
    let options = MailboxOptions { chain_tables: false, ..MailboxOptions::default() };
    Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: ALICE_DN.into() }, options).await.unwrap()
}

/// The ROP input buffers of the Execute requests the server saw.
fn sent_rops(server: &Server) -> Vec<Vec<u8>> {
    server.requests().iter().filter(|r| r.request_type() == "Execute").map(|r| rop_input_of(&r.body)).collect()
}

fn captured_rops(name: &str) -> Vec<u8> {
    rop_input_of(&capture(&format!("{name}.req.bin")))
}

fn captured_request(name: &str) -> RopRequestBuffer {
    RopRequestBuffer::decode_exact(&captured_rops(name)).unwrap()
}

/// The TableSpec of a captured one-shot listing.
fn spec_of(name: &str) -> (TableSpec, u16) {
    let req = captured_request(name);
    let mut spec = TableSpec::contents(FolderId(0), Vec::new());
    let mut rows = 0;
    for r in &req.rops {
        match r {
            RopRequest::OpenFolder(o) => spec.folder = o.folder_id,
            RopRequest::GetContentsTable(t) => {
                spec.kind = TableKind::Contents { associated: t.table_flags.contains(TableFlags::ASSOCIATED) }
            }
            RopRequest::GetHierarchyTable(t) => {
                spec.kind = TableKind::Hierarchy { depth: t.table_flags.contains(TableFlags::DEPTH) }
            }
            RopRequest::SetColumns(s) => spec.columns = s.columns.clone(),
            RopRequest::SortTable(s) => spec.sort = Some(s.sort_order_set.clone()),
            RopRequest::Restrict(s) => spec.restriction = s.restriction.clone(),
            RopRequest::QueryRows(q) => rows = q.row_count,
            _ => {}
        }
    }
    (spec, rows)
}

async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f).await.expect("test took too long")
}

#[tokio::test]
async fn capture_005_logon_builds_the_request_and_reads_the_folder_ids() {
    within(async {
        let server = replay(&["005-execute-roplogon-private"]).await;
        let mb = mailbox(&server).await;
        assert_eq!(sent_rops(&server), [captured_rops("005-execute-roplogon-private")]);
        assert_eq!(mb.folder(SpecialFolder::Root), FolderId::new(1, 1));
        assert_eq!(mb.folder(SpecialFolder::IpmSubtree), FolderId::new(1, 9));
        assert_eq!(mb.folder(SpecialFolder::Inbox), FolderId::new(1, 0xd));
        assert_eq!(mb.folder(SpecialFolder::SentItems), FolderId::new(1, 0xa));
        assert!(mb.info().private);
        assert_eq!(mb.wire_counters().round_trips, 1);
    })
    .await;
}

/// One-shot listings: the API's `query` sends the capture's bytes and decodes its rows.
async fn one_shot(name: &str, expect_rows: usize) {
    let server = replay(&["005-execute-roplogon-private", name]).await;
    let mb = mailbox(&server).await;
    let (spec, max) = spec_of(name);
    let rows = mb.query(&spec, max).await.unwrap();
    let sent = sent_rops(&server);
    assert_eq!(sent.len(), 2, "one Execute for the whole listing");
    assert_eq!(sent[1], captured_rops(name), "{name}: same ROP bytes");
    assert_eq!(rows.rows.len(), expect_rows, "{name}");
    assert_eq!(rows.columns, spec.columns);
    assert!(rows.rows.iter().all(|r| r.len() == spec.columns.len()));
}

#[tokio::test]
async fn capture_008_ipm_subtree_hierarchy_with_depth() {
    within(one_shot("008-execute-ipmsubtree-hierarchy-table", 19)).await;
}

#[tokio::test]
async fn capture_009_root_hierarchy() {
    within(async {
        let (spec, _) = spec_of("009-execute-root-hierarchy-table");
        assert_eq!(spec.kind, TableKind::Hierarchy { depth: false });
        let server = replay(&["005-execute-roplogon-private", "009-execute-root-hierarchy-table"]).await;
        let mb = mailbox(&server).await;
        let built = TableSpec::hierarchy(mb.folder(SpecialFolder::Root), spec.columns.clone(), false);
        let rows = mb.query(&built, 100).await.unwrap();
        assert_eq!(sent_rops(&server)[1], captured_rops("009-execute-root-hierarchy-table"));
        assert_eq!(rows.total as usize, rows.rows.len());
        assert!(rows.at_end);
    })
    .await;
}

#[tokio::test]
async fn capture_010_inbox_contents_sorted() {
    within(async {
        let (spec, _) = spec_of("010-execute-inbox-contents-sorted");
        assert!(spec.sort.is_some());
        let server = replay(&["005-execute-roplogon-private", "010-execute-inbox-contents-sorted"]).await;
        let mb = mailbox(&server).await;
        let rows = mb.query(&spec, 50).await.unwrap();
        assert_eq!(sent_rops(&server)[1], captured_rops("010-execute-inbox-contents-sorted"));
        assert_eq!(rows.rows.len() as u32, rows.total);
        assert!(!rows.rows.is_empty());
    })
    .await;
}

#[tokio::test]
async fn captures_011_to_013_restricted_contents() {
    for name in [
        "011-execute-inbox-restrict-content-subject",
        "012-execute-inbox-restrict-property-messageflags",
        "013-execute-inbox-restrict-bitmask-and-exist",
    ] {
        let (spec, _) = spec_of(name);
        assert!(spec.restriction.is_some(), "{name}");
        let n = {
            let server = replay(&["005-execute-roplogon-private", name]).await;
            let mb = mailbox(&server).await;
            let rows = within(mb.query(&spec, 50)).await.unwrap();
            assert_eq!(sent_rops(&server)[1], captured_rops(name), "{name}");
            rows.rows.len()
        };
        assert!(n <= 50, "{name}");
    }
}

#[tokio::test]
async fn capture_021_sent_items_contents() {
    within(one_shot("021-execute-sentitems-contents", 1)).await;
}

fn mids_of(name: &str) -> (Vec<FolderId>, Vec<mapi_wire::ids::MessageId>, RopRequest) {
    let req = captured_request(name);
    let mut folders = Vec::new();
    let mut op = None;
    for r in req.rops {
        match r {
            RopRequest::OpenFolder(o) => folders.push(o.folder_id),
            RopRequest::Release(_) => {}
            other => op = Some(other),
        }
    }
    let op = op.unwrap();
    let mids = match &op {
        RopRequest::SetReadFlags(x) => x.message_ids.clone(),
        RopRequest::MoveCopyMessages(x) => x.message_ids.clone(),
        RopRequest::DeleteMessages(x) => x.message_ids.clone(),
        RopRequest::HardDeleteMessages(x) => x.message_ids.clone(),
        other => panic!("{other:?}"),
    };
    (folders, mids, op)
}

#[tokio::test]
async fn capture_034_set_read_flags() {
    within(async {
        let name = "034-execute-setreadflags-mark-read";
        let (folders, mids, op) = mids_of(name);
        let RopRequest::SetReadFlags(op) = op else { unreachable!() };
        let server = replay(&["005-execute-roplogon-private", name]).await;
        let mb = mailbox(&server).await;
        let out = mb.set_read_flags(folders[0], &mids, op.read_flags).await.unwrap();
        assert_eq!(sent_rops(&server)[1], captured_rops(name));
        assert_eq!(out.executes, 1);
        assert!(!out.partial);
    })
    .await;
}

#[tokio::test]
async fn capture_036_copy_messages() {
    within(async {
        let name = "036-execute-movecopymessages-copy-to-drafts";
        let (folders, mids, _) = mids_of(name);
        let server = replay(&["005-execute-roplogon-private", name]).await;
        let mb = mailbox(&server).await;
        let out = mb.move_copy(folders[0], folders[1], &mids, true).await.unwrap();
        assert_eq!(sent_rops(&server)[1], captured_rops(name));
        assert!(!out.partial);
    })
    .await;
}

#[tokio::test]
async fn captures_038_039_delete_messages() {
    for (name, hard) in [("038-execute-deletemessages-copies", false), ("039-execute-harddeletemessages-draft", true)] {
        let (folders, mids, _) = mids_of(name);
        let server = replay(&["005-execute-roplogon-private", name]).await;
        let mb = within(mailbox(&server)).await;
        let out = within(mb.delete_messages(folders[0], &mids, hard)).await.unwrap();
        assert_eq!(sent_rops(&server)[1], captured_rops(name), "{name}");
        assert_eq!(out.executes, 1);
    }
}

#[tokio::test]
async fn bulk_read_flags_split_within_32k() {
    within(async {
        // 5000 MIDs: 1800 per ROP, two ROPs per Execute → 2 Executes, each < 32 KB.
        let name = "034-execute-setreadflags-mark-read";
        let server = replay(&["005-execute-roplogon-private", name, name]).await;
        let mb = mailbox(&server).await;
        let mids: Vec<_> = (1..=5000u64).map(|i| mapi_wire::ids::MessageId::new(1, i)).collect();
        // The captured answer has one SetReadFlags response; the second ROP of the first
        // Execute has none, so this must fail cleanly rather than panic.
        let r = mb.set_read_flags(mb.folder(SpecialFolder::Inbox), &mids, mapi_wire::rop::ReadFlags::DEFAULT).await;
        let sent = sent_rops(&server);
        assert!(sent.iter().all(|b| b.len() <= api::MAX_ROP_IN));
        let first = RopRequestBuffer::decode_exact(&sent[1]).unwrap();
        let counts: Vec<usize> = first
            .rops
            .iter()
            .filter_map(|r| match r {
                RopRequest::SetReadFlags(x) => Some(x.message_ids.len()),
                _ => None,
            })
            .collect();
        assert_eq!(counts, [1800, 1800]);
        assert!(r.is_err(), "a missing response is an error");
    })
    .await;
}

fn message_of(name: &str) -> (FolderId, mapi_wire::ids::MessageId) {
    let req = captured_request(name);
    match &req.rops[0] {
        RopRequest::OpenMessage(o) => (o.folder_id, o.message_id),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn capture_020_read_recipients() {
    within(async {
        let name = "020-execute-openmessage-readrecipients";
        let (folder, mid) = message_of(name);
        let server = replay(&["005-execute-roplogon-private", name]).await;
        let mb = mailbox(&server).await;
        let recipients = mb.recipients(folder, mid).await.unwrap();
        assert_eq!(sent_rops(&server)[1], captured_rops(name));
        assert!(!recipients.is_empty());
        assert!(format!("{:?}", recipients[0].row).to_lowercase().contains("alice"), "{recipients:?}");
    })
    .await;
}

#[tokio::test]
async fn capture_018_attachment_table() {
    within(async {
        let name = "018-execute-attachment-table";
        let (folder, mid) = message_of(name);
        let req = captured_request(name);
        let columns = req
            .rops
            .iter()
            .find_map(|r| match r {
                RopRequest::SetColumns(s) => Some(s.columns.clone()),
                _ => None,
            })
            .unwrap();
        let server = replay(&["005-execute-roplogon-private", name]).await;
        let mb = mailbox(&server).await;
        let rows = mb.attachment_table(folder, mid, &columns, 10).await.unwrap();
        assert_eq!(sent_rops(&server)[1], captured_rops(name));
        assert!(!rows.rows.is_empty());
        assert!(rows.rows.iter().all(|r| r.len() == columns.len()));
    })
    .await;
}

#[tokio::test]
async fn capture_014_all_properties_of_a_message() {
    within(async {
        let name = "014-execute-openmessage-html-getpropertiesall";
        let (folder, mid) = message_of(name);
        let server = replay(&["005-execute-roplogon-private", name]).await;
        let mb = mailbox(&server).await;
        let values = mb.message_properties(folder, mid, None).await.unwrap();
        assert_eq!(sent_rops(&server)[1], captured_rops(name));
        let class = values.iter().find(|v| v.tag.id() == 0x001A).unwrap();
        assert!(format!("{:?}", class.value).contains("IPM"), "{class:?}");
        assert!(values.len() > 10);
    })
    .await;
}

#[tokio::test]
async fn capture_015_specific_body_properties() {
    within(async {
        let name = "015-execute-openmessage-html-getpropertiesspecific-bodies";
        let (folder, mid) = message_of(name);
        let tags = captured_request(name)
            .rops
            .iter()
            .find_map(|r| match r {
                RopRequest::GetPropertiesSpecific(g) => Some(g.property_tags.clone()),
                _ => None,
            })
            .unwrap();
        let server = replay(&["005-execute-roplogon-private", name]).await;
        let mb = mailbox(&server).await;
        let values = mb.message_properties(folder, mid, Some(&tags)).await.unwrap();
        assert_eq!(sent_rops(&server)[1], captured_rops(name));
        // PidTagHtml as binary comes back; its string alias is an error (corrections A19).
        assert!(values.iter().any(|v| v.tag == mapi_wire::PropTag(0x1013_0102)));
        assert!(values.iter().any(|v| v.tag.id() == 0x1013 && v.tag.prop_type() == mapi_wire::PropType::ERROR_CODE));
    })
    .await;
}

#[tokio::test]
async fn captures_023_024_named_property_ids_cached() {
    within(async {
        for (name, create) in [
            ("023-execute-getpropertyidsfromnames-nocreate", false),
            ("024-execute-getpropertyidsfromnames-create", true),
        ] {
            let names = match &captured_request(name).rops[0] {
                RopRequest::GetPropertyIdsFromNames(g) => g.names.clone(),
                other => panic!("{other:?}"),
            };
            let server = replay(&["005-execute-roplogon-private", name]).await;
            let mb = mailbox(&server).await;
            let ids = mb.property_ids(&names, create).await.unwrap();
            assert_eq!(sent_rops(&server)[1], captured_rops(name), "{name}");
            assert_eq!(ids.len(), names.len());
            assert!(ids.iter().any(|i| *i >= 0x8000), "{name}: {ids:?}");
            // Mapped names are answered from the cache: no further Execute.
            let mapped: Vec<_> = names.iter().zip(&ids).filter(|(_, i)| **i != 0).map(|(n, _)| n.clone()).collect();
            let again = mb.property_ids(&mapped, create).await.unwrap();
            assert!(again.iter().all(|i| *i != 0));
            assert_eq!(sent_rops(&server).len(), 2, "{name}: cached");
        }
    })
    .await;
}

/// The NewMessage of a captured create (031/033).
fn new_message_of(name: &str) -> (api::NewMessage, bool) {
    let mut m = api::NewMessage::default();
    let mut submit = false;
    for r in captured_request(name).rops {
        match r {
            RopRequest::CreateMessage(c) => m.folder = c.folder_id,
            RopRequest::SetProperties(s) => m.properties = s.values,
            RopRequest::ModifyRecipients(r) => {
                m.recipient_columns = r.recipient_columns;
                m.recipients = r.rows;
            }
            RopRequest::SubmitMessage(_) => submit = true,
            _ => {}
        }
    }
    (m, submit)
}

#[tokio::test]
async fn captures_031_033_create_save_and_submit() {
    within(async {
        for (name, want_submit) in
            [("031-execute-createmessage-drafts-save", false), ("033-execute-createmessage-submitmessage-to-bob", true)]
        {
            let (msg, submit) = new_message_of(name);
            assert_eq!(submit, want_submit);
            let server = replay(&["005-execute-roplogon-private", name]).await;
            let mb = mailbox(&server).await;
            let report = mb.create_message(&msg, submit).await.unwrap();
            assert_eq!(sent_rops(&server)[1], captured_rops(name), "{name}");
            assert!(matches!(report, api::WriteReport::Done(m) if m.0 != 0), "{name}: {report:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn capture_046_ics_contents_initial() {
    within(async {
        let name = "046-execute-ics-contents-inbox-initial";
        let server = replay(&["005-execute-roplogon-private", name]).await;
        let mb = mailbox(&server).await;
        let sync = mb.sync_contents(mb.folder(SpecialFolder::Inbox), None, &api::IcsOptions::contents()).await.unwrap();
        assert_eq!(sent_rops(&server)[1], captured_rops(name));
        assert!(!sync.message_changes.is_empty());
        assert!(sync.state.cnset_seen.is_some());
        // The state survives a round trip through bytes.
        let bytes = api::state_to_bytes(&sync.state).unwrap();
        assert_eq!(api::state_from_bytes(&bytes).unwrap(), sync.state);
    })
    .await;
}

#[tokio::test]
async fn capture_050_ics_contents_incremental_uploads_the_state() {
    within(async {
        let name = "050-execute-ics-contents-inbox-incremental";
        // The state the client had: the blobs the capture uploads.
        let mut state = mapi_wire::fx::SyncState::default();
        let mut current = None;
        for r in captured_request(name).rops {
            match r {
                RopRequest::SynchronizationUploadStateStreamBegin(b) => current = Some(b.state_property),
                RopRequest::SynchronizationUploadStateStreamContinue(c) => match current.map(|t| t.0) {
                    Some(0x4017_0003) => state.idset_given = Some(c.stream_data),
                    Some(0x6796_0102) => state.cnset_seen = Some(c.stream_data),
                    Some(0x67DA_0102) => state.cnset_seen_fai = Some(c.stream_data),
                    Some(0x67D2_0102) => state.cnset_read = Some(c.stream_data),
                    _ => {}
                },
                _ => {}
            }
        }
        let server = replay(&["005-execute-roplogon-private", name]).await;
        let mb = mailbox(&server).await;
        let sync = mb
            .sync_contents(mb.folder(SpecialFolder::Inbox), Some(&state), &api::IcsOptions::contents())
            .await
            .unwrap();
        assert_eq!(sent_rops(&server)[1], captured_rops(name));
        assert!(sync.read_state_changes.is_some() || !sync.message_changes.is_empty());
    })
    .await;
}

#[tokio::test]
async fn capture_048_ics_hierarchy_chained() {
    within(async {
        let name = "048-execute-ics-hierarchy-ipmsubtree-chained";
        let server = replay(&["005-execute-roplogon-private", name]).await;
        let mb = mailbox(&server).await;
        let o = api::IcsOptions { buffer_size: 0x0800, chain: true, ..api::IcsOptions::hierarchy() };
        let sync = mb.sync_hierarchy(mb.folder(SpecialFolder::IpmSubtree), None, &o).await.unwrap();
        assert_eq!(sent_rops(&server)[1], captured_rops(name));
        assert!(sync.folder_changes.len() >= 10, "{}", sync.folder_changes.len());
    })
    .await;
}
