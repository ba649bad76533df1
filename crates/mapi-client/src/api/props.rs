//! [MS-OXCPRPT] properties of messages: RopGetPropertiesAll/Specific in the same Execute
//! as RopOpenMessage (captures 014, 015); values too large for the ROP buffer
//! (ecNotEnoughMemory, [MS-OXCPRPT] 3.2.5.1) read with RopOpenStream + RopReadStream
//! (capture 016); named-property ids with a per-store cache (captures 023, 024).

use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::named::PropertyName;
use mapi_wire::prop_value::{PropValue, PropertyRow, TaggedValue};
use mapi_wire::rop::{
    GetPropertiesAllRequest, GetPropertiesSpecificRequest, GetPropertyIdsFromNamesRequest, MessageOpenModeFlags,
    OpenAttachmentFlags, OpenAttachmentRequest, OpenEmbeddedMessageRequest, OpenStreamRequest, ReadStreamRequest,
    RopId, RopRequest, RopResponse, SeekOrigin, SeekStreamRequest, StreamOpenMode,
};
use mapi_wire::{ErrorCode, PropTag, PropType};

use super::bulk::release;
use super::exec::check;
use super::message::open_message;
use super::store::{Mailbox, Repeat};
use super::{Error, Result};

/// How often a stream read opens its object (the first time and after lost contexts).
const MAX_STREAM_OPENS: usize = 4;

/// The most a stream read reserves ahead on the strength of the announced size.
const MAX_STREAM_RESERVE: usize = 64 * 1024 * 1024;

/// Appends a RopReadStream answer's data; `true` at the end of the stream (DataSize 0,
/// corrections B16).
fn take_read(r: &RopResponse, out: &mut Vec<u8>) -> Result<bool> {
    match r {
        RopResponse::ReadStream(r) => {
            let data = r.data.as_ref().ok_or(Error::Rop { rop: RopId::READ_STREAM, code: r.return_value })?;
            out.extend_from_slice(data);
            Ok(data.is_empty())
        }
        other => Err(Error::Protocol(format!("expected RopReadStream, got {}", other.id()))),
    }
}

/// ReadStream ByteCount sentinel announcing a 32-bit MaximumByteCount ([MS-OXCROPS] 2.2.9.2.1).
const BABE: u16 = 0xBABE;

/// The type a property id usually has, for values that came back as errors from
/// RopGetPropertiesAll (their tag then carries PtypErrorCode).
fn streamable_type(id: u16) -> PropType {
    match id {
        // PidTagBody, PidTagTransportMessageHeaders, PidTagSubject.
        0x1000 | 0x007D | 0x0037 => PropType::STRING,
        // PidTagHtml (binary, corrections A19), PidTagRtfCompressed, attachment data…
        _ => PropType::BINARY,
    }
}

fn is_too_big(v: &TaggedValue) -> bool {
    matches!(v.value, PropValue::Error(ErrorCode::NOT_ENOUGH_MEMORY))
}

/// Turns stream bytes into a value of `tag`'s type (UTF-16LE for strings).
fn stream_value(tag: PropTag, bytes: Vec<u8>) -> PropValue {
    if tag.prop_type() == PropType::STRING {
        let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        let mut s = String::from_utf16_lossy(&units);
        while s.ends_with('\0') {
            s.pop();
        }
        PropValue::String(s)
    } else {
        PropValue::Binary(bytes)
    }
}

/// A message, one of its attachments, or the message embedded in an attachment
/// ([MS-OXCMSG] 2.2.3.12, 2.2.3.16), opened from the logon in one Execute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectPath {
    /// A message.
    Message {
        /// Its folder.
        folder: FolderId,
        /// Its id.
        mid: MessageId,
    },
    /// Attachment `num` (PidTagAttachNumber) of a message.
    Attachment {
        /// The message's folder.
        folder: FolderId,
        /// The message.
        mid: MessageId,
        /// PidTagAttachNumber.
        num: u32,
    },
    /// The message embedded in attachment `num` (PidTagAttachMethod afEmbeddedMessage).
    Embedded {
        /// The message's folder.
        folder: FolderId,
        /// The message.
        mid: MessageId,
        /// PidTagAttachNumber.
        num: u32,
    },
}

