//! Property tests: `to_mime` never panics and is deterministic on arbitrary
//! property bags, and what it renders parses back (mail-parser) to the same
//! subject, body and attachment bytes.

use convert::fuzzing::{fuzz_rtf, fuzz_to_mime, message_from_bytes};
use convert::{Attachment, Message, RenderOptions, to_mime};
use mail_parser::{MessageParser, MimeHeaders};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn never_panics_on_arbitrary_bags(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        fuzz_to_mime(&data);
        let msg = message_from_bytes(&data);
        let out = to_mime(&msg, &RenderOptions::default()).unwrap();
        prop_assert!(MessageParser::default().parse(&out).is_some());
    }

    #[test]
    fn rtf_never_panics(data in proptest::collection::vec(any::<u8>(), 0..2048), rtf in "[{}\\\\a-z0-9' *-]{0,400}") {
        fuzz_rtf(&data);
        fuzz_rtf(rtf.as_bytes());
        let mut framed = vec![0u8; 16];
        framed[4..8].copy_from_slice(&(data.len() as u32 * 20).to_le_bytes());
        framed[8..12].copy_from_slice(b"LZFu");
        framed.extend_from_slice(&data);
        let out = convert::rtf::decompress(&framed).unwrap();
        prop_assert!(out.len() <= data.len() * 17);
    }

    #[test]
    fn rendered_fields_parse_back(
        subject in "\\PC{0,120}",
        body in "(\\PC|\r\n){0,400}",
        name in "[\\PC&&[^/\\\\]]{1,60}",
        data in proptest::collection::vec(any::<u8>(), 0..3000),
        html in proptest::option::of("[ -~]{0,200}"),
    ) {
        let mut msg = Message::new();
        msg.props.insert(PropTag::SUBJECT, PropValue::String(subject.clone())).unwrap();
        msg.props.insert(PropTag::BODY, PropValue::String(body.clone())).unwrap();
        if let Some(h) = &html {
            msg.props.insert(PropTag::HTML, PropValue::Binary(h.clone().into_bytes())).unwrap();
            msg.props.insert(PropTag::INTERNET_CODEPAGE, PropValue::I32(65001)).unwrap();
        }
        let mut att = Attachment::default();
        att.props.insert(PropTag::ATTACH_LONG_FILENAME, PropValue::String(name.clone())).unwrap();
        att.props.insert(PropTag::ATTACH_DATA_BINARY, PropValue::Binary(data.clone())).unwrap();
        msg.attachments.push(att);
        let out = to_mime(&msg, &RenderOptions { identity: b"p", ..Default::default() }).unwrap();
        let parsed = MessageParser::default().parse(&out).unwrap();
        let norm = |s: &str| s.replace("\r\n", " ").split_whitespace().collect::<Vec<_>>().join(" ");
        prop_assert_eq!(norm(parsed.subject().unwrap_or("")), norm(&subject));
        let text = parsed.text_bodies().find(|p| p.is_content_type("text", "plain")).and_then(|p| p.text_contents().map(str::to_owned));
        if !(html.is_some() && body.trim().is_empty()) {
            prop_assert_eq!(text.unwrap_or_default().replace("\r\n", "\n"), body.replace("\r\n", "\n"));
        }
        let a = parsed.attachments().last().unwrap();
        prop_assert_eq!(a.contents(), &data[..]);
        // A whitespace-only name counts as no name.
        let expected = Some(name.trim()).filter(|n| !n.is_empty());
        prop_assert_eq!(a.attachment_name().map(str::trim), expected);
    }
}
