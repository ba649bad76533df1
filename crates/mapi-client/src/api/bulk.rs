//! Bulk message operations ([MS-OXCFOLD] 2.2.1.6–2.2.1.11, [MS-OXCMSG] 2.2.3.10): many
//! MIDs per ROP and several ROPs per Execute, split so each ROP input buffer stays
//! within 32 KB (captures 034, 036, 038, 039).

use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::rop::{
    DeleteMessagesRequest, FolderOpenModeFlags, HardDeleteMessagesRequest, MoveCopyMessagesRequest, OpenFolderRequest,
    ReadFlags, ReleaseRequest, RopRequest, RopResponse,
};

use super::Result;
use super::exec::check;
use super::store::{Mailbox, Repeat};

/// MIDs per ROP: 8 bytes each, so one Execute of a few such ROPs stays well under
/// the 32 KB ROP input limit ([MS-OXCMAPIHTTP] 2.2.4.2.1).
pub const MIDS_PER_ROP: usize = 1800;

/// ROPs carrying MIDs per Execute (1800 × 8 × 2 ≈ 29 KB).
const ROPS_PER_EXECUTE: usize = 2;

/// What a bulk operation did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    /// Executes sent.
    pub executes: u32,
    /// True when a ROP reported PartialCompletion (some MIDs not processed).
    pub partial: bool,
}

pub(crate) fn open_folder(slot: u8, folder: FolderId) -> RopRequest {
    RopRequest::OpenFolder(OpenFolderRequest {
        logon_id: 0,
        input_handle_index: 0,
        output_handle_index: slot,
        folder_id: folder,
        open_mode_flags: FolderOpenModeFlags::NONE,
    })
}

pub(crate) fn release(slot: u8) -> RopRequest {
    RopRequest::Release(ReleaseRequest { logon_id: 0, input_handle_index: slot })
}

fn partial_of(r: &RopResponse) -> bool {
    match r {
        RopResponse::SetReadFlags(x) => x.partial_completion == Some(true),
        RopResponse::DeleteMessages(x) => x.partial_completion == Some(true),
        RopResponse::HardDeleteMessages(x) => x.partial_completion == Some(true),
        RopResponse::MoveCopyMessages(x) => x.partial_completion,
        _ => false,
    }
}

impl Mailbox {
    /// Runs `per_rop(chunk)` for every chunk of MIDs with the folders opened first and
    /// released last ([MS-OXCROPS] 2.2.15.3): `folders` go to slots 1, 2, ….
    async fn bulk<F>(&self, repeat: Repeat, folders: &[FolderId], mids: &[MessageId], per_rop: F) -> Result<BulkOutcome>
    where
        F: Fn(&[MessageId]) -> RopRequest,
    {
        let mut out = BulkOutcome::default();
        let chunks: Vec<&[MessageId]> = mids.chunks(MIDS_PER_ROP).collect();
        for group in chunks.chunks(ROPS_PER_EXECUTE) {
            let a = self
                .run(repeat, folders.len() + 1, |_| {
                    let mut rops = Vec::new();
                    for (i, f) in folders.iter().enumerate() {
                        rops.push(open_folder(u8::try_from(i + 1).unwrap_or(u8::MAX), *f));
                    }
                    for c in group {
                        rops.push(per_rop(c));
                    }
                    for i in (0..folders.len()).rev() {
                        rops.push(release(u8::try_from(i + 1).unwrap_or(u8::MAX)));
                    }
                    rops
                })
                .await?;
            out.executes += 1;
            for r in a.rops.iter().flatten() {
                check(r)?;
                out.partial |= partial_of(r);
            }
        }
        Ok(out)
    }

    /// [MS-OXCROPS] 2.2.6.10 RopSetReadFlags on many messages of `folder` (capture 034:
    /// OpenFolder + SetReadFlags + Release). `flags` DEFAULT marks read,
    /// CLEAR_READ_FLAG unread; SUPPRESS_RECEIPT as Outlook does.
    pub async fn set_read_flags(&self, folder: FolderId, mids: &[MessageId], flags: ReadFlags) -> Result<BulkOutcome> {
        self.bulk(Repeat::Idempotent, &[folder], mids, |c| {
            RopRequest::SetReadFlags(mapi_wire::rop::SetReadFlagsRequest {
                logon_id: 0,
                input_handle_index: 1,
                want_asynchronous: false,
                read_flags: flags,
                message_ids: c.to_vec(),
            })
        })
        .await
    }

    /// [MS-OXCROPS] 2.2.4.6 RopMoveCopyMessages from `source` to `dest` (capture 036).
    /// Each Execute opens both folders itself, so a context lost before it ran (refused
    /// at the cookie check) is recovered by sending it once more; an ambiguous outcome
    /// is reported, never repeated (a copy would be duplicated).
    pub async fn move_copy(
        &self,
        source: FolderId,
        dest: FolderId,
        mids: &[MessageId],
        copy: bool,
    ) -> Result<BulkOutcome> {
        self.bulk(Repeat::Resend, &[source, dest], mids, |c| {
            RopRequest::MoveCopyMessages(MoveCopyMessagesRequest {
                logon_id: 0,
                source_handle_index: 1,
                dest_handle_index: 2,
                message_ids: c.to_vec(),
                want_asynchronous: false,
                want_copy: copy,
            })
        })
        .await
    }

    /// [MS-OXCROPS] 2.2.4.11 RopDeleteMessages (soft) or 2.2.4.12 RopHardDeleteMessages
    /// (captures 038, 039).
    pub async fn delete_messages(&self, folder: FolderId, mids: &[MessageId], hard: bool) -> Result<BulkOutcome> {
        self.bulk(Repeat::Idempotent, &[folder], mids, |c| {
            if hard {
                RopRequest::HardDeleteMessages(HardDeleteMessagesRequest {
                    logon_id: 0,
                    input_handle_index: 1,
                    want_asynchronous: false,
                    notify_non_read: false,
                    message_ids: c.to_vec(),
                })
            } else {
                RopRequest::DeleteMessages(DeleteMessagesRequest {
                    logon_id: 0,
                    input_handle_index: 1,
                    want_asynchronous: false,
                    notify_non_read: false,
                    message_ids: c.to_vec(),
                })
            }
        })
        .await
    }
}
