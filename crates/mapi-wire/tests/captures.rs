//! Every MAPI/HTTP exchange of the gromox 3.10 captures (and of the
//! conversion-fixture recordings), one test each,
//! named after the capture: the request body and the binary part of the
//! response decode without error and re-encode byte-identical, down through
//! the RPC_HEADER_EXT chain (as transmitted: compressed/obfuscated bytes
//! included) to every ROP buffer, which is decoded against its request.
//!
//! Captures that record a refused or broken exchange check what a peer sees
//! instead (an HTML error page, a truncated body) and name the deviation.

use std::path::{Path, PathBuf};

use mapi_wire::emsmdb::{self, ExecuteRequest, ExecuteResponse, MapiResponse};
use mapi_wire::http::{FramedResponse, FramerLimits, RequestKind, RequestType};
use mapi_wire::rop::{ExecuteContext, RopRequestBuffer, RopResponseBuffer};
use mapi_wire::rpc_ext::{ChainLimits, decode_chain};
use mapi_wire::{Decode, Encode, nspi};
use serde_json::Value;

fn dir(set: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/captures").join(set)
}

fn read(set: &str, name: &str) -> Vec<u8> {
    let p = dir(set).join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Re-encodes a chain from its decoded buffers (each keeps its transmitted
/// bytes) and checks every payload's ROPs round-trip too.
fn chain_round_trip(bytes: &[u8]) -> Vec<Vec<u8>> {
    let chain = decode_chain(bytes, &ChainLimits::default()).expect("RPC_HEADER_EXT chain");
    let mut again = Vec::new();
    for ext in &chain {
        ext.encode(&mut again).expect("encodable");
    }
    assert_eq!(again, bytes, "RPC_HEADER_EXT chain re-encodes byte-identical");
    chain.into_iter().map(|e| e.payload).collect()
}

fn check(set: &str, name: &str) {
    let meta: Value = serde_json::from_slice(&read(set, &format!("{name}.json"))).expect("capture JSON");
    let kind_name = meta["request_type"].as_str().expect("request type");
    let kind = RequestType::parse(kind_name).ok().and_then(|t| t.kind()).expect("known request type");
    let req = read(set, &format!("{name}.req.bin"));
    let resp = read(set, &format!("{name}.resp.bin"));
    let code = meta["X-ResponseCode"].as_str().unwrap_or("");

    // Request side.
    let mut request_rops = Vec::new();
    match kind {
        RequestKind::Ping => {}
        RequestKind::Execute => match ExecuteRequest::decode_exact(&req) {
            Ok(body) => {
                assert_eq!(body.to_bytes().expect("encodable"), req, "Execute request re-encodes");
                for payload in chain_round_trip(&body.rop_buffer) {
                    match RopRequestBuffer::decode_exact(&payload) {
                        Ok(rops) => {
                            assert_eq!(rops.to_bytes().expect("encodable"), payload, "ROP request buffer");
                            request_rops.push(rops);
                        }
                        // Reserved RopId 0x00 sent on purpose (gromox: ecRpcFormat).
                        Err(e) => assert!(name.starts_with("057-"), "ROP request buffer: {e}"),
                    }
                }
            }
            // "truncated body": RopBufferSize itself is cut (X-ResponseCode 5).
            Err(_) => assert!(name.starts_with("071-"), "Execute request must decode"),
        },
        k if matches!(k, RequestKind::Connect | RequestKind::Disconnect | RequestKind::NotificationWait) => {
            let body = emsmdb::Request::decode_for(k, &req).expect("mailbox request");
            assert_eq!(body.to_bytes().expect("encodable"), req, "request re-encodes");
        }
        k => match nspi::Request::decode_for(k, &req) {
            Ok(body) => assert_eq!(body.to_bytes().expect("encodable"), req, "NSPI request re-encodes"),
            // A name list with an extra HasValue byte: one trailing byte by
            // the spec (gromox misread it as well).
            Err(_) => assert!(name.starts_with("102-"), "NSPI request must decode"),
        },
    }

    // Response side.
    if meta["http_status"] != 200 {
        return;
    }
    if code != "0" {
        // X-ResponseCode errors are an HTML page, not a MAPI body.
        let framed = FramedResponse::collect(&resp, FramerLimits::default()).expect("error page");
        let page = framed.non_mapi_body.expect("a non-MAPI body");
        assert!(page.starts_with(b"<!DOCTYPE"), "X-ResponseCode {code} answers an HTML page");
        return;
    }
    let framed = match FramedResponse::collect(&resp, FramerLimits::default()) {
        Ok(f) => f,
        // NotificationWait that never completed: only PENDING tokens.
        Err(_) => return assert!(name.starts_with("134-"), "response framing"),
    };
    let body = framed.body;
    match kind {
        RequestKind::Ping => assert!(body.is_empty(), "PING has no body"),
        RequestKind::Execute => {
            let parsed = MapiResponse::<ExecuteResponse>::decode_exact(&body).expect("Execute response");
            assert_eq!(parsed.to_bytes().expect("encodable"), body, "Execute response re-encodes");
            let MapiResponse::Completed(r) = parsed else { return };
            for (i, payload) in chain_round_trip(&r.rop_buffer).into_iter().enumerate() {
                let first = request_rops.first();
                // Later payloads of a chained answer repeat the last ROP (B6).
                let repeated = first.map(|f| RopRequestBuffer {
                    rops: f.rops.last().cloned().into_iter().collect(),
                    handles: f.handles.clone(),
                });
                let ctx_req = if i == 0 { first.cloned() } else { repeated };
                let rops = match &ctx_req {
                    Some(q) => RopResponseBuffer::decode_with(&payload, &ExecuteContext::new(q)),
                    None => RopResponseBuffer::decode_standalone(&payload),
                }
                .expect("ROP response buffer");
                assert_eq!(rops.to_bytes().expect("encodable"), payload, "ROP response buffer re-encodes");
            }
        }
        RequestKind::Connect => round_trip::<emsmdb::ConnectResponse>(&body),
        RequestKind::Disconnect => round_trip::<emsmdb::DisconnectResponse>(&body),
        RequestKind::NotificationWait => round_trip::<emsmdb::NotificationWaitResponse>(&body),
        RequestKind::CompareMIds => {
            let r = nspi::CompareMIdsResponse::decode_body(&body, mapi_wire::http::ServerDialect::Gromox)
                .expect("CompareMIds (gromox order, corrections B24)");
            let again = nspi::CompareMIdsResponse::encode_body(&r, mapi_wire::http::ServerDialect::Gromox);
            assert_eq!(again.expect("encodable"), body);
        }
        RequestKind::Bind => round_trip::<nspi::BindResponse>(&body),
        RequestKind::Unbind => round_trip::<nspi::UnbindResponse>(&body),
        RequestKind::DnToMId => round_trip::<nspi::DnToMIdResponse>(&body),
        RequestKind::GetMatches => round_trip::<nspi::GetMatchesResponse>(&body),
        RequestKind::GetPropList => round_trip::<nspi::GetPropListResponse>(&body),
        RequestKind::GetProps => round_trip::<nspi::GetPropsResponse>(&body),
        RequestKind::GetSpecialTable => round_trip::<nspi::GetSpecialTableResponse>(&body),
        RequestKind::GetTemplateInfo => round_trip::<nspi::GetTemplateInfoResponse>(&body),
        RequestKind::QueryColumns => round_trip::<nspi::QueryColumnsResponse>(&body),
        RequestKind::QueryRows => round_trip::<nspi::QueryRowsResponse>(&body),
        RequestKind::ResolveNames => round_trip::<nspi::ResolveNamesResponse>(&body),
        RequestKind::SeekEntries => round_trip::<nspi::SeekEntriesResponse>(&body),
        RequestKind::UpdateStat => round_trip::<nspi::UpdateStatResponse>(&body),
        RequestKind::GetMailboxUrl => round_trip::<nspi::GetMailboxUrlResponse>(&body),
        RequestKind::GetAddressBookUrl => round_trip::<nspi::GetAddressBookUrlResponse>(&body),
        other => panic!("no capture of {other:?} expected"),
    }
}

fn round_trip<T: emsmdb::ResponseFields>(body: &[u8]) {
    let parsed = MapiResponse::<T>::decode_exact(body).expect("response body");
    assert_eq!(parsed.to_bytes().expect("encodable"), body, "response re-encodes byte-identical");
}

macro_rules! capture_test {
    ($ident:ident, $name:literal) => {
        #[test]
        fn $ident() {
            check("gromox-3.10", $name);
        }
    };
}

/// The exchanges recorded while gromox converted iCalendar, vCard and MIME
/// fixtures (`gromox-3.10-conversions`): same checks.
macro_rules! conversion_test {
    ($ident:ident, $name:literal) => {
        #[test]
        fn $ident() {
            check("gromox-3.10-conversions", $name);
        }
    };
}

capture_test!(capture_004_emsmdb_connect_alice, "004-emsmdb-connect-alice");
capture_test!(capture_005_execute_roplogon_private, "005-execute-roplogon-private");
capture_test!(capture_006_emsmdb_ping, "006-emsmdb-ping");
capture_test!(capture_007_execute_special_folder_entryids, "007-execute-special-folder-entryids");
capture_test!(capture_008_execute_ipmsubtree_hierarchy_table, "008-execute-ipmsubtree-hierarchy-table");
capture_test!(capture_009_execute_root_hierarchy_table, "009-execute-root-hierarchy-table");
capture_test!(capture_010_execute_inbox_contents_sorted, "010-execute-inbox-contents-sorted");
capture_test!(capture_011_execute_inbox_restrict_content_subject, "011-execute-inbox-restrict-content-subject");
capture_test!(
    capture_012_execute_inbox_restrict_property_messageflags,
    "012-execute-inbox-restrict-property-messageflags"
);
capture_test!(capture_013_execute_inbox_restrict_bitmask_and_exist, "013-execute-inbox-restrict-bitmask-and-exist");
capture_test!(capture_014_execute_openmessage_html_getpropertiesall, "014-execute-openmessage-html-getpropertiesall");
capture_test!(
    capture_015_execute_openmessage_html_getpropertiesspecific_bodies,
    "015-execute-openmessage-html-getpropertiesspecific-bodies"
);
capture_test!(
    capture_016_execute_openstream_readstream_html_and_body,
    "016-execute-openstream-readstream-html-and-body"
);
capture_test!(capture_017_execute_getpropertiesspecific_sizelimit16, "017-execute-getpropertiesspecific-sizelimit16");
capture_test!(capture_018_execute_attachment_table, "018-execute-attachment-table");
capture_test!(
    capture_019_execute_openattachment_getpropertiesall_readstream,
    "019-execute-openattachment-getpropertiesall-readstream"
);
capture_test!(capture_020_execute_openmessage_readrecipients, "020-execute-openmessage-readrecipients");
capture_test!(capture_021_execute_sentitems_contents, "021-execute-sentitems-contents");
capture_test!(capture_022_execute_sentitems_openmessage_recipients, "022-execute-sentitems-openmessage-recipients");
capture_test!(capture_023_execute_getpropertyidsfromnames_nocreate, "023-execute-getpropertyidsfromnames-nocreate");
capture_test!(capture_024_execute_getpropertyidsfromnames_create, "024-execute-getpropertyidsfromnames-create");
capture_test!(capture_025_execute_getnamesfrompropertyids, "025-execute-getnamesfrompropertyids");
capture_test!(capture_026_execute_calendar_contents_namedprops, "026-execute-calendar-contents-namedprops");
capture_test!(capture_027_execute_open_appointment_getpropertiesall, "027-execute-open-appointment-getpropertiesall");
capture_test!(capture_028_execute_contacts_contents, "028-execute-contacts-contents");
capture_test!(capture_029_execute_open_contact_getpropertiesall, "029-execute-open-contact-getpropertiesall");
capture_test!(
    capture_030_execute_error_modifyrecipients_forbidden_columns,
    "030-execute-error-modifyrecipients-forbidden-columns"
);
capture_test!(capture_031_execute_createmessage_drafts_save, "031-execute-createmessage-drafts-save");
capture_test!(capture_032_execute_open_created_draft, "032-execute-open-created-draft");
capture_test!(capture_033_execute_createmessage_submitmessage_to_bob, "033-execute-createmessage-submitmessage-to-bob");
capture_test!(capture_034_execute_setreadflags_mark_read, "034-execute-setreadflags-mark-read");
capture_test!(capture_035_execute_setmessagereadflag_clear, "035-execute-setmessagereadflag-clear");
capture_test!(capture_036_execute_movecopymessages_copy_to_drafts, "036-execute-movecopymessages-copy-to-drafts");
capture_test!(capture_037_execute_drafts_contents_after_copy, "037-execute-drafts-contents-after-copy");
capture_test!(capture_038_execute_deletemessages_copies, "038-execute-deletemessages-copies");
capture_test!(capture_039_execute_harddeletemessages_draft, "039-execute-harddeletemessages-draft");
capture_test!(capture_040_execute_drafts_contents_after_delete, "040-execute-drafts-contents-after-delete");
capture_test!(capture_041_execute_registernotification_inbox, "041-execute-registernotification-inbox");
capture_test!(capture_042_emsmdb_notificationwait_newmail, "042-emsmdb-notificationwait-newmail");
capture_test!(
    capture_043_execute_empty_fetch_notifications_tv16_maxropout_0x60,
    "043-execute-empty-fetch-notifications-tv16-maxropout-0x60"
);
capture_test!(capture_044_execute_empty_fetch_notifications, "044-execute-empty-fetch-notifications");
capture_test!(capture_045_execute_release_notification_handles, "045-execute-release-notification-handles");
capture_test!(capture_046_execute_ics_contents_inbox_initial, "046-execute-ics-contents-inbox-initial");
capture_test!(capture_047_execute_ics_gettransferstate, "047-execute-ics-gettransferstate");
capture_test!(capture_048_execute_ics_hierarchy_ipmsubtree_chained, "048-execute-ics-hierarchy-ipmsubtree-chained");
capture_test!(
    capture_049_execute_ics_setreadflags_before_incremental,
    "049-execute-ics-setreadflags-before-incremental"
);
capture_test!(capture_050_execute_ics_contents_inbox_incremental, "050-execute-ics-contents-inbox-incremental");
capture_test!(capture_051_execute_error_openfolder_notfound, "051-execute-error-openfolder-notfound");
capture_test!(
    capture_052_execute_error_invalid_input_handle_ffffffff,
    "052-execute-error-invalid-input-handle-ffffffff"
);
capture_test!(capture_053_execute_error_invalid_input_handle_bogus, "053-execute-error-invalid-input-handle-bogus");
capture_test!(capture_054_execute_error_readstream_on_logon_handle, "054-execute-error-readstream-on-logon-handle");
capture_test!(capture_055_execute_error_setreadflags_unknown_mid, "055-execute-error-setreadflags-unknown-mid");
capture_test!(capture_056_execute_error_handle_index_out_of_range, "056-execute-error-handle-index-out-of-range");
capture_test!(capture_057_execute_error_reserved_ropid, "057-execute-error-reserved-ropid");
capture_test!(capture_058_execute_maxropout_0x80, "058-execute-maxropout-0x80");
capture_test!(capture_059_execute_maxropout_0xc0, "059-execute-maxropout-0xC0");
capture_test!(capture_060_execute_maxropout_0x100, "060-execute-maxropout-0x100");
capture_test!(capture_061_execute_before_stale_sequence, "061-execute-before-stale-sequence");
capture_test!(capture_062_execute_error_stale_sequence_cookie, "062-execute-error-stale-sequence-cookie");
capture_test!(capture_063_execute_error_missing_cookie_header, "063-execute-error-missing-cookie-header");
capture_test!(capture_064_execute_error_missing_sequence_cookie, "064-execute-error-missing-sequence-cookie");
capture_test!(capture_065_execute_error_unknown_sid, "065-execute-error-unknown-sid");
capture_test!(capture_066_execute_error_missing_x_requestid, "066-execute-error-missing-x-requestid");
capture_test!(capture_067_execute_error_missing_x_requesttype, "067-execute-error-missing-x-requesttype");
capture_test!(capture_068_execute_error_other_user_on_session, "068-execute-error-other-user-on-session");
capture_test!(capture_069_execute_error_no_authorization, "069-execute-error-no-authorization");
capture_test!(capture_070_execute_after_errors_session_still_fine, "070-execute-after-errors-session-still-fine");
capture_test!(capture_071_execute_error_truncated_body, "071-execute-error-truncated-body");
capture_test!(
    capture_072_execute_error_after_truncated_body_sequence_lost,
    "072-execute-error-after-truncated-body-sequence-lost"
);
capture_test!(
    capture_073_emsmdb_connect_again_with_old_cookies_recovers,
    "073-emsmdb-connect-again-with-old-cookies-recovers"
);
capture_test!(capture_074_execute_roplogon_after_reconnect, "074-execute-roplogon-after-reconnect");
capture_test!(capture_075_execute_error_unknown_requesttype, "075-execute-error-unknown-requesttype");
capture_test!(
    capture_076_execute_error_after_unknown_requesttype_sequence_lost,
    "076-execute-error-after-unknown-requesttype-sequence-lost"
);
capture_test!(
    capture_077_emsmdb_connect_again_after_unknown_requesttype,
    "077-emsmdb-connect-again-after-unknown-requesttype"
);
capture_test!(capture_078_execute_roplogon_after_second_reconnect, "078-execute-roplogon-after-second-reconnect");
capture_test!(capture_079_emsmdb_connect_error_foreign_userdn, "079-emsmdb-connect-error-foreign-userdn");
capture_test!(capture_080_emsmdb_connect_error_unknown_userdn, "080-emsmdb-connect-error-unknown-userdn");
capture_test!(capture_081_emsmdb_connect_error_admin_flag, "081-emsmdb-connect-error-admin-flag");
capture_test!(capture_082_execute_request_xormagic, "082-execute-request-xormagic");
capture_test!(capture_083_execute_request_compressed, "083-execute-request-compressed");
capture_test!(capture_084_execute_request_compressed_xormagic, "084-execute-request-compressed-xormagic");
capture_test!(capture_085_execute_flags0_allow_compression_and_xor, "085-execute-flags0-allow-compression-and-xor");
capture_test!(capture_086_execute_cleanup_restore_unread, "086-execute-cleanup-restore-unread");
capture_test!(capture_087_execute_cleanup_restore_unread, "087-execute-cleanup-restore-unread");
capture_test!(capture_088_execute_cleanup_harddelete_test_mails, "088-execute-cleanup-harddelete-test-mails");
capture_test!(capture_089_emsmdb_connect_again_with_session_cookies, "089-emsmdb-connect-again-with-session-cookies");
capture_test!(capture_090_emsmdb_disconnect, "090-emsmdb-disconnect");
capture_test!(capture_091_execute_after_disconnect, "091-execute-after-disconnect");
capture_test!(capture_092_nspi_bind, "092-nspi-bind");
capture_test!(capture_093_nspi_getspecialtable_hierarchy, "093-nspi-getspecialtable-hierarchy");
capture_test!(capture_094_nspi_queryrows_gal, "094-nspi-queryrows-gal");
capture_test!(capture_095_nspi_queryrows_gal_ephemeral_entryids, "095-nspi-queryrows-gal-ephemeral-entryids");
capture_test!(capture_096_nspi_getmatches_content_prefix_bo, "096-nspi-getmatches-content-prefix-bo");
capture_test!(capture_097_nspi_getmatches_anr_bo, "097-nspi-getmatches-anr-bo");
capture_test!(capture_098_nspi_getmatches_displayname_gt_bo, "098-nspi-getmatches-displayname-gt-bo");
capture_test!(capture_099_nspi_seekentries_bo, "099-nspi-seekentries-bo");
capture_test!(capture_100_nspi_resolvenames_bob, "100-nspi-resolvenames-bob");
capture_test!(capture_101_nspi_dntomid_bob, "101-nspi-dntomid-bob");
capture_test!(
    capture_102_nspi_resolvenames_bob_with_element_hasvalue,
    "102-nspi-resolvenames-bob-with-element-hasvalue"
);
capture_test!(capture_103_nspi_resolvenames_multi, "103-nspi-resolvenames-multi");
capture_test!(capture_104_nspi_getprops_bob, "104-nspi-getprops-bob");
capture_test!(capture_105_nspi_getproplist_bob, "105-nspi-getproplist-bob");
capture_test!(capture_106_nspi_comparemids_bob_vs_alice, "106-nspi-comparemids-bob-vs-alice");
capture_test!(capture_107_nspi_updatestat, "107-nspi-updatestat");
capture_test!(capture_108_nspi_gettemplateinfo_mailuser, "108-nspi-gettemplateinfo-mailuser");
capture_test!(capture_109_nspi_getmailboxurl, "109-nspi-getmailboxurl");
capture_test!(capture_110_nspi_getaddressbookurl, "110-nspi-getaddressbookurl");
capture_test!(capture_111_nspi_ping, "111-nspi-ping");
capture_test!(capture_112_nspi_querycolumns_spec_spelling, "112-nspi-querycolumns-spec-spelling");
capture_test!(capture_113_nspi_queryrows_after_refusal_sequence_lost, "113-nspi-queryrows-after-refusal-sequence-lost");
capture_test!(capture_114_nspi_bind_again_with_old_cookies, "114-nspi-bind-again-with-old-cookies");
capture_test!(capture_115_nspi_querycolumn_gromox_spelling, "115-nspi-querycolumn-gromox-spelling");
capture_test!(capture_116_nspi_error_missing_cookie, "116-nspi-error-missing-cookie");
capture_test!(capture_117_nspi_unbind, "117-nspi-unbind");
capture_test!(capture_118_execute_inbox_contents_compressed_flags0, "118-execute-inbox-contents-compressed-flags0");
capture_test!(
    capture_119_execute_inbox_contents_compressed_flags_nocompression,
    "119-execute-inbox-contents-compressed-flags-nocompression"
);
capture_test!(
    capture_120_execute_inbox_contents_compressed_flags_noxor,
    "120-execute-inbox-contents-compressed-flags-noxor"
);
capture_test!(
    capture_121_execute_ipmsubtree_hierarchy_compressed_flags0,
    "121-execute-ipmsubtree-hierarchy-compressed-flags0"
);
capture_test!(
    capture_122_execute_request_compressed_xormagic_compressed,
    "122-execute-request-compressed-xormagic-compressed"
);
capture_test!(capture_123_emsmdb_disconnect_compressed, "123-emsmdb-disconnect-compressed");
capture_test!(
    capture_124_execute_getpropertyidsfromnames_unmapped_nocreate,
    "124-execute-getpropertyidsfromnames-unmapped-nocreate"
);
capture_test!(capture_125_execute_contents_ptypunspecified_columns, "125-execute-contents-ptypunspecified-columns");
capture_test!(
    capture_126_execute_getpropertyidsfromnames_globalobjectid,
    "126-execute-getpropertyidsfromnames-globalobjectid"
);
capture_test!(capture_127_execute_calendar_globalobjectid_columns, "127-execute-calendar-globalobjectid-columns");
capture_test!(capture_128_emsmdb_disconnect_extras, "128-emsmdb-disconnect-extras");
capture_test!(capture_129_nspi_bind_extras, "129-nspi-bind-extras");
capture_test!(capture_130_nspi_dntomid_bob_extras, "130-nspi-dntomid-bob-extras");
capture_test!(
    capture_131_nspi_getprops_bob_object_and_string8_columns,
    "131-nspi-getprops-bob-object-and-string8-columns"
);
capture_test!(capture_132_nspi_getmatches_anr_bo_without_hasvalue, "132-nspi-getmatches-anr-bo-without-hasvalue");
capture_test!(capture_133_nspi_unbind_extras, "133-nspi-unbind-extras");
capture_test!(capture_134_emsmdb_notificationwait_idle_keepalive, "134-emsmdb-notificationwait-idle-keepalive");
conversion_test!(conversion_001_emsmdb_connect_dave, "001-emsmdb-connect-dave");
conversion_test!(conversion_002_execute_roplogon_dave, "002-execute-roplogon-dave");
conversion_test!(conversion_003_ical_01_berlin_single_message, "003-ical-01-berlin-single-message");
conversion_test!(conversion_004_ical_02_allday_message, "004-ical-02-allday-message");
conversion_test!(conversion_005_ical_03_allday_multiday_message, "005-ical-03-allday-multiday-message");
conversion_test!(conversion_006_ical_04_floating_message, "006-ical-04-floating-message");
conversion_test!(conversion_007_ical_05_weekly_count_message, "007-ical-05-weekly-count-message");
conversion_test!(conversion_008_ical_06_monthly_2tu_until_message, "008-ical-06-monthly-2tu-until-message");
conversion_test!(conversion_009_ical_07_yearly_message, "009-ical-07-yearly-message");
conversion_test!(conversion_010_ical_08_daily_exdate_message, "010-ical-08-daily-exdate-message");
conversion_test!(conversion_011_ical_09_recurrence_overrides_message, "011-ical-09-recurrence-overrides-message");
conversion_test!(conversion_012_ical_09_recurrence_overrides_attach_0, "012-ical-09-recurrence-overrides-attach-0");
conversion_test!(conversion_013_ical_09_recurrence_overrides_attach_1, "013-ical-09-recurrence-overrides-attach-1");
conversion_test!(conversion_014_ical_10_cancelled_occurrence_message, "014-ical-10-cancelled-occurrence-message");
conversion_test!(conversion_015_ical_10_cancelled_occurrence_attach_0, "015-ical-10-cancelled-occurrence-attach-0");
conversion_test!(conversion_016_ical_11_sydney_message, "016-ical-11-sydney-message");
conversion_test!(
    conversion_017_ical_12_saopaulo_historic_vtimezone_message,
    "017-ical-12-saopaulo-historic-vtimezone-message"
);
conversion_test!(conversion_018_ical_13_meeting_attendees_message, "018-ical-13-meeting-attendees-message");
conversion_test!(conversion_019_ical_14_valarm_message, "019-ical-14-valarm-message");
conversion_test!(
    conversion_020_ical_15_private_categories_transp_message,
    "020-ical-15-private-categories-transp-message"
);
conversion_test!(conversion_021_ical_16_vtodo_open_message, "021-ical-16-vtodo-open-message");
conversion_test!(conversion_022_ical_17_vtodo_completed_message, "022-ical-17-vtodo-completed-message");
conversion_test!(conversion_023_mime_01_plain_message, "023-mime-01-plain-message");
conversion_test!(conversion_024_mime_02_html_only_message, "024-mime-02-html-only-message");
conversion_test!(conversion_025_mime_03_alternative_message, "025-mime-03-alternative-message");
conversion_test!(conversion_026_mime_04_related_cid_png_message, "026-mime-04-related-cid-png-message");
conversion_test!(conversion_027_mime_04_related_cid_png_attach_0, "027-mime-04-related-cid-png-attach-0");
conversion_test!(conversion_028_mime_05_mixed_rfc2231_message, "028-mime-05-mixed-rfc2231-message");
conversion_test!(conversion_029_mime_05_mixed_rfc2231_attach_0, "029-mime-05-mixed-rfc2231-attach-0");
conversion_test!(conversion_030_mime_05_mixed_rfc2231_attach_1, "030-mime-05-mixed-rfc2231-attach-1");
conversion_test!(conversion_031_mime_06_nested_rfc822_message, "031-mime-06-nested-rfc822-message");
conversion_test!(conversion_032_mime_06_nested_rfc822_attach_0, "032-mime-06-nested-rfc822-attach-0");
conversion_test!(
    conversion_033_mime_06_nested_rfc822_attach_0_embedded_attach_0,
    "033-mime-06-nested-rfc822-attach-0-embedded-attach-0"
);
conversion_test!(conversion_034_mime_07_smime_signed_message, "034-mime-07-smime-signed-message");
conversion_test!(conversion_035_mime_07_smime_signed_attach_0, "035-mime-07-smime-signed-attach-0");
conversion_test!(conversion_036_mime_08_iso2022jp_message, "036-mime-08-iso2022jp-message");
conversion_test!(conversion_037_mime_09_koi8r_message, "037-mime-09-koi8r-message");
conversion_test!(conversion_038_mime_10_dsn_message, "038-mime-10-dsn-message");
conversion_test!(conversion_039_mime_10_dsn_attach_0, "039-mime-10-dsn-attach-0");
conversion_test!(conversion_040_mime_11_mdn_message, "040-mime-11-mdn-message");
conversion_test!(conversion_041_mime_11_mdn_attach_0, "041-mime-11-mdn-attach-0");
conversion_test!(conversion_042_mime_12_meeting_request_message, "042-mime-12-meeting-request-message");
conversion_test!(conversion_043_vcf_01_apple_30_message, "043-vcf-01-apple-30-message");
conversion_test!(conversion_044_vcf_02_davx5_40_message, "044-vcf-02-davx5-40-message");
conversion_test!(conversion_045_vcf_03_thunderbird_40_message, "045-vcf-03-thunderbird-40-message");
conversion_test!(conversion_046_vcf_04_photo_message, "046-vcf-04-photo-message");
conversion_test!(conversion_047_vcf_04_photo_attach_0, "047-vcf-04-photo-attach-0");
conversion_test!(conversion_048_vcf_05_many_fields_message, "048-vcf-05-many-fields-message");
conversion_test!(conversion_049_vcf_06_bday_anniversary_message, "049-vcf-06-bday-anniversary-message");
conversion_test!(conversion_050_vcf_07_nonascii_a_message, "050-vcf-07-nonascii-a-message");
conversion_test!(conversion_051_vcf_07_nonascii_b_message, "051-vcf-07-nonascii-b-message");
conversion_test!(conversion_052_vcf_07_nonascii_c_message, "052-vcf-07-nonascii-c-message");
conversion_test!(conversion_053_vcf_08_org_title_message, "053-vcf-08-org-title-message");
conversion_test!(conversion_054_vcf_09_group_40_message, "054-vcf-09-group-40-message");
conversion_test!(conversion_055_named_property_names, "055-named-property-names");
conversion_test!(conversion_056_emsmdb_disconnect_dave, "056-emsmdb-disconnect-dave");
