//! [MS-OXCFXICS] 2.2.4 FastTransfer streams: the byte stream that
//! RopFastTransferSourceGetBuffer hands out for ICS downloads and
//! FastTransfer copies.
//!
//! Three layers:
//! * atoms ([MS-OXCFXICS] 2.2.4.1): [`Marker`]s and propValues
//!   ([`FxProperty`]), read incrementally by [`FxReader`] from buffers cut at
//!   any byte and written by [`FxWriter`];
//! * meta-properties and ICS state tags ([`meta`], [MS-OXCFXICS] 2.2.4.1.5,
//!   2.2.1.1), whose IDSET values the [`crate::idset`] module decodes;
//! * the ICS grammar ([MS-OXCFXICS] 2.2.4.3): [`ContentsSync`],
//!   [`HierarchySync`] and the state stream of
//!   RopSynchronizationGetTransferState ([`SyncState`]).
//!
//! PropValues use the FastTransfer forms of [`crate::prop_value`] (u32
//! lengths, 2-byte Booleans, [MS-OXCFXICS] 2.2.4.1.3) with these special
//! cases: a named id (≥ 0x8000) carries its [`PropertyName`] inline;
//! MetaTagIdsetGiven 0x40170003 is typed PtypInteger32 but carries a u32
//! length and a blob (decoded as [`PropValue::Binary`]); PtypObject values are
//! length-prefixed blobs; code-page string types (bit 0x8000) decode to
//! `String` (code page 1200) or `String8`.

mod marker;
mod reader;
mod scan;
mod sync;
mod value;
mod writer;

pub use marker::{Marker, idset_form, meta, meta_name};
pub use reader::{FxReader, read_stream, read_stream_with};
pub use scan::FxLimits;
pub use sync::{
    Attachment, ContentsSync, Deletions, FolderChange, HierarchySync, MessageChange, MessageContent, PartialChange,
    ProgressInformation, ProgressPerMessage, PropList, ReadStateChanges, SyncEvent, SyncKind, SyncParser, SyncReader,
    SyncState,
};
pub use value::{CP_UTF16, code_page};
pub use writer::{FxWriter, split_buffers};

use crate::error::DecodeError;
use crate::idset::IdSet;
use crate::named::PropertyName;
use crate::prop_tag::PropTag;
use crate::prop_value::PropValue;

/// One propValue of a FastTransfer stream ([MS-OXCFXICS] 2.2.4.1.1).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FxProperty {
    /// The tag as sent: its type is the wire type (e.g. 0x0003 for
    /// MetaTagIdsetGiven, 0x84B0 for a code-page string); ids ≥ 0x8000 are
    /// only meaningful together with `name`.
    pub tag: PropTag,
    /// The name of a named property (ids ≥ 0x8000), `None` otherwise.
    pub name: Option<PropertyName>,
    /// The value.
    pub value: PropValue,
}

impl FxProperty {
    /// An unnamed property.
    pub fn new(tag: PropTag, value: PropValue) -> Self {
        Self { tag, name: None, value }
    }

    /// The value's bytes when it is a binary (or MetaTagIdsetGiven/object) value.
    pub fn binary(&self) -> Option<&[u8]> {
        match &self.value {
            PropValue::Binary(b) => Some(b),
            _ => None,
        }
    }

    /// The IDSET in this property's value, for the state and list tags of
    /// [`idset_form`]; `None` for other tags or non-binary values.
    pub fn idset(&self) -> Option<Result<IdSet, DecodeError>> {
        let form = idset_form(self.tag)?;
        Some(IdSet::decode(self.binary()?, form))
    }
}

/// One element of a FastTransfer stream, as [`FxReader`] yields it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum FxElement {
    /// A marker ([MS-OXCFXICS] 2.2.4.1.4).
    Marker(Marker),
    /// A whole propValue, meta-properties included ([MS-OXCFXICS]
    /// 2.2.4.1.1, 2.2.4.1.5).
    Property(FxProperty),
    /// The head of a value longer than [`FxLimits::chunk_threshold`]: its raw
    /// bytes follow in `ValueChunk`s (UTF-16LE/8-bit with terminator for
    /// strings), then `ValueEnd`.
    ValueStart {
        /// The tag as sent.
        tag: PropTag,
        /// The name of a named property.
        name: Option<PropertyName>,
        /// The value's length in bytes.
        len: u32,
    },
    /// A piece of a long value.
    ValueChunk(Vec<u8>),
    /// The end of a long value.
    ValueEnd,
}

#[cfg(test)]
mod tests;
