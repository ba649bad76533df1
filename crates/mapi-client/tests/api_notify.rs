//! Notifications: registrations as in capture 041, NotificationWait (042) and the empty
//! Execute that collects RopNotify (044's events).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use mapi_client::api::{Mailbox, MailboxOptions, SpecialFolder, StoreTarget, Watch};
use mapi_client::*;
use mapi_wire::emsmdb::{ExecuteResponse, MapiResponse};
use mapi_wire::rop::*;
use mapi_wire::rpc_ext::{self, ChainLimits, EncodeOptions};
use mapi_wire::{Decode, Encode, ErrorCode, PropTag};

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

/// Capture 044's RopNotify responses for handles 50 and 51 (the TableModified of a table
/// this test did not open is dropped).
fn events_044() -> Vec<u8> {
    let body = capture("044-execute-empty-fetch-notifications.resp.bin");
    let start = body.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let r = MapiResponse::<ExecuteResponse>::decode_exact(&body[start..]).unwrap();
    let MapiResponse::Completed(r) = r else { panic!() };
    let payload = rpc_ext::decode_chain(&r.rop_buffer, &ChainLimits::default()).unwrap().remove(0).payload;
    let known: HashMap<u32, Vec<PropTag>> =
        HashMap::from([(53, vec![PropTag(0x674A_0014), PropTag(0x0037_001F), PropTag(0x0E07_0003)])]);
    let empty = RopRequestBuffer::default();
    let mut decoded =
        RopResponseBuffer::decode_with(&payload, &ExecuteContext::new(&empty).with_known(&known)).unwrap();
    decoded.rops.retain(|r| matches!(r, RopResponse::Notify(n) if n.notification_handle != 53));
    execute_body(&decoded.to_bytes().unwrap())
}

#[tokio::test]
async fn register_wait_collect() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let step = Arc::new(Mutex::new(0usize));
        let server = Server::start(Arc::new(move |req, _| match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ], &capture("004-emsmdb-connect-alice.resp.bin")),
            "NotificationWait" => mapi_ok(req, &[SID], &capture("042-emsmdb-notificationwait-newmail.resp.bin")),
            "Execute" => {
                let mut s = step.lock().unwrap();
                *s += 1;
                match *s {
                    1 => mapi_ok(req, &[SID, SEQ], &capture("005-execute-roplogon-private.resp.bin")),
                    2 => {
                        let resp = RopResponseBuffer {
                            rops: (1..=2u8)
                                .map(|i| {
                                    RopResponse::RegisterNotification(RegisterNotificationResponse {
                                        handle_index: i,
                                        return_value: ErrorCode::SUCCESS,
                                    })
                                })
                                .collect(),
                            handles: vec![0, 50, 51],
                        };
                        mapi_ok(req, &[SID, SEQ], &execute_body(&resp.to_bytes().unwrap()))
                    }
                    _ => mapi_ok(req, &[SID, SEQ], &events_044()),
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
        let mut n = mb
            .subscribe(vec![
                Watch::Folder { folder: mb.folder(SpecialFolder::Inbox), types: 0x7E },
                Watch::Store { types: 0x02 },
            ])
            .await
            .unwrap();
        assert_eq!(n.handles(), [50, 51]);
        // The registrations are capture 041's first two ROPs.
        let execs: Vec<_> = server.requests().into_iter().filter(|r| r.request_type() == "Execute").collect();
        let mine = RopRequestBuffer::decode_exact(&rop_input_of(&execs[1].body)).unwrap();
        let theirs =
            RopRequestBuffer::decode_exact(&rop_input_of(&capture("041-execute-registernotification-inbox.req.bin")))
                .unwrap();
        assert_eq!(mine.rops[..], theirs.rops[..2]);

        let mut kinds = Vec::new();
        for _ in 0..4 {
            let e = n.next().await.unwrap();
            kinds.push((e.notification_handle, e.data.flags));
        }
        // 044 holds three events for our handles; the fourth comes from a second wait + collect.
        assert_eq!(kinds, [(50, 0x3010), (50, 0x8002), (51, 0x8002), (50, 0x3010)]);
        assert_eq!(server.requests().iter().filter(|r| r.request_type() == "NotificationWait").count(), 2);
        // The collecting Execute was an empty ROP list with the registrations' handles.
        let execs: Vec<_> = server.requests().into_iter().filter(|r| r.request_type() == "Execute").collect();
        let collect = RopRequestBuffer::decode_exact(&rop_input_of(&execs[2].body)).unwrap();
        assert!(collect.rops.is_empty());
        assert_eq!(collect.handles, [0, 50, 51]);
    })
    .await
    .unwrap();
}
