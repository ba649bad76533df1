//! Behaviour tests of `to_mime` on hand-built messages: RTF-only bodies,
//! header merging, S/MIME opaque, addresses, limits.

#![allow(clippy::unwrap_used)]

mod common;

use convert::{Attachment, Message, NamedKey, Recipient, RenderOptions, to_mime};
use mail_parser::{MessageParser, MimeHeaders};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;
use mapi_wire::tags::{PS_INTERNET_HEADERS, PidName};

fn s(v: &str) -> PropValue {
    PropValue::String(v.into())
}

fn render(msg: &Message) -> String {
    String::from_utf8(to_mime(msg, &RenderOptions { identity: b"t", ..Default::default() }).unwrap()).unwrap()
}

fn base() -> Message {
    let mut m = Message::new();
    m.props.insert(PropTag::SUBJECT, s("Hi")).unwrap();
    m.props.insert(PropTag::SENT_REPRESENTING_NAME, s("Erin Example")).unwrap();
    m.props.insert(PropTag::SENT_REPRESENTING_SMTP_ADDRESS, s("erin@example.org")).unwrap();
    m
}

/// [MS-OXRTFEX] 4.1-shaped encapsulated HTML, compressed with the reference
/// compressor ([MS-OXRTFCP] 2.1.3.1 LZFu), as the only body.
#[test]
fn rtf_only_encapsulated_html_renders_as_html() {
    let rtf = r#"{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss Arial;}}
{\*\htmltag19 <html>}{\*\htmltag34 <head>}{\*\htmltag161 </head>}
{\*\htmltag50 <body>}\htmlrtf \pard\plain \htmlrtf0
{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 Gr\'fc\'dfe, caf\u233?\htmlrtf }\htmlrtf0
{\*\htmltag72 </p>}
{\*\htmltag58 </body>}{\*\htmltag27 </html>}}"#;
    let mut m = base();
    m.props.insert(PropTag::RTF_COMPRESSED, PropValue::Binary(compressed_rtf::compress_rtf(rtf).unwrap())).unwrap();
    let out = render(&m);
    let p = MessageParser::default().parse(out.as_bytes()).unwrap();
    assert_eq!(p.body_html(0).unwrap(), "<html><head></head><body><p>Grüße, café</p></body></html>");
}

/// RTF that was converted from plain text (`\fromtext`) renders as text/plain.
#[test]
fn rtf_only_fromtext_renders_as_text() {
    let rtf = r"{\rtf1\ansi\ansicpg1252\fromtext \deff0{\fonttbl{\f0\fmodern Courier New;}}\f0\fs20 Line one\par Line\tab two\par}";
    let mut m = base();
    m.props.insert(PropTag::RTF_COMPRESSED, PropValue::Binary(compressed_rtf::compress_rtf(rtf).unwrap())).unwrap();
    let p_bytes = render(&m);
    let p = MessageParser::default().parse(p_bytes.as_bytes()).unwrap();
    assert_eq!(p.body_text(0).unwrap(), "Line one\r\nLine\ttwo\r\n");
    assert!(!p.html_bodies().any(|h| h.is_content_type("text", "html")), "no HTML part");
}

/// Native RTF (gromox's own RTF of fixture mime-02, stored `MELA`
/// uncompressed) falls back to its text.
#[test]
fn rtf_only_native_rtf_falls_back_to_text() {
    let mut m = common::message("mime-02-html-only");
    m.props.remove(PropTag::HTML);
    m.props.remove(PropTag::BODY);
    let out = render(&m);
    let p = MessageParser::default().parse(out.as_bytes()).unwrap();
    assert_eq!(
        p.body_text(0).unwrap().trim_end(),
        "GrüßeThis is HTML only, with a link and Latin-1 text: café, naïve."
    );
}

#[test]
fn transport_headers_are_merged_mapi_wins() {
    let mut m = base();
    m.props
        .insert(
            PropTag::TRANSPORT_MESSAGE_HEADERS,
            s("Received: from mx.example.org\r\n\tby mail.example.test; Thu, 19 Nov 2026 10:00:00 +0100\r\n\
               Subject: old subject\r\nFrom: old@example.org\r\nBcc: secret@example.org\r\n\
               X-MS-Exchange-Organization-SCL: 1\r\nList-Id: <list.example.org>\r\n\
               Content-Type: text/plain\r\nDKIM-Signature: v=1; a=rsa-sha256;\r\n b=abc\r\n\r\n"),
        )
        .unwrap();
    let out = render(&m);
    let head = out.split("\r\n\r\n").next().unwrap();
    assert!(head.starts_with("Received: from mx.example.org\r\n\tby mail.example.test;"), "{head}");
    assert!(head.contains("List-Id: <list.example.org>\r\n"));
    assert!(head.contains("DKIM-Signature: v=1; a=rsa-sha256;\r\n b=abc\r\n"));
    assert!(head.contains("Subject: Hi\r\n") && !head.contains("old subject"));
    assert!(head.contains("From: Erin Example <erin@example.org>\r\n") && !head.contains("old@"));
    assert!(!head.contains("Bcc") && !head.contains("X-MS-Exchange-Organization"));
    assert_eq!(head.matches("Content-Type").count(), 1);
}

