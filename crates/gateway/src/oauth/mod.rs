//! OAuth 2.0 towards Entra ID (Exchange Online): the device authorization
//! grant of `mapibridge login` (RFC 8628) and the refresh-token grant the
//! running gateway uses (RFC 6749 §6), against the v2.0 endpoints
//! `{authority}/{tenant}/oauth2/v2.0/devicecode` and `…/token`.
//!
//! Tokens travel as [`Secret`]s: they never reach a log line or a `Debug`
//! print.

pub(crate) mod http;
pub mod poll;

use std::time::Duration;

use mapi_client::Secret;
use serde::Deserialize;

use crate::config::OAuthConfig;
pub use poll::{DevicePoll, PollStep};

/// How long one call to the authorization server may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Why an OAuth call failed.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The authorization server could not be reached or answered garbage.
    #[error("authorization server: {0}")]
    Http(String),
    /// RFC 8628 §3.5 `access_denied`: the user declined.
    #[error("the sign-in was declined (access_denied); run `mapibridge login` again to retry")]
    Denied,
    /// RFC 8628 §3.5 `expired_token`, or the device code's lifetime passed.
    #[error("the code expired before the sign-in was completed (expired_token); run `mapibridge login` again")]
    Expired,
    /// RFC 6749 §5.2 `invalid_grant` on a refresh: the refresh token was
    /// revoked or expired.
    #[error(
        "the stored refresh token was refused (invalid_grant: {0}); an administrator must run `mapibridge login` for this user again"
    )]
    InvalidGrant(String),
    /// Any other RFC 6749 §5.2 error.
    #[error("authorization server refused: {error}: {description}")]
    Refused {
        /// The `error` code.
        error: String,
        /// The `error_description`, if any.
        description: String,
    },
}

/// RFC 8628 §3.2 Device Authorization Response.
#[derive(Debug, Deserialize)]
pub struct DeviceAuthorization {
    /// The device verification code (sent back when polling).
    #[serde(deserialize_with = "secret")]
    pub device_code: Secret<String>,
    /// What the user types at `verification_uri`.
    pub user_code: String,
    /// Where the user signs in. Entra ID's v1 endpoints said `verification_url`.
    #[serde(alias = "verification_url")]
    pub verification_uri: String,
    /// The same with the code filled in, if the server offers it.
    #[serde(default)]
    pub verification_uri_complete: Option<String>,
    /// Lifetime of the codes, in seconds.
    pub expires_in: u64,
    /// Seconds between polls (default 5, §3.2).
    #[serde(default = "default_interval")]
    pub interval: u64,
    /// A sentence for the user, if the server sends one.
    #[serde(default)]
    pub message: Option<String>,
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Secret<String>, D::Error> {
    String::deserialize(d).map(Secret::from)
}

fn default_interval() -> u64 {
    5
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug)]
pub struct TokenSet {
    /// The access token for Exchange.
    pub access_token: Secret<String>,
    /// A new refresh token (Entra ID rotates them), if one came.
    pub refresh_token: Option<Secret<String>>,
    /// Seconds the access token lives.
    pub expires_in: u64,
}

/// What a token endpoint answered: tokens or an RFC 6749 §5.2 error.
#[derive(Debug)]
pub enum TokenAnswer {
    /// Tokens.
    Tokens(TokenSet),
    /// `error` and `error_description`.
    Error {
        /// The error code.
        error: String,
        /// Its description.
        description: String,
    },
}

#[derive(Deserialize)]
struct RawTokenAnswer {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    error: Option<String>,
    error_description: Option<String>,
}

impl TokenAnswer {
    fn parse(status: u16, body: &[u8]) -> Result<Self, OAuthError> {
        let raw: RawTokenAnswer = serde_json::from_slice(body)
            .map_err(|e| OAuthError::Http(format!("token endpoint answered HTTP {status} without JSON: {e}")))?;
        if let Some(access) = raw.access_token {
            // Entra ID v1 sent expires_in as a string.
            let expires_in = match raw.expires_in {
                Some(serde_json::Value::Number(n)) => n.as_u64().unwrap_or(3600),
                Some(serde_json::Value::String(s)) => s.parse().unwrap_or(3600),
                _ => 3600,
            };
            return Ok(Self::Tokens(TokenSet {
                access_token: access.into(),
                refresh_token: raw.refresh_token.map(Into::into),
                expires_in,
            }));
        }
        match raw.error {
            Some(error) => Ok(Self::Error { error, description: raw.error_description.unwrap_or_default() }),
            None => {
                Err(OAuthError::Http(format!("token endpoint answered HTTP {status} with neither token nor error")))
            }
        }
    }
}

/// The application's endpoints and identity.
#[derive(Clone, Debug)]
pub struct OAuthClient {
    device_url: String,
    token_url: String,
    client_id: String,
    scope: String,
}

