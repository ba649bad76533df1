//! FastTransfer download ROPs ([MS-OXCFXICS] 3.2.5.8.1):
//! RopFastTransferSourceCopyTo / CopyProperties on a message and
//! RopFastTransferSourceCopyMessages on a folder, streams read back with
//! mapi-wire's FastTransfer reader.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use exchange_sim::store::SpecialFolder;
use mapi_wire::fx::{FxElement, Marker, read_stream};
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::PropValue;
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};
use rops_common::*;

const NONE: u32 = u32::MAX;

fn open_folder(folder: FolderId) -> RopRequest {
    RopRequest::OpenFolder(OpenFolderRequest {
        logon_id: 0,
        input_handle_index: 0,
        output_handle_index: 1,
        folder_id: folder,
        open_mode_flags: FolderOpenModeFlags::NONE,
    })
}

fn open_message(folder: FolderId, mid: MessageId) -> RopRequest {
    RopRequest::OpenMessage(OpenMessageRequest {
        logon_id: 0,
        input_handle_index: 0,
        output_handle_index: 2,
        code_page_id: 0x0FFF,
        folder_id: folder,
        open_mode_flags: MessageOpenModeFlags::READ_ONLY,
        message_id: mid,
    })
}

/// Runs `rops` (slots: logon, folder, message, download) and then
/// GetBuffer on slot 3 until Done; the whole stream's elements.
fn download(h: &mut Harness, logon: u32, rops: Vec<RopRequest>) -> Result<Vec<FxElement>, Vec<(u8, u32)>> {
    let r = h.run(rops, vec![logon, NONE, NONE, NONE]);
    let rv = return_values(&r);
    if rv.iter().any(|(_, v)| *v != 0) {
        return Err(rv);
    }
    let handles = r.handles.clone();
    let mut stream = Vec::new();
    for _ in 0..100 {
        let r = h.run(
            vec![RopRequest::FastTransferSourceGetBuffer(FastTransferSourceGetBufferRequest {
                logon_id: 0,
                input_handle_index: 3,
                buffer_size: 0x100,
                maximum_buffer_size: None,
            })],
            handles.clone(),
        );
        let RopResponse::FastTransferSourceGetBuffer(g) = &r.rops[0] else { panic!() };
        assert_eq!(g.return_value, ErrorCode::SUCCESS);
        stream.extend_from_slice(&g.transfer_buffer);
        if g.transfer_status == TransferStatus::DONE {
            return Ok(read_stream(&stream).unwrap().into_iter().map(|(_, e)| e).collect());
        }
    }
    panic!("no TransferStatus Done");
}

fn markers(elements: &[FxElement]) -> Vec<Marker> {
    elements.iter().filter_map(|e| if let FxElement::Marker(m) = e { Some(*m) } else { None }).collect()
}

fn value(elements: &[FxElement], tag: PropTag) -> Option<PropValue> {
    elements.iter().find_map(|e| match e {
        FxElement::Property(p) if p.tag.id() == tag.id() => Some(p.value.clone()),
        _ => None,
    })
}

/// The seeded "Mail with attachment" (one recipient, one attachment).
fn mail_with_attachment(h: &Harness) -> (FolderId, MessageId) {
    let mb = h.store.mailbox(ALICE).unwrap();
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let m = mb
        .contents(inbox, false)
        .unwrap()
        .into_iter()
        .find(|m| m.content.props.string(PropTag::SUBJECT).as_deref() == Some("Mail with attachment"))
        .unwrap();
    (inbox, m.id)
}

