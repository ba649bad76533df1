//! The envelope from MAPI columns: the contents table gives subject, sender
//! and dates, the recipient table the addresses ([MS-OXOMSG] 2.2.1,
//! [MS-OXCMAIL] 2.2.3.2 for how MIME headers land in these properties).

use convert::{Message, PropertyBag, RecipientType};
use mapi_wire::PropTag;
use mapi_wire::entry_id::EntryId;

use crate::model::{Address, Envelope, Timestamp};

/// The contents-table columns [`envelope_of`] reads from the message itself.
pub const ENVELOPE_COLUMNS: [PropTag; 10] = [
    PropTag::SUBJECT,
    PropTag::SENT_REPRESENTING_NAME,
    PropTag::SENT_REPRESENTING_SMTP_ADDRESS,
    PropTag::SENT_REPRESENTING_EMAIL_ADDRESS,
    PropTag::SENDER_NAME,
    PropTag::SENDER_SMTP_ADDRESS,
    PropTag::SENDER_EMAIL_ADDRESS,
    PropTag::CLIENT_SUBMIT_TIME,
    PropTag::INTERNET_MESSAGE_ID,
    PropTag::IN_REPLY_TO_ID,
];

/// The envelope of a message: the author is the "sent representing"
/// mailbox (falling back to the sender), addresses prefer the SMTP address.
pub fn envelope_of(message: &Message) -> Envelope {
    let p = &message.props;
    let from = address(p, PropTag::SENT_REPRESENTING_NAME, PropTag::SENT_REPRESENTING_SMTP_ADDRESS)
        .or_else(|| address(p, PropTag::SENT_REPRESENTING_NAME, PropTag::SENT_REPRESENTING_EMAIL_ADDRESS))
        .or_else(|| address(p, PropTag::SENDER_NAME, PropTag::SENDER_SMTP_ADDRESS))
        .or_else(|| address(p, PropTag::SENDER_NAME, PropTag::SENDER_EMAIL_ADDRESS));
    let sender = address(p, PropTag::SENDER_NAME, PropTag::SENDER_SMTP_ADDRESS)
        .or_else(|| address(p, PropTag::SENDER_NAME, PropTag::SENDER_EMAIL_ADDRESS))
        .filter(|s| from.as_ref().is_none_or(|f| !f.email.eq_ignore_ascii_case(&s.email)));
    let recipients = |ty: RecipientType| -> Vec<Address> {
        message
            .recipients_of(ty)
            .filter_map(|r| {
                address(&r.props, PropTag::DISPLAY_NAME, PropTag::SMTP_ADDRESS)
                    .or_else(|| address(&r.props, PropTag::DISPLAY_NAME, PropTag::EMAIL_ADDRESS))
            })
            .collect()
    };
    Envelope {
        subject: p.string(PropTag::SUBJECT).map(|s| s.into_owned()),
        from: from.into_iter().collect(),
        sender: sender.into_iter().collect(),
        to: recipients(RecipientType::TO),
        cc: recipients(RecipientType::CC),
        bcc: recipients(RecipientType::BCC),
        date: p.time(PropTag::CLIENT_SUBMIT_TIME).map(|t| Timestamp(t.unix_seconds())),
        message_id: p.non_empty_string(PropTag::INTERNET_MESSAGE_ID).map(|s| s.into_owned()),
        in_reply_to: p.non_empty_string(PropTag::IN_REPLY_TO_ID).map(|s| s.into_owned()),
        reply_to: p.binary(PropTag::REPLY_RECIPIENT_ENTRIES).map(reply_to).unwrap_or_default(),
    }
}

/// The one-off entries of PidTagReplyRecipientEntries, a FlatEntryList
/// ([MS-OXCDATA] 2.3.3, 2.2.5.1; [MS-OXOMSG] 2.2.1.44): count, total size,
/// then each entry id with its size, padded to 4 bytes. Entries that are
/// not one-off (address-book entries) carry no SMTP address and are left
/// out.
fn reply_to(list: &[u8]) -> Vec<Address> {
    let mut out = Vec::new();
    let Some(count) = list.get(0..4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes) else { return out };
    let mut rest = list.get(8..).unwrap_or(&[]);
    for _ in 0..count.min(1000) {
        let Some(size) = rest.get(0..4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes) else { break };
        let size = size as usize;
        let Some(entry) = rest.get(4..4 + size) else { break };
        if let Ok(EntryId::OneOff(o)) = EntryId::parse(entry) {
            let email = o.email_address.trim().to_owned();
            if !email.is_empty() {
                let name = Some(o.display_name.trim().to_owned()).filter(|n| !n.is_empty() && *n != email);
                out.push(Address { name, email });
            }
        }
        let padded = (4 + size).div_ceil(4) * 4;
        rest = rest.get(padded.min(rest.len())..).unwrap_or(&[]);
    }
    out
}

/// An address from a name column and an address column; `None` without an
/// address.
fn address(p: &PropertyBag, name: PropTag, email: PropTag) -> Option<Address> {
    let email = p.non_empty_string(email)?.into_owned();
    let name = p.non_empty_string(name).map(|s| s.into_owned());
    Some(Address { name, email })
}

/// The internal date: PidTagMessageDeliveryTime, else the submit time.
pub fn internal_date_of(message: &Message) -> Option<Timestamp> {
    let p = &message.props;
    p.time(PropTag::MESSAGE_DELIVERY_TIME)
        .or_else(|| p.time(PropTag::CLIENT_SUBMIT_TIME))
        .map(|t| Timestamp(t.unix_seconds()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_from_a_parsed_message() {
        let raw = b"From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>, carol@example.com\r\n\
Cc: dave@example.com\r\nSubject: Re: hello\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\
Message-ID: <m1@example.com>\r\nIn-Reply-To: <m0@example.com>\r\n\r\nbody\r\n";
        let m = convert::from_mime(raw, &convert::ParseOptions::default()).expect("parse");
        let e = envelope_of(&m);
        assert_eq!(e.subject.as_deref(), Some("Re: hello"));
        assert_eq!(e.from, vec![Address { name: Some("Alice".into()), email: "alice@example.com".into() }]);
        assert_eq!(e.to.len(), 2);
        assert_eq!(e.to[0].email, "bob@example.com");
        assert_eq!(e.to[1].email, "carol@example.com");
        assert_eq!(e.cc[0].email, "dave@example.com");
        assert!(e.bcc.is_empty());
        assert!(e.sender.is_empty(), "sender equals from: {:?}", e.sender);
        assert_eq!(e.date, Some(Timestamp(1_795_737_600 + 36_000)));
        assert!(e.message_id.as_deref().is_some_and(|id| id.contains("m1@example.com")));
        assert!(e.in_reply_to.as_deref().is_some_and(|id| id.contains("m0@example.com")));
        assert!(e.reply_to.is_empty(), "no Reply-To header: {:?}", e.reply_to);
    }

    #[test]
    fn reply_to_comes_from_the_reply_recipient_entries() {
        let raw = b"From: Alice <alice@example.com>\r\nReply-To: List <list@example.org>, other@example.net\r\n\
Subject: s\r\n\r\nbody\r\n";
        let m = convert::from_mime(raw, &convert::ParseOptions::default()).expect("parse");
        let e = envelope_of(&m);
        assert_eq!(
            e.reply_to,
            vec![
                Address { name: Some("List".into()), email: "list@example.org".into() },
                Address { name: None, email: "other@example.net".into() },
            ]
        );
    }
}
