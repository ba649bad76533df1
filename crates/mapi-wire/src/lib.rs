//! Sans-IO codec for MAPI over HTTP: every byte format between a MAPI client
//! and Exchange, both directions, with no IO.
//!
//! | module | specification |
//! |---|---|
//! | [`codec`], [`error`] | the cursor and writer every decoder uses |
//! | [`http`] | [MS-OXCMAPIHTTP] 2.2.2–2.2.3, 2.2.7 request headers and response framing |
//! | [`emsmdb`] | [MS-OXCMAPIHTTP] 2.2.4 mailbox server endpoint bodies |
//! | [`nspi`] | [MS-OXCMAPIHTTP] 2.2.5 address book endpoint bodies, [MS-OXNSPI] |
//! | [`rpc_ext`], [`lz77`], [`aux`] | [MS-OXCRPC] 2.2.2 extended buffers, [MS-XCA] 2.3–2.4 LZ77 |
//! | [`rop`] | [MS-OXCROPS] ROP buffers and every ROP |
//! | [`prop_tag`], [`prop_value`], [`named`] | [MS-OXCDATA] 2.6, 2.7, 2.8, 2.9, 2.11 |
//! | [`restriction`], [`sort`] | [MS-OXCDATA] 2.12, 2.13 |
//! | [`ids`], [`entry_id`], [`recipient`] | [MS-OXCDATA] 2.2, 2.8.3 |
//! | [`error_code`] | [MS-OXCDATA] 2.4 |
//! | [`fx`], [`idset`] | [MS-OXCFXICS] FastTransfer streams, IDSET/GLOBSET |
//! | [`tags`] | [MS-OXPROPS] tag catalogue and named-property sets |
#![forbid(unsafe_code)]

#[macro_use]
mod macros;

pub mod aux;
pub mod codec;
pub mod emsmdb;
pub mod entry_id;
pub mod error;
pub mod error_code;
#[doc(hidden)]
pub mod fuzzing;
pub mod fx;
pub mod guid;
pub mod http;
pub mod ids;
pub mod idset;
pub mod lz77;
pub mod named;
pub mod nspi;
pub mod prop_tag;
pub mod prop_value;
pub mod recipient;
pub mod restriction;
pub mod rop;
pub mod rpc_ext;
#[cfg(feature = "serde")]
mod serde_impls;
pub mod sort;
pub mod tags;
#[cfg(test)]
mod testdata;

pub use codec::{Decode, Encode, Put, Reader};
pub use error::{DecodeError, EncodeError, ErrorKind};
pub use error_code::ErrorCode;
pub use guid::Guid;
pub use prop_tag::{PropTag, PropType};
