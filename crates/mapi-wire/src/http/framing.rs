//! [MS-OXCMAPIHTTP] 2.2.7 response meta-tags and 3.1.5.6 / 3.2.5.2 the
//! streamed response body: `PROCESSING`, `PENDING`…, `DONE`, additional
//! headers, an empty line, then the binary body.
//!
//! Observed deviations the framer accepts (digest corrections A3, B1,
//! captures 042 and 134): `PENDING` without CR LF, `PROCESSING` twice, and a
//! body that ends right after the empty line (PING, A9).

use super::headers::{ElapsedTime, ResponseCode, ResponseHeaders};
use super::{HeaderError, HttpDate};
use crate::error::{DecodeError, EncodeError};

/// Size limits of the framer ("frame before you parse, with limits at the
/// frame").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FramerLimits {
    /// Most bytes of the additional-header block after `DONE` (including
    /// line ends and the final empty line). Default 8 KiB.
    pub max_header_block: usize,
    /// Most bytes of the binary body (or of a diagnostic page). Default
    /// 16 MiB; gromox's largest possible Execute response is about 3 MiB
    /// (96 chained 32 KiB payloads).
    pub max_body: usize,
}

impl Default for FramerLimits {
    fn default() -> Self {
        Self { max_header_block: 8 * 1024, max_body: 16 * 1024 * 1024 }
    }
}

/// Something the framer recognised in the response stream.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum FrameEvent {
    /// `PROCESSING`: the server queued the request (may come more than
    /// once; capture 042).
    Processing,
    /// `PENDING`: a keep-alive (with or without CR LF; capture 134).
    Pending,
    /// A meta-tag line this codec does not know ([MS-OXCMAPIHTTP] 3.1.5.6:
    /// ignore it).
    UnknownMetaTag(String),
    /// `DONE` and its additional headers (`X-ElapsedTime`, `X-StartTime`,
    /// possibly `X-ResponseCode`), in wire order. The body follows.
    Done {
        /// The additional headers as (name, value), value trimmed.
        headers: Vec<(String, String)>,
    },
    /// Bytes of the binary body, in order. Concatenate them.
    BodyChunk(Vec<u8>),
    /// Bytes of a body that is not a MAPI/HTTP meta-tag stream: the HTML
    /// diagnostic page of an X-ResponseCode error ([MS-OXCMAPIHTTP]
    /// 2.2.3.2.2). Log it; never parse it as a MAPI body.
    NonMapiBody(Vec<u8>),
}

#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
enum State {
    /// Before `DONE`.
    MetaTags,
    /// After `DONE\r\n`; `used` counts the bytes of the header block
    /// consumed so far.
    Headers { used: usize, headers: Vec<(String, String)> },
    /// The binary body.
    Body { len: usize },
    /// A diagnostic (non-MAPI) body.
    NonMapi { len: usize },
    /// A previous error; every later call repeats it.
    Failed(DecodeError),
}

const PROCESSING: &[u8] = b"PROCESSING";
const PENDING: &[u8] = b"PENDING";
const DONE: &[u8] = b"DONE";
const MAX_META_TAG: usize = 64;

/// Incremental parser of a de-chunked MAPI/HTTP response body
/// ([MS-OXCMAPIHTTP] 2.2.7, 3.1.5.6).
///
/// Feed it the bytes in any pieces; it yields the same events whatever the
/// split (the body may come as differently sized [`FrameEvent::BodyChunk`]s).
///
/// ```
/// use mapi_wire::http::{FrameEvent, ResponseFramer};
/// let mut f = ResponseFramer::new();
/// let mut ev = f.push(b"PROCESSING\r\nDONE\r\nX-ElapsedTime: 0\r").unwrap();
/// ev.extend(f.push(b"\n\r\n\x00\x00").unwrap());
/// f.finish().unwrap();
/// assert_eq!(ev[0], FrameEvent::Processing);
/// assert_eq!(ev[1], FrameEvent::Done { headers: vec![("X-ElapsedTime".into(), "0".into())] });
/// assert_eq!(ev[2], FrameEvent::BodyChunk(vec![0, 0]));
/// ```
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ResponseFramer {
    limits: FramerLimits,
    state: State,
    /// Unconsumed bytes of an unfinished meta-tag or header line.
    buf: Vec<u8>,
    /// Stream offset of `buf[0]` (or of the next byte when `buf` is empty).
    offset: usize,
}

impl Default for ResponseFramer {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseFramer {
    /// A framer for a MAPI/HTTP body with the default limits.
    pub fn new() -> Self {
        Self::with_limits(FramerLimits::default())
    }

    /// A framer for a MAPI/HTTP body with the given limits.
    pub fn with_limits(limits: FramerLimits) -> Self {
        Self { limits, state: State::MetaTags, buf: Vec::new(), offset: 0 }
    }

