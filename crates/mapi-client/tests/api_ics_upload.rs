//! ICS upload: read-state changes and deletes through a contents collector, in one
//! Execute with the state uploaded first; a failing import is reported.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use mapi_client::api::{Mailbox, MailboxOptions, SpecialFolder, StoreTarget};
use mapi_client::*;
use mapi_wire::emsmdb::{ExecuteRequest, ExecuteResponse, MapiResponse};
use mapi_wire::rop::*;
use mapi_wire::rpc_ext::{self, ChainLimits, EncodeOptions};
use mapi_wire::{Decode, Encode, ErrorCode};

const SID: &str = "sid=alk6icfbe8b0exu8amedplwee7m8tek8";
const SEQ: &str = "sequence=d14fed18-f728-47f8-81b7-9ad123c77804";
const META: &[u8] = b"PROCESSING\r\nDONE\r\nX-ElapsedTime: 0\r\nX-StartTime: Fri, 27 Nov 2026 01:36:08 GMT\r\n\r\n";

fn answer(body: &[u8], import_result: ErrorCode) -> (RopRequestBuffer, Vec<u8>) {
    let req = ExecuteRequest::decode_exact(body).unwrap();
    let input = rpc_ext::decode_chain(&req.rop_buffer, &ChainLimits::default()).unwrap();
    let rops = RopRequestBuffer::decode_exact(&input[0].payload).unwrap();
    let mut handles = rops.handles.clone();
    let ok = ErrorCode::SUCCESS;
    let mut out = Vec::new();
    for r in &rops.rops {
        if let Some(i) = r.output_handle_index() {
            handles[usize::from(i)] = 0x60 + u32::from(i);
        }
        out.push(match r {
            RopRequest::OpenFolder(q) => RopResponse::OpenFolder(OpenFolderResponse {
                handle_index: q.output_handle_index,
                return_value: ok,
                success: Some(OpenFolderSuccess { has_rules: false, ghost: None }),
            }),
            RopRequest::SynchronizationOpenCollector(q) => {
                RopResponse::SynchronizationOpenCollector(SynchronizationOpenCollectorResponse {
                    handle_index: q.output_handle_index,
                    return_value: ok,
                })
            }
            RopRequest::SynchronizationUploadStateStreamBegin(_) => {
                RopResponse::SynchronizationUploadStateStreamBegin(SynchronizationUploadStateStreamBeginResponse {
                    handle_index: 2,
                    return_value: ok,
                })
            }
            RopRequest::SynchronizationUploadStateStreamContinue(_) => {
                RopResponse::SynchronizationUploadStateStreamContinue(
                    SynchronizationUploadStateStreamContinueResponse { handle_index: 2, return_value: ok },
                )
            }
            RopRequest::SynchronizationUploadStateStreamEnd(_) => {
                RopResponse::SynchronizationUploadStateStreamEnd(SynchronizationUploadStateStreamEndResponse {
                    handle_index: 2,
                    return_value: ok,
                })
            }
            RopRequest::SynchronizationImportReadStateChanges(_) => {
                RopResponse::SynchronizationImportReadStateChanges(SynchronizationImportReadStateChangesResponse {
                    handle_index: 2,
                    return_value: import_result,
                })
            }
            RopRequest::SynchronizationImportDeletes(_) => {
                RopResponse::SynchronizationImportDeletes(SynchronizationImportDeletesResponse {
                    handle_index: 2,
                    return_value: import_result,
                })
            }
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
    (rops, stream)
}

async fn setup(import_result: ErrorCode) -> (Server, Mailbox, Arc<Mutex<Vec<RopRequestBuffer>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let server = Server::start(Arc::new(move |req, _| match req.request_type() {
        "Connect" => mapi_ok(req, &[SID, SEQ], &capture("004-emsmdb-connect-alice.resp.bin")),
        "Execute" if rop_input_of(&req.body).get(2) == Some(&0xFE) => {
            mapi_ok(req, &[SID, SEQ], &capture("005-execute-roplogon-private.resp.bin"))
        }
        "Execute" => {
            let (rops, body) = answer(&req.body, import_result);
            s2.lock().unwrap().push(rops);
            mapi_ok(req, &[SID, SEQ], &body)
        }
        _ => Action::Close,
    }))
    .await;
    let mut t =
        TransportConfig::new(Credentials::Basic { user: "alice@example.test".into(), password: "alice123".into() });
    t.trace_dir = None;
    let session =
        Arc::new(EmsmdbSession::connect(SessionConfig::new(&server.url(EMSMDB_PATH), ALICE_DN, t)).await.unwrap());
    let mb = Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: ALICE_DN.into() }, MailboxOptions::default())
        .await
        .unwrap();
    (server, mb, seen)
}

#[tokio::test]
async fn read_states_and_deletes_through_a_collector() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let (_server, mb, seen) = setup(ErrorCode::SUCCESS).await;
        let state = mapi_wire::fx::SyncState {
            cnset_seen: Some(vec![1, 2, 3]),
            idset_given: Some(vec![4, 5]),
            ..Default::default()
        };
        let key = vec![0xAB; 22];
        mb.upload_read_states(mb.folder(SpecialFolder::Inbox), &[(key.clone(), true)], Some(&state)).await.unwrap();
        mb.upload_deletes(mb.folder(SpecialFolder::Inbox), std::slice::from_ref(&key), false, None).await.unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "one Execute each");
        let ids: Vec<RopId> = seen[0].rops.iter().map(RopRequest::id).collect();
        assert_eq!(
            ids,
            [
                RopId::OPEN_FOLDER,
                RopId::SYNCHRONIZATION_OPEN_COLLECTOR,
                RopId::SYNCHRONIZATION_UPLOAD_STATE_STREAM_BEGIN,
                RopId::SYNCHRONIZATION_UPLOAD_STATE_STREAM_CONTINUE,
                RopId::SYNCHRONIZATION_UPLOAD_STATE_STREAM_END,
                RopId::SYNCHRONIZATION_UPLOAD_STATE_STREAM_BEGIN,
                RopId::SYNCHRONIZATION_UPLOAD_STATE_STREAM_CONTINUE,
                RopId::SYNCHRONIZATION_UPLOAD_STATE_STREAM_END,
                RopId::SYNCHRONIZATION_IMPORT_READ_STATE_CHANGES,
                RopId::RELEASE,
                RopId::RELEASE,
            ]
        );
        let RopRequest::SynchronizationImportReadStateChanges(r) = &seen[0].rops[8] else { panic!() };
        assert_eq!(r.states, [MessageReadState { message_id: key.clone(), mark_as_read: 1 }]);
        let RopRequest::SynchronizationImportDeletes(d) = &seen[1].rops[2] else { panic!("{:?}", seen[1].rops) };
        assert_eq!(d.import_delete_flags, 0);
        assert_eq!(d.values[0].value, mapi_wire::prop_value::PropValue::MvBinary(vec![key]));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_failing_import_is_an_error() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let (_server, mb, _) = setup(ErrorCode(0x8004_010F)).await;
        let err = mb.upload_deletes(mb.folder(SpecialFolder::Inbox), &[vec![1; 22]], true, None).await.unwrap_err();
        assert!(
            matches!(err, api::Error::Rop { rop: RopId::SYNCHRONIZATION_IMPORT_DELETES, code: ErrorCode(0x8004_010F) }),
            "{err:?}"
        );
    })
    .await
    .unwrap();
}
