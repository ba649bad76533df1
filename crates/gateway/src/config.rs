//! `mapibridge serve` / `check` / `dns` configuration: one TOML file, every
//! key documented in `config/mapibridge.example.toml`.
//!
//! Unknown keys are errors (`deny_unknown_fields`), and every error names the
//! file, the line and the dotted key, so a typo is found at start-up and not
//! when the first client connects.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

/// Why a configuration file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A key is unknown, misspelt, of the wrong type or has a refused value.
    #[error("{path}:{line}: `{key}`: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// 1-based line of the offending key or value.
        line: usize,
        /// The dotted key (`listeners.imap`), as far as it could be told.
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// The whole file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// How clients reach the gateway (autoconfig, DNS records).
    #[serde(default)]
    pub public: PublicConfig,
    /// The Exchange side.
    pub exchange: ExchangeConfig,
    /// Client-facing listeners.
    #[serde(default)]
    pub listeners: ListenersConfig,
    /// Certificate and key of the TLS listeners.
    #[serde(default)]
    pub tls: Option<TlsConfig>,
    /// Where the gateway keeps its files.
    #[serde(default)]
    pub data: DataConfig,
    /// The gateway's own state (UIDs, sync states, caches).
    #[serde(default)]
    pub state: StateConfig,
    /// Who may log in.
    #[serde(default)]
    pub access: AccessConfig,
    /// Sizes, timeouts and counts.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// Logging.
    #[serde(default)]
    pub log: LogConfig,
    /// Exchange Online's OAuth application (used by `mapibridge login`).
    #[serde(default)]
    pub oauth: Option<OAuthConfig>,
}

/// `[public]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicConfig {
    /// The host name clients connect to (autoconfig, SRV targets).
    pub hostname: Option<String>,
    /// The mail domains this gateway serves (autoconfig, DNS records).
    #[serde(default)]
    pub domains: Vec<String>,
    /// Shown by clients as the provider's name.
    pub display_name: Option<String>,
}

/// How the gateway authenticates a user towards Exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// HTTP Basic with the user's password.
    Basic,
    /// NTLMv2 with the user's password.
    Ntlm,
    /// SPNEGO (Kerberos); not implemented in this build.
    Negotiate,
    /// OAuth 2.0 bearer tokens (Exchange Online); needs `mapibridge login`.
    Oauth,
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Basic => "basic",
            Self::Ntlm => "ntlm",
            Self::Negotiate => "negotiate",
            Self::Oauth => "oauth",
        })
    }
}

/// `[exchange]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeConfig {
    /// Where Autodiscover starts; absent: the user's domain's standard
    /// candidates ([MS-OXDSCLI] 3.1.5).
    pub autodiscover_url: Option<Spanned<String>>,
    /// MAPI/HTTP mailbox endpoint; with `addressbook_url`, Autodiscover is
    /// skipped.
    pub mailstore_url: Option<Spanned<String>>,
    /// MAPI/HTTP address book (NSPI) endpoint.
    pub addressbook_url: Option<Spanned<String>>,
    /// Authentication for domains without their own entry.
    #[serde(default = "default_auth")]
    pub auth: AuthMode,
    /// Per-domain overrides (`[exchange.domains."example.com"]`).
    #[serde(default)]
    pub domains: BTreeMap<String, DomainConfig>,
    /// Extra trusted CA certificates (PEM file).
    pub ca_file: Option<PathBuf>,
    /// Trust exactly this server certificate (PEM file), e.g. a lab server's
    /// self-signed one.
    pub pinned_certificate: Option<PathBuf>,
    /// Seconds to open a connection.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_secs: u64,
    /// Seconds without progress before a request fails.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_secs: u64,
}

fn default_auth() -> AuthMode {
    AuthMode::Ntlm
}
fn default_connect_timeout() -> u64 {
    10
}
fn default_request_timeout() -> u64 {
    60
}

impl ExchangeConfig {
    /// The authentication mode for `user` (by the domain of the address).
    pub fn auth_for(&self, user: &str) -> AuthMode {
        let domain = user.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()).unwrap_or_default();
        self.domains.iter().find(|(d, _)| d.eq_ignore_ascii_case(&domain)).map_or(self.auth, |(_, c)| c.auth)
    }
}

/// `[exchange.domains."<domain>"]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainConfig {
    /// Authentication for this domain's users.
    pub auth: AuthMode,
}

/// Who may log in with a plaintext password on a listener without TLS.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaintextLogin {
    /// Never: clients must use STARTTLS or implicit TLS.
    #[default]
    Never,
    /// Only clients on the loopback interface.
    Loopback,
    /// Always (only behind a TLS-terminating proxy).
    Always,
}