    /// A framer chosen by the HTTP response headers: an X-ResponseCode
    /// error or a non-`application/mapi-http` content type makes every byte
    /// a [`FrameEvent::NonMapiBody`].
    pub fn for_response(headers: &ResponseHeaders, limits: FramerLimits) -> Self {
        let mut f = Self::with_limits(limits);
        if !headers.is_mapi_body() {
            f.state = State::NonMapi { len: 0 };
        }
        f
    }

    /// True once `DONE` and its headers were seen (the rest is body).
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Body { .. })
    }

    /// Feeds the next bytes of the de-chunked body.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<FrameEvent>, DecodeError> {
        let mut events = Vec::new();
        match self.step(chunk, &mut events) {
            Ok(()) => Ok(events),
            Err(e) => {
                self.state = State::Failed(e.clone());
                self.buf = Vec::new();
                Err(e)
            }
        }
    }

    /// Declares the end of the body. Fails if it ended before `DONE` and the
    /// empty line after its headers (for example a NotificationWait cut off
    /// while only `PENDING`s arrived, capture 134).
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        let end = self.offset + self.buf.len();
        match &self.state {
            State::Body { .. } | State::NonMapi { .. } => Ok(()),
            State::Failed(e) => Err(e.clone()),
            State::MetaTags => Err(DecodeError::Incomplete { what: "MAPI/HTTP DONE meta-tag", offset: end, needed: 1 }),
            State::Headers { .. } => {
                Err(DecodeError::Incomplete { what: "MAPI/HTTP additional headers", offset: end, needed: 2 })
            }
        }
    }

    fn step(&mut self, chunk: &[u8], out: &mut Vec<FrameEvent>) -> Result<(), DecodeError> {
        match &self.state {
            State::Failed(e) => return Err(e.clone()),
            State::Body { .. } | State::NonMapi { .. } => return self.body(chunk, out),
            State::MetaTags | State::Headers { .. } => {}
        }
        let mut buf = std::mem::take(&mut self.buf);
        buf.extend_from_slice(chunk);
        let mut pos = 0;
        loop {
            let rest = buf.get(pos..).unwrap_or_default();
            match &mut self.state {
                State::MetaTags => {
                    let (n, meta) = scan_meta(rest, self.offset)?;
                    pos += n;
                    self.offset += n;
                    match meta {
                        Meta::Tag(ev) => out.push(ev),
                        Meta::Skip => {}
                        Meta::Done => self.state = State::Headers { used: 0, headers: Vec::new() },
                        Meta::NonMapi => self.state = State::NonMapi { len: 0 },
                        Meta::NeedMore => break,
                    }
                }
                State::Headers { used, headers } => {
                    let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
                        if *used + rest.len() > self.limits.max_header_block {
                            return Err(too_large(self.offset, *used + rest.len(), self.limits));
                        }
                        break;
                    };
                    let line_len = nl + 1;
                    if *used + line_len > self.limits.max_header_block {
                        return Err(too_large(self.offset, *used + line_len, self.limits));
                    }
                    let line = strip_eol(rest.get(..line_len).unwrap_or_default());
                    if line.is_empty() {
                        out.push(FrameEvent::Done { headers: std::mem::take(headers) });
                        self.state = State::Body { len: 0 };
                    } else {
                        headers.push(parse_header_line(line, self.offset)?);
                        *used += line_len;
                    }
                    pos += line_len;
                    self.offset += line_len;
                }
                State::Body { .. } | State::NonMapi { .. } | State::Failed(_) => break,
            }
        }
        let rest = buf.get(pos..).unwrap_or_default();
        if matches!(self.state, State::Body { .. } | State::NonMapi { .. }) {
            let rest = rest.to_vec();
            return self.body(&rest, out);
        }
        self.buf = rest.to_vec();
        Ok(())
    }

    fn body(&mut self, chunk: &[u8], out: &mut Vec<FrameEvent>) -> Result<(), DecodeError> {
        if chunk.is_empty() {
            return Ok(());
        }
        let (len, what) = match &mut self.state {
            State::Body { len } => (len, "MAPI/HTTP response body"),
            State::NonMapi { len } => (len, "diagnostic response body"),
            _ => return Ok(()),
        };
        *len = add_within(*len, chunk.len(), self.limits.max_body, what, self.offset)?;
        self.offset += chunk.len();
        out.push(if matches!(self.state, State::Body { .. }) {
            FrameEvent::BodyChunk(chunk.to_vec())
        } else {
            FrameEvent::NonMapiBody(chunk.to_vec())
        });
        Ok(())
    }
}

enum Meta {
    Tag(FrameEvent),
    Done,
    NonMapi,
    Skip,
    NeedMore,
}

