//! Property bags ([MS-OXCPRPT] 2.2.1 property semantics) and the store's
//! own byte form for them (not a wire format: values use the FastTransfer
//! value encoding of [MS-OXCFXICS] 2.2.4.1.3 behind a tag, so every
//! [`PropValue`] round-trips).

use std::borrow::Cow;
use std::collections::BTreeMap;

use mapi_wire::prop_value::{PropContext, PropValue};
use mapi_wire::{ErrorCode, PropTag, PropType, Put, Reader};

use super::error::{StoreError, StoreResult};

/// A property bag: at most one value per property id ([MS-OXCPRPT] 2.2.1).
///
/// Setting a value replaces any value of the same id whatever its type.
/// [`PropBag::get`] answers a tag whose type matches, or whose type is
/// PtypUnspecified; [`PropBag::get_as`] also converts between PtypString and
/// PtypString8 (Latin-1 for 8-bit strings) and between PtypInteger32 and
/// PtypInteger64, as Exchange does for RopGetPropertiesSpecific.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PropBag(BTreeMap<u16, PropValue>);

impl PropBag {
    /// An empty bag.
    pub fn new() -> Self {
        Self::default()
    }

    /// A bag from (tag, value) pairs; the value decides the type.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (PropTag, PropValue)>) -> Self {
        let mut b = Self::new();
        for (t, v) in pairs {
            b.set(t, v);
        }
        b
    }

    /// Sets the property `tag.id()` to `value` (the value's own type wins).
    pub fn set(&mut self, tag: PropTag, value: PropValue) {
        self.0.insert(tag.id(), value);
    }

    /// Removes the property with `tag`'s id; returns its old value.
    pub fn remove(&mut self, tag: PropTag) -> Option<PropValue> {
        self.0.remove(&tag.id())
    }

    /// The value of `tag` if its type matches (or `tag` is PtypUnspecified).
    pub fn get(&self, tag: PropTag) -> Option<&PropValue> {
        let v = self.0.get(&tag.id())?;
        let ty = tag.prop_type();
        (ty == PropType::UNSPECIFIED || v.prop_type() == ty).then_some(v)
    }

    /// Like [`PropBag::get`], converting PtypString ↔ PtypString8 (and their
    /// multi-valued forms) when the stored type differs.
    pub fn get_as(&self, tag: PropTag) -> Option<Cow<'_, PropValue>> {
        if let Some(v) = self.get(tag) {
            return Some(Cow::Borrowed(v));
        }
        let v = self.0.get(&tag.id())?;
        convert_string(v, tag.prop_type()).map(Cow::Owned)
    }

    /// True if a value with `tag`'s id exists (any type).
    pub fn contains_id(&self, id: u16) -> bool {
        self.0.contains_key(&id)
    }

    /// The tags of every value, sorted by id.
    pub fn tags(&self) -> Vec<PropTag> {
        self.0.iter().map(|(id, v)| PropTag::new(*id, v.prop_type())).collect()
    }

    /// Iterates (tag, value) sorted by id.
    pub fn iter(&self) -> impl Iterator<Item = (PropTag, &PropValue)> {
        self.0.iter().map(|(id, v)| (PropTag::new(*id, v.prop_type()), v))
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True if the bag holds no value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Copies every value of `other` into this bag.
    pub fn merge(&mut self, other: &Self) {
        for (id, v) in &other.0 {
            self.0.insert(*id, v.clone());
        }
    }

    /// A 32-bit integer value (PtypInteger32).
    pub fn i32(&self, tag: PropTag) -> Option<i32> {
        match self.0.get(&tag.id())? {
            PropValue::I32(v) => Some(*v),
            _ => None,
        }
    }

    /// A string value (PtypString, or PtypString8 read as Latin-1).
    pub fn string(&self, tag: PropTag) -> Option<String> {
        match self.0.get(&tag.id())? {
            PropValue::String(s) => Some(s.clone()),
            PropValue::String8(b) => Some(b.iter().map(|&c| char::from(c)).collect()),
            _ => None,
        }
    }

    /// The values of `columns` for a table row or RopGetPropertiesSpecific
    /// ([MS-OXCDATA] 2.8.1): a value per column, `Err(ecNotFound)` where
    /// the bag has none (a FlaggedPropertyRow's error entry). A
    /// PtypUnspecified column takes the stored type; string and integer
    /// types convert as in [`PropBag::get_as`].
    pub fn project(&self, columns: &[PropTag]) -> Vec<Result<PropValue, ErrorCode>> {
        columns
            .iter()
            .map(|c| {
                self.get_as(c.with_type(c.prop_type().without_instance()))
                    .map(Cow::into_owned)
                    .ok_or(ErrorCode::NOT_FOUND)
            })
            .collect()
    }

    /// The approximate stored size in bytes of the values (used for
    /// PidTagMessageSize, [MS-OXCMSG] 2.2.1.7: "approximate").
    pub fn value_size(&self) -> u64 {
        self.0.values().map(value_size).sum()
    }
}

