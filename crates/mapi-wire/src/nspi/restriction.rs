//! [MS-OXCMAPIHTTP] 2.2.5.5.1 GetMatches `Filter`: a [MS-OXCDATA] 2.12
//! restriction ([`crate::restriction::Restriction`]) in one of two forms:
//!
//! * the specification's: u32 counts and [MS-OXCDATA] 2.11.4
//!   TaggedPropertyValues without HasValue bytes ([`PropContext::ExtendedRule`]
//!   encoding; capture 132 — gromox refuses it with X-ResponseCode 5);
//! * gromox's: a HasValue byte before the TaggedValue of Property and Content
//!   restrictions, whose value is an AddressBookPropertyValue with its own
//!   HasValue byte ([`PropContext::AddressBook`]; digest corrections C §7.2,
//!   captures 096–098).
//!
//! The decoder tries the specification's form first, then gromox's, and
//! remembers which one it read so the bytes re-encode identically.

use crate::codec::{Decode, Encode, Reader};
use crate::error::{DecodeError, EncodeError};
use crate::http::ServerDialect;
use crate::prop_value::PropContext;
use crate::restriction::Restriction;

/// A restriction in an NSPI request and the form it travels in
/// ([MS-OXCMAPIHTTP] 2.2.5.5.1 `Filter`).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AddressBookRestriction {
    /// The restriction tree.
    pub restriction: Restriction,
    /// [`ServerDialect::Spec`] for the specification's form,
    /// [`ServerDialect::Gromox`] for gromox's HasValue form.
    pub form: ServerDialect,
}

impl AddressBookRestriction {
    /// The property-value context of a form.
    pub fn context(form: ServerDialect) -> PropContext {
        match form {
            ServerDialect::Spec => PropContext::ExtendedRule,
            ServerDialect::Gromox => PropContext::AddressBook,
        }
    }
}

impl<'a> Decode<'a> for AddressBookRestriction {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let mut spec = r.clone();
        let spec_err = match Restriction::decode_with(&mut spec, PropContext::ExtendedRule) {
            Ok(restriction) => {
                *r = spec;
                return Ok(Self { restriction, form: ServerDialect::Spec });
            }
            Err(e) => e,
        };
        let mut gromox = r.clone();
        match Restriction::decode_with(&mut gromox, PropContext::AddressBook) {
            Ok(restriction) => {
                *r = gromox;
                Ok(Self { restriction, form: ServerDialect::Gromox })
            }
            // Report the form that got further.
            Err(e) if offset(&e) > offset(&spec_err) => Err(e),
            Err(_) => Err(spec_err),
        }
    }
}

impl Encode for AddressBookRestriction {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.restriction.encode_with(w, Self::context(self.form))
    }
}

fn offset(e: &DecodeError) -> usize {
    match e {
        DecodeError::Incomplete { offset, .. }
        | DecodeError::Invalid { offset, .. }
        | DecodeError::Unsupported { offset, .. }
        | DecodeError::TooLarge { offset, .. }
        | DecodeError::TrailingBytes { offset, .. } => *offset,
    }
}
