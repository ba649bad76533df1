//! HTTPS with a self-signed certificate made by rcgen, written to the data
//! directory on first start and reused afterwards (clients can pin it).

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Certificate file name in the data directory.
pub const CERT_FILE: &str = "tls-cert.pem";
/// Private key file name in the data directory.
pub const KEY_FILE: &str = "tls-key.pem";

/// Errors setting up TLS.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading or writing the PEM files.
    #[error("TLS files: {0}")]
    Io(#[from] std::io::Error),
    /// Certificate generation.
    #[error("certificate generation: {0}")]
    Generate(#[from] rcgen::Error),
    /// PEM parsing.
    #[error("PEM: {0}")]
    Pem(String),
    /// rustls refused the certificate or key.
    #[error("rustls: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The certificate and key as PEM, loaded from `dir` or generated (and
/// saved there when `dir` is given).
pub fn load_or_generate(dir: Option<&Path>, names: &[String]) -> Result<(String, String), TlsError> {
    if let Some(dir) = dir {
        let (c, k) = (dir.join(CERT_FILE), dir.join(KEY_FILE));
        if c.exists() && k.exists() {
            return Ok((std::fs::read_to_string(c)?, std::fs::read_to_string(k)?));
        }
    }
    let ck = rcgen::generate_simple_self_signed(names.to_vec())?;
    let cert = ck.cert.pem();
    let key = ck.signing_key.serialize_pem();
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(CERT_FILE), &cert)?;
        write_private(&dir.join(KEY_FILE), &key)?;
    }
    Ok((cert, key))
}

#[cfg(unix)]
fn write_private(path: &Path, data: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.write_all(data.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, data: &str) -> std::io::Result<()> {
    std::fs::write(path, data)
}

/// A rustls server configuration (ring provider, TLS 1.2 and 1.3,
/// HTTP/1.1 by ALPN) for the PEM certificate and key.
pub fn server_config(cert_pem: &str, key_pem: &str) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| TlsError::Pem(e.to_string()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
