use super::*;
use crate::entry_id::{AddressBookEntryId, DisplayType};
use crate::prop_tag::PropType;
use crate::prop_value::{FlaggedValue, PropValue};
use proptest::prelude::*;

use crate::testdata::capture;

fn json(name: &str) -> Option<serde_json::Value> {
    capture(name).map(|b| serde_json::from_slice(&b).unwrap())
}

fn hex(s: &str) -> Vec<u8> {
    assert!(!s.contains("..."), "truncated hex in capture JSON");
    hex::decode(s.replace(' ', "")).unwrap()
}

fn tags(v: &serde_json::Value) -> Vec<PropTag> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| PropTag(u32::from_str_radix(&t.as_str().unwrap()[2..10], 16).unwrap()))
        .collect()
}

fn responses(v: &serde_json::Value) -> &Vec<serde_json::Value> {
    v["response_decoded"]["rpc_header_ext"][0]["decoded"]["responses"].as_array().unwrap()
}

fn find<'a>(list: &'a [serde_json::Value], rop: &str) -> &'a serde_json::Value {
    list.iter().find(|r| r["rop"].as_str().unwrap().contains(rop)).unwrap()
}

/// Decodes `bytes` as one RecipientRow, checks it re-encodes byte for byte and
/// that the sized form matches `size`.
fn round_trip(bytes: &[u8], columns: &[PropTag], size: u64) -> RecipientRow {
    assert_eq!(bytes.len() as u64, size, "RecipientRowSize");
    let mut r = Reader::new(bytes);
    let row = RecipientRow::decode_with(&mut r, columns).unwrap();
    r.expect_end("RecipientRow").unwrap();
    let mut w = Vec::new();
    row.encode_with(&mut w, columns).unwrap();
    assert_eq!(w, bytes);
    let mut sized = Vec::new();
    RecipientRow::encode_sized(Some(&row), &mut sized, columns).unwrap();
    assert_eq!(&sized[..2], &(size as u16).to_le_bytes());
    row
}

const ALICE_DN: &str =
    "/o=Gromox default/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=0100000001000000-alice";

fn check_alice(row: &RecipientRow) {
    assert_eq!(row.flags, RecipientFlags(0x02DB)); // SMTP|E|D|S|R|U (corrections B12)
    assert_eq!(row.address, RecipientAddress::Smtp);
    assert_eq!(row.email, Some("alice@example.test".into()));
    assert_eq!(row.display_name, Some("alice@example.test".into()));
    assert_eq!(row.simple_display_name, None);
    assert_eq!(row.transmittable_display_name, None);
    let ab = AddressBookEntryId::new(DisplayType::MAILUSER, ALICE_DN).to_bytes().unwrap();
    let PropertyRow::Standard(values) = &row.row else { panic!("flagged row") };
    assert_eq!(
        values,
        &[
            PropValue::Binary(ab.clone()),
            PropValue::I32(6),
            PropValue::I32(0),
            PropValue::String("alice@example.test".into()),
            PropValue::Binary(ab),
            PropValue::I32(1),
        ]
    );
}

use crate::codec::Encode;

#[test]
fn capture_014_open_message_recipient_row() {
    let Some(v) = json("014-execute-openmessage-html-getpropertiesall.json") else { return };
    let open = find(responses(&v), "OpenMessage");
    let columns = tags(&open["RecipientColumns"]);
    assert_eq!(columns.len(), 6);
    let bytes = hex(open["bytes"].as_str().unwrap());
    let size = open["RecipientRows"][0]["RecipientRowSize"].as_u64().unwrap();
    // One recipient: the row ends the response, after its RecipientRowSize.
    let start = bytes.len() - size as usize;
    let mut r = Reader::new(&bytes[start - 2..]);
    let sized = RecipientRow::decode_sized(&mut r, &columns).unwrap().unwrap();
    assert!(r.is_empty());
    let row = round_trip(&bytes[start..], &columns, size);
    assert_eq!(sized, row);
    check_alice(&row);
}

