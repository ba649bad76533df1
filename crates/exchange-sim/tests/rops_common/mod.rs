//! Helpers of the rops_* tests: a seeded store shaped like the gromox
//! capture mailbox, a direct-call harness around `StoreBackend`, the
//! request builders (`requests`), capture loading.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use exchange_sim::auth::AuthUser;
use exchange_sim::rops::StoreBackend;
use exchange_sim::session::{MailboxBackend, NotificationQueue, SessionKind, SessionState};
use exchange_sim::store::{MessageContent, NewMailbox, PropBag, SaveMode, SpecialFolder, Store};
use mapi_wire::emsmdb::{ConnectFlags, ConnectRequest, ExecuteFlags, ExecuteRequest, MapiResponse};
use mapi_wire::prop_value::PropValue;
use mapi_wire::rop::*;
use mapi_wire::rpc_ext::{self, EncodeOptions};
use mapi_wire::{Encode, ErrorCode, PropTag};

mod requests;
// Each test binary includes this module; not all of them build requests.
#[allow(unused_imports)]
pub use requests::*;

pub const ALICE: &str = "alice@example.test";
pub const BOB: &str = "bob@example.test";
pub const ALICE_DN: &str =
    "/o=Gromox default/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=0100000001000000-alice";
pub const BOB_DN: &str =
    "/o=Gromox default/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=0100000002000000-bob";

/// The five Inbox subjects of the capture mailbox, in MID order
/// (counters 0x30000–0x30004 as in capture 010).
pub const INBOX_SUBJECTS: [&str; 5] = [
    "HTML newsletter",
    "Quarterly report",
    "Mail with attachment",
    "Welcome to the gromox test box",
    "Imported via gromox-eml2mt",
];

/// alice (5 Inbox mails with the capture MIDs, 1 Sent Items mail) and bob,
/// with the capture DNs.
pub fn seeded_store() -> Store {
    use exchange_sim::store::Attachment;
    let store = Store::open_in_memory().unwrap();
    for (a, n, dn) in [(ALICE, "Alice Tester", ALICE_DN), (BOB, "Bob Tester", BOB_DN)] {
        store
            .create_mailbox(&NewMailbox {
                address: a,
                display_name: n,
                legacy_dn: Some(dn),
                password: Some("demo"),
                ..NewMailbox::default()
            })
            .unwrap();
    }
    let alice = store.mailbox(ALICE).unwrap();
    // Let the next MID counter be 0x30000, like gromox's.
    let first = alice.reserve_ids(1).unwrap().value();
    if first + 1 < 0x30000 {
        alice.reserve_ids((0x30000 - first - 1) as u32).unwrap();
    }
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    for (i, s) in INBOX_SUBJECTS.iter().enumerate() {
        let mut props = PropBag::new();
        props.set(PropTag::SUBJECT, PropValue::String((*s).into()));
        props.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
        props.set(PropTag::SENDER_NAME, PropValue::String("bob@example.test".into()));
        props.set(PropTag::BODY, PropValue::String(format!("Body of {s}")));
        props.set(PropTag::IMPORTANCE, PropValue::I32(1));
        // The imported mail has no delivery time (capture 010's flagged row).
        if i < 4 {
            props.set(
                PropTag::MESSAGE_DELIVERY_TIME,
                PropValue::Time(mapi_wire::prop_value::FileTime(134_000_000_000_000_000 + i as u64 * 10_000_000)),
            );
        }
        let mut rcpt = PropBag::new();
        rcpt.set(PropTag::DISPLAY_NAME, PropValue::String("Alice Tester".into()));
        rcpt.set(PropTag::SMTP_ADDRESS, PropValue::String(ALICE.into()));
        rcpt.set(PropTag::EMAIL_ADDRESS, PropValue::String(ALICE.into()));
        rcpt.set(PropTag::ADDRESS_TYPE, PropValue::String("SMTP".into()));
        rcpt.set(PropTag::RECIPIENT_TYPE, PropValue::I32(1));
        if *s == "HTML newsletter" {
            props.set(
                PropTag(0x1013_0102),
                PropValue::Binary(
                    b"<html><body><p>Newsletter</p><p>Issue 1 of the gromox test box</p></body></html>\r\n".to_vec(),
                ),
            );
        }
        let mut attachments = vec![];
        if *s == "Mail with attachment" {
            let mut a = PropBag::new();
            a.set(PropTag(0x3705_0003), PropValue::I32(1));
            a.set(PropTag(0x3707_001F), PropValue::String("data.csv".into()));
            a.set(PropTag(0x3704_001F), PropValue::String("data.csv".into()));
            a.set(PropTag(0x370E_001F), PropValue::String("text/csv".into()));
            a.set(PropTag(0x3701_0102), PropValue::Binary(b"a,b,c\n1,2,3\n4,5,6\n".to_vec()));
            attachments.push(Attachment { props: a, embedded: None });
        }
        let content = MessageContent { props, recipients: vec![rcpt], attachments };
        alice.save_message(inbox, None, false, &content, SaveMode::Normal).unwrap();
    }
    let sent = alice.special_folder(SpecialFolder::SentItems);
    let mut props = PropBag::new();
    props.set(PropTag::SUBJECT, PropValue::String("Sent before".into()));
    props.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
    let content = MessageContent { props, recipients: vec![], attachments: vec![] };
    alice.save_message(sent, None, false, &content, SaveMode::Normal).unwrap();
    store
}

