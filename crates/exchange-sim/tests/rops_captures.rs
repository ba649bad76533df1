//! Replays the ROP request buffers of the gromox 3.10 Execute captures
//! (`request_fields.uncompressed_rop_payload`) against a store shaped like
//! the capture mailbox and checks the same whole-call ErrorCode, the same
//! ROPs with the same ReturnValues and, for tables, the same row counts and
//! row forms. Captures whose ROPs mapi-wire cannot decode yet (property,
//! stream, notification, ICS ROPs) are not replayed here.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use mapi_wire::prop_value::PropertyRow;
use mapi_wire::rop::{ExecuteContext, RopRequestBuffer, RopResponse, RopResponseBuffer};
use mapi_wire::{Decode, ErrorCode};
use rops_common::*;

/// What a replay returns: whole-call code, our decoded answer (if any).
struct Replay {
    capture: serde_json::Value,
    code: ErrorCode,
    ours: Option<RopResponseBuffer>,
}

/// Logs alice on in `store` (handle 0, like gromox's logon handle), then runs the
/// capture's ROP payload with its MaxRopOut and Execute Flags.
fn replay_in(prefix: &str, store: exchange_sim::store::Store) -> Option<Replay> {
    let capture = capture_json(prefix)?;
    let mut h = Harness::new(&store, ALICE);
    assert_eq!(h.logon(), 0);
    let payload = hex(capture["request_fields"]["uncompressed_rop_payload"].as_str().unwrap());
    let flags = capture["request_fields"]["Flags"]
        .as_str()
        .map_or(3, |f| u32::from_str_radix(f.trim_start_matches("0x"), 16).unwrap());
    let (code, out) = h.execute_raw(&payload, capture_max_rop_out(&capture), flags);
    let ours = if out.is_empty() {
        None
    } else {
        let req = RopRequestBuffer::decode_exact(&payload).unwrap();
        Some(RopResponseBuffer::decode_with(&out, &ExecuteContext::new(&req)).unwrap())
    };
    Some(Replay { capture, code, ours })
}

/// Same whole-call code and the same (RopId, ReturnValue) list.
fn same_answers(prefix: &str) -> Option<Replay> {
    same_answers_in(prefix, seeded_store())
}

/// [`same_answers`] against `store`.
fn same_answers_in(prefix: &str, store: exchange_sim::store::Store) -> Option<Replay> {
    let r = replay_in(prefix, store)?;
    assert_eq!(r.code.0, capture_error_code(&r.capture), "{prefix}: whole-call ErrorCode");
    let theirs = capture_answers(&r.capture);
    let ours = r.ours.as_ref().map(return_values).unwrap_or_default();
    assert_eq!(ours, theirs, "{prefix}: (RopId, ReturnValue) of every response");
    // Responses whose bytes do not depend on the mailbox content are
    // compared byte for byte.
    if let Some(buf) = &r.ours {
        let theirs = capture_response_bytes(&r.capture);
        for (rop, bytes) in buf.rops.iter().zip(theirs) {
            let mut w = Vec::new();
            rop.encode(&mut w).unwrap();
            if CONTENT_FREE.contains(&w[0]) {
                assert_eq!(w, bytes, "{prefix}: bytes of RopId {:#04x}", w[0]);
            }
        }
    }
    Some(r)
}

/// RopIds whose answers are the same whatever the mailbox holds: OpenFolder,
/// SetColumns, SortTable, Restrict, SetReadFlags, ModifyRecipients,
/// RemoveAllRecipients, GetStoreState, SetMessageReadFlag,
/// RegisterNotification, upload state ROPs, SynchronizationConfigure,
/// GetAttachmentTable, OpenAttachment, SubmitMessage, GetReceiveFolder.
/// (Delete/HardDeleteMessages are not: PartialCompletion depends on which
/// MIDs the replayed mailbox has.)
const CONTENT_FREE: [u8; 18] =
    [0x02, 0x12, 0x13, 0x14, 0x66, 0x0E, 0x0D, 0x7B, 0x11, 0x29, 0x75, 0x76, 0x77, 0x70, 0x21, 0x22, 0x32, 0x27];

/// The exact bytes of every response of the capture.
fn capture_response_bytes(j: &serde_json::Value) -> Vec<Vec<u8>> {
    let mut out = vec![];
    for ext in j["response_decoded"]["rpc_header_ext"].as_array().into_iter().flatten() {
        for r in ext["decoded"]["responses"].as_array().into_iter().flatten() {
            out.push(hex(r["bytes"].as_str().unwrap_or("")));
        }
    }
    out
}

