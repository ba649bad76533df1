//! proptest round trips (encode → decode = identity, every byte used) for every ROP struct,
//! through the struct's own codec and through the RopRequest/RopResponse dispatch.

use proptest::prelude::*;

use crate::{
    codec::Reader,
    rop::{
        testkit::{Arb, request_round_trip, response_round_trip},
        *,
    },
};

/// Checks `RopRequest` dispatch: encode with the RopId, decode back to the same variant.
fn dispatch_request(req: RopRequest) {
    let mut w = Vec::new();
    req.encode(&mut w).expect("encode");
    assert_eq!(w[0], req.id().0);
    let mut r = Reader::new(&w);
    assert_eq!(RopRequest::decode(&mut r).expect("decode"), req);
    assert!(r.is_empty());
    // LogonId is the byte after RopId in every request ([MS-OXCROPS] 2.2.1).
    assert_eq!(w[1], req.logon_id());
    let mut stamped = req.clone();
    let id = req.logon_id().wrapping_add(0x5A);
    stamped.set_logon_id(id);
    let mut s = Vec::new();
    stamped.encode(&mut s).expect("encode");
    assert_eq!(s[1], id);
    assert_eq!((&s[..1], &s[2..]), (&w[..1], &w[2..]), "set_logon_id changed more than LogonId");
}

/// Checks `RopResponse` dispatch with the request known (as in an Execute).
fn dispatch_response(resp: RopResponse, req: &RopRequest) {
    let mut w = Vec::new();
    resp.encode(&mut w).expect("encode");
    let ctx = ResponseContext { request: Some(req), ..Default::default() };
    let mut r = Reader::new(&w);
    assert_eq!(RopResponse::decode(&mut r, &ctx).expect("decode"), resp);
    assert!(r.is_empty());
}

macro_rules! round_trips {
    ($( $test:ident: $variant:ident($req:ty, $resp:ty); )*) => {$(
        proptest! {
            #[test]
            fn $test(req in <$req as Arb>::arb(), resp in <$resp as Arb>::arb()) {
                request_round_trip(&req);
                response_round_trip(&resp, &ResponseContext::default());
                let req = RopRequest::$variant(req);
                dispatch_request(req.clone());
                dispatch_response(RopResponse::$variant(resp), &req);
            }
        }
    )*};
}

