//! The backend traits as the ROP/NSPI engines will use them: per-session
//! data kept across Executes, the store and session registry from
//! `with_backends`, notifications pushed from an Execute waking a
//! NotificationWait, NSPI request types routed to `call`.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use exchange_sim::server::Simulator;
use exchange_sim::session::backend::encode_body;
use exchange_sim::session::{MailboxBackend, MinimalBackend, NspiBackend, SessionRegistry, SessionState};
use exchange_sim::store::Store;
use mapi_wire::emsmdb::{
    ConnectRequest, ConnectResponse, DisconnectRequest, DisconnectResponse, ExecuteRequest, ExecuteResponse,
    MapiResponse, NotificationWaitResponse,
};
use mapi_wire::http::RequestKind;
use mapi_wire::nspi;
use mapi_wire::{Decode, ErrorCode};

/// Counts Executes per session; an Execute whose rop_buffer is `[0xEE]`
/// pushes an event to every mailbox session of the user.
struct Counting {
    store: Store,
    sessions: SessionRegistry,
}

struct Count(u32);

impl MailboxBackend for Counting {
    fn connect(&self, session: &mut SessionState, request: &ConnectRequest) -> MapiResponse<ConnectResponse> {
        if request.flags.0 != 0 {
            return MapiResponse::Failed { status_code: 0x3F2, auxiliary_buffer: vec![] };
        }
        assert!(self.store.mailbox(&session.user.address).is_ok());
        session.data = Some(Box::new(Count(0)));
        MinimalBackend.connect(session, request)
    }

    fn execute(&self, session: &mut SessionState, request: &ExecuteRequest) -> MapiResponse<ExecuteResponse> {
        if request.rop_buffer == [0xEE] {
            let ev: exchange_sim::session::Event = Arc::new("created");
            self.sessions.notify_user(&session.user.address, &ev);
        }
        let count = session.data.as_mut().and_then(|d| d.downcast_mut::<Count>()).unwrap();
        count.0 += 1;
        let pending = session.notifications.drain().len() as u8;
        MapiResponse::Completed(ExecuteResponse {
            error_code: ErrorCode::SUCCESS,
            flags: 0,
            rop_buffer: vec![count.0 as u8, pending],
            auxiliary_buffer: vec![],
        })
    }

    fn disconnect(&self, session: &mut SessionState, request: &DisconnectRequest) -> MapiResponse<DisconnectResponse> {
        MinimalBackend.disconnect(session, request)
    }
}

/// Serves GetPropList only.
struct Book;

impl NspiBackend for Book {
    fn bind(&self, session: &mut SessionState, request: &nspi::BindRequest) -> MapiResponse<nspi::BindResponse> {
        MinimalBackend.bind(session, request)
    }

    fn unbind(&self, session: &mut SessionState, request: &nspi::UnbindRequest) -> MapiResponse<nspi::UnbindResponse> {
        MinimalBackend.unbind(session, request)
    }

    fn supports(&self, kind: RequestKind) -> bool {
        kind == RequestKind::GetPropList
    }

    fn call(&self, _session: &mut SessionState, request: &nspi::Request) -> Vec<u8> {
        assert!(matches!(request, nspi::Request::GetPropList(_)));
        encode_body(&MapiResponse::Completed(nspi::GetPropListResponse {
            error_code: ErrorCode::SUCCESS,
            property_tags: None,
            auxiliary_buffer: vec![],
        }))
    }
}

fn execute_with(rop_buffer: Vec<u8>) -> Vec<u8> {
    mapi_wire::Encode::to_bytes(&ExecuteRequest {
        flags: mapi_wire::emsmdb::ExecuteFlags(3),
        rop_buffer,
        max_rop_out: 0x10008,
        auxiliary_buffer: vec![],
    })
    .unwrap()
}

async fn sim() -> exchange_sim::server::RunningSim {
    let mut c = test_config();
    c.notification_wait_timeout = Duration::from_secs(20);
    Simulator::new(c)
        .with_store(demo_store())
        .with_backends(|env| {
            let m = Arc::new(Counting { store: env.store.clone(), sessions: env.sessions.clone() });
            (m as Arc<dyn MailboxBackend>, Arc::new(Book) as Arc<dyn NspiBackend>)
        })
        .run()
        .await
        .unwrap()
}

