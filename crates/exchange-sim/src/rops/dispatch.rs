//! One ROP request → one response ([MS-OXCROPS] 2.2.1, 3.2.5.1): handle
//! lookup, the response header on failure, and the output handle slot.

use std::path::Path;

use mapi_wire::ErrorCode;
use mapi_wire::rop::*;

use super::objects::{Object, RopSession};
use super::{fast_transfer, folder, ics, ics_upload, logon, message, notify, props, stream, table};
use crate::auth::AuthUser;
use crate::session::NotificationQueue;
use crate::store::Store;

/// What a ROP handler sees.
pub(crate) struct Ctx<'a> {
    pub(crate) store: &'a Store,
    pub(crate) user: &'a AuthUser,
    pub(crate) session: &'a mut RopSession,
    /// The Execute's handle table (values), updated in place.
    pub(crate) handles: &'a mut Vec<u32>,
    /// Bytes left for this ROP's response (MaxRopOut).
    pub(crate) room: usize,
    pub(crate) data_dir: Option<&'a Path>,
    pub(crate) notifications: &'a NotificationQueue,
    /// Table rows shared between the backend's sessions.
    pub(crate) rows: &'a super::row_cache::RowCache,
    /// Mailbox quotas reported by the logon object.
    pub(crate) quotas: &'a crate::config::QuotaConfig,
}

impl Ctx<'_> {
    /// The handle value in slot `index` (0xFFFFFFFF beyond the table).
    pub(crate) fn handle(&self, index: u8) -> u32 {
        self.handles.get(usize::from(index)).copied().unwrap_or(u32::MAX)
    }

    /// The object in slot `index`; ecNullObject when the slot names none
    /// (captures 051–053) or an object of another logon than the ROP's
    /// LogonId (released with its logon, [MS-OXCROPS] 3.1.4.2).
    pub(crate) fn object(&self, index: u8) -> Result<&Object, ErrorCode> {
        let h = self.handle(index);
        if !self.session.in_current_logon(h) {
            return Err(ErrorCode::NULL_OBJECT);
        }
        self.session.objects.get(&h).ok_or(ErrorCode::NULL_OBJECT)
    }

    /// Mutable form of [`Ctx::object`].
    pub(crate) fn object_mut(&mut self, index: u8) -> Result<&mut Object, ErrorCode> {
        let h = self.handle(index);
        if !self.session.in_current_logon(h) {
            return Err(ErrorCode::NULL_OBJECT);
        }
        self.session.objects.get_mut(&h).ok_or(ErrorCode::NULL_OBJECT)
    }

    /// Stores `object` and puts its new handle into slot `index`.
    pub(crate) fn output(&mut self, index: u8, object: Object) -> u32 {
        let h = self.session.insert(object);
        if let Some(slot) = self.handles.get_mut(usize::from(index)) {
            *slot = h;
        }
        h
    }
}

/// Every handle table index a request names (InputHandleIndex,
/// OutputHandleIndex, source/destination indices). Most requests start
/// `RopId, LogonId, InputHandleIndex`; the exceptions are spelled out.
pub(crate) fn handle_indices(rop: &RopRequest) -> Vec<u8> {
    let mut out = Vec::with_capacity(2);
    match rop {
        RopRequest::Logon(r) => out.push(r.output_handle_index),
        RopRequest::SaveChangesMessage(r) => out.extend([r.response_handle_index, r.input_handle_index]),
        RopRequest::SetMessageReadFlag(r) => out.extend([r.response_handle_index, r.input_handle_index]),
        RopRequest::SaveChangesAttachment(r) => out.extend([r.response_handle_index, r.input_handle_index]),
        RopRequest::MoveCopyMessages(r) => out.extend([r.source_handle_index, r.dest_handle_index]),
        RopRequest::MoveFolder(r) => out.extend([r.source_handle_index, r.dest_handle_index]),
        RopRequest::CopyFolder(r) => out.extend([r.source_handle_index, r.dest_handle_index]),
        _ => {
            let mut w = Vec::new();
            if rop.encode(&mut w).is_ok()
                && let Some(i) = w.get(2)
            {
                out.push(*i);
            }
            if let Some(o) = rop.output_handle_index() {
                out.push(o);
            }
        }
    }
    out
}