/// The capture's QueryRows responses: (RowCount, flagged row flags).
fn capture_rows(j: &serde_json::Value) -> Vec<(usize, Vec<u64>)> {
    let mut out = vec![];
    for r in j["response_decoded"]["rpc_header_ext"][0]["decoded"]["responses"].as_array().unwrap() {
        if r["rop"].as_str().unwrap_or("").contains("RopQueryRows") && r["Rows"].is_array() {
            let rows = r["Rows"].as_array().unwrap();
            out.push((rows.len(), rows.iter().map(|x| x["flag"].as_u64().unwrap_or(0)).collect()));
        }
    }
    out
}

fn our_rows(r: &RopResponseBuffer) -> Vec<(usize, Vec<u64>)> {
    r.rops
        .iter()
        .filter_map(|x| match x {
            RopResponse::QueryRows(q) => q.success.as_ref().map(|s| {
                (s.rows.len(), s.rows.iter().map(|row| u64::from(matches!(row, PropertyRow::Flagged(_)))).collect())
            }),
            _ => None,
        })
        .collect()
}

/// Same answers and the same rows (count and standard/flagged form).
fn same_rows(prefix: &str) {
    let Some(r) = same_answers(prefix) else { return };
    assert_eq!(our_rows(r.ours.as_ref().unwrap()), capture_rows(&r.capture), "{prefix}: rows");
}

#[test]
fn capture_008_ipmsubtree_hierarchy_table() {
    same_answers("008");
}

#[test]
fn capture_009_root_hierarchy_table() {
    same_answers("009");
}

#[test]
fn capture_010_inbox_contents_sorted() {
    same_rows("010");
}

#[test]
fn capture_011_inbox_restrict_content_subject() {
    same_rows("011");
}

#[test]
fn capture_012_inbox_restrict_property_messageflags() {
    same_answers("012");
}

#[test]
fn capture_013_inbox_restrict_bitmask_and_exist() {
    same_rows("013");
}

#[test]
fn capture_018_attachment_table() {
    same_rows("018");
}

#[test]
fn capture_020_openmessage_readrecipients() {
    let Some(r) = same_answers("020") else { return };
    let ours = r.ours.unwrap();
    let RopResponse::OpenMessage(o) = &ours.rops[0] else { panic!() };
    assert_eq!(o.success.as_ref().unwrap().recipient_columns.len(), 6);
}

#[test]
fn capture_021_sentitems_contents() {
    same_rows("021");
}

#[test]
fn capture_026_calendar_contents_namedprops() {
    same_answers("026");
}

#[test]
fn capture_028_contacts_contents() {
    same_answers("028");
}

#[test]
fn capture_030_error_modifyrecipients_forbidden_columns() {
    same_answers("030");
}

#[test]
fn capture_034_setreadflags_mark_read() {
    same_answers("034");
}

#[test]
fn capture_036_movecopymessages_copy_to_drafts() {
    same_answers("036");
}

#[test]
fn capture_038_deletemessages_copies() {
    same_answers("038");
}

#[test]
fn capture_039_harddeletemessages_draft() {
    same_answers("039");
}

#[test]
fn capture_052_error_invalid_input_handle_ffffffff() {
    same_answers("052");
}

#[test]
fn capture_053_error_invalid_input_handle_bogus() {
    same_answers("053");
}

#[test]
fn capture_055_error_setreadflags_unknown_mid() {
    same_answers("055");
}

#[test]
fn capture_056_error_handle_index_out_of_range() {
    same_answers("056");
}

#[test]
fn capture_057_error_reserved_ropid() {
    same_answers("057");
}

#[test]
fn capture_058_maxropout_0x80() {
    same_answers("058");
}

#[test]
fn capture_059_maxropout_0xc0() {
    same_answers("059");
}

#[test]
fn capture_060_maxropout_0x100() {
    same_rows("060");
}

#[test]
fn capture_061_getreceivefolder() {
    same_answers("061");
}

#[test]
fn capture_120_inbox_contents_compressed() {
    same_rows("120");
}

#[test]
fn capture_121_ipmsubtree_hierarchy_compressed() {
    same_answers("121");
}

#[test]
fn capture_125_contents_ptypunspecified_columns() {
    same_answers("125");
}

#[test]
fn capture_007_special_folder_entryids() {
    same_answers("007");
}

#[test]
fn capture_014_openmessage_html_getpropertiesall() {
    same_answers("014");
}

#[test]
fn capture_015_openmessage_html_getpropertiesspecific_bodies() {
    same_answers("015");
}

#[test]
fn capture_016_openstream_readstream_html_and_body() {
    same_answers("016");
}

