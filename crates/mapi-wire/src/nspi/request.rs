//! Any address book endpoint request body, chosen by its `X-RequestType`
//! ([MS-OXCMAPIHTTP] 2.2.3.3.1, 2.2.5).

use super::requests::*;
use crate::codec::{Decode, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::http::RequestKind;

/// An address book endpoint (NSPI) request body of any type
/// ([MS-OXCMAPIHTTP] 2.2.5; `PING` 2.2.6 has no body).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Request {
    /// [MS-OXCMAPIHTTP] 2.2.5.1 Bind.
    Bind(BindRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.2 Unbind.
    Unbind(UnbindRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.3 CompareMIds.
    CompareMIds(CompareMIdsRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.4 DnToMId.
    DnToMId(DnToMIdRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.5 GetMatches.
    GetMatches(GetMatchesRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.6 GetPropList.
    GetPropList(GetPropListRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.7 GetProps.
    GetProps(GetPropsRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.8 GetSpecialTable.
    GetSpecialTable(GetSpecialTableRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.9 GetTemplateInfo.
    GetTemplateInfo(GetTemplateInfoRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.10 ModLinkAtt.
    ModLinkAtt(ModLinkAttRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.11 ModProps.
    ModProps(ModPropsRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.12 QueryColumns.
    QueryColumns(QueryColumnsRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.13 QueryRows.
    QueryRows(QueryRowsRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.14 ResolveNames.
    ResolveNames(ResolveNamesRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.15 ResortRestriction.
    ResortRestriction(ResortRestrictionRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.16 SeekEntries.
    SeekEntries(SeekEntriesRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.17 UpdateStat.
    UpdateStat(UpdateStatRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.18 GetMailboxUrl.
    GetMailboxUrl(GetMailboxUrlRequest),
    /// [MS-OXCMAPIHTTP] 2.2.5.19 GetAddressBookUrl.
    GetAddressBookUrl(GetAddressBookUrlRequest),
    /// [MS-OXCMAPIHTTP] 2.2.6 PING (empty body).
    Ping,
}

impl Request {
    /// Server side: decodes a body that must fill `body` exactly, as the
    /// request type `kind` (from [`crate::http::RequestType::kind`], which
    /// maps gromox's `QueryColumn` to [`RequestKind::QueryColumns`]).
    /// Mailbox request types are refused.
    pub fn decode_for(kind: RequestKind, body: &[u8]) -> Result<Self, DecodeError> {
        Ok(match kind {
            RequestKind::Bind => Self::Bind(BindRequest::decode_exact(body)?),
            RequestKind::Unbind => Self::Unbind(UnbindRequest::decode_exact(body)?),
            RequestKind::CompareMIds => Self::CompareMIds(CompareMIdsRequest::decode_exact(body)?),
            RequestKind::DnToMId => Self::DnToMId(DnToMIdRequest::decode_exact(body)?),
            RequestKind::GetMatches => Self::GetMatches(GetMatchesRequest::decode_exact(body)?),
            RequestKind::GetPropList => Self::GetPropList(GetPropListRequest::decode_exact(body)?),
            RequestKind::GetProps => Self::GetProps(GetPropsRequest::decode_exact(body)?),
            RequestKind::GetSpecialTable => Self::GetSpecialTable(GetSpecialTableRequest::decode_exact(body)?),
            RequestKind::GetTemplateInfo => Self::GetTemplateInfo(GetTemplateInfoRequest::decode_exact(body)?),
            RequestKind::ModLinkAtt => Self::ModLinkAtt(ModLinkAttRequest::decode_exact(body)?),
            RequestKind::ModProps => Self::ModProps(ModPropsRequest::decode_exact(body)?),
            RequestKind::QueryColumns => Self::QueryColumns(QueryColumnsRequest::decode_exact(body)?),
            RequestKind::QueryRows => Self::QueryRows(QueryRowsRequest::decode_exact(body)?),
            RequestKind::ResolveNames => Self::ResolveNames(ResolveNamesRequest::decode_exact(body)?),
            RequestKind::ResortRestriction => Self::ResortRestriction(ResortRestrictionRequest::decode_exact(body)?),
            RequestKind::SeekEntries => Self::SeekEntries(SeekEntriesRequest::decode_exact(body)?),
            RequestKind::UpdateStat => Self::UpdateStat(UpdateStatRequest::decode_exact(body)?),
            RequestKind::GetMailboxUrl => Self::GetMailboxUrl(GetMailboxUrlRequest::decode_exact(body)?),
            RequestKind::GetAddressBookUrl => Self::GetAddressBookUrl(GetAddressBookUrlRequest::decode_exact(body)?),
            RequestKind::Ping => {
                if !body.is_empty() {
                    return Err(DecodeError::TrailingBytes { what: "PING request body", offset: 0, count: body.len() });
                }
                Self::Ping
            }
            _ => {
                return Err(DecodeError::Invalid {
                    what: "X-RequestType",
                    offset: 0,
                    reason: "not an address book endpoint request type",
                });
            }
        })
    }

    /// The request type, for `X-RequestType` (the spec spelling; use
    /// [`crate::http::RequestType::QUERY_COLUMN_GROMOX`] for QueryColumns
    /// towards gromox).
    pub fn kind(&self) -> RequestKind {
        match self {
            Self::Bind(_) => RequestKind::Bind,
            Self::Unbind(_) => RequestKind::Unbind,
            Self::CompareMIds(_) => RequestKind::CompareMIds,
            Self::DnToMId(_) => RequestKind::DnToMId,
            Self::GetMatches(_) => RequestKind::GetMatches,
            Self::GetPropList(_) => RequestKind::GetPropList,
            Self::GetProps(_) => RequestKind::GetProps,
            Self::GetSpecialTable(_) => RequestKind::GetSpecialTable,
            Self::GetTemplateInfo(_) => RequestKind::GetTemplateInfo,
            Self::ModLinkAtt(_) => RequestKind::ModLinkAtt,
            Self::ModProps(_) => RequestKind::ModProps,
            Self::QueryColumns(_) => RequestKind::QueryColumns,
            Self::QueryRows(_) => RequestKind::QueryRows,
            Self::ResolveNames(_) => RequestKind::ResolveNames,
            Self::ResortRestriction(_) => RequestKind::ResortRestriction,
            Self::SeekEntries(_) => RequestKind::SeekEntries,
            Self::UpdateStat(_) => RequestKind::UpdateStat,
            Self::GetMailboxUrl(_) => RequestKind::GetMailboxUrl,
            Self::GetAddressBookUrl(_) => RequestKind::GetAddressBookUrl,
            Self::Ping => RequestKind::Ping,
        }
    }
}

impl Encode for Request {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Self::Bind(r) => r.encode(w),
            Self::Unbind(r) => r.encode(w),
            Self::CompareMIds(r) => r.encode(w),
            Self::DnToMId(r) => r.encode(w),
            Self::GetMatches(r) => r.encode(w),
            Self::GetPropList(r) => r.encode(w),
            Self::GetProps(r) => r.encode(w),
            Self::GetSpecialTable(r) => r.encode(w),
            Self::GetTemplateInfo(r) => r.encode(w),
            Self::ModLinkAtt(r) => r.encode(w),
            Self::ModProps(r) => r.encode(w),
            Self::QueryColumns(r) => r.encode(w),
            Self::QueryRows(r) => r.encode(w),
            Self::ResolveNames(r) => r.encode(w),
            Self::ResortRestriction(r) => r.encode(w),
            Self::SeekEntries(r) => r.encode(w),
            Self::UpdateStat(r) => r.encode(w),
            Self::GetMailboxUrl(r) => r.encode(w),
            Self::GetAddressBookUrl(r) => r.encode(w),
            Self::Ping => Ok(()),
        }
    }
}
