//! Sorting and table cursor semantics ([MS-OXCTABL] 3.2.5).

use mapi_wire::PropTag;
use mapi_wire::prop_value::TaggedValue;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::restriction::{RelOp, Restriction};
use mapi_wire::sort::{SortDirection, SortOrder, SortOrderSet};

use super::*;
use crate::store::props::PropBag;
use crate::store::sort::sort_rows;

fn row(id: u64, subject: Option<&str>, time: u64, imp: i32) -> (u64, PropBag) {
    let mut b = PropBag::from_pairs([
        (PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(FileTime(time))),
        (PropTag::IMPORTANCE, PropValue::I32(imp)),
    ]);
    if let Some(s) = subject {
        b.set(PropTag::SUBJECT, PropValue::String(s.into()));
    }
    (id, b)
}

fn rows() -> Vec<(u64, PropBag)> {
    vec![
        row(1, Some("banana"), 30, 1),
        row(2, Some("Apple"), 10, 2),
        row(3, None, 20, 1),
        row(4, Some("cherry"), 50, 0),
        row(5, Some("apple"), 40, 1),
    ]
}

fn order(tag: PropTag, desc: bool) -> SortOrder {
    SortOrder { tag, order: if desc { SortDirection::DESCENDING } else { SortDirection::ASCENDING } }
}

#[test]
fn sort_case_insensitive_stable_missing_first() {
    let t = TableView::new(&rows(), None, Some(&SortOrderSet::new(vec![order(PropTag::SUBJECT, false)])));
    assert_eq!(t.ids(), [3, 2, 5, 1, 4], "missing first, Apple/apple tie keeps input order");
    let t = TableView::new(&rows(), None, Some(&SortOrderSet::new(vec![order(PropTag::SUBJECT, true)])));
    assert_eq!(t.ids(), [4, 1, 2, 5, 3], "descending: missing last, ties stable");
}

#[test]
fn sort_multi_column() {
    let s = SortOrderSet::new(vec![order(PropTag::IMPORTANCE, true), order(PropTag::MESSAGE_DELIVERY_TIME, false)]);
    let t = TableView::new(&rows(), None, Some(&s));
    assert_eq!(t.ids(), [2, 3, 1, 5, 4]);
    let mut v = rows();
    sort_rows(&mut v, &SortOrderSet::new(vec![order(PropTag::MESSAGE_DELIVERY_TIME, true)]), |r| &r.1);
    assert_eq!(v.iter().map(|r| r.0).collect::<Vec<_>>(), [4, 5, 1, 3, 2]);
    // Categorized sets sort like plain ones (no header rows).
    let cat = SortOrderSet { categorized: 1, expanded: 1, orders: s.orders.clone() };
    assert_eq!(TableView::new(&rows(), None, Some(&cat)).ids(), [2, 3, 1, 5, 4]);
}

#[test]
fn restrict_then_sort() {
    let r = Restriction::Property {
        op: RelOp::EQ,
        tag: PropTag::IMPORTANCE,
        value: TaggedValue { tag: PropTag::IMPORTANCE, value: PropValue::I32(1) },
    };
    let t =
        TableView::new(&rows(), Some(&r), Some(&SortOrderSet::new(vec![order(PropTag::MESSAGE_DELIVERY_TIME, true)])));
    assert_eq!(t.ids(), [5, 1, 3]);
    assert_eq!(t.len(), 3);
    let t = TableView::new(&rows(), Some(&r), None);
    assert_eq!(t.ids(), [1, 3, 5]);
}

