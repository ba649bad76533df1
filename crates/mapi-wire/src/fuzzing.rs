//! Entry points shared by the fuzz targets in `fuzz/` and by the corpus
//! replay test, so CI runs every saved fuzz input through exactly the code
//! the fuzzer exercised.
//!
//! Each function must never panic on any input except where it asserts an
//! invariant (a round trip) — a panic there is a bug the fuzzer found.

use crate::lz77;

/// [MS-XCA] 2.4 decompressor: the first two bytes are the expected size
/// (`SizeActual`), the rest the compressed stream. The output never exceeds
/// the expected size.
pub fn lz77_decompress(data: &[u8]) {
    let Some((size, stream)) = data.split_first_chunk::<2>() else { return };
    let expected = u16::from_le_bytes(*size) as usize;
    if let Ok(out) = lz77::decompress(stream, expected) {
        assert_eq!(out.len(), expected);
    }
}

/// [MS-XCA] 2.3 compressor: everything compressed must decompress to itself.
pub fn lz77_round_trip(data: &[u8]) {
    let packed = lz77::compress(data);
    let unpacked = lz77::decompress(&packed, data.len());
    assert_eq!(unpacked.as_deref(), Ok(data));
}

/// [MS-OXCFXICS] 2.2.4 FastTransfer reader: the first byte picks a chunk size,
/// the rest is the stream, fed in pieces as RopFastTransferSourceGetBuffer
/// would deliver it. Chunked and whole reads must agree.
pub fn fx_reader(data: &[u8]) {
    use crate::fx::{FxReader, read_stream};
    let Some((&step, stream)) = data.split_first() else { return };
    let step = usize::from(step).max(1);
    let mut reader = FxReader::new();
    let mut chunked = Vec::new();
    let mut failed = false;
    'feed: for chunk in stream.chunks(step) {
        reader.push(chunk);
        loop {
            match reader.next_at() {
                Ok(Some(element)) => chunked.push(element),
                Ok(None) => break,
                Err(_) => {
                    failed = true;
                    break 'feed;
                }
            }
        }
    }
    let failed = failed || reader.finish().is_err();
    match read_stream(stream) {
        Ok(whole) => {
            assert!(!failed, "chunked read failed where a whole read succeeded");
            // Debug, not PartialEq: a NaN value is equal to itself here.
            assert_eq!(format!("{whole:?}"), format!("{chunked:?}"));
        }
        Err(_) => assert!(failed, "chunked read succeeded where a whole read failed"),
    }
    let _ = crate::fx::ContentsSync::parse(stream);
    let _ = crate::fx::HierarchySync::parse(stream);
}

/// [MS-OXCDATA] 2.12 restrictions: the first byte picks the context; whatever
/// decodes must re-encode to bytes that decode to the same restriction.
pub fn restriction(data: &[u8]) {
    use crate::prop_value::PropContext;
    use crate::restriction::Restriction;
    let Some((&which, bytes)) = data.split_first() else { return };
    let ctx = match which % 4 {
        0 => PropContext::Rop,
        1 => PropContext::AddressBook,
        2 => PropContext::ExtendedRule,
        _ => PropContext::FastTransfer,
    };
    let mut r = crate::Reader::new(bytes);
    if let Ok(res) = Restriction::decode_with(&mut r, ctx) {
        let mut w = Vec::new();
        if res.encode_with(&mut w, ctx).is_ok() {
            // Compare bytes, not values: NaN operands are not equal to themselves.
            let again = Restriction::decode_with(&mut crate::Reader::new(&w), ctx).map(|a| {
                let mut w2 = Vec::new();
                a.encode_with(&mut w2, ctx).map(|()| w2)
            });
            assert_eq!(again, Ok(Ok(w)));
        }
    }
}

/// [MS-OXCFXICS] 2.2.2.4 IDSETs in both forms: decoded sets re-encode to a
/// set-equal form.
pub fn idset(data: &[u8]) {
    use crate::idset::{IdSet, ReplForm};
    let Some((&which, bytes)) = data.split_first() else { return };
    let form = if which & 1 == 0 { ReplForm::ReplId } else { ReplForm::ReplGuid };
    if let Ok(set) = IdSet::decode(bytes, form)
        && let Ok(again) = set.to_bytes()
    {
        assert_eq!(IdSet::decode(&again, form).as_ref(), Ok(&set));
    }
}

