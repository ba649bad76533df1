//! MIME on demand: open the message (properties, recipients, attachments),
//! render it with `convert::to_mime`, cache it per item and change key. The
//! bytes served are the bytes measured, so RFC822.SIZE is exact.

use std::sync::Arc;

use convert::{Attachment, Message, PropertyBag, Recipient, RenderOptions};
use mapi_client::api::ObjectPath;
use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId as Fid, MessageId};
use mapi_wire::prop_value::PropValue;
use mapi_wire::recipient::RecipientAddress;
use state::ChangeKey;

use super::account::Session;
use super::connect::api_error;
use super::props::{bag_of_values, cell, item_key};
use crate::error::MailboxError;

/// PidTagAttachMethod `afEmbeddedMessage`.
const ATTACH_EMBEDDED: i32 = 5;

/// One message version to render.
pub(super) struct RenderTarget<'a> {
    pub(super) mid: MessageId,
    pub(super) source_key: &'a [u8],
    pub(super) change_key: &'a [u8],
    /// Render Bcc (the user's own copies: Drafts, Sent Items).
    pub(super) include_bcc: bool,
}

/// The cache's key and version of a target: the Bcc choice is part of what
/// is cached.
fn cache_key(t: &RenderTarget<'_>) -> (state::ItemKey, ChangeKey) {
    let mut version = t.change_key.to_vec();
    version.push(u8::from(t.include_bcc));
    (item_key(t.mid), ChangeKey::new(version))
}

/// The cached MIME of a target's version, if any.
pub(super) fn cached(s: &Session, t: &RenderTarget<'_>) -> Option<Arc<[u8]>> {
    let (key, ck) = cache_key(t);
    s.cache.get(&key, &ck)
}

/// Renders an opened message and caches the bytes: the one place MIME is
/// made from a message, whichever way it was read.
pub(super) fn store(s: &Session, t: &RenderTarget<'_>, message: &Message) -> Result<Arc<[u8]>, MailboxError> {
    let mut identity = t.source_key.to_vec();
    identity.extend_from_slice(t.change_key);
    let opts = RenderOptions { identity: &identity, include_bcc: t.include_bcc, ..RenderOptions::default() };
    let bytes: Arc<[u8]> = convert::to_mime(message, &opts)
        .map_err(|e| MailboxError::Internal(format!("cannot render message {:?}: {e}", t.mid)))?
        .into();
    let (key, ck) = cache_key(t);
    s.cache.insert(key, ck, bytes.clone());
    Ok(bytes)
}

/// Reads a whole message (GetPropertiesAll, ReadRecipients, the attachment
/// table and each attachment's properties), named properties known through
/// `names`.
pub(super) async fn open_with(
    s: &Session,
    fid: Fid,
    mid: MessageId,
    names: &std::collections::HashMap<u16, convert::NamedKey>,
) -> Result<Message, MailboxError> {
    let mb = &s.mailbox;
    let what = "open message";
    let values = mb.message_properties(fid, mid, None).await.map_err(|e| api_error(e, what))?;
    let recipients = mb.recipients(fid, mid).await.map_err(|e| api_error(e, what))?;
    assemble(s, fid, mid, &values, &recipients, names).await
}

/// A message from its properties and recipients as RopGetPropertiesAll and
/// RopReadRecipients gave them; the attachments are read here.
pub(super) async fn assemble(
    s: &Session,
    fid: Fid,
    mid: MessageId,
    values: &[mapi_wire::prop_value::TaggedValue],
    recipients: &[mapi_client::api::Recipient],
    names: &std::collections::HashMap<u16, convert::NamedKey>,
) -> Result<Message, MailboxError> {
    let mb = &s.mailbox;
    let what = "open message";
    let props = bag_of_values(values, names);
    let recipients = recipients.iter().map(|r| Recipient { props: recipient_bag(r) }).collect();
    let has_attachments = matches!(props.get(PropTag::HAS_ATTACHMENTS), Some(PropValue::Bool(true)))
        || props.i32(PropTag::MESSAGE_FLAGS).is_some_and(|f| f & 0x10 != 0);
    let mut attachments = Vec::new();
    if has_attachments {
        let table = mb
            .attachment_table(fid, mid, &[PropTag::ATTACH_NUMBER, PropTag::ATTACH_METHOD], 0x0FFF)
            .await
            .map_err(|e| api_error(e, what))?;
        for row in &table.rows {
            let Some(PropValue::I32(num)) = cell(row, 0) else { continue };
            let num = u32::try_from(*num).unwrap_or(0);
            let path = ObjectPath::Attachment { folder: fid, mid, num };
            let values = mb.properties(path, None).await.map_err(|e| api_error(e, what))?;
            let props = bag_of_values(&values, names);
            let embedded = if matches!(cell(row, 1), Some(PropValue::I32(ATTACH_EMBEDDED))) {
                let path = ObjectPath::Embedded { folder: fid, mid, num };
                let values = mb.properties(path, None).await.map_err(|e| api_error(e, what))?;
                Some(Box::new(Message { props: bag_of_values(&values, names), ..Message::default() }))
            } else {
                None
            };
            attachments.push(Attachment { props, embedded });
        }
    }
    Ok(Message { props, recipients, attachments })
}

/// A recipient row as recipient properties: the fixed fields (type, name,
/// address) first, then the row's column properties fill what they lack —
/// notably PidTagSmtpAddress of an Exchange (X500) recipient.
fn recipient_bag(r: &mapi_client::api::Recipient) -> PropertyBag {
    let mut bag = PropertyBag::new();
    let row = &r.row;
    let put = |bag: &mut PropertyBag, tag: PropTag, v: String| {
        let _ = bag.insert(tag, PropValue::String(v));
    };
    let _ = bag.insert(PropTag::RECIPIENT_TYPE, PropValue::I32(i32::from(r.recipient_type.0 & 0x0F)));
    if let Some(n) = row.display_name.as_ref().or(row.transmittable_display_name.as_ref()) {
        put(&mut bag, PropTag::DISPLAY_NAME, n.text().into_owned());
    }
    if let Some(e) = &row.email {
        let email = e.text().into_owned();
        let address_type = match &row.address {
            RecipientAddress::Smtp => {
                put(&mut bag, PropTag::SMTP_ADDRESS, email.clone());
                "SMTP".to_owned()
            }
            RecipientAddress::X500Dn { .. } => "EX".to_owned(),
            RecipientAddress::NoType { address_type: Some(t) } => String::from_utf8_lossy(t).into_owned(),
            _ if email.contains('@') => {
                put(&mut bag, PropTag::SMTP_ADDRESS, email.clone());
                "SMTP".to_owned()
            }
            _ => String::new(),
        };
        put(&mut bag, PropTag::EMAIL_ADDRESS, email);
        if !address_type.is_empty() {
            put(&mut bag, PropTag::ADDRESS_TYPE, address_type);
        }
    }
    for v in r.properties() {
        let empty = matches!(&v.value, PropValue::String(x) if x.is_empty());
        if !empty && bag.get(v.tag).is_none() {
            let _ = bag.insert(v.tag, v.value);
        }
    }
    bag
}
