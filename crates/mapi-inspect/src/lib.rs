//! `mapi-inspect`: decodes a MAPI over HTTP body — request or response, as
//! sent or as recorded after de-chunking — down to ROPs and property values.
//!
//! Layers undone, outermost first: the response meta-tag framing
//! ([MS-OXCMAPIHTTP] 2.2.7), the request/response body (2.2.4, 2.2.5), the
//! RPC_HEADER_EXT chain with XorMagic and LZ77 ([MS-OXCRPC] 2.2.2,
//! [MS-XCA] 2.4), the ROP buffers ([MS-OXCROPS] 2.2.1) and the auxiliary
//! blocks ([MS-OXCRPC] 2.2.2.2). A response's ROPs are decoded against the
//! matching request when it is given (RopQueryRows needs the columns set
//! earlier), otherwise on their own.

use mapi_wire::aux::{AuxBlock, decode_aux_buffer};
use mapi_wire::emsmdb::{self, ExecuteRequest, ExecuteResponse, MapiResponse};
use mapi_wire::http::{FrameEvent, RequestKind, RequestType, ResponseFramer, ServerDialect};
use mapi_wire::nspi;
use mapi_wire::recipient::RecipientRow;
use mapi_wire::rop::{ExecuteContext, MessageInfo, RecipientType, RopRequestBuffer, RopResponse, RopResponseBuffer};
use mapi_wire::rpc_ext::{ChainLimits, decode_chain};
use mapi_wire::{Decode, DecodeError, PropTag};
use serde::Serialize;
use serde_json::{Value, json};

/// Why a body could not be inspected.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The bytes are not a body of the given (or any guessed) type.
    #[error("not a valid {kind} {direction}: {source}")]
    Decode {
        /// The request type tried.
        kind: String,
        /// "request" or "response".
        direction: &'static str,
        /// The decoder's complaint, with the offset.
        source: DecodeError,
    },
    /// No request type decodes the bytes; pass `--type`.
    #[error("could not recognise the body as any MAPI/HTTP {0}; pass --type")]
    Unrecognised(&'static str),
    /// The request type name is not one of [MS-OXCMAPIHTTP] 2.2.2.1's.
    #[error("unknown request type {0:?}")]
    UnknownType(String),
    /// The response framing is malformed.
    #[error("response framing: {0}")]
    Framing(DecodeError),
    /// A decoded value could not be turned into JSON.
    #[error("serialising: {0}")]
    Json(#[from] serde_json::Error),
}

/// Which side of the exchange a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A request body, as the client sends it.
    Request,
    /// A response body, with or without the PROCESSING/DONE meta-tag block.
    Response,
}

/// Looks a request type up by its `X-RequestType` name (case-insensitive;
/// gromox's `QueryColumn` spelling included).
pub fn request_kind(name: &str) -> Result<RequestKind, InspectError> {
    RequestKind::ALL
        .iter()
        .copied()
        .find(|k| k.wire_name().eq_ignore_ascii_case(name))
        .or_else(|| RequestType::parse(name).ok().and_then(|t| t.kind()))
        .ok_or_else(|| InspectError::UnknownType(name.to_owned()))
}

/// Guesses a request body's type: the first type whose decoder accepts every
/// byte (Execute first, then the other mailbox types, then NSPI). Small
/// bodies can be ambiguous; `--type` settles it.
pub fn guess_request_kind(body: &[u8]) -> Result<RequestKind, InspectError> {
    RequestKind::ALL
        .iter()
        .copied()
        .filter(|k| *k != RequestKind::Ping)
        .find(|k| inspect_request(*k, body).is_ok())
        .ok_or(InspectError::Unrecognised("request"))
}

