//! `mapibridge prefetch`: warms the running gateway's rendered-MIME cache
//! for one user, so the first FETCH BODY[] of a large mailbox does not wait
//! for every message to be opened and rendered.
//!
//! The cache lives in the `serve` process, so the command asks it to do the
//! work: `POST /admin/prefetch` on the metrics listener (else the http one),
//! answered to loopback peers only, with the user's password (the same one
//! a mail client would use), then `GET /admin/prefetch/<job>` until done,
//! drawing a progress bar (hidden when stdout is not a terminal).

use std::collections::HashMap;
use std::io::{IsTerminal as _, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use mailbox::{AccountProvider, FetchFields, FolderKind, UidSet};

/// Messages fetched per call (one Execute batch of opens and renders).
const CHUNK: usize = 16;

/// `mapibridge prefetch` options.
#[derive(clap::Args, Clone, Debug)]
pub struct PrefetchArgs {
    /// The configuration of the running gateway.
    #[arg(long)]
    pub config: PathBuf,
    /// The user whose mail is prefetched.
    #[arg(long)]
    pub user: String,
    /// Only this folder (path as IMAP shows it, e.g. INBOX or Archive/2024);
    /// default: every mail folder.
    #[arg(long)]
    pub folder: Option<String>,
    /// Environment variable holding the user's password (asked for on the
    /// terminal when unset).
    #[arg(long, default_value = "MAPIBRIDGE_PASSWORD")]
    pub password_env: String,
}

/// Progress of one prefetch job.
#[derive(Debug, Default)]
struct Job {
    total: AtomicU64,
    done: AtomicU64,
    finished: AtomicBool,
    error: Mutex<Option<String>>,
}

/// The jobs of a running gateway.
pub struct Prefetcher {
    provider: Arc<dyn AccountProvider>,
    jobs: Mutex<HashMap<u64, Arc<Job>>>,
    next: AtomicU64,
}

impl std::fmt::Debug for Prefetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prefetcher").finish_non_exhaustive()
    }
}

impl Prefetcher {
    /// Over the provider the front ends use (so the cache is theirs).
    pub fn new(provider: Arc<dyn AccountProvider>) -> Self {
        Self { provider, jobs: Mutex::new(HashMap::new()), next: AtomicU64::new(1) }
    }

    /// Starts a job; its number.
    pub fn start(&self, user: String, password: String, folder: Option<String>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let job = Arc::new(Job::default());
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner).insert(id, job.clone());
        let provider = self.provider.clone();
        tokio::spawn(async move {
            let outcome = run_job(provider.as_ref(), &user, &password, folder.as_deref(), &job).await;
            if let Err(e) = outcome {
                tracing::warn!(user, error = %e, "prefetch failed");
                *job.error.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
            } else {
                tracing::info!(user, messages = job.done.load(Ordering::Relaxed), "prefetch done");
            }
            job.finished.store(true, Ordering::Release);
        });
        id
    }

    /// The job's progress as JSON, if it exists.
    pub fn status(&self, id: u64) -> Option<String> {
        let job = self.jobs.lock().unwrap_or_else(PoisonError::into_inner).get(&id).cloned()?;
        let error = job.error.lock().unwrap_or_else(PoisonError::into_inner).clone();
        Some(
            serde_json::json!({
                "total": job.total.load(Ordering::Relaxed),
                "done": job.done.load(Ordering::Relaxed),
                "finished": job.finished.load(Ordering::Acquire),
                "error": error,
            })
            .to_string(),
        )
    }
}

