//! Client side: [MS-NLMP] 3.1.5 NEGOTIATE → CHALLENGE → AUTHENTICATE.

use zeroize::Zeroizing;

use crate::crypto::{self, NtHash};
use crate::message::{AuthenticateMessage, AvId, ChallengeMessage, MIC_OFFSET, NegotiateFlags, NegotiateMessage};
use crate::{Error, SessionKey, filetime_now, random_bytes};

/// MsvAvFlags bit: the AUTHENTICATE_MESSAGE carries a MIC ([MS-NLMP] 2.2.2.1).
const AV_FLAG_MIC: u32 = 0x2;

/// The flags our NEGOTIATE_MESSAGE asks for: Unicode, NTLM, extended session security,
/// 128/56-bit, always-sign, request-target, version. No KEY_EXCH, SIGN or SEAL.
pub(crate) const CLIENT_FLAGS: NegotiateFlags = NegotiateFlags(
    NegotiateFlags::UNICODE.0
        | NegotiateFlags::REQUEST_TARGET.0
        | NegotiateFlags::NTLM.0
        | NegotiateFlags::ALWAYS_SIGN.0
        | NegotiateFlags::EXTENDED_SESSIONSECURITY.0
        | NegotiateFlags::TARGET_INFO.0
        | NegotiateFlags::VERSION.0
        | NegotiateFlags::N128.0
        | NegotiateFlags::N56.0,
);

/// Randomness and time the client puts in its NTLMv2 response; fixed in tests.
#[derive(Clone, Copy, Debug)]
pub struct ClientEntropy {
    /// ClientChallenge (8 random bytes).
    pub client_challenge: [u8; 8],
    /// Time used when the server sent no MsvAvTimestamp (FILETIME).
    pub time: u64,
}

impl ClientEntropy {
    /// Fresh random challenge and the current time.
    pub fn fresh() -> Result<Self, Error> {
        Ok(Self { client_challenge: random_bytes()?, time: filetime_now() })
    }
}

/// NTLMv2 client for one authentication exchange ([MS-NLMP] 3.1).
pub struct Client {
    user: String,
    domain: String,
    workstation: String,
    nt_hash: NtHash,
    negotiate: Option<Vec<u8>>,
    session_key: Option<SessionKey>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("user", &self.user)
            .field("domain", &self.domain)
            .field("workstation", &self.workstation)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `user` in `domain` (may be empty; `DOMAIN\user` and `user@domain` are
    /// split by [`Client::from_login`]) with a password.
    pub fn new(user: &str, domain: &str, password: &str) -> Self {
        Self::with_hash(user, domain, NtHash::from_password(password))
    }

    /// A client with a precomputed NT hash.
    pub fn with_hash(user: &str, domain: &str, nt_hash: NtHash) -> Self {
        Self {
            user: user.to_owned(),
            domain: domain.to_owned(),
            workstation: String::new(),
            nt_hash,
            negotiate: None,
            session_key: None,
        }
    }

    /// A client from a login as users type it: `DOMAIN\user`, or anything else (including
    /// `user@example.com`, sent whole as the user name with an empty domain, which
    /// Exchange accepts as a UPN).
    pub fn from_login(login: &str, password: &str) -> Self {
        match login.split_once('\\') {
            Some((domain, user)) => Self::new(user, domain, password),
            None => Self::new(login, "", password),
        }
    }

    /// Sets the workstation name sent in the AUTHENTICATE_MESSAGE.
    pub fn workstation(mut self, name: &str) -> Self {
        self.workstation = name.to_owned();
        self
    }

    /// The NEGOTIATE_MESSAGE ([MS-NLMP] 2.2.1.1). Starts a new exchange.
    pub fn negotiate(&mut self) -> Vec<u8> {
        let bytes = NegotiateMessage { flags: CLIENT_FLAGS }.to_bytes();
        self.negotiate = Some(bytes.clone());
        self.session_key = None;
        bytes
    }

    /// Answers a CHALLENGE_MESSAGE with an AUTHENTICATE_MESSAGE, using fresh randomness.
    pub fn authenticate(&mut self, challenge: &[u8]) -> Result<Vec<u8>, Error> {
        let entropy = ClientEntropy::fresh()?;
        self.authenticate_with(challenge, entropy)
    }

    /// Answers a CHALLENGE_MESSAGE with given entropy ([MS-NLMP] 3.1.5.1.2).
    pub fn authenticate_with(&mut self, challenge: &[u8], entropy: ClientEntropy) -> Result<Vec<u8>, Error> {
        let negotiate = self.negotiate.as_deref().ok_or(Error::OutOfOrder { what: "authenticate before negotiate" })?;
        let msg = ChallengeMessage::decode(challenge)?;
        let mut info = msg.target_info.clone();
        let server_time = info.timestamp();
        let with_mic = server_time.is_some();
        if with_mic {
            let flags = info.flags().unwrap_or(0) | AV_FLAG_MIC;
            info.set(AvId::FLAGS, flags.to_le_bytes().to_vec());
        }
        let av_bytes = info.to_bytes()?;
        let time = server_time.unwrap_or(entropy.time);

        let key = Zeroizing::new(crypto::ntowfv2(&self.nt_hash, &self.user, &self.domain));
        let blob = crypto::client_blob(time, &entropy.client_challenge, &av_bytes);
        let proof = crypto::nt_proof(&key, &msg.server_challenge, &blob);
        let mut nt_response = proof.to_vec();
        nt_response.extend_from_slice(&blob);
        // With a MIC the LM response is Z(24) ([MS-NLMP] 3.1.5.1.2).
        let lm_response = if with_mic {
            vec![0; 24]
        } else {
            crypto::lmv2_response(&key, &msg.server_challenge, &entropy.client_challenge)
        };
        let session_key = crypto::session_base_key(&key, &proof);

        let flags = (msg.flags & CLIENT_FLAGS) | NegotiateFlags::UNICODE;
        let auth = AuthenticateMessage {
            lm_response,
            nt_response,
            domain: self.domain.clone(),
            user: self.user.clone(),
            workstation: self.workstation.clone(),
            encrypted_session_key: Vec::new(),
            flags,
            mic: [0; 16],
        };
        let mut bytes = auth.to_bytes()?;
        if with_mic {
            let mic = crypto::mic(&session_key, negotiate, challenge, &bytes);
            if let Some(slot) = bytes.get_mut(MIC_OFFSET..MIC_OFFSET + 16) {
                slot.copy_from_slice(&mic);
            }
        }
        self.session_key = Some(session_key);
        Ok(bytes)
    }

    /// The session key of the last completed exchange.
    pub fn session_key(&self) -> Option<&SessionKey> {
        self.session_key.as_ref()
    }
}
