//! Client auto-configuration from what the gateway actually serves:
//!
//! * Thunderbird autoconfig `config-v1.1.xml` (the Mozilla ISPDB format
//!   Thunderbird fetches from `/.well-known/autoconfig/mail/config-v1.1.xml`
//!   and `http://autoconfig.<domain>/mail/config-v1.1.xml`);
//! * an Apple configuration profile (`.mobileconfig`, a property list with a
//!   `com.apple.mail.managed` payload) for iOS and macOS Mail;
//! * the DNS records to publish: SRV per RFC 6186 (`_imap`, `_imaps`,
//!   `_submission`) and RFC 8314 (`_submissions`), and RFC 6764
//!   (`_caldavs`/`_carddavs`) once DAV exists.

use std::fmt::Write as _;

use crate::frontends::{Protocol, Security};

/// One listener clients can use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// What it serves.
    pub protocol: Protocol,
    /// How it uses TLS.
    pub security: Security,
    /// The port clients connect to.
    pub port: u16,
}

/// What a client needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSettings {
    /// Host name or IP address clients connect to.
    pub host: String,
    /// Provider name shown by clients.
    pub display_name: String,
    /// The listeners that are serving.
    pub services: Vec<Service>,
}

impl ClientSettings {
    /// The preferred service for a protocol: implicit TLS first (RFC 8314 §3).
    pub fn preferred(&self, protocol: Protocol) -> Option<&Service> {
        let mut of = self.services.iter().filter(|s| s.protocol == protocol).collect::<Vec<_>>();
        of.sort_by_key(|s| s.security != Security::Implicit);
        of.first().copied()
    }
}

/// XML text escaping for element content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// The domain of an address, lower-cased; `None` when it is not one.
pub fn domain_of(email: &str) -> Option<String> {
    let (local, domain) = email.rsplit_once('@')?;
    let ok = !local.is_empty()
        && !domain.is_empty()
        && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    ok.then(|| domain.to_ascii_lowercase())
}

