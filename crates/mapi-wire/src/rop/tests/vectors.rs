//! Known answers from the digest's test vectors (§9) and hand-built layouts for the
//! dispatcher's pairing rules.

use crate::{
    Decode, Encode, ErrorCode, Guid, PropTag,
    codec::Reader,
    error::DecodeError,
    ids::{FolderId, GlobalCounter, LongTermId, MessageId},
    prop_value::{FlaggedValue, PropValue, PropertyRow},
    rop::{testkit::*, *},
};

/// TV-7: the RopLogon request payload (after RPC_HEADER_EXT).
#[test]
fn tv7_logon_request_buffer() {
    let payload =
        unhex("1C 00 FE 00 00 01 00 00 00 01 00 00 00 00 0C 00 2F 6F 3D 4F 72 67 2F 63 6E 3D 75 00 FF FF FF FF");
    let buf = RopRequestBuffer::decode_exact(&payload).expect("decode");
    assert_eq!(buf.handles, [0xFFFF_FFFF]);
    let [RopRequest::Logon(l)] = buf.rops.as_slice() else { panic!("{buf:?}") };
    assert_eq!(
        l,
        &LogonRequest {
            logon_id: 0,
            output_handle_index: 0,
            logon_flags: LogonFlags::PRIVATE,
            open_flags: LogonOpenFlags::USE_PER_MDB_REPLID_MAPPING,
            store_state: 0,
            essdn: Some("/o=Org/cn=u".into()),
        }
    );
    assert_eq!(l.output_handle_index(), Some(0));
    assert_eq!(buf.to_bytes().expect("encode"), payload);
}

/// TV-8: the 166-byte private RopLogon response.
#[test]
fn tv8_logon_private_response() {
    let mut hex = String::from("FE 00 00 00 00 00 01");
    for n in 1..=13 {
        hex += &format!(" 01 00 00 00 00 00 00 {n:02x}");
    }
    hex += " 07 11 11 11 11 22 22 33 33 44 44 55 55 55 55 55 55 01 00 AA AA AA AA BB BB CC CC DD DD EE EE EE EE EE EE";
    hex += " 1E 2D 0C 02 11 06 E9 07 00 00 00 00 00 00 00 00 00 00 00 00";
    let bytes = unhex(&hex);
    assert_eq!(bytes.len(), 166);
    let r: LogonResponse = response_known_answer(&bytes, &ResponseContext::default());
    let Some(LogonResponseBody::Private(s)) = r.body else { panic!() };
    assert_eq!(s.folder_ids[4], FolderId::new(1, 5), "Inbox");
    assert_eq!(s.mailbox_guid, Guid::parse("11111111-2222-3333-4444-555555555555").expect("guid"));
    assert_eq!((s.repl_id, s.response_flags), (1, 7));
    let t = s.logon_time;
    assert_eq!((t.hour, t.minutes, t.seconds, t.day_of_week, t.day, t.month, t.year), (12, 45, 30, 2, 17, 6, 2025));
}

#[test]
fn logon_redirect_and_public_forms() {
    // ecWrongServer: LogonFlags, ServerNameSize (with the NUL), ServerName.
    let bytes = unhex("FE 00 78 04 00 00 01 04 65 78 32 00");
    let r: LogonResponse = response_known_answer(&bytes, &ResponseContext::default());
    assert_eq!(
        r.body,
        Some(LogonResponseBody::Redirect { logon_flags: LogonFlags::PRIVATE, server_name: "ex2".into() })
    );
    // Other failures stop after ReturnValue.
    let r: LogonResponse = response_known_answer(&unhex("FE 00 EB 03 00 00"), &ResponseContext::default());
    assert_eq!((r.return_value, r.body), (ErrorCode(0x3EB), None));
    // Public folders: no ResponseFlags/MailboxGuid; ReplId, ReplGuid, PerUserGuid.
    let mut hex = String::from("FE 01 00 00 00 00 00");
    for n in 1..=13 {
        hex += &format!(" 01 00 00 00 00 00 00 {n:02x}");
    }
    hex += " 02 00";
    hex += &" AB".repeat(16);
    hex += &" CD".repeat(16);
    let r: LogonResponse = response_known_answer(&unhex(&hex), &ResponseContext::default());
    let Some(LogonResponseBody::Public(p)) = r.body else { panic!() };
    assert_eq!((p.repl_id, p.per_user_guid), (2, Guid([0xCD; 16])));
}