/// The byte size of one value as [MS-OXCDATA] 2.12.8 SizeRestriction counts
/// it: fixed sizes for scalars, bytes of the UTF-16/8-bit string with its
/// terminator, binary length; multi-valued: the sum of the elements.
pub fn value_size(v: &PropValue) -> u64 {
    let n: usize = match v {
        PropValue::Null => 0,
        PropValue::I16(_) => 2,
        PropValue::I32(_) | PropValue::F32(_) | PropValue::Error(_) | PropValue::Object(_) => 4,
        PropValue::Bool(_) => 2,
        PropValue::F64(_) | PropValue::Currency(_) | PropValue::FloatingTime(_) | PropValue::I64(_) => 8,
        PropValue::Time(_) => 8,
        PropValue::Guid(_) => 16,
        PropValue::String8(b) => b.len() + 1,
        PropValue::String(s) => (s.encode_utf16().count() + 1) * 2,
        PropValue::ServerId(b) | PropValue::Binary(b) | PropValue::RuleAction(b) => b.len(),
        PropValue::Restriction(r) => {
            let mut w = Vec::new();
            r.encode_with(&mut w, PropContext::Rop).map_or(0, |()| w.len())
        }
        PropValue::MvI16(v) => v.len() * 2,
        PropValue::MvI32(v) => v.len() * 4,
        PropValue::MvF32(v) => v.len() * 4,
        PropValue::MvF64(v) | PropValue::MvFloatingTime(v) => v.len() * 8,
        PropValue::MvCurrency(v) | PropValue::MvI64(v) => v.len() * 8,
        PropValue::MvTime(v) => v.len() * 8,
        PropValue::MvGuid(v) => v.len() * 16,
        PropValue::MvString8(v) => v.iter().map(|b| b.len() + 1).sum(),
        PropValue::MvString(v) => v.iter().map(|s| (s.encode_utf16().count() + 1) * 2).sum(),
        PropValue::MvBinary(v) => v.iter().map(Vec::len).sum(),
    };
    n as u64
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| char::from(c)).collect()
}

fn to_latin1(s: &str) -> Vec<u8> {
    s.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect()
}

/// Converts string values between the Unicode and 8-bit types, and
/// integers between PtypInteger32 and PtypInteger64 (PidTagMessageSize /
/// PidTagMessageSizeExtended share id 0x0E08).
fn convert_string(v: &PropValue, want: PropType) -> Option<PropValue> {
    Some(match (v, want) {
        (PropValue::String8(b), PropType::STRING) => PropValue::String(latin1(b)),
        (PropValue::String(s), PropType::STRING8) => PropValue::String8(to_latin1(s)),
        (PropValue::I32(x), PropType::INTEGER64) => PropValue::I64(i64::from(*x)),
        (PropValue::I64(x), PropType::INTEGER32) => PropValue::I32(i32::try_from(*x).ok()?),
        (PropValue::MvString8(v), PropType::MULTIPLE_STRING) => {
            PropValue::MvString(v.iter().map(|b| latin1(b)).collect())
        }
        (PropValue::MvString(v), PropType::MULTIPLE_STRING8) => {
            PropValue::MvString8(v.iter().map(|s| to_latin1(s)).collect())
        }
        _ => return None,
    })
}

/// A message's content: its properties, recipient rows and attachments
/// ([MS-OXCMSG] 2.2.1–2.2.2). Embedded messages nest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MessageContent {
    /// The message's own properties.
    pub props: PropBag,
    /// One bag per recipient row (PidTagRowid is assigned on save).
    pub recipients: Vec<PropBag>,
    /// The attachments in attachment-number order.
    pub attachments: Vec<Attachment>,
}

/// An attachment ([MS-OXCMSG] 2.2.2): properties and, for
/// PidTagAttachMethod 5 (afEmbeddedMessage), the embedded message.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attachment {
    /// The attachment's properties (PidTagAttachNumber is assigned on save).
    pub props: PropBag,
    /// The embedded message, if any.
    pub embedded: Option<Box<MessageContent>>,
}

/// How deeply embedded messages may nest in stored content.
pub const MAX_EMBEDDING_DEPTH: usize = 16;

const BLOB_VERSION: u8 = 1;
const KIND_FT: u8 = 0;
const KIND_OBJECT: u8 = 2;

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

impl PropBag {
    /// The store's byte form of the bag.
    pub(crate) fn to_blob(&self) -> StoreResult<Vec<u8>> {
        let mut w = Vec::new();
        w.put_u8(BLOB_VERSION);
        self.write(&mut w)?;
        Ok(w)
    }