#[test]
fn capture_020_read_recipients() {
    let Some(v) = json("020-execute-openmessage-readrecipients.json") else { return };
    let columns = tags(&find(responses(&v), "OpenMessage")["RecipientColumns"]);
    let rr = &find(responses(&v), "ReadRecipients")["Rows"][0];
    let row =
        round_trip(&hex(rr["RecipientRow_hex"].as_str().unwrap()), &columns, rr["RecipientRowSize"].as_u64().unwrap());
    check_alice(&row);
}

#[test]
fn capture_022_sent_item_recipient_with_one_column() {
    let Some(v) = json("022-execute-sentitems-openmessage-recipients.json") else { return };
    let columns = tags(&find(responses(&v), "OpenMessage")["RecipientColumns"]);
    let rr = &find(responses(&v), "ReadRecipients")["Rows"][0];
    let row =
        round_trip(&hex(rr["RecipientRow_hex"].as_str().unwrap()), &columns, rr["RecipientRowSize"].as_u64().unwrap());
    assert_eq!(row.flags, RecipientFlags(0x025B)); // SMTP|E|D|S|U, not responsible
    assert_eq!(row.email, Some("bob@example.test".into()));
    assert_eq!(row.row, PropertyRow::Standard(vec![PropValue::String("bob@example.test".into())]));
}

/// A RopModifyRecipients (0x0E) request: columns, row bytes, ROP bytes, RecipientRowSize.
type ModifyRecipients = (Vec<PropTag>, Vec<u8>, Vec<u8>, u64);

fn modify_recipients(name: &str) -> Option<ModifyRecipients> {
    let v = json(name)?;
    let rop = find(v["rops"].as_array().unwrap(), "ModifyRecipients");
    let row = &rop["Rows"][0];
    Some((
        tags(&rop["RecipientColumns"]),
        hex(row["RecipientRow"].as_str().unwrap()),
        hex(rop["bytes"].as_str().unwrap()),
        row["RecipientRowSize"].as_u64().unwrap(),
    ))
}

#[test]
fn capture_031_033_modify_recipients_smtp_row() {
    for name in ["031-execute-createmessage-drafts-save.json", "033-execute-createmessage-submitmessage-to-bob.json"] {
        let Some((columns, bytes, rop, size)) = modify_recipients(name) else { return };
        assert_eq!(columns, [PropTag::new(0x39FE, PropType::STRING), PropTag::new(0x3900, PropType::INTEGER32)]);
        let row = round_trip(&bytes, &columns, size);
        let want = RecipientRow::smtp(
            "Bob Tester",
            "bob@example.test",
            PropertyRow::Standard(vec![PropValue::String("bob@example.test".into()), PropValue::I32(0)]),
        );
        assert_eq!(row, want);
        assert_eq!(want.wire_flags().unwrap(), RecipientFlags(0x021B)); // corrections A16
        // The request carries RecipientRowSize + row at its end.
        let mut sized = Vec::new();
        RecipientRow::encode_sized(Some(&want), &mut sized, &columns).unwrap();
        assert!(rop.ends_with(&sized));
    }
}

#[test]
fn capture_032_open_created_draft() {
    let Some(v) = json("032-execute-open-created-draft.json") else { return };
    let open = find(responses(&v), "OpenMessage");
    let columns = tags(&open["RecipientColumns"]);
    let bytes = hex(open["bytes"].as_str().unwrap());
    let size = open["RecipientRows"][0]["RecipientRowSize"].as_u64().unwrap();
    let row = round_trip(&bytes[bytes.len() - size as usize..], &columns, size);
    assert_eq!(row.flags, RecipientFlags(0x021B));
    assert_eq!(row.display_name, Some("Bob Tester".into()));
    assert_eq!(row.row, PropertyRow::Standard(vec![PropValue::I32(0), PropValue::String("bob@example.test".into())]));
}

