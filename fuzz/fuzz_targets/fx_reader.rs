#![no_main]
//! [MS-OXCFXICS] 2.2.4 FastTransfer streams fed in arbitrary pieces.
libfuzzer_sys::fuzz_target!(|data: &[u8]| mapi_wire::fuzzing::fx_reader(data));