#[test]
fn internet_header_named_properties_become_headers() {
    let mut m = base();
    m.props.insert(NamedKey::name(PS_INTERNET_HEADERS, "X-Mailer"), s("Test Mailer 1.0")).unwrap();
    m.props.insert(NamedKey::name(PS_INTERNET_HEADERS, "Subject"), s("shadow")).unwrap();
    m.props.insert(PidName::KEYWORDS, PropValue::MvString(vec!["Blue".into(), "Grün".into()])).unwrap();
    let out = render(&m);
    assert!(out.contains("X-Mailer: Test Mailer 1.0\r\n"));
    assert!(!out.contains("shadow"));
    let p = MessageParser::default().parse(out.as_bytes()).unwrap();
    assert_eq!(p.keywords().as_text_list().unwrap(), ["Blue", "Grün"]);
}

#[test]
fn sender_importance_receipts_and_recipients() {
    let mut m = base();
    m.props.insert(PropTag::SENDER_NAME, s("Assistant")).unwrap();
    m.props.insert(PropTag::SENDER_EMAIL_ADDRESS, s("/o=Org/ou=X/cn=Recipients/cn=assistant")).unwrap();
    m.props.insert(PropTag::SENDER_ADDRESS_TYPE, s("EX")).unwrap();
    m.props.insert(PropTag::IMPORTANCE, PropValue::I32(0)).unwrap();
    m.props.insert(PropTag::SENSITIVITY, PropValue::I32(2)).unwrap();
    m.props.insert(PropTag::READ_RECEIPT_REQUESTED, PropValue::Bool(true)).unwrap();
    m.props.insert(PropTag::IN_REPLY_TO_ID, s("<a@x>")).unwrap();
    m.props.insert(PropTag::INTERNET_REFERENCES, s("<z@x> <a@x>")).unwrap();
    for (ty, name, addr) in
        [(1, "Dave, Oracle", "dave@example.test"), (2, "Jürgen", "j@example.de"), (3, "Hidden", "h@example.com")]
    {
        let mut r = Recipient::default();
        r.props.insert(PropTag::RECIPIENT_TYPE, PropValue::I32(ty)).unwrap();
        r.props.insert(PropTag::DISPLAY_NAME, s(name)).unwrap();
        r.props.insert(PropTag::SMTP_ADDRESS, s(addr)).unwrap();
        m.recipients.push(r);
    }
    let out = render(&m);
    let p = MessageParser::default().parse(out.as_bytes()).unwrap();
    assert_eq!(
        p.sender().unwrap().first().unwrap().address().unwrap(),
        "IMCEAEX-_o=Org_ou=X_cn=Recipients_cn=assistant@invalid"
    );
    let to = p.to().unwrap().first().unwrap();
    assert_eq!((to.name().unwrap(), to.address().unwrap()), ("Dave, Oracle", "dave@example.test"));
    assert_eq!(p.cc().unwrap().first().unwrap().name().unwrap(), "Jürgen");
    assert!(p.bcc().is_none() && !out.contains("h@example.com"));
    // The user's own copy (Drafts / Sent Items) may carry Bcc ([MS-OXCMAIL] 2.1.3.1.1.2).
    let own = to_mime(&m, &RenderOptions { include_bcc: true, ..Default::default() }).unwrap();
    let own =
        MessageParser::default().parse(&own[..]).unwrap().bcc().unwrap().first().unwrap().address().unwrap().to_owned();
    assert_eq!(own, "h@example.com");
    assert!(out.contains("Importance: low\r\nX-Priority: 5\r\n"));
    assert!(out.contains("Sensitivity: Private\r\n"));
    assert!(out.contains("Disposition-Notification-To: Erin Example <erin@example.org>\r\n"));
    assert_eq!(p.in_reply_to().as_text(), Some("a@x"));
    assert_eq!(p.references().as_text_list().unwrap(), ["z@x", "a@x"]);
}

