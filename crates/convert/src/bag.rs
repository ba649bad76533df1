//! The property bag: MAPI properties of one object (message, recipient or
//! attachment) keyed by *mailbox-independent* identity ([MS-OXCDATA] 2.9
//! PropertyTag, 2.6.1 PropertyName; [MS-OXPROPS] 1.3.2 named properties).
//!
//! # Keys
//!
//! A [`PropKey`] is either
//! * a plain property id below 0x8000 ([`PropKey::Tag`]), e.g. the id of
//!   `PropTag::SUBJECT` (0x0037), or
//! * a named property ([`PropKey::Named`]): property-set GUID plus LID or
//!   string name ([`NamedKey`]).
//!
//! Property ids 0x8000–0xFFFE are assigned per mailbox by
//! RopGetPropertyIdsFromNames ([MS-OXCPRPT] 2.2.12), so the same number
//! means different properties in two mailboxes (or after a re-map). A bag
//! therefore never stores them: the mailbox layer resolves every id ≥ 0x8000
//! to its (set, LID/name) with RopGetNamesFromPropertyIds before building a
//! bag ([`PropertyBag::insert_wire`]), and maps back with
//! RopGetPropertyIdsFromNames when writing. [`PropertyBag::insert`] refuses a
//! plain tag in that range with [`BagError::UnresolvedNamedId`].
//!
//! # Types
//!
//! A key identifies a *property*, not a (property, type) pair: the type is
//! the one of the stored [`PropValue`] ([`PropValue::prop_type`]). One value
//! per property, as in a MAPI object. The wire tag of a plain entry is
//! `PropTag::new(id, value.prop_type())`. The typed accessors are lenient
//! where MAPI is: [`PropertyBag::string`] accepts PtypString and
//! PtypString8, [`PropertyBag::i32`] PtypInteger32 and PtypInteger16,
//! [`PropertyBag::binary`] PtypBinary (and PtypServerId) values.
//!
//! # Order
//!
//! Entries iterate in key order (plain ids ascending, then named properties
//! by set and LID/name), so everything derived from a bag is deterministic.

use std::borrow::Cow;
use std::collections::BTreeMap;

use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{NamedKind, NamedProp, PS_INTERNET_HEADERS};
use mapi_wire::{Guid, PropTag};

/// How a named property is identified inside its set: a numeric LID
/// (`MNID_ID`) or a string name (`MNID_STRING`) ([MS-OXCDATA] 2.6.1
/// PropertyName). Owned form of [`NamedKind`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NamedId {
    /// `MNID_ID`: a long id (LID), e.g. `0x8514` for PidLidSmartNoAttach.
    Lid(u32),
    /// `MNID_STRING`: a name, e.g. `"Keywords"`. Names in
    /// PS_INTERNET_HEADERS are stored lower-cased (they are header names and
    /// compare case-insensitively).
    Name(String),
}

/// A named property identity: property set plus LID or name
/// ([MS-OXCDATA] 2.6.1 PropertyName), independent of any mailbox.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NamedKey {
    /// The property set GUID (`PSETID_Common`, `PS_PUBLIC_STRINGS`…).
    pub set: Guid,
    /// The LID or the name within the set.
    pub id: NamedId,
}

impl NamedKey {
    /// A numeric named property (`MNID_ID`).
    pub fn lid(set: Guid, lid: u32) -> Self {
        Self { set, id: NamedId::Lid(lid) }
    }

    /// A string named property (`MNID_STRING`); PS_INTERNET_HEADERS names are
    /// lower-cased so that `X-Mailer` and `x-mailer` are one key.
    pub fn name(set: Guid, name: &str) -> Self {
        let name = if set == PS_INTERNET_HEADERS { name.to_ascii_lowercase() } else { name.to_owned() };
        Self { set, id: NamedId::Name(name) }
    }

