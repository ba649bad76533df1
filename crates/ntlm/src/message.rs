//! [MS-NLMP] 2.2 message syntax: NEGOTIATE, CHALLENGE and AUTHENTICATE messages, AV pairs.

use crate::{Error, MAX_MESSAGE_LEN, from_utf16le, utf16le};

/// `NTLMSSP\0`, the signature every message starts with ([MS-NLMP] 2.2.1).
pub(crate) const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
/// Offset of the MIC in an AUTHENTICATE_MESSAGE that carries a Version ([MS-NLMP] 2.2.1.3).
pub(crate) const MIC_OFFSET: usize = 72;
/// Size of the AUTHENTICATE_MESSAGE header we write (fields, flags, Version, MIC).
pub(crate) const AUTHENTICATE_HEADER_LEN: usize = 88;

/// [MS-NLMP] 2.2.2.5 NEGOTIATE flags (a bit set; unknown bits are kept).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NegotiateFlags(pub u32);

impl NegotiateFlags {
    /// NTLMSSP_NEGOTIATE_UNICODE (A).
    pub const UNICODE: Self = Self(0x0000_0001);
    /// NTLM_NEGOTIATE_OEM (B).
    pub const OEM: Self = Self(0x0000_0002);
    /// NTLMSSP_REQUEST_TARGET (C).
    pub const REQUEST_TARGET: Self = Self(0x0000_0004);
    /// NTLMSSP_NEGOTIATE_SIGN (D).
    pub const SIGN: Self = Self(0x0000_0010);
    /// NTLMSSP_NEGOTIATE_SEAL (E).
    pub const SEAL: Self = Self(0x0000_0020);
    /// NTLMSSP_NEGOTIATE_LM_KEY (G).
    pub const LM_KEY: Self = Self(0x0000_0080);
    /// NTLMSSP_NEGOTIATE_NTLM (H).
    pub const NTLM: Self = Self(0x0000_0200);
    /// NTLMSSP_NEGOTIATE_ANONYMOUS (J).
    pub const ANONYMOUS: Self = Self(0x0000_0800);
    /// NTLMSSP_NEGOTIATE_ALWAYS_SIGN (M).
    pub const ALWAYS_SIGN: Self = Self(0x0000_8000);
    /// NTLMSSP_TARGET_TYPE_DOMAIN (N).
    pub const TARGET_TYPE_DOMAIN: Self = Self(0x0001_0000);
    /// NTLMSSP_TARGET_TYPE_SERVER (O).
    pub const TARGET_TYPE_SERVER: Self = Self(0x0002_0000);
    /// NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY (P).
    pub const EXTENDED_SESSIONSECURITY: Self = Self(0x0008_0000);
    /// NTLMSSP_NEGOTIATE_TARGET_INFO (S).
    pub const TARGET_INFO: Self = Self(0x0080_0000);
    /// NTLMSSP_NEGOTIATE_VERSION (T).
    pub const VERSION: Self = Self(0x0200_0000);
    /// NTLMSSP_NEGOTIATE_128 (U).
    pub const N128: Self = Self(0x2000_0000);
    /// NTLMSSP_NEGOTIATE_KEY_EXCH (V).
    pub const KEY_EXCH: Self = Self(0x4000_0000);
    /// NTLMSSP_NEGOTIATE_56 (W).
    pub const N56: Self = Self(0x8000_0000);

    /// Whether every bit of `other` is set.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for NegotiateFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl std::ops::BitAnd for NegotiateFlags {
    type Output = Self;
    fn bitand(self, rhs: Self) -> Self {
        Self(self.0 & rhs.0)
    }
}

impl std::fmt::Debug for NegotiateFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NegotiateFlags({:#010x})", self.0)
    }
}

/// [MS-NLMP] 2.2.2.10 VERSION (8 bytes). Informational only.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Version {
    /// ProductMajorVersion.
    pub major: u8,
    /// ProductMinorVersion.
    pub minor: u8,
    /// ProductBuild.
    pub build: u16,
    /// NTLMRevisionCurrent (15 for NTLMSSP_REVISION_W2K3).
    pub revision: u8,
}

impl Version {
    /// Windows 10 / Server 2016+, revision 15: what we advertise.
    pub const OURS: Self = Self { major: 10, minor: 0, build: 19041, revision: 15 };

    fn encode(self, out: &mut Vec<u8>) {
        out.push(self.major);
        out.push(self.minor);
        out.extend_from_slice(&self.build.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, self.revision]);
    }

    fn decode(b: [u8; 8]) -> Self {
        let [major, minor, b0, b1, _, _, _, revision] = b;
        Self { major, minor, build: u16::from_le_bytes([b0, b1]), revision }
    }
}

