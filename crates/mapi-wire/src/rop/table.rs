//! [MS-OXCROPS] 2.2.5 table ROPs ([MS-OXCTABL] 2.2.2).

use crate::{
    ErrorCode, PropTag,
    codec::{Put, Reader},
    error::{DecodeError, EncodeError},
    prop_value::{PropContext, PropertyRow},
    restriction::Restriction,
    rop::{ResponseContext, RopId, RopResponseBody},
    sort::SortOrderSet,
};

open_enum! {
    /// [MS-OXCTABL] 2.2.2.1.3 TableStatus.
    pub struct TableStatus(u8) {
        COMPLETE = 0x00, "TBLSTAT_COMPLETE";
        SORTING = 0x09, "TBLSTAT_SORTING";
        SORT_ERROR = 0x0A, "TBLSTAT_SORT_ERROR";
        SETTING_COLS = 0x0B, "TBLSTAT_SETTING_COLS";
        SETCOL_ERROR = 0x0D, "TBLSTAT_SETCOL_ERROR";
        RESTRICTING = 0x0E, "TBLSTAT_RESTRICTING";
        RESTRICT_ERROR = 0x0F, "TBLSTAT_RESTRICT_ERROR";
    }
}

open_enum! {
    /// [MS-OXCROPS] 2.2.5.8.1 RopSeekRow Origin (also RopQueryRows/RopFindRow origins).
    pub struct BookmarkOrigin(u8) {
        BEGINNING = 0x00, "BOOKMARK_BEGINNING";
        CURRENT = 0x01, "BOOKMARK_CURRENT";
        END = 0x02, "BOOKMARK_END";
        CUSTOM = 0x03, "BOOKMARK_CUSTOM";
    }
}

open_enum! {
    /// [MS-OXCROPS] 2.2.5.4.1 RopQueryRows QueryRowsFlags.
    pub struct QueryRowsFlags(u8) {
        ADVANCE = 0x00, "Advance";
        NO_ADVANCE = 0x01, "NoAdvance";
        ENABLE_PACKED_BUFFERS = 0x02, "EnablePackedBuffers";
    }
}

open_enum! {
    /// [MS-OXCROPS] 2.2.5.1.1 RopSetColumns SetColumnsFlags (also SortTableFlags, RestrictFlags).
    pub struct AsyncFlags(u8) {
        SYNC = 0x00, "TBL_SYNC";
        ASYNC = 0x01, "TBL_ASYNC";
    }
}

