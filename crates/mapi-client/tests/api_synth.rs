//! A synthetic mailbox server for paging tests and the listing benchmark: Connect and
//! RopLogon replay captures 004/005; every other Execute is answered by generating ROP
//! responses for one folder of `rows` messages with 10 columns, honouring MaxRopOut,
//! the Chain flag (extra RPC_HEADER_EXT buffers repeating RopQueryRows) and
//! NoCompression (LZ77 on the responses otherwise).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, unreachable_pub, missing_docs)]

#[path = "common/mod.rs"]
mod common;

use std::sync::{Arc, Mutex};

pub use common::*;
use mapi_wire::emsmdb::{ExecuteFlags, ExecuteRequest, ExecuteResponse, MapiResponse};
use mapi_wire::prop_value::{FileTime, PropValue, PropertyRow};
use mapi_wire::rop::*;
use mapi_wire::rpc_ext::{self, ChainLimits, EncodeOptions};
use mapi_wire::{Decode, Encode, ErrorCode, PropTag};

/// The 10 columns of the benchmark listing.
pub const COLUMNS: [PropTag; 10] = [
    PropTag(0x674A_0014), // PidTagMid
    PropTag(0x0037_001F), // PidTagSubject
    PropTag(0x0C1A_001F), // PidTagSenderName
    PropTag(0x0C1F_001F), // PidTagSenderEmailAddress
    PropTag(0x0E08_0003), // PidTagMessageSize
    PropTag(0x0E07_0003), // PidTagMessageFlags
    PropTag(0x0E06_0040), // PidTagMessageDeliveryTime
    PropTag(0x3008_0040), // PidTagLastModificationTime
    PropTag(0x65E2_0102), // PidTagChangeKey
    PropTag(0x0017_0003), // PidTagImportance
];

const META: &[u8] = b"PROCESSING\r\nDONE\r\nX-ElapsedTime: 0\r\nX-StartTime: Fri, 27 Nov 2026 01:36:08 GMT\r\n\r\n";

/// Row `i` of the synthetic folder.
pub fn row(i: u32) -> PropertyRow {
    PropertyRow::Standard(vec![
        PropValue::I64(i64::from(i) << 16 | 1),
        PropValue::String(format!("Quarterly report {i} for the project")),
        PropValue::String(format!("Sender {}", i % 97)),
        PropValue::String(format!("sender{}@example.test", i % 97)),
        PropValue::I32(2048 + (i % 5000) as i32),
        PropValue::I32(i32::from(!i.is_multiple_of(3))),
        PropValue::Time(FileTime(0x01DB_0000_0000_0000 + u64::from(i) * 10_000_000)),
        PropValue::Time(FileTime(0x01DB_0000_0000_0000 + u64::from(i) * 10_000_000)),
        PropValue::Binary({
            let mut v = vec![0x11; 16];
            v.extend_from_slice(&i.to_le_bytes());
            v.extend_from_slice(&[0, 0]);
            v
        }),
        PropValue::I32(1),
    ])
}

pub struct Synth {
    pub rows: u32,
    /// The table cursor.
    pub position: Mutex<u32>,
    /// The next server object handle (never reused, like a real server while the old
    /// one may still be open).
    pub next_handle: Mutex<u32>,
}

/// Payload budget of one RPC_HEADER_EXT (32 KB, [MS-OXCRPC] 3.1.4.2.1.1).
const PAYLOAD: usize = 0x8000 - 0x100;

impl Synth {
    fn answer(&self, rop: &RopRequest) -> Option<RopResponse> {
        Some(match rop {
            RopRequest::OpenFolder(q) => RopResponse::OpenFolder(OpenFolderResponse {
                handle_index: q.output_handle_index,
                return_value: ErrorCode::SUCCESS,
                success: Some(OpenFolderSuccess { has_rules: false, ghost: None }),
            }),
            RopRequest::GetContentsTable(q) => {
                *self.position.lock().unwrap() = 0;
                RopResponse::GetContentsTable(GetContentsTableResponse {
                    handle_index: q.output_handle_index,
                    return_value: ErrorCode::SUCCESS,
                    success: Some(TableRowCount { row_count: self.rows }),
                })
            }
            RopRequest::SetColumns(q) => RopResponse::SetColumns(SetColumnsResponse {
                handle_index: q.input_handle_index,
                return_value: ErrorCode::SUCCESS,
                success: Some(TableStatusSuccess { table_status: TableStatus::COMPLETE }),
            }),
            RopRequest::SeekRow(q) => {
                let mut p = self.position.lock().unwrap();
                *p = (q.row_count.max(0) as u32).min(self.rows);
                RopResponse::SeekRow(SeekRowResponse {
                    handle_index: q.input_handle_index,
                    return_value: ErrorCode::SUCCESS,
                    success: Some(SeekRowSuccess { has_sought_less: false, rows_sought: *p as i32 }),
                })
            }
            _ => return None,
        })
    }

