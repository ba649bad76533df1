//! Rendering throughput: 1,000 typical messages (~50 KB each: HTML body,
//! text body, one ~30 KB attachment, a few recipients and transport
//! headers) MAPI → MIME, and one message with a 25 MB attachment. Reports
//! MB/s of rendered output.
//!
//! `cargo bench -p convert --bench render`

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use convert::{Attachment, Message, Recipient, RenderOptions, to_mime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};

fn s(v: &str) -> PropValue {
    PropValue::String(v.into())
}

/// A deterministic pseudo-random byte stream (xorshift).
fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn typical(i: u64) -> Message {
    let mut m = Message::new();
    let p = &mut m.props;
    p.insert(PropTag::SUBJECT, s(&format!("Quarterly report #{i} – Überblick"))).unwrap();
    p.insert(PropTag::SENT_REPRESENTING_NAME, s("Erin Example")).unwrap();
    p.insert(PropTag::SENT_REPRESENTING_SMTP_ADDRESS, s("erin@example.org")).unwrap();
    p.insert(
        PropTag::CLIENT_SUBMIT_TIME,
        PropValue::Time(FileTime::from_unix_seconds(1_795_079_100 + i as i64).unwrap()),
    )
    .unwrap();
    p.insert(PropTag::INTERNET_MESSAGE_ID, s(&format!("<report-{i}@example.org>"))).unwrap();
    p.insert(
        PropTag::TRANSPORT_MESSAGE_HEADERS,
        s("Received: from mx.example.org (mx.example.org [192.0.2.1])\r\n\tby mail.example.test with ESMTPS; Thu, 19 Nov 2026 10:00:00 +0100\r\nDKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel;\r\n b=AAAAB3NzaC1yc2EAAAADAQABAAABAQC\r\n\r\n"),
    )
    .unwrap();
    let para = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Grüße, café.</p>\r\n";
    let html = format!("<html><body>{}</body></html>", para.repeat(110));
    let text =
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.\r\n".repeat(30);
    p.insert(PropTag::HTML, PropValue::Binary(html.into_bytes())).unwrap();
    p.insert(PropTag::INTERNET_CODEPAGE, PropValue::I32(65001)).unwrap();
    p.insert(PropTag::BODY, s(&text)).unwrap();
    for (ty, name, addr) in
        [(1, "Dave Oracle", "dave@example.test"), (1, "Frank", "frank@example.net"), (2, "Grace", "grace@example.com")]
    {
        let mut r = Recipient::default();
        r.props.insert(PropTag::RECIPIENT_TYPE, PropValue::I32(ty)).unwrap();
        r.props.insert(PropTag::DISPLAY_NAME, s(name)).unwrap();
        r.props.insert(PropTag::SMTP_ADDRESS, s(addr)).unwrap();
        m.recipients.push(r);
    }
    let mut a = Attachment::default();
    a.props.insert(PropTag::ATTACH_LONG_FILENAME, s("report.pdf")).unwrap();
    a.props.insert(PropTag::ATTACH_MIME_TAG, s("application/pdf")).unwrap();
    a.props.insert(PropTag::ATTACH_DATA_BINARY, PropValue::Binary(noise(i, 24_000))).unwrap();
    m.attachments.push(a);
    m
}

fn bench(c: &mut Criterion) {
    let messages: Vec<Message> = (0..1000).map(typical).collect();
    let ids: Vec<Vec<u8>> = (0..1000u64).map(|i| i.to_le_bytes().to_vec()).collect();
    let total: usize = messages
        .iter()
        .zip(&ids)
        .map(|(m, id)| to_mime(m, &RenderOptions { identity: id, ..Default::default() }).unwrap().len())
        .sum();
    eprintln!("rendered size: {total} bytes for 1000 messages ({} bytes each)", total / 1000);
    let mut g = c.benchmark_group("to_mime");
    g.throughput(Throughput::Bytes(total as u64));
    g.sample_size(10);
    g.bench_function("1000 typical messages", |b| {
        b.iter(|| {
            for (m, id) in messages.iter().zip(&ids) {
                black_box(to_mime(black_box(m), &RenderOptions { identity: id, ..Default::default() }).unwrap());
            }
        });
    });
    g.finish();

    // One message with a 25 MB attachment (the largest corpus item).
    let mut big = typical(7);
    if let Some(a) = big.attachments.first_mut() {
        a.props.insert(PropTag::ATTACH_DATA_BINARY, PropValue::Binary(noise(7, 25 << 20))).unwrap();
    }
    let size = to_mime(&big, &RenderOptions::default()).unwrap().len();
    let mut g = c.benchmark_group("to_mime_large");
    g.throughput(Throughput::Bytes(size as u64));
    g.sample_size(10);
    g.bench_function("25 MB attachment", |b| {
        b.iter(|| black_box(to_mime(black_box(&big), &RenderOptions::default()).unwrap()));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