#[test]
fn query_rows_forward_backward_and_origin() {
    let mut t = TableView::from_ids(vec![10, 20, 30, 40, 50]);
    assert_eq!(t.query_rows(2, true, false), (vec![10, 20], Origin::Current));
    assert_eq!(t.query_position(), (2, 5));
    assert_eq!(t.query_rows(2, true, true), (vec![30, 40], Origin::Current));
    assert_eq!(t.position(), 2, "NoAdvance keeps the cursor");
    assert_eq!(t.query_rows(10, true, false), (vec![30, 40, 50], Origin::End));
    assert_eq!(t.query_rows(10, true, false), (vec![], Origin::End));
    assert_eq!(t.query_rows(2, false, false), (vec![50, 40], Origin::Current));
    assert_eq!(t.query_position(), (3, 5));
    assert_eq!(t.query_rows(10, false, false), (vec![30, 20, 10], Origin::Beginning));
    assert_eq!(t.position(), 0);
    let mut empty = TableView::from_ids(vec![]);
    assert_eq!(empty.query_rows(5, true, false), (vec![], Origin::End));
    assert!(empty.is_empty());
}

#[test]
fn seek_row_clamps_and_reports() {
    let mut t = TableView::from_ids(vec![1, 2, 3, 4, 5]);
    assert_eq!(
        t.seek(Origin::Beginning, 2),
        SeekResult { sought_less: false, rows_sought: 2, row_no_longer_visible: false }
    );
    assert_eq!(t.seek(Origin::Current, 2).rows_sought, 2);
    assert_eq!(t.position(), 4);
    let r = t.seek(Origin::Current, 5);
    assert!(r.sought_less);
    assert_eq!(r.rows_sought, 1);
    assert_eq!(t.position(), 5);
    let r = t.seek(Origin::End, -2);
    assert_eq!((r.sought_less, r.rows_sought, t.position()), (false, -2, 3));
    let r = t.seek(Origin::Current, -10);
    assert_eq!((r.sought_less, r.rows_sought, t.position()), (true, -3, 0));
    let r = t.seek(Origin::Beginning, -1);
    assert_eq!((r.sought_less, r.rows_sought, t.position()), (true, 0, 0));
    t.seek_fraction(1, 2);
    assert_eq!(t.position(), 2);
    t.seek_fraction(5, 0);
    assert_eq!(t.position(), 0);
    assert_eq!(Origin::from_byte(2), Some(Origin::End));
    assert_eq!(Origin::End.to_byte(), 2);
    assert_eq!(Origin::from_byte(3), None);
}

#[test]
fn bookmarks_survive_refresh_and_report_vanished_rows() {
    let all = rows();
    let mut t = TableView::new(&all, None, None);
    t.seek(Origin::Beginning, 2);
    let bm = t.create_bookmark();
    assert_eq!(bm.len(), 4);
    let end_bm = {
        t.seek(Origin::End, 0);
        t.create_bookmark()
    };
    t.seek(Origin::Beginning, 0);
    let r = t.seek_bookmark(&bm, 1).unwrap();
    assert_eq!((r.row_no_longer_visible, t.position()), (false, 3));
    // Row 3 leaves the table: the bookmark answers RowNoLongerVisible and
    // seeks from where the row was.
    let fewer: Vec<_> = all.iter().filter(|r| r.0 != 3).cloned().collect();
    t.refresh(&fewer, None, None);
    let r = t.seek_bookmark(&bm, 0).unwrap();
    assert!(r.row_no_longer_visible);
    assert_eq!(t.position(), 2);
    assert_eq!(t.query_rows(1, true, false).0, vec![4]);
    let r = t.seek_bookmark(&end_bm, -1).unwrap();
    assert_eq!((r.row_no_longer_visible, t.position()), (false, 3));
    t.free_bookmark(&bm).unwrap();
    assert_eq!(t.seek_bookmark(&bm, 0), Err(TableError::InvalidBookmark));
    assert_eq!(t.free_bookmark(&[1, 2]), Err(TableError::InvalidBookmark));
    assert_eq!(TableError::InvalidBookmark.error_code().0, 0x8004_0405);
}

#[test]
fn refresh_keeps_the_cursor_on_its_row() {
    let all = rows();
    let mut t = TableView::new(&all, None, None);
    t.seek(Origin::Beginning, 3); // on id 4
    let s = SortOrderSet::new(vec![order(PropTag::MESSAGE_DELIVERY_TIME, true)]);
    t.refresh(&all, None, Some(&s));
    assert_eq!(t.ids(), [4, 5, 1, 3, 2]);
    assert_eq!(t.position(), 0);
}

