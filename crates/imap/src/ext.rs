//! The command forms imap-codec 2.0.0-alpha.10 does not parse, recognised
//! before the complete message is handed to it: LIST with selection or
//! return options or several patterns (RFC 5258 LIST-EXTENDED, RFC 5819
//! LIST-STATUS, RFC 6154 §3 SPECIAL-USE options) and `SEARCH RETURN (...)`
//! (RFC 4731 ESEARCH).
//!
//! The parser sees one framed message (the fragmentizer has already applied
//! the line and literal limits) and allocates at most what that message
//! holds; lists are capped at [`MAX_ITEMS`]. Anything it does not recognise
//! is left to imap-codec, so its answer is either a command of these forms
//! or `None`. For ESEARCH only the `RETURN (...)` part is taken here: the
//! search criteria are re-encoded without it and decoded by imap-codec.

use imap_codec::CommandCodec;
use imap_codec::decode::Decoder as _;
use imap_codec::imap_types::IntoStatic;
use imap_codec::imap_types::command::Command;

/// Most options, patterns or status items one list may hold.
pub(crate) const MAX_ITEMS: usize = 64;

/// A command of the extended forms.
#[derive(Debug)]
pub(crate) enum ExtCommand {
    /// RFC 5258 `LIST [(selection)] reference patterns [RETURN (options)]`.
    List(ListExtended),
    /// RFC 4731 `[UID] SEARCH RETURN (options) criteria`.
    Search(ESearch),
    /// A command of these forms that is malformed: `tag BAD text`.
    Bad { tag: String, text: &'static str },
}

/// RFC 5258 §3 / RFC 5819 §2: what a LIST asks for.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ListExtended {
    pub(crate) tag: String,
    /// Selection option SUBSCRIBED.
    pub(crate) subscribed: bool,
    /// Selection option REMOTE (no mailbox here is remote: no effect).
    pub(crate) remote: bool,
    /// Selection option RECURSIVEMATCH (needs another selection option).
    pub(crate) recursive_match: bool,
    /// RFC 6154 §3 selection option SPECIAL-USE.
    pub(crate) special_use_only: bool,
    /// The reference name, raw (modified UTF-7).
    pub(crate) reference: Vec<u8>,
    /// The patterns, raw (modified UTF-7).
    pub(crate) patterns: Vec<Vec<u8>>,
    /// Return option SUBSCRIBED.
    pub(crate) ret_subscribed: bool,
    /// Return option CHILDREN.
    pub(crate) ret_children: bool,
    /// RFC 6154 §3 return option SPECIAL-USE.
    pub(crate) ret_special_use: bool,
    /// RFC 5819 return option STATUS with its items, upper case.
    pub(crate) ret_status: Option<Vec<String>>,
}

/// RFC 4731 §3.1 result options.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SearchReturn {
    pub(crate) min: bool,
    pub(crate) max: bool,
    pub(crate) all: bool,
    pub(crate) count: bool,
}

/// An ESEARCH command: the options and the plain SEARCH it wraps.
#[derive(Debug)]
pub(crate) struct ESearch {
    pub(crate) tag: String,
    pub(crate) ret: SearchReturn,
    /// The same command without `RETURN (...)`, decoded by imap-codec.
    pub(crate) command: Command<'static>,
}

/// Recognises `message` (one complete command with its literals).
pub(crate) fn recognise(message: &[u8]) -> Option<ExtCommand> {
    let mut p = Parser { input: message, pos: 0 };
    let tag = p.atom()?;
    let tag = String::from_utf8(tag.to_vec()).ok()?;
    p.sp()?;
    let mut word = p.atom()?;
    let mut uid = false;
    if word.eq_ignore_ascii_case(b"UID") {
        p.sp()?;
        word = p.atom()?;
        uid = true;
    }
    if word.eq_ignore_ascii_case(b"LIST") && !uid {
        p.sp()?;
        return list(&mut p, tag);
    }
    if word.eq_ignore_ascii_case(b"SEARCH") {
        let after_verb = p.pos;
        p.sp()?;
        let kw = p.atom()?;
        if !kw.eq_ignore_ascii_case(b"RETURN") {
            return None;
        }
        return Some(search(&mut p, tag, message, after_verb));
    }
    None
}

fn bad(tag: String, text: &'static str) -> Option<ExtCommand> {
    Some(ExtCommand::Bad { tag, text })
}

