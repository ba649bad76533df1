//! The calendar attendant at the ROP level: meeting messages submitted with
//! RopSubmitMessage change the recipients' calendars the way Exchange does
//! ([MS-OXOCAL] 3.1.4.x, 3.2.5.x).
#![allow(clippy::unwrap_used)]

mod rops_common;

use exchange_sim::store::{Mailbox, MessageContent, PropBag, SaveMode, SpecialFolder};
use mapi_wire::named::PropertyName;
use mapi_wire::prop_value::{FileTime, PropValue, PropertyRow, TaggedValue};
use mapi_wire::recipient::RecipientRow;
use mapi_wire::rop::*;
use mapi_wire::tags::{NamedKind, NamedProp, PidLid};
use mapi_wire::{ErrorCode, PropTag};
use rops_common::*;

const NONE: u32 = u32::MAX;
const GOID: [u8; 24] = [
    0x04, 0x00, 0x00, 0x00, 0x82, 0x00, 0xE0, 0x00, 0x74, 0xC5, 0xB7, 0x10, 0x1A, 0x82, 0xE0, 0x08, 0, 0, 0, 0, 0x11,
    0x22, 0x33, 0x44,
];

fn tag(mb: &Mailbox, p: NamedProp) -> PropTag {
    let name = match p.kind {
        NamedKind::Id(lid) => PropertyName::Id { guid: p.set, lid },
        NamedKind::Name(n) => PropertyName::Name { guid: p.set, name: n.into() },
    };
    PropTag::new(mb.prop_id_from_name(&name, true).unwrap().unwrap(), p.ty)
}

