//! [MS-OXCMAPIHTTP] 2.2.5.x.2 NSPI response bodies: the fields after a zero
//! `StatusCode` (wrap them in [`super::MapiResponse`]).
//!
//! NSPI failures keep `StatusCode` 0 and report `ErrorCode` with the
//! optional fields absent (capture 108: GetTemplateInfo → 0x80040102,
//! CodePage 0, HasRow 0).

use super::types::{
    MinimalId, RowSet, Stat, put_mids, put_opt, put_opt_stat, put_tags, put_values, read_mids, read_opt, read_opt_stat,
    read_tags, read_values,
};
use crate::codec::{Decode, Encode, Put, Reader};
use crate::emsmdb::{MapiResponse, ResponseFields, put_aux, put_utf16z_checked, read_aux};
use crate::error::{DecodeError, EncodeError};
use crate::error_code::ErrorCode;
use crate::guid::Guid;
use crate::http::ServerDialect;
use crate::prop_tag::PropTag;
use crate::prop_value::TaggedValue;

/// Declares [`ResponseFields`] for a response from a field list.
macro_rules! response {
    ($ty:ident { $($field:ident: $dec:expr, $enc:expr;)* }) => {
        impl ResponseFields for $ty {
            #[allow(clippy::redundant_closure_call)]
            fn decode_fields(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(Self { $($field: ($dec)(&mut *r)?,)* })
            }

            #[allow(clippy::redundant_closure_call)]
            fn encode_fields(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
                $( ($enc)(&mut *w, &self.$field)?; )*
                Ok(())
            }
        }
    };
}

fn read_error(r: &mut Reader<'_>) -> Result<ErrorCode, DecodeError> {
    r.u32("ErrorCode").map(ErrorCode)
}

fn put_error(w: &mut Vec<u8>, e: &ErrorCode) -> Result<(), EncodeError> {
    w.put_u32(e.0);
    Ok(())
}

fn read_code_page(r: &mut Reader<'_>) -> Result<u32, DecodeError> {
    r.u32("CodePage")
}

fn put_u32(w: &mut Vec<u8>, v: &u32) -> Result<(), EncodeError> {
    w.put_u32(*v);
    Ok(())
}

#[allow(clippy::ptr_arg)] // the macro passes field references
fn put_aux_field(w: &mut Vec<u8>, aux: &Vec<u8>) -> Result<(), EncodeError> {
    put_aux(w, aux)
}

fn read_opt_rows(r: &mut Reader<'_>, what: &'static str) -> Result<Option<RowSet>, DecodeError> {
    read_opt(r, what, RowSet::decode)
}

fn put_opt_rows(w: &mut Vec<u8>, v: &Option<RowSet>) -> Result<(), EncodeError> {
    put_opt(w, v, |w, rows| rows.encode(w))
}

fn read_opt_mids(r: &mut Reader<'_>) -> Result<Option<Vec<MinimalId>>, DecodeError> {
    read_opt(r, "HasMinimalIds", read_mids)
}

fn put_opt_mids(w: &mut Vec<u8>, v: &Option<Vec<MinimalId>>) -> Result<(), EncodeError> {
    put_opt(w, v, |w, m| put_mids(w, m))
}

fn read_opt_tags(r: &mut Reader<'_>, what: &'static str) -> Result<Option<Vec<PropTag>>, DecodeError> {
    read_opt(r, what, read_tags)
}

fn put_opt_tags(w: &mut Vec<u8>, v: &Option<Vec<PropTag>>) -> Result<(), EncodeError> {
    put_opt(w, v, |w, t| put_tags(w, t))
}

fn read_opt_values(r: &mut Reader<'_>, what: &'static str) -> Result<Option<Vec<TaggedValue>>, DecodeError> {
    read_opt(r, what, read_values)
}

fn put_opt_values(w: &mut Vec<u8>, v: &Option<Vec<TaggedValue>>) -> Result<(), EncodeError> {
    put_opt(w, v, |w, v| put_values(w, v))
}

