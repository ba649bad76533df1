//! The address book API end to end against exchange-sim's NSPI endpoint: GAL browse,
//! prefix search, ResolveNames, DNToMId, GetProps and photos.
#![allow(missing_docs, clippy::unwrap_used)]

mod e2e_common;

use std::sync::Arc;

use e2e_common::*;
use mapi_client::api::{AddressBook, PID_TAG_EMAIL_ADDRESS, Resolution};
use mapi_client::{NspiSession, SessionConfig};
use mapi_wire::PropTag;
use mapi_wire::nspi::MinimalId;
use mapi_wire::prop_value::{FlaggedValue, PropValue, PropertyRow, TaggedValue};

const DISPLAY_NAME: PropTag = PropTag(0x3001_001F);
const SMTP_ADDRESS: PropTag = PropTag(0x39FE_001F);

fn strings(row: &PropertyRow) -> Vec<String> {
    let one = |v: &PropValue| match v {
        PropValue::String(s) => s.clone(),
        other => format!("{other:?}"),
    };
    match row {
        PropertyRow::Standard(v) => v.iter().map(one).collect(),
        PropertyRow::Flagged(v) => v
            .iter()
            .map(|f| match f {
                FlaggedValue::Value(v) => one(v),
                other => format!("{other:?}"),
            })
            .collect(),
    }
}

fn value(values: &[TaggedValue], tag: PropTag) -> Option<&PropValue> {
    values.iter().find(|v| v.tag == tag).map(|v| &v.value)
}

async fn address_book(sim: &exchange_sim::server::RunningSim, user: &str) -> AddressBook {
    let t = basic(user, PASSWORD);
    let d = discover(sim, user, &t).await;
    let session = Arc::new(NspiSession::bind(SessionConfig::addressbook(&d, t)).await.unwrap());
    AddressBook::new(session, 1252)
}

#[tokio::test]
async fn gal_browse_and_prefix_search() {
    let sim = start().await;
    let book = address_book(&sim, ALICE).await;
    let all = book.browse(&[DISPLAY_NAME, SMTP_ADDRESS], 100).await.unwrap();
    let rows: Vec<Vec<String>> = all.rows.iter().map(strings).collect();
    assert_eq!(rows, [vec!["Alice Tester", ALICE], vec!["Bob Tester", BOB]]);
    // "bo" finds bob (display name and address prefix) and not alice.
    let found = book.search("bo", &[DISPLAY_NAME, SMTP_ADDRESS], 50).await.unwrap();
    let rows: Vec<Vec<String>> = found.rows.iter().map(strings).collect();
    assert_eq!(rows, [vec!["Bob Tester", BOB]]);
    // A prefix nobody has finds nothing (and is no error).
    assert!(book.search("zz", &[DISPLAY_NAME], 50).await.unwrap().rows.is_empty());
}

#[tokio::test]
async fn resolve_names_then_get_properties_and_photo() {
    let sim = start().await;
    let bob_dn = sim.store().mailbox(BOB).unwrap().info().legacy_dn.clone();
    let book = address_book(&sim, ALICE).await;
    let r = book.resolve(&[BOB, "Alice Tester", "nobody@example.test"], &[DISPLAY_NAME, PID_TAG_EMAIL_ADDRESS]).await;
    let r = r.unwrap();
    assert_eq!(r.len(), 3);
    let Resolution::Resolved(bob) = &r[0] else { panic!("{r:?}") };
    assert_eq!(strings(bob), ["Bob Tester", bob_dn.as_str()]);
    let Resolution::Resolved(alice) = &r[1] else { panic!("{r:?}") };
    assert_eq!(strings(alice)[0], "Alice Tester");
    assert_eq!(r[2], Resolution::Unresolved);
    assert_eq!(book.legacy_dn(BOB).await.unwrap().as_deref(), Some(bob_dn.as_str()));

    // legacyDN -> MId -> properties.
    let mids = book.dn_to_mid(&[bob_dn.as_str(), "/o=nowhere/cn=nobody"]).await.unwrap();
    assert_eq!(mids.len(), 2);
    assert_ne!(mids[0], MinimalId(0));
    assert_eq!(mids[1], MinimalId(0), "unknown DN");
    let props = book.props(mids[0], &[DISPLAY_NAME, SMTP_ADDRESS]).await.unwrap();
    assert_eq!(value(&props, DISPLAY_NAME), Some(&PropValue::String("Bob Tester".into())));
    assert_eq!(value(&props, SMTP_ADDRESS), Some(&PropValue::String(BOB.into())));
    // The simulator's GAL entries carry no PidTagThumbnailPhoto: absent, not an error.
    assert_eq!(book.photo(mids[0]).await.unwrap(), None);
}