async fn run_job(
    provider: &dyn AccountProvider,
    user: &str,
    password: &str,
    only: Option<&str>,
    job: &Job,
) -> Result<(), String> {
    let account = provider.login(user, password).await.map_err(|e| format!("login: {e}"))?;
    let folders = account.list_folders().await.map_err(|e| format!("listing folders: {e}"))?;
    let wanted: Vec<_> = folders
        .into_iter()
        .filter(|f| f.kind == FolderKind::Mail)
        // The user's own mailbox: delegated mailboxes and public folders
        // name their folders with the same paths (their own "Inbox").
        .filter(|f| f.store == mailbox::StoreKind::Own)
        .filter(|f| only.is_none_or(|p| same_path(&f.path, p) || (p.eq_ignore_ascii_case("INBOX") && is_inbox(f))))
        .collect();
    if wanted.is_empty() {
        return Err(format!("no mail folder {:?}", only.unwrap_or("")));
    }
    let mut work = Vec::new();
    for info in wanted {
        let folder = account.folder(&info.id).await.map_err(|e| format!("{}: {e}", info.path))?;
        folder.select().await.map_err(|e| format!("{}: {e}", info.path))?;
        let uids = folder.uids().await.map_err(|e| format!("{}: {e}", info.path))?;
        job.total.fetch_add(uids.len() as u64, Ordering::Relaxed);
        work.push((info.path, folder, uids));
    }
    let fields = FetchFields { mime: true, ..FetchFields::default() };
    for (path, folder, uids) in work {
        for chunk in uids.chunks(CHUNK) {
            let set: UidSet = chunk.iter().copied().collect();
            let fetched = folder.fetch(&set, fields).await.map_err(|e| format!("{path}: {e}"))?;
            job.done.fetch_add(fetched.len().max(chunk.len()) as u64, Ordering::Relaxed);
        }
    }
    Ok(())
}

fn same_path(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The user's own Inbox (delegated mailboxes have Inboxes too; they are
/// prefetched only when named by their full path).
fn is_inbox(f: &mailbox::FolderInfo) -> bool {
    f.store == mailbox::StoreKind::Own
        && (f.role == Some(mailbox::SpecialUse::Inbox) || f.path.eq_ignore_ascii_case("inbox"))
}

/// The address the command reaches the gateway's admin routes on.
fn admin_address(config: &crate::config::Config) -> anyhow::Result<SocketAddr> {
    let addr = config
        .listeners
        .metrics
        .or(config.listeners.http)
        .context("prefetch talks to the running gateway on its metrics or http listener; neither is configured")?;
    // The admin routes answer loopback peers only.
    let ip = if addr.ip().is_unspecified() || addr.ip().is_loopback() {
        if addr.is_ipv4() { std::net::Ipv4Addr::LOCALHOST.into() } else { std::net::Ipv6Addr::LOCALHOST.into() }
    } else {
        addr.ip()
    };
    Ok(SocketAddr::new(ip, addr.port()))
}

/// Runs `mapibridge prefetch`.
pub async fn run(args: PrefetchArgs, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let config = crate::config::Config::load(&args.config)?;
    let addr = admin_address(&config)?;
    let password = match std::env::var(&args.password_env) {
        Ok(p) if !p.is_empty() => p,
        _ => rpassword::prompt_password(format!("Password of {}: ", args.user))?,
    };
    let base = format!("http://{addr}/admin/prefetch");
    let mut form = vec![("user", args.user.as_str()), ("password", password.as_str())];
    if let Some(f) = &args.folder {
        form.push(("folder", f.as_str()));
    }
    let started = Instant::now();
    let answer = crate::oauth::http::post_form(&base, &form, Duration::from_secs(30))
        .await
        .with_context(|| format!("is `mapibridge serve` running with this configuration ({addr})?"))?;
    anyhow::ensure!(answer.status == 202, "the gateway refused: {}", String::from_utf8_lossy(&answer.body).trim());
    let job: serde_json::Value = serde_json::from_slice(&answer.body)?;
    let id = job.get("job").and_then(serde_json::Value::as_u64).context("no job number in the answer")?;

    let bar = indicatif::ProgressBar::new(0);
    if !std::io::stdout().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} messages, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let status = loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let answer = crate::oauth::http::get(&format!("{base}/{id}"), Duration::from_secs(30)).await?;
        let s: serde_json::Value = serde_json::from_slice(&answer.body)?;
        bar.set_length(s.get("total").and_then(serde_json::Value::as_u64).unwrap_or(0));
        bar.set_position(s.get("done").and_then(serde_json::Value::as_u64).unwrap_or(0));
        if s.get("finished").and_then(serde_json::Value::as_bool).unwrap_or(false) {
            break s;
        }
    };
    bar.finish_and_clear();
    if let Some(e) = status.get("error").and_then(serde_json::Value::as_str) {
        anyhow::bail!("prefetch of {} failed: {e}", args.user);
    }
    let done = status.get("done").and_then(serde_json::Value::as_u64).unwrap_or(0);
    writeln!(
        out,
        "prefetched {done} messages of {}{} in {:.1} s",
        args.user,
        args.folder.as_deref().map(|f| format!(" ({f})")).unwrap_or_default(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(())
}
