//! HTTPS with a self-signed certificate: accepted when pinned, refused otherwise.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use mapi_client::{Credentials, EmsmdbSession, Error, SessionConfig, TransportConfig};

#[tokio::test]
async fn pinned_certificate_is_accepted_and_an_unknown_one_refused() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let der = cert.cert.der().to_vec();
        let key = rustls_pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
        let server_cfg =
            rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![der.clone().into()], key)
                .unwrap();
        let server = Server::start_with(
            Arc::new(|req: &Req, _: &mut ConnState| {
                mapi_ok(req, &["sid=a", "sequence=b"], &capture("004-emsmdb-connect-alice.resp.bin"))
            }),
            Some(Arc::new(server_cfg)),
        )
        .await;
        let url = format!("https://localhost:{}{EMSMDB_PATH}", server.addr.port());
        let creds = Credentials::Basic { user: "alice@example.test".into(), password: "alice123".into() };

        let mut pinned = TransportConfig::new(creds.clone());
        pinned.tls.pinned_certificate = Some(der);
        let session = EmsmdbSession::connect(SessionConfig::new(&url, ALICE_DN, pinned)).await.unwrap();
        assert_eq!(session.info().await.display_name, "Alice Tester");

        let default = TransportConfig::new(creds);
        let err = EmsmdbSession::connect(SessionConfig::new(&url, ALICE_DN, default)).await.unwrap_err();
        assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    })
    .await
    .unwrap();
}