impl OAuthClient {
    /// From `[oauth]`.
    pub fn new(config: &OAuthConfig) -> Self {
        let base = format!("{}/{}/oauth2/v2.0", config.authority.trim_end_matches('/'), config.tenant);
        Self {
            device_url: format!("{base}/devicecode"),
            token_url: format!("{base}/token"),
            client_id: config.client_id.clone(),
            scope: config.scopes.join(" "),
        }
    }

    /// RFC 8628 §3.1: asks for a device code and a user code.
    pub async fn device_authorization(&self) -> Result<DeviceAuthorization, OAuthError> {
        let answer =
            http::post_form(&self.device_url, &[("client_id", &self.client_id), ("scope", &self.scope)], CALL_TIMEOUT)
                .await?;
        if answer.status != 200 {
            return Err(match TokenAnswer::parse(answer.status, &answer.body) {
                Ok(TokenAnswer::Error { error, description }) => OAuthError::Refused { error, description },
                _ => OAuthError::Http(format!("device authorization endpoint answered HTTP {}", answer.status)),
            });
        }
        serde_json::from_slice(&answer.body).map_err(|e| OAuthError::Http(format!("device authorization answer: {e}")))
    }

    /// RFC 8628 §3.4: one poll of the token endpoint.
    pub async fn poll_once(&self, device: &DeviceAuthorization) -> Result<TokenAnswer, OAuthError> {
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", self.client_id.as_str()),
            ("device_code", device.device_code.expose().as_str()),
        ];
        let answer = http::post_form(&self.token_url, &form, CALL_TIMEOUT).await?;
        TokenAnswer::parse(answer.status, &answer.body)
    }

    /// Polls until the user signs in, declines, or the code expires,
    /// honouring `interval` and `slow_down` (RFC 8628 §3.5).
    pub async fn wait_for_sign_in(&self, device: &DeviceAuthorization) -> Result<TokenSet, OAuthError> {
        let mut poll = DevicePoll::new(device, std::time::Instant::now());
        loop {
            match poll.next_wait(std::time::Instant::now()) {
                PollStep::Wait(d) => tokio::time::sleep(d).await,
                PollStep::Fail(e) => return Err(e),
                PollStep::Done(t) => return Ok(t),
            }
            match poll.on_answer(self.poll_once(device).await?) {
                PollStep::Done(t) => return Ok(t),
                PollStep::Fail(e) => return Err(e),
                PollStep::Wait(_) => {}
            }
        }
    }

    /// RFC 6749 §6: a new access token (and usually a rotated refresh
    /// token) for `refresh_token`.
    pub async fn refresh(&self, refresh_token: &Secret<String>) -> Result<TokenSet, OAuthError> {
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.client_id.as_str()),
            ("refresh_token", refresh_token.expose().as_str()),
            ("scope", self.scope.as_str()),
        ];
        let answer = http::post_form(&self.token_url, &form, CALL_TIMEOUT).await?;
        match TokenAnswer::parse(answer.status, &answer.body)? {
            TokenAnswer::Tokens(t) => Ok(t),
            TokenAnswer::Error { error, description } if error == "invalid_grant" => {
                Err(OAuthError::InvalidGrant(first_line(&description)))
            }
            TokenAnswer::Error { error, description } => Err(OAuthError::Refused { error, description }),
        }
    }
}

/// Entra ID descriptions run to several lines of trace ids; the first says
/// what happened.
fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers_parse_both_shapes() {
        let ok = br#"{"token_type":"Bearer","access_token":"at","refresh_token":"rt","expires_in":"3599"}"#;
        match TokenAnswer::parse(200, ok).unwrap() {
            TokenAnswer::Tokens(t) => {
                assert_eq!(t.expires_in, 3599);
                assert_eq!(t.access_token.expose(), "at");
                assert!(!format!("{t:?}").contains("at\""), "tokens never print");
            }
            other => panic!("{other:?}"),
        }
        let pending = br#"{"error":"authorization_pending","error_description":"AADSTS70016: pending"}"#;
        assert!(matches!(
            TokenAnswer::parse(400, pending).unwrap(),
            TokenAnswer::Error { error, .. } if error == "authorization_pending"
        ));
        assert!(TokenAnswer::parse(502, b"<html>").is_err());
    }

    #[test]
    fn endpoints_follow_the_authority_and_tenant() {
        let c = OAuthClient::new(&OAuthConfig {
            tenant: "contoso.onmicrosoft.com".into(),
            client_id: "id".into(),
            scopes: vec!["a".into(), "offline_access".into()],
            authority: "https://login.microsoftonline.com/".into(),
            secret: None,
            secret_file: None,
        });
        assert_eq!(c.device_url, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode");
        assert_eq!(c.token_url, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
        assert_eq!(c.scope, "a offline_access");
    }
}
