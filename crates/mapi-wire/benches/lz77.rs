//! [MS-XCA] 2.3–2.4 Plain LZ77 throughput ([MS-OXCRPC] 3.1.4.1.1.2): our
//! codec against `rust-lzxpress`, on an Execute-response-like table dump and
//! on 1 MiB of repetitive text. Throughput is counted in uncompressed bytes.
//!
//! Run: `cargo bench -p mapi-wire --bench lz77`.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, black_box, criterion_group, criterion_main};
use mapi_wire::lz77;
use std::time::Duration;

/// Deterministic xorshift generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn put_utf16z(w: &mut Vec<u8>, s: &str) {
    for u in s.encode_utf16() {
        w.extend_from_slice(&u.to_le_bytes());
    }
    w.extend_from_slice(&[0, 0]);
}

/// A RopQueryRows-like response body: 1,000 standard property rows with 10
/// columns (subject, sender name, sender address, display-to list, message
/// class, received and sent FILETIMEs, size, flags, MID), strings in UTF-16LE
/// as Exchange sends them (~370 KB).
fn table_rows() -> Vec<u8> {
    const WORDS: &[&str] = &[
        "Quarterly",
        "report",
        "meeting",
        "notes",
        "budget",
        "review",
        "project",
        "update",
        "invoice",
        "travel",
        "schedule",
        "team",
        "lunch",
        "Re:",
        "Fwd:",
        "draft",
        "contract",
        "release",
        "status",
        "weekly",
        "plan",
        "customer",
        "feedback",
        "agenda",
        "minutes",
        "urgent",
        "reminder",
        "approval",
        "design",
        "launch",
    ];
    const FIRST: &[&str] = &["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"];
    const LAST: &[&str] = &["Tester", "Miller", "Schmidt", "Garcia", "Nguyen", "Okafor", "Rossi", "Kowalski"];
    const DOMAINS: &[&str] = &["example.test", "contoso.test", "fabrikam.test", "mail.example.org"];
    const CLASSES: &[&str] = &["IPM.Note", "IPM.Note", "IPM.Note", "IPM.Schedule.Meeting.Request", "IPM.Note.SMIME"];
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut w = Vec::with_capacity(600_000);
    // RopQueryRows response header: RopId, handle index, ReturnValue, Origin, RowCount.
    w.extend_from_slice(&[0x15, 0x02, 0, 0, 0, 0, 0x02]);
    w.extend_from_slice(&1000u16.to_le_bytes());
    let mut received: u64 = 0x01DB_4C2A_0000_0000;
    for i in 0..1000u64 {
        w.push(0x00); // standard row
        let n = 4 + rng.next() % 11;
        let subject: Vec<&str> = (0..n).map(|_| rng.pick(WORDS)).collect();
        put_utf16z(&mut w, &format!("{} #{}", subject.join(" "), rng.next() % 5000));
        let (first, last) = (rng.pick(FIRST), rng.pick(LAST));
        put_utf16z(&mut w, &format!("{first} {last}"));
        put_utf16z(&mut w, &format!("{}.{}@{}", first.to_lowercase(), last.to_lowercase(), rng.pick(DOMAINS)));
        let to: Vec<String> =
            (0..1 + rng.next() % 4).map(|_| format!("{} {}", rng.pick(FIRST), rng.pick(LAST))).collect();
        put_utf16z(&mut w, &to.join("; "));
        put_utf16z(&mut w, rng.pick(CLASSES));
        received += 600_000_000 + rng.next() % 36_000_000_000;
        w.extend_from_slice(&received.to_le_bytes());
        w.extend_from_slice(&(received - rng.next() % 50_000_000).to_le_bytes());
        w.extend_from_slice(&((1_000 + rng.next() % 250_000) as u32).to_le_bytes());
        w.extend_from_slice(&((rng.next() % 4) as u32 | 0x0000_0010).to_le_bytes());
        // MID: replid 1, GLOBCNT big-endian.
        let mut mid = [0u8; 8];
        mid[0] = 1;
        mid[2..].copy_from_slice(&(0x10_0000 + i).to_be_bytes()[2..]);
        w.extend_from_slice(&mid);
    }
    w
}

fn repetitive() -> Vec<u8> {
    let unit = b"Subject: Weekly status, From: Alice Tester <alice@example.test>, Size: 4096, Flags: read\r\n";
    unit.iter().copied().cycle().take(1 << 20).collect()
}

fn bench(c: &mut Criterion) {
    let rows = table_rows();
    // One ROP payload's worth (the 32 KiB a sender puts behind one header).
    let rows_32k = rows[..32 * 1024].to_vec();
    let inputs = [("table_rows", rows), ("table_rows_32k", rows_32k), ("repetitive_1mib", repetitive())];
    for (name, data) in &inputs {
        let ours = lz77::compress(data);
        let pct = 100.0 * ours.len() as f64 / data.len() as f64;
        eprintln!("{name}: {} bytes -> mapi_wire {} bytes ({pct:.1} %)", data.len(), ours.len());
        assert_eq!(lzxpress::data::decompress(&ours).ok().as_ref(), Some(data), "rust-lzxpress decodes our output");
    }

    let mut g = c.benchmark_group("lz77_compress");
    for (name, data) in &inputs {
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_with_input(BenchmarkId::new("mapi_wire", name), data, |b, d| b.iter(|| lz77::compress(black_box(d))));
        // rust-lzxpress searches all 8192 offsets at every position: only the
        // 32 KiB input finishes in reasonable time.
        if *name == "table_rows_32k" {
            let theirs = lzxpress::data::compress(data).unwrap_or_default();
            let pct = 100.0 * theirs.len() as f64 / data.len() as f64;
            eprintln!("{name}: rust-lzxpress {} bytes ({pct:.1} %)", theirs.len());
            g.bench_with_input(BenchmarkId::new("rust_lzxpress", name), data, |b, d| {
                b.iter(|| lzxpress::data::compress(black_box(d)))
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("lz77_decompress");
    for (name, data) in &inputs {
        let ours = lz77::compress(data);
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_with_input(BenchmarkId::new("mapi_wire", name), &ours, |b, c| {
            b.iter(|| lz77::decompress(black_box(c), data.len()))
        });
        g.bench_with_input(BenchmarkId::new("rust_lzxpress", name), &ours, |b, c| {
            b.iter(|| lzxpress::data::decompress(black_box(c)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
