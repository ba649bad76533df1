//! Exchange Online end to end with the real binary: `mapibridge login`
//! (RFC 8628 device flow) against a mock authorization server, `passwd
//! --stdin`, then `serve` with an `auth = "oauth"` domain in front of
//! exchange-sim, which accepts the mock's access tokens as Bearer. IMAP
//! LOGIN + LIST + FETCH, refresh before expiry and after a 401, a revoked
//! refresh token, `prefetch` warming the MIME cache, backend metrics, and no
//! secret in any output.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use common::*;
use exchange_sim::config::{BearerValidator, SimConfig};
use exchange_sim::seed::{self, SeedOptions};
use exchange_sim::server::Simulator;
use exchange_sim::store::Store;

const USER: &str = "alice@example.test";
const CLIENT_ID: &str = "11111111-2222-3333-4444-555555555555";
const GATEWAY_PASSWORD: &str = "gateway-pass-8c1f";
const SECRET: &str = "vault-secret-6d0a2f9e4b7c";
const USER_CODE: &str = "WDJB-MJHT";

/// The mock Entra ID: device codes, access tokens with lifetimes, rotating
/// refresh tokens, revocation.
#[derive(Default)]
struct Mock {
    pending_polls: u32,
    polls: u32,
    device_code: String,
    lifetime: u64,
    next: u64,
    access: HashMap<String, (String, Instant)>,
    refresh: HashSet<String>,
    refreshes: u32,
    refused_refreshes: u32,
    /// Every secret handed out, to look for in the logs.
    issued: Vec<String>,
}

type Shared = Arc<Mutex<Mock>>;

impl Mock {
    fn tokens(&mut self) -> serde_json::Value {
        self.next += 1;
        let access = format!("at-{}-{:x}", self.next, 0x5eed_u64 * self.next + 77);
        let refresh = format!("rt-{}-{:x}", self.next, 0xbeef_u64 * self.next + 91);
        self.access.insert(access.clone(), (USER.to_owned(), Instant::now() + Duration::from_secs(self.lifetime)));
        self.refresh.insert(refresh.clone());
        self.issued.extend([access.clone(), refresh.clone()]);
        serde_json::json!({
            "token_type": "Bearer", "scope": "https://outlook.office365.com/.default",
            "expires_in": self.lifetime, "access_token": access, "refresh_token": refresh
        })
    }

    fn valid(&self, token: &str) -> Option<String> {
        self.access.get(token).filter(|(_, until)| Instant::now() < *until).map(|(u, _)| u.clone())
    }
}

