//! Windows code pages ↔ MIME charsets ([MS-OXCMAIL] 2.1.3.3.4 text
//! content types and charset, PidTagInternetCodepage; [MS-UCODEREF] code page identifiers).

use encoding_rs::Encoding;

/// (code page, IANA charset name) for the code pages mail uses.
const CODEPAGES: &[(u32, &str)] = &[
    (874, "windows-874"),
    (932, "shift_jis"),
    (936, "gb2312"),
    (949, "ks_c_5601-1987"),
    (950, "big5"),
    (1200, "utf-16le"),
    (1201, "utf-16be"),
    (1250, "windows-1250"),
    (1251, "windows-1251"),
    (1252, "windows-1252"),
    (1253, "windows-1253"),
    (1254, "windows-1254"),
    (1255, "windows-1255"),
    (1256, "windows-1256"),
    (1257, "windows-1257"),
    (1258, "windows-1258"),
    (10000, "macintosh"),
    (20127, "us-ascii"),
    (20866, "koi8-r"),
    (21866, "koi8-u"),
    (28591, "iso-8859-1"),
    (28592, "iso-8859-2"),
    (28593, "iso-8859-3"),
    (28594, "iso-8859-4"),
    (28595, "iso-8859-5"),
    (28596, "iso-8859-6"),
    (28597, "iso-8859-7"),
    (28598, "iso-8859-8"),
    (28599, "iso-8859-9"),
    (28603, "iso-8859-13"),
    (28605, "iso-8859-15"),
    (38598, "iso-8859-8-i"),
    (50220, "iso-2022-jp"),
    (50221, "iso-2022-jp"),
    (50222, "iso-2022-jp"),
    (51932, "euc-jp"),
    (51936, "gb2312"),
    (51949, "euc-kr"),
    (52936, "hz-gb-2312"),
    (54936, "gb18030"),
    (65000, "utf-7"),
    (65001, "utf-8"),
];

/// The MIME charset name of a Windows code page, if known.
pub(crate) fn charset_for_codepage(cp: u32) -> Option<&'static str> {
    CODEPAGES.iter().find(|(c, _)| *c == cp).map(|(_, n)| *n)
}

/// The decoder for a Windows code page (for RTF `\'hh` bytes), if known.
pub(crate) fn encoding_for_codepage(cp: u32) -> Option<&'static Encoding> {
    charset_for_codepage(cp).and_then(|n| Encoding::for_label(n.as_bytes()))
}