/// Thunderbird's `config-v1.1.xml` for `domain`; `None` when no IMAP
/// listener serves (a configuration without an incoming server is useless).
pub fn thunderbird(settings: &ClientSettings, domain: &str) -> Option<String> {
    settings.preferred(Protocol::Imap)?;
    let mut x = String::new();
    let _ = writeln!(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(x, "<clientConfig version=\"1.1\">");
    let _ = writeln!(x, "  <emailProvider id=\"{}\">", xml_escape(domain));
    let _ = writeln!(x, "    <domain>{}</domain>", xml_escape(domain));
    let _ = writeln!(x, "    <displayName>{}</displayName>", xml_escape(&settings.display_name));
    let _ = writeln!(x, "    <displayShortName>{}</displayShortName>", xml_escape(&settings.display_name));
    // Thunderbird tries the servers in document order: implicit TLS first
    // (RFC 8314 §3).
    let mut imap = settings.services.iter().filter(|s| s.protocol == Protocol::Imap).collect::<Vec<_>>();
    imap.sort_by_key(|s| s.security != Security::Implicit);
    for s in imap {
        server(&mut x, "incomingServer", "imap", &settings.host, s);
    }
    let mut smtp = settings.services.iter().filter(|s| s.protocol == Protocol::Submission).collect::<Vec<_>>();
    smtp.sort_by_key(|s| s.security != Security::Implicit);
    for s in smtp {
        server(&mut x, "outgoingServer", "smtp", &settings.host, s);
    }
    let _ = writeln!(x, "  </emailProvider>");
    let _ = writeln!(x, "</clientConfig>");
    Some(x)
}

fn server(x: &mut String, element: &str, kind: &str, host: &str, s: &Service) {
    let socket = match s.security {
        Security::Implicit => "SSL",
        Security::StartTls => "STARTTLS",
    };
    let _ = writeln!(x, "    <{element} type=\"{kind}\">");
    let _ = writeln!(x, "      <hostname>{}</hostname>", xml_escape(host));
    let _ = writeln!(x, "      <port>{}</port>", s.port);
    let _ = writeln!(x, "      <socketType>{socket}</socketType>");
    let _ = writeln!(x, "      <authentication>password-cleartext</authentication>");
    let _ = writeln!(x, "      <username>%EMAILADDRESS%</username>");
    let _ = writeln!(x, "    </{element}>");
}

/// An unsigned Apple configuration profile with one mail account for
/// `email`; `None` without an IMAP listener. The password is not in it:
/// the device asks when the profile is installed.
pub fn mobileconfig(settings: &ClientSettings, email: &str) -> Option<String> {
    let imap = settings.preferred(Protocol::Imap)?;
    let smtp = settings.preferred(Protocol::Submission);
    let domain = domain_of(email).unwrap_or_else(|| "mail".to_owned());
    // Stable identifiers per address: reinstalling replaces the profile
    // instead of adding a second account.
    let id = stable_uuid(email);
    let payload_id = stable_uuid(&format!("payload:{email}"));
    let mut p = String::new();
    p.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    p.push_str(
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n",
    );
    p.push_str("<plist version=\"1.0\">\n<dict>\n");
    key_string(&mut p, 1, "PayloadType", "Configuration");
    key_integer(&mut p, 1, "PayloadVersion", 1);
    key_string(&mut p, 1, "PayloadIdentifier", &format!("mapibridge.{domain}.{id}"));
    key_string(&mut p, 1, "PayloadUUID", &id);
    key_string(&mut p, 1, "PayloadDisplayName", &format!("{} ({email})", settings.display_name));
    key_string(&mut p, 1, "PayloadDescription", &format!("Mail settings for {email} through mapibridge"));
    p.push_str("  <key>PayloadContent</key>\n  <array>\n    <dict>\n");
    key_string(&mut p, 3, "PayloadType", "com.apple.mail.managed");
    key_integer(&mut p, 3, "PayloadVersion", 1);
    key_string(&mut p, 3, "PayloadIdentifier", &format!("mapibridge.{domain}.{payload_id}.mail"));
    key_string(&mut p, 3, "PayloadUUID", &payload_id);
    key_string(&mut p, 3, "PayloadDisplayName", &settings.display_name);
    key_string(&mut p, 3, "EmailAccountDescription", &format!("{} ({email})", settings.display_name));
    key_string(&mut p, 3, "EmailAccountType", "EmailTypeIMAP");
    key_string(&mut p, 3, "EmailAddress", email);
    key_string(&mut p, 3, "IncomingMailServerHostName", &settings.host);
    key_integer(&mut p, 3, "IncomingMailServerPortNumber", imap.port.into());
    key_bool(&mut p, 3, "IncomingMailServerUseSSL", true);
    key_string(&mut p, 3, "IncomingMailServerAuthentication", "EmailAuthPassword");
    key_string(&mut p, 3, "IncomingMailServerUsername", email);
    if let Some(smtp) = smtp {
        key_string(&mut p, 3, "OutgoingMailServerHostName", &settings.host);
        key_integer(&mut p, 3, "OutgoingMailServerPortNumber", smtp.port.into());
        key_bool(&mut p, 3, "OutgoingMailServerUseSSL", true);
        key_string(&mut p, 3, "OutgoingMailServerAuthentication", "EmailAuthPassword");
        key_string(&mut p, 3, "OutgoingMailServerUsername", email);
        key_bool(&mut p, 3, "OutgoingPasswordSameAsIncomingPassword", true);
    }
    p.push_str("    </dict>\n  </array>\n</dict>\n</plist>\n");
    Some(p)
}

fn indent(p: &mut String, level: usize) {
    for _ in 0..level {
        p.push_str("  ");
    }
}

fn key_string(p: &mut String, level: usize, key: &str, value: &str) {
    indent(p, level);
    let _ = writeln!(p, "<key>{key}</key><string>{}</string>", xml_escape(value));
}

fn key_integer(p: &mut String, level: usize, key: &str, value: u64) {
    indent(p, level);
    let _ = writeln!(p, "<key>{key}</key><integer>{value}</integer>");
}

fn key_bool(p: &mut String, level: usize, key: &str, value: bool) {
    indent(p, level);
    let _ = writeln!(p, "<key>{key}</key><{value}/>");
}

/// A UUID-shaped identifier derived from `seed` (FNV-1a over two lanes):
/// profiles need stable, unique-looking PayloadUUIDs, not random ones.
fn stable_uuid(seed: &str) -> String {
    let lane = |basis: u64| seed.bytes().fold(basis, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3));
    let (a, b) = (lane(0xCBF2_9CE4_8422_2325), lane(0x8422_2325_CBF2_9CE4));
    format!(
        "{:08X}-{:04X}-4{:03X}-{:04X}-{:012X}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0x0FFF,
        0x8000 | ((b >> 48) & 0x3FFF),
        b & 0xFFFF_FFFF_FFFF
    )
}