/// The index a response header names for `rop` (its first handle index).
fn response_index(rop: &RopRequest) -> u8 {
    handle_indices(rop).first().copied().unwrap_or(0)
}

/// `RopId, HandleIndex, ReturnValue`: the failure layout of most ROPs.
pub(crate) fn header_only(rop: &RopRequest, code: ErrorCode) -> Vec<u8> {
    let mut w = vec![rop.id().0, response_index(rop)];
    w.extend_from_slice(&code.0.to_le_bytes());
    w
}

/// A response: typed, or raw bytes for the ROPs answered by header only.
pub(crate) enum Out {
    Typed(Box<RopResponse>),
    Raw(Vec<u8>),
}

macro_rules! with_success {
    ($variant:ident, $resp:ident, $index:expr, $result:expr) => {{
        let result = $result;
        let rv = result.as_ref().err().copied().unwrap_or(ErrorCode::SUCCESS);
        (
            Out::Typed(Box::new(RopResponse::$variant($resp {
                handle_index: $index,
                return_value: rv,
                success: result.ok(),
            }))),
            rv,
        )
    }};
}

macro_rules! plain {
    ($variant:ident, $resp:ident, $index:expr, $result:expr) => {{
        let result: Result<(), ErrorCode> = $result;
        let rv = result.err().unwrap_or(ErrorCode::SUCCESS);
        (Out::Typed(Box::new(RopResponse::$variant($resp { handle_index: $index, return_value: rv }))), rv)
    }};
}

/// A response whose success field is an `Option` (None on failure).
macro_rules! optional {
    ($variant:ident, $resp:ident, $index:expr, $field:ident, $result:expr) => {{
        let result = $result;
        let rv = result.as_ref().err().copied().unwrap_or(ErrorCode::SUCCESS);
        let resp = $resp { handle_index: $index, return_value: rv, $field: result.ok() };
        (Out::Typed(Box::new(RopResponse::$variant(resp))), rv)
    }};
}

macro_rules! partial {
    ($variant:ident, $resp:ident, $index:expr, $result:expr) => {{
        let result: Result<bool, ErrorCode> = $result;
        let (rv, pc) = match result {
            Ok(pc) => (ErrorCode::SUCCESS, pc),
            Err(e) => (e, false),
        };
        (
            Out::Typed(Box::new(RopResponse::$variant($resp {
                handle_index: $index,
                return_value: rv,
                partial_completion: Some(pc),
            }))),
            rv,
        )
    }};
}

/// The ROPs whose handler takes `(ctx, request)` and whose response is the
/// handler's result in one of the shapes above, one row each:
/// `Request => Response, the index the response names, shape, handler;`.
/// Open-object ROPs name their output slot, which `execute` empties when
/// they fail.
macro_rules! by_table {
    ($ctx:ident, $rop:ident;
     $( $variant:ident => $resp:ident, $index:ident, $shape:ident $(($field:ident))?, $handler:path; )*) => {
        match $rop {
            $( RopRequest::$variant(r) => Some($shape!($variant, $resp, r.$index, $($field,)? $handler($ctx, r))), )*
            _ => None,
        }
    };
}

/// Runs one ROP. None for RopRelease (no response).
pub(crate) fn execute(ctx: &mut Ctx<'_>, rop: &RopRequest) -> Option<Out> {
    ctx.session.logon_id = rop.logon_id();
    let (out, rv) = match tabled(ctx, rop) {
        Some(answer) => answer,
        None => special(ctx, rop)?,
    };
    if rv != ErrorCode::SUCCESS
        && let Some(o) = rop.output_handle_index()
        && let Some(slot) = ctx.handles.get_mut(usize::from(o))
    {
        *slot = u32::MAX;
    }
    Some(out)
}

