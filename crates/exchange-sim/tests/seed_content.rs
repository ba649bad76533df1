//! The demo content `seed` builds looks like a real Exchange mailbox to
//! Thunderbird/DAVx5/iOS users: one test per fact (mail, drafts, calendar
//! with recurrence and meeting, contacts with photo, distribution list,
//! tasks, the shared mailbox and its send-as right, the GAL).
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::seed::calendar::{BERLIN, NEW_YORK};
use exchange_sim::seed::contacts::{CONTACT_PHOTO, crc32};
use exchange_sim::seed::{SeedOptions, day_minutes, filetime, seed};
use exchange_sim::store::{Mailbox, MessageRow, Rights, SpecialFolder, Store, message_flags};
use mapi_wire::named::PropertyName;
use mapi_wire::prop_value::{FileTime, PropValue, PropertyRow, TaggedValue};
use mapi_wire::recipient::RecipientRow;
use mapi_wire::rop::*;
use mapi_wire::tags::{NamedKind, NamedProp, PidLid, PidName};
use mapi_wire::{Guid, PropTag};
use rops_common::{Harness, return_values};

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";
const TEAM: &str = "team@example.test";

fn seeded() -> Store {
    let store = Store::open_in_memory().unwrap();
    seed(&store, &SeedOptions { users: vec!["alice".into(), "bob".into()], messages: 24, seed: 5 }).unwrap();
    store
}

fn tag(mb: &Mailbox, p: NamedProp) -> PropTag {
    let name = match p.kind {
        NamedKind::Id(lid) => PropertyName::Id { guid: p.set, lid },
        NamedKind::Name(n) => PropertyName::Name { guid: p.set, name: n.into() },
    };
    PropTag::new(mb.prop_id_from_name(&name, false).unwrap().expect("mapped by the seed"), p.ty)
}

fn items(mb: &Mailbox, f: SpecialFolder) -> Vec<MessageRow> {
    mb.contents(mb.special_folder(f), false).unwrap()
}

fn string(m: &MessageRow, t: PropTag) -> String {
    m.content.props.string(t).unwrap_or_default()
}

fn binary(m: &MessageRow, t: PropTag) -> Vec<u8> {
    match m.content.props.get(t) {
        Some(PropValue::Binary(b)) => b.clone(),
        other => panic!("{t:?}: {other:?}"),
    }
}

fn time(m: &MessageRow, t: PropTag) -> FileTime {
    match m.content.props.get(t) {
        Some(PropValue::Time(f)) => *f,
        other => panic!("{t:?}: {other:?}"),
    }
}

fn by_subject<'a>(list: &'a [MessageRow], subject: &str) -> &'a MessageRow {
    list.iter().find(|m| string(m, PropTag::SUBJECT) == subject).unwrap_or_else(|| panic!("no {subject}"))
}

#[test]
fn inbox_has_threads_html_attachments_and_varied_state() {
    let store = seeded();
    for user in [ALICE, BOB] {
        let mb = store.mailbox(user).unwrap();
        let inbox = items(&mb, SpecialFolder::Inbox);
        let sent = items(&mb, SpecialFolder::SentItems);
        let all: Vec<&MessageRow> = inbox.iter().chain(&sent).collect();
        let ids: Vec<String> = all.iter().map(|m| string(m, PropTag::INTERNET_MESSAGE_ID)).collect();
        // Replies point at a message of the mailbox; References is the chain.
        let replies: Vec<&&MessageRow> =
            all.iter().filter(|m| !string(m, PropTag::IN_REPLY_TO_ID).is_empty()).collect();
        assert!(replies.len() >= 8, "{user}: {} replies", replies.len());
        for r in &replies {
            let parent = string(r, PropTag::IN_REPLY_TO_ID);
            assert!(ids.contains(&parent), "{parent} is in the mailbox");
            let refs = string(r, PropTag::INTERNET_REFERENCES);
            assert!(refs.ends_with(&parent), "References {refs} ends with the parent");
            assert!(string(r, PropTag::SUBJECT).starts_with("RE: "));
        }
        assert!(replies.iter().any(|r| string(r, PropTag::INTERNET_REFERENCES).split(' ').count() == 2));
        let html = inbox.iter().filter(|m| m.content.props.get(PropTag::HTML).is_some()).count();
        assert!(html > 0 && html < inbox.len(), "some HTML + plain, some plain only");
        assert!(inbox.iter().all(|m| !string(m, PropTag::BODY).is_empty()
            || m.content.props.get(PropTag::RTF_COMPRESSED).is_some()));
        assert!(inbox.iter().any(|m| {
            m.content
                .attachments
                .iter()
                .any(|a| a.props.string(PropTag::ATTACH_MIME_TAG).as_deref() == Some("text/plain"))
        }));
        let inline = all
            .iter()
            .find(|m| m.content.attachments.iter().any(|a| a.props.string(PropTag::ATTACH_CONTENT_ID).is_some()))
            .expect("an inline image");
        let PropValue::Binary(h) = inline.content.props.get(PropTag::HTML).unwrap() else { panic!() };
        assert!(String::from_utf8_lossy(h).contains("cid:logo@example.test"));
        let read = inbox.iter().filter(|m| m.content.props.get(PropTag::READ) == Some(&PropValue::Bool(true))).count();
        assert!(read > 0 && read < inbox.len(), "{user}: {read} of {} read", inbox.len());
        assert!(inbox.iter().any(|m| m.content.props.i32(PropTag::FLAG_STATUS) == Some(2)), "a flagged message");
        let keywords = tag(&mb, PidName::KEYWORDS);
        assert!(all.iter().any(|m| m.content.props.get(keywords).is_some()), "a categorised message");
        assert!(inbox.iter().any(|m| !string(m, PropTag::SUBJECT).is_ascii()));
        // Sent Items: from the owner.
        assert!(!sent.is_empty());
        assert!(sent.iter().all(|m| string(m, PropTag::SENDER_EMAIL_ADDRESS) == user));
    }
}

