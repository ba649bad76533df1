//! A message with a 100 KB body: small values with RopSetProperties, the body through
//! RopOpenStream + RopWriteStream chunks + RopCommitStream on the kept message handle,
//! then save; every Execute stays within 32 KB.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use mapi_client::api::{Mailbox, MailboxOptions, NewMessage, SpecialFolder, StoreTarget, WriteReport};
use mapi_client::*;
use mapi_wire::emsmdb::{ExecuteRequest, ExecuteResponse, MapiResponse};
use mapi_wire::ids::MessageId;
use mapi_wire::prop_value::{PropValue, TaggedValue};
use mapi_wire::rop::*;
use mapi_wire::rpc_ext::{self, ChainLimits, EncodeOptions};
use mapi_wire::{Decode, Encode, ErrorCode, PropTag};

const SID: &str = "sid=alk6icfbe8b0exu8amedplwee7m8tek8";
const SEQ: &str = "sequence=d14fed18-f728-47f8-81b7-9ad123c77804";
const META: &[u8] = b"PROCESSING\r\nDONE\r\nX-ElapsedTime: 0\r\nX-StartTime: Fri, 27 Nov 2026 01:36:08 GMT\r\n\r\n";

/// Answers every ROP with success; new objects get handles 0x40, 0x41, ….
fn answer(body: &[u8], next: &mut u32, written: &mut Vec<u8>) -> Vec<u8> {
    let req = ExecuteRequest::decode_exact(body).unwrap();
    let input = rpc_ext::decode_chain(&req.rop_buffer, &ChainLimits::default()).unwrap();
    let rops = RopRequestBuffer::decode_exact(&input[0].payload).unwrap();
    let mut handles = rops.handles.clone();
    let ok = ErrorCode::SUCCESS;
    let mut out = Vec::new();
    for r in &rops.rops {
        if let Some(i) = r.output_handle_index() {
            *next += 1;
            handles[usize::from(i)] = *next;
        }
        out.push(match r {
            RopRequest::CreateMessage(q) => RopResponse::CreateMessage(CreateMessageResponse {
                handle_index: q.output_handle_index,
                return_value: ok,
                success: Some(CreateMessageSuccess { message_id: None }),
            }),
            RopRequest::SetProperties(q) => RopResponse::SetProperties(SetPropertiesResponse {
                handle_index: q.input_handle_index,
                return_value: ok,
                problems: Some(vec![]),
            }),
            RopRequest::OpenStream(q) => RopResponse::OpenStream(OpenStreamResponse {
                handle_index: q.output_handle_index,
                return_value: ok,
                stream_size: Some(0),
            }),
            RopRequest::WriteStream(q) => {
                written.extend_from_slice(&q.data);
                RopResponse::WriteStream(WriteStreamResponse {
                    handle_index: q.input_handle_index,
                    return_value: ok,
                    written_size: Some(u16::try_from(q.data.len()).unwrap()),
                })
            }
            RopRequest::CommitStream(q) => {
                RopResponse::CommitStream(CommitStreamResponse { handle_index: q.input_handle_index, return_value: ok })
            }
            RopRequest::SaveChangesMessage(q) => RopResponse::SaveChangesMessage(SaveChangesMessageResponse {
                handle_index: q.response_handle_index,
                return_value: ok,
                success: Some(SaveChangesMessageSuccess {
                    input_handle_index: q.input_handle_index,
                    message_id: MessageId::new(1, 0x77),
                }),
            }),
            RopRequest::Release(_) => continue,
            other => panic!("unexpected {other:?}"),
        });
    }
    let payload = RopResponseBuffer { rops: out, handles }.to_bytes().unwrap();
    let rop_buffer = rpc_ext::encode_chain([payload.as_slice()], &EncodeOptions::default()).unwrap();
    let mut stream = META.to_vec();
    MapiResponse::Completed(ExecuteResponse { error_code: ok, flags: 0, rop_buffer, auxiliary_buffer: vec![] })
        .encode(&mut stream)
        .unwrap();
    stream
}

#[tokio::test]
async fn large_body_goes_through_a_stream() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let written = Arc::new(Mutex::new(Vec::new()));
        let w2 = written.clone();
        let next = Arc::new(Mutex::new(0x40u32));
        let server = Server::start(Arc::new(move |req, _| match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ], &capture("004-emsmdb-connect-alice.resp.bin")),
            "Execute" if rop_input_of(&req.body).get(2) == Some(&0xFE) => {
                mapi_ok(req, &[SID, SEQ], &capture("005-execute-roplogon-private.resp.bin"))
            }
            "Execute" => {
                let body = answer(&req.body, &mut next.lock().unwrap(), &mut w2.lock().unwrap());
                mapi_ok(req, &[SID, SEQ], &body)
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
        let body: String = "Lorem ipsum dolor sit amet. ".repeat(1800); // 50,400 chars = 100,800 bytes
        let msg = NewMessage {
            folder: mb.folder(SpecialFolder::Outbox),
            properties: vec![
                TaggedValue { tag: PropTag(0x001A_001F), value: PropValue::String("IPM.Note".into()) },
                TaggedValue { tag: PropTag(0x1000_001F), value: PropValue::String(body.clone()) },
            ],
            ..NewMessage::default()
        };
        let report = mb.create_message(&msg, false).await.unwrap();
        assert_eq!(report, WriteReport::Done(MessageId::new(1, 0x77)));
        let want: Vec<u8> = body.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(*written.lock().unwrap(), want, "the body arrived through WriteStream");
        let execs: Vec<_> = server.requests().into_iter().filter(|r| r.request_type() == "Execute").collect();
        assert!(execs.iter().all(|r| rop_input_of(&r.body).len() <= api::MAX_ROP_IN));
        // logon, head, open + chunk 1, chunks 2–4, chunk 5 + commit, save (5 × 24 KB chunks).
        assert_eq!(execs.len(), 8, "{}", execs.len());
        let head = RopRequestBuffer::decode_exact(&rop_input_of(&execs[1].body)).unwrap();
        let RopRequest::SetProperties(sp) = &head.rops[1] else { panic!() };
        assert_eq!(sp.values.len(), 1, "only the class with SetProperties");
    })
    .await
    .unwrap();
}
