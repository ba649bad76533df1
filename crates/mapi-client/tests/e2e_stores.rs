//! Stores other than the user's own, end to end against exchange-sim: another user's
//! mailbox by SMTP address (legacyDN from NSPI ResolveNames, then RopLogon) and by
//! legacyDN; a user with only Default's free/busy right logs on but opens only the
//! Calendar, one without any right is refused; the public folder store.
#![allow(missing_docs, clippy::unwrap_used)]

mod e2e_common;

use std::sync::Arc;

use e2e_common::*;
use exchange_sim::seed::{SeedOptions, TEAM, seed};
use exchange_sim::store::{DEFAULT_GRANTEE, PropBag, PublicFolder, Rights};
use mapi_client::api::{
    AddressBook, Error as ApiError, Mailbox, MailboxOptions, SpecialFolder, StoreTarget, TableSpec,
};
use mapi_client::{EmsmdbSession, NspiSession, SessionConfig};
use mapi_wire::PropTag;
use mapi_wire::prop_value::{PropValue, PropertyRow};

const DISPLAY_NAME: PropTag = PropTag(0x3001_001F);

fn text(row: &PropertyRow) -> String {
    match row {
        PropertyRow::Standard(v) => match v.first() {
            Some(PropValue::String(s)) => s.clone(),
            other => format!("{other:?}"),
        },
        PropertyRow::Flagged(v) => format!("{:?}", v.first()),
    }
}

/// alice and bob with the seeded team@example.test (alice: full access and send-as;
/// bob: nothing).
async fn seeded_sim() -> exchange_sim::server::RunningSim {
    let store = demo_store();
    seed(&store, &SeedOptions { messages: 2, ..SeedOptions::default() }).unwrap();
    start_with(store).await
}

/// An EMSMDB session and an address book for `user`, both found by Autodiscover.
async fn sessions(sim: &exchange_sim::server::RunningSim, user: &str) -> (Arc<EmsmdbSession>, AddressBook, String) {
    let t = basic(user, PASSWORD);
    let d = discover(sim, user, &t).await;
    let emsmdb = Arc::new(EmsmdbSession::connect(SessionConfig::mailstore(&d, t.clone())).await.unwrap());
    let nspi = Arc::new(NspiSession::bind(SessionConfig::addressbook(&d, t)).await.unwrap());
    (emsmdb, AddressBook::new(nspi, 1252), d.legacy_dn)
}

async fn inbox_subjects(mb: &Mailbox) -> Vec<String> {
    let spec = TableSpec::contents(mb.folder(SpecialFolder::Inbox), vec![PropTag::SUBJECT]);
    let mut s: Vec<String> = mb.query_all(&spec).await.unwrap().rows.iter().map(text).collect();
    s.sort();
    s
}

#[tokio::test]
async fn other_mailbox_by_smtp_address_and_by_legacy_dn() {
    let sim = seeded_sim().await;
    let team_dn = sim.store().mailbox(TEAM).unwrap().info().legacy_dn.clone();
    let (emsmdb, book, own_dn) = sessions(&sim, ALICE).await;

    // By SMTP address: NSPI gives the legacyDN, RopLogon opens the store.
    let target = book.mailbox_target(TEAM).await.unwrap();
    assert_eq!(target, StoreTarget::Mailbox { legacy_dn: team_dn.clone() });
    let team = Mailbox::logon(emsmdb.clone(), target, MailboxOptions::default()).await.unwrap();
    assert!(team.info().private);
    assert_eq!(inbox_subjects(&team).await, ["Invoice 2026-001", "Kundenanfrage #4711", "Support: VPN down?"]);

    // By legacyDN (as a client that already has it, e.g. from a delegate list), on the
    // same session beside alice's own logon: two distinct stores.
    let own = Mailbox::logon(emsmdb.clone(), StoreTarget::Mailbox { legacy_dn: own_dn }, MailboxOptions::default())
        .await
        .unwrap();
    let by_dn =
        Mailbox::logon(emsmdb, StoreTarget::Mailbox { legacy_dn: team_dn }, MailboxOptions::default()).await.unwrap();
    assert_eq!(by_dn.info().mailbox_guid, team.info().mailbox_guid);
    assert_ne!(own.info().mailbox_guid, team.info().mailbox_guid);
    assert_eq!(inbox_subjects(&by_dn).await.len(), 3);
    assert!(!inbox_subjects(&own).await.iter().any(|s| s == "Kundenanfrage #4711"));

    // An address the GAL does not know is a typed error, before any logon.
    let e = book.mailbox_target("nobody@example.test").await.unwrap_err();
    assert!(matches!(e, ApiError::UnknownAddress(ref a) if a == "nobody@example.test"), "{e:?}");
}

