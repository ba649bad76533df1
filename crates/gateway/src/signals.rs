//! The signals that stop the gateway (SIGINT from Ctrl-C, SIGTERM from
//! systemd/Kubernetes) and the one that reloads certificates (SIGHUP).
//!
//! Handlers are installed by [`Terminate::install`] before the gateway says
//! it is ready: a signal that arrives between "ready" and the first wait
//! must stop it cleanly, not kill it with the default action.

/// Installed SIGINT/SIGTERM handlers.
pub struct Terminate {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Terminate {
    /// Installs the handlers now.
    pub fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self { term: signal(SignalKind::terminate())?, int: signal(SignalKind::interrupt())? })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    /// Waits for SIGINT or SIGTERM and names it.
    pub async fn wait(&mut self) -> std::io::Result<&'static str> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => Ok("SIGTERM"),
                _ = self.int.recv() => Ok("SIGINT"),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await?;
            Ok("Ctrl-C")
        }
    }
}

/// A stream of SIGHUPs.
#[cfg(unix)]
pub fn hangups() -> std::io::Result<tokio::signal::unix::Signal> {
    use tokio::signal::unix::{SignalKind, signal};
    signal(SignalKind::hangup())
}
