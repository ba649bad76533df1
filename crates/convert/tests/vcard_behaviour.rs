//! What a CardDAV client or Outlook notices about the vCard conversion:
//! UIDs survive, versions are negotiated, Outlook-made contacts and lists
//! render, dates stay dates, and bad input is a typed error.

mod vcard_util;

use convert::vcard::{
    DirectoryMember, VcardError, VcardLimits, VcardParseOptions, VcardRenderOptions, VcardVersion, WrappedEntryId,
    message_to_vcard, props, vcard_to_message, vcards_to_messages,
};
use convert::{Attachment, Message, PropertyBag};
use mapi_wire::PropTag;
use mapi_wire::codec::Encode;
use mapi_wire::entry_id::OneOffEntryId;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{PidLid, PidName};
use vcard_util::TestDirectory;

fn parse(text: &str) -> Result<Message, VcardError> {
    vcard_to_message(text.as_bytes(), &VcardParseOptions::default()).map(|i| i.message)
}

fn render(m: &Message, version: VcardVersion) -> String {
    message_to_vcard(m, &VcardRenderOptions { version, ..Default::default() }).expect("renders")
}

fn lines(card: &str) -> Vec<String> {
    card.replace("\r\n ", "").split("\r\n").filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

fn one_off(name: &str, addr: &str) -> Vec<u8> {
    let mut b = Vec::new();
    OneOffEntryId::smtp(name, addr).encode(&mut b).expect("encodes");
    b
}

#[test]
fn the_uid_a_client_put_comes_back_verbatim() {
    for uid in ["urn:uuid:8a1b6c0e-3f4a-4e1e-9d0c-0b9a6f2e7c11", "3F2504E0-4F89-11D3", "weird uid; with, chars"] {
        let card = format!(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nUID:{}\r\nEND:VCARD\r\n",
            uid.replace(',', "\\,").replace(';', "\\;")
        );
        let imported = vcard_to_message(card.as_bytes(), &VcardParseOptions::default()).expect("parses");
        assert_eq!(imported.uid.as_deref(), Some(uid));
        assert_eq!(imported.message.props.string(props::VCARD_UID).as_deref(), Some(uid));
        for v in [VcardVersion::V3, VcardVersion::V4] {
            let again = vcard_to_message(render(&imported.message, v).as_bytes(), &VcardParseOptions::default());
            assert_eq!(again.expect("reparses").uid.as_deref(), Some(uid), "{v:?}");
        }
    }
}

#[test]
fn a_contact_made_in_outlook_gets_the_fallback_uid_and_all_its_fields() {
    let mut p = PropertyBag::new();
    let s = |v: &str| PropValue::String(v.into());
    p.insert(PropTag::MESSAGE_CLASS, s("IPM.Contact")).unwrap();
    p.insert(PropTag::DISPLAY_NAME, s("Bob Builder")).unwrap();
    p.insert(PropTag::GIVEN_NAME, s("Bob")).unwrap();
    p.insert(PropTag::SURNAME, s("Builder")).unwrap();
    p.insert(PropTag::BUSINESS_TELEPHONE_NUMBER, s("+1 555 0100")).unwrap();
    p.insert(PropTag::CAR_TELEPHONE_NUMBER, s("+1 555 0199")).unwrap();
    p.insert(PidLid::EMAIL1_EMAIL_ADDRESS, s("bob@example.test")).unwrap();
    p.insert(PidLid::EMAIL1_ADDRESS_TYPE, s("SMTP")).unwrap();
    // An Exchange (EX) address: the SMTP form is the original display name.
    p.insert(PidLid::EMAIL2_EMAIL_ADDRESS, s("/o=Org/ou=Site/cn=Recipients/cn=bob2")).unwrap();
    p.insert(PidLid::EMAIL2_ADDRESS_TYPE, s("EX")).unwrap();
    p.insert(PidLid::EMAIL2_ORIGINAL_DISPLAY_NAME, s("bob.two@example.test")).unwrap();
    // Outlook in UTC+2 writes the birthday as local midnight in UTC.
    let bday = FileTime::from_unix_seconds(-1_262_304_000 + 86_400 * 100 - 2 * 3600).unwrap();
    p.insert(PropTag::BIRTHDAY, PropValue::Time(bday)).unwrap();
    p.insert(PidName::KEYWORDS, PropValue::MvString(vec!["VIP".into(), "Build, Inc".into()])).unwrap();
    p.insert(PropTag::BODY, s("line 1\r\nline 2; with semicolon")).unwrap();
    let m = Message { props: p, ..Default::default() };
    let v4 = message_to_vcard(&m, &VcardRenderOptions { fallback_uid: Some("sk-0011aa"), ..Default::default() })
        .expect("renders");
    let l = lines(&v4);
    assert!(l.contains(&"UID:sk-0011aa".to_owned()), "{v4}");
    assert!(l.contains(&"FN:Bob Builder".to_owned()));
    assert!(l.contains(&"N:Builder;Bob;;;".to_owned()));
    assert!(l.contains(&"EMAIL;PREF=1:bob@example.test".to_owned()));
    assert!(l.contains(&"EMAIL:bob.two@example.test".to_owned()), "EX address rendered by its SMTP form");
    assert!(l.contains(&"TEL;VALUE=text;TYPE=car:+1 555 0199".to_owned()));
    assert!(l.contains(&"BDAY:19300411".to_owned()), "1930-01-01 + 100 days, not the day before: {v4}");
    assert!(l.contains(&"CATEGORIES:VIP,Build\\, Inc".to_owned()));
    assert!(l.contains(&"NOTE:line 1\\nline 2\\; with semicolon".to_owned()));
    let v3 = render(&m, VcardVersion::V3);
    assert!(lines(&v3).contains(&"BDAY:1930-04-11".to_owned()), "{v3}");
    assert!(lines(&v3).contains(&"EMAIL;TYPE=INTERNET,PREF:bob@example.test".to_owned()));
}

#[test]
fn version_is_rendered_as_requested() {
    let m = parse("BEGIN:VCARD\r\nVERSION:3.0\r\nN:A;B;;;\r\nFN:B A\r\nEND:VCARD\r\n").expect("parses");
    assert!(render(&m, VcardVersion::V4).starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"));
    assert!(render(&m, VcardVersion::V3).starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"));
    assert_eq!(VcardVersion::from_version_param("4.0"), Some(VcardVersion::V4));
    assert_eq!(VcardVersion::from_version_param("3.0"), Some(VcardVersion::V3));
}

#[test]
fn photo_is_base64_in_3_and_a_data_uri_in_4_and_comes_back_byte_for_byte() {
    let jpeg: Vec<u8> = [0xFF, 0xD8, 0xFF, 0xE0].iter().copied().chain((0..2000u32).map(|i| (i * 7) as u8)).collect();
    let mut att = Attachment::default();
    att.props.insert(PropTag::ATTACHMENT_CONTACT_PHOTO, PropValue::Bool(true)).unwrap();
    att.props.insert(PropTag::ATTACH_DATA_BINARY, PropValue::Binary(jpeg.clone())).unwrap();
    att.props.insert(PropTag::ATTACH_LONG_FILENAME, PropValue::String("ContactPicture.jpg".into())).unwrap();
    let mut m = Message::default();
    m.props.insert(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Contact".into())).unwrap();
    m.props.insert(PropTag::DISPLAY_NAME, PropValue::String("Pic".into())).unwrap();
    m.attachments.push(att);
    let v3 = render(&m, VcardVersion::V3);
    assert!(lines(&v3).iter().any(|l| l.starts_with("PHOTO;ENCODING=b;TYPE=JPEG:/9j/")), "{v3}");
    let v4 = render(&m, VcardVersion::V4);
    assert!(lines(&v4).iter().any(|l| l.starts_with("PHOTO:data:image/jpeg;base64,/9j/")), "{v4}");
    for card in [v3, v4] {
        assert!(card.split("\r\n").all(|l| l.len() <= 75), "folded at 75 octets");
        let back = parse(&card).expect("parses");
        assert_eq!(back.props.named_bool(&PidLid::HAS_PICTURE), Some(true));
        let a = back.attachments.first().expect("photo attachment");
        assert_eq!(a.data(), jpeg.as_slice());
        assert_eq!(a.props.bool(PropTag::ATTACHMENT_CONTACT_PHOTO), Some(true));
        assert_eq!(a.props.string(PropTag::ATTACH_EXTENSION).as_deref(), Some(".jpg"));
    }
}

#[test]
fn non_ascii_3_0_output_has_no_charset_parameter() {
    let m =
        parse("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Zoë Ångström\r\nN:Ångström;Zoë;;;\r\nEND:VCARD\r\n").expect("parses");
    let v3 = render(&m, VcardVersion::V3);
    assert!(!v3.contains("CHARSET"), "{v3}");
    assert!(lines(&v3).contains(&"N:Ångström;Zoë;;;".to_owned()));
}

#[test]
fn an_outlook_distribution_list_renders_members_as_uids_or_mailto() {
    let dir = TestDirectory::default().with("urn:uuid:aaaa-1", "Alice", "alice@example.test");
    let alice = dir.by_uid.values().next().cloned().expect("alice");
    let wrapped = WrappedEntryId::for_member(&alice.entry_id, 0, false).to_bytes();
    // A contact member the directory does not know: falls back to its one-off.
    let stranger = WrappedEntryId::for_member(&[9; 70], 1, false).to_bytes();
    let mut m = Message::default();
    m.props.insert(PropTag::MESSAGE_CLASS, PropValue::String("IPM.DistList".into())).unwrap();
    m.props.insert(PropTag::DISPLAY_NAME, PropValue::String("Team".into())).unwrap();
    m.props
        .insert(
            PidLid::DISTRIBUTION_LIST_MEMBERS,
            PropValue::MvBinary(vec![wrapped, one_off("Carol", "carol@example.test"), stranger]),
        )
        .unwrap();
    m.props
        .insert(
            PidLid::DISTRIBUTION_LIST_ONE_OFF_MEMBERS,
            PropValue::MvBinary(vec![
                one_off("Alice", "alice@example.test"),
                one_off("Carol", "carol@example.test"),
                one_off("Dan", "dan@example.test"),
            ]),
        )
        .unwrap();
    let v4 = message_to_vcard(&m, &VcardRenderOptions { directory: &dir, ..Default::default() }).expect("renders");
    let l = lines(&v4);
    assert!(l.contains(&"KIND:group".to_owned()), "{v4}");
    let members: Vec<&String> = l.iter().filter(|x| x.starts_with("MEMBER:")).collect();
    assert_eq!(
        members,
        ["MEMBER:urn:uuid:aaaa-1", "MEMBER:mailto:carol@example.test", "MEMBER:mailto:dan@example.test"]
    );
    let v3 =
        message_to_vcard(&m, &VcardRenderOptions { version: VcardVersion::V3, directory: &dir, ..Default::default() })
            .expect("renders");
    let l3 = lines(&v3);
    assert!(l3.contains(&"X-ADDRESSBOOKSERVER-KIND:group".to_owned()), "{v3}");
    assert!(l3.contains(&"X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:aaaa-1".to_owned()));
    assert!(l3.contains(&"N:Team;;;;".to_owned()), "3.0 requires N");
}

#[test]
fn a_group_member_resolves_to_a_wrapped_entry_id_with_a_matching_one_off() {
    let dir = TestDirectory::default().with("urn:uuid:aaaa-1", "Alice", "alice@example.test");
    let opts = VcardParseOptions { directory: &dir, ..Default::default() };
    let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:Team\r\nMEMBER:urn:uuid:aaaa-1\r\nMEMBER:mailto:bob@example.test\r\nMEMBER:urn:uuid:unknown\r\nEND:VCARD\r\n";
    let imported = vcard_to_message(card.as_bytes(), &opts).expect("parses");
    let m = &imported.message;
    assert!(m.class_is("IPM.DistList"));
    let Some(PropValue::MvBinary(members)) = m.props.get(PidLid::DISTRIBUTION_LIST_MEMBERS) else { panic!("members") };
    let Some(PropValue::MvBinary(one_offs)) = m.props.get(PidLid::DISTRIBUTION_LIST_ONE_OFF_MEMBERS) else {
        panic!("one-offs")
    };
    assert_eq!(members.len(), 2);
    assert_eq!(one_offs.len(), 2, "one one-off per member, same positions ([MS-OXOCNTC] 2.2.2.2.2)");
    let w = WrappedEntryId::parse(&members[0]).expect("wrapped");
    assert_eq!(w.kind, 0xC3, "contact, Email1");
    assert_eq!(w.embedded, dir.by_uid["urn:uuid:aaaa-1"].entry_id);
    assert_eq!(one_offs[0], one_off("Alice", "alice@example.test"));
    assert_eq!(members[1], one_off("bob@example.test", "bob@example.test"));
    assert_eq!(m.props.strings(props::VCARD_MEMBERS).unwrap_or_default(), ["urn:uuid:unknown"]);
    assert!(imported.warnings.iter().any(|w| w.contains("urn:uuid:unknown")));
    let back = message_to_vcard(m, &VcardRenderOptions { directory: &dir, ..Default::default() }).expect("renders");
    let members: Vec<String> = lines(&back).into_iter().filter(|l| l.starts_with("MEMBER:")).collect();
    assert_eq!(members, ["MEMBER:urn:uuid:aaaa-1", "MEMBER:mailto:bob@example.test", "MEMBER:urn:uuid:unknown"]);
}

#[test]
fn year_less_birthdays_round_trip_in_both_versions() {
    let m = parse("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nBDAY:--0229\r\nEND:VCARD\r\n").expect("parses");
    assert!(lines(&render(&m, VcardVersion::V4)).contains(&"BDAY:--0229".to_owned()));
    let v3 = render(&m, VcardVersion::V3);
    assert!(lines(&v3).contains(&"BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29".to_owned()), "{v3}");
    let again = parse(&v3).expect("parses");
    assert_eq!(again.props.time(PropTag::BIRTHDAY), m.props.time(PropTag::BIRTHDAY));
}

#[test]
fn bad_input_is_a_typed_error() {
    let opts = VcardParseOptions::default();
    let err = |b: &[u8]| vcard_to_message(b, &opts).expect_err("must fail");
    assert_eq!(err(b""), VcardError::NoCard);
    assert_eq!(err(b"hello world\r\n"), VcardError::Malformed("not a content line: hello world".into()));
    assert!(matches!(err(b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:\xff\r\nEND:VCARD\r\n"), VcardError::NotUtf8(_)));
    assert!(matches!(err(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"), VcardError::NotVcard(_)));
    assert!(matches!(err(b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\n"), VcardError::Malformed(_)));
    assert_eq!(
        err(b"BEGIN:VCARD\r\nVERSION:5.0\r\nFN:x\r\nEND:VCARD\r\n"),
        VcardError::UnsupportedVersion("5.0".into())
    );
    let two = b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:a\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:b\r\nEND:VCARD\r\n";
    assert_eq!(err(two), VcardError::SeveralCards(2));
    assert_eq!(vcards_to_messages(two, &opts).expect("a file of two").len(), 2);
}

#[test]
fn limits_are_enforced() {
    let limits = VcardLimits { max_input: 200, max_photo: 10, max_cards: 1, max_properties: 5, max_members: 1 };
    let opts = VcardParseOptions { limits, ..Default::default() };
    let big = format!("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:{}\r\nEND:VCARD\r\n", "x".repeat(300));
    assert_eq!(vcard_to_message(big.as_bytes(), &opts), Err(VcardError::TooLarge { size: big.len(), limit: 200 }));
    let photo = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:p\r\nPHOTO:data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE=\r\nEND:VCARD\r\n";
    assert_eq!(
        vcard_to_message(photo.as_bytes(), &opts),
        Err(VcardError::LimitExceeded { what: "photo bytes", limit: 10 })
    );
    let props = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:p\r\nNOTE:1\r\nNOTE:2\r\nNOTE:3\r\nNOTE:4\r\nNOTE:5\r\nEND:VCARD\r\n";
    assert!(matches!(
        vcard_to_message(props.as_bytes(), &opts),
        Err(VcardError::LimitExceeded { what: "properties", .. })
    ));
    let members = "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nMEMBER:mailto:a@x\r\nMEMBER:mailto:b@x\r\nEND:VCARD\r\n";
    assert!(matches!(
        vcard_to_message(members.as_bytes(), &opts),
        Err(VcardError::LimitExceeded { what: "members", .. })
    ));
    let two = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:a\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:b\r\nEND:VCARD\r\n";
    assert!(matches!(vcards_to_messages(two.as_bytes(), &opts), Err(VcardError::LimitExceeded { what: "cards", .. })));
}

#[test]
fn messages_that_are_no_contact_are_refused() {
    let mut m = Message::default();
    m.props.insert(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into())).unwrap();
    assert_eq!(message_to_vcard(&m, &VcardRenderOptions::default()), Err(VcardError::NotAContact("IPM.Note".into())));
    m.props.insert(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Contact.Custom".into())).unwrap();
    assert!(message_to_vcard(&m, &VcardRenderOptions::default()).is_ok());
}

#[test]
fn directory_member_of_a_list_is_a_list_entry() {
    let m = DirectoryMember {
        entry_id: vec![1; 70],
        display_name: "L".into(),
        email: String::new(),
        email_index: 0,
        is_list: true,
    };
    assert_eq!(WrappedEntryId::for_member(&m.entry_id, m.email_index, m.is_list).kind, 0xB4);
}

#[test]
fn search_properties_name_where_a_query_must_look() {
    use convert::vcard::search_properties;
    let keys = |p: &str| search_properties(p).unwrap_or_default();
    assert_eq!(keys("fn"), [convert::PropKey::Tag(PropTag::DISPLAY_NAME.id())]);
    assert_eq!(keys("EMAIL").len(), 3);
    assert!(keys("TEL").contains(&convert::PropKey::Tag(PropTag::MOBILE_TELEPHONE_NUMBER.id())));
    assert_eq!(keys("TEL").len(), 19);
    assert_eq!(keys("NICKNAME"), [convert::PropKey::Tag(PropTag::NICKNAME.id())]);
    assert_eq!(search_properties("X-UNKNOWN"), None);
}
