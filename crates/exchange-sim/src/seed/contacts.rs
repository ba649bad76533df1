//! Seeded contacts ([MS-OXOCNTC]: names, two e-mail addresses, phones,
//! work and home addresses, one with a contact photo attachment), a
//! distribution list (2.2.2.1 PidLidDistributionListMembers with one-off
//! entry ids and its checksum), tasks ([MS-OXOTASK]) and notes
//! ([MS-OXONOTE]).

use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::PidLid;

use super::{day_minutes, filetime, lid, s};
use crate::rops::one_off_entry_id;
use crate::store::{Attachment, Mailbox, MessageContent, PropBag, SaveMode, SpecialFolder, StoreResult};

/// The contact photo: a 32×32 grayscale baseline JPEG (a radial gradient
/// generated for the simulator).
pub const CONTACT_PHOTO: &[u8] = include_bytes!("contact-photo.jpg");

/// One seeded contact.
struct Contact<'a> {
    given: &'a str,
    surname: &'a str,
    company: &'a str,
    title: &'a str,
    emails: &'a [&'a str],
    business_phone: Option<&'a str>,
    mobile: Option<&'a str>,
    /// street, city, postal code, country
    work: Option<(&'a str, &'a str, &'a str, &'a str)>,
    home: Option<(&'a str, &'a str, &'a str, &'a str)>,
    photo: bool,
}

const CONTACTS: &[Contact<'static>] = &[
    Contact {
        given: "Zoë",
        surname: "Müller",
        company: "Partner GmbH",
        title: "Einkaufsleiterin",
        emails: &["zoe.mueller@partner.example", "zoe@mueller.example"],
        business_phone: Some("+49 89 1234567"),
        mobile: Some("+49 170 7654321"),
        work: Some(("Leopoldstraße 12", "München", "80802", "Deutschland")),
        home: None,
        photo: true,
    },
    Contact {
        given: "José",
        surname: "Núñez",
        company: "Contoso",
        title: "Sales",
        emails: &["jose@contoso.example"],
        business_phone: None,
        mobile: Some("+34 600 123 456"),
        work: None,
        home: Some(("Calle de Alcalá 45", "Madrid", "28014", "España")),
        photo: false,
    },
    Contact {
        given: "Søren",
        surname: "Ødegård",
        company: "Fabrikam AS",
        title: "CTO",
        emails: &["soren@fabrikam.example"],
        business_phone: Some("+47 22 12 34 56"),
        mobile: None,
        work: Some(("Karl Johans gate 1", "Oslo", "0154", "Norge")),
        home: None,
        photo: false,
    },
];

/// (display name, e-mail) of every contact [`contacts`] saves for
/// `colleague`, in order.
pub fn contact_names(colleague: &(String, String)) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = CONTACTS
        .iter()
        .map(|c| (format!("{} {}", c.given, c.surname), c.emails.first().copied().unwrap_or_default().to_string()))
        .collect();
    out.push(colleague.clone());
    out
}

fn composed((street, city, code, country): (&str, &str, &str, &str)) -> String {
    format!("{street}\r\n{code} {city}\r\n{country}")
}

