//! Recursive-descent parsing of one grammar unit ([MS-OXCFXICS] 2.2.4.3)
//! from complete FastTransfer elements.

use super::super::marker::{Marker, meta};
use super::super::value::decode_value;
use super::super::{FxElement, FxProperty};
use super::{
    Attachment, MessageChange, MessageContent, PartialChange, ProgressInformation, ProgressPerMessage, PropList,
    SyncState,
};
use crate::codec::{Put, Reader};
use crate::error::DecodeError;
use crate::prop_tag::PropTag;
use crate::prop_value::PropValue;

/// Nesting limit for embedded messages.
const MAX_EMBED_DEPTH: usize = 32;

/// A cursor over complete elements (long values reassembled).
pub(super) struct Cursor {
    items: Vec<(usize, Item)>,
    pos: usize,
    stream_len: usize,
}

enum Item {
    Marker(Marker),
    Property(FxProperty),
}

impl Cursor {
    /// A cursor over one unit's elements; `end` is the stream offset just
    /// after them (for errors about missing elements).
    pub(super) fn new(elements: Vec<(usize, FxElement)>, end: usize) -> Result<Self, DecodeError> {
        let stream_len = end;
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

    pub(super) fn error(&self, reason: &'static str) -> DecodeError {
        DecodeError::Invalid { what: "FastTransfer ICS grammar", offset: self.offset(), reason }
    }

    pub(super) fn peek_marker(&self) -> Option<Marker> {
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

    pub(super) fn eat(&mut self, m: Marker) -> bool {
        let hit = self.peek_marker() == Some(m);
        if hit {
            self.pos += 1;
        }
        hit
    }

    pub(super) fn expect(&mut self, m: Marker) -> Result<(), DecodeError> {
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

    pub(super) fn end(&self) -> Result<(), DecodeError> {
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
    pub(super) fn prop_list(&mut self) -> PropList {
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

    pub(super) fn state(&mut self) -> Result<SyncState, DecodeError> {
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

    pub(super) fn progress_total(&mut self) -> Result<ProgressInformation, DecodeError> {
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

    pub(super) fn progress_per_msg(&mut self) -> Result<ProgressPerMessage, DecodeError> {
        let size = self.prop("expected the progressPerMessage size")?;
        let fai = self.prop("expected the progressPerMessage FAI flag")?;
        match (size.value, fai.value) {
            (PropValue::I32(size), PropValue::Bool(fai)) => Ok(ProgressPerMessage { size, fai }),
            _ => Err(self.error("progressPerMessage values must be Int32 and Boolean")),
        }
    }

    pub(super) fn message_change(&mut self) -> Result<MessageChange, DecodeError> {
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
