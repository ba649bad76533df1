//! CalDAV scheduling end to end with Debian's python3-caldav against the
//! DAV front end over ExchangeProvider and an in-process exchange-sim:
//! an invitation from alice reaches bob's schedule inbox and calendar,
//! bob's acceptance reaches alice, free/busy of bob shows the meeting,
//! MKCALENDAR creates a calendar that then lists.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use exchange_sim::config::SimConfig;
use exchange_sim::seed::{self, SeedOptions};
use exchange_sim::server::Simulator;
use exchange_sim::store::Store;
use mailbox::exchange::{Endpoints, ExchangeConfig, ExchangeProvider};

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";
const PASSWORD: &str = "demo";

/// Debian's interpreter (python3-caldav installs for it), else `python3`.
fn python() -> &'static str {
    if std::path::Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" }
}

/// Whether python3-caldav is importable; without it the test is skipped
/// with a note, unless MAPIBRIDGE_REQUIRE_TOOLS is set.
fn have_python_caldav() -> bool {
    let ok =
        std::process::Command::new(python()).args(["-c", "import caldav"]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("MAPIBRIDGE_REQUIRE_TOOLS").is_none(),
            "python3-caldav is required (MAPIBRIDGE_REQUIRE_TOOLS is set)"
        );
        eprintln!("note: python3-caldav is not installed; skipping (apt-get install python3-caldav)");
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_caldav_invitation_acceptance_free_busy_and_mkcalendar() {
    if !have_python_caldav() {
        return;
    }
    let store = Store::open_in_memory().unwrap();
    let options = SeedOptions { users: vec!["alice".into(), "bob".into()], messages: 2, ..SeedOptions::default() };
    seed::seed(&store, &options).unwrap();
    // Free/busy of bob needs no grant: every Calendar gives Default free/busy
    // times, as on Exchange.
    let mut sim_config = SimConfig::loopback();
    sim_config.request_timeout = Duration::from_secs(30);
    let sim = Simulator::new(sim_config).with_store(store).run().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
    let mut config = ExchangeConfig::new(Endpoints::Autodiscover {
        start: vec![format!("{}/autodiscover/autodiscover.xml", sim.base_url())],
    });
    config.retry.max_attempts = 2;
    config.notification_wait = Duration::from_secs(5);
    let provider: Arc<dyn mailbox::AccountProvider> = Arc::new(ExchangeProvider::new(config, state));
    let server = dav::DavServer::new(dav::DavConfig::default(), provider);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, rx) = tokio::sync::watch::channel(false);
    let serving = tokio::spawn(async move { server.serve(listener, rx).await });

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/caldav_scheduling.py");
    let run = tokio::process::Command::new(python())
        .arg(script)
        .arg(format!("http://{addr}/dav/"))
        .args([ALICE, BOB, PASSWORD])
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(240), run).await.expect("python3-caldav within 240 s").unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stdout.lines().last() == Some("OK"), "stdout:\n{stdout}\nstderr:\n{stderr}");
    for step in [
        "request in bob's schedule inbox",
        "meeting in bob's calendar",
        "alice sees bob ACCEPTED",
        "free-busy of bob shows the meeting",
        "free-busy-query shows the meeting",
        "SCHEDULE-AGENT=CLIENT respected",
        "cancellation in bob's schedule inbox",
        "schedule inbox DELETE removes the messages",
        "MKCALENDAR created Project X",
        "MKCALENDAR created a task list",
        "MKCALENDAR kept description and color",
    ] {
        assert!(stdout.contains(step), "{step} missing:\n{stdout}");
    }
    stop.send(true).unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(5), serving).await;
}
