#![no_main]
//! MS-OXCMAIL MIME → MAPI on hostile input, then back to MIME deterministically.
libfuzzer_sys::fuzz_target!(|data: &[u8]| convert::fuzzing::fuzz_mime_round_trip(data));
