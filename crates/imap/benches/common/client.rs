//! The client side the IMAP benchmarks share (`crates/imap/benches` over
//! the in-memory provider, `tests/benches/imap_exchange.rs` over
//! exchange-sim): reading a command's responses, opening idle connections,
//! and the process's resident memory. Included with `#[path]`.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

/// The header FETCH of Thunderbird's first sync of a folder.
pub(crate) const FETCH: &str = "UID FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID References In-Reply-To Content-Type)])";

/// This process's resident memory (VmRSS), KiB.
pub(crate) fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The median (the upper one of an even count).
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Five samples of the RSS growth over `base`, per connection, 100 ms
/// apart; their median in KiB.
pub(crate) async fn rss_per_connection(base: u64, connections: usize) -> f64 {
    let mut samples = Vec::new();
    for _ in 0..5 {
        samples.push(rss_kib().saturating_sub(base) as f64 / connections as f64);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    median(samples)
}

/// Reads responses until the line starting with `tag`, which must be OK;
/// returns the number of untagged FETCH responses and the bytes read.
pub(crate) async fn read_until_tag(io: &mut BufReader<tokio::net::TcpStream>, tag: &[u8]) -> (usize, usize) {
    let mut fetches = 0;
    let mut bytes = 0;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = io.read_until(b'\n', &mut line).await.unwrap();
        assert!(n > 0, "connection closed");
        bytes += n;
        if line.starts_with(tag) {
            assert!(line.windows(4).any(|w| w == b" OK "), "{}", String::from_utf8_lossy(&line));
            return (fetches, bytes);
        }
        if line.starts_with(b"* ") && line.windows(7).any(|w| w == b" FETCH ") {
            fetches += 1;
        }
        // Skip a literal at the end of the line.
        if line.ends_with(b"}\r\n")
            && let Some(open) = line.iter().rposition(|&b| b == b'{')
        {
            let len: usize = std::str::from_utf8(&line[open + 1..line.len() - 3]).unwrap().parse().unwrap();
            let mut buf = vec![0; len];
            io.read_exact(&mut buf).await.unwrap();
            bytes += len;
        }
    }
}

/// Opens `n` connections that log in as `user`/`password`, select INBOX
/// and IDLE, from `threads` blocking threads at once.
pub(crate) async fn open_idle(
    addr: SocketAddr,
    n: usize,
    user: &'static str,
    password: &'static str,
    threads: usize,
) -> Vec<std::net::TcpStream> {
    let mut tasks = Vec::new();
    for t in 0..threads {
        let share = n / threads + usize::from(t < n % threads);
        tasks.push(tokio::task::spawn_blocking(move || {
            let mut v = Vec::with_capacity(share);
            for _ in 0..share {
                let mut s = std::net::TcpStream::connect(addr).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                s.write_all(format!("a LOGIN {user} {password}\r\nb SELECT INBOX\r\nc IDLE\r\n").as_bytes()).unwrap();
                let mut got = Vec::new();
                let mut buf = [0u8; 4096];
                while !got.windows(9).any(|w| w == b"+ idling\r") {
                    let k = s.read(&mut buf).unwrap();
                    assert!(k > 0, "connection closed: {}", String::from_utf8_lossy(&got));
                    got.extend_from_slice(&buf[..k]);
                }
                v.push(s);
            }
            v
        }));
    }
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}
