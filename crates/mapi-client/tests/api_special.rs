//! Special folders from capture 007's answers: entry IDs on Root/Inbox → folder ids via
//! RopIdFromLongTermId, receive folder → Inbox.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use mapi_client::api::{Mailbox, MailboxOptions, StoreTarget};
use mapi_client::*;
use mapi_wire::emsmdb::{ExecuteRequest, ExecuteResponse, MapiResponse};
use mapi_wire::ids::FolderId;
use mapi_wire::rop::*;
use mapi_wire::rpc_ext::{self, ChainLimits, EncodeOptions};
use mapi_wire::{Decode, Encode, ErrorCode};

const SID: &str = "sid=alk6icfbe8b0exu8amedplwee7m8tek8";
const SEQ: &str = "sequence=d14fed18-f728-47f8-81b7-9ad123c77804";
const META: &[u8] = b"PROCESSING\r\nDONE\r\nX-ElapsedTime: 0\r\nX-StartTime: Fri, 27 Nov 2026 01:36:08 GMT\r\n\r\n";

fn execute_body(payload: &[u8]) -> Vec<u8> {
    let rop_buffer = rpc_ext::encode_chain([payload], &EncodeOptions::default()).unwrap();
    let mut stream = META.to_vec();
    MapiResponse::Completed(ExecuteResponse {
        error_code: ErrorCode::SUCCESS,
        flags: 0,
        rop_buffer,
        auxiliary_buffer: vec![],
    })
    .encode(&mut stream)
    .unwrap();
    stream
}

fn payload_of(resp: &[u8]) -> Vec<u8> {
    let start = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let MapiResponse::Completed(r) = MapiResponse::<ExecuteResponse>::decode_exact(&resp[start..]).unwrap() else {
        panic!()
    };
    rpc_ext::decode_chain(&r.rop_buffer, &ChainLimits::default()).unwrap().remove(0).payload
}

/// Capture 007's answers without those to RopGetStoreState and RopLongTermIdFromId.
fn answers_007() -> Vec<u8> {
    let name = "007-execute-special-folder-entryids";
    let req = RopRequestBuffer::decode_exact(&rop_input_of(&capture(&format!("{name}.req.bin")))).unwrap();
    let mut resp =
        RopResponseBuffer::decode_with(&payload_of(&capture(&format!("{name}.resp.bin"))), &ExecuteContext::new(&req))
            .unwrap();
    resp.rops.retain(|r| !matches!(r, RopResponse::GetStoreState(_) | RopResponse::LongTermIdFromId(_)));
    execute_body(&resp.to_bytes().unwrap())
}

/// RopIdFromLongTermId answers: replid 1 + the long-term id's counter.
fn id_answers(body: &[u8]) -> Vec<u8> {
    let req = ExecuteRequest::decode_exact(body).unwrap();
    let input = rpc_ext::decode_chain(&req.rop_buffer, &ChainLimits::default()).unwrap();
    let rops = RopRequestBuffer::decode_exact(&input[0].payload).unwrap();
    let out = rops
        .rops
        .iter()
        .map(|r| {
            let RopRequest::IdFromLongTermId(q) = r else { panic!("{r:?}") };
            RopResponse::IdFromLongTermId(IdFromLongTermIdResponse {
                handle_index: 0,
                return_value: ErrorCode::SUCCESS,
                success: Some(IdFromLongTermIdSuccess {
                    object_id: FolderId::new(1, q.long_term_id.counter.value()).0,
                }),
            })
        })
        .collect();
    execute_body(&RopResponseBuffer { rops: out, handles: rops.handles }.to_bytes().unwrap())
}

#[tokio::test]
async fn special_folders_from_entry_ids() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let n = Arc::new(Mutex::new(0usize));
        let server = Server::start(Arc::new(move |req, _| match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ], &capture("004-emsmdb-connect-alice.resp.bin")),
            "Execute" => {
                let mut k = n.lock().unwrap();
                *k += 1;
                match *k {
                    1 => mapi_ok(req, &[SID, SEQ], &capture("005-execute-roplogon-private.resp.bin")),
                    2 => mapi_ok(req, &[SID, SEQ], &answers_007()),
                    _ => mapi_ok(req, &[SID, SEQ], &id_answers(&req.body)),
                }
            }
            _ => Action::Close,
        }))
        .await;
        let mut t =
            TransportConfig::new(Credentials::Basic { user: "alice@example.test".into(), password: "alice123".into() });
        t.trace_dir = None;
        t.compress_requests_from = None;
        let session =
            Arc::new(EmsmdbSession::connect(SessionConfig::new(&server.url(EMSMDB_PATH), ALICE_DN, t)).await.unwrap());
        let mb =
            Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: ALICE_DN.into() }, MailboxOptions::default())
                .await
                .unwrap();
        let sf = mb.special_folders().await.unwrap();
        assert_eq!(sf.inbox, Some(FolderId::new(1, 0xd)));
        assert_eq!(sf.drafts, Some(FolderId::new(1, 0xe)), "{sf:?}");
        assert!(sf.calendar.is_some() && sf.contacts.is_some() && sf.tasks.is_some(), "{sf:?}");
        assert!(sf.junk.is_some() && sf.conflicts.is_some(), "{sf:?}");
        // The first Execute is capture 007's ROPs without GetStoreState/LongTermIdFromId.
        let execs: Vec<_> = server.requests().into_iter().filter(|r| r.request_type() == "Execute").collect();
        let mine = RopRequestBuffer::decode_exact(&rop_input_of(&execs[1].body)).unwrap();
        let mut theirs =
            RopRequestBuffer::decode_exact(&rop_input_of(&capture("007-execute-special-folder-entryids.req.bin")))
                .unwrap();
        theirs.rops.retain(|r| !matches!(r, RopRequest::GetStoreState(_) | RopRequest::LongTermIdFromId(_)));
        assert_eq!(mine, theirs);
        assert_eq!(execs.len(), 3, "two Executes after the logon");
    })
    .await
    .unwrap();
}
