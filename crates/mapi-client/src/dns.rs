//! A small DNS SRV client for the Autodiscover SRV step ([MS-OXDSCLI] 3.1.5.3):
//! one `_autodiscover._tcp.<domain>` SRV query ([RFC 2782]) over UDP ([RFC 1035]
//! 4.2.1) to the configured name servers (by default those of `/etc/resolv.conf`).
//!
//! Only what that step needs: no caching, no TCP fallback (a truncated answer is used
//! as far as it goes), no DNSSEC. Records are ordered by priority, then by weight
//! (heaviest first) instead of RFC 2782's weighted random pick, so that a client tries
//! the same host first every time.
//!
//! [RFC 2782]: https://www.rfc-editor.org/rfc/rfc2782
//! [RFC 1035]: https://www.rfc-editor.org/rfc/rfc1035

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::UdpSocket;

use crate::autodiscover::SrvResolver;
use crate::config::BoxFuture;

/// [RFC 1035] 3.2.2 TYPE SRV ([RFC 2782]).
const TYPE_SRV: u16 = 33;
/// [RFC 1035] 3.2.4 CLASS IN.
const CLASS_IN: u16 = 1;
/// Largest UDP answer read ([RFC 1035] 4.2.1 limits plain DNS to 512; EDNS answers may
/// be longer, which we do not ask for).
const MAX_UDP: usize = 4096;
/// Most SRV records kept from one answer.
const MAX_RECORDS: usize = 16;
/// Most compression pointers followed in one name ([RFC 1035] 4.1.4); more is a loop.
const MAX_POINTERS: usize = 16;
/// The resolv.conf read by [`DnsSrvResolver::system`].
const RESOLV_CONF: &str = "/etc/resolv.conf";

/// One SRV record ([RFC 2782]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SrvRecord {
    /// Lower is tried first.
    pub priority: u16,
    /// Relative weight among records of the same priority.
    pub weight: u16,
    /// The service's port.
    pub port: u16,
    /// The host name (without the trailing dot).
    pub target: String,
}

/// Why an SRV query failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DnsError {
    /// A name that cannot be sent (empty or over-long label, name over 255 bytes).
    #[error("invalid DNS name {0:?}")]
    InvalidName(String),
    /// No name server configured.
    #[error("no name server configured")]
    NoServer,
    /// Socket error or no answer within the timeout from every server.
    #[error("no DNS answer: {0}")]
    NoAnswer(String),
    /// An answer that does not parse.
    #[error("malformed DNS answer: {0}")]
    Malformed(&'static str),
    /// The server answered with an error RCODE other than NXDOMAIN ([RFC 1035] 4.1.1).
    #[error("DNS RCODE {0}")]
    Rcode(u8),
}

/// SRV lookups over UDP to fixed name servers; an [`SrvResolver`] for
/// [`crate::autodiscover::discover`].
#[derive(Clone, Debug)]
pub struct DnsSrvResolver {
    servers: Vec<SocketAddr>,
    /// How long to wait for each server's answer.
    pub timeout: Duration,
}

impl DnsSrvResolver {
    /// Queries `servers` in order (for tests and explicit configuration).
    pub fn new(servers: Vec<SocketAddr>) -> Self {
        Self { servers, timeout: Duration::from_secs(3) }
    }

    /// The `nameserver` lines of `/etc/resolv.conf` (port 53); none if unreadable.
    pub fn system() -> Self {
        let text = std::fs::read_to_string(RESOLV_CONF).unwrap_or_default();
        Self::new(nameservers(&text))
    }

    /// The SRV records of `name`, best first; empty for NXDOMAIN or no records.
    pub async fn lookup_srv(&self, name: &str) -> Result<Vec<SrvRecord>, DnsError> {
        if self.servers.is_empty() {
            return Err(DnsError::NoServer);
        }
        let mut last = String::from("no server tried");
        for server in &self.servers {
            let mut id = [0u8; 2];
            getrandom::fill(&mut id).map_err(|e| DnsError::NoAnswer(format!("random source: {e}")))?;
            let id = u16::from_be_bytes(id);
            let query = encode_query(id, name)?;
            match tokio::time::timeout(self.timeout, ask(*server, &query, id)).await {
                Ok(Ok(answer)) => return parse_srv_answer(&answer, id),
                Ok(Err(e)) => last = format!("{server}: {e}"),
                Err(_) => last = format!("{server}: timeout"),
            }
        }
        Err(DnsError::NoAnswer(last))
    }
}