    /// True if this key is the catalogued property `prop`.
    pub fn is(&self, prop: &NamedProp) -> bool {
        let kind = match &self.id {
            NamedId::Lid(l) => NamedKind::Id(*l),
            NamedId::Name(n) => NamedKind::Name(n),
        };
        prop.matches(self.set, kind)
    }
}

impl From<&NamedProp> for NamedKey {
    fn from(p: &NamedProp) -> Self {
        match p.kind {
            NamedKind::Id(lid) => Self::lid(p.set, lid),
            NamedKind::Name(name) => Self::name(p.set, name),
        }
    }
}

/// The identity of one property in a [`PropertyBag`] ([MS-OXCDATA] 2.9,
/// 2.6.1). See the [module docs](self) for why there is no variant for ids
/// ≥ 0x8000.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PropKey {
    /// A plain property id (< 0x8000), without its type.
    Tag(u16),
    /// A named property.
    Named(NamedKey),
}

impl PropKey {
    /// The first property id that is mailbox-specific (named).
    pub const FIRST_NAMED_ID: u16 = 0x8000;

    /// The key of a plain tag; `None` for ids ≥ 0x8000 (those need the
    /// mailbox's name mapping, see [`PropertyBag::insert_wire`]).
    pub fn from_tag(tag: PropTag) -> Option<Self> {
        (tag.id() < Self::FIRST_NAMED_ID).then_some(Self::Tag(tag.id()))
    }
}

impl From<NamedKey> for PropKey {
    fn from(k: NamedKey) -> Self {
        Self::Named(k)
    }
}

/// Anything that names a property in a bag: a [`PropTag`] (its id; ids ≥
/// 0x8000 name nothing), a catalogued [`NamedProp`] (`PidLid::…`,
/// `PidName::…`), a [`NamedKey`] or a [`PropKey`].
pub trait ToPropKey {
    /// The key, or an error if this cannot name a property in a bag.
    fn to_prop_key(&self) -> Result<PropKey, BagError>;
}

impl ToPropKey for PropTag {
    fn to_prop_key(&self) -> Result<PropKey, BagError> {
        PropKey::from_tag(*self).ok_or(BagError::UnresolvedNamedId(self.id()))
    }
}

impl ToPropKey for NamedProp {
    fn to_prop_key(&self) -> Result<PropKey, BagError> {
        Ok(PropKey::Named(self.into()))
    }
}

impl ToPropKey for &NamedProp {
    fn to_prop_key(&self) -> Result<PropKey, BagError> {
        Ok(PropKey::Named((*self).into()))
    }
}

impl ToPropKey for NamedKey {
    fn to_prop_key(&self) -> Result<PropKey, BagError> {
        Ok(PropKey::Named(self.clone()))
    }
}

impl ToPropKey for PropKey {
    fn to_prop_key(&self) -> Result<PropKey, BagError> {
        Ok(self.clone())
    }
}

/// Why a property could not be put into a bag.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BagError {
    /// A plain tag with a mailbox-specific named id (≥ 0x8000) was given;
    /// resolve it to a [`NamedKey`] first ([MS-OXCPRPT] 2.2.13
    /// RopGetNamesFromPropertyIds).
    #[error("property id {0:#06x} is a mailbox-specific named id; resolve it to (set, LID/name) first")]
    UnresolvedNamedId(u16),
    /// [`PropertyBag::to_wire`]: the mailbox has no id for this named
    /// property (map it with RopGetPropertyIdsFromNames and create flag).
    #[error("named property {0:?} has no id in this mailbox")]
    UnmappedName(NamedKey),
}

