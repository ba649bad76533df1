//! RTF bodies: [MS-OXRTFCP] decompression of PidTagRtfCompressed and
//! [MS-OXRTFEX] de-encapsulation of the HTML (`\fromhtml1`) or plain text
//! (`\fromtext`) a sender wrapped in RTF, with a best-effort RTF → text
//! fallback for native RTF.
//!
//! Everything here is total: malformed input yields a shorter result or
//! `None`, never a panic, and output is bounded by the declared raw size
//! (itself capped at 17 × the input, the largest expansion the format can
//! express).

use std::borrow::Cow;

/// [MS-OXRTFCP] 2.1.3.1.1 COMPTYPE `LZFu`: compressed.
const COMPRESSED: u32 = 0x7546_5A4C;
/// [MS-OXRTFCP] 2.1.3.1.1 COMPTYPE `MELA`: stored uncompressed.
const UNCOMPRESSED: u32 = 0x414C_454D;

/// [MS-OXRTFCP] 2.1.2.1 the dictionary's initial 207 bytes.
const INITIAL_DICTIONARY: &[u8; 207] = b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

/// Decompresses a PidTagRtfCompressed value ([MS-OXRTFCP] 2.1.3.1 header,
/// 3.1.1.1 decompression). The CRC is not checked (a reader should render
/// what it can); a truncated stream gives the bytes decoded so far.
/// `None` if the header is missing or the type is unknown.
pub fn decompress(data: &[u8]) -> Option<Vec<u8>> {
    let header = data.get(..16)?;
    let word = |i: usize| header.get(i..i + 4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes);
    let raw_size = usize::try_from(word(4)?).ok()?;
    let comp_type = word(8)?;
    let body = data.get(16..)?;
    match comp_type {
        UNCOMPRESSED => Some(body.get(..raw_size.min(body.len()))?.to_vec()),
        COMPRESSED => Some(lzfu(body, raw_size.min(body.len().saturating_mul(17)))),
        _ => None,
    }
}

/// [MS-OXRTFCP] 3.1.1.1.2: control bytes (LSB first), literals and 16-bit
/// big-endian references (12-bit offset, 4-bit length − 2) into a 4 KiB
/// ring; a reference to the write position ends the stream.
fn lzfu(mut input: &[u8], raw_size: usize) -> Vec<u8> {
    let mut dict = [0u8; 4096];
    dict[..INITIAL_DICTIONARY.len()].copy_from_slice(INITIAL_DICTIONARY);
    let mut write = INITIAL_DICTIONARY.len();
    let mut out = Vec::with_capacity(raw_size);
    'outer: while let Some((&control, rest)) = input.split_first() {
        input = rest;
        for bit in 0..8 {
            if out.len() >= raw_size {
                break 'outer;
            }
            if control & (1 << bit) == 0 {
                let Some((&b, rest)) = input.split_first() else { break 'outer };
                input = rest;
                out.push(b);
                dict[write] = b;
                write = (write + 1) & 0xFFF;
            } else {
                let [hi, lo, ..] = *input else { break 'outer };
                input = input.get(2..).unwrap_or_default();
                let word = u16::from_be_bytes([hi, lo]);
                let mut offset = usize::from(word >> 4);
                let len = usize::from(word & 0xF) + 2;
                if offset == write {
                    break 'outer;
                }
                for _ in 0..len {
                    let b = dict[offset];
                    offset = (offset + 1) & 0xFFF;
                    out.push(b);
                    dict[write] = b;
                    write = (write + 1) & 0xFFF;
                }
            }
        }
    }
    out.truncate(raw_size);
    out
}

/// What an RTF body turned into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RtfBody {
    /// `\fromhtml1`: the encapsulated HTML ([MS-OXRTFEX] 2.1.3).
    Html(String),
    /// `\fromtext`: the encapsulated plain text ([MS-OXRTFEX] 2.1.2).
    Text(String),
    /// Native RTF, rendered as plain text (formatting dropped).
    Rtf(String),
}