impl ObjectPath {
    /// The ROPs that open the object (slots 1.., read-only) and the slot it ends in.
    pub(crate) fn open_rops(self) -> (Vec<RopRequest>, u8) {
        match self {
            Self::Message { folder, mid } => (vec![open_message(1, folder, mid)], 1),
            Self::Attachment { folder, mid, num } => (vec![open_message(1, folder, mid), open_attachment(num)], 2),
            Self::Embedded { folder, mid, num } => (
                vec![
                    open_message(1, folder, mid),
                    open_attachment(num),
                    RopRequest::OpenEmbeddedMessage(OpenEmbeddedMessageRequest {
                        logon_id: 0,
                        input_handle_index: 2,
                        output_handle_index: 3,
                        code_page_id: super::message::CODE_PAGE_LOGON,
                        open_mode_flags: MessageOpenModeFlags::READ_ONLY,
                    }),
                ],
                3,
            ),
        }
    }

    /// Releases of the opened slots, innermost first.
    pub(crate) fn release_rops(self, extra: Option<u8>) -> Vec<RopRequest> {
        let (_, top) = self.open_rops();
        let mut out: Vec<RopRequest> = extra.into_iter().map(release).collect();
        out.extend((1..=top).rev().map(release));
        out
    }
}

fn open_attachment(num: u32) -> RopRequest {
    RopRequest::OpenAttachment(OpenAttachmentRequest {
        logon_id: 0,
        input_handle_index: 1,
        output_handle_index: 2,
        flags: OpenAttachmentFlags::READ_ONLY,
        attachment_id: num,
    })
}

impl Mailbox {
    /// The properties of a message: `tags` None = RopGetPropertiesAll (capture 014),
    /// else RopGetPropertiesSpecific (capture 015), in the same Execute as
    /// RopOpenMessage. Values the server could not fit (ecNotEnoughMemory) are read
    /// through streams and replaced by their full value.
    pub async fn message_properties(
        &self,
        folder: FolderId,
        mid: MessageId,
        tags: Option<&[PropTag]>,
    ) -> Result<Vec<TaggedValue>> {
        self.properties(ObjectPath::Message { folder, mid }, tags).await
    }

    /// The properties of a message, attachment (capture 019's OpenAttachment +
    /// GetPropertiesAll) or embedded message, opened and released in the same Execute;
    /// too-large values streamed.
    pub async fn properties(&self, path: ObjectPath, tags: Option<&[PropTag]>) -> Result<Vec<TaggedValue>> {
        let limit = self.options.property_size_limit;
        let (open, slot) = path.open_rops();
        let n = open.len();
        let a = self
            .run(Repeat::Idempotent, usize::from(slot) + 1, |_| {
                let mut rops = open.clone();
                rops.push(match tags {
                    None => RopRequest::GetPropertiesAll(GetPropertiesAllRequest {
                        logon_id: 0,
                        input_handle_index: slot,
                        property_size_limit: limit,
                        want_unicode: 1,
                    }),
                    Some(t) => RopRequest::GetPropertiesSpecific(GetPropertiesSpecificRequest {
                        logon_id: 0,
                        input_handle_index: slot,
                        property_size_limit: limit,
                        want_unicode: 1,
                        property_tags: t.to_vec(),
                    }),
                });
                rops.extend(path.release_rops(None));
                rops
            })
            .await?;
        for i in 0..n {
            check(a.at(i)?)?;
        }
        let mut values = match a.at(n)? {
            RopResponse::GetPropertiesAll(r) => {
                r.values.clone().ok_or(Error::Rop { rop: RopId::GET_PROPERTIES_ALL, code: r.return_value })?
            }
            RopResponse::GetPropertiesSpecific(r) => {
                let row =
                    r.row.as_ref().ok_or(Error::Rop { rop: RopId::GET_PROPERTIES_SPECIFIC, code: r.return_value })?;
                row_values(&r.columns, row)
            }
            other => return Err(Error::Protocol(format!("expected properties, got {}", other.id()))),
        };
        for v in &mut values {
            if is_too_big(v) {
                let tag = match tags.and_then(|t| t.iter().find(|x| x.id() == v.tag.id())) {
                    Some(t) => *t,
                    None => PropTag::new(v.tag.id(), streamable_type(v.tag.id())),
                };
                let bytes = self.read_object_stream(path, tag).await?;
                *v = TaggedValue { tag, value: stream_value(tag, bytes) };
            }
        }
        Ok(values)
    }

