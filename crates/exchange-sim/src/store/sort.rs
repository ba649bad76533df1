//! Sorting rows by a SortOrderSet ([MS-OXCDATA] 2.13, RopSortTable
//! [MS-OXCTABL] 2.2.2.13).
//!
//! * Strings compare case-insensitively (Unicode lower-case), like
//!   Exchange's default collation; binaries byte-wise; numbers and times
//!   numerically.
//! * A missing value sorts before every present value (ascending), after
//!   them (descending).
//! * Multi-valued columns compare element by element; the
//!   multi-value-instance bit (one row per value) is ignored.
//! * Categories (CategorizedCount > 0) are not built: category columns act
//!   as ordinary sort keys and no header rows appear; MAXIMUM_CATEGORY
//!   orders ascending.
//! * Ties keep the input order (stable sort), so sorting rows given in MID
//!   order gives a deterministic table.

use std::cmp::Ordering;

use mapi_wire::sort::{SortDirection, SortOrderSet};
use mapi_wire::{PropTag, PropType};

use super::eval::{PropLookup, compare_scalar, elements};

/// Compares two rows by `sort`.
pub fn compare_rows<A: PropLookup + ?Sized, B: PropLookup + ?Sized>(a: &A, b: &B, sort: &SortOrderSet) -> Ordering {
    for o in &sort.orders {
        let tag = PropTag::new(o.tag.id(), PropType::UNSPECIFIED);
        let ord = match (a.prop(tag), b.prop(tag)) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => {
                let (ex, ey) = (elements(&x), elements(&y));
                let mut ord = Ordering::Equal;
                for (p, q) in ex.iter().zip(&ey) {
                    ord = compare_scalar(p, q).unwrap_or(Ordering::Equal);
                    if ord != Ordering::Equal {
                        break;
                    }
                }
                if ord == Ordering::Equal { ex.len().cmp(&ey.len()) } else { ord }
            }
        };
        let ord = if o.order == SortDirection::DESCENDING { ord.reverse() } else { ord };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// Sorts `rows` in place by `sort` (stable).
pub fn sort_rows<T, L: PropLookup + ?Sized>(rows: &mut [T], sort: &SortOrderSet, lookup: impl Fn(&T) -> &L) {
    rows.sort_by(|a, b| compare_rows(lookup(a), lookup(b), sort));
}