/// The properties of one MAPI object, keyed by [`PropKey`] (see the
/// [module docs](self)).
///
/// ```
/// use convert::PropertyBag;
/// use mapi_wire::PropTag;
/// use mapi_wire::prop_value::PropValue;
/// use mapi_wire::tags::PidLid;
///
/// let mut bag = PropertyBag::new();
/// bag.insert(PropTag::SUBJECT, PropValue::String("Hello".into())).unwrap();
/// bag.insert(PidLid::SMART_NO_ATTACH, PropValue::Bool(true)).unwrap();
/// assert_eq!(bag.string(PropTag::SUBJECT).as_deref(), Some("Hello"));
/// assert_eq!(bag.named_bool(&PidLid::SMART_NO_ATTACH), Some(true));
/// // A mailbox-specific named id is refused:
/// assert!(bag.insert(PropTag(0x8514_000B), PropValue::Bool(true)).is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PropertyBag {
    map: BTreeMap<PropKey, PropValue>,
}

impl PropertyBag {
    /// An empty bag.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if the bag holds no property.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Sets a property, returning the previous value. Errors (and stores
    /// nothing) for a plain tag with an id ≥ 0x8000.
    pub fn insert(&mut self, key: impl ToPropKey, value: PropValue) -> Result<Option<PropValue>, BagError> {
        Ok(self.map.insert(key.to_prop_key()?, value))
    }

    /// Sets a property from a wire tag as read from a mailbox: ids < 0x8000
    /// are stored as they are; an id ≥ 0x8000 is translated with `names`
    /// (the mailbox's id → name mapping). Returns `false` (storing nothing)
    /// if `names` does not know the id, so the caller can report it.
    ///
    /// PtypErrorCode values (a property the server could not return,
    /// [MS-OXCDATA] 2.11.5 FlaggedPropertyValue) are stored too; the
    /// typed accessors ignore them.
    pub fn insert_wire(&mut self, tag: PropTag, value: PropValue, names: impl FnOnce(u16) -> Option<NamedKey>) -> bool {
        let key = match PropKey::from_tag(tag) {
            Some(k) => k,
            None => match names(tag.id()) {
                Some(n) => PropKey::Named(n),
                None => return false,
            },
        };
        self.map.insert(key, value);
        true
    }

    /// The named properties in the bag (to map them to this mailbox's ids
    /// with RopGetPropertyIdsFromNames, [MS-OXCPRPT] 2.2.12, before
    /// [`Self::to_wire`]).
    pub fn named_keys(&self) -> impl Iterator<Item = &NamedKey> {
        self.map.keys().filter_map(|k| match k {
            PropKey::Named(n) => Some(n),
            PropKey::Tag(_) => None,
        })
    }

    /// The properties as wire tags for one mailbox, in key order: plain ids
    /// as `PropTag::new(id, value type)`, named properties through `names`
    /// (this mailbox's (set, LID/name) → id ≥ 0x8000 mapping). Errors with
    /// the first named property `names` cannot map.
    pub fn to_wire(
        &self,
        mut names: impl FnMut(&NamedKey) -> Option<u16>,
    ) -> Result<Vec<(PropTag, &PropValue)>, BagError> {
        self.map
            .iter()
            .map(|(k, v)| {
                let id = match k {
                    PropKey::Tag(id) => *id,
                    PropKey::Named(n) => names(n)
                        .filter(|id| *id >= PropKey::FIRST_NAMED_ID)
                        .ok_or_else(|| BagError::UnmappedName(n.clone()))?,
                };
                Ok((PropTag::new(id, v.prop_type()), v))
            })
            .collect()
    }

    /// The value of a property.
    pub fn get(&self, key: impl ToPropKey) -> Option<&PropValue> {
        self.map.get(&key.to_prop_key().ok()?)
    }

    /// True if the property is present (with any value, even an error).
    pub fn contains(&self, key: impl ToPropKey) -> bool {
        self.get(key).is_some()
    }

    /// Removes a property, returning its value.
    pub fn remove(&mut self, key: impl ToPropKey) -> Option<PropValue> {
        self.map.remove(&key.to_prop_key().ok()?)
    }

