//! RopBackoff and RopBufferTooSmall in the middle of a ROP list: the unanswered tail is
//! sent again (after the backoff time / with a larger MaxRopOut) with the handle table
//! the server returned, and the answers line up with the original requests.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use mapi_client::api::{Mailbox, MailboxOptions, SpecialFolder, StoreTarget};
use mapi_client::*;
use mapi_wire::emsmdb::{ExecuteRequest, ExecuteResponse, MapiResponse};
use mapi_wire::ids::MessageId;
use mapi_wire::rop::*;
use mapi_wire::rpc_ext::{self, ChainLimits, EncodeOptions};
use mapi_wire::{Decode, Encode, ErrorCode};

const SID: &str = "sid=alk6icfbe8b0exu8amedplwee7m8tek8";
const SEQ: &str = "sequence=d14fed18-f728-47f8-81b7-9ad123c77804";
const META: &[u8] = b"PROCESSING\r\nDONE\r\nX-ElapsedTime: 0\r\nX-StartTime: Fri, 27 Nov 2026 01:36:08 GMT\r\n\r\n";
const FOLDER_HANDLE: u32 = 0x77;

fn execute_body(resp: &RopResponseBuffer) -> Vec<u8> {
    let payload = resp.to_bytes().unwrap();
    let rop_buffer = rpc_ext::encode_chain([payload.as_slice()], &EncodeOptions::default()).unwrap();
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

fn decode_request(body: &[u8]) -> (ExecuteRequest, RopRequestBuffer) {
    let req = ExecuteRequest::decode_exact(body).unwrap();
    let input = rpc_ext::decode_chain(&req.rop_buffer, &ChainLimits::default()).unwrap();
    let rops = RopRequestBuffer::decode_exact(&input[0].payload).unwrap();
    (req, rops)
}

fn srf_ok() -> RopResponse {
    RopResponse::SetReadFlags(SetReadFlagsResponse {
        handle_index: 1,
        return_value: ErrorCode::SUCCESS,
        partial_completion: Some(false),
    })
}

/// Answers the bulk Execute with OpenFolder + first SetReadFlags + `stop`, and the tail
/// with the rest.
async fn run(stop: RopResponse, options: MailboxOptions) -> (Vec<(ExecuteRequest, RopRequestBuffer)>, Duration) {
    let n = Arc::new(Mutex::new(0usize));
    let server = Server::start(Arc::new(move |req, _| match req.request_type() {
        "Connect" => mapi_ok(req, &[SID, SEQ], &capture("004-emsmdb-connect-alice.resp.bin")),
        "Execute" => {
            let mut k = n.lock().unwrap();
            *k += 1;
            let (_, rops) = decode_request(&req.body);
            match *k {
                1 => mapi_ok(req, &[SID, SEQ], &capture("005-execute-roplogon-private.resp.bin")),
                2 => {
                    let mut handles = rops.handles.clone();
                    handles[1] = FOLDER_HANDLE;
                    let resp = RopResponseBuffer {
                        rops: vec![
                            RopResponse::OpenFolder(OpenFolderResponse {
                                handle_index: 1,
                                return_value: ErrorCode::SUCCESS,
                                success: Some(OpenFolderSuccess { has_rules: false, ghost: None }),
                            }),
                            srf_ok(),
                            stop.clone(),
                        ],
                        handles,
                    };
                    mapi_ok(req, &[SID, SEQ], &execute_body(&resp))
                }
                _ => {
                    let answers = rops.rops.iter().filter(|r| !matches!(r, RopRequest::Release(_))).map(|_| srf_ok());
                    let resp = RopResponseBuffer { rops: answers.collect(), handles: rops.handles.clone() };
                    mapi_ok(req, &[SID, SEQ], &execute_body(&resp))
                }
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
    let mb = Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: ALICE_DN.into() }, options).await.unwrap();
    // 3000 MIDs: two SetReadFlags ROPs (1800 + 1200) in one ROP list.
    let mids: Vec<MessageId> = (1..=3000u64).map(|i| MessageId::new(1, i)).collect();
    let start = Instant::now();
    let out = mb.set_read_flags(mb.folder(SpecialFolder::Inbox), &mids, ReadFlags::DEFAULT).await.unwrap();
    let took = start.elapsed();
    assert_eq!(out.executes, 1);
    assert!(!out.partial);
    let reqs = server
        .requests()
        .into_iter()
        .filter(|r| r.request_type() == "Execute")
        .skip(1)
        .map(|r| decode_request(&r.body))
        .collect();
    (reqs, took)
}

fn assert_tail(reqs: &[(ExecuteRequest, RopRequestBuffer)]) {
    assert_eq!(reqs.len(), 2, "the list, then its tail");
    let tail = &reqs[1].1;
    assert_eq!(tail.rops.len(), 2, "{:?}", tail.rops);
    let RopRequest::SetReadFlags(s) = &tail.rops[0] else { panic!("{:?}", tail.rops[0]) };
    assert_eq!(s.message_ids.len(), 1200, "the second chunk");
    assert!(matches!(tail.rops[1], RopRequest::Release(ReleaseRequest { input_handle_index: 1, .. })));
    assert_eq!(tail.handles[1], FOLDER_HANDLE, "the folder opened by the first Execute");
}

#[tokio::test]
async fn backoff_waits_then_sends_the_rest() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let stop = RopResponse::Backoff(BackoffResponse {
            logon_id: 0,
            duration: 300,
            rops: vec![BackoffRop { rop_id: RopId::SET_READ_FLAGS, duration: 300 }],
            additional_data: vec![],
        });
        let (reqs, took) = run(stop, MailboxOptions::default()).await;
        assert_tail(&reqs);
        assert!(took >= Duration::from_millis(300), "waited the BackoffTime ({took:?})");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn buffer_too_small_sends_the_rest_with_a_larger_max_rop_out() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let stop = RopResponse::BufferTooSmall(BufferTooSmallResponse { size_needed: 0xF000, request_buffers: vec![] });
        let options = MailboxOptions { max_rop_out: 0x8000, ..MailboxOptions::default() };
        let (reqs, _) = run(stop, options).await;
        assert_tail(&reqs);
        assert_eq!(reqs[0].0.max_rop_out, 0x8000);
        assert!(reqs[1].0.max_rop_out >= 0xF000, "{:#x}", reqs[1].0.max_rop_out);
    })
    .await
    .unwrap();
}
