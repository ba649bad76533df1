//! `load`: a bounded load run against the real stack on loopback —
//! `exchange-sim serve` (seeded), a counting TCP proxy in front of it, and
//! `mapibridge serve` through the proxy. Clients: IMAP connections (most in
//! IDLE, the rest mixing FETCH / STORE / SEARCH / APPEND), DAV syncers
//! (sync-collection loops with an occasional PUT) and SMTP senders.
//!
//! Prints throughput, p50/p99 per command, gateway RSS (start, peak, end)
//! and backend round trips (MAPI/HTTP requests through the proxy) per
//! client operation; exits 1 if any operation failed.
//!
//! `load --imap 500 --idle 450 --dav 20 --smtp 5 --secs 120` (the defaults).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use e2e::clients::{self, Imap, Smtp};
use e2e::procs::{Gateway, PASSWORD, Sim};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Args {
    imap: usize,
    idle: usize,
    dav: usize,
    smtp: usize,
    secs: u64,
    users: usize,
}

fn args() -> Result<Args, String> {
    let mut a = Args { imap: 500, idle: 450, dav: 20, smtp: 5, secs: 120, users: 25 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let n: u64 = value.parse().map_err(|_| format!("{flag} {value}: not a number"))?;
        let n_usize = usize::try_from(n).map_err(|_| format!("{flag}: too large"))?;
        match flag.as_str() {
            "--imap" => a.imap = n_usize,
            "--idle" => a.idle = n_usize,
            "--dav" => a.dav = n_usize,
            "--smtp" => a.smtp = n_usize,
            "--secs" => a.secs = n,
            "--users" => a.users = n_usize.max(1),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if a.idle > a.imap {
        return Err("--idle cannot exceed --imap".into());
    }
    Ok(a)
}

/// Latencies and errors per command kind.
#[derive(Default)]
struct Stats {
    latencies: Mutex<BTreeMap<&'static str, Vec<Duration>>>,
    errors: Mutex<Vec<String>>,
}

impl Stats {
    fn record(&self, kind: &'static str, took: Duration) {
        self.latencies.lock().unwrap_or_else(|e| e.into_inner()).entry(kind).or_default().push(took);
    }

    fn error(&self, what: String) {
        let mut e = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        if e.len() < 50 {
            eprintln!("error: {what}");
        }
        e.push(what);
    }

    async fn time<T>(&self, kind: &'static str, f: impl Future<Output = Result<T, String>>) -> Option<T> {
        let start = Instant::now();
        match f.await {
            Ok(v) => {
                self.record(kind, start.elapsed());
                Some(v)
            }
            Err(e) => {
                self.error(format!("{kind}: {e}"));
                None
            }
        }
    }
}

fn user(i: usize, users: usize) -> String {
    format!("load{}@example.test", i % users)
}

/// A TCP proxy that counts MAPI/HTTP requests (`X-RequestType:` headers)
/// from the gateway to the simulator.
async fn counting_proxy(upstream: u16, requests: Arc<AtomicU64>) -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let requests = requests.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else { return };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    let mut tail: Vec<u8> = Vec::new();
                    loop {
                        let n = match cr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        // Headers may straddle reads: scan the previous tail too.
                        tail.extend_from_slice(&buf[..n]);
                        let lower = tail.to_ascii_lowercase();
                        let needle = b"x-requesttype:";
                        let hits = lower.windows(needle.len()).filter(|w| *w == needle).count();
                        requests.fetch_add(hits as u64, Ordering::Relaxed);
                        let keep = tail.len().min(needle.len() - 1);
                        tail = tail[tail.len() - keep..].to_vec();
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = sw.shutdown().await;
                };
                let down = async move {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                    let _ = cw.shutdown().await;
                };
                tokio::join!(up, down);
            });
        }
    });
    Ok(port)
}

async fn idler(addr: SocketAddr, who: String, stop: Arc<AtomicBool>, stats: Arc<Stats>, pushes: Arc<AtomicU64>) {
    let Some(mut c) = stats.time("LOGIN", Imap::login(addr, &who, PASSWORD)).await else { return };
    if stats.time("SELECT", c.cmd("SELECT INBOX")).await.is_none() {
        return;
    }
    if let Err(e) = c.send(b"I IDLE\r\n").await {
        return stats.error(format!("IDLE: {e}"));
    }
    match c.line().await {
        Ok(l) if l.starts_with('+') => {}
        other => return stats.error(format!("IDLE: {other:?}")),
    }
    while !stop.load(Ordering::Relaxed) {
        match tokio::time::timeout(Duration::from_millis(500), c.line()).await {
            Err(_) => {}
            Ok(Ok(l)) if l.contains(" EXISTS") => {
                pushes.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Ok(l)) if l.is_empty() => return stats.error(format!("IDLE {who}: connection closed")),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return stats.error(format!("IDLE {who}: {e}")),
        }
    }
    let done = async {
        c.send(b"DONE\r\n").await?;
        c.until("I").await
    };
    match stats.time("IDLE DONE", done).await {
        Some(r) if !r.ok() => stats.error(format!("DONE: {}", r.status)),
        _ => {}
    }
}

