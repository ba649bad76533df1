//! Several logons on one EMSMDB session against exchange-sim, which (like Exchange,
//! [MS-OXCROPS] 3.1.4.2) releases an active logon when a RopLogon reuses its LogonId:
//! the user's own mailbox, a delegated mailbox and the public folders each get their own
//! LogonId, so opening one store never releases another, also after a lost context.
#![allow(missing_docs, clippy::unwrap_used)]

mod e2e_common;

use std::sync::Arc;
use std::time::Duration;

use e2e_common::*;
use exchange_sim::seed::{SeedOptions, TEAM, seed};
use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder as SimFolder};
use mapi_client::api::{AddressBook, Mailbox, MailboxOptions, SpecialFolder, StoreTarget, TableSpec, Watch};
use mapi_client::{EmsmdbSession, NspiSession, SessionConfig};
use mapi_wire::PropTag;
use mapi_wire::prop_value::{PropValue, PropertyRow};

fn text(row: &PropertyRow) -> String {
    match row {
        PropertyRow::Standard(v) => match v.first() {
            Some(PropValue::String(s)) => s.clone(),
            other => format!("{other:?}"),
        },
        PropertyRow::Flagged(v) => format!("{:?}", v.first()),
    }
}

async fn inbox_subjects(mb: &Mailbox) -> Vec<String> {
    let spec = TableSpec::contents(mb.folder(SpecialFolder::Inbox), vec![PropTag::SUBJECT]);
    let mut s: Vec<String> = mb.query_all(&spec).await.unwrap().rows.iter().map(text).collect();
    s.sort();
    s
}

/// alice's EMSMDB session, her address book and her legacyDN.
async fn alice_session(sim: &exchange_sim::server::RunningSim) -> (Arc<EmsmdbSession>, AddressBook, String) {
    let t = basic(ALICE, PASSWORD);
    let d = discover(sim, ALICE, &t).await;
    let emsmdb = Arc::new(EmsmdbSession::connect(SessionConfig::mailstore(&d, t.clone())).await.unwrap());
    let nspi = Arc::new(NspiSession::bind(SessionConfig::addressbook(&d, t)).await.unwrap());
    (emsmdb, AddressBook::new(nspi, 1252), d.legacy_dn)
}

/// A new mail in `owner`'s Inbox, as the transport would deliver it.
fn deliver(sim: &exchange_sim::server::RunningSim, owner: &str, subject: &str) {
    let mb = sim.store().mailbox(owner).unwrap();
    let mut props = PropBag::new();
    props.set(PropTag::SUBJECT, PropValue::String(subject.into()));
    props.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
    let content = MessageContent { props, recipients: vec![], attachments: vec![] };
    mb.save_message(mb.special_folder(SimFolder::Inbox), None, false, &content, SaveMode::Normal).unwrap();
}

#[tokio::test]
async fn own_delegated_and_public_logons_keep_each_other_alive() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let store = demo_store();
        seed(&store, &SeedOptions { messages: 2, ..SeedOptions::default() }).unwrap();
        let sim = start_with(store).await;
        let (emsmdb, book, own_dn) = alice_session(&sim).await;
        let options = MailboxOptions::default;

        let own = Mailbox::logon(emsmdb.clone(), StoreTarget::Mailbox { legacy_dn: own_dn }, options()).await.unwrap();
        let own_inbox = inbox_subjects(&own).await;
        assert!(!own_inbox.is_empty());
        let team_target = book.mailbox_target(TEAM).await.unwrap();
        let team = Mailbox::logon(emsmdb.clone(), team_target.clone(), options()).await.unwrap();
        let public = Mailbox::logon(emsmdb.clone(), StoreTarget::PublicFolders, options()).await.unwrap();
        assert_eq!([own.logon_id(), team.logon_id(), public.logon_id()], [0, 1, 2]);

        // Opening the delegated and public stores left the own logon in place.
        assert_eq!(inbox_subjects(&own).await, own_inbox);
        let team_inbox = inbox_subjects(&team).await;
        assert_eq!(team_inbox, ["Invoice 2026-001", "Kundenanfrage #4711", "Support: VPN down?"]);
        assert!(!public.info().private);
        let spec = TableSpec::hierarchy(public.info().folder_ids[1], vec![PropTag(0x3001_001F)], false);
        public.query_all(&spec).await.unwrap();

        // The server saw the delegated store's LogonId: its RopNotify names it.
        let mut events = team.subscribe(vec![Watch::Store { types: 0x02 }]).await.unwrap();
        deliver(&sim, TEAM, "for the team");
        let n = events.next().await.unwrap();
        assert_eq!(n.logon_id, team.logon_id());
        events.close().await;

        // After a lost context every store logs on again under its own id.
        sim.sessions().expire_all();
        assert_eq!(inbox_subjects(&team).await.len(), team_inbox.len() + 1);
        assert_eq!(inbox_subjects(&own).await, own_inbox);
        assert_eq!(inbox_subjects(&team).await.len(), team_inbox.len() + 1);
        assert_eq!([own.logon_id(), team.logon_id(), public.logon_id()], [0, 1, 2]);

        // A dropped Mailbox frees its id for the next logon, which again leaves the
        // others alone.
        drop(team);
        let again = Mailbox::logon(emsmdb.clone(), team_target, options()).await.unwrap();
        assert_eq!(again.logon_id(), 1);
        assert_eq!(inbox_subjects(&own).await, own_inbox);
        public.query_all(&spec).await.unwrap();
        assert_eq!(inbox_subjects(&again).await.len(), team_inbox.len() + 1);
    })
    .await
    .unwrap();
}
