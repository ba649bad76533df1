//! Mailbox names: the IMAP view of the model's folder paths (RFC 9051
//! §5.1): `INBOX` for the inbox and its subtree, modified UTF-7 on the
//! wire, the Other Users and Shared namespaces (RFC 2342) for delegated
//! mailboxes and public folders, and LIST wildcards.

use mailbox::{FolderInfo, FolderKind, StoreKind};

/// The prefix of the Other Users namespace.
pub(crate) const OTHER_USERS: &str = "Other Users";
/// The prefix of the Shared namespace (public folders).
pub(crate) const SHARED: &str = "Public Folders";

/// How the session names folders.
#[derive(Clone, Debug)]
pub(crate) struct Names {
    pub(crate) delim: char,
    /// The model path of the inbox (`Inbox`), shown as `INBOX`.
    pub(crate) inbox: Option<String>,
}

impl Names {
    /// The IMAP name (UTF-8, before modified UTF-7) of a folder.
    pub(crate) fn imap_name(&self, info: &FolderInfo) -> String {
        let d = self.delim;
        match &info.store {
            StoreKind::Own => self.own_imap(&info.path),
            StoreKind::Delegate(owner) => format!("{OTHER_USERS}{d}{owner}{d}{}", info.path),
            StoreKind::Public => format!("{SHARED}{d}{}", info.path),
        }
    }

    /// An own-mailbox model path as an IMAP name.
    pub(crate) fn own_imap(&self, path: &str) -> String {
        if let Some(inbox) = &self.inbox {
            if path == inbox {
                return "INBOX".into();
            }
            if let Some(rest) = path.strip_prefix(inbox.as_str()).and_then(|r| r.strip_prefix(self.delim)) {
                return format!("INBOX{}{rest}", self.delim);
            }
        }
        path.to_owned()
    }

    /// The own-mailbox model path of an IMAP name; `None` for names in the
    /// other namespaces.
    pub(crate) fn own_path(&self, name: &str) -> Option<String> {
        let d = self.delim;
        let first = name.split(d).next().unwrap_or(name);
        if first == OTHER_USERS || first == SHARED {
            return None;
        }
        if first.eq_ignore_ascii_case("INBOX") {
            let inbox = self.inbox.clone().unwrap_or_else(|| "INBOX".into());
            return Some(format!("{inbox}{}", &name[first.len()..]));
        }
        Some(name.to_owned())
    }
}

impl Names {
    /// The store and store-relative path an IMAP name in the Other Users
    /// or Shared namespace names (`Other Users/<owner>/<path>`,
    /// `Public Folders/<path>`); `None` for other names. The owner is
    /// matched case-insensitively (it is an address).
    pub(crate) fn other_store(&self, name: &str) -> Option<(StoreKind, String)> {
        let d = self.delim;
        let (first, rest) = name.split_once(d)?;
        if first == OTHER_USERS {
            let (owner, path) = rest.split_once(d)?;
            return (!owner.is_empty() && !path.is_empty())
                .then(|| (StoreKind::Delegate(owner.to_lowercase()), path.to_owned()));
        }
        (first == SHARED && !rest.is_empty()).then(|| (StoreKind::Public, rest.to_owned()))
    }
}

/// Whether the folder is shown to IMAP clients.
pub(crate) fn listed(info: &FolderInfo) -> bool {
    info.kind == FolderKind::Mail && !info.hidden()
}

/// RFC 9051 §6.3.9 wildcard match: `*` matches anything, `%` anything but
/// the delimiter. `INBOX` matches case-insensitively.
pub(crate) fn matches(pattern: &str, name: &str, delim: char) -> bool {
    fn go(p: &[char], n: &[char], delim: char) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len()).any(|i| go(&p[1..], &n[i..], delim)),
            Some('%') => {
                for i in 0..=n.len() {
                    if go(&p[1..], &n[i..], delim) {
                        return true;
                    }
                    if n.get(i) == Some(&delim) {
                        break;
                    }
                }
                false
            }
            Some(c) => n.first() == Some(c) && go(&p[1..], &n[1..], delim),
        }
    }
    let fold = |s: &str| -> Vec<char> {
        match s.get(..5) {
            Some(head) if head.eq_ignore_ascii_case("INBOX") => "INBOX".chars().chain(s[5..].chars()).collect(),
            _ => s.chars().collect(),
        }
    };
    go(&fold(pattern), &fold(name), delim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_follow_rfc9051() {
        assert!(matches("*", "INBOX/a/b", '/'));
        assert!(matches("%", "Drafts", '/'));
        assert!(!matches("%", "INBOX/a", '/'));
        assert!(matches("INBOX/%", "INBOX/a", '/'));
        assert!(matches("inbox", "INBOX", '/'));
        assert!(matches("Sent*", "Sent Items", '/'));
        assert!(!matches("Sent", "Sent Items", '/'));
    }

    #[test]
    fn inbox_subtree_is_named_inbox() {
        let n = Names { delim: '/', inbox: Some("Inbox".into()) };
        assert_eq!(n.own_imap("Inbox"), "INBOX");
        assert_eq!(n.own_imap("Inbox/Lists"), "INBOX/Lists");
        assert_eq!(n.own_imap("Inboxes"), "Inboxes");
        assert_eq!(n.own_path("inbox/Lists").as_deref(), Some("Inbox/Lists"));
        assert_eq!(n.own_path("Other Users/bob/Inbox"), None);
    }

    #[test]
    fn other_namespaces_name_their_store() {
        let n = Names { delim: '/', inbox: Some("Inbox".into()) };
        assert_eq!(
            n.other_store("Other Users/Team@Example.test/Inbox/Sub"),
            Some((StoreKind::Delegate("team@example.test".into()), "Inbox/Sub".into()))
        );
        assert_eq!(n.other_store("Public Folders/News"), Some((StoreKind::Public, "News".into())));
        assert_eq!(n.other_store("Other Users/team@example.test"), None);
        assert_eq!(n.other_store("Other Users//Inbox"), None);
        assert_eq!(n.other_store("INBOX/Other Users/a/b"), None);
    }
}
