//! A create whose connection drops after sending is never replayed: the API looks for
//! its search key and reports Landed / NotLanded.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use mapi_client::api::{Mailbox, MailboxOptions, NewMessage, SpecialFolder, StoreTarget, WriteReport};
use mapi_client::*;
use mapi_wire::emsmdb::{ExecuteRequest, ExecuteResponse, MapiResponse};
use mapi_wire::prop_value::{PropValue, PropertyRow, TaggedValue};
use mapi_wire::rop::*;
use mapi_wire::rpc_ext::{self, ChainLimits, EncodeOptions};
use mapi_wire::{Decode, Encode, ErrorCode, PropTag};

const SID: &str = "sid=alk6icfbe8b0exu8amedplwee7m8tek8";
const SEQ: &str = "sequence=d14fed18-f728-47f8-81b7-9ad123c77804";
const META: &[u8] = b"PROCESSING\r\nDONE\r\nX-ElapsedTime: 0\r\nX-StartTime: Fri, 27 Nov 2026 01:36:08 GMT\r\n\r\n";

/// Answers a restricted contents-table lookup with `found` (a MID) or no row.
fn lookup_answer(body: &[u8], found: Option<i64>) -> Vec<u8> {
    let req = ExecuteRequest::decode_exact(body).unwrap();
    let input = rpc_ext::decode_chain(&req.rop_buffer, &ChainLimits::default()).unwrap();
    let rops = RopRequestBuffer::decode_exact(&input[0].payload).unwrap();
    let mut out = Vec::new();
    let mut handles = rops.handles.clone();
    for r in &rops.rops {
        if let Some(i) = r.output_handle_index() {
            handles[usize::from(i)] = 0x20 + u32::from(i);
        }
        out.push(match r {
            RopRequest::OpenFolder(q) => RopResponse::OpenFolder(OpenFolderResponse {
                handle_index: q.output_handle_index,
                return_value: ErrorCode::SUCCESS,
                success: Some(OpenFolderSuccess { has_rules: false, ghost: None }),
            }),
            RopRequest::GetContentsTable(q) => RopResponse::GetContentsTable(GetContentsTableResponse {
                handle_index: q.output_handle_index,
                return_value: ErrorCode::SUCCESS,
                success: Some(TableRowCount { row_count: u32::from(found.is_some()) }),
            }),
            RopRequest::SetColumns(q) => RopResponse::SetColumns(SetColumnsResponse {
                handle_index: q.input_handle_index,
                return_value: ErrorCode::SUCCESS,
                success: Some(TableStatusSuccess { table_status: TableStatus::COMPLETE }),
            }),
            RopRequest::Restrict(q) => {
                let Some(Restriction::Property { tag, .. }) = &q.restriction else { panic!("{q:?}") };
                assert_eq!(*tag, api::PID_TAG_SEARCH_KEY);
                RopResponse::Restrict(RestrictResponse {
                    handle_index: q.input_handle_index,
                    return_value: ErrorCode::SUCCESS,
                    success: Some(TableStatusSuccess { table_status: TableStatus::COMPLETE }),
                })
            }
            RopRequest::QueryRows(q) => RopResponse::QueryRows(QueryRowsResponse {
                handle_index: q.input_handle_index,
                return_value: ErrorCode::SUCCESS,
                success: Some(QueryRowsSuccess {
                    origin: BookmarkOrigin::END,
                    rows: found.map(|m| PropertyRow::Standard(vec![PropValue::I64(m)])).into_iter().collect(),
                    columns: vec![PropTag(0x674A_0014)],
                }),
            }),
            RopRequest::Release(_) => continue,
            other => panic!("unexpected {other:?}"),
        });
    }
    let payload = RopResponseBuffer { rops: out, handles }.to_bytes().unwrap();
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

use mapi_wire::restriction::Restriction;

async fn scenario(found: Option<i64>) -> (WriteReport, usize) {
    let creates = Arc::new(AtomicUsize::new(0));
    let c2 = creates.clone();
    let step = Arc::new(Mutex::new(0usize));
    let server = Server::start(Arc::new(move |req, _| match req.request_type() {
        "Connect" => mapi_ok(req, &[SID, SEQ], &capture("004-emsmdb-connect-alice.resp.bin")),
        "Execute" => {
            let mut s = step.lock().unwrap();
            *s += 1;
            match *s {
                1 => mapi_ok(req, &[SID, SEQ], &capture("005-execute-roplogon-private.resp.bin")),
                2 => {
                    c2.fetch_add(1, Ordering::SeqCst);
                    Action::Close
                }
                _ => mapi_ok(req, &[SID, SEQ], &lookup_answer(&req.body, found)),
            }
        }
        _ => Action::Close,
    }))
    .await;
    let mut t =
        TransportConfig::new(Credentials::Basic { user: "alice@example.test".into(), password: "alice123".into() });
    t.trace_dir = None;
    t.retry.base_delay = Duration::from_millis(5);
    let session =
        Arc::new(EmsmdbSession::connect(SessionConfig::new(&server.url(EMSMDB_PATH), ALICE_DN, t)).await.unwrap());
    let mb = Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: ALICE_DN.into() }, MailboxOptions::default())
        .await
        .unwrap();
    let msg = NewMessage {
        folder: mb.folder(SpecialFolder::Outbox),
        properties: vec![TaggedValue { tag: PropTag(0x0037_001F), value: PropValue::String("hello".into()) }],
        ..NewMessage::default()
    }
    .with_unique_search_key()
    .unwrap();
    let report = tokio::time::timeout(Duration::from_secs(20), mb.create_message(&msg, false)).await.unwrap().unwrap();
    (report, creates.load(Ordering::SeqCst))
}

#[tokio::test]
async fn dropped_create_that_landed_is_reported_landed_not_replayed() {
    let (report, creates) = scenario(Some(0x0100_0300_0000_0001)).await;
    assert_eq!(report, WriteReport::Landed(mapi_wire::ids::MessageId(0x0100_0300_0000_0001)));
    assert_eq!(creates, 1, "the create was sent once");
}

#[tokio::test]
async fn dropped_create_that_did_not_land_is_reported_not_landed() {
    let (report, creates) = scenario(None).await;
    assert_eq!(report, WriteReport::NotLanded);
    assert_eq!(creates, 1);
}