/// Decodes a request body of the given type.
pub fn inspect_request(kind: RequestKind, body: &[u8]) -> Result<Value, InspectError> {
    let err = |source| InspectError::Decode { kind: kind.wire_name().into(), direction: "request", source };
    let mut out = json!({ "direction": "request", "request_type": kind.wire_name() });
    match kind {
        RequestKind::Execute => {
            let req = ExecuteRequest::decode_exact(body).map_err(err)?;
            out["body"] = without(serde_json::to_value(&req)?, &["rop_buffer", "auxiliary_buffer"]);
            let chain = decode_chain(&req.rop_buffer, &ChainLimits::default()).map_err(err)?;
            let mut exts = Vec::new();
            for ext in chain {
                // A ROP list the codec refuses (a reserved RopId, say) is
                // shown raw with the reason: that is what a server saw.
                exts.push(match RopRequestBuffer::decode_exact(&ext.payload) {
                    Ok(rops) => {
                        json!({ "header": ext.header, "rops": rops.rops, "handles": hex_handles(&rops.handles) })
                    }
                    Err(e) => json!({ "header": ext.header, "rops_error": e.to_string(), "payload": ext.payload }),
                });
            }
            out["rpc_header_ext"] = Value::Array(exts);
            out["auxiliary"] = aux_json(&req.auxiliary_buffer)?;
        }
        RequestKind::Ping => {}
        k if is_mailbox(k) => {
            let req = emsmdb::Request::decode_for(k, body).map_err(err)?;
            out["body"] = serde_json::to_value(&req)?;
        }
        k => {
            let req = nspi::Request::decode_for(k, body).map_err(err)?;
            out["body"] = serde_json::to_value(&req)?;
        }
    }
    Ok(bytes_as_hex(out))
}

/// Decodes a response file: the meta-tag framing if present, then the body
/// of the given type. `request` (the matching request body) lets Execute
/// responses decode table rows.
pub fn inspect_response(kind: RequestKind, bytes: &[u8], request: Option<&[u8]>) -> Result<Value, InspectError> {
    let (meta, body) = unframe(bytes)?;
    let err = |source| InspectError::Decode { kind: kind.wire_name().into(), direction: "response", source };
    let mut out = json!({ "direction": "response", "request_type": kind.wire_name() });
    if let Some(meta) = meta {
        out["meta"] = meta;
    }
    if body.first() == Some(&b'<') {
        // X-ResponseCode errors come as an HTML page, not a MAPI body.
        out["html"] = Value::String(String::from_utf8_lossy(&body).into_owned());
        return Ok(out);
    }
    match kind {
        RequestKind::Ping => {}
        RequestKind::Execute => {
            let resp = MapiResponse::<ExecuteResponse>::decode_exact(&body).map_err(err)?;
            out["body"] = serde_json::to_value(&resp)?;
            if let Some(c) = out["body"].get_mut("Completed") {
                *c = without(c.take(), &["rop_buffer", "auxiliary_buffer"]);
            }
            if let MapiResponse::Completed(r) = &resp {
                out["rpc_header_ext"] = execute_rops(r, request).map_err(err)?;
                out["auxiliary"] = aux_json(&r.auxiliary_buffer)?;
            }
        }
        RequestKind::Connect => out["body"] = decoded::<emsmdb::ConnectResponse>(&body, kind)?,
        RequestKind::Disconnect => out["body"] = decoded::<emsmdb::DisconnectResponse>(&body, kind)?,
        RequestKind::NotificationWait => out["body"] = decoded::<emsmdb::NotificationWaitResponse>(&body, kind)?,
        RequestKind::CompareMIds => {
            // gromox puts Result before ErrorCode (corrections B24): try the
            // spec order, then gromox's.
            let resp = nspi::CompareMIdsResponse::decode_body(&body, ServerDialect::Spec)
                .or_else(|_| nspi::CompareMIdsResponse::decode_body(&body, ServerDialect::Gromox))
                .map_err(err)?;
            out["body"] = serde_json::to_value(&resp)?;
        }
        k => out["body"] = nspi_response(k, &body)?,
    }
    Ok(bytes_as_hex(tag_rows(out)))
}

/// Drops fields that the report shows decoded elsewhere.
fn without(mut v: Value, fields: &[&str]) -> Value {
    if let Some(map) = v.as_object_mut() {
        for f in fields {
            map.remove(*f);
        }
    }
    v
}

