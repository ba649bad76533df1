//! Known answers (captures 046–050) and round trips for the FastTransfer and ICS ROPs.

use super::*;
use crate::codec::Decode;
use crate::rop::misc::tests::*;
use crate::rop::stream::BABE;
use proptest::prelude::*;

#[test]
fn capture_046_upload_state_and_get_buffer() {
    let begins = capture_requests("046", 0x75);
    if begins.is_empty() {
        return;
    }
    let tags: Vec<PropTag> = begins
        .iter()
        .map(|b| request_known_answer::<SynchronizationUploadStateStreamBeginRequest>(b))
        .map(|v| {
            assert_eq!(v.transfer_buffer_size, 0);
            v.state_property
        })
        .collect();
    // IdsetGiven 0x40170003, CnsetSeen 0x67960102, CnsetSeenFAI 0x67DA0102, CnsetRead 0x67D20102.
    assert_eq!(tags, [PropTag(0x4017_0003), PropTag(0x6796_0102), PropTag(0x67DA_0102), PropTag(0x67D2_0102)]);
    for b in capture_requests("046", 0x76) {
        let v: SynchronizationUploadStateStreamContinueRequest = request_known_answer(&b);
        assert!(v.stream_data.is_empty());
    }
    for b in capture_requests("046", 0x77) {
        request_known_answer::<SynchronizationUploadStateStreamEndRequest>(&b);
    }
    let gb: FastTransferSourceGetBufferRequest = request_known_answer(&capture_requests("046", 0x4E)[0]);
    assert_eq!((gb.buffer_size, gb.maximum_buffer_size), (BABE, Some(0x7F00)));

    let ctx = ResponseContext::default();
    for id in [0x70, 0x75, 0x76, 0x77] {
        for (b, _) in capture_responses("046", id) {
            let (hi, rv) = (b[1], u32::from_le_bytes([b[2], b[3], b[4], b[5]]));
            assert_eq!((b.len(), hi, rv), (6, 2, 0));
        }
    }
    let (b, j) = &capture_responses("046", 0x4E)[0];
    let v: FastTransferSourceGetBufferResponse = response_known_answer(b, &ctx);
    assert_eq!(v.transfer_status, TransferStatus::DONE);
    assert_eq!(v.transfer_buffer.len(), 26695);
    assert_eq!(v.in_progress_count, 0x3F89);
    assert_eq!(v.backoff_time, None);
    // The buffer is the whole FastTransfer stream of 046 (one GetBuffer).
    if let Some(stream) = capture("046-ics-contents-inbox-initial.fxstream.bin") {
        assert_eq!(v.transfer_buffer, stream);
    }
    assert!(j["rop"].as_str().unwrap().contains("GetBuffer"));
}

#[test]
fn capture_047_get_transfer_state() {
    let reqs = capture_requests("047", 0x82);
    if reqs.is_empty() {
        return;
    }
    let v: SynchronizationGetTransferStateRequest = request_known_answer(&reqs[0]);
    assert_eq!((v.input_handle_index, v.output_handle_index), (2, 3));
    let ctx = ResponseContext::default();
    let r: SynchronizationGetTransferStateResponse = response_known_answer(&capture_responses("047", 0x82)[0].0, &ctx);
    assert_eq!(r.handle_index, 3);
    let gb: FastTransferSourceGetBufferResponse = response_known_answer(&capture_responses("047", 0x4E)[0].0, &ctx);
    assert_eq!(gb.transfer_status, TransferStatus::DONE);
    // B18: the state block starts with IncrSyncStateBegin 0x403A0003.
    assert_eq!(&gb.transfer_buffer[..4], &[0x03, 0x00, 0x3A, 0x40]);
    if let Some(stream) = capture("047-ics-gettransferstate.fxstream.bin") {
        assert_eq!(gb.transfer_buffer, stream);
    }
}