/// After `LIST SP`. `None` when it is a plain RFC 3501 LIST.
fn list(p: &mut Parser<'_>, tag: String) -> Option<ExtCommand> {
    let mut cmd = ListExtended { tag, ..ListExtended::default() };
    let mut extended = false;
    if p.peek() == Some(b'(') {
        extended = true;
        let Some(opts) = p.atom_list() else { return bad(cmd.tag, "Bad LIST selection options") };
        for o in opts {
            match o.to_ascii_uppercase().as_slice() {
                b"SUBSCRIBED" => cmd.subscribed = true,
                b"REMOTE" => cmd.remote = true,
                b"RECURSIVEMATCH" => cmd.recursive_match = true,
                b"SPECIAL-USE" => cmd.special_use_only = true,
                // RFC 5258 §3: unknown selection options are an error.
                _ => return bad(cmd.tag, "Unknown LIST selection option"),
            }
        }
        // RFC 5258 §3.1: RECURSIVEMATCH alone is meaningless.
        if cmd.recursive_match && !cmd.subscribed && !cmd.special_use_only {
            return bad(cmd.tag, "RECURSIVEMATCH needs another selection option");
        }
        if p.sp().is_none() {
            return bad(cmd.tag, "Bad LIST");
        }
    }
    let Some(reference) = p.astring() else { return bad_or_none(extended, cmd.tag) };
    cmd.reference = reference;
    if p.sp().is_none() {
        return bad_or_none(extended, cmd.tag);
    }
    if p.peek() == Some(b'(') {
        extended = true;
        p.pos += 1;
        loop {
            let Some(pat) = p.list_mailbox() else { return bad(cmd.tag, "Bad LIST pattern") };
            cmd.patterns.push(pat);
            if cmd.patterns.len() > MAX_ITEMS {
                return bad(cmd.tag, "Too many LIST patterns");
            }
            match p.next() {
                Some(b' ') => {}
                Some(b')') => break,
                _ => return bad(cmd.tag, "Bad LIST pattern list"),
            }
        }
    } else {
        let Some(pat) = p.list_mailbox() else { return bad_or_none(extended, cmd.tag) };
        cmd.patterns.push(pat);
    }
    if p.at_end() {
        return if extended { Some(ExtCommand::List(cmd)) } else { None };
    }
    if p.sp().is_none() || !p.atom().is_some_and(|w| w.eq_ignore_ascii_case(b"RETURN")) || p.sp().is_none() {
        return bad_or_none(extended, cmd.tag);
    }
    if p.next() != Some(b'(') {
        return bad(cmd.tag, "Bad LIST return options");
    }
    let mut n = 0;
    while p.peek() != Some(b')') {
        n += 1;
        if n > MAX_ITEMS {
            return bad(cmd.tag, "Too many LIST return options");
        }
        let Some(opt) = p.atom() else { return bad(cmd.tag, "Bad LIST return options") };
        match opt.to_ascii_uppercase().as_slice() {
            b"SUBSCRIBED" => cmd.ret_subscribed = true,
            b"CHILDREN" => cmd.ret_children = true,
            b"SPECIAL-USE" => cmd.ret_special_use = true,
            b"STATUS" => {
                if p.sp().is_none() {
                    return bad(cmd.tag, "STATUS needs a list of items");
                }
                let Some(items) = p.atom_list() else { return bad(cmd.tag, "Bad STATUS items") };
                let mut names = Vec::new();
                for i in items {
                    let name = String::from_utf8_lossy(i).to_ascii_uppercase();
                    if !STATUS_ITEMS.contains(&name.as_str()) {
                        return bad(cmd.tag, "Unknown STATUS item");
                    }
                    names.push(name);
                }
                if names.is_empty() {
                    return bad(cmd.tag, "STATUS needs at least one item");
                }
                cmd.ret_status = Some(names);
            }
            // RFC 5258 §3: unknown return options are an error.
            _ => return bad(cmd.tag, "Unknown LIST return option"),
        }
        match p.peek() {
            Some(b' ') => p.pos += 1,
            Some(b')') => {}
            _ => return bad(cmd.tag, "Bad LIST return options"),
        }
    }
    p.pos += 1;
    if !p.at_end() {
        return bad(cmd.tag, "Junk after LIST");
    }
    Some(ExtCommand::List(cmd))
}

/// STATUS items a LIST-STATUS may ask for (RFC 9051 §6.3.11, RFC 7162
/// §3.1.6 HIGHESTMODSEQ, RFC 8438 SIZE).
const STATUS_ITEMS: [&str; 7] = ["MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ", "SIZE"];

