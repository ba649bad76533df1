//! Context expiry in the middle of a sequence: a read is re-logged-on and repeated
//! transparently; a self-contained write the server refused unexecuted is sent once more.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use mapi_client::api::{Mailbox, MailboxOptions, StoreTarget, TableSpec};
use mapi_client::*;
use mapi_wire::Decode;
use mapi_wire::rop::{RopRequest, RopRequestBuffer};

const SID: &str = "sid=alk6icfbe8b0exu8amedplwee7m8tek8";
const SEQ: &str = "sequence=d14fed18-f728-47f8-81b7-9ad123c77804";

fn listing() -> (TableSpec, Vec<u8>) {
    let name = "010-execute-inbox-contents-sorted";
    let req = RopRequestBuffer::decode_exact(&rop_input_of(&capture(&format!("{name}.req.bin")))).unwrap();
    let mut spec = TableSpec::contents(mapi_wire::ids::FolderId(0), Vec::new());
    for r in req.rops {
        match r {
            RopRequest::OpenFolder(o) => spec.folder = o.folder_id,
            RopRequest::SetColumns(s) => spec.columns = s.columns,
            RopRequest::SortTable(s) => spec.sort = Some(s.sort_order_set),
            _ => {}
        }
    }
    (spec, capture(&format!("{name}.resp.bin")))
}

/// Executes: logon, then the context is lost once (X-ResponseCode 2), then logon and
/// the listing are answered.
async fn server(lose_at: usize) -> Server {
    server_answering(lose_at, listing().1).await
}

/// [`server`] answering every Execute but RopLogon with `answer`.
async fn server_answering(lose_at: usize, answer: Vec<u8>) -> Server {
    let listing = answer;
    let n = Arc::new(Mutex::new(0usize));
    Server::start(Arc::new(move |req, _| match req.request_type() {
        "Connect" => mapi_ok(req, &[SID, SEQ], &capture("004-emsmdb-connect-alice.resp.bin")),
        "Execute" => {
            let mut k = n.lock().unwrap();
            *k += 1;
            if *k == lose_at {
                return error_page(2, &capture("065-execute-error-unknown-sid.resp.bin"));
            }
            if rop_input_of(&req.body).get(2) == Some(&0xFE) {
                mapi_ok(req, &[SID, SEQ], &capture("005-execute-roplogon-private.resp.bin"))
            } else {
                mapi_ok(req, &[SID, SEQ], &listing)
            }
        }
        _ => Action::Close,
    }))
    .await
}

async fn mailbox(server: &Server) -> Mailbox {
    let mut t =
        TransportConfig::new(Credentials::Basic { user: "alice@example.test".into(), password: "alice123".into() });
    t.trace_dir = None;
    t.retry.base_delay = Duration::from_millis(5);
    let session =
        Arc::new(EmsmdbSession::connect(SessionConfig::new(&server.url(EMSMDB_PATH), ALICE_DN, t)).await.unwrap());
    Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: ALICE_DN.into() }, MailboxOptions::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn lost_context_during_a_read_is_recovered_transparently() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let server = server(2).await;
        let mb = mailbox(&server).await;
        let (spec, _) = listing();
        let rows = mb.query(&spec, 50).await.unwrap();
        assert!(!rows.rows.is_empty());
        let kinds: Vec<String> = server.requests().iter().map(|r| r.request_type().to_owned()).collect();
        // Connect, logon, listing (lost), Connect again, logon again, listing.
        assert_eq!(kinds, ["Connect", "Execute", "Execute", "Connect", "Execute", "Execute"]);
        let execs: Vec<_> = server.requests().into_iter().filter(|r| r.request_type() == "Execute").collect();
        assert_eq!(rop_input_of(&execs[2].body).get(2), Some(&0xFE), "re-logon before repeating");
        assert_eq!(rop_input_of(&execs[1].body), rop_input_of(&execs[3].body), "the same listing again");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn lost_context_before_a_copy_is_sent_again_once_after_the_relogon() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let server = server_answering(2, capture("036-execute-movecopymessages-copy-to-drafts.resp.bin")).await;
        let mb = mailbox(&server).await;
        let mids = [mapi_wire::ids::MessageId::new(1, 3)];
        let out = mb
            .move_copy(mb.folder(api::SpecialFolder::Inbox), mb.folder(api::SpecialFolder::DeletedItems), &mids, true)
            .await
            .unwrap();
        assert!(!out.partial);
        // The lost context means the server refused the copy unexecuted; the Execute
        // opens both folders itself, so after the re-logon it is sent once more.
        let kinds: Vec<String> = server.requests().iter().map(|r| r.request_type().to_owned()).collect();
        assert_eq!(kinds, ["Connect", "Execute", "Execute", "Connect", "Execute", "Execute"]);
        let execs: Vec<_> = server.requests().into_iter().filter(|r| r.request_type() == "Execute").collect();
        assert_eq!(rop_input_of(&execs[2].body).get(2), Some(&0xFE), "re-logon before sending it again");
        assert_eq!(rop_input_of(&execs[1].body), rop_input_of(&execs[3].body), "the same copy, once more");
    })
    .await
    .unwrap();
}
