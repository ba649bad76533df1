//! The load driver shared by `benches/load.rs` (full size) and
//! `tests/load.rs` (shortened for CI): N concurrent MAPI/HTTP sessions
//! against an in-process simulator on 127.0.0.1, each Connect → Logon →
//! open the Inbox contents table → E Executes → Disconnect, through
//! mapi-client's `EmsmdbSession` (real sockets, real HTTP, real ROP
//! buffers built with mapi-wire). Two workloads:
//!
//! * [`Workload::QueryRows`], issue 3's figure: every Execute is one
//!   RopQueryRows of 100 rows (with its RopSetColumns), rewinding at the
//!   end of the table;
//! * [`Workload::Mixed`]: Executes rotate QueryRows(100), OpenMessage +
//!   GetPropertiesSpecific + Release, and OpenMessage + SetProperties +
//!   SaveChangesMessage + Release (a write, which also invalidates the
//!   other sessions' cached tables of that mailbox).
//!
//! Every ROP return value is checked; any non-zero one, or a failed
//! request, counts as an error.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use exchange_sim::config::SimConfig;
use exchange_sim::server::Simulator;
use exchange_sim::store::{MessageContent, NewMailbox, PropBag, SaveMode, SpecialFolder, Store};
use mapi_client::autodiscover::AutodiscoverResponse;
use mapi_client::{Credentials, EmsmdbSession, ExecuteFlags, SessionConfig, TransportConfig};
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{FileTime, FlaggedValue, PropValue, PropertyRow, TaggedValue};
use mapi_wire::rop::*;
use mapi_wire::{Encode, ErrorCode, PropTag};

/// What each session does after opening its table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// One QueryRows of 100 rows per Execute.
    QueryRows,
    /// QueryRows / OpenMessage+GetProps / OpenMessage+SetProps+Save in turn.
    Mixed,
}

#[derive(Clone, Debug)]
pub struct LoadConfig {
    pub sessions: usize,
    /// Executes per session after Logon and the table's opening.
    pub executes: usize,
    pub users: usize,
    pub messages_per_user: usize,
    pub workload: Workload,
}

/// Latencies of one request kind.
#[derive(Clone, Debug, Default)]
pub struct Latencies(pub Vec<Duration>);

impl Latencies {
    pub fn quantile(&self, q: f64) -> Duration {
        let mut v = self.0.clone();
        v.sort();
        if v.is_empty() {
            return Duration::ZERO;
        }
        let i = ((v.len() as f64 - 1.0) * q).round() as usize;
        v[i.min(v.len() - 1)]
    }
}

#[derive(Clone, Debug, Default)]
pub struct LoadReport {
    pub errors: Vec<String>,
    pub connects: Latencies,
    /// Every Execute (Logon, table opening and the workload's).
    pub executes: Latencies,
    pub disconnects: Latencies,
    pub rows: u64,
    pub elapsed: Duration,
    /// VmRSS / VmHWM of this process (simulator and clients together), KiB.
    pub rss_kib: u64,
    pub hwm_kib: u64,
    pub rss_before_kib: u64,
}

impl LoadReport {
    pub fn executes_per_second(&self) -> f64 {
        self.executes.0.len() as f64 / self.elapsed.as_secs_f64()
    }

    pub fn summary(&self, cfg: &LoadConfig) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "{:?}: {} sessions x {} Executes ({} users x {} messages): {:.2} s, {} errors; \
             Execute {:.0}/s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; rows {} ({:.0}/s); \
             Connect p50 {:.1} ms p99 {:.1} ms; Disconnect p99 {:.1} ms; \
             RSS before {} MiB, after {} MiB, peak {} MiB",
            cfg.workload,
            cfg.sessions,
            self.executes.0.len() / cfg.sessions.max(1),
            cfg.users,
            cfg.messages_per_user,
            self.elapsed.as_secs_f64(),
            self.errors.len(),
            self.executes_per_second(),
            ms(self.executes.quantile(0.5)),
            ms(self.executes.quantile(0.99)),
            ms(self.executes.quantile(1.0)),
            self.rows,
            self.rows as f64 / self.elapsed.as_secs_f64(),
            ms(self.connects.quantile(0.5)),
            ms(self.connects.quantile(0.99)),
            ms(self.disconnects.quantile(0.99)),
            self.rss_before_kib / 1024,
            self.rss_kib / 1024,
            self.hwm_kib / 1024,
        )
    }
}

