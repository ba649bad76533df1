//! GAL search latency over exchange-sim (real sockets on 127.0.0.1) with a
//! directory of 500 users:
//!
//! * through the model: `Directory::search` of the Exchange account (one
//!   NSPI GetMatches on the reused session);
//! * through CardDAV: an addressbook-query REPORT on the directory address
//!   book (HTTP on loopback, Basic auth, the search, vCard rendering, the
//!   exact filter).
//!
//! Two queries: "bo" (many matches, capped at 50) and one address prefix
//! with a single match. Prints medians of 200 searches each.
//! `cargo bench -p dav --bench directory`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use dav::{DavConfig, DavServer};
use exchange_sim::config::SimConfig;
use exchange_sim::server::Simulator;
use exchange_sim::store::{NewMailbox, Store};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use mailbox::exchange::{Endpoints, ExchangeConfig, ExchangeProvider};
use mailbox::{AccountProvider, DirectoryQuery};

const USERS: usize = 500;
const SEARCHES: usize = 200;
const GIVEN: [&str; 10] = ["Bob", "Alice", "Bodo", "Carol", "Dave", "Erin", "Frank", "Grace", "Boris", "Heidi"];
const SURNAMES: [&str; 7] = ["Tester", "Miller", "Bower", "Smith", "Nguyen", "Okafor", "Schmidt"];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn store() -> Store {
    let store = Store::open_in_memory().unwrap();
    for i in 0..USERS {
        let name = format!("{} {} {i:03}", GIVEN[i % GIVEN.len()], SURNAMES[i % SURNAMES.len()]);
        let address = format!("user{i:03}@example.test");
        let password = (i == 0).then_some("demo");
        store
            .create_mailbox(&NewMailbox { address: &address, display_name: &name, password, ..NewMailbox::default() })
            .unwrap();
    }
    store
}

fn report(text: &str) -> String {
    format!(
        r#"<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data/></D:prop><C:filter test="anyof"><C:prop-filter name="FN"><C:text-match match-type="starts-with">{text}</C:text-match></C:prop-filter><C:prop-filter name="EMAIL"><C:text-match match-type="starts-with">{text}</C:text-match></C:prop-filter></C:filter></C:addressbook-query>"#
    )
}

async fn send(addr: std::net::SocketAddr, path: &str, body: &str) -> (u16, String) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let token = base64::engine::general_purpose::STANDARD.encode("user000@example.test:demo");
    let req = hyper::Request::builder()
        .method("REPORT")
        .uri(path)
        .header("host", addr.to_string())
        .header("authorization", format!("Basic {token}"))
        .header("depth", "1")
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let seeding = Instant::now();
        let sim = Simulator::new(SimConfig::loopback()).with_store(store()).run().await.unwrap();
        println!("GAL of {USERS} users seeded in {:?}", seeding.elapsed());
        let dir = tempfile::tempdir().unwrap();
        let state = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
        let config = ExchangeConfig::new(Endpoints::Autodiscover {
            start: vec![format!("{}/autodiscover/autodiscover.xml", sim.base_url())],
        });
        let provider = ExchangeProvider::new(config, state);
        let account = provider.login("user000@example.test", "demo").await.unwrap();
        let gal = account.directory().expect("a directory");

        let queries = [("bo", "many matches"), ("user042", "one match")];
        for (text, what) in queries {
            let q = DirectoryQuery::anr(text);
            let first = gal.search(&q, 50).await.unwrap();
            let mut times = Vec::with_capacity(SEARCHES);
            for _ in 0..SEARCHES {
                let t = Instant::now();
                let r = gal.search(&q, 50).await.unwrap();
                times.push(t.elapsed());
                assert_eq!(r.entries.len(), first.entries.len());
            }
            println!(
                "Directory::search {text:?} ({what}: {} entries{}): median {:?}",
                first.entries.len(),
                if first.truncated { ", truncated" } else { "" },
                median(times)
            );
        }

        let server = DavServer::new(DavConfig::default(), Arc::new(provider.clone()) as Arc<dyn AccountProvider>);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, rx) = tokio::sync::watch::channel(false);
        let s = server.clone();
        tokio::spawn(async move { s.serve(listener, rx).await });
        let path = "/dav/addressbooks/user000@example.test/directory/";
        for (text, what) in queries {
            let body = report(text);
            let (status, first) = send(addr, path, &body).await;
            assert_eq!(status, 207, "{first}");
            let cards = first.matches("BEGIN:VCARD").count();
            let mut times = Vec::with_capacity(SEARCHES);
            for _ in 0..SEARCHES {
                let t = Instant::now();
                let (status, answer) = send(addr, path, &body).await;
                times.push(t.elapsed());
                assert_eq!((status, answer.len()), (207, first.len()));
            }
            println!("CardDAV addressbook-query {text:?} ({what}: {cards} cards): median {:?}", median(times));
        }
        let _ = stop.send(true);
    });
}