    /// Reads a property of a message through a stream: RopOpenMessage, RopOpenStream and
    /// RopReadStream (0xBABE + MaximumByteCount) in one Execute (capture 016's form); longer
    /// values continue with RopReadStream on the stream kept open, then the objects are
    /// released. A lost context re-opens them and continues with RopSeekStream.
    pub async fn read_stream(&self, folder: FolderId, mid: MessageId, tag: PropTag) -> Result<Vec<u8>> {
        self.read_object_stream(ObjectPath::Message { folder, mid }, tag).await
    }

    /// [`Mailbox::read_stream`] on a message, attachment (e.g. PidTagAttachDataBinary,
    /// capture 019) or embedded message.
    pub async fn read_object_stream(&self, path: ObjectPath, tag: PropTag) -> Result<Vec<u8>> {
        let chunk = self.options.stream_chunk;
        let (open, slot) = path.open_rops();
        let n = open.len();
        let stream = slot + 1;
        let read = move || {
            RopRequest::ReadStream(ReadStreamRequest {
                logon_id: 0,
                input_handle_index: stream,
                byte_count: BABE,
                maximum_byte_count: Some(chunk),
            })
        };
        let mut out: Vec<u8> = Vec::new();
        // The stream stays open between chunks: opening the object again for every chunk
        // makes the server load the whole value each time, quadratic in its size (a
        // 25 MB attachment took 30 s against exchange-sim in a debug build).
        for _ in 0..MAX_STREAM_OPENS {
            let offset = out.len();
            let a = self
                .run(Repeat::Idempotent, usize::from(stream) + 1, |_| {
                    let mut rops = open.clone();
                    rops.push(RopRequest::OpenStream(OpenStreamRequest {
                        logon_id: 0,
                        input_handle_index: slot,
                        output_handle_index: stream,
                        property_tag: tag,
                        open_mode: StreamOpenMode::READ_ONLY,
                    }));
                    if offset > 0 {
                        rops.push(RopRequest::SeekStream(SeekStreamRequest {
                            logon_id: 0,
                            input_handle_index: stream,
                            origin: SeekOrigin::BEGINNING,
                            offset: i64::try_from(offset).unwrap_or(i64::MAX),
                        }));
                    }
                    rops.push(read());
                    rops
                })
                .await?;
            // What opened is released whatever happens next.
            let handles: Vec<u32> = (1..=stream).map(|s| a.handle(s).unwrap_or(u32::MAX)).collect();
            let generation = a.generation;
            let outcome = self.continue_stream(&a, n, offset, &handles, generation, read, &mut out).await;
            {
                let mut inner = self.inner.lock().await;
                if inner.generation == generation {
                    inner.pending_release.extend(handles.iter().rev().filter(|h| **h != u32::MAX));
                }
            }
            match outcome {
                Ok(true) => return Ok(out),
                Ok(false) => tracing::info!(offset = out.len(), "context lost during a stream read; reopening"),
                Err(e) => return Err(e),
            }
        }
        Err(Error::Protocol("context kept being lost during a stream read".into()))
    }

