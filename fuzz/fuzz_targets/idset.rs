#![no_main]
//! [MS-OXCFXICS] 2.2.2.4 IDSET / GLOBSET decoding.
libfuzzer_sys::fuzz_target!(|data: &[u8]| mapi_wire::fuzzing::idset(data));
