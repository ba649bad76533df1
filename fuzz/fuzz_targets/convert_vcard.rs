#![no_main]
//! vCard (MS-OXVCARD) ↔ MAPI on hostile input: parse, render 3.0 and 4.0,
//! and parse our own output again; contact/list property bags from bytes too.
libfuzzer_sys::fuzz_target!(|data: &[u8]| convert::vcard::fuzzing::fuzz_vcard(data));