/// Rows travel as bare values in the order of their table's columns; the
/// report pairs every value with its tag (`{"tag": …, "value": …}`, the
/// form property lists already have) wherever an object carries both its
/// `columns` and its `rows`, and for a recipient `row` given `columns`.
fn tag_rows(v: Value) -> Value {
    match v {
        Value::Object(mut map) => {
            if let Some(Value::Array(cols)) = map.get("columns").cloned() {
                if let Some(Value::Array(rows)) = map.get_mut("rows") {
                    for row in rows.iter_mut() {
                        *row = pair_row(row.take(), &cols);
                    }
                }
                if let Some(row) = map.get_mut("row") {
                    *row = pair_row(row.take(), &cols);
                }
            }
            Value::Object(map.into_iter().map(|(k, v)| (k, tag_rows(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(tag_rows).collect()),
        other => other,
    }
}

/// `{"Standard": [v…]}` / `{"Flagged": [v…]}` → `[{"tag", "value"}…]`.
fn pair_row(row: Value, cols: &[Value]) -> Value {
    let values = match &row {
        Value::Object(m) if m.len() == 1 => m.values().next().and_then(Value::as_array).cloned(),
        _ => None,
    };
    match values {
        Some(values) if values.len() == cols.len() => {
            Value::Array(cols.iter().zip(values).map(|(tag, value)| json!({ "tag": tag, "value": value })).collect())
        }
        _ => row,
    }
}

/// Raw byte strings (`Vec<u8>` fields serialise as number arrays) print as
/// spaced hex like binary property values; short arrays stay numbers since
/// they are more often small counts than bytes.
fn bytes_as_hex(v: Value) -> Value {
    match v {
        Value::Array(items) => {
            let is_bytes = items.len() >= 4 && items.iter().all(|x| x.as_u64().is_some_and(|n| n <= 0xFF));
            if is_bytes {
                let hex: Vec<String> = items.iter().filter_map(Value::as_u64).map(|b| format!("{b:02x}")).collect();
                Value::String(hex.join(" "))
            } else {
                Value::Array(items.into_iter().map(bytes_as_hex).collect())
            }
        }
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, bytes_as_hex(v))).collect()),
        other => other,
    }
}

/// Guesses a response body's type when no request is at hand.
pub fn guess_response_kind(bytes: &[u8]) -> Result<RequestKind, InspectError> {
    [RequestKind::Execute, RequestKind::Connect, RequestKind::NotificationWait, RequestKind::Disconnect]
        .into_iter()
        .chain(RequestKind::ALL.iter().copied().filter(|k| !is_mailbox(*k)))
        .find(|k| inspect_response(*k, bytes, None).is_ok_and(|v| v.get("body").is_some()))
        .ok_or(InspectError::Unrecognised("response"))
}

fn is_mailbox(k: RequestKind) -> bool {
    matches!(
        k,
        RequestKind::Connect
            | RequestKind::Execute
            | RequestKind::Disconnect
            | RequestKind::NotificationWait
            | RequestKind::Ping
    )
}

fn decoded<T: emsmdb::ResponseFields + Serialize>(body: &[u8], kind: RequestKind) -> Result<Value, InspectError> {
    let resp = MapiResponse::<T>::decode_exact(body).map_err(|source| InspectError::Decode {
        kind: kind.wire_name().into(),
        direction: "response",
        source,
    })?;
    Ok(serde_json::to_value(&resp)?)
}

fn nspi_response(kind: RequestKind, body: &[u8]) -> Result<Value, InspectError> {
    use nspi::*;
    match kind {
        RequestKind::Bind => decoded::<BindResponse>(body, kind),
        RequestKind::Unbind => decoded::<UnbindResponse>(body, kind),
        RequestKind::DnToMId => decoded::<DnToMIdResponse>(body, kind),
        RequestKind::GetMatches => decoded::<GetMatchesResponse>(body, kind),
        RequestKind::GetPropList => decoded::<GetPropListResponse>(body, kind),
        RequestKind::GetProps => decoded::<GetPropsResponse>(body, kind),
        RequestKind::GetSpecialTable => decoded::<GetSpecialTableResponse>(body, kind),
        RequestKind::GetTemplateInfo => decoded::<GetTemplateInfoResponse>(body, kind),
        RequestKind::ModLinkAtt => decoded::<ModLinkAttResponse>(body, kind),
        RequestKind::ModProps => decoded::<ModPropsResponse>(body, kind),
        RequestKind::QueryColumns => decoded::<QueryColumnsResponse>(body, kind),
        RequestKind::QueryRows => decoded::<QueryRowsResponse>(body, kind),
        RequestKind::ResolveNames => decoded::<ResolveNamesResponse>(body, kind),
        RequestKind::ResortRestriction => decoded::<ResortRestrictionResponse>(body, kind),
        RequestKind::SeekEntries => decoded::<SeekEntriesResponse>(body, kind),
        RequestKind::UpdateStat => decoded::<UpdateStatResponse>(body, kind),
        RequestKind::GetMailboxUrl => decoded::<GetMailboxUrlResponse>(body, kind),
        RequestKind::GetAddressBookUrl => decoded::<GetAddressBookUrlResponse>(body, kind),
        _ => Err(InspectError::Unrecognised("NSPI response")),
    }
}

/// Splits off the PROCESSING/PENDING/DONE block of a recorded response.
fn unframe(bytes: &[u8]) -> Result<(Option<Value>, Vec<u8>), InspectError> {
    if !(bytes.starts_with(b"PROCESSING") || bytes.starts_with(b"PENDING")) {
        return Ok((None, bytes.to_vec()));
    }
    let mut framer = ResponseFramer::new();
    let mut events = Vec::new();
    let mut body = Vec::new();
    for event in framer.push(bytes).map_err(InspectError::Framing)? {
        match event {
            FrameEvent::BodyChunk(b) | FrameEvent::NonMapiBody(b) => body.extend_from_slice(&b),
            FrameEvent::Done { headers } => {
                let h: serde_json::Map<String, Value> =
                    headers.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
                events.push(json!({ "Done": h }));
            }
            other => events.push(Value::String(format!("{other:?}"))),
        }
    }
    framer.finish().map_err(InspectError::Framing)?;
    Ok((Some(json!({ "events": events })), body))
}

fn execute_rops(resp: &ExecuteResponse, request: Option<&[u8]>) -> Result<Value, DecodeError> {
    // A request that does not decode leaves the response to be read on its own.
    let request_buffers: Vec<RopRequestBuffer> = request
        .and_then(|r| ExecuteRequest::decode_exact(r).ok())
        .and_then(|req| decode_chain(&req.rop_buffer, &ChainLimits::default()).ok())
        .and_then(|chain| {
            chain.iter().map(|ext| RopRequestBuffer::decode_exact(&ext.payload)).collect::<Result<_, _>>().ok()
        })
        .unwrap_or_default();
    let mut exts = Vec::new();
    let mut recipient_columns = Vec::new();
    for (i, ext) in decode_chain(&resp.rop_buffer, &ChainLimits::default())?.into_iter().enumerate() {
        // A chained response repeats the request's last ROP (corrections B6):
        // later payloads answer a buffer holding only that ROP.
        let repeated;
        let req = match request_buffers.first() {
            Some(first) if i == 0 => Some(first),
            Some(first) => {
                repeated = RopRequestBuffer {
                    rops: first.rops.last().cloned().into_iter().collect(),
                    handles: first.handles.clone(),
                };
                Some(&repeated)
            }
            None => None,
        };
        let rops = match req {
            Some(req) => RopResponseBuffer::decode_with(&ext.payload, &ExecuteContext::new(req))?,
            None => RopResponseBuffer::decode_standalone(&ext.payload)?,
        };
        exts.push(json!({
            "header": ext.header,
            "payload_len": ext.payload.len(),
            "rops": with_recipients(&rops.rops, &mut recipient_columns),
            "handles": hex_handles(&rops.handles),
        }));
    }
    Ok(Value::Array(exts))
}

/// The ROP responses as JSON, with recipient rows decoded in the recipient
/// columns the message announced (they travel as bytes until then).
fn with_recipients(rops: &[RopResponse], columns: &mut Vec<PropTag>) -> Value {
    let to_json = |v: &dyn erased::Json| v.json();
    Value::Array(
        rops.iter()
            .map(|rop| {
                let mut v = to_json(rop);
                let decoded = match rop {
                    RopResponse::OpenMessage(r) => r.success.as_ref().map(|i| info_recipients(i, columns)),
                    RopResponse::ReloadCachedInformation(r) => r.success.as_ref().map(|i| info_recipients(i, columns)),
                    RopResponse::OpenEmbeddedMessage(r) => {
                        r.success.as_ref().map(|s| info_recipients(&s.info, columns))
                    }
                    RopResponse::ReadRecipients(r) => r.success.as_ref().map(|s| {
                        let rows: Result<Vec<_>, _> = s
                            .rows
                            .0
                            .iter()
                            .map(|row| row.row.parse(columns).map(|p| (Some(row.row_id), row.recipient_type, p)))
                            .collect();
                        match rows {
                            Ok(rows) => recipients_json(rows.iter().map(|(i, t, r)| (*i, *t, r.as_ref())), columns),
                            Err(e) => json!({ "undecodable": e.to_string() }),
                        }
                    }),
                    _ => None,
                };
                if let (Some(d), Some(obj)) = (decoded, v.as_object_mut().and_then(|o| o.values_mut().next())) {
                    obj["recipients_decoded"] = d;
                }
                v
            })
            .collect(),
    )
}

fn info_recipients(info: &MessageInfo, columns: &mut Vec<PropTag>) -> Value {
    columns.clone_from(&info.recipient_columns);
    match info.recipients() {
        Ok(rows) => recipients_json(rows.iter().map(|(t, r)| (None, *t, Some(r))), columns),
        Err(e) => json!({ "undecodable": e.to_string() }),
    }
}

fn recipients_json<'r>(
    rows: impl Iterator<Item = (Option<u32>, RecipientType, Option<&'r RecipientRow>)>,
    columns: &[PropTag],
) -> Value {
    let cols: Vec<Value> = columns.iter().map(|c| serde_json::to_value(c).unwrap_or(Value::Null)).collect();
    Value::Array(
        rows.map(|(row_id, recipient_type, row)| {
            let mut v = json!({ "row_id": row_id, "recipient_type": recipient_type });
            if let Some(row) = row {
                let mut r = serde_json::to_value(row).unwrap_or(Value::Null);
                if let Some(values) = r.get_mut("row") {
                    *values = pair_row(values.take(), &cols);
                }
                v["recipient"] = r;
            }
            v
        })
        .collect(),
    )
}

/// Object-safe serialisation to a JSON value (a serialisation error becomes
/// a note in the report rather than losing the rest).
mod erased {
    pub(super) trait Json {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or_else(|e| serde_json::json!({ "unserialisable": e.to_string() }))
        }
    }
}

