//! [MS-OXCMAPIHTTP] 2.2.4 request and response bodies of the mailbox server
//! endpoint (EMSMDB): Connect, Execute, Disconnect, NotificationWait.
//!
//! [`Request`] picks the body type from the request type (server side).
//!
//! `PING` ([MS-OXCMAPIHTTP] 2.2.6) has no request body and no binary
//! response body (gromox still sends the meta-tag block, corrections A9), so
//! it has no body type, only [`Request::Ping`].
//!
//! ROP buffers (`rgbIn`/`rgbOut`) and auxiliary buffers are kept as raw
//! bytes: they are extended buffers ([MS-OXCRPC] 2.2.2) decoded by
//! [`crate::rpc_ext`] and [`crate::aux`].
//!
//! Every response starts with `StatusCode` ([MS-OXCMAPIHTTP] 2.2.2.2 and the
//! per-request sections): 0 means the request was processed and the
//! request-specific fields follow (their `ErrorCode` may still report a
//! failure, e.g. Connect with another user's DN, capture 079, which keeps the
//! full layout with zero values); non-zero means only `AuxiliaryBufferSize`
//! and `AuxiliaryBuffer` follow. [`MapiResponse`] models both.

mod connect;
mod execute;
mod request;

pub use connect::{ConnectFlags, ConnectRequest, ConnectResponse, DisconnectRequest, DisconnectResponse};
pub use execute::{ExecuteFlags, ExecuteRequest, ExecuteResponse, NotificationWaitRequest, NotificationWaitResponse};
pub use request::Request;

use crate::codec::{Decode, Encode, Put, Reader, len_u32};
use crate::error::{DecodeError, EncodeError};

/// Declares a `u32`/`u8` bit-flag newtype: named bits, unknown bits kept,
/// `Debug` as `A | B | 0x40`.
macro_rules! wire_flags {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident($ty:ty) {
            $( $(#[$cmeta:meta])* $konst:ident = $val:expr, $text:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        $vis struct $name(pub $ty);

        #[allow(missing_docs)]
        impl $name {
            $( $(#[$cmeta])* pub const $konst: Self = Self($val); )*

            /// No bit set.
            pub const EMPTY: Self = Self(0);

            /// True when every bit of `other` is set.
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// Both sets of bits.
            pub const fn union(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }
        }

        impl ::std::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, rhs: Self) -> Self {
                self.union(rhs)
            }
        }

        #[cfg(feature = "serde")]
        impl ::serde::Serialize for $name {
            /// The set flag names, as `Debug` prints them.
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&format_args!("{self:?}"))
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let mut rest = self.0;
                let mut first = true;
                $({
                    let v: $ty = $val;
                    if v != 0 && rest & v == v {
                        if !first { f.write_str(" | ")?; }
                        f.write_str($text)?;
                        rest &= !v;
                        first = false;
                    }
                })*
                if rest != 0 || first {
                    if !first { f.write_str(" | ")?; }
                    write!(f, "{:#x}", rest)?;
                }
                Ok(())
            }
        }
    };
}
pub(crate) use wire_flags;

/// A response body in the two layouts every MAPI/HTTP response has
/// ([MS-OXCMAPIHTTP] 2.2.4, 2.2.5: `StatusCode` 0 → the request's fields;
/// otherwise only the auxiliary buffer).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MapiResponse<T> {
    /// `StatusCode` 0: the request was processed; `T` holds everything after
    /// `StatusCode`, including `ErrorCode` and the auxiliary buffer.
    Completed(T),
    /// `StatusCode` ≠ 0: the request was not processed.
    Failed {
        /// The non-zero `StatusCode`.
        status_code: u32,
        /// `AuxiliaryBuffer` (raw extended buffer).
        auxiliary_buffer: Vec<u8>,
    },
}

