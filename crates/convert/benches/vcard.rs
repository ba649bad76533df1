//! vCard → MAPI (parse + convert) throughput: one typical contact (Apple
//! Contacts 3.0 style: names, organisation, two e-mails, three phones, two
//! addresses, birthday, note, categories, UID) and an address book of
//! 5,000 such contacts in one file (an import / a full CardDAV sync);
//! plus MAPI → vCard 4.0 rendering of the same 5,000 contacts.
#![allow(missing_docs)]

use convert::vcard::{
    VcardLimits, VcardParseOptions, VcardRenderOptions, message_to_vcard, vcard_to_message, vcards_to_messages,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn contact(i: usize) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.5//EN\r\nN:Müller-{i};Anna;Maria;Dr.;\r\n\
FN:Dr. Anna Maria Müller-{i}\r\nNICKNAME:Anni\r\nORG:Beispiel GmbH;Vertrieb\r\nTITLE:Key Account Manager\r\n\
item1.EMAIL;type=INTERNET;type=pref:anna.mueller{i}@beispiel.example\r\nitem1.X-ABLabel:_$!<Work>!$_\r\n\
EMAIL;type=INTERNET;type=HOME:anna{i}@privat.example\r\nTEL;type=CELL;type=VOICE;type=pref:+49 151 {i:07}\r\n\
TEL;type=WORK;type=VOICE:+49 30 {i:06}-0\r\nTEL;type=HOME;type=VOICE:+49 30 {i:06}-1\r\n\
item2.ADR;type=WORK;type=pref:;;Friedrichstraße {i};Berlin;;10117;Germany\r\nitem2.X-ABADR:de\r\n\
ADR;type=HOME:;;Kastanienallee 3;Berlin;;10435;Germany\r\nBDAY:1984-03-17\r\n\
NOTE:Met at the trade fair 2024.\\nPrefers e-mail\\, not calls.\r\nCATEGORIES:Kunden,Messe\r\n\
UID:2B3C4D5E-{i:04}-4000-8000-000000000000\r\nEND:VCARD\r\n"
    )
}

fn bench(c: &mut Criterion) {
    let one = contact(1);
    let opts = VcardParseOptions::default();
    let mut g = c.benchmark_group("vcard");
    g.throughput(Throughput::Bytes(one.len() as u64));
    g.bench_function("parse_one_typical_contact", |b| {
        b.iter(|| std::hint::black_box(vcard_to_message(one.as_bytes(), &opts).expect("parses")))
    });
    let book: String = (0..5000).map(contact).collect();
    let big = VcardParseOptions { limits: VcardLimits { max_input: 64 << 20, ..VcardLimits::default() }, ..opts };
    g.throughput(Throughput::Bytes(book.len() as u64));
    g.sample_size(10);
    g.bench_function("parse_5000_contacts", |b| {
        b.iter(|| std::hint::black_box(vcards_to_messages(book.as_bytes(), &big).expect("parses")))
    });
    // The CardDAV case: 5,000 address object resources, one card each.
    let cards: Vec<String> = (0..5000).map(contact).collect();
    g.bench_function("parse_5000_contacts_one_by_one", |b| {
        b.iter(|| {
            for c in &cards {
                std::hint::black_box(vcard_to_message(c.as_bytes(), &opts).expect("parses"));
            }
        })
    });
    let messages: Vec<_> =
        vcards_to_messages(book.as_bytes(), &big).expect("parses").into_iter().map(|c| c.message).collect();
    let render = VcardRenderOptions::default();
    g.bench_function("render_5000_contacts_v4", |b| {
        b.iter(|| {
            for m in &messages {
                std::hint::black_box(message_to_vcard(m, &render).expect("renders"));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
