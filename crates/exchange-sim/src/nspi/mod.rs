//! The address book endpoint over the store's users ([MS-OXNSPI],
//! [MS-OXCMAPIHTTP] 2.2.5): every private mailbox is a GAL mail user.
//!
//! MIds are stable: 0x11, 0x12, … in mailbox creation order (as gromox;
//! the values 0–2 are the reserved MID_BEGINNING_OF_TABLE / MID_CURRENT /
//! MID_END_OF_TABLE). The GAL
//! (container 0) is sorted by display name, case-insensitively
//! ([MS-OXNSPI] 2.2.1.11 SortTypeDisplayName).

mod gal;

use mapi_wire::ErrorCode;
use mapi_wire::emsmdb::MapiResponse;
use mapi_wire::http::RequestKind;
use mapi_wire::nspi::{self, BindResponse, UnbindResponse};

use crate::session::SessionState;
use crate::session::backend::encode_body;
use crate::store::Store;

pub use gal::{Entry, Gal, tags};

/// [MS-OXNSPI] 3.1.4.1 NSPI over the store's mailboxes.
#[derive(Clone)]
pub struct StoreNspi {
    store: Store,
    server_guid: mapi_wire::Guid,
}

impl std::fmt::Debug for StoreNspi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreNspi").field("server_guid", &self.server_guid).finish_non_exhaustive()
    }
}

impl StoreNspi {
    /// A backend over `store` with a fresh server GUID (the `ServerGuid` of
    /// Bind and the provider UID of ephemeral entry ids).
    pub fn new(store: Store) -> Self {
        Self { store, server_guid: crate::session::backend::random_guid() }
    }

    /// The server GUID.
    pub fn server_guid(&self) -> mapi_wire::Guid {
        self.server_guid
    }

    /// The current GAL (re-read per call: new mailboxes appear at once).
    pub fn gal(&self) -> Gal {
        Gal::load(&self.store, self.server_guid)
    }

    /// Answers one request other than Bind/Unbind/PING as an encoded body.
    pub fn answer(&self, request: &nspi::Request) -> Vec<u8> {
        let gal = self.gal();
        match request {
            nspi::Request::GetSpecialTable(r) => encode_body(&MapiResponse::Completed(gal.special_table(r))),
            nspi::Request::QueryRows(r) => encode_body(&MapiResponse::Completed(gal.query_rows(r))),
            nspi::Request::GetMatches(r) => encode_body(&MapiResponse::Completed(gal.matches(r))),
            nspi::Request::ResolveNames(r) => encode_body(&MapiResponse::Completed(gal.resolve_names(r))),
            nspi::Request::GetProps(r) => encode_body(&MapiResponse::Completed(gal.props(r))),
            nspi::Request::GetPropList(r) => encode_body(&MapiResponse::Completed(gal.prop_list(r))),
            nspi::Request::DnToMId(r) => encode_body(&MapiResponse::Completed(gal.dn_to_mid(r))),
            nspi::Request::SeekEntries(r) => encode_body(&MapiResponse::Completed(gal.seek_entries(r))),
            nspi::Request::CompareMIds(r) => encode_body(&MapiResponse::Completed(gal.compare_mids(r))),
            nspi::Request::QueryColumns(r) => encode_body(&MapiResponse::Completed(gal.query_columns(r))),
            nspi::Request::UpdateStat(r) => encode_body(&MapiResponse::Completed(gal.update_stat(r))),
            // [MS-OXNSPI] 3.1.4.1.18: the simulator keeps no display
            // templates; like gromox (capture 108) it answers
            // ecNotSupported with CodePage 0 and no row.
            nspi::Request::GetTemplateInfo(_) => encode_body(&MapiResponse::Completed(nspi::GetTemplateInfoResponse {
                error_code: ErrorCode::NOT_SUPPORTED,
                code_page: 0,
                row: None,
                auxiliary_buffer: Vec::new(),
            })),
            _ => encode_body(&MapiResponse::<UnbindResponse>::Failed {
                status_code: ErrorCode::NOT_SUPPORTED.0,
                auxiliary_buffer: Vec::new(),
            }),
        }
    }
}

impl crate::session::NspiBackend for StoreNspi {
    fn bind(&self, _session: &mut SessionState, _request: &nspi::BindRequest) -> MapiResponse<BindResponse> {
        MapiResponse::Completed(BindResponse {
            error_code: ErrorCode::SUCCESS,
            server_guid: self.server_guid,
            auxiliary_buffer: Vec::new(),
        })
    }

    fn unbind(&self, _session: &mut SessionState, _request: &nspi::UnbindRequest) -> MapiResponse<UnbindResponse> {
        // Capture 117: ErrorCode 1 (UnbindSuccess).
        MapiResponse::Completed(UnbindResponse { error_code: ErrorCode(1), auxiliary_buffer: Vec::new() })
    }

    fn supports(&self, kind: RequestKind) -> bool {
        matches!(
            kind,
            RequestKind::GetSpecialTable
                | RequestKind::QueryRows
                | RequestKind::GetMatches
                | RequestKind::ResolveNames
                | RequestKind::GetProps
                | RequestKind::GetPropList
                | RequestKind::DnToMId
                | RequestKind::SeekEntries
                | RequestKind::CompareMIds
                | RequestKind::QueryColumns
                | RequestKind::UpdateStat
                | RequestKind::GetTemplateInfo
        )
    }

    fn call(&self, _session: &mut SessionState, request: &nspi::Request) -> Vec<u8> {
        self.answer(request)
    }
}