/// `[listeners]`: absent keys are not served.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenersConfig {
    /// IMAP with STARTTLS (usually port 143).
    pub imap: Option<SocketAddr>,
    /// IMAP over implicit TLS (993).
    pub imaps: Option<SocketAddr>,
    /// SMTP submission with STARTTLS (587).
    pub submission: Option<SocketAddr>,
    /// SMTP submission over implicit TLS (465).
    pub submissions: Option<SocketAddr>,
    /// HTTP: autoconfig, `/health`, `/ready`, and CalDAV/CardDAV with `dav`.
    pub http: Option<SocketAddr>,
    /// Serve CalDAV/CardDAV on `http` (`/.well-known/caldav`,
    /// `/.well-known/carddav`, `/dav/`). Default false.
    pub dav: Option<Spanned<bool>>,
    /// Allow `dav` on an `http` address that is not loopback. DAV uses HTTP
    /// Basic auth, so the password crosses the network in the clear unless
    /// a TLS-terminating proxy sits in front: set this only then.
    #[serde(default)]
    pub dav_plain_http: bool,
    /// A separate listener for `/metrics`, `/health` and `/ready`.
    pub metrics: Option<SocketAddr>,
    /// Plaintext logins without TLS.
    #[serde(default)]
    pub plaintext_login: PlaintextLogin,
}

/// `[tls]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// Certificate chain (PEM), leaf first. Re-read on SIGHUP.
    pub cert: Spanned<PathBuf>,
    /// Private key (PEM). Re-read on SIGHUP.
    pub key: Spanned<PathBuf>,
}

/// `[data]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// Directory of the state database and generated files.
    #[serde(default = "default_data_dir")]
    pub dir: PathBuf,
}

impl Default for DataConfig {
    fn default() -> Self {
        Self { dir: default_data_dir() }
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("/var/lib/mapibridge")
}

/// Which state backend keeps UIDs and sync states.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StateBackend {
    /// SQLite in `data.dir` (one gateway node).
    #[default]
    Sqlite,
    /// PostgreSQL (several nodes); not implemented yet.
    Postgres,
}

/// `[state]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateConfig {
    /// `sqlite` or `postgres`.
    #[serde(default = "default_backend")]
    pub backend: Spanned<StateBackend>,
    /// PostgreSQL connection URL (backend `postgres`).
    pub url: Option<String>,
}

fn default_backend() -> Spanned<StateBackend> {
    Spanned::new(0..0, StateBackend::Sqlite)
}

impl Default for StateConfig {
    fn default() -> Self {
        Self { backend: default_backend(), url: None }
    }
}

/// `[access]`: empty lists allow everyone Exchange accepts.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessConfig {
    /// Domains whose users may log in.
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    /// Addresses that may log in (in addition to `allowed_domains`).
    #[serde(default)]
    pub allowed_users: Vec<String>,
}

/// `[limits]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest message accepted by SMTP and IMAP APPEND, in bytes.
    #[serde(default = "default_max_message")]
    pub max_message_size: u64,
    /// Client connections at once, all protocols together.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// MAPI sessions per user towards Exchange.
    #[serde(default = "default_max_sessions")]
    pub max_sessions_per_user: u32,
    /// Seconds an idle client connection is kept (IMAP IDLE re-arms it).
    #[serde(default = "default_idle")]
    pub idle_timeout_secs: u64,
    /// Seconds in-flight commands get to finish at shutdown.
    #[serde(default = "default_grace")]
    pub shutdown_grace_secs: u64,
    /// Most entries one search of the directory (GAL) address book returns.
    #[serde(default = "default_directory_search")]
    pub directory_search_limit: usize,
    /// Most directory entries a CardDAV client may list without searching
    /// (0: the directory is searched only).
    #[serde(default)]
    pub directory_list_limit: usize,
}

fn default_max_message() -> u64 {
    35 * 1024 * 1024
}
fn default_max_connections() -> u32 {
    10_000
}
fn default_max_sessions() -> u32 {
    4
}
fn default_idle() -> u64 {
    30 * 60
}
fn default_grace() -> u64 {
    10
}
fn default_directory_search() -> usize {
    50
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_message_size: default_max_message(),
            max_connections: default_max_connections(),
            max_sessions_per_user: default_max_sessions(),
            idle_timeout_secs: default_idle(),
            shutdown_grace_secs: default_grace(),
            directory_search_limit: default_directory_search(),
            directory_list_limit: 0,
        }
    }
}