/// [MS-NLMP] 2.2.2.1 AV_PAIR ids.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AvId(pub u16);

impl AvId {
    /// MsvAvEOL.
    pub const EOL: Self = Self(0);
    /// MsvAvNbComputerName.
    pub const NB_COMPUTER_NAME: Self = Self(1);
    /// MsvAvNbDomainName.
    pub const NB_DOMAIN_NAME: Self = Self(2);
    /// MsvAvDnsComputerName.
    pub const DNS_COMPUTER_NAME: Self = Self(3);
    /// MsvAvDnsDomainName.
    pub const DNS_DOMAIN_NAME: Self = Self(4);
    /// MsvAvDnsTreeName.
    pub const DNS_TREE_NAME: Self = Self(5);
    /// MsvAvFlags (u32; 0x2 = the AUTHENTICATE_MESSAGE carries a MIC).
    pub const FLAGS: Self = Self(6);
    /// MsvAvTimestamp (FILETIME).
    pub const TIMESTAMP: Self = Self(7);
    /// MsvAvSingleHost.
    pub const SINGLE_HOST: Self = Self(8);
    /// MsvAvTargetName.
    pub const TARGET_NAME: Self = Self(9);
    /// MsvAvChannelBindings.
    pub const CHANNEL_BINDINGS: Self = Self(10);
}

/// One [MS-NLMP] 2.2.2.1 AV_PAIR.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AvPair {
    /// AvId.
    pub id: AvId,
    /// Value bytes (UTF-16LE for the name pairs).
    pub value: Vec<u8>,
}

/// Target information: the AV_PAIR list of [MS-NLMP] 2.2.1.2 / 2.2.2.7, without the EOL.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct TargetInfo(pub Vec<AvPair>);

impl TargetInfo {
    /// Parses an AV_PAIR list terminated by MsvAvEOL ([MS-NLMP] 2.2.2.1).
    pub fn decode(mut b: &[u8]) -> Result<Self, Error> {
        let mut pairs = Vec::new();
        loop {
            let (id, len, rest) = match b {
                [i0, i1, l0, l1, rest @ ..] => {
                    (u16::from_le_bytes([*i0, *i1]), usize::from(u16::from_le_bytes([*l0, *l1])), rest)
                }
                _ => return Err(Error::Malformed { what: "AV_PAIR list" }),
            };
            if id == 0 {
                return Ok(Self(pairs));
            }
            let value = rest.get(..len).ok_or(Error::Malformed { what: "AV_PAIR length" })?;
            pairs.push(AvPair { id: AvId(id), value: value.to_vec() });
            b = rest.get(len..).unwrap_or_default();
        }
    }

    /// Writes the list followed by MsvAvEOL.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        for p in &self.0 {
            let len = u16::try_from(p.value.len()).map_err(|_| Error::Malformed { what: "AV_PAIR too long" })?;
            out.extend_from_slice(&p.id.0.to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&p.value);
        }
        out.extend_from_slice(&[0, 0, 0, 0]);
        Ok(())
    }

    /// Encoded bytes (list + EOL).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut v = Vec::new();
        self.encode(&mut v)?;
        Ok(v)
    }

    /// The first value with this id.
    pub fn value(&self, id: AvId) -> Option<&[u8]> {
        self.0.iter().find(|p| p.id == id).map(|p| p.value.as_slice())
    }

    /// MsvAvTimestamp, if present and 8 bytes long.
    pub fn timestamp(&self) -> Option<u64> {
        let v: [u8; 8] = self.value(AvId::TIMESTAMP)?.try_into().ok()?;
        Some(u64::from_le_bytes(v))
    }

    /// MsvAvFlags, if present and 4 bytes long.
    pub fn flags(&self) -> Option<u32> {
        let v: [u8; 4] = self.value(AvId::FLAGS)?.try_into().ok()?;
        Some(u32::from_le_bytes(v))
    }

    /// Sets (replaces or appends) a pair.
    pub fn set(&mut self, id: AvId, value: Vec<u8>) {
        match self.0.iter_mut().find(|p| p.id == id) {
            Some(p) => p.value = value,
            None => self.0.push(AvPair { id, value }),
        }
    }

    /// A name pair as a string (UTF-16LE).
    pub fn name(&self, id: AvId) -> Option<String> {
        from_utf16le(self.value(id)?, "AV_PAIR name").ok()
    }
}

/// [MS-NLMP] 2.2.1.1 NEGOTIATE_MESSAGE. We never send domain or workstation in it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NegotiateMessage {
    /// NegotiateFlags.
    pub flags: NegotiateFlags,
}

