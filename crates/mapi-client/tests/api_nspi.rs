//! The address book API against gromox 3.10 captures 092–104: same request bodies,
//! captured responses decoded.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use mapi_client::api::{AddressBook, Resolution};
use mapi_client::*;
use mapi_wire::nspi::{GetMatchesRequest, GetPropsRequest, MinimalId, QueryRowsRequest, ResolveNamesRequest};
use mapi_wire::prop_value::PropValue;
use mapi_wire::{Decode, PropTag};

const SID: &str = "sid=alk6icfbe8b0exu8amedplwee7m8tek8";
const SEQ: &str = "sequence=d14fed18-f728-47f8-81b7-9ad123c77804";

async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f).await.expect("test took too long")
}

/// Answers Bind with 092 and each other request with the next capture.
async fn replay(calls: &[&str]) -> (Server, AddressBook) {
    let queue: Arc<Mutex<VecDeque<Vec<u8>>>> =
        Arc::new(Mutex::new(calls.iter().map(|n| capture(&format!("{n}.resp.bin"))).collect()));
    let server = Server::start(Arc::new(move |req, _| match req.request_type() {
        "Bind" => mapi_ok(req, &[SID, SEQ], &capture("092-nspi-bind.resp.bin")),
        _ => {
            let body = queue.lock().unwrap().pop_front().expect("no more captured responses");
            mapi_ok(req, &[SID, SEQ], &body)
        }
    }))
    .await;
    let mut t =
        TransportConfig::new(Credentials::Basic { user: "alice@example.test".into(), password: "alice123".into() });
    t.trace_dir = None;
    t.compress_requests_from = None;
    let mut c = SessionConfig::new(&server.url(NSPI_PATH), ALICE_DN, t);
    c.lcid = 1033;
    let session = Arc::new(NspiSession::bind(c).await.unwrap());
    (server, AddressBook::new(session, 1252))
}

fn sent(server: &Server) -> Vec<Vec<u8>> {
    server.requests().iter().filter(|r| r.request_type() != "Bind").map(|r| r.body.clone()).collect()
}

fn captured(name: &str) -> Vec<u8> {
    capture(&format!("{name}.req.bin"))
}

#[tokio::test]
async fn capture_094_browse_gal() {
    within(async {
        let name = "094-nspi-queryrows-gal";
        let want = QueryRowsRequest::decode_exact(&captured(name)).unwrap();
        let (server, ab) = replay(&[name]).await;
        let rows = ab.browse(want.columns.as_deref().unwrap(), want.row_count).await.unwrap();
        assert_eq!(sent(&server), [captured(name)]);
        assert!(!rows.rows.is_empty());
        assert_eq!(rows.columns, want.columns.unwrap());
    })
    .await;
}

#[tokio::test]
async fn capture_097_prefix_search_by_anr() {
    within(async {
        let name = "097-nspi-getmatches-anr-bo";
        let want = GetMatchesRequest::decode_exact(&captured(name)).unwrap();
        let (server, ab) = replay(&[name]).await;
        let rows = ab.search("bo", want.columns.as_deref().unwrap(), want.row_count).await.unwrap();
        assert_eq!(sent(&server), [captured(name)]);
        assert!(rows.rows.iter().any(|r| format!("{r:?}").contains("bob")), "{rows:?}");
    })
    .await;
}

#[tokio::test]
async fn capture_100_resolve_names() {
    within(async {
        let name = "100-nspi-resolvenames-bob";
        let want = ResolveNamesRequest::decode_exact(&captured(name)).unwrap();
        let (server, ab) = replay(&[name]).await;
        let r = ab.resolve(&["bob"], want.property_tags.as_deref().unwrap()).await.unwrap();
        assert_eq!(sent(&server), [captured(name)]);
        assert_eq!(r.len(), 1);
        assert!(matches!(&r[0], Resolution::Resolved(_)), "{r:?}");
    })
    .await;
}

#[tokio::test]
async fn capture_103_resolve_several_names() {
    within(async {
        let name = "103-nspi-resolvenames-multi";
        let want = ResolveNamesRequest::decode_exact(&captured(name)).unwrap();
        let names: Vec<String> = want.names.clone().unwrap();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let (server, ab) = replay(&[name]).await;
        let r = ab.resolve(&names, want.property_tags.as_deref().unwrap()).await.unwrap();
        assert_eq!(sent(&server), [captured(name)]);
        assert_eq!(r.len(), names.len());
        assert!(r.iter().any(|x| matches!(x, Resolution::Unresolved)), "ambiguous/unknown names: {r:?}");
    })
    .await;
}

#[tokio::test]
async fn capture_104_get_props_and_photo_absent() {
    within(async {
        let name = "104-nspi-getprops-bob";
        let want = GetPropsRequest::decode_exact(&captured(name)).unwrap();
        let (server, ab) = replay(&[name]).await;
        let mid = want.state.unwrap().current_rec;
        assert_eq!(mid, MinimalId(0x12));
        let values = ab.props(mid, want.property_tags.as_deref().unwrap()).await.unwrap();
        assert_eq!(sent(&server), [captured(name)]);
        let display = values.iter().find(|v| v.tag == PropTag(0x3001_001F)).unwrap();
        assert!(matches!(&display.value, PropValue::String(s) if s.to_lowercase().contains("bob")));
        // The photo column came back as an error value: no photo.
        let photo = values.iter().find(|v| v.tag.0 >> 16 == 0x8C9E).unwrap();
        assert!(matches!(photo.value, PropValue::Error(_)), "{photo:?}");
    })
    .await;
}
