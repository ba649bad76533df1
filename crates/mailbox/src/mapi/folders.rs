//! Folder kinds from PidTagContainerClass ([MS-OXOSFLD] 2.2.6) and
//! special-use roles from the mailbox's special folders.

use crate::model::{FolderId, FolderKind, SpecialUse};

/// The kind of folder a container class names. Absent or empty classes are
/// mail folders (Exchange leaves mail folders created by some clients
/// without a class); `IPF.Note.*` and `IPF.Imap` are mail too.
pub fn folder_kind(container_class: Option<&str>) -> FolderKind {
    let Some(class) = container_class.filter(|c| !c.is_empty()) else {
        return FolderKind::Mail;
    };
    let is = |prefix: &str| {
        class.len() >= prefix.len()
            && class.get(..prefix.len()).is_some_and(|h| h.eq_ignore_ascii_case(prefix))
            && (class.len() == prefix.len() || class.as_bytes().get(prefix.len()) == Some(&b'.'))
    };
    if is("IPF.Note") || is("IPF.Imap") || class.eq_ignore_ascii_case("IPF") {
        FolderKind::Mail
    } else if is("IPF.Appointment") {
        FolderKind::Calendar
    } else if is("IPF.Contact") {
        FolderKind::Contacts
    } else if is("IPF.Task") {
        FolderKind::Tasks
    } else if is("IPF.StickyNote") {
        FolderKind::Notes
    } else if is("IPF.Journal") {
        FolderKind::Journal
    } else {
        FolderKind::Other
    }
}

/// The ids of the mailbox's special folders, as the backend found them:
/// the inbox from RopLogon's special folder list (or RopGetReceiveFolder),
/// Deleted Items / Sent Items / Outbox from RopLogon and
/// PidTagIpmWastebasketEntryId / PidTagIpmSentMailEntryId /
/// PidTagIpmOutboxEntryId, Drafts from PidTagIpmDraftsEntryId, Junk from
/// PidTagAdditionalRenEntryIds index 4, Archive from the archive folder's
/// entry id when the mailbox has one ([MS-OXOSFLD] 2.2). The backend
/// converts them to the same [`FolderId`] form it uses for listed folders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpecialFolders {
    /// The inbox.
    pub inbox: Option<FolderId>,
    /// Drafts.
    pub drafts: Option<FolderId>,
    /// Sent Items.
    pub sent: Option<FolderId>,
    /// Deleted Items.
    pub deleted: Option<FolderId>,
    /// Junk E-mail.
    pub junk: Option<FolderId>,
    /// Archive.
    pub archive: Option<FolderId>,
    /// Outbox.
    pub outbox: Option<FolderId>,
}

impl SpecialFolders {
    /// The role of a folder, if it is special.
    pub fn role_of(&self, id: &FolderId) -> Option<SpecialUse> {
        [
            (&self.inbox, SpecialUse::Inbox),
            (&self.drafts, SpecialUse::Drafts),
            (&self.sent, SpecialUse::Sent),
            (&self.deleted, SpecialUse::Trash),
            (&self.junk, SpecialUse::Junk),
            (&self.archive, SpecialUse::Archive),
            (&self.outbox, SpecialUse::Outbox),
        ]
        .into_iter()
        .find(|(f, _)| f.as_ref() == Some(id))
        .map(|(_, role)| role)
    }

    /// The folder with a role.
    pub fn folder_of(&self, role: SpecialUse) -> Option<&FolderId> {
        match role {
            SpecialUse::Inbox => self.inbox.as_ref(),
            SpecialUse::Drafts => self.drafts.as_ref(),
            SpecialUse::Sent => self.sent.as_ref(),
            SpecialUse::Trash => self.deleted.as_ref(),
            SpecialUse::Junk => self.junk.as_ref(),
            SpecialUse::Archive => self.archive.as_ref(),
            SpecialUse::Outbox => self.outbox.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_container_class() {
        assert_eq!(folder_kind(None), FolderKind::Mail);
        assert_eq!(folder_kind(Some("")), FolderKind::Mail);
        assert_eq!(folder_kind(Some("IPF.Note")), FolderKind::Mail);
        assert_eq!(folder_kind(Some("ipf.note.OutlookHomepage")), FolderKind::Mail);
        assert_eq!(folder_kind(Some("IPF.Appointment")), FolderKind::Calendar);
        assert_eq!(folder_kind(Some("IPF.Contact")), FolderKind::Contacts);
        assert_eq!(folder_kind(Some("IPF.Task")), FolderKind::Tasks);
        assert_eq!(folder_kind(Some("IPF.StickyNote")), FolderKind::Notes);
        assert_eq!(folder_kind(Some("IPF.Journal")), FolderKind::Journal);
        assert_eq!(folder_kind(Some("IPF.Notebook")), FolderKind::Other);
        assert_eq!(folder_kind(Some("IPF.Configuration")), FolderKind::Other);
    }

    #[test]
    fn roles_come_from_the_special_folder_ids() {
        let id = |n: u8| FolderId::new(vec![n]);
        let special = SpecialFolders {
            inbox: Some(id(1)),
            deleted: Some(id(2)),
            outbox: Some(id(3)),
            ..SpecialFolders::default()
        };
        assert_eq!(special.role_of(&id(1)), Some(SpecialUse::Inbox));
        assert_eq!(special.role_of(&id(2)), Some(SpecialUse::Trash));
        assert_eq!(special.role_of(&id(3)), Some(SpecialUse::Outbox));
        assert_eq!(special.role_of(&id(4)), None);
        assert_eq!(special.folder_of(SpecialUse::Trash), Some(&id(2)));
        assert_eq!(SpecialUse::Trash.attribute(), Some("\\Trash"));
    }
}