async fn mixer(addr: SocketAddr, who: String, n: usize, stop: Arc<AtomicBool>, stats: Arc<Stats>) {
    let Some(mut c) = stats.time("LOGIN", Imap::login(addr, &who, PASSWORD)).await else { return };
    if stats.time("SELECT", c.cmd("SELECT INBOX")).await.is_none() {
        return;
    }
    let mut round = 0usize;
    let mut last_uid: Option<u32> = None;
    while !stop.load(Ordering::Relaxed) {
        let start = Instant::now();
        let (kind, result) = match round % 4 {
            0 => ("FETCH", c.cmd("UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)").await),
            1 => {
                let target = last_uid.map_or("1:*".to_owned(), |u| u.to_string());
                ("STORE", c.cmd(&format!("UID STORE {target} +FLAGS.SILENT (\\Seen)")).await)
            }
            2 => ("SEARCH", c.cmd("UID SEARCH UNSEEN").await),
            _ => {
                let id = format!("load-{n}-{round}@load.test");
                let r = c.append("INBOX", "", &clients::message(&id, &who, &who, 2_000)).await;
                if let Ok(r) = &r {
                    last_uid = clients::append_uid(&r.status).or(last_uid);
                }
                ("APPEND", r)
            }
        };
        round += 1;
        match result {
            Ok(r) if r.ok() => stats.record(kind, start.elapsed()),
            Ok(r) => stats.error(format!("{kind} {who}: {}", r.status)),
            Err(e) => return stats.error(format!("{kind} {who}: {e}")),
        }
    }
}

