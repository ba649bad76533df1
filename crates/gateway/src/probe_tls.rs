//! TLS client configurations for looking at a server rather than trusting
//! it: the readiness probe of our own listeners (any certificate), and
//! `mapibridge check`'s TLS step, which completes the handshake whatever the
//! certificate and reports what a real client would have said about it.

use std::sync::{Arc, Mutex, PoisonError};

use rustls::DigitallySignedStruct;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client configuration that accepts any certificate (signatures are still
/// checked): only for probing the gateway's own listeners.
pub fn any_certificate() -> rustls::ClientConfig {
    let verifier = Arc::new(Recording::new(None));
    client_config(verifier)
}

fn client_config(verifier: Arc<Recording>) -> rustls::ClientConfig {
    // The provider's defaults are valid; failing here would be a rustls bug.
    #[allow(clippy::expect_used)]
    rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth()
}

/// What the trust check said about the server's certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not looked at (no trust store given).
    Unchecked,
    /// Trusted by the configured roots / pin.
    Trusted,
    /// Refused, with rustls's reason.
    Refused(String),
}

/// A verifier that lets every handshake finish and records the verdict of
/// the real verifier (and the pinned certificate) for the report.
#[derive(Debug)]
pub struct Recording {
    inner: Option<Arc<WebPkiServerVerifier>>,
    pinned: Option<Vec<u8>>,
    algorithms: WebPkiSupportedAlgorithms,
    verdict: Mutex<Verdict>,
}

impl Recording {
    fn new(inner: Option<Arc<WebPkiServerVerifier>>) -> Self {
        Self {
            inner,
            pinned: None,
            algorithms: provider().signature_verification_algorithms,
            verdict: Mutex::new(Verdict::Unchecked),
        }
    }

    /// Judges certificates against `roots` (and `pinned`, which wins).
    pub fn with_roots(roots: rustls::RootCertStore, pinned: Option<Vec<u8>>) -> Result<Arc<Self>, String> {
        let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| e.to_string())?;
        let mut r = Self::new(Some(inner));
        r.pinned = pinned;
        Ok(Arc::new(r))
    }

    /// A client configuration using this verifier.
    pub fn client_config(self: &Arc<Self>) -> rustls::ClientConfig {
        client_config(self.clone())
    }

    /// The verdict of the last handshake.
    pub fn verdict(&self) -> Verdict {
        self.verdict.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = match (&self.pinned, &self.inner) {
            (Some(pin), _) if pin.as_slice() == end_entity.as_ref() => Verdict::Trusted,
            (Some(_), _) => Verdict::Refused("not the pinned certificate".to_owned()),
            (None, Some(inner)) => {
                match inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
                    Ok(_) => Verdict::Trusted,
                    Err(e) => Verdict::Refused(e.to_string()),
                }
            }
            (None, None) => Verdict::Unchecked,
        };
        *self.verdict.lock().unwrap_or_else(PoisonError::into_inner) = verdict;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