fn bad_or_none(extended: bool, tag: String) -> Option<ExtCommand> {
    if extended { bad(tag, "Bad LIST") } else { None }
}

/// After `SEARCH SP RETURN`; `after_verb` is where `SEARCH` ended.
fn search(p: &mut Parser<'_>, tag: String, message: &[u8], after_verb: usize) -> ExtCommand {
    let fail = |tag: String, text| ExtCommand::Bad { tag, text };
    if p.sp().is_none() {
        return fail(tag, "Bad SEARCH RETURN");
    }
    let Some(opts) = p.atom_list() else { return fail(tag, "Bad SEARCH RETURN options") };
    let mut ret = SearchReturn::default();
    for o in opts {
        match o.to_ascii_uppercase().as_slice() {
            b"MIN" => ret.min = true,
            b"MAX" => ret.max = true,
            b"ALL" => ret.all = true,
            b"COUNT" => ret.count = true,
            _ => return fail(tag, "Unknown SEARCH result option"),
        }
    }
    // RFC 4731 §3.1: an empty list means ALL.
    if ret == SearchReturn::default() {
        ret.all = true;
    }
    let mut plain = Vec::with_capacity(message.len());
    plain.extend_from_slice(&message[..after_verb]);
    plain.extend_from_slice(&message[p.pos..]);
    match CommandCodec::default().decode(&plain) {
        Ok(([], command)) => ExtCommand::Search(ESearch { tag, ret, command: command.into_static() }),
        _ => fail(tag, "Syntax error in SEARCH criteria"),
    }
}

/// A cursor over one message.
struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    /// At the CRLF (or LF) that ends the command.
    fn at_end(&self) -> bool {
        matches!(self.input.get(self.pos..), Some(b"\r\n") | Some(b"\n"))
    }

    fn sp(&mut self) -> Option<()> {
        (self.next()? == b' ').then_some(())
    }

    /// Bytes while `ok`, at least one.
    fn take_while(&mut self, ok: impl Fn(u8) -> bool) -> Option<&'a [u8]> {
        let start = self.pos;
        while self.peek().is_some_and(&ok) {
            self.pos += 1;
        }
        (self.pos > start).then(|| &self.input[start..self.pos])
    }

    /// RFC 9051 §9 `atom` (also a tag: `+` excluded there, harmless here).
    fn atom(&mut self) -> Option<&'a [u8]> {
        self.take_while(is_atom_char)
    }

    /// `"(" [atom *(SP atom)] ")"`; an option may be followed by a nested
    /// list only where the caller reads it (STATUS), so this reads atoms.
    fn atom_list(&mut self) -> Option<Vec<&'a [u8]>> {
        if self.next()? != b'(' {
            return None;
        }
        let mut out = Vec::new();
        if self.peek() == Some(b')') {
            self.pos += 1;
            return Some(out);
        }
        loop {
            out.push(self.atom()?);
            if out.len() > MAX_ITEMS {
                return None;
            }
            match self.next()? {
                b' ' => {}
                b')' => return Some(out),
                _ => return None,
            }
        }
    }

    /// RFC 9051 §9 `astring`: atom (with `]`), quoted or literal.
    fn astring(&mut self) -> Option<Vec<u8>> {
        match self.peek()? {
            b'"' => self.quoted(),
            b'{' | b'~' => self.literal(),
            _ => self.take_while(|b| is_atom_char(b) || b == b']').map(<[u8]>::to_vec),
        }
    }

    /// RFC 9051 §9 `list-mailbox`: like astring, with `%` and `*`.
    fn list_mailbox(&mut self) -> Option<Vec<u8>> {
        match self.peek()? {
            b'"' => self.quoted(),
            b'{' => self.literal(),
            _ => self.take_while(|b| is_atom_char(b) || matches!(b, b']' | b'%' | b'*')).map(<[u8]>::to_vec),
        }
    }

    fn quoted(&mut self) -> Option<Vec<u8>> {
        self.next()?;
        let mut out = Vec::new();
        loop {
            match self.next()? {
                b'"' => return Some(out),
                b'\\' => match self.next()? {
                    b @ (b'"' | b'\\') => out.push(b),
                    _ => return None,
                },
                b'\r' | b'\n' | 0 => return None,
                b => out.push(b),
            }
        }
    }

    /// `{n}` / `{n+}` CRLF and n bytes (the fragmentizer framed them).
    fn literal(&mut self) -> Option<Vec<u8>> {
        if self.next()? != b'{' {
            return None;
        }
        let digits = self.take_while(|b| b.is_ascii_digit())?;
        if digits.len() > 10 {
            return None;
        }
        let n: usize = std::str::from_utf8(digits).ok()?.parse().ok()?;
        if self.peek() == Some(b'+') {
            self.pos += 1;
        }
        if self.next()? != b'}' {
            return None;
        }
        if self.peek() == Some(b'\r') {
            self.pos += 1;
        }
        if self.next()? != b'\n' {
            return None;
        }
        let end = self.pos.checked_add(n)?;
        let data = self.input.get(self.pos..end)?.to_vec();
        self.pos = end;
        Some(data)
    }
}

