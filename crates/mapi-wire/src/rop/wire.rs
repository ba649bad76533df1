//! [MS-OXCROPS] 2.2.1 field codecs shared by the ROP structs, and the macros
//! that declare a ROP struct once and derive its decoder, encoder and test
//! strategy from the field list (fields are read and written in order).

use crate::{
    ErrorCode, Guid, PropTag,
    codec::{Put, Reader},
    error::{DecodeError, EncodeError},
};

/// One field of a ROP: read and written in wire order.
pub(crate) trait Wire: Sized {
    /// The fewest bytes one value occupies (for [`Reader::count`]).
    const MIN_SIZE: usize = 1;
    /// Reads the field; `what` names it in errors.
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError>;
    /// Writes the field.
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError>;
}

macro_rules! wire_int {
    ($($ty:ty => $read:ident, $size:expr;)*) => {$(
        impl Wire for $ty {
            const MIN_SIZE: usize = $size;
            fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
                r.$read(what)
            }
            fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
                w.put_bytes(&self.to_le_bytes());
                Ok(())
            }
        }
    )*};
}

wire_int! {
    u8 => u8, 1;
    u16 => u16, 2;
    u32 => u32, 4;
    u64 => u64, 8;
    i32 => i32, 4;
    i64 => i64, 8;
}

/// A one-byte boolean: any non-zero byte is true, true is written as 1.
impl Wire for bool {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok(r.u8(what)? != 0)
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(u8::from(*self));
        Ok(())
    }
}

impl Wire for ErrorCode {
    const MIN_SIZE: usize = 4;
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok(Self(r.u32(what)?))
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.0);
        Ok(())
    }
}

impl Wire for PropTag {
    const MIN_SIZE: usize = 4;
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok(Self(r.u32(what)?))
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.0);
        Ok(())
    }
}

impl Wire for Guid {
    const MIN_SIZE: usize = 16;
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok(Self(r.array(what)?))
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_bytes(&self.0);
        Ok(())
    }
}

impl<const N: usize> Wire for [u8; N] {
    const MIN_SIZE: usize = N;
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        r.array(what)
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_bytes(self);
        Ok(())
    }
}

/// `Count u16` followed by that many elements ([MS-OXCROPS] counts are 16-bit).
/// `Vec<u8>` is therefore a `Size u16` + bytes blob (bookmarks, collapse states).
impl<T: Wire> Wire for Vec<T> {
    const MIN_SIZE: usize = 2;
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        let n = usize::from(r.u16(what)?);
        let n = r.count(n, T::MIN_SIZE, what)?;
        let mut out = Self::with_capacity(n);
        for _ in 0..n {
            out.push(T::read(r, what)?);
        }
        Ok(out)
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u16(crate::codec::len_u16(self.len(), "count")?);
        for v in self {
            v.write(w)?;
        }
        Ok(())
    }
}

/// A presence byte (0 = absent, non-zero = present) followed by the value when
/// present: IsGhosted, IsExistingFolder, HasMessageId, ...
impl<T: Wire> Wire for Option<T> {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        if r.u8(what)? != 0 { Ok(Some(T::read(r, what)?)) } else { Ok(None) }
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Some(v) => {
                w.put_u8(1);
                v.write(w)
            }
            None => {
                w.put_u8(0);
                Ok(())
            }
        }
    }
}

/// An 8-bit NUL-terminated string (ASCIIZ), mapped byte-for-char (Latin-1) so
/// every byte except NUL round-trips.
impl Wire for String {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok(latin1_to_string(r.asciiz(what)?))
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_latin1z(w, self, "ASCIIZ string")
    }
}

