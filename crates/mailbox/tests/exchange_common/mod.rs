//! Helpers of the exchange_* tests: an in-process exchange-sim on
//! 127.0.0.1:0 with alice and bob (password `demo`), a provider over it, a
//! state directory, fast seeding through the simulator's store API, and a
//! direct mapi-client logon to check what the model wrote.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use exchange_sim::config::SimConfig;
use exchange_sim::server::{RunningSim, Simulator};
use exchange_sim::store::{MessageContent, NewMailbox, PropBag, SaveMode, SpecialFolder, Store};
use mailbox::exchange::{Endpoints, ExchangeConfig, ExchangeProvider};
use mailbox::{Account, Folder, UidSet};
use mapi_client::api::{Mailbox, MailboxOptions, StoreTarget};
use mapi_client::autodiscover::AutodiscoverResponse;
use mapi_client::{Credentials, EmsmdbSession, SessionConfig, TransportConfig};
use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{FileTime, PropValue};
use state::SqliteStore;

pub const ALICE: &str = "alice@example.test";
pub const BOB: &str = "bob@example.test";
pub const TEAM: &str = "team@example.test";
pub const PASSWORD: &str = "demo";

pub fn demo_store() -> Store {
    let store = Store::open_in_memory().unwrap();
    for (a, n) in [(ALICE, "Alice Tester"), (BOB, "Bob Tester"), (TEAM, "Team Mailbox")] {
        store
            .create_mailbox(&NewMailbox {
                address: a,
                display_name: n,
                password: Some(PASSWORD),
                ..NewMailbox::default()
            })
            .unwrap();
    }
    store
}

pub fn sim_config() -> SimConfig {
    let mut c = SimConfig::loopback();
    c.pending_period = Duration::from_millis(150);
    c.notification_wait_timeout = Duration::from_millis(700);
    c.request_timeout = Duration::from_secs(30);
    c
}

pub async fn start() -> RunningSim {
    Simulator::new(sim_config()).with_store(demo_store()).run().await.unwrap()
}

pub fn config(sim: &RunningSim) -> ExchangeConfig {
    let mut c = ExchangeConfig::new(Endpoints::Autodiscover {
        start: vec![format!("{}/autodiscover/autodiscover.xml", sim.base_url())],
    });
    c.retry.base_delay = Duration::from_millis(2);
    c.retry.max_delay = Duration::from_millis(20);
    c.retry.max_attempts = 2;
    c.notification_wait = Duration::from_secs(5);
    c
}

pub struct Env {
    pub sim: RunningSim,
    pub dir: tempfile::TempDir,
    pub state: Arc<SqliteStore>,
    pub provider: ExchangeProvider,
}

impl Env {
    pub async fn new() -> Self {
        let sim = start().await;
        Self::with_sim(sim).await
    }

    pub async fn with_sim(sim: RunningSim) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let state = Arc::new(SqliteStore::open(dir.path()).await.unwrap());
        let provider = ExchangeProvider::new(config(&sim), state.clone());
        Self { sim, dir, state, provider }
    }

    /// A new provider over the same state directory (a gateway restart).
    pub async fn restart(&mut self) {
        self.state.close().await;
        self.state = Arc::new(SqliteStore::open(self.dir.path()).await.unwrap());
        self.provider = ExchangeProvider::new(config(&self.sim), self.state.clone());
    }

    pub async fn alice(&self) -> Arc<mailbox::ExchangeAccount> {
        self.provider.login_exchange(ALICE, PASSWORD).await.unwrap()
    }

    pub fn mailbox(&self, user: &str) -> exchange_sim::store::Mailbox {
        self.sim.store().mailbox(user).unwrap()
    }

    pub fn folder_id(&self, user: &str, f: SpecialFolder) -> FolderId {
        self.mailbox(user).special_folder(f)
    }
}

pub fn s(v: &str) -> PropValue {
    PropValue::String(v.into())
}

/// 2026-01-01 00:00 UTC plus `secs`.
pub fn at(secs: i64) -> FileTime {
    FileTime::from_unix_seconds(1_767_225_600 + secs).unwrap()
}