/// The request-specific part of a response, after `StatusCode`.
pub trait ResponseFields: Sized {
    /// Reads the fields after a zero `StatusCode`, up to and including the
    /// auxiliary buffer.
    fn decode_fields(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
    /// Writes the fields after `StatusCode`.
    fn encode_fields(&self, w: &mut Vec<u8>) -> Result<(), EncodeError>;
}

impl<T> MapiResponse<T> {
    /// The completed body, if `StatusCode` was 0.
    pub fn completed(&self) -> Option<&T> {
        match self {
            Self::Completed(t) => Some(t),
            Self::Failed { .. } => None,
        }
    }

    /// The `StatusCode` on the wire.
    pub fn status_code(&self) -> u32 {
        match self {
            Self::Completed(_) => 0,
            Self::Failed { status_code, .. } => *status_code,
        }
    }
}

impl<'a, T: ResponseFields> Decode<'a> for MapiResponse<T> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let status_code = r.u32("StatusCode")?;
        if status_code == 0 {
            Ok(Self::Completed(T::decode_fields(r)?))
        } else {
            Ok(Self::Failed { status_code, auxiliary_buffer: read_aux(r)? })
        }
    }
}

impl<T: ResponseFields> Encode for MapiResponse<T> {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Self::Completed(t) => {
                w.put_u32(0);
                t.encode_fields(w)
            }
            Self::Failed { status_code: 0, .. } => Err(EncodeError::NotRepresentable {
                what: "StatusCode",
                reason: "a failed response needs a non-zero StatusCode",
            }),
            Self::Failed { status_code, auxiliary_buffer } => {
                w.put_u32(*status_code);
                put_aux(w, auxiliary_buffer)
            }
        }
    }
}

/// Reads `AuxiliaryBufferSize u32` + `AuxiliaryBuffer`
/// ([MS-OXCMAPIHTTP] 2.2.4.1.1 and every other body).
pub(crate) fn read_aux(r: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
    let n = r.u32("AuxiliaryBufferSize")? as usize;
    Ok(r.bytes(n, "AuxiliaryBuffer")?.to_vec())
}

/// Writes `AuxiliaryBufferSize u32` + `AuxiliaryBuffer`.
pub(crate) fn put_aux(w: &mut Vec<u8>, aux: &[u8]) -> Result<(), EncodeError> {
    w.put_u32(len_u32(aux.len(), "AuxiliaryBuffer")?);
    w.put_bytes(aux);
    Ok(())
}

/// Reads a `u32`-length-prefixed byte buffer.
pub(crate) fn read_buffer(r: &mut Reader<'_>, size: &'static str, what: &'static str) -> Result<Vec<u8>, DecodeError> {
    let n = r.u32(size)? as usize;
    Ok(r.bytes(n, what)?.to_vec())
}

/// Decodes an 8-bit string as ISO 8859-1, so every byte round-trips
/// (distinguished names are ASCII in practice).
pub(crate) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Encodes a string as ISO 8859-1 bytes plus NUL; fails for characters
/// above U+00FF and for embedded NULs.
pub(crate) fn put_latin1z(w: &mut Vec<u8>, s: &str, what: &'static str) -> Result<(), EncodeError> {
    for c in s.chars() {
        let b = u8::try_from(u32::from(c))
            .ok()
            .filter(|&b| b != 0)
            .ok_or(EncodeError::NotRepresentable { what, reason: "not an 8-bit (ISO 8859-1) character or NUL" })?;
        w.put_u8(b);
    }
    w.put_u8(0);
    Ok(())
}

/// Encodes a string as UTF-16LE plus 0x0000; fails for embedded NULs.
pub(crate) fn put_utf16z_checked(w: &mut Vec<u8>, s: &str, what: &'static str) -> Result<(), EncodeError> {
    if s.contains('\0') {
        return Err(EncodeError::NotRepresentable { what, reason: "embedded NUL" });
    }
    w.put_utf16z(s);
    Ok(())
}

#[cfg(test)]
mod tests;
