//! [MS-OXCFXICS] 2.2.4.1.4 markers and 2.2.4.1.5 meta-properties.

use crate::idset::ReplForm;
use crate::prop_tag::PropTag;

open_enum! {
    /// A FastTransfer marker ([MS-OXCFXICS] 2.2.4.1.4): a bare 4-byte tag
    /// with no value that delimits the stream's structure.
    ///
    /// IncrSyncProgressMode, IncrSyncProgressPerMsg and IncrSyncGroupInfo
    /// are markers although their tags carry Boolean/Binary types.
    pub struct Marker(u32) {
        NEW_ATTACH = 0x4000_0003, "NewAttach";
        START_EMBED = 0x4001_0003, "StartEmbed";
        END_EMBED = 0x4002_0003, "EndEmbed";
        START_RECIP = 0x4003_0003, "StartRecip";
        END_TO_RECIP = 0x4004_0003, "EndToRecip";
        START_TOP_FLD = 0x4009_0003, "StartTopFld";
        START_SUB_FLD = 0x400A_0003, "StartSubFld";
        END_FOLDER = 0x400B_0003, "EndFolder";
        START_MESSAGE = 0x400C_0003, "StartMessage";
        END_MESSAGE = 0x400D_0003, "EndMessage";
        END_ATTACH = 0x400E_0003, "EndAttach";
        START_FAI_MSG = 0x4010_0003, "StartFAIMsg";
        INCR_SYNC_CHG = 0x4012_0003, "IncrSyncChg";
        INCR_SYNC_DEL = 0x4013_0003, "IncrSyncDel";
        INCR_SYNC_END = 0x4014_0003, "IncrSyncEnd";
        INCR_SYNC_MESSAGE = 0x4015_0003, "IncrSyncMessage";
        FX_ERROR_INFO = 0x4018_0003, "FXErrorInfo";
        INCR_SYNC_READ = 0x402F_0003, "IncrSyncRead";
        INCR_SYNC_STATE_BEGIN = 0x403A_0003, "IncrSyncStateBegin";
        INCR_SYNC_STATE_END = 0x403B_0003, "IncrSyncStateEnd";
        INCR_SYNC_PROGRESS_MODE = 0x4074_000B, "IncrSyncProgressMode";
        INCR_SYNC_PROGRESS_PER_MSG = 0x4075_000B, "IncrSyncProgressPerMsg";
        INCR_SYNC_GROUP_INFO = 0x407B_0102, "IncrSyncGroupInfo";
        INCR_SYNC_CHG_PARTIAL = 0x407D_0003, "IncrSyncChgPartial";
    }
}

impl Marker {
    /// True when `tag` is one of the markers of [MS-OXCFXICS] 2.2.4.1.4.
    ///
    /// Only the named markers count: any other tag starts a propValue, so
    /// an unknown 0x40xx tag is read as a property, never skipped.
    pub fn is_marker(tag: u32) -> bool {
        Self(tag).name().is_some()
    }

    /// The marker's tag.
    pub const fn tag(self) -> PropTag {
        PropTag(self.0)
    }
}

/// Meta-property and ICS state tags ([MS-OXCFXICS] 2.2.1.1–2.2.1.5,
/// 2.2.4.1.5): serialized as ordinary propValues.
pub mod meta {
    use crate::prop_tag::PropTag;

