//! Certificates of the client-facing TLS listeners (IMAP, SMTP): PEM files
//! from the configuration, re-read on SIGHUP through [`ReloadableCert`], or a
//! self-signed certificate generated once for the demo and kept in its data
//! directory.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// Why a certificate could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading or writing a PEM file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The PEM holds no usable certificate or key.
    #[error("{path}: {message}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Generating the self-signed certificate.
    #[error("generating a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the pair (key does not match, unsupported algorithm).
    #[error("certificate and key: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Where a certificate and its key live.
#[derive(Clone, Debug)]
pub struct PemPaths {
    /// Certificate chain, leaf first.
    pub cert: PathBuf,
    /// Private key.
    pub key: PathBuf,
}

/// The demo's certificate in `dir` (`cert.pem`, `key.pem`): generated with
/// rcgen for `names` on first use, reused afterwards so a client that accepted
/// it once keeps trusting it.
pub fn self_signed(dir: &Path, names: &[String]) -> Result<PemPaths, TlsError> {
    let paths = PemPaths { cert: dir.join("cert.pem"), key: dir.join("key.pem") };
    if paths.cert.exists() && paths.key.exists() {
        return Ok(paths);
    }
    std::fs::create_dir_all(dir).map_err(|source| TlsError::Io { path: dir.to_owned(), source })?;
    let generated = rcgen::generate_simple_self_signed(names.to_vec())?;
    std::fs::write(&paths.cert, generated.cert.pem())
        .map_err(|source| TlsError::Io { path: paths.cert.clone(), source })?;
    write_private(&paths.key, &generated.signing_key.serialize_pem())
        .map_err(|source| TlsError::Io { path: paths.key.clone(), source })?;
    Ok(paths)
}

/// The key file is readable by its owner only: it is the server's identity.
fn write_private(path: &Path, pem: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)?.write_all(pem.as_bytes())
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Loads the pair at `paths` into a rustls key.
pub fn load(paths: &PemPaths) -> Result<Arc<CertifiedKey>, TlsError> {
    let read = |path: &Path| std::fs::read(path).map_err(|source| TlsError::Io { path: path.to_owned(), source });
    let cert_pem = read(&paths.cert)?;
    let key_pem = read(&paths.key)?;
    let certs = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem { path: paths.cert.clone(), message: e.to_string() })?;
    if certs.is_empty() {
        return Err(TlsError::Pem { path: paths.cert.clone(), message: "no CERTIFICATE block".into() });
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| TlsError::Pem { path: paths.key.clone(), message: e.to_string() })?;
    let signing = provider().key_provider.load_private_key(key)?;
    let certified = CertifiedKey::new(certs, signing);
    certified.keys_match()?;
    Ok(Arc::new(certified))
}

/// The server certificate, swappable while the listeners run (SIGHUP).
#[derive(Debug)]
pub struct ReloadableCert {
    paths: PemPaths,
    current: RwLock<Arc<CertifiedKey>>,
}

impl ReloadableCert {
    /// Loads `paths` now.
    pub fn new(paths: PemPaths) -> Result<Arc<Self>, TlsError> {
        let current = RwLock::new(load(&paths)?);
        Ok(Arc::new(Self { paths, current }))
    }

    /// Reads the files again; on error the old certificate stays in use.
    pub fn reload(&self) -> Result<(), TlsError> {
        let fresh = load(&self.paths)?;
        // A poisoned lock only means a panic elsewhere while swapping an Arc:
        // the value inside is still a whole certificate.
        *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        Ok(())
    }

    /// The files it reads.
    pub fn paths(&self) -> &PemPaths {
        &self.paths
    }

    /// A rustls server configuration that always uses the current certificate.
    pub fn server_config(self: &Arc<Self>) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        Ok(Arc::new(config))
    }
}

impl ResolvesServerCert for ReloadableCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_is_generated_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let names = vec!["localhost".to_owned()];
        let first = self_signed(dir.path(), &names).unwrap();
        let pem = std::fs::read(&first.cert).unwrap();
        let again = self_signed(dir.path(), &names).unwrap();
        assert_eq!(std::fs::read(&again.cert).unwrap(), pem, "a second start must keep the certificate");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&first.key).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "private key readable by others: {mode:o}");
        }
        ReloadableCert::new(first).unwrap().server_config().unwrap();
    }

    #[test]
    fn reload_swaps_and_keeps_old_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let paths = self_signed(dir.path(), &["a.test".to_owned()]).unwrap();
        let cert = ReloadableCert::new(paths.clone()).unwrap();
        let before = cert.current.read().unwrap().cert.clone();
        std::fs::remove_file(&paths.cert).unwrap();
        std::fs::remove_file(&paths.key).unwrap();
        assert!(cert.reload().is_err());
        assert_eq!(cert.current.read().unwrap().cert, before);
        self_signed(dir.path(), &["b.test".to_owned()]).unwrap();
        cert.reload().unwrap();
        assert_ne!(cert.current.read().unwrap().cert, before);
    }

    #[test]
    fn mismatched_key_is_refused() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let pa = self_signed(a.path(), &["a.test".to_owned()]).unwrap();
        let pb = self_signed(b.path(), &["b.test".to_owned()]).unwrap();
        let err = load(&PemPaths { cert: pa.cert, key: pb.key }).unwrap_err();
        assert!(matches!(err, TlsError::Rustls(_)), "{err}");
    }
}
