//! [MS-OXCROPS] 2.2.9 stream ROPs ([MS-OXCPRPT] 2.2.9–2.2.21): open, read,
//! write, seek, size, commit, copy, lock and clone property streams.

use crate::{
    codec::{Put, Reader},
    error::{DecodeError, EncodeError},
    error_code::ErrorCode,
    prop_tag::PropTag,
    rop::{
        ResponseContext, RopId, RopRequestBody, RopResponseBody,
        misc::{
            fixed_request, header_response, one_field_response, read_bin16, read_header, write_bin16, write_header,
        },
    },
};

open_enum! {
    /// OpenModeFlags of RopOpenStream ([MS-OXCROPS] 2.2.9.1.1; [MS-OXCPRPT] 2.2.14.1).
    pub struct StreamOpenMode(u8) {
        READ_ONLY = 0x00, "ReadOnly";
        READ_WRITE = 0x01, "ReadWrite";
        CREATE = 0x02, "Create";
        BEST_ACCESS = 0x03, "BestAccess";
    }
}

open_enum! {
    /// Origin of RopSeekStream ([MS-OXCROPS] 2.2.9.8.1; [MS-OXCPRPT] 2.2.18.1).
    pub struct SeekOrigin(u8) {
        BEGINNING = 0x00, "Beginning";
        CURRENT = 0x01, "Current";
        END = 0x02, "End";
    }
}

impl super::misc::Field for StreamOpenMode {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok(Self(r.u8(what)?))
    }
    fn write(&self, w: &mut Vec<u8>) {
        w.put_u8(self.0);
    }
}

impl super::misc::Field for SeekOrigin {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok(Self(r.u8(what)?))
    }
    fn write(&self, w: &mut Vec<u8>) {
        w.put_u8(self.0);
    }
}

/// The ByteCount / BufferSize sentinel that announces a following 32-bit (ReadStream) or
/// 16-bit (FastTransferSourceGetBuffer) maximum ([MS-OXCROPS] 2.2.9.2.1, 2.2.12.4.1).
pub const BABE: u16 = 0xBABE;

fixed_request! {
    /// [MS-OXCROPS] 2.2.9.1.1 RopOpenStream request.
    pub struct OpenStreamRequest = OPEN_STREAM => output_handle_index {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (message, attachment or folder).
        input_handle_index: u8 = "InputHandleIndex",
        /// OutputHandleIndex (the new stream).
        output_handle_index: u8 = "OutputHandleIndex",
        /// PropertyTag of the property to open.
        property_tag: PropTag = "PropertyTag",
        /// OpenModeFlags.
        open_mode: StreamOpenMode = "OpenModeFlags",
    }
}

one_field_response! {
    /// [MS-OXCROPS] 2.2.9.1.2 RopOpenStream response.
    pub struct OpenStreamResponse = OPEN_STREAM, "OutputHandleIndex" {
        /// StreamSize in bytes.
        stream_size: u32 = "StreamSize"
    }
}

/// [MS-OXCROPS] 2.2.9.2.1 RopReadStream request. `ByteCount` 0xBABE
/// ([`BABE`]) is followed by `MaximumByteCount u32` (kept in `maximum_byte_count`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReadStreamRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the stream).
    pub input_handle_index: u8,
    /// ByteCount.
    pub byte_count: u16,
    /// MaximumByteCount, present exactly when `byte_count` is 0xBABE.
    pub maximum_byte_count: Option<u32>,
}

impl RopRequestBody for ReadStreamRequest {
    const ID: RopId = RopId::READ_STREAM;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let input_handle_index = r.u8("InputHandleIndex")?;
        let byte_count = r.u16("ByteCount")?;
        let maximum_byte_count = if byte_count == BABE { Some(r.u32("MaximumByteCount")?) } else { None };
        Ok(Self { logon_id, input_handle_index, byte_count, maximum_byte_count })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        if (self.byte_count == BABE) != self.maximum_byte_count.is_some() {
            return Err(EncodeError::NotRepresentable {
                what: "RopReadStream MaximumByteCount",
                reason: "present exactly when ByteCount is 0xBABE",
            });
        }
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u16(self.byte_count);
        if let Some(m) = self.maximum_byte_count {
            w.put_u32(m);
        }
        Ok(())
    }
}