async fn dav_syncer(addr: SocketAddr, who: String, n: usize, stop: Arc<AtomicBool>, stats: Arc<Stats>) {
    let Some(calendar) = stats.time("PROPFIND", clients::calendar_href(addr, &who, PASSWORD, "Calendar")).await else {
        return;
    };
    let mut token = String::new();
    let mut round = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let body = format!(
            r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#
        );
        let sync = clients::http(
            addr,
            "REPORT",
            &calendar,
            Some((&who, PASSWORD)),
            &[("Content-Type", "application/xml")],
            body.as_bytes(),
        );
        match stats.time("DAV sync", sync).await {
            Some(a) if a.status == 207 => {
                if let Some(t) = a.body.split("<d:sync-token>").nth(1).and_then(|s| s.split("</d:sync-token>").next()) {
                    token = t.to_owned();
                }
            }
            Some(a) => stats.error(format!("sync {who}: {} {}", a.status, a.body)),
            None => {}
        }
        if round % 5 == 4 {
            let uid = format!("load-{n}-{round}");
            let event = format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//load//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n\
                 DTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\nSUMMARY:load {round}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            );
            let href = format!("{calendar}{uid}.ics");
            let put = clients::http(
                addr,
                "PUT",
                &href,
                Some((&who, PASSWORD)),
                &[("Content-Type", "text/calendar"), ("If-None-Match", "*")],
                event.as_bytes(),
            );
            match stats.time("DAV PUT", put).await {
                Some(a) if a.status == 201 || a.status == 204 => {}
                Some(a) => stats.error(format!("PUT {who}: {} {}", a.status, a.body)),
                None => {}
            }
        }
        round += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn sender(addr: SocketAddr, who: String, to: String, n: usize, stop: Arc<AtomicBool>, stats: Arc<Stats>) {
    let Some(mut s) = stats.time("SMTP AUTH", Smtp::login(addr, &who, PASSWORD)).await else { return };
    let mut round = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let id = format!("smtp-{n}-{round}@load.test");
        let mail = clients::message(&id, &who, &to, 4_000);
        let start = Instant::now();
        match s.send(&who, &[to.as_str()], &mail).await {
            Ok((250, _)) => stats.record("SMTP send", start.elapsed()),
            Ok((code, text)) => stats.error(format!("send {who}: {code} {text}")),
            // The gateway's per-user submission rate limit: the answer a
            // client queue retries later, counted apart from failures.
            Err(e) if e.contains("451") && e.contains("Too many messages") => {
                stats.record("SMTP throttled", Duration::ZERO);
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            Err(e) => return stats.error(format!("SMTP send {who}: {e}")),
        }
        round += 1;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

async fn run(a: Args) -> Result<bool, String> {
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let users: Vec<String> = (0..a.users).map(|i| format!("load{i}")).collect();
    let t = Instant::now();
    Sim::seed(data.path(), &users.join(","), 20)?;
    eprintln!("seeded {} users in {:?}", a.users, t.elapsed());
    let sim = Sim::start(data.path(), &[])?;
    let requests = Arc::new(AtomicU64::new(0));
    let proxy = counting_proxy(sim.port, requests.clone()).await?;
    let gw = Gateway::start(&format!("http://127.0.0.1:{proxy}"), "loopback", "max_connections = 20000")?;
    let rss_start = gw.rss_kib().unwrap_or(0);

    let stop = Arc::new(AtomicBool::new(false));
    let stats = Arc::new(Stats::default());
    let pushes = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    let connect_start = Instant::now();
    for i in 0..a.imap {
        let who = user(i, a.users);
        let (stop, stats) = (stop.clone(), stats.clone());
        if i < a.idle {
            tasks.spawn(idler(gw.imap, who, stop, stats, pushes.clone()));
        } else {
            tasks.spawn(mixer(gw.imap, who, i, stop, stats));
        }
        if i % 50 == 49 {
            // Spread the logins so the run measures steady state, not a storm.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    for i in 0..a.dav {
        tasks.spawn(dav_syncer(gw.http, user(i, a.users), i, stop.clone(), stats.clone()));
    }
    for i in 0..a.smtp {
        tasks.spawn(sender(gw.smtp, user(i, a.users), user(i + 1, a.users), i, stop.clone(), stats.clone()));
    }
    eprintln!("{} clients started in {:?}", a.imap + a.dav + a.smtp, connect_start.elapsed());
    let requests_at_start = requests.load(Ordering::Relaxed);
    let measure = Instant::now();
    let mut rss_peak = rss_start;
    while measure.elapsed() < Duration::from_secs(a.secs) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss_peak = rss_peak.max(gw.rss_kib().unwrap_or(0));
    }
    stop.store(true, Ordering::Relaxed);
    let elapsed = measure.elapsed();
    let backend = requests.load(Ordering::Relaxed) - requests_at_start;
    while tasks.join_next().await.is_some() {}
    let rss_end = gw.rss_kib().unwrap_or(0);

    let latencies = stats.latencies.lock().unwrap_or_else(|e| e.into_inner());
    let errors = stats.errors.lock().unwrap_or_else(|e| e.into_inner());
    let steady: Vec<&str> = vec!["FETCH", "STORE", "SEARCH", "APPEND", "DAV sync", "DAV PUT", "SMTP send"];
    let ops: usize = steady.iter().map(|k| latencies.get(k).map_or(0, Vec::len)).sum();
    println!(
        "load: {} IMAP connections ({} IDLE, {} mixing), {} DAV syncers, {} SMTP senders, {} users, {:.1} s",
        a.imap,
        a.idle,
        a.imap - a.idle,
        a.dav,
        a.smtp,
        a.users,
        elapsed.as_secs_f64()
    );
    println!("{:<12} {:>8} {:>10} {:>10} {:>10}", "command", "count", "per s", "p50 ms", "p99 ms");
    for (kind, v) in latencies.iter() {
        let mut v = v.clone();
        v.sort_unstable();
        println!(
            "{kind:<12} {:>8} {:>10.1} {:>10.1} {:>10.1}",
            v.len(),
            v.len() as f64 / elapsed.as_secs_f64(),
            percentile(&v, 0.5).as_secs_f64() * 1e3,
            percentile(&v, 0.99).as_secs_f64() * 1e3
        );
    }
    println!("throughput: {:.1} client operations/s ({ops} in the window)", ops as f64 / elapsed.as_secs_f64());
    println!("IDLE pushes (EXISTS) received: {}", pushes.load(Ordering::Relaxed));
    println!(
        "backend: {backend} MAPI/HTTP requests in the window, {:.2} per client operation",
        backend as f64 / ops.max(1) as f64
    );
    println!("gateway RSS: start {} MiB, peak {} MiB, end {} MiB", rss_start / 1024, rss_peak / 1024, rss_end / 1024);
    println!("errors: {}", errors.len());
    drop(sim);
    Ok(errors.is_empty())
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("load: runtime: {e}");
            std::process::exit(2);
        }
    };
    match rt.block_on(run(a)) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(2);
        }
    }
}
