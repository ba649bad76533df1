//! A directory entry as a vCard 3.0 ([RFC 2426]) or 4.0 ([RFC 6350]):
//! names, addresses, organisation, telephones, office address, kind
//! (vCard 4 `KIND`, Apple's `X-ADDRESSBOOKSERVER-KIND` in 3.0), group
//! members and the photo. Read-only, so there is no parsing side.
//!
//! [RFC 2426]: https://www.rfc-editor.org/rfc/rfc2426
//! [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350

use base64::Engine;
use convert::vcard::VcardVersion;
use mailbox::DirectoryEntry;
use mailbox::directory::{EntryKind, PhoneKind};

/// RFC 6350 §3.2: lines SHOULD NOT be longer than 75 octets.
const FOLD_AT: usize = 75;

/// The vCard of `entry`; `uid` is the card's UID (the href stem).
pub(crate) fn render(entry: &DirectoryEntry, uid: &str, version: VcardVersion) -> String {
    let v4 = version == VcardVersion::V4;
    let mut c = Card::default();
    c.line("BEGIN:VCARD");
    c.line(&format!("VERSION:{}", version.as_str()));
    c.line("PRODID:-//mapibridge//directory//EN");
    c.prop("UID", &escape(uid));
    match (entry.kind, v4) {
        (EntryKind::Group, true) => c.prop("KIND", "group"),
        (EntryKind::Room | EntryKind::Equipment, true) => c.prop("KIND", "location"),
        (_, true) => c.prop("KIND", "individual"),
        (EntryKind::Group, false) => c.prop("X-ADDRESSBOOKSERVER-KIND", "group"),
        (_, false) => {}
    }
    c.prop("FN", &escape(&entry.display_name));
    c.prop("N", &format!("{};{};;;", escape(&entry.surname), escape(&entry.given_name)));
    if !entry.nickname.is_empty() {
        c.prop("NICKNAME", &escape(&entry.nickname));
    }
    let (work, pref) = if v4 {
        ("EMAIL;TYPE=work;PREF=1", "EMAIL;TYPE=work")
    } else {
        ("EMAIL;TYPE=INTERNET,WORK,pref", "EMAIL;TYPE=INTERNET,WORK")
    };
    if !entry.email.is_empty() {
        c.prop(work, &escape(&entry.email));
    }
    for other in &entry.other_emails {
        c.prop(pref, &escape(other));
    }
    match (entry.company.is_empty(), entry.department.is_empty()) {
        (true, true) => {}
        (false, true) => c.prop("ORG", &escape(&entry.company)),
        _ => c.prop("ORG", &format!("{};{}", escape(&entry.company), escape(&entry.department))),
    }
    if !entry.title.is_empty() {
        c.prop("TITLE", &escape(&entry.title));
    }
    for phone in &entry.phones {
        let kind = match (phone.kind, v4) {
            (PhoneKind::Business, true) => "TEL;TYPE=work,voice",
            (PhoneKind::Mobile, true) => "TEL;TYPE=cell",
            (PhoneKind::Home, true) => "TEL;TYPE=home,voice",
            (PhoneKind::Business, false) => "TEL;TYPE=WORK,VOICE",
            (PhoneKind::Mobile, false) => "TEL;TYPE=CELL",
            (PhoneKind::Home, false) => "TEL;TYPE=HOME,VOICE",
        };
        c.prop(kind, &escape(&phone.number));
    }
    if !entry.address.is_empty() || !entry.office.is_empty() {
        // RFC 6350 §6.3.1: the office (room, building) is the extended address.
        let a = &entry.address;
        let parts = [&entry.office, &a.street, &a.locality, &a.region, &a.postal_code, &a.country];
        let value: Vec<String> = parts.iter().map(|p| escape(p)).collect();
        c.prop(if v4 { "ADR;TYPE=work" } else { "ADR;TYPE=WORK" }, &format!(";{}", value.join(";")));
    }
    for m in entry.members.iter().filter(|m| !m.email.is_empty()) {
        // Members by address: the GAL's members have no card UID a client knows.
        let name = if v4 { "MEMBER" } else { "X-ADDRESSBOOKSERVER-MEMBER" };
        c.prop(name, &format!("mailto:{}", m.email));
    }
    if let Some(photo) = &entry.photo {
        let data = base64::engine::general_purpose::STANDARD.encode(&photo.data);
        if v4 {
            c.prop("PHOTO", &format!("data:{};base64,{data}", photo.media_type));
        } else {
            let kind = photo.media_type.strip_prefix("image/").unwrap_or("jpeg").to_uppercase();
            c.prop(&format!("PHOTO;ENCODING=b;TYPE={kind}"), &data);
        }
    }
    c.line("END:VCARD");
    c.out
}