/// Converts a decompressed RTF document: de-encapsulates HTML or text
/// ([MS-OXRTFEX] 2.1.3.1 recognizing, 2.1.3.2 de-encapsulating), else
/// extracts the text of native RTF.
pub fn to_body(rtf: &[u8]) -> RtfBody {
    // [MS-OXRTFEX] 2.1.3.1.1: the \fromhtml1 / \fromtext control word appears
    // in the header, before the first group inside the document.
    let head = rtf.get(..rtf.len().min(1024)).unwrap_or_default();
    let head_end = head.iter().skip(1).position(|&b| b == b'{').map_or(head.len(), |p| p + 1);
    let head = head.get(..head_end).unwrap_or_default();
    let mode = if contains(head, b"\\fromhtml1") {
        Mode::Html
    } else if contains(head, b"\\fromtext") {
        Mode::Text
    } else {
        Mode::Rtf
    };
    let text = Extractor::new(mode).run(rtf);
    match mode {
        Mode::Html => RtfBody::Html(text),
        Mode::Text => RtfBody::Text(text),
        Mode::Rtf => RtfBody::Rtf(text),
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Html,
    Text,
    Rtf,
}

#[derive(Clone, Copy, Debug)]
struct Group {
    /// Output suppressed (ignored destination).
    skip: bool,
    /// Inside `{\*\htmltag…}` ([MS-OXRTFEX] 2.1.3.1.3).
    htmltag: bool,
    /// `\htmlrtf` on: RTF-only content, not part of the HTML.
    htmlrtf: bool,
    /// `\ucN`: characters to skip after `\uN`.
    uc: usize,
}

/// Maximum group nesting we track; deeper groups are treated as skipped.
const MAX_DEPTH: usize = 256;

/// Destinations whose content is never text ([MS-OXRTFEX] 2.1.3.1.4; RTF 1.9
/// spec destination list, abridged).
const SKIP_DESTINATIONS: &[&[u8]] = &[
    b"fonttbl",
    b"colortbl",
    b"stylesheet",
    b"info",
    b"pict",
    b"object",
    b"header",
    b"footer",
    b"headerl",
    b"headerr",
    b"footerl",
    b"footerr",
    b"listtable",
    b"listoverridetable",
    b"rsidtbl",
    b"generator",
    b"xmlnstbl",
    b"themedata",
    b"colorschememapping",
    b"latentstyles",
    b"datastore",
    b"filetbl",
    b"revtbl",
    b"fldinst",
    b"pntext",
    b"pntxta",
    b"pntxtb",
    b"mhtmltag",
];

struct Extractor {
    mode: Mode,
    stack: Vec<Group>,
    cur: Group,
    out: String,
    /// Pending `\'hh` bytes, decoded together (multi-byte code pages).
    bytes: Vec<u8>,
    codepage: u32,
    /// Characters still to skip after a `\uN`.
    skip_chars: usize,
    /// The next control word starts a group (`{\word`).
    group_start: bool,
    /// `\*` seen at the start of the current group.
    star: bool,
}

impl Extractor {
    fn new(mode: Mode) -> Self {
        Self {
            mode,
            stack: Vec::new(),
            cur: Group { skip: false, htmltag: false, htmlrtf: false, uc: 1 },
            out: String::new(),
            bytes: Vec::new(),
            codepage: 1252,
            skip_chars: 0,
            group_start: false,
            star: false,
        }
    }

    /// True if text at this point belongs to the result.
    fn emitting(&self) -> bool {
        if self.cur.skip {
            return false;
        }
        match self.mode {
            Mode::Html => self.cur.htmltag || !self.cur.htmlrtf,
            Mode::Text | Mode::Rtf => !self.cur.htmlrtf,
        }
    }

    fn flush_bytes(&mut self) {
        if self.bytes.is_empty() {
            return;
        }
        let enc = crate::render::charset::encoding_for_codepage(self.codepage).unwrap_or(encoding_rs::WINDOWS_1252);
        let (text, _, _) = enc.decode(&self.bytes);
        self.out.push_str(&text);
        self.bytes.clear();
    }

    fn text(&mut self, s: &str) {
        if self.skip_chars > 0 {
            self.skip_chars -= 1;
            return;
        }
        if self.emitting() {
            self.flush_bytes();
            self.out.push_str(s);
        }
    }

    fn run(mut self, rtf: &[u8]) -> String {
        let mut i = 0usize;
        while let Some(&b) = rtf.get(i) {
            i += 1;
            match b {
                b'{' => {
                    self.flush_bytes();
                    if self.stack.len() >= MAX_DEPTH {
                        self.stack.push(self.cur);
                        self.cur.skip = true;
                    } else {
                        self.stack.push(self.cur);
                    }
                    self.group_start = true;
                    self.star = false;
                    continue;
                }
                b'}' => {
                    self.flush_bytes();
                    if let Some(g) = self.stack.pop() {
                        self.cur = g;
                    }
                    self.group_start = false;
                    self.star = false;
                    continue;
                }
                b'\\' => {
                    i = self.control(rtf, i);
                    continue;
                }
                b'\r' | b'\n' => continue,
                _ => {}
            }
            self.group_start = false;
            // A run of plain text.
            let start = i - 1;
            let mut end = i;
            while let Some(&c) = rtf.get(end) {
                if matches!(c, b'{' | b'}' | b'\\' | b'\r' | b'\n') {
                    break;
                }
                end += 1;
            }
            i = end;
            let run = rtf.get(start..end).unwrap_or_default();
            if self.skip_chars > 0 {
                let n = self.skip_chars.min(run.len());
                self.skip_chars -= n;
                self.plain(run.get(n..).unwrap_or_default());
            } else {
                self.plain(run);
            }
        }
        self.flush_bytes();
        self.out
    }

    fn plain(&mut self, run: &[u8]) {
        if run.is_empty() || !self.emitting() {
            return;
        }
        self.flush_bytes();
        match std::str::from_utf8(run) {
            Ok(s) => self.out.push_str(s),
            Err(_) => {
                self.bytes.extend_from_slice(run);
                self.flush_bytes();
            }
        }
    }

    /// Handles a control word or symbol after `\` at `i`; returns the next
    /// position.
    fn control(&mut self, rtf: &[u8], mut i: usize) -> usize {
        let Some(&c) = rtf.get(i) else { return i };
        if !c.is_ascii_alphabetic() {
            i += 1;
            let group_start = std::mem::take(&mut self.group_start);
            match c {
                b'*' => {
                    self.star = true;
                    self.group_start = group_start;
                }
                b'\'' => {
                    let hex = rtf.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok());
                    if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        i += 2;
                        if self.skip_chars > 0 {
                            self.skip_chars -= 1;
                        } else if self.emitting() {
                            self.bytes.push(v);
                        }
                    }
                }
                b'{' => self.text("{"),
                b'}' => self.text("}"),
                b'\\' => self.text("\\"),
                b'~' => self.text("\u{a0}"),
                b'_' => self.text("\u{2011}"),
                b'\r' | b'\n' => self.text("\r\n"),
                _ => {}
            }
            return i;
        }
        let start = i;
        while rtf.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
        }
        let word = rtf.get(start..i).unwrap_or_default();
        let pstart = i;
        if rtf.get(i) == Some(&b'-') {
            i += 1;
        }
        while rtf.get(i).is_some_and(u8::is_ascii_digit) && i - pstart < 11 {
            i += 1;
        }
        let param: Option<i64> =
            std::str::from_utf8(rtf.get(pstart..i).unwrap_or_default()).ok().and_then(|s| s.parse().ok());
        if rtf.get(i) == Some(&b' ') {
            i += 1;
        }
        let group_start = std::mem::take(&mut self.group_start);
        let star = std::mem::take(&mut self.star);
        if group_start {
            if word == b"htmltag" && self.mode == Mode::Html {
                self.flush_bytes();
                self.cur.htmltag = true;
                self.cur.htmlrtf = false;
                return i;
            }
            if star || SKIP_DESTINATIONS.contains(&word) {
                self.flush_bytes();
                self.cur.skip = true;
                return i;
            }
        }
        match word {
            b"htmlrtf" => {
                self.flush_bytes();
                self.cur.htmlrtf = param != Some(0);
            }
            b"par" | b"line" => self.text("\r\n"),
            b"tab" => self.text("\t"),
            b"emdash" => self.text("\u{2014}"),
            b"endash" => self.text("\u{2013}"),
            b"lquote" => self.text("\u{2018}"),
            b"rquote" => self.text("\u{2019}"),
            b"ldblquote" => self.text("\u{201c}"),
            b"rdblquote" => self.text("\u{201d}"),
            b"bullet" => self.text("\u{2022}"),
            b"uc" => self.cur.uc = param.and_then(|p| usize::try_from(p).ok()).unwrap_or(1).min(8),
            b"u" => {
                if let Some(p) = param {
                    let cp = if p < 0 { p + 65536 } else { p };
                    let ch = u32::try_from(cp).ok().and_then(char::from_u32).unwrap_or('\u{fffd}');
                    let mut buf = [0u8; 4];
                    self.text(ch.encode_utf8(&mut buf));
                    self.skip_chars = self.cur.uc;
                }
            }
            b"ansicpg" => {
                if let Some(p) = param.and_then(|p| u32::try_from(p).ok()) {
                    self.flush_bytes();
                    self.codepage = p;
                }
            }
            _ => {}
        }
        i
    }
}

