//! NTLMv2 authentication ([MS-NLMP]), both sides, without IO.
//!
//! * [`Client`] builds the NEGOTIATE_MESSAGE, reads the CHALLENGE_MESSAGE (with its
//!   target-info AV pairs) and answers with an AUTHENTICATE_MESSAGE carrying an NTLMv2
//!   response and, when the server sent `MsvAvTimestamp`, a MIC ([MS-NLMP] 3.1.5.1.2).
//! * [`Server`] issues a CHALLENGE_MESSAGE with target info and verifies an
//!   AUTHENTICATE_MESSAGE against the user's NT hash with a constant-time comparison
//!   ([MS-NLMP] 3.2.5.1.2).
//!
//! Only NTLMv2 with extended session security and 128-bit keys is spoken. Key exchange
//! (`NTLMSSP_NEGOTIATE_KEY_EXCH`), signing and sealing are never negotiated: HTTP
//! authentication needs only the authenticated connection, so no RC4 is needed. The
//! transport (base64, `WWW-Authenticate: NTLM …`) is the caller's business.
//!
//! Every parser bounds its input ([`MAX_MESSAGE_LEN`]) and never panics on peer data.

#![forbid(unsafe_code)]

mod client;
mod crypto;
mod message;
mod server;

pub use client::{Client, ClientEntropy};
pub use crypto::{NtHash, SessionKey};
pub use message::{
    AuthenticateMessage, AvId, AvPair, ChallengeMessage, NegotiateFlags, NegotiateMessage, TargetInfo, Version,
};
pub use server::{Authenticated, ChallengeState, Server, ServerConfig};

/// Largest NTLM message either side accepts, in bytes. Real messages are a few hundred
/// bytes; the bound keeps a hostile peer from making us allocate.
pub const MAX_MESSAGE_LEN: usize = 16 * 1024;

/// Why an NTLM step failed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The peer's message does not follow [MS-NLMP] 2.2.1 (bad signature, type, lengths
    /// or offsets).
    #[error("malformed NTLM message: {what}")]
    Malformed {
        /// Which part was wrong.
        what: &'static str,
    },
    /// The peer asked for something this implementation does not speak (NTLMv1, OEM
    /// strings, key exchange).
    #[error("unsupported NTLM feature: {what}")]
    Unsupported {
        /// Which feature.
        what: &'static str,
    },
    /// The credentials did not verify: unknown user, wrong password, tampered message or
    /// MIC mismatch. Deliberately one variant so a peer cannot tell them apart.
    #[error("NTLM authentication failed")]
    Denied,
    /// The operating system's random source failed.
    #[error("random source failed")]
    Random,
    /// A method was called in the wrong order (e.g. authenticate before negotiate).
    #[error("NTLM call out of order: {what}")]
    OutOfOrder {
        /// Which call.
        what: &'static str,
    },
}

/// Current time as a Windows FILETIME (100 ns ticks since 1601-01-01 UTC), the form of
/// `MsvAvTimestamp` and of the NTLMv2 client challenge time ([MS-NLMP] 2.2.2.7).
pub fn filetime_now() -> u64 {
    const UNIX_EPOCH_AS_FILETIME: u64 = 116_444_736_000_000_000;
    let since_unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let ticks = since_unix.as_nanos() / 100;
    UNIX_EPOCH_AS_FILETIME.saturating_add(u64::try_from(ticks).unwrap_or(u64::MAX))
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|_| Error::Random)?;
    Ok(out)
}

pub(crate) fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

pub(crate) fn from_utf16le(bytes: &[u8], what: &'static str) -> Result<String, Error> {
    if !bytes.len().is_multiple_of(2) {
        return Err(Error::Malformed { what });
    }
    let units = bytes.chunks_exact(2).map(|c| match c {
        [lo, hi] => u16::from_le_bytes([*lo, *hi]),
        _ => 0xFFFD, // chunks_exact(2) yields only pairs
    });
    char::decode_utf16(units).collect::<Result<String, _>>().map_err(|_| Error::Malformed { what })
}

#[cfg(test)]
mod tests;