/// Creates a message of `class` in the sender's Drafts with `props`, one
/// To recipient, and submits it, in one Execute; asserts every ROP passed.
fn submit(h: &mut Harness, drafts: mapi_wire::ids::FolderId, class: &str, props: Vec<TaggedValue>, to: &str) {
    let mut values = vec![
        TaggedValue { tag: PropTag::MESSAGE_CLASS, value: PropValue::String(class.into()) },
        TaggedValue { tag: PropTag::SUBJECT, value: PropValue::String("Planning".into()) },
    ];
    values.extend(props);
    let columns = vec![PropTag::SMTP_ADDRESS, PropTag::DISPLAY_TYPE];
    let row = RecipientRow::smtp(to, to, PropertyRow::Standard(vec![PropValue::String(to.into()), PropValue::I32(0)]));
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
            RopRequest::SetProperties(SetPropertiesRequest { logon_id: 0, input_handle_index: 1, values }),
            RopRequest::ModifyRecipients(ModifyRecipientsRequest {
                logon_id: 0,
                input_handle_index: 1,
                rows: vec![ModifyRecipientRow {
                    row_id: 0,
                    recipient_type: RecipientType(1),
                    row: RecipientRowBytes::from_row(Some(&row), &columns[..2]).unwrap(),
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
        vec![0, NONE],
    );
    assert!(return_values(&r).iter().all(|(_, rv)| *rv == 0), "{:?}", return_values(&r));
}

fn calendar_items(mb: &Mailbox) -> Vec<exchange_sim::store::MessageRow> {
    mb.contents(mb.special_folder(SpecialFolder::Calendar), false).unwrap()
}

fn with_goid(mb: &Mailbox) -> Option<exchange_sim::store::MessageRow> {
    let clean = tag(mb, PidLid::CLEAN_GLOBAL_OBJECT_ID);
    calendar_items(mb).into_iter().find(|m| m.content.props.get(clean) == Some(&PropValue::Binary(GOID.to_vec())))
}

#[test]
fn request_response_and_cancellation_reach_the_calendars() {
    let store = seeded_store();
    let alice = store.mailbox(ALICE).unwrap();
    let bob = store.mailbox(BOB).unwrap();
    // Make bob's mailbox map names in another order than alice's, so a
    // delivered copy that kept alice's ids would read wrong in bob's.
    tag(&bob, PidLid::BUSY_STATUS);
    tag(&bob, PidLid::APPOINTMENT_STATE_FLAGS);

    // The organizer's own appointment, with bob as attendee (not responded).
    let start = FileTime(134_123_400_000_000_000);
    let end = FileTime(start.0 + 3600 * 10_000_000);
    let mut props = PropBag::new();
    props.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Appointment".into()));
    props.set(PropTag::SUBJECT, PropValue::String("Planning".into()));
    props.set(tag(&alice, PidLid::CLEAN_GLOBAL_OBJECT_ID), PropValue::Binary(GOID.to_vec()));
    let mut attendee = PropBag::new();
    attendee.set(PropTag::SMTP_ADDRESS, PropValue::String(BOB.into()));
    attendee.set(PropTag::DISPLAY_NAME, PropValue::String("Bob".into()));
    attendee.set(PropTag::RECIPIENT_TYPE, PropValue::I32(1));
    attendee.set(PropTag::RECIPIENT_TRACK_STATUS, PropValue::I32(0));
    let content = MessageContent { props, recipients: vec![attendee], attachments: vec![] };
    alice.save_message(alice.special_folder(SpecialFolder::Calendar), None, false, &content, SaveMode::Normal).unwrap();

    // alice sends the request.
    let mut h = Harness::new(&store, ALICE);
    h.logon();
    let meeting = |mb: &Mailbox| {
        vec![
            TaggedValue { tag: tag(mb, PidLid::CLEAN_GLOBAL_OBJECT_ID), value: PropValue::Binary(GOID.to_vec()) },
            TaggedValue { tag: tag(mb, PidLid::GLOBAL_OBJECT_ID), value: PropValue::Binary(GOID.to_vec()) },
            TaggedValue { tag: tag(mb, PidLid::APPOINTMENT_START_WHOLE), value: PropValue::Time(start) },
            TaggedValue { tag: tag(mb, PidLid::APPOINTMENT_END_WHOLE), value: PropValue::Time(end) },
            TaggedValue { tag: tag(mb, PidLid::BUSY_STATUS), value: PropValue::I32(2) },
        ]
    };
    submit(&mut h, alice.special_folder(SpecialFolder::Drafts), "IPM.Schedule.Meeting.Request", meeting(&alice), BOB);

    // bob: the request in the Inbox, a tentative appointment in the Calendar.
    let inbox = bob.contents(bob.special_folder(SpecialFolder::Inbox), false).unwrap();
    let req = inbox
        .iter()
        .find(|m| m.content.props.string(PropTag::MESSAGE_CLASS).as_deref() == Some("IPM.Schedule.Meeting.Request"))
        .expect("the request in bob's Inbox");
    assert_eq!(req.content.props.get(tag(&bob, PidLid::APPOINTMENT_START_WHOLE)), Some(&PropValue::Time(start)));
    let appt = with_goid(&bob).expect("the meeting in bob's Calendar");
    let p = &appt.content.props;
    assert_eq!(p.string(PropTag::MESSAGE_CLASS).as_deref(), Some("IPM.Appointment"));
    assert_eq!(p.i32(tag(&bob, PidLid::RESPONSE_STATUS)), Some(5), "respNotResponded");
    assert_eq!(p.i32(tag(&bob, PidLid::BUSY_STATUS)), Some(1), "olTentative");
    assert_eq!(p.i32(tag(&bob, PidLid::APPOINTMENT_STATE_FLAGS)), Some(3), "asfMeeting | asfReceived");
    assert_eq!(p.get(tag(&bob, PidLid::APPOINTMENT_END_WHOLE)), Some(&PropValue::Time(end)));

    // An update replaces that appointment, no second one.
    submit(&mut h, alice.special_folder(SpecialFolder::Drafts), "IPM.Schedule.Meeting.Request", meeting(&alice), BOB);
    let clean = tag(&bob, PidLid::CLEAN_GLOBAL_OBJECT_ID);
    let same = calendar_items(&bob).into_iter().filter(|m| m.content.props.get(clean).is_some()).count();
    assert_eq!(same, 1);
    assert_eq!(with_goid(&bob).unwrap().id, appt.id);

    // bob accepts: alice's appointment shows bob's response.
    let mut hb = Harness::new(&store, BOB);
    hb.logon();
    submit(&mut hb, bob.special_folder(SpecialFolder::Drafts), "IPM.Schedule.Meeting.Resp.Pos", meeting(&bob), ALICE);
    let organizer = with_goid(&alice).unwrap();
    let r = &organizer.content.recipients[0];
    assert_eq!(r.i32(PropTag::RECIPIENT_TRACK_STATUS), Some(3), "respAccepted");
    assert!(matches!(r.get(PropTag::RECIPIENT_TRACK_STATUS_TIME), Some(PropValue::Time(_))));

    // alice cancels: bob's appointment is cancelled and free.
    submit(&mut h, alice.special_folder(SpecialFolder::Drafts), "IPM.Schedule.Meeting.Canceled", meeting(&alice), BOB);
    let p = with_goid(&bob).unwrap().content.props;
    assert_eq!(p.i32(tag(&bob, PidLid::APPOINTMENT_STATE_FLAGS)).map(|f| f & 4), Some(4), "asfCanceled");
    assert_eq!(p.i32(tag(&bob, PidLid::BUSY_STATUS)), Some(0), "olFree");
}

#[test]
fn free_busy_simple_opens_the_calendar_contents_only() {
    let store = seeded_store();
    let bob = store.mailbox(BOB).unwrap();
    let calendar = bob.special_folder(SpecialFolder::Calendar);
    bob.grant(Some(calendar), exchange_sim::store::DEFAULT_GRANTEE, exchange_sim::store::Rights::FREE_BUSY_SIMPLE)
        .unwrap();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.run(vec![logon_request(BOB_DN)], vec![NONE]);
    let RopResponse::Logon(l) = &logon.rops[0] else { panic!() };
    assert_eq!(l.return_value, ErrorCode::SUCCESS);
    let open = |folder_id| {
        vec![
            RopRequest::OpenFolder(OpenFolderRequest {
                logon_id: 0,
                input_handle_index: 0,
                output_handle_index: 1,
                folder_id,
                open_mode_flags: FolderOpenModeFlags(0),
            }),
            RopRequest::GetContentsTable(GetContentsTableRequest {
                logon_id: 0,
                input_handle_index: 1,
                output_handle_index: 2,
                table_flags: TableFlags(0),
            }),
        ]
    };
    let r = h.run(open(calendar), vec![logon.handles[0], NONE, NONE]);
    assert_eq!(return_values(&r), vec![(0x02, 0), (0x05, 0)]);
    let r = h.run(open(bob.special_folder(SpecialFolder::Inbox)), vec![logon.handles[0], NONE, NONE]);
    assert_eq!(return_values(&r)[0], (0x02, ErrorCode::ACCESS_DENIED.0));
}