#[test]
fn an_rtf_only_message_decodes_with_the_gateways_converter() {
    let store = seeded();
    let mb = store.mailbox(ALICE).unwrap();
    let inbox = items(&mb, SpecialFolder::Inbox);
    let rtf = inbox.iter().find(|m| m.content.props.get(PropTag::RTF_COMPRESSED).is_some()).expect("an RTF message");
    assert!(rtf.content.props.get(PropTag::BODY).is_none(), "RTF only");
    assert!(rtf.content.props.get(PropTag::HTML).is_none(), "RTF only");
    assert_eq!(rtf.content.props.get(PropTag::RTF_IN_SYNC), Some(&PropValue::Bool(true)));
    let blob = binary(rtf, PropTag::RTF_COMPRESSED);
    assert_eq!(&blob[8..12], b"MELA", "[MS-OXRTFCP] uncompressed COMPTYPE");
    let Some(convert::rtf::RtfBody::Rtf(text)) = convert::rtf::body_from_compressed(&blob) else { panic!() };
    assert!(text.contains("Hello Alice Tester"), "{text}");
    assert!(text.contains('—'), "\\u escapes decode: {text}");
}

#[test]
fn drafts_are_unsent_and_addressed() {
    let store = seeded();
    let mb = store.mailbox(ALICE).unwrap();
    let drafts = items(&mb, SpecialFolder::Drafts);
    assert_eq!(drafts.len(), 2);
    for d in &drafts {
        let flags = d.content.props.i32(PropTag::MESSAGE_FLAGS).unwrap();
        assert_ne!(flags & 0x08, 0, "mfUnsent");
        assert_ne!(flags & message_flags::READ, 0);
        assert_eq!(d.content.recipients.len(), 1);
        assert!(d.content.props.get(PropTag::MESSAGE_DELIVERY_TIME).is_none());
    }
}

