//! Known answers from [MS-NLMP] 4.2.4 (NTLMv2 authentication), round trips between our
//! client and server, and hostile inputs.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use crate::crypto;
use crate::*;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn h16(s: &str) -> [u8; 16] {
    h(s).try_into().unwrap()
}

/// [MS-NLMP] 4.2.4.3 CHALLENGE_MESSAGE (server "Server", domain "Domain").
const SPEC_CHALLENGE: &str = "4e544c4d53535000 02000000 0c000c00 38000000 33828ae2 \
    0123456789abcdef 0000000000000000 24002400 44000000 06007017 0000000f \
    530065007200760065007200 \
    02000c00 44006f006d00610069006e00 01000c00 530065007200760065007200 00000000";

/// [MS-NLMP] 4.2.4 target info: MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server".
const SPEC_AV_PAIRS: &str = "02000c00 44006f006d00610069006e00 01000c00 530065007200760065007200 00000000";

#[test]
fn ms_nlmp_4_2_2_1_2_ntowfv1_of_password() {
    assert_eq!(NtHash::from_password("Password").as_bytes(), &h16("a4f49c406510bdcab6824ee7c30fd852"));
}

#[test]
fn ms_nlmp_4_2_4_1_1_ntowfv2() {
    let nt = NtHash::from_password("Password");
    assert_eq!(crypto::ntowfv2(&nt, "User", "Domain"), h16("0c868a403bfd7a93a3001ef22ef02e3f"));
    // Uppercase(User): the user name's case does not matter, the domain's does.
    assert_eq!(crypto::ntowfv2(&nt, "user", "Domain"), crypto::ntowfv2(&nt, "USER", "Domain"));
    assert_ne!(crypto::ntowfv2(&nt, "User", "Domain"), crypto::ntowfv2(&nt, "User", "DOMAIN"));
}

#[test]
fn ms_nlmp_4_2_4_2_ntlmv2_responses_and_session_base_key() {
    let key = h16("0c868a403bfd7a93a3001ef22ef02e3f");
    let server = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
    let client = [0xaa; 8];
    assert_eq!(crypto::lmv2_response(&key, &server, &client), h("86c35097ac9cec102554764a57cccc19 aaaaaaaaaaaaaaaa"));
    let blob = crypto::client_blob(0, &client, &h(SPEC_AV_PAIRS));
    let proof = crypto::nt_proof(&key, &server, &blob);
    assert_eq!(proof, h16("68cd0ab851e51c96aabc927bebef6a1c"));
    assert_eq!(crypto::session_base_key(&key, &proof).as_bytes(), &h16("8de40ccadbc14a82f15cb0ad0de95ca3"));
}

#[test]
fn ms_nlmp_4_2_4_3_challenge_message_decodes() {
    let c = ChallengeMessage::decode(&h(SPEC_CHALLENGE)).unwrap();
    assert_eq!(c.target_name, "Server");
    assert_eq!(c.flags, NegotiateFlags(0xe28a_8233));
    assert_eq!(c.server_challenge, [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]);
    assert_eq!(c.target_info.name(AvId::NB_DOMAIN_NAME).unwrap(), "Domain");
    assert_eq!(c.target_info.name(AvId::NB_COMPUTER_NAME).unwrap(), "Server");
    assert_eq!(c.target_info.timestamp(), None);
    assert_eq!(c.target_info.to_bytes().unwrap(), h(SPEC_AV_PAIRS));
}

#[test]
fn ms_nlmp_4_2_4_3_client_answers_the_spec_challenge_with_the_spec_responses() {
    let mut client = Client::new("User", "Domain", "Password").workstation("COMPUTER");
    let negotiate = client.negotiate();
    assert_eq!(negotiate.get(..12).unwrap(), b"NTLMSSP\0\x01\0\0\0");
    let auth =
        client.authenticate_with(&h(SPEC_CHALLENGE), ClientEntropy { client_challenge: [0xaa; 8], time: 0 }).unwrap();
    let m = AuthenticateMessage::decode(&auth).unwrap();
    assert_eq!(m.lm_response, h("86c35097ac9cec102554764a57cccc19 aaaaaaaaaaaaaaaa"));
    // 4.2.4.3 NtChallengeResponse: NTProofStr then the temp blob.
    let mut nt = h("68cd0ab851e51c96aabc927bebef6a1c");
    nt.extend(h("0101000000000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000"));
    nt.extend(h(SPEC_AV_PAIRS));
    nt.extend([0, 0, 0, 0]);
    assert_eq!(m.nt_response, nt);
    assert_eq!((m.user.as_str(), m.domain.as_str()), ("User", "Domain"));
    assert_eq!(m.workstation, "COMPUTER");
    assert!(m.encrypted_session_key.is_empty());
    assert!(!m.flags.contains(NegotiateFlags::KEY_EXCH));
    assert!(!m.flags.contains(NegotiateFlags::SEAL));
    assert_eq!(m.mic, [0; 16], "no MsvAvTimestamp, so no MIC");
    assert_eq!(client.session_key().unwrap().as_bytes(), &h16("8de40ccadbc14a82f15cb0ad0de95ca3"));
}

