//! MIME charsets ↔ Windows code pages (PidTagInternetCodepage,
//! [MS-OXCMAIL] 2.2.3.3; code page numbers from [MS-UCODEREF] / Windows)
//! and decoding with encoding_rs.

use encoding_rs::Encoding;

/// The Windows code page of a MIME charset label (`iso-8859-1` → 28591,
/// `utf-8` → 65001, `iso-2022-jp` → 50220, `koi8-r` → 20866), if known.
/// Labels compare ASCII case-insensitively.
pub fn codepage_of_label(label: &str) -> Option<u32> {
    let l = label.trim().trim_matches('"').to_ascii_lowercase();
    let cp = match l.as_str() {
        "utf-8" | "utf8" => 65001,
        "us-ascii" | "ascii" | "ansi_x3.4-1968" => 20127,
        "iso-8859-1" | "latin1" | "iso_8859-1" | "l1" => 28591,
        "iso-8859-2" | "latin2" => 28592,
        "iso-8859-3" => 28593,
        "iso-8859-4" => 28594,
        "iso-8859-5" => 28595,
        "iso-8859-6" => 28596,
        "iso-8859-7" => 28597,
        "iso-8859-8" => 28598,
        "iso-8859-8-i" => 38598,
        "iso-8859-9" | "latin5" => 28599,
        "iso-8859-13" => 28603,
        "iso-8859-15" | "latin9" => 28605,
        "windows-1250" | "cp1250" => 1250,
        "windows-1251" | "cp1251" => 1251,
        "windows-1252" | "cp1252" => 1252,
        "windows-1253" | "cp1253" => 1253,
        "windows-1254" | "cp1254" => 1254,
        "windows-1255" | "cp1255" => 1255,
        "windows-1256" | "cp1256" => 1256,
        "windows-1257" | "cp1257" => 1257,
        "windows-1258" | "cp1258" => 1258,
        "windows-874" | "tis-620" => 874,
        "koi8-r" => 20866,
        "koi8-u" => 21866,
        "iso-2022-jp" => 50220,
        "shift_jis" | "shift-jis" | "sjis" | "x-sjis" | "windows-31j" => 932,
        "euc-jp" => 51932,
        "gb2312" | "gbk" | "cp936" => 936,
        "gb18030" => 54936,
        "big5" => 950,
        "euc-kr" | "ks_c_5601-1987" => 949,
        "iso-2022-kr" => 50225,
        "utf-16" | "utf-16le" => 1200,
        "utf-16be" => 1201,
        "ibm866" | "cp866" => 866,
        "macintosh" | "x-mac-roman" => 10000,
        _ => return None,
    };
    Some(cp)
}

/// The encoding_rs decoder for a label; `us-ascii` and a missing label map
/// to Windows-1252 (the WHATWG rule), so 8-bit bytes never fail.
pub(crate) fn encoding_of_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label_no_replacement(label.trim().trim_matches('"').as_bytes())
}

/// Decoded text and whether bytes were invalid.
pub(crate) struct Decoded {
    pub(crate) text: String,
    pub(crate) had_errors: bool,
    /// The code page to record (PidTagInternetCodepage).
    pub(crate) codepage: u32,
    /// False when the label was unknown and a fallback was used.
    pub(crate) known: bool,
}

/// Decodes `bytes` in the charset `label` (None: UTF-8 if valid, else
/// Windows-1252, the usual reality of unlabeled 8-bit mail).
pub(crate) fn decode(bytes: &[u8], label: Option<&str>) -> Decoded {
    let (enc, known) = match label.filter(|l| !l.trim().is_empty()) {
        Some(l) => match encoding_of_label(l) {
            Some(e) => (Some(e), true),
            None => (None, false),
        },
        None => (None, true),
    };
    let enc = match enc {
        Some(e) => e,
        None if std::str::from_utf8(bytes).is_ok() => encoding_rs::UTF_8,
        None => encoding_rs::WINDOWS_1252,
    };
    // A US-ASCII label on UTF-8 bytes is a common lie; WHATWG maps it to
    // Windows-1252, which would turn UTF-8 into mojibake. Prefer UTF-8 when
    // the bytes are valid UTF-8 and the label is an ASCII one.
    let ascii_label =
        label.is_some_and(|l| matches!(l.trim().trim_matches('"').to_ascii_lowercase().as_str(), "us-ascii" | "ascii"));
    let enc =
        if ascii_label && !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() { encoding_rs::UTF_8 } else { enc };
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    let codepage = if enc == encoding_rs::UTF_8 {
        65001
    } else {
        label.and_then(codepage_of_label).or_else(|| codepage_of_label(enc.name())).unwrap_or(65001)
    };
    Decoded { text: text.into_owned(), had_errors, codepage, known }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codepages_of_common_labels() {
        assert_eq!(codepage_of_label("UTF-8"), Some(65001));
        assert_eq!(codepage_of_label("\"iso-8859-1\""), Some(28591));
        assert_eq!(codepage_of_label("ISO-2022-JP"), Some(50220));
        assert_eq!(codepage_of_label("koi8-r"), Some(20866));
        assert_eq!(codepage_of_label("x-unknown"), None);
    }

    #[test]
    fn decodes_legacy_charsets() {
        let d = decode(b"\x1b$B$3$s$K$A$O\x1b(B", Some("iso-2022-jp"));
        assert_eq!(d.text, "こんにちは");
        assert_eq!(d.codepage, 50220);
        let d = decode(b"\xf0\xd2\xc9\xd7\xc5\xd4", Some("koi8-r"));
        assert_eq!(d.text, "Привет");
        let d = decode(b"Gr\xfc\xdfe \x80", Some("windows-1252"));
        assert_eq!(d.text, "Grüße €");
        assert!(!d.had_errors);
        let d = decode("Grüße".as_bytes(), None);
        assert_eq!((d.text.as_str(), d.codepage), ("Grüße", 65001));
        let d = decode(b"Gr\xfc\xdfe", None);
        assert_eq!(d.text, "Grüße");
        let d = decode("naïve".as_bytes(), Some("us-ascii"));
        assert_eq!(d.text, "naïve");
        assert!(!decode(b"x", Some("x-no-such")).known);
    }
}
