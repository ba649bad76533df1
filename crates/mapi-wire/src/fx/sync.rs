//! [MS-OXCFXICS] 2.2.4.3 the ICS download grammar: contentsSync,
//! hierarchySync and the state element, parsed from (and written as)
//! FastTransfer elements.
//!
//! ```text
//! contentsSync   = [progressTotal] *([progressPerMessage] messageChange)
//!                  [deletions] [readStateChanges] state IncrSyncEnd
//! hierarchySync  = *folderChange [deletions] state IncrSyncEnd
//! messageChange  = IncrSyncChg propList IncrSyncMessage propList messageChildren
//!                / groupInfo [MetaTagIncrSyncGroupId] IncrSyncChgPartial propList
//!                  *(MetaTagIncrementalSyncMessagePartial propList) messageChildren
//! messageChildren = [MetaTagFXDelProp] *recipient [MetaTagFXDelProp] *attachment
//! ```
//! A folderChange's properties come in any order (gromox sends
//! PidTagSourceKey and PidTagParentSourceKey last; corrections B18).

mod cursor;
mod events;
mod write;

pub use events::{SyncEvent, SyncKind, SyncParser, SyncReader};

use write::{write_message_change, write_props};

use super::marker::{Marker, meta};
use super::writer::FxWriter;
use super::{FxElement, FxProperty};
use crate::codec::Put;
use crate::error::{DecodeError, EncodeError};
use crate::idset::IdSet;
use crate::prop_tag::PropTag;
use crate::prop_value::PropValue;

/// A propList ([MS-OXCFXICS] 2.2.4.3): properties in stream order.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropList(pub Vec<FxProperty>);

impl PropList {
    /// The value of the first property with this exact tag.
    pub fn get(&self, tag: PropTag) -> Option<&PropValue> {
        self.0.iter().find(|p| p.tag == tag).map(|p| &p.value)
    }

    /// The bytes of a binary property.
    pub fn binary(&self, tag: PropTag) -> Option<&[u8]> {
        match self.get(tag)? {
            PropValue::Binary(b) => Some(b),
            _ => None,
        }
    }

    /// The value of a PtypInteger64 property (PidTagMid, PidTagFolderId, …).
    pub fn i64(&self, tag: PropTag) -> Option<i64> {
        match self.get(tag)? {
            PropValue::I64(v) => Some(*v),
            _ => None,
        }
    }

    /// The properties.
    pub fn iter(&self) -> std::slice::Iter<'_, FxProperty> {
        self.0.iter()
    }

    /// The number of properties.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no properties.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// ProgressInformation ([MS-OXCFXICS] 2.2.2.1), the value after
/// IncrSyncProgressMode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProgressInformation {
    /// Version (0).
    pub version: u16,
    /// Number of FAI messages.
    pub fai_message_count: u32,
    /// Total size of the FAI messages.
    pub fai_message_total_size: u64,
    /// Number of normal messages.
    pub normal_message_count: u32,
    /// Total size of the normal messages.
    pub normal_message_total_size: u64,
}

/// progressPerMessage ([MS-OXCFXICS] 2.2.4.3.19): size and FAI flag of the
/// next message change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProgressPerMessage {
    /// Message size in bytes.
    pub size: i32,
    /// True for an FAI message.
    pub fai: bool,
}

/// An attachment ([MS-OXCFXICS] 2.2.4.3.1): NewAttach, properties
/// (PidTagAttachNumber first), an optional embedded message, EndAttach.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Attachment {
    /// The attachment's properties.
    pub props: PropList,
    /// The embedded message (StartEmbed … EndEmbed).
    pub embedded: Option<Box<MessageContent>>,
}

/// messageContent ([MS-OXCFXICS] 2.2.4.3.16): properties and children.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MessageContent {
    /// The message's properties.
    pub props: PropList,
    /// MetaTagFXDelProp values seen before the recipients/attachments
    /// (PidTagMessageRecipients, PidTagMessageAttachments): the children
    /// listed replace the existing ones.
    pub del_props: Vec<PropTag>,
    /// The recipients' property lists.
    pub recipients: Vec<PropList>,
    /// The attachments.
    pub attachments: Vec<Attachment>,
}

/// A messageChange ([MS-OXCFXICS] 2.2.4.3.13–2.2.4.3.15).
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MessageChange {
    /// progressPerMessage sent before this change.
    pub progress: Option<ProgressPerMessage>,
    /// messageChangeHeader: PidTagSourceKey, PidTagLastModificationTime,
    /// PidTagChangeKey, PidTagPredecessorChangeList, PidTagAssociated,
    /// then PidTagMid / PidTagMessageSize / PidTagChangeNumber as asked.
    pub header: PropList,
    /// Properties, recipients and attachments. For a partial change the
    /// property groups are concatenated into `content.props`.
    pub content: MessageContent,
    /// For messageChangePartial: the PropertyGroupInfo blob, the
    /// MetaTagIncrSyncGroupId and the MetaTagIncrementalSyncMessagePartial
    /// group indexes in order.
    pub partial: Option<PartialChange>,
}

