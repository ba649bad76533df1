//! Behaviour of the iCalendar converter a CalDAV client or an Outlook user
//! would notice: meetings and their iTIP classes, attendees, reminders,
//! all-day and floating times, zones (Windows names, custom VTIMEZONEs,
//! legacy TimeZoneStruct), tasks, limits, and occurrence expansion.

use convert::ical::{
    ExportOptions, IcalCalendarPart, IcalError, ImportOptions, busy, from_ical, itip, occurrences, to_ical, track,
};
use convert::{Message, RenderOptions, to_mime};
use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{PidLid, PidName};

fn cal(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n")
}

fn event(extra: &str) -> String {
    cal(&format!(
        "BEGIN:VEVENT\r\nUID:evt-1@example.test\r\nDTSTAMP:20261120T090000Z\r\nSUMMARY:Review\r\n\
         DTSTART:20261209T120000Z\r\nDTEND:20261209T133000Z\r\n{extra}END:VEVENT\r\n"
    ))
}

fn import(ics: &str) -> Message {
    import_with(ics, &ImportOptions::default())
}

fn import_with(ics: &str, opts: &ImportOptions) -> Message {
    match from_ical(ics.as_bytes(), opts) {
        Ok(mut got) => got.objects.remove(0),
        Err(e) => panic!("{e}\n{ics}"),
    }
}

/// The export, unfolded (RFC 5545 3.1) so lines can be asserted whole.
fn export(m: &Message) -> String {
    to_ical(&[m], &ExportOptions::default()).unwrap_or_else(|e| panic!("{e}")).replace("\r\n ", "")
}

fn unix(t: Option<FileTime>) -> i64 {
    t.map_or(-1, FileTime::unix_seconds)
}

fn ts(s: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").map_or(0, |d| d.and_utc().timestamp())
}

const MEETING: &str = "ORGANIZER;CN=Alice:mailto:alice@example.org\r\n\
ATTENDEE;CN=Bob;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:bob@example.org\r\n\
ATTENDEE;CN=Carol;ROLE=OPT-PARTICIPANT;PARTSTAT=TENTATIVE:mailto:carol@example.org\r\n\
ATTENDEE;CN=Dan;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED:mailto:dan@example.org\r\n\
ATTENDEE;CN=Room 1;CUTYPE=RESOURCE;ROLE=NON-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:room1@example.org\r\n";

#[test]
fn itip_methods_choose_meeting_classes() {
    let with_method = |m: &str, extra: &str| {
        let ics = event(extra).replacen("PRODID:-//test//EN\r\n", &format!("PRODID:-//test//EN\r\nMETHOD:{m}\r\n"), 1);
        import(&ics).class().into_owned()
    };
    assert_eq!(with_method("REQUEST", MEETING), itip::REQUEST);
    assert_eq!(with_method("CANCEL", MEETING), itip::CANCELED);
    assert_eq!(with_method("PUBLISH", ""), itip::APPOINTMENT);
    let reply = |ps: &str| {
        with_method(
            "REPLY",
            &format!("ORGANIZER:mailto:alice@example.org\r\nATTENDEE;PARTSTAT={ps}:mailto:bob@example.org\r\n"),
        )
    };
    assert_eq!(reply("ACCEPTED"), itip::RESP_POS);
    assert_eq!(reply("DECLINED"), itip::RESP_NEG);
    assert_eq!(reply("TENTATIVE"), itip::RESP_TENT);
    assert_eq!(itip::method_for_class("IPM.Schedule.Meeting.Resp.Neg"), Some("REPLY"));
    assert_eq!(itip::method_for_class("IPM.Note"), None);
}