    /// A QueryRows response filling at most `budget` bytes.
    fn rows_response(&self, q: &QueryRowsRequest, budget: usize) -> (RopResponse, usize) {
        let mut p = self.position.lock().unwrap();
        let mut rows = Vec::new();
        let mut size = 10;
        let mut buf = Vec::new();
        while *p < self.rows && rows.len() < usize::from(q.row_count) {
            let r = row(*p);
            buf.clear();
            RopResponse::QueryRows(QueryRowsResponse {
                handle_index: 0,
                return_value: ErrorCode::SUCCESS,
                success: Some(QueryRowsSuccess {
                    origin: BookmarkOrigin::CURRENT,
                    rows: vec![r.clone()],
                    columns: COLUMNS.to_vec(),
                }),
            })
            .encode(&mut buf)
            .unwrap();
            let n = buf.len() - 10;
            if size + n > budget {
                break;
            }
            size += n;
            rows.push(r);
            *p += 1;
        }
        let origin = if *p >= self.rows { BookmarkOrigin::END } else { BookmarkOrigin::CURRENT };
        let resp = RopResponse::QueryRows(QueryRowsResponse {
            handle_index: q.input_handle_index,
            return_value: ErrorCode::SUCCESS,
            success: Some(QueryRowsSuccess { origin, rows, columns: COLUMNS.to_vec() }),
        });
        (resp, size)
    }

    /// The Execute response body (binary part) for an Execute request body.
    pub fn execute(&self, body: &[u8]) -> Vec<u8> {
        let req = ExecuteRequest::decode_exact(body).unwrap();
        let input = rpc_ext::decode_chain(&req.rop_buffer, &ChainLimits::default()).unwrap();
        let rops = RopRequestBuffer::decode_exact(&input[0].payload).unwrap();
        let mut handles = rops.handles.clone();
        let chain = req.flags.0 & ExecuteFlags::CHAIN.0 != 0;
        let total_budget = (req.max_rop_out as usize).saturating_sub(0x100);
        let mut payloads: Vec<Vec<u8>> = Vec::new();
        let mut out = Vec::new();
        let mut used = 16;
        let mut last_query = None;
        for r in &rops.rops {
            if let Some(idx) = r.output_handle_index()
                && let Some(h) = handles.get_mut(usize::from(idx))
            {
                {
                    let mut n = self.next_handle.lock().unwrap();
                    *n += 1;
                    *h = *n;
                }
            }
            if let RopRequest::QueryRows(q) = r {
                let (resp, n) = self.rows_response(q, PAYLOAD.min(total_budget) - used);
                used += n;
                out.push(resp);
                last_query = Some(q.clone());
            } else if let Some(resp) = self.answer(r) {
                let mut b = Vec::new();
                resp.encode(&mut b).unwrap();
                used += b.len();
                out.push(resp);
            }
        }
        let first = RopResponseBuffer { rops: out, handles: handles.clone() }.to_bytes().unwrap();
        let mut total = first.len();
        payloads.push(first);
        if let (true, Some(q)) = (chain, last_query) {
            while *self.position.lock().unwrap() < self.rows && total + PAYLOAD <= total_budget {
                let (resp, _) = self.rows_response(&q, PAYLOAD);
                let b = RopResponseBuffer { rops: vec![resp], handles: handles.clone() }.to_bytes().unwrap();
                total += b.len();
                payloads.push(b);
            }
        }
        let compress = req.flags.0 & ExecuteFlags::NO_COMPRESSION.0 == 0;
        let rop_buffer =
            rpc_ext::encode_chain(payloads.iter().map(Vec::as_slice), &EncodeOptions { compress, xor_magic: false })
                .unwrap();
        let mut stream = META.to_vec();
        MapiResponse::Completed(ExecuteResponse {
            error_code: ErrorCode::SUCCESS,
            flags: 0,
            rop_buffer,
            auxiliary_buffer: Vec::new(),
        })
        .encode(&mut stream)
        .unwrap();
        stream
    }
}

pub const SID: &str = "sid=alk6icfbe8b0exu8amedplwee7m8tek8";
pub const SEQ: &str = "sequence=d14fed18-f728-47f8-81b7-9ad123c77804";

/// Starts the synthetic server for a folder of `rows` messages.
pub async fn start(rows: u32) -> (Server, Arc<Synth>) {
    let synth = Arc::new(Synth { rows, position: Mutex::new(0), next_handle: Mutex::new(0x10) });
    let s = synth.clone();
    let logon = capture("005-execute-roplogon-private.resp.bin");
    let server = Server::start(Arc::new(move |req, _| match req.request_type() {
        "Connect" => mapi_ok(req, &[SID, SEQ], &capture("004-emsmdb-connect-alice.resp.bin")),
        "Execute" => {
            let input = rop_input_of(&req.body);
            if input.get(2) == Some(&0xFE) {
                mapi_ok(req, &[SID, SEQ], &logon)
            } else {
                mapi_ok(req, &[SID, SEQ], &s.execute(&req.body))
            }
        }
        _ => Action::Close,
    }))
    .await;
    (server, synth)
}
