#![no_main]
//! [MS-OXCMAPIHTTP] 2.2.7 PROCESSING/PENDING/DONE framing split anywhere.
libfuzzer_sys::fuzz_target!(|data: &[u8]| mapi_wire::fuzzing::response_framer(data));
