//! A table view: the ordered row ids of a contents, hierarchy, recipient,
//! attachment or permission table with its cursor and bookmarks, as
//! [MS-OXCTABL] 3.2.5 describes them. The ROP layer keeps one per table
//! handle and asks the store for the columns of the ids it returns.
//!
//! Choices where the spec leaves room:
//! * a backward RopQueryRows returns the rows nearest the cursor first (the
//!   row just before the cursor first), as gromox does;
//! * the QueryRows Origin is END after a forward read that reached the end,
//!   BEGINNING after a backward read that reached the start, otherwise
//!   CURRENT (corrections B11);
//! * bookmarks are 4-byte opaque values naming a row id; if that row left
//!   the table, SeekRowBookmark answers RowNoLongerVisible and seeks from
//!   the position the row had.

use std::collections::HashMap;

use mapi_wire::prop_value::PropValue;
use mapi_wire::restriction::Restriction;
use mapi_wire::sort::SortOrderSet;
use mapi_wire::{PropTag, PropType};

use super::eval::{PropLookup, RowFilter};
use super::sort::compare_rows;

/// A table position origin ([MS-OXCTABL] 2.2.2.1.1 BOOKMARK_BEGINNING 0,
/// BOOKMARK_CURRENT 1, BOOKMARK_END 2).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Origin {
    /// BOOKMARK_BEGINNING.
    Beginning,
    /// BOOKMARK_CURRENT.
    Current,
    /// BOOKMARK_END.
    End,
}

impl Origin {
    /// From the wire byte (None for others, e.g. a custom bookmark).
    pub fn from_byte(b: u8) -> Option<Self> {
        match b {
            0 => Some(Self::Beginning),
            1 => Some(Self::Current),
            2 => Some(Self::End),
            _ => None,
        }
    }

    /// The wire byte.
    pub fn to_byte(self) -> u8 {
        match self {
            Self::Beginning => 0,
            Self::Current => 1,
            Self::End => 2,
        }
    }
}

/// What a seek did (RopSeekRow / RopSeekRowBookmark response fields).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SeekResult {
    /// HasSoughtLess: the cursor moved fewer rows than asked.
    pub sought_less: bool,
    /// RowsSought: rows actually moved (signed).
    pub rows_sought: i32,
    /// RowNoLongerVisible (bookmark seeks only).
    pub row_no_longer_visible: bool,
}

/// What RopFindRow found ([MS-OXCTABL] 2.2.2.16 response fields).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct FindResult {
    /// The matching row (HasRowData), now under the cursor.
    pub row: Option<u64>,
    /// RowNoLongerVisible: the bookmark's row had left the table.
    pub row_no_longer_visible: bool,
}

/// One row of a table with a multi-value-instance column
/// ([MS-OXCTABL] 2.2.2.1.3 / [MS-OXCDATA] 2.11.1.2): the underlying row,
/// and one value of the exploded column (None for a row without it).
#[derive(Clone, Debug)]
pub struct InstanceRow<'a, R> {
    /// The underlying row.
    pub row: &'a R,
    /// Its id (MID/FID).
    pub id: u64,
    /// 0-based index of the value within the multi-valued property.
    pub instance: u32,
    /// The single value the exploded column shows in this row.
    pub value: Option<PropValue>,
    column: u16,
}

impl<R: PropLookup> PropLookup for InstanceRow<'_, R> {
    fn prop(&self, tag: PropTag) -> Option<std::borrow::Cow<'_, PropValue>> {
        if tag.id() == self.column {
            return self.value.as_ref().map(std::borrow::Cow::Borrowed);
        }
        self.row.prop(tag)
    }

    fn recipients(&self) -> Vec<&dyn PropLookup> {
        self.row.recipients()
    }

    fn attachments(&self) -> Vec<&dyn PropLookup> {
        self.row.attachments()
    }
}