round_trips! {
    get_receive_folder: GetReceiveFolder(GetReceiveFolderRequest, GetReceiveFolderResponse);
    set_receive_folder: SetReceiveFolder(SetReceiveFolderRequest, SetReceiveFolderResponse);
    get_receive_folder_table: GetReceiveFolderTable(GetReceiveFolderTableRequest, GetReceiveFolderTableResponse);
    sort_table: SortTable(SortTableRequest, SortTableResponse);
    transport_send: TransportSend(TransportSendRequest, TransportSendResponse);
    get_store_state: GetStoreState(GetStoreStateRequest, GetStoreStateResponse);
    get_owning_servers: GetOwningServers(GetOwningServersRequest, GetOwningServersResponse);
    public_folder_is_ghosted: PublicFolderIsGhosted(PublicFolderIsGhostedRequest, PublicFolderIsGhostedResponse);
    long_term_id_from_id: LongTermIdFromId(LongTermIdFromIdRequest, LongTermIdFromIdResponse);
    id_from_long_term_id: IdFromLongTermId(IdFromLongTermIdRequest, IdFromLongTermIdResponse);
    get_per_user_long_term_ids: GetPerUserLongTermIds(GetPerUserLongTermIdsRequest, GetPerUserLongTermIdsResponse);
    get_per_user_guid: GetPerUserGuid(GetPerUserGuidRequest, GetPerUserGuidResponse);
    read_per_user_information: ReadPerUserInformation(ReadPerUserInformationRequest, ReadPerUserInformationResponse);
    write_per_user_information: WritePerUserInformation(WritePerUserInformationRequest, WritePerUserInformationResponse);
    open_folder: OpenFolder(OpenFolderRequest, OpenFolderResponse);
    create_folder: CreateFolder(CreateFolderRequest, CreateFolderResponse);
    delete_folder: DeleteFolder(DeleteFolderRequest, DeleteFolderResponse);
    set_search_criteria: SetSearchCriteria(SetSearchCriteriaRequest, SetSearchCriteriaResponse);
    get_search_criteria: GetSearchCriteria(GetSearchCriteriaRequest, GetSearchCriteriaResponse);
    move_copy_messages: MoveCopyMessages(MoveCopyMessagesRequest, MoveCopyMessagesResponse);
    move_folder: MoveFolder(MoveFolderRequest, MoveFolderResponse);
    copy_folder: CopyFolder(CopyFolderRequest, CopyFolderResponse);
    empty_folder: EmptyFolder(EmptyFolderRequest, EmptyFolderResponse);
    hard_delete_messages_and_subfolders: HardDeleteMessagesAndSubfolders(HardDeleteMessagesAndSubfoldersRequest, HardDeleteMessagesAndSubfoldersResponse);
    delete_messages: DeleteMessages(DeleteMessagesRequest, DeleteMessagesResponse);
    hard_delete_messages: HardDeleteMessages(HardDeleteMessagesRequest, HardDeleteMessagesResponse);
    get_hierarchy_table: GetHierarchyTable(GetHierarchyTableRequest, GetHierarchyTableResponse);
    get_contents_table: GetContentsTable(GetContentsTableRequest, GetContentsTableResponse);
    set_columns: SetColumns(SetColumnsRequest, SetColumnsResponse);
    restrict: Restrict(RestrictRequest, RestrictResponse);
    abort: Abort(AbortRequest, AbortResponse);
    get_status: GetStatus(GetStatusRequest, GetStatusResponse);
    query_position: QueryPosition(QueryPositionRequest, QueryPositionResponse);
    seek_row: SeekRow(SeekRowRequest, SeekRowResponse);
    seek_row_bookmark: SeekRowBookmark(SeekRowBookmarkRequest, SeekRowBookmarkResponse);
    seek_row_fractional: SeekRowFractional(SeekRowFractionalRequest, SeekRowFractionalResponse);
    create_bookmark: CreateBookmark(CreateBookmarkRequest, CreateBookmarkResponse);
    query_columns_all: QueryColumnsAll(QueryColumnsAllRequest, QueryColumnsAllResponse);
    free_bookmark: FreeBookmark(FreeBookmarkRequest, FreeBookmarkResponse);
    reset_table: ResetTable(ResetTableRequest, ResetTableResponse);
    collapse_row: CollapseRow(CollapseRowRequest, CollapseRowResponse);
    get_collapse_state: GetCollapseState(GetCollapseStateRequest, GetCollapseStateResponse);
    set_collapse_state: SetCollapseState(SetCollapseStateRequest, SetCollapseStateResponse);
    open_message: OpenMessage(OpenMessageRequest, OpenMessageResponse);
    create_message: CreateMessage(CreateMessageRequest, CreateMessageResponse);
    save_changes_message: SaveChangesMessage(SaveChangesMessageRequest, SaveChangesMessageResponse);
    remove_all_recipients: RemoveAllRecipients(RemoveAllRecipientsRequest, RemoveAllRecipientsResponse);
    modify_recipients: ModifyRecipients(ModifyRecipientsRequest, ModifyRecipientsResponse);
    read_recipients: ReadRecipients(ReadRecipientsRequest, ReadRecipientsResponse);
    reload_cached_information: ReloadCachedInformation(ReloadCachedInformationRequest, ReloadCachedInformationResponse);
    set_message_status: SetMessageStatus(SetMessageStatusRequest, SetMessageStatusResponse);
    get_message_status: GetMessageStatus(GetMessageStatusRequest, GetMessageStatusResponse);
    set_read_flags: SetReadFlags(SetReadFlagsRequest, SetReadFlagsResponse);
    set_message_read_flag: SetMessageReadFlag(SetMessageReadFlagRequest, SetMessageReadFlagResponse);
    open_attachment: OpenAttachment(OpenAttachmentRequest, OpenAttachmentResponse);
    create_attachment: CreateAttachment(CreateAttachmentRequest, CreateAttachmentResponse);
    delete_attachment: DeleteAttachment(DeleteAttachmentRequest, DeleteAttachmentResponse);
    save_changes_attachment: SaveChangesAttachment(SaveChangesAttachmentRequest, SaveChangesAttachmentResponse);
    open_embedded_message: OpenEmbeddedMessage(OpenEmbeddedMessageRequest, OpenEmbeddedMessageResponse);
    get_attachment_table: GetAttachmentTable(GetAttachmentTableRequest, GetAttachmentTableResponse);
    get_valid_attachments: GetValidAttachments(GetValidAttachmentsRequest, GetValidAttachmentsResponse);
    submit_message: SubmitMessage(SubmitMessageRequest, SubmitMessageResponse);
    abort_submit: AbortSubmit(AbortSubmitRequest, AbortSubmitResponse);
    get_address_types: GetAddressTypes(GetAddressTypesRequest, GetAddressTypesResponse);
    set_spooler: SetSpooler(SetSpoolerRequest, SetSpoolerResponse);
    spooler_lock_message: SpoolerLockMessage(SpoolerLockMessageRequest, SpoolerLockMessageResponse);
    transport_new_mail: TransportNewMail(TransportNewMailRequest, TransportNewMailResponse);
    get_transport_folder: GetTransportFolder(GetTransportFolderRequest, GetTransportFolderResponse);
    options_data: OptionsData(OptionsDataRequest, OptionsDataResponse);
}

