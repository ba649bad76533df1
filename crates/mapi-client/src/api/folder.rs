//! [MS-OXCFOLD] folder operations: create, delete, move/rename, empty — each one Execute
//! (OpenFolder of the parent, the ROP, Release).

use mapi_wire::ids::FolderId;
use mapi_wire::rop::{
    CreateFolderRequest, DeleteFolderFlags, DeleteFolderRequest, EmptyFolderRequest, FolderType, MoveFolderRequest,
    RopId, RopRequest, RopResponse,
};

use super::bulk::{open_folder, release};
use super::exec::check;
use super::store::{Mailbox, Repeat};
use super::{Error, Result};

impl Mailbox {
    /// [MS-OXCROPS] 2.2.4.2 RopCreateFolder: a generic folder `name` under `parent`;
    /// with `open_existing` an existing folder of that name is returned instead of
    /// ecDuplicateName (which also makes the call safe to repeat).
    pub async fn create_folder(
        &self,
        parent: FolderId,
        name: &str,
        comment: &str,
        open_existing: bool,
    ) -> Result<FolderId> {
        // Parent opened in the same Execute: a create refused with the lost context is
        // sent again after the re-logon.
        let repeat = if open_existing { Repeat::Idempotent } else { Repeat::Resend };
        let a = self
            .run(repeat, 3, |_| {
                vec![
                    open_folder(1, parent),
                    RopRequest::CreateFolder(CreateFolderRequest {
                        logon_id: 0,
                        input_handle_index: 1,
                        output_handle_index: 2,
                        folder_type: FolderType::GENERIC,
                        use_unicode: true,
                        open_existing,
                        reserved: 0,
                        display_name: name.to_owned(),
                        comment: comment.to_owned(),
                    }),
                    release(2),
                    release(1),
                ]
            })
            .await?;
        check(a.at(0)?)?;
        match a.at(1)? {
            RopResponse::CreateFolder(r) => r
                .success
                .as_ref()
                .map(|s| s.folder_id)
                .ok_or(Error::Rop { rop: RopId::CREATE_FOLDER, code: r.return_value }),
            other => Err(Error::Protocol(format!("expected RopCreateFolder, got {}", other.id()))),
        }
    }

    /// [MS-OXCROPS] 2.2.4.3 RopDeleteFolder: deletes `folder` (a child of `parent`) with
    /// its messages and subfolders; `hard` skips the recoverable-items stage.
    pub async fn delete_folder(&self, parent: FolderId, folder: FolderId, hard: bool) -> Result<bool> {
        let mut flags = DeleteFolderFlags::DEL_MESSAGES | DeleteFolderFlags::DEL_FOLDERS;
        if hard {
            flags = flags | DeleteFolderFlags::DELETE_HARD_DELETE;
        }
        let a = self
            .run(Repeat::Idempotent, 2, |_| {
                vec![
                    open_folder(1, parent),
                    RopRequest::DeleteFolder(DeleteFolderRequest {
                        logon_id: 0,
                        input_handle_index: 1,
                        flags,
                        folder_id: folder,
                    }),
                    release(1),
                ]
            })
            .await?;
        check(a.at(0)?)?;
        let r = a.at(1)?;
        check(r)?;
        match r {
            RopResponse::DeleteFolder(d) => Ok(d.partial_completion != Some(true)),
            other => Err(Error::Protocol(format!("expected RopDeleteFolder, got {}", other.id()))),
        }
    }

    /// [MS-OXCROPS] 2.2.4.7 RopMoveFolder: moves `folder` from `source_parent` to
    /// `dest_parent` under `new_name` (same parents + a new name = rename). Opens both
    /// parents in the same Execute, so a context lost before it ran is recovered by
    /// sending it once more.
    pub async fn move_folder(
        &self,
        source_parent: FolderId,
        dest_parent: FolderId,
        folder: FolderId,
        new_name: &str,
    ) -> Result<()> {
        let a = self
            .run(Repeat::Resend, 3, |_| {
                vec![
                    open_folder(1, source_parent),
                    open_folder(2, dest_parent),
                    RopRequest::MoveFolder(MoveFolderRequest {
                        logon_id: 0,
                        source_handle_index: 1,
                        dest_handle_index: 2,
                        want_asynchronous: false,
                        // RopMoveFolder always moves the whole subtree; the field exists
                        // on the wire for RopCopyFolder only ([MS-OXCROPS] 2.2.4.7.1).
                        want_recursive: false,
                        use_unicode: true,
                        folder_id: folder,
                        new_folder_name: new_name.to_owned(),
                    }),
                    release(2),
                    release(1),
                ]
            })
            .await?;
        for r in a.rops.iter().flatten() {
            check(r)?;
        }
        Ok(())
    }

