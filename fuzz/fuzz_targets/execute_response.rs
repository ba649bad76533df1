#![no_main]
//! [MS-OXCMAPIHTTP] 2.2.4.2 Execute response bodies as a client receives them.
libfuzzer_sys::fuzz_target!(|data: &[u8]| mapi_wire::fuzzing::execute_response(data));
