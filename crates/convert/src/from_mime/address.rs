//! Addresses → MAPI address properties: recipient rows ([MS-OXCMAIL]
//! 2.2.3.2 To/Cc/Bcc), the originator groups PidTagSentRepresenting* /
//! PidTagSender* ([MS-OXCMAIL] 2.2.3.2 From/Sender, property groups
//! [MS-OXCMAIL] 2.6.4/2.6.5) and Reply-To ([MS-OXCMAIL] 2.2.3.2 Reply-To,
//! PidTagReplyRecipientEntries as a [MS-OXCDATA] 2.3.3 FlatEntryList).

use mapi_wire::entry_id::OneOffEntryId;
use mapi_wire::prop_value::PropValue;
use mapi_wire::{Encode, PropTag};

use super::insert;
use crate::bag::PropertyBag;
use crate::message::{Recipient, RecipientType};

/// One mailbox from an address header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mailbox {
    /// The display name; the address when the header has none.
    pub(crate) name: String,
    /// The addr-spec.
    pub(crate) address: String,
}

/// The mailboxes of a parsed address header (groups flattened); entries
/// without an addr-spec are returned separately for warnings.
pub(crate) fn mailboxes(value: &mail_parser::HeaderValue<'_>) -> (Vec<Mailbox>, Vec<String>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let mut push = |a: &mail_parser::Addr<'_>| {
        let name = a.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
        match a.address.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(addr) if addr.contains('@') => {
                out.push(Mailbox { name: name.unwrap_or(addr).to_owned(), address: addr.to_owned() })
            }
            other => bad.push(other.or(name).unwrap_or_default().to_owned()),
        }
    };
    match value {
        mail_parser::HeaderValue::Address(mail_parser::Address::List(list)) => list.iter().for_each(&mut push),
        mail_parser::HeaderValue::Address(mail_parser::Address::Group(groups)) => {
            groups.iter().flat_map(|g| g.addresses.iter()).for_each(&mut push)
        }
        _ => {}
    }
    (out, bad)
}

/// The one-off entry id of an SMTP mailbox ([MS-OXCDATA] 2.2.5.1).
pub(crate) fn one_off(m: &Mailbox) -> Vec<u8> {
    // Encoding fails only for embedded NULs; drop them.
    let clean = |s: &str| s.replace('\0', "");
    OneOffEntryId::smtp(&clean(&m.name), &clean(&m.address)).to_bytes().unwrap_or_default()
}

/// The search key of an address: `SMTP:` + upper-cased address + NUL
/// ([MS-OXPROPS] PidTagSearchKey; the form Exchange and gromox use).
pub(crate) fn search_key(m: &Mailbox) -> Vec<u8> {
    let mut k = b"SMTP:".to_vec();
    k.extend_from_slice(m.address.to_uppercase().as_bytes());
    k.push(0);
    k
}

/// A recipient row ([MS-OXCMAIL] 2.2.3.2 To/Cc/Bcc, [MS-OXOMSG] recipient properties).
pub(crate) fn recipient(m: &Mailbox, ty: RecipientType) -> Recipient {
    let mut p = PropertyBag::new();
    insert(&mut p, PropTag::RECIPIENT_TYPE, PropValue::I32(ty.0 as i32));
    insert(&mut p, PropTag::DISPLAY_NAME, PropValue::String(m.name.clone()));
    insert(&mut p, PropTag::RECIPIENT_DISPLAY_NAME, PropValue::String(m.name.clone()));
    insert(&mut p, PropTag::TRANSMITTABLE_DISPLAY_NAME, PropValue::String(m.name.clone()));
    insert(&mut p, PropTag::EMAIL_ADDRESS, PropValue::String(m.address.clone()));
    insert(&mut p, PropTag::SMTP_ADDRESS, PropValue::String(m.address.clone()));
    insert(&mut p, PropTag::ADDRESS_TYPE, PropValue::String("SMTP".into()));
    insert(&mut p, PropTag::ENTRY_ID, PropValue::Binary(one_off(m)));
    insert(&mut p, PropTag::RECIPIENT_ENTRY_ID, PropValue::Binary(one_off(m)));
    insert(&mut p, PropTag::SEARCH_KEY, PropValue::Binary(search_key(m)));
    // DT_MAILUSER ([MS-OXOABK] PidTagDisplayType), MAPI_MAILUSER.
    insert(&mut p, PropTag::DISPLAY_TYPE, PropValue::I32(0));
    insert(&mut p, PropTag::OBJECT_TYPE, PropValue::I32(6));
    // recipSendable ([MS-OXOMSG] PidTagRecipientFlags).
    insert(&mut p, PropTag::RECIPIENT_FLAGS, PropValue::I32(1));
    Recipient { props: p }
}

