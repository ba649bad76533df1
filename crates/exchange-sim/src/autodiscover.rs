//! Autodiscover POX ([MS-OXDSCLI] 2.2.3–2.2.4, 3.1.4; digest §8.1):
//! `POST /autodiscover/autodiscover.xml` with an `outlook/requestschema/2006`
//! request answers the `responseschema/2006a` settings of the named user:
//! `User` (DisplayName, LegacyDN, AutoDiscoverSMTPAddress, DeploymentId)
//! and, when the client sends `X-MapiHttpCapability` ≥ 1, the
//! `<Protocol Type="mapiHttp" Version="1">` block with MailStore and
//! AddressBook Internal/External URLs pointing at this server
//! ([MS-OXDSCLI] 2.2.4.1.1.2.2). No EWS/RPC protocol blocks: the simulator
//! serves neither. (gromox sends the mapiHttp block with or without the
//! header, corrections A22; we follow the spec.)

use crate::auth::{AuthUser, UserDirectory};

/// The fixed DeploymentId the simulator reports.
pub const DEPLOYMENT_ID: &str = "6f2c7e1a-5b3d-4e8f-9a0b-1c2d3e4f5a6b";

/// The request's `EMailAddress`, if any ([MS-OXDSCLI] 2.2.3.1.1.1).
pub fn requested_address(body: &str) -> Option<&str> {
    let start = find_ci(body, "<EMailAddress>")? + "<EMailAddress>".len();
    let len = find_ci(body.get(start..)?, "</EMailAddress>")?;
    let v = body.get(start..start + len)?.trim();
    (!v.is_empty()).then_some(v)
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The mapiHttp protocol version to announce for an `X-MapiHttpCapability`
/// header value: `min(value, 1)`, or `None` without a usable value.
pub fn mapi_http_version(capability: Option<&str>) -> Option<u32> {
    let v: u32 = capability?.trim().parse().ok()?;
    (v >= 1).then_some(1)
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// The settings response for `user`; `base_url` is this server's
/// `scheme://host[:port]`.
pub fn settings_response(user: &AuthUser, base_url: &str, mapi_http_version: Option<u32>) -> String {
    settings_response_with(user, &[], base_url, mapi_http_version)
}

/// [`settings_response`] with `AlternativeMailbox` entries of type
/// `Delegate` for `alternatives` ([MS-OXDSCLI] 2.2.4.1.1.2.1: the
/// mailboxes Exchange automaps into the user's profile).
pub fn settings_response_with(
    user: &AuthUser,
    alternatives: &[AuthUser],
    base_url: &str,
    mapi_http_version: Option<u32>,
) -> String {
    let mut xml = String::with_capacity(2048);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n");
    xml.push_str("<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">");
    xml.push_str(
        "<Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">",
    );
    xml.push_str("<User>");
    xml.push_str(&format!("<DisplayName>{}</DisplayName>", escape(&user.display_name)));
    xml.push_str(&format!("<LegacyDN>{}</LegacyDN>", escape(&user.legacy_dn)));
    xml.push_str(&format!("<AutoDiscoverSMTPAddress>{}</AutoDiscoverSMTPAddress>", escape(&user.address)));
    xml.push_str(&format!("<DeploymentId>{DEPLOYMENT_ID}</DeploymentId>"));
    xml.push_str("</User><Account><AccountType>email</AccountType><Action>settings</Action>");
    xml.push_str("<MicrosoftOnline>False</MicrosoftOnline><ConsumerMailbox>False</ConsumerMailbox>");
    for alt in alternatives {
        xml.push_str(&format!(
            "<AlternativeMailbox><Type>Delegate</Type><DisplayName>{}</DisplayName>\
             <LegacyDN>{}</LegacyDN><SmtpAddress>{}</SmtpAddress>\
             <OwnerSmtpAddress>{}</OwnerSmtpAddress></AlternativeMailbox>",
            escape(&alt.display_name),
            escape(&alt.legacy_dn),
            escape(&alt.address),
            escape(&alt.address)
        ));
    }
    if let Some(version) = mapi_http_version {
        let id = escape(&user.mailbox_id());
        let base = escape(base_url.trim_end_matches('/'));
        let store = format!("{base}/mapi/emsmdb/?MailboxId={id}");
        let book = format!("{base}/mapi/nspi/?MailboxId={id}");
        xml.push_str(&format!(
            "<Protocol Type=\"mapiHttp\" Version=\"{version}\">\
             <MailStore><InternalUrl>{store}</InternalUrl><ExternalUrl>{store}</ExternalUrl></MailStore>\
             <AddressBook><InternalUrl>{book}</InternalUrl><ExternalUrl>{book}</ExternalUrl></AddressBook>\
             </Protocol>"
        ));
    }
    xml.push_str("</Account></Response></Autodiscover>\r\n");
    xml
}

/// An Autodiscover error response ([MS-OXDSCLI] 2.2.4.1.1.1: ErrorCode 500
/// "The e-mail address cannot be found.", 600 "Invalid Request").
pub fn error_response(code: u32, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\
         <Response><Error Time=\"00:00:00\" Id=\"1\"><ErrorCode>{code}</ErrorCode><Message>{}</Message>\
         <DebugData /></Error></Response></Autodiscover>\r\n",
        escape(message)
    )
}

/// The response body for a request body from an authenticated user.
pub fn respond(body: &[u8], directory: &dyn UserDirectory, base_url: &str, capability: Option<&str>) -> String {
    let Some(address) = std::str::from_utf8(body).ok().and_then(requested_address) else {
        return error_response(600, "Invalid Request");
    };
    match directory.lookup(address) {
        Some(user) => {
            let alternatives = directory.automapped(&user.address);
            settings_response_with(&user, &alternatives, base_url, mapi_http_version(capability))
        }
        None => error_response(500, "The e-mail address cannot be found."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(name: &str) -> Option<Vec<u8>> {
        let mut dirs = Vec::new();
        if let Ok(d) = std::env::var("MAPI_CAPTURES") {
            dirs.push(std::path::PathBuf::from(d));
        }
        dirs.push(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures/gromox-3.10"));
        dirs.push("/work/shared/captures/gromox-3.10".into());
        let found = dirs.iter().find_map(|d| std::fs::read(d.join(name)).ok());
        if found.is_none() {
            eprintln!("capture {name} not found; skipping");
        }
        found
    }

    #[test]
    fn capture_001_request_names_alice() {
        let Some(body) = capture("001-autodiscover-alice.req.bin") else { return };
        let text = String::from_utf8(body).expect("utf8");
        assert_eq!(requested_address(&text), Some("alice@example.test"));
    }

    #[test]
    fn capability_selects_the_mapi_http_block() {
        assert_eq!(mapi_http_version(Some("1")), Some(1));
        assert_eq!(mapi_http_version(Some("2")), Some(1));
        assert_eq!(mapi_http_version(Some("0")), None);
        assert_eq!(mapi_http_version(Some("x")), None);
        assert_eq!(mapi_http_version(None), None);
        let user = AuthUser {
            address: "alice@example.test".into(),
            display_name: "Alice <A&B>".into(),
            legacy_dn: "/o=Sim/cn=alice".into(),
            mailbox_guid: mapi_wire::Guid([1; 16]),
        };
        let with = settings_response(&user, "https://127.0.0.1:8443", Some(1));
        assert!(with.contains("<Protocol Type=\"mapiHttp\" Version=\"1\"><MailStore><InternalUrl>https://127.0.0.1:8443/mapi/emsmdb/?MailboxId="));
        assert!(with.contains("Alice &lt;A&amp;B&gt;"));
        assert!(!with.contains("Ews"));
        let team = AuthUser {
            address: "team@example.test".into(),
            display_name: "Team".into(),
            legacy_dn: "/o=Sim/cn=team".into(),
            mailbox_guid: mapi_wire::Guid([2; 16]),
        };
        let mapped = settings_response_with(&user, &[team], "https://127.0.0.1:8443", Some(1));
        assert!(mapped.contains(
            "<AlternativeMailbox><Type>Delegate</Type><DisplayName>Team</DisplayName><LegacyDN>/o=Sim/cn=team</LegacyDN>\
             <SmtpAddress>team@example.test</SmtpAddress>"
        ));
        assert!(!with.contains("AlternativeMailbox"));
        let without = settings_response(&user, "https://127.0.0.1:8443", None);
        assert!(!without.contains("mapiHttp"));
        assert!(without.contains("<LegacyDN>/o=Sim/cn=alice</LegacyDN>"));
    }
}