wire_newtype! {
    TableStatus => u8;
    BookmarkOrigin => u8;
    QueryRowsFlags => u8;
    AsyncFlags => u8;
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.5.1.2 success fields of RopSetColumns, RopSortTable, RopRestrict, RopGetStatus, RopAbort.
    pub struct TableStatusSuccess {
        /// TableStatus.
        pub table_status: TableStatus,
    }
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.1.1 RopSetColumns request.
    pub struct SetColumnsRequest = SET_COLUMNS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// SetColumnsFlags.
        pub flags: AsyncFlags,
        /// PropertyTags (count u16): the columns of every following row.
        pub columns: Vec<PropTag>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.1.2 RopSetColumns response.
    pub struct SetColumnsResponse = SET_COLUMNS, success TableStatusSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.2.1 RopSortTable request.
    pub struct SortTableRequest = SORT_TABLE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// SortTableFlags.
        pub flags: AsyncFlags,
        /// SortOrderCount, CategorizedCount, ExpandedCount, SortOrders.
        pub sort_order_set: SortOrderSet,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.2.2 RopSortTable response.
    pub struct SortTableResponse = SORT_TABLE, success TableStatusSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.3.1 RopRestrict request.
    pub struct RestrictRequest = RESTRICT {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// RestrictFlags.
        pub flags: AsyncFlags,
        /// RestrictionDataSize u16 + RestrictionData ([MS-OXCDATA] 2.12); None (size 0) removes the restriction.
        pub restriction: Option<Restriction>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.3.2 RopRestrict response.
    pub struct RestrictResponse = RESTRICT, success TableStatusSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.4.1 RopQueryRows request.
    pub struct QueryRowsRequest = QUERY_ROWS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// QueryRowsFlags.
        pub flags: QueryRowsFlags,
        /// ForwardRead (false reads backwards).
        pub forward_read: bool,
        /// RowCount: the most rows wanted.
        pub row_count: u16,
    }
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.5.1 RopAbort request.
    pub struct AbortRequest = ABORT {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.5.2 RopAbort response.
    pub struct AbortResponse = ABORT, success TableStatusSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.6.1 RopGetStatus request.
    pub struct GetStatusRequest = GET_STATUS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.6.2 RopGetStatus response.
    pub struct GetStatusResponse = GET_STATUS, success TableStatusSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.7.1 RopQueryPosition request.
    pub struct QueryPositionRequest = QUERY_POSITION {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.5.7.2 RopQueryPosition success fields.
    pub struct QueryPositionSuccess {
        /// Numerator: the current row.
        pub numerator: u32,
        /// Denominator: the row count.
        pub denominator: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.7.2 RopQueryPosition response.
    pub struct QueryPositionResponse = QUERY_POSITION, success QueryPositionSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.8.1 RopSeekRow request.
    pub struct SeekRowRequest = SEEK_ROW {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// Origin.
        pub origin: BookmarkOrigin,
        /// RowCount: rows to move (negative = backwards).
        pub row_count: i32,
        /// WantRowMovedCount.
        pub want_row_moved_count: bool,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.5.8.2 RopSeekRow success fields.
    pub struct SeekRowSuccess {
        /// HasSoughtLess.
        pub has_sought_less: bool,
        /// RowsSought.
        pub rows_sought: i32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.8.2 RopSeekRow response.
    pub struct SeekRowResponse = SEEK_ROW, success SeekRowSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.9.1 RopSeekRowBookmark request.
    pub struct SeekRowBookmarkRequest = SEEK_ROW_BOOKMARK {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// Bookmark (size u16 + bytes).
        pub bookmark: Vec<u8>,
        /// RowCount.
        pub row_count: i32,
        /// WantRowMovedCount.
        pub want_row_moved_count: bool,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.5.9.2 RopSeekRowBookmark success fields.
    pub struct SeekRowBookmarkSuccess {
        /// RowNoLongerVisible.
        pub row_no_longer_visible: bool,
        /// HasSoughtLess.
        pub has_sought_less: bool,
        /// RowsSought.
        pub rows_sought: i32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.9.2 RopSeekRowBookmark response.
    pub struct SeekRowBookmarkResponse = SEEK_ROW_BOOKMARK, success SeekRowBookmarkSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.10.1 RopSeekRowFractional request.
    pub struct SeekRowFractionalRequest = SEEK_ROW_FRACTIONAL {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// Numerator.
        pub numerator: u32,
        /// Denominator.
        pub denominator: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.10.2 RopSeekRowFractional response (header only).
    pub struct SeekRowFractionalResponse = SEEK_ROW_FRACTIONAL;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.11.1 RopCreateBookmark request.
    pub struct CreateBookmarkRequest = CREATE_BOOKMARK {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.5.11.2 RopCreateBookmark success fields (also RopSetCollapseState).
    pub struct BookmarkSuccess {
        /// Bookmark (size u16 + bytes).
        pub bookmark: Vec<u8>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.11.2 RopCreateBookmark response.
    pub struct CreateBookmarkResponse = CREATE_BOOKMARK, success BookmarkSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.12.1 RopQueryColumnsAll request.
    pub struct QueryColumnsAllRequest = QUERY_COLUMNS_ALL {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.5.12.2 RopQueryColumnsAll success fields.
    pub struct QueryColumnsAllSuccess {
        /// PropertyTags (count u16).
        pub columns: Vec<PropTag>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.12.2 RopQueryColumnsAll response.
    pub struct QueryColumnsAllResponse = QUERY_COLUMNS_ALL, success QueryColumnsAllSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.13.1 RopFindRow request.
    pub struct FindRowRequest = FIND_ROW {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// FindRowFlags (0 forward, 1 backward).
        pub flags: u8,
        /// RestrictionDataSize u16 + RestrictionData: the row to find.
        pub restriction: Option<Restriction>,
        /// Origin (CUSTOM = start at `bookmark`).
        pub origin: BookmarkOrigin,
        /// Bookmark (size u16 + bytes).
        pub bookmark: Vec<u8>,
    }
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.14.1 RopFreeBookmark request.
    pub struct FreeBookmarkRequest = FREE_BOOKMARK {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// Bookmark (size u16 + bytes).
        pub bookmark: Vec<u8>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.14.2 RopFreeBookmark response (header only).
    pub struct FreeBookmarkResponse = FREE_BOOKMARK;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.15.1 RopResetTable request.
    pub struct ResetTableRequest = RESET_TABLE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.15.2 RopResetTable response (header only).
    pub struct ResetTableResponse = RESET_TABLE;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.16.1 RopExpandRow request.
    pub struct ExpandRowRequest = EXPAND_ROW {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// MaxRowCount.
        pub max_row_count: u16,
        /// CategoryId.
        pub category_id: u64,
    }
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.17.1 RopCollapseRow request.
    pub struct CollapseRowRequest = COLLAPSE_ROW {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// CategoryId.
        pub category_id: u64,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.5.17.2 RopCollapseRow success fields.
    pub struct CollapseRowSuccess {
        /// CollapsedRowCount.
        pub collapsed_row_count: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.17.2 RopCollapseRow response.
    pub struct CollapseRowResponse = COLLAPSE_ROW, success CollapseRowSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.18.1 RopGetCollapseState request.
    pub struct GetCollapseStateRequest = GET_COLLAPSE_STATE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// RowId.
        pub row_id: u64,
        /// RowInstanceNumber.
        pub row_instance_number: u32,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.5.18.2 RopGetCollapseState success fields.
    pub struct GetCollapseStateSuccess {
        /// CollapseState (size u16 + bytes).
        pub collapse_state: Vec<u8>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.18.2 RopGetCollapseState response.
    pub struct GetCollapseStateResponse = GET_COLLAPSE_STATE, success GetCollapseStateSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.5.19.1 RopSetCollapseState request.
    pub struct SetCollapseStateRequest = SET_COLLAPSE_STATE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// CollapseState (size u16 + bytes).
        pub collapse_state: Vec<u8>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.5.19.2 RopSetCollapseState response.
    pub struct SetCollapseStateResponse = SET_COLLAPSE_STATE, success BookmarkSuccess;
}

/// The columns a row-returning response needs, or the error saying they are unknown.
fn row_columns<'c>(ctx: &ResponseContext<'c>, offset: usize) -> Result<&'c [PropTag], DecodeError> {
    ctx.columns.ok_or(DecodeError::Invalid {
        what: "RowData",
        offset,
        reason: "table columns unknown (no RopSetColumns on this table in the context)",
    })
}

/// Reads `n` PropertyRows in `columns`.
fn read_rows(r: &mut Reader<'_>, n: usize, columns: &[PropTag]) -> Result<Vec<PropertyRow>, DecodeError> {
    let n = r.count(n, 1, "RowData")?;
    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        rows.push(PropertyRow::decode_with(r, columns, PropContext::Rop)?);
    }
    Ok(rows)
}

/// Writes PropertyRows in `columns`.
fn write_rows(w: &mut Vec<u8>, rows: &[PropertyRow], columns: &[PropTag]) -> Result<(), EncodeError> {
    for row in rows {
        row.encode_with(w, columns, PropContext::Rop)?;
    }
    Ok(())
}

/// Reads HandleIndex and ReturnValue.
fn read_header(r: &mut Reader<'_>) -> Result<(u8, ErrorCode), DecodeError> {
    Ok((r.u8("HandleIndex")?, ErrorCode(r.u32("ReturnValue")?)))
}

/// [MS-OXCROPS] 2.2.5.4.2 RopQueryRows success fields.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QueryRowsSuccess {
    /// Origin: where the cursor is now (END when every row was read, corrections B11).
    pub origin: BookmarkOrigin,
    /// RowData (RowCount u16 rows; fewer than asked is not the end of the table).
    pub rows: Vec<PropertyRow>,
    /// The table's columns (not on the wire; from [`ResponseContext::columns`]), needed to
    /// read and write the rows.
    pub columns: Vec<PropTag>,
}

/// [MS-OXCROPS] 2.2.5.4.2 RopQueryRows response. Decoding rows needs the table's columns
/// in [`ResponseContext::columns`] (the dispatcher supplies them).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QueryRowsResponse {
    /// InputHandleIndex.
    pub handle_index: u8,
    /// ReturnValue (gromox: 0x47D when MaxRopOut is too small, corrections A14).
    pub return_value: ErrorCode,
    /// The success fields, present exactly when `return_value` is 0.
    pub success: Option<QueryRowsSuccess>,
}

impl RopResponseBody for QueryRowsResponse {
    const ID: RopId = RopId::QUERY_ROWS;
    fn decode_body(r: &mut Reader<'_>, ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r)?;
        let mut success = None;
        if return_value == ErrorCode::SUCCESS {
            let origin = BookmarkOrigin(r.u8("Origin")?);
            let at = r.offset();
            let n = usize::from(r.u16("RowCount")?);
            let columns = if n == 0 { ctx.columns.unwrap_or_default() } else { row_columns(ctx, at)? };
            let rows = read_rows(r, n, columns)?;
            success = Some(QueryRowsSuccess { origin, rows, columns: columns.to_vec() });
        }
        Ok(Self { handle_index, return_value, success })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.handle_index);
        w.put_u32(self.return_value.0);
        if let Some(s) = &self.success {
            w.put_u8(s.origin.0);
            w.put_u16(crate::codec::len_u16(s.rows.len(), "RowCount")?);
            write_rows(w, &s.rows, &s.columns)?;
        }
        Ok(())
    }
}

/// [MS-OXCROPS] 2.2.5.13.2 RopFindRow success fields.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FindRowSuccess {
    /// RowNoLongerVisible.
    pub row_no_longer_visible: bool,
    /// HasRowData, with the row found.
    pub row: Option<PropertyRow>,
    /// The table's columns (not on the wire; from [`ResponseContext::columns`]).
    pub columns: Vec<PropTag>,
}

/// [MS-OXCROPS] 2.2.5.13.2 RopFindRow response.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FindRowResponse {
    /// InputHandleIndex.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// The success fields, present exactly when `return_value` is 0.
    pub success: Option<FindRowSuccess>,
}

impl RopResponseBody for FindRowResponse {
    const ID: RopId = RopId::FIND_ROW;
    fn decode_body(r: &mut Reader<'_>, ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r)?;
        let mut success = None;
        if return_value == ErrorCode::SUCCESS {
            let row_no_longer_visible = r.u8("RowNoLongerVisible")? != 0;
            let at = r.offset();
            let has_row = r.u8("HasRowData")? != 0;
            let columns = if has_row { row_columns(ctx, at)? } else { ctx.columns.unwrap_or_default() };
            let row = if has_row { Some(PropertyRow::decode_with(r, columns, PropContext::Rop)?) } else { None };
            success = Some(FindRowSuccess { row_no_longer_visible, row, columns: columns.to_vec() });
        }
        Ok(Self { handle_index, return_value, success })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.handle_index);
        w.put_u32(self.return_value.0);
        if let Some(s) = &self.success {
            w.put_u8(u8::from(s.row_no_longer_visible));
            match &s.row {
                Some(row) => {
                    w.put_u8(1);
                    row.encode_with(w, &s.columns, PropContext::Rop)?;
                }
                None => w.put_u8(0),
            }
        }
        Ok(())
    }
}

/// [MS-OXCROPS] 2.2.5.16.2 RopExpandRow success fields.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExpandRowSuccess {
    /// ExpandedRowCount: rows now visible under the category.
    pub expanded_row_count: u32,
    /// RowData (RowCount u16 rows).
    pub rows: Vec<PropertyRow>,
    /// The table's columns (not on the wire; from [`ResponseContext::columns`]).
    pub columns: Vec<PropTag>,
}

/// [MS-OXCROPS] 2.2.5.16.2 RopExpandRow response.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExpandRowResponse {
    /// InputHandleIndex.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// The success fields, present exactly when `return_value` is 0.
    pub success: Option<ExpandRowSuccess>,
}

impl RopResponseBody for ExpandRowResponse {
    const ID: RopId = RopId::EXPAND_ROW;
    fn decode_body(r: &mut Reader<'_>, ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r)?;
        let mut success = None;
        if return_value == ErrorCode::SUCCESS {
            let expanded_row_count = r.u32("ExpandedRowCount")?;
            let at = r.offset();
            let n = usize::from(r.u16("RowCount")?);
            let columns = if n == 0 { ctx.columns.unwrap_or_default() } else { row_columns(ctx, at)? };
            let rows = read_rows(r, n, columns)?;
            success = Some(ExpandRowSuccess { expanded_row_count, rows, columns: columns.to_vec() });
        }
        Ok(Self { handle_index, return_value, success })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.handle_index);
        w.put_u32(self.return_value.0);
        if let Some(s) = &self.success {
            w.put_u32(s.expanded_row_count);
            w.put_u16(crate::codec::len_u16(s.rows.len(), "RowCount")?);
            write_rows(w, &s.rows, &s.columns)?;
        }
        Ok(())
    }
}
