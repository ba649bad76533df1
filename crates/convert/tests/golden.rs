//! Golden tests: gromox oracle property bags → `to_mime` → compared with the
//! MIME source gromox imported (tests/fixtures/gromox, see its README), and
//! insta snapshots of the rendered bytes.
//!
//! Documented normalizations (differences that are not losses of ours):
//! * Date: the original header text when it is the same instant as
//!   PidTagClientSubmitTime (so the sender's zone survives), else UTC;
//!   compared as an instant.
//! * gromox stores a generated PidTagHtml for text-only mail (README M2) and
//!   a generated PidTagBody for HTML-only mail; the extra alternative is
//!   rendered because it is in the bag. Only the source's own body forms are
//!   compared.
//! * Bodies are compared after CRLF → LF and trimming trailing whitespace.
//! * mime-12: gromox put the invitation's ATTENDEEs into the recipient table
//!   (README C12), so To/Cc list them; the source's To must be among them.
//! * mime-12: the body is the VEVENT DESCRIPTION (gromox loss, README C12).
//! * mime-06: gromox dropped the embedded message's file name (README M5);
//!   it is rendered as `<PidTagDisplayName>.eml`, so rfc822 parts match by type.
//! * mime-12: the text/calendar part comes from the [`convert::CalendarPart`]
//!   hook (the iCalendar converter); without it there is none.
//! * mime-10/11: the delivery-status / disposition-notification part is
//!   regenerated from the report properties (only the fields MAPI keeps).

#![allow(clippy::unwrap_used)]

mod common;

use convert::{RenderOptions, to_mime};
use mail_parser::{Message as Parsed, MessageParser, MimeHeaders};

const FIXTURES: &[&str] = &[
    "mime-01-plain",
    "mime-02-html-only",
    "mime-03-alternative",
    "mime-04-related-cid-png",
    "mime-05-mixed-rfc2231",
    "mime-06-nested-rfc822",
    "mime-07-smime-signed",
    "mime-08-iso2022jp",
    "mime-09-koi8r",
    "mime-10-dsn",
    "mime-11-mdn",
    "mime-12-meeting-request",
];

fn render(fixture: &str) -> Vec<u8> {
    let msg = common::message(fixture);
    let id = common::identity(&msg);
    to_mime(&msg, &RenderOptions { identity: &id, ..Default::default() }).unwrap()
}

fn source(fixture: &str) -> Vec<u8> {
    common::read(&format!("sources/{fixture}.eml"))
}

fn parse(bytes: &[u8]) -> Parsed<'_> {
    MessageParser::default().parse(bytes).expect("parses as MIME")
}

fn norm(s: &str) -> String {
    s.replace("\r\n", "\n").lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim().to_owned()
}