#[tokio::test]
async fn other_mailbox_logon_needs_a_right_in_it_and_opens_only_what_it_grants() {
    let sim = seeded_sim().await;
    // The team mailbox's owner removed Default's free/busy right on its
    // Calendar: bob holds no right at all there, so the logon is refused.
    let team = sim.store().mailbox(TEAM).unwrap();
    team.grant(Some(team.special_folder(exchange_sim::store::SpecialFolder::Calendar)), DEFAULT_GRANTEE, Rights::NONE)
        .unwrap();
    let (emsmdb, book, own_dn) = sessions(&sim, BOB).await;
    let target = book.mailbox_target(TEAM).await.unwrap();
    let e = Mailbox::logon(emsmdb.clone(), target, MailboxOptions::default()).await.unwrap_err();
    assert!(e.is_permission_denied(), "{e:?}");
    // alice's Calendar gives Default free/busy times ([MS-OXCPERM] 2.2.7
    // FreeBusySimple), a folder-level right: the logon succeeds as a
    // non-owner ([MS-OXCSTOR] 3.2.5.1.1), the Calendar can be listed for
    // busy times, and her Inbox stays closed.
    let alice_dn = book.mailbox_target(ALICE).await.unwrap();
    let alice = Mailbox::logon(emsmdb.clone(), alice_dn, MailboxOptions::default()).await.unwrap();
    assert!(alice.info().private);
    let inbox = TableSpec::contents(alice.folder(SpecialFolder::Inbox), vec![PropTag::SUBJECT]);
    let e = alice.query_all(&inbox).await.unwrap_err();
    assert!(e.is_permission_denied(), "{e:?}");
    let calendar = alice.special_folders().await.unwrap().calendar.unwrap();
    let busy = alice.query_all(&TableSpec::contents(calendar, vec![PropTag::MID])).await.unwrap();
    assert!(!busy.rows.is_empty(), "alice's seeded appointments are listed for free/busy");
    // The refusal leaves the session usable for bob's own mailbox.
    let own =
        Mailbox::logon(emsmdb, StoreTarget::Mailbox { legacy_dn: own_dn }, MailboxOptions::default()).await.unwrap();
    assert!(own.info().private);
}

#[tokio::test]
async fn public_folder_store_logon_lists_its_folders() {
    let store = demo_store();
    let public = store.public_folders().unwrap();
    let ipm = public.public_folder(PublicFolder::IpmSubtree);
    public.create_folder(ipm, "Announcements", &PropBag::new(), false).unwrap();
    public.create_folder(ipm, "Kantine", &PropBag::new(), false).unwrap();
    let sim = start_with(store).await;
    let (emsmdb, _, _) = sessions(&sim, BOB).await;
    let mb = Mailbox::logon(emsmdb, StoreTarget::PublicFolders, MailboxOptions::default()).await.unwrap();
    assert!(!mb.info().private);
    // FolderIds[1] of a public logon is the IPM subtree ([MS-OXCROPS] 2.2.3.1.2).
    assert_eq!(mb.info().folder_ids[1], ipm);
    let spec = TableSpec::hierarchy(ipm, vec![DISPLAY_NAME], false);
    let mut names: Vec<String> = mb.query_all(&spec).await.unwrap().rows.iter().map(text).collect();
    names.sort();
    assert_eq!(names, ["Announcements", "Kantine"]);
}