/// Log line format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// `[log]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    #[serde(default)]
    pub format: LogFormat,
    /// A tracing filter: `info`, `debug`, `gateway=debug,mapi_client=trace`…
    #[serde(default = "default_level")]
    pub level: Spanned<String>,
}

fn default_level() -> Spanned<String> {
    Spanned::new(0..0, "info".to_owned())
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { format: LogFormat::Text, level: default_level() }
    }
}

/// `[oauth]`: the Entra ID application of `mapibridge login` and of the
/// token refreshes of users whose domain has `auth = "oauth"`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthConfig {
    /// Tenant id or domain (`contoso.onmicrosoft.com`), or `organizations`.
    pub tenant: String,
    /// The application (client) id.
    pub client_id: String,
    /// Scopes asked for.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Authority base URL: the endpoints are
    /// `{authority}/{tenant}/oauth2/v2.0/devicecode` and `…/token`.
    #[serde(default = "default_authority")]
    pub authority: String,
    /// Secret the stored refresh tokens are encrypted with (a long random
    /// string); never logged. `token_secret` is its older name.
    #[serde(alias = "token_secret")]
    pub secret: Option<String>,
    /// A file holding that secret (first line), instead of `secret`.
    pub secret_file: Option<PathBuf>,
}

fn default_authority() -> String {
    "https://login.microsoftonline.com".to_owned()
}

impl OAuthConfig {
    /// The secret's bytes, from `secret` or `secret_file`.
    pub fn secret_bytes(&self) -> anyhow::Result<Vec<u8>> {
        match (&self.secret, &self.secret_file) {
            (Some(s), None) => Ok(s.as_bytes().to_vec()),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("[oauth] secret_file {}: {e}", path.display()))?;
                Ok(text.lines().next().unwrap_or("").trim().as_bytes().to_vec())
            }
            (Some(_), Some(_)) => anyhow::bail!("[oauth]: set secret or secret_file, not both"),
            (None, None) => anyhow::bail!(
                "[oauth] needs secret or secret_file: the key that encrypts the stored refresh tokens \
                 (e.g. `head -c 32 /dev/urandom | base64 > /etc/mapibridge/oauth-secret`)"
            ),
        }
    }
}

impl fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("authority", &self.authority)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("secret_file", &self.secret_file)
            .finish()
    }
}

