//! `mapibridge check`: walks one user's way to their mailbox step by step —
//! DNS, each Autodiscover URL, TLS, the authentication schemes the server
//! offers against the one configured, Connect, Logon, the folder count, the
//! address book — one line per step, `ok` or `FAIL` with what to do.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use mapi_client::api::{AddressBook, Mailbox, MailboxOptions, SpecialFolder, StoreTarget, TableSpec};
use mapi_client::autodiscover::{self, AutodiscoverResponse};
use mapi_client::{
    Credentials, Discovery, EmsmdbSession, Error, NspiSession, SessionConfig, TlsOptions, TransportConfig,
};
use mapi_wire::PropTag;

use crate::config::{AuthMode, Config};
use crate::probe::{self, Target};

/// `mapibridge check` options.
#[derive(clap::Args, Clone, Debug)]
pub struct CheckArgs {
    /// The gateway's configuration file.
    #[arg(long, required_unless_present = "exchange")]
    pub config: Option<PathBuf>,
    /// Instead of a configuration: the Autodiscover URL to start at.
    #[arg(long, conflicts_with = "config")]
    pub exchange: Option<String>,
    /// With --exchange: how to authenticate.
    #[arg(long, value_enum, default_value = "basic", requires = "exchange")]
    pub auth: AuthMode,
    /// The mailbox to check (its SMTP address).
    #[arg(long)]
    pub user: String,
    /// Environment variable holding the password (asked for on the terminal when unset).
    #[arg(long, default_value = "MAPIBRIDGE_PASSWORD")]
    pub password_env: String,
}

/// The settings `check` needs, from a file or the command line.
struct Plan {
    autodiscover_url: Option<String>,
    explicit: Option<(String, String)>,
    auth: AuthMode,
    tls: TlsOptions,
    connect_timeout: Duration,
    request_timeout: Duration,
}

fn plan(args: &CheckArgs) -> anyhow::Result<Plan> {
    if let Some(url) = &args.exchange {
        return Ok(Plan {
            autodiscover_url: Some(url.clone()),
            explicit: None,
            auth: args.auth,
            tls: TlsOptions::default(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
        });
    }
    let path = args.config.as_ref().context("--config or --exchange is needed")?;
    let config = Config::load(path)?;
    let x = &config.exchange;
    let mut tls = TlsOptions::default();
    if let Some(ca) = &x.ca_file {
        tls.extra_roots = probe::pem_certificates(ca)?;
    }
    if let Some(pin) = &x.pinned_certificate {
        tls.pinned_certificate = probe::pem_certificates(pin)?.into_iter().next();
    }
    Ok(Plan {
        autodiscover_url: x.autodiscover_url.as_ref().map(|u| u.get_ref().clone()),
        explicit: x
            .mailstore_url
            .as_ref()
            .zip(x.addressbook_url.as_ref())
            .map(|(m, a)| (m.get_ref().clone(), a.get_ref().clone())),
        auth: x.auth_for(&args.user),
        tls,
        connect_timeout: Duration::from_secs(x.connect_timeout_secs),
        request_timeout: Duration::from_secs(x.request_timeout_secs),
    })
}

/// One line per step, counted.
pub struct Report<'a> {
    out: &'a mut (dyn Write + Send),
    color: bool,
    failures: usize,
    passed: usize,
}

impl<'a> Report<'a> {
    /// Writes to `out`; ANSI colours when `color`.
    pub fn new(out: &'a mut (dyn Write + Send), color: bool) -> Self {
        Self { out, color, failures: 0, passed: 0 }
    }

    fn line(&mut self, mark: &str, colour: &str, step: &str, text: &str) {
        let mark = if self.color { format!("\x1b[{colour}m{mark}\x1b[0m") } else { mark.to_owned() };
        let _ = writeln!(self.out, "{mark} {step:<15} {text}");
        let _ = self.out.flush();
    }

    /// A passed step.
    pub fn ok(&mut self, step: &str, text: &str) {
        self.passed += 1;
        self.line("ok  ", "32", step, text);
    }

    /// A failed step and what to do about it.
    pub fn fail(&mut self, step: &str, text: &str, fix: &str) {
        self.failures += 1;
        self.line("FAIL", "31", step, &format!("{text}\n                     -> {fix}"));
    }

    /// A step not run, and why.
    pub fn skip(&mut self, step: &str, text: &str) {
        self.line("skip", "33", step, text);
    }

    /// Steps that failed.
    pub fn failures(&self) -> usize {
        self.failures
    }
}

