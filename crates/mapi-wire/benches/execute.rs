//! Whole-response decode of an Execute response carrying RopQueryRows with
//! 1,000 rows of 10 mail columns, compressed and XorMagic-obfuscated, as a
//! client receives a folder listing ([MS-OXCMAPIHTTP] 2.2.4.2, [MS-OXCRPC]
//! 2.2.2.1, [MS-OXCROPS] 2.2.5.4).
//!
//! Throughput is counted in uncompressed ROP payload bytes. Target on the
//! project's 2-core machine: ≥ 200 MB/s.
#![allow(missing_docs)] // criterion_group! generates undocumented items.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mapi_wire::emsmdb::{ExecuteResponse, MapiResponse};
use mapi_wire::prop_value::{FileTime, PropValue, PropertyRow};
use mapi_wire::rop::{
    BookmarkOrigin, ExecuteContext, QueryRowsFlags, QueryRowsRequest, QueryRowsResponse, QueryRowsSuccess, RopRequest,
    RopRequestBuffer, RopResponse, RopResponseBuffer,
};
use mapi_wire::rpc_ext::{ChainLimits, EncodeOptions, decode_chain, encode_chain};
use mapi_wire::{Decode, Encode, ErrorCode, PropTag};

const TABLE_HANDLE: u32 = 0x0000_0042;
const ROWS: usize = 1_000;
/// Rows per RPC_HEADER_EXT payload, keeping each payload under 32 KiB like
/// a server's chained QueryRows answers.
const ROWS_PER_PAYLOAD: usize = 100;

fn columns() -> Vec<PropTag> {
    vec![
        PropTag::MID,
        PropTag::SUBJECT,
        PropTag::SENT_REPRESENTING_NAME,
        PropTag::SENT_REPRESENTING_SMTP_ADDRESS,
        PropTag::MESSAGE_DELIVERY_TIME,
        PropTag::MESSAGE_SIZE,
        PropTag::MESSAGE_FLAGS,
        PropTag::IMPORTANCE,
        PropTag::HAS_ATTACHMENTS,
        PropTag::INTERNET_MESSAGE_ID,
    ]
}

fn row(i: usize) -> PropertyRow {
    let words = ["quarterly", "report", "meeting", "Grüße", "invoice", "follow-up", "draft", "review"];
    let subject: Vec<&str> = (0..6).map(|k| words[(i * 7 + k * 3) % words.len()]).collect();
    PropertyRow::Standard(vec![
        PropValue::I64(0x0000_0300_0000_0001 + ((i as i64) << 40)),
        PropValue::String(format!("RE: {} #{i}", subject.join(" "))),
        PropValue::String(format!("Sender Number {}", i % 97)),
        PropValue::String(format!("sender{}@example.test", i % 97)),
        PropValue::Time(FileTime(133_000_000_000_000_000 + i as u64 * 10_000_000)),
        PropValue::I32(2_000 + (i as i32 * 37) % 50_000),
        PropValue::I32(if i.is_multiple_of(3) { 0x1 } else { 0x0 }),
        PropValue::I32(1),
        PropValue::Bool(i.is_multiple_of(5)),
        PropValue::String(format!("<{i}.{}@mail.example.test>", i * 31)),
    ])
}

struct Fixture {
    body: Vec<u8>,
    request: RopRequestBuffer,
    known: HashMap<u32, Vec<PropTag>>,
    payload_bytes: usize,
}

fn fixture() -> Fixture {
    let cols = columns();
    let request = RopRequestBuffer {
        rops: vec![RopRequest::QueryRows(QueryRowsRequest {
            logon_id: 0,
            input_handle_index: 0,
            flags: QueryRowsFlags::ADVANCE,
            forward_read: true,
            row_count: ROWS_PER_PAYLOAD as u16,
        })],
        handles: vec![TABLE_HANDLE],
    };
    let all: Vec<PropertyRow> = (0..ROWS).map(row).collect();
    let payloads: Vec<Vec<u8>> = all
        .chunks(ROWS_PER_PAYLOAD)
        .enumerate()
        .map(|(n, rows)| {
            let last = (n + 1) * ROWS_PER_PAYLOAD >= ROWS;
            RopResponseBuffer {
                rops: vec![RopResponse::QueryRows(QueryRowsResponse {
                    handle_index: 0,
                    return_value: ErrorCode::SUCCESS,
                    success: Some(QueryRowsSuccess {
                        origin: if last { BookmarkOrigin::END } else { BookmarkOrigin::CURRENT },
                        rows: rows.to_vec(),
                        columns: cols.clone(),
                    }),
                })],
                handles: vec![TABLE_HANDLE],
            }
            .to_bytes()
            .expect("encodable")
        })
        .collect();
    let payload_bytes = payloads.iter().map(Vec::len).sum();
    let rop_buffer =
        encode_chain(payloads.iter().map(Vec::as_slice), &EncodeOptions { compress: true, xor_magic: true })
            .expect("encodable");
    let body = MapiResponse::Completed(ExecuteResponse {
        error_code: ErrorCode::SUCCESS,
        flags: 0,
        rop_buffer,
        auxiliary_buffer: Vec::new(),
    })
    .to_bytes()
    .expect("encodable");
    Fixture { body, request, known: HashMap::from([(TABLE_HANDLE, cols)]), payload_bytes }
}

/// The whole client-side decode: body → RPC_HEADER_EXT chain (XOR, LZ77) →
/// ROP buffers with their rows. Returns the number of rows seen.
fn decode(f: &Fixture) -> usize {
    let MapiResponse::Completed(resp) = MapiResponse::<ExecuteResponse>::decode_exact(&f.body).expect("valid") else {
        unreachable!("the fixture is a completed response")
    };
    let ctx = ExecuteContext::new(&f.request).with_known(&f.known);
    let mut rows = 0;
    for ext in decode_chain(&resp.rop_buffer, &ChainLimits::default()).expect("valid chain") {
        let buf = RopResponseBuffer::decode_with(&ext.payload, &ctx).expect("valid ROPs");
        for rop in &buf.rops {
            if let RopResponse::QueryRows(q) = rop {
                rows += q.success.as_ref().map_or(0, |s| s.rows.len());
            }
        }
    }
    rows
}

fn bench(c: &mut Criterion) {
    let f = fixture();
    assert_eq!(decode(&f), ROWS);
    eprintln!(
        "fixture: {} rows, {} payload bytes, {} bytes on the wire ({:.1} %)",
        ROWS,
        f.payload_bytes,
        f.body.len(),
        100.0 * f.body.len() as f64 / f.payload_bytes as f64
    );
    let mut g = c.benchmark_group("execute_response");
    g.throughput(Throughput::Bytes(f.payload_bytes as u64));
    g.bench_function("decode_1000_rows_compressed_xor", |b| b.iter(|| black_box(decode(black_box(&f)))));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
