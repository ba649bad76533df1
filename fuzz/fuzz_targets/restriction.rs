#![no_main]
//! [MS-OXCDATA] 2.12 restrictions in every count-width context.
libfuzzer_sys::fuzz_target!(|data: &[u8]| mapi_wire::fuzzing::restriction(data));