#[test]
fn capture_048_chained_get_buffers_rebuild_the_stream() {
    let reqs = capture_requests("048", 0x4E);
    if reqs.is_empty() {
        return;
    }
    let gb: FastTransferSourceGetBufferRequest = request_known_answer(&reqs[0]);
    assert_eq!((gb.buffer_size, gb.maximum_buffer_size), (0x800, None));
    let ctx = ResponseContext::default();
    let responses = capture_responses("048", 0x4E);
    assert_eq!(responses.len(), 6, "B6: six RPC_HEADER_EXTs, each repeating GetBuffer");
    let mut stream = Vec::new();
    for (i, (b, _)) in responses.iter().enumerate() {
        let v: FastTransferSourceGetBufferResponse = response_known_answer(b, &ctx);
        assert_eq!(v.total_step_count, 7073, "B21");
        let last = i == responses.len() - 1;
        assert_eq!(v.transfer_status, if last { TransferStatus::DONE } else { TransferStatus::PARTIAL });
        stream.extend_from_slice(&v.transfer_buffer);
    }
    if let Some(fx) = capture("048-ics-hierarchy-ipmsubtree.fxstream.bin") {
        assert_eq!(stream, fx);
    }
}

#[test]
fn capture_050_upload_state_continue_with_data() {
    let conts = capture_requests("050", 0x76);
    if conts.is_empty() {
        return;
    }
    let first: SynchronizationUploadStateStreamContinueRequest = request_known_answer(&conts[0]);
    assert_eq!(first.stream_data.len(), 0x1D);
    let begin: SynchronizationUploadStateStreamBeginRequest = request_known_answer(&capture_requests("050", 0x75)[0]);
    assert_eq!(begin.transfer_buffer_size, 0x1D);
    for b in &conts[1..] {
        let v: SynchronizationUploadStateStreamContinueRequest = request_known_answer(b);
        assert_eq!(v.stream_data.len(), 0x1E);
    }
    let (b, _) = &capture_responses("050", 0x4E)[0];
    let v: FastTransferSourceGetBufferResponse = response_known_answer(b, &ResponseContext::default());
    assert_eq!(v.transfer_buffer.len(), 0x12E4);
}

#[test]
fn captures_046_048_050_synchronization_configure() {
    let reqs = capture_requests("046", 0x70);
    if reqs.is_empty() {
        return;
    }
    let c: SynchronizationConfigureRequest = request_known_answer(&reqs[0]);
    assert_eq!(c.synchronization_type, SynchronizationType::CONTENTS);
    assert_eq!((c.send_options, c.synchronization_flags, c.synchronization_extra_flags), (1, 0x0139, 7));
    assert!(c.restriction.is_none() && c.property_tags.is_empty());
    let h: SynchronizationConfigureRequest = request_known_answer(&capture_requests("048", 0x70)[0]);
    assert_eq!(h.synchronization_type, SynchronizationType::HIERARCHY);
    assert_eq!((h.synchronization_flags, h.synchronization_extra_flags), (0x0101, 5));
    let i: SynchronizationConfigureRequest = request_known_answer(&capture_requests("050", 0x70)[0]);
    assert_eq!(i, c);
    let r: SynchronizationConfigureResponse =
        response_known_answer(&capture_responses("046", 0x70)[0].0, &ResponseContext::default());
    assert_eq!((r.handle_index, r.return_value), (2, ErrorCode::SUCCESS));
}

#[test]
fn synchronization_configure_with_restriction_tv10() {
    // Digest TV-10: PidTagMessageClass == "IPM.Note" as RestrictionData (28 bytes).
    let res = hex::decode("04041f001a001f001a00490050004d002e004e006f0074006500 0000".replace(' ', "")).unwrap();
    let mut b = hex::decode("70000102010139011c00").unwrap();
    b.extend(&res);
    b.extend(hex::decode("0700000001001f003700").unwrap());
    let v: SynchronizationConfigureRequest = request_known_answer(&b);
    assert!(matches!(v.restriction, Some(Restriction::Property { .. })), "{v:?}");
    assert_eq!(v.property_tags, [PropTag(0x0037_001F)]);
    // A restriction that does not fill RestrictionDataSize is refused.
    let mut bad = b.clone();
    bad[8] = 0x1D;
    assert!(SynchronizationConfigureRequest::decode_body(&mut Reader::new(&bad[1..])).is_err());
}

