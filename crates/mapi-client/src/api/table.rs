//! [MS-OXCTABL] tables: one-shot listings (OpenFolder, GetContentsTable/GetHierarchyTable,
//! SetColumns, SortTable/Restrict, QueryRows and Release in one Execute, captures
//! 008–013) and [`TableCursor`]s that page with large RopQueryRows, seek, bookmark and
//! find, and re-open themselves after a lost context.

use mapi_wire::ids::FolderId;
use mapi_wire::prop_value::PropertyRow;
use mapi_wire::restriction::Restriction;
use mapi_wire::rop::{
    AsyncFlags, BookmarkOrigin, CreateBookmarkRequest, FindRowRequest, FolderOpenModeFlags, FreeBookmarkRequest,
    GetContentsTableRequest, GetHierarchyTableRequest, OpenFolderRequest, QueryRowsFlags, QueryRowsRequest,
    ReleaseRequest, RestrictRequest, RopId, RopRequest, RopResponse, SeekRowBookmarkRequest, SeekRowRequest,
    SetColumnsRequest, SortTableRequest, TableFlags,
};
use mapi_wire::sort::SortOrderSet;
use mapi_wire::{ErrorCode, PropTag};

use super::exec::{Answers, check};
use super::store::{Mailbox, Repeat};
use super::{Error, Result};

/// Which table of a folder ([MS-OXCROPS] 2.2.4.13–2.2.4.14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// RopGetContentsTable; `associated` = the folder-associated (FAI) contents.
    Contents {
        /// TableFlags Associated.
        associated: bool,
    },
    /// RopGetHierarchyTable; `depth` = every descendant, flat (corrections B11).
    Hierarchy {
        /// TableFlags Depth.
        depth: bool,
    },
}

/// What to read from a table ([MS-OXCTABL] 2.2.2: columns, sort, restriction).
#[derive(Clone, Debug, PartialEq)]
pub struct TableSpec {
    /// The folder.
    pub folder: FolderId,
    /// Contents or hierarchy.
    pub kind: TableKind,
    /// RopSetColumns (typed tags only, corrections A17).
    pub columns: Vec<PropTag>,
    /// RopSortTable, if any.
    pub sort: Option<SortOrderSet>,
    /// RopRestrict, if any.
    pub restriction: Option<Restriction>,
}

impl TableSpec {
    /// The contents table of `folder` with `columns`.
    pub fn contents(folder: FolderId, columns: Vec<PropTag>) -> Self {
        Self { folder, kind: TableKind::Contents { associated: false }, columns, sort: None, restriction: None }
    }

    /// The hierarchy table of `folder` with `columns` (`depth`: all descendants).
    pub fn hierarchy(folder: FolderId, columns: Vec<PropTag>, depth: bool) -> Self {
        Self { folder, kind: TableKind::Hierarchy { depth }, columns, sort: None, restriction: None }
    }

    /// Adds a sort order.
    pub fn sorted(mut self, sort: SortOrderSet) -> Self {
        self.sort = Some(sort);
        self
    }

    /// Adds a restriction.
    pub fn restricted(mut self, restriction: Restriction) -> Self {
        self.restriction = Some(restriction);
        self
    }

    /// The ROPs that open the folder into `folder_slot` (from the logon in slot 0) and
    /// the table into `table_slot` and set it up.
    pub(crate) fn open_rops(&self, folder_slot: u8, table_slot: u8) -> Vec<RopRequest> {
        let mut rops = vec![RopRequest::OpenFolder(OpenFolderRequest {
            logon_id: 0,
            input_handle_index: 0,
            output_handle_index: folder_slot,
            folder_id: self.folder,
            open_mode_flags: FolderOpenModeFlags::NONE,
        })];
        rops.push(match self.kind {
            TableKind::Contents { associated } => RopRequest::GetContentsTable(GetContentsTableRequest {
                logon_id: 0,
                input_handle_index: folder_slot,
                output_handle_index: table_slot,
                table_flags: if associated {
                    TableFlags(TableFlags::USE_UNICODE.0 | TableFlags::ASSOCIATED.0)
                } else {
                    TableFlags::USE_UNICODE
                },
            }),
            TableKind::Hierarchy { depth } => RopRequest::GetHierarchyTable(GetHierarchyTableRequest {
                logon_id: 0,
                input_handle_index: folder_slot,
                output_handle_index: table_slot,
                table_flags: if depth {
                    TableFlags(TableFlags::USE_UNICODE.0 | TableFlags::DEPTH.0)
                } else {
                    TableFlags::USE_UNICODE
                },
            }),
        });
        rops.push(RopRequest::SetColumns(SetColumnsRequest {
            logon_id: 0,
            input_handle_index: table_slot,
            flags: AsyncFlags::SYNC,
            columns: self.columns.clone(),
        }));
        if let Some(sort) = &self.sort {
            rops.push(RopRequest::SortTable(SortTableRequest {
                logon_id: 0,
                input_handle_index: table_slot,
                flags: AsyncFlags::SYNC,
                sort_order_set: sort.clone(),
            }));
        }
        if let Some(r) = &self.restriction {
            rops.push(RopRequest::Restrict(RestrictRequest {
                logon_id: 0,
                input_handle_index: table_slot,
                flags: AsyncFlags::SYNC,
                restriction: Some(r.clone()),
            }));
        }
        rops
    }
}