/// TV-9: GetHierarchyTable → SetColumns → QueryRows in one buffer, and a matching response.
#[test]
fn tv9_chained_table_request_and_rows() {
    let payload = unhex(
        "20 00 04 00 00 01 04 12 00 01 00 03 00 1F 00 01 30 14 00 48 67 1F 00 13 36 15 00 01 00 01 32 00 BB AA 00 00 FF FF FF FF",
    );
    let req = RopRequestBuffer::decode_exact(&payload).expect("decode");
    assert_eq!(req.handles, [0xAABB, 0xFFFF_FFFF]);
    let [RopRequest::GetHierarchyTable(h), RopRequest::SetColumns(c), RopRequest::QueryRows(q)] = req.rops.as_slice()
    else {
        panic!("{req:?}")
    };
    assert_eq!((h.output_handle_index, h.table_flags), (1, TableFlags::DEPTH));
    assert_eq!(c.columns, [PropTag(0x3001_001F), PropTag(0x6748_0014), PropTag(0x3613_001F)]);
    assert_eq!((q.row_count, q.forward_read), (50, true));
    assert_eq!(req.to_bytes().expect("encode"), payload);

    // The digest's QueryRows fragment (columns [Mid, Subject]), standard and flagged rows.
    let columns = [PropTag(0x674A_0014), PropTag(0x0037_001F)];
    let ctx = ResponseContext { columns: Some(&columns), ..Default::default() };
    let bytes = unhex("15 01 00 00 00 00 02 01 00 00 01 00 00 00 00 00 00 20 48 00 69 00 00 00");
    let r: QueryRowsResponse = response_known_answer(&bytes, &ctx);
    let s = r.success.expect("success");
    let mid = PropValue::I64(MessageId::new(1, 0x20).0 as i64);
    assert_eq!(s.rows, [PropertyRow::Standard(vec![mid.clone(), PropValue::String("Hi".into())])]);
    let mut flagged = unhex("15 01 00 00 00 00 02 01 00");
    flagged.extend(unhex("01 00 01 00 00 00 00 00 00 20 0A 0F 01 04 80"));
    let r: QueryRowsResponse = response_known_answer(&flagged, &ctx);
    assert_eq!(
        r.success.expect("success").rows,
        [PropertyRow::Flagged(vec![FlaggedValue::Value(mid), FlaggedValue::Error(ErrorCode::NOT_FOUND)])]
    );

    // As a whole response buffer: the columns come from the SetColumns of the same request.
    let mut resp = unhex("04 01 00 00 00 00 01 00 00 00 12 01 00 00 00 00 00");
    resp.extend(unhex("15 01 00 00 00 00 02 00 00"));
    let mut payload = vec![0, 0];
    payload.extend(&resp);
    let n = payload.len() as u16;
    payload[..2].copy_from_slice(&n.to_le_bytes());
    payload.extend(unhex("BB AA 00 00 CC DD 00 00"));
    let buf = RopResponseBuffer::decode_with(&payload, &ExecuteContext::new(&req)).expect("decode");
    assert_eq!(buf.rops.len(), 3);
    assert_eq!(buf.handles, [0xAABB, 0xDDCC]);
    let RopResponse::QueryRows(q) = &buf.rops[2] else { panic!() };
    assert_eq!(q.success.as_ref().map(|s| s.columns.clone()), Some(c.columns.clone()));
    assert_eq!(buf.to_bytes().expect("encode"), payload);
}

/// TV-16: the empty buffer and RopRelease with a two-slot table.
#[test]
fn tv16_empty_and_release_buffers() {
    let empty = RopRequestBuffer::decode_exact(&[2, 0]).expect("empty");
    assert_eq!(empty, RopRequestBuffer::default());
    assert_eq!(empty.to_bytes().expect("encode"), [2, 0]);
    let payload = unhex("05 00 01 00 01 44 33 22 11 88 77 66 55");
    let buf = RopRequestBuffer::decode_exact(&payload).expect("decode");
    assert_eq!(buf.rops, [RopRequest::Release(ReleaseRequest { logon_id: 0, input_handle_index: 1 })]);
    assert_eq!(buf.handles, [0x1122_3344, 0x5566_7788]);
    // RopRelease has no response: an empty response list pairs with it.
    let resp = RopResponseBuffer::decode_with(&unhex("02 00 44 33 22 11"), &ExecuteContext::new(&buf)).expect("resp");
    assert!(resp.rops.is_empty());
}

