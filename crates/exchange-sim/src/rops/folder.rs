//! [MS-OXCROPS] 2.2.4 folder ROPs ([MS-OXCFOLD] 3.2.5): OpenFolder,
//! CreateFolder, DeleteFolder, MoveFolder, CopyFolder, EmptyFolder,
//! MoveCopyMessages, DeleteMessages, HardDeleteMessages, and
//! RopSetReadFlags ([MS-OXCMSG] 3.2.5.8).

use mapi_wire::ErrorCode;
use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::PropValue;
use mapi_wire::rop::*;

use super::dispatch::Ctx;
use super::logon::mailbox_of;
use super::objects::{FolderObj, Object};
use crate::store::{Mailbox, PropBag, Rights, StoreError};

fn store_err(e: StoreError) -> ErrorCode {
    e.error_code()
}

/// The folder object in slot `index`.
pub(crate) fn folder_of(ctx: &Ctx<'_>, index: u8) -> Result<(Mailbox, FolderId), ErrorCode> {
    match ctx.object(index)? {
        Object::Folder(f) => Ok((f.mailbox.clone(), f.id)),
        _ => Err(ErrorCode::NOT_SUPPORTED),
    }
}

/// Fails with ecAccessDenied unless the session user holds `needed` on
/// `folder` (owners hold everything).
pub(crate) fn check(ctx: &Ctx<'_>, mailbox: &Mailbox, folder: FolderId, needed: Rights) -> Result<(), ErrorCode> {
    mailbox.check_access(&ctx.user.address, folder, needed).map_err(store_err)
}

/// RopOpenFolder ([MS-OXCFOLD] 3.2.5.1): the input is a logon or a folder;
/// a missing folder gives ecNotFound (capture 051).
pub(crate) fn open(ctx: &mut Ctx<'_>, r: &OpenFolderRequest) -> Result<OpenFolderSuccess, ErrorCode> {
    let object = ctx.object(r.input_handle_index)?;
    let mailbox = match object {
        Object::Logon(_) | Object::Folder(_) => mailbox_of(object, ctx).ok_or(ErrorCode::NULL_OBJECT)?,
        _ => return Err(ErrorCode::NOT_SUPPORTED),
    };
    let soft = r.open_mode_flags.0 & FolderOpenModeFlags::OPEN_SOFT_DELETED.0 != 0;
    mailbox.folder(r.folder_id, soft).map_err(store_err)?;
    check(ctx, &mailbox, r.folder_id, Rights::FOLDER_VISIBLE)
        .or_else(|_| check(ctx, &mailbox, r.folder_id, Rights::FREE_BUSY_SIMPLE))
        .or_else(|e| super::calendar_attendant::root_for_grantees(ctx, &mailbox, r.folder_id).ok_or(e))?;
    ctx.output(r.output_handle_index, Object::Folder(FolderObj { mailbox, id: r.folder_id }));
    Ok(OpenFolderSuccess { has_rules: false, ghost: None })
}