/// The parts only a messageChangePartial has ([MS-OXCFXICS] 2.2.4.3.14).
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PartialChange {
    /// The PropertyGroupInfo value after IncrSyncGroupInfo.
    pub group_info: Vec<u8>,
    /// MetaTagIncrSyncGroupId.
    pub group_id: Option<u32>,
    /// Each MetaTagIncrementalSyncMessagePartial group index with its
    /// properties.
    pub groups: Vec<(u32, PropList)>,
}

impl MessageChange {
    /// PidTagSourceKey 0x65E00102 from the header.
    pub fn source_key(&self) -> Option<&[u8]> {
        self.header.binary(PropTag::SOURCE_KEY)
    }

    /// PidTagMid 0x674A0014 from the header (with the Eid extra flag).
    pub fn mid(&self) -> Option<u64> {
        self.header.i64(PropTag::MID).map(|v| v as u64)
    }

    /// PidTagChangeNumber 0x67A40014 from the header (with the CN extra flag).
    pub fn change_number(&self) -> Option<u64> {
        self.header.i64(PropTag::CHANGE_NUMBER).map(|v| v as u64)
    }

    /// PidTagAssociated 0x67AA000B from the header: true for FAI messages.
    pub fn associated(&self) -> bool {
        matches!(self.header.get(PropTag::ASSOCIATED), Some(PropValue::Bool(true)))
    }
}

/// A folderChange ([MS-OXCFXICS] 2.2.4.3.5): IncrSyncChg and the folder's
/// properties, in any order.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FolderChange {
    /// The folder's properties.
    pub props: PropList,
}

impl FolderChange {
    /// PidTagSourceKey 0x65E00102.
    pub fn source_key(&self) -> Option<&[u8]> {
        self.props.binary(PropTag::SOURCE_KEY)
    }

    /// PidTagParentSourceKey 0x65E10102 (empty for children of the
    /// synchronized folder).
    pub fn parent_source_key(&self) -> Option<&[u8]> {
        self.props.binary(PropTag::PARENT_SOURCE_KEY)
    }

    /// PidTagDisplayName 0x3001001F.
    pub fn display_name(&self) -> Option<&str> {
        match self.props.get(PropTag::DISPLAY_NAME)? {
            PropValue::String(s) => Some(s),
            _ => None,
        }
    }
}

/// deletions ([MS-OXCFXICS] 2.2.4.3.4): IncrSyncDel and REPLID-form
/// IDSETs (MetaTagIdsetDeleted, MetaTagIdsetNoLongerInScope,
/// MetaTagIdsetExpired).
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Deletions {
    /// The properties as sent.
    pub props: PropList,
}

impl Deletions {
    /// MetaTagIdsetDeleted.
    pub fn deleted(&self) -> Result<Option<IdSet>, DecodeError> {
        idset_of(&self.props, meta::IDSET_DELETED)
    }

    /// MetaTagIdsetNoLongerInScope.
    pub fn no_longer_in_scope(&self) -> Result<Option<IdSet>, DecodeError> {
        idset_of(&self.props, meta::IDSET_NO_LONGER_IN_SCOPE)
    }

    /// MetaTagIdsetExpired.
    pub fn expired(&self) -> Result<Option<IdSet>, DecodeError> {
        idset_of(&self.props, meta::IDSET_EXPIRED)
    }
}

/// readStateChanges ([MS-OXCFXICS] 2.2.4.3.20): IncrSyncRead and
/// REPLID-form IDSETs of MIDs (MetaTagIdsetRead, MetaTagIdsetUnread).
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReadStateChanges {
    /// The properties as sent.
    pub props: PropList,
}

impl ReadStateChanges {
    /// MetaTagIdsetRead: messages now read.
    pub fn read(&self) -> Result<Option<IdSet>, DecodeError> {
        idset_of(&self.props, meta::IDSET_READ)
    }

    /// MetaTagIdsetUnread: messages now unread.
    pub fn unread(&self) -> Result<Option<IdSet>, DecodeError> {
        idset_of(&self.props, meta::IDSET_UNREAD)
    }
}

fn idset_of(props: &PropList, tag: PropTag) -> Result<Option<IdSet>, DecodeError> {
    props.iter().find(|p| p.tag == tag).and_then(FxProperty::idset).transpose()
}

