//! [MS-OXNSPI] 2.3.7 STAT, 2.2.9.1 MinimalEntryID and the shared pieces of
//! [MS-OXCMAPIHTTP] 2.2.1 (LargePropertyTagArray, AddressBookPropertyRow
//! sets, AddressBookPropertyValueList) with the `Has…` byte helpers.

use crate::codec::{Decode, Encode, Put, Reader, len_u32};
use crate::emsmdb::wire_flags;
use crate::error::{DecodeError, EncodeError};
use crate::guid::Guid;
use crate::prop_tag::PropTag;
use crate::prop_value::{
    CountWidth, PropContext, PropTagArray, PropertyRow, TaggedValue, decode_tagged_list, encode_tagged_list,
};

open_enum! {
    /// [MS-OXNSPI] 2.2.1.11 table sort orders (STAT `SortType`).
    pub struct SortType(u32) {
        DISPLAY_NAME = 0x0000_0000, "SortTypeDisplayName";
        PHONETIC_DISPLAY_NAME = 0x0000_0003, "SortTypePhoneticDisplayName";
        DISPLAY_NAME_RO = 0x0000_03E8, "SortTypeDisplayName_RO";
        DISPLAY_NAME_W = 0x0000_03E9, "SortTypeDisplayName_W";
    }
}

/// [MS-OXNSPI] 2.2.9.1 MinimalEntryID: a u32 naming an address book object
/// within one session. Values below 0x10 are signals, whose meaning depends
/// on the field: positions in STAT `CurrentRec` (0 beginning of table, 1
/// current, 2 end of table), or ResolveNames results (0 unresolved, 1
/// ambiguous, 2 resolved — gromox returns 2 instead of the MId, corrections
/// A20).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MinimalId(pub u32);

impl MinimalId {
    /// MID_BEGINNING_OF_TABLE (STAT.CurrentRec).
    pub const BEGINNING_OF_TABLE: Self = Self(0);
    /// MID_CURRENT (STAT.CurrentRec).
    pub const CURRENT: Self = Self(1);
    /// MID_END_OF_TABLE (STAT.CurrentRec).
    pub const END_OF_TABLE: Self = Self(2);
    /// MID_UNRESOLVED (ResolveNames result; also DNToMId "not found").
    pub const UNRESOLVED: Self = Self(0);
    /// MID_AMBIGUOUS (ResolveNames result).
    pub const AMBIGUOUS: Self = Self(1);
    /// MID_RESOLVED (ResolveNames result).
    pub const RESOLVED: Self = Self(2);
}

impl std::fmt::Debug for MinimalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MId({:#x})", self.0)
    }
}

/// [MS-OXNSPI] 2.3.7 STAT: the position and locale of an address book table
/// cursor (36 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Stat {
    /// `SortType`.
    pub sort_type: SortType,
    /// `ContainerID` (0 = the Global Address List).
    pub container_id: u32,
    /// `CurrentRec`: the MId of the current row (or a position signal).
    pub current_rec: MinimalId,
    /// `Delta`: rows to move from `CurrentRec`.
    pub delta: i32,
    /// `NumPos`: approximate position.
    pub num_pos: u32,
    /// `TotalRecs`: approximate row count.
    pub total_recs: u32,
    /// `CodePage` (e.g. 1252).
    pub code_page: u32,
    /// `TemplateLocale` (e.g. 0x409).
    pub template_locale: u32,
    /// `SortLocale` (e.g. 0x409).
    pub sort_locale: u32,
}

impl Stat {
    /// The STAT a client starts with: GAL, beginning of table, the given
    /// code page, locale 0x409 (capture 092).
    pub fn new(code_page: u32) -> Self {
        Self {
            sort_type: SortType::DISPLAY_NAME,
            container_id: 0,
            current_rec: MinimalId::BEGINNING_OF_TABLE,
            delta: 0,
            num_pos: 0,
            total_recs: 0,
            code_page,
            template_locale: 0x409,
            sort_locale: 0x409,
        }
    }
}

