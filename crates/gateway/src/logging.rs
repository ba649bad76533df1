//! Logging set-up: `tracing` lines on stderr, human text or JSON. Secrets
//! never reach a log line because the types that hold them (passwords,
//! tokens, cookies) print as `<redacted>`; nothing here formats them.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. `RUST_LOG`, when set, overrides `level`.
/// A second call (tests) leaves the first in place.
pub fn init(format: LogFormat, level: &str) -> Result<(), String> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.is_empty() => EnvFilter::try_new(&v).map_err(|e| format!("RUST_LOG={v:?}: {e}"))?,
        _ => EnvFilter::try_new(level).map_err(|e| format!("log level {level:?}: {e}"))?,
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    Ok(())
}