/// A response that is only `ErrorCode` + auxiliary buffer.
macro_rules! error_only_response {
    ($(#[$m:meta])* $ty:ident) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub struct $ty {
            /// `ErrorCode`.
            pub error_code: ErrorCode,
            /// `AuxiliaryBuffer` (raw).
            pub auxiliary_buffer: Vec<u8>,
        }

        response!($ty {
            error_code: read_error, put_error;
            auxiliary_buffer: read_aux, put_aux_field;
        });
    };
}

/// [MS-OXCMAPIHTTP] 2.2.5.1.2 Bind response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BindResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `ServerGuid`: the provider UID of ephemeral entry IDs (capture 095).
    pub server_guid: Guid,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(BindResponse {
    error_code: read_error, put_error;
    server_guid: Guid::decode, |w: &mut Vec<u8>, g: &Guid| g.encode(w);
    auxiliary_buffer: read_aux, put_aux_field;
});

error_only_response! {
    /// [MS-OXCMAPIHTTP] 2.2.5.2.2 Unbind response (gromox: ErrorCode 1,
    /// "UnbindSuccess", capture 117).
    UnbindResponse
}

error_only_response! {
    /// [MS-OXCMAPIHTTP] 2.2.5.10.2 ModLinkAtt response.
    ModLinkAttResponse
}

error_only_response! {
    /// [MS-OXCMAPIHTTP] 2.2.5.11.2 ModProps response.
    ModPropsResponse
}

/// [MS-OXCMAPIHTTP] 2.2.5.3.2 CompareMIds response in the specification's
/// order: `ErrorCode`, `Result`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CompareMIdsResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `Result`: < 0 if MinimalId1 sorts first, 0 if equal, > 0 otherwise.
    pub result: i32,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

impl ResponseFields for CompareMIdsResponse {
    fn decode_fields(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { error_code: read_error(r)?, result: r.i32("Result")?, auxiliary_buffer: read_aux(r)? })
    }

    fn encode_fields(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_error(w, &self.error_code)?;
        w.put_u32(self.result as u32);
        put_aux(w, &self.auxiliary_buffer)
    }
}

impl CompareMIdsResponse {
    /// Decodes a whole CompareMIds response body in the field order of the
    /// server's dialect (gromox: `Result` first, corrections B24).
    pub fn decode_body(body: &[u8], dialect: ServerDialect) -> Result<MapiResponse<Self>, DecodeError> {
        Ok(match dialect {
            ServerDialect::Spec => MapiResponse::<Self>::decode_exact(body)?,
            ServerDialect::Gromox => match MapiResponse::<GromoxCompareMIdsResponse>::decode_exact(body)? {
                MapiResponse::Completed(g) => MapiResponse::Completed(g.0),
                MapiResponse::Failed { status_code, auxiliary_buffer } => {
                    MapiResponse::Failed { status_code, auxiliary_buffer }
                }
            },
        })
    }

    /// Encodes a whole CompareMIds response body in the field order of the
    /// given dialect (a simulator imitating gromox uses
    /// [`ServerDialect::Gromox`]).
    pub fn encode_body(resp: &MapiResponse<Self>, dialect: ServerDialect) -> Result<Vec<u8>, EncodeError> {
        match (dialect, resp) {
            (ServerDialect::Gromox, MapiResponse::Completed(c)) => {
                MapiResponse::Completed(GromoxCompareMIdsResponse(c.clone())).to_bytes()
            }
            _ => resp.to_bytes(),
        }
    }
}

/// CompareMIds response as gromox 3.10 sends it: `Result` **before**
/// `ErrorCode` (digest corrections B24, capture 106). Same fields as
/// [`CompareMIdsResponse`]; pick the wrapper by the server's dialect.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GromoxCompareMIdsResponse(pub CompareMIdsResponse);

impl ResponseFields for GromoxCompareMIdsResponse {
    fn decode_fields(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let result = r.i32("Result")?;
        Ok(Self(CompareMIdsResponse { result, error_code: read_error(r)?, auxiliary_buffer: read_aux(r)? }))
    }