pub fn user(store: &Store, address: &str) -> AuthUser {
    let m = store.mailbox(address).unwrap();
    let i = m.info();
    AuthUser {
        address: i.address.clone(),
        display_name: i.display_name.clone(),
        legacy_dn: i.legacy_dn.clone(),
        mailbox_guid: i.mailbox_guid,
    }
}

/// A backend and one session of `address`, connected.
pub struct Harness {
    pub backend: StoreBackend,
    pub session: SessionState,
    pub store: Store,
}

impl Harness {
    pub fn new(store: &Store, address: &str) -> Self {
        Self::with_backend(store, address, StoreBackend::new(store.clone(), None))
    }

    /// Like [`Harness::new`] over a configured backend.
    pub fn with_backend(store: &Store, address: &str, backend: StoreBackend) -> Self {
        let u = user(store, address);
        let mut session = SessionState {
            user: u.clone(),
            kind: SessionKind::Mailbox,
            serial: 1,
            notifications: NotificationQueue::new(),
            data: None,
        };
        let c = backend.connect(&mut session, &connect_request(&u.legacy_dn, 0));
        assert_eq!(c.completed().unwrap().error_code, ErrorCode::SUCCESS);
        Self { backend, session, store: store.clone() }
    }

    /// Runs raw ROP payload bytes; returns the whole-call ErrorCode and
    /// the (decompressed) response payload.
    pub fn execute_raw(&mut self, payload: &[u8], max_rop_out: u32, flags: u32) -> (ErrorCode, Vec<u8>) {
        let (code, payloads) = self.execute_chain(payload, max_rop_out, flags);
        (code, payloads.into_iter().next().unwrap_or_default())
    }

    /// Like `execute_raw`, every payload of the answer's RPC_HEADER_EXT chain.
    pub fn execute_chain(&mut self, payload: &[u8], max_rop_out: u32, flags: u32) -> (ErrorCode, Vec<Vec<u8>>) {
        let rop_buffer = rpc_ext::encode_chain([payload], &EncodeOptions::default()).unwrap();
        let req = ExecuteRequest { flags: ExecuteFlags(flags), rop_buffer, max_rop_out, auxiliary_buffer: vec![] };
        let resp = self.backend.execute(&mut self.session, &req);
        let e = resp.completed().unwrap().clone();
        if e.rop_buffer.is_empty() {
            return (e.error_code, vec![]);
        }
        let chain = rpc_ext::decode_chain(&e.rop_buffer, &Default::default()).unwrap();
        // Flags 0 on every header but the last (capture 048).
        for (i, b) in chain.iter().enumerate() {
            assert_eq!(b.header.flags.0 & 0x0004 != 0, i + 1 == chain.len());
        }
        (e.error_code, chain.into_iter().map(|b| b.payload).collect())
    }

    /// Runs a request buffer and decodes the answer against it.
    pub fn execute(&mut self, request: &RopRequestBuffer, max_rop_out: u32) -> (ErrorCode, Option<RopResponseBuffer>) {
        let (code, payload) = self.execute_raw(&request.to_bytes().unwrap(), max_rop_out, 3);
        if payload.is_empty() {
            return (code, None);
        }
        let resp = RopResponseBuffer::decode_with(&payload, &ExecuteContext::new(request)).unwrap();
        (code, Some(resp))
    }