/// The DNS records announcing `settings` for `domain` (zone-file lines).
///
/// RFC 6186 §3: `_imap._tcp` and `_imaps._tcp`, `_submission._tcp`; RFC 8314
/// §5.1: `_submissions._tcp`; a service not offered is published with target
/// `.` so clients stop looking (RFC 6186 §3.4). RFC 6764 §3 records for
/// CalDAV/CardDAV are written as comments while DAV does not exist.
pub fn dns_records(settings: &ClientSettings, domain: &str) -> String {
    let host = settings.host.trim_end_matches('.');
    let mut out = String::new();
    let _ = writeln!(out, "; mapibridge for {domain}: client service records (RFC 6186, RFC 8314, RFC 6764)");
    let wanted = [
        ("_imap", Protocol::Imap, Security::StartTls),
        ("_imaps", Protocol::Imap, Security::Implicit),
        ("_submission", Protocol::Submission, Security::StartTls),
        ("_submissions", Protocol::Submission, Security::Implicit),
    ];
    for (label, protocol, security) in wanted {
        let name = format!("{label}._tcp.{domain}.");
        match settings.services.iter().find(|s| s.protocol == protocol && s.security == security) {
            // Implicit TLS gets the higher priority (lower number), RFC 8314 §5.1.
            Some(s) => {
                let priority = if security == Security::Implicit { 0 } else { 10 };
                let _ = writeln!(out, "{name:<32} 3600 IN SRV {priority} 1 {} {host}.", s.port);
            }
            None => {
                let _ = writeln!(out, "{name:<32} 3600 IN SRV 0 0 0 .");
            }
        }
    }
    let _ = writeln!(out, "{:<32} 3600 IN SRV 0 0 0 .", format!("_pop3._tcp.{domain}."));
    let _ = writeln!(out, "{:<32} 3600 IN SRV 0 0 0 .", format!("_pop3s._tcp.{domain}."));
    let _ = writeln!(out, "; Thunderbird autoconfig (served on the http listener at /mail/config-v1.1.xml):");
    let _ = writeln!(out, "{:<32} 3600 IN CNAME {host}.", format!("autoconfig.{domain}."));
    let _ = writeln!(out, "; CalDAV/CardDAV (RFC 6764) are not served yet; once they are:");
    let _ = writeln!(out, "; _caldavs._tcp.{domain}.  3600 IN SRV 0 1 443 {host}.");
    let _ = writeln!(out, "; _caldavs._tcp.{domain}.  3600 IN TXT \"path=/.well-known/caldav\"");
    let _ = writeln!(out, "; _carddavs._tcp.{domain}. 3600 IN SRV 0 1 443 {host}.");
    let _ = writeln!(out, "; _carddavs._tcp.{domain}. 3600 IN TXT \"path=/.well-known/carddav\"");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> ClientSettings {
        ClientSettings {
            host: "mail.example.com".into(),
            display_name: "Example & Co".into(),
            services: vec![
                Service { protocol: Protocol::Imap, security: Security::StartTls, port: 143 },
                Service { protocol: Protocol::Imap, security: Security::Implicit, port: 993 },
                Service { protocol: Protocol::Submission, security: Security::StartTls, port: 587 },
            ],
        }
    }

    #[test]
    fn thunderbird_lists_every_listener_implicit_tls_first() {
        let xml = thunderbird(&full(), "example.com").unwrap();
        assert!(xml.contains("<displayName>Example &amp; Co</displayName>"), "{xml}");
        let starttls = xml.find("<port>143</port>").unwrap();
        assert!(xml.find("<port>993</port>").unwrap() < starttls, "implicit TLS first: {xml}");
        assert!(xml.contains("<port>993</port>\n      <socketType>SSL</socketType>"), "{xml}");
        assert!(xml[starttls..].starts_with("<port>143</port>\n      <socketType>STARTTLS</socketType>"));
        assert!(xml.contains(
            "<outgoingServer type=\"smtp\">\n      <hostname>mail.example.com</hostname>\n      <port>587</port>"
        ));
        assert_eq!(xml.matches("%EMAILADDRESS%").count(), 3);
    }

    #[test]
    fn no_imap_no_autoconfig() {
        let mut s = full();
        s.services.retain(|s| s.protocol != Protocol::Imap);
        assert!(thunderbird(&s, "example.com").is_none());
        assert!(mobileconfig(&s, "a@example.com").is_none());
    }

    #[test]
    fn mobileconfig_prefers_implicit_tls_and_is_stable() {
        let p = mobileconfig(&full(), "alice@example.com").unwrap();
        assert!(p.contains("<key>IncomingMailServerPortNumber</key><integer>993</integer>"), "{p}");
        assert!(p.contains("<key>OutgoingMailServerPortNumber</key><integer>587</integer>"), "{p}");
        assert!(p.contains("<key>IncomingMailServerUsername</key><string>alice@example.com</string>"));
        assert!(!p.contains("Password</key><string>"), "no password in a profile");
        assert_eq!(p, mobileconfig(&full(), "alice@example.com").unwrap());
        assert_ne!(stable_uuid("alice@example.com"), stable_uuid("bob@example.com"));
        assert_eq!(stable_uuid("x").len(), 36);
    }

    #[test]
    fn dns_records_follow_rfc_6186() {
        let z = dns_records(&full(), "example.com");
        let lines: Vec<String> = z.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        for want in [
            "_imaps._tcp.example.com. 3600 IN SRV 0 1 993 mail.example.com.",
            "_imap._tcp.example.com. 3600 IN SRV 10 1 143 mail.example.com.",
            "_submission._tcp.example.com. 3600 IN SRV 10 1 587 mail.example.com.",
            "_submissions._tcp.example.com. 3600 IN SRV 0 0 0 .",
            "_pop3._tcp.example.com. 3600 IN SRV 0 0 0 .",
        ] {
            assert!(lines.iter().any(|l| l == want), "{want} missing:\n{z}");
        }
    }

    #[test]
    fn domains_are_validated() {
        assert_eq!(domain_of("Alice@Example.COM").as_deref(), Some("example.com"));
        assert_eq!(domain_of("alice@ex<ample>.com"), None);
        assert_eq!(domain_of("nobody"), None);
    }
}