impl Config {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses and validates a document; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            invalid(origin, text, span, e.message().trim_end().to_owned())
        })?;
        config.validate(text, origin)?;
        Ok(config)
    }

    /// Checks what serde cannot: URLs, the state backend, the log filter.
    fn validate(&self, text: &str, origin: &str) -> Result<(), ConfigError> {
        for url in [&self.exchange.autodiscover_url, &self.exchange.mailstore_url, &self.exchange.addressbook_url]
            .into_iter()
            .flatten()
        {
            let value = url.get_ref();
            let loopback = value.starts_with("http://127.") || value.starts_with("http://localhost");
            if !value.starts_with("https://") && !loopback {
                return Err(invalid(
                    origin,
                    text,
                    url.span(),
                    format!("{value:?} must be an https:// URL (plain http only on loopback)"),
                ));
            }
        }
        if self.exchange.mailstore_url.is_some() != self.exchange.addressbook_url.is_some() {
            let span =
                self.exchange.mailstore_url.as_ref().or(self.exchange.addressbook_url.as_ref()).map(Spanned::span);
            return Err(invalid(
                origin,
                text,
                span.unwrap_or(0..0),
                "mailstore_url and addressbook_url go together (or leave both out for Autodiscover)".to_owned(),
            ));
        }
        if *self.state.backend.get_ref() == StateBackend::Postgres {
            return Err(invalid(
                origin,
                text,
                self.state.backend.span(),
                "the PostgreSQL state backend is not implemented yet; use \"sqlite\" (one gateway node)".to_owned(),
            ));
        }
        if let Some(dav) = self.listeners.dav.as_ref().filter(|d| *d.get_ref()) {
            match self.listeners.http {
                None => {
                    return Err(invalid(
                        origin,
                        text,
                        dav.span(),
                        "dav = true needs an `http` listener to serve CalDAV/CardDAV on".to_owned(),
                    ));
                }
                Some(addr) if !addr.ip().is_loopback() && !self.listeners.dav_plain_http => {
                    return Err(invalid(
                        origin,
                        text,
                        dav.span(),
                        format!(
                            "CalDAV/CardDAV use HTTP Basic auth and `http` ({addr}) is plain HTTP off loopback: \
                             passwords would cross the network unencrypted. Bind `http` to 127.0.0.1 behind a \
                             TLS-terminating proxy, or set dav_plain_http = true if such a proxy already guards it"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(o) = &self.oauth {
            let a = o.authority.as_str();
            let loopback =
                a.starts_with("http://127.") || a.starts_with("http://localhost") || a.starts_with("http://[::1]");
            if !a.starts_with("https://") && !loopback {
                let offset = text.find("authority").unwrap_or(0);
                return Err(invalid(
                    origin,
                    text,
                    offset..offset,
                    format!("{a:?} must be an https:// URL (plain http only on loopback)"),
                ));
            }
        }
        let oauth_used =
            self.exchange.auth == AuthMode::Oauth || self.exchange.domains.values().any(|d| d.auth == AuthMode::Oauth);
        if oauth_used && self.oauth.is_none() {
            let offset = text.find("\"oauth\"").unwrap_or(0);
            return Err(invalid(
                origin,
                text,
                offset..offset,
                "auth = \"oauth\" needs an [oauth] section (tenant, client_id, scopes, secret)".to_owned(),
            ));
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(self.log.level.get_ref()) {
            return Err(invalid(origin, text, self.log.level.span(), format!("not a log filter: {e}")));
        }
        Ok(())
    }

    /// The first authentication mode in use that this build refuses to
    /// start with, and where: Kerberos (`negotiate`) is not implemented.
    pub fn unimplemented_auth(&self) -> Option<(String, AuthMode)> {
        std::iter::once(("(default)".to_owned(), self.exchange.auth))
            .chain(self.exchange.domains.iter().map(|(d, c)| (d.clone(), c.auth)))
            .find(|(_, mode)| *mode == AuthMode::Negotiate)
    }

    /// True when some listener needs a certificate.
    pub fn needs_tls(&self) -> bool {
        let l = &self.listeners;
        l.imap.is_some() || l.imaps.is_some() || l.submission.is_some() || l.submissions.is_some()
    }

    /// True when CalDAV/CardDAV are enabled on the `http` listener.
    pub fn dav_enabled(&self) -> bool {
        self.listeners.dav.as_ref().is_some_and(|d| *d.get_ref()) && self.listeners.http.is_some()
    }
}

/// A [`ConfigError::Invalid`] for the byte range `span` of `text`.
fn invalid(origin: &str, text: &str, span: Range<usize>, message: String) -> ConfigError {
    let (line, key) = locate(text, span.start);
    ConfigError::Invalid { path: origin.to_owned(), line, key, message }
}

/// The 1-based line of byte `offset` and the dotted key written there (the
/// nearest `[table]` header above plus the key before `=`).
pub fn locate(text: &str, offset: usize) -> (usize, String) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line_no = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(line_start..).unwrap_or("").lines().next().unwrap_or("");
    let mut table = String::new();
    for l in before.get(..line_start).unwrap_or("").lines().rev() {
        let l = l.trim();
        if l.starts_with('[') {
            table = l.trim_matches(|c| c == '[' || c == ']').trim().to_owned();
            break;
        }
    }
    let trimmed = line.trim();
    let key = if trimmed.starts_with('[') {
        trimmed.trim_matches(|c| c == '[' || c == ']').trim().to_owned()
    } else {
        let local = trimmed.split_once('=').map_or(trimmed, |(k, _)| k).trim();
        match (table.is_empty(), local.is_empty()) {
            (true, _) => local.to_owned(),
            (false, true) => table,
            (false, false) => format!("{table}.{local}"),
        }
    };
    (line_no, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "[exchange]\nautodiscover_url = \"https://mail.example.com/autodiscover/autodiscover.xml\"\n";

    fn error(text: &str) -> (usize, String, String) {
        match Config::parse(text, "t.toml") {
            Err(ConfigError::Invalid { line, key, message, .. }) => (line, key, message),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn minimal_file_gets_documented_defaults() {
        let c = Config::parse(MINIMAL, "t.toml").unwrap();
        assert_eq!(c.exchange.auth, AuthMode::Ntlm);
        assert_eq!(c.data.dir, PathBuf::from("/var/lib/mapibridge"));
        assert_eq!(c.limits.max_sessions_per_user, 4);
        assert_eq!(c.log.format, LogFormat::Text);
        assert!(c.listeners.imap.is_none());
    }

    #[test]
    fn misspelt_key_is_named_with_its_line() {
        let (line, key, message) =
            error(&format!("{MINIMAL}\n[listeners]\nimap = \"0.0.0.0:143\"\nimapz = \"0.0.0.0:993\"\n"));
        assert_eq!((line, key.as_str()), (6, "listeners.imapz"));
        assert!(message.contains("unknown field `imapz`"), "{message}");
    }

    #[test]
    fn bad_value_is_named_with_its_line() {
        let (line, key, message) = error(&format!("{MINIMAL}[listeners]\nimap = \"nowhere:143\"\n"));
        assert_eq!((line, key.as_str()), (4, "listeners.imap"));
        assert!(message.contains("socket address"), "{message}");
        let (line, key, _) = error(&format!("{MINIMAL}[exchange.domains.\"example.com\"]\nauth = \"kerberos\"\n"));
        assert_eq!((line, key.as_str()), (4, "exchange.domains.\"example.com\".auth"));
    }

    #[test]
    fn dav_on_plain_http_refused_off_loopback_unless_allowed() {
        let off_loopback = format!("{MINIMAL}[listeners]\nhttp = \"0.0.0.0:8080\"\ndav = true\n");
        let (line, key, message) = error(&off_loopback);
        assert_eq!(line, 5, "{message}");
        assert!(key.contains("dav"), "{key}");
        assert!(message.contains("Basic auth") && message.contains("dav_plain_http"), "{message}");
        let allowed = format!("{off_loopback}dav_plain_http = true\n");
        assert!(Config::parse(&allowed, "t").unwrap().dav_enabled());
        let local = format!("{MINIMAL}[listeners]\nhttp = \"127.0.0.1:8080\"\ndav = true\n");
        assert!(Config::parse(&local, "t").unwrap().dav_enabled());
        let (_, _, message) = error(&format!("{MINIMAL}[listeners]\ndav = true\n"));
        assert!(message.contains("needs an `http` listener"), "{message}");
        assert!(!Config::parse(MINIMAL, "t").unwrap().dav_enabled());
    }

    #[test]
    fn plain_http_exchange_refused_off_loopback() {
        let (line, key, message) = error("[exchange]\n\nmailstore_url = \"http://mail.example.com/mapi/emsmdb/\"\n");
        assert_eq!((line, key.as_str()), (3, "exchange.mailstore_url"));
        assert!(message.contains("https://"), "{message}");
    }

    #[test]
    fn postgres_is_refused_until_it_exists() {
        let (line, key, message) = error(&format!("{MINIMAL}[state]\nbackend = \"postgres\"\n"));
        assert_eq!((line, key.as_str()), (4, "state.backend"));
        assert!(message.contains("not implemented"), "{message}");
    }

    #[test]
    fn missing_exchange_section_is_reported() {
        let (line, _, message) = error("[log]\nlevel = \"debug\"\n");
        assert_eq!(line, 1);
        assert!(message.contains("exchange"), "{message}");
    }

    #[test]
    fn per_domain_auth_overrides_default() {
        let without_app = format!("{MINIMAL}auth = \"basic\"\n[exchange.domains.\"Contoso.com\"]\nauth = \"oauth\"\n");
        let (line, _, message) = error(&without_app);
        assert_eq!(line, 5, "{message}");
        assert!(message.contains("needs an [oauth] section"), "{message}");
        let with_app = format!("{without_app}[oauth]\ntenant = \"contoso.com\"\nclient_id = \"x\"\nsecret = \"s\"\n");
        let c = Config::parse(&with_app, "t.toml").unwrap();
        assert_eq!(c.exchange.auth_for("a@contoso.com"), AuthMode::Oauth);
        assert_eq!(c.exchange.auth_for("a@example.com"), AuthMode::Basic);
        let (_, key, message) = error(&with_app.replace("tenant", "authority = \"http://login.example\"\ntenant"));
        assert_eq!(key, "oauth.authority");
        assert!(message.contains("https://"), "{message}");
    }

    #[test]
    fn kubernetes_configmap_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/kubernetes/configmap.yaml");
        let yaml = std::fs::read_to_string(path).unwrap();
        let (_, block) = yaml.split_once("mapibridge.toml: |\n").unwrap();
        let toml: String = block.lines().map(|l| l.strip_prefix("    ").unwrap_or(l)).collect::<Vec<_>>().join("\n");
        let c = Config::parse(&toml, "configmap.yaml").unwrap();
        assert_eq!(*c.state.backend.get_ref(), StateBackend::Sqlite);
        assert_eq!(c.log.format, LogFormat::Json);
    }

    #[test]
    fn example_file_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/mapibridge.example.toml");
        let c = Config::load(&path).unwrap();
        assert!(c.needs_tls());
        assert!(c.oauth.is_some());
        assert!(!format!("{:?}", c.oauth).contains("change-me"), "secrets must not print");
    }
}
