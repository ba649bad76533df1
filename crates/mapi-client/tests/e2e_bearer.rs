//! Bearer (RFC 6750) logins end to end against exchange-sim, which accepts a fixed
//! token per user from its configuration: a revoked token is refused with 401, the
//! client asks its provider for a fresh one once and goes on; a provider that only has
//! refused tokens ends in a typed auth error.
#![allow(missing_docs, clippy::unwrap_used)]

mod e2e_common;

use std::sync::{Arc, Mutex};

use e2e_common::*;
use exchange_sim::config::BearerToken;
use exchange_sim::server::{RunningSim, Simulator};
use mapi_client::api::{Mailbox, MailboxOptions, SpecialFolder, StoreTarget, TableSpec};
use mapi_client::{AccessToken, Credentials, EmsmdbSession, Secret, SessionConfig};
use mapi_wire::PropTag;

const ALICE_TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.alice-fresh";

async fn sim_with_token() -> RunningSim {
    let mut config = sim_config();
    config.bearer_tokens.push(BearerToken { token: ALICE_TOKEN.into(), user: ALICE.into() });
    Simulator::new(config).with_store(demo_store()).run().await.unwrap()
}

/// A provider like an OAuth library's token cache: it holds `first` (already revoked
/// at the server), replaces it with `fresh` when forced, and hands out what it holds;
/// records every `force_refresh` it was called with.
fn provider(first: &'static str, fresh: &'static str) -> (Credentials, Arc<Mutex<Vec<bool>>>) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let held = Arc::new(Mutex::new(first));
    let c = calls.clone();
    let p = move |force: bool| {
        c.lock().unwrap().push(force);
        let mut h = held.lock().unwrap();
        if force {
            *h = fresh;
        }
        let token = *h;
        async move { Ok(AccessToken { token: Secret::new(token.to_owned()), expires_at: None }) }
    };
    (Credentials::Bearer(Arc::new(p)), calls)
}

#[tokio::test]
async fn bearer_login_retries_once_with_a_fresh_token_and_reads_the_mailbox() {
    let sim = sim_with_token().await;
    let (credentials, calls) = provider("revoked-token", ALICE_TOKEN);
    let t = transport(credentials);
    // Autodiscover already goes through the refusal and the refresh.
    let d = discover(&sim, ALICE, &t).await;
    assert_eq!(*calls.lock().unwrap(), [false, true]);
    let session = Arc::new(EmsmdbSession::connect(SessionConfig::mailstore(&d, t)).await.unwrap());
    // The MAPI endpoint keeps its own token cache: one plain provider call, answered
    // with the fresh token, which the server accepts at once.
    assert_eq!(*calls.lock().unwrap(), [false, true, false]);
    let mb =
        Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: d.legacy_dn.clone() }, MailboxOptions::default())
            .await
            .unwrap();
    assert!(mb.info().private);
    let spec = TableSpec::contents(mb.folder(SpecialFolder::Inbox), vec![PropTag::SUBJECT]);
    mb.query_all(&spec).await.unwrap();
    // The token is cached: no further provider calls for the following requests.
    assert_eq!(*calls.lock().unwrap(), [false, true, false]);
}

#[tokio::test]
async fn bearer_refused_even_when_fresh_is_a_typed_auth_error() {
    let sim = sim_with_token().await;
    let (credentials, calls) = provider("revoked-token", "also-unknown");
    let t = transport(credentials);
    let url = format!("{}/autodiscover/autodiscover.xml", sim.base_url());
    let e = mapi_client::autodiscover::ask(&url, ALICE, &t).await.unwrap_err();
    assert!(matches!(e, mapi_client::Error::Auth(_)), "{e:?}");
    assert_eq!(*calls.lock().unwrap(), [false, true], "exactly one retry");
    assert!(!format!("{e:?}").contains("also-unknown"), "no token in the error");

    // Same on the MAPI endpoint (manual endpoint, no Autodiscover).
    let d = discover(&sim, ALICE, &basic(ALICE, PASSWORD)).await;
    let (credentials, calls) = provider("revoked-token", "also-unknown");
    let e = EmsmdbSession::connect(SessionConfig::mailstore(&d, transport(credentials))).await.unwrap_err();
    assert!(matches!(e, mapi_client::Error::Auth(_)), "{e:?}");
    assert_eq!(*calls.lock().unwrap(), [false, true]);
}