#[test]
fn copy_to_a_message_streams_its_content_with_recipients_and_attachments() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let (inbox, mid) = mail_with_attachment(&h);
    let copy_to = |tags: Vec<PropTag>, level: u8| {
        RopRequest::FastTransferSourceCopyTo(FastTransferSourceCopyToRequest {
            logon_id: 0,
            input_handle_index: 2,
            output_handle_index: 3,
            level,
            copy_flags: 0,
            send_options: 0x01,
            property_tags: tags,
        })
    };
    let all = download(&mut h, logon, vec![open_message(inbox, mid), copy_to(vec![], 0)]).unwrap();
    assert_eq!(value(&all, PropTag::SUBJECT), Some(PropValue::String("Mail with attachment".into())));
    assert_eq!(
        markers(&all),
        vec![Marker::START_RECIP, Marker::END_TO_RECIP, Marker::NEW_ATTACH, Marker::END_ATTACH],
        "messageContent: recipients then attachments"
    );
    // The attachment's first property is PidTagAttachNumber, its data follows.
    let at = all.iter().position(|e| *e == FxElement::Marker(Marker::NEW_ATTACH)).unwrap();
    let FxElement::Property(first) = &all[at + 1] else { panic!("{:?}", all[at + 1]) };
    assert_eq!(first.tag, PropTag::ATTACH_NUMBER);
    assert_eq!(value(&all[at..], PropTag(0x3701_0102)), Some(PropValue::Binary(b"a,b,c\n1,2,3\n4,5,6\n".to_vec())));
    // Excluding the subject and the attachments; Level 1 drops children.
    let some = download(
        &mut h,
        logon,
        vec![open_message(inbox, mid), copy_to(vec![PropTag::SUBJECT, PropTag(0x0E13_000D)], 0)],
    )
    .unwrap();
    assert_eq!(value(&some, PropTag::SUBJECT), None);
    assert_eq!(markers(&some), vec![Marker::START_RECIP, Marker::END_TO_RECIP]);
    let flat = download(&mut h, logon, vec![open_message(inbox, mid), copy_to(vec![], 1)]).unwrap();
    assert!(markers(&flat).is_empty());
    assert!(value(&flat, PropTag::BODY).is_some());
    // Move is not a download.
    let mut moving = copy_to(vec![], 0);
    if let RopRequest::FastTransferSourceCopyTo(r) = &mut moving {
        r.copy_flags = 0x01;
    }
    let err = download(&mut h, logon, vec![open_message(inbox, mid), moving]).unwrap_err();
    assert_eq!(err, vec![(0x03, 0), (0x4D, ErrorCode::NOT_SUPPORTED.0)]);
}

#[test]
fn copy_properties_streams_only_the_listed_ones() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let (inbox, mid) = mail_with_attachment(&h);
    let elements = download(
        &mut h,
        logon,
        vec![
            open_message(inbox, mid),
            RopRequest::FastTransferSourceCopyProperties(FastTransferSourceCopyPropertiesRequest {
                logon_id: 0,
                input_handle_index: 2,
                output_handle_index: 3,
                level: 0,
                copy_flags: 0,
                send_options: 0x01,
                property_tags: vec![PropTag::SUBJECT, PropTag::IMPORTANCE, PropTag(0x0E12_000D)],
            }),
        ],
    )
    .unwrap();
    let tags: Vec<u16> = elements
        .iter()
        .take_while(|e| !matches!(e, FxElement::Marker(_)))
        .filter_map(|e| if let FxElement::Property(p) = e { Some(p.tag.id()) } else { None })
        .collect();
    // Subject and importance, then MetaTagFXDelProp announcing the
    // recipients.
    assert_eq!(tags.len(), 3);
    assert_eq!(tags[2], 0x4016);
    let mut props = tags[..2].to_vec();
    props.sort_unstable();
    assert_eq!(props, vec![PropTag::IMPORTANCE.id(), PropTag::SUBJECT.id()]);
    assert_eq!(
        markers(&elements),
        vec![Marker::START_RECIP, Marker::END_TO_RECIP],
        "recipients listed, no attachments"
    );
}

#[test]
fn copy_messages_streams_a_message_list_in_request_order() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let mb = store.mailbox(ALICE).unwrap();
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let rows = mb.contents(inbox, false).unwrap();
    let (a, b) = (rows[3].id, rows[0].id);
    let copy = |ids: Vec<u64>| {
        RopRequest::FastTransferSourceCopyMessages(FastTransferSourceCopyMessagesRequest {
            logon_id: 0,
            input_handle_index: 1,
            output_handle_index: 3,
            message_ids: ids,
            copy_flags: 0,
            send_options: 0x01,
        })
    };
    let elements = download(&mut h, logon, vec![open_folder(inbox), copy(vec![a.0, b.0])]).unwrap();
    let starts: Vec<usize> = elements
        .iter()
        .enumerate()
        .filter(|(_, e)| **e == FxElement::Marker(Marker::START_MESSAGE))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(starts.len(), 2);
    assert_eq!(markers(&elements).iter().filter(|m| **m == Marker::END_MESSAGE).count(), 2);
    let subject = |from: usize| value(&elements[from..], PropTag::SUBJECT);
    assert_eq!(subject(starts[0]), rows[3].content.props.get(PropTag::SUBJECT).cloned());
    assert_eq!(subject(starts[1]), rows[0].content.props.get(PropTag::SUBJECT).cloned());
    // A MID that is not in the folder fails the ROP.
    let err =
        download(&mut h, logon, vec![open_folder(inbox), copy(vec![a.0, MessageId::new(1, 0xFF_FFFF).0])]).unwrap_err();
    assert_eq!(err, vec![(0x02, 0), (0x4B, ErrorCode::NOT_FOUND.0)]);
}

