use super::*;
use crate::ids::{FolderId, GlobalCounter};
use proptest::prelude::*;

use crate::testdata::capture;

fn json(name: &str) -> Option<serde_json::Value> {
    capture(name).map(|b| serde_json::from_slice(&b).unwrap())
}

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn responses(v: &serde_json::Value) -> &Vec<serde_json::Value> {
    v["response_decoded"]["rpc_header_ext"][0]["decoded"]["responses"].as_array().unwrap()
}

const ALICE_DN: &str =
    "/o=Gromox default/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=0100000001000000-alice";

#[test]
fn tv12_folder_and_message_entry_ids() {
    let mailbox = Guid::parse("11111111-2222-3333-4444-555555555555").unwrap();
    let repl = Guid::parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee").unwrap();
    let folder = Gid { guid: repl, counter: FolderId::new(1, 0x123).global_counter() };
    let fe = FolderEntryId::private(mailbox, folder);
    let want = hex("00000000 11111111222233334444555555555555 0100 AAAAAAAABBBBCCCCDDDDEEEEEEEEEEEE 000000000123 0000");
    assert_eq!(fe.to_bytes().unwrap(), want);
    assert_eq!(EntryId::parse(&want).unwrap(), EntryId::Folder(fe));

    let msg = Gid { guid: repl, counter: GlobalCounter::from_value(0x456) };
    let me = MessageEntryId::private(mailbox, folder, msg);
    let want =
        hex("00000000 11111111222233334444555555555555 0700 AAAAAAAABBBBCCCCDDDDEEEEEEEEEEEE 000000000123 0000 \
         AAAAAAAABBBBCCCCDDDDEEEEEEEEEEEE 000000000456 0000");
    assert_eq!(me.to_bytes().unwrap(), want);
    assert_eq!(me.folder_id(1), FolderId::new(1, 0x123));
    assert_eq!(me.message_id(1), MessageId::new(1, 0x456));
    assert_eq!(EntryId::parse(&want).unwrap(), EntryId::Message(me));
}

#[test]
fn tv12_one_off_and_address_book() {
    let oo = OneOffEntryId::smtp("Jo", "j@x.io");
    let want =
        hex("00 00 00 00 81 2B 1F A4 BE A3 10 19 9D 6E 00 DD 01 0F 54 02 00 00 01 90 4A 00 6F 00 00 00 53 00 4D 00 \
         54 00 50 00 00 00 6A 00 40 00 78 00 2E 00 69 00 6F 00 00 00");
    assert_eq!(oo.to_bytes().unwrap(), want);
    assert_eq!(EntryId::parse(&want).unwrap(), EntryId::OneOff(oo));

    let ab = AddressBookEntryId::new(DisplayType::MAILUSER, "/o=Org/cn=u");
    let want =
        hex("00 00 00 00 DC A7 40 C8 C0 42 10 1A B4 B9 08 00 2B 2F E1 82 01 00 00 00 00 00 00 00 2F 6F 3D 4F 72 67 \
         2F 63 6E 3D 75 00");
    assert_eq!(ab.to_bytes().unwrap(), want);
    assert_eq!(EntryId::parse(&want).unwrap(), EntryId::AddressBook(ab));
}

