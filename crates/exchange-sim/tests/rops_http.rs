//! The ROP executor as the simulator's default backend, over HTTP.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder};
use mapi_wire::emsmdb::{ExecuteFlags, ExecuteRequest, ExecuteResponse, MapiResponse, NotificationWaitResponse};
use mapi_wire::prop_value::PropValue;
use mapi_wire::rop::*;
use mapi_wire::rpc_ext::{self, EncodeOptions};
use mapi_wire::{Decode, Encode, ErrorCode, PropTag};

fn execute(rops: &RopRequestBuffer, flags: u32) -> Vec<u8> {
    let payload = rops.to_bytes().unwrap();
    ExecuteRequest {
        flags: ExecuteFlags(flags),
        rop_buffer: rpc_ext::encode_chain([payload.as_slice()], &EncodeOptions { compress: true, xor_magic: true })
            .unwrap(),
        max_rop_out: 0x10008,
        auxiliary_buffer: vec![],
    }
    .to_bytes()
    .unwrap()
}

fn answer(r: &RawResponse, request: &RopRequestBuffer) -> (Vec<rpc_ext::ExtendedBuffer>, RopResponseBuffer) {
    let e = MapiResponse::<ExecuteResponse>::decode_exact(&r.mapi_body()).unwrap();
    let e = e.completed().unwrap();
    assert_eq!(e.error_code, ErrorCode::SUCCESS);
    let chain = rpc_ext::decode_chain(&e.rop_buffer, &Default::default()).unwrap();
    let payload: Vec<u8> = chain.iter().flat_map(|b| b.payload.clone()).collect();
    let resp = RopResponseBuffer::decode_with(&payload, &ExecuteContext::new(request)).unwrap();
    (chain, resp)
}

/// Logon, OpenFolder(`folder`), its hierarchy table (Depth), a whole-store
/// NewMail subscription.
fn logon_and_folder(dn: &str, folder: mapi_wire::ids::FolderId) -> RopRequestBuffer {
    RopRequestBuffer {
        rops: vec![
            RopRequest::Logon(LogonRequest {
                logon_id: 0,
                output_handle_index: 0,
                logon_flags: LogonFlags::PRIVATE,
                open_flags: LogonOpenFlags(0x0100_0004),
                store_state: 0,
                essdn: Some(dn.into()),
            }),
            RopRequest::OpenFolder(OpenFolderRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                folder_id: folder,
                open_mode_flags: FolderOpenModeFlags::NONE,
            }),
            RopRequest::GetHierarchyTable(GetHierarchyTableRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
                table_flags: TableFlags::DEPTH,
            }),
            RopRequest::RegisterNotification(RegisterNotificationRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 3,
                notification_types: 0x02,
                reserved: 0,
                target: None,
                want_whole_store: 1,
            }),
        ],
        handles: vec![u32::MAX; 4],
    }
}

#[tokio::test]
async fn execute_over_http_with_compressed_xored_request_and_notification_wait() {
    let sim = start(test_config()).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    let alice = sim.store().mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    let req = logon_and_folder(&legacy_dn(&sim, ALICE), alice.special_folder(SpecialFolder::IpmSubtree));
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute(&req, 3)).await;
    assert_eq!(r.response_code(), Some(0));
    let (chain, resp) = answer(&r, &req);
    // Never XorMagic on responses (corrections A11).
    assert!(chain.iter().all(|b| b.header.flags.0 & 0x0002 == 0));
    let rvs: Vec<ErrorCode> = resp
        .rops
        .iter()
        .map(|r| match r {
            RopResponse::Logon(l) => l.return_value,
            RopResponse::OpenFolder(o) => o.return_value,
            RopResponse::GetHierarchyTable(t) => t.return_value,
            RopResponse::RegisterNotification(n) => n.return_value,
            _ => ErrorCode(1),
        })
        .collect();
    assert_eq!(rvs, vec![ErrorCode::SUCCESS; 4]);
    // A NotificationWait on another connection returns when mail arrives.
    let mut waiter = connect(sim.local_addr()).await;
    let h = m.headers("NotificationWait");
    waiter.send("POST", EMSMDB, &h, &[0; 8]).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut props = PropBag::new();
    props.set(PropTag::SUBJECT, PropValue::String("over http".into()));
    props.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
    alice
        .save_message(
            inbox,
            None,
            false,
            &MessageContent { props, recipients: vec![], attachments: vec![] },
            SaveMode::Normal,
        )
        .unwrap();
    let w = waiter.read_response().await.unwrap();
    let n = MapiResponse::<NotificationWaitResponse>::decode_exact(&w.mapi_body()).unwrap();
    assert_eq!(n.completed().unwrap().event_pending, 1);
    // The next (empty) Execute carries the RopNotify NewMail.
    let empty = RopRequestBuffer { rops: vec![], handles: vec![] };
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute(&empty, 3)).await;
    let (_, resp) = answer(&r, &empty);
    assert!(matches!(&resp.rops[..], [RopResponse::Notify(n)] if n.data.flags == 0x8002));
}

#[tokio::test]
async fn execute_response_compression_follows_the_no_compression_flag() {
    let sim = start(test_config()).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    let alice = sim.store().mailbox(ALICE).unwrap();
    let req = logon_and_folder(&legacy_dn(&sim, ALICE), alice.special_folder(SpecialFolder::IpmSubtree));
    // The Logon response alone is 166 bytes; add a QueryRows of the
    // hierarchy so the answer passes the 256-byte threshold.
    let mut req = req;
    req.rops.push(RopRequest::SetColumns(SetColumnsRequest {
        logon_id: 0,
        input_handle_index: 2,
        flags: AsyncFlags::SYNC,
        columns: vec![PropTag::DISPLAY_NAME, PropTag::FOLDER_ID],
    }));
    req.rops.push(RopRequest::QueryRows(QueryRowsRequest {
        logon_id: 0,
        input_handle_index: 2,
        flags: QueryRowsFlags::ADVANCE,
        forward_read: true,
        row_count: 100,
    }));
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute(&req, 2)).await;
    let (chain, _) = answer(&r, &req);
    assert_eq!(chain[0].header.flags.0, 0x0005, "Compressed | Last");
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute(&req, 3)).await;
    let (chain, _) = answer(&r, &req);
    assert_eq!(chain[0].header.flags.0, 0x0004, "Last only with NoCompression");
}