/// Rows read from a table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    /// The columns of every row.
    pub columns: Vec<PropTag>,
    /// The rows (standard or flagged, [MS-OXCDATA] 2.8).
    pub rows: Vec<PropertyRow>,
    /// The row count RopGetContentsTable/RopGetHierarchyTable reported.
    pub total: u32,
    /// True when the cursor reached the end of the table (QueryRows Origin END, or no rows).
    pub at_end: bool,
}

fn query_rows(slot: u8, count: u16) -> RopRequest {
    RopRequest::QueryRows(QueryRowsRequest {
        logon_id: 0,
        input_handle_index: slot,
        flags: QueryRowsFlags::ADVANCE,
        forward_read: true,
        row_count: count,
    })
}

fn release(slot: u8) -> RopRequest {
    RopRequest::Release(ReleaseRequest { logon_id: 0, input_handle_index: slot })
}

/// Collects the rows of the QueryRows answer at `i` and its chained repetitions.
fn take_rows(a: &Answers, i: usize, out: &mut Rows) -> Result<usize> {
    let mut got = 0;
    let mut at_end = false;
    let first = a.at(i)?;
    for r in std::iter::once(first).chain(a.chained.iter()) {
        match r {
            RopResponse::QueryRows(q) => match &q.success {
                Some(s) => {
                    got += s.rows.len();
                    at_end = s.origin == BookmarkOrigin::END || s.rows.is_empty();
                    out.rows.extend(s.rows.iter().cloned());
                }
                None => return Err(Error::Rop { rop: RopId::QUERY_ROWS, code: q.return_value }),
            },
            other => return Err(Error::Protocol(format!("expected RopQueryRows, got {}", other.id()))),
        }
    }
    out.at_end = at_end;
    Ok(got)
}

fn table_total(r: &RopResponse) -> Result<u32> {
    check(r)?;
    match r {
        RopResponse::GetContentsTable(t) => Ok(t.success.as_ref().map_or(0, |s| s.row_count)),
        RopResponse::GetHierarchyTable(t) => Ok(t.success.as_ref().map_or(0, |s| s.row_count)),
        other => Err(Error::Protocol(format!("expected a table, got {}", other.id()))),
    }
}

impl Mailbox {
    /// Reads at most `max_rows` rows of a table in **one** Execute: OpenFolder, Get…Table,
    /// SetColumns, [SortTable], [Restrict], QueryRows, Release ×2 (captures 008–013,
    /// 021). The server may return fewer rows than asked (`at_end` then says false).
    pub async fn query(&self, spec: &TableSpec, max_rows: u16) -> Result<Rows> {
        let a = self
            .run(Repeat::Idempotent, 3, |_| {
                let mut rops = spec.open_rops(1, 2);
                rops.push(query_rows(2, max_rows));
                rops.push(release(2));
                rops.push(release(1));
                rops
            })
            .await?;
        let mut out = Rows { columns: spec.columns.clone(), ..Rows::default() };
        check(a.at(0)?)?;
        out.total = table_total(a.at(1)?)?;
        let n = spec.open_rops(1, 2).len();
        for i in 2..n {
            check(a.at(i)?)?;
        }
        take_rows(&a, n, &mut out)?;
        Ok(out)
    }

    /// Reads every row of a table: the first page comes with the set-up ROPs, then one
    /// RopQueryRows per Execute (chained output when [`super::MailboxOptions::chain_tables`]),
    /// until the end. The handles are released with the next Execute.
    pub async fn query_all(&self, spec: &TableSpec) -> Result<Rows> {
        let mut cursor = self.open_table(spec.clone()).await?;
        let mut out = std::mem::take(&mut cursor.first);
        while !out.at_end {
            let page = cursor.next_page().await?;
            if page.rows.is_empty() {
                out.at_end = true;
                break;
            }
            out.at_end = page.at_end;
            out.rows.extend(page.rows);
        }
        cursor.close().await;
        Ok(out)
    }