impl<'a> Decode<'a> for Stat {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            sort_type: SortType(r.u32("STAT.SortType")?),
            container_id: r.u32("STAT.ContainerID")?,
            current_rec: MinimalId(r.u32("STAT.CurrentRec")?),
            delta: r.i32("STAT.Delta")?,
            num_pos: r.u32("STAT.NumPos")?,
            total_recs: r.u32("STAT.TotalRecs")?,
            code_page: r.u32("STAT.CodePage")?,
            template_locale: r.u32("STAT.TemplateLocale")?,
            sort_locale: r.u32("STAT.SortLocale")?,
        })
    }
}

impl Encode for Stat {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.sort_type.0);
        w.put_u32(self.container_id);
        w.put_u32(self.current_rec.0);
        w.put_u32(self.delta as u32);
        w.put_u32(self.num_pos);
        w.put_u32(self.total_recs);
        w.put_u32(self.code_page);
        w.put_u32(self.template_locale);
        w.put_u32(self.sort_locale);
        Ok(())
    }
}

wire_flags! {
    /// [MS-OXCMAPIHTTP] 2.2.5.1.1 Bind request `Flags` ([MS-OXNSPI] 3.1.4.1.1).
    pub struct BindFlags(u32) {
        ANONYMOUS_LOGIN = 0x0000_0020, "fAnonymousLogin";
    }
}

wire_flags! {
    /// [MS-OXNSPI] 2.2.1.2 retrieval flags (GetProps, QueryRows `Flags`).
    pub struct RetrievalFlags(u32) {
        SKIP_OBJECTS = 0x0000_0001, "fSkipObjects";
        EPH_ID = 0x0000_0002, "fEphID";
    }
}

wire_flags! {
    /// [MS-OXNSPI] 2.2.1.10 GetSpecialTable flags.
    pub struct SpecialTableFlags(u32) {
        ADDRESS_CREATION_TEMPLATES = 0x0000_0002, "NspiAddressCreationTemplates";
        UNICODE_STRINGS = 0x0000_0004, "NspiUnicodeStrings";
    }
}

wire_flags! {
    /// [MS-OXNSPI] 2.2.1.9 QueryColumns flags.
    pub struct QueryColumnsFlags(u32) {
        UNICODE_PROPTYPES = 0x8000_0000, "NspiUnicodeProptypes";
    }
}

/// [MS-OXCMAPIHTTP] 2.2.5.5.1 GetMatches `PropertyName`: a named property
/// (`PropertyNameGuid` + `PropertyNameId`) whose values restrict the match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropertyNameId {
    /// `PropertyNameGuid`.
    pub guid: Guid,
    /// `PropertyNameId`.
    pub id: u32,
}

/// `Columns` (LargePropertyTagArray), `RowCount` and the
/// AddressBookPropertyRows of a QueryRows, GetMatches, ResolveNames or
/// SeekEntries response ([MS-OXCMAPIHTTP] 2.2.1.7, 2.2.1.8).
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RowSet {
    /// The columns; every row has one value per column.
    pub columns: Vec<PropTag>,
    /// The rows (standard or flagged).
    pub rows: Vec<PropertyRow>,
}

impl<'a> Decode<'a> for RowSet {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let columns = read_tags(r)?;
        let offset = r.offset();
        let n = r.u32("RowCount")? as usize;
        let n = r.count(n, 1, "RowCount")?;
        // Every cell takes at least one byte except a PtypNull column's in a
        // standard row; refuse a rows × columns product the input cannot
        // hold, so empty cells cannot multiply memory.
        let cells = n.saturating_mul(columns.len());
        if cells > r.remaining().saturating_mul(4) {
            return Err(DecodeError::TooLarge {
                what: "RowCount × columns",
                offset,
                size: cells as u64,
                limit: r.remaining().saturating_mul(4) as u64,
            });
        }
        let mut rows = Vec::with_capacity(n);
        for _ in 0..n {
            rows.push(PropertyRow::decode_with(r, &columns, PropContext::AddressBook)?);
        }
        Ok(Self { columns, rows })
    }
}