/// Explodes a multi-valued column (tag with the 0x2000 instance bit, or
/// its plain MV tag) into one row per value; rows without the property
/// stay as one row with no value. Build the [`TableView`] over the result
/// with the index in the returned vector as row id.
pub fn explode_mv_column<'a, R: PropLookup>(
    rows: &'a [R],
    id: impl Fn(&R) -> u64,
    column: PropTag,
) -> Vec<InstanceRow<'a, R>> {
    let mut out = Vec::new();
    for r in rows {
        let values = r.prop(column.with_type(PropType::UNSPECIFIED)).map(|v| split_mv(&v)).unwrap_or_default();
        if values.is_empty() {
            out.push(InstanceRow { row: r, id: id(r), instance: 0, value: None, column: column.id() });
        }
        for (i, v) in values.into_iter().enumerate() {
            out.push(InstanceRow { row: r, id: id(r), instance: i as u32, value: Some(v), column: column.id() });
        }
    }
    out
}

/// The single values of a multi-valued value (a single value stays one).
fn split_mv(v: &PropValue) -> Vec<PropValue> {
    use PropValue as P;
    match v {
        P::MvI16(x) => x.iter().map(|v| P::I16(*v)).collect(),
        P::MvI32(x) => x.iter().map(|v| P::I32(*v)).collect(),
        P::MvF32(x) => x.iter().map(|v| P::F32(*v)).collect(),
        P::MvF64(x) => x.iter().map(|v| P::F64(*v)).collect(),
        P::MvCurrency(x) => x.iter().map(|v| P::Currency(*v)).collect(),
        P::MvFloatingTime(x) => x.iter().map(|v| P::FloatingTime(*v)).collect(),
        P::MvI64(x) => x.iter().map(|v| P::I64(*v)).collect(),
        P::MvString8(x) => x.iter().map(|v| P::String8(v.clone())).collect(),
        P::MvString(x) => x.iter().map(|v| P::String(v.clone())).collect(),
        P::MvTime(x) => x.iter().map(|v| P::Time(*v)).collect(),
        P::MvGuid(x) => x.iter().map(|v| P::Guid(*v)).collect(),
        P::MvBinary(x) => x.iter().map(|v| P::Binary(v.clone())).collect(),
        other => vec![other.clone()],
    }
}

/// Table errors.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum TableError {
    /// The bookmark is unknown or was freed (ecInvalidBookmark).
    #[error("invalid bookmark")]
    InvalidBookmark,
}

impl TableError {
    /// The MAPI error code.
    pub fn error_code(&self) -> mapi_wire::ErrorCode {
        mapi_wire::ErrorCode::INVALID_BOOKMARK
    }
}

/// The ordered rows of a table with a cursor and bookmarks.
#[derive(Clone, Debug, Default)]
pub struct TableView {
    ids: Vec<u64>,
    position: usize,
    bookmarks: HashMap<u32, (u64, usize)>,
    next_bookmark: u32,
}

impl TableView {
    /// A view over `rows` (id, properties): rows failing `restriction` are
    /// dropped, the rest sorted by `sort` (stable, so give rows in their
    /// natural order). The cursor is at the beginning.
    pub fn new<L: PropLookup>(
        rows: &[(u64, L)],
        restriction: Option<&Restriction>,
        sort: Option<&SortOrderSet>,
    ) -> Self {
        Self::from_rows(rows, |r| r.0, restriction, sort)
    }

    /// Like [`TableView::new`] for any row type, e.g. the
    /// [`MessageRow`](super::MessageRow)s of [`Mailbox::contents`](super::Mailbox::contents)
    /// with `|r| r.id.0`, or [`FolderRow`](super::FolderRow)s.
    pub fn from_rows<R: PropLookup>(
        rows: &[R],
        id: impl Fn(&R) -> u64,
        restriction: Option<&Restriction>,
        sort: Option<&SortOrderSet>,
    ) -> Self {
        Self::from_ids(Self::order(rows, id, restriction, sort))
    }

    /// A view over ids already filtered and ordered.
    pub fn from_ids(ids: Vec<u64>) -> Self {
        Self { ids, position: 0, bookmarks: HashMap::new(), next_bookmark: 1 }
    }

