//! Contents tables answer To/Cc/Bcc searches as Exchange does: rows carry
//! PidTagDisplayTo/Cc/Bcc computed from the recipients, and a SubObject
//! restriction on PidTagMessageRecipients ([MS-OXCDATA] 2.12.8) is
//! evaluated against each message's recipient rows. The restriction has
//! the shape the mailbox crate sends for IMAP `SEARCH TO bob`.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder};
use mapi_wire::PropTag;
use mapi_wire::prop_value::{PropValue, PropertyRow, TaggedValue};
use mapi_wire::restriction::{FuzzyLevel, RelOp, Restriction};
use mapi_wire::rop::*;
use rops_common::*;

const NONE: u32 = u32::MAX;

fn recipient(name: &str, address: &str, kind: i32) -> PropBag {
    let mut r = PropBag::new();
    r.set(PropTag::DISPLAY_NAME, PropValue::String(name.into()));
    r.set(PropTag::SMTP_ADDRESS, PropValue::String(address.into()));
    r.set(PropTag::EMAIL_ADDRESS, PropValue::String(address.into()));
    r.set(PropTag::ADDRESS_TYPE, PropValue::String("SMTP".into()));
    r.set(PropTag::RECIPIENT_TYPE, PropValue::I32(kind));
    r
}

fn content(tag: PropTag, s: &str) -> Restriction {
    Restriction::Content {
        fuzzy: FuzzyLevel { low: FuzzyLevel::SUBSTRING, high: FuzzyLevel::IGNORE_CASE },
        tag,
        value: TaggedValue { tag, value: PropValue::String(s.into()) },
    }
}

/// crates/mailbox/src/mapi/search.rs `recipient`.
fn recipient_search(kind: i32, s: &str) -> Restriction {
    let tag = PropTag::RECIPIENT_TYPE;
    Restriction::SubObject {
        subobject: PropTag::MESSAGE_RECIPIENTS,
        restriction: Box::new(Restriction::And(vec![
            Restriction::Property { op: RelOp::EQ, tag, value: TaggedValue { tag, value: PropValue::I32(kind) } },
            Restriction::Or(vec![
                content(PropTag::DISPLAY_NAME, s),
                content(PropTag::SMTP_ADDRESS, s),
                content(PropTag::EMAIL_ADDRESS, s),
            ]),
        ])),
    }
}

/// (subject, DisplayTo, DisplayCc) of the Inbox rows passing `restriction`.
fn restricted_rows(h: &mut Harness, logon: u32, restriction: Restriction) -> Vec<(String, String, String)> {
    let store = h.store.clone();
    let inbox = store.mailbox(ALICE).unwrap().special_folder(SpecialFolder::Inbox);
    let r = h.run(
        vec![
            RopRequest::OpenFolder(OpenFolderRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                folder_id: inbox,
                open_mode_flags: FolderOpenModeFlags::NONE,
            }),
            RopRequest::GetContentsTable(GetContentsTableRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
                table_flags: TableFlags::USE_UNICODE,
            }),
            RopRequest::SetColumns(SetColumnsRequest {
                logon_id: 0,
                input_handle_index: 2,
                flags: AsyncFlags::SYNC,
                columns: vec![PropTag::SUBJECT, PropTag::DISPLAY_TO, PropTag::DISPLAY_CC],
            }),
            RopRequest::Restrict(RestrictRequest {
                logon_id: 0,
                input_handle_index: 2,
                flags: AsyncFlags::SYNC,
                restriction: Some(restriction),
            }),
            RopRequest::QueryRows(QueryRowsRequest {
                logon_id: 0,
                input_handle_index: 2,
                flags: QueryRowsFlags::ADVANCE,
                forward_read: true,
                row_count: 100,
            }),
        ],
        vec![logon, NONE, NONE],
    );
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
    let RopResponse::QueryRows(q) = &r.rops[4] else { panic!("{:?}", r.rops[4]) };
    let text = |v: &PropValue| match v {
        PropValue::String(s) => s.clone(),
        other => format!("{other:?}"),
    };
    q.success
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|row| {
            let PropertyRow::Standard(v) = row else { panic!("{row:?}") };
            (text(&v[0]), text(&v[1]), text(&v[2]))
        })
        .collect()
}

#[test]
fn to_cc_and_bcc_searches_match_the_recipient_rows() {
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    let carol = ("Carol Example", "carol@example.test");
    let bob = ("Bob Tester", BOB);
    for (subject, rcpts) in [
        ("to bob", vec![(bob, 1), (carol, 2)]),
        ("cc bob", vec![(carol, 1), (bob, 2)]),
        ("bcc bob", vec![(carol, 1), (bob, 3)]),
    ] {
        let mut props = PropBag::new();
        props.set(PropTag::SUBJECT, PropValue::String(subject.into()));
        let recipients = rcpts.into_iter().map(|((n, a), k)| recipient(n, a, k)).collect();
        let c = MessageContent { props, recipients, attachments: vec![] };
        alice.save_message(inbox, None, false, &c, SaveMode::Normal).unwrap();
    }
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();

    // SEARCH TO bob: by display name and by address.
    let to_bob = restricted_rows(&mut h, logon, recipient_search(1, "bob"));
    assert_eq!(to_bob, vec![("to bob".into(), "Bob Tester".into(), "Carol Example".into())]);
    let to_bob_address = restricted_rows(&mut h, logon, recipient_search(1, "BOB@example"));
    assert_eq!(to_bob_address, to_bob);
    // CC and BCC look at their own recipient type only.
    let cc = restricted_rows(&mut h, logon, recipient_search(2, "bob"));
    assert_eq!(cc, vec![("cc bob".into(), "Carol Example".into(), "Bob Tester".into())]);
    let bcc = restricted_rows(&mut h, logon, recipient_search(3, "bob"));
    assert_eq!(bcc.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), vec!["bcc bob"]);
    // Every seeded mail is to alice.
    assert_eq!(restricted_rows(&mut h, logon, recipient_search(1, "alice")).len(), INBOX_SUBJECTS.len());
    // The computed PidTagDisplayTo is a column restrictions can use too.
    let by_display_to = restricted_rows(&mut h, logon, content(PropTag::DISPLAY_TO, "carol"));
    let mut subjects: Vec<_> = by_display_to.into_iter().map(|r| r.0).collect();
    subjects.sort();
    assert_eq!(subjects, vec!["bcc bob".to_string(), "cc bob".into()]);
}
