//! Minimal protocol clients for end-to-end checks and the load generator:
//! IMAP (tagged commands, literals, IDLE), SMTP submission and one-shot
//! HTTP/1.1 for DAV. They speak plain TCP to loopback listeners that allow
//! plaintext logins there; each failure is a `String` naming what broke.

use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::procs::Result;

/// How long any single response may take before the client gives up.
pub const RESPONSE_LIMIT: Duration = Duration::from_secs(60);

/// A raw IMAP client.
pub struct Imap {
    io: BufReader<TcpStream>,
    n: u32,
}

/// The outcome of one tagged command: its untagged lines and the tagged
/// status line.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Everything the server sent for the command, tagged line included.
    pub text: String,
    /// The tagged line.
    pub status: String,
}

impl Reply {
    /// Tagged OK.
    pub fn ok(&self) -> bool {
        self.status.split(' ').nth(1) == Some("OK")
    }
}

impl Imap {
    /// Connects and reads the greeting.
    pub async fn connect(addr: SocketAddr) -> Result<Self> {
        let s = TcpStream::connect(addr).await.map_err(|e| format!("connect {addr}: {e}"))?;
        let mut c = Self { io: BufReader::new(s), n: 0 };
        let greeting = c.line().await?;
        if !greeting.starts_with("* OK") {
            return Err(format!("greeting: {greeting}"));
        }
        Ok(c)
    }

    /// Connects and logs in.
    pub async fn login(addr: SocketAddr, user: &str, password: &str) -> Result<Self> {
        let mut c = Self::connect(addr).await?;
        let r = c.cmd(&format!("LOGIN {user} {password}")).await?;
        if !r.ok() {
            return Err(format!("LOGIN: {}", r.text));
        }
        Ok(c)
    }

    /// One response line with the literals it announces; "" at EOF.
    pub async fn line(&mut self) -> Result<String> {
        let mut out = Vec::new();
        loop {
            let mut line = Vec::new();
            let n = tokio::time::timeout(RESPONSE_LIMIT, self.io.read_until(b'\n', &mut line))
                .await
                .map_err(|_| "IMAP response timed out".to_owned())?
                .map_err(|e| format!("IMAP read: {e}"))?;
            if n == 0 {
                return Ok(String::from_utf8_lossy(&out).into_owned());
            }
            out.extend_from_slice(&line);
            let t = String::from_utf8_lossy(&line).trim_end().to_owned();
            if let Some(open) = t.rfind('{')
                && t.ends_with('}')
                && let Ok(len) = t[open + 1..t.len() - 1].trim_end_matches('+').parse::<usize>()
            {
                let mut buf = vec![0; len];
                self.io.read_exact(&mut buf).await.map_err(|e| format!("IMAP literal: {e}"))?;
                out.extend_from_slice(&buf);
                continue;
            }
            return Ok(String::from_utf8_lossy(&out).into_owned());
        }
    }

    /// Writes raw bytes.
    pub async fn send(&mut self, raw: &[u8]) -> Result<()> {
        self.io.get_mut().write_all(raw).await.map_err(|e| format!("IMAP write: {e}"))
    }

    /// The next tag.
    pub fn next_tag(&mut self) -> String {
        self.n += 1;
        format!("A{:04}", self.n)
    }

    /// Sends a command and reads through its tagged answer.
    pub async fn cmd(&mut self, command: &str) -> Result<Reply> {
        let tag = self.next_tag();
        self.send(format!("{tag} {command}\r\n").as_bytes()).await?;
        self.until(&tag).await
    }

    /// Reads through the tagged answer of `tag`.
    pub async fn until(&mut self, tag: &str) -> Result<Reply> {
        let mut text = String::new();
        let prefix = format!("{tag} ");
        loop {
            let l = self.line().await?;
            if l.is_empty() {
                return Err(format!("connection closed before {tag} completed: {text}"));
            }
            text.push_str(&l);
            if l.starts_with(&prefix) {
                return Ok(Reply { status: l.trim_end().to_owned(), text });
            }
        }
    }