#[test]
fn attendees_become_recipients_with_roles_and_responses_and_come_back() {
    let m = import(&event(MEETING));
    let rows: Vec<(i32, i32, i32, String)> = m
        .recipients
        .iter()
        .map(|r| {
            (
                r.props.i32(PropTag::RECIPIENT_TYPE).unwrap_or(-1),
                r.props.i32(PropTag::RECIPIENT_FLAGS).unwrap_or(-1),
                r.props.i32(PropTag::RECIPIENT_TRACK_STATUS).unwrap_or(-1),
                r.props.string(PropTag::SMTP_ADDRESS).unwrap_or_default().into_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (1, 3, track::ORGANIZED, "alice@example.org".into()),
            (1, 1, track::ACCEPTED, "bob@example.org".into()),
            (2, 1, track::TENTATIVE, "carol@example.org".into()),
            (1, 1, track::DECLINED, "dan@example.org".into()),
            (3, 1, track::NOT_RESPONDED, "room1@example.org".into()),
        ]
    );
    assert_eq!(m.props.named_i32(&PidLid::APPOINTMENT_STATE_FLAGS), Some(1));
    let ics = export(&m);
    assert!(ics.contains("ORGANIZER;CN=Alice:mailto:alice@example.org"), "{ics}");
    assert!(ics.contains("ATTENDEE;CN=Bob;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:bob@example.org"), "{ics}");
    assert!(
        ics.contains("ATTENDEE;CN=Carol;ROLE=OPT-PARTICIPANT;PARTSTAT=TENTATIVE:mailto:carol@example.org"),
        "{ics}"
    );
    assert!(ics.contains("PARTSTAT=DECLINED:mailto:dan@example.org"), "{ics}");
    assert!(ics.contains("ATTENDEE;CN=\"Room 1\";CUTYPE=RESOURCE;ROLE=NON-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:room1@example.org"), "{ics}");
    assert_eq!(import(&ics).recipients, m.recipients);
}

#[test]
fn meeting_request_mime_gets_a_text_calendar_part() {
    let ics = event(MEETING).replacen("PRODID:-//test//EN\r\n", "PRODID:-//test//EN\r\nMETHOD:REQUEST\r\n", 1);
    let m = import(&ics);
    let hook = IcalCalendarPart::default();
    let mime = to_mime(&m, &RenderOptions { identity: b"x", calendar: Some(&hook), ..Default::default() });
    let mime = String::from_utf8(mime.unwrap_or_default()).unwrap_or_default();
    assert!(mime.contains("text/calendar"), "{mime}");
    assert!(mime.contains("method=REQUEST") || mime.contains("method=\"REQUEST\""), "{mime}");
}

#[test]
fn reminders_map_to_valarm_both_ways() {
    let m = import(&event("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER:-PT30M\r\nEND:VALARM\r\n"));
    assert_eq!(m.props.named_bool(&PidLid::REMINDER_SET), Some(true));
    assert_eq!(m.props.named_i32(&PidLid::REMINDER_DELTA), Some(30));
    assert_eq!(unix(m.props.named_time(&PidLid::REMINDER_SIGNAL_TIME)), ts("2026-12-09 11:30"));
    let ics = export(&m);
    assert!(ics.contains("TRIGGER;RELATED=START:-PT30M"), "{ics}");
    // RELATED=END counts from the end (90 min event, 10 min before end = 80 min after start → no negative delta).
    let end = import(&event("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;RELATED=END:-PT100M\r\nEND:VALARM\r\n"));
    assert_eq!(end.props.named_i32(&PidLid::REMINDER_DELTA), Some(10));
    let none = import(&event(""));
    assert_eq!(none.props.named_bool(&PidLid::REMINDER_SET), Some(false));
    assert!(!export(&none).contains("VALARM"));
}

#[test]
fn busy_status_class_priority_and_categories() {
    let m = import(&event(
        "TRANSP:TRANSPARENT\r\nX-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE\r\nCLASS:CONFIDENTIAL\r\nPRIORITY:9\r\nCATEGORIES:A,B\r\nCATEGORIES:C\r\n",
    ));
    assert_eq!(m.props.named_i32(&PidLid::BUSY_STATUS), Some(busy::TENTATIVE));
    assert_eq!(m.props.i32(PropTag::SENSITIVITY), Some(3));
    assert_eq!(m.props.i32(PropTag::IMPORTANCE), Some(0));
    assert_eq!(m.props.named_strings(&PidName::KEYWORDS).map(|v| v.join("|")), Some("A|B|C".into()));
    let ics = export(&m);
    for line in [
        "X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE",
        "TRANSP:OPAQUE",
        "CLASS:CONFIDENTIAL",
        "PRIORITY:9",
        "CATEGORIES:A,B,C",
    ] {
        assert!(ics.contains(line), "{line} missing in\n{ics}");
    }
    let free = import(&event("TRANSP:TRANSPARENT\r\n"));
    assert_eq!(free.props.named_i32(&PidLid::BUSY_STATUS), Some(busy::FREE));
}

#[test]
fn all_day_multi_day_events_stay_dates() {
    let ics = cal(
        "BEGIN:VEVENT\r\nUID:ad@x\r\nDTSTAMP:20261120T090000Z\r\nSUMMARY:Trip\r\nDTSTART;VALUE=DATE:20270113\r\nDTEND;VALUE=DATE:20270116\r\nEND:VEVENT\r\n",
    );
    let m = import(&ics);
    assert_eq!(m.props.named_bool(&PidLid::APPOINTMENT_SUB_TYPE), Some(true));
    assert_eq!(m.props.named_i32(&PidLid::APPOINTMENT_DURATION), Some(3 * 1440));
    let out = export(&m);
    assert!(out.contains("DTSTART;VALUE=DATE:20270113") && out.contains("DTEND;VALUE=DATE:20270116"), "{out}");
    // In the owner's zone, all-day means local midnight.
    let berlin = import_with(&ics, &ImportOptions { default_zone: "Europe/Berlin".into(), ..Default::default() });
    assert_eq!(unix(berlin.props.named_time(&PidLid::APPOINTMENT_START_WHOLE)), ts("2027-01-12 23:00"));
    let out = to_ical(&[&berlin], &ExportOptions { default_zone: "Europe/Berlin".into(), ..Default::default() })
        .unwrap_or_default();
    assert!(out.contains("DTSTART;VALUE=DATE:20270113"), "{out}");
}

#[test]
fn floating_times_use_the_owner_zone() {
    let ics = cal(
        "BEGIN:VEVENT\r\nUID:f@x\r\nDTSTAMP:20261120T090000Z\r\nDTSTART:20261210T080000\r\nDTEND:20261210T081500\r\nEND:VEVENT\r\n",
    );
    let utc = import(&ics);
    assert_eq!(unix(utc.props.named_time(&PidLid::APPOINTMENT_START_WHOLE)), ts("2026-12-10 08:00"));
    let ny = import_with(&ics, &ImportOptions { default_zone: "America/New_York".into(), ..Default::default() });
    assert_eq!(unix(ny.props.named_time(&PidLid::APPOINTMENT_START_WHOLE)), ts("2026-12-10 13:00"));
    let out = export(&ny);
    assert!(out.contains("DTSTART;TZID=America/New_York:20261210T080000"), "{out}");
}

#[test]
fn windows_tzid_and_custom_vtimezone_resolve() {
    let outlook = cal(
        "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:w@x\r\nDTSTAMP:20261120T090000Z\r\nDTSTART;TZID=W. Europe Standard Time:20260710T100000\r\nDTEND;TZID=W. Europe Standard Time:20260710T110000\r\nEND:VEVENT\r\n",
    );
    let m = import(&outlook);
    assert_eq!(unix(m.props.named_time(&PidLid::APPOINTMENT_START_WHOLE)), ts("2026-07-10 08:00"));
    // A zone nobody knows: its VTIMEZONE rules are the TZDEFINITION.
    let custom = outlook.replace("W. Europe Standard Time", "Mapibridge Test Zone");
    let c = import(&custom);
    assert_eq!(unix(c.props.named_time(&PidLid::APPOINTMENT_START_WHOLE)), ts("2026-07-10 08:00"));
    let def = c
        .props
        .named_binary(&PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_START_DISPLAY)
        .map(convert::ical::tzdef::TzDefinition::decode);
    let Some(Ok(def)) = def else { panic!("no TZDEFINITION") };
    assert_eq!(def.key_name, "Mapibridge Test Zone");
    let out = export(&c);
    assert!(
        out.contains("TZID:Mapibridge Test Zone")
            && out.contains("DTSTART;TZID=\"Mapibridge Test Zone\":20260710T100000"),
        "{out}"
    );
    assert_eq!(
        import(&out).props.named_time(&PidLid::APPOINTMENT_START_WHOLE),
        c.props.named_time(&PidLid::APPOINTMENT_START_WHOLE)
    );
}

#[test]
fn legacy_time_zone_struct_alone_still_gives_local_times() {
    let mut m = import(&event(""));
    let tzs = convert::ical::tzdef::TimeZoneStruct(convert::ical::tzdef::TzRule {
        bias: 300,
        daylight_bias: -60,
        standard_date: convert::ical::tzdef::SystemTime { month: 11, day: 1, hour: 2, ..Default::default() },
        daylight_date: convert::ical::tzdef::SystemTime { month: 3, day: 2, hour: 2, ..Default::default() },
        ..Default::default()
    });
    let _ = m.props.insert(PidLid::TIME_ZONE_STRUCT, PropValue::Binary(tzs.encode()));
    let _ = m.props.insert(PidLid::TIME_ZONE_DESCRIPTION, PropValue::String("Eastern Standard Time".into()));
    let out = export(&m);
    assert!(out.contains("DTSTART;TZID=America/New_York:20261209T070000"), "{out}");
}

#[test]
fn tasks_round_trip_their_state() {
    let ics = cal(
        "BEGIN:VTODO\r\nUID:todo-1@x\r\nDTSTAMP:20261120T090000Z\r\nSUMMARY:Write spec\r\nDESCRIPTION:Line 1\\nLine 2\r\n\
DTSTART:20261201T090000Z\r\nDUE:20261218T170000Z\r\nPRIORITY:1\r\nPERCENT-COMPLETE:40\r\nSTATUS:IN-PROCESS\r\nCATEGORIES:Work\r\nEND:VTODO\r\n",
    );
    let t = import(&ics);
    assert_eq!(t.class(), "IPM.Task");
    assert_eq!(t.props.named_i32(&PidLid::TASK_STATUS), Some(convert::ical::task::status::IN_PROGRESS));
    assert_eq!(t.props.get(PidLid::PERCENT_COMPLETE), Some(&PropValue::F64(0.4)));
    assert_eq!(t.props.string(PropTag::BODY).as_deref(), Some("Line 1\r\nLine 2"));
    assert_eq!(unix(t.props.named_time(&PidLid::TASK_DUE_DATE)), ts("2026-12-18 00:00"));
    let out = export(&t);
    for line in [
        "BEGIN:VTODO",
        "UID:todo-1@x",
        "DUE:20261218T170000Z",
        "DTSTART:20261201T090000Z",
        "STATUS:IN-PROCESS",
        "PERCENT-COMPLETE:40",
        "PRIORITY:1",
        "CATEGORIES:Work",
    ] {
        assert!(out.contains(line), "{line} missing in\n{out}");
    }
    let done = import(&cal(
        "BEGIN:VTODO\r\nUID:todo-2@x\r\nDTSTAMP:20261120T090000Z\r\nDUE;VALUE=DATE:20261130\r\nCOMPLETED:20261125T101500Z\r\nSTATUS:COMPLETED\r\nEND:VTODO\r\n",
    ));
    assert_eq!(done.props.named_bool(&PidLid::TASK_COMPLETE), Some(true));
    assert_eq!(done.props.get(PidLid::PERCENT_COMPLETE), Some(&PropValue::F64(1.0)));
    let out = export(&done);
    assert!(
        out.contains("DUE;VALUE=DATE:20261130")
            && out.contains("COMPLETED:20261125T101500Z")
            && out.contains("STATUS:COMPLETED"),
        "{out}"
    );
}

#[test]
fn bad_input_gets_a_clear_error() {
    let small = ImportOptions { max_size: 100, ..Default::default() };
    assert_eq!(from_ical(event("").as_bytes(), &small).err(), Some(IcalError::TooLarge { limit: 100 }));
    assert!(matches!(
        from_ical(b"BEGIN:VCARD\r\nEND:VCARD\r\n", &ImportOptions::default()),
        Err(IcalError::Invalid(_))
    ));
    assert!(matches!(from_ical(&[0xFF, 0xFE], &ImportOptions::default()), Err(IcalError::Invalid(_))));
    let no_start = cal("BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20261120T090000Z\r\nEND:VEVENT\r\n");
    assert!(matches!(from_ical(no_start.as_bytes(), &ImportOptions::default()), Err(IcalError::Invalid(_))));
    let hourly = event("RRULE:FREQ=HOURLY;COUNT=3\r\n");
    assert!(matches!(from_ical(hourly.as_bytes(), &ImportOptions::default()), Err(IcalError::Unsupported(_))));
}

#[test]
fn occurrences_of_single_and_recurring_events() {
    let single = import(&event(""));
    let ft = |s: &str| FileTime::from_unix_seconds(ts(s)).unwrap_or_default();
    assert_eq!(occurrences(&single, ft("2026-12-09 00:00"), ft("2026-12-10 00:00"), 10).len(), 1);
    assert!(occurrences(&single, ft("2026-12-10 00:00"), ft("2026-12-11 00:00"), 10).is_empty());
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/captures/gromox-3.10-conversions/sources/ical-09-recurrence-overrides.ics"
    ));
    let series = import(&src.unwrap_or_default());
    // December 2026: Dec 3, 11 (moved from the 10th), 17 (changed), 24, 31.
    let dec = occurrences(&series, ft("2026-12-01 00:00"), ft("2027-01-01 00:00"), 100);
    let starts: Vec<i64> = dec.iter().map(|o| o.start.unix_seconds()).collect();
    assert_eq!(
        starts,
        vec![
            ts("2026-12-03 14:00"),
            ts("2026-12-11 10:00"),
            ts("2026-12-17 14:00"),
            ts("2026-12-24 14:00"),
            ts("2026-12-31 14:00")
        ]
    );
    assert_eq!(dec[1].original_start.unix_seconds(), ts("2026-12-10 14:00"));
    assert!(dec[1].exception.is_some() && dec[0].exception.is_none());
    // The moved instance is found by its new time only.
    let moved_day = occurrences(&series, ft("2026-12-10 00:00"), ft("2026-12-11 00:00"), 10);
    assert!(moved_day.is_empty(), "{moved_day:?}");
}