/// Saves the contacts (the three above plus `colleague`, the other demo
/// user) and a distribution list of them into `mb`'s Contacts; returns
/// how many items were saved.
pub fn contacts(mb: &Mailbox, colleague: &(String, String)) -> StoreResult<u32> {
    let folder = mb.special_folder(SpecialFolder::Contacts);
    let tag = |p| lid(mb, p);
    let (file_under, file_under_id, has_picture) =
        (tag(PidLid::FILE_UNDER)?, tag(PidLid::FILE_UNDER_ID)?, tag(PidLid::HAS_PICTURE)?);
    let email_tags = [
        (
            tag(PidLid::EMAIL1_DISPLAY_NAME)?,
            tag(PidLid::EMAIL1_ADDRESS_TYPE)?,
            tag(PidLid::EMAIL1_EMAIL_ADDRESS)?,
            tag(PidLid::EMAIL1_ORIGINAL_DISPLAY_NAME)?,
        ),
        (
            tag(PidLid::EMAIL2_DISPLAY_NAME)?,
            tag(PidLid::EMAIL2_ADDRESS_TYPE)?,
            tag(PidLid::EMAIL2_EMAIL_ADDRESS)?,
            tag(PidLid::EMAIL2_ORIGINAL_DISPLAY_NAME)?,
        ),
    ];
    let (email_list, array_type) =
        (tag(PidLid::ADDRESS_BOOK_PROVIDER_EMAIL_LIST)?, tag(PidLid::ADDRESS_BOOK_PROVIDER_ARRAY_TYPE)?);
    let work_tags = [
        tag(PidLid::WORK_ADDRESS_STREET)?,
        tag(PidLid::WORK_ADDRESS_CITY)?,
        tag(PidLid::WORK_ADDRESS_POSTAL_CODE)?,
        tag(PidLid::WORK_ADDRESS_COUNTRY)?,
    ];
    let (work_address, home_address, postal_id) =
        (tag(PidLid::WORK_ADDRESS)?, tag(PidLid::HOME_ADDRESS)?, tag(PidLid::POSTAL_ADDRESS_ID)?);
    let (colleague_given, colleague_surname) = colleague.0.split_once(' ').unwrap_or((colleague.0.as_str(), ""));
    let colleague_emails = [colleague.1.as_str()];
    let colleague_contact = Contact {
        given: colleague_given,
        surname: colleague_surname,
        company: "Example Test",
        title: "Colleague",
        emails: &colleague_emails,
        business_phone: Some("+1 555 0100"),
        mobile: None,
        work: None,
        home: None,
        photo: false,
    };
    let mut saved = 0;
    let mut members = Vec::new();
    for c in CONTACTS.iter().chain(std::iter::once(&colleague_contact)) {
        let display = format!("{} {}", c.given, c.surname);
        let mut p = PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, s("IPM.Contact")),
            (PropTag::SUBJECT, s(&display)),
            (PropTag::DISPLAY_NAME, s(&display)),
            (PropTag::GIVEN_NAME, s(c.given)),
            (PropTag::SURNAME, s(c.surname)),
            (PropTag::COMPANY_NAME, s(c.company)),
            (PropTag::TITLE, s(c.title)),
            (PropTag::ICON_INDEX, PropValue::I32(0x0200)),
            (file_under, s(&format!("{}, {}", c.surname, c.given))),
            (file_under_id, PropValue::I32(0x8017)), // "Last, First"
            (has_picture, PropValue::Bool(c.photo)),
        ]);
        let mut slots = Vec::new();
        for (i, (addr, (name_t, type_t, addr_t, orig_t))) in c.emails.iter().zip(email_tags).enumerate() {
            p.set(name_t, s(&format!("{display} ({addr})")));
            p.set(type_t, s("SMTP"));
            p.set(addr_t, s(addr));
            p.set(orig_t, s(addr));
            slots.push(i as i32);
        }
        // PidLidAddressBookProviderArrayType: bit n = Email(n+1) present.
        p.set(array_type, PropValue::I32(slots.iter().map(|i| 1 << i).sum()));
        p.set(email_list, PropValue::MvI32(slots));
        if let Some(v) = c.business_phone {
            p.set(PropTag::BUSINESS_TELEPHONE_NUMBER, s(v));
        }
        if let Some(v) = c.mobile {
            p.set(PropTag::MOBILE_TELEPHONE_NUMBER, s(v));
        }
        if let Some(a) = c.work {
            for (t, v) in work_tags.iter().zip([a.0, a.1, a.2, a.3]) {
                p.set(*t, s(v));
            }
            p.set(work_address, s(&composed(a)));
            p.set(postal_id, PropValue::I32(2)); // work
        }
        if let Some(a) = c.home {
            p.set(PropTag::HOME_ADDRESS_STREET, s(a.0));
            p.set(PropTag::HOME_ADDRESS_CITY, s(a.1));
            p.set(PropTag::HOME_ADDRESS_POSTAL_CODE, s(a.2));
            p.set(PropTag::HOME_ADDRESS_COUNTRY, s(a.3));
            p.set(home_address, s(&composed(a)));
            p.set(postal_id, PropValue::I32(1)); // home
        }
        let mut attachments = Vec::new();
        if c.photo {
            // [MS-OXOCNTC] 2.2.1.8: the photo attachment.
            p.set(PropTag::BIRTHDAY, PropValue::Time(filetime(day_minutes(1985, 6, 14))));
            attachments.push(Attachment {
                props: PropBag::from_pairs([
                    (PropTag::ATTACH_METHOD, PropValue::I32(1)),
                    (PropTag::ATTACH_LONG_FILENAME, s("ContactPicture.jpg")),
                    (PropTag::ATTACH_FILENAME, s("ContactPicture.jpg")),
                    (PropTag::DISPLAY_NAME, s("ContactPicture.jpg")),
                    (PropTag::ATTACH_EXTENSION, s(".jpg")),
                    (PropTag::ATTACH_MIME_TAG, s("image/jpeg")),
                    (PropTag::ATTACHMENT_CONTACT_PHOTO, PropValue::Bool(true)),
                    (PropTag::ATTACHMENT_HIDDEN, PropValue::Bool(true)),
                    (PropTag::RENDERING_POSITION, PropValue::I32(-1)),
                    (PropTag::ATTACH_DATA_BINARY, PropValue::Binary(CONTACT_PHOTO.to_vec())),
                ]),
                embedded: None,
            });
        }
        if let Some(addr) = c.emails.first() {
            members.push(one_off_entry_id(&display, "SMTP", addr));
        }
        mb.save_message(
            folder,
            None,
            false,
            &MessageContent { props: p, recipients: vec![], attachments },
            SaveMode::Normal,
        )?;
        saved += 1;
    }
    // The distribution list: every contact as a one-off member.
    let name = "Projektteam Ä";
    let checksum = crc32(&members.concat());
    let p = PropBag::from_pairs([
        (PropTag::MESSAGE_CLASS, s("IPM.DistList")),
        (PropTag::SUBJECT, s(name)),
        (PropTag::DISPLAY_NAME, s(name)),
        (PropTag::ICON_INDEX, PropValue::I32(0x0202)),
        (file_under, s(name)),
        (tag(PidLid::DISTRIBUTION_LIST_NAME)?, s(name)),
        (tag(PidLid::DISTRIBUTION_LIST_MEMBERS)?, PropValue::MvBinary(members.clone())),
        (tag(PidLid::DISTRIBUTION_LIST_ONE_OFF_MEMBERS)?, PropValue::MvBinary(members)),
        (tag(PidLid::DISTRIBUTION_LIST_CHECKSUM)?, PropValue::I32(checksum as i32)),
    ]);
    mb.save_message(folder, None, false, &MessageContent { props: p, ..MessageContent::default() }, SaveMode::Normal)?;
    Ok(saved + 1)
}