    /// Opens a table and reads its first page in the same Execute; the cursor keeps the
    /// folder and table handles.
    pub async fn open_table(&self, spec: TableSpec) -> Result<TableCursor<'_>> {
        let mut c = TableCursor {
            mailbox: self,
            spec,
            folder_handle: 0,
            table_handle: 0,
            generation: 0,
            position: 0,
            first: Rows::default(),
            closed: false,
        };
        let first = c.reopen(true).await?;
        c.first = first;
        Ok(c)
    }
}

/// An open table ([MS-OXCTABL]): pages forward with RopQueryRows, seeks, bookmarks and
/// finds. If the session context is lost it re-opens the table (same spec) and seeks
/// back to the row it was at, so reads continue where they were.
pub struct TableCursor<'m> {
    mailbox: &'m Mailbox,
    spec: TableSpec,
    folder_handle: u32,
    table_handle: u32,
    generation: u64,
    /// Rows read or skipped from the beginning (for re-opening).
    position: u32,
    /// The rows read with the set-up ROPs.
    pub first: Rows,
    closed: bool,
}

impl std::fmt::Debug for TableCursor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableCursor").field("spec", &self.spec).field("position", &self.position).finish()
    }
}

impl TableCursor<'_> {
    /// Opens the table (and, with `read`, reads a first page), seeking to `position`.
    async fn reopen(&mut self, read: bool) -> Result<Rows> {
        let page = self.mailbox.options.page_rows;
        let position = self.position;
        let spec = &self.spec;
        let a = self
            .mailbox
            .run_with(Repeat::Idempotent, 3, read, |_| {
                let mut rops = spec.open_rops(1, 2);
                if position > 0 {
                    rops.push(RopRequest::SeekRow(SeekRowRequest {
                        logon_id: 0,
                        input_handle_index: 2,
                        origin: BookmarkOrigin::BEGINNING,
                        row_count: i32::try_from(position).unwrap_or(i32::MAX),
                        want_row_moved_count: false,
                    }));
                }
                if read {
                    rops.push(query_rows(2, page));
                }
                rops
            })
            .await?;
        check(a.at(0)?)?;
        let mut out = Rows { columns: self.spec.columns.clone(), ..Rows::default() };
        out.total = table_total(a.at(1)?)?;
        let n = self.spec.open_rops(1, 2).len() + usize::from(position > 0);
        for i in 2..n {
            check(a.at(i)?)?;
        }
        self.folder_handle = a.handle(1)?;
        self.table_handle = a.handle(2)?;
        self.generation = a.generation;
        if read {
            let got = take_rows(&a, n, &mut out)?;
            self.position = self.position.saturating_add(u32::try_from(got).unwrap_or(u32::MAX));
        }
        Ok(out)
    }

    /// The next rows (as many as the server fits; chained output when configured).
    pub async fn next_page(&mut self) -> Result<Rows> {
        let chain = self.mailbox.options.chain_tables;
        let page = self.mailbox.options.page_rows;
        let a = self.on_table_slot(chain, |s| vec![query_rows(s, page)]).await?;
        let mut out = Rows { columns: self.spec.columns.clone(), total: self.first.total, ..Rows::default() };
        match take_rows(&a, 0, &mut out) {
            Ok(got) => {
                self.position = self.position.saturating_add(u32::try_from(got).unwrap_or(u32::MAX));
                Ok(out)
            }
            // A row too large for MaxRopOut (corrections A14): ask for one row at a time.
            Err(Error::Rop { code: ErrorCode(0x47D), .. }) if page > 1 => {
                let a = self.on_table_slot(false, |s| vec![query_rows(s, 1)]).await?;
                let got = take_rows(&a, 0, &mut out)?;
                self.position = self.position.saturating_add(u32::try_from(got).unwrap_or(u32::MAX));
                Ok(out)
            }
            Err(e) => Err(e),
        }
    }

    /// Runs ROPs built for the table's slot (1).
    async fn on_table_slot(&mut self, chain: bool, build: impl Fn(u8) -> Vec<RopRequest>) -> Result<Answers> {
        // Slot 1 carries the table handle: the gate fills slot 0 with the logon.
        let rops = build(1);
        self.with_table_handle(chain, rops).await
    }

    async fn with_table_handle(&mut self, chain: bool, rops: Vec<RopRequest>) -> Result<Answers> {
        if self.closed {
            return Err(Error::Protocol("table cursor is closed".into()));
        }
        for _ in 0..3 {
            if self.mailbox.exec.session.generation().await != self.generation {
                self.reopen(false).await?;
            }
            let handle = self.table_handle;
            let generation = self.generation;
            let a = self.mailbox.run_handles(chain, &[handle], rops.clone()).await;
            match a {
                Ok(a) if a.generation == generation => return Ok(a),
                Ok(_) | Err(Error::Transport(crate::Error::Reconnected { .. })) => {
                    self.reopen(false).await?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(Error::Protocol("context kept being lost".into()))
    }

    /// [MS-OXCROPS] 2.2.5.8 RopSeekRow from `origin` by `rows`; returns the rows moved.
    pub async fn seek(&mut self, origin: BookmarkOrigin, rows: i32) -> Result<i32> {
        let a = self
            .on_table_slot(false, |s| {
                vec![RopRequest::SeekRow(SeekRowRequest {
                    logon_id: 0,
                    input_handle_index: s,
                    origin,
                    row_count: rows,
                    want_row_moved_count: true,
                })]
            })
            .await?;
        match a.at(0)? {
            RopResponse::SeekRow(r) => {
                let s = r.success.as_ref().ok_or(Error::Rop { rop: RopId::SEEK_ROW, code: r.return_value })?;
                let base = match origin {
                    BookmarkOrigin::BEGINNING => 0,
                    BookmarkOrigin::END => self.first.total,
                    _ => self.position,
                };
                self.position = base.saturating_add_signed(s.rows_sought);
                Ok(s.rows_sought)
            }
            other => Err(Error::Protocol(format!("expected RopSeekRow, got {}", other.id()))),
        }
    }

    /// [MS-OXCROPS] 2.2.5.11 RopCreateBookmark at the current row.
    pub async fn bookmark(&mut self) -> Result<Vec<u8>> {
        let a = self
            .on_table_slot(false, |s| {
                vec![RopRequest::CreateBookmark(CreateBookmarkRequest { logon_id: 0, input_handle_index: s })]
            })
            .await?;
        match a.at(0)? {
            RopResponse::CreateBookmark(r) => r
                .success
                .as_ref()
                .map(|s| s.bookmark.clone())
                .ok_or(Error::Rop { rop: RopId::CREATE_BOOKMARK, code: r.return_value }),
            other => Err(Error::Protocol(format!("expected RopCreateBookmark, got {}", other.id()))),
        }
    }

    /// [MS-OXCROPS] 2.2.5.9 RopSeekRowBookmark: moves to `bookmark` + `rows`.
    pub async fn seek_bookmark(&mut self, bookmark: &[u8], rows: i32) -> Result<()> {
        let bm = bookmark.to_vec();
        let a = self
            .on_table_slot(false, |s| {
                vec![RopRequest::SeekRowBookmark(SeekRowBookmarkRequest {
                    logon_id: 0,
                    input_handle_index: s,
                    bookmark: bm.clone(),
                    row_count: rows,
                    want_row_moved_count: true,
                })]
            })
            .await?;
        check(a.at(0)?)
    }

    /// [MS-OXCROPS] 2.2.5.14 RopFreeBookmark.
    pub async fn free_bookmark(&mut self, bookmark: &[u8]) -> Result<()> {
        let bm = bookmark.to_vec();
        let a = self
            .on_table_slot(false, |s| {
                vec![RopRequest::FreeBookmark(FreeBookmarkRequest {
                    logon_id: 0,
                    input_handle_index: s,
                    bookmark: bm.clone(),
                })]
            })
            .await?;
        check(a.at(0)?)
    }

    /// [MS-OXCROPS] 2.2.5.13 RopFindRow: the first row from the current position
    /// (forward) that matches `restriction`, or None.
    pub async fn find(&mut self, restriction: &Restriction) -> Result<Option<PropertyRow>> {
        let r = restriction.clone();
        let a = self
            .on_table_slot(false, |s| {
                vec![RopRequest::FindRow(FindRowRequest {
                    logon_id: 0,
                    input_handle_index: s,
                    flags: 0,
                    restriction: Some(r.clone()),
                    origin: BookmarkOrigin::CURRENT,
                    bookmark: Vec::new(),
                })]
            })
            .await?;
        match a.at(0)? {
            RopResponse::FindRow(f) if f.return_value == ErrorCode::NOT_FOUND => Ok(None),
            RopResponse::FindRow(f) => match &f.success {
                Some(s) => Ok(s.row.clone()),
                None => Err(Error::Rop { rop: RopId::FIND_ROW, code: f.return_value }),
            },
            other => Err(Error::Protocol(format!("expected RopFindRow, got {}", other.id()))),
        }
    }

    /// Releases the table and folder (with the next Execute of the mailbox).
    pub async fn close(mut self) {
        self.closed = true;
        let mut inner = self.mailbox.inner.lock().await;
        if inner.generation == self.generation {
            inner.pending_release.push(self.table_handle);
            inner.pending_release.push(self.folder_handle);
        }
    }
}
