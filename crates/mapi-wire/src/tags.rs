//! The tag catalogue: PidTag constants, canonical names and types
//! ([MS-OXPROPS]), and the named-property sets we use.
//!
//! Placeholder until the catalogue lands; [`name_of`] is the lookup the rest
//! of the crate relies on.

use crate::prop_tag::PropTag;

/// The canonical name of a well-known tag (the exact tag, type included).
pub fn name_of(_tag: PropTag) -> Option<&'static str> {
    None
}