#[test]
fn calendar_single_all_day_and_meeting_carry_exchange_properties() {
    let store = seeded();
    let alice = store.mailbox(ALICE).unwrap();
    let cal = items(&alice, SpecialFolder::Calendar);
    assert_eq!(cal.len(), 4);
    let (start, end) = (tag(&alice, PidLid::APPOINTMENT_START_WHOLE), tag(&alice, PidLid::APPOINTMENT_END_WHOLE));
    let (sub_type, recurring) = (tag(&alice, PidLid::APPOINTMENT_SUB_TYPE), tag(&alice, PidLid::RECURRING));
    let (tz, tzdef) =
        (tag(&alice, PidLid::TIME_ZONE_STRUCT), tag(&alice, PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_START_DISPLAY));
    let goid = tag(&alice, PidLid::GLOBAL_OBJECT_ID);
    for m in &cal {
        assert_eq!(string(m, PropTag::MESSAGE_CLASS), "IPM.Appointment");
        assert!(time(m, start) < time(m, end));
        assert_eq!(binary(m, tz).len(), 48, "PidLidTimeZoneStruct");
        let def = binary(m, tzdef);
        assert_eq!(&def[..2], &[0x02, 0x01], "TZDEFINITION version");
        let g = binary(m, goid);
        assert_eq!(&g[..16], &[0x04, 0, 0, 0, 0x82, 0, 0xE0, 0, 0x74, 0xC5, 0xB7, 0x10, 0x1A, 0x82, 0xE0, 0x08]);
        assert_eq!(g.len(), 16 + 4 + 8 + 8 + 4 + 16);
    }
    // Single: 10:00–11:30 Berlin = 09:00–10:30 UTC.
    let single = by_subject(&cal, "Kundentermin Köln");
    assert_eq!(time(single, start), filetime(day_minutes(2026, 1, 7) + 9 * 60));
    assert_eq!(time(single, end), filetime(day_minutes(2026, 1, 7) + 10 * 60 + 30));
    assert_eq!(single.content.props.get(recurring), Some(&PropValue::Bool(false)));
    let berlin = binary(single, tz);
    assert_eq!(i32::from_le_bytes(berlin[..4].try_into().unwrap()), BERLIN.bias);
    // All-day: local midnight to midnight, SubType set.
    let all_day = by_subject(&cal, "Betriebsausflug");
    assert_eq!(all_day.content.props.get(sub_type), Some(&PropValue::Bool(true)));
    assert_eq!(time(all_day, start), filetime(day_minutes(2026, 1, 16) - 60));
    assert_eq!(time(all_day, end).0 - time(all_day, start).0, 24 * 3600 * 10_000_000);
    // The meeting: organizer + attendees, same GlobalObjectId in bob's copy.
    let meeting = by_subject(&cal, "Partner call Tokyo");
    let rcpts = &meeting.content.recipients;
    assert_eq!(rcpts.len(), 3);
    let organizer = rcpts.iter().find(|r| r.i32(PropTag::RECIPIENT_FLAGS) == Some(3)).expect("recipOrganizer");
    assert_eq!(organizer.string(PropTag::SMTP_ADDRESS).as_deref(), Some(ALICE));
    assert!(
        rcpts
            .iter()
            .any(|r| r.string(PropTag::SMTP_ADDRESS).as_deref() == Some(BOB)
                && r.i32(PropTag::RECIPIENT_TYPE) == Some(1))
    );
    assert!(rcpts.iter().any(|r| r.i32(PropTag::RECIPIENT_TYPE) == Some(2)), "an optional attendee");
    assert_eq!(meeting.content.props.i32(tag(&alice, PidLid::APPOINTMENT_STATE_FLAGS)), Some(1));
    assert_eq!(meeting.content.props.i32(tag(&alice, PidLid::RESPONSE_STATUS)), Some(1));
    let bob = store.mailbox(BOB).unwrap();
    let bob_meeting = by_subject(&items(&bob, SpecialFolder::Calendar), "Partner call Tokyo").clone();
    assert_eq!(binary(&bob_meeting, tag(&bob, PidLid::GLOBAL_OBJECT_ID)), binary(meeting, goid));
    assert_eq!(bob_meeting.content.props.i32(tag(&bob, PidLid::APPOINTMENT_STATE_FLAGS)), Some(3));
    assert_eq!(bob_meeting.content.props.i32(tag(&bob, PidLid::RESPONSE_STATUS)), Some(3), "accepted");
    assert_eq!(string(&bob_meeting, PropTag::SENT_REPRESENTING_EMAIL_ADDRESS), ALICE);
}

/// A little reader over the recurrence blob.
struct Blob<'a>(&'a [u8]);
impl Blob<'_> {
    fn u16(&mut self) -> u16 {
        let v = u16::from_le_bytes([self.0[0], self.0[1]]);
        self.0 = &self.0[2..];
        v
    }
    fn u32(&mut self) -> u32 {
        let v = u32::from_le_bytes(self.0[..4].try_into().unwrap());
        self.0 = &self.0[4..];
        v
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let v = self.0[..n].to_vec();
        self.0 = &self.0[n..];
        v
    }
}