/// Runs the check; `Ok(true)` when every step passed.
pub async fn run(args: CheckArgs, out: &mut (dyn Write + Send)) -> anyhow::Result<bool> {
    let plan = plan(&args)?;
    let password = match std::env::var(&args.password_env) {
        Ok(p) => p,
        Err(_) => rpassword::prompt_password(format!("Password of {}: ", args.user))
            .context("reading the password (or set MAPIBRIDGE_PASSWORD)")?,
    };
    let color = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let mut report = Report::new(out, color);
    diagnose(&plan, &args.user, &password, &mut report).await;
    let (failed, passed) = (report.failures, report.passed);
    if failed == 0 {
        let _ = writeln!(report.out, "all {passed} steps passed: the gateway can serve {}", args.user);
    } else {
        let _ = writeln!(report.out, "{failed} step(s) failed, {passed} passed");
    }
    Ok(failed == 0)
}

fn credentials(auth: AuthMode, user: &str, password: &str, report: &mut Report<'_>) -> Option<Credentials> {
    match auth {
        AuthMode::Basic => Some(Credentials::Basic { user: user.to_owned(), password: password.to_owned().into() }),
        AuthMode::Ntlm => Some(Credentials::Ntlm { login: user.to_owned(), password: password.to_owned().into() }),
        AuthMode::Negotiate => {
            report.fail(
                "Auth mode",
                "negotiate (Kerberos) is not implemented in this build",
                "use auth = \"ntlm\" for this domain (Exchange accepts NTLM inside Negotiate)",
            );
            None
        }
        AuthMode::Oauth => {
            report.fail(
                "Auth mode",
                "oauth (Exchange Online) is not diagnosed by `check` yet: it tests password logins only",
                "run `mapibridge login --user U` and `mapibridge passwd --user U`, then `serve` logs each token refresh",
            );
            None
        }
    }
}

async fn diagnose(plan: &Plan, user: &str, password: &str, report: &mut Report<'_>) {
    let Some(domain) = user.rsplit_once('@').map(|(_, d)| d.to_owned()).filter(|d| !d.is_empty()) else {
        report.fail("User", &format!("{user:?} is not an e-mail address"), "pass --user name@domain");
        return;
    };
    let Some(creds) = credentials(plan.auth, user, password, report) else { return };
    let mut transport = TransportConfig::new(creds);
    transport.tls = plan.tls.clone();
    transport.connect_timeout = plan.connect_timeout;
    transport.request_timeout = plan.request_timeout;
    transport.retry.max_attempts = 2;
    transport.trace_dir = None;
    let target_tls =
        probe::TrustSettings { extra_roots: plan.tls.extra_roots.clone(), pinned: plan.tls.pinned_certificate.clone() };

    let discovery = match &plan.explicit {
        Some((mailstore, addressbook)) => {
            report.skip("Autodiscover", "mailstore_url and addressbook_url are set");
            match explicit_discovery(mailstore, addressbook, user, &transport, &target_tls, report).await {
                Some(d) => d,
                None => return,
            }
        }
        None => {
            let start =
                plan.autodiscover_url.clone().map_or_else(|| autodiscover::candidate_urls(&domain), |u| vec![u]);
            match discover(start, user, plan.auth, &transport, &target_tls, report).await {
                Some(d) => d,
                None => return,
            }
        }
    };

    if !reach(&discovery.mailstore_url, "Mailbox URL", plan.auth, &target_tls, report).await {
        return;
    }
    let session = match EmsmdbSession::connect(SessionConfig::mailstore(&discovery, transport.clone())).await {
        Ok(s) => {
            let info = s.info().await;
            report.ok("Connect", &format!("MAPI session for {:?}", info.display_name));
            Arc::new(s)
        }
        Err(e) => {
            report.fail("Connect", &e.to_string(), &hint(&e, plan.auth));
            return;
        }
    };
    let mailbox = match Mailbox::logon(
        session.clone(),
        StoreTarget::Mailbox { legacy_dn: discovery.legacy_dn.clone() },
        MailboxOptions::default(),
    )
    .await
    {
        Ok(m) => {
            report.ok("Logon", &format!("mailbox {}", discovery.legacy_dn));
            m
        }
        Err(e) => {
            report.fail(
                "Logon",
                &e.to_string(),
                "the account authenticates but cannot open its mailbox: is it a mailbox user on this server?",
            );
            let _ = session.disconnect().await;
            return;
        }
    };
    let top = mailbox.folder(SpecialFolder::IpmSubtree);
    match mailbox.query_all(&TableSpec::hierarchy(top, vec![PropTag::DISPLAY_NAME], true)).await {
        Ok(rows) => report.ok("Folders", &format!("{} folders under the top of the mailbox", rows.rows.len())),
        Err(e) => {
            report.fail("Folders", &e.to_string(), "the hierarchy table could not be read; rerun with RUST_LOG=debug")
        }
    }
    let _ = session.disconnect().await;

    match NspiSession::bind(SessionConfig::addressbook(&discovery, transport)).await {
        Ok(nspi) => {
            let nspi = Arc::new(nspi);
            let book = AddressBook::new(nspi.clone(), 1252);
            match book.legacy_dn(user).await {
                Ok(Some(dn)) => report.ok("Address book", &format!("NSPI bind; {user} resolves to {dn}")),
                Ok(None) => report.fail(
                    "Address book",
                    &format!("NSPI bind worked but {user} is not in the address book"),
                    "hidden from the GAL? sending as this user needs the entry",
                ),
                Err(e) => report.fail("Address book", &e.to_string(), "NSPI answered the bind but not a lookup"),
            }
            let _ = nspi.unbind().await;
        }
        Err(e) => report.fail("Address book", &format!("NSPI bind: {e}"), &hint(&e, plan.auth)),
    }
}

