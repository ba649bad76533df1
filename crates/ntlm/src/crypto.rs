//! [MS-NLMP] 3.3.2 NTLM v2 authentication functions and 3.1.5.1.2 MIC.

use hmac::{Hmac, Mac};
use md4::{Digest, Md4};
use md5::Md5;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::utf16le;

/// The NT one-way function of a password, MD4(UTF-16LE(password)) ([MS-NLMP] 3.3.1
/// NTOWFv1): what a server stores and both sides key NTLMv2 with. Never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct NtHash([u8; 16]);

impl NtHash {
    /// NTOWFv1 of a password ([MS-NLMP] 3.3.1).
    pub fn from_password(password: &str) -> Self {
        let mut bytes = utf16le(password);
        let hash: [u8; 16] = Md4::digest(&bytes).into();
        bytes.zeroize();
        Self(hash)
    }

    /// Wraps a stored hash.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The hash bytes (for storage; handle as a secret).
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl std::fmt::Debug for NtHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NtHash(<redacted>)")
    }
}

/// A 16-byte session key (SessionBaseKey = ExportedSessionKey here, since key exchange is
/// never negotiated, [MS-NLMP] 3.4.5.1). Never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SessionKey(pub(crate) [u8; 16]);

impl SessionKey {
    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(<redacted>)")
    }
}

pub(crate) fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    // HMAC accepts keys of any length; new_from_slice cannot fail for HMAC-MD5.
    let mut mac = match <Hmac<Md5> as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return [0; 16],
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// NTOWFv2 = HMAC_MD5(NT hash, UTF-16LE(Uppercase(User) ‖ UserDom)) ([MS-NLMP] 3.3.2).
pub(crate) fn ntowfv2(nt: &NtHash, user: &str, domain: &str) -> [u8; 16] {
    let mut ident = utf16le(&user.to_uppercase());
    ident.extend_from_slice(&utf16le(domain));
    hmac_md5(&nt.0, &[&ident])
}

/// The NTLMv2_CLIENT_CHALLENGE "temp" blob ([MS-NLMP] 2.2.2.7, 3.3.2): Responserversion 1,
/// HiResponserversion 1, Z(6), Time, ClientChallenge, Z(4), AV pairs (with EOL), Z(4).
pub(crate) fn client_blob(time: u64, client_challenge: &[u8; 8], av_pairs: &[u8]) -> Vec<u8> {
    let mut t = Vec::with_capacity(32 + av_pairs.len());
    t.extend_from_slice(&[1, 1, 0, 0, 0, 0, 0, 0]);
    t.extend_from_slice(&time.to_le_bytes());
    t.extend_from_slice(client_challenge);
    t.extend_from_slice(&[0; 4]);
    t.extend_from_slice(av_pairs);
    t.extend_from_slice(&[0; 4]);
    t
}

/// NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge ‖ temp) ([MS-NLMP] 3.3.2).
pub(crate) fn nt_proof(key: &[u8; 16], server_challenge: &[u8; 8], blob: &[u8]) -> [u8; 16] {
    hmac_md5(key, &[server_challenge, blob])
}

/// LMv2 response = HMAC_MD5(ResponseKeyLM, ServerChallenge ‖ ClientChallenge) ‖
/// ClientChallenge ([MS-NLMP] 3.3.2).
pub(crate) fn lmv2_response(key: &[u8; 16], server_challenge: &[u8; 8], client_challenge: &[u8; 8]) -> Vec<u8> {
    let mut r = hmac_md5(key, &[server_challenge, client_challenge]).to_vec();
    r.extend_from_slice(client_challenge);
    r
}

/// SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr) ([MS-NLMP] 3.3.2).
pub(crate) fn session_base_key(key: &[u8; 16], proof: &[u8; 16]) -> SessionKey {
    SessionKey(hmac_md5(key, &[proof]))
}

/// MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE with the MIC
/// zeroed) ([MS-NLMP] 3.1.5.1.2).
pub(crate) fn mic(key: &SessionKey, negotiate: &[u8], challenge: &[u8], auth: &[u8]) -> [u8; 16] {
    hmac_md5(&key.0, &[negotiate, challenge, auth])
}

/// Constant-time equality of two 16-byte values.
pub(crate) fn ct_eq(a: &[u8; 16], b: &[u8; 16]) -> bool {
    a.ct_eq(b).into()
}