/// [MS-OXCMAPIHTTP] 2.2.7 response framing: the first byte picks a chunk size;
/// feeding the body in those chunks must give the same outcome (events with
/// body chunks joined) as feeding it whole.
pub fn response_framer(data: &[u8]) {
    use crate::http::{FrameEvent, ResponseFramer};
    fn run<'a>(chunks: impl Iterator<Item = &'a [u8]>) -> Result<(Vec<String>, Vec<u8>), ()> {
        let mut framer = ResponseFramer::new();
        let (mut events, mut body) = (Vec::new(), Vec::new());
        for chunk in chunks {
            for event in framer.push(chunk).map_err(|_| ())? {
                match event {
                    FrameEvent::BodyChunk(b) | FrameEvent::NonMapiBody(b) => body.extend_from_slice(&b),
                    other => events.push(format!("{other:?}")),
                }
            }
        }
        framer.finish().map_err(|_| ())?;
        Ok((events, body))
    }
    let Some((&step, stream)) = data.split_first() else { return };
    let step = usize::from(step).max(1);
    let whole = run(std::iter::once(stream));
    let chunked = run(stream.chunks(step));
    assert_eq!(whole, chunked);
}

/// Server side of [MS-OXCMAPIHTTP] 2.2.4.2 Execute: request body →
/// RPC_HEADER_EXT chain → ROP request buffers. Whatever decodes re-encodes to
/// bytes that decode to the same bytes again.
pub fn execute_request(data: &[u8]) {
    use crate::emsmdb::ExecuteRequest;
    use crate::rop::RopRequestBuffer;
    use crate::rpc_ext::{ChainLimits, decode_chain};
    use crate::{Decode, Encode};
    let Ok(req) = ExecuteRequest::decode_exact(data) else { return };
    let Ok(chain) = decode_chain(&req.rop_buffer, &ChainLimits::default()) else { return };
    for ext in chain {
        if let Ok(buf) = RopRequestBuffer::decode_exact(&ext.payload)
            && let Ok(bytes) = buf.to_bytes()
        {
            let again = RopRequestBuffer::decode_exact(&bytes).map(|b| b.to_bytes());
            assert_eq!(again, Ok(Ok(bytes)), "request buffer does not round-trip");
        }
    }
}

/// Client side of Execute: `u16` length + a ROP request buffer (the context a
/// client has), then a response body. The response is decoded against that
/// request and on its own; whatever decodes re-encodes stably.
pub fn execute_response(data: &[u8]) {
    use crate::emsmdb::{ExecuteResponse, MapiResponse};
    use crate::rop::{ExecuteContext, RopRequestBuffer, RopResponseBuffer};
    use crate::rpc_ext::{ChainLimits, decode_chain};
    use crate::{Decode, Encode};
    let Some((len, rest)) = data.split_first_chunk::<2>() else { return };
    let len = usize::from(u16::from_le_bytes(*len)).min(rest.len());
    let (request, body) = rest.split_at(len);
    let request = RopRequestBuffer::decode_exact(request).unwrap_or_default();
    let Ok(MapiResponse::Completed(resp)) = MapiResponse::<ExecuteResponse>::decode_exact(body) else { return };
    let Ok(chain) = decode_chain(&resp.rop_buffer, &ChainLimits::default()) else { return };
    let ctx = ExecuteContext::new(&request);
    for ext in chain {
        let _ = RopResponseBuffer::decode_standalone(&ext.payload);
        if let Ok(buf) = RopResponseBuffer::decode_with(&ext.payload, &ctx)
            && let Ok(bytes) = buf.to_bytes()
        {
            let again = RopResponseBuffer::decode_with(&bytes, &ctx).map(|b| b.to_bytes());
            assert_eq!(again, Ok(Ok(bytes)), "response buffer does not round-trip");
        }
    }
}