/// [MS-OXCROPS] 2.2.9.2.2 RopReadStream response.
///
/// The digest (§3.2) says `DataSize u16 + Data` also follow a failing
/// ReturnValue; gromox sends the 6-byte header only (corrections A12, capture
/// 054). A RopsList has no per-ROP lengths, so the trait decoder takes the
/// observed header-only form; [`ReadStreamResponse::decode_with_failure_data`]
/// reads the other form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReadStreamResponse {
    /// InputHandleIndex of the request.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// DataSize + Data; `Some(empty)` = end of stream. None on a header-only failure.
    pub data: Option<Vec<u8>>,
}

impl ReadStreamResponse {
    /// Decodes the spec form in which a failure still carries `DataSize u16, Data`.
    pub fn decode_with_failure_data(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
        let data = Some(read_bin16(r, "Data")?);
        Ok(Self { handle_index, return_value, data })
    }
}

impl RopResponseBody for ReadStreamResponse {
    const ID: RopId = RopId::READ_STREAM;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
        let data = if return_value.is_success() { Some(read_bin16(r, "Data")?) } else { None };
        Ok(Self { handle_index, return_value, data })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        if self.return_value.is_success() && self.data.is_none() {
            return Err(EncodeError::NotRepresentable { what: "RopReadStream", reason: "success needs DataSize/Data" });
        }
        write_header(w, self.handle_index, self.return_value);
        if let Some(d) = &self.data {
            write_bin16(w, d, "Data")?;
        }
        Ok(())
    }
}

/// [MS-OXCROPS] 2.2.9.3.1 RopWriteStream request (also the body of
/// [MS-OXCROPS] 2.2.9.12 RopWriteAndCommitStream and 2.2.9.4 RopWriteStreamExtended).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct WriteStreamRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the stream).
    pub input_handle_index: u8,
    /// DataSize u16 + Data.
    pub data: Vec<u8>,
}

impl RopRequestBody for WriteStreamRequest {
    const ID: RopId = RopId::WRITE_STREAM;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            logon_id: r.u8("LogonId")?,
            input_handle_index: r.u8("InputHandleIndex")?,
            data: read_bin16(r, "Data")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        write_bin16(w, &self.data, "Data")
    }
}

same_layout_request! {
    /// [MS-OXCROPS] 2.2.9.12 RopWriteAndCommitStream request: a write followed by a commit.
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct WriteAndCommitStreamRequest(pub WriteStreamRequest) = WRITE_AND_COMMIT_STREAM;
}

same_layout_request! {
    /// [MS-OXCROPS] 2.2.9.4 RopWriteStreamExtended request (same fields as RopWriteStream).
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct WriteStreamExtendedRequest(pub WriteStreamRequest) = WRITE_STREAM_EXTENDED;
}

one_field_response! {
    /// [MS-OXCROPS] 2.2.9.3.2 RopWriteStream response (gromox: header only on failure).
    pub struct WriteStreamResponse = WRITE_STREAM, "InputHandleIndex" {
        /// WrittenSize.
        written_size: u16 = "WrittenSize"
    }
}

one_field_response! {
    /// [MS-OXCROPS] 2.2.9.12 RopWriteAndCommitStream response.
    pub struct WriteAndCommitStreamResponse = WRITE_AND_COMMIT_STREAM, "InputHandleIndex" {
        /// WrittenSize.
        written_size: u16 = "WrittenSize"
    }
}

one_field_response! {
    /// [MS-OXCROPS] 2.2.9.4 RopWriteStreamExtended response (WrittenSize is 32 bits here).
    pub struct WriteStreamExtendedResponse = WRITE_STREAM_EXTENDED, "InputHandleIndex" {
        /// WrittenSize.
        written_size: u32 = "WrittenSize"
    }
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.9.5.1 RopCommitStream request.
    pub struct CommitStreamRequest = COMMIT_STREAM {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the stream).
        input_handle_index: u8 = "InputHandleIndex",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.9.5.2 RopCommitStream response.
    pub struct CommitStreamResponse = COMMIT_STREAM, "InputHandleIndex"
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.9.6.1 RopGetStreamSize request.
    pub struct GetStreamSizeRequest = GET_STREAM_SIZE {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the stream).
        input_handle_index: u8 = "InputHandleIndex",
    }
}