    /// All properties in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&PropKey, &PropValue)> {
        self.map.iter()
    }

    /// A string property: PtypString as is; PtypString8 decoded as UTF-8 if
    /// valid, else as Windows-1252 (the code page of an 8-bit string is not
    /// in the value; [MS-OXCMSG] 2.2.1.42 PidTagMessageCodepage names it for
    /// the message body only).
    pub fn string(&self, key: impl ToPropKey) -> Option<Cow<'_, str>> {
        match self.get(key)? {
            PropValue::String(s) => Some(Cow::Borrowed(s.as_str())),
            PropValue::String8(b) => Some(decode_string8(b)),
            _ => None,
        }
    }

    /// A string property that is present and not empty.
    pub fn non_empty_string(&self, key: impl ToPropKey) -> Option<Cow<'_, str>> {
        self.string(key).filter(|s| !s.trim().is_empty())
    }

    /// A PtypInteger32 (or PtypInteger16) property.
    pub fn i32(&self, key: impl ToPropKey) -> Option<i32> {
        match self.get(key)? {
            PropValue::I32(v) => Some(*v),
            PropValue::I16(v) => Some(i32::from(*v)),
            _ => None,
        }
    }

    /// A PtypInteger64 property.
    pub fn i64(&self, key: impl ToPropKey) -> Option<i64> {
        match self.get(key)? {
            PropValue::I64(v) => Some(*v),
            _ => None,
        }
    }

    /// A PtypBoolean property.
    pub fn bool(&self, key: impl ToPropKey) -> Option<bool> {
        match self.get(key)? {
            PropValue::Bool(v) => Some(*v),
            _ => None,
        }
    }

    /// A PtypTime property.
    pub fn time(&self, key: impl ToPropKey) -> Option<FileTime> {
        match self.get(key)? {
            PropValue::Time(v) => Some(*v),
            _ => None,
        }
    }

    /// A PtypBinary property's bytes.
    pub fn binary(&self, key: impl ToPropKey) -> Option<&[u8]> {
        match self.get(key)? {
            PropValue::Binary(v) | PropValue::ServerId(v) => Some(v),
            _ => None,
        }
    }

    /// A PtypGuid property.
    pub fn guid(&self, key: impl ToPropKey) -> Option<Guid> {
        match self.get(key)? {
            PropValue::Guid(v) => Some(*v),
            _ => None,
        }
    }

    /// A multi-valued string property (PtypMultipleString or
    /// PtypMultipleString8, the latter decoded like [`Self::string`]).
    pub fn strings(&self, key: impl ToPropKey) -> Option<Vec<Cow<'_, str>>> {
        match self.get(key)? {
            PropValue::MvString(v) => Some(v.iter().map(|s| Cow::Borrowed(s.as_str())).collect()),
            PropValue::MvString8(v) => Some(v.iter().map(|b| decode_string8(b)).collect()),
            _ => None,
        }
    }

    /// [`Self::string`] for a catalogued named property (`&PidLid::…`).
    pub fn named_string(&self, prop: &NamedProp) -> Option<Cow<'_, str>> {
        self.string(prop)
    }

    /// [`Self::i32`] for a catalogued named property.
    pub fn named_i32(&self, prop: &NamedProp) -> Option<i32> {
        self.i32(prop)
    }

    /// [`Self::bool`] for a catalogued named property.
    pub fn named_bool(&self, prop: &NamedProp) -> Option<bool> {
        self.bool(prop)
    }

    /// [`Self::time`] for a catalogued named property.
    pub fn named_time(&self, prop: &NamedProp) -> Option<FileTime> {
        self.time(prop)
    }

    /// [`Self::binary`] for a catalogued named property.
    pub fn named_binary(&self, prop: &NamedProp) -> Option<&[u8]> {
        self.binary(prop)
    }

    /// [`Self::strings`] for a catalogued named property.
    pub fn named_strings(&self, prop: &NamedProp) -> Option<Vec<Cow<'_, str>>> {
        self.strings(prop)
    }
}

