//! [MS-OXNSPI] address book operations over an [`NspiSession`] ([MS-OXCMAPIHTTP] 2.2.5):
//! GAL browsing (QueryRows), prefix search (GetMatches on PidTagAnr), ResolveNames,
//! DNToMId, GetProps, photos (PidTagThumbnailPhoto), and legacyDN lookup for logging on
//! to another user's mailbox.

use std::sync::Arc;

use mapi_wire::emsmdb::MapiResponse;
use mapi_wire::http::{RequestKind, ServerDialect};
use mapi_wire::nspi::{
    AddressBookRestriction, DnToMIdRequest, DnToMIdResponse, GetMatchesRequest, GetMatchesResponse, GetPropsRequest,
    GetPropsResponse, MinimalId, QueryRowsRequest, QueryRowsResponse, ResolveNamesRequest, ResolveNamesResponse,
    RetrievalFlags, RowSet, Stat,
};
use mapi_wire::prop_value::{PropValue, PropertyRow, TaggedValue};
use mapi_wire::restriction::{RelOp, Restriction};
use mapi_wire::{Decode, Encode, ErrorCode, PropTag};

use super::{Error, Result};
use crate::NspiSession;

/// PidTagAnr ([MS-OXPROPS] 2.575): ambiguous name resolution (gromox: case-insensitive
/// substring, corrections B25).
pub const PID_TAG_ANR: PropTag = PropTag(0x360C_001F);
/// PidTagEmailAddress: the legacyExchangeDN of an address book object.
pub const PID_TAG_EMAIL_ADDRESS: PropTag = PropTag(0x3003_001F);
/// PidTagThumbnailPhoto ([MS-OXOABK] 2.2.3.35).
pub const PID_TAG_THUMBNAIL_PHOTO: PropTag = PropTag(0x8C9E_0102);

/// One name given to ResolveNames.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolution {
    /// Exactly one entry; its row in the requested columns.
    Resolved(PropertyRow),
    /// Unknown or ambiguous (gromox reports both as MID_AMBIGUOUS, corrections A20).
    Unresolved,
}

/// An address book session ([MS-OXNSPI] 3.1.4).
pub struct AddressBook {
    session: Arc<NspiSession>,
    code_page: u32,
    /// The GetMatches filter form: gromox's HasValue form by default (captures 096–098).
    pub filter_form: ServerDialect,
}

impl std::fmt::Debug for AddressBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddressBook").field("code_page", &self.code_page).finish_non_exhaustive()
    }
}

fn decode<T: mapi_wire::emsmdb::ResponseFields>(kind: RequestKind, body: &[u8]) -> Result<T> {
    match MapiResponse::<T>::decode_exact(body)? {
        MapiResponse::Completed(t) => Ok(t),
        MapiResponse::Failed { status_code, .. } => {
            Err(Error::Transport(crate::Error::Mapi { kind, code: ErrorCode(status_code) }))
        }
    }
}

fn nspi_check(code: ErrorCode) -> Result<()> {
    // 0x00040380 ecWarnWithErrors: some properties missing (corrections B26).
    if code == ErrorCode::SUCCESS || code == ErrorCode(0x0004_0380) {
        Ok(())
    } else {
        Err(Error::Protocol(format!("NSPI ErrorCode {code:?}")))
    }
}

impl AddressBook {
    /// Wraps a bound session; `code_page` goes into each STAT (1252 as Outlook).
    pub fn new(session: Arc<NspiSession>, code_page: u32) -> Self {
        Self { session, code_page, filter_form: ServerDialect::Gromox }
    }

    /// A STAT at the beginning of the GAL ([MS-OXNSPI] 2.3.7).
    pub fn stat(&self) -> Stat {
        Stat::new(self.code_page)
    }

