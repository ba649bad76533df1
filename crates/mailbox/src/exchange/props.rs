//! Glue between wire values and the model: table cells, FastTransfer
//! property lists → [`PropertyBag`], named-property names, MIDs as item keys,
//! and the per-message summary the sync index keeps.

use std::collections::HashMap;

use convert::{Message, NamedId, NamedKey, PropertyBag, Recipient};
use mapi_wire::PropTag;
use mapi_wire::fx::PropList;
use mapi_wire::ids::MessageId;
use mapi_wire::named::PropertyName;
use mapi_wire::prop_value::{FlaggedValue, PropValue, PropertyRow, TaggedValue};
use mapi_wire::tags::PidName;
use state::ItemKey;

use crate::mapi::envelope::{envelope_of, internal_date_of};
use crate::mapi::flags::MapiFlagState;
use crate::model::{Envelope, Timestamp};

/// The value in column `i` of a table row (absent and error cells: `None`).
pub(super) fn cell(row: &PropertyRow, i: usize) -> Option<&PropValue> {
    match row {
        PropertyRow::Standard(v) => v.get(i).filter(|v| !matches!(v, PropValue::Error(_))),
        PropertyRow::Flagged(v) => match v.get(i) {
            Some(FlaggedValue::Value(v)) if !matches!(v, PropValue::Error(_)) => Some(v),
            _ => None,
        },
    }
}

/// A PtypInteger64 id cell (PidTagMid, PidTagFolderId).
pub(super) fn id_cell(row: &PropertyRow, i: usize) -> Option<u64> {
    match cell(row, i)? {
        PropValue::I64(v) => Some(*v as u64),
        _ => None,
    }
}

/// A message's item key: its MID's 8 wire bytes.
pub(super) fn item_key(mid: MessageId) -> ItemKey {
    ItemKey::new(mid.to_wire().to_vec())
}

/// The MID of an item key made by [`item_key`].
pub(super) fn mid_of(key: &ItemKey) -> Option<MessageId> {
    let bytes: [u8; 8] = key.as_bytes().try_into().ok()?;
    Some(MessageId::from_wire(bytes))
}

/// The model's key of a wire property name.
pub(super) fn named_key(name: &PropertyName) -> Option<NamedKey> {
    match name {
        PropertyName::Id { guid, lid } => Some(NamedKey::lid(*guid, *lid)),
        PropertyName::Name { guid, name } => Some(NamedKey::name(*guid, name)),
        PropertyName::None { .. } => None,
    }
}

/// The wire name of a model key.
pub(super) fn property_name(key: &NamedKey) -> PropertyName {
    match &key.id {
        NamedId::Lid(lid) => PropertyName::Id { guid: key.set, lid: *lid },
        NamedId::Name(name) => PropertyName::Name { guid: key.set, name: name.clone() },
    }
}

/// PidNameKeywords as a wire name.
pub(super) fn keywords_name() -> PropertyName {
    property_name(&NamedKey::from(&PidName::KEYWORDS))
}

/// A FastTransfer property list as a bag (named properties by their names).
pub(super) fn bag_of(list: &PropList) -> PropertyBag {
    let mut bag = PropertyBag::new();
    for p in list.iter() {
        let _stored = bag.insert_wire(p.tag, p.value.clone(), |_| p.name.as_ref().and_then(named_key));
    }
    bag
}

/// Tagged values (GetProperties*) as a bag; named ids are known through
/// `names` (the ids this session resolved).
pub(super) fn bag_of_values(values: &[TaggedValue], names: &HashMap<u16, NamedKey>) -> PropertyBag {
    let mut bag = PropertyBag::new();
    for v in values {
        if matches!(v.value, PropValue::Error(_)) {
            continue;
        }
        let _stored = bag.insert_wire(v.tag, v.value.clone(), |id| names.get(&id).cloned());
    }
    bag
}

/// What the sync index keeps of one message: enough for FLAGS,
/// INTERNALDATE, ENVELOPE and SEARCH without opening it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Summary {
    /// The MID.
    pub(super) mid: MessageId,
    /// PidTagSourceKey (MIME boundaries derive from it).
    pub(super) source_key: Vec<u8>,
    /// PidTagChangeKey of the version summarised.
    pub(super) change_key: Vec<u8>,
    /// PidTagSearchKey (kept by copies: COPYUID matching).
    pub(super) search_key: Option<Vec<u8>>,
    /// PidTagInternetMessageId.
    pub(super) message_id: Option<String>,
    /// The flag-bearing properties.
    pub(super) flags: MapiFlagState,
    /// Delivery time (internal date).
    pub(super) delivery: Timestamp,
    /// The envelope.
    pub(super) envelope: Envelope,
    /// PidTagMessageSize (Exchange's storage size).
    pub(super) stored_size: u64,
    /// The exact size of the rendering of this version, once rendered.
    pub(super) exact_size: Option<u64>,
}

impl Summary {
    /// Bytes this summary keeps (itself and what it owns), for the memory
    /// figures of the benchmark.
    pub(super) fn footprint(&self) -> usize {
        let addrs = |v: &[crate::model::Address]| -> usize {
            v.iter().map(|a| size_of_val(a) + a.email.len() + a.name.as_ref().map_or(0, String::len)).sum()
        };
        let e = &self.envelope;
        size_of::<Self>()
            + self.source_key.len()
            + self.change_key.len()
            + self.search_key.as_ref().map_or(0, Vec::len)
            + self.message_id.as_ref().map_or(0, String::len)
            + self.flags.categories.iter().map(|c| size_of_val(c) + c.len()).sum::<usize>()
            + e.subject.as_ref().map_or(0, String::len)
            + e.message_id.as_ref().map_or(0, String::len)
            + e.in_reply_to.as_ref().map_or(0, String::len)
            + addrs(&e.from)
            + addrs(&e.sender)
            + addrs(&e.to)
            + addrs(&e.cc)
            + addrs(&e.bcc)
            + addrs(&e.reply_to)
    }

    /// The summary of an ICS message change; `None` for FAI messages and
    /// changes without a MID.
    pub(super) fn of_change(change: &mapi_wire::fx::MessageChange) -> Option<Self> {
        if change.associated() {
            return None;
        }
        let mid = MessageId(change.mid()?);
        let props = bag_of(&change.content.props);
        let message = Message {
            recipients: change.content.recipients.iter().map(|r| Recipient { props: bag_of(r) }).collect(),
            props,
            attachments: Vec::new(),
        };
        let header = |tag| change.header.binary(tag).or_else(|| change.content.props.binary(tag)).map(<[u8]>::to_vec);
        let stored_size =
            match change.header.get(PropTag::MESSAGE_SIZE).or_else(|| message.props.get(PropTag::MESSAGE_SIZE)) {
                Some(PropValue::I32(n)) => u64::try_from(*n).unwrap_or(0),
                Some(PropValue::I64(n)) => u64::try_from(*n).unwrap_or(0),
                _ => 0,
            };
        Some(Self {
            mid,
            source_key: header(PropTag::SOURCE_KEY).unwrap_or_default(),
            change_key: header(PropTag::CHANGE_KEY).unwrap_or_default(),
            search_key: message.props.binary(PropTag::SEARCH_KEY).map(<[u8]>::to_vec),
            message_id: message.props.non_empty_string(PropTag::INTERNET_MESSAGE_ID).map(|s| s.into_owned()),
            flags: MapiFlagState::from_bag(&message.props),
            delivery: internal_date_of(&message).unwrap_or(Timestamp(0)),
            envelope: envelope_of(&message),
            stored_size,
            exact_size: None,
        })
    }
}