/// [MS-OXPROPS] 2.95 PidLidDistributionListChecksum: the CRC-32 of
/// [ISO/IEC8802-3] (reflected polynomial 0xEDB88320) over the
/// concatenated values of PidLidDistributionListMembers.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Saves two tasks (one in progress with a due date, one completed) and
/// two notes; returns (tasks, notes).
pub fn tasks_and_notes(mb: &Mailbox) -> StoreResult<(u32, u32)> {
    let tasks = mb.special_folder(SpecialFolder::Tasks);
    let tag = |p| lid(mb, p);
    let (status, percent, start, due, complete, completed) = (
        tag(PidLid::TASK_STATUS)?,
        tag(PidLid::PERCENT_COMPLETE)?,
        tag(PidLid::TASK_START_DATE)?,
        tag(PidLid::TASK_DUE_DATE)?,
        tag(PidLid::TASK_COMPLETE)?,
        tag(PidLid::TASK_DATE_COMPLETED)?,
    );
    let day = |y, m, d| filetime(day_minutes(y, m, d));
    // (subject, PidLidTaskStatus, PidLidPercentComplete, start, due, completed)
    type Task<'a> = (&'a str, i32, f64, FileTime, FileTime, Option<FileTime>);
    let list: [Task<'_>; 2] = [
        ("Angebot für Partner GmbH vorbereiten", 1, 0.5, day(2026, 1, 5), day(2026, 1, 23), None),
        ("Reisekostenabrechnung Dezember", 2, 1.0, day(2026, 1, 2), day(2026, 1, 9), Some(day(2026, 1, 8))),
    ];
    for (subject, st, pct, s0, d0, done) in list {
        // olTaskInProgress (1) / olTaskComplete (2).
        let mut p = PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, s("IPM.Task")),
            (PropTag::SUBJECT, s(subject)),
            (PropTag::BODY, s("Details im Ordner \"Projekte\".")),
            (PropTag::ICON_INDEX, PropValue::I32(0x0500)),
            (status, PropValue::I32(st)),
            (percent, PropValue::F64(pct)),
            (start, PropValue::Time(s0)),
            (due, PropValue::Time(d0)),
            (complete, PropValue::Bool(done.is_some())),
        ]);
        if let Some(t) = done {
            p.set(completed, PropValue::Time(t));
        }
        mb.save_message(
            tasks,
            None,
            false,
            &MessageContent { props: p, ..MessageContent::default() },
            SaveMode::Normal,
        )?;
    }
    let notes = mb.special_folder(SpecialFolder::Notes);
    let color = tag(PidLid::NOTE_COLOR)?;
    for (text, c) in [("WLAN Gäste: example-guest", 3), ("Parkplatz P2, Ebene -1", 1)] {
        let p = PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, s("IPM.StickyNote")),
            (PropTag::SUBJECT, s(text)),
            (PropTag::BODY, s(text)),
            (PropTag::ICON_INDEX, PropValue::I32(0x0303)),
            (color, PropValue::I32(c)), // 1 green, 3 yellow
        ]);
        mb.save_message(
            notes,
            None,
            false,
            &MessageContent { props: p, ..MessageContent::default() },
            SaveMode::Normal,
        )?;
    }
    Ok((2, 2))
}
