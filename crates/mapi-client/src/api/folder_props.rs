//! Reading and setting a folder's own properties (PidTagContainerClass of a new
//! calendar, PidTagComment, named properties): RopOpenFolder +
//! RopSetProperties + RopRelease in one Execute ([MS-OXCFOLD] 2.2.1.1,
//! [MS-OXCPRPT] 2.2.5 RopSetProperties).

use mapi_wire::PropTag;
use mapi_wire::ids::FolderId;
use mapi_wire::prop_value::TaggedValue;
use mapi_wire::rop::{GetPropertiesSpecificRequest, RopRequest, RopResponse, SetPropertiesRequest};

use super::bulk::{open_folder, release};
use super::exec::check;
use super::props::row_values;
use super::store::{Mailbox, Repeat};
use super::{Error, Result};

impl Mailbox {
    /// Sets `values` on `folder`; a property the server refuses is an
    /// [`Error::Protocol`] naming it.
    pub async fn set_folder_properties(&self, folder: FolderId, values: &[TaggedValue]) -> Result<()> {
        let a = self
            .run(Repeat::Idempotent, 2, |_| {
                vec![
                    open_folder(1, folder),
                    RopRequest::SetProperties(SetPropertiesRequest {
                        logon_id: 0,
                        input_handle_index: 1,
                        values: values.to_vec(),
                    }),
                    release(1),
                ]
            })
            .await?;
        for r in a.rops.iter().flatten() {
            check(r)?;
        }
        match a.at(1)? {
            RopResponse::SetProperties(s) if s.problems.as_ref().is_some_and(|p| !p.is_empty()) => {
                Err(Error::Protocol(format!("folder properties not set: {:?}", s.problems)))
            }
            _ => Ok(()),
        }
    }

    /// The values of `tags` on `folder` (RopOpenFolder +
    /// RopGetPropertiesSpecific); properties the folder lacks are left out.
    pub async fn folder_properties(&self, folder: FolderId, tags: &[PropTag]) -> Result<Vec<TaggedValue>> {
        let a = self
            .run(Repeat::Idempotent, 2, |_| {
                vec![
                    open_folder(1, folder),
                    RopRequest::GetPropertiesSpecific(GetPropertiesSpecificRequest {
                        logon_id: 0,
                        input_handle_index: 1,
                        property_size_limit: 0,
                        want_unicode: 1,
                        property_tags: tags.to_vec(),
                    }),
                    release(1),
                ]
            })
            .await?;
        check(a.at(0)?)?;
        match a.at(1)? {
            RopResponse::GetPropertiesSpecific(g) => Ok(g
                .row
                .as_ref()
                .map(|row| row_values(&g.columns, row))
                .unwrap_or_default()
                .into_iter()
                .filter(|v| !matches!(v.value, mapi_wire::prop_value::PropValue::Error(_)))
                .collect()),
            other => Err(Error::Protocol(format!("expected RopGetPropertiesSpecific, got {}", other.id()))),
        }
    }
}