/// Round trip of a row-returning response with its columns in the context, alone and through
/// the dispatcher; and without columns its rows are refused, not misread.
macro_rules! row_round_trips {
    ($( $test:ident: $variant:ident($req:ty, $resp:ty); )*) => {$(
        proptest! {
            #[test]
            fn $test(req in <$req as Arb>::arb(), resp in <$resp as Arb>::arb()) {
                request_round_trip(&req);
                let columns = resp.success.as_ref().map(|s| s.columns.clone()).unwrap_or_default();
                let ctx = ResponseContext { columns: Some(&columns), ..Default::default() };
                let bytes = response_round_trip(&resp, &ctx);
                let req = RopRequest::$variant(req);
                dispatch_request(req.clone());
                let ctx = ResponseContext { request: Some(&req), columns: Some(&columns), ..Default::default() };
                let mut w = Vec::new();
                RopResponse::$variant(resp.clone()).encode(&mut w).expect("encode");
                let mut r = Reader::new(&w);
                prop_assert_eq!(RopResponse::decode(&mut r, &ctx).expect("decode"), RopResponse::$variant(resp.clone()));
                let has_rows = bytes.len() > 12;
                if has_rows {
                    let mut r = Reader::new(&bytes);
                    prop_assert!(<$resp as RopResponseBody>::decode_body(&mut r, &ResponseContext::default()).is_err());
                }
            }
        }
    )*};
}

row_round_trips! {
    query_rows: QueryRows(QueryRowsRequest, QueryRowsResponse);
    find_row: FindRow(FindRowRequest, FindRowResponse);
    expand_row: ExpandRow(ExpandRowRequest, ExpandRowResponse);
}

proptest! {
    /// RopLogon: the private/public response layout follows the request's Private flag.
    #[test]
    fn logon(mut req in LogonRequest::arb(), resp in LogonResponse::arb()) {
        request_round_trip(&req);
        response_round_trip(&resp, &ResponseContext::default());
        match &resp.body {
            Some(LogonResponseBody::Private(_)) => req.logon_flags.0 |= 1,
            Some(LogonResponseBody::Public(_)) => req.logon_flags.0 &= !1,
            _ => {}
        }
        let req = RopRequest::Logon(req);
        dispatch_request(req.clone());
        dispatch_response(RopResponse::Logon(resp), &req);
    }

    #[test]
    fn release_round_trip(req in ReleaseRequest::arb()) {
        request_round_trip(&req);
        dispatch_request(RopRequest::Release(req));
    }

    #[test]
    fn buffer_too_small_round_trip(resp in BufferTooSmallResponse::arb()) {
        response_round_trip(&resp, &ResponseContext::default());
    }

    /// A whole request buffer of arbitrary ROPs round-trips, and a response buffer made of
    /// one response per request decodes back with that request as context.
    #[test]
    fn buffers_round_trip(
        pairs in proptest::collection::vec(
            (OpenFolderRequest::arb(), OpenFolderResponse::arb(), DeleteMessagesRequest::arb(),
             DeleteMessagesResponse::arb(), ReleaseRequest::arb()),
            0..4,
        ),
        handles in proptest::collection::vec(any::<u32>(), 0..5),
    ) {
        let mut request = RopRequestBuffer { rops: Vec::new(), handles: handles.clone() };
        let mut response = RopResponseBuffer { rops: Vec::new(), handles };
        for (oq, os, dq, ds, rel) in pairs {
            request.rops.push(RopRequest::OpenFolder(oq));
            request.rops.push(RopRequest::Release(rel));
            request.rops.push(RopRequest::DeleteMessages(dq));
            response.rops.push(RopResponse::OpenFolder(os));
            response.rops.push(RopResponse::DeleteMessages(ds));
        }
        let bytes = crate::Encode::to_bytes(&request).expect("encode");
        let back = <RopRequestBuffer as crate::Decode>::decode_exact(&bytes).expect("decode");
        prop_assert_eq!(&back, &request);
        let bytes = crate::Encode::to_bytes(&response).expect("encode");
        let back = RopResponseBuffer::decode_with(&bytes, &ExecuteContext::new(&request)).expect("decode");
        prop_assert_eq!(back, response);
    }

    /// Decoders never panic on arbitrary bytes.
    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = <RopRequestBuffer as crate::Decode>::decode_exact(&bytes);
        let _ = RopResponseBuffer::decode_standalone(&bytes);
        let request = RopRequestBuffer::default();
        let _ = RopResponseBuffer::decode_with(&bytes, &ExecuteContext::new(&request));
        let mut r = Reader::new(&bytes);
        let _ = RopRequest::decode(&mut r);
    }
}
