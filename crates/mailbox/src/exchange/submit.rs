//! SMTP submission through Exchange: the message is created in the Outbox
//! and submitted in one Execute (RopSubmitMessage); Exchange delivers it and
//! files the one copy in Sent Items. Recipients come from the envelope only
//! (so Bcc never appears in the stored headers); sending as another mailbox
//! names it in PidTagSentRepresenting* and Exchange's submission check
//! refuses it without the Send As right ([MS-OXOMSG] 3.2.5.1).

use std::collections::HashMap;

use convert::{Message, ParseOptions, Recipient, RecipientType};
use mapi_client::api::WriteReport;
use mapi_wire::prop_value::PropValue;
use mapi_wire::{ErrorCode, PropTag};

use super::account::Session;
use super::connect::api_error;
use crate::error::MailboxError;
use crate::mapi::envelope::envelope_of;
use crate::mapi::flags::{MF_READ, MF_UNSENT};
use crate::model::{Submission, SubmitOutcome};

/// [`crate::Account::submit`].
pub(super) async fn submit(s: &Session, sub: Submission) -> Result<SubmitOutcome, MailboxError> {
    if sub.recipients.is_empty() {
        return Err(MailboxError::Invalid("no recipients".into()));
    }
    let limit = s.config.max_message_size;
    if sub.mime.len() > limit {
        return Err(MailboxError::TooLarge { limit });
    }
    let opts = ParseOptions { max_size: limit, ..ParseOptions::default() };
    let mut message = convert::from_mime(&sub.mime, &opts).map_err(|e| MailboxError::Invalid(e.to_string()))?;
    let envelope = envelope_of(&message);
    message.recipients = envelope_recipients(&message, &sub.recipients);
    let from = envelope.from.first().map(|a| a.email.to_lowercase());
    let send_as = from.filter(|f| *f != s.identity.to_lowercase());
    if let Some(from) = &send_as {
        // Exchange's submission check decides (the Send As right, not
        // mailbox access): the message names the mailbox it is sent as.
        let name = envelope.from.first().and_then(|a| a.name.clone()).unwrap_or_else(|| from.clone());
        for (tag, v) in [
            (PropTag::SENT_REPRESENTING_NAME, name),
            (PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, from.clone()),
            (PropTag::SENT_REPRESENTING_SMTP_ADDRESS, from.clone()),
            (PropTag::SENT_REPRESENTING_ADDRESS_TYPE, "SMTP".to_owned()),
        ] {
            let _ = message.props.insert(tag, PropValue::String(v));
        }
    }
    let _ = message.props.insert(PropTag::MESSAGE_FLAGS, PropValue::I32(MF_UNSENT));
    let outbox = s
        .special
        .outbox
        .as_ref()
        .map(|id| s.fid_of(id))
        .transpose()?
        .ok_or_else(|| MailboxError::Unavailable("the mailbox has no Outbox".into()))?;
    let sent = s.special.sent.as_ref().map(|id| s.fid_of(id)).transpose()?;
    let new = s.new_message(outbox, &message).await?;
    let search_key = new.search_key.clone().unwrap_or_default();
    let report = match s.mailbox.create_message(&new, true).await {
        Ok(r) => r,
        Err(mapi_client::api::Error::Rop { code, .. }) if code == ErrorCode::ACCESS_DENIED => {
            // Saved but refused at submission: do not leave it in the Outbox.
            if let Ok(Some(mid)) = s.mailbox.find_by_search_key(outbox, &search_key).await {
                let _removed = s.mailbox.delete_messages(outbox, &[mid], true).await;
            }
            let who = send_as.as_deref().unwrap_or("this address");
            return Err(MailboxError::NotPermitted(format!("{} may not send as {who}", s.identity)));
        }
        Err(e) => return Err(api_error(e, "submit")),
    };
    if !matches!(report, WriteReport::Done(_)) {
        // The answer was lost. Submitted messages are filed in Sent Items:
        // found there means sent; otherwise report, never send again.
        let filed = match sent {
            Some(f) => s.mailbox.find_by_search_key(f, &search_key).await.map_err(|e| api_error(e, "submit"))?,
            None => None,
        };
        if filed.is_none() {
            let m = match report {
                WriteReport::Landed(_) => {
                    "the message was saved in the Outbox but its submission was not confirmed; it was not sent again \
                     (check Sent Items before retrying)"
                }
                _ => "the connection was lost before Exchange took the message; it was not sent",
            };
            return Err(MailboxError::Unavailable(m.into()));
        }
    }
    if sub.save_copy
        && let Some(sent) = sent
    {
        let mut copy = message.clone();
        let _ = copy.props.insert(PropTag::MESSAGE_FLAGS, PropValue::I32(MF_READ));
        let new = s.new_message(sent, &copy).await?;
        s.mailbox.create_message(&new, false).await.map_err(|e| api_error(e, "save a sent copy"))?;
    }
    Ok(SubmitOutcome { message_id: envelope.message_id })
}

/// The recipient rows of a submission: the envelope's addresses, To/Cc as
/// the headers have them (with their display names), every other envelope
/// address Bcc.
fn envelope_recipients(message: &Message, rcpts: &[String]) -> Vec<Recipient> {
    let mut by_addr: HashMap<String, (RecipientType, Option<String>)> = HashMap::new();
    for r in &message.recipients {
        let Some(addr) = r
            .props
            .non_empty_string(PropTag::SMTP_ADDRESS)
            .or_else(|| r.props.non_empty_string(PropTag::EMAIL_ADDRESS))
        else {
            continue;
        };
        let ty = r.recipient_type().base();
        if ty == RecipientType::TO || ty == RecipientType::CC {
            let name = r.props.non_empty_string(PropTag::DISPLAY_NAME).map(|n| n.into_owned());
            by_addr.entry(addr.to_lowercase()).or_insert((ty, name));
        }
    }
    let mut out = Vec::new();
    for rcpt in rcpts {
        let (ty, name) = by_addr.get(&rcpt.to_lowercase()).cloned().unwrap_or((RecipientType::BCC, None));
        let mut r = Recipient::default();
        let ty = i32::try_from(ty.0).unwrap_or(3);
        let _ = r.props.insert(PropTag::RECIPIENT_TYPE, PropValue::I32(ty));
        let _ = r.props.insert(PropTag::SMTP_ADDRESS, PropValue::String(rcpt.clone()));
        let _ = r.props.insert(PropTag::EMAIL_ADDRESS, PropValue::String(rcpt.clone()));
        let _ = r.props.insert(PropTag::ADDRESS_TYPE, PropValue::String("SMTP".into()));
        let _ = r.props.insert(PropTag::DISPLAY_NAME, PropValue::String(name.unwrap_or_else(|| rcpt.clone())));
        out.push(r);
    }
    out
}