impl Encode for RowSet {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_tags(w, &self.columns)?;
        w.put_u32(len_u32(self.rows.len(), "RowCount")?);
        for row in &self.rows {
            row.encode_with(w, &self.columns, PropContext::AddressBook)?;
        }
        Ok(())
    }
}

/// Reads a `Has…` byte (non-zero = present).
pub(crate) fn read_has(r: &mut Reader<'_>, what: &'static str) -> Result<bool, DecodeError> {
    Ok(r.u8(what)? != 0)
}

/// Reads a `Has…` byte and, if set, the value.
pub(crate) fn read_opt<'a, T>(
    r: &mut Reader<'a>,
    what: &'static str,
    f: impl FnOnce(&mut Reader<'a>) -> Result<T, DecodeError>,
) -> Result<Option<T>, DecodeError> {
    if read_has(r, what)? { f(r).map(Some) } else { Ok(None) }
}

/// Writes 0xFF and the value, or 0x00.
pub(crate) fn put_opt<T>(
    w: &mut Vec<u8>,
    v: &Option<T>,
    f: impl FnOnce(&mut Vec<u8>, &T) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    match v {
        Some(v) => {
            w.put_u8(0xFF);
            f(w, v)
        }
        None => {
            w.put_u8(0x00);
            Ok(())
        }
    }
}

/// Reads a `Has…` byte and, if set, a STAT.
pub(crate) fn read_opt_stat(r: &mut Reader<'_>) -> Result<Option<Stat>, DecodeError> {
    read_opt(r, "HasState", Stat::decode)
}

/// Writes an optional STAT.
pub(crate) fn put_opt_stat(w: &mut Vec<u8>, s: &Option<Stat>) -> Result<(), EncodeError> {
    put_opt(w, s, |w, s| s.encode(w))
}

/// LargePropertyTagArray ([MS-OXCMAPIHTTP] 2.2.1.8): u32 count + tags.
pub(crate) fn read_tags(r: &mut Reader<'_>) -> Result<Vec<PropTag>, DecodeError> {
    Ok(PropTagArray::decode_width(r, CountWidth::U32)?.0)
}

/// Writes a LargePropertyTagArray.
pub(crate) fn put_tags(w: &mut Vec<u8>, tags: &[PropTag]) -> Result<(), EncodeError> {
    w.put_u32(len_u32(tags.len(), "PropertyTagCount")?);
    for t in tags {
        t.encode(w)?;
    }
    Ok(())
}

/// `MinimalIdCount u32` + MIds.
pub(crate) fn read_mids(r: &mut Reader<'_>) -> Result<Vec<MinimalId>, DecodeError> {
    let n = r.u32("MinimalIdCount")? as usize;
    let n = r.count(n, 4, "MinimalIdCount")?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(MinimalId(r.u32("MinimalId")?));
    }
    Ok(out)
}

/// Writes `MinimalIdCount u32` + MIds.
pub(crate) fn put_mids(w: &mut Vec<u8>, mids: &[MinimalId]) -> Result<(), EncodeError> {
    w.put_u32(len_u32(mids.len(), "MinimalIdCount")?);
    for m in mids {
        w.put_u32(m.0);
    }
    Ok(())
}

/// AddressBookPropertyValueList ([MS-OXCMAPIHTTP] 2.2.1.4): u32 count +
/// AddressBookTaggedPropertyValues.
pub(crate) fn read_values(r: &mut Reader<'_>) -> Result<Vec<TaggedValue>, DecodeError> {
    decode_tagged_list(r, CountWidth::U32, PropContext::AddressBook)
}

/// Writes an AddressBookPropertyValueList.
pub(crate) fn put_values(w: &mut Vec<u8>, values: &[TaggedValue]) -> Result<(), EncodeError> {
    encode_tagged_list(w, values, CountWidth::U32, PropContext::AddressBook)
}