/// The ten columns of mapi-client's list_folder_sim bench.
pub const COLUMNS: [PropTag; 10] = [
    PropTag::MID,
    PropTag::SUBJECT,
    PropTag::SENDER_NAME,
    PropTag::MESSAGE_DELIVERY_TIME,
    PropTag::MESSAGE_SIZE,
    PropTag::MESSAGE_FLAGS,
    PropTag::IMPORTANCE,
    PropTag::MESSAGE_CLASS,
    PropTag::HAS_ATTACHMENTS,
    PropTag::DISPLAY_TO,
];

fn user_address(i: usize) -> String {
    format!("load{i}@example.test")
}

/// `users` mailboxes with `messages` Inbox messages each (store API).
pub fn seeded_store(users: usize, messages: usize) -> Store {
    let store = Store::open_in_memory().unwrap();
    for u in 0..users {
        let address = user_address(u);
        let mbx = store
            .create_mailbox(&NewMailbox {
                address: &address,
                display_name: &format!("Load Tester {u}"),
                password: Some("demo"),
                ..NewMailbox::default()
            })
            .unwrap();
        let inbox = mbx.special_folder(SpecialFolder::Inbox);
        for i in 0..messages {
            let mut p = PropBag::new();
            p.set(PropTag::SUBJECT, PropValue::String(format!("Load message {i} of user {u}")));
            p.set(PropTag::SENDER_NAME, PropValue::String(format!("Sender {}", i % 37)));
            p.set(
                PropTag::MESSAGE_DELIVERY_TIME,
                PropValue::Time(FileTime(134_000_000_000_000_000 + i as u64 * 10_000_000)),
            );
            p.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
            p.set(PropTag::IMPORTANCE, PropValue::I32(1));
            p.set(PropTag::DISPLAY_TO, PropValue::String(format!("Load Tester {u}")));
            p.set(PropTag::BODY, PropValue::String(format!("Body of message {i}\r\n").repeat(8)));
            let content = MessageContent { props: p, ..MessageContent::default() };
            mbx.save_message(inbox, None, false, &content, SaveMode::Normal).unwrap();
        }
    }
    store
}

fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

struct Client {
    session: EmsmdbSession,
    executes: Vec<Duration>,
}

impl Client {
    /// One Execute of `rops` with `handles`; the decoded answer (every
    /// ROP return value must be 0).
    async fn run(&mut self, rops: Vec<RopRequest>, handles: Vec<u32>) -> Result<RopResponseBuffer, String> {
        let request = RopRequestBuffer { rops, handles };
        let bytes = request.to_bytes().map_err(|e| e.to_string())?;
        let start = Instant::now();
        let out = self.session.execute(&bytes, ExecuteFlags::NO_XOR_MAGIC, 0x10008).await;
        self.executes.push(start.elapsed());
        let out = out.map_err(|e| format!("execute: {e}"))?;
        if out.error_code != ErrorCode::SUCCESS {
            return Err(format!("Execute ErrorCode {:?}", out.error_code));
        }
        let payload = out.rop_output.first().ok_or("no ROP output")?;
        let resp =
            RopResponseBuffer::decode_with(payload, &ExecuteContext::new(&request)).map_err(|e| e.to_string())?;
        for rop in &resp.rops {
            let mut w = Vec::new();
            rop.encode(&mut w).map_err(|e| e.to_string())?;
            let rv = w.get(2..6).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            // RopRelease has no return value; RopId 0x01.
            if w.first() != Some(&0x01) && rv != 0 {
                return Err(format!("ROP {:#04x} returned {rv:#x}", w[0]));
            }
        }
        Ok(resp)
    }
}

