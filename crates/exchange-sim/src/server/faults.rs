//! Fault injection (issue 3): added latency, busy answers to a fraction of
//! Execute calls, forced session expiry, connections dropped in the middle
//! of a response. Configured at start ([`crate::config::SimConfig::faults`]),
//! at run time through [`Faults`] (from [`super::RunningSim::faults`]) or
//! `POST /admin/faults` (JSON, loopback peers only).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How a busy Execute is answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusyMode {
    /// HTTP 503 with `Retry-After`, before any MAPI processing (Exchange
    /// under load; [MS-OXCMAPIHTTP] 2.2.2.2 leaves 5xx to exceptional
    /// faults).
    #[default]
    Http503,
    /// HTTP 200, X-ResponseCode 0, and the executor's
    /// [`crate::session::MailboxBackend::server_busy`] answer (by default
    /// ErrorCode ecServerBusy for the whole call).
    EcServerBusy,
}

/// The fault settings (the JSON of `/admin/faults`; absent fields keep
/// their defaults).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Delay added before every MAPI request is processed (milliseconds).
    pub latency_ms: u64,
    /// Fraction (0.0–1.0) of Execute requests answered busy.
    pub busy_fraction: f64,
    /// How busy Executes are answered.
    pub busy_mode: BusyMode,
    /// `Retry-After` seconds of a 503.
    pub retry_after_secs: u32,
    /// Number of upcoming MAPI responses whose connection is dropped after
    /// the response headers and the first body chunk (counts down).
    pub drop_responses: u32,
    /// One-shot: drop every session context now (the field is not kept).
    pub expire_sessions: bool,
}

/// Shared, mutable fault settings; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    inner: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    config: FaultConfig,
    /// Accumulates `busy_fraction` per Execute (deterministic spreading: a
    /// fraction f answers exactly ⌊n·f⌋ of n calls busy).
    busy_accumulator: f64,
}

impl Faults {
    /// Faults with the given settings (`expire_sessions` is ignored here;
    /// [`super::RunningSim::set_faults`] acts on it).
    pub fn new(config: FaultConfig) -> Self {
        let f = Self::default();
        f.set(config);
        f
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Replaces the settings; returns whether a session expiry was asked.
    pub fn set(&self, mut config: FaultConfig) -> bool {
        let expire = std::mem::take(&mut config.expire_sessions);
        config.busy_fraction =
            if config.busy_fraction.is_finite() { config.busy_fraction.clamp(0.0, 1.0) } else { 0.0 };
        let mut s = self.lock();
        s.config = config;
        s.busy_accumulator = 0.0;
        expire
    }

    /// The current settings.
    pub fn get(&self) -> FaultConfig {
        self.lock().config.clone()
    }

    /// The added latency.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.lock().config.latency_ms)
    }

    /// Decides whether this Execute is answered busy, and how.
    pub fn take_busy(&self) -> Option<(BusyMode, u32)> {
        let mut s = self.lock();
        if s.config.busy_fraction <= 0.0 {
            return None;
        }
        s.busy_accumulator += s.config.busy_fraction;
        if s.busy_accumulator >= 1.0 - 1e-9 {
            s.busy_accumulator -= 1.0;
            Some((s.config.busy_mode, s.config.retry_after_secs))
        } else {
            None
        }
    }

    /// Decides whether this response's connection is dropped midway.
    pub fn take_drop(&self) -> bool {
        let mut s = self.lock();
        if s.config.drop_responses > 0 {
            s.config.drop_responses -= 1;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_fraction_spreads_exactly() {
        let f = Faults::new(FaultConfig { busy_fraction: 0.25, ..FaultConfig::default() });
        let n = (0..100).filter(|_| f.take_busy().is_some()).count();
        assert_eq!(n, 25);
        f.set(FaultConfig { busy_fraction: 1.0, ..FaultConfig::default() });
        assert!((0..10).all(|_| f.take_busy().is_some()));
    }

    #[test]
    fn json_accepts_partial_settings_and_refuses_unknown_fields() {
        let c: FaultConfig = serde_json::from_str(r#"{"latency_ms": 5, "busy_mode": "ec_server_busy"}"#).expect("json");
        assert_eq!(c.latency_ms, 5);
        assert_eq!(c.busy_mode, BusyMode::EcServerBusy);
        assert!(serde_json::from_str::<FaultConfig>(r#"{"latency": 5}"#).is_err());
    }
}