#[test]
fn import_message_change_carries_the_four_change_properties() {
    use crate::prop_value::{FileTime, PropValue};
    let v = SynchronizationImportMessageChangeRequest {
        logon_id: 0,
        input_handle_index: 1,
        output_handle_index: 2,
        import_flag: 0x40,
        values: vec![
            TaggedValue { tag: PropTag(0x65E0_0102), value: PropValue::Binary(vec![1; 22]) },
            TaggedValue { tag: PropTag(0x3008_0040), value: PropValue::Time(FileTime(0x01DC_0000_0000_0000)) },
            TaggedValue { tag: PropTag(0x65E2_0102), value: PropValue::Binary(vec![2; 22]) },
            TaggedValue { tag: PropTag(0x65E3_0102), value: PropValue::Binary(vec![3; 23]) },
        ],
    };
    let mut w = vec![0x72];
    v.encode_body(&mut w).unwrap();
    assert_eq!(&w[..7], &[0x72, 0, 1, 2, 0x40, 4, 0]);
    let back: SynchronizationImportMessageChangeRequest = request_known_answer(&w);
    assert_eq!(back, v);
}

#[test]
fn get_buffer_server_busy_carries_backoff_time() {
    let b = [0x4E, 0x02, 0x80, 0x04, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0xE8, 0x03, 0, 0];
    let v: FastTransferSourceGetBufferResponse = response_known_answer(&b, &ResponseContext::default());
    assert_eq!(v.backoff_time, Some(1000));
    assert!(v.transfer_buffer.is_empty());
}

#[test]
fn read_state_changes_use_a_byte_size() {
    let b = [0x80, 0, 1, 7, 0, 4, 0, 1, 2, 3, 4, 1];
    let v: SynchronizationImportReadStateChangesRequest = request_known_answer(&b);
    assert_eq!(v.states, [MessageReadState { message_id: vec![1, 2, 3, 4], mark_as_read: 1 }]);
}

