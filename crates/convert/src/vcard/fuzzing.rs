//! Entry point of the `convert_vcard` fuzz target (wired by `fuzz/`). Not a
//! stable API.
//!
//! The first byte picks the direction: even → the rest is vCard text
//! (parsed, every card rendered in 3.0 and 4.0, and the rendering parsed
//! again); odd → the rest builds a contact or list property bag (rendered
//! in both versions and parsed again). Whatever the input, nothing panics
//! and our own output always parses back to the same kind of object with
//! the same UID.

use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{PidLid, PidName};

use super::props::{PHONES, VCARD_EXTRA, VCARD_MEMBERS, VCARD_UID};
use super::{VcardLimits, VcardParseOptions, VcardRenderOptions, VcardVersion, message_to_vcard, vcards_to_messages};
use crate::bag::{PropKey, PropertyBag, ToPropKey};
use crate::message::{Attachment, Message};

/// Runs one fuzz input.
pub fn fuzz_vcard(data: &[u8]) {
    let Some((mode, rest)) = data.split_first() else { return };
    let limits = VcardLimits { max_input: 64 << 10, max_photo: 16 << 10, max_cards: 16, ..VcardLimits::default() };
    let parse = VcardParseOptions { limits, ..Default::default() };
    if mode & 1 == 0 {
        if let Ok(cards) = vcards_to_messages(rest, &parse) {
            for card in cards {
                check_round_trip(&card.message, &parse);
            }
        }
    } else {
        check_round_trip(&message_from_bytes(rest), &parse);
    }
}

fn check_round_trip(message: &Message, parse: &VcardParseOptions<'_>) {
    for version in [VcardVersion::V3, VcardVersion::V4] {
        let Ok(text) = message_to_vcard(message, &VcardRenderOptions { version, ..Default::default() }) else {
            continue;
        };
        let again = vcards_to_messages(text.as_bytes(), parse);
        let again = match again {
            Ok(mut cards) if cards.len() == 1 => cards.remove(0).message,
            // A rendering larger than the fuzzing input limit is fine.
            Err(super::VcardError::TooLarge { .. } | super::VcardError::LimitExceeded { .. }) => continue,
            other => panic!("our {version:?} output does not parse back: {other:?}\n{text}"),
        };
        assert_eq!(again.class_is("IPM.DistList"), message.class_is("IPM.DistList"), "{text}");
        // Control characters cannot be in a vCard value; they are dropped.
        let uid = |m: &Message| {
            m.props
                .string(VCARD_UID)
                .map(|u| u.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_owned())
                .filter(|u| !u.is_empty())
        };
        assert_eq!(uid(&again), uid(message), "{text}");
    }
}

/// A contact or list from bytes: `[key index, length, value…]*`.
fn message_from_bytes(data: &[u8]) -> Message {
    let string_keys: Vec<PropKey> = PHONES
        .iter()
        .filter_map(|p| p.tag.to_prop_key().ok())
        .chain(
            [
                PropTag::DISPLAY_NAME,
                PropTag::GIVEN_NAME,
                PropTag::SURNAME,
                PropTag::MIDDLE_NAME,
                PropTag::NICKNAME,
                PropTag::COMPANY_NAME,
                PropTag::DEPARTMENT_NAME,
                PropTag::BODY,
                PropTag::HOME_ADDRESS_STREET,
                PropTag::HOME_ADDRESS_CITY,
                PropTag::OTHER_ADDRESS_COUNTRY,
                PropTag::PERSONAL_HOME_PAGE,
            ]
            .iter()
            .filter_map(|t| t.to_prop_key().ok()),
        )
        .chain(
            [
                PidLid::EMAIL1_EMAIL_ADDRESS,
                PidLid::EMAIL2_EMAIL_ADDRESS,
                PidLid::EMAIL2_ADDRESS_TYPE,
                PidLid::EMAIL2_ORIGINAL_DISPLAY_NAME,
                PidLid::WORK_ADDRESS_STREET,
                PidLid::WORK_ADDRESS,
                PidLid::WORK_ADDRESS_COUNTRY_CODE,
                PidLid::FILE_UNDER,
                PidLid::INSTANT_MESSAGING_ADDRESS,
                PidLid::HTML,
                VCARD_UID,
                VCARD_EXTRA,
            ]
            .iter()
            .filter_map(|n| n.to_prop_key().ok()),
        )
        .collect();
    let mut props = PropertyBag::new();
    let class = if data.first().is_some_and(|b| b & 1 == 1) { "IPM.DistList" } else { "IPM.Contact" };
    let _ = props.insert(PropTag::MESSAGE_CLASS, PropValue::String(class.into()));
    let mut attachments = Vec::new();
    let mut rest = data.get(1..).unwrap_or_default();
    while let [key, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (value, next) = tail.split_at(len);
        rest = next;
        let text = String::from_utf8_lossy(value).into_owned();
        let key = usize::from(*key);
        match key.checked_sub(string_keys.len()) {
            None => {
                if let Some(k) = string_keys.get(key) {
                    let _ = props.insert(k.clone(), PropValue::String(text));
                }
            }
            Some(0) => {
                let secs = value.iter().fold(0i64, |a, b| a.wrapping_mul(256).wrapping_add(i64::from(*b)));
                if let Some(t) = FileTime::from_unix_seconds(secs % 10_000_000_000) {
                    let _ = props.insert(PropTag::BIRTHDAY, PropValue::Time(t));
                }
            }
            Some(1) => {
                let list: Vec<Vec<u8>> = value.chunks(7).map(<[u8]>::to_vec).collect();
                let _ = props.insert(PidLid::DISTRIBUTION_LIST_MEMBERS, PropValue::MvBinary(list.clone()));
                let _ = props.insert(PidLid::DISTRIBUTION_LIST_ONE_OFF_MEMBERS, PropValue::MvBinary(list));
            }
            Some(2) => {
                let list: Vec<String> = text.split('|').map(str::to_owned).collect();
                let _ = props.insert(PidName::KEYWORDS, PropValue::MvString(list.clone()));
                let _ = props.insert(VCARD_MEMBERS, PropValue::MvString(list));
            }
            Some(3) => {
                let mut a = Attachment::default();
                let _ = a.props.insert(PropTag::ATTACHMENT_CONTACT_PHOTO, PropValue::Bool(true));
                let _ = a.props.insert(PropTag::ATTACH_DATA_BINARY, PropValue::Binary(value.to_vec()));
                attachments.push(a);
            }
            _ => {
                let _ = props.insert(PidLid::POSTAL_ADDRESS_ID, PropValue::I32((len % 5) as i32));
            }
        }
    }
    Message { props, recipients: Vec::new(), attachments }
}