fn addrs(a: Option<&mail_parser::Address<'_>>) -> Vec<(String, String)> {
    a.map(|a| {
        a.iter()
            .map(|x| {
                (x.name.as_deref().unwrap_or("").to_owned(), x.address.as_deref().unwrap_or("").to_ascii_lowercase())
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The source's own text/plain and text/html bodies (not the converted
/// forms mail-parser derives).
fn own_bodies(m: &Parsed<'_>) -> (Option<String>, Option<String>) {
    let text = m.text_bodies().find(|p| p.is_content_type("text", "plain")).and_then(|p| p.text_contents().map(norm));
    let html = m.html_bodies().find(|p| p.is_content_type("text", "html")).and_then(|p| p.text_contents().map(norm));
    (text, html)
}

/// (name, content type, bytes) of each attachment that is not a body.
fn attachments(m: &Parsed<'_>) -> Vec<(String, String, Vec<u8>)> {
    m.attachments()
        .map(|p| {
            let ct =
                p.content_type().map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or(""))).unwrap_or_default();
            (p.attachment_name().unwrap_or("").to_owned(), ct.to_ascii_lowercase(), p.contents().to_vec())
        })
        .collect()
}

/// Header-level and body-level comparison of a rendered message with its
/// source, per the normalizations in the module docs.
fn compare(fixture: &str, ours: &Parsed<'_>, src: &Parsed<'_>) {
    assert_eq!(ours.subject(), src.subject(), "{fixture}: Subject");
    assert_eq!(addrs(ours.from()), addrs(src.from()), "{fixture}: From");
    let (our_to, src_to) = (addrs(ours.to()), addrs(src.to()));
    if fixture == "mime-12-meeting-request" {
        assert!(src_to.iter().all(|a| our_to.contains(a)), "{fixture}: To {our_to:?} ⊇ {src_to:?}");
    } else {
        assert_eq!(our_to, src_to, "{fixture}: To");
        assert_eq!(addrs(ours.cc()), addrs(src.cc()), "{fixture}: Cc");
    }
    assert!(ours.bcc().is_none(), "{fixture}: no Bcc");
    assert_eq!(addrs(ours.reply_to()), addrs(src.reply_to()), "{fixture}: Reply-To");
    assert_eq!(ours.date().map(|d| d.to_timestamp()), src.date().map(|d| d.to_timestamp()), "{fixture}: Date instant");
    assert_eq!(ours.message_id(), src.message_id(), "{fixture}: Message-ID");
    if !src.in_reply_to().is_empty() {
        assert_eq!(ours.in_reply_to(), src.in_reply_to(), "{fixture}: In-Reply-To");
    }
    if !src.references().is_empty() {
        assert_eq!(ours.references(), src.references(), "{fixture}: References");
    }
    let (our_text, our_html) = own_bodies(ours);
    let (src_text, src_html) = own_bodies(src);
    if let Some(t) = src_text
        && fixture != "mime-12-meeting-request"
    {
        assert_eq!(our_text.as_deref(), Some(t.as_str()), "{fixture}: text/plain");
    }
    if let Some(h) = src_html {
        assert_eq!(our_html.as_deref(), Some(h.as_str()), "{fixture}: text/html");
    }
    // Attachments byte-exact, by name (message/rfc822 compared recursively).
    let ours_att = attachments(ours);
    for (name, ct, bytes) in attachments(src) {
        if ct == "message/delivery-status" || ct == "message/disposition-notification" {
            continue; // regenerated, checked in report tests
        }
        if ct == "text/calendar" {
            continue; // comes from the CalendarPart hook, see calendar_hook_adds_text_calendar
        }
        // mime-06: gromox kept no file name for the embedded message (only
        // PidTagDisplayName = its subject), so rfc822 parts match by type.
        let found = ours_att.iter().find(|(n, c, _)| {
            (n == &name && !name.is_empty()) || ((name.is_empty() || ct == "message/rfc822") && c == &ct)
        });
        let Some((_, our_ct, our_bytes)) = found else {
            panic!(
                "{fixture}: attachment {name:?} ({ct}) missing; ours: {:?}",
                ours_att.iter().map(|a| (&a.0, &a.1)).collect::<Vec<_>>()
            )
        };
        assert_eq!(our_ct, &ct, "{fixture}: {name} content type");
        if ct == "message/rfc822" {
            let (a, b) = (parse(our_bytes), parse(&bytes));
            compare(&format!("{fixture}/{name}"), &a, &b);
        } else {
            assert!(our_bytes == &bytes, "{fixture}: attachment {name} bytes differ");
        }
    }
}

#[test]
fn gromox_bags_render_to_their_sources() {
    for f in FIXTURES {
        let out = render(f);
        let src = source(f);
        compare(f, &parse(&out), &parse(&src));
    }
}

#[test]
fn rendered_mime_snapshots() {
    for f in FIXTURES {
        let out = render(f);
        insta::assert_snapshot!(*f, String::from_utf8_lossy(&out));
    }
}

#[test]
fn rendering_is_deterministic_and_size_stable() {
    for f in FIXTURES {
        let msg = common::message(f);
        let id = common::identity(&msg);
        let a = to_mime(&msg, &RenderOptions { identity: &id, ..Default::default() }).unwrap();
        let b = to_mime(&msg.clone(), &RenderOptions { identity: &id, ..Default::default() }).unwrap();
        assert_eq!(a, b, "{f}: same input, same bytes");
        // Another identity (a new change key) changes boundaries, not the size.
        let c = to_mime(&msg, &RenderOptions { identity: b"other", ..Default::default() }).unwrap();
        assert_eq!(a.len(), c.len(), "{f}: size does not depend on the identity");
        if f != &"mime-07-smime-signed" && f != &"mime-01-plain" {
            assert_ne!(a, c, "{f}: boundaries derive from the identity");
        }
    }
}

/// [MS-OXOSMIME] 2.1.1: the signed entity is emitted byte for byte, so the
/// signature still verifies.
#[test]
fn smime_multipart_signed_is_byte_exact() {
    let out = render("mime-07-smime-signed");
    let src = source("mime-07-smime-signed");
    let body_start = src.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4).unwrap();
    let signed_body = &src[body_start..];
    assert!(out.windows(signed_body.len()).any(|w| w == signed_body), "signed body not byte-exact");
    let ours = parse(&out);
    let ct = ours.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("multipart", Some("signed")));
    assert_eq!(ct.attribute("protocol"), Some("application/x-pkcs7-signature"));
}

#[test]
fn dsn_report_part_carries_recipient_status() {
    let out = String::from_utf8(render("mime-10-dsn")).unwrap();
    assert!(out.contains("Content-Type: multipart/report; report-type=delivery-status;"));
    for line in [
        "Reporting-MTA: dns; mx.example.org\r\n",
        "Final-Recipient: rfc822; nobody@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n",
        "Remote-MTA: dns; mx.example.org\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n",
    ] {
        assert!(out.contains(line), "missing {line:?}");
    }
    // The NDR's recipient table holds the failed recipient, not the addressee.
    assert!(parse(out.as_bytes()).to().unwrap().contains("dave@example.test"));
}

#[test]
fn mdn_report_part_carries_disposition() {
    let out = String::from_utf8(render("mime-11-mdn")).unwrap();
    assert!(out.contains("report-type=disposition-notification"));
    assert!(out.contains(
        "Final-Recipient: rfc822;erin@example.org\r\nOriginal-Message-ID: <project-plan-1@example.test>\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n"
    ));
}

#[test]
fn related_inline_image_has_content_id() {
    let out = render("mime-04-related-cid-png");
    let m = parse(&out);
    let ct = m.content_type().unwrap();
    assert_eq!(ct.subtype(), Some("related"));
    let img = m.attachments().next().unwrap();
    assert_eq!(img.content_id(), Some("logo-7f3a@example.org"));
    assert_eq!(img.content_disposition().map(|d| d.ctype()), Some("inline"));
}

#[test]
fn rfc2231_filename_round_trips() {
    let out = render("mime-05-mixed-rfc2231");
    let m = parse(&out);
    let names: Vec<_> = m.attachments().filter_map(|a| a.attachment_name().map(str::to_owned)).collect();
    assert_eq!(names, ["data.csv", "Prüfbericht – März 2026.pdf"]);
}

struct FixedCalendar;

impl convert::CalendarPart for FixedCalendar {
    fn calendar_part(&self, msg: &convert::Message) -> Result<Option<convert::CalendarBody>, convert::ConvertError> {
        Ok(msg.class_is("IPM.Schedule.Meeting.Request").then(|| convert::CalendarBody {
            method: "REQUEST".into(),
            ics: b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n".to_vec(),
        }))
    }
}

#[test]
fn calendar_hook_adds_text_calendar() {
    let msg = common::message("mime-12-meeting-request");
    let opts = RenderOptions { identity: b"x", calendar: Some(&FixedCalendar), ..Default::default() };
    let out = to_mime(&msg, &opts).unwrap();
    let m = parse(&out);
    assert_eq!(m.content_type().unwrap().subtype(), Some("alternative"));
    let cal = m.parts.iter().find(|p| p.is_content_type("text", "calendar")).expect("text/calendar part");
    assert_eq!(cal.content_type().unwrap().attribute("method"), Some("REQUEST"));
    assert_eq!(cal.contents(), b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n");
    // Not called for ordinary mail.
    let plain = to_mime(&common::message("mime-01-plain"), &opts).unwrap();
    assert!(!String::from_utf8_lossy(&plain).contains("text/calendar"));
}