impl SrvResolver for DnsSrvResolver {
    fn resolve(&self, name: &str) -> BoxFuture<'_, Vec<(String, u16)>> {
        let name = name.to_owned();
        Box::pin(async move {
            match self.lookup_srv(&name).await {
                Ok(records) => records.into_iter().map(|r| (r.target, r.port)).collect(),
                Err(e) => {
                    tracing::info!(%name, error = %e, "SRV lookup failed");
                    Vec::new()
                }
            }
        })
    }
}

/// Sends `query` and waits for the datagram with our id (others are stray answers to
/// earlier queries, or spoofing attempts, and are skipped).
async fn ask(server: SocketAddr, query: &[u8], id: u16) -> std::io::Result<Vec<u8>> {
    let bind: SocketAddr = if server.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
    let socket = UdpSocket::bind(bind).await?;
    socket.connect(server).await?;
    socket.send(query).await?;
    let mut buf = vec![0u8; MAX_UDP];
    loop {
        let n = socket.recv(&mut buf).await?;
        if n >= 2 && u16::from_be_bytes([buf[0], buf[1]]) == id {
            buf.truncate(n);
            return Ok(buf);
        }
    }
}

/// `nameserver` addresses of a resolv.conf text.
fn nameservers(resolv_conf: &str) -> Vec<SocketAddr> {
    resolv_conf
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some("nameserver")).then(|| words.next()).flatten()
        })
        // A scoped IPv6 address (fe80::1%eth0) does not parse and is skipped.
        .filter_map(|a| a.parse::<std::net::IpAddr>().ok())
        .map(|ip| SocketAddr::new(ip, 53))
        .collect()
}

/// A recursive SRV query ([RFC 1035] 4.1.1 header with RD, 4.1.2 question).
pub fn encode_query(id: u16, name: &str) -> Result<Vec<u8>, DnsError> {
    let mut q = Vec::with_capacity(18 + name.len());
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&0x0100u16.to_be_bytes()); // RD
    q.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // QDCOUNT 1
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.is_empty() || trimmed.len() > 253 {
        return Err(DnsError::InvalidName(name.to_owned()));
    }
    for label in trimmed.split('.') {
        let len = u8::try_from(label.len()).ok().filter(|l| (1..=63).contains(l));
        let Some(len) = len else { return Err(DnsError::InvalidName(name.to_owned())) };
        q.push(len);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&TYPE_SRV.to_be_bytes());
    q.extend_from_slice(&CLASS_IN.to_be_bytes());
    Ok(q)
}

/// The SRV records of an answer to query `id`, ordered (priority ascending, weight
/// descending); records with the target "." ("service not available", [RFC 2782]) are
/// left out. NXDOMAIN is an empty list.
pub fn parse_srv_answer(msg: &[u8], id: u16) -> Result<Vec<SrvRecord>, DnsError> {
    let mut r = Reader { msg, pos: 0 };
    if r.u16()? != id {
        return Err(DnsError::Malformed("answer to another query"));
    }
    let flags = r.u16()?;
    if flags & 0x8000 == 0 {
        return Err(DnsError::Malformed("not a response"));
    }
    match (flags & 0x000F) as u8 {
        0 => {}
        3 => return Ok(Vec::new()), // NXDOMAIN
        rcode => return Err(DnsError::Rcode(rcode)),
    }
    let (qd, an) = (r.u16()?, r.u16()?);
    r.skip(4)?; // NSCOUNT, ARCOUNT
    for _ in 0..qd {
        r.name()?;
        r.skip(4)?;
    }
    let mut out = Vec::new();
    for _ in 0..an {
        // A truncated (TC) answer ends early: keep the complete records before it.
        let Ok(record) = r.record() else { break };
        if let Some(srv) = record
            && out.len() < MAX_RECORDS
        {
            out.push(srv);
        }
    }
    out.sort_by(|a: &SrvRecord, b| a.priority.cmp(&b.priority).then(b.weight.cmp(&a.weight)));
    Ok(out)
}

