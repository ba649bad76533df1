//! What the seed adds for the GAL and for scheduling: directory attributes
//! with thumbnail photos for alice and bob (served by NSPI GetProps and
//! QueryRows), and a meeting request from alice in bob's Inbox with the
//! tentative appointment Exchange's calendar attendant places in bob's
//! Calendar ([MS-OXOCAL] 2.2.6, 3.1.5.3).
#![allow(missing_docs, clippy::unwrap_used)]

use exchange_sim::nspi::StoreNspi;
use exchange_sim::seed::{SeedOptions, seed};
use exchange_sim::store::{Mailbox, MessageRow, SpecialFolder, Store};
use mapi_wire::emsmdb::MapiResponse;
use mapi_wire::named::PropertyName;
use mapi_wire::nspi::{self, MinimalId, Request, Stat};
use mapi_wire::prop_value::{FlaggedValue, PropValue, PropertyRow};
use mapi_wire::tags::{NamedProp, PidLid};
use mapi_wire::{Decode, PropTag};

const THUMBNAIL_PHOTO: PropTag = PropTag(0x8C9E_0102);
const TITLE: PropTag = PropTag(0x3A17_001F);
const BUSINESS_PHONE: PropTag = PropTag(0x3A08_001F);

fn seeded() -> Store {
    let store = Store::open_in_memory().unwrap();
    seed(&store, &SeedOptions { users: vec!["alice".into(), "bob".into()], messages: 4, seed: 3 }).unwrap();
    store
}

fn completed<T: mapi_wire::emsmdb::ResponseFields>(body: &[u8]) -> T {
    match MapiResponse::<T>::decode_exact(body).unwrap() {
        MapiResponse::Completed(t) => t,
        MapiResponse::Failed { status_code, .. } => panic!("StatusCode {status_code:#x}"),
    }
}

fn is_jpeg(b: &[u8]) -> bool {
    b.starts_with(&[0xFF, 0xD8, 0xFF]) && b.ends_with(&[0xFF, 0xD9])
}

#[test]
fn nspi_get_props_returns_the_thumbnail_photo_of_alice() {
    let nspi = StoreNspi::new(seeded());
    // alice is the first mailbox: MId 0x11.
    let mut state = Stat::new(1252);
    state.current_rec = MinimalId(0x11);
    let req = Request::GetProps(nspi::GetPropsRequest {
        state: Some(state),
        property_tags: Some(vec![PropTag::DISPLAY_NAME, THUMBNAIL_PHOTO, TITLE, BUSINESS_PHONE]),
        flags: nspi::RetrievalFlags(0),
        auxiliary_buffer: vec![],
    });
    let r: nspi::GetPropsResponse = completed(&nspi.answer(&req));
    assert_eq!(r.error_code.0, 0, "every property present");
    let v = r.property_values.unwrap();
    assert_eq!(v[0].value, PropValue::String("Alice Tester".into()));
    let PropValue::Binary(photo) = &v[1].value else { panic!("{:?}", v[1]) };
    assert!(is_jpeg(photo), "a JPEG, {} bytes", photo.len());
    assert_eq!(v[2].value, PropValue::String("Project Manager".into()));
    assert!(matches!(&v[3].value, PropValue::String(p) if p.starts_with("+49 30")));
}

#[test]
fn nspi_query_rows_has_photos_for_alice_and_bob_only() {
    let store = seeded();
    let nspi = StoreNspi::new(store);
    let req = Request::QueryRows(nspi::QueryRowsRequest {
        state: Some(Stat::new(1252)),
        row_count: 10,
        columns: Some(vec![PropTag::DISPLAY_NAME, THUMBNAIL_PHOTO]),
        flags: nspi::RetrievalFlags(0),
        explicit_table: vec![],
        auxiliary_buffer: vec![],
    });
    let r: nspi::QueryRowsResponse = completed(&nspi.answer(&req));
    let rows = r.rows.unwrap();
    let mut seen = vec![];
    for row in &rows.rows {
        let (name, photo) = match row {
            PropertyRow::Standard(v) => (v[0].clone(), Some(v[1].clone())),
            PropertyRow::Flagged(v) => {
                let FlaggedValue::Value(n) = &v[0] else { panic!() };
                (n.clone(), if let FlaggedValue::Value(p) = &v[1] { Some(p.clone()) } else { None })
            }
        };
        let PropValue::String(name) = name else { panic!() };
        let has = matches!(photo, Some(PropValue::Binary(b)) if is_jpeg(&b));
        seen.push((name, has));
    }
    // The team mailbox is a GAL entry too, without a photo (flagged row).
    assert_eq!(
        seen,
        vec![("Alice Tester".into(), true), ("Bob Tester".into(), true), ("Team Mailbox".to_string(), false)]
    );
}

fn tag(mb: &Mailbox, p: NamedProp) -> PropTag {
    let mapi_wire::tags::NamedKind::Id(lid) = p.kind else { panic!() };
    let id = mb.prop_id_from_name(&PropertyName::Id { guid: p.set, lid }, false).unwrap().expect("mapped");
    PropTag::new(id, p.ty)
}

