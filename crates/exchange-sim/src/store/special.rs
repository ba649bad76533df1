//! The standard folder tree of a private mailbox ([MS-OXOSFLD] 2.2,
//! [MS-OXCSTOR] 2.2.1.1.3) and of the public folder store
//! ([MS-OXCSTOR] 2.2.1.1.4).
//!
//! Global counters follow gromox 3.10 as captured (corrections B8; captures
//! 005, 008, 009): Root 1, Deferred Action 2, Spooler Queue 3, Shortcuts 4,
//! Finder 5, Views 6, Common Views 7, Schedule 8, IPM subtree 9, Sent Items
//! 0xA, Deleted Items 0xB, Outbox 0xC, Inbox 0xD, Drafts 0xE, Calendar 0xF,
//! Journal 0x10, Notes 0x11, Tasks 0x12, Contacts 0x13 … Conversation Action
//! Settings 0x1D.

/// A well-known folder of a private mailbox, with its fixed global counter.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SpecialFolder {
    /// The mailbox root ([MS-OXCSTOR] 2.2.1.1.3 FolderIds[0]).
    Root,
    /// Deferred Action (FolderIds[1]).
    DeferredAction,
    /// Spooler Queue (FolderIds[2]).
    SpoolerQueue,
    /// Shortcuts (FolderIds[12]).
    Shortcuts,
    /// Finder / search root (FolderIds[10]).
    Finder,
    /// Views (FolderIds[11]).
    Views,
    /// Common Views (FolderIds[8]).
    CommonViews,
    /// Schedule (FolderIds[9]).
    Schedule,
    /// Top of Information Store (FolderIds[3]).
    IpmSubtree,
    /// Sent Items (FolderIds[6]).
    SentItems,
    /// Deleted Items (FolderIds[7]).
    DeletedItems,
    /// Outbox (FolderIds[5]).
    Outbox,
    /// Inbox (FolderIds[4]).
    Inbox,
    /// Drafts (PidTagIpmDraftsEntryId).
    Drafts,
    /// Calendar (PidTagIpmAppointmentEntryId).
    Calendar,
    /// Journal (PidTagIpmJournalEntryId).
    Journal,
    /// Notes (PidTagIpmNoteEntryId).
    Notes,
    /// Tasks (PidTagIpmTaskEntryId).
    Tasks,
    /// Contacts (PidTagIpmContactEntryId).
    Contacts,
    /// Contacts/Quick Contacts.
    QuickContacts,
    /// Contacts/IM Contacts List.
    ImContactsList,
    /// Contacts/GAL Contacts.
    GalContacts,
    /// Junk Email (PidTagAdditionalRenEntryIds[4]).
    JunkEmail,
    /// Freebusy Data (under Root).
    FreebusyData,
    /// Sync Issues (PidTagAdditionalRenEntryIds[1]).
    SyncIssues,
    /// Sync Issues/Conflicts (PidTagAdditionalRenEntryIds[0]).
    Conflicts,
    /// Sync Issues/Local Failures (PidTagAdditionalRenEntryIds[2]).
    LocalFailures,
    /// Sync Issues/Server Failures (PidTagAdditionalRenEntryIds[3]).
    ServerFailures,
    /// Conversation Action Settings.
    ConversationActionSettings,
}

impl SpecialFolder {
    /// Every special folder, parents before children.
    pub const ALL: [Self; 29] = [
        Self::Root,
        Self::DeferredAction,
        Self::SpoolerQueue,
        Self::Shortcuts,
        Self::Finder,
        Self::Views,
        Self::CommonViews,
        Self::Schedule,
        Self::IpmSubtree,
        Self::SentItems,
        Self::DeletedItems,
        Self::Outbox,
        Self::Inbox,
        Self::Drafts,
        Self::Calendar,
        Self::Journal,
        Self::Notes,
        Self::Tasks,
        Self::Contacts,
        Self::QuickContacts,
        Self::ImContactsList,
        Self::GalContacts,
        Self::JunkEmail,
        Self::FreebusyData,
        Self::SyncIssues,
        Self::Conflicts,
        Self::LocalFailures,
        Self::ServerFailures,
        Self::ConversationActionSettings,
    ];

    /// The 13 RopLogon FolderIds in response order ([MS-OXCSTOR]
    /// 2.2.1.1.3; corrections B8).
    pub const LOGON_ORDER: [Self; 13] = [
        Self::Root,
        Self::DeferredAction,
        Self::SpoolerQueue,
        Self::IpmSubtree,
        Self::Inbox,
        Self::Outbox,
        Self::SentItems,
        Self::DeletedItems,
        Self::CommonViews,
        Self::Schedule,
        Self::Finder,
        Self::Views,
        Self::Shortcuts,
    ];

    /// The fixed global counter of this folder's FID.
    pub const fn counter(self) -> u64 {
        match self {
            Self::Root => 0x01,
            Self::DeferredAction => 0x02,
            Self::SpoolerQueue => 0x03,
            Self::Shortcuts => 0x04,
            Self::Finder => 0x05,
            Self::Views => 0x06,
            Self::CommonViews => 0x07,
            Self::Schedule => 0x08,
            Self::IpmSubtree => 0x09,
            Self::SentItems => 0x0A,
            Self::DeletedItems => 0x0B,
            Self::Outbox => 0x0C,
            Self::Inbox => 0x0D,
            Self::Drafts => 0x0E,
            Self::Calendar => 0x0F,
            Self::Journal => 0x10,
            Self::Notes => 0x11,
            Self::Tasks => 0x12,
            Self::Contacts => 0x13,
            Self::QuickContacts => 0x14,
            Self::ImContactsList => 0x15,
            Self::GalContacts => 0x16,
            Self::JunkEmail => 0x17,
            Self::FreebusyData => 0x18,
            Self::SyncIssues => 0x19,
            Self::Conflicts => 0x1A,
            Self::LocalFailures => 0x1B,
            Self::ServerFailures => 0x1C,
            Self::ConversationActionSettings => 0x1D,
        }
    }