fn exchange(password: &str, stored: &str) -> Result<Authenticated, Error> {
    let server = Server::default();
    let mut client = Client::from_login("EXAMPLE\\alice", password);
    let (state, challenge) = server.challenge(&client.negotiate())?;
    let auth = client.authenticate(&challenge)?;
    server.verify(state, &auth, |user, domain| {
        (user == "alice" && domain == "EXAMPLE").then(|| NtHash::from_password(stored))
    })
}

#[test]
fn round_trip_with_mic_verifies_and_keys_agree() {
    let server = Server::default();
    let mut client = Client::new("alice", "EXAMPLE", "alice123");
    let (state, challenge) = server.challenge(&client.negotiate()).unwrap();
    let parsed = ChallengeMessage::decode(&challenge).unwrap();
    assert!(parsed.target_info.timestamp().is_some());
    assert_eq!(parsed.target_info.name(AvId::DNS_DOMAIN_NAME).unwrap(), "example.test");
    let auth = client.authenticate(&challenge).unwrap();
    let m = AuthenticateMessage::decode(&auth).unwrap();
    assert_ne!(m.mic, [0; 16]);
    assert_eq!(m.lm_response, vec![0; 24], "Z(24) LM response with a MIC");
    let ok = server.verify(state, &auth, |_, _| Some(NtHash::from_password("alice123"))).unwrap();
    assert_eq!(ok.user, "alice");
    assert!(ok.mic_verified);
    assert_eq!(ok.session_key.as_bytes(), client.session_key().unwrap().as_bytes());
}

#[test]
fn wrong_password_and_unknown_user_are_denied() {
    assert!(exchange("alice123", "alice123").is_ok());
    assert_eq!(exchange("alice124", "alice123").unwrap_err(), Error::Denied);
    assert_eq!(exchange("", "alice123").unwrap_err(), Error::Denied);
    let server = Server::default();
    let mut client = Client::new("mallory", "EXAMPLE", "x");
    let (state, challenge) = server.challenge(&client.negotiate()).unwrap();
    let auth = client.authenticate(&challenge).unwrap();
    assert_eq!(server.verify(state, &auth, |_, _| None).unwrap_err(), Error::Denied);
}

#[test]
fn every_tampered_byte_is_refused() {
    let server = Server::default();
    let mut client = Client::new("alice", "EXAMPLE", "alice123");
    let negotiate = client.negotiate();
    let (_, challenge) = server.challenge_with(&negotiate, [7; 8], 133_000_000_000_000_000).unwrap();
    let auth = client.authenticate(&challenge).unwrap();
    for i in 0..auth.len() {
        for bit in [0x01u8, 0x80] {
            let mut t = auth.clone();
            t[i] ^= bit;
            let (state, _) = server.challenge_with(&negotiate, [7; 8], 133_000_000_000_000_000).unwrap();
            let r = server.verify(state, &t, |_, _| Some(NtHash::from_password("alice123")));
            assert!(r.is_err(), "flipping bit {bit:#x} of byte {i} was accepted");
        }
    }
}

#[test]
fn a_response_to_another_challenge_is_refused() {
    let server = Server::default();
    let mut client = Client::new("alice", "EXAMPLE", "alice123");
    let negotiate = client.negotiate();
    let (_, challenge) = server.challenge(&negotiate).unwrap();
    let auth = client.authenticate(&challenge).unwrap();
    let (other, _) = server.challenge(&negotiate).unwrap();
    assert_eq!(server.verify(other, &auth, |_, _| Some(NtHash::from_password("alice123"))).unwrap_err(), Error::Denied);
}

