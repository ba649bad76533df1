#![no_main]
//! [MS-OXDSCLI] 2.2.4 Autodiscover response parsing: arbitrary documents never
//! panic, and any text escaped into a field reads back whole (entities, character
//! references and CDATA included).

use libfuzzer_sys::fuzz_target;
use mapi_client::autodiscover::{AutodiscoverResponse, parse_response};

fuzz_target!(|data: &[u8]| {
    let _ = parse_response(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // XML 1.0 turns CR and CRLF into LF, and NUL and most controls are not XML characters.
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return;
    }
    let escaped = quick_xml::escape::escape(text);
    let doc = format!(
        r#"<Autodiscover><Response><User><DisplayName>{escaped}</DisplayName></User><Account><Action>settings</Action><AlternativeMailbox><Type>Delegate</Type><DisplayName><![CDATA[{cdata}]]></DisplayName></AlternativeMailbox><Protocol Type="mapiHttp"><MailStore><ExternalUrl>https://h/e</ExternalUrl></MailStore><AddressBook><ExternalUrl>https://h/n</ExternalUrl></AddressBook></Protocol></Account></Response></Autodiscover>"#,
        cdata = text.replace("]]>", "]]]]><![CDATA[>"),
    );
    if doc.len() > 1024 * 1024 {
        assert!(parse_response(doc.as_bytes()).is_err(), "oversized documents are refused");
        return;
    }
    match parse_response(doc.as_bytes()) {
        Ok(AutodiscoverResponse::Settings(d)) => {
            let xml_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
            let want = text.trim_matches(xml_space);
            assert_eq!(d.display_name.trim_matches(xml_space), want);
            assert_eq!(d.alternative_mailboxes[0].display_name.trim_matches(xml_space), want);
        }
        other => panic!("escaped text broke the document: {other:?}"),
    }
});
