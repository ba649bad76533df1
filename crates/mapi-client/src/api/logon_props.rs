//! Properties of the logon (store) object ([MS-OXCSTOR] 2.2.2, [MS-OXPROPS]): read with
//! RopGetPropertiesSpecific on the logon handle, e.g. the mailbox size and its quotas.

use mapi_wire::PropTag;
use mapi_wire::prop_value::{FlaggedValue, PropValue, PropertyRow, TaggedValue};
use mapi_wire::rop::{GetPropertiesSpecificRequest, RopId, RopRequest, RopResponse};

use super::store::{Mailbox, Repeat};
use super::{Error, Result};

/// PidTagMessageSizeExtended: bytes in the store ([MS-OXPROPS] 2.797).
pub const PID_TAG_MESSAGE_SIZE_EXTENDED: PropTag = PropTag(0x0E08_0014);
/// PidTagProhibitSendQuota: KiB above which sending is refused ([MS-OXPROPS] 2.876).
pub const PID_TAG_PROHIBIT_SEND_QUOTA: PropTag = PropTag(0x666E_0003);
/// PidTagProhibitReceiveQuota: KiB above which delivery is refused ([MS-OXPROPS] 2.875).
pub const PID_TAG_PROHIBIT_RECEIVE_QUOTA: PropTag = PropTag(0x666A_0003);
/// PidTagStorageQuotaLimit: KiB above which a warning is sent ([MS-OXPROPS] 2.1025).
pub const PID_TAG_STORAGE_QUOTA_LIMIT: PropTag = PropTag(0x3FF5_0003);

/// The store's size and limits; None where the server has no value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreQuota {
    /// Bytes in use (PidTagMessageSizeExtended).
    pub used: Option<u64>,
    /// PidTagProhibitSendQuota in bytes.
    pub prohibit_send: Option<u64>,
    /// PidTagProhibitReceiveQuota in bytes.
    pub prohibit_receive: Option<u64>,
    /// PidTagStorageQuotaLimit (the warning level) in bytes.
    pub warning: Option<u64>,
}

impl Mailbox {
    /// [MS-OXCROPS] 2.2.8.3 RopGetPropertiesSpecific on the logon: the values of
    /// `tags` the store has (missing ones and errors are left out).
    pub async fn store_properties(&self, tags: &[PropTag]) -> Result<Vec<TaggedValue>> {
        let a = self
            .run(Repeat::Idempotent, 1, |_| {
                vec![RopRequest::GetPropertiesSpecific(GetPropertiesSpecificRequest {
                    logon_id: 0,
                    input_handle_index: 0,
                    property_size_limit: self.options.property_size_limit,
                    want_unicode: 1,
                    property_tags: tags.to_vec(),
                })]
            })
            .await?;
        let row = match a.at(0)? {
            RopResponse::GetPropertiesSpecific(r) => match &r.row {
                Some(row) => row.clone(),
                None => return Err(Error::Rop { rop: RopId::GET_PROPERTIES_SPECIFIC, code: r.return_value }),
            },
            other => return Err(Error::Protocol(format!("expected RopGetPropertiesSpecific, got {}", other.id()))),
        };
        let values: Vec<Option<PropValue>> = match row {
            PropertyRow::Standard(v) => v.into_iter().map(Some).collect(),
            PropertyRow::Flagged(v) => v
                .into_iter()
                .map(|f| match f {
                    FlaggedValue::Value(v) => Some(v),
                    _ => None,
                })
                .collect(),
        };
        Ok(tags
            .iter()
            .zip(values)
            .filter_map(|(tag, v)| match v? {
                PropValue::Error(_) => None,
                value => Some(TaggedValue { tag: *tag, value }),
            })
            .collect())
    }

    /// The store's size and quotas ([`StoreQuota`]) in one Execute.
    pub async fn quota(&self) -> Result<StoreQuota> {
        let tags = [
            PID_TAG_MESSAGE_SIZE_EXTENDED,
            PID_TAG_PROHIBIT_SEND_QUOTA,
            PID_TAG_PROHIBIT_RECEIVE_QUOTA,
            PID_TAG_STORAGE_QUOTA_LIMIT,
        ];
        let values = self.store_properties(&tags).await?;
        let get = |t: PropTag| -> Option<u64> {
            let v = values.iter().find(|v| v.tag == t)?;
            // The size is a PtypInteger64 in bytes, the quotas PtypInteger32 in KiB.
            let n = match &v.value {
                PropValue::I64(n) => u64::try_from(*n).ok()?,
                PropValue::I32(n) => u64::try_from(*n).ok()?.saturating_mul(1024),
                _ => return None,
            };
            Some(n)
        };
        Ok(StoreQuota {
            used: get(PID_TAG_MESSAGE_SIZE_EXTENDED),
            prohibit_send: get(PID_TAG_PROHIBIT_SEND_QUOTA),
            prohibit_receive: get(PID_TAG_PROHIBIT_RECEIVE_QUOTA),
            warning: get(PID_TAG_STORAGE_QUOTA_LIMIT),
        })
    }
}