impl NegotiateMessage {
    /// Encodes with empty DomainNameFields/WorkstationFields and our Version (40 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(40);
        out.extend_from_slice(SIGNATURE);
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&self.flags.0.to_le_bytes());
        out.extend_from_slice(&[0u8; 16]); // DomainNameFields, WorkstationFields at offset 40
        Version::OURS.encode(&mut out);
        out
    }

    /// Parses a NEGOTIATE_MESSAGE (the fields after the flags are ignored).
    pub fn decode(b: &[u8]) -> Result<Self, Error> {
        check_header(b, 1)?;
        Ok(Self { flags: NegotiateFlags(u32_at(b, 12, "NegotiateFlags")?) })
    }
}

/// [MS-NLMP] 2.2.1.2 CHALLENGE_MESSAGE.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ChallengeMessage {
    /// TargetName (UTF-16LE decoded).
    pub target_name: String,
    /// NegotiateFlags.
    pub flags: NegotiateFlags,
    /// ServerChallenge.
    pub server_challenge: [u8; 8],
    /// TargetInfo AV pairs.
    pub target_info: TargetInfo,
    /// Version, when present.
    pub version: Option<Version>,
}

impl ChallengeMessage {
    /// Parses a CHALLENGE_MESSAGE. OEM strings are refused (we negotiate Unicode only).
    pub fn decode(b: &[u8]) -> Result<Self, Error> {
        check_header(b, 2)?;
        let flags = NegotiateFlags(u32_at(b, 20, "NegotiateFlags")?);
        if !flags.contains(NegotiateFlags::UNICODE) {
            return Err(Error::Unsupported { what: "OEM (non-Unicode) strings" });
        }
        let target_name = from_utf16le(field(b, 12, "TargetNameFields")?, "TargetName")?;
        let server_challenge = array_at::<8>(b, 24, "ServerChallenge")?;
        let target_info = if flags.contains(NegotiateFlags::TARGET_INFO) {
            TargetInfo::decode(field(b, 40, "TargetInfoFields")?)?
        } else {
            TargetInfo::default()
        };
        let version = if flags.contains(NegotiateFlags::VERSION) {
            array_at::<8>(b, 48, "Version").ok().map(Version::decode)
        } else {
            None
        };
        Ok(Self { target_name, flags, server_challenge, target_info, version })
    }

    /// Encodes with TargetName and TargetInfo in the payload after the 56-byte header.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let name = utf16le(&self.target_name);
        let info = self.target_info.to_bytes()?;
        let mut out = Vec::with_capacity(56 + name.len() + info.len());
        out.extend_from_slice(SIGNATURE);
        out.extend_from_slice(&2u32.to_le_bytes());
        let mut payload = Vec::new();
        put_field(&mut out, &mut payload, 56, &name)?;
        out.extend_from_slice(&self.flags.0.to_le_bytes());
        out.extend_from_slice(&self.server_challenge);
        out.extend_from_slice(&[0u8; 8]);
        put_field(&mut out, &mut payload, 56, &info)?;
        self.version.unwrap_or(Version::OURS).encode(&mut out);
        out.extend_from_slice(&payload);
        Ok(out)
    }
}

/// [MS-NLMP] 2.2.1.3 AUTHENTICATE_MESSAGE.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AuthenticateMessage {
    /// LmChallengeResponse.
    pub lm_response: Vec<u8>,
    /// NtChallengeResponse (for NTLMv2: NTProofStr followed by the client challenge blob).
    pub nt_response: Vec<u8>,
    /// DomainName.
    pub domain: String,
    /// UserName.
    pub user: String,
    /// Workstation.
    pub workstation: String,
    /// EncryptedRandomSessionKey (empty unless key exchange, which we do not speak).
    pub encrypted_session_key: Vec<u8>,
    /// NegotiateFlags.
    pub flags: NegotiateFlags,
    /// MIC (zeros when absent).
    pub mic: [u8; 16],
}