    fn order<R: PropLookup>(
        rows: &[R],
        id: impl Fn(&R) -> u64,
        restriction: Option<&Restriction>,
        sort: Option<&SortOrderSet>,
    ) -> Vec<u64> {
        let mut kept: Vec<&R> = match restriction {
            Some(r) => {
                let mut f = RowFilter::new(r);
                rows.iter().filter(|p| f.accept(*p)).collect()
            }
            None => rows.iter().collect(),
        };
        if let Some(s) = sort {
            kept.sort_by(|a, b| compare_rows(*a, *b, s));
        }
        kept.into_iter().map(id).collect()
    }

    /// Rebuilds the rows (after RopRestrict/RopSortTable or a store change),
    /// keeping the cursor on the same row when it is still there (else at
    /// the same index, clamped). Bookmarks survive.
    pub fn refresh<L: PropLookup>(
        &mut self,
        rows: &[(u64, L)],
        restriction: Option<&Restriction>,
        sort: Option<&SortOrderSet>,
    ) {
        self.refresh_rows(rows, |r| r.0, restriction, sort);
    }

    /// [`TableView::refresh`] for any row type.
    pub fn refresh_rows<R: PropLookup>(
        &mut self,
        rows: &[R],
        id: impl Fn(&R) -> u64,
        restriction: Option<&Restriction>,
        sort: Option<&SortOrderSet>,
    ) {
        let current = self.ids.get(self.position).copied();
        self.ids = Self::order(rows, id, restriction, sort);
        self.position = match current.and_then(|c| self.ids.iter().position(|i| *i == c)) {
            Some(p) => p,
            None => self.position.min(self.ids.len()),
        };
    }

    /// The row ids in table order.
    pub fn ids(&self) -> &[u64] {
        &self.ids
    }

    /// Number of rows (RopGetRowCount... RowCount of RopQueryPosition).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True if the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The cursor: index of the next row a forward read returns.
    pub fn position(&self) -> usize {
        self.position
    }

    /// RopQueryPosition ([MS-OXCTABL] 2.2.2.7): (Numerator, Denominator) =
    /// (cursor index, row count).
    pub fn query_position(&self) -> (u32, u32) {
        (self.position as u32, self.ids.len() as u32)
    }

    /// RopQueryRows ([MS-OXCTABL] 2.2.2.5): up to `count` ids from the
    /// cursor, forward or backward; the cursor moves past them unless
    /// `no_advance`. Returns the ids and the Origin for the response.
    pub fn query_rows(&mut self, count: usize, forward: bool, no_advance: bool) -> (Vec<u64>, Origin) {
        let (out, new_pos) = if forward {
            let end = self.position.saturating_add(count).min(self.ids.len());
            (self.ids.get(self.position..end).unwrap_or_default().to_vec(), end)
        } else {
            let start = self.position.saturating_sub(count);
            let mut v = self.ids.get(start..self.position).unwrap_or_default().to_vec();
            v.reverse();
            (v, start)
        };
        let origin = if forward && new_pos >= self.ids.len() {
            Origin::End
        } else if !forward && new_pos == 0 {
            Origin::Beginning
        } else {
            Origin::Current
        };
        if !no_advance {
            self.position = new_pos;
        }
        (out, origin)
    }

    fn origin_index(&self, origin: Origin) -> usize {
        match origin {
            Origin::Beginning => 0,
            Origin::Current => self.position,
            Origin::End => self.ids.len(),
        }
    }

    fn seek_from(&mut self, base: usize, offset: i32) -> SeekResult {
        let target = base as i64 + i64::from(offset);
        let clamped = target.clamp(0, self.ids.len() as i64);
        self.position = clamped as usize;
        SeekResult {
            sought_less: clamped != target,
            rows_sought: (clamped - base as i64) as i32,
            row_no_longer_visible: false,
        }
    }

    /// RopSeekRow ([MS-OXCTABL] 2.2.2.8): moves the cursor `offset` rows from
    /// `origin`, clamped to the table.
    pub fn seek(&mut self, origin: Origin, offset: i32) -> SeekResult {
        let base = self.origin_index(origin);
        self.seek_from(base, offset)
    }