/// RFC 9051 §9 `ATOM-CHAR`: any CHAR except atom-specials.
fn is_atom_char(b: u8) -> bool {
    b > 0x20 && b < 0x7f && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list_of(s: &str) -> ListExtended {
        match recognise(s.as_bytes()) {
            Some(ExtCommand::List(l)) => l,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn plain_list_and_search_are_left_to_imap_codec() {
        assert!(recognise(b"a LIST \"\" *\r\n").is_none());
        assert!(recognise(b"a LIST \"\" {1}\r\n*\r\n").is_none());
        assert!(recognise(b"a SEARCH ALL\r\n").is_none());
        assert!(recognise(b"a UID SEARCH RETURNED\r\n").is_none());
        assert!(recognise(b"a FETCH 1 (FLAGS)\r\n").is_none());
    }

    #[test]
    fn list_extended_forms() {
        let l = list_of(
            "t1 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX \"Sent Items\" {3}\r\nA/*) RETURN (CHILDREN STATUS (MESSAGES unseen))\r\n",
        );
        assert_eq!(l.tag, "t1");
        assert!(l.subscribed && l.recursive_match && l.ret_children);
        assert_eq!(l.patterns, vec![b"INBOX".to_vec(), b"Sent Items".to_vec(), b"A/*".to_vec()]);
        assert_eq!(l.ret_status, Some(vec!["MESSAGES".to_owned(), "UNSEEN".to_owned()]));
        let l = list_of("a list \"\" % return (special-use)\r\n");
        assert!(l.ret_special_use && !l.subscribed);
        assert_eq!(l.patterns, vec![b"%".to_vec()]);
        let l = list_of("a LIST () \"\" %\r\n");
        assert_eq!(l.patterns, vec![b"%".to_vec()]);
    }

    #[test]
    fn malformed_extended_forms_are_bad_with_the_tag() {
        for s in [
            "x LIST (RECURSIVEMATCH) \"\" *\r\n",
            "x LIST (FOO) \"\" *\r\n",
            "x LIST \"\" * RETURN (BAR)\r\n",
            "x LIST \"\" (a b\r\n",
            "x LIST \"\" * RETURN (STATUS ())\r\n",
            "x LIST \"\" * RETURN (STATUS (BOGUS))\r\n",
            "x SEARCH RETURN (MIN BOGUS) ALL\r\n",
            "x SEARCH RETURN (MIN) NOSUCHKEY\r\n",
        ] {
            match recognise(s.as_bytes()) {
                Some(ExtCommand::Bad { tag, .. }) => assert_eq!(tag, "x", "{s}"),
                other => panic!("{s}: {other:?}"),
            }
        }
    }

    #[test]
    fn esearch_keeps_criteria_for_imap_codec() {
        match recognise(b"s1 UID SEARCH RETURN (MIN COUNT) SUBJECT {5}\r\nhello UNSEEN\r\n") {
            Some(ExtCommand::Search(e)) => {
                assert_eq!(e.tag, "s1");
                assert!(e.ret.min && e.ret.count && !e.ret.all);
                assert!(matches!(
                    e.command.body,
                    imap_codec::imap_types::command::CommandBody::Search { uid: true, .. }
                ));
            }
            other => panic!("{other:?}"),
        }
        match recognise(b"s2 SEARCH RETURN () ALL\r\n") {
            Some(ExtCommand::Search(e)) => assert!(e.ret.all),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn arbitrary_bytes_do_not_panic() {
        let mut x: u32 = 0x1234_5678;
        let alphabet = b"aLIST SEARCH RETURN ( ) {}\"\\*%~0123+\r\n";
        for _ in 0..20_000 {
            let len = (x % 40) as usize;
            let mut v = b"t LIST ".to_vec();
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                v.push(alphabet[(x as usize) % alphabet.len()]);
            }
            let _ = recognise(&v);
            v[2..6].copy_from_slice(b"SEAR");
            let _ = recognise(&v);
        }
    }
}
