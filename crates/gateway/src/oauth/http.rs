//! The HTTP calls OAuth needs (and `mapibridge prefetch` reuses): `POST` an `application/x-www-form-urlencoded`
//! body (RFC 6749 §4.1.3 / RFC 8628 §3.1) and read the JSON answer. HTTPS
//! with the Mozilla roots; plain HTTP only to loopback (the tests' mock).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;

use super::OAuthError;

/// Largest answer read from the authorization server.
const MAX_ANSWER: usize = 256 * 1024;

/// An HTTP status and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
}

/// `POST`s `form` to `url`.
pub(crate) async fn post_form(url: &str, form: &[(&str, &str)], timeout: Duration) -> Result<Answer, OAuthError> {
    tokio::time::timeout(timeout, call(url, Some(form)))
        .await
        .map_err(|_| OAuthError::Http(format!("{url}: no answer within {} s", timeout.as_secs())))?
}

/// `GET`s `url` (the gateway's own admin routes).
pub(crate) async fn get(url: &str, timeout: Duration) -> Result<Answer, OAuthError> {
    tokio::time::timeout(timeout, call(url, None))
        .await
        .map_err(|_| OAuthError::Http(format!("{url}: no answer within {} s", timeout.as_secs())))?
}

async fn call(url: &str, form: Option<&[(&str, &str)]>) -> Result<Answer, OAuthError> {
    let uri: http::Uri = url.parse().map_err(|e| OAuthError::Http(format!("{url}: not a URL: {e}")))?;
    let host = uri.host().ok_or_else(|| OAuthError::Http(format!("{url}: no host")))?.to_owned();
    let tls = match uri.scheme_str() {
        Some("https") => true,
        Some("http") if is_loopback(&host) => false,
        _ => return Err(OAuthError::Http(format!("{url}: must be https:// (plain http only to loopback)"))),
    };
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let authority = uri.authority().map_or(host.clone(), |a| a.as_str().to_owned());
    let (method, body) = match form {
        Some(form) => (http::Method::POST, form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish()),
        None => (http::Method::GET, String::new()),
    };
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header(http::header::HOST, authority)
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::ACCEPT, "application/json")
        .header(http::header::USER_AGENT, concat!("mapibridge/", env!("CARGO_PKG_VERSION")))
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| OAuthError::Http(e.to_string()))?;
    let target = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let stream = tokio::net::TcpStream::connect((target.as_str(), port))
        .await
        .map_err(|e| OAuthError::Http(format!("{host}:{port}: {e}")))?;
    let response = if tls {
        let name = rustls_pki_types::ServerName::try_from(target.clone())
            .map_err(|e| OAuthError::Http(format!("{host}: {e}")))?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config()));
        let stream =
            connector.connect(name, stream).await.map_err(|e| OAuthError::Http(format!("{host}: TLS: {e}")))?;
        exchange(TokioIo::new(stream), request).await?
    } else {
        exchange(TokioIo::new(stream), request).await?
    };
    Ok(response)
}

async fn exchange<S>(io: TokioIo<S>, request: http::Request<Full<Bytes>>) -> Result<Answer, OAuthError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(io).await.map_err(|e| OAuthError::Http(e.to_string()))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let response = sender.send_request(request).await.map_err(|e| OAuthError::Http(e.to_string()))?;
    let status = response.status().as_u16();
    let limited = http_body_util::Limited::new(response.into_body(), MAX_ANSWER);
    let body = limited.collect().await.map_err(|e| OAuthError::Http(format!("reading the answer: {e}")))?.to_bytes();
    Ok(Answer { status, body })
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().is_ok_and(|a| a.is_loopback())
}

fn client_config() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    // The provider's defaults are valid; failing here would be a rustls bug.
    #[allow(clippy::expect_used)]
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}
