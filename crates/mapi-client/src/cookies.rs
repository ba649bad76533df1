//! A minimal cookie jar for one session context: every `Set-Cookie` name the server
//! uses (gromox `sid`/`sequence`, Exchange `MapiContext`/`MapiSequence`) is kept and
//! replayed ([MS-OXCMAPIHTTP] 3.1.5.2). Attributes are ignored: the jar belongs to one
//! endpoint URL. Values are secrets.

use crate::Secret;

/// Most cookies kept (a hostile server cannot grow the jar without bound).
const MAX_COOKIES: usize = 32;
/// Longest cookie line accepted.
const MAX_COOKIE_LEN: usize = 4096;

/// Cookies of one session context, in the order first set.
#[derive(Clone, Debug, Default)]
pub(crate) struct CookieJar {
    cookies: Vec<(String, Secret<String>)>,
}

impl CookieJar {
    /// Applies one `Set-Cookie` header value (RFC 6265 5.2: `name=value` before the
    /// first `;`). An empty value or `Max-Age=0` removes the cookie.
    pub(crate) fn set(&mut self, header: &str) {
        if header.len() > MAX_COOKIE_LEN {
            return;
        }
        let mut parts = header.split(';');
        let Some((name, value)) = parts.next().and_then(|nv| nv.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            return;
        }
        let expired = parts.any(|a| {
            a.trim().split_once('=').is_some_and(|(k, v)| k.trim().eq_ignore_ascii_case("max-age") && v.trim() == "0")
        });
        self.cookies.retain(|(n, _)| n != name);
        if !expired && !value.is_empty() && self.cookies.len() < MAX_COOKIES {
            self.cookies.push((name.to_owned(), Secret::new(value.to_owned())));
        }
    }

    /// The `Cookie` header value, if any cookie is set.
    pub(crate) fn header(&self) -> Option<String> {
        if self.cookies.is_empty() {
            return None;
        }
        let parts: Vec<String> = self.cookies.iter().map(|(n, v)| format!("{n}={}", v.expose())).collect();
        Some(parts.join("; "))
    }

    /// Forgets every cookie (a fresh context).
    pub(crate) fn clear(&mut self) {
        self.cookies.clear();
    }

    /// A cookie's value (tests).
    #[cfg(test)]
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(n, _)| n == name).map(|(_, v)| v.expose().as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gromox_cookies_replay_in_order_and_update() {
        let mut jar = CookieJar::default();
        jar.set("sid=alk6icfbe8b0exu8amedplwee7m8tek8");
        jar.set("sequence=893608bc-104f-4efe-9ec7-da13544201a4");
        assert_eq!(
            jar.header().as_deref(),
            Some("sid=alk6icfbe8b0exu8amedplwee7m8tek8; sequence=893608bc-104f-4efe-9ec7-da13544201a4")
        );
        jar.set("sequence=d14fed18-f728-47f8-81b7-9ad123c77804; Path=/mapi/");
        assert_eq!(jar.value("sequence"), Some("d14fed18-f728-47f8-81b7-9ad123c77804"));
        jar.set("MapiContext=abc; Max-Age=0");
        assert_eq!(jar.value("MapiContext"), None);
        assert!(!format!("{jar:?}").contains("alk6"));
        for i in 0..100 {
            jar.set(&format!("c{i}=v"));
        }
        assert!(jar.cookies.len() <= MAX_COOKIES);
    }
}
