//! iCalendar ⇄ MAPI throughput of a typical meeting: a weekly series in
//! Europe/Berlin with organizer, four attendees, a reminder, an EXDATE and a
//! moved occurrence (RECURRENCE-ID override), as CalDAV clients PUT them.
//! `from_ical` = parse + map to a MAPI message; `to_ical` = the reverse;
//! `occurrences` = one month's expansion of the series.
#![allow(missing_docs)]

use convert::ical::{ExportOptions, ImportOptions, from_ical, occurrences, to_ical};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mapi_wire::prop_value::FileTime;

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bench//EN\r\n\
BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\n\
TZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:bench-weekly-7f3c2a10@example.test\r\nDTSTAMP:20261120T090000Z\r\n\
CREATED:20261120T085500Z\r\nLAST-MODIFIED:20261120T090000Z\r\nSUMMARY:Weekly architecture sync\r\n\
DESCRIPTION:Agenda:\\n1. gateway status\\n2. calendar mapping\\n3. open issues\r\nLOCATION:Room Zeppelin\r\n\
DTSTART;TZID=Europe/Berlin:20261203T150000\r\nDTEND;TZID=Europe/Berlin:20261203T160000\r\n\
RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=20\r\nEXDATE;TZID=Europe/Berlin:20261224T150000\r\n\
ORGANIZER;CN=Alice Example:mailto:alice@example.org\r\n\
ATTENDEE;CN=Bob;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:bob@example.org\r\n\
ATTENDEE;CN=Carol;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:carol@example.org\r\n\
ATTENDEE;CN=Dan;ROLE=OPT-PARTICIPANT;PARTSTAT=TENTATIVE:mailto:dan@example.org\r\n\
ATTENDEE;CN=Room;CUTYPE=RESOURCE;ROLE=NON-PARTICIPANT:mailto:room@example.org\r\n\
SEQUENCE:3\r\nCATEGORIES:Work,Architecture\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\n\
TRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:bench-weekly-7f3c2a10@example.test\r\n\
DTSTAMP:20261120T090000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261210T150000\r\nSUMMARY:Weekly architecture sync (moved)\r\n\
DTSTART;TZID=Europe/Berlin:20261211T110000\r\nDTEND;TZID=Europe/Berlin:20261211T120000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn bench(c: &mut Criterion) {
    let opts = ImportOptions::default();
    let msg = from_ical(EVENT.as_bytes(), &opts).expect("bench event parses").objects.remove(0);
    let out = to_ical(&[&msg], &ExportOptions::default()).expect("renders");
    let mut g = c.benchmark_group("ical");
    g.throughput(Throughput::Elements(1));
    g.bench_function("from_ical_event", |b| b.iter(|| from_ical(EVENT.as_bytes(), &opts).expect("parses")));
    g.bench_function("to_ical_event", |b| b.iter(|| to_ical(&[&msg], &ExportOptions::default()).expect("renders")));
    let (from, to) = (FileTime(13_445_000_000 * 10_000_000), FileTime(13_447_600_000 * 10_000_000));
    g.bench_function("occurrences_month", |b| b.iter(|| occurrences(&msg, from, to, 1000)));
    g.finish();
    println!("event: {} bytes in, {} bytes out", EVENT.len(), out.len());
}

criterion_group!(benches, bench);
criterion_main!(benches);