#[test]
fn flag_dependent_fields() {
    let cols = [PropTag::new(0x0C15, PropType::INTEGER32)];
    // X500 recipient, 8-bit strings, transmittable + simple names.
    let row = RecipientRow {
        flags: RecipientFlags(RecipientFlags::RESPONSIBILITY),
        address: RecipientAddress::X500Dn { address_prefix_used: 3, display_type: 0, x500_dn: b"/cn=bob".to_vec() },
        email: None,
        display_name: Some(RecipientString::Ascii(b"Bob".to_vec())),
        simple_display_name: Some(RecipientString::Ascii(b"B".to_vec())),
        transmittable_display_name: Some(RecipientString::Ascii(b"Bob T".to_vec())),
        row: PropertyRow::Flagged(vec![FlaggedValue::Missing]),
    };
    let mut row = row;
    row.flags = row.wire_flags().unwrap();
    let mut w = Vec::new();
    row.encode_with(&mut w, &cols).unwrap();
    let mut want = vec![0xB1, 0x04, 3, 0];
    want.extend(b"/cn=bob\0Bob\0B\0Bob T\0");
    want.extend([1, 0, 1, 1]);
    assert_eq!(w, want);
    assert_eq!(RecipientRow::decode_with(&mut Reader::new(&w), &cols).unwrap(), row);

    // NoType with an AddressType (O flag), personal distribution lists.
    let mut nt = row.clone();
    nt.address = RecipientAddress::NoType { address_type: Some(b"FAX".to_vec()) };
    nt.row = PropertyRow::Standard(vec![]);
    nt.flags = nt.wire_flags().unwrap();
    let mut w = Vec::new();
    nt.encode_with(&mut w, &cols).unwrap();
    assert_eq!(&w[..6], &[0xB0, 0x84, b'F', b'A', b'X', 0]);
    assert_eq!(RecipientRow::decode_with(&mut Reader::new(&w), &cols).unwrap(), nt);
    let mut pdl = nt.clone();
    pdl.address =
        RecipientAddress::PersonalDistributionList { second: true, entry_id: vec![1, 2], search_key: vec![3] };
    pdl.flags = pdl.wire_flags().unwrap();
    let mut w = Vec::new();
    pdl.encode_with(&mut w, &cols).unwrap();
    // The O bit copied from `nt` means nothing with type 7 and is kept as is.
    assert_eq!(&w[..9], &[0xB7, 0x84, 2, 0, 1, 2, 1, 0, 3]);
    assert_eq!(RecipientRow::decode_with(&mut Reader::new(&w), &cols).unwrap(), pdl);
}

#[test]
fn refusals() {
    let cols = [PropTag::new(0x39FE, PropType::STRING)];
    // RecipientColumnCount beyond the columns.
    let bytes = [0x03, 0x00, 0x02, 0x00, 0x00];
    assert!(matches!(
        RecipientRow::decode_with(&mut Reader::new(&bytes), &cols),
        Err(DecodeError::Invalid { what: "RecipientColumnCount", .. })
    ));
    // Mixed string forms cannot share one U flag.
    let mut row = RecipientRow::smtp("a", "b", PropertyRow::Standard(vec![]));
    row.display_name = Some(RecipientString::Ascii(b"a".to_vec()));
    assert!(row.encode_with(&mut Vec::new(), &cols).is_err());
    // More values than columns.
    let row = RecipientRow::smtp("a", "b", PropertyRow::Standard(vec![PropValue::I32(1), PropValue::I32(2)]));
    assert!(row.encode_with(&mut Vec::new(), &cols).is_err());
    // RecipientRowSize 0 = no row; a frame with trailing bytes is refused.
    assert_eq!(RecipientRow::decode_sized(&mut Reader::new(&[0, 0]), &cols).unwrap(), None);
    let mut sized = Vec::new();
    RecipientRow::encode_sized(Some(&RecipientRow::smtp("a", "b", PropertyRow::Standard(vec![]))), &mut sized, &cols)
        .unwrap();
    sized[0] += 1;
    sized.push(0);
    assert!(matches!(
        RecipientRow::decode_sized(&mut Reader::new(&sized), &cols),
        Err(DecodeError::TrailingBytes { .. })
    ));
}

fn arb_string(unicode: bool) -> BoxedStrategy<RecipientString> {
    if unicode {
        "[^\u{0}]{0,8}".prop_map(RecipientString::Unicode).boxed()
    } else {
        proptest::collection::vec(1u8..=255, 0..8).prop_map(RecipientString::Ascii).boxed()
    }
}

