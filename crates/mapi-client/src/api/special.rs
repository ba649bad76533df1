//! [MS-OXOSFLD] special folders beyond the logon's FolderIds: PidTagIpm*EntryId and
//! PidTagAdditionalRenEntryIds on the Root and the Inbox (both carry them on gromox,
//! corrections B10) and RopGetReceiveFolder("IPM") in one Execute (capture 007's ROPs),
//! then RopIdFromLongTermId for the entry IDs in a second one (corrections A15: never
//! derive FIDs locally).

use mapi_wire::PropTag;
use mapi_wire::entry_id::EntryId;
use mapi_wire::ids::{FolderId, LongTermId};
use mapi_wire::prop_value::PropValue;
use mapi_wire::rop::{
    GetPropertiesSpecificRequest, GetReceiveFolderRequest, IdFromLongTermIdRequest, RopRequest, RopResponse,
};

use super::bulk::{open_folder, release};
use super::exec::check;
use super::props::row_values;
use super::store::{Mailbox, Repeat, SpecialFolder};
use super::{Error, Result};

/// The entry-ID properties read from the Root and the Inbox (capture 007's list).
pub const SPECIAL_FOLDER_TAGS: [PropTag; 8] = [
    PropTag(0x36D0_0102), // PidTagIpmAppointmentEntryId
    PropTag(0x36D1_0102), // PidTagIpmContactEntryId
    PropTag(0x36D2_0102), // PidTagIpmJournalEntryId
    PropTag(0x36D3_0102), // PidTagIpmNoteEntryId
    PropTag(0x36D4_0102), // PidTagIpmTaskEntryId
    PropTag(0x36D7_0102), // PidTagIpmDraftsEntryId
    PropTag(0x36D8_1102), // PidTagAdditionalRenEntryIds
    PropTag(0x3001_001F), // PidTagDisplayName
];

/// Folder ids of the well-known folders ([MS-OXOSFLD] 2.2); None when the store does
/// not name one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpecialFolders {
    /// RopGetReceiveFolder("IPM"): where mail is delivered.
    pub inbox: Option<FolderId>,
    /// PidTagIpmAppointmentEntryId.
    pub calendar: Option<FolderId>,
    /// PidTagIpmContactEntryId.
    pub contacts: Option<FolderId>,
    /// PidTagIpmJournalEntryId.
    pub journal: Option<FolderId>,
    /// PidTagIpmNoteEntryId.
    pub notes: Option<FolderId>,
    /// PidTagIpmTaskEntryId.
    pub tasks: Option<FolderId>,
    /// PidTagIpmDraftsEntryId.
    pub drafts: Option<FolderId>,
    /// PidTagAdditionalRenEntryIds[0].
    pub conflicts: Option<FolderId>,
    /// PidTagAdditionalRenEntryIds[1].
    pub sync_issues: Option<FolderId>,
    /// PidTagAdditionalRenEntryIds[2].
    pub local_failures: Option<FolderId>,
    /// PidTagAdditionalRenEntryIds[3].
    pub server_failures: Option<FolderId>,
    /// PidTagAdditionalRenEntryIds[4].
    pub junk: Option<FolderId>,
}

fn long_term_id(bytes: &[u8]) -> Option<LongTermId> {
    match EntryId::parse(bytes) {
        Ok(EntryId::Folder(f)) => Some(f.folder),
        _ => None,
    }
}

impl Mailbox {
    /// Finds the well-known folders (two Executes).
    pub async fn special_folders(&self) -> Result<SpecialFolders> {
        let root = self.folder(SpecialFolder::Root);
        let inbox = self.folder(SpecialFolder::Inbox);
        let a = self
            .run(Repeat::Idempotent, 3, |_| {
                let props = |slot| {
                    RopRequest::GetPropertiesSpecific(GetPropertiesSpecificRequest {
                        logon_id: 0,
                        input_handle_index: slot,
                        property_size_limit: 0,
                        want_unicode: 1,
                        property_tags: SPECIAL_FOLDER_TAGS.to_vec(),
                    })
                };
                vec![
                    open_folder(1, root),
                    props(1),
                    open_folder(2, inbox),
                    props(2),
                    RopRequest::GetReceiveFolder(GetReceiveFolderRequest {
                        logon_id: 0,
                        input_handle_index: 0,
                        message_class: "IPM".into(),
                    }),
                    release(1),
                    release(2),
                ]
            })
            .await?;
        // Entry IDs by slot of SpecialFolders: 0..6 from the Ipm* tags, 6..11 Additional.
        let mut ids: [Option<LongTermId>; 11] = [None; 11];
        for at in [1usize, 3] {
            let r = a.at(at)?;
            let RopResponse::GetPropertiesSpecific(g) = r else {
                return Err(Error::Protocol(format!("expected RopGetPropertiesSpecific, got {}", r.id())));
            };
            let Some(row) = &g.row else { continue }; // the Inbox may not carry them
            for v in row_values(&g.columns, row) {
                match (&v.value, SPECIAL_FOLDER_TAGS.iter().position(|t| *t == v.tag)) {
                    (PropValue::Binary(b), Some(i)) if i < 6 => {
                        if let Some(slot) = ids.get_mut(i) {
                            *slot = slot.or(long_term_id(b));
                        }
                    }
                    (PropValue::MvBinary(list), Some(6)) => {
                        for (k, b) in list.iter().enumerate().take(5) {
                            if let Some(slot) = ids.get_mut(6 + k) {
                                *slot = slot.or(long_term_id(b));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut out = SpecialFolders::default();
        if let RopResponse::GetReceiveFolder(g) = a.at(4)? {
            out.inbox = g.success.as_ref().map(|s| s.folder_id);
        }
        let wanted: Vec<(usize, LongTermId)> = ids.iter().enumerate().filter_map(|(i, l)| l.map(|l| (i, l))).collect();
        if wanted.is_empty() {
            return Ok(out);
        }
        let b = self
            .run(Repeat::Idempotent, 1, |_| {
                wanted
                    .iter()
                    .map(|(_, l)| {
                        RopRequest::IdFromLongTermId(IdFromLongTermIdRequest {
                            logon_id: 0,
                            input_handle_index: 0,
                            long_term_id: *l,
                        })
                    })
                    .collect()
            })
            .await?;
        for (k, (i, _)) in wanted.iter().enumerate() {
            let r = b.at(k)?;
            check(r)?;
            let RopResponse::IdFromLongTermId(x) = r else {
                return Err(Error::Protocol(format!("expected RopIdFromLongTermId, got {}", r.id())));
            };
            let fid = x.success.as_ref().map(|s| FolderId(s.object_id));
            let field = match i {
                0 => &mut out.calendar,
                1 => &mut out.contacts,
                2 => &mut out.journal,
                3 => &mut out.notes,
                4 => &mut out.tasks,
                5 => &mut out.drafts,
                6 => &mut out.conflicts,
                7 => &mut out.sync_issues,
                8 => &mut out.local_failures,
                9 => &mut out.server_failures,
                _ => &mut out.junk,
            };
            *field = fid;
        }
        Ok(out)
    }
}
