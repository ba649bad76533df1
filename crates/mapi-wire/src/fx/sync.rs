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

use super::marker::{Marker, meta};
use super::reader::FxReader;
use super::value::decode_value;
use super::writer::FxWriter;
use super::{FxElement, FxProperty};
use crate::codec::{Put, Reader};
use crate::error::{DecodeError, EncodeError};
use crate::idset::IdSet;
use crate::prop_tag::PropTag;
use crate::prop_value::PropValue;

/// A propList ([MS-OXCFXICS] 2.2.4.3): properties in stream order.
#[derive(Clone, Debug, PartialEq, Default)]
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
pub struct ProgressPerMessage {
    /// Message size in bytes.
    pub size: i32,
    /// True for an FAI message.
    pub fai: bool,
}

/// An attachment ([MS-OXCFXICS] 2.2.4.3.1): NewAttach, properties
/// (PidTagAttachNumber first), an optional embedded message, EndAttach.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Attachment {
    /// The attachment's properties.
    pub props: PropList,
    /// The embedded message (StartEmbed … EndEmbed).
    pub embedded: Option<Box<MessageContent>>,
}

/// messageContent ([MS-OXCFXICS] 2.2.4.3.16): properties and children.
#[derive(Clone, Debug, PartialEq, Default)]
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
        self.header.binary(PropTag(0x65E0_0102))
    }

    /// PidTagMid 0x674A0014 from the header (with the Eid extra flag).
    pub fn mid(&self) -> Option<u64> {
        self.header.i64(PropTag(0x674A_0014)).map(|v| v as u64)
    }

    /// PidTagChangeNumber 0x67A40014 from the header (with the CN extra flag).
    pub fn change_number(&self) -> Option<u64> {
        self.header.i64(PropTag(0x67A4_0014)).map(|v| v as u64)
    }

    /// PidTagAssociated 0x67AA000B from the header: true for FAI messages.
    pub fn associated(&self) -> bool {
        matches!(self.header.get(PropTag(0x67AA_000B)), Some(PropValue::Bool(true)))
    }
}

/// A folderChange ([MS-OXCFXICS] 2.2.4.3.5): IncrSyncChg and the folder's
/// properties, in any order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FolderChange {
    /// The folder's properties.
    pub props: PropList,
}

impl FolderChange {
    /// PidTagSourceKey 0x65E00102.
    pub fn source_key(&self) -> Option<&[u8]> {
        self.props.binary(PropTag(0x65E0_0102))
    }

    /// PidTagParentSourceKey 0x65E10102 (empty for children of the
    /// synchronized folder).
    pub fn parent_source_key(&self) -> Option<&[u8]> {
        self.props.binary(PropTag(0x65E1_0102))
    }

    /// PidTagDisplayName 0x3001001F.
    pub fn display_name(&self) -> Option<&str> {
        match self.props.get(PropTag(0x3001_001F))? {
            PropValue::String(s) => Some(s),
            _ => None,
        }
    }
}