/// DNS, TCP, TLS and the offered authentication schemes of one URL; false
/// when a step failed.
async fn reach(url: &str, what: &str, auth: AuthMode, trust: &probe::TrustSettings, report: &mut Report<'_>) -> bool {
    let target = match Target::parse(url) {
        Ok(t) => t,
        Err(e) => {
            report.fail(what, &format!("{url}: {e}"), "fix the URL");
            return false;
        }
    };
    match probe::resolve(&target).await {
        Ok(addrs) => report.ok("DNS", &format!("{} -> {}", target.host, addrs)),
        Err(e) => {
            report.fail(
                "DNS",
                &format!("{}: {e}", target.host),
                "check the host name and the DNS resolver of this machine",
            );
            return false;
        }
    }
    match probe::tcp(&target).await {
        Ok(()) => report.ok("TCP", &format!("{} accepts connections", target.authority())),
        Err(e) => {
            report.fail(
                "TCP",
                &format!("{}: {e}", target.authority()),
                "nothing answers there: check the port in the URL, firewalls, and that the server runs",
            );
            return false;
        }
    }
    if target.tls {
        match probe::tls(&target, trust).await {
            Ok(t) if t.trusted => report.ok("TLS", &t.summary),
            Ok(t) => {
                report.fail(
                    "TLS",
                    &t.summary,
                    "trust the issuing CA with exchange.ca_file, or pin this certificate with exchange.pinned_certificate",
                );
                return false;
            }
            Err(e) => {
                report.fail("TLS", &format!("{}: {e}", target.authority()), "is it an HTTPS port? a proxy in between?");
                return false;
            }
        }
    } else {
        report.skip("TLS", &format!("{url} is plain http (loopback only)"));
    }
    match probe::auth_schemes(&target, trust).await {
        Ok(offered) if offered.is_empty() => {
            report.skip("Auth offered", "the server did not ask for authentication");
            true
        }
        Ok(offered) => {
            let wanted = match auth {
                AuthMode::Basic => "basic",
                AuthMode::Ntlm => "ntlm",
                AuthMode::Negotiate => "negotiate",
                AuthMode::Oauth => "bearer",
            };
            let list = offered.iter().map(|s| s.to_ascii_lowercase()).collect::<Vec<_>>().join(", ");
            // Exchange carries NTLM inside Negotiate too; the client speaks NTLM, so
            // only an explicit NTLM offer counts for it.
            if offered.iter().any(|o| o.eq_ignore_ascii_case(wanted)) {
                report.ok("Auth offered", &format!("{list}; using {auth}"));
                true
            } else {
                report.fail(
                    "Auth offered",
                    &format!("{list}; {auth} is not among them"),
                    &format!("set exchange.auth (or the domain's auth) to one of: {list}"),
                );
                false
            }
        }
        Err(e) => {
            report.fail("Auth offered", &format!("{url}: {e}"), "the server did not answer an HTTP request");
            false
        }
    }
}

