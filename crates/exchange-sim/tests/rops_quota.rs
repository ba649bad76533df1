//! The mailbox size and quotas on the logon (store) object
//! ([MS-OXPROPS] PidTagMessageSizeExtended, PidTagStorageQuotaLimit,
//! PidTagProhibitSendQuota, PidTagProhibitReceiveQuota), read with
//! RopGetPropertiesSpecific on the logon handle as Outlook does.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::config::{Quota, QuotaConfig};
use exchange_sim::rops::StoreBackend;
use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder};
use mapi_wire::prop_value::{PropValue, PropertyRow};
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};
use rops_common::*;

const SIZE: PropTag = PropTag(0x0E08_0014);
const WARNING: PropTag = PropTag(0x3FF5_0003);
const NO_SEND: PropTag = PropTag(0x666E_0003);
const NO_RECEIVE: PropTag = PropTag(0x666A_0003);

/// (size in bytes, warning KiB, prohibit send KiB, prohibit receive KiB).
fn quota_props(h: &mut Harness, logon: u32) -> (i64, i32, i32, i32) {
    let r = h.run(
        vec![RopRequest::GetPropertiesSpecific(GetPropertiesSpecificRequest {
            logon_id: 0,
            input_handle_index: 0,
            property_size_limit: 0,
            want_unicode: 1,
            property_tags: vec![SIZE, WARNING, NO_SEND, NO_RECEIVE],
        })],
        vec![logon],
    );
    let RopResponse::GetPropertiesSpecific(g) = &r.rops[0] else { panic!() };
    assert_eq!(g.return_value, ErrorCode::SUCCESS);
    let Some(PropertyRow::Standard(v)) = &g.row else { panic!("every property present: {:?}", g.row) };
    match &v[..] {
        [PropValue::I64(s), PropValue::I32(w), PropValue::I32(ns), PropValue::I32(nr)] => (*s, *w, *ns, *nr),
        other => panic!("types {other:?}"),
    }
}

#[test]
fn the_logon_reports_exchange_default_quotas_and_the_mailbox_size() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let (size, warning, no_send, no_receive) = quota_props(&mut h, logon);
    // Exchange 2016/2019 database defaults: 1.9 GB / 2 GB / 2.3 GB.
    assert_eq!((warning, no_send, no_receive), (1_992_294, 2_097_152, 2_411_724));
    assert!(size > 0, "the seeded mails count");
    // A new 10 KB mail makes the mailbox bigger by at least its body.
    let mb = store.mailbox(ALICE).unwrap();
    let mut props = PropBag::new();
    props.set(PropTag::SUBJECT, PropValue::String("big".into()));
    props.set(PropTag::BODY, PropValue::String("x".repeat(10_000)));
    let content = MessageContent { props, recipients: vec![], attachments: vec![] };
    let saved =
        mb.save_message(mb.special_folder(SpecialFolder::Inbox), None, false, &content, SaveMode::Normal).unwrap();
    let (grown, ..) = quota_props(&mut h, logon);
    assert!(grown >= size + 10_000, "{size} → {grown}");
    // Deleting it gives the space back.
    mb.delete_messages(mb.special_folder(SpecialFolder::Inbox), &[saved.id], true).unwrap();
    let (after, ..) = quota_props(&mut h, logon);
    assert_eq!(after, size);
}

#[test]
fn quotas_are_configured_per_user() {
    let store = seeded_store();
    let small = Quota { warning_kib: 900, prohibit_send_kib: 1_000, prohibit_receive_kib: 1_200 };
    let quotas = QuotaConfig { default: Quota::default(), per_user: vec![("Bob@Example.test".into(), small)] };
    let backend = || StoreBackend::new(store.clone(), None).with_quotas(quotas.clone());
    let mut bob = Harness::with_backend(&store, BOB, backend());
    let logon = bob.logon();
    let (_, w, s, r) = quota_props(&mut bob, logon);
    assert_eq!((w, s, r), (900, 1_000, 1_200));
    let mut alice = Harness::with_backend(&store, ALICE, backend());
    let logon = alice.logon();
    let (_, w, ..) = quota_props(&mut alice, logon);
    assert_eq!(w, Quota::default().warning_kib as i32);
}
