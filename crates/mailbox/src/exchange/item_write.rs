//! Writing a DAV item (an event, task or contact converted from iCalendar or
//! vCard) as a whole MAPI message: properties with named ones mapped to this
//! mailbox's ids, the recipient table (attendees), and attachments with
//! their embedded messages (exceptions of a series, [MS-OXOCAL] 2.2.10.1.1)
//! or data (the contact photo, [MS-OXOCNTC] 2.2.1.8.1).
//!
//! A PUT replaces the resource (RFC 9110 §9.3.4): attendees, exceptions and
//! the photo become exactly what the client sent, and the properties the
//! client dropped are deleted — those a DAV representation carries (the
//! catalogued named properties and the plain content tags below), never the
//! store's own.

use std::collections::{HashMap, HashSet};

use convert::{Message, NamedKey, PropertyBag};
use mapi_client::api::{ItemAttachment, ItemContent};
use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId as Fid, MessageId};
use mapi_wire::prop_value::{PropValue, PropertyRow, TaggedValue};
use mapi_wire::recipient::RecipientRow;
use mapi_wire::rop::{ModifyRecipientRow, RecipientRowBytes, RecipientType};

use super::account::Session;
use super::connect::api_error;
use super::props::{cell, property_name};
use crate::error::MailboxError;

/// Plain (non-named) property ids a calendar or contact representation
/// carries, below the contact range: body forms, sensitivity, importance,
/// start and end dates.
const CONTENT_IDS: [u16; 7] = [0x1000, 0x1009, 0x1013, 0x0036, 0x0017, 0x0060, 0x0061];
/// [MS-OXOCNTC] contact properties (names, phones, addresses, birthday…).
const CONTACT_IDS: std::ops::RangeInclusive<u16> = 0x3A00..=0x3AFF;

/// Whether a property of the old version that the new one lacks is deleted.
fn owned_by_representation(id: u16, catalogued: &HashMap<u16, NamedKey>) -> bool {
    if id >= 0x8000 {
        return catalogued.contains_key(&id);
    }
    CONTENT_IDS.contains(&id) || CONTACT_IDS.contains(&id)
}

/// Every named property of the message, its recipients, attachments and
/// embedded messages.
fn named_keys(message: &Message, out: &mut Vec<NamedKey>) {
    out.extend(message.props.named_keys().cloned());
    for r in &message.recipients {
        out.extend(r.props.named_keys().cloned());
    }
    for a in &message.attachments {
        out.extend(a.props.named_keys().cloned());
        if let Some(e) = &a.embedded {
            named_keys(e, out);
        }
    }
}

fn values(bag: &PropertyBag, ids: &HashMap<NamedKey, u16>) -> Result<Vec<TaggedValue>, MailboxError> {
    Ok(bag
        .to_wire(|k| ids.get(k).copied())
        .map_err(|e| MailboxError::Internal(format!("property mapping: {e}")))?
        .into_iter()
        .filter(|(t, _)| *t != PropTag::MESSAGE_SIZE)
        .map(|(tag, v)| TaggedValue { tag, value: v.clone() })
        .collect())
}

/// RopModifyRecipients rows of the message's SMTP recipients.
fn recipient_rows(message: &Message) -> Result<Vec<ModifyRecipientRow>, MailboxError> {
    let cols = [PropTag::SMTP_ADDRESS];
    let mut rows = Vec::new();
    for r in &message.recipients {
        let Some(addr) = r
            .props
            .non_empty_string(PropTag::SMTP_ADDRESS)
            .or_else(|| r.props.non_empty_string(PropTag::EMAIL_ADDRESS))
        else {
            continue;
        };
        let name = r.props.non_empty_string(PropTag::DISPLAY_NAME).unwrap_or_else(|| addr.clone());
        let ty = u8::try_from(r.props.i32(PropTag::RECIPIENT_TYPE).unwrap_or(1) & 0x0F).unwrap_or(1);
        let row = RecipientRow::smtp(&name, &addr, PropertyRow::Standard(vec![PropValue::String(addr.to_string())]));
        rows.push(ModifyRecipientRow {
            row_id: u32::try_from(rows.len()).unwrap_or(u32::MAX),
            recipient_type: RecipientType::from(ty),
            row: RecipientRowBytes::from_row(Some(&row), &cols)
                .map_err(|e| MailboxError::Invalid(format!("recipient {addr}: {e}")))?,
        });
    }
    Ok(rows)
}