#[test]
fn weekly_series_has_a_spec_recurrence_blob_with_a_moved_and_a_cancelled_occurrence() {
    let store = seeded();
    let mb = store.mailbox(BOB).unwrap();
    let cal = items(&mb, SpecialFolder::Calendar);
    let series = by_subject(&cal, "Standup NYC");
    assert_eq!(series.content.props.get(tag(&mb, PidLid::RECURRING)), Some(&PropValue::Bool(true)));
    assert_eq!(series.content.props.i32(tag(&mb, PidLid::RECURRENCE_TYPE)), Some(2));
    // 09:00 New York = 14:00 UTC on 2026-01-06.
    assert_eq!(time(series, tag(&mb, PidLid::APPOINTMENT_START_WHOLE)), NEW_YORK.utc((2026, 1, 6), 9 * 60));
    assert_eq!(time(series, tag(&mb, PidLid::APPOINTMENT_START_WHOLE)), filetime(day_minutes(2026, 1, 6) + 14 * 60));
    let blob = binary(series, tag(&mb, PidLid::APPOINTMENT_RECUR));
    let mut b = Blob(&blob);
    let day = |d: u32| day_minutes(2026, 1, d) as u32;
    // [MS-OXOCAL] 2.2.1.44.1 RecurrencePattern.
    assert_eq!((b.u16(), b.u16(), b.u16(), b.u16(), b.u16()), (0x3004, 0x3004, 0x200B, 1, 0));
    let first_date_time = b.u32();
    // The Monday of the first week (2026-01-05) modulo one week of minutes.
    assert_eq!(first_date_time, day(5) % 10080);
    assert_eq!((b.u32(), b.u32(), b.u32()), (1, 0, 0x04), "every week, not sliding, Tuesdays");
    assert_eq!((b.u32(), b.u32(), b.u32()), (0x2022, 8, 1), "ends after 8, weeks start Monday");
    let deleted: Vec<u32> = (0..b.u32()).map(|_| b.u32()).collect();
    assert_eq!(deleted, vec![day(20), day_minutes(2026, 2, 3) as u32], "moved and cancelled dates");
    let modified: Vec<u32> = (0..b.u32()).map(|_| b.u32()).collect();
    assert_eq!(modified, vec![day(20)]);
    assert_eq!(b.u32(), day(6), "StartDate");
    assert_eq!(b.u32(), day_minutes(2026, 2, 24) as u32, "EndDate: the 8th Tuesday");
    // AppointmentRecurrencePattern.
    assert_eq!((b.u32(), b.u32(), b.u32(), b.u32()), (0x3006, 0x3009, 540, 570));
    assert_eq!(b.u16(), 1, "ExceptionCount");
    assert_eq!((b.u32(), b.u32(), b.u32()), (day(20) + 600, day(20) + 630, day(20) + 540));
    assert_eq!(b.u16(), 0x0001, "ARO_SUBJECT");
    let (len1, len2) = (b.u16(), b.u16());
    assert_eq!(len1, len2 + 1);
    assert_eq!(b.bytes(len2 as usize), b"Standup NYC (moved)");
    assert_eq!(b.u32(), 0, "ReservedBlock1Size");
    assert_eq!((b.u32(), b.u32(), b.u32()), (4, 1, 0), "ChangeHighlight, ReservedBlockEE1Size");
    assert_eq!((b.u32(), b.u32(), b.u32()), (day(20) + 600, day(20) + 630, day(20) + 540));
    let n = b.u16() as usize;
    let wide: Vec<u16> = (0..n).map(|_| b.u16()).collect();
    assert_eq!(String::from_utf16(&wide).unwrap(), "Standup NYC (moved)");
    assert_eq!((b.u32(), b.u32()), (0, 0), "ReservedBlockEE2Size, ReservedBlock2Size");
    assert!(b.0.is_empty(), "nothing after the pattern");
    // The exception's embedded message, hidden.
    let att = series.content.attachments.first().expect("exception attachment");
    assert_eq!(att.props.get(PropTag::ATTACHMENT_HIDDEN), Some(&PropValue::Bool(true)));
    assert_eq!(att.props.i32(PropTag::ATTACHMENT_FLAGS), Some(2), "afException");
    let ex = att.embedded.as_ref().expect("embedded exception");
    assert_eq!(ex.props.string(PropTag::SUBJECT).as_deref(), Some("Standup NYC (moved)"));
    assert_eq!(
        att.props.get(PropTag::EXCEPTION_REPLACE_TIME),
        Some(&PropValue::Time(NEW_YORK.utc((2026, 1, 20), 9 * 60)))
    );
}