#[derive(Default)]
struct Card {
    out: String,
}

impl Card {
    fn prop(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{value}"));
    }

    /// One content line, folded at 75 octets on character boundaries
    /// (RFC 6350 §3.2, RFC 2426 §2.6).
    fn line(&mut self, line: &str) {
        let mut width = 0;
        for ch in line.chars().filter(|c| !c.is_control()) {
            if width + ch.len_utf8() > FOLD_AT {
                self.out.push_str("\r\n ");
                width = 1;
            }
            self.out.push(ch);
            width += ch.len_utf8();
        }
        self.out.push_str("\r\n");
    }
}

/// TEXT escaping (RFC 6350 §3.4, RFC 2426 §4): backslash, comma,
/// semicolon and newline.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use convert::vcard::{VcardParseOptions, vcard_to_message};
    use mailbox::DirectoryId;
    use mailbox::directory::{GroupMember, Phone, Photo, PostalAddress};

    fn bob() -> DirectoryEntry {
        DirectoryEntry {
            id: DirectoryId::new("/o=x/cn=bob"),
            display_name: "Bob Tester; Jr., Ölund".into(),
            given_name: "Bob".into(),
            surname: "Tester".into(),
            nickname: "bob".into(),
            email: "bob@example.test".into(),
            other_emails: vec!["b@example.test".into()],
            title: "Builder".into(),
            department: "Site".into(),
            company: "Example".into(),
            office: "B2.14".into(),
            phones: vec![
                Phone { kind: PhoneKind::Business, number: "+1 555 0100".into() },
                Phone { kind: PhoneKind::Mobile, number: "+1 555 0199".into() },
            ],
            address: PostalAddress { street: "1 Main St".into(), locality: "Springfield".into(), ..Default::default() },
            photo: Some(Photo { media_type: "image/jpeg".into(), data: [0xff, 0xd8, 0xff, 0xe0].repeat(40) }),
            ..DirectoryEntry::default()
        }
    }

    #[test]
    fn renders_valid_cards_in_both_versions() {
        for version in [VcardVersion::V3, VcardVersion::V4] {
            let text = render(&bob(), "L28teD1jbj1ib2I", version);
            assert!(text.lines().all(|l| l.len() <= FOLD_AT + 1), "{text}");
            assert!(text.contains("FN:Bob Tester\\; Jr.\\, Ölund\r\n"), "{text}");
            assert!(text.contains(&format!("VERSION:{}\r\n", version.as_str())), "{text}");
            // The converter of the personal address books reads it back.
            let imported = vcard_to_message(text.as_bytes(), &VcardParseOptions::default()).expect(&text);
            let m = imported.message;
            assert_eq!(
                m.props.string(mapi_wire::PropTag::DISPLAY_NAME).as_deref(),
                Some("Bob Tester; Jr., Ölund"),
                "{text}"
            );
            assert_eq!(m.props.string(mapi_wire::PropTag::COMPANY_NAME).as_deref(), Some("Example"));
            assert_eq!(m.props.string(mapi_wire::PropTag::BUSINESS_TELEPHONE_NUMBER).as_deref(), Some("+1 555 0100"));
            assert_eq!(m.props.string(mapi_wire::PropTag::MOBILE_TELEPHONE_NUMBER).as_deref(), Some("+1 555 0199"));
            assert!(!m.attachments.is_empty(), "the photo became the contact photo: {text}");
        }
    }

    #[test]
    fn groups_carry_their_kind_and_members() {
        let mut g = DirectoryEntry {
            id: DirectoryId::new("/o=x/cn=team"),
            kind: EntryKind::Group,
            display_name: "Team".into(),
            email: "team@example.test".into(),
            ..DirectoryEntry::default()
        };
        g.members.push(GroupMember { name: "Bob".into(), email: "bob@example.test".into() });
        let v4 = render(&g, "t", VcardVersion::V4);
        assert!(v4.contains("KIND:group\r\n") && v4.contains("MEMBER:mailto:bob@example.test\r\n"), "{v4}");
        let v3 = render(&g, "t", VcardVersion::V3);
        assert!(v3.contains("X-ADDRESSBOOKSERVER-KIND:group\r\n"), "{v3}");
    }
}