#[test]
fn recurring_tasks_keep_their_rule() {
    let ics = cal(
        "BEGIN:VTODO\r\nUID:todo-r@x\r\nDTSTAMP:20261120T090000Z\r\nSUMMARY:Timesheet\r\nDUE;VALUE=DATE:20261204\r\nRRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=10\r\nEND:VTODO\r\n",
    );
    let t = import(&ics);
    assert_eq!(t.props.named_bool(&PidLid::TASK_F_RECURRING), Some(true));
    let blob = t.props.named_binary(&PidLid::TASK_RECURRENCE).map(convert::ical::recur::RecurrencePattern::decode);
    let Some(Ok(p)) = blob else { panic!("no PidLidTaskRecurrence") };
    assert_eq!((p.specific, p.occurrence_count), (convert::ical::recur::PatternSpecific::Week(0x20), 10));
    let out = export(&t);
    assert!(out.contains("RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=FR;WKST=MO"), "{out}");
}

#[test]
fn extra_dates_are_refused_rather_than_lost() {
    for extra in [
        "RRULE:FREQ=DAILY;COUNT=3\r\nRDATE:20261220T120000Z\r\n",
        "RDATE:20261220T120000Z\r\n",
        "RRULE:FREQ=DAILY\r\nRRULE:FREQ=WEEKLY\r\n",
    ] {
        assert!(
            matches!(from_ical(event(extra).as_bytes(), &ImportOptions::default()), Err(IcalError::Unsupported(_))),
            "{extra}"
        );
    }
}

