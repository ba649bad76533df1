//! One HTTP/1.1 connection (TCP, optionally TLS) driven by hyper's per-connection client.
//! NTLM authenticates the connection itself, so a connection remembers whether it is
//! authenticated and is pooled per endpoint.

use std::time::Duration;

use bytes::Bytes;
use http::Uri;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::{Error, Result};

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A live HTTP/1.1 connection.
pub(crate) struct Conn {
    sender: SendRequest<Full<Bytes>>,
    /// True once an NTLM handshake succeeded on this connection.
    pub(crate) ntlm_authenticated: bool,
    /// When the connection last finished a response (pool ageing).
    pub(crate) last_used: std::time::Instant,
}

/// What happened to a request on a connection.
pub(crate) enum SendOutcome {
    /// A response (headers; the body streams).
    Response(http::Response<Incoming>),
    /// The connection was unusable and the request was **not** sent.
    NotSent(String),
    /// The request was (at least partly) sent, then the connection failed.
    Failed(String),
}

/// Host and port of an `http(s)://` URI, and whether it is TLS.
pub(crate) fn authority(uri: &Uri) -> Result<(String, u16, bool)> {
    let tls = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err(Error::Config(format!("not an http(s) URL: {uri}"))),
    };
    let host = uri.host().ok_or_else(|| Error::Config(format!("URL without host: {uri}")))?;
    let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    Ok((host, port, tls))
}

impl Conn {
    /// Opens a connection to the URI's host.
    pub(crate) async fn open(uri: &Uri, tls: &std::sync::Arc<rustls::ClientConfig>, timeout: Duration) -> Result<Self> {
        let (host, port, is_tls) = authority(uri)?;
        let fail = |reason: String| Error::Connect { host: format!("{host}:{port}"), reason };
        let connect = async {
            let tcp = TcpStream::connect((host.as_str(), port)).await.map_err(|e| fail(e.to_string()))?;
            let _ = tcp.set_nodelay(true);
            let io: Box<dyn Io> = if is_tls {
                let name = ServerName::try_from(host.clone()).map_err(|e| fail(format!("server name: {e}")))?;
                let stream = tokio_rustls::TlsConnector::from(tls.clone())
                    .connect(name, tcp)
                    .await
                    .map_err(|e| fail(format!("TLS: {e}")))?;
                Box::new(stream)
            } else {
                Box::new(tcp)
            };
            let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
                .await
                .map_err(|e| fail(format!("HTTP handshake: {e}")))?;
            tokio::spawn(async move {
                // Ends when the peer closes or the sender is dropped.
                let _ = connection.await;
            });
            Ok::<_, Error>(sender)
        };
        let sender = tokio::time::timeout(timeout, connect).await.map_err(|_| fail("timed out".into()))??;
        Ok(Self { sender, ntlm_authenticated: false, last_used: std::time::Instant::now() })
    }

    /// True while the connection can take another request.
    pub(crate) fn is_open(&self) -> bool {
        !self.sender.is_closed()
    }

    /// Sends a request, telling apart "never sent" from "sent, then failed".
    pub(crate) async fn send(&mut self, req: http::Request<Full<Bytes>>) -> SendOutcome {
        if let Err(e) = self.sender.ready().await {
            return SendOutcome::NotSent(e.to_string());
        }
        match self.sender.try_send_request(req).await {
            Ok(resp) => SendOutcome::Response(resp),
            Err(mut e) => {
                let reason = e.error().to_string();
                if e.take_message().is_some() { SendOutcome::NotSent(reason) } else { SendOutcome::Failed(reason) }
            }
        }
    }
}