impl<K: ToPropKey> FromIterator<(K, PropValue)> for PropertyBag {
    /// Collects key/value pairs; pairs whose key cannot be in a bag (plain
    /// tags ≥ 0x8000) are skipped.
    fn from_iter<I: IntoIterator<Item = (K, PropValue)>>(iter: I) -> Self {
        let mut bag = Self::new();
        for (k, v) in iter {
            if let Ok(k) = k.to_prop_key() {
                bag.map.insert(k, v);
            }
        }
        bag
    }
}

/// Decodes an 8-bit string: UTF-8 if valid, else Windows-1252.
pub(crate) fn decode_string8(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(b).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapi_wire::tags::{PSETID_COMMON, PidLid, PidName};

    #[test]
    fn refuses_mailbox_specific_named_ids() {
        let mut bag = PropertyBag::new();
        let err = bag.insert(PropTag(0x8514_000B), PropValue::Bool(true)).unwrap_err();
        assert_eq!(err, BagError::UnresolvedNamedId(0x8514));
        assert!(bag.is_empty());
        assert!(!bag.insert_wire(PropTag(0x8003_0102), PropValue::Binary(vec![1]), |_| None));
        assert!(bag.insert_wire(PropTag(0x80E8_000B), PropValue::Bool(true), |id| {
            assert_eq!(id, 0x80E8);
            Some(NamedKey::lid(PSETID_COMMON, 0x8514))
        }));
        assert_eq!(bag.named_bool(&PidLid::SMART_NO_ATTACH), Some(true));
    }

    #[test]
    fn key_ignores_type_and_string8_decodes() {
        let mut bag = PropertyBag::new();
        bag.insert(
            PropTag::SUBJECT.with_type(mapi_wire::PropType::STRING8),
            PropValue::String8(b"Gr\xfc\xdfe".to_vec()),
        )
        .unwrap();
        assert_eq!(bag.string(PropTag::SUBJECT).as_deref(), Some("Grüße"));
        assert_eq!(bag.i32(PropTag::SUBJECT), None);
        bag.insert(PropTag::SUBJECT, PropValue::String("x".into())).unwrap();
        assert_eq!(bag.len(), 1);
    }

    #[test]
    fn internet_header_names_are_case_insensitive() {
        let mut bag = PropertyBag::new();
        bag.insert(NamedKey::name(PS_INTERNET_HEADERS, "X-MAILER"), PropValue::String("m".into())).unwrap();
        assert_eq!(bag.named_string(&PidName::X_MAILER).as_deref(), Some("m"));
        assert!(NamedKey::name(PS_INTERNET_HEADERS, "x-Mailer").is(&PidName::X_MAILER));
    }

    #[test]
    fn to_wire_maps_named_properties_per_mailbox() {
        let mut bag = PropertyBag::new();
        bag.insert(PropTag::SUBJECT, PropValue::String("s".into())).unwrap();
        bag.insert(PidLid::SMART_NO_ATTACH, PropValue::Bool(true)).unwrap();
        assert_eq!(bag.named_keys().count(), 1);
        let wire = bag.to_wire(|n| n.is(&PidLid::SMART_NO_ATTACH).then_some(0x80E8)).unwrap();
        assert_eq!(wire.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [PropTag::SUBJECT, PropTag(0x80E8_000B)]);
        assert!(matches!(bag.to_wire(|_| None), Err(BagError::UnmappedName(_))));
    }

    #[test]
    fn iteration_is_in_key_order() {
        let bag: PropertyBag = [
            (PropKey::Named(NamedKey::lid(PSETID_COMMON, 1)), PropValue::I32(3)),
            (PropKey::Tag(0x1000), PropValue::I32(2)),
            (PropKey::Tag(0x0037), PropValue::I32(1)),
        ]
        .into_iter()
        .collect();
        let order: Vec<i32> =
            bag.iter().filter_map(|(_, v)| if let PropValue::I32(i) = v { Some(*i) } else { None }).collect();
        assert_eq!(order, [1, 2, 3]);
    }
}
