#![no_main]
//! [MS-OXRTFCP] compressed RTF and [MS-OXRTFEX] de-encapsulation of hostile input.
libfuzzer_sys::fuzz_target!(|data: &[u8]| convert::fuzzing::fuzz_rtf(data));
