//! MIME → MAPI behaviour tests: limits, the 25 MB attachment, S/MIME byte
//! exactness, the calendar seam, options, malformed input.

mod from_mime_util;

use convert::from_mime::{
    CalendarPart, HeaderPromotion, ParseOptions, WarningKind, from_mime, from_mime_with_warnings,
};
use convert::{AttachMethod, ConvertError, Message, NamedKey};
use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{PS_INTERNET_HEADERS, PidLid};
use proptest::prelude::*;

fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len() / 3 * 4 + data.len() / 57 * 2 + 8);
    for (n, c) in data.chunks(3).enumerate() {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            out.push(if k <= c.len() { T[(v >> (18 - 6 * k)) as usize & 63] as char } else { '=' });
        }
        if n % 19 == 18 {
            out.push_str("\r\n");
        }
    }
    out
}

fn corpus(name: &str) -> Vec<u8> {
    std::fs::read(from_mime_util::corpus_dir().join(name)).expect("corpus file")
}

#[test]
fn attachment_of_25_mb_is_kept_byte_exact() {
    let data: Vec<u8> = (0..25 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
    let raw = format!(
        "From: a@example.org\r\nTo: b@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"big\"\r\n\r\n--big\r\nContent-Type: text/plain\r\n\r\nbig file\r\n--big\r\n\
Content-Type: application/octet-stream; name=\"big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--big--\r\n",
        b64(&data)
    );
    let start = std::time::Instant::now();
    let m = from_mime(raw.as_bytes(), &ParseOptions::default()).expect("converts");
    eprintln!("25 MB attachment ({} MB MIME) parsed in {:?}", raw.len() / 1_000_000, start.elapsed());
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].data().len(), data.len());
    assert!(m.attachments[0].data() == &data[..]);
    assert_eq!(m.attachments[0].filename().as_deref(), Some("big.bin"));
}

#[test]
fn input_larger_than_the_limit_is_refused() {
    let opts = ParseOptions { max_size: 100, ..ParseOptions::default() };
    let raw = corpus("11-mixed-pdf-docx.eml");
    assert_eq!(from_mime(&raw, &opts), Err(ConvertError::TooLarge { limit: 100 }));
}

fn nested(levels: usize) -> String {
    let mut m = "From: x@example.org\r\nSubject: leaf\r\n\r\nleaf body\r\n".to_owned();
    for i in 0..levels {
        m = format!(
            "From: x@example.org\r\nSubject: level {i}\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n{m}"
        );
    }
    m
}

#[test]
fn message_nesting_beyond_the_depth_limit_is_kept_raw() {
    let opts = ParseOptions { max_depth: 3, ..ParseOptions::default() };
    let p = from_mime_with_warnings(nested(6).as_bytes(), &opts).expect("converts");
    assert!(p.warnings.iter().any(|w| w.kind == WarningKind::DepthLimit), "{:?}", p.warnings);
    let mut m: &Message = &p.message;
    let mut depth = 0;
    while let Some(a) = m.attachments.first() {
        match &a.embedded {
            Some(e) => {
                assert_eq!(a.method(), AttachMethod::EMBEDDED_MESSAGE);
                m = e;
                depth += 1;
            }
            None => {
                assert_eq!(a.method(), AttachMethod::BY_VALUE);
                assert!(std::str::from_utf8(a.data()).expect("utf8").contains("leaf body"));
                break;
            }
        }
    }
    assert_eq!(depth, 3);
}