#[test]
fn malformed_buffers_are_refused() {
    // RopSize below 2, RopSize beyond the buffer, a handle table that is not whole u32s.
    assert!(matches!(RopRequestBuffer::decode_exact(&[1, 0]), Err(DecodeError::Invalid { what: "RopSize", .. })));
    assert!(RopRequestBuffer::decode_exact(&[9, 0, 1, 0]).is_err());
    assert!(matches!(
        RopRequestBuffer::decode_exact(&[2, 0, 1, 2, 3]),
        Err(DecodeError::Invalid { what: "ServerObjectHandleTable", .. })
    ));
    // Reserved and response-only RopIds in a request (the server says ecRpcFormat, corrections B5).
    for id in [0x00, 0x28, 0x62, 0x2A, 0xFF] {
        let err = RopRequestBuffer::decode_exact(&[5, 0, id, 0, 0]).expect_err("reserved");
        assert!(matches!(err, DecodeError::Unsupported { what: "RopId", value, offset: 2 } if value == u64::from(id)));
    }
    // A truncated ROP inside the list.
    assert!(RopRequestBuffer::decode_exact(&unhex("05 00 02 00 00")).is_err());
}

fn one(rop: RopRequest) -> RopRequestBuffer {
    RopRequestBuffer { rops: vec![rop], handles: vec![0, 0xFFFF_FFFF] }
}

