//! Prometheus metrics in the text exposition format (version 0.0.4), written
//! by hand: a handful of counters and gauges do not need a metrics framework.
//!
//! The gateway's own figures live here; the front ends and the mailbox
//! backend add theirs through [`MetricSource`] (their counter snapshots).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Something that appends its own metric families to the exposition.
pub trait MetricSource: Send + Sync {
    /// Appends `# HELP`/`# TYPE` lines and samples.
    fn render(&self, out: &mut String);
}

/// The registry behind `/metrics`.
#[derive(Default)]
pub struct Metrics {
    started: Option<Instant>,
    http_requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    listeners: Mutex<Vec<ListenerMetric>>,
    sources: Mutex<Vec<Arc<dyn MetricSource>>>,
    not_ready_answers: AtomicU64,
}

struct ListenerMetric {
    name: String,
    protocol: &'static str,
    up: bool,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// An empty registry; uptime counts from now.
    pub fn new() -> Arc<Self> {
        Arc::new(Self { started: Some(Instant::now()), ..Self::default() })
    }

    /// Counts one HTTP request by route and status.
    pub fn http_request(&self, route: &'static str, status: u16) {
        *self.http_requests.lock().unwrap_or_else(PoisonError::into_inner).entry((route, status)).or_default() += 1;
    }

    /// Records a listener and whether it serves (1) or is missing from the build (0).
    pub fn listener(&self, name: &str, protocol: &'static str, up: bool) {
        let mut l = self.listeners.lock().unwrap_or_else(PoisonError::into_inner);
        l.retain(|m| m.name != name);
        l.push(ListenerMetric { name: name.to_owned(), protocol, up });
    }

    /// Adds a source of further metric families.
    pub fn add_source(&self, source: Arc<dyn MetricSource>) {
        self.sources.lock().unwrap_or_else(PoisonError::into_inner).push(source);
    }

    /// Counts one `/ready` probe answered "not ready".
    pub fn not_ready(&self) {
        self.not_ready_answers.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        family(&mut out, "mapibridge_build_info", "gauge", "Version of the running gateway.");
        let _ = writeln!(out, "mapibridge_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
        family(&mut out, "mapibridge_uptime_seconds", "gauge", "Seconds since the gateway started.");
        let up = self.started.map_or(0.0, |s| s.elapsed().as_secs_f64());
        let _ = writeln!(out, "mapibridge_uptime_seconds {up:.3}");
        family(
            &mut out,
            "mapibridge_listener_up",
            "gauge",
            "1 when the listener serves, 0 when its protocol is missing from this build.",
        );
        for l in self.listeners.lock().unwrap_or_else(PoisonError::into_inner).iter() {
            let _ = writeln!(
                out,
                "mapibridge_listener_up{{listener=\"{}\",protocol=\"{}\"}} {}",
                escape(&l.name),
                l.protocol,
                u8::from(l.up)
            );
        }
        family(&mut out, "mapibridge_http_requests_total", "counter", "HTTP requests served by route and status.");
        for ((route, status), n) in self.http_requests.lock().unwrap_or_else(PoisonError::into_inner).iter() {
            let _ = writeln!(out, "mapibridge_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
        }
        family(&mut out, "mapibridge_not_ready_total", "counter", "Readiness probes answered 503.");
        let _ = writeln!(out, "mapibridge_not_ready_total {}", self.not_ready_answers.load(Ordering::Relaxed));
        if let Some(rss) = resident_memory_bytes() {
            family(&mut out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
            let _ = writeln!(out, "process_resident_memory_bytes {rss}");
        }
        for s in self.sources.lock().unwrap_or_else(PoisonError::into_inner).iter() {
            s.render(&mut out);
        }
        out
    }
}

/// Writes the `# HELP` and `# TYPE` lines of a family.
pub fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value with `\`, `"` and newlines escaped.
pub fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// This process's resident set size (Linux `/proc/self/status` `VmRSS`).
pub fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.trim_start_matches("VmRSS:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_is_well_formed() {
        let m = Metrics::new();
        m.listener("imap", "imap", false);
        m.listener("imap", "imap", true);
        m.http_request("health", 200);
        m.http_request("health", 200);
        let text = m.render();
        assert!(text.contains("mapibridge_listener_up{listener=\"imap\",protocol=\"imap\"} 1\n"), "{text}");
        assert_eq!(text.matches("mapibridge_listener_up{").count(), 1, "a listener is listed once");
        assert!(text.contains("mapibridge_http_requests_total{route=\"health\",status=\"200\"} 2\n"), "{text}");
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit_once(' ').map(|(_, v)| v).unwrap();
            assert!(value.parse::<f64>().is_ok(), "sample without a number: {line}");
        }
        #[cfg(target_os = "linux")]
        assert!(resident_memory_bytes().unwrap() > 0);
    }
}
