//! Typed, categorised codec errors.

/// Why a decoder refused its input.
///
/// Every variant carries the field being read and the byte offset in the
/// outermost input, so `mapi-inspect` and logs can point at the culprit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum DecodeError {
    /// The input ended inside a field.
    #[error("{what}: input ends {needed} byte(s) short at offset {offset}")]
    Incomplete {
        /// The field being read.
        what: &'static str,
        /// Where the missing bytes should have been.
        offset: usize,
        /// How many more bytes were needed (at least).
        needed: usize,
    },
    /// A field holds a value the specification does not allow.
    #[error("{what} at offset {offset}: {reason}")]
    Invalid {
        /// The field being read.
        what: &'static str,
        /// Where the field starts.
        offset: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A field holds a value that is allowed but that this codec cannot
    /// interpret (an unknown ROP id, a property type without an encoding).
    #[error("{what} at offset {offset}: unsupported value {value:#x}")]
    Unsupported {
        /// The field being read.
        what: &'static str,
        /// Where the field starts.
        offset: usize,
        /// The value found.
        value: u64,
    },
    /// A size exceeds a limit set to protect the decoder.
    #[error("{what} at offset {offset}: size {size} exceeds the limit {limit}")]
    TooLarge {
        /// The field being read.
        what: &'static str,
        /// Where the field starts.
        offset: usize,
        /// The size asked for.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// A structure was complete but bytes were left over inside its frame.
    #[error("{what}: {count} unexpected trailing byte(s) at offset {offset}")]
    TrailingBytes {
        /// The structure that should have ended.
        what: &'static str,
        /// Where the extra bytes start.
        offset: usize,
        /// How many there are.
        count: usize,
    },
}

/// The broad category of a [`DecodeError`], for callers that decide between
/// "peer sent garbage", "we do not support this" and "too big".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ErrorKind {
    /// The input is malformed (short, invalid or with trailing bytes).
    Malformed,
    /// The input is valid but uses something this codec does not implement.
    Unsupported,
    /// The input exceeds a size limit.
    Limit,
}

impl DecodeError {
    /// The category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Incomplete { .. } | Self::Invalid { .. } | Self::TrailingBytes { .. } => ErrorKind::Malformed,
            Self::Unsupported { .. } => ErrorKind::Unsupported,
            Self::TooLarge { .. } => ErrorKind::Limit,
        }
    }

    /// True when more input could complete the value (used by the
    /// incremental parsers).
    pub fn is_incomplete(&self) -> bool {
        matches!(self, Self::Incomplete { .. })
    }
}

/// Why an encoder refused a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum EncodeError {
    /// A value is longer than its length field can express.
    #[error("{what}: length {len} exceeds the field's maximum {max}")]
    TooLong {
        /// The field being written.
        what: &'static str,
        /// The length asked for.
        len: usize,
        /// The most the field can hold.
        max: usize,
    },
    /// The value cannot be expressed in this wire context (for example a
    /// PtypObject value in a ROP property row).
    #[error("{what}: {reason}")]
    NotRepresentable {
        /// The field being written.
        what: &'static str,
        /// Why.
        reason: &'static str,
    },
}