/// A folder as read back from a topFolder / folderContent stream.
#[derive(Debug, Default)]
struct FxFolder {
    name: Option<String>,
    class: Option<String>,
    /// (FAI, subject, recipients, attachments) in stream order.
    messages: Vec<(bool, String, usize, usize)>,
    subfolders: Vec<Self>,
    /// MetaTagFXDelProp values in order.
    announced: Vec<u32>,
}

/// Parses a folderContent from `at` up to its EndFolder (or the end);
/// returns the folder and the index after it.
fn parse_folder(e: &[FxElement], mut at: usize) -> (FxFolder, usize) {
    let mut f = FxFolder::default();
    while at < e.len() {
        match &e[at] {
            FxElement::Property(p) if p.tag.id() == 0x4016 => {
                let PropValue::I32(v) = p.value else { panic!("FXDelProp {:?}", p.value) };
                f.announced.push(v as u32);
            }
            FxElement::Property(p) if p.tag.id() == PropTag::DISPLAY_NAME.id() => {
                let PropValue::String(s) = &p.value else { panic!() };
                f.name = Some(s.clone());
            }
            FxElement::Property(p) if p.tag.id() == 0x3613 => {
                let PropValue::String(s) = &p.value else { panic!() };
                f.class = Some(s.clone());
            }
            FxElement::Property(_) => {}
            FxElement::Marker(m) if *m == Marker::START_MESSAGE || *m == Marker::START_FAI_MSG => {
                let end = at + e[at..].iter().position(|x| *x == FxElement::Marker(Marker::END_MESSAGE)).unwrap();
                let body = &e[at + 1..end];
                let subject = match value(body, PropTag::SUBJECT) {
                    Some(PropValue::String(s)) => s,
                    other => panic!("subject {other:?}"),
                };
                let count = |mk: Marker| body.iter().filter(|x| **x == FxElement::Marker(mk)).count();
                f.messages.push((
                    *m == Marker::START_FAI_MSG,
                    subject,
                    count(Marker::START_RECIP),
                    count(Marker::NEW_ATTACH),
                ));
                at = end;
            }
            FxElement::Marker(m) if *m == Marker::START_SUB_FLD => {
                let (sub, next) = parse_folder(e, at + 1);
                f.subfolders.push(sub);
                at = next;
                continue;
            }
            FxElement::Marker(m) if *m == Marker::END_FOLDER => return (f, at + 1),
            other => panic!("unexpected {other:?}"),
        }
        at += 1;
    }
    (f, at)
}

/// Inbox/Projects (a mail, an FAI message) with Projects/2026 (a mail).
fn folder_tree(store: &exchange_sim::store::Store) -> FolderId {
    use exchange_sim::store::{MessageContent, PropBag, SaveMode};
    let mb = store.mailbox(ALICE).unwrap();
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    let mut class = PropBag::new();
    class.set(PropTag(0x3613_001F), PropValue::String("IPF.Note".into()));
    let (projects, _) = mb.create_folder(inbox, "Projects", &class, false).unwrap();
    let (year, _) = mb.create_folder(projects, "2026", &class, false).unwrap();
    let save = |folder: FolderId, fai: bool, subject: &str| {
        let mut props = PropBag::new();
        props.set(PropTag::SUBJECT, PropValue::String(subject.into()));
        props.set(
            PropTag::MESSAGE_CLASS,
            PropValue::String(if fai { "IPM.Configuration.View" } else { "IPM.Note" }.into()),
        );
        let content = MessageContent { props, recipients: vec![], attachments: vec![] };
        mb.save_message(folder, None, fai, &content, SaveMode::Normal).unwrap();
    };
    save(projects, false, "Kick-off");
    save(projects, true, "view settings");
    save(year, false, "Budget 2026");
    projects
}

fn copy_folder(flags: u8) -> RopRequest {
    RopRequest::FastTransferSourceCopyFolder(FastTransferSourceCopyFolderRequest {
        logon_id: 0,
        input_handle_index: 1,
        output_handle_index: 3,
        copy_flags: flags,
        send_options: 0x01,
    })
}