/// A plain message delivered at `delivery` (seconds after 2026-01-01).
pub fn message(i: usize, delivery: i64) -> MessageContent {
    let mut rcpt = PropBag::new();
    for (t, v) in [
        (PropTag::RECIPIENT_TYPE, PropValue::I32(1)),
        (PropTag::DISPLAY_NAME, s("Alice Tester")),
        (PropTag::SMTP_ADDRESS, s(ALICE)),
        (PropTag::EMAIL_ADDRESS, s(ALICE)),
        (PropTag::ADDRESS_TYPE, s("SMTP")),
    ] {
        rcpt.set(t, v);
    }
    MessageContent {
        props: PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, s("IPM.Note")),
            (PropTag::SUBJECT, s(&format!("message {i}"))),
            (PropTag::BODY, s(&format!("body of message {i}\r\n"))),
            (PropTag::SENT_REPRESENTING_NAME, s("Zoë Sender")),
            (PropTag::SENT_REPRESENTING_SMTP_ADDRESS, s("zoe@partner.example")),
            (PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, s("zoe@partner.example")),
            (PropTag::SENT_REPRESENTING_ADDRESS_TYPE, s("SMTP")),
            (PropTag::SENDER_NAME, s("Zoë Sender")),
            (PropTag::SENDER_SMTP_ADDRESS, s("zoe@partner.example")),
            (PropTag::SENDER_EMAIL_ADDRESS, s("zoe@partner.example")),
            (PropTag::SENDER_ADDRESS_TYPE, s("SMTP")),
            (PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(at(delivery))),
            (PropTag::CLIENT_SUBMIT_TIME, PropValue::Time(at(delivery - 60))),
            (PropTag::INTERNET_MESSAGE_ID, s(&format!("<m{i}@partner.example>"))),
            (PropTag::MESSAGE_FLAGS, PropValue::I32(0)),
        ]),
        recipients: vec![rcpt],
        attachments: Vec::new(),
    }
}

/// Saves messages into `folder` of `user` in one store transaction; returns
/// their MIDs in the order given.
pub fn seed(env: &Env, user: &str, folder: FolderId, contents: &[MessageContent]) -> Vec<MessageId> {
    let mb = env.mailbox(user);
    env.sim
        .store()
        .atomically(|| {
            let mut out = Vec::new();
            for c in contents {
                out.push(mb.save_message(folder, None, false, c, SaveMode::Normal)?.id);
            }
            Ok(out)
        })
        .unwrap()
}

/// A direct mapi-client logon (another client of the same mailbox).
pub async fn direct(sim: &RunningSim, user: &str) -> Mailbox {
    let t = {
        let mut t =
            TransportConfig::new(Credentials::Basic { user: user.into(), password: PASSWORD.to_owned().into() });
        t.trace_dir = None;
        t
    };
    let url = format!("{}/autodiscover/autodiscover.xml", sim.base_url());
    let d = match mapi_client::autodiscover::ask(&url, user, &t).await.unwrap() {
        AutodiscoverResponse::Settings(d) => d,
        other => panic!("{other:?}"),
    };
    let session = Arc::new(EmsmdbSession::connect(SessionConfig::mailstore(&d, t)).await.unwrap());
    Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: d.legacy_dn.clone() }, MailboxOptions::default())
        .await
        .unwrap()
}

pub fn fid_of(f: &dyn Folder) -> FolderId {
    FolderId::from_wire(f.info().id.as_bytes().try_into().unwrap())
}

pub async fn all_uids(f: &dyn Folder) -> Vec<u32> {
    f.uids().await.unwrap().into_iter().map(|u| u.get()).collect()
}

pub fn uid_set(uids: &[u32]) -> UidSet {
    uids.iter().map(|u| state::Uid::new(*u).unwrap()).collect()
}

pub async fn subjects(f: &dyn Folder) -> Vec<(u32, String)> {
    let fields = mailbox::FetchFields { envelope: true, ..Default::default() };
    f.fetch(&UidSet::all(), fields)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.uid.get(), m.envelope.unwrap().subject.unwrap_or_default()))
        .collect()
}

pub async fn open_inbox(a: &dyn Account) -> Arc<dyn Folder> {
    a.folder_by_path("INBOX").await.unwrap()
}
