//! [MS-OXCROPS] 2.2.9 stream ROPs ([MS-OXCPRPT] 3.2.5.13–3.2.5.20) over
//! binary and string property values of messages, attachments and folders.
//! String streams are UTF-16LE with the terminating NUL (capture 016:
//! PidTagBody's 44-byte stream ends `00 00`).

use mapi_wire::prop_value::PropValue;
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropType};

use super::dispatch::Ctx;
use super::objects::{Object, StreamObj};
use super::props::bag_of;
use crate::store::PropBag;

/// STG_E_ACCESSDENIED: writing a read-only stream.
const STG_E_ACCESSDENIED: ErrorCode = ErrorCode(0x8003_0005);
/// STG_E_INVALIDPOINTER: a seek before the start.
const STG_E_INVALIDPOINTER: ErrorCode = ErrorCode(0x8003_0009);
/// RopReadStream response bytes before the data (RopId, index,
/// ReturnValue, DataSize).
const READ_HEADER: usize = 8;

fn to_bytes(v: &PropValue) -> Option<Vec<u8>> {
    match v {
        PropValue::Binary(b) => Some(b.clone()),
        PropValue::String(s) => {
            let mut out = Vec::with_capacity(2 * s.len() + 2);
            for u in s.encode_utf16() {
                out.extend_from_slice(&u.to_le_bytes());
            }
            out.extend_from_slice(&[0, 0]);
            Some(out)
        }
        PropValue::String8(b) => {
            let mut out = b.clone();
            out.push(0);
            Some(out)
        }
        _ => None,
    }
}

fn from_bytes(ty: PropType, data: &[u8]) -> PropValue {
    match ty {
        PropType::STRING => {
            let units: Vec<u16> = data.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            let end = units.iter().position(|u| *u == 0).unwrap_or(units.len());
            PropValue::String(String::from_utf16_lossy(units.get(..end).unwrap_or_default()))
        }
        PropType::STRING8 => {
            let end = data.iter().position(|b| *b == 0).unwrap_or(data.len());
            PropValue::String8(data.get(..end).unwrap_or_default().to_vec())
        }
        _ => PropValue::Binary(data.to_vec()),
    }
}

fn stream_mut<'c>(ctx: &'c mut Ctx<'_>, index: u8) -> Result<&'c mut StreamObj, ErrorCode> {
    match ctx.object_mut(index)? {
        Object::Stream(s) => Ok(s),
        _ => Err(ErrorCode::NOT_SUPPORTED),
    }
}