#[test]
fn contacts_have_addresses_phones_a_photo_and_a_distribution_list() {
    let store = seeded();
    let mb = store.mailbox(ALICE).unwrap();
    let list = items(&mb, SpecialFolder::Contacts);
    let contacts: Vec<&MessageRow> =
        list.iter().filter(|m| string(m, PropTag::MESSAGE_CLASS) == "IPM.Contact").collect();
    assert_eq!(contacts.len(), 4);
    let email1 = tag(&mb, PidLid::EMAIL1_EMAIL_ADDRESS);
    let email2 = tag(&mb, PidLid::EMAIL2_EMAIL_ADDRESS);
    let zoe = contacts.iter().find(|c| string(c, PropTag::DISPLAY_NAME) == "Zoë Müller").unwrap();
    assert_eq!(zoe.content.props.string(email1).as_deref(), Some("zoe.mueller@partner.example"));
    assert_eq!(zoe.content.props.string(email2).as_deref(), Some("zoe@mueller.example"));
    assert!(!string(zoe, PropTag::BUSINESS_TELEPHONE_NUMBER).is_empty());
    assert!(!string(zoe, PropTag::MOBILE_TELEPHONE_NUMBER).is_empty());
    assert_eq!(zoe.content.props.string(tag(&mb, PidLid::WORK_ADDRESS_CITY)).as_deref(), Some("München"));
    assert_eq!(zoe.content.props.get(tag(&mb, PidLid::HAS_PICTURE)), Some(&PropValue::Bool(true)));
    let photo = zoe.content.attachments.first().expect("photo attachment");
    assert_eq!(photo.props.get(PropTag::ATTACHMENT_CONTACT_PHOTO), Some(&PropValue::Bool(true)));
    let PropValue::Binary(jpeg) = photo.props.get(PropTag::ATTACH_DATA_BINARY).unwrap() else { panic!() };
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a JPEG");
    assert_eq!(jpeg.as_slice(), CONTACT_PHOTO);
    let jose = contacts.iter().find(|c| string(c, PropTag::DISPLAY_NAME) == "José Núñez").unwrap();
    assert_eq!(string(jose, PropTag::HOME_ADDRESS_CITY), "Madrid");
    assert!(contacts.iter().any(|c| c.content.props.string(email1).as_deref() == Some(BOB)), "bob as a colleague");
    // The distribution list.
    let dl = list.iter().find(|m| string(m, PropTag::MESSAGE_CLASS) == "IPM.DistList").expect("a DL");
    let Some(PropValue::MvBinary(members)) = dl.content.props.get(tag(&mb, PidLid::DISTRIBUTION_LIST_MEMBERS)) else {
        panic!()
    };
    assert_eq!(members.len(), 4);
    let checksum = dl.content.props.i32(tag(&mb, PidLid::DISTRIBUTION_LIST_CHECKSUM)).unwrap() as u32;
    assert_eq!(checksum, crc32(&members.concat()));
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926, "the ISO 8802-3 check value");
    // Tasks and notes.
    let tasks = items(&mb, SpecialFolder::Tasks);
    assert_eq!(tasks.len(), 2);
    assert!(tasks.iter().all(|t| string(t, PropTag::MESSAGE_CLASS) == "IPM.Task"));
    let complete = tag(&mb, PidLid::TASK_COMPLETE);
    assert_eq!(tasks.iter().filter(|t| t.content.props.get(complete) == Some(&PropValue::Bool(true))).count(), 1);
    assert!(tasks.iter().all(|t| t.content.props.get(tag(&mb, PidLid::TASK_DUE_DATE)).is_some()));
    assert_eq!(items(&mb, SpecialFolder::Notes).len(), 2);
}

#[test]
fn team_mailbox_alice_has_access_and_send_as_bob_neither_and_the_gal_lists_all() {
    let store = seeded();
    let team = store.mailbox(TEAM).unwrap();
    assert_eq!(items(&team, SpecialFolder::Inbox).len(), 3);
    assert!(team.can_logon(ALICE).unwrap());
    // bob sees the team's free/busy times only (Default's right on every
    // Calendar), which is enough to log on but opens no folder.
    assert_eq!(team.rights_of(BOB, team.special_folder(SpecialFolder::Inbox)).unwrap(), Rights::NONE);
    assert_eq!(team.rights_of(BOB, team.special_folder(SpecialFolder::Calendar)).unwrap(), Rights::FREE_BUSY_SIMPLE);
    assert!(team.can_logon(BOB).unwrap());
    assert!(team.may_send_as(ALICE).unwrap());
    assert!(!team.may_send_as(BOB).unwrap());
    let gal = exchange_sim::nspi::Gal::load(&store, Guid([7; 16]));
    let mut addresses: Vec<&str> = gal.entries.iter().map(|e| e.address.as_str()).collect();
    addresses.sort_unstable();
    assert_eq!(addresses, vec![ALICE, BOB, TEAM]);
}