/// RopCreateFolder ([MS-OXCFOLD] 3.2.5.2): ecDuplicateName for an
/// existing name unless OpenExisting; search folders are not supported.
pub(crate) fn create(ctx: &mut Ctx<'_>, r: &CreateFolderRequest) -> Result<CreateFolderSuccess, ErrorCode> {
    let (mailbox, parent) = folder_of(ctx, r.input_handle_index)?;
    if r.folder_type != FolderType::GENERIC {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    if r.display_name.is_empty() {
        return Err(ErrorCode::INVALID_PARAMETER);
    }
    check(ctx, &mailbox, parent, Rights::CREATE_SUBFOLDER)?;
    let mut props = PropBag::new();
    if !r.comment.is_empty() {
        props.set(PropTag::COMMENT, PropValue::String(r.comment.clone()));
    }
    let (id, created) = mailbox.create_folder(parent, &r.display_name, &props, r.open_existing).map_err(store_err)?;
    ctx.output(r.output_handle_index, Object::Folder(FolderObj { mailbox, id }));
    Ok(CreateFolderSuccess {
        folder_id: id,
        existing: (!created).then_some(OpenFolderSuccess { has_rules: false, ghost: None }),
    })
}

/// RopDeleteFolder ([MS-OXCFOLD] 3.2.5.3): the folder must be a child of
/// the input folder; ecHasFolders/ecHasMessages without the DEL_ flags.
pub(crate) fn delete(ctx: &mut Ctx<'_>, r: &DeleteFolderRequest) -> Result<bool, ErrorCode> {
    let (mailbox, parent) = folder_of(ctx, r.input_handle_index)?;
    let info = mailbox.folder(r.folder_id, false).map_err(|e| match e {
        StoreError::ObjectDeleted => ErrorCode::NOT_FOUND,
        e => store_err(e),
    })?;
    if info.parent != Some(parent) {
        return Err(ErrorCode::NOT_FOUND);
    }
    check(ctx, &mailbox, parent, Rights::DELETE_ANY)?;
    mailbox.delete_folder(r.folder_id, crate::store::DeleteFolderFlags::from_bits(r.flags.0)).map_err(store_err)?;
    Ok(false)
}

/// RopMoveFolder / RopCopyFolder ([MS-OXCFOLD] 3.2.5.7, 3.2.5.8): source
/// handle = the parent folder, destination handle = the new parent;
/// ecDstNullObject when the destination slot is empty.
pub(crate) fn move_copy<const ID: u8>(
    ctx: &mut Ctx<'_>,
    source: u8,
    dest: u8,
    r: &MoveCopyFolderRequest<ID>,
    copy: bool,
) -> Result<bool, ErrorCode> {
    let (mailbox, parent) = folder_of(ctx, source)?;
    let dst = match ctx.object(dest) {
        Ok(Object::Folder(f)) => f.id,
        Ok(_) => return Err(ErrorCode::NOT_SUPPORTED),
        Err(_) => return Err(ErrorCode::DST_NULL_OBJECT),
    };
    let info = mailbox.folder(r.folder_id, false).map_err(store_err)?;
    if info.parent != Some(parent) {
        return Err(ErrorCode::NOT_FOUND);
    }
    check(ctx, &mailbox, dst, Rights::CREATE_SUBFOLDER)?;
    let name = (!r.new_folder_name.is_empty()).then_some(r.new_folder_name.as_str());
    if copy {
        mailbox.copy_folder(r.folder_id, dst, name, r.want_recursive).map_err(store_err)?;
    } else {
        check(ctx, &mailbox, parent, Rights::DELETE_ANY)?;
        mailbox.move_folder(r.folder_id, dst, name).map_err(store_err)?;
    }
    Ok(false)
}

/// RopMoveCopyMessages ([MS-OXCFOLD] 3.2.5.6): PartialCompletion when
/// some of the MIDs were not moved/copied.
pub(crate) fn move_copy_messages(ctx: &mut Ctx<'_>, r: &MoveCopyMessagesRequest) -> Result<bool, ErrorCode> {
    let (mailbox, src) = folder_of(ctx, r.source_handle_index)?;
    let dst = match ctx.object(r.dest_handle_index) {
        Ok(Object::Folder(f)) => f.id,
        Ok(_) => return Err(ErrorCode::NOT_SUPPORTED),
        Err(_) => return Err(ErrorCode::DST_NULL_OBJECT),
    };
    check(ctx, &mailbox, dst, Rights::CREATE)?;
    let done = if r.want_copy {
        check(ctx, &mailbox, src, Rights::READ_ANY)?;
        mailbox.copy_messages(src, dst, &r.message_ids).map_err(store_err)?
    } else {
        check(ctx, &mailbox, src, Rights::DELETE_ANY)?;
        mailbox.move_messages(src, dst, &r.message_ids).map_err(store_err)?
    };
    Ok(done.len() < r.message_ids.len())
}

/// RopEmptyFolder ([MS-OXCFOLD] 3.2.5.9) and, with `hard`,
/// RopHardDeleteMessagesAndSubfolders (3.2.5.10): deletes messages and
/// subfolders (FAI too with WantDeleteAssociated).
pub(crate) fn empty(ctx: &mut Ctx<'_>, index: u8, want_delete_associated: bool, hard: bool) -> Result<bool, ErrorCode> {
    let (mailbox, id) = folder_of(ctx, index)?;
    check(ctx, &mailbox, id, Rights::DELETE_ANY)?;
    mailbox.empty_folder(id, want_delete_associated, hard).map_err(store_err)?;
    Ok(false)
}

/// RopDeleteMessages / RopHardDeleteMessages ([MS-OXCFOLD] 3.2.5.11,
/// 3.2.5.12). Unknown MIDs are skipped with PartialCompletion.
pub(crate) fn delete_messages(ctx: &mut Ctx<'_>, index: u8, ids: &[MessageId], hard: bool) -> Result<bool, ErrorCode> {
    let (mailbox, id) = folder_of(ctx, index)?;
    check(ctx, &mailbox, id, Rights::DELETE_ANY)?;
    let done = mailbox.delete_messages(id, ids, hard).map_err(store_err)?;
    Ok(done.len() < ids.len())
}

/// RopSetReadFlags ([MS-OXCMSG] 3.2.5.8): an empty MID list means every
/// message of the folder; unknown MIDs are ignored (capture 055).
pub(crate) fn set_read_flags(ctx: &mut Ctx<'_>, r: &SetReadFlagsRequest) -> Result<bool, ErrorCode> {
    let (mailbox, id) = folder_of(ctx, r.input_handle_index)?;
    check(ctx, &mailbox, id, Rights::READ_ANY)?;
    let flags = r.read_flags.0;
    if flags & ReadFlags::GENERATE_RECEIPT_ONLY.0 != 0 {
        return Ok(false);
    }
    let read = flags & ReadFlags::CLEAR_READ_FLAG.0 == 0;
    let ids: Vec<MessageId> = if r.message_ids.is_empty() {
        mailbox.contents(id, false).map_err(store_err)?.into_iter().map(|m| m.id).collect()
    } else {
        r.message_ids.clone()
    };
    for m in ids {
        match mailbox.message(m) {
            Ok(msg) if msg.folder == id => {
                mailbox.set_read_flag(m, read).map_err(store_err)?;
            }
            Ok(_) | Err(StoreError::NotFound(_)) | Err(StoreError::ObjectDeleted) => {}
            Err(e) => return Err(store_err(e)),
        }
    }
    Ok(false)
}
