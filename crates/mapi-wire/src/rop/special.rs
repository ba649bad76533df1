//! [MS-OXCROPS] 2.2.14.3 RopPending and 2.2.15.2 RopBackoff: responses that
//! answer no particular request ([MS-OXCROPS] 3.1.5.1, 3.2.4). RopBufferTooSmall
//! (2.2.15.1) lives with the ROP buffers (`rop::buffer`).

use crate::{
    codec::{Put, Reader, len_u16},
    error::{DecodeError, EncodeError},
    rop::{ResponseContext, RopId, RopResponseBody},
};

/// [MS-OXCROPS] 2.2.14.3 RopPending: more notifications are queued for the
/// session; always at the end of the RopsList (digest §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PendingResponse {
    /// SessionIndex of the session with pending notifications.
    pub session_index: u16,
}

impl RopResponseBody for PendingResponse {
    const ID: RopId = RopId::PENDING;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        Ok(Self { session_index: r.u16("SessionIndex")? })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u16(self.session_index);
        Ok(())
    }
}

/// [MS-OXCROPS] 2.2.15.2.1.1 BackoffRop: one throttled ROP and its delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BackoffRop {
    /// RopIdBackoff: the ROP that must be delayed.
    pub rop_id: RopId,
    /// Duration in milliseconds.
    pub duration: u32,
}

/// [MS-OXCROPS] 2.2.15.2 RopBackoff: the server asks the client to delay a
/// logon (`rops` empty) or some ROPs; the delayed ROP and every later one are
/// absent from the buffer ([MS-OXCROPS] 3.1.5.1.1).
///
/// Layout per [MS-OXCROPS] 2.2.15.2: `LogonId u8, Duration u32,
/// BackoffRopCount u8, BackoffRopData[] {RopIdBackoff u8, Duration u32},
/// AdditionalDataSize u16, AdditionalData` (the digest marked these widths
/// UNVERIFIED; no capture holds a RopBackoff).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BackoffResponse {
    /// LogonId of the throttled logon.
    pub logon_id: u8,
    /// Duration in milliseconds for the whole logon.
    pub duration: u32,
    /// BackoffRopData.
    pub rops: Vec<BackoffRop>,
    /// AdditionalData (opaque).
    pub additional_data: Vec<u8>,
}

impl RopResponseBody for BackoffResponse {
    const ID: RopId = RopId::BACKOFF;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let duration = r.u32("Duration")?;
        let n = r.u8("BackoffRopCount")? as usize;
        let n = r.count(n, 5, "BackoffRopData")?;
        let mut rops = Vec::with_capacity(n);
        for _ in 0..n {
            rops.push(BackoffRop { rop_id: RopId(r.u8("RopIdBackoff")?), duration: r.u32("Duration")? });
        }
        let size = r.u16("AdditionalDataSize")? as usize;
        let additional_data = r.bytes(size, "AdditionalData")?.to_vec();
        Ok(Self { logon_id, duration, rops, additional_data })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u32(self.duration);
        let n = u8::try_from(self.rops.len()).map_err(|_| EncodeError::TooLong {
            what: "BackoffRopCount",
            len: self.rops.len(),
            max: u8::MAX as usize,
        })?;
        w.put_u8(n);
        for rop in &self.rops {
            w.put_u8(rop.rop_id.0);
            w.put_u32(rop.duration);
        }
        w.put_u16(len_u16(self.additional_data.len(), "AdditionalData")?);
        w.put_bytes(&self.additional_data);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rop::misc::tests::*;
    use proptest::prelude::*;

    #[test]
    fn capture_043_pending_session_index_5() {
        // B17: RopPending = 6e 05 00 after one RopNotify when MaxRopOut is small.
        let payloads = execute_response_payloads("043-execute-empty-fetch-notifications-tv16-maxropout-0x60.resp.bin");
        let Some(p) = payloads.first() else { return };
        let rop_size = u16::from_le_bytes([p[0], p[1]]) as usize;
        let list = &p[2..rop_size];
        assert_eq!(&list[list.len() - 3..], &[0x6E, 0x05, 0x00]);
        let v: PendingResponse = response_known_answer(&list[list.len() - 3..], &ResponseContext::default());
        assert_eq!(v.session_index, 5);
    }

    #[test]
    fn backoff_spec_layout() {
        // [MS-OXCROPS] 2.2.15.2: logon 0 throttled 1000 ms, RopReadStream 500 ms, 2 bytes extra.
        let b = [0xF9, 0x00, 0xE8, 0x03, 0, 0, 0x01, 0x2C, 0xF4, 0x01, 0, 0, 0x02, 0x00, 0xAB, 0xCD];
        let v: BackoffResponse = response_known_answer(&b, &ResponseContext::default());
        assert_eq!(v.duration, 1000);
        assert_eq!(v.rops, [BackoffRop { rop_id: RopId::READ_STREAM, duration: 500 }]);
        assert_eq!(v.additional_data, [0xAB, 0xCD]);
    }

    proptest! {
        #[test]
        fn special_responses_round_trip(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            response_bytes_round_trip::<PendingResponse>(&b);
            response_bytes_round_trip::<BackoffResponse>(&b);
        }

        #[test]
        fn backoff_values_round_trip(
            logon_id in any::<u8>(), duration in any::<u32>(),
            rops in proptest::collection::vec((any::<u8>(), any::<u32>()), 0..5),
            additional_data in proptest::collection::vec(any::<u8>(), 0..8),
        ) {
            let v = BackoffResponse {
                logon_id, duration, additional_data,
                rops: rops.into_iter().map(|(id, d)| BackoffRop { rop_id: RopId(id), duration: d }).collect(),
            };
            response_round_trip(&v, &ResponseContext::default());
        }
    }
}