/// RopOpenStream ([MS-OXCPRPT] 3.2.5.13): ecNotFound for a missing
/// property unless opened with Create; only binary and string properties.
pub(crate) fn open(ctx: &mut Ctx<'_>, r: &OpenStreamRequest) -> Result<u32, ErrorCode> {
    let ty = r.property_tag.prop_type();
    if ![PropType::BINARY, PropType::STRING, PropType::STRING8].contains(&ty) {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    let parent = ctx.handle(r.input_handle_index);
    let bag = bag_of(ctx, r.input_handle_index)?;
    let writable_parent = match ctx.object(r.input_handle_index)? {
        Object::Message(m) => !m.read_only,
        Object::Attachment(_) | Object::Folder(_) => true,
        _ => return Err(ErrorCode::NOT_SUPPORTED),
    };
    let mode = r.open_mode.0;
    let create = mode == StreamOpenMode::CREATE.0;
    let writable = mode != StreamOpenMode::READ_ONLY.0;
    if writable && !writable_parent {
        return Err(ErrorCode::ACCESS_DENIED);
    }
    let data = match bag.get_as(r.property_tag) {
        _ if create => Vec::new(),
        Some(v) => to_bytes(&v).ok_or(ErrorCode::NOT_SUPPORTED)?,
        None if writable => Vec::new(),
        None => return Err(ErrorCode::NOT_FOUND),
    };
    let size = u32::try_from(data.len()).map_err(|_| ErrorCode::TOO_BIG)?;
    let obj = StreamObj { parent, tag: r.property_tag, data, position: 0, writable };
    ctx.output(r.output_handle_index, Object::Stream(Box::new(obj)));
    Ok(size)
}

/// RopReadStream ([MS-OXCPRPT] 3.2.5.14): up to ByteCount (or
/// MaximumByteCount after 0xBABE) bytes that fit MaxRopOut; DataSize 0 at
/// the end (capture 016).
pub(crate) fn read(ctx: &mut Ctx<'_>, r: &ReadStreamRequest) -> Result<Vec<u8>, ErrorCode> {
    let room = ctx.room.saturating_sub(READ_HEADER).min(usize::from(u16::MAX));
    let s = stream_mut(ctx, r.input_handle_index)?;
    let want = r.maximum_byte_count.map_or(usize::from(r.byte_count), |m| m as usize).min(room);
    let start = s.position.min(s.data.len());
    let end = start.saturating_add(want).min(s.data.len());
    let out = s.data.get(start..end).unwrap_or_default().to_vec();
    s.position = end;
    Ok(out)
}

/// RopWriteStream / RopWriteAndCommitStream ([MS-OXCPRPT] 3.2.5.15).
pub(crate) fn write(ctx: &mut Ctx<'_>, index: u8, data: &[u8]) -> Result<u16, ErrorCode> {
    let s = stream_mut(ctx, index)?;
    if !s.writable {
        return Err(STG_E_ACCESSDENIED);
    }
    let end = s.position.saturating_add(data.len());
    if s.data.len() < end {
        s.data.resize(end, 0);
    }
    if let Some(dst) = s.data.get_mut(s.position..end) {
        dst.copy_from_slice(data);
    }
    s.position = end;
    u16::try_from(data.len()).map_err(|_| ErrorCode::TOO_BIG)
}

/// RopCommitStream ([MS-OXCPRPT] 3.2.5.16): the bytes become the parent's
/// property (a folder's at once, a message's or attachment's with its save).
pub(crate) fn commit(ctx: &mut Ctx<'_>, index: u8) -> Result<(), ErrorCode> {
    let (parent, tag, value) = {
        let s = stream_mut(ctx, index)?;
        if !s.writable {
            return Ok(());
        }
        (s.parent, s.tag, from_bytes(s.tag.prop_type(), &s.data))
    };
    match ctx.session.objects.get_mut(&parent) {
        Some(Object::Message(m)) => m.content.props.set(tag, value),
        Some(Object::Attachment(a)) => a.props.set(tag, value),
        Some(Object::Folder(f)) => {
            let mut bag = PropBag::new();
            bag.set(tag, value);
            f.mailbox.set_folder_props(f.id, &bag).map_err(|e| e.error_code())?;
        }
        _ => return Err(ErrorCode::NULL_OBJECT),
    }
    Ok(())
}

/// RopGetStreamSize ([MS-OXCPRPT] 3.2.5.17).
pub(crate) fn size(ctx: &mut Ctx<'_>, index: u8) -> Result<u32, ErrorCode> {
    let s = stream_mut(ctx, index)?;
    u32::try_from(s.data.len()).map_err(|_| ErrorCode::TOO_BIG)
}

/// RopSetStreamSize ([MS-OXCPRPT] 3.2.5.18): truncates or pads with zeros.
pub(crate) fn set_size(ctx: &mut Ctx<'_>, r: &SetStreamSizeRequest) -> Result<(), ErrorCode> {
    let s = stream_mut(ctx, r.input_handle_index)?;
    if !s.writable {
        return Err(STG_E_ACCESSDENIED);
    }
    // Streams live in memory: refuse sizes beyond 64 MiB.
    let n = usize::try_from(r.stream_size).ok().filter(|n| *n <= 64 << 20).ok_or(ErrorCode::TOO_BIG)?;
    s.data.resize(n, 0);
    Ok(())
}

/// RopSeekStream ([MS-OXCPRPT] 3.2.5.19): seeking past the end is allowed
/// (a later write extends the stream); before the start is an error.
pub(crate) fn seek(ctx: &mut Ctx<'_>, r: &SeekStreamRequest) -> Result<u64, ErrorCode> {
    let s = stream_mut(ctx, r.input_handle_index)?;
    let base = match r.origin {
        SeekOrigin::BEGINNING => 0i128,
        SeekOrigin::CURRENT => s.position as i128,
        SeekOrigin::END => s.data.len() as i128,
        _ => return Err(ErrorCode::INVALID_PARAMETER),
    };
    let pos = base + i128::from(r.offset);
    if !(0..=(64 << 20)).contains(&pos) {
        return Err(STG_E_INVALIDPOINTER);
    }
    s.position = pos as usize;
    Ok(pos as u64)
}