#[test]
fn copy_folder_streams_a_top_folder_with_messages_and_subfolders() {
    let store = seeded_store();
    let projects = folder_tree(&store);
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    // CopySubfolders: the whole tree.
    let e = download(&mut h, logon, vec![open_folder(projects), copy_folder(0x10)]).unwrap();
    assert_eq!(e[0], FxElement::Marker(Marker::START_TOP_FLD));
    let (top, end) = parse_folder(&e, 1);
    assert_eq!(end, e.len(), "EndFolder closes the stream");
    assert_eq!(top.name.as_deref(), Some("Projects"));
    assert_eq!(top.class.as_deref(), Some("IPF.Note"));
    // FAI list, normal list, then the subfolders, each announced.
    assert_eq!(top.announced, vec![0x3610_000D, 0x360F_000D, 0x360E_000D]);
    assert_eq!(top.messages, vec![(true, "view settings".to_string(), 0, 0), (false, "Kick-off".to_string(), 0, 0)]);
    assert_eq!(top.subfolders.len(), 1);
    let year = &top.subfolders[0];
    assert_eq!(year.name.as_deref(), Some("2026"));
    assert_eq!(year.messages, vec![(false, "Budget 2026".to_string(), 0, 0)]);
    assert!(year.subfolders.is_empty());
    // The folder's own ids stay behind (a copy gets new ones).
    let prop_list = &e[1..e.iter().position(|x| matches!(x, FxElement::Property(p) if p.tag.id() == 0x4016)).unwrap()];
    assert_eq!(value(prop_list, PropTag::FOLDER_ID), None);
    assert_eq!(value(prop_list, PropTag::PARENT_FOLDER_ID), None);
    // Without CopySubfolders: no subfolder list.
    let e = download(&mut h, logon, vec![open_folder(projects), copy_folder(0)]).unwrap();
    let (top, _) = parse_folder(&e, 1);
    assert!(top.subfolders.is_empty());
    assert_eq!(top.announced, vec![0x3610_000D, 0x360F_000D]);
    assert_eq!(top.messages.len(), 2);
    // Move is not a download.
    let err = download(&mut h, logon, vec![open_folder(projects), copy_folder(0x01)]).unwrap_err();
    assert_eq!(err, vec![(0x02, 0), (0x4C, ErrorCode::NOT_SUPPORTED.0)]);
}

#[test]
fn copy_folder_of_the_inbox_carries_the_seeded_mails_with_their_children() {
    let store = seeded_store();
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let inbox = store.mailbox(ALICE).unwrap().special_folder(SpecialFolder::Inbox);
    let e = download(&mut h, logon, vec![open_folder(inbox), copy_folder(0)]).unwrap();
    let (top, _) = parse_folder(&e, 1);
    let normal: Vec<_> = top.messages.iter().filter(|m| !m.0).collect();
    assert_eq!(normal.len(), INBOX_SUBJECTS.len());
    let with_attachment = normal.iter().find(|m| m.1 == "Mail with attachment").unwrap();
    assert_eq!((with_attachment.2, with_attachment.3), (1, 1), "recipient and attachment");
}

#[test]
fn copy_to_on_a_folder_streams_its_folder_content() {
    let store = seeded_store();
    let projects = folder_tree(&store);
    let mut h = Harness::new(&store, ALICE);
    let logon = h.logon();
    let copy_to = |tags: Vec<PropTag>, level: u8| {
        RopRequest::FastTransferSourceCopyTo(FastTransferSourceCopyToRequest {
            logon_id: 0,
            input_handle_index: 1,
            output_handle_index: 3,
            level,
            copy_flags: 0,
            send_options: 0x01,
            property_tags: tags,
        })
    };
    // Level 0: folderContent without StartTopFld, messages and subfolders.
    let e = download(&mut h, logon, vec![open_folder(projects), copy_to(vec![], 0)]).unwrap();
    assert!(!matches!(e[0], FxElement::Marker(_)), "starts with the propList");
    let (f, end) = parse_folder(&e, 0);
    assert_eq!(end, e.len());
    assert_eq!(f.name.as_deref(), Some("Projects"));
    assert_eq!(f.messages.len(), 2);
    assert_eq!(f.subfolders.len(), 1);
    // Excluding the display name and the subfolders.
    let e = download(
        &mut h,
        logon,
        vec![open_folder(projects), copy_to(vec![PropTag::DISPLAY_NAME, PropTag(0x360E_000D)], 0)],
    )
    .unwrap();
    let (f, _) = parse_folder(&e, 0);
    assert_eq!(f.name, None);
    assert!(f.subfolders.is_empty());
    assert_eq!(f.announced, vec![0x3610_000D, 0x360F_000D]);
    // Level 1: properties only.
    let e = download(&mut h, logon, vec![open_folder(projects), copy_to(vec![], 1)]).unwrap();
    let (f, _) = parse_folder(&e, 0);
    assert!(f.messages.is_empty() && f.subfolders.is_empty() && f.announced.is_empty());
    assert_eq!(f.class.as_deref(), Some("IPF.Note"));
}