const NONE: u32 = u32::MAX;

fn set_columns(input: u8) -> RopRequest {
    RopRequest::SetColumns(SetColumnsRequest {
        logon_id: 0,
        input_handle_index: input,
        flags: AsyncFlags::SYNC,
        columns: COLUMNS.to_vec(),
    })
}

fn query_rows(input: u8) -> RopRequest {
    RopRequest::QueryRows(QueryRowsRequest {
        logon_id: 0,
        input_handle_index: input,
        flags: QueryRowsFlags::ADVANCE,
        forward_read: true,
        row_count: 100,
    })
}

fn open_message(input: u8, output: u8, folder: FolderId, mid: MessageId, write: bool) -> RopRequest {
    RopRequest::OpenMessage(OpenMessageRequest {
        logon_id: 0,
        input_handle_index: input,
        output_handle_index: output,
        code_page_id: 0x0FFF,
        folder_id: folder,
        open_mode_flags: if write { MessageOpenModeFlags::READ_WRITE } else { MessageOpenModeFlags::READ_ONLY },
        message_id: mid,
    })
}

fn mids(resp: &RopResponse) -> (Vec<MessageId>, bool) {
    let RopResponse::QueryRows(q) = resp else { return (Vec::new(), true) };
    let Some(s) = q.success.as_ref() else { return (Vec::new(), true) };
    let ids = s
        .rows
        .iter()
        .filter_map(|r| match r {
            PropertyRow::Standard(v) => v.first().cloned(),
            PropertyRow::Flagged(v) => match v.first() {
                Some(FlaggedValue::Value(v)) => Some(v.clone()),
                _ => None,
            },
        })
        .filter_map(|v| if let PropValue::I64(m) = v { Some(MessageId(m as u64)) } else { None })
        .collect();
    (ids, s.origin == BookmarkOrigin::END)
}

