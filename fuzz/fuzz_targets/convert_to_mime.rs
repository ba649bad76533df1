#![no_main]
//! Arbitrary MAPI property bags rendered to MIME (MS-OXCMAIL): never a panic,
//! always the same bytes twice.
libfuzzer_sys::fuzz_target!(|data: &[u8]| convert::fuzzing::fuzz_to_mime(data));
