//! The signals that stop the gateway (SIGINT from Ctrl-C, SIGTERM from
//! systemd/Kubernetes) and the one that reloads certificates (SIGHUP).

/// Waits for SIGINT or SIGTERM and names it.
pub async fn terminate() -> std::io::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        tokio::select! {
            _ = term.recv() => Ok("SIGTERM"),
            _ = int.recv() => Ok("SIGINT"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await?;
        Ok("Ctrl-C")
    }
}

/// A stream of SIGHUPs (`None` where the platform has none).
#[cfg(unix)]
pub fn hangups() -> std::io::Result<Option<tokio::signal::unix::Signal>> {
    use tokio::signal::unix::{SignalKind, signal};
    signal(SignalKind::hangup()).map(Some)
}