    /// The rest of [`Mailbox::read_object_stream`] after the opening Execute `a`:
    /// `Ok(true)` once the stream is read, `Ok(false)` when the context was lost.
    #[allow(clippy::too_many_arguments)]
    async fn continue_stream(
        &self,
        a: &super::exec::Answers,
        n: usize,
        offset: usize,
        handles: &[u32],
        generation: u64,
        read: impl Fn() -> RopRequest,
        out: &mut Vec<u8>,
    ) -> Result<bool> {
        for i in 0..n {
            check(a.at(i)?)?;
        }
        let size = match a.at(n)? {
            RopResponse::OpenStream(s) => {
                s.stream_size.ok_or(Error::Rop { rop: RopId::OPEN_STREAM, code: s.return_value })?
            }
            other => return Err(Error::Protocol(format!("expected RopOpenStream, got {}", other.id()))),
        };
        let total = usize::try_from(size).unwrap_or(usize::MAX);
        // The announced size is the server's word: reserve, but not without bound.
        out.reserve(total.saturating_sub(out.len()).min(MAX_STREAM_RESERVE));
        let read_at = if offset > 0 { n + 2 } else { n + 1 };
        if offset > 0 {
            check(a.at(n + 1)?)?;
        }
        let mut done = take_read(a.at(read_at)?, out)? || out.len() >= total;
        while !done {
            match self.run_handles(false, handles, vec![read()]).await {
                Ok(b) if b.generation == generation => done = take_read(b.at(0)?, out)? || out.len() >= total,
                Ok(_) | Err(Error::Transport(crate::Error::Reconnected { .. })) => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// [MS-OXCROPS] 2.2.10.1 RopGetPropertyIdsFromNames with a per-store cache: ids of
    /// `names` (0 = not mapped). `create` maps unknown names (use it when writing,
    /// capture 024); without it an unmapped name gives 0 (corrections A13, capture 023).
    pub async fn property_ids(&self, names: &[PropertyName], create: bool) -> Result<Vec<u16>> {
        let missing: Vec<PropertyName> = {
            let inner = self.inner.lock().await;
            names.iter().filter(|n| !inner.named.contains_key(*n)).cloned().collect()
        };
        if !missing.is_empty() {
            let a = self
                .run(Repeat::Idempotent, 1, |_| {
                    vec![RopRequest::GetPropertyIdsFromNames(GetPropertyIdsFromNamesRequest {
                        logon_id: 0,
                        input_handle_index: 0,
                        flags: if create { 0x02 } else { 0x00 },
                        names: missing.clone(),
                    })]
                })
                .await?;
            let ids = match a.at(0)? {
                RopResponse::GetPropertyIdsFromNames(r) => r
                    .property_ids
                    .clone()
                    .ok_or(Error::Rop { rop: RopId::GET_PROPERTY_IDS_FROM_NAMES, code: r.return_value })?,
                other => {
                    return Err(Error::Protocol(format!("expected RopGetPropertyIdsFromNames, got {}", other.id())));
                }
            };
            if ids.len() != missing.len() {
                return Err(Error::Protocol("RopGetPropertyIdsFromNames: id count differs from name count".into()));
            }
            let mut inner = self.inner.lock().await;
            for (n, id) in missing.into_iter().zip(ids) {
                if id != 0 {
                    inner.named.insert(n, id);
                }
            }
        }
        let inner = self.inner.lock().await;
        Ok(names.iter().map(|n| inner.named.get(n).copied().unwrap_or(0)).collect())
    }
}

/// The values of a GetPropertiesSpecific row as tagged values (flagged cells: missing →
/// skipped, errors → PtypErrorCode values).
pub(crate) fn row_values(columns: &[PropTag], row: &PropertyRow) -> Vec<TaggedValue> {
    let mut out = Vec::with_capacity(columns.len());
    match row {
        PropertyRow::Standard(v) => {
            for (tag, value) in columns.iter().zip(v) {
                out.push(TaggedValue { tag: *tag, value: value.clone() });
            }
        }
        PropertyRow::Flagged(v) => {
            for (tag, f) in columns.iter().zip(v) {
                match f {
                    mapi_wire::prop_value::FlaggedValue::Value(value) => {
                        out.push(TaggedValue { tag: *tag, value: value.clone() })
                    }
                    mapi_wire::prop_value::FlaggedValue::Error(e) => out.push(TaggedValue {
                        tag: PropTag::new(tag.id(), PropType::ERROR_CODE),
                        value: PropValue::Error(*e),
                    }),
                    mapi_wire::prop_value::FlaggedValue::Missing => {}
                }
            }
        }
    }
    out
}