    /// RopSeekRowFractional ([MS-OXCTABL] 2.2.2.10).
    pub fn seek_fraction(&mut self, numerator: u32, denominator: u32) {
        self.position = if denominator == 0 {
            0
        } else {
            ((u64::from(numerator) * self.ids.len() as u64) / u64::from(denominator)).min(self.ids.len() as u64)
                as usize
        };
    }

    /// RopCreateBookmark ([MS-OXCTABL] 2.2.2.11): a bookmark on the cursor.
    pub fn create_bookmark(&mut self) -> Vec<u8> {
        let b = self.next_bookmark;
        self.next_bookmark = self.next_bookmark.wrapping_add(1).max(1);
        let id = self.ids.get(self.position).copied().unwrap_or(u64::MAX);
        self.bookmarks.insert(b, (id, self.position));
        b.to_le_bytes().to_vec()
    }

    fn bookmark(&self, bm: &[u8]) -> Result<(u32, (u64, usize)), TableError> {
        let k = u32::from_le_bytes(bm.try_into().map_err(|_| TableError::InvalidBookmark)?);
        let v = self.bookmarks.get(&k).ok_or(TableError::InvalidBookmark)?;
        Ok((k, *v))
    }

    /// RopSeekRowBookmark ([MS-OXCTABL] 2.2.2.9).
    pub fn seek_bookmark(&mut self, bm: &[u8], offset: i32) -> Result<SeekResult, TableError> {
        let (_, (id, pos)) = self.bookmark(bm)?;
        let found = if id == u64::MAX { Some(self.ids.len()) } else { self.ids.iter().position(|i| *i == id) };
        let base = found.unwrap_or(pos.min(self.ids.len()));
        let mut r = self.seek_from(base, offset);
        r.row_no_longer_visible = found.is_none();
        Ok(r)
    }

    /// RopFreeBookmark ([MS-OXCTABL] 2.2.2.14).
    pub fn free_bookmark(&mut self, bm: &[u8]) -> Result<(), TableError> {
        let (k, _) = self.bookmark(bm)?;
        self.bookmarks.remove(&k);
        Ok(())
    }

    /// RopFindRow ([MS-OXCTABL] 2.2.2.16): from `origin` (or the bookmark
    /// `bm`), searches forward (or `backward`) for the first row satisfying
    /// `restriction`; `lookup` gives a row's properties. On success the
    /// cursor moves to that row and its id is returned; on failure the
    /// cursor stays and `row` is None (ecNotFound for the ROP).
    /// A backward search starts at the row before the origin. With a
    /// bookmark whose row left the table, `row_no_longer_visible` is set and
    /// the search starts where the row was.
    pub fn find_row<'a, L: PropLookup + 'a>(
        &mut self,
        restriction: &Restriction,
        origin: Origin,
        bm: Option<&[u8]>,
        backward: bool,
        lookup: impl Fn(u64) -> Option<&'a L>,
    ) -> Result<FindResult, TableError> {
        let mut gone = false;
        let start = match bm {
            Some(b) => {
                let (_, (id, pos)) = self.bookmark(b)?;
                let found = if id == u64::MAX { Some(self.ids.len()) } else { self.ids.iter().position(|i| *i == id) };
                gone = found.is_none();
                found.unwrap_or(pos.min(self.ids.len()))
            }
            None => self.origin_index(origin),
        };
        let mut f = RowFilter::new(restriction);
        let candidates: Vec<usize> =
            if backward { (0..start.min(self.ids.len())).rev().collect() } else { (start..self.ids.len()).collect() };
        for i in candidates {
            let Some(id) = self.ids.get(i).copied() else { continue };
            if lookup(id).is_some_and(|p| f.accept(p)) {
                self.position = i;
                return Ok(FindResult { row: Some(id), row_no_longer_visible: gone });
            }
        }
        Ok(FindResult { row: None, row_no_longer_visible: gone })
    }
}

#[cfg(test)]
mod tests;