/// The ICS state ([MS-OXCFXICS] 2.2.4.3.22 state, 2.2.1.1): the blobs the
/// client stores and uploads unchanged with
/// RopSynchronizationUploadStateStreamBegin before the next sync.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SyncState {
    /// MetaTagIdsetGiven (REPLGUID IDSET of the ids the client has).
    pub idset_given: Option<Vec<u8>>,
    /// MetaTagCnsetSeen.
    pub cnset_seen: Option<Vec<u8>>,
    /// MetaTagCnsetSeenFAI (contents sync only).
    pub cnset_seen_fai: Option<Vec<u8>>,
    /// MetaTagCnsetRead (contents sync only).
    pub cnset_read: Option<Vec<u8>>,
    /// Any other property inside the state element.
    pub other: PropList,
}

impl SyncState {
    /// The state properties to upload, in the usual order, with the tag to
    /// pass to RopSynchronizationUploadStateStreamBegin (MetaTagIdsetGiven
    /// as 0x40170003, [MS-OXCFXICS] 3.2.5.2.1).
    pub fn upload_list(&self) -> Vec<(PropTag, &[u8])> {
        [
            (meta::IDSET_GIVEN, &self.idset_given),
            (meta::CNSET_SEEN, &self.cnset_seen),
            (meta::CNSET_SEEN_FAI, &self.cnset_seen_fai),
            (meta::CNSET_READ, &self.cnset_read),
        ]
        .into_iter()
        .filter_map(|(t, v)| v.as_deref().map(|v| (t, v)))
        .collect()
    }

    /// The four state IDSETs decoded (REPLGUID form), in the order
    /// IdsetGiven, CnsetSeen, CnsetSeenFAI, CnsetRead.
    pub fn idsets(&self) -> Result<[Option<IdSet>; 4], DecodeError> {
        let d =
            |b: &Option<Vec<u8>>| b.as_deref().map(|b| IdSet::decode(b, crate::idset::ReplForm::ReplGuid)).transpose();
        Ok([d(&self.idset_given)?, d(&self.cnset_seen)?, d(&self.cnset_seen_fai)?, d(&self.cnset_read)?])
    }

    /// Parses the stream of RopSynchronizationGetTransferState: a state
    /// element with no IncrSyncEnd (corrections B18, capture 047).
    pub fn parse(stream: &[u8]) -> Result<Self, DecodeError> {
        let mut state = None;
        for e in read_events(stream, SyncKind::TransferState)? {
            if let SyncEvent::State(s) = e {
                state = Some(s);
            }
        }
        state.ok_or(DecodeError::Incomplete { what: "ICS state", offset: stream.len(), needed: 4 })
    }

    /// Writes the state element (IncrSyncStateBegin … IncrSyncStateEnd).
    pub fn write(&self, w: &mut FxWriter) -> Result<(), EncodeError> {
        w.marker(Marker::INCR_SYNC_STATE_BEGIN);
        let tags = [meta::IDSET_GIVEN, meta::CNSET_SEEN, meta::CNSET_SEEN_FAI, meta::CNSET_READ];
        let vals = [&self.idset_given, &self.cnset_seen, &self.cnset_seen_fai, &self.cnset_read];
        for (t, v) in tags.into_iter().zip(vals) {
            if let Some(v) = v {
                w.prop(t, PropValue::Binary(v.clone()))?;
            }
        }
        write_props(w, &self.other)?;
        w.marker(Marker::INCR_SYNC_STATE_END);
        Ok(())
    }
}

/// A contents synchronization download ([MS-OXCFXICS] 2.2.4.3.2
/// contentsSync).
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ContentsSync {
    /// progressTotal.
    pub progress: Option<ProgressInformation>,
    /// The message changes, in stream order.
    pub message_changes: Vec<MessageChange>,
    /// errorInfo elements (FXErrorInfo propList; RecoverMode only).
    pub errors: Vec<PropList>,
    /// The deletions element, absent when nothing was deleted.
    pub deletions: Option<Deletions>,
    /// The readStateChanges element.
    pub read_state_changes: Option<ReadStateChanges>,
    /// The new state.
    pub state: SyncState,
}

impl ContentsSync {
    /// Parses a whole contents synchronization stream.
    pub fn parse(stream: &[u8]) -> Result<Self, DecodeError> {
        Ok(Self::from_events(read_events(stream, SyncKind::Contents)?))
    }

    /// Parses elements (with offsets) from an [`super::FxReader`]; values
    /// delivered in pieces (`ValueStart`…`ValueEnd`) are reassembled.
    pub fn from_elements(elements: Vec<(usize, FxElement)>) -> Result<Self, DecodeError> {
        Ok(Self::from_events(parse_elements(elements, SyncKind::Contents)?))
    }