/// Convenience: PidTagRtfCompressed bytes → body, `None` if the value does
/// not decompress.
pub fn body_from_compressed(data: &[u8]) -> Option<RtfBody> {
    let rtf = decompress(data)?;
    Some(to_body(&rtf))
}

/// Returns the text as `Cow` for callers that only need to read it.
impl RtfBody {
    /// The converted text (HTML, text, or text from native RTF).
    pub fn as_str(&self) -> Cow<'_, str> {
        match self {
            Self::Html(s) | Self::Text(s) | Self::Rtf(s) => Cow::Borrowed(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oxrtfcp_spec_example_compressed() {
        // [MS-OXRTFCP] 4.1.2 (compressed example): "{\rtf1\ansi\ansicpg1252\pard hello world}\r\n".
        let data = hex::decode(
            "2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af32068656c090020627705b06c647d0a800fa0",
        )
        .unwrap();
        assert_eq!(decompress(&data).unwrap(), b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n");
    }

    #[test]
    fn oxrtfcp_spec_example_with_run() {
        // [MS-OXRTFCP] 4.2: "{\rtf1 WXYZWXYZWXYZWXYZWXYZ}" uses a self-overlapping reference.
        let data = hex::decode("1a0000001c0000004c5a4675e2d44b51410004205758595a0d6e7d010eb0").unwrap();
        assert_eq!(decompress(&data).unwrap(), b"{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}");
    }

    #[test]
    fn uncompressed_mela() {
        let mut data = vec![0u8; 16];
        data[4] = 5;
        data[8..12].copy_from_slice(&UNCOMPRESSED.to_le_bytes());
        data.extend_from_slice(b"{\\rtf}xyz");
        assert_eq!(decompress(&data).unwrap(), b"{\\rtf");
        assert_eq!(decompress(b"short"), None);
    }

    #[test]
    fn fromhtml_is_de_encapsulated() {
        // Shape of [MS-OXRTFEX] 4.1 (encapsulated HTML example), abridged.
        let rtf = br#"{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl
{\f0\fswiss Arial;}}
{\*\htmltag19 <html>}
{\*\htmltag34 <head>}
{\*\htmltag41 <title>}\htmlrtf {\htmlrtf0 Gr\'fc\'dfe\htmlrtf }\htmlrtf0
{\*\htmltag49 </title>}
{\*\htmltag50 <body>}\htmlrtf {\htmlrtf0 x \{y\} \u8364?\htmlrtf\par}\htmlrtf0
{\*\htmltag58 </body>}
{\*\htmltag27 </html>}}"#;
        let RtfBody::Html(html) = to_body(rtf) else { panic!("not html") };
        assert_eq!(html, "<html><head><title>Grüße</title><body>x {y} €</body></html>");
    }

    #[test]
    fn fromtext_and_native_rtf() {
        let rtf = br"{\rtf1\ansi\fromtext{\fonttbl{\f0 Courier;}}\f0 line one\par line\tab two\par}";
        assert_eq!(to_body(rtf), RtfBody::Text("line one\r\nline\ttwo\r\n".into()));
        let rtf = br"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\*\generator x;}\pard{\b Bold} text\par}";
        assert_eq!(to_body(rtf), RtfBody::Rtf("Bold text\r\n".into()));
    }

    #[test]
    fn round_trip_with_reference_compressor() {
        let src =
            r"{\rtf1\ansi\ansicpg1252\fromtext \deff0{\fonttbl{\f0\fswiss Arial;}}\f0 hello hello hello world\par}";
        let packed = compressed_rtf::compress_rtf(src).unwrap();
        assert_eq!(decompress(&packed).unwrap(), src.as_bytes());
    }
}