impl AuthenticateMessage {
    /// Parses an AUTHENTICATE_MESSAGE. The MIC is read from offset 72 when every payload
    /// offset leaves room for it.
    pub fn decode(b: &[u8]) -> Result<Self, Error> {
        check_header(b, 3)?;
        let flags = NegotiateFlags(u32_at(b, 60, "NegotiateFlags")?);
        if !flags.contains(NegotiateFlags::UNICODE) {
            return Err(Error::Unsupported { what: "OEM (non-Unicode) strings" });
        }
        let mut min_offset = b.len();
        for at in [12, 20, 28, 36, 44, 52] {
            let (len, off) = field_pos(b, at, "AUTHENTICATE field")?;
            if len > 0 {
                min_offset = min_offset.min(off);
            }
        }
        let mic = if min_offset >= AUTHENTICATE_HEADER_LEN { array_at::<16>(b, MIC_OFFSET, "MIC")? } else { [0; 16] };
        Ok(Self {
            lm_response: field(b, 12, "LmChallengeResponseFields")?.to_vec(),
            nt_response: field(b, 20, "NtChallengeResponseFields")?.to_vec(),
            domain: from_utf16le(field(b, 28, "DomainNameFields")?, "DomainName")?,
            user: from_utf16le(field(b, 36, "UserNameFields")?, "UserName")?,
            workstation: from_utf16le(field(b, 44, "WorkstationFields")?, "Workstation")?,
            encrypted_session_key: field(b, 52, "EncryptedRandomSessionKeyFields")?.to_vec(),
            flags,
            mic,
        })
    }

    /// Encodes with an 88-byte header (Version and MIC) and the payload after it.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let h = AUTHENTICATE_HEADER_LEN;
        let mut out = Vec::with_capacity(h + 256);
        let mut payload = Vec::new();
        out.extend_from_slice(SIGNATURE);
        out.extend_from_slice(&3u32.to_le_bytes());
        put_field(&mut out, &mut payload, h, &self.lm_response)?;
        put_field(&mut out, &mut payload, h, &self.nt_response)?;
        put_field(&mut out, &mut payload, h, &utf16le(&self.domain))?;
        put_field(&mut out, &mut payload, h, &utf16le(&self.user))?;
        put_field(&mut out, &mut payload, h, &utf16le(&self.workstation))?;
        put_field(&mut out, &mut payload, h, &self.encrypted_session_key)?;
        out.extend_from_slice(&self.flags.0.to_le_bytes());
        Version::OURS.encode(&mut out);
        out.extend_from_slice(&self.mic);
        out.extend_from_slice(&payload);
        if out.len() > MAX_MESSAGE_LEN {
            return Err(Error::Malformed { what: "AUTHENTICATE_MESSAGE too long" });
        }
        Ok(out)
    }
}

fn check_header(b: &[u8], ty: u32) -> Result<(), Error> {
    if b.len() > MAX_MESSAGE_LEN {
        return Err(Error::Malformed { what: "message too long" });
    }
    if b.get(..8) != Some(SIGNATURE.as_slice()) {
        return Err(Error::Malformed { what: "signature" });
    }
    if u32_at(b, 8, "MessageType")? != ty {
        return Err(Error::Malformed { what: "MessageType" });
    }
    Ok(())
}

fn array_at<const N: usize>(b: &[u8], at: usize, what: &'static str) -> Result<[u8; N], Error> {
    b.get(at..at.saturating_add(N)).and_then(|s| s.try_into().ok()).ok_or(Error::Malformed { what })
}

fn u32_at(b: &[u8], at: usize, what: &'static str) -> Result<u32, Error> {
    array_at::<4>(b, at, what).map(u32::from_le_bytes)
}

/// (Len, BufferOffset) of a [MS-NLMP] 2.2.1 field header at `at`, checked against `b`.
fn field_pos(b: &[u8], at: usize, what: &'static str) -> Result<(usize, usize), Error> {
    let [l0, l1, _, _, o0, o1, o2, o3] = array_at::<8>(b, at, what)?;
    let len = usize::from(u16::from_le_bytes([l0, l1]));
    let off = usize::try_from(u32::from_le_bytes([o0, o1, o2, o3])).unwrap_or(usize::MAX);
    if len > 0 && off.checked_add(len).is_none_or(|end| end > b.len()) {
        return Err(Error::Malformed { what });
    }
    Ok((len, off))
}

fn field<'a>(b: &'a [u8], at: usize, what: &'static str) -> Result<&'a [u8], Error> {
    let (len, off) = field_pos(b, at, what)?;
    if len == 0 {
        return Ok(&[]);
    }
    b.get(off..off + len).ok_or(Error::Malformed { what })
}

fn put_field(header: &mut Vec<u8>, payload: &mut Vec<u8>, base: usize, value: &[u8]) -> Result<(), Error> {
    let too_long = Error::Malformed { what: "field too long" };
    let len = u16::try_from(value.len()).map_err(|_| too_long.clone())?;
    let off = u32::try_from(base + payload.len()).map_err(|_| too_long)?;
    header.extend_from_slice(&len.to_le_bytes());
    header.extend_from_slice(&len.to_le_bytes());
    header.extend_from_slice(&off.to_le_bytes());
    payload.extend_from_slice(value);
    Ok(())
}
