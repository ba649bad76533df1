//! [MS-OXCROPS] 2.2.5 table ROPs ([MS-OXCTABL] 3.2.5) over
//! [`TableView`], and the ROPs that open tables (GetHierarchyTable,
//! GetContentsTable, GetAttachmentTable).

use std::collections::BTreeSet;
use std::sync::Arc;

use mapi_wire::prop_value::{FlaggedValue, PropContext, PropValue, PropertyRow};
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag, PropType};

use super::dispatch::Ctx;
use super::folder::{check, folder_of};
use super::objects::{Object, TableKind, TableObj};
use super::row_cache::{TableRows, contents_row, props_row};
use crate::store::table::{Origin, TableView};
use crate::store::{MessageContent, PropBag, Rights};

/// RopQueryRows response bytes before the rows: RopId, InputHandleIndex,
/// ReturnValue, Origin, RowCount.
const QUERY_ROWS_HEADER: usize = 9;

fn table_mut<'c>(ctx: &'c mut Ctx<'_>, index: u8) -> Result<&'c mut TableObj, ErrorCode> {
    match ctx.object_mut(index)? {
        Object::Table(t) => Ok(t),
        _ => Err(ErrorCode::NOT_SUPPORTED),
    }
}

/// The rows of a table from the store (attachments from the message
/// object of the session).
fn load_rows(ctx: &Ctx<'_>, t: &TableObj) -> Result<Vec<(u64, MessageContent)>, ErrorCode> {
    let e = |e: crate::store::StoreError| e.error_code();
    Ok(match t.kind {
        TableKind::Hierarchy { folder, depth } => t
            .mailbox
            .subfolders(folder, depth)
            .map_err(e)?
            .into_iter()
            .map(|f| {
                let mut bag = f.props;
                bag.set(PropTag::DEPTH, PropValue::I32(f.depth as i32));
                (f.id.0, props_row(bag))
            })
            .collect(),
        TableKind::Contents { folder, fai } => {
            t.mailbox.contents(folder, fai).map_err(e)?.into_iter().map(|m| (m.id.0, contents_row(m.content))).collect()
        }
        TableKind::Attachments { message_handle } => match ctx.session.objects.get(&message_handle) {
            Some(Object::Message(m)) => m
                .content
                .attachments
                .iter()
                .map(|a| {
                    let n = a.props.i32(PropTag::ATTACH_NUMBER).unwrap_or(0);
                    (u64::from(n as u32), props_row(attachment_row(&a.props)))
                })
                .collect(),
            _ => return Err(ErrorCode::NULL_OBJECT),
        },
    })
}

/// An attachment table row: the stored properties plus the computed ones.
fn attachment_row(props: &PropBag) -> PropBag {
    let mut bag = props.clone();
    if let Some(n) = props.i32(PropTag::ATTACH_NUMBER) {
        bag.set(PropTag::INSTANCE_KEY, PropValue::Binary((n as u32).to_le_bytes().to_vec()));
    }
    bag.set(PropTag::OBJECT_TYPE, PropValue::I32(7));
    bag
}

/// The cache key of a table's rows: the mailbox's change counter for
/// store tables; None for attachment tables, whose rows live in the
/// session's message object and are always reread (they are few).
fn rows_key(t: &TableObj) -> Result<Option<u64>, ErrorCode> {
    match t.kind {
        TableKind::Attachments { .. } => Ok(None),
        TableKind::Hierarchy { .. } | TableKind::Contents { .. } => {
            t.mailbox.change_counter().map(Some).map_err(|e| e.error_code())
        }
    }
}

