//! Low-level looks at an HTTP(S) endpoint for `mapibridge check`: name
//! resolution, the TLS handshake and certificate verdict, and the
//! authentication schemes a 401 offers (RFC 9110 §11.6.1 `WWW-Authenticate`).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::probe_tls::{Recording, Verdict};

const TIMEOUT: Duration = Duration::from_secs(10);
/// Largest response head read from a probe.
const MAX_HEAD: usize = 32 * 1024;

/// Certificates trusted beyond the Mozilla roots.
#[derive(Clone, Debug, Default)]
pub struct TrustSettings {
    /// Extra CA certificates (DER).
    pub extra_roots: Vec<Vec<u8>>,
    /// The one accepted server certificate (DER).
    pub pinned: Option<Vec<u8>>,
}

/// The certificates (DER) of a PEM file.
pub fn pem_certificates(path: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .map(|c| c.map(|c| c.as_ref().to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    anyhow::ensure!(!certs.is_empty(), "{}: no CERTIFICATE block", path.display());
    Ok(certs)
}

/// Scheme, host, port and path of a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// https.
    pub tls: bool,
    /// Host name or address (no brackets).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Path and query.
    pub path: String,
}

impl Target {
    /// Parses an `http://` or `https://` URL.
    pub fn parse(url: &str) -> Result<Self, String> {
        let uri: http::Uri = url.parse().map_err(|e| format!("not a URL: {e}"))?;
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err("needs http:// or https://".to_owned()),
        };
        let host = uri.host().ok_or("no host")?.trim_matches(|c| c == '[' || c == ']').to_owned();
        let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
        let path = uri.path_and_query().map_or("/".to_owned(), |p| p.as_str().to_owned());
        Ok(Self { tls, host, port, path })
    }

    /// `host:port` (IPv6 in brackets).
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// The addresses of the target's host, as text.
pub async fn resolve(target: &Target) -> Result<String, String> {
    if target.host.parse::<std::net::IpAddr>().is_ok() {
        return Ok(format!("{} (an address, no lookup)", target.host));
    }
    let addrs: Vec<SocketAddr> =
        tokio::time::timeout(TIMEOUT, tokio::net::lookup_host((target.host.as_str(), target.port)))
            .await
            .map_err(|_| "lookup timed out".to_owned())?
            .map_err(|e| e.to_string())?
            .collect();
    if addrs.is_empty() {
        return Err("no addresses".to_owned());
    }
    Ok(addrs.iter().map(|a| a.ip().to_string()).collect::<Vec<_>>().join(", "))
}

/// Opens (and closes) a TCP connection.
pub async fn tcp(target: &Target) -> Result<(), String> {
    connect(target).await.map(drop)
}

/// The outcome of a TLS handshake.
#[derive(Clone, Debug)]
pub struct TlsReport {
    /// Version, cipher suite, trust verdict.
    pub summary: String,
    /// Whether a real client would accept the certificate.
    pub trusted: bool,
}

fn recorder(trust: &TrustSettings) -> Result<Arc<Recording>, String> {
    let mut roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for der in &trust.extra_roots {
        roots.add(CertificateDer::from(der.clone())).map_err(|e| format!("extra CA: {e}"))?;
    }
    Recording::with_roots(roots, trust.pinned.clone())
}

fn server_name(target: &Target) -> Result<ServerName<'static>, String> {
    ServerName::try_from(target.host.clone()).map_err(|e| format!("{}: {e}", target.host))
}

async fn connect(target: &Target) -> Result<TcpStream, String> {
    tokio::time::timeout(TIMEOUT, TcpStream::connect((target.host.as_str(), target.port)))
        .await
        .map_err(|_| "connect timed out".to_owned())?
        .map_err(|e| format!("connect: {e}"))
}