/// Looks at the start of `buf` (stream offset `offset`) and says how many
/// bytes form the next meta-tag element.
fn scan_meta(buf: &[u8], offset: usize) -> Result<(usize, Meta), DecodeError> {
    let Some(&first) = buf.first() else { return Ok((0, Meta::NeedMore)) };
    if first == b'\r' || first == b'\n' {
        return Ok((1, Meta::Skip));
    }
    if first == b'<' {
        // An HTML diagnostic page (X-ResponseCode error) in a body we were
        // told is MAPI: report it as such instead of failing.
        return Ok((0, Meta::NonMapi));
    }
    for (tag, ev) in [(PROCESSING, FrameEvent::Processing), (PENDING, FrameEvent::Pending)] {
        if buf.starts_with(tag) {
            // An optional CR LF follows (gromox sends bare `PENDING`).
            let after = buf.get(tag.len()..).unwrap_or_default();
            let eol = match after {
                [b'\r', b'\n', ..] => 2,
                [b'\n', ..] => 1,
                [b'\r'] => return Ok((0, Meta::NeedMore)),
                _ => 0,
            };
            return Ok((tag.len() + eol, Meta::Tag(ev)));
        }
        if tag.starts_with(buf) {
            return Ok((0, Meta::NeedMore));
        }
    }
    if buf.starts_with(DONE) {
        return match buf.get(DONE.len()..).unwrap_or_default() {
            [b'\r', b'\n', ..] => Ok((DONE.len() + 2, Meta::Done)),
            [b'\n', ..] => Ok((DONE.len() + 1, Meta::Done)),
            [] | [b'\r'] => Ok((0, Meta::NeedMore)),
            _ => Err(DecodeError::Invalid {
                what: "MAPI/HTTP DONE meta-tag",
                offset: offset + DONE.len(),
                reason: "DONE must end its line",
            }),
        };
    }
    if DONE.starts_with(buf) {
        return Ok((0, Meta::NeedMore));
    }
    // Unknown meta-tag: upper-case letters, digits, '-' and '_' up to CR LF.
    let is_tag_byte = |b: &u8| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'-' || *b == b'_';
    let name_len = buf.iter().take_while(|b| is_tag_byte(b)).count();
    if name_len > 0 && first.is_ascii_uppercase() {
        if name_len > MAX_META_TAG {
            return Err(DecodeError::TooLarge {
                what: "MAPI/HTTP meta-tag",
                offset,
                size: name_len as u64,
                limit: MAX_META_TAG as u64,
            });
        }
        match buf.get(name_len..).unwrap_or_default() {
            [] | [b'\r'] => return Ok((0, Meta::NeedMore)),
            [b'\r', b'\n', ..] | [b'\n', ..] => {
                let eol = if buf.get(name_len) == Some(&b'\r') { 2 } else { 1 };
                let name = String::from_utf8_lossy(buf.get(..name_len).unwrap_or_default()).into_owned();
                return Ok((name_len + eol, Meta::Tag(FrameEvent::UnknownMetaTag(name))));
            }
            _ => {}
        }
    }
    Err(DecodeError::Invalid {
        what: "MAPI/HTTP response meta-tag",
        offset,
        reason: "expected PROCESSING, PENDING or DONE",
    })
}

fn strip_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn parse_header_line(line: &[u8], offset: usize) -> Result<(String, String), DecodeError> {
    let bad = |reason| DecodeError::Invalid { what: "MAPI/HTTP additional header", offset, reason };
    let colon = line.iter().position(|&b| b == b':').ok_or_else(|| bad("no `:` in header line"))?;
    let (name, value) = line.split_at(colon);
    let value = value.get(1..).unwrap_or_default();
    if name.is_empty() || !name.iter().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b)) {
        return Err(bad("header name is not an HTTP token"));
    }
    if value.iter().any(|&b| b < 0x20 && b != b'\t' || b == 0x7F) {
        return Err(bad("control character in header value"));
    }
    let value = std::str::from_utf8(value).map_err(|_| bad("header value is not UTF-8"))?;
    let name = String::from_utf8_lossy(name).into_owned();
    Ok((name, value.trim_matches([' ', '\t']).to_owned()))
}

fn add_within(len: usize, more: usize, limit: usize, what: &'static str, offset: usize) -> Result<usize, DecodeError> {
    let total = len.saturating_add(more);
    if total > limit {
        return Err(DecodeError::TooLarge { what, offset, size: total as u64, limit: limit as u64 });
    }
    Ok(total)
}

fn too_large(offset: usize, size: usize, limits: FramerLimits) -> DecodeError {
    DecodeError::TooLarge {
        what: "MAPI/HTTP additional header block",
        offset,
        size: size as u64,
        limit: limits.max_header_block as u64,
    }
}