    /// [MS-OXCROPS] 2.2.4.9 RopEmptyFolder: deletes the messages and subfolders of
    /// `folder` (`associated`: also its FAI messages).
    pub async fn empty_folder(&self, folder: FolderId, associated: bool) -> Result<()> {
        let a = self
            .run(Repeat::Idempotent, 2, |_| {
                vec![
                    open_folder(1, folder),
                    RopRequest::EmptyFolder(EmptyFolderRequest {
                        logon_id: 0,
                        input_handle_index: 1,
                        want_asynchronous: false,
                        want_delete_associated: associated,
                    }),
                    release(1),
                ]
            })
            .await?;
        for r in a.rops.iter().flatten() {
            check(r)?;
        }
        Ok(())
    }
}

impl Mailbox {
    /// Renames a folder: RopOpenFolder + RopSetProperties(PidTagDisplayName) + RopRelease
    /// ([MS-OXCFOLD] 2.2.2.2.1).
    pub async fn rename_folder(&self, folder: FolderId, new_name: &str) -> Result<()> {
        let a = self
            .run(Repeat::Idempotent, 2, |_| {
                vec![
                    open_folder(1, folder),
                    RopRequest::SetProperties(mapi_wire::rop::SetPropertiesRequest {
                        logon_id: 0,
                        input_handle_index: 1,
                        values: vec![mapi_wire::prop_value::TaggedValue {
                            tag: mapi_wire::PropTag(0x3001_001F),
                            value: mapi_wire::prop_value::PropValue::String(new_name.to_owned()),
                        }],
                    }),
                    release(1),
                ]
            })
            .await?;
        for r in a.rops.iter().flatten() {
            check(r)?;
        }
        match a.at(1)? {
            RopResponse::SetProperties(s) if s.problems.as_ref().is_some_and(|p| !p.is_empty()) => {
                Err(Error::Protocol(format!("PidTagDisplayName not set: {:?}", s.problems)))
            }
            _ => Ok(()),
        }
    }

    /// Sets and deletes properties of an existing message and saves it: RopOpenMessage
    /// (read/write) + RopSetProperties + RopDeleteProperties + RopSaveChangesMessage +
    /// RopRelease in one Execute (values must fit the 32 KB ROP input).
    pub async fn update_message(
        &self,
        folder: FolderId,
        mid: mapi_wire::ids::MessageId,
        set: &[mapi_wire::prop_value::TaggedValue],
        delete: &[mapi_wire::PropTag],
    ) -> Result<()> {
        let a = self
            .run(Repeat::Idempotent, 2, |_| {
                let mut rops = vec![RopRequest::OpenMessage(mapi_wire::rop::OpenMessageRequest {
                    logon_id: 0,
                    input_handle_index: 0,
                    output_handle_index: 1,
                    code_page_id: super::message::CODE_PAGE_LOGON,
                    folder_id: folder,
                    open_mode_flags: mapi_wire::rop::MessageOpenModeFlags::READ_WRITE,
                    message_id: mid,
                })];
                if !set.is_empty() {
                    rops.push(RopRequest::SetProperties(mapi_wire::rop::SetPropertiesRequest {
                        logon_id: 0,
                        input_handle_index: 1,
                        values: set.to_vec(),
                    }));
                }
                if !delete.is_empty() {
                    rops.push(RopRequest::DeleteProperties(mapi_wire::rop::DeletePropertiesRequest {
                        logon_id: 0,
                        input_handle_index: 1,
                        property_tags: delete.to_vec(),
                    }));
                }
                rops.push(RopRequest::SaveChangesMessage(mapi_wire::rop::SaveChangesMessageRequest {
                    logon_id: 0,
                    response_handle_index: 1,
                    input_handle_index: 1,
                    save_flags: mapi_wire::rop::SaveFlags::KEEP_OPEN_READ_WRITE,
                }));
                rops.push(release(1));
                rops
            })
            .await?;
        for r in a.rops.iter().flatten() {
            check(r)?;
        }
        Ok(())
    }
}