    /// APPEND with a synchronising literal.
    pub async fn append(&mut self, folder: &str, flags: &str, message: &[u8]) -> Result<Reply> {
        let tag = self.next_tag();
        self.send(format!("{tag} APPEND \"{folder}\" ({flags}) {{{}}}\r\n", message.len()).as_bytes()).await?;
        let go = self.line().await?;
        if !go.starts_with('+') {
            return Ok(Reply { status: go.trim_end().to_owned(), text: go });
        }
        self.send(message).await?;
        self.send(b"\r\n").await?;
        self.until(&tag).await
    }

    /// UID → Message-ID of every message in `folder` (EXAMINE, then one
    /// UID FETCH of the Message-ID header field).
    pub async fn message_ids(&mut self, folder: &str) -> Result<Vec<(u32, String)>> {
        let r = self.cmd(&format!("EXAMINE \"{folder}\"")).await?;
        if !r.ok() {
            return Err(format!("EXAMINE {folder}: {}", r.text));
        }
        let r = self.cmd("UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])").await?;
        if !r.ok() {
            return Err(format!("UID FETCH: {}", r.status));
        }
        Ok(parse_message_ids(&r.text))
    }
}

/// (UID, Message-ID) of each FETCH response in `text`.
pub fn parse_message_ids(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for part in text.split("* ").filter(|p| p.contains(" FETCH ")) {
        let uid = part
            .split("UID ")
            .nth(1)
            .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|s| s.parse().ok());
        let id = part
            .lines()
            .find_map(|l| {
                let lower = l.to_ascii_lowercase();
                lower.starts_with("message-id:").then(|| l["message-id:".len()..].trim().to_owned())
            })
            .unwrap_or_default();
        if let Some(uid) = uid {
            out.push((uid, id));
        }
    }
    out
}

/// The UID of an `[APPENDUID v uid]` status.
pub fn append_uid(status: &str) -> Option<u32> {
    let rest = status.split("APPENDUID ").nth(1)?;
    rest.split(' ').nth(1)?.trim_end_matches(']').split(']').next()?.parse().ok()
}

/// A small message with a unique Message-ID.
pub fn message(id: &str, from: &str, to: &str, body_len: usize) -> Vec<u8> {
    let mut m = format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: {id}\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{id}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
    )
    .into_bytes();
    let line = b"The quick brown fox jumps over the lazy dog, again and again.\r\n";
    while m.len() < body_len {
        m.extend_from_slice(line);
    }
    m
}

/// An SMTP submission client (plaintext AUTH PLAIN on loopback).
pub struct Smtp {
    io: BufReader<TcpStream>,
}

impl Smtp {
    /// Connects, greets (EHLO) and authenticates.
    pub async fn login(addr: SocketAddr, user: &str, password: &str) -> Result<Self> {
        let s = TcpStream::connect(addr).await.map_err(|e| format!("connect {addr}: {e}"))?;
        let mut c = Self { io: BufReader::new(s) };
        c.reply().await?;
        c.expect("EHLO client.test", 250).await?;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
        c.expect(&format!("AUTH PLAIN {token}"), 235).await?;
        Ok(c)
    }