#[test]
fn a_reply_goes_from_the_attendee_to_the_organizer_and_back() {
    let ics =
        cal("METHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:evt-1@example.test\r\nDTSTAMP:20261120T090000Z\r\nSEQUENCE:2\r\n\
DTSTART:20261209T120000Z\r\nDTEND:20261209T133000Z\r\nORGANIZER;CN=Alice:mailto:alice@example.org\r\n\
ATTENDEE;CN=Bob;PARTSTAT=TENTATIVE:mailto:bob@example.org\r\nEND:VEVENT\r\n");
    let m = import(&ics);
    assert_eq!(m.class(), itip::RESP_TENT);
    assert_eq!(m.props.string(PropTag::SENT_REPRESENTING_SMTP_ADDRESS).as_deref(), Some("bob@example.org"));
    assert_eq!(m.recipients.len(), 1);
    assert_eq!(m.recipients[0].props.string(PropTag::SMTP_ADDRESS).as_deref(), Some("alice@example.org"));
    // As the MIME hook renders it: METHOD:REPLY, Bob's PARTSTAT.
    let hook = IcalCalendarPart::default();
    let part = convert::CalendarPart::calendar_part(&hook, &m).ok().flatten();
    let Some(part) = part else { panic!("no calendar part") };
    let text = String::from_utf8(part.ics).unwrap_or_default().replace("\r\n ", "");
    assert_eq!(part.method, "REPLY");
    assert!(text.contains("METHOD:REPLY"), "{text}");
    assert!(text.contains("ORGANIZER;CN=Alice:mailto:alice@example.org"), "{text}");
    assert!(text.contains("ATTENDEE;CN=Bob;PARTSTAT=TENTATIVE:mailto:bob@example.org"), "{text}");
    let back = from_ical(text.as_bytes(), &ImportOptions::default()).map(|mut g| g.objects.remove(0));
    assert_eq!(
        back.map(|b| (b.class().into_owned(), b.recipients)),
        Ok((itip::RESP_TENT.to_owned(), m.recipients.clone()))
    );
}

