//! [MS-OXCDATA] 2.13 Sort Order Structures: SortOrder and SortOrderSet, as
//! sent in RopSortTable ([MS-OXCROPS] 2.2.5.2) after its flags.

use crate::codec::{Decode, Encode, Put, Reader};
use crate::error::{DecodeError, EncodeError};
use crate::prop_tag::PropTag;

open_enum! {
    /// The `Order` byte of a SortOrder ([MS-OXCDATA] 2.13.1).
    pub struct SortDirection(u8) {
        /// Ascending.
        ASCENDING = 0x00, "Ascending";
        /// Descending.
        DESCENDING = 0x01, "Descending";
        /// Group by the maximum value of this column within a category.
        MAXIMUM_CATEGORY = 0x04, "MaximumCategory";
    }
}

/// A SortOrder ([MS-OXCDATA] 2.13.1): `PropertyType u16, PropertyId u16,
/// Order u8` — the first four bytes are the property tag in its wire order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SortOrder {
    /// The column to sort by (a multi-valued column may carry the
    /// multi-value-instance bit 0x2000).
    pub tag: PropTag,
    /// The direction.
    pub order: SortDirection,
}

impl SortOrder {
    /// The wire size.
    pub const SIZE: usize = 5;
}

impl<'a> Decode<'a> for SortOrder {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let tag = PropTag::decode(r)?;
        Ok(Self { tag, order: SortDirection(r.u8("SortOrder.Order")?) })
    }
}

impl Encode for SortOrder {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.tag.0);
        w.put_u8(self.order.0);
        Ok(())
    }
}

/// A SortOrderSet ([MS-OXCDATA] 2.13.2): `SortOrderCount u16,
/// CategorizedCount u16, ExpandedCount u16, SortOrders[]`.
///
/// The first `categorized` orders are category columns and the first
/// `expanded` categories start expanded, so `expanded ≤ categorized ≤
/// orders.len()`; both the decoder and the encoder refuse other counts.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SortOrderSet {
    /// How many leading orders are categories.
    pub categorized: u16,
    /// How many leading categories are expanded.
    pub expanded: u16,
    /// The sort keys, most significant first.
    pub orders: Vec<SortOrder>,
}

impl SortOrderSet {
    /// A plain (uncategorized) sort.
    pub fn new(orders: Vec<SortOrder>) -> Self {
        Self { categorized: 0, expanded: 0, orders }
    }

    fn counts_valid(&self) -> bool {
        self.expanded <= self.categorized && usize::from(self.categorized) <= self.orders.len()
    }
}

impl<'a> Decode<'a> for SortOrderSet {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let start = r.offset();
        let count = r.u16("SortOrderSet.SortOrderCount")?;
        let categorized = r.u16("SortOrderSet.CategorizedCount")?;
        let expanded = r.u16("SortOrderSet.ExpandedCount")?;
        let n = r.count(count.into(), SortOrder::SIZE, "SortOrderSet.SortOrders")?;
        let mut orders = Vec::with_capacity(n);
        for _ in 0..n {
            orders.push(SortOrder::decode(r)?);
        }
        let set = Self { categorized, expanded, orders };
        if !set.counts_valid() {
            return Err(DecodeError::Invalid {
                what: "SortOrderSet",
                offset: start,
                reason: "ExpandedCount ≤ CategorizedCount ≤ SortOrderCount does not hold",
            });
        }
        Ok(set)
    }
}

impl Encode for SortOrderSet {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        if !self.counts_valid() {
            return Err(EncodeError::NotRepresentable {
                what: "SortOrderSet",
                reason: "ExpandedCount ≤ CategorizedCount ≤ SortOrderCount does not hold",
            });
        }
        w.put_u16(crate::codec::len_u16(self.orders.len(), "SortOrderSet.SortOrderCount")?);
        w.put_u16(self.categorized);
        w.put_u16(self.expanded);
        for o in &self.orders {
            o.encode(w)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
