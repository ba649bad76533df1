//! `mapibridge login` (Exchange Online sign-in by the OAuth 2.0 device
//! authorization grant, RFC 8628) and `mapibridge passwd` (the gateway
//! password an `auth = "oauth"` user's mail clients log in with).

use std::io::{BufRead as _, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;

use crate::config::{AuthMode, Config};
use crate::credstore::CredentialStore;
use crate::oauth::OAuthClient;
use crate::vault::Vault;

/// `mapibridge login` options.
#[derive(clap::Args, Clone, Debug)]
pub struct LoginArgs {
    /// The configuration file (its [oauth] section names the application).
    #[arg(long)]
    pub config: PathBuf,
    /// The Exchange Online user (e-mail address) to sign in.
    #[arg(long)]
    pub user: String,
}

/// `mapibridge passwd` options.
#[derive(clap::Args, Clone, Debug)]
pub struct PasswdArgs {
    /// The configuration file.
    #[arg(long)]
    pub config: PathBuf,
    /// The user whose gateway password is set.
    #[arg(long)]
    pub user: String,
    /// Read the password from the first line of standard input (scripts)
    /// instead of asking twice on the terminal.
    #[arg(long)]
    pub stdin: bool,
}

/// Opens the state store of `config` (as `serve` does).
async fn open_state(config: &Config) -> anyhow::Result<Arc<dyn state::StateStore>> {
    let dir = config.data.dir.join("state");
    let store = state::SqliteStore::open(&dir)
        .await
        .with_context(|| format!("opening the state database in {}", dir.display()))?;
    Ok(Arc::new(store))
}

fn load(path: &Path) -> anyhow::Result<Config> {
    Ok(Config::load(path)?)
}

fn warn_if_not_oauth(config: &Config, user: &str, out: &mut dyn Write) {
    let mode = config.exchange.auth_for(user);
    if mode != AuthMode::Oauth {
        let _ = writeln!(
            out,
            "note: {user}'s domain uses auth = \"{mode}\", so `serve` will not use what is stored here \
             until the domain is set to auth = \"oauth\""
        );
    }
}

/// Runs the device flow and stores the refresh token, sealed.
pub async fn login(args: LoginArgs, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let config = load(&args.config)?;
    let oauth = config
        .oauth
        .as_ref()
        .context("the configuration has no [oauth] section (tenant, client_id, scopes, secret)")?;
    let vault = Arc::new(Vault::from_secret(&oauth.secret_bytes()?)?);
    if !oauth.scopes.iter().any(|s| s == "offline_access") {
        writeln!(out, "note: scopes lack \"offline_access\": Entra ID then returns no refresh token")?;
    }
    warn_if_not_oauth(&config, &args.user, out);
    let client = OAuthClient::new(oauth);
    let device = client.device_authorization().await?;
    writeln!(out, "To sign in {} to Exchange Online, open {}", args.user, device.verification_uri)?;
    writeln!(out, "and enter the code {}", device.user_code)?;
    writeln!(out, "(as {}; the code expires in {} minutes)", args.user, device.expires_in.div_ceil(60))?;
    writeln!(out, "waiting for the sign-in…")?;
    out.flush()?;
    let tokens = client.wait_for_sign_in(&device).await?;
    let refresh = tokens
        .refresh_token
        .context("the sign-in succeeded but no refresh token came back: add \"offline_access\" to [oauth] scopes")?;
    let store = CredentialStore::new(open_state(&config).await?, Some(vault));
    store.save_refresh_token(&args.user, &refresh).await?;
    writeln!(out, "signed in: the refresh token of {} is stored (encrypted) in the state store", args.user)?;
    if store.check_password(&args.user, "").await? == crate::credstore::PasswordCheck::NotSet {
        writeln!(out, "next: `mapibridge passwd --config {} --user {}`", args.config.display(), args.user)?;
    }
    Ok(())
}

/// Sets the gateway password of a user.
pub async fn passwd(args: PasswdArgs, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let config = load(&args.config)?;
    let password = if args.stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password(format!("New gateway password for {}: ", args.user))?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ; nothing was changed");
        first
    };
    anyhow::ensure!(password.chars().count() >= 8, "the password must have at least 8 characters; nothing was changed");
    warn_if_not_oauth(&config, &args.user, out);
    CredentialStore::new(open_state(&config).await?, None).set_password(&args.user, &password).await?;
    writeln!(out, "gateway password of {} set (argon2id hash in the state store)", args.user)?;
    Ok(())
}
