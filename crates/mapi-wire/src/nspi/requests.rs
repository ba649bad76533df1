//! [MS-OXCMAPIHTTP] 2.2.5.x.1 NSPI request bodies.

use super::restriction::AddressBookRestriction;
use super::types::{
    BindFlags, MinimalId, PropertyNameId, QueryColumnsFlags, RetrievalFlags, SpecialTableFlags, Stat, put_mids,
    put_opt, put_opt_stat, put_tags, put_values, read_has, read_mids, read_opt, read_opt_stat, read_tags, read_values,
};
use crate::codec::{Decode, Encode, Put, Reader, len_u32};
use crate::emsmdb::{latin1, put_aux, put_latin1z, put_utf16z_checked, read_aux};
use crate::error::{DecodeError, EncodeError};
use crate::guid::Guid;
use crate::prop_tag::PropTag;
use crate::prop_value::{PropContext, TaggedValue};

/// Declares Decode/Encode for a request from a field list.
macro_rules! request {
    ($ty:ident { $($field:ident: $dec:expr, $enc:expr;)* }) => {
        impl<'a> Decode<'a> for $ty {
            #[allow(clippy::redundant_closure_call)]
            fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
                Ok(Self { $($field: ($dec)(&mut *r)?,)* })
            }
        }

        impl Encode for $ty {
            #[allow(clippy::redundant_closure_call)]
            fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
                $( ($enc)(&mut *w, &self.$field)?; )*
                Ok(())
            }
        }
    };
}

fn u32_field(what: &'static str) -> impl Fn(&mut Reader<'_>) -> Result<u32, DecodeError> {
    move |r| r.u32(what)
}

fn put_u32(w: &mut Vec<u8>, v: &u32) -> Result<(), EncodeError> {
    w.put_u32(*v);
    Ok(())
}

#[allow(clippy::ptr_arg)] // the macro passes field references
fn put_aux_field(w: &mut Vec<u8>, aux: &Vec<u8>) -> Result<(), EncodeError> {
    put_aux(w, aux)
}

fn read_opt_tags(r: &mut Reader<'_>, what: &'static str) -> Result<Option<Vec<PropTag>>, DecodeError> {
    read_opt(r, what, read_tags)
}

fn put_opt_tags(w: &mut Vec<u8>, v: &Option<Vec<PropTag>>) -> Result<(), EncodeError> {
    put_opt(w, v, |w, t| put_tags(w, t))
}

fn read_opt_mids(r: &mut Reader<'_>, what: &'static str) -> Result<Option<Vec<MinimalId>>, DecodeError> {
    read_opt(r, what, read_mids)
}

fn put_opt_mids(w: &mut Vec<u8>, v: &Option<Vec<MinimalId>>) -> Result<(), EncodeError> {
    put_opt(w, v, |w, m| put_mids(w, m))
}