proptest! {
    #[test]
    fn ics_requests_round_trip(b in proptest::collection::vec(any::<u8>(), 0..128)) {
        request_bytes_round_trip::<FastTransferSourceCopyMessagesRequest>(&b);
        request_bytes_round_trip::<FastTransferSourceCopyFolderRequest>(&b);
        request_bytes_round_trip::<FastTransferSourceCopyToRequest>(&b);
        request_bytes_round_trip::<FastTransferSourceCopyPropertiesRequest>(&b);
        request_bytes_round_trip::<FastTransferSourceGetBufferRequest>(&b);
        request_bytes_round_trip::<FastTransferDestinationConfigureRequest>(&b);
        request_bytes_round_trip::<FastTransferDestinationPutBufferRequest>(&b);
        request_bytes_round_trip::<SynchronizationOpenCollectorRequest>(&b);
        request_bytes_round_trip::<SynchronizationGetTransferStateRequest>(&b);
        request_bytes_round_trip::<SynchronizationUploadStateStreamBeginRequest>(&b);
        request_bytes_round_trip::<SynchronizationUploadStateStreamContinueRequest>(&b);
        request_bytes_round_trip::<SynchronizationUploadStateStreamEndRequest>(&b);
        request_bytes_round_trip::<SynchronizationImportMessageMoveRequest>(&b);
        request_bytes_round_trip::<SynchronizationImportReadStateChangesRequest>(&b);
        request_bytes_round_trip::<SetLocalReplicaMidsetDeletedRequest>(&b);
        request_bytes_round_trip::<GetLocalReplicaIdsRequest>(&b);
        request_bytes_round_trip::<TellVersionRequest>(&b);
        let _ = SynchronizationConfigureRequest::decode_body(&mut Reader::new(&b));
        let _ = SynchronizationImportMessageChangeRequest::decode_body(&mut Reader::new(&b));
        let _ = SynchronizationImportHierarchyChangeRequest::decode_body(&mut Reader::new(&b));
        let _ = SynchronizationImportDeletesRequest::decode_body(&mut Reader::new(&b));
    }

    #[test]
    fn ics_value_requests_round_trip(
        a in proptest::collection::vec(crate::rop::property::tests::arb_tagged(), 0..4),
        b in proptest::collection::vec(crate::rop::property::tests::arb_tagged(), 0..4),
        flag in any::<u8>(),
    ) {
        request_round_trip(&SynchronizationImportMessageChangeRequest {
            logon_id: 0, input_handle_index: 1, output_handle_index: 2, import_flag: flag, values: a.clone(),
        });
        request_round_trip(&SynchronizationImportHierarchyChangeRequest {
            logon_id: 0, input_handle_index: 1, hierarchy_values: a.clone(), property_values: b,
        });
        request_round_trip(&SynchronizationImportDeletesRequest {
            logon_id: 0, input_handle_index: 1, import_delete_flags: flag, values: a,
        });
    }

    #[test]
    fn ics_responses_round_trip(b in response_bytes()) {
        response_bytes_round_trip::<FastTransferSourceCopyMessagesResponse>(&b);
        response_bytes_round_trip::<FastTransferSourceCopyFolderResponse>(&b);
        response_bytes_round_trip::<FastTransferSourceCopyToResponse>(&b);
        response_bytes_round_trip::<FastTransferSourceCopyPropertiesResponse>(&b);
        response_bytes_round_trip::<FastTransferSourceGetBufferResponse>(&b);
        response_bytes_round_trip::<FastTransferDestinationConfigureResponse>(&b);
        response_bytes_round_trip::<FastTransferDestinationPutBufferResponse>(&b);
        response_bytes_round_trip::<SynchronizationOpenCollectorResponse>(&b);
        response_bytes_round_trip::<SynchronizationGetTransferStateResponse>(&b);
        response_bytes_round_trip::<SynchronizationUploadStateStreamBeginResponse>(&b);
        response_bytes_round_trip::<SynchronizationUploadStateStreamContinueResponse>(&b);
        response_bytes_round_trip::<SynchronizationUploadStateStreamEndResponse>(&b);
        response_bytes_round_trip::<SynchronizationImportMessageMoveResponse>(&b);
        response_bytes_round_trip::<SynchronizationImportReadStateChangesResponse>(&b);
        response_bytes_round_trip::<SetLocalReplicaMidsetDeletedResponse>(&b);
        response_bytes_round_trip::<GetLocalReplicaIdsResponse>(&b);
        response_bytes_round_trip::<TellVersionResponse>(&b);
        response_bytes_round_trip::<SynchronizationConfigureResponse>(&b);
        response_bytes_round_trip::<SynchronizationImportMessageChangeResponse>(&b);
        response_bytes_round_trip::<SynchronizationImportHierarchyChangeResponse>(&b);
        response_bytes_round_trip::<SynchronizationImportDeletesResponse>(&b);
    }

    #[test]
    fn midset_ranges_round_trip(ranges in proptest::collection::vec((any::<[u8; 24]>(), any::<[u8; 24]>()), 0..4)) {
        let v = SetLocalReplicaMidsetDeletedRequest {
            logon_id: 0,
            input_handle_index: 1,
            ranges: ranges
            .into_iter()
            .map(|(min, max)| LongTermIdRange {
                min: LongTermId::decode_exact(&min).unwrap(),
                max: LongTermId::decode_exact(&max).unwrap(),
            })
            .collect(),
        };
        request_round_trip(&v);
    }

    #[test]
    fn get_buffer_values_round_trip(
        status in any::<u16>(), busy in any::<bool>(), buf in proptest::collection::vec(any::<u8>(), 0..64),
        t in any::<u32>(), rv in any::<u32>(),
    ) {
        let return_value = if busy { ErrorCode::SERVER_BUSY } else if rv == 0x480 { ErrorCode(0) } else { ErrorCode(rv) };
        let v = FastTransferSourceGetBufferResponse {
            handle_index: 2, return_value, transfer_status: TransferStatus(status),
            in_progress_count: 1, total_step_count: 2, reserved: 0,
            transfer_buffer: if busy { Vec::new() } else { buf },
            backoff_time: busy.then_some(t),
        };
        response_round_trip(&v, &ResponseContext::default());
    }
}