fn by_class(rows: Vec<MessageRow>, class: &str) -> Vec<MessageRow> {
    rows.into_iter().filter(|m| m.content.props.string(PropTag::MESSAGE_CLASS).as_deref() == Some(class)).collect()
}

#[test]
fn bob_has_alices_meeting_request_and_the_tentative_appointment() {
    let store = seeded();
    let bob = store.mailbox("bob@example.test").unwrap();
    let inbox = bob.contents(bob.special_folder(SpecialFolder::Inbox), false).unwrap();
    let requests = by_class(inbox, "IPM.Schedule.Meeting.Request");
    assert_eq!(requests.len(), 1);
    let req = &requests[0].content.props;
    assert_eq!(req.string(PropTag::SENT_REPRESENTING_EMAIL_ADDRESS).as_deref(), Some("alice@example.test"));
    assert_eq!(req.get(PropTag::RESPONSE_REQUESTED), Some(&PropValue::Bool(true)));
    assert_eq!(req.get(tag(&bob, PidLid::MEETING_TYPE)), Some(&PropValue::I32(1)), "mtgRequest");
    assert_eq!(req.get(tag(&bob, PidLid::IS_RECURRING)), Some(&PropValue::Bool(true)));
    assert_eq!(req.string(tag(&bob, PidLid::LOCATION)).as_deref(), Some("Room Ada, 2nd floor"));
    assert_eq!(req.string(tag(&bob, PidLid::WHERE)).as_deref(), Some("Room Ada, 2nd floor"));
    let start = req.get(tag(&bob, PidLid::APPOINTMENT_START_WHOLE)).cloned().unwrap();
    let end = req.get(tag(&bob, PidLid::APPOINTMENT_END_WHOLE)).cloned().unwrap();
    let (PropValue::Time(s), PropValue::Time(e)) = (&start, &end) else { panic!() };
    assert_eq!(e.0 - s.0, 30 * 60 * 10_000_000, "half an hour");
    let goid = req.get(tag(&bob, PidLid::GLOBAL_OBJECT_ID)).cloned().unwrap();
    let clean = req.get(tag(&bob, PidLid::CLEAN_GLOBAL_OBJECT_ID)).cloned().unwrap();
    let (PropValue::Binary(g), PropValue::Binary(c)) = (&goid, &clean) else { panic!() };
    assert_eq!(g.len(), 56);
    assert_eq!(c, g, "the series has no instance date, so both ids agree");
    let Some(PropValue::Binary(recur)) = req.get(tag(&bob, PidLid::APPOINTMENT_RECUR)) else { panic!("recurrence") };
    // RecurrencePattern: ReaderVersion 0x3004, WriterVersion 0x3004, RecurFrequency weekly 0x200B.
    assert_eq!(&recur[..6], &[0x04, 0x30, 0x04, 0x30, 0x0B, 0x20]);
    assert_eq!(requests[0].content.recipients.len(), 1);

    // The calendar attendant's appointment: same meeting, tentative.
    let calendar = bob.contents(bob.special_folder(SpecialFolder::Calendar), false).unwrap();
    let placed: Vec<_> = by_class(calendar, "IPM.Appointment")
        .into_iter()
        .filter(|m| m.content.props.get(tag(&bob, PidLid::GLOBAL_OBJECT_ID)) == Some(&goid))
        .collect();
    assert_eq!(placed.len(), 1);
    let a = &placed[0].content.props;
    assert_eq!(a.get(tag(&bob, PidLid::BUSY_STATUS)), Some(&PropValue::I32(1)), "olTentative");
    assert_eq!(a.get(tag(&bob, PidLid::INTENDED_BUSY_STATUS)), Some(&PropValue::I32(2)));
    assert_eq!(a.get(tag(&bob, PidLid::RESPONSE_STATUS)), Some(&PropValue::I32(5)), "respNotResponded");
    assert_eq!(a.get(tag(&bob, PidLid::APPOINTMENT_START_WHOLE)), Some(&start));
    assert!(a.get(tag(&bob, PidLid::APPOINTMENT_RECUR)).is_some());
    // alice, the organizer, got no request.
    let alice = store.mailbox("alice@example.test").unwrap();
    let inbox = alice.contents(alice.special_folder(SpecialFolder::Inbox), false).unwrap();
    assert!(by_class(inbox, "IPM.Schedule.Meeting.Request").is_empty());
}

#[test]
fn seeding_the_meeting_is_deterministic() {
    let goid = |store: &Store| {
        let bob = store.mailbox("bob@example.test").unwrap();
        let inbox = bob.contents(bob.special_folder(SpecialFolder::Inbox), false).unwrap();
        by_class(inbox, "IPM.Schedule.Meeting.Request")[0]
            .content
            .props
            .get(tag(&bob, PidLid::GLOBAL_OBJECT_ID))
            .cloned()
    };
    assert_eq!(goid(&seeded()), goid(&seeded()));
}