/// `user` creates a message in Drafts to carol-less bob/alice, with
/// PidTagSentRepresentingEmailAddress `as_address`, saves and submits it;
/// returns the ROP return values.
fn submit_as(store: &Store, user: &str, to: &str, as_address: &str) -> Vec<(u8, u32)> {
    let mut h = Harness::new(store, user);
    let logon = h.logon();
    let drafts = store.mailbox(user).unwrap().special_folder(SpecialFolder::Drafts);
    let row = RecipientRow::smtp(to, to, PropertyRow::Standard(vec![PropValue::String(to.into()), PropValue::I32(0)]));
    let columns = vec![PropTag::SMTP_ADDRESS, PropTag::DISPLAY_TYPE];
    let r = h.run(
        vec![
            RopRequest::CreateMessage(CreateMessageRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                code_page_id: 0x0FFF,
                folder_id: drafts,
                associated: false,
            }),
            RopRequest::SetProperties(SetPropertiesRequest {
                logon_id: 0,
                input_handle_index: 1,
                values: vec![
                    TaggedValue { tag: PropTag::SUBJECT, value: PropValue::String(format!("as {as_address}")) },
                    TaggedValue {
                        tag: PropTag::SENT_REPRESENTING_EMAIL_ADDRESS,
                        value: PropValue::String(as_address.into()),
                    },
                ],
            }),
            RopRequest::ModifyRecipients(ModifyRecipientsRequest {
                logon_id: 0,
                input_handle_index: 1,
                rows: vec![ModifyRecipientRow {
                    row_id: 0,
                    recipient_type: RecipientType(1),
                    row: RecipientRowBytes::from_row(Some(&row), &columns).unwrap(),
                }],
                recipient_columns: columns,
            }),
            RopRequest::SaveChangesMessage(SaveChangesMessageRequest {
                logon_id: 0,
                response_handle_index: 1,
                input_handle_index: 1,
                save_flags: SaveFlags::KEEP_OPEN_READ_WRITE,
            }),
            RopRequest::SubmitMessage(SubmitMessageRequest { logon_id: 0, input_handle_index: 1, submit_flags: 0 }),
        ],
        vec![logon, u32::MAX],
    );
    return_values(&r)
}

#[test]
fn submit_as_the_team_needs_send_as() {
    let store = seeded();
    // alice has Send As: accepted; bob receives it from the team mailbox.
    let rv = submit_as(&store, ALICE, BOB, TEAM);
    assert_eq!(rv.last(), Some(&(0x32, 0)), "{rv:?}");
    let bob = store.mailbox(BOB).unwrap();
    let got = items(&bob, SpecialFolder::Inbox);
    let m = by_subject(&got, &format!("as {TEAM}"));
    assert_eq!(string(m, PropTag::SENT_REPRESENTING_EMAIL_ADDRESS), TEAM);
    assert_eq!(string(m, PropTag::SENT_REPRESENTING_NAME), "Team Mailbox");
    assert_eq!(string(m, PropTag::SENDER_EMAIL_ADDRESS), TEAM);
    // bob has no Send As on the team: ecAccessDenied, nothing delivered.
    let rv = submit_as(&store, BOB, ALICE, TEAM);
    assert_eq!(rv.last(), Some(&(0x32, 0x8007_0005)), "{rv:?}");
    // Nor as another user, nor as an address that is no mailbox here.
    assert_eq!(submit_as(&store, BOB, ALICE, ALICE).last(), Some(&(0x32, 0x8007_0005)));
    assert_eq!(submit_as(&store, BOB, ALICE, "ceo@elsewhere.example").last(), Some(&(0x32, 0x8007_0005)));
    let alice = store.mailbox(ALICE).unwrap();
    assert!(items(&alice, SpecialFolder::Inbox).iter().all(|m| !string(m, PropTag::SUBJECT).starts_with("as ")));
    // As oneself is always fine.
    assert_eq!(submit_as(&store, BOB, ALICE, BOB).last(), Some(&(0x32, 0)));
}