/// Maps 8-bit bytes to the chars U+0000..U+00FF.
pub(crate) fn latin1_to_string(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Writes `s` as 8-bit chars plus a NUL; chars above U+00FF or NUL are refused.
pub(crate) fn put_latin1z(w: &mut Vec<u8>, s: &str, what: &'static str) -> Result<(), EncodeError> {
    for c in s.chars() {
        let b = u8::try_from(u32::from(c))
            .ok()
            .filter(|&b| b != 0)
            .ok_or(EncodeError::NotRepresentable { what, reason: "not an 8-bit non-NUL character" })?;
        w.put_u8(b);
    }
    w.put_u8(0);
    Ok(())
}

/// Reads a string that is UTF-16LE when `unicode` is set, 8-bit otherwise.
pub(crate) fn read_string(r: &mut Reader<'_>, unicode: bool, what: &'static str) -> Result<String, DecodeError> {
    if unicode { r.utf16z(what) } else { Ok(latin1_to_string(r.asciiz(what)?)) }
}

/// Writes a string as UTF16Z when `unicode` is set, ASCIIZ (Latin-1) otherwise.
pub(crate) fn write_string(w: &mut Vec<u8>, s: &str, unicode: bool, what: &'static str) -> Result<(), EncodeError> {
    if unicode {
        if s.contains('\0') {
            return Err(EncodeError::NotRepresentable { what, reason: "string contains NUL" });
        }
        w.put_utf16z(s);
        Ok(())
    } else {
        put_latin1z(w, s, what)
    }
}

/// Reads the PartialCompletion of a response with ReturnValue `rv`: always on success; after a
/// failure only when the next byte is 0x00 or 0x01 (no response starts with those RopIds).
pub(crate) fn read_partial_completion(r: &mut Reader<'_>, rv: ErrorCode) -> Result<Option<bool>, DecodeError> {
    if rv == ErrorCode::SUCCESS || matches!(r.peek_u8("PartialCompletion"), Ok(0 | 1)) {
        Ok(Some(r.u8("PartialCompletion")? != 0))
    } else {
        Ok(None)
    }
}

/// Writes PartialCompletion when present; success requires it.
pub(crate) fn write_partial_completion(w: &mut Vec<u8>, rv: ErrorCode, pc: Option<bool>) -> Result<(), EncodeError> {
    match pc {
        Some(b) => {
            w.put_u8(u8::from(b));
            Ok(())
        }
        None if rv != ErrorCode::SUCCESS => Ok(()),
        None => {
            Err(EncodeError::NotRepresentable { what: "PartialCompletion", reason: "required when ReturnValue is 0" })
        }
    }
}

/// Declares a struct whose fields are all [`Wire`] values read in order.
macro_rules! rop_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::rop::wire::Wire for $name {
            fn read(
                r: &mut $crate::codec::Reader<'_>,
                _what: &'static str,
            ) -> Result<Self, $crate::error::DecodeError> {
                Ok(Self { $( $field: <$ty as $crate::rop::wire::Wire>::read(r, stringify!($field))?, )* })
            }
            fn write(&self, _w: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                $( $crate::rop::wire::Wire::write(&self.$field, _w)?; )*
                Ok(())
            }
        }

        #[cfg(test)]
        impl $crate::rop::testkit::Arb for $name {
            fn arb() -> ::proptest::strategy::BoxedStrategy<Self> {
                use ::proptest::strategy::Strategy;
                ( $( <$ty as $crate::rop::testkit::Arb>::arb(), )* )
                    .prop_map(|( $($field,)* )| Self { $($field,)* })
                    .boxed()
            }
        }
    };
}

/// Declares a request struct (fields from LogonId on) and its [`RopRequestBody`](crate::rop::RopRequestBody).
macro_rules! rop_request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $id:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        rop_struct! { $(#[$meta])* pub struct $name { $( $(#[$fmeta])* pub $field : $ty, )* } }

        impl $crate::rop::RopRequestBody for $name {
            const ID: $crate::rop::RopId = $crate::rop::RopId::$id;
            fn decode_body(r: &mut $crate::codec::Reader<'_>) -> Result<Self, $crate::error::DecodeError> {
                <Self as $crate::rop::wire::Wire>::read(r, stringify!($name))
            }
            fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                $crate::rop::wire::Wire::write(self, w)
            }
            fn output_handle_index(&self) -> Option<u8> {
                rop_output_index!(self; $($field),*)
            }
            fn logon_id(&self) -> u8 {
                self.logon_id
            }
            fn set_logon_id(&mut self, id: u8) {
                self.logon_id = id;
            }
        }
    };
}

/// Declares a request with the fields and wire layout of another request under its own
/// RopId (the NoReplicate, AndCommit and Extended variants of a ROP): a newtype whose
/// codec is the base request's.
macro_rules! same_layout_request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident(pub $base:ty) = $id:ident;
    ) => {
        $(#[$meta])*
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub struct $name(pub $base);

        impl $crate::rop::RopRequestBody for $name {
            const ID: $crate::rop::RopId = $crate::rop::RopId::$id;
            fn decode_body(r: &mut $crate::codec::Reader<'_>) -> Result<Self, $crate::error::DecodeError> {
                <$base as $crate::rop::RopRequestBody>::decode_body(r).map(Self)
            }
            fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                $crate::rop::RopRequestBody::encode_body(&self.0, w)
            }
            fn logon_id(&self) -> u8 {
                $crate::rop::RopRequestBody::logon_id(&self.0)
            }
            fn set_logon_id(&mut self, id: u8) {
                $crate::rop::RopRequestBody::set_logon_id(&mut self.0, id);
            }
        }
    };
}