    /// The parent folder (None for Root).
    pub const fn parent(self) -> Option<Self> {
        Some(match self {
            Self::Root => return None,
            Self::DeferredAction
            | Self::SpoolerQueue
            | Self::Shortcuts
            | Self::Finder
            | Self::Views
            | Self::CommonViews
            | Self::Schedule
            | Self::IpmSubtree
            | Self::FreebusyData => Self::Root,
            Self::QuickContacts | Self::ImContactsList | Self::GalContacts => Self::Contacts,
            Self::Conflicts | Self::LocalFailures | Self::ServerFailures => Self::SyncIssues,
            _ => Self::IpmSubtree,
        })
    }

    /// The display name (English, as gromox names them).
    pub const fn display_name(self) -> &'static str {
        match self {
            Self::Root => "Root Container",
            Self::DeferredAction => "Deferred Action",
            Self::SpoolerQueue => "Spooler Queue",
            Self::Shortcuts => "Shortcuts",
            Self::Finder => "Finder",
            Self::Views => "Views",
            Self::CommonViews => "Common Views",
            Self::Schedule => "Schedule",
            Self::IpmSubtree => "Top of Information Store",
            Self::SentItems => "Sent Items",
            Self::DeletedItems => "Deleted Items",
            Self::Outbox => "Outbox",
            Self::Inbox => "Inbox",
            Self::Drafts => "Drafts",
            Self::Calendar => "Calendar",
            Self::Journal => "Journal",
            Self::Notes => "Notes",
            Self::Tasks => "Tasks",
            Self::Contacts => "Contacts",
            Self::QuickContacts => "Quick Contacts",
            Self::ImContactsList => "IM Contacts List",
            Self::GalContacts => "GAL Contacts",
            Self::JunkEmail => "Junk Email",
            Self::FreebusyData => "Freebusy Data",
            Self::SyncIssues => "Sync Issues",
            Self::Conflicts => "Conflicts",
            Self::LocalFailures => "Local Failures",
            Self::ServerFailures => "Server Failures",
            Self::ConversationActionSettings => "Conversation Action Settings",
        }
    }

    /// PidTagContainerClass, if the folder has one ([MS-OXOSFLD] 2.2.5).
    pub const fn container_class(self) -> Option<&'static str> {
        Some(match self {
            Self::SpoolerQueue
            | Self::SentItems
            | Self::DeletedItems
            | Self::Outbox
            | Self::Inbox
            | Self::Drafts
            | Self::JunkEmail
            | Self::SyncIssues
            | Self::Conflicts
            | Self::LocalFailures
            | Self::ServerFailures => "IPF.Note",
            Self::Calendar => "IPF.Appointment",
            Self::Journal => "IPF.Journal",
            Self::Notes => "IPF.StickyNote",
            Self::Tasks => "IPF.Task",
            Self::Contacts => "IPF.Contact",
            Self::QuickContacts => "IPF.Contact.MOC.QuickContacts",
            Self::ImContactsList => "IPF.Contact.MOC.ImContactList",
            Self::GalContacts => "IPF.Contact.GalContacts",
            Self::ConversationActionSettings => "IPF.Configuration",
            _ => return None,
        })
    }

    /// The special folder with this global counter.
    pub fn from_counter(c: u64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.counter() == c)
    }
}

/// A well-known folder of the public folder store ([MS-OXCSTOR] 2.2.1.1.4).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PublicFolder {
    /// The public root (FolderIds[0]).
    Root,
    /// The public IPM subtree, "All Public Folders" (FolderIds[1]).
    IpmSubtree,
    /// The non-IPM subtree (FolderIds[2]).
    NonIpmSubtree,
    /// EFORMS REGISTRY (FolderIds[3]).
    EformsRegistry,
}

impl PublicFolder {
    /// Every public special folder, parents first.
    pub const ALL: [Self; 4] = [Self::Root, Self::IpmSubtree, Self::NonIpmSubtree, Self::EformsRegistry];

    /// The fixed global counter.
    pub const fn counter(self) -> u64 {
        match self {
            Self::Root => 1,
            Self::IpmSubtree => 2,
            Self::NonIpmSubtree => 3,
            Self::EformsRegistry => 4,
        }
    }

    /// The parent folder.
    pub const fn parent(self) -> Option<Self> {
        match self {
            Self::Root => None,
            Self::IpmSubtree | Self::NonIpmSubtree => Some(Self::Root),
            Self::EformsRegistry => Some(Self::NonIpmSubtree),
        }
    }

    /// The display name.
    pub const fn display_name(self) -> &'static str {
        match self {
            Self::Root => "Root Container",
            Self::IpmSubtree => "IPM_SUBTREE",
            Self::NonIpmSubtree => "NON_IPM_SUBTREE",
            Self::EformsRegistry => "EFORMS REGISTRY",
        }
    }
}

/// The first global counter the allocator hands out (counters below it are
/// the fixed special folders).
pub const FIRST_DYNAMIC_COUNTER: u64 = 0x100;