/// The ROPs of the table; None for every other ROP.
#[rustfmt::skip]
fn tabled(ctx: &mut Ctx<'_>, rop: &RopRequest) -> Option<(Out, ErrorCode)> {
    by_table! { ctx, rop;
        // Logon object ([MS-OXCSTOR]).
        GetReceiveFolder => GetReceiveFolderResponse, input_handle_index, with_success, logon::receive_folder;
        SetReceiveFolder => SetReceiveFolderResponse, input_handle_index, plain, logon::set_receive_folder;
        GetReceiveFolderTable => GetReceiveFolderTableResponse, input_handle_index, with_success, logon::receive_folder_table;
        GetStoreState => GetStoreStateResponse, input_handle_index, with_success, logon::store_state;
        LongTermIdFromId => LongTermIdFromIdResponse, input_handle_index, with_success, logon::long_term_id_from_id;
        IdFromLongTermId => IdFromLongTermIdResponse, input_handle_index, with_success, logon::id_from_long_term_id;
        // Folders ([MS-OXCFOLD]).
        OpenFolder => OpenFolderResponse, output_handle_index, with_success, folder::open;
        CreateFolder => CreateFolderResponse, output_handle_index, with_success, folder::create;
        DeleteFolder => DeleteFolderResponse, input_handle_index, partial, folder::delete;
        SetReadFlags => SetReadFlagsResponse, input_handle_index, partial, folder::set_read_flags;
        // Tables ([MS-OXCTABL]).
        GetHierarchyTable => GetHierarchyTableResponse, output_handle_index, with_success, table::open_hierarchy;
        GetContentsTable => GetContentsTableResponse, output_handle_index, with_success, table::open_contents;
        GetAttachmentTable => GetAttachmentTableResponse, output_handle_index, plain, table::open_attachments;
        SetColumns => SetColumnsResponse, input_handle_index, with_success, table::set_columns;
        SortTable => SortTableResponse, input_handle_index, with_success, table::sort;
        Restrict => RestrictResponse, input_handle_index, with_success, table::restrict;
        QueryRows => QueryRowsResponse, input_handle_index, with_success, table::query_rows;
        QueryPosition => QueryPositionResponse, input_handle_index, with_success, table::query_position;
        SeekRow => SeekRowResponse, input_handle_index, with_success, table::seek_row;
        SeekRowBookmark => SeekRowBookmarkResponse, input_handle_index, with_success, table::seek_row_bookmark;
        SeekRowFractional => SeekRowFractionalResponse, input_handle_index, plain, table::seek_row_fractional;
        FreeBookmark => FreeBookmarkResponse, input_handle_index, plain, table::free_bookmark;
        FindRow => FindRowResponse, input_handle_index, with_success, table::find_row;
        // Messages and attachments ([MS-OXCMSG]).
        OpenMessage => OpenMessageResponse, output_handle_index, with_success, message::open;
        CreateMessage => CreateMessageResponse, output_handle_index, with_success, message::create;
        SaveChangesMessage => SaveChangesMessageResponse, response_handle_index, with_success, message::save;
        ModifyRecipients => ModifyRecipientsResponse, input_handle_index, plain, message::modify_recipients;
        ReadRecipients => ReadRecipientsResponse, input_handle_index, with_success, message::read_recipients;
        SubmitMessage => SubmitMessageResponse, input_handle_index, plain, message::submit;
        OpenEmbeddedMessage => OpenEmbeddedMessageResponse, output_handle_index, with_success, message::open_embedded;
        OpenAttachment => OpenAttachmentResponse, output_handle_index, plain, message::open_attachment;
        CreateAttachment => CreateAttachmentResponse, output_handle_index, with_success, message::create_attachment;
        DeleteAttachment => DeleteAttachmentResponse, input_handle_index, plain, message::delete_attachment;
        SaveChangesAttachment => SaveChangesAttachmentResponse, response_handle_index, plain, message::save_attachment;
        // Properties ([MS-OXCPRPT]).
        GetPropertiesAll => GetPropertiesAllResponse, input_handle_index, optional(values), props::get_all;
        GetPropertiesList => GetPropertiesListResponse, input_handle_index, optional(property_tags), props::get_list;
        SetProperties => SetPropertiesResponse, input_handle_index, optional(problems), props::set;
        DeleteProperties => DeletePropertiesResponse, input_handle_index, optional(problems), props::delete;
        GetPropertyIdsFromNames => GetPropertyIdsFromNamesResponse, input_handle_index, optional(property_ids), props::ids_from_names;
        GetNamesFromPropertyIds => GetNamesFromPropertyIdsResponse, input_handle_index, optional(names), props::names_from_ids;
        QueryNamedProperties => QueryNamedPropertiesResponse, input_handle_index, optional(properties), props::query_named;
        // Streams; a failed read is the 6-byte header without DataSize (capture 054).
        OpenStream => OpenStreamResponse, output_handle_index, optional(stream_size), stream::open;
        ReadStream => ReadStreamResponse, input_handle_index, optional(data), stream::read;
        SetStreamSize => SetStreamSizeResponse, input_handle_index, plain, stream::set_size;
        SeekStream => SeekStreamResponse, input_handle_index, optional(new_position), stream::seek;
        // Notifications ([MS-OXCNOTIF]).
        RegisterNotification => RegisterNotificationResponse, output_handle_index, plain, notify::register;
        // ICS ([MS-OXCFXICS]).
        SynchronizationConfigure => SynchronizationConfigureResponse, output_handle_index, plain, ics::configure;
        SynchronizationOpenCollector => SynchronizationOpenCollectorResponse, output_handle_index, plain, ics_upload::open_collector;
        SynchronizationImportMessageChange => SynchronizationImportMessageChangeResponse, output_handle_index, optional(message_id), ics_upload::import_message_change;
        SynchronizationImportHierarchyChange => SynchronizationImportHierarchyChangeResponse, input_handle_index, optional(folder_id), ics_upload::import_hierarchy_change;
        SynchronizationImportDeletes => SynchronizationImportDeletesResponse, input_handle_index, plain, ics_upload::import_deletes;
        SynchronizationImportReadStateChanges => SynchronizationImportReadStateChangesResponse, input_handle_index, plain, ics_upload::import_read_state;
        SynchronizationImportMessageMove => SynchronizationImportMessageMoveResponse, input_handle_index, optional(message_id), ics_upload::import_message_move;
        GetLocalReplicaIds => GetLocalReplicaIdsResponse, input_handle_index, with_success, ics_upload::local_replica_ids;
        // FastTransfer download ([MS-OXCFXICS] 2.2.3.1.1).
        FastTransferSourceCopyTo => FastTransferSourceCopyToResponse, output_handle_index, plain, fast_transfer::copy_to;
        FastTransferSourceCopyFolder => FastTransferSourceCopyFolderResponse, output_handle_index, plain, fast_transfer::copy_folder;
        FastTransferSourceCopyProperties => FastTransferSourceCopyPropertiesResponse, output_handle_index, plain, fast_transfer::copy_properties;
        FastTransferSourceCopyMessages => FastTransferSourceCopyMessagesResponse, output_handle_index, plain, fast_transfer::copy_messages;
    }
}