    /// One (multi-line) reply: its code and text.
    pub async fn reply(&mut self) -> Result<(u16, String)> {
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(RESPONSE_LIMIT, self.io.read_line(&mut line))
                .await
                .map_err(|_| "SMTP reply timed out".to_owned())?
                .map_err(|e| format!("SMTP read: {e}"))?;
            if n == 0 {
                return Err(format!("SMTP connection closed: {text}"));
            }
            text.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                let code = line.get(..3).and_then(|c| c.parse().ok()).ok_or_else(|| format!("bad reply {line}"))?;
                return Ok((code, text));
            }
        }
    }

    /// Sends a command line and reads its reply.
    pub async fn command(&mut self, line: &str) -> Result<(u16, String)> {
        self.io.get_mut().write_all(format!("{line}\r\n").as_bytes()).await.map_err(|e| format!("SMTP write: {e}"))?;
        self.reply().await
    }

    async fn expect(&mut self, line: &str, code: u16) -> Result<String> {
        let (got, text) = self.command(line).await?;
        if got != code {
            return Err(format!("{line}: {text}"));
        }
        Ok(text)
    }

    /// One transaction; the final reply code after the data.
    pub async fn send(&mut self, from: &str, to: &[&str], message: &[u8]) -> Result<(u16, String)> {
        self.expect(&format!("MAIL FROM:<{from}>"), 250).await?;
        for r in to {
            self.expect(&format!("RCPT TO:<{r}>"), 250).await?;
        }
        self.expect("DATA", 354).await?;
        let mut data = Vec::with_capacity(message.len() + 5);
        for line in message.split_inclusive(|&b| b == b'\n') {
            if line.starts_with(b".") {
                data.push(b'.');
            }
            data.extend_from_slice(line);
        }
        if !data.ends_with(b"\r\n") {
            data.extend_from_slice(b"\r\n");
        }
        data.extend_from_slice(b".\r\n");
        self.io.get_mut().write_all(&data).await.map_err(|e| format!("SMTP write: {e}"))?;
        self.reply().await
    }
}

/// An HTTP answer.
#[derive(Debug, Clone)]
pub struct HttpAnswer {
    /// Status code.
    pub status: u16,
    /// Header block (lower-cased names).
    pub headers: String,
    /// Body.
    pub body: String,
}

impl HttpAnswer {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.headers.lines().find_map(|l| l.strip_prefix(prefix.as_str())).map(str::trim)
    }
}

/// One HTTP/1.1 request with Basic auth on a fresh connection.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    auth: Option<(&str, &str)>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<HttpAnswer> {
    let mut s = TcpStream::connect(addr).await.map_err(|e| format!("connect {addr}: {e}"))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some((u, p)) = auth {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
        head.push_str(&format!("Authorization: Basic {token}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await.map_err(|e| format!("HTTP write: {e}"))?;
    // The server may refuse before the body is read; a failed body write is
    // then not an error, its answer is what counts.
    let _ = s.write_all(body).await;
    let mut raw = Vec::new();
    tokio::time::timeout(RESPONSE_LIMIT, s.read_to_end(&mut raw))
        .await
        .map_err(|_| "HTTP answer timed out".to_owned())?
        .map_err(|e| format!("HTTP read: {e}"))?;
    parse_http(&raw)
}

/// Parses a `Connection: close` answer (identity or chunked body).
pub fn parse_http(raw: &[u8]) -> Result<HttpAnswer> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| "no HTTP head".to_owned())?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("bad status: {head}"))?;
    let headers = head.lines().skip(1).map(|l| {
        let (k, v) = l.split_once(':').unwrap_or((l, ""));
        format!("{}:{v}", k.to_ascii_lowercase())
    });
    let headers = headers.collect::<Vec<_>>().join("\n");
    let mut body = raw[split + 4..].to_vec();
    if headers.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Ok(HttpAnswer { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(lf) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..lf]).ok().and_then(|s| usize::from_str_radix(s.trim(), 16).ok());
        let Some(size) = size else { break };
        if size == 0 || raw.len() < lf + 2 + size {
            break;
        }
        out.extend_from_slice(&raw[lf + 2..lf + 2 + size]);
        raw = &raw[(lf + 4 + size).min(raw.len())..];
    }
    out
}

/// The href of `user`'s collection named `display_name` in its calendar
/// home (PROPFIND depth 1).
pub async fn calendar_href(addr: SocketAddr, user: &str, password: &str, display_name: &str) -> Result<String> {
    let body = br#"<d:propfind xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:propfind>"#;
    let home = format!("/dav/calendars/{user}/");
    let a = http(addr, "PROPFIND", &home, Some((user, password)), &[("Depth", "1")], body).await?;
    let wanted = format!("<d:displayname>{display_name}</d:displayname>");
    a.body
        .split("<d:response>")
        .find(|r| r.contains(&wanted))
        .and_then(|r| r.split("<d:href>").nth(1))
        .and_then(|r| r.split("</d:href>").next())
        .map(str::to_owned)
        .ok_or_else(|| format!("no {display_name} for {user}: {} {}", a.status, a.body))
}
