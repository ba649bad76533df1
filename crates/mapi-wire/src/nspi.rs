//! [MS-OXCMAPIHTTP] 2.2.5 request and response bodies of the address book
//! server endpoint (NSPI), with the structures of [MS-OXCMAPIHTTP] 2.2.1
//! and [MS-OXNSPI] 2.2 they carry.
//!
//! Every response is a [`MapiResponse`] (`StatusCode`, then the fields of
//! the request type, ending with the auxiliary buffer). Property values use
//! [`PropContext::AddressBook`]: a HasValue byte before strings, binaries and
//! multi-valued values, and another 0xFF before each element of a
//! multi-valued string or binary (digest corrections B22).
//!
//! Optional fields are preceded by a `Has…` byte; 0xFF is written for
//! "present" and any non-zero byte is read as present ([MS-OXCMAPIHTTP]
//! 2.2.5: "Has… (1 byte): A Boolean value"). A non-0xFF, non-zero byte
//! therefore re-encodes as 0xFF.
//!
//! Deviations of gromox handled here: CompareMIds puts `Result` before
//! `ErrorCode` ([`GromoxCompareMIdsResponse`], corrections B24); restrictions
//! carry a HasValue byte before the TaggedValue of Property and Content
//! restrictions ([`AddressBookRestriction`] reads and writes both forms,
//! corrections C §7.2); the request
//! type `QueryColumn` (see [`crate::http::RequestType::QUERY_COLUMN_GROMOX`]).

mod request;
mod requests;
mod responses;
mod restriction;
mod types;

pub use request::Request;
pub use requests::{
    BindRequest, CompareMIdsRequest, DnToMIdRequest, GetAddressBookUrlRequest, GetMailboxUrlRequest, GetMatchesRequest,
    GetPropListRequest, GetPropsRequest, GetSpecialTableRequest, GetTemplateInfoRequest, ModLinkAttRequest,
    ModPropsRequest, QueryColumnsRequest, QueryRowsRequest, ResolveNamesRequest, ResortRestrictionRequest,
    SeekEntriesRequest, UnbindRequest, UpdateStatRequest,
};
pub use responses::{
    BindResponse, CompareMIdsResponse, DnToMIdResponse, GetAddressBookUrlResponse, GetMailboxUrlResponse,
    GetMatchesResponse, GetPropListResponse, GetPropsResponse, GetSpecialTableResponse, GetTemplateInfoResponse,
    GromoxCompareMIdsResponse, ModLinkAttResponse, ModPropsResponse, QueryColumnsResponse, QueryRowsResponse,
    ResolveNamesResponse, ResortRestrictionResponse, SeekEntriesResponse, UnbindResponse, UpdateStatResponse,
};
pub use restriction::AddressBookRestriction;
pub use types::{
    BindFlags, MinimalId, PropertyNameId, QueryColumnsFlags, RetrievalFlags, RowSet, SortType, SpecialTableFlags, Stat,
};

pub use crate::emsmdb::{MapiResponse, ResponseFields};
#[allow(unused_imports)] // referenced by the module documentation
use crate::prop_value::PropContext;

#[cfg(test)]
mod tests;