fn oauth_error(code: &str) -> axum::response::Response {
    let body = serde_json::json!({"error": code, "error_description": format!("AADSTS: {code}\r\nTrace ID: x")});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

fn form(body: &str) -> HashMap<String, String> {
    form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

async fn devicecode(State(m): State<Shared>, Path(tenant): Path<String>, body: String) -> axum::response::Response {
    let f = form(&body);
    assert_eq!(tenant, "contoso.test");
    assert_eq!(f.get("client_id").map(String::as_str), Some(CLIENT_ID));
    assert!(f.get("scope").is_some_and(|s| s.contains("offline_access")), "{f:?}");
    let mut m = m.lock().unwrap();
    m.device_code = "dc-7f3a9b1c5e".to_owned();
    let code = m.device_code.clone();
    m.issued.push(code);
    axum::Json(serde_json::json!({
        "device_code": m.device_code, "user_code": USER_CODE,
        "verification_uri": "https://microsoft.com/devicelogin",
        "expires_in": 900, "interval": 1,
        "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin"
    }))
    .into_response()
}

async fn token(State(m): State<Shared>, body: String) -> axum::response::Response {
    let f = form(&body);
    let mut m = m.lock().unwrap();
    assert_eq!(f.get("client_id").map(String::as_str), Some(CLIENT_ID));
    match f.get("grant_type").map(String::as_str) {
        Some("urn:ietf:params:oauth:grant-type:device_code") => {
            if f.get("device_code") != Some(&m.device_code) {
                return oauth_error("invalid_grant");
            }
            m.polls += 1;
            if m.polls <= m.pending_polls {
                return oauth_error("authorization_pending");
            }
            axum::Json(m.tokens()).into_response()
        }
        Some("refresh_token") => {
            let presented = f.get("refresh_token").cloned().unwrap_or_default();
            // Rotation: a refresh token works once.
            if !m.refresh.remove(&presented) {
                m.refused_refreshes += 1;
                return oauth_error("invalid_grant");
            }
            m.refreshes += 1;
            axum::Json(m.tokens()).into_response()
        }
        _ => oauth_error("unsupported_grant_type"),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
        .trim()
        .parse::<f64>()
        .unwrap() as u64
}

#[test]
fn device_login_passwd_and_serve_over_bearer_tokens() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mock: Shared = Arc::new(Mutex::new(Mock { pending_polls: 2, lifetime: 3600, ..Mock::default() }));

    // The mock authorization server and the simulator, on this process's runtime.
    let (auth_port, sim) = rt.block_on(async {
        let app = axum::Router::new()
            .route("/{tenant}/oauth2/v2.0/devicecode", axum::routing::post(devicecode))
            .route("/{tenant}/oauth2/v2.0/token", axum::routing::post(token))
            .with_state(mock.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

        let store = Store::open(dir.path().join("exchange")).unwrap();
        seed::seed(&store, &SeedOptions { messages: 6, ..SeedOptions::default() }).unwrap();
        let mut config = SimConfig::loopback();
        let m = mock.clone();
        config.bearer_validator = Some(BearerValidator(Arc::new(move |t: &str| m.lock().unwrap().valid(t))));
        let sim = Simulator::new(config).with_store(store).run().await.unwrap();
        (port, sim)
    });

    let tls = gateway::tls::self_signed(&dir.path().join("tls"), &["localhost".into()]).unwrap();
    let (imap, metrics) = (free_port(), free_port());
    let config = dir.path().join("mapibridge.toml");
    std::fs::write(
        &config,
        format!(
            r#"[exchange]
autodiscover_url = "{sim}/autodiscover/autodiscover.xml"
auth = "basic"

[exchange.domains."example.test"]
auth = "oauth"

[listeners]
imap = "127.0.0.1:{imap}"
metrics = "127.0.0.1:{metrics}"
plaintext_login = "loopback"

[tls]
cert = "{cert}"
key = "{key}"

[data]
dir = "{data}"

[log]
level = "debug"

[oauth]
tenant = "contoso.test"
client_id = "{CLIENT_ID}"
scopes = ["https://outlook.office365.com/.default", "offline_access"]
authority = "http://127.0.0.1:{auth_port}"
secret = "{SECRET}"
"#,
            sim = sim.base_url(),
            cert = tls.cert.display(),
            key = tls.key.display(),
            data = dir.path().join("data").display(),
        ),
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    let mut outputs = String::new();

    // login: the user is told where to go and what to type; two pending polls, then tokens.
    let started = Instant::now();
    let out = Command::new(BIN).args(["login", "--config", cfg, "--user", USER]).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("https://microsoft.com/devicelogin") && text.contains(USER_CODE), "{text}");
    assert!(text.contains("signed in"), "{text}");
    assert_eq!(mock.lock().unwrap().polls, 3);
    assert!(started.elapsed() >= Duration::from_secs(3), "polls honour the 1 s interval");
    outputs.push_str(&text);

    // passwd --stdin.
    let mut child = Command::new(BIN)
        .args(["passwd", "--config", cfg, "--user", USER, "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{GATEWAY_PASSWORD}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    outputs.push_str(&text);

    // serve, logs captured.
    let mut server = Command::new(BIN)
        .args(["serve", "--config", cfg])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = server.stderr.take().unwrap();
    let logs = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = logs.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let server = KillOnDrop(server);
    let wait_log = |needle: &str| {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if logs.lock().unwrap().iter().any(|l| l.contains(needle)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("no log line with {needle:?}:\n{}", logs.lock().unwrap().join("\n"));
    };
    wait_log("mapibridge ready");
    let before = http_get(loopback(metrics), "/metrics").1;

    // prefetch renders INBOX into the running gateway's MIME cache.
    let out = Command::new(BIN)
        .args(["prefetch", "--config", cfg, "--user", USER, "--folder", "INBOX"])
        .env("MAPIBRIDGE_PASSWORD", GATEWAY_PASSWORD)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    let prefetched: u64 = text
        .split_whitespace()
        .skip_while(|w| *w != "prefetched")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{text}"));
    assert!(prefetched > 0, "{text}");
    outputs.push_str(&text);
    std::thread::sleep(Duration::from_millis(1500));
    let warmed = http_get(loopback(metrics), "/metrics").1;
    let miss = "mapibridge_mime_cache_lookups_total{result=\"miss\"}";
    let hit = "mapibridge_mime_cache_lookups_total{result=\"hit\"}";
    assert!(metric(&warmed, miss) >= metric(&before, miss) + prefetched, "{warmed}");

    let mut c = LineClient::connect(loopback(imap)).unwrap();
    assert!(c.line().starts_with("* OK"));
    let wrong = c.imap("a0", &format!("LOGIN {USER} not-the-password"));
    assert!(wrong.contains("a0 NO"), "{wrong}");
    let login = c.imap("a1", &format!("LOGIN {USER} {GATEWAY_PASSWORD}"));
    assert!(login.contains("a1 OK"), "{login}");
    let list = c.imap("a2", "LIST \"\" \"*\"");
    assert!(list.contains("INBOX") && list.contains("a2 OK"), "{list}");
    let select = c.imap("a3", "SELECT INBOX");
    assert!(select.contains(&format!("* {prefetched} EXISTS")) && select.contains("a3 OK"), "{outputs}\n{select}");
    let fetch = c.imap("a4", "FETCH 1:* (BODY.PEEK[])");
    assert!(fetch.contains("Subject:") && fetch.contains("a4 OK"), "{fetch}");
    assert_eq!(mock.lock().unwrap().refreshes, 1, "the first login redeems the stored refresh token once");

    // Backend metrics moved with that work (sampled every second), and the
    // FETCH rendered nothing again: all hits, no new miss.
    std::thread::sleep(Duration::from_millis(1500));
    let after = http_get(loopback(metrics), "/metrics").1;
    assert_eq!(metric(&after, miss), metric(&warmed, miss), "FETCH after prefetch must not render: {after}");
    assert!(metric(&after, hit) >= metric(&warmed, hit) + prefetched, "{after}");
    let grew = |name: &str| metric(&after, name) > metric(&before, name);
    assert!(grew("mapibridge_backend_round_trips_total"), "{after}");
    assert!(grew("mapibridge_backend_round_trip_seconds_count"), "{after}");
    assert!(metric(&after, "mapibridge_backend_sessions") >= 1, "{after}");
    assert_eq!(metric(&after, "mapibridge_oauth_refreshes_total{result=\"ok\"}"), 1, "{after}");

    // A 401 from Exchange (the access token was revoked) makes the gateway
    // refresh once and carry on.
    mock.lock().unwrap().access.clear();
    let noop = c.imap("b1", "STATUS INBOX (MESSAGES)");
    assert!(noop.contains("b1 OK"), "{noop}");
    assert_eq!(mock.lock().unwrap().refreshes, 2, "refreshed after the 401");

    // An access token close to expiry is replaced before it is used.
    mock.lock().unwrap().lifetime = 62;
    mock.lock().unwrap().access.clear();
    assert!(c.imap("b2", "STATUS INBOX (MESSAGES)").contains("b2 OK"));
    let refreshed = mock.lock().unwrap().refreshes;
    std::thread::sleep(Duration::from_secs(3));
    assert!(c.imap("b3", "STATUS INBOX (MESSAGES)").contains("b3 OK"));
    assert!(mock.lock().unwrap().refreshes > refreshed, "refreshed within the 60 s margin before expiry");

    // The refresh token is revoked: the next refresh fails, clearly.
    {
        let mut m = mock.lock().unwrap();
        m.refresh.clear();
        m.access.clear();
    }
    let failed = c.imap("c1", "STATUS INBOX (MESSAGES)");
    assert!(failed.contains("c1 NO") || failed.contains("c1 BAD"), "{failed}");
    let mut c2 = LineClient::connect(loopback(imap)).unwrap();
    c2.line();
    let refused = c2.imap("d1", &format!("LOGIN {USER} {GATEWAY_PASSWORD}"));
    assert!(refused.contains("d1 NO"), "{refused}");
    wait_log("invalid_grant: AADSTS: invalid_grant); an administrator must run `mapibridge login`");
    assert!(mock.lock().unwrap().refused_refreshes >= 1);

    // bob never signed in: a clear refusal naming the commands to run.
    let refused = c2.imap("d2", "LOGIN bob@example.test whatever-it-is");
    assert!(refused.contains("d2 NO"), "{refused}");
    wait_log("mapibridge passwd --user bob@example.test");

    drop(server);
    let logs = logs.lock().unwrap().join("\n");
    let all = format!("{outputs}\n{logs}");
    let mut secrets = mock.lock().unwrap().issued.clone();
    secrets.extend([GATEWAY_PASSWORD.to_owned(), SECRET.to_owned()]);
    for s in &secrets {
        assert!(!all.contains(s.as_str()), "a secret ({}…) reached the output", &s[..4]);
    }
    drop(sim);
}

#[test]
fn negotiate_is_refused_at_start_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[exchange]\nautodiscover_url = \"https://mail.example.com/autodiscover/autodiscover.xml\"\n\
             [exchange.domains.\"corp.example.com\"]\nauth = \"negotiate\"\n[data]\ndir = \"{}\"\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let out = Command::new(BIN).args(["serve", "--config", config.to_str().unwrap()]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("corp.example.com") && err.contains("not implemented"), "{err}");
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