#[test]
fn capture_007_special_folder_entry_ids() {
    let Some(v) = json("007-execute-special-folder-entryids.json") else { return };
    let mailbox = Guid::parse("4e27c2ae-30d9-4ff5-97db-96c194f2c32a").unwrap(); // RopLogon MailboxGuid (005)
    let db = Guid::parse("00000001-18a5-6f7b-bcdc-ea1ed03c5657").unwrap(); // corrections A15
    let mut seen = 0;
    for resp in responses(&v).iter().filter(|r| r["rop"].as_str().unwrap().contains("GetPropertiesSpecific")) {
        let values = resp["RowData"]["values"].as_array().unwrap();
        // The folder entry IDs also occur verbatim in the ROP response bytes.
        let rop_bytes = hex(resp["bytes"].as_str().unwrap());
        for val in values {
            let tag = val["tag"].as_str().unwrap();
            let hexes: Vec<&str> = match &val["value"] {
                serde_json::Value::String(s) if tag.contains("0102") => vec![s.as_str()],
                serde_json::Value::Array(a) => a.iter().map(|x| x.as_str().unwrap()).collect(),
                _ => continue,
            };
            for h in hexes {
                let bytes = hex(h);
                assert_eq!(bytes.len(), FolderEntryId::SIZE);
                assert!(rop_bytes.windows(bytes.len()).any(|w| w == bytes));
                let EntryId::Folder(fe) = EntryId::parse(&bytes).unwrap() else { panic!("not a folder entry ID: {h}") };
                assert_eq!(fe.provider_uid, mailbox);
                assert_eq!(fe.folder_type, StoreObjectType::PRIVATE_FOLDER);
                assert_eq!(fe.folder.guid, db);
                assert_eq!(fe.flags, 0);
                assert_eq!(fe.folder.pad, 0);
                assert_eq!(fe.to_bytes().unwrap(), bytes);
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 2 * 11);
    // PidTagIpmDraftsEntryId points at Drafts, counter 0x0e (README folder table).
    let drafts = hex(responses(&v)[1]["RowData"]["values"][5]["value"].as_str().unwrap());
    let fe = FolderEntryId::decode_exact(&drafts).unwrap();
    assert_eq!(fe.folder.counter.value(), 0x0e);
    // Drafts' FID in this session (README folder table: 0x0E00000000000001).
    assert_eq!(fe.folder_id(1), FolderId(0x0E00_0000_0000_0001));
}

#[test]
fn capture_014_one_off_and_address_book_entry_ids() {
    let Some(v) = json("014-execute-openmessage-html-getpropertiesall.json") else { return };
    let resp = responses(&v);
    let all = resp.iter().find(|r| r["rop"].as_str().unwrap().contains("GetPropertiesAll")).unwrap();
    let value = |tag: &str| {
        let vals = all["Values"].as_array().unwrap();
        hex(vals.iter().find(|x| x["tag"].as_str().unwrap().starts_with(tag)).unwrap()["value"].as_str().unwrap())
    };
    // PidTagSentRepresentingEntryId: one-off with gromox flags 0x8001 (corrections B28).
    let bytes = value("0x00410102");
    let EntryId::OneOff(oo) = EntryId::parse(&bytes).unwrap() else { panic!("not a one-off") };
    assert_eq!(oo.format, OneOffFlags(0x8001));
    assert!(oo.format.is_unicode());
    assert_eq!(oo.display_name, "carol@external.test");
    assert_eq!(oo.address_type, "SMTP");
    assert_eq!(oo.email_address, "carol@external.test");
    assert_eq!(oo.to_bytes().unwrap(), bytes);

    // PidTagReceivedByEntryId: address book entry ID of alice.
    let bytes = value("0x003F0102");
    let EntryId::AddressBook(ab) = EntryId::parse(&bytes).unwrap() else { panic!("not an AB entry ID") };
    assert_eq!(ab, AddressBookEntryId::new(DisplayType::MAILUSER, ALICE_DN));
    assert_eq!(ab.to_bytes().unwrap(), bytes);

    // The recipient's PidTagRecordKey in RopOpenMessage is the same AB entry ID.
    let open = resp.iter().find(|r| r["rop"].as_str().unwrap().contains("OpenMessage")).unwrap();
    let rk = hex(open["RecipientRows"][0]["RecipientRow"]["row"]["values"][0]["value"].as_str().unwrap());
    assert_eq!(AddressBookEntryId::decode_exact(&rk).unwrap(), ab);
    let open_bytes = hex(open["bytes"].as_str().unwrap());
    assert!(open_bytes.windows(rk.len()).any(|w| w == rk));
}

#[test]
fn capture_095_ephemeral_entry_ids() {
    let Some(v) = json("095-nspi-queryrows-gal-ephemeral-entryids.json") else { return };
    let Some(body) = capture("095-nspi-queryrows-gal-ephemeral-entryids.resp.bin") else { return };
    let server = Guid::parse("6f948f0e-f1d4-401f-b31f-571eab408af6").unwrap();
    let rows = v["response_decoded"]["ColsAndRows"]["Rows"].as_array().unwrap();
    let mids: Vec<u32> = rows
        .iter()
        .map(|row| {
            let bytes = hex(row["values"][1]["value"].as_str().unwrap());
            assert!(body.windows(bytes.len()).any(|w| w == bytes), "entry ID not in the response body");
            let EntryId::Ephemeral(e) = EntryId::parse(&bytes).unwrap() else { panic!("not ephemeral") };
            assert_eq!(e.provider_uid, server);
            assert_eq!(e.version, 1);
            assert_eq!(e.display_type, DisplayType::MAILUSER);
            assert_eq!(e, EphemeralEntryId::new(server, DisplayType::MAILUSER, e.mid));
            assert_eq!(e.to_bytes().unwrap(), bytes);
            e.mid
        })
        .collect();
    assert_eq!(mids, [0x11, 0x12, 0x17]); // alice, bob, carol
}

#[test]
fn store_entry_id_layout() {
    let s = StoreEntryId::private("vm", "/o=Org/cn=u");
    let b = s.to_bytes().unwrap();
    let mut want = hex("00000000 38A1BB1005E5101AA1BB08002B2A56C2 00 00");
    want.extend(b"emsmdb.dll\0\0\0\0");
    want.extend(hex("00000000 1B55FA20AA6611CD9BC800AA002FC45A 0C000000"));
    want.extend(b"vm\0/o=Org/cn=u\0");
    assert_eq!(b, want);
    assert_eq!(EntryId::parse(&b).unwrap(), EntryId::Store(s.clone()));
    // Public store: no MailboxDN.
    let mut p = s.clone();
    p.mailbox_dn = None;
    p.wrapped_provider_uid = PUBLIC_STORE_PROVIDER;
    p.wrapped_type = StoreEntryId::WRAPPED_TYPE_PUBLIC;
    assert_eq!(StoreEntryId::decode_exact(&p.to_bytes().unwrap()).unwrap(), p);
    // An Exchange v2 tail is kept.
    let mut x = s;
    x.extension = vec![0xE9, 0x46, 0x32, 0xF4, 1, 2, 3];
    assert_eq!(StoreEntryId::decode_exact(&x.to_bytes().unwrap()).unwrap(), x);
}

#[test]
fn classification_and_refusals() {
    assert_eq!(EntryId::parse(&[1, 2, 3]).unwrap(), EntryId::Other(vec![1, 2, 3]));
    assert_eq!(EntryId::parse(&[]).unwrap(), EntryId::Other(vec![]));
    // A one-off without its strings is an error, not Other.
    let oo = OneOffEntryId::smtp("a", "b").to_bytes().unwrap();
    assert!(EntryId::parse(&oo[..24]).unwrap_err().is_incomplete());
    // Trailing bytes after a one-off.
    let mut t = oo.clone();
    t.push(0);
    assert!(matches!(EntryId::parse(&t), Err(DecodeError::TrailingBytes { .. })));
    // A 46-byte value with the one-off provider is not taken for a folder.
    assert!(EntryId::parse(&oo.iter().copied().chain(std::iter::repeat(0)).take(46).collect::<Vec<_>>()).is_err());
    // 8-bit strings: > U+00FF and NUL are refused.
    assert!(AddressBookEntryId::new(DisplayType::MAILUSER, "/o=✉").to_bytes().is_err());
    assert!(AddressBookEntryId::new(DisplayType::MAILUSER, "a\0b").to_bytes().is_err());
    let mut u = OneOffEntryId::smtp("a\0", "b");
    assert!(u.to_bytes().is_err());
    u.format = OneOffFlags(0);
    assert!(u.to_bytes().is_err());
    assert!(EphemeralEntryId::decode_exact(&[0x86; 32]).is_err());
    assert_eq!(format!("{:?}", DisplayType::CONTAINER), "DT_CONTAINER");
}

fn arb_guid() -> impl Strategy<Value = Guid> {
    any::<[u8; 16]>().prop_map(Guid)
}

fn arb_ltid() -> impl Strategy<Value = LongTermId> {
    (arb_guid(), any::<[u8; 6]>(), any::<u16>()).prop_map(|(guid, c, pad)| LongTermId {
        guid,
        counter: GlobalCounter(c),
        pad,
    })
}

fn arb_8bit() -> impl Strategy<Value = String> {
    proptest::collection::vec(1u8..=255, 0..20).prop_map(|b| b.into_iter().map(char::from).collect())
}

fn arb_unicode() -> impl Strategy<Value = String> {
    "[^\u{0}]{0,12}"
}

fn arb_entry_id() -> impl Strategy<Value = EntryId> {
    prop_oneof![
        (any::<u32>(), arb_guid(), any::<u16>(), arb_ltid()).prop_map(|(flags, provider_uid, t, folder)| {
            EntryId::Folder(FolderEntryId { flags, provider_uid, folder_type: StoreObjectType(t), folder })
        }),
        (any::<u32>(), arb_guid(), any::<u16>(), arb_ltid(), arb_ltid()).prop_map(
            |(flags, provider_uid, t, folder, message)| {
                EntryId::Message(MessageEntryId {
                    flags,
                    provider_uid,
                    message_type: StoreObjectType(t),
                    folder,
                    message,
                })
            }
        ),
        (
            any::<u32>(),
            any::<[u8; 14]>(),
            arb_guid(),
            any::<u32>(),
            arb_8bit(),
            proptest::option::of((arb_8bit(), proptest::collection::vec(any::<u8>(), 0..8)))
        )
            .prop_map(|(flags, dll_name, wp, wt, server, dn)| {
                let (mailbox_dn, extension) = match dn {
                    Some((d, e)) => (Some(d), e),
                    None => (None, Vec::new()),
                };
                EntryId::Store(StoreEntryId {
                    flags,
                    version: 0,
                    flag: 0,
                    dll_name,
                    wrapped_flags: 0,
                    wrapped_provider_uid: wp,
                    wrapped_type: wt,
                    server_short_name: server,
                    mailbox_dn,
                    extension,
                })
            }),
        (
            any::<u32>(),
            any::<u16>(),
            any::<u16>(),
            arb_unicode(),
            arb_unicode(),
            arb_unicode(),
            arb_8bit(),
            arb_8bit(),
            arb_8bit()
        )
            .prop_map(|(flags, version, fmt, a, b, c, x, y, z)| {
                let format = OneOffFlags(fmt);
                let (display_name, address_type, email_address) =
                    if format.is_unicode() { (a, b, c) } else { (x, y, z) };
                EntryId::OneOff(OneOffEntryId { flags, version, format, display_name, address_type, email_address })
            }),
        (any::<u32>(), any::<u32>(), any::<u32>(), arb_8bit()).prop_map(|(flags, version, t, x500_dn)| {
            EntryId::AddressBook(AddressBookEntryId { flags, version, display_type: DisplayType(t), x500_dn })
        }),
        (any::<[u8; 3]>(), arb_guid(), any::<u32>(), any::<u32>(), any::<u32>()).prop_map(
            |(reserved, provider_uid, version, t, mid)| {
                EntryId::Ephemeral(EphemeralEntryId {
                    reserved,
                    provider_uid,
                    version,
                    display_type: DisplayType(t),
                    mid,
                })
            }
        ),
    ]
}

proptest! {
    #[test]
    fn entry_ids_round_trip(e in arb_entry_id()) {
        let b = e.to_bytes().unwrap();
        // Folder/message entry IDs whose random provider UID collides with a
        // well-known one are not expected; skip the (2^-128) case.
        let parsed = EntryId::parse(&b).unwrap();
        prop_assert_eq!(parsed, e);
    }

    #[test]
    fn entry_id_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..100), provider in 0usize..4) {
        let mut b = bytes;
        let uids = [STORE_WRAP_PROVIDER, ONE_OFF_PROVIDER, ADDRESS_BOOK_PROVIDER, Guid::NIL];
        if b.len() >= 20 {
            b[4..20].copy_from_slice(&uids[provider].0);
        }
        if let Ok(e) = EntryId::parse(&b) {
            // Whatever parses re-encodes to the same bytes (8-bit strings map 1:1).
            if !matches!(e, EntryId::OneOff(ref o) if o.format.is_unicode()) {
                prop_assert_eq!(e.to_bytes().unwrap(), b);
            }
        }
    }
}