    /// Reads a bag written by [`PropBag::to_blob`].
    pub(crate) fn from_blob(b: &[u8]) -> StoreResult<Self> {
        let mut r = Reader::new(b);
        let v = r.u8("version").map_err(corrupt)?;
        if v != BLOB_VERSION {
            return Err(corrupt(format!("unknown property blob version {v}")));
        }
        Self::read(&mut r)
    }

    fn write(&self, w: &mut Vec<u8>) -> StoreResult<()> {
        w.put_u32(self.0.len() as u32);
        for (tag, v) in self.iter() {
            w.put_u32(tag.0);
            match v {
                PropValue::Object(o) => {
                    w.put_u8(KIND_OBJECT);
                    w.put_u32(*o);
                }
                _ => {
                    w.put_u8(KIND_FT);
                    v.encode_with(w, PropContext::FastTransfer).map_err(corrupt)?;
                }
            }
        }
        Ok(())
    }

    fn read(r: &mut Reader<'_>) -> StoreResult<Self> {
        let n = r.u32("count").map_err(corrupt)? as usize;
        let n = r.count(n, 5, "count").map_err(corrupt)?;
        let mut bag = Self::new();
        for _ in 0..n {
            let tag = PropTag(r.u32("tag").map_err(corrupt)?);
            let v = match r.u8("kind").map_err(corrupt)? {
                KIND_OBJECT => PropValue::Object(r.u32("object").map_err(corrupt)?),
                _ => PropValue::decode_with(r, tag.prop_type(), PropContext::FastTransfer).map_err(corrupt)?,
            };
            bag.set(tag, v);
        }
        Ok(bag)
    }
}

impl MessageContent {
    /// The store's byte form of the content (recursive).
    pub(crate) fn to_blob(&self) -> StoreResult<Vec<u8>> {
        let mut w = Vec::new();
        w.put_u8(BLOB_VERSION);
        self.write(&mut w, 0)?;
        Ok(w)
    }

    /// Reads content written by [`MessageContent::to_blob`].
    pub(crate) fn from_blob(b: &[u8]) -> StoreResult<Self> {
        let mut r = Reader::new(b);
        let v = r.u8("version").map_err(corrupt)?;
        if v != BLOB_VERSION {
            return Err(corrupt(format!("unknown message blob version {v}")));
        }
        Self::read(&mut r, 0)
    }

    fn write(&self, w: &mut Vec<u8>, depth: usize) -> StoreResult<()> {
        if depth > MAX_EMBEDDING_DEPTH {
            return Err(StoreError::InvalidParameter("embedded messages nest too deeply"));
        }
        self.props.write(w)?;
        w.put_u32(self.recipients.len() as u32);
        for r in &self.recipients {
            r.write(w)?;
        }
        w.put_u32(self.attachments.len() as u32);
        for a in &self.attachments {
            a.props.write(w)?;
            match &a.embedded {
                Some(m) => {
                    w.put_u8(1);
                    m.write(w, depth + 1)?;
                }
                None => w.put_u8(0),
            }
        }
        Ok(())
    }

    fn read(r: &mut Reader<'_>, depth: usize) -> StoreResult<Self> {
        if depth > MAX_EMBEDDING_DEPTH {
            return Err(corrupt("embedded messages nest too deeply"));
        }
        let props = PropBag::read(r)?;
        let n = r.u32("recipients").map_err(corrupt)? as usize;
        let n = r.count(n, 4, "recipients").map_err(corrupt)?;
        let mut recipients = Vec::with_capacity(n);
        for _ in 0..n {
            recipients.push(PropBag::read(r)?);
        }
        let n = r.u32("attachments").map_err(corrupt)? as usize;
        let n = r.count(n, 5, "attachments").map_err(corrupt)?;
        let mut attachments = Vec::with_capacity(n);
        for _ in 0..n {
            let props = PropBag::read(r)?;
            let embedded = match r.u8("embedded").map_err(corrupt)? {
                0 => None,
                _ => Some(Box::new(Self::read(r, depth + 1)?)),
            };
            attachments.push(Attachment { props, embedded });
        }
        Ok(Self { props, recipients, attachments })
    }

    /// The approximate size of the content: every value of the message,
    /// its recipients and attachments, recursively ([MS-OXCMSG] 2.2.1.7).
    pub fn size(&self) -> u64 {
        self.props.value_size()
            + self.recipients.iter().map(PropBag::value_size).sum::<u64>()
            + self
                .attachments
                .iter()
                .map(|a| a.props.value_size() + a.embedded.as_ref().map_or(0, |m| m.size()))
                .sum::<u64>()
    }
}
