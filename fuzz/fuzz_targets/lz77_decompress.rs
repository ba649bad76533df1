#![no_main]
//! [MS-XCA] 2.4 Plain LZ77 decompression of hostile input.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mapi_wire::fuzzing::lz77_decompress(data);
    mapi_wire::fuzzing::lz77_round_trip(data);
});