fn content_of(message: &Message, ids: &HashMap<NamedKey, u16>) -> Result<ItemContent, MailboxError> {
    let mut attachments = Vec::new();
    for a in &message.attachments {
        let embedded = match &a.embedded {
            Some(e) => Some(ItemContent {
                properties: values(&e.props, ids)?,
                recipient_columns: vec![PropTag::SMTP_ADDRESS],
                recipients: recipient_rows(e)?,
                attachments: Vec::new(),
            }),
            None => None,
        };
        attachments.push(ItemAttachment { properties: values(&a.props, ids)?, embedded });
    }
    Ok(ItemContent {
        properties: values(&message.props, ids)?,
        recipient_columns: vec![PropTag::SMTP_ADDRESS],
        recipients: recipient_rows(message)?,
        attachments,
    })
}

impl Session {
    /// The message as [`ItemContent`] for this mailbox (named properties
    /// resolved, created where missing).
    pub(super) async fn item_content(&self, message: &Message) -> Result<ItemContent, MailboxError> {
        let mut keys = Vec::new();
        named_keys(message, &mut keys);
        keys.sort();
        keys.dedup();
        // Names this session mapped already cost no round trip: a PUT of
        // the same kind of item as the last one resolves nothing.
        if let Some(ids) = self.dav.known_ids(&keys).await {
            return content_of(message, &ids);
        }
        let names: Vec<_> = keys.iter().map(property_name).collect();
        let ids = if names.is_empty() {
            Vec::new()
        } else {
            self.mailbox.property_ids(&names, true).await.map_err(|e| api_error(e, "named properties"))?
        };
        let ids: HashMap<NamedKey, u16> = keys.into_iter().zip(ids).filter(|(_, id)| *id >= 0x8000).collect();
        self.dav.learn_names(&ids).await;
        content_of(message, &ids)
    }

    /// Makes message `mid` exactly `message`: properties (dropped ones
    /// deleted), recipients and attachments rewritten. `catalogued` maps this
    /// mailbox's named ids to their names. With `if_change_key`, only if
    /// the message is still at that version (read with the properties the
    /// rewrite needs anyway, so an If-Match costs no round trip); false
    /// when it is not, and nothing was written.
    pub(super) async fn replace_item(
        &self,
        fid: Fid,
        mid: MessageId,
        message: &Message,
        catalogued: &HashMap<u16, NamedKey>,
        if_change_key: Option<&[u8]>,
    ) -> Result<bool, MailboxError> {
        let what = "replace item";
        let content = self.item_content(message).await?;
        let old = self.mailbox.message_properties(fid, mid, None).await.map_err(|e| api_error(e, what))?;
        if let Some(want) = if_change_key {
            let have = old.iter().find(|v| v.tag == PropTag::CHANGE_KEY).and_then(|v| match &v.value {
                PropValue::Binary(b) => Some(b.as_slice()),
                _ => None,
            });
            if have.is_some_and(|have| have != want) {
                return Ok(false);
            }
        }
        let new_ids: HashSet<u16> = content.properties.iter().map(|v| v.tag.id()).collect();
        let delete: Vec<PropTag> = old
            .iter()
            .filter(|v| !matches!(v.value, PropValue::Error(_)))
            .map(|v| v.tag)
            .filter(|t| !new_ids.contains(&t.id()) && owned_by_representation(t.id(), catalogued))
            .collect();
        let has_attachments = old.iter().any(|v| {
            (v.tag == PropTag::HAS_ATTACHMENTS && v.value == PropValue::Bool(true))
                || (v.tag == PropTag::MESSAGE_FLAGS && matches!(v.value, PropValue::I32(f) if f & 0x10 != 0))
        });
        let mut numbers = Vec::new();
        if has_attachments {
            let table = self
                .mailbox
                .attachment_table(fid, mid, &[PropTag::ATTACH_NUMBER], 0x0FFF)
                .await
                .map_err(|e| api_error(e, what))?;
            numbers.extend(table.rows.iter().filter_map(|r| match cell(r, 0) {
                Some(PropValue::I32(n)) => u32::try_from(*n).ok(),
                _ => None,
            }));
        }
        self.mailbox.replace_message(fid, mid, &content, &delete, &numbers).await.map_err(|e| api_error(e, what))?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_representation_properties_are_deleted() {
        let mut catalogued = HashMap::new();
        catalogued.insert(0x8010, NamedKey::lid(mapi_wire::Guid([0; 16]), 0x8208));
        assert!(owned_by_representation(0x8010, &catalogued), "a catalogued named property");
        assert!(!owned_by_representation(0x8011, &catalogued), "a named property nobody catalogued");
        assert!(owned_by_representation(0x1000, &catalogued), "the body");
        assert!(owned_by_representation(0x3A1C, &catalogued), "a contact's mobile phone");
        assert!(!owned_by_representation(0x001A, &catalogued), "the message class");
        assert!(!owned_by_representation(0x0E07, &catalogued), "the message flags");
    }
}
