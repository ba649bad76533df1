//! Server side: [MS-NLMP] 3.2.5 CHALLENGE generation and AUTHENTICATE verification.

use zeroize::Zeroizing;

use crate::crypto::{self, NtHash};
use crate::message::{
    AuthenticateMessage, AvId, ChallengeMessage, MIC_OFFSET, NegotiateFlags, NegotiateMessage, TargetInfo, Version,
};
use crate::{Error, SessionKey, filetime_now, random_bytes, utf16le};

/// MsvAvFlags bit: the AUTHENTICATE_MESSAGE carries a MIC ([MS-NLMP] 2.2.2.1).
const AV_FLAG_MIC: u32 = 0x2;
/// Smallest NTLMv2 response: NTProofStr (16) + blob header (28) + EOL (4).
const MIN_NTLMV2_RESPONSE: usize = 16 + 28 + 4;

/// Names the server announces in its target info ([MS-NLMP] 2.2.1.2).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// NetBIOS domain name (MsvAvNbDomainName and TargetName), e.g. `EXAMPLE`.
    pub nb_domain: String,
    /// NetBIOS computer name (MsvAvNbComputerName), e.g. `EXCH01`.
    pub nb_computer: String,
    /// DNS domain name (MsvAvDnsDomainName), e.g. `example.test`.
    pub dns_domain: String,
    /// DNS computer name (MsvAvDnsComputerName), e.g. `exch01.example.test`.
    pub dns_computer: String,
    /// Largest accepted difference between the client blob's time and the challenge's
    /// timestamp, in FILETIME ticks (100 ns). Default one hour.
    pub max_clock_skew: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            nb_domain: "EXAMPLE".into(),
            nb_computer: "EXCHANGE".into(),
            dns_domain: "example.test".into(),
            dns_computer: "exchange.example.test".into(),
            max_clock_skew: 3600 * 10_000_000,
        }
    }
}

/// What a server remembers between its CHALLENGE and the client's AUTHENTICATE. Used
/// once: [`Server::verify`] consumes it, so a challenge cannot be answered twice.
pub struct ChallengeState {
    negotiate: Vec<u8>,
    challenge: Vec<u8>,
    server_challenge: [u8; 8],
    timestamp: u64,
}

impl std::fmt::Debug for ChallengeState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChallengeState").field("timestamp", &self.timestamp).finish_non_exhaustive()
    }
}

/// A verified AUTHENTICATE_MESSAGE.
#[derive(Debug)]
pub struct Authenticated {
    /// UserName as the client sent it.
    pub user: String,
    /// DomainName as the client sent it.
    pub domain: String,
    /// Workstation as the client sent it.
    pub workstation: String,
    /// SessionBaseKey (= ExportedSessionKey without key exchange).
    pub session_key: SessionKey,
    /// Whether the client sent a MIC, which then verified.
    pub mic_verified: bool,
}

/// NTLMv2 server ([MS-NLMP] 3.2).
#[derive(Clone, Debug, Default)]
pub struct Server {
    config: ServerConfig,
}

impl Server {
    /// A server announcing the given names.
    pub fn new(config: ServerConfig) -> Self {
        Self { config }
    }

    /// Reads a NEGOTIATE_MESSAGE and answers with a CHALLENGE_MESSAGE carrying a random
    /// server challenge and the current time ([MS-NLMP] 3.2.5.1.1).
    pub fn challenge(&self, negotiate: &[u8]) -> Result<(ChallengeState, Vec<u8>), Error> {
        self.challenge_with(negotiate, random_bytes()?, filetime_now())
    }

    /// [`Server::challenge`] with a given server challenge and timestamp (tests).
    pub fn challenge_with(
        &self,
        negotiate: &[u8],
        server_challenge: [u8; 8],
        timestamp: u64,
    ) -> Result<(ChallengeState, Vec<u8>), Error> {
        let asked = NegotiateMessage::decode(negotiate)?.flags;
        if !asked.contains(NegotiateFlags::UNICODE) {
            return Err(Error::Unsupported { what: "OEM (non-Unicode) strings" });
        }
        let echoed = asked
            & (NegotiateFlags::REQUEST_TARGET
                | NegotiateFlags::ALWAYS_SIGN
                | NegotiateFlags::EXTENDED_SESSIONSECURITY
                | NegotiateFlags::N128
                | NegotiateFlags::N56);
        let flags = echoed
            | NegotiateFlags::UNICODE
            | NegotiateFlags::NTLM
            | NegotiateFlags::TARGET_TYPE_DOMAIN
            | NegotiateFlags::TARGET_INFO
            | NegotiateFlags::VERSION;
        let c = &self.config;
        let mut info = TargetInfo::default();
        info.set(AvId::NB_DOMAIN_NAME, utf16le(&c.nb_domain));
        info.set(AvId::NB_COMPUTER_NAME, utf16le(&c.nb_computer));
        info.set(AvId::DNS_DOMAIN_NAME, utf16le(&c.dns_domain));
        info.set(AvId::DNS_COMPUTER_NAME, utf16le(&c.dns_computer));
        info.set(AvId::DNS_TREE_NAME, utf16le(&c.dns_domain));
        info.set(AvId::TIMESTAMP, timestamp.to_le_bytes().to_vec());
        let challenge = ChallengeMessage {
            target_name: c.nb_domain.clone(),
            flags,
            server_challenge,
            target_info: info,
            version: Some(Version::OURS),
        }
        .to_bytes()?;
        let state =
            ChallengeState { negotiate: negotiate.to_vec(), challenge: challenge.clone(), server_challenge, timestamp };
        Ok((state, challenge))
    }