/// [MS-OXCMAPIHTTP] 2.2.5.1.1 Bind request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BindRequest {
    /// `Flags`.
    pub flags: BindFlags,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(BindRequest {
    flags: |r: &mut Reader<'_>| r.u32("Flags").map(BindFlags), |w: &mut Vec<u8>, f: &BindFlags| put_u32(w, &f.0);
    state: read_opt_stat, put_opt_stat;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.2.1 Unbind request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UnbindRequest {
    /// `Reserved` (0).
    pub reserved: u32,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(UnbindRequest {
    reserved: u32_field("Reserved"), put_u32;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.3.1 CompareMIds request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CompareMIdsRequest {
    /// `Reserved` (0).
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `MinimalId1`.
    pub minimal_id1: MinimalId,
    /// `MinimalId2`.
    pub minimal_id2: MinimalId,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

fn read_mid(what: &'static str) -> impl Fn(&mut Reader<'_>) -> Result<MinimalId, DecodeError> {
    move |r| r.u32(what).map(MinimalId)
}

fn put_mid(w: &mut Vec<u8>, m: &MinimalId) -> Result<(), EncodeError> {
    w.put_u32(m.0);
    Ok(())
}

request!(CompareMIdsRequest {
    reserved: u32_field("Reserved"), put_u32;
    state: read_opt_stat, put_opt_stat;
    minimal_id1: read_mid("MinimalId1"), put_mid;
    minimal_id2: read_mid("MinimalId2"), put_mid;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.4.1 DNToMId request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DnToMIdRequest {
    /// `Reserved` (0).
    pub reserved: u32,
    /// `HasNames` + `Names` (StringArray_r: u32 count + ASCIIZ strings, no
    /// per-element HasValue; decoded as ISO 8859-1).
    pub names: Option<Vec<String>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

fn read_string8_array(r: &mut Reader<'_>) -> Result<Vec<String>, DecodeError> {
    let n = r.u32("StringCount")? as usize;
    let n = r.count(n, 1, "StringCount")?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(latin1(r.asciiz("String")?));
    }
    Ok(out)
}

fn read_opt_names8(r: &mut Reader<'_>) -> Result<Option<Vec<String>>, DecodeError> {
    read_opt(r, "HasNames", read_string8_array)
}

fn put_opt_names8(w: &mut Vec<u8>, v: &Option<Vec<String>>) -> Result<(), EncodeError> {
    put_opt(w, v, |w, names| {
        w.put_u32(len_u32(names.len(), "StringCount")?);
        names.iter().try_for_each(|s| put_latin1z(w, s, "String"))
    })
}

request!(DnToMIdRequest {
    reserved: u32_field("Reserved"), put_u32;
    names: read_opt_names8, put_opt_names8;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.5.1 GetMatches request.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetMatchesRequest {
    /// `Reserved` (0).
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasMinimalIds` + `MinimalIdCount` + `MinimalIds`.
    pub minimal_ids: Option<Vec<MinimalId>>,
    /// `InterfaceOptionFlags`.
    pub interface_option_flags: u32,
    /// `HasFilter` + `Filter`.
    pub filter: Option<AddressBookRestriction>,
    /// `HasPropertyName` + `PropertyNameGuid` + `PropertyNameId`.
    pub property_name: Option<PropertyNameId>,
    /// `RowCount`: the most rows to return.
    pub row_count: u32,
    /// `HasColumns` + `Columns`.
    pub columns: Option<Vec<PropTag>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(GetMatchesRequest {
    reserved: u32_field("Reserved"), put_u32;
    state: read_opt_stat, put_opt_stat;
    minimal_ids: |r: &mut Reader<'_>| read_opt_mids(r, "HasMinimalIds"), put_opt_mids;
    interface_option_flags: u32_field("InterfaceOptionFlags"), put_u32;
    filter: |r: &mut Reader<'_>| read_opt(r, "HasFilter", AddressBookRestriction::decode),
        |w: &mut Vec<u8>, f: &Option<AddressBookRestriction>| put_opt(w, f, |w, f| f.encode(w));
    property_name: |r: &mut Reader<'_>| read_opt(r, "HasPropertyName", |r| {
            Ok(PropertyNameId { guid: Guid::decode(r)?, id: r.u32("PropertyNameId")? })
        }),
        |w: &mut Vec<u8>, p: &Option<PropertyNameId>| put_opt(w, p, |w, p| {
            p.guid.encode(w)?;
            w.put_u32(p.id);
            Ok(())
        });
    row_count: u32_field("RowCount"), put_u32;
    columns: |r: &mut Reader<'_>| read_opt_tags(r, "HasColumns"), put_opt_tags;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.6.1 GetPropList request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetPropListRequest {
    /// `Flags` (fSkipObjects 0x1).
    pub flags: RetrievalFlags,
    /// `MinimalId` of the object.
    pub minimal_id: MinimalId,
    /// `CodePage`.
    pub code_page: u32,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

fn read_retrieval_flags(r: &mut Reader<'_>) -> Result<RetrievalFlags, DecodeError> {
    r.u32("Flags").map(RetrievalFlags)
}

fn put_retrieval_flags(w: &mut Vec<u8>, f: &RetrievalFlags) -> Result<(), EncodeError> {
    put_u32(w, &f.0)
}

request!(GetPropListRequest {
    flags: read_retrieval_flags, put_retrieval_flags;
    minimal_id: read_mid("MinimalId"), put_mid;
    code_page: u32_field("CodePage"), put_u32;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.7.1 GetProps request. The object is
/// `state.current_rec`.
///
/// Never send `property_tags: None` ("all properties") to gromox 3.10: it
/// terminated the server process (corrections B30).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetPropsRequest {
    /// `Flags` (fSkipObjects 0x1, fEphID 0x2).
    pub flags: RetrievalFlags,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasPropertyTags` + `PropertyTags`.
    pub property_tags: Option<Vec<PropTag>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(GetPropsRequest {
    flags: read_retrieval_flags, put_retrieval_flags;
    state: read_opt_stat, put_opt_stat;
    property_tags: |r: &mut Reader<'_>| read_opt_tags(r, "HasPropertyTags"), put_opt_tags;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.8.1 GetSpecialTable request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetSpecialTableRequest {
    /// `Flags`.
    pub flags: SpecialTableFlags,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasVersion` + `Version`.
    pub version: Option<u32>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

fn read_opt_u32(what: &'static str, has: &'static str) -> impl Fn(&mut Reader<'_>) -> Result<Option<u32>, DecodeError> {
    move |r| read_opt(r, has, |r| r.u32(what))
}

fn put_opt_u32(w: &mut Vec<u8>, v: &Option<u32>) -> Result<(), EncodeError> {
    put_opt(w, v, put_u32)
}

request!(GetSpecialTableRequest {
    flags: |r: &mut Reader<'_>| r.u32("Flags").map(SpecialTableFlags),
        |w: &mut Vec<u8>, f: &SpecialTableFlags| put_u32(w, &f.0);
    state: read_opt_stat, put_opt_stat;
    version: read_opt_u32("Version", "HasVersion"), put_opt_u32;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.9.1 GetTemplateInfo request (gromox answers
/// ecNotSupported, capture 108).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetTemplateInfoRequest {
    /// `Flags`.
    pub flags: u32,
    /// `DisplayType` of the template.
    pub display_type: u32,
    /// `HasTemplateDn` + `TemplateDn` (ASCIIZ, ISO 8859-1).
    pub template_dn: Option<String>,
    /// `CodePage`.
    pub code_page: u32,
    /// `LocaleId`.
    pub locale_id: u32,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(GetTemplateInfoRequest {
    flags: u32_field("Flags"), put_u32;
    display_type: u32_field("DisplayType"), put_u32;
    template_dn: |r: &mut Reader<'_>| read_opt(r, "HasTemplateDn", |r| r.asciiz("TemplateDn").map(latin1)),
        |w: &mut Vec<u8>, v: &Option<String>| put_opt(w, v, |w, s| put_latin1z(w, s, "TemplateDn"));
    code_page: u32_field("CodePage"), put_u32;
    locale_id: u32_field("LocaleId"), put_u32;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.10.1 ModLinkAtt request (not exercised against a
/// server).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ModLinkAttRequest {
    /// `Flags` (fDelete 0x1).
    pub flags: u32,
    /// `PropertyTag` of the link attribute.
    pub property_tag: PropTag,
    /// `MinimalId` of the object.
    pub minimal_id: MinimalId,
    /// `HasEntryIds` + `EntryIdCount` + `EntryIds` (each u32 size + bytes).
    pub entry_ids: Option<Vec<Vec<u8>>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(ModLinkAttRequest {
    flags: u32_field("Flags"), put_u32;
    property_tag: PropTag::decode, |w: &mut Vec<u8>, t: &PropTag| t.encode(w);
    minimal_id: read_mid("MinimalId"), put_mid;
    entry_ids: |r: &mut Reader<'_>| read_opt(r, "HasEntryIds", |r| {
            let n = r.u32("EntryIdCount")? as usize;
            let n = r.count(n, 4, "EntryIdCount")?;
            let mut out = Vec::with_capacity(n);
            for _ in 0..n {
                let len = r.u32("EntryIdSize")? as usize;
                out.push(r.bytes(len, "EntryId")?.to_vec());
            }
            Ok(out)
        }),
        |w: &mut Vec<u8>, v: &Option<Vec<Vec<u8>>>| put_opt(w, v, |w, ids| {
            w.put_u32(len_u32(ids.len(), "EntryIdCount")?);
            for id in ids {
                w.put_u32(len_u32(id.len(), "EntryIdSize")?);
                w.put_bytes(id);
            }
            Ok(())
        });
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.11.1 ModProps request (not exercised against a
/// server).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ModPropsRequest {
    /// `Reserved` (0).
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasPropertyTagsToRemove` + `PropertyTagsToRemove`.
    pub property_tags_to_remove: Option<Vec<PropTag>>,
    /// `HasPropertyValues` + `PropertyValues` (AddressBookPropertyValueList).
    pub property_values: Option<Vec<TaggedValue>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

fn read_opt_values(r: &mut Reader<'_>, what: &'static str) -> Result<Option<Vec<TaggedValue>>, DecodeError> {
    read_opt(r, what, read_values)
}

fn put_opt_values(w: &mut Vec<u8>, v: &Option<Vec<TaggedValue>>) -> Result<(), EncodeError> {
    put_opt(w, v, |w, v| put_values(w, v))
}

request!(ModPropsRequest {
    reserved: u32_field("Reserved"), put_u32;
    state: read_opt_stat, put_opt_stat;
    property_tags_to_remove: |r: &mut Reader<'_>| read_opt_tags(r, "HasPropertyTagsToRemove"), put_opt_tags;
    property_values: |r: &mut Reader<'_>| read_opt_values(r, "HasPropertyValues"), put_opt_values;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.12.1 QueryColumns request (send it with the
/// request type `QueryColumn` to gromox, corrections A21).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QueryColumnsRequest {
    /// `Reserved` (0).
    pub reserved: u32,
    /// `MapiFlags`.
    pub mapi_flags: QueryColumnsFlags,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(QueryColumnsRequest {
    reserved: u32_field("Reserved"), put_u32;
    mapi_flags: |r: &mut Reader<'_>| r.u32("MapiFlags").map(QueryColumnsFlags),
        |w: &mut Vec<u8>, f: &QueryColumnsFlags| put_u32(w, &f.0);
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.13.1 QueryRows request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QueryRowsRequest {
    /// `Flags` (fSkipObjects 0x1, fEphID 0x2).
    pub flags: RetrievalFlags,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `ExplicitTableCount` + `ExplicitTable` (MIds; empty = use the STAT).
    pub explicit_table: Vec<MinimalId>,
    /// `RowCount`: the most rows to return.
    pub row_count: u32,
    /// `HasColumns` + `Columns`.
    pub columns: Option<Vec<PropTag>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(QueryRowsRequest {
    flags: read_retrieval_flags, put_retrieval_flags;
    state: read_opt_stat, put_opt_stat;
    explicit_table: read_mids, |w: &mut Vec<u8>, m: &Vec<MinimalId>| put_mids(w, m);
    row_count: u32_field("RowCount"), put_u32;
    columns: |r: &mut Reader<'_>| read_opt_tags(r, "HasColumns"), put_opt_tags;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.14.1 ResolveNames request.
///
/// `Names` is a WStringArray_r: u32 count + UTF-16 strings, **no**
/// per-element HasValue byte (capture 100). With one (capture 102) gromox
/// misreads the name and this decoder reports trailing bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ResolveNamesRequest {
    /// `Reserved` (0).
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasPropertyTags` + `PropertyTags` (the columns of the result rows).
    pub property_tags: Option<Vec<PropTag>>,
    /// `HasNames` + `Names`.
    pub names: Option<Vec<String>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(ResolveNamesRequest {
    reserved: u32_field("Reserved"), put_u32;
    state: read_opt_stat, put_opt_stat;
    property_tags: |r: &mut Reader<'_>| read_opt_tags(r, "HasPropertyTags"), put_opt_tags;
    names: |r: &mut Reader<'_>| read_opt(r, "HasNames", |r| {
            let n = r.u32("StringCount")? as usize;
            let n = r.count(n, 2, "StringCount")?;
            let mut out = Vec::with_capacity(n);
            for _ in 0..n {
                out.push(r.utf16z("String")?);
            }
            Ok(out)
        }),
        |w: &mut Vec<u8>, v: &Option<Vec<String>>| put_opt(w, v, |w, names| {
            w.put_u32(len_u32(names.len(), "StringCount")?);
            names.iter().try_for_each(|s| put_utf16z_checked(w, s, "String"))
        });
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.15.1 ResortRestriction request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ResortRestrictionRequest {
    /// `Reserved` (0).
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasMinimalIds` + `MinimalIdCount` + `MinimalIds`.
    pub minimal_ids: Option<Vec<MinimalId>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(ResortRestrictionRequest {
    reserved: u32_field("Reserved"), put_u32;
    state: read_opt_stat, put_opt_stat;
    minimal_ids: |r: &mut Reader<'_>| read_opt_mids(r, "HasMinimalIds"), put_opt_mids;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.16.1 SeekEntries request.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SeekEntriesRequest {
    /// `Reserved` (0).
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasTarget` + `Target` (AddressBookTaggedPropertyValue).
    pub target: Option<TaggedValue>,
    /// `HasExplicitTable` + `ExplicitTableCount` + `ExplicitTable`.
    pub explicit_table: Option<Vec<MinimalId>>,
    /// `HasColumns` + `Columns`.
    pub columns: Option<Vec<PropTag>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(SeekEntriesRequest {
    reserved: u32_field("Reserved"), put_u32;
    state: read_opt_stat, put_opt_stat;
    target: |r: &mut Reader<'_>| read_opt(r, "HasTarget", |r| TaggedValue::decode_with(r, PropContext::AddressBook)),
        |w: &mut Vec<u8>, v: &Option<TaggedValue>| put_opt(w, v, |w, t| t.encode_with(w, PropContext::AddressBook));
    explicit_table: |r: &mut Reader<'_>| read_opt_mids(r, "HasExplicitTable"), put_opt_mids;
    columns: |r: &mut Reader<'_>| read_opt_tags(r, "HasColumns"), put_opt_tags;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.17.1 UpdateStat request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UpdateStatRequest {
    /// `Reserved` (0).
    pub reserved: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `DeltaRequested` (Boolean byte).
    pub delta_requested: bool,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(UpdateStatRequest {
    reserved: u32_field("Reserved"), put_u32;
    state: read_opt_stat, put_opt_stat;
    delta_requested: |r: &mut Reader<'_>| read_has(r, "DeltaRequested"),
        |w: &mut Vec<u8>, b: &bool| { w.put_u8(if *b { 0xFF } else { 0 }); Ok(()) };
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.18.1 GetMailboxUrl request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetMailboxUrlRequest {
    /// `Flags` (0).
    pub flags: u32,
    /// `ServerDn` (UTF-16, NUL-terminated).
    pub server_dn: String,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

fn read_utf16(what: &'static str) -> impl Fn(&mut Reader<'_>) -> Result<String, DecodeError> {
    move |r| r.utf16z(what)
}

request!(GetMailboxUrlRequest {
    flags: u32_field("Flags"), put_u32;
    server_dn: read_utf16("ServerDn"), |w: &mut Vec<u8>, s: &String| put_utf16z_checked(w, s, "ServerDn");
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.19.1 GetAddressBookUrl request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetAddressBookUrlRequest {
    /// `Flags` (0).
    pub flags: u32,
    /// `UserDn` (UTF-16, NUL-terminated).
    pub user_dn: String,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

request!(GetAddressBookUrlRequest {
    flags: u32_field("Flags"), put_u32;
    user_dn: read_utf16("UserDn"), |w: &mut Vec<u8>, s: &String| put_utf16z_checked(w, s, "UserDn");
    auxiliary_buffer: read_aux, put_aux_field;
});
