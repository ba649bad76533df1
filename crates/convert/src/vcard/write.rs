//! Writing vCard content lines: escaping ([RFC 6350] 3.4, [RFC 2426]
//! 4), parameter quoting ([RFC 6350] 3.3, [RFC 6868]) and folding at 75
//! octets on character boundaries ([RFC 6350] 3.2, [RFC 2426] 2.6).
//!
//! [RFC 2426]: https://www.rfc-editor.org/rfc/rfc2426
//! [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350
//! [RFC 6868]: https://www.rfc-editor.org/rfc/rfc6868

use super::VcardVersion;

/// Longest line, in octets, without the CRLF ([RFC 6350] 3.2 "SHOULD NOT
/// be longer than 75 octets").
///
/// [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350
const FOLD_AT: usize = 75;

/// Builds one vCard.
pub(crate) struct CardWriter {
    out: String,
    pub(crate) version: VcardVersion,
}

/// One parameter: name and values (written comma-separated).
pub(crate) type Param<'a> = (&'a str, Vec<String>);

impl CardWriter {
    pub(crate) fn new(version: VcardVersion) -> Self {
        let mut w = Self { out: String::with_capacity(1024), version };
        w.raw_line("BEGIN:VCARD");
        w.raw_line(&format!("VERSION:{}", version.as_str()));
        w
    }

    pub(crate) fn v4(&self) -> bool {
        self.version == VcardVersion::V4
    }

    /// A content line whose value is already in vCard syntax (escaped).
    pub(crate) fn line(&mut self, group: Option<&str>, name: &str, params: &[Param<'_>], value: &str) {
        let mut line = String::with_capacity(name.len() + value.len() + 16);
        if let Some(g) = group {
            line.push_str(g);
            line.push('.');
        }
        line.push_str(name);
        for (pname, values) in params {
            if values.is_empty() {
                continue;
            }
            line.push(';');
            line.push_str(pname);
            line.push('=');
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                line.push_str(&param_value(v, self.v4()));
            }
        }
        line.push(':');
        // A value can never hold a raw line break or other control
        // character ([RFC 6350] 3.3 VALUE-CHAR); escaped text has none,
        // a raw URI from MAPI might.
        line.extend(value.chars().filter(|c| !c.is_control() || *c == '\t'));
        self.raw_line(&line);
    }

    /// A content line with one text value.
    pub(crate) fn text(&mut self, name: &str, params: &[Param<'_>], value: &str) {
        self.line(None, name, params, &escape_text(value));
    }

    /// A structured value: components separated by `;`, each escaped.
    pub(crate) fn structured(&mut self, name: &str, params: &[Param<'_>], components: &[&str]) {
        let value: Vec<String> = components.iter().map(|c| escape_text(c)).collect();
        self.line(None, name, params, &value.join(";"));
    }

    /// Appends lines kept from a client's card (already folded, CRLF).
    pub(crate) fn kept_lines(&mut self, lines: &str) {
        // Stored folded, CRLF-separated. A lone CR or LF (a value edited
        // outside, a bad PUT) would start a content line of its own, a kept
        // BEGIN/END would cut the card, and VERSION, UID, PRODID, REV are
        // ours to write once: all dropped.
        let unfolded = lines.replace("\r\n ", "").replace("\r\n\t", "");
        for l in unfolded.split("\r\n") {
            let l: String = l.chars().filter(|c| !c.is_control() || *c == '\t').collect();
            let name = l.split([':', ';']).next().unwrap_or_default().rsplit('.').next().unwrap_or_default();
            let structural =
                ["BEGIN", "END", "VERSION", "UID", "PRODID", "REV"].iter().any(|n| name.trim().eq_ignore_ascii_case(n));
            if !l.trim().is_empty() && l.contains(':') && !structural {
                self.raw_line(&l);
            }
        }
    }

    /// Writes `line` folded, with CRLF.
    fn raw_line(&mut self, line: &str) {
        fold_into(&mut self.out, line);
    }

    pub(crate) fn finish(mut self) -> String {
        self.raw_line("END:VCARD");
        self.out
    }
}

/// Appends `line` folded at [`FOLD_AT`] octets, never inside a UTF-8
/// sequence, continuation lines starting with one space.
pub(crate) fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > FOLD_AT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// Escapes a TEXT value ([RFC 6350] 3.4): backslash, comma, semicolon and
/// line breaks (any of CRLF, LF, CR becomes `\n`).
///
/// [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350
pub(crate) fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value, quoted when it holds `:`, `;` or `,` ([RFC 6350]
/// 3.3). Characters a parameter cannot hold: 4.0 uses the `^` escapes of
/// [RFC 6868]; 3.0 has none, so a double quote becomes a single one and a
/// line break a space.
///
/// [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350
/// [RFC 6868]: https://www.rfc-editor.org/rfc/rfc6868
fn param_value(v: &str, v4: bool) -> String {
    let mut s = String::with_capacity(v.len());
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '^' if v4 => s.push_str("^^"),
            '"' => s.push_str(if v4 { "^'" } else { "'" }),
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                s.push_str(if v4 { "^n" } else { " " });
            }
            c if c.is_control() => {}
            c => s.push(c),
        }
    }
    if s.contains([':', ';', ',']) { format!("\"{s}\"") } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_on_char_boundaries_at_75_octets() {
        let mut out = String::new();
        let line = format!("NOTE:{}", "ü".repeat(60));
        fold_into(&mut out, &line);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded.trim_end(), line);
    }

    #[test]
    fn escapes_text_and_params() {
        assert_eq!(escape_text("a,b;c\\d\r\ne\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
        assert_eq!(param_value("12 Road\nCity", true), "12 Road^nCity");
        assert_eq!(param_value("a:b", false), "\"a:b\"");
        assert_eq!(param_value("say \"hi\"", true), "say ^'hi^'");
    }
}