/// The ROPs whose handler takes other arguments or whose response is
/// built by hand. None for RopRelease (no response).
fn special(ctx: &mut Ctx<'_>, rop: &RopRequest) -> Option<(Out, ErrorCode)> {
    Some(match rop {
        RopRequest::Release(r) => {
            let h = ctx.handle(r.input_handle_index);
            ctx.session.release(h);
            return None;
        }
        RopRequest::Logon(r) => {
            let resp = logon::logon(ctx, r);
            let rv = resp.return_value;
            (Out::Typed(Box::new(RopResponse::Logon(resp))), rv)
        }
        RopRequest::MoveFolder(r) => {
            let result = folder::move_copy(ctx, r.source_handle_index, r.dest_handle_index, r, false);
            move_copy_response(r.source_handle_index, r.dest_handle_index, result, RopResponse::MoveFolder)
        }
        RopRequest::CopyFolder(r) => {
            let result = folder::move_copy(ctx, r.source_handle_index, r.dest_handle_index, r, true);
            move_copy_response(r.source_handle_index, r.dest_handle_index, result, RopResponse::CopyFolder)
        }
        RopRequest::MoveCopyMessages(r) => {
            let result = folder::move_copy_messages(ctx, r);
            move_copy_response(r.source_handle_index, r.dest_handle_index, result, RopResponse::MoveCopyMessages)
        }
        RopRequest::EmptyFolder(r) => partial!(
            EmptyFolder,
            EmptyFolderResponse,
            r.input_handle_index,
            folder::empty(ctx, r.input_handle_index, r.want_delete_associated, false)
        ),
        RopRequest::HardDeleteMessagesAndSubfolders(r) => partial!(
            HardDeleteMessagesAndSubfolders,
            HardDeleteMessagesAndSubfoldersResponse,
            r.input_handle_index,
            folder::empty(ctx, r.input_handle_index, r.want_delete_associated, true)
        ),
        RopRequest::DeleteMessages(r) => partial!(
            DeleteMessages,
            DeleteMessagesResponse,
            r.input_handle_index,
            folder::delete_messages(ctx, r.input_handle_index, &r.message_ids, false)
        ),
        RopRequest::HardDeleteMessages(r) => partial!(
            HardDeleteMessages,
            HardDeleteMessagesResponse,
            r.input_handle_index,
            folder::delete_messages(ctx, r.input_handle_index, &r.message_ids, true)
        ),
        RopRequest::CreateBookmark(r) => with_success!(
            CreateBookmark,
            CreateBookmarkResponse,
            r.input_handle_index,
            table::create_bookmark(ctx, r.input_handle_index)
        ),
        RopRequest::QueryColumnsAll(r) => with_success!(
            QueryColumnsAll,
            QueryColumnsAllResponse,
            r.input_handle_index,
            table::query_columns_all(ctx, r.input_handle_index)
        ),
        RopRequest::ResetTable(r) => {
            plain!(ResetTable, ResetTableResponse, r.input_handle_index, table::reset(ctx, r.input_handle_index))
        }
        RopRequest::GetStatus(r) => {
            with_success!(GetStatus, GetStatusResponse, r.input_handle_index, table::status(ctx, r.input_handle_index))
        }
        RopRequest::Abort(r) => {
            // Every table operation here is synchronous: nothing to abort
            // ([MS-OXCTABL] 3.2.5.5: ecUnableToAbort 0x80040114).
            let rv = match ctx.object(r.input_handle_index) {
                Ok(Object::Table(_)) => ErrorCode(0x8004_0114),
                Ok(_) => ErrorCode::NOT_SUPPORTED,
                Err(e) => e,
            };
            (
                Out::Typed(Box::new(RopResponse::Abort(AbortResponse {
                    handle_index: r.input_handle_index,
                    return_value: rv,
                    success: None,
                }))),
                rv,
            )
        }
        RopRequest::ReloadCachedInformation(r) => with_success!(
            ReloadCachedInformation,
            ReloadCachedInformationResponse,
            r.input_handle_index,
            message::reload(ctx, r.input_handle_index)
        ),
        RopRequest::RemoveAllRecipients(r) => plain!(
            RemoveAllRecipients,
            RemoveAllRecipientsResponse,
            r.input_handle_index,
            message::remove_all_recipients(ctx, r.input_handle_index)
        ),
        RopRequest::SetMessageReadFlag(r) => {
            let resp = message::set_message_read_flag(ctx, r);
            let rv = resp.return_value;
            (Out::Typed(Box::new(RopResponse::SetMessageReadFlag(resp))), rv)
        }
        RopRequest::AbortSubmit(r) => {
            // Submission is immediate: nothing is left to abort
            // ([MS-OXCMSG] 3.2.5.? ecNotInQueue 0x80040601).
            let result = ctx.object(r.input_handle_index).and(Err(ErrorCode(0x8004_0601)));
            plain!(AbortSubmit, AbortSubmitResponse, r.input_handle_index, result)
        }
        RopRequest::SetSpooler(r) => {
            // Nothing to do: submission is immediate (MS-OXOMSG 3.2.5.?).
            let result = match ctx.object(r.input_handle_index) {
                Ok(Object::Logon(_)) => Ok(()),
                Ok(_) => Err(ErrorCode::NOT_SUPPORTED),
                Err(e) => Err(e),
            };
            plain!(SetSpooler, SetSpoolerResponse, r.input_handle_index, result)
        }
        RopRequest::GetValidAttachments(r) => with_success!(
            GetValidAttachments,
            GetValidAttachmentsResponse,
            r.input_handle_index,
            message::valid_attachments(ctx, r.input_handle_index)
        ),
        RopRequest::GetPropertiesSpecific(r) => {
            let resp = props::get_specific(ctx, r);
            let rv = resp.return_value;
            (Out::Typed(Box::new(RopResponse::GetPropertiesSpecific(resp))), rv)
        }
        RopRequest::SetPropertiesNoReplicate(r) => optional!(
            SetPropertiesNoReplicate,
            SetPropertiesNoReplicateResponse,
            r.0.input_handle_index,
            problems,
            props::set(ctx, &r.0)
        ),
        RopRequest::DeletePropertiesNoReplicate(r) => optional!(
            DeletePropertiesNoReplicate,
            DeletePropertiesNoReplicateResponse,
            r.0.input_handle_index,
            problems,
            props::delete(ctx, &r.0)
        ),
        RopRequest::WriteStream(r) => optional!(
            WriteStream,
            WriteStreamResponse,
            r.input_handle_index,
            written_size,
            stream::write(ctx, r.input_handle_index, &r.data)
        ),
        RopRequest::WriteAndCommitStream(r) => optional!(
            WriteAndCommitStream,
            WriteAndCommitStreamResponse,
            r.0.input_handle_index,
            written_size,
            stream::write(ctx, r.0.input_handle_index, &r.0.data).and_then(|n| stream::commit(
                ctx,
                r.0.input_handle_index
            )
            .map(|()| n))
        ),
        RopRequest::CommitStream(r) => {
            plain!(CommitStream, CommitStreamResponse, r.input_handle_index, stream::commit(ctx, r.input_handle_index))
        }
        RopRequest::GetStreamSize(r) => optional!(
            GetStreamSize,
            GetStreamSizeResponse,
            r.input_handle_index,
            stream_size,
            stream::size(ctx, r.input_handle_index)
        ),
        // The state upload and the transfer state go to an ICS upload
        // collector or to a download context, whichever the handle names.
        RopRequest::SynchronizationUploadStateStreamBegin(r) => {
            let result = if ics_upload::is_collector(ctx, r.input_handle_index) {
                ics_upload::upload_begin(ctx, r)
            } else {
                ics::upload_begin(ctx, r)
            };
            plain!(
                SynchronizationUploadStateStreamBegin,
                SynchronizationUploadStateStreamBeginResponse,
                r.input_handle_index,
                result
            )
        }
        RopRequest::SynchronizationUploadStateStreamContinue(r) => {
            let result = if ics_upload::is_collector(ctx, r.input_handle_index) {
                ics_upload::upload_continue(ctx, r)
            } else {
                ics::upload_continue(ctx, r)
            };
            plain!(
                SynchronizationUploadStateStreamContinue,
                SynchronizationUploadStateStreamContinueResponse,
                r.input_handle_index,
                result
            )
        }
        RopRequest::SynchronizationUploadStateStreamEnd(r) => {
            let result = if ics_upload::is_collector(ctx, r.input_handle_index) {
                ics_upload::upload_end(ctx, r.input_handle_index)
            } else {
                ics::upload_end(ctx, r.input_handle_index)
            };
            plain!(
                SynchronizationUploadStateStreamEnd,
                SynchronizationUploadStateStreamEndResponse,
                r.input_handle_index,
                result
            )
        }
        RopRequest::SynchronizationGetTransferState(r) => {
            let result = if ics_upload::is_collector(ctx, r.input_handle_index) {
                ics_upload::transfer_state(ctx, r)
            } else {
                ics::transfer_state(ctx, r)
            };
            plain!(
                SynchronizationGetTransferState,
                SynchronizationGetTransferStateResponse,
                r.output_handle_index,
                result
            )
        }
        RopRequest::FastTransferSourceGetBuffer(r) => match ics::get_buffer(ctx, r) {
            Ok(resp) => (Out::Typed(Box::new(RopResponse::FastTransferSourceGetBuffer(resp))), ErrorCode::SUCCESS),
            // The body follows on failure too (digest §3.2, gromox): status
            // Error, zero counts, an empty buffer.
            Err(rv) => (
                Out::Typed(Box::new(RopResponse::FastTransferSourceGetBuffer(FastTransferSourceGetBufferResponse {
                    handle_index: r.input_handle_index,
                    return_value: rv,
                    transfer_status: TransferStatus::ERROR,
                    in_progress_count: 0,
                    total_step_count: 0,
                    reserved: 0,
                    transfer_buffer: Vec::new(),
                    backoff_time: None,
                }))),
                rv,
            ),
        },
        // Not executed here (FastTransfer upload), but its failure layout
        // carries the status fields ([MS-OXCROPS] 2.2.13.2.2), so a header
        // alone would be a malformed answer.
        RopRequest::FastTransferDestinationPutBuffer(r) => {
            let rv = match ctx.object(r.input_handle_index) {
                Ok(_) => ErrorCode::NOT_SUPPORTED,
                Err(e) => e,
            };
            let resp = FastTransferDestinationPutBufferResponse {
                handle_index: r.input_handle_index,
                return_value: rv,
                transfer_status: TransferStatus::ERROR,
                in_progress_count: 0,
                total_step_count: 0,
                reserved: 0,
                buffer_used_size: 0,
            };
            (Out::Typed(Box::new(RopResponse::FastTransferDestinationPutBuffer(resp))), rv)
        }
        other => {
            // Decoded but not executed here: ecNotSupported, header only.
            let rv = match ctx.object(response_index(other)) {
                Ok(_) => ErrorCode::NOT_SUPPORTED,
                Err(e) => e,
            };
            (Out::Raw(header_only(other, rv)), rv)
        }
    })
}

fn move_copy_response<const ID: u8>(
    source: u8,
    dest: u8,
    result: Result<bool, ErrorCode>,
    wrap: impl FnOnce(MoveCopyResponse<ID>) -> RopResponse,
) -> (Out, ErrorCode) {
    let (rv, pc) = match result {
        Ok(pc) => (ErrorCode::SUCCESS, pc),
        Err(e) => (e, false),
    };
    let dest_handle_index = (rv == ErrorCode::DST_NULL_OBJECT).then_some(u32::from(dest));
    (
        Out::Typed(Box::new(wrap(MoveCopyResponse {
            handle_index: source,
            return_value: rv,
            dest_handle_index,
            partial_completion: pc,
        }))),
        rv,
    )
}