/// Brings the table up to date before a ROP reads it: tables are dynamic,
/// a change committed by any session shows in the next read
/// ([MS-OXCNOTIF] 3.1.4.3: the server keeps each table view current and
/// tells subscribers with TableModified). The rows are reloaded only when
/// the mailbox's change counter moved since the last load (a contents
/// table then fetches only the rows changed since, and the live ids) (the key is read
/// before loading, so a write racing the load makes the next read reload
/// again); otherwise only a new restriction or sort reorders the cached
/// rows. Tables of the same folder at the same change counter share one
/// load ([`super::row_cache`]). The cursor stays on its row; bookmarks
/// survive.
fn refresh(ctx: &mut Ctx<'_>, index: u8) -> Result<(), ErrorCode> {
    let (key, stale) = {
        let t = match ctx.object(index)? {
            Object::Table(t) => t,
            _ => return Err(ErrorCode::NOT_SUPPORTED),
        };
        let key = rows_key(t)?;
        (key, key.is_none() || key != t.rows_cn)
    };
    let rows = if stale {
        let t = match ctx.object(index)? {
            Object::Table(t) => t,
            _ => return Err(ErrorCode::NOT_SUPPORTED),
        };
        let store = t.mailbox.info().store_id;
        let shared = key.and_then(|cn| ctx.rows.get(store, t.kind, cn));
        Some(match shared {
            Some(rows) => rows,
            None => {
                let rows = Arc::new(match (t.kind, t.rows_cn) {
                    // A contents table loaded before: patch in what changed.
                    (TableKind::Contents { folder, fai }, Some(since)) => {
                        let (live, changed) =
                            t.mailbox.contents_since(folder, fai, since).map_err(|e| e.error_code())?;
                        t.rows.patched(&live, changed.into_iter().map(|m| (m.id.0, contents_row(m.content))).collect())
                    }
                    _ => TableRows::new(load_rows(ctx, t)?),
                });
                if let Some(cn) = key {
                    ctx.rows.put(store, t.kind, cn, rows.clone());
                }
                rows
            }
        })
    } else {
        None
    };
    let t = table_mut(ctx, index)?;
    if let Some(rows) = rows {
        t.rows = rows;
        t.rows_cn = key;
        t.ordered = false;
    }
    if !t.ordered {
        // A new sort or restriction moves the cursor to the beginning
        // ([MS-OXCTABL] 3.2.5.2, 3.2.5.3); a reload keeps it on its row.
        t.view.refresh(&t.rows.rows, t.restriction.as_ref(), t.sort.as_ref());
        t.ordered = true;
    }
    if !t.loaded {
        t.view.seek(Origin::Beginning, 0);
        t.loaded = true;
    }
    Ok(())
}

fn open_table(ctx: &mut Ctx<'_>, output: u8, table: TableObj) -> Result<u32, ErrorCode> {
    let h = ctx.output(output, Object::Table(Box::new(table)));
    refresh(ctx, output)?;
    let t = table_mut(ctx, output)?;
    let _ = h;
    Ok(t.view.len() as u32)
}

fn new_table(mailbox: crate::store::Mailbox, kind: TableKind) -> TableObj {
    TableObj {
        mailbox,
        kind,
        columns: None,
        restriction: None,
        sort: None,
        view: TableView::default(),
        rows: Arc::default(),
        rows_cn: None,
        ordered: false,
        loaded: false,
        subscription: None,
    }
}

/// RopGetHierarchyTable ([MS-OXCFOLD] 3.2.5.13): with Depth every
/// descendant, flat, with PidTagDepth (capture 008).
pub(crate) fn open_hierarchy(ctx: &mut Ctx<'_>, r: &GetHierarchyTableRequest) -> Result<TableRowCount, ErrorCode> {
    let (mailbox, folder) = folder_of(ctx, r.input_handle_index)?;
    check(ctx, &mailbox, folder, Rights::FOLDER_VISIBLE)?;
    let depth = r.table_flags.0 & TableFlags::DEPTH.0 != 0;
    let row_count = open_table(ctx, r.output_handle_index, new_table(mailbox, TableKind::Hierarchy { folder, depth }))?;
    Ok(TableRowCount { row_count })
}

