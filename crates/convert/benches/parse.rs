//! MIME → MAPI throughput: 1,000 typical ~50 KB messages (multipart/mixed
//! with a multipart/alternative text + HTML body and one base64 PDF-like
//! attachment), parsed with `convert::from_mime`.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn message(i: usize) -> Vec<u8> {
    let mut html = String::from("<html><head><meta charset=\"utf-8\"></head><body>");
    let mut text = String::new();
    for p in 0..60 {
        html.push_str(&format!(
            "<p>Paragraph {p} of message {i}: Grüße aus München, the quarterly numbers look <b>fine</b>.</p>\r\n"
        ));
        text.push_str(&format!(
            "Paragraph {p} of message {i}: Grüße aus München, the quarterly numbers look fine.\r\n"
        ));
    }
    html.push_str("</body></html>");
    let att: Vec<u8> = (0..24_000u32).map(|x| (x.wrapping_mul(2_654_435_761) >> 13) as u8 ^ i as u8).collect();
    let b64 = base64(&att);
    format!(
        "From: Alice Example <alice@example.org>\r\nTo: Bob <bob@example.net>, carol@example.net\r\nCc: Dan <dan@example.net>\r\n\
Subject: RE: Quarterly report {i}\r\nDate: Tue, 24 Nov 2026 10:{:02}:00 +0100\r\nMessage-ID: <msg-{i}@example.org>\r\n\
In-Reply-To: <prev-{i}@example.net>\r\nReferences: <root-{i}@example.net> <prev-{i}@example.net>\r\nX-Mailer: bench\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n\
--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n--alt\r\n\
Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{html}\r\n--alt--\r\n\r\n--mix\r\n\
Content-Type: application/pdf; name=\"report-{i}.pdf\"\r\nContent-Disposition: attachment; filename=\"report-{i}.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--mix--\r\n",
        i % 60
    )
    .into_bytes()
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (n, c) in data.chunks(3).enumerate() {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= c.len() {
                out.push(T[(v >> (18 - 6 * k)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
        if n % 19 == 18 {
            out.push_str("\r\n");
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let msgs: Vec<Vec<u8>> = (0..1000).map(message).collect();
    let total: usize = msgs.iter().map(Vec::len).sum();
    let opts = convert::ParseOptions::default();
    let mut g = c.benchmark_group("from_mime");
    g.throughput(Throughput::Bytes(total as u64));
    g.sample_size(10);
    g.bench_function("1000_typical_messages", |b| {
        b.iter(|| {
            for m in &msgs {
                let msg = convert::from_mime(m, &opts).expect("parses");
                std::hint::black_box(msg);
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
