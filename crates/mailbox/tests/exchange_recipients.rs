//! Recipients rendered from their RecipientRow columns: an Exchange (X500)
//! To recipient appears with its SMTP address, Cc and Bcc with their types
//! and display names.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use exchange_common::*;
use exchange_sim::store::{PropBag, SpecialFolder};
use mailbox::{Account, FetchFields, UidSet};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;

fn rcpt(kind: i32, name: &str, smtp: &str, ex_dn: Option<&str>) -> PropBag {
    let mut b = PropBag::new();
    b.set(PropTag::RECIPIENT_TYPE, PropValue::I32(kind));
    b.set(PropTag::DISPLAY_NAME, s(name));
    b.set(PropTag::SMTP_ADDRESS, s(smtp));
    match ex_dn {
        Some(dn) => {
            b.set(PropTag::ADDRESS_TYPE, s("EX"));
            b.set(PropTag::EMAIL_ADDRESS, s(dn));
        }
        None => {
            b.set(PropTag::ADDRESS_TYPE, s("SMTP"));
            b.set(PropTag::EMAIL_ADDRESS, s(smtp));
        }
    }
    b
}

#[tokio::test]
async fn to_cc_and_bcc_are_rendered_with_names_smtp_addresses_and_types() {
    let env = Env::new().await;
    let sent = env.folder_id(ALICE, SpecialFolder::SentItems);
    let mut m = message(1, 100);
    m.recipients = vec![
        rcpt(1, "Bob Tester", BOB, Some("/o=Example/ou=Exchange Administrative Group/cn=Recipients/cn=bob")),
        rcpt(2, "Carol Copy", "carol@partner.example", None),
        rcpt(3, "Dave Hidden", "dave@partner.example", None),
    ];
    seed(&env, ALICE, sent, &[m]);
    let a = env.alice().await;
    let list = a.list_folders().await.unwrap();
    let info = list.iter().find(|f| f.path == "Sent Items").unwrap();
    let f = a.folder(&info.id).await.unwrap();
    f.select().await.unwrap();
    let full = FetchFields { mime: true, envelope: true, ..Default::default() };
    let got = f.fetch(&UidSet::all(), full).await.unwrap().pop().unwrap();
    let text = String::from_utf8_lossy(got.mime.as_ref().unwrap()).into_owned();
    let header = |name: &str| {
        text.lines()
            .find(|l| l.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase())))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("To").contains("Bob Tester") && header("To").contains(BOB), "{text}");
    assert!(!text.contains("/o=Example"), "the X500 DN is not an address: {text}");
    assert!(header("Cc").contains("Carol Copy") && header("Cc").contains("carol@partner.example"), "{text}");
    assert!(header("Bcc").contains("Dave Hidden") && header("Bcc").contains("dave@partner.example"), "{text}");
    let e = got.envelope.unwrap();
    assert_eq!(e.to.iter().map(|x| x.email.as_str()).collect::<Vec<_>>(), [BOB]);
    assert_eq!(e.cc.iter().map(|x| x.email.as_str()).collect::<Vec<_>>(), ["carol@partner.example"]);
}
