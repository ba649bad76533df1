//! Digest §9 test vectors that cross module boundaries, checked through the
//! public API. Vectors confined to one module (TV-1..TV-6, TV-10, TV-12..TV-14)
//! are unit tests beside that module (`tv1_…`, `tv10_…`, …).

use mapi_wire::emsmdb::{ConnectFlags, ConnectRequest};
use mapi_wire::nspi::{BindFlags, BindRequest, Stat};
use mapi_wire::{Decode, Encode};

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap_or_else(|_| panic!("bad hex {b}"))).collect()
}

/// TV-15: [MS-OXCMAPIHTTP] 2.2.4.1.1 Connect request body.
#[test]
fn tv15_connect_request_body() {
    let bytes = hex("2F 6F 3D 4F 72 67 2F 63 6E 3D 75 00 00 00 00 00 E4 04 00 00 09 04 00 00 09 04 00 00 00 00 00 00");
    let req = ConnectRequest {
        user_dn: "/o=Org/cn=u".into(),
        flags: ConnectFlags(0),
        default_code_page: 1252,
        lcid_sort: 0x409,
        lcid_string: 0x409,
        auxiliary_buffer: Vec::new(),
    };
    assert_eq!(req.to_bytes().unwrap(), bytes);
    assert_eq!(ConnectRequest::decode_exact(&bytes).unwrap(), req);
}

/// TV-15: [MS-OXCMAPIHTTP] 2.2.5.1.1 NSPI Bind request body with a STAT for
/// code page 1252 (45 bytes).
#[test]
fn tv15_nspi_bind_request_body() {
    let bytes = hex("00 00 00 00 FF 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \
         00 00 00 00 00 E4 04 00 00 09 04 00 00 09 04 00 00 00 00 00 00");
    assert_eq!(bytes.len(), 45);
    let req = BindRequest { flags: BindFlags(0), state: Some(Stat::new(1252)), auxiliary_buffer: Vec::new() };
    assert_eq!(req.to_bytes().unwrap(), bytes);
    assert_eq!(BindRequest::decode_exact(&bytes).unwrap(), req);
}