fn arb_address() -> impl Strategy<Value = RecipientAddress> {
    let bytes = || proptest::collection::vec(1u8..=255, 0..10);
    prop_oneof![
        proptest::option::of(bytes()).prop_map(|address_type| RecipientAddress::NoType { address_type }),
        (any::<u8>(), any::<u8>(), bytes()).prop_map(|(address_prefix_used, display_type, x500_dn)| {
            RecipientAddress::X500Dn { address_prefix_used, display_type, x500_dn }
        }),
        Just(RecipientAddress::MsMail),
        Just(RecipientAddress::Smtp),
        Just(RecipientAddress::Fax),
        Just(RecipientAddress::ProfessionalOfficeSystem),
        (any::<bool>(), proptest::collection::vec(any::<u8>(), 0..10), proptest::collection::vec(any::<u8>(), 0..10))
            .prop_map(|(second, entry_id, search_key)| RecipientAddress::PersonalDistributionList {
                second,
                entry_id,
                search_key
            }),
    ]
}

/// Columns and a matching row (standard or flagged) for a prefix of them.
fn arb_row() -> impl Strategy<Value = (Vec<PropTag>, PropertyRow)> {
    let col = prop_oneof![
        any::<i32>().prop_map(|v| (PropType::INTEGER32, PropValue::I32(v))),
        "[^\u{0}]{0,6}".prop_map(|s| (PropType::STRING, PropValue::String(s))),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(|b| (PropType::BINARY, PropValue::Binary(b))),
        any::<bool>().prop_map(|b| (PropType::BOOLEAN, PropValue::Bool(b))),
    ];
    (proptest::collection::vec((any::<u16>(), col), 0..5), 0usize..3, any::<bool>()).prop_map(
        |(cols, extra, flagged)| {
            let values: Vec<PropValue> = cols.iter().map(|(_, (_, v))| v.clone()).collect();
            let mut tags: Vec<PropTag> = cols.iter().map(|(id, (ty, _))| PropTag::new(*id, *ty)).collect();
            // Columns beyond RecipientColumnCount.
            tags.extend((0..extra).map(|i| PropTag::new(i as u16, PropType::INTEGER64)));
            let row = if flagged {
                PropertyRow::Flagged(
                    values
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| if i % 2 == 0 { FlaggedValue::Value(v) } else { FlaggedValue::Missing })
                        .collect(),
                )
            } else {
                PropertyRow::Standard(values)
            };
            (tags, row)
        },
    )
}

fn arb_recipient() -> impl Strategy<Value = (Vec<PropTag>, RecipientRow)> {
    (any::<bool>(), any::<u16>(), arb_address(), arb_row()).prop_flat_map(|(unicode, flags, address, (cols, row))| {
        let s = proptest::option::of(arb_string(unicode));
        (s.clone(), s.clone(), s.clone(), s).prop_map(move |(email, display_name, simple, transmittable)| {
            let mut r = RecipientRow {
                flags: RecipientFlags(flags),
                address: address.clone(),
                email,
                display_name,
                simple_display_name: simple,
                transmittable_display_name: transmittable,
                row: row.clone(),
            };
            // Decoding yields the wire flags.
            r.flags = r.wire_flags().unwrap();
            (cols.clone(), r)
        })
    })
}

proptest! {
    #[test]
    fn recipient_rows_round_trip((cols, row) in arb_recipient()) {
        let mut w = Vec::new();
        row.encode_with(&mut w, &cols).unwrap();
        let mut r = Reader::new(&w);
        prop_assert_eq!(RecipientRow::decode_with(&mut r, &cols).unwrap(), row.clone());
        prop_assert!(r.is_empty());
        let mut s = Vec::new();
        RecipientRow::encode_sized(Some(&row), &mut s, &cols).unwrap();
        prop_assert_eq!(RecipientRow::decode_sized(&mut Reader::new(&s), &cols).unwrap(), Some(row));
    }

    #[test]
    fn recipient_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let cols = [PropTag::new(0x39FE, PropType::STRING), PropTag::new(0x3900, PropType::INTEGER32)];
        let _ = RecipientRow::decode_with(&mut Reader::new(&bytes), &cols);
    }
}
