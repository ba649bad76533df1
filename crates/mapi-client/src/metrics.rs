//! Process-wide counters of MAPI over HTTP round trips, for the gateway's
//! Prometheus exposition: plain atomics, no metrics framework, read with
//! [`round_trips`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram's buckets; a last,
/// implicit bucket holds everything slower.
pub const LATENCY_BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

static REQUESTS: AtomicU64 = AtomicU64::new(0);
static FAILURES: AtomicU64 = AtomicU64::new(0);
static LATENCY_MICROS: AtomicU64 = AtomicU64::new(0);
static BUCKETS: [AtomicU64; LATENCY_BUCKETS.len() + 1] = [const { AtomicU64::new(0) }; LATENCY_BUCKETS.len() + 1];

/// A snapshot of the counters since the process started.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoundTrips {
    /// Requests sent to Exchange (each one whole: retries of a busy server
    /// and 401 re-authentications are inside one round trip).
    pub requests: u64,
    /// Requests that ended in an error (transport, HTTP or MAPI/HTTP status).
    pub failures: u64,
    /// Total time spent in them.
    pub latency_sum: Duration,
    /// Non-cumulative counts per [`LATENCY_BUCKETS`] bound, plus the
    /// overflow bucket last.
    pub buckets: Vec<u64>,
}

/// The counters now.
pub fn round_trips() -> RoundTrips {
    RoundTrips {
        requests: REQUESTS.load(Ordering::Relaxed),
        failures: FAILURES.load(Ordering::Relaxed),
        latency_sum: Duration::from_micros(LATENCY_MICROS.load(Ordering::Relaxed)),
        buckets: BUCKETS.iter().map(|b| b.load(Ordering::Relaxed)).collect(),
    }
}

/// Counts one finished round trip.
pub(crate) fn record(elapsed: Duration, failed: bool) {
    REQUESTS.fetch_add(1, Ordering::Relaxed);
    if failed {
        FAILURES.fetch_add(1, Ordering::Relaxed);
    }
    LATENCY_MICROS.fetch_add(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX), Ordering::Relaxed);
    let secs = elapsed.as_secs_f64();
    let slot = LATENCY_BUCKETS.iter().position(|b| secs <= *b).unwrap_or(LATENCY_BUCKETS.len());
    if let Some(b) = BUCKETS.get(slot) {
        b.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_trip_lands_in_its_bucket() {
        let before = round_trips();
        record(Duration::from_millis(30), false);
        record(Duration::from_secs(20), true);
        let after = round_trips();
        assert!(after.requests >= before.requests + 2);
        assert!(after.failures > before.failures);
        // 30 ms is in the 0.05 s bucket (index 3), 20 s in the overflow one.
        assert!(after.buckets[3] > before.buckets[3]);
        assert!(after.buckets[LATENCY_BUCKETS.len()] > before.buckets[LATENCY_BUCKETS.len()]);
    }
}
