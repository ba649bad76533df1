//! The URL layout (below the configured prefix, `/dav` by default):
//!
//! ```text
//! /dav/                                   root: current-user-principal
//! /dav/principals/<user>/                 principal (RFC 3744 §2, RFC 4791 §6.2.1)
//! /dav/calendars/<user>/                  calendar-home-set
//! /dav/calendars/<user>/<folder>/         calendar (Calendar and Tasks folders)
//! /dav/calendars/<user>/<folder>/<name>   calendar object resource
//! /dav/addressbooks/<user>/...            the same for address books (RFC 6352 §7.1.1)
//! ```
//!
//! `<folder>` is the hex of the backend's folder id (stable across renames,
//! never contains `/`), `<name>` the item's name. Segments are
//! percent-decoded; `.`/`..`, empty inner segments and decoded `/`, `\` or
//! NUL are refused, so no path can step outside its collection.

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// Calendars or address books.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Home {
    Calendars,
    AddressBooks,
}

impl Home {
    pub(crate) fn segment(self) -> &'static str {
        match self {
            Self::Calendars => "calendars",
            Self::AddressBooks => "addressbooks",
        }
    }
}

/// What a request URL names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Root,
    Principal { user: String },
    Home { home: Home, user: String },
    Collection { home: Home, user: String, folder: String },
    Item { home: Home, user: String, folder: String, name: String },
}

/// A path that tries to leave its place or is not ours.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PathError {
    /// `..`, an encoded separator or NUL: refused (400).
    Traversal,
    /// Not a resource of this server (404).
    NotFound,
}

/// Characters escaped in href segments.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// One path segment, escaped for an href.
pub(crate) fn encode(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// Parses the request path (without query) below `prefix`.
pub(crate) fn parse(prefix: &str, path: &str) -> Result<Target, PathError> {
    let rest = path.strip_prefix(prefix).ok_or(PathError::NotFound)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return Err(PathError::NotFound);
    }
    let raw: Vec<&str> = rest.split('/').skip(1).collect();
    let trailing = raw.last().is_some_and(|s| s.is_empty());
    let raw = if trailing { &raw[..raw.len() - 1] } else { &raw[..] };
    let mut segs = Vec::with_capacity(raw.len());
    for s in raw {
        let decoded = percent_decode_str(s).decode_utf8().map_err(|_| PathError::Traversal)?;
        if decoded.is_empty() || decoded == "." || decoded == ".." || decoded.contains(['/', '\\', '\0']) {
            return Err(PathError::Traversal);
        }
        segs.push(decoded.into_owned());
    }
    let home = |s: &str| match s {
        "calendars" => Some(Home::Calendars),
        "addressbooks" => Some(Home::AddressBooks),
        _ => None,
    };
    let mut it = segs.into_iter();
    let first = it.next();
    let (user, folder, name) = (it.next(), it.next(), it.next());
    if it.next().is_some() {
        return Err(PathError::NotFound);
    }
    Ok(match (first.as_deref(), user, folder, name) {
        (None, ..) => Target::Root,
        (Some("principals"), Some(user), None, None) => Target::Principal { user },
        (Some(h), Some(user), None, None) if home(h).is_some() => {
            Target::Home { home: home(h).ok_or(PathError::NotFound)?, user }
        }
        (Some(h), Some(user), Some(folder), None) if home(h).is_some() => {
            Target::Collection { home: home(h).ok_or(PathError::NotFound)?, user, folder }
        }
        (Some(h), Some(user), Some(folder), Some(name)) if home(h).is_some() => {
            Target::Item { home: home(h).ok_or(PathError::NotFound)?, user, folder, name }
        }
        _ => return Err(PathError::NotFound),
    })
}

/// Hex of a folder id (the collection segment).
pub(crate) fn folder_segment(id: &mailbox::FolderId) -> String {
    id.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The folder id a collection segment spells: the inverse of
/// [`folder_segment`]. Only its own spelling (lowercase hex, two digits a
/// byte) names a folder, so one folder has one URL.
pub(crate) fn folder_id(segment: &str) -> Option<mailbox::FolderId> {
    let bytes: Vec<u8> = (0..segment.len())
        .step_by(2)
        .map(|i| segment.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<_>>()?;
    let id = mailbox::FolderId::new(bytes);
    (folder_segment(&id) == segment).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_layout() {
        assert_eq!(parse("/dav", "/dav/"), Ok(Target::Root));
        assert_eq!(parse("/dav", "/dav"), Ok(Target::Root));
        assert_eq!(parse("/dav", "/dav/principals/a%40b/"), Ok(Target::Principal { user: "a@b".into() }));
        assert_eq!(
            parse("/dav", "/dav/calendars/a/0a/x%20y.ics"),
            Ok(Target::Item { home: Home::Calendars, user: "a".into(), folder: "0a".into(), name: "x y.ics".into() })
        );
        assert_eq!(parse("/dav", "/davx/"), Err(PathError::NotFound));
    }

    #[test]
    fn traversal_is_refused() {
        for p in [
            "/dav/calendars/a/../../etc/passwd",
            "/dav/calendars/a/0a/%2e%2e",
            "/dav/calendars/a/0a/..%2fb",
            "/dav/calendars/a/0a/x%5cy",
            "/dav/calendars/a/0a/x%00",
            "/dav/calendars//0a/",
        ] {
            assert_eq!(parse("/dav", p), Err(PathError::Traversal), "{p}");
        }
    }

    #[test]
    fn only_the_canonical_spelling_names_a_folder() {
        assert_eq!(folder_id("00ff1a").map(|id| id.as_bytes().to_vec()), Some(vec![0x00, 0xff, 0x1a]));
        // Uppercase, an odd digit count, a sign u8::from_str_radix accepts,
        // non-hex and non-ASCII spell no folder.
        for s in ["00FF1A", "0ff", "+f", "zz", "é0"] {
            assert!(folder_id(s).is_none(), "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn folder_ids_round_trip_through_their_segment(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..48)) {
            let id = mailbox::FolderId::new(bytes);
            let segment = folder_segment(&id);
            proptest::prop_assert!(!segment.contains(['/', '%']));
            proptest::prop_assert_eq!(folder_id(&segment), Some(id));
        }

        #[test]
        fn a_segment_names_at_most_the_folder_that_spells_it(segment in "[0-9a-fA-F+é/]{0,12}") {
            if let Some(id) = folder_id(&segment) {
                proptest::prop_assert_eq!(folder_segment(&id), segment);
            }
        }
    }

    #[test]
    fn encodes_segments() {
        assert_eq!(encode("a b/c%.ics"), "a%20b%2Fc%25.ics");
        assert_eq!(encode("alice@example.com"), "alice@example.com");
    }
}