#[test]
fn capture_017_getpropertiesspecific_sizelimit16() {
    same_answers("017");
}

#[test]
fn capture_019_openattachment_getpropertiesall_readstream() {
    same_answers("019");
}

#[test]
fn capture_023_getpropertyidsfromnames_nocreate() {
    same_answers("023");
}

#[test]
fn capture_024_getpropertyidsfromnames_create() {
    same_answers("024");
}

#[test]
fn capture_025_getnamesfrompropertyids() {
    same_answers("025");
}

#[test]
fn capture_031_createmessage_drafts_save() {
    same_answers("031");
}

#[test]
fn capture_033_createmessage_submitmessage_to_bob() {
    same_answers("033");
}

#[test]
fn capture_035_setmessagereadflag_clear() {
    same_answers("035");
}

#[test]
fn capture_041_registernotification_inbox() {
    same_answers("041");
}

#[test]
fn capture_051_error_openfolder_notfound() {
    same_answers("051");
}

#[test]
fn capture_054_error_readstream_on_logon_handle() {
    same_answers("054");
}

#[test]
fn capture_124_getpropertyidsfromnames_unmapped_nocreate() {
    same_answers("124");
}

#[test]
fn capture_126_getpropertyidsfromnames_globalobjectid() {
    same_answers("126");
}

#[test]
fn capture_127_calendar_globalobjectid_columns() {
    same_answers("127");
}

#[test]
fn capture_046_ics_contents_inbox_initial() {
    let Some(r) = same_answers("046") else { return };
    // The stream parses as a contents sync with the five Inbox mails.
    let ours = r.ours.unwrap();
    let Some(RopResponse::FastTransferSourceGetBuffer(g)) = ours.rops.last() else { panic!() };
    let sync = mapi_wire::fx::ContentsSync::parse(&g.transfer_buffer).unwrap();
    assert_eq!(sync.message_changes.len(), 5);
    assert!(sync.message_changes.iter().all(|m| m.mid().is_some() && m.change_number().is_some()));
    assert!(sync.deletions.is_none());
}

#[test]
fn capture_050_ics_contents_inbox_incremental() {
    same_answers("050");
}

#[test]
fn capture_048_ics_hierarchy_ipmsubtree_chained() {
    let Some(capture) = capture_json("048") else { return };
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    assert_eq!(h.logon(), 0);
    let payload = hex(capture["request_fields"]["uncompressed_rop_payload"].as_str().unwrap());
    let (code, payloads) = h.execute_chain(&payload, capture_max_rop_out(&capture), 7);
    assert_eq!(code, ErrorCode::SUCCESS);
    let req = RopRequestBuffer::decode_exact(&payload).unwrap();
    let first = RopResponseBuffer::decode_with(&payloads[0], &ExecuteContext::new(&req)).unwrap();
    let theirs = capture_answers(&capture);
    let n = req.rops.iter().filter(|r| !matches!(r, mapi_wire::rop::RopRequest::Release(_))).count();
    assert_eq!(return_values(&first), theirs[..n].to_vec());
    // The later payloads repeat the GetBuffer; the stream ends Done and
    // parses as a hierarchy sync.
    assert!(payloads.len() > 1, "chained");
    let get_buffer_only = RopRequestBuffer { rops: vec![req.rops[n - 1].clone()], handles: req.handles.clone() };
    let mut stream = Vec::new();
    let mut last = None;
    for (i, p) in payloads.iter().enumerate() {
        let resp = if i == 0 {
            first.clone()
        } else {
            RopResponseBuffer::decode_with(p, &ExecuteContext::new(&get_buffer_only)).unwrap()
        };
        let Some(RopResponse::FastTransferSourceGetBuffer(g)) = resp.rops.last() else { panic!() };
        stream.extend_from_slice(&g.transfer_buffer);
        last = Some(g.transfer_status);
    }
    assert_eq!(last, Some(mapi_wire::rop::TransferStatus::DONE));
    let sync = mapi_wire::fx::HierarchySync::parse(&stream).unwrap();
    assert!(!sync.folder_changes.is_empty());
}

