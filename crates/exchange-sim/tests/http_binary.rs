//! `exchange-sim serve` as a process: listens, serves /health and MAPI,
//! keeps its data directory across restarts.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use common::*;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &std::path::Path) -> (Server, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_exchange-sim"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir)
        .args(["--user", "alice@example.test:demo:Alice Tester"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_owned();
    let addr = url.trim_start_matches("http://").parse().unwrap();
    (Server(child), addr)
}

#[tokio::test]
async fn serve_binary_answers_health_and_connect_and_keeps_its_store() {
    let dir = std::env::temp_dir().join(format!("exchange-sim-bin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dn = {
        let (server, addr) = serve(&dir);
        let mut conn = connect(addr).await;
        assert_eq!(conn.request("GET", "/health", &[], b"").await.unwrap().status, 200);
        let store = exchange_sim::store::Store::open(&dir).unwrap();
        let dn = store.mailbox(ALICE).unwrap().info().legacy_dn.clone();
        let mut m = Mapi::new(ALICE);
        let r = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&dn)).await;
        assert_eq!(r.response_code(), Some(0));
        drop(server);
        dn
    };
    // Restart on the same data: the user and its password are still there.
    let (_server, addr) = serve(&dir);
    let mut conn = connect(addr).await;
    let mut m = Mapi::new(ALICE);
    let r = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&dn)).await;
    assert_eq!(r.response_code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}