/// RopGetContentsTable ([MS-OXCFOLD] 3.2.5.14): normal or (Associated)
/// FAI messages.
pub(crate) fn open_contents(ctx: &mut Ctx<'_>, r: &GetContentsTableRequest) -> Result<TableRowCount, ErrorCode> {
    let (mailbox, folder) = folder_of(ctx, r.input_handle_index)?;
    // FreeBusySimple (the "AvailabilityOnly" calendar role) lets free/busy
    // readers list the calendar's items too; the simulator does not narrow
    // the columns to times as Exchange's availability lookup does.
    check(ctx, &mailbox, folder, Rights::READ_ANY)
        .or_else(|_| check(ctx, &mailbox, folder, Rights::FREE_BUSY_SIMPLE))?;
    if r.table_flags.0 & TableFlags::SOFT_DELETES.0 != 0 {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    let fai = r.table_flags.0 & TableFlags::ASSOCIATED.0 != 0;
    let row_count =
        open_table(ctx, r.output_handle_index, new_table(mailbox.clone(), TableKind::Contents { folder, fai }))?;
    if r.table_flags.0 & TableFlags::NO_NOTIFICATIONS.0 == 0 {
        let handle = ctx.handle(r.output_handle_index);
        let sub = super::notify::subscribe_table(ctx, handle, &mailbox, folder, fai);
        table_mut(ctx, r.output_handle_index)?.subscription = Some(sub);
    }
    Ok(TableRowCount { row_count })
}

/// RopGetAttachmentTable ([MS-OXCMSG] 3.2.5.?): header-only response
/// (corrections B11).
pub(crate) fn open_attachments(ctx: &mut Ctx<'_>, r: &GetAttachmentTableRequest) -> Result<(), ErrorCode> {
    let message_handle = ctx.handle(r.input_handle_index);
    let mailbox = match ctx.object(r.input_handle_index)? {
        Object::Message(m) => m.mailbox.clone(),
        _ => return Err(ErrorCode::NOT_SUPPORTED),
    };
    open_table(ctx, r.output_handle_index, new_table(mailbox, TableKind::Attachments { message_handle }))?;
    Ok(())
}

fn complete() -> TableStatusSuccess {
    TableStatusSuccess { table_status: TableStatus::COMPLETE }
}

/// RopSetColumns ([MS-OXCTABL] 3.2.5.1): PtypUnspecified columns are
/// refused with ecInvalidParameter (capture 125).
pub(crate) fn set_columns(ctx: &mut Ctx<'_>, r: &SetColumnsRequest) -> Result<TableStatusSuccess, ErrorCode> {
    let t = table_mut(ctx, r.input_handle_index)?;
    if r.columns.is_empty() || r.columns.iter().any(|c| c.prop_type() == PropType(0)) {
        return Err(ErrorCode::INVALID_PARAMETER);
    }
    t.columns = Some(r.columns.clone());
    Ok(complete())
}

/// RopSortTable ([MS-OXCTABL] 3.2.5.2): the cursor goes to the beginning.
pub(crate) fn sort(ctx: &mut Ctx<'_>, r: &SortTableRequest) -> Result<TableStatusSuccess, ErrorCode> {
    let t = table_mut(ctx, r.input_handle_index)?;
    if r.sort_order_set.categorized > 0 {
        // Categorized views are not simulated.
        return Err(ErrorCode::TOO_COMPLEX);
    }
    t.sort = (!r.sort_order_set.orders.is_empty()).then(|| r.sort_order_set.clone());
    t.ordered = false;
    t.loaded = false;
    refresh(ctx, r.input_handle_index)?;
    Ok(complete())
}

/// RopRestrict ([MS-OXCTABL] 3.2.5.3), evaluated by the store's
/// restriction engine; the cursor goes to the beginning.
pub(crate) fn restrict(ctx: &mut Ctx<'_>, r: &RestrictRequest) -> Result<TableStatusSuccess, ErrorCode> {
    let t = table_mut(ctx, r.input_handle_index)?;
    t.restriction = r.restriction.clone();
    t.ordered = false;
    t.loaded = false;
    refresh(ctx, r.input_handle_index)?;
    Ok(complete())
}

/// One row in `columns`: a StandardPropertyRow when every column has a
/// value, else a FlaggedPropertyRow (corrections B11, capture 010).
pub(crate) fn property_row(bag: &PropBag, columns: &[PropTag]) -> PropertyRow {
    let values = bag.project(columns);
    if values.iter().all(Result::is_ok) {
        PropertyRow::Standard(values.into_iter().filter_map(Result::ok).collect())
    } else {
        PropertyRow::Flagged(
            values
                .into_iter()
                .map(|v| match v {
                    Ok(v) => FlaggedValue::Value(v),
                    Err(e) => FlaggedValue::Error(e),
                })
                .collect(),
        )
    }
}

fn origin_byte(o: Origin) -> BookmarkOrigin {
    BookmarkOrigin(o.to_byte())
}

/// RopQueryRows ([MS-OXCTABL] 3.2.5.4): as many rows as fit MaxRopOut; none
/// fitting is ReturnValue ecBufferTooSmall (059), fewer rows come with
/// Origin CURRENT (060).
pub(crate) fn query_rows(ctx: &mut Ctx<'_>, r: &QueryRowsRequest) -> Result<QueryRowsSuccess, ErrorCode> {
    refresh(ctx, r.input_handle_index)?;
    let room = ctx.room;
    let t = table_mut(ctx, r.input_handle_index)?;
    let columns = t.columns.clone().ok_or(ErrorCode::NULL_OBJECT)?;
    let no_advance = r.flags.0 & QueryRowsFlags::NO_ADVANCE.0 != 0;
    let (ids, origin) = t.view.query_rows(usize::from(r.row_count), r.forward_read, true);
    let mut rows = Vec::with_capacity(ids.len());
    let mut used = QUERY_ROWS_HEADER;
    for id in &ids {
        let row = t.row(*id).map(|b| property_row(b, &columns)).unwrap_or_else(|| {
            PropertyRow::Flagged(columns.iter().map(|_| FlaggedValue::Error(ErrorCode::NOT_FOUND)).collect())
        });
        let mut w = Vec::new();
        row.encode_with(&mut w, &columns, PropContext::Rop).map_err(|_| ErrorCode::GENERAL_FAILURE)?;
        if used + w.len() > room {
            break;
        }
        used += w.len();
        rows.push(row);
    }
    if rows.is_empty() && !ids.is_empty() {
        return Err(ErrorCode::BUFFER_TOO_SMALL);
    }
    let origin = if rows.len() < ids.len() { Origin::Current } else { origin };
    if !no_advance {
        t.view.query_rows(rows.len(), r.forward_read, false);
    }
    Ok(QueryRowsSuccess { origin: origin_byte(origin), rows, columns })
}

/// RopQueryPosition ([MS-OXCTABL] 3.2.5.7).
pub(crate) fn query_position(ctx: &mut Ctx<'_>, r: &QueryPositionRequest) -> Result<QueryPositionSuccess, ErrorCode> {
    refresh(ctx, r.input_handle_index)?;
    let t = table_mut(ctx, r.input_handle_index)?;
    let (numerator, denominator) = t.view.query_position();
    Ok(QueryPositionSuccess { numerator, denominator })
}

fn origin(b: BookmarkOrigin) -> Result<Origin, ErrorCode> {
    Origin::from_byte(b.0).ok_or(ErrorCode::INVALID_PARAMETER)
}

/// RopSeekRow ([MS-OXCTABL] 3.2.5.8).
pub(crate) fn seek_row(ctx: &mut Ctx<'_>, r: &SeekRowRequest) -> Result<SeekRowSuccess, ErrorCode> {
    let o = origin(r.origin)?;
    let t = table_mut(ctx, r.input_handle_index)?;
    let s = t.view.seek(o, r.row_count);
    Ok(SeekRowSuccess { has_sought_less: s.sought_less, rows_sought: s.rows_sought })
}

/// RopSeekRowBookmark ([MS-OXCTABL] 3.2.5.9).
pub(crate) fn seek_row_bookmark(
    ctx: &mut Ctx<'_>,
    r: &SeekRowBookmarkRequest,
) -> Result<SeekRowBookmarkSuccess, ErrorCode> {
    refresh(ctx, r.input_handle_index)?;
    let t = table_mut(ctx, r.input_handle_index)?;
    let s = t.view.seek_bookmark(&r.bookmark, r.row_count).map_err(|e| e.error_code())?;
    Ok(SeekRowBookmarkSuccess {
        row_no_longer_visible: s.row_no_longer_visible,
        has_sought_less: s.sought_less,
        rows_sought: s.rows_sought,
    })
}

/// RopSeekRowFractional ([MS-OXCTABL] 3.2.5.10).
pub(crate) fn seek_row_fractional(ctx: &mut Ctx<'_>, r: &SeekRowFractionalRequest) -> Result<(), ErrorCode> {
    let t = table_mut(ctx, r.input_handle_index)?;
    t.view.seek_fraction(r.numerator, r.denominator);
    Ok(())
}

/// RopCreateBookmark ([MS-OXCTABL] 3.2.5.11).
pub(crate) fn create_bookmark(ctx: &mut Ctx<'_>, index: u8) -> Result<BookmarkSuccess, ErrorCode> {
    let t = table_mut(ctx, index)?;
    Ok(BookmarkSuccess { bookmark: t.view.create_bookmark() })
}

/// RopFreeBookmark ([MS-OXCTABL] 3.2.5.14).
pub(crate) fn free_bookmark(ctx: &mut Ctx<'_>, r: &FreeBookmarkRequest) -> Result<(), ErrorCode> {
    let t = table_mut(ctx, r.input_handle_index)?;
    t.view.free_bookmark(&r.bookmark).map_err(|e| e.error_code())
}

/// RopQueryColumnsAll ([MS-OXCTABL] 3.2.5.12): every tag any row has.
pub(crate) fn query_columns_all(ctx: &mut Ctx<'_>, index: u8) -> Result<QueryColumnsAllSuccess, ErrorCode> {
    refresh(ctx, index)?;
    let t = table_mut(ctx, index)?;
    let mut tags = BTreeSet::new();
    for (_, row) in &t.rows.rows {
        tags.extend(row.props.tags().into_iter().map(|t| t.0));
    }
    Ok(QueryColumnsAllSuccess { columns: tags.into_iter().map(PropTag).collect() })
}

/// RopFindRow ([MS-OXCTABL] 3.2.5.13): FindRowFlags bit 0x01 = backward;
/// ecNotFound when no row matches.
pub(crate) fn find_row(ctx: &mut Ctx<'_>, r: &FindRowRequest) -> Result<FindRowSuccess, ErrorCode> {
    refresh(ctx, r.input_handle_index)?;
    let t = table_mut(ctx, r.input_handle_index)?;
    let columns = t.columns.clone().ok_or(ErrorCode::NULL_OBJECT)?;
    let restriction = r.restriction.as_ref().ok_or(ErrorCode::INVALID_PARAMETER)?;
    let backward = r.flags & 0x01 != 0;
    let (o, bm) = if r.origin == BookmarkOrigin::CUSTOM {
        (Origin::Beginning, Some(r.bookmark.as_slice()))
    } else {
        (origin(r.origin)?, None)
    };
    let rows = t.rows.clone();
    let lookup = |id: u64| rows.get_row(id);
    let found = t.view.find_row(restriction, o, bm, backward, lookup).map_err(|e| e.error_code())?;
    let id = found.row.ok_or(ErrorCode::NOT_FOUND)?;
    let row = t.row(id).map(|b| property_row(b, &columns));
    Ok(FindRowSuccess { row_no_longer_visible: found.row_no_longer_visible, row, columns })
}

/// RopResetTable ([MS-OXCTABL] 3.2.5.15): columns, restriction, sort and
/// cursor back to their initial state.
pub(crate) fn reset(ctx: &mut Ctx<'_>, index: u8) -> Result<(), ErrorCode> {
    let t = table_mut(ctx, index)?;
    t.columns = None;
    t.restriction = None;
    t.sort = None;
    t.view = TableView::default();
    t.ordered = false;
    t.loaded = false;
    refresh(ctx, index)
}

/// RopGetStatus ([MS-OXCTABL] 3.2.5.6): always TBLSTAT_COMPLETE (every
/// operation is synchronous).
pub(crate) fn status(ctx: &mut Ctx<'_>, index: u8) -> Result<TableStatusSuccess, ErrorCode> {
    table_mut(ctx, index)?;
    Ok(complete())
}