    /// Verifies an AUTHENTICATE_MESSAGE ([MS-NLMP] 3.2.5.1.2). `lookup(user, domain)`
    /// returns the user's NT hash, or `None` for an unknown user. Every credential
    /// failure (unknown user, wrong password, tampered message, bad MIC, stale time)
    /// is [`Error::Denied`]; proofs are compared in constant time.
    pub fn verify(
        &self,
        state: ChallengeState,
        authenticate: &[u8],
        lookup: impl FnOnce(&str, &str) -> Option<NtHash>,
    ) -> Result<Authenticated, Error> {
        let msg = AuthenticateMessage::decode(authenticate)?;
        if msg.flags.contains(NegotiateFlags::KEY_EXCH) || !msg.encrypted_session_key.is_empty() {
            return Err(Error::Unsupported { what: "key exchange" });
        }
        if msg.user.is_empty() {
            return Err(Error::Denied); // anonymous
        }
        if msg.nt_response.len() < MIN_NTLMV2_RESPONSE {
            return Err(Error::Unsupported { what: "NTLMv1 or LM response" });
        }
        let (proof, blob) = msg.nt_response.split_at(16);
        let proof: [u8; 16] = proof.try_into().map_err(|_| Error::Denied)?;
        let (blob_time, av) = parse_blob(blob)?;

        // Unknown users go through the same computation with a random key.
        let known = lookup(&msg.user, &msg.domain);
        let hash = match known {
            Some(h) => (h, true),
            None => (NtHash::from_bytes(random_bytes()?), false),
        };
        let key = Zeroizing::new(crypto::ntowfv2(&hash.0, &msg.user, &msg.domain));
        let expected = crypto::nt_proof(&key, &state.server_challenge, blob);
        let proof_ok = crypto::ct_eq(&expected, &proof);
        if !(proof_ok && hash.1) {
            return Err(Error::Denied);
        }
        if blob_time.abs_diff(state.timestamp) > self.config.max_clock_skew {
            return Err(Error::Denied);
        }
        let session_key = crypto::session_base_key(&key, &proof);
        let with_mic = av.flags().unwrap_or(0) & AV_FLAG_MIC != 0;
        if with_mic {
            let mut zeroed = authenticate.to_vec();
            match zeroed.get_mut(MIC_OFFSET..MIC_OFFSET + 16) {
                Some(slot) => slot.fill(0),
                None => return Err(Error::Denied),
            }
            let mic = crypto::mic(&session_key, &state.negotiate, &state.challenge, &zeroed);
            if !crypto::ct_eq(&mic, &msg.mic) {
                return Err(Error::Denied);
            }
        }
        Ok(Authenticated {
            user: msg.user,
            domain: msg.domain,
            workstation: msg.workstation,
            session_key,
            mic_verified: with_mic,
        })
    }
}

/// Splits an NTLMv2_CLIENT_CHALLENGE ([MS-NLMP] 2.2.2.7) into its time and AV pairs.
fn parse_blob(blob: &[u8]) -> Result<(u64, TargetInfo), Error> {
    let malformed = Error::Malformed { what: "NTLMv2_CLIENT_CHALLENGE" };
    match blob {
        [1, 1, _, _, _, _, _, _, t0, t1, t2, t3, t4, t5, t6, t7, rest @ ..] => {
            let time = u64::from_le_bytes([*t0, *t1, *t2, *t3, *t4, *t5, *t6, *t7]);
            // ChallengeFromClient (8) and Reserved3 (4), then the AV pairs.
            let pairs = rest.get(12..).ok_or(malformed)?;
            Ok((time, TargetInfo::decode(pairs)?))
        }
        _ => Err(malformed),
    }
}