fn rop_out(r: &RawResponse) -> Vec<u8> {
    let e = MapiResponse::<ExecuteResponse>::decode_exact(&r.mapi_body()).unwrap();
    e.completed().unwrap().rop_buffer.clone()
}

#[tokio::test]
async fn session_data_lives_per_context_and_notifications_flow() {
    let sim = sim().await;
    let (mut a1, mut c1, _) = connected(&sim, ALICE).await;
    let (mut a2, mut c2, _) = connected(&sim, ALICE).await;
    assert_eq!(rop_out(&a1.call(&mut c1, EMSMDB, "Execute", &execute_with(vec![1])).await), [1, 0]);
    assert_eq!(rop_out(&a1.call(&mut c1, EMSMDB, "Execute", &execute_with(vec![1])).await), [2, 0]);
    assert_eq!(rop_out(&a2.call(&mut c2, EMSMDB, "Execute", &execute_with(vec![1])).await), [1, 0]);
    // a2 waits; a1's Execute pushes an event to both of alice's sessions.
    let mut waiter = connect(sim.local_addr()).await;
    let h = a2.headers("NotificationWait");
    waiter.send("POST", EMSMDB, &h, &[0; 8]).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rop_out(&a1.call(&mut c1, EMSMDB, "Execute", &execute_with(vec![0xEE])).await), [3, 1]);
    let w = waiter.read_response().await.unwrap();
    let n = MapiResponse::<NotificationWaitResponse>::decode_exact(&w.mapi_body()).unwrap();
    assert_eq!(n.completed().unwrap().event_pending, 1);
    assert_eq!(rop_out(&a2.call(&mut c2, EMSMDB, "Execute", &execute_with(vec![1])).await), [2, 1]);
}

#[tokio::test]
async fn a_failed_connect_keeps_no_context_and_nspi_calls_reach_the_backend() {
    let sim = sim().await;
    let mut conn = connect(sim.local_addr()).await;
    let mut m = Mapi::new(ALICE);
    let mut req = ConnectRequest::decode_exact(&connect_body(&legacy_dn(&sim, ALICE))).unwrap();
    req.flags = mapi_wire::emsmdb::ConnectFlags(1);
    let r = m.call(&mut conn, EMSMDB, "Connect", &mapi_wire::Encode::to_bytes(&req).unwrap()).await;
    assert_eq!(r.response_code(), Some(0));
    let c = MapiResponse::<ConnectResponse>::decode_exact(&r.mapi_body()).unwrap();
    assert_eq!(c.status_code(), 0x3F2);
    assert!(r.all("Set-Cookie").is_empty());
    assert_eq!(sim.sessions().len(), 0);

    let bind = nspi::BindRequest { flags: nspi::BindFlags(0), state: None, auxiliary_buffer: vec![] };
    let r = m.call(&mut conn, NSPI, "Bind", &mapi_wire::Encode::to_bytes(&bind).unwrap()).await;
    assert_eq!(r.response_code(), Some(0));
    let seq = r.set_cookie("sequence").unwrap();
    let gpl = nspi::GetPropListRequest {
        flags: nspi::RetrievalFlags(0),
        minimal_id: nspi::MinimalId(0x11),
        code_page: 1252,
        auxiliary_buffer: vec![],
    };
    let r = m.call(&mut conn, NSPI, "GetPropList", &mapi_wire::Encode::to_bytes(&gpl).unwrap()).await;
    assert_eq!(r.response_code(), Some(0));
    assert_ne!(r.set_cookie("sequence").unwrap(), seq, "NSPI requests rotate the sequence");
    let p = MapiResponse::<nspi::GetPropListResponse>::decode_exact(&r.mapi_body()).unwrap();
    assert_eq!(p.completed().unwrap().error_code.0, 0);
    let r = m.call(&mut conn, NSPI, "QueryRows", b"").await;
    assert_eq!(r.response_code(), Some(5));
}