#[test]
fn inline_attachments_round_trip() {
    // "Hello PDF" in base64.
    let m = import(&event(
        "ATTACH;FMTTYPE=application/pdf;FILENAME=agenda.pdf;ENCODING=BASE64;VALUE=BINARY:SGVsbG8gUERG\r\n",
    ));
    assert_eq!(m.attachments.len(), 1);
    let a = &m.attachments[0];
    assert_eq!(a.data(), b"Hello PDF");
    assert_eq!(a.filename().as_deref(), Some("agenda.pdf"));
    assert_eq!(a.props.string(PropTag::ATTACH_MIME_TAG).as_deref(), Some("application/pdf"));
    let out = export(&m);
    assert!(out.contains("SGVsbG8gUERG") && out.contains("FILENAME=agenda.pdf"), "{out}");
    assert_eq!(import(&out).attachments, m.attachments);
}

#[test]
fn outlook_all_day_flag_on_midnight_times() {
    let ics = cal(
        "BEGIN:VEVENT\r\nUID:o@x\r\nDTSTAMP:20261120T090000Z\r\nDTSTART;TZID=Europe/Berlin:20261224T000000\r\nDTEND;TZID=Europe/Berlin:20261225T000000\r\nX-MICROSOFT-CDO-ALLDAYEVENT:TRUE\r\nEND:VEVENT\r\n",
    );
    let m = import(&ics);
    assert_eq!(m.props.named_bool(&PidLid::APPOINTMENT_SUB_TYPE), Some(true));
    assert_eq!(unix(m.props.named_time(&PidLid::APPOINTMENT_START_WHOLE)), ts("2026-12-23 23:00"));
    let out = export(&m);
    assert!(out.contains("DTSTART;VALUE=DATE:20261224") && out.contains("DTEND;VALUE=DATE:20261225"), "{out}");
}
