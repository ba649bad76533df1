//! Attachment properties: RopOpenMessage + RopOpenAttachment + RopGetPropertiesAll as in
//! capture 019 (whose stream part is left out), answered with 019's responses.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use mapi_client::api::{Mailbox, MailboxOptions, ObjectPath, StoreTarget};
use mapi_client::*;
use mapi_wire::emsmdb::{ExecuteResponse, MapiResponse};
use mapi_wire::prop_value::PropValue;
use mapi_wire::rop::*;
use mapi_wire::rpc_ext::{self, ChainLimits, EncodeOptions};
use mapi_wire::{Decode, Encode, ErrorCode};

const SID: &str = "sid=alk6icfbe8b0exu8amedplwee7m8tek8";
const SEQ: &str = "sequence=d14fed18-f728-47f8-81b7-9ad123c77804";
const META: &[u8] = b"PROCESSING\r\nDONE\r\nX-ElapsedTime: 0\r\nX-StartTime: Fri, 27 Nov 2026 01:36:08 GMT\r\n\r\n";
const NAME: &str = "019-execute-openattachment-getpropertiesall-readstream";

fn answers_019() -> (RopRequestBuffer, Vec<u8>) {
    let req = RopRequestBuffer::decode_exact(&rop_input_of(&capture(&format!("{NAME}.req.bin")))).unwrap();
    let resp = capture(&format!("{NAME}.resp.bin"));
    let start = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let MapiResponse::Completed(r) = MapiResponse::<ExecuteResponse>::decode_exact(&resp[start..]).unwrap() else {
        panic!()
    };
    let payload = rpc_ext::decode_chain(&r.rop_buffer, &ChainLimits::default()).unwrap().remove(0).payload;
    let mut decoded = RopResponseBuffer::decode_with(&payload, &ExecuteContext::new(&req)).unwrap();
    decoded.rops.truncate(3);
    decoded.handles.truncate(3);
    let payload = decoded.to_bytes().unwrap();
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
    (req, stream)
}

#[tokio::test]
async fn capture_019_attachment_properties() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let (theirs, answer) = answers_019();
        let n = Arc::new(Mutex::new(0usize));
        let server = Server::start(Arc::new(move |req, _| match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ], &capture("004-emsmdb-connect-alice.resp.bin")),
            "Execute" => {
                let mut k = n.lock().unwrap();
                *k += 1;
                if *k == 1 {
                    mapi_ok(req, &[SID, SEQ], &capture("005-execute-roplogon-private.resp.bin"))
                } else {
                    mapi_ok(req, &[SID, SEQ], &answer)
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
        let RopRequest::OpenMessage(om) = &theirs.rops[0] else { panic!() };
        let path = ObjectPath::Attachment { folder: om.folder_id, mid: om.message_id, num: 0 };
        let values = mb.properties(path, None).await.unwrap();
        let execs: Vec<_> = server.requests().into_iter().filter(|r| r.request_type() == "Execute").collect();
        let mine = RopRequestBuffer::decode_exact(&rop_input_of(&execs[1].body)).unwrap();
        assert_eq!(mine.rops[..3], theirs.rops[..3], "OpenMessage, OpenAttachment, GetPropertiesAll as captured");
        assert!(matches!(mine.rops[3], RopRequest::Release(ReleaseRequest { input_handle_index: 2, .. })));
        assert!(matches!(mine.rops[4], RopRequest::Release(ReleaseRequest { input_handle_index: 1, .. })));
        // PidTagAttachNumber 0 and some file name.
        assert!(values.iter().any(|v| v.tag.0 == 0x0E21_0003 && v.value == PropValue::I32(0)), "{values:?}");
        assert!(values.iter().any(|v| v.tag.id() == 0x3707 || v.tag.id() == 0x3704));
    })
    .await
    .unwrap();
}