async fn discover(
    mut urls: Vec<String>,
    user: &str,
    auth: AuthMode,
    transport: &TransportConfig,
    trust: &probe::TrustSettings,
    report: &mut Report<'_>,
) -> Option<Discovery> {
    let mut email = user.to_owned();
    let mut hops = 0;
    while let Some(url) = (!urls.is_empty()).then(|| urls.remove(0)) {
        if !reach(&url, "Autodiscover", auth, trust, report).await {
            continue;
        }
        match autodiscover::ask(&url, &email, transport).await {
            Ok(AutodiscoverResponse::Settings(d)) => {
                report.ok("Autodiscover", &format!("{url}: mailbox {} at {}", d.smtp_address, d.mailstore_url));
                return Some(d);
            }
            Ok(AutodiscoverResponse::RedirectAddr(addr)) if hops < autodiscover::MAX_REDIRECTS => {
                hops += 1;
                report.ok("Autodiscover", &format!("{url}: redirected to the address {addr}"));
                let domain = addr.rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default();
                urls = autodiscover::candidate_urls(&domain);
                email = addr;
            }
            Ok(AutodiscoverResponse::RedirectUrl(next)) if hops < autodiscover::MAX_REDIRECTS => {
                hops += 1;
                report.ok("Autodiscover", &format!("{url}: redirected to {next}"));
                urls.insert(0, next);
            }
            Ok(AutodiscoverResponse::Error(e)) => {
                report.fail(
                    "Autodiscover",
                    &format!("{url}: {e}"),
                    "this URL does not know the mailbox; try the next one",
                );
            }
            Ok(_) => {
                report.fail("Autodiscover", "too many redirects", "set exchange.autodiscover_url to the final URL")
            }
            Err(e) => {
                let fix = hint(&e, auth);
                report.fail("Autodiscover", &format!("{url}: {e}"), &fix);
                if matches!(e, Error::Auth(_)) {
                    return None;
                }
            }
        }
    }
    report.fail(
        "Autodiscover",
        "no URL gave MAPI over HTTP settings",
        "set exchange.autodiscover_url, or exchange.mailstore_url and addressbook_url",
    );
    None
}

/// With explicit URLs the legacy DN comes from the address book.
async fn explicit_discovery(
    mailstore: &str,
    addressbook: &str,
    user: &str,
    transport: &TransportConfig,
    trust: &probe::TrustSettings,
    report: &mut Report<'_>,
) -> Option<Discovery> {
    let auth = match transport.credentials {
        Credentials::Basic { .. } => AuthMode::Basic,
        _ => AuthMode::Ntlm,
    };
    if !reach(addressbook, "Address book URL", auth, trust, report).await {
        return None;
    }
    let config = SessionConfig::new(addressbook, "", transport.clone());
    let nspi = match NspiSession::bind(config).await {
        Ok(n) => Arc::new(n),
        Err(e) => {
            report.fail("Address book", &format!("NSPI bind: {e}"), &hint(&e, auth));
            return None;
        }
    };
    let dn = AddressBook::new(nspi.clone(), 1252).legacy_dn(user).await;
    let _ = nspi.unbind().await;
    match dn {
        Ok(Some(dn)) => {
            report.ok("Address book", &format!("{user} is {dn}"));
            Some(Discovery {
                legacy_dn: dn,
                smtp_address: user.to_owned(),
                mailstore_url: mailstore.to_owned(),
                addressbook_url: addressbook.to_owned(),
                mailbox_id: autodiscover::mailbox_id(mailstore),
                ..Discovery::default()
            })
        }
        Ok(None) => {
            report.fail("Address book", &format!("{user} is not in the address book"), "check the address");
            None
        }
        Err(mapi_client::api::Error::Transport(e)) => {
            report.fail("Address book", &e.to_string(), &hint(&e, auth));
            None
        }
        Err(e) => {
            report.fail("Address book", &e.to_string(), "the address book answered the bind but not a lookup");
            None
        }
    }
}

/// What to do about a client error.
fn hint(e: &Error, auth: AuthMode) -> String {
    match e {
        Error::Auth(_) => format!(
            "Exchange refused the credentials with auth = {auth}: check the password, that the account may use MAPI over HTTP, and that {auth} is offered (line \"Auth offered\")"
        ),
        Error::Connect { .. } => "cannot reach the server: check host and port, firewalls and proxies".to_owned(),
        Error::HttpStatus { status: 404 } => "the URL is not a MAPI over HTTP endpoint (404)".to_owned(),
        Error::HttpStatus { status } => format!("unexpected HTTP {status}: a proxy or load balancer in between?"),
        Error::Mapi { code, .. } => format!("Exchange answered {code:?}: is the mailbox enabled for MAPI over HTTP?"),
        Error::Timeout(_) => "no answer in time: raise exchange.request_timeout_secs or check the network".to_owned(),
        Error::Busy { .. } => "Exchange is busy (throttling): try again later".to_owned(),
        _ => "rerun with RUST_LOG=mapi_client=debug for the details".to_owned(),
    }
}