    /// One Execute of `rops` with `slots` handle slots (slot 0 = `first`).
    pub fn run(&mut self, rops: Vec<RopRequest>, handles: Vec<u32>) -> RopResponseBuffer {
        let req = RopRequestBuffer { rops, handles };
        let (code, resp) = self.execute(&req, 0x10008);
        assert_eq!(code, ErrorCode::SUCCESS);
        resp.unwrap()
    }

    /// RopLogon of the own mailbox into a fresh handle table; returns the
    /// logon handle.
    pub fn logon(&mut self) -> u32 {
        let dn = self.session.user.legacy_dn.clone();
        let r = self.run(vec![logon_request(&dn)], vec![u32::MAX]);
        let RopResponse::Logon(l) = &r.rops[0] else { panic!() };
        assert_eq!(l.return_value, ErrorCode::SUCCESS);
        r.handles[0]
    }
}

pub fn connect_request(dn: &str, flags: u32) -> ConnectRequest {
    ConnectRequest {
        user_dn: dn.into(),
        flags: ConnectFlags(flags),
        default_code_page: 1252,
        lcid_sort: 1033,
        lcid_string: 1033,
        auxiliary_buffer: vec![],
    }
}

pub fn logon_request(dn: &str) -> RopRequest {
    RopRequest::Logon(LogonRequest {
        logon_id: 0,
        output_handle_index: 0,
        logon_flags: LogonFlags::PRIVATE,
        open_flags: LogonOpenFlags(0x0100_0004),
        store_state: 0,
        essdn: Some(dn.into()),
    })
}

/// The return value of every response (RopId, ReturnValue).
pub fn return_values(r: &RopResponseBuffer) -> Vec<(u8, u32)> {
    let mut out = Vec::new();
    for rop in &r.rops {
        let mut w = Vec::new();
        rop.encode(&mut w).unwrap();
        let rv = w.get(2..6).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).unwrap_or(0);
        out.push((w[0], rv));
    }
    out
}

pub fn decode_connect(r: &MapiResponse<mapi_wire::emsmdb::ConnectResponse>) -> u32 {
    r.completed().unwrap().error_code.0
}

/// A capture's JSON, if the capture set is present.
pub fn capture_json(prefix: &str) -> Option<serde_json::Value> {
    let dirs = [
        std::env::var("MAPI_CAPTURES").ok(),
        Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/captures/gromox-3.10").to_string()),
        Some("/work/shared/captures/gromox-3.10".to_string()),
    ];
    for d in dirs.into_iter().flatten() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with(prefix) && name.ends_with(".json") && !name.contains("fxstream") {
                let text = std::fs::read_to_string(e.path()).ok()?;
                return serde_json::from_str(&text).ok();
            }
        }
    }
    eprintln!("capture {prefix} not found; skipped");
    None
}

pub fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace().filter_map(|b| u8::from_str_radix(b, 16).ok()).collect()
}

/// The capture's (RopId, ReturnValue) list and its whole-call ErrorCode.
pub fn capture_answers(j: &serde_json::Value) -> Vec<(u8, u32)> {
    let mut out = Vec::new();
    if let Some(exts) = j["response_decoded"]["rpc_header_ext"].as_array() {
        for ext in exts {
            for r in ext["decoded"]["responses"].as_array().into_iter().flatten() {
                let b = hex(r["bytes"].as_str().unwrap_or(""));
                let rv = b.get(2..6).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).unwrap_or(0);
                out.push((b[0], rv));
            }
        }
    }
    out
}

pub fn capture_max_rop_out(j: &serde_json::Value) -> u32 {
    let s = j["request_fields"]["MaxRopOut"].as_str().unwrap_or("0x10008");
    u32::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or(0x10008)
}

pub fn capture_error_code(j: &serde_json::Value) -> u32 {
    let v = &j["response_decoded"]["ErrorCode"];
    match v {
        serde_json::Value::Number(n) => n.as_u64().unwrap_or(0) as u32,
        serde_json::Value::String(s) => {
            let h = s.split_whitespace().next().unwrap_or("0");
            u32::from_str_radix(h.trim_start_matches("0x"), 16).unwrap_or(0)
        }
        _ => 0,
    }
}
