//! Logging in to Exchange (exchange-sim): Autodiscover and explicit
//! endpoints, Basic and NTLM, wrong passwords, unreachable servers, and the
//! per-user session pool.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use std::sync::Arc;
use std::time::Duration;

use exchange_common::*;
use mailbox::exchange::{AuthMode, Endpoints, ExchangeConfig, ExchangeProvider};
use mailbox::{AccountProvider, MailboxError, SpecialUse};

#[tokio::test]
async fn autodiscover_login_opens_the_own_mailbox() {
    let env = Env::new().await;
    let a = env.provider.login(ALICE, PASSWORD).await.unwrap();
    assert_eq!(a.identity(), ALICE);
    let folders = a.list_folders().await.unwrap();
    let inbox = folders.iter().find(|f| f.role == Some(SpecialUse::Inbox)).unwrap();
    assert_eq!(inbox.path, "Inbox");
}

#[tokio::test]
async fn explicit_endpoints_resolve_the_user_dn_through_the_address_book() {
    let sim = start().await;
    let base = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
    let mut c = config(&sim);
    c.endpoints = Endpoints::Explicit {
        mailstore: format!("{base}/mapi/emsmdb/"),
        addressbook: Some(format!("{base}/mapi/nspi/")),
    };
    let p = ExchangeProvider::new(c.clone(), state.clone());
    let a = p.login(ALICE, PASSWORD).await.unwrap();
    assert!(a.list_folders().await.unwrap().iter().any(|f| f.role == Some(SpecialUse::Sent)));
    // Without an address book the SMTP address serves as the user DN.
    c.endpoints = Endpoints::Explicit { mailstore: format!("{base}/mapi/emsmdb/"), addressbook: None };
    let p = ExchangeProvider::new(c, state);
    let b = p.login(BOB, PASSWORD).await.unwrap();
    assert_eq!(b.identity(), BOB);
    assert!(!b.list_folders().await.unwrap().is_empty());
}

#[tokio::test]
async fn wrong_password_is_authentication_failed_and_unreachable_is_unavailable() {
    let env = Env::new().await;
    assert!(matches!(env.provider.login(ALICE, "wrong").await, Err(MailboxError::AuthenticationFailed)));
    assert!(matches!(
        env.provider.login("nobody@example.test", PASSWORD).await,
        Err(MailboxError::AuthenticationFailed)
    ));
    assert_eq!(env.provider.stats().await.sessions, 0);

    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
    let mut c = config(&env.sim);
    c.endpoints = Endpoints::Explicit { mailstore: format!("http://127.0.0.1:{port}/mapi/emsmdb/"), addressbook: None };
    let p = ExchangeProvider::new(c, state);
    let e = p.login(ALICE, PASSWORD).await.err().unwrap();
    assert!(matches!(e, MailboxError::Unavailable(_)), "{e:?}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn one_session_per_user_is_shared_and_other_passwords_are_verified() {
    let env = Env::new().await;
    let a1 = env.provider.login_exchange(ALICE, PASSWORD).await.unwrap();
    let a2 = env.provider.login_exchange(ALICE, PASSWORD).await.unwrap();
    assert!(Arc::ptr_eq(&a1, &a2), "the second login reuses the session");
    let st = env.provider.stats().await;
    assert_eq!((st.sessions, st.connects, st.reused), (1, 1, 1));
    // Another password is checked against Exchange again, and refused; the
    // pooled session stays.
    assert!(matches!(env.provider.login(ALICE, "guess").await, Err(MailboxError::AuthenticationFailed)));
    let st = env.provider.stats().await;
    assert_eq!((st.sessions, st.connects, st.refused), (1, 1, 1));
    let a3 = env.provider.login_exchange(ALICE, PASSWORD).await.unwrap();
    assert!(Arc::ptr_eq(&a1, &a3));
    // Concurrent first logins of one user share one session.
    let (b1, b2) = tokio::join!(env.provider.login_exchange(BOB, PASSWORD), env.provider.login_exchange(BOB, PASSWORD));
    assert!(Arc::ptr_eq(&b1.unwrap(), &b2.unwrap()));
    assert_eq!(env.provider.stats().await.connects, 2);
}

#[tokio::test]
async fn idle_sessions_close_and_the_cap_holds() {
    let sim = start().await;
    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
    let mut c: ExchangeConfig = config(&sim);
    c.max_sessions = 1;
    c.idle_timeout = Duration::from_millis(50);
    let p = ExchangeProvider::new(c, state);
    let a = p.login(ALICE, PASSWORD).await.unwrap();
    // Alice is in use: no room for bob.
    let e = p.login(BOB, PASSWORD).await.err().unwrap();
    assert!(matches!(e, MailboxError::Unavailable(ref m) if m.contains("session limit")), "{e:?}");
    drop(a);
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(p.close_idle().await, 1);
    let _b = p.login(BOB, PASSWORD).await.unwrap();
    assert_eq!(p.stats().await.sessions, 1);
}

#[tokio::test]
async fn ntlm_login() {
    let store = demo_store();
    let directory = exchange_sim::auth::WithNtHashes::new(Arc::new(store.clone()));
    directory.set_password(ALICE, PASSWORD);
    let sim = exchange_sim::server::Simulator::new(sim_config())
        .with_store(store)
        .with_directory(Arc::new(directory))
        .with_ntlm(Arc::new(exchange_sim::auth::ntlm::Ntlmv2::default()))
        .run()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
    let mut c = config(&sim);
    c.auth = AuthMode::Ntlm;
    let p = ExchangeProvider::new(c, state);
    let a = p.login(ALICE, PASSWORD).await.unwrap();
    assert!(!a.list_folders().await.unwrap().is_empty());
    assert!(matches!(p.login(ALICE, "nope").await, Err(MailboxError::AuthenticationFailed)));
}