/// A whole response, collected from [`FrameEvent`]s.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FramedResponse {
    /// How many `PROCESSING` meta-tags came.
    pub processing: usize,
    /// How many `PENDING` keep-alives came.
    pub pending: usize,
    /// Unknown meta-tags, in order.
    pub unknown_meta_tags: Vec<String>,
    /// True once `DONE` and its headers were seen.
    pub done: bool,
    /// The additional headers after `DONE`.
    pub headers: Vec<(String, String)>,
    /// The binary body (after the empty line).
    pub body: Vec<u8>,
    /// A non-MAPI body (HTML diagnostic page), if that is what came.
    pub non_mapi_body: Option<Vec<u8>>,
}

impl FramedResponse {
    /// Frames a complete de-chunked body in one go.
    pub fn collect(stream: &[u8], limits: FramerLimits) -> Result<Self, DecodeError> {
        Self::collect_chunks([stream], limits)
    }

    /// Frames a body delivered in pieces.
    pub fn collect_chunks<'a>(
        chunks: impl IntoIterator<Item = &'a [u8]>,
        limits: FramerLimits,
    ) -> Result<Self, DecodeError> {
        let mut framer = ResponseFramer::with_limits(limits);
        let mut out = Self::default();
        for c in chunks {
            for ev in framer.push(c)? {
                out.absorb(ev);
            }
        }
        framer.finish()?;
        Ok(out)
    }

    /// Adds one event (for drivers that stream and collect at once).
    pub fn absorb(&mut self, ev: FrameEvent) {
        match ev {
            FrameEvent::Processing => self.processing += 1,
            FrameEvent::Pending => self.pending += 1,
            FrameEvent::UnknownMetaTag(t) => self.unknown_meta_tags.push(t),
            FrameEvent::Done { headers } => {
                self.done = true;
                self.headers = headers;
            }
            FrameEvent::BodyChunk(b) => self.body.extend_from_slice(&b),
            FrameEvent::NonMapiBody(b) => self.non_mapi_body.get_or_insert_with(Vec::new).extend_from_slice(&b),
        }
    }

    /// The value of an additional header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `X-ElapsedTime` after `DONE`, if present.
    pub fn elapsed_time(&self) -> Option<Result<ElapsedTime, HeaderError>> {
        self.header("X-ElapsedTime").map(ElapsedTime::parse)
    }

    /// `X-StartTime` after `DONE`, if present.
    pub fn start_time(&self) -> Option<Result<HttpDate, HeaderError>> {
        self.header("X-StartTime").map(HttpDate::parse)
    }

    /// `X-ResponseCode` after `DONE` ([MS-OXCMAPIHTTP] 3.2.5.2: a failure
    /// after the HTTP headers were sent), if present.
    pub fn response_code(&self) -> Option<Result<ResponseCode, HeaderError>> {
        self.header("X-ResponseCode").map(ResponseCode::parse)
    }
}

/// Server side: appends `PROCESSING\r\n` ([MS-OXCMAPIHTTP] 2.2.7).
pub fn write_processing(w: &mut Vec<u8>) {
    w.extend_from_slice(b"PROCESSING\r\n");
}

/// Server side: appends `PENDING\r\n` ([MS-OXCMAPIHTTP] 2.2.7).
pub fn write_pending(w: &mut Vec<u8>) {
    w.extend_from_slice(b"PENDING\r\n");
}

/// Server side: appends `PENDING` without CR LF, as gromox does
/// (corrections A3), for simulators that imitate it.
pub fn write_pending_bare(w: &mut Vec<u8>) {
    w.extend_from_slice(b"PENDING");
}

/// Server side: appends `DONE\r\n`, the additional headers and the empty
/// line ([MS-OXCMAPIHTTP] 2.2.7, 3.2.5.2). The binary body follows.
pub fn write_done(w: &mut Vec<u8>, headers: &[(&str, &str)]) -> Result<(), EncodeError> {
    w.extend_from_slice(b"DONE\r\n");
    for (name, value) in headers {
        let name_ok =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !name_ok {
            return Err(EncodeError::NotRepresentable {
                what: "MAPI/HTTP additional header",
                reason: "name is not an HTTP token",
            });
        }
        if value.bytes().any(|b| b < 0x20 && b != b'\t' || b == 0x7F) {
            return Err(EncodeError::NotRepresentable {
                what: "MAPI/HTTP additional header",
                reason: "control character in value",
            });
        }
        w.extend_from_slice(name.as_bytes());
        w.extend_from_slice(b": ");
        w.extend_from_slice(value.as_bytes());
        w.extend_from_slice(b"\r\n");
    }
    w.extend_from_slice(b"\r\n");
    Ok(())
}

#[cfg(test)]
#[path = "framing_tests.rs"]
mod tests;