    /// Collects the events of a [`SyncParser`] for [`SyncKind::Contents`].
    pub fn from_events(events: impl IntoIterator<Item = SyncEvent>) -> Self {
        let mut out = Self::default();
        for e in events {
            match e {
                SyncEvent::Progress(p) => out.progress = Some(p),
                SyncEvent::MessageChange(m) => out.message_changes.push(*m),
                SyncEvent::ErrorInfo(e) => out.errors.push(e),
                SyncEvent::Deletions(d) => out.deletions = Some(d),
                SyncEvent::ReadStateChanges(r) => out.read_state_changes = Some(r),
                SyncEvent::State(s) => out.state = s,
                SyncEvent::FolderChange(_) | SyncEvent::End => {}
            }
        }
        out
    }

    /// Writes the stream (the inverse of [`ContentsSync::parse`]).
    pub fn write(&self, w: &mut FxWriter) -> Result<(), EncodeError> {
        if let Some(p) = &self.progress {
            w.marker(Marker::INCR_SYNC_PROGRESS_MODE);
            let mut b = Vec::with_capacity(32);
            b.put_u16(p.version);
            b.put_u16(0);
            b.put_u32(p.fai_message_count);
            b.put_u64(p.fai_message_total_size);
            b.put_u32(p.normal_message_count);
            b.put_u32(0);
            b.put_u64(p.normal_message_total_size);
            w.prop(PropTag(0x0000_0102), PropValue::Binary(b))?;
        }
        for e in &self.errors {
            w.marker(Marker::FX_ERROR_INFO);
            write_props(w, e)?;
        }
        for m in &self.message_changes {
            write_message_change(w, m)?;
        }
        if let Some(d) = &self.deletions {
            w.marker(Marker::INCR_SYNC_DEL);
            write_props(w, &d.props)?;
        }
        if let Some(r) = &self.read_state_changes {
            w.marker(Marker::INCR_SYNC_READ);
            write_props(w, &r.props)?;
        }
        self.state.write(w)?;
        w.marker(Marker::INCR_SYNC_END);
        Ok(())
    }
}

/// A hierarchy synchronization download ([MS-OXCFXICS] 2.2.4.3.9
/// hierarchySync).
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct HierarchySync {
    /// The folder changes, parents before children.
    pub folder_changes: Vec<FolderChange>,
    /// The deletions element (FIDs).
    pub deletions: Option<Deletions>,
    /// The new state.
    pub state: SyncState,
}

impl HierarchySync {
    /// Parses a whole hierarchy synchronization stream.
    pub fn parse(stream: &[u8]) -> Result<Self, DecodeError> {
        Ok(Self::from_events(read_events(stream, SyncKind::Hierarchy)?))
    }

    /// Parses elements (with offsets) from an [`super::FxReader`].
    pub fn from_elements(elements: Vec<(usize, FxElement)>) -> Result<Self, DecodeError> {
        Ok(Self::from_events(parse_elements(elements, SyncKind::Hierarchy)?))
    }

    /// Collects the events of a [`SyncParser`] for [`SyncKind::Hierarchy`].
    pub fn from_events(events: impl IntoIterator<Item = SyncEvent>) -> Self {
        let mut out = Self::default();
        for e in events {
            match e {
                SyncEvent::FolderChange(f) => out.folder_changes.push(f),
                SyncEvent::Deletions(d) => out.deletions = Some(d),
                SyncEvent::State(s) => out.state = s,
                _ => {}
            }
        }
        out
    }

    /// Writes the stream (the inverse of [`HierarchySync::parse`]).
    pub fn write(&self, w: &mut FxWriter) -> Result<(), EncodeError> {
        for f in &self.folder_changes {
            w.marker(Marker::INCR_SYNC_CHG);
            write_props(w, &f.props)?;
        }
        if let Some(d) = &self.deletions {
            w.marker(Marker::INCR_SYNC_DEL);
            write_props(w, &d.props)?;
        }
        self.state.write(w)?;
        w.marker(Marker::INCR_SYNC_END);
        Ok(())
    }
}

/// Reads a whole stream into grammar events.
fn read_events(stream: &[u8], kind: SyncKind) -> Result<Vec<SyncEvent>, DecodeError> {
    let mut r = SyncReader::new(kind);
    r.push(stream);
    let mut out = Vec::new();
    while let Some(e) = r.next()? {
        out.push(e);
    }
    r.finish()?;
    Ok(out)
}

/// Parses elements into grammar events.
fn parse_elements(elements: Vec<(usize, FxElement)>, kind: SyncKind) -> Result<Vec<SyncEvent>, DecodeError> {
    let mut p = SyncParser::new(kind);
    let mut out = Vec::new();
    for (offset, e) in elements {
        p.push(offset, e)?;
        out.extend(std::iter::from_fn(|| p.next_event()));
    }
    p.finish()?;
    Ok(out)
}