/// The tags of one address property group ([MS-OXCMAIL] 2.6 property groups).
pub(crate) struct Group {
    pub(crate) name: PropTag,
    pub(crate) email: PropTag,
    pub(crate) addr_type: PropTag,
    pub(crate) entry_id: PropTag,
    pub(crate) search_key: Option<PropTag>,
    pub(crate) smtp: Option<PropTag>,
}

/// PidTagSentRepresenting* ([MS-OXCMAIL] 2.6.5).
pub(crate) const SENT_REPRESENTING: Group = Group {
    name: PropTag::SENT_REPRESENTING_NAME,
    email: PropTag::SENT_REPRESENTING_EMAIL_ADDRESS,
    addr_type: PropTag::SENT_REPRESENTING_ADDRESS_TYPE,
    entry_id: PropTag::SENT_REPRESENTING_ENTRY_ID,
    search_key: Some(PropTag::SENT_REPRESENTING_SEARCH_KEY),
    smtp: Some(PropTag::SENT_REPRESENTING_SMTP_ADDRESS),
};

/// PidTagSender* ([MS-OXCMAIL] 2.6.4).
pub(crate) const SENDER: Group = Group {
    name: PropTag::SENDER_NAME,
    email: PropTag::SENDER_EMAIL_ADDRESS,
    addr_type: PropTag::SENDER_ADDRESS_TYPE,
    entry_id: PropTag::SENDER_ENTRY_ID,
    search_key: Some(PropTag::SENDER_SEARCH_KEY),
    smtp: Some(PropTag::SENDER_SMTP_ADDRESS),
};

/// PidTagReadReceipt* ([MS-OXCMAIL] 2.6.1), from Disposition-Notification-To.
pub(crate) const READ_RECEIPT: Group = Group {
    name: PropTag::READ_RECEIPT_NAME,
    email: PropTag::READ_RECEIPT_EMAIL_ADDRESS,
    addr_type: PropTag::READ_RECEIPT_ADDRESS_TYPE,
    entry_id: PropTag::READ_RECEIPT_ENTRY_ID,
    search_key: Some(PropTag::READ_RECEIPT_SEARCH_KEY),
    smtp: Some(PropTag::READ_RECEIPT_SMTP_ADDRESS),
};

/// Sets one address property group from a mailbox.
pub(crate) fn set_group(bag: &mut PropertyBag, g: &Group, m: &Mailbox) {
    insert(bag, g.name, PropValue::String(m.name.clone()));
    insert(bag, g.email, PropValue::String(m.address.clone()));
    insert(bag, g.addr_type, PropValue::String("SMTP".into()));
    insert(bag, g.entry_id, PropValue::Binary(one_off(m)));
    if let Some(t) = g.search_key {
        insert(bag, t, PropValue::Binary(search_key(m)));
    }
    if let Some(t) = g.smtp {
        insert(bag, t, PropValue::String(m.address.clone()));
    }
}

/// A [MS-OXCDATA] 2.3.3 FlatEntryList of one-off entry ids: count, total
/// size, then each entry as `cb` + bytes padded to a multiple of 4.
pub(crate) fn flat_entry_list(list: &[Mailbox]) -> Vec<u8> {
    let mut entries = Vec::new();
    for m in list {
        let id = one_off(m);
        entries.extend_from_slice(&(id.len() as u32).to_le_bytes());
        entries.extend_from_slice(&id);
        while entries.len() % 4 != 0 {
            entries.push(0);
        }
    }
    let mut out = Vec::with_capacity(entries.len() + 8);
    out.extend_from_slice(&(list.len() as u32).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    out.extend_from_slice(&entries);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mb(n: &str, a: &str) -> Mailbox {
        Mailbox { name: n.into(), address: a.into() }
    }

    #[test]
    fn search_key_and_one_off_match_gromox() {
        // 028-mime-05 PidTagSentRepresentingSearchKey / EntryId.
        let m = mb("Erin Example", "erin@example.org");
        assert_eq!(search_key(&m), b"SMTP:ERIN@EXAMPLE.ORG\0");
        let id = one_off(&m);
        assert_eq!(id.get(..4), Some(&[0u8, 0, 0, 0][..]));
        assert_eq!(id.get(4..20).map(hex_of), Some("812b1fa4bea310199d6e00dd010f5402".into()));
    }

    fn hex_of(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn flat_entry_list_pads_entries() {
        let l = flat_entry_list(&[mb("a", "a@b.c"), mb("bb", "bb@b.c")]);
        let count = u32::from_le_bytes([l[0], l[1], l[2], l[3]]);
        let size = u32::from_le_bytes([l[4], l[5], l[6], l[7]]) as usize;
        assert_eq!(count, 2);
        assert_eq!(size, l.len() - 8);
        assert_eq!(size % 4, 0);
    }
}