/// deletions ([MS-OXCFXICS] 2.2.4.3.4): IncrSyncDel and REPLID-form
/// IDSETs (MetaTagIdsetDeleted, MetaTagIdsetNoLongerInScope,
/// MetaTagIdsetExpired).
#[derive(Clone, Debug, PartialEq, Default)]
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
        let mut c = Cursor::read(stream)?;
        let s = c.state()?;
        c.end()?;
        Ok(s)
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
        Self::from_elements(Cursor::read(stream)?.into_elements())
    }

    /// Parses elements (with offsets) from an [`FxReader`]; streamed
    /// values (`ValueStart`…`ValueEnd`) are reassembled.
    pub fn from_elements(elements: Vec<(usize, FxElement)>) -> Result<Self, DecodeError> {
        let mut c = Cursor::new(elements)?;
        let mut out = Self::default();
        if c.eat(Marker::INCR_SYNC_PROGRESS_MODE) {
            out.progress = Some(c.progress_total()?);
        }
        loop {
            let progress = if c.eat(Marker::INCR_SYNC_PROGRESS_PER_MSG) { Some(c.progress_per_msg()?) } else { None };
            match c.peek_marker() {
                Some(Marker::INCR_SYNC_CHG) | Some(Marker::INCR_SYNC_GROUP_INFO) => {
                    let mut m = c.message_change()?;
                    m.progress = progress;
                    out.message_changes.push(m);
                }
                Some(Marker::FX_ERROR_INFO) if progress.is_none() => {
                    c.pos += 1;
                    out.errors.push(c.prop_list());
                }
                _ if progress.is_some() => return Err(c.error("progressPerMessage without a messageChange")),
                _ => break,
            }
        }
        if c.eat(Marker::INCR_SYNC_DEL) {
            out.deletions = Some(Deletions { props: c.prop_list() });
        }
        if c.eat(Marker::INCR_SYNC_READ) {
            out.read_state_changes = Some(ReadStateChanges { props: c.prop_list() });
        }
        out.state = c.state()?;
        c.expect(Marker::INCR_SYNC_END)?;
        c.end()?;
        Ok(out)
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
        Self::from_elements(Cursor::read(stream)?.into_elements())
    }

    /// Parses elements (with offsets) from an [`FxReader`].
    pub fn from_elements(elements: Vec<(usize, FxElement)>) -> Result<Self, DecodeError> {
        let mut c = Cursor::new(elements)?;
        let mut out = Self::default();
        while c.eat(Marker::INCR_SYNC_CHG) {
            out.folder_changes.push(FolderChange { props: c.prop_list() });
        }
        if c.eat(Marker::INCR_SYNC_DEL) {
            out.deletions = Some(Deletions { props: c.prop_list() });
        }
        out.state = c.state()?;
        c.expect(Marker::INCR_SYNC_END)?;
        c.end()?;
        Ok(out)
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

fn write_props(w: &mut FxWriter, props: &PropList) -> Result<(), EncodeError> {
    props.iter().try_for_each(|p| w.property(p))
}

fn write_message_change(w: &mut FxWriter, m: &MessageChange) -> Result<(), EncodeError> {
    if let Some(p) = &m.progress {
        w.marker(Marker::INCR_SYNC_PROGRESS_PER_MSG);
        w.prop(PropTag(0x0000_0003), PropValue::I32(p.size))?;
        w.prop(PropTag(0x0000_000B), PropValue::Bool(p.fai))?;
    }
    match &m.partial {
        None => {
            w.marker(Marker::INCR_SYNC_CHG);
            write_props(w, &m.header)?;
            w.marker(Marker::INCR_SYNC_MESSAGE);
            write_props(w, &m.content.props)?;
        }
        Some(p) => {
            w.marker(Marker::INCR_SYNC_GROUP_INFO);
            w.prop(PropTag(0x0000_0102), PropValue::Binary(p.group_info.clone()))?;
            if let Some(id) = p.group_id {
                w.prop(meta::INCR_SYNC_GROUP_ID, PropValue::I32(id as i32))?;
            }
            w.marker(Marker::INCR_SYNC_CHG_PARTIAL);
            write_props(w, &m.header)?;
            for (index, props) in &p.groups {
                w.prop(meta::INCREMENTAL_SYNC_MESSAGE_PARTIAL, PropValue::I32(*index as i32))?;
                write_props(w, props)?;
            }
        }
    }
    write_children(w, &m.content)
}

fn write_children(w: &mut FxWriter, c: &MessageContent) -> Result<(), EncodeError> {
    let mut del = c.del_props.iter();
    if let Some(t) = del.next() {
        w.prop(meta::FX_DEL_PROP, PropValue::I32(t.0 as i32))?;
    }
    for r in &c.recipients {
        w.marker(Marker::START_RECIP);
        write_props(w, r)?;
        w.marker(Marker::END_TO_RECIP);
    }
    if let Some(t) = del.next() {
        w.prop(meta::FX_DEL_PROP, PropValue::I32(t.0 as i32))?;
    }
    for a in &c.attachments {
        w.marker(Marker::NEW_ATTACH);
        write_props(w, &a.props)?;
        if let Some(e) = &a.embedded {
            w.marker(Marker::START_EMBED);
            write_props(w, &e.props)?;
            write_children(w, e)?;
            w.marker(Marker::END_EMBED);
        }
        w.marker(Marker::END_ATTACH);
    }
    Ok(())
}

/// Nesting limit for embedded messages.
const MAX_EMBED_DEPTH: usize = 32;

/// A cursor over complete elements (long values reassembled).
struct Cursor {
    items: Vec<(usize, Item)>,
    pos: usize,
    stream_len: usize,
}

enum Item {
    Marker(Marker),
    Property(FxProperty),
}

impl Cursor {
    fn read(stream: &[u8]) -> Result<Self, DecodeError> {
        let mut r = FxReader::new();
        r.push(stream);
        let mut out = Vec::new();
        while let Some(e) = r.next_at()? {
            out.push(e);
        }
        r.finish()?;
        Self::new(out)
    }

    fn into_elements(self) -> Vec<(usize, FxElement)> {
        self.items
            .into_iter()
            .map(|(o, i)| {
                (
                    o,
                    match i {
                        Item::Marker(m) => FxElement::Marker(m),
                        Item::Property(p) => FxElement::Property(p),
                    },
                )
            })
            .collect()
    }

    fn new(elements: Vec<(usize, FxElement)>) -> Result<Self, DecodeError> {
        let stream_len = elements.last().map_or(0, |(o, _)| *o);
        let mut items = Vec::with_capacity(elements.len());
        let mut long: Option<(usize, PropTag, Option<crate::named::PropertyName>, Vec<u8>)> = None;
        for (offset, e) in elements {
            match e {
                FxElement::Marker(m) if long.is_none() => items.push((offset, Item::Marker(m))),
                FxElement::Property(p) if long.is_none() => items.push((offset, Item::Property(p))),
                FxElement::ValueStart { tag, name, len } if long.is_none() => {
                    let mut b = Vec::new();
                    b.put_u32(len);
                    long = Some((offset, tag, name, b));
                }
                FxElement::ValueChunk(c) if long.is_some() => {
                    if let Some((_, _, _, b)) = long.as_mut() {
                        b.extend_from_slice(&c);
                    }
                }
                FxElement::ValueEnd if long.is_some() => {
                    if let Some((o, tag, name, b)) = long.take() {
                        let value = decode_value(tag, &b)?;
                        items.push((o, Item::Property(FxProperty { tag, name, value })));
                    }
                }
                _ => {
                    return Err(DecodeError::Invalid {
                        what: "FastTransfer stream",
                        offset,
                        reason: "value pieces out of order",
                    });
                }
            }
        }
        Ok(Self { items, pos: 0, stream_len })
    }

    fn offset(&self) -> usize {
        self.items.get(self.pos).map_or(self.stream_len, |(o, _)| *o)
    }

    fn error(&self, reason: &'static str) -> DecodeError {
        DecodeError::Invalid { what: "FastTransfer ICS grammar", offset: self.offset(), reason }
    }

    fn peek_marker(&self) -> Option<Marker> {
        match self.items.get(self.pos) {
            Some((_, Item::Marker(m))) => Some(*m),
            _ => None,
        }
    }

    fn peek_prop(&self) -> Option<&FxProperty> {
        match self.items.get(self.pos) {
            Some((_, Item::Property(p))) => Some(p),
            _ => None,
        }
    }

    fn eat(&mut self, m: Marker) -> bool {
        let hit = self.peek_marker() == Some(m);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect(&mut self, m: Marker) -> Result<(), DecodeError> {
        if self.eat(m) {
            Ok(())
        } else {
            Err(self.error(match m {
                Marker::INCR_SYNC_END => "expected IncrSyncEnd",
                Marker::INCR_SYNC_STATE_BEGIN => "expected IncrSyncStateBegin",
                Marker::INCR_SYNC_STATE_END => "expected IncrSyncStateEnd",
                Marker::INCR_SYNC_MESSAGE => "expected IncrSyncMessage",
                Marker::END_TO_RECIP => "expected EndToRecip",
                Marker::END_ATTACH => "expected EndAttach",
                Marker::END_EMBED => "expected EndEmbed",
                Marker::INCR_SYNC_CHG_PARTIAL => "expected IncrSyncChgPartial",
                _ => "unexpected element",
            }))
        }
    }

    fn end(&self) -> Result<(), DecodeError> {
        if self.pos < self.items.len() { Err(self.error("elements after the end of the stream")) } else { Ok(()) }
    }

    /// A propValue that must come next.
    fn prop(&mut self, what: &'static str) -> Result<FxProperty, DecodeError> {
        match self.items.get_mut(self.pos) {
            Some((_, Item::Property(p))) => {
                let p = p.clone();
                self.pos += 1;
                Ok(p)
            }
            _ => Err(self.error(what)),
        }
    }

    /// propList: properties up to the next marker or structural
    /// meta-property (MetaTagFXDelProp, MetaTagIncrementalSyncMessagePartial,
    /// MetaTagIncrSyncGroupId).
    fn prop_list(&mut self) -> PropList {
        let mut out = Vec::new();
        while let Some(p) = self.peek_prop() {
            if matches!(p.tag, meta::FX_DEL_PROP | meta::INCREMENTAL_SYNC_MESSAGE_PARTIAL | meta::INCR_SYNC_GROUP_ID) {
                break;
            }
            out.push(p.clone());
            self.pos += 1;
        }
        PropList(out)
    }

    fn state(&mut self) -> Result<SyncState, DecodeError> {
        self.expect(Marker::INCR_SYNC_STATE_BEGIN)?;
        let mut s = SyncState::default();
        for p in self.prop_list().0 {
            let slot = match p.tag {
                meta::IDSET_GIVEN | meta::IDSET_GIVEN_BINARY => &mut s.idset_given,
                meta::CNSET_SEEN => &mut s.cnset_seen,
                meta::CNSET_SEEN_FAI => &mut s.cnset_seen_fai,
                meta::CNSET_READ => &mut s.cnset_read,
                _ => {
                    s.other.0.push(p);
                    continue;
                }
            };
            match p.value {
                PropValue::Binary(b) if slot.is_none() => *slot = Some(b),
                value => s.other.0.push(FxProperty { value, ..p }),
            }
        }
        self.expect(Marker::INCR_SYNC_STATE_END)?;
        Ok(s)
    }

    fn progress_total(&mut self) -> Result<ProgressInformation, DecodeError> {
        let at = self.offset();
        let p = self.prop("expected the ProgressInformation value")?;
        let Some(b) = p.binary() else { return Err(self.error("ProgressInformation is not binary")) };
        let mut r = Reader::new(b);
        let rd = |r: &mut Reader<'_>| -> Result<ProgressInformation, DecodeError> {
            let version = r.u16("ProgressInformation.Version")?;
            r.u16("ProgressInformation.Padding1")?;
            let fai_message_count = r.u32("ProgressInformation.FAIMessageCount")?;
            let fai_message_total_size = r.u64("ProgressInformation.FAIMessageTotalSize")?;
            let normal_message_count = r.u32("ProgressInformation.NormalMessageCount")?;
            r.u32("ProgressInformation.Padding2")?;
            let normal_message_total_size = r.u64("ProgressInformation.NormalMessageTotalSize")?;
            Ok(ProgressInformation {
                version,
                fai_message_count,
                fai_message_total_size,
                normal_message_count,
                normal_message_total_size,
            })
        };
        rd(&mut r).map_err(|_| DecodeError::Invalid {
            what: "ProgressInformation",
            offset: at,
            reason: "shorter than 32 bytes",
        })
    }

    fn progress_per_msg(&mut self) -> Result<ProgressPerMessage, DecodeError> {
        let size = self.prop("expected the progressPerMessage size")?;
        let fai = self.prop("expected the progressPerMessage FAI flag")?;
        match (size.value, fai.value) {
            (PropValue::I32(size), PropValue::Bool(fai)) => Ok(ProgressPerMessage { size, fai }),
            _ => Err(self.error("progressPerMessage values must be Int32 and Boolean")),
        }
    }

    fn message_change(&mut self) -> Result<MessageChange, DecodeError> {
        let mut m = MessageChange::default();
        if self.eat(Marker::INCR_SYNC_CHG) {
            m.header = self.prop_list();
            self.expect(Marker::INCR_SYNC_MESSAGE)?;
            m.content.props = self.prop_list();
        } else {
            self.expect(Marker::INCR_SYNC_GROUP_INFO)?;
            let info = self.prop("expected the PropertyGroupInfo value")?;
            let mut partial =
                PartialChange { group_info: info.binary().unwrap_or_default().to_vec(), ..Default::default() };
            if self.peek_prop().is_some_and(|p| p.tag == meta::INCR_SYNC_GROUP_ID) {
                partial.group_id = Some(self.u32_prop()?);
            }
            self.expect(Marker::INCR_SYNC_CHG_PARTIAL)?;
            m.header = self.prop_list();
            while self.peek_prop().is_some_and(|p| p.tag == meta::INCREMENTAL_SYNC_MESSAGE_PARTIAL) {
                let index = self.u32_prop()?;
                let props = self.prop_list();
                m.content.props.0.extend(props.0.iter().cloned());
                partial.groups.push((index, props));
            }
            m.partial = Some(partial);
        }
        self.children(&mut m.content, 0)?;
        Ok(m)
    }

    fn u32_prop(&mut self) -> Result<u32, DecodeError> {
        match self.prop("expected a meta-property")?.value {
            PropValue::I32(v) => Ok(v as u32),
            _ => Err(self.error("meta-property is not Int32")),
        }
    }

    fn del_prop(&mut self, c: &mut MessageContent) -> Result<(), DecodeError> {
        if self.peek_prop().is_some_and(|p| p.tag == meta::FX_DEL_PROP) {
            c.del_props.push(PropTag(self.u32_prop()?));
        }
        Ok(())
    }

    fn children(&mut self, c: &mut MessageContent, depth: usize) -> Result<(), DecodeError> {
        self.del_prop(c)?;
        while self.eat(Marker::START_RECIP) {
            c.recipients.push(self.prop_list());
            self.expect(Marker::END_TO_RECIP)?;
        }
        self.del_prop(c)?;
        while self.eat(Marker::NEW_ATTACH) {
            let mut a = Attachment { props: self.prop_list(), embedded: None };
            if self.eat(Marker::START_EMBED) {
                if depth >= MAX_EMBED_DEPTH {
                    return Err(self.error("embedded messages nested too deeply"));
                }
                let mut e = MessageContent { props: self.prop_list(), ..Default::default() };
                self.children(&mut e, depth + 1)?;
                self.expect(Marker::END_EMBED)?;
                a.embedded = Some(Box::new(e));
            }
            self.expect(Marker::END_ATTACH)?;
            c.attachments.push(a);
        }
        Ok(())
    }
}