#[test]
fn smime_opaque_is_kept_as_pkcs7_mime() {
    let mut m = base();
    m.props.insert(PropTag::MESSAGE_CLASS, s("IPM.Note.SMIME")).unwrap();
    let blob: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let mut a = Attachment::default();
    a.props.insert(PropTag::ATTACH_MIME_TAG, s("application/pkcs7-mime")).unwrap();
    a.props.insert(PropTag::ATTACH_LONG_FILENAME, s("smime.p7m")).unwrap();
    a.props.insert(PropTag::ATTACH_DATA_BINARY, PropValue::Binary(blob.clone())).unwrap();
    m.attachments.push(a);
    let out = render(&m);
    let p = MessageParser::default().parse(out.as_bytes()).unwrap();
    let ct = p.content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype(), ct.attribute("smime-type")),
        ("application", Some("pkcs7-mime"), Some("enveloped-data"))
    );
    assert_eq!(p.root_part().contents(), &blob[..]);
}

#[test]
fn embedded_depth_is_limited() {
    let mut m = base();
    for _ in 0..20 {
        let mut a = Attachment::default();
        a.props.insert(PropTag::ATTACH_METHOD, PropValue::I32(5)).unwrap();
        a.props.insert(PropTag::DISPLAY_NAME, s("fwd")).unwrap();
        a.embedded = Some(Box::new(m));
        m = base();
        m.attachments.push(a);
    }
    let out = to_mime(&m, &RenderOptions { max_depth: 3, ..Default::default() }).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches("Content-Type: message/rfc822").count(), 3);
    assert!(text.contains("nested deeper than 3 levels"));
}

#[test]
fn html_in_internet_codepage_charset() {
    let mut m = base();
    m.props.insert(PropTag::HTML, PropValue::Binary(b"<p>Gr\xfc\xdfe</p>".to_vec())).unwrap();
    m.props.insert(PropTag::INTERNET_CODEPAGE, PropValue::I32(1252)).unwrap();
    let out = render(&m);
    assert!(out.contains("Content-Type: text/html; charset=windows-1252\r\n"));
    let p = MessageParser::default().parse(out.as_bytes()).unwrap();
    assert_eq!(p.body_html(0).unwrap(), "<p>Grüße</p>");
}

#[test]
fn output_limit_is_enforced() {
    let mut m = base();
    m.props.insert(PropTag::BODY, s(&"x".repeat(10_000))).unwrap();
    let err = to_mime(&m, &RenderOptions { max_output: 1000, ..Default::default() }).unwrap_err();
    assert_eq!(err, convert::ConvertError::TooLarge { limit: 1000 });
}

#[test]
fn auto_response_suppress_and_content_language() {
    let mut m = base();
    m.props.insert(PropTag::AUTO_RESPONSE_SUPPRESS, PropValue::I32(0x30)).unwrap();
    m.props.insert(PropTag::MESSAGE_LOCALE_ID, PropValue::I32(0x0407)).unwrap();
    let out = render(&m);
    assert!(out.contains("X-Auto-Response-Suppress: OOF, AutoReply\r\n"));
    assert!(out.contains("Content-Language: de-DE\r\n"));
    // A received message keeps its own Content-Language (or none).
    m.props.insert(PropTag::TRANSPORT_MESSAGE_HEADERS, s("Received: x\r\n\r\n")).unwrap();
    assert!(!render(&m).contains("Content-Language"));
}

#[test]
fn lone_cr_in_transport_headers_cannot_inject() {
    let mut m = base();
    m.props.insert(PropTag::TRANSPORT_MESSAGE_HEADERS, s("X-Note: a\rBcc: evil@example.org\r\n\r\n")).unwrap();
    let out = render(&m);
    assert!(out.contains("X-Note: a Bcc: evil@example.org\r\n"));
}

#[test]
fn html_without_codepage_uses_its_meta_charset() {
    let mut m = base();
    m.props.insert(PropTag::HTML, PropValue::Binary(b"<meta charset=\"ISO-8859-1\"><p>caf\xe9</p>".to_vec())).unwrap();
    let out = render(&m);
    assert!(out.contains("charset=windows-1252"), "encoding_rs maps ISO-8859-1 to windows-1252");
    let p = MessageParser::default().parse(out.as_bytes()).unwrap();
    assert!(p.body_html(0).unwrap().contains("café"));
}

#[test]
fn string8_body_uses_internet_codepage() {
    let mut m = base();
    m.props.insert(PropTag::BODY, PropValue::String8(b"\xd2\xd5\xd3".to_vec())).unwrap();
    m.props.insert(PropTag::INTERNET_CODEPAGE, PropValue::I32(20866)).unwrap();
    let out = render(&m);
    let p = MessageParser::default().parse(out.as_bytes()).unwrap();
    assert_eq!(p.body_text(0).unwrap(), "рус");
}
