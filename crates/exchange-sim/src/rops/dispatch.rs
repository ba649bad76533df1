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
    /// (captures 051–053).
    pub(crate) fn object(&self, index: u8) -> Result<&Object, ErrorCode> {
        self.session.objects.get(&self.handle(index)).ok_or(ErrorCode::NULL_OBJECT)
    }

    /// Mutable form of [`Ctx::object`].
    pub(crate) fn object_mut(&mut self, index: u8) -> Result<&mut Object, ErrorCode> {
        let h = self.handle(index);
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

/// Runs one ROP. None for RopRelease (no response).
pub(crate) fn execute(ctx: &mut Ctx<'_>, rop: &RopRequest) -> Option<Out> {
    let (out, rv) = match rop {
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
        RopRequest::GetReceiveFolder(r) => {
            with_success!(
                GetReceiveFolder,
                GetReceiveFolderResponse,
                r.input_handle_index,
                logon::receive_folder(ctx, r)
            )
        }
        RopRequest::SetReceiveFolder(r) => {
            plain!(SetReceiveFolder, SetReceiveFolderResponse, r.input_handle_index, logon::set_receive_folder(ctx, r))
        }
        RopRequest::GetReceiveFolderTable(r) => with_success!(
            GetReceiveFolderTable,
            GetReceiveFolderTableResponse,
            r.input_handle_index,
            logon::receive_folder_table(ctx, r)
        ),
        RopRequest::GetStoreState(r) => {
            with_success!(GetStoreState, GetStoreStateResponse, r.input_handle_index, logon::store_state(ctx, r))
        }
        RopRequest::LongTermIdFromId(r) => with_success!(
            LongTermIdFromId,
            LongTermIdFromIdResponse,
            r.input_handle_index,
            logon::long_term_id_from_id(ctx, r)
        ),
        RopRequest::IdFromLongTermId(r) => with_success!(
            IdFromLongTermId,
            IdFromLongTermIdResponse,
            r.input_handle_index,
            logon::id_from_long_term_id(ctx, r)
        ),
        RopRequest::OpenFolder(r) => {
            with_success!(OpenFolder, OpenFolderResponse, r.output_handle_index, folder::open(ctx, r))
        }
        RopRequest::CreateFolder(r) => {
            with_success!(CreateFolder, CreateFolderResponse, r.output_handle_index, folder::create(ctx, r))
        }
        RopRequest::DeleteFolder(r) => {
            partial!(DeleteFolder, DeleteFolderResponse, r.input_handle_index, folder::delete(ctx, r))
        }
        RopRequest::MoveFolder(r) => {
            let result = folder::move_copy(ctx, r.source_handle_index, r.dest_handle_index, r, false);
            move_copy_response(ctx, r.source_handle_index, r.dest_handle_index, result, |resp| {
                RopResponse::MoveFolder(resp)
            })
        }
        RopRequest::CopyFolder(r) => {
            let result = folder::move_copy(ctx, r.source_handle_index, r.dest_handle_index, r, true);
            move_copy_response(ctx, r.source_handle_index, r.dest_handle_index, result, |resp| {
                RopResponse::CopyFolder(resp)
            })
        }
        RopRequest::MoveCopyMessages(r) => {
            let result = folder::move_copy_messages(ctx, r);
            move_copy_response(ctx, r.source_handle_index, r.dest_handle_index, result, |resp| {
                RopResponse::MoveCopyMessages(resp)
            })
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
        RopRequest::SetReadFlags(r) => {
            partial!(SetReadFlags, SetReadFlagsResponse, r.input_handle_index, folder::set_read_flags(ctx, r))
        }
        RopRequest::GetHierarchyTable(r) => with_success!(
            GetHierarchyTable,
            GetHierarchyTableResponse,
            r.output_handle_index,
            table::open_hierarchy(ctx, r)
        ),
        RopRequest::GetContentsTable(r) => with_success!(
            GetContentsTable,
            GetContentsTableResponse,
            r.output_handle_index,
            table::open_contents(ctx, r)
        ),
        RopRequest::GetAttachmentTable(r) => plain!(
            GetAttachmentTable,
            GetAttachmentTableResponse,
            r.output_handle_index,
            table::open_attachments(ctx, r)
        ),
        RopRequest::SetColumns(r) => {
            with_success!(SetColumns, SetColumnsResponse, r.input_handle_index, table::set_columns(ctx, r))
        }
        RopRequest::SortTable(r) => {
            with_success!(SortTable, SortTableResponse, r.input_handle_index, table::sort(ctx, r))
        }
        RopRequest::Restrict(r) => {
            with_success!(Restrict, RestrictResponse, r.input_handle_index, table::restrict(ctx, r))
        }
        RopRequest::QueryRows(r) => {
            with_success!(QueryRows, QueryRowsResponse, r.input_handle_index, table::query_rows(ctx, r))
        }
        RopRequest::QueryPosition(r) => {
            with_success!(QueryPosition, QueryPositionResponse, r.input_handle_index, table::query_position(ctx, r))
        }
        RopRequest::SeekRow(r) => {
            with_success!(SeekRow, SeekRowResponse, r.input_handle_index, table::seek_row(ctx, r))
        }
        RopRequest::SeekRowBookmark(r) => with_success!(
            SeekRowBookmark,
            SeekRowBookmarkResponse,
            r.input_handle_index,
            table::seek_row_bookmark(ctx, r)
        ),
        RopRequest::SeekRowFractional(r) => plain!(
            SeekRowFractional,
            SeekRowFractionalResponse,
            r.input_handle_index,
            table::seek_row_fractional(ctx, r)
        ),
        RopRequest::CreateBookmark(r) => with_success!(
            CreateBookmark,
            CreateBookmarkResponse,
            r.input_handle_index,
            table::create_bookmark(ctx, r.input_handle_index)
        ),
        RopRequest::FreeBookmark(r) => {
            plain!(FreeBookmark, FreeBookmarkResponse, r.input_handle_index, table::free_bookmark(ctx, r))
        }
        RopRequest::QueryColumnsAll(r) => with_success!(
            QueryColumnsAll,
            QueryColumnsAllResponse,
            r.input_handle_index,
            table::query_columns_all(ctx, r.input_handle_index)
        ),
        RopRequest::FindRow(r) => {
            with_success!(FindRow, FindRowResponse, r.input_handle_index, table::find_row(ctx, r))
        }
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
        RopRequest::OpenMessage(r) => {
            with_success!(OpenMessage, OpenMessageResponse, r.output_handle_index, message::open(ctx, r))
        }
        RopRequest::CreateMessage(r) => {
            with_success!(CreateMessage, CreateMessageResponse, r.output_handle_index, message::create(ctx, r))
        }
        RopRequest::SaveChangesMessage(r) => with_success!(
            SaveChangesMessage,
            SaveChangesMessageResponse,
            r.response_handle_index,
            message::save(ctx, r)
        ),
        RopRequest::ReloadCachedInformation(r) => with_success!(
            ReloadCachedInformation,
            ReloadCachedInformationResponse,
            r.input_handle_index,
            message::reload(ctx, r.input_handle_index)
        ),
        RopRequest::ModifyRecipients(r) => {
            plain!(ModifyRecipients, ModifyRecipientsResponse, r.input_handle_index, message::modify_recipients(ctx, r))
        }
        RopRequest::ReadRecipients(r) => {
            with_success!(
                ReadRecipients,
                ReadRecipientsResponse,
                r.input_handle_index,
                message::read_recipients(ctx, r)
            )
        }
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
        RopRequest::SubmitMessage(r) => {
            plain!(SubmitMessage, SubmitMessageResponse, r.input_handle_index, message::submit(ctx, r))
        }
        RopRequest::AbortSubmit(r) => {
            // Submission is immediate: nothing is left to abort
            // ([MS-OXCMSG] 3.2.5.? ecNotInQueue 0x80040601).
            let rv = match ctx.object(r.input_handle_index) {
                Ok(_) => ErrorCode(0x8004_0601),
                Err(e) => e,
            };
            (
                Out::Typed(Box::new(RopResponse::AbortSubmit(AbortSubmitResponse {
                    handle_index: r.input_handle_index,
                    return_value: rv,
                }))),
                rv,
            )
        }
        RopRequest::OpenEmbeddedMessage(r) => with_success!(
            OpenEmbeddedMessage,
            OpenEmbeddedMessageResponse,
            r.output_handle_index,
            message::open_embedded(ctx, r)
        ),
        RopRequest::SetSpooler(r) => {
            // Nothing to do: submission is immediate (MS-OXOMSG 3.2.5.?).
            let rv = match ctx.object(r.input_handle_index) {
                Ok(Object::Logon(_)) => ErrorCode::SUCCESS,
                Ok(_) => ErrorCode::NOT_SUPPORTED,
                Err(e) => e,
            };
            (
                Out::Typed(Box::new(RopResponse::SetSpooler(SetSpoolerResponse {
                    handle_index: r.input_handle_index,
                    return_value: rv,
                }))),
                rv,
            )
        }
        RopRequest::OpenAttachment(r) => {
            plain!(OpenAttachment, OpenAttachmentResponse, r.output_handle_index, message::open_attachment(ctx, r))
        }
        RopRequest::CreateAttachment(r) => with_success!(
            CreateAttachment,
            CreateAttachmentResponse,
            r.output_handle_index,
            message::create_attachment(ctx, r)
        ),
        RopRequest::DeleteAttachment(r) => {
            plain!(DeleteAttachment, DeleteAttachmentResponse, r.input_handle_index, message::delete_attachment(ctx, r))
        }
        RopRequest::SaveChangesAttachment(r) => plain!(
            SaveChangesAttachment,
            SaveChangesAttachmentResponse,
            r.response_handle_index,
            message::save_attachment(ctx, r)
        ),
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
        RopRequest::GetPropertiesAll(r) => {
            optional!(GetPropertiesAll, GetPropertiesAllResponse, r.input_handle_index, values, props::get_all(ctx, r))
        }
        RopRequest::GetPropertiesList(r) => optional!(
            GetPropertiesList,
            GetPropertiesListResponse,
            r.input_handle_index,
            property_tags,
            props::get_list(ctx, r)
        ),
        RopRequest::SetProperties(r) => {
            optional!(SetProperties, SetPropertiesResponse, r.input_handle_index, problems, props::set(ctx, r))
        }
        RopRequest::SetPropertiesNoReplicate(r) => optional!(
            SetPropertiesNoReplicate,
            SetPropertiesNoReplicateResponse,
            r.0.input_handle_index,
            problems,
            props::set(ctx, &r.0)
        ),
        RopRequest::DeleteProperties(r) => {
            optional!(DeleteProperties, DeletePropertiesResponse, r.input_handle_index, problems, props::delete(ctx, r))
        }
        RopRequest::DeletePropertiesNoReplicate(r) => optional!(
            DeletePropertiesNoReplicate,
            DeletePropertiesNoReplicateResponse,
            r.0.input_handle_index,
            problems,
            props::delete(ctx, &r.0)
        ),
        RopRequest::GetPropertyIdsFromNames(r) => optional!(
            GetPropertyIdsFromNames,
            GetPropertyIdsFromNamesResponse,
            r.input_handle_index,
            property_ids,
            props::ids_from_names(ctx, r)
        ),
        RopRequest::GetNamesFromPropertyIds(r) => optional!(
            GetNamesFromPropertyIds,
            GetNamesFromPropertyIdsResponse,
            r.input_handle_index,
            names,
            props::names_from_ids(ctx, r)
        ),
        RopRequest::QueryNamedProperties(r) => optional!(
            QueryNamedProperties,
            QueryNamedPropertiesResponse,
            r.input_handle_index,
            properties,
            props::query_named(ctx, r)
        ),
        RopRequest::OpenStream(r) => {
            optional!(OpenStream, OpenStreamResponse, r.output_handle_index, stream_size, stream::open(ctx, r))
        }
        RopRequest::ReadStream(r) => {
            // A failure is the 6-byte header without DataSize (capture 054).
            optional!(ReadStream, ReadStreamResponse, r.input_handle_index, data, stream::read(ctx, r))
        }
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
            let rv = stream::commit(ctx, r.input_handle_index).err().unwrap_or(ErrorCode::SUCCESS);
            let resp = CommitStreamResponse { handle_index: r.input_handle_index, return_value: rv };
            (Out::Typed(Box::new(RopResponse::CommitStream(resp))), rv)
        }
        RopRequest::GetStreamSize(r) => optional!(
            GetStreamSize,
            GetStreamSizeResponse,
            r.input_handle_index,
            stream_size,
            stream::size(ctx, r.input_handle_index)
        ),
        RopRequest::SetStreamSize(r) => {
            let rv = stream::set_size(ctx, r).err().unwrap_or(ErrorCode::SUCCESS);
            let resp = SetStreamSizeResponse { handle_index: r.input_handle_index, return_value: rv };
            (Out::Typed(Box::new(RopResponse::SetStreamSize(resp))), rv)
        }
        RopRequest::SeekStream(r) => {
            optional!(SeekStream, SeekStreamResponse, r.input_handle_index, new_position, stream::seek(ctx, r))
        }
        RopRequest::RegisterNotification(r) => {
            let rv = notify::register(ctx, r).err().unwrap_or(ErrorCode::SUCCESS);
            let resp = RegisterNotificationResponse { handle_index: r.output_handle_index, return_value: rv };
            (Out::Typed(Box::new(RopResponse::RegisterNotification(resp))), rv)
        }
        RopRequest::SynchronizationConfigure(r) => {
            let rv = ics::configure(ctx, r).err().unwrap_or(ErrorCode::SUCCESS);
            let resp = SynchronizationConfigureResponse { handle_index: r.output_handle_index, return_value: rv };
            (Out::Typed(Box::new(RopResponse::SynchronizationConfigure(resp))), rv)
        }
        RopRequest::SynchronizationUploadStateStreamBegin(r) => {
            let rv = if ics_upload::is_collector(ctx, r.input_handle_index) {
                ics_upload::upload_begin(ctx, r)
            } else {
                ics::upload_begin(ctx, r)
            };
            let rv = rv.err().unwrap_or(ErrorCode::SUCCESS);
            let resp =
                SynchronizationUploadStateStreamBeginResponse { handle_index: r.input_handle_index, return_value: rv };
            (Out::Typed(Box::new(RopResponse::SynchronizationUploadStateStreamBegin(resp))), rv)
        }
        RopRequest::SynchronizationUploadStateStreamContinue(r) => {
            let rv = if ics_upload::is_collector(ctx, r.input_handle_index) {
                ics_upload::upload_continue(ctx, r)
            } else {
                ics::upload_continue(ctx, r)
            };
            let rv = rv.err().unwrap_or(ErrorCode::SUCCESS);
            let resp = SynchronizationUploadStateStreamContinueResponse {
                handle_index: r.input_handle_index,
                return_value: rv,
            };
            (Out::Typed(Box::new(RopResponse::SynchronizationUploadStateStreamContinue(resp))), rv)
        }
        RopRequest::SynchronizationUploadStateStreamEnd(r) => {
            let rv = if ics_upload::is_collector(ctx, r.input_handle_index) {
                ics_upload::upload_end(ctx, r.input_handle_index)
            } else {
                ics::upload_end(ctx, r.input_handle_index)
            };
            let rv = rv.err().unwrap_or(ErrorCode::SUCCESS);
            let resp =
                SynchronizationUploadStateStreamEndResponse { handle_index: r.input_handle_index, return_value: rv };
            (Out::Typed(Box::new(RopResponse::SynchronizationUploadStateStreamEnd(resp))), rv)
        }
        RopRequest::SynchronizationGetTransferState(r) => {
            let rv = if ics_upload::is_collector(ctx, r.input_handle_index) {
                ics_upload::transfer_state(ctx, r)
            } else {
                ics::transfer_state(ctx, r)
            };
            let rv = rv.err().unwrap_or(ErrorCode::SUCCESS);
            let resp =
                SynchronizationGetTransferStateResponse { handle_index: r.output_handle_index, return_value: rv };
            (Out::Typed(Box::new(RopResponse::SynchronizationGetTransferState(resp))), rv)
        }
        RopRequest::SynchronizationOpenCollector(r) => {
            let rv = ics_upload::open_collector(ctx, r).err().unwrap_or(ErrorCode::SUCCESS);
            let resp = SynchronizationOpenCollectorResponse { handle_index: r.output_handle_index, return_value: rv };
            (Out::Typed(Box::new(RopResponse::SynchronizationOpenCollector(resp))), rv)
        }
        RopRequest::SynchronizationImportMessageChange(r) => optional!(
            SynchronizationImportMessageChange,
            SynchronizationImportMessageChangeResponse,
            r.output_handle_index,
            message_id,
            ics_upload::import_message_change(ctx, r)
        ),
        RopRequest::SynchronizationImportHierarchyChange(r) => optional!(
            SynchronizationImportHierarchyChange,
            SynchronizationImportHierarchyChangeResponse,
            r.input_handle_index,
            folder_id,
            ics_upload::import_hierarchy_change(ctx, r)
        ),
        RopRequest::SynchronizationImportDeletes(r) => {
            let rv = ics_upload::import_deletes(ctx, r).err().unwrap_or(ErrorCode::SUCCESS);
            let resp = SynchronizationImportDeletesResponse { handle_index: r.input_handle_index, return_value: rv };
            (Out::Typed(Box::new(RopResponse::SynchronizationImportDeletes(resp))), rv)
        }
        RopRequest::SynchronizationImportReadStateChanges(r) => {
            let rv = ics_upload::import_read_state(ctx, r).err().unwrap_or(ErrorCode::SUCCESS);
            let resp =
                SynchronizationImportReadStateChangesResponse { handle_index: r.input_handle_index, return_value: rv };
            (Out::Typed(Box::new(RopResponse::SynchronizationImportReadStateChanges(resp))), rv)
        }
        RopRequest::SynchronizationImportMessageMove(r) => optional!(
            SynchronizationImportMessageMove,
            SynchronizationImportMessageMoveResponse,
            r.input_handle_index,
            message_id,
            ics_upload::import_message_move(ctx, r)
        ),
        RopRequest::GetLocalReplicaIds(r) => with_success!(
            GetLocalReplicaIds,
            GetLocalReplicaIdsResponse,
            r.input_handle_index,
            ics_upload::local_replica_ids(ctx, r)
        ),
        RopRequest::FastTransferSourceCopyTo(r) => plain!(
            FastTransferSourceCopyTo,
            FastTransferSourceCopyToResponse,
            r.output_handle_index,
            fast_transfer::copy_to(ctx, r)
        ),
        RopRequest::FastTransferSourceCopyFolder(r) => plain!(
            FastTransferSourceCopyFolder,
            FastTransferSourceCopyFolderResponse,
            r.output_handle_index,
            fast_transfer::copy_folder(ctx, r)
        ),
        RopRequest::FastTransferSourceCopyProperties(r) => plain!(
            FastTransferSourceCopyProperties,
            FastTransferSourceCopyPropertiesResponse,
            r.output_handle_index,
            fast_transfer::copy_properties(ctx, r)
        ),
        RopRequest::FastTransferSourceCopyMessages(r) => plain!(
            FastTransferSourceCopyMessages,
            FastTransferSourceCopyMessagesResponse,
            r.output_handle_index,
            fast_transfer::copy_messages(ctx, r)
        ),
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
    };
    if rv != ErrorCode::SUCCESS
        && let Some(o) = rop.output_handle_index()
        && let Some(slot) = ctx.handles.get_mut(usize::from(o))
    {
        *slot = u32::MAX;
    }
    Some(out)
}

fn move_copy_response<const ID: u8>(
    ctx: &Ctx<'_>,
    source: u8,
    dest: u8,
    result: Result<bool, ErrorCode>,
    wrap: impl FnOnce(MoveCopyResponse<ID>) -> RopResponse,
) -> (Out, ErrorCode) {
    let _ = ctx;
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