    /// The QueryRows request browsing the GAL from its beginning (capture 094).
    pub fn browse_request(&self, columns: &[PropTag], count: u32) -> QueryRowsRequest {
        QueryRowsRequest {
            flags: RetrievalFlags(0),
            state: Some(self.stat()),
            explicit_table: Vec::new(),
            row_count: count,
            columns: Some(columns.to_vec()),
            auxiliary_buffer: Vec::new(),
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.8 NspiQueryRows: the first `count` GAL rows.
    pub async fn browse(&self, columns: &[PropTag], count: u32) -> Result<RowSet> {
        let body = self.browse_request(columns, count).to_bytes()?;
        let r: QueryRowsResponse =
            decode(RequestKind::QueryRows, &self.session.call(RequestKind::QueryRows, body).await?)?;
        nspi_check(r.error_code)?;
        Ok(r.rows.unwrap_or_default())
    }

    /// The GetMatches request of a prefix search (capture 097: Property(RELOP_EQ,
    /// PidTagAnr, prefix)).
    pub fn search_request(&self, prefix: &str, columns: &[PropTag], max: u32) -> GetMatchesRequest {
        GetMatchesRequest {
            reserved: 0,
            state: Some(self.stat()),
            minimal_ids: None,
            interface_option_flags: 0,
            filter: Some(AddressBookRestriction {
                restriction: Restriction::Property {
                    op: RelOp::EQ,
                    tag: PID_TAG_ANR,
                    value: TaggedValue { tag: PID_TAG_ANR, value: PropValue::String(prefix.to_owned()) },
                },
                form: self.filter_form,
            }),
            property_name: None,
            row_count: max,
            columns: Some(columns.to_vec()),
            auxiliary_buffer: Vec::new(),
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.10 NspiGetMatches: GAL entries matching `prefix` by ANR
    /// (display name, alias, SMTP address…), at most `max`.
    pub async fn search(&self, prefix: &str, columns: &[PropTag], max: u32) -> Result<RowSet> {
        let body = self.search_request(prefix, columns, max).to_bytes()?;
        let r: GetMatchesResponse =
            decode(RequestKind::GetMatches, &self.session.call(RequestKind::GetMatches, body).await?)?;
        nspi_check(r.error_code)?;
        Ok(r.rows.unwrap_or_default())
    }

    /// The ResolveNames request (capture 100).
    pub fn resolve_request(&self, names: &[&str], columns: &[PropTag]) -> ResolveNamesRequest {
        ResolveNamesRequest {
            reserved: 0,
            state: Some(self.stat()),
            property_tags: Some(columns.to_vec()),
            names: Some(names.iter().map(|s| (*s).to_owned()).collect()),
            auxiliary_buffer: Vec::new(),
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.17 NspiResolveNamesW: one [`Resolution`] per name.
    pub async fn resolve(&self, names: &[&str], columns: &[PropTag]) -> Result<Vec<Resolution>> {
        let body = self.resolve_request(names, columns).to_bytes()?;
        let r: ResolveNamesResponse =
            decode(RequestKind::ResolveNames, &self.session.call(RequestKind::ResolveNames, body).await?)?;
        nspi_check(r.error_code)?;
        let mids = r.minimal_ids.unwrap_or_default();
        let mut rows = r.rows.unwrap_or_default().rows.into_iter();
        let mut out = Vec::with_capacity(mids.len());
        for m in mids {
            // MID_UNRESOLVED 0, MID_AMBIGUOUS 1; anything else has a row ([MS-OXNSPI] 2.2.9).
            if m.0 > 1 {
                let row = rows.next().ok_or_else(|| Error::Protocol("ResolveNames: fewer rows than names".into()))?;
                out.push(Resolution::Resolved(row));
            } else {
                out.push(Resolution::Unresolved);
            }
        }
        Ok(out)
    }

    /// The legacyExchangeDN of the mailbox with this SMTP address (for
    /// [`super::StoreTarget::Mailbox`] of another user), or None when not unique.
    pub async fn legacy_dn(&self, smtp: &str) -> Result<Option<String>> {
        let r = self.resolve(&[smtp], &[PID_TAG_EMAIL_ADDRESS]).await?;
        Ok(match r.into_iter().next() {
            Some(Resolution::Resolved(row)) => first_string(&row),
            _ => None,
        })
    }

    /// The logon target of the mailbox with this SMTP address: its legacyDN from
    /// ResolveNames ([MS-OXCSTOR] 3.1.4.1: RopLogon names a private store by its owner's
    /// legacyExchangeDN). [`Error::UnknownAddress`] when the GAL has no single entry.
    pub async fn mailbox_target(&self, smtp: &str) -> Result<super::StoreTarget> {
        match self.legacy_dn(smtp).await? {
            Some(legacy_dn) => Ok(super::StoreTarget::Mailbox { legacy_dn }),
            None => Err(Error::UnknownAddress(smtp.to_owned())),
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.13 NspiDNToMId: MIds of legacyDNs (0 = unknown).
    pub async fn dn_to_mid(&self, dns: &[&str]) -> Result<Vec<MinimalId>> {
        let body = DnToMIdRequest {
            reserved: 0,
            names: Some(dns.iter().map(|s| (*s).to_owned()).collect()),
            auxiliary_buffer: Vec::new(),
        }
        .to_bytes()?;
        let r: DnToMIdResponse = decode(RequestKind::DnToMId, &self.session.call(RequestKind::DnToMId, body).await?)?;
        nspi_check(r.error_code)?;
        Ok(r.minimal_ids.unwrap_or_default())
    }

    /// The GetProps request for object `mid` (capture 104). Always names the tags
    /// (all-properties crashed gromox, corrections B30).
    pub fn props_request(&self, mid: MinimalId, tags: &[PropTag]) -> GetPropsRequest {
        let mut stat = self.stat();
        stat.current_rec = mid;
        GetPropsRequest {
            flags: RetrievalFlags(0),
            state: Some(stat),
            property_tags: Some(tags.to_vec()),
            auxiliary_buffer: Vec::new(),
        }
    }

    /// [MS-OXNSPI] 3.1.4.1.7 NspiGetProps: the values of `tags` on `mid` (missing ones as
    /// PtypErrorCode values).
    pub async fn props(&self, mid: MinimalId, tags: &[PropTag]) -> Result<Vec<TaggedValue>> {
        let body = self.props_request(mid, tags).to_bytes()?;
        let r: GetPropsResponse =
            decode(RequestKind::GetProps, &self.session.call(RequestKind::GetProps, body).await?)?;
        nspi_check(r.error_code)?;
        Ok(r.property_values.unwrap_or_default())
    }

    /// The contact photo (PidTagThumbnailPhoto) of `mid`, if it has one.
    pub async fn photo(&self, mid: MinimalId) -> Result<Option<Vec<u8>>> {
        let values = self.props(mid, &[PID_TAG_THUMBNAIL_PHOTO]).await?;
        Ok(values.into_iter().find_map(|v| match v.value {
            PropValue::Binary(b) if v.tag == PID_TAG_THUMBNAIL_PHOTO && !b.is_empty() => Some(b),
            _ => None,
        }))
    }
}

fn first_string(row: &PropertyRow) -> Option<String> {
    match row {
        PropertyRow::Standard(v) => v.first().and_then(|p| match p {
            PropValue::String(s) => Some(s.clone()),
            _ => None,
        }),
        PropertyRow::Flagged(v) => v.first().and_then(|f| match f {
            mapi_wire::prop_value::FlaggedValue::Value(PropValue::String(s)) => Some(s.clone()),
            _ => None,
        }),
    }
}