fn aux_json(bytes: &[u8]) -> Result<Value, InspectError> {
    if bytes.is_empty() {
        return Ok(Value::Array(Vec::new()));
    }
    let blocks: Vec<AuxBlock> = match decode_aux_buffer(bytes, &ChainLimits::default()) {
        Ok(b) => b,
        Err(e) => return Ok(json!({ "undecodable": e.to_string() })),
    };
    let mut out = Vec::new();
    for b in &blocks {
        let data = match b.data() {
            Ok(d) => serde_json::to_value(d)?,
            Err(e) => json!({ "undecodable": e.to_string() }),
        };
        out.push(json!({ "version": b.version, "type": b.kind, "data": data }));
    }
    Ok(Value::Array(out))
}

fn hex_handles(handles: &[u32]) -> Vec<String> {
    handles.iter().map(|h| format!("0x{h:08X}")).collect()
}

/// Renders a report as an indented tree for people (the `--json` output is
/// the same data as JSON).
pub fn render_tree(v: &Value) -> String {
    let mut out = String::new();
    tree(v, 0, &mut out);
    out
}

fn tree(v: &Value, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                if is_leaf(val) {
                    out.push_str(&format!("{pad}{k}: {}\n", leaf(val)));
                } else {
                    out.push_str(&format!("{pad}{k}:\n"));
                    tree(val, depth + 1, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, val) in items.iter().enumerate() {
                if is_leaf(val) {
                    out.push_str(&format!("{pad}[{i}] {}\n", leaf(val)));
                } else {
                    out.push_str(&format!("{pad}[{i}]\n"));
                    tree(val, depth + 1, out);
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", leaf(other))),
    }
}

fn is_leaf(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty() || (a.len() <= 16 && a.iter().all(|x| x.is_number())),
        _ => true,
    }
}

fn leaf(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
