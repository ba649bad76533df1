//! MIME for many messages at once: the cold FETCH of a client's first sync
//! (Thunderbird's `RFC822.SIZE BODY.PEEK[HEADER.FIELDS (…)]` over a whole
//! folder). The messages not in the cache are read
//! [`mapi_client::api::READS_PER_EXECUTE`] per Execute
//! ([`mapi_client::api::Mailbox::read_messages`]: the same
//! RopGetPropertiesAll and RopReadRecipients a single message is opened
//! with), then assembled and rendered by the code every other render goes
//! through ([`super::render::assemble`], [`super::render::store`]), so the
//! bytes are those a message opened alone gives.
//!
//! Why whole messages rather than header columns of a contents table:
//! RFC822.SIZE must be the exact size of `BODY[]` (clients compare them),
//! and the rendered header itself depends on the body (Content-Type and its
//! boundary, the transfer encoding), so neither can come from headers alone.

use std::collections::HashMap;
use std::sync::Arc;

use mapi_wire::ids::{FolderId as Fid, MessageId};
use mapi_wire::rop::RopId;

use super::account::Session;
use super::connect::api_error;
use super::render::{RenderTarget, assemble, cached, store};
use crate::error::MailboxError;

/// Messages read before they are rendered and their properties dropped, so
/// memory stays bounded whatever the FETCH covers; as many as the IMAP
/// layer asks at a time, so the group sizing of one read carries over.
const READ_AHEAD: usize = 512;

/// One message version to render.
pub(super) struct Version {
    /// The MID.
    pub(super) mid: MessageId,
    /// PidTagSourceKey.
    pub(super) source_key: Vec<u8>,
    /// PidTagChangeKey of the version.
    pub(super) change_key: Vec<u8>,
}

impl Version {
    fn target(&self, include_bcc: bool) -> RenderTarget<'_> {
        RenderTarget { mid: self.mid, source_key: &self.source_key, change_key: &self.change_key, include_bcc }
    }
}

/// The MIME of each version, from the cache or read in batches and
/// rendered (and cached); messages deleted meanwhile are left out.
pub(super) async fn render_versions(
    s: &Session,
    fid: Fid,
    include_bcc: bool,
    versions: &[Version],
) -> Result<HashMap<MessageId, Arc<[u8]>>, MailboxError> {
    let mut out = HashMap::with_capacity(versions.len());
    let mut missing: Vec<&Version> = Vec::new();
    for v in versions {
        match cached(s, &v.target(include_bcc)) {
            Some(bytes) => {
                out.insert(v.mid, bytes);
            }
            None => missing.push(v),
        }
    }
    for group in missing.chunks(READ_AHEAD) {
        let mids: Vec<MessageId> = group.iter().map(|v| v.mid).collect();
        let reads = s.mailbox.read_messages(fid, &mids).await.map_err(|e| api_error(e, "read messages"))?;
        for (v, read) in group.iter().zip(reads) {
            let read = match read {
                Ok(r) => r,
                Err(code) => match api_error(mapi_client::api::Error::Rop { rop: RopId::OPEN_MESSAGE, code }, "open") {
                    // Deleted since the last sync: the caller skips it.
                    MailboxError::NoSuchFolder(_) => continue,
                    e => return Err(e),
                },
            };
            let message = match assemble(s, fid, v.mid, &read.values, &read.recipients, &s.names).await {
                Ok(m) => m,
                // Gone while its attachments were read.
                Err(MailboxError::NoSuchFolder(_)) => continue,
                Err(e) => return Err(e),
            };
            out.insert(v.mid, store(s, &v.target(include_bcc), &message)?);
        }
    }
    Ok(out)
}
