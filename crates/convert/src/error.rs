//! Errors of the converters.

/// Why a conversion failed. Rendering is lenient (a missing or odd property
/// is skipped or replaced, never an error); these are the cases where no
/// faithful output exists.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// A property was refused by a bag ([`crate::BagError`]).
    #[error(transparent)]
    Bag(#[from] crate::BagError),
    /// The output would exceed [`crate::RenderOptions::max_output`].
    #[error("rendered message exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// A calendar hook ([`crate::CalendarPart`]) failed.
    #[error("calendar part: {0}")]
    Calendar(String),
}