#[test]
fn stale_time_is_refused() {
    let server = Server::default();
    let mut client = Client::new("alice", "EXAMPLE", "alice123");
    let negotiate = client.negotiate();
    // A client that ignores the timestamp: the spec challenge has none, so the client uses
    // its own (zero) time; the server's state says "now".
    let (state, _) = server.challenge(&negotiate).unwrap();
    let mut spec = ChallengeMessage::decode(&h(SPEC_CHALLENGE)).unwrap();
    spec.server_challenge = [9; 8];
    let auth = client
        .authenticate_with(&spec.to_bytes().unwrap(), ClientEntropy { client_challenge: [1; 8], time: 0 })
        .unwrap();
    assert!(server.verify(state, &auth, |_, _| Some(NtHash::from_password("alice123"))).is_err());
}

#[test]
fn authenticate_before_negotiate_is_out_of_order() {
    let mut client = Client::new("a", "b", "c");
    assert!(matches!(client.authenticate(&h(SPEC_CHALLENGE)), Err(Error::OutOfOrder { .. })));
}

#[test]
fn secrets_do_not_print() {
    let c = Client::new("alice", "EXAMPLE", "hunter2");
    let s = format!("{c:?} {:?}", NtHash::from_password("hunter2"));
    assert!(!s.contains("hunter2"));
    assert!(s.contains("redacted") || !s.contains("nt_hash"));
}

#[test]
fn hostile_lengths_and_offsets_are_malformed() {
    let good = h(SPEC_CHALLENGE);
    // TargetInfo length beyond the message.
    let mut t = good.clone();
    t[40] = 0xff;
    t[41] = 0xff;
    assert!(matches!(ChallengeMessage::decode(&t), Err(Error::Malformed { .. })));
    // Offset near u32::MAX.
    let mut t = good.clone();
    t[44..48].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(ChallengeMessage::decode(&t), Err(Error::Malformed { .. })));
    // AV pair length past the end of the target info.
    let mut t = good.clone();
    t[70] = 0xf0;
    assert!(ChallengeMessage::decode(&t).is_err());
    // Every truncation fails cleanly.
    for n in 0..good.len() {
        assert!(ChallengeMessage::decode(&good[..n]).is_err(), "prefix {n}");
    }
    // Oversized input is refused before parsing.
    let mut big = good.clone();
    big.resize(MAX_MESSAGE_LEN + 1, 0);
    assert!(ChallengeMessage::decode(&big).is_err());
}

proptest! {
    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = NegotiateMessage::decode(&bytes);
        let _ = ChallengeMessage::decode(&bytes);
        let _ = AuthenticateMessage::decode(&bytes);
        let _ = TargetInfo::decode(&bytes);
    }

    #[test]
    fn decoders_never_panic_with_a_valid_prefix(tail in proptest::collection::vec(any::<u8>(), 0..300), ty in 1u8..4) {
        let mut bytes = b"NTLMSSP\0".to_vec();
        bytes.extend([ty, 0, 0, 0]);
        bytes.extend(tail);
        let _ = ChallengeMessage::decode(&bytes);
        if let Ok(m) = AuthenticateMessage::decode(&bytes) {
            // Whatever decodes re-encodes without panicking.
            let _ = m.to_bytes();
        }
        let (state, _) = Server::default().challenge(&Client::new("a", "b", "c").negotiate()).unwrap();
        let r = Server::default().verify(state, &bytes, |_, _| Some(NtHash::from_password("c")));
        prop_assert!(r.is_err());
    }

    #[test]
    fn authenticate_round_trips(user in "[a-zA-Z0-9.]{1,20}", domain in "[A-Z]{0,10}", ws in "[A-Z0-9]{0,15}", lm in proptest::collection::vec(any::<u8>(), 0..30), nt in proptest::collection::vec(any::<u8>(), 0..100), mic in any::<[u8; 16]>()) {
        let m = AuthenticateMessage {
            lm_response: lm, nt_response: nt, domain, user, workstation: ws,
            encrypted_session_key: Vec::new(), flags: NegotiateFlags::UNICODE, mic,
        };
        prop_assert_eq!(AuthenticateMessage::decode(&m.to_bytes().unwrap()).unwrap(), m);
    }
}
