//! [MS-OXCROPS] 2.2.5 table ROPs ([MS-OXCTABL] 2.2.2).

use crate::PropTag;

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
    /// [MS-OXCROPS] 2.2.5.3.1 RopRestrict request.
    pub struct RestrictRequest = RESTRICT {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the table).
        pub input_handle_index: u8,
        /// RestrictFlags.
        pub flags: AsyncFlags,
        /// RestrictionData (size u16 + ROP-context restriction, [MS-OXCDATA] 2.12); empty removes the restriction.
        pub restriction_data: Vec<u8>,
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
        /// RestrictionData (size u16 + ROP-context restriction bytes).
        pub restriction_data: Vec<u8>,
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
