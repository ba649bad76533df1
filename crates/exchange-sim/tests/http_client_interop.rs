//! mapi-client (the gateway's transport) against the simulator over real
//! sockets: Autodiscover → Connect → Execute → PING → NotificationWait →
//! Disconnect, with Basic, NTLM and TLS, and recovery from an expired
//! context and from busy answers.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use exchange_sim::server::faults::{BusyMode, FaultConfig};
use mapi_client::autodiscover::AutodiscoverResponse;
use mapi_client::{Credentials, EmsmdbSession, ExecuteFlags, SessionConfig, TransportConfig, WaitOutcome};

fn transport(credentials: Credentials) -> TransportConfig {
    let mut t = TransportConfig::new(credentials);
    t.trace_dir = None;
    t.retry.base_delay = Duration::from_millis(5);
    t.retry.max_delay = Duration::from_millis(20);
    t.notification_wait_timeout = Duration::from_secs(5);
    t
}

fn basic_transport() -> TransportConfig {
    transport(Credentials::Basic { user: ALICE.into(), password: PASSWORD.to_owned().into() })
}

async fn discover(sim: &exchange_sim::server::RunningSim, t: &TransportConfig) -> mapi_client::Discovery {
    let url = format!("{}/autodiscover/autodiscover.xml", sim.base_url());
    match mapi_client::autodiscover::ask(&url, ALICE, t).await.unwrap() {
        AutodiscoverResponse::Settings(d) => d,
        other => panic!("{other:?}"),
    }
}

const EMPTY_ROPS: [u8; 2] = [2, 0];

#[tokio::test]
async fn autodiscover_connect_execute_wait_disconnect_with_basic() {
    let sim = start(test_config()).await;
    let t = basic_transport();
    let d = discover(&sim, &t).await;
    assert_eq!(d.display_name, "Alice Tester");
    assert!(d.mailstore_url.starts_with(&format!("{}/mapi/emsmdb/?MailboxId=", sim.base_url())));
    let s = EmsmdbSession::connect(SessionConfig::mailstore(&d, t.clone())).await.unwrap();
    let out = s.execute(&EMPTY_ROPS, ExecuteFlags(3), 0x10008).await.unwrap();
    assert_eq!(out.rop_output, [EMPTY_ROPS.to_vec()]);
    s.ping().await.unwrap();
    let wait = {
        let s2 = &s;
        let push = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            sim.sessions().notify_user(ALICE, &(Arc::new(1u8) as exchange_sim::session::Event));
        };
        let (w, ()) = tokio::join!(s2.notification_wait(), push);
        w.unwrap()
    };
    assert!(matches!(wait, WaitOutcome::Events));
    s.disconnect().await.unwrap();
    assert_eq!(sim.sessions().len(), 0);
}

#[tokio::test]
async fn client_recovers_from_expired_context_and_busy_answers() {
    let sim = start(test_config()).await;
    let t = basic_transport();
    let d = discover(&sim, &t).await;
    let s = EmsmdbSession::connect(SessionConfig::mailstore(&d, t)).await.unwrap();
    s.execute(&EMPTY_ROPS, ExecuteFlags(3), 0x10008).await.unwrap();
    sim.set_faults(FaultConfig { expire_sessions: true, ..FaultConfig::default() });
    let e = s.execute(&EMPTY_ROPS, ExecuteFlags(3), 0x10008).await.unwrap_err();
    assert!(matches!(e, mapi_client::Error::Reconnected { .. }), "{e:?}");
    assert_eq!(s.generation().await, 1);
    s.execute(&EMPTY_ROPS, ExecuteFlags(3), 0x10008).await.unwrap();
    // Half the Executes busy (503, then ecServerBusy): the client backs off
    // and gets through.
    sim.set_faults(FaultConfig { busy_fraction: 0.5, retry_after_secs: 0, ..FaultConfig::default() });
    for _ in 0..4 {
        s.execute(&EMPTY_ROPS, ExecuteFlags(3), 0x10008).await.unwrap();
    }
    sim.set_faults(FaultConfig { busy_fraction: 0.5, busy_mode: BusyMode::EcServerBusy, ..FaultConfig::default() });
    for _ in 0..4 {
        let out = s.execute(&EMPTY_ROPS, ExecuteFlags(3), 0x10008).await.unwrap();
        assert_eq!(out.error_code.0, 0);
    }
}

#[tokio::test]
async fn ntlm_over_tls_with_a_pinned_certificate() {
    let dir = std::env::temp_dir().join(format!("exchange-sim-interop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut c = test_config();
    c.tls = true;
    c.data_dir = Some(dir.clone());
    let store = demo_store();
    let directory = exchange_sim::auth::WithNtHashes::new(Arc::new(store.clone()));
    directory.set_password(ALICE, PASSWORD);
    let sim = exchange_sim::server::Simulator::new(c)
        .with_store(store)
        .with_directory(Arc::new(directory))
        .with_ntlm(Arc::new(exchange_sim::auth::ntlm::Ntlmv2::default()))
        .run()
        .await
        .unwrap();
    let der = {
        use rustls::pki_types::pem::PemObject as _;
        rustls::pki_types::CertificateDer::from_pem_slice(sim.certificate_pem().unwrap().as_bytes()).unwrap().to_vec()
    };
    let mut t = transport(Credentials::Ntlm { login: ALICE.into(), password: PASSWORD.to_owned().into() });
    t.tls.pinned_certificate = Some(der);
    let d = discover(&sim, &t).await;
    assert!(d.mailstore_url.starts_with("https://"));
    let s = EmsmdbSession::connect(SessionConfig::mailstore(&d, t)).await.unwrap();
    let out = s.execute(&EMPTY_ROPS, ExecuteFlags(3), 0x10008).await.unwrap();
    assert_eq!(out.rop_output, [EMPTY_ROPS.to_vec()]);
    s.disconnect().await.unwrap();
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
