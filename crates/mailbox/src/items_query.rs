//! Narrowing a calendar-query or addressbook-query (RFC 4791 §7.8,
//! RFC 6352 §8.6) in the backend: the front end states what it can of its
//! filter as an [`ItemQuery`], the backend answers the items that may match
//! ([`Candidate`]s, a superset of the matches) with the few properties a
//! time range needs, and the front end evaluates its filter exactly on
//! those. So a query over Exchange reads one restricted contents table and
//! opens only the items it answers with data, not every item.

use convert::Message;
use mapi_wire::prop_value::FileTime;

use crate::items::ItemEntry;

/// What a backend may use to narrow a query. Every condition is a
/// necessary one: an item the caller's filter keeps satisfies all of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemQuery {
    /// `[start, end)`: an event none of whose occurrences overlaps it does
    /// not match (RFC 4791 §9.9). Tasks and items without times are never
    /// excluded by it (their rules differ).
    pub time_range: Option<(FileTime, FileTime)>,
    /// A condition on the item's vCard text.
    pub text: Option<TextCondition>,
}

/// A condition on the values of vCard properties (RFC 6352 §10.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextCondition {
    /// Every condition holds.
    AllOf(Vec<Self>),
    /// At least one condition holds.
    AnyOf(Vec<Self>),
    /// A value of the vCard property (`FN`, `EMAIL`) contains `needle`,
    /// ASCII letters compared case-insensitively (what
    /// `i;unicode-casemap` and `i;octet` both imply for a substring).
    Contains {
        /// The vCard property name.
        property: String,
        /// The text looked for.
        needle: String,
    },
}

/// An item that may match an [`ItemQuery`].
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The item as a listing shows it.
    pub entry: ItemEntry,
    /// The properties the backend read to narrow the query, not the whole
    /// item: message class, start and end (PidLidAppointmentStartWhole/
    /// EndWhole, PidTagStartDate/EndDate), recurrence and time-zone
    /// definitions, task start and due dates. `None` when they may be
    /// incomplete (a value the server may have truncated): open the item.
    pub summary: Option<Message>,
}
