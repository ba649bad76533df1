//! `open_enum!`: wire enums whose unknown values are data, not errors.

/// Declares a newtype over a wire integer with named constants.
///
/// Unknown values round-trip unchanged; `Debug` prints the name when there is
/// one (`ErrorCode::NOT_FOUND`) and the hex value otherwise.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident($ty:ty) {
            $(
                $(#[$cmeta:meta])*
                $konst:ident = $val:expr, $text:literal;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        $vis struct $name(pub $ty);

        #[allow(missing_docs)]
        impl $name {
            $(
                $(#[$cmeta])*
                pub const $konst: Self = Self($val);
            )*

            /// Every named value, in declaration order.
            pub const KNOWN: &'static [Self] = &[$(Self::$konst),*];

            /// The canonical name of this value, if it has one.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $(v if v == $val => Some($text),)*
                    _ => None,
                }
            }

            /// Looks a value up by its canonical name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($text => Some(Self::$konst),)*
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, concat!(stringify!($name), "({:#x})"), self.0),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(n) => write!(f, "{n} ({:#x})", self.0),
                    None => write!(f, "{:#x}", self.0),
                }
            }
        }

        #[cfg(feature = "serde")]
        impl ::serde::Serialize for $name {
            /// The canonical name, or the hex value when unnamed.
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                // `0x03 RopOpenMessage`, `0x8004010F NotFound`: the capture
                // annotations' form.
                let w = 2 * ::std::mem::size_of::<$ty>();
                match self.name() {
                    Some(n) => s.collect_str(&format_args!("0x{:0w$X} {}", self.0, n, w = w)),
                    None => s.collect_str(&format_args!("0x{:0w$X}", self.0, w = w)),
                }
            }
        }

        impl From<$ty> for $name {
            fn from(v: $ty) -> Self {
                Self(v)
            }
        }

        impl From<$name> for $ty {
            fn from(v: $name) -> Self {
                v.0
            }
        }
    };
}