/// One session's life; its latencies go into `report`.
async fn session(
    index: usize,
    settings: Arc<mapi_client::autodiscover::Discovery>,
    address: String,
    inbox: FolderId,
    cfg: LoadConfig,
) -> (Option<Duration>, Vec<Duration>, Option<Duration>, u64, Result<(), String>) {
    let t = TransportConfig::new(Credentials::Basic { user: address, password: "demo".to_owned().into() });
    let start = Instant::now();
    let session = match EmsmdbSession::connect(SessionConfig::mailstore(&settings, t)).await {
        Ok(s) => s,
        Err(e) => return (None, Vec::new(), None, 0, Err(format!("connect: {e}"))),
    };
    let connect = start.elapsed();
    let mut c = Client { session, executes: Vec::new() };
    let mut rows = 0u64;
    let result = async {
        let logon = mapi_client::api::logon_request(&mapi_client::api::StoreTarget::Mailbox {
            legacy_dn: settings.legacy_dn.clone(),
        });
        let r = c.run(vec![RopRequest::Logon(logon)], vec![NONE]).await?;
        let logon_handle = r.handles[0];
        let r = c
            .run(
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
                    set_columns(2),
                    query_rows(2),
                ],
                vec![logon_handle, NONE, NONE],
            )
            .await?;
        let table = r.handles[2];
        let (mut known, mut at_end) = mids(&r.rops[3]);
        rows += known.len() as u64;
        let mut pick = index;
        for k in 0..cfg.executes {
            let kind = if cfg.workload == Workload::QueryRows { 0 } else { k % 3 };
            match kind {
                0 => {
                    let mut rops = vec![set_columns(0)];
                    if at_end {
                        rops.push(RopRequest::SeekRow(SeekRowRequest {
                            logon_id: 0,
                            input_handle_index: 0,
                            origin: BookmarkOrigin::BEGINNING,
                            row_count: 0,
                            want_row_moved_count: false,
                        }));
                    }
                    rops.push(query_rows(0));
                    let n = rops.len();
                    let r = c.run(rops, vec![table]).await?;
                    let (ids, end) = mids(&r.rops[n - 1]);
                    rows += ids.len() as u64;
                    at_end = end;
                    if known.len() < 1000 {
                        known.extend(ids);
                    }
                }
                1 | 2 => {
                    pick = pick.wrapping_mul(31).wrapping_add(7);
                    let Some(mid) = known.get(pick % known.len().max(1)).copied() else { continue };
                    let write = kind == 2;
                    let mut rops = vec![open_message(0, 1, inbox, mid, write)];
                    if write {
                        rops.push(RopRequest::SetProperties(SetPropertiesRequest {
                            logon_id: 0,
                            input_handle_index: 1,
                            values: vec![TaggedValue {
                                tag: PropTag::IMPORTANCE,
                                value: PropValue::I32((k % 3) as i32),
                            }],
                        }));
                        rops.push(RopRequest::SaveChangesMessage(SaveChangesMessageRequest {
                            logon_id: 0,
                            response_handle_index: 1,
                            input_handle_index: 1,
                            save_flags: SaveFlags::KEEP_OPEN_READ_ONLY,
                        }));
                    } else {
                        rops.push(RopRequest::GetPropertiesSpecific(GetPropertiesSpecificRequest {
                            logon_id: 0,
                            input_handle_index: 1,
                            property_size_limit: 0,
                            want_unicode: 1,
                            property_tags: vec![
                                PropTag::SUBJECT,
                                PropTag::SENDER_NAME,
                                PropTag::MESSAGE_SIZE,
                                PropTag::BODY,
                                PropTag::MESSAGE_DELIVERY_TIME,
                            ],
                        }));
                    }
                    rops.push(RopRequest::Release(ReleaseRequest { logon_id: 0, input_handle_index: 1 }));
                    c.run(rops, vec![logon_handle, NONE]).await?;
                }
                _ => unreachable!(),
            }
        }
        Ok(())
    }
    .await;
    let start = Instant::now();
    let disconnect = c.session.disconnect().await;
    let disconnect_time = start.elapsed();
    let result = result.and(disconnect.map_err(|e| format!("disconnect: {e}")));
    (Some(connect), c.executes, Some(disconnect_time), rows, result)
}

/// Seeds, starts a simulator, runs the sessions concurrently, stops.
pub async fn run(cfg: LoadConfig) -> LoadReport {
    let (rss_before, _) = rss();
    let store = seeded_store(cfg.users, cfg.messages_per_user);
    let mut config = SimConfig::loopback();
    config.request_timeout = Duration::from_secs(120);
    let sim = Simulator::new(config).with_store(store).run().await.unwrap();
    let url = format!("{}/autodiscover/autodiscover.xml", sim.base_url());
    let mut settings = Vec::new();
    let mut inboxes = Vec::new();
    for u in 0..cfg.users {
        let address = user_address(u);
        let t = TransportConfig::new(Credentials::Basic { user: address.clone(), password: "demo".to_owned().into() });
        let AutodiscoverResponse::Settings(d) = mapi_client::autodiscover::ask(&url, &address, &t).await.unwrap()
        else {
            panic!("no autodiscover settings for {address}")
        };
        settings.push(Arc::new(d));
        inboxes.push(sim.store().mailbox(&address).unwrap().special_folder(SpecialFolder::Inbox));
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..cfg.sessions {
        let u = i % cfg.users;
        tasks.push(tokio::spawn(session(i, settings[u].clone(), user_address(u), inboxes[u], cfg.clone())));
    }
    let mut report = LoadReport { rss_before_kib: rss_before, ..LoadReport::default() };
    for t in tasks {
        let (connect, executes, disconnect, rows, result) = t.await.unwrap();
        report.connects.0.extend(connect);
        report.executes.0.extend(executes);
        report.disconnects.0.extend(disconnect);
        report.rows += rows;
        if let Err(e) = result {
            report.errors.push(e);
        }
    }
    report.elapsed = start.elapsed();
    (report.rss_kib, report.hwm_kib) = rss();
    sim.shutdown().await;
    report
}