struct Reader<'a> {
    msg: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn bytes(&mut self, n: usize) -> Result<&[u8], DnsError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.msg.len()).ok_or(DnsError::Malformed("short"))?;
        let b = &self.msg[self.pos..end];
        self.pos = end;
        Ok(b)
    }

    fn skip(&mut self, n: usize) -> Result<(), DnsError> {
        self.bytes(n).map(|_| ())
    }

    fn u16(&mut self) -> Result<u16, DnsError> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A possibly compressed name ([RFC 1035] 4.1.4); the reader ends after its first
    /// pointer or terminating zero.
    fn name(&mut self) -> Result<String, DnsError> {
        let mut labels: Vec<String> = Vec::new();
        let mut at = self.pos;
        let mut resume = None;
        let mut pointers = 0;
        loop {
            let len = *self.msg.get(at).ok_or(DnsError::Malformed("name runs past the end"))?;
            match len & 0xC0 {
                0x00 if len == 0 => {
                    at += 1;
                    break;
                }
                0x00 => {
                    let start = at + 1;
                    let label = self
                        .msg
                        .get(start..start + usize::from(len))
                        .ok_or(DnsError::Malformed("label runs past the end"))?;
                    labels.push(String::from_utf8_lossy(label).into_owned());
                    at = start + usize::from(len);
                }
                0xC0 => {
                    let low = *self.msg.get(at + 1).ok_or(DnsError::Malformed("short pointer"))?;
                    pointers += 1;
                    if pointers > MAX_POINTERS {
                        return Err(DnsError::Malformed("compression loop"));
                    }
                    resume.get_or_insert(at + 2);
                    at = usize::from(u16::from_be_bytes([len & 0x3F, low]));
                }
                _ => return Err(DnsError::Malformed("reserved label type")),
            }
        }
        self.pos = resume.unwrap_or(at);
        Ok(labels.join("."))
    }

    /// One resource record; `Some` for an IN SRV record with a usable target.
    fn record(&mut self) -> Result<Option<SrvRecord>, DnsError> {
        self.name()?;
        let (rtype, class) = (self.u16()?, self.u16()?);
        self.skip(4)?; // TTL
        let rdlength = usize::from(self.u16()?);
        let end = self.pos + rdlength;
        if end > self.msg.len() {
            return Err(DnsError::Malformed("record data runs past the end"));
        }
        let srv = if rtype == TYPE_SRV && class == CLASS_IN && rdlength >= 7 {
            let (priority, weight, port) = (self.u16()?, self.u16()?, self.u16()?);
            let target = self.name()?;
            (!target.is_empty()).then_some(SrvRecord { priority, weight, port, target })
        } else {
            None
        };
        self.pos = end;
        Ok(srv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_conf_nameservers() {
        let text = "# comment\nsearch example.test\nnameserver 10.0.0.53\nnameserver ::1\nnameserver fe80::1%eth0\n";
        let want: Vec<SocketAddr> = vec!["10.0.0.53:53".parse().unwrap(), "[::1]:53".parse().unwrap()];
        assert_eq!(nameservers(text), want);
    }

    #[test]
    fn query_bytes() {
        let q = encode_query(0xBEEF, "_autodiscover._tcp.example.test").unwrap();
        let mut want = vec![0xBE, 0xEF, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        for l in ["_autodiscover", "_tcp", "example", "test"] {
            want.push(l.len() as u8);
            want.extend_from_slice(l.as_bytes());
        }
        want.extend_from_slice(&[0, 0, 33, 0, 1]);
        assert_eq!(q, want);
        assert!(matches!(encode_query(1, "a..b"), Err(DnsError::InvalidName(_))));
        assert!(matches!(encode_query(1, &"x".repeat(64)), Err(DnsError::InvalidName(_))));
    }

    #[test]
    fn compression_loops_and_short_answers_are_malformed_not_panics() {
        // Header (id 7, response, 0 questions, 1 answer) + a name pointing at itself.
        let mut m = vec![0, 7, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 0xC0, 12];
        m.extend_from_slice(&[0, 33, 0, 1, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 1, 0xBB, 0xC0, 12]);
        assert_eq!(parse_srv_answer(&m, 7).ok(), Some(Vec::new()), "the looping record is dropped");
        for cut in 0..12 {
            assert!(parse_srv_answer(&m[..cut], 7).is_err());
        }
        assert!(matches!(parse_srv_answer(&m, 8), Err(DnsError::Malformed(_))));
    }
}
