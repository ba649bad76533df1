//! `mapibridge dns --config FILE`: the DNS records to publish so clients
//! find the gateway by themselves (RFC 6186 SRV, RFC 8314, the autoconfig
//! host; RFC 6764 once CalDAV/CardDAV exist).

use std::fmt::Write as _;

use crate::autoconfig::{ClientSettings, Service, dns_records};
use crate::config::Config;
use crate::frontends::Protocol;
use crate::serve::listener_specs;

/// `mapibridge dns` options.
#[derive(clap::Args, Clone, Debug)]
pub struct DnsArgs {
    /// The configuration file.
    #[arg(long)]
    pub config: std::path::PathBuf,
}

/// The zone-file text for every domain of `[public]`.
///
/// Ports are the configured ones (a load balancer in front must keep them);
/// a configured protocol this build cannot serve is published anyway with a
/// warning comment, since the records describe the deployment, not this binary.
pub fn records(config: &Config, missing: impl Fn(Protocol) -> Option<&'static str>) -> Result<String, String> {
    let host = config.public.hostname.clone().ok_or("[public] hostname is needed: the SRV records point at it")?;
    if config.public.domains.is_empty() {
        return Err("[public] domains is empty: name the mail domains the records are for".to_owned());
    }
    let specs = listener_specs(config);
    let mut out = String::new();
    for spec in &specs {
        if let Some(why) = missing(spec.protocol) {
            let _ = writeln!(out, "; warning: {} ({}) is configured but not served: {why}", spec.name, spec.addr);
        }
    }
    let settings = ClientSettings {
        host,
        display_name: config.public.display_name.clone().unwrap_or_else(|| "mapibridge".to_owned()),
        services: specs
            .iter()
            .map(|s| Service { protocol: s.protocol, security: s.security, port: s.addr.port() })
            .collect(),
    };
    for domain in &config.public.domains {
        out.push_str(&dns_records(&settings, domain));
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontends::FrontEnds;

    #[test]
    fn example_config_records() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/mapibridge.example.toml");
        let config = Config::load(&path).unwrap();
        let z = records(&config, |_| Some("not built")).unwrap();
        let norm: Vec<String> = z.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        assert!(norm.iter().any(|l| l == "_imaps._tcp.example.com. 3600 IN SRV 0 1 993 mail.example.com."), "{z}");
        assert!(
            norm.iter().any(|l| l == "_submissions._tcp.example.com. 3600 IN SRV 0 1 465 mail.example.com."),
            "{z}"
        );
        assert!(z.contains("; warning: imap (0.0.0.0:143) is configured but not served: not built"), "{z}");
        let z = records(&config, FrontEnds::missing_from_build).unwrap();
        assert!(z.contains("_imap._tcp.example.com.") && !z.contains("warning"), "{z}");
    }

    #[test]
    fn hostname_is_required() {
        let config = Config::parse("[exchange]\n", "t.toml").unwrap();
        assert!(records(&config, |_| None).unwrap_err().contains("hostname"));
    }
}