#[test]
fn capture_005_roplogon_private() {
    let Some(capture) = capture_json("005") else { return };
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let payload = hex(capture["request_fields"]["uncompressed_rop_payload"].as_str().unwrap());
    let (code, out) = h.execute_raw(&payload, capture_max_rop_out(&capture), 3);
    assert_eq!(code, ErrorCode::SUCCESS);
    let theirs = capture_response_bytes(&capture).remove(0);
    let req = RopRequestBuffer::decode_exact(&payload).unwrap();
    let ours = RopResponseBuffer::decode_with(&out, &ExecuteContext::new(&req)).unwrap();
    let mut w = Vec::new();
    ours.rops[0].encode(&mut w).unwrap();
    // 166 bytes as TV-8/B8; same header, LogonFlags, the 13 FolderIds (the
    // simulator uses gromox's counters), ResponseFlags 0x07.
    assert_eq!(w.len(), 166);
    assert_eq!(w.len(), theirs.len());
    assert_eq!(w[..7 + 13 * 8 + 1], theirs[..7 + 13 * 8 + 1]);
    // ReplId 1 (the capture's 5 is gromox-specific, corrections A15).
    assert_eq!(&w[7 + 13 * 8 + 1 + 16..7 + 13 * 8 + 1 + 18], &[1, 0]);
}

/// The capture mailbox plus the messages captures 022, 027 and 029 open,
/// at gromox's MIDs: a sent mail with a recipient (counter 0x60000), a
/// contact (0x80000) and an appointment (0x90000).
fn store_with_opened_items() -> exchange_sim::store::Store {
    use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder};
    use mapi_wire::PropTag;
    use mapi_wire::prop_value::PropValue;
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    let at = |counter: u64, folder: SpecialFolder, class: &str, subject: &str, rcpt: bool| {
        let next = alice.reserve_ids(1).unwrap().value();
        if next + 1 < counter {
            alice.reserve_ids((counter - next - 1) as u32).unwrap();
        }
        let mut props = PropBag::new();
        props.set(PropTag::MESSAGE_CLASS, PropValue::String(class.into()));
        props.set(PropTag::SUBJECT, PropValue::String(subject.into()));
        props.set(PropTag::BODY, PropValue::String(format!("{subject}\r\n")));
        let mut recipients = Vec::new();
        if rcpt {
            let mut r = PropBag::new();
            r.set(PropTag::DISPLAY_NAME, PropValue::String("Bob Tester".into()));
            r.set(PropTag::SMTP_ADDRESS, PropValue::String(BOB.into()));
            r.set(PropTag::EMAIL_ADDRESS, PropValue::String(BOB.into()));
            r.set(PropTag::ADDRESS_TYPE, PropValue::String("SMTP".into()));
            r.set(PropTag::RECIPIENT_TYPE, PropValue::I32(1));
            recipients.push(r);
        }
        let content = MessageContent { props, recipients, attachments: vec![] };
        let saved = alice.save_message(alice.special_folder(folder), None, false, &content, SaveMode::Normal).unwrap();
        assert_eq!(saved.id.global_counter().value(), counter);
    };
    at(0x60000, SpecialFolder::SentItems, "IPM.Note", "Sent to bob", true);
    at(0x80000, SpecialFolder::Contacts, "IPM.Contact", "Bob Tester", false);
    at(0x90000, SpecialFolder::Calendar, "IPM.Appointment", "Team sync", false);
    store
}

#[test]
fn capture_022_sentitems_openmessage_recipients() {
    same_answers_in("022", store_with_opened_items());
}

#[test]
fn capture_027_open_appointment_getpropertiesall() {
    same_answers_in("027", store_with_opened_items());
}

#[test]
fn capture_029_open_contact_getpropertiesall() {
    same_answers_in("029", store_with_opened_items());
}

#[test]
fn capture_037_drafts_contents_after_copy() {
    same_answers("037");
}

#[test]
fn capture_040_drafts_contents_after_delete() {
    same_answers("040");
}

#[test]
fn capture_045_release_notification_handles() {
    same_answers("045");
}

#[test]
fn capture_049_ics_setreadflags_before_incremental() {
    same_answers("049");
}

#[test]
fn capture_118_inbox_contents_compressed_flags0() {
    same_rows("118");
}

#[test]
fn capture_119_inbox_contents_compressed_flags_nocompression() {
    same_rows("119");
}

#[test]
fn capture_032_open_created_draft() {
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    // gromox saved 031's draft at MID counter 0x40008; let ours land there.
    let next = alice.reserve_ids(1).unwrap().value();
    if next + 1 < 0x40008 {
        alice.reserve_ids((0x40008 - next - 1) as u32).unwrap();
    }
    same_answers_in("031", store.clone());
    let Some(r) = same_answers_in("032", store) else { return };
    // The stored draft reads back with the properties 031 set.
    let ours = r.ours.unwrap();
    let RopResponse::GetPropertiesAll(g) = &ours.rops[1] else { panic!() };
    let tags: Vec<u32> = g.values.as_ref().unwrap().iter().map(|v| v.tag.0).collect();
    assert!(tags.contains(&mapi_wire::PropTag::SUBJECT.0), "{tags:x?}");
}