one_field_response! {
    /// [MS-OXCROPS] 2.2.9.6.2 RopGetStreamSize response.
    pub struct GetStreamSizeResponse = GET_STREAM_SIZE, "InputHandleIndex" {
        /// StreamSize.
        stream_size: u32 = "StreamSize"
    }
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.9.7.1 RopSetStreamSize request.
    pub struct SetStreamSizeRequest = SET_STREAM_SIZE {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the stream).
        input_handle_index: u8 = "InputHandleIndex",
        /// StreamSize (u64).
        stream_size: u64 = "StreamSize",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.9.7.2 RopSetStreamSize response.
    pub struct SetStreamSizeResponse = SET_STREAM_SIZE, "InputHandleIndex"
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.9.8.1 RopSeekStream request.
    pub struct SeekStreamRequest = SEEK_STREAM {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the stream).
        input_handle_index: u8 = "InputHandleIndex",
        /// Origin.
        origin: SeekOrigin = "Origin",
        /// Offset (signed).
        offset: i64 = "Offset",
    }
}

one_field_response! {
    /// [MS-OXCROPS] 2.2.9.8.2 RopSeekStream response.
    pub struct SeekStreamResponse = SEEK_STREAM, "InputHandleIndex" {
        /// NewPosition.
        new_position: u64 = "NewPosition"
    }
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.9.9.1 RopCopyToStream request.
    pub struct CopyToStreamRequest = COPY_TO_STREAM {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// SourceHandleIndex.
        source_handle_index: u8 = "SourceHandleIndex",
        /// DestHandleIndex.
        dest_handle_index: u8 = "DestHandleIndex",
        /// ByteCount.
        byte_count: u64 = "ByteCount",
    }
}

/// [MS-OXCROPS] 2.2.9.9.2–2.2.9.9.3 RopCopyToStream response. On success
/// `ReadByteCount u64, WrittenByteCount u64`; with ecDstNullObject (0x503)
/// `DestHandleIndex u32` precedes them; other failures are header-only
/// (gromox `rop_ext_push_rop_response`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CopyToStreamResponse {
    /// SourceHandleIndex of the request.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// DestHandleIndex, present exactly when ReturnValue is ecDstNullObject.
    pub dest_handle_index: Option<u32>,
    /// (ReadByteCount, WrittenByteCount) on success and with ecDstNullObject.
    pub counts: Option<(u64, u64)>,
}