/// Completes a handshake whatever the certificate and says what a verifying
/// client would think of it.
pub async fn tls(target: &Target, trust: &TrustSettings) -> Result<TlsReport, String> {
    let recorder = recorder(trust)?;
    let tcp = connect(target).await?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(recorder.client_config()));
    let stream = tokio::time::timeout(TIMEOUT, connector.connect(server_name(target)?, tcp))
        .await
        .map_err(|_| "TLS handshake timed out".to_owned())?
        .map_err(|e| format!("TLS handshake: {e}"))?;
    let (_, conn) = stream.get_ref();
    let version = conn.protocol_version().map_or("?".to_owned(), |v| format!("{v:?}"));
    let suite = conn.negotiated_cipher_suite().map_or("?".to_owned(), |s| format!("{:?}", s.suite()));
    let (trusted, verdict) = match recorder.verdict() {
        Verdict::Trusted => (true, "certificate trusted".to_owned()),
        Verdict::Refused(why) => (false, format!("certificate NOT trusted: {why}")),
        Verdict::Unchecked => (false, "certificate not checked".to_owned()),
    };
    Ok(TlsReport { summary: format!("{} {version}, {suite}, {verdict}", target.authority()), trusted })
}

/// The schemes of the `WWW-Authenticate` headers an unauthenticated POST
/// gets (empty when the server does not ask).
pub async fn auth_schemes(target: &Target, trust: &TrustSettings) -> Result<Vec<String>, String> {
    let tcp = connect(target).await?;
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/mapi-http\r\nX-RequestType: Connect\r\nX-ClientApplication: mapibridge-check/{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        target.path,
        target.authority(),
        env!("CARGO_PKG_VERSION")
    );
    let head = if target.tls {
        let connector = tokio_rustls::TlsConnector::from(Arc::new(recorder(trust)?.client_config()));
        let stream = tokio::time::timeout(TIMEOUT, connector.connect(server_name(target)?, tcp))
            .await
            .map_err(|_| "TLS handshake timed out".to_owned())?
            .map_err(|e| format!("TLS handshake: {e}"))?;
        exchange_head(stream, &request).await?
    } else {
        exchange_head(tcp, &request).await?
    };
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    response.parse(&head).map_err(|e| format!("not an HTTP response: {e}"))?;
    if response.code != Some(401) {
        return Ok(Vec::new());
    }
    let mut schemes = Vec::new();
    for h in response.headers.iter().filter(|h| h.name.eq_ignore_ascii_case("www-authenticate")) {
        let value = String::from_utf8_lossy(h.value);
        if let Some(scheme) = value.split_whitespace().next() {
            let scheme = scheme.trim_end_matches(',').to_owned();
            if !schemes.iter().any(|s: &String| s.eq_ignore_ascii_case(&scheme)) {
                schemes.push(scheme);
            }
        }
    }
    Ok(schemes)
}

async fn exchange_head(mut stream: impl AsyncRead + AsyncWrite + Unpin, request: &str) -> Result<Vec<u8>, String> {
    stream.write_all(request.as_bytes()).await.map_err(|e| format!("send: {e}"))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(TIMEOUT, stream.read(&mut buf))
            .await
            .map_err(|_| "no answer in time".to_owned())?
            .map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(buf.get(..n).unwrap_or_default());
        if head.windows(4).any(|w| w == b"\r\n\r\n") || head.len() > MAX_HEAD {
            break;
        }
    }
    if head.is_empty() {
        return Err("the server closed the connection without answering".to_owned());
    }
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_with_default_ports() {
        let t = Target::parse("https://mail.example.com/autodiscover/autodiscover.xml").unwrap();
        assert_eq!(
            (t.tls, t.host.as_str(), t.port, t.path.as_str()),
            (true, "mail.example.com", 443, "/autodiscover/autodiscover.xml")
        );
        let t = Target::parse("http://[::1]:8080/mapi/emsmdb/?MailboxId=x").unwrap();
        assert_eq!((t.tls, t.host.as_str(), t.port), (false, "::1", 8080));
        assert_eq!(t.authority(), "[::1]:8080");
        assert!(Target::parse("ftp://x/").is_err());
    }
}
