#![no_main]
//! MS-OXCICAL iCalendar → MAPI on hostile input, then MAPI → iCalendar
//! deterministically, re-parsed, and every series expanded.
libfuzzer_sys::fuzz_target!(|data: &[u8]| convert::fuzzing::fuzz_ical(data));