/// `Some(self.output_handle_index)` when the field list has one, else `None`.
macro_rules! rop_output_index {
    ($s:ident;) => { None };
    ($s:ident; output_handle_index $(, $rest:ident)*) => { Some($s.output_handle_index) };
    ($s:ident; $first:ident $(, $rest:ident)*) => { rop_output_index!($s; $($rest),*) };
}

/// Declares a response struct: `handle_index`, `return_value`, and either
/// nothing more (header-only ROPs), `success: Option<S>` (fields present only
/// when ReturnValue is 0), or fields present whatever the ReturnValue.
macro_rules! rop_response {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $id:ident;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub struct $name {
            /// The handle index the ROP names (InputHandleIndex or OutputHandleIndex).
            pub handle_index: u8,
            /// ReturnValue.
            pub return_value: $crate::ErrorCode,
        }

        impl $crate::rop::RopResponseBody for $name {
            const ID: $crate::rop::RopId = $crate::rop::RopId::$id;
            fn decode_body(
                r: &mut $crate::codec::Reader<'_>,
                _ctx: &$crate::rop::ResponseContext<'_>,
            ) -> Result<Self, $crate::error::DecodeError> {
                Ok(Self { handle_index: r.u8("HandleIndex")?, return_value: $crate::ErrorCode(r.u32("ReturnValue")?) })
            }
            fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                use $crate::codec::Put;
                w.put_u8(self.handle_index);
                w.put_u32(self.return_value.0);
                Ok(())
            }
        }

        #[cfg(test)]
        impl $crate::rop::testkit::Arb for $name {
            fn arb() -> ::proptest::strategy::BoxedStrategy<Self> {
                use ::proptest::strategy::Strategy;
                (::proptest::prelude::any::<u8>(), ::proptest::prelude::any::<u32>())
                    .prop_map(|(handle_index, rv)| Self { handle_index, return_value: $crate::ErrorCode(rv) })
                    .boxed()
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $id:ident, success $succ:ty;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub struct $name {
            /// The handle index the ROP names (InputHandleIndex or OutputHandleIndex).
            pub handle_index: u8,
            /// ReturnValue.
            pub return_value: $crate::ErrorCode,
            /// The success fields, present exactly when `return_value` is 0.
            pub success: Option<$succ>,
        }

        impl $crate::rop::RopResponseBody for $name {
            const ID: $crate::rop::RopId = $crate::rop::RopId::$id;
            fn decode_body(
                r: &mut $crate::codec::Reader<'_>,
                _ctx: &$crate::rop::ResponseContext<'_>,
            ) -> Result<Self, $crate::error::DecodeError> {
                let handle_index = r.u8("HandleIndex")?;
                let return_value = $crate::ErrorCode(r.u32("ReturnValue")?);
                let success = if return_value == $crate::ErrorCode::SUCCESS {
                    Some(<$succ as $crate::rop::wire::Wire>::read(r, stringify!($succ))?)
                } else {
                    None
                };
                Ok(Self { handle_index, return_value, success })
            }
            fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                use $crate::codec::Put;
                w.put_u8(self.handle_index);
                w.put_u32(self.return_value.0);
                match &self.success {
                    Some(s) => $crate::rop::wire::Wire::write(s, w),
                    None => Ok(()),
                }
            }
        }

        #[cfg(test)]
        impl $crate::rop::testkit::Arb for $name {
            fn arb() -> ::proptest::strategy::BoxedStrategy<Self> {
                use ::proptest::strategy::Strategy;
                $crate::rop::testkit::response_strategy(<$succ as $crate::rop::testkit::Arb>::arb())
                    .prop_map(|(handle_index, return_value, success)| Self { handle_index, return_value, success })
                    .boxed()
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $id:ident, partial_completion;
    ) => {
        $(#[$meta])*
        ///
        /// PartialCompletion follows ReturnValue on success and, per [MS-OXCROPS], also on
        /// failure; gromox answers some failures with the header only (e.g. RopSetReadFlags,
        /// corrections B14/A12). The decoder accepts both: after a failure it reads
        /// PartialCompletion only when the next byte is 0x00 or 0x01, which no following
        /// response can start with (RopId 0x00 is reserved, 0x01 RopRelease has no response).
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub struct $name {
            /// InputHandleIndex.
            pub handle_index: u8,
            /// ReturnValue.
            pub return_value: $crate::ErrorCode,
            /// PartialCompletion: always present on success; None for a header-only failure.
            pub partial_completion: Option<bool>,
        }

        impl $crate::rop::RopResponseBody for $name {
            const ID: $crate::rop::RopId = $crate::rop::RopId::$id;
            fn decode_body(
                r: &mut $crate::codec::Reader<'_>,
                _ctx: &$crate::rop::ResponseContext<'_>,
            ) -> Result<Self, $crate::error::DecodeError> {
                let handle_index = r.u8("HandleIndex")?;
                let return_value = $crate::ErrorCode(r.u32("ReturnValue")?);
                let partial_completion = $crate::rop::wire::read_partial_completion(r, return_value)?;
                Ok(Self { handle_index, return_value, partial_completion })
            }
            fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                use $crate::codec::Put;
                w.put_u8(self.handle_index);
                w.put_u32(self.return_value.0);
                $crate::rop::wire::write_partial_completion(w, self.return_value, self.partial_completion)
            }
        }

        #[cfg(test)]
        impl $crate::rop::testkit::Arb for $name {
            fn arb() -> ::proptest::strategy::BoxedStrategy<Self> {
                use ::proptest::strategy::Strategy;
                $crate::rop::testkit::partial_completion_strategy()
                    .prop_map(|(handle_index, return_value, partial_completion)| Self {
                        handle_index,
                        return_value,
                        partial_completion,
                    })
                    .boxed()
            }
        }
    };
}

/// Bit operations for `open_enum!` newtypes that are flag sets.
macro_rules! rop_flags {
    ($($name:ty),* $(,)?) => {$(
        impl $name {
            /// True when every bit of `other` is set in `self`.
            pub fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }
        }

        impl ::std::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, rhs: Self) -> Self {
                Self(self.0 | rhs.0)
            }
        }
    )*};
}