impl RopResponseBody for CopyToStreamResponse {
    const ID: RopId = RopId::COPY_TO_STREAM;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "SourceHandleIndex")?;
        let null_dest = return_value == ErrorCode::DST_NULL_OBJECT;
        let dest_handle_index = if null_dest { Some(r.u32("DestHandleIndex")?) } else { None };
        let counts = if null_dest || return_value.is_success() {
            Some((r.u64("ReadByteCount")?, r.u64("WrittenByteCount")?))
        } else {
            None
        };
        Ok(Self { handle_index, return_value, dest_handle_index, counts })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        let null_dest = self.return_value == ErrorCode::DST_NULL_OBJECT;
        if null_dest != self.dest_handle_index.is_some()
            || (null_dest || self.return_value.is_success()) != self.counts.is_some()
        {
            return Err(EncodeError::NotRepresentable {
                what: "RopCopyToStream",
                reason: "fields do not match the ReturnValue",
            });
        }
        write_header(w, self.handle_index, self.return_value);
        if let Some(d) = self.dest_handle_index {
            w.put_u32(d);
        }
        if let Some((read, written)) = self.counts {
            w.put_u64(read);
            w.put_u64(written);
        }
        Ok(())
    }
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.9.10.1 RopLockRegionStream request.
    pub struct LockRegionStreamRequest = LOCK_REGION_STREAM {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the stream).
        input_handle_index: u8 = "InputHandleIndex",
        /// RegionOffset.
        region_offset: u64 = "RegionOffset",
        /// RegionSize.
        region_size: u64 = "RegionSize",
        /// LockFlags (0x00000001 = exclusive write lock).
        lock_flags: u32 = "LockFlags",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.9.10.2 RopLockRegionStream response.
    pub struct LockRegionStreamResponse = LOCK_REGION_STREAM, "InputHandleIndex"
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.9.11.1 RopUnlockRegionStream request.
    pub struct UnlockRegionStreamRequest = UNLOCK_REGION_STREAM {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the stream).
        input_handle_index: u8 = "InputHandleIndex",
        /// RegionOffset.
        region_offset: u64 = "RegionOffset",
        /// RegionSize.
        region_size: u64 = "RegionSize",
        /// LockFlags.
        lock_flags: u32 = "LockFlags",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.9.11.2 RopUnlockRegionStream response.
    pub struct UnlockRegionStreamResponse = UNLOCK_REGION_STREAM, "InputHandleIndex"
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.9.13.1 RopCloneStream request.
    pub struct CloneStreamRequest = CLONE_STREAM => output_handle_index {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the stream).
        input_handle_index: u8 = "InputHandleIndex",
        /// OutputHandleIndex (the clone).
        output_handle_index: u8 = "OutputHandleIndex",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.9.13.2 RopCloneStream response.
    pub struct CloneStreamResponse = CLONE_STREAM, "OutputHandleIndex"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rop::misc::tests::*;
    use proptest::prelude::*;

    #[test]
    fn capture_016_openstream_readstream() {
        let reqs = capture_requests("016", 0x2B);
        if reqs.is_empty() {
            return;
        }
        let open: OpenStreamRequest = request_known_answer(&reqs[0]);
        assert_eq!(open.property_tag, PropTag(0x1013_0102));
        assert_eq!((open.input_handle_index, open.output_handle_index), (1, 2));
        assert_eq!(open.open_mode, StreamOpenMode::READ_ONLY);
        let open2: OpenStreamRequest = request_known_answer(&reqs[1]);
        assert_eq!(open2.property_tag, PropTag(0x1000_001F));

        let reads = capture_requests("016", 0x2C);
        let r0: ReadStreamRequest = request_known_answer(&reads[0]);
        assert_eq!((r0.byte_count, r0.maximum_byte_count), (0x1000, None));
        // B16: the 0xBABE form with a 32-bit MaximumByteCount.
        let r2: ReadStreamRequest = request_known_answer(&reads[2]);
        assert_eq!((r2.byte_count, r2.maximum_byte_count), (BABE, Some(65536)));

        let ctx = ResponseContext::default();
        let opens = capture_responses("016", 0x2B);
        let o: OpenStreamResponse = response_known_answer(&opens[0].0, &ctx);
        assert_eq!(o.stream_size, Some(76));
        assert_eq!(opens[0].1["StreamSize"], 76);
        let reads = capture_responses("016", 0x2C);
        let d: ReadStreamResponse = response_known_answer(&reads[0].0, &ctx);
        let data = d.data.unwrap();
        assert_eq!(data.len(), 76);
        assert!(data.starts_with(b"<html>"));
        // End of stream = DataSize 0 (B16).
        let end: ReadStreamResponse = response_known_answer(&reads[1].0, &ctx);
        assert_eq!(end.data, Some(Vec::new()));
        let body: ReadStreamResponse = response_known_answer(&reads[2].0, &ctx);
        assert_eq!(body.data.unwrap().len(), 44);
    }

    #[test]
    fn capture_019_attachment_readstream() {
        let ctx = ResponseContext::default();
        let reqs = capture_requests("019", 0x2B);
        if reqs.is_empty() {
            return;
        }
        let open: OpenStreamRequest = request_known_answer(&reqs[0]);
        assert_eq!(open.property_tag, PropTag(0x3701_0102)); // PidTagAttachDataBinary
        let r: ReadStreamRequest = request_known_answer(&capture_requests("019", 0x2C)[0]);
        assert_eq!(r.byte_count, 0x1000);
        let resp: ReadStreamResponse = response_known_answer(&capture_responses("019", 0x2C)[0].0, &ctx);
        assert_eq!(resp.data.as_deref(), Some(&b"col1,col2\n1,2\n3,4\n"[..]));
    }

    #[test]
    fn capture_054_readstream_failure_is_header_only() {
        // Corrections A12: gromox sends no DataSize on failure; the spec form is accepted too.
        let reqs = capture_requests("054", 0x2C);
        if reqs.is_empty() {
            return;
        }
        let req: ReadStreamRequest = request_known_answer(&reqs[0]);
        assert_eq!((req.input_handle_index, req.byte_count), (0, 0x100));
        let resp = &capture_responses("054", 0x2C)[0].0;
        let v: ReadStreamResponse = response_known_answer(resp, &ResponseContext::default());
        assert_eq!(v.return_value, ErrorCode(0x8004_0102));
        assert_eq!(v.data, None);
        // Spec form: the same failure followed by DataSize 0.
        let spec = [0x00, 0x02, 0x01, 0x04, 0x80, 0x00, 0x00];
        let s = ReadStreamResponse::decode_with_failure_data(&mut Reader::new(&spec)).unwrap();
        assert_eq!(s.data, Some(Vec::new()));
    }

    #[test]
    fn copy_to_stream_null_destination_layout() {
        // [MS-OXCROPS] 2.2.9.9.3: DestHandleIndex u32 then both counts.
        let mut b = vec![0x3A, 0x01, 0x03, 0x05, 0, 0, 7, 0, 0, 0];
        b.extend_from_slice(&5u64.to_le_bytes());
        b.extend_from_slice(&0u64.to_le_bytes());
        let v: CopyToStreamResponse = response_known_answer(&b, &ResponseContext::default());
        assert_eq!(v.dest_handle_index, Some(7));
        assert_eq!(v.counts, Some((5, 0)));
    }

    proptest! {
        #[test]
        fn stream_requests_round_trip(b in proptest::collection::vec(any::<u8>(), 0..48)) {
            request_bytes_round_trip::<OpenStreamRequest>(&b);
            request_bytes_round_trip::<ReadStreamRequest>(&b);
            request_bytes_round_trip::<WriteStreamRequest>(&b);
            request_bytes_round_trip::<WriteAndCommitStreamRequest>(&b);
            request_bytes_round_trip::<WriteStreamExtendedRequest>(&b);
            request_bytes_round_trip::<CommitStreamRequest>(&b);
            request_bytes_round_trip::<GetStreamSizeRequest>(&b);
            request_bytes_round_trip::<SetStreamSizeRequest>(&b);
            request_bytes_round_trip::<SeekStreamRequest>(&b);
            request_bytes_round_trip::<CopyToStreamRequest>(&b);
            request_bytes_round_trip::<LockRegionStreamRequest>(&b);
            request_bytes_round_trip::<UnlockRegionStreamRequest>(&b);
            request_bytes_round_trip::<CloneStreamRequest>(&b);
        }

        #[test]
        fn stream_responses_round_trip(b in response_bytes()) {
            response_bytes_round_trip::<OpenStreamResponse>(&b);
            response_bytes_round_trip::<ReadStreamResponse>(&b);
            response_bytes_round_trip::<WriteStreamResponse>(&b);
            response_bytes_round_trip::<WriteAndCommitStreamResponse>(&b);
            response_bytes_round_trip::<WriteStreamExtendedResponse>(&b);
            response_bytes_round_trip::<CommitStreamResponse>(&b);
            response_bytes_round_trip::<GetStreamSizeResponse>(&b);
            response_bytes_round_trip::<SetStreamSizeResponse>(&b);
            response_bytes_round_trip::<SeekStreamResponse>(&b);
            response_bytes_round_trip::<CopyToStreamResponse>(&b);
            response_bytes_round_trip::<LockRegionStreamResponse>(&b);
            response_bytes_round_trip::<UnlockRegionStreamResponse>(&b);
            response_bytes_round_trip::<CloneStreamResponse>(&b);
        }

        #[test]
        fn read_stream_values_round_trip(babe in any::<bool>(), n in any::<u16>(), m in any::<u32>()) {
            let v = ReadStreamRequest {
                logon_id: 0,
                input_handle_index: 3,
                byte_count: if babe { BABE } else if n == BABE { 0 } else { n },
                maximum_byte_count: babe.then_some(m),
            };
            request_round_trip(&v);
        }
    }
}
