//! Helpers of the e2e_* tests: the typed API against an in-process
//! exchange-sim (127.0.0.1:0, ROP executor over an in-memory store).
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use exchange_sim::config::SimConfig;
use exchange_sim::server::{RunningSim, Simulator};
use exchange_sim::store::{NewMailbox, Store};
use mapi_client::api::{Mailbox, MailboxOptions, StoreTarget};
use mapi_client::autodiscover::AutodiscoverResponse;
use mapi_client::{Credentials, Discovery, EmsmdbSession, SessionConfig, TransportConfig};

pub const ALICE: &str = "alice@example.test";
pub const BOB: &str = "bob@example.test";
pub const PASSWORD: &str = "demo";

/// A store with alice and bob (password `demo`).
pub fn demo_store() -> Store {
    let store = Store::open_in_memory().unwrap();
    for (a, n) in [(ALICE, "Alice Tester"), (BOB, "Bob Tester")] {
        store
            .create_mailbox(&NewMailbox {
                address: a,
                display_name: n,
                password: Some(PASSWORD),
                ..NewMailbox::default()
            })
            .unwrap();
    }
    store
}

pub fn sim_config() -> SimConfig {
    let mut c = SimConfig::loopback();
    c.pending_period = Duration::from_millis(150);
    c.notification_wait_timeout = Duration::from_millis(700);
    c.request_timeout = Duration::from_secs(5);
    c
}

pub async fn start() -> RunningSim {
    start_with(demo_store()).await
}

pub async fn start_with(store: Store) -> RunningSim {
    Simulator::new(sim_config()).with_store(store).run().await.unwrap()
}

pub fn transport(credentials: Credentials) -> TransportConfig {
    let mut t = TransportConfig::new(credentials);
    t.trace_dir = None;
    t.retry.base_delay = Duration::from_millis(2);
    t.retry.max_delay = Duration::from_millis(20);
    t.notification_wait_timeout = Duration::from_secs(5);
    t
}

pub fn basic(user: &str, password: &str) -> TransportConfig {
    transport(Credentials::Basic { user: user.into(), password: password.to_owned().into() })
}

pub async fn discover(sim: &RunningSim, user: &str, t: &TransportConfig) -> Discovery {
    let url = format!("{}/autodiscover/autodiscover.xml", sim.base_url());
    match mapi_client::autodiscover::ask(&url, user, t).await.unwrap() {
        AutodiscoverResponse::Settings(d) => d,
        other => panic!("{other:?}"),
    }
}

/// Autodiscover + Connect + RopLogon on `user`'s own mailbox with Basic auth.
pub async fn logon(sim: &RunningSim, user: &str) -> Mailbox {
    logon_with(sim, user, basic(user, PASSWORD), MailboxOptions::default()).await
}

pub async fn logon_with(sim: &RunningSim, user: &str, t: TransportConfig, options: MailboxOptions) -> Mailbox {
    let d = discover(sim, user, &t).await;
    let session = Arc::new(EmsmdbSession::connect(SessionConfig::mailstore(&d, t)).await.unwrap());
    Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: d.legacy_dn.clone() }, options).await.unwrap()
}