#[test]
fn find_row_forward_backward_and_from_bookmark() {
    let all = rows();
    let map: HashMap<u64, PropBag> = all.iter().cloned().collect();
    let mut t = TableView::new(&all, None, None);
    let imp1 = Restriction::Property {
        op: RelOp::EQ,
        tag: PropTag::IMPORTANCE,
        value: TaggedValue { tag: PropTag::IMPORTANCE, value: PropValue::I32(1) },
    };
    let find = |t: &mut TableView, r: &Restriction, o, bm: Option<&[u8]>, back| {
        t.find_row(r, o, bm, back, |id| map.get(&id)).unwrap()
    };
    assert_eq!(find(&mut t, &imp1, Origin::Beginning, None, false).row, Some(1));
    assert_eq!(t.position(), 0);
    t.seek(Origin::Current, 1);
    assert_eq!(find(&mut t, &imp1, Origin::Current, None, false).row, Some(3));
    assert_eq!(t.position(), 2);
    assert_eq!(find(&mut t, &imp1, Origin::End, None, true).row, Some(5));
    assert_eq!(t.position(), 4);
    assert_eq!(find(&mut t, &imp1, Origin::Current, None, true).row, Some(3));
    let none = Restriction::Exist { tag: PropTag::BODY };
    assert_eq!(find(&mut t, &none, Origin::Beginning, None, false), FindResult::default());
    assert_eq!(t.position(), 2, "a failed search leaves the cursor");
    t.seek(Origin::Beginning, 3);
    let bm = t.create_bookmark();
    assert_eq!(
        find(&mut t, &imp1, Origin::Beginning, Some(&bm), false),
        FindResult { row: Some(5), row_no_longer_visible: false }
    );
    // The bookmarked row (id 4) leaves: the search reports it and starts where it was.
    let fewer: Vec<_> = all.iter().filter(|r| r.0 != 4).cloned().collect();
    t.refresh(&fewer, None, None);
    assert_eq!(
        find(&mut t, &imp1, Origin::Beginning, Some(&bm), true),
        FindResult { row: Some(3), row_no_longer_visible: true }
    );
    assert_eq!(
        t.find_row(&imp1, Origin::Beginning, Some(&[9, 9, 9, 9]), false, |id| map.get(&id)),
        Err(TableError::InvalidBookmark)
    );
}

#[test]
fn multi_value_instance_columns_explode() {
    let tag = PropTag::new(0x8001, PropType::MULTIPLE_STRING);
    let cats = |v: &[&str]| PropValue::MvString(v.iter().map(|s| s.to_string()).collect());
    let rows = vec![
        (1u64, PropBag::from_pairs([(tag, cats(&["work", "Alpha"]))])),
        (2, PropBag::new()),
        (3, PropBag::from_pairs([(tag, cats(&["beta"]))])),
    ];
    let inst_tag = PropTag(tag.0 | 0x2000);
    let exploded = explode_mv_column(&rows, |r| r.0, inst_tag);
    assert_eq!(exploded.len(), 4);
    assert_eq!(exploded.iter().map(|r| (r.id, r.instance)).collect::<Vec<_>>(), [(1, 0), (1, 1), (2, 0), (3, 0)]);
    assert_eq!(exploded[1].value, Some(PropValue::String("Alpha".into())));
    assert_eq!(exploded[2].value, None);
    let keyed: Vec<(u64, &InstanceRow<'_, (u64, PropBag)>)> =
        exploded.iter().enumerate().map(|(i, r)| (i as u64, r)).collect();
    let sort = SortOrderSet::new(vec![SortOrder { tag: inst_tag, order: SortDirection::ASCENDING }]);
    let t = TableView::from_rows(&keyed, |r| r.0, None, Some(&sort));
    assert_eq!(t.ids(), [2, 1, 3, 0], "missing, Alpha, beta, work");
}