    fn encode_fields(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.0.result as u32);
        put_error(w, &self.0.error_code)?;
        put_aux(w, &self.0.auxiliary_buffer)
    }
}

/// [MS-OXCMAPIHTTP] 2.2.5.4.2 DNToMId response: one MId per name, 0 for
/// names not found (capture 101).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DnToMIdResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `HasMinimalIds` + `MinimalIdCount` + `MinimalIds`.
    pub minimal_ids: Option<Vec<MinimalId>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(DnToMIdResponse {
    error_code: read_error, put_error;
    minimal_ids: read_opt_mids, put_opt_mids;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.5.2 GetMatches response.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetMatchesResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasMinimalIds` + `MinimalIdCount` + `MinimalIds` of the matches.
    pub minimal_ids: Option<Vec<MinimalId>>,
    /// `HasColsAndRows` + `Columns` + `RowCount` + `RowData`.
    pub rows: Option<RowSet>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(GetMatchesResponse {
    error_code: read_error, put_error;
    state: read_opt_stat, put_opt_stat;
    minimal_ids: read_opt_mids, put_opt_mids;
    rows: |r: &mut Reader<'_>| read_opt_rows(r, "HasColsAndRows"), put_opt_rows;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.6.2 GetPropList response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetPropListResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `HasPropertyTags` + `PropertyTags`.
    pub property_tags: Option<Vec<PropTag>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(GetPropListResponse {
    error_code: read_error, put_error;
    property_tags: |r: &mut Reader<'_>| read_opt_tags(r, "HasPropertyTags"), put_opt_tags;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.7.2 GetProps response. Missing properties come
/// back as PtypErrorCode values with ErrorCode 0x00040380 (capture 104).
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetPropsResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `CodePage`.
    pub code_page: u32,
    /// `HasPropertyValues` + `PropertyValues` (AddressBookPropertyValueList).
    pub property_values: Option<Vec<TaggedValue>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(GetPropsResponse {
    error_code: read_error, put_error;
    code_page: read_code_page, put_u32;
    property_values: |r: &mut Reader<'_>| read_opt_values(r, "HasPropertyValues"), put_opt_values;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.8.2 GetSpecialTable response: one
/// AddressBookPropertyValueList per container (capture 093).
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetSpecialTableResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `CodePage`.
    pub code_page: u32,
    /// `HasVersion` + `Version`.
    pub version: Option<u32>,
    /// `HasRows` + `RowsCount` + `Rows`.
    pub rows: Option<Vec<Vec<TaggedValue>>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(GetSpecialTableResponse {
    error_code: read_error, put_error;
    code_page: read_code_page, put_u32;
    version: |r: &mut Reader<'_>| read_opt(r, "HasVersion", |r| r.u32("Version")),
        |w: &mut Vec<u8>, v: &Option<u32>| put_opt(w, v, put_u32);
    rows: |r: &mut Reader<'_>| read_opt(r, "HasRows", |r| {
            let n = r.u32("RowsCount")? as usize;
            let n = r.count(n, 4, "RowsCount")?;
            let mut out = Vec::with_capacity(n);
            for _ in 0..n {
                out.push(read_values(r)?);
            }
            Ok(out)
        }),
        |w: &mut Vec<u8>, v: &Option<Vec<Vec<TaggedValue>>>| put_opt(w, v, |w, rows| {
            w.put_u32(crate::codec::len_u32(rows.len(), "RowsCount")?);
            rows.iter().try_for_each(|row| put_values(w, row))
        });
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.9.2 GetTemplateInfo response.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetTemplateInfoResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `CodePage`.
    pub code_page: u32,
    /// `HasRow` + `Row` (AddressBookPropertyValueList).
    pub row: Option<Vec<TaggedValue>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(GetTemplateInfoResponse {
    error_code: read_error, put_error;
    code_page: read_code_page, put_u32;
    row: |r: &mut Reader<'_>| read_opt_values(r, "HasRow"), put_opt_values;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.12.2 QueryColumns response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QueryColumnsResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `HasColumns` + `Columns`.
    pub columns: Option<Vec<PropTag>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(QueryColumnsResponse {
    error_code: read_error, put_error;
    columns: |r: &mut Reader<'_>| read_opt_tags(r, "HasColumns"), put_opt_tags;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.13.2 QueryRows response.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QueryRowsResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `HasState` + `State` (the cursor after the rows).
    pub state: Option<Stat>,
    /// `HasColsAndRows` + `Columns` + `RowCount` + `RowData`.
    pub rows: Option<RowSet>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(QueryRowsResponse {
    error_code: read_error, put_error;
    state: read_opt_stat, put_opt_stat;
    rows: |r: &mut Reader<'_>| read_opt_rows(r, "HasColsAndRows"), put_opt_rows;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.14.2 ResolveNames response: one MId per name
/// (gromox: 2 = resolved, 1 = ambiguous or unknown, corrections A20) and a
/// row per resolved name.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ResolveNamesResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `CodePage` (gromox: 1200).
    pub code_page: u32,
    /// `HasMinimalIds` + `MinimalIdCount` + `MinimalIds`.
    pub minimal_ids: Option<Vec<MinimalId>>,
    /// `HasRowsAndCols` + `Columns` + `RowCount` + `RowData`.
    pub rows: Option<RowSet>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(ResolveNamesResponse {
    error_code: read_error, put_error;
    code_page: read_code_page, put_u32;
    minimal_ids: read_opt_mids, put_opt_mids;
    rows: |r: &mut Reader<'_>| read_opt_rows(r, "HasRowsAndCols"), put_opt_rows;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.15.2 ResortRestriction response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ResortRestrictionResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasMinimalIds` + `MinimalIdCount` + `MinimalIds`.
    pub minimal_ids: Option<Vec<MinimalId>>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(ResortRestrictionResponse {
    error_code: read_error, put_error;
    state: read_opt_stat, put_opt_stat;
    minimal_ids: read_opt_mids, put_opt_mids;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.16.2 SeekEntries response.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SeekEntriesResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `HasState` + `State` (CurrentRec = the row found).
    pub state: Option<Stat>,
    /// `HasColsAndRows` + `Columns` + `RowCount` + `RowData`.
    pub rows: Option<RowSet>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(SeekEntriesResponse {
    error_code: read_error, put_error;
    state: read_opt_stat, put_opt_stat;
    rows: |r: &mut Reader<'_>| read_opt_rows(r, "HasColsAndRows"), put_opt_rows;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.17.2 UpdateStat response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UpdateStatResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `HasDelta` + `Delta`.
    pub delta: Option<i32>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(UpdateStatResponse {
    error_code: read_error, put_error;
    state: read_opt_stat, put_opt_stat;
    delta: |r: &mut Reader<'_>| read_opt(r, "HasDelta", |r| r.i32("Delta")),
        |w: &mut Vec<u8>, v: &Option<i32>| put_opt(w, v, |w, d| { w.put_u32(*d as u32); Ok(()) });
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.18.2 GetMailboxUrl response (gromox returns
/// unusable `https://vm/...` values, corrections B27).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetMailboxUrlResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `ServerUrl` (UTF-16, NUL-terminated).
    pub server_url: String,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

fn read_url(r: &mut Reader<'_>) -> Result<String, DecodeError> {
    r.utf16z("ServerUrl")
}

#[allow(clippy::ptr_arg)] // the macro passes field references
fn put_url(w: &mut Vec<u8>, s: &String) -> Result<(), EncodeError> {
    put_utf16z_checked(w, s, "ServerUrl")
}

response!(GetMailboxUrlResponse {
    error_code: read_error, put_error;
    server_url: read_url, put_url;
    auxiliary_buffer: read_aux, put_aux_field;
});

/// [MS-OXCMAPIHTTP] 2.2.5.19.2 GetAddressBookUrl response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetAddressBookUrlResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `ServerUrl` (UTF-16, NUL-terminated).
    pub server_url: String,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

response!(GetAddressBookUrlResponse {
    error_code: read_error, put_error;
    server_url: read_url, put_url;
    auxiliary_buffer: read_aux, put_aux_field;
});