    /// MetaTagDnPrefix: the DN prefix of an attachment's recipient table.
    pub const DN_PREFIX: PropTag = PropTag(0x4008_001E);
    /// MetaTagEcWarning: a non-fatal error code while producing the stream.
    pub const EC_WARNING: PropTag = PropTag(0x400F_0003);
    /// MetaTagNewFXFolder: a folder that could not be copied.
    pub const NEW_FX_FOLDER: PropTag = PropTag(0x4011_0102);
    /// MetaTagFXDelProp: the following sub-objects replace the existing
    /// ones; its u32 value is PidTagMessageRecipients 0x0E12000D or
    /// PidTagMessageAttachments 0x0E13000D.
    pub const FX_DEL_PROP: PropTag = PropTag(0x4016_0003);
    /// MetaTagIdsetGiven: sent with type PtypInteger32 but carrying a u32
    /// length and an IDSET blob ([MS-OXCFXICS] 3.2.5.2.1; corrections B19).
    pub const IDSET_GIVEN: PropTag = PropTag(0x4017_0003);
    /// MetaTagIdsetGiven with its alternative PtypBinary type.
    pub const IDSET_GIVEN_BINARY: PropTag = PropTag(0x4017_0102);
    /// MetaTagIdsetNoLongerInScope.
    pub const IDSET_NO_LONGER_IN_SCOPE: PropTag = PropTag(0x4021_0102);
    /// MetaTagIdsetRead: MIDs marked read (REPLID form).
    pub const IDSET_READ: PropTag = PropTag(0x402D_0102);
    /// MetaTagIdsetUnread: MIDs marked unread (REPLID form).
    pub const IDSET_UNREAD: PropTag = PropTag(0x402E_0102);
    /// MetaTagIncrementalSyncMessagePartial: the property group that follows.
    pub const INCREMENTAL_SYNC_MESSAGE_PARTIAL: PropTag = PropTag(0x407A_0003);
    /// MetaTagIncrSyncGroupId: the property group mapping in use.
    pub const INCR_SYNC_GROUP_ID: PropTag = PropTag(0x407C_0003);
    /// MetaTagIdsetExpired.
    pub const IDSET_EXPIRED: PropTag = PropTag(0x6793_0102);
    /// MetaTagCnsetSeen: change numbers of normal items/folders seen.
    pub const CNSET_SEEN: PropTag = PropTag(0x6796_0102);
    /// MetaTagCnsetRead: change numbers of read-state changes seen.
    pub const CNSET_READ: PropTag = PropTag(0x67D2_0102);
    /// MetaTagCnsetSeenFAI: change numbers of FAI items seen.
    pub const CNSET_SEEN_FAI: PropTag = PropTag(0x67DA_0102);
    /// MetaTagIdsetDeleted: ids deleted since the last sync (REPLID form).
    pub const IDSET_DELETED: PropTag = PropTag(0x67E5_0102);

    /// PidTagMessageRecipients, the value of MetaTagFXDelProp before recipients.
    pub const MESSAGE_RECIPIENTS: PropTag = PropTag(0x0E12_000D);
    /// PidTagMessageAttachments, the value of MetaTagFXDelProp before attachments.
    pub const MESSAGE_ATTACHMENTS: PropTag = PropTag(0x0E13_000D);
}

/// The IDSET key form of a state or list property ([MS-OXCFXICS]
/// 3.1.5.4.2): REPLGUID for the persisted state (IdsetGiven, CnsetSeen,
/// CnsetSeenFAI, CnsetRead), REPLID for deletion and read-state lists; `None`
/// for other tags.
pub fn idset_form(tag: PropTag) -> Option<ReplForm> {
    match tag.id() {
        0x4017 | 0x6796 | 0x67DA | 0x67D2 => Some(ReplForm::ReplGuid),
        0x67E5 | 0x4021 | 0x6793 | 0x402D | 0x402E => Some(ReplForm::ReplId),
        _ => None,
    }
}

/// The name of a meta-property or state tag, for diagnostics.
pub fn meta_name(tag: PropTag) -> Option<&'static str> {
    Some(match tag {
        meta::DN_PREFIX => "MetaTagDnPrefix",
        meta::EC_WARNING => "MetaTagEcWarning",
        meta::NEW_FX_FOLDER => "MetaTagNewFXFolder",
        meta::FX_DEL_PROP => "MetaTagFXDelProp",
        meta::IDSET_GIVEN | meta::IDSET_GIVEN_BINARY => "MetaTagIdsetGiven",
        meta::IDSET_NO_LONGER_IN_SCOPE => "MetaTagIdsetNoLongerInScope",
        meta::IDSET_READ => "MetaTagIdsetRead",
        meta::IDSET_UNREAD => "MetaTagIdsetUnread",
        meta::INCREMENTAL_SYNC_MESSAGE_PARTIAL => "MetaTagIncrementalSyncMessagePartial",
        meta::INCR_SYNC_GROUP_ID => "MetaTagIncrSyncGroupId",
        meta::IDSET_EXPIRED => "MetaTagIdsetExpired",
        meta::CNSET_SEEN => "MetaTagCnsetSeen",
        meta::CNSET_READ => "MetaTagCnsetRead",
        meta::CNSET_SEEN_FAI => "MetaTagCnsetSeenFAI",
        meta::IDSET_DELETED => "MetaTagIdsetDeleted",
        _ => return None,
    })
}
