//! `mapibridge check` (the real binary) against an in-process exchange-sim:
//! every step green for a good set-up, a clear red line for each kind of
//! misconfiguration.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Output};

use exchange_sim::config::SimConfig;
use exchange_sim::seed::{SeedOptions, seed};
use exchange_sim::server::{RunningSim, Simulator};
use exchange_sim::store::Store;

async fn sim() -> RunningSim {
    let store = Store::open_in_memory().unwrap();
    seed(&store, &SeedOptions { users: vec!["alice".into()], messages: 3, seed: 7 }).unwrap();
    Simulator::new(SimConfig::loopback()).with_store(store).run().await.unwrap()
}

async fn check(args: Vec<String>, password: &str) -> (bool, String) {
    let password = password.to_owned();
    let out: Output = tokio::task::spawn_blocking(move || {
        Command::new(common::BIN).arg("check").args(args).env("MAPIBRIDGE_PASSWORD", password).output().unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{text}{}", String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn lines_marked<'a>(text: &'a str, mark: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.starts_with(mark)).collect()
}

fn config_file(dir: &std::path::Path, body: &str) -> String {
    let path = dir.join("mapibridge.toml");
    std::fs::write(&path, body).unwrap();
    path.to_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn all_green_against_the_simulator_from_a_config_file() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(
        dir.path(),
        &format!(
            "[exchange]\nautodiscover_url = \"http://localhost:{}/autodiscover/autodiscover.xml\"\nauth = \"basic\"\n",
            sim.local_addr().port()
        ),
    );
    let (ok, out) = check(vec!["--config".into(), config, "--user".into(), "alice@example.test".into()], "demo").await;
    assert!(ok, "{out}");
    assert!(out.lines().any(|l| l.starts_with("ok") && l.contains("DNS") && l.contains("localhost -> ")), "{out}");
    assert!(lines_marked(&out, "FAIL").is_empty(), "{out}");
    for step in ["DNS", "TCP", "Auth offered", "Autodiscover", "Connect", "Logon", "Folders", "Address book"] {
        assert!(out.lines().any(|l| l.starts_with("ok") && l[5..].starts_with(step)), "no green {step}: {out}");
    }
    let folders = out.lines().find(|l| l.contains("Folders")).unwrap();
    let count: usize = folders.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!(count >= 5, "Inbox, Sent Items, Calendar, Contacts… expected: {folders}");
    assert!(out.contains("all ") && out.contains("steps passed"), "{out}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_is_a_red_autodiscover_line_naming_the_credentials() {
    let sim = sim().await;
    let url = format!("{}/autodiscover/autodiscover.xml", sim.base_url());
    let args = vec!["--exchange".into(), url, "--user".into(), "alice@example.test".into()];
    let (ok, out) = check(args, "not-the-password").await;
    assert!(!ok);
    let red = lines_marked(&out, "FAIL");
    assert_eq!(red.len(), 1, "{out}");
    assert!(red[0].contains("Autodiscover") && red[0].contains("authentication failed"), "{out}");
    assert!(out.contains("check the password"), "{out}");
    assert!(!out.contains("not-the-password"), "the password must never be printed");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_port_is_a_red_tcp_line() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let url = format!("http://127.0.0.1:{port}/autodiscover/autodiscover.xml");
    let (ok, out) = check(vec!["--exchange".into(), url, "--user".into(), "alice@example.test".into()], "demo").await;
    assert!(!ok);
    let red = lines_marked(&out, "FAIL");
    assert!(red.first().is_some_and(|l| l.contains("TCP") && l.contains(&port.to_string())), "{out}");
    assert!(out.contains("check the port"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_mode_the_server_does_not_offer_is_red_with_the_offered_list() {
    let sim = sim().await;
    let url = format!("{}/autodiscover/autodiscover.xml", sim.base_url());
    let args =
        vec!["--exchange".into(), url, "--auth".into(), "ntlm".into(), "--user".into(), "alice@example.test".into()];
    let (ok, out) = check(args, "demo").await;
    assert!(!ok);
    let red = lines_marked(&out, "FAIL");
    assert!(red.first().is_some_and(|l| l.contains("Auth offered") && l.contains("ntlm is not among them")), "{out}");
    assert!(out.contains("one of: basic"), "{out}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn explicit_endpoints_skip_autodiscover_and_find_the_dn_in_the_address_book() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let base = sim.base_url();
    let config = config_file(
        dir.path(),
        &format!(
            "[exchange]\nmailstore_url = \"{base}/mapi/emsmdb/\"\naddressbook_url = \"{base}/mapi/nspi/\"\nauth = \"basic\"\n"
        ),
    );
    let (ok, out) = check(vec!["--config".into(), config, "--user".into(), "alice@example.test".into()], "demo").await;
    assert!(ok, "{out}");
    assert!(out.lines().any(|l| l.starts_with("skip") && l.contains("Autodiscover")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("ok") && l.contains("Logon")), "{out}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ntlm_is_offered_chosen_and_green() {
    use exchange_sim::auth::WithNtHashes;
    use exchange_sim::auth::ntlm::Ntlmv2;
    let store = Store::open_in_memory().unwrap();
    seed(&store, &SeedOptions { users: vec!["alice".into()], messages: 2, seed: 3 }).unwrap();
    let directory = WithNtHashes::new(std::sync::Arc::new(store.clone()));
    directory.set_password("alice@example.test", "demo");
    let sim = Simulator::new(SimConfig::loopback())
        .with_store(store)
        .with_directory(std::sync::Arc::new(directory))
        .with_ntlm(std::sync::Arc::new(Ntlmv2::default()))
        .run()
        .await
        .unwrap();
    let url = format!("{}/autodiscover/autodiscover.xml", sim.base_url());
    let args =
        vec!["--exchange".into(), url, "--auth".into(), "ntlm".into(), "--user".into(), "alice@example.test".into()];
    let (ok, out) = check(args, "demo").await;
    assert!(ok, "{out}");
    let offered = out.lines().find(|l| l.contains("Auth offered")).unwrap();
    assert!(offered.contains("ntlm") && offered.contains("using ntlm"), "{offered}");
    assert!(out.lines().any(|l| l.starts_with("ok") && l.contains("Address book")), "{out}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn self_signed_https_is_red_until_pinned_then_green() {
    let store = Store::open_in_memory().unwrap();
    seed(&store, &SeedOptions { users: vec!["alice".into()], messages: 2, seed: 5 }).unwrap();
    let mut config = SimConfig::loopback();
    config.tls = true;
    let sim = Simulator::new(config).with_store(store).run().await.unwrap();
    assert!(sim.base_url().starts_with("https://"));
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("exchange.pem");
    std::fs::write(&pem, sim.certificate_pem().unwrap()).unwrap();
    let base = format!(
        "[exchange]\nautodiscover_url = \"{}/autodiscover/autodiscover.xml\"\nauth = \"basic\"\n",
        sim.base_url()
    );

    let plain = config_file(dir.path(), &base);
    let (ok, out) = check(vec!["--config".into(), plain, "--user".into(), "alice@example.test".into()], "demo").await;
    assert!(!ok);
    let red = lines_marked(&out, "FAIL");
    assert!(red.first().is_some_and(|l| l.contains("TLS") && l.contains("NOT trusted")), "{out}");
    assert!(out.contains("exchange.ca_file") && out.contains("exchange.pinned_certificate"), "{out}");

    let pinned = config_file(dir.path(), &format!("{base}pinned_certificate = \"{}\"\n", pem.display()));
    let (ok, out) = check(vec!["--config".into(), pinned, "--user".into(), "alice@example.test".into()], "demo").await;
    assert!(ok, "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("ok") && l.contains("TLS") && l.contains("certificate trusted")),
        "{out}"
    );
    sim.shutdown().await;
}

#[test]
fn invalid_config_names_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        config_file(dir.path(), "[exchange]\nauth = \"basic\"\n\n[listeners]\nimap = \"0.0.0.0:143\"\nimapz = 1\n");
    let out = Command::new(common::BIN)
        .args(["check", "--config", &config, "--user", "alice@example.test"])
        .env("MAPIBRIDGE_PASSWORD", "x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mapibridge.toml:6: `listeners.imapz`: unknown field `imapz`"), "{err}");
}