fn payload_of(list: &str) -> Vec<u8> {
    let rops = unhex(list);
    let mut out = ((rops.len() + 2) as u16).to_le_bytes().to_vec();
    out.extend(rops);
    out.extend([0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
    out
}

#[test]
fn responses_pair_with_their_requests() {
    let req = one(RopRequest::GetMessageStatus(GetMessageStatusRequest {
        logon_id: 0,
        input_handle_index: 0,
        message_id: MessageId::new(1, 7),
    }));
    // RopGetMessageStatus is answered with RopId 0x20 ([MS-OXCROPS] 2.2.6.9.2).
    let payload = payload_of("20 00 00 00 00 00 08 00 00 00");
    let buf = RopResponseBuffer::decode_with(&payload, &ExecuteContext::new(&req)).expect("decode");
    let [RopResponse::GetMessageStatus(s)] = buf.rops.as_slice() else { panic!("{buf:?}") };
    assert_eq!(s.success, Some(MessageStatusSuccess { message_status_flags: 8 }));
    assert_eq!(buf.rops[0].wire_id(), RopId::SET_MESSAGE_STATUS);
    assert_eq!(buf.to_bytes().expect("encode"), payload);
    // Without the request 0x20 reads as RopSetMessageStatus.
    let alone = RopResponseBuffer::decode_standalone(&payload).expect("standalone");
    assert!(matches!(alone.rops[0], RopResponse::SetMessageStatus(_)));
    // A response whose RopId is not its request's is refused.
    let wrong = payload_of("02 00 00 00 00 00 00 00");
    let err = RopResponseBuffer::decode_with(&wrong, &ExecuteContext::new(&req)).expect_err("mismatch");
    assert!(matches!(err, DecodeError::Invalid { what: "RopId", .. }));
    // More responses than requests.
    let extra = payload_of("20 00 00 00 00 00 08 00 00 00 20 00 00 00 00 00 08 00 00 00");
    let err = RopResponseBuffer::decode_with(&extra, &ExecuteContext::new(&req)).expect_err("extra");
    assert!(matches!(err, DecodeError::Invalid { what: "RopsList", .. }));
}

#[test]
fn buffer_too_small_ends_the_list() {
    let req = RopRequestBuffer {
        rops: vec![
            RopRequest::GetStoreState(GetStoreStateRequest { logon_id: 0, input_handle_index: 0 }),
            RopRequest::GetStoreState(GetStoreStateRequest { logon_id: 0, input_handle_index: 0 }),
        ],
        handles: vec![0],
    };
    // First ROP answered, then RopBufferTooSmall with the unexecuted second request.
    let payload = payload_of("7B 00 00 00 00 00 01 00 00 00 FF 10 00 7B 00 00");
    let buf = RopResponseBuffer::decode_with(&payload, &ExecuteContext::new(&req)).expect("decode");
    assert_eq!(buf.rops.len(), 2);
    let RopResponse::BufferTooSmall(b) = &buf.rops[1] else { panic!() };
    assert_eq!((b.size_needed, b.request_buffers.as_slice()), (16, &[0x7B, 0, 0][..]));
    assert_eq!(buf.to_bytes().expect("encode"), payload);
}

#[test]
fn move_copy_dest_null_object_carries_the_dest_index() {
    let bytes = unhex("33 01 03 05 00 00 02 00 00 00 01");
    let r: MoveCopyMessagesResponse = response_known_answer(&bytes, &ResponseContext::default());
    assert_eq!(
        (r.return_value, r.dest_handle_index, r.partial_completion),
        (ErrorCode::DST_NULL_OBJECT, Some(2), true)
    );
    // Other failures: PartialCompletion only.
    let r: MoveFolderResponse = response_known_answer(&unhex("35 01 05 40 00 80 00"), &ResponseContext::default());
    assert_eq!((r.dest_handle_index, r.partial_completion), (None, false));
}

#[test]
fn public_logon_request_forms() {
    let cd = LongTermId { guid: Guid([7; 16]), counter: GlobalCounter([0, 0, 0, 0, 0, 9]), pad: 0 };
    let smrf = SetMessageReadFlagRequest {
        logon_id: 3,
        response_handle_index: 1,
        input_handle_index: 1,
        read_flags: ReadFlags::SUPPRESS_RECEIPT,
        client_data: Some(cd),
    };
    let wpui = WritePerUserInformationRequest {
        logon_id: 3,
        input_handle_index: 0,
        folder_id: cd,
        has_finished: true,
        data_offset: 0,
        data: vec![1, 2, 3],
        repl_guid: None,
    };
    let buf = RopRequestBuffer {
        rops: vec![RopRequest::SetMessageReadFlag(smrf.clone()), RopRequest::WritePerUserInformation(wpui)],
        handles: vec![0, 0],
    };
    let bytes = buf.to_bytes().expect("encode");
    assert_eq!(RopRequestBuffer::decode_with_public_logons(&bytes, &[3]).expect("public"), buf);
    // Read as a private logon the same bytes do not parse as these ROPs.
    assert_ne!(RopRequestBuffer::decode_exact(&bytes).ok(), Some(buf.clone()));
    // A public RopSetMessageReadFlag response carries LogonId + ClientData when the state changed.
    let req = RopRequest::SetMessageReadFlag(smrf);
    let resp = SetMessageReadFlagResponse {
        handle_index: 1,
        return_value: ErrorCode::SUCCESS,
        read_status_changed: Some(true),
        public_client: Some((3, cd)),
    };
    response_round_trip(&resp, &ResponseContext { request: Some(&req), ..Default::default() });
}

#[test]
fn capture_recipients_parse_and_rebuild() {
    let Some(json) = capture_json("014") else { return };
    let payload = &capture_response_payloads("014", &json)[0];
    let mut r = Reader::new(&payload[2..]);
    let RopResponse::OpenMessage(m) = RopResponse::decode(&mut r, &ResponseContext::default()).expect("decode") else {
        panic!()
    };
    let info = m.success.expect("success");
    let recipients = info.recipients().expect("recipients");
    assert_eq!(recipients.len(), 1);
    let (kind, row) = &recipients[0];
    assert_eq!(*kind, RecipientType::TO);
    assert_eq!(row.email.as_ref().map(|e| e.text().into_owned()).as_deref(), Some("alice@example.test"));
    assert_eq!(row.row.len(), 6);

    let Some(json) = capture_json("031") else { return };
    let q: ModifyRecipientsRequest = request_known_answer(&capture_request_rops(&json)[2]);
    let rows = q.recipients().expect("parse");
    let row = rows[0].2.as_ref().expect("row");
    assert_eq!(row.display_name.as_ref().map(|d| d.text().into_owned()).as_deref(), Some("Bob Tester"));
    let rebuilt =
        ModifyRecipientsRequest::from_rows(q.logon_id, q.input_handle_index, q.recipient_columns.clone(), &rows)
            .expect("rebuild");
    assert_eq!(rebuilt, q, "byte-identical rebuild of the gromox-accepted row (corrections A16)");
}

/// PartialCompletion after a failure: [MS-OXCROPS] sends it, gromox sends only the header for
/// some ROPs (RopSetReadFlags, corrections B14; cf. A12). Both forms decode, alone and followed
/// by another response.
#[test]
fn partial_completion_on_failure_both_forms() {
    let ctx = ResponseContext::default();
    // Spec form: header + PartialCompletion.
    let r: SetReadFlagsResponse = response_known_answer(&unhex("66 01 05 00 07 80 01"), &ctx);
    assert_eq!(r.partial_completion, Some(true));
    // gromox form: header only, last in the list.
    let r: SetReadFlagsResponse = response_known_answer(&unhex("66 01 05 00 07 80"), &ctx);
    assert_eq!(r.partial_completion, None);
    // gromox form followed by another response (next byte is a RopId, never 0x00/0x01).
    let req = RopRequestBuffer {
        rops: vec![
            RopRequest::SetReadFlags(SetReadFlagsRequest {
                logon_id: 0,
                input_handle_index: 0,
                want_asynchronous: false,
                read_flags: ReadFlags::DEFAULT,
                message_ids: vec![MessageId::new(1, 9)],
            }),
            RopRequest::EmptyFolder(EmptyFolderRequest {
                logon_id: 0,
                input_handle_index: 0,
                want_asynchronous: false,
                want_delete_associated: true,
            }),
        ],
        handles: vec![0],
    };
    for (list, first, second) in [
        ("66 00 05 00 07 80 58 00 05 00 07 80 00", None, Some(false)),
        ("66 00 05 00 07 80 00 58 00 05 00 07 80", Some(false), None),
        ("66 00 00 00 00 00 01 58 00 00 00 00 00 00", Some(true), Some(false)),
    ] {
        let mut payload = payload_of(list);
        payload.truncate(payload.len() - 4);
        let buf = RopResponseBuffer::decode_with(&payload, &ExecuteContext::new(&req)).expect(list);
        let [RopResponse::SetReadFlags(a), RopResponse::EmptyFolder(b)] = buf.rops.as_slice() else {
            panic!("{buf:?}")
        };
        assert_eq!((a.partial_completion, b.partial_completion), (first, second), "{list}");
        assert_eq!(buf.to_bytes().expect("encode"), payload, "{list}");
    }
    // Success always carries it.
    assert!(SetReadFlagsResponse::decode_body(&mut Reader::new(&unhex("01 00 00 00 00")), &ctx).is_err());
}

/// The Logon layout follows the request: a public logon whose response LogonFlags happen to
/// carry the Private bit is still read as the public form.
#[test]
fn logon_layout_follows_the_request() {
    let mut hex = String::from("FE 00 00 00 00 00 01");
    for n in 1..=13 {
        hex += &format!(" 01 00 00 00 00 00 00 {n:02x}");
    }
    hex += " 02 00";
    hex += &" AB".repeat(32);
    let bytes = unhex(&hex);
    let req = RopRequest::Logon(LogonRequest {
        logon_id: 0,
        output_handle_index: 0,
        logon_flags: LogonFlags(0),
        open_flags: LogonOpenFlags::PUBLIC,
        store_state: 0,
        essdn: None,
    });
    let ctx = ResponseContext { request: Some(&req), ..Default::default() };
    let r: LogonResponse = response_known_answer(&bytes, &ctx);
    assert!(matches!(r.body, Some(LogonResponseBody::Public(_))));
    // Without the request the Private bit of the response decides (and the bytes are too short).
    assert!(LogonResponse::decode_body(&mut Reader::new(&bytes[1..]), &ResponseContext::default()).is_err());
}