/// Implements [`Wire`] for an `open_enum!` newtype over an integer.
macro_rules! wire_newtype {
    ($($name:ty => $inner:ty;)*) => {$(
        impl $crate::rop::wire::Wire for $name {
            const MIN_SIZE: usize = std::mem::size_of::<$inner>();
            fn read(r: &mut $crate::codec::Reader<'_>, what: &'static str) -> Result<Self, $crate::error::DecodeError> {
                Ok(Self(<$inner as $crate::rop::wire::Wire>::read(r, what)?))
            }
            fn write(&self, w: &mut Vec<u8>) -> Result<(), $crate::error::EncodeError> {
                $crate::rop::wire::Wire::write(&self.0, w)
            }
        }

        #[cfg(test)]
        impl $crate::rop::testkit::Arb for $name {
            fn arb() -> ::proptest::strategy::BoxedStrategy<Self> {
                use ::proptest::strategy::Strategy;
                ::proptest::prelude::any::<$inner>().prop_map(Self).boxed()
            }
        }
    )*};
}

wire_newtype! {
    crate::ids::FolderId => u64;
    crate::ids::MessageId => u64;
}

impl Wire for crate::ids::LongTermId {
    const MIN_SIZE: usize = Self::SIZE;
    fn read(r: &mut Reader<'_>, _what: &'static str) -> Result<Self, DecodeError> {
        <Self as crate::codec::Decode>::decode(r)
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        crate::codec::Encode::encode(self, w)
    }
}

/// `RestrictionDataSize u16` + a ROP-context restriction ([MS-OXCDATA] 2.12); size 0 = none.
impl Wire for Option<crate::restriction::Restriction> {
    const MIN_SIZE: usize = 2;
    fn read(r: &mut Reader<'_>, _what: &'static str) -> Result<Self, DecodeError> {
        crate::restriction::Restriction::decode_sized(r)
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        crate::restriction::Restriction::encode_sized(self.as_ref(), w)
    }
}

/// [MS-OXCDATA] 2.13.2 SortOrderSet.
impl Wire for crate::sort::SortOrderSet {
    const MIN_SIZE: usize = 6;
    fn read(r: &mut Reader<'_>, _what: &'static str) -> Result<Self, DecodeError> {
        <Self as crate::codec::Decode>::decode(r)
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        crate::codec::Encode::encode(self, w)
    }
}