#[test]
fn deep_multipart_nesting_does_not_overflow_the_stack() {
    let mut raw = String::from("From: x@example.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
    let levels = 3000;
    for i in 0..levels {
        raw.push_str(&format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"));
    }
    raw.push_str("Content-Type: text/plain\r\n\r\ninnermost\r\n");
    for i in (0..levels).rev() {
        raw.push_str(&format!("--b{i}--\r\n"));
    }
    let p = from_mime_with_warnings(raw.as_bytes(), &ParseOptions::default()).expect("converts");
    assert!(p.warnings.iter().any(|w| w.kind == WarningKind::DepthLimit));
    let kept: usize = p.message.attachments.iter().map(|a| a.data().len()).sum();
    assert!(kept > 0, "the too-deep content is kept as an attachment");
}

#[test]
fn clear_signed_blob_is_the_entity_byte_for_byte() {
    let raw = corpus("18-smime-multipart-signed.eml");
    let m = from_mime(&raw, &ParseOptions::default()).expect("converts");
    assert_eq!(m.class(), "IPM.Note.SMIME.MultipartSigned");
    assert_eq!(m.attachments.len(), 1);
    let blob = m.attachments[0].data();
    let text = String::from_utf8_lossy(&raw);
    let ct_start = text.find("Content-Type: multipart/signed").expect("ct");
    let body_start = text.find("\r\n\r\n").expect("header end") + 4;
    let ct_end = text[ct_start..].find("\r\n\r\n").map(|e| ct_start + e + 2).expect("ct end");
    let mut expected = raw[ct_start..ct_end].to_vec();
    expected.extend_from_slice(b"\r\n");
    expected.extend_from_slice(&raw[body_start..]);
    assert!(blob == &expected[..], "blob differs from Content-Type + CRLF + body");
    assert_eq!(m.attachments[0].props.string(PropTag::ATTACH_MIME_TAG).as_deref(), Some("multipart/signed"));
    assert_eq!(m.props.string(PropTag::BODY).as_deref(), Some("Signed text with umlauts: äöü"));
    assert_eq!(m.props.i32(PropTag::NATIVE_BODY), Some(4));
}

#[test]
fn clear_signed_blob_equals_gromox() {
    // mime-07 attachment 0 PidTagAttachDataBinary (capture 035).
    let eml = from_mime_util::fixture("gromox/mime-07-smime-signed.eml");
    let json: serde_json::Value =
        serde_json::from_slice(&from_mime_util::fixture("gromox/mime-07-smime-signed.json")).expect("json");
    let gromox = json["objects"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["object"] == "attachment 0"))
        .and_then(|o| o["properties"].as_array())
        .and_then(|p| p.iter().find(|p| p["name"] == "PidTagAttachDataBinary"))
        .and_then(|p| p["value"].as_str())
        .map(|h| hex::decode(h.replace(' ', "")).expect("hex"))
        .expect("gromox blob");
    let m = from_mime(&eml, &ParseOptions::default()).expect("converts");
    assert_eq!(m.attachments[0].data(), &gromox[..]);
}

#[test]
fn opaque_smime_keeps_the_cms_object() {
    let raw = corpus("19-smime-encrypted.eml");
    let m = from_mime(&raw, &ParseOptions::default()).expect("converts");
    assert_eq!(m.class(), "IPM.Note.SMIME");
    assert!(m.props.get(PropTag::BODY).is_none() && m.props.get(PropTag::HTML).is_none());
    assert_eq!(
        m.props.string(NamedKey::name(PS_INTERNET_HEADERS, "Content-Type")).as_deref(),
        Some("application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"")
    );
    let a = &m.attachments[0];
    assert_eq!(a.filename().as_deref(), Some("smime.p7m"));
    assert_eq!(a.data().get(..4), Some(&[0x30, 0x82, 0x03, 0x00][..]));
    assert_eq!(a.data().len(), 775);
}

fn meeting_hook(part: &CalendarPart<'_>, m: &mut Message) -> Result<bool, ConvertError> {
    if part.method == Some("REQUEST") && part.data.starts_with(b"BEGIN:VCALENDAR") {
        m.props.insert(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Schedule.Meeting.Request".into()))?;
        return Ok(true);
    }
    Ok(false)
}

#[test]
fn calendar_parts_go_through_the_hook() {
    let raw = corpus("25-calendar-invitation-outlook.eml");
    let plain = from_mime(&raw, &ParseOptions::default()).expect("converts");
    assert_eq!(plain.class(), "IPM.Note");
    assert_eq!(plain.attachments.len(), 1, "kept as an attachment without a hook");
    let opts = ParseOptions { calendar: Some(meeting_hook), ..ParseOptions::default() };
    let m = from_mime(&raw, &opts).expect("converts");
    assert_eq!(m.class(), "IPM.Schedule.Meeting.Request");
    assert!(m.attachments.is_empty());
}

#[test]
fn append_sets_the_delivery_time() {
    let raw = corpus("01-thunderbird-plain.eml");
    let t = FileTime::from_unix_seconds(1_800_000_000).expect("time");
    let m = from_mime(&raw, &ParseOptions { delivery_time: Some(t), ..ParseOptions::default() }).expect("converts");
    assert_eq!(m.props.time(PropTag::MESSAGE_DELIVERY_TIME), Some(t));
    let smtp = from_mime(&raw, &ParseOptions::default()).expect("converts");
    assert_eq!(smtp.props.time(PropTag::MESSAGE_DELIVERY_TIME), None);
    // Date: Mon, 23 Nov 2026 09:15:02 +0100
    assert_eq!(smtp.props.time(PropTag::CLIENT_SUBMIT_TIME).map(FileTime::unix_seconds), Some(1_795_421_702));
}

#[test]
fn header_promotion_modes() {
    let raw = corpus("48-many-x-headers.eml");
    let count = |mode| {
        let m = from_mime(&raw, &ParseOptions { header_promotion: mode, ..ParseOptions::default() }).expect("ok");
        m.props.iter().filter(|(k, _)| matches!(k, convert::PropKey::Named(n) if n.set == PS_INTERNET_HEADERS)).count()
    };
    let spec = count(HeaderPromotion::Spec);
    let x = count(HeaderPromotion::XHeadersOnly);
    assert!(spec > x && x > 0, "spec {spec} x {x}");
    assert_eq!(count(HeaderPromotion::None), 0);
    let m = from_mime(&raw, &ParseOptions::default()).expect("ok");
    // RFC 2047 decoded, first occurrence wins; Received/Organization excluded.
    assert_eq!(m.props.string(NamedKey::name(PS_INTERNET_HEADERS, "X-Custom")).as_deref(), Some("Wärme"));
    assert!(m.props.get(NamedKey::name(PS_INTERNET_HEADERS, "Received")).is_none());
    assert!(m.props.get(NamedKey::name(PS_INTERNET_HEADERS, "Organization")).is_none());
}

#[test]
fn related_images_are_hidden_and_flagged() {
    let m = from_mime(&corpus("09-related-two-cid-images.eml"), &ParseOptions::default()).expect("ok");
    let hidden: Vec<bool> = m.attachments.iter().map(|a| a.hidden()).collect();
    assert_eq!(hidden, [true, true, false], "the unreferenced image stays visible");
    assert_eq!(m.attachments[0].flags() & convert::AttachFlags::MHTML_REF, convert::AttachFlags::MHTML_REF);
    assert_eq!(m.props.named_bool(&PidLid::SMART_NO_ATTACH), None);
    let apple = from_mime(&corpus("07-apple-mail-inline-image.eml"), &ParseOptions::default()).expect("ok");
    assert_eq!(apple.props.named_bool(&PidLid::SMART_NO_ATTACH), Some(true));
}

#[test]
fn rfc2231_and_rfc2047_file_names() {
    let m = from_mime(&corpus("12-attachment-rfc2231-utf8.eml"), &ParseOptions::default()).expect("ok");
    assert_eq!(m.attachments[0].filename().as_deref(), Some("Prüfbericht – März 2026.pdf"));
    let m = from_mime(&corpus("13-attachment-rfc2047-name-outlook.eml"), &ParseOptions::default()).expect("ok");
    assert_eq!(m.attachments[0].filename().as_deref(), Some("Zestawienie Łódź.xls"));
}

#[test]
fn bad_base64_is_kept_raw_with_a_warning() {
    let p = from_mime_with_warnings(&corpus("31-broken-bad-base64.eml"), &ParseOptions::default()).expect("ok");
    assert!(p.warnings.iter().any(|w| w.kind == WarningKind::UndecodablePart && w.part == "2"));
    assert!(p.message.attachments[0].data().starts_with(b"/9j/4AAQ!!!not*base64"));
}

#[test]
fn not_a_message_is_kept_as_an_attachment() {
    for raw in [&b""[..], b"\r\n\r\n", b"\x00\x01\x02 garbage without header", b"--x\r\n\r\n--x--"] {
        let p = from_mime_with_warnings(raw, &ParseOptions::default()).expect("never an error");
        let kept: usize = p.message.attachments.iter().map(|a| a.data().len()).sum::<usize>()
            + p.message.props.string(PropTag::BODY).map_or(0, |b| b.len())
            + p.message.props.string(PropTag::TRANSPORT_MESSAGE_HEADERS).map_or(0, |b| b.len());
        assert!(raw.iter().all(u8::is_ascii_whitespace) || kept > 0, "{raw:?} lost: {p:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        convert::from_mime::fuzz_from_mime(&data);
    }

    #[test]
    fn mutated_corpus_never_panics(idx in 0usize..50, cuts in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let all = from_mime_util::corpus();
        let (_, mut raw) = all[idx % all.len()].clone();
        for (pos, byte) in cuts {
            if raw.is_empty() { break; }
            let p = pos % raw.len();
            match byte % 3 {
                0 => raw[p] = byte,
                1 => raw.truncate(p),
                _ => { raw.remove(p); }
            }
        }
        convert::from_mime::fuzz_from_mime(&raw);
    }
}

#[test]
fn sender_without_from_is_also_the_originator() {
    let raw = b"Sender: Bot <bot@example.org>\r\nTo: a@example.org\r\nSubject: s\r\n\r\nx\r\n";
    let m = from_mime(raw, &ParseOptions::default()).expect("ok");
    assert_eq!(m.props.string(PropTag::SENT_REPRESENTING_EMAIL_ADDRESS).as_deref(), Some("bot@example.org"));
    assert_eq!(m.props.string(PropTag::SENDER_NAME).as_deref(), Some("Bot"));
}
